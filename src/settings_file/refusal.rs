//! What a side's conversion refuses, found when the file is read: the
//! configuration is converted there and the conversion's error is mapped
//! to the field that caused it. The rules stay the conversion's own, so
//! loading and converting cannot disagree.

use super::load::FieldError;
use super::location::FieldPath;
use super::{SettingsFile, Side};
use crate::{Error, InvalidInput, SslConfiguration};

/// Converts `config` for `side` (the result stays cached in it), or names
/// the field of `file` (the side's settings) that the conversion refused.
pub(super) fn check(
    config: &SslConfiguration,
    side: Side,
    file: &SettingsFile,
) -> Result<(), FieldError> {
    let converted = match side {
        Side::Server => config.server_config().map(drop),
        Side::Client => config.client_config().map(drop),
    };
    converted.map_err(|error| refused(error, file, side))
}

/// The field a conversion error is about, and whether the file lacks it.
fn refused(error: Error, file: &SettingsFile, side: Side) -> FieldError {
    let key = FieldPath::key;
    let (path, absent) = match &error {
        Error::UnsupportedProtocol { .. } => (key("protocol"), file.protocol.is_none()),
        Error::NoCipherForProtocol { .. } => first_given(&[
            ("ciphers", file.ciphers.is_some()),
            ("protocol", file.protocol.is_some()),
            ("mozilla-profile", file.mozilla_profile.is_some()),
        ]),
        Error::UnsupportedKeyExchangeGroups { .. } => (
            key("key-exchange-groups"),
            file.key_exchange_groups.is_none(),
        ),
        Error::InvalidAlpnProtocol { index, .. } => {
            (key("allowed-next-protocols").index(*index), false)
        }
        // No identity can serve: the names refused are all there is.
        Error::MissingLocalCertificate { .. }
            if file.unknown_server_names_refused == Some(true)
                && file.server_name_identities.is_empty() =>
        {
            (key("unknown-server-names-refused"), false)
        }
        Error::MissingLocalCertificate { .. }
        | Error::KeyMismatch { .. }
        | Error::UnusablePrivateKey { .. }
        | Error::OcspResponse { .. } => (key("local-identity"), file.local_identity.is_none()),
        Error::ServerNameIdentity { pattern, source } => (named(file, pattern, source), false),
        Error::AddedIdentity { index, .. } => (key("added-local-identities").index(*index), false),
        Error::NoCaCertificates { .. } => first_given(&[
            ("peer-verify-mode", file.peer_verify_mode.is_some()),
            (
                "system-ca-certificates",
                file.system_ca_certificates.is_some(),
            ),
            ("ca-certificate-files", file.ca_certificate_files.is_some()),
        ]),
        Error::InvalidCaCertificate { .. } => (
            key("ca-certificate-files"),
            file.ca_certificate_files.is_none(),
        ),
        Error::InvalidSessionTicketLifetime { .. } => (
            key("session-ticket-lifetime-seconds"),
            file.session_ticket_lifetime_seconds.is_none(),
        ),
        Error::OpenKeyLog { .. } | Error::UnsafeKeyLog { .. } => first_given(&[
            ("key-log-file", file.key_log_file.is_some()),
            ("key-log-from-env", file.key_log_from_env),
        ]),
        // Anything else is about the side's settings as a whole.
        _ => (key(side.name()), false),
    };
    let reason = match error {
        Error::ServerNameIdentity { source, .. } | Error::AddedIdentity { source, .. } => {
            reason(*source)
        }
        other => reason(other),
    };
    FieldError {
        path,
        source: Box::new(reason),
        absent,
    }
}

/// The first of `keys` the file gives; else the first, missing.
fn first_given(keys: &[(&str, bool)]) -> (FieldPath, bool) {
    match keys.iter().find(|(_, given)| *given) {
        Some((key, _)) => (FieldPath::key(key), false),
        None => (FieldPath::key(keys[0].0), true),
    }
}

