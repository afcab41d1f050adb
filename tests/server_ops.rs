//! Servers that serve many names and change certificates while running:
//! identities chosen by SNI and by the client's signature schemes, and
//! inputs read again from their files, through `accept` and through the
//! plain `server_config()` Arc.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::openssl::Scratch;
use common::{Authority, LeafSpec};
use sslconf::{
    Certificate, Error, Identity, PeerVerifyMode, SslConfiguration, SslOption, SslProtocol,
};

/// An sslconf identity for `names`, issued by `ca` with `algorithm`.
fn identity(
    ca: &Authority,
    names: &[&str],
    algorithm: &'static rcgen::SignatureAlgorithm,
) -> Identity {
    let mut spec = LeafSpec::new(names[0]).algorithm(algorithm);
    spec.names = names.iter().map(|n| (*n).to_owned()).collect();
    let id = ca.issue(&spec);
    Identity::new(id.chain.clone(), id.key())
}

fn ecdsa(ca: &Authority, names: &[&str]) -> Identity {
    identity(ca, names, &rcgen::PKCS_ECDSA_P256_SHA256)
}

/// A client that accepts any server certificate: these tests look at which
/// one was presented. It resumes no session: a resumed session reports the
/// certificate of the handshake that made it.
fn any_server() -> SslConfiguration {
    SslConfiguration::new()
        .with_peer_verify_mode(PeerVerifyMode::VerifyNone)
        .with_ssl_option(SslOption::DisableSessionSharing, true)
        .unwrap()
}

/// The certificate `server` presents to a client asking for `host`, as the
/// client saw it; the server's session state names the same.
fn presented(client: &SslConfiguration, server: &SslConfiguration, host: &str) -> Certificate {
    let (c, s) = common::connect(client, server, host).ok();
    let seen = c.peer_certificate().unwrap().clone();
    assert_eq!(
        s.local_certificate(),
        Some(&seen),
        "the server's own account"
    );
    seen
}

/// The certificate a raw rustls `ServerConnection` from `server_config()`
/// (what hyper or axum-server run) presents.
fn presented_raw(config: Arc<sslconf::rustls::ServerConfig>, host: &str) -> Certificate {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let serving = std::thread::spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        let conn = sslconf::rustls::ServerConnection::new(config).unwrap();
        let mut tls = sslconf::rustls::StreamOwned::new(conn, socket);
        let mut byte = [0u8];
        if tls.read_exact(&mut byte).is_ok() {
            let _ = tls.write_all(&byte).and_then(|()| tls.flush());
        }
    });
    let mut tls = any_server()
        .connect(host, TcpStream::connect(addr).unwrap())
        .unwrap();
    tls.write_all(b"x").unwrap();
    let mut byte = [0u8];
    tls.read_exact(&mut byte).unwrap();
    let cert = tls.session_state().peer_certificate().unwrap().clone();
    serving.join().unwrap();
    cert
}

// -- identities by server name ------------------------------------------------

#[test]
fn identities_are_chosen_by_server_name() {
    let ca = Authority::root("SNI Root");
    let default = ecdsa(&ca, &["default.test"]);
    let api = ecdsa(&ca, &["api.example.com"]);
    let wild = ecdsa(&ca, &["*.example.org"]);
    let server = SslConfiguration::new()
        .with_local_identity(default.clone())
        .with_server_name_identity(["api.example.com"], api.clone())
        .with_server_name_identity(["*.example.org"], wild.clone());
    let leaf = |id: &Identity| id.certificate_chain()[0].clone();
    let client = any_server();
    for (host, expected) in [
        ("api.example.com", leaf(&api)),
        ("API.Example.COM", leaf(&api)),
        ("api.example.com.", leaf(&api)),
        ("www.example.org", leaf(&wild)),
        ("a.b.example.org", leaf(&default)),
        ("example.org", leaf(&default)),
        ("unknown.test", leaf(&default)),
        ("127.0.0.1", leaf(&default)),
    ] {
        assert_eq!(presented(&client, &server, host), expected, "{host}");
        assert_eq!(
            presented_raw(server.server_config().unwrap(), host),
            expected,
            "{host}, raw server config"
        );
    }
    let no_sni = client
        .with_ssl_option(SslOption::DisableServerNameIndication, true)
        .unwrap();
    assert_eq!(
        presented(&no_sni, &server, "api.example.com"),
        leaf(&default)
    );
}

