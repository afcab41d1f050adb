//! Every accept decision as strict as the verifier (DESIGN.md rule 1):
//! expected errors admit a peer only on a chain whose links verify, and
//! the errors they name are about exact certificates on it.
//!
//! The hostile chains are built here: a leaf signed by an attacker's key
//! that copies a private root's name and key identifier, offered beside
//! that root, to a client and a server that expect the root's
//! `SelfSignedCertificateInChain` (Qt's usual way to trust a device).
//! `openssl verify` judges what the diagnosis says of them.

mod common;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyIdMethod, KeyPair, KeyUsagePurpose,
};
use sslconf::{Certificate, PeerVerifyMode, SslConfiguration, SslError, SslErrorKind};

use common::openssl::{openssl_kinds, our_kinds};
use common::peer_available;
use common::peers::openssl_collect_all;

/// A private root whose key identifier is known, so that a forger can copy it.
struct PrivateRoot {
    params: CertificateParams,
    issuer: Issuer<'static, KeyPair>,
    cert: Certificate,
}

fn root_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.key_identifier_method = KeyIdMethod::PreSpecified(vec![0x5a; 20]);
    params
}

impl PrivateRoot {
    fn new(name: &str) -> Self {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let params = root_params(name);
        let cert = Certificate::from_der(params.self_signed(&key).unwrap().der()).unwrap();
        PrivateRoot {
            issuer: Issuer::new(params.clone(), key),
            params,
            cert,
        }
    }

    /// The root's name and key identifier with another key: what an
    /// attacker who has only the root's certificate can sign with.
    fn forger(&self) -> Issuer<'static, KeyPair> {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        Issuer::new(self.params.clone(), key)
    }
}

/// A leaf for `name` signed by `issuer`, with the chain `[leaf, extra...]`.
fn leaf(name: &str, issuer: &Issuer<'_, KeyPair>, extra: &[&Certificate]) -> common::Identity {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = CertificateParams::new(vec![name.to_owned()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.use_authority_key_identifier_extension = true;
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let cert = Certificate::from_der(params.signed_by(&key, issuer).unwrap().der()).unwrap();
    let mut chain = vec![cert];
    chain.extend(extra.iter().map(|c| (*c).clone()));
    common::Identity::from_parts(chain, key.serialize_der())
}

/// A client that trusts an unrelated CA only and expects `expected`.
fn expecting_client(expected: impl IntoIterator<Item = SslError>) -> SslConfiguration {
    let unrelated = common::Authority::root("Unrelated Root");
    SslConfiguration::new()
        .with_ca_certificates([unrelated.cert])
        .with_expected_ssl_errors(expected)
}

fn in_chain(root: &Certificate) -> SslError {
    SslError::new(
        SslErrorKind::SelfSignedCertificateInChain,
        Some(root.clone()),
    )
}

fn kinds(errors: &[SslError]) -> Vec<SslErrorKind> {
    errors.iter().map(SslError::kind).collect()
}

#[test]
fn a_forged_leaf_under_an_expected_root_is_refused_by_a_client() {
    let root = PrivateRoot::new("Device Root");
    let genuine = leaf("device.test", &root.issuer, &[&root.cert]);
    let forged = leaf("device.test", &root.forger(), &[&root.cert]);
    let client = expecting_client([in_chain(&root.cert)]);

    // The device itself: its one error is expected.
    let (state, _) = common::connect(&client, &genuine.server(), "device.test").ok();
    assert_eq!(state.peer_verification_errors(), [in_chain(&root.cert)]);

    // A leaf the root never signed: refused, and said to be what it is.
    let err = common::connect(&client, &forged.server(), "device.test")
        .client
        .unwrap_err();
    let errors = err.ssl_errors();
    assert!(
        errors.contains(&SslError::new(
            SslErrorKind::CertificateSignatureFailed,
            Some(forged.leaf().clone())
        )),
        "{errors:?}"
    );

    // The same through the raw rustls config.
    let raw = common::raw_client_handshake(&client, &forged.server(), "device.test");
    assert!(raw.is_err(), "the raw client config accepted a forged leaf");
    common::raw_client_handshake(&client, &genuine.server(), "device.test").unwrap();
}

