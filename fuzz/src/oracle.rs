//! What `chain_decision` compares the crate's decisions with, built only
//! on public APIs outside the crate: rustls's own webpki verifiers
//! (`WebPkiServerVerifier`, `WebPkiClientVerifier`), webpki's path
//! building with a path callback of ours for the depth and the pins, and
//! signature checks of single links with the crypto provider's algorithms
//! (the signed structures split here with `der`).

use std::sync::Arc;

use der::asn1::BitStringRef;
use der::{Decode, Reader, SliceReader, Tag};
use sslconf::rustls;
use sslconf::rustls::client::danger::ServerCertVerifier;
use sslconf::rustls::pki_types::{
    CertificateDer, CertificateRevocationListDer, ServerName, UnixTime,
};

/// What the oracle says of a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    Refused(String),
    /// webpki's work budget ran out: nothing can be said (the crate drops
    /// exact duplicates first, so it may still find a path).
    Exhausted,
}

impl Verdict {
    pub fn accepted(&self) -> bool {
        matches!(self, Verdict::Accepted)
    }
    pub fn refused(&self) -> bool {
        matches!(self, Verdict::Refused(_))
    }
}

/// The revocation settings, as the configuration holds them.
#[derive(Debug, Clone)]
pub struct Lists {
    /// The lists' DER, newest first (by thisUpdate; a stable sort, as the
    /// crate documents that webpki is handed the newest list of an issuer
    /// first).
    pub ders: Vec<Vec<u8>>,
    pub leaf_only: bool,
    pub unknown_allowed: bool,
    pub expired_allowed: bool,
}

/// Public key pins: the SubjectPublicKeyInfo contents (without the
/// SEQUENCE header) of each pinned key.
#[derive(Debug, Clone)]
pub struct Pins {
    pub keys: Vec<Vec<u8>>,
    pub only: bool,
}

/// A certificate trusted as exactly itself (a configured certificate that
/// is no CA), with its validity in seconds since the epoch.
#[derive(Debug, Clone)]
pub struct ExactPin {
    pub der: Vec<u8>,
    pub not_before: u64,
    pub not_after: u64,
}

/// Everything a decision depends on.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The configured CA certificates (trust anchors), DER.
    pub anchors: Vec<Vec<u8>>,
    pub exact: Vec<ExactPin>,
    pub lists: Option<Lists>,
    pub pins: Option<Pins>,
    pub depth: u32,
    /// The server's name a client checks; `None` for a client certificate.
    pub host: Option<&'static str>,
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

fn algorithms() -> rustls::crypto::WebPkiSupportedAlgorithms {
    rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms
}

fn is_budget(error: &webpki::Error) -> bool {
    matches!(
        error,
        webpki::Error::MaximumSignatureChecksExceeded
            | webpki::Error::MaximumPathBuildCallsExceeded
            | webpki::Error::MaximumNameConstraintComparisonsExceeded
    )
}

fn verdict_of_rustls(result: Result<(), rustls::Error>) -> Verdict {
    match result {
        Ok(()) => Verdict::Accepted,
        Err(e) => {
            let text = format!("{e:?}");
            if text.contains("MaximumSignatureChecksExceeded")
                || text.contains("MaximumPathBuildCallsExceeded")
                || text.contains("MaximumNameConstraintComparisonsExceeded")
            {
                Verdict::Exhausted
            } else {
                Verdict::Refused(text)
            }
        }
    }
}

