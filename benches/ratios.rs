//! sslconf/rustls ratios, measured interleaved in one process: each round
//! runs a batch of rustls then a batch of sslconf (the order alternating
//! between rounds), and the ratio of each round is kept; the median over the
//! rounds is reported. On a shared, noisy machine this is steadier than two
//! criterion runs minutes apart.
//!
//! ```sh
//! cargo bench -p sslconf-benches --all-features --bench ratios        # every case, markdown table
//! cargo bench -p sslconf-benches --bench ratios -- handshake/tls13    # cases whose name contains a filter
//! cargo bench -p sslconf-benches --bench ratios -- --list
//! # Instruction counts: one implementation, a fixed number of iterations,
//! # collection limited to the measured loop (see benches/callgrind.sh).
//! valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measured_loop*' \
//!     target/release/deps/ratios-* --callgrind handshake/tls13/ecdsa/full/x25519 sslconf 200
//! ```

use sslconf_benches as common;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[cfg(feature = "tokio")]
use common::async_io;
use common::configs::{
    measured_loop_first_call, provider, run_first_call_child, rustls_explicit, rustls_server_pem,
    sslconf_explicit, sslconf_server_pem,
};
#[cfg(feature = "native-certs")]
use common::configs::{
    native_roots, rustls_system, rustls_with_roots, sslconf_system, time_first_call,
};
use common::sealing::KeyFileTicketer;
use common::{
    bulk_transfer, connect_streams, handshake, hostile, mem_socket_pair, pki, Groups, Impl, Key,
    Pair, Setup, Times, Version, MIB,
};
use sslconf::{PeerVerifyMode, SslConfiguration, SslErrorKind, TicketKeys};

/// Runs `iters` iterations and returns each side's time (client only where
/// there are no sides).
type Runner = Box<dyn FnMut(u64) -> Times>;

