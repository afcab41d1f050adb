//! Private keys made by the `openssl` CLI at test time, in every format it
//! writes: each loads through every entry point with the algorithm and length
//! openssl reports and the same key bytes; bad input is a typed error naming
//! the input.

mod common;

use std::io::ErrorKind;

use common::openssl::{self as ossl, Scratch};
use rustls_pki_types::PrivateKeyDer;
use sslconf::{Certificate, Error, KeyAlgorithm, Passphrase, PrivateKey};

const PASSPHRASE: &str = "correct horse";
const PEM: &str = "PEM input";
const DER: &str = "DER input";

/// The kinds of key the API supports, as (name for `genpkey_args`, algorithm, bits).
const KINDS: [(&str, KeyAlgorithm, u32); 7] = [
    ("rsa2048", KeyAlgorithm::Rsa, 2048),
    ("rsa3072", KeyAlgorithm::Rsa, 3072),
    ("rsa-pss", KeyAlgorithm::Rsa, 2048),
    ("p256", KeyAlgorithm::Ec, 256),
    ("p384", KeyAlgorithm::Ec, 384),
    ("p521", KeyAlgorithm::Ec, 521),
    ("ed25519", KeyAlgorithm::Ed25519, 256),
];

/// How a DER key is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    Pkcs8,
    Pkcs1,
    Sec1,
    EncryptedPkcs8,
}

/// One key file openssl wrote.
struct KeyFile {
    what: String,
    path: String,
    pem: bool,
    layout: Layout,
    /// The encryption scheme, for encrypted files.
    scheme: Option<&'static str>,
    /// The key bytes it must load to: the file's own DER, or for an
    /// encrypted file the PKCS#8 DER that was encrypted.
    expected_der: Vec<u8>,
}

/// A DER header: (tag, header length, content length).
fn header(der: &[u8]) -> Option<(u8, usize, usize)> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    if first < 0x80 {
        return Some((tag, 2, usize::from(first)));
    }
    let n = usize::from(first & 0x7f);
    let len = rest
        .get(..n)?
        .iter()
        .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
    Some((tag, 2 + n, len))
}

/// Tells the layout of a DER key from its first two elements.
fn layout(der: &[u8]) -> Layout {
    let (tag, outer, _) = header(der).unwrap();
    assert_eq!(tag, 0x30, "not a SEQUENCE");
    let body = &der[outer..];
    let (first, first_header, first_len) = header(body).unwrap();
    match first {
        0x30 => Layout::EncryptedPkcs8, // AlgorithmIdentifier first
        0x02 => match body[first_header + first_len] {
            0x30 => Layout::Pkcs8, // version, AlgorithmIdentifier
            0x02 => Layout::Pkcs1, // version, modulus
            0x04 => Layout::Sec1,  // version, privateKey OCTET STRING
            other => panic!("unexpected tag {other:#x} after the version"),
        },
        other => panic!("unexpected first tag {other:#x}"),
    }
}

/// The base64 body of a PEM file, decoded with openssl.
fn pem_to_der(dir: &Scratch, pem_path: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(pem_path).unwrap();
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----") && !l.contains(':') && !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    let b64 = dir.file("body.b64");
    std::fs::write(&b64, format!("{body}\n")).unwrap();
    ossl::run(&["base64", "-d", "-in", &b64])
}

/// The encryption schemes to write encrypted PKCS#8 with: `-v2` ciphers and
/// PRFs, openssl's default, and scrypt where this openssl has it.
fn encryption_schemes(
    dir: &Scratch,
    plain: &str,
    all: bool,
) -> Vec<(&'static str, Vec<&'static str>)> {
    let mut schemes = vec![
        ("default", vec![]),
        ("aes-256-cbc", vec!["-v2", "aes-256-cbc"]),
        (
            "aes-128-cbc-sha512",
            vec!["-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA512"],
        ),
        (
            "aes-192-cbc-sha384",
            vec!["-v2", "aes-192-cbc", "-v2prf", "hmacWithSHA384"],
        ),
        // What OpenSSL 1.0 wrote by default with -v2, and older guides' choice.
        (
            "aes-256-cbc-sha1",
            vec!["-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA1"],
        ),
        ("des3", vec!["-v2", "des3"]),
    ];
    if !all {
        schemes.truncate(1);
        return schemes;
    }
    let probe = dir.file("scrypt-probe.pem");
    if ossl::succeeds(&[
        "pkcs8", "-topk8", "-scrypt", "-in", plain, "-passout", "pass:x", "-out", &probe,
    ]) {
        schemes.push(("scrypt", vec!["-scrypt"]));
    } else {
        common::skipped("this openssl cannot write scrypt-encrypted PKCS#8; scrypt is not tested");
    }
    schemes
}

