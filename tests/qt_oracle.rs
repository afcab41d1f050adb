//! Qt's own verification tests as the oracle. Each case re-makes, with rcgen
//! or the openssl CLI, a certificate shape that qtbase's tests use
//! (`tst_qsslcertificate.cpp` `verify()`, `tst_qsslsocket.cpp`
//! `verifyClientCertificate`, `selfSignedCertificates`, `ignoreSslErrorsList`),
//! and keeps Qt 6.8's expected list beside the crate's answer. Where they
//! differ, the crate docs ("Where this differs from Qt") say why, and the
//! test asserts the documented answer.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use common::openssl::{self as ossl, Scratch};
use common::Authority;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use sslconf::{
    Certificate, CertificatePurpose, Identity, PeerVerifyMode, PrivateKey, SslConfiguration,
    SslError, SslErrorKind as K,
};

fn kinds(errors: &[SslError]) -> Vec<K> {
    errors.iter().map(SslError::kind).collect()
}

fn now_plus(days: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::days(days)
}

fn ca_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = now_plus(-2);
    params.not_after = now_plus(365);
    params
}

fn der(cert: &rcgen::Certificate) -> Certificate {
    Certificate::from_der(cert.der()).unwrap()
}

// -- QSslCertificate::verify() ------------------------------------------------

/// Qt: `verify(QList<QSslCertificate>())` is exactly `UnspecifiedError`.
#[test]
fn verify_an_empty_chain() {
    let config = SslConfiguration::new().with_ca_certificates([Authority::root("Empty").cert]);
    for purpose in [CertificatePurpose::TlsServer, CertificatePurpose::Any] {
        let errors = config.verify_chain_for(&[], None, purpose);
        assert_eq!(kinds(&errors), [K::UnspecifiedError]);
    }
}

/// Qt: a leaf signed by the trusted root verifies with nothing to report.
#[test]
fn verify_a_leaf_of_the_trusted_root() {
    let root = Authority::root("Qt Root");
    let leaf = root.leaf("example.com");
    let config = SslConfiguration::new().with_ca_certificates([root.cert.clone()]);
    assert_eq!(
        config.verify_chain_for(&leaf.chain, None, CertificatePurpose::Any),
        []
    );
    assert_eq!(config.verify_chain(&leaf.chain, Some("example.com")), []);
}

/// Qt (`test-intermediate-not-ca`): a signer with `CA:FALSE` but keyCertSign
/// is `InvalidCaCertificate`, on the signer.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn verify_a_signer_that_is_not_a_ca() {
    let root_key = KeyPair::generate().unwrap();
    let root_params = ca_params("Qt Not-CA Root");
    let root = der(&root_params.self_signed(&root_key).unwrap());
    let root = (root, Issuer::new(root_params, root_key));
    let mut signer = ca_params("Qt Not-CA Signer");
    signer.is_ca = IsCa::ExplicitNoCa;
    let signer_key = KeyPair::generate().unwrap();
    let signer_cert = der(&signer.signed_by(&signer_key, &root.1).unwrap());
    let signer = Issuer::new(signer, signer_key);
    let mut leaf = CertificateParams::new(vec!["example.com".to_owned()]).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, "example.com");
    let leaf = der(&leaf
        .signed_by(&KeyPair::generate().unwrap(), &signer)
        .unwrap());
    let chain = [leaf, signer_cert.clone()];

    let config = SslConfiguration::new().with_ca_certificates([root.0.clone()]);
    let errors = config.verify_chain_for(&chain, None, CertificatePurpose::Any);
    assert_eq!(kinds(&errors), [K::InvalidCaCertificate]);
    assert_eq!(errors[0].certificate(), Some(&signer_cert));
    if common::peer_available("openssl") {
        let said = ossl::verify(&[root.0], &chain, &[]);
        assert_eq!(
            said.errors(),
            [(79, 1, "invalid CA certificate")],
            "{}",
            said.output
        );
    }
}