/// A client that connects and goes away before its hello: the server's
/// accept ends with an error, it does not wait or spin.
#[test]
fn a_client_gone_before_its_hello() {
    let ca = Authority::root("Gone Root");
    let server = SslConfiguration::new()
        .with_server_name_identity(["known.test"], ecdsa(&ca, &["known.test"]));
    server.server_config().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(TcpStream::connect(addr).unwrap());
    let (socket, _) = listener.accept().unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    assert!(server.accept(socket).is_err());
}

#[test]
fn unknown_names_can_be_refused() {
    let ca = Authority::root("SNI Refusing Root");
    let server = SslConfiguration::new()
        .with_server_name_identity(["known.test"], ecdsa(&ca, &["known.test"]))
        .with_unknown_server_names_refused(true);
    let client = any_server();
    common::connect(&client, &server, "known.test").ok();
    let outcome = common::connect(&client, &server, "other.test");
    let err = outcome.client.unwrap_err();
    assert!(err.to_string().contains("AccessDenied"), "{err}");
    // The server says why, not rustls's "unexpected error".
    let refused = outcome.server.unwrap_err();
    assert!(
        matches!(&refused, Error::UnknownServerName { name: Some(name) } if name == "other.test"),
        "{refused:?}"
    );
    assert_eq!(
        refused.to_string(),
        "client refused: no identity for the server name \"other.test\""
    );
    // A server with only named identities refuses unknown names too.
    let only_named = SslConfiguration::new()
        .with_server_name_identity(["known.test"], ecdsa(&ca, &["known.test"]));
    assert!(common::connect(&client, &only_named, "other.test")
        .client
        .is_err());
}

/// Each identity is checked at conversion; the error names the pattern.
#[test]
fn a_bad_server_name_identity_is_refused_naming_its_pattern() {
    let ca = Authority::root("SNI Check Root");
    let api = ca.issue(&LeafSpec::new("api.example.com"));
    let other_key = ca.leaf("other.example.com").key();
    let cases: Vec<(&str, Identity, &str)> = vec![
        (
            "www.example.com",
            Identity::new(api.chain.clone(), api.key()),
            "is not valid for this name",
        ),
        (
            "api.example.com",
            Identity::new(api.chain.clone(), other_key),
            "does not match",
        ),
        (
            "*.*.example.com",
            Identity::new(api.chain.clone(), api.key()),
            "invalid host name",
        ),
        (
            "",
            Identity::new(api.chain.clone(), api.key()),
            "invalid host name",
        ),
    ];
    for (pattern, id, cause) in cases {
        let err = SslConfiguration::new()
            .with_local_identity(ecdsa(&ca, &["default.test"]))
            .with_server_name_identity([pattern], id)
            .server_config()
            .unwrap_err();
        match &err {
            Error::ServerNameIdentity { pattern: named, .. } => assert_eq!(named, pattern),
            other => panic!("{pattern}: {other:?}"),
        }
        let chain = common::openssl::causes(&err);
        assert!(chain.contains(cause), "{pattern}: {chain}");
        assert!(chain.starts_with("setting sni identity for"), "{chain}");
    }
}

/// RSA and ECDSA certificates for one name, chosen by what the client
/// supports, as nginx with two `ssl_certificate`: `openssl s_client` told to
/// sign with RSA only gets the RSA one, with ECDSA only the ECDSA one, and
/// a TLS 1.2 client offering only ECDHE-RSA suites the RSA one. A client
/// that supports both gets the ECDSA one, as OpenSSL and nginx choose,
/// whichever was added first; so does one without SNI, from the default
/// identities.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn rsa_and_ecdsa_for_one_name_by_what_the_client_supports() {
    if !common::peer_available("openssl") {
        return;
    }
    let ca = Authority::root("Two Keys Root");
    let rsa = identity(&ca, &["both.example"], &rcgen::PKCS_RSA_SHA256);
    let ecdsa = ecdsa(&ca, &["both.example"]);
    for rsa_first in [true, false] {
        let (first, second) = match rsa_first {
            true => (rsa.clone(), ecdsa.clone()),
            false => (ecdsa.clone(), rsa.clone()),
        };
        let server = SslConfiguration::new()
            .with_local_identity(first.clone())
            .with_added_local_identity(second.clone())
            .with_server_name_identity(["both.example"], first)
            .with_server_name_identity(["both.example"], second)
            .with_peer_verify_mode(PeerVerifyMode::VerifyNone);
        serve_and_ask(server, rsa_first);
    }
}

