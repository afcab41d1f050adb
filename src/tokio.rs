//! Async `connect`/`accept` on tokio, through tokio-rustls (feature `tokio`).
//!
//! The blocking and async entry points have one shape, methods of the
//! configuration: [`SslConfiguration::connect`] / [`SslConfiguration::accept`]
//! block, [`SslConfiguration::connect_async`] /
//! [`SslConfiguration::accept_async`] await. A method reads as what it is,
//! "this configuration connects", and needs no import; the free functions
//! [`connect`] and [`accept`] here are the same calls, kept for code that
//! passes them around as functions.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! let config = sslconf::SslConfiguration::default_configuration();
//! let socket = tokio::net::TcpStream::connect("example.com:443").await?;
//! let mut tls = config.connect_async("example.com", socket).await?;
//! println!("{:?}", tls.session_state().session_protocol());
//! tls.write_all(b"GET / HTTP/1.0\r\nHost: example.com\r\n\r\n").await?;
//! let mut page = Vec::new();
//! tls.read_to_end(&mut page).await?;
//! # Ok(())
//! # }
//! ```

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_rustls::rustls::server::Acceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::{LazyConfigAcceptor, TlsAcceptor, TlsConnector};

use crate::host::server_name;
use crate::server::{carrying, Carried};
use crate::session::LazySessionState;
use crate::verify::{capturing, staple_of};
use crate::{Certificate, Error, SessionState, SslConfiguration};

/// A TLS connection over an async socket, after its handshake.
pub struct TlsStream<S> {
    inner: tokio_rustls::TlsStream<S>,
    config: SslConfiguration,
    state: LazySessionState,
}

impl SslConfiguration {
    /// Connects as a client over an async `socket` and completes the
    /// handshake, as [`connect`](Self::connect) does over a blocking one.
    ///
    /// With a [`handshake_timeout`](Self::handshake_timeout), the handshake
    /// ends at it: the runtime needs its timers (see
    /// [`with_handshake_timeout`](Self::with_handshake_timeout)).
    ///
    /// # Errors
    /// As [`connect`](Self::connect).
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    pub async fn connect_async<S>(&self, host_name: &str, socket: S) -> Result<TlsStream<S>, Error>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let connector = TlsConnector::from(self.client_config()?);
        let handshake = connector.connect(server_name(host_name)?, socket);
        within(
            self.handshake_timeout(),
            self.client_handshake(handshake, host_name),
        )
        .await
    }

    /// The client's handshake, keeping the server's OCSP staple if asked to.
    async fn client_handshake<S>(
        &self,
        handshake: tokio_rustls::Connect<S>,
        host_name: &str,
    ) -> Result<TlsStream<S>, Error>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let (stream, staple) = if self.settings().ocsp_stapling {
            // Each poll is a handshake step on one thread: capture in each.
            let mut handshake = std::pin::pin!(handshake);
            let mut staple = None;
            let stream = std::future::poll_fn(|cx| {
                let (poll, seen) = capturing(|| Future::poll(handshake.as_mut(), cx));
                staple = seen.or(staple.take());
                poll
            })
            .await;
            (stream, staple)
        } else {
            (handshake.await, None)
        };
        let stream = tokio_rustls::TlsStream::Client(stream.map_err(Error::from_handshake_io)?);
        let staple = staple_of(stream.get_ref().1, staple);
        TlsStream::new(stream, self, Some(host_name), None, staple)
    }

    /// Accepts a client over an async `socket` and completes the handshake,
    /// as [`accept`](Self::accept) does over a blocking one.
    ///
    /// With a [`handshake_timeout`](Self::handshake_timeout), the handshake
    /// ends at it: the runtime needs its timers (see
    /// [`with_handshake_timeout`](Self::with_handshake_timeout)).
    ///
    /// # Errors
    /// As [`accept`](Self::accept).
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    pub async fn accept_async<S>(&self, socket: S) -> Result<TlsStream<S>, Error>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let config = self.server_config()?;
        within(
            self.handshake_timeout(),
            self.server_handshake(config, socket),
        )
        .await
    }

    /// The server's handshake, with `config` or the identity its resolver
    /// chooses for the client.
    async fn server_handshake<S>(
        &self,
        config: Arc<ServerConfig>,
        socket: S,
    ) -> Result<TlsStream<S>, Error>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        // A ticket sealed for this connection keeps what the one it opened
        // carried (see `server::resumption`): each poll is a handshake step.
        let mut carried = Carried::default();
        let Some(resolver) = self.live_resolver() else {
            let accept = TlsAcceptor::from(config).accept(socket);
            let stream = carrying_each_poll(&mut carried, accept)
                .await
                .map_err(Error::from_handshake_io)?;
            let stream = tokio_rustls::TlsStream::Server(stream);
            return TlsStream::new(stream, self, None, None, None);
        };
        // The server chooses among identities: read the ClientHello first,
        // as the blocking accept does.
        let start = LazyConfigAcceptor::new(Acceptor::default(), socket)
            .await
            .map_err(Error::from_handshake_io)?;
        let (config, chosen) = resolver.for_client(&config, &start.client_hello());
        // rustls opens the client's ticket here, on the ClientHello.
        let accept = carrying(&mut carried, || start.into_stream(config));
        let stream = carrying_each_poll(&mut carried, accept)
            .await
            .map_err(Error::from_handshake_io)?;
        let stream = tokio_rustls::TlsStream::Server(stream);
        TlsStream::new(stream, self, None, chosen, None)
    }
}

