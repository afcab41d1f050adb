//! The certificates that really issued a peer's certificate: the leaf, its
//! issuer, that one's issuer, and so on, each link's signature verified
//! with the issuer's key. What the diagnosis may name when its errors admit
//! a peer (expected errors) or revoke one: a certificate with an issuer's
//! name and key identifier is not its issuer until its key verifies.

use super::anchors::TrustAnchors;
use super::signed::signed_by;
use crate::Certificate;

/// At most this many issuers are followed: webpki's paths hold at most six
/// intermediates, and a trust anchor after them.
const MAX_LINKS: usize = 8;
/// At most this many keys are tried for one link: issuers with one name
/// and key identifier and different keys (a root and its successor) are
/// few; a peer that sends many makes the walk stop, never go further.
const MAX_KEYS_PER_LINK: usize = 3;

/// How the walk from the leaf ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum End {
    /// At a trusted certificate: a configured or system CA certificate (or
    /// one with its subject and key), or an exact pin.
    Trusted,
    /// At a self-issued certificate that is not trusted.
    SelfIssued,
    /// Certificates with the last one's issuer name and key identifier
    /// exist, but no key of theirs verifies its signature.
    BadSignature,
    /// No certificate has the last one's issuer name and key identifier.
    NoIssuer,
    /// The walk's bounds were reached: too many links, or too many keys
    /// claiming one link (what is above is not known).
    GaveUp,
}

/// The leaf and its issuers, each link verified, and how the walk ended.
#[derive(Debug)]
pub(crate) struct Links {
    path: Vec<Certificate>,
    end: End,
}

impl Links {
    /// Follows issuers from `chain[0]`: among the rest of the chain (as
    /// sent, readable certificates only), then among the trusted
    /// certificates, the first certificate that may have issued the last
    /// one as OpenSSL matches issuers (name and key identifier) and whose
    /// key verifies its signature.
    pub(crate) fn walk(chain: &[Certificate], anchors: &TrustAnchors) -> Links {
        let Some(leaf) = chain.first() else {
            return Links {
                path: Vec::new(),
                end: End::NoIssuer,
            };
        };
        let mut path = vec![leaf.clone()];
        let end = loop {
            let current = &path[path.len() - 1];
            if anchors.contains(current) {
                break End::Trusted;
            }
            if current.is_self_signed() {
                break End::SelfIssued;
            }
            if path.len() > MAX_LINKS {
                break End::GaveUp;
            }
            let claimed = chain[1..]
                .iter()
                .filter(|c| c.is_readable())
                .chain(anchors.certificates())
                .filter(|c| !path.contains(c) && current.may_be_issued_by(c));
            let mut tried: Vec<&[u8]> = Vec::new();
            let mut issuer = None;
            let mut gave_up = false;
            for candidate in claimed {
                let Some(key) = candidate.public_key_info() else {
                    continue;
                };
                if tried.contains(&key) {
                    continue;
                }
                if tried.len() == MAX_KEYS_PER_LINK {
                    gave_up = true;
                    break;
                }
                tried.push(key);
                if signed_by(current.as_der(), key) {
                    issuer = Some(candidate.clone());
                    break;
                }
            }
            match issuer {
                Some(issuer) => path.push(issuer),
                None if gave_up => break End::GaveUp,
                None if tried.is_empty() => break End::NoIssuer,
                None => break End::BadSignature,
            }
        };
        Links { path, end }
    }

    /// The leaf first, then each certificate whose key verified the
    /// signature of the one before.
    pub(crate) fn path(&self) -> &[Certificate] {
        &self.path
    }

    /// How the walk ended.
    pub(crate) fn end(&self) -> End {
        self.end
    }

    /// The last certificate reached: the one whose issuer is trusted,
    /// missing or a forgery, or a self-issued one.
    pub(crate) fn last(&self) -> Option<&Certificate> {
        self.path.last()
    }
}
