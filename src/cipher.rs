//! Cipher suites and key-exchange groups, with their IANA and OpenSSL names.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use rustls::{CipherSuite, NamedGroup};

use crate::provider::{all_kx_groups, provider};
use crate::{Error, SslProtocol};

/// A TLS cipher suite that this crate's crypto provider implements, as Qt's `QSslCipher`.
///
/// rustls implements three TLS 1.3 suites and six ECDHE TLS 1.2 suites, all AEAD.
/// A `Cipher` can only name one of those, so a configuration never holds a
/// suite that cannot be negotiated.
///
/// ```
/// use sslconf::{Cipher, SslProtocol};
///
/// let c = Cipher::from_name("ECDHE-RSA-AES128-GCM-SHA256").unwrap();
/// assert_eq!(c.name(), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
/// assert_eq!(c.protocol(), SslProtocol::TlsV1_2);
/// assert_eq!(c.used_bits(), 128);
/// assert!(Cipher::from_name("RC4-SHA").is_none());
/// ```
#[derive(Clone, Copy)]
pub struct Cipher {
    info: &'static CipherInfo,
}

struct CipherInfo {
    suite: CipherSuite,
    iana: &'static str,
    openssl: &'static str,
    version: SslProtocol,
    key_exchange: &'static str,
    authentication: &'static str,
    encryption: &'static str,
    bits: u32,
}

macro_rules! suite {
    ($suite:ident, $openssl:literal, $version:ident, $kx:literal, $au:literal, $enc:literal, $bits:literal) => {
        CipherInfo {
            suite: CipherSuite::$suite,
            iana: stringify!($suite),
            openssl: $openssl,
            version: SslProtocol::$version,
            key_exchange: $kx,
            authentication: $au,
            encryption: $enc,
            bits: $bits,
        }
    };
}

/// Every suite rustls implements. The method strings are OpenSSL's
/// `SSL_CIPHER_description` fields, which Qt reports too.
static CIPHERS: [CipherInfo; 9] = [
    suite!(
        TLS13_AES_256_GCM_SHA384,
        "TLS_AES_256_GCM_SHA384",
        TlsV1_3,
        "any",
        "any",
        "AESGCM",
        256
    ),
    suite!(
        TLS13_AES_128_GCM_SHA256,
        "TLS_AES_128_GCM_SHA256",
        TlsV1_3,
        "any",
        "any",
        "AESGCM",
        128
    ),
    suite!(
        TLS13_CHACHA20_POLY1305_SHA256,
        "TLS_CHACHA20_POLY1305_SHA256",
        TlsV1_3,
        "any",
        "any",
        "CHACHA20/POLY1305",
        256
    ),
    suite!(
        TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        TlsV1_2,
        "ECDH",
        "ECDSA",
        "AESGCM",
        256
    ),
    suite!(
        TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        TlsV1_2,
        "ECDH",
        "ECDSA",
        "AESGCM",
        128
    ),
    suite!(
        TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        TlsV1_2,
        "ECDH",
        "ECDSA",
        "CHACHA20/POLY1305",
        256
    ),
    suite!(
        TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        "ECDHE-RSA-AES256-GCM-SHA384",
        TlsV1_2,
        "ECDH",
        "RSA",
        "AESGCM",
        256
    ),
    suite!(
        TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "ECDHE-RSA-AES128-GCM-SHA256",
        TlsV1_2,
        "ECDH",
        "RSA",
        "AESGCM",
        128
    ),
    suite!(
        TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        "ECDHE-RSA-CHACHA20-POLY1305",
        TlsV1_2,
        "ECDH",
        "RSA",
        "CHACHA20/POLY1305",
        256
    ),
];

impl Cipher {
    /// Looks a suite up by its IANA name (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`,
    /// `TLS_AES_128_GCM_SHA256`) or its OpenSSL name (`ECDHE-RSA-AES128-GCM-SHA256`),
    /// ignoring ASCII case. `None` when the crypto provider does not implement it.
    /// [`str::parse`] does the same, with an [`Error::UnknownCipher`].
    pub fn from_name(name: &str) -> Option<Cipher> {
        let name = name.trim();
        let info = CIPHERS.iter().find(|c| {
            c.openssl.eq_ignore_ascii_case(name)
                || c.iana.eq_ignore_ascii_case(name)
                // rustls spells the TLS 1.3 suites TLS13_*; accept that too.
                || c.iana.replacen("TLS13_", "TLS_", 1).eq_ignore_ascii_case(name)
        })?;
        Self::from_suite(info.suite)
    }

