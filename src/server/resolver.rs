//! Choosing the server's certificate: by the name the client asked for
//! (SNI), then by the signature schemes it supports; built again whole when
//! the identities' files change.

#[cfg(feature = "quic")]
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::ServerConfig;
use rustls::{CipherSuite, SignatureAlgorithm, SignatureScheme};

use crate::live::Rebuilt;
use crate::{Certificate, Cipher};

/// Every identity a server presents, looked up in constant time whatever
/// the number of names.
pub(crate) struct Identities {
    /// Exact names, lowercase, without a trailing dot.
    exact: HashMap<String, Vec<Arc<CertifiedKey>>>,
    /// `*.example.com` patterns, keyed by `example.com`.
    wildcard: HashMap<String, Vec<Arc<CertifiedKey>>>,
    /// For clients without SNI or with an unknown name; empty to refuse them.
    default: Vec<Arc<CertifiedKey>>,
}

impl Identities {
    /// Identities with `default` for unknown names (empty: refused).
    pub(crate) fn new(default: Vec<Arc<CertifiedKey>>) -> Self {
        Self {
            exact: HashMap::new(),
            wildcard: HashMap::new(),
            default,
        }
    }

    /// Adds `key` for a pattern: an exact name or `*.` and a parent domain.
    /// Several keys for one pattern (RSA and ECDSA) are chosen among by the
    /// client's signature schemes (see [`choose`](Self::choose)).
    pub(crate) fn add(&mut self, pattern: &str, key: Arc<CertifiedKey>) {
        let pattern = normalize(pattern);
        match pattern.strip_prefix("*.") {
            Some(parent) => self
                .wildcard
                .entry(parent.to_owned())
                .or_default()
                .push(key),
            None => self.exact.entry(pattern).or_default().push(key),
        }
    }

    /// The key for a client: the candidates for its name (exact first,
    /// then a wildcard one label up), else the default ones; among those
    /// the client can use, the first of the most preferred kind: ECDSA,
    /// then EdDSA, then RSA, as OpenSSL and nginx choose, whatever the
    /// order added. A key can be used when it signs with a scheme the client
    /// offers and a suite both sides have (the server enables
    /// `server_suites`) carries it: any TLS 1.3 suite, a TLS 1.2 one of its
    /// kind. The version is not known here (rustls decides it later, and a
    /// client lists TLS 1.3 suites whatever versions it speaks), so while
    /// the two share a TLS 1.2 suite a key is first looked for that a TLS
    /// 1.2 suite of theirs carries, which serves the client whichever
    /// version it ends on.
    pub(crate) fn choose(
        &self,
        server_name: Option<&str>,
        schemes: &[SignatureScheme],
        suites: &[CipherSuite],
        server_suites: &[CipherSuite],
    ) -> Option<&Arc<CertifiedKey>> {
        let candidates = server_name
            .and_then(|name| self.lookup(&normalize(name)))
            .unwrap_or(&self.default);
        let shared = || suites.iter().filter(|s| server_suites.contains(s));
        let tls12_shared = shared().any(|s| is_tls12(*s));
        let usable = |key: &&Arc<CertifiedKey>, whichever_version: bool| {
            key.key.choose_scheme(schemes).is_some()
                && shared().any(|s| {
                    (!whichever_version || !tls12_shared || is_tls12(*s))
                        && suite_allows(*s, key.key.algorithm())
                })
        };
        let best = |whichever_version: bool| {
            candidates
                .iter()
                .filter(|key| usable(key, whichever_version))
                .min_by_key(|key| preference(key.key.algorithm()))
        };
        best(true)
            .or_else(|| best(false))
            .or_else(|| candidates.first())
    }

    fn lookup(&self, name: &str) -> Option<&Vec<Arc<CertifiedKey>>> {
        self.exact.get(name).or_else(|| {
            let (_, parent) = name.split_once('.')?;
            self.wildcard.get(parent)
        })
    }
}

/// How much a key of `algorithm` is preferred, lowest first: ECDSA (the
/// cheapest to sign with), EdDSA, RSA (several times the server's CPU per
/// full handshake), then anything else.
fn preference(algorithm: SignatureAlgorithm) -> u8 {
    match algorithm {
        SignatureAlgorithm::ECDSA => 0,
        SignatureAlgorithm::ED25519 | SignatureAlgorithm::ED448 => 1,
        SignatureAlgorithm::RSA => 2,
        _ => 3,
    }
}

