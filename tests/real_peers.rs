//! sslconf against TLS implementations nobody here wrote: our client against
//! `openssl s_server`, our server against `openssl s_client`, `curl` and
//! Python's `ssl` module. Each case checks that what sslconf reports in its
//! `SessionState` is what the peer reports.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use common::{Authority, Identity, LeafSpec};
use sslconf::{Error, PeerVerifyMode, SessionState, SslConfiguration, SslErrorKind, SslProtocol};

/// A scratch directory for PEM files, removed on drop.
struct Files(PathBuf);

impl Files {
    fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "sslconf-peers-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn write(&self, name: &str, contents: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path.to_str().unwrap().to_owned()
    }

    /// Writes an identity's chain and key; returns (chain path, key path).
    fn identity(&self, name: &str, id: &Identity) -> (String, String) {
        (
            self.write(&format!("{name}.pem"), &id.chain_pem()),
            self.write(&format!("{name}.key"), &id.key_pem()),
        )
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An `openssl s_server -www` for one connection, killed on drop.
struct SServer {
    child: Child,
    port: u16,
    output: mpsc::Receiver<String>,
}

impl SServer {
    fn start(cert: &str, key: &str, extra: &[&str]) -> Self {
        let port = free_port();
        let mut child = Command::new("openssl")
            .args([
                "s_server",
                "-accept",
                &port.to_string(),
                "-cert",
                cert,
                "-key",
                key,
                "-www",
                "-naccept",
                "1",
            ])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // s_server says ACCEPT once it listens.
        for line in lines.by_ref() {
            if line.unwrap() == "ACCEPT" {
                break;
            }
        }
        let (tx, output) = mpsc::channel();
        thread::spawn(move || {
            let rest: Vec<String> = lines.map_while(Result::ok).collect();
            let _ = tx.send(rest.join("\n"));
        });
        Self {
            child,
            port,
            output,
        }
    }

    /// What s_server printed after the connection, once it exits.
    fn log(self) -> String {
        self.output
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_default()
    }
}

impl Drop for SServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `Key : value` line of openssl's session printout.
fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().find_map(|l| {
        let rest = l.trim().strip_prefix(key)?.trim_start();
        Some(rest.strip_prefix(':')?.trim())
    })
}

fn openssl_protocol(p: SslProtocol) -> &'static str {
    match p {
        SslProtocol::TlsV1_2 => "TLSv1.2",
        SslProtocol::TlsV1_3 => "TLSv1.3",
        other => panic!("unexpected session protocol {other:?}"),
    }
}

/// Our client fetches s_server's status page; returns our state and the page.
fn fetch(config: &SslConfiguration, port: u16) -> Result<(SessionState, String), Error> {
    let socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut tls = config.connect("localhost", socket)?;
    tls.write_all(b"GET / HTTP/1.0\r\n\r\n")?;
    let mut page = Vec::new();
    // s_server -www closes without close_notify: keep what arrived.
    match tls.read_to_end(&mut page) {
        Err(e) if e.kind() != std::io::ErrorKind::UnexpectedEof => return Err(e.into()),
        _ => {}
    }
    Ok((
        tls.session_state().clone(),
        String::from_utf8_lossy(&page).into_owned(),
    ))
}

struct Pki {
    files: Files,
    ca: Authority,
    ca_path: String,
    ecdsa: (String, String),
    rsa: (String, String),
    client: Identity,
}

fn pki() -> Pki {
    let files = Files::new();
    let ca = Authority::root("Peers Root");
    let ca_path = files.write("ca.pem", &ca.cert.to_pem());
    let ecdsa = files.identity("ecdsa", &ca.leaf("localhost"));
    let rsa = files.identity(
        "rsa",
        &ca.issue(&LeafSpec::new("localhost").algorithm(&rcgen::PKCS_RSA_SHA256)),
    );
    let client = ca.leaf("client.test");
    Pki {
        files,
        ca,
        ca_path,
        ecdsa,
        rsa,
        client,
    }
}

impl Pki {
    fn client(&self) -> SslConfiguration {
        SslConfiguration::new().with_ca_certificates([self.ca.cert.clone()])
    }
}

/// A name, the server's (certificate, key) files, our protocol, a forced cipher.
type Case<'a> = (&'a str, &'a (String, String), SslProtocol, Option<&'a str>);

