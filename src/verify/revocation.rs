//! Revocation checking: the configured lists as rustls-webpki's options
//! (the decision on a path to a trust anchor), and everything the lists say
//! of a chain's verified links (the diagnosis).

use std::time::SystemTime;

use super::der::name_contents;
use super::signed::signed_by;

/// The most keys tried as a certificate's issuer's by
/// [`Revocation::revoked_by_a_key_of`] (each costs a signature check): as
/// many as webpki's own path building checks signatures before it gives up,
/// so that what it bounds costs no more than a path search.
const KEYS_TRIED: usize = 100;
use crate::settings;
use crate::{Certificate, RevocationDepth, RevocationList, SslError, SslErrorKind};

/// The revocation lists a verifier checks paths against, and how.
#[derive(Debug)]
pub(crate) struct Revocation {
    lists: Vec<RevocationList>,
    depth: webpki::RevocationCheckDepth,
    unknown_status: webpki::UnknownStatusPolicy,
    expiration: webpki::ExpirationPolicy,
}

impl Revocation {
    /// The setting as webpki applies it; `None` when no list is configured.
    pub(crate) fn new(setting: &settings::Revocation) -> Option<Self> {
        let mut lists = setting.all_lists();
        if lists.is_empty() {
            return None;
        }
        // webpki checks the first list of a certificate's issuer it finds:
        // the newest first, as OpenSSL prefers, so that a bundle that grew by
        // appending (`cat new.crl >> crls.pem`) is judged by its newest list.
        lists.sort_by_key(|list| std::cmp::Reverse(list.this_update()));
        Some(Self {
            lists,
            depth: match setting.depth {
                RevocationDepth::Leaf => webpki::RevocationCheckDepth::EndEntity,
                RevocationDepth::Chain => webpki::RevocationCheckDepth::Chain,
            },
            unknown_status: if setting.unknown_status_allowed {
                webpki::UnknownStatusPolicy::Allow
            } else {
                webpki::UnknownStatusPolicy::Deny
            },
            expiration: if setting.expired_lists_allowed {
                webpki::ExpirationPolicy::Ignore
            } else {
                webpki::ExpirationPolicy::Enforce
            },
        })
    }

    /// What these lists decide, for [`ChainVerifier::describe`](super::ChainVerifier::describe):
    /// how they are checked and the serial numbers each issuer's lists
    /// revoke (not their dates: a list re-issued with nothing new revoked
    /// decides the same).
    pub(crate) fn describe(&self, parts: &mut Vec<Vec<u8>>) {
        parts.push(vec![
            u8::from(self.depth == webpki::RevocationCheckDepth::EndEntity),
            u8::from(self.unknown_status == webpki::UnknownStatusPolicy::Allow),
            u8::from(self.expiration == webpki::ExpirationPolicy::Ignore),
        ]);
        let mut decisions: Vec<[u8; 32]> = self
            .lists
            .iter()
            .map(RevocationList::decision_digest)
            .collect();
        decisions.sort_unstable();
        decisions.dedup();
        parts.push(decisions.concat());
    }