/// Writes `kind` in every format openssl has for it.
/// With `all_schemes` false, only openssl's default encryption is written.
fn write_key_files(
    dir: &Scratch,
    kind: &str,
    algorithm: KeyAlgorithm,
    all_schemes: bool,
) -> Vec<KeyFile> {
    let f = |name: &str| dir.file(&format!("{kind}-{name}"));
    let mut files = Vec::new();

    let pkcs8_pem = f("pkcs8.pem");
    ossl::genpkey(kind, &pkcs8_pem);
    let pkcs8_der_path = f("pkcs8.der");
    ossl::pkcs8_der(&pkcs8_pem, &pkcs8_der_path);
    let pkcs8_der = std::fs::read(&pkcs8_der_path).unwrap();
    assert_eq!(layout(&pkcs8_der), Layout::Pkcs8);
    assert_eq!(pem_to_der(dir, &pkcs8_pem), pkcs8_der);
    files.push(KeyFile {
        what: format!("{kind} PKCS#8 PEM"),
        path: pkcs8_pem.clone(),
        pem: true,
        layout: Layout::Pkcs8,
        scheme: None,
        expected_der: pkcs8_der.clone(),
    });
    files.push(KeyFile {
        what: format!("{kind} PKCS#8 DER"),
        path: pkcs8_der_path,
        pem: false,
        layout: Layout::Pkcs8,
        scheme: None,
        expected_der: pkcs8_der.clone(),
    });

    // PKCS#1 for RSA, SEC1 for EC: the "traditional" formats.
    let traditional: Vec<(&str, Vec<&str>, Layout, &str)> = match (kind, algorithm) {
        ("rsa-pss", _) => vec![], // RSA-PSS keys only exist as PKCS#8
        (_, KeyAlgorithm::Rsa) => vec![(
            "PKCS#1",
            vec!["rsa", "-traditional"],
            Layout::Pkcs1,
            "RSA PRIVATE KEY",
        )],
        (_, KeyAlgorithm::Ec) => vec![
            ("SEC1", vec!["ec"], Layout::Sec1, "EC PRIVATE KEY"),
            (
                "SEC1 without public key",
                vec!["ec", "-no_public"],
                Layout::Sec1,
                "EC PRIVATE KEY",
            ),
        ],
        _ => vec![],
    };
    for (index, (label, tool, layout_expected, pem_label)) in traditional.into_iter().enumerate() {
        let pem = f(&format!("trad{index}.pem"));
        let der = f(&format!("trad{index}.der"));
        let input = [tool.as_slice(), &["-in", pkcs8_pem.as_str()]].concat();
        ossl::run(&[input.as_slice(), &["-out", pem.as_str()]].concat());
        ossl::run(&[input.as_slice(), &["-outform", "DER", "-out", der.as_str()]].concat());
        let text = std::fs::read_to_string(&pem).unwrap();
        assert!(
            text.starts_with(&format!("-----BEGIN {pem_label}-----")),
            "{kind} {label}: {text}"
        );
        let der_bytes = std::fs::read(&der).unwrap();
        assert_eq!(layout(&der_bytes), layout_expected, "{kind} {label}");
        assert_eq!(pem_to_der(dir, &pem), der_bytes, "{kind} {label}");
        files.push(KeyFile {
            what: format!("{kind} {label} PEM"),
            path: pem,
            pem: true,
            layout: layout_expected,
            scheme: None,
            expected_der: der_bytes.clone(),
        });
        files.push(KeyFile {
            what: format!("{kind} {label} DER"),
            path: der,
            pem: false,
            layout: layout_expected,
            scheme: None,
            expected_der: der_bytes,
        });
    }

    for (scheme, args) in encryption_schemes(dir, &pkcs8_pem, all_schemes) {
        for outform in ["PEM", "DER"] {
            let path = f(&format!("{scheme}.{outform}"));
            let pass = format!("pass:{PASSPHRASE}");
            let mut all = vec![
                "pkcs8", "-topk8", "-in", &pkcs8_pem, "-passout", &pass, "-outform", outform,
                "-out", &path,
            ];
            all.extend_from_slice(&args);
            ossl::run(&all);
            let bytes = std::fs::read(&path).unwrap();
            if outform == "PEM" {
                assert!(bytes.starts_with(b"-----BEGIN ENCRYPTED PRIVATE KEY-----"));
            } else {
                assert_eq!(layout(&bytes), Layout::EncryptedPkcs8, "{kind} {scheme}");
            }
            files.push(KeyFile {
                what: format!("{kind} encrypted PKCS#8 {outform} ({scheme})"),
                path,
                pem: outform == "PEM",
                layout: Layout::EncryptedPkcs8,
                scheme: Some(scheme),
                expected_der: pkcs8_der.clone(),
            });
        }
    }
    files
}

/// Checks a loaded key: algorithm, length, and the very bytes openssl wrote.
#[track_caller]
fn check_key(key: &PrivateKey, file: &KeyFile, algorithm: KeyAlgorithm, bits: u32, how: &str) {
    let what = format!("{} via {how}", file.what);
    assert_eq!(key.algorithm(), algorithm, "{what}");
    assert_eq!(key.length(), bits, "{what}");
    let der = key.as_rustls().clone_key();
    let layout = match &der {
        PrivateKeyDer::Pkcs8(_) => Layout::Pkcs8,
        PrivateKeyDer::Pkcs1(_) => Layout::Pkcs1,
        PrivateKeyDer::Sec1(_) => Layout::Sec1,
        other => panic!("{what}: unexpected {other:?}"),
    };
    let expected_layout = match file.layout {
        Layout::EncryptedPkcs8 => Layout::Pkcs8,
        other => other,
    };
    assert_eq!(layout, expected_layout, "{what}");
    assert!(
        der.secret_der() == file.expected_der,
        "{what}: other key bytes"
    );
}

