//! The async API, `sslconf::tokio::{accept, connect}`: a tokio server and
//! client in one process exchange a message over 127.0.0.1, then both
//! sides' session state is printed side by side.
//!
//! ```sh
//! cargo run --example tokio --features tokio
//! cargo run --example tokio --features tokio -- --message ping --protocol tls1.2
//! ```

#[path = "support/mod.rs"]
mod support;

use std::process::ExitCode;

use clap::Parser;
use sslconf::{Certificate, Identity, PrivateKey, SessionState, SslConfiguration, SslProtocol};
use support::BoxError;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Runs an async TLS server and client on 127.0.0.1 and prints both sessions.
#[derive(Parser)]
struct Args {
    /// The message the client sends and the server echoes.
    #[arg(long, default_value = "hello from tokio")]
    message: String,
    /// Protocol for the client: tls1.2, tls1.3, tls1.2+, secure, any.
    #[arg(long, default_value = "secure")]
    protocol: SslProtocol,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            support::report("error", &*err);
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<(), BoxError> {
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()])?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    let key = rcgen::KeyPair::generate()?;
    let cert = Certificate::from_der(params.self_signed(&key)?.der())?;
    let server = SslConfiguration::new()
        .with_local_identity(Identity::new(
            [cert.clone()],
            PrivateKey::from_der(&key.serialize_der())?,
        ))
        .with_allowed_next_protocols(["echo"]);
    // The client trusts exactly the server's self-signed certificate.
    let client = SslConfiguration::new()
        .with_protocol(args.protocol)
        .with_ca_certificates([cert])
        .with_allowed_next_protocols(["echo"]);
    // Settings rustls cannot honour fail here, before the server waits for a client.
    server.server_config()?;
    client.client_config()?;

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    println!("server listening on {addr}");
    let server_task = tokio::spawn(async move {
        let (socket, _) = listener.accept().await?;
        let mut tls = server.accept_async(socket).await?;
        let mut message = Vec::new();
        tls.read_to_end(&mut message).await?;
        tls.write_all(&message).await?;
        tls.shutdown().await?;
        Ok::<SessionState, BoxError>(tls.session_state().clone())
    });

    let client_result = async {
        let socket = TcpStream::connect(addr).await?;
        let mut tls = client.connect_async("localhost", socket).await?;
        tls.write_all(args.message.as_bytes()).await?;
        // close_notify and FIN: the server reads to the end, then echoes.
        tls.shutdown().await?;
        let mut echo = String::new();
        tls.read_to_string(&mut echo).await?;
        println!("client sent {:?}, server echoed {echo:?}", args.message);
        Ok::<SessionState, BoxError>(tls.session_state().clone())
    }
    .await;
    let server_result = server_task.await?;
    match (client_result, server_result) {
        (Ok(client_state), Ok(server_state)) => {
            println!();
            print!("{}", support::side_by_side(&client_state, &server_state));
            Ok(())
        }
        (Err(err), server) => {
            if let Err(server_err) = server {
                support::report("server", &*server_err);
            }
            Err(err)
        }
        (Ok(_), Err(err)) => {
            support::report("server", &*err);
            Err("the server failed".into())
        }
    }
}
