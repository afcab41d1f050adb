//! The crate's rustls configs as quinn's crypto layer takes them: the very
//! `Arc`s `server_config()`/`client_config()` return, checked for what
//! QUIC needs.

use std::fmt;
use std::sync::Arc;

use quinn_proto::crypto::{self, Keys, UnsupportedVersion};
use quinn_proto::transport_parameters::TransportParameters;
use quinn_proto::{ConnectError, ConnectionId, Side};
use rustls::quic::{ClientConnection, Connection, ServerConnection, Suite};
use rustls::{CipherSuite, ClientConfig, ProtocolVersion, ServerConfig};

use super::observe::observer;
use super::session::{initial_keys, version, QuicSession};
use crate::client::presenting;
use crate::provider::{provider, BACKEND_NAME};
use crate::settings::Settings;
use crate::{Error, SslConfiguration};

/// A server's TLS for quinn: this crate's server config, as
/// [`SslConfiguration::quic_server_config`](crate::SslConfiguration::quic_server_config)
/// returns it. Hand it to `quinn::ServerConfig::with_crypto`.
///
/// It holds the same `Arc<rustls::ServerConfig>` that
/// [`server_config`](crate::SslConfiguration::server_config) returns, so
/// that TCP and QUIC serve the same identities (per server name too), verify
/// clients with the same verifier, follow the same reloads, seal tickets
/// with the same keys and write the same key log.
pub struct QuicServerConfig {
    tls: Arc<ServerConfig>,
    initial: Suite,
}

/// A client's TLS for quinn: this crate's client config, as
/// [`SslConfiguration::quic_client_config`](crate::SslConfiguration::quic_client_config)
/// returns it. Hand it to `quinn::ClientConfig::new`.
///
/// It holds the same `Arc<rustls::ClientConfig>` that
/// [`client_config`](crate::SslConfiguration::client_config) returns: the
/// same verifier, client identity, session cache and key log.
pub struct QuicClientConfig {
    tls: Arc<ClientConfig>,
    initial: Suite,
    /// Whether a connection keeps the server's OCSP staple.
    keeps_staple: bool,
}

impl QuicServerConfig {
    /// `tls`, the server config of settings that [`check`] passed, for
    /// QUIC.
    ///
    /// # Errors
    /// [`Error::UnsupportedForQuic`] when the crypto provider cannot
    /// protect the initial packets.
    pub(crate) fn new(tls: Arc<ServerConfig>) -> Result<Self, Error> {
        Ok(Self {
            tls,
            initial: initial_suite()?,
        })
    }

    /// The rustls server config it holds: the one `server_config()`
    /// returns.
    pub fn rustls_config(&self) -> &Arc<ServerConfig> {
        &self.tls
    }
}

impl QuicClientConfig {
    /// `tls`, the client config of `s` (which [`check`] passed), for QUIC.
    ///
    /// # Errors
    /// As [`QuicServerConfig::new`].
    pub(crate) fn new(s: &Settings, tls: Arc<ClientConfig>) -> Result<Self, Error> {
        Ok(Self {
            tls,
            initial: initial_suite()?,
            keeps_staple: s.ocsp_stapling,
        })
    }

    /// The rustls client config it holds: the one `client_config()`
    /// returns.
    pub fn rustls_config(&self) -> &Arc<ClientConfig> {
        &self.tls
    }
}

/// The settings QUIC cannot honour, each named: a protocol setting
/// without TLS 1.3, a cipher list without a TLS 1.3 suite. Checked before
/// the rustls config is built, whose own errors come after.
///
/// A cipher list without TLS_AES_128_GCM_SHA256 is honoured: QUIC
/// protects its initial packets with it whatever is negotiated (RFC 9001
/// §5.2, keys anyone can derive from the packet), and the connection uses
/// the suites listed.
///
/// # Errors
/// [`Error::UnsupportedForQuic`]; [`Error::UnsupportedProtocol`] as for
/// TCP.
pub(crate) fn check(s: &Settings) -> Result<(), Error> {
    let protocol = s.protocol();
    let versions = protocol.rustls_versions()?;
    if !versions
        .iter()
        .any(|v| v.version == ProtocolVersion::TLSv1_3)
    {
        return Err(Error::UnsupportedForQuic {
            setting: "protocol",
            reason: format!("{protocol} leaves out TLS 1.3, the only version QUIC runs (RFC 9001)"),
        });
    }
    if let Some(ciphers) = &s.ciphers {
        let tls13 = provider()
            .cipher_suites
            .iter()
            .filter(|suite| suite.tls13().is_some())
            .any(|suite| ciphers.iter().any(|c| c.suite() == suite.suite()));
        if !tls13 {
            return Err(Error::UnsupportedForQuic {
                setting: "ciphers",
                reason: "no TLS 1.3 cipher suite is listed, and QUIC negotiates only those"
                    .to_owned(),
            });
        }
    }
    Ok(())
}

/// The suite that protects the initial packets (RFC 9001 §5.2), from the
/// crypto provider itself: the configured cipher list need not hold it.
fn initial_suite() -> Result<Suite, Error> {
    provider()
        .cipher_suites
        .iter()
        .filter(|suite| suite.suite() == CipherSuite::TLS13_AES_128_GCM_SHA256)
        .find_map(|suite| suite.tls13()?.quic_suite())
        .ok_or_else(|| Error::UnsupportedForQuic {
            setting: "ciphers",
            reason: format!(
                "the {BACKEND_NAME} crypto provider has no TLS_AES_128_GCM_SHA256 for QUIC, \
                 which protects its initial packets"
            ),
        })
}

