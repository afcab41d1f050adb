//! The ecosystem programs against each other, as separate processes: the
//! reqwest and hyper-rustls clients against the axum server with mutual TLS
//! and a private CA made here, `curl` (HTTP/2 and HTTP/1.1) against the axum
//! server, the tonic client against the tonic server, two axum nodes of a
//! fleet calling each other from one settings file each (mutual TLS both
//! ways), a wrong server certificate reaching each client as Qt's error list, a stalled handshake
//! that blocks no one, a stalled request header dropped at its deadline, and
//! graceful shutdown within its grace period.
//!
//! The programs are this package's binaries, which cargo builds (current)
//! before it runs this file. Every process is killed on drop; every step
//! has a deadline.

// The crate's own test helpers (PKI, scratch files, peer processes).
#[path = "../../../tests/common/mod.rs"]
mod common;

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::peers::{run_client, ClientRun, PeerServer, PemFiles, Scratch};
use common::{Authority, LeafSpec};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rcgen::ExtendedKeyUsagePurpose;
use sslconf::{Identity, SslConfiguration, TlsStream};

const HOST: &str = "localhost";

// The programs under test, which cargo builds before it runs this file.
const AXUM_SERVER: &str = env!("CARGO_BIN_EXE_axum_server");
const REQWEST_CLIENT: &str = env!("CARGO_BIN_EXE_reqwest_client");
const HYPER_CLIENT: &str = env!("CARGO_BIN_EXE_hyper_client");
const TONIC_SERVER: &str = env!("CARGO_BIN_EXE_tonic_server");
const TONIC_CLIENT: &str = env!("CARGO_BIN_EXE_tonic_client");

/// A private CA, a server identity for `localhost` and a client identity,
/// written as PEM files.
struct Pki {
    scratch: Scratch,
    ca: String,
    server: PemFiles,
    client: PemFiles,
}

impl Pki {
    fn new(tag: &str) -> Pki {
        let scratch = Scratch::new(tag);
        let authority = Authority::root("eco test CA");
        let server =
            authority.issue(&LeafSpec::new(HOST).eku(vec![ExtendedKeyUsagePurpose::ServerAuth]));
        let client = authority
            .issue(&LeafSpec::new("eco client").eku(vec![ExtendedKeyUsagePurpose::ClientAuth]));
        Pki {
            ca: scratch.write("ca.pem", authority.cert.to_pem()),
            server: scratch.identity("server", &server),
            client: scratch.identity("client", &client),
            scratch,
        }
    }

    /// Files of another identity for `localhost`, from a CA no client trusts.
    fn stranger(&self) -> PemFiles {
        let other = Authority::root("unknown CA");
        self.scratch.identity(
            "stranger",
            &other.issue(&LeafSpec::new(HOST).eku(vec![ExtendedKeyUsagePurpose::ServerAuth])),
        )
    }

    /// Files of an identity from the right CA for another name.
    fn wrong_name(&self, authority_ca: &Authority) -> PemFiles {
        self.scratch
            .identity("elsewhere", &authority_ca.leaf("elsewhere.example"))
    }

    fn client_flags(&self) -> Vec<String> {
        [
            "--ca",
            &self.ca,
            "--cert",
            &self.client.cert,
            "--key",
            &self.client.key,
        ]
        .map(str::to_owned)
        .to_vec()
    }
}

/// The axum example with `server`'s identity, clients verified against the
/// CA, and `extra` flags.
fn axum_server(program: &str, pki: &Pki, server: &PemFiles, extra: &[&str]) -> PeerServer {
    let mut args: Vec<String> = [
        "--port",
        "{port}",
        "--cert",
        &server.cert,
        "--key",
        &server.key,
        "--ca",
        &pki.ca,
    ]
    .map(str::to_owned)
    .to_vec();
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    PeerServer::start(program, &args, "listening on").unwrap_or_else(|e| panic!("{e}"))
}

fn url(server: &PeerServer, path: &str) -> String {
    format!("https://{HOST}:{}{path}", server.port)
}

fn run(program: &str, args: &[String]) -> ClientRun {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_client(program, &args, b"")
}

/// The value of the `label` row in a session table.
fn row<'a>(output: &'a str, label: &str) -> Option<&'a str> {
    output
        .lines()
        .find(|l| l.starts_with(label) && l.as_bytes().get(label.len()) == Some(&b' '))
        .map(|l| l[label.len()..].trim())
}

