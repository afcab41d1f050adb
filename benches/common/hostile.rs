//! A hostile client against a verifying server: `accept` receiving a plain
//! client chain (leaf + one intermediate), a degenerate one (a leaf, 40
//! intermediates with one subject and different keys, each signing the
//! next, and an expired self-signed certificate with that subject, as
//! `tests/hostile_peer.rs` builds it), or one built against webpki's
//! path-building budget ([`budget_chain`]). The client is raw rustls with its
//! own certificate resolver, driven in the same thread from inside the
//! server's socket (no threads, no scheduler noise), its time counted apart.
//! The server is sslconf, or ([`rustls_server`], [`rustls_accept_once`])
//! raw rustls with its own `WebPkiClientVerifier`.

use std::io::{self, Read, Write};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::server::WebPkiClientVerifier;
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::{ClientConfig, ClientConnection, RootCertStore, ServerConfig, ServerConnection};
use sslconf::{Certificate, PeerVerifyMode, SslConfiguration, SslErrorKind};

use super::{backend, pki, ticketer, Times, HOST};

/// Intermediates in the degenerate chain (as in `tests/hostile_peer.rs`).
pub const DEGENERATE_INTERMEDIATES: usize = 40;

/// CA certificates sharing the leaf's issuer name in [`budget_chain`].
/// webpki counts each candidate issuer it tries against its budget of
/// 200,000, but parses every intermediate again at each certificate it
/// extends a path from: nine give the most extensions before the budget
/// runs out (about 61,000; eight run out of orders at 29,000, ten or more
/// spend the budget on dead ends at the sixth intermediate). Raw rustls,
/// with the decoys, took about 1.1, 2.5, 1.9, 1.4 and 0.7 s of CPU a
/// verification with 8, 9, 10, 12 and 20 of them.
pub const BUDGET_SAME_SUBJECT: usize = 9;

/// What the certificates of [`budget_chain`] may add up to: rustls takes a
/// handshake message of at most 64 KiB (less its 4-byte header), and each
/// certificate costs 5 bytes more in a TLS 1.3 Certificate message.
const BUDGET_MESSAGE_BYTES: usize = 0xffff - 4 - 1 - 3 - 256;

/// The two client identities and the CA the server trusts.
pub struct Clients {
    /// The CA that issued the plain chain's intermediate.
    pub root: Certificate,
    /// Leaf + one intermediate, verifying against `root`.
    pub plain: Arc<CertifiedKey>,
    /// Leaf + one intermediate as `plain`, under a root the server does
    /// not trust: the plain wrong chain.
    pub unknown: Arc<CertifiedKey>,
    /// Leaf + 40 same-subject intermediates + an expired self-signed one.
    pub degenerate: Arc<CertifiedKey>,
}

fn ca_params(name: &str, from_days: i64, to_days: i64) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params
        .distinguished_name
        .push(DnType::OrganizationName, "sslconf benches");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now + time::Duration::days(from_days);
    params.not_after = now + time::Duration::days(to_days);
    params
}

