//! X.509 certificates, as Qt's `QSslCertificate`.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use rustls_pki_types::pem::{PemObject, SectionKind};
use rustls_pki_types::CertificateDer;
use sha1::Digest as _;
use x509_parser::der_parser::asn1_rs::Tag;
use x509_parser::error::X509Error;
use x509_parser::extensions::{GeneralName, ParsedExtension, SubjectAlternativeName};
use x509_parser::nom::Parser as _;
use x509_parser::oid_registry::{self as oids, Oid};
use x509_parser::prelude::{FromDer, X509Certificate, X509CertificateParser, X509Name};
use x509_parser::time::ASN1Time;

use super::input::{is_pem, read_file};
use super::time::utc;
use crate::error::InvalidInput;
use crate::Error;

/// An X.509 certificate: its DER bytes and the fields Qt exposes, checked at
/// construction and read once, when first asked for.
///
/// Cheap to clone (the bytes are shared). Two certificates are equal when
/// their DER encodings are.
///
/// ```
/// # let pem = rcgen::generate_simple_self_signed(vec!["example.com".into()]).unwrap().cert.pem();
/// use sslconf::{AlternativeName, Certificate, SubjectInfo};
///
/// let certs = Certificate::from_pem(pem.as_bytes())?;
/// let cert = &certs[0];
/// assert_eq!(cert.version(), 3);
/// assert!(cert.is_self_signed());
/// assert_eq!(
///     cert.subject_alternative_names(),
///     [AlternativeName::Dns("example.com".into())]
/// );
/// assert_eq!(Certificate::from_der(cert.to_der())?, *cert);
/// # Ok::<(), sslconf::Error>(())
/// ```
#[derive(Clone)]
pub struct Certificate {
    inner: Arc<Inner>,
}

struct Inner {
    der: CertificateDer<'static>,
    /// Parsed on first use; `None` for a certificate (from the system store
    /// or a peer) that x509-parser cannot read.
    fields: OnceLock<Option<Fields>>,
}

/// What `Certificate`'s accessors return, read from the DER once, on first use.
struct Fields {
    version: u32,
    serial: Vec<u8>,
    subject: Name,
    issuer: Name,
    not_before: SystemTime,
    not_after: SystemTime,
    self_signed: bool,
    is_ca: bool,
    key_ids: KeyIds,
    alternative_names: Vec<AlternativeName>,
    /// The DER of the SubjectPublicKeyInfo, the issuer `Name` and the
    /// serial number's contents, as they are in the certificate.
    spki: Vec<u8>,
    issuer_der: Vec<u8>,
    raw_serial: Vec<u8>,
}

/// A distinguished name: its attributes in order, and its RFC 4514 string.
struct Name {
    attributes: Vec<(SubjectInfo, String)>,
    text: String,
}

/// A field of a certificate's subject or issuer name, as Qt's `QSslCertificate::SubjectInfo`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SubjectInfo {
    /// O
    Organization,
    /// CN
    CommonName,
    /// L
    LocalityName,
    /// OU
    OrganizationalUnitName,
    /// C
    CountryName,
    /// ST
    StateOrProvinceName,
    /// emailAddress
    EmailAddress,
    /// serialNumber (of the subject, not the certificate)
    SerialNumber,
}

impl SubjectInfo {
    fn oid(self) -> Oid<'static> {
        match self {
            Self::Organization => oids::OID_X509_ORGANIZATION_NAME,
            Self::CommonName => oids::OID_X509_COMMON_NAME,
            Self::LocalityName => oids::OID_X509_LOCALITY_NAME,
            Self::OrganizationalUnitName => oids::OID_X509_ORGANIZATIONAL_UNIT,
            Self::CountryName => oids::OID_X509_COUNTRY_NAME,
            Self::StateOrProvinceName => oids::OID_X509_STATE_OR_PROVINCE_NAME,
            Self::EmailAddress => oids::OID_PKCS9_EMAIL_ADDRESS,
            Self::SerialNumber => oids::OID_X509_SERIALNUMBER,
        }
    }

    const ALL: [SubjectInfo; 8] = [
        Self::Organization,
        Self::CommonName,
        Self::LocalityName,
        Self::OrganizationalUnitName,
        Self::CountryName,
        Self::StateOrProvinceName,
        Self::EmailAddress,
        Self::SerialNumber,
    ];
}

