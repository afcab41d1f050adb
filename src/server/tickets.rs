//! Session-ticket keys that every server of a fleet reads from the same
//! files, and the rustls ticketer that seals tickets with them.
//!
//! rustls's own ticketer makes random keys per process (rotated every six
//! hours), so a client that a round-robin balancer sends to another server
//! never resumes there. With the same keys on every server, any server opens
//! any server's tickets.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use arc_swap::ArcSwap;
use rustls::server::ProducesTickets;
use zeroize::Zeroizing;

use super::ticket_file::{self, TicketKey, LONG_KEY_LEN, NAME_LEN};
use crate::error::InvalidInput;
use crate::live::Rebuilt;
use crate::provider::primitives::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use crate::provider::primitives::hkdf;
use crate::provider::primitives::rand::{SecureRandom, SystemRandom};
use crate::Error;

const NONCE_LEN: usize = aead::NONCE_LEN;
const TAG_LEN: usize = 16;
/// What precedes the sealed bytes: key name and nonce.
const HEADER_LEN: usize = NAME_LEN + NONCE_LEN;
/// HKDF salt and info prefix of the derivation stated on [`TicketKeys`].
const HKDF_SALT: &[u8] = b"sslconf session ticket key";
const HKDF_INFO: &[u8] = b"aes-256-gcm";
/// RFC 8446 §4.6.1: a ticket lifetime is at most seven days.
pub(crate) const MAX_LIFETIME: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// What servers tell clients without a lifetime setting: rustls's own
/// ticketer's (keys rotated every six hours, each valid for twelve).
pub(crate) const DEFAULT_LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);

