//! The opt-in key log: what it writes, that tshark decrypts a captured
//! session with it (TLS 1.2 and 1.3, the client's and the server's log),
//! that nothing is written without it, `SSLKEYLOGFILE` or not, and that the
//! secrets go only to a private regular file of ours: a file others can
//! read, one of another user, a symbolic link, a FIFO or a directory is
//! refused, set by path or by `SSLKEYLOGFILE`.
//!
//! The capture runs `tcpdump` on the loopback interface (root, as here and
//! under CI) and decrypts with `tshark`; off CI a missing tool skips those
//! tests visibly.

mod common;

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Cursor, Read, Write};
use std::net::{TcpListener, TcpStream};
#[cfg(unix)]
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
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

/// A new file at `path` holding `contents`, with `mode` (whatever the umask).
#[cfg(unix)]
fn file_with_mode(path: &Path, contents: &[u8], mode: u32) {
    std::fs::write(path, contents).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A new file of ours that only we can read: what a key log may be.
fn private_file(path: &Path, contents: &[u8]) {
    std::fs::write(path, contents).unwrap();
    #[cfg(unix)]
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// The permission bits of the file at `path` (not following a link).
#[cfg(unix)]
fn mode_of(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).unwrap().mode() & 0o7777
}

/// `err` refuses the key log at `path` for a reason that says `why`, and
/// says so: `setting key_log: refusing PATH: REASON`, with no source.
fn assert_refused(err: &Error, path: &Path, why: &str) {
    let Error::UnsafeKeyLog { path: p, reason } = err else {
        panic!("expected UnsafeKeyLog for {}, got {err:?}", path.display());
    };
    assert_eq!(p, path);
    assert!(reason.contains(why), "{reason:?} does not say {why:?}");
    assert_eq!(
        err.to_string(),
        format!("setting key_log: refusing {}: {reason}", path.display())
    );
    assert!(std::error::Error::source(err).is_none());
}

/// Both conversions of a client and a server logging to `path` are refused
/// for a reason that says `why`.
fn assert_conversions_refused(path: &Path, why: &str) {
    let (client, server) = pair(SslProtocol::SecureProtocols);
    let client = client.with_key_log_file(path).client_config();
    assert_refused(&client.unwrap_err(), path, why);
    let server = server.with_key_log_file(path).server_config();
    assert_refused(&server.unwrap_err(), path, why);
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
        private_file(&client_log, b"");
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
// Which files get the secrets

#[cfg(unix)]
#[test]
fn a_key_log_others_can_access_is_refused_and_left_as_it_was() {
    let scratch = Scratch::new("keylog-mode");
    for mode in [0o644, 0o640, 0o604, 0o620, 0o602, 0o610] {
        let path = scratch.path().join(format!("keys-{mode:o}.log"));
        file_with_mode(&path, b"# theirs\n", mode);
        assert_conversions_refused(
            &path,
            &format!("its mode {mode:04o} gives its group or others access"),
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"# theirs\n");
        assert_eq!(mode_of(&path), mode, "the mode was changed");
    }
}

#[cfg(unix)]
#[test]
fn a_key_log_of_another_user_is_refused() {
    let scratch = Scratch::new("keylog-owner");
    let path = scratch.path().join("keys.log");
    private_file(&path, b"# nobody's\n");
    const NOBODY: u32 = 65534;
    if let Err(e) = std::os::unix::fs::chown(&path, Some(NOBODY), Some(NOBODY)) {
        // Giving a file away takes root, as here and under CI.
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "chown: {e}"
        );
        common::skipped(&format!(
            "cannot give a file to uid {NOBODY} (run as root): {e}"
        ));
        return;
    }
    assert_conversions_refused(
        &path,
        &format!("it is owned by uid {NOBODY}, not by this process's uid"),
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"# nobody's\n");
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_is_refused_even_to_a_private_file() {
    let scratch = Scratch::new("keylog-link");
    let target = scratch.path().join("private.log");
    private_file(&target, b"# mine\n");
    let link = scratch.path().join("keys.log");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    assert_conversions_refused(&link, "it is a symbolic link, not a regular file");
    assert_eq!(std::fs::read(&target).unwrap(), b"# mine\n");

    // A dangling link is not followed to create what it names.
    let missing = scratch.path().join("missing.log");
    let dangling = scratch.path().join("dangling.log");
    std::os::unix::fs::symlink(&missing, &dangling).unwrap();
    assert_conversions_refused(&dangling, "it is a symbolic link, not a regular file");
    assert!(!missing.exists(), "the link was followed");
}

/// A file with another name (a hard link someone made to a file of ours,
/// to have secrets appended to it) is refused, and left as it was.
#[cfg(unix)]
#[test]
fn a_file_with_other_hard_links_is_refused() {
    let scratch = Scratch::new("keylog-hardlink");
    let target = scratch.path().join("private.log");
    private_file(&target, b"# mine\n");
    let link = scratch.path().join("keys.log");
    std::fs::hard_link(&target, &link).unwrap();
    assert_conversions_refused(&link, "it has 2 hard links: other names reach it");
    assert_eq!(std::fs::read(&target).unwrap(), b"# mine\n");
}

#[test]
fn a_directory_is_refused() {
    let scratch = Scratch::new("keylog-dir");
    assert_conversions_refused(scratch.path(), "it is a directory, not a regular file");
}

#[cfg(unix)]
#[test]
#[cfg_attr(skip_mkfifo, ignore = "mkfifo is not on PATH")]
fn a_fifo_is_refused_without_opening_it() {
    if !common::peer_available("mkfifo") {
        return;
    }
    let scratch = Scratch::new("keylog-fifo");
    let fifo = scratch.path().join("keys.fifo");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success(), "mkfifo: {status}");
    // Opening a FIFO to write waits for a reader: a conversion that opens
    // it does not come back.
    let (done, finished) = mpsc::channel();
    let path = fifo.clone();
    thread::spawn(move || {
        let (client, server) = pair(SslProtocol::SecureProtocols);
        let errors = [
            client.with_key_log_file(&path).client_config().err(),
            server.with_key_log_file(&path).server_config().err(),
        ];
        let _ = done.send(errors);
    });
    let Ok(errors) = finished.recv_timeout(Duration::from_secs(10)) else {
        // Be the reader it waits for, so that the thread ends.
        drop(std::fs::File::open(&fifo));
        panic!("the conversion opened the FIFO and waited for a reader");
    };
    for err in errors {
        let err = err.expect("the FIFO was accepted as a key log");
        assert_refused(&err, &fifo, "it is a FIFO, not a regular file");
    }
}

/// A path swapped back and forth between a private file and a link to
/// another one (as someone who can write the directory could) never gets
/// the secrets written through the link: whether the conversion sees the
/// link before it opens the path or the swap happens in between, only the
/// file that was judged is written to.
#[cfg(unix)]
#[test]
fn a_path_swapped_for_a_link_never_leads_the_secrets_through_it() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let scratch = Scratch::new("keylog-swap");
    let path = scratch.path().join("keys.log");
    let target = scratch.path().join("target.log");
    private_file(&target, b"");
    private_file(&path, b"");
    let stop = Arc::new(AtomicBool::new(false));
    let swapper = {
        let (dir, path, target, stop) = (
            scratch.path().to_owned(),
            path.clone(),
            target.clone(),
            stop.clone(),
        );
        thread::spawn(move || {
            let (link, file) = (dir.join("next-link"), dir.join("next-file"));
            let mut swaps = 0u32;
            while !stop.load(Ordering::Relaxed) {
                std::os::unix::fs::symlink(&target, &link).unwrap();
                std::fs::rename(&link, &path).unwrap();
                private_file(&file, b"");
                std::fs::rename(&file, &path).unwrap();
                swaps += 1;
            }
            swaps
        })
    };
    let (client, _) = pair(SslProtocol::TlsV1_3);
    let (mut written, mut refused) = (0, 0);
    for _ in 0..2000 {
        // A new value each time: its own conversion, its own open.
        let config = client.clone().with_key_log_file(&path);
        match config.client_config() {
            Ok(rustls) => {
                rustls.key_log.log("CLIENT_RANDOM", &[7; 32], &[9; 32]);
                written += 1;
            }
            Err(Error::UnsafeKeyLog { .. }) => refused += 1,
            // The path is missing for an instant in neither swap (rename
            // replaces it), but say what happened if it is.
            Err(other) => panic!("{other:?}"),
        }
    }
    stop.store(true, Ordering::Relaxed);
    let swaps = swapper.join().unwrap();
    assert!(
        std::fs::read(&target).unwrap().is_empty(),
        "the secrets went through the link ({written} written, {refused} refused, {swaps} swaps)"
    );
    assert!(
        written > 0 && refused > 0,
        "{written} written, {refused} refused"
    );
}

