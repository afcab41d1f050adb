//! A TLS server that answers every connection with a tiny HTTP/1.1 response
//! whose body is that connection's session state (protocol, cipher, group,
//! ALPN, SNI, the client's certificate and what was wrong with it), so curl
//! and browsers can read it. A thread per connection, at most
//! `--max-concurrent` at once: connections beyond them wait, unaccepted, in
//! the listen backlog until a thread ends. Each handshake runs under the
//! configuration's handshake timeout (`--handshake-timeout-ms`), and the
//! request under another, so a client that stalls or trickles its bytes
//! holds its thread for a bounded time; a failed handshake is logged to
//! stderr and the server keeps serving.
//!
//! ```sh
//! cargo run --example server -- --self-signed --port 8443
//! curl -k https://localhost:8443/
//! openssl s_client -connect 127.0.0.1:8443 </dev/null
//! cargo run --example server -- --cert server.pem --key server.key --ca clients-ca.pem --verify-mode verify
//! # A fleet: every server with the same ticket key files resumes every server's sessions.
//! openssl rand 80 > ticket.key
//! cargo run --example server -- --cert server.pem --key server.key --ticket-key ticket.key
//! # The same with HAProxy's tls-ticket-keys file; rotate it by appending a key (then copy
//! # the file to every server: --watch reads it again):
//! for i in 1 2 3; do openssl rand 80 | openssl base64 -A | xargs echo; done > tickets.keys
//! cargo run --example server --features watch -- --cert server.pem --key server.key \
//!     --ticket-key tickets.keys --watch
//! openssl rand 80 | openssl base64 -A | xargs echo >> tickets.keys
//! # Mozilla's "modern" profile (TLS 1.3 only), for an ECDSA certificate:
//! cargo run --example server -- --cert server.pem --key server.key --preset modern
//! # Staple an OCSP response (openssl ocsp ... -respout server.ocsp):
//! cargo run --example server --features ocsp -- --cert server.pem --key server.key --ocsp-response server.ocsp
//! # Another certificate for api.example.com, and the files read again when they change:
//! cargo run --example server --features watch -- --cert server.pem --key server.key \
//!     --sni 'api.example.com=api.pem,api.key' --watch
//! # Every setting from a TOML settings file (see sslconf::SettingsFile), read
//! # again when it changes; add --watch to follow the files it names too:
//! cargo run --example server --features serde -- --config server.toml
//! ```
//!
//! `examples/tokio_server.rs` is the same server on tokio, a task a connection.

#[path = "support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use clap::Parser;
use sslconf::{
    Certificate, Identity, MozillaProfile, PeerVerifyMode, PrivateKey, SslConfiguration,
    SslProtocol, TlsStream,
};
use support::{BoxError, Side};

/// The longest request head read before answering.
const MAX_HEAD: usize = 16 * 1024;

