#![no_main]
//! `SslConfiguration::with_cipher_list` on arbitrary strings; a list that is
//! accepted holds only suites that name themselves back, and converts into
//! rustls configs or fails with an error (never a panic).

use libfuzzer_sys::fuzz_target;
use sslconf::{Cipher, SslConfiguration};

fuzz_target!(|data: &[u8]| {
    let Ok(list) = std::str::from_utf8(data) else {
        return;
    };
    match SslConfiguration::new().with_cipher_list(list) {
        Ok(config) => {
            for cipher in config.ciphers() {
                assert_eq!(Cipher::from_name(cipher.name()).as_ref(), Some(&cipher));
            }
            let _ = config.client_config();
            let _ = config.server_config();
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
