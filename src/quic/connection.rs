//! `connect_quic`/`accept_quic`: from a quinn endpoint to a connection and
//! its `SessionState` in one call, with the handshake timeout and the
//! crate's errors.

use std::fmt;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;

use rustls::AlertDescription;

use super::observe::{observing, Observed, Outcome};
use crate::session::LazySessionState;
use crate::{Error, SessionState, SslConfiguration};

/// A QUIC connection after its handshake, made by
/// [`SslConfiguration::connect_quic`] or [`SslConfiguration::accept_quic`]:
/// quinn's connection, and what its TLS negotiated.
///
/// Open and accept streams on [`connection`](Self::connection) (quinn's
/// `Connection`, a handle: clone it to hand it to h3-quinn or to other
/// tasks); [`session_state`](Self::session_state) tells what TLS over TCP
/// tells.
pub struct QuicConnection {
    connection: quinn::Connection,
    config: SslConfiguration,
    /// What rustls told as the handshake ended.
    captured: SessionState,
    state: LazySessionState,
}

impl SslConfiguration {
    /// Connects to a QUIC server at `address` from `endpoint` (a
    /// `quinn::Endpoint::client`), with this configuration's
    /// [`quic_client_config`](Self::quic_client_config) and quinn's default
    /// transport settings, and completes the handshake.
    ///
    /// `host_name` is sent as SNI (unless disabled) and checked against the
    /// server's certificate, as [`connect`](Self::connect) does; the
    /// configured ALPN protocols are offered (`h3` for HTTP/3).
    ///
    /// With a [`handshake_timeout`](Self::handshake_timeout), the handshake
    /// ends at it; without, quinn's idle timeout (30 s by default) ends a
    /// handshake the server does not answer.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let config = sslconf::SslConfiguration::default_configuration()
    ///     .with_allowed_next_protocols(["h3"]);
    /// let endpoint = quinn::Endpoint::client("[::]:0".parse()?)?;
    /// let address = "[2001:db8::1]:443".parse()?;
    /// let quic = config.connect_quic(&endpoint, address, "example.com").await?;
    /// println!("{:?}", quic.session_state().session_cipher());
    /// let (mut send, mut recv) = quic.connection().open_bi().await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// The conversion errors of
    /// [`quic_client_config`](Self::quic_client_config);
    /// [`Error::InvalidHostName`]; as over TCP, [`Error::PeerVerification`]
    /// (with [`Error::ssl_errors`]) when the server's certificate does not
    /// verify and [`Error::Tls`] for other TLS failures, an alert the server
    /// sent being `rustls::Error::AlertReceived`;
    /// [`Error::HandshakeTimeout`]; [`Error::QuicConnect`] when quinn cannot
    /// start the connection; [`Error::QuicConnection`] when it failed for
    /// another reason than TLS.
    #[cfg_attr(docsrs, doc(cfg(feature = "quic")))]
    pub async fn connect_quic(
        &self,
        endpoint: &quinn::Endpoint,
        address: SocketAddr,
        host_name: &str,
    ) -> Result<QuicConnection, Error> {
        let crypto = self.quic_client_config()?;
        crate::host::server_name(host_name)?;
        let client = quinn::ClientConfig::new(crypto);
        let (connecting, observed) =
            observing(|| endpoint.connect_with(client, address, host_name));
        let connecting = connecting.map_err(|source| Error::QuicConnect {
            reason: "quinn refused to start it",
            source: Some(source),
        })?;
        let connection = self.quic_handshake(connecting, observed.as_deref()).await?;
        QuicConnection::new(connection, self, observed, Some(host_name))
    }

    /// Accepts a QUIC client's `incoming` connection (from
    /// `quinn::Endpoint::accept` on an endpoint serving this configuration's
    /// [`quic_server_config`](Self::quic_server_config)) and completes the
    /// handshake.
    ///
    /// With a [`handshake_timeout`](Self::handshake_timeout), the handshake
    /// ends at it (a client that stops sending in the middle of its
    /// handshake holds no more than that).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// # let config = sslconf::SslConfiguration::new();
    /// use std::sync::Arc;
    ///
    /// let crypto = config.quic_server_config()?;
    /// let server = quinn::ServerConfig::with_crypto(crypto);
    /// let endpoint = quinn::Endpoint::server(server, "[::]:443".parse()?)?;
    /// while let Some(incoming) = endpoint.accept().await {
    ///     let config = config.clone();
    ///     tokio::spawn(async move {
    ///         match config.accept_quic(incoming).await {
    ///             Ok(quic) => println!("{:?}", quic.session_state().peer_certificate()),
    ///             Err(err) => eprintln!("handshake: {err}"),
    ///         }
    ///     });
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// The conversion errors of
    /// [`quic_server_config`](Self::quic_server_config); as over TCP,
    /// [`Error::PeerVerification`] when a required client certificate is
    /// missing or does not verify and [`Error::Tls`] for other TLS
    /// failures; [`Error::HandshakeTimeout`]; [`Error::QuicConnect`] when
    /// the endpoint serves another configuration; [`Error::QuicConnection`]
    /// when the connection failed for another reason than TLS.
    #[cfg_attr(docsrs, doc(cfg(feature = "quic")))]
    pub async fn accept_quic(&self, incoming: quinn::Incoming) -> Result<QuicConnection, Error> {
        let crypto = self.quic_server_config()?;
        let (connecting, observed) = observing(|| incoming.accept());
        // quinn runs a ClientHello that fits its first packet inside
        // accept(): a refusal there is told as any other.
        let connecting = match connecting {
            Ok(connecting) => connecting,
            Err(error) => return Err(failure(error, observed.as_deref())),
        };
        let observed = observed
            .filter(|o| o.started_with(crypto.rustls_config()))
            .ok_or(Error::QuicConnect {
                reason: "the endpoint does not serve this configuration's quic_server_config",
                source: None,
            })?;
        let connection = self.quic_handshake(connecting, Some(&observed)).await?;
        QuicConnection::new(connection, self, Some(observed), None)
    }

