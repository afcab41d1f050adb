//! Reading an OCSP response a server staples (feature `ocsp`, with
//! RustCrypto's x509-ocsp): whether it is a successful response for the
//! identity's leaf certificate, and what about it deserves a warning.
//!
//! The response's signature is not verified here: the server only relays
//! it, and the client that asked for it judges it.

use std::time::SystemTime;

use der::asn1::ObjectIdentifier;
use der::Decode;
use x509_ocsp::{BasicOcspResponse, CertStatus, OcspResponse, OcspResponseStatus, SingleResponse};

use super::fields::{public_key_bits, strip_sign_byte};
use super::time::utc;
use super::OcspStaple;
use crate::error::InvalidInput;
use crate::{Certificate, Error};

/// RFC 6960's `id-pkix-ocsp-basic`, the one response type there is.
const ID_PKIX_OCSP_BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");

impl OcspStaple {
    /// Checks that the response can be stapled to `chain` (leaf first): it
    /// parses, its status is successful, and one of its answers is for the
    /// leaf (serial number, issuer name hash, and the issuer key hash
    /// against the next certificate of the chain when that is the leaf's
    /// issuer). Returns what deserves a warning at `now`: an answer past its
    /// nextUpdate, or one that is not "good".
    ///
    /// # Errors
    /// [`Error::OcspResponse`] naming the input and the leaf.
    pub(crate) fn check(
        &self,
        chain: &[Certificate],
        now: SystemTime,
    ) -> Result<Vec<String>, Error> {
        let Some(leaf) = chain.first() else {
            return Err(self.refused(
                "(none)".to_owned(),
                InvalidInput::new("the identity has no certificate"),
            ));
        };
        let subject = leaf.subject_display_name();
        let refuse = |reason: InvalidInput| self.refused(subject.clone(), reason);
        let single = matching_response(self.der(), chain).map_err(refuse)?;
        let mut warnings = Vec::new();
        if let Some(next) = &single.next_update {
            let next = next.0.to_system_time();
            if next < now {
                warnings.push(format!(
                    "the ocsp response in {} for {subject:?} is past its nextUpdate ({}); \
                     clients may reject it: fetch a fresh one",
                    self.input(),
                    utc(next),
                ));
            }
        }
        match single.cert_status {
            CertStatus::Good(_) => {}
            CertStatus::Revoked(_) => warnings.push(format!(
                "the ocsp response in {} says {subject:?} is revoked",
                self.input()
            )),
            CertStatus::Unknown(_) => warnings.push(format!(
                "the ocsp response in {} says the responder does not know {subject:?}",
                self.input()
            )),
        }
        Ok(warnings)
    }

    /// Whether the response is a successful one that can be stapled to
    /// some certificate (what [`check`](Self::check) asks beyond that is
    /// whether it is this one's).
    pub(crate) fn is_usable(&self) -> bool {
        basic_response(self.der()).is_ok()
    }

    fn refused(&self, subject: String, source: InvalidInput) -> Error {
        Error::OcspResponse {
            input: self.input(),
            subject,
            source,
        }
    }
}

/// At most this many bytes are stapled: a TLS 1.2 CertificateStatus
/// message over 16 KiB is refused by OpenSSL, and TLS 1.3 carries the
/// response in an extension of at most 64 KiB.
const MAX_STAPLE: usize = 16_380;

/// A DER OCSP response's basic response, when it is a successful one.
fn basic_response(der: &[u8]) -> Result<BasicOcspResponse, InvalidInput> {
    if der.len() > MAX_STAPLE {
        return Err(InvalidInput::new(format!(
            "it is {} bytes, more than the {MAX_STAPLE} a TLS 1.2 handshake carries",
            der.len()
        )));
    }
    let response = OcspResponse::from_der(der)
        .map_err(|e| InvalidInput::caused("not a DER OCSP response", e))?;
    if response.response_status != OcspResponseStatus::Successful {
        return Err(InvalidInput::new(format!(
            "its status is {:?}, not successful",
            response.response_status
        )));
    }
    let bytes = response
        .response_bytes
        .ok_or_else(|| InvalidInput::new("a successful response without a response"))?;
    if bytes.response_type != ID_PKIX_OCSP_BASIC {
        return Err(InvalidInput::new(format!(
            "response type {} is not id-pkix-ocsp-basic",
            bytes.response_type
        )));
    }
    BasicOcspResponse::from_der(bytes.response.as_bytes())
        .map_err(|e| InvalidInput::caused("not a DER basic OCSP response", e))
}

/// The answer of a DER OCSP response for the leaf of `chain`.
fn matching_response(der: &[u8], chain: &[Certificate]) -> Result<SingleResponse, InvalidInput> {
    let basic = basic_response(der)?;
    let leaf = &chain[0];
    let (Some(leaf_issuer), Some(leaf_serial)) = (leaf.issuer_name_der(), leaf.serial_der()) else {
        return Err(InvalidInput::new("the leaf certificate does not parse"));
    };
    // The leaf's issuer, wherever the chain has it (its key hash is then
    // checked too); a chain of the leaf alone is matched by name and serial.
    let issuer_key = chain[1..]
        .iter()
        .find(|cert| cert.subject_name_der() == Some(leaf_issuer))
        .and_then(|issuer| public_key_bits(issuer.public_key_info()?));
    let serial = strip_sign_byte(leaf_serial);
    let mut found_serial = false;
    let mut unknown_hash = None;
    for single in basic.tbs_response_data.responses {
        let id = &single.cert_id;
        if strip_sign_byte(id.serial_number.as_bytes()) != serial {
            continue;
        }
        found_serial = true;
        let oid = id.hash_algorithm.oid;
        let Some(name_hash) = digest(oid, leaf_issuer) else {
            // Another answer for the serial may use a hash known here.
            unknown_hash = Some(oid);
            continue;
        };
        if name_hash != id.issuer_name_hash.as_bytes() {
            continue;
        }
        if let Some(key) = issuer_key {
            if digest(oid, key).as_deref() != Some(id.issuer_key_hash.as_bytes()) {
                continue;
            }
        }
        return Ok(single);
    }
    if let Some(oid) = unknown_hash {
        return Err(InvalidInput::new(format!(
            "its certificate id is hashed with {oid}, not SHA-1 or SHA-2"
        )));
    }
    Err(InvalidInput::new(if found_serial {
        format!(
            "it is for another issuer's certificate with serial number {}",
            chain[0].serial_number()
        )
    } else {
        format!(
            "it is for another certificate: none of its answers is for serial number {}",
            chain[0].serial_number()
        )
    }))
}

