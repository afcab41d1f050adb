//! The promise error.rs makes: a cause is `source()`, never repeated in the
//! message, and a message about a local input never speaks of the peer.
//! Every error the tests can produce is walked through its `source()` chain.

mod common;

use std::error::Error as _;
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use common::{self_signed, Authority};
use sslconf::{
    Certificate, Error, Identity, KeyExchangeGroup, Passphrase, PeerVerifyMode, PrivateKey,
    SslConfiguration, SslOption, SslProtocol,
};

/// The messages of an error and its causes, outermost first.
fn messages(err: &Error) -> Vec<String> {
    let mut all = vec![err.to_string()];
    let mut next = err.source();
    while let Some(cause) = next {
        all.push(cause.to_string());
        next = cause.source();
    }
    all
}

/// Checks one error: each fact is printed once along the chain, and a
/// local input is never called the peer's.
#[track_caller]
fn check(case: &str, err: Error, local: bool) -> Error {
    let chain = messages(&err);
    let own = &chain[0];
    assert!(
        !own.ends_with('.') && !own.starts_with(char::is_uppercase),
        "{case}: messages are lowercase without a trailing period: {own:?}"
    );
    for (i, outer) in chain.iter().enumerate() {
        assert!(!outer.is_empty(), "{case}: empty message in {chain:?}");
        for inner in &chain[i + 1..] {
            assert!(
                !outer.contains(inner.as_str()),
                "{case}: {outer:?} repeats its cause {inner:?}"
            );
        }
    }
    if local {
        // The word, not a mode's name such as VerifyPeer.
        let speaks_of_peer = chain.iter().any(|message| {
            message
                .split(|c: char| !c.is_alphanumeric())
                .any(|word| word.eq_ignore_ascii_case("peer"))
        });
        assert!(
            !speaks_of_peer,
            "{case}: a local input's error speaks of the peer: {chain:?}"
        );
    }
    err
}

#[track_caller]
fn local(case: &str, err: Error) -> Error {
    check(case, err, true)
}

fn encrypted_key() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/ec-p256-encrypted.pem"
    ))
    .unwrap()
}

#[test]
fn input_errors() {
    let err = local(
        "missing file",
        Certificate::from_path("/nonexistent/ca.pem").unwrap_err(),
    );
    assert!(matches!(err, Error::ReadFile { .. }));
    assert!(err.source().is_some());

    for (case, result) in [
        ("empty DER", Certificate::from_der(b"")),
        (
            "garbage DER",
            Certificate::from_der(b"\x30\x03\x02\x01\x07"),
        ),
    ] {
        let err = local(case, result.unwrap_err());
        assert!(matches!(err, Error::InvalidCertificate { .. }), "{case}");
        assert!(err.source().is_some(), "{case}: the cause is source()");
    }
    let pem = Authority::root("Chain Root").cert.to_pem();
    let broken = pem.replace("MII", "M!I");
    for (case, result) in [
        ("no PEM", Certificate::from_pem(b"hello")),
        ("bad base64", Certificate::from_pem(broken.as_bytes())),
    ] {
        let err = local(case, result.unwrap_err());
        assert!(matches!(err, Error::InvalidCertificate { .. }), "{case}");
    }
    let mut trailing = Authority::root("Trailing Root").cert.to_der().to_vec();
    trailing.push(0);
    local(
        "trailing data",
        Certificate::from_der(&trailing).unwrap_err(),
    );

    let cert = Authority::root("Not A Key").cert;
    for (case, result) in [
        ("certificate as key", PrivateKey::from_der(cert.to_der())),
        ("no PEM key", PrivateKey::from_pem(b"")),
        ("garbage key", PrivateKey::from_der(b"\x30\x03\x02\x01\x07")),
    ] {
        let err = local(case, result.unwrap_err());
        assert!(matches!(err, Error::InvalidPrivateKey { .. }), "{case}");
    }
    let err = local(
        "encrypted without passphrase",
        PrivateKey::from_pem(&encrypted_key()).unwrap_err(),
    );
    assert!(matches!(err, Error::EncryptedPrivateKey { .. }));
    let err = local(
        "wrong passphrase",
        PrivateKey::from_pem_with_passphrase(&encrypted_key(), &Passphrase::new(b"not it"))
            .unwrap_err(),
    );
    assert!(matches!(err, Error::WrongPassphrase { .. }));
}

