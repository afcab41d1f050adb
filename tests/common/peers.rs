//! Starting and driving outside TLS peers on 127.0.0.1: openssl s_server and
//! s_client, gnutls-serv and gnutls-cli, python3's ssl module, curl.
//!
//! Everything here has a deadline: a peer that hangs is killed and the test
//! reports what it printed, instead of the test hanging.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use sslconf::{Error, SessionState, SslConfiguration};

use super::Identity;

/// How long any one peer process may run.
pub const PEER_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a peer server may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// Socket timeouts on our side of a connection.
pub const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// The Python interpreter itself: `python3` may be a launcher shim (pyenv's
/// costs 250 ms a start). Run it with `-S`: the scripts need no site packages.
pub fn python() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| {
        Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "python3".to_owned())
    })
}

/// A scratch directory for PEM files and scripts, removed on drop.
pub struct Scratch {
    dir: PathBuf,
}

/// Where an identity was written: its chain (leaf first) and its key, as PEM.
#[derive(Clone, Debug)]
pub struct PemFiles {
    pub cert: String,
    pub key: String,
}

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "sslconf-scratch-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch { dir }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Writes a file; returns its path as a string, for command lines.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, contents).unwrap();
        path.to_str().unwrap().to_owned()
    }

    /// Writes an identity's chain and key as `<name>.pem` and `<name>.key`.
    pub fn identity(&self, name: &str, id: &Identity) -> PemFiles {
        PemFiles {
            cert: self.write(&format!("{name}.pem"), id.chain_pem()),
            key: self.write(&format!("{name}.key"), id.key_pem()),
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A port that was free a moment ago, and not handed out by this function
/// recently: two peer servers started at once must not race for one port.
/// (A peer server may still lose it to another process: [`PeerServer::start`]
/// retries on another.)
pub fn free_port() -> u16 {
    static RECENT: Mutex<Vec<u16>> = Mutex::new(Vec::new());
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut recent = RECENT.lock().unwrap();
        if !recent.contains(&port) {
            if recent.len() >= 512 {
                recent.remove(0);
            }
            recent.push(port);
            return port;
        }
    }
}

/// Everything a child printed, stdout and stderr interleaved by line, filled
/// in by background threads; each line is also sent to `lines`.
struct Output {
    text: Arc<Mutex<String>>,
    lines: mpsc::Receiver<String>,
    readers: Vec<JoinHandle<()>>,
}

impl Output {
    fn collect(child: &mut Child) -> Output {
        let text = Arc::new(Mutex::new(String::new()));
        let (tx, lines) = mpsc::channel();
        let mut readers = Vec::new();
        let stdout = child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>);
        let stderr = child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>);
        for stream in [stdout, stderr].into_iter().flatten() {
            let text = text.clone();
            let tx = tx.clone();
            readers.push(thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                let mut line = Vec::new();
                // Lines may not be UTF-8 (binary dumps): read bytes.
                while reader.read_until(b'\n', &mut line).unwrap_or(0) > 0 {
                    let s = String::from_utf8_lossy(&line).into_owned();
                    text.lock().unwrap().push_str(&s);
                    let _ = tx.send(s);
                    line.clear();
                }
            }));
        }
        Output {
            text,
            lines,
            readers,
        }
    }

    /// Waits for a line containing `marker`; `None` when the child closed its
    /// output first or `timeout` passed.
    fn wait_for(&self, marker: &str, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(marker) => return Some(line),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
    }

    fn snapshot(&self) -> String {
        self.text.lock().unwrap().clone()
    }

    /// Waits for the readers (the child has exited or been killed).
    fn finish(self) -> String {
        for reader in self.readers {
            let _ = reader.join();
        }
        Arc::try_unwrap(self.text)
            .map(|m| m.into_inner().unwrap())
            .unwrap_or_else(|arc| arc.lock().unwrap().clone())
    }
}

