//! Real handshakes over loopback: each setting changes what is negotiated.

mod common;

use common::{Authority, Identity, LeafSpec};
use sslconf::{
    Cipher, KeyExchangeGroup, PeerVerifyMode, SslConfiguration, SslErrorKind, SslOption,
    SslProtocol,
};

struct Pki {
    ca: Authority,
    ecdsa: Identity,
    rsa: Identity,
    client: Identity,
}

fn pki() -> Pki {
    let ca = Authority::root("Handshake Root");
    let ecdsa = ca.issue(&LeafSpec::new("localhost"));
    let rsa = ca.issue(&LeafSpec::new("localhost").algorithm(&rcgen::PKCS_RSA_SHA256));
    let client = ca.leaf("client.test");
    Pki {
        ca,
        ecdsa,
        rsa,
        client,
    }
}

impl Pki {
    fn client(&self) -> SslConfiguration {
        SslConfiguration::new().with_ca_certificates([self.ca.cert.clone()])
    }

    fn mtls_client(&self) -> SslConfiguration {
        self.client().with_local_identity(sslconf::Identity::new(
            self.client.chain.clone(),
            self.client.key(),
        ))
    }
}

fn kinds(errors: &[sslconf::SslError]) -> Vec<SslErrorKind> {
    errors.iter().map(|e| e.kind()).collect()
}

#[test]
fn every_protocol_value() {
    let p = pki();
    let server = p.ecdsa.server();
    for (protocol, expected) in [
        (SslProtocol::TlsV1_2, SslProtocol::TlsV1_2),
        (SslProtocol::TlsV1_3, SslProtocol::TlsV1_3),
        (SslProtocol::TlsV1_0OrLater, SslProtocol::TlsV1_3),
        (SslProtocol::TlsV1_1OrLater, SslProtocol::TlsV1_3),
        (SslProtocol::TlsV1_2OrLater, SslProtocol::TlsV1_3),
        (SslProtocol::TlsV1_3OrLater, SslProtocol::TlsV1_3),
        (SslProtocol::AnyProtocol, SslProtocol::TlsV1_3),
        (SslProtocol::SecureProtocols, SslProtocol::TlsV1_3),
    ] {
        let (c, s) =
            common::connect(&p.client().with_protocol(protocol), &server, "localhost").ok();
        assert_eq!(c.session_protocol(), expected, "{protocol:?}");
        assert_eq!(s.session_protocol(), expected, "{protocol:?}");
        // The server side, restricted the same way.
        let (c, _) = common::connect(
            &p.client(),
            &server.clone().with_protocol(protocol),
            "localhost",
        )
        .ok();
        assert_eq!(c.session_protocol(), expected, "server {protocol:?}");
    }
    for protocol in [SslProtocol::TlsV1_0, SslProtocol::TlsV1_1] {
        let outcome = common::connect(&p.client().with_protocol(protocol), &server, "localhost");
        assert!(matches!(
            outcome.client,
            Err(sslconf::Error::UnsupportedProtocol { .. })
        ));
    }
    // No common version.
    let outcome = common::connect(
        &p.client().with_protocol(SslProtocol::TlsV1_2),
        &server.with_protocol(SslProtocol::TlsV1_3),
        "localhost",
    );
    assert!(outcome.client.is_err() && outcome.server.is_err());
}

#[test]
fn a_cipher_restriction_forces_that_suite() {
    let p = pki();
    for cipher in SslConfiguration::supported_ciphers() {
        let id = if cipher.authentication_method() == "RSA" {
            &p.rsa
        } else {
            &p.ecdsa
        };
        let client = p.client().with_ciphers([cipher]);
        let (c, s) = common::connect(&client, &id.server(), "localhost").ok();
        assert_eq!(c.session_cipher(), Some(cipher));
        assert_eq!(s.session_cipher(), Some(cipher));
        assert_eq!(c.session_protocol(), cipher.protocol());
    }
}

