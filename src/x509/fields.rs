//! What a certificate's DER holds, read with RustCrypto's `der` crate (the
//! one ASN.1 stack of the crate): the structure RFC 5280 gives it, checked
//! when a certificate is made; the fields Qt exposes, read on first use.

use std::net::IpAddr;
use std::time::SystemTime;

use der::asn1::BitStringRef;
use der::{Reader, SliceReader, Tag};

use super::asn1::{self, INTEGER, OCTET_STRING, OID, SEQUENCE};
use super::certificate::AlternativeName;
use super::name::Name;
use crate::error::InvalidInput;

/// The fields [`Certificate`](super::Certificate)'s accessors return.
pub(super) struct Fields {
    pub(super) version: u32,
    /// The serial number without the sign byte DER may add.
    pub(super) serial: Vec<u8>,
    pub(super) subject: Name,
    pub(super) issuer: Name,
    pub(super) not_before: SystemTime,
    pub(super) not_after: SystemTime,
    pub(super) self_signed: bool,
    pub(super) is_ca: bool,
    pub(super) key_ids: KeyIds,
    pub(super) alternative_names: Vec<AlternativeName>,
    /// The DER of the SubjectPublicKeyInfo, and of the issuer and subject
    /// `Name`s, and the serial number's contents, as the certificate has them.
    pub(super) spki: Vec<u8>,
    pub(super) issuer_der: Vec<u8>,
    #[cfg(any(feature = "ocsp", test))]
    pub(super) subject_der: Vec<u8>,
    pub(super) raw_serial: Vec<u8>,
}

/// The fields of a certificate that cannot be read: empty, with a validity
/// period of the Unix epoch.
pub(super) static UNREADABLE: Fields = Fields {
    version: 0,
    serial: Vec::new(),
    subject: Name::EMPTY,
    issuer: Name::EMPTY,
    not_before: SystemTime::UNIX_EPOCH,
    not_after: SystemTime::UNIX_EPOCH,
    self_signed: false,
    is_ca: false,
    key_ids: KeyIds {
        subject: None,
        authority: None,
    },
    alternative_names: Vec::new(),
    spki: Vec::new(),
    issuer_der: Vec::new(),
    #[cfg(any(feature = "ocsp", test))]
    subject_der: Vec::new(),
    raw_serial: Vec::new(),
};

/// A certificate's subject and authority key identifiers, where present.
pub(super) struct KeyIds {
    pub(super) subject: Option<Vec<u8>>,
    pub(super) authority: Option<Vec<u8>>,
}

/// Why bytes are no certificate whose fields can be read.
#[derive(Debug)]
pub(super) enum Refusal {
    /// Not the structure of an X.509 certificate.
    Malformed(der::Error),
    /// A certificate, and this many bytes after it.
    TrailingData(usize),
    /// The subject alternative name extension cannot be read.
    AlternativeNames(AlternativeNamesError),
}

/// What is wrong with a subject alternative name extension.
#[derive(Debug, thiserror::Error)]
pub(super) enum AlternativeNamesError {
    #[error("malformed general names")]
    Malformed(#[source] der::Error),
    #[error("the extension appears more than once")]
    Repeated,
}

// The extensions read here, by their OID's contents (2.5.29.x).
const SUBJECT_KEY_ID: &[u8] = &[0x55, 0x1d, 0x0e];
const ALTERNATIVE_NAMES: &[u8] = &[0x55, 0x1d, 0x11];
const BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];
const AUTHORITY_KEY_ID: &[u8] = &[0x55, 0x1d, 0x23];
/// rsaEncryption and RSASSA-PSS (1.2.840.113549.1.1.1 and .10).
const RSA_KEYS: [&[u8]; 2] = [
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01],
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a],
];

