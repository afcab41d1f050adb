//! Random bytes, and random damage to valid input, thrown at every parser:
//! each returns a value or an error, never panics. (The same parsers have
//! cargo-fuzz targets in `fuzz/`; this runs them on stable in every CI run.)

mod common;

use std::sync::OnceLock;

use proptest::prelude::*;
use sslconf::{
    Certificate, Cipher, KeyExchangeGroup, PeerVerifyMode, PrivateKey, SslConfiguration,
    SslProtocol,
};

/// A real certificate and key, as PEM and DER, to damage.
struct Samples {
    cert_pem: Vec<u8>,
    cert_der: Vec<u8>,
    key_pem: Vec<u8>,
    key_der: Vec<u8>,
}

fn samples() -> &'static Samples {
    static SAMPLES: OnceLock<Samples> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        let id = common::Authority::root("Property Root").leaf("localhost");
        let key = rcgen::KeyPair::generate().unwrap();
        Samples {
            cert_pem: id.leaf().to_pem().into_bytes(),
            cert_der: id.leaf().to_der().to_vec(),
            key_pem: key.serialize_pem().into_bytes(),
            key_der: key.serialize_der(),
        }
    })
}

/// Applies random overwrites, truncation and insertion to valid bytes.
fn damage(valid: &[u8], edits: &[(usize, u8)], cut: usize) -> Vec<u8> {
    let mut bytes = valid.to_vec();
    for (at, value) in edits {
        if !bytes.is_empty() {
            let at = at % bytes.len();
            bytes[at] = *value;
        }
    }
    bytes.truncate(bytes.len().saturating_sub(cut % 8));
    bytes
}

fn parse_everything(bytes: &[u8]) {
    let _ = Certificate::from_pem(bytes);
    let _ = Certificate::from_der(bytes);
    let _ = PrivateKey::from_pem(bytes);
    let _ = PrivateKey::from_der(bytes);
    let _ = PrivateKey::from_pem_with_passphrase(bytes, b"passphrase");
    let text = String::from_utf8_lossy(bytes);
    let _ = Cipher::from_name(&text);
    let _ = KeyExchangeGroup::from_name(&text);
    let _ = SslProtocol::from_name(&text);
    let _ = PeerVerifyMode::from_name(&text);
    let _ = SslConfiguration::new().with_cipher_list(&text);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        parse_everything(&bytes);
    }

    #[test]
    fn damaged_valid_input(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6), cut in any::<usize>()) {
        let s = samples();
        for valid in [&s.cert_pem, &s.cert_der, &s.key_pem, &s.key_der] {
            parse_everything(&damage(valid, &edits, cut));
        }
    }

    #[test]
    fn random_names(name in "[A-Za-z0-9_:. +-]{0,64}") {
        parse_everything(name.as_bytes());
    }
}

#[test]
fn the_fixtures_are_valid() {
    let s = samples();
    assert!(Certificate::from_pem(&s.cert_pem).is_ok());
    assert!(Certificate::from_der(&s.cert_der).is_ok());
    assert!(PrivateKey::from_pem(&s.key_pem).is_ok());
    assert!(PrivateKey::from_der(&s.key_der).is_ok());
}
