//! Trust that means what the user wrote: a configured certificate that is no
//! CA (Qt's usual way to trust one device) trusts exactly itself and issues
//! nothing, on both sides, as `openssl verify` decides it.

mod common;

use common::openssl::Scratch;
use common::Authority;
use rcgen::{CertificateParams, DnType, IsCa, Issuer, KeyPair};
use sslconf::{Certificate, Identity, PeerVerifyMode, PrivateKey, SslConfiguration, SslErrorKind};

struct Device {
    cert: Certificate,
    key: KeyPair,
    params: CertificateParams,
}

/// A self-signed device certificate with `CA:FALSE`.
fn device(name: &str, from_days: i64, to_days: i64) -> Device {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec![name.to_owned()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, "device");
    params.is_ca = IsCa::ExplicitNoCa;
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now + time::Duration::days(from_days);
    params.not_after = now + time::Duration::days(to_days);
    let cert = Certificate::from_der(params.self_signed(&key).unwrap().der()).unwrap();
    assert!(!cert.is_ca() && cert.is_self_signed());
    Device { cert, key, params }
}

impl Device {
    fn server(&self) -> SslConfiguration {
        SslConfiguration::new().with_local_identity(Identity::new(
            [self.cert.clone()],
            PrivateKey::from_der(&self.key.serialize_der()).unwrap(),
        ))
    }

    /// A certificate for `name` signed with the device's key, as if the
    /// device were a CA.
    fn issue(&self, name: &str) -> (Certificate, KeyPair) {
        let issuer = Issuer::new(
            self.params.clone(),
            KeyPair::try_from(self.key.serialize_der()).unwrap(),
        );
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec![name.to_owned()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        let cert = params.signed_by(&key, &issuer).unwrap();
        (Certificate::from_der(cert.der()).unwrap(), key)
    }
}

fn kinds(errors: &[sslconf::SslError]) -> Vec<SslErrorKind> {
    errors.iter().map(|e| e.kind()).collect()
}

/// What `openssl verify -CAfile trusted leaf` printed.
fn openssl_verify(trusted: &Certificate, leaf: &Certificate) -> String {
    let scratch = Scratch::new("trust");
    let ca = scratch.file("trusted.pem");
    let file = scratch.file("leaf.pem");
    std::fs::write(&ca, trusted.to_pem()).unwrap();
    std::fs::write(&file, leaf.to_pem()).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["verify", "-CAfile", &ca, &file])
        .output()
        .unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_pinned_device_certificate_is_trusted_as_itself() {
    let dev = device("device.local", -1, 30);
    let client = SslConfiguration::new()
        .with_ca_certificates([dev.cert.clone()])
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer);
    assert_eq!(
        client.verify_chain(std::slice::from_ref(&dev.cert), Some("device.local")),
        []
    );
    let (c, _) = common::connect(&client, &dev.server(), "device.local").ok();
    assert_eq!(c.peer_certificate(), Some(&dev.cert));
    // Trusting the device does not vouch for another name.
    let mismatch = client.verify_chain(std::slice::from_ref(&dev.cert), Some("other.local"));
    assert_eq!(kinds(&mismatch), [SslErrorKind::HostNameMismatch]);
    if common::peer_available("openssl") {
        let said = openssl_verify(&dev.cert, &dev.cert);
        assert!(said.contains(": OK"), "{said}");
    }
}

/// The same subject with another key is another certificate: refused.
#[test]
fn a_lookalike_of_the_pinned_certificate_is_refused() {
    let dev = device("device.local", -1, 30);
    let lookalike = device("device.local", -1, 30);
    let client = SslConfiguration::new().with_ca_certificates([dev.cert.clone()]);
    let errors = client.verify_chain(std::slice::from_ref(&lookalike.cert), Some("device.local"));
    assert_eq!(kinds(&errors), [SslErrorKind::SelfSignedCertificate]);
    let err = common::connect(&client, &lookalike.server(), "device.local")
        .client
        .unwrap_err();
    assert_eq!(
        kinds(err.ssl_errors()),
        [SslErrorKind::SelfSignedCertificate]
    );
}

/// A certificate signed with the pinned device's key: the device is no CA
/// and issues nothing. OpenSSL: "error 79 at 1 depth lookup: invalid CA
/// certificate".
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_pinned_certificate_cannot_issue() {
    let dev = device("device.local", -1, 30);
    let (evil, evil_key) = dev.issue("evil.example");
    let client = SslConfiguration::new().with_ca_certificates([dev.cert.clone()]);
    let errors = client.verify_chain(std::slice::from_ref(&evil), Some("evil.example"));
    assert_eq!(kinds(&errors), [SslErrorKind::InvalidCaCertificate]);
    assert_eq!(errors[0].certificate(), Some(&dev.cert));

    let evil_key = || PrivateKey::from_der(&evil_key.serialize_der()).unwrap();
    let server =
        SslConfiguration::new().with_local_identity(Identity::new([evil.clone()], evil_key()));
    let err = common::connect(&client, &server, "evil.example")
        .client
        .unwrap_err();
    assert_eq!(
        kinds(err.ssl_errors()),
        [SslErrorKind::InvalidCaCertificate]
    );
    // Sent with the device certificate as its "intermediate", too.
    let with_device =
        server.with_local_identity(Identity::new([evil.clone(), dev.cert.clone()], evil_key()));
    let err = common::connect(&client, &with_device, "evil.example")
        .client
        .unwrap_err();
    assert_eq!(
        kinds(err.ssl_errors()),
        [SslErrorKind::InvalidCaCertificate]
    );

    if common::peer_available("openssl") {
        let said = openssl_verify(&dev.cert, &evil);
        assert!(said.contains("invalid CA certificate"), "{said}");
    }
}

