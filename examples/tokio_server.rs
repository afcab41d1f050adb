//! The `server` example on tokio: every connection is answered with a tiny
//! HTTP/1.1 response whose body is its session state. Each accepted socket
//! runs in its own task; the whole handshake has a deadline
//! (`tokio::time::timeout`), so a slow, stalled or failing client never
//! blocks the accept loop or anyone else. Identities by server name, shared
//! ticket keys, and reloading the files when they change.
//!
//! ```sh
//! cargo run --example tokio_server --features tokio,watch -- --cert server.pem --key server.key
//! curl -k https://localhost:8443/
//! # Another certificate for api.example.com, refusing every other name, reloaded on change:
//! cargo run --example tokio_server --features tokio,watch -- --cert server.pem --key server.key \
//!     --sni 'api.example.com=api.pem,api.key' --refuse-unknown-names --watch
//! # A fleet sharing session tickets:
//! openssl rand 80 > ticket.key
//! cargo run --example tokio_server --features tokio,watch -- --cert server.pem --key server.key \
//!     --ticket-key ticket.key
//! # nginx's shape: two threads, each its own runtime and SO_REUSEPORT listener.
//! cargo run --release --example tokio_server --features tokio,watch -- --cert server.pem \
//!     --key server.key --reuseport-workers 2
//! ```
//!
//! `scripts/nginx-bench.sh` compares it with nginx; BENCHMARKS.md has the figures.

#[path = "support/async_server.rs"]
mod async_server;
#[path = "support/mod.rs"]
mod support;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use sslconf::{Identity, PeerVerifyMode, SslConfiguration, SslProtocol};
use support::{BoxError, ServerFlags};

