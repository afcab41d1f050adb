//! `SessionState`: what a live connection negotiated, read-only.

use std::sync::OnceLock;

use rustls::{CommonState, HandshakeKind, ServerConnection};

use crate::{
    Certificate, Cipher, KeyExchangeGroup, PeerVerifyMode, SslConfiguration, SslError, SslProtocol,
};

/// The state of one live TLS connection, as Qt's `QSslSocket` reports it:
/// the peer's certificates, the negotiated parameters, and what verification
/// found wrong with the peer.
///
/// ```
/// use sslconf::{SessionState, SslProtocol};
///
/// let config = sslconf::SslConfiguration::new().client_config()?;
/// let conn = rustls::ClientConnection::new(config, "example.com".try_into().unwrap())?;
/// let state = SessionState::capture(&conn);
/// assert!(state.is_null()); // no handshake yet
/// assert_eq!(state.session_protocol(), SslProtocol::UnknownProtocol);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SessionState {
    established: bool,
    peer_chain: Vec<Certificate>,
    cipher: Option<Cipher>,
    protocol: Option<SslProtocol>,
    alpn: Option<Vec<u8>>,
    group: Option<KeyExchangeGroup>,
    resumed: bool,
    server_name: Option<String>,
    verification_errors: Vec<SslError>,
}

impl SessionState {
    /// Reads the state of a connection (client or server: both deref to
    /// `CommonState`). The SNI name a server received needs the server
    /// connection: see [`capture_server`](Self::capture_server). Peer
    /// verification errors are filled in by `connect`/`accept`.
    ///
    /// The peer's certificates are parsed when their fields are first asked
    /// for; one that this crate cannot parse reports empty fields.
    pub fn capture(conn: &CommonState) -> SessionState {
        SessionState {
            established: !conn.is_handshaking(),
            peer_chain: conn
                .peer_certificates()
                .unwrap_or_default()
                .iter()
                .map(|der| Certificate::lazily_parsed(der.clone()))
                .collect(),
            cipher: conn
                .negotiated_cipher_suite()
                .and_then(|s| Cipher::from_suite(s.suite())),
            protocol: conn.protocol_version().map(SslProtocol::from_rustls),
            alpn: conn.alpn_protocol().map(<[u8]>::to_vec),
            group: conn
                .negotiated_key_exchange_group()
                .map(|g| KeyExchangeGroup::from_named_group(g.name())),
            resumed: conn.handshake_kind() == Some(HandshakeKind::Resumed),
            server_name: None,
            verification_errors: Vec::new(),
        }
    }

    /// Reads the state of a server connection, including the SNI name it received.
    pub fn capture_server(conn: &ServerConnection) -> SessionState {
        SessionState {
            server_name: conn.server_name().map(str::to_owned),
            ..Self::capture(conn)
        }
    }

    /// Whether no handshake has completed yet.
    pub fn is_null(&self) -> bool {
        !self.established
    }

    /// The peer's certificate: the first of its chain.
    pub fn peer_certificate(&self) -> Option<&Certificate> {
        self.peer_chain.first()
    }

    /// The peer's certificate chain, leaf first, as the peer sent it.
    pub fn peer_certificate_chain(&self) -> &[Certificate] {
        &self.peer_chain
    }

    /// The negotiated cipher suite.
    pub fn session_cipher(&self) -> Option<Cipher> {
        self.cipher
    }

    /// The negotiated protocol version: `TlsV1_2`, `TlsV1_3`, or
    /// `UnknownProtocol` before the handshake.
    pub fn session_protocol(&self) -> SslProtocol {
        self.protocol.unwrap_or(SslProtocol::UnknownProtocol)
    }

    /// The protocol agreed by ALPN.
    pub fn next_negotiated_protocol(&self) -> Option<&[u8]> {
        self.alpn.as_deref()
    }

    /// The key-exchange group. For a resumed TLS 1.2 session, which does no
    /// key exchange, `None`.
    pub fn key_exchange_group(&self) -> Option<KeyExchangeGroup> {
        self.group
    }

