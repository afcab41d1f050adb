//! `Identity`: a certificate chain and its private key, from values or from
//! files (PEM/DER, or one PKCS#12 file) that can be read again, and the
//! OCSP response a server staples.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use zeroize::Zeroizing;

use super::OcspStaple;
#[cfg(feature = "encrypted-keys")]
use super::Passphrase;
use crate::live::{FileSetting, Versioned};
#[cfg(feature = "pkcs12")]
use crate::Pkcs12;
use crate::{Certificate, Error, PrivateKey};

/// A local certificate chain (leaf first) and its private key: what one end
/// presents. Made from values, or from files, which
/// [`SslConfiguration::reload`](crate::SslConfiguration::reload) reads again.
///
/// An identity read from files is what they held when it was read; a
/// configuration holding it (and every clone of it, in any configuration)
/// follows its files: after a reload, the configuration serves and reports
/// what the reload read ([`SslConfiguration::local_identity`](crate::SslConfiguration::local_identity)).
/// A reload checks what it read for the configuration reloading only (its
/// key, and the names that configuration serves it for): configurations
/// that use one identity differently (one as its local identity, another
/// for a server name) should each read it with their own `from_files`, so
/// that each reload is checked for its own use.
///
/// A server identity may carry an OCSP response for its leaf certificate,
/// stapled in every handshake with it
/// ([`with_ocsp_response`](Self::with_ocsp_response),
/// [`with_ocsp_response_file`](Self::with_ocsp_response_file)).
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
    ocsp: Option<OcspStaple>,
    /// For an identity that reads files: what they held at the last good
    /// reload, shared by every clone. (The identity kept there has none of
    /// its own.)
    live: Option<Arc<FileSetting<Identity>>>,
}

