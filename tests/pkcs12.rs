//! PKCS#12 import (`Pkcs12`, `Identity::from_pkcs12`, `from_pkcs12_file`),
//! judged by the tools that write the files: `openssl pkcs12 -export`
//! (OpenSSL 3's default PBES2/AES-256-CBC, `-legacy` RC2-40/3DES, a chain
//! and a friendly name, no encryption and no MAC) and Python's
//! `cryptography` (scripts/make-pkcs12-fixtures.py). What is read must be
//! what `openssl pkcs12 -nodes` prints; the identity must serve a handshake
//! that `openssl s_client` verifies; a reload must read a rewritten file.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use cms::content_info::ContentInfo;
use common::openssl::{causes, run, run_text, Scratch};
use common::peers::{our_client, run_client, OurServer};
use pkcs12::pbe_params::{EncryptedPrivateKeyInfo, Pbes2Params, Pbkdf2Params};
use pkcs12::pfx::Pfx;
use pkcs12::safe_bag::SafeBag;
use pkcs8::der::asn1::{Any, ContextSpecific, ObjectIdentifier, OctetString};
use pkcs8::der::{Decode, Encode};
use sslconf::{Certificate, Error, Identity, Passphrase, Pkcs12, PrivateKey, SslConfiguration};

const PASS: &str = "p12-test-passphrase";
const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");

/// A root, an intermediate and a `localhost` leaf made with `openssl`, in
/// `dir`: root.pem, chain.pem (intermediate then root), leaf.pem, leaf.key.
struct Pki {
    scratch: Scratch,
}

impl Pki {
    fn new(tag: &str, leaf_key: &[&str]) -> Pki {
        let scratch = Scratch::new(tag);
        let f = |name: &str| scratch.file(name);
        let ec = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
        run(&[&["genpkey"][..], &ec, &["-out", &f("root.key")]].concat());
        run(&[
            "req",
            "-x509",
            "-new",
            "-key",
            &f("root.key"),
            "-subj",
            "/CN=p12 test root",
            "-addext",
            "basicConstraints=critical,CA:true",
            "-days",
            "30",
            "-out",
            &f("root.pem"),
        ]);
        run(&[&["genpkey"][..], &ec, &["-out", &f("inter.key")]].concat());
        run(&[
            "req",
            "-new",
            "-key",
            &f("inter.key"),
            "-subj",
            "/CN=p12 test intermediate",
            "-out",
            &f("inter.csr"),
        ]);
        std::fs::write(f("inter.ext"), "basicConstraints=critical,CA:true\n").unwrap();
        run(&[
            "x509",
            "-req",
            "-in",
            &f("inter.csr"),
            "-CA",
            &f("root.pem"),
            "-CAkey",
            &f("root.key"),
            "-extfile",
            &f("inter.ext"),
            "-days",
            "30",
            "-out",
            &f("inter.pem"),
        ]);
        let pki = Pki { scratch };
        pki.leaf("leaf", leaf_key);
        let chain = [pki.read("inter.pem"), pki.read("root.pem")].concat();
        std::fs::write(pki.file("chain.pem"), chain).unwrap();
        pki
    }

    /// A new `localhost` leaf, `name`.pem and `name`.key, from the intermediate.
    fn leaf(&self, name: &str, key_args: &[&str]) {
        let f = |n: &str| self.file(n);
        let key = f(&format!("{name}.key"));
        let csr = f(&format!("{name}.csr"));
        run(&[&["genpkey"][..], key_args, &["-out", &key]].concat());
        run(&[
            "req",
            "-new",
            "-key",
            &key,
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-out",
            &csr,
        ]);
        run(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &f("inter.pem"),
            "-CAkey",
            &f("inter.key"),
            "-copy_extensions",
            "copy",
            "-days",
            "30",
            "-out",
            &f(&format!("{name}.pem")),
        ]);
    }

    fn file(&self, name: &str) -> String {
        self.scratch.file(name)
    }

    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.file(name)).unwrap()
    }

    /// `openssl pkcs12 -export` of `leaf` with `extra` flags into `out`.
    fn export(&self, leaf: &str, out: &str, extra: &[&str]) -> String {
        let path = self.file(out);
        let pass = format!("pass:{PASS}");
        let cert = self.file(&format!("{leaf}.pem"));
        // "all" is the whole chain, for the leaf's key.
        let key = match leaf {
            "all" => self.file("leaf.key"),
            leaf => self.file(&format!("{leaf}.key")),
        };
        let mut args = vec![
            "pkcs12", "-export", "-in", &cert, "-inkey", &key, "-passout", &pass, "-out", &path,
        ];
        args.extend_from_slice(extra);
        run(&args);
        path
    }

    /// What `openssl pkcs12 -info` says of the schemes of `p12`.
    fn info(&self, p12: &str) -> String {
        let pass = format!("pass:{PASS}");
        let out = Command::new("openssl")
            .args([
                "pkcs12", "-info", "-noout", "-legacy", "-in", p12, "-passin", &pass,
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout)
    }
}

