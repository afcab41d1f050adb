//! `SslConfiguration`: every TLS setting Qt has, as one immutable value.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use rustls::{ClientConfig, ServerConfig};

use crate::convert;
use crate::live::{Commit, FileSetting};
use crate::session::PendingCheck;
use crate::settings::{CaCertificates, Loaded, NamedIdentity, Settings};
use crate::verify::{unix_time, PeerCheck, Peers, Trust, TrustAnchors, Usage};
use crate::{
    roots, Certificate, CertificatePurpose, Cipher, Error, Identity, KeyExchangeGroup,
    PeerVerifyMode, PublicKeyPin, Reloaded, RevocationDepth, RevocationList, SslError,
    SslErrorKind, SslOption, SslProtocol,
};

/// Every TLS setting of Qt's `QSslConfiguration`, as an immutable value.
///
/// Each `with_*` method returns a new value; getters fill in defaults for what
/// was never set. Cloning is cheap: clones share the settings and the cached
/// rustls configs. A setting read from files (an [`Identity::from_files`], CA
/// certificate or revocation list files, ticket key files) holds what its
/// files held at the last good [`reload`](Self::reload): getters, converted
/// configs, clones and values derived with `with_*` all tell and serve that.
///
/// ```
/// use sslconf::{Cipher, PeerVerifyMode, SslConfiguration, SslProtocol};
///
/// let config = SslConfiguration::default_configuration()
///     .with_protocol(SslProtocol::TlsV1_3)
///     .with_allowed_next_protocols(["h2", "http/1.1"])
///     .with_peer_verify_mode(PeerVerifyMode::VerifyPeer);
/// assert_eq!(config.protocol(), SslProtocol::TlsV1_3);
///
/// let client = config.client_config()?;
/// assert_eq!(client.alpn_protocols, [b"h2".to_vec(), b"http/1.1".to_vec()]);
/// // Converted once, then cached: the same Arc every time.
/// assert!(std::sync::Arc::ptr_eq(&client, &config.client_config()?));
/// # Ok::<(), sslconf::Error>(())
/// ```
///
/// # Defaults
/// No local certificate or key; [`SslProtocol::SecureProtocols`] (TLS 1.2 and
/// 1.3); the system CA store, loaded on first use; every cipher suite and
/// key-exchange group of the crypto provider, in its order;
/// [`PeerVerifyMode::AutoVerifyPeer`]; verify depth 0 (no limit); Qt's default
/// [`SslOption`]s; no ALPN.
#[derive(Clone)]
pub struct SslConfiguration {
    inner: Arc<Inner>,
}

struct Inner {
    null: bool,
    /// The settings; those read from files hold what the last good reload
    /// read (see `live`).
    settings: Arc<Settings>,
    client: OnceLock<Converted<ClientConfig, ()>>,
    /// The server config, and its resolver when it chooses its identity
    /// per client.
    server: OnceLock<Converted<ServerConfig, Option<Arc<crate::server::LiveResolver>>>>,
    /// Checks servers: the system store (unless replaced) and the
    /// configured CA certificates.
    server_trust: OnceLock<Arc<Trust>>,
    /// Checks clients: the configured CA certificates only.
    client_trust: OnceLock<Arc<Trust>>,
    /// Values other modules derive from this configuration and cache with
    /// it (the QUIC configs), one of each type, type-erased so that this
    /// module knows nothing of them: see [`SslConfiguration::derived`].
    #[cfg(feature = "quic")]
    derived: Mutex<Vec<Arc<dyn std::any::Any + Send + Sync>>>,
}

static DEFAULT_CONFIGURATION: RwLock<Option<SslConfiguration>> = RwLock::new(None);

impl SslConfiguration {
    /// A null configuration: Qt's default settings (this crate's, where it
    /// differs from Qt on purpose), and [`is_null`](Self::is_null) true until
    /// a `with_*` method is called. It converts like the built-in defaults,
    /// not like a default set with
    /// [`set_default_configuration`](Self::set_default_configuration): fetch
    /// that one with [`default_configuration`](Self::default_configuration).
    #[doc(alias = "QSslConfiguration")]
    pub fn new() -> Self {
        Self::from_settings(true, Settings::default())
    }

    fn from_settings(null: bool, settings: Settings) -> Self {
        Self {
            inner: Arc::new(Inner {
                null,
                settings: Arc::new(settings),
                client: OnceLock::new(),
                server: OnceLock::new(),
                server_trust: OnceLock::new(),
                client_trust: OnceLock::new(),
                #[cfg(feature = "quic")]
                derived: Default::default(),
            }),
        }
    }

    /// A new value with one setting changed and empty caches. A value no one
    /// else holds is changed in place (nobody can see it change), so a chain
    /// of `with_*` calls copies the settings at most once.
    fn with(mut self, change: impl FnOnce(&mut Settings)) -> Self {
        match Arc::get_mut(&mut self.inner) {
            Some(inner) => {
                change(Arc::make_mut(&mut inner.settings));
                inner.null = false;
                inner.client = OnceLock::new();
                inner.server = OnceLock::new();
                inner.server_trust = OnceLock::new();
                inner.client_trust = OnceLock::new();
                #[cfg(feature = "quic")]
                {
                    inner.derived = Default::default();
                }
                self
            }
            None => {
                let mut settings = Settings::clone(&self.inner.settings);
                change(&mut settings);
                Self::from_settings(false, settings)
            }
        }
    }

    pub(crate) fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The process-wide default configuration: the last one given to
    /// [`set_default_configuration`](Self::set_default_configuration), or Qt's
    /// defaults. Every fetch of the same default shares its cached rustls configs.
    #[doc(alias = "defaultConfiguration")]
    pub fn default_configuration() -> SslConfiguration {
        if let Some(config) = read_default().as_ref() {
            return config.clone();
        }
        let mut slot = DEFAULT_CONFIGURATION
            .write()
            .unwrap_or_else(|e| e.into_inner());
        slot.get_or_insert_with(|| Self::from_settings(false, Settings::default()))
            .clone()
    }

    /// Replaces the process-wide default. Only configurations fetched afterwards
    /// see the change; values already fetched keep their settings.
    #[doc(alias = "setDefaultConfiguration")]
    pub fn set_default_configuration(configuration: SslConfiguration) {
        *DEFAULT_CONFIGURATION
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Some(configuration);
    }

    /// Whether this is a null configuration: made by [`new`](Self::new) or
    /// `default()`, with no `with_*` method called since.
    #[doc(alias = "isNull")]
    pub fn is_null(&self) -> bool {
        self.inner.null
    }

    /// The protocol range.
    ///
    /// # Defaults
    /// [`SslProtocol::SecureProtocols`].
    pub fn protocol(&self) -> SslProtocol {
        self.settings().protocol.unwrap_or_default()
    }

    /// Sets the protocol range. TLS 1.0 or 1.1 alone is an error at conversion.
    ///
    /// Default: [`SslProtocol::SecureProtocols`] (TLS 1.2 and 1.3); read it with [`protocol`](Self::protocol).
    #[doc(alias = "setProtocol")]
    pub fn with_protocol(self, protocol: SslProtocol) -> Self {
        self.with(|s| s.protocol = Some(protocol))
    }

    /// The cipher suites, in preference order.
    ///
    /// # Defaults
    /// All [supported ciphers](Self::supported_ciphers), in the provider's order.
    pub fn ciphers(&self) -> Vec<Cipher> {
        match &self.settings().ciphers {
            Some(ciphers) => ciphers.clone(),
            None => Cipher::all_supported(),
        }
    }

    /// Sets the cipher suites, in preference order; duplicates are dropped.
    ///
    /// A server prefers its own order unless
    /// [`SslOption::DisableServerCipherPreference`] is on. A protocol range
    /// narrows to the versions that have a cipher left; a single version
    /// without any is an error at conversion.
    ///
    /// Default: every [supported cipher](Self::supported_ciphers), in the provider's order; read them with [`ciphers`](Self::ciphers).
    #[doc(alias = "setCiphers")]
    pub fn with_ciphers(self, ciphers: impl IntoIterator<Item = Cipher>) -> Self {
        let mut list: Vec<Cipher> = Vec::new();
        for cipher in ciphers {
            if !list.contains(&cipher) {
                list.push(cipher);
            }
        }
        self.with(|s| s.ciphers = Some(list))
    }

