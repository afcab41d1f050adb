//! The opt-in key log: what it writes, that tshark decrypts a captured
//! session with it (TLS 1.2 and 1.3, the client's and the server's log), and
//! that nothing is written without it, `SSLKEYLOGFILE` or not.
//!
//! The capture runs `tcpdump` on the loopback interface (root, as here and
//! under CI) and decrypts with `tshark`; off CI a missing tool skips those
//! tests visibly.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::peers::Scratch;
use common::Authority;
use sslconf::{Error, KeyLogDestination, SslConfiguration, SslProtocol};

const TLS13_LABELS: [&str; 5] = [
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    "CLIENT_TRAFFIC_SECRET_0",
    "SERVER_TRAFFIC_SECRET_0",
    "EXPORTER_SECRET",
];

/// A client trusting `ca` and a server presenting a leaf for `localhost`,
/// both speaking `protocol`.
fn pair(protocol: SslProtocol) -> (SslConfiguration, SslConfiguration) {
    let ca = Authority::root("Key Log CA");
    let server = ca.leaf("localhost").server().with_protocol(protocol);
    let client = SslConfiguration::new()
        .with_ca_certificates([ca.cert.clone()])
        .with_protocol(protocol);
    (client, server)
}

/// The key log's lines, split into (label, client random, secret), each
/// checked to be NSS key log format: a label and two lowercase hex fields.
fn key_log_lines(path: &Path) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            assert_eq!(fields.len(), 3, "not a key log line: {line:?}");
            let hex = |s: &str| {
                !s.is_empty()
                    && s.len().is_multiple_of(2)
                    && s.bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            };
            assert!(
                hex(fields[1]) && hex(fields[2]),
                "not lowercase hex: {line:?}"
            );
            assert_eq!(fields[1].len(), 64, "a client random is 32 bytes: {line:?}");
            (
                fields[0].to_owned(),
                fields[1].to_owned(),
                fields[2].to_owned(),
            )
        })
        .collect()
}

fn labels(lines: &[(String, String, String)]) -> Vec<&str> {
    let mut labels: Vec<&str> = lines.iter().map(|(l, _, _)| l.as_str()).collect();
    labels.sort_unstable();
    labels
}

#[test]
fn each_side_logs_its_secrets_in_nss_format() {
    let scratch = Scratch::new("keylog-format");
    for (protocol, expected) in [
        (SslProtocol::TlsV1_2, vec!["CLIENT_RANDOM"]),
        (SslProtocol::TlsV1_3, {
            let mut l = TLS13_LABELS.to_vec();
            l.sort_unstable();
            l
        }),
    ] {
        let client_log = scratch.path().join(format!("client-{protocol:?}.log"));
        let server_log = scratch.path().join(format!("server-{protocol:?}.log"));
        // What was in the file stays: the log appends.
        std::fs::write(&client_log, "").unwrap();
        let (client, server) = pair(protocol);
        let client = client.with_key_log_file(&client_log);
        let server = server.with_key_log_file(&server_log);
        let (state, _) = common::connect(&client, &server, "localhost").ok();
        assert_eq!(state.session_protocol(), protocol);

        let client_lines = key_log_lines(&client_log);
        let server_lines = key_log_lines(&server_log);
        assert_eq!(labels(&client_lines), expected, "{protocol:?} client");
        assert_eq!(labels(&server_lines), expected, "{protocol:?} server");
        // Both sides name the one connection by its client random, and
        // agree on every secret.
        let mut c = client_lines.clone();
        let mut s = server_lines.clone();
        c.sort();
        s.sort();
        assert_eq!(c, s, "{protocol:?}");

        // A second connection of the same configs appends to the same files.
        common::connect(&client, &server, "localhost").ok();
        for (log, first) in [(&client_log, &client_lines), (&server_log, &server_lines)] {
            let all = key_log_lines(log);
            assert!(all.starts_with(first), "{}", log.display());
            let second = &all[first.len()..];
            assert!(second.iter().all(|(_, random, _)| random != &first[0].1));
            assert!(labels(second).contains(&expected[0]));
        }
    }
}

