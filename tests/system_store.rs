//! The system CA store when `SSL_CERT_FILE` / `SSL_CERT_DIR` point elsewhere.
//!
//! An operator who points the process at a private store must never end up
//! trusting Mozilla's bundled roots because that store turned out empty: the
//! system store is then empty, `system_ca_source()` says why (naming the
//! variable), a warning is logged, and a default client refuses to convert
//! (`Error::NoCaCertificates`). When the variable names a file holding one CA,
//! exactly that CA is trusted.
//!
//! The store is loaded once per process, so each case runs in a child
//! process: this test executable again, with `--exact child_process` and the
//! variables set. The child test does nothing without the marker variable;
//! the parent checks the child's exit status and that it printed its
//! `CHILD OK` line, so a child that did not run fails the parent.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

use common::openssl::Scratch;
use common::Authority;
use sslconf::{Certificate, Error, SslConfiguration};

/// Names the case the child process runs; absent in the parent.
const MARKER: &str = "SSLCONF_SYSTEM_STORE_CHILD";
/// The PEM file of a leaf issued by the one CA, for the `one-ca` case.
const LEAF: &str = "SSLCONF_SYSTEM_STORE_LEAF";

/// Runs `case` in a child process with `vars` set (and both variables unset
/// otherwise); returns what it printed, after checking it passed.
fn run_child(case: &str, vars: &[(&str, &Path)]) -> String {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "--exact",
            "child_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR")
        .env(MARKER, case);
    for (name, value) in vars {
        command.env(name, value);
    }
    let out = command.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "child {case} failed ({}):\n{text}",
        out.status
    );
    assert!(
        text.contains(&format!("CHILD OK {case}\n")) && text.contains("1 passed"),
        "child {case} did not run its checks:\n{text}"
    );
    println!("{text}");
    text
}

#[test]
fn missing_file_is_not_widened_to_bundled_roots() {
    let scratch = Scratch::new("system-store");
    let missing = scratch.dir().join("missing.pem");
    let out = run_child("empty", &[("SSL_CERT_FILE", &missing)]);
    assert!(out.contains("No such file"), "{out}");
}

#[test]
fn empty_file_is_not_widened_to_bundled_roots() {
    let scratch = Scratch::new("system-store");
    let empty = scratch.dir().join("empty.pem");
    std::fs::write(&empty, b"").unwrap();
    let out = run_child("empty", &[("SSL_CERT_FILE", &empty)]);
    assert!(out.contains("no certificate found"), "{out}");
}

#[test]
fn file_without_pem_is_not_widened_to_bundled_roots() {
    let scratch = Scratch::new("system-store");
    let text = scratch.dir().join("not-pem.txt");
    std::fs::write(&text, b"not a certificate\n").unwrap();
    run_child("empty", &[("SSL_CERT_FILE", &text)]);
}

#[test]
fn empty_dir_is_not_widened_to_bundled_roots() {
    let scratch = Scratch::new("system-store");
    let dir = scratch.dir().join("certs");
    std::fs::create_dir(&dir).unwrap();
    let out = run_child("empty", &[("SSL_CERT_DIR", &dir)]);
    assert!(out.contains("no certificate found"), "{out}");
}

#[test]
fn missing_dir_is_not_widened_to_bundled_roots() {
    let scratch = Scratch::new("system-store");
    let dir = scratch.dir().join("no-such-dir");
    let out = run_child("empty", &[("SSL_CERT_DIR", &dir)]);
    assert!(out.contains("opening directory"), "{out}");
}

#[test]
fn file_with_one_ca_trusts_exactly_that_ca() {
    let scratch = Scratch::new("system-store");
    let ca = Authority::root("System Store Test CA");
    let leaf = ca.leaf("localhost");
    let ca_file = scratch.dir().join("ca.pem");
    let leaf_file = scratch.dir().join("leaf.pem");
    std::fs::write(&ca_file, ca.cert.to_pem()).unwrap();
    std::fs::write(&leaf_file, leaf.leaf().to_pem()).unwrap();
    run_child("one-ca", &[("SSL_CERT_FILE", &ca_file), (LEAF, &leaf_file)]);
}

