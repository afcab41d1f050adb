//! Host names as `connect` takes them and verification checks them.

use std::net::IpAddr;

use rustls::pki_types::ServerName;

use crate::{AlternativeName, Error};

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

/// Whether a certificate's subject alternative names cover `host`, as RFC
/// 6125 reads them and webpki does: DNS names compared without regard to
/// ASCII case or a trailing dot, a wildcard only as the whole left-most label
/// standing for exactly one label; an IP address only against IP address
/// entries. The subject's common name never counts (RFC 9525). For
/// certificates webpki cannot read, which it would otherwise check.
pub(crate) fn names_cover(names: &[AlternativeName], host: &str) -> bool {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return names
            .iter()
            .any(|name| matches!(name, AlternativeName::IpAddress(a) if *a == ip));
    }
    let host = bare.strip_suffix('.').unwrap_or(bare);
    if host.is_empty() {
        return false;
    }
    names.iter().any(|name| match name {
        AlternativeName::Dns(pattern) => dns_matches(pattern, host),
        _ => false,
    })
}

fn dns_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.strip_suffix('.').unwrap_or(pattern);
    match pattern.strip_prefix("*.") {
        Some(parent) => match host.split_once('.') {
            Some((label, rest)) => !label.is_empty() && rest.eq_ignore_ascii_case(parent),
            None => false,
        },
        None => pattern.eq_ignore_ascii_case(host),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cover_as_rfc_6125_reads_them() {
        let names = [
            AlternativeName::Dns("*.example.com".into()),
            AlternativeName::Dns("Host.Example.ORG".into()),
            AlternativeName::IpAddress("::2".parse().unwrap()),
        ];
        for host in [
            "a.example.com",
            "host.example.org",
            "HOST.example.org.",
            "[::2]",
            "::2",
        ] {
            assert!(names_cover(&names, host), "{host}");
        }
        for host in [
            "example.com",
            "a.b.example.com",
            "::1",
            "127.0.0.1",
            "",
            ".",
            "other.org",
        ] {
            assert!(!names_cover(&names, host), "{host}");
        }
    }
}