/// The hash a CertID names, of `data`, by the crypto provider; `None` for
/// an algorithm that is not SHA-1 or SHA-2 (SHA-224 neither provider has).
fn digest(algorithm: ObjectIdentifier, data: &[u8]) -> Option<Vec<u8>> {
    use crate::provider::primitives::digest;
    let algorithm = match algorithm {
        SHA1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
        SHA256 => &digest::SHA256,
        SHA384 => &digest::SHA384,
        SHA512 => &digest::SHA512,
        _ => return None,
    };
    Some(digest::digest(algorithm, data).as_ref().to_vec())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    const GOOD: &[u8] = include_bytes!("../../tests/data/ocsp/good-1day.der");
    /// The nextUpdate of `GOOD`: 2026-12-01 03:01:42 UTC.
    const NEXT_UPDATE: u64 = 1_796_094_102;

    fn fixture(name: &str) -> Certificate {
        let path = format!("{}/tests/data/ocsp/{name}", env!("CARGO_MANIFEST_DIR"));
        Certificate::from_path(path).unwrap().remove(0)
    }

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn a_response_too_large_for_a_handshake_is_refused() {
        let chain = [fixture("leaf.pem"), fixture("ca.pem")];
        let mut large = GOOD.to_vec();
        large.resize(MAX_STAPLE + 1, 0);
        let err = OcspStaple::from_der(large)
            .check(&chain, at(0))
            .unwrap_err();
        assert!(
            crate::error::causes(&err)
                .ends_with("it is 16381 bytes, more than the 16380 a TLS 1.2 handshake carries"),
            "{}",
            crate::error::causes(&err)
        );
        assert!(OcspStaple::from_der(GOOD.to_vec()).is_usable());
    }

    #[test]
    fn a_response_past_its_next_update_warns() {
        let chain = [fixture("leaf.pem"), fixture("ca.pem")];
        let staple = OcspStaple::from_der(GOOD.to_vec());
        assert_eq!(
            staple.check(&chain, at(NEXT_UPDATE - 1)).unwrap(),
            Vec::<String>::new()
        );
        let warnings = staple.check(&chain, at(NEXT_UPDATE + 1)).unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("past its nextUpdate (2026-12-01 03:01:42 UTC)"),
            "{warnings:?}"
        );
        // The leaf alone: no issuer key to compare, the rest still matches.
        assert!(staple.check(&chain[..1], at(NEXT_UPDATE - 1)).is_ok());
    }

    #[test]
    fn a_response_for_another_certificate_or_issuer_is_refused() {
        let (leaf, ca) = (fixture("leaf.pem"), fixture("ca.pem"));
        let staple = OcspStaple::from_der(GOOD.to_vec());
        let reason = |chain: &[Certificate]| match staple.check(chain, at(0)) {
            Err(Error::OcspResponse {
                input,
                subject,
                source,
            }) => {
                assert_eq!(input, "DER input");
                format!("{subject}: {source}")
            }
            other => panic!("{other:?}"),
        };
        let other = reason(std::slice::from_ref(&ca));
        assert!(
            other.starts_with("sslconf OCSP fixture CA: it is for another certificate"),
            "{other}"
        );
        // The right serial and issuer name, but another issuer key: a CA
        // of the same name with a key of its own.
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "sslconf OCSP fixture CA");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let impostor = Certificate::from_der(params.self_signed(&key).unwrap().der()).unwrap();
        let other = reason(&[leaf.clone(), impostor.clone()]);
        assert!(
            other.starts_with(
                "localhost: it is for another issuer's certificate with serial number 16:6d:98"
            ),
            "{other}"
        );
        // The issuer is found wherever the chain has it, not only next.
        let out_of_order = reason(&[leaf.clone(), leaf.clone(), impostor]);
        assert!(
            out_of_order.starts_with("localhost: it is for another issuer's certificate"),
            "{out_of_order}"
        );
        // No issuer in the chain: only the names compare.
        assert!(staple.check(&[leaf.clone(), leaf], at(0)).is_ok());
    }

    #[test]
    fn a_response_that_does_not_parse_or_did_not_succeed_is_refused() {
        let chain = [fixture("leaf.pem")];
        for (der, expected) in [
            (&b"not der"[..], "not a DER OCSP response"),
            // OCSPResponse { responseStatus tryLater }, nothing else.
            (
                &[0x30, 0x03, 0x0a, 0x01, 0x03][..],
                "its status is TryLater, not successful",
            ),
            (&GOOD[..GOOD.len() - 1], "not a DER OCSP response"),
        ] {
            let err = OcspStaple::from_der(der.to_vec())
                .check(&chain, at(0))
                .unwrap_err();
            let source = std::error::Error::source(&err).unwrap().to_string();
            assert_eq!(source, expected);
            assert_eq!(
                err.to_string(),
                "the ocsp response in DER input cannot be stapled to \"localhost\""
            );
        }
    }
}
