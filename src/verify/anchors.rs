//! Trust anchors from the CA certificates setting: the system store, the
//! configured CA certificates, and configured certificates that are no CA,
//! each trusted as exactly itself.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use rustls::pki_types::TrustAnchor;
use rustls::DistinguishedName;

use crate::error::InvalidInput;
use crate::settings::CaCertificates;
use crate::{roots, Certificate, Error};

/// The most the encoded hints may take: the list's 16-bit length, less
/// room for the CertificateRequest's other extensions.
const MAX_HINTS_LEN: usize = 0xffff - 1024;

/// What a verifier trusts.
#[derive(Debug)]
pub(crate) struct TrustAnchors {
    /// Whether the system store is trusted (loaded on first use).
    system: bool,
    /// The configured CA certificates, as webpki anchors.
    configured: Vec<TrustAnchor<'static>>,
    /// The same certificates, for telling what went wrong.
    configured_certificates: Vec<Certificate>,
    /// Configured certificates that are no CA (a pinned device or self-signed
    /// server certificate, Qt's usual way to trust one peer): each trusts
    /// exactly itself, byte for byte, and issues nothing, as OpenSSL refuses
    /// it as an issuer ("invalid CA certificate").
    exact: Vec<Certificate>,
    /// The system anchors followed by the configured ones, put together on
    /// first use; the system store alone is borrowed, not copied.
    all: OnceLock<Cow<'static, [TrustAnchor<'static>]>>,
    /// The subjects of every configured certificate (each a whole DER
    /// `Name`: webpki keeps only its contents), which a server sends to
    /// clients as hints of what it trusts. (Not the system store's: a list
    /// of every public root helps no client pick its certificate.) Made on
    /// first use: a client never needs them.
    hint_subjects: OnceLock<Arc<[DistinguishedName]>>,
}

impl TrustAnchors {
    /// The anchors of a CA certificates setting. The system store is not
    /// loaded until a chain is verified against it.
    ///
    /// # Errors
    /// [`Error::InvalidCaCertificate`] for a configured CA certificate that
    /// webpki cannot use as a trust anchor.
    pub(crate) fn new(ca: &CaCertificates) -> Result<Self, Error> {
        Self::build(ca.system, &ca.configured())
    }

    /// The anchors a server checks clients against: the configured
    /// certificates only, never the system store (any public CA's
    /// certificate with the clientAuth usage would pass).
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub(crate) fn configured_only(ca: &CaCertificates) -> Result<Self, Error> {
        Self::build(false, &ca.configured())
    }

    fn build(system: bool, certificates: &[Certificate]) -> Result<Self, Error> {
        let mut configured = Vec::with_capacity(certificates.len());
        let mut configured_certificates = Vec::with_capacity(certificates.len());
        let mut exact = Vec::new();
        for cert in certificates {
            let anchor = trust_anchor(cert)?;
            if can_issue(cert) {
                configured.push(anchor.to_owned());
                configured_certificates.push(cert.clone());
            } else {
                exact.push(cert.clone());
            }
        }
        Ok(Self {
            system,
            configured,
            configured_certificates,
            exact,
            all: OnceLock::new(),
            hint_subjects: OnceLock::new(),
        })
    }

    /// The configured certificates' subjects, sent to clients as hints,
    /// each once. When they do not fit in one message (a bundle of
    /// hundreds of CAs), none: hints are optional (RFC 8446, 4.2.4), a
    /// client with one certificate sends it anyway, and rustls encodes the
    /// list with a 16-bit length it must not exceed.
    pub(crate) fn hint_subjects(&self) -> &Arc<[DistinguishedName]> {
        self.hint_subjects.get_or_init(|| {
            let mut seen = HashSet::new();
            let subjects: Vec<DistinguishedName> = self
                .configured_certificates
                .iter()
                .chain(&self.exact)
                .filter_map(|cert| {
                    let anchor = webpki::anchor_from_trusted_cert(cert.as_rustls()).ok()?;
                    Some(DistinguishedName::in_sequence(&anchor.subject))
                })
                .filter(|subject| seen.insert(subject.as_ref().to_vec()))
                .collect();
            let encoded: usize = subjects.iter().map(|s| 2 + s.as_ref().len()).sum();
            if encoded > MAX_HINTS_LEN {
                log::warn!(
                    "sslconf: sending clients no CA hints: the subjects of {} CA \
                     certificates take {encoded} bytes, more than a CertificateRequest holds",
                    subjects.len()
                );
                return Arc::from([]);
            }
            subjects.into()
        })
    }

