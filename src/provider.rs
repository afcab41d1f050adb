//! The crypto provider this crate builds every rustls config with.
//!
//! aws-lc-rs when the `aws-lc-rs` feature is on (the default), otherwise ring.
//! The process-wide provider that rustls may have installed is never consulted,
//! so an application's own choice there does not change this crate's behaviour.

use std::sync::{Arc, OnceLock};

use rustls::crypto::{CryptoProvider, SupportedKxGroup};
use rustls::pki_types::PrivateKeyDer;

#[cfg(not(any(feature = "aws-lc-rs", feature = "ring")))]
compile_error!("sslconf needs a crypto provider: enable the `aws-lc-rs` or the `ring` feature");

#[cfg(feature = "aws-lc-rs")]
use rustls::crypto::aws_lc_rs as backend;
#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
use rustls::crypto::ring as backend;

/// The provider with all its suites and groups, in its own preference order.
pub(crate) fn provider() -> &'static Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER.get_or_init(|| Arc::new(backend::default_provider()))
}

/// Every key-exchange group the backend implements: the default ones plus
/// those (such as pure ML-KEM) it offers only on request.
pub(crate) fn all_kx_groups() -> &'static [&'static dyn SupportedKxGroup] {
    backend::ALL_KX_GROUPS
}

/// The name of the crypto backend in use, for diagnostics.
pub(crate) const BACKEND_NAME: &str = if cfg!(feature = "aws-lc-rs") {
    "aws-lc-rs"
} else {
    "ring"
};

/// The provider's signing key for a private key, borrowed: no copy of the
/// key material is made outside the provider's own key object. It takes the
/// DER rustls reads, not the crate's `PrivateKey`: `x509` hashes with this
/// module's primitives, so this module never imports `x509` back.
pub(crate) fn load_private_key(
    key: &PrivateKeyDer<'_>,
) -> Result<Arc<dyn rustls::sign::SigningKey>, rustls::Error> {
    backend::sign::any_supported_type(key)
}

/// A session ticket encrypter, with a key that rotates every six hours.
pub(crate) fn ticketer() -> Result<Arc<dyn rustls::server::ProducesTickets>, rustls::Error> {
    backend::Ticketer::new()
}

/// The backend's own crate (aws-lc-rs or ring), for the primitives rustls's
/// provider API does not hand out: session-ticket sealing (AEAD, HKDF,
/// random nonces).
#[cfg(feature = "aws-lc-rs")]
pub(crate) use aws_lc_rs as primitives;
#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
pub(crate) use ring as primitives;