/// Session-ticket keys shared by every server of a fleet, read from key files
/// in nginx's or HAProxy's format; set them with
/// [`with_session_ticket_keys`](crate::SslConfiguration::with_session_ticket_keys).
///
/// **One key seals new tickets; every key opens them.** A key is 80 bytes
/// (a 16-byte key name, then 64 bytes of secrets) or 48 (16 + 32), made
/// with `openssl rand`. A key file holds either
///
/// - **one raw key**, exactly 80 or 48 bytes: nginx's
///   [`ssl_session_ticket_key`](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_session_ticket_key)
///   format (`openssl rand 80 > ticket.key`); or
/// - **base64 keys, one a line**: HAProxy's
///   [`tls-ticket-keys`](https://docs.haproxy.org/3.0/configuration.html#5.1-tls-ticket-keys)
///   format, followed exactly: padded standard base64 (a line may end in
///   `\r\n`), all keys of a file 80 bytes or all 48, at least three. The
///   last three lines are used and **the second-to-last seals**; lines
///   before them are checked but unused. A file an HAProxy fleet already
///   rotates works unchanged.
///
/// Any other content is an [`Error::InvalidSessionTicketKey`] naming the
/// file and, in the line format, the line. With several files
/// ([`from_paths`](Self::from_paths), [`followed_by`](Self::followed_by)),
/// the first file's sealing key seals and every file's keys open.
///
/// # Rotation
/// Every server must be able to open a key's tickets before any server
/// seals with it. With HAProxy's format that is one step, an appended line:
///
/// ```sh
/// # Once: three keys (previous, sealing, next), copied to every server.
/// for i in 1 2 3; do openssl rand 80 | openssl base64 -A | xargs echo; done > tickets.keys
/// # Each rotation (HAProxy suggests every 12 hours): append a key, then
/// # copy the file to every server and reload (or let `watch` see it).
/// openssl rand 80 | openssl base64 -A | xargs echo >> tickets.keys
/// ```
///
/// After a reload, the key that was last (which every server could already
/// open) seals, the one that sealed still opens, and the one before it is
/// dropped, so servers may reload in any order. A ticket therefore opens
/// until the second rotation after it was sealed: rotate no more often
/// than the ticket [lifetime](crate::SslConfiguration::with_session_ticket_lifetime)
/// (12 hours by default) if tickets should live that long. We follow
/// HAProxy's convention rather than "newest first" because its third,
/// not-yet-sealing key is what makes one step safe: with newest first, a
/// key must be rolled out in two steps.
///
/// With nginx's raw files, roll a new key out in those two steps, as with
/// nginx or Go's `SetSessionTicketKeys`: first add it second on every
/// server (`[old, new]`: each server can open tickets the others will seal
/// with it), then, once all have it, promote it (`[new, old]`); drop the
/// old key after a ticket lifetime. Rewriting a file's content and
/// reloading rotates that file's key.
///
/// # Tickets
/// The keys' bytes are key material, not used as nginx or HAProxy use
/// them: tickets are sealed with AES-256-GCM under a key derived from each
/// key (decoded, in the line format) as
///
/// ```text
/// key = HKDF-SHA256(salt = "sslconf session ticket key",
///                   IKM  = the key's bytes after the key name (64 or 32),
///                   info = "aes-256-gcm" || key name, length = 32)
/// ticket = key name (16) || nonce (12) || AES-256-GCM(key, nonce,
///          AAD = key name, plaintext = envelope (33) || session state) || tag (16)
/// envelope = version (1) || acceptance policy tag (16)
///            || first full handshake (8) || client certificate valid until (8)
/// ```
///
/// with a fresh random nonce per ticket (with random nonces, keep a key to
/// well under 2³² tickets: rotate it) and times in seconds since the Unix
/// epoch, big-endian. The policy tag is a digest of what decides whether
/// the server accepts a client (verify mode, CA certificates, revocation
/// lists, pins, depth, expected errors): a server opens only the tickets
/// of servers with its own policy, so a fleet shares sessions only where
/// every server would have accepted the client. Tickets are not
/// interchangeable with nginx's, HAProxy's or OpenSSL's: the servers
/// sharing a key must all run this crate. A ticket under a key no longer
/// used, one that fails to open (altered, truncated, another fleet's),
/// another policy's, one past the
/// [lifetime](crate::SslConfiguration::with_session_ticket_lifetime)
/// counted from the session's first full handshake (however often it was
/// renewed), and one whose client certificate has expired is refused: the
/// client gets a full handshake, never an error.
///
/// # Secrets
/// Not `Clone` (a configuration shares it through an `Arc`); the bytes
/// read, the base64 text and the keys decoded from it are zeroized on drop
/// (the file is read into one buffer that is never reallocated, and decoded
/// straight into the key's), and `Debug` and errors show key names and
/// line numbers only (names travel in clear, at the start of every
/// ticket). The derived AES keys live in the crypto library's key objects:
/// aws-lc wipes every allocation it frees, ring does not wipe its key
/// schedules.
///
/// ```
/// use sslconf::TicketKeys;
///
/// let file = [7u8; 80]; // in production: `openssl rand 80`, read with from_path(s)
/// let keys = TicketKeys::from_bytes(&file)?;
/// assert_eq!(keys.key_names(), [[7u8; 16]]);
/// assert_eq!(format!("{keys:?}"), format!("TicketKeys {{ key_names: [\"{}\"], secrets: [elided] }}", "07".repeat(16)));
///
/// let err = TicketKeys::from_bytes(&file[..79]).unwrap_err();
/// assert_eq!(err.to_string(), "invalid session ticket key in byte input");
/// # Ok::<(), sslconf::Error>(())
/// ```
pub struct TicketKeys {
    /// In order: the first source's first key seals; all open. Never
    /// empty, and no source is empty.
    sources: Vec<KeySource>,
}

/// The keys of one key file (or of bytes), the sealing one first.
struct KeySource {
    /// The file they were read from, which a reload reads again.
    file: Option<PathBuf>,
    keys: Vec<TicketKey>,
}

impl KeySource {
    /// This source read again from its file, or the same keys.
    fn reread(&self) -> Result<KeySource, Error> {
        Ok(KeySource {
            file: self.file.clone(),
            keys: match &self.file {
                Some(path) => ticket_file::read(path)?,
                None => self.keys.iter().map(TicketKey::duplicate).collect(),
            },
        })
    }
}

