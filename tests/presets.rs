//! Mozilla's server-side TLS profiles, judged by sslyze: `examples/server`
//! started with `--preset modern` and `--preset intermediate` and a
//! certificate made for the check (ECDSA P-256, signed with SHA-256 by a
//! test CA, valid 90 days) passes `sslyze --mozilla_config=...` (guideline
//! 5.7, which sslyze 6.3 embeds), and its `--json_out` shows exactly the
//! profile's protocols, suites and groups. The server staples an OCSP
//! response made with `openssl ocsp`, as the guideline asks
//! (`ocsp_staple`), and sslyze reads it. `openssl s_server` with OpenSSL's
//! defaults fails intermediate, so the check is shown to bite.
//!
//! The one certificate check a test certificate cannot pass by itself is
//! path validation against the public stores (Mozilla's, Apple's, ...): the
//! test CA is handed to sslyze with `--certinfo_ca_file`, which sslyze
//! counts as a trust store, and the JSON shows that only that one
//! validates it.
//!
//! sslyze comes from `scripts/sslyze-venv.sh` (`target/sslyze-venv`), which
//! `.ci/run` runs; `SSLYZE` names another. Missing, the tests skip loudly,
//! and fail under CI.

mod common;

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::peers::{PeerServer, Scratch};
use common::{Authority, LeafSpec};
use serde_json::Value;

const HOST: &str = "localhost";
/// Long enough for a scan of ~1,000 handshakes on a loaded machine.
const SCAN_TIMEOUT: Duration = Duration::from_secs(300);

/// The sslyze program: `$SSLYZE`, the venv `scripts/sslyze-venv.sh` makes,
/// or one on the PATH; `None` (a loud skip, a failure under CI) when none runs.
fn sslyze() -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/sslyze-venv/bin/sslyze");
    let candidates = std::env::var_os("SSLYZE")
        .map(PathBuf::from)
        .into_iter()
        .chain([venv, PathBuf::from("sslyze")]);
    for program in candidates {
        let runs = Command::new(&program)
            .arg("--help")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if runs {
            return Some(program);
        }
    }
    let reason =
        "sslyze is not installed: run scripts/sslyze-venv.sh (a venv in target/sslyze-venv)";
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{reason}; .ci/run must run it");
    }
    common::skipped(reason);
    None
}

/// `target/<profile>/examples/server`, next to `target/<profile>/deps/`
/// where this test runs; `None` (a loud skip, a failure under CI) when it is
/// missing or predates `--preset`.
fn example_server() -> Option<PathBuf> {
    // Missing: a loud skip (a failure under CI); older than its sources: a
    // failure.
    let path = common::example_binary("server")?;
    let help = Command::new(&path).arg("--help").output().unwrap();
    assert!(
        String::from_utf8_lossy(&help.stdout).contains("--preset"),
        "{} has no --preset: rebuild it with `cargo build --all-features --example server`",
        path.display()
    );
    Some(path)
}

/// What one sslyze run said.
struct Scan {
    success: bool,
    output: String,
    json: Value,
}

impl Scan {
    fn result(&self) -> &Value {
        &self.json["server_scan_results"][0]["scan_result"]
    }

    /// The protocol versions with an accepted suite, as sslyze names them.
    fn versions(&self) -> BTreeSet<String> {
        [
            ("ssl_2_0_cipher_suites", "SSLv2"),
            ("ssl_3_0_cipher_suites", "SSLv3"),
            ("tls_1_0_cipher_suites", "TLSv1"),
            ("tls_1_1_cipher_suites", "TLSv1.1"),
            ("tls_1_2_cipher_suites", "TLSv1.2"),
            ("tls_1_3_cipher_suites", "TLSv1.3"),
        ]
        .into_iter()
        .filter(|(field, _)| self.result()[field]["result"]["is_tls_version_supported"] == true)
        .map(|(_, name)| name.to_owned())
        .collect()
    }

    /// The suites accepted under a version (`tls_1_2`, `tls_1_3`).
    fn suites(&self, version: &str) -> BTreeSet<String> {
        names(
            &self.result()[format!("{version}_cipher_suites")]["result"]["accepted_cipher_suites"],
            |v| &v["cipher_suite"]["name"],
        )
    }

    fn curves(&self) -> BTreeSet<String> {
        names(
            &self.result()["elliptic_curves"]["result"]["supported_curves"],
            |v| &v["name"],
        )
    }

