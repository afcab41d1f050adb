//! The interop matrix: sslconf against OpenSSL, GnuTLS and Python's `ssl`,
//! in both directions, over {TLS 1.2, TLS 1.3} × {ECDSA P-256, ECDSA P-384,
//! RSA-2048, Ed25519 server keys} × {server auth, mutual TLS} × {ALPN on, off},
//! and every cipher suite sslconf supports forced one at a time.
//!
//! Each case checks what both ends report. Each test writes its rows to
//! `target/interop/<peer>-<direction>.md`; TESTING.md's tables come from there.

mod common;

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use common::{Authority, Identity, LeafSpec};
use sslconf::{Cipher, Error, PeerVerifyMode, SessionState, SslConfiguration, SslProtocol};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Peer {
    OpenSsl,
    GnuTls,
    Python,
}

impl Peer {
    fn program(self, server: bool) -> &'static str {
        match (self, server) {
            (Peer::OpenSsl, _) => "openssl",
            (Peer::GnuTls, true) => "gnutls-serv",
            (Peer::GnuTls, false) => "gnutls-cli",
            (Peer::Python, _) => "python3",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Peer::OpenSsl => "openssl",
            Peer::GnuTls => "gnutls",
            Peer::Python => "python",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Key {
    P256,
    P384,
    Rsa2048,
    Ed25519,
}

impl Key {
    const ALL: [Key; 4] = [Key::P256, Key::P384, Key::Rsa2048, Key::Ed25519];

    fn algorithm(self) -> &'static rcgen::SignatureAlgorithm {
        match self {
            Key::P256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            Key::P384 => &rcgen::PKCS_ECDSA_P384_SHA384,
            Key::Rsa2048 => &rcgen::PKCS_RSA_SHA256,
            Key::Ed25519 => &rcgen::PKCS_ED25519,
        }
    }
}

/// One cell of the matrix.
#[derive(Clone, Copy)]
struct Case {
    protocol: SslProtocol,
    key: Key,
    mutual: bool,
    alpn: bool,
    cipher: Option<Cipher>,
}

impl Case {
    fn label(&self) -> String {
        match self.cipher {
            Some(c) => format!("{} ({:?} key)", c.name(), self.key),
            None => format!(
                "{} {:?} {} {}",
                self.protocol,
                self.key,
                if self.mutual { "mTLS" } else { "server auth" },
                if self.alpn { "ALPN" } else { "no ALPN" }
            ),
        }
    }