#[test]
fn setting_errors() {
    let id = Authority::root("Settings Root").leaf("localhost");
    let other = Authority::root("Other Root").leaf("localhost");
    let cases: Vec<(&str, Result<(), Error>)> = vec![
        (
            "unknown cipher",
            SslConfiguration::new()
                .with_cipher_list("RC4-MD5")
                .map(drop),
        ),
        (
            "TLS 1.0",
            SslConfiguration::new()
                .with_protocol(SslProtocol::TlsV1_0)
                .client_config()
                .map(drop),
        ),
        (
            "no cipher for TLS 1.3",
            SslConfiguration::new()
                .with_protocol(SslProtocol::TlsV1_3)
                .with_cipher_list("ECDHE-ECDSA-AES128-GCM-SHA256")
                .unwrap()
                .client_config()
                .map(drop),
        ),
        (
            "no groups",
            SslConfiguration::new()
                .with_key_exchange_groups(Vec::<KeyExchangeGroup>::new())
                .client_config()
                .map(drop),
        ),
        (
            "server without certificate",
            SslConfiguration::new().server_config().map(drop),
        ),
        (
            "identity without certificate",
            SslConfiguration::new()
                .with_local_identity(Identity::new([], id.key()))
                .client_config()
                .map(drop),
        ),
        (
            "key mismatch",
            SslConfiguration::new()
                .with_local_identity(Identity::new([id.leaf().clone()], other.key()))
                .server_config()
                .map(drop),
        ),
        (
            "client VerifyPeer without CAs",
            SslConfiguration::new()
                .with_ca_certificates([])
                .client_config()
                .map(drop),
        ),
        (
            "server VerifyPeer without explicit CAs",
            id.server()
                .with_peer_verify_mode(PeerVerifyMode::VerifyPeer)
                .server_config()
                .map(drop),
        ),
        (
            "option cleared",
            SslConfiguration::new()
                .with_ssl_option(SslOption::DisableCompression, false)
                .map(drop),
        ),
        (
            "empty ALPN",
            SslConfiguration::new()
                .with_allowed_next_protocols([""])
                .client_config()
                .map(drop),
        ),
        (
            "bad host name",
            SslConfiguration::new()
                .connect("not a host!", std::io::Cursor::new(Vec::new()))
                .map(drop),
        ),
    ];
    for (case, result) in cases {
        local(case, result.unwrap_err());
    }
}

#[test]
fn handshake_errors() {
    let ca = Authority::root("Handshake Root");
    let server = self_signed("localhost").server();
    let client = SslConfiguration::new().with_ca_certificates([ca.cert.clone()]);

    // The peer's certificate does not verify: the list once, no source that
    // says it again.
    let err = common::connect(&client, &server, "localhost")
        .client
        .unwrap_err();
    let err = check("peer verification", err, false);
    assert!(matches!(err, Error::PeerVerification { .. }));
    assert!(!err.ssl_errors().is_empty());

    // No common protocol: a TLS error from rustls.
    let tls12 = self_signed("localhost")
        .server()
        .with_protocol(SslProtocol::TlsV1_2);
    let tls13 = SslConfiguration::new()
        .with_peer_verify_mode(PeerVerifyMode::VerifyNone)
        .with_protocol(SslProtocol::TlsV1_3);
    let err = common::connect(&tls13, &tls12, "localhost")
        .client
        .unwrap_err();
    check("no common protocol", err, false);

    // A silent peer: the socket's timeout.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let silent = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        let mut sink = Vec::new();
        let _ = socket.read_to_end(&mut sink);
    });
    let socket = TcpStream::connect(addr).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let err = tls13
        .connect("localhost", socket.try_clone().unwrap())
        .unwrap_err();
    let err = check("silent peer", err, false);
    assert!(matches!(err, Error::HandshakeTimeout { .. }), "{err:?}");

    // The handshake timeout: zero fails before the first byte is written.
    let err = tls13
        .clone()
        .with_handshake_timeout(Duration::ZERO)
        .connect("localhost", socket.try_clone().unwrap())
        .unwrap_err();
    let err = check("handshake timeout", err, false);
    assert!(
        matches!(
            err,
            Error::HandshakeTimeout {
                deadline: Some(Duration::ZERO),
                source: None
            }
        ),
        "{err:?}"
    );
    socket.shutdown(std::net::Shutdown::Both).unwrap();
    silent.join().unwrap();
}