#[test]
fn server_cipher_preference_is_honoured_and_switchable() {
    let p = pki();
    let aes256 = Cipher::from_name("TLS_AES_256_GCM_SHA384").unwrap();
    let aes128 = Cipher::from_name("TLS_AES_128_GCM_SHA256").unwrap();
    let client = p.client().with_ciphers([aes128, aes256]);
    let server = p.ecdsa.server().with_ciphers([aes256, aes128]);
    let (c, _) = common::connect(&client, &server, "localhost").ok();
    assert_eq!(c.session_cipher(), Some(aes256));

    let server = server
        .with_ssl_option(SslOption::DisableServerCipherPreference, true)
        .unwrap();
    let (c, s) = common::connect(&client, &server, "localhost").ok();
    assert_eq!(c.session_cipher(), Some(aes128));
    assert_eq!(s.session_cipher(), Some(aes128));
}

#[test]
fn key_exchange_group_restriction() {
    let p = pki();
    for name in ["secp384r1", "secp256r1", "X25519"] {
        let group = KeyExchangeGroup::from_name(name).unwrap();
        for protocol in [SslProtocol::TlsV1_2, SslProtocol::TlsV1_3] {
            let client = p
                .client()
                .with_key_exchange_groups([group])
                .with_protocol(protocol);
            let (c, s) = common::connect(&client, &p.ecdsa.server(), "localhost").ok();
            assert_eq!(c.key_exchange_group(), Some(group), "{name} {protocol:?}");
            assert_eq!(s.key_exchange_group(), Some(group), "{name} {protocol:?}");
        }
    }
}

#[test]
fn alpn() {
    let p = pki();
    let client = p.client().with_allowed_next_protocols(["h2", "http/1.1"]);
    let server = p
        .ecdsa
        .server()
        .with_allowed_next_protocols(["http/1.1", "h2"]);
    let (c, s) = common::connect(&client, &server, "localhost").ok();
    // The server picks, in its own order.
    assert_eq!(c.next_negotiated_protocol(), Some(&b"http/1.1"[..]));
    assert_eq!(s.next_negotiated_protocol(), Some(&b"http/1.1"[..]));

    let (c, _) = common::connect(&client, &p.ecdsa.server(), "localhost").ok();
    assert_eq!(c.next_negotiated_protocol(), None);

    let outcome = common::connect(
        &client,
        &server.with_allowed_next_protocols(["imap"]),
        "localhost",
    );
    assert!(outcome.server.is_err(), "no common protocol must fail");
}

#[test]
fn client_verify_modes() {
    let p = pki();
    let stranger = Authority::root("Stranger Root").leaf("localhost");

    let err = common::connect(&p.client(), &stranger.server(), "localhost")
        .client
        .unwrap_err();
    assert_eq!(
        kinds(err.ssl_errors()),
        [SslErrorKind::UnableToGetLocalIssuerCertificate]
    );
    assert_eq!(err.ssl_errors()[0].certificate(), Some(stranger.leaf()));

    for mode in [PeerVerifyMode::QueryPeer, PeerVerifyMode::VerifyNone] {
        let client = p.client().with_peer_verify_mode(mode);
        let (c, _) = common::connect(&client, &stranger.server(), "localhost").ok();
        assert_eq!(c.peer_certificate(), Some(stranger.leaf()));
        assert_eq!(
            kinds(c.peer_verification_errors()),
            [SslErrorKind::UnableToGetLocalIssuerCertificate],
            "{mode:?}"
        );
    }

    // Wrong host name: refused by VerifyPeer, reported by QueryPeer.
    let err = common::connect(&p.client(), &p.ecdsa.server(), "other.test")
        .client
        .unwrap_err();
    assert_eq!(kinds(err.ssl_errors()), [SslErrorKind::HostNameMismatch]);
    let query = p.client().with_peer_verify_mode(PeerVerifyMode::QueryPeer);
    let (c, _) = common::connect(&query, &p.ecdsa.server(), "other.test").ok();
    assert_eq!(
        kinds(c.peer_verification_errors()),
        [SslErrorKind::HostNameMismatch]
    );
}

