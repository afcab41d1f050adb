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
    #[error("cannot open the PKCS#12 file in {input}: wrong passphrase")]
    Pkcs12WrongPassphrase {
        /// Where the file came from.
        input: String,
    },

    /// Bytes that should hold a session-ticket key do not: neither 80 nor
    /// 48 of them (nginx's `ssl_session_ticket_key` formats), or no key file
    /// was given. A file that cannot be read is an [`Error::ReadFile`].
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
        lifetime: std::time::Duration,
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

    /// No local certificate: a server has none, or a private key was set
    /// without one.
    #[error("setting local_certificate: {reason}")]
    MissingLocalCertificate {
        /// Why one is needed.
        reason: &'static str,
    },

    /// A local certificate was set without its private key.
    #[error("setting private_key: {reason}")]
    MissingPrivateKey {
        /// Why one is needed.
        reason: &'static str,
    },

    /// The private key does not belong to the local certificate.
    #[error(
        "setting private_key: the private key does not match the local certificate {subject:?}"
    )]
    KeyMismatch {
        /// The local certificate's subject display name.
        subject: String,
    },

    /// The private key cannot be used by the crypto provider.
    #[error("setting private_key: the crypto provider cannot sign with this {algorithm} key")]
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

    /// An SSL option that rustls always applies was cleared.
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
    /// could not be opened for appending.
    #[error("setting key_log: cannot open {}", path.display())]
    OpenKeyLog {
        /// The key log file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
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
    #[error("peer verification failed: {}", join_errors(errors))]
    PeerVerification {
        /// What verification found, never empty.
        errors: Vec<SslError>,
        /// The TLS error that ended the handshake.
        tls_error: rustls::Error,
    },

    /// The peer sent nothing within the socket's read timeout (or took no
    /// data within its write timeout) during the handshake.
    #[error("tls handshake timed out: the peer did not answer within the socket's timeout")]
    HandshakeTimeout {
        /// The socket's timeout error.
        #[source]
        source: io::Error,
    },

    /// A name that parses to no value of its type: a protocol, a peer verify
    /// mode or a key-exchange group given to `FromStr` (`str::parse`).
    /// An unknown cipher name is an [`Error::UnknownCipher`].
    #[error("unknown {what} {name:?}: expected {expected}")]
    UnknownName {
        /// What the name was meant to name: `"protocol"`, `"peer verify mode"`
        /// or `"key exchange group"`.
        what: &'static str,
        /// The name as given.
        name: String,
        /// The names that are accepted, or a description of them.
        expected: &'static str,
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
    /// is still served.
    #[error("reloading {files}")]
    Reload {
        /// The files at fault.
        files: String,
        /// What was wrong with them.
        #[source]
        source: Box<Error>,
    },

    /// Watching files for changes failed (feature `watch`).
    #[error("cannot watch the configuration's files")]
    Watch {
        /// What the file watcher said.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
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
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
                Self::HandshakeTimeout { source: err }
            }
            _ => Self::Io(err),
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

/// An error and its causes, each message once, joined by ": ".
#[cfg(test)]
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
    fn io_error_names_path_and_keeps_source() {
        let err = Error::ReadFile {
            path: "/nope/ca.pem".into(),
            source: io::Error::from(io::ErrorKind::NotFound),
        };
        assert_eq!(err.to_string(), "cannot read /nope/ca.pem");
        assert!(std::error::Error::source(&err).is_some());
    }
}
