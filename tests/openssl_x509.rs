//! Certificates, keys and cipher names checked against what the `openssl`
//! command-line tool makes and reports for the same input.

mod common;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

use sslconf::{
    AlternativeName, Certificate, Cipher, DigestAlgorithm, Error, KeyAlgorithm, PrivateKey,
    SslConfiguration, SslProtocol, SubjectInfo,
};

/// A fresh scratch directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "sslconf-openssl-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `openssl` and returns its standard output, failing the test on error.
fn openssl(args: &[&str]) -> String {
    let out = Command::new("openssl").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const SUBJECT: &str = "/C=DE/ST=Berlin/L=Kreuzberg/O=Acme GmbH/OU=Ops/OU=Dev/CN=root.example.test/emailAddress=ops@example.test/serialNumber=42";

/// A self-signed EC root with every name attribute, and an RSA leaf it signs.
fn make_certificates(dir: &Scratch) -> (String, String) {
    let (root, root_key) = (dir.path("root.pem"), dir.path("root.key"));
    openssl(&[
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes",
        "-keyout", &root_key, "-out", &root, "-subj", SUBJECT, "-days", "30",
        "-set_serial", "0x80ab01ff", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "subjectAltName=DNS:a.test,DNS:*.b.test,IP:127.0.0.1,IP:::1,email:x@y.test,URI:https://u.test/",
    ]);
    let (leaf, leaf_key, csr) = (
        dir.path("leaf.pem"),
        dir.path("leaf.key"),
        dir.path("leaf.csr"),
    );
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        &leaf_key,
        "-out",
        &csr,
        "-subj",
        "/O=Leaf Org/OU=Leaf Unit/CN=leaf.example.test",
    ]);
    let ext = dir.path("leaf.ext");
    std::fs::write(&ext, "subjectAltName=DNS:leaf.example.test\n").unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        &root,
        "-CAkey",
        &root_key,
        "-out",
        &leaf,
        "-days",
        "10",
        "-set_serial",
        "7",
        "-extfile",
        &ext,
    ]);
    (root, leaf)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// `openssl x509 -noout <flag>` on a PEM file, the value after the first `=`.
fn x509_value(path: &str, flags: &[&str]) -> String {
    let mut args = vec!["x509", "-in", path, "-noout"];
    args.extend_from_slice(flags);
    let out = openssl(&args);
    out.trim()
        .split_once('=')
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default()
}

/// A name as `-nameopt RFC2253,sep_multiline` prints it, back in certificate order.
fn x509_name(path: &str, which: &str) -> Vec<(String, String)> {
    let out = openssl(&[
        "x509",
        "-in",
        path,
        "-noout",
        which,
        "-nameopt",
        "RFC2253,sep_multiline,utf8",
    ]);
    let mut attrs: Vec<(String, String)> = out
        .lines()
        .skip(1)
        .filter_map(|l| l.trim().split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    attrs.reverse(); // RFC 2253 prints the last RDN first
    attrs
}

fn short_name(info: SubjectInfo) -> &'static str {
    match info {
        SubjectInfo::Organization => "O",
        SubjectInfo::CommonName => "CN",
        SubjectInfo::LocalityName => "L",
        SubjectInfo::OrganizationalUnitName => "OU",
        SubjectInfo::CountryName => "C",
        SubjectInfo::StateOrProvinceName => "ST",
        SubjectInfo::EmailAddress => "emailAddress",
        SubjectInfo::SerialNumber => "serialNumber",
        _ => unreachable!("a SubjectInfo this test does not know"),
    }
}

const ALL_INFO: [SubjectInfo; 8] = [
    SubjectInfo::Organization,
    SubjectInfo::CommonName,
    SubjectInfo::LocalityName,
    SubjectInfo::OrganizationalUnitName,
    SubjectInfo::CountryName,
    SubjectInfo::StateOrProvinceName,
    SubjectInfo::EmailAddress,
    SubjectInfo::SerialNumber,
];

fn iso_time(text: &str) -> SystemTime {
    let format =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]Z");
    let parsed = time::PrimitiveDateTime::parse(text, format)
        .unwrap()
        .assume_utc();
    SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(parsed.unix_timestamp() as u64)
}

