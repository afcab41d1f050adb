//! QUIC handshakes (feature `quic`): the crate's QUIC configs against quinn
//! with a hand-built rustls config, and TCP against QUIC for the same
//! certificate.
//!
//! - `quic-memory/{quinn,sslconf}/{full,resumed}/{server,client}`: one
//!   QUIC-TLS handshake in memory through quinn's crypto-session trait
//!   (what differs between the two: quinn's own session on
//!   `QuicServerConfig::try_from(rustls config)` against the crate's
//!   session on `quic_server_config()`), each side's time counted apart,
//!   as `benches/handshake.rs` does for TCP. TLS 1.3, ECDSA P-256, the
//!   provider's default groups (X25519MLKEM768 first with aws-lc-rs).
//! - `quic-loopback/{quinn,sslconf,sslconf-helpers}`: a whole quinn
//!   connection over UDP on 127.0.0.1 (connect, handshake, close), client
//!   and server endpoints on one current-thread runtime, so wall time is
//!   both sides' CPU; `sslconf-helpers` goes through
//!   `connect_quic`/`accept_quic` and reads both `SessionState`s.
//! - `tcp-vs-quic/{tcp,quic}/{memory-server,loopback}`: the same
//!   certificate and crate configuration over TCP (rustls in memory;
//!   tokio `connect_async`/`accept_async` on loopback) and QUIC.
//!
//! After criterion, `interleaved` prints the sslconf/quinn ratio of the
//! in-memory server side measured interleaved (batches alternating, median
//! of rounds), steadier on a shared machine than two criterion runs.
//!
//! ```sh
//! cargo bench -p sslconf-benches --all-features --bench quic
//! cargo bench -p sslconf-benches --all-features --bench quic -- quic-memory   # a filter
//! # Instruction counts of the in-memory handshake, one implementation
//! # ('*on_server*' or '*on_client*' for one side; `tcp` for TLS over TCP):
//! valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measured_*loop*' \
//!     target/release/deps/quic-* --callgrind full sslconf 200
//! ```

use sslconf_benches as common;

use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Groups, Impl, Key, Setup, Times, Version, HOST};
use criterion::{criterion_group, BenchmarkId, Criterion};
use quinn::crypto::{self, Session};
use quinn_proto::transport_parameters::TransportParameters;
use quinn_proto::{ConnectionId, Side};

/// Both sides' QUIC crypto configs of one implementation.
struct QuicPair {
    client: Arc<dyn crypto::ClientConfig>,
    server: Arc<dyn crypto::ServerConfig>,
}

fn quic_pair(setup: &Setup, imp: Impl) -> QuicPair {
    match imp {
        Impl::Rustls => QuicPair {
            client: Arc::new(
                quinn::crypto::rustls::QuicClientConfig::try_from(setup.rustls_client()).unwrap(),
            ),
            server: Arc::new(
                quinn::crypto::rustls::QuicServerConfig::try_from(setup.rustls_server()).unwrap(),
            ),
        },
        Impl::Sslconf => QuicPair {
            client: setup.sslconf_client().quic_client_config().unwrap(),
            server: setup.sslconf_server().quic_server_config().unwrap(),
        },
    }
}

fn name(imp: Impl) -> &'static str {
    match imp {
        Impl::Rustls => "quinn",
        Impl::Sslconf => "sslconf",
    }
}

#[inline(always)]
fn timed<T>(acc: &mut Duration, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    *acc += start.elapsed();
    out
}

/// Runs `f`, work of the server: callgrind counts it apart with
/// `--toggle-collect='*on_server*'`.
#[inline(never)]
fn on_server<T>(time: &mut Duration, f: impl FnOnce() -> T) -> T {
    timed(time, f)
}

/// Runs `f`, work of the client (`--toggle-collect='*on_client*'`).
#[inline(never)]
fn on_client<T>(time: &mut Duration, f: impl FnOnce() -> T) -> T {
    timed(time, f)
}

/// Moves what `from` has to say into `to`, one encryption level per call
/// (as rustls's QUIC connection hands it out); `from_server` tells which
/// side `from` is.
fn pump(
    from: &mut dyn Session,
    to: &mut dyn Session,
    times: &mut Times,
    from_server: bool,
) -> usize {
    let mut moved = 0;
    loop {
        let mut buf = Vec::new();
        let keys = if from_server {
            on_server(&mut times.server, || from.write_handshake(&mut buf))
        } else {
            on_client(&mut times.client, || from.write_handshake(&mut buf))
        };
        if !buf.is_empty() {
            if from_server {
                on_client(&mut times.client, || to.read_handshake(&buf).unwrap());
            } else {
                on_server(&mut times.server, || to.read_handshake(&buf).unwrap());
            }
            moved += buf.len();
        }
        if keys.is_none() {
            return moved;
        }
    }
}

