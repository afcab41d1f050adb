//! Peer verification: trust anchors, path building within the verify depth,
//! Qt's diagnosis of what is wrong with a chain, and the rustls verifiers
//! each verify mode installs.

mod anchors;
mod chain;
mod client_verifier;
mod diagnose;
mod policy;
mod server_verifier;

pub(crate) use anchors::TrustAnchors;
pub(crate) use chain::ChainVerifier;
pub(crate) use client_verifier::ClientVerifier;
pub(crate) use diagnose::unix_time;
pub(crate) use policy::PeerCheck;
pub(crate) use server_verifier::ServerVerifier;

/// Which end of a connection a certificate authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Usage {
    /// A server's certificate, checked by a client.
    ServerAuth,
    /// A client's certificate, checked by a server.
    ClientAuth,
}
