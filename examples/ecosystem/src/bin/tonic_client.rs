//! A tonic gRPC client over `sslconf`: a private CA, a client certificate
//! for mutual TLS, the client's own view of the connection, and Qt's error
//! list when the server's certificate is wrong.
//!
//! ```sh
//! cargo run -p sslconf-ecosystem --bin tonic_client -- --ca ca.pem \
//!     --cert client.pem --key client.key --name world https://localhost:50051
//! ```
//!
//! tonic's own TLS (`ClientTlsConfig`) takes no rustls `ClientConfig`. Here
//! the channel connects through a custom connector
//! (`Endpoint::connect_with_connector`), a function from the URI to a
//! stream made by `connect_async`; tonic speaks HTTP/2 over it. A failed
//! handshake is this crate's `Error` inside tonic's transport error
//! (`sslconf::Error::find_in` finds it).

use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::Parser;
use greeter::{GreeterClient, HelloRequest};
use hyper_util::rt::TokioIo;
use sslconf::SessionState;
use sslconf_ecosystem::{greeter, support};
use support::{BoxError, ClientFlags, Side};
use tonic::transport::{Endpoint, Uri};

/// Calls the Greeter gRPC service over mutual TLS.
#[derive(Parser)]
struct Args {
    /// The server, as https://HOST:PORT (HOST is the name its certificate must hold).
    url: String,
    #[command(flatten)]
    tls: ClientFlags,
    /// The name to send.
    #[arg(long, default_value = "world")]
    name: String,
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
            support::report_with_tls("error", &*err);
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<(), BoxError> {
    // gRPC is HTTP/2: offer "h2" only.
    let config = args.tls.configuration(&["h2"])?;
    // The connector records each connection's state, for printing below.
    let seen: Arc<Mutex<Option<SessionState>>> = Arc::default();
    let record = seen.clone();
    let connector = tower::service_fn(move |uri: Uri| {
        let (config, record) = (config.clone(), record.clone());
        async move {
            let host = uri
                .host()
                .ok_or_else(|| format!("{uri}: no host"))?
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned();
            let port = uri.port_u16().unwrap_or(443);
            let socket = tokio::net::TcpStream::connect((host.as_str(), port)).await?;
            let tls = config.connect_async(&host, socket).await?;
            *record.lock().unwrap_or_else(|e| e.into_inner()) = Some(tls.session_state().clone());
            Ok::<_, BoxError>(TokioIo::new(tls))
        }
    });
    let channel = Endpoint::from_shared(args.url.clone())?
        .connect_with_connector(connector)
        .await?;
    if let Some(state) = seen.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
        print!("{}", support::describe(state, Side::Client));
    }
    let mut client = GreeterClient::new(channel);
    let reply = client
        .say_hello(HelloRequest {
            name: args.name.clone(),
        })
        .await?
        .into_inner();
    println!("reply                 {}", reply.message);
    println!("server saw client     {}", reply.client_certificate);
    println!("server saw protocol   {}", reply.protocol);
    println!("server saw cipher     {}", reply.cipher);
    Ok(())
}
