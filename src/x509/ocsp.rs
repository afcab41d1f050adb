//! An OCSP response a server staples (RFC 6066's `status_request`): its
//! bytes and the file it is read from. The check that it is a successful
//! response for the identity's leaf certificate is `ocsp_response`'s
//! (feature `ocsp`).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[cfg(not(feature = "ocsp"))]
use crate::Certificate;
use crate::Error;
#[cfg(not(feature = "ocsp"))]
use std::time::SystemTime;

/// A DER OCSP response to staple, and the file it is read again from.
#[derive(Clone)]
pub(crate) struct OcspStaple {
    der: Arc<[u8]>,
    file: Option<PathBuf>,
    /// Read again by a reload, and the same as before: a response that no
    /// longer answers for the chain is then one a renewed certificate left
    /// behind.
    unchanged: bool,
}

impl PartialEq for OcspStaple {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der && self.file == other.file
    }
}

impl Eq for OcspStaple {}

impl OcspStaple {
    /// A response given as bytes.
    #[cfg(feature = "ocsp")]
    pub(crate) fn from_der(der: Vec<u8>) -> Self {
        Self {
            der: der.into(),
            file: None,
            unchanged: false,
        }
    }

    /// A response read from a DER file (as `openssl ocsp -respout` writes).
    ///
    /// # Errors
    /// [`Error::ReadFile`].
    pub(crate) fn read(path: &Path) -> Result<Self, Error> {
        let der = std::fs::read(path).map_err(|source| Error::ReadFile {
            path: path.to_owned(),
            source,
        })?;
        Ok(Self {
            der: der.into(),
            file: Some(path.to_owned()),
            unchanged: false,
        })
    }

    /// The response read again from its file; itself when it has none.
    ///
    /// # Errors
    /// [`Error::ReadFile`].
    pub(crate) fn reread(&self) -> Result<Self, Error> {
        let mut again = match &self.file {
            Some(path) => Self::read(path)?,
            None => self.clone(),
        };
        again.unchanged = again.der == self.der;
        Ok(again)
    }

    /// Whether a reload read this response again and found it unchanged.
    pub(crate) fn unchanged_by_reload(&self) -> bool {
        self.unchanged
    }

    pub(crate) fn der(&self) -> &[u8] {
        &self.der
    }

    pub(crate) fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// Where the response came from, for errors.
    pub(super) fn input(&self) -> String {
        match &self.file {
            Some(path) => path.display().to_string(),
            None => "DER input".to_owned(),
        }
    }
}

/// Without the `ocsp` feature no response can be set (its setters do not
/// compile, and a settings file's `ocsp-response-file` is refused), so
/// there is never one to check.
#[cfg(not(feature = "ocsp"))]
impl OcspStaple {
    pub(crate) fn check(&self, _: &[Certificate], _: SystemTime) -> Result<Vec<String>, Error> {
        Err(Error::FeatureNotEnabled {
            what: format!("the ocsp response in {}", self.input()),
            feature: "ocsp",
        })
    }

    pub(crate) fn is_usable(&self) -> bool {
        false
    }
}

impl fmt::Debug for OcspStaple {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OcspStaple")
            .field("len", &self.der.len())
            .field("file", &self.file)
            .finish()
    }
}