/// A certificate's parts, borrowed from its DER.
struct Tbs<'a> {
    version: u8,
    serial: &'a [u8],
    issuer: &'a [u8],
    subject: &'a [u8],
    not_before: i64,
    not_after: i64,
    spki: &'a [u8],
    extensions: Vec<(&'a [u8], &'a [u8])>,
}

/// Checks that `der` is exactly one certificate whose fields
/// [`Fields::parse`] reads, without building them.
pub(super) fn check(der: &[u8]) -> Result<(), Refusal> {
    read(der)?.alternative_names().map(drop)
}

/// The DER of a certificate's SubjectPublicKeyInfo; `None` for bytes that
/// are no certificate.
pub(crate) fn public_key_info(der: &[u8]) -> Option<&[u8]> {
    read(der).ok().map(|tbs| tbs.spki)
}

impl Fields {
    pub(super) fn parse(der: &[u8]) -> Result<Fields, Refusal> {
        let tbs = read(der)?;
        let alternative_names = tbs.alternative_names()?;
        let key_ids = tbs.key_ids();
        let self_signed = tbs.subject == tbs.issuer
            && match (&key_ids.subject, &key_ids.authority) {
                (Some(s), Some(a)) => s == a,
                _ => true,
            };
        Ok(Fields {
            version: u32::from(tbs.version) + 1,
            serial: strip_sign_byte(tbs.serial).to_vec(),
            subject: Name::read(tbs.subject),
            issuer: Name::read(tbs.issuer),
            not_before: asn1::system_time(tbs.not_before),
            not_after: asn1::system_time(tbs.not_after),
            self_signed,
            is_ca: tbs.is_ca(),
            key_ids,
            alternative_names,
            spki: tbs.spki.to_vec(),
            issuer_der: tbs.issuer.to_vec(),
            #[cfg(any(feature = "ocsp", test))]
            subject_der: tbs.subject.to_vec(),
            raw_serial: tbs.serial.to_vec(),
        })
    }
}

/// Reads exactly one certificate:
/// `SEQUENCE { tbsCertificate, AlgorithmIdentifier, BIT STRING }`.
fn read(der: &[u8]) -> Result<Tbs<'_>, Refusal> {
    let mut r = SliceReader::new(der).map_err(Refusal::Malformed)?;
    let tbs = asn1::sequence(&mut r, |cert| {
        let tbs = asn1::sequence(cert, tbs)?;
        asn1::algorithm(cert)?;
        asn1::decode::<BitStringRef<'_>>(cert)?;
        Ok(tbs)
    })
    .map_err(Refusal::Malformed)?;
    match u32::from(r.remaining_len()) {
        0 => Ok(tbs),
        rest => Err(Refusal::TrailingData(rest as usize)),
    }
}

/// RFC 5280's TBSCertificate, from its version to its extensions.
fn tbs<'a>(r: &mut SliceReader<'a>) -> asn1::Result<Tbs<'a>> {
    let version = match asn1::optional(r, 0xa0)? {
        Some(explicit) => {
            asn1::nested(explicit, |v| asn1::small_integer(asn1::expect(v, INTEGER)?))?
        }
        None => 0,
    };
    if version > 2 {
        return Err(Tag::Integer.value_error());
    }
    let serial = asn1::expect(r, INTEGER)?;
    asn1::algorithm(r)?;
    let issuer = Name::check(r)?;
    let (not_before, not_after) = asn1::sequence(r, |v| Ok((asn1::time(v)?, asn1::time(v)?)))?;
    let subject = Name::check(r)?;
    let spki = asn1::expect_tlv(r, SEQUENCE)?;
    asn1::nested(spki, |s| {
        asn1::sequence(s, |s| {
            asn1::algorithm(s)?;
            asn1::decode::<BitStringRef<'_>>(s).map(drop)
        })
    })?;
    // issuerUniqueID and subjectUniqueID, [1] and [2] IMPLICIT BIT STRING.
    asn1::optional(r, 0x81)?;
    asn1::optional(r, 0x82)?;
    let mut extensions = Vec::new();
    if let Some(explicit) = asn1::optional(r, 0xa3)? {
        asn1::nested(explicit, |e| {
            asn1::sequence(e, |list| {
                while !list.is_finished() {
                    extensions.push(asn1::sequence(list, extension)?);
                }
                Ok(())
            })
        })?;
    }
    Ok(Tbs {
        version,
        serial,
        issuer,
        subject,
        not_before,
        not_after,
        spki,
        extensions,
    })
}

