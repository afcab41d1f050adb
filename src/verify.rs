//! Peer verification: the rustls verifiers for each verify mode, the verify
//! depth, and what webpki's errors mean in Qt's terms.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, TrustAnchor, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, OtherError, SignatureScheme,
};

use crate::configuration::Settings;
use crate::provider::provider;
use crate::stream::server_name;
use crate::{roots, Certificate, Error, SslError, SslErrorKind};

/// Which end of a connection a certificate authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Usage {
    /// A server's certificate, checked by a client.
    ServerAuth,
    /// A client's certificate, checked by a server.
    ClientAuth,
}

/// Verifies chains against a set of trust anchors and a depth limit.
#[derive(Debug)]
pub(crate) struct ChainVerifier {
    /// Borrows the process-wide system anchors when no CA certificate is
    /// added to them, so converting a default configuration copies nothing.
    anchors: Cow<'static, [TrustAnchor<'static>]>,
    depth: u32,
}

impl ChainVerifier {
    /// Trust anchors from the configured CA certificates.
    ///
    /// # Errors
    /// [`Error::InvalidCaCertificate`] for a configured CA certificate webpki cannot use.
    pub(crate) fn new(settings: &Settings) -> Result<Self, Error> {
        let system: &'static [TrustAnchor<'static>] = if settings.ca.system {
            roots::system_trust_anchors()
        } else {
            &[]
        };
        let anchors = if settings.ca.certificates.is_empty() {
            Cow::Borrowed(system)
        } else {
            let mut anchors = Vec::with_capacity(system.len() + settings.ca.certificates.len());
            anchors.extend_from_slice(system);
            for cert in &settings.ca.certificates {
                anchors.push(trust_anchor(cert)?.to_owned());
            }
            Cow::Owned(anchors)
        };
        Ok(Self {
            anchors,
            depth: settings.peer_verify_depth,
        })
    }

    /// Whether there is anything to verify against.
    pub(crate) fn has_anchors(&self) -> bool {
        !self.anchors.is_empty()
    }

    /// The fast path of a handshake: is the chain valid now?
    fn check(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: Option<&ServerName<'_>>,
        usage: Usage,
        now: UnixTime,
    ) -> Result<(), webpki::Error> {
        let cert = webpki::EndEntityCert::try_from(end_entity)?;
        self.verify_path(&cert, intermediates, usage, now)?;
        if let Some(name) = server_name {
            cert.verify_is_valid_for_subject_name(name)?;
        }
        Ok(())
    }

    /// Builds and verifies a path from `cert` to a trust anchor, within the depth.
    fn verify_path<'p>(
        &'p self,
        cert: &'p webpki::EndEntityCert<'p>,
        intermediates: &'p [CertificateDer<'p>],
        usage: Usage,
        time: UnixTime,
    ) -> Result<webpki::VerifiedPath<'p>, webpki::Error> {
        let key_usage = match usage {
            Usage::ServerAuth => webpki::KeyUsage::server_auth(),
            Usage::ClientAuth => webpki::KeyUsage::client_auth(),
        };
        let depth = self.depth as usize;
        let within_depth = |path: &webpki::VerifiedPath<'_>| {
            // The leaf, the intermediates and the trust anchor.
            let length = 2 + path.intermediate_certificates().count();
            if length > depth {
                Err(webpki::Error::MaximumPathDepthExceeded)
            } else {
                Ok(())
            }
        };
        cert.verify_for_usage(
            provider().signature_verification_algorithms.all,
            &self.anchors,
            intermediates,
            time,
            key_usage,
            None,
            if depth == 0 {
                None
            } else {
                Some(&within_depth)
            },
        )
    }

    /// Checks a chain during a handshake; on failure, works out everything
    /// that is wrong with it and returns that inside the rustls error.
    fn check_or_explain(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: Option<&ServerName<'_>>,
        usage: Usage,
        now: UnixTime,
    ) -> Result<(), rustls::Error> {
        if self
            .check(end_entity, intermediates, server_name, usage, now)
            .is_ok()
        {
            return Ok(());
        }
        let chain = parse_chain(end_entity, intermediates);
        let host = server_name.map(ServerName::to_str);
        let mut errors = self.ssl_errors_at(&chain, host.as_deref(), usage, system_time(now));
        if errors.is_empty() {
            // webpki refused what the explanation could not pin down.
            errors.push(SslError::new(
                SslErrorKind::UnspecifiedError,
                chain.into_iter().next(),
            ));
        }
        Err(VerificationFailure::new(errors).into())
    }

    /// What a webpki path error means in Qt's terms. A self-signed leaf that is
    /// not trusted is reported as such whatever else webpki stopped at (OpenSSL
    /// CLI certificates are CA certificates, which webpki refuses as leaves first).
    fn classify(
        &self,
        error: &webpki::Error,
        leaf: &Certificate,
        chain: &[Certificate],
    ) -> SslError {
        if chain.len() == 1 && leaf.is_self_signed() && !self.trusts(leaf) {
            return SslError::new(SslErrorKind::SelfSignedCertificate, Some(leaf.clone()));
        }
        classify(error, leaf, chain)
    }

    /// Whether a certificate is one of the trust anchors.
    fn trusts(&self, cert: &Certificate) -> bool {
        webpki::anchor_from_trusted_cert(cert.as_rustls()).is_ok_and(|anchor| {
            self.anchors.iter().any(|a| {
                a.subject == anchor.subject
                    && a.subject_public_key_info == anchor.subject_public_key_info
            })
        })
    }

    /// Everything wrong with a chain at the current time.
    pub(crate) fn ssl_errors(
        &self,
        chain: &[Certificate],
        host_name: Option<&str>,
        usage: Usage,
    ) -> Vec<SslError> {
        self.ssl_errors_at(chain, host_name, usage, SystemTime::now())
    }

    /// Everything wrong with a chain, as OpenSSL would list it: each
    /// certificate outside its validity period, then the first fault webpki finds
    /// in the path (checked at a time when every certificate is valid, so an
    /// expired leaf does not hide an unknown issuer), then the host name.
    fn ssl_errors_at(
        &self,
        chain: &[Certificate],
        host_name: Option<&str>,
        usage: Usage,
        now: SystemTime,
    ) -> Vec<SslError> {
        let Some(leaf) = chain.first() else {
            return vec![SslError::new(SslErrorKind::NoPeerCertificate, None)];
        };
        let Ok(end_entity) = webpki::EndEntityCert::try_from(leaf.as_rustls()) else {
            return vec![SslError::new(
                SslErrorKind::InvalidCertificate,
                Some(leaf.clone()),
            )];
        };
        let intermediates: Vec<CertificateDer<'static>> = chain
            .iter()
            .skip(1)
            .map(|c| c.as_rustls().clone())
            .collect();
        let mut errors = Vec::new();
        if let Err(now_error) = self.verify_path(&end_entity, &intermediates, usage, unix_time(now))
        {
            let outside: Vec<&Certificate> =
                chain.iter().filter(|c| !is_valid_at(c, now)).collect();
            if outside.is_empty() {
                errors.push(self.classify(&now_error, leaf, chain));
            } else {
                // Look again at a time when every certificate is valid, so that
                // an expired leaf does not hide an unknown issuer, and blame the
                // time only on certificates of the path found then.
                let retry = common_validity(chain).map(|time| {
                    self.verify_path(&end_entity, &intermediates, usage, unix_time(time))
                        .map(|path| path_ders(&path))
                });
                match retry {
                    Some(Ok(on_path)) => errors.extend(
                        outside
                            .into_iter()
                            .filter(|c| *c == leaf || on_path.iter().any(|der| der == c.to_der()))
                            .map(|c| time_error(c, now)),
                    ),
                    Some(Err(error)) => {
                        errors.extend(outside.into_iter().map(|c| time_error(c, now)));
                        errors.push(self.classify(&error, leaf, chain));
                    }
                    None => {
                        errors.extend(outside.into_iter().map(|c| time_error(c, now)));
                        if !matches!(
                            now_error,
                            webpki::Error::CertExpired { .. }
                                | webpki::Error::CertNotValidYet { .. }
                        ) {
                            errors.push(self.classify(&now_error, leaf, chain));
                        }
                    }
                }
            }
        }
        if let Some(host) = host_name {
            let valid = server_name(host)
                .is_ok_and(|name| end_entity.verify_is_valid_for_subject_name(&name).is_ok());
            if !valid {
                errors.push(SslError::new(
                    SslErrorKind::HostNameMismatch,
                    Some(leaf.clone()),
                ));
            }
        }
        errors
    }
}