/// Writes `kind` in every format and loads each file every way it can be loaded.
fn load_every_format(kind: &str, algorithm: KeyAlgorithm, bits: u32) {
    if !common::peer_available("openssl") {
        return;
    }
    let dir = Scratch::new(&format!("private-key-{kind}"));
    let pass = PASSPHRASE.as_bytes();
    let files = write_key_files(&dir, kind, algorithm, true);
    // openssl agrees on the size (it prints none for Ed25519).
    if let Some(openssl_bits) = ossl::key_bits(&files[0].path) {
        assert_eq!(openssl_bits, bits, "{kind}");
    }
    for file in &files {
        let bytes = std::fs::read(&file.path).unwrap();
        let path = file.path.as_str();
        let what = &file.what;
        let load = |result: Result<PrivateKey, Error>, how: &str| {
            let key = result.unwrap_or_else(|e| panic!("{what} via {how}: {e}"));
            check_key(&key, file, algorithm, bits, how);
        };
        match (file.layout, file.pem) {
            (Layout::EncryptedPkcs8, true) => {
                load(
                    PrivateKey::from_pem_with_passphrase(&bytes, &Passphrase::new(pass)),
                    "from_pem_with_passphrase",
                );
                load(
                    PrivateKey::from_path_with_passphrase(path, &Passphrase::new(pass)),
                    "from_path_with_passphrase",
                );
                let err = PrivateKey::from_pem(&bytes).unwrap_err();
                assert!(
                    matches!(&err, Error::EncryptedPrivateKey { input } if input == PEM),
                    "{what}: {err:?}"
                );
                let err = PrivateKey::from_path(path).unwrap_err();
                assert!(
                    matches!(&err, Error::EncryptedPrivateKey { input } if input == path),
                    "{what}: {err:?}"
                );
                assert!(err.to_string().contains(path), "{err}");
                // Several wrong ones for one scheme: each decryption takes time.
                let wrongs: &[&[u8]] = if file.scheme == Some("default") {
                    &[b"wrong", b"", b"correct horse ", b"Correct horse"]
                } else {
                    &[b"wrong"]
                };
                for wrong in wrongs {
                    let err = PrivateKey::from_pem_with_passphrase(&bytes, &Passphrase::new(wrong))
                        .unwrap_err();
                    assert!(
                        matches!(&err, Error::WrongPassphrase { input } if input == PEM),
                        "{what}: {err:?}"
                    );
                    assert!(err.to_string().contains(PEM), "{err}");
                }
                let err = PrivateKey::from_path_with_passphrase(path, &Passphrase::new(b"wrong"))
                    .unwrap_err();
                assert!(
                    matches!(&err, Error::WrongPassphrase { input } if input == path),
                    "{what}: {err:?}"
                );
                assert!(err.to_string().contains(path), "{err}");
            }
            (Layout::EncryptedPkcs8, false) => {
                load(
                    PrivateKey::from_path_with_passphrase(path, &Passphrase::new(pass)),
                    "from_path_with_passphrase",
                );
                let err = PrivateKey::from_der(&bytes).unwrap_err();
                assert!(
                    matches!(&err, Error::EncryptedPrivateKey { input } if input == DER),
                    "{what}: {err:?}"
                );
                assert!(err.to_string().contains(DER), "{err}");
                let err = PrivateKey::from_path(path).unwrap_err();
                assert!(
                    matches!(&err, Error::EncryptedPrivateKey { input } if input == path),
                    "{what}: {err:?}"
                );
                let err = PrivateKey::from_path_with_passphrase(path, &Passphrase::new(b"wrong"))
                    .unwrap_err();
                assert!(
                    matches!(&err, Error::WrongPassphrase { input } if input == path),
                    "{what}: {err:?}"
                );
            }
            (_, true) => {
                load(PrivateKey::from_pem(&bytes), "from_pem");
                load(
                    PrivateKey::from_pem_with_passphrase(&bytes, &Passphrase::new(b"unused")),
                    "from_pem_with_passphrase",
                );
                load(PrivateKey::from_path(path), "from_path");
                load(
                    PrivateKey::from_path_with_passphrase(path, &Passphrase::new(b"unused")),
                    "from_path_with_passphrase",
                );
            }
            (_, false) => {
                load(PrivateKey::from_der(&bytes), "from_der");
                load(PrivateKey::from_path(path), "from_path");
                load(
                    PrivateKey::from_path_with_passphrase(path, &Passphrase::new(b"unused")),
                    "from_path_with_passphrase",
                );
            }
        }
    }
}

macro_rules! every_format {
    ($($test:ident: $kind:literal, $algorithm:ident, $bits:literal;)*) => {
        $(
            #[test]
            #[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
            fn $test() {
                load_every_format($kind, KeyAlgorithm::$algorithm, $bits);
            }
        )*
    };
}

every_format! {
    rsa2048_in_every_format: "rsa2048", Rsa, 2048;
    rsa3072_in_every_format: "rsa3072", Rsa, 3072;
    rsa_pss_in_every_format: "rsa-pss", Rsa, 2048;
    p256_in_every_format: "p256", Ec, 256;
    p384_in_every_format: "p384", Ec, 384;
    p521_in_every_format: "p521", Ec, 521;
    ed25519_in_every_format: "ed25519", Ed25519, 256;
}