#[test]
fn a_forged_client_under_an_expected_root_is_refused_by_a_server() {
    let root = PrivateRoot::new("Client Device Root");
    let unrelated = common::Authority::root("Server Trust Root");
    let server_id = unrelated.leaf("localhost");
    let server = server_id
        .server()
        .with_ca_certificates([unrelated.cert.clone()])
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer)
        .with_expected_ssl_errors([in_chain(&root.cert)]);
    let client = |id: &common::Identity| {
        SslConfiguration::new()
            .with_ca_certificates([unrelated.cert.clone()])
            .with_local_certificate_chain(id.chain.clone())
            .with_private_key(id.key())
    };
    let genuine = leaf("device-7", &root.issuer, &[&root.cert]);
    let forged = leaf("admin", &root.forger(), &[&root.cert]);

    let (_, state) = common::connect(&client(&genuine), &server, "localhost").ok();
    assert_eq!(state.peer_verification_errors(), [in_chain(&root.cert)]);

    let err = common::connect(&client(&forged), &server, "localhost")
        .server
        .unwrap_err();
    assert!(
        kinds(err.ssl_errors()).contains(&SslErrorKind::CertificateSignatureFailed),
        "{:?}",
        err.ssl_errors()
    );
    // Through the raw server config too.
    assert!(common::raw_server_handshake(&server, &client(&forged), "localhost").is_err());
    common::raw_server_handshake(&server, &client(&genuine), "localhost").unwrap();
}

/// `verify_chain` says of a forged leaf what OpenSSL says when, as Qt,
/// it goes on after each error: the root is self-signed (19 at depth 1) and
/// the leaf's signature fails (7 at depth 0); of the genuine leaf, only
/// the former.
#[test]
fn verify_chain_reports_a_forged_link_as_openssl_does() {
    if !peer_available("openssl") {
        return;
    }
    let root = PrivateRoot::new("Verify Device Root");
    let unrelated = common::Authority::root("Verify Unrelated Root");
    let forged = leaf("device.test", &root.forger(), &[&root.cert]);
    let genuine = leaf("device.test", &root.issuer, &[&root.cert]);
    let config = SslConfiguration::new().with_ca_certificates([unrelated.cert.clone()]);
    let trusted = [unrelated.cert.clone()];
    for (id, openssl) in [(&forged, vec![(19, 1), (7, 0)]), (&genuine, vec![(19, 1)])] {
        let said = openssl_collect_all(&trusted, &id.chain, &id.key_pem(), "", &[]);
        assert_eq!(openssl_kinds(&said), openssl_kinds(&openssl), "openssl");
        let ours = config.verify_chain(&id.chain, None);
        assert_eq!(
            our_kinds(&ours, &id.chain),
            openssl_kinds(&said),
            "{ours:?}"
        );
    }
}

// -- Path building finds every path webpki finds (issue 19, item 7) ---------

/// A CA of the mesh: its parameters (subject, key identifier) and key, so
/// that it can be certified by several issuers.
struct MeshCa {
    params: CertificateParams,
    key: KeyPair,
}

impl MeshCa {
    fn new(name: &str) -> MeshCa {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.use_authority_key_identifier_extension = true;
        MeshCa { params, key }
    }

    fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }

    fn self_signed(&self) -> Certificate {
        Certificate::from_der(self.params.self_signed(&self.key).unwrap().der()).unwrap()
    }

    /// This CA's certificate, issued by `by`.
    fn certified_by(&self, by: &MeshCa) -> Certificate {
        Certificate::from_der(
            self.params
                .signed_by(&self.key, &by.issuer())
                .unwrap()
                .der(),
        )
        .unwrap()
    }
}

/// A cross-certified PKI with bridge CAs, as BetterTLS's path-building
/// cases: one valid path leaf → A → B → C → root, and beside it 32 more
/// intermediates under 24 subjects: impostors of A, B and C (their names,
/// other keys) certified by bridges, and 21 bridges cross-certifying each
/// other in a ring twice over, none of them reaching the root. The
/// impostors come first, as a peer may send them.
struct Mesh {
    root: Certificate,
    leaf: common::Identity,
    intermediates: Vec<Certificate>,
}

fn mesh() -> Mesh {
    let root = MeshCa::new("Mesh Root");
    let path: Vec<MeshCa> = ["Mesh A", "Mesh B", "Mesh C"]
        .iter()
        .map(|n| MeshCa::new(n))
        .collect();
    let bridges: Vec<MeshCa> = (0..21)
        .map(|i| MeshCa::new(&format!("Bridge {i}")))
        .collect();
    let mut intermediates = Vec::new();
    // Impostors: each path subject three more times, under other keys.
    for (at, ca) in path.iter().enumerate() {
        for k in 0..3 {
            let impostor = MeshCa {
                params: {
                    let mut p = ca.params.clone();
                    p.key_identifier_method = rcgen::KeyIdMethod::Sha256;
                    p
                },
                key: KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap(),
            };
            intermediates.push(impostor.certified_by(&bridges[(at * 3 + k) % bridges.len()]));
        }
    }
    // The valid path, after its impostors.
    intermediates.push(path[0].certified_by(&path[1]));
    intermediates.push(path[1].certified_by(&path[2]));
    intermediates.push(path[2].certified_by(&root));
    // Bridges certifying each other in a ring, both ways.
    for (i, bridge) in bridges.iter().enumerate() {
        intermediates.push(bridge.certified_by(&bridges[(i + 1) % bridges.len()]));
    }
    intermediates.push(bridges[0].certified_by(&bridges[10]));
    intermediates.push(bridges[5].certified_by(&bridges[15]));
    let leaf = leaf("mesh.test", &path[0].issuer_owned(), &[]);
    Mesh {
        root: root.self_signed(),
        leaf,
        intermediates,
    }
}

