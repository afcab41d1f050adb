//! PKCS#12 (RFC 7292) files, as Qt's `QSslCertificate::importPkcs12` reads
//! them: one private key, its certificate and the other certificates, from
//! a file protected with a passphrase.
//!
//! RustCrypto's `pkcs12` and `cms` crates decode the structure; `pkcs5`
//! decrypts PBES2 (what OpenSSL 3 writes: PBKDF2 with HMAC-SHA256 and
//! AES-256-CBC), and the PKCS#12 KDF of `pkcs12` with `des`/`rc2` the legacy
//! PKCS#12 PBE (OpenSSL 1.x and `-legacy`: RC2-40 for certificates, 3DES for
//! the key; Windows: 3DES). Every key derivation's cost is read and charged
//! to one budget for the whole file before it runs, the MAC's first.

use std::fmt;
use std::io::Read;
use std::path::Path;

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, InnerIvInit, KeyInit};
use cms::content_info::ContentInfo;
use cms::encrypted_data::EncryptedData;
use der::asn1::{AnyRef, BmpString, ObjectIdentifier as Oid, OctetString};
use der::{Decode, Encode, Tag, TagNumber, Tagged};
use hmac::{Mac, SimpleHmac};
use pkcs12::kdf::{derive_key, Pkcs12KeyType};
use pkcs12::pbe_params::{EncryptedPrivateKeyInfo, Pbes2Params, Pkcs12PbeParams};
use pkcs12::safe_bag::SafeBag;
use pkcs8::pkcs5::{self, pbes2};
use sha1::Sha1;
use sha2::digest::core_api::BlockSizeUser;
use sha2::digest::FixedOutputReset;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};
use spki::AlgorithmIdentifierOwned;
use zeroize::{Zeroize, Zeroizing};

use super::encrypted_key::{name, PBKDF2_MAX_WORK};
use super::fields::public_key_bits;
use crate::error::InvalidInput;
use crate::{Certificate, Error, Identity, Passphrase, PrivateKey};

/// What a PKCS#12 file holds, as Qt's `QSslCertificate::importPkcs12`
/// returns it: the private key, its certificate, and every other
/// certificate of the file (Qt's `caCertificates`), with the friendly name
/// the key (or its certificate) carries.
///
/// [`identity`](Self::identity) is what a server or client presents: the
/// certificate and, in issuing order, the certificates of the file that
/// issued it (a self-signed root is left out: a peer must already trust it).
/// Cheap to clone (the key is shared, never copied); `Debug` never shows
/// the key.
///
/// ```
/// # let der = std::fs::read("tests/data/cryptography-aes.p12").unwrap();
/// use sslconf::{Passphrase, Pkcs12, SslConfiguration};
///
/// let passphrase = Passphrase::from_file("tests/data/cryptography-aes.p12.pass");
/// let p12 = Pkcs12::from_der(&der, &passphrase)?;
/// assert_eq!(p12.friendly_name(), Some("sslconf fixture"));
/// assert_eq!(p12.certificate().subject_display_name(), "p12.example");
/// assert_eq!(p12.ca_certificates().len(), 1);
/// let server = SslConfiguration::new().with_local_identity(p12.into_identity());
/// # server.server_config()?;
/// # Ok::<(), sslconf::Error>(())
/// ```
#[doc(alias = "importPkcs12")]
#[derive(Clone)]
pub struct Pkcs12 {
    identity: Identity,
    ca_certificates: Vec<Certificate>,
    friendly_name: Option<String>,
}

/// The largest PKCS#12 file read: far above any identity (a chain of ten
/// RSA-4096 certificates and its key is some 20 KB), and small enough that
/// the copies decoding makes stay within the 32 MiB encrypted keys may use.
pub(crate) const MAX_PKCS12_LEN: usize = 1 << 20;

/// At most this many certificates are read from one file (a real one holds
/// a handful): the chain is assembled from them.
const MAX_CERTIFICATES: usize = 256;

/// At most this many certificates are served in a chain assembled from a
/// file, the leaf included.
const MAX_CHAIN: usize = 16;

/// How deep `safeContentsBag`s may nest.
const MAX_NESTING: usize = 4;

