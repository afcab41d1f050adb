//! The system CA store, loaded once per process.

use std::sync::OnceLock;

use rustls::pki_types::{CertificateDer, TrustAnchor};

use crate::Certificate;

/// The system store: its certificates and the same certificates as webpki
/// trust anchors, index for index.
struct SystemStore {
    certificates: Vec<Certificate>,
    anchors: Vec<TrustAnchor<'static>>,
}

impl SystemStore {
    /// Keeps the certificates webpki can use as trust anchors, parsing each
    /// once; the rest are left out, as rustls does.
    fn from_ders(ders: impl IntoIterator<Item = CertificateDer<'static>>) -> Self {
        let mut store = Self {
            certificates: Vec::new(),
            anchors: Vec::new(),
        };
        for der in ders {
            let Ok(anchor) = webpki::anchor_from_trusted_cert(&der).map(|a| a.to_owned()) else {
                continue;
            };
            store.anchors.push(anchor);
            store.certificates.push(Certificate::lazily_parsed(der));
        }
        store
    }

    /// Loaded on first use and kept for the life of the process.
    fn get() -> &'static Self {
        static SYSTEM: OnceLock<SystemStore> = OnceLock::new();
        SYSTEM.get_or_init(|| {
            let native = native_store();
            if native.certificates.is_empty() {
                bundled_store()
            } else {
                native
            }
        })
    }
}

/// The operating system's CA certificates, loaded on first use and kept for
/// the life of the process. Where the OS has none (or the `native-certs`
/// feature is off), Mozilla's roots bundled by `webpki-root-certs`.
/// Certificates webpki cannot use as trust anchors are left out, as rustls
/// does; the fields of the rest are parsed only when asked for.
pub(crate) fn system_certificates() -> &'static [Certificate] {
    &SystemStore::get().certificates
}

/// The system certificates as webpki trust anchors, from the same single load
/// and parse as [`system_certificates`].
pub(crate) fn system_trust_anchors() -> &'static [TrustAnchor<'static>] {
    &SystemStore::get().anchors
}

#[cfg(feature = "native-certs")]
fn native_store() -> SystemStore {
    let loaded = rustls_native_certs::load_native_certs();
    for error in &loaded.errors {
        log::debug!("sslconf: skipping part of the system CA store: {error}");
    }
    SystemStore::from_ders(loaded.certs)
}

#[cfg(not(feature = "native-certs"))]
fn native_store() -> SystemStore {
    SystemStore::from_ders([])
}

#[cfg(feature = "webpki-roots")]
fn bundled_store() -> SystemStore {
    SystemStore::from_ders(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned())
}

#[cfg(not(feature = "webpki-roots"))]
fn bundled_store() -> SystemStore {
    SystemStore::from_ders([])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_match_certificates_one_for_one() {
        let certificates = system_certificates();
        let anchors = system_trust_anchors();
        assert_eq!(certificates.len(), anchors.len());
        for (cert, anchor) in certificates.iter().zip(anchors) {
            let reparsed = webpki::anchor_from_trusted_cert(cert.as_rustls()).unwrap();
            assert_eq!(reparsed.subject, anchor.subject);
        }
    }

    #[test]
    fn unusable_certificates_are_left_out() {
        let store = SystemStore::from_ders([CertificateDer::from(vec![0x30, 0x03, 1, 2, 3])]);
        assert!(store.certificates.is_empty());
        assert!(store.anchors.is_empty());
    }
}
