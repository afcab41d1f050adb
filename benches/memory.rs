//! Heap bytes per idle connection after the handshake, client and server,
//! `sslconf::TlsStream` against `rustls::StreamOwned` with equivalent configs.
//!
//! A counting global allocator tracks live bytes. For each case, N
//! connections are made over loopback TCP (the server on a second thread),
//! each stream boxed and kept, as a server keeps its connections; then the
//! client streams are dropped, then the server streams, and what each drop
//! frees, divided by N, is that side's heap bytes per connection (the box
//! itself included, so the stream's inline size counts). Allocations made
//! during the handshakes (both sides) are counted too.
//!
//! ```sh
//! cargo bench -p sslconf-benches --bench memory
//! ```

use sslconf_benches as common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering::Relaxed};

use common::{blocking_handshake, Groups, Impl, Key, Pair, Setup, Version, HOST};
use rustls::pki_types::ServerName;
use rustls::{ClientConnection, ServerConnection, StreamOwned};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static ALLOCATED: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as isize, Relaxed);
            ALLOCATIONS.fetch_add(1, Relaxed);
            ALLOCATED.fetch_add(layout.size(), Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as isize, Relaxed);
            ALLOCATIONS.fetch_add(1, Relaxed);
            ALLOCATED.fetch_add(layout.size(), Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        LIVE.fetch_sub(layout.size() as isize, Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            LIVE.fetch_add(new_size as isize - layout.size() as isize, Relaxed);
            ALLOCATIONS.fetch_add(1, Relaxed);
            ALLOCATED.fetch_add(new_size, Relaxed);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[derive(Clone, Copy)]
struct Snapshot {
    live: isize,
    allocations: usize,
    allocated: usize,
}

fn snapshot() -> Snapshot {
    Snapshot {
        live: LIVE.load(Relaxed),
        allocations: ALLOCATIONS.load(Relaxed),
        allocated: ALLOCATED.load(Relaxed),
    }
}

/// Connections kept open, client and server ends. Boxed one by one, so that
/// each connection's inline size is heap it owns, as in a server that boxes
/// (or spawns) a connection each.
#[allow(clippy::vec_box)]
enum Kept {
    Rustls(
        Vec<Box<StreamOwned<ClientConnection, TcpStream>>>,
        Vec<Box<StreamOwned<ServerConnection, TcpStream>>>,
    ),
    Sslconf(
        Vec<Box<sslconf::TlsStream<TcpStream>>>,
        Vec<Box<sslconf::TlsStream<TcpStream>>>,
    ),
}

impl Kept {
    fn with_capacity(imp: Impl, n: usize) -> Kept {
        match imp {
            Impl::Rustls => Kept::Rustls(Vec::with_capacity(n), Vec::with_capacity(n)),
            Impl::Sslconf => Kept::Sslconf(Vec::with_capacity(n), Vec::with_capacity(n)),
        }
    }

    fn clear_clients(&mut self) {
        match self {
            Kept::Rustls(c, _) => c.clear(),
            Kept::Sslconf(c, _) => c.clear(),
        }
    }

    fn clear_servers(&mut self) {
        match self {
            Kept::Rustls(_, s) => s.clear(),
            Kept::Sslconf(_, s) => s.clear(),
        }
    }
}

/// Makes `n` connections and keeps them in `kept` (whose vectors have room).
fn connect_all(pair: &Pair, listener: &TcpListener, n: usize, kept: &mut Kept) {
    std::thread::scope(|scope| match (pair, kept) {
        (Pair::Rustls { client, server }, Kept::Rustls(clients, servers)) => {
            scope.spawn(move || {
                for _ in 0..n {
                    let mut socket = listener.accept().unwrap().0;
                    let mut conn = ServerConnection::new(server.clone()).unwrap();
                    blocking_handshake(&mut conn, &mut socket);
                    servers.push(Box::new(StreamOwned::new(conn, socket)));
                }
            });
            let addr = listener.local_addr().unwrap();
            for _ in 0..n {
                let mut socket = TcpStream::connect(addr).unwrap();
                let name = ServerName::try_from(HOST.to_owned()).unwrap();
                let mut conn = ClientConnection::new(client.clone(), name).unwrap();
                blocking_handshake(&mut conn, &mut socket);
                clients.push(Box::new(StreamOwned::new(conn, socket)));
            }
        }
        (Pair::Sslconf { client, server }, Kept::Sslconf(clients, servers)) => {
            scope.spawn(move || {
                for _ in 0..n {
                    let socket = listener.accept().unwrap().0;
                    servers.push(Box::new(server.accept(socket).unwrap()));
                }
            });
            let addr = listener.local_addr().unwrap();
            for _ in 0..n {
                let socket = TcpStream::connect(addr).unwrap();
                clients.push(Box::new(client.connect(HOST, socket).unwrap()));
            }
        }
        _ => unreachable!(),
    });
}

struct Measured {
    client: f64,
    server: f64,
    allocations: f64,
    allocated: f64,
    /// sslconf only: what `session_state()` then adds on each side.
    state: Option<(f64, f64)>,
}

fn measure(setup: &Setup, imp: Impl, n: usize) -> Measured {
    let pair = setup.pair(imp);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    // Warm up: session caches filled, lazy statics initialized.
    let mut kept = Kept::with_capacity(imp, 20);
    connect_all(&pair, &listener, 20, &mut kept);
    drop(kept);

    let mut kept = Kept::with_capacity(imp, n);
    let start = snapshot();
    connect_all(&pair, &listener, n, &mut kept);
    let connected = snapshot();
    let mut state = None;
    if let Kept::Sslconf(clients, servers) = &kept {
        let before = snapshot();
        clients.iter().for_each(|c| {
            std::hint::black_box(c.session_state());
        });
        let mid = snapshot();
        servers.iter().for_each(|s| {
            std::hint::black_box(s.session_state());
        });
        let after = snapshot();
        state = Some((
            (mid.live - before.live) as f64 / n as f64,
            (after.live - mid.live) as f64 / n as f64,
        ));
    }
    let before_drop = snapshot();
    kept.clear_clients();
    let clients_dropped = snapshot();
    kept.clear_servers();
    let servers_dropped = snapshot();
    let per = |bytes: isize| bytes as f64 / n as f64;
    Measured {
        client: per(before_drop.live - clients_dropped.live) - state.map_or(0.0, |s| s.0),
        server: per(clients_dropped.live - servers_dropped.live) - state.map_or(0.0, |s| s.1),
        allocations: (connected.allocations - start.allocations) as f64 / n as f64,
        allocated: (connected.allocated - start.allocated) as f64 / n as f64,
        state,
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a number sets the connection count.
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200);
    println!(
        "inline size: sslconf::TlsStream<TcpStream> {} B, rustls::StreamOwned<ClientConnection, TcpStream> {} B, <ServerConnection> {} B",
        std::mem::size_of::<sslconf::TlsStream<TcpStream>>(),
        std::mem::size_of::<StreamOwned<ClientConnection, TcpStream>>(),
        std::mem::size_of::<StreamOwned<ServerConnection, TcpStream>>(),
    );
    println!(
        "parts: rustls::Connection {} B, ClientConnection {} B, ServerConnection {} B, OnceLock<Box<sslconf::SessionState>> {} B, SslConfiguration {} B",
        std::mem::size_of::<rustls::Connection>(),
        std::mem::size_of::<ClientConnection>(),
        std::mem::size_of::<ServerConnection>(),
        std::mem::size_of::<std::sync::OnceLock<Box<sslconf::SessionState>>>(),
        std::mem::size_of::<sslconf::SslConfiguration>(),
    );
    println!("{n} idle connections per case; bytes are heap bytes per connection\n");
    println!(
        "| case | impl | client B/conn | server B/conn | allocations/handshake | bytes allocated/handshake | session_state() adds (client, server) |"
    );
    println!("|---|---|---:|---:|---:|---:|---|");
    for setup in [
        Setup::new(Version::Tls13, Key::Ecdsa, false, Groups::Default),
        Setup::new(Version::Tls13, Key::Ecdsa, true, Groups::Default),
        Setup::new(Version::Tls12, Key::Ecdsa, false, Groups::Default),
        Setup::new(Version::Tls13, Key::Rsa, false, Groups::Default),
    ] {
        for imp in Impl::BOTH {
            let m = measure(&setup, imp, n);
            println!(
                "| {} | {} | {:.0} | {:.0} | {:.1} | {:.0} | {} |",
                setup.name(),
                imp.name(),
                m.client,
                m.server,
                m.allocations,
                m.allocated,
                m.state
                    .map_or_else(|| "-".to_owned(), |(c, s)| format!("{c:.0}, {s:.0}")),
            );
        }
    }
}