fn assert_session(run: &ClientRun, http: &str, alpn: &str) {
    assert!(run.success(), "{}", run.tail());
    let out = &run.output;
    assert!(out.contains("status 200 OK"), "{out}");
    assert_eq!(row(out, "HTTP"), Some(http), "{out}");
    assert_eq!(row(out, "ALPN"), Some(alpn), "{out}");
    assert_eq!(row(out, "SNI received"), Some(HOST), "{out}");
    // The server's handler saw the verified client certificate.
    assert!(
        row(out, "peer chain").is_some_and(|c| c.starts_with("[0] eco client (expires ")),
        "{out}"
    );
    assert_eq!(row(out, "verification errors"), Some("none"), "{out}");
    assert!(
        row(out, "protocol").is_some_and(|p| p.starts_with("TLS 1.")),
        "{out}"
    );
    assert!(
        row(out, "cipher").is_some_and(|c| c.starts_with("TLS_")),
        "{out}"
    );
}

/// Waits until `server` has printed `marker` `count` times (it logs a
/// connection when it ends, after the client exited); the count then.
fn wait_for_count(server: &PeerServer, marker: &str, count: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let seen = server.output().matches(marker).count();
        if seen >= count || Instant::now() >= deadline {
            return seen;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn reqwest_and_hyper_clients_fetch_from_the_axum_server_with_mutual_tls() {
    let (server, reqwest, hyper) = (AXUM_SERVER, REQWEST_CLIENT, HYPER_CLIENT);
    let pki = Pki::new("eco-clients");
    let server = axum_server(server, &pki, &pki.server, &["--verify-mode", "verify"]);
    // hyper-rustls offers no ALPN for HTTP/1.1 alone: the server falls back to it.
    for (client, http1_alpn) in [(&reqwest, "http/1.1"), (&hyper, "-")] {
        let mut args = pki.client_flags();
        args.push(url(&server, "/"));
        assert_session(&run(client, &args), "HTTP/2.0", "h2");

        args.insert(0, "--http1".to_owned());
        assert_session(&run(client, &args), "HTTP/1.1", http1_alpn);

        let mut args = pki.client_flags();
        args.push(url(&server, "/whoami"));
        let whoami = run(client, &args);
        assert!(whoami.success(), "{}", whoami.tail());
        assert!(
            whoami
                .output
                .contains("hello eco client (issued by eco test CA)"),
            "{}",
            whoami.output
        );
    }
    assert_eq!(
        wait_for_count(&server, " \"h2\"", 4),
        4,
        "{}",
        server.output()
    );
    for protocol in [" \"http/1.1\"", " \"no ALPN\""] {
        assert_eq!(
            wait_for_count(&server, protocol, 1),
            1,
            "{}",
            server.output()
        );
    }
    assert!(!server.output().contains("failed"), "{}", server.output());
}

#[test]
#[cfg_attr(skip_curl, ignore = "curl is not on PATH")]
fn curl_speaks_http2_and_http1_to_the_axum_server_with_mutual_tls() {
    let program = AXUM_SERVER;
    if !common::peer_available("curl") {
        return;
    }
    let pki = Pki::new("eco-curl");
    let server = axum_server(program, &pki, &pki.server, &["--verify-mode", "verify"]);
    let curl = |flag: &str, path: &str, with_cert: bool| {
        let mut args = vec![
            "-sS".to_owned(),
            flag.to_owned(),
            "--cacert".to_owned(),
            pki.ca.clone(),
            "-w".to_owned(),
            "curl saw HTTP %{http_version} status %{http_code}\n".to_owned(),
        ];
        if with_cert {
            args.extend([
                "--cert".to_owned(),
                pki.client.cert.clone(),
                "--key".to_owned(),
                pki.client.key.clone(),
            ]);
        }
        args.push(url(&server, path));
        run("curl", &args)
    };
    for (flag, version, http, alpn) in [
        ("--http2", "2", "HTTP/2.0", "h2"),
        ("--http1.1", "1.1", "HTTP/1.1", "http/1.1"),
    ] {
        let page = curl(flag, "/", true);
        assert!(page.success(), "{}", page.tail());
        // curl's own view: the protocol it negotiated and verified our chain for.
        assert!(
            page.output
                .contains(&format!("curl saw HTTP {version} status 200")),
            "{}",
            page.output
        );
        // The handler's view of the same connection.
        assert_eq!(row(&page.output, "HTTP"), Some(http), "{}", page.output);
        assert_eq!(row(&page.output, "ALPN"), Some(alpn), "{}", page.output);
        assert!(
            row(&page.output, "peer chain").is_some_and(|c| c.starts_with("[0] eco client")),
            "{}",
            page.output
        );
        let whoami = curl(flag, "/whoami", true);
        assert!(
            whoami.output.contains("hello eco client"),
            "{}",
            whoami.output
        );
    }
    // VerifyPeer: curl without a certificate is refused in the handshake.
    let refused = curl("--http2", "/whoami", false);
    assert!(!refused.success(), "{}", refused.tail());
    assert!(
        server.wait_for_output(
            "handshake failed: peer verification failed: the peer did not present any certificate",
            Duration::from_secs(5)
        ),
        "{}",
        server.output()
    );

    // AutoVerifyPeer: the certificate is optional, and /whoami says who is missing.
    let optional = axum_server(program, &pki, &pki.server, &["--verify-mode", "auto"]);
    let anonymous = run(
        "curl",
        &[
            "-sS".to_owned(),
            "--cacert".to_owned(),
            pki.ca.clone(),
            "-w".to_owned(),
            "status %{http_code}\n".to_owned(),
            url(&optional, "/whoami"),
        ],
    );
    assert!(anonymous.success(), "{}", anonymous.tail());
    assert!(
        anonymous.output.contains("no client certificate")
            && anonymous.output.contains("status 401"),
        "{}",
        anonymous.output
    );
}

/// A wrong server certificate fails each client with Qt's error list, dug
/// out of reqwest's, hyper's and tonic's errors.
#[test]
fn a_wrong_server_certificate_reaches_each_client_as_ssl_errors() {
    let (server, reqwest, hyper) = (AXUM_SERVER, REQWEST_CLIENT, HYPER_CLIENT);
    let pki = Pki::new("eco-wrong");
    let stranger = pki.stranger();
    let ca = Authority::root("eco other CA");
    let other_ca = pki.scratch.write("other-ca.pem", ca.cert.to_pem());
    let elsewhere = pki.wrong_name(&ca);
    let cases = [
        (
            &stranger,
            pki.ca.clone(),
            "ssl error: the issuer certificate of a locally looked up certificate could not be found",
        ),
        (
            &elsewhere,
            other_ca,
            "ssl error: the host name did not match any of the valid hosts for this certificate",
        ),
    ];
    for (identity, trusted, expected) in cases {
        let server = axum_server(server, &pki, identity, &[]);
        for client in [&reqwest, &hyper] {
            let args = vec!["--ca".to_owned(), trusted.clone(), url(&server, "/")];
            let failed = run(client, &args);
            assert!(!failed.success(), "{}", failed.tail());
            assert!(
                failed.output.contains(expected),
                "{client}: {}",
                failed.output
            );
            assert!(
                failed.output.contains("  tls: peer verification failed"),
                "{}",
                failed.output
            );
        }
    }
}

#[test]
fn tonic_client_calls_the_tonic_server_with_mutual_tls() {
    let (server, client) = (TONIC_SERVER, TONIC_CLIENT);
    let pki = Pki::new("eco-tonic");
    let args: Vec<String> = [
        "--port",
        "{port}",
        "--cert",
        &pki.server.cert,
        "--key",
        &pki.server.key,
        "--ca",
        &pki.ca,
    ]
    .map(str::to_owned)
    .to_vec();
    let server = PeerServer::start(server, &args, "listening on").unwrap_or_else(|e| panic!("{e}"));
    let target = format!("https://{HOST}:{}", server.port);

    let mut args = pki.client_flags();
    args.extend(["--name".to_owned(), "tester".to_owned(), target.clone()]);
    let call = run(client, &args);
    assert!(call.success(), "{}", call.tail());
    let out = &call.output;
    // What the service method read from the connection's SessionState.
    assert_eq!(
        row(out, "reply"),
        Some("hello tester, your certificate says eco client"),
        "{out}"
    );
    assert_eq!(
        row(out, "server saw client"),
        Some("CN=eco client"),
        "{out}"
    );
    // The client's own state of the same connection agrees.
    assert_eq!(row(out, "ALPN"), Some("h2"), "{out}");
    assert_eq!(
        row(out, "protocol"),
        row(out, "server saw protocol"),
        "{out}"
    );
    assert_eq!(row(out, "cipher"), row(out, "server saw cipher"), "{out}");
    assert!(
        row(out, "peer chain").is_some_and(|c| c.starts_with("[0] localhost")),
        "{out}"
    );
    assert!(
        server.wait_for_output(
            "SayHello(\"tester\") from CN=eco client",
            Duration::from_secs(5)
        ),
        "{}",
        server.output()
    );

    // Without a client certificate the server refuses the handshake.
    let anonymous = run(client, &["--ca".to_owned(), pki.ca.clone(), target.clone()]);
    assert!(!anonymous.success(), "{}", anonymous.tail());
    assert!(
        server.wait_for_output(
            "the peer did not present any certificate",
            Duration::from_secs(5)
        ),
        "{}",
        server.output()
    );

    // A server certificate from a CA the client does not trust.
    let mut args = pki.client_flags();
    args[1] = pki.scratch.write(
        "unrelated-ca.pem",
        Authority::root("unrelated").cert.to_pem(),
    );
    args.push(target);
    let untrusted = run(client, &args);
    assert!(!untrusted.success(), "{}", untrusted.tail());
    assert!(
        untrusted.output.contains(
            "ssl error: the issuer certificate of a locally looked up certificate could not be found"
        ),
        "{}",
        untrusted.output
    );
}

/// Sockets that never finish a handshake hold no one up: requests are
/// served meanwhile, and each stalled one is dropped at its deadline.
#[test]
fn stalled_handshakes_block_neither_the_accept_loop_nor_other_clients() {
    let (server, reqwest) = (AXUM_SERVER, REQWEST_CLIENT);
    let pki = Pki::new("eco-stall");
    const DEADLINE_MS: u64 = 5_000;
    let server = axum_server(
        server,
        &pki,
        &pki.server,
        &["--handshake-timeout-ms", &DEADLINE_MS.to_string()],
    );
    let started = Instant::now();
    // Silent sockets, and one that sends the start of a record and stops.
    let mut stalled: Vec<TcpStream> = (0..4)
        .map(|_| TcpStream::connect(("127.0.0.1", server.port)).unwrap())
        .collect();
    stalled[0]
        .write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
        .unwrap();

    let mut args = pki.client_flags();
    args.push(url(&server, "/whoami"));
    for _ in 0..3 {
        let served = run(reqwest, &args);
        assert!(served.success(), "{}", served.tail());
        assert!(
            served.output.contains("hello eco client"),
            "{}",
            served.output
        );
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_millis(DEADLINE_MS),
        "served only after {elapsed:?}, not before the stalled handshakes' deadline"
    );
    let timed_out = format!("handshake failed: not done in {DEADLINE_MS} ms");
    assert_eq!(
        wait_for_count(&server, &timed_out, stalled.len()),
        stalled.len(),
        "{}",
        server.output()
    );
}

/// Shutdown does not wait for handshakes in progress, ends an idle HTTP/2
/// connection that a client keeps open (GOAWAY), and exits by itself with
/// its summary.
#[test]
fn shutdown_is_graceful_and_held_by_neither_a_stalled_handshake_nor_an_idle_client() {
    let (program, reqwest) = (AXUM_SERVER, REQWEST_CLIENT);
    let pki = Pki::new("eco-shutdown");
    let server = axum_server(
        program,
        &pki,
        &pki.server,
        &[
            "--handshake-timeout-ms",
            "60000",
            "--shutdown-after-ms",
            "4000",
        ],
    );
    let _stalled = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let mut args = pki.client_flags();
    args.push(url(&server, "/"));
    let served = run(reqwest, &args);
    assert!(served.success(), "{}", served.tail());

    // A hyper client in this process keeps its HTTP/2 connection open, idle,
    // in the pool; its runtime's worker answers the server's GOAWAY.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let config = SslConfiguration::new()
        .with_ca_certificate_files([&pki.ca])
        .unwrap()
        .with_local_identity(Identity::from_files(&pki.client.cert, &pki.client.key).unwrap());
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config((*config.client_config().unwrap()).clone())
        .https_only()
        .enable_http2()
        .build();
    let client = Client::builder(TokioExecutor::new()).build::<_, Empty<Bytes>>(connector);
    let uri: hyper::Uri = url(&server, "/whoami").parse().unwrap();
    let (status, version, body) = runtime.block_on(async {
        let response = client.get(uri).await.unwrap();
        let (status, version) = (response.status(), response.version());
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, version, body)
    });
    assert_eq!(status, 200);
    assert_eq!(version, hyper::Version::HTTP_2);
    assert!(body.starts_with(b"hello eco client"), "{body:?}");

    let started = Instant::now();
    let log = server.finish(Duration::from_secs(15));
    assert!(
        started.elapsed() < Duration::from_secs(12),
        "still running {:?} after its shutdown: {log}",
        started.elapsed()
    );
    assert!(
        log.contains("shutting down: 2 connections to finish"),
        "{log}"
    );
    assert!(
        log.contains(
            "done: accepted 3, served 2, handshakes failed 0, handshakes timed out 0, \
             cut at shutdown 0"
        ),
        "{log}"
    );
    drop(client);
}

/// A TLS connection to `port` (ALPN `http/1.1`, so the server speaks
/// HTTP/1.1) that sends half a request line and stalls.
fn half_a_request(pki: &Pki, port: u16) -> TlsStream<TcpStream> {
    let config = SslConfiguration::new()
        .with_ca_certificate_files([&pki.ca])
        .unwrap()
        .with_allowed_next_protocols(["http/1.1"]);
    let socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut tls = config.connect(HOST, socket).unwrap();
    tls.write_all(b"GET / HTTP/1.1\r\n").unwrap();
    tls.flush().unwrap();
    tls
}

/// A client that finished its handshake, sent half a request line and
/// stalled is closed at the header-read deadline, not held forever; and
/// shutdown ends by its grace period although such a client (with a long
/// deadline now) and an HTTP/2 response the client never takes (a stream
/// window of 0: the server cannot send the body, so the stream never ends)
/// would hold its graceful drain forever, closing both connections.
#[test]
fn a_stalled_request_is_dropped_at_its_header_deadline_and_shutdown_keeps_its_grace_period() {
    let program = AXUM_SERVER;
    let pki = Pki::new("eco-slow");
    const HEADER_MS: u64 = 1_000;
    let server = axum_server(
        program,
        &pki,
        &pki.server,
        &["--header-read-timeout-ms", &HEADER_MS.to_string()],
    );
    let mut stalled = half_a_request(&pki, server.port);
    let started = Instant::now();
    let mut answer = Vec::new();
    let read = std::io::Read::read_to_end(&mut stalled, &mut answer);
    let elapsed = started.elapsed();
    // Closed by the server (with or without close_notify), before the
    // socket's own 30 s timeout.
    assert!(
        read.as_ref()
            .map_or_else(|e| e.kind() == std::io::ErrorKind::UnexpectedEof, |_| true),
        "{read:?} after {elapsed:?}"
    );
    assert!(
        elapsed >= Duration::from_millis(HEADER_MS * 9 / 10) && elapsed < Duration::from_secs(6),
        "closed after {elapsed:?}, the header deadline is {HEADER_MS} ms"
    );
    assert!(answer.is_empty(), "{:?}", String::from_utf8_lossy(&answer));
    assert!(
        server.wait_for_output(
            "serving http/1.1: read header from client timeout",
            Duration::from_secs(5)
        ),
        "{}",
        server.output()
    );

    // Shutdown: a stalled request header (60 s deadline now), and an HTTP/2
    // response the client holds with a window of 0.
    const AFTER_MS: u64 = 2_500;
    const GRACE_MS: u64 = 1_000;
    let server = axum_server(
        program,
        &pki,
        &pki.server,
        &[
            "--header-read-timeout-ms",
            "60000",
            "--shutdown-after-ms",
            &AFTER_MS.to_string(),
            "--shutdown-grace-ms",
            &GRACE_MS.to_string(),
        ],
    );
    let started = Instant::now();
    let _stalled = half_a_request(&pki, server.port);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let config = SslConfiguration::new()
        .with_ca_certificate_files([&pki.ca])
        .unwrap();
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config((*config.client_config().unwrap()).clone())
        .https_only()
        .enable_http2()
        .build();
    let client = Client::builder(TokioExecutor::new())
        .http2_only(true)
        .http2_initial_stream_window_size(0)
        .build::<_, Empty<Bytes>>(connector);
    let uri: hyper::Uri = url(&server, "/").parse().unwrap();
    let response = runtime.block_on(client.get(uri)).unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.version(), hyper::Version::HTTP_2);

    let log = server.finish(Duration::from_secs(20));
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_millis(AFTER_MS + GRACE_MS + 3_000),
        "ran {elapsed:?}, its shutdown began at {AFTER_MS} ms with a {GRACE_MS} ms grace period: {log}"
    );
    assert!(
        log.contains(&format!(
            "shutting down: 2 connections still open after the {GRACE_MS} ms grace period, \
             closing them"
        )),
        "{log}"
    );
    // Both held graceful shutdown: hyper's HTTP/1.1 graceful shutdown waits
    // for a request it has read part of, HTTP/2's for the open stream.
    assert!(
        log.contains(", served 0, handshakes failed 0, handshakes timed out 0, cut at shutdown 2"),
        "{log}"
    );
    drop(response);
    drop(client);
}