/// A subject alternative name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AlternativeName {
    /// A DNS name (`dNSName`).
    Dns(String),
    /// An e-mail address (`rfc822Name`).
    Email(String),
    /// An IPv4 or IPv6 address (`iPAddress`).
    IpAddress(IpAddr),
    /// A URI (`uniformResourceIdentifier`).
    Uri(String),
}

/// A hash algorithm for [`Certificate::digest`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    /// SHA-1 (for fingerprints only).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

const PEM_INPUT: &str = "PEM input";
const DER_INPUT: &str = "DER input";

impl Certificate {
    /// Reads every certificate in a PEM bundle, in order. Sections of other
    /// kinds (keys, CRLs) are skipped.
    ///
    /// # Errors
    /// [`Error::InvalidCertificate`] when the input holds no certificate, a
    /// section is malformed, or a certificate does not parse.
    #[doc(alias = "fromPem")]
    pub fn from_pem(pem: &[u8]) -> Result<Vec<Certificate>, Error> {
        Self::from_pem_named(pem, PEM_INPUT)
    }

    /// Reads one DER-encoded certificate.
    ///
    /// # Errors
    /// [`Error::InvalidCertificate`] when the bytes are not exactly one X.509 certificate.
    #[doc(alias = "fromDer")]
    pub fn from_der(der: &[u8]) -> Result<Certificate, Error> {
        Self::from_der_named(der.to_vec(), DER_INPUT)
    }

    /// Reads the certificates in a file, PEM (a bundle) or DER (one),
    /// told apart by content.
    ///
    /// # Errors
    /// [`Error::ReadFile`] when the file cannot be read,
    /// [`Error::InvalidCertificate`] (naming the file) when its content is not
    /// what [`from_pem`](Self::from_pem) or [`from_der`](Self::from_der) accept.
    #[doc(alias = "fromPath")]
    pub fn from_path(path: impl AsRef<Path>) -> Result<Vec<Certificate>, Error> {
        let path = path.as_ref();
        let bytes = read_file(path)?;
        let input = path.display().to_string();
        if is_pem(&bytes) {
            Self::from_pem_named(&bytes, &input)
        } else {
            Self::from_der_named(bytes, &input).map(|c| vec![c])
        }
    }

    fn from_pem_named(pem: &[u8], input: &str) -> Result<Vec<Certificate>, Error> {
        let mut certs = Vec::new();
        let mut other = Vec::new();
        for section in <(SectionKind, Vec<u8>)>::pem_slice_iter(pem) {
            let (kind, der) =
                section.map_err(|e| Error::invalid_certificate(input, pem_error(e)))?;
            match kind {
                SectionKind::Certificate => certs.push(Self::from_der_named(der, input)?),
                other_kind => other.push(format!("{other_kind:?}")),
            }
        }
        if certs.is_empty() {
            let reason = match (other.is_empty(), is_pem(pem)) {
                (false, _) => format!("no certificate found, only {}", other.join(", ")),
                (true, true) => "no certificate found among its PEM sections".to_owned(),
                (true, false) => "no PEM certificate found".to_owned(),
            };
            return Err(Error::invalid_certificate(input, reason));
        }
        Ok(certs)
    }

    /// Checks the certificate now, so that bad input is an error naming it;
    /// the fields are read on first use (a certificate loaded for a
    /// configuration is mostly never looked at).
    fn from_der_named(der: Vec<u8>, input: &str) -> Result<Certificate, Error> {
        check(&der, input)?;
        Ok(Certificate::lazily_parsed(CertificateDer::from(der)))
    }

    /// A certificate whose fields are read on first use: one from the public
    /// constructors (checked readable), the system store or a peer (accepted
    /// by webpki or just received). One that x509-parser cannot read reports
    /// empty fields, and a validity period of the Unix epoch.
    pub(crate) fn lazily_parsed(der: CertificateDer<'static>) -> Certificate {
        Certificate {
            inner: Arc::new(Inner {
                der,
                fields: OnceLock::new(),
            }),
        }
    }

    fn fields(&self) -> &Fields {
        self.parsed().unwrap_or(&UNREADABLE)
    }

    fn parsed(&self) -> Option<&Fields> {
        self.inner
            .fields
            .get_or_init(|| Fields::parse(&self.inner.der, DER_INPUT).ok())
            .as_ref()
    }