/// Waits for a child to exit, up to `timeout`; kills it after that.
/// `None` when it had to be killed.
fn wait_or_kill(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// An outside TLS server on 127.0.0.1, killed on drop.
pub struct PeerServer {
    child: Child,
    /// Held open: `openssl s_server` quits when its stdin closes.
    stdin: Option<ChildStdin>,
    output: Option<Output>,
    pub port: u16,
}

impl PeerServer {
    /// Starts `program` with `args`, where `{port}` stands for a free port,
    /// and waits until it prints a line containing `ready` (and no "failed",
    /// as in gnutls-serv's "listening on IPv4 ...bind() failed"). When the
    /// program exits or fails first (the port was taken meanwhile), tries
    /// again on another port.
    pub fn start(program: &str, args: &[String], ready: &str) -> Result<PeerServer, String> {
        let mut failures = String::new();
        for _ in 0..3 {
            let port = free_port();
            let args: Vec<String> = args
                .iter()
                .map(|a| a.replace("{port}", &port.to_string()))
                .collect();
            let mut server = Self::spawn(program, &args, port)?;
            let output = server.output.as_ref().unwrap();
            let line = output.wait_for(ready, START_TIMEOUT);
            if line.is_some_and(|l| !l.contains("failed")) {
                return Ok(server);
            }
            let _ = server.child.kill();
            let _ = server.child.wait();
            failures.push_str(&server.output.take().unwrap().finish());
        }
        Err(format!(
            "{program} did not start listening: {}",
            tail(&failures, 6)
        ))
    }

    /// Starts a server that picks its own port and prints `<ready> <port>`.
    pub fn start_with_own_port(
        program: &str,
        args: &[String],
        ready: &str,
    ) -> Result<PeerServer, String> {
        let mut server = Self::spawn(program, args, 0)?;
        let line = server
            .output
            .as_ref()
            .unwrap()
            .wait_for(ready, START_TIMEOUT);
        let port = line.and_then(|l| l.split_whitespace().last()?.parse().ok());
        match port {
            Some(port) => {
                server.port = port;
                Ok(server)
            }
            None => {
                let _ = server.child.kill();
                let _ = server.child.wait();
                let out = server.output.take().unwrap().finish();
                Err(format!(
                    "{program} did not start listening: {}",
                    tail(&out, 6)
                ))
            }
        }
    }

    fn spawn(program: &str, args: &[String], port: u16) -> Result<PeerServer, String> {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {program}: {e}"))?;
        let stdin = child.stdin.take();
        let output = Output::collect(&mut child);
        Ok(PeerServer {
            child,
            stdin,
            output: Some(output),
            port,
        })
    }

    /// What it printed so far.
    pub fn output(&self) -> String {
        self.output
            .as_ref()
            .map(Output::snapshot)
            .unwrap_or_default()
    }

    /// Waits up to `grace` for the server to exit by itself (after its one
    /// connection), kills it otherwise, and returns everything it printed.
    pub fn finish(mut self, grace: Duration) -> String {
        drop(self.stdin.take());
        wait_or_kill(&mut self.child, grace);
        self.output.take().map(Output::finish).unwrap_or_default()
    }

    /// Waits until its output holds `marker` (it may print after the
    /// connection closed), up to `timeout`. Whether it did.
    pub fn wait_for_output(&self, marker: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.output().contains(marker) {
                return true;
            }
            thread::sleep(Duration::from_millis(5));
        }
        false
    }
}

impl Drop for PeerServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What an outside client did.
#[derive(Debug)]
pub struct ClientRun {
    /// `None` when it ran past its deadline and was killed.
    pub status: Option<ExitStatus>,
    /// stdout, then stderr.
    pub output: String,
}

impl ClientRun {
    pub fn success(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    /// The last lines of its output, for failure messages.
    pub fn tail(&self) -> String {
        let status = match self.status {
            Some(s) => s.to_string(),
            None => "killed after timeout".to_owned(),
        };
        format!("[{status}] {}", tail(&self.output, 8))
    }
}

/// Runs an outside client to completion (killed after `PEER_TIMEOUT`),
/// feeding it `stdin` and then closing its stdin.
pub fn run_client(program: &str, args: &[&str], stdin: &[u8]) -> ClientRun {
    let mut child = match Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) => {
            return ClientRun {
                status: None,
                output: format!("cannot run {program}: {e}"),
            }
        }
    };
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let writer = thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let err = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let status = wait_or_kill(&mut child, PEER_TIMEOUT);
    let _ = writer.join();
    let mut output = String::from_utf8_lossy(&out.join().unwrap()).into_owned();
    output.push_str(&String::from_utf8_lossy(&err.join().unwrap()));
    ClientRun { status, output }
}

/// The last `n` lines of `text`, joined with " | ".
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join(" | ")
}

/// What our server did with one connection.
pub struct Served {
    pub state: SessionState,
    /// What the client sent (up to the end of its request).
    pub request: Vec<u8>,
}

/// Our server on 127.0.0.1 for one connection, in a thread.
pub struct OurServer {
    pub port: u16,
    handle: JoinHandle<Result<Served, Error>>,
}

/// The answer our server gives: an HTTP response (any client ignores what it
/// does not understand; curl needs it).
pub const RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\npong\n";

