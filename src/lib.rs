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
//! Start from one of two values:
//! - [`SslConfiguration::new()`] (also `SslConfiguration::default()`): Qt's
//!   null configuration, the built-in defaults (secure protocols and
//!   ciphers, the system's CA certificates), [`is_null`](SslConfiguration::is_null)
//!   until a setting is made. Start here unless the program sets a default.
//! - [`SslConfiguration::default_configuration()`]: the process-wide
//!   default, as Qt's `QSslConfiguration::defaultConfiguration()`: the one
//!   given to [`set_default_configuration`](SslConfiguration::set_default_configuration),
//!   else the built-in defaults.
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
//! A server whose clients may authenticate with a certificate from their CA:
//! one that is sent is verified, and a bad one fails the handshake (the
//! default, [`PeerVerifyMode::AutoVerifyPeer`], once CA certificates are set;
//! [`PeerVerifyMode::VerifyPeer`] makes the certificate required):
//!
//! ```no_run
//! use std::io::Write;
//! use std::net::TcpListener;
//! use std::time::Duration;
//!
//! use sslconf::{Certificate, Identity, SslConfiguration};
//!
//! let config = SslConfiguration::new()
//!     .with_local_identity(Identity::from_files("server.pem", "server.key")?)
//!     .with_ca_certificates(Certificate::from_path("clients-ca.pem")?)
//!     // No socket call of a handshake begins after 10 s, however a client paces its bytes...
//!     .with_handshake_timeout(Duration::from_secs(10));
//!
//! for socket in TcpListener::bind("127.0.0.1:8443")?.incoming() {
//!     let socket = socket?;
//!     // ... and none waits longer than 10 s for a client that sends nothing.
//!     socket.set_read_timeout(Some(Duration::from_secs(10)))?;
//!     let mut tls = match config.accept(socket) {
//!         Ok(tls) => tls,
//!         Err(err) => {
//!             eprintln!("handshake: {err}");
//!             continue;
//!         }
//!     };
//!     match tls.session_state().peer_certificate() {
//!         Some(client) => writeln!(tls, "hello {}", client.subject_display_name())?,
//!         None => writeln!(tls, "hello, anonymous")?,
//!     }
//!     tls.shutdown()?;
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! With another I/O stack (tokio-rustls, hyper-rustls, axum-server, tonic),
//! take the rustls config itself: `config.client_config()?` /
//! `config.server_config()?`; with quinn, `quic_server_config()?` /
//! `quic_client_config()?` (feature `quic`). Verification happens inside the verifiers those
//! configs carry, so a chain they accept is one this crate verified; what
//! such a stack cannot give is [`SessionState`], and so the error list of a
//! `QueryPeer` or `VerifyNone` peer. [`rustls`] is re-exported, as its types
//! are in this crate's signatures.
//!
//! With axum, hyper, reqwest and tonic, the README's section of that name
//! and the programs of the repository's `examples/ecosystem` package,
//! `axum_server` (each request carries its connection's `SessionState` as
//! an extension), `reqwest_client`, `hyper_client`, `tonic_server` and
//! `tonic_client`, show the whole path; a failed
//! handshake inside those libraries' errors is found with
//! [`Error::find_in`], with its [`ssl_errors`](Error::ssl_errors).
//!
//! The [`guide`] has the rest at length: the examples to run, the
//! ecosystem stacks, revocation lists and pins, OCSP stapling, Mozilla's
//! profiles, the key log and the dependencies chosen.
//!
//! # Servers in production
//!
//! - **Several certificates**: [`with_server_name_identity`](SslConfiguration::with_server_name_identity)
//!   serves an [`Identity`] per name the client asks for (exact or `*.`
//!   wildcard), [`with_added_local_identity`](SslConfiguration::with_added_local_identity)
//!   an RSA certificate beside an ECDSA one, chosen by what the client
//!   supports; [`with_unknown_server_names_refused`](SslConfiguration::with_unknown_server_names_refused)
//!   refuses other names. [`SessionState::local_certificate_chain`] tells
//!   which chain a client got.
//! - **Reload without restart**: an [`Identity::from_files`] or
//!   [`Identity::from_pkcs12_file`] (with its OCSP response file), CA
//!   certificate files ([`with_ca_certificate_files`](SslConfiguration::with_ca_certificate_files)),
//!   revocation list files and ticket key files are read again by [`reload`](SslConfiguration::reload),
//!   or whenever they change with `watch` (feature `watch`), and put in
//!   force atomically inside the `Arc<ServerConfig>` / `Arc<ClientConfig>`
//!   already handed out. A bad file changes nothing. **A setting read from
//!   files holds what its files held at the last good reload**: the
//!   configuration, its clones and every configuration derived from it with
//!   `with_*` (until one replaces that setting), their getters and their
//!   converted configs all use it, whichever of them reloaded.
//! - **OCSP stapling**: an [`Identity`] (local, added or per name) carries
//!   a DER OCSP response ([`Identity::with_ocsp_response_file`], read again
//!   by `reload` with the chain and key), stapled in TLS 1.2 and 1.3.
//! - **Mozilla's profiles**: [`with_mozilla_profile`](SslConfiguration::with_mozilla_profile)
//!   ([`MozillaProfile`], guideline 5.7), judged by sslyze's
//!   `--mozilla_config`.
//! - **Revocation**: certificate revocation lists
//!   ([`with_revocation_list_files`](SslConfiguration::with_revocation_list_files),
//!   [`RevocationList`]) checked on every verified path, read again by
//!   `reload` with the CA files.
//! - **Pins**: public key pins on top of CA verification, or instead of it
//!   for self-signed peers ([`PublicKeyPin`]).
//! - **Resumption across a fleet**: [`TicketKeys`] from nginx's
//!   `ssl_session_ticket_key` files or HAProxy's `tls-ticket-keys` file
//!   (rotated by appending a line), shared by every server
//!   ([`with_session_ticket_keys`](SslConfiguration::with_session_ticket_keys));
//!   a session resumes only on servers whose acceptance policy is the one
//!   that accepted it (below).
//!
//! # How a peer is accepted
//!
//! Verification decides; Qt's error list explains.
//!
//! - **A peer is accepted only on a path whose every link's signature was
//!   verified with its issuer's key**, within the verify depth, at the
//!   current time, under every configured revocation list and pin
//!   (webpki's path building, as rustls's own verifiers do). Under
//!   `QueryPeer` and `VerifyNone` nothing is verified but the peer's
//!   handshake signature, and [`SessionState::peer_verification_errors`]
//!   tells what a verification would have found.
//! - **Expected errors** ([`with_expected_ssl_errors`](SslConfiguration::with_expected_ssl_errors),
//!   Qt's `ignoreSslErrors`) admit a peer whose chain fails only when every
//!   error found is expected, kind and certificate (by its exact bytes), and
//!   each is about the leaf or a certificate that really issued it: the
//!   diagnosis follows the leaf's issuers checking each link's signature,
//!   so that a certificate copying an expected root's name and key
//!   identifier is a [`CertificateSignatureFailed`](SslErrorKind::CertificateSignatureFailed),
//!   as OpenSSL reports it, and admits nothing.
//! - **Revocation is never hidden or admitted**: a certificate that a
//!   configured list revokes (any list its issuer's key signed, current or
//!   expired, whatever its scope) is
//!   [`CertificateRevoked`](SslErrorKind::CertificateRevoked) beside any
//!   list error, and no expected error or relaxed revocation policy admits
//!   it. A certificate trusted as exactly itself (one that is no CA among
//!   the CA certificates) and a peer accepted on its pins alone
//!   ([`with_public_key_pins_only`](SslConfiguration::with_public_key_pins_only))
//!   are refused when a list names them that a key which signed them signed
//!   too (their own, or a trusted certificate's); a missing or expired list
//!   is no error for them. A self-signed trusted root is checked against
//!   its own lists at chain depth, as OpenSSL checks them.
//! - **Resumption is a decision too**: every session ticket and cached
//!   session a server issues carries, sealed inside it, a digest of the
//!   server's acceptance policy (verify mode and whether a certificate is
//!   required, CA certificates, revocation lists and how they are checked,
//!   pins, depth, expected errors), the time of the session's first full
//!   handshake and the end of the client certificate's validity. A server
//!   resumes only sessions of its own policy: servers sharing ticket keys
//!   with different policies, or one restarted or reloaded with a list
//!   that now revokes the client, make a full handshake. No session resumes
//!   past the ticket lifetime counted from its first full handshake, however
//!   often its ticket was renewed, nor past its client certificate. When
//!   the trust follows files, a resumed client's certificate is verified
//!   again under the trust in force (a verdict is reused for seconds), and
//!   a client keeps a session a server hands over after a reload only if
//!   the trust in force accepts every certificate that server was accepted
//!   with. Through a raw `server_config()` the policy holds the same; what
//!   rustls cannot tell a ticketer is which connection a ticket is for, so
//!   a ticket renewed on a resumed TLS 1.3 or 1.2 connection there counts
//!   its lifetime from that connection and does not carry the
//!   certificate's end (the crate's `accept`/`accept_async` carry both).
//!
//! **Key log**, for debugging only:
//! [`with_key_log_file`](SslConfiguration::with_key_log_file) or
//! [`with_key_log_from_env`](SslConfiguration::with_key_log_from_env)
//! (`SSLKEYLOGFILE`) writes the TLS secrets of every connection in the NSS
//! key log format, so that Wireshark or tshark decrypts a capture. Off by
//! default; anyone with the file can decrypt the traffic.
//!
//! # Qt → rustls
//!
//! | Qt | here | in rustls |
//! |---|---|---|
//! | `setProtocol` | [`with_protocol`](SslConfiguration::with_protocol) | protocol versions; TLS 1.0/1.1 alone is [`Error::UnsupportedProtocol`], ranges from them mean TLS 1.2 and 1.3 |
//! | `setCiphers` | [`with_ciphers`](SslConfiguration::with_ciphers), [`with_cipher_list`](SslConfiguration::with_cipher_list) | the provider's suites, filtered and ordered; the server's order wins unless [`SslOption::DisableServerCipherPreference`] |
//! | `setEllipticCurves` | [`with_key_exchange_groups`](SslConfiguration::with_key_exchange_groups) | the provider's key-exchange groups, filtered and ordered |
//! | `setCaCertificates`, `addCaCertificates` | [`with_ca_certificates`](SslConfiguration::with_ca_certificates), [`with_added_ca_certificates`](SslConfiguration::with_added_ca_certificates) | trust anchors for webpki; the system store is loaded once per process; a certificate that is no CA is trusted as exactly itself |
//! | `setLocalCertificate`, `setLocalCertificateChain`, `setPrivateKey` | [`with_local_identity`](SslConfiguration::with_local_identity)`(`[`Identity::new`]`(chain, key))`, or [`Identity::from_files`] (read again by [`reload`](SslConfiguration::reload)) | the certified key, checked to match |
//! | `QSslKey(data, algorithm, format, type, passPhrase)` | [`PrivateKey::from_pem`], [`PrivateKey::from_der`]; with a passphrase (feature `encrypted-keys`) `PrivateKey::from_pem_with_passphrase(pem, &Passphrase::new(..))`, a `Passphrase` also from a file or an environment variable | `PrivateKeyDer`, the provider's signing key |
//! | `setPeerVerifyMode` | [`with_peer_verify_mode`](SslConfiguration::with_peer_verify_mode) | this crate's certificate verifiers (see [`PeerVerifyMode`]); `QueryPeer` on a server hands a raw `server_config()`'s users an **unverified** client chain |
//! | `setPeerVerifyDepth` | [`with_peer_verify_depth`](SslConfiguration::with_peer_verify_depth) | at most `d` intermediate CAs on the verified path, as OpenSSL's `SSL_CTX_set_verify_depth` |
//! | `setAllowedNextProtocols` | [`with_allowed_next_protocols`](SslConfiguration::with_allowed_next_protocols) | ALPN |
//! | `setSslOption` | [`with_ssl_option`](SslConfiguration::with_ssl_option) | SNI, tickets, session cache, cipher order; see [`SslOption`]; turning off one rustls always applies is refused at the call |
//! | `QSslCertificate::verify` | [`verify_chain`](SslConfiguration::verify_chain) | webpki path building, explained as Qt's errors |
//! | `QSslCertificate::importPkcs12` | [`Pkcs12::from_path`], [`Pkcs12::from_der`]; [`Identity::from_pkcs12_file`] (read again by [`reload`](SslConfiguration::reload)), [`Identity::from_pkcs12`] | the key and its chain as a `CertifiedKey`; Qt's `caCertificates` are [`Pkcs12::ca_certificates`]. PBES2 (OpenSSL 3's AES-256-CBC) and the legacy PKCS#12 PBE (RC2, 3DES: OpenSSL 1.x, `-legacy`, Windows) are read, other schemes named in the error; a wrong passphrase is [`Error::Pkcs12WrongPassphrase`] |
//! | `QSslSocket::sslHandshakeErrors` | [`SessionState::peer_verification_errors`], [`Error::ssl_errors`] | carried out of the verifier inside the rustls error |
//! | `setOcspStaplingEnabled`, `QSslSocket::ocspResponses` | [`with_ocsp_stapling_enabled`](SslConfiguration::with_ocsp_stapling_enabled), [`SessionState::ocsp_response`] | rustls always asks for a staple and hands it only to the verifier; `connect`/`connect_async` keep it per connection, **unverified** (Qt verifies it: webpki dropped OCSP and major CAs are ending it) |
//! | (Qt servers cannot staple) | [`Identity::with_ocsp_response`], [`Identity::with_ocsp_response_file`] | `CertifiedKey::ocsp`, checked at conversion to be a successful response for the leaf ([`Error::OcspResponse`]); a stale one warns |
//! | `QSslError::CertificateRevoked` (Qt's backends consult CRLs the platform or `QSslConfiguration` has; Qt has no CRL setting of its own) | [`with_revocation_lists`](SslConfiguration::with_revocation_lists), [`with_revocation_list_files`](SslConfiguration::with_revocation_list_files), [`with_revocation_depth`](SslConfiguration::with_revocation_depth) | webpki's `RevocationOptions`: [`CertificateRevoked`](SslErrorKind::CertificateRevoked), [`UnableToGetRevocationList`](SslErrorKind::UnableToGetRevocationList) (no list from the issuer), [`RevocationListExpired`](SslErrorKind::RevocationListExpired), [`RevocationListInvalid`](SslErrorKind::RevocationListInvalid), in every verify mode |
//! | (no Qt setting: Qt apps pin by comparing `peerCertificate()` digests) | [`with_public_key_pins`](SslConfiguration::with_public_key_pins), [`with_public_key_pins_only`](SslConfiguration::with_public_key_pins_only), [`Certificate::public_key_pin`] | checked inside the verifiers on the path webpki built (leaf, intermediate or anchor key); [`PublicKeyNotPinned`](SslErrorKind::PublicKeyNotPinned) |
//! | `QSslSocket::ignoreSslErrors(expectedErrors)` | [`with_expected_ssl_errors`](SslConfiguration::with_expected_ssl_errors) | applied inside the verifiers: a peer whose errors are all expected (kind and certificate) is accepted |
//! | `QSslServer::setHandshakeTimeout` | [`with_handshake_timeout`](SslConfiguration::with_handshake_timeout) | not rustls's: `connect`/`accept` check it between socket calls, `connect_async`/`accept_async` run under `tokio::time::timeout`; [`Error::HandshakeTimeout`]. No default here (Qt's server: 5 s) |
//!
//! ## Where this differs from Qt, on purpose
//!
//! - **A server's default does not take an unverified client certificate.**
//!   Qt's `AutoVerifyPeer` is `QueryPeer` on a server: any certificate is
//!   accepted. Here, with CA certificates configured explicitly, a server
//!   asks for a certificate (optional) and verifies one that is sent; with
//!   only the system store it asks for none. `QueryPeer`, chosen by name,
//!   stays Qt's.
//! - **A server authenticates clients against configured CAs only**, never
//!   the system store: any public CA's certificate with the clientAuth
//!   usage would pass. `VerifyPeer` on a server without configured CA
//!   certificates is [`Error::NoCaCertificates`].
//! - **A configured CA certificate that is no CA** (no basicConstraints cA,
//!   such as a pinned device certificate) trusts exactly that certificate
//!   and issues nothing, as OpenSSL refuses it as an issuer.
//! - **A private store stays private**: when `SSL_CERT_FILE` or
//!   `SSL_CERT_DIR` is set, the system store is never widened to Mozilla's
//!   bundled roots, even if the variables yield nothing.
//! - rustls speaks TLS 1.2 and 1.3 only; the four options it always applies
//!   can be set but not cleared.
//!
//! ## Where verification differs from Qt
//!
//! `tests/qt_oracle.rs` runs the certificate shapes of Qt's own tests
//! (`tst_qsslcertificate` `verify()`, `tst_qsslsocket`
//! `verifyClientCertificate`, `selfSignedCertificates`,
//! `ignoreSslErrorsList`) with Qt 6.8's expected lists beside the crate's.
//! They agree but for these, each on purpose:
//!
//! - **The subject CN never names a host** (RFC 9525, as webpki): a
//!   certificate whose only name is its CN is a
//!   [`HostNameMismatch`](SslErrorKind::HostNameMismatch), where Qt still
//!   matches the CN. Reissue it with the name as a subject alternative name:
//!   `openssl req -x509 ... -subj /CN=example.com -addext
//!   "subjectAltName=DNS:example.com"`.
//! - **[`verify_chain`](SslConfiguration::verify_chain) checks a TLS
//!   server's purpose** (what users verify most); Qt's `verify()` checks
//!   none, which [`verify_chain_for`](SslConfiguration::verify_chain_for)
//!   with [`CertificatePurpose::Any`] does.
//! - **Certificates webpki cannot process** (X.509 v1, malformed ones) are
//!   [`InvalidCertificate`](SslErrorKind::InvalidCertificate) with a
//!   [`detail`](SslError::detail) ("X.509 v1 is not supported"), listed
//!   besides what their fields still tell (self-signed, expired, the host
//!   against their subject alternative names), where Qt lists only the
//!   latter. rustls cannot complete a handshake with such a certificate in
//!   any mode, `VerifyNone` included: the peer's handshake signature is
//!   checked with the certificate's key, which it reads only from a
//!   certificate webpki parses. Certificates signed with SHA-1 or MD5, or
//!   with RSA keys under 2048 bits, fail verification as
//!   [`UnsupportedSignatureAlgorithm`](SslErrorKind::UnsupportedSignatureAlgorithm)
//!   (OpenSSL 3's handshake refuses them too, at its default security
//!   level); under `VerifyNone`, where the chain is not verified, they are
//!   accepted, but rustls never negotiates a SHA-1 handshake signature.
//! - **No blacklist**: Qt's `CertificateBlacklisted` list holds 16
//!   certificates that expired in 2014 and that every store has removed.
//! - **The legacy Netscape Cert Type extension is ignored**, as webpki
//!   does: a client certificate marked "SSL Server" only, which OpenSSL (and
//!   so Qt) refuses as a client's, is accepted; extended key usage decides.
//! - **A server's `AutoVerifyPeer`** verifies a client certificate that is
//!   sent (above), so a self-signed or server-only client certificate that
//!   Qt's `AutoVerifyPeer` (= `QueryPeer`) takes is refused.
//!
//! An empty chain is, as in Qt, [`UnspecifiedError`](SslErrorKind::UnspecifiedError)
//! for [`verify_chain`](SslConfiguration::verify_chain); a handshake whose peer
//! sends no certificate is [`NoPeerCertificate`](SslErrorKind::NoPeerCertificate).
//!
//! To accept one known bad certificate, such as a device's self-signed one,
//! use Qt's way, [`with_expected_ssl_errors`](SslConfiguration::with_expected_ssl_errors),
//! not `QueryPeer`: only the errors listed, for the certificate named, are
//! accepted.
//!
//! # Features
//!
//! - `aws-lc-rs` (default): aws-lc-rs as the crypto provider; `ring`: ring instead.
//! - `native-certs` (default): the OS CA store; `webpki-roots` (default): Mozilla's
//!   roots where the OS store is empty and no private store is named.
//! - `tokio`: [`SslConfiguration::connect_async`] and
//!   [`SslConfiguration::accept_async`] (also `sslconf::tokio::{connect,
//!   accept}`) on tokio-rustls.
//! - `quic`: QUIC through quinn: `sslconf::quic` (`quic_server_config`,
//!   `quic_client_config`, `connect_quic`, `accept_quic`), one
//!   configuration and one live state for TCP and QUIC.
//! - `watch`: `SslConfiguration::watch`, which reloads a configuration's
//!   files when they change (notify).
//! - `serde`: settings files: `SslConfiguration::from_toml_file` for a
//!   `Side` (one file can configure a service's server and its client),
//!   `to_settings_file` to write one back, and `SettingsFile` for any serde
//!   format (serde, toml).
//! - `encrypted-keys`: encrypted private keys (PKCS#8 `ENCRYPTED PRIVATE
//!   KEY`): `Passphrase`, `PrivateKey::from_pem_with_passphrase` and the
//!   other `_with_passphrase` constructors (RustCrypto's pkcs8 and pkcs5).
//! - `pkcs12` (implies `encrypted-keys`): `Pkcs12` and
//!   `Identity::from_pkcs12*` (RustCrypto's pkcs12 and cms, RC2 and 3DES).
//! - `ocsp`: a server's stapled OCSP response,
//!   `Identity::with_ocsp_response*` (x509-ocsp). A client keeps a server's
//!   staple ([`SessionState::ocsp_response`]) without it.
//!
//! The default build is what an ordinary client or server needs:
//! `aws-lc-rs`, `native-certs`, `webpki-roots`. What a build without a
//! feature is asked for at run time (a settings file's `pkcs12-file`,
//! `key-passphrase-file` or `ocsp-response-file`, an encrypted key in a key
//! file) is [`Error::FeatureNotEnabled`], naming the feature. X.509 is read
//! with one ASN.1 stack (RustCrypto's `der`, which the features' crates are
//! built on), and digests are the crypto provider's.
//!
//! # Layout
//!
//! One concept per module; each reads the ones below it and none calls back
//! into one that calls it.
//!
//! | module | its one job |
//! |---|---|
//! | `configuration` | the immutable value: setters, getters, the cached conversions and verifiers |
//! | `settings` | the settings as plain data, which conversion and verification read |
//! | `convert/` | settings into a rustls `ClientConfig` (`client`) or `ServerConfig` (`server`) |
//! | `verify/` | trust anchors (`anchors`), path building and depth (`chain`), a link's signature (`signed`), the leaf's verified issuers (`links`), revocation lists (`revocation`), public key pins (`pins`), Qt's diagnosis (`diagnose`), what each mode does and what expected errors admit (`policy`), the rustls verifiers (`server_verifier`, `client_verifier`), the OCSP staple a client keeps (`staple`), DER facts (`der`) |
//! | `x509/` | certificates, private keys, encrypted keys, identities (a chain and its key, from values or files), OCSP responses (`ocsp`), revocation lists (`revocation_list`), public key pins (`pin`), PKCS#12 files (`pkcs12`), and file/PEM input |
//! | `server/` | a server at run time: the identity chosen per client (`resolver`), what a reload reports and the file watcher (`reload`), session-ticket keys shared by a fleet (`tickets`) and their key files, nginx's and HAProxy's (`ticket_file`), resumption bound to the policy that accepted the client (`resumption`) |
//! | `session`, `stream`, `tokio` | a live connection's state; blocking and async streams |
//! | `quic/` | QUIC through quinn (feature `quic`): the configs quinn takes and what QUIC cannot honour (`config`), the crypto session on rustls's QUIC connection (`session`), Retry integrity tags (`retry`), what a helper learns of the connection it starts (`observe`), `connect_quic`/`accept_quic` and `QuicConnection` (`connection`) |
//! | `cipher`, `protocol`, `ssl_error` | Qt's value types |
//! | `provider`, `roots`, `host` | the crypto provider; the system CA store; host-name parsing |
//! | `preset` | Mozilla's server-side TLS profiles as settings |
//! | `key_log` | where the opt-in key log writes the TLS secrets, and the rustls `KeyLog` that writes them |
//! | `error` | the one error type and the causes it carries |
//! | `guide` | documentation only: the long form of the README |
//! | `settings_file/` | the settings as a file (feature `serde`): the serde type (`mod`), names of value types (`names`), SSL options as a table (`option_map`), a side's settings from the top level and its table (`side`), a file into setters (`load`), the side's conversion at load with its error at the field (`refusal`), a configuration back into a file (`write`), field paths and lines (`location`) |
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(
    unreachable_pub,
    unused_qualifications,
    missing_debug_implementations,
    clippy::exhaustive_enums
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod cipher;
mod client;
mod configuration;
mod convert;
mod error;
pub mod guide;
mod host;
mod key_log;
mod live;
mod preset;
mod protocol;
mod provider;
#[cfg(feature = "quic")]
#[cfg_attr(docsrs, doc(cfg(feature = "quic")))]
pub mod quic;
mod roots;
mod server;
mod session;
mod settings;
#[cfg(feature = "serde")]
mod settings_file;
mod ssl_error;
mod stream;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod tokio;
mod verify;
mod x509;

pub use rustls;

pub use cipher::{Cipher, KeyExchangeGroup};
pub use configuration::SslConfiguration;
pub use error::{Error, InvalidInput};
pub use key_log::KeyLogDestination;
pub use preset::MozillaProfile;
pub use protocol::{CertificatePurpose, PeerVerifyMode, RevocationDepth, SslOption, SslProtocol};
pub use roots::SystemCaSource;
pub use server::Reloaded;
pub use server::TicketKeys;
#[cfg(feature = "watch")]
#[cfg_attr(docsrs, doc(cfg(feature = "watch")))]
pub use server::Watcher;
pub use session::SessionState;
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub use settings_file::{IdentitySettings, ServerNameIdentitySettings, SettingsFile, Side};
pub use ssl_error::{SslError, SslErrorKind};
pub use stream::TlsStream;
#[cfg(feature = "encrypted-keys")]
#[cfg_attr(docsrs, doc(cfg(feature = "encrypted-keys")))]
pub use x509::Passphrase;
#[cfg(feature = "pkcs12")]
#[cfg_attr(docsrs, doc(cfg(feature = "pkcs12")))]
pub use x509::Pkcs12;
pub use x509::{
    AlternativeName, Certificate, DigestAlgorithm, Identity, KeyAlgorithm, PrivateKey,
    PublicKeyPin, RevocationList, SubjectInfo,
};
