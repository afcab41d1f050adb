//! Session resumption across a fleet: servers sharing session-ticket key
//! files resume each other's sessions.
//!
//! The process tests start real `examples/server` processes (built by
//! `cargo test`, found next to this test binary) on two ports with the same
//! key file, and a client alternating between them: the crate's own (one
//! `SslConfiguration` value, so one session store) and `openssl s_client`
//! with `-sess_out`/`-sess_in`. Then the same without keys (random keys per
//! process: nothing resumes on the other server), a rotation of nginx's
//! key files, and of one HAProxy `tls-ticket-keys` file made and rotated
//! with openssl as HAProxy's manual does.
//! Every process is killed on drop; every step has a deadline.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::peers::{our_client, run_client, PeerServer, PemFiles, Scratch};
use common::Authority;
use sslconf::{Error, SslConfiguration, SslOption, SslProtocol, TicketKeys};

const HOST: &str = "localhost";
const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
/// Connections per alternation: A, B, A, B, ...
const ROUNDS: usize = 6;

// ---------------------------------------------------------------------------
// In process: the conversion.

fn fleet_server(id: &common::Identity, keys: &[u8]) -> SslConfiguration {
    id.server()
        .with_session_ticket_keys(TicketKeys::from_bytes(keys).unwrap())
}

#[test]
fn servers_sharing_keys_resume_each_others_sessions_in_process() {
    let ca = Authority::root("fleet CA");
    let id = ca.leaf(HOST);
    let key = [0x42u8; 80];
    let (a, b) = (fleet_server(&id, &key), fleet_server(&id, &key));
    // Two values, converted separately: two ticketers with the same keys.
    assert!(!std::sync::Arc::ptr_eq(
        &a.server_config().unwrap(),
        &b.server_config().unwrap()
    ));
    for protocol in [SslProtocol::TlsV1_3, SslProtocol::TlsV1_2] {
        let client = SslConfiguration::new()
            .with_ca_certificates([ca.cert.clone()])
            .with_protocol(protocol);
        let resumed: Vec<bool> = (0..ROUNDS)
            .map(|i| {
                let server = if i % 2 == 0 { &a } else { &b };
                common::connect(&client, server, HOST).ok().0.is_resumed()
            })
            .collect();
        assert_eq!(resumed, expect_resumed_after_first(), "{protocol:?}");
    }
}

#[test]
fn without_keys_the_conversion_is_unchanged() {
    let id = Authority::root("fleet CA").leaf(HOST);
    let plain = id.server().server_config().unwrap();
    let ticketer = format!("{:?}", plain.ticketer);
    assert!(!ticketer.contains("SharedTicketer"), "{ticketer}");
    assert!(plain.ticketer.enabled());
    assert_eq!(plain.ticketer.lifetime(), 12 * 60 * 60);

    let shared = fleet_server(&id, &[1; 80]).server_config().unwrap();
    let ticketer = format!("{:?}", shared.ticketer);
    assert!(ticketer.contains("SharedTicketer"), "{ticketer}");
    assert!(ticketer.contains(&"01".repeat(16)), "{ticketer}");
    assert_eq!(shared.ticketer.lifetime(), 12 * 60 * 60);
    assert_eq!(shared.send_tls13_tickets, plain.send_tls13_tickets);
}

#[test]
fn disabling_tickets_still_disables_them_with_keys() {
    let ca = Authority::root("fleet CA");
    let id = ca.leaf(HOST);
    for option in [
        SslOption::DisableSessionTickets,
        SslOption::DisableSessionSharing,
    ] {
        let server = fleet_server(&id, &[7; 80])
            .with_ssl_option(option, true)
            .unwrap();
        let config = server.server_config().unwrap();
        assert!(!config.ticketer.enabled(), "{option:?}");
        assert_eq!(config.send_tls13_tickets, 0, "{option:?}");
        let other = fleet_server(&id, &[7; 80])
            .with_ssl_option(option, true)
            .unwrap();
        for protocol in [SslProtocol::TlsV1_3, SslProtocol::TlsV1_2] {
            let client = SslConfiguration::new()
                .with_ca_certificates([ca.cert.clone()])
                .with_protocol(protocol);
            common::connect(&client, &server, HOST).ok();
            let (state, _) = common::connect(&client, &other, HOST).ok();
            assert!(!state.is_resumed(), "{option:?} {protocol:?}");
        }
    }
}

