//! reqwest with this crate's client configuration: a private CA, a client
//! certificate for mutual TLS, and Qt's error list when the server's
//! certificate is wrong.
//!
//! ```sh
//! cargo run -p sslconf-ecosystem --bin reqwest_client -- --ca ca.pem \
//!     --cert client.pem --key client.key https://localhost:8443/
//! ```
//!
//! reqwest takes the rustls `ClientConfig` by value
//! (`ClientBuilder::use_preconfigured_tls`): clone it out of the `Arc`. The
//! clone shares this crate's verifier, so the chain is verified (and
//! explained) here. Build reqwest without its own roots or provider, e.g.
//! `default-features = false, features = ["rustls-tls-manual-roots-no-provider", "http2"]`,
//! and set ALPN on the configuration: reqwest does not add it to one it is
//! given. A wrong certificate fails the request with a `reqwest::Error`
//! whose `source()` chain ends in an `io::Error` that hides the rustls error
//! inside it; `sslconf::Error::find_in` finds it and gives its `ssl_errors()`.

use std::process::ExitCode;

use clap::Parser;
use sslconf_ecosystem::support;
use support::{BoxError, ClientFlags};

/// Fetches a URL with reqwest over this crate's TLS client configuration.
#[derive(Parser)]
struct Args {
    /// The https:// URL to fetch.
    url: String,
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
    let alpn: &[&str] = if args.http1 {
        &["http/1.1"]
    } else {
        &["h2", "http/1.1"]
    };
    let config = args.tls.configuration(alpn)?;
    let tls = (*config.client_config()?).clone();
    let client = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .https_only(true)
        .build()?;
    let response = client.get(&args.url).send().await?;
    println!("status {}", response.status());
    println!("version {:?}", response.version());
    print!("{}", response.text().await?);
    Ok(())
}
