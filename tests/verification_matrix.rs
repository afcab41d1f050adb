//! The verification matrix, badssl-style with certificates made at test time:
//! for each fault, `VerifyPeer` refuses the handshake with the right
//! `SslErrorKind` naming the right certificate, `QueryPeer` and `VerifyNone`
//! connect and report the same errors in `peer_verification_errors()`, and
//! `SslConfiguration::verify_chain` finds the same thing outside a handshake.
//! TESTING.md's "Verification matrix" section is the table of these cases.

mod common;

use common::{Authority, Identity, LeafSpec};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls_pki_types::PrivateKeyDer;
use sslconf::{Certificate, PeerVerifyMode, PrivateKey, SslConfiguration, SslError, SslErrorKind};

const HOST: &str = "localhost";

/// A certificate chain (leaf first) and its key: `common::Identity`, or one
/// made here with rcgen directly.
struct Peer {
    chain: Vec<Certificate>,
    key_der: Vec<u8>,
}

impl Peer {
    fn key(&self) -> PrivateKey {
        PrivateKey::from_der(&self.key_der).unwrap()
    }

    fn leaf(&self) -> &Certificate {
        &self.chain[0]
    }

    fn server(&self) -> SslConfiguration {
        SslConfiguration::new()
            .with_local_identity(sslconf::Identity::new(self.chain.clone(), self.key()))
    }
}

impl From<Identity> for Peer {
    fn from(identity: Identity) -> Self {
        let key = identity.key().as_rustls().clone_key();
        let key_der = match &key {
            PrivateKeyDer::Pkcs8(k) => k.secret_pkcs8_der().to_vec(),
            other => panic!("unexpected key format {other:?}"),
        };
        Peer {
            chain: identity.chain,
            key_der,
        }
    }
}

/// One row of the matrix: a peer presenting `identity`, a verifier trusting
/// `trusted` with `depth`, connecting to `host`, must find exactly one
/// `kind` naming `named`.
struct Case {
    identity: Peer,
    trusted: Certificate,
    depth: u32,
    host: &'static str,
    kind: SslErrorKind,
    named: Certificate,
}

impl Case {
    /// A verifier's configuration for this case.
    fn verifier(&self, mode: PeerVerifyMode) -> SslConfiguration {
        SslConfiguration::new()
            .with_ca_certificates([self.trusted.clone()])
            .with_peer_verify_depth(self.depth)
            .with_peer_verify_mode(mode)
    }

    /// Checks that `errors` is exactly this case's error, naming its certificate.
    #[track_caller]
    fn assert_found(&self, errors: &[SslError], context: &str) {
        let found: Vec<(SslErrorKind, Option<String>)> = errors
            .iter()
            .map(|e| (e.kind(), e.certificate().map(|c| c.subject_display_name())))
            .collect();
        assert_eq!(
            found,
            [(self.kind, Some(self.named.subject_display_name()))],
            "{context}: kinds and named certificates"
        );
        assert_eq!(
            errors[0].certificate(),
            Some(&self.named),
            "{context}: the named certificate itself"
        );
    }

    /// A client verifying a server that presents the case's identity.
    fn check_client_side(&self) {
        let server = self.identity.server();

        let refused = common::connect(
            &self.verifier(PeerVerifyMode::VerifyPeer),
            &server,
            self.host,
        );
        let err = refused
            .client
            .expect_err("VerifyPeer must refuse the server");
        self.assert_found(err.ssl_errors(), "VerifyPeer connect error");
        assert!(
            refused.server.is_err(),
            "the server must see the handshake fail"
        );

        for mode in [PeerVerifyMode::QueryPeer, PeerVerifyMode::VerifyNone] {
            let (client, _) = common::connect(&self.verifier(mode), &server, self.host).ok();
            assert_eq!(
                client.peer_certificate_chain(),
                self.identity.chain.as_slice(),
                "{mode:?}: the chain the server sent"
            );
            self.assert_found(
                client.peer_verification_errors(),
                &format!("{mode:?} peer_verification_errors"),
            );
        }

        self.assert_found(
            &self
                .verifier(PeerVerifyMode::VerifyPeer)
                .verify_chain(&self.identity.chain, Some(self.host)),
            "verify_chain",
        );
    }

    /// A server verifying a client that presents the case's identity. The
    /// server itself has a valid certificate the client trusts.
    fn check_server_side(&self) {
        let ca = Authority::root("Matrix Server Root");
        let server_id = ca.leaf(HOST);
        let client = SslConfiguration::new()
            .with_ca_certificates([ca.cert.clone()])
            .with_local_identity(sslconf::Identity::new(
                self.identity.chain.clone(),
                self.identity.key(),
            ));
        let server = |mode| {
            server_id
                .server()
                .with_ca_certificates([self.trusted.clone()])
                .with_peer_verify_depth(self.depth)
                .with_peer_verify_mode(mode)
        };

        let refused = common::connect(&client, &server(PeerVerifyMode::VerifyPeer), HOST);
        let err = refused
            .server
            .expect_err("VerifyPeer must refuse the client");
        self.assert_found(err.ssl_errors(), "VerifyPeer accept error");
        assert!(
            refused.client.is_err(),
            "the client must see the handshake fail"
        );

        let (_, state) = common::connect(&client, &server(PeerVerifyMode::QueryPeer), HOST).ok();
        assert_eq!(
            state.peer_certificate_chain(),
            self.identity.chain.as_slice()
        );
        self.assert_found(
            state.peer_verification_errors(),
            "QueryPeer peer_verification_errors",
        );

        // A VerifyNone server asks for no certificate (as Qt's does), so there
        // is nothing to verify and nothing to report.
        let (_, state) = common::connect(&client, &server(PeerVerifyMode::VerifyNone), HOST).ok();
        assert!(state.peer_certificate().is_none());
        assert!(state.peer_verification_errors().is_empty());
    }

