//! Review 8 (hostile review of 83668da, late tickets of a client's old
//! identity are not kept by this crate's streams): each test here failed on
//! the commit reviewed, says what was wrong and guards the fix (a resumed
//! connection is known by the key of the session it took; a step that
//! unwinds gives the stream back the key it presented).
#![cfg(feature = "tokio")]

mod common;

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::openssl::Scratch;
use common::Authority;
use sslconf::{PeerVerifyMode, SslConfiguration, SslProtocol, TicketKeys};

const HOST: &str = "localhost";
const KEY: [u8; 80] = [0x5a; 80];

/// A server requiring a client certificate of `clients_ca`, TLS 1.3 only.
fn server(ca: &Authority, clients_ca: &Authority) -> SslConfiguration {
    ca.leaf(HOST)
        .server()
        .with_session_ticket_keys(TicketKeys::from_bytes(&KEY).unwrap())
        .with_ca_certificates([clients_ca.cert.clone()])
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer)
        .with_protocol(SslProtocol::TlsV1_3)
}

/// A client identity read from two files, and what writes them.
struct IdentityFiles {
    _scratch: Scratch,
    chain: String,
    key: String,
}

impl IdentityFiles {
    fn new(tag: &str, id: &common::Identity) -> IdentityFiles {
        let scratch = Scratch::new(tag);
        let (chain, key) = (scratch.file("chain.pem"), scratch.file("key.pem"));
        let files = IdentityFiles {
            _scratch: scratch,
            chain,
            key,
        };
        files.write(id);
        files
    }

    fn write(&self, id: &common::Identity) {
        let (chain, key) = (&self.chain, &self.key);
        std::fs::write(format!("{chain}.new"), id.chain_pem()).unwrap();
        std::fs::rename(format!("{chain}.new"), chain).unwrap();
        std::fs::write(format!("{key}.new"), id.key_pem()).unwrap();
        std::fs::rename(format!("{key}.new"), key).unwrap();
    }

    fn client(&self, ca: &Authority) -> SslConfiguration {
        SslConfiguration::new()
            .with_ca_certificates([ca.cert.clone()])
            .with_local_identity(sslconf::Identity::from_files(&self.chain, &self.key).unwrap())
            .with_protocol(SslProtocol::TlsV1_3)
    }
}

fn tcp(port: u16) -> TcpStream {
    let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    tcp
}

/// A connection that RESUMED presents no certificate in its handshake (the
/// server asks for none: it knows the client by the certificate the
/// session's first handshake presented), so the stream's `presented` stays
/// `None`, its I/O runs with the slot at `Some(None)` ("presented none"),
/// and `of_identity_in_force` keeps every ticket it receives. But a TLS 1.3
/// server's tickets on a resumed connection carry the old client
/// certificate on (rustls, like OpenSSL, puts the resumed session's peer
/// chain in them). So: connect as the old certificate, keep its ticket;
/// resume on a second connection; read the identity's files again (new
/// certificate); the second connection's late tickets arrive and are kept;
/// the third connection resumes and the server knows the client by the old
/// certificate, exactly what 83668da set out to prevent, through
/// `connect` and `connect_async` alike.
///
/// A correct library tells the cache, for a resumed connection, the
/// identity the session it resumed was made with (or, failing that, treats
/// "resumed, key unknown" as not of the identity in force once a reload
/// happened since the handshake, e.g. by recording the identity's key at
/// handshake time and comparing it with the one in force), so the third
/// connection presents the new certificate in a full handshake.
#[test]
fn late_tickets_of_a_resumed_connection_of_the_old_identity_are_not_kept() {
    let (ca, clients_ca) = (
        Authority::root("R8 Server CA"),
        Authority::root("R8 Clients CA"),
    );
    let old = clients_ca.leaf("old.client.test");
    let new = clients_ca.leaf("new.client.test");
    let server = server(&ca, &clients_ca);
    let mut third_known_as_old = Vec::new();
    for flavour in ["blocking", "tokio"] {
        let files = IdentityFiles::new("review8-resumed", &old);
        let client = files.client(&ca);
        let (port, serving) = common::serving(server.clone(), 3);
        if flavour == "blocking" {
            // The first: a full handshake as the old certificate; its
            // tickets are kept (no reload yet).
            let mut first = client.connect(HOST, tcp(port)).unwrap();
            first.read_exact(&mut [0u8; 1]).unwrap();
            first.shutdown().unwrap();
            drop(first);
            // The second resumes; its tickets arrive after the reload.
            let mut second = client.connect(HOST, tcp(port)).unwrap();
            files.write(&new);
            assert!(!client.reload().unwrap().is_empty());
            second.read_exact(&mut [0u8; 1]).unwrap();
            second.shutdown().unwrap();
            drop(second);
            let mut third = client.connect(HOST, tcp(port)).unwrap();
            third.read_exact(&mut [0u8; 1]).unwrap();
            third.shutdown().unwrap();
        } else {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let socket = |tcp: TcpStream| {
                    tcp.set_nonblocking(true).unwrap();
                    tokio::net::TcpStream::from_std(tcp).unwrap()
                };
                let mut first = client.connect_async(HOST, socket(tcp(port))).await.unwrap();
                first.read_exact(&mut [0u8; 1]).await.unwrap();
                first.shutdown().await.unwrap();
                drop(first);
                let mut second = client.connect_async(HOST, socket(tcp(port))).await.unwrap();
                files.write(&new);
                assert!(!client.reload().unwrap().is_empty());
                second.read_exact(&mut [0u8; 1]).await.unwrap();
                second.shutdown().await.unwrap();
                drop(second);
                let mut third = client.connect_async(HOST, socket(tcp(port))).await.unwrap();
                third.read_exact(&mut [0u8; 1]).await.unwrap();
                third.shutdown().await.unwrap();
            });
        }
        let seen = serving.join().unwrap();
        let old_der = Some(old.leaf().to_der().to_vec());
        assert_eq!(seen[0], (old_der.clone(), false), "{flavour}: the first");
        assert_eq!(
            seen[1],
            (old_der.clone(), true),
            "{flavour}: the second resumed"
        );
        third_known_as_old.push((flavour, seen[2].0 == old_der, seen[2].1));
    }
    assert!(
        third_known_as_old.iter().all(|&(_, as_old, _)| !as_old),
        "after the reload the third connection must present the new certificate in a full \
         handshake; a late ticket of the resumed second connection was kept and resumed it as \
         the old one. (flavour, known by the old certificate, resumed): {third_known_as_old:?}"
    );
}

