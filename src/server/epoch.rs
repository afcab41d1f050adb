//! Resumption bound to the trust a client was verified under: a server
//! whose CA certificates or revocation lists are reloaded must not resume a
//! session whose client certificate the old trust accepted (a revoked
//! client would otherwise come back on its ticket for the ticket's
//! lifetime). Tickets and cached sessions are tagged with a digest of the
//! trust, and a tag that is not the current one opens nothing: the client
//! makes a full handshake and is verified again.
//!
//! The digest is of the trust's content, so a fleet of servers reading the
//! same files (and sharing ticket keys) resumes each other's sessions.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rustls::server::{ProducesTickets, StoresServerSessions};
use sha2::{Digest, Sha256};

use crate::{Certificate, RevocationList};

const TAG: usize = 8;

/// The current trust's digest.
#[derive(Debug)]
pub(crate) struct TrustEpoch(AtomicU64);

impl TrustEpoch {
    /// The epoch of a trust: its CA certificates and revocation lists.
    pub(crate) fn new(ca: &[Certificate], lists: &[RevocationList]) -> Self {
        Self(AtomicU64::new(digest(ca, lists)))
    }

    /// Moves to another trust: what was issued before no longer opens
    /// (unless the trust's content did not change).
    pub(crate) fn advance(&self, ca: &[Certificate], lists: &[RevocationList]) {
        self.0.store(digest(ca, lists), Ordering::Release);
    }

    fn tag(&self) -> [u8; TAG] {
        self.0.load(Ordering::Acquire).to_be_bytes()
    }

    fn strip<'a>(&self, tagged: &'a [u8]) -> Option<&'a [u8]> {
        let (tag, rest) = tagged.split_at_checked(TAG)?;
        (tag == self.tag()).then_some(rest)
    }
}

fn digest(ca: &[Certificate], lists: &[RevocationList]) -> u64 {
    let mut hash = Sha256::new();
    let ca = ca.iter().map(Certificate::as_der);
    let lists = lists.iter().map(RevocationList::as_der);
    for der in ca.chain(std::iter::once(&[][..])).chain(lists) {
        hash.update((der.len() as u64).to_be_bytes());
        hash.update(der);
    }
    let out = hash.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&out[..8]);
    u64::from_be_bytes(first)
}

/// A ticketer whose tickets carry the trust epoch they were sealed in.
pub(crate) struct EpochTickets {
    inner: Arc<dyn ProducesTickets>,
    epoch: Arc<TrustEpoch>,
}

impl EpochTickets {
    pub(crate) fn new(inner: Arc<dyn ProducesTickets>, epoch: Arc<TrustEpoch>) -> Self {
        Self { inner, epoch }
    }
}

impl ProducesTickets for EpochTickets {
    fn enabled(&self) -> bool {
        self.inner.enabled()
    }

    fn lifetime(&self) -> u32 {
        self.inner.lifetime()
    }

    fn encrypt(&self, plain: &[u8]) -> Option<Vec<u8>> {
        let sealed = self.inner.encrypt(plain)?;
        let mut tagged = Vec::with_capacity(TAG + sealed.len());
        tagged.extend_from_slice(&self.epoch.tag());
        tagged.extend_from_slice(&sealed);
        Some(tagged)
    }

    fn decrypt(&self, cipher: &[u8]) -> Option<Vec<u8>> {
        self.inner.decrypt(self.epoch.strip(cipher)?)
    }
}

impl fmt::Debug for EpochTickets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EpochTickets")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

/// A session cache whose entries carry the trust epoch they were stored in.
pub(crate) struct EpochSessions {
    inner: Arc<dyn StoresServerSessions>,
    epoch: Arc<TrustEpoch>,
}

impl EpochSessions {
    pub(crate) fn new(inner: Arc<dyn StoresServerSessions>, epoch: Arc<TrustEpoch>) -> Self {
        Self { inner, epoch }
    }

    fn current(&self, tagged: Vec<u8>) -> Option<Vec<u8>> {
        self.epoch.strip(&tagged).map(<[u8]>::to_vec)
    }
}

impl StoresServerSessions for EpochSessions {
    fn put(&self, key: Vec<u8>, value: Vec<u8>) -> bool {
        let mut tagged = Vec::with_capacity(TAG + value.len());
        tagged.extend_from_slice(&self.epoch.tag());
        tagged.extend_from_slice(&value);
        self.inner.put(key, tagged)
    }

    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.current(self.inner.get(key)?)
    }

    fn take(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.current(self.inner.take(key)?)
    }

    fn can_cache(&self) -> bool {
        self.inner.can_cache()
    }
}

impl fmt::Debug for EpochSessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EpochSessions")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}
