//! The crate's one error type, the cause it gives for refused input, and the
//! verification failure a handshake carries through rustls.
//!
//! A leaf: it names the value types its variants hold and calls nothing that
//! calls it.

use std::borrow::Cow;
use std::fmt;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rustls::{CertificateError, OtherError};

use crate::{KeyAlgorithm, SslError, SslErrorKind, SslOption, SslProtocol};

/// Everything that can go wrong in this crate.
///
/// Messages are lowercase, name the input or setting at fault, and never print
/// key material. Where another error caused this one, it is returned from
/// [`std::error::Error::source`] and not repeated in the message: print the
/// whole chain (`{:#}` with anyhow, or walk `source()`) to see every fact once.
///
/// ```
/// use sslconf::{Error, SslConfiguration, SslProtocol};
///
/// let err = SslConfiguration::new()
///     .with_protocol(SslProtocol::TlsV1_0)
///     .client_config()
///     .unwrap_err();
/// assert!(matches!(err, Error::UnsupportedProtocol { .. }));
/// assert!(err.to_string().starts_with("setting protocol: "));
/// assert!(err.ssl_errors().is_empty()); // not a verification failure
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read.
    #[error("cannot read {}", path.display())]
    ReadFile {
        /// The file that could not be read.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },

    /// Bytes that should hold a certificate do not.
    #[error("invalid certificate in {input}")]
    InvalidCertificate {
        /// Where the bytes came from: a file path, or "PEM input"/"DER input".
        input: String,
        /// What was wrong with them.
        #[source]
        source: InvalidInput,
    },

    /// Bytes that should hold a certificate revocation list do not, or hold
    /// one that rustls-webpki cannot use (a delta CRL, version 1, ...).
    #[error("invalid certificate revocation list in {input}")]
    InvalidRevocationList {
        /// Where the bytes came from: a file path, or "PEM input"/"DER input".
        input: String,
        /// What was wrong with them.
        #[source]
        source: InvalidInput,
    },

    /// Text that should be a public key pin is not.
    #[error("invalid public key pin {pin:?}: {reason}")]
    InvalidPublicKeyPin {
        /// The text given.
        pin: String,
        /// What was wrong with it.
        reason: &'static str,
    },

    /// Bytes that should hold a private key do not.
    #[error("invalid private key in {input}")]
    InvalidPrivateKey {
        /// Where the bytes came from: a file path, or "PEM input"/"DER input".
        input: String,
        /// What was wrong with them (never the key itself).
        #[source]
        source: InvalidInput,
    },

    /// The private key is encrypted and no passphrase was given.
    #[error("private key in {input} is encrypted: load it with a passphrase")]
    EncryptedPrivateKey {
        /// Where the key came from.
        input: String,
    },

    /// An encrypted private key could not be decrypted with the passphrase
    /// given. (An encryption scheme this crate cannot decrypt is an
    /// [`Error::InvalidPrivateKey`] naming the scheme.)
    #[error("cannot decrypt the private key in {input}: wrong passphrase")]
    WrongPassphrase {
        /// Where the key came from.
        input: String,
    },

    /// Bytes that should hold a PKCS#12 file do not, or hold one this crate
    /// does not read: malformed DER, an encryption or MAC scheme it does not
    /// read (named, with how to re-encrypt the file), key derivation above
    /// its cost cap, no private key or no certificate for it. A file that
    /// cannot be read is an [`Error::ReadFile`]; a wrong passphrase is an
    /// [`Error::Pkcs12WrongPassphrase`].
    #[error("invalid PKCS#12 file in {input}")]
    InvalidPkcs12 {
        /// Where the bytes came from: a file path, or "DER input".
        input: String,
        /// What was wrong with them (never the key itself).
        #[source]
        source: InvalidInput,
    },

    /// A PKCS#12 file's MAC, or the decryption of its contents, shows that
    /// the passphrase given is not the one it was written with.
    ///
    /// The passphrase's bytes are used as given: the same text in another
    /// encoding than the file was written with (Latin-1 bytes for a UTF-8
    /// passphrase, or the reverse) is a wrong passphrase, even when the MAC
    /// verifies with it (the MAC takes the passphrase as UTF-16, which both
    /// encodings give; OpenSSL 3's PBES2 encryption takes the bytes). So is
    /// the MAC's passphrase for a file whose contents have a second one
    /// (`openssl pkcs12 -twopass`).
    #[error("cannot open the PKCS#12 file in {input}: wrong passphrase")]
    Pkcs12WrongPassphrase {
        /// Where the file came from.
        input: String,
    },

    /// Bytes that should hold session-ticket keys do not: neither one raw
    /// key of 80 or 48 bytes (nginx's `ssl_session_ticket_key` format) nor
    /// HAProxy's `tls-ticket-keys` lines (the message names the line), or no
    /// key file was given. A file that cannot be read is an
    /// [`Error::ReadFile`].
    #[error("invalid session ticket key in {input}")]
    InvalidSessionTicketKey {
        /// Where the bytes came from: a file path, or "byte input".
        input: String,
        /// What was wrong with them (never the key itself).
        #[source]
        source: InvalidInput,
    },

    /// The session-ticket lifetime is outside 1 second to 7 days, or is set
    /// without session-ticket keys to apply to.
    #[error("setting session_ticket_lifetime: {lifetime:?} {reason}")]
    InvalidSessionTicketLifetime {
        /// The lifetime that was set.
        lifetime: Duration,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// A cipher name that this crate's crypto provider does not know.
    #[error("unknown cipher {name:?}: expected an IANA or OpenSSL name of a TLS 1.2/1.3 suite")]
    UnknownCipher {
        /// The name as given.
        name: String,
    },

    /// A protocol range that rustls cannot negotiate.
    #[error(
        "setting protocol: {protocol} is not supported (rustls speaks TLS 1.2 and TLS 1.3 only)"
    )]
    UnsupportedProtocol {
        /// The protocol that was set.
        protocol: SslProtocol,
    },

    /// The cipher list leaves an enabled protocol version without any cipher.
    #[error("setting ciphers: no cipher left for {protocol}, which the protocol setting enables")]
    NoCipherForProtocol {
        /// The protocol setting.
        protocol: SslProtocol,
    },

    /// The key-exchange group list holds no group the crypto provider supports.
    #[error("setting key_exchange_groups: {reason}")]
    UnsupportedKeyExchangeGroups {
        /// Which groups were at fault.
        reason: String,
    },

    /// No local certificate: a server has no identity (the message names
    /// the setting), or an identity's chain is empty.
    #[error("{reason}")]
    MissingLocalCertificate {
        /// What is missing, and where.
        reason: &'static str,
    },

    /// An identity's private key does not belong to its certificate; the
    /// identity is named by the certificate's subject (and, for an added or
    /// a server-name identity, by [`Error::AddedIdentity`] or
    /// [`Error::ServerNameIdentity`] around this).
    #[error("the private key does not match the certificate {subject:?}")]
    KeyMismatch {
        /// The local certificate's subject display name.
        subject: String,
    },

    /// The private key cannot be used by the crypto provider.
    #[error("the crypto provider cannot sign with this {algorithm} key")]
    UnusablePrivateKey {
        /// The key's algorithm.
        algorithm: KeyAlgorithm,
        /// What the provider said.
        #[source]
        source: rustls::Error,
    },

    /// Peer verification is required but there is nothing to verify against.
    #[error("setting ca_certificates: {reason}")]
    NoCaCertificates {
        /// Why the configured CA certificates cannot verify peers.
        reason: &'static str,
    },

    /// A configured CA certificate cannot serve as a trust anchor.
    #[error("setting ca_certificates: {subject:?} cannot be used as a trust anchor")]
    InvalidCaCertificate {
        /// The certificate's subject display name.
        subject: String,
        /// What was wrong with it.
        #[source]
        source: InvalidInput,
    },

    /// An SSL option that rustls always applies was turned off
    /// ([`SslConfiguration::with_ssl_option`](crate::SslConfiguration::with_ssl_option) refuses it).
    #[error("setting ssl_option {option:?}: rustls always applies it, it cannot be turned off")]
    UnsupportedOption {
        /// The option that was turned off.
        option: SslOption,
    },

    /// An ALPN protocol name is empty or longer than 255 bytes.
    #[error(
        "setting allowed_next_protocols: protocol #{index} is {len} bytes long, expected 1 to 255"
    )]
    InvalidAlpnProtocol {
        /// Its position in the list, from 0.
        index: usize,
        /// Its length in bytes.
        len: usize,
    },

    /// The key log file set with
    /// [`with_key_log_file`](crate::SslConfiguration::with_key_log_file)
    /// or named by `SSLKEYLOGFILE` (with
    /// [`with_key_log_from_env`](crate::SslConfiguration::with_key_log_from_env))
    /// could not be opened for appending, or created.
    #[error("setting key_log: cannot open {}", path.display())]
    OpenKeyLog {
        /// The key log file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },

    /// The key log file (set as for [`Error::OpenKeyLog`]) is not one the
    /// TLS secrets may go to: a symbolic link, not a regular file (a
    /// directory, a FIFO, a device), or, on Unix, owned by another user,
    /// with other hard links or with a mode that gives its group or others
    /// any access. Nothing was
    /// written to it.
    #[error("setting key_log: refusing {}: {reason}", path.display())]
    UnsafeKeyLog {
        /// The key log file.
        path: PathBuf,
        /// Why it was refused, such as "its mode 0644 gives its group or
        /// others access".
        reason: String,
    },

    /// The host name given to `connect` is neither a DNS name nor an IP address.
    #[error("invalid host name {name:?}")]
    InvalidHostName {
        /// The name as given.
        name: String,
    },

    /// The handshake failed because the peer's certificate did not verify.
    ///
    /// [`Error::ssl_errors`] lists what was wrong. The message lists it too;
    /// the rustls error that carried it is a field, not the `source()`, since
    /// it says the same again.
    ///
    /// The list travels out of the verifier as rustls's
    /// `CertificateError::Other`, which rustls alerts as `certificate_unknown`:
    /// a peer refused by this crate hears that alert whatever was wrong (a
    /// revoked certificate included, where rustls's own verifier and OpenSSL
    /// send `certificate_revoked`).
    #[error("peer verification failed: {}", join_errors(errors))]
    PeerVerification {
        /// What verification found, never empty.
        errors: Vec<SslError>,
        /// The TLS error that ended the handshake.
        tls_error: rustls::Error,
    },

    /// A server refused a client because no identity is configured for the
    /// name it asked for (with
    /// [`with_unknown_server_names_refused`](crate::SslConfiguration::with_unknown_server_names_refused)),
    /// or, when it sent none, because there is no default identity. rustls
    /// ended the handshake with an alert.
    #[error("{}", unknown_server_name(name.as_deref()))]
    UnknownServerName {
        /// The server name the client asked for (SNI); `None` when it sent
        /// none.
        name: Option<String>,
    },

    /// The handshake did not finish in time: it ran past the deadline set
    /// with [`with_handshake_timeout`](crate::SslConfiguration::with_handshake_timeout)
    /// (`deadline` is set), or the peer sent nothing within the socket's
    /// read timeout (or took no data within its write timeout) during it
    /// (`source` is set). Exactly one of the two is set, and the message
    /// names which ran out.
    #[error("tls handshake timed out: {}", timeout_cause(*deadline))]
    HandshakeTimeout {
        /// The handshake timeout that ran out; `None` when the socket's
        /// own timeout did.
        deadline: Option<Duration>,
        /// The socket's timeout error; `None` when the handshake timeout
        /// ran out.
        #[source]
        source: Option<io::Error>,
    },

    /// A name that parses to no value of its type: a protocol, a peer verify
    /// mode or a key-exchange group given to `FromStr` (`str::parse`).
    /// An unknown cipher name is an [`Error::UnknownCipher`].
    #[error("unknown {what} {name:?}: expected {expected}")]
    UnknownName {
        /// What the name was meant to name: `"protocol"`, `"peer verify mode"`,
        /// `"key exchange group"`, `"ssl option"`, `"revocation depth"` or
        /// `"mozilla profile"`.
        what: &'static str,
        /// The name as given.
        name: String,
        /// The names that are accepted, or a description of them.
        expected: &'static str,
    },

    /// An identity added with
    /// [`with_added_local_identity`](crate::SslConfiguration::with_added_local_identity)
    /// cannot be served.
    #[error("setting added identity #{index}")]
    AddedIdentity {
        /// Its position among the added identities, from 0.
        index: usize,
        /// What was wrong with it.
        #[source]
        source: Box<Error>,
    },

    /// An identity for server names (SNI) cannot serve one of its names.
    #[error("setting sni identity for {pattern:?}")]
    ServerNameIdentity {
        /// The name or `*.` pattern at fault, as given.
        pattern: String,
        /// What was wrong: the pattern itself, the certificate not covering
        /// it, or the identity's key.
        #[source]
        source: Box<Error>,
    },

    /// A certificate does not cover a server name it is set to serve.
    #[error("the certificate {subject:?} is not valid for this name")]
    NameNotCovered {
        /// The certificate's subject display name.
        subject: String,
    },

    /// A reload read a bad input; nothing changed and what was served before
    /// is still served. The message names the files and why, in one line
    /// (the cause is in it, not in `source()`), as a reload or `watch`
    /// report is printed: `reloading server.pem, server.key: cannot read
    /// server.key: ...`.
    #[error("reloading {files}: {}", causes(cause))]
    Reload {
        /// The files at fault.
        files: String,
        /// What was wrong with them.
        cause: Box<Error>,
    },

    /// Watching files for changes failed (feature `watch`). The message
    /// says why in one line (the cause is in it, not in `source()`), as a
    /// `watch` report is printed.
    #[error("cannot watch the configuration's files: {}", causes(&**cause))]
    Watch {
        /// What the file watcher said.
        cause: Box<dyn std::error::Error + Send + Sync>,
    },

    /// An OCSP response an identity is to staple cannot be: it does not
    /// parse, its status is not successful, or it is for another
    /// certificate. Checked at conversion.
    #[error("the ocsp response in {input} cannot be stapled to {subject:?}")]
    OcspResponse {
        /// Where the response came from: a file path, or "DER input".
        input: String,
        /// The subject display name of the identity's leaf certificate.
        subject: String,
        /// What was wrong with the response.
        #[source]
        source: InvalidInput,
    },

    /// The environment variable that should hold a passphrase
    /// ([`Passphrase::from_env`](crate::Passphrase::from_env)) is not set.
    #[error("environment variable {variable}, which should hold a passphrase, is not set")]
    PassphraseVariableUnset {
        /// The variable's name.
        variable: String,
    },

    /// A settings file (feature `serde`) that does not load: bad TOML, an
    /// unknown field, a value of the wrong type or an unknown name, or a
    /// file it names that cannot be read. The message names the settings
    /// file, the line and column of the value at fault and its field path
    /// (`local-identity.key-file`, `ciphers[2]`); what was expected is the
    /// [`source()`](std::error::Error::source).
    #[error("{}", settings_location(file, *line, *column, field))]
    SettingsFile {
        /// The settings file; `"TOML input"` when read from a string,
        /// `"settings"` for a [`SettingsFile`](crate::SettingsFile) value.
        file: String,
        /// The line of the value at fault, from 1; 0 when not known (a
        /// `SettingsFile` value has no lines).
        line: usize,
        /// Its column, from 1, in characters; 0 when not known.
        column: usize,
        /// The field path, as `local-identity.key-file` or
        /// `server-name-identities[1].names[0]`; empty when the TOML itself
        /// does not parse.
        field: String,
        /// What was wrong, and what was expected.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// A setting that a settings file cannot hold (feature `serde`): a
    /// certificate, key, revocation list or OCSP response given as a value
    /// rather than read from a file, a passphrase given as a value, an ALPN
    /// name that is no UTF-8.
    #[error("cannot write setting {field} to a settings file")]
    SettingNotWritable {
        /// The settings file's field for it, as `local-identity`.
        field: String,
        /// Why it cannot be written.
        #[source]
        source: InvalidInput,
    },

    /// A setting that QUIC cannot honour (feature `quic`), found when the
    /// configuration is converted for QUIC
    /// ([`quic_server_config`](crate::SslConfiguration::quic_server_config),
    /// [`quic_client_config`](crate::SslConfiguration::quic_client_config)):
    /// a protocol setting without TLS 1.3 (QUIC runs TLS 1.3 only, RFC
    /// 9001), or a cipher list without any TLS 1.3 suite. The same value
    /// still converts for TCP.
    #[cfg(feature = "quic")]
    #[error("setting {setting}: {reason}")]
    UnsupportedForQuic {
        /// The setting at fault, as a settings file names it: `"protocol"`
        /// or `"ciphers"`.
        setting: &'static str,
        /// Why QUIC cannot honour it.
        reason: String,
    },

    /// A QUIC connection could not be started (feature `quic`): the
    /// endpoint is stopping, has no room for another connection, or is
    /// not one that serves this configuration's
    /// [`quic_server_config`](crate::SslConfiguration::quic_server_config).
    /// What quinn said is the [`source()`](std::error::Error::source).
    #[cfg(feature = "quic")]
    #[error("cannot start the quic connection: {reason}")]
    QuicConnect {
        /// What was wrong, in a few words.
        reason: &'static str,
        /// quinn's error, when quinn refused it.
        #[source]
        source: Option<quinn::ConnectError>,
    },

    /// A QUIC connection failed during its handshake for another reason
    /// than TLS (feature `quic`): the peer did not answer in quinn's idle
    /// timeout, closed it, or broke the QUIC protocol. A TLS failure is
    /// [`Error::PeerVerification`] or [`Error::Tls`], as over TCP. What
    /// quinn said is the [`source()`](std::error::Error::source).
    #[cfg(feature = "quic")]
    #[error("quic connection failed")]
    QuicConnection {
        /// quinn's error.
        #[source]
        source: quinn::ConnectionError,
    },

    /// Input that only an optional Cargo feature of this crate reads, met
    /// at run time in a build without it: an encrypted private key without
    /// `encrypted-keys`; a settings file naming a `pkcs12-file` without
    /// `pkcs12`, a `key-passphrase-file` or `key-passphrase-env` without
    /// `encrypted-keys`, an `ocsp-response-file` without `ocsp`. (What a
    /// program asks for in code without the feature does not compile.)
    #[error("{what} needs the `{feature}` feature of sslconf, which this build does not enable")]
    FeatureNotEnabled {
        /// What needs it, naming the input, as "the encrypted private key
        /// in server.key".
        what: String,
        /// The Cargo feature that reads it.
        feature: &'static str,
    },

    /// A TLS error: the handshake failed, or rustls refused a setting.
    #[error(transparent)]
    Tls(rustls::Error),

    /// An I/O error on the underlying socket.
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl Error {
    /// The verification errors, when a handshake failed on peer verification;
    /// empty otherwise.
    pub fn ssl_errors(&self) -> &[SslError] {
        match self {
            Self::PeerVerification { errors, .. } => errors,
            _ => &[],
        }
    }

    pub(crate) fn invalid_certificate(input: &str, source: impl Into<InvalidInput>) -> Self {
        Self::InvalidCertificate {
            input: input.to_owned(),
            source: source.into(),
        }
    }

    pub(crate) fn invalid_private_key(input: &str, source: impl Into<InvalidInput>) -> Self {
        Self::InvalidPrivateKey {
            input: input.to_owned(),
            source: source.into(),
        }
    }

    /// A client refused for the server name it asked for (`name`), or for
    /// asking none, as the accept that read its hello knows: `error` is
    /// what rustls ended the handshake with.
    pub(crate) fn refused_server_name(name: Option<&str>, error: rustls::Error) -> Self {
        match error {
            rustls::Error::General(_) => Self::UnknownServerName {
                name: name.map(str::to_owned),
            },
            other => other.into(),
        }
    }

    /// A handshake that ran past its handshake timeout, `timeout`.
    pub(crate) fn handshake_deadline(timeout: Duration) -> Self {
        Self::HandshakeTimeout {
            deadline: Some(timeout),
            source: None,
        }
    }

    /// Turns an I/O error of a handshake back into the error it carries; a
    /// socket timeout becomes [`Error::HandshakeTimeout`].
    pub(crate) fn from_handshake_io(err: io::Error) -> Self {
        if let Some(tls) = err
            .get_ref()
            .and_then(|e| e.downcast_ref::<rustls::Error>())
        {
            return Self::from(tls.clone());
        }
        match err.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Self::HandshakeTimeout {
                deadline: None,
                source: Some(err),
            },
            _ => Self::Io(err),
        }
    }
}

impl Error {
    /// The TLS failure inside another library's error (reqwest, hyper-util,
    /// hyper-rustls, tonic), as this crate's error: a peer verification
    /// failure of a config made here becomes [`Error::PeerVerification`],
    /// whose [`ssl_errors`](Self::ssl_errors) list what was wrong.
    ///
    /// Those libraries carry the rustls error inside an [`io::Error`] (reqwest
    /// inside two), and `io::Error::source()` skips the error it wraps, so
    /// walking `source()` alone never meets it: this walks the chain and
    /// looks inside each `io::Error` too. `None` when the chain holds no TLS error (a refused
    /// connection, a timeout, an HTTP error).
    ///
    /// ```no_run
    /// # fn get(err: &(dyn std::error::Error + 'static)) {
    /// // err: a reqwest::Error, a hyper_util client error, a tonic transport error...
    /// if let Some(tls) = sslconf::Error::find_in(err) {
    ///     for ssl_error in tls.ssl_errors() {
    ///         eprintln!("{ssl_error}");
    ///     }
    /// }
    /// # }
    /// ```
    pub fn find_in(err: &(dyn std::error::Error + 'static)) -> Option<Error> {
        let mut next = Some(err);
        while let Some(current) = next {
            if let Some(found) = Self::tls_error_of(current) {
                return Some(Self::from(found.clone()));
            }
            // Into the error an io::Error wraps (another io::Error, as
            // hyper-util's connector makes), not past it.
            next = match current
                .downcast_ref::<io::Error>()
                .and_then(io::Error::get_ref)
            {
                Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
                None => current.source(),
            };
        }
        None
    }

    /// The rustls error `err` is or holds, without looking at its causes.
    fn tls_error_of<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        match err.downcast_ref::<Error>()? {
            Self::PeerVerification { tls_error, .. } => Some(tls_error),
            Self::Tls(tls) => Some(tls),
            _ => None,
        }
    }
}

impl From<rustls::Error> for Error {
    /// Wraps a rustls error; one that carries this crate's verification
    /// failure (from a config made by [`SslConfiguration`](crate::SslConfiguration)),
    /// or says the peer sent no certificate, becomes [`Error::PeerVerification`].
    fn from(err: rustls::Error) -> Self {
        if let Some(errors) = VerificationFailure::find(&err) {
            return Self::PeerVerification {
                errors: errors.to_vec(),
                tls_error: err,
            };
        }
        if matches!(err, rustls::Error::NoCertificatesPresented) {
            return Self::PeerVerification {
                errors: vec![SslError::new(SslErrorKind::NoPeerCertificate, None)],
                tls_error: err,
            };
        }
        Self::Tls(err)
    }
}

/// `file:line:column: setting field`, without what is not known.
fn settings_location(file: &str, line: usize, column: usize, field: &str) -> String {
    let mut text = file.to_owned();
    if line > 0 {
        text.push_str(&format!(":{line}:{column}"));
    }
    if field.is_empty() {
        text.push_str(": invalid TOML");
    } else {
        text.push_str(": setting ");
        text.push_str(field);
    }
    text
}

/// Which timeout ended a handshake: its own deadline, or the socket's.
fn unknown_server_name(name: Option<&str>) -> String {
    match name {
        Some(name) => format!("client refused: no identity for the server name {name:?}"),
        None => "client refused: it sent no server name and there is no default identity".into(),
    }
}

fn timeout_cause(deadline: Option<Duration>) -> String {
    match deadline {
        Some(deadline) => format!("not done within its handshake timeout of {deadline:?}"),
        None => "the peer did not answer within the socket's timeout".to_owned(),
    }
}

fn join_errors(errors: &[SslError]) -> String {
    let parts: Vec<String> = errors.iter().map(ToString::to_string).collect();
    parts.join("; ")
}

/// Why input bytes (a certificate, a key, a CA certificate) were refused: the
/// `source()` of [`Error::InvalidCertificate`], [`Error::InvalidPrivateKey`]
/// and [`Error::InvalidCaCertificate`]. Its message is the reason; the
/// parser's own error, where there is one, is its `source()`.
#[derive(Debug)]
pub struct InvalidInput {
    reason: Cow<'static, str>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl InvalidInput {
    /// A reason with no deeper cause.
    pub(crate) fn new(reason: impl Into<Cow<'static, str>>) -> Self {
        Self {
            reason: reason.into(),
            source: None,
        }
    }

    /// A reason and the parser error behind it.
    pub(crate) fn caused(
        reason: impl Into<Cow<'static, str>>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            reason: reason.into(),
            source: Some(Box::new(source)),
        }
    }

    /// What was wrong, without the parser's error.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for InvalidInput {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<&'static str> for InvalidInput {
    fn from(reason: &'static str) -> Self {
        Self::new(reason)
    }
}

