//! A TLS client, like `openssl s_client -showcerts`: connects to HOST:PORT,
//! prints the server's certificate chain (subject, issuer, validity and PEM of
//! each) and the session state, optionally sends data and prints the reply.
//! When the handshake fails it prints the error and each verification error,
//! and exits non-zero.
//!
//! ```sh
//! cargo run --example client -- example.com:443
//! cargo run --example client -- example.com --alpn h2,http/1.1 --send 'HEAD / HTTP/1.0\r\n\r\n'
//! cargo run --example client -- 127.0.0.1:8443 --ca ca.pem --servername localhost
//! cargo run --example client -- 127.0.0.1:8443 --verify-mode none --cert me.pem --key me.key
//! # Every setting from a TOML settings file (see sslconf::SettingsFile):
//! cargo run --example client --features serde -- 127.0.0.1:8443 --config client.toml
//! ```

#[path = "support/mod.rs"]
mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use sslconf::{Certificate, Identity, PeerVerifyMode, PrivateKey, SslConfiguration, SslProtocol};
use support::{BoxError, Side};

/// Connects to a TLS server and shows its certificate chain and what was negotiated.
#[derive(Parser)]
struct Args {
    /// The server, as HOST:PORT (the port defaults to 443; IPv6 as [::1]:443).
    address: String,
    /// CA certificates to trust instead of the system store (PEM or DER file).
    #[arg(long)]
    ca: Option<String>,
    /// Client certificate chain, leaf first (PEM or DER file).
    #[arg(long, requires = "key")]
    cert: Option<String>,
    /// The client certificate's private key (PEM or DER file).
    #[arg(long, requires = "cert")]
    key: Option<String>,
    /// tls1.2, tls1.3, tls1.2+, tls1.3+, secure (TLS 1.2 and 1.3) or any.
    #[arg(long, default_value = "secure")]
    protocol: SslProtocol,
    /// Colon-separated cipher list, in preference order (IANA or OpenSSL names).
    #[arg(long)]
    ciphers: Option<String>,
    /// verify, query or none (keep going, show the errors); auto means verify for a client.
    #[arg(long, default_value = "auto")]
    verify_mode: PeerVerifyMode,
    /// ALPN protocols to offer, in preference order (repeat or comma-separate).
    #[arg(long)]
    alpn: Vec<String>,
    /// The host name to send as SNI and to verify the certificate against (default: HOST).
    #[arg(long)]
    servername: Option<String>,
    /// Data to send after the handshake (\r, \n and \t escapes allowed); the reply is printed.
    #[arg(long)]
    send: Option<String>,
    /// Every TLS setting from this TOML settings file instead of the flags: its top level
    /// and its [client] table (needs feature `serde`; see sslconf::SettingsFile).
    #[arg(long, value_name = "FILE", conflicts_with_all = [
        "ca", "cert", "key", "protocol", "ciphers", "verify_mode", "alpn",
    ])]
    config: Option<std::path::PathBuf>,
    /// Seconds to wait for the connection, the handshake and each read.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            support::report("error", &*err);
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), BoxError> {
    let config = match &args.config {
        Some(path) => settings_file(path)?,
        None => configuration(args)?,
    };
    let (host, address) = split_address(&args.address);
    let host = args.servername.as_deref().unwrap_or(host);

    let timeout = Duration::from_secs(args.timeout.max(1));
    let socket = connect_tcp(&address, timeout)?;
    socket.set_read_timeout(Some(timeout))?;
    socket.set_write_timeout(Some(timeout))?;
    println!("CONNECTED to {}", socket.peer_addr()?);
    let mut tls = config.connect(host, socket)?;
    let state = tls.session_state();

    println!("---\nCertificate chain");
    for (i, cert) in state.peer_certificate_chain().iter().enumerate() {
        print!("{}", support::describe_certificate(i, cert));
    }
    println!("---\n{}", support::describe(state, Side::Client));

    if let Some(data) = &args.send {
        let data = data
            .replace("\\r", "\r")
            .replace("\\n", "\n")
            .replace("\\t", "\t");
        tls.write_all(data.as_bytes())?;
        tls.flush()?;
        let mut reply = Vec::new();
        match tls.read_to_end(&mut reply) {
            Ok(_) => {}
            // Many servers close without close_notify: show what came anyway.
            Err(err) if err.kind() == ErrorKind::UnexpectedEof => {}
            Err(err) if !reply.is_empty() && is_timeout(&err) => {
                eprintln!("(no more data within {}s)", timeout.as_secs());
            }
            Err(err) => return Err(err.into()),
        }
        println!("---\n{}", String::from_utf8_lossy(&reply));
    } else {
        // A TLS 1.3 server checks the client's certificate after the client's
        // side of the handshake is complete, so a rejection arrives as an
        // alert only now: close, and wait briefly for the server's answer.
        let _ = tls.shutdown(); // the server may already have closed
        tls.get_ref()
            .set_read_timeout(Some(Duration::from_millis(1000)))?;
        let mut rest = Vec::new();
        match tls.read_to_end(&mut rest) {
            Ok(_) => {}
            Err(err)
                if is_timeout(&err)
                    || matches!(
                        err.kind(),
                        ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset
                    ) => {}
            Err(err) => return Err(format!("after the handshake: {err}").into()),
        }
    }
    Ok(())
}

