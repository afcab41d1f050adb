//! The settings of an [`SslConfiguration`](crate::SslConfiguration) as plain
//! data: what the setters write and what conversion and verification read.
//!
//! A leaf: it knows the value types, and nothing that reads it. Settings
//! read from files are [`FileSetting`]s, shared with every value derived
//! from these settings and holding what the last good reload read (see
//! [`crate::live`]); the accessors below give what is in force now.

#[cfg(any(feature = "watch", feature = "serde"))]
use std::path::PathBuf;
use std::sync::Arc;

use crate::live::{FileSetting, Versioned};

use crate::{
    Certificate, Cipher, Identity, KeyExchangeGroup, PeerVerifyMode, PublicKeyPin, RevocationDepth,
    RevocationList, SslError, SslOption, SslProtocol, TicketKeys,
};

/// Every setting; `None` means "never set, use the default".
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct Settings {
    pub(crate) protocol: Option<SslProtocol>,
    pub(crate) ciphers: Option<Vec<Cipher>>,
    pub(crate) ca: CaCertificates,
    /// The local identity; it may follow its files.
    pub(crate) local: Option<Identity>,
    pub(crate) peer_verify_mode: Option<PeerVerifyMode>,
    pub(crate) peer_verify_depth: u32,
    pub(crate) alpn: Vec<Vec<u8>>,
    pub(crate) groups: Option<Vec<KeyExchangeGroup>>,
    pub(crate) options: SslOptions,
    /// Errors a verified peer is accepted with (Qt's `ignoreSslErrors`).
    pub(crate) expected_errors: Vec<SslError>,
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
    pub(crate) ticket_keys: Option<Loaded<TicketKeys>>,
    /// How long tickets sealed with `ticket_keys` are valid.
    pub(crate) ticket_lifetime: Option<std::time::Duration>,
    /// The longest a handshake may take; `None`: no limit but the socket's.
    pub(crate) handshake_timeout: Option<std::time::Duration>,
    /// Revocation lists and how they are checked.
    pub(crate) revocation: Revocation,
    /// Public key pins a verified path must contain.
    pub(crate) pins: Pins,
    /// Whether a client's connections keep the OCSP response the server
    /// staples (Qt's `ocspStaplingEnabled`).
    pub(crate) ocsp_stapling: bool,
}

/// A setting given as a value, or read from files.
#[derive(Debug, PartialEq)]
pub(crate) enum Loaded<T> {
    /// Given as it is.
    Value(Arc<T>),
    /// Read from files, and read again by a reload.
    Files(Arc<FileSetting<T>>),
}

impl<T> Loaded<T> {
    /// What is in force now.
    pub(crate) fn current(&self) -> Arc<T> {
        match self {
            Self::Value(value) => Arc::clone(value),
            Self::Files(files) => files.current(),
        }
    }

    /// The files it is read from: none for a value.
    #[cfg(any(feature = "watch", feature = "serde"))]
    pub(crate) fn files(&self) -> &[PathBuf] {
        match self {
            Self::Value(_) => &[],
            Self::Files(files) => files.files(),
        }
    }
}

impl<T> Clone for Loaded<T> {
    fn clone(&self) -> Self {
        match self {
            Self::Value(value) => Self::Value(Arc::clone(value)),
            Self::Files(files) => Self::Files(Arc::clone(files)),
        }
    }
}

