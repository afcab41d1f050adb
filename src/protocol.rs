//! Protocol versions, peer verify modes and SSL options: Qt's enums, mapped to rustls.

use std::fmt;
use std::str::FromStr;

use rustls::SupportedProtocolVersion;

use crate::Error;

/// A TLS protocol version or range, as Qt's `QSsl::SslProtocol`.
///
/// rustls speaks TLS 1.2 and TLS 1.3 only. Ranges that start lower
/// (`TlsV1_0OrLater`, `TlsV1_1OrLater`, `AnyProtocol`) therefore negotiate
/// TLS 1.2 or 1.3; a single older version (`TlsV1_0`, `TlsV1_1`) is an error
/// at conversion.
///
/// ```
/// use sslconf::SslProtocol;
///
/// assert_eq!(SslProtocol::default(), SslProtocol::SecureProtocols);
/// assert_eq!(SslProtocol::TlsV1_0OrLater.rustls_versions()?.len(), 2);
/// assert!(SslProtocol::TlsV1_1.rustls_versions().is_err());
/// # Ok::<(), sslconf::Error>(())
/// ```
///
/// # Defaults
/// [`SslProtocol::SecureProtocols`]: TLS 1.2 and TLS 1.3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SslProtocol {
    /// TLS 1.0 only: not supported by rustls.
    TlsV1_0,
    /// TLS 1.1 only: not supported by rustls.
    TlsV1_1,
    /// TLS 1.2 only.
    TlsV1_2,
    /// TLS 1.3 only.
    TlsV1_3,
    /// TLS 1.0 and later: TLS 1.2 and TLS 1.3 here.
    TlsV1_0OrLater,
    /// TLS 1.1 and later: TLS 1.2 and TLS 1.3 here.
    TlsV1_1OrLater,
    /// TLS 1.2 and later.
    TlsV1_2OrLater,
    /// TLS 1.3 and later.
    TlsV1_3OrLater,
    /// Any version the library supports: TLS 1.2 and TLS 1.3.
    AnyProtocol,
    /// The versions considered secure: TLS 1.2 and TLS 1.3.
    #[default]
    SecureProtocols,
    /// A session's protocol before the handshake, or one this crate does not know.
    /// State only: setting it is an error at conversion.
    UnknownProtocol,
}

