//! The files the settings-file tests read (`tests/settings_file.rs` and
//! the property tests' `tests/properties/settings_file.rs`): identities in
//! every form a file can name, CA files, lists, ticket keys, passphrases.
//! Included with `#[path]` beside `common` (as `crate::common`), not a
//! part of `common`: it needs the features `serde`, `pkcs12` and `ocsp`.
#![allow(dead_code)] // each includer uses part of it

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sslconf::{Identity, Passphrase};

use crate::common::openssl::Scratch;
use crate::common::Authority;

/// The passphrase of `tests/data/ec-p256-encrypted.pem`.
pub const PASSPHRASE: &str = "sslconf-test";
/// The environment variable the round trip's passphrase is read from.
pub const PASSPHRASE_VARIABLE: &str = "SSLCONF_SETTINGS_FILE_TEST_PASSPHRASE";
/// The passphrase of `tests/data/cryptography-aes.p12`.
pub const P12_PASSPHRASE: &str = "sslconf-p12-fixture";
/// The environment variable the PKCS#12 file's passphrase is read from.
pub const P12_PASSPHRASE_VARIABLE: &str = "SSLCONF_SETTINGS_FILE_TEST_P12_PASSPHRASE";

/// Files every test reads: identities (one with an encrypted key, one a
/// PKCS#12 file written by Python's cryptography), CA files, revocation
/// lists, ticket keys, passphrase files; with openssl, OCSP responses for
/// the plain identities (`openssl ocsp`), a delta CRL (`openssl ca -gencrl
/// -crlexts`) and `server.p12`, `server.pem` and its key as `openssl pkcs12
/// -export` writes them without a passphrase. Made once, kept for the
/// process.
pub struct Fixture {
    pub dir: PathBuf,
    /// Whether openssl made the OCSP responses and the delta CRL.
    pub openssl: bool,
}

pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        // Leaked on purpose: proptest cases outlive any one test's scope.
        let scratch = Box::leak(Box::new(Scratch::new("settings-file")));
        let dir = scratch.dir().to_owned();
        let ca = Authority::root("Settings CA");
        let other = Authority::root("Other CA");
        let write = |name: &str, contents: &[u8]| std::fs::write(dir.join(name), contents).unwrap();
        let mut leaves = Vec::new();
        for name in ["server", "api", "rsa"] {
            let id = ca.leaf(&format!("{name}.example"));
            write(&format!("{name}.pem"), id.chain_pem().as_bytes());
            write(&format!("{name}.key"), id.key_pem().as_bytes());
            leaves.push((name, id));
        }
        write("ca.pem", ca.cert.to_pem().as_bytes());
        write("other-ca.pem", other.cert.to_pem().as_bytes());
        write(
            "ca.crl",
            ca.revocation_list(&[leaves[2].1.leaf()]).as_bytes(),
        );
        write("other-ca.crl", other.revocation_list(&[]).as_bytes());
        // The encrypted key and a certificate for it.
        let encrypted = include_bytes!("../data/ec-p256-encrypted.pem");
        let key = sslconf::PrivateKey::from_pem_with_passphrase(
            encrypted,
            &Passphrase::new(PASSPHRASE.as_bytes()),
        )
        .unwrap();
        let pair = rcgen::KeyPair::try_from(key.as_rustls()).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["enc.example".to_owned()])
            .unwrap()
            .self_signed(&pair)
            .unwrap();
        write("enc.pem", cert.pem().as_bytes());
        write("enc.key", encrypted);
        write("good.pass", format!("{PASSPHRASE}\n").as_bytes());
        write("wrong.pass", b"not-the-passphrase\n");
        write("id.p12", include_bytes!("../data/cryptography-aes.p12"));
        write("p12.pass", format!("{P12_PASSPHRASE}\n").as_bytes());
        write("new.ticket", &[7u8; 80]);
        write("old.ticket", &[9u8; 48]);
        // Set once, before any test reads it; nothing else sets it.
        std::env::set_var(PASSPHRASE_VARIABLE, PASSPHRASE);
        std::env::set_var(P12_PASSPHRASE_VARIABLE, P12_PASSPHRASE);
        // Without openssl (cfg skip_openssl, set by build.rs off CI), the
        // tests that read what it makes are ignored: nothing to say here.
        let openssl = !cfg!(skip_openssl) && crate::common::peer_available("openssl");
        if openssl {
            write("ca.key", ca.key_pem().as_bytes());
            for (name, _) in &leaves {
                ocsp_response(&dir, &format!("{name}.pem"), &format!("{name}.ocsp"));
            }
            delta_crl(&dir);
            let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();
            crate::common::openssl::run(&[
                "pkcs12",
                "-export",
                "-in",
                &path("server.pem"),
                "-inkey",
                &path("server.key"),
                "-passout",
                "pass:",
                "-out",
                &path("server.p12"),
            ]);
        }
        Fixture { dir, openssl }
    })
}

