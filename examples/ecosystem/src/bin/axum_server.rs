//! axum over `sslconf`: each handler reads the connection's `SessionState`
//! (the verified client certificate chain, ALPN, protocol, cipher) with
//! `Extension<SessionState>`. HTTP/2 or HTTP/1.1 as ALPN agreed; each
//! handshake runs in its own task under a deadline, and so does each
//! HTTP/1.1 request header; graceful shutdown on ctrl-c (or after
//! `--shutdown-after-ms`), closing what is still open after
//! `--shutdown-grace-ms`.
//!
//! ```sh
//! cargo run -p sslconf-ecosystem --bin axum_server -- --cert server.pem --key server.key \
//!     --ca clients-ca.pem --verify-mode verify
//! curl --cacert ca.pem --cert client.pem --key client.key https://localhost:8443/whoami
//! cargo run -p sslconf-ecosystem --bin reqwest_client -- --ca ca.pem \
//!     --cert client.pem --key client.key https://localhost:8443/
//! ```
//!
//! The accept loop is `src/http_server.rs`: take it for your own
//! `Router`. `GET /` answers with the session state, `GET /whoami` with the
//! client certificate's name (401 without one).
//!
//! A node of a fleet: one settings file configures the
//! server it runs (the file's top level and `[server]` table) and the
//! reqwest client it calls its peers with (the top level and `[client]`),
//! each with its own certificate (see `sslconf::SettingsFile`). Each peer's
//! `/whoami` is called until it answers (peers start in any order), and
//! its answer printed: the name the peer verified this node's client
//! certificate as.
//!
//! ```sh
//! cargo run -p sslconf-ecosystem --bin axum_server -- --config node-a.toml \
//!     --port 8443 --peer https://localhost:9443
//! cargo run -p sslconf-ecosystem --bin axum_server -- --config node-b.toml \
//!     --port 9443 --peer https://localhost:8443
//! ```

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{StatusCode, Version};
use axum::routing::get;
use axum::{Extension, Router};
use clap::Parser;
use sslconf::{Identity, PeerVerifyMode, SessionState, SslConfiguration, SslProtocol};
use sslconf_ecosystem::{http_server, support};
use support::{BoxError, Side};

