//! Async `connect`/`accept` on tokio, through tokio-rustls (feature `tokio`).
//!
//! The blocking and async entry points have one shape, methods of the
//! configuration: [`SslConfiguration::connect`] / [`SslConfiguration::accept`]
//! block, [`SslConfiguration::connect_async`] /
//! [`SslConfiguration::accept_async`] await. A method reads as what it is,
//! "this configuration connects", and needs no import. This module holds
//! the stream they return.
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
use tokio_rustls::rustls::sign::CertifiedKey;
use tokio_rustls::{LazyConfigAcceptor, TlsAcceptor, TlsConnector};

use crate::client::presenting;
use crate::host::server_name;
use crate::server::{carrying, chain_of, noting_choice, Carried};
use crate::session::LazySessionState;
use crate::verify::{capturing, staple_of};
use crate::{Certificate, Error, SessionState, SslConfiguration};

/// A TLS connection over an async socket, after its handshake.
pub struct TlsStream<S> {
    inner: tokio_rustls::TlsStream<S>,
    config: SslConfiguration,
    state: LazySessionState,
    /// For a client whose identity follows files, the key its handshake
    /// presented: told to the session cache in every later poll, which
    /// keeps no ticket arriving after a reload for an old one.
    presented: Option<Option<Arc<CertifiedKey>>>,
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
        let name = server_name(host_name)?;
        // The ClientHello, made here, takes the session it resumes: what it
        // was presented with is told then (see `client::presenting`).
        let mut presented = None;
        let mut connect = presenting(&mut presented, || connector.connect(name, socket));
        let mut deadline = Deadline::of(self.handshake_timeout());
        // Each poll is a handshake step on one thread: the server's staple
        // and the certificate this client presents are taken in each.
        let mut staple = None;
        let handshake = std::future::poll_fn(|cx| {
            let (poll, seen) = presenting(&mut presented, || {
                capturing(|| Pin::new(&mut connect).poll(cx))
            });
            staple = seen.or(staple.take());
            poll
        });
        let stream = within(&mut deadline, handshake).await?;
        let stream = tokio_rustls::TlsStream::Client(stream);
        let staple = staple_of(stream.get_ref().1, staple);
        let chain = presented.as_deref().map(chain_of);
        let mut stream = TlsStream::new(stream, self, Some(host_name), chain, staple)?;
        if self.identity_reads_files() {
            stream.presented = Some(presented);
        }
        Ok(stream)
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
        let mut deadline = Deadline::of(self.handshake_timeout());
        // A ticket sealed for this connection keeps what the one it opened
        // carried (see `server::resumption`): each poll is a handshake step.
        let mut carried = Carried::default();
        if self.live_resolver().is_none() {
            let accept = TlsAcceptor::from(config).accept(socket);
            let stream = within(&mut deadline, carrying_each_poll(&mut carried, accept)).await?;
            let stream = tokio_rustls::TlsStream::Server(stream);
            return TlsStream::new(stream, self, None, None, None);
        }
        // The server chooses among identities: read the ClientHello first,
        // as the blocking accept does.
        let start = LazyConfigAcceptor::new(Acceptor::default(), socket);
        let start = within(&mut deadline, start).await?;
        let name = start.client_hello().server_name().map(str::to_owned);
        // rustls chooses the identity and opens the client's ticket here, on
        // the ClientHello.
        let (accept, chosen) =
            noting_choice(|| carrying(&mut carried, || start.into_stream(config)));
        let stream = within(&mut deadline, carrying_each_poll(&mut carried, accept))
            .await
            .map_err(|error| match (&chosen, error) {
                (None, Error::Tls(tls)) => Error::refused_server_name(name.as_deref(), tls),
                (_, error) => error,
            })?;
        let stream = tokio_rustls::TlsStream::Server(stream);
        let chosen = chosen.map(|key| chain_of(&key));
        TlsStream::new(stream, self, None, chosen, None)
    }
}

/// `future`, each poll of it run inside [`carrying`].
fn carrying_each_poll<'c, F: Future + Unpin + 'c>(
    carried: &'c mut Carried,
    mut future: F,
) -> impl Future<Output = F::Output> + Unpin + 'c {
    std::future::poll_fn(move |cx| carrying(carried, || Pin::new(&mut future).poll(cx)))
}

/// When a handshake ends, if it has a timeout: one timer for all its steps.
struct Deadline {
    timeout: Duration,
    timer: Pin<Box<tokio::time::Sleep>>,
}

impl Deadline {
    /// The deadline `timeout` from now, if there is one.
    fn of(timeout: Option<Duration>) -> Option<Self> {
        timeout.map(|timeout| Self {
            timeout,
            timer: Box::pin(tokio::time::sleep(timeout)),
        })
    }
}

/// `step` of a handshake, ended with [`Error::HandshakeTimeout`] at the
/// `deadline` if there is one (dropping it closes the socket); an I/O error
/// is turned back into the error it carries.
///
/// A future of its own rather than an `async fn` taking `step`: the
/// handshake's state, a kilobyte and more, is then held once, not once as
/// the argument and again as what is awaited.
fn within<'d, T, F>(deadline: &'d mut Option<Deadline>, step: F) -> Within<'d, F>
where
    F: Future<Output = io::Result<T>> + Unpin,
{
    Within {
        step,
        deadline: deadline.as_mut(),
    }
}

/// The future of [`within`].
struct Within<'d, F> {
    step: F,
    deadline: Option<&'d mut Deadline>,
}

impl<T, F> Future for Within<'_, F>
where
    F: Future<Output = io::Result<T>> + Unpin,
{
    type Output = Result<T, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if let Poll::Ready(result) = Pin::new(&mut this.step).poll(cx) {
            return Poll::Ready(result.map_err(Error::from_handshake_io));
        }
        if let Some(deadline) = &mut this.deadline {
            if deadline.timer.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Err(Error::handshake_deadline(deadline.timeout)));
            }
        }
        Poll::Pending
    }
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
            presented: None,
        })
    }

    /// Runs `io` on the inner stream, telling the session cache which key
    /// this client presented when its identity follows files.
    fn io<R>(&mut self, io: impl FnOnce(Pin<&mut tokio_rustls::TlsStream<S>>) -> R) -> R
    where
        S: Unpin,
    {
        let Self {
            inner, presented, ..
        } = self;
        match presented {
            Some(presented) => presenting(presented, || io(Pin::new(inner))),
            None => io(Pin::new(inner)),
        }
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
        self.get_mut().io(|inner| inner.poll_read(cx, buf))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for TlsStream<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().io(|inner| inner.poll_write(cx, buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().io(|inner| inner.poll_flush(cx))
    }

    /// Sends close_notify, then shuts the socket's write half.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().io(|inner| inner.poll_shutdown(cx))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .io(|inner| inner.poll_write_vectored(cx, bufs))
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
