//! Private keys, as Qt's `QSslKey` (private half only).

use std::fmt;
use std::path::Path;

use der::asn1::{BitStringRef, ObjectIdentifier, UintRef};
use der::{Reader, Tag};
use rustls_pki_types::pem::{PemObject, SectionKind};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer};
use zeroize::Zeroize;

use super::asn1::{self, INTEGER, OCTET_STRING, SEQUENCE};
use super::certificate::pem_error;
#[cfg(feature = "encrypted-keys")]
use super::encrypted_key;
use super::input::{is_pem, read_file};
use crate::error::InvalidInput;
use crate::Error;
#[cfg(feature = "encrypted-keys")]
use crate::Passphrase;

/// A private key: PKCS#8, PKCS#1 (RSA) or SEC1 (EC), plain or as encrypted PKCS#8.
///
/// Not `Clone`; its bytes are zeroized on drop and its `Debug` shows the
/// algorithm and length only. A configuration shares it through an `Arc`.
///
/// ```
/// # let pem = rcgen::KeyPair::generate().unwrap().serialize_pem();
/// use sslconf::{KeyAlgorithm, PrivateKey};
///
/// let key = PrivateKey::from_pem(pem.as_bytes())?;
/// assert_eq!(key.algorithm(), KeyAlgorithm::Ec);
/// assert_eq!(key.length(), 256);
/// assert_eq!(format!("{key:?}"), "PrivateKey { algorithm: Ec, length: 256, key: [secret key elided] }");
/// # Ok::<(), sslconf::Error>(())
/// ```
pub struct PrivateKey {
    der: PrivateKeyDer<'static>,
    algorithm: KeyAlgorithm,
    length: u32,
}

/// The algorithm of a private key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// RSA (PKCS#1 or PKCS#8, including RSA-PSS keys).
    Rsa,
    /// ECDSA on a named curve: P-256, P-384 or P-521.
    Ec,
    /// Ed25519.
    Ed25519,
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Rsa => "RSA",
            Self::Ec => "EC",
            Self::Ed25519 => "Ed25519",
        })
    }
}

const PEM_INPUT: &str = "PEM input";
const DER_INPUT: &str = "DER input";
const ENCRYPTED_LABEL: &str = "ENCRYPTED PRIVATE KEY";

mod oid {
    use der::asn1::ObjectIdentifier as Oid;

    pub(super) const RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
    pub(super) const RSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
    pub(super) const EC: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
    pub(super) const ED25519: Oid = Oid::new_unwrap("1.3.101.112");
    pub(super) const P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
    pub(super) const P384: Oid = Oid::new_unwrap("1.3.132.0.34");
    pub(super) const P521: Oid = Oid::new_unwrap("1.3.132.0.35");
}

impl PrivateKey {
    /// Reads the first private key in PEM input (`PRIVATE KEY`, `RSA PRIVATE KEY`
    /// or `EC PRIVATE KEY`); other sections, such as certificates, are skipped.
    ///
    /// # Errors
    /// [`Error::EncryptedPrivateKey`] for an `ENCRYPTED PRIVATE KEY`
    /// ([`Error::FeatureNotEnabled`] without the `encrypted-keys` feature),
    /// [`Error::InvalidPrivateKey`] when there is no key or it does not parse.
    pub fn from_pem(pem: &[u8]) -> Result<PrivateKey, Error> {
        Self::from_pem_named(pem, None, PEM_INPUT)
    }