impl TicketKey {
    /// The AES-256-GCM key derived from the secret, as [`TicketKeys`] states.
    fn aead_key(&self) -> Result<LessSafeKey, Error> {
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, HKDF_SALT).extract(&self.secret);
        let info = [HKDF_INFO, &self.name[..]];
        let okm = prk
            .expand(&info, &aead::AES_256_GCM)
            .map_err(|_| Error::Tls(rustls::Error::General("deriving a ticket key".into())))?;
        Ok(LessSafeKey::new(UnboundKey::from(okm)))
    }
}

impl TicketKeys {
    /// The keys in the bytes of a key file, in either format: one raw key
    /// (exactly 80 or 48 bytes) or HAProxy's base64 lines.
    ///
    /// ```
    /// use sslconf::TicketKeys;
    ///
    /// // HAProxy's format: three 48-byte keys of 1s, 2s and 3s in base64;
    /// // the second-to-last seals, listed first.
    /// let file = format!("{}\n{}\n{}\n", "AQEB".repeat(16), "AgIC".repeat(16), "AwMD".repeat(16));
    /// let keys = TicketKeys::from_bytes(file.as_bytes())?;
    /// assert_eq!(keys.key_names(), [[2; 16], [1; 16], [3; 16]]);
    /// # Ok::<(), sslconf::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidSessionTicketKey`] for anything else, naming the
    /// line that is wrong.
    pub fn from_bytes(bytes: &[u8]) -> Result<TicketKeys, Error> {
        Ok(TicketKeys {
            sources: vec![KeySource {
                file: None,
                keys: ticket_file::parse(bytes, "byte input")?,
            }],
        })
    }

    /// The keys in one key file, in either format.
    ///
    /// ```no_run
    /// use sslconf::{SslConfiguration, TicketKeys};
    ///
    /// // HAProxy's format, rotated by appending a line and reloading.
    /// let keys = TicketKeys::from_path("/run/tls/tickets.keys")?;
    /// let config = SslConfiguration::new().with_session_ticket_keys(keys);
    /// # Ok::<(), sslconf::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`from_paths`](Self::from_paths).
    pub fn from_path(path: impl AsRef<Path>) -> Result<TicketKeys, Error> {
        Self::from_paths([path])
    }

    /// The keys in key files, in order: the first file's sealing key seals
    /// new tickets, every key opens them. Each file is in either format.
    ///
    /// ```no_run
    /// use sslconf::{SslConfiguration, TicketKeys};
    ///
    /// // nginx's files, promoted: new.key seals, tickets sealed with old.key still open.
    /// let keys = TicketKeys::from_paths(["/etc/tls/new.key", "/etc/tls/old.key"])?;
    /// let config = SslConfiguration::new().with_session_ticket_keys(keys);
    /// # Ok::<(), sslconf::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::ReadFile`] naming a file that cannot be read;
    /// [`Error::InvalidSessionTicketKey`] naming a file that holds neither
    /// format (and the line that is wrong), or when `paths` is empty.
    pub fn from_paths<P: AsRef<Path>>(
        paths: impl IntoIterator<Item = P>,
    ) -> Result<TicketKeys, Error> {
        let mut sources = Vec::new();
        for path in paths {
            let path = path.as_ref();
            sources.push(KeySource {
                keys: ticket_file::read(path)?,
                file: Some(path.to_owned()),
            });
        }
        if sources.is_empty() {
            return Err(Error::InvalidSessionTicketKey {
                input: "an empty list of key files".to_owned(),
                source: InvalidInput::new("at least one key file is needed"),
            });
        }
        Ok(TicketKeys { sources })
    }

    /// One random key (80 bytes from the crypto library's generator), for a
    /// single process or for tests: other processes cannot open its tickets.
    ///
    /// # Errors
    /// [`Error::Tls`] with `FailedToGetRandomBytes` when the system's random
    /// source fails.
    pub fn generate() -> Result<TicketKeys, Error> {
        let mut bytes = Zeroizing::new([0u8; LONG_KEY_LEN]);
        SystemRandom::new()
            .fill(&mut bytes[..])
            .map_err(|_| Error::Tls(rustls::Error::FailedToGetRandomBytes))?;
        Self::from_bytes(&bytes[..])
    }

