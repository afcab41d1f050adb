//! Hostile and broken peers: one that closes mid-handshake, one that sends
//! garbage instead of TLS, one that stalls, one that trickles its bytes.
//! Our client (`connect`) and our server (`accept`) must return an error
//! for each, never hang (the sockets have read timeouts, a trickling peer
//! meets the handshake timeout, and a watchdog fails a test that runs too
//! long), and a server must go on serving other clients after a bad one;
//! `examples/server` serves a bounded number of them at once.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::{Authority, Identity};
use sslconf::{Error, SslConfiguration};

const HOST: &str = "localhost";
/// The read timeout the tests set on the side under test: long enough for a
/// loaded machine to finish a handshake step, short enough to keep the suite quick.
const READ_TIMEOUT: Duration = Duration::from_secs(1);
/// How long any one scenario may take before it counts as a hang.
const WATCHDOG: Duration = Duration::from_secs(10);

struct Pki {
    ca: Authority,
    server: Identity,
}

fn pki() -> Pki {
    let ca = Authority::root("Faults Root");
    let server = ca.leaf(HOST);
    Pki { ca, server }
}

impl Pki {
    fn client(&self) -> SslConfiguration {
        SslConfiguration::new().with_ca_certificates([self.ca.cert.clone()])
    }
}

/// Runs `f` on its own thread; fails the test if it takes longer than `WATCHDOG`.
fn within_watchdog<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(WATCHDOG) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what}: hung for {WATCHDOG:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: panicked"),
    }
}

/// The socket's read timeout ended the handshake.
fn is_timeout(err: &Error) -> bool {
    matches!(err, Error::HandshakeTimeout { deadline: None, source: Some(source) } if matches!(source.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut))
        && err.to_string()
            == "tls handshake timed out: the peer did not answer within the socket's timeout"
}

fn is_eof(err: &Error) -> bool {
    matches!(err, Error::Io(e) if matches!(e.kind(), ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset | ErrorKind::BrokenPipe))
}

fn is_tls(err: &Error) -> bool {
    matches!(err, Error::Tls(_))
}

/// The bytes of a real ClientHello from our client configuration.
fn client_hello(client: &SslConfiguration) -> Vec<u8> {
    let mut conn =
        rustls::ClientConnection::new(client.client_config().unwrap(), HOST.try_into().unwrap())
            .unwrap();
    let mut hello = Vec::new();
    while conn.wants_write() {
        conn.write_tls(&mut hello).unwrap();
    }
    assert_eq!(hello[0], 0x16, "a handshake record");
    hello
}

/// Reads a ClientHello from `socket` into an in-memory rustls server for
/// `server`, and returns that server's whole first flight.
fn server_first_flight(socket: &mut TcpStream, server: &SslConfiguration) -> Vec<u8> {
    let mut conn = rustls::ServerConnection::new(server.server_config().unwrap()).unwrap();
    let mut buf = [0u8; 4096];
    while !conn.wants_write() {
        let n = socket.read(&mut buf).unwrap();
        assert!(n > 0, "the client closed before its ClientHello");
        conn.read_tls(&mut &buf[..n]).unwrap();
        conn.process_new_packets().unwrap();
    }
    let mut flight = Vec::new();
    while conn.wants_write() {
        conn.write_tls(&mut flight).unwrap();
    }
    flight
}

/// Reads whatever the peer sends until it closes or stays quiet.
fn drain(socket: &mut TcpStream) {
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut buf = [0u8; 4096];
    while matches!(socket.read(&mut buf), Ok(n) if n > 0) {}
}

// ---- our client against a broken server ----