/// Where a file-backed identity is read from.
pub(crate) struct IdentityFiles {
    chain: PathBuf,
    key: PathBuf,
    /// What unlocks the key (or the PKCS#12 file), if anything does.
    #[cfg(feature = "encrypted-keys")]
    passphrase: Option<Passphrase>,
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
            ocsp: None,
            live: None,
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
            #[cfg(feature = "encrypted-keys")]
            passphrase: None,
            pkcs12: false,
        })
        .read()
        .map(Identity::following_files)
    }

    /// As [`from_files`](Self::from_files), for an encrypted key. The
    /// passphrase is kept (zeroized on drop) to read the key again on a
    /// reload; one from a file ([`Passphrase::from_file`]) is read again
    /// with the key, so a key and its passphrase can be replaced together.
    ///
    /// ```no_run
    /// use sslconf::{Identity, Passphrase};
    ///
    /// let identity = Identity::from_files_with_passphrase(
    ///     "server.pem",
    ///     "server.key",
    ///     Passphrase::from_file("server.pass"),
    /// )?;
    /// # Ok::<(), sslconf::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Certificate::from_path`] and
    /// [`PrivateKey::from_path_with_passphrase`]; [`Error::ReadFile`]
    /// naming the passphrase file when it cannot be read.
    #[cfg(feature = "encrypted-keys")]
    #[cfg_attr(docsrs, doc(cfg(feature = "encrypted-keys")))]
    pub fn from_files_with_passphrase(
        chain: impl AsRef<Path>,
        key: impl AsRef<Path>,
        passphrase: Passphrase,
    ) -> Result<Identity, Error> {
        Arc::new(IdentityFiles {
            chain: chain.as_ref().to_owned(),
            key: key.as_ref().to_owned(),
            passphrase: Some(passphrase),
            pkcs12: false,
        })
        .read()
        .map(Identity::following_files)
    }

    /// The identity in a PKCS#12 file's DER, as Qt's
    /// `QSslCertificate::importPkcs12`: the private key and its certificate,
    /// followed by the file's certificates that issued it (see [`Pkcs12`],
    /// which also gives the file's other certificates and friendly name).
    ///
    /// ```
    /// # let der = std::fs::read("tests/data/cryptography-aes.p12").unwrap();
    /// use sslconf::{Error, Identity, Passphrase};
    ///
    /// let identity = Identity::from_pkcs12(&der, &Passphrase::new("sslconf-p12-fixture"))?;
    /// assert_eq!(identity.certificate_chain().len(), 2); // leaf, intermediate
    /// assert!(matches!(
    ///     Identity::from_pkcs12(&der, &Passphrase::new("wrong")),
    ///     Err(Error::Pkcs12WrongPassphrase { .. })
    /// ));
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Pkcs12::from_der`].
    #[doc(alias = "importPkcs12")]
    #[cfg(feature = "pkcs12")]
    #[cfg_attr(docsrs, doc(cfg(feature = "pkcs12")))]
    pub fn from_pkcs12(der: &[u8], passphrase: &Passphrase) -> Result<Identity, Error> {
        Pkcs12::from_der(der, passphrase).map(Pkcs12::into_identity)
    }

    /// The identity in a PKCS#12 file (`.p12`, `.pfx`), remembered with its
    /// passphrase (zeroized on drop) so that a reload reads it again; both
    /// of [`files`](Self::files) are that file. A passphrase from a file
    /// ([`Passphrase::from_file`]) is read again with it, so both can be
    /// replaced together.
    ///
    /// ```no_run
    /// use sslconf::{Identity, Passphrase};
    ///
    /// let identity =
    ///     Identity::from_pkcs12_file("server.p12", Passphrase::from_env("P12_PASSPHRASE")?)?;
    /// # Ok::<(), sslconf::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Pkcs12::from_path`]; [`Error::ReadFile`] naming the passphrase
    /// file when it cannot be read.
    ///
    /// An empty passphrase (`Passphrase::new("")`, for a file written with
    /// `-passout pass:`) is no secret: such an identity is written back to a
    /// settings file as one without a passphrase.
    #[cfg(feature = "pkcs12")]
    #[cfg_attr(docsrs, doc(cfg(feature = "pkcs12")))]
    pub fn from_pkcs12_file(
        path: impl AsRef<Path>,
        passphrase: Passphrase,
    ) -> Result<Identity, Error> {
        let path = path.as_ref().to_owned();
        Arc::new(IdentityFiles {
            chain: path.clone(),
            key: path,
            passphrase: (!passphrase.is_empty_value()).then_some(passphrase),
            pkcs12: true,
        })
        .read()
        .map(Identity::following_files)
    }

    /// This identity with a DER OCSP response for its leaf certificate
    /// (RFC 6960), which a server staples in every handshake presenting it
    /// (TLS 1.2 CertificateStatus, TLS 1.3 the leaf's `status_request`
    /// extension), as nginx's `ssl_stapling_file`. Replaces a response set
    /// before.
    ///
    /// Checked at conversion: it parses, its status is successful, and it
    /// answers for the leaf (serial number, issuer name hash, and the issuer
    /// key hash when the chain's next certificate is the leaf's issuer);
    /// else [`Error::OcspResponse`]. A response past its nextUpdate, or
    /// that does not say "good", is served with a warning in the log. Its
    /// signature is left to the client, which asked for it.
    ///
    /// Default: none; nothing is stapled.
    #[cfg(feature = "ocsp")]
    #[cfg_attr(docsrs, doc(cfg(feature = "ocsp")))]
    pub fn with_ocsp_response(self, der: impl Into<Vec<u8>>) -> Identity {
        let mut identity = self.current();
        identity.ocsp = Some(OcspStaple::from_der(der.into()));
        identity.following_files()
    }

    /// As [`with_ocsp_response`](Self::with_ocsp_response), read from a DER
    /// file (as `openssl ocsp -respout` writes), which
    /// [`SslConfiguration::reload`](crate::SslConfiguration::reload) and
    /// `watch` read again together with the chain and key.
    ///
    /// # Errors
    /// [`Error::ReadFile`].
    #[cfg(feature = "ocsp")]
    #[cfg_attr(docsrs, doc(cfg(feature = "ocsp")))]
    pub fn with_ocsp_response_file(self, path: impl AsRef<Path>) -> Result<Identity, Error> {
        let mut identity = self.current();
        identity.ocsp = Some(OcspStaple::read(path.as_ref())?);
        Ok(identity.following_files())
    }

    /// The DER OCSP response this identity staples, if any.
    pub fn ocsp_response(&self) -> Option<&[u8]> {
        self.ocsp.as_ref().map(OcspStaple::der)
    }

    /// The file the OCSP response is read from, if it is.
    pub fn ocsp_response_file(&self) -> Option<&Path> {
        self.ocsp.as_ref().and_then(OcspStaple::file)
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

    /// The PKCS#12 file, for an identity read from one.
    #[cfg(feature = "serde")]
    pub(crate) fn pkcs12_file(&self) -> Option<&Path> {
        self.files
            .as_deref()
            .filter(|f| f.pkcs12)
            .map(|f| f.chain.as_path())
    }

    /// This identity (just read, holding no live setting), following its
    /// files from now on when it reads any.
    fn following_files(mut self) -> Identity {
        self.live = None;
        if self.reads_files() {
            self.live = Some(FileSetting::new(self.all_files(), self.clone()));
        }
        self
    }

    /// What this identity holds now: for one that reads files, what the
    /// last good reload read (still following them).
    pub(crate) fn current(&self) -> Identity {
        match &self.live {
            Some(live) => Identity {
                live: Some(Arc::clone(live)),
                ..Identity::clone(&live.current())
            },
            None => self.clone(),
        }
    }

    /// The file setting a reload stores what it read into, for an identity
    /// that reads files.
    pub(crate) fn live(&self) -> Option<&Arc<FileSetting<Identity>>> {
        self.live.as_ref()
    }

    /// The same, as what a converted config is built from.
    pub(crate) fn file_setting(&self) -> Option<Arc<dyn Versioned>> {
        self.live.clone().map(|live| live as Arc<dyn Versioned>)
    }

    /// The OCSP response to staple, as the settings keep it.
    pub(crate) fn ocsp(&self) -> Option<&OcspStaple> {
        self.ocsp.as_ref()
    }

    /// Whether a reload has anything to read for this identity: its chain
    /// and key files, or its OCSP response file.
    pub(crate) fn reads_files(&self) -> bool {
        self.files.is_some() || self.ocsp_response_file().is_some()
    }

    /// Every file this identity is read from: chain, key, the key's
    /// passphrase, OCSP response.
    pub(crate) fn all_files(&self) -> Vec<PathBuf> {
        let mut files = self.file_paths();
        #[cfg(feature = "encrypted-keys")]
        files.extend(
            self.files
                .as_deref()
                .and_then(|f| f.passphrase.as_ref()?.file())
                .map(Path::to_owned),
        );
        files.extend(self.ocsp_response_file().map(Path::to_owned));
        files
    }

    /// What unlocks the key of a file-backed identity, if anything does.
    #[cfg(all(feature = "serde", feature = "encrypted-keys"))]
    pub(crate) fn passphrase(&self) -> Option<&Passphrase> {
        self.files.as_deref()?.passphrase.as_ref()
    }

    /// This identity read again from its files (itself when it has none):
    /// the chain and key, and the OCSP response.
    ///
    /// # Errors
    /// As [`from_files`](Self::from_files) and
    /// [`with_ocsp_response_file`](Self::with_ocsp_response_file).
    pub(crate) fn reread(&self) -> Result<Identity, Error> {
        let now = self.current();
        let mut identity = match &now.files {
            Some(files) => files.read()?,
            None => Identity {
                live: None,
                ..now.clone()
            },
        };
        identity.ocsp = now.ocsp.as_ref().map(OcspStaple::reread).transpose()?;
        Ok(identity)
    }
}

