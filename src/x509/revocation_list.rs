//! `RevocationList`: a certificate revocation list (CRL), read and checked
//! by rustls-webpki, as verification uses it.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use der::asn1::BitStringRef;
use der::{Reader, SliceReader};
use rustls_pki_types::pem::{PemObject, SectionKind};

use super::asn1::{self, INTEGER, SEQUENCE};
use super::certificate::pem_error;
use super::input::{is_pem, read_file};
use super::name::Name;
use crate::error::InvalidInput;
use crate::Error;

const PEM_INPUT: &str = "PEM input";
const DER_INPUT: &str = "DER input";

/// A certificate revocation list (RFC 5280 version 2, as rustls-webpki
/// reads it): the serial numbers one CA has revoked, signed by that CA.
///
/// Given to [`SslConfiguration::with_revocation_lists`](crate::SslConfiguration::with_revocation_lists),
/// it is checked against the issuer on each verified path: its signature,
/// its `nextUpdate`, and the serial numbers of the certificates that CA
/// issued. Delta CRLs, indirect CRLs, version 1 CRLs and CRLs without CRL
/// extensions (what `openssl ca -gencrl` writes when its configuration
/// names neither a `crlnumber` file nor `crl_extensions`) are refused when
/// read, naming what is unsupported.
///
/// Cheap to clone (shared).
///
/// ```no_run
/// use sslconf::{RevocationList, SslConfiguration};
///
/// let config = SslConfiguration::new()
///     .with_revocation_lists(RevocationList::from_path("ca.crl.pem")?);
/// # Ok::<(), sslconf::Error>(())
/// ```
#[derive(Clone)]
pub struct RevocationList {
    inner: Arc<Inner>,
}

struct Inner {
    der: Vec<u8>,
    crl: webpki::CertRevocationList<'static>,
    issuer: String,
    this_update: SystemTime,
    next_update: SystemTime,
    revoked: usize,
    /// The issuer and the sorted serial numbers it revokes: what the list
    /// decides, whatever its dates.
    decision: [u8; 32],
}

impl RevocationList {
    /// Reads every CRL in a PEM input (`X509 CRL` sections), in order.
    /// Sections of other kinds are skipped.
    ///
    /// # Errors
    /// [`Error::InvalidRevocationList`] when the input holds no CRL, a
    /// section is malformed, or a CRL is one rustls-webpki cannot use.
    pub fn from_pem(pem: &[u8]) -> Result<Vec<RevocationList>, Error> {
        Self::from_pem_named(pem, PEM_INPUT)
    }

    /// Reads one DER-encoded CRL.
    ///
    /// # Errors
    /// [`Error::InvalidRevocationList`] when the bytes are not exactly one
    /// CRL rustls-webpki can use.
    pub fn from_der(der: &[u8]) -> Result<RevocationList, Error> {
        Self::from_der_named(der.to_vec(), DER_INPUT)
    }