    /// `verify_chain` only (the host name given when the case has one).
    fn check_verify_chain(&self) {
        let errors = self
            .verifier(PeerVerifyMode::VerifyPeer)
            .verify_chain(&self.identity.chain, Some(self.host));
        self.assert_found(&errors, "verify_chain");
    }
}

fn root() -> Authority {
    Authority::root("Matrix Root")
}

/// A case whose leaf is issued by `ca` (trusted) from `spec`.
fn leaf_case(spec: LeafSpec, host: &'static str, kind: SslErrorKind) -> Case {
    let ca = root();
    let identity = Peer::from(ca.issue(&spec));
    Case {
        named: identity.leaf().clone(),
        identity,
        trusted: ca.cert,
        depth: 0,
        host,
        kind,
    }
}

fn expired() -> Case {
    leaf_case(
        LeafSpec::new(HOST).validity(-30, -1),
        HOST,
        SslErrorKind::CertificateExpired,
    )
}

fn not_yet_valid() -> Case {
    leaf_case(
        LeafSpec::new(HOST).validity(1, 30),
        HOST,
        SslErrorKind::CertificateNotYetValid,
    )
}

fn wrong_host() -> Case {
    leaf_case(
        LeafSpec::new(HOST),
        "wrong.host.test",
        SslErrorKind::HostNameMismatch,
    )
}

fn wrong_eku_for_server() -> Case {
    leaf_case(
        LeafSpec::new(HOST).eku(vec![ExtendedKeyUsagePurpose::ClientAuth]),
        HOST,
        SslErrorKind::InvalidPurpose,
    )
}

fn wrong_eku_for_client() -> Case {
    leaf_case(
        LeafSpec::new(HOST).eku(vec![ExtendedKeyUsagePurpose::ServerAuth]),
        HOST,
        SslErrorKind::InvalidPurpose,
    )
}

fn ca_as_leaf() -> Case {
    leaf_case(LeafSpec::new(HOST).ca(), HOST, SslErrorKind::InvalidPurpose)
}

fn self_signed() -> Case {
    let identity = Peer::from(common::self_signed(HOST));
    Case {
        named: identity.leaf().clone(),
        identity,
        trusted: root().cert,
        depth: 0,
        host: HOST,
        kind: SslErrorKind::SelfSignedCertificate,
    }
}

/// A leaf whose issuer is neither trusted nor sent.
fn unknown_issuer() -> Case {
    let identity = Peer::from(Authority::root("Stranger Root").leaf(HOST));
    Case {
        named: identity.leaf().clone(),
        identity,
        trusted: root().cert,
        depth: 0,
        host: HOST,
        kind: SslErrorKind::UnableToGetLocalIssuerCertificate,
    }
}

/// A leaf signed by an impostor with the trusted root's name but another
/// key, naming no key identifier: the root is its issuer by name, and the
/// signature fails (OpenSSL: "certificate signature failure"). With the
/// impostor's key identifier, see `a_foreign_authority_key_identifier_means_no_issuer`.
fn bad_signature() -> Case {
    impostor_signed(false)
}

/// A chain that ends in a self-signed root nobody trusts.
fn untrusted_root() -> Case {
    let stranger = Authority::root("Stranger Root");
    let mut identity = Peer::from(stranger.leaf(HOST));
    identity.chain.push(stranger.cert.clone());
    Case {
        identity,
        trusted: root().cert,
        depth: 0,
        host: HOST,
        kind: SslErrorKind::SelfSignedCertificateInChain,
        named: stranger.cert,
    }
}

/// The leaf is issued by an intermediate of the trusted root, but the peer
/// sends the leaf alone.
fn missing_intermediate() -> Case {
    let ca = root();
    let intermediate = ca.intermediate("Matrix Intermediate");
    let identity = Peer::from(intermediate.leaf(HOST));
    Case {
        named: identity.leaf().clone(),
        identity,
        trusted: ca.cert,
        depth: 0,
        host: HOST,
        kind: SslErrorKind::UnableToGetLocalIssuerCertificate,
    }
}

/// leaf → lower → upper → root has two intermediate CAs; depth 1 allows one.
fn path_too_long() -> Case {
    let ca = root();
    let upper = ca.intermediate("Matrix Upper");
    let lower = upper.intermediate("Matrix Lower");
    let identity = Peer::from(lower.leaf_with_chain(HOST, &[&lower, &upper]));
    Case {
        named: identity.leaf().clone(),
        identity,
        trusted: ca.cert,
        depth: 1,
        host: HOST,
        kind: SslErrorKind::PathLengthExceeded,
    }
}

fn days(n: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::days(n)
}