/// Runs our client against a fake server on loopback that does `behave` with
/// each accepted socket; returns the client's result and how long it took.
fn client_against(
    client: SslConfiguration,
    behave: impl FnOnce(TcpStream) + Send + 'static,
) -> (Result<(), Error>, Duration) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let fake = thread::spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        behave(socket);
    });
    let result = within_watchdog("connect", move || {
        let socket = TcpStream::connect(addr).unwrap();
        socket.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
        let start = Instant::now();
        let result = client.connect(HOST, socket).map(drop);
        (result, start.elapsed())
    });
    fake.join().unwrap();
    result
}

#[test]
fn client_server_closes_before_answering() {
    let p = pki();
    let (result, _) = client_against(p.client(), |mut socket| {
        let mut buf = [0u8; 4096];
        assert!(socket.read(&mut buf).unwrap() > 0, "a ClientHello");
        // Dropped: closed without a word.
    });
    let err = result.unwrap_err();
    assert!(is_eof(&err), "expected end of file, got {err:?}");
}

#[test]
fn client_server_closes_mid_server_hello() {
    let p = pki();
    let server = p.server.server();
    let (result, _) = client_against(p.client(), move |mut socket| {
        let flight = server_first_flight(&mut socket, &server);
        socket.write_all(&flight[..flight.len() / 2]).unwrap();
        socket.flush().unwrap();
        socket.shutdown(Shutdown::Both).unwrap();
    });
    let err = result.unwrap_err();
    assert!(is_eof(&err), "expected end of file, got {err:?}");
}

#[test]
fn client_server_sends_garbage() {
    let p = pki();
    let (result, _) = client_against(p.client(), |mut socket| {
        let mut buf = [0u8; 4096];
        assert!(socket.read(&mut buf).unwrap() > 0, "a ClientHello");
        socket
            .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            .unwrap();
        drain(&mut socket);
    });
    let err = result.unwrap_err();
    assert!(is_tls(&err), "expected a TLS error, got {err:?}");
}

#[test]
fn client_server_sends_a_bogus_handshake_record() {
    let p = pki();
    let (result, _) = client_against(p.client(), |mut socket| {
        let mut buf = [0u8; 4096];
        assert!(socket.read(&mut buf).unwrap() > 0, "a ClientHello");
        // A well-framed handshake record whose message is nonsense.
        socket
            .write_all(&[
                0x16, 0x03, 0x03, 0x00, 0x06, 0x02, 0x00, 0x00, 0x02, 0xff, 0xff,
            ])
            .unwrap();
        drain(&mut socket);
    });
    let err = result.unwrap_err();
    assert!(is_tls(&err), "expected a TLS error, got {err:?}");
}

#[test]
fn client_server_stalls() {
    let p = pki();
    let (result, elapsed) = client_against(p.client(), |mut socket| {
        let mut buf = [0u8; 4096];
        assert!(socket.read(&mut buf).unwrap() > 0, "a ClientHello");
        // Says nothing; waits until the client gives up and closes.
        drain(&mut socket);
    });
    let err = result.unwrap_err();
    assert!(is_timeout(&err), "expected a read timeout, got {err:?}");
    assert!(elapsed >= READ_TIMEOUT / 2, "gave up after {elapsed:?}");
}

#[test]
fn client_server_stalls_mid_server_hello() {
    let p = pki();
    let server = p.server.server();
    let (result, _) = client_against(p.client(), move |mut socket| {
        let flight = server_first_flight(&mut socket, &server);
        socket.write_all(&flight[..flight.len() / 2]).unwrap();
        drain(&mut socket);
    });
    let err = result.unwrap_err();
    assert!(is_timeout(&err), "expected a read timeout, got {err:?}");
}

// ---- our server against a broken client ----

/// Runs our server's `accept` on loopback while a fake client does `behave`;
/// returns the server's result and how long it took.
fn server_against(
    server: SslConfiguration,
    behave: impl FnOnce(TcpStream) + Send + 'static,
) -> (Result<(), Error>, Duration) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let fake = thread::spawn(move || behave(TcpStream::connect(addr).unwrap()));
    let result = within_watchdog("accept", move || {
        let (socket, _) = listener.accept().unwrap();
        socket.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
        let start = Instant::now();
        let result = server.accept(socket).map(drop);
        (result, start.elapsed())
    });
    fake.join().unwrap();
    result
}