    /// The cipher for a rustls suite, if the crypto provider implements it.
    pub fn from_suite(suite: CipherSuite) -> Option<Cipher> {
        if !provider().cipher_suites.iter().any(|s| s.suite() == suite) {
            return None;
        }
        CIPHERS
            .iter()
            .find(|c| c.suite == suite)
            .map(|info| Cipher { info })
    }

    /// Every suite the crypto provider implements, in its preference order.
    pub(crate) fn all_supported() -> Vec<Cipher> {
        provider()
            .cipher_suites
            .iter()
            .filter_map(|s| Self::from_suite(s.suite()))
            .collect()
    }

    /// The IANA name, e.g. `TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384` or `TLS_AES_128_GCM_SHA256`.
    pub fn name(&self) -> &'static str {
        self.iana_name()
    }

    fn iana_name(&self) -> &'static str {
        // TLS 1.3 suites: the IANA name has no "13" (rustls's enum does).
        match self.info.version {
            SslProtocol::TlsV1_3 => self.info.openssl,
            _ => self.info.iana,
        }
    }

    /// The OpenSSL name, e.g. `ECDHE-ECDSA-AES256-GCM-SHA384`. TLS 1.3 suites
    /// have the same name in both spellings.
    pub fn openssl_name(&self) -> &'static str {
        self.info.openssl
    }

    /// The protocol version this suite belongs to: `TlsV1_2` or `TlsV1_3`.
    pub fn protocol(&self) -> SslProtocol {
        self.info.version
    }

    /// The key-exchange method, as OpenSSL describes it: `"ECDH"` for the TLS 1.2
    /// suites, `"any"` for TLS 1.3, where the suite does not fix it.
    #[doc(alias = "keyExchangeMethod")]
    pub fn key_exchange_method(&self) -> &'static str {
        self.info.key_exchange
    }

    /// The authentication method: `"RSA"`, `"ECDSA"`, or `"any"` for TLS 1.3.
    #[doc(alias = "authenticationMethod")]
    pub fn authentication_method(&self) -> &'static str {
        self.info.authentication
    }

    /// The bulk encryption method: `"AESGCM"` or `"CHACHA20/POLY1305"`.
    #[doc(alias = "encryptionMethod")]
    pub fn encryption_method(&self) -> &'static str {
        self.info.encryption
    }

    /// The key length of the bulk cipher in bits.
    #[doc(alias = "usedBits")]
    pub fn used_bits(&self) -> u32 {
        self.info.bits
    }

    /// The key length the bulk cipher supports in bits; the same as
    /// [`used_bits`](Self::used_bits) for every suite rustls has.
    #[doc(alias = "supportedBits")]
    pub fn supported_bits(&self) -> u32 {
        self.info.bits
    }

    /// The rustls identifier of this suite.
    pub fn suite(&self) -> CipherSuite {
        self.info.suite
    }
}

impl PartialEq for Cipher {
    fn eq(&self, other: &Self) -> bool {
        self.info.suite == other.info.suite
    }
}

impl Eq for Cipher {}

impl Hash for Cipher {
    fn hash<H: Hasher>(&self, state: &mut H) {
        u16::from(self.info.suite).hash(state);
    }
}

impl fmt::Debug for Cipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cipher({})", self.name())
    }
}

impl fmt::Display for Cipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// [`Cipher::from_name`], with an error for a name it does not know.
///
/// ```
/// use sslconf::{Cipher, Error};
///
/// let c: Cipher = "ECDHE-RSA-AES128-GCM-SHA256".parse()?;
/// assert_eq!(c.name(), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
/// assert!(matches!("RC4-SHA".parse::<Cipher>(), Err(Error::UnknownCipher { .. })));
/// # Ok::<(), sslconf::Error>(())
/// ```
impl FromStr for Cipher {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Error> {
        Self::from_name(name).ok_or_else(|| Error::UnknownCipher {
            name: name.to_owned(),
        })
    }
}

/// A key-exchange group (Qt's `QSslEllipticCurve`, widened to the post-quantum
/// hybrids TLS 1.3 uses).
///
/// ```
/// use sslconf::KeyExchangeGroup;
///
/// let g = KeyExchangeGroup::from_name("P-256").unwrap();
/// assert_eq!(g.name(), "secp256r1");
/// assert_eq!(KeyExchangeGroup::from_name("prime256v1"), Some(g));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct KeyExchangeGroup(NamedGroup);

impl Hash for KeyExchangeGroup {
    fn hash<H: Hasher>(&self, state: &mut H) {
        u16::from(self.0).hash(state);
    }
}

