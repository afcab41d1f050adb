//! The accept loop of `examples/tokio_server.rs`, shared with
//! `tests/async_load.rs` (both include it with `#[path]`, beside
//! `support/mod.rs` as `crate::support`).
//!
//! Each accepted socket gets its own task: the handshake runs under one
//! deadline for the whole handshake (`tokio::time::timeout`), then the
//! request head and the answer under another, so a slow, stalled or failing
//! client never holds the accept loop or another client. The answer is the
//! blocking `examples/server`'s: a tiny HTTP/1.1 response whose body is the
//! connection's session state.
#![allow(dead_code)] // the test uses part of it

use std::io;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sslconf::{SessionState, SslConfiguration};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use crate::support::{self, Side};

/// The longest request head read before answering.
const MAX_HEAD: usize = 16 * 1024;

/// How the server runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// The deadline of a whole handshake, from accept to its end.
    pub handshake_timeout: Duration,
    /// The deadline for reading the request head, then for writing the answer.
    pub idle_timeout: Duration,
    /// Stop accepting after this many connections, then wait for them to end.
    pub max_connections: Option<u64>,
    /// Log failures only, not a line for each connection served.
    pub quiet: bool,
    /// Accept with tokio-rustls's `TlsAcceptor` on `server_config()` instead
    /// of `accept_async` (for comparing the two; same answer).
    pub raw_rustls: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            handshake_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: None,
            quiet: false,
            raw_rustls: false,
        }
    }
}

/// What the server did, readable while it runs.
#[derive(Debug, Default)]
pub struct Counters {
    /// Connection tasks alive now (a guard in each task counts it).
    pub live: AtomicUsize,
    /// Sockets accepted.
    pub accepted: AtomicU64,
    /// Connections answered.
    pub served: AtomicU64,
    /// Handshakes that failed (garbage, a client that closed, ...).
    pub handshake_failed: AtomicU64,
    /// Handshakes dropped at their deadline.
    pub handshake_timed_out: AtomicU64,
    /// Connections that failed after their handshake (no request in time,
    /// a reset while answering).
    pub answer_failed: AtomicU64,
}

impl Counters {
    /// `accepted served handshake_failed handshake_timed_out answer_failed live`, for logs.
    pub fn summary(&self) -> String {
        format!(
            "accepted {}, served {}, handshakes failed {}, handshakes timed out {}, \
             answers failed {}, live {}",
            self.accepted.load(Ordering::Relaxed),
            self.served.load(Ordering::Relaxed),
            self.handshake_failed.load(Ordering::Relaxed),
            self.handshake_timed_out.load(Ordering::Relaxed),
            self.answer_failed.load(Ordering::Relaxed),
            self.live.load(Ordering::Relaxed),
        )
    }
}

/// Counts a connection task as live until dropped, whichever way the task ends
/// (returned, panicked, cancelled).
struct LiveGuard(Arc<Counters>);

