//! What is wrong with a chain, in Qt's terms: webpki's verdicts turned into
//! the [`SslError`] list that Qt (through OpenSSL, whose verify callback
//! Qt makes collect every error) would give, and the certificates that
//! really issued the leaf, which decide what that list may admit.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

use super::chain::{ChainVerifier, Lists, Path};
use super::links::{End, Links};
use super::Usage;
use crate::host::{names_cover, server_name};
use crate::{Certificate, SslError, SslErrorKind};

/// A chain that failed verification: everything wrong with it, and the
/// certificates its errors may name when they admit the peer.
#[derive(Debug)]
pub(crate) struct Failure {
    /// What is wrong, in Qt's terms; never empty.
    pub(crate) errors: Vec<SslError>,
    /// The leaf and the certificates that issued it, each link's signature
    /// verified with the issuer's key: those of the issuer walk, and those
    /// of a path webpki verified (at another time, or without a pin).
    pub(crate) linked: Vec<Certificate>,
}

impl ChainVerifier {
    /// A handshake's check of the peer's chain: `Ok` when it verifies for the
    /// usage and the server name; otherwise everything wrong with it.
    ///
    /// The path is built once at `now`; only when that fails and some
    /// certificate is outside its validity period is it built once more, at
    /// a time when the chain is valid, to tell a time error from a path error.
    pub(crate) fn verify(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        name: Option<&ServerName<'_>>,
        usage: Usage,
        now: UnixTime,
    ) -> Result<(), Failure> {
        let at_now = webpki::EndEntityCert::try_from(end_entity).map(|cert| {
            let path = self.verify_at(&cert, end_entity, intermediates, usage, now);
            let named = name.is_none_or(|n| cert.verify_is_valid_for_subject_name(n).is_ok());
            (path, named)
        });
        if let Ok((Ok(Path { pinned: true, .. }), true)) = at_now {
            return Ok(());
        }
        let chain: Vec<Certificate> = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|der| Certificate::lazily_parsed(der.clone().into_owned()))
            .collect();
        let host = name.map(ServerName::to_str);
        let path_at_now = at_now.ok().map(|(path, _)| path);
        let mut failure = self.diagnose(&chain, host.as_deref(), usage, now, path_at_now);
        // It failed: whatever the diagnosis says, never an empty list, which
        // expected errors would accept.
        if failure.errors.is_empty() {
            failure.errors.push(SslError::new(
                SslErrorKind::UnspecifiedError,
                chain.first().cloned(),
            ));
        }
        Err(failure)
    }

    /// Everything wrong with a leaf-first chain at `now`, for the usage and,
    /// when given, the host name: what `verify_chain` and a stream's
    /// `peer_verification_errors` report. Empty when the chain verifies.
    pub(crate) fn ssl_errors(
        &self,
        chain: &[Certificate],
        host_name: Option<&str>,
        usage: Usage,
        now: UnixTime,
    ) -> Vec<SslError> {
        self.diagnose(chain, host_name, usage, now, None).errors
    }

    /// The list, as OpenSSL would give it: each certificate outside its
    /// validity period (of those on the path found), the fault webpki finds
    /// in the path, a link whose signature fails, what the revocation lists
    /// say of the verified links, each certificate that cannot be read,
    /// then the host name. `path_at_now` is the verification at `now` when
    /// it was already run.
    fn diagnose(
        &self,
        chain: &[Certificate],
        host_name: Option<&str>,
        usage: Usage,
        now: UnixTime,
        path_at_now: Option<Result<Path, webpki::Error>>,
    ) -> Failure {
        // Qt's QSslCertificate::verify says exactly this of an empty list.
        let Some(leaf) = chain.first() else {
            return Failure {
                errors: vec![SslError::new(SslErrorKind::UnspecifiedError, None)
                    .with_detail(Some("the certificate chain is empty"))],
                linked: Vec::new(),
            };
        };
        let links = Links::walk(chain, self.anchors());
        let mut linked = links.path().to_vec();
        let mut errors = Vec::new();
        let end_entity = webpki::EndEntityCert::try_from(leaf.as_rustls());
        match &end_entity {
            Ok(cert) => {
                // A certificate that cannot be read is on no path: the path
                // is judged without it, and it is reported on its own.
                let path_chain: Vec<Certificate> = std::iter::once(leaf)
                    .chain(chain[1..].iter().filter(|c| c.is_readable()))
                    .cloned()
                    .collect();
                let intermediates: Vec<CertificateDer<'static>> = path_chain[1..]
                    .iter()
                    .map(|c| c.as_rustls().clone())
                    .collect();
                // Built again without the unreadable, unless webpki gave up
                // (it would again, as long).
                let path_at_now = match path_at_now {
                    Some(result)
                        if path_chain.len() == chain.len()
                            || result.as_ref().is_err_and(is_budget_error) =>
                    {
                        result
                    }
                    _ => self.verify_at(cert, leaf.as_rustls(), &intermediates, usage, now),
                };
                match path_at_now {
                    Err(error) => {
                        let found = Found {
                            chain: &path_chain,
                            intermediates: &intermediates,
                            links: &links,
                        };
                        let verified =
                            self.explain_path(cert, &found, usage, now, &error, &mut errors);
                        // What the lists say, of the path webpki verified
                        // if it found one, else of the issuer walk's links.
                        let before = errors.len();
                        if let Some(lists) = self.revocation() {
                            let path = verified.as_deref().unwrap_or(links.path());
                            for listed in lists.errors(path, system_time(now)) {
                                push_error_once(&mut errors, listed);
                            }
                        }
                        if is_revocation_error(&error) && errors.len() == before {
                            errors.push(revocation_fallback(&error, leaf));
                        }
                        linked.extend(verified.unwrap_or_default());
                    }
                    Ok(path) => {
                        if !path.pinned {
                            errors.push(SslError::new(
                                SslErrorKind::PublicKeyNotPinned,
                                Some(leaf.clone()),
                            ));
                        }
                        linked.extend(verified_path(chain, &path));
                    }
                }
            }
            // No path can be verified without the leaf; what its fields
            // still tell is reported, as Qt and OpenSSL do.
            Err(error) => {
                errors.push(
                    SslError::new(SslErrorKind::InvalidCertificate, Some(leaf.clone()))
                        .with_detail(unprocessable_because(error, leaf)),
                );
                if leaf.is_readable() {
                    if chain.len() == 1 && leaf.is_self_signed() && !self.anchors().contains(leaf) {
                        errors.push(SslError::new(
                            SslErrorKind::SelfSignedCertificate,
                            Some(leaf.clone()),
                        ));
                    }
                    let now = system_time(now);
                    if !is_valid_at(leaf, now) {
                        errors.push(time_error(leaf, now));
                    }
                }
            }
        }
        for unreadable in chain.iter().filter(|c| !c.is_readable()) {
            push_once(&mut errors, SslErrorKind::InvalidCertificate, unreadable);
        }
        if let Some(host) = host_name {
            // The name is the leaf's alone, whatever else is wrong.
            let valid = match (&end_entity, server_name(host)) {
                (Ok(cert), Ok(name)) => cert.verify_is_valid_for_subject_name(&name).is_ok(),
                (Err(_), Ok(_)) => names_cover(&leaf.subject_alternative_names(), host),
                (_, Err(_)) => false,
            };
            if !valid {
                push_once(&mut errors, SslErrorKind::HostNameMismatch, leaf);
            }
        }
        Failure { errors, linked }
    }

    /// Explains a path that failed at `now`. A revocation error is not
    /// the answer: webpki checks the lists from the trust anchor down as it
    /// verifies each link, and stops at the first that fails, the links
    /// below unverified; whether a path exists at all is asked again
    /// without the lists, and what the lists say is added by the caller,
    /// on the path found. When a certificate is outside its validity
    /// period, looks again at a time when the chain is valid, so that an
    /// expired leaf does not hide an unknown issuer; a time error is then
    /// blamed only on certificates of the path found. Only time errors are
    /// reported when, and only when, some time yields a path. Returns the
    /// path webpki verified (leaf first, ending in its trusted
    /// certificate), if it found one.
    fn explain_path(
        &self,
        cert: &webpki::EndEntityCert<'_>,
        found: &Found<'_>,
        usage: Usage,
        now: UnixTime,
        now_error: &webpki::Error,
        errors: &mut Vec<SslError>,
    ) -> Option<Vec<Certificate>> {
        let chain = found.chain;
        let leaf = &chain[0];
        let verify = |time| {
            let lists = Lists::Ignored;
            self.verify_with(
                cert,
                leaf.as_rustls(),
                found.intermediates,
                usage,
                time,
                lists,
            )
        };
        let now_error = if is_revocation_error(now_error) {
            match verify(now) {
                Ok(path) => {
                    if !path.pinned {
                        errors.push(SslError::new(
                            SslErrorKind::PublicKeyNotPinned,
                            Some(leaf.clone()),
                        ));
                    }
                    return Some(verified_path(chain, &path));
                }
                Err(error) => error,
            }
        } else {
            now_error.clone()
        };
        if is_budget_error(&now_error) {
            // webpki gave up searching: at another time it would search as
            // long and give up again (a chain built to be expensive).
            self.classify(&now_error, found, errors);
            return None;
        }
        let now_time = system_time(now);
        let outside: Vec<&Certificate> = chain
            .iter()
            .filter(|c| c.is_readable() && !is_valid_at(c, now_time))
            .collect();
        if outside.is_empty() {
            self.classify(&now_error, found, errors);
            return None;
        }
        match retry_time(chain, now_time).map(|time| verify(unix_time(time))) {
            Some(Ok(path)) => {
                let verified = verified_path(chain, &path);
                errors.extend(
                    outside
                        .into_iter()
                        .filter(|c| verified.contains(c))
                        .map(|c| time_error(c, now_time)),
                );
                if !path.pinned {
                    errors.push(SslError::new(
                        SslErrorKind::PublicKeyNotPinned,
                        Some(leaf.clone()),
                    ));
                }
                Some(verified)
            }
            Some(Err(error)) => {
                errors.extend(outside.into_iter().map(|c| time_error(c, now_time)));
                self.classify(&unless_time(error), found, errors);
                None
            }
            None => {
                errors.extend(outside.into_iter().map(|c| time_error(c, now_time)));
                self.classify(&unless_time(now_error), found, errors);
                None
            }
        }
    }

    /// What a webpki path error means in Qt's terms, and which certificate
    /// it concerns; with a link whose signature fails, that too. A
    /// revocation error adds nothing: what the lists say of every verified
    /// link is added after (see [`revocation_fallback`]).
    fn classify(&self, error: &webpki::Error, found: &Found<'_>, errors: &mut Vec<SslError>) {
        use webpki::Error as E;
        if is_revocation_error(error) {
            return;
        }
        let chain = found.chain;
        let leaf = &chain[0];
        let last = chain.last().unwrap_or(leaf);
        let anchors = self.anchors();
        let (kind, cert) = match error {
            // A configured certificate that is no CA issued this one: it
            // trusts itself only (OpenSSL: "invalid CA certificate").
            E::UnknownIssuer if anchors.exact_issuer_of(last).is_some() => (
                SslErrorKind::InvalidCaCertificate,
                anchors.exact_issuer_of(last).unwrap_or(last),
            ),
            // OpenSSL CLI certificates are CA certificates, which webpki
            // refuses as leaves before it looks for an issuer.
            _ if chain.len() == 1 && leaf.is_self_signed() && !anchors.contains(leaf) => {
                (SslErrorKind::SelfSignedCertificate, leaf)
            }
            // OpenSSL's chain as it builds it, by names: the self-signed
            // root it ends in, or the certificate whose issuer it could not
            // find; and then, as it checks the signatures, a link whose
            // signature fails.
            E::UnknownIssuer => {
                let top = issuer_walk(chain);
                let kind = if !std::ptr::eq(top, leaf) && top.is_self_signed() {
                    SslErrorKind::SelfSignedCertificateInChain
                } else {
                    SslErrorKind::UnableToGetLocalIssuerCertificate
                };
                errors.push(SslError::new(kind, Some(top.clone())));
                if let Some(broken) = self.broken_link(found) {
                    push_error_once(errors, broken);
                }
                return;
            }
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
            E::InvalidSignatureForPublicKey => match self.broken_link(found) {
                Some(broken) => {
                    errors.push(broken);
                    return;
                }
                // OpenSSL takes a certificate whose authority key identifier
                // names another key for no issuer at all.
                None if found.links.end() == End::NoIssuer => (
                    SslErrorKind::UnableToGetLocalIssuerCertificate,
                    found.links.last().unwrap_or(last),
                ),
                None => (SslErrorKind::CertificateSignatureFailed, leaf),
            },
            E::UnsupportedSignatureAlgorithmContext(_)
            | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_)
            | E::SignatureAlgorithmMismatch => (SslErrorKind::UnsupportedSignatureAlgorithm, leaf),
            #[allow(deprecated)]
            E::UnsupportedSignatureAlgorithm | E::UnsupportedSignatureAlgorithmForPublicKey => {
                (SslErrorKind::UnsupportedSignatureAlgorithm, leaf)
            }
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
            | E::UnsupportedCriticalExtension => (
                SslErrorKind::InvalidCertificate,
                // webpki does not say which: the unreadable one if there is one.
                chain.iter().find(|c| !c.is_readable()).unwrap_or(leaf),
            ),
            _ => (SslErrorKind::UnspecifiedError, leaf),
        };
        let detail = match kind {
            SslErrorKind::InvalidCertificate => unprocessable_because(error, cert),
            _ if is_budget_error(error) => {
                Some("too many candidate issuers: path building gave up")
            }
            _ => None,
        };
        errors.push(SslError::new(kind, Some(cert.clone())).with_detail(detail));
    }

    /// The error of the link where the issuer walk stopped at a forgery:
    /// the certificate whose claimed issuers' keys do not verify its
    /// signature (OpenSSL's "certificate signature failure"), or, when the
    /// claimed issuer's key is an RSA key under 2048 bits, which webpki's
    /// RSA verification does not take, an unsupported algorithm.
    fn broken_link(&self, found: &Found<'_>) -> Option<SslError> {
        if found.links.end() != End::BadSignature {
            return None;
        }
        let cert = found.links.last()?;
        let claimed = found
            .chain
            .iter()
            .chain(self.anchors().certificates())
            .find(|c| *c != cert && cert.may_be_issued_by(c));
        Some(match claimed.and_then(Certificate::rsa_key_bits) {
            Some(bits) if bits < 2048 => SslError::new(
                SslErrorKind::UnsupportedSignatureAlgorithm,
                Some(cert.clone()),
            )
            .with_detail(Some("RSA keys under 2048 bits are not supported")),
            _ => SslError::new(SslErrorKind::CertificateSignatureFailed, Some(cert.clone())),
        })
    }
}