/// What `openssl pkcs12 -nodes` prints of a file: its certificates, its key,
/// and the friendly names in the bag attributes.
struct Printed {
    certificates: Vec<Certificate>,
    key: PrivateKey,
    friendly_names: Vec<String>,
}

fn openssl_prints(p12: &str) -> Printed {
    let pass = format!("pass:{PASS}");
    let text = run_text(&["pkcs12", "-in", p12, "-nodes", "-legacy", "-passin", &pass]);
    Printed {
        certificates: Certificate::from_pem(text.as_bytes()).unwrap(),
        key: PrivateKey::from_pem(text.as_bytes()).unwrap(),
        friendly_names: text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("friendlyName: "))
            .map(str::to_owned)
            .collect(),
    }
}

/// Reads `p12` both ways and checks that we read what openssl prints: the
/// same key, the same certificates (ours: the key's certificate, then the
/// others in the file's order), the friendly name.
fn agrees_with_openssl(p12: &str) -> Pkcs12 {
    let ours = Pkcs12::from_path(p12, &Passphrase::new(PASS.as_bytes()))
        .unwrap_or_else(|e| panic!("{p12}: {}", causes(&e)));
    let printed = openssl_prints(p12);
    assert_eq!(*ours.private_key(), printed.key, "{p12}: the key");
    let mut all = vec![ours.certificate().clone()];
    all.extend(ours.ca_certificates().iter().cloned());
    assert_eq!(all, printed.certificates, "{p12}: the certificates");
    assert_eq!(
        ours.friendly_name().map(str::to_owned),
        printed.friendly_names.first().cloned(),
        "{p12}: the friendly name"
    );
    ours
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn openssl_default_legacy_and_unencrypted_files_read_as_openssl_prints_them() {
    if !common::peer_available("openssl") {
        return;
    }
    let ec = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
    let pki = Pki::new("p12-read", &ec);
    let chain = pki.file("chain.pem");
    let with_chain = ["-certfile", &chain, "-name", "friendly leaf"];
    let cases: [(&str, Vec<&str>, &[&str]); 5] = [
        // OpenSSL 3's default: PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC.
        (
            "default.p12",
            with_chain.to_vec(),
            &["PBES2, PBKDF2, AES-256-CBC", "MAC: sha256"],
        ),
        // OpenSSL 1.x's, and 3's with -legacy.
        (
            "legacy.p12",
            [&with_chain[..], &["-legacy"]].concat(),
            &[
                "pbeWithSHA1And40BitRC2-CBC",
                "pbeWithSHA1And3-KeyTripleDES-CBC",
                "MAC: sha1",
            ],
        ),
        (
            "rc2-128.p12",
            vec![
                "-legacy",
                "-certpbe",
                "PBE-SHA1-RC2-128",
                "-keypbe",
                "PBE-SHA1-2DES",
            ],
            &[
                "pbeWithSHA1And128BitRC2-CBC",
                "pbeWithSHA1And2-KeyTripleDES-CBC",
            ],
        ),
        (
            "plain.p12",
            vec!["-keypbe", "NONE", "-certpbe", "NONE", "-nomac"],
            &["MAC is absent", "Key bag"],
        ),
        (
            "sha512-mac.p12",
            vec!["-macalg", "sha512", "-iter", "10000", "-maciter"],
            &["MAC: sha512"],
        ),
    ];
    for (name, flags, schemes) in cases {
        let p12 = pki.export("leaf", name, &flags);
        let info = pki.info(&p12);
        for scheme in schemes {
            assert!(info.contains(scheme), "{name}: openssl says {info}");
        }
        let read = agrees_with_openssl(&p12);
        let leaf = Certificate::from_path(pki.file("leaf.pem")).unwrap();
        assert_eq!(read.certificate(), &leaf[0], "{name}");
        if flags.contains(&"-certfile") {
            assert_eq!(read.friendly_name(), Some("friendly leaf"), "{name}");
            // Served: the leaf and the intermediate, not the root.
            let served = read.identity().certificate_chain();
            assert_eq!(served.len(), 2, "{name}");
            assert_eq!(served[1].subject_display_name(), "p12 test intermediate");
            assert_eq!(read.ca_certificates().len(), 2, "{name}");
        }
    }
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_key_without_local_key_id_finds_its_certificate_by_public_key() {
    if !common::peer_available("openssl") {
        return;
    }
    for (tag, key) in [
        (
            "p12-rsa",
            &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"][..],
        ),
        (
            "p12-ec",
            &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"][..],
        ),
    ] {
        let pki = Pki::new(tag, key);
        // The leaf after its chain, in plain bags so that their attributes
        // can be taken away: no localKeyID pairs the key with the leaf.
        let all = [pki.read("chain.pem"), pki.read("leaf.pem")].concat();
        std::fs::write(pki.file("all.pem"), all).unwrap();
        let p12 = pki.export("all", "plain.p12", &["-certpbe", "NONE", "-keypbe", "NONE"]);
        let p12 = std::fs::read(p12).unwrap();
        let stripped = rewrite_bags(&p12, |bag| bag.bag_attributes = None);
        assert_ne!(stripped.len(), p12.len());
        let read = Pkcs12::from_der(&stripped, &Passphrase::new(PASS.as_bytes())).unwrap();
        assert_eq!(
            read.certificate().subject_display_name(),
            "localhost",
            "{tag}"
        );
        assert_eq!(read.identity().certificate_chain().len(), 2, "{tag}");
        assert_eq!(read.friendly_name(), None);
        let key = PrivateKey::from_path(pki.file("leaf.key")).unwrap();
        assert_eq!(*read.private_key(), key, "{tag}");
    }
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn wrong_passphrase_is_its_own_error_for_every_scheme() {
    if !common::peer_available("openssl") {
        return;
    }
    let pki = Pki::new(
        "p12-wrong",
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    );
    for (name, flags) in [
        ("default.p12", vec![]),
        ("legacy.p12", vec!["-legacy"]),
        // No MAC: the decryption tells.
        ("nomac.p12", vec!["-nomac"]),
        ("nomac-legacy.p12", vec!["-nomac", "-legacy"]),
    ] {
        let p12 = pki.export("leaf", name, &flags);
        for wrong in [&b"not the passphrase"[..], b"", b"\xff\xfe"] {
            let err = Pkcs12::from_path(&p12, &Passphrase::new(wrong)).unwrap_err();
            assert!(
                matches!(&err, Error::Pkcs12WrongPassphrase { input } if *input == p12),
                "{name}: {err:?}"
            );
            assert_eq!(
                causes(&err),
                format!("cannot open the PKCS#12 file in {p12}: wrong passphrase")
            );
        }
    }
}

/// The same passphrase text in another encoding: OpenSSL 3's PBES2 takes
/// the bytes, the MAC their UTF-16 form, which UTF-8 "pässwörd" and its
/// Latin-1 bytes (no UTF-8, so one code unit a byte) share. The MAC
/// verifies, the contents do not decrypt; OpenSSL says "maybe wrong
/// password", and so the error is the wrong passphrase, not a corrupt file.
/// A legacy file, all UTF-16, opens with either, in OpenSSL as here.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_passphrase_in_another_encoding_is_a_wrong_passphrase_as_openssl_says() {
    if !common::peer_available("openssl") {
        return;
    }
    let pki = Pki::new(
        "p12-encoding",
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    );
    let key = PrivateKey::from_path(pki.file("leaf.key")).unwrap();
    let utf8 = "pässwörd".as_bytes();
    let latin1 = &b"p\xe4ssw\xf6rd"[..];
    for (made, opened, tag) in [(utf8, latin1, "utf8"), (latin1, utf8, "latin1")] {
        // Files, so that the bytes reach openssl as they are.
        let made_pass = pki.file(&format!("{tag}.pass"));
        std::fs::write(&made_pass, made).unwrap();
        let opened_pass = pki.file(&format!("{tag}-other.pass"));
        std::fs::write(&opened_pass, opened).unwrap();
        for legacy in [false, true] {
            let p12 = pki.file(&format!("{tag}-legacy-{legacy}.p12"));
            let mut args = vec![
                "pkcs12".to_owned(),
                "-export".to_owned(),
                "-in".to_owned(),
                pki.file("leaf.pem"),
                "-inkey".to_owned(),
                pki.file("leaf.key"),
                "-passout".to_owned(),
                format!("file:{made_pass}"),
                "-out".to_owned(),
                p12.clone(),
            ];
            if legacy {
                args.push("-legacy".to_owned());
            }
            run(&args.iter().map(String::as_str).collect::<Vec<_>>());
            let out = Command::new("openssl")
                .args(["pkcs12", "-legacy", "-nodes", "-in", &p12, "-passin"])
                .arg(format!("file:{opened_pass}"))
                .output()
                .unwrap();
            let said = String::from_utf8_lossy(&out.stderr);
            assert!(!said.contains("Mac verify error"), "{p12}: {said}");
            let read = Pkcs12::from_path(&p12, &Passphrase::new(opened));
            if legacy {
                assert!(out.status.success(), "{p12}: {said}");
                assert_eq!(*read.unwrap().private_key(), key, "{p12}");
            } else {
                assert!(!out.status.success(), "{p12}");
                assert!(said.contains("maybe wrong password"), "{p12}: {said}");
                let err = read.unwrap_err();
                assert!(
                    matches!(&err, Error::Pkcs12WrongPassphrase { input } if *input == p12),
                    "{p12}: {err:?}"
                );
                assert_eq!(
                    causes(&err),
                    format!("cannot open the PKCS#12 file in {p12}: wrong passphrase")
                );
            }
            // The bytes it was made with open it.
            let read = Pkcs12::from_path(&p12, &Passphrase::new(made)).unwrap();
            assert_eq!(*read.private_key(), key, "{p12}");
        }
    }
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn schemes_not_read_here_are_named_with_how_to_re_encrypt() {
    if !common::peer_available("openssl") {
        return;
    }
    let pki = Pki::new(
        "p12-rc4",
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    );
    let p12 = pki.export(
        "leaf",
        "rc4.p12",
        &["-legacy", "-certpbe", "PBE-SHA1-RC4-128"],
    );
    assert!(pki.info(&p12).contains("pbeWithSHA1And128BitRC4"));
    let err = Pkcs12::from_path(&p12, &Passphrase::new(PASS.as_bytes())).unwrap_err();
    assert!(matches!(err, Error::InvalidPkcs12 { .. }), "{err:?}");
    assert_eq!(
        causes(&err),
        format!(
            "invalid PKCS#12 file in {p12}: the encryption of its certificates is PKCS#12 \
             PBE-SHA1-RC4-128, which is not read here: re-encrypt it with `openssl pkcs12 \
             -in old.p12 -nodes -legacy | openssl pkcs12 -export -out new.p12` (AES-256-CBC)"
        )
    );
    // A MAC with MD5 (`-macalg md5`), named too.
    let md5 = pki.export("leaf", "md5.p12", &["-macalg", "md5"]);
    assert!(pki.info(&md5).contains("MAC: md5"));
    let err = Pkcs12::from_path(&md5, &Passphrase::new(PASS.as_bytes())).unwrap_err();
    assert!(
        causes(&err).ends_with("its MAC uses MD5, which is not read here: re-encrypt it with `openssl pkcs12 -in old.p12 -nodes -legacy | openssl pkcs12 -export -out new.p12` (AES-256-CBC)"),
        "{}",
        causes(&err)
    );
    // The advice works: the re-encrypted file reads.
    let pass = format!("pass:{PASS}");
    let plain = run(&["pkcs12", "-in", &p12, "-nodes", "-legacy", "-passin", &pass]);
    std::fs::write(pki.file("plain.pem"), plain).unwrap();
    let fixed = pki.file("fixed.p12");
    run(&[
        "pkcs12",
        "-export",
        "-in",
        &pki.file("plain.pem"),
        "-passout",
        &pass,
        "-out",
        &fixed,
    ]);
    Pkcs12::from_path(&fixed, &Passphrase::new(PASS.as_bytes())).unwrap();

    // Certificates only: no key, as Qt's importPkcs12 refuses.
    let certs_only = pki.file("certs.p12");
    run(&[
        "pkcs12",
        "-export",
        "-nokeys",
        "-in",
        &pki.file("chain.pem"),
        "-passout",
        &pass,
        "-out",
        &certs_only,
    ]);
    let err = Pkcs12::from_path(&certs_only, &Passphrase::new(PASS.as_bytes())).unwrap_err();
    assert!(causes(&err).ends_with("it holds no private key (a file of certificates only is read with `openssl pkcs12 -nokeys`)"), "{}", causes(&err));
}

/// A file whose MAC asks for 2^31 - 1 iterations is refused at once: the
/// cost is read before any of it is spent.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn key_derivation_above_the_cap_is_refused_before_it_runs() {
    if !common::peer_available("openssl") {
        return;
    }
    let pki = Pki::new(
        "p12-cost",
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    );
    let p12 = std::fs::read(pki.export("leaf", "default.p12", &[])).unwrap();
    let mut pfx = Pfx::from_der(&p12).unwrap();
    pfx.mac_data.as_mut().unwrap().iterations = i32::MAX;
    let hostile = pfx.to_der().unwrap();
    let start = Instant::now();
    let err = Pkcs12::from_der(&hostile, &Passphrase::new(PASS.as_bytes())).unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(
        causes(&err),
        "invalid PKCS#12 file in DER input: the iteration count of its MAC (2147483647) brings \
         the file's key derivation above the 10000000 runs accepted"
    );
    // The key bag's PBKDF2 asks for 2^32 - 1 iterations (no MAC to check
    // first): refused at once too.
    let hostile = with_key_iterations(&p12, u32::MAX);
    let start = Instant::now();
    let err = Pkcs12::from_der(&hostile, &Passphrase::new(PASS.as_bytes())).unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(
        causes(&err),
        "invalid PKCS#12 file in DER input: the iteration count of its private key \
         (4294967295) brings the file's key derivation above the 10000000 runs accepted"
    );
    // The same file with the key's count left as OpenSSL wrote it reads:
    // the re-encoding above changed nothing else.
    Pkcs12::from_der(
        &with_key_iterations(&p12, 2048),
        &Passphrase::new(PASS.as_bytes()),
    )
    .unwrap();

    // Not PKCS#12 at all, and too large.
    let err = Pkcs12::from_der(b"\x30\x03\x02\x01\x03", &Passphrase::new(b"")).unwrap_err();
    assert!(causes(&err).starts_with("invalid PKCS#12 file in DER input: not a DER PKCS#12 file"));
    let big = vec![0u8; (1 << 20) + 1];
    let err = Pkcs12::from_der(&big, &Passphrase::new(b"")).unwrap_err();
    assert_eq!(
        causes(&err),
        "invalid PKCS#12 file in DER input: it is larger than the 1 MiB accepted"
    );
}

/// `p12` (as OpenSSL 3 writes it: the key in a plain `data` safe) with its
/// shrouded key bag's PBKDF2 iteration count set to `iterations`, and no MAC.
fn with_key_iterations(p12: &[u8], iterations: u32) -> Vec<u8> {
    rewrite_bags(p12, |bag| {
        if bag.bag_id != SHROUDED_KEY_BAG {
            return;
        }
        let mut wrapped =
            ContextSpecific::<EncryptedPrivateKeyInfo>::from_der(&bag.bag_value).unwrap();
        let algorithm = &mut wrapped.value.encryption_algorithm;
        let mut pbes2 = algorithm
            .parameters
            .as_ref()
            .unwrap()
            .decode_as::<Pbes2Params>()
            .unwrap();
        let mut pbkdf2 = pbes2
            .kdf
            .parameters
            .as_ref()
            .unwrap()
            .decode_as::<Pbkdf2Params>()
            .unwrap();
        pbkdf2.iteration_count = iterations;
        pbes2.kdf.parameters = Some(Any::encode_from(&pbkdf2).unwrap());
        algorithm.parameters = Some(Any::encode_from(&pbes2).unwrap());
        bag.bag_value = wrapped.to_der().unwrap();
    })
}

/// `p12` re-encoded with `change` applied to every bag of its unencrypted
/// safes, and no MAC.
fn rewrite_bags(p12: &[u8], mut change: impl FnMut(&mut SafeBag)) -> Vec<u8> {
    let mut pfx = Pfx::from_der(p12).unwrap();
    let data = pfx.auth_safe.content.decode_as::<OctetString>().unwrap();
    let mut safes = Vec::<ContentInfo>::from_der(data.as_bytes()).unwrap();
    for safe in safes.iter_mut().filter(|c| c.content_type == ID_DATA) {
        let octets = safe.content.decode_as::<OctetString>().unwrap();
        let mut bags = Vec::<SafeBag>::from_der(octets.as_bytes()).unwrap();
        for bag in &mut bags {
            change(bag);
            // pkcs12 0.1 decodes a bag's value with its `[0]` wrapper, and
            // encodes the value it is given inside one.
            bag.bag_value = ContextSpecific::<Any>::from_der(&bag.bag_value)
                .unwrap()
                .value
                .to_der()
                .unwrap();
        }
        let octets = OctetString::new(bags.to_der().unwrap()).unwrap();
        safe.content = Any::encode_from(&octets).unwrap();
    }
    let data = OctetString::new(safes.to_der().unwrap()).unwrap();
    pfx.auth_safe.content = Any::encode_from(&data).unwrap();
    pfx.mac_data = None;
    pfx.to_der().unwrap()
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn the_identity_serves_a_handshake_openssl_verifies() {
    if !common::peer_available("openssl") {
        return;
    }
    for (tag, key) in [
        (
            "p12-hs-ec",
            &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"][..],
        ),
        (
            "p12-hs-rsa",
            &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"][..],
        ),
    ] {
        let pki = Pki::new(tag, key);
        let chain = pki.file("chain.pem");
        for flags in [
            vec!["-certfile", &chain],
            vec!["-certfile", &chain, "-legacy"],
        ] {
            let p12 = pki.export("leaf", "served.p12", &flags);
            let identity =
                Identity::from_pkcs12_file(&p12, Passphrase::new(PASS.as_bytes())).unwrap();
            let server = OurServer::start(SslConfiguration::new().with_local_identity(identity));
            let connect = format!("127.0.0.1:{}", server.port);
            let root = pki.file("root.pem");
            let client = run_client(
                "openssl",
                &[
                    "s_client",
                    "-connect",
                    &connect,
                    "-servername",
                    "localhost",
                    "-CAfile",
                    &root,
                    "-verify_return_error",
                    "-verify_hostname",
                    "localhost",
                    "-showcerts",
                ],
                b"ping\n",
            );
            server.join().unwrap();
            assert!(client.success(), "{tag} {flags:?}: {}", client.tail());
            assert!(
                client.output.contains("Verify return code: 0 (ok)"),
                "{tag}: {}",
                client.tail()
            );
            // The chain sent: the leaf and the intermediate.
            assert!(
                client.output.contains(" 1 s:CN = p12 test intermediate"),
                "{}",
                client.output
            );
            assert!(!client.output.contains(" 2 s:"), "{}", client.output);
        }
    }
}

/// A client verifying with the root alone, against a server identity read
/// from the p12 at `path`: the leaf it was served.
fn served_leaf(config: &SslConfiguration, root: &Certificate) -> Certificate {
    let server = OurServer::start(config.clone());
    let client = SslConfiguration::new().with_ca_certificates([root.clone()]);
    let (state, _) = our_client(&client, "localhost", server.port, b"ping\n").unwrap();
    server.join().unwrap();
    state.peer_certificate().unwrap().clone()
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn reload_reads_a_rewritten_file_and_keeps_the_old_identity_on_a_bad_one() {
    if !common::peer_available("openssl") {
        return;
    }
    let ec = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
    let pki = Pki::new("p12-reload", &ec);
    let chain = pki.file("chain.pem");
    let path = pki.export("leaf", "live.p12", &["-certfile", &chain]);
    let root = Certificate::from_path(pki.file("root.pem"))
        .unwrap()
        .remove(0);
    let first = Certificate::from_path(pki.file("leaf.pem"))
        .unwrap()
        .remove(0);
    let identity = Identity::from_pkcs12_file(&path, Passphrase::new(PASS.as_bytes())).unwrap();
    assert_eq!(identity.files(), Some((path.as_ref(), path.as_ref())));
    let config = SslConfiguration::new().with_local_identity(identity);
    config.server_config().unwrap();
    assert_eq!(served_leaf(&config, &root), first);

    // Nothing changed yet.
    assert!(config.reload().unwrap().is_empty());

    // A new certificate and key in the same file.
    pki.leaf("second", &ec);
    let second = Certificate::from_path(pki.file("second.pem"))
        .unwrap()
        .remove(0);
    let rewritten = pki.export("second", "next.p12", &["-certfile", &chain, "-legacy"]);
    std::fs::rename(&rewritten, &path).unwrap();
    let reloaded = config.reload().unwrap();
    assert_eq!(reloaded.changed_files(), [std::path::PathBuf::from(&path)]);
    assert_eq!(served_leaf(&config, &root), second);

    // A file with another passphrase, then a truncated one: refused, and
    // the second identity is still served.
    let other = format!("pass:{PASS}-other");
    let second_pem = pki.file("second.pem");
    let second_key = pki.file("second.key");
    run(&[
        "pkcs12",
        "-export",
        "-in",
        &second_pem,
        "-inkey",
        &second_key,
        "-passout",
        &other,
        "-out",
        &path,
    ]);
    let err = config.reload().unwrap_err();
    assert_eq!(
        causes(&err),
        format!("reloading {path}: cannot open the PKCS#12 file in {path}: wrong passphrase")
    );
    assert_eq!(served_leaf(&config, &root), second);
    let good = std::fs::read(pki.export("leaf", "again.p12", &[])).unwrap();
    std::fs::write(&path, &good[..good.len() / 2]).unwrap();
    let err = config.reload().unwrap_err();
    assert!(
        causes(&err).starts_with(&format!(
            "reloading {path}: invalid PKCS#12 file in {path}: not a DER PKCS#12 file"
        )),
        "{}",
        causes(&err)
    );
    assert_eq!(served_leaf(&config, &root), second);
}

/// Whether Python's `cryptography` can be imported: under CI its absence
/// fails the test (.ci/run installs it with pip when missing).
fn python_cryptography() -> bool {
    if !common::peer_available("python3") {
        return false;
    }
    let found = Command::new("python3")
        .args([
            "-c",
            "import cryptography.hazmat.primitives.serialization.pkcs12",
        ])
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("python3's cryptography is required under CI: .ci/run must install it");
        }
        common::skipped(
            "python3 has no `cryptography` module: `python3 -m pip install cryptography`",
        );
    }
    found
}

#[test]
#[cfg_attr(
    skip_python_cryptography,
    ignore = "python3 cannot import cryptography"
)]
fn files_python_cryptography_writes_read_as_it_wrote_them() {
    if !python_cryptography() {
        return;
    }
    let scratch = Scratch::new("p12-python");
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scripts/make-pkcs12-fixtures.py"
    );
    let status = Command::new("python3")
        .args([script, &scratch.file("")])
        .status()
        .unwrap();
    assert!(status.success());
    let passphrase = std::fs::read(scratch.file("passphrase.txt")).unwrap();
    let leaf = Certificate::from_path(scratch.file("leaf.pem"))
        .unwrap()
        .remove(0);
    let inter = Certificate::from_path(scratch.file("intermediate.pem"))
        .unwrap()
        .remove(0);
    let key = PrivateKey::from_path(scratch.file("key.pem")).unwrap();
    for name in [
        "cryptography-aes.p12",
        "cryptography-3des.p12",
        "cryptography-best.p12",
    ] {
        let read = Pkcs12::from_path(scratch.file(name), &Passphrase::new(&passphrase))
            .unwrap_or_else(|e| panic!("{name}: {}", causes(&e)));
        assert_eq!(read.certificate(), &leaf, "{name}");
        assert_eq!(*read.private_key(), key, "{name}");
        assert_eq!(
            read.ca_certificates(),
            std::slice::from_ref(&inter),
            "{name}"
        );
        assert_eq!(read.friendly_name(), Some("sslconf fixture"), "{name}");
        assert_eq!(
            read.identity().certificate_chain(),
            [leaf.clone(), inter.clone()]
        );
        let err = Pkcs12::from_path(scratch.file(name), &Passphrase::new(b"wrong")).unwrap_err();
        assert!(
            matches!(err, Error::Pkcs12WrongPassphrase { .. }),
            "{name}: {err:?}"
        );
    }
}

