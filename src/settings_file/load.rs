//! A [`SettingsFile`] into an [`SslConfiguration`], through the public
//! setters, so that a file goes through exactly the paths code does. Each
//! failure names the field whose value failed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::location::FieldPath;
use super::refusal;
use super::{IdentitySettings, SettingsFile};
#[cfg(feature = "encrypted-keys")]
use crate::Passphrase;
use crate::{
    Certificate, Error, Identity, InvalidInput, RevocationList, SslConfiguration, TicketKeys,
};

/// What went wrong, and in which field.
#[derive(Debug)]
pub(super) struct FieldError {
    pub(super) path: FieldPath,
    pub(super) source: Box<dyn std::error::Error + Send + Sync>,
    /// The field is not in the file: what is wrong is that it is missing.
    pub(super) absent: bool,
}

impl FieldError {
    pub(super) fn new(
        path: FieldPath,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            path,
            source: source.into(),
            absent: false,
        }
    }

    /// Two fields that exclude each other: the error is at the second.
    fn conflict(path: FieldPath, first: &str, second: &str) -> Self {
        Self::new(
            path,
            InvalidInput::new(format!("expected {first} or {second}, not both")),
        )
    }
}

/// The configuration a settings file describes; relative paths are taken
/// relative to `base`.
pub(super) fn configuration(
    file: &SettingsFile,
    base: &Path,
) -> Result<SslConfiguration, FieldError> {
    let resolve = |path: &Path| base.join(path);
    // A configuration read from a file is a configured one, never null,
    // even when the file is empty: 0 is the default depth.
    let mut config = SslConfiguration::new().with_peer_verify_depth(0);
    // First, so that the fields it sets, given beside it, replace its values.
    if let Some(profile) = file.mozilla_profile {
        config = config.with_mozilla_profile(profile);
    }
    if let Some(protocol) = file.protocol {
        config = config.with_protocol(protocol);
    }
    if let Some(ciphers) = &file.ciphers {
        config = config.with_ciphers(ciphers.iter().copied());
    }
    if let Some(groups) = &file.key_exchange_groups {
        config = config.with_key_exchange_groups(groups.iter().copied());
    }
    match (&file.ca_certificate_files, file.system_ca_certificates) {
        (Some(_), Some(true)) => {
            return Err(FieldError::new(
                FieldPath::key("system-ca-certificates"),
                InvalidInput::new(
                    "expected false or no ca-certificate-files: CA certificate files replace \
                     the system store",
                ),
            ))
        }
        (Some(files), _) => {
            let files: Vec<PathBuf> = files.iter().map(|f| resolve(f)).collect();
            for (index, path) in files.iter().enumerate() {
                Certificate::from_path(path).map_err(|e| {
                    FieldError::new(FieldPath::key("ca-certificate-files").index(index), e)
                })?;
            }
            config = config
                .with_ca_certificate_files(&files)
                .map_err(|e| FieldError::new(FieldPath::key("ca-certificate-files"), e))?;
        }
        (None, Some(false)) => config = config.with_ca_certificates([]),
        (None, Some(true) | None) => {}
    }
    config = revocation(file, config, base)?;
    if let Some(pins) = &file.public_key_pins {
        config = config.with_public_key_pins(pins.iter().copied());
    }
    if let Some(only) = file.public_key_pins_only {
        config = config.with_public_key_pins_only(only);
    }
    if let Some(mode) = file.peer_verify_mode {
        config = config.with_peer_verify_mode(mode);
    }
    if let Some(depth) = file.peer_verify_depth {
        config = config.with_peer_verify_depth(depth);
    }
    if let Some(alpn) = &file.allowed_next_protocols {
        config = config.with_allowed_next_protocols(alpn.iter().map(|p| p.as_bytes().to_vec()));
    }
    for &(option, on) in &file.ssl_options {
        config = config.with_ssl_option(option, on).map_err(|error| {
            FieldError::new(
                FieldPath::key("ssl-options").then(&option.to_string()),
                refusal::reason(error),
            )
        })?;
    }
    if let Some(enabled) = file.ocsp_stapling {
        config = config.with_ocsp_stapling_enabled(enabled);
    }
    match (&file.key_log_file, file.key_log_from_env) {
        (Some(_), true) => {
            return Err(FieldError::conflict(
                FieldPath::key("key-log-from-env"),
                "key-log-file",
                "key-log-from-env",
            ))
        }
        (Some(path), false) => config = config.with_key_log_file(resolve(path)),
        (None, true) => config = config.with_key_log_from_env(),
        (None, false) => {}
    }
    if let Some(identity) = &file.local_identity {
        let path = FieldPath::key("local-identity");
        config = config.with_local_identity(identity_of(identity, base, path)?);
    }
    for (index, identity) in file.added_local_identities.iter().enumerate() {
        let path = FieldPath::key("added-local-identities").index(index);
        config = config.with_added_local_identity(identity_of(identity, base, path)?);
    }
    for (index, named) in file.server_name_identities.iter().enumerate() {
        let path = FieldPath::key("server-name-identities").index(index);
        let identity = identity_of(&named.identity(), base, path)?;
        config = config.with_server_name_identity(named.names.iter().cloned(), identity);
    }
    if let Some(refused) = file.unknown_server_names_refused {
        config = config.with_unknown_server_names_refused(refused);
    }
    if let Some(files) = &file.session_ticket_key_files {
        let files: Vec<PathBuf> = files.iter().map(|f| resolve(f)).collect();
        for (index, path) in files.iter().enumerate() {
            TicketKeys::from_path(path).map_err(|e| {
                FieldError::new(FieldPath::key("session-ticket-key-files").index(index), e)
            })?;
        }
        let keys = TicketKeys::from_paths(&files)
            .map_err(|e| FieldError::new(FieldPath::key("session-ticket-key-files"), e))?;
        config = config.with_session_ticket_keys(keys);
    }
    if let Some(seconds) = file.session_ticket_lifetime_seconds {
        config = config.with_session_ticket_lifetime(Duration::from_secs(seconds));
    }
    if let Some(ms) = file.handshake_timeout_ms {
        config = config.with_handshake_timeout(Duration::from_millis(ms));
    }
    Ok(config)
}