impl LiveGuard {
    fn new(counters: &Arc<Counters>) -> Self {
        counters.live.fetch_add(1, Ordering::Relaxed);
        LiveGuard(counters.clone())
    }
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Accepts on `listener` until `options.max_connections` sockets were
/// accepted (forever without it), each served in its own task; then waits
/// for those tasks to end. `config` must convert (check `server_config()`
/// first): a conversion error fails each handshake.
pub async fn serve(
    config: SslConfiguration,
    listener: TcpListener,
    options: Options,
    counters: Arc<Counters>,
) {
    let options = Arc::new(options);
    let mut tasks = JoinSet::new();
    let mut accepted = 0u64;
    while options.max_connections.is_none_or(|max| accepted < max) {
        let socket = match listener.accept().await {
            Ok((socket, _)) => socket,
            Err(err) => {
                // Out of descriptors, a connection reset while queued, ...: keep serving.
                eprintln!("accept failed: {err}");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        accepted += 1;
        counters.accepted.fetch_add(1, Ordering::Relaxed);
        let guard = LiveGuard::new(&counters);
        let (config, options) = (config.clone(), options.clone());
        tasks.spawn(async move {
            connection(&config, socket, &options, &guard.0).await;
            drop(guard);
        });
        // Reap finished tasks, so the set holds live ones only.
        while let Some(done) = tasks.try_join_next() {
            log_panic(done);
        }
    }
    drop(listener);
    while let Some(done) = tasks.join_next().await {
        log_panic(done);
    }
}

fn log_panic(done: Result<(), tokio::task::JoinError>) {
    if let Err(err) = done {
        eprintln!("connection task failed: {err}");
    }
}

/// One connection: the handshake under its deadline, then the answer.
async fn connection(
    config: &SslConfiguration,
    socket: TcpStream,
    options: &Options,
    counters: &Counters,
) {
    let peer = socket
        .peer_addr()
        .map_or_else(|_| "?".to_owned(), |a| a.to_string());
    let handshake = async {
        if options.raw_rustls {
            let acceptor = tokio_rustls::TlsAcceptor::from(config.server_config()?);
            let tls = acceptor
                .accept(socket)
                .await
                .map_err(|e| Box::new(e) as support::BoxError)?;
            let state = SessionState::capture_server(tls.get_ref().1);
            Ok::<_, support::BoxError>(Answering::Raw(Box::new(tls), state))
        } else {
            let tls = config.accept_async(socket).await?;
            Ok(Answering::Sslconf(Box::new(tls)))
        }
    };
    let tls = match tokio::time::timeout(options.handshake_timeout, handshake).await {
        Ok(Ok(tls)) => tls,
        Ok(Err(err)) => {
            counters.handshake_failed.fetch_add(1, Ordering::Relaxed);
            support::report(&format!("{peer}: handshake failed"), &*err);
            return;
        }
        Err(_) => {
            counters.handshake_timed_out.fetch_add(1, Ordering::Relaxed);
            eprintln!(
                "{peer}: handshake failed: not done in {} ms",
                options.handshake_timeout.as_millis()
            );
            return;
        }
    };
    let result = match tls {
        Answering::Sslconf(mut tls) => {
            let state = tls.session_state().clone();
            answer(&mut *tls, &state, options.idle_timeout)
                .await
                .map(|line| (line, state))
        }
        Answering::Raw(mut tls, state) => answer(&mut *tls, &state, options.idle_timeout)
            .await
            .map(|line| (line, state)),
    };
    match result {
        Ok((request_line, state)) => {
            counters.served.fetch_add(1, Ordering::Relaxed);
            if !options.quiet {
                eprintln!("{}", support::served_line(&peer, &state, &request_line));
            }
        }
        Err(err) => {
            counters.answer_failed.fetch_add(1, Ordering::Relaxed);
            eprintln!("{peer}: {err}");
        }
    }
}

/// A finished handshake, from either acceptor.
enum Answering {
    Sslconf(Box<sslconf::tokio::TlsStream<TcpStream>>),
    Raw(
        Box<tokio_rustls::server::TlsStream<TcpStream>>,
        SessionState,
    ),
}

/// Reads the request head (up to a blank line, EOF or [`MAX_HEAD`] bytes)
/// under `idle`, whatever it asks for, and answers with the session state,
/// under `idle` again. Returns the request line.
async fn answer<S>(tls: &mut S, state: &SessionState, idle: Duration) -> Result<String, String>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    let read_head = async {
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
            match tls.read(&mut buf).await {
                Ok(0) => break,
                Ok(n) => head.extend_from_slice(&buf[..n]),
                // The client closed without close_notify (no request): answer anyway.
                Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => break,
                Err(err) => return Err(format!("reading the request: {err}")),
            }
        }
        Ok(())
    };
    tokio::time::timeout(idle, read_head)
        .await
        .map_err(|_| "no request in time".to_owned())??;
    let request_line = String::from_utf8_lossy(head.split(|&b| b == b'\n').next().unwrap_or(&[]))
        .trim_end()
        .to_owned();

    let body = support::describe(state, Side::Server);
    let response = format!(
        "HTTP/1.1 200 OK\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\n\
         Connection: close\r\n\
         \r\n\
         {body}",
        body.len()
    );
    let write = async {
        tls.write_all(response.as_bytes()).await?;
        tls.flush().await?;
        tls.shutdown().await
    };
    tokio::time::timeout(idle, write)
        .await
        .map_err(|_| "the answer was not taken in time".to_owned())?
        .map_err(|e| format!("writing the response: {e}"))?;
    Ok(request_line)
}
