//! Resumption bound to the decision that accepted the client (DESIGN.md
//! rule 2). A session resumed on a ticket or a cached entry skips the
//! client's certificate check; it is therefore resumed only by a server
//! whose acceptance policy is the one that accepted it, within a lifetime
//! counted from its first full handshake.
//!
//! Every ticket and cached session carries, sealed with it (inside the
//! ticketer's encryption, so that a client can neither read nor rewrite
//! it), an envelope:
//!
//! ```text
//! version (1) || policy tag (16) || first handshake (8) || valid until (8) || session state
//! ```
//!
//! - the **policy tag**: a digest of what decides whether this server
//!   accepts a client (verify mode and whether a certificate is required,
//!   CA certificates, revocation lists and how they are checked, pins,
//!   depth, expected errors; `convert::server::resumption_tag`). A server
//!   opens only tickets with its own tag: a fleet sharing ticket keys
//!   resumes across servers with the same policy and nowhere else, and a
//!   reload that changes what decides ends the resumption of what the old
//!   policy accepted;
//! - the **time of the first full handshake**, seconds since the Unix
//!   epoch: a ticket issued on a resumed connection keeps it, and no ticket
//!   opens past the lifetime counted from it, however often it was renewed
//!   (RFC 8446 4.6.1);
//! - **valid until**: the end of the client certificate's validity, when
//!   one was verified: a session does not outlive its certificate.
//!
//! rustls tells a ticketer nothing of the connection a ticket is for. The
//! crate's own `accept`/`accept_async` run each handshake step inside
//! [`carrying`], which carries the first handshake's time and the
//! certificate's end from the ticket opened (and from the verifier) to the
//! tickets sealed for the same connection. Through a raw `server_config()`
//! there is no such step: a ticket sealed on a resumed connection counts
//! its lifetime from that connection, and the certificate's end is not
//! sealed; the policy tag holds everywhere.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls::pki_types::CertificateDer;
use rustls::server::{ProducesTickets, StoresServerSessions};

use super::session_state::client_chain;
use crate::live::Rebuilt;
use crate::provider::primitives::digest;

const VERSION: u8 = 1;
const TAG_LEN: usize = 16;
const ENVELOPE_LEN: usize = 1 + TAG_LEN + 8 + 8;

/// What decides whether a server accepts a client, as a digest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PolicyTag([u8; TAG_LEN]);

impl PolicyTag {
    /// The tag of a policy described by `parts`, each fed whole (its length
    /// first, so that no two descriptions run together).
    pub(crate) fn of<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> Self {
        let mut hash = digest::Context::new(&digest::SHA256);
        for part in parts {
            hash.update(&(part.len() as u64).to_be_bytes());
            hash.update(part);
        }
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(&hash.finish().as_ref()[..TAG_LEN]);
        Self(tag)
    }
}