/// The revocation lists and how they are checked.
fn revocation(
    file: &SettingsFile,
    mut config: SslConfiguration,
    base: &Path,
) -> Result<SslConfiguration, FieldError> {
    if let Some(files) = &file.revocation_list_files {
        let files: Vec<PathBuf> = files.iter().map(|f| base.join(f)).collect();
        // Each file on its own first, for the error to name its element.
        for (index, path) in files.iter().enumerate() {
            RevocationList::from_path(path).map_err(|e| {
                FieldError::new(FieldPath::key("revocation-list-files").index(index), e)
            })?;
        }
        config = config
            .with_revocation_list_files(&files)
            .map_err(|e| FieldError::new(FieldPath::key("revocation-list-files"), e))?;
    }
    if let Some(depth) = file.revocation_depth {
        config = config.with_revocation_depth(depth);
    }
    if let Some(allowed) = file.unknown_revocation_status_allowed {
        config = config.with_unknown_revocation_status_allowed(allowed);
    }
    if let Some(allowed) = file.expired_revocation_lists_allowed {
        config = config.with_expired_revocation_lists_allowed(allowed);
    }
    Ok(config)
}

/// Why a build without the `pkcs12` or `encrypted-keys` feature cannot
/// read an identity: a PKCS#12 file, or a key with a passphrase.
fn not_enabled(files: &Files) -> Error {
    match files {
        Files::Pkcs12(file) => Error::FeatureNotEnabled {
            what: format!("the PKCS#12 file {}", file.display()),
            feature: "pkcs12",
        },
        Files::Pem(_, key) => Error::FeatureNotEnabled {
            what: format!("the passphrase of the private key in {}", key.display()),
            feature: "encrypted-keys",
        },
    }
}

/// The passphrase an identity table names: from a file, from a variable,
/// or (for a PKCS#12 file) empty.
#[cfg(feature = "encrypted-keys")]
fn passphrase_of(file: &Option<PathBuf>, variable: Option<&str>) -> Result<Passphrase, Error> {
    match (file, variable) {
        (Some(file), _) => Ok(Passphrase::from_file(file)),
        (None, Some(variable)) => Passphrase::from_env(variable),
        (None, None) => Ok(Passphrase::new("")),
    }
}