/// `server` asked by `openssl s_client` with each client's limits for
/// the key it presents.
fn serve_and_ask(server: SslConfiguration, rsa_first: bool) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let stop = Arc::new(AtomicBool::new(false));
    let serving = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            listener.set_nonblocking(false).unwrap();
            while !stop.load(Ordering::Relaxed) {
                let Ok((socket, _)) = listener.accept() else {
                    break;
                };
                socket
                    .set_read_timeout(Some(Duration::from_secs(5)))
                    .unwrap();
                if let Ok(mut tls) = server.accept(socket) {
                    let _ = tls.write_all(b"hello\n").and_then(|()| tls.shutdown());
                }
            }
        })
    };
    let connect = format!("127.0.0.1:{port}");
    let s_client = |extra: &[&str]| {
        let mut args = vec!["s_client", "-connect", &connect];
        if !extra.contains(&"-noservername") {
            args.extend(["-servername", "both.example"]);
        }
        args.extend_from_slice(extra);
        let out = std::process::Command::new("openssl")
            .args(&args)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    for (extra, bits) in [
        (
            vec!["-tls1_3", "-sigalgs", "rsa_pss_rsae_sha256"],
            "2048 bit",
        ),
        (vec!["-tls1_3", "-sigalgs", "ECDSA+SHA256"], "256 bit"),
        (
            vec!["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"],
            "2048 bit",
        ),
        (
            vec!["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"],
            "256 bit",
        ),
        (vec![], "256 bit"),
        (vec!["-tls1_2"], "256 bit"),
        (vec!["-noservername"], "256 bit"),
    ] {
        let said = s_client(&extra);
        assert!(
            said.contains(&format!("Server public key is {bits}")),
            "{extra:?}, RSA added first: {rsa_first}: {said}"
        );
    }
    stop.store(true, Ordering::Relaxed);
    let _ = TcpStream::connect(("127.0.0.1", port));
    serving.join().unwrap();
}

// -- reload -------------------------------------------------------------------

/// Certificate and key files in a scratch directory, rewritten at will.
struct Files {
    _scratch: Scratch,
    chain: PathBuf,
    key: PathBuf,
}

impl Files {
    fn new(tag: &str) -> Self {
        let scratch = Scratch::new(tag);
        let chain = PathBuf::from(scratch.file("chain.pem"));
        let key = PathBuf::from(scratch.file("key.pem"));
        Self {
            _scratch: scratch,
            chain,
            key,
        }
    }

    /// Writes `id`'s chain and key, each file replaced whole (written
    /// aside, then renamed), as certbot or cert-manager do.
    fn write(&self, id: &common::Identity) {
        replace(&self.chain, id.chain_pem().as_bytes());
        replace(&self.key, id.key_pem().as_bytes());
    }
}

fn replace(path: &Path, bytes: &[u8]) {
    let aside = path.with_extension("new");
    std::fs::write(&aside, bytes).unwrap();
    std::fs::rename(&aside, path).unwrap();
}