/// A socket that panics on its next read when told to.
struct Panicky {
    tcp: TcpStream,
    panic_next_read: Arc<AtomicBool>,
}

impl Read for Panicky {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.panic_next_read.swap(false, Ordering::SeqCst) {
            panic!("the socket's read panics (review8)");
        }
        self.tcp.read(buf)
    }
}

impl Write for Panicky {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tcp.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

/// `presenting` takes the stream's key out of `presented` into the slot and
/// puts it back only when the step returns: a step that unwinds (here the
/// user's socket panics in a read, and the caller catches it, as a server
/// isolating a faulty handler would) leaves the stream's `presented` at
/// `None` for good (the `Restore` guard restores the enclosing slot, not the
/// stream's key). From then on the stream runs its I/O as a connection that
/// "presented none", and a ticket arriving after a reload, of a connection
/// that presented the OLD certificate, is kept: the next connection resumes
/// as the old certificate. The stream is otherwise still usable (the panic
/// happened before rustls consumed anything), so nothing tells the user.
///
/// A correct library puts the key back into the stream whether the step
/// returns or unwinds (the guard writes it back to `presented`), so the
/// late ticket is dropped and the next connection presents the new
/// certificate in a full handshake.
#[test]
fn a_step_that_unwinds_does_not_make_the_stream_forget_its_certificate() {
    let (ca, clients_ca) = (
        Authority::root("R8 Server CA"),
        Authority::root("R8 Clients CA"),
    );
    let old = clients_ca.leaf("old.client.test");
    let new = clients_ca.leaf("new.client.test");
    let server = server(&ca, &clients_ca);
    let files = IdentityFiles::new("review8-unwind", &old);
    let client = files.client(&ca);
    let (port, serving) = common::serving(server, 2);

    let panic_next_read = Arc::new(AtomicBool::new(false));
    let socket = Panicky {
        tcp: tcp(port),
        panic_next_read: Arc::clone(&panic_next_read),
    };
    let mut first = client.connect(HOST, socket).unwrap();
    panic_next_read.store(true, Ordering::SeqCst);
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = first.read(&mut [0u8; 1]);
    }));
    assert!(caught.is_err(), "the socket's read panicked");
    files.write(&new);
    assert!(!client.reload().unwrap().is_empty());
    // The server's tickets (of the old certificate) arrive now.
    first.read_exact(&mut [0u8; 1]).unwrap();
    first.shutdown().unwrap();
    drop(first);
    let mut second = client.connect(HOST, tcp(port)).unwrap();
    second.read_exact(&mut [0u8; 1]).unwrap();
    second.shutdown().unwrap();

    let seen = serving.join().unwrap();
    assert_eq!(seen[0].0.as_deref(), Some(old.leaf().to_der()));
    assert_eq!(
        seen[1],
        (Some(new.leaf().to_der().to_vec()), false),
        "after the reload the second connection must present the new certificate in a full \
         handshake; the first stream forgot its certificate when a read unwound, kept its late \
         ticket, and the second resumed as the old certificate"
    );
}