fn configuration(args: &Args) -> Result<SslConfiguration, BoxError> {
    let mut config = SslConfiguration::default_configuration()
        .with_protocol(args.protocol)
        .with_peer_verify_mode(args.verify_mode)
        .with_allowed_next_protocols(support::split_list(&args.alpn));
    if let Some(ca) = &args.ca {
        config = config.with_ca_certificates(Certificate::from_path(ca)?);
    }
    if let (Some(cert), Some(key)) = (&args.cert, &args.key) {
        config = config.with_local_identity(Identity::new(
            Certificate::from_path(cert)?,
            PrivateKey::from_path(key)?,
        ));
    }
    if let Some(list) = &args.ciphers {
        config = config.with_cipher_list(list)?;
    }
    // Report settings rustls cannot honour before connecting.
    config.client_config()?;
    Ok(config)
}

/// `--config`: the client side of a settings file (its top level and its
/// `[client]` table), converted when read.
fn settings_file(path: &std::path::Path) -> Result<SslConfiguration, BoxError> {
    #[cfg(feature = "serde")]
    {
        Ok(SslConfiguration::from_toml_file(
            path,
            sslconf::Side::Client,
        )?)
    }
    #[cfg(not(feature = "serde"))]
    {
        let _ = path;
        Err("--config needs the `serde` feature: build with --features serde".into())
    }
}

/// Splits `HOST[:PORT]` into the bare host (no IPv6 brackets) and an address
/// with a port (443 when none was given).
fn split_address(address: &str) -> (&str, String) {
    if let Some(rest) = address.strip_prefix('[') {
        // [v6]:port or [v6]
        if let Some((host, port)) = rest.split_once(']') {
            let port = port.strip_prefix(':').unwrap_or("443");
            return (host, format!("[{host}]:{port}"));
        }
    }
    match address.rsplit_once(':') {
        // Exactly one colon: host:port.
        Some((host, port)) if !host.contains(':') => (host, format!("{host}:{port}")),
        // A bare IPv6 address.
        Some(_) => (address, format!("[{address}]:443")),
        None => (address, format!("{address}:443")),
    }
}

/// Connects to the first address of `address` that answers within `timeout`.
fn connect_tcp(address: &str, timeout: Duration) -> Result<TcpStream, BoxError> {
    let mut last = None;
    for addr in address.to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(socket) => return Ok(socket),
            Err(err) => last = Some(err),
        }
    }
    Err(match last {
        Some(err) => format!("cannot connect to {address}: {err}").into(),
        None => format!("{address} has no address").into(),
    })
}

fn is_timeout(err: &std::io::Error) -> bool {
    matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}