/// rustls's own webpki verifier, server or client side as `policy.host`
/// says, with the same anchors and lists (depth, unknown status and
/// expiration as configured); no pins and no depth limit (rustls has
/// neither).
pub fn rustls_verdict(policy: &Policy, leaf: &[u8], intermediates: &[Vec<u8>]) -> Verdict {
    let mut roots = rustls::RootCertStore::empty();
    for anchor in &policy.anchors {
        if roots.add(CertificateDer::from(anchor.clone())).is_err() {
            return Verdict::Refused("an anchor rustls refuses".into());
        }
    }
    let crls = |l: &Lists| -> Vec<CertificateRevocationListDer<'static>> {
        l.ders
            .iter()
            .map(|d| CertificateRevocationListDer::from(d.clone()))
            .collect()
    };
    let end_entity = CertificateDer::from(leaf.to_vec());
    let inters: Vec<CertificateDer<'static>> = intermediates
        .iter()
        .map(|d| CertificateDer::from(d.clone()))
        .collect();
    let now = UnixTime::now();
    let roots = Arc::new(roots);
    match policy.host {
        Some(host) => {
            let mut builder =
                rustls::client::WebPkiServerVerifier::builder_with_provider(roots, provider());
            if let Some(l) = &policy.lists {
                builder = builder.with_crls(crls(l));
                if l.leaf_only {
                    builder = builder.only_check_end_entity_revocation();
                }
                if l.unknown_allowed {
                    builder = builder.allow_unknown_revocation_status();
                }
                if !l.expired_allowed {
                    builder = builder.enforce_revocation_expiration();
                }
            }
            let verifier = match builder.build() {
                Ok(v) => v,
                Err(e) => return Verdict::Refused(format!("builder: {e:?}")),
            };
            let name = ServerName::try_from(host).expect("a DNS name");
            verdict_of_rustls(
                verifier
                    .verify_server_cert(&end_entity, &inters, &name, &[], now)
                    .map(drop),
            )
        }
        None => {
            let mut builder =
                rustls::server::WebPkiClientVerifier::builder_with_provider(roots, provider());
            if let Some(l) = &policy.lists {
                builder = builder.with_crls(crls(l));
                if l.leaf_only {
                    builder = builder.only_check_end_entity_revocation();
                }
                if l.unknown_allowed {
                    builder = builder.allow_unknown_revocation_status();
                }
                if !l.expired_allowed {
                    builder = builder.enforce_revocation_expiration();
                }
            }
            let verifier = match builder.build() {
                Ok(v) => v,
                Err(e) => return Verdict::Refused(format!("builder: {e:?}")),
            };
            verdict_of_rustls(
                verifier
                    .verify_client_cert(&end_entity, &inters, now)
                    .map(drop),
            )
        }
    }
}