/// Layouts openssl writes besides the usual ones.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn other_openssl_layouts() {
    if !common::peer_available("openssl") {
        return;
    }
    let dir = Scratch::new("private-key-layouts");

    // `openssl ecparam -genkey` writes an EC PARAMETERS section first.
    let ecparam = dir.file("ecparam.pem");
    ossl::run(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-out",
        &ecparam,
    ]);
    let text = std::fs::read_to_string(&ecparam).unwrap();
    assert!(text.starts_with("-----BEGIN EC PARAMETERS-----"), "{text}");
    let key = PrivateKey::from_path(&ecparam).unwrap();
    assert_eq!((key.algorithm(), key.length()), (KeyAlgorithm::Ec, 256));
    assert!(matches!(
        key.as_rustls().clone_key(),
        PrivateKeyDer::Sec1(_)
    ));

    // A certificate and its key in one file, the key second.
    let key_path = dir.file("key.pem");
    ossl::genpkey("rsa2048", &key_path);
    let cert = dir.file("cert.pem");
    ossl::run(&[
        "req",
        "-x509",
        "-key",
        &key_path,
        "-out",
        &cert,
        "-subj",
        "/CN=combined",
        "-days",
        "1",
    ]);
    let combined = dir.file("combined.pem");
    let both = [
        std::fs::read(&cert).unwrap(),
        std::fs::read(&key_path).unwrap(),
    ]
    .concat();
    std::fs::write(&combined, &both).unwrap();
    let key = PrivateKey::from_path(&combined).unwrap();
    assert_eq!(key, PrivateKey::from_path(&key_path).unwrap());
    assert_eq!(Certificate::from_path(&combined).unwrap().len(), 1);

    // Two keys: the first is taken.
    let second = dir.file("second.pem");
    ossl::genpkey("p256", &second);
    let two = [
        std::fs::read(&key_path).unwrap(),
        std::fs::read(&second).unwrap(),
    ]
    .concat();
    assert_eq!(
        PrivateKey::from_pem(&two).unwrap().algorithm(),
        KeyAlgorithm::Rsa
    );

    // CRLF line endings.
    let crlf = std::fs::read_to_string(&second)
        .unwrap()
        .replace('\n', "\r\n");
    assert_eq!(
        PrivateKey::from_pem(crlf.as_bytes()).unwrap(),
        PrivateKey::from_path(&second).unwrap()
    );
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn unsupported_keys_are_invalid_not_a_panic() {
    if !common::peer_available("openssl") {
        return;
    }
    let dir = Scratch::new("private-key-unsupported");
    let p256 = dir.file("p256.pem");
    ossl::genpkey("p256", &p256);
    let mut cases: Vec<(String, &str)> = Vec::new();

    // Curves and algorithms rustls has no signer for.
    for (name, args) in [
        (
            "secp256k1",
            &[
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:secp256k1",
            ][..],
        ),
        ("ed448", &["-algorithm", "ED448"][..]),
        ("x25519", &["-algorithm", "X25519"][..]),
    ] {
        let path = dir.file(&format!("{name}.pem"));
        ossl::run(&[&["genpkey"][..], args, &["-out", path.as_str()][..]].concat());
        cases.push((path, "unsupported"));
    }
    let k1_sec1 = dir.file("secp256k1-sec1.pem");
    ossl::run(&["ec", "-in", &dir.file("secp256k1.pem"), "-out", &k1_sec1]);
    cases.push((k1_sec1, "unsupported elliptic curve"));
    // Explicit curve parameters instead of a named curve, SEC1 and PKCS#8.
    let explicit = dir.file("explicit.pem");
    ossl::run(&[
        "ec",
        "-in",
        &p256,
        "-param_enc",
        "explicit",
        "-out",
        &explicit,
    ]);
    cases.push((explicit.clone(), "EC private key"));
    let explicit8 = dir.file("explicit-pkcs8.pem");
    ossl::run(&["pkey", "-in", &explicit, "-out", &explicit8]);
    cases.push((explicit8, "no curve"));
    // Legacy OpenSSL PEM encryption (Proc-Type header).
    let legacy = dir.file("legacy.pem");
    ossl::run(&[
        "ec", "-in", &p256, "-aes128", "-passout", "pass:pw", "-out", &legacy,
    ]);
    cases.push((legacy, "legacy OpenSSL PEM encryption"));

    for (path, needle) in &cases {
        let bytes = std::fs::read(path).unwrap();
        let reason = ossl::expect_invalid_key(PrivateKey::from_path(path), path, path);
        assert!(reason.contains(needle), "{path}: {reason}");
        ossl::expect_invalid_key(
            PrivateKey::from_path_with_passphrase(path, &Passphrase::new(b"pw")),
            path,
            path,
        );
        ossl::expect_invalid_key(PrivateKey::from_pem(&bytes), PEM, path);
        ossl::expect_invalid_key(
            PrivateKey::from_pem_with_passphrase(&bytes, &Passphrase::new(b"pw")),
            PEM,
            path,
        );
    }

    // The same unsupported keys encrypted: with the right passphrase the
    // error is the key's own, not "wrong passphrase".
    for (name, needle) in [("x25519", "unsupported"), ("ed448", "unsupported")] {
        let plain = dir.file(&format!("{name}.pem"));
        let path = dir.file(&format!("{name}-encrypted.pem"));
        ossl::run(&[
            "pkcs8",
            "-topk8",
            "-in",
            &plain,
            "-v2",
            "aes-256-cbc",
            "-passout",
            "pass:pw",
            "-out",
            &path,
        ]);
        let reason = ossl::expect_invalid_key(
            PrivateKey::from_path_with_passphrase(&path, &Passphrase::new(b"pw")),
            &path,
            &path,
        );
        assert!(reason.contains(needle), "{path}: {reason}");
        let err =
            PrivateKey::from_path_with_passphrase(&path, &Passphrase::new(b"not pw")).unwrap_err();
        assert!(matches!(err, Error::WrongPassphrase { .. }), "{err:?}");
    }

    // Encrypted PKCS#8 with schemes this crate cannot decrypt: still an
    // encrypted key, and with the right passphrase an error naming the scheme
    // (not "wrong passphrase").
    for (name, args, scheme) in [
        (
            "pbe-sha1-3des",
            &["-v1", "PBE-SHA1-3DES"][..],
            "PKCS#12 PBE-SHA1-3DES",
        ),
        (
            "hmac-md5",
            &["-v2", "aes-128-cbc", "-v2prf", "hmacWithMD5"][..],
            "PBES2 with hmacWithMD5",
        ),
        (
            "aria",
            &["-v2", "aria-256-cbc"][..],
            "PBES2 with ARIA-256-CBC",
        ),
        (
            "camellia",
            &["-v2", "camellia-256-cbc"][..],
            "PBES2 with Camellia-256-CBC",
        ),
    ] {
        for outform in ["PEM", "DER"] {
            let path = dir.file(&format!("{name}.{outform}"));
            let mut all = vec![
                "pkcs8", "-topk8", "-in", &p256, "-passout", "pass:pw", "-outform", outform,
                "-out", &path,
            ];
            all.extend_from_slice(args);
            if !ossl::succeeds(&all) {
                common::skipped(&format!("this openssl cannot write {name}"));
                continue;
            }
            let err = PrivateKey::from_path(&path).unwrap_err();
            assert!(
                matches!(&err, Error::EncryptedPrivateKey { input } if *input == path),
                "{path}: {err:?}"
            );
            let bytes = std::fs::read(&path).unwrap();
            let (plain, with_passphrase, input) = if outform == "PEM" {
                (
                    PrivateKey::from_pem(&bytes),
                    PrivateKey::from_pem_with_passphrase(&bytes, &Passphrase::new(b"pw")),
                    PEM,
                )
            } else {
                (
                    PrivateKey::from_der(&bytes),
                    PrivateKey::from_path_with_passphrase(&path, &Passphrase::new(b"pw")),
                    path.as_str(),
                )
            };
            assert!(
                matches!(plain, Err(Error::EncryptedPrivateKey { .. })),
                "{path}"
            );
            let err = with_passphrase.unwrap_err();
            assert!(
                matches!(&err, Error::InvalidPrivateKey { input: i, .. } if i == input),
                "{path}: {err:?}"
            );
            let message = ossl::causes(&err);
            assert!(
                message.contains(&format!("encrypted with {scheme},")),
                "{path}: {message}"
            );
            assert!(message.contains("openssl pkcs8 -topk8"), "{message}");
        }
    }
}