/// root → intermediate → leaf made with rcgen directly (`Authority` only makes
/// real CAs valid now): the intermediate has `is_ca` and is valid from
/// `from_days` to `to_days`. Returns the root, the intermediate, and the peer
/// (leaf and intermediate).
fn custom_chain(is_ca: IsCa, from_days: i64, to_days: i64) -> (Certificate, Certificate, Peer) {
    let root_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut root_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    root_params
        .distinguished_name
        .push(DnType::CommonName, "Matrix Root");
    root_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    root_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    root_params.not_before = days(-400);
    root_params.not_after = days(365);
    let root_der = root_params.self_signed(&root_key).unwrap();
    let root_issuer = Issuer::new(root_params, root_key);

    let int_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut int_params = CertificateParams::new(vec!["intermediate.test".to_owned()]).unwrap();
    int_params
        .distinguished_name
        .push(DnType::CommonName, "Matrix Custom Intermediate");
    if matches!(is_ca, IsCa::Ca(_)) {
        int_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    }
    int_params.is_ca = is_ca;
    int_params.not_before = days(from_days);
    int_params.not_after = days(to_days);
    int_params.use_authority_key_identifier_extension = true;
    let int_der = int_params.signed_by(&int_key, &root_issuer).unwrap();
    let int_issuer = Issuer::new(int_params, int_key);

    let leaf_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut leaf_params = CertificateParams::new(vec![HOST.to_owned()]).unwrap();
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, HOST);
    leaf_params.not_before = days(-300);
    leaf_params.not_after = days(30);
    leaf_params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    leaf_params.use_authority_key_identifier_extension = true;
    let leaf_der = leaf_params.signed_by(&leaf_key, &int_issuer).unwrap();

    let intermediate = Certificate::from_der(int_der.der()).unwrap();
    let peer = Peer {
        chain: vec![
            Certificate::from_der(leaf_der.der()).unwrap(),
            intermediate.clone(),
        ],
        key_der: leaf_key.serialize_der(),
    };
    (
        Certificate::from_der(root_der.der()).unwrap(),
        intermediate,
        peer,
    )
}

/// The leaf is signed by an "intermediate" whose basic constraints say it is
/// no CA.
fn intermediate_not_a_ca() -> Case {
    let (root, not_ca, identity) = custom_chain(IsCa::ExplicitNoCa, -2, 365);
    assert!(!not_ca.is_ca());
    Case {
        identity,
        trusted: root,
        depth: 0,
        host: HOST,
        kind: SslErrorKind::InvalidCaCertificate,
        named: not_ca,
    }
}

/// A valid leaf whose intermediate has expired: the error names the intermediate.
fn expired_intermediate() -> Case {
    let (root, intermediate, identity) =
        custom_chain(IsCa::Ca(BasicConstraints::Unconstrained), -350, -1);
    Case {
        identity,
        trusted: root,
        depth: 0,
        host: HOST,
        kind: SslErrorKind::CertificateExpired,
        named: intermediate,
    }
}

// ---- a server's certificate, checked by our client ----

#[test]
fn client_refuses_expired() {
    expired().check_client_side();
}

#[test]
fn client_refuses_not_yet_valid() {
    not_yet_valid().check_client_side();
}

#[test]
fn client_refuses_wrong_host() {
    wrong_host().check_client_side();
}

#[test]
fn client_refuses_self_signed() {
    self_signed().check_client_side();
}

#[test]
fn client_refuses_unknown_issuer() {
    unknown_issuer().check_client_side();
}

#[test]
fn client_refuses_bad_signature() {
    bad_signature().check_client_side();
}

#[test]
fn client_refuses_untrusted_root() {
    untrusted_root().check_client_side();
}

#[test]
fn client_refuses_missing_intermediate() {
    missing_intermediate().check_client_side();
}

#[test]
fn client_refuses_intermediate_not_a_ca() {
    intermediate_not_a_ca().check_client_side();
}

#[test]
fn client_refuses_expired_intermediate() {
    expired_intermediate().check_client_side();
}

#[test]
fn client_refuses_client_auth_only_certificate() {
    wrong_eku_for_server().check_client_side();
}

#[test]
fn client_refuses_ca_certificate_as_leaf() {
    ca_as_leaf().check_client_side();
}

#[test]
fn client_refuses_path_longer_than_depth() {
    path_too_long().check_client_side();
}

// ---- a client's certificate, checked by our server ----

#[test]
fn server_refuses_client_from_another_ca() {
    unknown_issuer().check_server_side();
}

#[test]
fn server_refuses_expired_client() {
    expired().check_server_side();
}

#[test]
fn server_refuses_server_auth_only_client() {
    wrong_eku_for_client().check_server_side();
}

#[test]
fn server_refuses_client_path_longer_than_depth() {
    path_too_long().check_server_side();
}

// ---- verify_chain outside a handshake ----

#[test]
fn verify_chain_expired() {
    expired().check_verify_chain();
}

#[test]
fn verify_chain_not_yet_valid() {
    not_yet_valid().check_verify_chain();
}

#[test]
fn verify_chain_wrong_host_name() {
    wrong_host().check_verify_chain();
}

#[test]
fn verify_chain_self_signed_leaf() {
    self_signed().check_verify_chain();
}

#[test]
fn verify_chain_unknown_issuer() {
    unknown_issuer().check_verify_chain();
}

#[test]
fn verify_chain_bad_signature() {
    bad_signature().check_verify_chain();
}

#[test]
fn verify_chain_untrusted_root() {
    untrusted_root().check_verify_chain();
}

#[test]
fn verify_chain_missing_intermediate() {
    missing_intermediate().check_verify_chain();
}

#[test]
fn verify_chain_intermediate_not_a_ca() {
    intermediate_not_a_ca().check_verify_chain();
}

#[test]
fn verify_chain_expired_intermediate() {
    expired_intermediate().check_verify_chain();
}

