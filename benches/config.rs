//! Building configs: sslconf's conversion against building the same rustls
//! config by hand.
//!
//! - `explicit-roots`: a client trusting one CA. sslconf: a fresh
//!   `SslConfiguration::new().with_ca_certificates([ca])` each iteration, then
//!   `client_config()`; rustls: a `RootCertStore` with the CA and
//!   `ClientConfig::builder_with_provider(..).with_safe_default_protocol_versions()`.
//! - `system-first`: the first system-store client config of a process, each
//!   iteration in a fresh child process that times just that call: sslconf's
//!   `client_config()` (which loads and caches the store) against
//!   rustls-native-certs load + `RootCertStore::add_parsable_certificates` +
//!   build, and against the native-certs load alone.
//! - `system-cached`: later system-store client configs (sslconf has the store
//!   cached per process) against rustls load + parse + build every time, and
//!   against rustls with a `RootCertStore` loaded once (`rustls-preloaded`).
//! - `server-pem/{ecdsa,rsa}`: parse a certificate chain and key from PEM and
//!   build a server config.
//! - `converted`: `client_config()` on a value already converted, against
//!   cloning the `Arc` (target: under 100 ns).
//!
//! ```sh
//! cargo bench -p sslconf-benches --bench config
//! cargo bench -p sslconf-benches --bench config -- system-first
//! ```

use sslconf_benches as common;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

#[cfg(feature = "native-certs")]
use common::configs::{
    native_roots, rustls_system, rustls_with_roots, sslconf_system, time_first_call,
};
use common::configs::{
    provider, run_first_call_child, rustls_explicit, rustls_server_pem, sslconf_explicit,
    sslconf_server_pem,
};
use common::pki;
use criterion::{criterion_group, BenchmarkId, Criterion};
use sslconf::SslConfiguration;

fn configs(c: &mut Criterion) {
    let provider = provider();
    let mut group = c.benchmark_group("config");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));

    let id = &pki().ecdsa;
    group.bench_function(BenchmarkId::new("rustls", "explicit-roots"), |b| {
        b.iter(|| rustls_explicit(&provider, id))
    });
    group.bench_function(BenchmarkId::new("sslconf", "explicit-roots"), |b| {
        b.iter(|| sslconf_explicit(id))
    });

    for (name, id) in [("ecdsa", &pki().ecdsa), ("rsa", &pki().rsa)] {
        let param = format!("server-pem/{name}");
        group.bench_function(BenchmarkId::new("rustls", &param), |b| {
            b.iter(|| rustls_server_pem(&provider, id))
        });
        group.bench_function(BenchmarkId::new("sslconf", &param), |b| {
            b.iter(|| sslconf_server_pem(id))
        });
    }

    let raw = rustls_explicit(&provider, id);
    let converted = SslConfiguration::new().with_ca_certificates([id.ca.clone()]);
    converted.client_config().unwrap();
    group.bench_function(BenchmarkId::new("rustls", "converted"), |b| {
        b.iter(|| Arc::clone(black_box(&raw)))
    });
    group.bench_function(BenchmarkId::new("sslconf", "converted"), |b| {
        b.iter(|| black_box(&converted).client_config().unwrap())
    });
    group.finish();

    #[cfg(feature = "native-certs")]
    {
        let mut group = c.benchmark_group("config");
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(3));
        for (variant, mode) in [
            ("rustls", "rustls"),
            ("sslconf", "sslconf"),
            ("native-certs-load-only", "native-certs-load"),
        ] {
            group.bench_function(BenchmarkId::new(variant, "system-first"), |b| {
                b.iter_custom(|iters| (0..iters).map(|_| time_first_call(mode)).sum())
            });
        }
        // Loads the store into sslconf's per-process cache.
        sslconf_system();
        let preloaded = Arc::new(native_roots());
        group.bench_function(BenchmarkId::new("rustls", "system-cached"), |b| {
            b.iter(|| rustls_system(&provider))
        });
        group.bench_function(BenchmarkId::new("rustls-preloaded", "system-cached"), |b| {
            b.iter(|| rustls_with_roots(&provider, preloaded.clone()))
        });
        group.bench_function(BenchmarkId::new("sslconf", "system-cached"), |b| {
            b.iter(sslconf_system)
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    // Plots (plotters, no gnuplot here) take longer than the measurements.
    config = Criterion::default().without_plots();
    targets = configs
}

fn main() {
    if run_first_call_child() {
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
