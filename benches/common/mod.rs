//! The library of the benches package, shared by every bench: the certificates, equivalent rustls and sslconf
//! configurations for each case, an in-memory handshake driver and an
//! in-memory blocking socket pair.
//!
//! "Equivalent" means the rustls config is built by hand with the settings
//! sslconf's conversion produces: the same provider (suites and groups), the
//! same protocol versions, the same verifier semantics (webpki against the
//! same CA), the same resumption setup (client in-memory cache of 256, server
//! cache of 256 plus a ticketer, or both off), and server cipher preference.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use rustls::client::Resumption;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::server::{NoServerSessionStorage, ProducesTickets};
use rustls::{
    ClientConfig, ClientConnection, ConnectionCommon, RootCertStore, ServerConfig,
    ServerConnection, SideData, SupportedProtocolVersion,
};
use sslconf::{
    Certificate, KeyExchangeGroup, PeerVerifyMode, PrivateKey, SessionState, SslConfiguration,
    SslOption, SslProtocol,
};

#[cfg(feature = "tokio")]
pub mod async_io;
pub mod configs;
pub mod hostile;
pub mod sealing;

#[cfg(feature = "aws-lc-rs")]
pub use rustls::crypto::aws_lc_rs as backend;
#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
pub use rustls::crypto::ring as backend;

/// The name every leaf certificate is issued for.
pub const HOST: &str = "localhost";

/// One MiB: the size of each bulk write.
pub const MIB: usize = 1 << 20;

/// A CA and a leaf it issued, from `benches/data` (made once with the openssl
/// CLI, valid for 20 years, so every run uses the same bytes).
pub struct Identity {
    pub ca_pem: &'static str,
    pub chain_pem: &'static str,
    pub key_pem: &'static str,
    pub ca: Certificate,
    pub ca_der: CertificateDer<'static>,
    pub chain: Vec<Certificate>,
    pub chain_der: Vec<CertificateDer<'static>>,
}

impl Identity {
    fn load(ca_pem: &'static str, chain_pem: &'static str, key_pem: &'static str) -> Identity {
        let ca = Certificate::from_pem(ca_pem.as_bytes()).unwrap().remove(0);
        let chain = Certificate::from_pem(chain_pem.as_bytes()).unwrap();
        Identity {
            ca_pem,
            chain_pem,
            key_pem,
            ca_der: ca.as_rustls().clone(),
            ca,
            chain_der: chain.iter().map(|c| c.as_rustls().clone()).collect(),
            chain,
        }
    }

    /// sslconf's private key (keys are not `Clone`).
    pub fn sslconf_key(&self) -> PrivateKey {
        PrivateKey::from_pem(self.key_pem.as_bytes()).unwrap()
    }

    /// rustls's private key.
    pub fn rustls_key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes()).unwrap()
    }

    /// A rustls root store holding the CA.
    pub fn roots(&self) -> RootCertStore {
        let mut roots = RootCertStore::empty();
        roots.add(self.ca_der.clone()).unwrap();
        roots
    }
}

pub struct Pki {
    pub ecdsa: Identity,
    pub rsa: Identity,
}

pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| Pki {
        ecdsa: Identity::load(
            include_str!("../data/ecdsa-ca.pem"),
            include_str!("../data/ecdsa-leaf.pem"),
            include_str!("../data/ecdsa-leaf.key"),
        ),
        rsa: Identity::load(
            include_str!("../data/rsa-ca.pem"),
            include_str!("../data/rsa-leaf.pem"),
            include_str!("../data/rsa-leaf.key"),
        ),
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    Tls13,
    Tls12,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Ecdsa,
    Rsa,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Groups {
    /// X25519 only.
    X25519,
    /// The provider's defaults (with aws-lc-rs: X25519MLKEM768 first).
    Default,
}

/// The settings of one benchmark case, turned into equivalent configs below.
#[derive(Clone, Copy, Debug)]
pub struct Setup {
    pub version: Version,
    pub key: Key,
    /// Resumption on (tickets and caches) or off (every handshake is full).
    pub resume: bool,
    pub groups: Groups,
    /// A single cipher suite (IANA name), or all of the provider's.
    pub cipher: Option<&'static str>,
}

impl Setup {
    pub const fn new(version: Version, key: Key, resume: bool, groups: Groups) -> Setup {
        Setup {
            version,
            key,
            resume,
            groups,
            cipher: None,
        }
    }

    /// A TLS 1.3, ECDSA, X25519 connection with one suite, for bulk transfer.
    pub const fn bulk(cipher: &'static str) -> Setup {
        Setup {
            version: Version::Tls13,
            key: Key::Ecdsa,
            resume: false,
            groups: Groups::X25519,
            cipher: Some(cipher),
        }
    }

    /// The 16 handshake cases: {1.3, 1.2} × {ECDSA, RSA} × {full, resumed} × {X25519, default}.
    pub fn handshake_cases() -> Vec<Setup> {
        let mut all = Vec::new();
        for version in [Version::Tls13, Version::Tls12] {
            for key in [Key::Ecdsa, Key::Rsa] {
                for resume in [false, true] {
                    for groups in [Groups::X25519, Groups::Default] {
                        all.push(Setup::new(version, key, resume, groups));
                    }
                }
            }
        }
        all
    }

    /// `tls13/ecdsa/full/x25519`, `tls12/rsa/resumed/default`, ...
    pub fn name(&self) -> String {
        let version = match self.version {
            Version::Tls13 => "tls13",
            Version::Tls12 => "tls12",
        };
        let key = match self.key {
            Key::Ecdsa => "ecdsa",
            Key::Rsa => "rsa",
        };
        let resume = if self.resume { "resumed" } else { "full" };
        let groups = match self.groups {
            Groups::X25519 => "x25519",
            Groups::Default => "default",
        };
        match self.cipher {
            Some(cipher) => format!("{version}/{key}/{resume}/{groups}/{cipher}"),
            None => format!("{version}/{key}/{resume}/{groups}"),
        }
    }

    pub fn identity(&self) -> &'static Identity {
        match self.key {
            Key::Ecdsa => &pki().ecdsa,
            Key::Rsa => &pki().rsa,
        }
    }

    // ---- sslconf ----

    fn sslconf_common(&self, config: SslConfiguration) -> SslConfiguration {
        let mut config = config.with_protocol(match self.version {
            Version::Tls13 => SslProtocol::TlsV1_3,
            Version::Tls12 => SslProtocol::TlsV1_2,
        });
        if self.groups == Groups::X25519 {
            config =
                config.with_key_exchange_groups([KeyExchangeGroup::from_name("X25519").unwrap()]);
        }
        if let Some(cipher) = self.cipher {
            config = config.with_cipher_list(cipher).unwrap();
        }
        if !self.resume {
            config = config
                .with_ssl_option(SslOption::DisableSessionSharing, true)
                .unwrap();
        }
        config
    }

    /// The client: VerifyPeer against the case's CA.
    pub fn sslconf_client(&self) -> SslConfiguration {
        self.sslconf_common(
            SslConfiguration::new()
                .with_ca_certificates([self.identity().ca.clone()])
                .with_peer_verify_mode(PeerVerifyMode::VerifyPeer),
        )
    }

    /// The server: the case's leaf and key, no client certificate asked for
    /// (rustls's `with_no_client_auth`; sslconf's default, QueryPeer, asks).
    pub fn sslconf_server(&self) -> SslConfiguration {
        let id = self.identity();
        self.sslconf_common(
            SslConfiguration::new()
                .with_local_identity(sslconf::Identity::new(id.chain.clone(), id.sslconf_key()))
                .with_peer_verify_mode(PeerVerifyMode::VerifyNone),
        )
    }

    // ---- rustls, by hand ----

    pub fn rustls_provider(&self) -> Arc<CryptoProvider> {
        let mut provider = backend::default_provider();
        if self.groups == Groups::X25519 {
            provider
                .kx_groups
                .retain(|g| g.name() == rustls::NamedGroup::X25519);
        }
        if let Some(cipher) = self.cipher {
            // rustls spells TLS 1.3 suites `TLS13_…`, IANA `TLS_…`.
            let rustls_name = cipher.replacen("TLS_", "TLS13_", 1);
            provider.cipher_suites.retain(|s| {
                s.suite()
                    .as_str()
                    .is_some_and(|n| n == cipher || n == rustls_name)
            });
            assert_eq!(provider.cipher_suites.len(), 1, "{cipher}");
        }
        Arc::new(provider)
    }

    pub fn rustls_versions(&self) -> &'static [&'static SupportedProtocolVersion] {
        static TLS13: [&SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
        static TLS12: [&SupportedProtocolVersion; 1] = [&rustls::version::TLS12];
        match self.version {
            Version::Tls13 => &TLS13,
            Version::Tls12 => &TLS12,
        }
    }

    pub fn rustls_client(&self) -> Arc<ClientConfig> {
        let mut config = ClientConfig::builder_with_provider(self.rustls_provider())
            .with_protocol_versions(self.rustls_versions())
            .unwrap()
            .with_root_certificates(self.identity().roots())
            .with_no_client_auth();
        if !self.resume {
            config.resumption = Resumption::disabled();
        }
        Arc::new(config)
    }

    pub fn rustls_server(&self) -> Arc<ServerConfig> {
        let id = self.identity();
        let mut config = ServerConfig::builder_with_provider(self.rustls_provider())
            .with_protocol_versions(self.rustls_versions())
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(id.chain_der.clone(), id.rustls_key())
            .unwrap();
        config.ignore_client_order = true;
        if self.resume {
            config.ticketer = ticketer();
        } else {
            config.session_storage = Arc::new(NoServerSessionStorage {});
            config.send_tls13_tickets = 0;
        }
        Arc::new(config)
    }

    /// Both sides' configs, for one implementation.
    pub fn pair(&self, imp: Impl) -> Pair {
        match imp {
            Impl::Rustls => Pair::Rustls {
                client: self.rustls_client(),
                server: self.rustls_server(),
            },
            Impl::Sslconf => {
                let (client, server) = (self.sslconf_client(), self.sslconf_server());
                // Converted once, as a long-lived configuration is.
                client.client_config().unwrap();
                server.server_config().unwrap();
                Pair::Sslconf { client, server }
            }
        }
    }
}

