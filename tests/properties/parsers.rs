//! Property tests for every parser of untrusted input: random bytes, random
//! PEM-looking text, and random damage to valid PEM and DER never panic;
//! what fails is an error naming the input, and what parses is consistent.

use std::sync::OnceLock;

use crate::common;
use crate::common::openssl as ossl;
use proptest::prelude::*;
use sslconf::{
    Certificate, Cipher, Error, KeyAlgorithm, KeyExchangeGroup, Passphrase, PrivateKey, SslProtocol,
};

/// The passphrase of `tests/data/ec-p256-encrypted.pem`.
const DATA_PASSPHRASE: &[u8] = b"sslconf-test";
const PASSPHRASE: &[u8] = b"proptest";

/// A valid input to damage: its DER and the PEM label it goes under.
struct Fixture {
    name: String,
    label: &'static str,
    der: Vec<u8>,
    /// For encrypted keys, the passphrase that decrypts them.
    passphrase: Option<&'static [u8]>,
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = base64(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|l| std::str::from_utf8(l).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// Decodes the body of the first PEM section (the fixtures are well formed).
fn pem_body(text: &str) -> Vec<u8> {
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let digits: Vec<u8> = body.bytes().filter(|&c| c != b'=').map(value).collect();
    let mut out = Vec::new();
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &d)| acc | u32::from(d) << (18 - 6 * i));
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

fn fixtures() -> &'static [Fixture] {
    static FIXTURES: OnceLock<Vec<Fixture>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let ca = common::Authority::root("Property Root");
        let rsa =
            ca.issue(&common::LeafSpec::new("rsa.example.test").algorithm(&rcgen::PKCS_RSA_SHA256));
        let ed =
            ca.issue(&common::LeafSpec::new("ed.example.test").algorithm(&rcgen::PKCS_ED25519));
        let p384 = ca.issue(
            &common::LeafSpec::new("p384.example.test").algorithm(&rcgen::PKCS_ECDSA_P384_SHA384),
        );
        let mut fixtures = vec![
            Fixture {
                name: "root certificate".into(),
                label: "CERTIFICATE",
                der: ca.cert.to_der().to_vec(),
                passphrase: None,
            },
            Fixture {
                name: "RSA leaf".into(),
                label: "CERTIFICATE",
                der: rsa.leaf().to_der().to_vec(),
                passphrase: None,
            },
        ];
        for (name, id) in [("RSA", &rsa), ("Ed25519", &ed), ("P-384", &p384)] {
            fixtures.push(Fixture {
                name: format!("{name} PKCS#8"),
                label: "PRIVATE KEY",
                der: id.key().as_rustls().clone_key().secret_der().to_vec(),
                passphrase: None,
            });
        }
        let data = include_str!("../data/ec-p256-encrypted.pem");
        fixtures.push(Fixture {
            name: "encrypted P-256 (PBKDF2, AES-256-CBC)".into(),
            label: "ENCRYPTED PRIVATE KEY",
            der: pem_body(data),
            passphrase: Some(DATA_PASSPHRASE),
        });

        // The traditional layouts and scrypt, where an openssl can write them.
        if ossl::succeeds(&["version"]) {
            let dir = ossl::Scratch::new("proptest");
            let key = dir.file("key.pem");
            std::fs::write(&key, rsa.key_pem()).unwrap();
            let ec = dir.file("ec.pem");
            std::fs::write(&ec, p384.key_pem()).unwrap();
            let pkcs1 = dir.file("pkcs1.der");
            ossl::run(&[
                "rsa",
                "-traditional",
                "-in",
                &key,
                "-outform",
                "DER",
                "-out",
                &pkcs1,
            ]);
            let sec1 = dir.file("sec1.der");
            ossl::run(&["ec", "-in", &ec, "-outform", "DER", "-out", &sec1]);
            let scrypt = dir.file("scrypt.der");
            let small_scrypt = [
                "pkcs8",
                "-topk8",
                "-in",
                &ec,
                "-outform",
                "DER",
                "-out",
                &scrypt,
                "-passout",
                "pass:proptest",
                "-scrypt",
                "-scrypt_N",
                "1024",
                "-scrypt_r",
                "8",
                "-scrypt_p",
                "1",
            ];
            let mut more = vec![
                ("RSA PKCS#1", "RSA PRIVATE KEY", pkcs1, None),
                ("P-384 SEC1", "EC PRIVATE KEY", sec1, None),
            ];
            if ossl::succeeds(&small_scrypt) {
                more.push((
                    "encrypted P-384 (scrypt)",
                    "ENCRYPTED PRIVATE KEY",
                    scrypt,
                    Some(PASSPHRASE),
                ));
            }
            for (name, label, path, passphrase) in more {
                fixtures.push(Fixture {
                    name: name.into(),
                    label,
                    der: std::fs::read(path).unwrap(),
                    passphrase,
                });
            }
        }
        fixtures
    })
}

