//! Settings read from files hold what the files held at the last good
//! reload: for the configuration, its clones and every configuration
//! derived from it with `with_*`, their getters and their converted rustls
//! configs (DESIGN.md rule 3). A derived value made after a reload serves
//! and reports what it read; one made before follows later reloads; a
//! reload through any of them is seen by all. And a bad reload says which
//! file and why in one line.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::openssl::Scratch;
use common::Authority;
use sslconf::{Certificate, Error, Identity, PeerVerifyMode, SslConfiguration};

/// A server's files: its identity, the CA its clients come from, that CA's
/// revocation list.
struct Files {
    _scratch: Scratch,
    chain: PathBuf,
    key: PathBuf,
    clients_ca: PathBuf,
    crl: PathBuf,
}

fn replace(path: &Path, bytes: &[u8]) {
    let aside = path.with_extension("new");
    std::fs::write(&aside, bytes).unwrap();
    std::fs::rename(&aside, path).unwrap();
}

impl Files {
    fn new(tag: &str) -> Files {
        let scratch = Scratch::new(tag);
        let file = |name: &str| PathBuf::from(scratch.file(name));
        Files {
            chain: file("chain.pem"),
            key: file("key.pem"),
            clients_ca: file("clients-ca.pem"),
            crl: file("clients.crl"),
            _scratch: scratch,
        }
    }

    fn identity(&self, id: &common::Identity) {
        replace(&self.chain, id.chain_pem().as_bytes());
        replace(&self.key, id.key_pem().as_bytes());
    }
}

/// A PKI: the server's CA, the clients' CA, a client that gets revoked
/// and one that does not.
struct Pki {
    server_ca: Authority,
    clients_ca: Authority,
    member: common::Identity,
    other: common::Identity,
}

impl Pki {
    fn new() -> Pki {
        let clients_ca = Authority::root("Live Clients CA");
        Pki {
            server_ca: Authority::root("Live Server CA"),
            member: clients_ca.leaf("member.test"),
            other: clients_ca.leaf("other.test"),
            clients_ca,
        }
    }

    fn client(&self) -> SslConfiguration {
        self.client_of(&self.member)
    }

    fn client_of(&self, id: &common::Identity) -> SslConfiguration {
        SslConfiguration::new()
            .with_ca_certificates([self.server_ca.cert.clone()])
            .with_local_identity(Identity::new(id.chain.clone(), id.key()))
    }
}

/// A server reading everything from `files`, verifying clients.
fn server(files: &Files) -> SslConfiguration {
    SslConfiguration::new()
        .with_local_identity(Identity::from_files(&files.chain, &files.key).unwrap())
        .with_ca_certificate_files([&files.clients_ca])
        .unwrap()
        .with_revocation_list_files([&files.crl])
        .unwrap()
        .with_revocation_depth(sslconf::RevocationDepth::Leaf)
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer)
}

/// The certificate `server` presents (to the client that is never
/// revoked), and whether the client that may be revoked got in.
fn handshake(pki: &Pki, server: &SslConfiguration) -> (Option<Certificate>, bool) {
    let presented = common::connect(&pki.client_of(&pki.other), server, "localhost")
        .client
        .ok()
        .and_then(|s| s.peer_certificate().cloned());
    let admitted = common::connect(&pki.client(), server, "localhost")
        .server
        .is_ok();
    (presented, admitted)
}

#[test]
fn a_value_derived_after_a_reload_serves_and_reports_what_it_read() {
    let pki = Pki::new();
    let files = Files::new("live-derived-after");
    let (first, second) = (
        pki.server_ca.leaf("localhost"),
        pki.server_ca.leaf("localhost"),
    );
    files.identity(&first);
    replace(&files.clients_ca, pki.clients_ca.cert.to_pem().as_bytes());
    replace(&files.crl, pki.clients_ca.revocation_list(&[]).as_bytes());
    let base = server(&files);
    assert_eq!(handshake(&pki, &base), (Some(first.leaf().clone()), true));

    // The files change: a new certificate, and a list revoking the client.
    files.identity(&second);
    replace(
        &files.crl,
        pki.clients_ca
            .revocation_list(&[pki.member.leaf()])
            .as_bytes(),
    );
    assert!(!base.reload().unwrap().is_empty());
    let derived = base.clone().with_allowed_next_protocols(["h2", "http/1.1"]);
    for value in [&base, &derived] {
        assert_eq!(value.local_certificate_chain().first(), Some(second.leaf()));
        assert_eq!(value.local_certificate_chain(), second.chain);
        assert_eq!(
            value.revocation_lists()[0].revoked_count(),
            1,
            "the getter tells the list in force"
        );
        let (presented, admitted) = handshake(&pki, value);
        assert_eq!(presented.as_ref(), Some(second.leaf()));
        assert!(!admitted, "the revoked client is refused");
    }
}