fn is_valid_at(cert: &Certificate, time: SystemTime) -> bool {
    cert.effective_date() <= time && time <= cert.expiry_date()
}

fn time_error(cert: &Certificate, now: SystemTime) -> SslError {
    let kind = if now < cert.effective_date() {
        SslErrorKind::CertificateNotYetValid
    } else {
        SslErrorKind::CertificateExpired
    };
    SslError::new(kind, Some(cert.clone()))
}

/// The latest start of validity in the chain, if every certificate is valid then.
fn common_validity(chain: &[Certificate]) -> Option<SystemTime> {
    let start = chain.iter().map(Certificate::effective_date).max()?;
    let end = chain.iter().map(Certificate::expiry_date).min()?;
    (start <= end).then_some(start)
}

/// The DER of the intermediates on a verified path.
fn path_ders(path: &webpki::VerifiedPath<'_>) -> Vec<Vec<u8>> {
    path.intermediate_certificates()
        .map(|c| c.der().to_vec())
        .collect()
}

fn trust_anchor(cert: &Certificate) -> Result<TrustAnchor<'_>, Error> {
    webpki::anchor_from_trusted_cert(cert.as_rustls()).map_err(|e| Error::InvalidCaCertificate {
        subject: cert.subject_display_name(),
        source: rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(e)))),
    })
}