/// The files an identity table names, made absolute.
enum Files {
    /// A chain file and its key file.
    Pem(PathBuf, PathBuf),
    /// One PKCS#12 file.
    Pkcs12(PathBuf),
}

/// An identity read from the files a table names, the error at the field
/// whose value failed.
fn identity_of(
    settings: &IdentitySettings,
    base: &Path,
    path: FieldPath,
) -> Result<Identity, FieldError> {
    let passphrase_file = settings.key_passphrase_file.as_ref().map(|f| base.join(f));
    if passphrase_file.is_some() && settings.key_passphrase_env.is_some() {
        return Err(FieldError::conflict(
            path.then("key-passphrase-env"),
            "key-passphrase-file",
            "key-passphrase-env",
        ));
    }
    let files = match (
        &settings.certificate_file,
        &settings.key_file,
        &settings.pkcs12_file,
    ) {
        (Some(chain), Some(key), None) => Files::Pem(base.join(chain), base.join(key)),
        (None, None, Some(pkcs12)) => Files::Pkcs12(base.join(pkcs12)),
        (Some(_), _, Some(_)) | (_, Some(_), Some(_)) => {
            return Err(FieldError::new(
                path.then("pkcs12-file"),
                InvalidInput::new(
                    "expected certificate-file and key-file, or pkcs12-file, not both",
                ),
            ))
        }
        (_, _, None) => {
            return Err(FieldError::new(
                path,
                InvalidInput::new("expected certificate-file and key-file, or pkcs12-file"),
            ))
        }
    };
    let env = settings.key_passphrase_env.as_deref();
    let result = match (&files, &passphrase_file, env) {
        (Files::Pem(chain, key), None, None) => Identity::from_files(chain, key),
        #[cfg(feature = "encrypted-keys")]
        (Files::Pem(chain, key), file, variable) => passphrase_of(file, variable)
            .and_then(|passphrase| Identity::from_files_with_passphrase(chain, key, passphrase)),
        #[cfg(feature = "pkcs12")]
        (Files::Pkcs12(pkcs12), file, variable) => passphrase_of(file, variable)
            .and_then(|passphrase| Identity::from_pkcs12_file(pkcs12, passphrase)),
        // What this build has no feature to read: refused, naming it.
        #[allow(unreachable_patterns)]
        (files, _, _) => Err(not_enabled(files)),
    };
    let identity = result.map_err(|error| {
        let passphrase_field = if env.is_some() {
            "key-passphrase-env"
        } else {
            "key-passphrase-file"
        };
        let field = match (&files, &error) {
            (Files::Pem(chain, _), Error::ReadFile { path: failed, .. }) if failed == chain => {
                "certificate-file"
            }
            (Files::Pem(_, key), Error::ReadFile { path: failed, .. }) if failed == key => {
                "key-file"
            }
            (Files::Pkcs12(pkcs12), Error::ReadFile { path: failed, .. }) if failed == pkcs12 => {
                "pkcs12-file"
            }
            (_, Error::ReadFile { .. }) => "key-passphrase-file",
            (_, Error::InvalidCertificate { .. }) => "certificate-file",
            (_, Error::InvalidPkcs12 { .. }) => "pkcs12-file",
            (Files::Pkcs12(_), Error::FeatureNotEnabled { .. }) => "pkcs12-file",
            (_, Error::FeatureNotEnabled { .. }) if passphrase_file.is_some() || env.is_some() => {
                passphrase_field
            }
            // Without a passphrase field, the file is what is wrong.
            (_, Error::Pkcs12WrongPassphrase { .. })
                if passphrase_file.is_none() && env.is_none() =>
            {
                "pkcs12-file"
            }
            (
                _,
                Error::WrongPassphrase { .. }
                | Error::Pkcs12WrongPassphrase { .. }
                | Error::PassphraseVariableUnset { .. },
            ) => passphrase_field,
            _ => "key-file",
        };
        FieldError::new(path.clone().then(field), error)
    })?;
    // What conversion checks of each identity (its key is the
    // certificate's, and one the provider signs with), here where the file
    // can say which identity is wrong.
    if !identity.certificate_chain().is_empty() {
        let key_field = match files {
            Files::Pem(..) => "key-file",
            Files::Pkcs12(_) => "pkcs12-file",
        };
        crate::convert::certify(identity.certificate_chain(), identity.private_key())
            .map_err(|e| FieldError::new(path.clone().then(key_field), refusal::reason(e)))?;
    }
    let Some(response) = &settings.ocsp_response_file else {
        return Ok(identity);
    };
    let field = path.then("ocsp-response-file");
    #[cfg(not(feature = "ocsp"))]
    return Err(FieldError::new(
        field,
        Error::FeatureNotEnabled {
            what: format!("the ocsp response in {}", base.join(response).display()),
            feature: "ocsp",
        },
    ));
    #[cfg(feature = "ocsp")]
    {
        let identity = identity
            .with_ocsp_response_file(base.join(response))
            .map_err(|e| FieldError::new(field.clone(), e))?;
        // What conversion checks, here where the file can say which field is
        // wrong; conversion logs what deserves a warning (a stale response).
        if let Some(staple) = identity.ocsp() {
            staple
                .check(identity.certificate_chain(), std::time::SystemTime::now())
                .map_err(|e| FieldError::new(field, e))?;
        }
        Ok(identity)
    }
}

