//! Shared session-ticket keys: what sealing and opening a ticket costs
//! against rustls's own ticketer, and resumed handshakes across two server
//! configs sharing keys against one.
//!
//! Measured interleaved in one process, as `ratios` does: each round runs a
//! batch of one variant then of the other (the order alternating between
//! rounds); the median over the rounds is reported.
//!
//! - `seal/…`, `open/…`, `seal+open/…`: rustls's `Ticketer::new()` (AES-CBC
//!   and HMAC-SHA256 behind a key rotator) against sslconf's shared-key
//!   ticketer (AES-256-GCM), on the session states rustls really hands a
//!   ticketer in a TLS 1.3 and a TLS 1.2 handshake (their sizes recorded
//!   from one handshake each).
//! - `resumed/…`: resumed handshakes (in memory, both sides, one thread) of
//!   one client config; `one-server` against one server config with shared
//!   keys, `two-servers` alternating between two server configs (two
//!   conversions, two ticketers) with the same keys, `rustls-ticketer` one
//!   server config without keys. Every handshake is checked to resume.
//!
//! ```sh
//! cargo bench -p sslconf-benches --bench tickets                  # every case, markdown tables
//! cargo bench -p sslconf-benches --bench tickets -- resumed/tls13 # cases whose name contains a filter
//! ```
//!
//! Knobs: `RATIO_ROUNDS` (default 15), `RATIO_BATCH_MS` (default 60).

use sslconf_benches as common;

use std::hint::black_box;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{handshake, pki, Pair, Times};
use rustls::server::ProducesTickets;
use rustls::ServerConfig;
use sslconf::{Identity, SslConfiguration, SslProtocol, TicketKeys};

/// Runs `iters` iterations, returns the time taken.
type Runner = Box<dyn FnMut(u64) -> Duration>;