/// The committed files (one run of the script; tests/data/README.md) read
/// without Python, so that the doc examples and this run anywhere.
#[test]
fn committed_cryptography_files_read() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");
    let passphrase = std::fs::read(format!("{data}cryptography-aes.p12.pass")).unwrap();
    let aes = Pkcs12::from_path(
        format!("{data}cryptography-aes.p12"),
        &Passphrase::new(&passphrase),
    )
    .unwrap();
    let des = Pkcs12::from_path(
        format!("{data}cryptography-3des.p12"),
        &Passphrase::new(&passphrase),
    )
    .unwrap();
    assert_eq!(aes.certificate(), des.certificate());
    assert_eq!(aes.private_key(), des.private_key());
    assert_eq!(aes.ca_certificates(), des.ca_certificates());
    assert_eq!(aes.certificate().subject_display_name(), "p12.example");
    let debug = format!("{aes:?}");
    assert!(debug.contains("[secret key elided]"), "{debug}");
    // Flipping any one byte never panics, and never reads as something else.
    let der = std::fs::read(format!("{data}cryptography-3des.p12")).unwrap();
    for at in 0..der.len() {
        let mut bad = der.clone();
        bad[at] ^= 0x01;
        if let Ok(read) = Pkcs12::from_der(&bad, &Passphrase::new(&passphrase)) {
            assert_eq!(read.private_key(), des.private_key(), "byte {at}");
        }
    }
}

