#![no_main]
//! `Cipher::from_name` and `KeyExchangeGroup::from_name` on arbitrary strings;
//! a name that is found must round-trip through both spellings.

use libfuzzer_sys::fuzz_target;
use sslconf::{Cipher, KeyExchangeGroup};

fuzz_target!(|data: &[u8]| {
    let Ok(name) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(cipher) = Cipher::from_name(name) {
        assert_eq!(Cipher::from_name(cipher.name()).as_ref(), Some(&cipher));
        assert_eq!(
            Cipher::from_name(cipher.openssl_name()).as_ref(),
            Some(&cipher)
        );
        let _ = (
            cipher.protocol(),
            cipher.key_exchange_method(),
            cipher.authentication_method(),
            cipher.encryption_method(),
            cipher.used_bits(),
            cipher.supported_bits(),
            cipher.to_string(),
        );
    }
    if let Some(group) = KeyExchangeGroup::from_name(name) {
        assert_eq!(KeyExchangeGroup::from_name(group.name()), Some(group));
        let _ = group.to_string();
    }
});
