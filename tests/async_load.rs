//! The tokio example server (`examples/support/async_server.rs`, run here
//! in-process) holding under load and faults: 1,000 clients on loopback at
//! once, of which 10 % stall halfway through their ClientHello, 10 % send
//! plain HTTP, 10 % connect and vanish, while the rest complete handshakes
//! and read their answer. Every good client is served, every stalled one is
//! dropped at the server's handshake deadline, and afterwards no connection
//! task and no file descriptor is left.
#![cfg(feature = "tokio")]

#[path = "../examples/support/async_server.rs"]
mod async_server;
mod common;
#[path = "../examples/support/mod.rs"]
mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_server::{Counters, Options};
use common::Authority;
use sslconf::SslConfiguration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const CLIENTS: usize = 1000;
/// Good clients in their handshake at once: enough to keep both CPUs busy,
/// few enough that each finishes well inside the deadline on a loaded
/// machine in a debug build (the faulty clients all connect at once).
const GOOD_IN_FLIGHT: usize = 100;
/// The server's handshake deadline in this test.
const HANDSHAKE_DEADLINE: Duration = Duration::from_secs(2);
/// Bounds the whole run; a hang fails the test instead of holding CI.
const WATCHDOG: Duration = Duration::from_secs(240);
/// Descriptors the run needs at its peak: both ends of every connection,
/// and some to spare.
const FDS_NEEDED: u64 = 2 * CLIENTS as u64 + 256;
/// Set in the child process started with a raised `ulimit -n`.
const CHILD: &str = "SSLCONF_ASYNC_LOAD_CHILD";

#[test]
fn a_thousand_clients_with_faults_are_served_or_dropped_and_nothing_leaks() {
    let limit = common::open_files_limit();
    if limit.is_some_and(|l| l < FDS_NEEDED) && std::env::var_os(CHILD).is_none() {
        // Raise the soft limit for a child running this test alone: no libc
        // needed, the shell's `ulimit` does it (up to the hard limit).
        let exe = std::env::current_exe().unwrap();
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg("ulimit -n 4096 || exit 97; exec \"$0\" \"$@\"")
            .arg(exe)
            .args([
                "--exact",
                "a_thousand_clients_with_faults_are_served_or_dropped_and_nothing_leaks",
                "--nocapture",
            ])
            .env(CHILD, "1")
            .status()
            .unwrap();
        if status.code() != Some(97) {
            assert!(
                status.success(),
                "the load test failed in its child: {status}"
            );
            return;
        }
        common::skipped(&format!(
            "`ulimit -n` is {} and cannot be raised to 4096 (hard limit); running fewer clients",
            limit.unwrap_or(0)
        ));
    }
    let clients = match limit {
        Some(l) if l < FDS_NEEDED && std::env::var_os(CHILD).is_none() => {
            (usize::try_from(l).unwrap_or(0).saturating_sub(256) / 2).max(10)
        }
        _ => CLIENTS,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        tokio::time::timeout(WATCHDOG, run(clients))
            .await
            .expect("the load test did not finish in time")
    });
}

/// What the clients saw.
#[derive(Default)]
struct Seen {
    served: AtomicUsize,
    stalled_dropped: AtomicUsize,
    garbage_refused: AtomicUsize,
    vanished: AtomicUsize,
}