/// Qt's `verify()` leaf: via an intermediate, no subject alternative name,
/// CN `example.com`, extended key usage clientAuth and emailProtection.
struct NoSanLeaf {
    root: Certificate,
    chain: Vec<Certificate>,
}

fn no_san_leaf() -> NoSanLeaf {
    let root = Authority::root("Qt NoSan Root");
    let intermediate = root.intermediate("Qt NoSan Intermediate");
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "example.com");
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ClientAuth,
        ExtendedKeyUsagePurpose::EmailProtection,
    ];
    let leaf = intermediate.sign(&params);
    assert!(leaf.subject_alternative_names().is_empty());
    NoSanLeaf {
        root: root.cert,
        chain: vec![leaf, intermediate.cert],
    }
}

/// Qt: nothing, `verify()` checks no purpose. The crate's `verify_chain`
/// checks a TLS server's purpose by default (documented), and
/// `CertificatePurpose::Any` agrees with Qt.
#[test]
fn verify_checks_the_purpose_the_caller_chooses() {
    let case = no_san_leaf();
    let config = SslConfiguration::new().with_ca_certificates([case.root]);
    assert_eq!(
        config.verify_chain_for(&case.chain, None, CertificatePurpose::Any),
        []
    );
    assert_eq!(
        config.verify_chain_for(&case.chain, None, CertificatePurpose::TlsClient),
        []
    );
    assert_eq!(
        kinds(&config.verify_chain(&case.chain, None)),
        [K::InvalidPurpose]
    );
}

/// Qt: nothing for host `example.com`, the subject CN (Qt still matches
/// the CN when there is no SAN). The crate: `HostNameMismatch`, as RFC 9525
/// and webpki: the CN never names a host (documented, with how to reissue).
/// Qt and the crate agree on `fail.example.com`.
#[test]
fn verify_never_matches_the_common_name() {
    let case = no_san_leaf();
    let config = SslConfiguration::new().with_ca_certificates([case.root]);
    let cn = config.verify_chain_for(&case.chain, Some("example.com"), CertificatePurpose::Any);
    assert_eq!(kinds(&cn), [K::HostNameMismatch]);
    let fail = config.verify_chain_for(
        &case.chain,
        Some("fail.example.com"),
        CertificatePurpose::Any,
    );
    assert!(kinds(&fail).contains(&K::HostNameMismatch));
}

/// An X.509 v1 certificate, self-signed, SHA-1, made by the openssl CLI
/// (`x509 -req`, or `ca` for dates in the past).
fn v1_self_signed(scratch: &Scratch, name: &str, expired: bool) -> (Certificate, PrivateKey) {
    let key = scratch.file(&format!("{name}.key"));
    let csr = scratch.file(&format!("{name}.csr"));
    let pem = scratch.file(&format!("{name}.pem"));
    let subject = format!("/CN={name}");
    ossl::run(&[
        "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &csr, "-subj",
        &subject,
    ]);
    if expired {
        let config = scratch.file("ca.cnf");
        let database = scratch.file("index.txt");
        let serial = scratch.file("serial");
        std::fs::write(
            &config,
            format!(
                "[ca]\ndefault_ca = d\n[d]\ndatabase = {database}\nnew_certs_dir = {}\n\
                 serial = {serial}\npolicy = p\ndefault_md = sha1\n[p]\ncommonName = supplied\n",
                scratch.dir().display()
            ),
        )
        .unwrap();
        std::fs::write(&database, "").unwrap();
        std::fs::write(&serial, "01\n").unwrap();
        ossl::run(&[
            "ca",
            "-config",
            &config,
            "-selfsign",
            "-keyfile",
            &key,
            "-in",
            &csr,
            "-startdate",
            "20200101000000Z",
            "-enddate",
            "20200601000000Z",
            "-batch",
            "-notext",
            "-out",
            &pem,
        ]);
    } else {
        ossl::run(&[
            "x509", "-req", "-in", &csr, "-signkey", &key, "-sha1", "-days", "30", "-out", &pem,
        ]);
    }
    let cert = Certificate::from_path(&pem).unwrap().remove(0);
    assert_eq!(cert.version(), 1);
    (cert, PrivateKey::from_path(&key).unwrap())
}