    /// Reads the CRLs in a file, PEM (any number) or DER (one), told apart
    /// by content.
    ///
    /// # Errors
    /// [`Error::ReadFile`] when the file cannot be read,
    /// [`Error::InvalidRevocationList`] (naming the file) when its content is
    /// not what [`from_pem`](Self::from_pem) or [`from_der`](Self::from_der) accept.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Vec<RevocationList>, Error> {
        let path = path.as_ref();
        let bytes = read_file(path)?;
        let input = path.display().to_string();
        if is_pem(&bytes) {
            Self::from_pem_named(&bytes, &input)
        } else {
            Self::from_der_named(bytes, &input).map(|c| vec![c])
        }
    }

    fn from_pem_named(pem: &[u8], input: &str) -> Result<Vec<RevocationList>, Error> {
        let mut lists = Vec::new();
        for section in <(SectionKind, Vec<u8>)>::pem_slice_iter(pem) {
            let (kind, der) = section.map_err(|e| invalid(input, pem_error(e)))?;
            if kind == SectionKind::Crl {
                lists.push(Self::from_der_named(der, input)?);
            }
        }
        if lists.is_empty() {
            return Err(invalid(input, "no X509 CRL section found"));
        }
        Ok(lists)
    }

    fn from_der_named(der: Vec<u8>, input: &str) -> Result<RevocationList, Error> {
        // The whole RFC 5280 syntax is read here, so that the lists
        // webpki's stricter profile refuses are named before webpki turns
        // them into a parse error ("malformed DER"); the fields are read
        // once, for the getters and Debug.
        let parsed = Parsed::read(&der);
        if let Some(why) = parsed
            .as_ref()
            .ok()
            .and_then(Parsed::outside_webpki_profile)
        {
            return Err(invalid(input, why));
        }
        let crl = webpki::OwnedCertRevocationList::from_der(&der)
            .map_err(|e| invalid(input, unusable_because(&e)))?;
        let parsed =
            parsed.map_err(|e| invalid(input, InvalidInput::caused("malformed CRL", e)))?;
        // Before 1970, as no list is: the epoch.
        let time = |secs: i64| {
            if secs >= 0 {
                asn1::system_time(secs)
            } else {
                UNIX_EPOCH
            }
        };
        let inner = Inner {
            issuer: Name::read(parsed.issuer).text,
            this_update: time(parsed.this_update),
            // webpki refuses a CRL without nextUpdate.
            next_update: parsed.next_update.map_or(UNIX_EPOCH, time),
            revoked: parsed.revoked.len(),
            decision: parsed.decision_digest(),
            crl: crl.into(),
            der,
        };
        Ok(RevocationList {
            inner: Arc::new(inner),
        })
    }

    /// The DER encoding.
    pub fn as_der(&self) -> &[u8] {
        &self.inner.der
    }

    /// The issuer's distinguished name, as OpenSSL prints it in one line.
    pub fn issuer_name(&self) -> &str {
        &self.inner.issuer
    }

    /// When the list was issued (`thisUpdate`).
    pub fn this_update(&self) -> SystemTime {
        self.inner.this_update
    }

    /// When the next list is due (`nextUpdate`); after it, the list has
    /// expired.
    pub fn next_update(&self) -> SystemTime {
        self.inner.next_update
    }

    /// How many certificates it revokes.
    pub fn revoked_count(&self) -> usize {
        self.inner.revoked
    }

    /// A digest of what the list decides: its issuer and the serial numbers
    /// it revokes, not its dates or CRL number.
    pub(crate) fn decision_digest(&self) -> [u8; 32] {
        self.inner.decision
    }

    /// The list as webpki checks paths with it.
    pub(crate) fn as_webpki(&self) -> &webpki::CertRevocationList<'static> {
        &self.inner.crl
    }
}

impl PartialEq for RevocationList {
    fn eq(&self, other: &Self) -> bool {
        self.inner.der == other.inner.der
    }
}

impl Eq for RevocationList {}

impl fmt::Debug for RevocationList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RevocationList")
            .field("issuer", &self.inner.issuer)
            .field("next_update", &self.inner.next_update)
            .field("revoked", &self.inner.revoked)
            .finish()
    }
}

/// The parts of a CRL (RFC 5280 5.1) read here, borrowed from its DER.
struct Parsed<'a> {
    version: Option<u8>,
    /// The issuer `Name`'s TLV.
    issuer: &'a [u8],
    this_update: i64,
    next_update: Option<i64>,
    /// The serial numbers' contents.
    revoked: Vec<&'a [u8]>,
    /// Whether it has `crlExtensions`, and at least one.
    extensions: bool,
}

