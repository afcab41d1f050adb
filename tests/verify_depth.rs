//! The verify depth against its oracle, OpenSSL.
//!
//! Qt hands `peerVerifyDepth` to OpenSSL's `SSL_CTX_set_verify_depth`, so
//! `with_peer_verify_depth(d)` must accept exactly the chains that
//! `openssl verify -verify_depth d` accepts (d = 0: no limit, and no
//! `-verify_depth` flag, since Qt never passes 0). For every chain shape ×
//! depth 0..=4 the test asks three judges and requires them to agree:
//!
//! - `openssl verify -CAfile root.pem -untrusted chain.pem [-verify_depth d] leaf.pem`;
//! - `SslConfiguration::verify_chain` (empty, or holding `PathLengthExceeded`);
//! - a real handshake: `connect` as a VerifyPeer client against a server
//!   sending the chain, so the rustls config path is covered too.
//!
//! The table is printed (`-- --nocapture`) and kept in TESTING.md's
//! "Verify depth" section. `VERIFY_DEPTH_DEBUG=1` prints each `openssl
//! verify` command and its answer.

mod common;

use std::fmt::Write as _;
use std::process::Command;

use common::openssl::Scratch;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use sslconf::{Certificate, Identity, PrivateKey, SslConfiguration, SslError, SslErrorKind};

const HOST: &str = "localhost";
const DEPTHS: std::ops::RangeInclusive<u32> = 0..=4;

fn days(n: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::days(n)
}

/// A CA made here with rcgen directly, keeping its parameters and key so that
/// the same CA (same name, same key) can also be signed by another issuer.
struct Ca {
    params: CertificateParams,
    key: KeyPair,
    cert: Certificate,
}

impl Ca {
    fn params(name: &str) -> CertificateParams {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params
            .distinguished_name
            .push(DnType::OrganizationName, "sslconf verify depth");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params.use_authority_key_identifier_extension = true;
        params.not_before = days(-2);
        params.not_after = days(365);
        params
    }

    fn root(name: &str) -> Ca {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mut params = Self::params(name);
        params.use_authority_key_identifier_extension = false;
        let cert = params.self_signed(&key).unwrap();
        Ca {
            cert: Certificate::from_der(cert.der()).unwrap(),
            params,
            key,
        }
    }

    fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }

    /// A new intermediate CA signed by this one.
    fn intermediate(&self, name: &str) -> Ca {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let params = Self::params(name);
        let cert = params.signed_by(&key, &self.issuer()).unwrap();
        Ca {
            cert: Certificate::from_der(cert.der()).unwrap(),
            params,
            key,
        }
    }

    /// This CA (its name and key) signed by `issuer` instead: a cross-certificate.
    fn cross_signed_by(&self, issuer: &Ca) -> Certificate {
        let cert = self.params.signed_by(&self.key, &issuer.issuer()).unwrap();
        Certificate::from_der(cert.der()).unwrap()
    }

    /// A server leaf for `HOST` signed by this CA, and its key (PKCS#8 DER).
    fn leaf(&self) -> (Certificate, Vec<u8>) {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mut params = CertificateParams::new(vec![HOST.to_owned()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, HOST);
        params.not_before = days(-1);
        params.not_after = days(30);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let cert = params.signed_by(&key, &self.issuer()).unwrap();
        (
            Certificate::from_der(cert.der()).unwrap(),
            key.serialize_der(),
        )
    }
}

/// One chain shape: what a server sends (leaf first) and the root trusted.
struct Shape {
    name: &'static str,
    root: Certificate,
    chain: Vec<Certificate>,
    key_der: Vec<u8>,
}

