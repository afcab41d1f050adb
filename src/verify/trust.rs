//! What a verifier trusts: a chain verifier fixed at conversion, or one a
//! reload of CA certificate or revocation list files replaces whole.

use std::sync::Arc;

use arc_swap::ArcSwap;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

use super::{ChainVerifier, Failure, Usage};

/// What a verifier checks chains against.
#[derive(Debug)]
pub(crate) enum Trust {
    /// Fixed for the config's life.
    Fixed(Arc<ChainVerifier>),
    /// Swapped whole by a reload of the files it was read from.
    Live(Arc<ArcSwap<ChainVerifier>>),
}

impl Trust {
    /// [`ChainVerifier::verify`] with the current verifier.
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
                .load()
                .verify(end_entity, intermediates, name, usage, now),
        }
    }
}