#[test]
fn values_derived_before_a_reload_and_their_configs_follow_it() {
    let pki = Pki::new();
    let files = Files::new("live-derived-before");
    let (first, second) = (
        pki.server_ca.leaf("localhost"),
        pki.server_ca.leaf("localhost"),
    );
    files.identity(&first);
    replace(&files.clients_ca, pki.clients_ca.cert.to_pem().as_bytes());
    replace(&files.crl, pki.clients_ca.revocation_list(&[]).as_bytes());
    let base = server(&files);
    let derived = base.clone().with_allowed_next_protocols(["h2"]);
    let derived_raw = derived.server_config().unwrap();
    assert_eq!(
        handshake(&pki, &derived),
        (Some(first.leaf().clone()), true)
    );

    files.identity(&second);
    replace(
        &files.crl,
        pki.clients_ca
            .revocation_list(&[pki.member.leaf()])
            .as_bytes(),
    );
    // A reload through the base (as `watch` holds a clone of it)...
    base.reload().unwrap();
    // ...is what the derived value serves, through the same Arc.
    assert!(Arc::ptr_eq(&derived_raw, &derived.server_config().unwrap()));
    assert_eq!(
        derived.local_certificate_chain().first(),
        Some(second.leaf())
    );
    assert_eq!(
        handshake(&pki, &derived),
        (Some(second.leaf().clone()), false)
    );
    let raw = common::raw_server_handshake(&derived, &pki.client(), "localhost");
    assert!(
        raw.is_err(),
        "the raw config refuses the revoked client too"
    );

    // And a reload through the derived value is what the base serves.
    let third = pki.server_ca.leaf("localhost");
    files.identity(&third);
    derived.reload().unwrap();
    assert_eq!(base.local_certificate_chain().first(), Some(third.leaf()));
    assert_eq!(handshake(&pki, &base).0.as_ref(), Some(third.leaf()));
}

#[test]
fn a_value_that_replaces_a_file_setting_no_longer_follows_those_files() {
    let pki = Pki::new();
    let files = Files::new("live-replaced");
    let first = pki.server_ca.leaf("localhost");
    files.identity(&first);
    let base = SslConfiguration::new()
        .with_local_identity(Identity::from_files(&files.chain, &files.key).unwrap());
    let fixed_id = pki.server_ca.leaf("localhost");
    let fixed = base
        .clone()
        .with_local_identity(Identity::new(fixed_id.chain.clone(), fixed_id.key()));
    files.identity(&pki.server_ca.leaf("localhost"));
    base.reload().unwrap();
    assert_eq!(
        fixed.local_certificate_chain().first(),
        Some(fixed_id.leaf())
    );
    assert!(fixed.reload().unwrap().is_empty(), "it reads no file");
}

#[test]
fn ca_files_and_values_added_to_them_both_stay_after_a_reload() {
    let files = Files::new("live-ca-added");
    let (from_file, added, rotated) = (
        Authority::root("Live File CA"),
        Authority::root("Live Added CA"),
        Authority::root("Live Rotated CA"),
    );
    replace(&files.clients_ca, from_file.cert.to_pem().as_bytes());
    let config = SslConfiguration::new()
        .with_ca_certificate_files([&files.clients_ca])
        .unwrap()
        .with_added_ca_certificates([added.cert.clone()]);
    assert_eq!(
        config.ca_certificates(),
        [from_file.cert.clone(), added.cert.clone()]
    );
    replace(&files.clients_ca, rotated.cert.to_pem().as_bytes());
    let reloaded = config.reload().unwrap();
    assert_eq!(
        reloaded.changed_files(),
        std::slice::from_ref(&files.clients_ca)
    );
    assert_eq!(
        config.ca_certificates(),
        [rotated.cert.clone(), added.cert.clone()]
    );
}

/// A reload's error is one line that names the file and says why, as the
/// `watch` example prints it (`eprintln!("{error}")`), with nothing more
/// down its source chain to repeat it.
#[test]
fn a_bad_reload_says_which_file_and_why_in_one_line() {
    let pki = Pki::new();
    let files = Files::new("live-bad");
    files.identity(&pki.server_ca.leaf("localhost"));
    let config = SslConfiguration::new()
        .with_local_identity(Identity::from_files(&files.chain, &files.key).unwrap());
    replace(&files.key, b"-----BEGIN PRIVATE KEY-----\nnot base64\n");
    let err = config.reload().unwrap_err();
    let line = err.to_string();
    assert!(matches!(err, Error::Reload { .. }), "{err:?}");
    assert!(line.contains(&files.key.display().to_string()), "{line}");
    assert!(line.contains("invalid private key"), "{line}");
    assert!(!line.contains('\n'), "{line}");
    assert!(std::error::Error::source(&err).is_none(), "{line}");
}

