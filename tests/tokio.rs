//! The tokio API passes the core cases of the blocking one.
#![cfg(feature = "tokio")]

mod common;

use common::Authority;
use sslconf::{
    Error, Identity, PeerVerifyMode, SessionState, SslConfiguration, SslErrorKind, SslProtocol,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

struct Outcome {
    client: Result<SessionState, Error>,
    server: Result<SessionState, Error>,
}

async fn connect(client: &SslConfiguration, server: &SslConfiguration, host: &str) -> Outcome {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = server.clone();
    let server_task = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let mut tls = server.accept_async(socket).await?;
        let mut buf = [0u8; 4];
        tls.read_exact(&mut buf).await?;
        tls.write_all(&buf).await?;
        tls.shutdown().await?;
        Ok(tls.session_state().clone())
    });
    let socket = TcpStream::connect(addr).await.unwrap();
    let client = async {
        let mut tls = client.connect_async(host, socket).await?;
        tls.write_all(b"ping").await?;
        let mut buf = [0u8; 4];
        tls.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"ping");
        Ok(tls.session_state().clone())
    }
    .await;
    Outcome {
        client,
        server: server_task.await.unwrap(),
    }
}

#[tokio::test]
async fn negotiates_and_reports_state() {
    let ca = Authority::root("Tokio Root");
    let client_id = ca.leaf("client.test");
    let server = ca
        .leaf("localhost")
        .server()
        .with_ca_certificates([ca.cert.clone()])
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer)
        .with_allowed_next_protocols(["h2"]);
    let client = SslConfiguration::new()
        .with_ca_certificates([ca.cert.clone()])
        .with_local_identity(Identity::new(client_id.chain.clone(), client_id.key()))
        .with_protocol(SslProtocol::TlsV1_2)
        .with_allowed_next_protocols(["h2", "http/1.1"]);
    let outcome = connect(&client, &server, "localhost").await;
    let (c, s) = (outcome.client.unwrap(), outcome.server.unwrap());
    assert_eq!(c.session_protocol(), SslProtocol::TlsV1_2);
    assert_eq!(s.session_cipher(), c.session_cipher());
    assert_eq!(c.next_negotiated_protocol(), Some(&b"h2"[..]));
    assert_eq!(s.server_name(), Some("localhost"));
    assert_eq!(s.peer_certificate(), Some(client_id.leaf()));
    assert_eq!(c.key_exchange_group(), s.key_exchange_group());

    // Resumption through the same value.
    let outcome = connect(&client, &server, "localhost").await;
    assert!(outcome.client.unwrap().is_resumed());
}

#[tokio::test]
async fn verification_errors() {
    let ca = Authority::root("Tokio Root");
    let stranger = Authority::root("Stranger").leaf("localhost");
    let client = SslConfiguration::new().with_ca_certificates([ca.cert.clone()]);

    let err = connect(&client, &stranger.server(), "localhost")
        .await
        .client
        .unwrap_err();
    assert_eq!(
        err.ssl_errors()[0].kind(),
        SslErrorKind::UnableToGetLocalIssuerCertificate
    );

    let query = client
        .clone()
        .with_peer_verify_mode(PeerVerifyMode::QueryPeer);
    let c = connect(&query, &stranger.server(), "localhost")
        .await
        .client
        .unwrap();
    assert_eq!(
        c.peer_verification_errors()[0].kind(),
        SslErrorKind::UnableToGetLocalIssuerCertificate
    );

    // A server requiring a client certificate refuses a client without one.
    let server = ca
        .leaf("localhost")
        .server()
        .with_ca_certificates([ca.cert.clone()])
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer);
    let err = connect(&client, &server, "localhost")
        .await
        .server
        .unwrap_err();
    assert_eq!(err.ssl_errors()[0].kind(), SslErrorKind::NoPeerCertificate);
}

/// An async server choosing among identities by server name tells which
/// chain it presented, as the blocking one does.
#[tokio::test]
async fn a_server_with_identities_per_name() {
    let ca = Authority::root("Tokio SNI Root");
    let id = |name: &str| {
        let leaf = ca.leaf(name);
        sslconf::Identity::new(leaf.chain.clone(), leaf.key())
    };
    let api = id("api.example.com");
    let server = SslConfiguration::new()
        .with_local_identity(id("default.test"))
        .with_server_name_identity(["api.example.com"], api.clone());
    let client = SslConfiguration::new().with_ca_certificates([ca.cert.clone()]);
    let outcome = connect(&client, &server, "api.example.com").await;
    let (c, s) = (outcome.client.unwrap(), outcome.server.unwrap());
    assert_eq!(c.peer_certificate(), api.certificate_chain().first());
    assert_eq!(s.local_certificate_chain(), api.certificate_chain());
    assert_eq!(s.server_name(), Some("api.example.com"));
}

/// `accept_async` carries a session's first full handshake into the
/// tickets it renews, as the blocking `accept` does: with a 3 s lifetime,
/// resumptions at 1.5 s and 2.5 s, then a full handshake at 4.5 s; both
/// server paths (one identity, and identities chosen per client).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewed_ticket_still_ends_a_lifetime_after_the_first_handshake() {
    let ca = Authority::root("Tokio Lifetime Root");
    let id = ca.leaf("localhost");
    let one = id
        .server()
        .with_session_ticket_keys(sslconf::TicketKeys::from_bytes(&[9u8; 80]).unwrap())
        .with_session_ticket_lifetime(std::time::Duration::from_secs(3));
    let chosen = one.clone().with_server_name_identity(
        ["localhost"],
        sslconf::Identity::new(id.chain.clone(), id.key()),
    );
    // The four cases at once: each waits 4.5 s.
    let mut cases = Vec::new();
    for server in [one, chosen] {
        for protocol in [SslProtocol::TlsV1_3, SslProtocol::TlsV1_2] {
            let client = SslConfiguration::new()
                .with_ca_certificates([ca.cert.clone()])
                .with_protocol(protocol);
            let server = server.clone();
            cases.push(tokio::spawn(async move {
                let start = std::time::Instant::now();
                let first = connect(&client, &server, "localhost").await;
                assert!(!first.server.unwrap().is_resumed());
                let mut resumed = Vec::new();
                for at in [1500, 2500, 4500] {
                    let wait = std::time::Duration::from_millis(at).saturating_sub(start.elapsed());
                    tokio::time::sleep(wait).await;
                    let outcome = connect(&client, &server, "localhost").await;
                    resumed.push(outcome.server.unwrap().is_resumed());
                }
                assert_eq!(resumed, [true, true, false], "{protocol:?}");
            }));
        }
    }
    for case in cases {
        case.await.unwrap();
    }
}

/// A name the server has no identity for is refused, and the server's
/// error says so (not rustls's "unexpected error: no server certificate
/// chain resolved"), as the blocking accept does.
#[tokio::test]
async fn an_unknown_name_is_refused_as_such() {
    let ca = Authority::root("Tokio SNI Root");
    let server = SslConfiguration::new()
        .with_server_name_identity(["known.test"], {
            let known = ca.leaf("known.test");
            sslconf::Identity::new(known.chain.clone(), known.key())
        })
        .with_unknown_server_names_refused(true);
    let client = SslConfiguration::new().with_ca_certificates([ca.cert.clone()]);
    let outcome = connect(&client, &server, "other.test").await;
    assert!(outcome.client.is_err());
    let refused = outcome.server.unwrap_err();
    assert!(
        matches!(&refused, Error::UnknownServerName { name: Some(name) } if name == "other.test"),
        "{refused:?}"
    );
    assert!(connect(&client, &server, "known.test").await.server.is_ok());
}
