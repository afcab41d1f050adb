//! The long form: the examples to run, sslconf under axum, hyper, reqwest
//! and tonic, revocation lists and pins, OCSP stapling, Mozilla's
//! profiles, and the dependencies chosen. Documentation only; the crate's
//! front page has the quick start, [how a peer is accepted](crate#how-a-peer-is-accepted)
//! and the [Qt → rustls mapping](crate#qt--rustls), and
//! [`SettingsFile`](crate::SettingsFile) the settings files.
//!
//! # The examples
//!
//! The crate's examples (`examples/` in the repository; `--help` lists each
//! one's flags):
//!
//! ```sh
//! cargo run --example demo      # a CA made in memory, a mutual-TLS server and client, both sessions printed
//! cargo run --example server -- --self-signed --port 8443 &
//! curl -k https://127.0.0.1:8443/
//! cargo run --example client -- 127.0.0.1:8443 --verify-mode none
//! cargo run --example tokio --features tokio
//! ```
//!
//! `server` runs a thread per connection, at most `--max-concurrent` (256)
//! at once: further clients wait, unaccepted, in the listen backlog. Each
//! handshake runs under the configuration's handshake timeout
//! (`--handshake-timeout-ms`, 10 s;
//! [`with_handshake_timeout`](crate::SslConfiguration::with_handshake_timeout))
//! and each request head under `--idle-timeout-ms`, so a client that stalls
//! or trickles its bytes holds a thread for a bounded time. `tokio_server`
//! is the `server` example on tokio: a task per connection, each handshake
//! under a deadline (`--handshake-timeout-ms`), so a stalled or failing
//! client never holds the accept loop. Both servers take
//! `--sni NAMES=CERT,KEY` (repeatable; another identity for clients asking
//! for those names), `--refuse-unknown-names`, `--ticket-key FILE`
//! (repeatable, shared session-ticket keys), `--groups` and `--watch`
//! (read the files again when they change, logging each outcome; feature
//! `watch`); `server` also takes `--preset modern|intermediate` (Mozilla's
//! profiles) and `--config FILE` (a settings file, feature `serde`), as
//! `client` does its `--config`:
//!
//! ```sh
//! cargo run --example tokio_server --features tokio,watch -- --cert server.pem --key server.key \
//!     --sni 'api.example.com=api.pem,api.key' --watch --port 8443
//! ```
//!
//! `scripts/nginx-bench.sh` compares it with nginx, and
//! `scripts/async-memory.sh` measures its memory per connection
//! (BENCHMARKS.md).
//!
//! # With axum, hyper, reqwest and tonic
//!
//! The repository's `examples/ecosystem` package (not published; its
//! README tells how to run and extend it) has five programs that answer
//! the common questions, each run against another by its
//! `tests/ecosystem.rs` (and by `curl`). None of these crates is a
//! dependency of this one.
//!
//! **The client certificate in an axum handler**: `axum_server` serves a
//! `Router` over [`accept_async`](crate::SslConfiguration::accept_async),
//! one task per connection with a deadline on its handshake and on each
//! HTTP/1.1 request header, HTTP/2 keep-alive pings, HTTP/2 or HTTP/1.1 as
//! ALPN agreed (hyper-util's `auto::Builder`), graceful shutdown on ctrl-c
//! that closes what is still open after a grace period. Each connection's
//! [`SessionState`](crate::SessionState) is an extension of each of its
//! requests; the accept loop, about 250 lines to copy, is the package's
//! `src/http_server.rs`:
//!
//! ```text
//! // per accepted socket, in its own task:
//! let tls = tokio::time::timeout(deadline, config.accept_async(socket)).await??;
//! let service = TowerToHyperService::new(app.layer(Extension(tls.session_state().clone())));
//! let mut builder = auto::Builder::new(TokioExecutor::new());
//! // Without a timer, hyper's header_read_timeout never fires: a client that
//! // sends half a request line and stalls holds the connection forever.
//! builder.http1().timer(TokioTimer::new()).header_read_timeout(Duration::from_secs(30));
//! builder.http2().timer(TokioTimer::new()).keep_alive_interval(Duration::from_secs(60));
//! builder.serve_connection_with_upgrades(TokioIo::new(tls), service).await?;
//!
//! // a handler:
//! async fn whoami(Extension(state): Extension<SessionState>) -> String {
//!     match state.peer_certificate() {
//!         Some(client) => format!("hello {}", client.subject_display_name()),
//!         None => "hello, anonymous".into(),
//!     }
//! }
//! ```
//!
//! With the default verify mode a certificate that reaches a handler was
//! verified against the configured CA certificates;
//! `state.next_negotiated_protocol()`, `session_protocol()` and
//! `session_cipher()` tell the rest.
//!
//! **axum-server** takes the converted config as it is:
//!
//! ```text
//! let tls = axum_server::tls_rustls::RustlsConfig::from_config(config.server_config()?);
//! axum_server::bind_rustls(addr, tls).serve(app.into_make_service()).await?;
//! ```
//!
//! Verification, identities by server name, reloads (`reload`, `watch`)
//! and ticket keys still apply: they live inside the `Arc<ServerConfig>`.
//! What is lost is `SessionState`: a handler sees nothing of TLS (no client
//! certificate, ALPN, protocol or cipher), nor, under `QueryPeer`, what was
//! wrong with the client's chain. When a handler needs the client, serve
//! as `axum_server` does.
//!
//! **reqwest with a private CA, a client certificate, pinning, reload**:
//! `reqwest_client`. Everything is set on the
//! [`SslConfiguration`](crate::SslConfiguration) (`with_ca_certificates` or
//! `_files` for the CA, `with_local_identity` for mutual TLS; to pin a
//! server, its own certificate as the only CA certificate: one that is no
//! CA is trusted as exactly itself; `with_expected_ssl_errors` to accept
//! one known bad certificate; `with_allowed_next_protocols(["h2",
//! "http/1.1"])`, which reqwest does not add to a config it is given),
//! then:
//!
//! ```text
//! let client = reqwest::Client::builder()
//!     .use_preconfigured_tls((*config.client_config()?).clone())
//!     .build()?;
//! ```
//!
//! Build reqwest 0.12 with `default-features = false, features =
//! ["rustls-tls-manual-roots-no-provider", "http2"]`: one rustls, no second
//! provider, no roots of its own. To trust new CA certificates, build a new
//! `SslConfiguration` and from it a new `reqwest::Client`: the client keeps
//! the verifier of the config it was given. The hyper-rustls connector is
//! the same (`hyper_client`): `HttpsConnectorBuilder::new().with_tls_config(...)`,
//! but it panics on a config with ALPN protocols, as it sets them itself:
//! leave them unset.
//!
//! **What was wrong with the server's certificate**: reqwest and
//! hyper-util carry the rustls error inside an `io::Error` inside an
//! `io::Error`, and `io::Error::source()` skips what it wraps, so walking
//! `source()` never meets Qt's error list. [`Error::find_in`](crate::Error::find_in)
//! looks inside them:
//!
//! ```text
//! if let Err(err) = client.get(url).send().await {
//!     if let Some(tls) = sslconf::Error::find_in(&err) {
//!         for ssl_error in tls.ssl_errors() {
//!             eprintln!("{ssl_error}"); // e.g. the host name did not match any of the valid hosts ...
//!         }
//!     }
//! }
//! ```
//!
//! **gRPC with tonic 0.14**: tonic's own TLS takes PEM, not a rustls
//! config. `tonic_server` hands tonic streams accepted by `accept_async`
//! (`serve_with_incoming_shutdown`); their `Connected` info carries the
//! `SessionState`, which the method reads with
//! `request.extensions().get::<...>()`. `tonic_client` connects through
//! `Endpoint::connect_with_connector` with a connector calling
//! [`connect_async`](crate::SslConfiguration::connect_async), offering ALPN
//! `h2`. The messages are hand-written prost structs (`src/greeter.rs`):
//! no `protoc`, no build script.
//!
//! ```sh
//! cargo run -p sslconf-ecosystem --bin axum_server -- --cert server.pem --key server.key --ca ca.pem
//! cargo run -p sslconf-ecosystem --bin reqwest_client -- --ca ca.pem --cert client.pem --key client.key https://localhost:8443/
//! curl --cacert ca.pem --cert client.pem --key client.key https://localhost:8443/whoami
//! ```
//!
//! A node of a fleet, from one settings file (feature `serde`): the file's
//! server side serves, its client side calls the other nodes, each with its
//! own certificate ([`SettingsFile`](crate::SettingsFile) has the file;
//! `axum_server --config node.toml --peer https://peer:8443` is one such
//! node):
//!
//! ```text
//! let server = SslConfiguration::from_toml_file("node.toml", Side::Server)?;
//! let client = SslConfiguration::from_toml_file("node.toml", Side::Client)?;
//! let peers = reqwest::Client::builder()
//!     .use_preconfigured_tls((*client.client_config()?).clone())
//!     .build()?;
//! ```
//!
//! # Revocation lists and pins
//!
//! ```no_run
//! use sslconf::{Certificate, RevocationDepth, SslConfiguration};
//!
//! let client = SslConfiguration::new()
//!     .with_ca_certificates(Certificate::from_path("ca.pem")?)
//!     .with_revocation_list_files(["root.crl.pem", "intermediate.crl.pem"])?
//!     .with_revocation_depth(RevocationDepth::Chain) // the default; Leaf = -crl_check
//!     .with_public_key_pins(["sha256//YLh1dUR9y6Kja30RrAn7JKnbQG/uEtLMkBgFF2Fuihg=".parse()?]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! CRLs are read and checked by rustls-webpki (version 2 CRLs; delta and
//! indirect CRLs are refused when read, naming why). A revoked certificate
//! is [`CertificateRevoked`](crate::SslErrorKind::CertificateRevoked) in
//! every verify mode: it fails `VerifyPeer`, is listed under `QueryPeer`
//! and by [`verify_chain`](crate::SslConfiguration::verify_chain). Secure by
//! default, as `openssl verify -crl_check_all`: a certificate whose issuer
//! has no list is `UnableToGetRevocationList` and an expired list is
//! `RevocationListExpired`, unless
//! [`with_unknown_revocation_status_allowed`](crate::SslConfiguration::with_unknown_revocation_status_allowed)
//! or [`with_expired_revocation_lists_allowed`](crate::SslConfiguration::with_expired_revocation_lists_allowed)
//! say otherwise. The repository's `tests/revocation.rs` makes CRLs with
//! `openssl ca -gencrl`/`-revoke` and agrees with `openssl verify
//! -crl_check`/`-crl_check_all` on every case (revoked leaf, revoked
//! intermediate, missing and expired lists, a list from a wrong issuer or
//! another key). A server's CRL files are read again by `reload`/`watch`; a
//! change of trust (CA certificates or lists) also ends the resumption of
//! sessions verified under the old one, so a revoked client cannot come
//! back on its ticket.
//!
//! A pin is the base64 SHA-256 of a SubjectPublicKeyInfo (RFC 7469, curl's
//! `--pinnedpubkey sha256//...`), which
//! [`Certificate::public_key_pin`](crate::Certificate::public_key_pin)
//! computes, as does:
//!
//! ```sh
//! openssl x509 -in cert.pem -pubkey -noout | openssl pkey -pubin -outform der \
//!   | openssl dgst -sha256 -binary | base64
//! ```
//!
//! Pins hold when a key on the verified path (the peer's, an
//! intermediate's or the anchor's) is pinned; otherwise verification
//! reports [`PublicKeyNotPinned`](crate::SslErrorKind::PublicKeyNotPinned).
//! [`with_public_key_pins_only(true)`](crate::SslConfiguration::with_public_key_pins_only)
//! trusts a self-signed peer by its own pinned key instead of a CA (the
//! validity period and host name are still checked). Configurations
//! without lists or pins pay nothing (BENCHMARKS.md).
//!
//! # OCSP stapling
//!
//! With the `ocsp` feature, a server identity staples a DER OCSP response
//! (nginx's `ssl_stapling_file`), from bytes or from a file that
//! `reload`/`watch` read again with the chain and key; any identity:
//! local, added, or per server name:
//!
//! ```no_run
//! # #[cfg(feature = "ocsp")] {
//! use sslconf::{Identity, SslConfiguration};
//!
//! let identity = Identity::from_files("server.pem", "server.key")?
//!     .with_ocsp_response_file("server.ocsp.der")?; // openssl ocsp ... -respout
//! let server = SslConfiguration::new().with_local_identity(identity);
//! server.server_config()?; // refused if the response is for another certificate
//! # }
//! # Ok::<(), sslconf::Error>(())
//! ```
//!
//! At conversion the response must parse, say "successful" and answer for
//! the leaf (serial number, issuer name and key hashes); one past its
//! nextUpdate, or saying revoked, is served with a warning in the log.
//! `openssl s_client -status` shows it. A client keeps what a server
//! staples with
//! [`with_ocsp_stapling_enabled(true)`](crate::SslConfiguration::with_ocsp_stapling_enabled)
//! (Qt's `setOcspStaplingEnabled`) and reads it from
//! [`SessionState::ocsp_response`](crate::SessionState::ocsp_response)
//! (Qt's `ocspResponses`), as the server sent it: **verifying it is out of
//! scope** (webpki dropped OCSP, and major CAs are ending their OCSP
//! services for short-lived certificates and CRLs). Configurations and
//! connections that use neither pay nothing.
//!
//! # Mozilla's TLS profiles
//!
//! [`with_mozilla_profile`](crate::SslConfiguration::with_mozilla_profile)
//! (`MozillaProfile::Modern` or `Intermediate`, on any configuration) sets
//! what rustls can express of Mozilla's
//! server-side "modern" and "intermediate" profiles, guideline **5.7**:
//! protocol versions, cipher suites in the guideline's order, key-exchange
//! groups (X25519, P-256, P-384) and the client's cipher order. rustls has
//! no DHE suites or ffdhe groups, which the guideline allows but does not
//! require; tickets stay on, as rustls rotates their key
//! ([`MozillaProfile`](crate::MozillaProfile) says why). `examples/server
//! --preset modern` passes `sslyze --mozilla_config=modern`, and `--preset
//! intermediate` the intermediate check, with a certificate made for them;
//! TESTING.md has the scans, beside `openssl s_server`'s defaults, which
//! fail intermediate.
//!
//! # Key log
//!
//! For debugging, [`with_key_log_file`](crate::SslConfiguration::with_key_log_file)
//! or [`with_key_log_from_env`](crate::SslConfiguration::with_key_log_from_env)
//! (`SSLKEYLOGFILE`) writes the TLS secrets of every connection in the NSS
//! key log format, which Wireshark and tshark decrypt a capture with. It is
//! off by default, and anyone with the file can decrypt the traffic: never
//! in production.
//!
//! # Dependencies
//!
//! One ASN.1 stack: certificates, revocation lists and keys are read with
//! RustCrypto's `der`, on which the features' crates (pkcs8, pkcs12, cms,
//! x509-ocsp) are built, and every digest is the crypto provider's. PEM is
//! parsed by rustls-pki-types' `PemObject`, not rustls-pemfile, which is
//! archived and flagged unmaintained (RUSTSEC-2025-0134); its code lives on
//! in pki-types.
//!
//! Encrypted PKCS#8 keys (feature `encrypted-keys`) are decrypted with
//! RustCrypto's `pkcs8`: PBES2 with PBKDF2 (HMAC-SHA1 or SHA-2) or scrypt,
//! and AES-CBC or DES-EDE3-CBC: what OpenSSL 1.1 and later write by
//! default, and OpenSSL 1.0 with `-v2`. A key under another scheme (PBES1,
//! PKCS#12 PBE, as OpenSSL 1.0's `pkcs8 -topk8` wrote by default) is an
//! error naming the scheme.
//!
//! PKCS#12 files (feature `pkcs12`) are decoded with RustCrypto's `pkcs12`
//! and `cms` crates (the structures, and the PKCS#12 key-derivation
//! function) and decrypted with `pkcs5` (PBES2) or `des`/`rc2` in CBC mode
//! (the legacy PKCS#12 PBE), all on the `der` 0.7 generation;
//! `p12-keystore` 0.4 would bring a second, pre-release generation of the
//! RustCrypto stack and takes its passphrase as `&str`. The key-derivation
//! work of the MAC and of every encrypted bag is read before any of it runs
//! and capped for the whole file (10 million PRF runs, as for encrypted
//! PKCS#8 keys); files are capped at 1 MiB.
//!
//! The repository's BENCHMARKS.md measures what the default build and
//! each feature compile, against plain rustls.
//!
//! MSRV: Rust 1.88.
