//! `Identity`: a certificate chain and its private key, from values or from
//! files (PEM/DER, or one PKCS#12 file) that can be read again.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use zeroize::Zeroizing;

use crate::{Certificate, Error, Pkcs12, PrivateKey};

/// A local certificate chain (leaf first) and its private key: what one end
/// presents. Made from values, or from files, which
/// [`SslConfiguration::reload`](crate::SslConfiguration::reload) reads again.
///
/// Cheap to clone (the key is shared, never copied); `Debug` never shows the
/// key.
///
/// ```
/// # let pair = rcgen::KeyPair::generate().unwrap();
/// # let cert = rcgen::CertificateParams::new(vec!["example.com".into()]).unwrap().self_signed(&pair).unwrap();
/// use sslconf::{Certificate, Identity, PrivateKey};
///
/// let identity = Identity::new(
///     [Certificate::from_der(cert.der())?],
///     PrivateKey::from_der(&pair.serialize_der())?,
/// );
/// assert_eq!(identity.certificate_chain().len(), 1);
/// assert!(identity.files().is_none());
/// # Ok::<(), sslconf::Error>(())
/// ```
#[derive(Clone)]
pub struct Identity {
    chain: Vec<Certificate>,
    key: Arc<PrivateKey>,
    files: Option<Arc<IdentityFiles>>,
}

/// Where a file-backed identity is read from.
pub(crate) struct IdentityFiles {
    chain: PathBuf,
    key: PathBuf,
    passphrase: Option<Zeroizing<Vec<u8>>>,
    /// `chain` and `key` are the same PKCS#12 file.
    pkcs12: bool,
}

impl Identity {
    /// An identity from values: `chain` leaf first, and the leaf's key.
    pub fn new(chain: impl IntoIterator<Item = Certificate>, key: PrivateKey) -> Identity {
        Identity {
            chain: chain.into_iter().collect(),
            key: Arc::new(key),
            files: None,
        }
    }

    /// An identity read from a certificate chain file (PEM, leaf first, or
    /// one DER certificate) and a private key file, remembered so that a
    /// reload reads them again.
    ///
    /// # Errors
    /// As [`Certificate::from_path`] and [`PrivateKey::from_path`].
    pub fn from_files(chain: impl AsRef<Path>, key: impl AsRef<Path>) -> Result<Identity, Error> {
        Arc::new(IdentityFiles {
            chain: chain.as_ref().to_owned(),
            key: key.as_ref().to_owned(),
            passphrase: None,
            pkcs12: false,
        })
        .read()
    }

    /// As [`from_files`](Self::from_files), for an encrypted key. The
    /// passphrase is kept (zeroized on drop) to read the key again.
    ///
    /// # Errors
    /// As [`Certificate::from_path`] and [`PrivateKey::from_path_with_passphrase`].
    pub fn from_files_with_passphrase(
        chain: impl AsRef<Path>,
        key: impl AsRef<Path>,
        passphrase: &[u8],
    ) -> Result<Identity, Error> {
        Arc::new(IdentityFiles {
            chain: chain.as_ref().to_owned(),
            key: key.as_ref().to_owned(),
            passphrase: Some(Zeroizing::new(passphrase.to_vec())),
            pkcs12: false,
        })
        .read()
    }

