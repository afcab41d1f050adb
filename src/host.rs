//! Host names as `connect` takes them and verification checks them.

use rustls::pki_types::ServerName;

use crate::Error;

/// Parses a DNS name or an IP address; brackets around an IPv6 address
/// (`"[::1]"`) are allowed.
///
/// # Errors
/// [`Error::InvalidHostName`] for anything else.
pub(crate) fn server_name(host_name: &str) -> Result<ServerName<'static>, Error> {
    let bare = host_name
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host_name);
    ServerName::try_from(bare.to_owned()).map_err(|_| Error::InvalidHostName {
        name: host_name.to_owned(),
    })
}
