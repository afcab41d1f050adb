//! `Passphrase`: what unlocks an encrypted private key or a PKCS#12 file,
//! given as bytes, read from a file, or from an environment variable.

use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::Error;

/// The passphrase of an encrypted private key or of a PKCS#12 file: its
/// bytes, the first line of a file, or an environment variable's value.
///
/// One value, whatever the source, for every constructor that decrypts
/// ([`PrivateKey::from_pem_with_passphrase`](crate::PrivateKey::from_pem_with_passphrase),
/// `Identity::from_files_with_passphrase`, `Identity::from_pkcs12_file`,
/// `Pkcs12::from_path`, ...). An identity read from files keeps its
/// passphrase to read the key again on a reload: a passphrase file is read
/// again each time (a key and its passphrase can be replaced together), a
/// variable's value is read once, by [`from_env`](Self::from_env).
///
/// A secret: not `Clone`, zeroized on drop, and `Debug` shows where it
/// comes from, never the passphrase.
///
/// ```
/// use sslconf::Passphrase;
///
/// let given = Passphrase::new("correct horse");
/// let from_file = Passphrase::from_file("/run/secrets/server.pass");
/// assert_eq!(format!("{given:?}"), "Passphrase([redacted])");
/// assert_eq!(format!("{from_file:?}"), r#"Passphrase(file "/run/secrets/server.pass")"#);
/// ```
pub struct Passphrase(Source);

/// Where a passphrase comes from.
enum Source {
    /// Given as a value.
    Value(Zeroizing<Vec<u8>>),
    /// The first line of this file, read each time it is used.
    File(PathBuf),
    /// This environment variable's value, read when the passphrase was made.
    Environment {
        variable: String,
        value: Zeroizing<Vec<u8>>,
    },
}

impl Passphrase {
    /// A passphrase given as bytes (or text, as its UTF-8 bytes: a
    /// passphrase is used byte for byte, as OpenSSL uses it). The bytes are
    /// copied into memory zeroized on drop; the buffer they came from is
    /// the caller's to clear (a `Zeroizing` one clears itself).
    pub fn new(passphrase: impl AsRef<[u8]>) -> Passphrase {
        Passphrase(Source::Value(Zeroizing::new(passphrase.as_ref().to_vec())))
    }

    /// A passphrase that is the first line of `path`, without its line
    /// ending, as OpenSSL's `-passin file:` reads it, but for one thing: a
    /// `\r` before the `\n` (a file saved on Windows) is part of the line
    /// ending here, while OpenSSL keeps it in the passphrase. The file is
    /// read each time the passphrase is used, so nothing is read here.
    pub fn from_file(path: impl AsRef<Path>) -> Passphrase {
        Passphrase(Source::File(path.as_ref().to_owned()))
    }

    /// A passphrase that is the value of the environment variable
    /// `variable`, read now (a program may remove it from its environment
    /// afterwards) and kept, zeroized on drop.
    ///
    /// # Errors
    /// [`Error::PassphraseVariableUnset`] when the variable is not set.
    pub fn from_env(variable: &str) -> Result<Passphrase, Error> {
        let value = std::env::var_os(variable).ok_or_else(|| Error::PassphraseVariableUnset {
            variable: variable.to_owned(),
        })?;
        Ok(Passphrase(Source::Environment {
            variable: variable.to_owned(),
            value: Zeroizing::new(value.into_encoded_bytes()),
        }))
    }

    /// The file the passphrase is read from, if it is.
    pub fn file(&self) -> Option<&Path> {
        match &self.0 {
            Source::File(path) => Some(path),
            _ => None,
        }
    }

    /// The environment variable the passphrase was read from, if it was.
    pub fn variable(&self) -> Option<&str> {
        match &self.0 {
            Source::Environment { variable, .. } => Some(variable),
            _ => None,
        }
    }

    /// Whether both come from the same file or variable, or both are given
    /// as values (the bytes are not compared: what a settings file writes,
    /// and what an identity's equality looks at, is where it comes from).
    pub(crate) fn same_source(&self, other: &Passphrase) -> bool {
        match (&self.0, &other.0) {
            (Source::Value(_), Source::Value(_)) => true,
            (Source::File(a), Source::File(b)) => a == b,
            (Source::Environment { variable: a, .. }, Source::Environment { variable: b, .. }) => {
                a == b
            }
            _ => false,
        }
    }

    /// Whether this is a passphrase given as a value with no bytes: a
    /// PKCS#12 file written with `-passout pass:` has it.
    #[cfg(feature = "pkcs12")]
    pub(crate) fn is_empty_value(&self) -> bool {
        matches!(&self.0, Source::Value(value) if value.is_empty())
    }

    /// The passphrase's bytes, read now from its file if it has one.
    ///
    /// # Errors
    /// [`Error::ReadFile`] naming the passphrase file.
    pub(crate) fn bytes(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        match &self.0 {
            Source::Value(value) | Source::Environment { value, .. } => Ok(value.clone()),
            Source::File(path) => first_line(path),
        }
    }
}

/// The longest passphrase a file may hold, as OpenSSL's `-passin file:`
/// reads at most 1 KiB.
const MAX_PASSPHRASE_LEN: usize = 1024;

/// The first line of a passphrase file, without its line ending. Reading
/// stops at the first line end: a pipe whose writer stays open, or a file
/// with no line end (`/dev/zero`), costs at most [`MAX_PASSPHRASE_LEN`]
/// bytes.
///
/// # Errors
/// [`Error::ReadFile`] naming the file: it cannot be read, or its first
/// line is longer than [`MAX_PASSPHRASE_LEN`].
fn first_line(file: &Path) -> Result<Zeroizing<Vec<u8>>, Error> {
    let failed = |source| Error::ReadFile {
        path: file.to_owned(),
        source,
    };
    let mut reader = std::fs::File::open(file).map_err(failed)?;
    // Room for the longest line and its `\r\n`, reserved once: the
    // passphrase is never moved by a reallocation, which would leave a copy.
    let mut line = Zeroizing::new(Vec::with_capacity(MAX_PASSPHRASE_LEN + 2));
    let mut chunk = Zeroizing::new([0u8; 256]);
    loop {
        let room = (MAX_PASSPHRASE_LEN + 2 - line.len()).min(chunk.len());
        let read = match reader.read(&mut chunk[..room]) {
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(failed(error)),
        };
        line.extend_from_slice(&chunk[..read]);
        if let Some(end) = line.iter().position(|&b| b == b'\n') {
            line.truncate(end);
            break;
        }
        // The end of the file, or of the room (an empty read then).
        if read == 0 {
            break;
        }
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    if line.len() > MAX_PASSPHRASE_LEN {
        return Err(failed(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a passphrase file's first line is longer than {MAX_PASSPHRASE_LEN} bytes"),
        )));
    }
    Ok(line)
}

/// Shows where the passphrase comes from, never the passphrase.
impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Source::Value(_) => f.write_str("Passphrase([redacted])"),
            Source::File(path) => write!(f, "Passphrase(file {path:?})"),
            Source::Environment { variable, .. } => {
                write!(f, "Passphrase(environment variable {variable:?})")
            }
        }
    }
}
