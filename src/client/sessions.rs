//! A client's session cache, forgotten when what it trusts changes (a
//! session verified under an older trust must not resume) or when its
//! identity read from files does (the server knows a resumed client by the
//! certificate its first handshake presented). Nor is one kept that a
//! server hands over after a reload (a TLS 1.3 server sends its tickets
//! when it likes: one about to be revoked can hold them back until the
//! client has reloaded the list revoking it), unless the trust in force
//! accepts the chain that server was accepted with, nor one handed over by
//! a connection of this crate's that presented a certificate other than
//! the one the identity's files hold now (the server would know the
//! resumed client by the old one).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use rustls::client::{
    ClientSessionMemoryCache, ClientSessionStore, Tls12ClientSessionValue, Tls13ClientSessionValue,
};
use rustls::pki_types::ServerName;
use rustls::sign::CertifiedKey;
use rustls::NamedGroup;

use super::identity::{presented_here, resuming_as};
use super::session_chain::server_chain;
use crate::live::Rebuilt;
use crate::verify::{ChainVerifier, Recheck, Trust, VerifiedServers};

/// As rustls's default client resumption.
const CLIENT_SESSIONS: usize = 256;
/// The most session values whose chain is read for one name between two
/// of its sessions taken (rustls keeps 8 tickets a name): a server sends
/// as many tickets as it likes, and reading one costs in proportion to
/// its chain. Past it a session is not kept.
const READS_PER_NAME: u8 = 8;
/// The most names whose reads are counted; past it the counts start over.
const COUNTED_NAMES: usize = 4096;

/// rustls's session cache, emptied when the trust it was filled under
/// decides otherwise (other CA certificates, other serial numbers revoked).
pub(crate) struct LiveClientSessions {
    cache: ArcSwap<ClientSessionMemoryCache>,
    trust: Arc<Trust>,
    /// The client's certificate and key, when read from files.
    identity: Option<Arc<Rebuilt<CertifiedKey>>>,
    /// What the cache was filled under.
    filled_under: Mutex<FilledUnder>,
    /// What decides whether a session handed over after a reload is kept,
    /// when the server is verified.
    gate: Option<Gate>,
}

/// Whether a session a server hands over is kept: the trust in force
/// accepts the chain its connection verified.
pub(crate) struct Gate {
    recheck: Recheck,
    /// The chains accepted by name: the fast answer.
    verified: Arc<VerifiedServers>,
    /// The version of the trust when the cache was made: while it is in
    /// force, every connection of this config verified its server under it,
    /// and their sessions are kept unread.
    made_under: u64,
    /// Session values whose chain was read, by name, since a session of
    /// that name was last taken.
    reads: Mutex<HashMap<String, u8>>,
}

impl Gate {
    /// A gate judging with `recheck` (the trust's current verdict), vouched
    /// for by `verified` (what the verifier accepted).
    pub(crate) fn new(recheck: Recheck, verified: Arc<VerifiedServers>) -> Self {
        Self {
            made_under: recheck.trust_version(),
            recheck,
            verified,
            reads: Mutex::default(),
        }
    }

    /// Whether a session `value` that `name` hands over now may be kept:
    /// no reload since the cache was made; or every chain accepted for
    /// `name`, on record, is accepted by the trust in force; or the chain
    /// read out of `value` is (at most [`READS_PER_NAME`] reads between
    /// two sessions taken).
    fn keeps(&self, name: &ServerName<'_>, value: &impl fmt::Debug) -> bool {
        if self.recheck.trust_version() == self.made_under
            || self.verified.vouch_for(name, &self.recheck)
        {
            return true;
        }
        {
            let mut reads = self.reads.lock().unwrap_or_else(|e| e.into_inner());
            if reads.len() >= COUNTED_NAMES {
                reads.clear();
            }
            let count = reads.entry(name.to_str().to_ascii_lowercase()).or_default();
            if *count >= READS_PER_NAME {
                return false;
            }
            *count += 1;
        }
        server_chain(value).is_some_and(|chain| self.recheck.accepts(&chain, Some(name)))
    }

    /// A session of `name` was taken: its reads start over.
    fn taken(&self, name: &ServerName<'_>) {
        let mut reads = self.reads.lock().unwrap_or_else(|e| e.into_inner());
        reads.remove(&name.to_str().to_ascii_lowercase());
    }
}

