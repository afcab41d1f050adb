//! Cipher suite names and properties checked against `openssl ciphers`: every
//! suite rustls has parses from both spellings openssl prints, with openssl's
//! key exchange, authentication, encryption and bits; every other name openssl
//! knows is `None`.

mod common;

use std::collections::BTreeSet;

use common::openssl::{self as ossl, CipherLine};
use sslconf::{Cipher, KeyExchangeGroup, SslConfiguration, SslProtocol};

/// Every TLS 1.3 suite OpenSSL implements, the two CCM ones included (not
/// enabled by default).
const ALL_TLS13: &str = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256";

/// Every suite OpenSSL knows: `ALL` leaves out the NULL ciphers, and security
/// level 0 lets the weak ones through.
fn everything_openssl_knows() -> Vec<CipherLine> {
    ossl::ciphers(&[
        "-ciphersuites",
        ALL_TLS13,
        "ALL:COMPLEMENTOFALL:@SECLEVEL=0",
    ])
}

fn spellings(name: &str) -> [String; 3] {
    [
        name.to_owned(),
        name.to_ascii_lowercase(),
        format!("  {name}\t"),
    ]
}

/// Checks one of our ciphers against the line openssl prints for it.
fn check_cipher(cipher: Cipher, line: &CipherLine) {
    let iana = &line.iana;
    assert_eq!(cipher.name(), line.iana);
    assert_eq!(cipher.openssl_name(), line.openssl, "{iana}");
    assert_eq!(cipher.to_string(), line.iana);
    assert_eq!(
        Some(cipher.protocol()),
        SslProtocol::from_name(&line.version),
        "{iana}: openssl says {}",
        line.version
    );
    assert!(
        matches!(
            cipher.protocol(),
            SslProtocol::TlsV1_2 | SslProtocol::TlsV1_3
        ),
        "{iana}"
    );
    assert_eq!(cipher.key_exchange_method(), line.kx, "{iana} Kx");
    assert_eq!(cipher.authentication_method(), line.au, "{iana} Au");
    assert_eq!(cipher.encryption_method(), line.enc, "{iana} Enc");
    assert_eq!(cipher.used_bits(), line.bits, "{iana} bits");
    assert_eq!(cipher.supported_bits(), line.bits, "{iana} bits");
    assert_eq!(line.mac, "AEAD", "{iana}: rustls has AEAD suites only");
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn every_name_openssl_prints_parses_to_the_same_cipher_or_none() {
    if !common::peer_available("openssl") {
        return;
    }
    let listing = everything_openssl_knows();
    assert!(
        listing.len() > 100,
        "openssl lists only {} suites",
        listing.len()
    );
    let supported = SslConfiguration::supported_ciphers();
    assert_eq!(supported.len(), 9, "{supported:?}");

    let mut seen = Vec::new();
    for line in &listing {
        let by_iana = Cipher::from_name(&line.iana);
        let by_openssl = Cipher::from_name(&line.openssl);
        assert_eq!(by_iana, by_openssl, "{} / {}", line.iana, line.openssl);
        for spelling in spellings(&line.iana)
            .into_iter()
            .chain(spellings(&line.openssl))
        {
            assert_eq!(Cipher::from_name(&spelling), by_iana, "{spelling:?}");
        }
        match by_iana {
            Some(cipher) => {
                check_cipher(cipher, line);
                assert!(supported.contains(&cipher), "{cipher} is not supported");
                seen.push(cipher);
            }
            None => assert!(
                !supported.iter().any(|c| c.name() == line.iana),
                "{} is supported but does not parse",
                line.iana
            ),
        }
    }

    // Each of ours exactly once: openssl has every suite rustls has.
    let seen_names: BTreeSet<&str> = seen.iter().map(Cipher::name).collect();
    let ours: BTreeSet<&str> = supported.iter().map(Cipher::name).collect();
    assert_eq!(seen.len(), seen_names.len(), "a suite listed twice");
    assert_eq!(seen_names, ours);
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn tls13_suites_are_the_ones_openssl_lists_for_tls13() {
    if !common::peer_available("openssl") {
        return;
    }
    let supported = SslConfiguration::supported_ciphers();
    let ours = |protocol: SslProtocol| -> BTreeSet<&'static str> {
        supported
            .iter()
            .filter(|c| c.protocol() == protocol)
            .map(Cipher::name)
            .collect()
    };

    // OpenSSL's default TLS 1.3 suites are exactly rustls's.
    let tls13 = ossl::ciphers(&["-s", "-tls1_3"]);
    let names: BTreeSet<&str> = tls13.iter().map(|l| l.iana.as_str()).collect();
    assert_eq!(names, ours(SslProtocol::TlsV1_3));
    for line in &tls13 {
        assert_eq!(line.version, "TLSv1.3");
        check_cipher(Cipher::from_name(&line.openssl).unwrap(), line);
    }

    // The CCM suites, which only -ciphersuites turns on, are not ours.
    let ccm = ossl::ciphers(&[
        "-s",
        "-tls1_3",
        "-ciphersuites",
        "TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256",
    ]);
    assert_eq!(ccm.len(), 2, "{ccm:?}");
    for line in &ccm {
        assert!(line.enc.starts_with("AESCCM"), "{line:?}");
        assert_eq!(Cipher::from_name(&line.iana), None, "{line:?}");
    }

    // What openssl offers for TLS 1.2 holds all of our TLS 1.2 suites, and
    // no TLS 1.3 one.
    let tls12 = ossl::ciphers(&["-s", "-tls1_2", "ALL:@SECLEVEL=0"]);
    let names: BTreeSet<&str> = tls12.iter().map(|l| l.iana.as_str()).collect();
    assert!(
        ours(SslProtocol::TlsV1_2).is_subset(&names),
        "{names:?} misses some of ours"
    );
    for line in &tls12 {
        assert_ne!(line.version, "TLSv1.3", "{line:?}");
        if let Some(cipher) = Cipher::from_name(&line.iana) {
            assert_eq!(cipher.protocol(), SslProtocol::TlsV1_2);
            check_cipher(cipher, line);
        }
    }
}

#[test]
fn names_openssl_does_not_know_are_none() {
    for name in [
        "",
        " ",
        "ALL",
        "DEFAULT",
        "HIGH",
        "ECDHE",
        "AESGCM",
        "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES128-GCM-SHA25",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256X",
        "TLS-AES-128-GCM-SHA256",
        "ECDHE_RSA_AES128_GCM_SHA256",
        "TLS_AES_128_CCM_SHA256",
        "DHE-RSA-AES128-GCM-SHA256",
        "AES128-GCM-SHA256",
    ] {
        assert_eq!(Cipher::from_name(name), None, "{name:?}");
    }
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn openssl_curve_names_map_to_their_groups() {
    if !common::peer_available("openssl") {
        return;
    }
    // "  prime256v1: X9.62/SECG curve over a 256 bit prime field"
    let listing = ossl::run_text(&["ecparam", "-list_curves"]);
    let curves: Vec<&str> = listing
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(name, _)| name.trim())
        .collect();
    assert!(curves.len() > 10, "{listing}");
    for curve in &curves {
        let expected = match *curve {
            "prime256v1" | "secp256r1" => Some("secp256r1"),
            "secp384r1" => Some("secp384r1"),
            "secp521r1" => Some("secp521r1"),
            _ => None,
        };
        let group = KeyExchangeGroup::from_name(curve);
        assert_eq!(group.map(|g| g.name()), expected, "{curve}");
    }
    for curve in ["prime256v1", "secp384r1", "secp521r1"] {
        assert!(curves.contains(&curve), "openssl does not list {curve}");
    }
}