/// Names of groups: the canonical (IANA) name first, then aliases.
static GROUP_NAMES: &[(NamedGroup, &[&str])] = &[
    (NamedGroup::X25519, &["X25519"]),
    (NamedGroup::secp256r1, &["secp256r1", "P-256", "prime256v1"]),
    (NamedGroup::secp384r1, &["secp384r1", "P-384"]),
    (NamedGroup::secp521r1, &["secp521r1", "P-521"]),
    (NamedGroup::X448, &["X448"]),
    (NamedGroup::X25519MLKEM768, &["X25519MLKEM768"]),
    (
        NamedGroup::secp256r1MLKEM768,
        &["SecP256r1MLKEM768", "secp256r1MLKEM768"],
    ),
    (NamedGroup::MLKEM512, &["MLKEM512"]),
    (NamedGroup::MLKEM768, &["MLKEM768"]),
    (NamedGroup::MLKEM1024, &["MLKEM1024"]),
    (NamedGroup::FFDHE2048, &["ffdhe2048"]),
    (NamedGroup::FFDHE3072, &["ffdhe3072"]),
    (NamedGroup::FFDHE4096, &["ffdhe4096"]),
    (NamedGroup::FFDHE6144, &["ffdhe6144"]),
    (NamedGroup::FFDHE8192, &["ffdhe8192"]),
];

impl KeyExchangeGroup {
    /// Looks a group up by name, ignoring ASCII case: `"X25519"`, `"secp256r1"`
    /// (also `"P-256"`, `"prime256v1"`), `"secp384r1"`, `"X25519MLKEM768"`, ...
    ///
    /// A known group that the crypto provider does not implement is still
    /// returned; configuring it is an error at conversion.
    /// [`str::parse`] does the same, with an error that says what is expected.
    pub fn from_name(name: &str) -> Option<KeyExchangeGroup> {
        let name = name.trim();
        GROUP_NAMES
            .iter()
            .find(|(_, names)| names.iter().any(|n| n.eq_ignore_ascii_case(name)))
            .map(|(group, _)| KeyExchangeGroup(*group))
    }

    /// The group for a rustls identifier.
    pub fn from_named_group(group: NamedGroup) -> KeyExchangeGroup {
        KeyExchangeGroup(group)
    }

    /// Every group the crypto provider implements, in its preference order,
    /// including those it does not offer unless asked (pure ML-KEM).
    pub(crate) fn all_supported() -> Vec<KeyExchangeGroup> {
        all_kx_groups()
            .iter()
            .map(|g| KeyExchangeGroup(g.name()))
            .collect()
    }

    /// The groups offered when none are configured: the provider's defaults.
    pub(crate) fn defaults() -> Vec<KeyExchangeGroup> {
        provider()
            .kx_groups
            .iter()
            .map(|g| KeyExchangeGroup(g.name()))
            .collect()
    }

    /// Whether the crypto provider implements this group.
    pub fn is_supported(&self) -> bool {
        all_kx_groups().iter().any(|g| g.name() == self.0)
    }

    /// The IANA name: `"X25519"`, `"secp256r1"`, `"X25519MLKEM768"`, ...
    /// A code point without a name is `"unknown"`; its
    /// [`Display`](fmt::Display) adds the number: `unknown (0x1234)`.
    pub fn name(&self) -> &'static str {
        GROUP_NAMES
            .iter()
            .find(|(g, _)| *g == self.0)
            .and_then(|(_, names)| names.first())
            .copied()
            .unwrap_or("unknown")
    }

    /// Whether this group has a name this crate knows.
    fn is_named(&self) -> bool {
        GROUP_NAMES.iter().any(|(g, _)| *g == self.0)
    }

    /// The rustls identifier of this group.
    pub fn named_group(&self) -> NamedGroup {
        self.0
    }
}

impl fmt::Debug for KeyExchangeGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyExchangeGroup({self})")
    }
}

/// The [`name`](KeyExchangeGroup::name); for a code point without one,
/// `unknown (0x1234)`.
impl fmt::Display for KeyExchangeGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_named() {
            f.write_str(self.name())
        } else {
            write!(f, "{} (0x{:04x})", self.name(), u16::from(self.0))
        }
    }
}

/// [`KeyExchangeGroup::from_name`], with an error for a name it does not know.
///
/// ```
/// use sslconf::KeyExchangeGroup;
///
/// let g: KeyExchangeGroup = "P-256".parse()?;
/// assert_eq!(g.name(), "secp256r1");
/// let err = "brainpool".parse::<KeyExchangeGroup>().unwrap_err();
/// assert!(err.to_string().starts_with(r#"unknown key exchange group "brainpool": expected "#));
/// # Ok::<(), sslconf::Error>(())
/// ```
impl FromStr for KeyExchangeGroup {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Error> {
        Self::from_name(name).ok_or_else(|| Error::UnknownName {
            what: "key exchange group",
            name: name.to_owned(),
            expected: GROUP_EXPECTED,
        })
    }
}