    fn protocol(&self) -> SslProtocol {
        self.cipher.map_or(self.protocol, |c| c.protocol())
    }
}

fn matrix() -> Vec<Case> {
    let mut cases = Vec::new();
    for protocol in [SslProtocol::TlsV1_2, SslProtocol::TlsV1_3] {
        for key in Key::ALL {
            for mutual in [false, true] {
                for alpn in [false, true] {
                    cases.push(Case {
                        protocol,
                        key,
                        mutual,
                        alpn,
                        cipher: None,
                    });
                }
            }
        }
    }
    for cipher in SslConfiguration::supported_ciphers() {
        let key = if cipher.authentication_method() == "RSA" {
            Key::Rsa2048
        } else {
            Key::P256
        };
        cases.push(Case {
            protocol: cipher.protocol(),
            key,
            mutual: false,
            alpn: false,
            cipher: Some(cipher),
        });
    }
    cases
}

/// Certificates for every key kind, a client identity, and their files.
struct Pki {
    dir: PathBuf,
    ca: Authority,
    ca_path: String,
    servers: Vec<(Key, Identity, String, String)>,
    client: Identity,
    client_files: (String, String),
}

fn pki() -> Pki {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "sslconf-interop-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let ca = Authority::root("Interop Root");
    let ca_path = write("ca.pem", &ca.cert.to_pem());
    let servers = Key::ALL
        .iter()
        .map(|&key| {
            let id = ca.issue(&LeafSpec::new("localhost").algorithm(key.algorithm()));
            let cert = write(&format!("{key:?}.pem"), &id.chain_pem());
            let key_path = write(&format!("{key:?}.key"), &id.key_pem());
            (key, id, cert, key_path)
        })
        .collect();
    let client = ca.leaf("client.test");
    let client_files = (
        write("client.pem", &client.chain_pem()),
        write("client.key", &client.key_pem()),
    );
    Pki {
        dir,
        ca,
        ca_path,
        servers,
        client,
        client_files,
    }
}

impl Pki {
    fn server(&self, key: Key) -> &(Key, Identity, String, String) {
        self.servers.iter().find(|s| s.0 == key).unwrap()
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What the peer said it negotiated.
#[derive(Debug, Default)]
struct PeerView {
    protocol: Option<String>,
    /// The cipher as the peer names it.
    cipher: Option<String>,
    alpn: Option<String>,
    /// Whether the peer saw (as server) or verified (as client) the other side's certificate.
    peer_certificate: bool,
}

/// How a peer spells the protocol version and a cipher.
fn peer_protocol(peer: Peer, p: SslProtocol) -> &'static str {
    match (peer, p) {
        (Peer::GnuTls, SslProtocol::TlsV1_2) => "TLS1.2",
        (Peer::GnuTls, _) => "TLS1.3",
        (_, SslProtocol::TlsV1_2) => "TLSv1.2",
        _ => "TLSv1.3",
    }
}

fn peer_cipher(peer: Peer, c: Cipher) -> String {
    match peer {
        Peer::GnuTls => match (c.encryption_method(), c.used_bits()) {
            ("AESGCM", bits) => format!("AES-{bits}-GCM"),
            _ => "CHACHA20-POLY1305".to_owned(),
        },
        _ => c.openssl_name().to_owned(),
    }
}

enum Outcome {
    Pass,
    Fail(String),
}

fn compare(
    peer: Peer,
    case: &Case,
    ours: &SessionState,
    theirs: &PeerView,
    we_see_peer_cert: bool,
) -> Outcome {
    let mut problems = Vec::new();
    let cipher = ours.session_cipher();
    if ours.session_protocol() != case.protocol() {
        problems.push(format!("we negotiated {}", ours.session_protocol()));
    }
    if let (Some(forced), Some(got)) = (case.cipher, cipher) {
        if forced != got {
            problems.push(format!("we negotiated {got}"));
        }
    }
    if theirs.protocol.as_deref() != Some(peer_protocol(peer, ours.session_protocol())) {
        problems.push(format!("peer says protocol {:?}", theirs.protocol));
    }
    let expected_cipher = cipher.map(|c| peer_cipher(peer, c));
    if theirs.cipher != expected_cipher {
        problems.push(format!(
            "peer says cipher {:?}, we {:?}",
            theirs.cipher, expected_cipher
        ));
    }
    let our_alpn = ours
        .next_negotiated_protocol()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    let expected_alpn = case.alpn.then(|| "h2".to_owned());
    if our_alpn != expected_alpn {
        problems.push(format!("we negotiated ALPN {our_alpn:?}"));
    }
    if theirs.alpn.is_some() && theirs.alpn != expected_alpn {
        problems.push(format!("peer says ALPN {:?}", theirs.alpn));
    }
    if !theirs.peer_certificate && (case.mutual || !we_see_peer_cert) {
        problems.push("the peer did not see/verify the certificate".to_owned());
    }
    if we_see_peer_cert != ours.peer_certificate().is_some() {
        problems.push(format!(
            "our peer certificate: {:?}",
            ours.peer_certificate().map(|c| c.subject_display_name())
        ));
    }
    if problems.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail(problems.join("; "))
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A peer server process, killed on drop; its output collected in the background.
struct Server {
    child: Child,
    port: u16,
    exits_alone: bool,
    output: mpsc::Receiver<String>,
}

impl Server {
    /// Starts `program`, waiting for a stdout line containing `ready` (and
    /// taking the port from it when `port` is 0).
    fn start(program: &str, args: &[String], ready: &str, port: u16) -> Server {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut port = port;
        if ready.is_empty() {
            // A server whose piped stdout is block-buffered: poll its port.
            for _ in 0..250 {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    break;
                }
                thread::sleep(Duration::from_millis(20));
            }
        }
        if !ready.is_empty() {
            for line in lines.by_ref() {
                let line = line.unwrap();
                if line.contains(ready) {
                    if port == 0 {
                        port = line.rsplit(' ').next().unwrap().parse().unwrap();
                    }
                    break;
                }
            }
        }
        let (tx, output) = mpsc::channel();
        thread::spawn(move || {
            let _ = tx.send(lines.map_while(Result::ok).collect::<Vec<_>>().join("\n"));
        });
        Server {
            child,
            port,
            exits_alone: !ready.is_empty(),
            output,
        }
    }

    fn finish(mut self) -> String {
        // s_server and the Python server exit after one connection; gnutls-serv,
        // which never does, has printed nothing we read.
        for _ in 0..if self.exits_alone { 50 } else { 0 } {
            if self.child.try_wait().ok().flatten().is_some() {
                break;
            }
            thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        self.output
            .recv_timeout(Duration::from_secs(5))
            .unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const PYTHON_SERVER: &str = r#"
import json, socket, ssl, sys
cert, key, ca, mutual, alpn = sys.argv[1:6]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
if mutual == "1":
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(ca)
if alpn == "1":
    ctx.set_alpn_protocols(["h2"])
listener = socket.create_server(("127.0.0.1", 0))
print("READY", listener.getsockname()[1], flush=True)
conn, _ = listener.accept()
conn.settimeout(10)
with ctx.wrap_socket(conn, server_side=True) as tls:
    tls.recv(1024)
    peer = tls.getpeercert()
    tls.sendall(json.dumps({"version": tls.version(), "cipher": tls.cipher()[0],
                            "alpn": tls.selected_alpn_protocol(), "peer": bool(peer)}).encode())
    tls.unwrap()
"#;

const PYTHON_CLIENT: &str = r#"
import json, socket, ssl, sys
port, ca, cert, key, alpn = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
ctx = ssl.create_default_context(cafile=ca)
if cert:
    ctx.load_cert_chain(cert, key)
if alpn == "1":
    ctx.set_alpn_protocols(["h2"])
with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
    with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
        tls.sendall(b"ping\n")
        try:
            while tls.recv(4096):
                pass
        except ssl.SSLError:
            pass
        print(json.dumps({"version": tls.version(), "cipher": tls.cipher()[0],
                          "alpn": tls.selected_alpn_protocol(), "peer": bool(tls.getpeercert())}))
"#;

fn json_field(text: &str, key: &str) -> Option<String> {
    let start = text.find(&format!("\"{key}\": "))? + key.len() + 4;
    let rest = &text[start..];
    if let Some(quoted) = rest.strip_prefix('"') {
        quoted.split('"').next().map(str::to_owned)
    } else {
        rest.split([',', '}'])
            .next()
            .map(|v| v.trim().to_owned())
            .filter(|v| v != "null")
    }
}

fn line_field(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let rest = l.trim().strip_prefix(key)?.trim_start();
        Some(rest.strip_prefix(':')?.trim().to_owned())
    })
}

/// gnutls's "(TLS1.3-X.509)-(ECDHE-X25519)-(ECDSA-SECP256R1-SHA256)-(AES-256-GCM)".
fn gnutls_description(text: &str) -> (Option<String>, Option<String>) {
    let Some(desc) = text.lines().find_map(|l| l.split("Description:").nth(1)) else {
        return (None, None);
    };
    let parts: Vec<&str> = desc
        .trim()
        .trim_start_matches("</TD><TD>")
        .split(")-(")
        .collect();
    let protocol = parts.first().map(|p| {
        p.trim_start_matches('(')
            .split('-')
            .next()
            .unwrap_or("")
            .to_owned()
    });
    let cipher = parts
        .last()
        .map(|c| c.split(')').next().unwrap_or("").to_owned());
    (protocol, cipher)
}

/// Our client against the peer's server.
fn client_case(peer: Peer, pki: &Pki, case: &Case) -> Outcome {
    let (_, _, cert, key) = pki.server(case.key);
    let server = match peer {
        Peer::OpenSsl => {
            let port = free_port();
            let mut args: Vec<String> = [
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
            ]
            .map(String::from)
            .to_vec();
            if case.mutual {
                args.extend(["-Verify", "2", "-CAfile", &pki.ca_path].map(String::from));
            }
            if case.alpn {
                args.extend(["-alpn", "h2"].map(String::from));
            }
            Server::start("openssl", &args, "ACCEPT", port)
        }
        Peer::GnuTls => {
            let port = free_port();
            let mut args: Vec<String> = [
                "--port",
                &port.to_string(),
                "--x509certfile",
                cert,
                "--x509keyfile",
                key,
                "--http",
            ]
            .map(String::from)
            .to_vec();
            if case.mutual {
                args.extend(
                    [
                        "--require-client-cert",
                        "--verify-client-cert",
                        "--x509cafile",
                        &pki.ca_path,
                    ]
                    .map(String::from),
                );
            }
            if case.alpn {
                args.extend(["--alpn", "h2"].map(String::from));
            }
            Server::start("gnutls-serv", &args, "", port)
        }
        Peer::Python => {
            let script = pki.write("server.py", PYTHON_SERVER);
            let args = [
                script,
                cert.clone(),
                key.clone(),
                pki.ca_path.clone(),
                flag(case.mutual),
                flag(case.alpn),
            ];
            Server::start("python3", &args, "READY", 0)
        }
    };
    let mut config = SslConfiguration::new()
        .with_ca_certificates([pki.ca.cert.clone()])
        .with_protocol(case.protocol());
    if let Some(cipher) = case.cipher {
        config = config.with_ciphers([cipher]);
    }
    if case.mutual {
        config = config
            .with_local_certificate_chain(pki.client.chain.clone())
            .with_private_key(pki.client.key());
    }
    if case.alpn {
        config = config.with_allowed_next_protocols(["h2"]);
    }
    let result = (|| -> Result<(SessionState, String), Error> {
        let socket = TcpStream::connect(("127.0.0.1", server.port))?;
        socket.set_read_timeout(Some(Duration::from_secs(10)))?;
        let mut tls = config.connect("localhost", socket)?;
        tls.write_all(b"GET / HTTP/1.0\r\n\r\n")?;
        let mut page = Vec::new();
        match tls.read_to_end(&mut page) {
            Err(e) if e.kind() != std::io::ErrorKind::UnexpectedEof => return Err(e.into()),
            _ => {}
        }
        Ok((
            tls.session_state().clone(),
            String::from_utf8_lossy(&page).into_owned(),
        ))
    })();
    let log = server.finish();
    let (ours, page) = match result {
        Ok(done) => done,
        Err(err) => return Outcome::Fail(format!("our client: {err}")),
    };
    let theirs = match peer {
        Peer::OpenSsl => PeerView {
            protocol: line_field(&page, "Protocol"),
            cipher: line_field(&page, "Cipher"),
            alpn: log.lines().find_map(|l| {
                l.strip_prefix("ALPN protocols selected: ")
                    .map(str::to_owned)
            }),
            peer_certificate: !case.mutual
                || page.contains("CN=client.test")
                || page.contains("CN = client.test"),
        },
        Peer::GnuTls => {
            let (protocol, cipher) = gnutls_description(&page);
            PeerView {
                protocol,
                cipher,
                alpn: None,
                peer_certificate: true,
            }
        }
        Peer::Python => PeerView {
            protocol: json_field(&page, "version"),
            cipher: json_field(&page, "cipher"),
            alpn: json_field(&page, "alpn"),
            peer_certificate: !case.mutual || json_field(&page, "peer").as_deref() == Some("true"),
        },
    };
    compare(peer, case, &ours, &theirs, true)
}

fn flag(on: bool) -> String {
    if on { "1" } else { "0" }.to_owned()
}

/// The peer's client against our server.
fn server_case(peer: Peer, pki: &Pki, case: &Case) -> Outcome {
    let (_, identity, _, _) = pki.server(case.key);
    let mut config = identity
        .server()
        .with_ca_certificates([pki.ca.cert.clone()])
        .with_protocol(case.protocol())
        .with_peer_verify_mode(if case.mutual {
            PeerVerifyMode::VerifyPeer
        } else {
            PeerVerifyMode::VerifyNone
        });
    if let Some(cipher) = case.cipher {
        config = config.with_ciphers([cipher]);
    }
    if case.alpn {
        config = config.with_allowed_next_protocols(["h2"]);
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let ours = thread::spawn(move || -> Result<SessionState, Error> {
        let (socket, _) = listener.accept()?;
        socket.set_read_timeout(Some(Duration::from_secs(10)))?;
        let mut tls = config.accept(socket)?;
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while !line.ends_with(b"\n") && tls.read(&mut byte)? == 1 {
            line.push(byte[0]);
        }
        tls.write_all(b"pong\n")?;
        tls.shutdown()?;
        Ok(tls.session_state().clone())
    });
    let (cert, key) = &pki.client_files;
    let out = match peer {
        Peer::OpenSsl => {
            let addr = format!("127.0.0.1:{port}");
            let mut args = vec![
                "s_client",
                "-connect",
                &addr,
                "-servername",
                "localhost",
                "-CAfile",
                &pki.ca_path,
                "-verify_return_error",
                "-ign_eof",
            ];
            if case.mutual {
                args.extend_from_slice(&["-cert", cert, "-key", key]);
            }
            if case.alpn {
                args.extend_from_slice(&["-alpn", "h2"]);
            }
            run("openssl", &args)
        }
        Peer::GnuTls => {
            let port = port.to_string();
            let mut args = vec!["--port", &port, "--x509cafile", &pki.ca_path, "localhost"];
            if case.mutual {
                args.extend_from_slice(&["--x509certfile", cert, "--x509keyfile", key]);
            }
            if case.alpn {
                args.extend_from_slice(&["--alpn", "h2"]);
            }
            run("gnutls-cli", &args)
        }
        Peer::Python => {
            let script = pki.write("client.py", PYTHON_CLIENT);
            let port = port.to_string();
            let (cert, key) = if case.mutual {
                (cert.as_str(), key.as_str())
            } else {
                ("", "")
            };
            run(
                "python3",
                &[&script, &port, &pki.ca_path, cert, key, &flag(case.alpn)],
            )
        }
    };
    let ours = match ours.join().unwrap() {
        Ok(state) => state,
        Err(err) => {
            return Outcome::Fail(format!(
                "our server: {err}; peer said: {}",
                last_lines(&out)
            ))
        }
    };
    let theirs = match peer {
        Peer::OpenSsl => PeerView {
            protocol: line_field(&out, "Protocol"),
            cipher: line_field(&out, "Cipher"),
            alpn: line_field(&out, "ALPN protocol"),
            peer_certificate: out.contains("Verify return code: 0 (ok)"),
        },
        Peer::GnuTls => {
            let (protocol, cipher) = gnutls_description(&out);
            PeerView {
                protocol,
                cipher,
                alpn: line_field(&out, "- Application protocol"),
                peer_certificate: out.contains("The certificate is trusted"),
            }
        }
        Peer::Python => PeerView {
            protocol: json_field(&out, "version"),
            cipher: json_field(&out, "cipher"),
            alpn: json_field(&out, "alpn"),
            peer_certificate: json_field(&out, "peer").as_deref() == Some("true"),
        },
    };
    compare(peer, case, &ours, &theirs, case.mutual)
}

fn run(program: &str, args: &[&str]) -> String {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Give the handshake time before the line, so it is sent as application data.
    thread::sleep(Duration::from_millis(150));
    let _ = stdin.write_all(b"ping\n");
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn last_lines(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(4)..].join(" | ")
}

/// Runs every case in one direction against one peer, writes the table,
/// and fails with every failing case listed.
fn run_matrix(peer: Peer, we_are_client: bool) {
    let program = peer.program(!we_are_client);
    if !common::peer_available(program) {
        return;
    }
    let pki = pki();
    let direction = if we_are_client {
        "sslconf client"
    } else {
        "sslconf server"
    };
    let mut table = format!("| case | {} vs {} |\n|---|---|\n", direction, peer.name());
    let mut failures = Vec::new();
    for case in matrix() {
        let outcome = if we_are_client {
            client_case(peer, &pki, &case)
        } else {
            server_case(peer, &pki, &case)
        };
        let cell = match &outcome {
            Outcome::Pass => "pass".to_owned(),
            Outcome::Fail(why) => {
                failures.push(format!("{}: {why}", case.label()));
                format!("FAIL: {why}")
            }
        };
        let _ = writeln!(table, "| {} | {cell} |", case.label());
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../interop");
    let _ = std::fs::create_dir_all(&dir);
    let file = format!(
        "{}-{}.md",
        peer.name(),
        if we_are_client { "server" } else { "client" }
    );
    let _ = std::fs::write(dir.join(file), &table);
    assert!(
        failures.is_empty(),
        "{} failing cases against {}:\n{}",
        failures.len(),
        peer.name(),
        failures.join("\n")
    );
}

#[test]
fn sslconf_client_vs_openssl_server() {
    run_matrix(Peer::OpenSsl, true);
}

#[test]
fn sslconf_server_vs_openssl_client() {
    run_matrix(Peer::OpenSsl, false);
}

#[test]
fn sslconf_client_vs_gnutls_server() {
    run_matrix(Peer::GnuTls, true);
}

#[test]
fn sslconf_server_vs_gnutls_client() {
    run_matrix(Peer::GnuTls, false);
}

#[test]
fn sslconf_client_vs_python_server() {
    run_matrix(Peer::Python, true);
}

#[test]
fn sslconf_server_vs_python_client() {
    run_matrix(Peer::Python, false);
}
