//! The rustls verifier a client installs to check the server.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use super::{admits, signature_algorithms, Trust, Usage, VerifiedServers};
use crate::error::VerificationFailure;
use crate::SslError;

/// A client's check of the server: under `VerifyPeer` the chain must verify
/// (`chain` is `Some`); under `QueryPeer` and `VerifyNone` any chain is
/// accepted (`None`). In every mode the server proves by its handshake
/// signature that it holds the key of the certificate it sent.
#[derive(Debug)]
pub(crate) struct ServerVerifier {
    chain: Option<Arc<Trust>>,
    /// Errors the server is accepted with (Qt's `ignoreSslErrors`).
    expected: Vec<SslError>,
    /// Whether the server's OCSP staple is handed to a capturing handshake
    /// (see [`super::staple`]).
    keeps_staple: bool,
    /// Where each accepted chain is noted, for a trust that follows files.
    records: Option<Arc<VerifiedServers>>,
}

impl ServerVerifier {
    pub(crate) fn verifying(chain: Arc<Trust>, expected: Vec<SslError>) -> Self {
        Self {
            chain: Some(chain),
            expected,
            keeps_staple: false,
            records: None,
        }
    }

    pub(crate) fn accepting_any() -> Self {
        Self {
            chain: None,
            expected: Vec::new(),
            keeps_staple: false,
            records: None,
        }
    }

    /// This verifier, noting each chain it accepts in `records`.
    pub(crate) fn recording(self, records: Arc<VerifiedServers>) -> Self {
        Self {
            records: Some(records),
            ..self
        }
    }

    /// This verifier, handing the server's OCSP staple to the handshake
    /// that captures it. The staple is not verified.
    pub(crate) fn keeping_staple(self) -> Self {
        Self {
            keeps_staple: true,
            ..self
        }
    }
}

impl ServerCertVerifier for ServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Some(trust) = &self.chain {
            let (version, chain) = trust.current_versioned();
            let verified = chain.verify(
                end_entity,
                intermediates,
                Some(server_name),
                Usage::ServerAuth,
                now,
            );
            match verified {
                Err(failure) if !admits(&self.expected, &failure) => {
                    return Err(VerificationFailure::new(failure.errors).into())
                }
                _ => {}
            }
            if let Some(records) = &self.records {
                let chain: Vec<_> = std::iter::once(end_entity).chain(intermediates).collect();
                records.record(server_name, &chain, version);
            }
        }
        if self.keeps_staple {
            super::staple::record(end_entity.as_ref(), ocsp_response);
        }
        Ok(ServerCertVerified::assertion())
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
