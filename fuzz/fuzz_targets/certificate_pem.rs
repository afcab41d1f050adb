#![no_main]
//! `Certificate::from_pem` on arbitrary bytes, then everything one can do
//! with what it read.

use libfuzzer_sys::fuzz_target;
use sslconf::Certificate;

fuzz_target!(|data: &[u8]| {
    if let Ok(certs) = Certificate::from_pem(data) {
        assert!(
            !certs.is_empty(),
            "from_pem returned Ok with no certificate"
        );
        sslconf_fuzz::exercise_certificates(&certs);
    }
});
