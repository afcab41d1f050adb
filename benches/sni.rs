//! What choosing a certificate by server name costs as names grow: full
//! TLS 1.3 handshakes (in memory) against servers holding 1, 100 and
//! 10,000 named identities, the client asking for one of them, measured
//! interleaved in one run (a batch of each per round, the order rotating);
//! the median of the per-round ratios to the one-name server is reported.
//!
//! ```sh
//! cargo bench -p sslconf-benches --bench sni            # SNI_ROUNDS=15 SNI_BATCH=200 to change the run
//! ```

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rcgen::{CertificateParams, KeyPair};
use sslconf::rustls::pki_types::ServerName;
use sslconf::rustls::{ClientConfig, ClientConnection, ServerConfig, ServerConnection};
use sslconf::{Certificate, Identity, PeerVerifyMode, PrivateKey, SslConfiguration, SslOption};

const SIZES: [usize; 3] = [1, 100, 10_000];

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn identity(name: &str) -> Identity {
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec![name.to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    Identity::new(
        [Certificate::from_der(cert.der()).unwrap()],
        PrivateKey::from_der(&key.serialize_der()).unwrap(),
    )
}

/// A server with `count` named identities, `host-0.example` among them.
fn server(count: usize) -> Arc<ServerConfig> {
    let mut config = SslConfiguration::new().with_unknown_server_names_refused(true);
    for i in 0..count {
        let name = format!("host-{i}.example");
        config = config.with_server_name_identity([name.clone()], identity(&name));
    }
    config.server_config().unwrap()
}

/// One full handshake in memory.
fn handshake(client: &Arc<ClientConfig>, server: &Arc<ServerConfig>, name: &ServerName<'static>) {
    let mut c = ClientConnection::new(client.clone(), name.clone()).unwrap();
    let mut s = ServerConnection::new(server.clone()).unwrap();
    let mut buf = Vec::with_capacity(4096);
    while c.is_handshaking() || s.is_handshaking() || c.wants_write() || s.wants_write() {
        buf.clear();
        while c.wants_write() {
            c.write_tls(&mut buf).unwrap();
        }
        if !buf.is_empty() {
            s.read_tls(&mut &buf[..]).unwrap();
            s.process_new_packets().unwrap();
        }
        buf.clear();
        while s.wants_write() {
            s.write_tls(&mut buf).unwrap();
        }
        if !buf.is_empty() {
            c.read_tls(&mut &buf[..]).unwrap();
            c.process_new_packets().unwrap();
        }
    }
    black_box((c, s));
}

fn main() {
    // `cargo bench` passes --bench; a plain run with a filter does nothing else.
    let rounds = env("SNI_ROUNDS", 15);
    let batch = env("SNI_BATCH", 200);
    let servers: Vec<Arc<ServerConfig>> = SIZES.iter().map(|&n| server(n)).collect();
    let client = SslConfiguration::new()
        .with_peer_verify_mode(PeerVerifyMode::VerifyNone)
        .with_ssl_option(SslOption::DisableSessionSharing, true)
        .unwrap()
        .client_config()
        .unwrap();
    let name = ServerName::try_from("host-0.example").unwrap();
    for server in &servers {
        handshake(&client, server, &name);
    }
    let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); SIZES.len()];
    let mut per_handshake: Vec<Vec<Duration>> = vec![Vec::new(); SIZES.len()];
    for round in 0..rounds {
        let mut times = [Duration::ZERO; SIZES.len()];
        for k in 0..SIZES.len() {
            let i = (k + round) % SIZES.len();
            let start = Instant::now();
            for _ in 0..batch {
                handshake(&client, &servers[i], &name);
            }
            times[i] = start.elapsed();
        }
        for i in 0..SIZES.len() {
            ratios[i].push(times[i].as_secs_f64() / times[0].as_secs_f64());
            per_handshake[i].push(times[i] / batch as u32);
        }
    }
    println!(
        "| named identities | handshake (median) | ratio to 1 name (median of {rounds} rounds) |"
    );
    println!("|---:|---:|---:|");
    for (i, size) in SIZES.iter().enumerate() {
        ratios[i].sort_by(f64::total_cmp);
        per_handshake[i].sort();
        println!(
            "| {size} | {:.1} µs | {:.4} |",
            per_handshake[i][rounds / 2].as_secs_f64() * 1e6,
            ratios[i][rounds / 2]
        );
    }
}