/// Serves HTTPS, answering each request with that connection's TLS session state.
#[derive(Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8443)]
    port: u16,
    /// The server's certificate chain, leaf first (PEM or DER file).
    #[arg(long, required_unless_present_any = ["self_signed", "config"], requires = "key")]
    cert: Option<String>,
    /// The server certificate's private key (PEM or DER file).
    #[arg(long, required_unless_present_any = ["self_signed", "config"], requires = "cert")]
    key: Option<String>,
    /// Make a self-signed certificate for localhost and 127.0.0.1 instead of --cert/--key.
    #[arg(long, conflicts_with_all = ["cert", "key"])]
    self_signed: bool,
    /// CA certificates that client certificates are checked against (PEM or DER file).
    #[arg(long)]
    ca: Option<String>,
    /// none (ask for no client certificate), query (ask for one, accept any, show what is
    /// wrong), verify (require one that verifies against --ca); auto: with --ca, a client
    /// certificate is optional but must verify if sent, without --ca none is asked for.
    #[arg(long, default_value = "auto")]
    verify_mode: PeerVerifyMode,
    /// tls1.2, tls1.3, tls1.2+, tls1.3+, secure (TLS 1.2 and 1.3) or any.
    #[arg(long, default_value = "secure")]
    protocol: SslProtocol,
    /// Colon-separated cipher list, in preference order (IANA or OpenSSL names).
    #[arg(long)]
    ciphers: Option<String>,
    /// ALPN protocols to accept, in preference order (repeat or comma-separate). The answer
    /// is always HTTP/1.1, so http/1.1 is the only one accepted here.
    #[arg(long)]
    alpn: Vec<String>,
    /// How long a client's whole handshake may take (the configuration's handshake
    /// timeout; with --config, the file's handshake-timeout-ms, else this default). Each
    /// socket read and write of the handshake may wait as long: a client that goes silent
    /// just before the deadline is dropped at most twice this after it connected.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    handshake_timeout_ms: u64,
    /// How long a client may then take to send its request head, and stall reading the
    /// answer.
    #[arg(long, default_value_t = 60_000, value_parser = clap::value_parser!(u64).range(1..))]
    idle_timeout_ms: u64,
    /// At most this many connections served at once, a thread each; further ones wait in
    /// the listen backlog, not accepted, until a thread ends (and, once the backlog is
    /// full, the kernel turns them away).
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..))]
    max_concurrent: u64,
    #[command(flatten)]
    flags: support::ServerFlags,
    /// A DER OCSP response for --cert, stapled in every handshake (make one with
    /// `openssl ocsp ... -respout`); read again with the certificate by --watch.
    #[arg(long, value_name = "FILE", requires = "cert")]
    ocsp_response: Option<String>,
    /// One of Mozilla's server-side TLS profiles (guideline 5.7), modern or intermediate:
    /// its protocols, cipher suites in order, groups and cipher order (then --groups still
    /// applies).
    #[arg(long, conflicts_with_all = ["protocol", "ciphers"])]
    preset: Option<MozillaProfile>,
    /// Every TLS setting from this TOML settings file instead of the flags: its top level
    /// and its [server] table (needs feature `serde`; see sslconf::SettingsFile). The file is read again when it changes: new
    /// connections get the new settings, and a bad file is logged and changes nothing.
    #[arg(long, value_name = "FILE", conflicts_with_all = [
        "cert", "key", "self_signed", "ca", "verify_mode", "protocol", "ciphers", "alpn",
        "sni", "refuse_unknown_names", "ticket_key", "ticket_lifetime", "groups", "preset",
        "ocsp_response", "handshake_timeout_ms",
    ])]
    config: Option<std::path::PathBuf>,
    /// Exit after this many connections, once they are answered (for tests).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    max_connections: Option<u64>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            support::report("error", &*err);
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), BoxError> {
    let handshake_timeout = Duration::from_millis(args.handshake_timeout_ms);
    let config = match &args.config {
        Some(path) => settings_file::load(path, handshake_timeout)?,
        None => configuration(args)?,
    };
    let watching = args.flags.start_watching(&config)?;
    // What new connections get: replaced when the settings file changes.
    let current = std::sync::Arc::new(std::sync::RwLock::new(config));
    // Watching stops when its value is dropped: here, or in the thread
    // that follows the settings file, which watches what is in force.
    let _watching = match &args.config {
        Some(path) => {
            let flags = args.flags.clone();
            settings_file::follow(
                path.clone(),
                current.clone(),
                flags,
                watching,
                handshake_timeout,
            );
            None
        }
        None => watching,
    };
    let listener = TcpListener::bind((args.bind.as_str(), args.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", args.bind, args.port))?;
    println!("listening on {}", listener.local_addr()?);
    std::io::stdout().flush()?;

    let idle = Duration::from_millis(args.idle_timeout_ms);
    let slots = Slots::new(args.max_concurrent);
    let mut workers = Vec::new();
    let mut accepted = 0;
    loop {
        // A free thread first: until then, clients wait in the listen backlog.
        let slot = slots.take();
        let socket = match listener.accept() {
            Ok((socket, _)) => socket,
            Err(err) => {
                // Out of descriptors, a connection reset while queued, ...: keep serving.
                eprintln!("accept failed: {err}");
                thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let config = current.read().unwrap_or_else(|e| e.into_inner()).clone();
        workers.push(thread::spawn(move || {
            serve(&config, socket, idle);
            drop(slot);
        }));
        workers.retain(|w| !w.is_finished());
        accepted += 1;
        if args.max_connections.is_some_and(|max| accepted >= max) {
            break;
        }
    }
    for worker in workers {
        let _ = worker.join();
    }
    Ok(())
}

fn configuration(args: &Args) -> Result<SslConfiguration, BoxError> {
    let mut config = SslConfiguration::new()
        .with_protocol(args.protocol)
        .with_peer_verify_mode(args.verify_mode)
        .with_allowed_next_protocols(support::split_list(&args.alpn))
        .with_handshake_timeout(Duration::from_millis(args.handshake_timeout_ms));
    if let Some(profile) = args.preset {
        config = config.with_mozilla_profile(profile);
    }
    config = match (&args.cert, &args.key) {
        // Read with Identity::from_files, so that --watch reads them again.
        (Some(cert), Some(key)) => config.with_local_identity(
            Identity::from_files(cert, key)
                .map_err(|e| format!("--cert {cert} --key {key}: {e}"))?,
        ),
        _ => {
            let mut params = rcgen::CertificateParams::new(vec![
                "localhost".to_owned(),
                "127.0.0.1".to_owned(),
                "::1".to_owned(),
            ])?;
            params
                .distinguished_name
                .push(rcgen::DnType::CommonName, "localhost");
            let key = rcgen::KeyPair::generate()?;
            let cert = params.self_signed(&key)?;
            config.with_local_identity(Identity::new(
                [Certificate::from_der(cert.der())?],
                PrivateKey::from_der(&key.serialize_der())?,
            ))
        }
    };
    #[cfg(feature = "ocsp")]
    if let Some(path) = &args.ocsp_response {
        let identity = config
            .local_identity()
            .ok_or("--ocsp-response needs --cert and --key")?
            .with_ocsp_response_file(path)
            .map_err(|e| format!("--ocsp-response {path}: {e}"))?;
        config = config.with_local_identity(identity);
    }
    #[cfg(not(feature = "ocsp"))]
    if args.ocsp_response.is_some() {
        return Err("--ocsp-response needs sslconf's `ocsp` feature: --features ocsp".into());
    }
    if let Some(ca) = &args.ca {
        config = config.with_ca_certificate_files([ca])?;
    }
    if let Some(list) = &args.ciphers {
        config = config.with_cipher_list(list)?;
    }
    config = args.flags.apply(config)?;
    // Settings rustls cannot honour fail at start, not at the first client.
    config.server_config()?;
    support::refuse_unspoken_alpn(&config, &["http/1.1"])?;
    Ok(config)
}

/// The connection threads running, at most `max`.
struct Slots {
    max: u64,
    taken: Mutex<u64>,
    freed: Condvar,
}

/// A connection thread's place among the [`Slots`], given back on drop
/// (however the thread ends).
struct Slot(Arc<Slots>);

impl Slots {
    fn new(max: u64) -> Arc<Self> {
        Arc::new(Self {
            max,
            taken: Mutex::new(0),
            freed: Condvar::new(),
        })
    }

    /// A slot, once one is free.
    fn take(self: &Arc<Self>) -> Slot {
        let taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        let mut taken = self
            .freed
            .wait_while(taken, |taken| *taken >= self.max)
            .unwrap_or_else(|e| e.into_inner());
        *taken += 1;
        Slot(self.clone())
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        *self.0.taken.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
        self.0.freed.notify_one();
    }
}

/// One connection: the handshake under the configuration's handshake
/// timeout, then read the request head and answer under the idle timeout.
fn serve(config: &SslConfiguration, socket: TcpStream, idle: Duration) {
    let peer = socket
        .peer_addr()
        .map_or_else(|_| "?".to_owned(), |a| a.to_string());
    // The handshake timeout is checked between socket calls: these bound a
    // client that sends nothing at all.
    let handshake = config.handshake_timeout().unwrap_or(idle);
    if let Err(err) = set_timeouts(&socket, handshake) {
        eprintln!("{peer}: {err}");
        return;
    }
    let mut tls = match config.accept(socket) {
        Ok(tls) => tls,
        Err(err) => {
            support::report(&format!("{peer}: handshake failed"), &err);
            return;
        }
    };
    let result = set_timeouts(tls.get_ref(), idle)
        .map_err(BoxError::from)
        .and_then(|()| answer(&mut tls, idle));
    match result {
        Ok(request_line) => {
            eprintln!(
                "{}",
                support::served_line(&peer, tls.session_state(), &request_line)
            );
        }
        Err(err) => eprintln!("{peer}: {err}"),
    }
}

fn is_timeout(err: &std::io::Error) -> bool {
    matches!(
        err.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

fn set_timeouts(socket: &TcpStream, timeout: Duration) -> std::io::Result<()> {
    socket.set_read_timeout(Some(timeout))?;
    socket.set_write_timeout(Some(timeout))
}

/// Reads the request head (up to a blank line, EOF or [`MAX_HEAD`] bytes),
/// whatever it asks for, within `idle` however the client paces it: every
/// answer is the session state. Returns the request line.
fn answer(tls: &mut TlsStream<TcpStream>, idle: Duration) -> Result<String, BoxError> {
    let deadline = Instant::now() + idle;
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
        if Instant::now() >= deadline {
            return Err("no request in time".into());
        }
        match tls.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
            // The client closed without close_notify (no request): answer anyway.
            Err(err) if err.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(err) if is_timeout(&err) => return Err("no request in time".into()),
            Err(err) => return Err(format!("reading the request: {err}").into()),
        }
    }
    let request_line = String::from_utf8_lossy(head.split(|&b| b == b'\n').next().unwrap_or(&[]))
        .trim_end()
        .to_owned();

    let body = support::describe(tls.session_state(), Side::Server);
    let response = format!(
        "HTTP/1.1 200 OK\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\n\
         Connection: close\r\n\
         \r\n\
         {body}",
        body.len()
    );
    tls.write_all(response.as_bytes())
        .and_then(|()| tls.flush())
        .and_then(|()| tls.shutdown())
        .map_err(|e| format!("writing the response: {e}"))?;
    Ok(request_line)
}

/// `--config`: the settings from a file, and following its changes.
mod settings_file {
    use std::path::{Path, PathBuf};
    use std::sync::{Arc, RwLock};
    use std::thread;
    use std::time::Duration;

    use sslconf::SslConfiguration;

    use crate::support::{self, BoxError, ServerFlags, Watching};

    /// How often the settings file is looked at.
    const POLL: Duration = Duration::from_millis(250);

    /// The server side the settings file describes (its top level and its
    /// `[server]` table), with `handshake_timeout` unless the file sets
    /// one, checked to convert: settings rustls cannot honour fail here,
    /// not at the first client.
    pub(crate) fn load(
        path: &Path,
        handshake_timeout: Duration,
    ) -> Result<SslConfiguration, BoxError> {
        #[cfg(feature = "serde")]
        {
            let config = SslConfiguration::from_toml_file(path, sslconf::Side::Server)?;
            checked(config, handshake_timeout)
        }
        #[cfg(not(feature = "serde"))]
        {
            let _ = (path, handshake_timeout);
            Err("--config needs the `serde` feature: build with --features serde".into())
        }
    }

    /// `config` with `handshake_timeout` unless it has one, checked to convert.
    #[cfg(feature = "serde")]
    fn checked(
        config: SslConfiguration,
        handshake_timeout: Duration,
    ) -> Result<SslConfiguration, BoxError> {
        let config = match config.handshake_timeout() {
            Some(_) => config,
            None => config.with_handshake_timeout(handshake_timeout),
        };
        config.server_config()?;
        support::refuse_unspoken_alpn(&config, &["http/1.1"])?;
        Ok(config)
    }

    /// As [`load`], from `bytes` read from the settings file at `path`
    /// (relative paths in it are relative to its directory).
    fn parse(
        path: &Path,
        bytes: &[u8],
        handshake_timeout: Duration,
    ) -> Result<SslConfiguration, BoxError> {
        #[cfg(feature = "serde")]
        {
            let text = std::str::from_utf8(bytes)
                .map_err(|e| format!("{} is not UTF-8 text: {e}", path.display()))?;
            let base = path.parent().unwrap_or(Path::new(""));
            let side = sslconf::Side::Server;
            let config = SslConfiguration::from_toml_str(text, base, side).map_err(|mut err| {
                // Errors from text name it "TOML input": name the file, as
                // `from_toml_file` does.
                if let sslconf::Error::SettingsFile { file, .. } = &mut err {
                    *file = path.display().to_string();
                }
                err
            })?;
            checked(config, handshake_timeout)
        }
        #[cfg(not(feature = "serde"))]
        {
            let _ = bytes;
            load(path, handshake_timeout)
        }
    }

    /// Reads the settings file again whenever its content changes: a good
    /// one replaces what new connections get (and, with --watch, what is
    /// watched); a bad one is logged and changes nothing.
    pub(crate) fn follow(
        path: PathBuf,
        current: Arc<RwLock<SslConfiguration>>,
        flags: ServerFlags,
        watching: Option<Watching>,
        handshake_timeout: Duration,
    ) {
        let mut seen = std::fs::read(&path).ok();
        thread::spawn(move || {
            let mut _watching = watching;
            loop {
                thread::sleep(POLL);
                let now = std::fs::read(&path);
                if now.as_ref().ok() == seen.as_ref() {
                    continue;
                }
                // The bytes just compared are the ones parsed: reading the
                // file again could see another version (half of one being
                // written), which would then count as seen and never be
                // read again. A half-written file fails here, and its
                // finished version differs from it, so it is read next.
                let reloaded = match &now {
                    Ok(bytes) => parse(&path, bytes, handshake_timeout),
                    Err(err) => Err(format!("cannot read {}: {err}", path.display()).into()),
                }
                .and_then(|config| {
                    let watcher = flags.start_watching(&config)?;
                    Ok((config, watcher))
                });
                seen = now.ok();
                match reloaded {
                    Ok((config, watcher)) => {
                        *current.write().unwrap_or_else(|e| e.into_inner()) = config;
                        _watching = watcher;
                        eprintln!("settings: read {} again", path.display());
                    }
                    Err(err) => support::report(
                        &format!(
                            "settings: {} not applied, keeping the previous settings",
                            path.display()
                        ),
                        &*err,
                    ),
                }
            }
        });
    }
}