/// The tonic server's shutdown stops accepting at once (a new connection
/// is refused while calls finish) and ends by its grace period although a
/// call whose request never ends would hold tonic's drain forever.
#[test]
fn tonic_shutdown_stops_accepting_and_keeps_its_grace_period() {
    let program = TONIC_SERVER;
    let pki = Pki::new("eco-tonic-stop");
    const AFTER_MS: u64 = 2_500;
    const GRACE_MS: u64 = 2_000;
    let args: Vec<String> = [
        "--port",
        "{port}",
        "--cert",
        &pki.server.cert,
        "--key",
        &pki.server.key,
        "--ca",
        &pki.ca,
        "--shutdown-after-ms",
        &AFTER_MS.to_string(),
        "--shutdown-grace-ms",
        &GRACE_MS.to_string(),
    ]
    .map(str::to_owned)
    .to_vec();
    let server =
        PeerServer::start(program, &args, "listening on").unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();

    // A SayHello call whose request body never comes: tonic waits for the
    // message, and the stream stays open.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let config = SslConfiguration::new()
        .with_ca_certificate_files([&pki.ca])
        .unwrap()
        .with_local_identity(Identity::from_files(&pki.client.cert, &pki.client.key).unwrap());
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config((*config.client_config().unwrap()).clone())
        .https_only()
        .enable_http2()
        .build();
    type Never = http_body_util::StreamBody<
        tokio_stream::Pending<Result<hyper::body::Frame<Bytes>, std::convert::Infallible>>,
    >;
    let client = Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build::<_, Never>(connector);
    let request = hyper::Request::post(format!(
        "https://{HOST}:{}/sslconf.example.Greeter/SayHello",
        server.port
    ))
    .header("content-type", "application/grpc")
    .header("te", "trailers")
    .body(http_body_util::StreamBody::new(tokio_stream::pending()))
    .unwrap();
    let call = runtime.spawn(client.request(request));

    assert!(
        server.wait_for_output(
            "shutting down: 1 connections to finish",
            Duration::from_secs(10)
        ),
        "{}",
        server.output()
    );
    // The listener is closed: refused, not queued for a handshake.
    std::thread::sleep(Duration::from_millis(200));
    let refused = TcpStream::connect(("127.0.0.1", server.port));
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused),
        "{refused:?} during shutdown: {}",
        server.output()
    );

    let log = server.finish(Duration::from_secs(20));
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_millis(AFTER_MS + GRACE_MS + 3_000),
        "ran {elapsed:?}, its shutdown began at {AFTER_MS} ms with a {GRACE_MS} ms grace period: {log}"
    );
    assert!(
        log.contains(&format!(
            "shutting down: 1 connections still open after the {GRACE_MS} ms grace period, \
             closing them"
        )),
        "{log}"
    );
    // The call ends with its connection, closed without a response.
    let ended =
        runtime.block_on(async { tokio::time::timeout(Duration::from_secs(5), call).await });
    assert!(
        ended
            .as_ref()
            .is_ok_and(|joined| joined.as_ref().is_ok_and(Result::is_err)),
        "{ended:?}"
    );
}

