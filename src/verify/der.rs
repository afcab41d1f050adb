//! The DER facts verification needs beyond webpki's API: a SEQUENCE's
//! contents (webpki keeps names and trust anchors' keys without their
//! header), a SEQUENCE around contents, and a certificate's `notAfter`.

use std::time::SystemTime;

use der::asn1::{AnyRef, GeneralizedTime, UtcTime};
use der::{Decode, Reader, SliceReader, Tag, TagNumber};

/// When a certificate (DER) expires: its `notAfter`, read without parsing
/// the rest; `None` for what does not parse that far.
pub(crate) fn not_after(cert: &[u8]) -> Option<SystemTime> {
    let mut outer = SliceReader::new(cert).ok()?;
    outer
        .sequence(|cert| {
            cert.sequence(|tbs| {
                // version [0] EXPLICIT (absent in v1), serialNumber,
                // signature, issuer, then validity.
                let version = Tag::ContextSpecific {
                    constructed: true,
                    number: TagNumber::N0,
                };
                if tbs.peek_tag()? == version {
                    AnyRef::decode(tbs)?;
                }
                for _ in 0..3 {
                    AnyRef::decode(tbs)?;
                }
                let validity = tbs.sequence(|validity| {
                    AnyRef::decode(validity)?;
                    let time = match validity.peek_tag()? {
                        Tag::UtcTime => UtcTime::decode(validity)?.to_system_time(),
                        _ => GeneralizedTime::decode(validity)?.to_system_time(),
                    };
                    Ok(time)
                })?;
                // The rest of the certificate is not read.
                tbs.read_slice(tbs.remaining_len())?;
                Ok(validity)
            })
            .and_then(|time| {
                cert.read_slice(cert.remaining_len())?;
                Ok(time)
            })
        })
        .ok()
}

/// The contents of a DER SEQUENCE (a `Name`), as webpki keeps a CRL's
/// issuer; the input itself when it is not one.
pub(crate) fn name_contents(der: &[u8]) -> &[u8] {
    let Some((&0x30, rest)) = der.split_first() else {
        return der;
    };
    let Some((&first, rest)) = rest.split_first() else {
        return der;
    };
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return der;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |len, &b| (len << 8) | usize::from(b));
        (len, &rest[n..])
    };
    if rest.len() == len {
        rest
    } else {
        der
    }
}

/// `contents` wrapped in a DER SEQUENCE header: a trust anchor's
/// SubjectPublicKeyInfo as a certificate holds it.
pub(crate) fn sequence(contents: &[u8]) -> Vec<u8> {
    let len = contents.len();
    let mut der = vec![0x30];
    if len < 0x80 {
        der.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        der.push(0x80 | (bytes.len() - skip) as u8);
        der.extend_from_slice(&bytes[skip..]);
    }
    der.extend_from_slice(contents);
    der
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(crate) fn name_contents_strips_one_sequence_header() {
        assert_eq!(name_contents(&[0x30, 0x02, 0x31, 0x00]), &[0x31, 0x00]);
        let long: Vec<u8> = [0x30, 0x81, 0x80]
            .into_iter()
            .chain(std::iter::repeat_n(7, 0x80))
            .collect();
        assert_eq!(name_contents(&long).len(), 0x80);
        // Not a sequence, or a wrong length: left as it is.
        assert_eq!(name_contents(&[0x31, 0x00]), &[0x31, 0x00]);
        assert_eq!(name_contents(&[0x30, 0x05, 0x00]), &[0x30, 0x05, 0x00]);
        assert_eq!(name_contents(&[]), &[] as &[u8]);
    }

    #[test]
    fn not_after_is_the_certificates() {
        let mut params = rcgen::CertificateParams::new(vec!["a.test".into()]).unwrap();
        params.not_after = rcgen::date_time_ymd(2049, 12, 31);
        let key = rcgen::KeyPair::generate().unwrap();
        let der = params.self_signed(&key).unwrap().der().to_vec();
        let read = not_after(&der).unwrap();
        let cert = crate::Certificate::from_der(&der).unwrap();
        assert_eq!(read, cert.expiry_date());
        // GeneralizedTime from 2050 on.
        params.not_after = rcgen::date_time_ymd(2051, 1, 2);
        let der = params.self_signed(&key).unwrap().der().to_vec();
        let cert = crate::Certificate::from_der(&der).unwrap();
        assert_eq!(not_after(&der).unwrap(), cert.expiry_date());
        assert_eq!(not_after(b"junk"), None);
        assert_eq!(not_after(&der[..40]), None);
    }

    #[test]
    fn sequence_round_trips() {
        for len in [0, 1, 0x7f, 0x80, 0xff, 0x100, 70_000] {
            let contents = vec![5u8; len];
            let der = sequence(&contents);
            assert_eq!(name_contents(&der), contents.as_slice(), "{len}");
        }
    }
}