#[test]
fn server_client_closes_at_once() {
    let p = pki();
    let (result, _) = server_against(p.server.server(), drop);
    let err = result.unwrap_err();
    assert!(is_eof(&err), "expected end of file, got {err:?}");
}

#[test]
fn server_client_closes_mid_client_hello() {
    let p = pki();
    let hello = client_hello(&p.client());
    let (result, _) = server_against(p.server.server(), move |mut socket| {
        socket.write_all(&hello[..hello.len() / 2]).unwrap();
        socket.shutdown(Shutdown::Both).unwrap();
    });
    let err = result.unwrap_err();
    assert!(is_eof(&err), "expected end of file, got {err:?}");
}

#[test]
fn server_client_closes_after_server_hello() {
    let p = pki();
    let hello = client_hello(&p.client());
    let (result, _) = server_against(p.server.server(), move |mut socket| {
        socket.write_all(&hello).unwrap();
        // Reads the server's first flight, then leaves before its Finished.
        let mut buf = [0u8; 4096];
        assert!(socket.read(&mut buf).unwrap() > 0, "a ServerHello");
        socket.shutdown(Shutdown::Both).unwrap();
    });
    let err = result.unwrap_err();
    assert!(is_eof(&err), "expected end of file, got {err:?}");
}

#[test]
fn server_client_sends_plain_http() {
    let p = pki();
    let (result, _) = server_against(p.server.server(), |mut socket| {
        socket
            .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .unwrap();
        drain(&mut socket);
    });
    let err = result.unwrap_err();
    assert!(is_tls(&err), "expected a TLS error, got {err:?}");
}

#[test]
fn server_client_sends_a_bogus_handshake_record() {
    let p = pki();
    let (result, _) = server_against(p.server.server(), |mut socket| {
        // A handshake record holding a "ClientHello" of garbage.
        let mut record = vec![0x16, 0x03, 0x01, 0x00, 0x24, 0x01, 0x00, 0x00, 0x20];
        record.extend((0u8..32).map(|i| i.wrapping_mul(37)));
        socket.write_all(&record).unwrap();
        drain(&mut socket);
    });
    let err = result.unwrap_err();
    assert!(is_tls(&err), "expected a TLS error, got {err:?}");
}

#[test]
fn server_client_stalls_before_client_hello() {
    let p = pki();
    let (result, elapsed) = server_against(p.server.server(), drain_quietly);
    let err = result.unwrap_err();
    assert!(is_timeout(&err), "expected a read timeout, got {err:?}");
    assert!(elapsed >= READ_TIMEOUT / 2, "gave up after {elapsed:?}");
}

#[test]
fn server_client_stalls_after_server_hello() {
    let p = pki();
    let hello = client_hello(&p.client());
    let (result, _) = server_against(p.server.server(), move |mut socket| {
        socket.write_all(&hello).unwrap();
        drain(&mut socket);
    });
    let err = result.unwrap_err();
    assert!(is_timeout(&err), "expected a read timeout, got {err:?}");
}

/// A fake client that says nothing and waits for the server to hang up.
fn drain_quietly(mut socket: TcpStream) {
    drain(&mut socket);
}

// ---- peers that trickle their bytes: the handshake timeout ----

/// The handshake timeout the trickle scenarios set: a trickled flight takes
/// minutes, each of its bytes far less than [`READ_TIMEOUT`].
const HANDSHAKE_TIMEOUT: Duration = Duration::from_millis(500);
/// How long a trickling peer waits between two bytes.
const TRICKLE: Duration = Duration::from_millis(100);
/// Ample for a handshake that ends at [`HANDSHAKE_TIMEOUT`] (within one
/// more byte, or one [`READ_TIMEOUT`] at worst) on a loaded machine, and
/// far less than the minutes a trickled flight takes without the timeout.
const TRICKLE_BOUND: Duration = Duration::from_secs(5);