    /// Whether x509-parser can read the fields (always true for a
    /// certificate made by a public constructor).
    pub(crate) fn is_readable(&self) -> bool {
        self.parsed().is_some()
    }

    /// The certificate as a PEM `CERTIFICATE` section, with a trailing newline.
    #[doc(alias = "toPem")]
    pub fn to_pem(&self) -> String {
        // Encoding into a String cannot fail for a valid label and any bytes.
        pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, self.to_der())
            .unwrap_or_default()
    }

    /// The DER encoding, borrowed: the same bytes as [`as_der`](Self::as_der)
    /// and `AsRef<[u8]>`. This is the name Qt gives it (`toDer`); no copy is
    /// made.
    #[doc(alias = "toDer")]
    pub fn to_der(&self) -> &[u8] {
        &self.inner.der
    }

    /// The DER encoding, borrowed: the same as [`to_der`](Self::to_der), under
    /// the name Rust gives a free borrow.
    #[doc(alias = "toDer")]
    pub fn as_der(&self) -> &[u8] {
        &self.inner.der
    }

    /// The DER encoding as rustls takes it.
    pub fn as_rustls(&self) -> &CertificateDer<'static> {
        &self.inner.der
    }

    /// The hash of the DER encoding: the certificate's fingerprint.
    pub fn digest(&self, algorithm: DigestAlgorithm) -> Vec<u8> {
        let der = self.to_der();
        match algorithm {
            DigestAlgorithm::Sha1 => sha1::Sha1::digest(der).to_vec(),
            DigestAlgorithm::Sha256 => sha2::Sha256::digest(der).to_vec(),
            DigestAlgorithm::Sha384 => sha2::Sha384::digest(der).to_vec(),
            DigestAlgorithm::Sha512 => sha2::Sha512::digest(der).to_vec(),
        }
    }

    /// The serial number as lower-case hex bytes joined by `:`, e.g. `"01:a4:ff"`,
    /// without the sign byte DER adds to a number whose top bit is set.
    #[doc(alias = "serialNumber")]
    pub fn serial_number(&self) -> String {
        hex_colon(&self.fields().serial)
    }

    /// The X.509 version: 1, 2 or 3.
    pub fn version(&self) -> u32 {
        self.fields().version
    }

    /// Every value of one attribute of the subject name, in order.
    #[doc(alias = "subjectInfo")]
    pub fn subject_info(&self, info: SubjectInfo) -> Vec<String> {
        self.fields().subject.values(info)
    }

    /// Every value of one attribute of the issuer name, in order.
    #[doc(alias = "issuerInfo")]
    pub fn issuer_info(&self, info: SubjectInfo) -> Vec<String> {
        self.fields().issuer.values(info)
    }

    /// The subject name as an RFC 4514 string, e.g. `"CN=example.com, O=Example"`.
    pub fn subject_name(&self) -> &str {
        &self.fields().subject.text
    }

    /// The issuer name as an RFC 4514 string.
    pub fn issuer_name(&self) -> &str {
        &self.fields().issuer.text
    }

    /// A name for the subject: its common name, or else its organization, or
    /// else its organizational unit, or else the whole name.
    #[doc(alias = "subjectDisplayName")]
    pub fn subject_display_name(&self) -> String {
        self.fields().subject.display_name()
    }

    /// A name for the issuer, chosen as [`subject_display_name`](Self::subject_display_name) does.
    #[doc(alias = "issuerDisplayName")]
    pub fn issuer_display_name(&self) -> String {
        self.fields().issuer.display_name()
    }

    /// The start of the validity period (notBefore).
    #[doc(alias = "effectiveDate")]
    pub fn effective_date(&self) -> SystemTime {
        self.fields().not_before
    }

    /// The end of the validity period (notAfter).
    #[doc(alias = "expiryDate")]
    pub fn expiry_date(&self) -> SystemTime {
        self.fields().not_after
    }

    /// Whether the certificate is self-issued: its subject is its issuer and,
    /// where both key identifiers are present, they match (OpenSSL's test).
    #[doc(alias = "isSelfSigned")]
    pub fn is_self_signed(&self) -> bool {
        self.fields().self_signed
    }

    /// The subject alternative names, in order. Kinds other than DNS names,
    /// e-mail addresses, IP addresses and URIs are left out.
    #[doc(alias = "subjectAlternativeNames")]
    pub fn subject_alternative_names(&self) -> Vec<AlternativeName> {
        self.fields().alternative_names.clone()
    }

    /// The DER of the SubjectPublicKeyInfo, read from any X.509 version.
    pub(crate) fn public_key_info(&self) -> Option<&[u8]> {
        self.parsed().map(|f| f.spki.as_slice())
    }

    /// The DER of the issuer's `Name`, as it is in the certificate.
    pub(crate) fn issuer_name_der(&self) -> Option<&[u8]> {
        self.parsed().map(|f| f.issuer_der.as_slice())
    }

    /// The serial number's DER contents, as revocation lists key them.
    pub(crate) fn serial_der(&self) -> Option<&[u8]> {
        self.parsed().map(|f| f.raw_serial.as_slice())
    }

    /// The size of the RSA key, for an RSA certificate.
    pub(crate) fn rsa_key_bits(&self) -> Option<usize> {
        let (_, cert) = x509_parser::parse_x509_certificate(self.to_der()).ok()?;
        match cert.public_key().parsed().ok()? {
            x509_parser::public_key::PublicKey::RSA(rsa) => Some(rsa.key_size()),
            _ => None,
        }
    }

    /// Whether `issuer` could have issued this certificate as OpenSSL
    /// matches issuers: the issuer's subject is this one's issuer name and,
    /// where both key identifiers are present, they agree.
    pub(crate) fn may_be_issued_by(&self, issuer: &Certificate) -> bool {
        let (this, that) = (self.fields(), issuer.fields());
        this.issuer.text == that.subject.text
            && match (&this.key_ids.authority, &that.key_ids.subject) {
                (Some(authority), Some(subject)) => authority == subject,
                _ => true,
            }
    }

    /// Whether the basic constraints extension marks this as a CA certificate.
    pub fn is_ca(&self) -> bool {
        self.fields().is_ca
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner) || self.to_der() == other.to_der()
    }
}

