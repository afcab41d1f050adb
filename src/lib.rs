//! Qt's `QSslConfiguration`, as an immutable Rust value that converts into
//! rustls client and server configs.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod certificate;
mod cipher;
mod error;
mod key;
mod protocol;
mod provider;
mod ssl_error;

pub use certificate::{AlternativeName, Certificate, DigestAlgorithm, SubjectInfo};
pub use cipher::{Cipher, KeyExchangeGroup};
pub use error::Error;
pub use key::{KeyAlgorithm, PrivateKey};
pub use protocol::{PeerVerifyMode, SslOption, SslProtocol};
pub use ssl_error::{SslError, SslErrorKind};

/// Reads a whole file, naming it in the error.
pub(crate) fn read_file(path: &std::path::Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::ReadFile {
        path: path.to_owned(),
        source,
    })
}