#[test]
fn reload_serves_new_files_through_the_same_config() {
    let ca = Authority::root("Reload Root");
    let files = Files::new("reload");
    let first = ca.leaf("localhost");
    files.write(&first);
    let server = SslConfiguration::new()
        .with_local_identity(Identity::from_files(&files.chain, &files.key).unwrap());
    let raw = server.server_config().unwrap();
    let client = any_server();
    assert_eq!(presented(&client, &server, "localhost"), *first.leaf());
    assert!(server.reload().unwrap().is_empty(), "nothing changed yet");

    let second = ca.leaf("localhost");
    files.write(&second);
    let reloaded = server.reload().unwrap();
    assert_eq!(
        reloaded.changed_files(),
        [files.chain.clone(), files.key.clone()]
    );
    assert!(
        Arc::ptr_eq(&raw, &server.server_config().unwrap()),
        "the same Arc"
    );
    assert_eq!(presented(&client, &server, "localhost"), *second.leaf());
    assert_eq!(presented_raw(raw.clone(), "localhost"), *second.leaf());

    // Bad writes change nothing and say which files and why.
    let third = ca.leaf("localhost");
    let half = &third.chain_pem()[..third.chain_pem().len() / 2];
    type Write<'a> = Box<dyn Fn() + 'a>;
    let bad: Vec<(&str, Write<'_>)> = vec![
        (
            "half a certificate",
            Box::new(|| replace(&files.chain, half.as_bytes())),
        ),
        (
            "another certificate's key",
            Box::new(|| {
                replace(&files.chain, third.chain_pem().as_bytes());
                replace(&files.key, second.key_pem().as_bytes());
            }),
        ),
        (
            "no certificate",
            Box::new(|| replace(&files.chain, b"not a certificate")),
        ),
        ("empty key", Box::new(|| replace(&files.key, b""))),
    ];
    for (case, write) in bad {
        files.write(&second);
        write();
        let err = server.reload().unwrap_err();
        assert!(matches!(err, Error::Reload { .. }), "{case}: {err:?}");
        let chain = common::openssl::causes(&err);
        assert!(
            chain.contains(&files.chain.display().to_string())
                || chain.contains(&files.key.display().to_string()),
            "{case}: the error names the files: {chain}"
        );
        assert_eq!(
            presented(&client, &server, "localhost"),
            *second.leaf(),
            "{case}"
        );
    }
    std::fs::remove_file(&files.key).unwrap();
    assert!(server.reload().is_err(), "a missing file");
    assert_eq!(presented(&client, &server, "localhost"), *second.leaf());

    files.write(&third);
    assert!(!server.reload().unwrap().is_empty());
    assert_eq!(presented(&client, &server, "localhost"), *third.leaf());
}

/// A reload before the first conversion is what the conversion serves.
#[test]
fn a_reload_before_conversion_is_served() {
    let ca = Authority::root("Early Reload Root");
    let files = Files::new("early-reload");
    files.write(&ca.leaf("localhost"));
    let server = SslConfiguration::new()
        .with_local_identity(Identity::from_files(&files.chain, &files.key).unwrap());
    let second = ca.leaf("localhost");
    files.write(&second);
    server.reload().unwrap();
    assert_eq!(
        presented(&any_server(), &server, "localhost"),
        *second.leaf()
    );
}

#[test]
fn named_identities_from_files_reload_too() {
    let ca = Authority::root("Named Reload Root");
    let files = Files::new("named-reload");
    files.write(&ca.leaf("api.example.com"));
    let server = SslConfiguration::new()
        .with_local_identity(ecdsa(&ca, &["default.test"]))
        .with_server_name_identity(
            ["api.example.com"],
            Identity::from_files(&files.chain, &files.key).unwrap(),
        );
    server.server_config().unwrap();
    let renewed = ca.leaf("api.example.com");
    files.write(&renewed);
    server.reload().unwrap();
    assert_eq!(
        presented(&any_server(), &server, "api.example.com"),
        *renewed.leaf()
    );
    // A renewal that no longer covers the name is refused, naming the pattern.
    files.write(&ca.leaf("www.example.com"));
    let err = server.reload().unwrap_err();
    assert!(
        common::openssl::causes(&err).contains("\"api.example.com\""),
        "{err}"
    );
    assert_eq!(
        presented(&any_server(), &server, "api.example.com"),
        *renewed.leaf()
    );
}