struct Case {
    name: String,
    /// Whether client and server times are meaningful apart.
    sides: bool,
    /// What the two sides are: `RUSTLS_SSLCONF` for every comparison with
    /// rustls; other cases compare two sslconf runs (`Impl::Rustls` is then
    /// the baseline, `Impl::Sslconf` the measured one).
    labels: [&'static str; 2],
    make: Box<dyn Fn(Impl) -> Runner>,
}

const RUSTLS_SSLCONF: [&str; 2] = ["rustls", "sslconf"];

/// The key file of the shared-key resumption cases.
const KEY_FILE: [u8; 80] = [0x5c; 80];

fn total(f: impl FnMut()) -> impl FnMut(u64) -> Times {
    let mut f = f;
    move |iters| {
        let start = Instant::now();
        for _ in 0..iters {
            f();
        }
        Times {
            client: start.elapsed(),
            server: Duration::ZERO,
        }
    }
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for setup in Setup::handshake_cases() {
        cases.push(Case {
            name: format!("handshake/{}", setup.name()),
            sides: true,
            labels: RUSTLS_SSLCONF,
            make: Box::new(move |imp| {
                let pair = setup.pair(imp);
                common::check_handshake(&setup, &pair);
                let mut buf = Vec::new();
                Box::new(move |iters| {
                    let mut times = Times::default();
                    for _ in 0..iters {
                        handshake(&pair, &mut times, &mut buf);
                    }
                    times
                })
            }),
        });
    }
    // Resumption with shared ticket keys: sslconf's `with_session_ticket_keys`
    // (tickets sealed with the acceptance policy's envelope) against the
    // rustls config of the same case with a ticketer sealing the same way
    // without the envelope (benches/common/sealing.rs).
    for version in [Version::Tls13, Version::Tls12] {
        let setup = Setup::new(version, Key::Ecdsa, true, Groups::X25519);
        cases.push(Case {
            name: format!("handshake/{}/shared-keys", setup.name()),
            sides: true,
            labels: RUSTLS_SSLCONF,
            make: Box::new(move |imp| {
                let pair = match imp {
                    Impl::Rustls => {
                        let mut server = (*setup.rustls_server()).clone();
                        server.ticketer = Arc::new(KeyFileTicketer::new(&KEY_FILE));
                        Pair::Rustls {
                            client: setup.rustls_client(),
                            server: Arc::new(server),
                        }
                    }
                    Impl::Sslconf => {
                        let client = setup.sslconf_client();
                        let server = setup
                            .sslconf_server()
                            .with_session_ticket_keys(TicketKeys::from_bytes(&KEY_FILE).unwrap());
                        client.client_config().unwrap();
                        server.server_config().unwrap();
                        Pair::Sslconf { client, server }
                    }
                };
                common::check_handshake(&setup, &pair);
                let mut buf = Vec::new();
                Box::new(move |iters| {
                    let mut times = Times::default();
                    for _ in 0..iters {
                        handshake(&pair, &mut times, &mut buf);
                    }
                    times
                })
            }),
        });
    }
    for suite in [
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
    ] {
        cases.push(Case {
            name: format!("bulk/{suite}"),
            sides: false,
            labels: RUSTLS_SSLCONF,
            make: Box::new(move |imp| {
                let pair = Setup::bulk(suite).pair(imp);
                let (a, b) = mem_socket_pair();
                let mut streams = connect_streams(&pair, a, b);
                let data = vec![0x5a_u8; MIB];
                let mut sink = vec![0_u8; 64 * 1024];
                Box::new(total(move || bulk_transfer(&mut streams, &data, &mut sink)))
            }),
        });
    }
    #[cfg(feature = "tokio")]
    for setup in [
        Setup::new(Version::Tls13, Key::Ecdsa, false, Groups::Default),
        Setup::new(Version::Tls13, Key::Ecdsa, true, Groups::Default),
        Setup::new(Version::Tls12, Key::Ecdsa, false, Groups::Default),
        Setup::new(Version::Tls12, Key::Ecdsa, true, Groups::Default),
    ] {
        cases.push(Case {
            name: format!("tokio/handshake/{}", setup.name()),
            sides: false,
            labels: RUSTLS_SSLCONF,
            make: Box::new(move |imp| {
                let pair = setup.pair(imp);
                let rt = async_io::runtime();
                rt.block_on(async {
                    for _ in 0..3 {
                        async_io::connect(&pair).await;
                    }
                    assert_eq!(
                        async_io::resumed(&async_io::connect(&pair).await),
                        setup.resume
                    );
                });
                Box::new(total(move || {
                    black_box(rt.block_on(async_io::connect(&pair)));
                }))
            }),
        });
    }
    #[cfg(feature = "tokio")]
    cases.push(Case {
        name: "tokio/bulk/TLS_AES_128_GCM_SHA256".into(),
        sides: false,
        labels: RUSTLS_SSLCONF,
        make: Box::new(|imp| {
            let pair = Setup::bulk("TLS_AES_128_GCM_SHA256").pair(imp);
            let rt = async_io::runtime();
            let mut streams = rt.block_on(async_io::connect(&pair));
            let data = vec![0x5a_u8; MIB];
            let mut sink = vec![0_u8; 64 * 1024];
            Box::new(total(move || {
                rt.block_on(async_io::transfer(&mut streams, &data, &mut sink))
            }))
        }),
    });
    cases.push(Case {
        name: "config/explicit-roots".into(),
        sides: false,
        labels: RUSTLS_SSLCONF,
        make: Box::new(|imp| {
            let id = &pki().ecdsa;
            match imp {
                Impl::Rustls => {
                    let provider = provider();
                    Box::new(total(move || {
                        black_box(rustls_explicit(&provider, id));
                    }))
                }
                Impl::Sslconf => Box::new(total(move || {
                    black_box(sslconf_explicit(id));
                })),
            }
        }),
    });
    for (name, id) in [("ecdsa", &pki().ecdsa), ("rsa", &pki().rsa)] {
        cases.push(Case {
            name: format!("config/server-pem/{name}"),
            sides: false,
            labels: RUSTLS_SSLCONF,
            make: Box::new(move |imp| match imp {
                Impl::Rustls => {
                    let provider = provider();
                    Box::new(total(move || {
                        black_box(rustls_server_pem(&provider, id));
                    }))
                }
                Impl::Sslconf => Box::new(total(move || {
                    black_box(sslconf_server_pem(id));
                })),
            }),
        });
    }
    cases.push(Case {
        name: "config/converted".into(),
        sides: false,
        labels: RUSTLS_SSLCONF,
        make: Box::new(|imp| {
            let id = &pki().ecdsa;
            match imp {
                Impl::Rustls => {
                    let raw = rustls_explicit(&provider(), id);
                    Box::new(total(move || {
                        black_box(Arc::clone(black_box(&raw)));
                    }))
                }
                Impl::Sslconf => {
                    let config = SslConfiguration::new().with_ca_certificates([id.ca.clone()]);
                    config.client_config().unwrap();
                    Box::new(total(move || {
                        black_box(black_box(&config).client_config().unwrap());
                    }))
                }
            }
        }),
    });
    #[cfg(feature = "native-certs")]
    cases.push(Case {
        name: "config/system-cached".into(),
        sides: false,
        labels: RUSTLS_SSLCONF,
        make: Box::new(|imp| match imp {
            Impl::Rustls => {
                let provider = provider();
                Box::new(total(move || {
                    black_box(rustls_system(&provider));
                }))
            }
            Impl::Sslconf => {
                sslconf_system();
                Box::new(total(|| {
                    black_box(sslconf_system());
                }))
            }
        }),
    });
    // sslconf's cached system store against a rustls user keeping the
    // loaded RootCertStore in an Arc and building from it.
    #[cfg(feature = "native-certs")]
    cases.push(Case {
        name: "config/system-cached-vs-preloaded".into(),
        sides: false,
        labels: RUSTLS_SSLCONF,
        make: Box::new(|imp| match imp {
            Impl::Rustls => {
                let provider = provider();
                let roots = Arc::new(native_roots());
                Box::new(total(move || {
                    black_box(rustls_with_roots(&provider, roots.clone()));
                }))
            }
            Impl::Sslconf => {
                sslconf_system();
                Box::new(total(|| {
                    black_box(sslconf_system());
                }))
            }
        }),
    });
    #[cfg(feature = "native-certs")]
    for (name, rustls_mode) in [
        ("config/system-first", "rustls"),
        ("config/system-first-vs-load-only", "native-certs-load"),
    ] {
        cases.push(Case {
            name: name.into(),
            sides: false,
            labels: RUSTLS_SSLCONF,
            make: Box::new(move |imp| {
                let mode = match imp {
                    Impl::Rustls => rustls_mode,
                    Impl::Sslconf => "sslconf",
                };
                Box::new(move |iters| Times {
                    client: (0..iters).map(|_| time_first_call(mode)).sum(),
                    server: Duration::ZERO,
                })
            }),
        });
    }
    // A hostile client against a server with CA certificates: one accept of
    // the degenerate chain against one of a plain chain by the same server
    // (benches/common/hostile.rs). Both sides are sslconf.
    for (name, mode) in [
        ("hostile/verify-peer/degenerate", PeerVerifyMode::VerifyPeer),
        ("hostile/query-peer/degenerate", PeerVerifyMode::QueryPeer),
    ] {
        cases.push(Case {
            name: name.into(),
            sides: true,
            labels: ["plain", "degenerate"],
            make: Box::new(move |imp| {
                let clients = hostile::clients();
                let server = hostile::server(mode);
                // QueryPeer checks the chain when the state is first asked for.
                let ask = mode == PeerVerifyMode::QueryPeer;
                // The degenerate chain: refused by VerifyPeer, accepted by
                // QueryPeer; the same two errors either way (webpki spends
                // its path-building budget on the 41 same-subject
                // certificates, which the diagnosis reports as unspecified).
                let (identity, accept, kinds) = match imp {
                    Impl::Rustls => (&clients.plain, true, vec![]),
                    Impl::Sslconf => (
                        &clients.degenerate,
                        ask,
                        vec![
                            SslErrorKind::CertificateExpired,
                            SslErrorKind::UnspecifiedError,
                        ],
                    ),
                };
                let client = hostile::client(identity);
                assert_eq!(
                    hostile::outcome(&server, &client, ask),
                    (accept, kinds),
                    "{name} {imp:?}: (accepted, errors)"
                );
                Box::new(move |iters| {
                    let mut times = Times::default();
                    for _ in 0..iters {
                        hostile::accept_once(&server, &client, ask, &mut times);
                    }
                    times
                })
            }),
        });
    }
    // A plain wrong chain (a leaf and its intermediate under a root the
    // server does not trust) against the plain chain, on a VerifyPeer
    // server: what a failing verification and its diagnosis cost.
    cases.push(Case {
        name: "hostile/verify-peer/unknown-ca".into(),
        sides: true,
        labels: ["plain", "unknown-ca"],
        make: Box::new(|imp| {
            let server = hostile::server(PeerVerifyMode::VerifyPeer);
            let (identity, outcome) = match imp {
                Impl::Rustls => (&hostile::clients().plain, (true, vec![])),
                Impl::Sslconf => (
                    &hostile::clients().unknown,
                    (false, vec![SslErrorKind::UnableToGetLocalIssuerCertificate]),
                ),
            };
            let client = hostile::client(identity);
            assert_eq!(
                hostile::outcome(&server, &client, false),
                outcome,
                "{imp:?}"
            );
            Box::new(move |iters| {
                let mut times = Times::default();
                for _ in 0..iters {
                    hostile::accept_once(&server, &client, false, &mut times);
                }
                times
            })
        }),
    });
    // The budget chain (benches/common/hostile.rs), sent to a server that
    // verifies client certificates: raw rustls's own WebPkiClientVerifier
    // against sslconf's VerifyPeer server. Both refuse it.
    cases.push(Case {
        name: "hostile/verify-peer/budget".into(),
        sides: true,
        labels: RUSTLS_SSLCONF,
        make: Box::new(|imp| {
            let client = hostile::client(hostile::budget_chain());
            let plain = hostile::client(&hostile::clients().plain);
            let mut run: Box<dyn FnMut(&mut Times) -> bool> = match imp {
                Impl::Rustls => {
                    let server = hostile::rustls_server();
                    let mut times = Times::default();
                    assert!(hostile::rustls_accept_once(&server, &plain, &mut times));
                    Box::new(move |times| hostile::rustls_accept_once(&server, &client, times))
                }
                Impl::Sslconf => {
                    let server = hostile::server(PeerVerifyMode::VerifyPeer);
                    assert_eq!(hostile::outcome(&server, &plain, false), (true, vec![]));
                    Box::new(move |times| hostile::accept_once(&server, &client, false, times).0)
                }
            };
            assert!(!run(&mut Times::default()), "budget chain accepted");
            Box::new(move |iters| {
                let mut times = Times::default();
                for _ in 0..iters {
                    run(&mut times);
                }
                times
            })
        }),
    });
    // The budget chain accepted by a QueryPeer server and checked when the
    // state is first asked for, against the plain chain.
    cases.push(Case {
        name: "hostile/query-peer/budget".into(),
        sides: true,
        labels: ["plain", "budget"],
        make: Box::new(|imp| {
            let server = hostile::server(PeerVerifyMode::QueryPeer);
            let client = match imp {
                Impl::Rustls => hostile::client(&hostile::clients().plain),
                Impl::Sslconf => hostile::client(hostile::budget_chain()),
            };
            let (accepted, kinds) = hostile::outcome(&server, &client, true);
            assert!(accepted, "{imp:?}: refused");
            assert_eq!(kinds.is_empty(), imp == Impl::Rustls, "{imp:?}: {kinds:?}");
            Box::new(move |iters| {
                let mut times = Times::default();
                for _ in 0..iters {
                    hostile::accept_once(&server, &client, true, &mut times);
                }
                times
            })
        }),
    });
    cases
}

/// Iterations for a batch of about `target` (at least one).
fn calibrate(run: &mut Runner, target: Duration) -> u64 {
    let mut iters = 1;
    loop {
        let took = run(iters).total();
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

struct Outcome {
    rustls: Times,
    sslconf: Times,
    /// Median ratios sslconf/rustls: client, server, total.
    ratios: [f64; 3],
}

fn compare(case: &Case, rounds: usize, batch: Duration) -> Outcome {
    // Set up in the other order with RATIO_SETUP_SSLCONF_FIRST=1: where two
    // runs disagree, heap layout (alignment of buffers), not code, differs.
    let mut runners = if std::env::var_os("RATIO_SETUP_SSLCONF_FIRST").is_some() {
        let sslconf = (case.make)(Impl::Sslconf);
        [(case.make)(Impl::Rustls), sslconf]
    } else {
        Impl::BOTH.map(|imp| (case.make)(imp))
    };
    let iters = runners
        .iter_mut()
        .map(|r| calibrate(r, batch))
        .min()
        .unwrap();
    let mut ratios = [Vec::new(), Vec::new(), Vec::new()];
    let mut per_iter: [Vec<Times>; 2] = [Vec::new(), Vec::new()];
    for round in 0..rounds {
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        let mut times = [Times::default(); 2];
        for i in order {
            times[i] = runners[i](iters);
        }
        let [r, s] = times;
        let ratio = |a: Duration, b: Duration| {
            if a.is_zero() {
                f64::NAN
            } else {
                b.as_secs_f64() / a.as_secs_f64()
            }
        };
        ratios[0].push(ratio(r.client, s.client));
        ratios[1].push(ratio(r.server, s.server));
        ratios[2].push(ratio(r.total(), s.total()));
        per_iter[0].push(r);
        per_iter[1].push(s);
    }
    let median_times = |v: &[Times]| {
        let mut c: Vec<f64> = v.iter().map(|t| t.client.as_secs_f64()).collect();
        let mut s: Vec<f64> = v.iter().map(|t| t.server.as_secs_f64()).collect();
        Times {
            client: Duration::from_secs_f64(median(&mut c) / iters as f64),
            server: Duration::from_secs_f64(median(&mut s) / iters as f64),
        }
    };
    Outcome {
        rustls: median_times(&per_iter[0]),
        sslconf: median_times(&per_iter[1]),
        ratios: ratios.map(|mut r| median(&mut r)),
    }
}

fn show(d: Duration) -> String {
    let ns = d.as_secs_f64() * 1e9;
    if ns >= 1e6 {
        format!("{:.3} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

/// The loop callgrind collects in (`--toggle-collect='*measured_loop*'`).
#[inline(never)]
fn measured_loop(run: &mut Runner, iters: u64) -> Times {
    run(iters)
}

fn main() {
    if run_first_call_child() {
        return;
    }
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let cases = cases();
    if args.first().map(String::as_str) == Some("--list") {
        for case in &cases {
            println!("{}", case.name);
        }
        return;
    }
    let find = |name: &str| {
        cases
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no case {name}"))
    };
    if args.first().map(String::as_str) == Some("--labels") {
        let [_, name] = &args[..] else {
            panic!("usage: ratios --labels CASE");
        };
        println!("{}", find(name).labels.join(" "));
        return;
    }
    if args.first().map(String::as_str) == Some("--callgrind") {
        let [_, name, imp, iters] = &args[..] else {
            panic!("usage: ratios --callgrind CASE SIDE ITERS (SIDE: one of `--labels CASE`)");
        };
        let case = find(name);
        let imp = match case.labels.iter().position(|l| l == imp) {
            Some(0) => Impl::Rustls,
            Some(_) => Impl::Sslconf,
            None => panic!("{name}: unknown side {imp}, not one of {:?}", case.labels),
        };
        if let Some(mode) = name.strip_prefix("config/system-first") {
            // A first call happens once a process: run it here, once.
            let mode = match (imp, mode) {
                (Impl::Sslconf, _) => "sslconf",
                (Impl::Rustls, "") => "rustls",
                (Impl::Rustls, _) => "native-certs-load",
            };
            measured_loop_first_call(mode);
            return;
        }
        let mut run = (case.make)(imp);
        run(2); // warm caches outside the collected loop
        black_box(measured_loop(&mut run, iters.parse().unwrap()));
        return;
    }
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
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    println!("{rounds} interleaved rounds of ~{batch:?} per implementation; medians\n");
    println!("| case | rustls | sslconf | ratio (total) | ratio client | ratio server |");
    println!("|---|---:|---:|---:|---:|---:|");
    // Cases that compare two sslconf runs come after, in a table of their own.
    let mut others = Vec::new();
    for case in &cases {
        if !filters.is_empty() && !filters.iter().any(|f| case.name.contains(f.as_str())) {
            continue;
        }
        if case.labels != RUSTLS_SSLCONF {
            others.push(case);
            continue;
        }
        let out = compare(case, rounds, batch);
        let sides = |i: usize| {
            if case.sides {
                format!("{:.3}", out.ratios[i])
            } else {
                "-".to_owned()
            }
        };
        println!(
            "| {} | {} | {} | {:.3} | {} | {} |",
            case.name,
            show(out.rustls.total()),
            show(out.sslconf.total()),
            out.ratios[2],
            sides(0),
            sides(1),
        );
    }
    if others.is_empty() {
        return;
    }
    println!(
        "\nsslconf against sslconf: time per iteration, server + client; ratio = second / first\n"
    );
    println!("| case | first | second | ratio server | ratio client | ratio total |");
    println!("|---|---:|---:|---:|---:|---:|");
    for case in others {
        let out = compare(case, rounds, batch);
        let cell =
            |label: &str, t: Times| format!("{label}: {} + {}", show(t.server), show(t.client));
        println!(
            "| {} | {} | {} | {:.3} | {:.3} | {:.3} |",
            case.name,
            cell(case.labels[0], out.rustls),
            cell(case.labels[1], out.sslconf),
            out.ratios[1],
            out.ratios[0],
            out.ratios[2],
        );
    }
}
