//! Revocation checking: the configured lists as rustls-webpki's options
//! (the decision on a path to a trust anchor), and everything the lists say
//! of a chain's verified links (the diagnosis).

use std::time::SystemTime;

use super::der::name_contents;
use super::signed::signed_by;
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