    /// These keys, then `older`'s: they open tickets but seal none.
    ///
    /// ```
    /// use sslconf::TicketKeys;
    ///
    /// let keys = TicketKeys::from_bytes(&[1; 80])?.followed_by(TicketKeys::from_bytes(&[2; 48])?);
    /// assert_eq!(keys.key_names(), [[1; 16], [2; 16]]);
    /// # Ok::<(), sslconf::Error>(())
    /// ```
    pub fn followed_by(mut self, older: TicketKeys) -> TicketKeys {
        self.sources.extend(older.sources);
        self
    }

    /// The key names, in order: the first seals new tickets. A file in
    /// HAProxy's format adds its three used keys as the sealing
    /// (second-to-last) one, then the other two in the file's order. Names
    /// are no secret: each ticket starts with its key's.
    pub fn key_names(&self) -> Vec<[u8; NAME_LEN]> {
        self.keys().map(|k| k.name).collect()
    }

    /// The files the keys were read from, in order (keys made from bytes
    /// have none). [`SslConfiguration::reload`](crate::SslConfiguration::reload)
    /// reads them again: rewriting a file (a new raw key, a line appended
    /// in HAProxy's format) rotates its keys.
    pub fn files(&self) -> Vec<&Path> {
        self.sources
            .iter()
            .filter_map(|s| s.file.as_deref())
            .collect()
    }

    /// Every key, the sealing one first.
    fn keys(&self) -> impl Iterator<Item = &TicketKey> {
        self.sources.iter().flat_map(|s| &s.keys)
    }

    /// These keys with those from files read again.
    ///
    /// # Errors
    /// As [`from_paths`](Self::from_paths).
    pub(crate) fn reread(&self) -> Result<TicketKeys, Error> {
        let sources = self
            .sources
            .iter()
            .map(KeySource::reread)
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(TicketKeys { sources })
    }
}

impl PartialEq for TicketKeys {
    /// Same names and same secrets, in the same order; secrets compared in
    /// constant time.
    fn eq(&self, other: &Self) -> bool {
        self.keys().count() == other.keys().count()
            && self.keys().zip(other.keys()).all(|(a, b)| {
                a.name == b.name
                    && a.secret.len() == b.secret.len()
                    && a.secret
                        .iter()
                        .zip(b.secret.iter())
                        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
                        == 0
            })
    }
}

impl Eq for TicketKeys {}

impl fmt::Debug for TicketKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TicketKeys")
            .field("key_names", &KeyNames(self))
            .field("secrets", &Elided)
            .finish()
    }
}

struct Elided;

impl fmt::Debug for Elided {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[elided]")
    }
}

/// Key names as lower-case hex strings.
struct KeyNames<'a>(&'a TicketKeys);

impl fmt::Debug for KeyNames<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.keys().map(|k| Hex(&k.name)))
            .finish()
    }
}

struct Hex<'a>(&'a [u8]);

impl fmt::Debug for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        f.write_str("\"")
    }
}

/// The rustls ticketer sealing with [`TicketKeys`]: the first key seals,
/// every key opens.
pub(crate) struct SharedTicketer {
    /// Swapped whole by a reload: the first seals, every one opens.
    keys: ArcSwap<Vec<SealingKey>>,
    lifetime_secs: u32,
    random: SystemRandom,
}

struct SealingKey {
    name: [u8; NAME_LEN],
    key: LessSafeKey,
}

impl SharedTicketer {
    /// A ticketer for `keys` whose tickets are valid for `lifetime`
    /// (checked by the caller to be 1 s to 7 days).
    pub(crate) fn new(keys: &TicketKeys, lifetime: Duration) -> Result<SharedTicketer, Error> {
        Ok(SharedTicketer {
            keys: ArcSwap::from_pointee(sealing_keys(keys)?),
            lifetime_secs: u32::try_from(lifetime.as_secs()).unwrap_or(u32::MAX),
            random: SystemRandom::new(),
        })
    }
}

fn sealing_keys(keys: &TicketKeys) -> Result<Vec<SealingKey>, Error> {
    keys.keys()
        .map(|k| {
            Ok(SealingKey {
                name: k.name,
                key: k.aead_key()?,
            })
        })
        .collect()
}

impl ProducesTickets for SharedTicketer {
    fn enabled(&self) -> bool {
        true
    }