#[test]
fn the_setting_is_read_back_shown_and_reaches_both_configs() {
    let scratch = Scratch::new("keylog-setting");
    let path = scratch.path().join("keys.log");
    let (client, server) = pair(SslProtocol::SecureProtocols);
    assert_eq!(client.key_log(), None);

    // Without the setting, the configs keep rustls's default: no key log.
    assert_eq!(
        format!("{:?}", client.client_config().unwrap().key_log),
        "NoKeyLog"
    );
    assert_eq!(
        format!("{:?}", server.server_config().unwrap().key_log),
        "NoKeyLog"
    );

    let logged = server.clone().with_key_log_file(&path);
    assert_eq!(
        logged.key_log(),
        Some(&KeyLogDestination::File(path.clone()))
    );
    assert_ne!(logged, server);
    let debug = format!("{logged:?}");
    assert!(debug.contains("key_log: Some(File("), "{debug}");
    for rustls_debug in [
        format!("{:?}", logged.client_config().unwrap().key_log),
        format!("{:?}", logged.server_config().unwrap().key_log),
    ] {
        assert!(rustls_debug.contains("keys.log"), "{rustls_debug}");
    }

    let env = server.with_key_log_from_env();
    assert_eq!(env.key_log(), Some(&KeyLogDestination::Environment));
    assert_eq!(env.clone().without_key_log().key_log(), None);
}

#[test]
fn a_key_log_that_cannot_be_opened_fails_the_conversion_naming_it() {
    let scratch = Scratch::new("keylog-open");
    let path = scratch.path().join("no-such-dir").join("keys.log");
    let (client, server) = pair(SslProtocol::SecureProtocols);
    let errors = [
        client.with_key_log_file(&path).client_config().unwrap_err(),
        server.with_key_log_file(&path).server_config().unwrap_err(),
    ];
    for err in errors {
        match &err {
            Error::OpenKeyLog { path: p, source } => {
                assert_eq!(p, &path);
                assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
            }
            other => panic!("expected OpenKeyLog, got {other:?}"),
        }
        let message = err.to_string();
        assert_eq!(
            message,
            format!("setting key_log: cannot open {}", path.display())
        );
        let source = std::error::Error::source(&err).expect("the io error is the source");
        assert!(source.downcast_ref::<std::io::Error>().is_some());
        assert!(!message.contains(&source.to_string()), "cause repeated");
    }
    assert!(!path.exists());
}

// ---------------------------------------------------------------------------
// SSLKEYLOGFILE, in a child process (the environment is the process's)

/// The environment variable that tells [`child_handshake`] what to do.
const CHILD_MODE: &str = "SSLCONF_KEY_LOG_CHILD";

/// Run by [`sslkeylogfile_is_read_only_when_asked_for`] in a child process
/// with `SSLKEYLOGFILE` set: one handshake, both sides with the key log of
/// the mode it is given ("none" or "env").
/// Run directly (no mode given), it checks that configs without the
/// setting log nothing, whatever this process's environment says.
#[test]
fn child_handshake() {
    let Ok(mode) = std::env::var(CHILD_MODE) else {
        let (client, server) = pair(SslProtocol::TlsV1_3);
        assert!(!client
            .client_config()
            .unwrap()
            .key_log
            .will_log("CLIENT_RANDOM"));
        assert!(!server
            .server_config()
            .unwrap()
            .key_log
            .will_log("CLIENT_RANDOM"));
        return;
    };
    let (client, server) = pair(SslProtocol::TlsV1_3);
    let (client, server) = match mode.as_str() {
        "none" => (client, server),
        "env" => (
            client.with_key_log_from_env(),
            server.with_key_log_from_env(),
        ),
        other => panic!("unknown mode {other:?}"),
    };
    common::connect(&client, &server, "localhost").ok();
}