impl SslProtocol {
    /// The rustls protocol versions this setting enables.
    ///
    /// # Errors
    /// [`Error::UnsupportedProtocol`] for `TlsV1_0`, `TlsV1_1` and `UnknownProtocol`.
    pub fn rustls_versions(self) -> Result<&'static [&'static SupportedProtocolVersion], Error> {
        static TLS12: &[&SupportedProtocolVersion] = &[&rustls::version::TLS12];
        static TLS13: &[&SupportedProtocolVersion] = &[&rustls::version::TLS13];
        static BOTH: &[&SupportedProtocolVersion] =
            &[&rustls::version::TLS13, &rustls::version::TLS12];
        match self {
            Self::TlsV1_2 => Ok(TLS12),
            Self::TlsV1_3 | Self::TlsV1_3OrLater => Ok(TLS13),
            Self::TlsV1_0OrLater
            | Self::TlsV1_1OrLater
            | Self::TlsV1_2OrLater
            | Self::AnyProtocol
            | Self::SecureProtocols => Ok(BOTH),
            Self::TlsV1_0 | Self::TlsV1_1 | Self::UnknownProtocol => {
                Err(Error::UnsupportedProtocol { protocol: self })
            }
        }
    }

    /// The single version a session negotiated, from rustls's view of it.
    pub(crate) fn from_rustls(version: rustls::ProtocolVersion) -> Self {
        match version {
            rustls::ProtocolVersion::TLSv1_2 => Self::TlsV1_2,
            rustls::ProtocolVersion::TLSv1_3 => Self::TlsV1_3,
            _ => Self::UnknownProtocol,
        }
    }

    /// Parses Qt-style and OpenSSL-style spellings: `"TlsV1_2"`, `"tls1.2"`,
    /// `"TLSv1.3"`, `"1.2+"`, `"secure"`, `"any"`, and what
    /// [`Display`](fmt::Display) prints (`"TLS 1.2 or later"`). Case-insensitive.
    /// [`str::parse`] does the same, with an error that says what is expected.
    pub fn from_name(name: &str) -> Option<Self> {
        let key: String = name
            .chars()
            .filter(|c| !matches!(c, '_' | '.' | '-' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        Some(match key.as_str() {
            // OpenSSL calls TLS 1.0 "TLSv1".
            "tlsv10" | "tls10" | "10" | "tlsv1" | "tls1" => Self::TlsV1_0,
            "tlsv11" | "tls11" | "11" => Self::TlsV1_1,
            "tlsv12" | "tls12" | "12" => Self::TlsV1_2,
            "tlsv13" | "tls13" | "13" => Self::TlsV1_3,
            "tlsv10orlater" | "tls10orlater" | "tls10+" | "10+" => Self::TlsV1_0OrLater,
            "tlsv11orlater" | "tls11orlater" | "tls11+" | "11+" => Self::TlsV1_1OrLater,
            "tlsv12orlater" | "tls12orlater" | "tls12+" | "12+" => Self::TlsV1_2OrLater,
            "tlsv13orlater" | "tls13orlater" | "tls13+" | "13+" => Self::TlsV1_3OrLater,
            "anyprotocol" | "any" => Self::AnyProtocol,
            "secureprotocols" | "secure" => Self::SecureProtocols,
            _ => return None,
        })
    }
}

/// What [`SslProtocol::from_str`] accepts, for its error message.
const PROTOCOL_NAMES: &str =
    "tls1.2, tls1.3, tls1.2+, tls1.3+, secure, any, or a Qt name such as TlsV1_2OrLater";

/// [`SslProtocol::from_name`], with an error for a name it does not know.
///
/// ```
/// use sslconf::SslProtocol;
///
/// assert_eq!("tls1.2+".parse::<SslProtocol>()?, SslProtocol::TlsV1_2OrLater);
/// let err = "sslv3".parse::<SslProtocol>().unwrap_err();
/// assert!(err.to_string().starts_with(r#"unknown protocol "sslv3": expected "#));
/// # Ok::<(), sslconf::Error>(())
/// ```
impl FromStr for SslProtocol {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Error> {
        Self::from_name(name).ok_or_else(|| Error::UnknownName {
            what: "protocol",
            name: name.to_owned(),
            expected: PROTOCOL_NAMES,
        })
    }
}

impl fmt::Display for SslProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TlsV1_0 => "TLS 1.0",
            Self::TlsV1_1 => "TLS 1.1",
            Self::TlsV1_2 => "TLS 1.2",
            Self::TlsV1_3 => "TLS 1.3",
            Self::TlsV1_0OrLater => "TLS 1.0 or later",
            Self::TlsV1_1OrLater => "TLS 1.1 or later",
            Self::TlsV1_2OrLater => "TLS 1.2 or later",
            Self::TlsV1_3OrLater => "TLS 1.3 or later",
            Self::AnyProtocol => "any protocol",
            Self::SecureProtocols => "secure protocols",
            Self::UnknownProtocol => "unknown protocol",
        })
    }
}

