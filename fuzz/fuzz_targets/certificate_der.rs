#![no_main]
//! `Certificate::from_der` on arbitrary bytes, then everything one can do
//! with what it read.

use libfuzzer_sys::fuzz_target;
use sslconf::Certificate;

fuzz_target!(|data: &[u8]| {
    if let Ok(cert) = Certificate::from_der(data) {
        sslconf_fuzz::exercise_certificates(&[cert]);
    }
});