/// `future`, each poll of it run inside [`carrying`].
async fn carrying_each_poll<F: Future>(carried: &mut Carried, future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    std::future::poll_fn(|cx| carrying(carried, || Future::poll(future.as_mut(), cx))).await
}

/// `handshake`, ended with [`Error::HandshakeTimeout`] at `timeout` if
/// there is one (dropping it closes the socket).
async fn within<T>(
    timeout: Option<Duration>,
    handshake: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    match timeout {
        Some(timeout) => tokio::time::timeout(timeout, handshake)
            .await
            .unwrap_or(Err(Error::handshake_deadline(timeout))),
        None => handshake.await,
    }
}

/// [`SslConfiguration::connect_async`] as a function.
///
/// # Errors
/// As [`SslConfiguration::connect`].
pub async fn connect<S>(
    config: &SslConfiguration,
    host_name: &str,
    socket: S,
) -> Result<TlsStream<S>, Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    config.connect_async(host_name, socket).await
}

/// [`SslConfiguration::accept_async`] as a function.
///
/// # Errors
/// As [`SslConfiguration::accept`].
pub async fn accept<S>(config: &SslConfiguration, socket: S) -> Result<TlsStream<S>, Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    config.accept_async(socket).await
}

impl<S> TlsStream<S> {
    fn new(
        inner: tokio_rustls::TlsStream<S>,
        config: &SslConfiguration,
        host_name: Option<&str>,
        chosen: Option<Vec<Certificate>>,
        staple: Option<Vec<u8>>,
    ) -> Result<Self, Error> {
        config.recheck_resumed(inner.get_ref().1, host_name)?;
        let state = LazySessionState::after_handshake(
            inner.get_ref().1,
            config.pending_check(host_name),
            chosen.or_else(|| config.local_chain_in_force()),
            staple,
        );
        Ok(Self {
            inner,
            config: config.clone(),
            state,
        })
    }

    /// What the handshake negotiated, and what was wrong with the peer.
    pub fn session_state(&self) -> &SessionState {
        self.state.get(
            || capture(&self.inner),
            &self.config.local_certificate_chain(),
        )
    }

    /// The configuration this connection was made with.
    pub fn ssl_configuration(&self) -> &SslConfiguration {
        &self.config
    }

    /// The underlying socket.
    pub fn get_ref(&self) -> &S {
        self.inner.get_ref().0
    }

    /// The underlying socket. Reading or writing it directly corrupts the TLS stream.
    pub fn get_mut(&mut self) -> &mut S {
        self.inner.get_mut().0
    }

    /// The underlying socket, giving up the TLS session.
    pub fn into_inner(self) -> S {
        match self.inner {
            tokio_rustls::TlsStream::Client(s) => s.into_inner().0,
            tokio_rustls::TlsStream::Server(s) => s.into_inner().0,
        }
    }
}

fn capture<S>(stream: &tokio_rustls::TlsStream<S>) -> SessionState {
    match stream {
        tokio_rustls::TlsStream::Client(s) => SessionState::capture(s.get_ref().1),
        tokio_rustls::TlsStream::Server(s) => SessionState::capture_server(s.get_ref().1),
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for TlsStream<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for TlsStream<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    /// Sends close_notify, then shuts the socket's write half.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

impl<S: std::fmt::Debug> std::fmt::Debug for TlsStream<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsStream")
            .field("socket", self.inner.get_ref().0)
            .field("session_state", self.session_state())
            .finish_non_exhaustive()
    }
}