/// A server's trust in client certificates follows its CA file.
#[test]
fn ca_certificate_files_reload_on_a_server() {
    let first = Authority::root("CA File One");
    let second = Authority::root("CA File Two");
    let scratch = Scratch::new("ca-reload");
    let ca_file = PathBuf::from(scratch.file("clients-ca.pem"));
    replace(&ca_file, first.cert.to_pem().as_bytes());
    let server = first
        .leaf("localhost")
        .server()
        .with_ca_certificate_files([&ca_file])
        .unwrap()
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer);
    let client_of = |ca: &Authority| {
        let id = ca.leaf("client.test");
        any_server().with_local_identity(Identity::new(id.chain.clone(), id.key()))
    };
    common::connect(&client_of(&first), &server, "localhost").ok();
    assert!(common::connect(&client_of(&second), &server, "localhost")
        .server
        .is_err());
    let both = format!("{}{}", first.cert.to_pem(), second.cert.to_pem());
    replace(&ca_file, both.as_bytes());
    assert_eq!(
        server.reload().unwrap().changed_files(),
        std::slice::from_ref(&ca_file)
    );
    common::connect(&client_of(&second), &server, "localhost").ok();
    // A CA file that no longer parses changes nothing.
    replace(&ca_file, b"garbage");
    assert!(server.reload().is_err());
    common::connect(&client_of(&second), &server, "localhost").ok();
}

/// An mTLS client's own certificate, read again through its client config.
#[test]
fn a_client_identity_reloads() {
    let ca = Authority::root("Client Reload Root");
    let files = Files::new("client-reload");
    let first = ca.leaf("client.test");
    files.write(&first);
    let client =
        any_server().with_local_identity(Identity::from_files(&files.chain, &files.key).unwrap());
    let server = ca
        .leaf("localhost")
        .server()
        .with_ca_certificates([ca.cert.clone()])
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer);
    let raw = client.client_config().unwrap();
    let (_, s) = common::connect(&client, &server, "localhost").ok();
    assert_eq!(s.peer_certificate(), Some(first.leaf()));
    let second = ca.leaf("client.test");
    files.write(&second);
    client.reload().unwrap();
    assert!(Arc::ptr_eq(&raw, &client.client_config().unwrap()));
    let (_, s) = common::connect(&client, &server, "localhost").ok();
    assert_eq!(s.peer_certificate(), Some(second.leaf()));
}