fn openssl_alt_names(path: &str) -> Vec<AlternativeName> {
    let out = openssl(&["x509", "-in", path, "-noout", "-ext", "subjectAltName"]);
    let Some(line) = out.lines().nth(1) else {
        return Vec::new();
    };
    line.split(", ")
        .map(|item| {
            let (kind, value) = item.trim().split_once(':').unwrap();
            match kind {
                "DNS" => AlternativeName::Dns(value.to_owned()),
                "email" => AlternativeName::Email(value.to_owned()),
                "URI" => AlternativeName::Uri(value.to_owned()),
                "IP Address" => AlternativeName::IpAddress(value.parse::<IpAddr>().unwrap()),
                other => panic!("unexpected alternative name kind {other}"),
            }
        })
        .collect()
}

fn check_against_openssl(path: &str, cert: &Certificate) {
    for (algorithm, flag) in [
        (DigestAlgorithm::Sha1, "-sha1"),
        (DigestAlgorithm::Sha256, "-sha256"),
        (DigestAlgorithm::Sha384, "-sha384"),
        (DigestAlgorithm::Sha512, "-sha512"),
    ] {
        let expected = x509_value(path, &["-fingerprint", flag]).replace(':', "");
        assert_eq!(hex(&cert.digest(algorithm)), expected, "{flag}");
    }
    assert_eq!(
        cert.serial_number().replace(':', "").to_uppercase(),
        x509_value(path, &["-serial"])
    );

    let text = openssl(&["x509", "-in", path, "-noout", "-text"]);
    let version_line = text
        .lines()
        .find(|l| l.trim().starts_with("Version:"))
        .unwrap();
    assert!(
        version_line.contains(&format!("Version: {} ", cert.version())),
        "{version_line}"
    );

    for (which, get) in [
        (
            "-subject",
            Certificate::subject_info as fn(&Certificate, SubjectInfo) -> Vec<String>,
        ),
        ("-issuer", Certificate::issuer_info),
    ] {
        let attrs = x509_name(path, which);
        for info in ALL_INFO {
            let expected: Vec<String> = attrs
                .iter()
                .filter(|(k, _)| k == short_name(info))
                .map(|(_, v)| v.clone())
                .collect();
            assert_eq!(get(cert, info), expected, "{which} {info:?}");
        }
        let display = if which == "-subject" {
            cert.subject_display_name()
        } else {
            cert.issuer_display_name()
        };
        let cn = attrs
            .iter()
            .find(|(k, _)| k == "CN")
            .map(|(_, v)| v.clone())
            .unwrap();
        assert_eq!(display, cn);
    }

    let dates = openssl(&[
        "x509", "-in", path, "-noout", "-dates", "-dateopt", "iso_8601",
    ]);
    let dates: BTreeMap<&str, &str> = dates.lines().filter_map(|l| l.split_once('=')).collect();
    assert_eq!(cert.effective_date(), iso_time(dates["notBefore"]));
    assert_eq!(cert.expiry_date(), iso_time(dates["notAfter"]));

    assert_eq!(cert.subject_alternative_names(), openssl_alt_names(path));
}

#[test]
fn certificate_fields_match_openssl() {
    if !common::peer_available("openssl") {
        return;
    }
    let dir = Scratch::new();
    let (root_path, leaf_path) = make_certificates(&dir);
    let root = Certificate::from_path(&root_path).unwrap().remove(0);
    let leaf = Certificate::from_path(&leaf_path).unwrap().remove(0);
    check_against_openssl(&root_path, &root);
    check_against_openssl(&leaf_path, &leaf);

    // A top bit set in the serial: DER adds a sign byte, which is not part of the number.
    assert_eq!(root.serial_number(), "80:ab:01:ff");
    assert_eq!(leaf.serial_number(), "07");
    assert_eq!(
        root.subject_info(SubjectInfo::OrganizationalUnitName),
        ["Ops", "Dev"]
    );
    assert!(root.is_self_signed());
    assert!(!leaf.is_self_signed());
    assert!(root.is_ca() && !leaf.is_ca());

    // PEM as openssl writes it, and back.
    let pem = std::fs::read_to_string(&root_path).unwrap();
    assert_eq!(root.to_pem(), pem);
    // DER written by openssl, told apart from PEM by content.
    let der_path = dir.path("root.der");
    openssl(&[
        "x509", "-in", &root_path, "-outform", "DER", "-out", &der_path,
    ]);
    assert_eq!(
        Certificate::from_path(&der_path).unwrap(),
        std::slice::from_ref(&root)
    );
    assert_eq!(std::fs::read(&der_path).unwrap(), root.to_der());
    // A bundle, in order.
    let bundle = dir.path("bundle.pem");
    std::fs::write(
        &bundle,
        format!("{}{}", std::fs::read_to_string(&leaf_path).unwrap(), pem),
    )
    .unwrap();
    assert_eq!(Certificate::from_path(&bundle).unwrap(), [leaf, root]);
}