/// A node's settings file: the fleet's CA for both sides, TLS 1.3, a client
/// certificate required; its server certificate served, its client
/// certificate presented.
fn fleet_node_toml(name: &str) -> String {
    format!(
        "protocol = \"tls1.3\"\n\
         allowed-next-protocols = [\"h2\", \"http/1.1\"]\n\
         ca-certificate-files = [\"fleet-ca.pem\"]\n\
         peer-verify-mode = \"verify\"\n\
         \n\
         [server.local-identity]\n\
         certificate-file = \"{name}-server.pem\"\n\
         key-file = \"{name}-server.key\"\n\
         \n\
         [client.local-identity]\n\
         certificate-file = \"{name}-client.pem\"\n\
         key-file = \"{name}-client.key\"\n"
    )
}

/// A fleet: two nodes of the axum example, one settings file each (the
/// fleet's CA, their own server and client certificates, `verify` both
/// ways), each calling the other's `/whoami` with the reqwest client of its
/// file's client side. Each node names the other's client certificate (in
/// its log and its answer), and each caller was served the other's server
/// certificate: mutual TLS both ways. A third node, whose client
/// certificate is from another CA, is refused by the node it calls.
#[test]
fn two_fleet_nodes_call_each_other_with_mutual_tls_from_one_settings_file_each() {
    let program = AXUM_SERVER;
    let scratch = Scratch::new("eco-fleet");
    let fleet = Authority::root("Fleet CA");
    let stranger_ca = Authority::root("Stranger CA");
    scratch.write("fleet-ca.pem", fleet.cert.to_pem());
    let node = |name: &str, ca: &Authority| -> String {
        let server_spec = LeafSpec {
            names: vec![name.to_owned(), HOST.to_owned()],
            ..LeafSpec::new(name)
        };
        let server = ca.issue(&server_spec.eku(vec![ExtendedKeyUsagePurpose::ServerAuth]));
        let client = ca.issue(
            &LeafSpec::new(&format!("{name} client"))
                .eku(vec![ExtendedKeyUsagePurpose::ClientAuth]),
        );
        scratch.identity(&format!("{name}-server"), &server);
        scratch.identity(&format!("{name}-client"), &client);
        scratch.write(&format!("{name}.toml"), fleet_node_toml(name))
    };
    let start = |settings: &str, port: &str, peer: u16| {
        let args: Vec<String> = [
            "--port",
            port,
            "--config",
            settings,
            "--peer",
            &format!("https://{HOST}:{peer}"),
        ]
        .map(str::to_owned)
        .to_vec();
        PeerServer::start(program, &args, "listening on").unwrap_or_else(|e| panic!("{e}"))
    };
    // Node a calls node b before b is up: it keeps calling until b answers.
    let b_port = common::peers::free_port();
    let a = start(&node("node-a", &fleet), "{port}", b_port);
    let b = start(&node("node-b", &fleet), &b_port.to_string(), a.port);
    let wait = |server: &PeerServer, marker: &str| {
        assert!(
            server.wait_for_output(marker, Duration::from_secs(15)),
            "no {marker:?} in:\n{}",
            server.output()
        );
    };
    for (caller, called, port) in [("node-a", "node-b", b_port), ("node-b", "node-a", a.port)] {
        let (caller_output, called_output) = if caller == "node-a" {
            (&a, &b)
        } else {
            (&b, &a)
        };
        wait(
            caller_output,
            &format!(
                "peer https://{HOST}:{port}/whoami: 200 OK from {called}: \
                 hello {caller} client (issued by Fleet CA)"
            ),
        );
        wait(
            called_output,
            &format!("whoami: {caller} client (issued by Fleet CA)"),
        );
    }

    // Another CA's client certificate: node a refuses it, as verified.
    let stranger = start(&node("stranger", &stranger_ca), "{port}", a.port);
    // With TLS 1.3 the client learns of it at its first read, from the
    // server's alert (or a reset): its request fails.
    wait(
        &stranger,
        &format!(
            "peer https://{HOST}:{}/whoami: error sending request",
            a.port
        ),
    );
    wait(&a, "handshake failed: peer verification failed");
    wait(&a, "stranger client");
    assert!(!a.output().contains("whoami: stranger"), "{}", a.output());
}
