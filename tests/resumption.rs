//! Resumption is a decision too (DESIGN.md rule 2): a session resumes only
//! on a server whose acceptance policy is the one that accepted it, within
//! a lifetime counted from its first full handshake, and not past its
//! client certificate. Servers sharing ticket keys (a fleet) with different
//! policies, a server restarted with a list that revokes the client, and a
//! ticket renewed again and again, in TLS 1.2 and 1.3, through the crate's
//! `accept` and (for the policy) a raw rustls `ServerConnection` from
//! `server_config()`.

mod common;

use std::time::Duration;

use common::Authority;
use sslconf::{
    PeerVerifyMode, RevocationList, SessionState, SslConfiguration, SslProtocol, TicketKeys,
};

const HOST: &str = "localhost";
const PROTOCOLS: [SslProtocol; 2] = [SslProtocol::TlsV1_3, SslProtocol::TlsV1_2];
const KEY: [u8; 80] = [0x5a; 80];

/// A fleet: a server identity, the CA its clients' certificates come from,
/// and the ticket keys every server shares.
struct Fleet {
    ca: Authority,
    clients_ca: Authority,
    server_id: common::Identity,
}

impl Fleet {
    fn new() -> Fleet {
        let ca = Authority::root("Resumption Server CA");
        let server_id = ca.leaf(HOST);
        Fleet {
            ca,
            clients_ca: Authority::root("Resumption Clients CA"),
            server_id,
        }
    }

    /// A server of the fleet with `mode`, trusting the clients' CA.
    fn server(&self, mode: PeerVerifyMode) -> SslConfiguration {
        self.server_id
            .server()
            .with_session_ticket_keys(TicketKeys::from_bytes(&KEY).unwrap())
            .with_ca_certificates([self.clients_ca.cert.clone()])
            .with_peer_verify_mode(mode)
    }

    /// A client of `protocol` presenting `id` (or nothing).
    fn client(&self, protocol: SslProtocol, id: Option<&common::Identity>) -> SslConfiguration {
        let client = SslConfiguration::new()
            .with_ca_certificates([self.ca.cert.clone()])
            .with_protocol(protocol);
        match id {
            Some(id) => client
                .with_local_certificate_chain(id.chain.clone())
                .with_private_key(id.key()),
            None => client,
        }
    }
}

/// The server's state of a handshake through `accept`, panicking with both
/// sides' errors when it fails.
fn served(client: &SslConfiguration, server: &SslConfiguration) -> SessionState {
    common::connect(client, server, HOST).ok().1
}

/// Whether `client` gets through to `server` (the crate's `accept`, then a
/// raw rustls `ServerConnection` of the same config) on the ticket `first`
/// gave it: each time from a fresh client session cache, so that both
/// attempts offer `first`'s ticket.
fn gets_through(
    client: impl Fn() -> SslConfiguration,
    first: &SslConfiguration,
    then: &SslConfiguration,
) -> [bool; 2] {
    let via_accept = {
        let client = client();
        assert!(!served(&client, first).is_resumed());
        common::connect(&client, then, HOST).server.is_ok()
    };
    let via_raw = {
        let client = client();
        assert!(!served(&client, first).is_resumed());
        common::raw_server_handshake(then, &client, HOST).is_ok()
    };
    [via_accept, via_raw]
}

#[test]
fn a_session_without_a_certificate_never_resumes_where_one_is_required() {
    let fleet = Fleet::new();
    let optional = fleet.server(PeerVerifyMode::AutoVerifyPeer);
    let required = fleet.server(PeerVerifyMode::VerifyPeer);
    for protocol in PROTOCOLS {
        // The control: the optional server resumes its own session.
        let client = fleet.client(protocol, None);
        served(&client, &optional);
        assert!(served(&client, &optional).is_resumed(), "{protocol:?}");
        // The same ticket where a certificate is required: a full
        // handshake, which the client without one fails.
        let through = gets_through(|| fleet.client(protocol, None), &optional, &required);
        assert_eq!(through, [false, false], "{protocol:?}");
    }
}

#[test]
fn a_chain_query_peer_took_unverified_is_not_authenticated_by_a_verifying_server() {
    let fleet = Fleet::new();
    let self_signed = common::self_signed("client.test");
    let querying = fleet.server(PeerVerifyMode::QueryPeer);
    let verifying = fleet.server(PeerVerifyMode::VerifyPeer);
    for protocol in PROTOCOLS {
        let client = fleet.client(protocol, Some(&self_signed));
        let state = served(&client, &querying);
        assert!(!state.peer_verification_errors().is_empty());
        let through = gets_through(
            || fleet.client(protocol, Some(&self_signed)),
            &querying,
            &verifying,
        );
        assert_eq!(through, [false, false], "{protocol:?}");
    }
}

