//! Times as the crate writes them for people: UTC, to the second, as
//! OpenSSL prints a certificate's validity.

use std::time::SystemTime;

/// `time` as `2026-12-06 12:00:00 UTC` (its `Debug` form if it is outside
/// the years X.509 can say).
pub(crate) fn utc(time: SystemTime) -> String {
    match der::DateTime::from_system_time(time) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minutes(),
            t.seconds()
        ),
        Err(_) => format!("{time:?}"),
    }
}