/// How the peer's certificate is checked, as Qt's `QSslSocket::PeerVerifyMode`.
///
/// | mode | client | server |
/// |---|---|---|
/// | `VerifyPeer` | the server's chain must verify against the CA certificates (the system store unless replaced), or the handshake fails | a client certificate is required and must verify against the CA certificates configured explicitly (see below) |
/// | `QueryPeer` | any chain is accepted; what is wrong is recorded | a client certificate is requested but optional; any chain is accepted; what is wrong is recorded |
/// | `VerifyNone` | any chain is accepted | no client certificate is requested |
/// | `AutoVerifyPeer` | `VerifyPeer` | with CA certificates configured explicitly: a client certificate is requested but optional, and one that is sent must verify against them; without: none is requested |
///
/// A server trusts only CA certificates configured explicitly, with
/// [`with_ca_certificates`](crate::SslConfiguration::with_ca_certificates) or
/// [`with_added_ca_certificates`](crate::SslConfiguration::with_added_ca_certificates)
/// (of which only the added ones count): the system store never
/// authenticates clients. A `VerifyPeer` server without any is an error at
/// conversion. So what `AutoVerifyPeer` does on a server depends on the
/// configuration, not on the mode alone; Qt resolves it to `QueryPeer`.
///
/// "Recorded" means [`SessionState::peer_verification_errors`](crate::SessionState::peer_verification_errors)
/// of a stream from [`connect`](crate::SslConfiguration::connect) or
/// [`accept`](crate::SslConfiguration::accept) (or their tokio versions)
/// lists what was wrong. In every mode the peer must still prove, by its
/// handshake signature, that it holds the key of the certificate it sent.
///
/// ```
/// use sslconf::PeerVerifyMode;
///
/// assert_eq!(PeerVerifyMode::default(), PeerVerifyMode::AutoVerifyPeer);
/// assert_eq!("query".parse::<PeerVerifyMode>()?, PeerVerifyMode::QueryPeer);
/// assert_eq!(
///     PeerVerifyMode::from_name("VerifyPeer"),
///     Some(PeerVerifyMode::VerifyPeer)
/// );
/// # Ok::<(), sslconf::Error>(())
/// ```
///
/// # Defaults
/// [`PeerVerifyMode::AutoVerifyPeer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum PeerVerifyMode {
    /// Do not check the peer's certificate; a server does not ask for one.
    ///
    /// # Warning
    /// A client in this mode talks to whoever answers: anyone on the path can
    /// pose as the server. The handshake accepts any chain; only the
    /// [`SessionState`](crate::SessionState) of a stream from
    /// [`connect`](crate::SslConfiguration::connect) tells what was wrong with
    /// it. A raw [`client_config()`](crate::SslConfiguration::client_config)
    /// used elsewhere (hyper, reqwest, tonic) keeps no record at all.
    VerifyNone,
    /// Ask for the peer's certificate and record what is wrong with it, but go on.
    ///
    /// # Warning
    /// The peer's chain is accepted whatever it is: a sent certificate is not
    /// an authenticated one. A raw
    /// [`server_config()`](crate::SslConfiguration::server_config) handed to
    /// hyper, axum-server or tonic exposes the unverified chain as
    /// `peer_certificates()`, exactly as it would a verified one. Only the
    /// [`SessionState`](crate::SessionState) of a stream from
    /// [`accept`](crate::SslConfiguration::accept) (or
    /// [`connect`](crate::SslConfiguration::connect)) tells what was wrong;
    /// elsewhere, check the chain yourself with
    /// [`verify_chain`](crate::SslConfiguration::verify_chain) before trusting it.
    QueryPeer,
    /// The peer's certificate must verify.
    VerifyPeer,
    /// `VerifyPeer` for a client; for a server, verify an optional client
    /// certificate against CA certificates configured explicitly, and ask for
    /// none when there are none.
    #[default]
    AutoVerifyPeer,
}