// ---------------------------------------------------------------------------
// A key whose scrypt parameters would need a terabyte of memory.

/// A DER TLV.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// A DER INTEGER holding `n`.
fn integer(n: u64) -> Vec<u8> {
    let mut bytes: Vec<u8> = n
        .to_be_bytes()
        .into_iter()
        .skip_while(|&b| b == 0)
        .collect();
    if bytes.first().is_none_or(|b| b & 0x80 != 0) {
        bytes.insert(0, 0);
    }
    tlv(0x02, &bytes)
}

/// An EncryptedPrivateKeyInfo with PBES2, the given key-derivation
/// AlgorithmIdentifier and AES-256-CBC, over 48 bytes of made-up ciphertext.
fn pbes2_key(kdf: Vec<u8>) -> Vec<u8> {
    const AES256_CBC: &[u8] = &[
        0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a,
    ];
    let cipher = tlv(0x30, &[AES256_CBC, &tlv(0x04, &[0; 16])].concat());
    pbes2_key_with(kdf, cipher, &[0; 48])
}

/// An EncryptedPrivateKeyInfo with PBES2 and the given key-derivation and
/// cipher AlgorithmIdentifiers over `data`.
fn pbes2_key_with(kdf: Vec<u8>, cipher: Vec<u8>, data: &[u8]) -> Vec<u8> {
    const PBES2: &[u8] = &[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d,
    ];
    let algorithm = tlv(0x30, &[PBES2, &tlv(0x30, &[kdf, cipher].concat())].concat());
    tlv(0x30, &[algorithm, tlv(0x04, data)].concat())
}

/// scrypt(N, r, p) as a key-derivation AlgorithmIdentifier.
fn scrypt_kdf(n: u64, r: u64, p: u64) -> Vec<u8> {
    const SCRYPT: &[u8] = &[
        0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x04, 0x0b,
    ];
    let params = tlv(
        0x30,
        &[tlv(0x04, &[7; 16]), integer(n), integer(r), integer(p)].concat(),
    );
    tlv(0x30, &[SCRYPT, &params].concat())
}

/// PBKDF2 as a key-derivation AlgorithmIdentifier: `iterations`, an optional
/// key length, and a PRF AlgorithmIdentifier (whole DER) or the default.
fn pbkdf2_kdf(iterations: u64, key_length: Option<u64>, prf: Option<&[u8]>) -> Vec<u8> {
    const PBKDF2: &[u8] = &[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c,
    ];
    let mut params = [tlv(0x04, &[7; 8]), integer(iterations)].concat();
    if let Some(length) = key_length {
        params.extend(integer(length));
    }
    params.extend_from_slice(prf.unwrap_or_default());
    tlv(0x30, &[PBKDF2, &tlv(0x30, &params)].concat())
}

/// The DER OID of hmacWithSHA256.
const HMAC_SHA256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x09];

fn scrypt_encrypted_key(n: u64, r: u64, p: u64) -> Vec<u8> {
    pbes2_key(scrypt_kdf(n, r, p))
}

