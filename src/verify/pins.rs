//! Public key pins: whether a verified path, or a peer's own certificate,
//! holds a pinned key.

use rustls::pki_types::CertificateDer;

use super::der::sequence;
use crate::settings;
use crate::PublicKeyPin;

/// The pins a verifier checks.
#[derive(Debug)]
pub(crate) struct Pins {
    keys: Vec<PublicKeyPin>,
    /// The pins replace CA verification.
    only: bool,
}

impl Pins {
    /// The setting as a verifier applies it; `None` when nothing is pinned
    /// and the pins do not replace CA verification.
    pub(crate) fn new(setting: &settings::Pins) -> Option<Self> {
        (!setting.keys.is_empty() || setting.only).then(|| Self {
            keys: setting.keys.clone(),
            only: setting.only,
        })
    }

    /// The pins and whether they replace CA verification, for
    /// [`ChainVerifier::describe`](super::ChainVerifier::describe).
    pub(crate) fn describe(&self, parts: &mut Vec<Vec<u8>>) {
        let mut keys: Vec<[u8; 32]> = self.keys.iter().map(|pin| *pin.as_bytes()).collect();
        keys.sort_unstable();
        parts.push(vec![u8::from(self.only)]);
        parts.push(keys.concat());
    }

    /// Whether the pins replace CA verification.
    pub(crate) fn only(&self) -> bool {
        self.only
    }

    fn holds(&self, spki: &[u8]) -> bool {
        let pin = PublicKeyPin::from_public_key_der(spki);
        self.keys.contains(&pin)
    }

    /// Whether the key of a certificate (DER) is pinned.
    pub(crate) fn holds_certificate(&self, der: &CertificateDer<'_>) -> bool {
        crate::x509::public_key_info(der).is_some_and(|spki| self.holds(spki))
    }

    /// Whether a key on a verified path is pinned: the peer's, an
    /// intermediate's or the trust anchor's.
    pub(crate) fn holds_path(&self, path: &webpki::VerifiedPath<'_>) -> bool {
        self.holds(&path.end_entity().subject_public_key_info())
            || path
                .intermediate_certificates()
                .any(|cert| self.holds(&cert.subject_public_key_info()))
            || self.holds(&sequence(&path.anchor().subject_public_key_info))
    }
}
