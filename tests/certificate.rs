//! Certificates made by the `openssl` CLI at test time: every field of
//! `Certificate` equals what `openssl x509` reports for the same file, files
//! load as PEM bundles and as DER, and bad input is a typed error naming it.

mod common;

use std::io::ErrorKind;

use common::openssl::{self as ossl, Name, Scratch};
use sslconf::{AlternativeName, Certificate, DigestAlgorithm, PrivateKey, SubjectInfo};

/// The root's subject: every attribute the API names, two OUs, a comma and a
/// non-ASCII letter.
const ROOT_SUBJECT: &str = "/C=DE/ST=Berlin/L=Kreuzberg/O=Acme, Inc./OU=Ops/OU=D\u{e9}v/CN=root.example.test/emailAddress=ops@example.test/serialNumber=42";

/// One certificate made for the tests, and what it must be.
struct Made {
    name: &'static str,
    path: String,
    self_signed: bool,
    version: u32,
}

/// A set of certificates with different shapes:
///
/// - `root`: self-signed EC P-384 CA, full subject, serial 0x80AB01FF (top bit
///   set), every kind of alternative name, notAfter after 2049 (GeneralizedTime)
/// - `leaf`: RSA-2048, signed by `root`, three OUs, random 20-byte serial
/// - `v1`: X.509 v1 (no extensions) signed by `root`, multi-valued RDNs, serial 0xFF
/// - `v1-self`: X.509 v1 self-signed Ed25519 with only OU and L
/// - `ed25519`: self-signed Ed25519 end entity without CN
/// - `same-name`: signed by `root` with `root`'s own subject, serial 0:
///   subject equals issuer, but the key is another one
struct Pki {
    dir: Scratch,
    certs: Vec<Made>,
}

impl Pki {
    fn path(&self, name: &str) -> &str {
        &self.certs.iter().find(|c| c.name == name).unwrap().path
    }

    fn load(&self, name: &str) -> Certificate {
        let mut certs = Certificate::from_path(self.path(name)).unwrap();
        assert_eq!(certs.len(), 1, "{name}");
        certs.remove(0)
    }
}