const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_local_key_id_on_a_certificate_of_another_key_is_not_believed() {
    if !common::peer_available("openssl") {
        return;
    }
    let pki = Pki::new(
        "p12-spoof",
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    );
    // The intermediate first, then the leaf; both given the leaf's
    // attributes (its localKeyID): only the leaf's public key is the key's.
    let all = [pki.read("chain.pem"), pki.read("leaf.pem")].concat();
    std::fs::write(pki.file("all.pem"), all).unwrap();
    let p12 = pki.export("all", "plain.p12", &["-certpbe", "NONE", "-keypbe", "NONE"]);
    let p12 = std::fs::read(p12).unwrap();
    let mut leaf_attributes = None;
    rewrite_bags(&p12, |bag| {
        if bag.bag_id == CERT_BAG && bag.bag_attributes.is_some() {
            leaf_attributes = bag.bag_attributes.clone();
        }
    });
    assert!(leaf_attributes.is_some());
    let spoofed = rewrite_bags(&p12, |bag| {
        if bag.bag_id == CERT_BAG {
            bag.bag_attributes = leaf_attributes.clone();
        }
    });
    let read = Pkcs12::from_der(&spoofed, &Passphrase::new(PASS.as_bytes())).unwrap();
    assert_eq!(read.certificate().subject_display_name(), "localhost");
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn many_certificates_cost_little_and_are_capped() {
    if !common::peer_available("openssl") {
        return;
    }
    // Certificates that issue each other by name, in a cycle (S by T, T by
    // S, ...), beside a leaf issued by S: every step of the chain's
    // assembly finds another issuer. Before, the assembly was cubic and the
    // chain unbounded.
    let s = common::Authority::root("S");
    let t = common::Authority::root("T");
    // No authority key identifier: any certificate named S may be its issuer.
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let mut leaf_params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    leaf_params.use_authority_key_identifier_extension = false;
    let leaf_cert = s.sign_with(&leaf_params, &leaf_key);
    let dir = Scratch::new("p12-many");
    let cycle = |n: usize| -> String {
        (0..n)
            .map(|i| {
                let (name, by) = if i % 2 == 0 { ("S", &t) } else { ("T", &s) };
                let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
                params
                    .distinguished_name
                    .push(rcgen::DnType::CommonName, name);
                params
                    .distinguished_name
                    .push(rcgen::DnType::OrganizationName, "sslconf tests");
                params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
                by.sign(&params).to_pem()
            })
            .collect()
    };
    std::fs::write(dir.file("leaf.pem"), leaf_cert.to_pem()).unwrap();
    std::fs::write(dir.file("leaf.key"), leaf_key.serialize_pem()).unwrap();
    for (n, accepted) in [(40, true), (300, false)] {
        std::fs::write(dir.file("cycle.pem"), cycle(n)).unwrap();
        let out = dir.file("many.p12");
        run(&[
            "pkcs12",
            "-export",
            "-in",
            &dir.file("leaf.pem"),
            "-inkey",
            &dir.file("leaf.key"),
            "-certfile",
            &dir.file("cycle.pem"),
            "-certpbe",
            "NONE",
            "-keypbe",
            "NONE",
            "-nomac",
            "-passout",
            "pass:",
            "-out",
            &out,
        ]);
        let der = std::fs::read(&out).unwrap();
        let started = Instant::now();
        let read = Pkcs12::from_der(&der, &Passphrase::new(b""));
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{n}: {:?}",
            started.elapsed()
        );
        match (read, accepted) {
            (Ok(read), true) => {
                let chain = read.identity().certificate_chain().len();
                // Capped: 16 of the 41 it could chain.
                assert_eq!(chain, 16, "{n}");
            }
            (Err(err), false) => assert!(
                causes(&err).ends_with("it holds more than 256 certificates"),
                "{}",
                causes(&err)
            ),
            (other, _) => panic!("{n}: {:?}", other.map(|p| p.ca_certificates().len())),
        }
    }
}