impl From<String> for InvalidInput {
    fn from(reason: String) -> Self {
        Self::new(reason)
    }
}

/// The verification errors of a failed handshake, carried through rustls
/// inside `CertificateError::Other`, so that `connect`/`accept` (and
/// `Error::from(rustls::Error)`) can hand them to the caller. Users of a raw
/// rustls config see them in the rustls error's message.
pub(crate) struct VerificationFailure {
    errors: Vec<SslError>,
}

impl VerificationFailure {
    pub(crate) fn new(errors: Vec<SslError>) -> Self {
        Self { errors }
    }

    /// The errors inside a rustls error, if it carries a verification failure.
    pub(crate) fn find(error: &rustls::Error) -> Option<&[SslError]> {
        match error {
            rustls::Error::InvalidCertificate(CertificateError::Other(other)) => other
                .0
                .downcast_ref::<VerificationFailure>()
                .map(|f| f.errors.as_slice()),
            _ => None,
        }
    }
}

/// rustls prints a certificate error's cause with `Debug`: keep it as short
/// as the message, not a dump of every certificate.
impl fmt::Debug for VerificationFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerificationFailure({self})")
    }
}

impl fmt::Display for VerificationFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&join_errors(&self.errors))
    }
}

impl std::error::Error for VerificationFailure {}