/// The decision the documentation describes, built on webpki's public
/// path building: pins alone (the leaf's key pinned, the leaf within its
/// validity, the name), an exact pin (the leaf is byte for byte a
/// configured non-CA certificate, within its validity, its key pinned if
/// pins are set, the name), or a path to a CA anchor within the depth,
/// under the lists, holding a pinned key when pins are set, then the name.
/// `leaf_validity`: the leaf's (not before, not after) when known by
/// construction; `None` gives no verdict for pins alone or an exact pin.
pub fn exact_verdict(
    policy: &Policy,
    leaf: &[u8],
    intermediates: &[Vec<u8>],
    leaf_validity: Option<(u64, u64)>,
) -> Option<Verdict> {
    let now = UnixTime::now();
    let ee_der = CertificateDer::from(leaf.to_vec());
    let ee = match webpki::EndEntityCert::try_from(&ee_der) {
        Ok(ee) => ee,
        Err(e) => return Some(Verdict::Refused(format!("leaf: {e:?}"))),
    };
    let named = || match policy.host {
        Some(host) => {
            let name = ServerName::try_from(host).expect("a DNS name");
            ee.verify_is_valid_for_subject_name(&name).is_ok()
        }
        None => true,
    };
    let leaf_key = spki_contents(leaf);
    let pinned = |key: Option<&[u8]>| match &policy.pins {
        Some(p) => key.is_some_and(|k| p.keys.iter().any(|pin| pin == k)),
        None => true,
    };
    // A certificate accepted alone is refused when a list names it that a
    // key which signed it signed too: its own, or a trusted certificate's.
    let revoked_alone = || {
        policy.lists.as_ref().is_some_and(|lists| {
            let pool: Vec<&[u8]> = std::iter::once(leaf)
                .chain(policy.anchors.iter().map(Vec::as_slice))
                .collect();
            leaf_revoked(leaf, &pool, &lists.ders)
        })
    };
    let alone = |validity: Option<(u64, u64)>| {
        let (from, to) = validity?;
        let t = now.as_secs();
        let ok = from <= t && t <= to && pinned(leaf_key) && named() && !revoked_alone();
        Some(if ok {
            Verdict::Accepted
        } else {
            Verdict::Refused("alone: time, pin, name or revoked".into())
        })
    };
    if policy.pins.as_ref().is_some_and(|p| p.only) {
        return alone(leaf_validity);
    }
    if let Some(exact) = policy.exact.iter().find(|e| e.der == leaf) {
        return alone(Some((exact.not_before, exact.not_after)));
    }
    let anchor_ders: Vec<CertificateDer<'static>> = policy
        .anchors
        .iter()
        .map(|d| CertificateDer::from(d.clone()))
        .collect();
    let mut anchors = Vec::new();
    for d in &anchor_ders {
        match webpki::anchor_from_trusted_cert(d) {
            Ok(a) => anchors.push(a.to_owned()),
            Err(e) => return Some(Verdict::Refused(format!("anchor: {e:?}"))),
        }
    }
    let inters: Vec<CertificateDer<'static>> = intermediates
        .iter()
        .map(|d| CertificateDer::from(d.clone()))
        .collect();
    let owned_lists: Vec<webpki::CertRevocationList<'static>> = match &policy.lists {
        Some(l) => {
            let mut v = Vec::new();
            for d in &l.ders {
                match webpki::OwnedCertRevocationList::from_der(d) {
                    Ok(list) => v.push(list.into()),
                    Err(e) => return Some(Verdict::Refused(format!("list: {e:?}"))),
                }
            }
            v
        }
        None => Vec::new(),
    };
    let list_refs: Vec<&webpki::CertRevocationList<'_>> = owned_lists.iter().collect();
    let revocation = policy.lists.as_ref().map(|l| {
        webpki::RevocationOptionsBuilder::new(&list_refs)
            .expect("lists are configured")
            .with_depth(if l.leaf_only {
                webpki::RevocationCheckDepth::EndEntity
            } else {
                webpki::RevocationCheckDepth::Chain
            })
            .with_status_policy(if l.unknown_allowed {
                webpki::UnknownStatusPolicy::Allow
            } else {
                webpki::UnknownStatusPolicy::Deny
            })
            .with_expiration_policy(if l.expired_allowed {
                webpki::ExpirationPolicy::Ignore
            } else {
                webpki::ExpirationPolicy::Enforce
            })
            .build()
    });
    let depth = policy.depth as usize;
    let check = |path: &webpki::VerifiedPath<'_>| -> Result<(), webpki::Error> {
        let count = path.intermediate_certificates().count();
        if depth != 0 && count > depth {
            return Err(webpki::Error::MaximumPathDepthExceeded);
        }
        if policy.pins.is_some() {
            let anchor_key: &[u8] = path.anchor().subject_public_key_info.as_ref();
            let on_path = pinned(spki_contents(path.end_entity().der().as_ref()))
                || path
                    .intermediate_certificates()
                    .any(|c| pinned(spki_contents(c.der().as_ref())))
                || pinned(Some(anchor_key));
            if !on_path {
                return Err(webpki::Error::CertDistrusted);
            }
        }
        Ok(())
    };
    let usage = match policy.host {
        Some(_) => webpki::KeyUsage::server_auth(),
        None => webpki::KeyUsage::client_auth(),
    };
    let result = ee.verify_for_usage(
        algorithms().all,
        &anchors,
        &inters,
        now,
        usage,
        revocation,
        Some(&check),
    );
    Some(match result {
        Ok(_) if named() => Verdict::Accepted,
        Ok(_) => Verdict::Refused("name".into()),
        Err(e) if is_budget(&e) => Verdict::Exhausted,
        Err(e) => Verdict::Refused(format!("{e:?}")),
    })
}

// -- Single links, checked here ------------------------------------------------

/// The parts of a `SIGNED{}` structure (a certificate or a CRL): the whole
/// to-be-signed TLV, the signature algorithm identifier's contents, the
/// signature.
fn split_signed(der: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let mut outer = SliceReader::new(der).ok()?;
    let parts = outer
        .sequence(|r| {
            let tbs = r.tlv_bytes()?;
            let alg = contents_of(r, Tag::Sequence)?;
            let sig = BitStringRef::decode(r)?;
            Ok((tbs, alg, sig))
        })
        .ok()?;
    outer.finish(()).ok()?;
    let (tbs, alg, sig) = parts;
    Some((tbs, alg, sig.as_bytes()?))
}

fn contents_of<'a, R: Reader<'a>>(r: &mut R, tag: Tag) -> der::Result<&'a [u8]> {
    let header = der::Header::decode(r)?;
    if header.tag != tag {
        return Err(header.tag.unexpected_error(Some(tag)));
    }
    r.read_slice(header.length)
}

