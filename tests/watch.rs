//! `watch` follows every way files are delivered to a running server:
//! written in place, renamed over, certbot's `live/` links re-pointed at new
//! `archive/` files, a Kubernetes Secret or ConfigMap volume updated by the
//! kubelet's atomic writer, a symlinked directory swapped. Each layout and
//! each update is made here exactly as those tools make them, while clients
//! handshake in a loop: the new certificate (CA bundle, revocation list) is
//! served within 2 s, and no handshake fails.

#![cfg(unix)]

mod common;

use std::collections::hash_map::RandomState;
use std::ffi::OsString;
use std::hash::BuildHasher;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::{symlink, DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::openssl::Scratch;
use common::Authority;
use sslconf::{Certificate, Error, Identity, PeerVerifyMode, SslConfiguration, SslOption, Watcher};

/// How soon a delivery must be served.
const DEADLINE: Duration = Duration::from_secs(2);

// -- the server, its clients and its watcher ------------------------------------

/// A server on loopback, each connection on its own thread: the handshake
/// through `accept`, then one byte echoed. Stops when dropped.
struct Serving {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Serving {
    fn start(server: &SslConfiguration) -> Self {
        // Converted now: what is served from the start is good.
        server.server_config().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (stop, server) = (stop.clone(), server.clone());
            std::thread::spawn(move || {
                let mut workers = Vec::new();
                for socket in listener.incoming() {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let Ok(socket) = socket else { continue };
                    let server = server.clone();
                    workers.push(std::thread::spawn(move || {
                        let _ = socket.set_read_timeout(Some(Duration::from_secs(10)));
                        // A refused client is the probes' business.
                        if let Ok(mut tls) = server.accept(socket) {
                            let mut byte = [0u8];
                            if tls.read_exact(&mut byte).is_ok() {
                                let _ = tls.write_all(&byte).and_then(|()| tls.flush());
                            }
                        }
                    }));
                }
                for worker in workers {
                    worker.join().unwrap();
                }
            })
        };
        Serving {
            addr,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One connection of `client` to `addr`: the handshake and a byte echoed
/// (a client refused after a TLS 1.3 handshake learns it reading); the
/// certificate the server presented.
fn handshake(addr: SocketAddr, client: &SslConfiguration) -> Result<Certificate, Error> {
    let socket = TcpStream::connect(addr)?;
    socket.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut tls = client.connect("localhost", socket)?;
    tls.write_all(b"x")?;
    tls.flush()?;
    let mut byte = [0u8];
    tls.read_exact(&mut byte)?;
    Ok(tls.session_state().peer_certificate().unwrap().clone())
}

/// A client that verifies the server against `ca` and resumes nothing
/// (every handshake is full: it sees what the server serves now).
fn client_of(ca: &Authority) -> SslConfiguration {
    SslConfiguration::new()
        .with_ca_certificates([ca.cert.clone()])
        .with_ssl_option(SslOption::DisableSessionSharing, true)
        .unwrap()
}

/// `client` with a client certificate.
fn with_identity(client: SslConfiguration, id: &common::Identity) -> SslConfiguration {
    client.with_local_identity(Identity::new(id.chain.clone(), id.key()))
}

/// Clients handshaking with a server in a loop, from three threads, until
/// finished.
struct Load {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    handshakes: Arc<AtomicUsize>,
    failures: Arc<Mutex<Vec<String>>>,
}

impl Load {
    fn start(addr: SocketAddr, client: &SslConfiguration) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let handshakes = Arc::new(AtomicUsize::new(0));
        let failures = Arc::new(Mutex::new(Vec::new()));
        let threads = (0..3)
            .map(|_| {
                let (stop, handshakes, failures, client) = (
                    stop.clone(),
                    handshakes.clone(),
                    failures.clone(),
                    client.clone(),
                );
                std::thread::spawn(move || {
                    let started = Instant::now();
                    // Bounded by time too, should a test never finish it.
                    while !stop.load(Ordering::Relaxed)
                        && started.elapsed() < Duration::from_secs(60)
                    {
                        if let Err(error) = handshake(addr, &client) {
                            failures.lock().unwrap().push(error.to_string());
                        }
                        handshakes.fetch_add(1, Ordering::Relaxed);
                        // Some room for the rest of a two-core machine.
                        std::thread::sleep(Duration::from_millis(2));
                    }
                })
            })
            .collect();
        Load {
            stop,
            threads,
            handshakes,
            failures,
        }
    }

    /// Stops the clients: every one of their handshakes succeeded.
    fn finish(self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads {
            thread.join().unwrap();
        }
        let failures = self.failures.lock().unwrap();
        assert!(failures.is_empty(), "failed handshakes: {failures:?}");
        let handshakes = self.handshakes.load(Ordering::Relaxed);
        assert!(handshakes >= 30, "the load ran: {handshakes} handshakes");
    }
}

/// What a watcher reported, in order: the files a reload changed, or its
/// error.
struct Reports(Receiver<Result<Vec<PathBuf>, String>>);

fn watch(server: &SslConfiguration) -> (Watcher, Reports) {
    let (report, reports) = mpsc::channel();
    let report = Mutex::new(report);
    let watcher = server
        .watch(move |outcome| {
            let outcome = outcome
                .map(|reloaded| reloaded.changed_files().to_vec())
                .map_err(|e| common::openssl::causes(&e));
            let _ = report.lock().unwrap().send(outcome);
        })
        .unwrap();
    (watcher, Reports(reports))
}

impl Reports {
    /// The next report.
    fn next(&self) -> Result<Vec<PathBuf>, String> {
        self.0
            .recv_timeout(Duration::from_secs(10))
            .expect("a reload was reported")
    }

    /// No (further) reload: the reloads' own reads start none.
    fn assert_quiet(&self) {
        match self.0.recv_timeout(Duration::from_millis(1000)) {
            Err(RecvTimeoutError::Timeout) => {}
            other => panic!("one burst, one reload; then {other:?}"),
        }
    }
}

/// Asks `served` until it holds, at most [`DEADLINE`] after `delivered`.
fn served_within_deadline(delivered: Instant, what: &str, served: impl Fn() -> bool) {
    loop {
        if served() {
            return;
        }
        assert!(
            delivered.elapsed() < DEADLINE,
            "{what} not served {DEADLINE:?} after the delivery"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A server presenting the identity in `chain` and `key`, watched, under
/// load from clients trusting `ca`; `deliver` replaces the files with `next`,
/// which is served within the deadline, by one reload naming `chain` and
/// `key`.
fn serves_each_delivery(
    ca: &Authority,
    chain: &Path,
    key: &Path,
    deliveries: &[&common::Identity],
    deliver: impl Fn(&common::Identity),
) {
    let server = SslConfiguration::new()
        .with_local_identity(sslconf::Identity::from_files(chain, key).unwrap());
    let serving = Serving::start(&server);
    let client = client_of(ca);
    let load = Load::start(serving.addr, &client);
    let (watcher, reports) = watch(&server);
    assert_eq!(watcher.files(), [chain.to_owned(), key.to_owned()]);
    for next in deliveries {
        deliver(next);
        let delivered = Instant::now();
        served_within_deadline(delivered, "the new certificate", || {
            handshake(serving.addr, &client).unwrap() == *next.leaf()
        });
        assert_eq!(
            reports.next().unwrap(),
            [chain.to_owned(), key.to_owned()],
            "one reload, of both files"
        );
        reports.assert_quiet();
    }
    load.finish();
    // Dropping the watcher ends its thread (and with it the report
    // callback this channel's sender lives in).
    drop(watcher);
    assert_eq!(
        reports.0.recv_timeout(Duration::from_secs(5)),
        Err(RecvTimeoutError::Disconnected)
    );
}

// -- how tools deliver files --------------------------------------------------

/// A Kubernetes Secret or ConfigMap volume, laid out and updated as the
/// kubelet's atomic writer (kubernetes pkg/volume/util/atomic_writer.go)
/// does: the files in a hidden timestamped directory
/// `..2026_12_06_07_00_00.1234567890`, `..data -> ..2026_…` and each name a
/// link `tls.crt -> ..data/tls.crt`, every link target relative.
struct Volume {
    dir: PathBuf,
}

impl Volume {
    fn new(dir: PathBuf) -> Self {
        std::fs::create_dir_all(&dir).unwrap();
        Volume { dir }
    }

    /// What the pod reads as `name`.
    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// One update of the volume to hold exactly `payload`, step for step.
    fn write(&self, payload: &[(&str, &[u8])]) {
        let dir = &self.dir;
        let data = dir.join("..data");
        // (2) the current timestamped directory.
        let old = std::fs::read_link(&data).ok();
        // (3) names the current version has and the new one does not.
        let removed: Vec<OsString> = old
            .iter()
            .flat_map(|old| std::fs::read_dir(dir.join(old)).unwrap())
            .map(|entry| entry.unwrap().file_name())
            .filter(|name| payload.iter().all(|(n, _)| name.as_os_str() != *n))
            .collect();
        // (4) nothing to write when every file holds these bytes already.
        if let Some(old) = &old {
            let same = payload.iter().all(|(name, bytes)| {
                std::fs::read(dir.join(old).join(name)).ok().as_deref() == Some(bytes)
            });
            if same && removed.is_empty() {
                return;
            }
        }
        // (5) a new timestamped directory, as Go's os.MkdirTemp makes it
        // (0700, a random decimal suffix), then opened to 0755.
        let now = time::OffsetDateTime::now_utc();
        let timestamped = format!(
            "..{:04}_{:02}_{:02}_{:02}_{:02}_{:02}.{}",
            now.year(),
            u8::from(now.month()),
            now.day(),
            now.hour(),
            now.minute(),
            now.second(),
            RandomState::new().hash_one(now) as u32
        );
        let new = dir.join(&timestamped);
        std::fs::DirBuilder::new().mode(0o700).create(&new).unwrap();
        std::fs::set_permissions(&new, std::fs::Permissions::from_mode(0o755)).unwrap();
        // (6) the payload, each file with the volume's default mode 0644.
        for (name, bytes) in payload {
            let path = new.join(name);
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o644)
                .open(&path)
                .unwrap();
            file.write_all(bytes).unwrap();
            drop(file);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        // (8) `..data_tmp` pointing at it...
        symlink(&timestamped, dir.join("..data_tmp")).unwrap();
        // (9) ...renamed over `..data`: the atomic swap.
        std::fs::rename(dir.join("..data_tmp"), &data).unwrap();
        // (10) a link for each name that has none yet.
        for (name, _) in payload {
            if std::fs::read_link(dir.join(name)).is_err() {
                symlink(Path::new("..data").join(name), dir.join(name)).unwrap();
            }
        }
        // (11) the links of names no longer delivered.
        for name in removed {
            std::fs::remove_file(dir.join(name)).unwrap();
        }
        // (12) the previous timestamped directory.
        if let Some(old) = old {
            std::fs::remove_dir_all(dir.join(old)).unwrap();
        }
    }

    /// The layout is the kubelet's: one timestamped directory, `..data`
    /// pointing at it, each name a relative link through `..data`, no
    /// `..data_tmp` left.
    fn assert_layout(&self, names: &[&str]) {
        let data = std::fs::read_link(self.dir.join("..data")).unwrap();
        let data = data.to_str().unwrap();
        let (stamp, random) = data
            .strip_prefix("..")
            .and_then(|name| name.split_once('.'))
            .unwrap_or_else(|| panic!("..data -> {data}"));
        assert!(
            stamp.len() == 19
                && stamp.split('_').all(|n| n.parse::<u16>().is_ok())
                && random.parse::<u32>().is_ok(),
            "..data -> {data}"
        );
        let mut entries: Vec<String> = std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        entries.sort();
        let mut expected: Vec<String> = [data, "..data"]
            .iter()
            .chain(names)
            .map(|s| s.to_string())
            .collect();
        expected.sort();
        assert_eq!(entries, expected);
        for name in names {
            assert_eq!(
                std::fs::read_link(self.dir.join(name)).unwrap(),
                Path::new("..data").join(name)
            );
        }
    }
}

/// A certbot lineage as certbot keeps it: `archive/<name>/cert1.pem`,
/// `chain1.pem`, `fullchain1.pem`, `privkey1.pem` (0600), and
/// `live/<name>/cert.pem -> ../../archive/<name>/cert1.pem` and so on;
/// a renewal writes version N+1 and re-points the links (certbot's
/// storage.py: `save_successor`, `update_all_links_to`).
struct Lineage {
    live: PathBuf,
    archive: PathBuf,
    name: String,
    version: std::cell::Cell<usize>,
}

const ALL_FOUR: [&str; 4] = ["cert", "privkey", "chain", "fullchain"];

impl Lineage {
    fn new(config: &Path, name: &str, id: &common::Identity) -> Self {
        let lineage = Lineage {
            live: config.join("live").join(name),
            archive: config.join("archive").join(name),
            name: name.to_owned(),
            version: std::cell::Cell::new(1),
        };
        std::fs::create_dir_all(&lineage.live).unwrap();
        std::fs::create_dir_all(&lineage.archive).unwrap();
        lineage.save(1, id);
        for kind in ALL_FOUR {
            symlink(lineage.target(kind, 1), lineage.live(kind)).unwrap();
        }
        lineage
    }

    fn live(&self, kind: &str) -> PathBuf {
        self.live.join(format!("{kind}.pem"))
    }

    /// A live link's target: relative, through `archive/`.
    fn target(&self, kind: &str, version: usize) -> PathBuf {
        Path::new("../../archive")
            .join(&self.name)
            .join(format!("{kind}{version}.pem"))
    }

    /// The archive files of `version`.
    fn save(&self, version: usize, id: &common::Identity) {
        let archived = |kind: &str| self.archive.join(format!("{kind}{version}.pem"));
        let mut key = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(archived("privkey"))
            .unwrap();
        key.write_all(id.key_pem().as_bytes()).unwrap();
        let cert = id.leaf().to_pem();
        let chain: String = id.chain[1..].iter().map(Certificate::to_pem).collect();
        std::fs::write(archived("cert"), &cert).unwrap();
        std::fs::write(archived("chain"), &chain).unwrap();
        std::fs::write(archived("fullchain"), cert + &chain).unwrap();
    }

    /// A renewal: the next version's files, then each live link re-pointed
    /// (removed and made again), with certbot's `previous_*.pem` links kept
    /// meanwhile.
    fn renew(&self, id: &common::Identity) {
        let version = self.version.get() + 1;
        self.save(version, id);
        let previous = |kind: &str| self.live.join(format!("previous_{kind}.pem"));
        for kind in ALL_FOUR {
            let current = self.live.join(std::fs::read_link(self.live(kind)).unwrap());
            symlink(std::path::absolute(current).unwrap(), previous(kind)).unwrap();
        }
        for kind in ALL_FOUR {
            std::fs::remove_file(self.live(kind)).unwrap();
            symlink(self.target(kind, version), self.live(kind)).unwrap();
        }
        for kind in ALL_FOUR {
            std::fs::remove_file(previous(kind)).unwrap();
        }
        self.version.set(version);
    }
}

/// Replaces `path` whole: written aside in its directory, then renamed
/// over it, as consul-template, Vault Agent and cert-manager's CSI driver
/// do.
fn rename_over(path: &Path, bytes: &[u8]) {
    let aside = path.with_extension("tmp");
    std::fs::write(&aside, bytes).unwrap();
    std::fs::rename(&aside, path).unwrap();
}

/// Points the link `link` at `target` atomically: a new link beside it,
/// renamed over it.
fn repoint(link: &Path, target: &Path) {
    let aside = link.with_extension("new");
    symlink(target, &aside).unwrap();
    std::fs::rename(&aside, link).unwrap();
}

fn secret(id: &common::Identity) -> [(&'static str, Vec<u8>); 2] {
    [
        ("tls.crt", id.chain_pem().into_bytes()),
        ("tls.key", id.key_pem().into_bytes()),
    ]
}

fn payload<'a>(files: &'a [(&'static str, Vec<u8>)]) -> Vec<(&'static str, &'a [u8])> {
    files.iter().map(|(n, b)| (*n, b.as_slice())).collect()
}

// -- the deliveries -----------------------------------------------------------

#[test]
fn files_written_in_place_are_served() {
    let ca = Authority::root("In Place Root");
    let dir = Scratch::new("watch-in-place");
    let (chain, key) = (dir.dir().join("cert.pem"), dir.dir().join("key.pem"));
    let write = |id: &common::Identity| {
        std::fs::write(&chain, id.chain_pem()).unwrap();
        std::fs::write(&key, id.key_pem()).unwrap();
    };
    write(&ca.leaf("localhost"));
    let (second, third) = (ca.leaf("localhost"), ca.leaf("localhost"));
    serves_each_delivery(&ca, &chain, &key, &[&second, &third], write);
}

#[test]
fn files_renamed_over_are_served() {
    let ca = Authority::root("Rename Over Root");
    let dir = Scratch::new("watch-rename");
    let (chain, key) = (dir.dir().join("cert.pem"), dir.dir().join("key.pem"));
    let write = |id: &common::Identity| {
        rename_over(&chain, id.chain_pem().as_bytes());
        rename_over(&key, id.key_pem().as_bytes());
    };
    write(&ca.leaf("localhost"));
    let (second, third) = (ca.leaf("localhost"), ca.leaf("localhost"));
    serves_each_delivery(&ca, &chain, &key, &[&second, &third], write);
}

#[test]
fn certbot_renewals_are_served() {
    let root = Authority::root("Certbot Root");
    let issuer = root.intermediate("Certbot Intermediate");
    let issue = || issuer.leaf_with_chain("localhost", &[&issuer]);
    let dir = Scratch::new("watch-certbot");
    let lineage = Lineage::new(dir.dir(), "example.com", &issue());
    let (chain, key) = (lineage.live("fullchain"), lineage.live("privkey"));
    let (second, third) = (issue(), issue());
    serves_each_delivery(&root, &chain, &key, &[&second, &third], |id| {
        lineage.renew(id)
    });
    assert_eq!(
        std::fs::read_link(&chain).unwrap(),
        Path::new("../../archive/example.com/fullchain3.pem")
    );
}

/// A Secret's `tls.crt` and `tls.key` updated by the kubelet, twice (the
/// second update goes through the directory the first one made).
#[test]
fn kubelet_secret_updates_are_served() {
    let ca = Authority::root("Secret Root");
    let dir = Scratch::new("watch-secret");
    let volume = Volume::new(dir.dir().join("tls"));
    volume.write(&payload(&secret(&ca.leaf("localhost"))));
    volume.assert_layout(&["tls.crt", "tls.key"]);
    let (chain, key) = (volume.path("tls.crt"), volume.path("tls.key"));
    let (second, third) = (ca.leaf("localhost"), ca.leaf("localhost"));
    serves_each_delivery(&ca, &chain, &key, &[&second, &third], |id| {
        volume.write(&payload(&secret(id)));
        volume.assert_layout(&["tls.crt", "tls.key"]);
    });
}

/// A Secret updated with half a key: the error is reported and the old
/// certificate stays; the next good update is served.
#[test]
fn a_bad_kubelet_delivery_keeps_the_old_certificate() {
    let ca = Authority::root("Bad Secret Root");
    let dir = Scratch::new("watch-bad-secret");
    let volume = Volume::new(dir.dir().join("tls"));
    let first = ca.leaf("localhost");
    volume.write(&payload(&secret(&first)));
    let server = SslConfiguration::new().with_local_identity(
        sslconf::Identity::from_files(volume.path("tls.crt"), volume.path("tls.key")).unwrap(),
    );
    let serving = Serving::start(&server);
    let client = client_of(&ca);
    let load = Load::start(serving.addr, &client);
    let (_watcher, reports) = watch(&server);

    let second = ca.leaf("localhost");
    let key = second.key_pem();
    volume.write(&[
        ("tls.crt", second.chain_pem().as_bytes()),
        ("tls.key", &key.as_bytes()[..key.len() / 2]),
    ]);
    let error = reports.next().unwrap_err();
    assert!(
        error.starts_with("reloading") && error.contains("tls.key"),
        "{error}"
    );
    reports.assert_quiet();
    assert_eq!(handshake(serving.addr, &client).unwrap(), *first.leaf());

    let third = ca.leaf("localhost");
    volume.write(&payload(&secret(&third)));
    let delivered = Instant::now();
    served_within_deadline(delivered, "the good update", || {
        handshake(serving.addr, &client).unwrap() == *third.leaf()
    });
    assert_eq!(reports.next().unwrap().len(), 2);
    load.finish();
}

/// A ConfigMap holding the CA bundle a server verifies clients with: a
/// client of the CA added to the bundle is accepted.
#[test]
fn a_kubelet_delivered_ca_bundle_is_trusted() {
    let (first, second) = (Authority::root("Bundle One"), Authority::root("Bundle Two"));
    let dir = Scratch::new("watch-ca-bundle");
    let volume = Volume::new(dir.dir().join("trust"));
    volume.write(&[("ca.crt", first.cert.to_pem().as_bytes())]);
    let server = first
        .leaf("localhost")
        .server()
        .with_ca_certificate_files([volume.path("ca.crt")])
        .unwrap()
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer);
    let serving = Serving::start(&server);
    let load = Load::start(
        serving.addr,
        &with_identity(client_of(&first), &first.leaf("client.test")),
    );
    let (_watcher, reports) = watch(&server);
    let newcomer = with_identity(client_of(&first), &second.leaf("client.test"));
    assert!(
        handshake(serving.addr, &newcomer).is_err(),
        "not trusted yet"
    );

    let bundle = first.cert.to_pem() + &second.cert.to_pem();
    volume.write(&[("ca.crt", bundle.as_bytes())]);
    let delivered = Instant::now();
    served_within_deadline(delivered, "the new CA bundle", || {
        handshake(serving.addr, &newcomer).is_ok()
    });
    assert_eq!(reports.next().unwrap(), [volume.path("ca.crt")]);
    reports.assert_quiet();
    load.finish();
}

/// A revocation list delivered by the kubelet: the client it revokes is
/// refused, the others are not.
#[test]
fn a_kubelet_delivered_revocation_list_refuses_the_revoked() {
    let ca = Authority::root("CRL Volume Root");
    let (good, revoked) = (ca.leaf("good.test"), ca.leaf("revoked.test"));
    let dir = Scratch::new("watch-crl");
    let volume = Volume::new(dir.dir().join("crl"));
    volume.write(&[("ca.crl", ca.revocation_list(&[]).as_bytes())]);
    let server = ca
        .leaf("localhost")
        .server()
        .with_ca_certificates([ca.cert.clone()])
        .with_revocation_list_files([volume.path("ca.crl")])
        .unwrap()
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer);
    let serving = Serving::start(&server);
    let load = Load::start(serving.addr, &with_identity(client_of(&ca), &good));
    let (_watcher, reports) = watch(&server);
    let doomed = with_identity(client_of(&ca), &revoked);
    handshake(serving.addr, &doomed).expect("not revoked yet");

    volume.write(&[("ca.crl", ca.revocation_list(&[revoked.leaf()]).as_bytes())]);
    let delivered = Instant::now();
    served_within_deadline(delivered, "the new revocation list", || {
        handshake(serving.addr, &doomed).is_err()
    });
    assert_eq!(reports.next().unwrap(), [volume.path("ca.crl")]);
    reports.assert_quiet();
    load.finish();
}

/// `tls -> tls-v1` re-pointed to `tls-v2`, the old directory removed;
/// then files renamed over in `tls-v2`, which is watched from the swap on.
#[test]
fn a_swapped_directory_link_is_served_and_followed() {
    let ca = Authority::root("Directory Swap Root");
    let dir = Scratch::new("watch-dir-swap");
    let version = |n: usize, id: &common::Identity| {
        let real = dir.dir().join(format!("tls-v{n}"));
        std::fs::create_dir(&real).unwrap();
        std::fs::write(real.join("cert.pem"), id.chain_pem()).unwrap();
        std::fs::write(real.join("key.pem"), id.key_pem()).unwrap();
        real
    };
    let link = dir.dir().join("tls");
    symlink(version(1, &ca.leaf("localhost")), &link).unwrap();
    let (chain, key) = (link.join("cert.pem"), link.join("key.pem"));
    let swapped = std::cell::Cell::new(false);
    let (second, third) = (ca.leaf("localhost"), ca.leaf("localhost"));
    serves_each_delivery(&ca, &chain, &key, &[&second, &third], |id| {
        if swapped.replace(true) {
            rename_over(&chain, id.chain_pem().as_bytes());
            rename_over(&key, id.key_pem().as_bytes());
        } else {
            let old = std::fs::read_link(&link).unwrap();
            repoint(&link, &version(2, id));
            std::fs::remove_dir_all(old).unwrap();
        }
    });
}

/// A directory moved into place (the old one moved aside, the new one
/// renamed to its name, the old one removed); then files renamed over in
/// the new directory, which is watched from then on.
#[test]
fn a_directory_renamed_into_place_is_served_and_followed() {
    let ca = Authority::root("Directory Rename Root");
    let dir = Scratch::new("watch-dir-rename");
    let tls = dir.dir().join("tls");
    let fill = |real: &Path, id: &common::Identity| {
        std::fs::create_dir(real).unwrap();
        std::fs::write(real.join("cert.pem"), id.chain_pem()).unwrap();
        std::fs::write(real.join("key.pem"), id.key_pem()).unwrap();
    };
    fill(&tls, &ca.leaf("localhost"));
    let (chain, key) = (tls.join("cert.pem"), tls.join("key.pem"));
    let moved = std::cell::Cell::new(false);
    let (second, third) = (ca.leaf("localhost"), ca.leaf("localhost"));
    serves_each_delivery(&ca, &chain, &key, &[&second, &third], |id| {
        if moved.replace(true) {
            rename_over(&chain, id.chain_pem().as_bytes());
            rename_over(&key, id.key_pem().as_bytes());
        } else {
            let (new, old) = (dir.dir().join("tls.new"), dir.dir().join("tls.old"));
            fill(&new, id);
            std::fs::rename(&tls, &old).unwrap();
            std::fs::rename(&new, &tls).unwrap();
            std::fs::remove_dir_all(&old).unwrap();
        }
    });
}

/// A directory that never goes quiet (a log written beside the
/// certificate every 50 ms) still has its files read: a delivery there is
/// served within the deadline.
#[test]
fn a_directory_that_never_goes_quiet_is_still_read() {
    let ca = Authority::root("Noisy Directory Root");
    let dir = Scratch::new("watch-noisy");
    let (chain, key) = (dir.dir().join("cert.pem"), dir.dir().join("key.pem"));
    let first = ca.leaf("localhost");
    rename_over(&chain, first.chain_pem().as_bytes());
    rename_over(&key, first.key_pem().as_bytes());
    let server = SslConfiguration::new()
        .with_local_identity(sslconf::Identity::from_files(&chain, &key).unwrap());
    let serving = Serving::start(&server);
    let client = client_of(&ca);
    let (_watcher, _reports) = watch(&server);
    let stop = Arc::new(AtomicBool::new(false));
    let logging = {
        let (stop, log) = (stop.clone(), dir.dir().join("server.log"));
        std::thread::spawn(move || {
            let mut log = std::fs::File::create(log).unwrap();
            while !stop.load(Ordering::Relaxed) {
                log.write_all(b"handshake\n").unwrap();
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };
    // The noise has been going on for a while when the delivery comes.
    std::thread::sleep(Duration::from_millis(700));
    let next = ca.leaf("localhost");
    rename_over(&chain, next.chain_pem().as_bytes());
    rename_over(&key, next.key_pem().as_bytes());
    let delivered = Instant::now();
    served_within_deadline(delivered, "the new certificate", || {
        handshake(serving.addr, &client).unwrap() == *next.leaf()
    });
    stop.store(true, Ordering::Relaxed);
    logging.join().unwrap();
}
