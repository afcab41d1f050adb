//! Whether an issuer's key signed a certificate or a revocation list, with
//! the crypto provider's signature algorithms: the one check webpki makes
//! only on a path that reaches a trust anchor, which the diagnosis needs on
//! any link (RFC 5280 4.1.1.3, 5.1.1.3: both are `SIGNED{}` structures).

use der::asn1::BitStringRef;
use der::{Decode, Reader, SliceReader, Tag};

use super::signature_algorithms;

/// The parts of a `SIGNED{}` structure: the signed bytes (the whole
/// `tbsCertificate` / `tbsCertList` TLV), the contents of its signature
/// algorithm identifier, and the signature.
struct Signed<'a> {
    tbs: &'a [u8],
    algorithm: &'a [u8],
    signature: &'a [u8],
}

impl<'a> Signed<'a> {
    fn parse(der: &'a [u8]) -> Option<Self> {
        let mut outer = SliceReader::new(der).ok()?;
        let signed = outer
            .sequence(|r| {
                let tbs = r.tlv_bytes()?;
                let algorithm = sequence_contents(r)?;
                let signature = BitStringRef::decode(r)?;
                Ok((tbs, algorithm, signature))
            })
            .ok()?;
        outer.finish(()).ok()?;
        let (tbs, algorithm, signature) = signed;
        Some(Self {
            tbs,
            algorithm,
            signature: signature.as_bytes()?,
        })
    }
}

/// A SubjectPublicKeyInfo's algorithm identifier (contents) and key bits.
struct PublicKey<'a> {
    algorithm: &'a [u8],
    key: &'a [u8],
}

impl<'a> PublicKey<'a> {
    /// From the DER of a SubjectPublicKeyInfo, with or without its
    /// SEQUENCE header (webpki keeps an anchor's without).
    fn parse(spki: &'a [u8]) -> Option<Self> {
        let whole = SliceReader::new(spki).ok().and_then(|mut r| {
            let parts = r.sequence(spki_contents).ok()?;
            r.finish(parts).ok()
        });
        let (algorithm, key) = whole.or_else(|| {
            let mut r = SliceReader::new(spki).ok()?;
            let parts = spki_contents(&mut r).ok()?;
            r.finish(parts).ok()
        })?;
        Some(Self { algorithm, key })
    }
}

/// A SubjectPublicKeyInfo's contents: its algorithm identifier (contents)
/// and its key bits.
fn spki_contents<'a, R: Reader<'a>>(r: &mut R) -> der::Result<(&'a [u8], &'a [u8])> {
    let algorithm = sequence_contents(r)?;
    let key = BitStringRef::decode(r)?;
    let key = key.as_bytes().ok_or(Tag::BitString.value_error())?;
    Ok((algorithm, key))
}

/// The contents of the next SEQUENCE (an AlgorithmIdentifier, as rustls's
/// algorithms name theirs).
fn sequence_contents<'a, R: Reader<'a>>(r: &mut R) -> der::Result<&'a [u8]> {
    let header = der::Header::decode(r)?;
    if header.tag != Tag::Sequence {
        return Err(header.tag.unexpected_error(Some(Tag::Sequence)));
    }
    r.read_slice(header.length)
}

/// Whether the key of `issuer_spki` (a SubjectPublicKeyInfo, DER, with or
/// without its SEQUENCE header) verifies the signature of `signed` (the DER
/// of a certificate or a certificate revocation list). False for anything
/// that does not parse, and for an algorithm the provider does not verify.
pub(crate) fn signed_by(signed: &[u8], issuer_spki: &[u8]) -> bool {
    let (Some(signed), Some(key)) = (Signed::parse(signed), PublicKey::parse(issuer_spki)) else {
        return false;
    };
    signature_algorithms()
        .all
        .iter()
        .filter(|alg| {
            alg.signature_alg_id().as_ref() == signed.algorithm
                && alg.public_key_alg_id().as_ref() == key.algorithm
        })
        .any(|alg| {
            alg.verify_signature(key.key, signed.tbs, signed.signature)
                .is_ok()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(issuer: Option<(&rcgen::CertificateParams, &rcgen::KeyPair)>) -> (Vec<u8>, Vec<u8>) {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["a.test".into()]).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let der = match issuer {
            None => params.self_signed(&key).unwrap().der().to_vec(),
            Some((params, issuer_key)) => {
                let issuer = rcgen::Issuer::from_params(params, issuer_key);
                let leaf = rcgen::CertificateParams::new(vec!["b.test".into()]).unwrap();
                leaf.signed_by(&key, &issuer).unwrap().der().to_vec()
            }
        };
        (der, rcgen::PublicKeyData::subject_public_key_info(&key))
    }

    #[test]
    fn a_signature_verifies_with_its_issuers_key_only() {
        let issuer_key = rcgen::KeyPair::generate().unwrap();
        let issuer_params = rcgen::CertificateParams::new(vec!["ca.test".into()]).unwrap();
        let issuer_spki = rcgen::PublicKeyData::subject_public_key_info(&issuer_key);
        let (leaf, leaf_spki) = cert(Some((&issuer_params, &issuer_key)));
        assert!(signed_by(&leaf, &issuer_spki));
        assert!(!signed_by(&leaf, &leaf_spki));
        // An anchor's key, kept without the SEQUENCE header.
        assert!(signed_by(
            &leaf,
            super::super::der::name_contents(&issuer_spki)
        ));
        let (self_signed, own) = cert(None);
        assert!(signed_by(&self_signed, &own));
        // One flipped bit of the signed part, or of the signature.
        for at in [20, leaf.len() - 3] {
            let mut bad = leaf.clone();
            bad[at] ^= 1;
            assert!(!signed_by(&bad, &issuer_spki), "bit flipped at {at}");
        }
        // Not DER at all, trailing data, an empty key.
        assert!(!signed_by(b"junk", &issuer_spki));
        assert!(!signed_by(&[leaf.clone(), vec![0]].concat(), &issuer_spki));
        assert!(!signed_by(&leaf, &[]));
    }
}
