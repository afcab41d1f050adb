//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod openssl;
pub mod peers;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

/// Whether an outside peer program (openssl, python3, gnutls-cli, curl) can run.
///
/// Under CI (`CI=true`) a missing program fails the test: `.ci/run` installs
/// every one. On a developer's machine a test whose program was missing when
/// it was built is ignored (`#[cfg_attr(skip_openssl, ignore = ...)]`, the
/// cfgs set by build.rs), so this only answers `false` for one removed since:
/// the test then returns early with a loud line naming what to install,
/// written past libtest's capture (see [`skipped`]).
pub fn peer_available(program: &str) -> bool {
    let found = Command::new(program)
        .arg("--version")
        .output()
        .or_else(|_| Command::new(program).arg("version").output())
        .is_ok();
    if found {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{program} is required under CI but was not found: .ci/run must install it");
    }
    skipped(&format!(
        "`{program}` is not installed; install it (e.g. `apt-get install -y {}`) to run this test",
        debian_package(program)
    ));
    false
}

/// Says, where `cargo test` shows it, that a test (or part of one) did not
/// run and why: a test that returns early passes, so the skip must not be
/// hidden with the output libtest captures. libtest captures what the
/// `print!`/`eprint!` macros write, not writes to the stderr handle itself,
/// so this line appears even without `--nocapture`.
pub fn skipped(reason: &str) {
    use std::io::Write as _;
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    // Nothing sensible is left to do if stderr itself fails.
    let _ = writeln!(
        std::io::stderr().lock(),
        "\n!!! SKIPPED {test}: {reason} !!!\n"
    );
}

fn debian_package(program: &str) -> &str {
    match program {
        "gnutls-cli" | "gnutls-serv" | "certtool" => "gnutls-bin",
        "python3" => "python3",
        other => other,
    }
}

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SignatureAlgorithm,
};
use sslconf::{Certificate, Error, PrivateKey, SessionState, SslConfiguration};

/// A certificate authority made at test time.
pub struct Authority {
    issuer: Issuer<'static, KeyPair>,
    /// Its certificate.
    pub cert: Certificate,
}

/// A certificate chain (leaf first, without the root) and its private key.
pub struct Identity {
    pub chain: Vec<Certificate>,
    key_der: Vec<u8>,
}

impl Identity {
    /// A chain (leaf first) and the PKCS#8 DER of the leaf's key.
    pub fn from_parts(chain: Vec<Certificate>, key_der: Vec<u8>) -> Self {
        Self { chain, key_der }
    }

    /// A fresh copy of the private key (keys are not `Clone`).
    pub fn key(&self) -> PrivateKey {
        PrivateKey::from_der(&self.key_der).unwrap()
    }

    pub fn leaf(&self) -> &Certificate {
        &self.chain[0]
    }

    /// The private key as PKCS#8 PEM, for outside tools.
    ///
    /// An Ed25519 key is written as PKCS#8 v1 (seed only): OpenSSL 3.0 cannot
    /// read the v2 form, with the public key, that aws-lc writes.
    pub fn key_pem(&self) -> String {
        const V2_ED25519: &[u8] = &[
            0x30, 0x51, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20,
        ];
        const V1_ED25519: &[u8] = &[
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20,
        ];
        let der = match self.key_der.strip_prefix(V2_ED25519) {
            Some(rest) => [V1_ED25519, &rest[..32]].concat(),
            None => self.key_der.clone(),
        };
        KeyPair::try_from(der.as_slice()).unwrap().serialize_pem()
    }

    /// The chain as PEM, leaf first, for outside tools.
    pub fn chain_pem(&self) -> String {
        self.chain.iter().map(Certificate::to_pem).collect()
    }

    /// A server configuration presenting this identity.
    pub fn server(&self) -> SslConfiguration {
        SslConfiguration::new()
            .with_local_identity(sslconf::Identity::new(self.chain.clone(), self.key()))
    }
}

/// What a leaf certificate should look like.
#[derive(Clone)]
pub struct LeafSpec {
    pub names: Vec<String>,
    pub algorithm: &'static SignatureAlgorithm,
    /// Validity relative to now, in days.
    pub valid_from_days: i64,
    pub valid_to_days: i64,
    pub is_ca: bool,
    pub eku: Vec<ExtendedKeyUsagePurpose>,
}

impl LeafSpec {
    pub fn new(name: &str) -> Self {
        Self {
            names: vec![name.to_owned()],
            algorithm: &rcgen::PKCS_ECDSA_P256_SHA256,
            valid_from_days: -1,
            valid_to_days: 30,
            is_ca: false,
            eku: vec![
                ExtendedKeyUsagePurpose::ServerAuth,
                ExtendedKeyUsagePurpose::ClientAuth,
            ],
        }
    }

