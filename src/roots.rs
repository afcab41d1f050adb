//! The system CA store, loaded once per process.

use std::ffi::OsString;
use std::fmt;
use std::sync::OnceLock;

use rustls::pki_types::{CertificateDer, TrustAnchor};

use crate::Certificate;

/// Where the system CA store came from, as
/// [`SslConfiguration::system_ca_source`](crate::SslConfiguration::system_ca_source)
/// reports it: which certificates a configuration using the system store
/// trusts, or why it trusts none.
///
/// `SSL_CERT_FILE` and `SSL_CERT_DIR` (read by rustls-native-certs, as by
/// OpenSSL) replace the operating system's store. When they are set but yield
/// no usable certificate, the store is [`Empty`](Self::Empty): an operator who
/// points the process at a private store never ends up trusting Mozilla's
/// public roots instead. A warning is logged (the `log` crate) when that
/// happens.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SystemCaSource {
    /// The operating system's store, or the certificates that `SSL_CERT_FILE`
    /// / `SSL_CERT_DIR` pointed at when either is set (feature `native-certs`).
    Native {
        /// How many certificates could be used as trust anchors.
        certificates: usize,
    },
    /// Mozilla's roots bundled with the crate (feature `webpki-roots`): the
    /// operating system's store was empty or unreadable and neither
    /// `SSL_CERT_FILE` nor `SSL_CERT_DIR` was set.
    Bundled {
        /// How many certificates could be used as trust anchors.
        certificates: usize,
    },
    /// No certificate at all: every configuration using only the system store
    /// fails to verify peers (converting one that needs to, `VerifyPeer`, is
    /// [`Error::NoCaCertificates`](crate::Error::NoCaCertificates)).
    Empty {
        /// Why, naming the variable and what went wrong, e.g.
        /// `SSL_CERT_FILE=/etc/private-ca.pem yielded no CA certificate:
        /// failed to read PEM from file: No such file or directory (os error
        /// 2) at '/etc/private-ca.pem'`.
        reason: String,
    },
}

impl SystemCaSource {
    /// How many certificates the system store holds; 0 when
    /// [`Empty`](Self::Empty).
    pub fn certificates(&self) -> usize {
        match self {
            Self::Native { certificates } | Self::Bundled { certificates } => *certificates,
            Self::Empty { .. } => 0,
        }
    }

    /// Why the system store is empty; `None` when it holds certificates.
    pub fn empty_reason(&self) -> Option<&str> {
        match self {
            Self::Empty { reason } => Some(reason),
            Self::Native { .. } | Self::Bundled { .. } => None,
        }
    }
}

impl fmt::Display for SystemCaSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Native { certificates } => {
                write!(f, "{certificates} certificates from the native store")
            }
            Self::Bundled { certificates } => {
                write!(f, "{certificates} bundled Mozilla root certificates")
            }
            Self::Empty { reason } => write!(f, "no certificates: {reason}"),
        }
    }
}

/// The system store: its certificates and the same certificates as webpki
/// trust anchors, index for index, and where they came from.
struct SystemStore {
    certificates: Vec<Certificate>,
    anchors: Vec<TrustAnchor<'static>>,
    source: SystemCaSource,
}

impl SystemStore {
    /// Keeps the certificates webpki can use as trust anchors, parsing each
    /// once; the rest are left out, as rustls does. The source is filled in
    /// by the caller.
    fn from_ders(ders: impl IntoIterator<Item = CertificateDer<'static>>) -> Self {
        let mut store = Self {
            certificates: Vec::new(),
            anchors: Vec::new(),
            source: SystemCaSource::Empty {
                reason: String::new(),
            },
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

    fn with_source(self, source: SystemCaSource) -> Self {
        Self { source, ..self }
    }

    /// Loaded on first use and kept for the life of the process.
    fn get() -> &'static Self {
        static SYSTEM: OnceLock<SystemStore> = OnceLock::new();
        SYSTEM.get_or_init(|| Self::load(&Overrides::from_env()))
    }

    /// The native store; where it is empty, the bundled roots, unless
    /// `overrides` are set: then nothing, and a warning.
    fn load(overrides: &Overrides) -> Self {
        let (native, why_empty) = native_store();
        if !native.certificates.is_empty() {
            let certificates = native.certificates.len();
            return native.with_source(SystemCaSource::Native { certificates });
        }
        if let Some(variables) = overrides.describe() {
            let reason = format!("{variables} yielded no CA certificate: {why_empty}");
            log::warn!(
                "sslconf: the system CA store is empty, {reason}; \
                 the bundled roots are not used in its place"
            );
            return native.with_source(SystemCaSource::Empty { reason });
        }
        match bundled_store() {
            Some(bundled) if !bundled.certificates.is_empty() => {
                log::debug!(
                    "sslconf: the system CA store is empty ({why_empty}); \
                     using the bundled Mozilla roots"
                );
                let certificates = bundled.certificates.len();
                bundled.with_source(SystemCaSource::Bundled { certificates })
            }
            _ => {
                let reason = format!(
                    "the operating system's CA store is empty ({why_empty}) \
                     and sslconf was built without the webpki-roots feature"
                );
                log::warn!("sslconf: {reason}");
                native.with_source(SystemCaSource::Empty { reason })
            }
        }
    }
}

/// `SSL_CERT_FILE` and `SSL_CERT_DIR` as rustls-native-certs reads them: the
/// file when the variable is set at all, the directories when the variable
/// names at least one (empty entries are skipped).
struct Overrides {
    file: Option<OsString>,
    dir: Option<OsString>,
}

impl Overrides {
    fn from_env() -> Self {
        let dir = std::env::var_os("SSL_CERT_DIR")
            .filter(|dirs| std::env::split_paths(dirs).any(|p| !p.as_os_str().is_empty()));
        Self {
            file: std::env::var_os("SSL_CERT_FILE"),
            dir,
        }
    }