fn make_pki() -> Pki {
    let dir = Scratch::new("certificate");
    let f = |name: &str| dir.file(name);
    let mut certs = Vec::new();

    let (root, root_key) = (f("root.pem"), f("root.key"));
    ossl::run(&[
        "req", "-x509", "-utf8", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384",
        "-nodes", "-keyout", &root_key, "-out", &root, "-subj", ROOT_SUBJECT,
        "-days", "40000", "-set_serial", "0x80AB01FF",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "subjectAltName=DNS:a.test,DNS:*.wild.test,IP:127.0.0.1,IP:2001:db8::1,IP:::1,email:x@y.test,URI:https://u.test/p?q=1,RID:1.2.3.4",
    ]);
    certs.push(Made {
        name: "root",
        path: root.clone(),
        self_signed: true,
        version: 3,
    });

    let (leaf, leaf_key, leaf_csr, leaf_ext) =
        (f("leaf.pem"), f("leaf.key"), f("leaf.csr"), f("leaf.ext"));
    ossl::run(&[
        "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", &leaf_key, "-out", &leaf_csr,
        "-subj", "/C=US/ST=California/L=San Francisco/O=Leaf Org/OU=One/OU=Two/OU=Three/CN=leaf.example.test/emailAddress=leaf@example.test/serialNumber=ABC-123",
    ]);
    std::fs::write(
        &leaf_ext,
        "basicConstraints=CA:FALSE\n\
         subjectKeyIdentifier=hash\n\
         authorityKeyIdentifier=keyid\n\
         subjectAltName=DNS:leaf.example.test,IP:10.0.0.1,IP:fe80::1,email:leaf@example.test,URI:spiffe://example.test/leaf\n",
    )
    .unwrap();
    ossl::run(&[
        "x509",
        "-req",
        "-in",
        &leaf_csr,
        "-CA",
        &root,
        "-CAkey",
        &root_key,
        "-out",
        &leaf,
        "-days",
        "10",
        "-extfile",
        &leaf_ext,
        "-CAserial",
        &f("root.srl"),
        "-CAcreateserial",
    ]);
    certs.push(Made {
        name: "leaf",
        path: leaf,
        self_signed: false,
        version: 3,
    });

    let (v1, v1_csr) = (f("v1.pem"), f("v1.csr"));
    ossl::run(&[
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        &f("v1.key"),
        "-out",
        &v1_csr,
        "-multivalue-rdn",
        "-subj",
        "/O=Multi Org/OU=A+OU=B/CN=multi.example.test+serialNumber=7",
    ]);
    ossl::run(&[
        "x509",
        "-req",
        "-in",
        &v1_csr,
        "-CA",
        &root,
        "-CAkey",
        &root_key,
        "-out",
        &v1,
        "-days",
        "3",
        "-set_serial",
        "0xFF",
    ]);
    certs.push(Made {
        name: "v1",
        path: v1,
        self_signed: false,
        version: 1,
    });

    let (ed_key, v1_self, v1_self_csr) = (f("ed.key"), f("v1-self.pem"), f("v1-self.csr"));
    ossl::genpkey("ed25519", &ed_key);
    ossl::run(&[
        "req",
        "-new",
        "-key",
        &ed_key,
        "-out",
        &v1_self_csr,
        "-subj",
        "/OU=Lonely Unit/L=Nowhere",
    ]);
    ossl::run(&[
        "x509",
        "-req",
        "-in",
        &v1_self_csr,
        "-signkey",
        &ed_key,
        "-out",
        &v1_self,
        "-days",
        "2",
        "-set_serial",
        "1",
    ]);
    certs.push(Made {
        name: "v1-self",
        path: v1_self,
        self_signed: true,
        version: 1,
    });

    let ed = f("ed25519.pem");
    ossl::run(&[
        "req",
        "-x509",
        "-key",
        &ed_key,
        "-out",
        &ed,
        "-subj",
        "/O=Only Org/OU=Unit",
        "-days",
        "5",
        "-addext",
        "basicConstraints=critical,CA:FALSE",
        "-addext",
        "subjectAltName=DNS:ed.example.test",
    ]);
    certs.push(Made {
        name: "ed25519",
        path: ed,
        self_signed: true,
        version: 3,
    });

    let (same, same_csr) = (f("same-name.pem"), f("same-name.csr"));
    ossl::run(&[
        "req",
        "-new",
        "-utf8",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        &f("same-name.key"),
        "-out",
        &same_csr,
        "-subj",
        ROOT_SUBJECT,
    ]);
    let same_ext = f("same-name.ext");
    std::fs::write(
        &same_ext,
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    ossl::run(&[
        "x509",
        "-req",
        "-in",
        &same_csr,
        "-CA",
        &root,
        "-CAkey",
        &root_key,
        "-out",
        &same,
        "-days",
        "3",
        "-set_serial",
        "0",
        "-extfile",
        &same_ext,
    ]);
    certs.push(Made {
        name: "same-name",
        path: same,
        self_signed: false,
        version: 3,
    });

    Pki { dir, certs }
}

const DIGESTS: [DigestAlgorithm; 4] = [
    DigestAlgorithm::Sha1,
    DigestAlgorithm::Sha256,
    DigestAlgorithm::Sha384,
    DigestAlgorithm::Sha512,
];

/// Qt's display name out of openssl's attributes: the first CN, else O, else OU.
fn display_name(attributes: &[(String, String)]) -> String {
    [
        SubjectInfo::CommonName,
        SubjectInfo::Organization,
        SubjectInfo::OrganizationalUnitName,
    ]
    .into_iter()
    .find_map(|info| ossl::values(attributes, info).into_iter().next())
    .expect("every test certificate has a CN, O or OU")
}

/// Compares every field of `cert` with what openssl reports for `path`.
fn check_against_openssl(made: &Made, cert: &Certificate) {
    let (name, path) = (made.name, made.path.as_str());

    for algorithm in DIGESTS {
        assert_eq!(
            cert.digest(algorithm),
            ossl::fingerprint(path, algorithm),
            "{name} {algorithm:?}"
        );
    }

    let serial = cert.serial_number();
    assert!(
        serial
            .split(':')
            .all(|b| b.len() == 2 && b.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))),
        "{name}: serial {serial:?} is not lower-case hex bytes joined by ':'"
    );
    assert_eq!(
        serial.replace(':', "").to_uppercase(),
        ossl::serial(path),
        "{name} serial"
    );

    assert_eq!(cert.version(), ossl::version(path), "{name} version");
    assert_eq!(cert.version(), made.version, "{name} version");

    for which in [Name::Subject, Name::Issuer] {
        let attributes = ossl::name(path, which);
        assert!(!attributes.is_empty(), "{name} {which:?}");
        for info in ossl::ALL_SUBJECT_INFO {
            let ours = match which {
                Name::Subject => cert.subject_info(info),
                Name::Issuer => cert.issuer_info(info),
            };
            assert_eq!(
                ours,
                ossl::values(&attributes, info),
                "{name} {which:?} {info:?}"
            );
        }
        let ours = match which {
            Name::Subject => cert.subject_display_name(),
            Name::Issuer => cert.issuer_display_name(),
        };
        assert_eq!(
            ours,
            display_name(&attributes),
            "{name} {which:?} display name"
        );
    }

    let (not_before, not_after) = ossl::dates(path);
    assert_eq!(cert.effective_date(), not_before, "{name} notBefore");
    assert_eq!(cert.expiry_date(), not_after, "{name} notAfter");

    // Display: subject, issuer and validity in one line, the dates as
    // openssl writes them in ISO 8601.
    let (from, to) = ossl::iso_dates(path);
    let utc = |iso: &str| iso.replace('Z', " UTC");
    assert_eq!(
        cert.to_string(),
        format!(
            "{}, issued by {}, valid {} to {}",
            cert.subject_name(),
            cert.issuer_name(),
            utc(&from),
            utc(&to)
        ),
        "{name} Display"
    );

    assert_eq!(
        cert.subject_alternative_names(),
        ossl::alt_names(path),
        "{name} subject alternative names"
    );

    assert_eq!(
        cert.is_self_signed(),
        ossl::verifies_against_itself(path),
        "{name}: is_self_signed disagrees with openssl verify -CAfile {path} {path}"
    );
    assert_eq!(
        cert.is_self_signed(),
        made.self_signed,
        "{name} self-signed"
    );
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn every_field_matches_openssl() {
    if !common::peer_available("openssl") {
        return;
    }
    let pki = make_pki();
    for made in &pki.certs {
        let cert = pki.load(made.name);
        check_against_openssl(made, &cert);
    }
}

