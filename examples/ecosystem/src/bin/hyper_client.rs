//! hyper (hyper-util's client) over a hyper-rustls connector made from this
//! crate's client configuration: a private CA, a client certificate for
//! mutual TLS, and Qt's error list when the server's certificate is wrong.
//!
//! ```sh
//! cargo run -p sslconf-ecosystem --bin hyper_client -- --ca ca.pem \
//!     --cert client.pem --key client.key https://localhost:8443/
//! ```
//!
//! `HttpsConnectorBuilder::with_tls_config` takes the rustls `ClientConfig`
//! by value: clone it out of the `Arc` (the clone shares this crate's
//! verifier). `enable_http1`/`enable_http2` set the ALPN list themselves,
//! and `with_tls_config` panics on a config that has one: leave
//! `with_allowed_next_protocols` unset. HTTP/1.1 alone offers no ALPN (the
//! axum example then serves HTTP/1.1).
//! Build hyper-rustls with `default-features = false` (and `http1`, `http2`,
//! `tls12`): no second provider, no roots of its own.

use std::process::ExitCode;

use clap::Parser;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use sslconf_ecosystem::support;
use support::{BoxError, ClientFlags};

/// Fetches a URL with hyper over this crate's TLS client configuration.
#[derive(Parser)]
struct Args {
    /// The https:// URL to fetch.
    url: hyper::Uri,
    #[command(flatten)]
    tls: ClientFlags,
    /// Offer HTTP/1.1 only (ALPN), not HTTP/2.
    #[arg(long)]
    http1: bool,
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
    // No ALPN here: hyper-rustls sets it (see above).
    let config = args.tls.configuration(&[])?;
    let tls = (*config.client_config()?).clone();
    let builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_only();
    let connector = if args.http1 {
        builder.enable_http1().build()
    } else {
        builder.enable_http1().enable_http2().build()
    };
    let client = Client::builder(TokioExecutor::new()).build::<_, Empty<Bytes>>(connector);
    let response = client.get(args.url.clone()).await?;
    println!("status {}", response.status());
    println!("version {:?}", response.version());
    let body = response.into_body().collect().await?.to_bytes();
    print!("{}", String::from_utf8_lossy(&body));
    Ok(())
}