    /// `SSL_CERT_FILE=... and SSL_CERT_DIR=...`, for those set; `None` when
    /// neither is.
    fn describe(&self) -> Option<String> {
        let set: Vec<String> = [("SSL_CERT_FILE", &self.file), ("SSL_CERT_DIR", &self.dir)]
            .into_iter()
            .filter_map(|(name, value)| {
                value
                    .as_ref()
                    .map(|v| format!("{name}={}", v.to_string_lossy()))
            })
            .collect();
        (!set.is_empty()).then(|| set.join(" and "))
    }
}

/// The operating system's CA certificates, loaded on first use and kept for
/// the life of the process. Where the OS has none (or the `native-certs`
/// feature is off), Mozilla's roots bundled by `webpki-root-certs`, unless
/// `SSL_CERT_FILE`/`SSL_CERT_DIR` are set: see [`SystemCaSource`].
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

/// Where the system store came from, loading it if not yet.
pub(crate) fn system_source() -> &'static SystemCaSource {
    &SystemStore::get().source
}

/// The native store (rustls-native-certs reads `SSL_CERT_FILE` and
/// `SSL_CERT_DIR` itself) and, for when it turns out empty, why.
#[cfg(feature = "native-certs")]
fn native_store() -> (SystemStore, String) {
    let loaded = rustls_native_certs::load_native_certs();
    for error in &loaded.errors {
        log::debug!("sslconf: skipping part of the system CA store: {error}");
    }
    let found = loaded.certs.len();
    let why_empty = if !loaded.errors.is_empty() {
        let errors: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
        errors.join("; ")
    } else if found == 0 {
        "no certificate found".to_owned()
    } else {
        format!("none of its {found} certificates can be a trust anchor")
    };
    (SystemStore::from_ders(loaded.certs), why_empty)
}

#[cfg(not(feature = "native-certs"))]
fn native_store() -> (SystemStore, String) {
    (
        SystemStore::from_ders([]),
        "sslconf was built without the native-certs feature, which reads them".to_owned(),
    )
}

#[cfg(feature = "webpki-roots")]
fn bundled_store() -> Option<SystemStore> {
    Some(SystemStore::from_ders(
        webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned(),
    ))
}

#[cfg(not(feature = "webpki-roots"))]
fn bundled_store() -> Option<SystemStore> {
    None
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
    fn overrides_are_named_with_their_values() {
        let none = Overrides {
            file: None,
            dir: None,
        };
        assert_eq!(none.describe(), None);
        let both = Overrides {
            file: Some("/a.pem".into()),
            dir: Some("/d".into()),
        };
        assert_eq!(
            both.describe().as_deref(),
            Some("SSL_CERT_FILE=/a.pem and SSL_CERT_DIR=/d")
        );
    }

    #[test]
    fn source_counts_and_reason() {
        let store = SystemStore::get();
        assert_eq!(store.source.certificates(), store.certificates.len());
        let empty = SystemCaSource::Empty {
            reason: "SSL_CERT_FILE=/x yielded no CA certificate".into(),
        };
        assert_eq!(empty.certificates(), 0);
        assert_eq!(
            empty.empty_reason(),
            Some("SSL_CERT_FILE=/x yielded no CA certificate")
        );
        assert_eq!(
            empty.to_string(),
            "no certificates: SSL_CERT_FILE=/x yielded no CA certificate"
        );
        assert_eq!(
            SystemCaSource::Native { certificates: 3 }.empty_reason(),
            None
        );
    }

    #[test]
    fn unusable_certificates_are_left_out() {
        let store = SystemStore::from_ders([CertificateDer::from(vec![0x30, 0x03, 1, 2, 3])]);
        assert!(store.certificates.is_empty());
        assert!(store.anchors.is_empty());
    }
}