/// One QUIC-TLS handshake in memory, with the initial keys quinn derives
/// for each connection; the server's tickets reach the client. Returns the
/// handshake bytes the server wrote.
#[inline(never)]
fn quic_handshake(pair: &QuicPair, times: &mut Times) -> usize {
    let cid = ConnectionId::new(&[0x5c; 8]);
    let client_params = TransportParameters::read(Side::Client, &mut &[][..]).unwrap();
    let server_params = TransportParameters::read(Side::Server, &mut &[][..]).unwrap();
    let mut client = on_client(&mut times.client, || {
        let session = pair
            .client
            .clone()
            .start_session(1, HOST, &client_params)
            .unwrap();
        black_box(session.initial_keys(&cid, Side::Client));
        session
    });
    let mut server = on_server(&mut times.server, || {
        black_box(pair.server.initial_keys(1, &cid).unwrap());
        pair.server.clone().start_session(1, &server_params)
    });
    let mut server_bytes = 0;
    loop {
        let c = pump(&mut *client, &mut *server, times, false);
        let s = pump(&mut *server, &mut *client, times, true);
        server_bytes += s;
        if c == 0 && s == 0 {
            break;
        }
    }
    assert!(!client.is_handshaking() && !server.is_handshaking());
    on_client(&mut times.client, || drop(client));
    on_server(&mut times.server, || drop(server));
    server_bytes
}

/// A pair for `setup`, checked: a resumed case's second handshake sends no
/// certificate (far fewer bytes than the first), a full case's does.
fn checked_pair(setup: &Setup, imp: Impl) -> QuicPair {
    let pair = quic_pair(setup, imp);
    let first = quic_handshake(&pair, &mut Times::default());
    let second = quic_handshake(&pair, &mut Times::default());
    assert_eq!(
        setup.resume,
        second + 200 < first,
        "{}: {first} then {second} bytes from the server",
        name(imp)
    );
    pair
}

fn setups() -> [Setup; 2] {
    [false, true].map(|resume| Setup::new(Version::Tls13, Key::Ecdsa, resume, Groups::Default))
}

fn quic_memory(c: &mut Criterion) {
    let mut group = c.benchmark_group("quic-memory");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    for setup in setups() {
        let kind = if setup.resume { "resumed" } else { "full" };
        // Checked twice, so that a resumed case resumes from the first iteration.
        let pairs = Impl::BOTH.map(|imp| (imp, checked_pair(&setup, imp)));
        for side in ["server", "client"] {
            for (imp, pair) in &pairs {
                let id = BenchmarkId::new(name(*imp), format!("{kind}/{side}"));
                group.bench_function(id, |b| {
                    b.iter_custom(|iters| {
                        let mut times = Times::default();
                        for _ in 0..iters {
                            quic_handshake(pair, &mut times);
                        }
                        match side {
                            "server" => times.server,
                            _ => times.client,
                        }
                    })
                });
            }
        }
    }
    group.finish();
}

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A server and a client quinn endpoint on 127.0.0.1.
fn endpoints(
    server: Arc<dyn crypto::ServerConfig>,
) -> (quinn::Endpoint, quinn::Endpoint, SocketAddr) {
    let server = quinn::Endpoint::server(
        quinn::ServerConfig::with_crypto(server),
        "127.0.0.1:0".parse().unwrap(),
    )
    .unwrap();
    let address = server.local_addr().unwrap();
    let client = quinn::Endpoint::client("127.0.0.1:0".parse().unwrap()).unwrap();
    (server, client, address)
}

fn quic_loopback(c: &mut Criterion) {
    let mut group = c.benchmark_group("quic-loopback");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    let setup = setups()[0];
    let rt = current_thread();
    for imp in Impl::BOTH {
        let pair = quic_pair(&setup, imp);
        let _guard = rt.enter();
        let (server, client, address) = endpoints(pair.server.clone());
        let client_config = quinn::ClientConfig::new(pair.client.clone());
        group.bench_function(name(imp), |b| {
            b.iter(|| {
                rt.block_on(async {
                    let accept = async { server.accept().await.unwrap().await.unwrap() };
                    let connect = async {
                        client
                            .connect_with(client_config.clone(), address, HOST)
                            .unwrap()
                            .await
                            .unwrap()
                    };
                    let (s, c) = tokio::join!(accept, connect);
                    c.close(0u32.into(), b"");
                    s.close(0u32.into(), b"");
                })
            })
        });
    }
    let (server_config, client_config) = (setup.sslconf_server(), setup.sslconf_client());
    let _guard = rt.enter();
    let (server, client, address) = endpoints(server_config.quic_server_config().unwrap());
    group.bench_function("sslconf-helpers", |b| {
        b.iter(|| {
            rt.block_on(async {
                let accept = async {
                    let incoming = server.accept().await.unwrap();
                    server_config.accept_quic(incoming).await.unwrap()
                };
                let connect = client_config.connect_quic(&client, address, HOST);
                let (s, c) = tokio::join!(accept, connect);
                let c = c.unwrap();
                black_box((
                    s.session_state().session_cipher(),
                    c.session_state().peer_certificate(),
                ));
                c.connection().close(0u32.into(), b"");
                s.connection().close(0u32.into(), b"");
            })
        })
    });
    group.finish();
}

