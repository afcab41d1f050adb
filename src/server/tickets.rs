//! Session-ticket keys that every server of a fleet reads from the same
//! files, and the rustls ticketer that seals tickets with them.
//!
//! rustls's own ticketer makes random keys per process (rotated every six
//! hours), so a client that a round-robin balancer sends to another server
//! never resumes there. With the same keys on every server, any server opens
//! any server's tickets.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use arc_swap::ArcSwap;
use rustls::server::ProducesTickets;
use zeroize::Zeroizing;

use crate::error::InvalidInput;
use crate::live::Rebuilt;
use crate::provider::primitives::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use crate::provider::primitives::hkdf;
use crate::provider::primitives::rand::{SecureRandom, SystemRandom};
use crate::Error;

/// The length of a key name, the first bytes of every key file and ticket.
const NAME_LEN: usize = 16;
/// nginx's 80-byte format: name, 32-byte HMAC secret, 32-byte AES key.
const LONG_FILE_LEN: usize = 80;
/// nginx's 48-byte format: name, 16-byte HMAC secret, 16-byte AES key.
const SHORT_FILE_LEN: usize = 48;
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
/// in nginx's `ssl_session_ticket_key` formats; set them with
/// [`with_session_ticket_keys`](crate::SslConfiguration::with_session_ticket_keys).
///
/// A key file holds raw random bytes, 80 (a 16-byte key name, a 32-byte HMAC
/// secret, a 32-byte AES key) or 48 (16 + 16 + 16); make one with
/// `openssl rand 80 > ticket.key` and copy it to every server. **The first key
/// seals new tickets; every key opens them.** Roll a new key out in two
/// steps, as with nginx or Go's `SetSessionTicketKeys`: first add it second
/// on every server (`[old, new]`: each server can open tickets the others
/// will seal with it), then, once all have it, promote it (`[new, old]`);
/// drop the old key after a ticket lifetime.
///
/// # Tickets
/// The files' bytes are key material, not used as nginx uses them: tickets
/// are sealed with AES-256-GCM under a key derived from each file as
///
/// ```text
/// key = HKDF-SHA256(salt = "sslconf session ticket key",
///                   IKM  = the file's bytes after the key name (64 or 32),
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
/// interchangeable with nginx's or OpenSSL's: the servers sharing a key
/// must all run this crate. A ticket under a key no longer listed, one that
/// fails to open (altered, truncated, another fleet's), another policy's,
/// one past the [lifetime](crate::SslConfiguration::with_session_ticket_lifetime)
/// counted from the session's first full handshake (however often it was
/// renewed), and one whose client certificate has expired is refused: the
/// client gets a full handshake, never an error.
///
/// # Secrets
/// Not `Clone` (a configuration shares it through an `Arc`); the bytes read
/// are zeroized on drop and `Debug` shows the key names only (they travel
/// in clear, at the start of every ticket). The derived AES keys live in the
/// crypto library's key objects: aws-lc wipes every allocation it frees,
/// ring does not wipe its key schedules.
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
    /// The first seals; all open. Never empty.
    keys: Vec<TicketKey>,
}

struct TicketKey {
    name: [u8; NAME_LEN],
    /// The file's bytes after the name: 64 or 32, zeroized on drop.
    secret: Zeroizing<Vec<u8>>,
    /// The file it was read from, which a reload reads again.
    file: Option<PathBuf>,
}

impl TicketKey {
    fn parse(bytes: &[u8], input: &str) -> Result<TicketKey, Error> {
        if bytes.len() != LONG_FILE_LEN && bytes.len() != SHORT_FILE_LEN {
            let found = if bytes.len() > LONG_FILE_LEN {
                format!("more than {LONG_FILE_LEN}")
            } else {
                bytes.len().to_string()
            };
            return Err(invalid_key(
                input,
                format!(
                    "expected {LONG_FILE_LEN} or {SHORT_FILE_LEN} bytes (nginx's \
                     ssl_session_ticket_key formats), found {found}: a key file holds raw \
                     random bytes, such as `openssl rand {LONG_FILE_LEN}` writes"
                ),
            ));
        }
        let mut name = [0u8; NAME_LEN];
        name.copy_from_slice(&bytes[..NAME_LEN]);
        Ok(TicketKey {
            name,
            secret: Zeroizing::new(bytes[NAME_LEN..].to_vec()),
            file: None,
        })
    }

    /// The key in a key file, remembering the file.
    fn read(path: &Path) -> Result<TicketKey, Error> {
        let mut key = Self::parse(&read_key_file(path)?, &path.display().to_string())?;
        key.file = Some(path.to_owned());
        Ok(key)
    }

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

fn invalid_key(input: &str, source: impl Into<InvalidInput>) -> Error {
    Error::InvalidSessionTicketKey {
        input: input.to_owned(),
        source: source.into(),
    }
}

impl TicketKeys {
    /// One key from the bytes of a key file: 80 or 48 of them.
    ///
    /// # Errors
    /// [`Error::InvalidSessionTicketKey`] for any other length.
    pub fn from_bytes(bytes: &[u8]) -> Result<TicketKeys, Error> {
        Ok(TicketKeys {
            keys: vec![TicketKey::parse(bytes, "byte input")?],
        })
    }