impl MeshCa {
    fn issuer_owned(&self) -> Issuer<'static, KeyPair> {
        let key = KeyPair::try_from(self.key.serialize_der().as_slice()).unwrap();
        Issuer::new(self.params.clone(), key)
    }
}

#[test]
fn a_bridge_mesh_path_that_webpki_finds_is_found() {
    let mesh = mesh();
    assert_eq!(mesh.intermediates.len(), 35);
    let mut chain = mesh.leaf.chain.clone();
    chain.extend(mesh.intermediates.iter().cloned());

    // Raw webpki (rustls's own verifier) finds the path.
    let mut roots = sslconf::rustls::RootCertStore::empty();
    roots.add(mesh.root.as_rustls().clone()).unwrap();
    let provider = sslconf::rustls::crypto::aws_lc_rs::default_provider();
    let raw = sslconf::rustls::client::WebPkiServerVerifier::builder_with_provider(
        std::sync::Arc::new(roots),
        std::sync::Arc::new(provider),
    )
    .build()
    .unwrap();
    let ders: Vec<_> = chain.iter().map(|c| c.as_rustls().clone()).collect();
    sslconf::rustls::client::danger::ServerCertVerifier::verify_server_cert(
        raw.as_ref(),
        &ders[0],
        &ders[1..],
        &"mesh.test".try_into().unwrap(),
        &[],
        sslconf::rustls::pki_types::UnixTime::now(),
    )
    .expect("raw webpki finds the path");

    // So does OpenSSL.
    if peer_available("openssl") {
        let verdict = common::openssl::verify(std::slice::from_ref(&mesh.root), &chain, &[]);
        assert!(verdict.ok, "{}", verdict.output);
    }

    // And so does the crate: verify_chain, a handshake, the raw config.
    let client = SslConfiguration::new().with_ca_certificates([mesh.root.clone()]);
    assert_eq!(client.verify_chain(&chain, Some("mesh.test")), []);
    let server = SslConfiguration::new()
        .with_local_certificate_chain(chain.clone())
        .with_private_key(mesh.leaf.key());
    common::connect(&client, &server, "mesh.test").ok();
    common::raw_client_handshake(&client, &server, "mesh.test").unwrap();
}

/// A self-issued intermediate (a CA's new key certified by its old one)
/// makes a path one intermediate longer than the depth allows: the error
/// is the depth, not the signature webpki then tries on another path.
#[test]
fn a_depth_refusal_with_a_self_issued_intermediate_is_the_path_length() {
    let root = MeshCa::new("Rollover Root");
    let old = MeshCa::new("Rollover CA");
    let new = MeshCa {
        params: {
            let mut p = old.params.clone();
            p.key_identifier_method = rcgen::KeyIdMethod::Sha256;
            p
        },
        key: KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap(),
    };
    let leaf = leaf("rollover.test", &new.issuer_owned(), &[]);
    let chain = vec![
        leaf.leaf().clone(),
        new.certified_by(&old),
        old.certified_by(&root),
    ];
    let root = root.self_signed();
    let config = SslConfiguration::new().with_ca_certificates([root.clone()]);
    assert_eq!(config.verify_chain(&chain, Some("rollover.test")), []);
    if peer_available("openssl") {
        for depth in ["1", "2"] {
            let verdict = common::openssl::verify(
                std::slice::from_ref(&root),
                &chain,
                &["-verify_depth", depth],
            );
            assert_eq!(verdict.ok, depth == "2", "{}", verdict.output);
        }
    }
    let deep = config.clone().with_peer_verify_depth(2);
    assert_eq!(deep.verify_chain(&chain, Some("rollover.test")), []);
    let shallow = config.with_peer_verify_depth(1);
    assert_eq!(
        shallow.verify_chain(&chain, Some("rollover.test")),
        [SslError::new(
            SslErrorKind::PathLengthExceeded,
            Some(chain[0].clone())
        )]
    );
}
