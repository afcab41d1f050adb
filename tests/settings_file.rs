//! Settings files (feature `serde`): the bad-file table of the docs with
//! each exact message, writing back, relative paths, reloads, and
//! configurations from files that `openssl s_client` completes a handshake
//! with. The round trips of generated configurations are property tests
//! (`tests/properties/settings_file.rs`).
#![cfg(feature = "serde")]

mod common;
#[path = "common/settings_fixture.rs"]
mod settings_fixture;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::openssl::Scratch;
use common::peers::{our_client, run_client, OurServer, PeerServer};
use common::{Authority, LeafSpec};
use settings_fixture::{
    chain, fixture, identity, Unlock, P12_PASSPHRASE, P12_PASSPHRASE_VARIABLE, PASSPHRASE,
    PASSPHRASE_VARIABLE,
};
use sslconf::{
    Error, Identity, MozillaProfile, Passphrase, PeerVerifyMode, RevocationDepth, RevocationList,
    SettingsFile, Side, SslConfiguration, SslErrorKind, SslOption, SslProtocol, TicketKeys,
};

// ----------------------------------------------------------------- bad files

/// The bad files of the docs' table: what each holds, the side it is
/// loaded for and the exact message (`Display`, then each `source()`,
/// joined by ": "), the settings file being `tls.toml` beside the files it
/// names.
const BAD_FILES: &[(&str, Side, &str)] = &[
    (
        r#"local-identity = { certificate-file = "server.pem", key-file = "server.key", passphrase-file = "server.pass" }"#,
        Side::Server,
        "tls.toml:1:78: setting local-identity.passphrase-file: unknown field `passphrase-file`, expected one of `certificate-file`, `key-file`, `pkcs12-file`, `key-passphrase-file`, `key-passphrase-env`, `ocsp-response-file`",
    ),
    (
        r#"peer-verify-depth = "2""#,
        Side::Server,
        r#"tls.toml:1:21: setting peer-verify-depth: invalid type: string "2", expected u32"#,
    ),
    (
        r#"local-identity = { certificate-file = "server.pem", key-file = "missing.key" }"#,
        Side::Server,
        "tls.toml:1:64: setting local-identity.key-file: cannot read missing.key: No such file or directory (os error 2)",
    ),
    (
        r#"local-identity = { certificate-file = "enc.pem", key-file = "enc.key", key-passphrase-file = "wrong.pass" }"#,
        Side::Server,
        "tls.toml:1:94: setting local-identity.key-passphrase-file: cannot decrypt the private key in enc.key: wrong passphrase",
    ),
    (
        r#"ciphers = ["TLS_AES_128_GCM_SHA256", "RC4-MD5"]"#,
        Side::Server,
        r#"tls.toml:1:38: setting ciphers[1]: unknown cipher "RC4-MD5": expected an IANA or OpenSSL name of a TLS 1.2/1.3 suite"#,
    ),
    (
        r#"peer-verify-mode = "sometimes""#,
        Side::Server,
        r#"tls.toml:1:20: setting peer-verify-mode: unknown peer verify mode "sometimes": expected none, query, verify or auto (or VerifyNone, QueryPeer, VerifyPeer, AutoVerifyPeer)"#,
    ),
    (
        r#"ssl-options = { DisableTickets = true }"#,
        Side::Server,
        r#"tls.toml:1:17: setting ssl-options.DisableTickets: unknown ssl option "DisableTickets": expected a Qt option name: DisableEmptyFragments, DisableSessionTickets, DisableCompression, DisableServerNameIndication, DisableLegacyRenegotiation, DisableSessionSharing, DisableSessionPersistence or DisableServerCipherPreference"#,
    ),
    (
        r#"protocol = "tls1.3"#,
        Side::Server,
        r#"tls.toml:1:19: invalid TOML: invalid basic string, expected `"`"#,
    ),
    (
        r#"mozilla-profile = "old""#,
        Side::Server,
        r#"tls.toml:1:19: setting mozilla-profile: unknown mozilla profile "old": expected modern or intermediate"#,
    ),
    (
        r#"revocation-depth = "intermediate""#,
        Side::Server,
        r#"tls.toml:1:20: setting revocation-depth: unknown revocation depth "intermediate": expected leaf or chain"#,
    ),
    (
        r#"public-key-pins = ["sha256//e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]"#,
        Side::Server,
        r#"tls.toml:1:20: setting public-key-pins[0]: invalid public key pin "sha256//e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855": not the 32 bytes of a SHA-256 digest"#,
    ),
    (
        r#"public-key-pins = ["pin-sha256=\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\""]"#,
        Side::Server,
        r#"tls.toml:1:20: setting public-key-pins[0]: invalid public key pin "pin-sha256=\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"": not base64"#,
    ),
    (
        r#"revocation-list-files = ["ca.crl", "missing.crl"]"#,
        Side::Server,
        "tls.toml:1:36: setting revocation-list-files[1]: cannot read missing.crl: No such file or directory (os error 2)",
    ),
    (
        r#"revocation-list-files = ["ca.crl", "delta.crl"]"#,
        Side::Server,
        "tls.toml:1:36: setting revocation-list-files[1]: invalid certificate revocation list in delta.crl: delta CRLs are not supported: give the complete CRL",
    ),
    (
        r#"revocation-list-files = ["ca.pem"]"#,
        Side::Server,
        "tls.toml:1:26: setting revocation-list-files[0]: invalid certificate revocation list in ca.pem: no X509 CRL section found",
    ),
    (
        r#"local-identity = { certificate-file = "server.pem", key-file = "server.key", ocsp-response-file = "server.pem" }"#,
        Side::Server,
        r#"tls.toml:1:99: setting local-identity.ocsp-response-file: the ocsp response in server.pem cannot be stapled to "server.example": not a DER OCSP response: unknown/unsupported ASN.1 DER tag: 0x2d"#,
    ),
    (
        r#"local-identity = { pkcs12-file = "id.p12", key-passphrase-file = "wrong.pass" }"#,
        Side::Server,
        r#"tls.toml:1:66: setting local-identity.key-passphrase-file: cannot open the PKCS#12 file in id.p12: wrong passphrase"#,
    ),
    (
        r#"local-identity = { pkcs12-file = "server.pem" }"#,
        Side::Server,
        r#"tls.toml:1:34: setting local-identity.pkcs12-file: invalid PKCS#12 file in server.pem: not a DER PKCS#12 file: unknown/unsupported ASN.1 DER tag: 0x2d"#,
    ),
    (
        r#"local-identity = { certificate-file = "server.pem", key-file = "server.key", pkcs12-file = "id.p12" }"#,
        Side::Server,
        r#"tls.toml:1:92: setting local-identity.pkcs12-file: expected certificate-file and key-file, or pkcs12-file, not both"#,
    ),
    (
        r#"local-identity = { key-passphrase-file = "good.pass" }"#,
        Side::Server,
        r#"tls.toml:1:18: setting local-identity: expected certificate-file and key-file, or pkcs12-file"#,
    ),
    (
        r#"protocol = "tls1.1""#,
        Side::Client,
        "tls.toml:1:12: setting protocol: TLS 1.1 is not supported (rustls speaks TLS 1.2 and TLS 1.3 only)",
    ),
    (
        r#"client = { protocol = "tls1.3", ciphers = ["ECDHE-RSA-AES128-GCM-SHA256"] }"#,
        Side::Client,
        "tls.toml:1:43: setting client.ciphers: no cipher left for TLS 1.3, which the protocol setting enables",
    ),
    (
        r#"ssl-options = { DisableCompression = false }"#,
        Side::Client,
        "tls.toml:1:38: setting ssl-options.DisableCompression: rustls always applies it, it cannot be turned off",
    ),
    (
        r#"key-exchange-groups = []"#,
        Side::Client,
        "tls.toml:1:23: setting key-exchange-groups: the list is empty",
    ),
    (
        r#"allowed-next-protocols = ["h2", ""]"#,
        Side::Client,
        "tls.toml:1:33: setting allowed-next-protocols[1]: protocol #1 is 0 bytes long, expected 1 to 255",
    ),
    (
        r#"local-identity = { certificate-file = "server.pem", key-file = "api.key" }"#,
        Side::Client,
        r#"tls.toml:1:64: setting local-identity.key-file: the private key does not match the certificate "server.example""#,
    ),
    (
        r#"peer-verify-mode = "verify""#,
        Side::Server,
        "tls.toml:1:1: setting local-identity: a server needs a local certificate",
    ),
    (
        r#"client = { local-identity = { certificate-file = "server.pem", key-file = "server.key" } }"#,
        Side::Server,
        "tls.toml:1:1: setting local-identity: a server needs a local certificate",
    ),
    (
        r#"server = { peer-verify-mode = "verify", local-identity = { certificate-file = "server.pem", key-file = "server.key" } }"#,
        Side::Server,
        "tls.toml:1:31: setting server.peer-verify-mode: a server verifies clients against explicitly configured CA certificates only, never the system store: set them with with_ca_certificates or with_added_ca_certificates",
    ),
    (
        r#"server = { session-ticket-lifetime-seconds = 0, local-identity = { certificate-file = "server.pem", key-file = "server.key" } }"#,
        Side::Server,
        "tls.toml:1:46: setting server.session-ticket-lifetime-seconds: 0ns is not between 1 second and 7 days (RFC 8446's limit)",
    ),
    (
        r#"client = { session-ticket-key-files = ["new.ticket"] }"#,
        Side::Client,
        "tls.toml:1:39: setting client.session-ticket-key-files: only a server uses it: give it in [server] or at the top level",
    ),
    (
        r#"server = { client = { protocol = "tls1.3" } }"#,
        Side::Server,
        "tls.toml:1:21: setting server.client: side tables are only at the top level",
    ),
];

