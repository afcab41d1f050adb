//! Public key pins. The pin of a certificate is what the OpenSSL pipeline
//! the docs show prints, for RSA, ECDSA and Ed25519 keys; curl's
//! `--pinnedpubkey` accepts a server by the pin the crate computes and
//! refuses it by another; pins on top of CA verification (the peer's, an
//! intermediate's or the root's key) and pins instead of it (self-signed
//! peers), on both sides.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use common::openssl::{run, Scratch};
use common::{peer_available, self_signed, Authority};
use sslconf::{
    Certificate, Error, Identity, PeerVerifyMode, PublicKeyPin, SslConfiguration, SslError,
    SslErrorKind,
};

/// The pin by `openssl x509 -pubkey | openssl pkey -pubin -outform der |
/// openssl dgst -sha256 -binary | base64`, run through a shell as the docs
/// show it.
fn openssl_pin(cert_path: &str) -> String {
    let script = format!(
        "openssl x509 -in '{cert_path}' -pubkey -noout \
         | openssl pkey -pubin -outform der \
         | openssl dgst -sha256 -binary | base64"
    );
    let out = Command::new("sh").args(["-c", &script]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn pins_are_what_the_openssl_pipeline_prints() {
    if !peer_available("openssl") {
        return;
    }
    let dir = Scratch::new("pins");
    for (name, key_args) in [
        ("rsa", &["-newkey", "rsa:2048"][..]),
        (
            "p256",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"][..],
        ),
        (
            "p384",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"][..],
        ),
        ("ed25519", &["-newkey", "ed25519"][..]),
    ] {
        let cert = dir.file(&format!("{name}.pem"));
        let key = dir.file(&format!("{name}.key"));
        let mut args = vec!["req", "-x509", "-nodes", "-days", "2", "-subj", "/CN=pin"];
        args.extend_from_slice(key_args);
        args.extend(["-keyout", &key, "-out", &cert]);
        run(&args);
        let ours = Certificate::from_path(&cert).unwrap()[0]
            .public_key_pin()
            .unwrap();
        let theirs = openssl_pin(&cert);
        assert_eq!(ours.to_string(), theirs, "{name}");
        assert_eq!(theirs.parse::<PublicKeyPin>().unwrap(), ours, "{name}");
    }
}

#[test]
fn pins_parse_in_the_forms_people_write_them() {
    let bare = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    let pin: PublicKeyPin = bare.parse().unwrap();
    for form in [
        format!("sha256/{bare}"),
        format!("sha256//{bare}"),
        format!(" {bare}\n"),
    ] {
        assert_eq!(form.parse::<PublicKeyPin>().unwrap(), pin, "{form:?}");
    }
    assert_eq!(PublicKeyPin::from_sha256(*pin.as_bytes()), pin);
    // SHA-256 of nothing.
    assert_eq!(PublicKeyPin::from_public_key_der(b""), pin);
    assert_eq!(format!("{pin:?}"), format!("PublicKeyPin({bare})"));

    for (bad, reason) in [
        ("not base64!", "not base64"),
        ("AAAA", "not the 32 bytes of a SHA-256 digest"),
        ("", "not the 32 bytes of a SHA-256 digest"),
        (
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFUAAAAA",
            "not the 32 bytes of a SHA-256 digest",
        ),
    ] {
        let err = bad.parse::<PublicKeyPin>().unwrap_err();
        assert!(matches!(err, Error::InvalidPublicKeyPin { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!("invalid public key pin {bad:?}: {reason}")
        );
    }
}

/// Serves `server` for one connection on a loopback port.
fn serve_once(server: &SslConfiguration) -> (u16, thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = server.clone();
    let handle = thread::spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        if let Ok(mut tls) = server.accept(socket) {
            let mut request = [0u8; 1024];
            let _ = tls.read(&mut request);
            let _ = tls
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
            let _ = tls.shutdown();
        }
    });
    (port, handle)
}

#[test]
#[cfg_attr(skip_curl, ignore = "curl is not on PATH")]
fn curl_pinnedpubkey_agrees_with_the_crate() {
    if !peer_available("curl") {
        return;
    }
    let root = Authority::root("Pin Root");
    let leaf = root.leaf("localhost");
    let server = leaf.server();
    let dir = Scratch::new("pins-curl");
    let ca = dir.file("root.pem");
    std::fs::write(&ca, root.cert.to_pem()).unwrap();
    let other = self_signed("other").leaf().public_key_pin().unwrap();

    for (pin, accepted) in [
        (leaf.leaf().public_key_pin().unwrap(), true),
        (other, false),
    ] {
        let (port, handle) = serve_once(&server);
        let status = Command::new("curl")
            .args(["-sS", "--max-time", "10", "--cacert", &ca])
            .arg("--pinnedpubkey")
            .arg(format!("sha256//{pin}"))
            .arg(format!("https://localhost:{port}/"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        // Unblocks the server if curl never connected (then refused once
        // the server has gone).
        let _ = std::net::TcpStream::connect(("127.0.0.1", port));
        handle.join().unwrap();
        // curl's exit code 90: CURLE_SSL_PINNEDPUBKEYNOTMATCH.
        assert_eq!(
            status.code(),
            Some(if accepted { 0 } else { 90 }),
            "pin {pin}"
        );
    }
}

fn kinds(errors: &[SslError]) -> Vec<SslErrorKind> {
    errors.iter().map(SslError::kind).collect()
}

#[test]
fn a_pin_anywhere_on_the_path_holds() {
    let root = Authority::root("Pin Path Root");
    let inter = root.intermediate("Pin Path Intermediate");
    let leaf = inter.leaf_with_chain("pinned.test", &[&inter]);
    let server = leaf.server();
    let client = SslConfiguration::new().with_ca_certificates([root.cert.clone()]);
    for cert in [leaf.leaf(), &inter.cert, &root.cert] {
        let pinned = client
            .clone()
            .with_public_key_pins([cert.public_key_pin().unwrap()]);
        assert!(pinned.verify_chain(&leaf.chain, None).is_empty());
        common::connect(&pinned, &server, "pinned.test").ok();
    }

    // A pin on no certificate of the path: the same error on every path.
    let elsewhere = client
        .clone()
        .with_public_key_pins([self_signed("x").leaf().public_key_pin().unwrap()]);
    assert_eq!(
        kinds(&elsewhere.verify_chain(&leaf.chain, None)),
        [SslErrorKind::PublicKeyNotPinned]
    );
    let err = common::connect(&elsewhere, &server, "pinned.test")
        .client
        .unwrap_err();
    assert_eq!(kinds(err.ssl_errors()), [SslErrorKind::PublicKeyNotPinned]);
    assert_eq!(err.ssl_errors()[0].certificate(), Some(leaf.leaf()));
    let (state, _) = common::connect(
        &elsewhere
            .clone()
            .with_peer_verify_mode(PeerVerifyMode::QueryPeer),
        &server,
        "pinned.test",
    )
    .ok();
    assert_eq!(
        kinds(state.peer_verification_errors()),
        [SslErrorKind::PublicKeyNotPinned]
    );

    // Pins are on top of CA verification: an untrusted chain with a
    // pinned key still fails for its issuer.
    let untrusted = SslConfiguration::new()
        .with_ca_certificates([Authority::root("Elsewhere").cert])
        .with_public_key_pins([leaf.leaf().public_key_pin().unwrap()]);
    assert_eq!(
        kinds(&untrusted.verify_chain(&leaf.chain, None)),
        [SslErrorKind::UnableToGetLocalIssuerCertificate]
    );
}

#[test]
fn pins_instead_of_ca_verification_for_self_signed_peers() {
    let device = self_signed("device.test");
    let server = device.server();
    let pin = device.leaf().public_key_pin().unwrap();
    let client = SslConfiguration::new()
        .with_public_key_pins([pin])
        .with_public_key_pins_only(true);
    assert!(client.public_key_pins_only());
    let (state, _) = common::connect(&client, &server, "device.test").ok();
    assert_eq!(state.peer_certificate(), Some(device.leaf()));

    // Another key: refused; the host name is still checked.
    let other = SslConfiguration::new()
        .with_public_key_pins([self_signed("x").leaf().public_key_pin().unwrap()])
        .with_public_key_pins_only(true);
    let err = common::connect(&other, &server, "device.test")
        .client
        .unwrap_err();
    assert_eq!(kinds(err.ssl_errors()), [SslErrorKind::PublicKeyNotPinned]);
    let err = common::connect(&client, &server, "elsewhere.test")
        .client
        .unwrap_err();
    assert_eq!(kinds(err.ssl_errors()), [SslErrorKind::HostNameMismatch]);

    // Without pins-only, the same pin cannot make a self-signed peer trusted.
    let on_top = SslConfiguration::new()
        .with_ca_certificates([Authority::root("Some CA").cert])
        .with_public_key_pins([pin]);
    assert!(common::connect(&on_top, &server, "device.test")
        .client
        .is_err());
}

#[test]
fn servers_verify_clients_by_pins_alone() {
    let server_id = self_signed("server.test");
    let device = self_signed("client-device");
    let server = server_id
        .server()
        .with_public_key_pins([device.leaf().public_key_pin().unwrap()])
        .with_public_key_pins_only(true);
    // AutoVerifyPeer asks for a certificate: pins are trust of the server's own.
    let client = SslConfiguration::new()
        .with_public_key_pins([server_id.leaf().public_key_pin().unwrap()])
        .with_public_key_pins_only(true)
        .with_local_identity(Identity::new(device.chain.clone(), device.key()));
    let (_, seen) = common::connect(&client, &server, "server.test").ok();
    assert_eq!(seen.peer_certificate(), Some(device.leaf()));

    let stranger = self_signed("stranger");
    let refused = client
        .clone()
        .with_local_identity(Identity::new(stranger.chain.clone(), stranger.key()));
    let err = common::connect(&refused, &server, "server.test")
        .server
        .unwrap_err();
    assert_eq!(kinds(err.ssl_errors()), [SslErrorKind::PublicKeyNotPinned]);

    // A required client certificate with pins alone needs no CA.
    let strict = server.with_peer_verify_mode(PeerVerifyMode::VerifyPeer);
    assert!(strict.server_config().is_ok());
}

#[test]
fn a_pinned_backup_root_holds_whichever_cross_signed_path_comes_first() {
    // The intermediate is cross-signed by two roots; the pin is on the
    // second root's key (a CA migration). The path to it must be found
    // whatever order the peer sends the two intermediates in.
    let old_root = Authority::root("Old Root");
    let new_root = Authority::root("New Root");
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Cross Intermediate");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let key = rcgen::KeyPair::generate().unwrap();
    let by_old = old_root.sign_with(&params, &key);
    let by_new = new_root.sign_with(&params, &key);
    let issuer = rcgen::Issuer::new(params, key);
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let mut leaf = rcgen::CertificateParams::new(vec!["cross.test".to_owned()]).unwrap();
    leaf.distinguished_name
        .push(rcgen::DnType::CommonName, "cross.test");
    let leaf = Certificate::from_der(leaf.signed_by(&leaf_key, &issuer).unwrap().der()).unwrap();

    let client = SslConfiguration::new()
        .with_ca_certificates([old_root.cert.clone(), new_root.cert.clone()])
        .with_public_key_pins([new_root.cert.public_key_pin().unwrap()]);
    for sent in [
        [leaf.clone(), by_old.clone(), by_new.clone()],
        [leaf.clone(), by_new.clone(), by_old.clone()],
    ] {
        assert!(client.verify_chain(&sent, None).is_empty(), "{sent:?}");
    }
    // Pinned on neither root: refused whatever the order.
    let neither = client.with_public_key_pins([self_signed("x").leaf().public_key_pin().unwrap()]);
    assert_eq!(
        kinds(&neither.verify_chain(&[leaf, by_old, by_new], None)),
        [SslErrorKind::PublicKeyNotPinned]
    );
}

#[test]
fn pins_alone_need_no_ca_store() {
    let device = self_signed("device.test");
    let client = SslConfiguration::new()
        .with_ca_certificates([])
        .with_public_key_pins([device.leaf().public_key_pin().unwrap()])
        .with_public_key_pins_only(true);
    assert!(client.client_config().is_ok());
    common::connect(&client, &device.server(), "device.test").ok();
}