/// Writes `bytes` one at a time, [`TRICKLE`] apart, each one flushed,
/// until they are all sent or the other side has closed.
fn trickle(socket: &mut TcpStream, bytes: &[u8]) {
    socket.set_nodelay(true).unwrap();
    for byte in bytes {
        if socket.write_all(&[*byte]).is_err() {
            return;
        }
        thread::sleep(TRICKLE);
    }
}

fn is_handshake_deadline(err: &Error) -> bool {
    matches!(err, Error::HandshakeTimeout { deadline: Some(d), source: None } if *d == HANDSHAKE_TIMEOUT)
        && err.to_string()
            == "tls handshake timed out: not done within its handshake timeout of 500ms"
}

/// A server whose identity is chosen per client (an added one): `accept`
/// reads the ClientHello itself before rustls takes over.
fn choosing_server(p: &Pki) -> SslConfiguration {
    let other = p.ca.leaf("other.example");
    p.server
        .server()
        .with_added_local_identity(sslconf::Identity::new(other.chain.clone(), other.key()))
}

#[test]
fn server_client_trickles_its_client_hello() {
    let p = pki();
    let hello = client_hello(&p.client());
    for server in [p.server.server(), choosing_server(&p)] {
        let server = server.with_handshake_timeout(HANDSHAKE_TIMEOUT);
        let hello = hello.clone();
        let (result, elapsed) =
            server_against(server, move |mut socket| trickle(&mut socket, &hello));
        let err = result.unwrap_err();
        assert!(
            is_handshake_deadline(&err),
            "expected the handshake timeout, got {err:?}"
        );
        assert!(
            (HANDSHAKE_TIMEOUT..TRICKLE_BOUND).contains(&elapsed),
            "gave up after {elapsed:?}"
        );
    }
}

#[test]
fn client_server_trickles_its_first_flight() {
    let p = pki();
    let server = p.server.server();
    let client = p.client().with_handshake_timeout(HANDSHAKE_TIMEOUT);
    let (result, elapsed) = client_against(client, move |mut socket| {
        let flight = server_first_flight(&mut socket, &server);
        trickle(&mut socket, &flight);
    });
    let err = result.unwrap_err();
    assert!(
        is_handshake_deadline(&err),
        "expected the handshake timeout, got {err:?}"
    );
    assert!(
        (HANDSHAKE_TIMEOUT..TRICKLE_BOUND).contains(&elapsed),
        "gave up after {elapsed:?}"
    );
}

/// `accept_async` and `connect_async` (feature `tokio`) end at the
/// handshake timeout too, against the same trickling peers.
#[cfg(feature = "tokio")]
#[test]
fn async_handshakes_end_at_the_handshake_timeout() {
    let p = pki();
    let hello = client_hello(&p.client());
    for server in [p.server.server(), choosing_server(&p)] {
        let server = server.with_handshake_timeout(HANDSHAKE_TIMEOUT);
        let hello = hello.clone();
        let (result, elapsed) = async_against(
            move |socket| async move { server.accept_async(socket).await.map(drop) },
            move |mut socket| trickle(&mut socket, &hello),
            false,
        );
        let err = result.unwrap_err();
        assert!(is_handshake_deadline(&err), "accept_async: got {err:?}");
        assert!(
            (HANDSHAKE_TIMEOUT..TRICKLE_BOUND).contains(&elapsed),
            "accept_async gave up after {elapsed:?}"
        );
    }

    let server = p.server.server();
    let client = p.client().with_handshake_timeout(HANDSHAKE_TIMEOUT);
    let (result, elapsed) = async_against(
        move |socket| async move { client.connect_async(HOST, socket).await.map(drop) },
        move |mut socket| {
            let flight = server_first_flight(&mut socket, &server);
            trickle(&mut socket, &flight);
        },
        true,
    );
    let err = result.unwrap_err();
    assert!(is_handshake_deadline(&err), "connect_async: got {err:?}");
    assert!(
        (HANDSHAKE_TIMEOUT..TRICKLE_BOUND).contains(&elapsed),
        "connect_async gave up after {elapsed:?}"
    );
}