    /// Whether the session was resumed rather than fully negotiated.
    pub fn is_resumed(&self) -> bool {
        self.resumed
    }

    /// The SNI name the client sent, on the server side.
    pub fn server_name(&self) -> Option<&str> {
        self.server_name.as_deref()
    }

    /// What verification found wrong with the peer's chain: filled in by
    /// `connect`/`accept` whatever the verify mode, so a `QueryPeer` or
    /// `VerifyNone` connection still tells what was wrong.
    ///
    /// As in a `VerifyPeer` handshake, a chain that verifies is not examined
    /// further: a certificate it does not need is not looked at. When a chain
    /// that fails holds a certificate this crate cannot read, that
    /// certificate, as [`SslErrorKind::InvalidCertificate`](crate::SslErrorKind::InvalidCertificate),
    /// is the one error reported: what else webpki found cannot be told
    /// apart from it.
    pub fn peer_verification_errors(&self) -> &[SslError] {
        &self.verification_errors
    }
}

/// A stream's `SessionState`, captured on first use and boxed: a stream that
/// never asks carries 16 bytes (a pointer and its `Once`) and allocates
/// nothing for it.
pub(crate) struct LazySessionState(OnceLock<Box<SessionState>>);

impl LazySessionState {
    /// After a handshake: what was wrong with the peer is worked out now (the
    /// time that counts for validity). When something was, the state is
    /// captured at once to keep it; otherwise it waits for [`get`](Self::get).
    pub(crate) fn after_handshake(
        config: &SslConfiguration,
        conn: &CommonState,
        host_name: Option<&str>,
        capture: impl FnOnce() -> SessionState,
    ) -> Self {
        let state = OnceLock::new();
        let errors = peer_verification_errors(config, conn, host_name);
        if !errors.is_empty() {
            let _ = state.set(Box::new(SessionState {
                verification_errors: errors,
                ..capture()
            }));
        }
        Self(state)
    }

    /// The state, captured by `capture` on the first call.
    pub(crate) fn get(&self, capture: impl FnOnce() -> SessionState) -> &SessionState {
        self.0.get_or_init(|| Box::new(capture()))
    }
}

/// What verification of the peer's chain found, as `connect` and `accept`
/// record it: nothing after a `VerifyPeer` handshake (which succeeded only
/// because the chain verified) or when the peer sent no certificate;
/// otherwise what [`SslConfiguration::verify_chain`] reports, the host name
/// included for a client (`host_name` is `Some` exactly on the client side).
fn peer_verification_errors(
    config: &SslConfiguration,
    conn: &CommonState,
    host_name: Option<&str>,
) -> Vec<SslError> {
    let mode = config.peer_verify_mode();
    let verified_in_handshake = match host_name {
        Some(_) => mode.for_client() == PeerVerifyMode::VerifyPeer,
        None => mode.for_server() == PeerVerifyMode::VerifyPeer,
    };
    let ders = conn.peer_certificates().unwrap_or_default();
    if verified_in_handshake || ders.is_empty() {
        return Vec::new();
    }
    // Parsed only if verification fails and its report needs the fields.
    let chain: Vec<Certificate> = ders
        .iter()
        .map(|der| Certificate::lazily_parsed(der.clone()))
        .collect();
    let errors = match host_name {
        Some(host) => config.verify_chain(&chain, Some(host)),
        None => config.verify_client_chain(&chain),
    };
    if errors.is_empty() {
        return errors;
    }
    // A certificate this crate cannot read would be reported with empty
    // fields (and as expired), and webpki's errors may stem from it while
    // naming another: name it alone, as invalid.
    match chain.iter().find(|cert| !cert.is_readable()) {
        Some(unreadable) => vec![SslError::new(
            crate::SslErrorKind::InvalidCertificate,
            Some(unreadable.clone()),
        )],
        None => errors,
    }
}
