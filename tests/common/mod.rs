//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod openssl;

use std::process::Command;

/// Whether an outside peer program (openssl, python3, gnutls-cli, curl) can run.
///
/// Under CI (`CI=true`) a missing program fails the test: `.ci/run` installs
/// every one. On a developer's machine the test is skipped with a loud line
/// naming what to install.
pub fn peer_available(program: &str) -> bool {
    let found = Command::new(program)
        .arg("--version")
        .output()
        .or_else(|_| Command::new(program).arg("version").output())
        .is_ok();
    if found {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{program} is required under CI but was not found: .ci/run must install it");
    }
    eprintln!(
        "\n!!! SKIPPED: `{program}` is not installed; install it (e.g. `apt-get install -y {}`) to run this test !!!\n",
        debian_package(program)
    );
    false
}

fn debian_package(program: &str) -> &str {
    match program {
        "gnutls-cli" | "gnutls-serv" | "certtool" => "gnutls-bin",
        "python3" => "python3",
        other => other,
    }
}
