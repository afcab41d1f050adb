//! A load generator in the manner of `openssl s_time`, on sslconf's blocking
//! client: one thread making TLS connections one after the other for a
//! number of seconds, full handshakes or resumed ones, with a chosen list of
//! key-exchange groups (`openssl s_time` from OpenSSL 3.0 has no ML-KEM, so
//! this is how `scripts/nginx-bench.sh LOADGEN=rust` loads both servers with
//! the hybrid X25519MLKEM768). Not a criterion bench: it prints what
//! `s_time` prints, and the script reads it.
//!
//! ```sh
//! cargo bench -p sslconf-benches --bench tls_load -- --connect 127.0.0.1:8443 --time 5 --new
//! cargo bench -p sslconf-benches --bench tls_load -- --connect 127.0.0.1:8443 --time 5 --reuse --www / --groups X25519
//! ```
//!
//! Prints `N connections in T real seconds`, then `R reused`, then the
//! negotiated groups and how often each was seen. Every certificate is
//! accepted (`VerifyNone`): the client's verification is no part of the
//! server's cost being measured, and `s_time` does not verify either.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use sslconf::{KeyExchangeGroup, PeerVerifyMode, SslConfiguration, SslOption, SslProtocol};

struct Args {
    connect: String,
    seconds: u64,
    reuse: bool,
    www: Option<String>,
    groups: Vec<KeyExchangeGroup>,
    tls12: bool,
}

fn parse() -> Result<Args, String> {
    let mut args = Args {
        connect: "127.0.0.1:8443".into(),
        seconds: 10,
        reuse: false,
        www: None,
        groups: Vec::new(),
        tls12: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--connect" => args.connect = value()?,
            "--time" => args.seconds = value()?.parse().map_err(|e| format!("--time: {e}"))?,
            "--new" => args.reuse = false,
            "--reuse" => args.reuse = true,
            "--www" => args.www = Some(value()?),
            "--groups" => {
                args.groups = value()?
                    .split(',')
                    .filter(|g| !g.is_empty() && *g != "default")
                    .map(str::parse)
                    .collect::<Result<_, _>>()
                    .map_err(|e| format!("--groups: {e}"))?;
            }
            "--tls1_2" => args.tls12 = true,
            // What `cargo bench` passes to every bench binary.
            "--bench" => {}
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(args) => args,
        Err(err) => {
            eprintln!("tls_load: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut config = SslConfiguration::new()
        .with_peer_verify_mode(PeerVerifyMode::VerifyNone)
        .with_protocol(if args.tls12 {
            SslProtocol::TlsV1_2
        } else {
            SslProtocol::TlsV1_3
        })
        .with_ssl_option(SslOption::DisableSessionSharing, !args.reuse)
        .unwrap();
    if !args.groups.is_empty() {
        config = config.with_key_exchange_groups(args.groups.clone());
    }
    let request = args
        .www
        .as_ref()
        .map(|path| format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));

    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let start = Instant::now();
    let (mut connections, mut reused, mut failures) = (0u64, 0u64, 0u64);
    let mut groups: BTreeMap<String, u64> = BTreeMap::new();
    while Instant::now() < deadline {
        match one(&config, &args.connect, request.as_deref()) {
            Ok((resumed, group)) => {
                connections += 1;
                reused += u64::from(resumed);
                *groups.entry(group).or_default() += 1;
            }
            Err(err) => {
                failures += 1;
                if failures <= 5 {
                    eprintln!("tls_load: {err}");
                }
            }
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    println!("{connections} connections in {elapsed:.2} real seconds");
    println!("{reused} reused");
    println!("{failures} failed");
    for (group, n) in groups {
        println!("group {group}: {n}");
    }
    ExitCode::SUCCESS
}

/// One connection: the handshake, then with a request, the request and the
/// whole answer (which carries TLS 1.3 tickets), then close_notify.
fn one(
    config: &SslConfiguration,
    addr: &str,
    request: Option<&str>,
) -> Result<(bool, String), Box<dyn std::error::Error>> {
    let socket = TcpStream::connect(addr)?;
    socket.set_nodelay(true)?;
    socket.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut tls = config.connect("localhost", socket)?;
    if let Some(request) = request {
        tls.write_all(request.as_bytes())?;
        tls.flush()?;
        let mut answer = Vec::new();
        match tls.read_to_end(&mut answer) {
            Ok(_) => {}
            // A server that closes without close_notify (nginx does after `Connection: close`).
            Err(err) if err.kind() == std::io::ErrorKind::UnexpectedEof => {}
            Err(err) => return Err(err.into()),
        }
    }
    let state = tls.session_state();
    let group = state
        .key_exchange_group()
        .map_or_else(|| "-".to_owned(), |g| g.to_string());
    let resumed = state.is_resumed();
    let _ = tls.shutdown();
    Ok((resumed, group))
}