impl crypto::ServerConfig for QuicServerConfig {
    fn initial_keys(
        &self,
        version: u32,
        dst_cid: &ConnectionId,
    ) -> Result<Keys, UnsupportedVersion> {
        let version = self::version(version)?;
        Ok(initial_keys(version, dst_cid, Side::Server, &self.initial))
    }

    fn retry_tag(&self, version: u32, orig_dst_cid: &ConnectionId, packet: &[u8]) -> [u8; 16] {
        // quinn asks only for versions `initial_keys` took.
        let version = self::version(version).unwrap_or(rustls::quic::Version::V1);
        super::retry::tag(version, orig_dst_cid, packet)
    }

    fn start_session(
        self: Arc<Self>,
        version: u32,
        params: &TransportParameters,
    ) -> Box<dyn crypto::Session> {
        // quinn starts sessions only for versions `initial_keys` took.
        let version = self::version(version).unwrap_or(rustls::quic::Version::V1);
        let tls = ServerConnection::new(Arc::clone(&self.tls), version, to_vec(params))
            .map(Connection::Server);
        let observed = observer(&self.tls);
        Box::new(QuicSession::new(
            tls,
            version,
            self.initial,
            false,
            observed,
        ))
    }
}

impl crypto::ClientConfig for QuicClientConfig {
    fn start_session(
        self: Arc<Self>,
        version: u32,
        server_name: &str,
        params: &TransportParameters,
    ) -> Result<Box<dyn crypto::Session>, ConnectError> {
        let version = self::version(version)?;
        // As `connect` reads a host name: an IP address may be bracketed.
        let name = crate::host::server_name(server_name)
            .map_err(|_| ConnectError::InvalidServerName(server_name.to_owned()))?;
        // The ClientHello takes the session it resumes: what it was
        // presented with is told then (see `client::presenting`).
        let mut presented = None;
        let tls = presenting(&mut presented, || {
            ClientConnection::new(Arc::clone(&self.tls), version, name, to_vec(params))
        })
        .map(Connection::Client);
        let observed = observer(&self.tls);
        Ok(Box::new(
            QuicSession::new(tls, version, self.initial, self.keeps_staple, observed)
                .presenting(presented),
        ))
    }
}

fn to_vec(params: &TransportParameters) -> Vec<u8> {
    let mut bytes = Vec::new();
    params.write(&mut bytes);
    bytes
}

impl fmt::Debug for QuicServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QuicServerConfig")
            .field("alpn_protocols", &AlpnList(&self.tls.alpn_protocols))
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for QuicClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QuicClientConfig")
            .field("alpn_protocols", &AlpnList(&self.tls.alpn_protocols))
            .field("keeps_staple", &self.keeps_staple)
            .finish_non_exhaustive()
    }
}

/// ALPN names as text where they are.
struct AlpnList<'a>(&'a [Vec<u8>]);

impl fmt::Debug for AlpnList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|p| String::from_utf8_lossy(p)))
            .finish()
    }
}

impl SslConfiguration {
    /// The server config for QUIC (feature `quic`), to hand to
    /// `quinn::ServerConfig::with_crypto`: the very `Arc<rustls::ServerConfig>`
    /// [`server_config`](SslConfiguration::server_config) returns, so that TCP and QUIC
    /// serve the same identities, verify clients the same way, follow the
    /// same reloads, share ticket keys and the key log (see
    /// [`quic`](crate::quic)). Built on first call and cached like it.
    ///
    /// QUIC runs TLS 1.3 only: a protocol range serves TLS 1.3 here and
    /// what it allows over TCP.
    ///
    /// # Errors
    /// [`Error::UnsupportedForQuic`] for a setting QUIC cannot honour (a
    /// protocol setting or a cipher list without TLS 1.3), naming it; the
    /// errors of [`server_config`](SslConfiguration::server_config).
    #[cfg_attr(docsrs, doc(cfg(feature = "quic")))]
    pub fn quic_server_config(&self) -> Result<Arc<QuicServerConfig>, Error> {
        self.derived(|| {
            check(self.settings())?;
            QuicServerConfig::new(self.server_config()?)
        })
    }

    /// The client config for QUIC (feature `quic`), to hand to
    /// `quinn::ClientConfig::new`: the very `Arc<rustls::ClientConfig>`
    /// [`client_config`](SslConfiguration::client_config) returns (the same verifier,
    /// client identity, session cache and key log; see
    /// [`quic`](crate::quic)). Built on first call and cached like it.
    ///
    /// # Errors
    /// As [`quic_server_config`](SslConfiguration::quic_server_config), with the
    /// errors of [`client_config`](SslConfiguration::client_config).
    #[cfg_attr(docsrs, doc(cfg(feature = "quic")))]
    pub fn quic_client_config(&self) -> Result<Arc<QuicClientConfig>, Error> {
        self.derived(|| {
            check(self.settings())?;
            QuicClientConfig::new(self.settings(), self.client_config()?)
        })
    }
}
