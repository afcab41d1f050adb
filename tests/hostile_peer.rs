//! Peers that lie: raw rustls as the attacker, sending whatever chain and
//! key it likes, against the crate's clients and servers in the modes that
//! accept any chain (`QueryPeer`, `VerifyNone`) and the ones that verify.
//! What OpenSSL says of the same chains is in TESTING.md ("Hostile peers").

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use common::Authority;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use sslconf::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sslconf::rustls::sign::{CertifiedKey, SingleCertAndKey};
use sslconf::rustls::{self, SupportedProtocolVersion};
use sslconf::{
    Certificate, Error, PeerVerifyMode, SessionState, SslConfiguration, SslErrorKind, SslProtocol,
};

const VERSIONS: [&SupportedProtocolVersion; 2] = [&rustls::version::TLS12, &rustls::version::TLS13];

fn kinds(state_or_err: &[sslconf::SslError]) -> Vec<SslErrorKind> {
    state_or_err.iter().map(|e| e.kind()).collect()
}

/// A signing key for `chain` from any private key: rustls does not check
/// that the two belong together, which is the attack.
fn certified(chain: Vec<CertificateDer<'static>>, key: &KeyPair) -> Arc<CertifiedKey> {
    let der = PrivateKeyDer::try_from(key.serialize_der()).unwrap();
    let signing = rustls::crypto::aws_lc_rs::default_provider()
        .key_provider
        .load_private_key(der)
        .unwrap();
    Arc::new(CertifiedKey::new(chain, signing))
}

/// A raw rustls server presenting `key` for `chain`, for one connection.
fn attacker_server(
    key: Arc<CertifiedKey>,
    version: &'static SupportedProtocolVersion,
) -> (SocketAddr, JoinHandle<()>) {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_protocol_versions(&[version])
    .unwrap()
    .with_no_client_auth()
    .with_cert_resolver(Arc::new(SingleCertAndKey::from(key)));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = thread::spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let conn = rustls::ServerConnection::new(Arc::new(config)).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, socket);
        let mut byte = [0u8];
        // The handshake runs inside the read; its failure is the point.
        if tls.read_exact(&mut byte).is_ok() {
            let _ = tls.write_all(&byte);
            let _ = tls.flush();
        }
    });
    (addr, handle)
}

/// Our client against the attacker: the session state, or the error.
fn our_client(
    config: &SslConfiguration,
    host: &str,
    key: Arc<CertifiedKey>,
    version: &'static SupportedProtocolVersion,
) -> Result<SessionState, Error> {
    let (addr, attacker) = attacker_server(key, version);
    let socket = TcpStream::connect(addr).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let result = config.connect(host, socket).and_then(|mut tls| {
        tls.write_all(b"x")?;
        tls.flush()?;
        let mut byte = [0u8];
        tls.read_exact(&mut byte)?;
        Ok(tls.session_state().clone())
    });
    attacker.join().unwrap();
    result
}

/// A raw rustls client presenting `key` for `chain` to our server.
fn against_our_server(
    server: &SslConfiguration,
    key: Arc<CertifiedKey>,
    version: &'static SupportedProtocolVersion,
) -> Result<SessionState, Error> {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = server.clone();
    let ours = thread::spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut tls = server.accept(socket)?;
        let mut byte = [0u8];
        tls.read_exact(&mut byte)?;
        Ok(tls.session_state().clone())
    });
    // Our own VerifyNone client config in one version, with the attacker's
    // identity.
    let protocol = if version.version == rustls::ProtocolVersion::TLSv1_2 {
        SslProtocol::TlsV1_2
    } else {
        SslProtocol::TlsV1_3
    };
    let mut client = (*SslConfiguration::new()
        .with_peer_verify_mode(PeerVerifyMode::VerifyNone)
        .with_protocol(protocol)
        .client_config()
        .unwrap())
    .clone();
    client.client_auth_cert_resolver = Arc::new(SingleCertAndKey::from(key));
    let conn =
        rustls::ClientConnection::new(Arc::new(client), "localhost".try_into().unwrap()).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, TcpStream::connect(addr).unwrap());
    let _ = tls.write_all(b"x").and_then(|()| tls.flush());
    let result = ours.join().unwrap();
    if let Ok(state) = &result {
        assert_eq!(state.session_protocol(), protocol);
    }
    result
}

