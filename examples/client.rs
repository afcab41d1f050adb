//! A TLS client: connects, prints the session state and the server's chain
//! (as `openssl s_client -showcerts` does), and exits non-zero with the
//! verification errors when the handshake fails.
//!
//! ```sh
//! cargo run --example client -- example.com:443
//! cargo run --example client -- 127.0.0.1:8443 --ca ca.pem --servername localhost --send "GET / HTTP/1.0\r\n\r\n"
//! ```

#[path = "support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use sslconf::{Certificate, PeerVerifyMode, PrivateKey, SslConfiguration, SslProtocol};

/// Connects to HOST:PORT over TLS and shows what was negotiated.
#[derive(Parser)]
struct Args {
    /// The server, as host:port.
    address: String,
    /// CA certificates to trust instead of the system store (PEM).
    #[arg(long)]
    ca: Option<String>,
    /// Client certificate chain (PEM, leaf first).
    #[arg(long, requires = "key")]
    cert: Option<String>,
    /// Client private key (PEM or DER).
    #[arg(long, requires = "cert")]
    key: Option<String>,
    /// tls1.2, tls1.3, secure (the default), ...
    #[arg(long, default_value = "secure")]
    protocol: String,
    /// Colon-separated cipher list, in preference order (IANA or OpenSSL names).
    #[arg(long)]
    ciphers: Option<String>,
    /// verify (the default), query or none.
    #[arg(long, default_value = "auto")]
    verify_mode: String,
    /// ALPN protocols, in preference order (repeat or comma-separate).
    #[arg(long)]
    alpn: Vec<String>,
    /// The name to send as SNI and verify; the host of ADDRESS by default.
    #[arg(long)]
    servername: Option<String>,
    /// Send this after the handshake (\r and \n escapes allowed) and print the reply.
    #[arg(long)]
    send: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            if let Some(err) = err.downcast_ref::<sslconf::Error>() {
                for error in err.ssl_errors() {
                    eprintln!("verification error: {error}");
                    if let Some(cert) = error.certificate() {
                        eprintln!("  certificate: {}", cert.subject_name());
                    }
                }
            }
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> support::MainResult {
    let config = configuration(args)?;
    let host = match &args.servername {
        Some(name) => name.clone(),
        None => host_of(&args.address).to_owned(),
    };
    let socket = TcpStream::connect(&args.address)?;
    socket.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut tls = config.connect(&host, socket)?;

    println!("---\nServer certificate chain");
    for (i, cert) in tls
        .session_state()
        .peer_certificate_chain()
        .iter()
        .enumerate()
    {
        print!("{}", support::describe_certificate(i, cert));
    }
    println!("---\n{}", support::describe(tls.session_state()));

    if let Some(data) = &args.send {
        tls.write_all(data.replace("\\r", "\r").replace("\\n", "\n").as_bytes())?;
        tls.flush()?;
        let mut reply = Vec::new();
        match tls.read_to_end(&mut reply) {
            Ok(_) => {}
            // Many servers close without close_notify; show what came anyway.
            Err(err) if err.kind() == std::io::ErrorKind::UnexpectedEof => {}
            Err(err) => return Err(err.into()),
        }
        println!("---\n{}", String::from_utf8_lossy(&reply));
    }
    Ok(())
}

fn configuration(args: &Args) -> Result<SslConfiguration, Box<dyn std::error::Error>> {
    let protocol = SslProtocol::from_name(&args.protocol)
        .ok_or_else(|| format!("unknown protocol {:?}", args.protocol))?;
    let mode = PeerVerifyMode::from_name(&args.verify_mode)
        .ok_or_else(|| format!("unknown verify mode {:?}", args.verify_mode))?;
    let mut config = SslConfiguration::default_configuration()
        .with_protocol(protocol)
        .with_peer_verify_mode(mode)
        .with_allowed_next_protocols(support::split_list(&args.alpn));
    if let Some(ca) = &args.ca {
        config = config.with_ca_certificates(Certificate::from_path(ca)?);
    }
    if let (Some(cert), Some(key)) = (&args.cert, &args.key) {
        config = config
            .with_local_certificate_chain(Certificate::from_path(cert)?)
            .with_private_key(PrivateKey::from_path(key)?);
    }
    if let Some(list) = &args.ciphers {
        config = config.with_cipher_list(list)?;
    }
    Ok(config)
}

/// The host part of host:port, without the brackets of an IPv6 address.
fn host_of(address: &str) -> &str {
    let host = address.rsplit_once(':').map_or(address, |(host, _)| host);
    host.trim_start_matches('[').trim_end_matches(']')
}