#[test]
fn our_client_against_openssl_s_server() {
    if !common::peer_available("openssl") {
        return;
    }
    let p = pki();
    let cases: [Case; 6] = [
        ("ECDSA TLS 1.3", &p.ecdsa, SslProtocol::TlsV1_3, None),
        ("ECDSA TLS 1.2", &p.ecdsa, SslProtocol::TlsV1_2, None),
        ("RSA TLS 1.3", &p.rsa, SslProtocol::TlsV1_3, None),
        ("RSA TLS 1.2", &p.rsa, SslProtocol::TlsV1_2, None),
        (
            "forced cipher",
            &p.rsa,
            SslProtocol::SecureProtocols,
            Some("ECDHE-RSA-CHACHA20-POLY1305"),
        ),
        (
            "forced TLS 1.3 cipher",
            &p.ecdsa,
            SslProtocol::SecureProtocols,
            Some("TLS_AES_128_GCM_SHA256"),
        ),
    ];
    for (name, (cert, key), protocol, cipher) in cases {
        let server = SServer::start(cert, key, &[]);
        let mut config = p.client().with_protocol(protocol);
        if let Some(cipher) = cipher {
            config = config.with_cipher_list(cipher).unwrap();
        }
        let (state, page) = fetch(&config, server.port).unwrap_or_else(|e| panic!("{name}: {e}"));
        let cipher_name = state.session_cipher().unwrap();
        assert_eq!(
            field(&page, "Protocol"),
            Some(openssl_protocol(state.session_protocol())),
            "{name}"
        );
        assert_eq!(
            field(&page, "Cipher"),
            Some(cipher_name.openssl_name()),
            "{name}"
        );
        if let Some(forced) = cipher {
            assert_eq!(
                sslconf::Cipher::from_name(forced),
                Some(cipher_name),
                "{name}"
            );
        }
        if protocol != SslProtocol::SecureProtocols {
            assert_eq!(state.session_protocol(), protocol, "{name}");
        }
        assert_eq!(
            state.peer_certificate().unwrap().subject_display_name(),
            "localhost"
        );
        assert!(state.peer_verification_errors().is_empty());
    }
}

#[test]
fn our_client_negotiates_alpn_with_openssl() {
    if !common::peer_available("openssl") {
        return;
    }
    let p = pki();
    let server = SServer::start(&p.ecdsa.0, &p.ecdsa.1, &["-alpn", "http/1.1,h2"]);
    let config = p.client().with_allowed_next_protocols(["h2", "http/1.1"]);
    let (state, _) = fetch(&config, server.port).unwrap();
    let log = server.log();
    // OpenSSL's server picks by its own order.
    assert_eq!(state.next_negotiated_protocol(), Some(&b"http/1.1"[..]));
    assert!(log.contains("ALPN protocols selected: http/1.1"), "{log}");
}

#[test]
fn our_client_against_an_openssl_server_demanding_a_certificate() {
    if !common::peer_available("openssl") {
        return;
    }
    let p = pki();
    let demanding = ["-Verify", "2", "-CAfile", p.ca_path.as_str()];

    let server = SServer::start(&p.ecdsa.0, &p.ecdsa.1, &demanding);
    let with_cert = p
        .client()
        .with_local_certificate_chain(p.client.chain.clone())
        .with_private_key(p.client.key());
    let (state, page) = fetch(&with_cert, server.port).unwrap();
    assert!(
        page.contains("CN=client.test") || page.contains("CN = client.test"),
        "{page}"
    );
    assert!(state.peer_verification_errors().is_empty());

    // Without a certificate, OpenSSL refuses us (in TLS 1.3 after our Finished).
    let server = SServer::start(&p.ecdsa.0, &p.ecdsa.1, &demanding);
    let err = fetch(&p.client(), server.port).unwrap_err();
    assert!(err.to_string().contains("CertificateRequired"), "{err}");
}

#[test]
fn our_client_refuses_an_expired_openssl_server() {
    if !common::peer_available("openssl") {
        return;
    }
    let p = pki();
    let expired = p.ca.issue(&LeafSpec::new("localhost").validity(-30, -1));
    let (cert, key) = p.files.identity("expired", &expired);
    let server = SServer::start(&cert, &key, &[]);
    let err = fetch(&p.client(), server.port).unwrap_err();
    let kinds: Vec<SslErrorKind> = err.ssl_errors().iter().map(|e| e.kind()).collect();
    assert_eq!(kinds, [SslErrorKind::CertificateExpired], "{err}");
    assert_eq!(err.ssl_errors()[0].certificate(), Some(expired.leaf()));
}