/// The subjects of the explicitly configured CA certificates (each a whole
/// DER `Name`: webpki keeps only its contents), which a server
/// sends to clients as hints of what it trusts. (Not the system store's: a
/// list of every public root helps no client pick its certificate.)
pub(crate) fn hint_subjects(settings: &Settings) -> Result<Vec<DistinguishedName>, Error> {
    settings
        .ca
        .certificates
        .iter()
        .map(|cert| Ok(DistinguishedName::in_sequence(&trust_anchor(cert)?.subject)))
        .collect()
}

/// What a webpki path error means in Qt's terms, and which certificate it
/// concerns. `chain` is the whole chain, `leaf` its first certificate.
fn classify(error: &webpki::Error, leaf: &Certificate, chain: &[Certificate]) -> SslError {
    use webpki::Error as E;
    let last = chain.last().unwrap_or(leaf);
    let (kind, cert) = match error {
        E::UnknownIssuer if chain.len() == 1 && leaf.is_self_signed() => {
            (SslErrorKind::SelfSignedCertificate, leaf)
        }
        E::UnknownIssuer if chain.len() > 1 && last.is_self_signed() => {
            (SslErrorKind::SelfSignedCertificateInChain, last)
        }
        E::UnknownIssuer => (SslErrorKind::UnableToGetLocalIssuerCertificate, last),
        E::CaUsedAsEndEntity | E::EmptyEkuExtension | E::RequiredEkuNotFoundContext(_) => {
            (SslErrorKind::InvalidPurpose, leaf)
        }
        #[allow(deprecated)]
        E::RequiredEkuNotFound => (SslErrorKind::InvalidPurpose, leaf),
        E::EndEntityUsedAsCa => {
            let not_ca = chain.iter().skip(1).find(|c| !c.is_ca()).unwrap_or(leaf);
            (SslErrorKind::InvalidCaCertificate, not_ca)
        }
        E::PathLenConstraintViolated | E::MaximumPathDepthExceeded => {
            (SslErrorKind::PathLengthExceeded, leaf)
        }
        E::InvalidSignatureForPublicKey => (SslErrorKind::CertificateSignatureFailed, leaf),
        E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_)
        | E::SignatureAlgorithmMismatch => (SslErrorKind::UnsupportedSignatureAlgorithm, leaf),
        #[allow(deprecated)]
        E::UnsupportedSignatureAlgorithm | E::UnsupportedSignatureAlgorithmForPublicKey => {
            (SslErrorKind::UnsupportedSignatureAlgorithm, leaf)
        }
        E::CertRevoked => (SslErrorKind::CertificateRevoked, leaf),
        E::CertDistrusted => (SslErrorKind::CertificateUntrusted, leaf),
        E::NameConstraintViolation => (SslErrorKind::NameConstraintViolation, leaf),
        E::CertExpired { .. } => (SslErrorKind::CertificateExpired, leaf),
        E::CertNotValidYet { .. } => (SslErrorKind::CertificateNotYetValid, leaf),
        E::BadDer
        | E::BadDerTime
        | E::ExtensionValueInvalid
        | E::InvalidCertValidity
        | E::InvalidSerialNumber
        | E::MalformedDnsIdentifier
        | E::MalformedExtensions
        | E::TrailingData(_)
        | E::UnsupportedCertVersion
        | E::UnsupportedCriticalExtension => (SslErrorKind::InvalidCertificate, leaf),
        _ => (SslErrorKind::UnspecifiedError, leaf),
    };
    SslError::new(kind, Some(cert.clone()))
}

/// The certificates a peer sent, parsed for error reports. One that does not
/// parse ends the list (it cannot be named).
fn parse_chain(
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
) -> Vec<Certificate> {
    std::iter::once(end_entity)
        .chain(intermediates)
        .map_while(|der| Certificate::from_der(der).ok())
        .collect()
}

