//! Settings into a rustls `ServerConfig`.

use std::sync::Arc;
use std::time::Duration;

use rustls::server::NoServerSessionStorage;
use rustls::sign::SingleCertAndKey;
use rustls::ServerConfig;

use super::{alpn_protocols, certified_key, check_options, provider_and_versions};
use crate::provider::ticketer;
use crate::server::{SharedTicketer, DEFAULT_TICKET_LIFETIME, MAX_TICKET_LIFETIME};
use crate::settings::Settings;
use crate::verify::{ChainVerifier, ClientVerifier, PeerCheck};
use crate::{Error, SslOption};

/// The server config for `s`; `verifier` checks clients, against the
/// explicitly configured CA certificates only.
pub(crate) fn server_config(
    s: &Settings,
    verifier: &Arc<ChainVerifier>,
) -> Result<ServerConfig, Error> {
    check_options(s)?;
    if s.local_chain.is_empty() {
        return Err(Error::MissingLocalCertificate {
            reason: "a server needs a local certificate",
        });
    }
    let key = certified_key(s)?.ok_or(Error::MissingPrivateKey {
        reason: "a server needs the private key of its local certificate",
    })?;
    let (provider, versions) = provider_and_versions(s)?;
    let builder =
        ServerConfig::builder_with_provider(provider).with_protocol_versions(&versions)?;
    let hints = verifier.anchors().hint_subjects().clone();
    let check = PeerCheck::server(s.peer_verify_mode(), s.ca.has_explicit());
    let builder = match check {
        PeerCheck::NotRequested => builder.with_no_client_auth(),
        PeerCheck::Recorded => {
            builder.with_client_cert_verifier(Arc::new(ClientVerifier::accepting_any(hints)))
        }
        PeerCheck::Verified { required } => {
            if verifier.anchors().is_empty() {
                return Err(Error::NoCaCertificates {
                    reason: "a server verifies clients against explicitly configured CA \
                             certificates only, never the system store: set them with \
                             with_ca_certificates or with_added_ca_certificates",
                });
            }
            builder.with_client_cert_verifier(Arc::new(ClientVerifier::verifying(
                verifier.clone(),
                required,
                hints,
                s.expected_errors.clone(),
            )))
        }
    };
    let mut server = builder.with_cert_resolver(Arc::new(SingleCertAndKey::from(key)));
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
            Some(keys) => SharedTicketer::shared(keys, ticket_lifetime(s)?)?,
            None => ticketer()?,
        };
    }
    if s.ticket_lifetime.is_some() {
        ticket_lifetime(s)?;
    }
    Ok(server)
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