/// The shapes of the table, each with fresh certificates.
fn shapes() -> Vec<Shape> {
    let mut shapes = Vec::new();

    // (1) leaf issued by the root.
    let root = Ca::root("Depth Root 1");
    let (leaf, key_der) = root.leaf();
    shapes.push(Shape {
        name: "leaf ← root",
        root: root.cert.clone(),
        chain: vec![leaf],
        key_der,
    });

    // (2) one intermediate.
    let root = Ca::root("Depth Root 2");
    let a = root.intermediate("Depth 2 A");
    let (leaf, key_der) = a.leaf();
    shapes.push(Shape {
        name: "leaf ← A ← root",
        root: root.cert.clone(),
        chain: vec![leaf, a.cert.clone()],
        key_der,
    });

    // (3) two intermediates.
    let root = Ca::root("Depth Root 3");
    let b = root.intermediate("Depth 3 B");
    let a = b.intermediate("Depth 3 A");
    let (leaf, key_der) = a.leaf();
    shapes.push(Shape {
        name: "leaf ← A ← B ← root",
        root: root.cert.clone(),
        chain: vec![leaf, a.cert.clone(), b.cert.clone()],
        key_der,
    });

    // (4) cross-signed: the leaf's issuer A exists as A signed by the root
    // (short path, 1 intermediate) and as A signed by B, which the root
    // signed (long path, 2 intermediates). All are sent, in either order.
    let root = Ca::root("Depth Root 4");
    let b = root.intermediate("Depth 4 B");
    let a = root.intermediate("Depth 4 A");
    let a_by_b = a.cross_signed_by(&b);
    let (leaf, key_der) = a.leaf();
    shapes.push(Shape {
        name: "cross-signed, sent leaf, A(root), A(B), B",
        root: root.cert.clone(),
        chain: vec![leaf.clone(), a.cert.clone(), a_by_b.clone(), b.cert.clone()],
        key_der: key_der.clone(),
    });
    shapes.push(Shape {
        name: "cross-signed, sent leaf, A(B), B, A(root)",
        root: root.cert.clone(),
        chain: vec![leaf, a_by_b, b.cert.clone(), a.cert.clone()],
        key_der,
    });

    // (5) the trust anchor sent too.
    let root = Ca::root("Depth Root 5");
    let a = root.intermediate("Depth 5 A");
    let (leaf, key_der) = a.leaf();
    shapes.push(Shape {
        name: "leaf ← A ← root, root sent",
        root: root.cert.clone(),
        chain: vec![leaf, a.cert.clone(), root.cert.clone()],
        key_der,
    });

    shapes
}

/// What one judge said of one cell.
#[derive(Debug, PartialEq)]
enum Verdict {
    Accept,
    /// Refused for the path length (OpenSSL: "certificate chain too long").
    TooLong,
    /// Anything else: always a disagreement.
    Other(String),
}

impl Verdict {
    fn short(&self) -> String {
        match self {
            Verdict::Accept => "OK".into(),
            Verdict::TooLong => "too long".into(),
            Verdict::Other(what) => format!("other: {what}"),
        }
    }
}