    /// Sets the cipher suites from a colon-separated list of IANA or OpenSSL
    /// names, as Qt's `setCiphers(QString)`:
    /// `"TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256"`.
    /// Commas and spaces separate too.
    ///
    /// # Errors
    /// [`Error::UnknownCipher`] naming the first name that is not a suite of
    /// the crypto provider.
    ///
    /// Default: as [`with_ciphers`](Self::with_ciphers).
    #[doc(alias = "setCiphers")]
    pub fn with_cipher_list(self, list: &str) -> Result<Self, Error> {
        let ciphers = list
            .split([':', ',', ' '])
            .filter(|name| !name.is_empty())
            .map(|name| {
                Cipher::from_name(name).ok_or_else(|| Error::UnknownCipher {
                    name: name.to_owned(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.with_ciphers(ciphers))
    }

    /// Every cipher suite the crypto provider implements, in its preference order.
    #[doc(alias = "supportedCiphers")]
    pub fn supported_ciphers() -> Vec<Cipher> {
        Cipher::all_supported()
    }

    /// The CA certificates trusted to verify peers: the system store's (loaded
    /// now if not yet) unless replaced, then those added.
    #[doc(alias = "caCertificates")]
    pub fn ca_certificates(&self) -> Vec<Certificate> {
        let ca = &self.settings().ca;
        let mut all = Vec::new();
        if ca.system {
            all.extend_from_slice(roots::system_certificates());
        }
        all.extend(ca.configured());
        all
    }

    /// Replaces the trusted CA certificates; the system store is no longer used.
    ///
    /// Default: the system store alone; read them with [`ca_certificates`](Self::ca_certificates).
    #[doc(alias = "setCaCertificates")]
    pub fn with_ca_certificates(self, certificates: impl IntoIterator<Item = Certificate>) -> Self {
        let certificates = certificates.into_iter().collect();
        self.with(|s| {
            s.ca = CaCertificates {
                system: false,
                certificates,
                files: None,
            }
        })
    }

    /// Replaces the trusted CA certificates with those in `files` (PEM
    /// bundles or DER), as [`with_ca_certificates`](Self::with_ca_certificates)
    /// does, and remembers the files: [`reload`](Self::reload) reads them
    /// again, so a server's trust in client certificates follows them (the
    /// CA names a server sends clients as hints stay those it started with:
    /// rustls borrows them from the verifier).
    ///
    /// Default: the system store alone; read them with [`ca_certificates`](Self::ca_certificates).
    ///
    /// # Errors
    /// As [`Certificate::from_path`], naming the file.
    pub fn with_ca_certificate_files(
        self,
        files: impl IntoIterator<Item = impl AsRef<Path>>,
    ) -> Result<Self, Error> {
        let files: Vec<PathBuf> = files.into_iter().map(|f| f.as_ref().to_owned()).collect();
        let certificates = read_ca_files(&files)?;
        let setting = FileSetting::new(files, certificates);
        Ok(self.with(|s| {
            s.ca = CaCertificates {
                system: false,
                certificates: Vec::new(),
                files: Some(setting),
            }
        }))
    }

    /// Adds trusted CA certificates to those already there, the system store included.
    ///
    /// Default: the system store alone; read them with [`ca_certificates`](Self::ca_certificates).
    #[doc(alias = "addCaCertificates")]
    #[doc(alias = "addCaCertificate")]
    pub fn with_added_ca_certificates(
        self,
        certificates: impl IntoIterator<Item = Certificate>,
    ) -> Self {
        self.with(|s| s.ca.certificates.extend(certificates))
    }

    /// Whether the system CA store is among the trusted certificates.
    pub fn uses_system_ca_certificates(&self) -> bool {
        self.settings().ca.system
    }

    /// The operating system's CA certificates, loaded once per process; Mozilla's
    /// bundled roots where the OS has none (or the `native-certs` feature is off),
    /// but never when `SSL_CERT_FILE` or `SSL_CERT_DIR` is set: then what they
    /// point at, possibly nothing. [`system_ca_source`](Self::system_ca_source)
    /// tells which.
    #[doc(alias = "systemCaCertificates")]
    pub fn system_ca_certificates() -> Vec<Certificate> {
        roots::system_certificates().to_vec()
    }

    /// Where [`system_ca_certificates`](Self::system_ca_certificates) came
    /// from (loading them if not yet): the native store, the bundled roots, or
    /// nothing, and then why (say, `SSL_CERT_FILE` names a missing file).
    ///
    /// ```
    /// use sslconf::SslConfiguration;
    ///
    /// let source = SslConfiguration::system_ca_source();
    /// assert_eq!(
    ///     source.certificates(),
    ///     SslConfiguration::system_ca_certificates().len()
    /// );
    /// if let Some(reason) = source.empty_reason() {
    ///     eprintln!("no system CA certificates: {reason}");
    /// }
    /// ```
    pub fn system_ca_source() -> roots::SystemCaSource {
        roots::system_source().clone()
    }

    /// The local certificate chain and private key as one [`Identity`]:
    /// for one that follows its files, what the last good
    /// [`reload`](Self::reload) read. The local certificate is the first of
    /// its [`certificate_chain`](Identity::certificate_chain), the key its
    /// [`private_key`](Identity::private_key).
    #[doc(alias = "localCertificate")]
    #[doc(alias = "privateKey")]
    pub fn local_identity(&self) -> Option<Identity> {
        self.settings().local_identity()
    }

    /// Sets the local certificate chain and its private key at once; an
    /// identity read from files ([`Identity::from_files`]) is read again by
    /// [`reload`](Self::reload) and watched by `watch`. A chain and key
    /// held as values (what Qt sets with `setLocalCertificateChain` and
    /// `setPrivateKey`) are given as one:
    /// [`Identity::new(chain, key)`](Identity::new), the chain leaf first.
    /// The key is checked to match the leaf at conversion
    /// ([`Error::KeyMismatch`]); an empty chain is
    /// [`Error::MissingLocalCertificate`] there.
    ///
    /// Default: none; read it with [`local_identity`](Self::local_identity)
    /// and [`local_certificate_chain`](Self::local_certificate_chain).
    ///
    /// ```no_run
    /// use sslconf::{Identity, SslConfiguration};
    ///
    /// let server = SslConfiguration::new()
    ///     .with_local_identity(Identity::from_files("server.pem", "server.key")?);
    /// let config = server.server_config()?; // hand it to hyper, axum-server, tonic
    /// // ... after the files were replaced (certbot, cert-manager):
    /// let reloaded = server.reload()?;
    /// println!("{reloaded}");
    /// # Ok::<(), sslconf::Error>(())
    /// ```
    #[doc(alias = "setLocalCertificate")]
    #[doc(alias = "setLocalCertificateChain")]
    #[doc(alias = "setPrivateKey")]
    pub fn with_local_identity(self, identity: Identity) -> Self {
        self.with(|s| s.local = Some(identity))
    }

    /// Adds an identity a server may present instead of the local one, to
    /// clients with no or an unknown server name: chosen by the signature
    /// schemes the client supports (an RSA certificate beside an ECDSA one,
    /// as nginx with two `ssl_certificate`); to a client that supports
    /// several, ECDSA before EdDSA before RSA, whatever the order added, as
    /// OpenSSL and nginx choose.
    ///
    /// Default: none.
    pub fn with_added_local_identity(self, identity: Identity) -> Self {
        self.with(|s| s.added_identities.push(identity))
    }

    /// Serves `identity` to clients that ask (SNI) for one of `patterns`:
    /// exact names or `*.example.com` wildcards (one label, as RFC 6125),
    /// compared without regard to case or a trailing dot. An exact name wins
    /// over a wildcard; several identities for one name are chosen among by
    /// the client's signature schemes, ECDSA first as for
    /// [`with_added_local_identity`](Self::with_added_local_identity). Lookup
    /// costs the same for ten names as for ten thousand.
    ///
    /// Checked at conversion: each pattern is a DNS name (or `*.` and one),
    /// the certificate covers it and the key matches the certificate; the
    /// error ([`Error::ServerNameIdentity`]) names the pattern.
    ///
    /// Clients with no or an unknown name get the local identity; see
    /// [`with_unknown_server_names_refused`](Self::with_unknown_server_names_refused).
    ///
    /// Default: none.
    ///
    /// ```
    /// # fn identity(name: &str) -> sslconf::Identity {
    /// #     let key = rcgen::KeyPair::generate().unwrap();
    /// #     let cert = rcgen::CertificateParams::new(vec![name.into()]).unwrap().self_signed(&key).unwrap();
    /// #     sslconf::Identity::new(
    /// #         [sslconf::Certificate::from_der(cert.der()).unwrap()],
    /// #         sslconf::PrivateKey::from_der(&key.serialize_der()).unwrap(),
    /// #     )
    /// # }
    /// use sslconf::SslConfiguration;
    ///
    /// let server = SslConfiguration::new()
    ///     .with_server_name_identity(["api.example.com"], identity("api.example.com"))
    ///     .with_server_name_identity(["*.example.org"], identity("*.example.org"))
    ///     .with_unknown_server_names_refused(true);
    /// server.server_config()?;
    /// # Ok::<(), sslconf::Error>(())
    /// ```
    pub fn with_server_name_identity(
        self,
        patterns: impl IntoIterator<Item = impl Into<String>>,
        identity: Identity,
    ) -> Self {
        let patterns = patterns.into_iter().map(Into::into).collect();
        self.with(|s| {
            s.named_identities
                .push(NamedIdentity { patterns, identity })
        })
    }

    /// Whether a server refuses clients that send no server name or one no
    /// identity serves, instead of giving them the local identity. rustls
    /// ends such a handshake with an `access_denied` alert (its resolver
    /// API cannot choose `unrecognized_name`).
    ///
    /// Default: false.
    pub fn with_unknown_server_names_refused(self, refused: bool) -> Self {
        self.with(|s| s.refuse_unknown_names = refused)
    }

    /// Whether a client's connections keep the OCSP response the server
    /// staples, for [`SessionState::ocsp_response`](crate::SessionState::ocsp_response)
    /// (Qt's `QSslSocket::ocspResponses`). rustls asks every server for a
    /// staple whatever this says; this decides whether
    /// [`connect`](Self::connect) and `connect_async` keep it.
    ///
    /// **The response is not verified** (Qt checks it with OpenSSL and
    /// fails a handshake whose staple says revoked): webpki dropped OCSP,
    /// major CAs are ending their OCSP services in favour of short-lived
    /// certificates and CRLs, and a staple a server may omit proves nothing
    /// a client can rely on. It is kept as the server sent it, for the
    /// application to log or judge. A resumed session has none (the server
    /// sends no certificate), and with a raw [`client_config`](Self::client_config)
    /// rustls hands it only to the verifier, where it is dropped.
    ///
    /// Costs nothing to connections of configurations that leave it off.
    ///
    /// Default: false.
    #[doc(alias = "setOcspStaplingEnabled")]
    pub fn with_ocsp_stapling_enabled(self, enabled: bool) -> Self {
        self.with(|s| s.ocsp_stapling = enabled)
    }

    /// Whether a client's connections keep the server's OCSP staple; see
    /// [`with_ocsp_stapling_enabled`](Self::with_ocsp_stapling_enabled).
    #[doc(alias = "ocspStaplingEnabled")]
    pub fn ocsp_stapling_enabled(&self) -> bool {
        self.settings().ocsp_stapling
    }

    /// Reads every setting that came from files again (the local identity,
    /// added and server-name identities with their OCSP responses, CA
    /// certificate files, revocation list files, session-ticket key files)
    /// and, when all of them are good, makes them what is in force: for
    /// this configuration, its clones and every configuration derived from
    /// it that holds these settings, their getters and the
    /// `Arc<ServerConfig>` / `Arc<ClientConfig>` already handed out (so
    /// hyper, axum-server, reqwest or tonic need nothing). What each file
    /// holds is compared with what was in force: a file whose content did
    /// not change changes nothing. When what a side trusts changes (CA
    /// certificates, or what the lists revoke), sessions verified under the
    /// old trust no longer resume. Everything read is put in force at once:
    /// a handshake sees the old files or the new, never a certificate with
    /// another's key.
    ///
    /// A bad input (half a file, a key that does not match, an unparsable
    /// certificate, permission denied) changes nothing: the error says which
    /// files and why, a warning is logged, and what was in force stays.
    ///
    /// # Errors
    /// [`Error::Reload`] naming the files and why.
    pub fn reload(&self) -> Result<Reloaded, Error> {
        // One reload at a time: two reading the same files must not commit
        // in the other order than they read.
        static RELOADS: Mutex<()> = Mutex::new(());
        let _one = lock(&RELOADS);
        let logged = |error: Error| {
            log::warn!(
                "sslconf: reload failed, still serving what was loaded before: {}",
                crate::error::causes(&error)
            );
            error
        };
        let (commit, changed) = read_again(self.settings()).map_err(logged)?;
        commit.apply();
        Ok(Reloaded::new(changed))
    }

    /// Watches the files this configuration reads (feature `watch`) and
    /// [`reload`](Self::reload)s after each quiet burst of changes to them
    /// (250 ms, so a certificate and its key written one after the other, or
    /// a whole Kubernetes volume update, are read as one; at most 1 s after
    /// the burst began, should the directory never go quiet), calling
    /// `report` with each outcome: a failure is also logged as a warning, and
    /// what was served before stays. Watching stops when the
    /// [`Watcher`](crate::Watcher) is dropped.
    ///
    /// Every way of replacing files is followed: written in place, renamed
    /// over (consul-template, Vault Agent), certbot's `live/` links
    /// re-pointed at new `archive/` files, a Kubernetes Secret or ConfigMap
    /// volume (`tls.crt -> ..data/tls.crt`, the kubelet swapping `..data` to
    /// a new timestamped directory), a symlinked directory re-pointed, a
    /// directory moved into place. For that, the directories along each
    /// file's symlink chain are watched (the file's own and each one a link
    /// on the way is in, found again at each reload as the chain changes),
    /// and any change in them is a reason to read: the reload compares what
    /// it read with what is served, so a change about other files there is
    /// reported as a reload of nothing ([`Reloaded::is_empty`]). Reading the
    /// files is no change.
    ///
    /// ```no_run
    /// use sslconf::{Identity, SslConfiguration};
    ///
    /// let server = SslConfiguration::new()
    ///     .with_local_identity(Identity::from_files("server.pem", "server.key")?);
    /// let _watcher = server.watch(|outcome| match outcome {
    ///     Ok(reloaded) => eprintln!("{reloaded}"),
    ///     Err(error) => eprintln!("keeping the old certificate: {error}"),
    /// })?;
    /// // serve with server.server_config()? ...
    /// # Ok::<(), sslconf::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Watch`] when the configuration reads no files or the file
    /// watcher cannot start.
    #[cfg(feature = "watch")]
    #[cfg_attr(docsrs, doc(cfg(feature = "watch")))]
    pub fn watch(
        &self,
        report: impl Fn(Result<Reloaded, Error>) + Send + 'static,
    ) -> Result<crate::Watcher, Error> {
        let files = self.settings().files();
        if files.is_empty() {
            return Err(Error::Watch {
                cause: "the configuration reads no files".into(),
            });
        }
        let config = self.clone();
        crate::Watcher::spawn(files, move || config.reload(), report)
    }

    /// The local certificate chain, leaf first, as it is now: the chain of
    /// [`local_identity`](Self::local_identity) (empty when none is set).
    #[doc(alias = "localCertificateChain")]
    pub fn local_certificate_chain(&self) -> Vec<Certificate> {
        self.settings().local_chain()
    }

    /// How the peer's certificate is checked.
    ///
    /// # Defaults
    /// [`PeerVerifyMode::AutoVerifyPeer`].
    #[doc(alias = "peerVerifyMode")]
    pub fn peer_verify_mode(&self) -> PeerVerifyMode {
        self.settings().peer_verify_mode.unwrap_or_default()
    }

    /// Sets how the peer's certificate is checked; see [`PeerVerifyMode`]
    /// for each mode on each side.
    ///
    /// # Warning
    /// `QueryPeer` and `VerifyNone` accept any chain the peer sends (the
    /// peer still proves it holds the key). Only [`SessionState`](crate::SessionState)
    /// tells what was wrong with it: a raw [`server_config`](Self::server_config)
    /// or [`client_config`](Self::client_config) handed to hyper, axum-server,
    /// tonic or quinn exposes the chain as if it were verified.
    ///
    /// Default: [`PeerVerifyMode::AutoVerifyPeer`]; read it with [`peer_verify_mode`](Self::peer_verify_mode).
    #[doc(alias = "setPeerVerifyMode")]
    pub fn with_peer_verify_mode(self, mode: PeerVerifyMode) -> Self {
        self.with(|s| s.peer_verify_mode = Some(mode))
    }

    /// The maximum number of intermediate CA certificates in a verified path
    /// between the peer's certificate and the trust anchor; 0 for no limit.
    ///
    /// # Defaults
    /// 0.
    #[doc(alias = "peerVerifyDepth")]
    pub fn peer_verify_depth(&self) -> u32 {
        self.settings().peer_verify_depth
    }

    /// Sets the verify depth as Qt applies it (OpenSSL's
    /// `SSL_CTX_set_verify_depth`): a depth `d` of 1 or more accepts a path
    /// with at most `d` intermediate CA certificates between the peer's
    /// certificate and the trust anchor, as `openssl verify -verify_depth d`
    /// does; 0, the default, sets no limit (Qt does not pass 0 to OpenSSL).
    /// A longer path fails with
    /// [`SslErrorKind::PathLengthExceeded`](crate::SslErrorKind::PathLengthExceeded).
    ///
    /// ```
    /// use sslconf::SslConfiguration;
    ///
    /// // leaf ← intermediate ← root: allowed from depth 1 on.
    /// let config = SslConfiguration::new().with_peer_verify_depth(1);
    /// assert_eq!(config.peer_verify_depth(), 1);
    /// ```
    ///
    /// Default: 0, no limit; read it with [`peer_verify_depth`](Self::peer_verify_depth).
    #[doc(alias = "setPeerVerifyDepth")]
    pub fn with_peer_verify_depth(self, depth: u32) -> Self {
        self.with(|s| s.peer_verify_depth = depth)
    }

    /// The verification errors a peer is accepted with, as Qt's
    /// `ignoreSslErrors(expectedErrors)`.
    ///
    /// # Defaults
    /// None.
    #[doc(alias = "ignoreSslErrors")]
    pub fn expected_ssl_errors(&self) -> &[SslError] {
        &self.settings().expected_errors
    }

    /// Accepts a peer whose certificate fails verification only with these
    /// errors, as Qt's `QSslSocket::ignoreSslErrors(expectedErrors)`: the
    /// handshake succeeds only if every error verification finds is among
    /// them, matching kind and certificate (an error expected without its
    /// certificate matches none with one), and each is about the peer's own
    /// certificate or one whose key really signed the link below it: a
    /// certificate that copies an expected root's name and key identifier
    /// brings a [`CertificateSignatureFailed`](SslErrorKind::CertificateSignatureFailed)
    /// of its own. A revoked certificate is never accepted. Anything else
    /// fails as `VerifyPeer` does (see the crate docs, "How a peer is
    /// accepted"). The check runs inside the rustls verifiers, so it
    /// holds for a raw [`client_config`](Self::client_config) or
    /// [`server_config`](Self::server_config) too, and the errors accepted
    /// stay in [`SessionState::peer_verification_errors`](crate::SessionState::peer_verification_errors).
    ///
    /// This is the safe way to trust one known bad certificate, such as a
    /// device's self-signed one, where `QueryPeer` would accept any.
    /// It applies where the peer is verified (`VerifyPeer`, and
    /// `AutoVerifyPeer` where it verifies).
    ///
    /// Default: none; read them with [`expected_ssl_errors`](Self::expected_ssl_errors).
    ///
    /// ```no_run
    /// use std::net::TcpStream;
    /// use sslconf::{Certificate, SslConfiguration, SslError, SslErrorKind};
    ///
    /// // The device's certificate, obtained out of band.
    /// let device = Certificate::from_path("device.pem")?.remove(0);
    /// let config = SslConfiguration::default_configuration().with_expected_ssl_errors([
    ///     SslError::new(SslErrorKind::SelfSignedCertificate, Some(device.clone())),
    ///     SslError::new(SslErrorKind::HostNameMismatch, Some(device)),
    /// ]);
    /// let tls = config.connect("192.168.1.20", TcpStream::connect("192.168.1.20:443")?)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "ignoreSslErrors")]
    pub fn with_expected_ssl_errors(self, errors: impl IntoIterator<Item = SslError>) -> Self {
        let errors = errors.into_iter().collect();
        self.with(|s| s.expected_errors = errors)
    }

    /// The certificate revocation lists verification checks paths against.
    ///
    /// # Defaults
    /// None: revocation is not checked.
    pub fn revocation_lists(&self) -> Vec<RevocationList> {
        self.settings().revocation.all_lists()
    }

    /// Checks every verified path against these revocation lists (CRLs), on
    /// both sides and in every verify mode: a revoked certificate is
    /// [`SslErrorKind::CertificateRevoked`], failing `VerifyPeer` and listed
    /// under `QueryPeer` and by [`verify_chain`](Self::verify_chain). Which
    /// certificates are checked is [`with_revocation_depth`](Self::with_revocation_depth);
    /// a certificate whose issuer has no list is
    /// [`SslErrorKind::UnableToGetRevocationList`] and a list past its
    /// `nextUpdate` is [`SslErrorKind::RevocationListExpired`], unless allowed
    /// below. Each list must be signed by the issuer on the path (rustls-webpki
    /// checks it). Exact pins (configured certificates that are no CA) and
    /// [`with_public_key_pins_only`](Self::with_public_key_pins_only) build
    /// no path: no list applies to them.
    ///
    /// The defaults are strict, as `openssl verify -crl_check_all`: every
    /// certificate of the path but the anchor needs a list from its issuer.
    /// A client that trusts the system store therefore refuses every public
    /// server whose CAs' lists it was not given; use
    /// [`RevocationDepth::Leaf`] with the issuers' lists, or
    /// [`with_unknown_revocation_status_allowed`](Self::with_unknown_revocation_status_allowed).
    ///
    /// Default: none: revocation is not checked; read them with
    /// [`revocation_lists`](Self::revocation_lists).
    ///
    /// ```no_run
    /// use sslconf::{Certificate, RevocationList, SslConfiguration};
    ///
    /// let config = SslConfiguration::new()
    ///     .with_ca_certificates(Certificate::from_path("ca.pem")?)
    ///     .with_revocation_lists(RevocationList::from_path("ca.crl")?);
    /// # Ok::<(), sslconf::Error>(())
    /// ```
    pub fn with_revocation_lists(self, lists: impl IntoIterator<Item = RevocationList>) -> Self {
        let lists = lists.into_iter().collect();
        self.with(|s| {
            s.revocation.lists = lists;
            s.revocation.files = None;
        })
    }

    /// As [`with_revocation_lists`](Self::with_revocation_lists), with the
    /// lists in `files` (PEM, any number each, or DER), remembered:
    /// [`reload`](Self::reload) and [`watch`](Self::watch) read them again,
    /// so that the check of the peer's certificates follows them (on both
    /// sides).
    ///
    /// Default: none; read them with [`revocation_lists`](Self::revocation_lists).
    ///
    /// # Errors
    /// As [`RevocationList::from_path`], naming the file.
    pub fn with_revocation_list_files(
        self,
        files: impl IntoIterator<Item = impl AsRef<Path>>,
    ) -> Result<Self, Error> {
        let files: Vec<PathBuf> = files.into_iter().map(|f| f.as_ref().to_owned()).collect();
        let lists = read_revocation_files(&files)?;
        let setting = FileSetting::new(files, lists);
        Ok(self.with(|s| {
            s.revocation.lists = Vec::new();
            s.revocation.files = Some(setting);
        }))
    }

    /// Which certificates of a path are checked against the revocation lists.
    ///
    /// # Defaults
    /// [`RevocationDepth::Chain`].
    pub fn revocation_depth(&self) -> RevocationDepth {
        self.settings().revocation.depth
    }

    /// Checks the peer's certificate only ([`RevocationDepth::Leaf`],
    /// OpenSSL's `-crl_check`) or every certificate of the path but the
    /// trust anchor ([`RevocationDepth::Chain`], `-crl_check_all`).
    ///
    /// Default: [`RevocationDepth::Chain`]; read it with [`revocation_depth`](Self::revocation_depth).
    pub fn with_revocation_depth(self, depth: RevocationDepth) -> Self {
        self.with(|s| s.revocation.depth = depth)
    }

    /// Whether a certificate whose status no revocation list decides passes.
    ///
    /// # Defaults
    /// `false`.
    pub fn unknown_revocation_status_allowed(&self) -> bool {
        self.settings().revocation.unknown_status_allowed
    }

    /// Lets a certificate whose status no configured revocation list
    /// decides (none from its issuer, or none whose scope covers it) pass,
    /// as if not revoked; otherwise it is
    /// [`SslErrorKind::UnableToGetRevocationList`], as OpenSSL's "unable to
    /// get certificate CRL". A certificate that any list its issuer's key
    /// signed revokes, whatever that list's scope, is refused all the same.
    ///
    /// Default: `false`; read it with [`unknown_revocation_status_allowed`](Self::unknown_revocation_status_allowed).
    pub fn with_unknown_revocation_status_allowed(self, allowed: bool) -> Self {
        self.with(|s| s.revocation.unknown_status_allowed = allowed)
    }

    /// Whether revocation lists past their `nextUpdate` are still used.
    ///
    /// # Defaults
    /// `false`.
    pub fn expired_revocation_lists_allowed(&self) -> bool {
        self.settings().revocation.expired_lists_allowed
    }

    /// Uses revocation lists past their `nextUpdate` as if current;
    /// otherwise a certificate whose issuer's list has expired is
    /// [`SslErrorKind::RevocationListExpired`], as OpenSSL's "CRL has expired".
    ///
    /// Default: `false`; read it with [`expired_revocation_lists_allowed`](Self::expired_revocation_lists_allowed).
    pub fn with_expired_revocation_lists_allowed(self, allowed: bool) -> Self {
        self.with(|s| s.revocation.expired_lists_allowed = allowed)
    }

    /// The public key pins a verified peer must match.
    ///
    /// # Defaults
    /// None.
    pub fn public_key_pins(&self) -> &[PublicKeyPin] {
        &self.settings().pins.keys
    }

    /// Requires a pinned public key on every verified path, on top of CA
    /// verification: the peer's, an intermediate's or the trust anchor's key
    /// must be one of `pins` (see [`PublicKeyPin`] and
    /// [`Certificate::public_key_pin`]), or verification reports
    /// [`SslErrorKind::PublicKeyNotPinned`]. Pin more than one key (the next
    /// key, a backup CA) to survive a change. Applies on both sides and in
    /// every verify mode, as the other verification errors do; an empty
    /// list pins nothing.
    ///
    /// Default: none; read them with [`public_key_pins`](Self::public_key_pins).
    ///
    /// ```
    /// use sslconf::{PublicKeyPin, SslConfiguration};
    ///
    /// let config = SslConfiguration::new().with_public_key_pins([
    ///     "sha256//YLh1dUR9y6Kja30RrAn7JKnbQG/uEtLMkBgFF2Fuihg=".parse::<PublicKeyPin>()?,
    /// ]);
    /// assert_eq!(config.public_key_pins().len(), 1);
    /// # Ok::<(), sslconf::Error>(())
    /// ```
    pub fn with_public_key_pins(self, pins: impl IntoIterator<Item = PublicKeyPin>) -> Self {
        let keys = pins.into_iter().collect();
        self.with(|s| s.pins.keys = keys)
    }

    /// Whether the public key pins replace CA verification.
    ///
    /// # Defaults
    /// `false`.
    pub fn public_key_pins_only(&self) -> bool {
        self.settings().pins.only
    }

    /// Trusts a peer by its key alone, for self-signed peers: when `true`,
    /// no path to a CA is built and the CA certificates are not consulted;
    /// the peer's own certificate must carry a pinned key (an intermediate's
    /// proves nothing without a path), and be within its validity period,
    /// and a client still checks the host name (expect
    /// [`SslErrorKind::HostNameMismatch`] with
    /// [`with_expected_ssl_errors`](Self::with_expected_ssl_errors) for a
    /// device known by address). A server in this mode asks clients for a
    /// certificate under `AutoVerifyPeer`, as with explicit CA certificates.
    ///
    /// Default: `false`; read it with [`public_key_pins_only`](Self::public_key_pins_only).
    pub fn with_public_key_pins_only(self, only: bool) -> Self {
        self.with(|s| s.pins.only = only)
    }

    /// Where the TLS secrets of every connection are logged, if anywhere.
    ///
    /// # Defaults
    /// `None`: no key log.
    #[doc(alias = "SSLKEYLOGFILE")]
    pub fn key_log(&self) -> Option<&crate::KeyLogDestination> {
        self.settings().key_log.as_ref()
    }

    /// Logs the TLS secrets of every connection to `path`, in the NSS key log
    /// format that Wireshark and tshark read (`-o tls.keylog_file:PATH`): a
    /// debugging aid. The file is opened for appending at conversion, or
    /// created (on Unix with mode 0600: readable by its owner only) if
    /// nothing is there, and a warning is logged then; each line
    /// (`LABEL <client random> <secret>`, in hex) is written at once. All
    /// connections of a converted config share the file; the client and the
    /// server config each open it.
    ///
    /// The secrets go only to a regular file that no one else can read: a
    /// symbolic link (even to such a file), a directory, a FIFO or a device
    /// is refused, and on Unix so is an existing file owned by another user,
    /// with other hard links, or whose mode gives its group or others any
    /// access (`chmod 600` it).
    /// A refused file is never written to, and not even opened unless it
    /// was swapped in while the path was being opened. Elsewhere (Windows)
    /// the file's access control list is not checked, and a new file gets
    /// its directory's.
    ///
    /// # Warning
    /// Anyone who can read the file can decrypt every connection logged to
    /// it, past ones included. Never turn this on in production.
    ///
    /// # Errors
    /// At conversion (so from [`client_config`](Self::client_config),
    /// [`server_config`](Self::server_config), `connect` and `accept`),
    /// naming the file: [`Error::OpenKeyLog`] when it cannot be opened or
    /// created, [`Error::UnsafeKeyLog`] when it is refused.
    ///
    /// Default: no key log; read it with [`key_log`](Self::key_log).
    ///
    /// ```
    /// use sslconf::{KeyLogDestination, SslConfiguration};
    ///
    /// let path = std::env::temp_dir().join("sslconf-doc-keys.log");
    /// let config = SslConfiguration::new().with_key_log_file(&path);
    /// assert_eq!(config.key_log(), Some(&KeyLogDestination::File(path.clone())));
    /// config.client_config()?; // opens the file
    /// assert!(path.exists());
    ///
    /// // A file that cannot be opened fails the conversion.
    /// let bad = SslConfiguration::new().with_key_log_file("/nonexistent/keys.log");
    /// assert!(matches!(bad.client_config(), Err(sslconf::Error::OpenKeyLog { .. })));
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), sslconf::Error>(())
    /// ```
    pub fn with_key_log_file(self, path: impl Into<PathBuf>) -> Self {
        let destination = crate::KeyLogDestination::File(path.into());
        self.with(|s| s.key_log = Some(destination))
    }

    /// Logs the TLS secrets of every connection to the file named by the
    /// `SSLKEYLOGFILE` environment variable, read at conversion: as
    /// [`with_key_log_file`](Self::with_key_log_file) with that path, the
    /// same checks and the same errors, but nothing is logged when the
    /// variable is not set or empty. Without this setting `SSLKEYLOGFILE` is
    /// never read.
    ///
    /// Unlike rustls's own [`KeyLogFile`](rustls::KeyLogFile), which follows
    /// links, appends to a file others can read and only warns when it
    /// cannot open one, a file that cannot be opened or is refused fails the
    /// conversion.
    ///
    /// # Warning
    /// Anyone who can read the file can decrypt every connection logged to
    /// it, past ones included. Never turn this on in production.
    ///
    /// # Errors
    /// At conversion, as [`with_key_log_file`](Self::with_key_log_file):
    /// [`Error::OpenKeyLog`] or [`Error::UnsafeKeyLog`] naming the file.
    ///
    /// Default: no key log; read it with [`key_log`](Self::key_log).
    ///
    /// ```
    /// use sslconf::{KeyLogDestination, SslConfiguration};
    ///
    /// let config = SslConfiguration::default_configuration().with_key_log_from_env();
    /// assert_eq!(config.key_log(), Some(&KeyLogDestination::Environment));
    /// assert_eq!(SslConfiguration::new().key_log(), None);
    /// ```
    #[doc(alias = "SSLKEYLOGFILE")]
    pub fn with_key_log_from_env(self) -> Self {
        self.with(|s| s.key_log = Some(crate::KeyLogDestination::Environment))
    }

    /// Turns the key log off, as it is by default: for a configuration
    /// derived from one that has it on.
    ///
    /// Default: no key log; read it with [`key_log`](Self::key_log).
    pub fn without_key_log(self) -> Self {
        self.with(|s| s.key_log = None)
    }

    /// The ALPN protocols, in preference order.
    #[doc(alias = "allowedNextProtocols")]
    pub fn allowed_next_protocols(&self) -> &[Vec<u8>] {
        &self.settings().alpn
    }

    /// Sets the ALPN protocols, in preference order. Each must be 1 to 255
    /// bytes long, checked at conversion.
    ///
    /// Default: none (no ALPN); read them with [`allowed_next_protocols`](Self::allowed_next_protocols).
    #[doc(alias = "setAllowedNextProtocols")]
    pub fn with_allowed_next_protocols(
        self,
        protocols: impl IntoIterator<Item = impl Into<Vec<u8>>>,
    ) -> Self {
        let alpn = protocols.into_iter().map(Into::into).collect();
        self.with(|s| s.alpn = alpn)
    }

    /// The key-exchange groups, in preference order.
    ///
    /// # Defaults
    /// The crypto provider's default groups, in its order (with aws-lc-rs:
    /// X25519MLKEM768, X25519, secp256r1, secp384r1).
    #[doc(alias = "ellipticCurves")]
    pub fn key_exchange_groups(&self) -> Vec<KeyExchangeGroup> {
        match &self.settings().groups {
            Some(groups) => groups.clone(),
            None => KeyExchangeGroup::defaults(),
        }
    }

    /// Sets the key-exchange groups, in preference order; duplicates are
    /// dropped. A group the crypto provider does not implement is an error at
    /// conversion.
    ///
    /// Default: the crypto provider's default groups, in its order; read them with [`key_exchange_groups`](Self::key_exchange_groups).
    #[doc(alias = "setEllipticCurves")]
    pub fn with_key_exchange_groups(
        self,
        groups: impl IntoIterator<Item = KeyExchangeGroup>,
    ) -> Self {
        let mut list: Vec<KeyExchangeGroup> = Vec::new();
        for group in groups {
            if !list.contains(&group) {
                list.push(group);
            }
        }
        self.with(|s| s.groups = Some(list))
    }

    /// Every key-exchange group the crypto provider implements, in its order,
    /// including those it offers only when configured (such as pure ML-KEM).
    #[doc(alias = "supportedEllipticCurves")]
    pub fn supported_key_exchange_groups() -> Vec<KeyExchangeGroup> {
        KeyExchangeGroup::all_supported()
    }

    /// Whether an SSL option is on.
    #[doc(alias = "testSslOption")]
    pub fn test_ssl_option(&self, option: SslOption) -> bool {
        self.settings().options.contains(option)
    }

    /// Turns an SSL option on or off.
    ///
    /// Default: Qt's set (see [`SslOption`]): the four that rustls always
    /// applies on, the others off; read one with
    /// [`test_ssl_option`](Self::test_ssl_option).
    ///
    /// ```
    /// use sslconf::{SslConfiguration, SslOption};
    ///
    /// let client = SslConfiguration::new().with_ssl_option(SslOption::DisableSessionTickets, true)?;
    /// assert!(client.test_ssl_option(SslOption::DisableSessionTickets));
    /// // rustls never compresses: that cannot be turned off.
    /// assert!(client.with_ssl_option(SslOption::DisableCompression, false).is_err());
    /// # Ok::<(), sslconf::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::UnsupportedOption`] for turning off an option that rustls
    /// always applies ([`SslOption::always_on_in_rustls`]): refused here,
    /// so that no configuration holds a setting it cannot honour.
    #[doc(alias = "setSslOption")]
    pub fn with_ssl_option(self, option: SslOption, on: bool) -> Result<Self, Error> {
        if !on && option.always_on_in_rustls() {
            return Err(Error::UnsupportedOption { option });
        }
        Ok(self.with(|s| s.options = s.options.set(option, on)))
    }

    /// Turns an SSL option on, which is never refused.
    pub(crate) fn with_ssl_option_on(self, option: SslOption) -> Self {
        self.with(|s| s.options = s.options.set(option, true))
    }

    /// The keys a server seals and opens session tickets with, when set.
    ///
    /// # Defaults
    /// None: rustls's ticketer, with random keys per process.
    pub fn session_ticket_keys(&self) -> Option<Arc<crate::TicketKeys>> {
        self.settings().ticket_keys.as_ref().map(Loaded::current)
    }

    /// Seals a server's session tickets with keys shared by every server of
    /// a fleet (see [`TicketKeys`](crate::TicketKeys)), so that a client
    /// resumes on whichever server a balancer sends it to: the first key
    /// seals, every key opens. Without them rustls's ticketer makes random
    /// keys per process, and a ticket resumes only on the server that issued
    /// it. [`SslOption::DisableSessionTickets`] and
    /// [`SslOption::DisableSessionSharing`] still turn tickets off, keys or
    /// not. Client configurations ignore this setting.
    ///
    /// ```
    /// use std::time::Duration;
    /// use sslconf::{SslConfiguration, TicketKeys};
    /// # let dir = std::env::temp_dir().join(format!("sslconf-doc-tickets-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir)?;
    /// # let (new, old) = (dir.join("new.key"), dir.join("old.key"));
    /// # std::fs::write(&new, [1u8; 80])?;
    /// # std::fs::write(&old, [2u8; 80])?;
    ///
    /// // The same files on every server (`openssl rand 80 > new.key`).
    /// let keys = TicketKeys::from_paths([&new, &old])?;
    /// let config = SslConfiguration::new()
    ///     .with_session_ticket_keys(keys)
    ///     .with_session_ticket_lifetime(Duration::from_secs(3600));
    /// assert_eq!(config.session_ticket_keys().unwrap().key_names()[0], [1u8; 16]);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// Default: none; read them with [`session_ticket_keys`](Self::session_ticket_keys).
    pub fn with_session_ticket_keys(self, keys: crate::TicketKeys) -> Self {
        let files: Vec<PathBuf> = keys.files().iter().map(|f| f.to_path_buf()).collect();
        let keys = if files.is_empty() {
            Loaded::Value(Arc::new(keys))
        } else {
            Loaded::Files(FileSetting::new(files, keys))
        };
        self.with(|s| s.ticket_keys = Some(keys))
    }

    /// How long a session ticket sealed with
    /// [`session_ticket_keys`](Self::session_ticket_keys) is valid.
    ///
    /// # Defaults
    /// 12 hours, what rustls's own ticketer tells clients.
    pub fn session_ticket_lifetime(&self) -> std::time::Duration {
        self.settings()
            .ticket_lifetime
            .unwrap_or(crate::server::DEFAULT_TICKET_LIFETIME)
    }

    /// Sets how long a session ticket sealed with shared keys is valid, in
    /// whole seconds: servers tell clients so, and refuse a ticket whose
    /// session's first full handshake is older (a full handshake), however
    /// often the ticket was renewed on resumption since (through a raw
    /// `server_config()`, from the renewal: see the crate docs, "How a peer
    /// is accepted"). Between 1 second and 7 days (RFC 8446's limit);
    /// anything else, or a lifetime without
    /// [`with_session_ticket_keys`](Self::with_session_ticket_keys), is
    /// [`Error::InvalidSessionTicketLifetime`] at server conversion. It bounds
    /// what a stolen ticket is good for; rotating the keys bounds what a
    /// stolen key is.
    ///
    /// ```
    /// use std::time::Duration;
    /// use sslconf::{SslConfiguration, TicketKeys};
    ///
    /// let config = SslConfiguration::new()
    ///     .with_session_ticket_keys(TicketKeys::generate()?)
    ///     .with_session_ticket_lifetime(Duration::from_secs(600));
    /// assert_eq!(config.session_ticket_lifetime(), Duration::from_secs(600));
    /// # Ok::<(), sslconf::Error>(())
    /// ```
    ///
    /// Default: 12 hours; read it with [`session_ticket_lifetime`](Self::session_ticket_lifetime).
    pub fn with_session_ticket_lifetime(self, lifetime: std::time::Duration) -> Self {
        self.with(|s| s.ticket_lifetime = Some(lifetime))
    }

    /// The deadline of a whole handshake in [`connect`](Self::connect),
    /// [`accept`](Self::accept) and their async forms; `None`: no deadline
    /// of their own (see [`with_handshake_timeout`](Self::with_handshake_timeout)).
    #[doc(alias = "handshakeTimeout")]
    pub fn handshake_timeout(&self) -> Option<std::time::Duration> {
        self.settings().handshake_timeout
    }

    /// Sets how long a whole handshake may take in [`connect`](Self::connect),
    /// [`accept`](Self::accept), `connect_async` and `accept_async`
    /// (Qt's `QSslServer::setHandshakeTimeout`): past it they fail with
    /// [`Error::HandshakeTimeout`], whose `deadline` is this timeout. The
    /// clock starts when the call begins its I/O on the socket (after the
    /// conversion to a rustls config) and covers everything up to the last
    /// flight written, however the peer paces its bytes: a peer that
    /// trickles a ClientHello a byte at a time cannot hold a server past
    /// it. `Duration::ZERO` fails every handshake.
    ///
    /// Blocking: the socket is any `Read + Write`, so no call in progress
    /// is cut short; no read or write of the socket begins after the
    /// deadline. A peer that sends nothing at all is bounded by the
    /// socket's own read timeout, which callers should still set (a
    /// `TcpStream`'s [`set_read_timeout`](std::net::TcpStream::set_read_timeout)
    /// and `set_write_timeout`): the handshake then ends at most one socket
    /// timeout after the deadline.
    ///
    /// Async: the handshake runs under `tokio::time::timeout`, which ends
    /// it exactly at the deadline and needs a runtime with its timers on
    /// (`#[tokio::main]`, or `enable_time`/`enable_all` on the builder);
    /// on a runtime without them, tokio panics.
    ///
    /// The setting has no effect on a raw [`client_config`](Self::client_config)
    /// or [`server_config`](Self::server_config): their users (hyper, axum,
    /// tonic) have their own timeouts.
    ///
    /// ```
    /// use std::time::Duration;
    /// use sslconf::SslConfiguration;
    ///
    /// let server = SslConfiguration::new().with_handshake_timeout(Duration::from_secs(5));
    /// assert_eq!(server.handshake_timeout(), Some(Duration::from_secs(5)));
    /// assert_eq!(SslConfiguration::new().handshake_timeout(), None);
    /// ```
    ///
    /// Default: none, as Qt's `QSslSocket` (its `QSslServer` defaults to
    /// 5 s). One configuration serves clients and servers, and a deadline
    /// right for a server facing the internet would cut off a client on a
    /// slow link; no default deadline also leaves code written before this
    /// setting as it was (bounded by its socket timeouts), and an async
    /// handshake on a runtime without timers working. A server that accepts
    /// untrusted clients should set one: `examples/server` uses 10 s.
    #[doc(alias = "setHandshakeTimeout")]
    pub fn with_handshake_timeout(self, timeout: std::time::Duration) -> Self {
        self.with(|s| s.handshake_timeout = Some(timeout))
    }

    /// The rustls client config for these settings, built on first call and
    /// cached: later calls on this value or its clones return the same `Arc`,
    /// so sessions resume across connections.
    ///
    /// Its session cache is emptied when the trust or the identity read from
    /// files changes. One limit holds for connections made from this `Arc`
    /// directly (not through [`connect`](Self::connect), `connect_async` or
    /// `connect_quic`): a session ticket that a server sends after the
    /// identity's files were read again, on a connection that presented the
    /// old certificate, is kept (rustls hands the cache the server's name
    /// only, no connection), and the next connection may resume as the old
    /// certificate. This crate's connections tell the cache which
    /// certificate they presented, and such a ticket is not kept.
    ///
    /// # Errors
    /// Every setting rustls cannot honour, naming it: see [`Error`].
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, Error> {
        converted(&self.inner.client, || {
            convert::client_config(&self.inner.settings, &self.server_trust()?)
                .map(|config| (config, ()))
        })
    }

    /// The rustls server config for these settings, built on first call and
    /// cached like [`client_config`](Self::client_config).
    ///
    /// # Errors
    /// Every setting rustls cannot honour, naming it, and a missing local
    /// certificate or private key: see [`Error`].
    pub fn server_config(&self) -> Result<Arc<ServerConfig>, Error> {
        converted(&self.inner.server, || {
            let s = &self.inner.settings;
            let asks = PeerCheck::server(s.peer_verify_mode(), s.trusts_explicitly())
                != PeerCheck::NotRequested;
            let trust = if asks {
                Some(self.client_trust()?)
            } else {
                None
            };
            convert::server_config(s, trust.as_ref())
        })
    }

    /// The value of type `T` another module derives from this
    /// configuration, built by `build` on first call and cached with the
    /// configuration's other conversions (emptied with them by a `with_*`
    /// call). Two threads may build at once; both return the one stored
    /// first.
    ///
    /// # Errors
    /// What `build` returns.
    #[cfg(feature = "quic")]
    pub(crate) fn derived<T: std::any::Any + Send + Sync>(
        &self,
        build: impl FnOnce() -> Result<T, Error>,
    ) -> Result<Arc<T>, Error> {
        let find = |values: &[Arc<dyn std::any::Any + Send + Sync>]| {
            values
                .iter()
                .find_map(|value| Arc::clone(value).downcast::<T>().ok())
        };
        let lock = || self.inner.derived.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(done) = find(&lock()) {
            return Ok(done);
        }
        let built = Arc::new(build()?);
        let mut values = lock();
        if let Some(done) = find(&values) {
            return Ok(done);
        }
        values.push(built.clone());
        Ok(built)
    }

    /// Verifies a leaf-first chain as Qt's `QSslCertificate::verify` does:
    /// against this configuration's CA certificates and verify depth, and
    /// against `host_name` when given; checked as a TLS server's certificate
    /// (see [`verify_chain_for`](Self::verify_chain_for) for another
    /// purpose, or none as Qt). Returns everything found wrong, each naming
    /// its certificate; empty when valid. An empty chain is
    /// [`SslErrorKind::UnspecifiedError`], as in Qt.
    #[doc(alias = "verify")]
    pub fn verify_chain(&self, chain: &[Certificate], host_name: Option<&str>) -> Vec<SslError> {
        self.verify_chain_for(chain, host_name, CertificatePurpose::TlsServer)
    }

    /// [`verify_chain`](Self::verify_chain) for a chosen purpose:
    /// [`CertificatePurpose::Any`] checks none, as Qt's `verify()`.
    ///
    /// ```
    /// # let ca_key = rcgen::KeyPair::generate().unwrap();
    /// # let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    /// # ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    /// # ca.distinguished_name.push(rcgen::DnType::CommonName, "Mail CA");
    /// # let ca_cert = ca.self_signed(&ca_key).unwrap();
    /// # let issuer = rcgen::Issuer::new(ca, ca_key);
    /// # let mut leaf = rcgen::CertificateParams::new(vec!["mail.example".into()]).unwrap();
    /// # leaf.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::EmailProtection];
    /// # let leaf = leaf.signed_by(&rcgen::KeyPair::generate().unwrap(), &issuer).unwrap();
    /// use sslconf::{Certificate, CertificatePurpose, SslConfiguration, SslErrorKind};
    ///
    /// let config = SslConfiguration::new()
    ///     .with_ca_certificates([Certificate::from_der(ca_cert.der())?]);
    /// let chain = [Certificate::from_der(leaf.der())?]; // for e-mail only
    /// assert_eq!(
    ///     config.verify_chain(&chain, None)[0].kind(),
    ///     SslErrorKind::InvalidPurpose
    /// );
    /// assert!(config.verify_chain_for(&chain, None, CertificatePurpose::Any).is_empty());
    /// # Ok::<(), sslconf::Error>(())
    /// ```
    pub fn verify_chain_for(
        &self,
        chain: &[Certificate],
        host_name: Option<&str>,
        purpose: CertificatePurpose,
    ) -> Vec<SslError> {
        match self.server_trust() {
            Ok(trust) => trust.current().ssl_errors(
                chain,
                host_name,
                Usage::from(purpose),
                unix_time(std::time::SystemTime::now()),
            ),
            // A configured CA certificate cannot be a trust anchor: nothing verifies.
            Err(_) => vec![SslError::new(
                SslErrorKind::InvalidCaCertificate,
                chain.first().cloned(),
            )],
        }
    }
}

impl SslConfiguration {
    /// What this configuration trusts to verify servers' chains, built on
    /// first use and shared by the client conversion, `verify_chain` and
    /// `connect`; it follows the trust files.
    pub(crate) fn server_trust(&self) -> Result<Arc<Trust>, Error> {
        cached(&self.inner.server_trust, || {
            Trust::new(&self.inner.settings, Peers::Servers)
        })
    }

    /// As [`server_trust`](Self::server_trust), to verify clients' chains:
    /// the configured CA certificates only.
    pub(crate) fn client_trust(&self) -> Result<Arc<Trust>, Error> {
        cached(&self.inner.client_trust, || {
            Trust::new(&self.inner.settings, Peers::Clients)
        })
    }

    /// The resolver of a converted server config that chooses among
    /// identities or reloads them, if it has one.
    pub(crate) fn live_resolver(&self) -> Option<Arc<crate::server::LiveResolver>> {
        self.inner.server.get()?.handles.clone()
    }

    /// Checks a resumed server again when what the client trusts follows
    /// files: a session taken from the cache just before a reload resumes
    /// after it. `host_name` is `Some` exactly on the client side; a server
    /// checks a resumed client as it opens the ticket (see
    /// `convert::server`), for raw configs too. Nothing to do for a full
    /// handshake, or when the trust does not follow files.
    ///
    /// # Errors
    /// [`Error::PeerVerification`] when the chain no longer verifies.
    pub(crate) fn recheck_resumed(
        &self,
        conn: &rustls::CommonState,
        host_name: Option<&str>,
    ) -> Result<(), Error> {
        let resumed = conn.handshake_kind() == Some(rustls::HandshakeKind::Resumed);
        self.recheck_resumed_chain(resumed, conn.peer_certificates(), host_name)
    }

    /// [`recheck_resumed`](Self::recheck_resumed), for a handshake that
    /// `resumed` or not, whose peer presented `chain` (a QUIC connection
    /// tells these, not its rustls connection).
    ///
    /// # Errors
    /// As [`recheck_resumed`](Self::recheck_resumed).
    pub(crate) fn recheck_resumed_chain(
        &self,
        resumed: bool,
        chain: Option<&[rustls::pki_types::CertificateDer<'_>]>,
        host_name: Option<&str>,
    ) -> Result<(), Error> {
        let Some(host_name) = host_name else {
            return Ok(());
        };
        if !resumed {
            return Ok(());
        }
        let (Ok(trust), Some(chain)) = (self.server_trust(), chain) else {
            return Ok(());
        };
        if !trust.follows_files() {
            return Ok(());
        }
        let Some((end_entity, intermediates)) = chain.split_first() else {
            return Ok(());
        };
        let name = crate::host::server_name(host_name)?;
        let now = unix_time(std::time::SystemTime::now());
        match trust.verify(
            end_entity,
            intermediates,
            Some(&name),
            Usage::ServerAuth,
            now,
        ) {
            Err(failure) if !crate::verify::admits(&self.settings().expected_errors, &failure) => {
                Err(
                    rustls::Error::from(crate::error::VerificationFailure::new(failure.errors))
                        .into(),
                )
            }
            _ => Ok(()),
        }
    }

    /// The local chain as a handshake ends, when the identity follows files:
    /// what a connection's `SessionState` reports when the handshake did not
    /// say which chain it presented (a server that asked for none, a
    /// resumed session), whatever a later reload reads (`None`: the
    /// configuration's chain, which does not change).
    pub(crate) fn local_chain_in_force(&self) -> Option<Vec<Certificate>> {
        let s = self.settings();
        s.local_reading_files().map(|_| s.local_chain())
    }

    /// Whether the local identity is read from files (and may change
    /// under a connection).
    pub(crate) fn identity_reads_files(&self) -> bool {
        self.settings().local_reading_files().is_some()
    }

    /// The check of the peer's chain that a handshake on this side leaves to
    /// be made afterwards: for a peer accepted whatever its chain (`QueryPeer`,
    /// `VerifyNone`) or with expected errors, so that `SessionState` can
    /// tell what was wrong.
    /// `host_name` is `Some` exactly on the client side.
    pub(crate) fn pending_check(&self, host_name: Option<&str>) -> Option<PendingCheck> {
        let s = self.settings();
        let (check, usage, verifier) = match host_name {
            Some(_) => (
                PeerCheck::client(s.peer_verify_mode()),
                Usage::ServerAuth,
                self.server_trust(),
            ),
            None => (
                PeerCheck::server(s.peer_verify_mode(), s.trusts_explicitly()),
                Usage::ClientAuth,
                self.client_trust(),
            ),
        };
        // A verified peer had nothing wrong, unless expected errors let it in.
        let recorded = match check {
            PeerCheck::Recorded => true,
            PeerCheck::Verified { .. } => !s.expected_errors.is_empty(),
            PeerCheck::NotRequested => false,
        };
        // A CA certificate that cannot be an anchor failed the conversion
        // before any handshake: the verifier is there.
        verifier
            .ok()
            .filter(|_| recorded)
            .map(|trust| PendingCheck::now(trust.current(), usage, host_name))
    }
}

/// Every setting of `s` that came from files, read again and checked:
/// what changed, as a commit to apply, and the files whose content changed.
///
/// # Errors
/// [`Error::Reload`] naming the files of the first bad input.
fn read_again(s: &Settings) -> Result<(Commit, Vec<PathBuf>), Error> {
    let mut commit = Commit::default();
    let mut changed = Vec::new();
    // An identity held twice (the local one also per name) is read once.
    let mut seen: Vec<*const FileSetting<Identity>> = Vec::new();
    let named = s
        .named_identities
        .iter()
        .map(|n| (&n.identity, n.patterns.as_slice()));
    let identities = s
        .identities_reading_files()
        .into_iter()
        .filter(|i| {
            !s.named_identities
                .iter()
                .any(|n| std::ptr::eq(&n.identity, *i))
        })
        .map(|i| (i, &[][..]))
        .chain(named.filter(|(i, _)| i.reads_files()));
    for (identity, patterns) in identities {
        let Some(live) = identity.live() else {
            continue;
        };
        let fresh = identity
            .reread()
            .and_then(|fresh| convert::check_identity(&fresh, patterns).map(|()| fresh))
            .map_err(|source| reload_error(&identity.all_files(), source))?;
        if seen.contains(&Arc::as_ptr(live)) {
            continue;
        }
        seen.push(Arc::as_ptr(live));
        let now = identity.current();
        if now.certificate_chain() != fresh.certificate_chain()
            || now.private_key() != fresh.private_key()
        {
            changed.extend(fresh.file_paths());
        }
        if now.ocsp_response() != fresh.ocsp_response() {
            changed.extend(fresh.ocsp_response_file().map(Path::to_owned));
        }
        if now != fresh {
            commit.set(live, fresh);
        }
    }
    if let Some(Loaded::Files(keys)) = &s.ticket_keys {
        let fresh = keys
            .current()
            .reread()
            .map_err(|source| reload_error(keys.files(), source))?;
        if fresh != *keys.current() {
            changed.extend(keys.files().iter().cloned());
            commit.set(keys, fresh);
        }
    }
    if let Some(lists) = &s.revocation.files {
        let fresh = read_revocation_files(lists.files())
            .map_err(|source| reload_error(lists.files(), source))?;
        if fresh != *lists.current() {
            changed.extend(lists.files().iter().cloned());
            commit.set(lists, fresh);
        }
    }
    if let Some(ca) = &s.ca.files {
        let fresh = read_ca_files(ca.files()).map_err(|source| reload_error(ca.files(), source))?;
        // Each must be usable as a trust anchor, as at conversion.
        TrustAnchors::configured_only(&CaCertificates {
            system: false,
            certificates: fresh.clone(),
            files: None,
        })
        .map_err(|source| reload_error(ca.files(), source))?;
        if fresh != *ca.current() {
            changed.extend(ca.files().iter().cloned());
            commit.set(ca, fresh);
        }
    }
    Ok((commit, changed))
}

fn reload_error(files: &[PathBuf], cause: Error) -> Error {
    Error::Reload {
        files: join_paths(files),
        cause: Box::new(cause),
    }
}

/// The revocation lists of files, in order. A list already past its
/// `nextUpdate` is read (it still revokes), with a warning: unless expired
/// lists are allowed, every certificate it covers now fails.
fn read_revocation_files(files: &[PathBuf]) -> Result<Vec<RevocationList>, Error> {
    let mut all = Vec::new();
    let now = std::time::SystemTime::now();
    for file in files {
        let lists = RevocationList::from_path(file)?;
        for list in lists.iter().filter(|list| list.next_update() <= now) {
            log::warn!(
                "sslconf: {}: the revocation list of {} is past its nextUpdate: unless expired \
                 lists are allowed, the certificates it covers fail as RevocationListExpired",
                file.display(),
                list.issuer_name()
            );
        }
        all.extend(lists);
    }
    Ok(all)
}

/// The certificates of CA files, in order.
fn read_ca_files(files: &[PathBuf]) -> Result<Vec<Certificate>, Error> {
    let mut all = Vec::new();
    for file in files {
        all.extend(Certificate::from_path(file)?);
    }
    Ok(all)
}

fn join_paths(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    names.join(", ")
}

fn read_default() -> std::sync::RwLockReadGuard<'static, Option<SslConfiguration>> {
    DEFAULT_CONFIGURATION
        .read()
        .unwrap_or_else(|e| e.into_inner())
}

/// A converted config and the parts of it a reload swaps.
struct Converted<T, H> {
    config: Arc<T>,
    handles: H,
}

/// [`cached`] for a conversion that also returns its live handles: the
/// config and its handles are stored together.
fn converted<T, H>(
    cell: &OnceLock<Converted<T, H>>,
    build: impl FnOnce() -> Result<(T, H), Error>,
) -> Result<Arc<T>, Error> {
    if let Some(done) = cell.get() {
        return Ok(done.config.clone());
    }
    let (config, handles) = build()?;
    let built = Converted {
        config: Arc::new(config),
        handles,
    };
    // Two threads may build at once; both return the one that was stored first.
    Ok(cell.get_or_init(|| built).config.clone())
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn cached<T>(
    cell: &OnceLock<Arc<T>>,
    build: impl FnOnce() -> Result<T, Error>,
) -> Result<Arc<T>, Error> {
    if let Some(done) = cell.get() {
        return Ok(done.clone());
    }
    let built = Arc::new(build()?);
    // Two threads may build at once; both return the one that was stored first.
    Ok(cell.get_or_init(|| built).clone())
}

impl Default for SslConfiguration {
    fn default() -> Self {
        Self::new()
    }
}

impl PartialEq for SslConfiguration {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
            || (self.inner.null == other.inner.null && self.inner.settings == other.inner.settings)
    }
}

impl Eq for SslConfiguration {}

impl fmt::Debug for SslConfiguration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.settings();
        let options: Vec<SslOption> = s.options.iter().collect();
        f.debug_struct("SslConfiguration")
            .field("null", &self.inner.null)
            .field("protocol", &self.protocol())
            .field("ciphers", &s.ciphers)
            .field("system_ca_certificates", &s.ca.system)
            .field("ca_certificates", &s.ca.configured())
            .field("local_identity", &s.local)
            .field("peer_verify_mode", &self.peer_verify_mode())
            .field("peer_verify_depth", &s.peer_verify_depth)
            .field("expected_ssl_errors", &s.expected_errors)
            .field("allowed_next_protocols", &AlpnList(&s.alpn))
            .field("key_exchange_groups", &s.groups)
            .field("ssl_options", &options)
            .field("key_log", &s.key_log)
            .field("session_ticket_keys", &s.ticket_keys)
            .field("session_ticket_lifetime", &s.ticket_lifetime)
            .field("ocsp_stapling_enabled", &s.ocsp_stapling)
            .field("handshake_timeout", &s.handshake_timeout)
            .finish()
    }
}

/// ALPN names print as strings where they are UTF-8.
struct AlpnList<'a>(&'a [Vec<u8>]);

