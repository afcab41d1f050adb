//! Settings files, property-tested: generated configurations round-trip
//! through TOML (settings → TOML → settings, for each side, and inside the
//! side's table), a file that names a Mozilla profile reads as the same
//! settings in code, and any text is an answer or an error located inside
//! it, never a panic.

use std::time::Duration;

use proptest::prelude::*;
use sslconf::{
    Cipher, Error, Identity, KeyExchangeGroup, MozillaProfile, PeerVerifyMode, PublicKeyPin,
    RevocationDepth, SettingsFile, Side, SslConfiguration, SslOption, SslProtocol, TicketKeys,
};

use crate::settings_fixture::{chain, fixture, identity, Unlock};

/// The DNS names of an identity's certificate.
fn own_names(identity: &Identity) -> Vec<String> {
    let names: Vec<String> = identity.certificate_chain()[0]
        .subject_alternative_names()
        .into_iter()
        .filter_map(|name| match name {
            sslconf::AlternativeName::Dns(name) => Some(name),
            _ => None,
        })
        .collect();
    assert!(!names.is_empty(), "{:?}", identity.certificate_chain()[0]);
    names
}

fn unlock() -> impl Strategy<Value = Unlock> {
    prop_oneof![
        4 => (prop::sample::select(vec!["server", "api", "rsa"]), any::<bool>())
            .prop_map(|(name, ocsp)| Unlock::Plain(name, ocsp)),
        1 => Just(Unlock::PassphraseFile),
        1 => Just(Unlock::PassphraseEnv),
        1 => Just(Unlock::Pkcs12File),
        1 => Just(Unlock::Pkcs12Env),
        1 => Just(Unlock::Pkcs12Plain),
    ]
}

const PROTOCOLS: &[SslProtocol] = &[
    SslProtocol::TlsV1_0,
    SslProtocol::TlsV1_1,
    SslProtocol::TlsV1_2,
    SslProtocol::TlsV1_3,
    SslProtocol::TlsV1_0OrLater,
    SslProtocol::TlsV1_1OrLater,
    SslProtocol::TlsV1_2OrLater,
    SslProtocol::TlsV1_3OrLater,
    SslProtocol::AnyProtocol,
    SslProtocol::SecureProtocols,
];

const MODES: &[PeerVerifyMode] = &[
    PeerVerifyMode::VerifyNone,
    PeerVerifyMode::QueryPeer,
    PeerVerifyMode::VerifyPeer,
    PeerVerifyMode::AutoVerifyPeer,
];

/// A subsequence of `all`, shuffled: an order of preference.
fn ordered<T: Clone + std::fmt::Debug + 'static>(all: Vec<T>) -> impl Strategy<Value = Vec<T>> {
    let len = all.len();
    prop::sample::subsequence(all, 0..=len).prop_shuffle()
}

