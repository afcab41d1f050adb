//! Whether a chain verifies: webpki's path building against the trust
//! anchors, within the verify depth, with the revocation lists, and the
//! exact and public key pins.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};

use rustls::pki_types::{CertificateDer, UnixTime};

use super::anchors::TrustAnchors;
use super::pins::Pins;
use super::revocation::Revocation;
use super::Usage;
use crate::provider::provider;
use crate::Certificate;

/// Verifies chains against trust anchors and a depth limit, and where set
/// revocation lists and pins. Built from explicit inputs, as rustls's
/// `WebPkiServerVerifier::builder(roots)`.
#[derive(Debug)]
pub(crate) struct ChainVerifier {
    anchors: TrustAnchors,
    /// Qt's `peerVerifyDepth` as OpenSSL applies it: at most this many
    /// intermediate CA certificates between the peer's certificate and the
    /// trust anchor; 0 for no limit.
    depth: u32,
    revocation: Option<Revocation>,
    pins: Option<Pins>,
}

/// A chain that verified, up to the pins.
#[derive(Debug)]
pub(crate) struct Path {
    /// The DER of the intermediates on the path.
    pub(crate) intermediates: Vec<Vec<u8>>,
    /// The trusted certificate the path ends in (its subject and key),
    /// when it ends in one: not for an exact pin.
    pub(crate) anchor: Option<Certificate>,
    /// Whether the pins hold (true when there are none).
    pub(crate) pinned: bool,
}

/// Whether a path is checked against the revocation lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lists {
    /// As configured.
    Checked,
    /// Not: whether a path exists at all, whatever the lists say.
    Ignored,
}

impl ChainVerifier {
    pub(crate) fn new(anchors: TrustAnchors, depth: u32) -> Self {
        Self {
            anchors,
            depth,
            revocation: None,
            pins: None,
        }
    }

    /// The verifier, also checking paths against revocation lists.
    pub(crate) fn with_revocation(self, revocation: Option<Revocation>) -> Self {
        Self { revocation, ..self }
    }

    /// The verifier, also checking pins.
    pub(crate) fn with_pins(self, pins: Option<Pins>) -> Self {
        Self { pins, ..self }
    }

    pub(crate) fn revocation(&self) -> Option<&Revocation> {
        self.revocation.as_ref()
    }

    /// Whether the pins replace CA verification.
    pub(crate) fn pins_only(&self) -> bool {
        self.pins.as_ref().is_some_and(Pins::only)
    }

    pub(crate) fn anchors(&self) -> &TrustAnchors {
        &self.anchors
    }

    /// A digest of [`describe`](Self::describe): equal for two verifiers
    /// that accept the same chains.
    pub(crate) fn decision_digest(&self) -> [u8; 32] {
        use crate::provider::primitives::digest;
        let mut parts = Vec::new();
        self.describe(&mut parts);
        let mut hash = digest::Context::new(&digest::SHA256);
        for part in &parts {
            hash.update(&(part.len() as u64).to_be_bytes());
            hash.update(part);
        }
        let mut out = [0u8; 32];
        out.copy_from_slice(hash.finish().as_ref());
        out
    }

    /// What decides whether this verifier accepts a chain, as byte strings
    /// to digest: the trust anchors, the depth, the revocation lists (what
    /// they revoke) and how they are checked, the pins. Two verifiers with
    /// the same description accept the same chains.
    pub(crate) fn describe(&self, parts: &mut Vec<Vec<u8>>) {
        self.anchors.describe(parts);
        parts.push(self.depth.to_be_bytes().to_vec());
        match &self.revocation {
            Some(revocation) => revocation.describe(parts),
            None => parts.push(b"no revocation lists".to_vec()),
        }
        match &self.pins {
            Some(pins) => pins.describe(parts),
            None => parts.push(b"no pins".to_vec()),
        }
    }

    /// Verifies the chain of `end_entity` at `time`: an exact pin, or a
    /// peer when pins replace CA verification, by its validity period;
    /// anything else by a path to a trust anchor within the depth and the
    /// revocation lists. Tells whether the pins hold.
    pub(crate) fn verify_at(
        &self,
        end_entity: &webpki::EndEntityCert<'_>,
        end_entity_der: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        usage: Usage,
        time: UnixTime,
    ) -> Result<Path, webpki::Error> {
        self.verify_with(
            end_entity,
            end_entity_der,
            intermediates,
            usage,
            time,
            Lists::Checked,
        )
    }