    /// Reads a private key from PEM input, decrypting an `ENCRYPTED PRIVATE KEY`
    /// (PKCS#8 with PBES2: PBKDF2 with HMAC-SHA1 or SHA-2, or scrypt;
    /// AES-CBC or DES-EDE3-CBC) with `passphrase`.
    /// An unencrypted key is read as [`from_pem`](Self::from_pem) does.
    ///
    /// ```
    /// # let pem = std::fs::read("tests/data/ec-p256-encrypted.pem").unwrap();
    /// use sslconf::{Passphrase, PrivateKey};
    ///
    /// let key = PrivateKey::from_pem_with_passphrase(&pem, &Passphrase::new("sslconf-test"))?;
    /// assert_eq!(key.length(), 256);
    /// assert!(PrivateKey::from_pem_with_passphrase(&pem, &Passphrase::new("wrong")).is_err());
    /// # Ok::<(), sslconf::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::WrongPassphrase`] when decryption fails;
    /// [`Error::InvalidPrivateKey`] naming the scheme for one that cannot be
    /// decrypted (PBES1, PKCS#12 PBE, DES, RC2, ...), for invalid parameters,
    /// and for key derivation that would need more than OpenSSL's 32 MiB
    /// (scrypt) or seconds of CPU (scrypt N·r·p above 2^20, PBKDF2 above
    /// 10 million PRF runs); [`Error::ReadFile`] when the passphrase is
    /// read from a file that cannot be read; and the errors of
    /// [`from_pem`](Self::from_pem).
    #[cfg(feature = "encrypted-keys")]
    #[cfg_attr(docsrs, doc(cfg(feature = "encrypted-keys")))]
    pub fn from_pem_with_passphrase(
        pem: &[u8],
        passphrase: &Passphrase,
    ) -> Result<PrivateKey, Error> {
        Self::from_pem_named(pem, Some(&passphrase.bytes()?), PEM_INPUT)
    }

    /// Reads a DER private key: PKCS#8, PKCS#1 or SEC1, told apart by content.
    ///
    /// # Errors
    /// [`Error::EncryptedPrivateKey`] for encrypted PKCS#8
    /// ([`Error::FeatureNotEnabled`] without the `encrypted-keys` feature),
    /// [`Error::InvalidPrivateKey`] when the bytes are no private key.
    pub fn from_der(der: &[u8]) -> Result<PrivateKey, Error> {
        Self::from_der_named(der.to_vec(), None, DER_INPUT)
    }