pub fn ticketer() -> Arc<dyn ProducesTickets> {
    backend::Ticketer::new().unwrap()
}

/// Which side of the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Impl {
    Rustls,
    Sslconf,
}

impl Impl {
    pub const BOTH: [Impl; 2] = [Impl::Rustls, Impl::Sslconf];

    pub fn name(self) -> &'static str {
        match self {
            Impl::Rustls => "rustls",
            Impl::Sslconf => "sslconf",
        }
    }
}

/// The configs of one side of the comparison.
pub enum Pair {
    Rustls {
        client: Arc<ClientConfig>,
        server: Arc<ServerConfig>,
    },
    Sslconf {
        client: SslConfiguration,
        server: SslConfiguration,
    },
}

/// Time spent by each side of a connection.
#[derive(Clone, Copy, Debug, Default)]
pub struct Times {
    pub client: Duration,
    pub server: Duration,
}

impl Times {
    pub fn total(&self) -> Duration {
        self.client + self.server
    }
}

#[inline(always)]
fn timed<T>(acc: &mut Duration, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    *acc += start.elapsed();
    out
}

/// Moves everything `from` wants to write into `to`, as rustls's own bench
/// does: the writer's time goes to one side, the reader's to the other.
fn transfer<L: SideData, R: SideData>(
    from: &mut ConnectionCommon<L>,
    to: &mut ConnectionCommon<R>,
    from_time: &mut Duration,
    to_time: &mut Duration,
    buf: &mut Vec<u8>,
) -> bool {
    let mut moved = false;
    while from.wants_write() {
        buf.clear();
        let n = timed(from_time, || from.write_tls(buf).unwrap());
        if n == 0 {
            break;
        }
        moved = true;
        let mut rest = &buf[..];
        while !rest.is_empty() {
            timed(to_time, || to.read_tls(&mut rest).unwrap());
        }
    }
    moved
}