impl fmt::Debug for AlpnList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|p| String::from_utf8_lossy(p)))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_until_set() {
        let config = SslConfiguration::new();
        assert!(config.is_null());
        assert!(SslConfiguration::default().is_null());
        let set = config.clone().with_peer_verify_depth(3);
        assert!(!set.is_null());
        assert!(config.is_null());
        assert_ne!(config, set);
        assert_eq!(config, SslConfiguration::new());
    }

    #[test]
    fn getters_fill_in_defaults() {
        let config = SslConfiguration::new();
        assert_eq!(config.protocol(), SslProtocol::SecureProtocols);
        assert_eq!(config.ciphers(), SslConfiguration::supported_ciphers());
        let groups = config.key_exchange_groups();
        assert!(!groups.is_empty());
        let supported = SslConfiguration::supported_key_exchange_groups();
        assert!(groups.iter().all(|g| supported.contains(g)));
        assert_eq!(config.peer_verify_mode(), PeerVerifyMode::AutoVerifyPeer);
        assert_eq!(config.peer_verify_depth(), 0);
        assert!(config.allowed_next_protocols().is_empty());
        assert!(config.local_identity().is_none());
        assert!(config.local_certificate_chain().is_empty());
        assert!(config.test_ssl_option(SslOption::DisableCompression));
        assert!(!config.test_ssl_option(SslOption::DisableSessionTickets));
    }

    #[test]
    fn setters_keep_other_settings() {
        let config = SslConfiguration::new()
            .with_protocol(SslProtocol::TlsV1_3)
            .with_peer_verify_depth(2)
            .with_allowed_next_protocols(["h2"]);
        assert_eq!(config.protocol(), SslProtocol::TlsV1_3);
        assert_eq!(config.peer_verify_depth(), 2);
        assert_eq!(config.allowed_next_protocols(), [b"h2".to_vec()]);
    }

    #[test]
    fn an_unshared_value_changes_in_place_and_forgets_its_conversions() {
        let config = SslConfiguration::new().with_allowed_next_protocols(["h2"]);
        let first = config.client_config().unwrap();
        let verifier = config.server_trust().unwrap();
        let address = Arc::as_ptr(&config.inner);
        let changed = config.with_allowed_next_protocols(["http/1.1"]);
        assert_eq!(Arc::as_ptr(&changed.inner), address, "changed in place");
        let second = changed.client_config().unwrap();
        assert!(!Arc::ptr_eq(&first, &second));
        assert_eq!(first.alpn_protocols, [b"h2".to_vec()]);
        assert_eq!(second.alpn_protocols, [b"http/1.1".to_vec()]);
        assert!(!Arc::ptr_eq(&verifier, &changed.server_trust().unwrap()));
    }

    #[test]
    fn a_shared_value_is_copied_not_changed() {
        let config = SslConfiguration::new().with_protocol(SslProtocol::TlsV1_3);
        let kept = config.clone();
        let cached = kept.client_config().unwrap();
        let changed = config.with_protocol(SslProtocol::TlsV1_2);
        assert!(!Arc::ptr_eq(&kept.inner, &changed.inner));
        assert_eq!(kept.protocol(), SslProtocol::TlsV1_3);
        assert_eq!(changed.protocol(), SslProtocol::TlsV1_2);
        assert!(Arc::ptr_eq(&cached, &kept.client_config().unwrap()));
        // Nor is a null configuration that a clone was taken of.
        let null = SslConfiguration::new();
        let _ = null.clone().with_peer_verify_depth(1);
        assert!(null.is_null());
    }

    #[test]
    fn cipher_list_names_the_bad_name() {
        let err = SslConfiguration::new()
            .with_cipher_list("TLS_AES_128_GCM_SHA256:RC4-MD5")
            .unwrap_err();
        assert!(matches!(&err, Error::UnknownCipher { name } if name == "RC4-MD5"));
        let ok = SslConfiguration::new()
            .with_cipher_list(
                "ECDHE-RSA-AES128-GCM-SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_128_GCM_SHA256",
            )
            .unwrap();
        let names: Vec<&str> = ok.ciphers().iter().map(Cipher::name).collect();
        assert_eq!(
            names,
            [
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_AES_128_GCM_SHA256"
            ]
        );
    }

    #[test]
    fn send_sync() {
        fn check<T: Send + Sync>() {}
        check::<SslConfiguration>();
    }
}
