//! Settings into a rustls `ServerConfig`.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rustls::pki_types::ServerName;
use rustls::server::{NoServerSessionStorage, ProducesTickets, ResolvesServerCert};
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::ServerConfig;

use super::{alpn_protocols, certified, provider_and_versions};
use crate::host::{names_cover, server_name};
use crate::live::Rebuilt;
use crate::provider::ticketer;
use crate::server::{
    Identities, LiveResolver, LiveTicketer, PolicySessions, PolicyTag, PolicyTickets,
    ResumptionPolicy, SharedTicketer, DEFAULT_TICKET_LIFETIME, MAX_TICKET_LIFETIME,
};
use crate::settings::{Loaded, Settings};
use crate::verify::{
    chain_verifier, ChainVerifier, ClientVerifier, PeerCheck, Peers, Recheck, Trust, Usage,
};
use crate::x509::OcspStaple;
use crate::{Certificate, Error, SslOption, TicketKeys};

/// The server config for `s`; `trust` checks clients, against the
/// explicitly configured CA certificates only: `None` when the verify mode
/// asks clients for nothing ([`PeerCheck::server`] is `NotRequested`). What
/// follows files (identities, trust, ticket keys) is built again when they
/// change (see `live`). Also returns the resolver, when the server chooses
/// its identity per client.
pub(crate) fn server_config(
    s: &Arc<Settings>,
    trust: Option<&Arc<Trust>>,
) -> Result<(ServerConfig, Option<Arc<LiveResolver>>), Error> {
    let (provider, versions) = provider_and_versions(s)?;
    let mut chooses = None;
    let resolver: Arc<dyn ResolvesServerCert> = if s.has_live_identities() {
        let settings = Arc::clone(s);
        let rebuilt = Rebuilt::new(s.identity_inputs(), move || identities(&settings))?;
        let suites = provider
            .cipher_suites
            .iter()
            .filter(|suite| {
                versions
                    .iter()
                    .any(|v| v.version == suite.version().version)
            })
            .map(|suite| suite.suite())
            .collect();
        let live = Arc::new(LiveResolver::new(rebuilt, suites));
        chooses = Some(live.clone());
        live
    } else {
        let identity = s.local_identity().ok_or(Error::MissingLocalCertificate {
            reason: "setting local_identity: a server needs a local certificate",
        })?;
        let key = served_key(&identity)?;
        Arc::new(SingleCertAndKey::from(key))
    };
    let builder =
        ServerConfig::builder_with_provider(provider).with_protocol_versions(&versions)?;
    let check = PeerCheck::server(s.peer_verify_mode(), s.trusts_explicitly());
    let builder = match (check, trust) {
        (PeerCheck::NotRequested, _) | (_, None) => builder.with_no_client_auth(),
        (PeerCheck::Recorded, Some(trust)) => {
            let hints = trust.current().anchors().hint_subjects().clone();
            builder.with_client_cert_verifier(Arc::new(ClientVerifier::accepting_any(hints)))
        }
        (PeerCheck::Verified { required }, Some(trust)) => {
            let verifier = trust.current();
            // The names sent as hints are those of the first trust: rustls
            // borrows them from the verifier.
            let hints = verifier.anchors().hint_subjects().clone();
            if verifier.anchors().is_empty() && !verifier.pins_only() {
                return Err(Error::NoCaCertificates {
                    reason: "a server verifies clients against explicitly configured CA \
                             certificates only, never the system store: set them with \
                             with_ca_certificates or with_added_ca_certificates",
                });
            }
            builder.with_client_cert_verifier(Arc::new(ClientVerifier::verifying(
                Arc::clone(trust),
                required,
                hints,
                s.expected_errors.clone(),
            )))
        }
    };
    let mut server = builder.with_cert_resolver(resolver);
    server.alpn_protocols = alpn_protocols(s)?;
    server.ignore_client_order = !s.options.contains(SslOption::DisableServerCipherPreference);
    if s.options.contains(SslOption::DisableSessionSharing) {
        server.session_storage = Arc::new(NoServerSessionStorage {});
        server.send_tls13_tickets = 0;
    } else if s.options.contains(SslOption::DisableSessionTickets) {
        // TLS 1.2 still resumes by session ID from the server's cache.
        server.send_tls13_tickets = 0;
    } else {
        // The builder's session cache (256 sessions in memory) stays.
        server.ticketer = match &s.ticket_keys {
            Some(keys) => shared_ticketer(keys, ticket_lifetime(s)?)?,
            None => ticketer()?,
        };
    }
    if s.ticket_lifetime.is_some() {
        ticket_lifetime(s)?;
    }
    // Every ticket and cached session carries what accepted the client
    // (and when), and opens only under the same policy.
    // rustls's ticketer says how long its tickets live; a server that
    // seals none still caches TLS 1.2 sessions (rustls's session IDs).
    let lifetime = match (&s.ticket_keys, server.ticketer.lifetime()) {
        (Some(_), _) => ticket_lifetime(s)?,
        (None, 0) => DEFAULT_TICKET_LIFETIME,
        (None, secs) => Duration::from_secs(secs.into()),
    };
    // The tag is built from the settings, as the trust is: a build never
    // gets another part (see `live::Rebuilt::get`).
    let tag = {
        let (settings, verifies) = (Arc::clone(s), trust.is_some());
        let inputs = trust.iter().flat_map(|_| s.trust_inputs()).collect();
        Rebuilt::new(inputs, move || {
            let verifier = verifies
                .then(|| chain_verifier(&settings, Peers::Clients))
                .transpose()?;
            Ok(resumption_tag(&settings, verifier.as_ref()))
        })?
    };
    let mut policy = ResumptionPolicy::new(tag, lifetime);
    if let (PeerCheck::Verified { .. }, Some(trust)) = (check, trust) {
        if trust.follows_files() {
            let recheck = Recheck::new(
                Arc::clone(trust),
                s.expected_errors.clone(),
                Usage::ClientAuth,
            );
            policy = policy.rechecking(Box::new(move |chain| recheck.accepts(chain, None)));
        }
    }
    let policy = Arc::new(policy);
    server.ticketer = Arc::new(PolicyTickets::new(server.ticketer.clone(), policy.clone()));
    server.session_storage = Arc::new(PolicySessions::new(server.session_storage.clone(), policy));
    // Last, so that only a config that is built opens the file and warns.
    if let Some(destination) = &s.key_log {
        server.key_log = crate::key_log::open(destination, "server")?;
    }
    Ok((server, chooses))
}

