//! The rustls verifier a server installs to check clients.

use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};

use super::der::not_after;
use super::{admits, signature_algorithms, Trust, Usage};
use crate::error::VerificationFailure;
use crate::server::note_certificate_valid_until;
use crate::SslError;

/// A server's check of the client, which it asks for a certificate:
/// verified when `chain` is `Some` (a bad one fails the handshake), and then
/// required or optional; accepted whatever it is when `None` (Qt's
/// `QueryPeer`). (A server that does not ask installs no verifier.) In every
/// mode a client that sends a certificate proves by its handshake signature
/// that it holds the key.
#[derive(Debug)]
pub(crate) struct ClientVerifier {
    chain: Option<Arc<Trust>>,
    mandatory: bool,
    hint_subjects: Arc<[DistinguishedName]>,
    /// Errors a client is accepted with (Qt's `ignoreSslErrors`).
    expected: Vec<SslError>,
}

impl ClientVerifier {
    /// Verifies a client's certificate; `mandatory`: refuses a client that sends none.
    pub(crate) fn verifying(
        chain: Arc<Trust>,
        mandatory: bool,
        hint_subjects: Arc<[DistinguishedName]>,
        expected: Vec<SslError>,
    ) -> Self {
        Self {
            chain: Some(chain),
            mandatory,
            hint_subjects,
            expected,
        }
    }

    /// Asks for a certificate, optional, and accepts whatever is sent.
    pub(crate) fn accepting_any(hint_subjects: Arc<[DistinguishedName]>) -> Self {
        Self {
            chain: None,
            mandatory: false,
            hint_subjects,
            expected: Vec::new(),
        }
    }
}

impl ClientCertVerifier for ClientVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
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
        if let Some(trust) = &self.chain {
            let verified = trust.verify(end_entity, intermediates, None, Usage::ClientAuth, now);
            match verified {
                Err(failure) if !admits(&self.expected, &failure) => {
                    return Err(VerificationFailure::new(failure.errors).into())
                }
                _ => {}
            }
        }
        // A session resumed later does not outlive the certificate.
        note_certificate_valid_until(|| not_after(end_entity));
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, signature_algorithms())
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, signature_algorithms())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        signature_algorithms().supported_schemes()
    }
}