/// Serves HTTPS on tokio, answering each request with that connection's TLS session state.
#[derive(Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: String,
    /// Port to listen on (0 picks a free one; the address is printed).
    #[arg(long, default_value_t = 8443)]
    port: u16,
    /// The server's certificate chain, leaf first (PEM or DER file).
    #[arg(long)]
    cert: String,
    /// The server certificate's private key (PEM or DER file).
    #[arg(long)]
    key: String,
    /// CA certificates that client certificates are checked against (PEM file; watched
    /// with --watch).
    #[arg(long)]
    ca: Option<String>,
    /// none, query, verify or auto, as the `server` example.
    #[arg(long, default_value = "auto")]
    verify_mode: PeerVerifyMode,
    /// tls1.2, tls1.3, tls1.2+, tls1.3+, secure (TLS 1.2 and 1.3) or any.
    #[arg(long, default_value = "secure")]
    protocol: SslProtocol,
    /// Colon-separated cipher list, in preference order (IANA or OpenSSL names).
    #[arg(long)]
    ciphers: Option<String>,
    /// ALPN protocols to accept (repeat or comma-separate). The answer is always
    /// HTTP/1.1, so http/1.1 is the only one accepted here.
    #[arg(long)]
    alpn: Vec<String>,
    #[command(flatten)]
    flags: ServerFlags,
    /// The deadline of a whole handshake, from accept to its end.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    handshake_timeout_ms: u64,
    /// The deadline for reading the request head, and again for writing the answer.
    #[arg(long, default_value_t = 60_000, value_parser = clap::value_parser!(u64).range(1..))]
    idle_timeout_ms: u64,
    /// Exit after this many connections, once they have ended (for tests and benchmarks).
    #[arg(long, alias = "exit-after", value_parser = clap::value_parser!(u64).range(1..))]
    max_connections: Option<u64>,
    /// Log failures only, not a line for each connection served.
    #[arg(long)]
    quiet: bool,
    /// Worker threads of the runtime (default: one per CPU).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    threads: Option<u64>,
    /// Instead of one multi-thread runtime, N threads each with its own
    /// current-thread runtime and its own SO_REUSEPORT listener on the same
    /// port, as nginx's worker processes (the kernel spreads connections).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..256),
          conflicts_with_all = ["threads", "max_connections"])]
    reuseport_workers: Option<u64>,
    /// Accept with tokio-rustls's TlsAcceptor on `server_config()` instead of
    /// `accept_async`, to compare the two (same settings, same answer).
    #[arg(long)]
    raw_rustls: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(workers) = args.reuseport_workers {
        return match run_reuseport(&args, workers) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                support::report("error", &*err);
                ExitCode::FAILURE
            }
        };
    }
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    runtime.enable_all();
    if let Some(threads) = args.threads {
        runtime.worker_threads(usize::try_from(threads).unwrap_or(usize::MAX));
    }
    let result = runtime
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
    let _watching = args.flags.start_watching(&config)?;
    let listener = tokio::net::TcpListener::bind((args.bind.as_str(), args.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", args.bind, args.port))?;
    println!("listening on {}", listener.local_addr()?);
    std::io::stdout().flush()?;

    let counters = Arc::new(async_server::Counters::default());
    async_server::serve(config, listener, options(args), counters.clone()).await;
    eprintln!("done: {}", counters.summary());
    Ok(())
}

fn options(args: &Args) -> async_server::Options {
    async_server::Options {
        handshake_timeout: Duration::from_millis(args.handshake_timeout_ms),
        idle_timeout: Duration::from_millis(args.idle_timeout_ms),
        max_connections: args.max_connections,
        quiet: args.quiet,
        raw_rustls: args.raw_rustls,
    }
}

/// `--reuseport-workers N`: N threads, each a current-thread runtime with
/// its own listener on the same address (`SO_REUSEPORT`); serves forever.
fn run_reuseport(args: &Args, workers: u64) -> Result<(), BoxError> {
    let config = configuration(args)?;
    let _watching = args.flags.start_watching(&config)?;
    let mut addr = std::net::ToSocketAddrs::to_socket_addrs(&(args.bind.as_str(), args.port))?
        .next()
        .ok_or_else(|| format!("{}: no address", args.bind))?;
    let counters = Arc::new(async_server::Counters::default());
    let mut threads = Vec::new();
    for _ in 0..workers {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = runtime
            .block_on(async {
                let socket = if addr.is_ipv4() {
                    tokio::net::TcpSocket::new_v4()?
                } else {
                    tokio::net::TcpSocket::new_v6()?
                };
                socket.set_reuseport(true)?;
                socket.set_reuseaddr(true)?;
                socket.bind(addr)?;
                socket.listen(1024)
            })
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        // With --port 0, every later worker binds the port the first one got.
        addr = listener.local_addr()?;
        let (config, options, counters) = (config.clone(), options(args), counters.clone());
        threads.push(std::thread::spawn(move || {
            runtime.block_on(async_server::serve(config, listener, options, counters));
        }));
    }
    println!("listening on {addr} ({workers} SO_REUSEPORT workers)");
    std::io::stdout().flush()?;
    for thread in threads {
        let _ = thread.join();
    }
    Ok(())
}

fn configuration(args: &Args) -> Result<SslConfiguration, BoxError> {
    let identity = Identity::from_files(&args.cert, &args.key)
        .map_err(|e| format!("--cert {} --key {}: {e}", args.cert, args.key))?;
    let mut config = SslConfiguration::new()
        .with_protocol(args.protocol)
        .with_peer_verify_mode(args.verify_mode)
        .with_allowed_next_protocols(support::split_list(&args.alpn))
        .with_local_identity(identity);
    if let Some(ca) = &args.ca {
        config = config.with_ca_certificate_files([ca])?;
    }
    if let Some(list) = &args.ciphers {
        config = config.with_cipher_list(list)?;
    }
    config = args.flags.apply(config)?;
    // Settings rustls cannot honour fail at start, not at the first client.
    config.server_config()?;
    support::refuse_unspoken_alpn(&config, &["http/1.1"])?;
    Ok(config)
}