    /// Awaits the handshake of `connecting`, within the handshake timeout;
    /// a failure as the crate's error (see [`failure`]).
    async fn quic_handshake(
        &self,
        connecting: quinn::Connecting,
        observed: Option<&Observed>,
    ) -> Result<quinn::Connection, Error> {
        let handshake = connecting.into_future();
        let result = match self.handshake_timeout() {
            Some(timeout) => tokio::time::timeout(timeout, handshake)
                .await
                .map_err(|_| Error::handshake_deadline(timeout))?,
            None => handshake.await,
        };
        result.map_err(|error| failure(error, observed))
    }
}

/// A failed handshake as the crate's error: the TLS error that ended it
/// here, as over TCP ([`Error::PeerVerification`] for this crate's
/// verifiers' verdicts); an alert the peer sent, as rustls reports a
/// received one; else quinn's error.
fn failure(error: quinn::ConnectionError, observed: Option<&Observed>) -> Error {
    if let Some(tls) = observed.and_then(Observed::failure) {
        // No identity for the name the client asked for, as over TCP.
        if let Some(name) = observed.and_then(Observed::refused_name) {
            return Error::refused_server_name(name.as_deref(), tls.clone());
        }
        return Error::from(tls.clone());
    }
    if let quinn::ConnectionError::ConnectionClosed(close) = &error {
        // A TLS alert travels as a QUIC crypto error, 0x100 + the alert.
        let code = u64::from(close.error_code);
        if let Some(alert) = code.checked_sub(0x100).filter(|a| *a < 0x100) {
            return Error::Tls(rustls::Error::AlertReceived(AlertDescription::from(
                alert as u8,
            )));
        }
    }
    Error::QuicConnection { source: error }
}

impl QuicConnection {
    /// The connection `connection` whose handshake `observed` saw end, of
    /// `config`; `host_name` is `Some` exactly on the client side.
    fn new(
        connection: quinn::Connection,
        config: &SslConfiguration,
        observed: Option<Arc<Observed>>,
        host_name: Option<&str>,
    ) -> Result<Self, Error> {
        let Some(Outcome::Finished(finished)) = observed.and_then(Observed::take) else {
            return Err(Error::QuicConnect {
                reason: "the handshake ended without telling how",
                source: None,
            });
        };
        let state = &finished.state;
        if state.is_resumed() {
            let chain: Vec<_> = state
                .peer_certificate_chain()
                .iter()
                .map(|c| c.as_rustls().clone())
                .collect();
            if let Err(error) = config.recheck_resumed_chain(true, Some(&chain), host_name) {
                connection.close(0u32.into(), b"peer verification failed");
                return Err(error);
            }
        }
        let state = LazySessionState::after(
            finished.sent_chain,
            config.pending_check(host_name),
            finished.chosen.or_else(|| config.local_chain_in_force()),
            finished.staple,
        );
        Ok(Self {
            connection,
            config: config.clone(),
            captured: finished.state,
            state,
        })
    }

    /// What the handshake negotiated, and what was wrong with the peer:
    /// as over TCP, with [`SslProtocol::TlsV1_3`](crate::SslProtocol::TlsV1_3)
    /// always (QUIC runs nothing else).
    pub fn session_state(&self) -> &SessionState {
        self.state.get(
            || self.captured.clone(),
            &self.config.local_certificate_chain(),
        )
    }

    /// quinn's connection: streams, datagrams, closing it.
    pub fn connection(&self) -> &quinn::Connection {
        &self.connection
    }

    /// quinn's connection, giving up the session state.
    pub fn into_connection(self) -> quinn::Connection {
        self.connection
    }

    /// The configuration this connection was made with.
    pub fn ssl_configuration(&self) -> &SslConfiguration {
        &self.config
    }
}

impl fmt::Debug for QuicConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QuicConnection")
            .field("remote_address", &self.connection.remote_address())
            .field("session_state", self.session_state())
            .finish_non_exhaustive()
    }
}