/// A "good" response from `openssl ocsp` for the leaf in `leaf`, issued by
/// `ca.pem`/`ca.key` of `dir`, written to `out`.
pub fn ocsp_response(dir: &Path, leaf: &str, out: &str) {
    let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    let serial = crate::common::openssl::serial(&path(leaf));
    let index = path(&format!("{out}.index"));
    std::fs::write(
        &index,
        format!("V\t491231235959Z\t\t{serial}\tunknown\t/CN=leaf\n"),
    )
    .unwrap();
    crate::common::openssl::run(&[
        "ocsp",
        "-index",
        &index,
        "-rsigner",
        &path("ca.pem"),
        "-rkey",
        &path("ca.key"),
        "-CA",
        &path("ca.pem"),
        "-issuer",
        &path("ca.pem"),
        "-cert",
        &path(leaf),
        "-respout",
        &path(out),
        "-ndays",
        "1",
    ]);
}

/// `delta.crl` in `dir`: a delta CRL of `ca.pem`/`ca.key`, from `openssl
/// ca -gencrl` with a deltaCRLIndicator extension.
pub fn delta_crl(dir: &Path) {
    let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    std::fs::write(path("crl-index.txt"), "").unwrap();
    std::fs::write(path("crlnumber"), "02\n").unwrap();
    let config = format!(
        "[ ca ]\ndefault_ca = d\n[ d ]\ndatabase = {}\ncrlnumber = {}\n\
         default_md = sha256\ndefault_crl_days = 30\n\
         [ delta ]\n2.5.29.27 = critical,DER:02:01:01\n",
        path("crl-index.txt"),
        path("crlnumber"),
    );
    std::fs::write(path("ca.cnf"), config).unwrap();
    crate::common::openssl::run(&[
        "ca",
        "-gencrl",
        "-config",
        &path("ca.cnf"),
        "-keyfile",
        &path("ca.key"),
        "-cert",
        &path("ca.pem"),
        "-crlexts",
        "delta",
        "-out",
        &path("delta.crl"),
    ]);
}

impl Fixture {
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// The error and each `source()`, joined by ": ".
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(cause) = next {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        next = cause.source();
    }
    text
}

/// How a generated identity is read.
#[derive(Clone, Copy, Debug)]
pub enum Unlock {
    /// A key without a passphrase; `true`: with its OCSP response file
    /// (when openssl made them).
    Plain(&'static str, bool),
    PassphraseFile,
    PassphraseEnv,
    /// A PKCS#12 file, its passphrase in a file.
    Pkcs12File,
    /// A PKCS#12 file, its passphrase in a variable.
    Pkcs12Env,
    /// `openssl pkcs12 -export` without a passphrase, with an OCSP response
    /// file (with openssl; else as `Pkcs12File`).
    Pkcs12Plain,
}

pub fn identity(unlock: Unlock) -> Identity {
    let f = fixture();
    match unlock {
        Unlock::Plain(name, ocsp) => {
            let identity = Identity::from_files(
                f.path(&format!("{name}.pem")),
                f.path(&format!("{name}.key")),
            )
            .unwrap();
            if ocsp && f.openssl {
                identity
                    .with_ocsp_response_file(f.path(&format!("{name}.ocsp")))
                    .unwrap()
            } else {
                identity
            }
        }
        Unlock::PassphraseFile => Identity::from_files_with_passphrase(
            f.path("enc.pem"),
            f.path("enc.key"),
            Passphrase::from_file(f.path("good.pass")),
        )
        .unwrap(),
        Unlock::PassphraseEnv => Identity::from_files_with_passphrase(
            f.path("enc.pem"),
            f.path("enc.key"),
            Passphrase::from_env(PASSPHRASE_VARIABLE).unwrap(),
        )
        .unwrap(),
        // With the OCSP response of its leaf, `server.pem`'s.
        Unlock::Pkcs12Plain if f.openssl => {
            Identity::from_pkcs12_file(f.path("server.p12"), Passphrase::new(b""))
                .unwrap()
                .with_ocsp_response_file(f.path("server.ocsp"))
                .unwrap()
        }
        Unlock::Pkcs12File | Unlock::Pkcs12Plain => {
            Identity::from_pkcs12_file(f.path("id.p12"), Passphrase::from_file(f.path("p12.pass")))
                .unwrap()
        }
        Unlock::Pkcs12Env => Identity::from_pkcs12_file(
            f.path("id.p12"),
            Passphrase::from_env(P12_PASSPHRASE_VARIABLE).unwrap(),
        )
        .unwrap(),
    }
}