impl PeerVerifyMode {
    /// Parses `"VerifyNone"`, `"none"`, `"QueryPeer"`, `"query"`, `"VerifyPeer"`,
    /// `"verify"`, `"AutoVerifyPeer"`, `"auto"`; case-insensitive.
    /// [`str::parse`] does the same, with an error that says what is expected.
    pub fn from_name(name: &str) -> Option<Self> {
        let key: String = name
            .chars()
            .filter(|c| !matches!(c, '_' | '-' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        Some(match key.as_str() {
            "verifynone" | "none" => Self::VerifyNone,
            "querypeer" | "query" => Self::QueryPeer,
            "verifypeer" | "verify" | "peer" => Self::VerifyPeer,
            "autoverifypeer" | "auto" => Self::AutoVerifyPeer,
            _ => return None,
        })
    }
}

/// [`PeerVerifyMode::from_name`], with an error for a name it does not know.
///
/// ```
/// use sslconf::PeerVerifyMode;
///
/// assert_eq!("none".parse::<PeerVerifyMode>()?, PeerVerifyMode::VerifyNone);
/// let err = "sometimes".parse::<PeerVerifyMode>().unwrap_err();
/// assert!(err.to_string().starts_with(r#"unknown peer verify mode "sometimes": expected "#));
/// # Ok::<(), sslconf::Error>(())
/// ```
impl FromStr for PeerVerifyMode {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Error> {
        Self::from_name(name).ok_or_else(|| Error::UnknownName {
            what: "peer verify mode",
            name: name.to_owned(),
            expected: "none, query, verify or auto (or VerifyNone, QueryPeer, VerifyPeer, AutoVerifyPeer)",
        })
    }
}

impl fmt::Display for PeerVerifyMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// An SSL option, as Qt's `QSsl::SslOption`.
///
/// rustls never sends empty fragments, never compresses, never renegotiates and
/// never persists sessions to disk, so the four options that disable those are
/// always on: turning one off is refused by
/// [`with_ssl_option`](crate::SslConfiguration::with_ssl_option).
///
/// ```
/// use sslconf::{Error, SslConfiguration, SslOption};
///
/// let config = SslConfiguration::new().with_ssl_option(SslOption::DisableSessionTickets, true)?;
/// assert!(config.test_ssl_option(SslOption::DisableSessionTickets));
/// assert!(config.test_ssl_option(SslOption::DisableCompression)); // Qt's default
/// // rustls never compresses: turning that off cannot be honoured.
/// let refused = config.with_ssl_option(SslOption::DisableCompression, false);
/// assert!(matches!(refused, Err(Error::UnsupportedOption { .. })));
/// # Ok::<(), Error>(())
/// ```
///
/// # Defaults
/// Qt's: `DisableEmptyFragments`, `DisableCompression`,
/// `DisableLegacyRenegotiation` and `DisableSessionPersistence` on, the rest off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SslOption {
    /// No empty fragments (a CBC countermeasure). Always on in rustls.
    DisableEmptyFragments,
    /// No session tickets: a client resumes TLS 1.2 by session ID only, a server
    /// issues no tickets.
    DisableSessionTickets,
    /// No TLS compression. Always on in rustls.
    DisableCompression,
    /// The client sends no server name (SNI).
    DisableServerNameIndication,
    /// No insecure legacy renegotiation. Always on in rustls, which never renegotiates.
    DisableLegacyRenegotiation,
    /// No session resumption at all: no session cache or tickets shared
    /// between connections.
    DisableSessionSharing,
    /// Sessions are not persisted beyond the process. Always on in rustls.
    DisableSessionPersistence,
    /// A server follows the client's cipher order instead of its own.
    DisableServerCipherPreference,
}

impl SslOption {
    /// Every option, in Qt's order. A slice: options may be added.
    pub const ALL: &'static [SslOption] = &[
        Self::DisableEmptyFragments,
        Self::DisableSessionTickets,
        Self::DisableCompression,
        Self::DisableServerNameIndication,
        Self::DisableLegacyRenegotiation,
        Self::DisableSessionSharing,
        Self::DisableSessionPersistence,
        Self::DisableServerCipherPreference,
    ];

    /// Whether rustls applies this option unconditionally.
    pub fn always_on_in_rustls(self) -> bool {
        matches!(
            self,
            Self::DisableEmptyFragments
                | Self::DisableCompression
                | Self::DisableLegacyRenegotiation
                | Self::DisableSessionPersistence
        )
    }
}