    /// The stapled OCSP response's status and the certificate's, as sslyze
    /// read them.
    fn ocsp(&self) -> (String, String) {
        let response = &self.result()["certificate_info"]["result"]["certificate_deployments"][0]
            ["ocsp_response"];
        let field = |name: &str| response[name].as_str().unwrap_or("(none)").to_owned();
        (field("response_status"), field("certificate_status"))
    }

    /// The trust stores the certificate validated against.
    fn trusted_by(&self) -> BTreeSet<String> {
        let deployment = &self.result()["certificate_info"]["result"]["certificate_deployments"][0];
        deployment["path_validation_results"]
            .as_array()
            .expect("path validation results")
            .iter()
            .filter(|r| r["was_validation_successful"] == true)
            .map(|r| r["trust_store"]["name"].as_str().unwrap().to_owned())
            .collect()
    }
}

fn names(list: &Value, name: impl Fn(&Value) -> &Value) -> BTreeSet<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|v| name(v).as_str().unwrap().to_owned())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// The files of the check: a test CA and a leaf for localhost made as the
/// profiles want one (ECDSA P-256, ecdsa-with-SHA256, 90 days), and a
/// "good" OCSP response for it from `openssl ocsp`.
struct Files {
    scratch: Scratch,
    ca: String,
    key: String,
    leaf: String,
    ocsp: String,
}

impl Files {
    fn new(tag: &str) -> Files {
        let scratch = Scratch::new(tag);
        let authority = Authority::root("sslconf preset check CA");
        let id = authority.issue(&LeafSpec::new(HOST).validity(-1, 89));
        // The leaf alone: a server need not send the root.
        let files = scratch.identity("leaf", &id);
        let ca = scratch.write("ca.pem", authority.cert.to_pem());
        let ca_key = scratch.write("ca.key", authority.key_pem());
        let serial = common::openssl::serial(&files.cert);
        let index = scratch.write(
            "index.txt",
            format!("V\t491231235959Z\t\t{serial}\tunknown\t/CN={HOST}\n"),
        );
        let ocsp = scratch
            .path()
            .join("leaf.ocsp")
            .to_str()
            .unwrap()
            .to_owned();
        common::openssl::run(&[
            "ocsp",
            "-index",
            &index,
            "-rsigner",
            &ca,
            "-rkey",
            &ca_key,
            "-CA",
            &ca,
            "-issuer",
            &ca,
            "-cert",
            &files.cert,
            "-respout",
            &ocsp,
            "-ndays",
            "1",
        ]);
        Files {
            scratch,
            ca,
            key: files.key,
            leaf: files.cert,
            ocsp,
        }
    }

