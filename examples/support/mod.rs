//! Shared by the examples: describing a session and loading PEM files.
#![allow(dead_code)] // each example uses part of it

use std::error::Error;
use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use sslconf::{Certificate, SessionState};

/// A session's state as aligned lines, one setting a line.
pub fn describe(state: &SessionState) -> String {
    let mut out = String::new();
    let mut row = |name: &str, value: String| {
        let _ = writeln!(out, "{name:<21} {value}");
    };
    row("protocol", state.session_protocol().to_string());
    row("cipher", show(state.session_cipher()));
    row("key exchange group", show(state.key_exchange_group()));
    row(
        "ALPN",
        state.next_negotiated_protocol().map_or_else(
            || "-".to_owned(),
            |p| String::from_utf8_lossy(p).into_owned(),
        ),
    );
    row("SNI", state.server_name().unwrap_or("-").to_owned());
    row(
        "resumed",
        if state.is_resumed() { "yes" } else { "no" }.to_owned(),
    );
    row(
        "peer certificate",
        state
            .peer_certificate()
            .map_or_else(|| "-".to_owned(), |c| c.subject_name().to_owned()),
    );
    if state.peer_verification_errors().is_empty() {
        row("verification errors", "none".to_owned());
    }
    for error in state.peer_verification_errors() {
        row("verification error", error.to_string());
    }
    out
}

fn show<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

/// A certificate's essentials, as `openssl s_client -showcerts` prints them.
pub fn describe_certificate(index: usize, cert: &Certificate) -> String {
    format!(
        " {index} s:{}\n   i:{}\n   v:NotBefore: {} NotAfter: {}\n{}",
        cert.subject_name(),
        cert.issuer_name(),
        unix_date(cert.effective_date()),
        unix_date(cert.expiry_date()),
        cert.to_pem()
    )
}

/// A time as seconds since the epoch with a UTC date (no time-zone database needed).
fn unix_date(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = secs / 86_400;
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        secs % 86_400 / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Splits comma-separated flag values (`--alpn h2,http/1.1`), dropping empties.
pub fn split_list(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A result for `main`, printing the error and its causes.
pub type MainResult = Result<(), Box<dyn Error>>;