/// Parameters pkcs5 refuses or that would cost too much: each an error
/// saying so, never "wrong passphrase" (the made-up ciphertext would fail
/// to decrypt with any passphrase, so that is what a bad mapping would say).
#[test]
fn bad_or_costly_pbes2_parameters_are_named() {
    const DES_EDE3_CBC: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x03, 0x07];
    const AES256_CBC: &[u8] = &[
        0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a,
    ];
    let sha256_with_null = tlv(0x30, &[HMAC_SHA256, &[0x05, 0x00]].concat());
    let sha256_without_null = tlv(0x30, HMAC_SHA256);
    let pbkdf2 = || pbkdf2_kdf(2048, None, Some(&sha256_with_null));
    let des3 = |iv: &[u8]| tlv(0x30, &[DES_EDE3_CBC, &tlv(0x04, iv)].concat());
    let aes256 = tlv(0x30, &[AES256_CBC, &tlv(0x04, &[0; 16])].concat());
    let cases: [(&str, Vec<u8>, &str); 13] = [
        (
            "iterations above the cap",
            pbes2_key(pbkdf2_kdf(4_000_000_000, None, Some(&sha256_with_null))),
            "PBKDF2 iteration count (4000000000) is above the 10000000 accepted",
        ),
        (
            "no iterations",
            pbes2_key(pbkdf2_kdf(0, None, Some(&sha256_with_null))),
            "its PBKDF2 iteration count is 0",
        ),
        (
            "AES-128's key length with AES-256",
            pbes2_key(pbkdf2_kdf(2048, Some(16), Some(&sha256_with_null))),
            "parameters are invalid",
        ),
        (
            "a PRF without its NULL parameter",
            pbes2_key(pbkdf2_kdf(2048, None, Some(&sha256_without_null))),
            "its PBES2 parameters cannot be read",
        ),
        (
            "scrypt N not a power of two",
            scrypt_encrypted_key(1000, 8, 1),
            "its scrypt cost parameter N (1000) is not a power of two above 1",
        ),
        // Found by fuzzing: pkcs5 0.7 overflows (a panic in debug builds).
        (
            "scrypt N = 0",
            scrypt_encrypted_key(0, 1, 1),
            "its scrypt cost parameter N (0) is not a power of two above 1",
        ),
        // Within the memory cap, but an hour of work.
        (
            "scrypt p = 65535",
            scrypt_encrypted_key(1 << 15, 1, 65_535),
            "ask for more work than the N·r·p of 1048576 accepted",
        ),
        // Found in review: pkcs5 0.7 slices a short DES IV (a panic).
        (
            "an empty DES-EDE3-CBC IV",
            pbes2_key_with(pbkdf2(), des3(&[]), &[0; 16]),
            "its DES-EDE3-CBC IV is not 8 bytes",
        ),
        (
            "a 7-byte DES-EDE3-CBC IV",
            pbes2_key_with(pbkdf2(), des3(&[1; 7]), &[0; 16]),
            "its DES-EDE3-CBC IV is not 8 bytes",
        ),
        // Encrypted data that no passphrase could decrypt.
        (
            "no encrypted data",
            pbes2_key_with(pbkdf2(), aes256.clone(), &[]),
            "its encrypted data (0 bytes) is not a whole number of 16-byte blocks",
        ),
        (
            "encrypted data of 17 bytes",
            pbes2_key_with(pbkdf2(), aes256.clone(), &[0; 17]),
            "its encrypted data (17 bytes) is not a whole number of 16-byte blocks",
        ),
        (
            "DES-EDE3 data of 12 bytes",
            pbes2_key_with(pbkdf2(), des3(&[1; 8]), &[0; 12]),
            "its encrypted data (12 bytes) is not a whole number of 8-byte blocks",
        ),
        (
            "a truncated scrypt",
            pbes2_key(tlv(
                0x30,
                &[
                    &[
                        0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x04, 0x0b,
                    ][..],
                    &tlv(0x30, &[tlv(0x04, &[7; 16]), integer(1 << 14)].concat()),
                ]
                .concat(),
            )),
            "its PBES2 parameters cannot be read",
        ),
    ];
    let dir = Scratch::new("private-key-pbes2-params");
    for (case, der, expected) in cases {
        let path = dir.file("key.der");
        std::fs::write(&path, &der).unwrap();
        let reason = ossl::expect_invalid_key(
            PrivateKey::from_path_with_passphrase(&path, &Passphrase::new(b"pw")),
            &path,
            case,
        );
        assert!(reason.contains(expected), "{case}: {reason}");
    }
    // The same key with sane parameters is merely undecryptable.
    let path = dir.file("sane.der");
    std::fs::write(
        &path,
        pbes2_key(pbkdf2_kdf(2048, None, Some(&sha256_with_null))),
    )
    .unwrap();
    let err = PrivateKey::from_path_with_passphrase(&path, &Passphrase::new(b"pw")).unwrap_err();
    assert!(matches!(err, Error::WrongPassphrase { .. }), "{err:?}");
}

