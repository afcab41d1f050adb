//! Running the `openssl` command-line tool from tests, and reading what it reports.
//!
//! Every test that calls these starts with
//! `if !common::peer_available("openssl") { return; }`.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use sslconf::{AlternativeName, DigestAlgorithm, SubjectInfo};

/// A fresh directory under the system temp dir, removed on drop.
pub struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    /// A new empty directory whose name holds `tag`, the process id and a counter.
    pub fn new(tag: &str) -> Scratch {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "sslconf-{tag}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch { dir }
    }

    /// The directory itself.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A file in the directory, as a string to pass to `openssl` and to compare
    /// with the path an error message names.
    pub fn file(&self, name: &str) -> String {
        self.dir.join(name).to_str().unwrap().to_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `openssl` with `args` and returns its standard output; fails the test
/// (with openssl's standard error) when it does not succeed.
pub fn run(args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run openssl {args:?}: {e}"));
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// [`run`], with the output as text.
pub fn run_text(args: &[&str]) -> String {
    String::from_utf8(run(args)).expect("openssl printed UTF-8")
}

/// Whether `openssl` succeeds with `args`: for features an OpenSSL build may lack.
pub fn succeeds(args: &[&str]) -> bool {
    Command::new("openssl")
        .args(args)
        .output()
        .is_ok_and(|out| out.status.success())
}

// ---------------------------------------------------------------------------
// Certificates: what `openssl x509` reports.

/// `openssl x509 -in path -noout <flags>`, as text.
pub fn x509(path: &str, flags: &[&str]) -> String {
    let mut args = vec!["x509", "-in", path, "-noout"];
    args.extend_from_slice(flags);
    run_text(&args)
}

/// The text after the first `=` of a one-line `openssl x509` answer.
fn value_after_eq(output: &str) -> String {
    let (_, value) = output
        .trim()
        .split_once('=')
        .unwrap_or_else(|| panic!("no '=' in openssl output {output:?}"));
    value.to_owned()
}

/// Decodes hex digits, ignoring `:` separators.
pub fn unhex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(|&b| b != b':').collect();
    assert!(
        digits.len().is_multiple_of(2),
        "odd number of hex digits in {text:?}"
    );
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

/// The fingerprint `openssl x509 -fingerprint -<digest>` prints, as bytes.
pub fn fingerprint(path: &str, algorithm: DigestAlgorithm) -> Vec<u8> {
    let flag = match algorithm {
        DigestAlgorithm::Sha1 => "-sha1",
        DigestAlgorithm::Sha256 => "-sha256",
        DigestAlgorithm::Sha384 => "-sha384",
        DigestAlgorithm::Sha512 => "-sha512",
        other => panic!("no openssl flag for {other:?}"),
    };
    unhex(&value_after_eq(&x509(path, &["-fingerprint", flag])))
}

/// The serial number as `openssl x509 -serial` prints it: upper-case hex, no separators.
pub fn serial(path: &str) -> String {
    value_after_eq(&x509(path, &["-serial"]))
}

/// The version from `openssl x509 -text` ("Version: 3 (0x2)").
pub fn version(path: &str) -> u32 {
    let text = x509(path, &["-text"]);
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("Version:"))
        .unwrap_or_else(|| panic!("no Version line in {text}"));
    line["Version:".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// Which name of a certificate.
#[derive(Clone, Copy, Debug)]
pub enum Name {
    Subject,
    Issuer,
}

/// The attributes of the subject or issuer name in certificate order, as
/// `(short name, value)`: one line per RDN with `sep_multiline`, the values
/// of a multi-valued RDN joined by `" + "`, strings as UTF-8 without escapes.
pub fn name(path: &str, which: Name) -> Vec<(String, String)> {
    let flag = match which {
        Name::Subject => "-subject",
        Name::Issuer => "-issuer",
    };
    let out = x509(path, &[flag, "-nameopt", "sep_multiline,utf8,sname"]);
    out.lines()
        .skip(1) // "subject=" / "issuer="
        .flat_map(|line| {
            line.trim()
                .split(" + ")
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .map(|attr| {
            let (key, value) = attr
                .split_once('=')
                .unwrap_or_else(|| panic!("no '=' in name attribute {attr:?}"));
            (key.to_owned(), value.to_owned())
        })
        .collect()
}

/// The short name openssl prints for an attribute.
pub fn short_name(info: SubjectInfo) -> &'static str {
    match info {
        SubjectInfo::Organization => "O",
        SubjectInfo::CommonName => "CN",
        SubjectInfo::LocalityName => "L",
        SubjectInfo::OrganizationalUnitName => "OU",
        SubjectInfo::CountryName => "C",
        SubjectInfo::StateOrProvinceName => "ST",
        SubjectInfo::EmailAddress => "emailAddress",
        SubjectInfo::SerialNumber => "serialNumber",
        other => panic!("no openssl short name known for {other:?}"),
    }
}

/// Every `SubjectInfo` the API promises.
pub const ALL_SUBJECT_INFO: [SubjectInfo; 8] = [
    SubjectInfo::Organization,
    SubjectInfo::CommonName,
    SubjectInfo::LocalityName,
    SubjectInfo::OrganizationalUnitName,
    SubjectInfo::CountryName,
    SubjectInfo::StateOrProvinceName,
    SubjectInfo::EmailAddress,
    SubjectInfo::SerialNumber,
];

/// The values of one attribute, in order, out of [`name`]'s answer.
pub fn values(attributes: &[(String, String)], info: SubjectInfo) -> Vec<String> {
    attributes
        .iter()
        .filter(|(key, _)| key == short_name(info))
        .map(|(_, value)| value.clone())
        .collect()
}

/// Parses openssl's default date format, `"Jun  5 01:26:57 2136 GMT"`.
pub fn parse_date(text: &str) -> SystemTime {
    let fields: Vec<&str> = text.split_whitespace().collect();
    let [month, day, clock, year, "GMT"] = fields[..] else {
        panic!("unexpected openssl date {text:?}");
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == month).unwrap() as u8 + 1;
    let date = time::Date::from_calendar_date(
        year.parse().unwrap(),
        time::Month::try_from(month).unwrap(),
        day.parse().unwrap(),
    )
    .unwrap();
    let hms: Vec<u8> = clock.split(':').map(|n| n.parse().unwrap()).collect();
    let time = time::Time::from_hms(hms[0], hms[1], hms[2]).unwrap();
    let secs = time::PrimitiveDateTime::new(date, time)
        .assume_utc()
        .unix_timestamp();
    let offset = Duration::from_secs(secs.unsigned_abs());
    if secs >= 0 {
        SystemTime::UNIX_EPOCH + offset
    } else {
        SystemTime::UNIX_EPOCH - offset
    }
}

/// notBefore and notAfter from `openssl x509 -dates`.
pub fn dates(path: &str) -> (SystemTime, SystemTime) {
    let out = x509(path, &["-dates"]);
    let mut not_before = None;
    let mut not_after = None;
    for line in out.lines() {
        match line.split_once('=') {
            Some(("notBefore", value)) => not_before = Some(parse_date(value)),
            Some(("notAfter", value)) => not_after = Some(parse_date(value)),
            _ => panic!("unexpected line {line:?} from openssl x509 -dates"),
        }
    }
    (not_before.unwrap(), not_after.unwrap())
}

/// notBefore and notAfter as `openssl x509 -dateopt iso_8601` prints them
/// (`2026-12-06 12:49:36Z`).
pub fn iso_dates(path: &str) -> (String, String) {
    let out = x509(path, &["-dates", "-dateopt", "iso_8601"]);
    let value = |key: &str| {
        out.lines()
            .find_map(|line| line.strip_prefix(key)?.strip_prefix('='))
            .unwrap_or_else(|| panic!("no {key} from openssl x509 -dates: {out}"))
            .to_owned()
    };
    (value("notBefore"), value("notAfter"))
}

/// The subject alternative names `openssl x509 -ext subjectAltName` prints,
/// in order, leaving out the kinds the API does not have (e.g. registered IDs).
/// Values must not hold `", "`.
pub fn alt_names(path: &str) -> Vec<AlternativeName> {
    let out = x509(path, &["-ext", "subjectAltName"]);
    let Some(line) = out.lines().nth(1) else {
        return Vec::new(); // "No extensions in certificate" or no SAN
    };
    line.trim()
        .split(", ")
        .filter_map(|item| {
            let (kind, value) = item.split_once(':').unwrap();
            match kind {
                "DNS" => Some(AlternativeName::Dns(value.to_owned())),
                "email" => Some(AlternativeName::Email(value.to_owned())),
                "URI" => Some(AlternativeName::Uri(value.to_owned())),
                "IP Address" => Some(AlternativeName::IpAddress(value.parse::<IpAddr>().unwrap())),
                "Registered ID" | "othername" | "DirName" => None,
                other => panic!("unexpected alternative name kind {other:?} in {line:?}"),
            }
        })
        .collect()
}

/// Whether OpenSSL takes the certificate for self-signed: trusted on its own,
/// `openssl verify -CAfile cert cert` succeeds; a certificate issued by
/// another key finds no issuer there.
pub fn verifies_against_itself(path: &str) -> bool {
    succeeds(&["verify", "-CAfile", path, path])
}

// ---------------------------------------------------------------------------
// Keys.

/// `openssl genpkey` arguments for a kind of key.
pub fn genpkey_args(kind: &str) -> &'static [&'static str] {
    match kind {
        "rsa2048" => &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        "rsa3072" => &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"],
        "rsa-pss" => &["-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048"],
        "p256" => &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
        "p384" => &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
        "p521" => &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"],
        "ed25519" => &["-algorithm", "ED25519"],
        other => panic!("unknown key kind {other}"),
    }
}

/// Generates a key of `kind` into `out` (PKCS#8 PEM, unencrypted).
pub fn genpkey(kind: &str, out: &str) {
    let mut args = vec!["genpkey"];
    args.extend_from_slice(genpkey_args(kind));
    args.extend_from_slice(&["-out", out]);
    run(&args);
}

/// The key size `openssl pkey -text` reports ("Private-Key: (2048 bit, 2 primes)"),
/// `None` where it prints none (Ed25519).
pub fn key_bits(path: &str) -> Option<u32> {
    let text = run_text(&["pkey", "-in", path, "-noout", "-text"]);
    let first = text.lines().next()?;
    let (_, rest) = first.split_once('(')?;
    rest.split_whitespace().next()?.parse().ok()
}

/// Converts a PEM key to PKCS#8 DER. (`openssl pkey -outform DER` would write
/// the traditional PKCS#1 or SEC1 layout.)
pub fn pkcs8_der(pem: &str, out: &str) {
    run(&[
        "pkcs8", "-topk8", "-nocrypt", "-in", pem, "-outform", "DER", "-out", out,
    ]);
}

// ---------------------------------------------------------------------------
// Cipher suites.

/// One line of `openssl ciphers -stdname -v`:
/// `"IANA - OPENSSL VERSION Kx=.. Au=.. Enc=..(bits) Mac=.."`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CipherLine {
    pub iana: String,
    pub openssl: String,
    pub version: String,
    pub kx: String,
    pub au: String,
    pub enc: String,
    pub bits: u32,
    pub mac: String,
}

/// Runs `openssl ciphers -stdname -v <args>` and parses every line.
pub fn ciphers(args: &[&str]) -> Vec<CipherLine> {
    let mut all = vec!["ciphers", "-stdname", "-v"];
    all.extend_from_slice(args);
    run_text(&all)
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [iana, "-", openssl, version, kx, au, enc, mac] = fields[..] else {
                panic!("unexpected line {line:?} from openssl {all:?}");
            };
            let field = |text: &str, key: &str| {
                text.strip_prefix(key)
                    .unwrap_or_else(|| panic!("expected {key} in {line:?}"))
                    .to_owned()
            };
            let enc = field(enc, "Enc=");
            // "AESGCM(128)"; the NULL ciphers print a bare "None".
            let (method, bits) = enc
                .strip_suffix(')')
                .and_then(|e| e.rsplit_once('('))
                .unwrap_or((enc.as_str(), "0"));
            CipherLine {
                iana: iana.to_owned(),
                openssl: openssl.to_owned(),
                version: version.to_owned(),
                kx: field(kx, "Kx="),
                au: field(au, "Au="),
                enc: method.to_owned(),
                bits: bits.parse().unwrap(),
                mac: field(mac, "Mac="),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Expected errors.

/// Checks that `result` is `Error::InvalidCertificate` naming `input`, in the
/// variant's field and in the message; returns the reason.
#[track_caller]
pub fn expect_invalid_certificate<T: std::fmt::Debug>(
    result: Result<T, sslconf::Error>,
    input: &str,
    case: &str,
) -> String {
    expect_invalid(result, input, case, "certificate", |err| match err {
        sslconf::Error::InvalidCertificate { input, source } => Ok((input, causes(&source))),
        other => Err(other),
    })
}

/// Checks that `result` is `Error::InvalidPrivateKey` naming `input`, in the
/// variant's field and in the message; returns the reason.
#[track_caller]
pub fn expect_invalid_key<T: std::fmt::Debug>(
    result: Result<T, sslconf::Error>,
    input: &str,
    case: &str,
) -> String {
    expect_invalid(result, input, case, "private key", |err| match err {
        sslconf::Error::InvalidPrivateKey { input, source } => Ok((input, causes(&source))),
        other => Err(other),
    })
}

/// The shared checks: `fields` takes the variant apart into (input, reason).
#[track_caller]
fn expect_invalid<T: std::fmt::Debug>(
    result: Result<T, sslconf::Error>,
    input: &str,
    case: &str,
    what: &str,
    fields: impl FnOnce(sslconf::Error) -> Result<(String, String), sslconf::Error>,
) -> String {
    let err = result.expect_err(case);
    let message = err.to_string();
    let (named, reason) = fields(err)
        .unwrap_or_else(|other| panic!("{case}: expected an invalid {what}, got {other:?}"));
    assert_eq!(named, input, "{case}: {message}");
    // The cause is source(), not repeated in the message.
    assert_eq!(message, format!("invalid {what} in {input}"), "{case}");
    assert!(!reason.is_empty(), "{case}");
    reason
}

/// An error and its causes, each message once, joined by ": ".
pub fn causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut next = err.source();
    while let Some(cause) = next {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        next = cause.source();
    }
    text
}

/// Checks that `result` is `Error::ReadFile` for `path`, with the OS error as source.
#[track_caller]
pub fn expect_read_file<T: std::fmt::Debug>(
    result: Result<T, sslconf::Error>,
    path: &str,
    kind: Option<std::io::ErrorKind>,
) {
    let err = result.expect_err(path);
    assert_eq!(err.to_string(), format!("cannot read {path}"));
    let sslconf::Error::ReadFile {
        path: named,
        source,
    } = &err
    else {
        panic!("{path}: expected ReadFile, got {err:?}");
    };
    assert_eq!(named, Path::new(path));
    if let Some(kind) = kind {
        assert_eq!(source.kind(), kind, "{path}");
    }
    assert!(std::error::Error::source(&err).is_some());
}

// ---------------------------------------------------------------------------
// Chain verification: what `openssl verify` says.

/// One error line of `openssl verify`: "error 47 at 0 depth lookup: permitted
/// subtree violation".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyError {
    /// OpenSSL's `X509_V_ERR_*` number.
    pub code: u32,
    /// The depth of the certificate it concerns (0 = the leaf).
    pub depth: u32,
    /// OpenSSL's text for it.
    pub text: String,
}

/// What `openssl verify` said about a chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// It printed "OK" and exited 0.
    pub ok: bool,
    /// Every "error N at D depth lookup: ..." line, in order.
    pub errors: Vec<VerifyError>,
    /// Everything it printed, for failure messages.
    pub output: String,
}

impl Verdict {
    /// The errors as `(code, depth, text)`, for comparisons.
    pub fn errors(&self) -> Vec<(u32, u32, &str)> {
        self.errors
            .iter()
            .map(|e| (e.code, e.depth, e.text.as_str()))
            .collect()
    }
}

/// Runs `openssl verify -CAfile <trusted> [-untrusted <chain[1..]>] <args>
/// <chain[0]>` and parses what it says. `args` are further options
/// (`-purpose sslserver`, `-verify_hostname h`, `-verify_ip a`, ...).
pub fn verify(
    trusted: &[sslconf::Certificate],
    chain: &[sslconf::Certificate],
    args: &[&str],
) -> Verdict {
    let scratch = Scratch::new("verify");
    let write = |name: &str, certs: &[sslconf::Certificate]| {
        let path = scratch.file(name);
        let pem: String = certs.iter().map(sslconf::Certificate::to_pem).collect();
        std::fs::write(&path, pem).unwrap();
        path
    };
    let ca_file = write("trusted.pem", trusted);
    let leaf_file = write("leaf.pem", &chain[..1]);
    let mut all = vec!["verify".to_owned(), "-CAfile".to_owned(), ca_file];
    if chain.len() > 1 {
        all.push("-untrusted".to_owned());
        all.push(write("untrusted.pem", &chain[1..]));
    }
    all.extend(args.iter().map(|a| (*a).to_owned()));
    all.push(leaf_file.clone());
    let out = Command::new("openssl")
        .args(&all)
        .output()
        .unwrap_or_else(|e| panic!("cannot run openssl {all:?}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let errors = stderr
        .lines()
        .chain(stdout.lines())
        .filter_map(|line| {
            let rest = line.strip_prefix("error ")?;
            let (code, rest) = rest.split_once(" at ")?;
            let (depth, text) = rest.split_once(" depth lookup: ")?;
            Some(VerifyError {
                code: code.parse().ok()?,
                depth: depth.parse().ok()?,
                text: text.to_owned(),
            })
        })
        .collect();
    let ok = out.status.success() && stdout.trim() == format!("{leaf_file}: OK");
    Verdict {
        ok,
        errors,
        output: format!("openssl {all:?}\n{stdout}{stderr}"),
    }
}

/// A leaf for `host` (CN and DNS SAN, EKU serverAuth and clientAuth) with
/// the public key of `key_pem`, signed by the CA `ca_cert`/`ca_key_pem` with
/// `openssl x509 -req -<digest>`: for what rcgen cannot sign (SHA-1) or keys
/// it cannot make (brainpool, made with [`genpkey_curve`]).
pub fn issue_leaf(
    ca_cert: &sslconf::Certificate,
    ca_key_pem: &str,
    key_pem: &str,
    host: &str,
    digest: &str,
) -> sslconf::Certificate {
    let scratch = Scratch::new("issue");
    let file = |name: &str, content: &str| {
        let path = scratch.file(name);
        std::fs::write(&path, content).unwrap();
        path
    };
    let ca = file("ca.pem", &ca_cert.to_pem());
    let ca_key = file("ca.key", ca_key_pem);
    let key = file("leaf.key", key_pem);
    let csr = scratch.file("leaf.csr");
    let out = scratch.file("leaf.pem");
    let subject = format!("/CN={host}");
    let san = format!("subjectAltName=DNS:{host}");
    run(&[
        "req",
        "-new",
        "-key",
        &key,
        "-subj",
        &subject,
        "-addext",
        &san,
        "-addext",
        "extendedKeyUsage=serverAuth,clientAuth",
        "-out",
        &csr,
    ]);
    let digest_flag = format!("-{digest}");
    run(&[
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        &ca,
        "-CAkey",
        &ca_key,
        "-copy_extensions",
        "copy",
        "-days",
        "30",
        &digest_flag,
        "-out",
        &out,
    ]);
    let mut certs = sslconf::Certificate::from_path(&out).unwrap();
    assert_eq!(certs.len(), 1);
    certs.remove(0)
}

/// A new EC private key on `curve` (OpenSSL's name, e.g. `brainpoolP256r1`),
/// as PKCS#8 PEM.
pub fn genpkey_curve(curve: &str) -> String {
    let param = format!("ec_paramgen_curve:{curve}");
    run_text(&["genpkey", "-algorithm", "EC", "-pkeyopt", &param])
}

/// A self-signed CA certificate (`openssl req -x509`, OpenSSL's default
/// `v3_ca` extensions) for the key `key_pem`, named `common_name`.
pub fn self_signed_ca(key_pem: &str, common_name: &str) -> sslconf::Certificate {
    let scratch = Scratch::new("ca");
    let key = scratch.file("ca.key");
    std::fs::write(&key, key_pem).unwrap();
    let out = scratch.file("ca.pem");
    let subject = format!("/CN={common_name}");
    run(&[
        "req", "-x509", "-new", "-key", &key, "-subj", &subject, "-days", "30", "-sha256", "-out",
        &out,
    ]);
    let mut certs = sslconf::Certificate::from_path(&out).unwrap();
    certs.remove(0)
}

/// The crate's kind for an OpenSSL `X509_V_ERR_*` number, as Qt maps them
/// (`QSslError`); `None` for 21 ("unable to verify the first certificate"),
/// which OpenSSL adds beside 20 and Qt drops too, and for numbers no case
/// here produces.
pub fn kind_of_code(code: u32) -> Option<sslconf::SslErrorKind> {
    use sslconf::SslErrorKind as K;
    Some(match code {
        2 => K::UnableToGetIssuerCertificate,
        3 => K::UnableToGetRevocationList,
        7 => K::CertificateSignatureFailed,
        8 => K::RevocationListInvalid,
        9 => K::CertificateNotYetValid,
        10 => K::CertificateExpired,
        12 => K::RevocationListExpired,
        18 => K::SelfSignedCertificate,
        19 => K::SelfSignedCertificateInChain,
        20 => K::UnableToGetLocalIssuerCertificate,
        23 => K::CertificateRevoked,
        24 => K::InvalidCaCertificate,
        25 => K::PathLengthExceeded,
        26 => K::InvalidPurpose,
        27 => K::CertificateUntrusted,
        28 => K::CertificateRejected,
        62 => K::HostNameMismatch,
        _ => return None,
    })
}

/// OpenSSL's `(code, depth)` errors as `(kind, depth)`, sorted; see
/// [`kind_of_code`].
pub fn openssl_kinds(errors: &[(u32, u32)]) -> Vec<(sslconf::SslErrorKind, u32)> {
    let mut kinds: Vec<_> = errors
        .iter()
        .filter_map(|&(code, depth)| {
            if code == 21 {
                return None;
            }
            let kind = kind_of_code(code).unwrap_or_else(|| panic!("openssl error {code}"));
            Some((kind, depth))
        })
        .collect();
    kinds.sort_by_key(|&(kind, depth)| (depth, format!("{kind:?}")));
    kinds
}

/// The crate's errors as `(kind, depth)`, sorted, where depth is the
/// named certificate's place in `chain` (leaf 0) or, for a trusted one,
/// one past the chain's end, as OpenSSL counts its built chain.
pub fn our_kinds(
    errors: &[sslconf::SslError],
    chain: &[sslconf::Certificate],
) -> Vec<(sslconf::SslErrorKind, u32)> {
    let mut kinds: Vec<_> = errors
        .iter()
        .map(|e| {
            let at = e
                .certificate()
                .and_then(|c| chain.iter().position(|x| x == c))
                .unwrap_or(chain.len());
            (e.kind(), at as u32)
        })
        .collect();
    kinds.sort_by_key(|&(kind, depth)| (depth, format!("{kind:?}")));
    kinds
}