#[test]
fn server_verify_modes() {
    let p = pki();

    // VerifyPeer: a client without a certificate is refused...
    let server = p
        .ecdsa
        .server()
        .with_ca_certificates([p.ca.cert.clone()])
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer);
    let outcome = common::connect(&p.client(), &server, "localhost");
    let err = outcome.server.unwrap_err();
    assert_eq!(kinds(err.ssl_errors()), [SslErrorKind::NoPeerCertificate]);
    assert!(outcome.client.is_err());
    // ...one with a valid certificate is accepted...
    let (c, s) = common::connect(&p.mtls_client(), &server, "localhost").ok();
    assert_eq!(s.peer_certificate(), Some(p.client.leaf()));
    assert!(s.peer_verification_errors().is_empty());
    assert_eq!(c.peer_certificate(), Some(p.ecdsa.leaf()));
    // ...and one from another CA is refused, saying why.
    let stranger = Authority::root("Stranger Root").leaf("client.test");
    let stranger_client = p.client().with_local_identity(sslconf::Identity::new(
        stranger.chain.clone(),
        stranger.key(),
    ));
    let err = common::connect(&stranger_client, &server, "localhost")
        .server
        .unwrap_err();
    assert_eq!(
        kinds(err.ssl_errors()),
        [SslErrorKind::UnableToGetLocalIssuerCertificate]
    );

    // AutoVerifyPeer (a server's default) with CA certificates: optional,
    // verified when sent; a bad one fails the handshake.
    let auto = p.ecdsa.server().with_ca_certificates([p.ca.cert.clone()]);
    let (_, s) = common::connect(&p.client(), &auto, "localhost").ok();
    assert!(s.peer_certificate().is_none());
    let (_, s) = common::connect(&p.mtls_client(), &auto, "localhost").ok();
    assert_eq!(s.peer_certificate(), Some(p.client.leaf()));
    assert!(s.peer_verification_errors().is_empty());
    let err = common::connect(&stranger_client, &auto, "localhost")
        .server
        .unwrap_err();
    assert_eq!(
        kinds(err.ssl_errors()),
        [SslErrorKind::UnableToGetLocalIssuerCertificate]
    );
    // AutoVerifyPeer with only the system store: nothing is asked for, so
    // nothing unverified reaches the application.
    let (_, s) = common::connect(&p.mtls_client(), &p.ecdsa.server(), "localhost").ok();
    assert!(s.peer_certificate().is_none());

    // QueryPeer, Qt's server default, by name: optional, accepted, reported.
    let query = auto.with_peer_verify_mode(PeerVerifyMode::QueryPeer);
    let (_, s) = common::connect(&p.client(), &query, "localhost").ok();
    assert!(s.peer_certificate().is_none());
    assert!(s.peer_verification_errors().is_empty());
    let (_, s) = common::connect(&stranger_client, &query, "localhost").ok();
    assert_eq!(s.peer_certificate(), Some(stranger.leaf()));
    assert_eq!(
        kinds(s.peer_verification_errors()),
        [SslErrorKind::UnableToGetLocalIssuerCertificate]
    );
    let (_, s) = common::connect(&p.mtls_client(), &query, "localhost").ok();
    assert!(s.peer_verification_errors().is_empty());

    // VerifyNone: no certificate is asked for.
    let none = p
        .ecdsa
        .server()
        .with_peer_verify_mode(PeerVerifyMode::VerifyNone);
    let (_, s) = common::connect(&p.mtls_client(), &none, "localhost").ok();
    assert!(s.peer_certificate().is_none());
}