/// Whether a client offering `suite` can be served with a key of
/// `algorithm`: any key for a TLS 1.3 suite; for a TLS 1.2 one, the key its
/// authentication names (ECDSA suites also carry EdDSA keys).
fn suite_allows(suite: CipherSuite, algorithm: SignatureAlgorithm) -> bool {
    match Cipher::from_suite(suite).map(|c| c.authentication_method()) {
        Some("RSA") => algorithm == SignatureAlgorithm::RSA,
        Some("ECDSA") => matches!(
            algorithm,
            SignatureAlgorithm::ECDSA | SignatureAlgorithm::ED25519 | SignatureAlgorithm::ED448
        ),
        Some(_) => true,
        None => false,
    }
}

/// Whether `suite` is a TLS 1.2 one.
fn is_tls12(suite: CipherSuite) -> bool {
    Cipher::from_suite(suite).is_some_and(|c| c.protocol() == crate::SslProtocol::TlsV1_2)
}

/// Lowercase, without one trailing dot: how names compare (RFC 6125).
fn normalize(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

/// The resolver a server config carries when it serves several names or
/// follows files: the identities are built again whole, so a handshake
/// sees the old set or the new one, never a certificate with another's key.
pub(crate) struct LiveResolver {
    identities: Rebuilt<Identities>,
    /// The cipher suites the server enables: a key is chosen for a suite
    /// both sides have.
    suites: Vec<CipherSuite>,
}

impl LiveResolver {
    pub(crate) fn new(identities: Rebuilt<Identities>, suites: Vec<CipherSuite>) -> Self {
        Self { identities, suites }
    }
}

impl LiveResolver {
    /// For a client whose hello was read first: a server config presenting
    /// exactly the identity chosen for it (sharing everything else with
    /// `config`), and that identity's chain; `config` itself when none fits.
    pub(crate) fn for_client(
        &self,
        config: &Arc<ServerConfig>,
        hello: &ClientHello<'_>,
    ) -> (Arc<ServerConfig>, Option<Vec<Certificate>>) {
        let Some(chosen) = self.resolve_hello(hello) else {
            return (config.clone(), None);
        };
        let chain = chosen
            .cert
            .iter()
            .map(|der| Certificate::lazily_parsed(der.clone()))
            .collect();
        let mut fixed = ServerConfig::clone(config);
        fixed.cert_resolver = Arc::new(SingleCertAndKey::from(chosen));
        (Arc::new(fixed), Some(chain))
    }

    fn resolve_hello(&self, hello: &ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.identities
            .get()
            .choose(
                hello.server_name(),
                hello.signature_schemes(),
                hello.cipher_suites(),
                &self.suites,
            )
            .cloned()
    }
}

impl ResolvesServerCert for LiveResolver {
    fn resolve(&self, client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let chosen = self.resolve_hello(&client_hello);
        #[cfg(feature = "quic")]
        note_choice(chosen.as_ref());
        chosen
    }
}

#[cfg(feature = "quic")]
thread_local! {
    /// `Some` while a step that notes the identity chosen runs on this thread.
    static CHOSEN: RefCell<Option<Option<Arc<CertifiedKey>>>> = const { RefCell::new(None) };
}

/// Runs `step` (some of a server handshake rustls drives itself, as a QUIC
/// connection's, where no ClientHello is read first) and returns with its
/// result the identity the resolver chose during it, if it chose one.
#[cfg(feature = "quic")]
pub(crate) fn noting_choice<R>(step: impl FnOnce() -> R) -> (R, Option<Arc<CertifiedKey>>) {
    /// Puts back the slot of an enclosing step, even if `step` panics.
    struct Restore(Option<Option<Arc<CertifiedKey>>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let outer = self.0.take();
            CHOSEN.with(|slot| *slot.borrow_mut() = outer);
        }
    }
    let outer = CHOSEN.with(|slot| slot.replace(Some(None)));
    let restore = Restore(outer);
    let result = step();
    let chosen = CHOSEN.with(|slot| slot.borrow_mut().take()).flatten();
    drop(restore);
    (result, chosen)
}

/// Keeps what the resolver chose when a step is [`noting_choice`] on this
/// thread; nothing otherwise.
#[cfg(feature = "quic")]
fn note_choice(chosen: Option<&Arc<CertifiedKey>>) {
    CHOSEN.with(|slot| {
        if let Some(kept) = slot.borrow_mut().as_mut() {
            *kept = chosen.cloned();
        }
    });
}

impl fmt::Debug for LiveResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let identities = self.identities.get();
        f.debug_struct("LiveResolver")
            .field("exact_names", &identities.exact.len())
            .field("wildcard_names", &identities.wildcard.len())
            .field("defaults", &identities.default.len())
            .finish()
    }
}
