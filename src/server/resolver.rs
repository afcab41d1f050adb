//! Choosing the server's certificate: by the name the client asked for
//! (SNI), then by the signature schemes it supports; built again whole when
//! the identities' files change.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
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
    /// order added.
    ///
    /// rustls settles the version before it asks, but does not say which:
    /// a client is taken to speak TLS 1.3 when it offers a TLS 1.3 suite the
    /// server enables (`server_suites`), as every common stack offers them
    /// only then. A key can be used in TLS 1.3 when it signs with a TLS 1.3
    /// scheme the client offers; in TLS 1.2 when a TLS 1.2 suite both sides
    /// have carries its kind and it signs with a scheme the client offers.
    /// A key usable whichever version is negotiated is chosen first, then
    /// one usable in the version taken, then one usable in either.
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
        let tls13 = shared().any(|s| !is_tls12(*s));
        let tls12 = shared().any(|s| is_tls12(*s));
        let in_tls13 = |key: &CertifiedKey| {
            let tls13_schemes: Vec<SignatureScheme> =
                schemes.iter().copied().filter(|s| in_tls13(*s)).collect();
            tls13 && key.key.choose_scheme(&tls13_schemes).is_some()
        };
        let in_tls12 = |key: &CertifiedKey| {
            key.key.choose_scheme(schemes).is_some()
                && shared().any(|s| is_tls12(*s) && suite_allows(*s, key.key.algorithm()))
        };
        let best = |usable: &dyn Fn(&CertifiedKey) -> bool| {
            candidates
                .iter()
                .filter(|key| usable(key))
                .min_by_key(|key| preference(key.key.algorithm()))
        };
        best(&|key| (in_tls13(key) || !tls13) && (in_tls12(key) || !tls12) && (tls13 || tls12))
            .or_else(|| best(&|key| if tls13 { in_tls13(key) } else { in_tls12(key) }))
            .or_else(|| best(&|key| in_tls13(key) || in_tls12(key)))
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

/// Whether a signature `scheme` may sign in TLS 1.3 (RFC 8446 4.2.3: no
/// PKCS#1 v1.5, no SHA-1).
fn in_tls13(scheme: SignatureScheme) -> bool {
    !matches!(
        scheme,
        SignatureScheme::RSA_PKCS1_SHA1
            | SignatureScheme::RSA_PKCS1_SHA256
            | SignatureScheme::RSA_PKCS1_SHA384
            | SignatureScheme::RSA_PKCS1_SHA512
            | SignatureScheme::ECDSA_SHA1_Legacy
    )
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
        note_choice(chosen.as_ref());
        chosen
    }
}

thread_local! {
    /// `Some` while a step that notes the identity chosen runs on this thread.
    static CHOSEN: RefCell<Option<Option<Arc<CertifiedKey>>>> = const { RefCell::new(None) };
}

/// Runs `step` (some of a server handshake) and returns with its result the
/// identity the resolver chose during it, if it chose one: rustls asks the
/// resolver once it has settled the version (and the signature schemes that
/// version allows), so the choice is made there, not before.
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

/// The certificates of `key`, as the crate's values.
pub(crate) fn chain_of(key: &CertifiedKey) -> Vec<Certificate> {
    key.cert
        .iter()
        .map(|der| Certificate::lazily_parsed(der.clone()))
        .collect()
}