/// An empty list is what Qt's `QSslCertificate::verify` calls
/// `UnspecifiedError`; a handshake without a certificate stays
/// `NoPeerCertificate`.
#[test]
fn verify_chain_no_certificate() {
    let errors = SslConfiguration::new()
        .with_ca_certificates([root().cert])
        .verify_chain(&[], Some(HOST));
    assert_eq!(
        errors,
        [SslError::new(SslErrorKind::UnspecifiedError, None)]
    );
    assert_eq!(errors[0].detail(), Some("the certificate chain is empty"));
}

/// Qt's way to trust one self-signed certificate: add it to the CA
/// certificates. It then verifies, in a handshake and outside one.
#[test]
fn a_pinned_self_signed_certificate_verifies() {
    let identity = Peer::from(common::self_signed(HOST));
    let client = SslConfiguration::new().with_ca_certificates([identity.leaf().clone()]);
    assert!(client.verify_chain(&identity.chain, Some(HOST)).is_empty());
    let (c, _) = common::connect(&client, &identity.server(), HOST).ok();
    assert_eq!(c.peer_certificate(), Some(identity.leaf()));
}

#[test]
fn verify_chain_ca_used_as_leaf() {
    ca_as_leaf().check_verify_chain();
}

#[test]
fn verify_chain_wrong_extended_key_usage() {
    wrong_eku_for_server().check_verify_chain();
}

#[test]
fn verify_chain_path_too_long() {
    path_too_long().check_verify_chain();
}

/// The control row: a valid chain verifies in every mode and reports nothing,
/// so the refusals above are the faults' doing.
#[test]
fn a_valid_chain_passes_everywhere() {
    let ca = root();
    let intermediate = ca.intermediate("Matrix Intermediate");
    let identity = intermediate.leaf_with_chain(HOST, &[&intermediate]);
    let trusting = SslConfiguration::new()
        .with_ca_certificates([ca.cert.clone()])
        .with_peer_verify_depth(1);
    assert!(trusting
        .verify_chain(&identity.chain, Some(HOST))
        .is_empty());
    for mode in [
        PeerVerifyMode::VerifyPeer,
        PeerVerifyMode::QueryPeer,
        PeerVerifyMode::VerifyNone,
    ] {
        let client = trusting.clone().with_peer_verify_mode(mode);
        let (c, _) = common::connect(&client, &identity.server(), HOST).ok();
        assert!(c.peer_verification_errors().is_empty(), "{mode:?}");
        assert_eq!(c.peer_certificate_chain(), identity.chain.as_slice());
    }
    let client = SslConfiguration::new()
        .with_ca_certificates([ca.cert.clone()])
        .with_local_identity(sslconf::Identity::new(
            identity.chain.clone(),
            identity.key(),
        ));
    for mode in [PeerVerifyMode::VerifyPeer, PeerVerifyMode::QueryPeer] {
        let server = identity
            .server()
            .with_ca_certificates([ca.cert.clone()])
            .with_peer_verify_depth(1)
            .with_peer_verify_mode(mode);
        let (_, s) = common::connect(&client, &server, HOST).ok();
        assert_eq!(s.peer_certificate_chain(), identity.chain.as_slice());
        assert!(s.peer_verification_errors().is_empty(), "{mode:?}");
    }
}

/// Two faults at once are both reported, in OpenSSL's order (validity first,
/// then the host name), by every mode and by `verify_chain`.
#[test]
fn several_faults_are_all_reported() {
    let case = expired();
    let expected = [
        (SslErrorKind::CertificateExpired, case.named.clone()),
        (SslErrorKind::HostNameMismatch, case.named.clone()),
    ];
    let found = |errors: &[SslError]| -> Vec<(SslErrorKind, Certificate)> {
        errors
            .iter()
            .map(|e| {
                (
                    e.kind(),
                    e.certificate().expect("names a certificate").clone(),
                )
            })
            .collect()
    };
    let host = "wrong.host.test";
    let server = case.identity.server();

    let err = common::connect(&case.verifier(PeerVerifyMode::VerifyPeer), &server, host)
        .client
        .unwrap_err();
    assert_eq!(found(err.ssl_errors()), expected);
    for mode in [PeerVerifyMode::QueryPeer, PeerVerifyMode::VerifyNone] {
        let (c, _) = common::connect(&case.verifier(mode), &server, host).ok();
        assert_eq!(found(c.peer_verification_errors()), expected, "{mode:?}");
    }
    let errors = case
        .verifier(PeerVerifyMode::VerifyPeer)
        .verify_chain(&case.identity.chain, Some(host));
    assert_eq!(found(&errors), expected);
}

/// A server that also sends a certificate outside the verified path (as
/// servers did with the expired DST Root CA X3 cross-sign): VerifyPeer
/// accepts it, so QueryPeer and `verify_chain` must not report it either.
#[test]
fn an_expired_certificate_outside_the_path_is_not_an_error() {
    let ca = root();
    let intermediate = ca.intermediate("Matrix Intermediate");
    let mut identity = Peer::from(intermediate.leaf_with_chain(HOST, &[&intermediate]));
    let (_, expired_extra, _) = custom_chain(IsCa::Ca(BasicConstraints::Unconstrained), -350, -1);
    identity.chain.push(expired_extra);
    let verifier = |mode| {
        SslConfiguration::new()
            .with_ca_certificates([ca.cert.clone()])
            .with_peer_verify_mode(mode)
    };
    let (c, _) = common::connect(
        &verifier(PeerVerifyMode::VerifyPeer),
        &identity.server(),
        HOST,
    )
    .ok();
    assert_eq!(c.peer_certificate_chain().len(), 3);
    let (c, _) = common::connect(
        &verifier(PeerVerifyMode::QueryPeer),
        &identity.server(),
        HOST,
    )
    .ok();
    assert_eq!(c.peer_verification_errors(), []);
    assert_eq!(
        verifier(PeerVerifyMode::VerifyPeer).verify_chain(&identity.chain, Some(HOST)),
        []
    );
}

