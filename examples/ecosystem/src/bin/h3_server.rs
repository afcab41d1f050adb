//! One `SslConfiguration` serving one axum `Router` over TCP (HTTP/1.1 and
//! HTTP/2, `server_config()`) and QUIC (HTTP/3, `quic_server_config()`), on
//! the same port number for TCP and UDP. Responses over TCP carry
//! `Alt-Svc: h3=":PORT"`, which tells browsers and curl that HTTP/3 is
//! there. The same certificates, client CA and verify mode, ticket keys and
//! handshake timeout serve both transports; each handler reads its
//! connection's `SessionState` whichever carried it.
//!
//! ```sh
//! cargo run -p sslconf-ecosystem --bin h3_server -- --cert server.pem --key server.key \
//!     --ca clients-ca.pem --port 8443
//! curl --http2 --cacert ca.pem -i https://localhost:8443/      # alt-svc: h3=":8443"
//! cargo run -p sslconf-ecosystem --bin h3_client -- --ca ca.pem \
//!     --cert client.pem --key client.key https://localhost:8443/
//! ```
//!
//! ALPN (`--alpn`, one list for both transports, default `h3,h2,http/1.1`):
//! QUIC connections must agree on `h3` and TCP ones on `h2` or `http/1.1`
//! (a connection that agrees on another is closed); a name this server does
//! not speak is refused at start. QUIC runs TLS 1.3 whatever `--protocol`
//! says (the default serves TLS 1.2 and 1.3 over TCP); a protocol setting
//! without TLS 1.3 fails at start, naming the setting.
//!
//! `GET /` answers with the HTTP version and the connection's session
//! state, `GET /whoami` with the verified client certificate's name (401
//! without one).

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::http::header::ALT_SVC;
use axum::http::{HeaderValue, StatusCode, Version};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use clap::Parser;
use sslconf::{Identity, PeerVerifyMode, SessionState, SslConfiguration, SslProtocol};
use sslconf_ecosystem::{http3, http_server, support};
use support::{BoxError, ServerFlags, Side};
use tokio::net::TcpListener;

/// Serves one router over HTTPS (TCP) and HTTP/3 (QUIC) from one TLS configuration.
#[derive(Parser)]
struct Args {
    /// Address to listen on (TCP and UDP).
    #[arg(long, default_value = "127.0.0.1")]
    bind: String,
    /// Port to listen on, TCP and UDP (0 picks one free for both; the address is printed).
    #[arg(long, default_value_t = 8443)]
    port: u16,
    /// The server's certificate chain, leaf first (PEM or DER file).
    #[arg(long)]
    cert: String,
    /// The server certificate's private key (PEM or DER file).
    #[arg(long)]
    key: String,
    /// CA certificates that client certificates are checked against (PEM file).
    #[arg(long)]
    ca: Option<String>,
    /// none, query, verify or auto: `verify` requires a client certificate from --ca,
    /// `auto` verifies one that is sent.
    #[arg(long, default_value = "auto")]
    verify_mode: PeerVerifyMode,
    /// tls1.2, tls1.3, tls1.2+, tls1.3+, secure (TLS 1.2 and 1.3) or any; QUIC runs
    /// TLS 1.3 only.
    #[arg(long, default_value = "secure")]
    protocol: SslProtocol,
    /// ALPN protocols to accept, in preference order (repeat or comma-separate): h3 for
    /// QUIC (required), h2 and http/1.1 for TCP.
    #[arg(long, default_value = "h3,h2,http/1.1")]
    alpn: Vec<String>,
    #[command(flatten)]
    server: ServerFlags,
    /// The deadline of a whole handshake, TCP or QUIC.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    handshake_timeout_ms: u64,
    /// At shutdown (ctrl-c), how long served connections may take to finish.
    #[arg(long, default_value_t = 30_000)]
    shutdown_grace_ms: u64,
    /// Log failures only, not a line for each connection served.
    #[arg(long)]
    quiet: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = tokio::runtime::Builder::new_multi_thread()
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
    let config = configuration(args)?;
    let _watching = args.server.start_watching(&config)?;
    let (listener, endpoint) = bind(args, &config).await?;
    let address = listener.local_addr()?;
    println!("listening on {address} (TCP: HTTP/1.1, HTTP/2; UDP: HTTP/3)");
    std::io::stdout().flush()?;

    let app = router();
    // Over TCP each response tells where HTTP/3 is: the same port, over UDP.
    let alt_svc = HeaderValue::from_str(&format!("h3=\":{}\"", address.port()))?;
    let tcp_app = app.clone().layer(axum::middleware::map_response(
        move |mut response: Response| {
            let alt_svc = alt_svc.clone();
            async move {
                response.headers_mut().insert(ALT_SVC, alt_svc);
                response
            }
        },
    ));

