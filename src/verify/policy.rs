//! What each side does with the peer's certificate, for each verify mode,
//! and when expected errors admit a peer whose chain failed.

use super::diagnose::Failure;
use crate::{PeerVerifyMode, SslError, SslErrorKind};

/// What one side of a connection does with the peer's certificate chain,
/// resolved from the verify mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PeerCheck {
    /// A server does not ask for a client certificate.
    NotRequested,
    /// The chain is accepted whatever it is (the peer still proves it holds
    /// the key); what is wrong with it is recorded for `SessionState`.
    Recorded,
    /// The chain must verify or the handshake fails. `required`: a server
    /// refuses a client that sends none.
    Verified {
        /// Whether a client must send a certificate.
        required: bool,
    },
}

impl PeerCheck {
    /// A client's check of the server.
    pub(crate) fn client(mode: PeerVerifyMode) -> Self {
        match mode {
            PeerVerifyMode::VerifyPeer | PeerVerifyMode::AutoVerifyPeer => {
                Self::Verified { required: true }
            }
            PeerVerifyMode::QueryPeer | PeerVerifyMode::VerifyNone => Self::Recorded,
        }
    }

    /// A server's check of the client. `explicit_ca`: whether CA
    /// certificates were configured explicitly; the system store never
    /// authenticates clients.
    pub(crate) fn server(mode: PeerVerifyMode, explicit_ca: bool) -> Self {
        match mode {
            PeerVerifyMode::VerifyNone => Self::NotRequested,
            PeerVerifyMode::QueryPeer => Self::Recorded,
            PeerVerifyMode::VerifyPeer => Self::Verified { required: true },
            // Not Qt's QueryPeer: a raw server config would hand hyper,
            // axum-server, tonic or quinn an unverified chain as the
            // client's identity.
            PeerVerifyMode::AutoVerifyPeer if explicit_ca => Self::Verified { required: false },
            PeerVerifyMode::AutoVerifyPeer => Self::NotRequested,
        }
    }
}

/// Whether a peer whose chain failed is accepted anyway, with the
/// `expected` errors (Qt's `ignoreSslErrors`): every error found is
/// expected, kind and certificate both matching; each is about a
/// certificate that really issued the leaf (or the leaf itself: its key
/// the handshake proves), on links whose signatures verify, so that no
/// certificate copying an expected one's name and key identifier rides on
/// its error; and none is a revocation, which nothing admits. A failure
/// that names no error is never accepted.
pub(crate) fn admits(expected: &[SslError], failure: &Failure) -> bool {
    !expected.is_empty()
        && !failure.errors.is_empty()
        && failure.errors.iter().all(|error| {
            error.kind() != SslErrorKind::CertificateRevoked
                && expected.contains(error)
                && error
                    .certificate()
                    .is_some_and(|cert| failure.linked.contains(cert))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_resolves_per_side() {
        use PeerVerifyMode::*;
        assert_eq!(
            PeerCheck::client(AutoVerifyPeer),
            PeerCheck::client(VerifyPeer)
        );
        assert_eq!(
            PeerCheck::server(AutoVerifyPeer, true),
            PeerCheck::Verified { required: false }
        );
        assert_eq!(
            PeerCheck::server(AutoVerifyPeer, false),
            PeerCheck::NotRequested
        );
        assert_eq!(PeerCheck::server(QueryPeer, false), PeerCheck::Recorded);
        assert_eq!(
            PeerCheck::server(VerifyPeer, true),
            PeerCheck::Verified { required: true }
        );
    }
}
