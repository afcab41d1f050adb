#![no_main]
//! `RevocationList::from_der` and `from_pem` on the same arbitrary bytes,
//! then everything one can do with what they read: every getter, `Debug`,
//! the DER round trip, and `verify_chain` of a fixed chain with the lists
//! (see `sslconf_fuzz::exercise_revocation_lists`).

use libfuzzer_sys::fuzz_target;
use sslconf::RevocationList;

fuzz_target!(|data: &[u8]| {
    if let Ok(list) = RevocationList::from_der(data) {
        assert_eq!(list.as_der(), data, "from_der keeps the bytes it read");
        sslconf_fuzz::exercise_revocation_lists(&[list]);
    }
    if let Ok(lists) = RevocationList::from_pem(data) {
        assert!(!lists.is_empty(), "from_pem returned Ok with no list");
        sslconf_fuzz::exercise_revocation_lists(&lists);
    }
});
