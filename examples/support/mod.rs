//! Shared by the examples: session-state tables, certificate listings,
//! error reports and list flags. Included with `#[path = "support/mod.rs"]`
//! by each example, and by the ecosystem package's library
//! (`examples/ecosystem`); not an example of its own.
//!
//! Protocols and verify modes need no parser here: clap's default
//! `value_parser!` parses them with their `FromStr`, and an unknown name is
//! reported with sslconf's message, which says what is expected.
#![allow(dead_code)] // each example uses part of it

use std::error::Error;
use std::fmt::Write as _;
use std::time::SystemTime;

use sslconf::{Certificate, SessionState, SslConfiguration};
use time::OffsetDateTime;

/// Which end of a connection a [`SessionState`] belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Side {
    /// The side that connected.
    Client,
    /// The side that accepted.
    Server,
}

/// One labelled row group of a session table; `peer chain` and
/// `verification errors` may have several lines.
struct Field {
    label: &'static str,
    lines: Vec<String>,
}

/// What a session negotiated, in display order.
fn fields(state: &SessionState, side: Side) -> Vec<Field> {
    let one = |label, value: String| Field {
        label,
        lines: vec![value],
    };
    let chain: Vec<String> = state
        .peer_certificate_chain()
        .iter()
        .enumerate()
        .map(|(i, cert)| {
            format!(
                "[{i}] {} (expires {})",
                cert.subject_display_name(),
                date(cert.expiry_date())
            )
        })
        .collect();
    let errors: Vec<String> = state
        .peer_verification_errors()
        .iter()
        .map(ToString::to_string)
        .collect();
    vec![
        one("protocol", state.session_protocol().to_string()),
        one("cipher", or_dash(state.session_cipher())),
        one("key exchange group", or_dash(state.key_exchange_group())),
        one("ALPN", alpn(state)),
        one(
            "SNI received",
            match side {
                Side::Server => state.server_name().unwrap_or("-").to_owned(),
                Side::Client => "(server side only)".to_owned(),
            },
        ),
        one(
            "resumed",
            if state.is_resumed() { "yes" } else { "no" }.into(),
        ),
        Field {
            label: "peer chain",
            lines: if chain.is_empty() {
                vec!["(no certificate)".to_owned()]
            } else {
                chain
            },
        },
        Field {
            label: "verification errors",
            lines: if errors.is_empty() {
                vec!["none".to_owned()]
            } else {
                errors
            },
        },
    ]
}

const LABEL_WIDTH: usize = 21;

/// One session's state as aligned `label  value` lines.
pub fn describe(state: &SessionState, side: Side) -> String {
    let mut out = String::new();
    for field in fields(state, side) {
        for (i, line) in field.lines.iter().enumerate() {
            let label = if i == 0 { field.label } else { "" };
            let _ = writeln!(out, "{label:<LABEL_WIDTH$} {line}");
        }
    }
    out
}

/// Both ends of one connection side by side, under a `client | server` header.
pub fn side_by_side(client: &SessionState, server: &SessionState) -> String {
    let left = fields(client, Side::Client);
    let right = fields(server, Side::Server);
    let width = left
        .iter()
        .flat_map(|f| &f.lines)
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .max("client".len());
    let mut out = String::new();
    let _ = writeln!(out, "{:<LABEL_WIDTH$} {:<width$}   server", "", "client");
    let _ = writeln!(
        out,
        "{:<LABEL_WIDTH$} {:<width$}   {}",
        "",
        "-".repeat(width),
        "-".repeat(right_width(&right))
    );
    for (l, r) in left.iter().zip(&right) {
        debug_assert_eq!(l.label, r.label);
        for i in 0..l.lines.len().max(r.lines.len()) {
            let label = if i == 0 { l.label } else { "" };
            let lv = l.lines.get(i).map_or("", String::as_str);
            let rv = r.lines.get(i).map_or("", String::as_str);
            let _ = writeln!(out, "{label:<LABEL_WIDTH$} {lv:<width$}   {rv}");
        }
    }
    out
}