/// Handshakes from several threads while the files are rewritten every
/// 100 ms, good and bad writes mixed, and reloaded after each: no
/// handshake fails, each presents a certificate that was written whole,
/// and after the last good write every new handshake presents it.
#[test]
fn reload_under_load() {
    let ca = Authority::root("Load Reload Root");
    let files = Files::new("reload-load");
    let first = ca.leaf("localhost");
    files.write(&first);
    let server = SslConfiguration::new()
        .with_local_identity(Identity::from_files(&files.chain, &files.key).unwrap())
        .with_protocol(SslProtocol::TlsV1_3);
    let raw = server.server_config().unwrap();
    let good: Arc<Mutex<Vec<Certificate>>> = Arc::new(Mutex::new(vec![first.leaf().clone()]));

    // One listener serving every client through the raw config.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let serving = {
        let (stop, raw) = (stop.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut workers = Vec::new();
            for socket in listener.incoming() {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(socket) = socket else { continue };
                let raw = raw.clone();
                workers.push(std::thread::spawn(move || {
                    socket
                        .set_read_timeout(Some(Duration::from_secs(10)))
                        .unwrap();
                    let conn = sslconf::rustls::ServerConnection::new(raw).unwrap();
                    let mut tls = sslconf::rustls::StreamOwned::new(conn, socket);
                    let mut byte = [0u8];
                    if tls.read_exact(&mut byte).is_ok() {
                        let _ = tls.write_all(&byte).and_then(|()| tls.flush());
                    }
                }));
            }
            for worker in workers {
                worker.join().unwrap();
            }
        })
    };

    let clients_stop = Arc::new(AtomicBool::new(false));
    let handshakes = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let (stop, handshakes, failures, seen) = (
                stop.clone(),
                handshakes.clone(),
                failures.clone(),
                seen.clone(),
            );
            std::thread::spawn(move || {
                let client = any_server();
                let started = Instant::now();
                // Bounded: by the stop flag, by count and by time.
                for _ in 0..2_000 {
                    if stop.load(Ordering::Relaxed) || started.elapsed() > Duration::from_secs(20) {
                        break;
                    }
                    let socket = TcpStream::connect(addr).unwrap();
                    socket
                        .set_read_timeout(Some(Duration::from_secs(10)))
                        .unwrap();
                    let result = client.connect("localhost", socket).and_then(|mut tls| {
                        tls.write_all(b"x")?;
                        let mut byte = [0u8];
                        tls.read_exact(&mut byte)?;
                        Ok(tls.session_state().peer_certificate().unwrap().clone())
                    });
                    handshakes.fetch_add(1, Ordering::Relaxed);
                    match result {
                        Ok(cert) => seen.lock().unwrap().push(cert),
                        Err(err) => failures.lock().unwrap().push(err.to_string()),
                    }
                }
            })
        })
        .collect();

    // Rewrites: 30 rounds of 100 ms, one in three bad.
    let mut last_good = first.leaf().clone();
    let mut refused = 0;
    for round in 0..30 {
        std::thread::sleep(Duration::from_millis(100));
        if round % 3 == 2 {
            replace(&files.chain, b"-----BEGIN CERTIFICATE-----\nMIIB");
        } else {
            let next = ca.leaf("localhost");
            files.write(&next);
            good.lock().unwrap().push(next.leaf().clone());
            last_good = next.leaf().clone();
        }
        if server.reload().is_err() {
            refused += 1;
        }
    }
    files.write(&ca.leaf("localhost"));
    replace(&files.chain, last_good.to_pem().as_bytes());
    // (the key file now holds another key: this last write is bad too)
    assert!(server.reload().is_err());
    refused += 1;

    // After the last good write, new handshakes present it.
    for _ in 0..5 {
        assert_eq!(presented_raw(raw.clone(), "localhost"), last_good);
    }
    clients_stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.join().unwrap();
    }
    // The clients are done: the listener may close.
    stop.store(true, Ordering::Relaxed);
    let _ = TcpStream::connect(addr);
    serving.join().unwrap();

    let failures = failures.lock().unwrap();
    assert!(failures.is_empty(), "failed handshakes: {failures:?}");
    assert!(handshakes.load(Ordering::Relaxed) > 20, "the load ran");
    assert_eq!(refused, 11, "every bad write was refused");
    let good = good.lock().unwrap();
    for cert in seen.lock().unwrap().iter() {
        assert!(
            good.contains(cert),
            "a certificate never written whole was presented"
        );
    }
}

/// Session-ticket key files rotate through a reload: a key moved to second
/// place still opens its tickets; a key removed gets a full handshake.
#[test]
fn ticket_key_files_rotate_through_reload() {
    use sslconf::TicketKeys;
    let ca = Authority::root("Ticket Rotation Root");
    let scratch = Scratch::new("ticket-rotation");
    let first = PathBuf::from(scratch.file("first.key"));
    let second = PathBuf::from(scratch.file("second.key"));
    let (old, new) = ([1u8; 80], [2u8; 80]);
    replace(&first, &old);
    let server = ca
        .leaf("localhost")
        .server()
        .with_protocol(SslProtocol::TlsV1_3)
        .with_session_ticket_keys(TicketKeys::from_paths([&first]).unwrap());
    // One client value: its session store keeps the tickets it was sent.
    let client = SslConfiguration::new().with_ca_certificates([ca.cert.clone()]);
    let resumed = || {
        common::connect(&client, &server, "localhost")
            .ok()
            .0
            .is_resumed()
    };
    assert!(!resumed(), "the first connection is full");
    assert!(resumed(), "a ticket sealed with the old key");

    // The key file is replaced by a new key: rotated at once.
    replace(&first, &new);
    assert_eq!(
        server.reload().unwrap().changed_files(),
        std::slice::from_ref(&first)
    );
    assert!(!resumed(), "the old key is gone: a full handshake");
    assert!(resumed(), "tickets under the new key resume");

    // Two files, the new key first and the old one second: after writing a
    // newer key into the first and the current one into the second, tickets
    // sealed with the current key still open.
    replace(&second, &new);
    let server =
        server.with_session_ticket_keys(TicketKeys::from_paths([&first, &second]).unwrap());
    let client = SslConfiguration::new().with_ca_certificates([ca.cert.clone()]);
    let resumed = || {
        common::connect(&client, &server, "localhost")
            .ok()
            .0
            .is_resumed()
    };
    assert!(!resumed());
    assert!(resumed());
    replace(&first, &[3u8; 80]);
    server.reload().unwrap();
    assert!(resumed(), "the second key still opens");
    replace(&second, &[3u8; 80]);
    server.reload().unwrap();
    // Both keys are now the newest; the earlier tickets cannot be opened.
    let fresh = SslConfiguration::new().with_ca_certificates([ca.cert.clone()]);
    assert!(!common::connect(&fresh, &server, "localhost")
        .ok()
        .0
        .is_resumed());
    // A key file of the wrong size changes nothing.
    replace(&first, b"short");
    assert!(server.reload().is_err());
}

