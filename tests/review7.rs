//! Review 7 (hostile review of 73f8f65, one local identity setter, and
//! e041758, the `Passphrase` value): each test here failed on the commits
//! reviewed, says what was wrong and guards the fix.
#![cfg(all(unix, feature = "pkcs12", feature = "serde"))]

mod common;

use std::sync::mpsc;
use std::time::Duration;

use common::openssl::Scratch;
use sslconf::{Certificate, Identity, Passphrase, PrivateKey, SslConfiguration};

/// `tests/data/ec-p256-encrypted.pem` and its passphrase.
const ENCRYPTED: &[u8] = include_bytes!("data/ec-p256-encrypted.pem");
const SECRET: &str = "sslconf-test";

/// How long reading a passphrase from a pipe may take: a bounded read of its
/// first line takes milliseconds.
const DEADLINE: Duration = Duration::from_secs(10);

/// The encrypted key, a certificate for it and a file holding its passphrase.
fn encrypted_identity_files(scratch: &Scratch) -> (String, String, String) {
    let key = PrivateKey::from_pem_with_passphrase(ENCRYPTED, &Passphrase::new(SECRET)).unwrap();
    let pair = rcgen::KeyPair::try_from(key.as_rustls()).unwrap();
    let cert = rcgen::CertificateParams::new(vec!["enc.example".to_owned()])
        .unwrap()
        .self_signed(&pair)
        .unwrap();
    let (chain, key, pass) = (
        scratch.file("enc.pem"),
        scratch.file("enc.key"),
        scratch.file("enc.pass"),
    );
    std::fs::write(&chain, cert.pem()).unwrap();
    std::fs::write(&key, ENCRYPTED).unwrap();
    std::fs::write(&pass, format!("{SECRET}\n")).unwrap();
    (chain, key, pass)
}

/// A named pipe at `path` a thread writes `first` into, then up to
/// `stream` more bytes `a` (no line end), then keeps open (as a secrets
/// agent, or `/dev/zero`, never ends) until the returned sender is dropped or
/// 60 s pass.
fn pipe_that_stays_open(path: &str, first: &'static [u8], stream: usize) -> mpsc::Sender<()> {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo {path}");
    let (stop, stopped) = mpsc::channel::<()>();
    let path = path.to_owned();
    std::thread::spawn(move || {
        use std::io::Write;
        // Blocks until the library opens the pipe for reading.
        let Ok(mut pipe) = std::fs::OpenOptions::new().write(true).open(&path) else {
            return;
        };
        if pipe.write_all(first).is_err() {
            return;
        }
        let chunk = vec![b'a'; 64 * 1024];
        let mut written = 0;
        while written < stream {
            // A reader that stopped (closed the pipe) ends this: EPIPE.
            if pipe.write_all(&chunk).is_err() {
                return;
            }
            written += chunk.len();
        }
        let _ = stopped.recv_timeout(Duration::from_secs(60));
    });
    stop
}

/// Runs `read` on a thread; what it returned within [`DEADLINE`], if it did.
fn within_deadline<T: Send + 'static>(read: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (done, result) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(read());
    });
    result.recv_timeout(DEADLINE).ok()
}