    let grace = Duration::from_millis(args.shutdown_grace_ms);
    let options = http_server::Options {
        handshake_timeout: Duration::from_millis(args.handshake_timeout_ms),
        shutdown_grace: grace,
        quiet: args.quiet,
        ..http_server::Options::default()
    };
    // ctrl-c stops both transports.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let tcp_counters = Arc::new(http_server::Counters::default());
    let quic_counters = Arc::new(http_server::Counters::default());
    let tcp = http_server::serve(
        config.clone(),
        listener,
        tcp_app,
        options,
        tcp_counters.clone(),
        stopped(stop_rx.clone()),
    );
    let quic = http3::serve(
        config,
        endpoint,
        app,
        args.quiet,
        quic_counters.clone(),
        grace,
        stopped(stop_rx),
    );
    tokio::spawn(async move {
        match tokio::signal::ctrl_c().await {
            Ok(()) => {
                let _ = stop_tx.send(true);
            }
            Err(err) => {
                eprintln!("cannot wait for ctrl-c ({err}): serving until killed");
                // Keeps the sender, so that no one takes its end for a stop.
                std::future::pending::<()>().await;
            }
        }
    });
    tokio::join!(tcp, quic);
    eprintln!(
        "done: TCP: {}; QUIC: {}",
        tcp_counters.summary(),
        quic_counters.summary()
    );
    Ok(())
}

/// The one configuration of both transports; settings TCP or QUIC cannot
/// honour fail here, at start.
fn configuration(args: &Args) -> Result<SslConfiguration, BoxError> {
    let identity = Identity::from_files(&args.cert, &args.key)
        .map_err(|e| format!("--cert {} --key {}: {e}", args.cert, args.key))?;
    let alpn = support::split_list(&args.alpn);
    if !alpn.iter().any(|p| p.as_bytes() == http3::ALPN_H3) {
        return Err("--alpn: h3 must be listed, or no QUIC client can agree on HTTP/3".into());
    }
    let mut config = SslConfiguration::new()
        .with_protocol(args.protocol)
        .with_peer_verify_mode(args.verify_mode)
        .with_allowed_next_protocols(alpn)
        .with_local_identity(identity)
        // accept_quic keeps to it; the TCP loop also has its own deadline.
        .with_handshake_timeout(Duration::from_millis(args.handshake_timeout_ms));
    if let Some(ca) = &args.ca {
        config = config.with_ca_certificate_files([ca])?;
    }
    config = args.server.apply(config)?;
    config.server_config()?;
    config.quic_server_config()?;
    support::refuse_unspoken_alpn(&config, &["h3", "h2", "http/1.1"])?;
    Ok(config)
}

/// A TCP listener and a QUIC endpoint on the same port number. With port
/// 0 the TCP listener picks it, and another is tried when its UDP twin is
/// taken.
async fn bind(
    args: &Args,
    config: &SslConfiguration,
) -> Result<(TcpListener, quinn::Endpoint), BoxError> {
    let crypto = config.quic_server_config()?;
    let tries = if args.port == 0 { 10 } else { 1 };
    let mut last = None;
    for _ in 0..tries {
        let listener = TcpListener::bind((args.bind.as_str(), args.port))
            .await
            .map_err(|e| format!("cannot listen on {}:{} (TCP): {e}", args.bind, args.port))?;
        let address: SocketAddr = listener.local_addr()?;
        let server = quinn::ServerConfig::with_crypto(crypto.clone());
        match quinn::Endpoint::server(server, address) {
            Ok(endpoint) => return Ok((listener, endpoint)),
            Err(e) => last = Some(format!("cannot listen on {address} (UDP): {e}")),
        }
    }
    Err(last.unwrap_or_default().into())
}

fn router() -> Router {
    Router::new()
        .route("/", get(session))
        .route("/whoami", get(whoami))
}

/// `GET /`: the HTTP version and the connection's session state.
async fn session(Extension(state): Extension<SessionState>, version: Version) -> String {
    format!(
        "{:<21} {version:?}\n{}",
        "HTTP",
        support::describe(&state, Side::Server)
    )
}

/// `GET /whoami`: the client certificate's name, once verified.
async fn whoami(Extension(state): Extension<SessionState>) -> (StatusCode, String) {
    let Some(client) = state.peer_certificate() else {
        return (StatusCode::UNAUTHORIZED, "no client certificate\n".into());
    };
    let errors = state.peer_verification_errors();
    if !errors.is_empty() {
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        return (
            StatusCode::FORBIDDEN,
            format!(
                "{} is not verified: {}\n",
                client.subject_display_name(),
                list.join("; ")
            ),
        );
    }
    (
        StatusCode::OK,
        format!(
            "hello {} (issued by {})\n",
            client.subject_display_name(),
            client.issuer_display_name()
        ),
    )
}
