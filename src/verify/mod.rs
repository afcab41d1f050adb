//! Peer verification: trust anchors, path building within the verify depth,
//! revocation lists and public key pins, Qt's diagnosis of what is wrong
//! with a chain, and the rustls verifiers each verify mode installs.

mod anchors;
mod chain;
mod client_verifier;
mod der;
mod diagnose;
mod links;
mod pins;
mod policy;
mod revocation;
mod server_verifier;
mod signed;
mod staple;
mod trust;
mod verified_servers;

pub(crate) use anchors::TrustAnchors;
pub(crate) use chain::ChainVerifier;
pub(crate) use client_verifier::ClientVerifier;
pub(crate) use diagnose::unix_time;
pub(crate) use diagnose::Failure;
pub(crate) use pins::Pins;
pub(crate) use policy::{admits, PeerCheck};
pub(crate) use revocation::Revocation;
pub(crate) use server_verifier::ServerVerifier;
pub(crate) use staple::{capturing, staple_of};
pub(crate) use trust::{chain_verifier, Peers, Trust};
pub(crate) use verified_servers::VerifiedServers;

/// The algorithms every verifier checks a peer's handshake signature with:
/// the crate's provider's, whatever the mode.
fn signature_algorithms() -> &'static rustls::crypto::WebPkiSupportedAlgorithms {
    &crate::provider::provider().signature_verification_algorithms
}

/// What a certificate is checked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Usage {
    /// A server's certificate, checked by a client.
    ServerAuth,
    /// A client's certificate, checked by a server.
    ClientAuth,
    /// Any purpose its extended key usage allows (`verify_chain_for` only).
    Any,
}

impl From<crate::CertificatePurpose> for Usage {
    fn from(purpose: crate::CertificatePurpose) -> Self {
        match purpose {
            crate::CertificatePurpose::TlsServer => Self::ServerAuth,
            crate::CertificatePurpose::TlsClient => Self::ClientAuth,
            crate::CertificatePurpose::Any => Self::Any,
        }
    }
}