    /// Reads a private key from a PEM or DER file, told apart by content.
    ///
    /// # Errors
    /// [`Error::ReadFile`] when the file cannot be read; otherwise as
    /// [`from_pem`](Self::from_pem) and [`from_der`](Self::from_der), naming the file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<PrivateKey, Error> {
        Self::from_path_inner(path.as_ref(), None)
    }

    /// Reads an encrypted (or plain) private key from a PEM or DER file.
    ///
    /// # Errors
    /// As [`from_path`](Self::from_path) and [`from_pem_with_passphrase`](Self::from_pem_with_passphrase).
    #[cfg(feature = "encrypted-keys")]
    #[cfg_attr(docsrs, doc(cfg(feature = "encrypted-keys")))]
    pub fn from_path_with_passphrase(
        path: impl AsRef<Path>,
        passphrase: &Passphrase,
    ) -> Result<PrivateKey, Error> {
        Self::from_path_inner(path.as_ref(), Some(&passphrase.bytes()?))
    }

    /// Reads a key file, decrypting it with `passphrase` if it is encrypted.
    pub(crate) fn from_path_inner(
        path: &Path,
        passphrase: Option<&[u8]>,
    ) -> Result<PrivateKey, Error> {
        let mut bytes = zeroize::Zeroizing::new(read_file(path)?);
        let input = path.display().to_string();
        if is_pem(&bytes) {
            Self::from_pem_named(&bytes, passphrase, &input)
        } else {
            Self::from_der_named(std::mem::take(&mut *bytes), passphrase, &input)
        }
    }

    fn from_pem_named(
        pem: &[u8],
        passphrase: Option<&[u8]>,
        input: &str,
    ) -> Result<PrivateKey, Error> {
        let mut others = Vec::new();
        for section in <(SectionKind, Vec<u8>)>::pem_slice_iter(pem) {
            // Legacy encryption's header lines are no valid PEM body.
            let (kind, der) = section.map_err(|e| {
                if pem.windows(22).any(|w| w == b"Proc-Type: 4,ENCRYPTED") {
                    Error::invalid_private_key(
                        input,
                        "legacy OpenSSL PEM encryption is not supported: convert it with `openssl pkcs8 -topk8`",
                    )
                } else {
                    Error::invalid_private_key(input, pem_error(e))
                }
            })?;
            let der = match kind {
                SectionKind::PrivateKey => PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der)),
                SectionKind::RsaPrivateKey => PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(der)),
                SectionKind::EcPrivateKey => PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(der)),
                other => {
                    others.push(format!("{other:?}"));
                    continue;
                }
            };
            return Self::from_key_der(der, input);
        }
        if let Some(block) = pem_block(pem, ENCRYPTED_LABEL) {
            #[cfg(feature = "encrypted-keys")]
            {
                let (label, der) = pem_rfc7468::decode_vec(block).map_err(|e| {
                    Error::invalid_private_key(input, format!("malformed PEM ({e})"))
                })?;
                debug_assert_eq!(label, ENCRYPTED_LABEL);
                return Self::from_der_named(der, passphrase, input);
            }
            #[cfg(not(feature = "encrypted-keys"))]
            {
                let _ = (block, passphrase);
                return Err(encrypted_keys_not_enabled(input));
            }
        }
        let reason = if others.is_empty() {
            "no PEM private key found".to_owned()
        } else {
            format!("no private key found, only {}", others.join(", "))
        };
        Err(Error::invalid_private_key(input, reason))
    }

    fn from_der_named(
        der: Vec<u8>,
        passphrase: Option<&[u8]>,
        input: &str,
    ) -> Result<PrivateKey, Error> {
        if let Some(scheme) = encryption_scheme(&der) {
            #[cfg(feature = "encrypted-keys")]
            {
                let Some(passphrase) = passphrase else {
                    return Err(Error::EncryptedPrivateKey {
                        input: input.to_owned(),
                    });
                };
                let mut plain = encrypted_key::decrypt(&der, scheme, passphrase, input)?;
                // Moved, not copied: the PrivateKey built from it zeroizes it.
                let key =
                    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(std::mem::take(&mut *plain)));
                // A PrivateKeyInfo came out: its errors are the key's own.
                return Self::from_key_der(key, input);
            }
            #[cfg(not(feature = "encrypted-keys"))]
            {
                let _ = (scheme, passphrase);
                return Err(encrypted_keys_not_enabled(input));
            }
        }
        let kind = if Pkcs8::read(&der).is_ok() {
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der))
        } else if Rsa::read(&der).is_ok() {
            PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(der))
        } else if Ec::read(&der).is_ok() {
            PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(der))
        } else {
            let mut der = der;
            let looks_like_cert = super::public_key_info(&der).is_some();
            der.zeroize();
            return Err(Error::invalid_private_key(
                input,
                if looks_like_cert {
                    "this is a certificate, not a private key"
                } else {
                    "not a PKCS#8, PKCS#1 or SEC1 private key"
                },
            ));
        };
        Self::from_key_der(kind, input)
    }

    /// Reads algorithm and length from a key of known format. On error the
    /// key is dropped, and so zeroized.
    fn from_key_der(der: PrivateKeyDer<'static>, input: &str) -> Result<PrivateKey, Error> {
        // Built first so that an early return below zeroizes through Drop.
        let mut key = PrivateKey {
            der,
            algorithm: KeyAlgorithm::Rsa,
            length: 0,
        };
        let (algorithm, length) = match &key.der {
            PrivateKeyDer::Pkcs8(k) => pkcs8_info(k.secret_pkcs8_der()),
            PrivateKeyDer::Pkcs1(k) => rsa_info(k.secret_pkcs1_der()),
            PrivateKeyDer::Sec1(k) => sec1_info(k.secret_sec1_der(), None),
            _ => Err("unsupported key format".into()),
        }
        .map_err(|reason| Error::invalid_private_key(input, reason))?;
        key.algorithm = algorithm;
        key.length = length;
        Ok(key)
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// The key's length in bits: the modulus size for RSA, the curve size for
    /// EC (256, 384, 521), 256 for Ed25519.
    pub fn length(&self) -> u32 {
        self.length
    }

    /// The key as rustls takes it, borrowed: no copy of the secret is made.
    /// An API this crate does not wrap that takes the key by value gets a
    /// copy with [`clone_key`](PrivateKeyDer::clone_key) (not zeroized on
    /// drop: rustls's key types are not).
    pub fn as_rustls(&self) -> &PrivateKeyDer<'static> {
        &self.der
    }
}

impl Drop for PrivateKey {
    fn drop(&mut self) {
        self.der.zeroize();
    }
}

impl PartialEq for PrivateKey {
    /// Compares the key bytes in constant time.
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.der.secret_der(), other.der.secret_der());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl Eq for PrivateKey {}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Elided;
        impl fmt::Debug for Elided {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[secret key elided]")
            }
        }
        f.debug_struct("PrivateKey")
            .field("algorithm", &self.algorithm)
            .field("length", &self.length)
            .field("key", &Elided)
            .finish()
    }
}