impl<'a> Parsed<'a> {
    /// `CertificateList ::= SEQUENCE { tbsCertList, AlgorithmIdentifier,
    /// BIT STRING }`, and nothing after it.
    fn read(der: &'a [u8]) -> asn1::Result<Parsed<'a>> {
        asn1::nested(der, |r| {
            asn1::sequence(r, |list| {
                let parsed = asn1::sequence(list, Self::tbs)?;
                asn1::algorithm(list)?;
                asn1::decode::<BitStringRef<'_>>(list)?;
                Ok(parsed)
            })
        })
    }

    /// `TBSCertList`: version (v2) OPTIONAL, signature, issuer, thisUpdate,
    /// nextUpdate OPTIONAL, revokedCertificates OPTIONAL, [0] crlExtensions
    /// OPTIONAL.
    fn tbs(r: &mut SliceReader<'a>) -> asn1::Result<Parsed<'a>> {
        let version = asn1::optional(r, INTEGER)?
            .map(asn1::small_integer)
            .transpose()?;
        asn1::algorithm(r)?;
        let issuer = Name::check(r)?;
        let this_update = asn1::time(r)?;
        let next_update = match r.peek_byte() {
            Some(0x17 | 0x18) => Some(asn1::time(r)?),
            _ => None,
        };
        let mut revoked = Vec::new();
        if let Some(entries) = asn1::optional(r, SEQUENCE)? {
            asn1::nested(entries, |entries| {
                while !entries.is_finished() {
                    revoked.push(asn1::sequence(entries, |entry| {
                        let serial = asn1::expect(entry, INTEGER)?;
                        asn1::time(entry)?;
                        asn1::optional(entry, SEQUENCE)?;
                        Ok(serial)
                    })?);
                }
                Ok(())
            })?;
        }
        let mut extensions = false;
        if let Some(explicit) = asn1::optional(r, 0xa0)? {
            extensions = asn1::nested(explicit, |e| {
                asn1::sequence(e, |list| {
                    let any = !list.is_finished();
                    while !list.is_finished() {
                        asn1::expect(list, SEQUENCE)?;
                    }
                    Ok(any)
                })
            })?;
        }
        Ok(Parsed {
            version,
            issuer,
            this_update,
            next_update,
            revoked,
            extensions,
        })
    }

    /// What a well-formed CRL lacks that rustls-webpki requires, which its
    /// parser reports only as malformed: it reads the version and the CRL
    /// extensions as required fields (RFC 5280 §5.2 requires conforming
    /// issuers to include the CRL number and authority key identifier
    /// extensions, so version 2), and `nextUpdate` as well.
    fn outside_webpki_profile(&self) -> Option<&'static str> {
        if self.version.is_none() {
            Some(
                "version 1 CRLs are not supported: rustls-webpki reads only version 2 CRLs \
                 with CRL extensions (OpenSSL writes them when its CA configuration names \
                 a crlnumber file or crl_extensions)",
            )
        } else if self.next_update.is_none() {
            Some("CRLs without nextUpdate are not supported")
        } else if !self.extensions {
            Some(
                "CRLs without CRL extensions are not supported: rustls-webpki needs at least \
                 one, such as the CRL number (OpenSSL writes it when its CA configuration \
                 names a crlnumber file)",
            )
        } else {
            None
        }
    }

    /// The issuer and the sorted serial numbers it revokes, hashed with
    /// the crypto provider's SHA-256.
    fn decision_digest(&self) -> [u8; 32] {
        use crate::provider::primitives::digest;
        let mut serials = self.revoked.clone();
        serials.sort_unstable();
        let mut hash = digest::Context::new(&digest::SHA256);
        hash.update(&(self.issuer.len() as u64).to_be_bytes());
        hash.update(self.issuer);
        for serial in serials {
            hash.update(&(serial.len() as u64).to_be_bytes());
            hash.update(serial);
        }
        let mut out = [0; 32];
        out.copy_from_slice(hash.finish().as_ref());
        out
    }
}

fn invalid(input: &str, source: impl Into<InvalidInput>) -> Error {
    Error::InvalidRevocationList {
        input: input.to_owned(),
        source: source.into(),
    }
}

/// Why webpki cannot use a CRL, in words.
fn unusable_because(error: &webpki::Error) -> String {
    use webpki::Error as E;
    match error {
        E::UnsupportedDeltaCrl => "delta CRLs are not supported: give the complete CRL".into(),
        E::UnsupportedIndirectCrl => "indirect CRLs are not supported".into(),
        E::UnsupportedCrlVersion => {
            "only version 2 CRLs are supported (OpenSSL writes version 2 when a crlnumber file or CRL extensions are configured)".into()
        }
        E::UnsupportedRevocationReason | E::UnsupportedRevocationReasonsPartitioning => {
            "an unsupported revocation reason".into()
        }
        E::UnsupportedCrlIssuingDistributionPoint => {
            "an unsupported issuing distribution point".into()
        }
        E::InvalidCrlNumber => "an invalid CRL number".into(),
        E::BadDer | E::BadDerTime | E::TrailingData(_) => "malformed DER".into(),
        E::MalformedExtensions | E::ExtensionValueInvalid | E::UnsupportedCriticalExtension => {
            "malformed or unsupported extensions".into()
        }
        other => format!("unusable: {other}"),
    }
}