/// Whether a resumed client's chain is accepted by the trust in force.
pub(crate) type Recheck = Box<dyn Fn(&[CertificateDer<'static>]) -> bool + Send + Sync>;

/// A server's acceptance policy, as tickets are sealed and opened with it.
pub(crate) struct ResumptionPolicy {
    /// Built again when the trust files change: a reload that changes what
    /// decides ends the resumption of what the old policy accepted.
    tag: Rebuilt<PolicyTag>,
    /// How long a session resumes after its first full handshake.
    lifetime_secs: u64,
    /// For a server whose trust follows files, the check of a resumed
    /// client's chain by the trust in force: a ticket sealed under a tag
    /// in the instant a reload changed it (its client verified under the
    /// old trust, its ticket sealed under the new) opens only for a
    /// client the new trust accepts.
    recheck: Option<Recheck>,
}

impl ResumptionPolicy {
    pub(crate) fn new(tag: Rebuilt<PolicyTag>, lifetime: Duration) -> Self {
        Self {
            tag,
            lifetime_secs: lifetime.as_secs(),
            recheck: None,
        }
    }

    /// This policy, checking a resumed client's chain again with `recheck`.
    pub(crate) fn rechecking(self, recheck: Recheck) -> Self {
        Self {
            recheck: Some(recheck),
            ..self
        }
    }

    /// `state` in its envelope, for the connection of the current
    /// [`carrying`] step (if any).
    fn seal(&self, state: &[u8]) -> Vec<u8> {
        let now = now_secs();
        let carried = current();
        let first = carried.first_handshake.map_or(now, |first| first.min(now));
        let valid_until = carried.valid_until.unwrap_or(u64::MAX);
        let mut sealed = Vec::with_capacity(ENVELOPE_LEN + state.len());
        sealed.push(VERSION);
        sealed.extend_from_slice(&self.tag.get().0);
        sealed.extend_from_slice(&first.to_be_bytes());
        sealed.extend_from_slice(&valid_until.to_be_bytes());
        sealed.extend_from_slice(state);
        sealed
    }

    /// The session state of an envelope sealed under this policy's tag,
    /// still within its lifetime and its certificate's validity; what it
    /// carries is handed to the current [`carrying`] step.
    fn open(&self, mut sealed: Vec<u8>) -> Option<Vec<u8>> {
        let envelope = sealed.get(..ENVELOPE_LEN)?;
        let (version, rest) = envelope.split_first()?;
        let (tag, times) = rest.split_at(TAG_LEN);
        let first = u64::from_be_bytes(times[..8].try_into().ok()?);
        let valid_until = u64::from_be_bytes(times[8..].try_into().ok()?);
        let now = now_secs();
        let current = *version == VERSION
            && tag == self.tag.get().0
            && now <= first.saturating_add(self.lifetime_secs)
            && now <= valid_until;
        if !current {
            return None;
        }
        if let Some(recheck) = &self.recheck {
            // A state that does not read opens nothing: a full handshake.
            let chain = client_chain(&sealed[ENVELOPE_LEN..])?;
            if !chain.is_empty() && !recheck(&chain) {
                return None;
            }
        }
        carry(Carried {
            first_handshake: Some(first),
            valid_until: Some(valid_until),
        });
        sealed.drain(..ENVELOPE_LEN);
        Some(sealed)
    }
}

impl fmt::Debug for ResumptionPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResumptionPolicy")
            .field("tag", &*self.tag.get())
            .field("lifetime_secs", &self.lifetime_secs)
            .field("rechecks", &self.recheck.is_some())
            .finish()
    }
}

/// A ticketer whose tickets carry the policy's envelope.
pub(crate) struct PolicyTickets {
    inner: Arc<dyn ProducesTickets>,
    policy: Arc<ResumptionPolicy>,
}

impl PolicyTickets {
    pub(crate) fn new(inner: Arc<dyn ProducesTickets>, policy: Arc<ResumptionPolicy>) -> Self {
        Self { inner, policy }
    }
}

impl ProducesTickets for PolicyTickets {
    fn enabled(&self) -> bool {
        self.inner.enabled()
    }

    fn lifetime(&self) -> u32 {
        self.inner.lifetime()
    }

    fn encrypt(&self, plain: &[u8]) -> Option<Vec<u8>> {
        self.inner.encrypt(&self.policy.seal(plain))
    }

    fn decrypt(&self, cipher: &[u8]) -> Option<Vec<u8>> {
        self.policy.open(self.inner.decrypt(cipher)?)
    }
}

impl fmt::Debug for PolicyTickets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PolicyTickets")
            .field("inner", &self.inner)
            .field("policy", &self.policy)
            .finish()
    }
}

/// A session cache whose entries carry the policy's envelope.
pub(crate) struct PolicySessions {
    inner: Arc<dyn StoresServerSessions>,
    policy: Arc<ResumptionPolicy>,
}

impl PolicySessions {
    pub(crate) fn new(inner: Arc<dyn StoresServerSessions>, policy: Arc<ResumptionPolicy>) -> Self {
        Self { inner, policy }
    }
}