/// Files of the bad-file table that openssl makes (see [`Fixture`]).
const MADE_BY_OPENSSL: &[&str] = &["delta.crl"];

/// The message a bad file gives loaded for `side`, with the fixture's
/// directory left out.
fn message_of(text: &str, side: Side) -> String {
    let f = fixture();
    let path = f.path("tls.toml");
    std::fs::write(&path, text).unwrap();
    let error = SslConfiguration::from_toml_file(&path, side).unwrap_err();
    assert!(matches!(error, Error::SettingsFile { .. }), "{error:?}");
    chain(&error).replace(&format!("{}/", f.dir.display()), "")
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn each_bad_file_gives_its_message() {
    let mut wrong = Vec::new();
    for (text, side, expected) in BAD_FILES {
        if !fixture().openssl && MADE_BY_OPENSSL.iter().any(|file| text.contains(file)) {
            common::skipped(&format!("without openssl, no file for {text}"));
            continue;
        }
        let got = message_of(text, *side);
        if got != *expected {
            wrong.push(format!(
                "{text} ({side})\n  expected: {expected}\n  got:      {got}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The docs' table, in the docs of `SettingsFile`: file, side, message.
fn documented_bad_files() -> Vec<(String, String, String)> {
    let source = include_str!("../src/settings_file/mod.rs");
    source
        .lines()
        .filter_map(|line| line.strip_prefix("/// | ``"))
        .map(|row| {
            let cells: Vec<&str> = row.split(" | ").collect();
            let unquote = |cell: &str| {
                cell.trim()
                    .trim_start_matches("`` ")
                    .trim_end_matches(" ``")
                    .trim_end_matches(" |")
                    .trim_end_matches(" ``")
                    .to_owned()
            };
            let last = cells.len() - 1;
            (
                unquote(&cells[..last - 1].join(" | ")),
                cells[last - 1].trim().to_owned(),
                unquote(cells[last]),
            )
        })
        .collect()
}

#[test]
fn the_docs_table_is_the_tested_one() {
    let documented = documented_bad_files();
    let tested: Vec<(String, String, String)> = BAD_FILES
        .iter()
        .map(|(text, side, message)| (text.to_string(), side.to_string(), message.to_string()))
        .collect();
    assert_eq!(documented, tested);
}

#[test]
fn an_unknown_top_level_field_lists_the_expected_ones() {
    let error = SslConfiguration::from_toml_str(
        "protocol = \"tls1.3\"\nprotocl = \"tls1.2\"",
        ".",
        Side::Client,
    )
    .unwrap_err();
    let Error::SettingsFile {
        file,
        line,
        column,
        field,
        ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(
        (file.as_str(), *line, *column, field.as_str()),
        ("TOML input", 2, 1, "protocl")
    );
    let reason = std::error::Error::source(&error).unwrap().to_string();
    assert!(
        reason.starts_with(
            "unknown field `protocl`, expected one of `mozilla-profile`, `protocol`, `ciphers`"
        ),
        "{reason}"
    );
}

#[test]
fn conflicting_fields_and_a_missing_variable_name_their_field() {
    let f = fixture();
    let cases = [
        (
            "ca-certificate-files = [\"ca.pem\"]\nsystem-ca-certificates = true",
            "TOML input:2:26: setting system-ca-certificates: expected false or no ca-certificate-files: CA certificate files replace the system store",
        ),
        (
            "key-log-file = \"k.log\"\nkey-log-from-env = true",
            "TOML input:2:20: setting key-log-from-env: expected key-log-file or key-log-from-env, not both",
        ),
        (
            "[local-identity]\ncertificate-file = \"enc.pem\"\nkey-file = \"enc.key\"\nkey-passphrase-env = \"SSLCONF_NO_SUCH_VARIABLE\"",
            "TOML input:4:22: setting local-identity.key-passphrase-env: environment variable SSLCONF_NO_SUCH_VARIABLE, which should hold a passphrase, is not set",
        ),
        (
            "[[server-name-identities]]\nnames = [\"api.example\"]\ncertificate-file = \"nothing.pem\"\nkey-file = \"api.key\"",
            "TOML input:3:20: setting server-name-identities[0].certificate-file: cannot read nothing.pem: No such file or directory (os error 2)",
        ),
        (
            "session-ticket-key-files = [\"new.ticket\", \"server.pem\"]",
            "TOML input:1:43: setting session-ticket-key-files[1]: invalid session ticket key in server.pem",
        ),
    ];
    for (text, expected) in cases {
        let error = SslConfiguration::from_toml_str(text, &f.dir, Side::Server).unwrap_err();
        let got = chain(&error).replace(&format!("{}/", f.dir.display()), "");
        assert!(
            got.starts_with(expected),
            "{text}\n  expected: {expected}\n  got:      {got}"
        );
    }
}

#[test]
fn a_settings_file_value_names_the_field_without_a_line() {
    let mut file = SettingsFile::default();
    file.session_ticket_key_files = Some(vec![PathBuf::from("missing.ticket")]);
    let error =
        SslConfiguration::from_settings_file(&file, "/nonexistent", Side::Server).unwrap_err();
    assert_eq!(
        error.to_string(),
        "settings: setting session-ticket-key-files[0]"
    );
}

// ------------------------------------------------------------ writing back

#[test]
fn values_that_are_no_files_are_not_written() {
    let f = fixture();
    let id = identity(Unlock::Plain("server", false));
    let from_values = Identity::new(
        id.certificate_chain().to_vec(),
        sslconf::PrivateKey::from_path(f.path("server.key")).unwrap(),
    );
    let cases: Vec<(SslConfiguration, &str)> = vec![
        (
            SslConfiguration::new().with_local_identity(from_values.clone()),
            "cannot write setting local-identity to a settings file: a certificate chain and key given as values, not read from files",
        ),
        (
            SslConfiguration::new().with_local_identity(
                Identity::from_files_with_passphrase(
                    f.path("enc.pem"),
                    f.path("enc.key"),
                    Passphrase::new(PASSPHRASE.as_bytes()),
                )
                .unwrap(),
            ),
            "cannot write setting local-identity.key-passphrase-file to a settings file: a passphrase given as a value is never written: read it from a file or an environment variable",
        ),
        (
            SslConfiguration::new().with_ca_certificates(id.certificate_chain().to_vec()),
            "cannot write setting ca-certificate-files to a settings file: CA certificates given as values, not read from files",
        ),
        (
            SslConfiguration::new()
                .with_ca_certificate_files([f.path("ca.pem")])
                .unwrap()
                .with_added_ca_certificates(id.certificate_chain().to_vec()),
            "cannot write setting ca-certificate-files to a settings file: CA certificates given as values besides those read from files",
        ),
        (
            SslConfiguration::new().with_session_ticket_keys(TicketKeys::generate().unwrap()),
            "cannot write setting session-ticket-key-files to a settings file: session ticket keys given as values (generated or from bytes), not read from files",
        ),
        (
            SslConfiguration::new().with_added_local_identity(from_values),
            "cannot write setting added-local-identities[0] to a settings file: a certificate chain and key given as values, not read from files",
        ),
        (
            SslConfiguration::new()
                .with_revocation_lists(RevocationList::from_path(f.path("ca.crl")).unwrap()),
            "cannot write setting revocation-list-files to a settings file: revocation lists given as values, not read from files",
        ),
        (
            SslConfiguration::new().with_local_identity(
                identity(Unlock::Plain("server", false)).with_ocsp_response(vec![0x30, 0x03]),
            ),
            "cannot write setting local-identity.ocsp-response-file to a settings file: an OCSP response given as bytes, not read from a file",
        ),
        (
            SslConfiguration::new().with_server_name_identity(
                ["api.example"],
                identity(Unlock::Plain("api", false)).with_ocsp_response(vec![0x30, 0x03]),
            ),
            "cannot write setting server-name-identities[0].ocsp-response-file to a settings file: an OCSP response given as bytes, not read from a file",
        ),
        (
            SslConfiguration::new().with_allowed_next_protocols([vec![0xff, 0xfe]]),
            "cannot write setting allowed-next-protocols[0] to a settings file: the protocol name is not UTF-8",
        ),
        (
            SslConfiguration::new().with_protocol(SslProtocol::UnknownProtocol),
            "cannot write setting protocol to a settings file: UnknownProtocol is a session's state, not a setting",
        ),
        (
            SslConfiguration::new().with_session_ticket_lifetime(Duration::from_millis(1500)),
            "cannot write setting session-ticket-lifetime-seconds to a settings file: 1.5s is not a whole number of seconds",
        ),
        (
            SslConfiguration::new().with_handshake_timeout(Duration::from_micros(1500)),
            "cannot write setting handshake-timeout-ms to a settings file: 1.5ms is not a whole number of milliseconds",
        ),
        (
            SslConfiguration::new().with_handshake_timeout(Duration::from_secs(u64::MAX)),
            "cannot write setting handshake-timeout-ms to a settings file: 18446744073709551615s is too long to write in milliseconds",
        ),
    ];
    for (config, expected) in cases {
        let error = config
            .to_settings_file()
            .and_then(|file| file.to_toml())
            .unwrap_err();
        assert!(
            matches!(error, Error::SettingNotWritable { .. }),
            "{error:?}"
        );
        assert_eq!(chain(&error), expected);
    }
}

#[test]
fn secrets_are_never_written() {
    let f = fixture();
    let config = SslConfiguration::new()
        .with_local_identity(identity(Unlock::PassphraseFile))
        .with_added_local_identity(identity(Unlock::PassphraseEnv))
        .with_added_local_identity(identity(Unlock::Pkcs12File))
        .with_server_name_identity(["p12.example"], identity(Unlock::Pkcs12Env))
        .with_session_ticket_keys(TicketKeys::from_path(f.path("new.ticket")).unwrap());
    let text = config.to_settings_file().unwrap().to_toml().unwrap();
    assert!(!text.contains(PASSPHRASE), "{text}");
    assert!(!text.contains(P12_PASSPHRASE), "{text}");
    assert!(
        text.contains(&format!(
            "key-passphrase-env = \"{P12_PASSPHRASE_VARIABLE}\""
        )),
        "{text}"
    );
    assert!(text.contains("p12.pass"), "{text}");
    assert!(
        text.contains(&format!("key-passphrase-env = \"{PASSPHRASE_VARIABLE}\"")),
        "{text}"
    );
    assert!(text.contains("good.pass"), "{text}");
}

// --------------------------------------------------- paths, reload, handshake

/// Writes `name` into `dir`, creating the directory.
fn put(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

#[test]
fn relative_paths_are_relative_to_the_settings_file() {
    let scratch = Scratch::new("settings-relative");
    let ca = Authority::root("Relative CA");
    let id = ca.leaf("localhost");
    let certs = scratch.dir().join("certs");
    put(&certs, "server.pem", id.chain_pem());
    put(&certs, "server.key", id.key_pem());
    put(&certs, "ca.pem", ca.cert.to_pem());
    let settings = put(
        &scratch.dir().join("conf"),
        "server.toml",
        "ca-certificate-files = [\"../certs/ca.pem\"]\n\
         [local-identity]\ncertificate-file = \"../certs/server.pem\"\nkey-file = \"../certs/server.key\"\n",
    );
    let config = SslConfiguration::from_toml_file(&settings, Side::Server).unwrap();
    let local = config.local_identity().unwrap();
    let (chain, key) = local.files().unwrap();
    let conf = scratch.dir().join("conf");
    assert_eq!(chain, conf.join("../certs/server.pem"));
    assert_eq!(key, conf.join("../certs/server.key"));
    assert_eq!(config.local_certificate_chain(), id.chain.as_slice());
    assert_eq!(config.ca_certificates(), std::slice::from_ref(&ca.cert));
    // A file next to the working directory's is not the one read.
    assert!(SslConfiguration::from_toml_str(
        "[local-identity]\ncertificate-file = \"server.pem\"\nkey-file = \"server.key\"",
        scratch.dir(),
        Side::Server
    )
    .is_err());
}

#[test]
fn a_server_from_a_file_reloads_the_files_it_names() {
    let scratch = Scratch::new("settings-reload");
    let ca = Authority::root("Reload CA");
    let first = ca.leaf("localhost");
    put(scratch.dir(), "server.pem", first.chain_pem());
    put(scratch.dir(), "server.key", first.key_pem());
    let settings = put(
        scratch.dir(),
        "server.toml",
        "[local-identity]\ncertificate-file = \"server.pem\"\nkey-file = \"server.key\"\n",
    );
    let config = SslConfiguration::from_toml_file(&settings, Side::Server).unwrap();
    config.server_config().unwrap();
    let second = ca.leaf("localhost");
    put(scratch.dir(), "server.pem", second.chain_pem());
    put(scratch.dir(), "server.key", second.key_pem());
    let reloaded = config.reload().unwrap();
    assert_eq!(reloaded.changed_files().len(), 2, "{reloaded}");
}

/// Set in the child process of
/// `a_relative_base_dir_survives_a_change_of_the_working_directory`.
const CHDIR_CHILD: &str = "SSLCONF_SETTINGS_FILE_TEST_CHDIR_CHILD";

/// A configuration read with a relative base directory (`"."`, `""`, a
/// settings file named by a relative path) reloads the same files after
/// the process changed its working directory, not the files of the same
/// names in the new one. The working directory is the process's, so the
/// test runs itself again as a child process started in `here/`.
#[test]
fn a_relative_base_dir_survives_a_change_of_the_working_directory() {
    const TEXT: &str =
        "[local-identity]\ncertificate-file = \"server.pem\"\nkey-file = \"server.key\"\n";
    if std::env::var_os(CHDIR_CHILD).is_some() {
        let here = std::env::current_dir().unwrap();
        let settings: SettingsFile = toml::from_str(TEXT).unwrap();
        let configs = [
            SslConfiguration::from_toml_str(TEXT, ".", Side::Server).unwrap(),
            SslConfiguration::from_settings_file(&settings, "", Side::Server).unwrap(),
            SslConfiguration::from_toml_file("server.toml", Side::Server).unwrap(),
        ];
        std::env::set_current_dir("../elsewhere").unwrap();
        for config in configs {
            let identity = config.local_identity().unwrap();
            let (chain, key) = identity.files().unwrap();
            assert_eq!(chain, here.join("server.pem"));
            assert_eq!(key, here.join("server.key"));
            // Relative to the new working directory, it would read another
            // identity and name both files as changed.
            let reloaded = config.reload().unwrap();
            assert!(reloaded.changed_files().is_empty(), "{reloaded}");
        }
        return;
    }
    let scratch = Scratch::new("settings-chdir");
    let ca = Authority::root("Chdir CA");
    let (here, elsewhere) = (scratch.dir().join("here"), scratch.dir().join("elsewhere"));
    for dir in [&here, &elsewhere] {
        let id = ca.leaf("localhost");
        put(dir, "server.pem", id.chain_pem());
        put(dir, "server.key", id.key_pem());
        put(dir, "server.toml", TEXT);
    }
    let name = "a_relative_base_dir_survives_a_change_of_the_working_directory";
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads", "1"])
        .current_dir(&here)
        .env(CHDIR_CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&child.stdout);
    let report = format!("{stdout}{}", String::from_utf8_lossy(&child.stderr));
    assert!(child.status.success(), "{report}");
    // The filter matched this test and nothing else.
    assert!(stdout.contains("1 passed"), "{report}");
}

/// A server whose protocol, cipher, ALPN and identity come from a settings
/// file: `openssl s_client` verifies its chain and reports what the file set.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn openssl_s_client_completes_a_handshake_with_a_server_from_a_file() {
    if !common::peer_available("openssl") {
        return;
    }
    let scratch = Scratch::new("settings-s-client");
    let ca = Authority::root("File CA");
    let id = ca.leaf("localhost");
    put(scratch.dir(), "server.pem", id.chain_pem());
    put(scratch.dir(), "server.key", id.key_pem());
    let ca_file = put(scratch.dir(), "ca.pem", ca.cert.to_pem());
    let settings = put(
        scratch.dir(),
        "server.toml",
        "protocol = \"tls1.2\"\n\
         ciphers = [\"ECDHE-ECDSA-AES256-GCM-SHA384\"]\n\
         allowed-next-protocols = [\"h2\"]\n\
         [local-identity]\ncertificate-file = \"server.pem\"\nkey-file = \"server.key\"\n",
    );
    let config = SslConfiguration::from_toml_file(&settings, Side::Server).unwrap();
    let server = OurServer::start(config);
    let port = server.port.to_string();
    let connect = format!("127.0.0.1:{port}");
    let run = run_client(
        "openssl",
        &[
            "s_client",
            "-connect",
            &connect,
            "-servername",
            "localhost",
            "-verify_hostname",
            "localhost",
            "-CAfile",
            ca_file.to_str().unwrap(),
            "-verify_return_error",
            "-alpn",
            "h2,http/1.1",
        ],
        b"ping\n",
    );
    assert!(run.success(), "{}", run.tail());
    let served = server.join().unwrap();
    assert_eq!(served.request, b"ping\n");
    assert!(
        run.output.contains("Verify return code: 0 (ok)"),
        "{}",
        run.output
    );
    assert!(run.output.contains("ALPN protocol: h2"), "{}", run.output);
    assert!(
        run.output
            .contains("TLSv1.2, Cipher is ECDHE-ECDSA-AES256-GCM-SHA384"),
        "{}",
        run.output
    );
}

/// The pin `openssl x509 -pubkey | openssl pkey -pubin -outform der |
/// openssl dgst -sha256 -binary | base64` prints for a certificate file.
fn openssl_pin(cert: &Path) -> String {
    let script = format!(
        "openssl x509 -in '{}' -pubkey -noout | openssl pkey -pubin -outform der \
         | openssl dgst -sha256 -binary | base64",
        cert.display()
    );
    let out = std::process::Command::new("sh")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// A client whose CA file, revocation list and pins come from a settings
/// file, against `openssl s_server`: the pinned, unrevoked server is
/// accepted; the revoked one (`openssl verify -crl_check` with the same
/// list says revoked too) and the unpinned one are refused, each for that
/// reason alone. The pins are what the OpenSSL pipeline prints.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_client_from_a_file_checks_its_revocation_lists_and_pins() {
    if !common::peer_available("openssl") {
        return;
    }
    let scratch = Scratch::new("settings-crl-pins");
    let dir = scratch.dir();
    let ca = Authority::root("Settings trust CA");
    let servers = [
        ("good", ca.leaf("localhost"), None),
        (
            "revoked",
            ca.leaf("localhost"),
            Some(SslErrorKind::CertificateRevoked),
        ),
        (
            "unpinned",
            ca.leaf("localhost"),
            Some(SslErrorKind::PublicKeyNotPinned),
        ),
    ];
    put(dir, "ca.pem", ca.cert.to_pem());
    let crl = put(dir, "ca.crl", ca.revocation_list(&[servers[1].1.leaf()]));
    for (name, id, _) in &servers {
        put(dir, &format!("{name}.pem"), id.chain_pem());
        put(dir, &format!("{name}.key"), id.key_pem());
    }
    let settings = put(
        dir,
        "client.toml",
        format!(
            "ca-certificate-files = [\"ca.pem\"]\n\
             revocation-list-files = [\"ca.crl\"]\n\
             revocation-depth = \"leaf\"\n\
             public-key-pins = [\"sha256//{}\", \"{}\"]\n\
             peer-verify-mode = \"verify\"\n",
            openssl_pin(&dir.join("good.pem")),
            openssl_pin(&dir.join("revoked.pem")),
        ),
    );
    let client = SslConfiguration::from_toml_file(&settings, Side::Client).unwrap();
    assert_eq!(client.revocation_lists().len(), 1);
    assert_eq!(client.public_key_pins().len(), 2);

    for (name, id, refused_for) in &servers {
        let verdict = common::openssl::verify(
            std::slice::from_ref(&ca.cert),
            &id.chain,
            &["-crl_check", "-CRLfile", crl.to_str().unwrap()],
        );
        let revoked = refused_for == &Some(SslErrorKind::CertificateRevoked);
        assert_eq!(verdict.ok, !revoked, "{name}: {}", verdict.output);
        if revoked {
            assert_eq!(
                verdict.errors(),
                [(23, 0, "certificate revoked")],
                "{}",
                verdict.output
            );
        }

        let (cert, key) = (
            dir.join(format!("{name}.pem")),
            dir.join(format!("{name}.key")),
        );
        let args: Vec<String> = [
            "s_server",
            "-accept",
            "{port}",
            "-cert",
            cert.to_str().unwrap(),
            "-key",
            key.to_str().unwrap(),
            "-www",
            "-naccept",
            "1",
        ]
        .map(str::to_owned)
        .to_vec();
        let server =
            PeerServer::start("openssl", &args, "ACCEPT").unwrap_or_else(|e| panic!("{e}"));
        let result = our_client(&client, "localhost", server.port, b"GET / HTTP/1.0\r\n\r\n");
        match (refused_for, result) {
            (None, Ok((state, _))) => {
                assert_eq!(state.peer_certificate(), Some(id.leaf()), "{name}")
            }
            (Some(kind), Err(error)) => {
                let kinds: Vec<SslErrorKind> =
                    error.ssl_errors().iter().map(|e| e.kind()).collect();
                assert_eq!(kinds, [*kind], "{name}: {}", chain(&error));
            }
            (expected, got) => panic!("{name}: expected {expected:?}, got {got:?}"),
        }
    }
}

/// A server whose client CA and revocation list come from a settings file:
/// `openssl s_client` with a client certificate completes a handshake; once
/// the list file revokes that certificate, a reload reads it again and the
/// next handshake is refused as revoked.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_server_from_a_file_refuses_a_client_its_reloaded_list_revokes() {
    if !common::peer_available("openssl") {
        return;
    }
    let scratch = Scratch::new("settings-crl-server");
    let dir = scratch.dir();
    let ca = Authority::root("Settings client CA");
    let server_id = ca.leaf("localhost");
    let client_id = ca.leaf("client.example");
    put(dir, "server.pem", server_id.chain_pem());
    put(dir, "server.key", server_id.key_pem());
    let client_cert = put(dir, "client.pem", client_id.chain_pem());
    let client_key = put(dir, "client.key", client_id.key_pem());
    let ca_file = put(dir, "ca.pem", ca.cert.to_pem());
    let crl = put(dir, "ca.crl", ca.revocation_list(&[]));
    let settings = put(
        dir,
        "server.toml",
        "ca-certificate-files = [\"ca.pem\"]\n\
         revocation-list-files = [\"ca.crl\"]\n\
         peer-verify-mode = \"verify\"\n\
         [local-identity]\ncertificate-file = \"server.pem\"\nkey-file = \"server.key\"\n",
    );
    let config = SslConfiguration::from_toml_file(&settings, Side::Server).unwrap();
    let handshake = || {
        let server = OurServer::start(config.clone());
        let connect = format!("127.0.0.1:{}", server.port);
        let run = run_client(
            "openssl",
            &[
                "s_client",
                "-connect",
                &connect,
                "-servername",
                "localhost",
                "-CAfile",
                ca_file.to_str().unwrap(),
                "-cert",
                client_cert.to_str().unwrap(),
                "-key",
                client_key.to_str().unwrap(),
            ],
            b"ping\n",
        );
        (server.join(), run)
    };
    let (served, run) = handshake();
    let served = served.unwrap_or_else(|e| panic!("{}: {}", chain(&e), run.tail()));
    assert_eq!(served.state.peer_certificate(), Some(client_id.leaf()));

    put(dir, "ca.crl", ca.revocation_list(&[client_id.leaf()]));
    let reloaded = config.reload().unwrap();
    assert_eq!(reloaded.changed_files(), [crl]);
    let (served, run) = handshake();
    let Err(error) = served else {
        panic!("a revoked client was accepted: {}", run.tail())
    };
    let kinds: Vec<SslErrorKind> = error.ssl_errors().iter().map(|e| e.kind()).collect();
    assert_eq!(
        kinds,
        [SslErrorKind::CertificateRevoked],
        "{}: {}",
        chain(&error),
        run.tail()
    );
}

/// `mozilla-profile` is applied before the fields beside it, wherever it
/// is in the file, and written back as the values it set.
#[test]
fn a_mozilla_profile_comes_first_and_is_written_as_its_values() {
    let code = SslConfiguration::new()
        .with_peer_verify_depth(0)
        .with_mozilla_profile(MozillaProfile::Intermediate)
        .with_protocol(SslProtocol::TlsV1_3)
        .with_ssl_option(SslOption::DisableServerCipherPreference, false)
        .unwrap();
    for text in [
        "mozilla-profile = \"intermediate\"\nprotocol = \"tls1.3\"\n\
         [ssl-options]\nDisableServerCipherPreference = false\n",
        "protocol = \"tls1.3\"\nmozilla-profile = \"Intermediate\"\n\
         [ssl-options]\nDisableServerCipherPreference = false\n",
    ] {
        let read = SslConfiguration::from_toml_str(text, ".", Side::Client).unwrap();
        assert_eq!(read, code, "{text}");
    }

    let modern =
        SslConfiguration::from_toml_str("mozilla-profile = \"modern\"", ".", Side::Client).unwrap();
    assert_eq!(
        modern,
        SslConfiguration::new()
            .with_mozilla_profile(sslconf::MozillaProfile::Modern)
            .with_peer_verify_depth(0)
    );
    let text = modern.to_settings_file().unwrap().to_toml().unwrap();
    assert_eq!(
        text,
        "protocol = \"TlsV1_3\"\n\
         ciphers = [\n    \"TLS_AES_128_GCM_SHA256\",\n    \"TLS_AES_256_GCM_SHA384\",\n    \
         \"TLS_CHACHA20_POLY1305_SHA256\",\n]\n\
         key-exchange-groups = [\n    \"X25519\",\n    \"secp256r1\",\n    \"secp384r1\",\n]\n\
         \n[ssl-options]\nDisableServerCipherPreference = true\n"
    );
    assert_eq!(
        SslConfiguration::from_toml_str(&text, ".", Side::Client).unwrap(),
        modern
    );
}

/// An OCSP response for another certificate is refused when the file is
/// read, at its field (its message names a serial number, random here).
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn another_certificates_ocsp_response_is_refused_at_its_field() {
    let f = fixture();
    if !f.openssl {
        common::skipped("without openssl, no OCSP responses");
        return;
    }
    let text = "[[server-name-identities]]\nnames = [\"api.example\"]\n\
                certificate-file = \"api.pem\"\nkey-file = \"api.key\"\n\
                ocsp-response-file = \"server.ocsp\"\n";
    let error = SslConfiguration::from_toml_str(text, &f.dir, Side::Server).unwrap_err();
    let got = chain(&error).replace(&format!("{}/", f.dir.display()), "");
    let expected = "TOML input:5:22: setting server-name-identities[0].ocsp-response-file: \
                    the ocsp response in server.ocsp cannot be stapled to \"api.example\": \
                    it is for another certificate";
    assert!(got.starts_with(expected), "{got}");
    // Its own response is accepted, converts, and is written back as its file.
    let good = text.replace("server.ocsp", "api.ocsp");
    let config = SslConfiguration::from_toml_str(&good, &f.dir, Side::Server).unwrap();
    config.server_config().unwrap();
    assert_eq!(
        config.to_settings_file().unwrap().server_name_identities[0].ocsp_response_file,
        Some(f.path("api.ocsp"))
    );
}

// ------------------------------------------------------------ dependencies

/// The default build compiles neither serde nor toml: both are optional and
/// only the `serde` feature enables them.
#[test]
fn serde_and_toml_stay_optional() {
    let manifest = include_str!("../Cargo.toml");
    for dependency in ["serde", "toml", "serde_path_to_error"] {
        let line = manifest
            .lines()
            .find(|l| l.starts_with(&format!("{dependency} = {{")))
            .unwrap_or_else(|| panic!("no {dependency} dependency"));
        assert!(line.contains("optional = true"), "{line}");
    }
    let default = manifest
        .lines()
        .find(|l| l.starts_with("default = "))
        .unwrap();
    assert!(!default.contains("serde"), "{default}");
}

/// The example in `SettingsFile`'s docs is a settings file this crate reads.
#[test]
fn the_documented_example_parses() {
    let source = include_str!("../src/settings_file/mod.rs");
    let start = source.find("/// ```toml\n").unwrap() + "/// ```toml\n".len();
    let end = start + source[start..].find("/// ```\n").unwrap();
    let text: String = source[start..end]
        .lines()
        .map(|line| line.strip_prefix("/// ").unwrap_or("").to_owned() + "\n")
        .collect();
    let file: SettingsFile = toml::from_str(&text).unwrap();
    assert_eq!(file.protocol, Some(SslProtocol::TlsV1_2OrLater));
    assert_eq!(file.server_name_identities[0].names.len(), 2);
    let legacy = &file.server_name_identities[1];
    assert_eq!(legacy.pkcs12_file, Some(PathBuf::from("legacy.p12")));
    assert_eq!((&legacy.certificate_file, &legacy.key_file), (&None, &None));
    assert_eq!(file.ssl_options, [(SslOption::DisableSessionTickets, true)]);
    assert_eq!(
        file.revocation_list_files,
        Some(vec![PathBuf::from("clients-ca.crl")])
    );
    assert_eq!(file.revocation_depth, Some(RevocationDepth::Leaf));
    assert_eq!(file.public_key_pins.map(|pins| pins.len()), Some(1));
    let identity = file.local_identity.unwrap();
    assert_eq!(
        identity.key_passphrase_file,
        Some(PathBuf::from("server.pass"))
    );
    assert_eq!(
        identity.ocsp_response_file,
        Some(PathBuf::from("server.ocsp"))
    );
}

// ---------------------------------------------------------- server and client

/// A server identity (serverAuth only), a client identity (clientAuth
/// only) and their CA, written into `dir`.
fn side_identities(dir: &Path, tag: &str) -> (Authority, common::Identity, common::Identity) {
    use rcgen::ExtendedKeyUsagePurpose::{ClientAuth, ServerAuth};
    let ca = Authority::root(&format!("{tag} CA"));
    let server = ca.issue(&LeafSpec::new("localhost").eku(vec![ServerAuth]));
    let client = ca.issue(&LeafSpec::new(&format!("{tag} client")).eku(vec![ClientAuth]));
    put(dir, "ca.pem", ca.cert.to_pem());
    put(dir, "server.pem", server.chain_pem());
    put(dir, "server.key", server.key_pem());
    put(dir, "client.pem", client.chain_pem());
    put(dir, "client.key", client.key_pem());
    (ca, server, client)
}

/// One file, both sides: the server serves its identity and the client
/// presents its own (a certificate only good for clients, which the server
/// requires and verifies), with the settings common to both. Written
/// back, each side is a file of its own without side tables.
#[test]
fn one_file_configures_a_server_and_its_client_with_their_own_identities() {
    let scratch = Scratch::new("settings-sides");
    let dir = scratch.dir();
    let (_, server_id, client_id) = side_identities(dir, "Sides");
    let text = "protocol = \"tls1.3\"\n\
                ca-certificate-files = [\"ca.pem\"]\n\
                peer-verify-mode = \"verify\"\n\
                [server.local-identity]\ncertificate-file = \"server.pem\"\nkey-file = \"server.key\"\n\
                [client.local-identity]\ncertificate-file = \"client.pem\"\nkey-file = \"client.key\"\n\
                [client.ssl-options]\nDisableSessionTickets = true\n";
    let settings = put(dir, "service.toml", text);
    let server = SslConfiguration::from_toml_file(&settings, Side::Server).unwrap();
    let client = SslConfiguration::from_toml_file(&settings, Side::Client).unwrap();
    assert_eq!(server.local_certificate_chain(), server_id.chain.as_slice());
    assert_eq!(client.local_certificate_chain(), client_id.chain.as_slice());
    for config in [&server, &client] {
        assert_eq!(config.protocol(), SslProtocol::TlsV1_3);
        assert_eq!(config.peer_verify_mode(), PeerVerifyMode::VerifyPeer);
    }
    assert!(client.test_ssl_option(SslOption::DisableSessionTickets));
    assert!(!server.test_ssl_option(SslOption::DisableSessionTickets));

    let running = OurServer::start(server.clone());
    let (state, _) = our_client(&client, "localhost", running.port, b"ping\n").unwrap();
    let served = running.join().unwrap();
    assert_eq!(state.peer_certificate(), Some(server_id.leaf()));
    assert_eq!(served.state.peer_certificate(), Some(client_id.leaf()));

    // Each side written back is a flat file, read back the same.
    for (config, side) in [(&server, Side::Server), (&client, Side::Client)] {
        let flat = config.to_settings_file().unwrap().to_toml().unwrap();
        assert!(
            !flat.contains("[server") && !flat.contains("[client"),
            "{flat}"
        );
        assert_eq!(
            &SslConfiguration::from_toml_str(&flat, "/nonexistent", side).unwrap(),
            config
        );
    }

    // At the top level, an identity is both sides': the client presents
    // the server's certificate, which is not for clients.
    let both = put(
        dir,
        "both.toml",
        "ca-certificate-files = [\"ca.pem\"]\npeer-verify-mode = \"verify\"\n\
         [local-identity]\ncertificate-file = \"server.pem\"\nkey-file = \"server.key\"\n",
    );
    let client = SslConfiguration::from_toml_file(&both, Side::Client).unwrap();
    assert_eq!(client.local_certificate_chain(), server_id.chain.as_slice());
    let running = OurServer::start(server);
    let refused = our_client(&client, "localhost", running.port, b"ping\n");
    let Err(error) = running.join() else {
        panic!("a certificate for servers was accepted from a client")
    };
    assert!(refused.is_err());
    let kinds: Vec<SslErrorKind> = error.ssl_errors().iter().map(|e| e.kind()).collect();
    assert_eq!(kinds, [SslErrorKind::InvalidPurpose], "{}", chain(&error));
}

/// A side's table replaces the top level's fields for that side only: a
/// list whole, the CA source as one setting, the key log as one,
/// `ssl-options` option by option. The other side's table is not read:
/// its bad file fails only the side that reads it, named in its table.
#[test]
fn a_side_table_replaces_the_top_level_for_its_side() {
    let scratch = Scratch::new("settings-overlay");
    let dir = scratch.dir();
    let (ca, ..) = side_identities(dir, "Overlay");
    let other = Authority::root("Other overlay CA");
    put(dir, "other-ca.pem", other.cert.to_pem());
    let text = "ca-certificate-files = [\"ca.pem\"]\n\
                allowed-next-protocols = [\"h2\", \"http/1.1\"]\n\
                handshake-timeout-ms = 10000\n\
                key-log-file = \"keys.log\"\n\
                [local-identity]\ncertificate-file = \"server.pem\"\nkey-file = \"server.key\"\n\
                [ssl-options]\nDisableSessionTickets = true\nDisableServerNameIndication = true\n\
                [server]\nallowed-next-protocols = [\"http/1.1\"]\n\
                [client]\nca-certificate-files = [\"other-ca.pem\"]\nhandshake-timeout-ms = 3000\n\
                key-log-from-env = true\n\
                [client.ssl-options]\nDisableSessionTickets = false\n";
    let server = SslConfiguration::from_toml_str(text, dir, Side::Server).unwrap();
    let client = SslConfiguration::from_toml_str(text, dir, Side::Client).unwrap();
    assert_eq!(server.allowed_next_protocols(), [b"http/1.1".to_vec()]);
    assert_eq!(
        client.allowed_next_protocols(),
        [b"h2".to_vec(), b"http/1.1".to_vec()]
    );
    assert_eq!(server.ca_certificates(), std::slice::from_ref(&ca.cert));
    assert_eq!(client.ca_certificates(), std::slice::from_ref(&other.cert));
    // Where CA certificates come from is one setting: no system store and
    // no files, not the top level's files with the system store refused.
    let none = "ca-certificate-files = [\"ca.pem\"]\n\
                [client]\nsystem-ca-certificates = false\npeer-verify-mode = \"none\"\n";
    let client_none = SslConfiguration::from_toml_str(none, dir, Side::Client).unwrap();
    assert!(client_none.ca_certificates().is_empty());
    assert!(!client_none.uses_system_ca_certificates());
    assert_eq!(server.handshake_timeout(), Some(Duration::from_secs(10)));
    assert_eq!(client.handshake_timeout(), Some(Duration::from_secs(3)));
    assert_eq!(
        server.key_log(),
        Some(&sslconf::KeyLogDestination::File(dir.join("keys.log")))
    );
    assert_eq!(
        client.key_log(),
        Some(&sslconf::KeyLogDestination::Environment)
    );
    assert!(server.test_ssl_option(SslOption::DisableSessionTickets));
    assert!(!client.test_ssl_option(SslOption::DisableSessionTickets));
    for config in [&server, &client] {
        assert!(config.test_ssl_option(SslOption::DisableServerNameIndication));
    }

    let bad_client = format!(
        "{text}[client.local-identity]\ncertificate-file = \"missing.pem\"\nkey-file = \"client.key\"\n"
    );
    SslConfiguration::from_toml_str(&bad_client, dir, Side::Server).unwrap();
    let error = SslConfiguration::from_toml_str(&bad_client, dir, Side::Client).unwrap_err();
    let line = bad_client.lines().count() - 1;
    assert!(
        chain(&error).starts_with(&format!(
            "TOML input:{line}:20: setting client.local-identity.certificate-file: cannot read "
        )),
        "{}",
        chain(&error)
    );
}

/// The README's settings file is one: every field it shows exists.
#[test]
fn the_readmes_settings_file_parses() {
    let readme = include_str!("../README.md");
    let start = readme.find("```toml\n").unwrap() + "```toml\n".len();
    let end = start + readme[start..].find("```\n").unwrap();
    let file: SettingsFile = toml::from_str(&readme[start..end]).unwrap();
    let identity = file.local_identity.unwrap();
    assert_eq!(
        identity.certificate_file.as_deref(),
        Some(Path::new("server.pem"))
    );
    assert_eq!(
        identity.key_passphrase_file.as_deref(),
        Some(Path::new("server.pass"))
    );
}

/// The fleet node of `SettingsFile`'s docs loads for both sides from the
/// files it names, each side with what the file gives it.
#[test]
fn the_documented_fleet_node_loads_for_both_sides() {
    let source = include_str!("../src/settings_file/mod.rs");
    let start = source.find("/// ```toml\n/// # Both sides.").unwrap() + "/// ```toml\n".len();
    let end = start + source[start..].find("/// ```\n").unwrap();
    let text: String = source[start..end]
        .lines()
        .map(|line| line.strip_prefix("/// ").unwrap_or("").to_owned() + "\n")
        .collect();

    let f = fixture();
    let scratch = Scratch::new("settings-fleet-doc");
    let dir = scratch.dir();
    let ca = Authority::root("Fleet CA");
    let node = ca.leaf("node.example");
    put(dir, "fleet-ca.pem", ca.cert.to_pem());
    put(dir, "fleet-ca.crl", ca.revocation_list(&[]));
    put(&dir.join("tickets"), "current.key", [1u8; 80]);
    put(&dir.join("tickets"), "previous.key", [2u8; 80]);
    put(dir, "node.pem", node.chain_pem());
    put(dir, "node.key", node.key_pem());
    // The client's key is encrypted, its passphrase in the variable the file names.
    put(
        dir,
        "node-client.pem",
        std::fs::read(f.path("enc.pem")).unwrap(),
    );
    put(
        dir,
        "node-client.key",
        std::fs::read(f.path("enc.key")).unwrap(),
    );
    // Set once, by this test alone.
    std::env::set_var("NODE_CLIENT_KEY_PASSPHRASE", PASSPHRASE);
    let path = put(dir, "node.toml", &text);

    let server = SslConfiguration::from_toml_file(&path, Side::Server).unwrap();
    let client = SslConfiguration::from_toml_file(&path, Side::Client).unwrap();
    assert_eq!(server.local_certificate_chain(), node.chain.as_slice());
    assert_eq!(
        client.local_certificate_chain(),
        identity(Unlock::PassphraseEnv).certificate_chain()
    );
    assert_eq!(server.session_ticket_keys().unwrap().files().len(), 2);
    assert!(client.session_ticket_keys().is_none());
    assert_eq!(server.handshake_timeout(), Some(Duration::from_secs(10)));
    assert_eq!(client.handshake_timeout(), Some(Duration::from_secs(3)));
    assert!(client.test_ssl_option(SslOption::DisableSessionTickets));
    for config in [&server, &client] {
        assert_eq!(config.protocol(), SslProtocol::TlsV1_3);
        assert_eq!(config.ca_certificates(), std::slice::from_ref(&ca.cert));
        assert_eq!(config.revocation_lists().len(), 1);
        assert_eq!(config.peer_verify_mode(), PeerVerifyMode::VerifyPeer);
    }
}

// ------------------------------------------------------------------ examples

/// `target/<profile>/examples/<name>` when it is built with `--config`;
/// `None` (a loud skip, a failure under CI) otherwise: `cargo test --test
/// settings_file` alone does not build examples.
fn example(name: &str) -> Option<PathBuf> {
    // Missing: a loud skip (a failure under CI); older than its sources: a
    // failure; built without the `serde` feature: a failure too.
    let path = common::example_binary(name)?;
    let help = std::process::Command::new(&path)
        .arg("--help")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&help.stdout).contains("--config"),
        "{} has no --config: build it with `cargo build --all-features --example {name}`",
        path.display()
    );
    Some(path)
}

/// The ALPN protocol our client gets from the example server on `port`.
fn negotiated(client: &SslConfiguration, port: u16) -> String {
    let (state, _) = our_client(client, "localhost", port, b"GET / HTTP/1.1\r\n\r\n").unwrap();
    String::from_utf8(state.next_negotiated_protocol().unwrap().to_vec()).unwrap()
}

/// The protocol version our client gets from the example server on `port`.
fn session_protocol(client: &SslConfiguration, port: u16) -> SslProtocol {
    let (state, _) = our_client(client, "localhost", port, b"GET / HTTP/1.1\r\n\r\n").unwrap();
    state.session_protocol()
}

/// `examples/server --config FILE` serves what the file says, takes a
/// changed file for new connections, and keeps its settings on a bad one,
/// logging where the file is wrong.
#[test]
fn the_example_server_follows_its_settings_file() {
    let Some(server) = example("server") else {
        return;
    };
    let scratch = Scratch::new("settings-example-server");
    let ca = Authority::root("Example CA");
    let id = ca.leaf("localhost");
    put(scratch.dir(), "server.pem", id.chain_pem());
    put(scratch.dir(), "server.key", id.key_pem());
    let identity =
        "[local-identity]\ncertificate-file = \"server.pem\"\nkey-file = \"server.key\"\n";
    let settings = put(
        scratch.dir(),
        "server.toml",
        format!("protocol = \"tls1.2\"\nallowed-next-protocols = [\"http/1.1\"]\n{identity}"),
    );
    let args: Vec<String> = ["--port", "{port}", "--config", settings.to_str().unwrap()]
        .map(str::to_owned)
        .to_vec();
    let running = PeerServer::start(server.to_str().unwrap(), &args, "listening on")
        .unwrap_or_else(|e| panic!("{e}"));
    let client = SslConfiguration::new()
        .with_ca_certificates([ca.cert.clone()])
        .with_allowed_next_protocols(["h2", "http/1.1"]);
    assert_eq!(
        session_protocol(&client, running.port),
        SslProtocol::TlsV1_2
    );

    put(
        scratch.dir(),
        "server.toml",
        format!("protocol = \"tls1.3\"\nallowed-next-protocols = [\"http/1.1\"]\n{identity}"),
    );
    let again = format!("settings: read {} again", settings.display());
    assert!(
        running.wait_for_output(&again, Duration::from_secs(10)),
        "{}",
        running.output()
    );
    assert_eq!(
        session_protocol(&client, running.port),
        SslProtocol::TlsV1_3
    );
    assert_eq!(negotiated(&client, running.port), "http/1.1");

    put(
        scratch.dir(),
        "server.toml",
        format!("protocol = \"tls1.2\"\nprotocl = \"tls1.3\"\n{identity}"),
    );
    assert!(
        running.wait_for_output(
            "caused by: unknown field `protocl`",
            Duration::from_secs(10)
        ),
        "{}",
        running.output()
    );
    let refused = format!(
        "settings: {0} not applied, keeping the previous settings: {0}:2:1: setting protocl\n",
        settings.display()
    );
    assert!(running.output().contains(&refused), "{}", running.output());
    assert_eq!(
        session_protocol(&client, running.port),
        SslProtocol::TlsV1_3
    );
}

/// `examples/client --config FILE` trusts the CA and offers the ALPN
/// protocols the file names.
#[test]
fn the_example_client_reads_its_settings_file() {
    let Some(client) = example("client") else {
        return;
    };
    let scratch = Scratch::new("settings-example-client");
    let ca = Authority::root("Client example CA");
    let id = ca.leaf("localhost");
    put(scratch.dir(), "ca.pem", ca.cert.to_pem());
    let settings = put(
        scratch.dir(),
        "client.toml",
        "ca-certificate-files = [\"ca.pem\"]\nallowed-next-protocols = [\"h2\"]\nprotocol = \"tls1.3\"\n",
    );
    let server = OurServer::start(
        id.server()
            .with_allowed_next_protocols(["http/1.1", "h2"])
            .with_ssl_option(SslOption::DisableServerCipherPreference, true)
            .unwrap(),
    );
    let address = format!("127.0.0.1:{}", server.port);
    let run = run_client(
        client.to_str().unwrap(),
        &[
            &address,
            "--servername",
            "localhost",
            "--config",
            settings.to_str().unwrap(),
            "--send",
            "ping\\n",
        ],
        b"",
    );
    assert!(run.success(), "{}", run.tail());
    let served = server.join().unwrap();
    assert_eq!(served.state.next_negotiated_protocol(), Some(&b"h2"[..]));
    assert_eq!(served.state.session_protocol(), SslProtocol::TlsV1_3);
}

// ------------------------------------------------------------- passphrases

/// A passphrase file's first line is the passphrase, whatever its line
/// ending; it is read again with the key, so both can be replaced together.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_passphrase_file_is_read_again_with_its_key() {
    let f = fixture();
    let scratch = Scratch::new("settings-passphrase");
    let encrypted = std::fs::read(f.path("enc.key")).unwrap();
    put(
        scratch.dir(),
        "enc.pem",
        std::fs::read(f.path("enc.pem")).unwrap(),
    );
    put(scratch.dir(), "enc.key", &encrypted);
    put(
        scratch.dir(),
        "key.pass",
        format!("{PASSPHRASE}\r\nnot this line\n"),
    );
    let settings = put(
        scratch.dir(),
        "server.toml",
        "[local-identity]\ncertificate-file = \"enc.pem\"\nkey-file = \"enc.key\"\n\
         key-passphrase-file = \"key.pass\"\n",
    );
    let config = SslConfiguration::from_toml_file(&settings, Side::Server).unwrap();
    config.server_config().unwrap();
    let debug = format!("{config:?} {:?}", config.local_identity());
    assert!(!debug.contains(PASSPHRASE), "{debug}");

    // A new key under a new passphrase, written by openssl.
    if !common::peer_available("openssl") {
        return;
    }
    let ca = Authority::root("Passphrase CA");
    let id = ca.leaf("localhost");
    let plain = put(scratch.dir(), "plain.key", id.key_pem());
    let new_key = scratch.dir().join("enc.key");
    common::openssl::run(&[
        "pkcs8",
        "-topk8",
        "-v2",
        "aes-256-cbc",
        "-in",
        plain.to_str().unwrap(),
        "-out",
        new_key.to_str().unwrap(),
        "-passout",
        "pass:second passphrase",
    ]);
    put(scratch.dir(), "enc.pem", id.chain_pem());
    // The old passphrase no longer opens it: a reload fails, nothing changes.
    let error = config.reload().unwrap_err();
    assert!(
        chain(&error).ends_with("wrong passphrase"),
        "{}",
        chain(&error)
    );
    put(scratch.dir(), "key.pass", "second passphrase\n");
    let reloaded = config.reload().unwrap();
    assert_eq!(reloaded.changed_files().len(), 2, "{reloaded}");
}

// ------------------------------------------------------------------ PKCS#12

/// `openssl pkcs12 -export` of `id` into `dir/server.p12` under `passphrase`.
fn export_pkcs12(dir: &Path, id: &common::Identity, passphrase: &str) {
    let pem = put(dir, "leaf.pem", id.chain_pem());
    let key = put(dir, "leaf.key", id.key_pem());
    common::openssl::run(&[
        "pkcs12",
        "-export",
        "-in",
        pem.to_str().unwrap(),
        "-inkey",
        key.to_str().unwrap(),
        "-passout",
        &format!("pass:{passphrase}"),
        "-out",
        dir.join("server.p12").to_str().unwrap(),
    ]);
}

/// The leaf `openssl s_client` was served by a server from `config` (it
/// prints it), after verifying it against `ca_file` for `localhost`.
fn served_leaf(config: &SslConfiguration, ca_file: &Path) -> sslconf::Certificate {
    let server = OurServer::start(config.clone());
    let connect = format!("127.0.0.1:{}", server.port);
    let run = run_client(
        "openssl",
        &[
            "s_client",
            "-connect",
            &connect,
            "-servername",
            "localhost",
            "-verify_hostname",
            "localhost",
            "-CAfile",
            ca_file.to_str().unwrap(),
            "-verify_return_error",
        ],
        b"ping\n",
    );
    assert!(run.success(), "{}", run.tail());
    server.join().unwrap();
    assert!(
        run.output.contains("Verify return code: 0 (ok)"),
        "{}",
        run.output
    );
    let begin = run.output.find("-----BEGIN CERTIFICATE-----").unwrap();
    let end = run.output.find("-----END CERTIFICATE-----").unwrap();
    let pem = &run.output[begin..end + "-----END CERTIFICATE-----".len()];
    sslconf::Certificate::from_pem(pem.as_bytes())
        .unwrap()
        .remove(0)
}

/// A server whose identity is a PKCS#12 file named by a settings file,
/// its passphrase in a file: `openssl s_client` verifies the chain it
/// serves; a new file under a new passphrase is read on reload once the
/// passphrase file says it, and served; written back, the settings name
/// the files, never the passphrase.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_pkcs12_identity_from_a_file_serves_s_client_and_reloads_with_its_passphrase() {
    if !common::peer_available("openssl") {
        return;
    }
    let scratch = Scratch::new("settings-pkcs12");
    let dir = scratch.dir();
    let ca = Authority::root("PKCS12 CA");
    let ca_file = put(dir, "ca.pem", ca.cert.to_pem());
    let first = ca.leaf("localhost");
    export_pkcs12(dir, &first, "first passphrase");
    put(dir, "p12.pass", "first passphrase\n");
    let settings = put(
        dir,
        "server.toml",
        "[local-identity]\npkcs12-file = \"server.p12\"\nkey-passphrase-file = \"p12.pass\"\n",
    );
    let config = SslConfiguration::from_toml_file(&settings, Side::Server).unwrap();
    assert_eq!(&served_leaf(&config, &ca_file), first.leaf());

    let text = config.to_settings_file().unwrap().to_toml().unwrap();
    assert!(!text.contains("first passphrase"), "{text}");
    assert_eq!(
        SslConfiguration::from_toml_str(&text, dir, Side::Server).unwrap(),
        config,
        "{text}"
    );
    assert!(text.contains("pkcs12-file = "), "{text}");
    assert!(!text.contains("certificate-file"), "{text}");

    // A new file under a new passphrase: the old one no longer opens it,
    // a reload fails and nothing changes, until the passphrase file is new.
    let second = ca.leaf("localhost");
    export_pkcs12(dir, &second, "second passphrase");
    let error = config.reload().unwrap_err();
    assert!(
        chain(&error).ends_with("server.p12: wrong passphrase"),
        "{}",
        chain(&error)
    );
    assert_eq!(&served_leaf(&config, &ca_file), first.leaf());
    put(dir, "p12.pass", "second passphrase\r\n");
    let reloaded = config.reload().unwrap();
    assert_eq!(
        reloaded.changed_files(),
        [dir.join("server.p12")],
        "{reloaded}"
    );
    assert_eq!(&served_leaf(&config, &ca_file), second.leaf());
}

/// Every identity table takes a PKCS#12 file: a server-name identity with
/// its passphrase in a variable, an added one from `openssl pkcs12 -export`
/// without a passphrase; each reads what `Identity::from_pkcs12_file`
/// reads, and a passphrase given as a value is refused when writing back.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn every_identity_table_takes_a_pkcs12_file() {
    let f = fixture();
    let text = format!(
        "[[added-local-identities]]\npkcs12-file = \"id.p12\"\nkey-passphrase-file = \"p12.pass\"\n\
         [[server-name-identities]]\nnames = [\"p12.example\"]\npkcs12-file = \"id.p12\"\n\
         key-passphrase-env = \"{P12_PASSPHRASE_VARIABLE}\"\n"
    );
    let config = SslConfiguration::from_toml_str(&text, &f.dir, Side::Server).unwrap();
    let from_code = SslConfiguration::new()
        .with_peer_verify_depth(0)
        .with_added_local_identity(
            Identity::from_pkcs12_file(f.path("id.p12"), Passphrase::from_file(f.path("p12.pass")))
                .unwrap(),
        )
        .with_server_name_identity(
            ["p12.example"],
            Identity::from_pkcs12_file(
                f.path("id.p12"),
                Passphrase::from_env(P12_PASSPHRASE_VARIABLE).unwrap(),
            )
            .unwrap(),
        );
    assert_eq!(config, from_code);
    config.server_config().unwrap();

    let expected =
        Identity::from_pkcs12_file(f.path("id.p12"), Passphrase::new(P12_PASSPHRASE.as_bytes()))
            .unwrap();
    let from_value = SslConfiguration::new().with_local_identity(expected);
    assert_eq!(
        chain(&from_value.to_settings_file().unwrap_err()),
        "cannot write setting local-identity.key-passphrase-file to a settings file: a \
         passphrase given as a value is never written: read it from a file or an environment \
         variable"
    );
    // A variable that is not set names the field and the PKCS#12 file.
    let unset = "[local-identity]\npkcs12-file = \"id.p12\"\nkey-passphrase-env = \"SSLCONF_NO_SUCH_VARIABLE\"\n";
    let error = SslConfiguration::from_toml_str(unset, &f.dir, Side::Server).unwrap_err();
    assert_eq!(
        chain(&error).replace(&format!("{}/", f.dir.display()), ""),
        "TOML input:3:22: setting local-identity.key-passphrase-env: environment variable \
         SSLCONF_NO_SUCH_VARIABLE, which should hold a passphrase, is not set"
    );
    if !f.openssl {
        common::skipped("without openssl, no PKCS#12 file without a passphrase");
        return;
    }
    let plain = SslConfiguration::from_toml_str(
        "[local-identity]\npkcs12-file = \"server.p12\"\n",
        &f.dir,
        Side::Server,
    )
    .unwrap();
    let local = plain.local_identity().unwrap();
    // What openssl exported: the PEM chain and key.
    let pem = identity(Unlock::Plain("server", false));
    assert_eq!(local.certificate_chain(), pem.certificate_chain());
    assert_eq!(local.private_key(), pem.private_key());
    assert_eq!(
        plain.to_settings_file().unwrap().to_toml().unwrap(),
        format!(
            "[local-identity]\npkcs12-file = \"{}\"\n",
            f.path("server.p12").display()
        )
    );
}
