//! Mozilla's server-side TLS profiles ("modern", "intermediate") as
//! settings of an [`SslConfiguration`].

use std::fmt;
use std::str::FromStr;

use rustls::{CipherSuite, NamedGroup};

use crate::{Cipher, Error, KeyExchangeGroup, SslConfiguration, SslOption, SslProtocol};

/// A profile of Mozilla's Server Side TLS guidelines, version
/// [`MozillaProfile::GUIDELINE_VERSION`] (5.7,
/// <https://ssl-config.mozilla.org/guidelines/5.7.json>, the version
/// sslyze 6.3's `--mozilla_config` checks against).
///
/// Applied with [`SslConfiguration::with_mozilla_profile`], or made with
/// `SslConfiguration::new().with_mozilla_profile(MozillaProfile::Modern)`.
/// Both set what rustls can express of the profile: the protocol versions,
/// the cipher suites in the guideline's order, the key-exchange groups, and
/// the client's cipher order (the guideline's `server_preferred_order:
/// false`). The rest of the guideline is not a TLS setting or needs nothing:
///
/// - **DHE suites and ffdhe groups** (intermediate lists three
///   `DHE-RSA-*` suites, with 2048-bit parameters): rustls implements no
///   finite-field Diffie-Hellman, so they are left out; the guideline allows
///   them, it does not require them, and sslyze's check only fails a server
///   for what it accepts beyond the profile.
/// - **Session tickets**: Mozilla's generated nginx and Apache configs turn
///   them off because those servers never rotate the ticket key, which
///   breaks forward secrecy. rustls's ticketer makes a new key every 6 hours
///   (shared keys, [`with_session_ticket_keys`](SslConfiguration::with_session_ticket_keys),
///   rotate as their files do), so the profiles keep tickets on; turn them
///   off with [`SslOption::DisableSessionTickets`] to match those configs.
/// - **Certificates**: the profile's certificate types, curves, signature
///   algorithms and lifetime (modern: ECDSA P-256 or P-384, at most 90 days;
///   intermediate: ECDSA or RSA of 2048 bits or more, at most 366 days) are
///   the certificate's own, chosen where it is issued.
/// - **OCSP stapling** (`ocsp_staple: true`): give the identity a response,
///   [`Identity::with_ocsp_response_file`](crate::Identity::with_ocsp_response_file).
/// - **HSTS**: an HTTP header, for the application.
/// - Compression, insecure renegotiation and TLS 1.1 and older do not
///   exist in rustls. (rustls negotiates the extended master secret with
///   every TLS 1.2 client that offers it, and does not require it outside
///   FIPS mode: the guideline does not ask for more.)
///
/// The hybrid post-quantum group X25519MLKEM768, which this crate offers
/// first by default, is not in guideline 5.7's list, so the profiles leave
/// it out; add it back with
/// [`with_key_exchange_groups`](SslConfiguration::with_key_exchange_groups)
/// (sslyze does not probe it).
///
/// `tests/presets.rs` runs `sslyze --mozilla_config=modern` and
/// `intermediate` against the example server with each profile; TESTING.md
/// records the scans.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MozillaProfile {
    /// For services whose clients all speak TLS 1.3 (Firefox 63, Android
    /// 10, Chrome 70, Safari 12.1, OpenSSL 1.1.1 and newer): TLS 1.3 only,
    /// its three AEAD suites, X25519, P-256 and P-384.
    Modern,
    /// For general-purpose servers (Firefox 27, Android 4.4.2, Chrome 31,
    /// IE 11 on Windows 7, Java 8u31, OpenSSL 1.0.1 and newer): TLS 1.2 and
    /// 1.3, ECDHE with AES-GCM or ChaCha20-Poly1305 on TLS 1.2, the same
    /// groups.
    Intermediate,
}

impl MozillaProfile {
    /// The version of Mozilla's Server Side TLS guidelines the profiles
    /// follow.
    pub const GUIDELINE_VERSION: &'static str = "5.7";