#[test]
fn lifetime_is_checked_at_server_conversion() {
    let id = Authority::root("fleet CA").leaf(HOST);
    let server = fleet_server(&id, &[1; 48]);
    let config = server
        .clone()
        .with_session_ticket_lifetime(Duration::from_secs(300))
        .server_config()
        .unwrap();
    assert_eq!(config.ticketer.lifetime(), 300);
    let config = server
        .clone()
        .with_session_ticket_lifetime(Duration::from_secs(7 * 24 * 3600))
        .server_config()
        .unwrap();
    assert_eq!(config.ticketer.lifetime(), 7 * 24 * 3600);

    for lifetime in [
        Duration::ZERO,
        Duration::from_millis(999),
        Duration::from_secs(7 * 24 * 3600 + 1),
    ] {
        let err = server
            .clone()
            .with_session_ticket_lifetime(lifetime)
            .server_config()
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidSessionTicketLifetime { lifetime: l, .. } if l == lifetime)
        );
        assert!(
            err.to_string()
                .starts_with("setting session_ticket_lifetime: "),
            "{err}"
        );
        assert!(err.to_string().contains("7 days"), "{err}");
    }
    let err = id
        .server()
        .with_session_ticket_lifetime(Duration::from_secs(60))
        .server_config()
        .unwrap_err();
    assert!(
        err.to_string().contains("with_session_ticket_keys"),
        "{err}"
    );
    // A client ignores both.
    SslConfiguration::new()
        .with_session_ticket_keys(TicketKeys::generate().unwrap())
        .with_session_ticket_lifetime(Duration::ZERO)
        .client_config()
        .unwrap();
}

#[test]
fn configuration_equality_and_debug() {
    let a =
        SslConfiguration::new().with_session_ticket_keys(TicketKeys::from_bytes(&[1; 80]).unwrap());
    let b =
        SslConfiguration::new().with_session_ticket_keys(TicketKeys::from_bytes(&[1; 80]).unwrap());
    let c =
        SslConfiguration::new().with_session_ticket_keys(TicketKeys::from_bytes(&[2; 80]).unwrap());
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_ne!(a, SslConfiguration::new());
    assert_eq!(a.session_ticket_lifetime(), Duration::from_secs(12 * 3600));
    let debug = format!("{a:?}");
    assert!(debug.contains(&"01".repeat(16)), "{debug}");
    assert!(debug.contains("secrets: [elided]"), "{debug}");
}

// ---------------------------------------------------------------------------
// Real processes.

fn expect_resumed_after_first() -> Vec<bool> {
    (0..ROUNDS).map(|i| i > 0).collect()
}

/// `target/<profile>/examples/server`, next to `target/<profile>/deps/` where
/// this test runs; `None` (a loud skip, a failure under CI) when it is
/// missing or predates `--ticket-key`: `cargo test --test ticket_keys`
/// alone does not build examples.
fn example_server() -> Option<PathBuf> {
    // Missing: a loud skip (a failure under CI); older than its sources: a
    // failure.
    let path = common::example_binary("server")?;
    let help = Command::new(&path).arg("--help").output().unwrap();
    assert!(
        String::from_utf8_lossy(&help.stdout).contains("--ticket-key"),
        "{} has no --ticket-key: rebuild it with `cargo build --all-features --example server`",
        path.display()
    );
    Some(path)
}

/// A fleet's shared files: the server identity and key files.
struct Files {
    scratch: Scratch,
    ca: Authority,
    identity: PemFiles,
}

impl Files {
    fn new(tag: &str) -> Files {
        let scratch = Scratch::new(tag);
        let ca = Authority::root("fleet CA");
        let identity = scratch.identity("server", &ca.leaf(HOST));
        Files {
            scratch,
            ca,
            identity,
        }
    }