impl Pkcs12 {
    /// Reads a PKCS#12 file's DER with its passphrase.
    ///
    /// The passphrase's bytes are used as given, as OpenSSL uses them:
    /// PBES2 derives its keys from the bytes themselves, the MAC and the
    /// legacy PBE from their UTF-16 form (UTF-8 converted; bytes that are
    /// no UTF-8 one code unit each). The same text in another encoding than
    /// the file was written with (Latin-1 bytes for a UTF-8 passphrase, or
    /// the reverse) is therefore a wrong passphrase for a PBES2 file (what
    /// OpenSSL 3 writes), even when its MAC verifies with it; a legacy file
    /// may open with either.
    ///
    /// Reads PBES2 (PBKDF2 with HMAC-SHA1 or SHA-2; AES-CBC or
    /// DES-EDE3-CBC), what OpenSSL 3 writes by default, and the legacy
    /// PKCS#12 PBE schemes with SHA-1 and 3DES, 2-key 3DES, RC2-128 or
    /// RC2-40, which OpenSSL 1.x (`-legacy` in 3) and Windows write; the MAC
    /// with HMAC-SHA1 or SHA-2. A file without a MAC, or with a key that is
    /// not encrypted, is read as OpenSSL reads it. The first private key is
    /// the one read; its certificate is the one with the same `localKeyId`,
    /// or else with its public key.
    ///
    /// # Errors
    /// [`Error::Pkcs12WrongPassphrase`] when the MAC or decryption shows the
    /// passphrase is wrong (a part that does not decrypt after the MAC
    /// verified included, as OpenSSL's "maybe wrong password"); [`Error::InvalidPkcs12`] for anything else:
    /// input that is no DER PKCS#12, a scheme that is not read here (named,
    /// with how to re-encrypt the file), key derivation above the crate's
    /// cap (the MAC's and every bag's iterations together above 10 million
    /// PRF runs, as for encrypted PKCS#8 keys), a file above 1 MiB, no
    /// private key, or no certificate for it; [`Error::ReadFile`] when
    /// the passphrase is read from a file that cannot be read.
    pub fn from_der(der: &[u8], passphrase: &Passphrase) -> Result<Pkcs12, Error> {
        read(der, &passphrase.bytes()?, DER_INPUT)
    }

    /// Reads a PKCS#12 file (`.p12`, `.pfx`) with its passphrase.
    ///
    /// # Errors
    /// [`Error::ReadFile`] when the file (or the passphrase's file) cannot
    /// be read; otherwise as [`from_der`](Self::from_der), naming the file.
    pub fn from_path(path: impl AsRef<Path>, passphrase: &Passphrase) -> Result<Pkcs12, Error> {
        Self::read_path(path.as_ref(), &passphrase.bytes()?)
    }

    /// Reads a PKCS#12 file with a passphrase's bytes.
    pub(crate) fn read_path(path: &Path, passphrase: &[u8]) -> Result<Pkcs12, Error> {
        let der = read_bounded(path)?;
        read(&der, passphrase, &path.display().to_string())
    }

    /// The private key and the chain it certifies, leaf first.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The identity, without the rest.
    pub fn into_identity(self) -> Identity {
        self.identity
    }

    /// The certificate of the private key (Qt's `certificate`).
    pub fn certificate(&self) -> &Certificate {
        &self.identity.certificate_chain()[0]
    }

    /// The private key (Qt's `key`).
    pub fn private_key(&self) -> &PrivateKey {
        self.identity.private_key()
    }

    /// Every other certificate of the file, in the file's order (Qt's
    /// `caCertificates`).
    pub fn ca_certificates(&self) -> &[Certificate] {
        &self.ca_certificates
    }

    /// The friendly name (`openssl pkcs12 -name`) of the private key, or
    /// else of its certificate.
    pub fn friendly_name(&self) -> Option<&str> {
        self.friendly_name.as_deref()
    }
}

impl fmt::Debug for Pkcs12 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs12")
            .field("identity", &self.identity)
            .field("ca_certificates", &self.ca_certificates)
            .field("friendly_name", &self.friendly_name)
            .finish()
    }
}

const DER_INPUT: &str = "DER input";

/// Reads at most [`MAX_PKCS12_LEN`] bytes and one more, so that a huge
/// file is refused without being read whole.
fn read_bounded(path: &Path) -> Result<Zeroizing<Vec<u8>>, Error> {
    let read_error = |source| Error::ReadFile {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut der = Zeroizing::new(Vec::new());
    file.take(MAX_PKCS12_LEN as u64 + 1)
        .read_to_end(&mut der)
        .map_err(read_error)?;
    Ok(der)
}

mod oid {
    use der::asn1::ObjectIdentifier as Oid;

    pub(super) const DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
    pub(super) const ENCRYPTED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.6");
    pub(super) const ENVELOPED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.3");
    pub(super) const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
    pub(super) const FRIENDLY_NAME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.20");
    pub(super) const LOCAL_KEY_ID: Oid = Oid::new_unwrap("1.2.840.113549.1.9.21");
    pub(super) const MD5: Oid = Oid::new_unwrap("1.2.840.113549.2.5");
    pub(super) const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
    pub(super) const SHA224: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.4");
    pub(super) const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
    pub(super) const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
    pub(super) const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
    pub(super) const PBMAC1: Oid = Oid::new_unwrap("1.2.840.113549.1.5.14");
    pub(super) const HMAC_SHA1: Oid = Oid::new_unwrap("1.2.840.113549.2.7");
    pub(super) const HMAC_SHA224: Oid = Oid::new_unwrap("1.2.840.113549.2.8");
    pub(super) const HMAC_SHA256: Oid = Oid::new_unwrap("1.2.840.113549.2.9");
    pub(super) const HMAC_SHA384: Oid = Oid::new_unwrap("1.2.840.113549.2.10");
    pub(super) const HMAC_SHA512: Oid = Oid::new_unwrap("1.2.840.113549.2.11");
}

/// How to make a file this crate reads from one it does not.
const RE_ENCRYPT: &str = "re-encrypt it with `openssl pkcs12 -in old.p12 -nodes -legacy | \
                          openssl pkcs12 -export -out new.p12` (AES-256-CBC)";

/// One reading of one file: where it came from, the passphrase in both
/// forms, and the key-derivation work still allowed.
struct Reader<'a> {
    input: &'a str,
    /// The passphrase as PBES2 takes it: the bytes given.
    passphrase: &'a [u8],
    /// The passphrase as the PKCS#12 KDF takes it: UTF-16BE with a
    /// terminating NUL (RFC 7292 B.1), as OpenSSL converts UTF-8; bytes
    /// that are no UTF-8 become one code unit each, as OpenSSL's fallback.
    bmp: Zeroizing<Vec<u8>>,
    budget: u64,
    /// The MAC verified with the passphrase. A part that does not decrypt
    /// is still a wrong passphrase, as OpenSSL says ("maybe wrong
    /// password"): the MAC covers the encrypted parts, so they were written
    /// so, with other passphrase bytes than the MAC's UTF-16 form tells
    /// apart (the same text in another encoding, for PBES2) or with a
    /// second passphrase (`openssl pkcs12 -twopass`); no byte of the file
    /// tells those from a writer that encrypted garbage.
    mac_verified: bool,
}

