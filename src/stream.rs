//! Blocking connections: `connect`, `accept` and the stream they return.

use std::io::{self, Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::server::Acceptor;
use rustls::sign::CertifiedKey;
use rustls::{ClientConnection, Connection, ServerConnection};

use crate::client::presenting;
use crate::host::server_name;
use crate::server::{carrying, chain_of, noting_choice, Carried};
use crate::session::LazySessionState;
use crate::verify::{capturing, staple_of};
use crate::{Certificate, Error, SessionState, SslConfiguration};

/// A TLS connection over a blocking socket, after its handshake.
///
/// Reads and writes plaintext; [`session_state`](Self::session_state) tells
/// what was negotiated. Dropping it does not send close_notify:
/// call [`shutdown`](Self::shutdown) for an orderly close.
///
/// Each `write` call sends at least one TLS record, as `rustls::Stream` does:
/// wrap the stream in a [`std::io::BufWriter`] to send many small writes as
/// few records.
pub struct TlsStream<S> {
    conn: Connection,
    socket: S,
    config: SslConfiguration,
    state: LazySessionState,
    /// For a client whose identity follows files, the key its handshake
    /// presented: told to the session cache in every later read and write,
    /// which keeps no ticket arriving after a reload for an old one.
    presented: Option<Option<Arc<CertifiedKey>>>,
}

impl SslConfiguration {
    /// Connects as a client over `socket` and completes the handshake.
    ///
    /// `host_name` is sent as SNI (unless disabled) and checked against the
    /// server's certificate; an IP address (`"127.0.0.1"`, `"::1"` or
    /// `"[::1]"`) is checked against the certificate's IP addresses.
    ///
    /// ```no_run
    /// use std::io::{Read, Write};
    /// use std::net::TcpStream;
    ///
    /// let config = sslconf::SslConfiguration::default_configuration();
    /// let socket = TcpStream::connect("example.com:443")?;
    /// let mut tls = config.connect("example.com", socket)?;
    /// println!("{:?}", tls.session_state().session_cipher());
    /// tls.write_all(b"GET / HTTP/1.0\r\nHost: example.com\r\n\r\n")?;
    /// let mut page = Vec::new();
    /// tls.read_to_end(&mut page)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// In TLS 1.3 the client finishes its handshake before the server has
    /// checked the client's certificate: a server that refuses it does so with
    /// an alert that the first read returns, as an `io::Error` wrapping the
    /// rustls error (for example `received fatal alert: CertificateRequired`).
    ///
    /// Set socket timeouts, or a server that says nothing holds the call;
    /// [`with_handshake_timeout`](Self::with_handshake_timeout) bounds the
    /// whole handshake, against a server that sends its bytes slowly.
    ///
    /// # Errors
    /// The conversion errors of [`client_config`](Self::client_config);
    /// [`Error::InvalidHostName`]; [`Error::PeerVerification`] (with
    /// [`Error::ssl_errors`]) when the server's certificate does not verify;
    /// [`Error::HandshakeTimeout`] when the socket's timeout or the handshake
    /// timeout ran out; [`Error::Tls`] and [`Error::Io`] for other handshake
    /// failures.
    pub fn connect<S: Read + Write>(
        &self,
        host_name: &str,
        socket: S,
    ) -> Result<TlsStream<S>, Error> {
        let config = self.client_config()?;
        let name = server_name(host_name)?;
        // The ClientHello takes the session it resumes: what it was
        // presented with is told then (see `client::presenting`).
        let mut presented = None;
        let conn = presenting(&mut presented, || ClientConnection::new(config, name))?;
        TlsStream::handshake(
            Connection::Client(conn),
            socket,
            Deadline::start(self.handshake_timeout()),
            self.clone(),
            Side::Client {
                host_name,
                presented,
            },
        )
    }

    /// Accepts a client over `socket` and completes the handshake.
    ///
    /// Set socket timeouts, or a client that says nothing holds the call;
    /// set [`with_handshake_timeout`](Self::with_handshake_timeout) too, or
    /// a client that trickles its ClientHello a few bytes at a time holds
    /// it however short they are.
    ///
    /// # Errors
    /// The conversion errors of [`server_config`](Self::server_config);
    /// [`Error::PeerVerification`] when a required client certificate is
    /// missing or does not verify; [`Error::HandshakeTimeout`] when the
    /// socket's timeout or the handshake timeout ran out; [`Error::Tls`] and
    /// [`Error::Io`] for other handshake failures.
    pub fn accept<S: Read + Write>(&self, mut socket: S) -> Result<TlsStream<S>, Error> {
        let config = self.server_config()?;
        let deadline = Deadline::start(self.handshake_timeout());
        if self.live_resolver().is_none() {
            let conn = ServerConnection::new(config)?;
            return TlsStream::handshake(
                Connection::Server(conn),
                socket,
                deadline,
                self.clone(),
                Side::Server {
                    carried: Carried::default(),
                    chosen: None,
                },
            );
        }
        // The server chooses among identities: read the ClientHello first,
        // so that the session state can tell which chain the resolver chose
        // and a refused name can be named.
        let mut timed = Timed::new(&mut socket, deadline);
        let mut acceptor = Acceptor::default();
        let accepted = loop {
            let read = acceptor.read_tls(&mut timed).map_err(|e| timed.error(e))?;
            if read == 0 {
                return Err(Error::Io(io::ErrorKind::UnexpectedEof.into()));
            }
            match acceptor.accept() {
                Ok(Some(accepted)) => break accepted,
                Ok(None) => continue,
                Err((error, mut alert)) => {
                    let _ = alert.write_all(&mut timed);
                    return Err(error.into());
                }
            }
        };
        // The name asked for, to say so if it is refused.
        let name = accepted.client_hello().server_name().map(str::to_owned);
        // rustls chooses the identity (the resolver, after it settled the
        // version) and opens the client's ticket here, on the ClientHello.
        let mut carried = Carried::default();
        let (conn, chosen) =
            noting_choice(|| carrying(&mut carried, || accepted.into_connection(config)));
        let conn = match conn {
            Ok(conn) => conn,
            Err((error, mut alert)) => {
                let _ = alert.write_all(&mut timed);
                return Err(match chosen {
                    None => Error::refused_server_name(name.as_deref(), error),
                    Some(_) => error.into(),
                });
            }
        };
        let chosen = chosen.map(|key| chain_of(&key));
        TlsStream::handshake(
            Connection::Server(conn),
            socket,
            deadline,
            self.clone(),
            Side::Server { carried, chosen },
        )
    }
}

/// What one side brings to its handshake.
enum Side<'a> {
    /// A client: the name it connects to, and the key its ClientHello was
    /// made presenting (that of the session it resumes).
    Client {
        host_name: &'a str,
        presented: Option<Arc<CertifiedKey>>,
    },
    /// A server: what the tickets it seals carry, and the chain its
    /// resolver chose, when read from the ClientHello.
    Server {
        carried: Carried,
        chosen: Option<Vec<Certificate>>,
    },
}