impl SslOption {
    /// Parses Qt's names, with or without the `SslOption` prefix
    /// (`"SslOptionDisableSessionTickets"`, `"DisableSessionTickets"`), and
    /// kebab or snake case (`"disable-session-tickets"`); case-insensitive.
    /// [`str::parse`] does the same, with an error that says what is expected.
    pub fn from_name(name: &str) -> Option<Self> {
        let key: String = name
            .chars()
            .filter(|c| !matches!(c, '_' | '-' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        let key = key.strip_prefix("ssloption").unwrap_or(&key);
        Self::ALL
            .iter()
            .copied()
            .find(|o| o.to_string().eq_ignore_ascii_case(key))
    }
}

/// [`SslOption::from_name`], with an error for a name it does not know.
///
/// ```
/// use sslconf::SslOption;
///
/// assert_eq!(
///     "disable-session-tickets".parse::<SslOption>()?,
///     SslOption::DisableSessionTickets
/// );
/// let err = "DisableEverything".parse::<SslOption>().unwrap_err();
/// assert!(err.to_string().starts_with(r#"unknown ssl option "DisableEverything": expected "#));
/// # Ok::<(), sslconf::Error>(())
/// ```
impl FromStr for SslOption {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Error> {
        Self::from_name(name).ok_or_else(|| Error::UnknownName {
            what: "ssl option",
            name: name.to_owned(),
            expected: "a Qt option name: DisableEmptyFragments, DisableSessionTickets, \
                       DisableCompression, DisableServerNameIndication, \
                       DisableLegacyRenegotiation, DisableSessionSharing, \
                       DisableSessionPersistence or DisableServerCipherPreference",
        })
    }
}

/// Qt's name without the `SslOption` prefix: `DisableSessionTickets`.
impl fmt::Display for SslOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_map_to_rustls_versions() {
        let both = SslProtocol::SecureProtocols.rustls_versions().unwrap();
        assert_eq!(both.len(), 2);
        for p in [
            SslProtocol::TlsV1_0OrLater,
            SslProtocol::TlsV1_1OrLater,
            SslProtocol::TlsV1_2OrLater,
            SslProtocol::AnyProtocol,
        ] {
            assert_eq!(p.rustls_versions().unwrap().len(), 2, "{p:?}");
        }
        let v13 = SslProtocol::TlsV1_3OrLater.rustls_versions().unwrap();
        assert_eq!(v13[0].version, rustls::ProtocolVersion::TLSv1_3);
        let v12 = SslProtocol::TlsV1_2.rustls_versions().unwrap();
        assert_eq!(v12[0].version, rustls::ProtocolVersion::TLSv1_2);
        for p in [
            SslProtocol::TlsV1_0,
            SslProtocol::TlsV1_1,
            SslProtocol::UnknownProtocol,
        ] {
            let err = p.rustls_versions().unwrap_err();
            assert!(err.to_string().starts_with("setting protocol:"), "{err}");
        }
    }

    #[test]
    fn protocol_names_parse() {
        assert_eq!(
            SslProtocol::from_name("TLSv1.3"),
            Some(SslProtocol::TlsV1_3)
        );
        assert_eq!(
            SslProtocol::from_name("TlsV1_2OrLater"),
            Some(SslProtocol::TlsV1_2OrLater)
        );
        assert_eq!(
            SslProtocol::from_name("1.2+"),
            Some(SslProtocol::TlsV1_2OrLater)
        );
        assert_eq!(
            SslProtocol::from_name("secure"),
            Some(SslProtocol::SecureProtocols)
        );
        assert_eq!(SslProtocol::from_name("TLSv1"), Some(SslProtocol::TlsV1_0));
        assert_eq!(SslProtocol::from_name("sslv3"), None);
    }

    #[test]
    fn protocol_display_and_debug_parse_back() {
        for p in [
            SslProtocol::TlsV1_0,
            SslProtocol::TlsV1_1,
            SslProtocol::TlsV1_2,
            SslProtocol::TlsV1_3,
            SslProtocol::TlsV1_0OrLater,
            SslProtocol::TlsV1_1OrLater,
            SslProtocol::TlsV1_2OrLater,
            SslProtocol::TlsV1_3OrLater,
            SslProtocol::AnyProtocol,
            SslProtocol::SecureProtocols,
        ] {
            assert_eq!(p.to_string().parse::<SslProtocol>().unwrap(), p, "{p}");
            assert_eq!(format!("{p:?}").parse::<SslProtocol>().unwrap(), p, "{p:?}");
        }
    }

    #[test]
    fn protocol_from_str_errors_name_the_input_and_what_is_expected() {
        assert_eq!(
            "TLSv1.3".parse::<SslProtocol>().unwrap(),
            SslProtocol::TlsV1_3
        );
        let err = "sslv3".parse::<SslProtocol>().unwrap_err();
        assert!(
            matches!(&err, Error::UnknownName { what: "protocol", name, .. } if name == "sslv3"),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!("unknown protocol \"sslv3\": expected {PROTOCOL_NAMES}")
        );
        // State only: not a name to configure.
        assert!("unknown protocol".parse::<SslProtocol>().is_err());
    }

    #[test]
    fn ssl_option_names_parse_back() {
        for &o in SslOption::ALL {
            assert_eq!(o.to_string().parse::<SslOption>().unwrap(), o);
            assert_eq!(
                SslOption::from_name(&format!("SslOption{o}")),
                Some(o),
                "Qt's full name"
            );
        }
        assert_eq!(
            SslOption::from_name("disable_server_cipher_preference"),
            Some(SslOption::DisableServerCipherPreference)
        );
        let err = "tickets".parse::<SslOption>().unwrap_err();
        assert!(
            matches!(&err, Error::UnknownName { what: "ssl option", name, .. } if name == "tickets"),
            "{err:?}"
        );
    }

    #[test]
    fn verify_modes_parse() {
        for mode in [
            PeerVerifyMode::VerifyNone,
            PeerVerifyMode::QueryPeer,
            PeerVerifyMode::VerifyPeer,
            PeerVerifyMode::AutoVerifyPeer,
        ] {
            assert_eq!(mode.to_string().parse::<PeerVerifyMode>().unwrap(), mode);
        }
        assert_eq!(
            PeerVerifyMode::from_name("query"),
            Some(PeerVerifyMode::QueryPeer)
        );
        assert_eq!(
            "Verify-None".parse::<PeerVerifyMode>().unwrap(),
            PeerVerifyMode::VerifyNone
        );
        let err = "sometimes".parse::<PeerVerifyMode>().unwrap_err();
        assert!(
            matches!(&err, Error::UnknownName { what: "peer verify mode", name, .. } if name == "sometimes"),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "unknown peer verify mode \"sometimes\": expected none, query, verify or auto \
             (or VerifyNone, QueryPeer, VerifyPeer, AutoVerifyPeer)"
        );
    }
}

/// What [`SslConfiguration::verify_chain_for`](crate::SslConfiguration::verify_chain_for)
/// checks a certificate for. Qt's `QSslCertificate::verify` checks no
/// purpose; a handshake checks the one its side needs.
///
/// # Defaults
/// [`CertificatePurpose::TlsServer`], what
/// [`verify_chain`](crate::SslConfiguration::verify_chain) checks: users
/// verify servers' certificates most.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum CertificatePurpose {
    /// A TLS server's certificate (extended key usage serverAuth, where the
    /// certificate has the extension).
    #[default]
    TlsServer,
    /// A TLS client's certificate (clientAuth, where present).
    TlsClient,
    /// No particular purpose, as Qt's `verify()`: any the certificate's
    /// extended key usage names (serverAuth, clientAuth, codeSigning,
    /// emailProtection, timeStamping, OCSPSigning) will do.
    Any,
}

/// Which certificates of a verified path are checked against the
/// revocation lists ([`SslConfiguration::with_revocation_depth`](crate::SslConfiguration::with_revocation_depth)).
///
/// The two are OpenSSL's `-crl_check` and `-crl_check_all`, Python's
/// `VERIFY_CRL_CHECK_LEAF` and `VERIFY_CRL_CHECK_CHAIN`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum RevocationDepth {
    /// The peer's certificate only.
    Leaf,
    /// The peer's certificate and every intermediate CA on the path (the
    /// trust anchor is trusted as configured).
    #[default]
    Chain,
}

impl FromStr for RevocationDepth {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Error> {
        match name.to_ascii_lowercase().as_str() {
            "leaf" => Ok(Self::Leaf),
            "chain" => Ok(Self::Chain),
            _ => Err(Error::UnknownName {
                what: "revocation depth",
                name: name.to_owned(),
                expected: "leaf or chain",
            }),
        }
    }
}

impl fmt::Display for RevocationDepth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Leaf => "leaf",
            Self::Chain => "chain",
        })
    }
}