    /// One key from a key file.
    ///
    /// # Errors
    /// As [`from_paths`](Self::from_paths).
    pub fn from_path(path: impl AsRef<Path>) -> Result<TicketKeys, Error> {
        Self::from_paths([path])
    }

    /// Keys from key files, in order: the first seals new tickets, every one
    /// opens them.
    ///
    /// ```no_run
    /// use sslconf::{SslConfiguration, TicketKeys};
    ///
    /// // Promoted: new.key seals, tickets sealed with old.key still open.
    /// let keys = TicketKeys::from_paths(["/etc/tls/new.key", "/etc/tls/old.key"])?;
    /// let config = SslConfiguration::new().with_session_ticket_keys(keys);
    /// # Ok::<(), sslconf::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::ReadFile`] naming a file that cannot be read;
    /// [`Error::InvalidSessionTicketKey`] naming a file that holds neither 80
    /// nor 48 bytes, or when `paths` is empty.
    pub fn from_paths<P: AsRef<Path>>(
        paths: impl IntoIterator<Item = P>,
    ) -> Result<TicketKeys, Error> {
        let mut keys = Vec::new();
        for path in paths {
            keys.push(TicketKey::read(path.as_ref())?);
        }
        if keys.is_empty() {
            return Err(invalid_key(
                "an empty list of key files",
                "at least one key file is needed",
            ));
        }
        Ok(TicketKeys { keys })
    }

    /// One random key (80 bytes from the crypto library's generator), for a
    /// single process or for tests: other processes cannot open its tickets.
    ///
    /// # Errors
    /// [`Error::Tls`] with `FailedToGetRandomBytes` when the system's random
    /// source fails.
    pub fn generate() -> Result<TicketKeys, Error> {
        let mut bytes = Zeroizing::new([0u8; LONG_FILE_LEN]);
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
        self.keys.extend(older.keys);
        self
    }

    /// The key names, in order: the first seals new tickets. Names are no
    /// secret: each ticket starts with its key's.
    pub fn key_names(&self) -> Vec<[u8; NAME_LEN]> {
        self.keys.iter().map(|k| k.name).collect()
    }

    /// The files the keys were read from, in order (keys made from bytes
    /// have none). [`SslConfiguration::reload`](crate::SslConfiguration::reload)
    /// reads them again: replacing a file's content rotates that key.
    pub fn files(&self) -> Vec<&Path> {
        self.keys.iter().filter_map(|k| k.file.as_deref()).collect()
    }

    /// These keys with those from files read again.
    ///
    /// # Errors
    /// As [`from_paths`](Self::from_paths).
    pub(crate) fn reread(&self) -> Result<TicketKeys, Error> {
        let keys = self
            .keys
            .iter()
            .map(|key| match &key.file {
                Some(path) => TicketKey::read(path),
                None => Ok(TicketKey {
                    name: key.name,
                    secret: key.secret.clone(),
                    file: None,
                }),
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(TicketKeys { keys })
    }
}

/// Reads a key file, at most one byte more than the longest format: a
/// larger file is refused without being read whole.
fn read_key_file(path: &Path) -> Result<Zeroizing<Vec<u8>>, Error> {
    let read_error = |source| Error::ReadFile {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut bytes = Zeroizing::new(Vec::with_capacity(LONG_FILE_LEN + 1));
    file.take(LONG_FILE_LEN as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    Ok(bytes)
}

impl PartialEq for TicketKeys {
    /// Same names and same secrets, in the same order; secrets compared in
    /// constant time.
    fn eq(&self, other: &Self) -> bool {
        self.keys.len() == other.keys.len()
            && self.keys.iter().zip(&other.keys).all(|(a, b)| {
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
            .field("key_names", &KeyNames(&self.keys))
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
struct KeyNames<'a>(&'a [TicketKey]);

impl fmt::Debug for KeyNames<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|k| Hex(&k.name)))
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
    keys.keys
        .iter()
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
    fn both_nginx_formats_and_nothing_else() {
        assert!(TicketKeys::from_bytes(&[1; 80]).is_ok());
        assert!(TicketKeys::from_bytes(&[1; 48]).is_ok());
        for len in [0, 16, 47, 49, 79] {
            let err = TicketKeys::from_bytes(&vec![1; len]).unwrap_err();
            let text = crate::error::causes(&err);
            assert!(
                text.starts_with(
                    "invalid session ticket key in byte input: expected 80 or 48 bytes"
                ),
                "{text}"
            );
            assert!(text.contains(&format!("found {len}:")), "{text}");
        }
        let err = TicketKeys::from_bytes(&[1; 81]).unwrap_err();
        assert!(crate::error::causes(&err).contains("found more than 80"));
    }

    #[test]
    fn file_errors_name_the_file() {
        let dir = std::env::temp_dir().join(format!("sslconf-ticket-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let short = dir.join("short.key");
        let long = dir.join("long.key");
        let good = dir.join("good.key");
        std::fs::write(&short, [3; 79]).unwrap();
        std::fs::write(&long, [3; 4096]).unwrap();
        std::fs::write(&good, [3; 48]).unwrap();

        let err = TicketKeys::from_paths([&good, &short]).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidSessionTicketKey { input, .. } if *input == short.display().to_string())
        );
        assert!(crate::error::causes(&err).contains("found 79"));
        let err = TicketKeys::from_path(&long).unwrap_err();
        assert!(crate::error::causes(&err).contains("found more than 80"));

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