fn ca_params(name: &str, from_days: i64, to_days: i64) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params
        .distinguished_name
        .push(DnType::OrganizationName, "sslconf tests");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now + time::Duration::days(from_days);
    params.not_after = now + time::Duration::days(to_days);
    params
}

fn leaf_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(vec![name.to_owned()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(30);
    params
}

fn der(cert: &Certificate) -> CertificateDer<'static> {
    cert.as_rustls().clone()
}

/// A certificate presented without its key: the victim's chain, signed with
/// the attacker's key. Every mode refuses it, since the handshake signature
/// cannot verify with the certificate's key.
#[test]
fn a_certificate_without_its_key_fails_every_handshake() {
    let ca = Authority::root("Victim Root");
    let victim = ca.leaf("localhost");
    let attacker_key = KeyPair::generate().unwrap();
    let stolen: Vec<CertificateDer<'static>> = victim.chain.iter().map(der).collect();

    for version in VERSIONS {
        for mode in [
            PeerVerifyMode::QueryPeer,
            PeerVerifyMode::VerifyNone,
            PeerVerifyMode::VerifyPeer,
        ] {
            let client = SslConfiguration::new()
                .with_ca_certificates([ca.cert.clone()])
                .with_peer_verify_mode(mode);
            let result = our_client(
                &client,
                "localhost",
                certified(stolen.clone(), &attacker_key),
                version,
            );
            assert!(
                result.is_err(),
                "{version:?} {mode:?} client accepted a certificate without its key"
            );
        }
        for mode in [PeerVerifyMode::QueryPeer, PeerVerifyMode::AutoVerifyPeer] {
            let server = ca
                .leaf("localhost")
                .server()
                .with_ca_certificates([ca.cert.clone()])
                .with_peer_verify_mode(mode);
            let result =
                against_our_server(&server, certified(stolen.clone(), &attacker_key), version);
            assert!(
                result.is_err(),
                "{version:?} {mode:?} server accepted a certificate without its key: {result:?}"
            );
        }
    }
}

/// The decoy issuer: a leaf from an untrusted CA, sent with a "CA" of the
/// same name, the same key, whose validity ended before the leaf's began.
/// webpki ranks the decoy's expiry above the unknown issuer; reporting only
/// `CertificateExpired` would let an application that ignores expiry (a
/// device without a clock) accept a chain no time can verify.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_decoy_issuer_cannot_turn_an_unknown_issuer_into_a_time_error() {
    let trusted = Authority::root("Decoy Test Trusted Root");
    let key = KeyPair::generate().unwrap();
    let untrusted = ca_params("Decoy Test CA", -2, 365);
    let decoy = ca_params("Decoy Test CA", -400, -300)
        .self_signed(&key)
        .unwrap();
    let issuer = Issuer::new(untrusted, key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = leaf_params("localhost")
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let leaf = Certificate::from_der(leaf.der()).unwrap();
    let decoy = Certificate::from_der(decoy.der()).unwrap();
    let chain = vec![leaf.clone(), decoy.clone()];

    let config = SslConfiguration::new().with_ca_certificates([trusted.cert.clone()]);
    let errors = config.verify_chain(&chain, Some("localhost"));
    let found = kinds(&errors);
    assert!(
        found.iter().any(|k| *k != SslErrorKind::CertificateExpired),
        "only time errors for a chain no time verifies: {found:?}"
    );
    assert_eq!(
        found,
        [
            SslErrorKind::CertificateExpired,
            SslErrorKind::SelfSignedCertificateInChain
        ]
    );
    assert_eq!(errors[0].certificate(), Some(&decoy));
    assert_eq!(errors[1].certificate(), Some(&decoy));

    // The same through a handshake, both ways a client can look.
    let key = certified(chain.iter().map(der).collect(), &leaf_key);
    for version in VERSIONS {
        let query = config
            .clone()
            .with_peer_verify_mode(PeerVerifyMode::QueryPeer);
        let state = our_client(&query, "localhost", key.clone(), version).unwrap();
        assert_eq!(
            kinds(state.peer_verification_errors()),
            found,
            "{version:?}"
        );
        let err = our_client(&config, "localhost", key.clone(), version).unwrap_err();
        assert_eq!(kinds(err.ssl_errors()), found, "{version:?}");
    }

    if common::peer_available("openssl") {
        let said = openssl_verify(&trusted.cert, &chain);
        assert!(said.contains("error 19 at 1 depth lookup"), "{said}");
    }
}

