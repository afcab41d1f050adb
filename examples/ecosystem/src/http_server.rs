//! The accept loop of `src/bin/axum_server.rs`: HTTPS for any axum
//! `Router` (or tower service) over `sslconf`'s async accept, with each
//! connection's [`SessionState`] in the extensions of each of its requests.
//!
//! Each accepted socket gets its own task: the handshake runs there under a
//! deadline (`tokio::time::timeout`), so a slow, stalled or failing client
//! never holds the accept loop or another client. HTTP/2 or HTTP/1.1 is
//! served as ALPN agreed (HTTP/1.1 when the client offered no ALPN); a
//! connection that agreed on another protocol (h3, listed for QUIC) is closed.
//! A served connection has deadlines too: an HTTP/1.1 request's header
//! must arrive within `header_read_timeout` (hyper's timer; it also ends an
//! idle keep-alive connection), and an HTTP/2 peer must answer a ping every
//! `http2_keep_alive_interval` within `http2_keep_alive_timeout`.
//! Shutdown is graceful within a grace period: no new connection is
//! accepted, handshakes in progress are dropped, and each served connection
//! finishes the requests it has (HTTP/2 sends GOAWAY, HTTP/1.1 closes after
//! the response); connections still open when `shutdown_grace` is over are
//! closed, and their number logged.
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use sslconf::SslConfiguration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::support;

/// How the server runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// The deadline of a whole handshake, from accept to its end.
    pub handshake_timeout: Duration,
    /// The deadline of an HTTP/1.1 request's header, from when the server
    /// waits for it: a client that sends half a request line and stalls, or
    /// keeps an idle connection, is closed then.
    pub header_read_timeout: Duration,
    /// How often an HTTP/2 connection is pinged.
    pub http2_keep_alive_interval: Duration,
    /// How long an HTTP/2 peer may take to answer a ping before its
    /// connection is closed.
    pub http2_keep_alive_timeout: Duration,
    /// How long shutdown waits for served connections to finish before it
    /// closes the ones still open.
    pub shutdown_grace: Duration,
    /// Log failures only, not a line for each connection served.
    pub quiet: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            handshake_timeout: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(30),
            http2_keep_alive_interval: Duration::from_secs(60),
            http2_keep_alive_timeout: Duration::from_secs(20),
            shutdown_grace: Duration::from_secs(30),
            quiet: false,
        }
    }
}

/// What the server did.
#[derive(Debug, Default)]
pub struct Counters {
    /// Sockets accepted.
    pub accepted: AtomicU64,
    /// Connections served after their handshake, until the client closed,
    /// shutdown ended them, or an HTTP error did (logged).
    pub served: AtomicU64,
    /// Handshakes that failed (a bad certificate, garbage, a client that closed).
    pub handshake_failed: AtomicU64,
    /// Handshakes dropped at their deadline.
    pub handshake_timed_out: AtomicU64,
    /// Connections still open when the shutdown grace period was over,
    /// closed then.
    pub cut: AtomicU64,
}

