//! QUIC through quinn (feature `quic`): one [`SslConfiguration`] for TCP
//! and QUIC.
//!
//! Qt gives datagram transports their own configuration; rustls has no
//! DTLS, and the datagram TLS Rust servers and clients run is QUIC, served
//! beside TCP on the same names with the same certificates (HTTP/3 beside
//! HTTP/1.1 and HTTP/2). Here the same value converts for both:
//!
//! - [`SslConfiguration::quic_server_config`] and
//!   [`SslConfiguration::quic_client_config`] hand quinn the very
//!   `Arc<rustls::ServerConfig>` / `Arc<rustls::ClientConfig>` that
//!   `server_config()` / `client_config()` return, cached the same way: the
//!   same verifiers, identities per server name, ticket keys shared by a
//!   fleet, key log and session cache, and one
//!   [`reload`](crate::SslConfiguration::reload) or `watch` serves both
//!   transports. A setting QUIC cannot honour (no TLS 1.3 in the protocol
//!   setting or the cipher list) is [`Error::UnsupportedForQuic`], naming
//!   it, when converting for QUIC; TCP still converts.
//! - [`SslConfiguration::connect_quic`] and [`SslConfiguration::accept_quic`]
//!   make a connection in one call, with the handshake timeout, and return
//!   a [`QuicConnection`]: quinn's connection and its [`SessionState`]
//!   (peer chain, cipher, key-exchange group, ALPN, server name, whether it
//!   resumed, the chain a server chose, Qt's error list of a `QueryPeer`
//!   or `VerifyNone` peer). A failed handshake is the error it is over
//!   TCP: [`Error::PeerVerification`] with Qt's
//!   [`ssl_errors`](crate::Error::ssl_errors), or [`Error::Tls`].
//!
//! Through quinn's own TLS session a server's identity choice, the cipher
//! and whether a session resumed stay hidden inside quinn, and a failed
//! handshake is a line of text. The configs here drive rustls's QUIC
//! connection themselves, as quinn's session does (the same calls, keys and
//! errors on the wire), and keep what `SessionState` needs. Tickets sealed
//! over QUIC carry the first handshake's time and the client certificate's
//! end, as the crate's `accept` does over TCP.
//!
//! What QUIC fixes, whatever the settings say: TLS 1.3 only (a range such
//! as the default `SecureProtocols` serves TLS 1.2 over TCP and TLS 1.3
//! over QUIC); initial packets protected with TLS_AES_128_GCM_SHA256 (RFC
//! 9001 §5.2: keys anyone can derive), taken from the crypto provider when
//! the cipher list leaves it out; no 0-RTT (early data), which the
//! configuration does not enable for TCP either. ALPN is the configured
//! list: a server serving HTTP/3 beside HTTP/2 lists `h3`, `h2` and
//! `http/1.1`, and each client gets the first of them it offers.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use sslconf::{Identity, SslConfiguration};
//!
//! let config = SslConfiguration::new()
//!     .with_local_identity(Identity::from_files("server.pem", "server.key")?)
//!     .with_allowed_next_protocols(["h3", "h2", "http/1.1"]);
//! // TCP: config.server_config()? for tokio-rustls, hyper, axum...
//! let quic = quinn::ServerConfig::with_crypto(config.quic_server_config()?);
//! let endpoint = quinn::Endpoint::server(quic, "[::]:443".parse()?)?;
//! while let Some(incoming) = endpoint.accept().await {
//!     let connection = config.accept_quic(incoming).await?;
//!     println!("{:?}", connection.session_state().server_name());
//! }
//! # Ok(())
//! # }
//! ```
//!
//! [`SslConfiguration`]: crate::SslConfiguration
//! [`SslConfiguration::quic_server_config`]: crate::SslConfiguration::quic_server_config
//! [`SslConfiguration::quic_client_config`]: crate::SslConfiguration::quic_client_config
//! [`SslConfiguration::connect_quic`]: crate::SslConfiguration::connect_quic
//! [`SslConfiguration::accept_quic`]: crate::SslConfiguration::accept_quic
//! [`SessionState`]: crate::SessionState
//! [`Error::UnsupportedForQuic`]: crate::Error::UnsupportedForQuic
//! [`Error::PeerVerification`]: crate::Error::PeerVerification
//! [`Error::Tls`]: crate::Error::Tls

mod config;
mod connection;
mod observe;
mod retry;
mod session;

pub use config::{QuicClientConfig, QuicServerConfig};
pub use connection::QuicConnection;