/// The server-name identity serving `pattern`, or its name when the name
/// itself is what is wrong.
fn named(file: &SettingsFile, pattern: &str, source: &Error) -> FieldPath {
    let list = FieldPath::key("server-name-identities");
    for (index, identity) in file.server_name_identities.iter().enumerate() {
        if let Some(name) = identity.names.iter().position(|n| n == pattern) {
            let at = list.index(index);
            return match source {
                Error::InvalidHostName { .. } | Error::NameNotCovered { .. } => {
                    at.then("names").index(name)
                }
                _ => at,
            };
        }
    }
    list
}

/// A conversion error as a settings file states it: without the
/// `setting <name>: ` its message starts with (the file names its own
/// field), its cause kept as the cause.
pub(super) fn reason(error: Error) -> InvalidInput {
    let message = error.to_string();
    let reason = without_setting(&message).to_owned();
    match error {
        Error::UnusablePrivateKey { source, .. } => InvalidInput::caused(reason, source),
        Error::InvalidCaCertificate { source, .. } => InvalidInput::caused(reason, source),
        Error::OpenKeyLog { source, .. } => InvalidInput::caused(reason, source),
        _ => InvalidInput::new(reason),
    }
}

/// `message` without a leading `setting <name>: `.
fn without_setting(message: &str) -> &str {
    message
        .strip_prefix("setting ")
        .and_then(|rest| rest.split_once(": "))
        .map_or(message, |(_, reason)| reason)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::{KeyAlgorithm, SslOption, SslProtocol};

    /// Every error a conversion gives about a setting loses its
    /// `setting ...: ` (which would say the field twice), and keeps the
    /// rest and its cause.
    #[test]
    fn reasons_drop_the_settings_name_and_keep_the_cause() {
        let cases = [
            Error::UnsupportedProtocol {
                protocol: SslProtocol::TlsV1_1,
            },
            Error::NoCipherForProtocol {
                protocol: SslProtocol::TlsV1_3,
            },
            Error::UnsupportedKeyExchangeGroups {
                reason: "the list is empty".into(),
            },
            Error::UnsupportedOption {
                option: SslOption::DisableCompression,
            },
            Error::InvalidAlpnProtocol { index: 0, len: 0 },
            Error::MissingLocalCertificate {
                reason: "setting local_identity: needed",
            },
            Error::NoCaCertificates { reason: "none" },
            Error::InvalidSessionTicketLifetime {
                lifetime: Duration::ZERO,
                reason: "is too short",
            },
            Error::UnsafeKeyLog {
                path: "k.log".into(),
                reason: "a link".into(),
            },
            Error::OpenKeyLog {
                path: "k.log".into(),
                source: std::io::Error::other("denied"),
            },
        ];
        for error in cases {
            let message = error.to_string();
            let had_cause = std::error::Error::source(&error).is_some();
            let reason = reason(error);
            assert!(message.starts_with("setting "), "{message}");
            assert!(!reason.to_string().starts_with("setting "), "{reason}");
            assert!(message.ends_with(&reason.to_string()), "{message}");
            assert_eq!(
                std::error::Error::source(&reason).is_some(),
                had_cause,
                "{message}"
            );
        }
        // An identity's own errors name its certificate, no setting: kept
        // whole, cause and all.
        for error in [
            Error::KeyMismatch {
                subject: "a".into(),
            },
            Error::UnusablePrivateKey {
                algorithm: KeyAlgorithm::Ec,
                source: rustls::Error::General("no".into()),
            },
        ] {
            let message = error.to_string();
            let had_cause = std::error::Error::source(&error).is_some();
            let reason = reason(error);
            assert_eq!(reason.to_string(), message);
            assert_eq!(
                std::error::Error::source(&reason).is_some(),
                had_cause,
                "{message}"
            );
        }
        // A message of another form is kept whole.
        assert_eq!(
            without_setting("invalid host name \"x\""),
            "invalid host name \"x\""
        );
    }
}