/// Refusing unknown names with no named identity would refuse everyone:
/// refused at conversion, saying so.
#[test]
fn refusing_every_name_is_an_error() {
    let ca = Authority::root("Refuse All Root");
    let err = SslConfiguration::new()
        .with_local_identity(ecdsa(&ca, &["default.test"]))
        .with_unknown_server_names_refused(true)
        .server_config()
        .unwrap_err();
    assert!(matches!(err, Error::MissingLocalCertificate { .. }));
    assert!(
        err.to_string().contains("no client could be served"),
        "{err}"
    );
}

// -- review4 --

/// The identity chosen among RSA and ECDSA ones for one name (review4):
/// `choose` prefers ECDSA when the client can use it, judging "can use"
/// by the client's suites alone (any key for a TLS 1.3 suite, the suite's
/// own kind for TLS 1.2), never by what the server itself enables. A
/// server whose TLS 1.2 suites are RSA ones only (its cipher list, or
/// TLS 1.2 alone and ECDHE-RSA alone) then answers a client that offers
/// both kinds with the ECDSA identity, and no suite is left for it: the
/// handshake fails where the RSA identity, also configured for that name,
/// serves the client (as it did when RSA was added first, before the
/// preference).
#[test]
fn an_ecdsa_identity_is_not_chosen_where_the_servers_own_suites_cannot_carry_it() {
    let ca = Authority::root("Review4 Two Keys Root");
    let rsa = identity(&ca, &["both.example"], &rcgen::PKCS_RSA_SHA256);
    let ecdsa = ecdsa(&ca, &["both.example"]);
    let server = |protocol: SslProtocol, ciphers: &str| {
        SslConfiguration::new()
            .with_local_identity(rsa.clone())
            .with_added_local_identity(ecdsa.clone())
            .with_server_name_identity(["both.example"], rsa.clone())
            .with_server_name_identity(["both.example"], ecdsa.clone())
            .with_protocol(protocol)
            .with_cipher_list(ciphers)
            .unwrap()
            .with_peer_verify_mode(PeerVerifyMode::VerifyNone)
    };
    let cases = [
        (
            "TLS 1.2 client, server's TLS 1.2 suites RSA only",
            server(
                SslProtocol::TlsV1_2OrLater,
                "TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256",
            ),
            any_server().with_protocol(SslProtocol::TlsV1_2),
        ),
        (
            "TLS 1.3 and 1.2 client, server TLS 1.2 with RSA suites only",
            server(SslProtocol::TlsV1_2, "ECDHE-RSA-AES128-GCM-SHA256"),
            any_server(),
        ),
    ];
    // The control: the RSA identity alone serves both clients.
    let rsa_alone = SslConfiguration::new()
        .with_local_identity(rsa.clone())
        .with_protocol(SslProtocol::TlsV1_2)
        .with_cipher_list("ECDHE-RSA-AES128-GCM-SHA256")
        .unwrap()
        .with_peer_verify_mode(PeerVerifyMode::VerifyNone);
    for client in [
        any_server().with_protocol(SslProtocol::TlsV1_2),
        any_server(),
    ] {
        common::connect(&client, &rsa_alone, "both.example").ok();
    }
    let mut seen = Vec::new();
    for (case, server, client) in cases {
        let outcome = common::connect(&client, &server, "both.example");
        seen.push((
            case,
            outcome
                .client
                .map(|state| state.peer_certificate().is_some())
                .map_err(|e| e.to_string()),
        ));
    }
    assert!(
        seen.iter().all(|(_, outcome)| outcome.is_ok()),
        "(case, served a certificate, or the error): {seen:?}"
    );
}