#[derive(Clone, Debug)]
enum Ca {
    System,
    None,
    Files(Vec<&'static str>),
}

#[derive(Clone, Debug)]
enum KeyLog {
    Off,
    File,
    Env,
}

/// Every setting a file holds, generated.
#[derive(Clone, Debug)]
struct Generated {
    /// Applied first, as a file applies it.
    profile: Option<MozillaProfile>,
    trust: Trust,
    protocol: Option<SslProtocol>,
    ciphers: Option<Vec<Cipher>>,
    groups: Option<Vec<KeyExchangeGroup>>,
    ca: Ca,
    mode: Option<PeerVerifyMode>,
    depth: u32,
    alpn: Option<Vec<String>>,
    options: Vec<(SslOption, bool)>,
    key_log: KeyLog,
    local: Option<Unlock>,
    added: Vec<Unlock>,
    /// Server-name identities: names given, or (`None`) the DNS names of
    /// the identity's certificate, which it serves.
    named: Vec<(Option<Vec<String>>, Unlock)>,
    refused: bool,
    tickets: Option<Vec<&'static str>>,
    lifetime: Option<u64>,
    /// The handshake timeout, in milliseconds.
    handshake: Option<u64>,
}

/// Revocation lists, pins and OCSP stapling, generated.
#[derive(Clone, Debug)]
struct Trust {
    crl_files: Option<Vec<&'static str>>,
    depth: Option<RevocationDepth>,
    unknown_allowed: Option<bool>,
    expired_allowed: Option<bool>,
    pins: Option<Vec<PublicKeyPin>>,
    pins_only: Option<bool>,
    ocsp_stapling: Option<bool>,
}

fn trust() -> impl Strategy<Value = Trust> {
    (
        prop::option::of(ordered(vec!["ca.crl", "other-ca.crl"])),
        prop::option::of(prop::sample::select(vec![
            RevocationDepth::Leaf,
            RevocationDepth::Chain,
        ])),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
        prop::option::of(prop::collection::vec(
            any::<[u8; 32]>().prop_map(PublicKeyPin::from_sha256),
            0..3,
        )),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
    )
        .prop_map(
            |(
                crl_files,
                depth,
                unknown_allowed,
                expired_allowed,
                pins,
                pins_only,
                ocsp_stapling,
            )| {
                Trust {
                    crl_files,
                    depth,
                    unknown_allowed,
                    expired_allowed,
                    pins,
                    pins_only,
                    ocsp_stapling,
                }
            },
        )
}

fn generated() -> impl Strategy<Value = Generated> {
    let names = prop::collection::vec("(\\*\\.)?[a-z]{1,8}\\.example", 1..3);
    (
        (
            prop::option::of(prop::sample::select(PROTOCOLS)),
            prop::option::of(ordered(SslConfiguration::supported_ciphers())),
            prop::option::of(ordered(SslConfiguration::supported_key_exchange_groups())),
            prop_oneof![
                Just(Ca::System),
                Just(Ca::None),
                ordered(vec!["ca.pem", "other-ca.pem"]).prop_map(Ca::Files),
            ],
            prop::option::of(prop::sample::select(MODES)),
            prop_oneof![Just(0u32), 0u32..10],
            prop::option::of(prop::collection::vec("[a-z0-9/.-]{1,12}", 0..4)),
        ),
        (
            // Options the setter takes (one rustls always applies turned
            // off is refused at the call: tests/settings_file.rs).
            prop::collection::vec(
                (prop::sample::select(SslOption::ALL), any::<bool>())
                    .prop_filter("refused by the setter", |(option, on)| {
                        *on || !option.always_on_in_rustls()
                    }),
                0..3,
            ),
            prop_oneof![Just(KeyLog::Off), Just(KeyLog::File), Just(KeyLog::Env)],
            prop::option::of(unlock()),
            prop::collection::vec(unlock(), 0..2),
            prop::collection::vec((prop::option::weighted(0.25, names), unlock()), 0..3),
            prop::bool::weighted(0.25),
            prop::option::of(
                ordered(vec!["new.ticket", "old.ticket"])
                    .prop_filter("at least one key file", |files| !files.is_empty()),
            ),
            // Seldom: without ticket keys, a lifetime is refused.
            prop::option::weighted(0.3, 1u64..=604_800),
            prop::option::of(0u64..=600_000),
        ),
        prop::option::of(prop::sample::select(vec![
            MozillaProfile::Modern,
            MozillaProfile::Intermediate,
        ])),
        trust(),
    )
        .prop_map(
            |(
                (protocol, ciphers, groups, ca, mode, depth, alpn),
                (options, key_log, local, added, named, refused, tickets, lifetime, handshake),
                profile,
                trust,
            )| Generated {
                profile,
                trust,
                protocol,
                ciphers,
                groups,
                ca,
                mode,
                depth,
                alpn,
                options,
                key_log,
                local,
                added,
                named,
                refused,
                tickets,
                lifetime,
                handshake,
            },
        )
}

impl Generated {
    /// The configuration, made with the setters as code would.
    fn configuration(&self) -> SslConfiguration {
        let f = fixture();
        let mut config = SslConfiguration::new().with_peer_verify_depth(self.depth);
        if let Some(profile) = self.profile {
            config = config.with_mozilla_profile(profile);
        }
        if let Some(protocol) = self.protocol {
            config = config.with_protocol(protocol);
        }
        if let Some(ciphers) = &self.ciphers {
            config = config.with_ciphers(ciphers.iter().copied());
        }
        if let Some(groups) = &self.groups {
            config = config.with_key_exchange_groups(groups.iter().copied());
        }
        config = match &self.ca {
            Ca::System => config,
            Ca::None => config.with_ca_certificates([]),
            Ca::Files(files) => config
                .with_ca_certificate_files(files.iter().map(|name| f.path(name)))
                .unwrap(),
        };
        if let Some(mode) = self.mode {
            config = config.with_peer_verify_mode(mode);
        }
        if let Some(alpn) = &self.alpn {
            config = config.with_allowed_next_protocols(alpn.iter().map(String::as_bytes));
        }
        for &(option, on) in &self.options {
            config = config.with_ssl_option(option, on).unwrap();
        }
        config = match self.key_log {
            KeyLog::Off => config,
            KeyLog::File => config.with_key_log_file(f.path("keys.log")),
            KeyLog::Env => config.with_key_log_from_env(),
        };
        if let Some(unlock) = self.local {
            config = config.with_local_identity(identity(unlock));
        }
        for &unlock in &self.added {
            config = config.with_added_local_identity(identity(unlock));
        }
        for (names, unlock) in &self.named {
            let identity = identity(*unlock);
            let names = names.clone().unwrap_or_else(|| own_names(&identity));
            config = config.with_server_name_identity(names, identity);
        }
        if self.refused {
            config = config.with_unknown_server_names_refused(true);
        }
        if let Some(files) = &self.tickets {
            let keys = TicketKeys::from_paths(files.iter().map(|name| f.path(name))).unwrap();
            config = config.with_session_ticket_keys(keys);
        }
        if let Some(seconds) = self.lifetime {
            config = config.with_session_ticket_lifetime(Duration::from_secs(seconds));
        }
        if let Some(ms) = self.handshake {
            config = config.with_handshake_timeout(Duration::from_millis(ms));
        }
        self.trust.apply(config)
    }

