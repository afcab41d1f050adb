//! The certificate a client presents when its identity is read from files,
//! and which one a connection presented.
//!
//! rustls asks the resolver for the client's certificate when the server
//! requests one: in TLS 1.2 a whole flight before the handshake ends (the
//! server's Finished is still to come), time enough for a reload to read
//! other files. So that a connection's `SessionState` reports the chain it
//! presented, a client handshake runs each step inside [`presenting`]: the
//! resolver, which rustls calls synchronously within that step on the same
//! thread, leaves the key it handed out in a thread-local slot the step
//! then takes.
//!
//! The same slot tells the session cache, which rustls also calls within
//! the step, which key the connection handing over a session presented
//! ([`presented_here`]): the crate's client streams run their reads and
//! writes after the handshake inside [`presenting`] too when the identity
//! follows files, so that a ticket arriving after a reload, of a
//! connection that presented the old certificate, is not kept.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use rustls::client::ResolvesClientCert;
use rustls::sign::CertifiedKey;
use rustls::SignatureScheme;

use crate::live::Rebuilt;

/// A client's certificate and key, built again when their files change.
pub(crate) struct LiveClientIdentity {
    key: Arc<Rebuilt<CertifiedKey>>,
}

impl LiveClientIdentity {
    pub(crate) fn new(key: Arc<Rebuilt<CertifiedKey>>) -> Self {
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
        key.key.choose_scheme(sigschemes)?;
        SLOT.with(|slot| {
            if let Some(presented) = slot.borrow_mut().as_mut() {
                *presented = Some(Arc::clone(&key));
            }
        });
        Some(key)
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

thread_local! {
    /// `Some` while a step of one of this crate's client connections runs
    /// on this thread, holding the key that connection presented
    /// (`Some(None)` while it presented none).
    static SLOT: RefCell<Option<Option<Arc<CertifiedKey>>>> = const { RefCell::new(None) };
}

/// Runs `step` (some of a client connection's handshake, or its I/O after)
/// for a connection that presented `presented` so far, which it updates
/// with the key a [`LiveClientIdentity`] hands out during the step.
pub(crate) fn presenting<R>(
    presented: &mut Option<Arc<CertifiedKey>>,
    step: impl FnOnce() -> R,
) -> R {
    /// Gives the connection back what the slot holds and puts back the
    /// slot of an enclosing step, also if `step` unwinds (a socket that
    /// panics, caught by the caller: the stream lives on, and must not
    /// forget which key it presented).
    struct Restore<'a> {
        presented: &'a mut Option<Arc<CertifiedKey>>,
        outer: Option<Option<Arc<CertifiedKey>>>,
    }
    impl Drop for Restore<'_> {
        fn drop(&mut self) {
            let outer = self.outer.take();
            *self.presented = SLOT.with(|slot| slot.replace(outer)).flatten();
        }
    }
    let outer = SLOT.with(|slot| slot.replace(Some(presented.take())));
    let _restore = Restore { presented, outer };
    step()
}

/// A session of `key`'s is taken to resume: the connection whose step runs
/// on this thread, having presented no certificate yet, is known to the
/// server by `key` if it resumes (no certificate is asked for then), and
/// so are the tickets it receives.
pub(crate) fn resuming_as(key: Arc<CertifiedKey>) {
    SLOT.with(|slot| {
        if let Some(presented @ None) = slot.borrow_mut().as_mut() {
            *presented = Some(key);
        }
    });
}

/// The key the client connection whose step runs on this thread presented
/// (`Some(None)`: none); `None` outside the steps of this crate's client
/// connections (a connection of a raw rustls config: unknown).
pub(crate) fn presented_here() -> Option<Option<Arc<CertifiedKey>>> {
    SLOT.with(|slot| slot.borrow().clone())
}
