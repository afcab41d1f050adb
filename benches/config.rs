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
//! cargo bench --bench config
//! cargo bench --bench config -- system-first
//! ```

mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{backend, pki, Identity};
use criterion::{criterion_group, BenchmarkId, Criterion};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use sslconf::{Certificate, PeerVerifyMode, PrivateKey, SslConfiguration};

/// Set in a child process to the one call it should time.
const CHILD_ENV: &str = "SSLCONF_BENCH_CONFIG_CHILD";

fn provider() -> Arc<CryptoProvider> {
    Arc::new(backend::default_provider())
}

fn rustls_explicit(provider: &Arc<CryptoProvider>, id: &Identity) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    roots.add(id.ca_der.clone()).unwrap();
    Arc::new(
        ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

fn sslconf_explicit(id: &Identity) -> Arc<ClientConfig> {
    SslConfiguration::new()
        .with_ca_certificates([id.ca.clone()])
        .client_config()
        .unwrap()
}

#[cfg(feature = "native-certs")]
fn rustls_system(provider: &Arc<CryptoProvider>) -> Arc<ClientConfig> {
    let loaded = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(loaded.certs);
    rustls_with_roots(provider, Arc::new(roots))
}

fn rustls_with_roots(
    provider: &Arc<CryptoProvider>,
    roots: Arc<RootCertStore>,
) -> Arc<ClientConfig> {
    Arc::new(
        ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

fn sslconf_system() -> Arc<ClientConfig> {
    SslConfiguration::new().client_config().unwrap()
}

fn rustls_server_pem(provider: &Arc<CryptoProvider>, id: &Identity) -> Arc<ServerConfig> {
    let chain = CertificateDer::pem_slice_iter(id.chain_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(id.key_pem.as_bytes()).unwrap();
    let mut config = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    // What sslconf's defaults mean in rustls: its own cipher order, tickets.
    config.ignore_client_order = true;
    config.ticketer = common::ticketer();
    Arc::new(config)
}

fn sslconf_server_pem(id: &Identity) -> Arc<ServerConfig> {
    SslConfiguration::new()
        .with_local_certificate_chain(Certificate::from_pem(id.chain_pem.as_bytes()).unwrap())
        .with_private_key(PrivateKey::from_pem(id.key_pem.as_bytes()).unwrap())
        .with_peer_verify_mode(PeerVerifyMode::VerifyNone)
        .server_config()
        .unwrap()
}

/// In a child process: time the one call named by `mode`, print nanoseconds.
fn child(mode: &str) {
    let start = Instant::now();
    match mode {
        "sslconf" => drop(black_box(sslconf_system())),
        #[cfg(feature = "native-certs")]
        "rustls" => drop(black_box(rustls_system(&provider()))),
        #[cfg(feature = "native-certs")]
        "native-certs-load" => drop(black_box(rustls_native_certs::load_native_certs())),
        other => panic!("unknown child mode {other}"),
    }
    println!("{}", start.elapsed().as_nanos());
}

/// Runs this binary as a child timing `mode`; returns the time it reports.
fn time_in_child(mode: &str) -> Duration {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .env(CHILD_ENV, mode)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let nanos: u64 = String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    Duration::from_nanos(nanos)
}

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
                b.iter_custom(|iters| (0..iters).map(|_| time_in_child(mode)).sum())
            });
        }
        // Loads the store into sslconf's per-process cache.
        sslconf_system();
        let preloaded = Arc::new({
            let mut roots = RootCertStore::empty();
            roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
            roots
        });
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
    if let Ok(mode) = std::env::var(CHILD_ENV) {
        child(&mode);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