    /// [`verify_at`](Self::verify_at), the revocation lists checked or not.
    pub(crate) fn verify_with(
        &self,
        end_entity: &webpki::EndEntityCert<'_>,
        end_entity_der: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        usage: Usage,
        time: UnixTime,
        lists: Lists,
    ) -> Result<Path, webpki::Error> {
        // A certificate accepted alone (pinned exactly, or on its pins) is
        // refused when a list names it that a key which signed it signed
        // too: its own key (a self-signed one) or a trusted certificate's.
        let alone = |cert: &Certificate| {
            let revoked = lists == Lists::Checked
                && self.revocation.as_ref().is_some_and(|r| {
                    let pool: Vec<&Certificate> = std::iter::once(cert)
                        .chain(self.anchors.certificates())
                        .collect();
                    !r.revoked_by_a_key_of(std::slice::from_ref(cert), &pool)
                        .is_empty()
                });
            if revoked {
                return Err(webpki::Error::CertRevoked);
            }
            valid_at(cert, time).map(|()| Path {
                intermediates: Vec::new(),
                anchor: None,
                pinned: self
                    .pins
                    .as_ref()
                    .is_none_or(|pins| pins.holds_certificate(end_entity_der)),
            })
        };
        if self.pins_only() {
            return alone(&Certificate::lazily_parsed(
                end_entity_der.clone().into_owned(),
            ));
        }
        match self.exact_pin(end_entity_der) {
            Some(pinned) => alone(pinned),
            None => self.verify_path(end_entity, &candidates(intermediates), usage, time, lists),
        }
    }

    /// The trusted certificate a verified path ends in: of those whose
    /// subject and key are the path's anchor (a root, copies of it
    /// cross-signed or re-issued), the first self-signed one valid at
    /// `time` in the order given, else the first self-signed one, else the
    /// first. A root's own lists are checked on it, as OpenSSL checks the
    /// root it prefers.
    fn anchor_of(&self, path: &webpki::VerifiedPath<'_>, time: UnixTime) -> Option<Certificate> {
        let anchor = path.anchor();
        let key = super::der::sequence(&anchor.subject_public_key_info);
        let matching: Vec<&Certificate> = self
            .anchors
            .certificates()
            .filter(|cert| cert.public_key_info() == Some(key.as_slice()))
            .filter(|cert| {
                webpki::anchor_from_trusted_cert(cert.as_rustls())
                    .is_ok_and(|a| a.subject == anchor.subject)
            })
            .collect();
        let self_signed = || matching.iter().filter(|cert| cert.is_self_signed());
        self_signed()
            .find(|cert| valid_at(cert, time).is_ok())
            .or_else(|| self_signed().next())
            .or_else(|| matching.first())
            .map(|cert| (*cert).clone())
    }

    /// The configured exact pin that `end_entity` is, if any.
    pub(crate) fn exact_pin(&self, end_entity: &CertificateDer<'_>) -> Option<&Certificate> {
        self.anchors
            .exact()
            .iter()
            .find(|pinned| pinned.to_der() == end_entity.as_ref())
    }