/// The ticketer sealing with shared keys: built again when the key files
/// change.
fn shared_ticketer(
    keys: &Loaded<TicketKeys>,
    lifetime: Duration,
) -> Result<Arc<dyn ProducesTickets>, Error> {
    match keys {
        Loaded::Value(keys) => Ok(Arc::new(SharedTicketer::new(keys, lifetime)?)),
        Loaded::Files(files) => {
            let setting = Arc::clone(files);
            let rebuilt = Rebuilt::new(vec![files.clone()], move || {
                SharedTicketer::new(&setting.current(), lifetime)
            })?;
            Ok(Arc::new(LiveTicketer::new(rebuilt)))
        }
    }
}

/// The tag of what decides whether a server of these settings accepts a
/// client (see `server::resumption`): how the verify mode resolves for a
/// server (certificate not asked, recorded, verified and whether required),
/// what `verifier` decides when it verifies, and the expected errors. A
/// reload computes it again from what it read.
pub(crate) fn resumption_tag(s: &Settings, verifier: Option<&ChainVerifier>) -> PolicyTag {
    let check = PeerCheck::server(s.peer_verify_mode(), s.trusts_explicitly());
    let mut parts: Vec<Vec<u8>> = vec![b"sslconf server acceptance 1".to_vec()];
    let verifying = match (check, verifier) {
        (PeerCheck::NotRequested, _) | (_, None) => {
            parts.push(b"client certificates not asked for".to_vec());
            None
        }
        (PeerCheck::Recorded, Some(_)) => {
            parts.push(b"any client certificate, recorded".to_vec());
            None
        }
        (PeerCheck::Verified { required }, Some(verifier)) => {
            parts.push(vec![b'v', u8::from(required)]);
            Some(verifier)
        }
    };
    if let Some(verifier) = verifying {
        verifier.describe(&mut parts);
        let mut expected: Vec<Vec<u8>> = s
            .expected_errors
            .iter()
            .map(|e| {
                let cert = e.certificate().map_or(&[][..], Certificate::as_der);
                [format!("{:?}", e.kind()).as_bytes(), &[0], cert].concat()
            })
            .collect();
        expected.sort_unstable();
        parts.push((expected.len() as u64).to_be_bytes().to_vec());
        parts.extend(expected);
    }
    PolicyTag::of(parts.iter().map(Vec::as_slice))
}