/// Runs `ours` on a tokio runtime against a fake peer on loopback doing
/// `behave` (blocking, on its own thread); ours connects when `connects`,
/// and accepts otherwise. Returns our result and how long `ours` took.
#[cfg(feature = "tokio")]
fn async_against<F: std::future::Future<Output = Result<(), Error>> + 'static>(
    ours: impl FnOnce(tokio::net::TcpStream) -> F + Send + 'static,
    behave: impl FnOnce(TcpStream) + Send + 'static,
    connects: bool,
) -> (Result<(), Error>, Duration) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (ours_listener, fake) = if connects {
        let fake = thread::spawn(move || behave(listener.accept().unwrap().0));
        (None, fake)
    } else {
        let fake = thread::spawn(move || behave(TcpStream::connect(addr).unwrap()));
        (Some(listener), fake)
    };
    let result = within_watchdog("async handshake", move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let socket = match ours_listener {
                Some(listener) => {
                    listener.set_nonblocking(true).unwrap();
                    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                    listener.accept().await.unwrap().0
                }
                None => tokio::net::TcpStream::connect(addr).await.unwrap(),
            };
            let start = Instant::now();
            let result = ours(socket).await;
            (result, start.elapsed())
        })
    });
    fake.join().unwrap();
    result
}

/// A handshake timeout leaves handshakes that end in time alone, on both
/// sides and both server paths.
#[test]
fn a_prompt_peer_finishes_within_the_handshake_timeout() {
    let p = pki();
    let timeout = Duration::from_secs(30);
    let client = p.client().with_handshake_timeout(timeout);
    for server in [p.server.server(), choosing_server(&p)] {
        let server = server.with_handshake_timeout(timeout);
        let (c, s) = common::connect(&client, &server, HOST).ok();
        assert!(c.peer_certificate().is_some() && s.session_cipher().is_some());
    }
}

// ---- examples/server: its thread cap and handshake timeout ----

/// `target/<profile>/examples/server` with `--max-concurrent`; `None` (a
/// loud skip, a failure under CI) when it is missing.
fn example_server() -> Option<std::path::PathBuf> {
    let path = common::example_binary("server")?;
    let help = std::process::Command::new(&path)
        .arg("--help")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&help.stdout).contains("--max-concurrent"),
        "{} has no --max-concurrent: rebuild it with `cargo build --all-features --example server`",
        path.display()
    );
    Some(path)
}

