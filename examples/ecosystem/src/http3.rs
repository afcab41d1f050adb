//! The HTTP/3 accept loop of `src/bin/h3_server.rs`: an axum `Router`
//! served over QUIC (quinn, h3 and h3-quinn) from the same
//! `SslConfiguration` that serves it over TCP (`http_server`), with each
//! connection's [`SessionState`] in the extensions of each of its requests.
//!
//! The endpoint must serve the configuration's `quic_server_config()`:
//! `accept_quic` checks that it does, runs the handshake under the
//! configuration's handshake timeout and gives the session state. A
//! connection whose ALPN is not `h3` (a list that also names `h2` for TCP
//! lets a QUIC client that offers only `h2` agree on it) is closed: no HTTP/3
//! speaks to it. Each request runs in its own task: its body is read (up to
//! [`MAX_REQUEST_BODY`]), handed to the router as an axum `Body`, and the
//! response's frames are sent as HTTP/3 DATA (and trailers).
//!
//! Shutdown: no new connection is accepted, each connection sends GOAWAY
//! and finishes the requests it has, and whatever is still open when the
//! grace period is over is closed.

use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, Response};
use axum::Router;
use bytes::{Buf, Bytes};
use http_body_util::BodyExt;
use sslconf::{Error, SslConfiguration};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::http_server::Counters;
use crate::support::{self, BoxError};

/// The largest request body read into memory for a handler.
pub const MAX_REQUEST_BODY: usize = 1 << 20;

/// The ALPN name of HTTP/3 (RFC 9114 §3.1).
pub const ALPN_H3: &[u8] = b"h3";

/// HTTP/3's application error codes (RFC 9114 §8.1).
const H3_NO_ERROR: quinn::VarInt = quinn::VarInt::from_u32(0x100);
const H3_GENERAL_PROTOCOL_ERROR: quinn::VarInt = quinn::VarInt::from_u32(0x101);

type RequestStream = h3::server::RequestStream<h3_quinn::BidiStream<Bytes>, Bytes>;

/// Serves `app` over HTTP/3 on `endpoint` (serving `config`'s
/// `quic_server_config()`) until `shutdown` completes, then shuts down as
/// the module says, within `grace`.
pub async fn serve(
    config: SslConfiguration,
    endpoint: quinn::Endpoint,
    app: Router,
    quiet: bool,
    counters: Arc<Counters>,
    grace: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let incoming = tokio::select! {
            () = &mut shutdown => break,
            incoming = endpoint.accept() => match incoming {
                Some(incoming) => incoming,
                // The endpoint was closed.
                None => break,
            },
        };
        counters.accepted.fetch_add(1, Ordering::Relaxed);
        let task = connection(
            config.clone(),
            incoming,
            app.clone(),
            quiet,
            counters.clone(),
            stop_rx.clone(),
        );
        tasks.spawn(task);
        while let Some(done) = tasks.try_join_next() {
            log_panic(done);
        }
    }
    // New connections are refused from here on.
    endpoint.set_server_config(None);
    let _ = stop_tx.send(true);
    let drained = tokio::time::timeout(grace, async {
        while let Some(done) = tasks.join_next().await {
            log_panic(done);
        }
        endpoint.wait_idle().await;
    })
    .await;
    if drained.is_err() {
        let cut = tasks.len();
        counters.cut.fetch_add(cut as u64, Ordering::Relaxed);
        eprintln!(
            "shutting down HTTP/3: {cut} connections still open after the {} ms grace period, \
             closing them",
            grace.as_millis()
        );
        tasks.shutdown().await;
    }
    endpoint.close(H3_NO_ERROR, b"shutting down");
}

/// Resolves once shutdown has begun (or the server is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopping| *stopping).await;
}

fn log_panic(done: Result<(), tokio::task::JoinError>) {
    if let Err(err) = done {
        eprintln!("HTTP/3 connection task failed: {err}");
    }
}