    fn lifetime(&self) -> u32 {
        self.lifetime_secs
    }

    fn encrypt(&self, plain: &[u8]) -> Option<Vec<u8>> {
        let keys = self.keys.load();
        let sealing = keys.first()?;
        let mut nonce = [0u8; NONCE_LEN];
        self.random.fill(&mut nonce).ok()?;
        let mut ticket = Vec::with_capacity(HEADER_LEN + plain.len() + TAG_LEN);
        ticket.extend_from_slice(&sealing.name);
        ticket.extend_from_slice(&nonce);
        ticket.extend_from_slice(plain);
        let tag = sealing
            .key
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(&sealing.name),
                &mut ticket[HEADER_LEN..],
            )
            .ok()?;
        ticket.extend_from_slice(tag.as_ref());
        Some(ticket)
    }

    fn decrypt(&self, ticket: &[u8]) -> Option<Vec<u8>> {
        if ticket.len() < HEADER_LEN + TAG_LEN {
            return None;
        }
        let (name, rest) = ticket.split_at(NAME_LEN);
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        // Names are unique in practice; a repeated one is tried with each key.
        let keys = self.keys.load();
        for opening in keys.iter().filter(|k| k.name[..] == *name) {
            let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
            let mut buf = sealed.to_vec();
            let Ok(plain) = opening.key.open_in_place(nonce, Aad::from(name), &mut buf) else {
                continue;
            };
            let len = plain.len();
            buf.truncate(len);
            return Some(buf);
        }
        None
    }
}

impl fmt::Debug for SharedTicketer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = self.keys.load();
        let names: Vec<Hex<'_>> = keys.iter().map(|k| Hex(&k.name)).collect();
        f.debug_struct("SharedTicketer")
            .field("key_names", &names)
            .field("lifetime_secs", &self.lifetime_secs)
            .finish_non_exhaustive()
    }
}

/// The ticketer of keys read from files: built again when they change (a
/// reload read a rotated key file).
pub(crate) struct LiveTicketer {
    ticketer: Rebuilt<SharedTicketer>,
}

impl LiveTicketer {
    pub(crate) fn new(ticketer: Rebuilt<SharedTicketer>) -> Self {
        Self { ticketer }
    }
}

impl ProducesTickets for LiveTicketer {
    fn enabled(&self) -> bool {
        true
    }

    fn lifetime(&self) -> u32 {
        self.ticketer.get().lifetime()
    }

    fn encrypt(&self, plain: &[u8]) -> Option<Vec<u8>> {
        self.ticketer.get().encrypt(plain)
    }

    fn decrypt(&self, cipher: &[u8]) -> Option<Vec<u8>> {
        self.ticketer.get().decrypt(cipher)
    }
}