/// Checks what every parser makes of `bytes`: no panic, errors name the
/// input, and whatever parses is consistent.
fn parse_all(bytes: &[u8], passphrases: &[&[u8]]) {
    for (result, input) in [
        (Certificate::from_pem(bytes), "PEM input"),
        (Certificate::from_der(bytes).map(|c| vec![c]), "DER input"),
    ] {
        match result {
            Ok(certs) => {
                assert!(!certs.is_empty());
                for cert in certs {
                    assert_eq!(Certificate::from_der(cert.to_der()).unwrap(), cert);
                    assert_eq!(
                        Certificate::from_pem(cert.to_pem().as_bytes()).unwrap(),
                        std::slice::from_ref(&cert)
                    );
                    let _ = (
                        cert.serial_number(),
                        cert.subject_display_name(),
                        cert.issuer_display_name(),
                    );
                    let _ = (cert.subject_alternative_names(), cert.is_self_signed());
                    // Fields are read on first use: what construction
                    // accepted must read (an unreadable one reports version 0).
                    assert_ne!(cert.version(), 0, "fields of an accepted certificate");
                }
            }
            Err(err) => check_error(&err, input, "InvalidCertificate"),
        }
    }
    if let Ok(cert) = Certificate::from_der(bytes) {
        assert_eq!(cert.to_der(), bytes);
    }

    let mut keys = vec![
        (PrivateKey::from_pem(bytes), "PEM input"),
        (PrivateKey::from_der(bytes), "DER input"),
    ];
    for passphrase in passphrases {
        keys.push((
            PrivateKey::from_pem_with_passphrase(bytes, &Passphrase::new(passphrase)),
            "PEM input",
        ));
    }
    for (result, input) in keys {
        match result {
            Ok(key) => match key.algorithm() {
                KeyAlgorithm::Rsa => assert!(key.length() > 0),
                KeyAlgorithm::Ec => assert!([256, 384, 521].contains(&key.length())),
                KeyAlgorithm::Ed25519 => assert_eq!(key.length(), 256),
                other => panic!("unexpected algorithm {other:?}"),
            },
            Err(err) => check_error(&err, input, "a key error"),
        }
    }
}

fn check_error(err: &Error, input: &str, expected: &str) {
    let named = match err {
        Error::InvalidCertificate { input, .. } if expected == "InvalidCertificate" => input,
        Error::InvalidPrivateKey { input, .. }
        | Error::EncryptedPrivateKey { input }
        | Error::WrongPassphrase { input }
            if expected != "InvalidCertificate" =>
        {
            input
        }
        other => panic!("expected {expected}, got {other:?}"),
    };
    assert_eq!(named, input);
    assert!(err.to_string().contains(input), "{err}");
}

fn parse_names(text: &str) {
    if let Some(cipher) = Cipher::from_name(text) {
        let trimmed = text.trim();
        let tls13_alias = cipher.name().replacen("TLS_", "TLS13_", 1);
        assert!(
            [cipher.name(), cipher.openssl_name(), tls13_alias.as_str()]
                .iter()
                .any(|n| n.eq_ignore_ascii_case(trimmed)),
            "{text:?} parsed as {cipher}"
        );
        assert_eq!(Cipher::from_name(cipher.name()), Some(cipher));
    }
    if let Some(group) = KeyExchangeGroup::from_name(text) {
        assert_eq!(
            KeyExchangeGroup::from_name(group.name()),
            Some(group),
            "{text:?}"
        );
    }
    if let Some(protocol) = SslProtocol::from_name(text) {
        assert_eq!(
            SslProtocol::from_name(&format!("{protocol:?}")),
            Some(protocol),
            "{text:?}"
        );
    }
}

/// One random change to a byte string.
#[derive(Clone, Debug)]
enum Edit {
    Set(usize, u8),
    FlipBit(usize, u8),
    Insert(usize, u8),
    Remove(usize),
    Truncate(usize),
    /// Copies `len` bytes from one place over another (shuffles DER structure).
    Splice(usize, usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::Set(at, b)),
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Edit::FlipBit(at, bit)),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::Insert(at, b)),
        any::<usize>().prop_map(Edit::Remove),
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), any::<usize>(), 1usize..64).prop_map(|(a, b, n)| Edit::Splice(a, b, n)),
    ]
}

fn apply(bytes: &mut Vec<u8>, edits: &[Edit]) {
    for edit in edits {
        let len = bytes.len();
        if len == 0 {
            return;
        }
        match *edit {
            Edit::Set(at, b) => bytes[at % len] = b,
            Edit::FlipBit(at, bit) => bytes[at % len] ^= 1 << bit,
            Edit::Insert(at, b) => bytes.insert(at % (len + 1), b),
            Edit::Remove(at) => {
                bytes.remove(at % len);
            }
            Edit::Truncate(at) => bytes.truncate(at % len),
            Edit::Splice(from, to, n) => {
                let (from, to) = (from % len, to % len);
                let n = n.min(len - from).min(len - to);
                let chunk = bytes[from..from + n].to_vec();
                bytes[to..to + n].copy_from_slice(&chunk);
            }
        }
    }
}