/// The trust's verifier, what it decides, and the client's key, as the
/// cache was filled under them.
struct FilledUnder {
    verifier: Arc<ChainVerifier>,
    decision: [u8; 32],
    key: Option<Arc<CertifiedKey>>,
}

impl LiveClientSessions {
    /// A cache forgotten when `trust` changes what it decides or when
    /// `identity` is built again, keeping a session handed over only if
    /// `gate` does (when the server is verified).
    pub(crate) fn new(
        trust: Arc<Trust>,
        identity: Option<Arc<Rebuilt<CertifiedKey>>>,
        gate: Option<Gate>,
    ) -> Self {
        let verifier = trust.current();
        let filled = FilledUnder {
            decision: verifier.decision_digest(),
            verifier,
            key: identity.as_ref().map(|identity| identity.get()),
        };
        Self {
            cache: ArcSwap::from_pointee(ClientSessionMemoryCache::new(CLIENT_SESSIONS)),
            trust,
            identity,
            filled_under: Mutex::new(filled),
            gate,
        }
    }

    /// The cache, emptied first when the trust changed what it decides or
    /// the identity was read again.
    fn cache(&self) -> Arc<ClientSessionMemoryCache> {
        let verifier = self.trust.current();
        let key = self.identity.as_ref().map(|identity| identity.get());
        let mut filled = self.filled_under.lock().unwrap_or_else(|e| e.into_inner());
        let mut changed = false;
        if !Arc::ptr_eq(&filled.verifier, &verifier) {
            let decision = verifier.decision_digest();
            changed = decision != filled.decision;
            (filled.verifier, filled.decision) = (verifier, decision);
        }
        if let (Some(key), Some(filled_key)) = (key, &mut filled.key) {
            if !Arc::ptr_eq(&key, filled_key) {
                changed = true;
                *filled_key = key;
            }
        }
        if changed {
            self.cache
                .store(Arc::new(ClientSessionMemoryCache::new(CLIENT_SESSIONS)));
        }
        self.cache.load_full()
    }

    /// Whether a session `value` that `name` hands over now may be kept:
    /// its connection presented the identity in force, and the gate keeps
    /// it.
    fn keeps(&self, name: &ServerName<'_>, value: &impl fmt::Debug) -> bool {
        self.of_identity_in_force()
            && self
                .gate
                .as_ref()
                .is_none_or(|gate| gate.keeps(name, value))
    }

    /// Whether the connection handing over a session now presented the
    /// certificate the identity's files hold now, or none. Known for this
    /// crate's client connections (their steps run inside
    /// [`presenting`](super::presenting)); a raw rustls connection's is
    /// unknown, and its session is kept (the cache was emptied when the
    /// files were read again, see [`cache`](Self::cache)).
    fn of_identity_in_force(&self) -> bool {
        let (Some(identity), Some(Some(presented))) = (&self.identity, presented_here()) else {
            return true;
        };
        let current = identity.get();
        Arc::ptr_eq(&presented, &current) || presented.cert.first() == current.cert.first()
    }

    /// A session of `name` was taken to resume.
    fn taken(&self, name: &ServerName<'_>) {
        if let Some(gate) = &self.gate {
            gate.taken(name);
        }
    }

    /// `session`, taken to resume: the connection taking it will be known
    /// by the key in force (the cache holds only sessions of that key: it
    /// was emptied when the key changed), also to the tickets it receives,
    /// though its resolver is never asked.
    fn resuming<T>(&self, session: Option<T>) -> Option<T> {
        if let (Some(identity), Some(_)) = (&self.identity, &session) {
            resuming_as(identity.get());
        }
        session
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
        if self.keeps(&server_name, &value) {
            cache.set_tls12_session(server_name, value);
        }
    }

    fn tls12_session(&self, server_name: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        self.taken(server_name);
        self.resuming(self.cache().tls12_session(server_name))
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
        if self.keeps(&server_name, &value) {
            cache.insert_tls13_ticket(server_name, value);
        }
    }

    fn take_tls13_ticket(
        &self,
        server_name: &ServerName<'static>,
    ) -> Option<Tls13ClientSessionValue> {
        self.taken(server_name);
        self.resuming(self.cache().take_tls13_ticket(server_name))
    }
}

impl fmt::Debug for LiveClientSessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveClientSessions").finish_non_exhaustive()
    }
}