struct Case {
    name: String,
    /// What each variant is.
    labels: [&'static str; 2],
    make: Box<dyn Fn(usize) -> Runner>,
}

const KEY_FILE: [u8; 80] = [0x5c; 80];

fn server(keys: bool) -> SslConfiguration {
    let id = &pki().ecdsa;
    let server = SslConfiguration::new()
        .with_local_identity(Identity::new(id.chain.clone(), id.sslconf_key()));
    if keys {
        server.with_session_ticket_keys(TicketKeys::from_bytes(&KEY_FILE).unwrap())
    } else {
        server
    }
}

fn client(protocol: SslProtocol) -> SslConfiguration {
    SslConfiguration::new()
        .with_ca_certificates([pki().ecdsa.ca.clone()])
        .with_protocol(protocol)
}

/// sslconf's shared-key ticketer, as a server config holds it.
fn shared_ticketer() -> Arc<dyn ProducesTickets> {
    server(true).server_config().unwrap().ticketer.clone()
}

/// Passes everything to another ticketer, keeping the sizes of the states
/// it seals.
#[derive(Debug)]
struct Recording {
    inner: Arc<dyn ProducesTickets>,
    sizes: Mutex<Vec<usize>>,
}

impl ProducesTickets for Recording {
    fn enabled(&self) -> bool {
        self.inner.enabled()
    }
    fn lifetime(&self) -> u32 {
        self.inner.lifetime()
    }
    fn encrypt(&self, plain: &[u8]) -> Option<Vec<u8>> {
        self.sizes.lock().unwrap().push(plain.len());
        self.inner.encrypt(plain)
    }
    fn decrypt(&self, cipher: &[u8]) -> Option<Vec<u8>> {
        self.inner.decrypt(cipher)
    }
}

/// The size of the session state rustls seals in a ticket of `protocol`.
fn state_size(protocol: SslProtocol) -> usize {
    let recording = Arc::new(Recording {
        inner: shared_ticketer(),
        sizes: Mutex::new(Vec::new()),
    });
    let mut config: ServerConfig = (*server(true).server_config().unwrap()).clone();
    config.ticketer = recording.clone();
    let pair = Pair::Rustls {
        client: client(protocol).client_config().unwrap(),
        server: Arc::new(config),
    };
    handshake(&pair, &mut Times::default(), &mut Vec::new());
    let sizes = recording.sizes.lock().unwrap();
    *sizes.first().expect("a ticket was sealed")
}

fn timed(mut f: impl FnMut() + 'static) -> Runner {
    Box::new(move |iters| {
        let start = Instant::now();
        for _ in 0..iters {
            f();
        }
        start.elapsed()
    })
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (version, protocol) in [
        ("tls13", SslProtocol::TlsV1_3),
        ("tls12", SslProtocol::TlsV1_2),
    ] {
        let size = state_size(protocol);
        let ticketers = move |variant: usize| match variant {
            0 => common::ticketer(),
            _ => shared_ticketer(),
        };
        let plain: Vec<u8> = (0..size).map(|i| i as u8).collect();
        let labels = ["rustls Ticketer", "sslconf shared keys"];
        {
            let plain = plain.clone();
            cases.push(Case {
                name: format!("seal/{version} ({size} B state)"),
                labels,
                make: Box::new(move |variant| {
                    let t = ticketers(variant);
                    let plain = plain.clone();
                    timed(move || {
                        black_box(t.encrypt(black_box(&plain)));
                    })
                }),
            });
        }
        {
            let plain = plain.clone();
            cases.push(Case {
                name: format!("open/{version} ({size} B state)"),
                labels,
                make: Box::new(move |variant| {
                    let t = ticketers(variant);
                    let ticket = t.encrypt(&plain).unwrap();
                    assert_eq!(t.decrypt(&ticket).unwrap(), plain);
                    timed(move || {
                        black_box(t.decrypt(black_box(&ticket)));
                    })
                }),
            });
        }
        cases.push(Case {
            name: format!("seal+open/{version} ({size} B state)"),
            labels,
            make: Box::new(move |variant| {
                let t = ticketers(variant);
                let plain = plain.clone();
                timed(move || {
                    let ticket = t.encrypt(black_box(&plain)).unwrap();
                    black_box(t.decrypt(&ticket));
                })
            }),
        });
    }
    for (version, protocol) in [
        ("tls13", SslProtocol::TlsV1_3),
        ("tls12", SslProtocol::TlsV1_2),
    ] {
        for (name, labels, two_keyless) in [
            (
                "one-server-vs-two-servers",
                ["one server, shared keys", "two servers, shared keys"],
                false,
            ),
            (
                "rustls-ticketer-vs-shared-keys",
                ["one server, rustls Ticketer", "one server, shared keys"],
                true,
            ),
        ] {
            cases.push(Case {
                name: format!("resumed/{version}/{name}"),
                labels,
                make: Box::new(move |variant| {
                    let client = client(protocol);
                    // One client value: one session store, as a real client keeps.
                    let servers: Vec<SslConfiguration> = match (variant, two_keyless) {
                        (0, false) => vec![server(true)],
                        (_, false) => vec![server(true), server(true)],
                        (0, true) => vec![server(false)],
                        (_, true) => vec![server(true)],
                    };
                    let pairs: Vec<Pair> = servers
                        .into_iter()
                        .map(|server| {
                            server.server_config().unwrap();
                            Pair::Sslconf {
                                client: client.clone(),
                                server,
                            }
                        })
                        .collect();
                    let mut buf = Vec::new();
                    let mut times = Times::default();
                    handshake(&pairs[0], &mut times, &mut buf);
                    for pair in pairs.iter().chain(&pairs) {
                        assert!(handshake(pair, &mut times, &mut buf), "not resumed");
                    }
                    let mut next = 0;
                    Box::new(move |iters| {
                        let mut times = Times::default();
                        let mut resumed = 0;
                        for _ in 0..iters {
                            next = (next + 1) % pairs.len();
                            resumed += u64::from(handshake(&pairs[next], &mut times, &mut buf));
                        }
                        assert_eq!(resumed, iters, "every handshake resumes");
                        times.total()
                    })
                }),
            });
        }
    }
    cases
}

/// Iterations for a batch of about `target` (at least one).
fn calibrate(run: &mut Runner, target: Duration) -> u64 {
    let mut iters = 1;
    loop {
        let took = run(iters);
        if took >= target / 4 || iters >= 1 << 30 {
            let per = took.as_secs_f64() / iters as f64;
            return ((target.as_secs_f64() / per.max(1e-12)) as u64).max(1);
        }
        iters *= 2;
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Median time per iteration of each variant, and the median ratio
/// second/first over the rounds.
fn compare(case: &Case, rounds: usize, batch: Duration) -> ([f64; 2], f64) {
    let mut runners = [(case.make)(0), (case.make)(1)];
    let iters = runners
        .iter_mut()
        .map(|r| calibrate(r, batch))
        .min()
        .unwrap();
    let mut per: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut ratios = Vec::new();
    for round in 0..rounds {
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        let mut took = [0.0; 2];
        for i in order {
            took[i] = runners[i](iters).as_secs_f64() / iters as f64;
        }
        per[0].push(took[0]);
        per[1].push(took[1]);
        ratios.push(took[1] / took[0]);
    }
    (per.map(|mut v| median(&mut v)), median(&mut ratios))
}

fn show(secs: f64) -> String {
    let ns = secs * 1e9;
    if ns >= 1e6 {
        format!("{:.3} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let rounds: usize = std::env::var("RATIO_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(15);
    let batch = Duration::from_millis(
        std::env::var("RATIO_BATCH_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(60),
    );
    println!("{rounds} interleaved rounds of ~{batch:?} per variant; medians\n");
    println!("| case | first | second | first | second | ratio second/first |");
    println!("|---|---|---|---:|---:|---:|");
    for case in cases() {
        if !filters.is_empty() && !filters.iter().any(|f| case.name.contains(f.as_str())) {
            continue;
        }
        let ([a, b], ratio) = compare(&case, rounds, batch);
        let rate = |secs: f64| {
            if case.name.starts_with("resumed/") {
                format!("{} ({:.0}/s)", show(secs), 1.0 / secs)
            } else {
                show(secs)
            }
        };
        println!(
            "| {} | {} | {} | {} | {} | {ratio:.3} |",
            case.name,
            case.labels[0],
            case.labels[1],
            rate(a),
            rate(b),
        );
    }
}