// -- review5 --

/// What `openssl s_client` with `extra` arguments is served by `server`
/// (one connection, SNI both.example): our server's outcome and the
/// client's output.
fn s_client_served(server: SslConfiguration, extra: &[&str]) -> (Result<(), String>, String) {
    let ours = common::peers::OurServer::start(server);
    let connect = format!("127.0.0.1:{}", ours.port);
    let mut args = vec![
        "s_client",
        "-connect",
        &connect,
        "-servername",
        "both.example",
    ];
    args.extend_from_slice(extra);
    let run = common::peers::run_client("openssl", &args, b"ping\n");
    let served = ours.join().map(drop).map_err(|e| e.to_string());
    (served, run.output)
}

/// A server with an RSA and an ECDSA identity for one name, all defaults
/// (TLS 1.2 and 1.3, every suite). A client that speaks TLS 1.2 and 1.3,
/// whose only TLS 1.2 suite is an ECDHE-RSA one and whose signature
/// algorithms are `rsa_pkcs1_sha256` and `ecdsa_secp256r1_sha256` (no
/// RSA-PSS): `choose` (ad807df) prefers a key that a shared TLS 1.2 suite
/// carries "which serves the client whichever version it ends on", and
/// picks RSA; but rustls has already chosen TLS 1.3 (it does, in
/// `with_certified_key`, before asking the resolver), where an RSA key
/// can only sign with RSA-PSS, which the client does not offer: the
/// handshake fails for want of a common signature scheme. The ECDSA
/// identity serves this client under TLS 1.3 (the control: it alone does),
/// as OpenSSL's own server would pick it. A client that a configured
/// identity can serve is refused.
#[test]
fn a_tls13_client_without_rsa_pss_is_served_by_the_ecdsa_identity() {
    if !common::peer_available("openssl") {
        return;
    }
    let ca = Authority::root("Review5 Two Keys Root");
    let rsa = identity(&ca, &["both.example"], &rcgen::PKCS_RSA_SHA256);
    let ecdsa = ecdsa(&ca, &["both.example"]);
    let client = [
        "-sigalgs",
        "rsa_pkcs1_sha256:ecdsa_secp256r1_sha256",
        "-cipher",
        "ECDHE-RSA-AES128-GCM-SHA256",
    ];
    let ecdsa_alone = SslConfiguration::new()
        .with_local_identity(ecdsa.clone())
        .with_peer_verify_mode(PeerVerifyMode::VerifyNone);
    let (control, said) = s_client_served(ecdsa_alone, &client);
    assert!(
        control.is_ok() && said.contains("Server public key is 256 bit"),
        "control, the ECDSA identity alone: {control:?}: {said}"
    );
    let mut seen = Vec::new();
    for rsa_first in [true, false] {
        let (first, second) = match rsa_first {
            true => (rsa.clone(), ecdsa.clone()),
            false => (ecdsa.clone(), rsa.clone()),
        };
        let server = SslConfiguration::new()
            .with_local_identity(first.clone())
            .with_added_local_identity(second.clone())
            .with_server_name_identity(["both.example"], first)
            .with_server_name_identity(["both.example"], second)
            .with_peer_verify_mode(PeerVerifyMode::VerifyNone);
        let (served, said) = s_client_served(server, &client);
        seen.push((
            rsa_first,
            served,
            said.lines()
                .find(|l| l.contains("Server public key is"))
                .map(str::to_owned),
        ));
    }
    assert!(
        seen.iter().all(|(_, served, _)| served.is_ok()),
        "(RSA added first, our server's outcome, the key the client saw): {seen:?}"
    );
}