impl StoresServerSessions for PolicySessions {
    fn put(&self, key: Vec<u8>, value: Vec<u8>) -> bool {
        self.inner.put(key, self.policy.seal(&value))
    }

    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.policy.open(self.inner.get(key)?)
    }

    fn take(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.policy.open(self.inner.take(key)?)
    }

    fn can_cache(&self) -> bool {
        self.inner.can_cache()
    }
}

impl fmt::Debug for PolicySessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PolicySessions")
            .field("inner", &self.inner)
            .field("policy", &self.policy)
            .finish()
    }
}

/// What one connection's handshake carries from the ticket it opened, or
/// from the client certificate it verified, to the tickets sealed for it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Carried {
    /// When the session's first full handshake was.
    first_handshake: Option<u64>,
    /// When the client certificate the session was accepted with expires.
    valid_until: Option<u64>,
}

thread_local! {
    /// `Some` while a step of a handshake that carries runs on this thread.
    static CARRIED: RefCell<Option<Carried>> = const { RefCell::new(None) };
}

/// Runs `step`, some of one connection's handshake (rustls calls the
/// ticketer and the verifier synchronously within it, on this thread), with
/// what earlier steps of the same connection carried; `carried` is updated
/// with what this step adds. Steps nest (TLS inside TLS on one thread).
pub(crate) fn carrying<R>(carried: &mut Carried, step: impl FnOnce() -> R) -> R {
    /// Puts back the enclosing step's state, even if `step` panics.
    struct Restore(Option<Carried>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let outer = self.0.take();
            CARRIED.with(|slot| *slot.borrow_mut() = outer);
        }
    }
    let outer = CARRIED.with(|slot| slot.replace(Some(*carried)));
    let restore = Restore(outer);
    let result = step();
    if let Some(now) = CARRIED.with(|slot| *slot.borrow()) {
        *carried = now;
    }
    drop(restore);
    result
}

/// Records when the client's certificate, accepted in this step, expires
/// (`valid_until` is asked only inside [`carrying`]; a certificate whose
/// end cannot be read ends the session now).
pub(crate) fn note_certificate_valid_until(valid_until: impl FnOnce() -> Option<SystemTime>) {
    CARRIED.with(|slot| {
        if let Some(carried) = slot.borrow_mut().as_mut() {
            let secs = valid_until()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_secs());
            carried.valid_until = Some(carried.valid_until.map_or(secs, |v| v.min(secs)));
        }
    });
}

/// What the current step carries (nothing outside [`carrying`]).
fn current() -> Carried {
    CARRIED.with(|slot| slot.borrow().unwrap_or_default())
}