/// Our server for one connection: answers an HTTP request (or a line) with "ok".
fn serve_once(config: SslConfiguration) -> (u16, JoinHandle<Result<SessionState, Error>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut tls = config.accept(socket)?;
        let mut request = Vec::new();
        let mut byte = [0u8; 1];
        while !request.ends_with(b"\r\n\r\n")
            && !request.ends_with(b"\n\n")
            && !request.ends_with(b"ping\n")
        {
            if tls.read(&mut byte)? == 0 {
                break;
            }
            request.push(byte[0]);
        }
        tls.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")?;
        tls.flush()?;
        tls.shutdown()?;
        Ok(tls.session_state().clone())
    });
    (port, handle)
}

fn run(program: &str, args: &[&str], input: &[u8]) -> String {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn s_client(port: u16, extra: &[&str]) -> String {
    let addr = format!("127.0.0.1:{port}");
    let mut args = vec![
        "s_client",
        "-connect",
        addr.as_str(),
        "-servername",
        "localhost",
        "-ign_eof",
    ];
    args.extend_from_slice(extra);
    run("openssl", &args, b"ping\n")
}

#[test]
fn our_server_against_openssl_s_client() {
    if !common::peer_available("openssl") {
        return;
    }
    let p = pki();
    let (client_cert, client_key) = p.files.identity("client", &p.client);
    for (protocol_flag, protocol) in [
        ("-tls1_3", SslProtocol::TlsV1_3),
        ("-tls1_2", SslProtocol::TlsV1_2),
    ] {
        for mutual in [false, true] {
            let server = common::Identity::server(&p.ca.leaf("localhost"))
                .with_ca_certificates([p.ca.cert.clone()])
                .with_peer_verify_mode(if mutual {
                    PeerVerifyMode::VerifyPeer
                } else {
                    PeerVerifyMode::QueryPeer
                })
                .with_allowed_next_protocols(["h2"]);
            let (port, handle) = serve_once(server);
            let mut args = vec![
                protocol_flag,
                "-alpn",
                "h2",
                "-CAfile",
                p.ca_path.as_str(),
                "-verify_return_error",
            ];
            if mutual {
                args.extend_from_slice(&["-cert", &client_cert, "-key", &client_key]);
            }
            let out = s_client(port, &args);
            let state = handle
                .join()
                .unwrap()
                .unwrap_or_else(|e| panic!("{protocol_flag} mutual={mutual}: {e}\n{out}"));
            let case = format!("{protocol_flag} mutual={mutual}");
            assert_eq!(state.session_protocol(), protocol, "{case}");
            assert_eq!(
                field(&out, "Protocol"),
                Some(openssl_protocol(protocol)),
                "{case}\n{out}"
            );
            assert_eq!(
                field(&out, "Cipher"),
                Some(state.session_cipher().unwrap().openssl_name()),
                "{case}"
            );
            assert_eq!(field(&out, "ALPN protocol"), Some("h2"), "{case}");
            assert_eq!(state.next_negotiated_protocol(), Some(&b"h2"[..]));
            assert_eq!(state.server_name(), Some("localhost"), "{case}");
            assert!(out.contains("Verify return code: 0 (ok)"), "{case}\n{out}");
            match mutual {
                true => assert_eq!(state.peer_certificate(), Some(p.client.leaf()), "{case}"),
                false => assert_eq!(state.peer_certificate(), None, "{case}"),
            }
        }
    }
}

#[test]
fn our_query_peer_server_reports_what_is_wrong_with_an_openssl_client() {
    if !common::peer_available("openssl") {
        return;
    }
    let p = pki();
    // A self-signed client certificate, made by openssl itself.
    let key = p.files.0.join("self.key").to_str().unwrap().to_owned();
    let cert = p.files.0.join("self.pem").to_str().unwrap().to_owned();
    let made = run(
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &cert,
            "-subj",
            "/CN=self-signed client",
            "-days",
            "2",
        ],
        b"",
    );
    assert!(std::path::Path::new(&cert).exists(), "{made}");
    // And one from a CA the server does not trust.
    let stranger = Authority::root("Stranger Root").leaf("stranger.test");
    let (stranger_cert, stranger_key) = p.files.identity("stranger", &stranger);

    for (cert, key, expected) in [
        (&cert, &key, SslErrorKind::SelfSignedCertificate),
        (
            &stranger_cert,
            &stranger_key,
            SslErrorKind::UnableToGetLocalIssuerCertificate,
        ),
    ] {
        // QueryPeer is a server's default.
        let server =
            p.ca.leaf("localhost")
                .server()
                .with_ca_certificates([p.ca.cert.clone()]);
        let (port, handle) = serve_once(server);
        let out = s_client(port, &["-cert", cert, "-key", key]);
        let state = handle
            .join()
            .unwrap()
            .unwrap_or_else(|e| panic!("{e}\n{out}"));
        let kinds: Vec<SslErrorKind> = state
            .peer_verification_errors()
            .iter()
            .map(|e| e.kind())
            .collect();
        assert_eq!(kinds, [expected]);
        assert_eq!(
            state.peer_verification_errors()[0].certificate(),
            state.peer_certificate()
        );
    }
}