fn leaf_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(vec![name.to_owned()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(30);
    params
}

/// A rustls signing identity: `chain` with `key`.
fn certified(chain: Vec<CertificateDer<'static>>, key: &KeyPair) -> Arc<CertifiedKey> {
    let der = PrivateKeyDer::try_from(key.serialize_der()).unwrap();
    let signing = backend::default_provider()
        .key_provider
        .load_private_key(der)
        .unwrap();
    Arc::new(CertifiedKey::new(chain, signing))
}

/// Made once per process (rcgen, fresh keys, validity relative to now).
pub fn clients() -> &'static Clients {
    static CLIENTS: OnceLock<Clients> = OnceLock::new();
    CLIENTS.get_or_init(|| {
        // Plain: root -> intermediate -> leaf; the client sends leaf + intermediate.
        let root_params = ca_params("Bench Client Root", -2, 365);
        let root_key = KeyPair::generate().unwrap();
        let root_cert = root_params.self_signed(&root_key).unwrap();
        let root_issuer = Issuer::new(root_params, root_key);
        let mid_params = ca_params("Bench Client Intermediate", -2, 365);
        let mid_key = KeyPair::generate().unwrap();
        let mid_cert = mid_params.signed_by(&mid_key, &root_issuer).unwrap();
        let mid_issuer = Issuer::new(mid_params, mid_key);
        let leaf_key = KeyPair::generate().unwrap();
        let leaf = leaf_params("client.example")
            .signed_by(&leaf_key, &mid_issuer)
            .unwrap();
        let plain = certified(vec![leaf.der().clone(), mid_cert.der().clone()], &leaf_key);

        // Unknown: the same shape under another root, which the server
        // does not trust.
        let other_root = Issuer::new(
            ca_params("Bench Unknown Root", -2, 365),
            KeyPair::generate().unwrap(),
        );
        let mid_params = ca_params("Bench Unknown Intermediate", -2, 365);
        let mid_key = KeyPair::generate().unwrap();
        let other_mid = mid_params.signed_by(&mid_key, &other_root).unwrap();
        let mid_issuer = Issuer::new(mid_params, mid_key);
        let leaf_key = KeyPair::generate().unwrap();
        let leaf = leaf_params("client.example")
            .signed_by(&leaf_key, &mid_issuer)
            .unwrap();
        let unknown = certified(vec![leaf.der().clone(), other_mid.der().clone()], &leaf_key);

        // Degenerate: `tests/hostile_peer.rs` `degenerate_chain(40, ..)` plus
        // the expired self-signed certificate with the same subject.
        let mut issuer = Issuer::new(
            ca_params("Degenerate CA", -2, 365),
            KeyPair::generate().unwrap(),
        );
        let mut intermediates = Vec::new();
        for _ in 0..DEGENERATE_INTERMEDIATES {
            let key = KeyPair::generate().unwrap();
            let params = ca_params("Degenerate CA", -2, 365);
            let cert = params.signed_by(&key, &issuer).unwrap();
            intermediates.push(cert.der().clone());
            issuer = Issuer::new(params, key);
        }
        let leaf_key = KeyPair::generate().unwrap();
        let leaf = leaf_params("client.example")
            .signed_by(&leaf_key, &issuer)
            .unwrap();
        let mut chain = vec![leaf.der().clone()];
        chain.extend(intermediates.into_iter().rev());
        let expired = ca_params("Degenerate CA", -400, -300)
            .self_signed(&KeyPair::generate().unwrap())
            .unwrap();
        chain.push(expired.der().clone());
        let degenerate = certified(chain, &leaf_key);

        Clients {
            root: Certificate::from_der(root_cert.der()).unwrap(),
            plain,
            unknown,
            degenerate,
        }
    })
}

