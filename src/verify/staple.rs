//! The OCSP response a server staples, carried from the verifier that
//! rustls hands it to into the connection being set up.
//!
//! rustls gives the staple only to `ServerCertVerifier::verify_server_cert`,
//! of which a config has one for all its connections. A connection that
//! keeps the staple runs its handshake inside [`capturing`]: the verifier,
//! which rustls calls synchronously within that handshake step on the same
//! thread, leaves the staple in a thread-local slot that the step then
//! takes. The config and its verifier stay shared, so sessions still
//! resume (rustls resumes only with the verifier that verified them);
//! connections that do not keep staples never touch the slot.

use std::cell::RefCell;

/// What a verifier saw: the end-entity certificate (DER) it verified and
/// the staple that came with it. The certificate tells whose staple it is:
/// another handshake run within the step (TLS inside TLS on this thread)
/// could record its own.
pub(crate) type Seen = (Vec<u8>, Vec<u8>);

thread_local! {
    /// `Some` while a handshake step that keeps the staple runs on this
    /// thread; then `Some(Some(seen))` once the verifier saw one.
    static SLOT: RefCell<Option<Option<Seen>>> = const { RefCell::new(None) };
}

/// Runs `step` (some of a client handshake) and returns with its result the
/// OCSP response the server stapled, if the verifier saw one during it.
pub(crate) fn capturing<R>(step: impl FnOnce() -> R) -> (R, Option<Seen>) {
    /// Puts back the slot of an enclosing step, even if `step` panics.
    struct Restore(Option<Option<Seen>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let outer = self.0.take();
            SLOT.with(|slot| *slot.borrow_mut() = outer);
        }
    }
    let outer = SLOT.with(|slot| slot.replace(Some(None)));
    let restore = Restore(outer);
    let result = step();
    let staple = SLOT.with(|slot| slot.borrow_mut().take()).flatten();
    drop(restore);
    (result, staple)
}

/// Called by the verifier with the certificate it verified and what the
/// server stapled (empty: nothing): kept when a step is [`capturing`] on
/// this thread, ignored otherwise.
pub(crate) fn record(end_entity: &[u8], ocsp_response: &[u8]) {
    if ocsp_response.is_empty() {
        return;
    }
    SLOT.with(|slot| {
        if let Some(kept) = slot.borrow_mut().as_mut() {
            *kept = Some((end_entity.to_vec(), ocsp_response.to_vec()));
        }
    });
}

/// The staple of a finished handshake: what was seen with the certificate
/// this connection's peer presented, nothing else.
pub(crate) fn staple_of(conn: &rustls::CommonState, seen: Option<Seen>) -> Option<Vec<u8>> {
    let (end_entity, staple) = seen?;
    let peer = conn.peer_certificates()?.first()?;
    (peer.as_ref() == end_entity.as_slice()).then_some(staple)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_capturing_step_keeps_the_staple() {
        record(b"ee", b"outside");
        let ((), staple) = capturing(|| record(b"ee", b"inside"));
        assert_eq!(staple, Some((b"ee".to_vec(), b"inside".to_vec())));
        let ((), none) = capturing(|| record(b"ee", b""));
        assert_eq!(none, None);
        // Nested steps keep their own; the outer one's survives the inner.
        let ((), outer) = capturing(|| {
            record(b"ee", b"outer");
            let ((), inner) = capturing(|| record(b"ee", b"inner"));
            assert_eq!(inner.map(|(_, s)| s), Some(b"inner".to_vec()));
        });
        assert_eq!(outer.map(|(_, s)| s), Some(b"outer".to_vec()));
        let ((), after) = capturing(|| {});
        assert_eq!(after, None);
    }
}