#[test]
fn unset_variables_give_a_non_empty_store() {
    run_child("unset", &[]);
}

/// Keeps what the crate logs, for the child to check.
struct Capture(Mutex<Vec<(log::Level, String)>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = record.args().to_string();
        eprintln!("log {}: {line}", record.level());
        self.0.lock().unwrap().push((record.level(), line));
    }

    fn flush(&self) {}
}

static LOGGED: Capture = Capture(Mutex::new(Vec::new()));

/// Variable name and value as the reason and the warning must name them.
fn set_variable() -> String {
    ["SSL_CERT_FILE", "SSL_CERT_DIR"]
        .into_iter()
        .find_map(|name| std::env::var_os(name).map(|v| format!("{name}={}", v.to_string_lossy())))
        .expect("the parent sets SSL_CERT_FILE or SSL_CERT_DIR")
}

/// One case, in a child process started by the tests above. Run directly
/// (no marker), it checks this process's own store: the "unset" case when
/// neither variable is set, else that a set variable was not widened.
#[test]
fn child_process() {
    let case = match std::env::var(MARKER) {
        Ok(case) => case,
        Err(_)
            if std::env::var_os("SSL_CERT_FILE").is_none()
                && std::env::var_os("SSL_CERT_DIR").is_none() =>
        {
            "unset".to_owned()
        }
        Err(_) => {
            let source = SslConfiguration::system_ca_source();
            assert!(!format!("{source:?}").starts_with("Bundled"), "{source:?}");
            return;
        }
    };
    log::set_logger(&LOGGED).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let source = SslConfiguration::system_ca_source();
    println!("system_ca_source: {source:?}");
    match case.as_str() {
        "empty" => {
            let variable = set_variable();
            let reason = source
                .empty_reason()
                .unwrap_or_else(|| panic!("{variable}: not empty: {source:?}"));
            assert!(format!("{source:?}").starts_with("Empty"), "{source:?}");
            assert!(reason.contains(&variable), "{reason:?} names {variable}");
            assert_eq!(source.certificates(), 0);
            assert!(SslConfiguration::system_ca_certificates().is_empty());
            assert!(SslConfiguration::new().ca_certificates().is_empty());

            let warned = LOGGED
                .0
                .lock()
                .unwrap()
                .iter()
                .any(|(level, line)| *level == log::Level::Warn && line.contains(&variable));
            assert!(warned, "no warning naming {variable}");

            for config in [
                SslConfiguration::new(),
                SslConfiguration::default_configuration(),
            ] {
                match config.client_config() {
                    Err(err @ Error::NoCaCertificates { .. }) => assert!(
                        err.to_string().contains("the system store is empty"),
                        "{err}"
                    ),
                    Err(other) => panic!("expected NoCaCertificates, got {other:?}"),
                    Ok(_) => panic!("a VerifyPeer client converted with no CA certificate"),
                }
            }
        }
        "one-ca" => {
            assert!(format!("{source:?}").starts_with("Native"), "{source:?}");
            assert_eq!(source.certificates(), 1);
            assert_eq!(source.empty_reason(), None);
            let system = SslConfiguration::system_ca_certificates();
            assert_eq!(system.len(), 1);
            assert_eq!(
                system[0].subject_display_name(),
                "System Store Test CA",
                "{system:?}"
            );
            let leaf = Certificate::from_path(std::env::var_os(LEAF).unwrap()).unwrap();
            let config = SslConfiguration::new();
            assert_eq!(config.verify_chain(&leaf, Some("localhost")), []);
            config.client_config().unwrap();
            // The same check of a leaf from a public-looking root fails: the
            // bundled roots are not there either.
            let other = Authority::root("Not In The Store").leaf("localhost");
            assert!(!config.verify_chain(&other.chain, None).is_empty());
        }
        "unset" => {
            assert!(source.certificates() > 0, "{source:?}");
            assert_eq!(
                source.certificates(),
                SslConfiguration::system_ca_certificates().len()
            );
            SslConfiguration::new().client_config().unwrap();
        }
        other => panic!("unknown case {other}"),
    }
    println!("CHILD OK {case}");
}