fn capture(conn: &Connection) -> SessionState {
    match conn {
        Connection::Client(c) => SessionState::capture(c),
        Connection::Server(s) => SessionState::capture_server(s),
    }
}

impl<S: Read + Write> TlsStream<S> {
    fn handshake(
        mut conn: Connection,
        mut socket: S,
        deadline: Option<Deadline>,
        config: SslConfiguration,
        mut side: Side<'_>,
    ) -> Result<Self, Error> {
        let mut staple = None;
        let mut timed = Timed::new(&mut socket, deadline);
        while conn.is_handshaking() {
            match &mut side {
                // A ticket sealed for this connection keeps what the one it
                // opened carried (see `server::resumption`).
                Side::Server { carried, .. } => {
                    carrying(carried, || conn.complete_io(&mut timed))
                        .map_err(|e| timed.error(e))?;
                }
                // The server's staple and the certificate this client
                // presents, as the step hands them over.
                Side::Client { presented, .. } => {
                    let (step, seen) =
                        presenting(presented, || capturing(|| conn.complete_io(&mut timed)));
                    step.map_err(|e| timed.error(e))?;
                    staple = seen.or(staple);
                }
            }
        }
        let (host_name, chosen, presented) = match side {
            Side::Client {
                host_name,
                presented,
            } => (
                Some(host_name),
                presented.as_deref().map(chain_of),
                config.identity_reads_files().then_some(presented),
            ),
            Side::Server { chosen, .. } => (None, chosen, None),
        };
        // The last flight (a TLS 1.3 client's Finished, a server's tickets).
        while conn.wants_write() {
            conn.write_tls(&mut timed).map_err(|e| timed.error(e))?;
        }
        timed.flush().map_err(|e| timed.error(e))?;
        config.recheck_resumed(&conn, host_name)?;
        let state = LazySessionState::after_handshake(
            &conn,
            config.pending_check(host_name),
            chosen.or_else(|| config.local_chain_in_force()),
            staple_of(&conn, staple),
        );
        Ok(Self {
            conn,
            socket,
            config,
            state,
            presented,
        })
    }

    /// Runs `io` on the connection and socket, telling the session cache
    /// which key this client presented when its identity follows files.
    fn io<R>(&mut self, io: impl FnOnce(&mut Connection, &mut S) -> R) -> R {
        let Self {
            conn,
            socket,
            presented,
            ..
        } = self;
        match presented {
            Some(presented) => presenting(presented, || io(conn, socket)),
            None => io(conn, socket),
        }
    }

