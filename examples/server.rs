//! A TLS server answering each connection with its session state, as a tiny
//! HTTP/1.1 response that curl and browsers can read. A thread a connection;
//! a stalled or failed handshake is logged and the server keeps serving.
//!
//! ```sh
//! cargo run --example server -- --self-signed --port 8443
//! curl -k https://127.0.0.1:8443/
//! cargo run --example server -- --cert server.pem --key server.key --ca clients.pem --verify-mode verify
//! ```

#[path = "support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use clap::Parser;
use sslconf::{Certificate, PeerVerifyMode, PrivateKey, SslConfiguration, SslProtocol};

/// Serves HTTPS on 127.0.0.1, answering with each connection's TLS session state.
#[derive(Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8443)]
    port: u16,
    /// The server's certificate chain (PEM, leaf first).
    #[arg(long, required_unless_present = "self_signed")]
    cert: Option<String>,
    /// The server's private key (PEM or DER).
    #[arg(long, required_unless_present = "self_signed")]
    key: Option<String>,
    /// Make a self-signed certificate for localhost and 127.0.0.1 instead.
    #[arg(long, conflicts_with_all = ["cert", "key"])]
    self_signed: bool,
    /// CA certificates that client certificates are checked against (PEM).
    #[arg(long)]
    ca: Option<String>,
    /// none, query (the default: ask for a client certificate, accept any) or verify.
    #[arg(long, default_value = "auto")]
    verify_mode: String,
    /// tls1.2, tls1.3, secure (the default), ...
    #[arg(long, default_value = "secure")]
    protocol: String,
    /// Colon-separated cipher list, in preference order (IANA or OpenSSL names).
    #[arg(long)]
    ciphers: Option<String>,
    /// ALPN protocols, in preference order (repeat or comma-separate).
    #[arg(long)]
    alpn: Vec<String>,
    /// How long a client may take to complete its handshake.
    #[arg(long, default_value_t = 10_000)]
    handshake_timeout_ms: u64,
    /// Exit after this many connections (for tests and benchmarks).
    #[arg(long)]
    max_connections: Option<usize>,
}

fn main() -> support::MainResult {
    let args = Args::parse();
    let config = configuration(&args)?;
    // Convert now, so that a bad setting fails at start, not at the first client.
    config.server_config()?;
    let listener = TcpListener::bind((args.bind.as_str(), args.port))?;
    println!("listening on {}", listener.local_addr()?);
    std::io::stdout().flush()?;

    let timeout = Duration::from_millis(args.handshake_timeout_ms);
    let mut workers = Vec::new();
    for (n, socket) in listener.incoming().enumerate() {
        match socket {
            Ok(socket) => {
                let config = config.clone();
                workers.push(thread::spawn(move || serve(&config, socket, timeout)));
            }
            Err(err) => eprintln!("accept failed: {err}"),
        }
        workers.retain(|w| !w.is_finished());
        if args.max_connections.is_some_and(|max| n + 1 >= max) {
            break;
        }
    }
    for worker in workers {
        let _ = worker.join();
    }
    Ok(())
}

fn configuration(args: &Args) -> Result<SslConfiguration, Box<dyn std::error::Error>> {
    let protocol = SslProtocol::from_name(&args.protocol)
        .ok_or_else(|| format!("unknown protocol {:?}", args.protocol))?;
    let mode = PeerVerifyMode::from_name(&args.verify_mode)
        .ok_or_else(|| format!("unknown verify mode {:?}", args.verify_mode))?;
    let mut config = SslConfiguration::new()
        .with_protocol(protocol)
        .with_peer_verify_mode(mode)
        .with_allowed_next_protocols(support::split_list(&args.alpn));
    config = match (&args.cert, &args.key) {
        (Some(cert), Some(key)) => config
            .with_local_certificate_chain(Certificate::from_path(cert)?)
            .with_private_key(PrivateKey::from_path(key)?),
        _ => {
            let made = rcgen::generate_simple_self_signed(vec![
                "localhost".to_owned(),
                "127.0.0.1".to_owned(),
            ])?;
            config
                .with_local_certificate(Certificate::from_der(made.cert.der())?)
                .with_private_key(PrivateKey::from_der(&made.signing_key.serialize_der())?)
        }
    };
    if let Some(ca) = &args.ca {
        config = config.with_ca_certificates(Certificate::from_path(ca)?);
    }
    if let Some(list) = &args.ciphers {
        config = config.with_cipher_list(list)?;
    }
    Ok(config)
}

/// One connection: handshake within the timeout, read the request head, answer.
fn serve(config: &SslConfiguration, socket: TcpStream, timeout: Duration) {
    let peer = socket
        .peer_addr()
        .map_or_else(|_| "?".to_owned(), |a| a.to_string());
    if let Err(err) = socket
        .set_read_timeout(Some(timeout))
        .and_then(|()| socket.set_write_timeout(Some(timeout)))
    {
        eprintln!("{peer}: {err}");
        return;
    }
    let mut tls = match config.accept(socket) {
        Ok(tls) => tls,
        Err(err) => {
            eprintln!("{peer}: handshake failed: {err}");
            for error in err.ssl_errors() {
                eprintln!("{peer}:   {error}");
            }
            return;
        }
    };
    if let Err(err) = answer(&mut tls) {
        eprintln!("{peer}: {err}");
    }
}

fn answer(tls: &mut sslconf::TlsStream<TcpStream>) -> std::io::Result<()> {
    // Read the request head (bounded), whatever it asks: every page is the same.
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        match tls.read(&mut buf)? {
            0 => break,
            n => head.extend_from_slice(&buf[..n]),
        }
    }
    let body = support::describe(tls.session_state());
    write!(
        tls,
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    tls.flush()?;
    tls.shutdown()
}