/// Found by review 7 (fixed): `Passphrase::from_file` is documented as "the first line of
/// `path`, ... as OpenSSL's `-passin file:` reads it", but it reads the
/// *whole* file to its end (`std::fs::read`) and then keeps the first line.
/// A passphrase file whose writer has written the line but not closed it (a
/// named pipe fed by a secrets agent, `<(...)` of a process still running)
/// hangs the constructor, and with it `reload()` and the `watch` thread,
/// until the writer goes away. A correct library reads up to the first line
/// end and stops, as OpenSSL's `BIO_gets` does.
#[test]
fn a_passphrase_file_is_read_up_to_its_first_line_only() {
    let scratch = Scratch::new("review7-pipe-line");
    let pipe = scratch.file("key.pass");
    let _writer = pipe_that_stays_open(&pipe, b"sslconf-test\n", 0);
    let read = within_deadline(move || {
        PrivateKey::from_pem_with_passphrase(ENCRYPTED, &Passphrase::from_file(&pipe))
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    let Some(read) = read else {
        panic!(
            "the key's passphrase, the pipe's first line, was written, but reading it did \
             not return within {DEADLINE:?}: the whole file is read, not its first line"
        )
    };
    assert_eq!(read, Ok(()));
}

/// Found by review 7 (fixed): a passphrase file is read with no bound on its size. The first
/// line of `/dev/zero`, `/dev/urandom`, a multi-gigabyte file, or a pipe that
/// never sends a line end is read into memory until the process runs out of
/// it (measured: `Passphrase::from_file("/dev/zero")` under a 3 GB address
/// space limit read 3 GB in 2.4 s before `ReadFile { source: OutOfMemory }`;
/// without a limit the OOM killer ends the server, on a `watch` reload as
/// well as at startup). PKCS#12 files are bounded (1 MiB) for this reason;
/// a passphrase, the smallest input, is not. A correct library reads at most
/// a small bound (OpenSSL: 1 KiB for `-passin file:`) and then truncates or
/// refuses with a typed error naming the file; either returns at once here.
#[test]
fn a_passphrase_file_is_read_with_a_bound() {
    let scratch = Scratch::new("review7-pipe-bound");
    let pipe = scratch.file("key.pass");
    // 16 MiB without a line end, then the pipe stays open.
    let _writer = pipe_that_stays_open(&pipe, b"", 16 << 20);
    let read = within_deadline(move || {
        PrivateKey::from_pem_with_passphrase(ENCRYPTED, &Passphrase::from_file(&pipe))
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    assert!(
        read.is_some(),
        "reading a passphrase from a file of 16 MiB without a line end did not return within \
         {DEADLINE:?}: the read has no bound"
    );
}

/// Found by review 7 (fixed): `Passphrase::same_source` says "what a settings file writes, and
/// what an identity's equality looks at, is where it comes from", and
/// `IdentityFiles` implements `PartialEq` comparing the passphrase source,
/// but `Identity::eq` compares only `files()` (the two paths), so that
/// `PartialEq` is never used. Two configurations whose identities read the
/// same files but are unlocked from a file, from an environment variable,
/// or by a value compare equal, although they write different settings
/// files (one of them cannot be written at all) and reload differently (a
/// passphrase file is read again, a variable is not). A round-trip check
/// `from_toml_str(&config.to_toml()?) == config` therefore cannot see a
/// passphrase source lost or changed. A correct library compares the
/// source (not the bytes) in `Identity`'s equality, as documented.
#[test]
fn identities_unlocked_from_different_sources_are_not_equal() {
    let scratch = Scratch::new("review7-equality");
    let (chain, key, pass) = encrypted_identity_files(&scratch);
    let variable = "SSLCONF_REVIEW7_EQUALITY_PASSPHRASE";
    std::env::set_var(variable, SECRET);
    let configuration = |passphrase| {
        SslConfiguration::new().with_local_identity(
            Identity::from_files_with_passphrase(&chain, &key, passphrase).unwrap(),
        )
    };
    let from_file = configuration(Passphrase::from_file(&pass));
    let from_variable = configuration(Passphrase::from_env(variable).unwrap());
    let from_value = configuration(Passphrase::new(SECRET));
    std::env::remove_var(variable);

    // They are not the same configuration: they write different files.
    assert_ne!(
        from_file
            .to_settings_file()
            .and_then(|f| f.to_toml())
            .unwrap(),
        from_variable
            .to_settings_file()
            .and_then(|f| f.to_toml())
            .unwrap()
    );
    assert!(from_value
        .to_settings_file()
        .and_then(|f| f.to_toml())
        .is_err());
    assert!(
        from_file != from_variable,
        "a passphrase from a file and one from an environment variable compare equal"
    );
    assert!(
        from_file != from_value,
        "a passphrase from a file and one given as a value compare equal"
    );
}

/// Found by review 7 (fixed): after 73f8f65 the identity errors say `setting local_identity:`,
/// and an identity added with `with_added_local_identity` that fails its
/// checks is reported with the same words: a server whose local identity is
/// good, or that has none at all, is told "setting local_identity: the
/// private key does not match the certificate ..." (or "... an
/// identity needs a certificate"), sending the operator to the wrong
/// certificate and key. A server-name identity's error is wrapped to name
/// its pattern (`Error::ServerNameIdentity`); a correct library names the
/// added identity likewise (e.g. which one, by index or its files), never
/// the local identity it is not.
#[test]
fn an_added_identitys_error_does_not_blame_the_local_identity() {
    let issued = rcgen::KeyPair::generate().unwrap();
    let other = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["added.example".to_owned()])
        .unwrap()
        .self_signed(&issued)
        .unwrap();
    let leaf = || Certificate::from_der(cert.der()).unwrap();
    let good = Identity::new(
        [leaf()],
        PrivateKey::from_der(&issued.serialize_der()).unwrap(),
    );
    let mismatched = Identity::new(
        [leaf()],
        PrivateKey::from_der(&other.serialize_der()).unwrap(),
    );
    let empty = Identity::new([], PrivateKey::from_der(&issued.serialize_der()).unwrap());

    for (what, server) in [
        (
            "a key that does not match, beside a good local identity",
            SslConfiguration::new()
                .with_local_identity(good.clone())
                .with_added_local_identity(mismatched.clone()),
        ),
        (
            "an empty chain, beside a good local identity",
            SslConfiguration::new()
                .with_local_identity(good.clone())
                .with_added_local_identity(empty),
        ),
        (
            "a key that does not match, with no local identity",
            SslConfiguration::new().with_added_local_identity(mismatched),
        ),
    ] {
        let err = server.server_config().unwrap_err();
        assert!(
            !err.to_string().contains("local_identity"),
            "an added identity with {what} is reported as the local identity: {err}"
        );
    }
}
