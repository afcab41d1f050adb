//! What each side does with the peer's certificate, for each verify mode.

use crate::{PeerVerifyMode, SslError};

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

/// Whether a peer whose chain failed with `found` is accepted anyway:
/// every error is among the `expected` ones (Qt's `ignoreSslErrors`), kind
/// and certificate both matching. A failure that names no error is never
/// accepted.
pub(crate) fn all_expected(found: &[SslError], expected: &[SslError]) -> bool {
    !expected.is_empty() && !found.is_empty() && found.iter().all(|error| expected.contains(error))
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