    /// Sends close_notify to the peer and flushes it. The socket stays open.
    ///
    /// # Errors
    /// I/O errors writing to the socket.
    pub fn shutdown(&mut self) -> io::Result<()> {
        self.io(|conn, socket| {
            conn.send_close_notify();
            while conn.wants_write() {
                conn.write_tls(socket)?;
            }
            socket.flush()
        })
    }
}

/// Finishes I/O left over from an earlier call (as `rustls::Stream` does).
fn complete_prior_io<S: Read + Write>(conn: &mut Connection, socket: &mut S) -> io::Result<()> {
    if conn.is_handshaking() || conn.wants_write() {
        conn.complete_io(socket)?;
    }
    Ok(())
}

impl<S> TlsStream<S> {
    /// What the handshake negotiated, and what was wrong with the peer.
    pub fn session_state(&self) -> &SessionState {
        self.state.get(
            || capture(&self.conn),
            &self.config.local_certificate_chain(),
        )
    }

    /// The configuration this connection was made with.
    pub fn ssl_configuration(&self) -> &SslConfiguration {
        &self.config
    }

    /// The underlying socket.
    pub fn get_ref(&self) -> &S {
        &self.socket
    }

    /// The underlying socket. Reading or writing it directly corrupts the TLS stream.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.socket
    }

    /// The rustls connection, for what this crate does not wrap.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The underlying socket, giving up the TLS session.
    pub fn into_inner(self) -> S {
        self.socket
    }
}

impl<S: Read + Write> Read for TlsStream<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.io(|conn, socket| {
            complete_prior_io(conn, socket)?;
            // One call may read only part of a record; loop until plaintext or EOF.
            while conn.wants_read() {
                if conn.complete_io(socket)?.0 == 0 {
                    break;
                }
            }
            conn.reader().read(buf)
        })
    }
}

impl<S: Read + Write> Write for TlsStream<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.io(|conn, socket| {
            complete_prior_io(conn, socket)?;
            let len = conn.writer().write(buf)?;
            // A write error here surfaces on the next call; `len` bytes are taken.
            let _ = conn.complete_io(socket);
            Ok(len)
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.io(|conn, socket| {
            complete_prior_io(conn, socket)?;
            conn.writer().flush()?;
            if conn.wants_write() {
                conn.complete_io(socket)?;
            }
            socket.flush()
        })
    }
}

/// When a handshake must be done by: its start plus the handshake timeout.
#[derive(Clone, Copy, Debug)]
struct Deadline {
    at: Instant,
    timeout: Duration,
}

impl Deadline {
    /// The deadline of a handshake starting now; `None` without a timeout,
    /// or one too long to count from now (as good as none).
    fn start(timeout: Option<Duration>) -> Option<Self> {
        let timeout = timeout?;
        let at = Instant::now().checked_add(timeout)?;
        Some(Self { at, timeout })
    }
}

/// The socket as a handshake uses it: no read, write or flush begins once
/// the deadline has passed. A call in progress runs to its end (the
/// socket's own timeout bounds it): a generic socket cannot be interrupted,
/// and the checks between calls are what stop a peer that keeps each call
/// short by trickling its bytes.
struct Timed<'a, S> {
    socket: &'a mut S,
    deadline: Option<Deadline>,
    /// Whether a call was refused for the deadline, so that its error is
    /// reported as the deadline's.
    expired: bool,
}

impl<'a, S> Timed<'a, S> {
    fn new(socket: &'a mut S, deadline: Option<Deadline>) -> Self {
        Self {
            socket,
            deadline,
            expired: false,
        }
    }

    fn check(&mut self) -> io::Result<()> {
        if self.deadline.is_some_and(|d| Instant::now() >= d.at) {
            self.expired = true;
            // Not `Interrupted`: rustls retries that.
            return Err(io::ErrorKind::TimedOut.into());
        }
        Ok(())
    }

    /// The handshake's error for `err`, which a call on this socket returned.
    fn error(&self, err: io::Error) -> Error {
        match self.deadline {
            Some(deadline) if self.expired => Error::handshake_deadline(deadline.timeout),
            _ => Error::from_handshake_io(err),
        }
    }
}

impl<S: Read> Read for Timed<'_, S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.check()?;
        self.socket.read(buf)
    }
}

impl<S: Write> Write for Timed<'_, S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.check()?;
        self.socket.write(buf)
    }

    // rustls writes its records vectored: keep the socket's own way.
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        self.check()?;
        self.socket.write_vectored(bufs)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.check()?;
        self.socket.flush()
    }
}

impl<S: std::fmt::Debug> std::fmt::Debug for TlsStream<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsStream")
            .field("socket", &self.socket)
            .field("session_state", self.session_state())
            .finish_non_exhaustive()
    }
}