impl fmt::Debug for LiveTicketer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LiveTicketer")
            .field(&*self.ticketer.get())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::primitives::hmac;

    fn key(byte: u8, len: usize) -> TicketKeys {
        let mut bytes = vec![byte; len];
        bytes[0] = len as u8; // distinct names for the two formats
        TicketKeys::from_bytes(&bytes).unwrap()
    }

    fn ticketer(keys: &TicketKeys) -> SharedTicketer {
        SharedTicketer::new(keys, DEFAULT_LIFETIME).unwrap()
    }

    #[test]
    fn both_formats_and_nothing_else() {
        assert_eq!(
            TicketKeys::from_bytes(&[1; 80]).unwrap().key_names(),
            [[1; 16]]
        );
        assert_eq!(
            TicketKeys::from_bytes(&[1; 48]).unwrap().key_names(),
            [[1; 16]]
        );
        let text = haproxy_text(&[(1, 80), (2, 80), (3, 80)]);
        assert_eq!(names(&TicketKeys::from_bytes(&text).unwrap()), [2, 1, 3]);
        for len in [0, 16, 47, 49, 79, 81] {
            let err = TicketKeys::from_bytes(&vec![1; len]).unwrap_err();
            let text = crate::error::causes(&err);
            assert!(
                text.starts_with(
                    "invalid session ticket key in byte input: expected 80 or 48 raw bytes"
                ),
                "{text}"
            );
        }
        let err = TicketKeys::from_bytes(&haproxy_text(&[(1, 80), (2, 80)])).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidSessionTicketKey { input, .. } if input == "byte input")
        );
        assert!(crate::error::causes(&err).contains("found 2 base64 keys, expected at least 3"));
    }

    /// Keys named `[n; 16]`, of `len` bytes, in HAProxy's format.
    fn haproxy_text(keys: &[(u8, usize)]) -> Vec<u8> {
        use base64ct::{Base64, Encoding};
        keys.iter()
            .map(|&(n, len)| format!("{}\n", Base64::encode_string(&vec![n; len])))
            .collect::<String>()
            .into_bytes()
    }

    /// The first byte of each key name.
    fn names(keys: &TicketKeys) -> Vec<u8> {
        keys.key_names().iter().map(|n| n[0]).collect()
    }

    fn scratch(tag: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("sslconf-ticket-keys-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn append(path: &Path, text: &[u8]) {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
        file.write_all(text).unwrap();
    }

    #[test]
    fn file_errors_name_the_file_and_line() {
        let dir = scratch("errors");
        let short = dir.join("short.key");
        let long = dir.join("long.key");
        let good = dir.join("good.key");
        let lines = dir.join("tickets.keys");
        std::fs::write(&short, [3; 79]).unwrap();
        std::fs::write(&long, [3; 4096]).unwrap();
        std::fs::write(&good, [3; 48]).unwrap();
        let mut text = haproxy_text(&[(1, 80), (2, 80), (3, 80)]);
        text.splice(0..0, b"\n".iter().copied());
        std::fs::write(&lines, &text).unwrap();

        let err = TicketKeys::from_paths([&good, &short]).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidSessionTicketKey { input, .. } if *input == short.display().to_string())
        );
        assert!(crate::error::causes(&err).ends_with("found 79 bytes that are not text"));
        let err = TicketKeys::from_path(&long).unwrap_err();
        assert!(crate::error::causes(&err).ends_with("found 4096 bytes that are not text"));
        let err = TicketKeys::from_paths([&good, &lines]).unwrap_err();
        assert_eq!(
            crate::error::causes(&err),
            format!(
                "invalid session ticket key in {}: line 1 is empty",
                lines.display()
            )
        );

        let missing = dir.join("missing.key");
        let err = TicketKeys::from_paths([&good, &missing]).unwrap_err();
        assert!(matches!(&err, Error::ReadFile { path, .. } if *path == missing));
        assert_eq!(
            err.to_string(),
            format!("cannot read {}", missing.display())
        );

        let none: [&Path; 0] = [];
        let err = TicketKeys::from_paths(none).unwrap_err();
        assert_eq!(
            crate::error::causes(&err),
            "invalid session ticket key in an empty list of key files: at least one key file is needed"
        );
        assert_eq!(TicketKeys::from_path(&good).unwrap().key_names(), [[3; 16]]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn files_keep_their_order_and_each_its_own_sealing_key() {
        let dir = scratch("order");
        let (nginx, haproxy) = (dir.join("nginx.key"), dir.join("tickets.keys"));
        std::fs::write(&nginx, [9; 80]).unwrap();
        std::fs::write(&haproxy, haproxy_text(&[(1, 48), (2, 48), (3, 48)])).unwrap();

        let keys = TicketKeys::from_paths([&haproxy, &nginx]).unwrap();
        assert_eq!(names(&keys), [2, 1, 3, 9]);
        assert_eq!(keys.files(), [haproxy.as_path(), nginx.as_path()]);
        let keys = TicketKeys::from_paths([&nginx, &haproxy]).unwrap();
        assert_eq!(names(&keys), [9, 2, 1, 3]);
        // The nginx file rewritten in HAProxy's format: read as such.
        std::fs::write(&nginx, haproxy_text(&[(4, 80), (5, 80), (6, 80)])).unwrap();
        assert_eq!(names(&keys.reread().unwrap()), [5, 4, 6, 2, 1, 3]);
        // Bytes stay what they were.
        let keys = TicketKeys::from_bytes(&[7; 48])
            .unwrap()
            .followed_by(TicketKeys::from_path(&haproxy).unwrap());
        assert_eq!(names(&keys.reread().unwrap()), [7, 2, 1, 3]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn appending_a_key_rotates_as_haproxy_does() {
        let dir = scratch("rotation");
        let path = dir.join("tickets.keys");
        std::fs::write(&path, haproxy_text(&[(1, 80), (2, 80), (3, 80)])).unwrap();
        let keys = TicketKeys::from_path(&path).unwrap();
        let t = ticketer(&keys);
        // The second-to-last seals; the last already opens.
        let sealed_by_2 = t.encrypt(b"2").unwrap();
        assert_eq!(sealed_by_2[..16], [2; 16]);
        let key_3 = ticketer(&TicketKeys::from_bytes(&[3; 80]).unwrap());
        assert_eq!(t.decrypt(&key_3.encrypt(b"3").unwrap()).unwrap(), b"3");

        // A key appended: 3 seals, 2 still opens, 1 is dropped.
        append(&path, &haproxy_text(&[(4, 80)]));
        let keys = keys.reread().unwrap();
        assert_eq!(names(&keys), [3, 2, 4]);
        let t = ticketer(&keys);
        let sealed_by_3 = t.encrypt(b"3").unwrap();
        assert_eq!(sealed_by_3[..16], [3; 16]);
        assert_eq!(t.decrypt(&sealed_by_2).unwrap(), b"2");

        // Another: 2's tickets end, 3's still open.
        append(&path, &haproxy_text(&[(5, 80)]));
        let keys = keys.reread().unwrap();
        assert_eq!(names(&keys), [4, 3, 5]);
        let t = ticketer(&keys);
        assert_eq!(t.decrypt(&sealed_by_2), None);
        assert_eq!(t.decrypt(&sealed_by_3).unwrap(), b"3");
        assert_eq!(t.encrypt(b"4").unwrap()[..16], [4; 16]);

        // A bad append is refused whole, naming the line.
        append(&path, b"not a key\n");
        let err = keys.reread().unwrap_err();
        assert_eq!(
            crate::error::causes(&err),
            format!(
                "invalid session ticket key in {}: line 6 is not base64 (one padded key a line, \
                 such as `openssl rand 80 | openssl base64 -A` writes)",
                path.display()
            )
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn debug_shows_names_only() {
        let mut bytes = [0xab_u8; 80];
        bytes[..16].copy_from_slice(&[0x01; 16]);
        let keys = TicketKeys::from_bytes(&bytes).unwrap();
        let debug = format!("{keys:?}");
        assert!(debug.contains(&"01".repeat(16)), "{debug}");
        assert!(!debug.contains("ab") && !debug.contains("171"), "{debug}");
        let debug = format!("{:?}", ticketer(&keys));
        assert!(debug.contains(&"01".repeat(16)), "{debug}");
        assert!(!debug.contains("ab") && !debug.contains("171"), "{debug}");
    }

    #[test]
    fn equality_is_by_names_and_secrets() {
        assert_eq!(key(1, 80), key(1, 80));
        assert_ne!(key(1, 80), key(1, 48));
        let mut other = [1u8; 80];
        other[0] = 80;
        other[79] = 2; // same name, another secret
        assert_ne!(key(1, 80), TicketKeys::from_bytes(&other).unwrap());
        assert_ne!(key(1, 80), key(1, 80).followed_by(key(2, 48)));
    }

    #[test]
    fn seals_and_opens() {
        for keys in [key(1, 80), key(1, 48)] {
            let t = ticketer(&keys);
            assert!(t.enabled());
            assert_eq!(t.lifetime(), 12 * 60 * 60);
            let ticket = t.encrypt(b"session state").unwrap();
            assert_eq!(ticket.len(), 16 + 12 + 13 + 16);
            assert_eq!(ticket[..16], keys.key_names()[0]);
            assert_eq!(t.decrypt(&ticket).unwrap(), b"session state");
            // A fresh nonce each time.
            assert_ne!(t.encrypt(b"session state").unwrap(), ticket);
            // The empty state too.
            assert_eq!(t.decrypt(&t.encrypt(b"").unwrap()).unwrap(), b"");
        }
    }

    #[test]
    fn refuses_what_does_not_open() {
        let t = ticketer(&key(1, 80));
        let ticket = t.encrypt(b"session state").unwrap();
        for i in 0..ticket.len() {
            let mut bad = ticket.clone();
            bad[i] ^= 0x80;
            assert_eq!(t.decrypt(&bad), None, "byte {i} flipped");
        }
        for len in 0..ticket.len() {
            assert_eq!(t.decrypt(&ticket[..len]), None, "cut to {len}");
        }
        let mut longer = ticket.clone();
        longer.push(0);
        assert_eq!(t.decrypt(&longer), None);
        // Another fleet's key, even under the same name.
        let mut same_name = [9u8; 80];
        same_name[..16].copy_from_slice(&ticket[..16]);
        let other = ticketer(&TicketKeys::from_bytes(&same_name).unwrap());
        assert_eq!(other.decrypt(&ticket), None);
        assert_eq!(ticketer(&key(2, 80)).decrypt(&ticket), None);
    }

    #[test]
    fn first_key_seals_all_keys_open() {
        let old = ticketer(&key(1, 80));
        let old_ticket = old.encrypt(b"old").unwrap();

        // Rolled out second: opens the new key's tickets, seals with the old.
        let rolled_out = ticketer(&key(1, 80).followed_by(key(2, 80)));
        let promoted = ticketer(&key(2, 80).followed_by(key(1, 80)));
        let new_ticket = promoted.encrypt(b"new").unwrap();
        assert_eq!(new_ticket[..16], key(2, 80).key_names()[0]);
        assert_eq!(rolled_out.decrypt(&new_ticket).unwrap(), b"new");
        assert_eq!(promoted.decrypt(&old_ticket).unwrap(), b"old");
        assert_eq!(
            rolled_out.encrypt(b"x").unwrap()[..16],
            key(1, 80).key_names()[0]
        );
        // Old key retired.
        let retired = ticketer(&key(2, 80));
        assert_eq!(retired.decrypt(&old_ticket), None);
        assert_eq!(retired.decrypt(&new_ticket).unwrap(), b"new");
        // The old servers cannot open what the new key sealed.
        assert_eq!(old.decrypt(&new_ticket), None);
    }

    /// HMAC-SHA256-based HKDF, written out from RFC 5869.
    fn hkdf_sha256(salt: &[u8], ikm: &[u8], info: &[u8]) -> [u8; 32] {
        let prk = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, salt), ikm);
        let t1 = hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, prk.as_ref()),
            &[info, &[1]].concat(),
        );
        t1.as_ref().try_into().unwrap()
    }

    /// Opens a ticket as the docs on `TicketKeys` state, without this module's code.
    fn open_as_documented(file: &[u8], ticket: &[u8]) -> Vec<u8> {
        let (name, secret) = file.split_at(16);
        let key = hkdf_sha256(
            b"sslconf session ticket key",
            secret,
            &[b"aes-256-gcm", name].concat(),
        );
        let key = LessSafeKey::new(UnboundKey::new(&aead::AES_256_GCM, &key).unwrap());
        assert_eq!(&ticket[..16], name);
        let nonce = Nonce::try_assume_unique_for_key(&ticket[16..28]).unwrap();
        let mut sealed = ticket[28..].to_vec();
        let plain = key
            .open_in_place(nonce, Aad::from(name), &mut sealed)
            .unwrap();
        plain.to_vec()
    }

    #[test]
    fn the_documented_construction() {
        for len in [80, 48] {
            let file: Vec<u8> = (0..len as u8).collect();
            let t = ticketer(&TicketKeys::from_bytes(&file).unwrap());
            let state = open_as_documented(&file, &t.encrypt(b"state").unwrap());
            assert_eq!(state, b"state");
        }
    }

    #[test]
    fn generated_keys_differ() {
        let (a, b) = (
            TicketKeys::generate().unwrap(),
            TicketKeys::generate().unwrap(),
        );
        assert_ne!(a, b);
        let ticket = ticketer(&a).encrypt(b"x").unwrap();
        assert_eq!(ticketer(&b).decrypt(&ticket), None);
        assert_eq!(ticketer(&a).decrypt(&ticket).unwrap(), b"x");
    }
}
