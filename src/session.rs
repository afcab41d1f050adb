//! `SessionState`: what a live connection negotiated, read-only.

use std::sync::{Arc, OnceLock};

use rustls::pki_types::UnixTime;
use rustls::{CommonState, HandshakeKind, ServerConnection};

use crate::verify::{ChainVerifier, Usage};
use crate::{Certificate, Cipher, KeyExchangeGroup, SslError, SslProtocol};

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
    local_chain: Vec<Certificate>,
    ocsp_response: Option<Vec<u8>>,
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
            local_chain: Vec::new(),
            ocsp_response: None,
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
    #[doc(alias = "isNull")]
    pub fn is_null(&self) -> bool {
        !self.established
    }

    /// The peer's certificate: the first of its chain.
    #[doc(alias = "peerCertificate")]
    pub fn peer_certificate(&self) -> Option<&Certificate> {
        self.peer_chain.first()
    }

    /// The peer's certificate chain, leaf first, as the peer sent it.
    #[doc(alias = "peerCertificateChain")]
    pub fn peer_certificate_chain(&self) -> &[Certificate] {
        &self.peer_chain
    }

    /// The negotiated cipher suite.
    #[doc(alias = "sessionCipher")]
    pub fn session_cipher(&self) -> Option<Cipher> {
        self.cipher
    }

    /// The negotiated protocol version: `TlsV1_2`, `TlsV1_3`, or
    /// `UnknownProtocol` before the handshake.
    #[doc(alias = "sessionProtocol")]
    pub fn session_protocol(&self) -> SslProtocol {
        self.protocol.unwrap_or(SslProtocol::UnknownProtocol)
    }

    /// The protocol agreed by ALPN.
    #[doc(alias = "nextNegotiatedProtocol")]
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

    /// The local certificate chain, leaf first: on a server, the one it
    /// presented to this client (chosen by server name and signature schemes
    /// among several, or read again by a reload); on a client, the one it
    /// has for a server that asks, as its handshake ended (a later reload
    /// does not change it). Filled in by `connect`/`accept`; empty from
    /// [`capture`](Self::capture).
    #[doc(alias = "localCertificateChain")]
    pub fn local_certificate_chain(&self) -> &[Certificate] {
        &self.local_chain
    }

    /// The local certificate: the first of [`local_certificate_chain`](Self::local_certificate_chain).
    #[doc(alias = "localCertificate")]
    pub fn local_certificate(&self) -> Option<&Certificate> {
        self.local_chain.first()
    }

    /// The DER OCSP response the server stapled, on a client whose
    /// configuration keeps it
    /// ([`with_ocsp_stapling_enabled`](crate::SslConfiguration::with_ocsp_stapling_enabled)),
    /// as Qt's `QSslSocket::ocspResponses`. **Not verified**: see that
    /// setter for why. `None` when the server stapled nothing, the session
    /// was resumed, or the state comes from [`capture`](Self::capture).
    #[doc(alias = "ocspResponses")]
    pub fn ocsp_response(&self) -> Option<&[u8]> {
        self.ocsp_response.as_deref()
    }

    /// What verification found wrong with the peer's chain: filled in by
    /// `connect`/`accept` whatever the verify mode, so a `QueryPeer` or
    /// `VerifyNone` connection still tells what was wrong.
    ///
    /// As in a `VerifyPeer` handshake, a chain that verifies is not examined
    /// further: a certificate it does not need is not looked at. A chain
    /// that fails lists, besides what the path check found, each certificate
    /// this crate cannot read as
    /// [`SslErrorKind::InvalidCertificate`](crate::SslErrorKind::InvalidCertificate),
    /// and a client the host-name mismatch.
    ///
    /// On a stream the chain is checked when the state is first asked for,
    /// against the time the handshake ended.
    pub fn peer_verification_errors(&self) -> &[SslError] {
        &self.verification_errors
    }
}

/// A stream's `SessionState`, captured on first use and boxed: a stream that
/// never asks allocates nothing for it.
pub(crate) struct LazySessionState {
    state: OnceLock<Box<SessionState>>,
    /// What only the handshake knew, boxed: nothing for most connections.
    deferred: Option<Box<Deferred>>,
}

/// What a stream's `SessionState` is completed with when first asked for.
struct Deferred {
    /// The check of the peer's chain that the handshake did not make (a
    /// `QueryPeer` or `VerifyNone` peer): a connection whose errors nobody
    /// reads never builds a path.
    check: Option<PendingCheck>,
    /// The chain a server chose for this client, when it chooses.
    local_chain: Option<Vec<Certificate>>,
    /// The OCSP response the server stapled, kept for a client that asks.
    ocsp_response: Option<Vec<u8>>,
}

/// What checking a peer's chain after its handshake needs.
pub(crate) struct PendingCheck {
    verifier: Arc<ChainVerifier>,
    usage: Usage,
    host_name: Option<String>,
    /// The end of the handshake: validity is judged at that time.
    time: UnixTime,
}

impl PendingCheck {
    /// A check of the chain the peer sent, at this moment, for `usage` and,
    /// on a client, against `host_name`.
    pub(crate) fn now(verifier: Arc<ChainVerifier>, usage: Usage, host_name: Option<&str>) -> Self {
        Self {
            verifier,
            usage,
            host_name: host_name.map(str::to_owned),
            time: UnixTime::now(),
        }
    }
}

impl LazySessionState {
    /// After a handshake; `pending` is the check the handshake did not
    /// make, `chosen` the chain a server chose for this client, `staple`
    /// the OCSP response a client kept.
    pub(crate) fn after_handshake(
        conn: &CommonState,
        pending: Option<PendingCheck>,
        chosen: Option<Vec<Certificate>>,
        staple: Option<Vec<u8>>,
    ) -> Self {
        let sent_chain = conn.peer_certificates().is_some_and(|c| !c.is_empty());
        let check = pending.filter(|_| sent_chain);
        let deferred = (check.is_some() || chosen.is_some() || staple.is_some()).then(|| {
            Box::new(Deferred {
                check,
                local_chain: chosen,
                ocsp_response: staple,
            })
        });
        Self {
            state: OnceLock::new(),
            deferred,
        }
    }

    /// The state, captured by `capture` on the first call, with what was
    /// wrong with the peer's chain and the local chain (`configured` unless
    /// the server chose one).
    pub(crate) fn get(
        &self,
        capture: impl FnOnce() -> SessionState,
        configured: &[Certificate],
    ) -> &SessionState {
        self.state.get_or_init(|| {
            let mut state = capture();
            let deferred = self.deferred.as_deref();
            if let Some(check) = deferred.and_then(|d| d.check.as_ref()) {
                state.verification_errors = check.verifier.ssl_errors(
                    &state.peer_chain,
                    check.host_name.as_deref(),
                    check.usage,
                    check.time,
                );
            }
            state.local_chain = match deferred.and_then(|d| d.local_chain.as_ref()) {
                Some(chosen) => chosen.clone(),
                None => configured.to_vec(),
            };
            state.ocsp_response = deferred.and_then(|d| d.ocsp_response.clone());
            Box::new(state)
        })
    }
}
