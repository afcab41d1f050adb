//! Fetches a URL over HTTP/3 (quinn, h3 and h3-quinn) with this crate's
//! client configuration: `connect_quic` makes the QUIC connection from the
//! `SslConfiguration` (a private CA, a client certificate for mutual TLS,
//! ALPN `h3`) and gives its `SessionState`, and h3 runs over it. A wrong
//! server certificate fails with Qt's error list, as over TCP.
//!
//! ```sh
//! cargo run -p sslconf-ecosystem --bin h3_client -- --ca ca.pem \
//!     --cert client.pem --key client.key https://localhost:8443/
//! ```
//!
//! Prints the response's status, the session state (protocol, cipher,
//! ALPN, the server's chain) under `session`, and the body under `body`.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use axum::http::{Method, Request, Uri};
use bytes::Buf;
use clap::Parser;
use sslconf_ecosystem::support;
use support::{BoxError, ClientFlags, Side};

/// Fetches a URL over HTTP/3 with this crate's TLS client configuration.
#[derive(Parser)]
struct Args {
    /// The https:// URL to fetch.
    url: Uri,
    #[command(flatten)]
    tls: ClientFlags,
    /// The deadline of the handshake.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    handshake_timeout_ms: u64,
    /// The deadline of the response, from the end of the handshake.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..))]
    timeout_ms: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(BoxError::from)
        .and_then(|rt| rt.block_on(run(&args)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            support::report("error", &*err);
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<(), BoxError> {
    let url = &args.url;
    if url.scheme_str() != Some("https") {
        return Err(format!("{url}: only https:// URLs are fetched over HTTP/3").into());
    }
    let host = url
        .host()
        .ok_or_else(|| format!("{url}: the URL names no host"))?;
    // A bracketed IPv6 literal is looked up (and sent as SNI) without brackets.
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = url.port_u16().unwrap_or(443);
    let address = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| format!("{host}: cannot resolve: {e}"))?
        .next()
        .ok_or_else(|| format!("{host}: no address"))?;

    let config = args
        .tls
        .configuration(&["h3"])?
        .with_handshake_timeout(Duration::from_millis(args.handshake_timeout_ms));
    // A setting QUIC cannot honour fails here, naming it.
    config.quic_client_config()?;
    let local: SocketAddr = if address.is_ipv6() {
        "[::]:0".parse()?
    } else {
        "0.0.0.0:0".parse()?
    };
    let endpoint = quinn::Endpoint::client(local)?;
    let quic = config.connect_quic(&endpoint, address, host).await?;
    let state = quic.session_state().clone();

    let fetched = tokio::time::timeout(
        Duration::from_millis(args.timeout_ms),
        fetch(quic.into_connection(), url.clone()),
    )
    .await
    .map_err(|_| format!("{url}: no complete response in {} ms", args.timeout_ms))?;
    let (status, body) = fetched?;
    println!("status {status}");
    println!("session");
    print!("{}", support::describe(&state, Side::Client));
    println!("body");
    let body = String::from_utf8_lossy(&body);
    print!("{body}");
    if !body.is_empty() && !body.ends_with('\n') {
        println!();
    }
    // Lets the connection's close reach the server.
    let _ = tokio::time::timeout(Duration::from_secs(1), endpoint.wait_idle()).await;
    Ok(())
}

/// `GET url` over HTTP/3 on `connection`: the status and the whole body.
async fn fetch(
    connection: quinn::Connection,
    url: Uri,
) -> Result<(axum::http::StatusCode, Vec<u8>), BoxError> {
    let (mut driver, mut send_request) =
        h3::client::new(h3_quinn::Connection::new(connection.clone())).await?;
    // The connection's own streams (control, QPACK) run beside the request.
    let drive = tokio::spawn(async move { std::future::poll_fn(|cx| driver.poll_close(cx)).await });

    let request = Request::builder().method(Method::GET).uri(url).body(())?;
    let mut stream = send_request.send_request(request).await?;
    stream.finish().await?;
    let response = stream.recv_response().await?;
    let mut body = Vec::new();
    while let Some(mut chunk) = stream.recv_data().await? {
        body.extend_from_slice(&chunk.copy_to_bytes(chunk.remaining()));
    }
    drop(stream);
    drop(send_request);
    // Done: H3_NO_ERROR (RFC 9114 §8.1).
    connection.close(quinn::VarInt::from_u32(0x100), b"done");
    let _ = drive.await;
    Ok((response.status(), body))
}
