//! What `connect_quic`/`accept_quic` learn of the connection they start:
//! how its TLS handshake ended.
//!
//! quinn starts a connection's crypto session synchronously inside
//! `Endpoint::connect_with` and `Incoming::accept`, on the caller's thread.
//! A helper runs that call inside [`observing`]; the session started
//! within it (of this crate's configs) is handed an [`Observed`] that it
//! fills as its handshake ends, and the helper keeps it. Sessions started
//! outside (raw quinn use) observe nothing and cost nothing more.

use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

use crate::{Certificate, SessionState};

/// How one connection's handshake ended, told once.
#[derive(Debug, Default)]
pub(crate) struct Observed {
    /// The rustls config the session was started with: which
    /// configuration's it is.
    config: usize,
    outcome: OnceLock<Outcome>,
    /// A server's: set when its handshake failed with no identity chosen,
    /// to the name the client asked for (`None`: it asked for none).
    refused: OnceLock<Option<String>>,
}

/// A finished handshake, or the TLS error that ended it.
#[derive(Clone, Debug)]
pub(crate) enum Outcome {
    Finished(Box<Finished>),
    Failed(rustls::Error),
}

/// What a finished handshake tells that quinn's connection does not.
#[derive(Clone, Debug)]
pub(crate) struct Finished {
    /// The state as rustls told it, without what the helper adds (the
    /// verification errors, the local chain, the staple).
    pub(crate) state: SessionState,
    /// Whether the peer sent a certificate chain.
    pub(crate) sent_chain: bool,
    /// The chain a server's resolver chose for this client, when it chose.
    pub(crate) chosen: Option<Vec<Certificate>>,
    /// The OCSP response the server stapled, when the client keeps it.
    pub(crate) staple: Option<Vec<u8>>,
}

impl Observed {
    /// Whether it was started with `config` (compared by address).
    pub(crate) fn started_with<T>(&self, config: &Arc<T>) -> bool {
        self.config == Arc::as_ptr(config) as *const () as usize
    }

    pub(crate) fn finished(&self, finished: Finished) {
        let _ = self.outcome.set(Outcome::Finished(Box::new(finished)));
    }

    pub(crate) fn failed(&self, error: rustls::Error) {
        let _ = self.outcome.set(Outcome::Failed(error));
    }

    /// The outcome, once told: taken when the session let go of it (it
    /// does once it told), else copied.
    pub(crate) fn take(self: Arc<Self>) -> Option<Outcome> {
        match Arc::try_unwrap(self) {
            Ok(observed) => observed.outcome.into_inner(),
            Err(shared) => shared.outcome.get().cloned(),
        }
    }

    /// Notes that a server's handshake chose no identity for `name`.
    pub(crate) fn refused(&self, name: Option<String>) {
        let _ = self.refused.set(name);
    }

    /// The name a server chose no identity for, if its handshake failed so.
    pub(crate) fn refused_name(&self) -> Option<Option<String>> {
        self.refused.get().cloned()
    }

    /// The TLS error that ended the handshake, if one did.
    pub(crate) fn failure(&self) -> Option<&rustls::Error> {
        match self.outcome.get()? {
            Outcome::Failed(error) => Some(error),
            Outcome::Finished(_) => None,
        }
    }
}

thread_local! {
    /// `Some` while a helper starts a connection on this thread; then
    /// `Some(Some(observed))` once a session was started within it.
    static SLOT: RefCell<Option<Option<Arc<Observed>>>> = const { RefCell::new(None) };
}

/// Runs `start` (quinn's call that starts a connection) and returns with
/// its result what the session it started will tell, if one of this
/// crate's sessions was started within it.
pub(crate) fn observing<R>(start: impl FnOnce() -> R) -> (R, Option<Arc<Observed>>) {
    /// Puts back the slot of an enclosing call, even if `start` panics.
    struct Restore(Option<Option<Arc<Observed>>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let outer = self.0.take();
            SLOT.with(|slot| *slot.borrow_mut() = outer);
        }
    }
    let outer = SLOT.with(|slot| slot.replace(Some(None)));
    let restore = Restore(outer);
    let result = start();
    let observed = SLOT.with(|slot| slot.borrow_mut().take()).flatten();
    drop(restore);
    (result, observed)
}

/// For a session being started with `config`: what it tells, when a
/// helper is [`observing`] on this thread; `None` otherwise.
pub(crate) fn observer<T>(config: &Arc<T>) -> Option<Arc<Observed>> {
    SLOT.with(|slot| {
        let mut slot = slot.borrow_mut();
        let kept = slot.as_mut()?;
        let observed = Arc::new(Observed {
            config: Arc::as_ptr(config) as *const () as usize,
            outcome: OnceLock::new(),
            refused: OnceLock::new(),
        });
        *kept = Some(Arc::clone(&observed));
        Some(observed)
    })
}
