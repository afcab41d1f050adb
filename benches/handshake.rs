//! Handshakes in memory, as rustls's own bench does: a client and a server
//! connection exchanging bytes through a buffer, each side's time counted
//! separately. Cases: {TLS 1.3, TLS 1.2} × {ECDSA P-256, RSA-2048} ×
//! {full, resumed} × {X25519, the provider's default groups}.
//!
//! `rustls/…` uses configs built directly with rustls (webpki verifier,
//! default builder, settings made equivalent by hand); `sslconf/…` uses the
//! `Arc`s from `client_config()`/`server_config()` of a VerifyPeer
//! configuration with the same CA, and captures each side's `SessionState`
//! after the handshake.
//!
//! `session-state/…` times `SessionState::capture` alone, on finished
//! connections.
//!
//! ```sh
//! cargo bench -p sslconf-benches --bench handshake                     # all 64, then session-state
//! cargo bench -p sslconf-benches --bench handshake -- 'tls13/ecdsa/full/x25519'
//! ```

use sslconf_benches as common;

use std::time::Duration;

use std::hint::black_box;

use common::{handshake, Groups, Impl, Key, Setup, Times, Version};
use criterion::{criterion_group, BenchmarkId, Criterion};
use sslconf::SessionState;

fn handshakes(c: &mut Criterion) {
    let mut group = c.benchmark_group("handshake");
    group
        .sample_size(10)
        // Each iteration runs both sides but reports one: real time is about
        // twice what criterion plans. This keeps the 64 under ~4 minutes.
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(1));
    for setup in Setup::handshake_cases() {
        let pairs = Impl::BOTH.map(|imp| {
            let pair = setup.pair(imp);
            common::check_handshake(&setup, &pair);
            (imp, pair)
        });
        for side in ["client", "server"] {
            for (imp, pair) in &pairs {
                let id = BenchmarkId::new(imp.name(), format!("{}/{side}", setup.name()));
                group.bench_function(id, |b| {
                    let mut buf = Vec::new();
                    b.iter_custom(|iters| {
                        let mut times = Times::default();
                        for _ in 0..iters {
                            handshake(pair, &mut times, &mut buf);
                        }
                        match side {
                            "client" => times.client,
                            _ => times.server,
                        }
                    });
                });
            }
        }
    }
    group.finish();
}

/// What `TlsStream::session_state()` costs on first call (the handshake
/// bench includes it on both sides): `SessionState::capture` of a finished
/// client connection (it parses the server's certificate) and of a server.
fn session_state(c: &mut Criterion) {
    let mut group = c.benchmark_group("session-state");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    for setup in [
        Setup::new(Version::Tls13, Key::Ecdsa, false, Groups::X25519),
        Setup::new(Version::Tls13, Key::Rsa, false, Groups::X25519),
    ] {
        let (client, server) = common::finished_connections(&setup.pair(Impl::Sslconf));
        let key = setup.name();
        group.bench_function(BenchmarkId::new("capture-client", &key), |b| {
            b.iter(|| SessionState::capture(black_box(&client)))
        });
        group.bench_function(BenchmarkId::new("capture-server", &key), |b| {
            b.iter(|| SessionState::capture_server(black_box(&server)))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // Plots (plotters, no gnuplot here) take longer than the measurements.
    config = Criterion::default().without_plots();
    targets = handshakes, session_state
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
