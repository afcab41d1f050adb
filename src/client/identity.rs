//! The certificate a client presents when its identity is read from files.

use std::fmt;
use std::sync::Arc;

use rustls::client::ResolvesClientCert;
use rustls::sign::CertifiedKey;
use rustls::SignatureScheme;

use crate::live::Rebuilt;

/// A client's certificate and key, built again when their files change.
pub(crate) struct LiveClientIdentity {
    key: Rebuilt<CertifiedKey>,
}

impl LiveClientIdentity {
    pub(crate) fn new(key: Rebuilt<CertifiedKey>) -> Self {
        Self { key }
    }
}

impl ResolvesClientCert for LiveClientIdentity {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        let key = self.key.get();
        key.key.choose_scheme(sigschemes).map(|_| key)
    }

    fn has_certs(&self) -> bool {
        true
    }
}

impl fmt::Debug for LiveClientIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveClientIdentity").finish_non_exhaustive()
    }
}