/// The text of the first PEM block with this label, BEGIN line to END line.
fn pem_block<'a>(pem: &'a [u8], label: &str) -> Option<&'a [u8]> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = find(pem, begin.as_bytes())?;
    let stop = start + find(&pem[start..], end.as_bytes())? + end.len();
    Some(&pem[start..stop])
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The error for an encrypted key in a build that cannot decrypt it.
#[cfg(not(feature = "encrypted-keys"))]
fn encrypted_keys_not_enabled(input: &str) -> Error {
    Error::FeatureNotEnabled {
        what: format!("the encrypted private key in {input}"),
        feature: "encrypted-keys",
    }
}

/// The encryption scheme of DER shaped as an `EncryptedPrivateKeyInfo`
/// (`SEQUENCE { AlgorithmIdentifier, OCTET STRING }`), whatever the scheme;
/// `None` for anything else. No plain key has that shape: PKCS#8, PKCS#1
/// and SEC1 all start with a version number.
pub(crate) fn encryption_scheme(der: &[u8]) -> Option<ObjectIdentifier> {
    let oid = asn1::nested(der, |r| {
        asn1::sequence(r, |r| {
            let (oid, _) = asn1::algorithm(r)?;
            asn1::expect(r, OCTET_STRING)?;
            Ok(oid)
        })
    })
    .ok()?;
    ObjectIdentifier::from_bytes(oid).ok()
}

/// A PKCS#8 `PrivateKeyInfo` (RFC 5958's OneAsymmetricKey): `SEQUENCE {
/// version (v1, or v2 with the public key), AlgorithmIdentifier, OCTET
/// STRING, [0] IMPLICIT attributes OPTIONAL, [1] IMPLICIT BIT STRING
/// OPTIONAL, ... }`.
struct Pkcs8<'a> {
    algorithm: ObjectIdentifier,
    /// The algorithm's parameters (TLV).
    parameters: Option<&'a [u8]>,
    /// The private key's contents.
    key: &'a [u8],
    /// The public key's bits, in a version 2 key.
    #[cfg_attr(not(feature = "pkcs12"), allow(dead_code))]
    public_key: Option<&'a [u8]>,
}

impl<'a> Pkcs8<'a> {
    fn read(der: &'a [u8]) -> asn1::Result<Self> {
        asn1::nested(der, |r| {
            asn1::sequence(r, |r| {
                let version = asn1::small_integer(asn1::expect(r, INTEGER)?)?;
                let (algorithm, parameters) = asn1::algorithm(r)?;
                let algorithm = ObjectIdentifier::from_bytes(algorithm)
                    .map_err(|_| der::Error::from(der::ErrorKind::OidMalformed))?;
                let key = asn1::expect(r, OCTET_STRING)?;
                let mut public_key = None;
                // Attributes, the public key, and what later versions add.
                while !r.is_finished() {
                    match asn1::any(r)? {
                        (0x81, [0, bits @ ..]) => public_key = Some(bits),
                        (0x81 | 0xa1, _) => return Err(Tag::BitString.value_error()),
                        (tag, _) if tag & 0xc0 == 0x80 => {}
                        (tag, _) => return Err(der::ErrorKind::TagUnknown { byte: tag }.into()),
                    }
                }
                if version > 1 || (version == 1) != public_key.is_some() {
                    return Err(Tag::Integer.value_error());
                }
                Ok(Pkcs8 {
                    algorithm,
                    parameters,
                    key,
                    public_key,
                })
            })
        })
    }
}

/// A PKCS#1 `RSAPrivateKey`: `SEQUENCE { version, modulus, publicExponent,
/// privateExponent, prime1, prime2, exponent1, exponent2, coefficient,
/// otherPrimeInfos OPTIONAL (version 1 only) }`; its public half.
struct Rsa<'a> {
    modulus: &'a [u8],
    #[cfg_attr(not(feature = "pkcs12"), allow(dead_code))]
    exponent: &'a [u8],
}

impl<'a> Rsa<'a> {
    fn read(der: &'a [u8]) -> asn1::Result<Self> {
        asn1::nested(der, |r| {
            asn1::sequence(r, |r| {
                let version = asn1::small_integer(asn1::expect(r, INTEGER)?)?;
                let modulus = asn1::decode::<UintRef<'_>>(r)?.as_bytes();
                let exponent = asn1::decode::<UintRef<'_>>(r)?.as_bytes();
                for _ in 0..6 {
                    asn1::decode::<UintRef<'_>>(r)?;
                }
                let other_primes = asn1::optional(r, SEQUENCE)?;
                if version > 1 || (version == 1) != other_primes.is_some() {
                    return Err(Tag::Integer.value_error());
                }
                Ok(Rsa { modulus, exponent })
            })
        })
    }

