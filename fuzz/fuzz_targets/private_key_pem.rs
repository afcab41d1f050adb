#![no_main]
//! `PrivateKey::from_pem` and `from_pem_with_passphrase` on arbitrary bytes.
//! The first byte (mod 32) is the passphrase length, the passphrase follows,
//! the rest is the PEM input.

use libfuzzer_sys::fuzz_target;
use sslconf::{Passphrase, PrivateKey};

fuzz_target!(|data: &[u8]| {
    let (passphrase, pem) = sslconf_fuzz::split_passphrase(data);
    if let Ok(key) = PrivateKey::from_pem(pem) {
        sslconf_fuzz::exercise_key(key);
    }
    if let Ok(key) = PrivateKey::from_pem_with_passphrase(pem, &Passphrase::new(passphrase)) {
        sslconf_fuzz::exercise_key(key);
    }
});
