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
use sslconf::{Certificate, Identity, PeerVerifyMode, SslConfiguration, SslError, SslErrorKind};

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
            .with_local_identity(Identity::new(id.chain.clone(), id.key()))
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
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
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
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
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
    let server =
        SslConfiguration::new().with_local_identity(Identity::new(chain.clone(), mesh.leaf.key()));
    common::connect(&client, &server, "mesh.test").ok();
    common::raw_client_handshake(&client, &server, "mesh.test").unwrap();
}

/// A self-issued intermediate (a CA's new key certified by its old one)
/// makes a path one intermediate longer than the depth allows: the error
/// is the depth, not the signature webpki then tries on another path.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
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

// -- Found by fuzz/fuzz_targets/chain_decision.rs ----------------------------

/// A revocation list from `ca`, revoking `revoked`; issued yesterday, due
/// in 30 days.
fn list_of(ca: &MeshCa, revoked: &[&Certificate]) -> sslconf::RevocationList {
    let serial = |cert: &Certificate| {
        let bytes: Vec<u8> = cert
            .serial_number()
            .split(':')
            .map(|byte| u8::from_str_radix(byte, 16).unwrap())
            .collect();
        rcgen::SerialNumber::from_slice(&bytes)
    };
    let now = time::OffsetDateTime::now_utc();
    let params = rcgen::CertificateRevocationListParams {
        this_update: now - time::Duration::days(1),
        next_update: now + time::Duration::days(30),
        crl_number: rcgen::SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: revoked
            .iter()
            .map(|cert| rcgen::RevokedCertParams {
                serial_number: serial(cert),
                revocation_time: now - time::Duration::days(1),
                reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: ca.params.key_identifier_method.clone(),
    };
    sslconf::RevocationList::from_der(params.signed_by(&ca.issuer()).unwrap().der()).unwrap()
}

/// A certificate of `ca`'s subject and key identifier for another key,
/// issued by `by`: what a peer may send beside the real one.
fn impostor_of(ca: &MeshCa, by: &MeshCa) -> Certificate {
    MeshCa {
        params: ca.params.clone(),
        key: KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap(),
    }
    .certified_by(by)
}

fn is_list_error(kind: SslErrorKind) -> bool {
    matches!(
        kind,
        SslErrorKind::UnableToGetRevocationList
            | SslErrorKind::RevocationListExpired
            | SslErrorKind::RevocationListInvalid
    )
}

/// A leaf its CA's list revokes, sent with three impostors of that CA
/// (its subject and key identifier, other keys) before the CA itself, to a
/// client that has the CA's list but not the root's (strict, every
/// certificate checked): webpki refuses the path leaf ← CA ← root for the
/// CA's missing list (it checks from the root down, so it never reaches the
/// leaf's revocation); the issuer walk gives up after three keys, so the
/// lists' account is empty, and webpki's verdict is put on the leaf as
/// `UnableToGetRevocationList`. That one error hides the revocation, and
/// expecting it admits the revoked leaf (rule 1: a certificate a
/// configured list revokes is always `CertificateRevoked`, never admitted).
#[test]
fn a_revoked_leaf_behind_impostors_is_said_revoked_and_refused() {
    let root = MeshCa::new("Impostors Root");
    let other = MeshCa::new("Impostors Other Root");
    let mut ca = MeshCa::new("Impostors CA");
    ca.params.key_identifier_method = KeyIdMethod::PreSpecified(vec![0x11; 20]);
    let id = leaf("revoked.test", &ca.issuer_owned(), &[]);
    let list = list_of(&ca, &[id.leaf()]);
    let ca_cert = ca.certified_by(&root);
    let config = SslConfiguration::new()
        .with_ca_certificates([root.self_signed()])
        .with_revocation_lists([list]);
    let revoked = SslError::new(SslErrorKind::CertificateRevoked, Some(id.leaf().clone()));

    // Sent with its CA alone, the leaf is said to be revoked.
    let direct = [id.leaf().clone(), ca_cert.clone()];
    let errors = config.verify_chain(&direct, Some("revoked.test"));
    assert!(errors.contains(&revoked), "{errors:?}");

    // With three impostors before the CA, it must be too.
    let mut chain = id.chain.clone();
    chain.extend((0..3).map(|_| impostor_of(&ca, &other)));
    chain.push(ca_cert);
    let errors = config.verify_chain(&chain, Some("revoked.test"));
    assert!(errors.contains(&revoked), "{errors:?}");

    // Expecting everything the diagnosis says, and a missing list for
    // every certificate of the chain, admits no revoked leaf.
    let mut expected = errors.clone();
    expected.extend(
        chain
            .iter()
            .map(|c| SslError::new(SslErrorKind::UnableToGetRevocationList, Some(c.clone()))),
    );
    let client = config.with_expected_ssl_errors(expected);
    let server = SslConfiguration::new().with_local_identity(Identity::new(chain, id.key()));
    let outcome = common::connect(&client, &server, "revoked.test");
    assert!(outcome.client.is_err(), "a revoked leaf was admitted");
}

/// The chain of `list_errors_alone_never_explain_a_chain_no_path_verifies`
/// with three impostors of the CA (issued by the trusted root) before the
/// CA itself, whose list revokes the leaf: no path verifies, the issuer
/// walk gives up after three keys (never reaching the CA, whose list is
/// then never consulted), and what the diagnosis says is the impostors'
/// failed signatures and webpki's verdict on an impostor's missing list,
/// both put on the leaf. Expecting them admitted the revoked leaf. The
/// leaf is said revoked: by the list its CA's key signed, that key being
/// in the chain and verifying the leaf.
/// (Found by fuzz/chain_decision, invariant 5.)
#[test]
fn a_chain_whose_issuer_walk_gives_up_admits_nothing() {
    let untrusted = MeshCa::new("Given Up Untrusted Root");
    let trusted = MeshCa::new("Given Up Trusted Root");
    let mut ca = MeshCa::new("Given Up CA");
    ca.params.key_identifier_method = KeyIdMethod::PreSpecified(vec![0x15; 20]);
    let id = leaf("given-up.test", &ca.issuer_owned(), &[]);
    let mut chain = id.chain.clone();
    chain.extend((0..3).map(|_| impostor_of(&ca, &trusted)));
    chain.push(ca.certified_by(&untrusted));
    let config = SslConfiguration::new()
        .with_ca_certificates([trusted.self_signed()])
        .with_revocation_lists([list_of(&ca, &[id.leaf()])]);
    let errors = config.verify_chain(&chain, Some("given-up.test"));
    let revoked = SslError::new(SslErrorKind::CertificateRevoked, Some(id.leaf().clone()));
    assert!(errors.contains(&revoked), "{errors:?}");

    let mut expected = errors.clone();
    expected.extend(chain.iter().flat_map(|c| {
        [
            SslErrorKind::UnableToGetRevocationList,
            SslErrorKind::CertificateSignatureFailed,
            SslErrorKind::UnableToGetLocalIssuerCertificate,
        ]
        .map(|kind| SslError::new(kind, Some(c.clone())))
    }));
    let client = config.with_expected_ssl_errors(expected);
    let server = SslConfiguration::new().with_local_identity(Identity::new(chain, id.key()));
    let outcome = common::connect(&client, &server, "given-up.test");
    assert!(
        outcome.client.is_err(),
        "a revoked leaf was admitted on what a walk that gave up said: {errors:?}"
    );
}

/// A leaf whose CA is certified by an untrusted root, sent with that CA
/// and an impostor of it issued by the trusted root, to a client with the
/// CA's list (strict): no path verifies (raw webpki, without lists, says
/// so), but webpki's error is the impostor's missing list (it checks the
/// impostor's revocation before the leaf's signature), the diagnosis
/// classifies no revocation error, and its only error is
/// `UnableToGetRevocationList` put on the leaf, although the leaf's
/// issuer's list is there. Expecting list errors then admits a chain
/// that reaches no trusted root.
#[test]
fn list_errors_alone_never_explain_a_chain_no_path_verifies() {
    let untrusted = MeshCa::new("Unlisted Path Untrusted Root");
    let trusted = MeshCa::new("Unlisted Path Trusted Root");
    let mut ca = MeshCa::new("Unlisted Path CA");
    ca.params.key_identifier_method = KeyIdMethod::PreSpecified(vec![0x12; 20]);
    let id = leaf("path.test", &ca.issuer_owned(), &[]);
    let chain = vec![
        id.leaf().clone(),
        impostor_of(&ca, &trusted),
        ca.certified_by(&untrusted),
    ];
    let root = trusted.self_signed();

    // Raw webpki, with no lists, finds no path.
    let mut roots = sslconf::rustls::RootCertStore::empty();
    roots.add(root.as_rustls().clone()).unwrap();
    let raw = sslconf::rustls::client::WebPkiServerVerifier::builder_with_provider(
        std::sync::Arc::new(roots),
        std::sync::Arc::new(sslconf::rustls::crypto::aws_lc_rs::default_provider()),
    )
    .build()
    .unwrap();
    let ders: Vec<_> = chain.iter().map(|c| c.as_rustls().clone()).collect();
    let verdict = sslconf::rustls::client::danger::ServerCertVerifier::verify_server_cert(
        raw.as_ref(),
        &ders[0],
        &ders[1..],
        &"path.test".try_into().unwrap(),
        &[],
        sslconf::rustls::pki_types::UnixTime::now(),
    );
    assert!(verdict.is_err(), "raw webpki found a path");

    let config = SslConfiguration::new()
        .with_ca_certificates([root])
        .with_revocation_lists([list_of(&ca, &[])]);
    let errors = config.verify_chain(&chain, Some("path.test"));
    assert!(
        errors.iter().any(|e| !is_list_error(e.kind())),
        "only list errors for a chain no path verifies: {errors:?}"
    );

    // Expecting every list error on every certificate admits nothing.
    let expected: Vec<SslError> = chain
        .iter()
        .flat_map(|c| {
            [
                SslErrorKind::UnableToGetRevocationList,
                SslErrorKind::RevocationListExpired,
                SslErrorKind::RevocationListInvalid,
            ]
            .map(|kind| SslError::new(kind, Some(c.clone())))
        })
        .collect();
    let client = config.with_expected_ssl_errors(expected);
    let server = SslConfiguration::new().with_local_identity(Identity::new(chain, id.key()));
    let outcome = common::connect(&client, &server, "path.test");
    assert!(
        outcome.client.is_err(),
        "a chain no path verifies was admitted on list errors"
    );
}

/// A CA's new key under its old name (self-issued, certified by the old
/// key), below the old key's certificate constrained to path length 0: the
/// leaf under the new key has no path webpki accepts (it counts the
/// self-issued certificate against the constraint). Sent with the CA's
/// list, signed by the old key (strict): webpki first tries the old key's
/// certificate as the leaf's issuer (same name) and stops at that
/// certificate's missing list, before the leaf's signature; the diagnosis
/// then classifies no path error, and its errors are list errors alone,
/// whose expectation admits a chain webpki refuses without any list.
/// (What the fuzz target's first crash reduces to.)
#[test]
fn list_errors_alone_never_explain_a_rollover_webpki_refuses() {
    let root = MeshCa::new("Rollover Lists Root");
    let mut old = MeshCa::new("Rollover Lists CA");
    old.params.key_identifier_method = KeyIdMethod::PreSpecified(vec![0x13; 20]);
    let constrained = MeshCa {
        params: {
            let mut p = old.params.clone();
            p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
            p
        },
        key: KeyPair::try_from(old.key.serialize_der().as_slice()).unwrap(),
    };
    let new = MeshCa {
        params: {
            let mut p = old.params.clone();
            p.key_identifier_method = KeyIdMethod::PreSpecified(vec![0x31; 20]);
            p
        },
        key: KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap(),
    };
    let id = leaf("rollover-lists.test", &new.issuer_owned(), &[]);
    let chain = vec![
        id.leaf().clone(),
        constrained.certified_by(&root),
        new.certified_by(&old),
    ];
    let root = root.self_signed();
    let config = SslConfiguration::new().with_ca_certificates([root.clone()]);
    // Refused without lists (what it says is webpki's error of the path it
    // tried last, not the constraint).
    let without_lists = config.verify_chain(&chain, Some("rollover-lists.test"));
    assert!(!without_lists.is_empty());

    let config = config.with_revocation_lists([list_of(&old, &[])]);
    let errors = config.verify_chain(&chain, Some("rollover-lists.test"));
    assert!(
        errors.iter().any(|e| !is_list_error(e.kind())),
        "only list errors for a chain webpki refuses without lists: {errors:?}"
    );
    let expected: Vec<SslError> = chain
        .iter()
        .chain([&root])
        .flat_map(|c| {
            [
                SslErrorKind::UnableToGetRevocationList,
                SslErrorKind::RevocationListExpired,
                SslErrorKind::RevocationListInvalid,
            ]
            .map(|kind| SslError::new(kind, Some(c.clone())))
        })
        .collect();
    let client = config.with_expected_ssl_errors(expected);
    let server = SslConfiguration::new().with_local_identity(Identity::new(chain, id.key()));
    let outcome = common::connect(&client, &server, "rollover-lists.test");
    assert!(
        outcome.client.is_err(),
        "a chain webpki refuses without lists was admitted on list errors"
    );
}

/// The revoked leaf of `a_revoked_leaf_behind_impostors_is_said_revoked_and_refused`,
/// sent with the three impostors, its CA, and an expired copy of its CA
/// (same key), to a client that allows unknown status (the root's list is
/// not needed): refused, but said only to have an expired CA: webpki's
/// verdict is the copy's expiry, the look at another time finds the
/// revocation (a revocation error, classified as nothing), and the lists'
/// account never reaches the leaf's issuer (the issuer walk gives up
/// after three keys). Rule 1: a certificate a configured list revokes is
/// always `CertificateRevoked`, in `verify_chain` and in the handshake's
/// errors (Qt's `sslHandshakeErrors`). (Found by fuzz/chain_decision,
/// invariant 5.)
#[test]
fn a_revoked_leaf_behind_impostors_and_an_expired_ca_copy_is_said_revoked() {
    let root = MeshCa::new("Expired Copy Root");
    let other = MeshCa::new("Expired Copy Other Root");
    let mut ca = MeshCa::new("Expired Copy CA");
    ca.params.key_identifier_method = KeyIdMethod::PreSpecified(vec![0x14; 20]);
    let id = leaf("expired-copy.test", &ca.issuer_owned(), &[]);
    let now = time::OffsetDateTime::now_utc();
    let expired_copy = MeshCa {
        params: {
            let mut p = ca.params.clone();
            p.not_before = now - time::Duration::days(400);
            p.not_after = now - time::Duration::days(30);
            p
        },
        key: KeyPair::try_from(ca.key.serialize_der().as_slice()).unwrap(),
    }
    .certified_by(&root);
    let mut chain = id.chain.clone();
    chain.extend((0..3).map(|_| impostor_of(&ca, &other)));
    chain.push(ca.certified_by(&root));
    chain.push(expired_copy);
    let config = SslConfiguration::new()
        .with_ca_certificates([root.self_signed()])
        .with_revocation_lists([list_of(&ca, &[id.leaf()])])
        .with_unknown_revocation_status_allowed(true);
    let revoked = SslError::new(SslErrorKind::CertificateRevoked, Some(id.leaf().clone()));

    let errors = config.verify_chain(&chain, Some("expired-copy.test"));
    assert!(errors.contains(&revoked), "{errors:?}");

    let server = SslConfiguration::new().with_local_identity(Identity::new(chain, id.key()));
    let refused = common::connect(&config, &server, "expired-copy.test")
        .client
        .unwrap_err();
    assert!(
        refused.ssl_errors().contains(&revoked),
        "{:?}",
        refused.ssl_errors()
    );
}

/// A chain refused for its CA's extended key usage (for e-mail only), sent
/// with a decoy of that CA (its name, another key) before it: webpki
/// tries the decoy too, and the error it returns is the decoy's forged
/// signature. What is wrong is the real CA's purpose: the diagnosis asks
/// webpki about the path the issuer walk verified, not about the decoy.
#[test]
fn a_decoy_does_not_hide_what_is_wrong_with_the_real_path() {
    let root = MeshCa::new("Purpose Root");
    let mut ca = MeshCa::new("Purpose CA");
    ca.params.key_identifier_method = KeyIdMethod::PreSpecified(vec![0x15; 20]);
    ca.params.extended_key_usages = vec![ExtendedKeyUsagePurpose::EmailProtection];
    let id = leaf("purpose.test", &ca.issuer_owned(), &[]);
    let decoy = impostor_of(&ca, &root);
    let chain = vec![id.leaf().clone(), decoy, ca.certified_by(&root)];
    let config = SslConfiguration::new().with_ca_certificates([root.self_signed()]);
    let errors = config.verify_chain(&chain, Some("purpose.test"));
    assert_eq!(
        errors,
        [SslError::new(
            SslErrorKind::InvalidPurpose,
            Some(chain[0].clone())
        )]
    );
}

// -- Hostile chains: refused within webpki's budget (timings printed) -----

/// Chains built to make path building and the diagnosis work: `n` CA
/// certificates all named alike, each issued under that name by another
/// key (every one a candidate issuer of every other), and the same with one
/// of them expired (the diagnosis then builds paths again at another time),
/// against an unrelated root; then the same sent in a handshake. webpki
/// alone (rustls's own verifier) gives up on its path-building budget; the
/// crate refuses them too, and `verify_chain` says why. How long each takes
/// is printed (`-- --nocapture`), not asserted; `benches/ratios.rs`'s
/// `hostile/` cases measure it.
#[test]
fn hostile_chains_are_refused_within_webpkis_budget() {
    use std::time::Instant;
    let unrelated = MeshCa::new("Cost Unrelated Root").self_signed();
    let named_alike = |n: usize, expired: bool| -> Vec<Certificate> {
        let key = || KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, "Loop");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_identifier_method = KeyIdMethod::PreSpecified(Vec::new());
        let leaf_key = key();
        let mut leaf_params = CertificateParams::new(vec!["cost.test".to_owned()]).unwrap();
        leaf_params.key_identifier_method = KeyIdMethod::PreSpecified(Vec::new());
        let issuer = Issuer::new(params.clone(), key());
        let mut chain =
            vec![
                Certificate::from_der(leaf_params.signed_by(&leaf_key, &issuer).unwrap().der())
                    .unwrap(),
            ];
        for i in 0..n {
            let mut p = params.clone();
            if expired && i == 0 {
                p.not_after = time::OffsetDateTime::now_utc() - time::Duration::days(1);
            }
            let by = Issuer::new(params.clone(), key());
            chain.push(Certificate::from_der(p.signed_by(&key(), &by).unwrap().der()).unwrap());
        }
        chain
    };
    let mut roots = sslconf::rustls::RootCertStore::empty();
    roots.add(unrelated.as_rustls().clone()).unwrap();
    let raw = sslconf::rustls::client::WebPkiServerVerifier::builder_with_provider(
        std::sync::Arc::new(roots),
        std::sync::Arc::new(sslconf::rustls::crypto::aws_lc_rs::default_provider()),
    )
    .build()
    .unwrap();
    let config = SslConfiguration::new().with_ca_certificates([unrelated.clone()]);
    for (n, expired) in [(20, false), (150, false), (150, true)] {
        let chain = named_alike(n, expired);
        let bytes: usize = chain.iter().map(|c| c.to_der().len()).sum();
        let ders: Vec<_> = chain.iter().map(|c| c.as_rustls().clone()).collect();
        let start = Instant::now();
        let verdict = sslconf::rustls::client::danger::ServerCertVerifier::verify_server_cert(
            raw.as_ref(),
            &ders[0],
            &ders[1..],
            &"cost.test".try_into().unwrap(),
            &[],
            sslconf::rustls::pki_types::UnixTime::now(),
        );
        let webpki = start.elapsed();
        let start = Instant::now();
        let errors = config.verify_chain(&chain, Some("cost.test"));
        let ours = start.elapsed();
        println!(
            "{n} named alike{} ({bytes} bytes): webpki {webpki:?} ({:?}), sslconf {ours:?} ({:?})",
            if expired { ", one expired" } else { "" },
            verdict.as_ref().err(),
            kinds(&errors)
        );
        assert!(verdict.is_err(), "webpki accepted {n} named alike");
        assert!(
            !errors.is_empty(),
            "verify_chain found nothing wrong with {n} named alike"
        );
    }
    // Through a handshake: a server sending 20 named alike, one expired,
    // and a certificate no parser reads (webpki skips it; the diagnosis
    // builds the paths again without it, and again at another time).
    let mut chain: Vec<Vec<u8>> = named_alike(20, true)
        .iter()
        .map(|c| c.to_der().to_vec())
        .collect();
    chain.push(vec![0x30, 0x03, 0x02, 0x01, 0x00]);
    let leaf_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut leaf_params = CertificateParams::new(vec!["cost.test".to_owned()]).unwrap();
    leaf_params.key_identifier_method = KeyIdMethod::PreSpecified(Vec::new());
    let mut loop_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    loop_params
        .distinguished_name
        .push(DnType::CommonName, "Loop");
    let issuer = Issuer::new(
        loop_params,
        KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap(),
    );
    chain[0] = leaf_params
        .signed_by(&leaf_key, &issuer)
        .unwrap()
        .der()
        .to_vec();
    let provider = std::sync::Arc::new(sslconf::rustls::crypto::aws_lc_rs::default_provider());
    let server = sslconf::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            chain.into_iter().map(Into::into).collect(),
            sslconf::rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
        )
        .unwrap();
    for (name, client) in [
        ("rustls's own verifier", {
            let mut c = (*config.client_config().unwrap()).clone();
            c.dangerous().set_certificate_verifier(raw.clone());
            std::sync::Arc::new(c)
        }),
        ("sslconf", config.client_config().unwrap()),
    ] {
        let mut c = sslconf::rustls::ClientConnection::new(client, "cost.test".try_into().unwrap())
            .unwrap();
        let mut s =
            sslconf::rustls::ServerConnection::new(std::sync::Arc::new(server.clone())).unwrap();
        let mut hello = Vec::new();
        c.write_tls(&mut hello).unwrap();
        s.read_tls(&mut &hello[..]).unwrap();
        s.process_new_packets().unwrap();
        let mut flight = Vec::new();
        while s.wants_write() {
            s.write_tls(&mut flight).unwrap();
        }
        let start = Instant::now();
        let mut input = &flight[..];
        let mut verdict = Ok(());
        while !input.is_empty() && verdict.is_ok() {
            c.read_tls(&mut input).unwrap();
            verdict = c.process_new_packets().map(drop);
        }
        println!(
            "a handshake, {name}: {:?} ({:?})",
            start.elapsed(),
            verdict.as_ref().err()
        );
        assert!(verdict.is_err(), "{name} accepted the hostile chain");
    }
}