/// `openssl verify` of a chain against one trusted root: what it printed.
fn openssl_verify(root: &Certificate, chain: &[Certificate]) -> String {
    let scratch = common::openssl::Scratch::new("hostile");
    let root_file = scratch.file("root.pem");
    let chain_file = scratch.file("chain.pem");
    let leaf_file = scratch.file("leaf.pem");
    std::fs::write(&root_file, root.to_pem()).unwrap();
    std::fs::write(
        &chain_file,
        chain.iter().map(Certificate::to_pem).collect::<String>(),
    )
    .unwrap();
    std::fs::write(&leaf_file, chain[0].to_pem()).unwrap();
    let out = std::process::Command::new("openssl")
        .args([
            "verify",
            "-CAfile",
            &root_file,
            "-untrusted",
            &chain_file,
            &leaf_file,
        ])
        .output()
        .unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Garbage after the leaf and the wrong host: the unreadable certificate
/// adds `InvalidCertificate`, and the host-name mismatch, which depends on
/// the leaf alone, is kept.
#[test]
fn garbage_in_the_chain_adds_to_the_list_and_keeps_the_host_mismatch() {
    let ca = Authority::root("Garbage Root");
    let id = ca.leaf("localhost");
    let garbage = CertificateDer::from(b"\x30\x03\x02\x01\x07".to_vec());
    let chain = vec![der(id.leaf()), garbage.clone()];
    let key = certified(
        chain,
        &KeyPair::try_from(id.key().as_rustls().secret_der()).unwrap(),
    );
    let config = SslConfiguration::new()
        .with_ca_certificates([ca.cert.clone()])
        .with_peer_verify_mode(PeerVerifyMode::QueryPeer);
    for version in VERSIONS {
        let state = our_client(&config, "wrong.example", key.clone(), version).unwrap();
        let errors = state.peer_verification_errors();
        assert_eq!(
            kinds(errors),
            [
                SslErrorKind::InvalidCertificate,
                SslErrorKind::HostNameMismatch
            ],
            "{version:?}"
        );
        assert_eq!(
            errors[0].certificate().map(Certificate::to_der),
            Some(&garbage[..])
        );
        assert_eq!(errors[1].certificate(), Some(id.leaf()));
    }
}

/// A leaf that is no certificate, and no leaf at all.
#[test]
fn an_unreadable_or_missing_leaf() {
    let key = KeyPair::generate().unwrap();
    let verify = SslConfiguration::new().with_ca_certificates([Authority::root("Leafless").cert]);
    for version in VERSIONS {
        for (case, leaf) in [
            ("empty", Vec::new()),
            ("garbage", b"\x30\x03\x02\x01\x07".to_vec()),
        ] {
            let chain = vec![CertificateDer::from(leaf)];
            let err = our_client(
                &verify,
                "localhost",
                certified(chain.clone(), &key),
                version,
            )
            .unwrap_err();
            assert_eq!(
                kinds(err.ssl_errors()),
                [
                    SslErrorKind::InvalidCertificate,
                    SslErrorKind::HostNameMismatch
                ],
                "{version:?} {case}: {err}"
            );
            // A mode that accepts any chain still needs the leaf's key for
            // the handshake signature: the handshake fails.
            let query = verify
                .clone()
                .with_peer_verify_mode(PeerVerifyMode::QueryPeer);
            assert!(
                our_client(&query, "localhost", certified(chain, &key), version).is_err(),
                "{version:?} {case}"
            );
        }
        let err =
            our_client(&verify, "localhost", certified(Vec::new(), &key), version).unwrap_err();
        assert_eq!(
            kinds(err.ssl_errors()),
            [SslErrorKind::NoPeerCertificate],
            "{version:?} no leaf: {err}"
        );
    }
}

/// Certificates with one subject and different keys, each "issuing" the
/// next: the shape of webpki's budget tests.
fn degenerate_chain(
    count: usize,
    leaf_key: &KeyPair,
) -> (Vec<CertificateDer<'static>>, Certificate) {
    let mut issuer = Issuer::new(
        ca_params("Degenerate CA", -2, 365),
        KeyPair::generate().unwrap(),
    );
    let mut intermediates = Vec::new();
    for _ in 0..count {
        let key = KeyPair::generate().unwrap();
        let params = ca_params("Degenerate CA", -2, 365);
        let cert = params.signed_by(&key, &issuer).unwrap();
        intermediates.push(cert.der().clone());
        issuer = Issuer::new(params, key);
    }
    let leaf = leaf_params("localhost")
        .signed_by(leaf_key, &issuer)
        .unwrap();
    let leaf = Certificate::from_der(leaf.der()).unwrap();
    let mut chain = vec![der(&leaf)];
    chain.extend(intermediates.into_iter().rev());
    (chain, leaf)
}

/// A degenerate chain with an expired certificate, sent by a client to a
/// verifying server: refused, with the unknown issuer named, and within
/// bounded work (BENCHMARKS.md has the time against a plain handshake).
#[test]
fn a_degenerate_chain_is_refused_within_bounded_work() {
    let leaf_key = KeyPair::generate().unwrap();
    let (mut chain, leaf) = degenerate_chain(40, &leaf_key);
    let expired = ca_params("Degenerate CA", -400, -300)
        .self_signed(&KeyPair::generate().unwrap())
        .unwrap();
    chain.push(expired.der().clone());
    let trusted = Authority::root("Degenerate Trusted Root");
    let server = trusted
        .leaf("localhost")
        .server()
        .with_ca_certificates([trusted.cert.clone()])
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer);
    for version in VERSIONS {
        let err =
            against_our_server(&server, certified(chain.clone(), &leaf_key), version).unwrap_err();
        let errors = err.ssl_errors();
        assert!(!errors.is_empty(), "{version:?}: {err}");
        assert!(
            errors
                .iter()
                .any(|e| e.kind() != SslErrorKind::CertificateExpired),
            "{version:?}: only time errors: {err}"
        );
        assert!(errors.iter().all(
            |e| e.certificate() != Some(&leaf) || e.kind() != SslErrorKind::InvalidCertificate
        ));
    }
}

/// A chain of about 60 KiB (the certificate message's limit is 64 KiB):
/// refused or reported, never a panic or a hang.
#[test]
fn a_chain_of_sixty_kib() {
    let leaf_key = KeyPair::generate().unwrap();
    let (chain, _) = degenerate_chain(150, &leaf_key);
    let total: usize = chain.iter().map(|c| c.len()).sum();
    assert!(total > 50 * 1024, "{total} bytes");
    let config = SslConfiguration::new()
        .with_ca_certificates([Authority::root("Big Chain Root").cert])
        .with_peer_verify_mode(PeerVerifyMode::QueryPeer);
    for version in VERSIONS {
        match our_client(
            &config,
            "localhost",
            certified(chain.clone(), &leaf_key),
            version,
        ) {
            Ok(state) => {
                assert_eq!(state.peer_certificate_chain().len(), chain.len());
                assert!(!state.peer_verification_errors().is_empty(), "{version:?}");
            }
            Err(err) => assert!(
                matches!(err, Error::Tls(_) | Error::Io(_)),
                "{version:?}: {err}"
            ),
        }
    }
}