/// How a key is written, and how it is read back.
enum Format {
    Pem,
    Der,
    EncryptedPem,
    EncryptedDer,
}

fn load(path: &str, format: &Format) -> Result<PrivateKey, Error> {
    let bytes = std::fs::read(path).unwrap();
    match format {
        Format::Pem => PrivateKey::from_pem(&bytes),
        Format::Der => PrivateKey::from_der(&bytes),
        Format::EncryptedPem => PrivateKey::from_pem_with_passphrase(&bytes, b"s3cret"),
        Format::EncryptedDer => PrivateKey::from_path_with_passphrase(path, b"s3cret"),
    }
}

#[test]
fn keys_in_every_format_load_with_algorithm_and_length() {
    if !common::peer_available("openssl") {
        return;
    }
    let dir = Scratch::new();
    let kinds: [(&str, &[&str], KeyAlgorithm, u32); 5] = [
        (
            "rsa2048",
            &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            KeyAlgorithm::Rsa,
            2048,
        ),
        (
            "rsa3072",
            &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"],
            KeyAlgorithm::Rsa,
            3072,
        ),
        (
            "p256",
            &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
            KeyAlgorithm::Ec,
            256,
        ),
        (
            "p384",
            &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
            KeyAlgorithm::Ec,
            384,
        ),
        (
            "ed25519",
            &["-algorithm", "ED25519"],
            KeyAlgorithm::Ed25519,
            256,
        ),
    ];
    for (name, genpkey, algorithm, length) in kinds {
        let pkcs8 = dir.path(&format!("{name}.pem"));
        let mut args = vec!["genpkey"];
        args.extend_from_slice(genpkey);
        args.extend_from_slice(&["-out", &pkcs8]);
        openssl(&args);
        let mut files = vec![(pkcs8.clone(), Format::Pem, "PKCS#8 PEM")];

        let der = dir.path(&format!("{name}.der"));
        openssl(&["pkey", "-in", &pkcs8, "-outform", "DER", "-out", &der]);
        files.push((der, Format::Der, "PKCS#8 DER"));

        // PKCS#1 for RSA (`rsa -traditional`), SEC1 for EC (`ec` writes it by default).
        let traditional: Option<(&[&str], &str, &str)> = match algorithm {
            KeyAlgorithm::Rsa => {
                Some((&["rsa", "-traditional"], "PKCS#1", "BEGIN RSA PRIVATE KEY"))
            }
            KeyAlgorithm::Ec => Some((&["ec"], "SEC1", "BEGIN EC PRIVATE KEY")),
            _ => None,
        };
        if let Some((tool, label, header)) = traditional {
            let pem = dir.path(&format!("{name}-trad.pem"));
            let der = dir.path(&format!("{name}-trad.der"));
            openssl(&[tool, &["-in", &pkcs8, "-out", &pem]].concat());
            openssl(&[tool, &["-in", &pkcs8, "-outform", "DER", "-out", &der]].concat());
            let text = std::fs::read_to_string(&pem).unwrap();
            assert!(text.contains(header), "{name}: {text}");
            files.push((pem, Format::Pem, label));
            files.push((der, Format::Der, label));
        }

        for (cipher, tag) in [
            (&["-v2", "aes-256-cbc"][..], "pbkdf2"),
            (&["-scrypt"][..], "scrypt"),
        ] {
            for (outform, format) in [("PEM", Format::EncryptedPem), ("DER", Format::EncryptedDer)]
            {
                let path = dir.path(&format!("{name}-{tag}.{outform}"));
                let mut args = vec![
                    "pkcs8",
                    "-topk8",
                    "-in",
                    &pkcs8,
                    "-passout",
                    "pass:s3cret",
                    "-outform",
                    outform,
                    "-out",
                    &path,
                ];
                args.extend_from_slice(cipher);
                openssl(&args);
                files.push((path, format, "encrypted PKCS#8"));
            }
        }

        for (path, format, label) in &files {
            let key = load(path, format).unwrap_or_else(|e| panic!("{name} {label} {path}: {e}"));
            assert_eq!(
                (key.algorithm(), key.length()),
                (algorithm, length),
                "{name} {label}"
            );
            // Every file also loads through from_path, PEM or DER told apart by content.
            let by_path = match format {
                Format::Pem | Format::Der => PrivateKey::from_path(path),
                _ => PrivateKey::from_path_with_passphrase(path, b"s3cret"),
            };
            assert_eq!(by_path.unwrap(), key, "{name} {label} from_path");
        }
        // The key signs a certificate a server can use.
        let cert = dir.path(&format!("{name}.crt"));
        openssl(&[
            "req",
            "-x509",
            "-key",
            &pkcs8,
            "-out",
            &cert,
            "-subj",
            "/CN=localhost",
            "-days",
            "1",
        ]);
        let config = SslConfiguration::new()
            .with_local_certificate_chain(Certificate::from_path(&cert).unwrap())
            .with_private_key(PrivateKey::from_path(&pkcs8).unwrap());
        config
            .server_config()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn bad_key_and_certificate_files_name_the_file() {
    if !common::peer_available("openssl") {
        return;
    }
    let dir = Scratch::new();
    let key = dir.path("key.pem");
    openssl(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        &key,
    ]);
    let encrypted = dir.path("encrypted.pem");
    openssl(&[
        "pkcs8",
        "-topk8",
        "-in",
        &key,
        "-v2",
        "aes-128-cbc",
        "-passout",
        "pass:right",
        "-out",
        &encrypted,
    ]);

    let err = PrivateKey::from_path_with_passphrase(&encrypted, b"wrong").unwrap_err();
    assert!(
        matches!(&err, Error::WrongPassphrase { input } if input == &encrypted),
        "{err}"
    );
    assert!(err.to_string().contains(&encrypted));
    let err = PrivateKey::from_path(&encrypted).unwrap_err();
    assert!(
        matches!(&err, Error::EncryptedPrivateKey { input } if input == &encrypted),
        "{err}"
    );

    // A certificate where a key is expected, and the reverse.
    let cert = dir.path("cert.pem");
    openssl(&[
        "req", "-x509", "-key", &key, "-out", &cert, "-subj", "/CN=x", "-days", "1",
    ]);
    let err = PrivateKey::from_path(&cert).unwrap_err();
    assert!(matches!(err, Error::InvalidPrivateKey { .. }), "{err}");
    assert!(
        err.to_string().contains(&cert) && err.to_string().contains("only Certificate"),
        "{err}"
    );
    let err = Certificate::from_path(&key).unwrap_err();
    assert!(matches!(err, Error::InvalidCertificate { .. }), "{err}");
    assert!(
        err.to_string().contains(&key) && err.to_string().contains("no certificate found"),
        "{err}"
    );

    // Legacy OpenSSL PEM encryption is named as such.
    let legacy = dir.path("legacy.pem");
    openssl(&[
        "ec", "-in", &key, "-aes128", "-passout", "pass:x", "-out", &legacy,
    ]);
    let err = PrivateKey::from_path_with_passphrase(&legacy, b"x").unwrap_err();
    assert!(
        err.to_string().contains("legacy OpenSSL PEM encryption"),
        "{err}"
    );

    let missing = dir.path("missing.pem");
    let err = Certificate::from_path(&missing).unwrap_err();
    assert!(matches!(&err, Error::ReadFile { path, .. } if path == Path::new(&missing)));
    assert_eq!(err.to_string(), format!("cannot read {missing}"));
    assert!(std::error::Error::source(&err).is_some());
    assert!(matches!(
        PrivateKey::from_path(&missing),
        Err(Error::ReadFile { .. })
    ));
}

#[test]
fn bad_input_is_a_typed_error_naming_the_input() {
    let ca = common::Authority::root("Bad Input Root");
    let id = ca.leaf("localhost");
    let cert_der = id.leaf().to_der().to_vec();
    let key_der = id.key().clone_rustls_key().secret_der().to_vec();

    for input in [&b""[..], b"garbage", b"\x30\x82\xff\xff"] {
        let err = Certificate::from_der(input).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid certificate in DER input: "),
            "{err}"
        );
        let err = Certificate::from_pem(input).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid certificate in PEM input: "),
            "{err}"
        );
        let err = PrivateKey::from_der(input).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid private key in DER input: "),
            "{err}"
        );
        let err = PrivateKey::from_pem(input).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid private key in PEM input: "),
            "{err}"
        );
    }
    // Every truncation of real DER is refused, never a panic.
    for len in 0..cert_der.len() {
        assert!(matches!(
            Certificate::from_der(&cert_der[..len]),
            Err(Error::InvalidCertificate { .. })
        ));
    }
    for len in 0..key_der.len() {
        assert!(PrivateKey::from_der(&key_der[..len]).is_err());
    }
    // A broken base64 body.
    let mut pem = id.leaf().to_pem();
    let body = pem.find('\n').unwrap() + 10;
    pem.replace_range(body..body + 1, "!");
    let err = Certificate::from_pem(pem.as_bytes()).unwrap_err();
    assert!(matches!(err, Error::InvalidCertificate { .. }));
    assert!(err.to_string().contains("base64"), "{err}");
    // A section with no end.
    let pem = id.leaf().to_pem();
    let err = Certificate::from_pem(
        pem.trim_end()
            .trim_end_matches("-----END CERTIFICATE-----")
            .as_bytes(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("no end line"), "{err}");
    // The wrong kind of thing.
    assert!(matches!(
        PrivateKey::from_der(&cert_der),
        Err(Error::InvalidPrivateKey { .. })
    ));
    assert!(matches!(
        Certificate::from_der(&key_der),
        Err(Error::InvalidCertificate { .. })
    ));
    // The key never appears in a message.
    let err = Certificate::from_der(&key_der).unwrap_err().to_string();
    assert!(!err.contains(&format!("{:?}", &key_der[..8])), "{err}");
}