/// One handshake between a fresh client and server connection, in memory.
/// For sslconf, also what `connect`/`accept` add around rustls: fetching the
/// cached configs, parsing the host name, and capturing each side's
/// `SessionState`. Returns whether the session was resumed.
#[inline(never)]
pub fn handshake(pair: &Pair, times: &mut Times, buf: &mut Vec<u8>) -> bool {
    let (client_config, server_config) = match pair {
        Pair::Rustls { client, server } => (client.clone(), server.clone()),
        Pair::Sslconf { client, server } => (
            timed(&mut times.client, || client.client_config().unwrap()),
            timed(&mut times.server, || server.server_config().unwrap()),
        ),
    };
    let mut client = timed(&mut times.client, || {
        let name = ServerName::try_from(HOST.to_owned()).unwrap();
        ClientConnection::new(client_config, name).unwrap()
    });
    let mut server = timed(&mut times.server, || {
        ServerConnection::new(server_config).unwrap()
    });
    loop {
        let c2s = transfer(
            &mut client,
            &mut server,
            &mut times.client,
            &mut times.server,
            buf,
        );
        if c2s {
            timed(&mut times.server, || server.process_new_packets().unwrap());
        }
        let s2c = transfer(
            &mut server,
            &mut client,
            &mut times.server,
            &mut times.client,
            buf,
        );
        if s2c {
            timed(&mut times.client, || client.process_new_packets().unwrap());
        }
        // Until both are done and the last flight (tickets) has arrived.
        if !c2s && !s2c && !client.is_handshaking() && !server.is_handshaking() {
            break;
        }
    }
    let resumed = client.handshake_kind() == Some(rustls::HandshakeKind::Resumed);
    if let (Pair::Sslconf { .. }, true) = (pair, capture_enabled()) {
        std::hint::black_box(timed(&mut times.client, || SessionState::capture(&client)));
        std::hint::black_box(timed(&mut times.server, || {
            SessionState::capture_server(&server)
        }));
    }
    std::hint::black_box((client, server));
    resumed
}

/// Whether the sslconf handshake captures each side's `SessionState`: on,
/// unless `SSLCONF_BENCH_NO_CAPTURE` is set (to tell the capture's share of
/// a gap from the rest).
fn capture_enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("SSLCONF_BENCH_NO_CAPTURE").is_none())
}

/// A client and a server connection that have finished a handshake.
pub fn finished_connections(pair: &Pair) -> (ClientConnection, ServerConnection) {
    let (client_config, server_config) = match pair {
        Pair::Rustls { client, server } => (client.clone(), server.clone()),
        Pair::Sslconf { client, server } => (
            client.client_config().unwrap(),
            server.server_config().unwrap(),
        ),
    };
    let name = ServerName::try_from(HOST.to_owned()).unwrap();
    let mut client = ClientConnection::new(client_config, name).unwrap();
    let mut server = ServerConnection::new(server_config).unwrap();
    let (mut a, mut b, mut buf) = (Duration::ZERO, Duration::ZERO, Vec::new());
    while client.is_handshaking() || server.is_handshaking() {
        if transfer(&mut client, &mut server, &mut a, &mut b, &mut buf) {
            server.process_new_packets().unwrap();
        }
        if transfer(&mut server, &mut client, &mut b, &mut a, &mut buf) {
            client.process_new_packets().unwrap();
        }
    }
    (client, server)
}

/// Checks a case does what it says (resumed or not), warming its caches.
pub fn check_handshake(setup: &Setup, pair: &Pair) {
    let mut buf = Vec::new();
    let mut times = Times::default();
    for _ in 0..3 {
        handshake(pair, &mut times, &mut buf);
    }
    assert_eq!(
        handshake(pair, &mut times, &mut buf),
        setup.resume,
        "{}: resumption",
        setup.name()
    );
}