/// What [`KeyExchangeGroup::from_str`] accepts, for its error message.
const GROUP_EXPECTED: &str = "an IANA group name such as X25519, secp256r1 (P-256), \
     secp384r1 (P-384), secp521r1 (P-521) or X25519MLKEM768";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_suite_has_a_cipher() {
        let all = Cipher::all_supported();
        assert_eq!(all.len(), provider().cipher_suites.len());
        assert_eq!(all.len(), 9);
    }

    #[test]
    fn names_round_trip() {
        for c in Cipher::all_supported() {
            assert_eq!(Cipher::from_name(c.name()), Some(c));
            assert_eq!(Cipher::from_name(c.openssl_name()), Some(c));
            assert_eq!(Cipher::from_name(&c.name().to_lowercase()), Some(c));
            assert_eq!(c.to_string(), c.name());
        }
        let tls13 = Cipher::from_name("TLS_AES_256_GCM_SHA384").unwrap();
        assert_eq!(tls13.protocol(), SslProtocol::TlsV1_3);
        assert_eq!(tls13.suite(), CipherSuite::TLS13_AES_256_GCM_SHA384);
        assert_eq!(Cipher::from_name("TLS13_AES_256_GCM_SHA384"), Some(tls13));
    }

    #[test]
    fn unknown_ciphers_are_none() {
        for name in [
            "",
            "RC4-SHA",
            "AES128-SHA",
            "TLS_RSA_WITH_AES_128_CBC_SHA",
            "ECDHE",
        ] {
            assert_eq!(Cipher::from_name(name), None, "{name}");
        }
    }

    #[test]
    fn groups() {
        let supported = KeyExchangeGroup::all_supported();
        assert!(supported.contains(&KeyExchangeGroup::from_name("x25519").unwrap()));
        assert!(supported.iter().all(KeyExchangeGroup::is_supported));
        assert_eq!(
            KeyExchangeGroup::from_name("P-384").unwrap().name(),
            "secp384r1"
        );
        assert_eq!(KeyExchangeGroup::from_name("brainpool"), None);
        let unknown = KeyExchangeGroup::from_named_group(NamedGroup::Unknown(0x1234));
        assert_eq!(unknown.name(), "unknown");
        assert_eq!(unknown.to_string(), "unknown (0x1234)");
        assert_eq!(format!("{unknown:?}"), "KeyExchangeGroup(unknown (0x1234))");
        let x25519 = KeyExchangeGroup::from_named_group(NamedGroup::X25519);
        assert_eq!(x25519.to_string(), "X25519");
        assert_eq!(format!("{x25519:?}"), "KeyExchangeGroup(X25519)");
    }

    #[test]
    fn ciphers_from_str() {
        for c in Cipher::all_supported() {
            assert_eq!(c.name().parse::<Cipher>().unwrap(), c);
            assert_eq!(c.openssl_name().parse::<Cipher>().unwrap(), c);
            assert_eq!(c.to_string().parse::<Cipher>().unwrap(), c);
        }
        let err = "RC4-SHA".parse::<Cipher>().unwrap_err();
        assert!(
            matches!(&err, Error::UnknownCipher { name } if name == "RC4-SHA"),
            "{err:?}"
        );
        assert!(err
            .to_string()
            .starts_with("unknown cipher \"RC4-SHA\": expected "));
    }

    #[test]
    fn groups_from_str() {
        for (group, names) in GROUP_NAMES {
            let group = KeyExchangeGroup::from_named_group(*group);
            assert_eq!(
                group.to_string().parse::<KeyExchangeGroup>().unwrap(),
                group
            );
            for name in *names {
                assert_eq!(name.parse::<KeyExchangeGroup>().unwrap(), group, "{name}");
            }
        }
        let err = "foo".parse::<KeyExchangeGroup>().unwrap_err();
        assert!(
            matches!(&err, Error::UnknownName { what: "key exchange group", name, .. } if name == "foo"),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!("unknown key exchange group \"foo\": expected {GROUP_EXPECTED}")
        );
        // What an unnamed code point prints is no name.
        assert!("unknown (0x1234)".parse::<KeyExchangeGroup>().is_err());
        assert!("unknown".parse::<KeyExchangeGroup>().is_err());
    }
}