/// The bags of one `SafeContents`; a plain `keyBag`'s key is zeroized with
/// them.
struct Bags(Vec<SafeBag>);

impl Drop for Bags {
    fn drop(&mut self) {
        for bag in &mut self.0 {
            bag.bag_value.zeroize();
        }
    }
}

/// A private key found, with what tells its certificate.
struct FoundKey {
    key: PrivateKey,
    local_key_id: Option<Vec<u8>>,
    friendly_name: Option<String>,
}

/// A certificate found, with what tells whether it is the key's.
struct FoundCertificate {
    certificate: Certificate,
    local_key_id: Option<Vec<u8>>,
    friendly_name: Option<String>,
}

#[derive(Default)]
struct Found {
    key: Option<FoundKey>,
    certificates: Vec<FoundCertificate>,
}

fn read(der: &[u8], passphrase: &[u8], input: &str) -> Result<Pkcs12, Error> {
    let mut reader = Reader::new(input, passphrase);
    if der.len() > MAX_PKCS12_LEN {
        return Err(reader.invalid(format!(
            "it is larger than the {} MiB accepted",
            MAX_PKCS12_LEN >> 20
        )));
    }
    let pfx = pkcs12::pfx::Pfx::from_der(der)
        .map_err(|e| reader.invalid(InvalidInput::caused("not a DER PKCS#12 file", e)))?;
    let auth_safe = reader.data_content(&pfx.auth_safe, "its authenticated safe")?;
    match &pfx.mac_data {
        Some(mac) => reader.check_mac(mac, auth_safe.as_bytes())?,
        // OpenSSL reads such files too; whoever can write the file can
        // then change its unencrypted parts (the certificates).
        None if passphrase.is_empty() => {
            log::debug!("sslconf: {input} has no MAC: its integrity is not checked")
        }
        None => log::warn!(
            "sslconf: {input} has no MAC: its certificates are not protected by the passphrase"
        ),
    }
    let contents = Vec::<ContentInfo>::from_der(auth_safe.as_bytes()).map_err(|e| {
        reader.invalid(InvalidInput::caused(
            "its authenticated safe is no sequence of ContentInfo",
            e,
        ))
    })?;
    let mut found = Found::default();
    for content in &contents {
        let bags = reader.safe_contents(content)?;
        reader.read_bags(&bags, &mut found, 0)?;
    }
    reader.assemble(found)
}

impl<'a> Reader<'a> {
    fn new(input: &'a str, passphrase: &'a [u8]) -> Self {
        let mut bmp = Zeroizing::new(Vec::with_capacity(passphrase.len() * 2 + 2));
        match std::str::from_utf8(passphrase) {
            Ok(text) => bmp.extend(text.encode_utf16().flat_map(u16::to_be_bytes)),
            Err(_) => bmp.extend(passphrase.iter().flat_map(|&b| [0, b])),
        }
        bmp.extend([0, 0]);
        Reader {
            input,
            passphrase,
            bmp,
            budget: PBKDF2_MAX_WORK,
            mac_verified: false,
        }
    }

    fn invalid(&self, reason: impl Into<InvalidInput>) -> Error {
        Error::InvalidPkcs12 {
            input: self.input.to_owned(),
            source: reason.into(),
        }
    }