/// A connection's session state tells the chain its handshake presented,
/// on either side, even when asked after a reload replaced the identity
/// files (the state is read lazily, on first use).
#[test]
fn a_session_reports_the_local_chain_its_handshake_presented() {
    use std::io::{Read, Write};
    let pki = Pki::new();
    let server_files = Files::new("live-state-server");
    let client_files = Files::new("live-state-client");
    let (first, second) = (
        pki.server_ca.leaf("localhost"),
        pki.server_ca.leaf("localhost"),
    );
    let (member, other) = (&pki.member, &pki.other);
    server_files.identity(&first);
    replace(
        &server_files.clients_ca,
        pki.clients_ca.cert.to_pem().as_bytes(),
    );
    replace(
        &server_files.crl,
        pki.clients_ca.revocation_list(&[]).as_bytes(),
    );
    client_files.identity(member);
    let server = server(&server_files);
    let client = SslConfiguration::new()
        .with_ca_certificates([pki.server_ca.cert.clone()])
        .with_local_identity(Identity::from_files(&client_files.chain, &client_files.key).unwrap());

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let serving = {
        let server = server.clone();
        std::thread::spawn(move || {
            let mut tls = server.accept(listener.accept().unwrap().0).unwrap();
            let mut byte = [0u8];
            tls.read_exact(&mut byte).unwrap();
            tls.write_all(&byte).unwrap();
            tls.flush().unwrap();
            tls
        })
    };
    let mut tls = client
        .connect("localhost", std::net::TcpStream::connect(addr).unwrap())
        .unwrap();
    tls.write_all(b"x").unwrap();
    tls.read_exact(&mut [0u8]).unwrap();
    let served = serving.join().unwrap();

    server_files.identity(&second);
    client_files.identity(other);
    assert!(!server.reload().unwrap().is_empty());
    assert!(!client.reload().unwrap().is_empty());
    assert_eq!(client.local_certificate_chain(), other.chain);
    assert_eq!(
        tls.session_state().local_certificate_chain(),
        member.chain,
        "the client's state"
    );
    assert_eq!(
        served.session_state().local_certificate_chain(),
        first.chain,
        "the server's state"
    );
}

/// Log warnings, kept for the test that reads them.
struct Warnings(std::sync::Mutex<Vec<String>>);

impl log::Log for Warnings {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        if record.level() <= log::Level::Warn {
            self.0.lock().unwrap().push(record.args().to_string());
        }
    }
    fn flush(&self) {}
}

/// A reload that reads a list already past its nextUpdate serves it (it
/// still revokes) and warns, naming the file: every certificate it covers
/// now fails, which an operator must hear of before the clients do.
#[test]
fn a_reload_warns_of_a_list_past_its_next_update() {
    let warnings: &'static Warnings = Box::leak(Box::new(Warnings(Default::default())));
    log::set_logger(warnings).unwrap();
    log::set_max_level(log::LevelFilter::Warn);
    let pki = Pki::new();
    let files = Files::new("live-expired-list");
    files.identity(&pki.server_ca.leaf("localhost"));
    replace(&files.clients_ca, pki.clients_ca.cert.to_pem().as_bytes());
    replace(&files.crl, pki.clients_ca.revocation_list(&[]).as_bytes());
    let server = server(&files);
    assert!(handshake(&pki, &server).1);
    let about = |w: &String| w.contains(&files.crl.display().to_string());
    assert!(!warnings.0.lock().unwrap().iter().any(about));

    replace(
        &files.crl,
        pki.clients_ca.revocation_list_due(&[], -1).as_bytes(),
    );
    assert!(!server.reload().unwrap().is_empty());
    let said = warnings.0.lock().unwrap().clone();
    assert!(
        said.iter()
            .any(|w| about(w) && w.contains("past its nextUpdate")),
        "{said:?}"
    );
    assert!(!handshake(&pki, &server).1, "the expired list is in force");
}

// -- review2 --