#[test]
fn verify_depth() {
    let root = Authority::root("Depth Root");
    let upper = root.intermediate("Depth Upper");
    let lower = upper.intermediate("Depth Lower");
    let server = lower
        .leaf_with_chain("localhost", &[&lower, &upper])
        .server();
    let client = SslConfiguration::new().with_ca_certificates([root.cert.clone()]);

    // leaf → lower → upper → root has two intermediate CAs: depth 1 allows
    // one, as OpenSSL's SSL_CTX_set_verify_depth(1) does (every shape is
    // checked against `openssl verify` in tests/verify_depth.rs).
    let err = common::connect(
        &client.clone().with_peer_verify_depth(1),
        &server,
        "localhost",
    )
    .client
    .unwrap_err();
    assert_eq!(kinds(err.ssl_errors()), [SslErrorKind::PathLengthExceeded]);
    for depth in [0, 2, 3] {
        let (c, _) = common::connect(
            &client.clone().with_peer_verify_depth(depth),
            &server,
            "localhost",
        )
        .ok();
        assert_eq!(c.peer_certificate_chain().len(), 3, "depth {depth}");
    }
}

#[test]
fn sni() {
    let p = pki();
    let (_, s) = common::connect(&p.client(), &p.ecdsa.server(), "localhost").ok();
    assert_eq!(s.server_name(), Some("localhost"));
    let no_sni = p
        .client()
        .with_ssl_option(SslOption::DisableServerNameIndication, true)
        .unwrap();
    let (c, s) = common::connect(&no_sni, &p.ecdsa.server(), "localhost").ok();
    assert_eq!(s.server_name(), None);
    // The name is still verified.
    assert!(c.peer_verification_errors().is_empty());
}

#[test]
fn an_ip_address_as_host_name() {
    let ca = Authority::root("IP Root");
    let server = ca.issue(&LeafSpec::new("127.0.0.1")).server();
    let client = SslConfiguration::new().with_ca_certificates([ca.cert.clone()]);
    let (c, s) = common::connect(&client, &server, "127.0.0.1").ok();
    assert!(c.peer_verification_errors().is_empty());
    assert_eq!(s.server_name(), None); // SNI carries no IP addresses
    let err = common::connect(&client, &server, "127.0.0.2")
        .client
        .unwrap_err();
    assert_eq!(kinds(err.ssl_errors()), [SslErrorKind::HostNameMismatch]);
}

#[test]
fn sessions_resume_from_the_same_value() {
    let p = pki();
    for protocol in [SslProtocol::TlsV1_3, SslProtocol::TlsV1_2] {
        let client = p.client().with_protocol(protocol);
        let server = p.ecdsa.server();
        let (c, s) = common::connect(&client, &server, "localhost").ok();
        assert!(!c.is_resumed() && !s.is_resumed());
        let (c, s) = common::connect(&client, &server, "localhost").ok();
        assert!(c.is_resumed(), "{protocol:?}");
        assert!(s.is_resumed(), "{protocol:?}");
        // A resumed session still knows its peer.
        assert_eq!(c.peer_certificate(), Some(p.ecdsa.leaf()));
        // Another value with equal settings has its own session store.
        let (c, _) = common::connect(
            &client.clone().with_peer_verify_depth(0),
            &server,
            "localhost",
        )
        .ok();
        assert!(!c.is_resumed(), "{protocol:?}");
    }
}

#[test]
fn session_options_limit_resumption() {
    let p = pki();
    let server = p.ecdsa.server();
    // No tickets: TLS 1.3 cannot resume, TLS 1.2 still can by session ID.
    let no_tickets = p
        .client()
        .with_ssl_option(SslOption::DisableSessionTickets, true)
        .unwrap();
    let tls13 = no_tickets.clone().with_protocol(SslProtocol::TlsV1_3);
    let server_no_tickets = server
        .clone()
        .with_ssl_option(SslOption::DisableSessionTickets, true)
        .unwrap();
    common::connect(&tls13, &server_no_tickets, "localhost").ok();
    let (c, _) = common::connect(&tls13, &server_no_tickets, "localhost").ok();
    assert!(!c.is_resumed());
    let tls12 = no_tickets.with_protocol(SslProtocol::TlsV1_2);
    common::connect(&tls12, &server_no_tickets, "localhost").ok();
    let (c, s) = common::connect(&tls12, &server_no_tickets, "localhost").ok();
    assert!(c.is_resumed() && s.is_resumed());

    // No sharing: nothing resumes.
    let no_sharing = p
        .client()
        .with_ssl_option(SslOption::DisableSessionSharing, true)
        .unwrap();
    common::connect(&no_sharing, &server, "localhost").ok();
    let (c, _) = common::connect(&no_sharing, &server, "localhost").ok();
    assert!(!c.is_resumed());
}