impl Eq for Certificate {}

impl Hash for Certificate {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.to_der().hash(state);
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject_name())
            .field("issuer", &self.issuer_name())
            .field("serial_number", &self.serial_number())
            .finish_non_exhaustive()
    }
}

/// One line for people: the subject, the issuer and the validity period,
/// as `CN=example.com, issued by CN=Example CA, valid 2026-01-01 00:00:00
/// UTC to 2027-01-01 00:00:00 UTC`.
impl fmt::Display for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, issued by {}, valid {} to {}",
            self.subject_name(),
            self.issuer_name(),
            utc(self.effective_date()),
            utc(self.expiry_date())
        )
    }
}

/// The DER encoding: the same bytes as [`Certificate::to_der`].
impl AsRef<[u8]> for Certificate {
    fn as_ref(&self) -> &[u8] {
        &self.inner.der
    }
}

impl From<Certificate> for CertificateDer<'static> {
    fn from(cert: Certificate) -> Self {
        cert.inner.der.clone()
    }
}

impl TryFrom<CertificateDer<'_>> for Certificate {
    type Error = Error;

    fn try_from(der: CertificateDer<'_>) -> Result<Self, Error> {
        Self::from_der_named(der.to_vec(), DER_INPUT)
    }
}

/// The fields of a lazily parsed certificate that cannot be read: empty,
/// with a validity period of the Unix epoch.
static UNREADABLE: Fields = Fields {
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
    raw_serial: Vec::new(),
};

/// Checks that `der` is exactly one X.509 certificate whose fields
/// [`Fields::parse`] can read, without building them: extensions other than
/// the subject alternative name are not parsed (their errors do not stop
/// x509-parser anyway).
fn check(der: &[u8], input: &str) -> Result<(), Error> {
    let cert = x509(
        der,
        input,
        X509CertificateParser::new().with_deep_parse_extensions(false),
    )?;
    let san = cert
        .get_extension_unique(&oids::OID_X509_EXT_SUBJECT_ALT_NAME)
        .and_then(|ext| match ext {
            Some(ext) => SubjectAlternativeName::from_der(ext.value)
                .map(drop)
                .map_err(|_| X509Error::InvalidExtensions),
            None => Ok(()),
        });
    san.map_err(|e| invalid_alternative_names(input, e))
}