/// The contents of a certificate's SubjectPublicKeyInfo (without its
/// SEQUENCE header, as webpki keeps an anchor's): the seventh field of the
/// TBSCertificate, after the optional version.
pub fn spki_contents(cert: &[u8]) -> Option<&[u8]> {
    let (tbs, _, _) = split_signed(cert)?;
    let mut r = SliceReader::new(tbs).ok()?;
    let contents = contents_of(&mut r, Tag::Sequence).ok()?;
    let mut r = SliceReader::new(contents).ok()?;
    // [0] EXPLICIT version, if present.
    if r.peek_byte() == Some(0xa0) {
        r.tlv_bytes().ok()?;
    }
    // serial, signature, issuer, validity, subject.
    for _ in 0..5 {
        r.tlv_bytes().ok()?;
    }
    contents_of(&mut r, Tag::Sequence).ok()
}

/// A certificate's subject and issuer names (whole TLVs), read as the
/// crate's `der` reading splits a certificate: for any certificate the
/// crate reads, also those webpki refuses.
pub fn subject_and_issuer(cert: &[u8]) -> Option<(&[u8], &[u8])> {
    let (tbs, _, _) = split_signed(cert)?;
    let mut r = SliceReader::new(tbs).ok()?;
    let contents = contents_of(&mut r, Tag::Sequence).ok()?;
    let mut r = SliceReader::new(contents).ok()?;
    if r.peek_byte() == Some(0xa0) {
        r.tlv_bytes().ok()?;
    }
    // serial, signature.
    for _ in 0..2 {
        r.tlv_bytes().ok()?;
    }
    let issuer = r.tlv_bytes().ok()?;
    r.tlv_bytes().ok()?;
    let subject = r.tlv_bytes().ok()?;
    Some((subject, issuer))
}

/// Whether the key whose SubjectPublicKeyInfo contents are `key` verifies
/// the signature of `signed` (a certificate or a CRL), with any of the
/// provider's algorithms that match both identifiers.
pub fn signed_with(signed: &[u8], key: &[u8]) -> bool {
    let Some((tbs, alg, sig)) = split_signed(signed) else {
        return false;
    };
    let Some((key_alg, key_bits)) = (|| {
        let mut r = SliceReader::new(key).ok()?;
        let alg = contents_of(&mut r, Tag::Sequence).ok()?;
        let bits = BitStringRef::decode(&mut r).ok()?;
        r.finish(()).ok()?;
        Some((alg, bits.as_bytes()?))
    })() else {
        return false;
    };
    algorithms()
        .all
        .iter()
        .filter(|a| {
            a.signature_alg_id().as_ref() == alg && a.public_key_alg_id().as_ref() == key_alg
        })
        .any(|a| a.verify_signature(key_bits, tbs, sig).is_ok())
}

/// The certificates of `pool` reachable from `leaf` by links whose
/// signature verifies with the next one's key (the leaf first).
pub fn reachable<'a>(leaf: &'a [u8], pool: &[&'a [u8]]) -> Vec<&'a [u8]> {
    let mut reached = vec![leaf];
    let mut at = 0;
    while at < reached.len() {
        let current = reached[at];
        for &candidate in pool {
            if reached.contains(&candidate) {
                continue;
            }
            if spki_contents(candidate).is_some_and(|key| signed_with(current, key)) {
                reached.push(candidate);
            }
        }
        at += 1;
    }
    reached
}

/// Whether a configured list revokes the leaf: a list of the leaf's
/// issuer name, signed by a key of `pool` that verifies the leaf's own
/// signature, that names the leaf's serial.
pub fn leaf_revoked(leaf: &[u8], pool: &[&[u8]], lists: &[Vec<u8>]) -> bool {
    let ee_der = CertificateDer::from(leaf.to_vec());
    let Ok(ee) = webpki::EndEntityCert::try_from(&ee_der) else {
        return false;
    };
    let issuer_keys: Vec<&[u8]> = pool
        .iter()
        .filter_map(|c| spki_contents(c))
        .filter(|key| signed_with(leaf, key))
        .collect();
    lists.iter().any(|der| {
        let Ok(list) = webpki::BorrowedCertRevocationList::from_der(der) else {
            return false;
        };
        let list = webpki::CertRevocationList::from(list);
        list.issuer() == ee.issuer()
            && issuer_keys.iter().any(|key| signed_with(der, key))
            && matches!(list.find_serial(ee.serial()), Ok(Some(_)))
    })
}
