//! The opt-in key log: where the TLS secrets go (a debugging aid that breaks
//! confidentiality), the checks that keep them out of a file anyone else can
//! read, and the rustls `KeyLog` that writes them there.
//!
//! A leaf: it knows the error type, and nothing that reads it.

use std::fmt;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rustls::{KeyLog, NoKeyLog};

use crate::Error;

/// Where a key log writes the TLS secrets of every connection, in the NSS
/// key log format that Wireshark and tshark read: set with
/// [`with_key_log_file`](crate::SslConfiguration::with_key_log_file) or
/// [`with_key_log_from_env`](crate::SslConfiguration::with_key_log_from_env).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyLogDestination {
    /// The file at this path, opened (created if missing) for appending
    /// when the configuration is converted.
    File(PathBuf),
    /// The file named by the `SSLKEYLOGFILE` environment variable when the
    /// configuration is converted, opened as [`File`](Self::File) is;
    /// nothing when the variable is not set or empty.
    Environment,
}

/// The rustls key log for `destination`, opened now. `side` ("client" or
/// "server") names the config in the warning that the log is on.
///
/// # Errors
/// [`Error::OpenKeyLog`] when the file cannot be opened or created, and
/// [`Error::UnsafeKeyLog`] when it is refused (see [`open_private`]); a file
/// named by `SSLKEYLOGFILE` alike.
pub(crate) fn open(destination: &KeyLogDestination, side: &str) -> Result<Arc<dyn KeyLog>, Error> {
    match destination {
        KeyLogDestination::File(path) => {
            let log = KeyLogWriter::open(path)?;
            warn_on(side, &path.display());
            Ok(Arc::new(log))
        }
        // An empty value is taken as unset, as most tools that read it do.
        KeyLogDestination::Environment => {
            match std::env::var_os("SSLKEYLOGFILE").filter(|path| !path.is_empty()) {
                Some(path) => {
                    let path = PathBuf::from(path);
                    let log = KeyLogWriter::open(&path)?;
                    warn_on(side, &format_args!("{} (SSLKEYLOGFILE)", path.display()));
                    Ok(Arc::new(log))
                }
                None => {
                    log::debug!(
                        "sslconf: key log of this {side} config: SSLKEYLOGFILE is not set, \
                         nothing is logged"
                    );
                    Ok(Arc::new(NoKeyLog))
                }
            }
        }
    }
}

fn warn_on(side: &str, place: &dyn fmt::Display) {
    log::warn!(
        "sslconf: key log on: the TLS secrets of every connection of this {side} config \
         are written to {place}; anyone with the file can decrypt the traffic"
    );
}

/// Appends one NSS key log line per secret to a file, flushed at once;
/// shared by every connection of the config that holds it.
struct KeyLogWriter {
    path: PathBuf,
    file: Mutex<File>,
}

impl KeyLogWriter {
    fn open(path: &Path) -> Result<Self, Error> {
        Ok(Self {
            path: path.to_owned(),
            file: Mutex::new(open_private(path)?),
        })
    }

    fn write(&self, line: &[u8]) -> io::Result<()> {
        // A writer that panicked mid-line left at most a partial line.
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        file.write_all(line)?;
        file.flush()
    }
}

// ---------------------------------------------------------------------------
// Opening the file: only a private regular file of ours gets the secrets.
//
// std offers no `O_NOFOLLOW` (its value differs between systems and
// architectures, and the crate takes no libc for one constant), so a path is
// judged the portable way (CERT POS35-C): by `lstat` before it is opened, so
// that a link, a FIFO (whose open would block) or a device is never opened,
// then by `fstat` on the open handle, which decides, and which must be the
// very file `lstat` saw: a path swapped for a link in between is refused
// before anything is written. A missing file is created with `O_CREAT |
// O_EXCL`, which follows no link, not even a dangling one.

/// Opens the key log at `path` for appending, or creates it (mode 0600 on
/// Unix) if nothing is there.
///
/// # Errors
/// [`Error::OpenKeyLog`] when the system cannot open or create it;
/// [`Error::UnsafeKeyLog`] when what is there is a symbolic link or not a
/// regular file, or, on Unix, is owned by another user, has other hard
/// links or gives its group or others any access, or was replaced while
/// being opened.
fn open_private(path: &Path) -> Result<File, Error> {
    let open_error = |source| Error::OpenKeyLog {
        path: path.to_owned(),
        source,
    };
    let refuse = |reason: String| Error::UnsafeKeyLog {
        path: path.to_owned(),
        reason,
    };
    let judge = Judge::new().map_err(open_error)?;
    let seen = match fs::symlink_metadata(path) {
        Ok(seen) => Some(seen),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(open_error(e)),
    };
    let mut options = OpenOptions::new();
    options.append(true);
    match &seen {
        Some(seen) => {
            if let Some(reason) = judge.refusal(seen) {
                return Err(refuse(reason));
            }
        }
        None => {
            // A file created in the meantime fails this (EEXIST) rather
            // than being appended to unjudged.
            options.create_new(true);
            // Only the owner may read the secrets.
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        }
    }
    let file = options.open(path).map_err(open_error)?;
    let opened = file.metadata().map_err(open_error)?;
    if let Some(reason) = judge.refusal(&opened) {
        return Err(refuse(reason));
    }
    if seen.is_some_and(|seen| !same_file(&seen, &opened)) {
        return Err(refuse("it was replaced while it was being opened".into()));
    }
    Ok(file)
}

/// Judges a file by its metadata (as `lstat` or `fstat` gives it): on Unix,
/// against the uid whose files this process may write secrets to.
struct Judge {
    #[cfg(unix)]
    owner: u32,
}