    /// The public key of an RSA certificate (`RSAPublicKey ::= SEQUENCE {
    /// modulus, publicExponent }`, its SubjectPublicKeyInfo's bits).
    #[cfg(feature = "pkcs12")]
    fn public(bits: &'a [u8]) -> asn1::Result<Self> {
        asn1::nested(bits, |r| {
            asn1::sequence(r, |r| {
                let modulus = asn1::decode::<UintRef<'_>>(r)?.as_bytes();
                let exponent = asn1::decode::<UintRef<'_>>(r)?.as_bytes();
                Ok(Rsa { modulus, exponent })
            })
        })
    }
}

/// A SEC1 `ECPrivateKey`: `SEQUENCE { version 1, OCTET STRING, [0]
/// EXPLICIT OID OPTIONAL, [1] EXPLICIT BIT STRING OPTIONAL }`.
struct Ec<'a> {
    curve: Option<ObjectIdentifier>,
    #[cfg_attr(not(feature = "pkcs12"), allow(dead_code))]
    public_key: Option<&'a [u8]>,
}

impl<'a> Ec<'a> {
    fn read(der: &'a [u8]) -> asn1::Result<Self> {
        asn1::nested(der, |r| {
            asn1::sequence(r, |r| {
                if asn1::small_integer(asn1::expect(r, INTEGER)?)? != 1 {
                    return Err(Tag::Integer.value_error());
                }
                asn1::expect(r, OCTET_STRING)?;
                let curve = asn1::optional(r, 0xa0)?
                    .map(|p| asn1::nested(p, asn1::decode::<ObjectIdentifier>))
                    .transpose()?;
                let public_key = asn1::optional(r, 0xa1)?
                    .map(|p| {
                        asn1::nested(p, |p| {
                            let bits = asn1::decode::<BitStringRef<'_>>(p)?;
                            bits.as_bytes().ok_or(Tag::BitString.value_error())
                        })
                    })
                    .transpose()?;
                Ok(Ec { curve, public_key })
            })
        })
    }
}

#[cfg(feature = "pkcs12")]
impl PrivateKey {
    /// Whether `public` (the bits of a certificate's SubjectPublicKeyInfo)
    /// is this key's: `Some` when the key tells its public key (a PKCS#8 v2
    /// key's, an RSA key's, an EC key that carries it), `None` when it does
    /// not (an Ed25519 PKCS#8 v1 key, whose public key takes a curve
    /// operation to derive).
    pub(crate) fn matches_public_key(&self, public: &[u8]) -> Option<bool> {
        let der = self.der.secret_der();
        let (key, stated) = match Pkcs8::read(der) {
            Ok(info) => (info.key, info.public_key),
            Err(_) => (der, None),
        };
        if let Some(stated) = stated {
            return Some(stated == public);
        }
        if let Ok(own) = Rsa::read(key) {
            return Some(Rsa::public(public).is_ok_and(|theirs| {
                (theirs.modulus, theirs.exponent) == (own.modulus, own.exponent)
            }));
        }
        Ec::read(key).ok()?.public_key.map(|own| own == public)
    }
}

fn pkcs8_info(der: &[u8]) -> Result<(KeyAlgorithm, u32), InvalidInput> {
    let info = Pkcs8::read(der).map_err(|e| InvalidInput::caused("invalid PKCS#8 structure", e))?;
    let oid = info.algorithm;
    if oid == oid::RSA || oid == oid::RSA_PSS {
        rsa_info(info.key)
    } else if oid == oid::EC {
        let curve = info
            .parameters
            .and_then(|p| asn1::nested(p, asn1::decode::<ObjectIdentifier>).ok());
        sec1_info(info.key, curve)
    } else if oid == oid::ED25519 {
        Ok((KeyAlgorithm::Ed25519, 256))
    } else {
        Err(format!("unsupported key algorithm {oid}").into())
    }
}