/// `examples/server --max-concurrent 2` serves two connections at once: a
/// client is served at once beside one that stalls, and waits, unaccepted,
/// beside two (one silent, one trickling its ClientHello) until the first
/// of them is dropped at the handshake timeout.
#[test]
fn the_example_server_caps_its_threads_and_times_handshakes_out() {
    let Some(program) = example_server() else {
        return;
    };
    const TIMEOUT_MS: u64 = 4_000;
    let timeout = Duration::from_millis(TIMEOUT_MS);
    let args: Vec<String> = [
        "--self-signed",
        "--port",
        "{port}",
        "--max-concurrent",
        "2",
        "--handshake-timeout-ms",
        &TIMEOUT_MS.to_string(),
    ]
    .map(str::to_owned)
    .to_vec();
    let server = common::peers::PeerServer::start(program.to_str().unwrap(), &args, "listening on")
        .unwrap_or_else(|e| panic!("{e}"));
    let client = SslConfiguration::new()
        .with_peer_verify_mode(sslconf::PeerVerifyMode::VerifyNone)
        .with_ssl_option(sslconf::SslOption::DisableSessionSharing, true)
        .unwrap();
    let request = |client: &SslConfiguration| {
        let (_, answer) =
            common::peers::our_client(client, HOST, server.port, b"GET / HTTP/1.1\r\n\r\n")
                .unwrap_or_else(|e| panic!("{e}; server: {}", server.output()));
        assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    };

    let started = Instant::now();
    let _silent = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    request(&client);
    assert!(
        started.elapsed() < timeout,
        "beside one stalled client, served only after {:?}: {}",
        started.elapsed(),
        server.output()
    );

    let hello = client_hello(&pki().client());
    let mut trickling = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let trickler = thread::spawn(move || trickle(&mut trickling, &hello));
    request(&client);
    // Both threads were held until the silent client's timeout at the earliest.
    assert!(
        started.elapsed() >= timeout,
        "beside two stalled clients, served after {:?}, before either was dropped: {}",
        started.elapsed(),
        server.output()
    );
    // Each is dropped about when the other is, in either order.
    let silent_dropped = "handshake failed: tls handshake timed out: the peer did not answer \
                          within the socket's timeout";
    let trickler_dropped = "handshake failed: tls handshake timed out: not done within its \
                            handshake timeout of 4s";
    for dropped in [silent_dropped, trickler_dropped] {
        assert!(
            server.wait_for_output(dropped, WATCHDOG),
            "{}",
            server.output()
        );
    }
    trickler.join().unwrap();
}

/// `examples/server` gives a client `--idle-timeout-ms` for its whole
/// request head, however it paces it.
#[test]
fn the_example_server_times_out_a_trickled_request() {
    let Some(program) = example_server() else {
        return;
    };
    let args: Vec<String> = [
        "--self-signed",
        "--port",
        "{port}",
        "--idle-timeout-ms",
        "1000",
    ]
    .map(str::to_owned)
    .to_vec();
    let server = common::peers::PeerServer::start(program.to_str().unwrap(), &args, "listening on")
        .unwrap_or_else(|e| panic!("{e}"));
    let client = SslConfiguration::new().with_peer_verify_mode(sslconf::PeerVerifyMode::VerifyNone);
    let socket = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    socket.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    let mut tls = client.connect(HOST, socket).unwrap();
    // Six seconds of request at this pace: a byte well within each read's timeout.
    let request = format!("GET / HTTP/1.1\r\nHost: {HOST}\r\nUser-Agent: a-slow-one\r\n\r\n");
    let trickler = thread::spawn(move || {
        for byte in request.bytes() {
            if tls.write_all(&[byte]).and_then(|()| tls.flush()).is_err() {
                return;
            }
            thread::sleep(TRICKLE);
        }
    });
    assert!(
        server.wait_for_output("no request in time", WATCHDOG),
        "{}",
        server.output()
    );
    trickler.join().unwrap();
}

// ---- a server that keeps serving ----

