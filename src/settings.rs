//! The settings of an [`SslConfiguration`](crate::SslConfiguration) as plain
//! data: what the setters write and what conversion and verification read.
//!
//! A leaf: it knows the value types, and nothing that reads it.

use std::path::PathBuf;
use std::sync::Arc;

use crate::x509::{IdentityFiles, OcspStaple};

use crate::{
    Certificate, Cipher, Identity, KeyExchangeGroup, PeerVerifyMode, PrivateKey, PublicKeyPin,
    RevocationDepth, RevocationList, SslError, SslOption, SslProtocol,
};

/// Every setting; `None` means "never set, use the default".
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct Settings {
    pub(crate) protocol: Option<SslProtocol>,
    pub(crate) ciphers: Option<Vec<Cipher>>,
    pub(crate) ca: CaCertificates,
    pub(crate) local_chain: Vec<Certificate>,
    pub(crate) private_key: Option<Arc<PrivateKey>>,
    pub(crate) peer_verify_mode: Option<PeerVerifyMode>,
    pub(crate) peer_verify_depth: u32,
    pub(crate) alpn: Vec<Vec<u8>>,
    pub(crate) groups: Option<Vec<KeyExchangeGroup>>,
    pub(crate) options: SslOptions,
    /// Errors a verified peer is accepted with (Qt's `ignoreSslErrors`).
    pub(crate) expected_errors: Vec<SslError>,
    /// Where the local chain and key were read from, to read them again.
    pub(crate) local_files: Option<Arc<IdentityFiles>>,
    /// The OCSP response the local identity staples.
    pub(crate) local_ocsp: Option<OcspStaple>,
    /// More identities for clients with no or an unknown name (an RSA one
    /// beside an ECDSA one), chosen by the client's signature schemes.
    pub(crate) added_identities: Vec<Identity>,
    /// Identities for the names clients ask for (SNI).
    pub(crate) named_identities: Vec<NamedIdentity>,
    /// Whether a client with no or an unknown name is refused rather than
    /// given the local identity.
    pub(crate) refuse_unknown_names: bool,
    /// Where the TLS secrets are written; `None`: nowhere (rustls's `NoKeyLog`).
    pub(crate) key_log: Option<crate::KeyLogDestination>,
    /// Keys that seal and open session tickets, shared by a fleet; `None`:
    /// rustls's ticketer, with random keys per process.
    pub(crate) ticket_keys: Option<Arc<crate::TicketKeys>>,
    /// How long tickets sealed with `ticket_keys` are valid.
    pub(crate) ticket_lifetime: Option<std::time::Duration>,
    /// Revocation lists and how they are checked.
    pub(crate) revocation: Revocation,
    /// Public key pins a verified path must contain.
    pub(crate) pins: Pins,
    /// Whether a client's connections keep the OCSP response the server
    /// staples (Qt's `ocspStaplingEnabled`).
    pub(crate) ocsp_stapling: bool,
    /// How long `connect` and `accept` (blocking and async) may take for
    /// the whole handshake; `None`: no deadline of their own.
    pub(crate) handshake_timeout: Option<std::time::Duration>,
}

/// Revocation lists and how paths are checked against them.
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct Revocation {
    /// The lists; none: no revocation checking.
    pub(crate) lists: Vec<RevocationList>,
    /// The files they were read from, to read them again (empty when given
    /// as values).
    pub(crate) files: Vec<PathBuf>,
    /// Which certificates of a path are checked.
    pub(crate) depth: RevocationDepth,
    /// Whether a certificate whose issuer has no list passes.
    pub(crate) unknown_status_allowed: bool,
    /// Whether a list past its `nextUpdate` is still used.
    pub(crate) expired_lists_allowed: bool,
}

/// Public key pins.
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct Pins {
    /// The pinned keys; none: no pinning.
    pub(crate) keys: Vec<PublicKeyPin>,
    /// Whether the pins replace CA verification: the peer's own key must
    /// be pinned, and no path to a CA is built.
    pub(crate) only: bool,
}

/// An identity and the server names (exact or `*.` wildcard) it serves.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct NamedIdentity {
    pub(crate) patterns: Vec<String>,
    pub(crate) identity: Identity,
}