    /// Builds and verifies a path from `cert` to a trust anchor, within the
    /// depth and checked against the revocation lists.
    fn verify_path(
        &self,
        cert: &webpki::EndEntityCert<'_>,
        intermediates: &[CertificateDer<'_>],
        usage: Usage,
        time: UnixTime,
        checked: Lists,
    ) -> Result<Path, webpki::Error> {
        let configured = self
            .revocation
            .as_ref()
            .filter(|_| checked == Lists::Checked);
        let lists = configured.map(Revocation::webpki_lists).unwrap_or_default();
        let revocation = match configured {
            Some(r) => match r.options(&lists) {
                Some(options) => Some(options),
                // Never: a verifier has revocation only with lists. Fail
                // closed all the same.
                None => return Err(webpki::Error::UnknownRevocationStatus),
            },
            None => None,
        };
        let depth = self.depth as usize;
        let intermediates_of = |path: &webpki::VerifiedPath<'_>| -> Vec<Vec<u8>> {
            path.intermediate_certificates()
                .map(|c| c.der().to_vec())
                .collect()
        };
        // The first path that verified but holds no pinned key. The pins
        // are checked while webpki searches, so that a pinned path (a
        // cross-signed intermediate's other root) is found when one exists.
        let unpinned: RefCell<Option<Path>> = RefCell::new(None);
        // Whether a path verified in full but for the depth: what failed,
        // whatever webpki says of the other paths it then tried (a
        // self-issued intermediate's signature tried on the leaf, say).
        let too_deep = Cell::new(false);
        let check = |path: &webpki::VerifiedPath<'_>| {
            if depth != 0 && path.intermediate_certificates().count() > depth {
                too_deep.set(true);
                return Err(webpki::Error::MaximumPathDepthExceeded);
            }
            if configured.is_some_and(|r| r.revokes_any_of(path, || self.anchor_of(path, time))) {
                return Err(webpki::Error::CertRevoked);
            }
            match &self.pins {
                Some(pins) if !pins.holds_path(path) => {
                    unpinned.borrow_mut().get_or_insert_with(|| Path {
                        intermediates: intermediates_of(path),
                        anchor: self.anchor_of(path, time),
                        pinned: false,
                    });
                    // Any error goes on searching; this one is not reported.
                    Err(webpki::Error::CertDistrusted)
                }
                _ => Ok(()),
            }
        };
        let verify = |key_usage| {
            let result = cert.verify_for_usage(
                provider().signature_verification_algorithms.all,
                self.anchors.webpki_anchors(),
                intermediates,
                time,
                key_usage,
                revocation,
                (depth != 0 || self.pins.is_some() || configured.is_some()).then_some(&check as _),
            );
            match (result, unpinned.borrow_mut().take()) {
                (Ok(path), _) => Ok(Path {
                    intermediates: intermediates_of(&path),
                    anchor: self.anchor_of(&path, time),
                    pinned: true,
                }),
                (Err(_), Some(unpinned)) => Ok(unpinned),
                (Err(_), None) if too_deep.take() => Err(webpki::Error::MaximumPathDepthExceeded),
                (Err(error), None) => Err(error),
            }
        };
        match usage {
            Usage::ServerAuth => verify(webpki::KeyUsage::server_auth()),
            Usage::ClientAuth => verify(webpki::KeyUsage::client_auth()),
            // webpki checks one purpose at a time: try the common ones
            // until the extended key usage is not what fails.
            Usage::Any => {
                let mut result = Err(webpki::Error::UnknownIssuer);
                for oid in ANY_PURPOSE {
                    result = verify(webpki::KeyUsage::required_if_present(oid));
                    if !matches!(result, Err(ref e) if is_eku_error(e)) {
                        break;
                    }
                }
                result
            }
        }
    }
}

/// The extended key usages tried for [`Usage::Any`], as OID values:
/// serverAuth, clientAuth, codeSigning, emailProtection, timeStamping,
/// OCSPSigning (RFC 5280 4.2.1.12).
const ANY_PURPOSE: [&[u8]; 6] = [
    &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01],
    &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02],
    &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03],
    &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x04],
    &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08],
    &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x09],
];

#[allow(deprecated)]
fn is_eku_error(error: &webpki::Error) -> bool {
    matches!(
        error,
        webpki::Error::RequiredEkuNotFound | webpki::Error::RequiredEkuNotFoundContext(_)
    )
}

/// The intermediates path building considers: those sent, less exact
/// duplicates (a copy adds no path; a peer repeating one certificate would
/// only multiply webpki's work). Nothing a path may need is dropped: the
/// work is bounded by webpki's own budget (200,000 path-building steps,
/// 100 signatures), as for any rustls verifier.
fn candidates<'a>(intermediates: &'a [CertificateDer<'a>]) -> Cow<'a, [CertificateDer<'a>]> {
    let repeated = intermediates
        .iter()
        .enumerate()
        .any(|(at, der)| intermediates[..at].contains(der));
    if !repeated {
        return Cow::Borrowed(intermediates);
    }
    let mut kept: Vec<CertificateDer<'a>> = Vec::with_capacity(intermediates.len());
    for der in intermediates {
        if !kept.contains(der) {
            kept.push(der.clone());
        }
    }
    Cow::Owned(kept)
}

/// A certificate trusted as itself (an exact pin, or a pinned key when pins
/// replace CA verification): only its validity period is checked.
fn valid_at(pinned: &Certificate, now: UnixTime) -> Result<(), webpki::Error> {
    let now_secs = now.as_secs();
    let secs = |t: std::time::SystemTime| {
        t.duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    };
    let not_before = secs(pinned.effective_date());
    let not_after = secs(pinned.expiry_date());
    if now_secs < not_before {
        Err(webpki::Error::CertNotValidYet {
            time: now,
            not_before: UnixTime::since_unix_epoch(std::time::Duration::from_secs(not_before)),
        })
    } else if now_secs > not_after {
        Err(webpki::Error::CertExpired {
            time: now,
            not_after: UnixTime::since_unix_epoch(std::time::Duration::from_secs(not_after)),
        })
    } else {
        Ok(())
    }
}