#[cfg(feature = "aws-lc-rs")]
#[test]
fn post_quantum_groups() {
    let p = pki();
    // By default, as rustls itself: the X25519 + ML-KEM-768 hybrid first.
    let (c, s) = common::connect(&p.client(), &p.ecdsa.server(), "localhost").ok();
    let hybrid = KeyExchangeGroup::from_name("X25519MLKEM768").unwrap();
    assert_eq!(c.key_exchange_group(), Some(hybrid));
    assert_eq!(s.key_exchange_group(), Some(hybrid));
    // Pure ML-KEM is supported, but used only when configured.
    let mlkem = KeyExchangeGroup::from_name("MLKEM768").unwrap();
    assert!(SslConfiguration::supported_key_exchange_groups().contains(&mlkem));
    assert!(!p.client().key_exchange_groups().contains(&mlkem));
    let client = p.client().with_key_exchange_groups([mlkem]);
    let server = p.ecdsa.server().with_key_exchange_groups([mlkem, hybrid]);
    let (c, _) = common::connect(&client, &server, "localhost").ok();
    assert_eq!(c.key_exchange_group(), Some(mlkem));
}

/// A client (raw rustls, which sends whatever chain it is given) whose chain
/// ends in bytes that are no certificate: a `QueryPeer` server accepts it,
/// names that certificate as invalid, and still says what is wrong with the
/// rest (its issuer is unknown): the unreadable one adds to the list.
#[test]
fn a_peer_certificate_that_cannot_be_read_is_reported_invalid() {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::Arc;

    let p = pki();
    let stranger = Authority::root("Stranger Root").leaf("client.test");
    let garbage = rustls::pki_types::CertificateDer::from(b"\x30\x03\x02\x01\x07".to_vec());
    let chain = vec![stranger.leaf().as_rustls().clone(), garbage.clone()];

    let mut client = (*p.client().client_config().unwrap()).clone();
    let key = client
        .crypto_provider()
        .key_provider
        .load_private_key(stranger.key().as_rustls().clone_key())
        .unwrap();
    let certified = rustls::sign::CertifiedKey::new(chain, key);
    client.client_auth_cert_resolver = Arc::new(rustls::sign::SingleCertAndKey::from(certified));

    let server = p
        .ecdsa
        .server()
        .with_ca_certificates([p.ca.cert.clone()])
        .with_peer_verify_mode(PeerVerifyMode::QueryPeer);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server_thread = std::thread::spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        let mut tls = server.accept(socket).unwrap();
        let mut byte = [0u8];
        tls.read_exact(&mut byte).unwrap();
        tls.session_state().clone()
    });
    let name = "localhost".try_into().unwrap();
    let conn = rustls::ClientConnection::new(Arc::new(client), name).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, TcpStream::connect(addr).unwrap());
    tls.write_all(b"x").unwrap();
    tls.flush().unwrap();
    let state = server_thread.join().unwrap();

    assert_eq!(state.peer_certificate_chain().len(), 2);
    let errors = state.peer_verification_errors();
    assert_eq!(
        kinds(errors),
        [
            SslErrorKind::UnableToGetLocalIssuerCertificate,
            SslErrorKind::InvalidCertificate
        ]
    );
    assert_eq!(errors[0].certificate(), Some(stranger.leaf()));
    assert_eq!(
        errors[1].certificate().map(|c| c.to_der()),
        Some(&garbage[..])
    );
}