#[cfg(unix)]
#[test]
fn a_private_file_of_ours_is_appended_to_and_a_new_one_is_made_private() {
    let scratch = Scratch::new("keylog-private");
    let existing = scratch.path().join("existing.log");
    private_file(&existing, b"# kept\n");
    let new = scratch.path().join("new.log");
    let (client, server) = pair(SslProtocol::TlsV1_3);
    let client = client.with_key_log_file(&existing);
    let server = server.with_key_log_file(&new);
    common::connect(&client, &server, "localhost").ok();

    let text = std::fs::read_to_string(&existing).unwrap();
    let logged = text.strip_prefix("# kept\n").expect("what was there stays");
    assert_eq!(logged.lines().count(), TLS13_LABELS.len(), "{text}");
    assert_eq!(mode_of(&existing), 0o600);
    assert_eq!(labels(&key_log_lines(&new)).len(), TLS13_LABELS.len());
    assert_eq!(mode_of(&new), 0o600);
}

#[cfg(unix)]
#[test]
fn connect_and_accept_fail_naming_a_refused_key_log() {
    let scratch = Scratch::new("keylog-stream");
    let path = scratch.path().join("keys.log");
    file_with_mode(&path, b"", 0o644);
    let (client, server) = pair(SslProtocol::SecureProtocols);
    // The conversion fails before the socket is touched.
    let connected = client
        .with_key_log_file(&path)
        .connect("localhost", Cursor::new(Vec::new()));
    let accepted = server
        .with_key_log_file(&path)
        .accept(Cursor::new(Vec::new()));
    for err in [connected.err(), accepted.err()] {
        let err = err.expect("a refused key log fails the stream");
        assert_refused(&err, &path, "its mode 0644");
        assert!(err.to_string().contains(&path.display().to_string()));
    }
    assert!(std::fs::read(&path).unwrap().is_empty());
}