#[test]
fn cipher_names_match_openssl() {
    if !common::peer_available("openssl") {
        return;
    }
    let listing = openssl(&["ciphers", "-stdname", "-v", "ALL:@SECLEVEL=0"]);
    let supported = SslConfiguration::supported_ciphers();
    let mut seen = Vec::new();
    for line in listing.lines() {
        // "IANA - OPENSSL VERSION Kx=.. Au=.. Enc=..(bits) Mac=.."
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [iana, "-", name, version, kx, au, enc, ..] = fields[..] else {
            panic!("unexpected line {line:?}");
        };
        match supported.iter().find(|c| c.name() == iana) {
            Some(cipher) => {
                assert_eq!(Cipher::from_name(iana), Some(*cipher));
                assert_eq!(Cipher::from_name(name), Some(*cipher));
                assert_eq!(cipher.openssl_name(), name);
                let expected_version = if version == "TLSv1.3" {
                    SslProtocol::TlsV1_3
                } else {
                    SslProtocol::TlsV1_2
                };
                assert_eq!(cipher.protocol(), expected_version, "{iana}");
                assert_eq!(format!("Kx={}", cipher.key_exchange_method()), kx);
                assert_eq!(format!("Au={}", cipher.authentication_method()), au);
                assert_eq!(
                    format!("Enc={}({})", cipher.encryption_method(), cipher.used_bits()),
                    enc
                );
                seen.push(*cipher);
            }
            None => {
                assert_eq!(Cipher::from_name(iana), None, "{iana}");
                assert_eq!(Cipher::from_name(name), None, "{name}");
            }
        }
    }
    seen.sort_by_key(|c| c.name());
    let mut all = supported.clone();
    all.sort_by_key(|c| c.name());
    assert_eq!(seen, all, "every suite sslconf has is one openssl lists");
}