fn run_child(mode: &str, key_log: &Path) {
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["child_handshake", "--exact", "--nocapture"])
        .env(CHILD_MODE, mode)
        .env("SSLKEYLOGFILE", key_log)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child {mode}: {}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn sslkeylogfile_is_read_only_when_asked_for() {
    let scratch = Scratch::new("keylog-env");
    let path = scratch.path().join("env-keys.log");

    run_child("none", &path);
    assert!(
        !path.exists(),
        "a configuration without a key log wrote {}",
        path.display()
    );

    run_child("env", &path);
    let lines = key_log_lines(&path);
    // Both sides logged the one connection, through rustls's KeyLogFile.
    let mut expected: Vec<&str> = TLS13_LABELS.iter().chain(&TLS13_LABELS).copied().collect();
    expected.sort_unstable();
    assert_eq!(labels(&lines), expected);
}

// ---------------------------------------------------------------------------
// A captured session, decrypted by tshark

/// tcpdump writing the packets of one TCP port on the loopback interface to
/// a file; killed if dropped while running.
struct Capture {
    child: Child,
    /// What tcpdump wrote on stderr after it started listening.
    stderr: Option<thread::JoinHandle<String>>,
}

impl Capture {
    /// Starts tcpdump and returns once it is capturing (it has said
    /// "listening on"); `None`, with a visible skip, where it cannot capture
    /// (not root) off CI.
    fn start(port: u16, file: &Path) -> Option<Capture> {
        let mut child = Command::new("tcpdump")
            .args([
                "-i",
                "lo",
                "-n",
                "-U",
                "--immediate-mode",
                // A large buffer: under a loaded machine (tests run in
                // parallel) the kernel drops what a small one cannot hold.
                "-B",
                "65536",
                "-Z",
                "root",
                "-w",
            ])
            .arg(file)
            .arg(format!("tcp port {port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tcpdump runs");
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let (tx, rx) = mpsc::channel();
        let reader = thread::spawn(move || {
            let mut seen = String::new();
            let mut line = String::new();
            while stderr.read_line(&mut line).unwrap_or(0) > 0 {
                if line.contains("listening on") {
                    let _ = tx.send(Ok(()));
                }
                seen.push_str(&line);
                line.clear();
            }
            let _ = tx.send(Err(seen.clone()));
            seen
        });
        let mut capture = Capture {
            child,
            stderr: Some(reader),
        };
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(Ok(())) => Some(capture),
            Ok(Err(said)) => {
                let _ = capture.child.wait();
                let not_root = said.contains("ermission") || said.contains("not permitted");
                if not_root && std::env::var("CI").map_or(true, |v| v != "true") {
                    common::skipped(&format!(
                        "tcpdump cannot capture here (run as root): {said}"
                    ));
                    return None;
                }
                panic!("tcpdump stopped before capturing: {said}");
            }
            Err(_) => panic!("tcpdump did not start listening within 30 s"),
        }
    }