/// What a build without a feature does with the settings that need it.
#[cfg(all(test, not(all(feature = "pkcs12", feature = "ocsp"))))]
mod tests {
    use std::path::PathBuf;

    use crate::{Error, Side, SslConfiguration};

    /// A directory with a certificate and its key, `server.pem` and
    /// `server.key`.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sslconf-load-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        std::fs::write(dir.join("server.pem"), cert.pem()).unwrap();
        std::fs::write(dir.join("server.key"), key.serialize_pem()).unwrap();
        dir
    }

    /// The field and the message of the cause of a settings file error.
    fn refused(toml: &str, dir: &PathBuf) -> (String, String) {
        match SslConfiguration::from_toml_str(toml, dir, Side::Server) {
            Err(Error::SettingsFile { field, source, .. }) => (field, source.to_string()),
            other => panic!("expected a settings file error, got {other:?}"),
        }
    }

    #[test]
    fn settings_that_need_a_missing_feature_are_refused_naming_it() {
        let dir = scratch("features");
        let mut cases = Vec::new();
        if cfg!(not(feature = "pkcs12")) {
            // Refused before the file is read: it need not exist.
            cases.push((
                r#"local-identity = { pkcs12-file = "id.p12" }"#,
                "local-identity.pkcs12-file",
                format!(
                    "the PKCS#12 file {} needs the `pkcs12` feature of sslconf, \
                     which this build does not enable",
                    dir.join("id.p12").display()
                ),
            ));
        }
        if cfg!(not(feature = "encrypted-keys")) {
            cases.push((
                r#"local-identity = { certificate-file = "server.pem", key-file = "server.key", key-passphrase-env = "NO_SUCH_VARIABLE" }"#,
                "local-identity.key-passphrase-env",
                format!(
                    "the passphrase of the private key in {} needs the `encrypted-keys` \
                     feature of sslconf, which this build does not enable",
                    dir.join("server.key").display()
                ),
            ));
        }
        if cfg!(not(feature = "ocsp")) {
            cases.push((
                r#"local-identity = { certificate-file = "server.pem", key-file = "server.key", ocsp-response-file = "server.ocsp" }"#,
                "local-identity.ocsp-response-file",
                format!(
                    "the ocsp response in {} needs the `ocsp` feature of sslconf, \
                     which this build does not enable",
                    dir.join("server.ocsp").display()
                ),
            ));
        }
        assert!(!cases.is_empty());
        for (toml, field, message) in cases {
            assert_eq!(refused(toml, &dir), (field.to_owned(), message), "{toml}");
        }
        // Without those settings, the same identity loads.
        let plain =
            r#"local-identity = { certificate-file = "server.pem", key-file = "server.key" }"#;
        assert!(SslConfiguration::from_toml_str(plain, &dir, Side::Server).is_ok());
        let _ = std::fs::remove_dir_all(dir);
    }
}