fn rsa_info(der: &[u8]) -> Result<(KeyAlgorithm, u32), InvalidInput> {
    let key = Rsa::read(der).map_err(|e| InvalidInput::caused("invalid RSA private key", e))?;
    let bits = match key.modulus.first() {
        Some(&top) => (key.modulus.len() as u32) * 8 - top.leading_zeros(),
        None => return Err("RSA modulus is empty".into()),
    };
    Ok((KeyAlgorithm::Rsa, bits))
}

fn sec1_info(
    der: &[u8],
    outer_curve: Option<ObjectIdentifier>,
) -> Result<(KeyAlgorithm, u32), InvalidInput> {
    let key = Ec::read(der).map_err(|e| InvalidInput::caused("invalid EC private key", e))?;
    let curve = key
        .curve
        .or(outer_curve)
        .ok_or("EC private key names no curve")?;
    let bits = match curve {
        c if c == oid::P256 => 256,
        c if c == oid::P384 => 384,
        c if c == oid::P521 => 521,
        other => return Err(format!("unsupported elliptic curve {other}").into()),
    };
    Ok((KeyAlgorithm::Ec, bits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rcgen_keys() {
        for (alg, algorithm, length) in [
            (&rcgen::PKCS_ECDSA_P256_SHA256, KeyAlgorithm::Ec, 256),
            (&rcgen::PKCS_ECDSA_P384_SHA384, KeyAlgorithm::Ec, 384),
            (&rcgen::PKCS_ED25519, KeyAlgorithm::Ed25519, 256),
        ] {
            let pair = rcgen::KeyPair::generate_for(alg).unwrap();
            let key = PrivateKey::from_pem(pair.serialize_pem().as_bytes()).unwrap();
            assert_eq!((key.algorithm(), key.length()), (algorithm, length));
            let key = PrivateKey::from_der(&pair.serialize_der()).unwrap();
            assert_eq!((key.algorithm(), key.length()), (algorithm, length));
        }
    }

    #[test]
    fn debug_is_redacted() {
        let pair = rcgen::KeyPair::generate().unwrap();
        let key = PrivateKey::from_der(&pair.serialize_der()).unwrap();
        let debug = format!("{key:?}");
        assert!(debug.contains("[secret key elided]"));
        assert!(!debug.contains(&format!("{:?}", &pair.serialize_der()[..8])));
    }

    #[test]
    fn certificate_is_not_a_key() {
        let pair = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["x".into()])
            .unwrap()
            .self_signed(&pair)
            .unwrap();
        let err = PrivateKey::from_der(cert.der()).unwrap_err();
        assert_eq!(
            crate::error::causes(&err),
            "invalid private key in DER input: this is a certificate, not a private key"
        );
        let err = PrivateKey::from_pem(cert.pem().as_bytes()).unwrap_err();
        assert_eq!(
            crate::error::causes(&err),
            "invalid private key in PEM input: no private key found, only Certificate"
        );
    }

    /// Without the `encrypted-keys` feature an encrypted key, PEM or DER,
    /// is refused naming the feature that reads it.
    #[test]
    #[cfg(not(feature = "encrypted-keys"))]
    fn an_encrypted_key_names_the_feature_it_needs() {
        use base64ct::{Base64, Encoding};
        let pem = include_str!("../../tests/data/ec-p256-encrypted.pem");
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = Base64::decode_vec(&body).unwrap();
        for (err, input) in [
            (
                PrivateKey::from_pem(pem.as_bytes()).unwrap_err(),
                "PEM input",
            ),
            (PrivateKey::from_der(&der).unwrap_err(), "DER input"),
        ] {
            assert!(
                matches!(
                    &err,
                    Error::FeatureNotEnabled {
                        feature: "encrypted-keys",
                        ..
                    }
                ),
                "{err:?}"
            );
            assert_eq!(
                err.to_string(),
                format!(
                    "the encrypted private key in {input} needs the `encrypted-keys` feature \
                     of sslconf, which this build does not enable"
                )
            );
        }
    }

    #[test]
    fn keys_compare_by_content() {
        let pair = rcgen::KeyPair::generate().unwrap();
        let a = PrivateKey::from_der(&pair.serialize_der()).unwrap();
        let b = PrivateKey::from_pem(pair.serialize_pem().as_bytes()).unwrap();
        let c = PrivateKey::from_der(&rcgen::KeyPair::generate().unwrap().serialize_der()).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