    /// Stops tcpdump with SIGINT, so that it closes the file cleanly, and
    /// waits for it (at most 30 s); returns what it said on stderr.
    fn stop(mut self) -> String {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -INT tcpdump: {status}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "tcpdump did not stop on SIGINT");
            thread::sleep(Duration::from_millis(50));
        };
        let said = self.stderr.take().unwrap().join().unwrap();
        assert!(status.success(), "tcpdump: {status}: {said}");
        said
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The application data tshark decrypts from `pcap` with `key_log` (none:
/// without one), for TLS on `port`: each record's bytes, concatenated.
fn tshark_app_data(pcap: &Path, port: u16, key_log: Option<&Path>) -> Vec<u8> {
    let mut command = Command::new("tshark");
    command.arg("-r").arg(pcap);
    if let Some(key_log) = key_log {
        command
            .arg("-o")
            .arg(format!("tls.keylog_file:{}", key_log.display()));
    }
    let output = command
        .args(["-d", &format!("tcp.port=={port},tls")])
        // Decrypted application data of no known protocol is tshark's `data`.
        .args(["-Y", "tls", "-T", "fields", "-e", "data.data"])
        .stdin(Stdio::null())
        .output()
        .expect("tshark runs");
    assert!(
        output.status.success(),
        "tshark: {}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|field| !field.is_empty())
        .flat_map(|field| unhex(field.trim_start_matches("0x").replace(':', "").as_str()))
        .collect()
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// One connection on `listener`: the client sends `to_server`, the server
/// answers `to_client`, and both close.
fn exchange(
    client: &SslConfiguration,
    server: &SslConfiguration,
    listener: TcpListener,
    to_server: &'static [u8],
    to_client: &'static [u8],
) {
    let addr = listener.local_addr().unwrap();
    let server = server.clone();
    let server_thread = thread::spawn(move || -> Result<(), Error> {
        let (socket, _) = listener.accept()?;
        socket.set_read_timeout(Some(Duration::from_secs(10)))?;
        let mut tls = server.accept(socket)?;
        let mut got = vec![0; to_server.len()];
        tls.read_exact(&mut got)?;
        assert_eq!(got, to_server);
        tls.write_all(to_client)?;
        tls.flush()?;
        tls.shutdown()?;
        Ok(())
    });
    let socket = TcpStream::connect(addr).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut tls = client.connect("localhost", socket).unwrap();
    tls.write_all(to_server).unwrap();
    tls.flush().unwrap();
    let mut got = Vec::new();
    tls.read_to_end(&mut got).unwrap();
    assert_eq!(got, to_client);
    drop(tls);
    server_thread.join().unwrap().unwrap();
}

/// Captures one session of `protocol` in which the client logs to one file
/// and the server to another, and decrypts it with tshark with each.
fn captured_session_decrypts(protocol: SslProtocol, tag: &str) {
    if !common::peer_available("tcpdump") || !common::peer_available("tshark") {
        return;
    }
    let scratch = Scratch::new(tag);
    let pcap = scratch.path().join("session.pcap");
    let client_log = scratch.path().join("client-keys.log");
    let server_log = scratch.path().join("server-keys.log");
    let (client, server) = pair(protocol);
    let client = client.with_key_log_file(&client_log);
    let server = server.with_key_log_file(&server_log);
    const TO_SERVER: &[u8] = b"sslconf key log marker: the client's secret words";
    const TO_CLIENT: &[u8] = b"sslconf key log marker: the server's answer";

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let Some(capture) = Capture::start(port, &pcap) else {
        return;
    };
    exchange(&client, &server, listener, TO_SERVER, TO_CLIENT);

    // tcpdump writes each packet as it sees it; give it until it has the
    // whole session (both markers decrypt), at most 20 s, before stopping it:
    // what it has not read by SIGINT may never reach the file.
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let data = tshark_app_data(&pcap, port, Some(&client_log));
        if contains(&data, TO_SERVER) && contains(&data, TO_CLIENT) {
            break;
        }
        thread::sleep(Duration::from_millis(200));
    }
    // Packets the kernel dropped (a starved tcpdump) show below as markers
    // that do not decrypt; tcpdump's own account goes with the failure.
    let said = capture.stop();

    // The markers are encrypted on the wire, and tshark cannot read them
    // without a key log.
    let raw = std::fs::read(&pcap).unwrap();
    assert!(!contains(&raw, TO_SERVER) && !contains(&raw, TO_CLIENT));
    let without = tshark_app_data(&pcap, port, None);
    assert!(!contains(&without, TO_SERVER) && !contains(&without, TO_CLIENT));

    // Either side's log decrypts both directions.
    for (side, log) in [("client", &client_log), ("server", &server_log)] {
        let data = tshark_app_data(&pcap, port, Some(log));
        for marker in [TO_SERVER, TO_CLIENT] {
            assert!(
                contains(&data, marker),
                "{protocol:?}: tshark with the {side}'s key log did not show {:?}; \
                 it decrypted {:?}; tcpdump: {said}",
                String::from_utf8_lossy(marker),
                String::from_utf8_lossy(&data)
            );
        }
    }
}

#[test]
fn tshark_decrypts_a_tls12_session_with_the_key_log() {
    captured_session_decrypts(SslProtocol::TlsV1_2, "keylog-tls12");
}

#[test]
fn tshark_decrypts_a_tls13_session_with_the_key_log() {
    captured_session_decrypts(SslProtocol::TlsV1_3, "keylog-tls13");
}