/// Parses exactly one certificate, without trailing data.
fn x509<'a>(
    der: &'a [u8],
    input: &str,
    mut parser: X509CertificateParser,
) -> Result<X509Certificate<'a>, Error> {
    let (rest, cert) = parser.parse(der).map_err(|e| {
        Error::invalid_certificate(input, InvalidInput::caused("not an X.509 certificate", e))
    })?;
    if !rest.is_empty() {
        return Err(Error::invalid_certificate(
            input,
            format!(
                "{} bytes of trailing data after the certificate",
                rest.len()
            ),
        ));
    }
    Ok(cert)
}

fn invalid_alternative_names(input: &str, error: X509Error) -> Error {
    Error::invalid_certificate(
        input,
        InvalidInput::caused("invalid subject alternative name", error),
    )
}

impl Fields {
    fn parse(der: &[u8], input: &str) -> Result<Fields, Error> {
        let cert = x509(der, input, X509CertificateParser::new())?;
        let validity = cert.validity();
        let alternative_names = match cert.subject_alternative_name() {
            Ok(Some(san)) => san
                .value
                .general_names
                .iter()
                .filter_map(alternative_name)
                .collect(),
            Ok(None) => Vec::new(),
            Err(e) => return Err(invalid_alternative_names(input, e)),
        };
        Ok(Fields {
            version: cert.version().0 + 1,
            serial: strip_sign_byte(cert.raw_serial()).to_vec(),
            subject: Name::parse(cert.subject()),
            issuer: Name::parse(cert.issuer()),
            not_before: system_time(validity.not_before),
            not_after: system_time(validity.not_after),
            self_signed: is_self_issued(&cert),
            key_ids: KeyIds::of(&cert),
            is_ca: cert.is_ca(),
            alternative_names,
            spki: cert.public_key().raw.to_vec(),
            issuer_der: cert.issuer().as_raw().to_vec(),
            raw_serial: cert.raw_serial().to_vec(),
        })
    }
}

impl Name {
    const EMPTY: Name = Name {
        attributes: Vec::new(),
        text: String::new(),
    };

    fn parse(name: &X509Name<'_>) -> Name {
        let mut attributes = Vec::new();
        for attr in name.iter_attributes() {
            let Some(info) = SubjectInfo::ALL
                .into_iter()
                .find(|i| i.oid() == *attr.attr_type())
            else {
                continue;
            };
            if let Some(value) = attribute_string(attr.attr_value().tag(), attr.as_slice()) {
                attributes.push((info, value));
            }
        }
        Name {
            attributes,
            text: name.to_string(),
        }
    }

