//! `PublicKeyPin`: the SHA-256 of a SubjectPublicKeyInfo (RFC 7469).

use std::fmt;
use std::str::FromStr;

use base64ct::{Base64, Encoding};

use crate::{Certificate, Error};

/// A public key pin: the SHA-256 digest of a certificate's DER
/// SubjectPublicKeyInfo, as RFC 7469 (HPKP) defined it and curl's
/// `--pinnedpubkey sha256//...` takes it. Written and read as base64.
///
/// A key is pinned rather than a certificate so that a pin survives
/// renewals that keep the key. The shell equivalent of
/// [`Certificate::public_key_pin`]:
///
/// ```text
/// openssl x509 -in cert.pem -pubkey -noout \
///   | openssl pkey -pubin -outform der \
///   | openssl dgst -sha256 -binary | base64
/// ```
///
/// ```
/// use sslconf::PublicKeyPin;
///
/// let pin: PublicKeyPin = "sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=".parse()?;
/// assert_eq!(pin.to_string(), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
/// # Ok::<(), sslconf::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKeyPin([u8; 32]);

impl PublicKeyPin {
    /// The pin of a DER SubjectPublicKeyInfo (its SHA-256, by the crypto
    /// provider).
    pub fn from_public_key_der(spki: &[u8]) -> PublicKeyPin {
        use crate::provider::primitives::digest;
        let mut pin = [0; 32];
        pin.copy_from_slice(digest::digest(&digest::SHA256, spki).as_ref());
        PublicKeyPin(pin)
    }

    /// A pin from its 32 digest bytes.
    pub fn from_sha256(digest: [u8; 32]) -> PublicKeyPin {
        PublicKeyPin(digest)
    }

    /// The 32 digest bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl Certificate {
    /// The pin of this certificate's public key (see [`PublicKeyPin`]).
    /// `None` only for a certificate whose fields cannot be read (one a peer
    /// sent); every certificate made by a public constructor has one.
    #[doc(alias = "spki")]
    pub fn public_key_pin(&self) -> Option<PublicKeyPin> {
        self.public_key_info()
            .map(PublicKeyPin::from_public_key_der)
    }
}

impl fmt::Display for PublicKeyPin {
    /// Base64 (standard alphabet, padded), as HPKP's `pin-sha256`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&Base64::encode_string(&self.0))
    }
}

impl fmt::Debug for PublicKeyPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKeyPin({self})")
    }
}

impl FromStr for PublicKeyPin {
    type Err = Error;

    /// Reads base64 of a SHA-256 digest, bare or after `sha256/` or
    /// `sha256//` (curl's form).
    ///
    /// # Errors
    /// [`Error::InvalidPublicKeyPin`] when the text is not base64 of 32 bytes.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        let b64 = trimmed
            .strip_prefix("sha256//")
            .or_else(|| trimmed.strip_prefix("sha256/"))
            .unwrap_or(trimmed);
        let mut digest = [0u8; 32];
        let invalid = |reason: &'static str| Error::InvalidPublicKeyPin {
            pin: text.to_owned(),
            reason,
        };
        match Base64::decode(b64, &mut digest) {
            Ok(decoded) if decoded.len() == 32 => Ok(PublicKeyPin(digest)),
            Ok(_) => Err(invalid("not the 32 bytes of a SHA-256 digest")),
            Err(base64ct::Error::InvalidLength) => {
                Err(invalid("not the 32 bytes of a SHA-256 digest"))
            }
            Err(base64ct::Error::InvalidEncoding) => Err(invalid("not base64")),
        }
    }
}
