//! The async path: `SslConfiguration::{connect_async, accept_async}` against tokio-rustls's
//! `TlsConnector`/`TlsAcceptor` with the equivalent rustls configs, over an
//! in-memory `tokio::io::duplex` pipe on a current-thread runtime.
//!
//! - `handshake/…`: connect and accept joined, then one byte from server to
//!   client (so the client reads the server's session tickets, as a real
//!   client would before its next connection). Both sides' time.
//! - `bulk/…`: 1 MiB written by the client and read by the server.
//!
//! ```sh
//! cargo bench -p sslconf-benches --bench tokio
//! ```

use sslconf_benches as common;

use std::time::{Duration, Instant};

use common::async_io::{connect, resumed, runtime, transfer};
use common::{Groups, Impl, Key, Setup, Version, MIB};
use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};

fn handshakes(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("tokio/handshake");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    for setup in [
        Setup::new(Version::Tls13, Key::Ecdsa, false, Groups::Default),
        Setup::new(Version::Tls13, Key::Ecdsa, true, Groups::Default),
        Setup::new(Version::Tls12, Key::Ecdsa, false, Groups::Default),
        Setup::new(Version::Tls12, Key::Ecdsa, true, Groups::Default),
    ] {
        for imp in Impl::BOTH {
            let pair = setup.pair(imp);
            rt.block_on(async {
                for _ in 0..3 {
                    connect(&pair).await;
                }
                assert_eq!(
                    resumed(&connect(&pair).await),
                    setup.resume,
                    "{}",
                    setup.name()
                );
            });
            group.bench_function(BenchmarkId::new(imp.name(), setup.name()), |b| {
                b.iter_custom(|iters| {
                    rt.block_on(async {
                        let start = Instant::now();
                        for _ in 0..iters {
                            std::hint::black_box(connect(&pair).await);
                        }
                        start.elapsed()
                    })
                })
            });
        }
    }
    group.finish();
}

fn bulk(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("tokio/bulk");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Bytes(MIB as u64));
    let data = vec![0x5a_u8; MIB];
    let mut sink = vec![0_u8; 64 * 1024];
    let setup = Setup::bulk("TLS_AES_128_GCM_SHA256");
    for imp in Impl::BOTH {
        let pair = setup.pair(imp);
        let mut streams = rt.block_on(connect(&pair));
        group.bench_function(
            BenchmarkId::new(imp.name(), "TLS_AES_128_GCM_SHA256"),
            |b| b.iter(|| rt.block_on(transfer(&mut streams, &data, &mut sink))),
        );
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // Plots (plotters, no gnuplot here) take longer than the measurements.
    config = Criterion::default().without_plots();
    targets = handshakes, bulk
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
