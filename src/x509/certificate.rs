//! X.509 certificates, as Qt's `QSslCertificate`.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use der::asn1::ObjectIdentifier;
use rustls_pki_types::pem::{PemObject, SectionKind};
use rustls_pki_types::CertificateDer;

use super::fields::{self, Fields, UNREADABLE};
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
    /// or a peer) whose fields cannot be read.
    fields: OnceLock<Option<Fields>>,
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
    /// The kind of an attribute type, if Qt names it.
    pub(super) fn of(oid: ObjectIdentifier) -> Option<SubjectInfo> {
        const fn id(dotted: &str) -> ObjectIdentifier {
            ObjectIdentifier::new_unwrap(dotted)
        }
        const OIDS: [(ObjectIdentifier, SubjectInfo); 8] = [
            (id("2.5.4.10"), SubjectInfo::Organization),
            (id("2.5.4.3"), SubjectInfo::CommonName),
            (id("2.5.4.7"), SubjectInfo::LocalityName),
            (id("2.5.4.11"), SubjectInfo::OrganizationalUnitName),
            (id("2.5.4.6"), SubjectInfo::CountryName),
            (id("2.5.4.8"), SubjectInfo::StateOrProvinceName),
            (id("1.2.840.113549.1.9.1"), SubjectInfo::EmailAddress),
            (id("2.5.4.5"), SubjectInfo::SerialNumber),
        ];
        OIDS.iter()
            .find(|(known, _)| *known == oid)
            .map(|(_, info)| *info)
    }
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
        fields::check(&der).map_err(|refusal| Error::invalid_certificate(input, refusal))?;
        Ok(Certificate::lazily_parsed(CertificateDer::from(der)))
    }

    /// A certificate whose fields are read on first use: one from the public
    /// constructors (checked readable), the system store or a peer (accepted
    /// by webpki or just received). One whose fields cannot be read reports
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
            .get_or_init(|| Fields::parse(&self.inner.der).ok())
            .as_ref()
    }

    /// Whether the fields can be read (always true for a certificate made
    /// by a public constructor).
    pub(crate) fn is_readable(&self) -> bool {
        self.parsed().is_some()
    }

    /// The certificate as a PEM `CERTIFICATE` section, with a trailing newline.
    #[doc(alias = "toPem")]
    pub fn to_pem(&self) -> String {
        use base64ct::{Base64, Encoding};
        let body = Base64::encode_string(self.to_der());
        let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
        // Lines of 64 characters, as RFC 7468 and OpenSSL write them.
        for line in body.as_bytes().chunks(64) {
            // base64 is ASCII.
            pem.push_str(std::str::from_utf8(line).unwrap_or_default());
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE-----\n");
        pem
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

    /// The hash of the DER encoding: the certificate's fingerprint, computed
    /// by the crypto provider.
    pub fn digest(&self, algorithm: DigestAlgorithm) -> Vec<u8> {
        use crate::provider::primitives::digest;
        let algorithm = match algorithm {
            DigestAlgorithm::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            DigestAlgorithm::Sha256 => &digest::SHA256,
            DigestAlgorithm::Sha384 => &digest::SHA384,
            DigestAlgorithm::Sha512 => &digest::SHA512,
        };
        digest::digest(algorithm, self.to_der()).as_ref().to_vec()
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

    /// The DER of the subject's `Name`, as it is in the certificate.
    #[cfg(any(feature = "ocsp", test))]
    pub(crate) fn subject_name_der(&self) -> Option<&[u8]> {
        self.parsed().map(|f| f.subject_der.as_slice())
    }

    /// The serial number's DER contents, as revocation lists key them.
    pub(crate) fn serial_der(&self) -> Option<&[u8]> {
        self.parsed().map(|f| f.raw_serial.as_slice())
    }

    /// The size of the RSA key, for an RSA certificate.
    pub(crate) fn rsa_key_bits(&self) -> Option<usize> {
        fields::rsa_key_bits(self.public_key_info()?)
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
    use super::fields::strip_sign_byte;
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
        assert!(
            crate::error::causes(&err).starts_with(
                "invalid certificate in DER input: invalid subject alternative name: \
                 malformed general names: "
            ),
            "{err}"
        );
        // Two subject alternative name extensions.
        let dns = vec![0x30, 0x03, 0x82, 0x01, b'b'];
        let twice = with_san_extension(vec!["a.example".into()], dns.clone());
        let err = Certificate::from_der(&twice).unwrap_err();
        assert_eq!(
            crate::error::causes(&err),
            "invalid certificate in DER input: invalid subject alternative name: \
             the extension appears more than once"
        );
        // One good one reads.
        let once = Certificate::from_der(&with_san_extension(Vec::new(), dns)).unwrap();
        assert_eq!(
            once.subject_alternative_names(),
            [AlternativeName::Dns("b".into())]
        );
    }
}