/// Qt: contains `SelfSignedCertificate` and `CertificateExpired`. The crate
/// lists those and, first, `InvalidCertificate` saying why webpki cannot
/// use it ("X.509 v1 is not supported").
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn verify_an_expired_x509_v1_self_signed_certificate() {
    if !common::peer_available("openssl") {
        return;
    }
    let scratch = Scratch::new("qt-v1");
    let (v1, _) = v1_self_signed(&scratch, "v1.example", true);
    let config = SslConfiguration::new();
    let errors = config.verify_chain_for(std::slice::from_ref(&v1), None, CertificatePurpose::Any);
    assert_eq!(
        kinds(&errors),
        [
            K::InvalidCertificate,
            K::SelfSignedCertificate,
            K::CertificateExpired
        ]
    );
    assert_eq!(errors[0].detail(), Some("X.509 v1 is not supported"));
    assert!(errors.iter().all(|e| e.certificate() == Some(&v1)));
}

/// Qt (`selfSignedCertificates`, an X.509 v1 server, the client at
/// 127.0.0.1): exactly {`SelfSignedCertificate`, `HostNameMismatch`}. The
/// crate adds `InvalidCertificate` (documented): rustls cannot use a v1
/// certificate at all, so even a client that accepts both errors cannot
/// complete the handshake with it.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_x509_v1_self_signed_server() {
    if !common::peer_available("openssl") {
        return;
    }
    let scratch = Scratch::new("qt-v1-server");
    let (v1, key) = v1_self_signed(&scratch, "v1.example", false);
    // The key is still checked against a certificate webpki cannot parse.
    let (_, other_key) = v1_self_signed(&scratch, "other.example", false);
    let mismatched =
        SslConfiguration::new().with_local_identity(Identity::new([v1.clone()], other_key));
    assert!(matches!(
        mismatched.server_config(),
        Err(sslconf::Error::KeyMismatch { .. })
    ));
    let server = SslConfiguration::new().with_local_identity(Identity::new([v1.clone()], key));
    let expected = [
        K::InvalidCertificate,
        K::SelfSignedCertificate,
        K::HostNameMismatch,
    ];
    let client = SslConfiguration::new();
    assert_eq!(
        kinds(&client.verify_chain(std::slice::from_ref(&v1), Some("127.0.0.1"))),
        expected
    );
    let outcome = common::connect(&client, &server, "127.0.0.1");
    let err = outcome.client.unwrap_err();
    assert_eq!(
        kinds(err.ssl_errors()),
        expected,
        "{err}; server: {:?}",
        outcome.server.err()
    );
    // Not even VerifyNone: the handshake signature is checked with the
    // certificate's key, which rustls reads only from a certificate webpki
    // can parse.
    let none = client
        .clone()
        .with_peer_verify_mode(PeerVerifyMode::VerifyNone);
    assert!(common::connect(&none, &server, "127.0.0.1").client.is_err());
    let expecting = client.with_expected_ssl_errors(
        [K::SelfSignedCertificate, K::HostNameMismatch].map(|k| SslError::new(k, Some(v1.clone()))),
    );
    assert!(common::connect(&expecting, &server, "127.0.0.1")
        .client
        .is_err());
}