/// What the diagnosis found of a chain: its readable certificates (leaf
/// first), the intermediates as webpki takes them, and the issuer walk.
struct Found<'a> {
    chain: &'a [Certificate],
    intermediates: &'a [CertificateDer<'static>],
    links: &'a Links,
}

/// A path webpki verified, leaf first: the leaf, the intermediates it used
/// in path order, then the trusted certificate it ends in.
fn verified_path(chain: &[Certificate], path: &Path) -> Vec<Certificate> {
    let intermediates = path
        .intermediates
        .iter()
        .filter_map(|der| chain.iter().find(|c| c.to_der() == der.as_slice()));
    chain[..1]
        .iter()
        .chain(intermediates)
        .chain(&path.anchor)
        .cloned()
        .collect()
}

/// A path error found at a time when the leaf is valid: a time error
/// then means that no path exists at any time (a decoy issuer whose
/// validity never meets the leaf's), reported as the missing issuer.
fn unless_time(error: webpki::Error) -> webpki::Error {
    match error {
        webpki::Error::CertExpired { .. } | webpki::Error::CertNotValidYet { .. } => {
            webpki::Error::UnknownIssuer
        }
        other => other,
    }
}

/// When webpki failed a path for its revocation status and the lists'
/// account of the verified links names nothing (a list webpki refuses for
/// a reason the account does not check, such as an issuer whose key usage
/// does not allow signing lists): webpki's verdict, on the leaf.
fn revocation_fallback(error: &webpki::Error, leaf: &Certificate) -> SslError {
    use webpki::Error as E;
    let kind = match error {
        E::CertRevoked => SslErrorKind::CertificateRevoked,
        E::UnknownRevocationStatus => SslErrorKind::UnableToGetRevocationList,
        E::CrlExpired { .. } => SslErrorKind::RevocationListExpired,
        _ => SslErrorKind::RevocationListInvalid,
    };
    SslError::new(kind, Some(leaf.clone())).with_detail(revocation_detail(error))
}