    /// A key file of `len` random bytes, as an operator makes one.
    fn key_file(&self, name: &str, len: usize) -> String {
        let path = self.scratch.path().join(name);
        let path = path.to_str().unwrap().to_owned();
        common::openssl::run(&["rand", "-out", &path, &len.to_string()]);
        assert_eq!(std::fs::metadata(&path).unwrap().len(), len as u64);
        path
    }

    /// An `examples/server` with `--ticket-key` for each of `keys`, in order.
    fn server(&self, program: &Path, keys: &[&str]) -> PeerServer {
        self.server_with(program, keys, &[])
    }

    /// The same, with `more` arguments.
    fn server_with(&self, program: &Path, keys: &[&str], more: &[&str]) -> PeerServer {
        let mut args: Vec<String> = [
            "--port",
            "{port}",
            "--cert",
            &self.identity.cert,
            "--key",
            &self.identity.key,
        ]
        .map(str::to_owned)
        .to_vec();
        for key in keys {
            args.extend(["--ticket-key".to_owned(), (*key).to_owned()]);
        }
        args.extend(more.iter().map(|a| (*a).to_owned()));
        PeerServer::start(program.to_str().unwrap(), &args, "listening on")
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn client(&self, protocol: SslProtocol) -> SslConfiguration {
        SslConfiguration::new()
            .with_ca_certificates([self.ca.cert.clone()])
            .with_protocol(protocol)
    }
}

/// One connection of our client; whether it resumed.
fn resumed(client: &SslConfiguration, server: &PeerServer) -> bool {
    let (state, answer) = our_client(client, HOST, server.port, REQUEST).unwrap_or_else(|e| {
        panic!(
            "connecting to {}: {e}; server: {}",
            server.port,
            server.output()
        )
    });
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    state.is_resumed()
}

/// Our client alternating between `servers`, `ROUNDS` connections.
fn alternate(client: &SslConfiguration, servers: [&PeerServer; 2]) -> Vec<bool> {
    (0..ROUNDS)
        .map(|i| resumed(client, servers[i % 2]))
        .collect()
}

const BOTH: [(SslProtocol, &str); 2] = [
    (SslProtocol::TlsV1_3, "-tls1_3"),
    (SslProtocol::TlsV1_2, "-tls1_2"),
];

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn two_processes_sharing_a_key_file_resume_each_others_sessions() {
    let Some(program) = example_server() else {
        return;
    };
    let files = Files::new("tickets-shared");
    let key = files.key_file("ticket.key", 80);
    let (a, b) = (
        files.server(&program, &[&key]),
        files.server(&program, &[&key]),
    );
    assert_ne!(a.port, b.port);
    for (protocol, _) in BOTH {
        let client = files.client(protocol);
        assert_eq!(
            alternate(&client, [&a, &b]),
            expect_resumed_after_first(),
            "{protocol:?}; servers: {} | {}",
            a.output(),
            b.output()
        );
    }
    // The servers log it too.
    assert!(b.output().contains("TLS 1.3 resumed"), "{}", b.output());
    assert!(a.output().contains("TLS 1.2 resumed"), "{}", a.output());

    // nginx's 48-byte format.
    let short = files.key_file("short.key", 48);
    let (a, b) = (
        files.server(&program, &[&short]),
        files.server(&program, &[&short]),
    );
    let client = files.client(SslProtocol::TlsV1_3);
    assert_eq!(alternate(&client, [&a, &b]), expect_resumed_after_first());
}

#[test]
fn two_processes_with_their_own_random_keys_resume_nothing_on_the_other() {
    let Some(program) = example_server() else {
        return;
    };
    let files = Files::new("tickets-random");
    let (a, b) = (files.server(&program, &[]), files.server(&program, &[]));
    for (protocol, _) in BOTH {
        let client = files.client(protocol);
        assert_eq!(
            alternate(&client, [&a, &b]),
            vec![false; ROUNDS],
            "{protocol:?}"
        );
    }
}

/// `openssl s_client` to `server`, saving its session to `out` and offering
/// the one in `input`; returns its "New, ..." / "Reused, ..." line.
fn s_client(server: &PeerServer, flag: &str, input: Option<&str>, out: &str) -> String {
    let port = server.port.to_string();
    let connect = format!("127.0.0.1:{port}");
    let mut args = vec![
        "s_client",
        "-connect",
        &connect,
        "-servername",
        HOST,
        flag,
        "-ign_eof",
        "-sess_out",
        out,
    ];
    if let Some(input) = input {
        args.extend(["-sess_in", input]);
    }
    let run = run_client("openssl", &args, REQUEST);
    assert!(run.success(), "s_client: {}", run.tail());
    assert!(
        run.output.contains("HTTP/1.1 200 OK"),
        "s_client: {}",
        run.tail()
    );
    run.output
        .lines()
        .find(|l| l.starts_with("New, ") || l.starts_with("Reused, "))
        .unwrap_or_else(|| panic!("no New/Reused line: {}", run.tail()))
        .to_owned()
}

/// `s_client` alternating between `servers`, each run offering the session
/// the previous one saved.
fn s_client_alternate(files: &Files, servers: [&PeerServer; 2], flag: &str) -> Vec<String> {
    let mut previous: Option<String> = None;
    (0..ROUNDS)
        .map(|i| {
            let out = files.scratch.path().join(format!("session{flag}{i}.pem"));
            let out = out.to_str().unwrap().to_owned();
            let line = s_client(servers[i % 2], flag, previous.as_deref(), &out);
            // After a resumed TLS 1.2 handshake, OpenSSL 3.0 saves no
            // session: the one offered stays the one to offer.
            if Path::new(&out).exists() {
                previous = Some(out);
            }
            line
        })
        .collect()
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn openssl_s_client_resumes_across_processes_sharing_a_key_file() {
    let Some(program) = example_server() else {
        return;
    };
    if !common::peer_available("openssl") {
        return;
    }
    let files = Files::new("tickets-openssl");
    let key = files.key_file("ticket.key", 80);
    let (a, b) = (
        files.server(&program, &[&key]),
        files.server(&program, &[&key]),
    );
    for (flag, version) in [("-tls1_3", "TLSv1.3"), ("-tls1_2", "TLSv1.2")] {
        let lines = s_client_alternate(&files, [&a, &b], flag);
        assert!(
            lines[0].starts_with(&format!("New, {version}")),
            "{lines:?}"
        );
        for line in &lines[1..] {
            assert!(line.starts_with(&format!("Reused, {version}")), "{lines:?}");
        }
    }
    // Without shared keys, s_client never resumes on the other server.
    let (c, d) = (files.server(&program, &[]), files.server(&program, &[]));
    for (flag, version) in [("-tls1_3", "TLSv1.3"), ("-tls1_2", "TLSv1.2")] {
        let lines = s_client_alternate(&files, [&c, &d], flag);
        for line in &lines {
            assert!(line.starts_with(&format!("New, {version}")), "{lines:?}");
        }
    }
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_rotated_key_still_opens_old_tickets_until_it_is_removed() {
    let Some(program) = example_server() else {
        return;
    };
    let files = Files::new("tickets-rotation");
    let old = files.key_file("old.key", 80);
    let new = files.key_file("new.key", 80);
    for (protocol, _) in BOTH {
        let client = files.client(protocol);
        // The fleet on the old key; a ticket sealed with it.
        let a = files.server(&program, &[&old]);
        assert!(!resumed(&client, &a), "{protocol:?}: first connection");

        // B restarted with the new key promoted and the old one kept: the
        // old ticket still resumes; B now seals with the new key.
        let b = files.server(&program, &[&new, &old]);
        assert!(resumed(&client, &b), "{protocol:?}: old ticket, [new, old]");
        // A, which has not got the new key, cannot open it (why a new key is
        // rolled out second first).
        assert!(!resumed(&client, &a), "{protocol:?}: new ticket, [old]");
        drop(b);

        // A with the new key rolled out second opens B's new tickets.
        let b = files.server(&program, &[&new, &old]);
        assert!(resumed(&client, &b), "{protocol:?}: A's old ticket on B");
        let a_rolled = files.server(&program, &[&old, &new]);
        assert!(
            resumed(&client, &a_rolled),
            "{protocol:?}: new ticket, [old, new]"
        );
        drop((b, a_rolled));

        // B with the old key removed: a ticket sealed with it (fresh from A)
        // gets a full handshake; B's own new-key tickets still resume.
        let b = files.server(&program, &[&new]);
        assert!(resumed(&client, &a), "{protocol:?}: old ticket, [old]");
        assert!(!resumed(&client, &b), "{protocol:?}: old ticket, [new]");
        assert!(resumed(&client, &b), "{protocol:?}: new ticket, [new]");
    }
}

// ---------------------------------------------------------------------------
// HAProxy's tls-ticket-keys format: one file, rotated by appending a key.

/// Appends a key line to `file` as HAProxy's manual makes one:
/// `openssl rand 80 | openssl base64 -A | xargs echo`.
fn append_haproxy_key(file: &Path) {
    let status = Command::new("sh")
        .args([
            "-c",
            "openssl rand 80 | openssl base64 -A | xargs echo >> \"$1\"",
            "sh",
        ])
        .arg(file)
        .status()
        .unwrap();
    assert!(status.success(), "appending a key to {}", file.display());
}

/// The key name (first 16 bytes) of each line of an HAProxy key file, as
/// `openssl base64 -d` decodes it.
fn haproxy_key_names(file: &Path) -> Vec<Vec<u8>> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(|line| {
            let out = Command::new("sh")
                .args(["-c", "printf %s \"$1\" | openssl base64 -d -A", "sh", line])
                .output()
                .unwrap();
            assert!(out.status.success() && out.stdout.len() == 80, "{out:?}");
            out.stdout[..16].to_vec()
        })
        .collect()
}

/// The key name a saved session's ticket starts with, as `openssl sess_id`
/// prints it (`0000 - e2 cb 49 05 37 a7 bf 5c-bc e9 ...`).
fn ticket_key_name(session: &str) -> Vec<u8> {
    let text = common::openssl::run_text(&["sess_id", "-in", session, "-noout", "-text"]);
    let first = text
        .lines()
        .skip_while(|l| !l.contains("TLS session ticket:"))
        .nth(1)
        .unwrap_or_else(|| panic!("no ticket in {session}: {text}"));
    let hex = first
        .split(" - ")
        .nth(1)
        .unwrap_or_else(|| panic!("{first}"));
    hex[..47]
        .replace('-', " ")
        .split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

/// Waits until each of `servers` has logged `count` reloads by `--watch`.
fn wait_for_reloads(servers: [&PeerServer; 2], count: usize) {
    for server in servers {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while server.output().matches("watch: reloaded").count() < count {
            assert!(
                std::time::Instant::now() < deadline,
                "no reload {count}: {}",
                server.output()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[cfg(feature = "watch")]
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_fleet_rotates_one_haproxy_key_file_by_appending_a_key() {
    let Some(program) = example_server() else {
        return;
    };
    if !common::peer_available("openssl") {
        return;
    }
    let files = Files::new("tickets-haproxy");
    let keys = files.scratch.path().join("tickets.keys");
    for _ in 0..3 {
        append_haproxy_key(&keys);
    }
    let names = haproxy_key_names(&keys);
    // The file as it was, for a server that has not seen the rotation yet.
    let before = files.scratch.path().join("before.keys");
    std::fs::copy(&keys, &before).unwrap();
    let watching =
        |file: &Path| files.server_with(&program, &[file.to_str().unwrap()], &["--watch"]);
    let (a, b) = (watching(&keys), watching(&keys));
    let not_reloaded = files.server(&program, &[before.to_str().unwrap()]);
    let session = |name: &str| {
        let path = files.scratch.path().join(name);
        path.to_str().unwrap().to_owned()
    };

    // Both servers read the same three keys: each resumes the other's sessions.
    for (protocol, _) in BOTH {
        assert_eq!(
            alternate(&files.client(protocol), [&a, &b]),
            expect_resumed_after_first(),
            "{protocol:?}; servers: {} | {}",
            a.output(),
            b.output()
        );
    }
    // The second-to-last key seals.
    let sealed_first = session("sealed-first.pem");
    let line = s_client(&a, "-tls1_3", None, &sealed_first);
    assert!(line.starts_with("New, TLSv1.3"), "{line}");
    assert_eq!(ticket_key_name(&sealed_first), names[1]);

    // Rotation: a key appended; both servers read the file again.
    append_haproxy_key(&keys);
    let names = haproxy_key_names(&keys);
    wait_for_reloads([&a, &b], 1);
    // The key that sealed still opens, on either server; what is sealed
    // now is sealed with the key that was last.
    let sealed_next = session("sealed-next.pem");
    let line = s_client(&b, "-tls1_3", Some(&sealed_first), &sealed_next);
    assert!(line.starts_with("Reused, TLSv1.3"), "{line}");
    assert_eq!(ticket_key_name(&sealed_next), names[2]);
    let line = s_client(&a, "-tls1_3", Some(&sealed_first), &session("again.pem"));
    assert!(line.starts_with("Reused, TLSv1.3"), "{line}");
    // A server that has not reloaded yet already opens it: that key was
    // its last. So servers may reload in any order.
    let line = s_client(
        &not_reloaded,
        "-tls1_3",
        Some(&sealed_next),
        &session("stale.pem"),
    );
    assert!(line.starts_with("Reused, TLSv1.3"), "{line}");
    for (protocol, _) in BOTH {
        assert_eq!(
            alternate(&files.client(protocol), [&a, &b]),
            expect_resumed_after_first(),
            "{protocol:?} after the rotation"
        );
    }

    // A second rotation drops the key that sealed before the first: its
    // tickets get a full handshake; those sealed after it still resume.
    append_haproxy_key(&keys);
    wait_for_reloads([&a, &b], 2);
    let line = s_client(&a, "-tls1_3", Some(&sealed_first), &session("dropped.pem"));
    assert!(line.starts_with("New, TLSv1.3"), "{line}");
    let line = s_client(&b, "-tls1_3", Some(&sealed_next), &session("kept.pem"));
    assert!(line.starts_with("Reused, TLSv1.3"), "{line}");

    // A bad append is refused, and the keys stay.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&keys)
        .unwrap();
    std::io::Write::write_all(&mut file, b"not a key\n").unwrap();
    drop(file);
    for server in [&a, &b] {
        assert!(
            server.wait_for_output("line 6 is not base64", Duration::from_secs(10)),
            "{}",
            server.output()
        );
    }
    let line = s_client(&a, "-tls1_3", Some(&sealed_next), &session("still.pem"));
    assert!(line.starts_with("Reused, TLSv1.3"), "{line}");
}

#[cfg(feature = "serde")]
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_settings_file_names_an_haproxy_key_file() {
    if !common::peer_available("openssl") {
        return;
    }
    let scratch = Scratch::new("tickets-settings");
    let keys = scratch.path().join("tickets.keys");
    for _ in 0..4 {
        append_haproxy_key(&keys);
    }
    let names = haproxy_key_names(&keys);
    // Read as a client's file: a server's would need its certificate too.
    let config = SslConfiguration::from_toml_str(
        "session-ticket-key-files = [\"tickets.keys\"]",
        scratch.path(),
        sslconf::Side::Client,
    )
    .unwrap();
    let read = config.session_ticket_keys().unwrap();
    let read: Vec<Vec<u8>> = read.key_names().iter().map(|n| n.to_vec()).collect();
    assert_eq!(read, [names[2].clone(), names[1].clone(), names[3].clone()]);

    std::fs::write(&keys, b"\n").unwrap();
    let err = SslConfiguration::from_toml_str(
        "session-ticket-key-files = [\"tickets.keys\"]",
        scratch.path(),
        sslconf::Side::Client,
    )
    .unwrap_err();
    let chain = sslconf_causes(&err);
    assert!(chain.contains("session-ticket-key-files[0]"), "{chain}");
    assert!(chain.ends_with("tickets.keys: line 1 is empty"), "{chain}");
}

#[cfg(feature = "serde")]
fn sslconf_causes(err: &Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
