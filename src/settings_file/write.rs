//! An [`SslConfiguration`] back into a [`SettingsFile`]: every setting by
//! name or by the file it was read from. Secrets are never written, and
//! what was given as a value rather than a file is a typed error naming
//! the setting.

use std::path::PathBuf;
use std::time::Duration;

use super::{IdentitySettings, ServerNameIdentitySettings, SettingsFile};
use crate::settings::{Settings, SslOptions};
use crate::{
    Error, Identity, InvalidInput, KeyExchangeGroup, KeyLogDestination, RevocationDepth, SslOption,
    SslProtocol,
};

fn not_writable(field: impl Into<String>, reason: impl Into<InvalidInput>) -> Error {
    Error::SettingNotWritable {
        field: field.into(),
        source: reason.into(),
    }
}

pub(super) fn settings_file(s: &Settings) -> Result<SettingsFile, Error> {
    if s.protocol == Some(SslProtocol::UnknownProtocol) {
        return Err(not_writable(
            "protocol",
            "UnknownProtocol is a session's state, not a setting",
        ));
    }
    if let Some(group) = s
        .groups
        .iter()
        .flatten()
        .find(|g| KeyExchangeGroup::from_name(g.name()) != Some(**g))
    {
        return Err(not_writable(
            "key-exchange-groups",
            format!("key exchange group {group} has no name"),
        ));
    }
    let mut file = SettingsFile {
        protocol: s.protocol,
        ciphers: s.ciphers.clone(),
        key_exchange_groups: s.groups.clone(),
        peer_verify_mode: s.peer_verify_mode,
        peer_verify_depth: (s.peer_verify_depth != 0).then_some(s.peer_verify_depth),
        ..SettingsFile::default()
    };
    write_ca(s, &mut file)?;
    write_revocation(s, &mut file)?;
    if !s.pins.keys.is_empty() {
        file.public_key_pins = Some(s.pins.keys.clone());
    }
    file.public_key_pins_only = s.pins.only.then_some(true);
    file.ocsp_stapling = s.ocsp_stapling.then_some(true);
    if !s.expected_errors.is_empty() {
        return Err(not_writable(
            "expected-ssl-errors",
            "a settings file has no field for expected errors: set them in code",
        ));
    }
    if !s.alpn.is_empty() {
        let mut names = Vec::new();
        for (index, name) in s.alpn.iter().enumerate() {
            let name = String::from_utf8(name.clone()).map_err(|_| {
                not_writable(
                    format!("allowed-next-protocols[{index}]"),
                    "the protocol name is not UTF-8",
                )
            })?;
            names.push(name);
        }
        file.allowed_next_protocols = Some(names);
    }
    let defaults = SslOptions::default();
    file.ssl_options = SslOption::ALL
        .iter()
        .copied()
        .filter(|&o| s.options.contains(o) != defaults.contains(o))
        .map(|o| (o, s.options.contains(o)))
        .collect();
    match &s.key_log {
        Some(KeyLogDestination::File(path)) => file.key_log_file = Some(path.clone()),
        Some(KeyLogDestination::Environment) => file.key_log_from_env = true,
        None => {}
    }
    if let Some(identity) = s.local_identity() {
        file.local_identity = Some(identity_settings(&identity, "local-identity")?);
    }
    for (index, identity) in s.added_identities.iter().enumerate() {
        let field = format!("added-local-identities[{index}]");
        file.added_local_identities
            .push(identity_settings(identity, &field)?);
    }
    for (index, named) in s.named_identities.iter().enumerate() {
        let field = format!("server-name-identities[{index}]");
        let identity = identity_settings(&named.identity, &field)?;
        file.server_name_identities
            .push(ServerNameIdentitySettings::new(
                named.patterns.clone(),
                identity,
            ));
    }
    file.unknown_server_names_refused = s.refuse_unknown_names.then_some(true);
    if let Some(keys) = &s.ticket_keys {
        let files: Vec<PathBuf> = keys.files().to_vec();
        if files.is_empty() {
            return Err(not_writable(
                "session-ticket-key-files",
                "session ticket keys given as values (generated or from bytes), not read from files",
            ));
        }
        file.session_ticket_key_files = Some(files);
    }
    if let Some(lifetime) = s.ticket_lifetime {
        if lifetime.subsec_nanos() != 0 {
            return Err(not_writable(
                "session-ticket-lifetime-seconds",
                format!("{lifetime:?} is not a whole number of seconds"),
            ));
        }
        file.session_ticket_lifetime_seconds = Some(lifetime.as_secs());
    }
    if let Some(timeout) = s.handshake_timeout {
        let field = "handshake-timeout-ms";
        let ms = u64::try_from(timeout.as_millis()).map_err(|_| {
            not_writable(
                field,
                format!("{timeout:?} is too long to write in milliseconds"),
            )
        })?;
        if Duration::from_millis(ms) != timeout {
            return Err(not_writable(
                field,
                format!("{timeout:?} is not a whole number of milliseconds"),
            ));
        }
        file.handshake_timeout_ms = Some(ms);
    }
    Ok(file)
}

