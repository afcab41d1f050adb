#![no_main]
//! `PrivateKey::from_der` on arbitrary bytes, and the same bytes as the body
//! of an `ENCRYPTED PRIVATE KEY` PEM block with a passphrase (the public way
//! to reach the decryption of DER input). The first byte (mod 32) is the
//! passphrase length, the passphrase follows, the rest is the DER input.

use libfuzzer_sys::fuzz_target;
use sslconf::{Passphrase, PrivateKey};

fuzz_target!(|data: &[u8]| {
    let (passphrase, der) = sslconf_fuzz::split_passphrase(data);
    if let Ok(key) = PrivateKey::from_der(der) {
        sslconf_fuzz::exercise_key(key);
    }
    let pem = pem_rfc7468::encode_string("ENCRYPTED PRIVATE KEY", pem_rfc7468::LineEnding::LF, der)
        .expect("PEM encoding");
    if let Ok(key) =
        PrivateKey::from_pem_with_passphrase(pem.as_bytes(), &Passphrase::new(passphrase))
    {
        sslconf_fuzz::exercise_key(key);
    }
});