#[test]
fn a_server_keeps_serving_after_bad_clients() {
    let p = pki();
    let client = p.client();
    let server = p.server.server();
    let hello = client_hello(&client);

    // What each client does, in order: three bad ones, then good ones.
    type Behaviour = Box<dyn FnOnce(TcpStream, &SslConfiguration) -> bool + Send>;
    let good: fn(TcpStream, &SslConfiguration) -> bool = |socket, client| {
        socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut tls = client.connect(HOST, socket).unwrap();
        tls.write_all(b"ping").unwrap();
        tls.flush().unwrap();
        let mut answer = [0u8; 4];
        tls.read_exact(&mut answer).unwrap();
        answer == *b"ping"
    };
    let clients: Vec<Behaviour> = vec![
        Box::new(|mut socket, _| {
            socket.write_all(b"\x00garbage\xff\xfe not TLS").unwrap();
            drain(&mut socket);
            false
        }),
        Box::new(move |mut socket, _| {
            socket.write_all(&hello[..hello.len() / 3]).unwrap();
            socket.shutdown(Shutdown::Both).unwrap();
            false
        }),
        Box::new(|mut socket, _| {
            drain(&mut socket);
            false
        }),
        Box::new(good),
        Box::new(good),
        Box::new(good),
    ];
    let count = clients.len();

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let served = thread::spawn(move || {
        let mut outcomes = Vec::new();
        for _ in 0..count {
            let (socket, _) = listener.accept().unwrap();
            socket.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
            let outcome = server.accept(socket).and_then(|mut tls| {
                let mut buf = [0u8; 4];
                tls.read_exact(&mut buf)?;
                tls.write_all(&buf)?;
                tls.flush()?;
                tls.shutdown()?;
                Ok(())
            });
            outcomes.push(outcome.map_err(|e| e.to_string()));
        }
        outcomes
    });

    let answered = within_watchdog("six clients", move || {
        clients
            .into_iter()
            .map(|behave| behave(TcpStream::connect(addr).unwrap(), &client))
            .collect::<Vec<bool>>()
    });
    let outcomes = served.join().unwrap();

    assert_eq!(answered, [false, false, false, true, true, true]);
    let ok: Vec<bool> = outcomes.iter().map(Result::is_ok).collect();
    assert_eq!(
        ok,
        [false, false, false, true, true, true],
        "server outcomes: {outcomes:?}"
    );
}

// -- A trust too large for one CertificateRequest (review) -------------------

/// A server that verifies clients sends the subject of every configured CA
/// certificate as a hint in its CertificateRequest, whose list rustls
/// encodes with a 16-bit length, asserting (in a destructor) that it
/// fits (a `debug_assert!`, in a destructor): 700 client CAs with
/// 90-character names (64 KiB of names; or a bundle that a cron job
/// appended one CA to again and again) make every handshake that asks for
/// a client certificate panic inside rustls in a debug build, a panic
/// during a panic that aborts the whole process, in `accept` and through
/// the raw `server_config()` alike; in a release build the length wraps
/// and no client can read the CertificateRequest. The conversion must refuse
/// such a trust with an error, or the server send fewer hints (RFC 8446
/// makes them optional); a handshake must never panic. Run in a child
/// process, which the abort kills rather than this test binary.
#[test]
fn a_server_trusting_many_client_cas_never_panics_in_a_handshake() {
    const CHILD: &str = "SSLCONF_FAULTS_MANY_HINTS";
    if std::env::var_os(CHILD).is_none() {
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "a_server_trusting_many_client_cas_never_panics_in_a_handshake",
                "--exact",
                "--nocapture",
            ])
            .env(CHILD, "1")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "the server's handshake: {}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .filter(|l| l.contains("panicked")
                    || l.contains("assertion")
                    || l.contains("abort"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        return;
    }
    let p = pki();
    let cas: Vec<Authority> = (0..700)
        .map(|i| Authority::root(&format!("{i:04} {}", "Client Authority ".repeat(5))))
        .collect();
    let member = cas[0].leaf("member.test");
    let server = p
        .server
        .server()
        .with_ca_certificates(cas.iter().map(|ca| ca.cert.clone()))
        .with_peer_verify_mode(sslconf::PeerVerifyMode::VerifyPeer);
    let Ok(config) = server.server_config() else {
        return; // refused at conversion, with an error: what is asked
    };
    let client = p
        .client()
        .with_local_identity(sslconf::Identity::new(member.chain.clone(), member.key()));
    let mut c =
        rustls::ClientConnection::new(client.client_config().unwrap(), HOST.try_into().unwrap())
            .unwrap();
    let mut s = rustls::ServerConnection::new(config).unwrap();
    // The whole handshake in memory: a client of one of the CAs gets in.
    for _ in 0..10 {
        let mut bytes = Vec::new();
        while c.wants_write() {
            c.write_tls(&mut bytes).unwrap();
        }
        let mut input = &bytes[..];
        while !input.is_empty() {
            s.read_tls(&mut input).unwrap();
            s.process_new_packets().expect("the server");
        }
        let mut bytes = Vec::new();
        while s.wants_write() {
            s.write_tls(&mut bytes).unwrap();
        }
        let mut input = &bytes[..];
        while !input.is_empty() {
            c.read_tls(&mut input).unwrap();
            c.process_new_packets().expect("the client");
        }
    }
    assert!(!c.is_handshaking() && !s.is_handshaking());
}