    fn wrong_passphrase(&self) -> Error {
        if self.mac_verified {
            log::debug!(
                "sslconf: {}: the MAC verifies with the passphrase but a part does not \
                 decrypt: its bytes may be in another encoding than the file was written \
                 with, or the file has a second passphrase for its contents",
                self.input
            );
        }
        Error::Pkcs12WrongPassphrase {
            input: self.input.to_owned(),
        }
    }

    fn unsupported(&self, what: &str, scheme: Oid) -> Error {
        self.invalid(format!(
            "the encryption of {what} is {}, which is not read here: {RE_ENCRYPT}",
            name(scheme)
        ))
    }

    /// Takes `work` PRF runs for `what` from the file's budget, or refuses
    /// before any of them runs.
    fn charge(&mut self, what: &str, iterations: u64, blocks: u64) -> Result<(), Error> {
        let work = iterations.saturating_mul(blocks.max(1));
        if work > self.budget {
            return Err(self.invalid(format!(
                "the iteration count of {what} ({iterations}) brings the file's key derivation \
                 above the {PBKDF2_MAX_WORK} runs accepted"
            )));
        }
        self.budget -= work;
        Ok(())
    }

    /// The OCTET STRING of a `data` ContentInfo.
    fn data_content(&self, content: &ContentInfo, what: &str) -> Result<OctetString, Error> {
        if content.content_type != oid::DATA {
            return Err(self.invalid(format!(
                "{what} is {}, not data (a public-key protected file is not read here)",
                content_name(content.content_type)
            )));
        }
        content.content.decode_as::<OctetString>().map_err(|e| {
            self.invalid(InvalidInput::caused(
                format!("{what} is no octet string"),
                e,
            ))
        })
    }

    /// Checks the MAC over the authenticated safe: the passphrase is right.
    fn check_mac(&mut self, mac: &pkcs12::mac_data::MacData, data: &[u8]) -> Result<(), Error> {
        let digest = mac.mac.algorithm.oid;
        if digest == oid::PBMAC1 {
            return Err(self.invalid(format!(
                "its MAC is PBMAC1, which is not read here: {RE_ENCRYPT}"
            )));
        }
        let iterations = u64::try_from(mac.iterations)
            .ok()
            .filter(|&i| i > 0)
            .ok_or_else(|| {
                self.invalid(format!(
                    "its MAC iteration count ({}) is not positive",
                    mac.iterations
                ))
            })?;
        let salt = mac.mac_salt.as_bytes();
        let expected = mac.mac.digest.as_bytes();
        // OpenSSL tries an empty passphrase both as an empty BMPString and
        // as none at all.
        let mut candidates = vec![self.bmp.clone()];
        if self.passphrase.is_empty() {
            candidates.push(Zeroizing::new(Vec::new()));
        }
        for (i, password) in candidates.iter().enumerate() {
            self.charge("its MAC", iterations, 1)?;
            let rounds = mac.iterations;
            let ok = match digest {
                d if d == oid::SHA1 => verify::<Sha1>(password, salt, rounds, data, expected),
                d if d == oid::SHA224 => verify::<Sha224>(password, salt, rounds, data, expected),
                d if d == oid::SHA256 => verify::<Sha256>(password, salt, rounds, data, expected),
                d if d == oid::SHA384 => verify::<Sha384>(password, salt, rounds, data, expected),
                d if d == oid::SHA512 => verify::<Sha512>(password, salt, rounds, data, expected),
                other => {
                    return Err(self.invalid(format!(
                        "its MAC uses {}, which is not read here: {RE_ENCRYPT}",
                        digest_name(other)
                    )))
                }
            };
            if ok {
                self.mac_verified = true;
                if i > 0 {
                    // The contents were encrypted the same way.
                    self.bmp = Zeroizing::new(Vec::new());
                }
                return Ok(());
            }
        }
        Err(self.wrong_passphrase())
    }

    /// The bags of one ContentInfo of the authenticated safe, decrypted if
    /// they are encrypted.
    fn safe_contents(&mut self, content: &ContentInfo) -> Result<Bags, Error> {
        if content.content_type == oid::ENCRYPTED_DATA {
            let encrypted = content.content.decode_as::<EncryptedData>().map_err(|e| {
                self.invalid(InvalidInput::caused("its encrypted data cannot be read", e))
            })?;
            let info = &encrypted.enc_content_info;
            let Some(data) = &info.encrypted_content else {
                return Ok(Bags(Vec::new()));
            };
            let plain = self.decrypt("its certificates", &info.content_enc_alg, data.as_bytes())?;
            // A wrong passphrase that passes the padding check yields garbage.
            return Vec::<SafeBag>::from_der(&plain)
                .map(Bags)
                .map_err(|_| self.wrong_passphrase());
        }
        let data = self.data_content(content, "a part of its authenticated safe")?;
        Vec::<SafeBag>::from_der(data.as_bytes())
            .map(Bags)
            .map_err(|e| self.invalid(InvalidInput::caused("its safe contents cannot be read", e)))
    }

