//! What a reload swaps: the live parts a converted config carries, and the
//! report of a reload.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use arc_swap::ArcSwap;
use rustls::client::{
    ClientSessionMemoryCache, ClientSessionStore, ResolvesClientCert, Tls12ClientSessionValue,
    Tls13ClientSessionValue,
};
use rustls::pki_types::ServerName;
use rustls::sign::CertifiedKey;
use rustls::{NamedGroup, SignatureScheme};

/// A client's certificate and key, swapped whole on reload.
pub(crate) struct LiveClientIdentity {
    key: ArcSwap<CertifiedKey>,
}

impl LiveClientIdentity {
    pub(crate) fn new(key: CertifiedKey) -> Self {
        Self {
            key: ArcSwap::from_pointee(key),
        }
    }

    pub(crate) fn swap(&self, key: CertifiedKey) {
        self.key.store(Arc::new(key));
    }
}

impl ResolvesClientCert for LiveClientIdentity {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        let key = self.key.load_full();
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

/// What a [`reload`](crate::SslConfiguration::reload) did: the files whose
/// certificates or keys changed, now being served.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reloaded {
    changed: Vec<PathBuf>,
}

impl Reloaded {
    pub(crate) fn new(changed: Vec<PathBuf>) -> Self {
        Self { changed }
    }

    /// The files whose content changed, in the order the settings name them.
    pub fn changed_files(&self) -> &[PathBuf] {
        &self.changed
    }

    /// Whether anything changed.
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty()
    }
}

impl fmt::Display for Reloaded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.changed.is_empty() {
            return f.write_str("nothing changed");
        }
        f.write_str("reloaded ")?;
        for (i, path) in self.changed.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}", path.display())?;
        }
        Ok(())
    }
}

/// A client's session cache that a reload of its trust empties: sessions
/// verified under the old CA certificates or revocation lists do not
/// resume (a TLS 1.3 resumption does not verify the server again).
pub(crate) struct LiveClientSessions {
    cache: ArcSwap<ClientSessionMemoryCache>,
}

/// As rustls's default client resumption.
const CLIENT_SESSIONS: usize = 256;

impl LiveClientSessions {
    pub(crate) fn new() -> Self {
        Self {
            cache: ArcSwap::from_pointee(ClientSessionMemoryCache::new(CLIENT_SESSIONS)),
        }
    }

    /// Forgets every session.
    pub(crate) fn clear(&self) {
        self.cache
            .store(Arc::new(ClientSessionMemoryCache::new(CLIENT_SESSIONS)));
    }
}

impl ClientSessionStore for LiveClientSessions {
    fn set_kx_hint(&self, server_name: ServerName<'static>, group: NamedGroup) {
        self.cache.load().set_kx_hint(server_name, group);
    }

    fn kx_hint(&self, server_name: &ServerName<'_>) -> Option<NamedGroup> {
        self.cache.load().kx_hint(server_name)
    }

    fn set_tls12_session(&self, server_name: ServerName<'static>, value: Tls12ClientSessionValue) {
        self.cache.load().set_tls12_session(server_name, value);
    }

    fn tls12_session(&self, server_name: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        self.cache.load().tls12_session(server_name)
    }

    fn remove_tls12_session(&self, server_name: &ServerName<'static>) {
        self.cache.load().remove_tls12_session(server_name);
    }

    fn insert_tls13_ticket(
        &self,
        server_name: ServerName<'static>,
        value: Tls13ClientSessionValue,
    ) {
        self.cache.load().insert_tls13_ticket(server_name, value);
    }

    fn take_tls13_ticket(
        &self,
        server_name: &ServerName<'static>,
    ) -> Option<Tls13ClientSessionValue> {
        self.cache.load().take_tls13_ticket(server_name)
    }
}

impl fmt::Debug for LiveClientSessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveClientSessions").finish_non_exhaustive()
    }
}