/// The CA settings: the files they were read from, or that the system store
/// is off.
fn write_ca(s: &Settings, file: &mut SettingsFile) -> Result<(), Error> {
    let ca = &s.ca;
    if let Some(files) = &ca.files {
        if !ca.certificates.is_empty() {
            return Err(not_writable(
                "ca-certificate-files",
                "CA certificates given as values besides those read from files",
            ));
        }
        file.ca_certificate_files = Some(files.files().to_vec());
    } else if !ca.certificates.is_empty() {
        return Err(not_writable(
            "ca-certificate-files",
            "CA certificates given as values, not read from files",
        ));
    } else if !ca.system {
        file.system_ca_certificates = Some(false);
    }
    Ok(())
}

/// The revocation lists' files and the policies that differ from the
/// defaults.
fn write_revocation(s: &Settings, file: &mut SettingsFile) -> Result<(), Error> {
    let revocation = &s.revocation;
    if let Some(files) = &revocation.files {
        // `with_revocation_list_files` and `with_revocation_lists` replace
        // each other: the lists are those of the files.
        file.revocation_list_files = Some(files.files().to_vec());
    } else if !revocation.lists.is_empty() {
        return Err(not_writable(
            "revocation-list-files",
            "revocation lists given as values, not read from files",
        ));
    }
    file.revocation_depth =
        (revocation.depth != RevocationDepth::default()).then_some(revocation.depth);
    file.unknown_revocation_status_allowed = revocation.unknown_status_allowed.then_some(true);
    file.expired_revocation_lists_allowed = revocation.expired_lists_allowed.then_some(true);
    Ok(())
}

/// The files an identity was read from and where its key's passphrase
/// comes from; never the passphrase.
fn identity_settings(identity: &Identity, field: &str) -> Result<IdentitySettings, Error> {
    let Some((chain, key)) = identity.files() else {
        return Err(not_writable(
            field,
            "a certificate chain and key given as values, not read from files",
        ));
    };
    let mut settings = match identity.pkcs12_file() {
        Some(pkcs12) => IdentitySettings::pkcs12(pkcs12),
        None => IdentitySettings::new(chain, key),
    };
    #[cfg(feature = "encrypted-keys")]
    if let Some(passphrase) = identity.passphrase() {
        settings.key_passphrase_file = passphrase.file().map(std::path::Path::to_owned);
        settings.key_passphrase_env = passphrase.variable().map(str::to_owned);
        if settings.key_passphrase_file.is_none() && settings.key_passphrase_env.is_none() {
            return Err(not_writable(
                format!("{field}.key-passphrase-file"),
                "a passphrase given as a value is never written: read it from a file or an \
                 environment variable",
            ));
        }
    }
    match (identity.ocsp_response(), identity.ocsp_response_file()) {
        (_, Some(path)) => settings.ocsp_response_file = Some(path.to_owned()),
        (Some(_), None) => {
            return Err(not_writable(
                format!("{field}.ocsp-response-file"),
                "an OCSP response given as bytes, not read from a file",
            ))
        }
        (None, None) => {}
    }
    Ok(settings)
}