fn names() -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for cipher in sslconf::SslConfiguration::supported_ciphers() {
        names.push(cipher.name().to_owned());
        names.push(cipher.openssl_name().to_owned());
    }
    for group in [
        "X25519",
        "secp256r1",
        "P-384",
        "prime256v1",
        "X25519MLKEM768",
        "ffdhe2048",
    ] {
        names.push(group.to_owned());
    }
    for protocol in ["TlsV1_2", "TLSv1.3", "tls1.2+", "SecureProtocols", "any"] {
        names.push(protocol.to_owned());
    }
    names
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..1500)) {
        parse_all(&bytes, &[PASSPHRASE]);
    }

    #[test]
    fn random_pem_looking_text(
        label in prop_oneof![
            Just("CERTIFICATE"), Just("PRIVATE KEY"), Just("RSA PRIVATE KEY"),
            Just("EC PRIVATE KEY"), Just("ENCRYPTED PRIVATE KEY"), Just("X509 CRL"), Just("")
        ],
        body in "[A-Za-z0-9+/=\n\r -]{0,300}",
        end in any::<bool>(),
        header in proptest::option::of("Proc-Type: 4,ENCRYPTED\n|[A-Za-z-]{1,10}: [a-z0-9,]{0,10}\n"),
    ) {
        let mut text = format!("-----BEGIN {label}-----\n{}{body}", header.unwrap_or_default());
        if end {
            text.push_str(&format!("\n-----END {label}-----\n"));
        }
        parse_all(text.as_bytes(), &[PASSPHRASE]);
    }

    /// Damaged DER, bare and wrapped in PEM with its label, so that the damage
    /// reaches the DER parsers behind the PEM ones too.
    #[test]
    fn damaged_der(index in any::<prop::sample::Index>(), edits in proptest::collection::vec(edit(), 1..5)) {
        let fixture = index.get(fixtures());
        let mut der = fixture.der.clone();
        apply(&mut der, &edits);
        let passphrases: Vec<&[u8]> = fixture.passphrase.into_iter().chain([&b"wrong"[..]]).collect();
        parse_all(&der, &[]);
        parse_all(pem(fixture.label, &der).as_bytes(), &passphrases);
        if let Some(passphrase) = fixture.passphrase {
            // Also through a file, where DER is decrypted too.
            let dir = std::env::temp_dir();
            let path = dir.join(format!("sslconf-proptest-{}-{:?}.der", std::process::id(), std::thread::current().id()));
            std::fs::write(&path, &der).unwrap();
            let result = PrivateKey::from_path_with_passphrase(&path, &Passphrase::new(passphrase));
            let _ = std::fs::remove_file(&path);
            if let Err(err) = result {
                check_error(&err, path.to_str().unwrap(), "a key error");
            }
        }
    }

    /// Damaged PEM text.
    #[test]
    fn damaged_pem(index in any::<prop::sample::Index>(), edits in proptest::collection::vec(edit(), 1..5)) {
        let fixture = index.get(fixtures());
        let mut text = pem(fixture.label, &fixture.der).into_bytes();
        apply(&mut text, &edits);
        let passphrases: Vec<&[u8]> = fixture.passphrase.into_iter().collect();
        parse_all(&text, &passphrases);
    }

    /// Random names, and damaged real ones.
    #[test]
    fn random_names(
        text in "[A-Za-z0-9_:. +-]{0,64}",
        index in any::<prop::sample::Index>(),
        edits in proptest::collection::vec(edit(), 0..3),
    ) {
        parse_names(&text);
        let mut name = index.get(&names()).clone().into_bytes();
        apply(&mut name, &edits);
        parse_names(&String::from_utf8_lossy(&name));
    }
}

#[test]
fn the_fixtures_are_valid() {
    let fixtures = fixtures();
    assert!(fixtures.len() >= 6);
    if ossl::succeeds(&["version"]) {
        assert!(fixtures.len() >= 8, "the openssl-made fixtures are missing");
    }
    for fixture in fixtures {
        let name = &fixture.name;
        let der = &fixture.der;
        let text = pem(fixture.label, der);
        assert_eq!(pem_body(&text), *der, "{name}");
        match fixture.label {
            "CERTIFICATE" => {
                let cert = Certificate::from_der(der).unwrap();
                assert_eq!(cert.to_pem(), text, "{name}");
                assert_eq!(Certificate::from_pem(text.as_bytes()).unwrap(), [cert]);
            }
            "ENCRYPTED PRIVATE KEY" => {
                let passphrase = fixture.passphrase.unwrap();
                PrivateKey::from_pem_with_passphrase(text.as_bytes(), &Passphrase::new(passphrase))
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(matches!(
                    PrivateKey::from_der(der),
                    Err(Error::EncryptedPrivateKey { .. })
                ));
            }
            _ => {
                let key = PrivateKey::from_der(der).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(
                    PrivateKey::from_pem(text.as_bytes()).unwrap(),
                    key,
                    "{name}"
                );
            }
        }
    }
}