impl Counters {
    /// One line for logs.
    pub fn summary(&self) -> String {
        format!(
            "accepted {}, served {}, handshakes failed {}, handshakes timed out {}, \
             cut at shutdown {}",
            self.accepted.load(Ordering::Relaxed),
            self.served.load(Ordering::Relaxed),
            self.handshake_failed.load(Ordering::Relaxed),
            self.handshake_timed_out.load(Ordering::Relaxed),
            self.cut.load(Ordering::Relaxed),
        )
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then shuts down
/// gracefully and returns when every connection has ended, or when
/// `options.shutdown_grace` is over and the ones left are closed. A handler
/// reads the connection's state with `axum::Extension<SessionState>`.
///
/// `config` must convert (check `server_config()` first): a conversion
/// error fails each handshake.
pub async fn serve(
    config: SslConfiguration,
    listener: TcpListener,
    app: Router,
    options: Options,
    counters: Arc<Counters>,
    shutdown: impl Future<Output = ()>,
) {
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let socket = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((socket, _)) => socket,
                Err(err) => {
                    // Out of descriptors, a connection reset while queued, ...: keep serving.
                    eprintln!("accept failed: {err}");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        counters.accepted.fetch_add(1, Ordering::Relaxed);
        let task = connection(
            config.clone(),
            socket,
            app.clone(),
            options.clone(),
            counters.clone(),
            stop_rx.clone(),
        );
        tasks.spawn(task);
        while let Some(done) = tasks.try_join_next() {
            log_panic(done);
        }
    }
    drop(listener);
    while let Some(done) = tasks.try_join_next() {
        log_panic(done);
    }
    eprintln!("shutting down: {} connections to finish", tasks.len());
    // Every connection task sees this, now or when it gets to serving.
    let _ = stop_tx.send(true);
    let drained = tokio::time::timeout(options.shutdown_grace, async {
        while let Some(done) = tasks.join_next().await {
            log_panic(done);
        }
    })
    .await;
    if drained.is_err() {
        let cut = tasks.len();
        counters.cut.fetch_add(cut as u64, Ordering::Relaxed);
        eprintln!(
            "shutting down: {cut} connections still open after the {} ms grace period, closing them",
            options.shutdown_grace.as_millis()
        );
        // Aborts each task, which drops (closes) its connection.
        tasks.shutdown().await;
    }
}

/// Resolves once shutdown has begun (or the server is gone).
async fn stopping(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopping| *stopping).await;
}

fn log_panic(done: Result<(), tokio::task::JoinError>) {
    if let Err(err) = done {
        eprintln!("connection task failed: {err}");
    }
}

/// One connection: the handshake under its deadline, then HTTP until the
/// client closes or shutdown.
async fn connection(
    config: SslConfiguration,
    socket: TcpStream,
    app: Router,
    options: Options,
    counters: Arc<Counters>,
    mut stop: watch::Receiver<bool>,
) {
    let peer = socket
        .peer_addr()
        .map_or_else(|_| "?".to_owned(), |a| a.to_string());
    let handshake = tokio::time::timeout(options.handshake_timeout, config.accept_async(socket));
    let tls = tokio::select! {
        // A handshake still running at shutdown is dropped.
        () = stopping(&mut stop) => return,
        result = handshake => match result {
            Ok(Ok(tls)) => tls,
            Ok(Err(err)) => {
                counters.handshake_failed.fetch_add(1, Ordering::Relaxed);
                support::report(&format!("{peer}: handshake failed"), &err);
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
        },
    };
    let state = tls.session_state().clone();
    let alpn = state.next_negotiated_protocol().map(<[u8]>::to_vec);

    // Every request of this connection carries its state.
    let service = TowerToHyperService::new(app.layer(axum::Extension(state.clone())));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // Without a timer hyper's header_read_timeout never fires.
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(options.http2_keep_alive_interval)
        .keep_alive_timeout(options.http2_keep_alive_timeout);
    // ALPN decides; without it (a client that offered none), HTTP/1.1 as RFC 7540 says.
    builder = match alpn.as_deref() {
        Some(b"h2") => builder.http2_only(),
        None | Some(b"http/1.1") => builder.http1_only(),
        // A list that names h3 for QUIC (h3_server's) lets a TCP client
        // that offers it agree on it: nothing here speaks it over TCP.
        Some(other) => {
            eprintln!(
                "{peer}: agreed on {} over TCP, which is not served here: closed",
                String::from_utf8_lossy(other)
            );
            return;
        }
    };
    let conn = builder.serve_connection_with_upgrades(TokioIo::new(tls), service);
    tokio::pin!(conn);
    let result = tokio::select! {
        result = conn.as_mut() => result,
        () = stopping(&mut stop) => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    counters.served.fetch_add(1, Ordering::Relaxed);
    let protocol = alpn.map_or_else(
        || "no ALPN".to_owned(),
        |p| String::from_utf8_lossy(&p).into_owned(),
    );
    match result {
        Ok(()) if !options.quiet => {
            eprintln!("{}", support::served_line(&peer, &state, &protocol));
        }
        Ok(()) => {}
        Err(err) => eprintln!("{peer}: serving {protocol}: {err}"),
    }
}
