//! The side a settings file is loaded for, and that side's settings: the
//! top level with the side's table (`[server]` or `[client]`) over it.

use std::fmt;
use std::str::FromStr;

use super::load::FieldError;
use super::location::FieldPath;
use super::SettingsFile;
use crate::{Error, InvalidInput};

/// Which side of its connections a settings file configures: the server
/// that accepts them or the client that makes them. One file can hold
/// both (see [`SettingsFile`]); every load names the side it is for, takes
/// the top level with that side's table over it, and refuses there what
/// that side's conversion would refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Side {
    /// The side that accepts connections: `[server]`,
    /// [`server_config`](crate::SslConfiguration::server_config).
    Server,
    /// The side that makes connections: `[client]`,
    /// [`client_config`](crate::SslConfiguration::client_config).
    Client,
}

impl Side {
    /// The side's table in a settings file: `"server"` or `"client"`.
    pub fn name(self) -> &'static str {
        match self {
            Side::Server => "server",
            Side::Client => "client",
        }
    }

    /// The other side.
    fn other(self) -> Side {
        match self {
            Side::Server => Side::Client,
            Side::Client => Side::Server,
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Side {
    type Err = Error;

    /// `server` or `client`, in any case.
    fn from_str(name: &str) -> Result<Self, Error> {
        [Side::Server, Side::Client]
            .into_iter()
            .find(|side| side.name().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| Error::UnknownName {
                what: "side",
                name: name.to_owned(),
                expected: "server or client",
            })
    }
}

/// The settings of one side, and which of them its table gave.
pub(super) struct Sided {
    side: Side,
    /// The top level with the side's table over it, without side tables.
    settings: SettingsFile,
    /// The fields the side's table gave (a top-level key, or one option of
    /// `ssl-options`): their errors are in the side's table.
    given: Vec<FieldPath>,
    /// Whether the file has a table for the side: a setting missing for it
    /// belongs there.
    has_table: bool,
}

impl Sided {
    /// The settings of `side`, once both side tables are checked to hold
    /// only what their side uses.
    pub(super) fn new(file: &SettingsFile, side: Side) -> Result<Sided, FieldError> {
        for each in [Side::Server, Side::Client] {
            if let Some(table) = file.table(each) {
                check_table(table, each)?;
            }
        }
        let mut settings = file.clone();
        settings.server = None;
        settings.client = None;
        let mut given = Vec::new();
        if let Some(table) = file.table(side) {
            overlay(&mut settings, table, &mut given);
        }
        Ok(Sided {
            side,
            settings,
            given,
            has_table: file.table(side).is_some(),
        })
    }

    pub(super) fn settings(&self) -> &SettingsFile {
        &self.settings
    }

    /// `error`, its path made the file's: inside the side's table when the
    /// table gave the field, or when the field is missing and the file has
    /// a table for the side (where it would go).
    pub(super) fn relocate(&self, mut error: FieldError) -> FieldError {
        let in_table = self.given.iter().any(|given| given.covers(&error.path))
            || (error.absent && self.has_table);
        if in_table {
            error.path = FieldPath::key(self.side.name()).join(error.path);
        }
        error
    }
}

impl SettingsFile {
    /// The table of `side`, if the file has one.
    fn table(&self, side: Side) -> Option<&SettingsFile> {
        match side {
            Side::Server => self.server.as_deref(),
            Side::Client => self.client.as_deref(),
        }
    }
}

/// Settings that one side never uses, by the side that does: in the other
/// side's table they are a mistake (at the top level, that side ignores
/// them).
fn one_sided(table: &SettingsFile) -> Vec<(&'static str, Side)> {
    let mut found = Vec::new();
    let server = [
        (
            "added-local-identities",
            !table.added_local_identities.is_empty(),
        ),
        (
            "server-name-identities",
            !table.server_name_identities.is_empty(),
        ),
        (
            "unknown-server-names-refused",
            table.unknown_server_names_refused.is_some(),
        ),
        (
            "session-ticket-key-files",
            table.session_ticket_key_files.is_some(),
        ),
        (
            "session-ticket-lifetime-seconds",
            table.session_ticket_lifetime_seconds.is_some(),
        ),
    ];
    let client = [("ocsp-stapling", table.ocsp_stapling.is_some())];
    for (key, set) in server {
        if set {
            found.push((key, Side::Server));
        }
    }
    for (key, set) in client {
        if set {
            found.push((key, Side::Client));
        }
    }
    found
}

/// A side's table holds no side tables, and nothing only the other side uses.
fn check_table(table: &SettingsFile, side: Side) -> Result<(), FieldError> {
    let at = |key: &str| FieldPath::key(side.name()).then(key);
    for nested in [Side::Server, Side::Client] {
        if table.table(nested).is_some() {
            return Err(FieldError::new(
                at(nested.name()),
                InvalidInput::new("side tables are only at the top level"),
            ));
        }
    }
    if let Some((key, user)) = one_sided(table)
        .into_iter()
        .find(|(_, user)| *user == side.other())
    {
        return Err(FieldError::new(
            at(key),
            InvalidInput::new(format!(
                "only a {user} uses it: give it in [{user}] or at the top level"
            )),
        ));
    }
    Ok(())
}

/// `settings` with what `table` gives in place of its own: each field
/// whole (a list, an identity table), the CA source and the key log each
/// as one setting, `ssl-options` option by option. Records in `given`
/// what the table gave.
fn overlay(settings: &mut SettingsFile, table: &SettingsFile, given: &mut Vec<FieldPath>) {
    // Every field, by name, so that a new one cannot be forgotten here.
    let SettingsFile {
        mozilla_profile,
        protocol,
        ciphers,
        key_exchange_groups,
        ca_certificate_files,
        system_ca_certificates,
        revocation_list_files,
        revocation_depth,
        unknown_revocation_status_allowed,
        expired_revocation_lists_allowed,
        public_key_pins,
        public_key_pins_only,
        peer_verify_mode,
        peer_verify_depth,
        allowed_next_protocols,
        ocsp_stapling,
        key_log_file,
        key_log_from_env,
        unknown_server_names_refused,
        session_ticket_key_files,
        session_ticket_lifetime_seconds,
        handshake_timeout_ms,
        local_identity,
        added_local_identities,
        server_name_identities,
        ssl_options,
        server: _,
        client: _,
    } = table;
    let mut mark = |key: &str| given.push(FieldPath::key(key));
    macro_rules! replace {
        ($($field:ident => $key:literal),* $(,)?) => {$(
            if $field.is_some() {
                settings.$field = $field.clone();
                mark($key);
            }
        )*};
    }
    replace!(
        mozilla_profile => "mozilla-profile",
        protocol => "protocol",
        ciphers => "ciphers",
        key_exchange_groups => "key-exchange-groups",
        revocation_list_files => "revocation-list-files",
        revocation_depth => "revocation-depth",
        unknown_revocation_status_allowed => "unknown-revocation-status-allowed",
        expired_revocation_lists_allowed => "expired-revocation-lists-allowed",
        public_key_pins => "public-key-pins",
        public_key_pins_only => "public-key-pins-only",
        peer_verify_mode => "peer-verify-mode",
        peer_verify_depth => "peer-verify-depth",
        allowed_next_protocols => "allowed-next-protocols",
        ocsp_stapling => "ocsp-stapling",
        unknown_server_names_refused => "unknown-server-names-refused",
        session_ticket_key_files => "session-ticket-key-files",
        session_ticket_lifetime_seconds => "session-ticket-lifetime-seconds",
        handshake_timeout_ms => "handshake-timeout-ms",
        local_identity => "local-identity",
    );
    // Where CA certificates come from is one setting: files, or the system
    // store or none.
    if ca_certificate_files.is_some() || system_ca_certificates.is_some() {
        settings.ca_certificate_files = ca_certificate_files.clone();
        settings.system_ca_certificates = *system_ca_certificates;
        if ca_certificate_files.is_some() {
            mark("ca-certificate-files");
        }
        if system_ca_certificates.is_some() {
            mark("system-ca-certificates");
        }
    }
    // So is where the key log goes.
    if key_log_file.is_some() || *key_log_from_env {
        settings.key_log_file = key_log_file.clone();
        settings.key_log_from_env = *key_log_from_env;
        if key_log_file.is_some() {
            mark("key-log-file");
        }
        if *key_log_from_env {
            mark("key-log-from-env");
        }
    }
    if !added_local_identities.is_empty() {
        settings.added_local_identities = added_local_identities.clone();
        mark("added-local-identities");
    }
    if !server_name_identities.is_empty() {
        settings.server_name_identities = server_name_identities.clone();
        mark("server-name-identities");
    }
    for &(option, on) in ssl_options {
        settings.ssl_options.retain(|(o, _)| *o != option);
        settings.ssl_options.push((option, on));
        given.push(FieldPath::key("ssl-options").then(&option.to_string()));
    }
    // In Qt's order, as a file's table is read.
    settings
        .ssl_options
        .sort_by_key(|(option, _)| crate::SslOption::ALL.iter().position(|o| *o == *option));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for side in [Side::Server, Side::Client] {
            assert_eq!(side.to_string().parse::<Side>().unwrap(), side);
        }
        assert_eq!(" Client ".parse::<Side>().unwrap(), Side::Client);
        assert_eq!(
            "both".parse::<Side>().unwrap_err().to_string(),
            "unknown side \"both\": expected server or client"
        );
    }
}