// ---------------------------------------------------------------------------
// SSLKEYLOGFILE, in a child process (the environment is the process's)

/// The environment variable that tells [`child_handshake`] what to do.
const CHILD_MODE: &str = "SSLCONF_KEY_LOG_CHILD";

/// Run by the `SSLKEYLOGFILE` tests in a child process with `SSLKEYLOGFILE`
/// set: one handshake, both sides with the key log of the mode it is given
/// ("none" or "env"); or, with "env-refused", both conversions refused
/// naming the file; or, with "env-empty", no key log at all.
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
        "env-refused" => {
            let path = PathBuf::from(std::env::var_os("SSLKEYLOGFILE").unwrap());
            let client = client.with_key_log_from_env().client_config();
            assert_refused(&client.unwrap_err(), &path, "");
            let server = server.with_key_log_from_env().server_config();
            assert_refused(&server.unwrap_err(), &path, "");
            return;
        }
        "env-empty" => {
            let client = client.with_key_log_from_env().client_config().unwrap();
            assert_eq!(format!("{:?}", client.key_log), "NoKeyLog");
            let server = server.with_key_log_from_env().server_config().unwrap();
            assert_eq!(format!("{:?}", server.key_log), "NoKeyLog");
            return;
        }
        other => panic!("unknown mode {other:?}"),
    };
    common::connect(&client, &server, "localhost").ok();
}

fn run_child(mode: &str, key_log: impl AsRef<OsStr>) {
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
    // Both sides logged the one connection, to a file only we can read.
    let mut expected: Vec<&str> = TLS13_LABELS.iter().chain(&TLS13_LABELS).copied().collect();
    expected.sort_unstable();
    assert_eq!(labels(&lines), expected);
    #[cfg(unix)]
    assert_eq!(mode_of(&path), 0o600);
}

#[cfg(unix)]
#[test]
fn sslkeylogfile_gets_the_same_checks() {
    let scratch = Scratch::new("keylog-env-refused");
    let open = scratch.path().join("open.log");
    file_with_mode(&open, b"# theirs\n", 0o644);
    run_child("env-refused", &open);
    assert_eq!(std::fs::read(&open).unwrap(), b"# theirs\n");

    let target = scratch.path().join("private.log");
    private_file(&target, b"# mine\n");
    let link = scratch.path().join("link.log");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    run_child("env-refused", &link);
    assert_eq!(std::fs::read(&target).unwrap(), b"# mine\n");

    // Set but empty is not set: no key log, and no error.
    run_child("env-empty", "");
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
#[cfg_attr(
    any(skip_tcpdump, skip_tshark),
    ignore = "tcpdump or tshark is not on PATH"
)]
fn tshark_decrypts_a_tls12_session_with_the_key_log() {
    captured_session_decrypts(SslProtocol::TlsV1_2, "keylog-tls12");
}

#[test]
#[cfg_attr(
    any(skip_tcpdump, skip_tshark),
    ignore = "tcpdump or tshark is not on PATH"
)]
fn tshark_decrypts_a_tls13_session_with_the_key_log() {
    captured_session_decrypts(SslProtocol::TlsV1_3, "keylog-tls13");
}