// ---- an in-memory blocking socket pair ----

#[derive(Clone, Default)]
struct Pipe(Arc<(Mutex<VecDeque<u8>>, Condvar)>);

/// One end of an in-memory duplex pipe: writes never block, reads block until
/// data arrives. Used single-threaded after a handshake done on two threads.
pub struct MemSocket {
    rx: Pipe,
    tx: Pipe,
}

pub fn mem_socket_pair() -> (MemSocket, MemSocket) {
    let (a, b) = (Pipe::default(), Pipe::default());
    (
        MemSocket {
            rx: a.clone(),
            tx: b.clone(),
        },
        MemSocket { rx: b, tx: a },
    )
}

impl Read for MemSocket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let (lock, ready) = &*self.rx.0;
        let mut queue = lock.lock().unwrap();
        while queue.is_empty() {
            queue = ready.wait(queue).unwrap();
        }
        queue.read(buf)
    }
}

impl Write for MemSocket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let (lock, ready) = &*self.tx.0;
        lock.lock().unwrap().extend(buf);
        ready.notify_one();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What `TlsStream::handshake` does, for a bare rustls connection: complete
/// the handshake and flush the last flight.
pub fn blocking_handshake<D: SideData, S: Read + Write>(
    conn: &mut ConnectionCommon<D>,
    socket: &mut S,
) {
    while conn.is_handshaking() {
        conn.complete_io(socket).unwrap();
    }
    while conn.wants_write() {
        conn.write_tls(socket).unwrap();
    }
    socket.flush().unwrap();
}

/// A connected pair of streams, client and server, of either implementation.
#[allow(clippy::large_enum_variant)] // one per bench, never moved in a loop
pub enum Streams<S: Read + Write> {
    Rustls(
        rustls::StreamOwned<ClientConnection, S>,
        rustls::StreamOwned<ServerConnection, S>,
    ),
    Sslconf(sslconf::TlsStream<S>, sslconf::TlsStream<S>),
}

/// Connects a client and a server over `client_socket`/`server_socket`, the
/// server on a second thread, and returns both streams.
pub fn connect_streams<S: Read + Write + Send + 'static>(
    pair: &Pair,
    client_socket: S,
    server_socket: S,
) -> Streams<S> {
    match pair {
        Pair::Rustls { client, server } => {
            let server = server.clone();
            let accepting = std::thread::spawn(move || {
                let mut socket = server_socket;
                let mut conn = ServerConnection::new(server).unwrap();
                blocking_handshake(&mut conn, &mut socket);
                rustls::StreamOwned::new(conn, socket)
            });
            let mut socket = client_socket;
            let name = ServerName::try_from(HOST.to_owned()).unwrap();
            let mut conn = ClientConnection::new(client.clone(), name).unwrap();
            blocking_handshake(&mut conn, &mut socket);
            Streams::Rustls(
                rustls::StreamOwned::new(conn, socket),
                accepting.join().unwrap(),
            )
        }
        Pair::Sslconf { client, server } => {
            let server = server.clone();
            let accepting = std::thread::spawn(move || server.accept(server_socket).unwrap());
            let client = client.connect(HOST, client_socket).unwrap();
            Streams::Sslconf(client, accepting.join().unwrap())
        }
    }
}

/// Writes `data` on the client and reads it all on the server.
#[inline(never)]
pub fn bulk_transfer<S: Read + Write>(streams: &mut Streams<S>, data: &[u8], sink: &mut [u8]) {
    match streams {
        Streams::Rustls(client, server) => move_bytes(client, server, data, sink),
        Streams::Sslconf(client, server) => move_bytes(client, server, data, sink),
    }
}

fn move_bytes(writer: &mut impl Write, reader: &mut impl Read, data: &[u8], sink: &mut [u8]) {
    writer.write_all(data).unwrap();
    writer.flush().unwrap();
    let mut got = 0;
    while got < data.len() {
        let n = reader.read(sink).unwrap();
        assert!(n > 0, "unexpected end of stream");
        got += n;
    }
    assert_eq!(got, data.len());
}
