//! The config builds the `config` and `ratios` benches compare: each rustls
//! config built by hand with the settings the sslconf call next to it
//! produces, and the first system-store config of a process, timed in a
//! child process.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use sslconf::{Certificate, PeerVerifyMode, PrivateKey, SslConfiguration};

use super::{backend, ticketer, Identity};

pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(backend::default_provider())
}

/// A client trusting `roots`, with rustls's default versions and resumption.
pub fn rustls_with_roots(
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

/// A client trusting `id`'s CA, its `RootCertStore` built each time.
pub fn rustls_explicit(provider: &Arc<CryptoProvider>, id: &Identity) -> Arc<ClientConfig> {
    rustls_with_roots(provider, Arc::new(id.roots()))
}

pub fn sslconf_explicit(id: &Identity) -> Arc<ClientConfig> {
    SslConfiguration::new()
        .with_ca_certificates([id.ca.clone()])
        .client_config()
        .unwrap()
}

/// The system store loaded, parsed and built into a client each time.
#[cfg(feature = "native-certs")]
pub fn rustls_system(provider: &Arc<CryptoProvider>) -> Arc<ClientConfig> {
    rustls_with_roots(provider, Arc::new(native_roots()))
}

/// The system store as rustls-native-certs loads it and rustls keeps it.
#[cfg(feature = "native-certs")]
pub fn native_roots() -> RootCertStore {
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    roots
}

pub fn sslconf_system() -> Arc<ClientConfig> {
    SslConfiguration::new().client_config().unwrap()
}

/// `id`'s chain and key parsed from PEM into a server config with what
/// sslconf's defaults mean in rustls: its own cipher order, tickets.
pub fn rustls_server_pem(provider: &Arc<CryptoProvider>, id: &Identity) -> Arc<ServerConfig> {
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
    config.ignore_client_order = true;
    config.ticketer = ticketer();
    Arc::new(config)
}

pub fn sslconf_server_pem(id: &Identity) -> Arc<ServerConfig> {
    SslConfiguration::new()
        .with_local_identity(sslconf::Identity::new(
            Certificate::from_pem(id.chain_pem.as_bytes()).unwrap(),
            PrivateKey::from_pem(id.key_pem.as_bytes()).unwrap(),
        ))
        .with_peer_verify_mode(PeerVerifyMode::VerifyNone)
        .server_config()
        .unwrap()
}

/// Set in a child process to the first call it should time.
pub const FIRST_CALL_ENV: &str = "SSLCONF_BENCH_FIRST_CALL";

/// The first system-store client config of a process as `mode` makes it:
/// `sslconf`, `rustls` (native-certs load, `add_parsable_certificates`,
/// build) or `native-certs-load` (only loading the store). Not inlined:
/// callgrind collects in `*measured_loop*`.
#[inline(never)]
pub fn measured_loop_first_call(mode: &str) {
    match mode {
        "sslconf" => drop(black_box(sslconf_system())),
        #[cfg(feature = "native-certs")]
        "rustls" => drop(black_box(rustls_system(&provider()))),
        #[cfg(feature = "native-certs")]
        "native-certs-load" => drop(black_box(rustls_native_certs::load_native_certs())),
        other => panic!("unknown first-call mode {other}"),
    }
}

/// In a child process started by [`time_first_call`]: when `FIRST_CALL_ENV`
/// is set, times that first call, prints nanoseconds and returns true.
pub fn run_first_call_child() -> bool {
    let Ok(mode) = std::env::var(FIRST_CALL_ENV) else {
        return false;
    };
    let start = Instant::now();
    measured_loop_first_call(&mode);
    println!("{}", start.elapsed().as_nanos());
    true
}

/// Runs this bench binary as a child timing the first call of `mode`.
pub fn time_first_call(mode: &str) -> Duration {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .env(FIRST_CALL_ENV, mode)
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