/// `examples/server` answers in HTTP/1.1 only: asked to agree on h2 by
/// ALPN it refuses to start, naming the protocol, rather than agree on h2
/// with a browser and answer it in HTTP/1.1 (a blank page).
#[test]
fn the_example_server_refuses_an_alpn_protocol_it_does_not_speak() {
    let Some(program) = example_server() else {
        return;
    };
    let out = std::process::Command::new(&program)
        .args(["--self-signed", "--port", "0", "--alpn", "h2,http/1.1"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("ALPN protocol \"h2\""), "{said}");
}

// -- review3 --

/// Writes `bytes` in `pieces` slices, `TRICKLE` apart, the last one
/// `(pieces - 1) * TRICKLE` after the first; false once the other side
/// has closed.
fn in_slices(socket: &mut TcpStream, bytes: &[u8], pieces: usize) -> bool {
    socket.set_nodelay(true).unwrap();
    for (at, slice) in bytes.chunks(bytes.len().div_ceil(pieces)).enumerate() {
        if at > 0 {
            thread::sleep(TRICKLE);
        }
        if socket.write_all(slice).is_err() {
            return false;
        }
    }
    true
}

/// A client that takes just under the handshake timeout for each of its
/// two flights (its ClientHello, then its Finished), each sent in slices:
/// a timer per step (the ClientHello read by `LazyConfigAcceptor`, then
/// the handshake), which the review of `Within`/`Deadline` was to rule
/// out, would let it finish in nearly twice the timeout. One timer ends it
/// at the timeout, on both of `accept_async`'s paths. (Regression: passes.)
#[cfg(feature = "tokio")]
#[test]
fn async_accept_times_the_client_hello_and_the_handshake_on_one_timer() {
    let p = pki();
    for server in [p.server.server(), choosing_server(&p)] {
        let server = server.with_handshake_timeout(HANDSHAKE_TIMEOUT);
        let client = p.client();
        let (result, elapsed) = async_against(
            move |socket| async move { server.accept_async(socket).await.map(drop) },
            move |mut socket| {
                let mut conn = rustls::ClientConnection::new(
                    client.client_config().unwrap(),
                    HOST.try_into().unwrap(),
                )
                .unwrap();
                let mut hello = Vec::new();
                while conn.wants_write() {
                    conn.write_tls(&mut hello).unwrap();
                }
                if !in_slices(&mut socket, &hello, 5) {
                    return;
                }
                socket.set_read_timeout(Some(WATCHDOG)).unwrap();
                let mut buf = [0u8; 4096];
                while conn.is_handshaking() && !conn.wants_write() {
                    match socket.read(&mut buf) {
                        Ok(n) if n > 0 => {
                            conn.read_tls(&mut &buf[..n]).unwrap();
                            conn.process_new_packets().unwrap();
                        }
                        _ => return,
                    }
                }
                let mut finished = Vec::new();
                while conn.wants_write() {
                    conn.write_tls(&mut finished).unwrap();
                }
                if in_slices(&mut socket, &finished, 5) {
                    drain_quietly(socket);
                }
            },
            false,
        );
        let err = result.unwrap_err();
        assert!(is_handshake_deadline(&err), "accept_async: got {err:?}");
        assert!(
            (HANDSHAKE_TIMEOUT..TRICKLE_BOUND).contains(&elapsed),
            "accept_async gave up after {elapsed:?}"
        );
    }
}
