//! Qt's `QSslConfiguration`, rebuilt as an idiomatic Rust library on rustls.
//!
//! [`SslConfiguration`] is an immutable value holding every TLS setting Qt has.
//! Each `with_*` returns a new value; it converts into
//! `Arc<rustls::ClientConfig>` / `Arc<rustls::ServerConfig>`
//! ([`client_config`](SslConfiguration::client_config),
//! [`server_config`](SslConfiguration::server_config)), built once per value and
//! cached. [`SessionState`] tells what a live connection negotiated and what was
//! wrong with the peer's certificate, as Qt's [`SslError`]s.
//!
//! # Quick start
//!
//! A client:
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use std::net::TcpStream;
//!
//! use sslconf::{SslConfiguration, SslProtocol};
//!
//! let config = SslConfiguration::default_configuration()
//!     .with_protocol(SslProtocol::TlsV1_2OrLater)
//!     .with_allowed_next_protocols(["http/1.1"]);
//!
//! let socket = TcpStream::connect("example.com:443")?;
//! let mut tls = config.connect("example.com", socket)?;
//! let state = tls.session_state();
//! println!("{} with {:?}", state.session_protocol(), state.session_cipher());
//!
//! tls.write_all(b"GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n")?;
//! let mut response = Vec::new();
//! tls.read_to_end(&mut response)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A server that asks clients for a certificate and tells what was wrong with it:
//!
//! ```no_run
//! use std::io::Write;
//! use std::net::TcpListener;
//!
//! use sslconf::{Certificate, PrivateKey, SslConfiguration};
//!
//! let config = SslConfiguration::new()
//!     .with_local_certificate_chain(Certificate::from_path("server.pem")?)
//!     .with_private_key(PrivateKey::from_path("server.key")?)
//!     .with_ca_certificates(Certificate::from_path("clients-ca.pem")?);
//!
//! for socket in TcpListener::bind("127.0.0.1:8443")?.incoming() {
//!     let mut tls = config.accept(socket?)?;
//!     for error in tls.session_state().peer_verification_errors() {
//!         eprintln!("client certificate: {error}");
//!     }
//!     tls.write_all(b"hello\n")?;
//!     tls.shutdown()?;
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! With another I/O stack (tokio-rustls, hyper-rustls, quinn), take the rustls
//! config itself: `config.client_config()?` / `config.server_config()?`.
//!
//! # Qt → rustls
//!
//! | Qt | here | in rustls |
//! |---|---|---|
//! | `setProtocol` | [`with_protocol`](SslConfiguration::with_protocol) | protocol versions; TLS 1.0/1.1 alone is [`Error::UnsupportedProtocol`], ranges from them mean TLS 1.2 and 1.3 |
//! | `setCiphers` | [`with_ciphers`](SslConfiguration::with_ciphers), [`with_cipher_list`](SslConfiguration::with_cipher_list) | the provider's suites, filtered and ordered; the server's order wins unless [`SslOption::DisableServerCipherPreference`] |
//! | `setEllipticCurves` | [`with_key_exchange_groups`](SslConfiguration::with_key_exchange_groups) | the provider's key-exchange groups, filtered and ordered |
//! | `setCaCertificates`, `addCaCertificates` | [`with_ca_certificates`](SslConfiguration::with_ca_certificates), [`with_added_ca_certificates`](SslConfiguration::with_added_ca_certificates) | trust anchors for webpki; the system store is loaded once per process |
//! | `setLocalCertificateChain`, `setPrivateKey` | [`with_local_certificate_chain`](SslConfiguration::with_local_certificate_chain), [`with_private_key`](SslConfiguration::with_private_key) | the certified key, checked to match |
//! | `setPeerVerifyMode`, `setPeerVerifyDepth` | [`with_peer_verify_mode`](SslConfiguration::with_peer_verify_mode), [`with_peer_verify_depth`](SslConfiguration::with_peer_verify_depth) | this crate's certificate verifiers (see [`PeerVerifyMode`]) |
//! | `setAllowedNextProtocols` | [`with_allowed_next_protocols`](SslConfiguration::with_allowed_next_protocols) | ALPN |
//! | `setSslOption` | [`with_ssl_option`](SslConfiguration::with_ssl_option) | SNI, tickets, session cache, cipher order; see [`SslOption`] |
//!
//! # Features
//!
//! - `aws-lc-rs` (default): aws-lc-rs as the crypto provider; `ring`: ring instead.
//! - `native-certs` (default): the OS CA store; `webpki-roots` (default): Mozilla's
//!   roots where the OS store is empty.
//! - `tokio`: `sslconf::tokio::connect` and `sslconf::tokio::accept` on tokio-rustls.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod cipher;
mod configuration;
mod convert;
mod error;
mod host;
mod protocol;
mod provider;
mod roots;
mod session;
mod settings;
mod ssl_error;
mod stream;
#[cfg(feature = "tokio")]
pub mod tokio;
mod verify;
mod x509;

pub use cipher::{Cipher, KeyExchangeGroup};
pub use configuration::SslConfiguration;
pub use error::{Error, InvalidInput};
pub use protocol::{PeerVerifyMode, SslOption, SslProtocol};
pub use session::SessionState;
pub use ssl_error::{SslError, SslErrorKind};
pub use stream::TlsStream;
pub use x509::{
    AlternativeName, Certificate, DigestAlgorithm, KeyAlgorithm, PrivateKey, SubjectInfo,
};