impl Judge {
    /// On Unix, the owner is the uid that owns the files this process
    /// creates (its file-system uid: the effective uid unless changed on
    /// its own). std has no `geteuid`, but the kernel gives a new pipe that
    /// owner (Linux, the BSDs, macOS), and making one touches no file.
    #[cfg(unix)]
    fn new() -> io::Result<Self> {
        use std::os::unix::fs::MetadataExt;
        let (reader, _writer) = io::pipe()?;
        let pipe = File::from(std::os::fd::OwnedFd::from(reader));
        Ok(Self {
            owner: pipe.metadata()?.uid(),
        })
    }

    #[cfg(not(unix))]
    fn new() -> io::Result<Self> {
        Ok(Self {})
    }

    /// Why the secrets must not go to the file `meta` describes, if they
    /// must not.
    fn refusal(&self, meta: &Metadata) -> Option<String> {
        if let Some(reason) = not_regular(&meta.file_type()) {
            return Some(reason.to_owned());
        }
        self.not_private(meta)
    }

    /// Why a regular file is not private to the owner, if it is not.
    #[cfg(unix)]
    fn not_private(&self, meta: &Metadata) -> Option<String> {
        use std::os::unix::fs::MetadataExt;
        if meta.uid() != self.owner {
            return Some(format!(
                "it is owned by uid {}, not by this process's uid {}",
                meta.uid(),
                self.owner
            ));
        }
        // Another name for the file is another directory's entry (a link
        // made in a shared directory to a file of ours, to have secrets
        // appended to it).
        if meta.nlink() > 1 {
            return Some(format!(
                "it has {} hard links: other names reach it",
                meta.nlink()
            ));
        }
        let mode = meta.mode() & 0o7777;
        (mode & 0o077 != 0).then(|| format!("its mode {mode:04o} gives its group or others access"))
    }

    /// Elsewhere (Windows) the file's access control list is not read: a
    /// new file gets its directory's.
    #[cfg(not(unix))]
    fn not_private(&self, _: &Metadata) -> Option<String> {
        None
    }
}

/// Why a file of this kind gets no secrets: all but a regular file.
fn not_regular(kind: &fs::FileType) -> Option<&'static str> {
    if kind.is_file() {
        return None;
    }
    if kind.is_symlink() {
        return Some("it is a symbolic link, not a regular file");
    }
    if kind.is_dir() {
        return Some("it is a directory, not a regular file");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("it is a FIFO, not a regular file");
        }
        if kind.is_socket() {
            return Some("it is a socket, not a regular file");
        }
        if kind.is_char_device() {
            return Some("it is a character device, not a regular file");
        }
        if kind.is_block_device() {
            return Some("it is a block device, not a regular file");
        }
    }
    Some("it is not a regular file")
}

/// Whether the two describe one file (device and inode).
#[cfg(unix)]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

/// Elsewhere std gives no file identity on stable Rust: the checks on the
/// handle stand alone.
#[cfg(not(unix))]
fn same_file(_: &Metadata, _: &Metadata) -> bool {
    true
}

/// `LABEL <client_random hex> <secret hex>\n`.
fn line(label: &str, client_random: &[u8], secret: &[u8]) -> Vec<u8> {
    let mut line = Vec::with_capacity(label.len() + 2 * (client_random.len() + secret.len()) + 3);
    line.extend_from_slice(label.as_bytes());
    line.push(b' ');
    push_hex(&mut line, client_random);
    line.push(b' ');
    push_hex(&mut line, secret);
    line.push(b'\n');
    line
}

fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)]);
        out.push(DIGITS[usize::from(b & 0xf)]);
    }
}

impl KeyLog for KeyLogWriter {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        if let Err(err) = self.write(&line(label, client_random, secret)) {
            log::warn!(
                "sslconf: cannot write to the key log {}: {err}",
                self.path.display()
            );
        }
    }
}

/// The path only: never the secrets.
impl fmt::Debug for KeyLogWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyLogWriter")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_label_random_secret_in_lowercase_hex() {
        let line = line("CLIENT_RANDOM", &[0x00, 0xab, 0x7f], &[0xff, 0x10]);
        assert_eq!(line, b"CLIENT_RANDOM 00ab7f ff10\n");
    }

    #[test]
    fn the_file_is_appended_to() {
        let dir = std::env::temp_dir().join(format!("sslconf-keylog-unit-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("keys.log");
        let _ = fs::remove_file(&path);
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(&path).unwrap().write_all(b"# kept\n").unwrap();
        let log = KeyLogWriter::open(&path).unwrap();
        log.log("CLIENT_TRAFFIC_SECRET_0", &[1; 32], &[2; 32]);
        log.log("SERVER_TRAFFIC_SECRET_0", &[1; 32], &[3; 32]);
        let text = fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert_eq!(lines[0], "# kept");
        assert_eq!(
            lines[1],
            format!(
                "CLIENT_TRAFFIC_SECRET_0 {} {}",
                "01".repeat(32),
                "02".repeat(32)
            )
        );
        assert!(lines[2].starts_with("SERVER_TRAFFIC_SECRET_0 "));
        assert!(!format!("{log:?}").contains("0202"));
        fs::remove_dir_all(&dir).unwrap();
    }

    /// The owner a key log must have is the one a file this process
    /// creates gets: the pipe stands in for `geteuid` faithfully.
    #[cfg(unix)]
    #[test]
    fn the_owner_judged_is_the_owner_of_a_file_we_create() {
        use std::os::unix::fs::MetadataExt;
        let path =
            std::env::temp_dir().join(format!("sslconf-keylog-owner-{}", std::process::id()));
        let _ = fs::remove_file(&path);
        let created = File::create_new(&path).unwrap().metadata().unwrap().uid();
        fs::remove_file(&path).unwrap();
        assert_eq!(Judge::new().unwrap().owner, created);
    }
}