/// Follows issuers from the leaf through the chain as sent, as OpenSSL
/// builds its chain (name and key identifier), and returns the last
/// certificate reached.
fn issuer_walk(chain: &[Certificate]) -> &Certificate {
    let mut current = &chain[0];
    let mut steps = 0;
    while steps < chain.len() && !current.is_self_signed() {
        match chain[1..]
            .iter()
            .find(|c| !std::ptr::eq(*c, current) && current.may_be_issued_by(c))
        {
            Some(issuer) => current = issuer,
            None => break,
        }
        steps += 1;
    }
    current
}

/// Why a revocation list cannot be used, in words.
fn revocation_detail(error: &webpki::Error) -> Option<&'static str> {
    use webpki::Error as E;
    match error {
        E::IssuerNotCrlSigner => Some("its issuer's key usage does not allow signing CRLs"),
        E::InvalidCrlSignatureForPublicKey => Some("its signature does not verify"),
        E::CertRevoked | E::UnknownRevocationStatus | E::CrlExpired { .. } => None,
        _ => Some("its signature algorithm is not supported"),
    }
}

/// Whether webpki failed a path for its revocation status.
/// Whether webpki gave up building a path within its budget.
fn is_budget_error(error: &webpki::Error) -> bool {
    matches!(
        error,
        webpki::Error::MaximumPathBuildCallsExceeded
            | webpki::Error::MaximumSignatureChecksExceeded
            | webpki::Error::MaximumNameConstraintComparisonsExceeded
    )
}