/// `connect` takes an IPv6 address in brackets; the reported errors must
/// agree with the handshake's verdict for it.
#[test]
fn a_bracketed_ipv6_host_is_checked_as_the_handshake_checks_it() {
    let ca = root();
    let identity = Peer::from(ca.leaf("::1"));
    let verifier = |mode| {
        SslConfiguration::new()
            .with_ca_certificates([ca.cert.clone()])
            .with_peer_verify_mode(mode)
    };
    common::connect(
        &verifier(PeerVerifyMode::VerifyPeer),
        &identity.server(),
        "[::1]",
    )
    .ok();
    let (c, _) = common::connect(
        &verifier(PeerVerifyMode::QueryPeer),
        &identity.server(),
        "[::1]",
    )
    .ok();
    assert_eq!(c.peer_verification_errors(), []);
}

// ---- OpenSSL's verdict on the same input ----
//
// Each case below is also given to `openssl verify` (trusting the case's
// root, the rest of the chain as `-untrusted`, with the purpose and host
// name the handshake checks), and the test states what it says.

use common::openssl::{self as ossl, Verdict};
use sslconf::{Error, SslProtocol};

/// `-verify_ip` for an IP address, `-verify_hostname` for a name.
fn host_args(host: &str) -> [&str; 2] {
    if host.parse::<std::net::IpAddr>().is_ok() {
        ["-verify_ip", host]
    } else {
        ["-verify_hostname", host]
    }
}

/// What `openssl verify` says of `chain` trusting `trusted`, for a TLS server
/// (`-purpose sslserver` and the host name when given) or a TLS client
/// (`-purpose sslclient`).
fn openssl_verdict(
    trusted: &Certificate,
    chain: &[Certificate],
    purpose: &str,
    host: Option<&str>,
    depth: u32,
) -> Verdict {
    let depth_text = depth.to_string();
    let mut args = vec!["-purpose", purpose];
    if let Some(host) = host {
        args.extend(host_args(host));
    }
    if depth > 0 {
        args.extend(["-verify_depth", depth_text.as_str()]);
    }
    ossl::verify(std::slice::from_ref(trusted), chain, &args)
}

/// Checks OpenSSL's verdict: exactly `expected` as `(number, depth, text)`,
/// and "OK" only when that is empty.
#[track_caller]
fn assert_openssl(verdict: &Verdict, expected: &[(u32, u32, &str)]) {
    assert_eq!(verdict.errors(), expected, "{}", verdict.output);
    assert_eq!(verdict.ok, expected.is_empty(), "{}", verdict.output);
}

impl Case {
    /// OpenSSL on this case's chain as a server's, with the case's host name.
    fn openssl_as_server(&self) -> Verdict {
        openssl_verdict(
            &self.trusted,
            &self.identity.chain,
            "sslserver",
            Some(self.host),
            self.depth,
        )
    }

    /// OpenSSL on this case's chain as a client's.
    fn openssl_as_client(&self) -> Verdict {
        openssl_verdict(
            &self.trusted,
            &self.identity.chain,
            "sslclient",
            None,
            self.depth,
        )
    }
}

/// A chain that is valid for `host`: `verify_chain` finds nothing; a
/// VerifyPeer client connects to a server presenting it and a QueryPeer one
/// reports nothing; a VerifyPeer server accepts it from a client.
fn check_passes(identity: &Peer, trusted: &Certificate, host: &str) {
    let verifier = |mode| {
        SslConfiguration::new()
            .with_ca_certificates([trusted.clone()])
            .with_peer_verify_mode(mode)
    };
    assert_eq!(
        verifier(PeerVerifyMode::VerifyPeer).verify_chain(&identity.chain, Some(host)),
        [],
        "verify_chain for {host:?}"
    );
    for mode in [PeerVerifyMode::VerifyPeer, PeerVerifyMode::QueryPeer] {
        let (c, _) = common::connect(&verifier(mode), &identity.server(), host).ok();
        assert_eq!(c.peer_certificate_chain(), identity.chain.as_slice());
        assert_eq!(c.peer_verification_errors(), [], "{mode:?} for {host:?}");
    }
}

// -- name constraints on an intermediate --

fn dns_constraints(permitted: &[&str], excluded: &[&str]) -> rcgen::NameConstraints {
    let subtrees = |names: &[&str]| {
        names
            .iter()
            .map(|n| rcgen::GeneralSubtree::DnsName((*n).to_owned()))
            .collect()
    };
    rcgen::NameConstraints {
        permitted_subtrees: subtrees(permitted),
        excluded_subtrees: subtrees(excluded),
    }
}

/// root → intermediate with `constraints` → leaf for `name`; the peer sends
/// the leaf and the intermediate.
fn constrained_case(constraints: rcgen::NameConstraints, name: &'static str) -> Case {
    let ca = root();
    let intermediate = ca.constrained_intermediate("Matrix Constrained", constraints);
    let identity = Peer::from(intermediate.leaf_with_self(name));
    Case {
        named: identity.leaf().clone(),
        identity,
        trusted: ca.cert,
        depth: 0,
        host: name,
        kind: SslErrorKind::NameConstraintViolation,
    }
}