/// One connection: the handshake (under the configuration's handshake
/// timeout), then HTTP/3 requests until the client closes or shutdown.
async fn connection(
    config: SslConfiguration,
    incoming: quinn::Incoming,
    app: Router,
    quiet: bool,
    counters: Arc<Counters>,
    mut stop: watch::Receiver<bool>,
) {
    let peer = incoming.remote_address().to_string();
    let quic = match config.accept_quic(incoming).await {
        Ok(quic) => quic,
        Err(err) => {
            let counter = match err {
                Error::HandshakeTimeout { .. } => &counters.handshake_timed_out,
                _ => &counters.handshake_failed,
            };
            counter.fetch_add(1, Ordering::Relaxed);
            support::report(&format!("{peer}: QUIC handshake failed"), &err);
            return;
        }
    };
    let state = quic.session_state().clone();
    if state.next_negotiated_protocol() != Some(ALPN_H3) {
        let agreed = state.next_negotiated_protocol().map_or_else(
            || "no ALPN".to_owned(),
            |p| String::from_utf8_lossy(p).into_owned(),
        );
        eprintln!("{peer}: QUIC connection agreed on {agreed}, not h3: closed");
        quic.connection()
            .close(H3_GENERAL_PROTOCOL_ERROR, b"only h3 is served over QUIC");
        return;
    }
    let h3_connection = h3_quinn::Connection::new(quic.into_connection());
    let mut h3 = match h3::server::Connection::<_, Bytes>::new(h3_connection).await {
        Ok(h3) => h3,
        Err(err) => {
            eprintln!("{peer}: HTTP/3 setup failed: {err}");
            return;
        }
    };
    counters.served.fetch_add(1, Ordering::Relaxed);
    // Every request of this connection carries its state.
    let app = app.layer(axum::Extension(state.clone()));
    let mut stopping = false;
    loop {
        let accepted = tokio::select! {
            accepted = h3.accept() => accepted,
            () = stopped(&mut stop), if !stopping => {
                stopping = true;
                // GOAWAY: the requests already sent are still answered.
                if let Err(err) = h3.shutdown(0).await {
                    eprintln!("{peer}: HTTP/3 shutdown: {err}");
                    break;
                }
                continue;
            }
        };
        match accepted {
            Ok(Some(resolver)) => {
                let (app, peer) = (app.clone(), peer.clone());
                tokio::spawn(async move {
                    match resolver.resolve_request().await {
                        Ok((request, stream)) => {
                            if let Err(err) = respond(app, request, stream).await {
                                eprintln!("{peer}: HTTP/3 request: {err}");
                            }
                        }
                        Err(err) => eprintln!("{peer}: HTTP/3 request: {err}"),
                    }
                });
            }
            // The client closed the connection, or GOAWAY's requests are done.
            Ok(None) => break,
            Err(err) if err.is_h3_no_error() => break,
            Err(err) => {
                eprintln!("{peer}: HTTP/3 connection: {err}");
                break;
            }
        }
    }
    if !quiet {
        eprintln!("{}", support::served_line(&peer, &state, "h3"));
    }
}

/// One request: its body read, the router's answer sent back.
async fn respond(
    app: Router,
    request: Request<()>,
    mut stream: RequestStream,
) -> Result<(), BoxError> {
    let mut body = Vec::new();
    while let Some(mut chunk) = stream.recv_data().await? {
        if body.len() + chunk.remaining() > MAX_REQUEST_BODY {
            let too_large = Response::builder()
                .status(axum::http::StatusCode::PAYLOAD_TOO_LARGE)
                .body(())?;
            stream.send_response(too_large).await?;
            stream.finish().await?;
            return Ok(());
        }
        while chunk.has_remaining() {
            let part = chunk.chunk();
            body.extend_from_slice(part);
            let read = part.len();
            chunk.advance(read);
        }
    }
    let (parts, ()) = request.into_parts();
    let request = Request::from_parts(parts, Body::from(body));
    // A Router never fails: its errors are responses.
    let response = match app.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let (parts, mut body) = response.into_parts();
    stream
        .send_response(Response::from_parts(parts, ()))
        .await?;
    while let Some(frame) = body.frame().await {
        let frame = frame?;
        match frame.into_data() {
            Ok(data) => stream.send_data(data).await?,
            Err(frame) => {
                if let Ok(trailers) = frame.into_trailers() {
                    // Sending trailers finishes the stream.
                    return Ok(stream.send_trailers(trailers).await?);
                }
            }
        }
    }
    Ok(stream.finish().await?)
}
