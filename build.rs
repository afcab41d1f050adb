//! For the tests only (not in the published package, see `include` in
//! Cargo.toml): which outside programs the interop tests cannot run here.
//! For each missing one, off CI, a cfg such as `skip_gnutls` is set and the
//! tests that need the program carry
//! `#[cfg_attr(skip_gnutls, ignore = "gnutls-cli or gnutls-serv is not on PATH")]`,
//! so that `cargo test` counts them as ignored, not as passed. Under
//! `CI=true` nothing is set: those tests run, and fail on a missing program.
//! The library's code reads none of these cfgs.
//!
//! The ecosystem and property-test packages (`examples/ecosystem`,
//! `tests/properties`) use this script too.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Each cfg and the programs whose absence sets it.
const PROGRAMS: &[(&str, &[&str])] = &[
    ("skip_openssl", &["openssl"]),
    ("skip_gnutls", &["gnutls-cli", "gnutls-serv"]),
    ("skip_curl", &["curl"]),
    ("skip_python3", &["python3"]),
    ("skip_tcpdump", &["tcpdump"]),
    ("skip_tshark", &["tshark"]),
    ("skip_mkfifo", &["mkfifo"]),
];

/// Set when python3 cannot import `cryptography`'s PKCS#12 module (which
/// writes the PKCS#12 files tests/pkcs12.rs reads).
const PYTHON_CRYPTOGRAPHY: &str = "skip_python_cryptography";
/// Set when sslyze is neither `$SSLYZE`, nor in the venv that
/// scripts/sslyze-venv.sh makes (`target/sslyze-venv`), nor on PATH.
const SSLYZE: &str = "skip_sslyze";
/// Set when aioquic's Python is neither `$AIOQUIC_PYTHON` nor in the venv
/// that scripts/aioquic-venv.sh makes (`target/aioquic-venv`): the HTTP/3
/// tests of the ecosystem package (`examples/ecosystem/tests/h3.rs`).
const AIOQUIC: &str = "skip_aioquic";

fn main() {
    for (cfg, _) in PROGRAMS {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
    }
    println!("cargo::rustc-check-cfg=cfg({PYTHON_CRYPTOGRAPHY})");
    println!("cargo::rustc-check-cfg=cfg({SSLYZE})");
    println!("cargo::rustc-check-cfg=cfg({AIOQUIC})");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-env-changed=SSLYZE");
    println!("cargo::rerun-if-env-changed=AIOQUIC_PYTHON");
    let path: Vec<PathBuf> = env::var_os("PATH")
        .map(|p| env::split_paths(&p).collect())
        .unwrap_or_default();
    // A program installed or removed later adds or removes an entry of its
    // directory, which changes the directory's time: probe again then.
    for dir in path.iter().filter(|d| d.is_absolute() && d.is_dir()) {
        println!("cargo::rerun-if-changed={}", dir.display());
    }
    let venv = workspace_root().map(|root| root.join("target/sslyze-venv/bin"));
    if let Some(venv) = venv.as_deref().filter(|v| v.is_dir()) {
        println!("cargo::rerun-if-changed={}", venv.display());
    }
    let aioquic_venv = workspace_root().map(|root| root.join("target/aioquic-venv/bin"));
    if let Some(venv) = aioquic_venv.as_deref().filter(|v| v.is_dir()) {
        println!("cargo::rerun-if-changed={}", venv.display());
    }
    if env::var("CI").is_ok_and(|v| v == "true") {
        return;
    }

    for (cfg, programs) in PROGRAMS {
        if !programs.iter().all(|p| on_path(&path, p)) {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
    let cryptography = on_path(&path, "python3")
        && Command::new("python3")
            .args([
                "-c",
                "import cryptography.hazmat.primitives.serialization.pkcs12",
            ])
            .output()
            .is_ok_and(|out| out.status.success());
    if !cryptography {
        println!("cargo::rustc-cfg={PYTHON_CRYPTOGRAPHY}");
    }
    let sslyze = env::var_os("SSLYZE").is_some_and(|p| Path::new(&p).is_file())
        || venv.is_some_and(|v| v.join("sslyze").is_file())
        || on_path(&path, "sslyze");
    if !sslyze {
        println!("cargo::rustc-cfg={SSLYZE}");
    }
    let aioquic = env::var_os("AIOQUIC_PYTHON").is_some_and(|p| Path::new(&p).is_file())
        || aioquic_venv.is_some_and(|v| v.join("python").is_file());
    if !aioquic {
        println!("cargo::rustc-cfg={AIOQUIC}");
    }
}

/// Whether an executable file `program` is in one of the `path` directories.
fn on_path(path: &[PathBuf], program: &str) -> bool {
    path.iter().any(|dir| {
        dir.join(program)
            .with_extension(env::consts::EXE_EXTENSION)
            .metadata()
            .is_ok_and(|m| m.is_file() && executable(&m))
    })
}

#[cfg(unix)]
fn executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn executable(_: &std::fs::Metadata) -> bool {
    true
}

/// The directory of the workspace's Cargo.lock, above this package's.
fn workspace_root() -> Option<PathBuf> {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR")?);
    manifest
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").is_file())
        .map(Path::to_owned)
}