#[test]
fn an_expired_pinned_certificate_is_reported_expired() {
    let dev = device("device.local", -30, -1);
    let client = SslConfiguration::new().with_ca_certificates([dev.cert.clone()]);
    let errors = client.verify_chain(std::slice::from_ref(&dev.cert), Some("device.local"));
    assert_eq!(kinds(&errors), [SslErrorKind::CertificateExpired]);
    let query = client.with_peer_verify_mode(PeerVerifyMode::QueryPeer);
    let (c, _) = common::connect(&query, &dev.server(), "device.local").ok();
    assert_eq!(
        kinds(c.peer_verification_errors()),
        [SslErrorKind::CertificateExpired]
    );
}

/// A server that pins one client device certificate: that device is
/// accepted; a lookalike and a certificate the device "issued" are refused.
#[test]
fn a_server_pinning_a_client_device() {
    let dev = device("device.local", -1, 30);
    let lookalike = device("device.local", -1, 30);
    let (issued, issued_key) = dev.issue("device.local");
    let server = Authority::root("Pinning Server Root")
        .leaf("localhost")
        .server()
        .with_ca_certificates([dev.cert.clone()])
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer);
    let client = |cert: &Certificate, key: &KeyPair| {
        SslConfiguration::new()
            .with_peer_verify_mode(PeerVerifyMode::VerifyNone)
            .with_local_identity(Identity::new(
                [cert.clone()],
                PrivateKey::from_der(&key.serialize_der()).unwrap(),
            ))
    };
    let (_, s) = common::connect(&client(&dev.cert, &dev.key), &server, "localhost").ok();
    assert_eq!(s.peer_certificate(), Some(&dev.cert));
    let err = common::connect(
        &client(&lookalike.cert, &lookalike.key),
        &server,
        "localhost",
    )
    .server
    .unwrap_err();
    assert_eq!(
        kinds(err.ssl_errors()),
        [SslErrorKind::SelfSignedCertificate]
    );
    let err = common::connect(&client(&issued, &issued_key), &server, "localhost")
        .server
        .unwrap_err();
    assert_eq!(
        kinds(err.ssl_errors()),
        [SslErrorKind::InvalidCaCertificate]
    );
}

/// A real CA certificate keeps issuing: the rule is for certificates that
/// are no CA only.
#[test]
fn a_ca_certificate_still_issues() {
    let ca = Authority::root("Still A CA");
    let id = ca.leaf("localhost");
    let client = SslConfiguration::new().with_ca_certificates([ca.cert.clone()]);
    assert_eq!(client.verify_chain(&id.chain, Some("localhost")), []);
}

/// What hyper, axum-server, tonic or quinn see: a raw rustls
/// `ServerConnection` from `server_config()`. With the server's default
/// mode, a self-signed `CN=admin` client certificate never reaches
/// `peer_certificates()`: with CA certificates configured it is refused,
/// without them it is not even asked for.
#[test]
fn a_raw_server_config_never_exposes_an_unverified_client() {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};

    let ca = Authority::root("Raw Config Root");
    let admin = common::self_signed("admin");
    let trusted = ca.leaf("client.test");

    // The raw server: its peer_certificates() after the handshake, or the error.
    let serve = |server: SslConfiguration| {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let handle = std::thread::spawn(move || {
            let (socket, _) = listener.accept().unwrap();
            let conn =
                sslconf::rustls::ServerConnection::new(server.server_config().unwrap()).unwrap();
            let mut tls = sslconf::rustls::StreamOwned::new(conn, socket);
            let mut byte = [0u8];
            tls.read_exact(&mut byte)
                .map(|()| tls.conn.peer_certificates().map(<[_]>::to_vec))
        });
        (addr, handle)
    };
    let client = |id: &common::Identity| {
        SslConfiguration::new()
            .with_peer_verify_mode(PeerVerifyMode::VerifyNone)
            .with_local_identity(Identity::new(id.chain.clone(), id.key()))
    };
    let run = |server: SslConfiguration, id: &common::Identity| {
        let (addr, handle) = serve(server);
        let socket = TcpStream::connect(addr).unwrap();
        socket
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        if let Ok(mut tls) = client(id).connect("localhost", socket) {
            let _ = tls.write_all(b"x").and_then(|()| tls.flush());
            let mut rest = Vec::new();
            let _ = tls.read_to_end(&mut rest);
        }
        handle.join().unwrap()
    };

    let with_cas = ca
        .leaf("localhost")
        .server()
        .with_ca_certificates([ca.cert.clone()]);
    assert!(run(with_cas.clone(), &admin).is_err(), "CN=admin accepted");
    let seen = run(with_cas, &trusted).unwrap().unwrap();
    assert_eq!(seen, [trusted.leaf().as_rustls().clone()]);

    let without_cas = ca.leaf("localhost").server();
    assert_eq!(run(without_cas, &admin).unwrap(), None);
}