fn is_revocation_error(error: &webpki::Error) -> bool {
    use webpki::Error as E;
    #[allow(deprecated)]
    let crl_signature = matches!(
        error,
        E::UnsupportedCrlSignatureAlgorithm | E::UnsupportedCrlSignatureAlgorithmForPublicKey
    );
    crl_signature
        || matches!(
            error,
            E::CertRevoked
                | E::UnknownRevocationStatus
                | E::CrlExpired { .. }
                | E::InvalidCrlSignatureForPublicKey
                | E::IssuerNotCrlSigner
                | E::UnsupportedCrlSignatureAlgorithmContext(_)
                | E::UnsupportedCrlSignatureAlgorithmForPublicKeyContext(_)
        )
}

/// Why webpki cannot process a certificate, in words.
fn unprocessable_because(error: &webpki::Error, cert: &Certificate) -> Option<&'static str> {
    use webpki::Error as E;
    Some(match error {
        E::UnsupportedCertVersion => match cert.version() {
            1 => "X.509 v1 is not supported",
            2 => "X.509 v2 is not supported",
            _ => "this X.509 version is not supported",
        },
        E::BadDer | E::TrailingData(_) => "malformed DER",
        E::BadDerTime | E::InvalidCertValidity => "invalid validity period",
        E::InvalidSerialNumber => "invalid serial number",
        E::MalformedDnsIdentifier => "malformed DNS name",
        E::MalformedExtensions | E::ExtensionValueInvalid => "malformed extensions",
        E::UnsupportedCriticalExtension => "an unsupported critical extension",
        _ => return None,
    })
}