/// PBES1 (PKCS#5 v1.5), which the openssl CLI no longer writes: a key
/// under it is reported as such, not as a wrong passphrase.
#[test]
fn a_pbes1_key_names_its_scheme() {
    const PBE_MD5_DES: &[u8] = &[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x03,
    ];
    let params = tlv(0x30, &[tlv(0x04, &[7; 8]), integer(2048)].concat());
    let algorithm = tlv(0x30, &[PBE_MD5_DES, &params].concat());
    let der = tlv(0x30, &[algorithm, tlv(0x04, &[0; 48])].concat());
    assert!(matches!(
        PrivateKey::from_der(&der),
        Err(Error::EncryptedPrivateKey { .. })
    ));
    let dir = Scratch::new("private-key-pbes1");
    let path = dir.file("pbes1.der");
    std::fs::write(&path, &der).unwrap();
    let reason = ossl::expect_invalid_key(
        PrivateKey::from_path_with_passphrase(&path, &Passphrase::new(b"pw")),
        &path,
        "PBES1",
    );
    assert!(
        reason.contains("encrypted with PBES1 (pbeWithMD5AndDES-CBC),"),
        "{reason}"
    );
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn scrypt_parameters_beyond_openssls_memory_cap_are_refused() {
    let dir = Scratch::new("private-key-scrypt");
    // N = 2^40 would need 1 TiB and abort the process; 2^20 needs 1 GiB and
    // seconds; OpenSSL refuses anything above 32 MiB.
    for (n, r, p) in [
        (1u64 << 40, 8, 1),
        (1 << 20, 8, 1),
        (1 << 15, 8, 1),
        (1 << 14, 16, 1),
        (16, 8, 40_000),
    ] {
        let der = scrypt_encrypted_key(n, r, p);
        let path = dir.file("scrypt.der");
        std::fs::write(&path, &der).unwrap();
        let started = std::time::Instant::now();
        let reason = ossl::expect_invalid_key(
            PrivateKey::from_path_with_passphrase(&path, &Passphrase::new(b"pw")),
            &path,
            &format!("N={n} r={r} p={p}"),
        );
        assert!(
            reason.contains("scrypt") && reason.contains("memory"),
            "{reason}"
        );
        assert!(
            started.elapsed().as_secs() < 2,
            "N={n}: took {:?}",
            started.elapsed()
        );
        // Without a passphrase it is still just an encrypted key.
        let err = PrivateKey::from_der(&der).unwrap_err();
        assert!(matches!(err, Error::EncryptedPrivateKey { .. }), "{err:?}");
    }
    // OpenSSL's own default (N = 2^14, r = 8, p = 1: 16 MiB) is allowed: the
    // made-up ciphertext then fails to decrypt.
    let der = scrypt_encrypted_key(1 << 14, 8, 1);
    let path = dir.file("scrypt-default.der");
    std::fs::write(&path, &der).unwrap();
    let err = PrivateKey::from_path_with_passphrase(&path, &Passphrase::new(b"pw")).unwrap_err();
    assert!(matches!(err, Error::WrongPassphrase { .. }), "{err:?}");
    // And openssl refuses what we refuse.
    if common::peer_available("openssl") {
        let big = dir.file("scrypt-big.der");
        std::fs::write(&big, scrypt_encrypted_key(1 << 20, 8, 1)).unwrap();
        let out = std::process::Command::new("openssl")
            .args(["pkcs8", "-inform", "DER", "-in", &big, "-passin", "pass:pw"])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("memory limit"), "{stderr}");
    }
}

