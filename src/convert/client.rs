//! Settings into a rustls `ClientConfig`.

use std::sync::Arc;

use rustls::client::danger::ServerCertVerifier;
use rustls::client::{Resumption, Tls12Resumption};
use rustls::sign::SingleCertAndKey;
use rustls::ClientConfig;

use super::{alpn_protocols, certified, provider_and_versions};
use crate::client::{Gate, LiveClientIdentity, LiveClientSessions};
use crate::live::Rebuilt;
use crate::settings::Settings;
use crate::verify::{PeerCheck, Recheck, ServerVerifier, Trust, Usage, VerifiedServers};
use crate::{Error, SslOption};

/// The client config for `s`; `trust` checks the server under `VerifyPeer`.
/// What follows files (the client's identity, the trust) is built again
/// when they change (see `live`).
pub(crate) fn client_config(s: &Arc<Settings>, trust: &Arc<Trust>) -> Result<ClientConfig, Error> {
    let (provider, versions) = provider_and_versions(s)?;
    let check = PeerCheck::client(s.peer_verify_mode());
    // With a trust that follows files, what was accepted is noted by name:
    // the fast answer for the sessions a server hands over after a reload.
    let verified = (matches!(check, PeerCheck::Verified { .. }) && trust.follows_files())
        .then(|| Arc::new(VerifiedServers::new()));
    let verifier = match check {
        PeerCheck::Verified { .. } => {
            let verifier = trust.current();
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
            let verifier = ServerVerifier::verifying(Arc::clone(trust), s.expected_errors.clone());
            match &verified {
                Some(records) => verifier.recording(Arc::clone(records)),
                None => verifier,
            }
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
    // Read from files: built again when they change.
    let mut live_identity = None;
    let mut client = match s.local_identity() {
        None => builder.with_no_client_auth(),
        Some(identity) if identity.reads_files() => {
            let key = Arc::new(Rebuilt::new(s.identity_inputs(), move || {
                certified(&identity.current())
            })?);
            live_identity = Some(Arc::clone(&key));
            builder.with_client_cert_resolver(Arc::new(LiveClientIdentity::new(key)))
        }
        Some(identity) => {
            let key = certified(&identity)?;
            builder.with_client_cert_resolver(Arc::new(SingleCertAndKey::from(key)))
        }
    };
    client.alpn_protocols = alpn_protocols(s)?;
    client.enable_sni = !s.options.contains(SslOption::DisableServerNameIndication);
    // Otherwise the builder's default stays: 256 sessions in memory, TLS 1.2
    // resuming by session ID or ticket; forgotten when what the trust read
    // from files decides changes, or when the identity is read again (the
    // server knows a resumed client by the certificate it first presented).
    if trust.follows_files() || live_identity.is_some() {
        // A session a server hands over after a reload is kept only if the
        // trust in force accepts its chain.
        let gate = verified.map(|verified| {
            let recheck = Recheck::new(
                Arc::clone(trust),
                s.expected_errors.clone(),
                Usage::ServerAuth,
            );
            Gate::new(recheck, verified)
        });
        let sessions = Arc::new(LiveClientSessions::new(
            Arc::clone(trust),
            live_identity,
            gate,
        ));
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
    Ok(client)
}