/// Qt: a client certificate with only the legacy Netscape Cert Type "SSL
/// Server" is refused by a VerifyPeer server (`InvalidPurpose`), as OpenSSL
/// honours that extension. webpki ignores it (it predates extended key
/// usage and no current CA issues it): the crate accepts, documented.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_client_certificate_with_only_netscape_cert_type_server() {
    if !common::peer_available("openssl") {
        return;
    }
    let scratch = Scratch::new("qt-nscerttype");
    let root = Authority::root("Qt Netscape Root");
    let ca_key = scratch.file("ca.key");
    let ca_pem = scratch.file("ca.pem");
    std::fs::write(&ca_key, root.key_pem()).unwrap();
    std::fs::write(&ca_pem, root.cert.to_pem()).unwrap();
    let key = scratch.file("client.key");
    let csr = scratch.file("client.csr");
    let pem = scratch.file("client.pem");
    let ext = scratch.file("ext.cnf");
    std::fs::write(&ext, "nsCertType = server\n").unwrap();
    ossl::run(&[
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        &key,
        "-out",
        &csr,
        "-subj",
        "/CN=client.example",
    ]);
    ossl::run(&[
        "x509", "-req", "-in", &csr, "-CA", &ca_pem, "-CAkey", &ca_key, "-days", "30", "-extfile",
        &ext, "-out", &pem,
    ]);
    let client_cert = Certificate::from_path(&pem).unwrap();
    let said = ossl::verify(
        std::slice::from_ref(&root.cert),
        &client_cert,
        &["-purpose", "sslclient"],
    );
    assert_eq!(
        said.errors(),
        [(26, 0, "unsuitable certificate purpose")],
        "{}",
        said.output
    );

    let server = root
        .leaf("localhost")
        .server()
        .with_ca_certificates([root.cert.clone()])
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer);
    let client = SslConfiguration::new()
        .with_peer_verify_mode(PeerVerifyMode::VerifyNone)
        .with_local_identity(Identity::new(
            client_cert.clone(),
            PrivateKey::from_path(&key).unwrap(),
        ));
    let (_, s) = common::connect(&client, &server, "localhost").ok();
    assert_eq!(s.peer_certificate(), client_cert.first());
}

// -- tst_qsslsocket verifyClientCertificate ----------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
enum Presented {
    Nothing,
    SelfSigned,
    ServerOnly,
    Client,
    ChainedClient,
}

/// The four modes on a server that has the CA certificates configured, as
/// Qt's test sets them, and what Qt 6.8 expects (accepted or not).
#[test]
fn verify_client_certificate_rows() {
    use PeerVerifyMode::{AutoVerifyPeer, QueryPeer, VerifyNone, VerifyPeer};
    use Presented::*;
    let root = Authority::root("Qt Client Root");
    let intermediate = root.intermediate("Qt Client Intermediate");
    let identities = |presented| match presented {
        Nothing => None,
        SelfSigned => Some(common::self_signed("client.example")),
        ServerOnly => Some(root.issue(
            &common::LeafSpec::new("server.example").eku(vec![ExtendedKeyUsagePurpose::ServerAuth]),
        )),
        Client => Some(root.issue(
            &common::LeafSpec::new("client.example").eku(vec![ExtendedKeyUsagePurpose::ClientAuth]),
        )),
        ChainedClient => Some(intermediate.leaf_with_chain("client.example", &[&intermediate])),
    };
    // (presented, mode, Qt accepts, the crate accepts): they differ only in
    // AutoVerifyPeer, where Qt means QueryPeer and the crate verifies a
    // certificate that is sent (documented).
    let rows = [
        (Nothing, VerifyNone, true, true),
        (Nothing, QueryPeer, true, true),
        (Nothing, VerifyPeer, false, false),
        (Nothing, AutoVerifyPeer, true, true),
        (SelfSigned, VerifyNone, true, true),
        (SelfSigned, QueryPeer, true, true),
        (SelfSigned, VerifyPeer, false, false),
        (SelfSigned, AutoVerifyPeer, true, false),
        (ServerOnly, VerifyNone, true, true),
        (ServerOnly, QueryPeer, true, true),
        (ServerOnly, VerifyPeer, false, false),
        (ServerOnly, AutoVerifyPeer, true, false),
        (Client, VerifyNone, true, true),
        (Client, QueryPeer, true, true),
        (Client, VerifyPeer, true, true),
        (Client, AutoVerifyPeer, true, true),
        (ChainedClient, VerifyNone, true, true),
        (ChainedClient, QueryPeer, true, true),
        (ChainedClient, VerifyPeer, true, true),
        (ChainedClient, AutoVerifyPeer, true, true),
    ];
    for (presented, mode, qt, ours) in rows {
        let server = root
            .leaf("localhost")
            .server()
            .with_ca_certificates([root.cert.clone()])
            .with_peer_verify_mode(mode);
        let mut client = SslConfiguration::new().with_peer_verify_mode(VerifyNone);
        let identity = identities(presented);
        if let Some(id) = &identity {
            client = client.with_local_identity(Identity::new(id.chain.clone(), id.key()));
        }
        let outcome = common::connect(&client, &server, "localhost");
        let accepted = outcome.server.is_ok() && outcome.client.is_ok();
        assert_eq!(
            accepted,
            ours,
            "{presented:?} under {mode:?} (Qt: {qt}): {:?} / {:?}",
            outcome.server.err(),
            outcome.client.err()
        );
        if qt != ours {
            assert_eq!(mode, AutoVerifyPeer, "the only documented difference");
        }
    }
}