/// A client chain that costs path building the most within rustls's
/// limits (161 certificates, 64 KiB):
///
/// - the leaf (ECDSA P-256), valid from three days ago, issued under the
///   name "Budget CA";
/// - [`BUDGET_SAME_SUBJECT`] CA certificates with that subject and issuer
///   (self-issued), different keys, valid now: webpki tries every order
///   of them as a path (up to six intermediates) until its budget of
///   200,000 steps is spent, since no trust anchor has their name;
/// - decoys, as many as fit in the 64 KiB message: CA certificates with
///   other subjects, which webpki never follows but parses again at every
///   step of the search, since it looks for an issuer by parsing each
///   intermediate in turn; the first of them expired yesterday, within
///   everyone else's validity: the diagnosis of a failed chain then builds
///   the path again at a time when every certificate is valid;
/// - last, five bytes that are no certificate (a DER `SEQUENCE` of an
///   `INTEGER`): webpki skips them; x509-parser cannot read them, and the
///   diagnosis then builds the path again without them.
///
/// Made once per process (rcgen, fresh keys, validity relative to now).
pub fn budget_chain() -> &'static Arc<CertifiedKey> {
    static CHAIN: OnceLock<Arc<CertifiedKey>> = OnceLock::new();
    CHAIN.get_or_init(|| {
        let mut issuer = Issuer::new(
            ca_params("Budget CA", -2, 365),
            KeyPair::generate().unwrap(),
        );
        let mut same = Vec::new();
        for _ in 0..BUDGET_SAME_SUBJECT {
            let key = KeyPair::generate().unwrap();
            let params = ca_params("Budget CA", -2, 365);
            same.push(params.signed_by(&key, &issuer).unwrap().der().clone());
            issuer = Issuer::new(params, key);
        }
        let leaf_key = KeyPair::generate().unwrap();
        let mut leaf = leaf_params("client.example");
        leaf.not_before = time::OffsetDateTime::now_utc() - time::Duration::days(3);
        let leaf = leaf.signed_by(&leaf_key, &issuer).unwrap();
        let mut chain = vec![leaf.der().clone()];
        chain.extend(same.into_iter().rev());
        let garbage = CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x00]);
        let mut used: usize = chain.iter().map(|c| c.len() + 5).sum::<usize>() + garbage.len() + 5;
        // One key for every decoy: webpki tells certificates apart by
        // subject and key only among those it follows.
        let decoy_key = KeyPair::generate().unwrap();
        for n in 0.. {
            let (from, to) = if n == 0 { (-3, -1) } else { (-2, 365) };
            let decoy = ca_params(&format!("Decoy {n}"), from, to)
                .self_signed(&decoy_key)
                .unwrap();
            if used + decoy.der().len() + 5 > BUDGET_MESSAGE_BYTES {
                break;
            }
            used += decoy.der().len() + 5;
            chain.push(decoy.der().clone());
        }
        chain.push(garbage);
        certified(chain, &leaf_key)
    })
}

/// The server: the ECDSA bench leaf, the client root as CA certificate,
/// `mode` (VerifyPeer or QueryPeer), sslconf's defaults otherwise
/// (TLS 1.2 and 1.3, default groups, resumption on: it sends tickets).
pub fn server(mode: PeerVerifyMode) -> SslConfiguration {
    let id = &pki().ecdsa;
    let config = SslConfiguration::new()
        .with_local_identity(sslconf::Identity::new(id.chain.clone(), id.sslconf_key()))
        .with_ca_certificates([clients().root.clone()])
        .with_peer_verify_mode(mode);
    config.server_config().unwrap();
    config
}

/// What [`server`] is with `VerifyPeer`, built with rustls alone: the same
/// leaf and key, rustls's `WebPkiClientVerifier` with the client root (a
/// certificate required), TLS 1.2 and 1.3, the provider's defaults, a
/// ticketer.
pub fn rustls_server() -> Arc<ServerConfig> {
    let id = &pki().ecdsa;
    let provider = Arc::new(backend::default_provider());
    let mut roots = RootCertStore::empty();
    roots.add(clients().root.as_rustls().clone()).unwrap();
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .unwrap();
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(id.chain_der.clone(), id.rustls_key())
        .unwrap();
    config.ticketer = ticketer();
    Arc::new(config)
}

/// The raw rustls client presenting `identity`: verifies the server against
/// the bench CA, resumption off (every accept is a full handshake),
/// provider defaults otherwise.
pub fn client(identity: &Arc<CertifiedKey>) -> Arc<ClientConfig> {
    let mut config = ClientConfig::builder_with_provider(Arc::new(backend::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(pki().ecdsa.roots())
        .with_client_cert_resolver(Arc::new(SingleCertAndKey::from(identity.clone())));
    config.resumption = rustls::client::Resumption::disabled();
    Arc::new(config)
}

/// The server's socket: what the server writes goes straight into the
/// client connection; what it reads is what the client has to send. The
/// client's work is timed into `client_time`.
pub struct DrivenClient {
    conn: ClientConnection,
    to_server: Vec<u8>,
    read_pos: usize,
    pub client_time: Duration,
}

impl DrivenClient {
    #[inline(never)]
    pub fn new(config: &Arc<ClientConfig>) -> DrivenClient {
        let conn = ClientConnection::new(
            config.clone(),
            ServerName::try_from(HOST.to_owned()).unwrap(),
        )
        .unwrap();
        DrivenClient {
            conn,
            to_server: Vec::new(),
            read_pos: 0,
            client_time: Duration::ZERO,
        }
    }

    #[inline(never)]
    fn client_writes(&mut self) {
        let start = Instant::now();
        self.to_server.clear();
        self.read_pos = 0;
        while self.conn.wants_write() {
            if self.conn.write_tls(&mut self.to_server).unwrap() == 0 {
                break;
            }
        }
        self.client_time += start.elapsed();
    }

    #[inline(never)]
    fn client_reads(&mut self, mut data: &[u8]) {
        let start = Instant::now();
        while !data.is_empty() {
            match self.conn.read_tls(&mut data) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    // The server's refusal (an alert) fails the client too.
                    if self.conn.process_new_packets().is_err() {
                        break;
                    }
                }
            }
        }
        self.client_time += start.elapsed();
    }
}