    /// The identity in a PKCS#12 file's DER, as Qt's
    /// `QSslCertificate::importPkcs12`: the private key and its certificate,
    /// followed by the file's certificates that issued it (see [`Pkcs12`],
    /// which also gives the file's other certificates and friendly name).
    ///
    /// ```
    /// # let der = std::fs::read("tests/data/cryptography-aes.p12").unwrap();
    /// use sslconf::{Error, Identity};
    ///
    /// let identity = Identity::from_pkcs12(&der, b"sslconf-p12-fixture")?;
    /// assert_eq!(identity.certificate_chain().len(), 2); // leaf, intermediate
    /// assert!(matches!(
    ///     Identity::from_pkcs12(&der, b"wrong"),
    ///     Err(Error::Pkcs12WrongPassphrase { .. })
    /// ));
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Pkcs12::from_der`].
    #[doc(alias = "importPkcs12")]
    pub fn from_pkcs12(der: &[u8], passphrase: &[u8]) -> Result<Identity, Error> {
        Pkcs12::from_der(der, passphrase).map(Pkcs12::into_identity)
    }

    /// The identity in a PKCS#12 file (`.p12`, `.pfx`), remembered with its
    /// passphrase (zeroized on drop) so that a reload reads it again; both
    /// of [`files`](Self::files) are that file.
    ///
    /// # Errors
    /// As [`Pkcs12::from_path`].
    pub fn from_pkcs12_file(path: impl AsRef<Path>, passphrase: &[u8]) -> Result<Identity, Error> {
        let path = path.as_ref().to_owned();
        Arc::new(IdentityFiles {
            chain: path.clone(),
            key: path,
            passphrase: Some(Zeroizing::new(passphrase.to_vec())),
            pkcs12: true,
        })
        .read()
    }

    /// The certificate chain, leaf first.
    pub fn certificate_chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// The private key of the leaf.
    pub fn private_key(&self) -> &PrivateKey {
        &self.key
    }

    /// The chain and key files, for an identity read from files; for one
    /// read from a PKCS#12 file, that file twice.
    pub fn files(&self) -> Option<(&Path, &Path)> {
        self.files
            .as_deref()
            .map(|f| (f.chain.as_path(), f.key.as_path()))
    }

    /// The files a reload reads, each once: the chain and key files, or the
    /// one PKCS#12 file; none for an identity made from values.
    pub(crate) fn file_paths(&self) -> Vec<PathBuf> {
        match self.files() {
            Some((chain, key)) if chain == key => vec![chain.to_owned()],
            Some((chain, key)) => vec![chain.to_owned(), key.to_owned()],
            None => Vec::new(),
        }
    }

    /// The shared key, as the settings keep it.
    pub(crate) fn shared_key(&self) -> &Arc<PrivateKey> {
        &self.key
    }

    /// An identity from the settings' parts.
    pub(crate) fn from_parts(
        chain: Vec<Certificate>,
        key: Arc<PrivateKey>,
        files: Option<Arc<IdentityFiles>>,
    ) -> Identity {
        Identity { chain, key, files }
    }

    /// The file source, if any.
    pub(crate) fn source(&self) -> Option<&Arc<IdentityFiles>> {
        self.files.as_ref()
    }

    /// This identity read again from its files (itself when it has none).
    ///
    /// # Errors
    /// As [`from_files`](Self::from_files).
    pub(crate) fn reread(&self) -> Result<Identity, Error> {
        match &self.files {
            Some(files) => files.read(),
            None => Ok(self.clone()),
        }
    }
}

impl IdentityFiles {
    /// Reads the files.
    fn read(self: &Arc<Self>) -> Result<Identity, Error> {
        if self.pkcs12 {
            let passphrase = self.passphrase.as_deref().map_or(&[][..], Vec::as_slice);
            let read = Pkcs12::from_path(&self.chain, passphrase)?.into_identity();
            return Ok(Identity {
                files: Some(Arc::clone(self)),
                ..read
            });
        }
        let chain = Certificate::from_path(&self.chain)?;
        let key = match &self.passphrase {
            Some(passphrase) => PrivateKey::from_path_with_passphrase(&self.key, passphrase)?,
            None => PrivateKey::from_path(&self.key)?,
        };
        Ok(Identity {
            chain,
            key: Arc::new(key),
            files: Some(Arc::clone(self)),
        })
    }
}

impl PartialEq for IdentityFiles {
    fn eq(&self, other: &Self) -> bool {
        self.chain == other.chain
            && self.key == other.key
            && self.passphrase.is_some() == other.passphrase.is_some()
            && self.pkcs12 == other.pkcs12
    }
}

impl fmt::Debug for IdentityFiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityFiles")
            .field("chain", &self.chain)
            .field("key", &self.key)
            .field("passphrase", &self.passphrase.as_ref().map(|_| "[elided]"))
            .field("pkcs12", &self.pkcs12)
            .finish()
    }
}

impl PartialEq for Identity {
    fn eq(&self, other: &Self) -> bool {
        self.chain == other.chain && *self.key == *other.key && self.files() == other.files()
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("certificate_chain", &self.chain)
            .field("private_key", &self.key)
            .field("files", &self.files())
            .finish()
    }
}