/// What `openssl verify` says of `shape` at `depth`.
fn openssl_verdict(scratch: &Scratch, shape: &Shape, depth: u32) -> Verdict {
    let root = scratch.file("root.pem");
    let chain = scratch.file("chain.pem");
    let leaf = scratch.file("leaf.pem");
    std::fs::write(&root, shape.root.to_pem()).unwrap();
    let chain_pem: String = shape.chain.iter().map(Certificate::to_pem).collect();
    std::fs::write(&chain, chain_pem).unwrap();
    std::fs::write(&leaf, shape.chain[0].to_pem()).unwrap();

    let depth_text = depth.to_string();
    let mut args = vec!["verify", "-CAfile", &root, "-untrusted", &chain];
    if depth != 0 {
        args.extend(["-verify_depth", &depth_text]);
    }
    args.push(&leaf);
    let out = Command::new("openssl").args(&args).output().unwrap();
    if std::env::var_os("VERIFY_DEPTH_DEBUG").is_some() {
        eprintln!(
            "openssl {args:?}\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() && text.contains(": OK") {
        Verdict::Accept
    } else if !out.status.success() && text.contains("certificate chain too long") {
        Verdict::TooLong
    } else {
        Verdict::Other(format!("{:?}: {}", out.status.code(), text.trim()))
    }
}

fn sslconf_verdict(errors: &[SslError]) -> Verdict {
    let kinds: Vec<SslErrorKind> = errors.iter().map(SslError::kind).collect();
    match kinds.as_slice() {
        [] => Verdict::Accept,
        [SslErrorKind::PathLengthExceeded] => Verdict::TooLong,
        other => Verdict::Other(format!("{other:?}")),
    }
}

fn client(shape: &Shape, depth: u32) -> SslConfiguration {
    SslConfiguration::new()
        .with_ca_certificates([shape.root.clone()])
        .with_peer_verify_depth(depth)
}

fn verify_chain_verdict(shape: &Shape, depth: u32) -> Verdict {
    sslconf_verdict(&client(shape, depth).verify_chain(&shape.chain, None))
}

fn handshake_verdict(shape: &Shape, depth: u32) -> Verdict {
    let server = SslConfiguration::new().with_local_identity(Identity::new(
        shape.chain.clone(),
        PrivateKey::from_der(&shape.key_der).unwrap(),
    ));
    let outcome = common::connect(&client(shape, depth), &server, HOST);
    match outcome.client {
        Ok(state) => {
            assert_eq!(
                state.peer_certificate_chain(),
                shape.chain.as_slice(),
                "{} at depth {depth}: the client saw another chain",
                shape.name
            );
            sslconf_verdict(state.peer_verification_errors())
        }
        Err(err) if err.ssl_errors().is_empty() => Verdict::Other(err.to_string()),
        Err(err) => sslconf_verdict(err.ssl_errors()),
    }
}

/// The one cell where sslconf differs from OpenSSL on purpose: with the
/// long issuer sent first, OpenSSL builds its chain greedily in the order
/// sent, stops at the depth limit and never tries the short path; webpki
/// searches every path, and the depth check refuses only the long one. A
/// valid path within the depth exists, so sslconf accepts.
const DIFFERENCES: &[(&str, u32, Verdict, Verdict)] = &[(
    "cross-signed, sent leaf, A(B), B, A(root)",
    1,
    Verdict::TooLong,
    Verdict::Accept,
)];

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn verify_depth_agrees_with_openssl() {
    if !common::peer_available("openssl") {
        return;
    }
    let version = String::from_utf8(
        Command::new("openssl")
            .arg("version")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let scratch = Scratch::new("verify-depth");

    let mut table = String::new();
    write!(table, "| chain sent (trusted: root only) |").unwrap();
    for depth in DEPTHS {
        write!(table, " depth {depth} |").unwrap();
    }
    writeln!(table).unwrap();
    writeln!(table, "|---|{}", "---|".repeat(DEPTHS.count())).unwrap();

    let mut disagreements = Vec::new();
    for shape in shapes() {
        write!(table, "| {} |", shape.name).unwrap();
        for depth in DEPTHS {
            let openssl = openssl_verdict(&scratch, &shape, depth);
            let verify_chain = verify_chain_verdict(&shape, depth);
            let handshake = handshake_verdict(&shape, depth);
            let documented = DIFFERENCES
                .iter()
                .find(|(name, d, _, _)| *name == shape.name && *d == depth);
            if let Some((_, _, expected_openssl, expected_sslconf)) = documented {
                assert_eq!(
                    &openssl, expected_openssl,
                    "{} at depth {depth}",
                    shape.name
                );
                assert_eq!(
                    &verify_chain, expected_sslconf,
                    "{} at depth {depth}",
                    shape.name
                );
                assert_eq!(
                    &handshake, expected_sslconf,
                    "{} at depth {depth}",
                    shape.name
                );
                write!(
                    table,
                    " openssl {} / sslconf {} † |",
                    openssl.short(),
                    verify_chain.short()
                )
                .unwrap();
            } else if openssl == verify_chain && openssl == handshake {
                write!(table, " {} |", openssl.short()).unwrap();
            } else {
                write!(
                    table,
                    " **openssl {} / verify_chain {} / handshake {}** |",
                    openssl.short(),
                    verify_chain.short(),
                    handshake.short()
                )
                .unwrap();
                disagreements.push(format!(
                    "{} at depth {depth}: openssl {openssl:?}, verify_chain {verify_chain:?}, handshake {handshake:?}",
                    shape.name
                ));
            }
        }
        writeln!(table).unwrap();
    }

    println!(
        "\nVerify depth, {}: each cell is what openssl verify, \
         SslConfiguration::verify_chain and a handshake all said\n\n{table}",
        version.trim()
    );
    assert!(
        disagreements.is_empty(),
        "sslconf and OpenSSL disagree:\n{}",
        disagreements.join("\n")
    );
}