fn tcp_vs_quic(c: &mut Criterion) {
    let mut group = c.benchmark_group("tcp-vs-quic");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    let setup = setups()[0];
    // The same crate configuration (TLS 1.3 only, as QUIC runs) for both.
    let tcp = setup.pair(Impl::Sslconf);
    let quic = quic_pair(&setup, Impl::Sslconf);
    group.bench_function("tcp/memory-server", |b| {
        let mut buf = Vec::new();
        b.iter_custom(|iters| {
            let mut times = Times::default();
            for _ in 0..iters {
                common::handshake(&tcp, &mut times, &mut buf);
            }
            times.server
        })
    });
    group.bench_function("quic/memory-server", |b| {
        b.iter_custom(|iters| {
            let mut times = Times::default();
            for _ in 0..iters {
                quic_handshake(&quic, &mut times);
            }
            times.server
        })
    });

    let rt = current_thread();
    let (server_config, client_config) = (setup.sslconf_server(), setup.sslconf_client());
    let _guard = rt.enter();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let tcp_address = listener.local_addr().unwrap();
    group.bench_function("tcp/loopback", |b| {
        b.iter(|| {
            rt.block_on(async {
                let accept = async {
                    let (socket, _) = listener.accept().await.unwrap();
                    server_config.accept_async(socket).await.unwrap()
                };
                let connect = async {
                    let socket = tokio::net::TcpStream::connect(tcp_address).await.unwrap();
                    client_config.connect_async(HOST, socket).await.unwrap()
                };
                let (s, c) = tokio::join!(accept, connect);
                black_box((s, c));
            })
        })
    });
    let (server, client, address) = endpoints(server_config.quic_server_config().unwrap());
    let quic_client = quinn::ClientConfig::new(client_config.quic_client_config().unwrap());
    group.bench_function("quic/loopback", |b| {
        b.iter(|| {
            rt.block_on(async {
                let accept = async { server.accept().await.unwrap().await.unwrap() };
                let connect = async {
                    client
                        .connect_with(quic_client.clone(), address, HOST)
                        .unwrap()
                        .await
                        .unwrap()
                };
                let (s, c) = tokio::join!(accept, connect);
                c.close(0u32.into(), b"");
                s.close(0u32.into(), b"");
            })
        })
    });
    group.finish();
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The sslconf/quinn ratio of the in-memory server side, interleaved.
fn interleaved() {
    let rounds: usize = std::env::var("RATIO_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(15);
    println!("\ninterleaved, {rounds} rounds, sslconf/quinn per handshake (median):");
    for setup in setups() {
        let pairs = Impl::BOTH.map(|imp| checked_pair(&setup, imp));
        let (mut server, mut client) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            let mut per = [Times::default(); 2];
            let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
            for i in order {
                for _ in 0..200 {
                    quic_handshake(&pairs[i], &mut per[i]);
                }
            }
            server.push(per[1].server.as_secs_f64() / per[0].server.as_secs_f64());
            client.push(per[1].client.as_secs_f64() / per[0].client.as_secs_f64());
        }
        let kind = if setup.resume { "resumed" } else { "full" };
        println!(
            "  quic-memory/{kind}: server {:.3}, client {:.3}",
            median(&mut server),
            median(&mut client)
        );
    }
}

criterion_group! {
    name = benches;
    // Plots (plotters, no gnuplot here) take longer than the measurements.
    config = Criterion::default().without_plots();
    targets = quic_memory, quic_loopback, tcp_vs_quic
}

/// The measured loop of `--callgrind`: `iters` handshakes.
#[inline(never)]
fn measured_loop(pair: &QuicPair, iters: usize) {
    let mut times = Times::default();
    for _ in 0..iters {
        black_box(quic_handshake(pair, &mut times));
    }
}

/// [`measured_loop`] over TCP.
#[inline(never)]
fn measured_tcp_loop(pair: &common::Pair, iters: usize, buf: &mut Vec<u8>) {
    let mut times = Times::default();
    for _ in 0..iters {
        black_box(common::handshake(pair, &mut times, buf));
    }
}

fn main() {
    // `--callgrind {full,resumed} {quinn,sslconf,tcp} ITERS`: one in-memory
    // case alone, for valgrind's callgrind with
    // `--collect-atstart=no --toggle-collect='*measured_loop*'`.
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--callgrind") {
        let setup = setups()[usize::from(args[at + 1] == "resumed")];
        let iters: usize = args[at + 3].parse().unwrap();
        if args[at + 2] == "tcp" {
            // The same handshake over TCP (rustls in memory), for tcp-vs-quic.
            let pair = setup.pair(Impl::Sslconf);
            let mut buf = Vec::new();
            for _ in 0..2 {
                common::handshake(&pair, &mut Times::default(), &mut buf);
            }
            measured_tcp_loop(&pair, iters, &mut buf);
            return;
        }
        let imp = if args[at + 2] == "quinn" {
            Impl::Rustls
        } else {
            Impl::Sslconf
        };
        let pair = checked_pair(&setup, imp);
        measured_loop(&pair, iters);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
    let filtered = std::env::args()
        .skip(1)
        .any(|a| !a.starts_with('-') && !"interleaved".contains(a.as_str()));
    if !filtered {
        interleaved();
    }
}