async fn run(clients: usize) {
    // A tenth each: stall mid-handshake, send garbage, connect and vanish.
    let share = clients / 10;
    let good = clients - 3 * share;
    let ca = Authority::root("Load Root");
    let server = ca.leaf("localhost").server();
    let client = SslConfiguration::new().with_ca_certificates([ca.cert.clone()]);
    server.server_config().unwrap();
    client.client_config().unwrap();
    let half_hello = half_client_hello(&client);

    let fds_before = common::open_fds();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let counters = Arc::new(Counters::default());
    let options = Options {
        handshake_timeout: HANDSHAKE_DEADLINE,
        idle_timeout: Duration::from_secs(10),
        max_connections: Some(clients as u64),
        quiet: true,
        raw_rustls: false,
    };
    let serving = tokio::spawn(async_server::serve(
        server,
        listener,
        options,
        counters.clone(),
    ));

    // The peak of live connection tasks, sampled.
    let peak = Arc::new(AtomicUsize::new(0));
    let sampling = {
        let (counters, peak) = (counters.clone(), peak.clone());
        tokio::spawn(async move {
            loop {
                peak.fetch_max(counters.live.load(Ordering::Relaxed), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };

    let seen = Arc::new(Seen::default());
    let mut tasks = tokio::task::JoinSet::new();
    // The faulty clients, all at once.
    for i in 0..3 * share {
        let seen = seen.clone();
        let kind = [Kind::Stall, Kind::Garbage, Kind::Vanish][i % 3];
        let half_hello = half_hello.clone();
        tasks.spawn(async move {
            match kind {
                Kind::Stall => {
                    let mut socket = TcpStream::connect(addr).await.unwrap();
                    socket.write_all(&half_hello).await.unwrap();
                    // Nothing more: the server must drop us at its deadline.
                    let mut rest = Vec::new();
                    let _ = socket.read_to_end(&mut rest).await;
                    assert!(rest.is_empty(), "a stalled client was answered");
                    seen.stalled_dropped.fetch_add(1, Ordering::Relaxed);
                }
                Kind::Garbage => {
                    let mut socket = TcpStream::connect(addr).await.unwrap();
                    socket
                        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
                        .await
                        .unwrap();
                    // An alert, then the close (or a reset).
                    let mut rest = Vec::new();
                    let _ = socket.read_to_end(&mut rest).await;
                    seen.garbage_refused.fetch_add(1, Ordering::Relaxed);
                }
                Kind::Vanish => {
                    drop(TcpStream::connect(addr).await.unwrap());
                    seen.vanished.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    // The good clients, GOOD_IN_FLIGHT at a time, while the faulty ones are open.
    let next_good = Arc::new(AtomicUsize::new(0));
    for _ in 0..GOOD_IN_FLIGHT {
        let (seen, client, next_good) = (seen.clone(), client.clone(), next_good.clone());
        tasks.spawn(async move {
            while next_good.fetch_add(1, Ordering::Relaxed) < good {
                good_client(&client, addr).await;
                seen.served.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    // serve() ends once it has accepted every client and every task ended;
    // the stalled ones end at their deadline.
    serving.await.unwrap();
    sampling.abort();
    let _ = sampling.await;

    eprintln!(
        "{clients} clients: server {}; peak live connection tasks {}",
        counters.summary(),
        peak.load(Ordering::Relaxed)
    );
    assert_eq!(seen.served.load(Ordering::Relaxed), good);
    assert_eq!(seen.stalled_dropped.load(Ordering::Relaxed), share);
    assert_eq!(seen.garbage_refused.load(Ordering::Relaxed), share);
    assert_eq!(seen.vanished.load(Ordering::Relaxed), share);
    assert_eq!(counters.accepted.load(Ordering::Relaxed), clients as u64);
    assert_eq!(counters.served.load(Ordering::Relaxed), good as u64);
    assert_eq!(counters.answer_failed.load(Ordering::Relaxed), 0);
    // Every stalled client, and none else, was dropped at the deadline.
    assert_eq!(
        counters.handshake_timed_out.load(Ordering::Relaxed),
        share as u64
    );
    // Garbage and vanished clients failed their handshakes.
    assert_eq!(
        counters.handshake_failed.load(Ordering::Relaxed),
        2 * share as u64
    );
    // No task and no descriptor outlives its connection.
    assert_eq!(counters.live.load(Ordering::Relaxed), 0);
    // The stalled clients were all held at once (besides the good ones).
    assert!(
        peak.load(Ordering::Relaxed) >= share,
        "the stalled clients were not open at once"
    );
    if let Some(before) = fds_before {
        assert_eq!(common::open_fds(), Some(before), "file descriptors leaked");
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Stall,
    Garbage,
    Vanish,
}

/// A real handshake, a request, and the whole answer.
async fn good_client(client: &SslConfiguration, addr: std::net::SocketAddr) {
    let socket = TcpStream::connect(addr).await.unwrap();
    let mut tls = client.connect_async("localhost", socket).await.unwrap();
    tls.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    tls.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(
        answer.contains("SNI received          localhost"),
        "{answer}"
    );
}

/// The first half of a real ClientHello record from `client`'s config.
fn half_client_hello(client: &SslConfiguration) -> Vec<u8> {
    let name = sslconf::rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut conn =
        sslconf::rustls::ClientConnection::new(client.client_config().unwrap(), name).unwrap();
    let mut hello = Vec::new();
    conn.write_tls(&mut hello).unwrap();
    hello.truncate(hello.len() / 2);
    hello
}