// -- ignoreSslErrors(expectedErrors) -----------------------------------------

/// A self-signed server, reached at 127.0.0.1: its errors are exactly
/// `SelfSignedCertificate` and `HostNameMismatch`, both naming it.
struct SelfSignedServer {
    identity: common::Identity,
}

impl SelfSignedServer {
    fn new() -> Self {
        Self {
            identity: common::self_signed("device.example"),
        }
    }

    fn cert(&self) -> &Certificate {
        self.identity.leaf()
    }

    fn errors(&self) -> [SslError; 2] {
        [K::SelfSignedCertificate, K::HostNameMismatch]
            .map(|k| SslError::new(k, Some(self.cert().clone())))
    }
}

#[test]
fn expected_errors_accept_exactly_that_certificate() {
    let device = SelfSignedServer::new();
    let client = SslConfiguration::new().with_expected_ssl_errors(device.errors());
    let (c, _) = common::connect(&client, &device.identity.server(), "127.0.0.1").ok();
    // Accepted, and the errors it was accepted with are still told.
    assert_eq!(c.peer_verification_errors(), device.errors());

    // Another certificate with the same errors: refused, as VerifyPeer.
    let other = SelfSignedServer::new();
    let err = common::connect(&client, &other.identity.server(), "127.0.0.1")
        .client
        .unwrap_err();
    assert_eq!(err.ssl_errors(), other.errors());

    // One error more than expected: refused.
    let only_self_signed =
        SslConfiguration::new().with_expected_ssl_errors([device.errors()[0].clone()]);
    let err = common::connect(&only_self_signed, &device.identity.server(), "127.0.0.1")
        .client
        .unwrap_err();
    assert_eq!(err.ssl_errors(), device.errors());

    // A kind without its certificate matches nothing (Qt's
    // ignoreSslErrorsList rows).
    let without_certificate = SslConfiguration::new().with_expected_ssl_errors([
        device.errors()[0].clone(),
        SslError::new(K::HostNameMismatch, None),
    ]);
    assert!(
        common::connect(&without_certificate, &device.identity.server(), "127.0.0.1")
            .client
            .is_err()
    );
}