/// A client's session state says the chain "its handshake presented"
/// (the commit, and this file's test above), taken as the handshake ends.
/// In TLS 1.2 a client sends its certificate a whole flight before its
/// handshake ends (the server's Finished is still to come): a reload of
/// the client's identity files in between, which a server can stretch at
/// will by holding its Finished back, makes the state report the chain
/// read by the reload, which this handshake never presented (the server
/// saw the first one).
#[test]
fn a_client_state_reports_the_chain_presented_when_the_server_finishes_after_a_reload() {
    use std::io::Read;
    use std::sync::mpsc;
    let pki = Pki::new();
    let client_files = Files::new("review2-state-client");
    client_files.identity(&pki.member);
    let client = SslConfiguration::new()
        .with_ca_certificates([pki.server_ca.cert.clone()])
        .with_local_identity(Identity::from_files(&client_files.chain, &client_files.key).unwrap())
        .with_protocol(sslconf::SslProtocol::TlsV1_2);
    let server = pki
        .server_ca
        .leaf("localhost")
        .server()
        .with_ca_certificates([pki.clients_ca.cert.clone()])
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer)
        .server_config()
        .unwrap();

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (received, client_flight) = mpsc::channel();
    let (go, finish) = mpsc::channel::<()>();
    let serving = std::thread::spawn(move || {
        let mut sock = listener.accept().unwrap().0;
        let mut conn = sslconf::rustls::ServerConnection::new(server).unwrap();
        while conn.is_handshaking() {
            while conn.wants_write() {
                conn.write_tls(&mut sock).unwrap();
            }
            conn.read_tls(&mut sock).unwrap();
            conn.process_new_packets().unwrap();
        }
        let presented = conn.peer_certificates().unwrap()[0].as_ref().to_vec();
        received.send(presented).unwrap();
        // The server's Finished, when the test says.
        finish.recv().unwrap();
        while conn.wants_write() {
            conn.write_tls(&mut sock).unwrap();
        }
        let _ = sock.read(&mut [0u8; 1]);
    });
    let reloading = client.clone();
    let connecting = std::thread::spawn(move || {
        client
            .connect("localhost", std::net::TcpStream::connect(addr).unwrap())
            .map(|tls| tls.session_state().local_certificate_chain().to_vec())
    });
    let presented = client_flight.recv().unwrap();
    assert_eq!(presented, pki.member.leaf().to_der(), "the server saw");
    client_files.identity(&pki.other);
    assert!(!reloading.reload().unwrap().is_empty());
    go.send(()).unwrap();
    let reported = connecting.join().unwrap();
    serving.join().unwrap();
    let reported = reported.unwrap();
    assert_eq!(
        reported[0].subject_display_name(),
        pki.member.leaf().subject_display_name(),
        "the state reports the chain read by the reload, not the one presented"
    );
}

// -- review3 --

/// A client's session state reports the chain "its handshake presented"
/// (`client::presenting`), and when the handshake presented none, the
/// chain in force as it ends, which the docs of `local_chain_in_force`
/// name for "a resumed session". But a resumed session is the first one's:
/// the server knows the client by the chain that full handshake presented
/// (carried in its session), and the client resumes it whatever its
/// identity files now hold (its session cache follows its trust, not its
/// identity; rustls's resolver check is the same `Arc` across reloads).
/// After a reload of the client's identity files, a resumed connection's
/// client state names the new certificate while its server's state names
/// the old one as the client's: the two ends of one session disagree on
/// who the client is, and a client that rotated a certificate away (say,
/// a compromised one) goes on authenticating with it until its sessions
/// end. TLS 1.3 and 1.2.
#[test]
fn a_resumed_client_reports_the_chain_its_server_knows_it_by_after_an_identity_reload() {
    let pki = Pki::new();
    let mut seen = Vec::new();
    for protocol in [sslconf::SslProtocol::TlsV1_3, sslconf::SslProtocol::TlsV1_2] {
        let files = Files::new("review3-resumed-identity");
        files.identity(&pki.member);
        let client = SslConfiguration::new()
            .with_ca_certificates([pki.server_ca.cert.clone()])
            .with_local_identity(Identity::from_files(&files.chain, &files.key).unwrap())
            .with_protocol(protocol);
        let server = pki
            .server_ca
            .leaf("localhost")
            .server()
            .with_ca_certificates([pki.clients_ca.cert.clone()])
            .with_peer_verify_mode(PeerVerifyMode::VerifyPeer);
        let (first, _) = common::connect(&client, &server, "localhost").ok();
        assert!(!first.is_resumed());

        files.identity(&pki.other);
        assert!(!client.reload().unwrap().is_empty());
        let (c, s) = common::connect(&client, &server, "localhost").ok();
        let name = |chain: &[Certificate]| chain.first().map(Certificate::subject_display_name);
        seen.push((
            protocol,
            c.is_resumed(),
            name(c.local_certificate_chain()),
            name(s.peer_certificate_chain()),
        ));
    }
    let agree = seen.iter().all(|(_, _, client, server)| client == server);
    assert!(
        agree,
        "(protocol, resumed, the client's state: its chain, the server's state: the \
         client's chain): {seen:?}"
    );
}