// -- Lists whose scope webpki honours and the diagnosis does not (review) ---

/// A list from `ca` of one scope (RFC 5280's issuing distribution point:
/// user or CA certificates only), revoking `revoked`, issued `days_ago`.
fn scoped_list_of(
    ca: &MeshCa,
    revoked: &[&Certificate],
    scope: rcgen::CrlScope,
    days_ago: i64,
) -> sslconf::RevocationList {
    let now = time::OffsetDateTime::now_utc();
    let params = rcgen::CertificateRevocationListParams {
        this_update: now - time::Duration::days(days_ago),
        next_update: now + time::Duration::days(30),
        crl_number: rcgen::SerialNumber::from(u64::try_from(10 - days_ago).unwrap()),
        issuing_distribution_point: Some(rcgen::CrlIssuingDistributionPoint {
            distribution_point: rcgen::CrlDistributionPoint {
                uris: vec![format!("http://crl.test/{scope:?}.crl")],
            },
            scope: Some(scope),
        }),
        revoked_certs: revoked
            .iter()
            .map(|cert| rcgen::RevokedCertParams {
                serial_number: rcgen::SerialNumber::from_slice(
                    &cert
                        .serial_number()
                        .split(':')
                        .map(|b| u8::from_str_radix(b, 16).unwrap())
                        .collect::<Vec<u8>>(),
                ),
                revocation_time: now - time::Duration::days(1),
                reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: ca.params.key_identifier_method.clone(),
    };
    sslconf::RevocationList::from_der(params.signed_by(&ca.issuer()).unwrap().der()).unwrap()
}

/// A CA that partitions its lists by scope (a CA-certificates list, the
/// newest, and a user-certificates list that revokes the leaf), under a
/// root whose own list the client lacks (strict, every certificate
/// checked). webpki stops at the CA's missing status; asked again without
/// lists, a path exists, and the lists' account of it takes the newest
/// list of the leaf's issuer, the CA-certificates one, which webpki does
/// not hold authoritative for a leaf: the revocation goes unsaid, the
/// account names only the missing lists, and expecting those admits a
/// revoked leaf (rule 1). With only the leaf checked, webpki decides, and
/// says revoked.
#[test]
fn a_list_partitioned_by_scope_never_hides_a_revocation() {
    let root = MeshCa::new("Scoped Root");
    let mut ca = MeshCa::new("Scoped CA");
    ca.params.key_identifier_method = KeyIdMethod::PreSpecified(vec![0x21; 20]);
    let id = leaf("scoped.test", &ca.issuer_owned(), &[]);
    let chain = vec![id.leaf().clone(), ca.certified_by(&root)];
    let lists = [
        scoped_list_of(&ca, &[], rcgen::CrlScope::CaCertsOnly, 1),
        scoped_list_of(&ca, &[id.leaf()], rcgen::CrlScope::UserCertsOnly, 2),
    ];
    let root = root.self_signed();
    let config = SslConfiguration::new()
        .with_ca_certificates([root.clone()])
        .with_revocation_lists(lists);
    let revoked = SslError::new(SslErrorKind::CertificateRevoked, Some(id.leaf().clone()));

    // The control: webpki deciding on the leaf alone finds it revoked.
    let leaf_only = config
        .clone()
        .with_revocation_depth(sslconf::RevocationDepth::Leaf);
    let errors = leaf_only.verify_chain(&chain, Some("scoped.test"));
    assert!(errors.contains(&revoked), "control: {errors:?}");

    let errors = config.verify_chain(&chain, Some("scoped.test"));
    let expected: Vec<SslError> = chain
        .iter()
        .chain([&root])
        .map(|c| SslError::new(SslErrorKind::UnableToGetRevocationList, Some(c.clone())))
        .collect();
    let client = config.with_expected_ssl_errors(expected);
    let server = SslConfiguration::new().with_local_identity(Identity::new(chain, id.key()));
    let outcome = common::connect(&client, &server, "scoped.test");
    assert!(
        errors.contains(&revoked) && outcome.client.is_err(),
        "a revoked leaf goes unsaid ({errors:?}) and admitted: {}",
        outcome.client.is_ok()
    );
}

// -- review2 --

/// A list from `ca` revoking `revoked`, whose issuing distribution point
/// names `uri` and, when given, limits it to one `scope`.
fn list_at(
    ca: &MeshCa,
    revoked: &[&Certificate],
    uri: &str,
    scope: Option<rcgen::CrlScope>,
) -> sslconf::RevocationList {
    let now = time::OffsetDateTime::now_utc();
    let params = rcgen::CertificateRevocationListParams {
        this_update: now - time::Duration::days(1),
        next_update: now + time::Duration::days(30),
        crl_number: rcgen::SerialNumber::from(7u64),
        issuing_distribution_point: Some(rcgen::CrlIssuingDistributionPoint {
            distribution_point: rcgen::CrlDistributionPoint {
                uris: vec![uri.to_owned()],
            },
            scope,
        }),
        revoked_certs: revoked
            .iter()
            .map(|cert| rcgen::RevokedCertParams {
                serial_number: rcgen::SerialNumber::from_slice(
                    &cert
                        .serial_number()
                        .split(':')
                        .map(|b| u8::from_str_radix(b, 16).unwrap())
                        .collect::<Vec<u8>>(),
                ),
                revocation_time: now - time::Duration::days(1),
                reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: ca.params.key_identifier_method.clone(),
    };
    sslconf::RevocationList::from_der(params.signed_by(&ca.issuer()).unwrap().der()).unwrap()
}

/// The crate says (lib.rs, "Revocation is never hidden or admitted") that
/// a certificate revoked by any list its issuer's key signed, "whatever
/// its scope", is `CertificateRevoked` and that no relaxed revocation
/// policy admits it; `with_unknown_revocation_status_allowed` says it lets
/// pass only a certificate "whose issuer has no configured revocation
/// list". Here the leaf's issuer has one, signed by its key, and it
/// revokes the leaf, but its issuing distribution point puts the leaf out
/// of its scope: CA certificates only, or another distribution point than
/// the one the leaf names (a CA that moved its lists to a new address).
/// webpki finds no list authoritative for the leaf, the status is unknown,
/// the relaxed policy lets it through as if not revoked: `verify_chain`
/// says nothing and the handshake is accepted. (Strict, the same chain is
/// refused and said revoked: the control.)
#[test]
fn a_relaxed_policy_never_admits_a_leaf_its_issuer_revoked_out_of_scope() {
    use sslconf::RevocationDepth;
    let ca = MeshCa::new("Out Of Scope CA");
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = CertificateParams::new(vec!["scope.test".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "scope.test");
    params.use_authority_key_identifier_extension = true;
    params.crl_distribution_points = vec![rcgen::CrlDistributionPoint {
        uris: vec!["http://crl.test/old.crl".to_owned()],
    }];
    let cert = Certificate::from_der(params.signed_by(&key, &ca.issuer()).unwrap().der()).unwrap();
    let id = common::Identity::from_parts(vec![cert], key.serialize_der());
    let root = ca.self_signed();
    let revoked = SslError::new(SslErrorKind::CertificateRevoked, Some(id.leaf().clone()));
    let server = id.server();

    let mut admitted = Vec::new();
    for (case, list) in [
        (
            "a CA-certificates list",
            list_at(
                &ca,
                &[id.leaf()],
                "http://crl.test/old.crl",
                Some(rcgen::CrlScope::CaCertsOnly),
            ),
        ),
        (
            "the list at the CA's new address",
            list_at(&ca, &[id.leaf()], "http://crl.test/new.crl", None),
        ),
    ] {
        let strict = SslConfiguration::new()
            .with_ca_certificates([root.clone()])
            .with_revocation_lists([list])
            .with_revocation_depth(RevocationDepth::Leaf);
        let errors = strict.verify_chain(&id.chain, Some("scope.test"));
        assert!(errors.contains(&revoked), "control, {case}: {errors:?}");
        assert!(
            common::connect(&strict, &server, "scope.test")
                .client
                .is_err(),
            "control, {case}"
        );

        let relaxed = strict.with_unknown_revocation_status_allowed(true);
        let errors = relaxed.verify_chain(&id.chain, Some("scope.test"));
        let outcome = common::connect(&relaxed, &server, "scope.test");
        if !errors.contains(&revoked) || outcome.client.is_ok() {
            admitted.push(format!(
                "{case}: {errors:?}, handshake accepted: {}",
                outcome.client.is_ok()
            ));
        }
    }
    assert!(
        admitted.is_empty(),
        "a leaf its issuer's own list revokes passes as of unknown status: {admitted:?}"
    );
}

// -- review5 --

/// The chain of `a_chain_whose_issuer_walk_gives_up_admits_nothing` (a
/// leaf its CA's list revokes, the CA certified by an untrusted root,
/// impostors of the CA issued by the trusted root sent before it), with
/// more impostors. 4f5e90c says the leaf revoked where the walk gave up by
/// trying the keys of the chain and trusted certificates that may have
/// issued it, but at most 16 (`KEYS_TRIED`), in the order the PEER sent
/// them: sixteen impostors of distinct keys before the real CA hide the
/// revocation again. Nothing is admitted (a given-up chain links nothing),
/// but the list the peer sees under QueryPeer, `verify_chain` and Qt's
/// sslErrors (what an application that decides for itself reads) no longer
/// says `CertificateRevoked` for a certificate a configured list revokes
/// (DESIGN.md rule 1: "always CertificateRevoked"). The bound is a count
/// the attacker chooses to exceed, not a bound on the attacker.
/// Printed: what each size of hostile chain costs `verify_chain` (not
/// asserted).
#[test]
fn a_revoked_leaf_behind_sixteen_impostors_is_still_said_revoked() {
    let untrusted = MeshCa::new("Review5 Untrusted Root");
    let trusted = MeshCa::new("Review5 Trusted Root");
    let mut ca = MeshCa::new("Review5 CA");
    ca.params.key_identifier_method = KeyIdMethod::PreSpecified(vec![0x55; 20]);
    let id = leaf("sixteen.test", &ca.issuer_owned(), &[]);
    let ca_cert = ca.certified_by(&untrusted);
    let revoked = SslError::new(SslErrorKind::CertificateRevoked, Some(id.leaf().clone()));
    let config = SslConfiguration::new()
        .with_ca_certificates([trusted.self_signed()])
        .with_revocation_lists([list_of(&ca, &[id.leaf()])]);
    let mut seen = Vec::new();
    for impostors in [3, 15, 16, 17, 40] {
        let mut chain = id.chain.clone();
        chain.extend((0..impostors).map(|_| impostor_of(&ca, &trusted)));
        chain.push(ca_cert.clone());
        let started = std::time::Instant::now();
        let errors = config.verify_chain(&chain, Some("sixteen.test"));
        println!(
            "{impostors} impostors: verify_chain took {:?}, {} errors",
            started.elapsed(),
            errors.len()
        );
        // What a client that lets the application decide records.
        let query = config
            .clone()
            .with_peer_verify_mode(PeerVerifyMode::QueryPeer);
        let server =
            SslConfiguration::new().with_local_identity(Identity::new(chain.clone(), id.key()));
        let recorded = common::connect(&query, &server, "sixteen.test")
            .client
            .map(|state| state.peer_verification_errors().contains(&revoked));
        // Expecting everything said, and more, admits nothing.
        let mut expected = errors.clone();
        expected.extend(chain.iter().flat_map(|c| {
            [
                SslErrorKind::UnableToGetRevocationList,
                SslErrorKind::CertificateSignatureFailed,
                SslErrorKind::UnableToGetLocalIssuerCertificate,
            ]
            .map(|kind| SslError::new(kind, Some(c.clone())))
        }));
        let expecting = config.clone().with_expected_ssl_errors(expected);
        let admitted = common::connect(&expecting, &server, "sixteen.test")
            .client
            .is_ok();
        seen.push((
            impostors,
            errors.contains(&revoked),
            recorded.map_err(|e| e.to_string()),
            admitted,
        ));
    }
    let expected: Vec<_> = seen
        .iter()
        .map(|(n, ..)| (*n, true, Ok(true), false))
        .collect();
    assert_eq!(
        seen, expected,
        "(impostors, verify_chain says revoked, QueryPeer records revoked, admitted when \
         everything is expected)"
    );
}