/// Adds what an opened ticket carries to the current step's.
fn carry(opened: Carried) {
    CARRIED.with(|slot| {
        if let Some(carried) = slot.borrow_mut().as_mut() {
            carried.first_handshake = opened.first_handshake;
            carried.valid_until = opened.valid_until;
        }
    });
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::{Commit, FileSetting};

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

    fn tag(n: u8) -> PolicyTag {
        PolicyTag::of([&[n][..]])
    }

    /// A policy whose tag is `tag(n)` for the `n` a setting holds: a commit
    /// of another `n` is a reload that changes what decides.
    fn policy_of(setting: &Arc<FileSetting<u8>>) -> Arc<ResumptionPolicy> {
        let read = Arc::clone(setting);
        let tag = Rebuilt::new(vec![setting.clone()], move || Ok(tag(*read.current()))).unwrap();
        Arc::new(ResumptionPolicy::new(tag, Duration::from_secs(60)))
    }

    fn fixed(n: u8) -> Arc<ResumptionPolicy> {
        policy_of(&FileSetting::new(Vec::new(), n))
    }

    fn ticketer(policy: &Arc<ResumptionPolicy>) -> PolicyTickets {
        PolicyTickets::new(Arc::new(Clear), policy.clone())
    }

    #[test]
    fn a_ticket_opens_only_under_its_policy_and_its_tag_is_sealed() {
        let setting = FileSetting::new(Vec::new(), 1u8);
        let policy = policy_of(&setting);
        let tickets = ticketer(&policy);
        let ticket = tickets.encrypt(b"session").unwrap();
        assert_eq!(tickets.decrypt(&ticket).as_deref(), Some(&b"session"[..]));
        // Another server's policy, or this one's after a reload.
        let other = fixed(2);
        assert_eq!(ticketer(&other).decrypt(&ticket), None);
        let mut commit = Commit::default();
        commit.set(&setting, 2);
        commit.apply();
        assert_eq!(tickets.decrypt(&ticket), None);
        // Too short to hold an envelope, or another version: nothing, no panic.
        for bad in [&b"sealed:abc"[..], &b"sealed:"[..]] {
            assert_eq!(tickets.decrypt(bad), None);
        }
        let mut other_version = ticket.clone();
        other_version[7] = VERSION + 1;
        assert_eq!(ticketer(&other).decrypt(&other_version), None);
    }

    /// Seals an envelope as `seal` does, with chosen times.
    fn sealed(tag: PolicyTag, first: u64, valid_until: u64) -> Vec<u8> {
        let mut plain = vec![VERSION];
        plain.extend_from_slice(&tag.0);
        plain.extend_from_slice(&first.to_be_bytes());
        plain.extend_from_slice(&valid_until.to_be_bytes());
        plain.extend_from_slice(b"state");
        [b"sealed:", &plain[..]].concat()
    }

    #[test]
    fn the_lifetime_counts_from_the_first_handshake_and_ends_with_the_certificate() {
        let policy = fixed(1);
        let tickets = ticketer(&policy);
        let now = now_secs();
        assert!(tickets
            .decrypt(&sealed(tag(1), now - 59, u64::MAX))
            .is_some());
        assert_eq!(tickets.decrypt(&sealed(tag(1), now - 61, u64::MAX)), None);
        assert_eq!(tickets.decrypt(&sealed(tag(1), now, now - 1)), None);
    }

    #[test]
    fn a_renewed_ticket_keeps_its_first_handshake_within_a_carrying_step() {
        let policy = fixed(1);
        let tickets = ticketer(&policy);
        let now = now_secs();
        let old = sealed(tag(1), now - 50, now + 1000);
        let mut carried = Carried::default();
        // One connection: the ticket opened in one step, the new one
        // sealed in a later step.
        carrying(&mut carried, || assert!(tickets.decrypt(&old).is_some()));
        let renewed = carrying(&mut carried, || tickets.encrypt(b"state").unwrap());
        let plain = Clear.decrypt(&renewed).unwrap();
        assert_eq!(plain[17..25], (now - 50).to_be_bytes());
        assert_eq!(plain[25..33], (now + 1000).to_be_bytes());
        // Another connection, and no step at all: a first handshake now.
        let mut fresh = Carried::default();
        let new = carrying(&mut fresh, || tickets.encrypt(b"state").unwrap());
        let plain = Clear.decrypt(&new).unwrap();
        assert!(u64::from_be_bytes(plain[17..25].try_into().unwrap()) >= now);
        assert_eq!(plain[25..33], u64::MAX.to_be_bytes());
        // The certificate verified in a step ends the session's validity.
        let mut verified = Carried::default();
        let until = UNIX_EPOCH + Duration::from_secs(now + 30);
        let ticket = carrying(&mut verified, || {
            note_certificate_valid_until(|| Some(until));
            tickets.encrypt(b"state").unwrap()
        });
        let plain = Clear.decrypt(&ticket).unwrap();
        assert_eq!(plain[25..33], (now + 30).to_be_bytes());
        // Outside a step nothing is noted, nothing leaks into the next.
        note_certificate_valid_until(|| panic!("asked outside a step"));
        assert_eq!(current(), Carried::default());
    }
}