    /// The profile's name in the guideline: `"modern"`, `"intermediate"`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Modern => "modern",
            Self::Intermediate => "intermediate",
        }
    }

    fn protocol(self) -> SslProtocol {
        match self {
            Self::Modern => SslProtocol::TlsV1_3,
            Self::Intermediate => SslProtocol::TlsV1_2OrLater,
        }
    }

    /// The guideline's `ciphersuites` (TLS 1.3) then `ciphers` (TLS 1.2),
    /// each in its order, less the DHE suites rustls does not implement.
    fn suites(self) -> &'static [CipherSuite] {
        const TLS13: [CipherSuite; 3] = [
            CipherSuite::TLS13_AES_128_GCM_SHA256,
            CipherSuite::TLS13_AES_256_GCM_SHA384,
            CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
        ];
        const INTERMEDIATE: [CipherSuite; 9] = [
            TLS13[0],
            TLS13[1],
            TLS13[2],
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ];
        match self {
            Self::Modern => &TLS13,
            Self::Intermediate => &INTERMEDIATE,
        }
    }

    /// The guideline's `tls_curves`, in its order (the same for both).
    fn groups(self) -> [KeyExchangeGroup; 3] {
        [
            NamedGroup::X25519,
            NamedGroup::secp256r1,
            NamedGroup::secp384r1,
        ]
        .map(KeyExchangeGroup::from_named_group)
    }
}

impl fmt::Display for MozillaProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for MozillaProfile {
    type Err = Error;

    /// `"modern"` or `"intermediate"`, ignoring ASCII case.
    fn from_str(name: &str) -> Result<Self, Error> {
        [Self::Modern, Self::Intermediate]
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| Error::UnknownName {
                what: "mozilla profile",
                name: name.to_owned(),
                expected: "modern or intermediate",
            })
    }
}

impl SslConfiguration {
    /// Sets the protocol versions, cipher suites (in the guideline's order),
    /// key-exchange groups and cipher order of one of Mozilla's server-side
    /// profiles, replacing what was set for them; everything else stays.
    /// A later setter changes what it sets as usual.
    ///
    /// ```
    /// use sslconf::{MozillaProfile, SslConfiguration, SslProtocol};
    ///
    /// let config = SslConfiguration::new().with_mozilla_profile(MozillaProfile::Modern);
    /// assert_eq!(config.protocol(), SslProtocol::TlsV1_3);
    /// let names: Vec<&str> = config.ciphers().iter().map(|c| c.name()).collect();
    /// assert_eq!(
    ///     names,
    ///     ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]
    /// );
    /// ```
    ///
    /// Default: no profile (the crate's defaults: TLS 1.2 and 1.3, every
    /// suite and group of the provider, the server's cipher order).
    pub fn with_mozilla_profile(self, profile: MozillaProfile) -> Self {
        self.with_protocol(profile.protocol())
            .with_ciphers(
                profile
                    .suites()
                    .iter()
                    .filter_map(|s| Cipher::from_suite(*s)),
            )
            .with_key_exchange_groups(profile.groups())
            .with_ssl_option_on(SslOption::DisableServerCipherPreference)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profiles_set_the_guidelines_suites_groups_and_order() {
        for profile in [MozillaProfile::Modern, MozillaProfile::Intermediate] {
            let config = SslConfiguration::new().with_mozilla_profile(profile);
            let suites: Vec<CipherSuite> = config.ciphers().iter().map(Cipher::suite).collect();
            assert_eq!(suites, profile.suites(), "{profile}");
            let groups: Vec<&str> = config
                .key_exchange_groups()
                .iter()
                .map(KeyExchangeGroup::name)
                .collect();
            assert_eq!(groups, ["X25519", "secp256r1", "secp384r1"], "{profile}");
            // The guideline's server_preferred_order: false.
            assert!(config.test_ssl_option(SslOption::DisableServerCipherPreference));
            // Converts: every suite and group is the provider's.
            config.client_config().unwrap();
        }
        assert_eq!(
            "Intermediate".parse::<MozillaProfile>().unwrap(),
            MozillaProfile::Intermediate
        );
        let err = "old".parse::<MozillaProfile>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown mozilla profile \"old\": expected modern or intermediate"
        );
    }
}