impl Read for DrivenClient {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.read_pos == self.to_server.len() {
            self.client_writes();
        }
        let pending = &self.to_server[self.read_pos..];
        let n = pending.len().min(buf.len());
        buf[..n].copy_from_slice(&pending[..n]);
        self.read_pos += n;
        Ok(n) // 0: the client has nothing more to say (end of stream)
    }
}

impl Write for DrivenClient {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.client_reads(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One accept of a client presenting the identity `client` was built with;
/// with `ask_errors`, then one `session_state().peer_verification_errors()`
/// call (when a QueryPeer server checks the chain). Returns whether the
/// handshake succeeded and how many verification errors were reported; adds
/// the server's time (accept minus the client's share) and the client's.
#[inline(never)]
pub fn accept_once(
    server: &SslConfiguration,
    client: &Arc<ClientConfig>,
    ask_errors: bool,
    times: &mut Times,
) -> (bool, usize) {
    let start = Instant::now();
    let mut socket = DrivenClient::new(client);
    times.client += start.elapsed();
    let start = Instant::now();
    let outcome = match server.accept(&mut socket) {
        Ok(stream) => {
            let errors = if ask_errors {
                stream.session_state().peer_verification_errors().len()
            } else {
                0
            };
            std::hint::black_box(&stream);
            (true, errors)
        }
        Err(err) => (false, err.ssl_errors().len()),
    };
    let elapsed = start.elapsed();
    let client_in_accept = socket.client_time;
    times.server += elapsed.saturating_sub(client_in_accept);
    times.client += client_in_accept;
    outcome
}

/// One handshake of a raw rustls server (what `accept` does around rustls:
/// `complete_io` until done, then the last flight); returns whether it
/// succeeded and adds each side's time, as [`accept_once`].
#[inline(never)]
pub fn rustls_accept_once(
    server: &Arc<ServerConfig>,
    client: &Arc<ClientConfig>,
    times: &mut Times,
) -> bool {
    let start = Instant::now();
    let mut socket = DrivenClient::new(client);
    times.client += start.elapsed();
    let start = Instant::now();
    let mut conn = ServerConnection::new(server.clone()).unwrap();
    let mut accepted = true;
    while conn.is_handshaking() {
        if conn.complete_io(&mut socket).is_err() {
            accepted = false;
            break;
        }
    }
    while accepted && conn.wants_write() {
        conn.write_tls(&mut socket).unwrap();
    }
    std::hint::black_box(&conn);
    let elapsed = start.elapsed();
    times.server += elapsed.saturating_sub(socket.client_time);
    times.client += socket.client_time;
    accepted
}

/// What one accept does, for checking a case before it is measured: whether
/// the handshake succeeded, and the kinds of the verification errors
/// (from the error, or from the state when `ask_errors`).
pub fn outcome(
    server: &SslConfiguration,
    client: &Arc<ClientConfig>,
    ask_errors: bool,
) -> (bool, Vec<SslErrorKind>) {
    let mut socket = DrivenClient::new(client);
    let kinds = |errors: &[sslconf::SslError]| errors.iter().map(|e| e.kind()).collect();
    match server.accept(&mut socket) {
        Ok(stream) if ask_errors => (
            true,
            kinds(stream.session_state().peer_verification_errors()),
        ),
        Ok(_) => (true, Vec::new()),
        Err(err) => (false, kinds(err.ssl_errors())),
    }
}
