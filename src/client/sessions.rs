//! A client's session cache, forgotten when what it trusts changes: a
//! session verified under an older trust must not resume. Nor one a
//! server hands over after a reload, unless the trust in force accepts
//! what that server was accepted with (see `verify::VerifiedServers`).

use std::fmt;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use rustls::client::{
    ClientSessionMemoryCache, ClientSessionStore, Tls12ClientSessionValue, Tls13ClientSessionValue,
};
use rustls::pki_types::ServerName;
use rustls::NamedGroup;

use crate::verify::{ChainVerifier, Trust, VerifiedServers};

/// As rustls's default client resumption.
const CLIENT_SESSIONS: usize = 256;

/// rustls's session cache, emptied when the trust it was filled under
/// decides otherwise (other CA certificates, other serial numbers revoked).
pub(crate) struct LiveClientSessions {
    cache: ArcSwap<ClientSessionMemoryCache>,
    trust: Arc<Trust>,
    /// The verifier the cache was filled under, and what it decides.
    filled_under: Mutex<(Arc<ChainVerifier>, [u8; 32])>,
    /// What the server verifier accepted, when it verifies.
    verified: Option<Arc<VerifiedServers>>,
}

impl LiveClientSessions {
    /// A cache forgotten when `trust` changes what it decides, keeping a
    /// session only from a server `verified` still accepts (when the
    /// server is verified).
    pub(crate) fn new(trust: Arc<Trust>, verified: Option<Arc<VerifiedServers>>) -> Self {
        let verifier = trust.current();
        let decision = verifier.decision_digest();
        Self {
            cache: ArcSwap::from_pointee(ClientSessionMemoryCache::new(CLIENT_SESSIONS)),
            trust,
            filled_under: Mutex::new((verifier, decision)),
            verified,
        }
    }

    /// The cache, emptied first when the trust changed what it decides.
    fn cache(&self) -> Arc<ClientSessionMemoryCache> {
        let verifier = self.trust.current();
        let mut filled = self.filled_under.lock().unwrap_or_else(|e| e.into_inner());
        if !Arc::ptr_eq(&filled.0, &verifier) {
            let decision = verifier.decision_digest();
            if decision != filled.1 {
                self.cache
                    .store(Arc::new(ClientSessionMemoryCache::new(CLIENT_SESSIONS)));
            }
            *filled = (verifier, decision);
        }
        self.cache.load_full()
    }

    /// Whether a session `name` hands over now may be kept.
    fn keeps(&self, name: &ServerName<'_>) -> bool {
        self.verified
            .as_ref()
            .is_none_or(|verified| verified.still_accepted(name))
    }
}

impl ClientSessionStore for LiveClientSessions {
    fn set_kx_hint(&self, server_name: ServerName<'static>, group: NamedGroup) {
        self.cache().set_kx_hint(server_name, group);
    }

    fn kx_hint(&self, server_name: &ServerName<'_>) -> Option<NamedGroup> {
        self.cache().kx_hint(server_name)
    }

    fn set_tls12_session(&self, server_name: ServerName<'static>, value: Tls12ClientSessionValue) {
        // The cache first: one a reload empties after the check is
        // replaced, never filled unchecked.
        let cache = self.cache();
        if self.keeps(&server_name) {
            cache.set_tls12_session(server_name, value);
        }
    }

    fn tls12_session(&self, server_name: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        self.cache().tls12_session(server_name)
    }

    fn remove_tls12_session(&self, server_name: &ServerName<'static>) {
        self.cache().remove_tls12_session(server_name);
    }

    fn insert_tls13_ticket(
        &self,
        server_name: ServerName<'static>,
        value: Tls13ClientSessionValue,
    ) {
        let cache = self.cache();
        if self.keeps(&server_name) {
            cache.insert_tls13_ticket(server_name, value);
        }
    }

    fn take_tls13_ticket(
        &self,
        server_name: &ServerName<'static>,
    ) -> Option<Tls13ClientSessionValue> {
        self.cache().take_tls13_ticket(server_name)
    }
}

impl fmt::Debug for LiveClientSessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveClientSessions").finish_non_exhaustive()
    }
}