    fn read_bags(&mut self, bags: &Bags, found: &mut Found, depth: usize) -> Result<(), Error> {
        for bag in &bags.0 {
            let local_key_id = attribute(bag, oid::LOCAL_KEY_ID)
                .and_then(|v| v.decode_as::<OctetString>().ok())
                .map(|id| id.as_bytes().to_vec());
            let friendly_name = attribute(bag, oid::FRIENDLY_NAME)
                .and_then(|v| v.decode_as::<BmpString>().ok())
                .map(|name| name.to_string());
            let value = bag_value(bag).map_err(|e| {
                self.invalid(InvalidInput::caused(
                    format!("its {} cannot be read", bag_name(bag.bag_id)),
                    e,
                ))
            })?;
            match bag.bag_id {
                id if id == pkcs12::PKCS_12_CERT_BAG_OID => {
                    let cert_bag = pkcs12::cert_type::CertBag::from_der(value).map_err(|e| {
                        self.invalid(InvalidInput::caused(
                            "its certificate bag cannot be read",
                            e,
                        ))
                    })?;
                    // SDSI certificates, as OpenSSL, are passed over.
                    if cert_bag.cert_id != pkcs12::PKCS_12_X509_CERT_OID {
                        continue;
                    }
                    if found.certificates.len() == MAX_CERTIFICATES {
                        return Err(self.invalid(format!(
                            "it holds more than {MAX_CERTIFICATES} certificates"
                        )));
                    }
                    let index = found.certificates.len() + 1;
                    let certificate = Certificate::from_der(cert_bag.cert_value.as_bytes())
                        .map_err(|e| {
                            self.invalid(InvalidInput::caused(
                                format!("its certificate #{index} is invalid"),
                                e,
                            ))
                        })?;
                    found.certificates.push(FoundCertificate {
                        certificate,
                        local_key_id,
                        friendly_name,
                    });
                }
                id if id == pkcs12::PKCS_12_PKCS8_KEY_BAG_OID
                    || id == pkcs12::PKCS_12_KEY_BAG_OID =>
                {
                    // The first key is the one read, as OpenSSL's PKCS12_parse.
                    if found.key.is_some() {
                        continue;
                    }
                    let key = if id == pkcs12::PKCS_12_KEY_BAG_OID {
                        self.private_key(value)?
                    } else {
                        let shrouded = EncryptedPrivateKeyInfo::from_der(value).map_err(|e| {
                            self.invalid(InvalidInput::caused(
                                "its encrypted private key cannot be read",
                                e,
                            ))
                        })?;
                        let plain = self.decrypt(
                            "its private key",
                            &shrouded.encryption_algorithm,
                            shrouded.encrypted_data.as_bytes(),
                        )?;
                        // Garbage from a wrong passphrase is no PrivateKeyInfo.
                        if pkcs8::PrivateKeyInfo::try_from(plain.as_slice()).is_err() {
                            return Err(self.wrong_passphrase());
                        }
                        self.private_key(&plain)?
                    };
                    found.key = Some(FoundKey {
                        key,
                        local_key_id,
                        friendly_name,
                    });
                }
                id if id == pkcs12::PKCS_12_SAFE_CONTENTS_BAG_OID => {
                    if depth >= MAX_NESTING {
                        return Err(self.invalid(format!(
                            "its safe contents nest more than {MAX_NESTING} deep"
                        )));
                    }
                    let nested = Vec::<SafeBag>::from_der(value).map(Bags).map_err(|e| {
                        self.invalid(InvalidInput::caused(
                            "its nested safe contents cannot be read",
                            e,
                        ))
                    })?;
                    self.read_bags(&nested, found, depth + 1)?;
                }
                // CRLs and secrets, as OpenSSL, are passed over.
                _ => {}
            }
        }
        Ok(())
    }

    fn private_key(&self, der: &[u8]) -> Result<PrivateKey, Error> {
        PrivateKey::from_der(der)
            .map_err(|e| self.invalid(InvalidInput::caused("its private key is invalid", e)))
    }

