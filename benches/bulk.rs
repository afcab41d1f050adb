//! Bulk transfer: 1 MiB writes from client to server over an established
//! TLS 1.3 connection, one suite forced by cipher list: AES-128-GCM,
//! AES-256-GCM, ChaCha20-Poly1305. `sslconf/…` writes and reads through
//! `sslconf::TlsStream` (made by `connect`/`accept`), `rustls/…` through
//! `rustls::StreamOwned`; both over the same in-memory pipe, single-threaded
//! after the handshake (so the numbers are the TLS work and the copies, with
//! no scheduler noise), encryption and decryption both counted.
//!
//! ```sh
//! cargo bench -p sslconf-benches --bench bulk
//! ```

use sslconf_benches as common;

use std::time::Duration;

use common::{bulk_transfer, connect_streams, mem_socket_pair, Impl, Setup, MIB};
use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};

pub const SUITES: [&str; 3] = [
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
];

fn bulk(c: &mut Criterion) {
    let mut group = c.benchmark_group("bulk");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Bytes(MIB as u64));
    let data = vec![0x5a_u8; MIB];
    let mut sink = vec![0_u8; 64 * 1024];
    for suite in SUITES {
        let setup = Setup::bulk(suite);
        for imp in Impl::BOTH {
            let pair = setup.pair(imp);
            let (a, b) = mem_socket_pair();
            let mut streams = connect_streams(&pair, a, b);
            group.bench_function(BenchmarkId::new(imp.name(), suite), |b| {
                b.iter(|| bulk_transfer(&mut streams, &data, &mut sink))
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // Plots (plotters, no gnuplot here) take longer than the measurements.
    config = Criterion::default().without_plots();
    targets = bulk
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