/// Adds an error unless the same one is listed already.
fn push_once(errors: &mut Vec<SslError>, kind: SslErrorKind, cert: &Certificate) {
    push_error_once(errors, SslError::new(kind, Some(cert.clone())));
}

/// Adds an error unless one of its kind about its certificate is listed.
fn push_error_once(errors: &mut Vec<SslError>, error: SslError) {
    if !errors
        .iter()
        .any(|e| e.kind() == error.kind() && e.certificate() == error.certificate())
    {
        errors.push(error);
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

/// A time to look again at a chain that is not valid now: the latest start
/// of validity in the chain, if every certificate is valid then; otherwise
/// the time nearest to `now` at which the leaf is valid.
fn retry_time(chain: &[Certificate], now: SystemTime) -> Option<SystemTime> {
    let readable = || chain.iter().filter(|c| c.is_readable());
    let start = readable().map(Certificate::effective_date).max()?;
    let end = readable().map(Certificate::expiry_date).min()?;
    if start <= end {
        return Some(start);
    }
    let leaf = &chain[0];
    let time = now.clamp(
        leaf.effective_date(),
        leaf.expiry_date().max(leaf.effective_date()),
    );
    (time != now).then_some(time)
}

pub(crate) fn unix_time(time: SystemTime) -> UnixTime {
    UnixTime::since_unix_epoch(time.duration_since(UNIX_EPOCH).unwrap_or_default())
}

fn system_time(time: UnixTime) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(time.as_secs())
}