/// The values the certificates were made with, so that a change in how
/// openssl prints them cannot make both sides agree on something wrong.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn fields_hold_the_values_the_certificates_were_made_with() {
    if !common::peer_available("openssl") {
        return;
    }
    let pki = make_pki();
    let root = pki.load("root");
    let expected = [
        (SubjectInfo::CountryName, vec!["DE"]),
        (SubjectInfo::StateOrProvinceName, vec!["Berlin"]),
        (SubjectInfo::LocalityName, vec!["Kreuzberg"]),
        (SubjectInfo::Organization, vec!["Acme, Inc."]),
        (SubjectInfo::OrganizationalUnitName, vec!["Ops", "D\u{e9}v"]),
        (SubjectInfo::CommonName, vec!["root.example.test"]),
        (SubjectInfo::EmailAddress, vec!["ops@example.test"]),
        (SubjectInfo::SerialNumber, vec!["42"]),
    ];
    for (info, values) in &expected {
        assert_eq!(root.subject_info(*info), *values, "root subject {info:?}");
        assert_eq!(root.issuer_info(*info), *values, "root issuer {info:?}");
    }
    // The top bit of 0x80 is set: DER adds a 0x00 sign byte, which is no part of the number.
    assert_eq!(root.serial_number(), "80:ab:01:ff");
    assert_eq!(root.subject_display_name(), "root.example.test");
    assert!(root.is_self_signed() && root.is_ca());
    assert_eq!(
        root.subject_alternative_names(),
        [
            AlternativeName::Dns("a.test".into()),
            AlternativeName::Dns("*.wild.test".into()),
            AlternativeName::IpAddress("127.0.0.1".parse().unwrap()),
            AlternativeName::IpAddress("2001:db8::1".parse().unwrap()),
            AlternativeName::IpAddress("::1".parse().unwrap()),
            AlternativeName::Email("x@y.test".into()),
            AlternativeName::Uri("https://u.test/p?q=1".into()),
        ]
    );
    // notAfter 40000 days ahead is after 2049, so a GeneralizedTime.
    let year_2050 = std::time::UNIX_EPOCH + std::time::Duration::from_secs(2_524_608_000);
    assert!(root.expiry_date() > year_2050);
    assert!(root.effective_date() <= std::time::SystemTime::now());

    let leaf = pki.load("leaf");
    assert_eq!(
        leaf.subject_info(SubjectInfo::OrganizationalUnitName),
        ["One", "Two", "Three"]
    );
    assert_eq!(leaf.subject_info(SubjectInfo::SerialNumber), ["ABC-123"]);
    assert_eq!(
        leaf.issuer_info(SubjectInfo::OrganizationalUnitName),
        ["Ops", "D\u{e9}v"]
    );
    assert_eq!(leaf.subject_display_name(), "leaf.example.test");
    assert_eq!(leaf.issuer_display_name(), "root.example.test");
    assert!(!leaf.is_self_signed() && !leaf.is_ca());
    assert_eq!(leaf.version(), 3);
    assert_eq!(
        leaf.subject_alternative_names(),
        [
            AlternativeName::Dns("leaf.example.test".into()),
            AlternativeName::IpAddress("10.0.0.1".parse().unwrap()),
            AlternativeName::IpAddress("fe80::1".parse().unwrap()),
            AlternativeName::Email("leaf@example.test".into()),
            AlternativeName::Uri("spiffe://example.test/leaf".into()),
        ]
    );
    let expiry = leaf
        .expiry_date()
        .duration_since(leaf.effective_date())
        .unwrap();
    assert_eq!(expiry.as_secs(), 10 * 86_400);

    let v1 = pki.load("v1");
    assert_eq!(v1.version(), 1);
    assert_eq!(v1.serial_number(), "ff");
    assert_eq!(
        v1.subject_info(SubjectInfo::OrganizationalUnitName),
        ["A", "B"]
    );
    assert_eq!(
        v1.subject_info(SubjectInfo::CommonName),
        ["multi.example.test"]
    );
    assert_eq!(v1.subject_info(SubjectInfo::SerialNumber), ["7"]);
    assert!(v1.subject_alternative_names().is_empty());
    assert!(!v1.is_self_signed());

    let v1_self = pki.load("v1-self");
    assert_eq!(v1_self.version(), 1);
    assert_eq!(v1_self.serial_number(), "01");
    assert_eq!(v1_self.subject_display_name(), "Lonely Unit");
    assert_eq!(v1_self.issuer_display_name(), "Lonely Unit");
    assert!(v1_self.is_self_signed());

    let ed = pki.load("ed25519");
    assert_eq!(ed.subject_display_name(), "Only Org");
    assert!(ed.subject_info(SubjectInfo::CommonName).is_empty());
    assert!(ed.is_self_signed() && !ed.is_ca());

    let same = pki.load("same-name");
    assert_eq!(same.serial_number(), "00");
    assert_eq!(same.subject_name(), same.issuer_name());
    assert_eq!(same.subject_name(), root.subject_name());
    assert!(
        !same.is_self_signed(),
        "same name, but another key signed it"
    );
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn pem_and_der_files_round_trip() {
    if !common::peer_available("openssl") {
        return;
    }
    let pki = make_pki();
    for made in &pki.certs {
        let name = made.name;
        let cert = pki.load(name);
        let pem_text = std::fs::read_to_string(&made.path).unwrap();

        // PEM exactly as openssl writes it, and back.
        assert_eq!(cert.to_pem(), pem_text, "{name} to_pem");
        assert_eq!(
            Certificate::from_pem(pem_text.as_bytes()).unwrap(),
            std::slice::from_ref(&cert),
            "{name}"
        );
        assert_eq!(
            Certificate::from_pem(cert.to_pem().as_bytes()).unwrap(),
            std::slice::from_ref(&cert)
        );
        // CRLF line endings, as a Windows tool writes them.
        let crlf = pem_text.replace('\n', "\r\n");
        assert_eq!(
            Certificate::from_pem(crlf.as_bytes()).unwrap(),
            std::slice::from_ref(&cert),
            "{name} CRLF"
        );

        // DER written by openssl: from_path tells it from PEM by content.
        let der_path = pki.dir.file(&format!("{name}.der"));
        ossl::run(&[
            "x509", "-in", &made.path, "-outform", "DER", "-out", &der_path,
        ]);
        let der = std::fs::read(&der_path).unwrap();
        assert_eq!(cert.to_der(), der, "{name} to_der");
        assert_eq!(Certificate::from_der(&der).unwrap(), cert, "{name}");
        assert_eq!(
            Certificate::from_path(&der_path).unwrap(),
            std::slice::from_ref(&cert),
            "{name} from_path DER"
        );
        assert_eq!(Certificate::from_der(cert.to_der()).unwrap(), cert);

        // Our PEM, read by openssl, is the same certificate.
        let ours = pki.dir.file(&format!("{name}-ours.pem"));
        std::fs::write(&ours, cert.to_pem()).unwrap();
        assert_eq!(
            ossl::fingerprint(&ours, DigestAlgorithm::Sha256),
            cert.digest(DigestAlgorithm::Sha256)
        );
        // Our DER too.
        let ours_der = pki.dir.file(&format!("{name}-ours.der"));
        std::fs::write(&ours_der, cert.to_der()).unwrap();
        let reencoded = ossl::run(&[
            "x509", "-inform", "DER", "-in", &ours_der, "-outform", "PEM",
        ]);
        assert_eq!(String::from_utf8(reencoded).unwrap(), pem_text, "{name}");
    }
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn pem_bundles_load_in_order() {
    if !common::peer_available("openssl") {
        return;
    }
    let pki = make_pki();
    let (leaf, v1, root) = (pki.load("leaf"), pki.load("v1"), pki.load("root"));
    let read = |name: &str| std::fs::read_to_string(pki.path(name)).unwrap();

    // openssl's text dump before a PEM block, a key section and comments in
    // between: everything that is not a certificate is skipped.
    let leaf_with_text = ossl::run_text(&["x509", "-in", pki.path("leaf"), "-text"]);
    assert!(!leaf_with_text.starts_with("-----BEGIN"));
    let key = std::fs::read_to_string(pki.dir.file("leaf.key")).unwrap();
    let bundle = format!(
        "{leaf_with_text}# a comment\n{}\n{key}{}\nsome trailing words\n",
        read("v1"),
        read("root")
    );
    let path = pki.dir.file("bundle.pem");
    std::fs::write(&path, &bundle).unwrap();
    let expected = [leaf.clone(), v1.clone(), root.clone()];
    assert_eq!(Certificate::from_path(&path).unwrap(), expected);
    assert_eq!(Certificate::from_pem(bundle.as_bytes()).unwrap(), expected);

    // openssl reads the same bundle the same way.
    let mut fingerprints = Vec::new();
    let mut rest = bundle.as_str();
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let end = rest[start..].find("-----END CERTIFICATE-----").unwrap() + start + 25;
        let one = pki.dir.file("one.pem");
        std::fs::write(&one, &rest[start..end]).unwrap();
        fingerprints.push(ossl::fingerprint(&one, DigestAlgorithm::Sha256));
        rest = &rest[end..];
    }
    let ours: Vec<Vec<u8>> = expected
        .iter()
        .map(|c| c.digest(DigestAlgorithm::Sha256))
        .collect();
    assert_eq!(ours, fingerprints);

    // A certificate and its key in one file: each loader takes its own part.
    let combined = pki.dir.file("combined.pem");
    std::fs::write(&combined, format!("{}{key}", read("leaf"))).unwrap();
    assert_eq!(Certificate::from_path(&combined).unwrap(), [leaf]);
    let key = PrivateKey::from_path(&combined).unwrap();
    assert_eq!(key.length(), 2048);
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn bad_input_is_a_typed_error_naming_the_input() {
    if !common::peer_available("openssl") {
        return;
    }
    let pki = make_pki();
    const PEM: &str = "PEM input";
    const DER: &str = "DER input";

    for (case, bytes) in [
        ("empty", &b""[..]),
        ("garbage", b"hello, world\n"),
        ("binary garbage", b"\x00\x01\x02\xff\xfe"),
        ("DER header only", b"\x30\x82\xff\xff"),
        ("empty SEQUENCE", b"\x30\x00"),
    ] {
        ossl::expect_invalid_certificate(Certificate::from_pem(bytes), PEM, case);
        ossl::expect_invalid_certificate(Certificate::from_der(bytes), DER, case);
        let path = pki.dir.file("bad.bin");
        std::fs::write(&path, bytes).unwrap();
        ossl::expect_invalid_certificate(Certificate::from_path(&path), &path, case);
    }
    let reason = ossl::expect_invalid_certificate(Certificate::from_pem(b""), PEM, "empty");
    assert_eq!(reason, "no PEM certificate found");

    // Every truncation of real DER, for both parsers; only the whole is a certificate.
    for name in ["root", "leaf", "v1"] {
        let der = pki.load(name).to_der().to_vec();
        for len in 0..der.len() {
            let prefix = &der[..len];
            let case = format!("{name} DER cut to {len} of {} bytes", der.len());
            ossl::expect_invalid_certificate(Certificate::from_der(prefix), DER, &case);
            ossl::expect_invalid_key(PrivateKey::from_der(prefix), DER, &case);
        }
        assert!(Certificate::from_der(&der).is_ok());
        ossl::expect_invalid_key(PrivateKey::from_der(&der), DER, name);
        // Trailing bytes after the certificate.
        let mut longer = der.clone();
        longer.push(0);
        let reason = ossl::expect_invalid_certificate(Certificate::from_der(&longer), DER, name);
        assert!(reason.contains("trailing"), "{reason}");
    }

    // Every truncation of a PEM file: short of its END line, it is refused.
    let pem = std::fs::read_to_string(pki.path("root")).unwrap();
    let whole = pem.trim_end().len();
    for len in 0..whole {
        let case = format!("root PEM cut to {len} of {} bytes", pem.len());
        ossl::expect_invalid_certificate(Certificate::from_pem(&pem.as_bytes()[..len]), PEM, &case);
    }
    assert!(Certificate::from_pem(&pem.as_bytes()[..whole]).is_ok());

    // A broken base64 body, at the start, the middle and the end of the body.
    let body_start = pem.find('\n').unwrap() + 1;
    let body_end = pem.find("-----END").unwrap() - 2;
    for at in [body_start, (body_start + body_end) / 2, body_end] {
        for bad in ["!", "*", "\u{e9}"] {
            let mut broken = pem.clone();
            broken.replace_range(at..at + 1, bad);
            let case = format!("'{bad}' at {at}");
            let reason = ossl::expect_invalid_certificate(
                Certificate::from_pem(broken.as_bytes()),
                PEM,
                &case,
            );
            assert!(reason.contains("base64"), "{case}: {reason}");
            let path = pki.dir.file("broken.pem");
            std::fs::write(&path, &broken).unwrap();
            ossl::expect_invalid_certificate(Certificate::from_path(&path), &path, &case);
        }
    }
    // Valid base64 that holds no certificate.
    let not_der = "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n";
    let reason =
        ossl::expect_invalid_certificate(Certificate::from_pem(not_der.as_bytes()), PEM, "not DER");
    assert!(reason.contains("not an X.509 certificate"), "{reason}");
    // One bad certificate spoils the bundle.
    let bundle = format!("{pem}{not_der}");
    ossl::expect_invalid_certificate(Certificate::from_pem(bundle.as_bytes()), PEM, "bundle");

    // A private key where a certificate is expected: PEM, DER and files of both.
    let key_pem = pki.dir.file("leaf.key");
    let key_der = pki.dir.file("leaf.key.der");
    ossl::pkcs8_der(&key_pem, &key_der);
    let reason = ossl::expect_invalid_certificate(
        Certificate::from_pem(&std::fs::read(&key_pem).unwrap()),
        PEM,
        "key PEM",
    );
    assert!(reason.contains("no certificate found"), "{reason}");
    ossl::expect_invalid_certificate(
        Certificate::from_der(&std::fs::read(&key_der).unwrap()),
        DER,
        "key DER",
    );
    ossl::expect_invalid_certificate(Certificate::from_path(&key_pem), &key_pem, "key PEM file");
    ossl::expect_invalid_certificate(Certificate::from_path(&key_der), &key_der, "key DER file");
    // A certificate request is no certificate either.
    let csr = pki.dir.file("leaf.csr");
    ossl::expect_invalid_certificate(Certificate::from_path(&csr), &csr, "CSR");

    // Files that cannot be read.
    let missing = pki.dir.file("missing.pem");
    ossl::expect_read_file(
        Certificate::from_path(&missing),
        &missing,
        Some(ErrorKind::NotFound),
    );
    let dir = pki.dir.dir().to_str().unwrap().to_owned();
    ossl::expect_read_file(Certificate::from_path(&dir), &dir, None);
}