    fn values(&self, info: SubjectInfo) -> Vec<String> {
        self.attributes
            .iter()
            .filter(|(i, _)| *i == info)
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn display_name(&self) -> String {
        [
            SubjectInfo::CommonName,
            SubjectInfo::Organization,
            SubjectInfo::OrganizationalUnitName,
        ]
        .into_iter()
        .find_map(|info| self.values(info).into_iter().next())
        .unwrap_or_else(|| self.text.clone())
    }
}

/// Decodes the string types X.509 names use.
fn attribute_string(tag: Tag, bytes: &[u8]) -> Option<String> {
    match tag {
        Tag::Utf8String
        | Tag::PrintableString
        | Tag::Ia5String
        | Tag::NumericString
        | Tag::VisibleString => String::from_utf8(bytes.to_vec()).ok(),
        // T.61 in practice carries Latin-1.
        Tag::TeletexString => Some(bytes.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        Tag::UniversalString => bytes
            .chunks_exact(4)
            .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
        _ => None,
    }
}

fn alternative_name(name: &GeneralName<'_>) -> Option<AlternativeName> {
    match name {
        GeneralName::DNSName(s) => Some(AlternativeName::Dns((*s).to_owned())),
        GeneralName::RFC822Name(s) => Some(AlternativeName::Email((*s).to_owned())),
        GeneralName::URI(s) => Some(AlternativeName::Uri((*s).to_owned())),
        GeneralName::IPAddress(bytes) => match bytes.len() {
            4 => <[u8; 4]>::try_from(*bytes)
                .ok()
                .map(|b| AlternativeName::IpAddress(IpAddr::from(b))),
            16 => <[u8; 16]>::try_from(*bytes)
                .ok()
                .map(|b| AlternativeName::IpAddress(IpAddr::from(b))),
            _ => None,
        },
        _ => None,
    }
}

/// A certificate's subject and authority key identifiers, where present.
struct KeyIds {
    subject: Option<Vec<u8>>,
    authority: Option<Vec<u8>>,
}

impl KeyIds {
    fn of(cert: &X509Certificate<'_>) -> Self {
        let mut ids = Self {
            subject: None,
            authority: None,
        };
        for ext in cert.extensions() {
            match ext.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(id) => ids.subject = Some(id.0.to_vec()),
                ParsedExtension::AuthorityKeyIdentifier(aki) => {
                    ids.authority = aki.key_identifier.as_ref().map(|id| id.0.to_vec())
                }
                _ => {}
            }
        }
        ids
    }
}

fn is_self_issued(cert: &X509Certificate<'_>) -> bool {
    if cert.subject().as_raw() != cert.issuer().as_raw() {
        return false;
    }
    let ids = KeyIds::of(cert);
    match (ids.subject, ids.authority) {
        (Some(s), Some(a)) => s == a,
        _ => true,
    }
}

fn system_time(time: ASN1Time) -> SystemTime {
    let secs = time.timestamp();
    let offset = Duration::from_secs(secs.unsigned_abs());
    // Out of range for the platform's SystemTime (before 1601 on Windows,
    // say): the epoch, rather than a panic on a peer's certificate.
    let time = if secs >= 0 {
        SystemTime::UNIX_EPOCH.checked_add(offset)
    } else {
        SystemTime::UNIX_EPOCH.checked_sub(offset)
    };
    time.unwrap_or(SystemTime::UNIX_EPOCH)
}

fn strip_sign_byte(serial: &[u8]) -> &[u8] {
    match serial {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => serial,
    }
}

fn hex_colon(bytes: &[u8]) -> String {
    let parts: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    parts.join(":")
}

/// What was wrong with a PEM section, in words; pki-types' error is the cause.
pub(crate) fn pem_error(err: rustls_pki_types::pem::Error) -> InvalidInput {
    use rustls_pki_types::pem::Error as E;
    match err {
        E::MissingSectionEnd { end_marker } => InvalidInput::new(format!(
            "PEM section has no end line {:?}",
            String::from_utf8_lossy(&end_marker)
        )),
        E::IllegalSectionStart { .. } => "malformed PEM section start line".into(),
        E::Base64Decode(e) => format!("PEM section body is not valid base64 ({e})").into(),
        E::SectionTooLarge => "PEM section is too large".into(),
        other => InvalidInput::caused("malformed PEM", other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn self_signed() -> Certificate {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["a.example".into()]).unwrap();
        params
            .subject_alt_names
            .push(rcgen::SanType::IpAddress("127.0.0.1".parse().unwrap()));
        params.subject_alt_names.push(rcgen::SanType::Rfc822Name(
            "ops@example.com".try_into().unwrap(),
        ));
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Alpha");
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, "Acme");
        params.serial_number = Some(rcgen::SerialNumber::from_slice(&[0x80, 0x01]));
        let cert = params.self_signed(&key).unwrap();
        Certificate::from_der(cert.der()).unwrap()
    }

    #[test]
    fn fields() {
        let cert = self_signed();
        assert_eq!(cert.version(), 3);
        assert_eq!(cert.subject_info(SubjectInfo::CommonName), ["Alpha"]);
        assert_eq!(cert.issuer_info(SubjectInfo::Organization), ["Acme"]);
        assert_eq!(cert.subject_display_name(), "Alpha");
        assert_eq!(cert.serial_number(), "80:01");
        assert!(cert.is_self_signed());
        assert_eq!(
            cert.subject_alternative_names(),
            [
                AlternativeName::Dns("a.example".into()),
                AlternativeName::IpAddress("127.0.0.1".parse().unwrap()),
                AlternativeName::Email("ops@example.com".into()),
            ]
        );
        assert!(cert.effective_date() < cert.expiry_date());
        assert_eq!(cert.digest(DigestAlgorithm::Sha256).len(), 32);
        assert_eq!(cert.digest(DigestAlgorithm::Sha1).len(), 20);
        assert_eq!(cert.digest(DigestAlgorithm::Sha384).len(), 48);
        assert_eq!(cert.digest(DigestAlgorithm::Sha512).len(), 64);
    }

    #[test]
    fn pem_round_trip() {
        let cert = self_signed();
        let pem = cert.to_pem();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(pem.ends_with("-----END CERTIFICATE-----\n"));
        assert_eq!(Certificate::from_pem(pem.as_bytes()).unwrap(), [cert]);
    }

    #[test]
    fn der_accessors_are_the_same_bytes() {
        let cert = self_signed();
        let der = cert.to_der();
        assert!(std::ptr::eq(cert.as_der(), der));
        assert!(std::ptr::eq(AsRef::<[u8]>::as_ref(&cert), der));
        assert_eq!(cert.as_rustls().as_ref(), der);
        fn takes_bytes(bytes: impl AsRef<[u8]>) -> usize {
            bytes.as_ref().len()
        }
        assert_eq!(takes_bytes(&cert), der.len());
        assert_eq!(Certificate::from_der(cert.as_der()).unwrap(), cert);
    }

    #[test]
    fn bad_input_names_input() {
        let err = Certificate::from_der(b"").unwrap_err();
        assert!(
            crate::error::causes(&err).starts_with("invalid certificate in DER input: "),
            "{err}"
        );
        let err = Certificate::from_pem(b"hello").unwrap_err();
        assert_eq!(
            crate::error::causes(&err),
            "invalid certificate in PEM input: no PEM certificate found"
        );
        let mut der = self_signed().to_der().to_vec();
        der.push(0);
        let err = Certificate::from_der(&der).unwrap_err();
        assert!(
            crate::error::causes(&err).contains("trailing data"),
            "{err}"
        );
    }

    #[test]
    fn system_store_certificates_parse_on_first_use() {
        let cert = self_signed();
        let lazy = Certificate::lazily_parsed(cert.as_rustls().clone());
        assert_eq!(lazy, cert);
        assert_eq!(lazy.subject_display_name(), "Alpha");
        assert_eq!(lazy.expiry_date(), cert.expiry_date());
        let unreadable = Certificate::lazily_parsed(CertificateDer::from(vec![0x30, 0x00]));
        assert_eq!(unreadable.version(), 0);
        assert!(unreadable.subject_info(SubjectInfo::CommonName).is_empty());
    }

    #[test]
    fn serial_sign_byte() {
        assert_eq!(strip_sign_byte(&[0x00, 0x80]), [0x80]);
        assert_eq!(strip_sign_byte(&[0x00]), [0x00]);
        assert_eq!(strip_sign_byte(&[0x7f]), [0x7f]);
    }

    /// A certificate with `san` (the extension's value) as a subject
    /// alternative name extension besides the one rcgen writes for `names`.
    fn with_san_extension(names: Vec<String>, san: Vec<u8>) -> Vec<u8> {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(names).unwrap();
        params
            .custom_extensions
            .push(rcgen::CustomExtension::from_oid_content(
                &[2, 5, 29, 17],
                san,
            ));
        params.self_signed(&key).unwrap().der().to_vec()
    }

    #[test]
    fn a_bad_subject_alternative_name_is_refused_at_construction() {
        // A universal OCTET STRING where a GeneralName (context-specific) belongs.
        let bad = with_san_extension(Vec::new(), vec![0x30, 0x02, 0x04, 0x00]);
        let err = Certificate::from_der(&bad).unwrap_err();
        assert_eq!(
            crate::error::causes(&err),
            "invalid certificate in DER input: invalid subject alternative name: invalid extensions"
        );
        // Two subject alternative name extensions.
        let dns = vec![0x30, 0x03, 0x82, 0x01, b'b'];
        let twice = with_san_extension(vec!["a.example".into()], dns.clone());
        let err = Certificate::from_der(&twice).unwrap_err();
        assert!(
            crate::error::causes(&err).starts_with(
                "invalid certificate in DER input: invalid subject alternative name: "
            ),
            "{err}"
        );
        // One good one reads.
        let once = Certificate::from_der(&with_san_extension(Vec::new(), dns)).unwrap();
        assert_eq!(
            once.subject_alternative_names(),
            [AlternativeName::Dns("b".into())]
        );
    }
}