    /// sslyze's Mozilla check of a server on `port`, trusting the test CA.
    fn scan(&self, sslyze: &Path, profile: &str, port: u16) -> Scan {
        // One scan at a time, each one connection at a time: sslyze's
        // parallel connections on a loaded 2-core machine can time out,
        // and an incomplete scan reads as "not compliant".
        static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let json = self.scratch.path().join(format!("{profile}-{port}.json"));
        let mut child = Command::new(sslyze)
            .arg("--slow_connection")
            .arg(format!("--mozilla_config={profile}"))
            .arg(format!("--certinfo_ca_file={}", self.ca))
            .arg(format!("--json_out={}", json.display()))
            .arg(format!("{HOST}:{port}{{127.0.0.1}}"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stdout.read_to_string(&mut text);
            text
        });
        let deadline = Instant::now() + SCAN_TIMEOUT;
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("sslyze ran past {SCAN_TIMEOUT:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut output = reader.join().unwrap();
        let _ = child.stderr.take().unwrap().read_to_string(&mut output);
        let json =
            std::fs::read(&json).unwrap_or_else(|e| panic!("no JSON from sslyze ({e}): {output}"));
        Scan {
            success: status.success(),
            output,
            json: serde_json::from_slice(&json).unwrap(),
        }
    }

    fn example(&self, program: &Path, preset: &str) -> PeerServer {
        let args: Vec<String> = [
            "--port",
            "{port}",
            "--cert",
            &self.leaf,
            "--key",
            &self.key,
            "--ocsp-response",
            &self.ocsp,
            "--preset",
            preset,
        ]
        .map(str::to_owned)
        .to_vec();
        PeerServer::start(program.to_str().unwrap(), &args, "listening on")
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

const TLS13_SUITES: [&str; 3] = [
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
];
const MOZILLA_CURVES: [&str; 3] = ["X25519", "secp256r1", "secp384r1"];

/// The scan found the server compliant, and the certificate trusted only
/// through the CA file handed to sslyze.
fn assert_compliant(scan: &Scan, port: u16, server: &PeerServer) {
    assert!(
        scan.success
            && scan
                .output
                .contains(&format!("{HOST}:{port}: OK - Compliant.")),
        "not compliant: {}\nserver: {}",
        scan.output,
        server.output()
    );
    assert_eq!(scan.trusted_by(), set(&["Supplied CA file"]));
    assert_eq!(scan.curves(), set(&MOZILLA_CURVES));
    assert_eq!(scan.ocsp(), ("SUCCESSFUL".to_owned(), "GOOD".to_owned()));
}

#[test]
#[cfg_attr(
    any(skip_openssl, skip_sslyze),
    ignore = "openssl or sslyze (scripts/sslyze-venv.sh) is missing"
)]
fn the_modern_preset_passes_sslyzes_mozilla_modern_check() {
    if !common::peer_available("openssl") {
        return;
    }
    let (Some(sslyze), Some(program)) = (sslyze(), example_server()) else {
        return;
    };
    let files = Files::new("preset-modern");
    let server = files.example(&program, "modern");
    let scan = files.scan(&sslyze, "modern", server.port);
    assert_compliant(&scan, server.port, &server);
    assert_eq!(scan.versions(), set(&["TLSv1.3"]));
    assert_eq!(scan.suites("tls_1_3"), set(&TLS13_SUITES));
}

#[test]
#[cfg_attr(
    any(skip_openssl, skip_sslyze),
    ignore = "openssl or sslyze (scripts/sslyze-venv.sh) is missing"
)]
fn the_intermediate_preset_passes_sslyzes_mozilla_intermediate_check() {
    if !common::peer_available("openssl") {
        return;
    }
    let (Some(sslyze), Some(program)) = (sslyze(), example_server()) else {
        return;
    };
    let files = Files::new("preset-intermediate");
    let server = files.example(&program, "intermediate");
    let scan = files.scan(&sslyze, "intermediate", server.port);
    assert_compliant(&scan, server.port, &server);
    assert_eq!(scan.versions(), set(&["TLSv1.2", "TLSv1.3"]));
    assert_eq!(scan.suites("tls_1_3"), set(&TLS13_SUITES));
    // The ECDSA certificate's share of the profile's TLS 1.2 suites.
    assert_eq!(
        scan.suites("tls_1_2"),
        set(&[
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        ])
    );
    // The modern check fails it, on TLS 1.2 alone: the check tells them apart.
    let strict = files.scan(&sslyze, "modern", server.port);
    assert!(!strict.success, "{}", strict.output);
    assert!(
        strict.output.contains(
            "* tls_versions: TLS versions {'TLSv1.2'} are supported, but should be rejected."
        ),
        "{}",
        strict.output
    );
}

#[test]
#[cfg_attr(
    any(skip_openssl, skip_sslyze),
    ignore = "openssl or sslyze (scripts/sslyze-venv.sh) is missing"
)]
fn openssl_s_server_with_its_defaults_fails_intermediate() {
    if !common::peer_available("openssl") {
        return;
    }
    let Some(sslyze) = sslyze() else {
        return;
    };
    let files = Files::new("preset-openssl");
    let args: Vec<String> = [
        "s_server",
        "-accept",
        "{port}",
        "-cert",
        &files.leaf,
        "-key",
        &files.key,
        "-www",
    ]
    .map(str::to_owned)
    .to_vec();
    let server = PeerServer::start("openssl", &args, "ACCEPT").unwrap_or_else(|e| panic!("{e}"));
    let scan = files.scan(&sslyze, "intermediate", server.port);
    assert!(!scan.success, "{}", scan.output);
    assert!(
        scan.output
            .contains(&format!("{HOST}:{}: FAILED - Not compliant.", server.port)),
        "{}",
        scan.output
    );
    // OpenSSL 3's defaults: CBC suites on TLS 1.2, and X448 and P-521.
    assert!(
        scan.suites("tls_1_2")
            .contains("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"),
        "{:?}",
        scan.suites("tls_1_2")
    );
    assert!(scan.curves().is_superset(&set(&["X448", "secp521r1"])));
    assert!(
        scan.output.contains("* ciphers: Cipher suites {"),
        "{}",
        scan.output
    );
    assert!(
        scan.output.contains("* tls_curves: TLS curves {"),
        "{}",
        scan.output
    );
}