impl OurServer {
    /// Accepts one connection with `config` (waiting up to `PEER_TIMEOUT`),
    /// reads a request up to a blank line or, for a one-line request, a
    /// newline, answers [`RESPONSE`] and sends close_notify.
    pub fn start(config: SslConfiguration) -> OurServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let handle = thread::spawn(move || {
            let socket = accept_within(&listener, PEER_TIMEOUT)?;
            let mut tls = config.accept(socket)?;
            let mut request = Vec::new();
            let mut byte = [0u8; 1];
            loop {
                let http = request.starts_with(b"GET ");
                if (http && request.ends_with(b"\r\n\r\n")) || (!http && request.ends_with(b"\n")) {
                    break;
                }
                if tls.read(&mut byte)? == 0 {
                    break;
                }
                request.push(byte[0]);
            }
            tls.write_all(RESPONSE)?;
            tls.flush()?;
            tls.shutdown()?;
            Ok(Served {
                state: tls.session_state().clone(),
                request,
            })
        });
        OurServer { port, handle }
    }

    pub fn join(self) -> Result<Served, Error> {
        self.handle.join().expect("our server thread panicked")
    }
}

/// Accepts one connection from a non-blocking listener, up to `timeout`;
/// returns it blocking, with our socket timeouts.
fn accept_within(listener: &TcpListener, timeout: Duration) -> std::io::Result<TcpStream> {
    let deadline = Instant::now() + timeout;
    loop {
        match listener.accept() {
            Ok((socket, _)) => {
                socket.set_nonblocking(false)?;
                socket.set_read_timeout(Some(IO_TIMEOUT))?;
                socket.set_write_timeout(Some(IO_TIMEOUT))?;
                return Ok(socket);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if Instant::now() >= deadline {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "no client connected",
                    ));
                }
                thread::sleep(Duration::from_millis(2));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Our client: connects to 127.0.0.1:`port` as `host`, sends `request`,
/// reads the answer until the peer closes (a close without close_notify is
/// accepted: `s_server -www` does that), then sends close_notify.
pub fn our_client(
    config: &SslConfiguration,
    host: &str,
    port: u16,
    request: &[u8],
) -> Result<(SessionState, String), Error> {
    let socket = TcpStream::connect(("127.0.0.1", port))?;
    socket.set_read_timeout(Some(IO_TIMEOUT))?;
    socket.set_write_timeout(Some(IO_TIMEOUT))?;
    let mut tls = config.connect(host, socket)?;
    tls.write_all(request)?;
    tls.flush()?;
    let mut answer = Vec::new();
    match tls.read_to_end(&mut answer) {
        Err(e) if e.kind() != std::io::ErrorKind::UnexpectedEof => return Err(e.into()),
        _ => {}
    }
    let _ = tls.shutdown();
    Ok((
        tls.session_state().clone(),
        String::from_utf8_lossy(&answer).into_owned(),
    ))
}

/// The value after `key` and a colon on a line of `text` (`"Protocol  : TLSv1.3"`).
pub fn field(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let rest = l.trim().strip_prefix(key)?.trim_start();
        Some(rest.strip_prefix(':')?.trim().to_owned())
    })
}

/// The first line of `text` holding a flat JSON object (as the Python peers
/// print), as key → value; `null` is left out, other scalars kept as text.
pub fn json_object(text: &str) -> Option<BTreeMap<String, String>> {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with('{'))?
        .trim();
    let mut map = BTreeMap::new();
    let mut chars = line.strip_prefix('{')?.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        match chars.peek() {
            Some('}') | None => return Some(map),
            Some('"') => {}
            Some(_) => return None,
        }
        let key = json_string(&mut chars)?;
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ':') {
            chars.next();
        }
        let value = if chars.peek() == Some(&'"') {
            Some(json_string(&mut chars)?)
        } else {
            let mut raw = String::new();
            while let Some(&c) = chars.peek() {
                if c == ',' || c == '}' {
                    break;
                }
                raw.push(c);
                chars.next();
            }
            let raw = raw.trim().to_owned();
            (raw != "null").then_some(raw)
        };
        if let Some(value) = value {
            map.insert(key, value);
        }
    }
}

fn json_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<String> {
    if chars.next()? != '"' {
        return None;
    }
    let mut s = String::new();
    loop {
        match chars.next()? {
            '"' => return Some(s),
            '\\' => match chars.next()? {
                'n' => s.push('\n'),
                't' => s.push('\t'),
                'r' => s.push('\r'),
                'u' => {
                    let hex: String = (0..4).filter_map(|_| chars.next()).collect();
                    s.push(
                        u32::from_str_radix(&hex, 16)
                            .ok()
                            .and_then(char::from_u32)
                            .unwrap_or('\u{fffd}'),
                    );
                }
                other => s.push(other),
            },
            c => s.push(c),
        }
    }
}

/// The Python server: one connection, prints what it negotiated as JSON.
/// Arguments: cert, key, CA file, "1" to require a client certificate,
/// ALPN protocol ("" for none).
pub const PYTHON_SERVER: &str = r#"
import json, socket, ssl, sys

