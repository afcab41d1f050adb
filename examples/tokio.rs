//! The tokio API: an async server and client in one process exchange a
//! message over 127.0.0.1 with `sslconf::tokio::{accept, connect}`.
//!
//! ```sh
//! cargo run --example tokio --features tokio
//! ```

#[path = "support/mod.rs"]
mod support;

use clap::Parser;
use sslconf::{Certificate, PrivateKey, SslConfiguration};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Runs an async TLS server and client on 127.0.0.1 and prints both sessions.
#[derive(Parser)]
struct Args {
    /// The message the client sends.
    #[arg(long, default_value = "hello from tokio")]
    message: String,
}

#[tokio::main]
async fn main() -> support::MainResult {
    let args = Args::parse();
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])?;
    let cert = Certificate::from_der(made.cert.der())?;
    let server = SslConfiguration::new()
        .with_local_certificate(cert.clone())
        .with_private_key(PrivateKey::from_der(&made.signing_key.serialize_der())?)
        .with_allowed_next_protocols(["echo"]);
    // Trust exactly the server's self-signed certificate.
    let client = SslConfiguration::new()
        .with_ca_certificates([cert])
        .with_allowed_next_protocols(["echo"]);

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server_task = tokio::spawn(async move {
        let (socket, _) = listener.accept().await?;
        let mut tls = sslconf::tokio::accept(&server, socket).await?;
        let mut message = Vec::new();
        tls.read_to_end(&mut message).await?;
        tls.write_all(&message).await?;
        tls.shutdown().await?;
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(tls.session_state().clone())
    });

    let socket = TcpStream::connect(addr).await?;
    let mut tls = sslconf::tokio::connect(&client, "localhost", socket).await?;
    tls.write_all(args.message.as_bytes()).await?;
    tls.shutdown().await?; // close_notify: the server reads to the end
    let mut echo = String::new();
    tls.read_to_string(&mut echo).await?;
    println!("client sent {:?}, server echoed {echo:?}\n", args.message);
    println!(
        "client session:\n{}",
        support::describe(tls.session_state())
    );
    let server_state = server_task.await?.map_err(|e| e.to_string())?;
    println!("server session:\n{}", support::describe(&server_state));
    Ok(())
}
