//! Settings into a rustls `ServerConfig`.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwap;
use rustls::pki_types::ServerName;
use rustls::server::{NoServerSessionStorage, ResolvesServerCert};
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::ServerConfig;

use super::ServerHandles;
use super::{alpn_protocols, certified_key, certify, check_options, provider_and_versions};
use crate::host::{names_cover, server_name};
use crate::provider::ticketer;
use crate::server::{
    Identities, LiveResolver, PolicySessions, PolicyTag, PolicyTickets, ResumptionPolicy,
    SharedTicketer, DEFAULT_TICKET_LIFETIME, MAX_TICKET_LIFETIME,
};
use crate::settings::Settings;
use crate::verify::{ChainVerifier, ClientVerifier, PeerCheck, Trust};
use crate::x509::OcspStaple;
use crate::{Certificate, Error, SslOption};

/// The server config for `s`; `verifier` checks clients, against the
/// explicitly configured CA certificates only: `None` when the verify mode
/// asks clients for nothing ([`PeerCheck::server`] is `NotRequested`). The
/// handles are what a reload swaps inside it.
pub(crate) fn server_config(
    s: &Settings,
    verifier: Option<&Arc<ChainVerifier>>,
) -> Result<(ServerConfig, ServerHandles), Error> {
    check_options(s)?;
    let mut handles = ServerHandles::default();
    let resolver: Arc<dyn ResolvesServerCert> = if s.has_live_identities() {
        let live = Arc::new(LiveResolver::new(identities(s)?));
        handles.resolver = Some(live.clone());
        live
    } else {
        if s.local_chain.is_empty() {
            return Err(Error::MissingLocalCertificate {
                reason: "a server needs a local certificate",
            });
        }
        let key = certified_key(s)?.ok_or(Error::MissingPrivateKey {
            reason: "a server needs the private key of its local certificate",
        })?;
        let key = stapled(key, s.local_ocsp.as_ref(), &s.local_chain)?;
        Arc::new(SingleCertAndKey::from(key))
    };
    let (provider, versions) = provider_and_versions(s)?;
    let builder =
        ServerConfig::builder_with_provider(provider).with_protocol_versions(&versions)?;
    let check = PeerCheck::server(s.peer_verify_mode(), s.trusts_explicitly());
    let builder = match (check, verifier) {
        (PeerCheck::NotRequested, _) | (_, None) => builder.with_no_client_auth(),
        (PeerCheck::Recorded, Some(verifier)) => {
            let hints = verifier.anchors().hint_subjects().clone();
            builder.with_client_cert_verifier(Arc::new(ClientVerifier::accepting_any(hints)))
        }
        (PeerCheck::Verified { required }, Some(verifier)) => {
            let hints = verifier.anchors().hint_subjects().clone();
            if verifier.anchors().is_empty() && !verifier.pins_only() {
                return Err(Error::NoCaCertificates {
                    reason: "a server verifies clients against explicitly configured CA \
                             certificates only, never the system store: set them with \
                             with_ca_certificates or with_added_ca_certificates",
                });
            }
            let trust = if s.reads_trust_files() {
                let live = Arc::new(ArcSwap::new(verifier.clone()));
                handles.verifier = Some(live.clone());
                Trust::Live(live)
            } else {
                Trust::Fixed(verifier.clone())
            };
            builder.with_client_cert_verifier(Arc::new(ClientVerifier::verifying(
                trust,
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
            Some(keys) => {
                let shared = Arc::new(SharedTicketer::new(keys, ticket_lifetime(s)?)?);
                handles.tickets = Some(shared.clone());
                shared
            }
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
    let policy = Arc::new(ResumptionPolicy::new(
        resumption_tag(s, verifier.map(Arc::as_ref)),
        lifetime,
    ));
    server.ticketer = Arc::new(PolicyTickets::new(server.ticketer.clone(), policy.clone()));
    server.session_storage = Arc::new(PolicySessions::new(
        server.session_storage.clone(),
        policy.clone(),
    ));
    handles.policy = Some(policy);
    // Last, so that only a config that is built opens the file and warns.
    if let Some(destination) = &s.key_log {
        server.key_log = crate::key_log::open(destination, "server")?;
    }
    Ok((server, handles))
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

/// Every identity the settings give a server, each checked: its key
/// matches its certificate, and the certificate covers its names.
///
/// # Errors
/// The local identity's errors as for a single certificate;
/// [`Error::ServerNameIdentity`] naming the pattern for a named one.
pub(crate) fn identities(s: &Settings) -> Result<Identities, Error> {
    let mut default = Vec::new();
    if !s.refuse_unknown_names {
        if let Some(key) = certified_key(s)? {
            default.push(Arc::new(stapled(
                key,
                s.local_ocsp.as_ref(),
                &s.local_chain,
            )?));
        }
        for added in &s.added_identities {
            let key = certify(added.certificate_chain(), added.private_key())?;
            default.push(Arc::new(stapled(
                key,
                added.ocsp(),
                added.certificate_chain(),
            )?));
        }
    }
    if default.is_empty() && s.named_identities.is_empty() {
        return Err(Error::MissingLocalCertificate {
            reason: if s.refuse_unknown_names {
                "unknown server names are refused and no server name identity is set: \
                 no client could be served"
            } else {
                "a server needs a local certificate"
            },
        });
    }
    let mut identities = Identities::new(default);
    for named in &s.named_identities {
        let chain = named.identity.certificate_chain();
        let key = Arc::new(
            chain
                .first()
                .ok_or(Error::MissingLocalCertificate {
                    reason: "an identity needs a certificate",
                })
                .and_then(|_| certify(chain, named.identity.private_key()))
                .and_then(|key| stapled(key, named.identity.ocsp(), chain))
                .map_err(|source| Error::ServerNameIdentity {
                    pattern: named.patterns.first().cloned().unwrap_or_default(),
                    source: Box::new(source),
                })?,
        );
        for pattern in &named.patterns {
            let bare = pattern.strip_prefix("*.").unwrap_or(pattern);
            if !matches!(server_name(bare), Ok(ServerName::DnsName(_))) {
                return Err(Error::ServerNameIdentity {
                    pattern: pattern.clone(),
                    source: Box::new(Error::InvalidHostName {
                        name: pattern.clone(),
                    }),
                });
            }
            let names = chain[0].subject_alternative_names();
            if !names_cover(&names, pattern) {
                return Err(Error::ServerNameIdentity {
                    pattern: pattern.clone(),
                    source: Box::new(Error::NameNotCovered {
                        subject: chain[0].subject_display_name(),
                    }),
                });
            }
            identities.add(pattern, key.clone());
        }
    }
    Ok(identities)
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
