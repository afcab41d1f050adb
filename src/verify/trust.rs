//! What a side trusts: the chain verifier of a configuration's CA
//! certificates, revocation lists, pins and depth, built once, or built
//! again whenever the CA certificate or revocation list files it was read
//! from change (see `live`).

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

use super::{ChainVerifier, Failure, Pins, Revocation, TrustAnchors, Usage};
use crate::live::Rebuilt;
use crate::settings::Settings;
use crate::Error;

/// Whose chains a trust verifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Peers {
    /// Servers': the system store (unless replaced) and the configured CA
    /// certificates.
    Servers,
    /// Clients': the configured CA certificates only; the system store
    /// never authenticates clients.
    Clients,
}

/// What a verifier checks chains against.
#[derive(Debug)]
pub(crate) enum Trust {
    /// Fixed for the configuration's life.
    Fixed(Arc<ChainVerifier>),
    /// Built again when the files it was read from change.
    Live(Rebuilt<ChainVerifier>),
}

impl Trust {
    /// What `settings` trust to verify `peers`' chains.
    ///
    /// # Errors
    /// [`Error::InvalidCaCertificate`] for a configured CA certificate
    /// webpki cannot use as a trust anchor.
    pub(crate) fn new(settings: &Arc<Settings>, peers: Peers) -> Result<Trust, Error> {
        let inputs = settings.trust_inputs();
        if inputs.is_empty() {
            return Ok(Trust::Fixed(Arc::new(chain_verifier(settings, peers)?)));
        }
        let settings = Arc::clone(settings);
        let rebuilt = Rebuilt::new(inputs, move || chain_verifier(&settings, peers))?;
        Ok(Trust::Live(rebuilt))
    }

    /// The verifier in force now.
    pub(crate) fn current(&self) -> Arc<ChainVerifier> {
        match self {
            Self::Fixed(chain) => Arc::clone(chain),
            Self::Live(chain) => chain.get(),
        }
    }

    /// Whether it follows files (a reload may change it).
    pub(crate) fn follows_files(&self) -> bool {
        matches!(self, Self::Live(_))
    }

    /// The verifier in force, and which commit of its files it was built
    /// from (0 for one fixed).
    pub(crate) fn current_versioned(&self) -> (u64, Arc<ChainVerifier>) {
        match self {
            Self::Fixed(chain) => (0, Arc::clone(chain)),
            Self::Live(chain) => chain.get_versioned(),
        }
    }

    /// [`ChainVerifier::verify`] with the verifier in force.
    pub(crate) fn verify(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        name: Option<&ServerName<'_>>,
        usage: Usage,
        now: UnixTime,
    ) -> Result<(), Failure> {
        match self {
            Self::Fixed(chain) => chain.verify(end_entity, intermediates, name, usage, now),
            Self::Live(chain) => chain
                .get()
                .verify(end_entity, intermediates, name, usage, now),
        }
    }
}

/// A verifier of chains against what `s` trusts now for `peers`, with its
/// verify depth, revocation lists and pins.
///
/// # Errors
/// As [`Trust::new`].
pub(crate) fn chain_verifier(s: &Settings, peers: Peers) -> Result<ChainVerifier, Error> {
    let anchors = match peers {
        Peers::Servers => TrustAnchors::new(&s.ca)?,
        Peers::Clients => TrustAnchors::configured_only(&s.ca)?,
    };
    Ok(ChainVerifier::new(anchors, s.peer_verify_depth)
        .with_revocation(Revocation::new(&s.revocation))
        .with_pins(Pins::new(&s.pins)))
}