    /// Every anchor for webpki: the system store's (loaded now if not yet),
    /// then the configured CA certificates.
    pub(crate) fn webpki_anchors(&self) -> &[TrustAnchor<'static>] {
        self.all.get_or_init(|| {
            let system: &'static [TrustAnchor<'static>] = if self.system {
                roots::system_trust_anchors()
            } else {
                &[]
            };
            if self.configured.is_empty() {
                Cow::Borrowed(system)
            } else {
                Cow::Owned([system, &self.configured].concat())
            }
        })
    }

    /// What these anchors trust, for [`ChainVerifier::describe`]: whether the
    /// system store is trusted, and the configured certificates, sorted.
    ///
    /// [`ChainVerifier::describe`]: super::ChainVerifier::describe
    pub(crate) fn describe(&self, parts: &mut Vec<Vec<u8>>) {
        parts.push(vec![u8::from(self.system)]);
        let mut configured: Vec<&[u8]> = self
            .configured_certificates
            .iter()
            .map(Certificate::as_der)
            .collect();
        configured.sort_unstable();
        let mut exact: Vec<&[u8]> = self.exact.iter().map(Certificate::as_der).collect();
        exact.sort_unstable();
        parts.push((configured.len() as u64).to_be_bytes().to_vec());
        parts.extend(configured.into_iter().map(<[u8]>::to_vec));
        parts.push((exact.len() as u64).to_be_bytes().to_vec());
        parts.extend(exact.into_iter().map(<[u8]>::to_vec));
    }

    /// The configured certificates trusted as exactly themselves.
    pub(crate) fn exact(&self) -> &[Certificate] {
        &self.exact
    }

    /// Whether there is anything to verify against (loads the system store
    /// if it is trusted, without putting the anchors together).
    pub(crate) fn is_empty(&self) -> bool {
        self.exact.is_empty()
            && self.configured.is_empty()
            && (!self.system || roots::system_trust_anchors().is_empty())
    }

    /// Whether a certificate is one of the trust anchors (same subject and key).
    pub(crate) fn contains(&self, cert: &Certificate) -> bool {
        self.exact.contains(cert)
            || webpki::anchor_from_trusted_cert(cert.as_rustls()).is_ok_and(|anchor| {
                self.webpki_anchors().iter().any(|a| {
                    a.subject == anchor.subject
                        && a.subject_public_key_info == anchor.subject_public_key_info
                })
            })
    }

    /// Every trusted certificate: the system store's (when trusted), the
    /// configured CA certificates, then the exact pins.
    pub(crate) fn certificates(&self) -> impl Iterator<Item = &Certificate> {
        let system: &[Certificate] = if self.system {
            roots::system_certificates()
        } else {
            &[]
        };
        system
            .iter()
            .chain(&self.configured_certificates)
            .chain(&self.exact)
    }

    /// The configured certificate that is no CA which issued `cert`, as
    /// OpenSSL matches issuers (name and key identifier), if any: trusting it
    /// does not let it issue. A self-signed certificate is its own issuer.
    pub(crate) fn exact_issuer_of(&self, cert: &Certificate) -> Option<&Certificate> {
        if cert.is_self_signed() {
            return None;
        }
        self.exact
            .iter()
            .find(|pinned| cert.may_be_issued_by(pinned))
    }
}

/// Whether a certificate may issue others, as OpenSSL decides it: version 3
/// certificates by their basicConstraints, older ones when self-signed.
fn can_issue(cert: &Certificate) -> bool {
    if cert.version() >= 3 {
        cert.is_ca()
    } else {
        cert.is_self_signed()
    }
}

fn trust_anchor(cert: &Certificate) -> Result<TrustAnchor<'_>, Error> {
    webpki::anchor_from_trusted_cert(cert.as_rustls()).map_err(|e| Error::InvalidCaCertificate {
        subject: cert.subject_display_name(),
        source: InvalidInput::caused("webpki cannot read it as a trust anchor", e),
    })
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
        let anchors = TrustAnchors::new(&CaCertificates {
            system: false,
            certificates: vec![ca.clone(), ca.clone()],
            files: None,
        })
        .unwrap();
        let hints = anchors.hint_subjects();
        // Once, however often the bundle holds it.
        assert_eq!(hints.len(), 1);
        // Exactly the certificate's subject Name, SEQUENCE header included.
        assert_eq!(hints[0].as_ref(), ca.subject_name_der().unwrap());
        assert_eq!(hints[0].as_ref()[0], 0x30);
    }
}