impl From<VerificationFailure> for rustls::Error {
    fn from(failure: VerificationFailure) -> Self {
        rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(failure))))
    }
}

/// An error and its causes, each message once, joined by ": ": for a log.
pub(crate) fn causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut next = err.source();
    while let Some(cause) = next {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        next = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_send_sync_static() {
        fn check<T: Send + Sync + 'static>() {}
        check::<Error>();
    }

    #[test]
    fn find_in_looks_inside_io_errors_that_source_skips() {
        let failure = VerificationFailure::new(vec![SslError::new(
            SslErrorKind::SelfSignedCertificate,
            None,
        )]);
        let io = io::Error::new(io::ErrorKind::InvalidData, rustls::Error::from(failure));
        // As hyper-util's connector and reqwest wrap it: an io::Error in an
        // io::Error, in their own error whose source is the outer one.
        let io = io::Error::other(io);
        #[derive(Debug)]
        struct Outer(io::Error);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("error sending request")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let outer = Outer(io);
        // What walking source() alone meets: never the rustls error.
        let mut walked = std::error::Error::source(&outer);
        while let Some(e) = walked {
            assert!(e.downcast_ref::<rustls::Error>().is_none());
            walked = e.source();
        }
        let found = Error::find_in(&outer).expect("the rustls error inside the io::Error");
        assert_eq!(
            found.ssl_errors()[0].kind(),
            SslErrorKind::SelfSignedCertificate
        );
        let plain = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert!(Error::find_in(&plain).is_none());
        let ours = Error::Tls(rustls::Error::DecryptError);
        assert!(matches!(
            Error::find_in(&ours),
            Some(Error::Tls(rustls::Error::DecryptError))
        ));
    }

    #[test]
    fn io_error_names_path_and_keeps_source() {
        let err = Error::ReadFile {
            path: "/nope/ca.pem".into(),
            source: io::Error::from(io::ErrorKind::NotFound),
        };
        assert_eq!(err.to_string(), "cannot read /nope/ca.pem");
        assert!(std::error::Error::source(&err).is_some());
    }
}
