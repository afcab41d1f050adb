//! Revocation checking: the configured lists as rustls-webpki's options,
//! and which certificate of a chain a revocation error concerns.

use std::time::SystemTime;

use super::der::name_contents;
use crate::settings;
use crate::{Certificate, RevocationDepth, RevocationList};

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
        if setting.lists.is_empty() {
            return None;
        }
        // webpki checks the first list of a certificate's issuer it finds:
        // the newest first, as OpenSSL prefers, so that a bundle that grew by
        // appending (`cat new.crl >> crls.pem`) is judged by its newest list.
        let mut lists = setting.lists.clone();
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

    /// The certificates of `chain` (the leaf and its issuers, in path order)
    /// whose status is checked.
    fn checked<'p, 'c>(&self, chain: &'p [&'c Certificate]) -> &'p [&'c Certificate] {
        match self.depth {
            webpki::RevocationCheckDepth::EndEntity => &chain[..chain.len().min(1)],
            _ => chain,
        }
    }

    /// The lists whose issuer is the issuer of `cert`.
    fn lists_for<'s>(&'s self, cert: &Certificate) -> impl Iterator<Item = &'s RevocationList> {
        let issuer = cert.issuer_name_der();
        self.lists.iter().filter(move |list| {
            issuer
                .as_deref()
                .is_some_and(|i| name_contents(i) == list.as_webpki().issuer())
        })
    }

    /// The first certificate of the chain that a list revokes.
    pub(crate) fn revoked<'c>(&self, chain: &[&'c Certificate]) -> Option<&'c Certificate> {
        self.checked(chain).iter().copied().find(|cert| {
            let Some(serial) = cert.serial_der() else {
                return false;
            };
            self.lists_for(cert)
                .any(|list| matches!(list.as_webpki().find_serial(&serial), Ok(Some(_))))
        })
    }

    /// The first checked certificate whose issuer has no list; the chain's
    /// last certificate is skipped when it is the anchor's (self-signed).
    pub(crate) fn without_list<'c>(&self, chain: &[&'c Certificate]) -> Option<&'c Certificate> {
        self.checked(chain)
            .iter()
            .copied()
            .filter(|cert| !cert.is_self_signed())
            .find(|cert| self.lists_for(cert).next().is_none())
    }

    /// The first checked certificate whose issuer's list (the one webpki
    /// checks, the newest) is past its `nextUpdate` at `now`.
    pub(crate) fn with_expired_list<'c>(
        &self,
        chain: &[&'c Certificate],
        now: SystemTime,
    ) -> Option<&'c Certificate> {
        self.checked(chain).iter().copied().find(|cert| {
            self.lists_for(cert)
                .next()
                .is_some_and(|list| list.next_update() <= now)
        })
    }

    /// The first checked certificate whose issuer has a list at all (the
    /// one a list that cannot be used concerns).
    pub(crate) fn with_list<'c>(&self, chain: &[&'c Certificate]) -> Option<&'c Certificate> {
        self.checked(chain)
            .iter()
            .copied()
            .find(|cert| self.lists_for(cert).next().is_some())
    }
}
