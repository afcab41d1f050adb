//! The system CA store, loaded once per process.

use std::sync::OnceLock;

use crate::Certificate;

/// The operating system's CA certificates, loaded on first use and kept for
/// the life of the process. Where the OS has none (or the `native-certs`
/// feature is off), Mozilla's roots bundled by `webpki-root-certs`.
/// Certificates webpki cannot use as trust anchors are left out, as rustls
/// does; the fields of the rest are parsed only when asked for.
pub(crate) fn system_certificates() -> &'static [Certificate] {
    static SYSTEM: OnceLock<Vec<Certificate>> = OnceLock::new();
    SYSTEM.get_or_init(|| {
        let native = native_certificates();
        if native.is_empty() {
            bundled_certificates()
        } else {
            native
        }
    })
}

#[cfg(feature = "native-certs")]
fn native_certificates() -> Vec<Certificate> {
    let loaded = rustls_native_certs::load_native_certs();
    for error in &loaded.errors {
        log::debug!("sslconf: skipping part of the system CA store: {error}");
    }
    loaded
        .certs
        .into_iter()
        .filter(|der| webpki::anchor_from_trusted_cert(der).is_ok())
        .map(Certificate::lazily_parsed)
        .collect()
}

#[cfg(not(feature = "native-certs"))]
fn native_certificates() -> Vec<Certificate> {
    Vec::new()
}

#[cfg(feature = "webpki-roots")]
fn bundled_certificates() -> Vec<Certificate> {
    webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|der| Certificate::lazily_parsed(der.clone()))
        .collect()
}

#[cfg(not(feature = "webpki-roots"))]
fn bundled_certificates() -> Vec<Certificate> {
    Vec::new()
}

/// The system certificates as webpki trust anchors, built once per process.
pub(crate) fn system_trust_anchors() -> &'static [rustls::pki_types::TrustAnchor<'static>] {
    static ANCHORS: OnceLock<Vec<rustls::pki_types::TrustAnchor<'static>>> = OnceLock::new();
    ANCHORS.get_or_init(|| {
        system_certificates()
            .iter()
            .filter_map(|cert| webpki::anchor_from_trusted_cert(cert.as_rustls()).ok())
            .map(|anchor| anchor.to_owned())
            .collect()
    })
}