/// `Extension ::= SEQUENCE { OID, critical BOOLEAN DEFAULT FALSE, OCTET
/// STRING }`: the OID's contents and the value. A BER boolean is taken,
/// as some issuers write one.
fn extension<'a>(r: &mut SliceReader<'a>) -> asn1::Result<(&'a [u8], &'a [u8])> {
    let oid = asn1::expect(r, OID)?;
    if let Some(critical) = asn1::optional(r, 0x01)? {
        if critical.len() != 1 {
            return Err(Tag::Boolean.value_error());
        }
    }
    Ok((oid, asn1::expect(r, OCTET_STRING)?))
}

impl<'a> Tbs<'a> {
    /// The values of the extensions with this OID, in order.
    fn extension<'s>(&'s self, oid: &'s [u8]) -> impl Iterator<Item = &'a [u8]> + 's {
        self.extensions
            .iter()
            .filter(move |(id, _)| *id == oid)
            .map(|(_, value)| *value)
    }

    /// The DNS names, e-mail addresses, IP addresses and URIs of the subject
    /// alternative name extension; an error for one that does not read, or
    /// for two of them.
    fn alternative_names(&self) -> Result<Vec<AlternativeName>, Refusal> {
        let mut values = self.extension(ALTERNATIVE_NAMES);
        let Some(value) = values.next() else {
            return Ok(Vec::new());
        };
        let problem = if values.next().is_some() {
            AlternativeNamesError::Repeated
        } else {
            match general_names(value) {
                Ok(names) => return Ok(names),
                Err(e) => AlternativeNamesError::Malformed(e),
            }
        };
        Err(Refusal::AlternativeNames(problem))
    }

    /// The key identifiers; a malformed one is left out, and the last of
    /// two of a kind is taken.
    fn key_ids(&self) -> KeyIds {
        let subject = self
            .extension(SUBJECT_KEY_ID)
            .filter_map(|value| asn1::nested(value, |r| asn1::expect(r, OCTET_STRING)).ok())
            .last();
        // SEQUENCE { [0] IMPLICIT KeyIdentifier OPTIONAL, [1] issuer, [2] serial }
        let authority = self
            .extension(AUTHORITY_KEY_ID)
            .filter_map(|value| {
                asn1::nested(value, |r| {
                    asn1::sequence(r, |aki| {
                        let id = asn1::optional(aki, 0x80)?;
                        while !aki.is_finished() {
                            asn1::any(aki)?;
                        }
                        Ok(id)
                    })
                })
                .ok()
            })
            .last();
        KeyIds {
            subject: subject.map(<[u8]>::to_vec),
            authority: authority.flatten().map(<[u8]>::to_vec),
        }
    }

    /// Whether one basic constraints extension says cA: `SEQUENCE { cA
    /// BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }`.
    fn is_ca(&self) -> bool {
        let mut values = self.extension(BASIC_CONSTRAINTS);
        let (Some(value), None) = (values.next(), values.next()) else {
            return false;
        };
        asn1::nested(value, |r| {
            asn1::sequence(r, |bc| {
                let ca = match bc.peek_byte() {
                    Some(0x01) => asn1::decode::<bool>(bc)?,
                    _ => false,
                };
                asn1::optional(bc, INTEGER)?;
                Ok(ca)
            })
        })
        .unwrap_or(false)
    }
}

