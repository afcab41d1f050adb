//! `SslConfiguration`: every TLS setting Qt has, as one immutable value.

use std::fmt;
use std::sync::{Arc, OnceLock, RwLock};

use rustls::{ClientConfig, ServerConfig};

use crate::convert;
use crate::session::PendingCheck;
use crate::settings::{CaCertificates, Settings};
use crate::verify::{unix_time, ChainVerifier, PeerCheck, TrustAnchors, Usage};
use crate::{
    roots, Certificate, CertificatePurpose, Cipher, Error, KeyExchangeGroup, PeerVerifyMode,
    PrivateKey, SslError, SslErrorKind, SslOption, SslProtocol,
};

/// Every TLS setting of Qt's `QSslConfiguration`, as an immutable value.
///
/// Each `with_*` method returns a new value; getters fill in defaults for what
/// was never set. Cloning is cheap: clones share the settings and the cached
/// rustls configs.
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
    settings: Settings,
    client: OnceLock<Arc<ClientConfig>>,
    server: OnceLock<Arc<ServerConfig>>,
    /// Checks servers: the system store (unless replaced) and the
    /// configured CA certificates.
    server_verifier: OnceLock<Arc<ChainVerifier>>,
    /// Checks clients: the configured CA certificates only.
    client_verifier: OnceLock<Arc<ChainVerifier>>,
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
                settings,
                client: OnceLock::new(),
                server: OnceLock::new(),
                server_verifier: OnceLock::new(),
                client_verifier: OnceLock::new(),
            }),
        }
    }

    /// A new value with one setting changed and empty caches. A value no one
    /// else holds is changed in place (nobody can see it change), so a chain
    /// of `with_*` calls copies the settings at most once.
    fn with(mut self, change: impl FnOnce(&mut Settings)) -> Self {
        match Arc::get_mut(&mut self.inner) {
            Some(inner) => {
                change(&mut inner.settings);
                inner.null = false;
                inner.client = OnceLock::new();
                inner.server = OnceLock::new();
                inner.server_verifier = OnceLock::new();
                inner.client_verifier = OnceLock::new();
                self
            }
            None => {
                let mut settings = self.inner.settings.clone();
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
        all.extend(ca.certificates.iter().cloned());
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
            }
        })
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

    /// The local certificate: the first of the local chain.
    #[doc(alias = "localCertificate")]
    pub fn local_certificate(&self) -> Option<&Certificate> {
        self.settings().local_chain.first()
    }

    /// Sets the local certificate; the local chain becomes just this certificate.
    ///
    /// Default: none; read it with [`local_certificate`](Self::local_certificate).
    #[doc(alias = "setLocalCertificate")]
    pub fn with_local_certificate(self, certificate: Certificate) -> Self {
        self.with(|s| s.local_chain = vec![certificate])
    }

    /// The local certificate chain, leaf first.
    #[doc(alias = "localCertificateChain")]
    pub fn local_certificate_chain(&self) -> &[Certificate] {
        &self.settings().local_chain
    }

    /// Sets the local certificate chain, leaf first, as sent to the peer.
    ///
    /// Default: empty; read it with [`local_certificate_chain`](Self::local_certificate_chain).
    #[doc(alias = "setLocalCertificateChain")]
    pub fn with_local_certificate_chain(
        self,
        chain: impl IntoIterator<Item = Certificate>,
    ) -> Self {
        let chain = chain.into_iter().collect();
        self.with(|s| s.local_chain = chain)
    }

    /// The private key of the local certificate.
    #[doc(alias = "privateKey")]
    pub fn private_key(&self) -> Option<&PrivateKey> {
        self.settings().private_key.as_deref()
    }

    /// Sets the private key of the local certificate; checked to match it at conversion.
    ///
    /// Default: none; read it with [`private_key`](Self::private_key).
    #[doc(alias = "setPrivateKey")]
    pub fn with_private_key(self, key: PrivateKey) -> Self {
        let key = Arc::new(key);
        self.with(|s| s.private_key = Some(key))
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
    /// certificate matches none with one). Anything else fails as
    /// `VerifyPeer` does. The check runs inside the rustls verifiers, so it
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

    /// The ALPN protocols, in preference order.
    #[doc(alias = "allowedNextProtocols")]
    pub fn allowed_next_protocols(&self) -> Vec<Vec<u8>> {
        self.settings().alpn.clone()
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

    /// Turns an SSL option on or off. Turning off one that rustls always
    /// applies is an error at conversion.
    ///
    /// Default: Qt's set (see [`SslOption`]); read one with [`test_ssl_option`](Self::test_ssl_option).
    #[doc(alias = "setSslOption")]
    pub fn with_ssl_option(self, option: SslOption, on: bool) -> Self {
        self.with(|s| s.options = s.options.set(option, on))
    }

    /// The keys a server seals and opens session tickets with, when set.
    ///
    /// # Defaults
    /// None: rustls's ticketer, with random keys per process.
    pub fn session_ticket_keys(&self) -> Option<&crate::TicketKeys> {
        self.settings().ticket_keys.as_deref()
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
        let keys = Arc::new(keys);
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
    /// whole seconds: servers tell clients so, and refuse an older ticket
    /// (a full handshake). Between 1 second and 7 days (RFC 8446's limit);
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

    /// The rustls client config for these settings, built on first call and
    /// cached: later calls on this value or its clones return the same `Arc`,
    /// so sessions resume across connections.
    ///
    /// # Errors
    /// Every setting rustls cannot honour, naming it: see [`Error`].
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, Error> {
        cached(&self.inner.client, || {
            convert::client_config(self.settings(), &self.server_verifier()?)
        })
    }

    /// The rustls server config for these settings, built on first call and
    /// cached like [`client_config`](Self::client_config).
    ///
    /// # Errors
    /// Every setting rustls cannot honour, naming it, and a missing local
    /// certificate or private key: see [`Error`].
    pub fn server_config(&self) -> Result<Arc<ServerConfig>, Error> {
        cached(&self.inner.server, || {
            convert::server_config(self.settings(), &self.client_verifier()?)
        })
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
        match self.server_verifier() {
            Ok(verifier) => verifier.ssl_errors(
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
    /// The verifier of servers' chains, built on first use from the CA
    /// certificates and the depth, and shared by the client conversion,
    /// `verify_chain` and `connect`.
    pub(crate) fn server_verifier(&self) -> Result<Arc<ChainVerifier>, Error> {
        let s = self.settings();
        cached(&self.inner.server_verifier, || {
            Ok(ChainVerifier::new(
                TrustAnchors::new(&s.ca)?,
                s.peer_verify_depth,
            ))
        })
    }

    /// The verifier of clients' chains: as [`server_verifier`](Self::server_verifier),
    /// but with the configured CA certificates only.
    pub(crate) fn client_verifier(&self) -> Result<Arc<ChainVerifier>, Error> {
        let s = self.settings();
        cached(&self.inner.client_verifier, || {
            Ok(ChainVerifier::new(
                TrustAnchors::configured_only(&s.ca)?,
                s.peer_verify_depth,
            ))
        })
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
                self.server_verifier(),
            ),
            None => (
                PeerCheck::server(s.peer_verify_mode(), s.ca.has_explicit()),
                Usage::ClientAuth,
                self.client_verifier(),
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
            .map(|v| PendingCheck::now(v, usage, host_name))
    }
}

fn read_default() -> std::sync::RwLockReadGuard<'static, Option<SslConfiguration>> {
    DEFAULT_CONFIGURATION
        .read()
        .unwrap_or_else(|e| e.into_inner())
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
            .field("ca_certificates", &s.ca.certificates)
            .field("local_certificate_chain", &s.local_chain)
            .field("private_key", &s.private_key)
            .field("peer_verify_mode", &self.peer_verify_mode())
            .field("peer_verify_depth", &s.peer_verify_depth)
            .field("expected_ssl_errors", &s.expected_errors)
            .field("allowed_next_protocols", &AlpnList(&s.alpn))
            .field("key_exchange_groups", &s.groups)
            .field("ssl_options", &options)
            .field("session_ticket_keys", &s.ticket_keys)
            .field("session_ticket_lifetime", &s.ticket_lifetime)
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
        assert!(config.local_certificate().is_none());
        assert!(config.private_key().is_none());
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
        let verifier = config.server_verifier().unwrap();
        let address = Arc::as_ptr(&config.inner);
        let changed = config.with_allowed_next_protocols(["http/1.1"]);
        assert_eq!(Arc::as_ptr(&changed.inner), address, "changed in place");
        let second = changed.client_config().unwrap();
        assert!(!Arc::ptr_eq(&first, &second));
        assert_eq!(first.alpn_protocols, [b"h2".to_vec()]);
        assert_eq!(second.alpn_protocols, [b"http/1.1".to_vec()]);
        assert!(!Arc::ptr_eq(&verifier, &changed.server_verifier().unwrap()));
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