    /// Decrypts `data` encrypted with `algorithm`, after charging its key
    /// derivation to the budget, into a buffer that zeroizes itself.
    fn decrypt(
        &mut self,
        what: &str,
        algorithm: &AlgorithmIdentifierOwned,
        data: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let scheme = algorithm.oid;
        if scheme == pbes2::PBES2_OID {
            return self.decrypt_pbes2(what, algorithm, data);
        }
        let pkcs12_pbe = match scheme {
            s if s == pkcs12::PKCS_12_PBE_WITH_SHAAND3_KEY_TRIPLE_DES_CBC => Pbe::TripleDes,
            s if s == pkcs12::PKCS_12_PBE_WITH_SHAAND2_KEY_TRIPLE_DES_CBC => Pbe::TwoKeyDes,
            s if s == pkcs12::PKCS_12_PBE_WITH_SHAAND128_BIT_RC2_CBC => Pbe::Rc2(16),
            s if s == pkcs12::PKCS_12_PBEWITH_SHAAND40_BIT_RC2_CBC => Pbe::Rc2(5),
            other => return Err(self.unsupported(what, other)),
        };
        let params = match algorithm.parameters.as_ref() {
            Some(params) => params.decode_as::<Pkcs12PbeParams>(),
            None => Err(Tag::Sequence.value_error()),
        }
        .map_err(|e| {
            self.invalid(InvalidInput::caused(
                format!("the {} parameters of {what} cannot be read", name(scheme)),
                e,
            ))
        })?;
        let iterations = u64::try_from(params.iterations)
            .ok()
            .filter(|&i| i > 0)
            .ok_or_else(|| {
                self.invalid(format!(
                    "the iteration count of {what} ({}) is not positive",
                    params.iterations
                ))
            })?;
        if data.is_empty() || !data.len().is_multiple_of(8) {
            return Err(self.invalid(format!(
                "the encrypted data of {what} ({} bytes) is not a whole number of 8-byte blocks",
                data.len()
            )));
        }
        let key_len = pkcs12_pbe.key_len();
        // SHA-1 gives 20 bytes a run: the key's blocks and the IV's one.
        self.charge(what, iterations, key_len.div_ceil(20) as u64 + 1)?;
        let salt = params.salt.as_bytes();
        let key = Zeroizing::new(derive_key::<Sha1>(
            &self.bmp,
            salt,
            Pkcs12KeyType::EncryptionKey,
            params.iterations,
            key_len,
        ));
        let iv = derive_key::<Sha1>(&self.bmp, salt, Pkcs12KeyType::Iv, params.iterations, 8);
        let mut buffer = Zeroizing::new(data.to_vec());
        let plain_len = match pkcs12_pbe.decrypt(&key, &iv, &mut buffer) {
            Some(len) => len,
            // The padding check failed.
            None => return Err(self.wrong_passphrase()),
        };
        buffer.truncate(plain_len);
        Ok(buffer)
    }