impl Settings {
    /// The local identity (chain and key), when both are set.
    pub(crate) fn local_identity(&self) -> Option<Identity> {
        let key = self.private_key.as_ref()?;
        (!self.local_chain.is_empty()).then(|| {
            Identity::from_parts(
                self.local_chain.clone(),
                key.clone(),
                self.local_files.clone(),
                self.local_ocsp.clone(),
            )
        })
    }

    /// Whether a server's certificate is chosen per client or re-read from
    /// files: it then needs a resolver that can be swapped.
    pub(crate) fn has_live_identities(&self) -> bool {
        self.local_files.is_some()
            || self.local_ocsp.as_ref().is_some_and(|o| o.file().is_some())
            || !self.added_identities.is_empty()
            || !self.named_identities.is_empty()
            || self.refuse_unknown_names
    }
}

impl Settings {
    /// The protocol range in effect.
    pub(crate) fn protocol(&self) -> SslProtocol {
        self.protocol.unwrap_or_default()
    }

    /// The verify mode in effect, before it is resolved for a side.
    pub(crate) fn peer_verify_mode(&self) -> PeerVerifyMode {
        self.peer_verify_mode.unwrap_or_default()
    }
}

/// Where trust comes from: the system store (loaded on demand), a list, or both.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CaCertificates {
    /// Whether the system store is trusted.
    pub(crate) system: bool,
    /// The certificates configured explicitly, in order.
    pub(crate) certificates: Vec<Certificate>,
    /// The files they were read from, to read them again (empty when given
    /// as values).
    pub(crate) files: Vec<PathBuf>,
}

impl CaCertificates {
    /// Whether any CA certificate was configured explicitly (the only ones a
    /// server trusts to authenticate clients).
    pub(crate) fn has_explicit(&self) -> bool {
        !self.certificates.is_empty()
    }
}

impl Settings {
    /// Whether a server has something of its own to authenticate clients
    /// with: CA certificates configured explicitly, or pins that replace them.
    pub(crate) fn trusts_explicitly(&self) -> bool {
        self.ca.has_explicit() || self.pins.only
    }

    /// Whether what a server trusts is read from files, which a reload
    /// reads again.
    pub(crate) fn reads_trust_files(&self) -> bool {
        !self.ca.files.is_empty() || !self.revocation.files.is_empty()
    }
}

impl Default for CaCertificates {
    fn default() -> Self {
        Self {
            system: true,
            certificates: Vec::new(),
            files: Vec::new(),
        }
    }
}

/// A set of [`SslOption`]s; Qt's default set when created with `default()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct SslOptions(u8);

impl SslOptions {
    fn bit(option: SslOption) -> u8 {
        1 << (option as u8)
    }

    pub(crate) fn contains(self, option: SslOption) -> bool {
        self.0 & Self::bit(option) != 0
    }

    pub(crate) fn set(self, option: SslOption, on: bool) -> Self {
        if on {
            Self(self.0 | Self::bit(option))
        } else {
            Self(self.0 & !Self::bit(option))
        }
    }

    /// The options that are on, in [`SslOption::ALL`]'s order.
    pub(crate) fn iter(self) -> impl Iterator<Item = SslOption> {
        SslOption::ALL
            .iter()
            .copied()
            .filter(move |o| self.contains(*o))
    }

    /// The first always-on option that has been turned off, if any.
    pub(crate) fn cleared_always_on(self) -> Option<SslOption> {
        SslOption::ALL
            .iter()
            .copied()
            .find(|o| o.always_on_in_rustls() && !self.contains(*o))
    }
}

impl Default for SslOptions {
    fn default() -> Self {
        SslOption::ALL
            .iter()
            .copied()
            .filter(|o| o.always_on_in_rustls())
            .fold(Self(0), |set, o| set.set(o, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_options_are_qts() {
        let set = SslOptions::default();
        for &o in SslOption::ALL {
            assert_eq!(set.contains(o), o.always_on_in_rustls(), "{o:?}");
        }
        assert_eq!(set.cleared_always_on(), None);
        let cleared = set.set(SslOption::DisableCompression, false);
        assert_eq!(
            cleared.cleared_always_on(),
            Some(SslOption::DisableCompression)
        );
        let tickets = set.set(SslOption::DisableSessionTickets, true);
        assert!(tickets.contains(SslOption::DisableSessionTickets));
    }
}
