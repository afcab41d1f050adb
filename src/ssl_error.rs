//! Certificate verification errors, as Qt's `QSslError`.

use std::fmt;

use crate::Certificate;

/// What was wrong with a peer's certificate chain, as Qt's `QSslError::SslError`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SslErrorKind {
    /// The issuer of a certificate in the chain could not be found.
    UnableToGetIssuerCertificate,
    /// A certificate's signature does not verify with its issuer's key.
    CertificateSignatureFailed,
    /// A certificate is not valid yet.
    CertificateNotYetValid,
    /// A certificate has expired.
    CertificateExpired,
    /// A certificate's validity dates could not be read.
    InvalidNotBeforeField,
    /// The leaf certificate is self-signed and not trusted.
    SelfSignedCertificate,
    /// The chain ends in a self-signed root that is not trusted.
    SelfSignedCertificateInChain,
    /// The leaf's issuer is neither a trusted CA nor in the chain the peer sent.
    UnableToGetLocalIssuerCertificate,
    /// A certificate has been revoked.
    CertificateRevoked,
    /// A certificate in the issuer position is not a CA certificate.
    InvalidCaCertificate,
    /// The chain is longer than the verify depth or a CA's path length constraint.
    PathLengthExceeded,
    /// A certificate may not be used for this purpose (extended key usage, or a
    /// CA certificate used as a leaf).
    InvalidPurpose,
    /// A certificate is explicitly distrusted.
    CertificateUntrusted,
    /// A certificate was rejected.
    CertificateRejected,
    /// The peer sent no certificate.
    NoPeerCertificate,
    /// The certificate is not valid for the host name connected to.
    HostNameMismatch,
    /// A certificate violates a name constraint of its issuer.
    NameConstraintViolation,
    /// A certificate uses a signature algorithm the crypto provider does not support.
    UnsupportedSignatureAlgorithm,
    /// A certificate could not be parsed or has an extension that cannot be processed.
    InvalidCertificate,
    /// A certificate's revocation status is unknown: no revocation list
    /// from its issuer was configured (OpenSSL: "unable to get certificate
    /// CRL"). Not in Qt.
    UnableToGetRevocationList,
    /// The revocation list of a certificate's issuer is past its
    /// `nextUpdate` (OpenSSL: "CRL has expired"). Not in Qt.
    RevocationListExpired,
    /// The revocation list of a certificate's issuer cannot be used: its
    /// signature does not verify with the issuer's key, or the issuer may
    /// not sign revocation lists (OpenSSL: "CRL signature failure"). Not in Qt.
    RevocationListInvalid,
    /// The pins do not hold: no certificate on the verified path has a
    /// pinned public key, or, when the pins replace CA verification, the
    /// peer's own certificate does not
    /// ([`SslConfiguration::with_public_key_pins`](crate::SslConfiguration::with_public_key_pins)).
    /// Not in Qt.
    PublicKeyNotPinned,
    /// Anything else.
    UnspecifiedError,
}

impl SslErrorKind {
    /// A lowercase description, as Qt's `QSslError::errorString()`.
    #[doc(alias = "errorString")]
    pub fn description(self) -> &'static str {
        match self {
            Self::UnableToGetIssuerCertificate => "the issuer certificate could not be found",
            Self::CertificateSignatureFailed => "the signature of the certificate is invalid",
            Self::CertificateNotYetValid => "the certificate is not yet valid",
            Self::CertificateExpired => "the certificate has expired",
            Self::InvalidNotBeforeField => "the certificate's validity dates are invalid",
            Self::SelfSignedCertificate => "the certificate is self-signed, and untrusted",
            Self::SelfSignedCertificateInChain => {
                "the root certificate of the certificate chain is self-signed, and untrusted"
            }
            Self::UnableToGetLocalIssuerCertificate => {
                "the issuer certificate of a locally looked up certificate could not be found"
            }
            Self::CertificateRevoked => "the certificate has been revoked",
            Self::InvalidCaCertificate => "the issuer certificate is not a valid CA certificate",
            Self::PathLengthExceeded => "the length of the certificate path was exceeded",
            Self::InvalidPurpose => "the certificate is invalid for this purpose",
            Self::CertificateUntrusted => "the certificate is not trusted",
            Self::CertificateRejected => "the certificate was rejected",
            Self::NoPeerCertificate => "the peer did not present any certificate",
            Self::HostNameMismatch => {
                "the host name did not match any of the valid hosts for this certificate"
            }
            Self::NameConstraintViolation => {
                "the certificate violates a name constraint of its issuer"
            }
            Self::UnsupportedSignatureAlgorithm => {
                "the certificate is signed with an unsupported algorithm"
            }
            Self::InvalidCertificate => "the certificate could not be processed",
            Self::UnableToGetRevocationList => {
                "the certificate revocation list of the issuer could not be found"
            }
            Self::RevocationListExpired => "the certificate revocation list has expired",
            Self::RevocationListInvalid => "the certificate revocation list cannot be used",
            Self::PublicKeyNotPinned => "no pinned public key was found",
            Self::UnspecifiedError => "an unknown error occurred",
        }
    }
}

impl fmt::Display for SslErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// One thing verification found wrong, and the certificate it concerns.
///
/// Two errors are equal, as Qt's `QSslError`s are, when their kind and
/// certificate are: the [`detail`](Self::detail) explains, it does not
/// identify. That is what
/// [`with_expected_ssl_errors`](crate::SslConfiguration::with_expected_ssl_errors)
/// matches on.
///
/// ```
/// use sslconf::{SslError, SslErrorKind};
///
/// let e = SslError::new(SslErrorKind::NoPeerCertificate, None);
/// assert_eq!(e.kind(), SslErrorKind::NoPeerCertificate);
/// assert_eq!(e.to_string(), "the peer did not present any certificate");
/// ```
#[derive(Clone, Debug)]
pub struct SslError {
    kind: SslErrorKind,
    certificate: Option<Certificate>,
    detail: Option<&'static str>,
}

impl SslError {
    /// An error of `kind` about `certificate`.
    #[doc(alias = "QSslError")]
    pub fn new(kind: SslErrorKind, certificate: Option<Certificate>) -> Self {
        Self {
            kind,
            certificate,
            detail: None,
        }
    }

    /// The error with a word on why, such as "X.509 v1 is not supported".
    pub(crate) fn with_detail(self, detail: Option<&'static str>) -> Self {
        Self { detail, ..self }
    }

    /// Why, where the kind alone does not say: for
    /// [`SslErrorKind::InvalidCertificate`], what could not be processed
    /// ("X.509 v1 is not supported", "malformed DER", ...).
    pub fn detail(&self) -> Option<&str> {
        self.detail
    }

    /// What was wrong.
    #[doc(alias = "error")]
    pub fn kind(&self) -> SslErrorKind {
        self.kind
    }

    /// The certificate it concerns, where there is one.
    pub fn certificate(&self) -> Option<&Certificate> {
        self.certificate.as_ref()
    }
}

impl PartialEq for SslError {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && self.certificate == other.certificate
    }
}

impl Eq for SslError {}

impl std::hash::Hash for SslError {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.kind.hash(state);
        self.certificate.hash(state);
    }
}

impl fmt::Display for SslError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.description())?;
        if let Some(detail) = self.detail {
            write!(f, ": {detail}")?;
        }
        if let Some(cert) = &self.certificate {
            write!(f, " ({:?})", cert.subject_display_name())?;
        }
        Ok(())
    }
}