// ---------------------------------------------------------------------------
// Bad input.

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn bad_input_is_a_typed_error_naming_the_input() {
    if !common::peer_available("openssl") {
        return;
    }
    let dir = Scratch::new("private-key-bad");
    let pass = PASSPHRASE.as_bytes();

    for (case, bytes) in [
        ("empty", &b""[..]),
        ("garbage", b"hello, world\n"),
        ("binary garbage", b"\x00\x01\x02\xff\xfe"),
        ("DER header only", b"\x30\x82\xff\xff"),
        ("empty SEQUENCE", b"\x30\x00"),
        (
            "PEM without body",
            b"-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n",
        ),
        ("PEM without end", b"-----BEGIN PRIVATE KEY-----\nMIIB\n"),
    ] {
        ossl::expect_invalid_key(PrivateKey::from_pem(bytes), PEM, case);
        ossl::expect_invalid_key(
            PrivateKey::from_pem_with_passphrase(bytes, &Passphrase::new(pass)),
            PEM,
            case,
        );
        ossl::expect_invalid_key(PrivateKey::from_der(bytes), DER, case);
        let path = dir.file("bad.bin");
        std::fs::write(&path, bytes).unwrap();
        ossl::expect_invalid_key(PrivateKey::from_path(&path), &path, case);
        ossl::expect_invalid_key(
            PrivateKey::from_path_with_passphrase(&path, &Passphrase::new(pass)),
            &path,
            case,
        );
    }
    let reason = ossl::expect_invalid_key(PrivateKey::from_pem(b""), PEM, "empty");
    assert_eq!(reason, "no PEM private key found");

    // Every truncation of real DER, in every layout, for both parsers.
    for (kind, algorithm, _) in KINDS {
        if kind == "rsa3072" {
            continue; // as rsa2048, only longer
        }
        for file in write_key_files(&dir, kind, algorithm, false) {
            if file.pem {
                continue;
            }
            let der = std::fs::read(&file.path).unwrap();
            for len in 0..der.len() {
                let prefix = &der[..len];
                let case = format!("{} cut to {len} of {} bytes", file.what, der.len());
                ossl::expect_invalid_key(PrivateKey::from_der(prefix), DER, &case);
                ossl::expect_invalid_certificate(Certificate::from_der(prefix), DER, &case);
            }
            if file.layout == Layout::EncryptedPkcs8 {
                assert!(matches!(
                    PrivateKey::from_der(&der),
                    Err(Error::EncryptedPrivateKey { .. })
                ));
            } else {
                assert!(PrivateKey::from_der(&der).is_ok(), "{}", file.what);
            }
            ossl::expect_invalid_certificate(Certificate::from_der(&der), DER, &file.what);
            // Trailing bytes after the key.
            if file.layout != Layout::EncryptedPkcs8 {
                let longer = [der.as_slice(), &[0]].concat();
                ossl::expect_invalid_key(PrivateKey::from_der(&longer), DER, &file.what);
            }
        }
    }

    // A broken base64 body, in every PEM label, with and without passphrase.
    let p256 = dir.file("p256-pkcs8.pem");
    let rsa = dir.file("rsa2048-trad0.pem");
    let sec1 = dir.file("p256-trad0.pem");
    let encrypted = dir.file("p256-default.PEM");
    for path in [&p256, &rsa, &sec1, &encrypted] {
        let pem = std::fs::read_to_string(path).unwrap();
        let body_start = pem.find('\n').unwrap() + 1;
        let body_end = pem.find("-----END").unwrap() - 2;
        for at in [body_start, (body_start + body_end) / 2, body_end] {
            for bad in ["!", "*", "\u{e9}"] {
                let mut broken = pem.clone();
                broken.replace_range(at..at + 1, bad);
                let case = format!("{path}: '{bad}' at {at}");
                let reason =
                    ossl::expect_invalid_key(PrivateKey::from_pem(broken.as_bytes()), PEM, &case);
                assert!(
                    reason.contains("base64") || reason.contains("malformed PEM"),
                    "{case}: {reason}"
                );
                ossl::expect_invalid_key(
                    PrivateKey::from_pem_with_passphrase(broken.as_bytes(), &Passphrase::new(pass)),
                    PEM,
                    &case,
                );
                let file = dir.file("broken.pem");
                std::fs::write(&file, &broken).unwrap();
                ossl::expect_invalid_key(PrivateKey::from_path(&file), &file, &case);
                ossl::expect_invalid_key(
                    PrivateKey::from_path_with_passphrase(&file, &Passphrase::new(pass)),
                    &file,
                    &case,
                );
            }
        }
        // Every truncation of the PEM text short of its END line.
        let whole = pem.trim_end().len();
        for len in 0..whole {
            let cut = &pem.as_bytes()[..len];
            let case = format!("{path} cut to {len}");
            let result = PrivateKey::from_pem_with_passphrase(cut, &Passphrase::new(pass));
            ossl::expect_invalid_key(result, PEM, &case);
        }
        assert!(PrivateKey::from_pem_with_passphrase(
            &pem.as_bytes()[..whole],
            &Passphrase::new(pass)
        )
        .is_ok());
    }
    // Valid base64 that holds no key.
    for label in [
        "PRIVATE KEY",
        "RSA PRIVATE KEY",
        "EC PRIVATE KEY",
        "ENCRYPTED PRIVATE KEY",
    ] {
        let pem = format!("-----BEGIN {label}-----\naGVsbG8gd29ybGQ=\n-----END {label}-----\n");
        ossl::expect_invalid_key(PrivateKey::from_pem(pem.as_bytes()), PEM, label);
        ossl::expect_invalid_key(
            PrivateKey::from_pem_with_passphrase(pem.as_bytes(), &Passphrase::new(pass)),
            PEM,
            label,
        );
    }

    // A certificate where a key is expected: PEM, DER, and files of both.
    let cert_pem = dir.file("cert.pem");
    ossl::run(&[
        "req",
        "-x509",
        "-key",
        &p256,
        "-out",
        &cert_pem,
        "-subj",
        "/CN=not a key",
        "-days",
        "1",
    ]);
    let cert_der = dir.file("cert.der");
    ossl::run(&[
        "x509", "-in", &cert_pem, "-outform", "DER", "-out", &cert_der,
    ]);
    let cert_pem_bytes = std::fs::read(&cert_pem).unwrap();
    let cert_der_bytes = std::fs::read(&cert_der).unwrap();
    let reason = ossl::expect_invalid_key(PrivateKey::from_pem(&cert_pem_bytes), PEM, "cert PEM");
    assert!(reason.contains("only Certificate"), "{reason}");
    ossl::expect_invalid_key(
        PrivateKey::from_pem_with_passphrase(&cert_pem_bytes, &Passphrase::new(pass)),
        PEM,
        "cert PEM",
    );
    let reason = ossl::expect_invalid_key(PrivateKey::from_der(&cert_der_bytes), DER, "cert DER");
    assert_eq!(reason, "this is a certificate, not a private key");
    ossl::expect_invalid_key(PrivateKey::from_path(&cert_pem), &cert_pem, "cert PEM file");
    let reason =
        ossl::expect_invalid_key(PrivateKey::from_path(&cert_der), &cert_der, "cert DER file");
    assert_eq!(reason, "this is a certificate, not a private key");
    ossl::expect_invalid_key(
        PrivateKey::from_path_with_passphrase(&cert_der, &Passphrase::new(pass)),
        &cert_der,
        "cert DER file",
    );
    // And a key where a certificate is expected.
    ossl::expect_invalid_certificate(Certificate::from_path(&p256), &p256, "key PEM file");
    ossl::expect_invalid_certificate(
        Certificate::from_path(&encrypted),
        &encrypted,
        "encrypted key file",
    );

    // Files that cannot be read.
    let missing = dir.file("missing.key");
    ossl::expect_read_file(
        PrivateKey::from_path(&missing),
        &missing,
        Some(ErrorKind::NotFound),
    );
    ossl::expect_read_file(
        PrivateKey::from_path_with_passphrase(&missing, &Passphrase::new(pass)),
        &missing,
        Some(ErrorKind::NotFound),
    );
    let directory = dir.dir().to_str().unwrap().to_owned();
    ossl::expect_read_file(PrivateKey::from_path(&directory), &directory, None);
}