#[test]
fn our_server_against_curl() {
    if !common::peer_available("curl") {
        return;
    }
    let p = pki();
    let (client_cert, client_key) = p.files.identity("client", &p.client);
    for mutual in [false, true] {
        let server =
            p.ca.leaf("localhost")
                .server()
                .with_ca_certificates([p.ca.cert.clone()])
                .with_allowed_next_protocols(["http/1.1"]);
        let (port, handle) = serve_once(server);
        let resolve = format!("localhost:{port}:127.0.0.1");
        let url = format!("https://localhost:{port}/");
        let mut args = vec![
            "-sS",
            "-v",
            "--cacert",
            p.ca_path.as_str(),
            "--resolve",
            resolve.as_str(),
            url.as_str(),
        ];
        if mutual {
            args.extend_from_slice(&["--cert", &client_cert, "--key", &client_key]);
        }
        let out = run("curl", &args, b"");
        let state = handle
            .join()
            .unwrap()
            .unwrap_or_else(|e| panic!("{e}\n{out}"));
        assert!(out.contains("ok"), "{out}");
        let expected = format!(
            "SSL connection using {} / {}",
            openssl_protocol(state.session_protocol()),
            state.session_cipher().unwrap().openssl_name()
        );
        assert!(
            out.contains(&expected),
            "mutual={mutual}: expected {expected:?} in\n{out}"
        );
        assert!(out.contains("http/1.1"), "{out}");
        assert_eq!(state.server_name(), Some("localhost"));
        assert_eq!(state.peer_certificate().is_some(), mutual);
        assert!(state.peer_verification_errors().is_empty());
    }
}

const PYTHON_CLIENT: &str = r#"
import json, socket, ssl, sys
port, cafile = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=cafile)
ctx.set_alpn_protocols(["h2", "http/1.1"])
if len(sys.argv) > 3:
    ctx.load_cert_chain(sys.argv[3], sys.argv[4])
with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
    with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
        tls.sendall(b"GET / HTTP/1.0\r\n\r\n")
        body = b""
        while True:
            try:
                chunk = tls.recv(4096)
            except ssl.SSLEOFError:
                break
            if not chunk:
                break
            body += chunk
        subject = dict(x[0] for x in tls.getpeercert()["subject"])
        print(json.dumps({"version": tls.version(), "cipher": tls.cipher()[0], "alpn": tls.selected_alpn_protocol(),
                          "subject": subject.get("commonName"), "body": body.decode()}))
"#;

#[test]
fn our_server_against_python_ssl() {
    if !common::peer_available("python3") {
        return;
    }
    let p = pki();
    let script = p.files.write("client.py", PYTHON_CLIENT);
    let (client_cert, client_key) = p.files.identity("client", &p.client);
    for mutual in [false, true] {
        let server =
            p.ca.leaf("localhost")
                .server()
                .with_ca_certificates([p.ca.cert.clone()])
                .with_allowed_next_protocols(["h2"])
                .with_peer_verify_mode(if mutual {
                    PeerVerifyMode::VerifyPeer
                } else {
                    PeerVerifyMode::QueryPeer
                });
        let (port, handle) = serve_once(server);
        let port_arg = port.to_string();
        let mut args = vec![script.as_str(), port_arg.as_str(), p.ca_path.as_str()];
        if mutual {
            args.extend_from_slice(&[&client_cert, &client_key]);
        }
        let out = run("python3", &args, b"");
        let state = handle
            .join()
            .unwrap()
            .unwrap_or_else(|e| panic!("{e}\n{out}"));
        let expect = |key: &str, value: &str| {
            assert!(
                out.contains(&format!("\"{key}\": \"{value}\"")),
                "mutual={mutual}: {key}={value} in\n{out}"
            );
        };
        expect("version", openssl_protocol(state.session_protocol()));
        expect("cipher", state.session_cipher().unwrap().openssl_name());
        expect("alpn", "h2");
        expect("subject", "localhost");
        assert!(out.contains("ok"), "{out}");
        assert_eq!(state.peer_certificate() == Some(p.client.leaf()), mutual);
    }
}