    /// The lists, borrowed as webpki takes them.
    pub(crate) fn webpki_lists(&self) -> Vec<&webpki::CertRevocationList<'static>> {
        self.lists.iter().map(RevocationList::as_webpki).collect()
    }

    /// webpki's options over `lists` (from [`webpki_lists`](Self::webpki_lists)).
    pub(crate) fn options<'a>(
        &self,
        lists: &'a [&'a webpki::CertRevocationList<'a>],
    ) -> Option<webpki::RevocationOptions<'a>> {
        let builder = webpki::RevocationOptionsBuilder::new(lists).ok()?;
        Some(
            builder
                .with_depth(self.depth)
                .with_status_policy(self.unknown_status)
                .with_expiration_policy(self.expiration)
                .build(),
        )
    }

    /// Everything the lists say of the leaf and its verified issuers, as
    /// OpenSSL's CRL check reports it, certificate by certificate from the
    /// leaf up: no list from its issuer (unless allowed), the list that
    /// decides (the newest from that issuer, as webpki checks it) not
    /// signed by the issuer's key or past its `nextUpdate` (unless
    /// allowed), and the certificate revoked by any list the issuer's key
    /// signed, current or expired: neither a list error nor a list
    /// partitioned by scope hides a revocation. A self-signed certificate at the top is checked against
    /// its own lists, as OpenSSL does; a trusted one that is not
    /// self-signed and ends the path is not (it is an anchor, as webpki
    /// treats it), nor one whose issuer is unknown or forged (no list can
    /// be told to be its issuer's).
    ///
    /// `path` is the leaf and its issuers, leaf first, each link verified:
    /// a path webpki verified (ending in its trusted certificate), or the
    /// diagnosis's issuer walk.
    pub(crate) fn errors(&self, path: &[Certificate], now: SystemTime) -> Vec<SslError> {
        let checked = match self.depth {
            webpki::RevocationCheckDepth::EndEntity => &path[..path.len().min(1)],
            _ => path,
        };
        let mut errors = Vec::new();
        for (at, cert) in checked.iter().enumerate() {
            let issuer = path
                .get(at + 1)
                .or_else(|| cert.is_self_signed().then_some(cert));
            let Some(issuer) = issuer else {
                continue;
            };
            let issuer_key = issuer.public_key_info().unwrap_or_default();
            let mut lists = self.lists_for(cert).peekable();
            let Some(deciding) = lists.peek().copied() else {
                if self.unknown_status == webpki::UnknownStatusPolicy::Deny {
                    errors.push(SslError::new(
                        SslErrorKind::UnableToGetRevocationList,
                        Some(cert.clone()),
                    ));
                }
                continue;
            };
            let signed = |list: &RevocationList| signed_by(list.as_der(), issuer_key);
            if !signed(deciding) {
                errors.push(
                    SslError::new(SslErrorKind::RevocationListInvalid, Some(cert.clone()))
                        .with_detail(Some("its signature does not verify")),
                );
            } else if self.expiration == webpki::ExpirationPolicy::Enforce
                && deciding.next_update() <= now
            {
                errors.push(SslError::new(
                    SslErrorKind::RevocationListExpired,
                    Some(cert.clone()),
                ));
            }
            // Any list its issuer signed that names it: a CA may partition
            // its lists (by scope, by distribution point), and which one
            // webpki held authoritative is not known here; a revocation
            // said anywhere is said (rule 1).
            let revoked = cert.serial_der().is_some_and(|serial| {
                lists.any(|list| {
                    signed(list) && matches!(list.as_webpki().find_serial(serial), Ok(Some(_)))
                })
            });
            if revoked {
                errors.push(SslError::new(
                    SslErrorKind::CertificateRevoked,
                    Some(cert.clone()),
                ));
            }
        }
        errors
    }

    /// Whether a list its issuer's key signed names a certificate of
    /// `path` that the depth checks, whatever the list's scope: webpki
    /// consults only the list authoritative for a certificate (by scope
    /// and distribution point), and a relaxed policy lets one that no list
    /// decides pass; a revocation said by any list the issuer signed is
    /// said all the same (rule 1). Beyond the leaf, a self-signed trusted
    /// certificate that ends the path is checked against its own lists, as
    /// OpenSSL does (and the diagnosis); `anchor` gives the configured
    /// certificate it is, asked only when a list names its subject as
    /// issuer.
    pub(crate) fn revokes_any_of(
        &self,
        path: &webpki::VerifiedPath<'_>,
        anchor: impl FnOnce() -> Option<Certificate>,
    ) -> bool {
        let certs: Vec<&webpki::Cert<'_>> = std::iter::once(&**path.end_entity())
            .chain(path.intermediate_certificates())
            .collect();
        let whole_chain = self.depth != webpki::RevocationCheckDepth::EndEntity;
        let checked = if whole_chain { certs.len() } else { 1 };
        let signed_by_issuer_of = |at: usize, list: &RevocationList| match certs.get(at + 1) {
            Some(issuer) => signed_by(list.as_der(), &issuer.subject_public_key_info()),
            None => signed_by(list.as_der(), &path.anchor().subject_public_key_info),
        };
        let revoked = certs.iter().take(checked).enumerate().any(|(at, cert)| {
            self.lists.iter().any(|list| {
                let webpki_list = list.as_webpki();
                webpki_list.issuer() == cert.issuer()
                    && matches!(webpki_list.find_serial(cert.serial()), Ok(Some(_)))
                    && signed_by_issuer_of(at, list)
            })
        });
        revoked || (whole_chain && self.revokes_anchor(path.anchor(), anchor))
    }

    /// Whether the self-signed trusted certificate `anchor` was made from
    /// (`cert`) is named by a list its own key signed.
    fn revokes_anchor(
        &self,
        anchor: &rustls::pki_types::TrustAnchor<'_>,
        cert: impl FnOnce() -> Option<Certificate>,
    ) -> bool {
        let its_own = |list: &RevocationList| list.as_webpki().issuer() == anchor.subject.as_ref();
        self.lists.iter().any(its_own)
            && cert().is_some_and(|cert| cert.is_self_signed() && self.revokes_self_signed(&cert))
    }

    /// Whether a self-signed `cert` is named by a list its own key signed:
    /// a trusted root, or one trusted as exactly itself (its own lists can
    /// name it, as OpenSSL checks them).
    pub(crate) fn revokes_self_signed(&self, cert: &Certificate) -> bool {
        let (Some(serial), Some(key)) = (cert.serial_der(), cert.public_key_info()) else {
            return false;
        };
        self.lists_for(cert).any(|list| {
            matches!(list.as_webpki().find_serial(serial), Ok(Some(_)))
                && signed_by(list.as_der(), key)
        })
    }

    /// The certificates of `chain` (the leaf alone at leaf depth) that a
    /// list names whose key, among those of the certificates in `pool`
    /// named as their issuer, signed both the list and the certificate: the
    /// lists' account of a chain whose issuers are not known (the
    /// diagnosis's walk gave up). At most [`KEYS_TRIED`] keys are tried for
    /// a certificate, and only for one a list names by its issuer's name
    /// and serial number.
    pub(crate) fn revoked_by_a_key_of<'c>(
        &self,
        chain: &'c [Certificate],
        pool: &[&Certificate],
    ) -> Vec<&'c Certificate> {
        let checked = match self.depth {
            webpki::RevocationCheckDepth::EndEntity => &chain[..chain.len().min(1)],
            _ => chain,
        };
        checked
            .iter()
            .filter(|cert| {
                let Some(serial) = cert.serial_der() else {
                    return false;
                };
                let naming: Vec<&RevocationList> = self
                    .lists_for(cert)
                    .filter(|list| matches!(list.as_webpki().find_serial(serial), Ok(Some(_))))
                    .collect();
                if naming.is_empty() {
                    return false;
                }
                let mut tried: Vec<&[u8]> = Vec::new();
                for issuer in pool.iter().filter(|c| cert.may_be_issued_by(c)) {
                    let Some(key) = issuer.public_key_info() else {
                        continue;
                    };
                    if tried.contains(&key) {
                        continue;
                    }
                    if tried.len() == KEYS_TRIED {
                        break;
                    }
                    tried.push(key);
                    if naming.iter().any(|list| signed_by(list.as_der(), key))
                        && signed_by(cert.to_der(), key)
                    {
                        return true;
                    }
                }
                false
            })
            .collect()
    }

    /// The lists whose issuer is the issuer of `cert`, newest first.
    fn lists_for<'s>(
        &'s self,
        cert: &'s Certificate,
    ) -> impl Iterator<Item = &'s RevocationList> + 's {
        let issuer = cert.issuer_name_der();
        self.lists.iter().filter(move |list| {
            issuer.is_some_and(|i| name_contents(i) == list.as_webpki().issuer())
        })
    }
}