/// The same through a raw rustls `ClientConnection` built from
/// `client_config()`: the rule lives in the verifier.
#[test]
fn expected_errors_hold_for_a_raw_client_config() {
    let device = SelfSignedServer::new();
    let other = SelfSignedServer::new();
    let client = SslConfiguration::new().with_expected_ssl_errors(device.errors());
    let raw = |server: SslConfiguration| {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let serving = std::thread::spawn(move || {
            let (socket, _) = listener.accept().unwrap();
            if let Ok(mut tls) = server.accept(socket) {
                let mut byte = [0u8];
                if tls.read_exact(&mut byte).is_ok() {
                    let _ = tls.write_all(&byte).and_then(|()| tls.flush());
                }
            }
        });
        let name = "127.0.0.1".try_into().unwrap();
        let conn = sslconf::rustls::ClientConnection::new(
            Arc::clone(&client.client_config().unwrap()),
            name,
        )
        .unwrap();
        let mut tls = sslconf::rustls::StreamOwned::new(conn, TcpStream::connect(addr).unwrap());
        let mut byte = [0u8];
        let result = tls
            .write_all(b"x")
            .and_then(|()| tls.flush())
            .and_then(|()| tls.read_exact(&mut byte));
        serving.join().unwrap();
        // The rustls error inside the I/O error, as sslconf's Error.
        result.map_err(|e| {
            let tls = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<sslconf::rustls::Error>())
                .unwrap_or_else(|| panic!("not a TLS error: {e}"));
            sslconf::Error::from(tls.clone())
        })
    };
    raw(device.identity.server()).unwrap();
    let err = raw(other.identity.server()).unwrap_err();
    assert_eq!(err.ssl_errors(), other.errors());
}

/// A server accepts one known self-signed client by its expected error.
#[test]
fn expected_errors_on_a_server() {
    let root = Authority::root("Qt Expecting Root");
    let device = common::self_signed("client.example");
    let stranger = common::self_signed("client.example");
    let server = root
        .leaf("localhost")
        .server()
        .with_ca_certificates([root.cert.clone()])
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer)
        .with_expected_ssl_errors([SslError::new(
            K::SelfSignedCertificate,
            Some(device.leaf().clone()),
        )]);
    let client = |id: &common::Identity| {
        SslConfiguration::new()
            .with_peer_verify_mode(PeerVerifyMode::VerifyNone)
            .with_local_identity(Identity::new(id.chain.clone(), id.key()))
    };
    let (_, s) = common::connect(&client(&device), &server, "localhost").ok();
    assert_eq!(
        kinds(s.peer_verification_errors()),
        [K::SelfSignedCertificate]
    );
    let err = common::connect(&client(&stranger), &server, "localhost")
        .server
        .unwrap_err();
    assert_eq!(kinds(err.ssl_errors()), [K::SelfSignedCertificate]);
}

/// What the crate docs say of weak keys: a leaf signed by an RSA-1024 root
/// fails verification; OpenSSL 3's `verify` (security level 1 there)
/// accepts it, its handshake at the default level would not.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_chain_signed_with_rsa_1024() {
    if !common::peer_available("openssl") {
        return;
    }
    let scratch = Scratch::new("qt-rsa1024");
    let root_key = scratch.file("root.key");
    let root_pem = scratch.file("root.pem");
    ossl::run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:1024",
        "-nodes",
        "-keyout",
        &root_key,
        "-out",
        &root_pem,
        "-subj",
        "/CN=Weak Root",
        "-days",
        "30",
        "-sha256",
    ]);
    let leaf_key = scratch.file("leaf.key");
    let csr = scratch.file("leaf.csr");
    let leaf_pem = scratch.file("leaf.pem");
    ossl::run(&[
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        &leaf_key,
        "-out",
        &csr,
        "-subj",
        "/CN=weak.example",
    ]);
    let ext = scratch.file("ext.cnf");
    std::fs::write(&ext, "subjectAltName = DNS:weak.example\n").unwrap();
    ossl::run(&[
        "x509", "-req", "-in", &csr, "-CA", &root_pem, "-CAkey", &root_key, "-days", "30",
        "-sha256", "-extfile", &ext, "-out", &leaf_pem,
    ]);
    let root = Certificate::from_path(&root_pem).unwrap();
    let leaf = Certificate::from_path(&leaf_pem).unwrap();
    let config = SslConfiguration::new().with_ca_certificates(root);
    let errors = config.verify_chain(&leaf, Some("weak.example"));
    assert_eq!(kinds(&errors), [K::UnsupportedSignatureAlgorithm]);
    assert_eq!(
        errors[0].detail(),
        Some("RSA keys under 2048 bits are not supported")
    );
}