/// Serves HTTPS with axum, telling each request what its TLS connection negotiated.
#[derive(Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: String,
    /// Port to listen on (0 picks a free one; the address is printed).
    #[arg(long, default_value_t = 8443)]
    port: u16,
    /// The server's certificate chain, leaf first (PEM or DER file).
    #[arg(long, required_unless_present = "config")]
    cert: Option<String>,
    /// The server certificate's private key (PEM or DER file).
    #[arg(long, required_unless_present = "config")]
    key: Option<String>,
    /// CA certificates that client certificates are checked against (PEM file).
    #[arg(long)]
    ca: Option<String>,
    /// none, query, verify or auto: `verify` requires a client certificate from --ca,
    /// `auto` verifies one that is sent.
    #[arg(long, default_value = "auto")]
    verify_mode: PeerVerifyMode,
    /// tls1.2, tls1.3, tls1.2+, tls1.3+, secure (TLS 1.2 and 1.3) or any.
    #[arg(long, default_value = "secure")]
    protocol: SslProtocol,
    /// ALPN protocols to accept, in preference order (repeat or comma-separate).
    #[arg(long, default_value = "h2,http/1.1")]
    alpn: Vec<String>,
    /// The deadline of a whole handshake, from accept to its end.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    handshake_timeout_ms: u64,
    /// The deadline of an HTTP/1.1 request's header (and of an idle keep-alive connection).
    #[arg(long, default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(1..))]
    header_read_timeout_ms: u64,
    /// At shutdown, how long served connections may take to finish before they are closed.
    #[arg(long, default_value_t = 30_000)]
    shutdown_grace_ms: u64,
    /// Shut down gracefully after this many milliseconds (as on ctrl-c; for tests).
    #[arg(long)]
    shutdown_after_ms: Option<u64>,
    /// Log failures only, not a line for each connection served (or /whoami answered).
    #[arg(long)]
    quiet: bool,
    /// Every TLS setting from this TOML settings file instead of the flags: the server
    /// serves its top level and [server] table, and the client that calls --peer uses
    /// its top level and [client] table (needs see sslconf::SettingsFile).
    #[arg(long, value_name = "FILE", conflicts_with_all = [
        "cert", "key", "ca", "verify_mode", "protocol", "alpn",
    ])]
    config: Option<PathBuf>,
    /// A peer to call, as https://HOST:PORT (repeatable): its /whoami, with the client
    /// side of --config, printing its answer.
    #[arg(long, value_name = "URL", requires = "config")]
    peer: Vec<String>,
    /// How long to keep calling a peer that does not answer yet (it may not be up).
    #[arg(long, default_value_t = 10_000)]
    peer_timeout_ms: u64,
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
    let config = match &args.config {
        Some(path) => settings_file(path, Side::Server)?,
        None => configuration(args)?,
    };
    // The client side, checked before serving: a bad one fails the start.
    let peers = match &args.config {
        Some(path) if !args.peer.is_empty() => Some(peer_client(path)?),
        _ => None,
    };
    let app = Router::new()
        .route("/", get(session))
        .route("/whoami", get(whoami))
        .layer(Extension(Quiet(args.quiet)));
    let listener = tokio::net::TcpListener::bind((args.bind.as_str(), args.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", args.bind, args.port))?;
    println!("listening on {}", listener.local_addr()?);
    std::io::stdout().flush()?;

    let options = http_server::Options {
        handshake_timeout: Duration::from_millis(args.handshake_timeout_ms),
        header_read_timeout: Duration::from_millis(args.header_read_timeout_ms),
        shutdown_grace: Duration::from_millis(args.shutdown_grace_ms),
        quiet: args.quiet,
        ..http_server::Options::default()
    };
    if let Some(client) = peers {
        let deadline = Duration::from_millis(args.peer_timeout_ms);
        for peer in &args.peer {
            tokio::spawn(call_peer(client.clone(), peer.clone(), deadline));
        }
    }
    let counters = Arc::new(http_server::Counters::default());
    let after = args.shutdown_after_ms.map(Duration::from_millis);
    let shutdown = async move {
        let timer = async {
            match after {
                Some(after) => tokio::time::sleep(after).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = timer => {}
        }
    };
    http_server::serve(config, listener, app, options, counters.clone(), shutdown).await;
    eprintln!("done: {}", counters.summary());
    Ok(())
}

/// `GET /`: the HTTP version and the connection's session state.
async fn session(Extension(state): Extension<SessionState>, version: Version) -> String {
    format!(
        "{:<21} {version:?}\n{}",
        "HTTP",
        support::describe(&state, Side::Server)
    )
}

/// Whether to log only failures (`--quiet`), for the handlers.
#[derive(Clone, Copy)]
struct Quiet(bool);

/// `GET /whoami`: the client certificate's name, once verified.
async fn whoami(
    Extension(state): Extension<SessionState>,
    Extension(Quiet(quiet)): Extension<Quiet>,
) -> (StatusCode, String) {
    let Some(client) = state.peer_certificate() else {
        return (StatusCode::UNAUTHORIZED, "no client certificate\n".into());
    };
    // With the default verify mode a certificate that reached a handler is
    // verified; `--verify-mode query` lets any through and lists what was wrong.
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
    let name = format!(
        "{} (issued by {})",
        client.subject_display_name(),
        client.issuer_display_name()
    );
    if !quiet {
        eprintln!("whoami: {name}");
    }
    (StatusCode::OK, format!("hello {name}\n"))
}

fn configuration(args: &Args) -> Result<SslConfiguration, BoxError> {
    let (Some(cert), Some(key)) = (&args.cert, &args.key) else {
        return Err("--cert and --key, or --config, are needed".into());
    };
    let identity =
        Identity::from_files(cert, key).map_err(|e| format!("--cert {cert} --key {key}: {e}"))?;
    let mut config = SslConfiguration::new()
        .with_protocol(args.protocol)
        .with_peer_verify_mode(args.verify_mode)
        .with_allowed_next_protocols(support::split_list(&args.alpn))
        .with_local_identity(identity);
    if let Some(ca) = &args.ca {
        config = config.with_ca_certificate_files([ca])?;
    }
    // Settings rustls cannot honour fail at start, not at the first client.
    config.server_config()?;
    support::refuse_unspoken_alpn(&config, &["h2", "http/1.1"])?;
    Ok(config)
}

/// One side of the settings file: loading converts it for that side, so a
/// setting rustls cannot honour fails here, at its line in the file.
fn settings_file(path: &std::path::Path, side: Side) -> Result<SslConfiguration, BoxError> {
    let side = match side {
        Side::Server => sslconf::Side::Server,
        Side::Client => sslconf::Side::Client,
    };
    Ok(SslConfiguration::from_toml_file(path, side)?)
}

/// The reqwest client of the file's client side: its CA certificates, its
/// own certificate, its ALPN protocols (reqwest adds none to a config it is
/// given). `tls_info` gives each response the server's certificate.
fn peer_client(path: &std::path::Path) -> Result<reqwest::Client, BoxError> {
    let config = settings_file(path, Side::Client)?;
    Ok(reqwest::Client::builder()
        .use_preconfigured_tls((*config.client_config()?).clone())
        .https_only(true)
        .tls_info(true)
        .build()?)
}

/// Calls `peer`'s `/whoami` until it answers or `deadline` passes (a peer
/// that is not up yet refuses the connection), and prints the answer with
/// the name of the server's certificate; a failure is reported, with Qt's
/// error list when the handshake failed (which no retry changes).
async fn call_peer(client: reqwest::Client, peer: String, deadline: Duration) {
    let url = format!("{}/whoami", peer.trim_end_matches('/'));
    let started = Instant::now();
    let response = loop {
        match client.get(&url).send().await {
            Err(err)
                if err.is_connect()
                    && sslconf::Error::find_in(&err).is_none()
                    && started.elapsed() < deadline =>
            {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            other => break other,
        }
    };
    let answer = match response {
        Ok(response) => {
            let server = response
                .extensions()
                .get::<reqwest::tls::TlsInfo>()
                .and_then(reqwest::tls::TlsInfo::peer_certificate)
                .and_then(|der| sslconf::Certificate::from_der(der).ok())
                .map_or_else(|| "-".to_owned(), |cert| cert.subject_display_name());
            let status = response.status();
            response
                .text()
                .await
                .map(|body| format!("{status} from {server}: {}", body.trim_end()))
        }
        Err(err) => Err(err),
    };
    match answer {
        Ok(answer) => {
            println!("peer {url}: {answer}");
            let _ = std::io::stdout().flush();
        }
        Err(err) => support::report_with_tls(&format!("peer {url}"), &err),
    }
}
