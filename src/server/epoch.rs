//! Resumption bound to the trust a client was verified under: a server
//! whose CA certificates or revocation lists are reloaded must not resume a
//! session whose client certificate the old trust accepted (a revoked
//! client would otherwise come back on its ticket for the ticket's
//! lifetime). Tickets and cached sessions are tagged with a digest of the
//! trust, and a tag that is not the current one opens nothing: the client
//! makes a full handshake and is verified again. A ticket's tag is sealed
//! inside it, so a client cannot rewrite it.
//!
//! The digest is of what the trust decides, the CA certificates and the
//! serial numbers each list revokes, not of the lists' bytes: a CRL
//! re-issued with nothing new revoked ends no session. A fleet of servers
//! reading the same files (and sharing ticket keys) resumes each other's
//! sessions.
//!
//! A handshake verified just before a reload can still be tagged with the
//! new trust (its ticket is sealed after the swap); the crate's own accept
//! paths therefore verify a resumed client again
//! (`SslConfiguration::recheck_resumed`), and a raw `server_config()` keeps
//! that window.

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

    fn tagged(&self, value: &[u8]) -> Vec<u8> {
        let mut tagged = Vec::with_capacity(TAG + value.len());
        tagged.extend_from_slice(&self.tag());
        tagged.extend_from_slice(value);
        tagged
    }

    /// The value without its tag, when the tag is the current one.
    fn current(&self, mut tagged: Vec<u8>) -> Option<Vec<u8>> {
        let (tag, _) = tagged.split_at_checked(TAG)?;
        if tag != self.tag() {
            return None;
        }
        tagged.drain(..TAG);
        Some(tagged)
    }
}

fn digest(ca: &[Certificate], lists: &[RevocationList]) -> u64 {
    let mut hash = Sha256::new();
    let ca = ca.iter().map(Certificate::as_der);
    let lists = lists.iter().map(RevocationList::decision_digest);
    for der in ca.chain(std::iter::once(&[][..])) {
        hash.update((der.len() as u64).to_be_bytes());
        hash.update(der);
    }
    let mut decisions: Vec<[u8; 32]> = lists.collect();
    decisions.sort_unstable();
    decisions.dedup();
    for decision in decisions {
        hash.update(decision);
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
        self.inner.encrypt(&self.epoch.tagged(plain))
    }

    fn decrypt(&self, cipher: &[u8]) -> Option<Vec<u8>> {
        self.epoch.current(self.inner.decrypt(cipher)?)
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
}

impl StoresServerSessions for EpochSessions {
    fn put(&self, key: Vec<u8>, value: Vec<u8>) -> bool {
        self.inner.put(key, self.epoch.tagged(&value))
    }

    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.epoch.current(self.inner.get(key)?)
    }

    fn take(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.epoch.current(self.inner.take(key)?)
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

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::server::ProducesTickets;

    /// Seals with a fixed prefix only, so that a test can see and forge
    /// what is sealed.
    #[derive(Debug)]
    struct Clear;

    impl ProducesTickets for Clear {
        fn enabled(&self) -> bool {
            true
        }
        fn lifetime(&self) -> u32 {
            60
        }
        fn encrypt(&self, plain: &[u8]) -> Option<Vec<u8>> {
            Some([b"sealed:", plain].concat())
        }
        fn decrypt(&self, cipher: &[u8]) -> Option<Vec<u8>> {
            cipher.strip_prefix(b"sealed:").map(<[u8]>::to_vec)
        }
    }

    #[test]
    fn a_ticket_opens_only_in_its_epoch_and_its_tag_is_sealed() {
        let epoch = Arc::new(TrustEpoch(AtomicU64::new(1)));
        let tickets = EpochTickets::new(Arc::new(Clear), epoch.clone());
        let ticket = tickets.encrypt(b"session").unwrap();
        assert_eq!(tickets.decrypt(&ticket).as_deref(), Some(&b"session"[..]));
        // Nothing outside the sealed bytes says which epoch it is.
        assert!(ticket.starts_with(b"sealed:"));

        epoch.0.store(2, Ordering::Release);
        assert_eq!(tickets.decrypt(&ticket), None);
        // The current tag put in front of the old ticket opens nothing.
        let forged = [&2u64.to_be_bytes()[..], &ticket].concat();
        assert_eq!(tickets.decrypt(&forged), None);
        // Too short to hold a tag: nothing, no panic.
        assert_eq!(tickets.decrypt(b"sealed:abc"), None);
    }
}