    fn decrypt_pbes2(
        &mut self,
        what: &str,
        algorithm: &AlgorithmIdentifierOwned,
        data: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let unreadable = |reader: &Self, e: der::Error| {
            reader.invalid(InvalidInput::caused(
                format!("the PBES2 parameters of {what} cannot be read"),
                e,
            ))
        };
        let parts = match algorithm.parameters.as_ref() {
            Some(params) => params.decode_as::<Pbes2Params>(),
            None => Err(Tag::Sequence.value_error()),
        }
        .map_err(|e| unreadable(self, e))?;
        const CIPHERS: [Oid; 4] = [
            pbes2::AES_128_CBC_OID,
            pbes2::AES_192_CBC_OID,
            pbes2::AES_256_CBC_OID,
            pbes2::DES_EDE3_CBC_OID,
        ];
        if parts.kdf.oid != pbes2::PBKDF2_OID {
            return Err(self.unsupported(what, parts.kdf.oid));
        }
        if !CIPHERS.contains(&parts.encryption.oid) {
            return Err(self.unsupported(what, parts.encryption.oid));
        }
        let (iv_len, block) = if parts.encryption.oid == pbes2::DES_EDE3_CBC_OID {
            (8, 8)
        } else {
            (16, 16)
        };
        // pkcs5 0.7 slices a DES-EDE3-CBC IV to 8 bytes without checking.
        let iv = parts
            .encryption
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<OctetString>().ok());
        if iv.is_none_or(|iv| iv.as_bytes().len() != iv_len) {
            return Err(self.invalid(format!(
                "the {} IV of {what} is not {iv_len} bytes",
                name(parts.encryption.oid)
            )));
        }
        let pbkdf2 = parts
            .kdf
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<pkcs12::pbe_params::Pbkdf2Params>().ok());
        // The PRF is not optional in pkcs12's type; a file that leaves out
        // the default (HMAC-SHA1) is read through pkcs5's below.
        let prf_len = match pbkdf2.as_ref().map(|p| p.prf.oid) {
            Some(prf) if prf == oid::HMAC_SHA1 => 20,
            Some(prf) if prf == oid::HMAC_SHA224 => 28,
            Some(prf) if prf == oid::HMAC_SHA256 => 32,
            Some(prf) if prf == oid::HMAC_SHA384 => 48,
            Some(prf) if prf == oid::HMAC_SHA512 => 64,
            Some(prf) => return Err(self.unsupported(what, prf)),
            None => 20,
        };
        let algorithm_der = algorithm.to_der().map_err(|e| unreadable(self, e))?;
        let scheme =
            pkcs5::EncryptionScheme::from_der(&algorithm_der).map_err(|e| unreadable(self, e))?;
        let Some(pbes2::Kdf::Pbkdf2(kdf)) = scheme.pbes2().map(|p| &p.kdf) else {
            return Err(self.invalid(format!("the PBES2 parameters of {what} cannot be read")));
        };
        let iterations = u64::from(kdf.iteration_count);
        if iterations == 0 {
            return Err(self.invalid(format!("the PBKDF2 iteration count of {what} is 0")));
        }
        let key_size = scheme.pbes2().map_or(32, |p| p.encryption.key_size());
        self.charge(what, iterations, key_size.div_ceil(prf_len) as u64)?;
        if data.is_empty() || !data.len().is_multiple_of(block) {
            return Err(self.invalid(format!(
                "the encrypted data of {what} ({} bytes) is not a whole number of {block}-byte blocks",
                data.len()
            )));
        }
        let mut buffer = Zeroizing::new(data.to_vec());
        let plain_len = match scheme.decrypt_in_place(self.passphrase, &mut buffer) {
            Ok(plain) => plain.len(),
            Err(pkcs5::Error::UnsupportedAlgorithm { oid }) => {
                return Err(self.unsupported(what, oid))
            }
            Err(pkcs5::Error::AlgorithmParametersInvalid { oid }) => {
                return Err(self.invalid(format!(
                    "the {} parameters of {what} are invalid",
                    name(oid)
                )))
            }
            // The padding check failed: the passphrase was wrong.
            Err(_) => return Err(self.wrong_passphrase()),
        };
        buffer.truncate(plain_len);
        Ok(buffer)
    }

    /// The key, its certificate, and the rest.
    fn assemble(&self, found: Found) -> Result<Pkcs12, Error> {
        let Some(key) = found.key else {
            return Err(self.invalid(if found.certificates.is_empty() {
                "it holds no private key and no certificate"
            } else {
                "it holds no private key (a file of certificates only is read with \
                 `openssl pkcs12 -nokeys`)"
            }));
        };
        let mut certificates = found.certificates;
        // A certificate whose public key is provably another is never the
        // key's, whatever its localKeyId says; of those the key id names,
        // one whose key is known to match comes first.
        let relation: Vec<Option<bool>> = certificates
            .iter()
            .map(|c| public_keys_match(&c.certificate, &key.key))
            .collect();
        let named = |c: &FoundCertificate| {
            key.local_key_id.is_some() && c.local_key_id.as_ref() == key.local_key_id.as_ref()
        };
        let pick = |wanted: &dyn Fn(usize) -> bool| (0..certificates.len()).find(|&i| wanted(i));
        let leaf = pick(&|i| named(&certificates[i]) && relation[i] == Some(true))
            .or_else(|| pick(&|i| named(&certificates[i]) && relation[i].is_none()))
            .or_else(|| pick(&|i| relation[i] == Some(true)))
            .ok_or_else(|| {
                self.invalid(if certificates.is_empty() {
                    "it holds no certificate for its private key".to_owned()
                } else {
                    format!(
                        "none of its {} certificates is for its private key",
                        certificates.len()
                    )
                })
            })?;
        let leaf = certificates.remove(leaf);
        let friendly_name = key.friendly_name.or(leaf.friendly_name);
        let ca_certificates: Vec<Certificate> =
            certificates.into_iter().map(|c| c.certificate).collect();
        let mut chain = vec![leaf.certificate];
        // The issuers, in order, while the file has them; never one twice,
        // and at most MAX_CHAIN in all.
        let mut used = vec![false; ca_certificates.len()];
        while chain.len() < MAX_CHAIN {
            let last = &chain[chain.len() - 1];
            if last.is_self_signed() {
                break;
            }
            let Some(i) = (0..ca_certificates.len())
                .find(|&i| !used[i] && last.may_be_issued_by(&ca_certificates[i]))
            else {
                break;
            };
            if ca_certificates[i].is_self_signed() {
                break;
            }
            used[i] = true;
            chain.push(ca_certificates[i].clone());
        }
        Ok(Pkcs12 {
            identity: Identity::new(chain, key.key),
            ca_certificates,
            friendly_name,
        })
    }
}

/// The legacy PKCS#12 PBE ciphers (RFC 7292 appendix C), all with SHA-1.
enum Pbe {
    TripleDes,
    TwoKeyDes,
    /// RC2-CBC with a key of this many bytes (its effective key bits).
    Rc2(usize),
}

impl Pbe {
    fn key_len(&self) -> usize {
        match self {
            Pbe::TripleDes => 24,
            Pbe::TwoKeyDes => 16,
            Pbe::Rc2(len) => *len,
        }
    }

    /// Decrypts in place; the plaintext's length, or `None` when the
    /// padding is wrong.
    fn decrypt(&self, key: &[u8], iv: &[u8], buffer: &mut [u8]) -> Option<usize> {
        fn run<C: BlockDecryptMut + cbc::cipher::BlockCipher>(
            cipher: C,
            iv: &[u8],
            buffer: &mut [u8],
        ) -> Option<usize> {
            cbc::Decryptor::inner_iv_slice_init(cipher, iv)
                .ok()?
                .decrypt_padded_mut::<Pkcs7>(buffer)
                .ok()
                .map(<[u8]>::len)
        }
        match self {
            Pbe::TripleDes => run(des::TdesEde3::new_from_slice(key).ok()?, iv, buffer),
            Pbe::TwoKeyDes => run(des::TdesEde2::new_from_slice(key).ok()?, iv, buffer),
            Pbe::Rc2(len) => run(rc2::Rc2::new_with_eff_key_len(key, len * 8), iv, buffer),
        }
    }
}

