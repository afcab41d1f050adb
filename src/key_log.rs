//! The opt-in key log: where the TLS secrets go (a debugging aid that breaks
//! confidentiality), and the rustls `KeyLog` that writes them there.
//!
//! A leaf: it knows the error type, and nothing that reads it.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rustls::{KeyLog, KeyLogFile, NoKeyLog};

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
    /// configuration is converted, through rustls's own `KeyLogFile`; nothing
    /// when the variable is not set.
    Environment,
}

/// The rustls key log for `destination`, opened now. `side` ("client" or
/// "server") names the config in the warning that the log is on.
///
/// # Errors
/// [`Error::OpenKeyLog`] when a named file cannot be opened. A file named by
/// `SSLKEYLOGFILE` that cannot be opened is only a warning, as rustls has it.
pub(crate) fn open(destination: &KeyLogDestination, side: &str) -> Result<Arc<dyn KeyLog>, Error> {
    match destination {
        KeyLogDestination::File(path) => {
            let log = KeyLogWriter::open(path)?;
            warn_on(side, &path.display());
            Ok(Arc::new(log))
        }
        KeyLogDestination::Environment => match std::env::var_os("SSLKEYLOGFILE") {
            Some(path) => {
                warn_on(
                    side,
                    &format_args!("{} (SSLKEYLOGFILE)", Path::new(&path).display()),
                );
                Ok(Arc::new(KeyLogFile::new()))
            }
            None => {
                log::debug!(
                    "sslconf: key log of this {side} config: SSLKEYLOGFILE is not set, \
                     nothing is logged"
                );
                Ok(Arc::new(NoKeyLog))
            }
        },
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
        let mut options = OpenOptions::new();
        options.append(true).create(true);
        // Only the owner may read secrets in a file this creates.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(path).map_err(|source| Error::OpenKeyLog {
            path: path.to_owned(),
            source,
        })?;
        Ok(Self {
            path: path.to_owned(),
            file: Mutex::new(file),
        })
    }

    fn write(&self, line: &[u8]) -> io::Result<()> {
        // A writer that panicked mid-line left at most a partial line.
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        file.write_all(line)?;
        file.flush()
    }
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
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("keys.log");
        std::fs::write(&path, "# kept\n").unwrap();
        let log = KeyLogWriter::open(&path).unwrap();
        log.log("CLIENT_TRAFFIC_SECRET_0", &[1; 32], &[2; 32]);
        log.log("SERVER_TRAFFIC_SECRET_0", &[1; 32], &[3; 32]);
        let text = std::fs::read_to_string(&path).unwrap();
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
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