    pub fn algorithm(self, algorithm: &'static SignatureAlgorithm) -> Self {
        Self { algorithm, ..self }
    }

    pub fn validity(self, from_days: i64, to_days: i64) -> Self {
        Self {
            valid_from_days: from_days,
            valid_to_days: to_days,
            ..self
        }
    }

    pub fn ca(self) -> Self {
        Self {
            is_ca: true,
            ..self
        }
    }

    pub fn eku(self, eku: Vec<ExtendedKeyUsagePurpose>) -> Self {
        Self { eku, ..self }
    }
}

fn days(n: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::days(n)
}

fn ca_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params
        .distinguished_name
        .push(DnType::OrganizationName, "sslconf tests");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = days(-2);
    params.not_after = days(365);
    params
}

impl Authority {
    /// A self-signed root CA (ECDSA P-256).
    pub fn root(name: &str) -> Self {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let params = ca_params(name);
        let cert = params.self_signed(&key).unwrap();
        Self {
            cert: Certificate::from_der(cert.der()).unwrap(),
            issuer: Issuer::new(params, key),
        }
    }

    /// An intermediate CA signed by this one.
    pub fn intermediate(&self, name: &str) -> Self {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let params = ca_params(name);
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Self {
            cert: Certificate::from_der(cert.der()).unwrap(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A leaf certificate for `spec`, signed by this CA; the chain holds the leaf only.
    pub fn issue(&self, spec: &LeafSpec) -> Identity {
        let key = KeyPair::generate_for(spec.algorithm).unwrap();
        let mut params = CertificateParams::new(spec.names.clone()).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, spec.names[0].as_str());
        params.not_before = days(spec.valid_from_days);
        params.not_after = days(spec.valid_to_days);
        params.extended_key_usages = spec.eku.clone();
        params.use_authority_key_identifier_extension = true;
        if spec.is_ca {
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        }
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Identity {
            chain: vec![Certificate::from_der(cert.der()).unwrap()],
            key_der: key.serialize_der(),
        }
    }

    /// A leaf for `name` with default settings.
    pub fn leaf(&self, name: &str) -> Identity {
        self.issue(&LeafSpec::new(name))
    }

    /// A leaf for `name` signed by this CA, with `intermediates` (leaf side first)
    /// appended to its chain.
    pub fn leaf_with_chain(&self, name: &str, intermediates: &[&Authority]) -> Identity {
        let mut id = self.leaf(name);
        id.chain
            .extend(intermediates.iter().map(|a| a.cert.clone()));
        id
    }
}

/// A self-signed leaf (not a CA).
pub fn self_signed(name: &str) -> Identity {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = CertificateParams::new(vec![name.to_owned()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    let cert = params.self_signed(&key).unwrap();
    Identity {
        chain: vec![Certificate::from_der(cert.der()).unwrap()],
        key_der: key.serialize_der(),
    }
}

/// What each side of a connection saw.
pub struct Outcome {
    pub client: Result<SessionState, Error>,
    pub server: Result<SessionState, Error>,
}

impl Outcome {
    /// Both sides' states, panicking with both errors if either failed.
    pub fn ok(self) -> (SessionState, SessionState) {
        match (self.client, self.server) {
            (Ok(c), Ok(s)) => (c, s),
            (c, s) => panic!(
                "handshake failed: client {:?}, server {:?}",
                c.err(),
                s.err()
            ),
        }
    }
}

const PING: &[u8] = b"ping";

/// Runs one connection over loopback TCP: the server accepts and answers a
/// ping, the client connects to `host` and sends one. A client whose server
/// rejected it after the handshake (TLS 1.3 client auth) sees the error when
/// it reads the answer.
pub fn connect(client: &SslConfiguration, server: &SslConfiguration, host: &str) -> Outcome {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = server.clone();
    let server_thread = thread::spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut tls = server.accept(socket)?;
        let mut buf = [0u8; 4];
        tls.read_exact(&mut buf)?;
        tls.write_all(&buf)?;
        tls.flush()?;
        tls.shutdown()?;
        Ok(tls.session_state().clone())
    });
    let socket = TcpStream::connect(addr).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let client_result = client.connect(host, socket).and_then(|mut tls| {
        tls.write_all(PING)?;
        tls.flush()?;
        let mut buf = [0u8; 4];
        tls.read_exact(&mut buf)?;
        assert_eq!(buf, PING);
        Ok(tls.session_state().clone())
    });
    Outcome {
        client: client_result,
        server: server_thread.join().unwrap(),
    }
}

impl Authority {
    /// This CA's private key as PKCS#8 PEM, for `openssl x509 -req -CAkey`.
    pub fn key_pem(&self) -> String {
        self.issuer.key().serialize_pem()
    }

    /// An intermediate CA signed by this one, restricted by `constraints`.
    pub fn constrained_intermediate(
        &self,
        name: &str,
        constraints: rcgen::NameConstraints,
    ) -> Self {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mut params = ca_params(name);
        params.name_constraints = Some(constraints);
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Self {
            cert: Certificate::from_der(cert.der()).unwrap(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A leaf for `name` signed by this CA, with this CA's certificate after
    /// it in the chain.
    pub fn leaf_with_self(&self, name: &str) -> Identity {
        self.leaf_with_chain(name, &[self])
    }

    /// A certificate of `params` for `key`, signed by this CA.
    pub fn sign_with(&self, params: &CertificateParams, key: &KeyPair) -> Certificate {
        Certificate::from_der(params.signed_by(key, &self.issuer).unwrap().der()).unwrap()
    }

    /// A certificate of `params`, with a new key, signed by this CA.
    pub fn sign(&self, params: &CertificateParams) -> Certificate {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        Certificate::from_der(params.signed_by(&key, &self.issuer).unwrap().der()).unwrap()
    }
}

/// A private key made with rcgen, as PKCS#8 DER (for `PrivateKey::from_der`)
/// and PEM (for outside tools).
pub fn new_key_pair() -> (Vec<u8>, String) {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    (key.serialize_der(), key.serialize_pem())
}

/// How many file descriptors this process has open now (entries of
/// `/proc/self/fd`, less the one reading the directory), or `None` where
/// there is no `/proc`.
pub fn open_fds() -> Option<usize> {
    std::fs::read_dir("/proc/self/fd")
        .ok()
        .map(|dir| dir.count().saturating_sub(1))
}

/// This process's soft limit on open files (`ulimit -n`), from
/// `/proc/self/limits`; `None` where there is no `/proc` or no limit.
pub fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

impl Authority {
    /// A certificate revocation list (PEM) signed by this CA, revoking
    /// `revoked` (certificates it issued); issued yesterday, due in 30 days.
    pub fn revocation_list(&self, revoked: &[&Certificate]) -> String {
        self.revocation_list_due(revoked, 30)
    }

    /// A list revoking `revoked`, whose next one is due in `days_due` days
    /// (past when negative).
    pub fn revocation_list_due(&self, revoked: &[&Certificate], days_due: i64) -> String {
        let serial = |cert: &Certificate| {
            let bytes: Vec<u8> = cert
                .serial_number()
                .split(':')
                .map(|byte| u8::from_str_radix(byte, 16).unwrap())
                .collect();
            rcgen::SerialNumber::from_slice(&bytes)
        };
        let params = rcgen::CertificateRevocationListParams {
            this_update: days(days_due.min(0) - 1),
            next_update: days(days_due),
            crl_number: rcgen::SerialNumber::from(1u64),
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|cert| rcgen::RevokedCertParams {
                    serial_number: serial(cert),
                    revocation_time: days(-1),
                    reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: rcgen::KeyIdMethod::Sha256,
        };
        params.signed_by(&self.issuer).unwrap().pem().unwrap()
    }
}

/// `target/<profile>/examples/<name>`, next to `target/<profile>/deps/`
/// where this test runs; `None` (a loud skip, a failure under CI) when it
/// is missing. A binary older than a file it is built from fails the test:
/// it would test code that is no longer there.
pub fn example_binary(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().unwrap();
    let path: PathBuf = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|profile| {
            profile
                .join("examples")
                .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
        })
        .unwrap();
    let runs = Command::new(&path)
        .arg("--help")
        .output()
        .is_ok_and(|out| out.status.success());
    if runs {
        let built = path.metadata().and_then(|m| m.modified()).unwrap();
        let Some((changed, source)) = newest_source(&path) else {
            panic!(
                "{} has no dep-info file beside it to tell whether it is current: run \
                 `cargo build --all-features --example {name}`",
                path.display()
            );
        };
        if changed > built {
            let ago = changed.duration_since(built).unwrap_or_default();
            panic!(
                "{} is stale: {} changed {ago:?} after it was built; run `cargo test \
                 --all-features` (which builds examples) or `cargo build --all-features \
                 --example {name}` first",
                path.display(),
                source.display()
            );
        }
        return Some(path);
    }
    let reason = format!(
        "{} is missing: run `cargo test --all-features` (which builds examples) or \
         `cargo build --all-features --example {name}` first",
        path.display()
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{reason}");
    }
    skipped(&reason);
    None
}

/// The most recently modified of the files the example `binary` is built
/// from, with its time: the sources cargo listed in the dep-info file it
/// wrote beside the binary (the example, its support files, the library's
/// sources), the manifest and the lock file. `None` without that file.
fn newest_source(binary: &Path) -> Option<(SystemTime, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(binary.with_extension("d")).ok()?;
    // `target: source source ...`, a space in a path escaped as `\ `.
    let sources = text
        .lines()
        .next()
        .and_then(|line| line.split_once(": "))
        .map_or("", |(_, sources)| sources)
        .replace("\\ ", "\0");
    sources
        .split_whitespace()
        .map(|source| PathBuf::from(source.replace('\0', " ")))
        .chain([root.join("Cargo.toml"), root.join("Cargo.lock")])
        .filter_map(|file| Some((file.metadata().ok()?.modified().ok()?, file)))
        .max()
}

/// A handshake of a raw rustls `ClientConnection` from `client`'s
/// `client_config()` against `server`'s `accept`.
pub fn raw_client_handshake(
    client: &SslConfiguration,
    server: &SslConfiguration,
    host: &str,
) -> Result<(), sslconf::rustls::Error> {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = server.clone();
    let serving = std::thread::spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        if let Ok(mut tls) = server.accept(socket) {
            let mut byte = [0u8];
            if tls.read_exact(&mut byte).is_ok() {
                let _ = tls.write_all(&byte).and_then(|()| tls.flush());
            }
        }
    });
    let name = host.to_owned().try_into().unwrap();
    let conn = sslconf::rustls::ClientConnection::new(
        std::sync::Arc::clone(&client.client_config().unwrap()),
        name,
    )
    .unwrap();
    let mut tls =
        sslconf::rustls::StreamOwned::new(conn, std::net::TcpStream::connect(addr).unwrap());
    let mut byte = [0u8];
    let result = tls
        .write_all(b"x")
        .and_then(|()| tls.flush())
        .and_then(|()| tls.read_exact(&mut byte));
    drop(tls);
    serving.join().unwrap();
    result.map_err(|e| tls_error(&e))
}

/// A handshake of a raw rustls `ServerConnection` from `server`'s
/// `server_config()` against `client`'s `connect`.
pub fn raw_server_handshake(
    server: &SslConfiguration,
    client: &SslConfiguration,
    host: &str,
) -> Result<(), sslconf::rustls::Error> {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let client = client.clone();
    let host = host.to_owned();
    let connecting = std::thread::spawn(move || {
        let socket = std::net::TcpStream::connect(addr).unwrap();
        socket
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        if let Ok(mut tls) = client.connect(&host, socket) {
            let mut byte = [0u8];
            let _ = tls
                .write_all(b"x")
                .and_then(|()| tls.flush())
                .and_then(|()| tls.read_exact(&mut byte));
        }
    });
    let (socket, _) = listener.accept().unwrap();
    socket
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let conn = sslconf::rustls::ServerConnection::new(std::sync::Arc::clone(
        &server.server_config().unwrap(),
    ))
    .unwrap();
    let mut tls = sslconf::rustls::StreamOwned::new(conn, socket);
    let mut byte = [0u8];
    let result = tls
        .read_exact(&mut byte)
        .and_then(|()| tls.write_all(&byte))
        .and_then(|()| tls.flush());
    drop(tls);
    connecting.join().unwrap();
    result.map_err(|e| tls_error(&e))
}

fn tls_error(e: &std::io::Error) -> sslconf::rustls::Error {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<sslconf::rustls::Error>())
        .cloned()
        .unwrap_or_else(|| sslconf::rustls::Error::General(e.to_string()))
}

/// What a server saw of a connection: the client's leaf, and whether it
/// resumed.
pub type Seen = (Option<Vec<u8>>, bool);

/// Accepts `connections` with `server`; for each says which certificate the
/// client presented and whether it resumed, then sends a byte and waits for
/// the client to close.
pub fn serving(
    server: SslConfiguration,
    connections: usize,
) -> (u16, std::thread::JoinHandle<Vec<Seen>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for _ in 0..connections {
            let (tcp, _) = listener.accept().unwrap();
            tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut tls = server.accept(tcp).unwrap();
            let state = tls.session_state();
            seen.push((
                state.peer_certificate().map(|leaf| leaf.to_der().to_vec()),
                state.is_resumed(),
            ));
            std::io::Write::write_all(&mut tls, b"x").unwrap();
            std::io::Write::flush(&mut tls).unwrap();
            let _ = std::io::Read::read(&mut tls, &mut [0u8; 1]);
        }
        seen
    });
    (port, handle)
}