fn right_width(fields: &[Field]) -> usize {
    fields
        .iter()
        .flat_map(|f| &f.lines)
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .max("server".len())
}

fn or_dash<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

fn alpn(state: &SessionState) -> String {
    state.next_negotiated_protocol().map_or_else(
        || "-".to_owned(),
        |p| String::from_utf8_lossy(p).into_owned(),
    )
}

/// A certificate as `openssl s_client -showcerts` lists it: index, subject,
/// issuer, validity, then the PEM.
pub fn describe_certificate(index: usize, cert: &Certificate) -> String {
    format!(
        "{index:2} s:{}\n   i:{}\n   v:NotBefore: {} NotAfter: {}\n{}",
        cert.subject_name(),
        cert.issuer_name(),
        date_time(cert.effective_date()),
        date_time(cert.expiry_date()),
        cert.to_pem()
    )
}

/// `YYYY-MM-DD` in UTC.
pub fn date(time: SystemTime) -> String {
    OffsetDateTime::from(time).date().to_string()
}

/// `YYYY-MM-DD hh:mm:ss UTC`.
pub fn date_time(time: SystemTime) -> String {
    let t = OffsetDateTime::from(time);
    format!(
        "{} {:02}:{:02}:{:02} UTC",
        t.date(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Prints an error to stderr as `context: error`, then its causes and, for a
/// handshake that failed on peer verification, each of its `ssl_errors()`.
pub fn report(context: &str, err: &(dyn Error + 'static)) {
    eprintln!("{context}: {err}");
    let ssl_errors = err
        .downcast_ref::<sslconf::Error>()
        .map_or(&[][..], sslconf::Error::ssl_errors);
    if ssl_errors.is_empty() {
        let mut source = err.source();
        while let Some(cause) = source {
            eprintln!("  caused by: {cause}");
            source = cause.source();
        }
    }
    // A verification failure's cause is the rustls error that carried these.
    for ssl_error in ssl_errors {
        eprintln!("  ssl error: {ssl_error}");
        if let Some(cert) = ssl_error.certificate() {
            eprintln!("    certificate: {}", cert.subject_name());
        }
    }
}

/// Splits repeated and comma-separated flag values (`--alpn h2,http/1.1`),
/// dropping empty ones.
pub fn split_list(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Refuses a configuration whose ALPN list names a protocol this server
/// does not answer in (`spoken`): a client would agree on it, then read
/// an answer in another protocol (Chromium agreeing on h2 with a server
/// that answers HTTP/1.1 shows a blank page).
pub fn refuse_unspoken_alpn(config: &SslConfiguration, spoken: &[&str]) -> Result<(), BoxError> {
    for protocol in config.allowed_next_protocols() {
        if !spoken.iter().any(|s| s.as_bytes() == protocol.as_slice()) {
            return Err(format!(
                "ALPN protocol {:?}: this server answers only in {}",
                String::from_utf8_lossy(protocol),
                spoken.join(", ")
            )
            .into());
        }
    }
    Ok(())
}

/// A boxed error for `run` functions.
pub type BoxError = Box<dyn Error + Send + Sync + 'static>;

/// One `--sni` flag: `NAMES=CERT,KEY`, where NAMES is one or more exact names
/// or `*.example.com` wildcards separated by commas, and CERT and KEY are the
/// chain and key files of the identity served to clients asking for them.
/// The files are split at the last comma, so a certificate path may hold
/// commas but a key path may not.
#[derive(Clone, Debug)]
pub struct SniIdentity {
    /// The patterns, as `with_server_name_identity` takes them.
    pub names: Vec<String>,
    /// The certificate chain file, leaf first.
    pub cert: std::path::PathBuf,
    /// The private key file.
    pub key: std::path::PathBuf,
}

impl std::str::FromStr for SniIdentity {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        let usage = || format!("{value:?}: expected NAME[,NAME...]=CERT,KEY");
        let (names, files) = value.split_once('=').ok_or_else(usage)?;
        let (cert, key) = files.rsplit_once(',').ok_or_else(usage)?;
        let names: Vec<String> = names
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect();
        if names.is_empty() || cert.is_empty() || key.is_empty() {
            return Err(usage());
        }
        Ok(SniIdentity {
            names,
            cert: cert.into(),
            key: key.into(),
        })
    }
}

/// The flags both example servers share: identities by server name, shared
/// ticket keys, key-exchange groups, and watching the files.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ServerFlags {
    /// Serve another identity to clients that ask for NAMES by SNI:
    /// NAME[,NAME...]=CERT,KEY (exact names or *.example.com wildcards; the certificate
    /// must cover each name). Repeat for more identities. Clients with no or another
    /// name get --cert/--key, unless --refuse-unknown-names.
    #[arg(long, value_name = "NAMES=CERT,KEY")]
    pub sni: Vec<SniIdentity>,
    /// Refuse clients that send no server name or one no --sni identity serves
    /// (an access_denied alert) instead of serving them --cert/--key.
    #[arg(long)]
    pub refuse_unknown_names: bool,
    /// A session-ticket key file shared by a fleet of servers: 80 or 48 random bytes (nginx's
    /// ssl_session_ticket_key format; make one with `openssl rand 80`), or base64 keys one a
    /// line (HAProxy's tls-ticket-keys format: the second-to-last of the last three seals;
    /// rotate by appending `openssl rand 80 | openssl base64 -A` and reloading, e.g. with
    /// --watch). Repeat it to rotate nginx's files: the first file seals new tickets, every
    /// file opens them. Without it, tickets use random keys of this process and resume on no
    /// other server.
    #[arg(long, value_name = "FILE")]
    pub ticket_key: Vec<String>,
    /// Session-ticket lifetime in seconds, with --ticket-key (default 12 hours).
    #[arg(long, value_name = "SECONDS", requires = "ticket_key")]
    pub ticket_lifetime: Option<u64>,
    /// Key-exchange groups in preference order (repeat or comma-separate), e.g. X25519 or
    /// X25519MLKEM768,X25519. Default: the provider's (X25519MLKEM768 first).
    #[arg(long)]
    pub groups: Vec<String>,
    /// Read the certificate, key and CA files again when they change, and log each
    /// outcome; a bad file keeps what was served before (needs feature `watch`).
    #[arg(long)]
    pub watch: bool,
}

impl ServerFlags {
    /// `config` with these flags' settings: each `--sni` identity read with
    /// `Identity::from_files` (so that a reload reads it again).
    pub fn apply(
        &self,
        mut config: sslconf::SslConfiguration,
    ) -> Result<sslconf::SslConfiguration, BoxError> {
        for sni in &self.sni {
            let identity = sslconf::Identity::from_files(&sni.cert, &sni.key)
                .map_err(|e| format!("--sni {}: {e}", sni.names.join(",")))?;
            config = config.with_server_name_identity(sni.names.clone(), identity);
        }
        config = config.with_unknown_server_names_refused(self.refuse_unknown_names);
        if !self.ticket_key.is_empty() {
            config =
                config.with_session_ticket_keys(sslconf::TicketKeys::from_paths(&self.ticket_key)?);
        }
        if let Some(seconds) = self.ticket_lifetime {
            config = config.with_session_ticket_lifetime(std::time::Duration::from_secs(seconds));
        }
        let groups = split_list(&self.groups);
        if !groups.is_empty() {
            let groups = groups
                .iter()
                .map(|g| g.parse::<sslconf::KeyExchangeGroup>())
                .collect::<Result<Vec<_>, _>>()?;
            config = config.with_key_exchange_groups(groups);
        }
        Ok(config)
    }

    /// With `--watch`, starts watching `config`'s files, logging each
    /// reload's outcome to stderr; keep the value as long as it should watch.
    pub fn start_watching(
        &self,
        config: &sslconf::SslConfiguration,
    ) -> Result<Option<Watching>, BoxError> {
        if !self.watch {
            return Ok(None);
        }
        #[cfg(feature = "watch")]
        {
            let watcher = config.watch(|outcome| match outcome {
                Ok(reloaded) => eprintln!("watch: {reloaded}"),
                Err(err) => report("watch: reload failed, still serving the old files", &err),
            })?;
            eprintln!(
                "watching {}",
                watcher
                    .files()
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            Ok(Some(Watching(watcher)))
        }
        #[cfg(not(feature = "watch"))]
        {
            let _ = config;
            Err("--watch needs the `watch` feature: build with --features watch".into())
        }
    }
}

/// A running `--watch`; watching stops when it is dropped.
pub struct Watching(#[cfg(feature = "watch")] sslconf::Watcher);

/// The line a server logs for a connection it answered: protocol, resumed
/// or not, cipher and the request line.
pub fn served_line(peer: &str, state: &SessionState, request_line: &str) -> String {
    format!(
        "{peer}: {}{} {} {:?}",
        state.session_protocol(),
        if state.is_resumed() { " resumed" } else { "" },
        state
            .session_cipher()
            .map_or_else(|| "-".to_owned(), |c| c.to_string()),
        request_line
    )
}

/// The flags of the HTTP and gRPC client examples: whom to trust and
/// which certificate to present.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ClientFlags {
    /// CA certificates the server's chain must lead to (PEM file), instead of the
    /// system store: a private CA.
    #[arg(long)]
    pub ca: Option<String>,
    /// A client certificate chain, leaf first (PEM or DER file), for mutual TLS; with --key.
    #[arg(long, requires = "key")]
    pub cert: Option<String>,
    /// The client certificate's private key (PEM or DER file).
    #[arg(long, requires = "cert")]
    pub key: Option<String>,
}

impl ClientFlags {
    /// A client configuration with these flags, offering `alpn`.
    pub fn configuration(&self, alpn: &[&str]) -> Result<sslconf::SslConfiguration, BoxError> {
        let mut config = match &self.ca {
            // A private CA replaces the system store.
            Some(ca) => sslconf::SslConfiguration::new().with_ca_certificate_files([ca])?,
            None => sslconf::SslConfiguration::default_configuration(),
        };
        if let (Some(cert), Some(key)) = (&self.cert, &self.key) {
            let identity = sslconf::Identity::from_files(cert, key)
                .map_err(|e| format!("--cert {cert} --key {key}: {e}"))?;
            config = config.with_local_identity(identity);
        }
        config = config.with_allowed_next_protocols(alpn.iter().copied());
        // A setting rustls cannot honour fails here, not at the first request.
        config.client_config()?;
        Ok(config)
    }
}

/// Prints another library's error (reqwest, hyper, tonic) as [`report`]
/// does, then the TLS failure inside it as this crate's error, with the
/// `ssl_errors()` list that those libraries do not show:
/// `sslconf::Error::find_in` digs it out of the `io::Error` whose `source()`
/// skips it.
pub fn report_with_tls(context: &str, err: &(dyn Error + 'static)) {
    eprintln!("{context}: {err}");
    let mut source = err.source();
    while let Some(cause) = source {
        eprintln!("  caused by: {cause}");
        source = cause.source();
    }
    if let Some(tls) = sslconf::Error::find_in(err) {
        eprintln!("  tls: {tls}");
        for ssl_error in tls.ssl_errors() {
            eprintln!("  ssl error: {ssl_error}");
            if let Some(cert) = ssl_error.certificate() {
                eprintln!("    certificate: {}", cert.subject_name());
            }
        }
    }
}