impl IdentityFiles {
    /// Reads the files.
    fn read(self: &Arc<Self>) -> Result<Identity, Error> {
        #[cfg(feature = "pkcs12")]
        if self.pkcs12 {
            let passphrase = self.passphrase_bytes()?;
            let passphrase = passphrase.as_ref().map_or(&[][..], |p| p.as_slice());
            let read = Pkcs12::read_path(&self.chain, passphrase)?.into_identity();
            return Ok(Identity {
                files: Some(Arc::clone(self)),
                live: None,
                ..read
            });
        }
        let chain = Certificate::from_path(&self.chain)?;
        let passphrase = self.passphrase_bytes()?;
        let key =
            PrivateKey::from_path_inner(&self.key, passphrase.as_ref().map(|p| p.as_slice()))?;
        Ok(Identity {
            chain,
            key: Arc::new(key),
            files: Some(Arc::clone(self)),
            ocsp: None,
            live: None,
        })
    }

    /// The passphrase's bytes, read now (from its file, if it has one).
    #[cfg(feature = "encrypted-keys")]
    fn passphrase_bytes(&self) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
        self.passphrase.as_ref().map(Passphrase::bytes).transpose()
    }

    /// No passphrase: this build reads no encrypted key.
    #[cfg(not(feature = "encrypted-keys"))]
    fn passphrase_bytes(&self) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
        Ok(None)
    }
}

impl IdentityFiles {
    /// Whether both are unlocked alike: no passphrase, or one from the same
    /// source.
    #[cfg(feature = "encrypted-keys")]
    fn same_passphrase_source(&self, other: &Self) -> bool {
        match (&self.passphrase, &other.passphrase) {
            (Some(a), Some(b)) => a.same_source(b),
            (a, b) => a.is_none() && b.is_none(),
        }
    }

    /// Whether both are unlocked alike: in this build, with no passphrase.
    #[cfg(not(feature = "encrypted-keys"))]
    fn same_passphrase_source(&self, _: &Self) -> bool {
        true
    }
}

impl PartialEq for IdentityFiles {
    fn eq(&self, other: &Self) -> bool {
        self.chain == other.chain
            && self.key == other.key
            && self.same_passphrase_source(other)
            && self.pkcs12 == other.pkcs12
    }
}

impl fmt::Debug for IdentityFiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut f = f.debug_struct("IdentityFiles");
        f.field("chain", &self.chain).field("key", &self.key);
        #[cfg(feature = "encrypted-keys")]
        f.field("passphrase", &self.passphrase);
        f.field("pkcs12", &self.pkcs12).finish()
    }
}

/// Equal when what they hold now is (chain, key, OCSP response) and they
/// are read alike: the same files, unlocked by a passphrase from the same
/// source (a reload reads a file's again, keeps a variable's).
impl PartialEq for Identity {
    fn eq(&self, other: &Self) -> bool {
        let (this, that) = (self.current(), other.current());
        this.chain == that.chain
            && *this.key == *that.key
            && this.files.as_deref() == that.files.as_deref()
            && this.ocsp == that.ocsp
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("certificate_chain", &self.chain)
            .field("private_key", &self.key)
            .field("files", &self.files())
            .field("ocsp_response", &self.ocsp)
            .finish()
    }
}