#[test]
fn a_server_restarted_with_a_list_revoking_the_client_does_not_resume_it() {
    let fleet = Fleet::new();
    let member = fleet.clients_ca.leaf("member.test");
    let list = RevocationList::from_pem(
        fleet
            .clients_ca
            .revocation_list(&[member.leaf()])
            .as_bytes(),
    )
    .unwrap();
    let before = fleet.server(PeerVerifyMode::VerifyPeer);
    for protocol in PROTOCOLS {
        // A new value with the same settings (a restart): the same policy,
        // so the session resumes.
        let client = fleet.client(protocol, Some(&member));
        served(&client, &before);
        let restarted = fleet.server(PeerVerifyMode::VerifyPeer);
        assert!(served(&client, &restarted).is_resumed(), "{protocol:?}");
        // Restarted with a list that revokes the client: refused.
        let revoking = fleet
            .server(PeerVerifyMode::VerifyPeer)
            .with_revocation_lists(list.clone())
            .with_revocation_depth(sslconf::RevocationDepth::Leaf);
        let through = gets_through(|| fleet.client(protocol, Some(&member)), &before, &revoking);
        assert_eq!(through, [false, false], "{protocol:?}");
    }
}

#[test]
fn servers_whose_policies_agree_resume_each_others_sessions() {
    let fleet = Fleet::new();
    let member = fleet.clients_ca.leaf("member.test");
    // Two values, built apart, with the CA given in another order beside
    // an unrelated one, and expected errors in another order: the same
    // policy.
    let other = Authority::root("Unrelated CA");
    let expected = |order: [usize; 2]| {
        let errors = [
            sslconf::SslError::new(
                sslconf::SslErrorKind::CertificateExpired,
                Some(other.cert.clone()),
            ),
            sslconf::SslError::new(
                sslconf::SslErrorKind::HostNameMismatch,
                Some(other.cert.clone()),
            ),
        ];
        order.map(|i| errors[i].clone())
    };
    let a = fleet
        .server(PeerVerifyMode::VerifyPeer)
        .with_ca_certificates([fleet.clients_ca.cert.clone(), other.cert.clone()])
        .with_expected_ssl_errors(expected([0, 1]));
    let b = fleet
        .server(PeerVerifyMode::VerifyPeer)
        .with_ca_certificates([other.cert.clone(), fleet.clients_ca.cert.clone()])
        .with_expected_ssl_errors(expected([1, 0]));
    for protocol in PROTOCOLS {
        let client = fleet.client(protocol, Some(&member));
        served(&client, &a);
        assert!(served(&client, &b).is_resumed(), "{protocol:?}");
        assert!(
            common::raw_server_handshake(&a, &client, HOST).is_ok(),
            "{protocol:?}"
        );
    }
}

/// A ticket renewed on every resumption still ends one lifetime after the
/// session's first full handshake (RFC 8446 4.6.1): with a 3 s lifetime,
/// resumptions at 1.5 s and 2.5 s, then at 4.5 s a full handshake.
#[test]
fn a_ticket_lifetime_counts_from_the_first_full_handshake() {
    let fleet = Fleet::new();
    let server = fleet
        .server(PeerVerifyMode::AutoVerifyPeer)
        .with_session_ticket_lifetime(Duration::from_secs(3));
    // Both protocols at once: each waits 4.5 s.
    std::thread::scope(|scope| {
        for protocol in PROTOCOLS {
            let (client, server) = (fleet.client(protocol, None), &server);
            scope.spawn(move || {
                let start = std::time::Instant::now();
                assert!(!served(&client, server).is_resumed());
                let mut resumed = Vec::new();
                for at in [1500, 2500, 4500] {
                    let wait = Duration::from_millis(at).saturating_sub(start.elapsed());
                    std::thread::sleep(wait);
                    resumed.push(served(&client, server).is_resumed());
                }
                assert_eq!(resumed, [true, true, false], "{protocol:?}");
            });
        }
    });
}

/// A session does not outlive its client certificate: a certificate that
/// expires 2 s after the full handshake, resumed at 3 s, is refused (a full
/// handshake, which the expired certificate fails).
#[test]
fn a_session_ends_with_its_client_certificate() {
    let fleet = Fleet::new();
    let mut params = rcgen::CertificateParams::new(vec!["short.test".to_owned()]).unwrap();
    params.not_before = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    params.not_after = time::OffsetDateTime::now_utc() + time::Duration::seconds(2);
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let cert = fleet.clients_ca.sign_with(&params, &key);
    let short = common::Identity::from_parts(vec![cert], key.serialize_der());
    let server = fleet.server(PeerVerifyMode::VerifyPeer);
    let client = fleet.client(SslProtocol::TlsV1_3, Some(&short));
    served(&client, &server);
    assert!(served(&client, &server).is_resumed());
    std::thread::sleep(Duration::from_millis(3200));
    assert!(common::connect(&client, &server, HOST).server.is_err());
}