fn outside_permitted_subtree() -> Case {
    constrained_case(dns_constraints(&["example.com"], &[]), "a.example.org")
}

fn inside_excluded_subtree() -> Case {
    constrained_case(
        dns_constraints(&[], &["bad.example.com"]),
        "x.bad.example.com",
    )
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn name_constraints_permit_a_leaf_inside_the_subtree() {
    let case = constrained_case(dns_constraints(&["example.com"], &[]), "a.example.com");
    check_passes(&case.identity, &case.trusted, case.host);
    // And as a client's certificate.
    let server = Peer::from(Authority::root("Matrix Server Root").leaf(HOST))
        .server()
        .with_ca_certificates([case.trusted.clone()])
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer);
    let client = SslConfiguration::new()
        .with_peer_verify_mode(PeerVerifyMode::VerifyNone)
        .with_local_identity(sslconf::Identity::new(
            case.identity.chain.clone(),
            case.identity.key(),
        ));
    let (_, s) = common::connect(&client, &server, HOST).ok();
    assert_eq!(s.peer_verification_errors(), []);
    if common::peer_available("openssl") {
        assert_openssl(&case.openssl_as_server(), &[]);
        assert_openssl(&case.openssl_as_client(), &[]);
    }
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn name_constraints_refuse_a_leaf_outside_the_permitted_subtree() {
    let case = outside_permitted_subtree();
    case.check_client_side();
    case.check_server_side();
    if common::peer_available("openssl") {
        let refused = [(47, 0, "permitted subtree violation")];
        assert_openssl(&case.openssl_as_server(), &refused);
        assert_openssl(&case.openssl_as_client(), &refused);
    }
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn name_constraints_refuse_a_leaf_inside_an_excluded_subtree() {
    let case = inside_excluded_subtree();
    case.check_client_side();
    case.check_server_side();
    if common::peer_available("openssl") {
        let refused = [(48, 0, "excluded subtree violation")];
        assert_openssl(&case.openssl_as_server(), &refused);
        assert_openssl(&case.openssl_as_client(), &refused);
    }
}

// -- signature algorithms rustls does not take --

/// A leaf for `HOST` signed by the trusted root with SHA-1
/// (ecdsa-with-SHA1), by `openssl x509 -req -sha1`: rcgen cannot sign SHA-1.
fn sha1_signed_leaf(kind: SslErrorKind) -> Case {
    let ca = root();
    let (key_der, key_pem) = common::new_key_pair();
    let leaf = ossl::issue_leaf(&ca.cert, &ca.key_pem(), &key_pem, HOST, "sha1");
    Case {
        named: leaf.clone(),
        identity: Peer {
            chain: vec![leaf],
            key_der,
        },
        trusted: ca.cert,
        depth: 0,
        host: HOST,
        kind,
    }
}

/// rustls-webpki has no SHA-1 signature algorithm, on purpose. Plain
/// `openssl verify` checks no security level and accepts the chain; at
/// `-auth_level 1`, the level libssl applies to a handshake's chain at
/// OpenSSL 3's default security level 1 (so what OpenSSL-backed Qt does), it
/// refuses it too, as "CA signature digest algorithm too weak".
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_sha1_signed_leaf_is_refused_where_openssl_accepts_it() {
    if !common::peer_available("openssl") {
        return;
    }
    let case = sha1_signed_leaf(SslErrorKind::UnsupportedSignatureAlgorithm);
    case.check_client_side();
    case.check_server_side();
    assert_openssl(&case.openssl_as_server(), &[]);
    assert_openssl(&case.openssl_as_client(), &[]);
    let too_weak = [(68, 0, "CA signature digest algorithm too weak")];
    for purpose in ["sslserver", "sslclient"] {
        let verdict = ossl::verify(
            std::slice::from_ref(&case.trusted),
            &case.identity.chain,
            &["-purpose", purpose, "-auth_level", "1"],
        );
        assert_openssl(&verdict, &too_weak);
    }
}

/// A leaf whose key is on brainpoolP256r1, signed by the trusted (P-256)
/// root with ECDSA-SHA256. The chain's signatures are all P-256, so the
/// chain verifies, for the crate as for OpenSSL; the key itself is refused
/// when read (rustls cannot sign with it), so no handshake can use it.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_brainpool_leaf_key_verifies_but_cannot_serve() {
    if !common::peer_available("openssl") {
        return;
    }
    let ca = root();
    let key_pem = ossl::genpkey_curve("brainpoolP256r1");
    let leaf = ossl::issue_leaf(&ca.cert, &ca.key_pem(), &key_pem, HOST, "sha256");
    let chain = [leaf];
    let verifier = SslConfiguration::new().with_ca_certificates([ca.cert.clone()]);
    assert_eq!(verifier.verify_chain(&chain, Some(HOST)), []);
    assert_openssl(
        &openssl_verdict(&ca.cert, &chain, "sslserver", Some(HOST), 0),
        &[],
    );
    assert_openssl(
        &openssl_verdict(&ca.cert, &chain, "sslclient", None, 0),
        &[],
    );
    // The key is refused when read, naming the curve.
    let reason = ossl::expect_invalid_key(
        PrivateKey::from_pem(key_pem.as_bytes()),
        "PEM input",
        "a brainpoolP256r1 key",
    );
    assert!(
        reason.contains("unsupported elliptic curve 1.3.36.3.3.2.8.1.1.7"),
        "{reason}"
    );
}

/// A leaf signed (ECDSA-SHA256) by a root whose key is on brainpoolP256r1:
/// webpki cannot check the signature.
fn brainpool_signed_leaf(kind: SslErrorKind) -> Case {
    let root_key = ossl::genpkey_curve("brainpoolP256r1");
    let root = ossl::self_signed_ca(&root_key, "Matrix Brainpool Root");
    let (key_der, key_pem) = common::new_key_pair();
    let leaf = ossl::issue_leaf(&root, &root_key, &key_pem, HOST, "sha256");
    Case {
        named: leaf.clone(),
        identity: Peer {
            chain: vec![leaf],
            key_der,
        },
        trusted: root,
        depth: 0,
        host: HOST,
        kind,
    }
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_leaf_signed_with_a_brainpool_key_is_refused_where_openssl_accepts_it() {
    if !common::peer_available("openssl") {
        return;
    }
    let case = brainpool_signed_leaf(SslErrorKind::UnsupportedSignatureAlgorithm);
    case.check_client_side();
    case.check_server_side();
    assert_openssl(&case.openssl_as_server(), &[]);
    assert_openssl(&case.openssl_as_client(), &[]);
}

// -- host names --

/// A case whose leaf is for `name` (CN and SAN), connected to as `host`.
fn host_case(name: &str, host: &'static str) -> Case {
    let ca = root();
    let identity = Peer::from(ca.leaf(name));
    Case {
        named: identity.leaf().clone(),
        identity,
        trusted: ca.cert,
        depth: 0,
        host,
        kind: SslErrorKind::HostNameMismatch,
    }
}

/// A host name that matches: the crate and OpenSSL both accept it.
fn check_host_matches(name: &str, host: &'static str) {
    let case = host_case(name, host);
    check_passes(&case.identity, &case.trusted, host);
    if common::peer_available("openssl") {
        assert_openssl(&case.openssl_as_server(), &[]);
    }
}

/// A host name that does not match: refused as `HostNameMismatch` by the
/// crate, as `expected` by OpenSSL.
fn check_host_mismatch(name: &str, host: &'static str, expected: (u32, u32, &str)) {
    let case = host_case(name, host);
    if common::peer_available("openssl") {
        assert_openssl(&case.openssl_as_server(), &[expected]);
    }
    case.check_client_side();
}

const HOSTNAME_MISMATCH: (u32, u32, &str) = (62, 0, "hostname mismatch");

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_wildcard_matches_one_label() {
    check_host_matches("*.example.com", "a.example.com");
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_wildcard_does_not_match_two_labels() {
    check_host_mismatch("*.example.com", "a.b.example.com", HOSTNAME_MISMATCH);
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_wildcard_does_not_match_the_bare_domain() {
    check_host_mismatch("*.example.com", "example.com", HOSTNAME_MISMATCH);
}

/// A documented difference: OpenSSL's `X509_check_host` takes the reference
/// name as given, so a trailing dot is one more character and the name does
/// not match; Qt's own check (`QSslSocketPrivate::isMatchingHostname`,
/// `QUrl::toAce(peerName)` with the dot kept) does not match it either.
/// rustls-webpki, like browsers, reads `host.example.com.` as the absolute
/// form of the same DNS name and matches it (and rustls sends the SNI
/// without the dot): the certificate certifies that very host, so accepting
/// trusts nothing the user did not write. See TESTING.md.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_trailing_dot_host_name() {
    let case = host_case("host.example.com", "host.example.com.");
    check_passes(&case.identity, &case.trusted, "host.example.com.");
    if common::peer_available("openssl") {
        assert_openssl(&case.openssl_as_server(), &[HOSTNAME_MISMATCH]);
    }
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn host_names_match_without_regard_to_case() {
    check_host_matches("host.example.com", "HOST.EXAMPLE.COM");
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn an_ipv6_address_must_be_the_certificates() {
    check_host_mismatch("::2", "::1", (64, 0, "IP address mismatch"));
}

/// An internationalized name is given and certified as its A-label.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn an_idn_a_label_matches_the_same_a_label() {
    check_host_matches("xn--bcher-kva.example", "xn--bcher-kva.example");
}

/// An empty host name matches no certificate: `verify_chain` reports the
/// mismatch and `connect` refuses the name before any handshake. (OpenSSL's
/// `-verify_hostname ""` sets no name at all, so it checks none and says OK:
/// not the same question.)
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn an_empty_host_name() {
    let case = host_case(HOST, "");
    case.check_verify_chain();
    let client = case.verifier(PeerVerifyMode::VerifyPeer);
    let socket = std::io::Cursor::new(Vec::<u8>::new());
    match client.connect("", socket) {
        Err(Error::InvalidHostName { name }) => assert_eq!(name, ""),
        Err(other) => panic!("expected InvalidHostName, got {other:?}"),
        Ok(_) => panic!("connect(\"\") must fail"),
    }
    if common::peer_available("openssl") {
        assert_openssl(&case.openssl_as_server(), &[]);
    }
}

// -- a client's certificate, checked by our server, and by OpenSSL as sslclient --

/// A leaf signed by an impostor that has the trusted root's name (CN and O)
/// but another key. With `key_id`, the leaf's authority key identifier is
/// the impostor's (as in `bad_signature()`); without, it has none, and the
/// name alone leads to the trusted root.
fn impostor_signed(key_id: bool) -> Case {
    let ca = root();
    let mut impostor = CertificateParams::new(Vec::<String>::new()).unwrap();
    impostor
        .distinguished_name
        .push(DnType::CommonName, "Matrix Root");
    impostor
        .distinguished_name
        .push(DnType::OrganizationName, "sslconf tests");
    impostor.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let impostor = Issuer::new(
        impostor,
        KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap(),
    );
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = CertificateParams::new(vec![HOST.to_owned()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, HOST);
    params.not_before = days(-1);
    params.not_after = days(30);
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    params.use_authority_key_identifier_extension = key_id;
    let leaf = Certificate::from_der(params.signed_by(&key, &impostor).unwrap().der()).unwrap();
    assert_eq!(leaf.issuer_display_name(), ca.cert.subject_display_name());
    Case {
        named: leaf.clone(),
        identity: Peer {
            chain: vec![leaf],
            key_der: key.serialize_der(),
        },
        trusted: ca.cert,
        depth: 0,
        host: HOST,
        kind: SslErrorKind::CertificateSignatureFailed,
    }
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn server_refuses_client_with_bad_signature() {
    let case = impostor_signed(false);
    if common::peer_available("openssl") {
        let failure = [(7, 0, "certificate signature failure")];
        assert_openssl(&case.openssl_as_client(), &failure);
        assert_openssl(&case.openssl_as_server(), &failure);
    }
    case.check_server_side();
    case.check_client_side();
}

/// The same impostor, but the leaf names the impostor's key identifier, as
/// `bad_signature()`'s does: OpenSSL then takes the trusted root for no
/// issuer of the leaf (subject key identifier differs) and says "unable to
/// get local issuer certificate"; webpki matches issuers by name only and
/// finds a bad signature. The test asserts OpenSSL's answer.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_foreign_authority_key_identifier_means_no_issuer() {
    let case = Case {
        kind: SslErrorKind::UnableToGetLocalIssuerCertificate,
        ..impostor_signed(true)
    };
    if common::peer_available("openssl") {
        let no_issuer = [(20, 0, "unable to get local issuer certificate")];
        assert_openssl(&case.openssl_as_client(), &no_issuer);
        assert_openssl(&case.openssl_as_server(), &no_issuer);
    }
    case.check_verify_chain();
    case.check_server_side();
    case.check_client_side();
}

/// webpki refuses a `CA:TRUE` leaf (`CaUsedAsEndEntity`); OpenSSL accepts it
/// as a TLS client's certificate, as it does as a server's.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn server_refuses_ca_certificate_as_client_leaf() {
    let case = ca_as_leaf();
    case.check_server_side();
    if common::peer_available("openssl") {
        assert_openssl(&case.openssl_as_client(), &[]);
    }
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn server_refuses_self_signed_client() {
    let case = self_signed();
    case.check_server_side();
    if common::peer_available("openssl") {
        assert_openssl(
            &case.openssl_as_client(),
            &[(18, 0, "self-signed certificate")],
        );
    }
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn server_refuses_not_yet_valid_client() {
    let case = not_yet_valid();
    case.check_server_side();
    if common::peer_available("openssl") {
        assert_openssl(
            &case.openssl_as_client(),
            &[(9, 0, "certificate is not yet valid")],
        );
    }
}

/// A VerifyPeer server with only the system store: refused when converted,
/// saying that a server authenticates clients against explicitly configured
/// CA certificates only.
#[test]
fn a_verifying_server_needs_explicit_ca_certificates() {
    let server = Peer::from(root().leaf(HOST))
        .server()
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer);
    let err = server
        .server_config()
        .expect_err("VerifyPeer without explicit CA certificates");
    let message = err.to_string();
    assert!(
        matches!(err, Error::NoCaCertificates { .. }),
        "expected NoCaCertificates, got {err:?}"
    );
    assert!(message.contains("ca_certificates"), "{message}");
    assert!(message.contains("explicitly configured"), "{message}");
    assert!(message.contains("system store"), "{message}");
}

// -- resumed sessions keep their verification errors --

/// A QueryPeer client connects twice with the same configuration: the
/// second session is resumed (no certificate is sent again) and still
/// reports what was wrong with the server's chain.
fn errors_survive_resumption(case: &Case) {
    for protocol in [SslProtocol::TlsV1_3, SslProtocol::TlsV1_2] {
        let client = case
            .verifier(PeerVerifyMode::QueryPeer)
            .with_protocol(protocol);
        let server = case.identity.server();
        let (first, _) = common::connect(&client, &server, case.host).ok();
        assert!(!first.is_resumed(), "{protocol:?}");
        case.assert_found(
            first.peer_verification_errors(),
            &format!("{protocol:?} first connection"),
        );
        let (second, s) = common::connect(&client, &server, case.host).ok();
        assert!(second.is_resumed(), "{protocol:?}: the second connection");
        assert!(s.is_resumed(), "{protocol:?}: the server resumed too");
        assert_eq!(
            second.peer_certificate_chain(),
            case.identity.chain.as_slice(),
            "{protocol:?}"
        );
        assert_eq!(
            second.peer_verification_errors(),
            first.peer_verification_errors(),
            "{protocol:?}: the resumed session's errors"
        );
    }
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_resumed_session_still_reports_an_expired_server() {
    let case = expired();
    errors_survive_resumption(&case);
    if common::peer_available("openssl") {
        assert_openssl(
            &case.openssl_as_server(),
            &[(10, 0, "certificate has expired")],
        );
    }
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_resumed_session_still_reports_a_self_signed_server() {
    let case = self_signed();
    errors_survive_resumption(&case);
    if common::peer_available("openssl") {
        assert_openssl(
            &case.openssl_as_server(),
            &[(18, 0, "self-signed certificate")],
        );
    }
}