/// Every identity the settings give a server, as they are now, each
/// checked by [`check_identity`]'s rules.
///
/// # Errors
/// The local identity's errors as for a single certificate;
/// [`Error::AddedIdentity`] naming the position of an added one,
/// [`Error::ServerNameIdentity`] the pattern of a named one.
pub(crate) fn identities(s: &Settings) -> Result<Identities, Error> {
    let mut default = Vec::new();
    if !s.refuse_unknown_names {
        if let Some(identity) = s.local_identity() {
            default.push(Arc::new(served_key(&identity)?));
        }
        for (index, added) in s.added_identities.iter().enumerate() {
            let key = served_key(&added.current()).map_err(|source| Error::AddedIdentity {
                index,
                source: Box::new(source),
            })?;
            default.push(Arc::new(key));
        }
    }
    if default.is_empty() && s.named_identities.is_empty() {
        return Err(Error::MissingLocalCertificate {
            reason: if s.refuse_unknown_names {
                "setting local_identity: unknown server names are refused and no server name \
                 identity is set: no client could be served"
            } else {
                "setting local_identity: a server needs a local certificate"
            },
        });
    }
    let mut identities = Identities::new(default);
    for named in &s.named_identities {
        let key = Arc::new(named_key(&named.identity.current(), &named.patterns)?);
        for pattern in &named.patterns {
            identities.add(pattern, key.clone());
        }
    }
    Ok(identities)
}

/// Whether an identity can be served: its key matches its certificate,
/// its OCSP response answers for it, and, for the server names it serves
/// (`patterns`, none for a default identity), each is a DNS name (or `*.`
/// and one) its certificate covers. What a conversion checks, and a reload
/// before it puts what it read in force.
///
/// # Errors
/// As [`identities`].
pub(crate) fn check_identity(identity: &crate::Identity, patterns: &[String]) -> Result<(), Error> {
    if patterns.is_empty() {
        served_key(identity).map(drop)
    } else {
        named_key(identity, patterns).map(drop)
    }
}

/// The key an identity is served with, its OCSP response stapled.
fn served_key(identity: &crate::Identity) -> Result<CertifiedKey, Error> {
    stapled(
        certified(identity)?,
        identity.ocsp(),
        identity.certificate_chain(),
    )
}

/// As [`served_key`], for the server names `patterns`: each is a DNS name
/// (or `*.` and one) the certificate covers.
fn named_key(identity: &crate::Identity, patterns: &[String]) -> Result<CertifiedKey, Error> {
    let in_pattern = |pattern: &str, source: Error| Error::ServerNameIdentity {
        pattern: pattern.to_owned(),
        source: Box::new(source),
    };
    let first = patterns.first().map_or("", String::as_str);
    let key = served_key(identity).map_err(|e| in_pattern(first, e))?;
    let leaf = &identity.certificate_chain()[0];
    for pattern in patterns {
        let bare = pattern.strip_prefix("*.").unwrap_or(pattern);
        if !matches!(server_name(bare), Ok(ServerName::DnsName(_))) {
            return Err(in_pattern(
                pattern,
                Error::InvalidHostName {
                    name: pattern.clone(),
                },
            ));
        }
        if !names_cover(&leaf.subject_alternative_names(), pattern) {
            return Err(in_pattern(
                pattern,
                Error::NameNotCovered {
                    subject: leaf.subject_display_name(),
                },
            ));
        }
    }
    Ok(key)
}

/// `key` with the OCSP response to staple for `chain`, checked to be a
/// successful response for its leaf; a stale one is served with a warning.
/// Nothing is read or checked for an identity without one.
///
/// A usable response that a reload found unchanged but that no longer
/// answers for the chain is what a certificate renewed before its
/// response leaves: the new chain is served without a staple, with a
/// warning, rather than the old chain kept. (A response that changed and
/// answers for another certificate is refused: what was served stays.)
///
/// # Errors
/// [`Error::OcspResponse`].
fn stapled(
    mut key: CertifiedKey,
    ocsp: Option<&OcspStaple>,
    chain: &[Certificate],
) -> Result<CertifiedKey, Error> {
    if let Some(ocsp) = ocsp {
        match ocsp.check(chain, SystemTime::now()) {
            Ok(warnings) => {
                for warning in warnings {
                    log::warn!("sslconf: {warning}");
                }
                key.ocsp = Some(ocsp.der().to_vec());
            }
            Err(error) if ocsp.unchanged_by_reload() && ocsp.is_usable() => log::warn!(
                "sslconf: serving without an ocsp staple until the response is renewed too: {}",
                crate::error::causes(&error)
            ),
            Err(error) => return Err(error),
        }
    }
    Ok(key)
}

/// The lifetime of tickets sealed with shared keys: at most RFC 8446's limit,
/// and set only with keys to apply to.
fn ticket_lifetime(s: &Settings) -> Result<Duration, Error> {
    let lifetime = s.ticket_lifetime.unwrap_or(DEFAULT_TICKET_LIFETIME);
    let reason = if lifetime < Duration::from_secs(1) || lifetime > MAX_TICKET_LIFETIME {
        "is not between 1 second and 7 days (RFC 8446's limit)"
    } else if s.ticket_keys.is_none() {
        "applies to tickets sealed with session ticket keys, and none are set \
         (with_session_ticket_keys)"
    } else {
        return Ok(lifetime);
    };
    Err(Error::InvalidSessionTicketLifetime { lifetime, reason })
}