/// Revocation lists and how paths are checked against them.
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct Revocation {
    /// The lists given as values.
    pub(crate) lists: Vec<RevocationList>,
    /// The lists read from files (before the values).
    pub(crate) files: Option<Arc<FileSetting<Vec<RevocationList>>>>,
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

impl Revocation {
    /// Every list in force: those read from files, then the values.
    pub(crate) fn all_lists(&self) -> Vec<RevocationList> {
        let mut all: Vec<RevocationList> = self
            .files
            .as_ref()
            .map(|f| f.current().to_vec())
            .unwrap_or_default();
        all.extend(self.lists.iter().cloned());
        all
    }
}

impl Settings {
    /// The local identity in force: for one that follows its files, what
    /// the last good reload read.
    pub(crate) fn local_identity(&self) -> Option<Identity> {
        self.local.as_ref().map(Identity::current)
    }

    /// The local certificate chain in force, leaf first (empty when none).
    pub(crate) fn local_chain(&self) -> Vec<Certificate> {
        self.local_identity()
            .map(|identity| identity.certificate_chain().to_vec())
            .unwrap_or_default()
    }

    /// The local identity, when it follows its files.
    pub(crate) fn local_reading_files(&self) -> Option<&Identity> {
        self.local
            .as_ref()
            .filter(|identity| identity.reads_files())
    }

    /// Every identity a server may present that follows its files: the
    /// local one, the added ones and those per name.
    pub(crate) fn identities_reading_files(&self) -> Vec<&Identity> {
        self.local_reading_files()
            .into_iter()
            .chain(&self.added_identities)
            .chain(self.named_identities.iter().map(|n| &n.identity))
            .filter(|identity| identity.reads_files())
            .collect()
    }

    /// Whether a server's certificate is chosen per client or follows
    /// files: it then needs a resolver that chooses and rebuilds.
    pub(crate) fn has_live_identities(&self) -> bool {
        !self.identities_reading_files().is_empty()
            || !self.added_identities.is_empty()
            || !self.named_identities.is_empty()
            || self.refuse_unknown_names
    }

    /// The file settings a server's identities are built from.
    pub(crate) fn identity_inputs(&self) -> Vec<Arc<dyn Versioned>> {
        self.identities_reading_files()
            .into_iter()
            .filter_map(Identity::file_setting)
            .collect()
    }

    /// Every file a reload reads: identities' (chain, key, OCSP response),
    /// CA certificates', revocation lists', session-ticket keys'.
    #[cfg(feature = "watch")]
    pub(crate) fn files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = self
            .identities_reading_files()
            .into_iter()
            .flat_map(Identity::all_files)
            .collect();
        files.extend(self.ca.files.iter().flat_map(|f| f.files().to_vec()));
        files.extend(
            self.revocation
                .files
                .iter()
                .flat_map(|f| f.files().to_vec()),
        );
        if let Some(keys) = &self.ticket_keys {
            files.extend(keys.files().iter().cloned());
        }
        files.dedup();
        files
    }

    /// The file settings what a side trusts is built from: CA certificate
    /// files and revocation list files.
    pub(crate) fn trust_inputs(&self) -> Vec<Arc<dyn Versioned>> {
        let ca = self.ca.files.clone().map(|f| f as Arc<dyn Versioned>);
        let lists = self
            .revocation
            .files
            .clone()
            .map(|f| f as Arc<dyn Versioned>);
        ca.into_iter().chain(lists).collect()
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
    /// The certificates configured as values, in order.
    pub(crate) certificates: Vec<Certificate>,
    /// The certificates read from files (before the values).
    pub(crate) files: Option<Arc<FileSetting<Vec<Certificate>>>>,
}

impl CaCertificates {
    /// The certificates configured explicitly, in force now: those read
    /// from files, then the values.
    pub(crate) fn configured(&self) -> Vec<Certificate> {
        let mut all: Vec<Certificate> = self
            .files
            .as_ref()
            .map(|f| f.current().to_vec())
            .unwrap_or_default();
        all.extend(self.certificates.iter().cloned());
        all
    }

    /// Whether any CA certificate was configured explicitly (the only ones a
    /// server trusts to authenticate clients).
    pub(crate) fn has_explicit(&self) -> bool {
        !self.certificates.is_empty()
            || self.files.as_ref().is_some_and(|f| !f.current().is_empty())
    }
}

impl Settings {
    /// Whether a server has something of its own to authenticate clients
    /// with: CA certificates configured explicitly, or pins that replace them.
    pub(crate) fn trusts_explicitly(&self) -> bool {
        self.ca.has_explicit() || self.pins.only
    }
}

impl Default for CaCertificates {
    fn default() -> Self {
        Self {
            system: true,
            certificates: Vec::new(),
            files: None,
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
        let cleared = set.set(SslOption::DisableCompression, false);
        assert!(!cleared.contains(SslOption::DisableCompression));
        let tickets = set.set(SslOption::DisableSessionTickets, true);
        assert!(tickets.contains(SslOption::DisableSessionTickets));
    }
}