def report(tls):
    peer = tls.getpeercert()
    subject = dict(x[0] for x in peer["subject"]) if peer else {}
    return {"version": tls.version(), "cipher": tls.cipher()[0],
            "alpn": tls.selected_alpn_protocol(), "peer_subject": subject.get("commonName")}

cert, key, ca, mutual, alpn = sys.argv[1:6]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
if mutual == "1":
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(ca)
if alpn:
    ctx.set_alpn_protocols([alpn])
listener = socket.create_server(("127.0.0.1", 0))
listener.settimeout(20)
print("READY", listener.getsockname()[1], flush=True)
conn, _ = listener.accept()
conn.settimeout(10)
try:
    tls = ctx.wrap_socket(conn, server_side=True)
    request = tls.recv(4096)
    info = report(tls)
    info["request"] = request.decode(errors="replace")
    print(json.dumps(info), flush=True)
    tls.sendall(b"pong\n")
    try:
        tls.unwrap()
    except (ssl.SSLError, OSError):
        pass
except Exception as e:
    print(json.dumps({"error": repr(e)}), flush=True)
"#;

/// The Python client: connects to 127.0.0.1, SNI and verified name
/// "localhost", sends "ping", prints what it negotiated and received as JSON.
/// Arguments: port, CA file, cert ("" for none), key, ALPN protocol ("" for none).
pub const PYTHON_CLIENT: &str = r#"
import json, socket, ssl, sys

def report(tls):
    peer = tls.getpeercert()
    subject = dict(x[0] for x in peer["subject"]) if peer else {}
    return {"version": tls.version(), "cipher": tls.cipher()[0],
            "alpn": tls.selected_alpn_protocol(), "peer_subject": subject.get("commonName")}

port, ca, cert, key, alpn = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
ctx = ssl.create_default_context(cafile=ca)
if cert:
    ctx.load_cert_chain(cert, key)
if alpn:
    ctx.set_alpn_protocols([alpn])
info = {}
try:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            info = report(tls)
            tls.sendall(b"ping\n")
            body = b""
            while True:
                chunk = tls.recv(4096)
                if not chunk:
                    break
                body += chunk
            info["response"] = body.decode(errors="replace")
except Exception as e:
    info["error"] = repr(e)
print(json.dumps(info), flush=True)
"#;

/// What OpenSSL says of a chain when, as Qt's verify callback does, it is
/// told to go on after every error: `openssl s_client` (whose callback
/// records each error and continues) connects to an `openssl s_server`
/// presenting `chain` (leaf first) with the leaf's `key_pem`, trusting
/// `trusted`, with the CRLs in `crls_pem` (in the CA file: `s_client
/// -CRL` reads one list only) and `client_args` (`-crl_check_all`, ...).
/// Returns each `(error code, depth)` in the order reported, once.
pub fn openssl_collect_all(
    trusted: &[sslconf::Certificate],
    chain: &[sslconf::Certificate],
    key_pem: &str,
    crls_pem: &str,
    client_args: &[&str],
) -> Vec<(u32, u32)> {
    let dir = Scratch::new("collect-all");
    let pem = |certs: &[sslconf::Certificate]| -> String {
        certs.iter().map(sslconf::Certificate::to_pem).collect()
    };
    let leaf = dir.write("leaf.pem", pem(&chain[..1]));
    let rest = dir.write("rest.pem", pem(&chain[1..]));
    let key = dir.write("leaf.key", key_pem);
    let ca = dir.write("trusted.pem", pem(trusted) + crls_pem);
    let mut args: Vec<String> = ["s_server", "-accept", "127.0.0.1:{port}", "-www"]
        .map(String::from)
        .to_vec();
    args.extend(["-cert".into(), leaf, "-key".into(), key]);
    if chain.len() > 1 {
        args.extend(["-cert_chain".into(), rest]);
    }
    let server = PeerServer::start("openssl", &args, "ACCEPT").unwrap();
    let connect = format!("127.0.0.1:{}", server.port);
    let mut all = vec!["s_client", "-connect", &connect, "-CAfile", &ca];
    all.extend_from_slice(client_args);
    let run = run_client("openssl", &all, b"");
    let mut depth = 0;
    let mut errors = Vec::new();
    for line in run.output.lines() {
        if let Some(rest) = line.strip_prefix("depth=") {
            depth = rest
                .split_whitespace()
                .next()
                .and_then(|d| d.parse().ok())
                .unwrap_or(depth);
        } else if let Some(rest) = line.strip_prefix("verify error:num=") {
            let code = rest.split(':').next().and_then(|c| c.parse().ok());
            let code = code.unwrap_or_else(|| panic!("unreadable line {line:?}"));
            if !errors.contains(&(code, depth)) {
                errors.push((code, depth));
            }
        }
    }
    assert!(
        run.output.contains("Verify return code"),
        "s_client did not finish a handshake: {}",
        run.tail()
    );
    errors
}
