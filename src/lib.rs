//! Qt's `QSslConfiguration`, as an immutable Rust value that converts into
//! rustls client and server configs.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod certificate;
mod cipher;
mod configuration;
mod convert;
mod error;
mod key;
mod protocol;
mod provider;
mod roots;
mod session;
mod ssl_error;
mod stream;
#[cfg(feature = "tokio")]
pub mod tokio;
mod verify;

pub use certificate::{AlternativeName, Certificate, DigestAlgorithm, SubjectInfo};
pub use cipher::{Cipher, KeyExchangeGroup};
pub use configuration::SslConfiguration;
pub use error::Error;
pub use key::{KeyAlgorithm, PrivateKey};
pub use protocol::{PeerVerifyMode, SslOption, SslProtocol};
pub use session::SessionState;
pub use ssl_error::{SslError, SslErrorKind};
pub use stream::TlsStream;

/// Reads a whole file, naming it in the error.
pub(crate) fn read_file(path: &std::path::Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::ReadFile {
        path: path.to_owned(),
        source,
    })
}
