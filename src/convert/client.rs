//! Settings into a rustls `ClientConfig`.

use std::sync::Arc;

use arc_swap::ArcSwap;

use rustls::client::danger::ServerCertVerifier;
use rustls::client::{Resumption, Tls12Resumption};
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::ClientConfig;

use super::ClientHandles;
use super::{alpn_protocols, certified_key, check_options, provider_and_versions};
use crate::server::{LiveClientIdentity, LiveClientSessions};
use crate::settings::Settings;
use crate::verify::{ChainVerifier, PeerCheck, ServerVerifier, Trust};
use crate::{Error, SslOption};

/// The client config for `s`; `verifier` checks the server under `VerifyPeer`.
pub(crate) fn client_config(
    s: &Settings,
    verifier: &Arc<ChainVerifier>,
) -> Result<(ClientConfig, ClientHandles), Error> {
    check_options(s)?;
    let (provider, versions) = provider_and_versions(s)?;
    let mut handles = ClientHandles::default();
    let verifier = match PeerCheck::client(s.peer_verify_mode()) {
        PeerCheck::Verified { .. } => {
            // Pins alone need no CA (nor the system store loaded for nothing).
            if !verifier.pins_only() && verifier.anchors().is_empty() {
                return Err(Error::NoCaCertificates {
                    reason: if s.ca.system {
                        "VerifyPeer needs at least one CA certificate to verify servers \
                         against, and the system store is empty \
                         (SslConfiguration::system_ca_source tells why)"
                    } else {
                        "VerifyPeer needs at least one CA certificate to verify servers against"
                    },
                });
            }
            let trust = if s.reads_trust_files() {
                let live = Arc::new(ArcSwap::new(verifier.clone()));
                handles.verifier = Some(live.clone());
                Trust::Live(live)
            } else {
                Trust::Fixed(verifier.clone())
            };
            ServerVerifier::verifying(trust, s.expected_errors.clone())
        }
        PeerCheck::Recorded | PeerCheck::NotRequested => ServerVerifier::accepting_any(),
    };
    let verifier: Arc<dyn ServerCertVerifier> = Arc::new(if s.ocsp_stapling {
        verifier.keeping_staple()
    } else {
        verifier
    });
    let builder = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&versions)?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut client = match certified_key(s)? {
        // Read from files: a reload swaps it.
        Some(key) if s.local_files.is_some() => {
            let live = Arc::new(LiveClientIdentity::new(key));
            handles.identity = Some(live.clone());
            builder.with_client_cert_resolver(live)
        }
        Some(key) => builder.with_client_cert_resolver(Arc::new(SingleCertAndKey::from(key))),
        None => builder.with_no_client_auth(),
    };
    client.alpn_protocols = alpn_protocols(s)?;
    client.enable_sni = !s.options.contains(SslOption::DisableServerNameIndication);
    // Otherwise the builder's default stays: 256 sessions in memory, TLS 1.2
    // resuming by session ID or ticket; forgotten when a reloaded trust changes.
    if handles.verifier.is_some() {
        let sessions = Arc::new(LiveClientSessions::new());
        handles.sessions = Some(sessions.clone());
        client.resumption = Resumption::store(sessions);
    }
    if s.options.contains(SslOption::DisableSessionSharing) {
        client.resumption = Resumption::disabled();
    } else if s.options.contains(SslOption::DisableSessionTickets) {
        client.resumption = client
            .resumption
            .clone()
            .tls12_resumption(Tls12Resumption::SessionIdOnly);
    }
    // Last, so that only a config that is built opens the file and warns.
    if let Some(destination) = &s.key_log {
        client.key_log = crate::key_log::open(destination, "client")?;
    }
    Ok((client, handles))
}

/// A client identity read again by a reload: `None` when it does not come
/// from files.
///
/// # Errors
/// As [`client_config`]'s for the local certificate and key.
pub(crate) fn client_identity(s: &Settings) -> Result<Option<CertifiedKey>, Error> {
    match s.local_files {
        Some(_) => certified_key(s),
        None => Ok(None),
    }
}