fn unix_time(time: SystemTime) -> UnixTime {
    UnixTime::since_unix_epoch(time.duration_since(UNIX_EPOCH).unwrap_or_default())
}

fn system_time(time: UnixTime) -> SystemTime {
    UNIX_EPOCH + std::time::Duration::from_secs(time.as_secs())
}

/// The verification errors of a failed handshake, carried through rustls
/// inside `CertificateError::Other`, so that `connect`/`accept` (and
/// `Error::from(rustls::Error)`) can hand them to the caller.
pub(crate) struct VerificationFailure {
    errors: Vec<SslError>,
}

/// rustls prints a certificate error's cause with `Debug`: keep it as short
/// as the message, not a dump of every certificate.
impl fmt::Debug for VerificationFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerificationFailure({self})")
    }
}

impl VerificationFailure {
    fn new(errors: Vec<SslError>) -> Self {
        Self { errors }
    }

    /// The errors inside a rustls error, if it carries a verification failure.
    pub(crate) fn find(error: &rustls::Error) -> Option<&[SslError]> {
        match error {
            rustls::Error::InvalidCertificate(CertificateError::Other(other)) => other
                .0
                .downcast_ref::<VerificationFailure>()
                .map(|f| f.errors.as_slice()),
            _ => None,
        }
    }
}

impl fmt::Display for VerificationFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for VerificationFailure {}

impl From<VerificationFailure> for rustls::Error {
    fn from(failure: VerificationFailure) -> Self {
        rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(failure))))
    }
}

fn algorithms() -> &'static WebPkiSupportedAlgorithms {
    &provider().signature_verification_algorithms
}

/// A client's check of the server: `VerifyPeer` verifies the chain (`chain`
/// is `Some`); `QueryPeer` and `VerifyNone` accept any chain (`None`). The
/// handshake signature is checked in every mode.
#[derive(Debug)]
pub(crate) struct ServerVerifier {
    chain: Option<Arc<ChainVerifier>>,
}

impl ServerVerifier {
    pub(crate) fn verifying(chain: Arc<ChainVerifier>) -> Self {
        Self { chain: Some(chain) }
    }

    pub(crate) fn accepting_any() -> Self {
        Self { chain: None }
    }
}

impl ServerCertVerifier for ServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Some(chain) = &self.chain {
            chain.check_or_explain(
                end_entity,
                intermediates,
                Some(server_name),
                Usage::ServerAuth,
                now,
            )?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, algorithms())
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, algorithms())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        algorithms().supported_schemes()
    }
}

/// A server's check of the client: `VerifyPeer` requires a certificate and
/// verifies it; `QueryPeer` asks for one, accepts any or none. (`VerifyNone`
/// asks for none, and so needs no verifier.) The handshake signature of a
/// certificate that was sent is checked in every mode.
#[derive(Debug)]
pub(crate) struct ClientVerifier {
    /// `Some` for `VerifyPeer`: the certificate is required and verified.
    chain: Option<Arc<ChainVerifier>>,
    hint_subjects: Vec<DistinguishedName>,
}

impl ClientVerifier {
    pub(crate) fn requiring(
        chain: Arc<ChainVerifier>,
        hint_subjects: Vec<DistinguishedName>,
    ) -> Self {
        Self {
            chain: Some(chain),
            hint_subjects,
        }
    }

    pub(crate) fn querying(hint_subjects: Vec<DistinguishedName>) -> Self {
        Self {
            chain: None,
            hint_subjects,
        }
    }
}

impl ClientCertVerifier for ClientVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        self.chain.is_some()
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hint_subjects
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if let Some(chain) = &self.chain {
            chain.check_or_explain(end_entity, intermediates, None, Usage::ClientAuth, now)?;
        }
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, algorithms())
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, algorithms())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        algorithms().supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hint_subjects_are_whole_der_names() {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Hint CA");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca = Certificate::from_der(params.self_signed(&key).unwrap().der()).unwrap();
        let settings = Settings {
            ca: crate::configuration::CaCertificates {
                system: false,
                certificates: vec![ca.clone()],
            },
            ..Settings::default()
        };
        let hints = hint_subjects(&settings).unwrap();
        let (_, cert) = x509_parser::parse_x509_certificate(ca.to_der()).unwrap();
        // Exactly the certificate's subject Name, SEQUENCE header included.
        assert_eq!(hints[0].as_ref(), cert.subject().as_raw());
    }
}