/// `GeneralNames ::= SEQUENCE OF GeneralName`: the kinds kept, in order;
/// the others are checked as far as their shape goes.
fn general_names(value: &[u8]) -> asn1::Result<Vec<AlternativeName>> {
    asn1::nested(value, |r| {
        asn1::sequence(r, |names| {
            let mut kept = Vec::new();
            while !names.is_finished() {
                let (tag, contents) = asn1::any(names)?;
                if tag & 0xc0 != 0x80 {
                    return Err(der::ErrorKind::TagUnknown { byte: tag }.into());
                }
                let text = || std::str::from_utf8(contents).map(str::to_owned);
                match tag & 0x1f {
                    // rfc822Name, dNSName, URI: IA5Strings, which many
                    // issuers fill with UTF-8.
                    1 => kept.push(AlternativeName::Email(text()?)),
                    2 => kept.push(AlternativeName::Dns(text()?)),
                    6 => kept.push(AlternativeName::Uri(text()?)),
                    7 => {
                        if let Some(ip) = ip_address(contents) {
                            kept.push(AlternativeName::IpAddress(ip));
                        }
                    }
                    // otherName: SEQUENCE { OID, [0] EXPLICIT ANY }.
                    0 => {
                        let mut other = SliceReader::new(contents)?;
                        asn1::expect(&mut other, OID)?;
                    }
                    // directoryName: a Name.
                    4 => asn1::nested(contents, |n| Name::check(n).map(drop))?,
                    // x400Address, ediPartyName, registeredID.
                    3 | 5 | 8 => {}
                    _ => return Err(der::ErrorKind::TagUnknown { byte: tag }.into()),
                }
            }
            Ok(kept)
        })
    })
}

fn ip_address(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}

/// The size of the modulus of an RSA SubjectPublicKeyInfo (DER), in bits.
pub(super) fn rsa_key_bits(spki: &[u8]) -> Option<usize> {
    let modulus = asn1::nested(spki, |r| {
        asn1::sequence(r, |s| {
            let (algorithm, _) = asn1::algorithm(s)?;
            let key = asn1::decode::<BitStringRef<'_>>(s)?;
            if !RSA_KEYS.contains(&algorithm) {
                return Ok(None);
            }
            let key = key.as_bytes().ok_or(Tag::BitString.value_error())?;
            // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
            asn1::nested(key, |k| {
                asn1::sequence(k, |k| {
                    let modulus = asn1::expect(k, INTEGER)?;
                    asn1::expect(k, INTEGER)?;
                    Ok(Some(modulus))
                })
            })
        })
    })
    .ok()??;
    let significant = match modulus.iter().position(|&b| b != 0) {
        Some(start) => &modulus[start..],
        None => return Some(0),
    };
    Some(significant.len() * 8 - significant[0].leading_zeros() as usize)
}

/// The key bits of a SubjectPublicKeyInfo (DER): the BIT STRING's contents,
/// which an OCSP CertID hashes and a PKCS#12 file's key is matched with.
#[cfg(any(feature = "ocsp", feature = "pkcs12"))]
pub(super) fn public_key_bits(spki: &[u8]) -> Option<&[u8]> {
    asn1::nested(spki, |r| {
        asn1::sequence(r, |s| {
            asn1::algorithm(s)?;
            asn1::expect(s, asn1::BIT_STRING)
        })
    })
    .ok()
    .and_then(|bits| bits.split_first().map(|(_, key)| key))
}

/// A serial number's content bytes without the zero that keeps it positive.
pub(crate) fn strip_sign_byte(serial: &[u8]) -> &[u8] {
    match serial {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => serial,
    }
}

impl From<Refusal> for InvalidInput {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Malformed(e) => InvalidInput::caused("not an X.509 certificate", e),
            Refusal::TrailingData(n) => {
                format!("{n} bytes of trailing data after the certificate").into()
            }
            Refusal::AlternativeNames(e) => {
                InvalidInput::caused("invalid subject alternative name", e)
            }
        }
    }
}