/// Settings-file errors (feature `serde`): the chain printed on one line is
/// `file:line:col: setting field: why`, the field named once (a refusal of
/// the conversion does not say `setting protocol` again), nothing repeated;
/// and a reload of a configuration a file made names the file and why.
#[cfg(feature = "serde")]
#[test]
fn settings_file_errors() {
    use sslconf::Side;

    let scratch = common::peers::Scratch::new("error-chain-settings");
    let dir = scratch.path().to_owned();
    let id = Authority::root("Settings File Root").leaf("localhost");
    scratch.write("server.pem", id.chain_pem());
    scratch.write("server.key", id.key_pem());
    let identity =
        "local-identity = { certificate-file = \"server.pem\", key-file = \"server.key\" }";
    let cases: Vec<(&str, String, Side, &str)> =
        vec![
        ("bad TOML", "protocol = \"tls1.3".into(), Side::Client, ""),
        ("unknown field", "protocl = \"tls1.3\"".into(), Side::Client, "protocl"),
        ("unknown name", "protocol = \"tls9\"".into(), Side::Client, "protocol"),
        (
            "missing file",
            "local-identity = { certificate-file = \"server.pem\", key-file = \"nothing.key\" }"
                .into(),
            Side::Client,
            "local-identity.key-file",
        ),
        ("TLS 1.1 refused", "protocol = \"tls1.1\"".into(), Side::Client, "protocol"),
        (
            "option refused",
            "ssl-options = { DisableCompression = false }".into(),
            Side::Client,
            "ssl-options.DisableCompression",
        ),
        (
            "server without certificate",
            String::new(),
            Side::Server,
            "local-identity",
        ),
        (
            "ticket lifetime refused",
            format!("session-ticket-lifetime-seconds = 0\n{identity}"),
            Side::Server,
            "session-ticket-lifetime-seconds",
        ),
        (
            "key of another certificate",
            "local-identity = { certificate-file = \"server.pem\", key-file = \"other.key\" }"
                .into(),
            Side::Client,
            "local-identity.key-file",
        ),
        (
            "misplaced in a side table",
            "client = { unknown-server-names-refused = true }".into(),
            Side::Client,
            "client.unknown-server-names-refused",
        ),
    ];
    scratch.write(
        "other.key",
        Authority::root("Other Settings Root")
            .leaf("localhost")
            .key_pem(),
    );
    for (case, text, side, field) in cases {
        let path = dir.join("tls.toml");
        std::fs::write(&path, &text).unwrap();
        let err = SslConfiguration::from_toml_file(&path, side).unwrap_err();
        // The list of the fields expected names `peer-verify-mode`.
        let err = check(case, err, case != "unknown field");
        let Error::SettingsFile {
            line,
            column,
            field: named,
            ..
        } = &err
        else {
            panic!("{case}: {err:?}")
        };
        assert_eq!(named, field, "{case}");
        let line_of = messages(&err).join(": ");
        assert!(!line_of.contains('\n'), "{case}: {line_of}");
        let at = format!("{}:{line}:{column}: ", path.display());
        let setting = if field.is_empty() {
            format!("{at}invalid TOML: ")
        } else {
            format!("{at}setting {field}: ")
        };
        assert!(line_of.starts_with(&setting), "{case}: {line_of}");
        assert_eq!(
            line_of.matches("setting ").count(),
            usize::from(!field.is_empty()),
            "{case}: {line_of}"
        );
    }

    // A reload: the files and why.
    std::fs::write(dir.join("tls.toml"), identity).unwrap();
    let config = SslConfiguration::from_toml_file(dir.join("tls.toml"), Side::Server).unwrap();
    std::fs::write(dir.join("server.key"), "not a key").unwrap();
    let err = local("reload", config.reload().unwrap_err());
    assert!(matches!(err, Error::Reload { .. }), "{err:?}");
    let line_of = messages(&err).join(": ");
    assert!(line_of.contains("server.key"), "{line_of}");
}