    /// Whether the options end with DisableServerCipherPreference off: a
    /// file written without a profile leaves the default out, and the
    /// profile then turns it on.
    fn clears_client_cipher_order(&self) -> bool {
        self.options
            .iter()
            .rev()
            .find(|(option, _)| *option == SslOption::DisableServerCipherPreference)
            .is_some_and(|(_, on)| !on)
    }
}

impl Trust {
    fn apply(&self, mut config: SslConfiguration) -> SslConfiguration {
        let f = fixture();
        if let Some(files) = &self.crl_files {
            config = config
                .with_revocation_list_files(files.iter().map(|name| f.path(name)))
                .unwrap();
        }
        if let Some(depth) = self.depth {
            config = config.with_revocation_depth(depth);
        }
        if let Some(allowed) = self.unknown_allowed {
            config = config.with_unknown_revocation_status_allowed(allowed);
        }
        if let Some(allowed) = self.expired_allowed {
            config = config.with_expired_revocation_lists_allowed(allowed);
        }
        if let Some(pins) = &self.pins {
            config = config.with_public_key_pins(pins.iter().copied());
        }
        if let Some(only) = self.pins_only {
            config = config.with_public_key_pins_only(only);
        }
        if let Some(enabled) = self.ocsp_stapling {
            config = config.with_ocsp_stapling_enabled(enabled);
        }
        config
    }
}

/// Converting `config` for `side`, as a loaded file is converted.
fn conversion(config: &SslConfiguration, side: Side) -> Result<(), Error> {
    if side == Side::Server {
        config.server_config().map(drop)
    } else {
        config.client_config().map(drop)
    }
}

/// Whether `file` sets a field only the other side than `side` uses (which
/// its side table refuses).
fn uses_only_the_other_side(file: &SettingsFile, side: Side) -> bool {
    if side == Side::Server {
        file.ocsp_stapling.is_some()
    } else {
        !file.added_local_identities.is_empty()
            || !file.server_name_identities.is_empty()
            || file.unknown_server_names_refused.is_some()
            || file.session_ticket_key_files.is_some()
            || file.session_ticket_lifetime_seconds.is_some()
    }
}

/// The file with everything moved into the table of `side`.
fn inside_table(file: &SettingsFile, side: Side) -> SettingsFile {
    let mut sided = SettingsFile::default();
    let table = Some(Box::new(file.clone()));
    if side == Side::Server {
        sided.server = table;
    } else {
        sided.client = table;
    }
    sided
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// settings → TOML → settings, for each side: equal when the settings
    /// convert for that side, else refused at load with the reason the
    /// conversion gives, at a field (with its line, from TOML); TOML →
    /// settings → TOML: the same text. And the same file inside the side's
    /// table: the same answer.
    #[test]
    fn configurations_round_trip_through_toml(generated in generated()) {
        let config = generated.configuration();
        let text = config.to_settings_file().unwrap().to_toml().unwrap();
        prop_assert!(!text.contains("mozilla-profile"), "{}", text);
        // The SettingsFile value is what the text holds.
        let file: SettingsFile = toml::from_str(&text).unwrap();
        prop_assert_eq!(&file, &config.to_settings_file().unwrap());
        for side in [Side::Server, Side::Client] {
            let read = SslConfiguration::from_toml_str(&text, "/nonexistent-base", side);
            let value = SslConfiguration::from_settings_file(&file, "/nonexistent-base", side);
            match (conversion(&config, side), read, value) {
                (Ok(()), Ok(read), Ok(value)) => {
                    prop_assert_eq!(&read, &config, "{}", text);
                    prop_assert_eq!(&value, &config);
                    prop_assert_eq!(read.to_settings_file().unwrap().to_toml().unwrap(), text.clone());
                }
                (Err(refused), Err(read), Err(value)) => {
                    for (error, located) in [(read, true), (value, false)] {
                        let Error::SettingsFile { line, field, .. } = &error else {
                            panic!("{side}: {error:?}")
                        };
                        prop_assert!(!field.is_empty(), "{:?}", error);
                        prop_assert_eq!(*line >= 1, located, "{:?}", error);
                        let reason = chain(std::error::Error::source(&error).unwrap());
                        prop_assert!(
                            chain(&refused).ends_with(&reason),
                            "{}: conversion: {}\nload: {}\n{}", side, chain(&refused), chain(&error), text
                        );
                    }
                }
                (code, read, value) => prop_assert!(
                    false,
                    "{}: conversion {:?}, file {:?}, value {:?}\n{}", side, code, read, value, text
                ),
            }
            // Everything in the side's table: read the same for that side.
            let sided = inside_table(&file, side);
            let read = SslConfiguration::from_settings_file(&sided, "/nonexistent-base", side);
            if uses_only_the_other_side(&file, side) {
                let error = read.unwrap_err();
                prop_assert!(chain(&error).contains(": only a "), "{}", chain(&error));
            } else {
                match (conversion(&config, side), read) {
                    (Ok(()), Ok(read)) => prop_assert_eq!(&read, &config),
                    (Err(_), Err(error)) => {
                        let Error::SettingsFile { field, .. } = &error else { panic!("{error:?}") };
                        prop_assert!(field.starts_with(side.name()), "{}", field);
                    }
                    (code, read) => prop_assert!(false, "{}: {:?} {:?}", side, code, read),
                }
            }
        }

        // A file naming the profile, beside what the same settings without
        // it write: the profile first, the fields over it, as in code.
        if let Some(profile) = generated.profile {
            if !generated.clears_client_cipher_order() {
                let without = Generated { profile: None, ..generated.clone() };
                let mut file = without.configuration().to_settings_file().unwrap();
                file.mozilla_profile = Some(profile);
                let text = file.to_toml().unwrap();
                prop_assert!(text.starts_with(&format!("mozilla-profile = \"{profile}\"\n")), "{}", text);
                for side in [Side::Server, Side::Client] {
                    if conversion(&config, side).is_ok() {
                        prop_assert_eq!(
                            &SslConfiguration::from_toml_str(&text, "/nonexistent-base", side).unwrap(),
                            &config
                        );
                    }
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any text, or a good file with a few characters replaced: an answer,
    /// never a panic, and an error points inside the text.
    #[test]
    fn any_text_is_an_answer_or_a_located_error(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<char>()), 0..4),
        noise in "\\PC{0,40}",
    ) {
        let good = "protocol = \"tls1.3\"\nciphers = [\"TLS_AES_128_GCM_SHA256\"]\n\
                    [local-identity]\ncertificate-file = \"server.pem\"\nkey-file = \"server.key\"\n\
                    [ssl-options]\nDisableSessionTickets = true\n";
        let mut chars: Vec<char> = good.chars().collect();
        for (at, c) in edits {
            let at = at.index(chars.len());
            chars[at] = c;
        }
        for text in [chars.into_iter().collect::<String>(), noise] {
            if let Err(error) = SslConfiguration::from_toml_str(&text, &fixture().dir, Side::Server) {
                let Error::SettingsFile { line, column, .. } = error else {
                    panic!("{error:?}")
                };
                prop_assert!(line >= 1 && line <= text.lines().count().max(1) + 1, "{line}");
                prop_assert!(column >= 1, "{column}");
            }
        }
    }
}