/// HMAC with the PKCS#12 MAC key derived from `password`, checked in
/// constant time.
fn verify<D>(password: &[u8], salt: &[u8], rounds: i32, data: &[u8], expected: &[u8]) -> bool
where
    D: Digest + FixedOutputReset + BlockSizeUser,
{
    let key = Zeroizing::new(derive_key::<D>(
        password,
        salt,
        Pkcs12KeyType::Mac,
        rounds,
        <D as Digest>::output_size(),
    ));
    let Ok(mut mac) = <SimpleHmac<D> as KeyInit>::new_from_slice(&key) else {
        return false;
    };
    mac.update(data);
    mac.verify_slice(expected).is_ok()
}

/// The first value of a bag's attribute.
fn attribute(bag: &SafeBag, id: Oid) -> Option<&der::Any> {
    bag.bag_attributes
        .as_ref()?
        .iter()
        .find(|a| a.oid == id)?
        .values
        .iter()
        .next()
}

/// The DER inside a bag's `[0] EXPLICIT` wrapper.
fn bag_value(bag: &SafeBag) -> der::Result<&[u8]> {
    let wrapper = AnyRef::from_der(&bag.bag_value)?;
    let expected = Tag::ContextSpecific {
        constructed: true,
        number: TagNumber::N0,
    };
    if wrapper.tag() != expected {
        return Err(wrapper.tag().unexpected_error(Some(expected)));
    }
    Ok(wrapper.value())
}

/// Whether a certificate holds the public half of `key`, as far as the key
/// tells it: an RSA key's modulus and exponent, an EC key's public point, a
/// PKCS#8 v2 key's public key.
/// Whether the certificate is for the key: `Some(true)` or `Some(false)`
/// when the key tells its public key (RSA, EC, or PKCS#8 v2), `None` when it
/// does not (an Ed25519 PKCS#8 v1 key, whose public key takes a curve
/// operation to derive).
fn public_keys_match(certificate: &Certificate, key: &PrivateKey) -> Option<bool> {
    let public = public_key_bits(certificate.public_key_info()?)?;
    key.matches_public_key(public)
}

fn content_name(id: Oid) -> &'static str {
    match id {
        i if i == oid::ENVELOPED_DATA => "enveloped data",
        i if i == oid::SIGNED_DATA => "signed data",
        i if i == oid::ENCRYPTED_DATA => "encrypted data",
        _ => "an unknown content type",
    }
}

fn bag_name(id: Oid) -> &'static str {
    match id {
        i if i == pkcs12::PKCS_12_CERT_BAG_OID => "certificate bag",
        i if i == pkcs12::PKCS_12_KEY_BAG_OID => "key bag",
        i if i == pkcs12::PKCS_12_PKCS8_KEY_BAG_OID => "encrypted key bag",
        i if i == pkcs12::PKCS_12_SAFE_CONTENTS_BAG_OID => "nested safe contents",
        _ => "bag",
    }
}

fn digest_name(id: Oid) -> String {
    match id {
        i if i == oid::SHA1 => "SHA-1".to_owned(),
        i if i == oid::SHA256 => "SHA-256".to_owned(),
        i if i == oid::MD5 => "MD5".to_owned(),
        other => name(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_for_the_whole_file() {
        let mut reader = Reader::new("test.p12", b"x");
        reader.charge("its MAC", 2_000_000, 1).unwrap();
        reader.charge("its certificates", 4_000_000, 1).unwrap();
        // Within the cap alone, above it with what came before.
        let err = reader.charge("its private key", 2_000_000, 3).unwrap_err();
        assert_eq!(
            crate::error::causes(&err),
            "invalid PKCS#12 file in test.p12: the iteration count of its private key \
             (2000000) brings the file's key derivation above the 10000000 runs accepted"
        );
        reader.charge("its private key", 4_000_000, 1).unwrap();
        assert_eq!(reader.budget, 0);
    }

    #[test]
    fn passphrases_convert_as_openssl_converts_them() {
        assert_eq!(*Reader::new("", b"ab").bmp, [0, b'a', 0, b'b', 0, 0]);
        // UTF-8 to UTF-16BE, a surrogate pair beyond the BMP.
        assert_eq!(
            *Reader::new("", "é😀".as_bytes()).bmp,
            [0x00, 0xe9, 0xd8, 0x3d, 0xde, 0x00, 0, 0]
        );
        // Not UTF-8: one code unit a byte.
        assert_eq!(*Reader::new("", b"\xff").bmp, [0, 0xff, 0, 0]);
        assert_eq!(*Reader::new("", b"").bmp, [0, 0]);
    }
}
