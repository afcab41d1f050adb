//! Conversion into rustls configs: what is refused (naming the setting),
//! what is cached, and what each setting becomes.

mod common;

use std::sync::Arc;

use common::Authority;
use sslconf::{
    Cipher, Error, Identity, KeyExchangeGroup, PeerVerifyMode, SslConfiguration, SslOption,
    SslProtocol,
};

fn server(ca: &Authority) -> SslConfiguration {
    ca.leaf("localhost").server()
}

fn assert_setting(err: &Error, setting: &str) {
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("setting {setting}")),
        "{message}"
    );
}

#[test]
fn tls_1_0_and_1_1_alone_are_refused() {
    let ca = Authority::root("Root");
    for protocol in [
        SslProtocol::TlsV1_0,
        SslProtocol::TlsV1_1,
        SslProtocol::UnknownProtocol,
    ] {
        let config = server(&ca).with_protocol(protocol);
        let err = config.client_config().unwrap_err();
        assert!(matches!(err, Error::UnsupportedProtocol { protocol: p } if p == protocol));
        assert_setting(&err, "protocol");
        assert!(config.server_config().is_err());
    }
}

#[test]
fn ranges_from_old_versions_mean_tls12_and_13() {
    for protocol in [
        SslProtocol::TlsV1_0OrLater,
        SslProtocol::TlsV1_1OrLater,
        SslProtocol::AnyProtocol,
    ] {
        let config = SslConfiguration::new().with_protocol(protocol);
        assert!(config.client_config().is_ok(), "{protocol:?}");
    }
}

#[test]
fn no_cipher_left_for_the_protocol_is_refused() {
    let tls12_only = Cipher::from_name("ECDHE-ECDSA-AES128-GCM-SHA256").unwrap();
    let config = SslConfiguration::new()
        .with_protocol(SslProtocol::TlsV1_3)
        .with_ciphers([tls12_only]);
    let err = config.client_config().unwrap_err();
    assert!(matches!(
        err,
        Error::NoCipherForProtocol {
            protocol: SslProtocol::TlsV1_3
        }
    ));
    assert_setting(&err, "ciphers");

    let err = SslConfiguration::new()
        .with_ciphers([])
        .client_config()
        .unwrap_err();
    assert_setting(&err, "ciphers");
}

#[test]
fn a_range_narrows_to_the_versions_with_ciphers() {
    let tls12_only = Cipher::from_name("ECDHE-ECDSA-AES128-GCM-SHA256").unwrap();
    let client = SslConfiguration::new()
        .with_ciphers([tls12_only])
        .client_config()
        .unwrap();
    assert!(client
        .crypto_provider()
        .cipher_suites
        .iter()
        .all(|s| s.version() == &rustls::version::TLS12));
}

#[test]
fn a_server_needs_an_identity_with_a_certificate() {
    let ca = Authority::root("Root");
    let id = ca.leaf("localhost");

    let err = SslConfiguration::new().server_config().unwrap_err();
    assert!(matches!(err, Error::MissingLocalCertificate { .. }));
    assert_setting(&err, "local_identity");

    // A key without its certificate: the certificate is what is missing.
    let keyless = SslConfiguration::new().with_local_identity(Identity::new([], id.key()));
    for err in [
        keyless.server_config().unwrap_err(),
        keyless.client_config().unwrap_err(),
    ] {
        assert!(
            matches!(err, Error::MissingLocalCertificate { .. }),
            "{err}"
        );
        assert_eq!(err.to_string(), "the identity has no certificate");
    }
}

#[test]
fn a_key_that_does_not_match_is_refused() {
    let ca = Authority::root("Root");
    let a = ca.leaf("a.test");
    let b = ca.leaf("b.test");
    let config =
        SslConfiguration::new().with_local_identity(Identity::new([a.leaf().clone()], b.key()));
    let err = config.server_config().unwrap_err();
    assert!(
        matches!(&err, Error::KeyMismatch { subject } if subject == "a.test"),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        r#"the private key does not match the certificate "a.test""#
    );
    assert!(matches!(
        config.client_config(),
        Err(Error::KeyMismatch { .. })
    ));
}

#[test]
fn verify_peer_without_ca_certificates_is_refused() {
    let ca = Authority::root("Root");
    let client = SslConfiguration::new().with_ca_certificates([]);
    let err = client.client_config().unwrap_err();
    assert!(matches!(err, Error::NoCaCertificates { .. }));
    assert_setting(&err, "ca_certificates");
    // Without verification there is nothing to verify against, and that is fine.
    let query = client.with_peer_verify_mode(PeerVerifyMode::QueryPeer);
    assert!(query.client_config().is_ok());

    let server = server(&ca)
        .with_ca_certificates([])
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer);
    let err = server.server_config().unwrap_err();
    assert_setting(&err, "ca_certificates");
    // A server's default (QueryPeer) needs none.
    assert!(server
        .with_peer_verify_mode(PeerVerifyMode::AutoVerifyPeer)
        .server_config()
        .is_ok());
}

/// Turning off an option rustls always applies is refused at the call,
/// naming it; no configuration holds a setting it cannot honour.
#[test]
fn options_rustls_always_applies_cannot_be_cleared() {
    for &option in SslOption::ALL {
        match SslConfiguration::new().with_ssl_option(option, false) {
            Err(err) => {
                assert!(option.always_on_in_rustls(), "{option:?}: {err}");
                assert!(matches!(err, Error::UnsupportedOption { option: o } if o == option));
                assert_setting(&err, "ssl_option");
                assert!(err.to_string().contains(&format!("{option:?}")), "{err}");
            }
            Ok(config) => {
                assert!(!option.always_on_in_rustls(), "{option:?}");
                assert!(!config.test_ssl_option(option));
                config.client_config().unwrap();
            }
        }
        // Turning any on is fine.
        let on = SslConfiguration::new()
            .with_ssl_option(option, true)
            .unwrap();
        assert!(on.test_ssl_option(option));
        on.client_config().unwrap();
    }
}

#[test]
fn unsupported_groups_and_bad_alpn_are_refused() {
    let ffdhe = KeyExchangeGroup::from_name("ffdhe2048").unwrap();
    assert!(!ffdhe.is_supported());
    let err = SslConfiguration::new()
        .with_key_exchange_groups([ffdhe])
        .client_config()
        .unwrap_err();
    assert_setting(&err, "key_exchange_groups");
    assert!(err.to_string().contains("ffdhe2048"), "{err}");
    let err = SslConfiguration::new()
        .with_key_exchange_groups([])
        .client_config()
        .unwrap_err();
    assert_setting(&err, "key_exchange_groups");

    let err = SslConfiguration::new()
        .with_allowed_next_protocols(["h2", ""])
        .client_config()
        .unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidAlpnProtocol { index: 1, len: 0 }
    ));
    assert_setting(&err, "allowed_next_protocols");
    let long = vec![b'x'; 256];
    assert!(SslConfiguration::new()
        .with_allowed_next_protocols([long])
        .client_config()
        .is_err());
}

#[test]
fn conversions_are_cached_per_value_and_shared_by_clones() {
    let ca = Authority::root("Root");
    let config = server(&ca).with_ca_certificates([ca.cert.clone()]);
    let client = config.client_config().unwrap();
    assert!(Arc::ptr_eq(&client, &config.client_config().unwrap()));
    assert!(Arc::ptr_eq(
        &client,
        &config.clone().client_config().unwrap()
    ));
    let server = config.server_config().unwrap();
    assert!(Arc::ptr_eq(
        &server,
        &config.clone().server_config().unwrap()
    ));

    // A changed value starts over, even when the change changes nothing.
    let changed = config.clone().with_peer_verify_depth(0);
    assert_eq!(changed, config);
    assert!(!Arc::ptr_eq(&client, &changed.client_config().unwrap()));
}

#[test]
fn settings_reach_rustls() {
    let ca = Authority::root("Root");
    let aes256 = Cipher::from_name("TLS_AES_256_GCM_SHA384").unwrap();
    let aes128 = Cipher::from_name("TLS_AES_128_GCM_SHA256").unwrap();
    let p384 = KeyExchangeGroup::from_name("secp384r1").unwrap();
    let config = server(&ca)
        .with_ciphers([aes256, aes128])
        .with_key_exchange_groups([p384])
        .with_allowed_next_protocols(["h2"])
        .with_ssl_option(SslOption::DisableServerNameIndication, true)
        .unwrap();

    let client = config.client_config().unwrap();
    let suites: Vec<_> = client
        .crypto_provider()
        .cipher_suites
        .iter()
        .map(|s| s.suite())
        .collect();
    assert_eq!(suites, [aes256.suite(), aes128.suite()]);
    let groups: Vec<_> = client
        .crypto_provider()
        .kx_groups
        .iter()
        .map(|g| g.name())
        .collect();
    assert_eq!(groups, [p384.named_group()]);
    assert_eq!(client.alpn_protocols, [b"h2".to_vec()]);
    assert!(!client.enable_sni);

    let server = config.server_config().unwrap();
    assert!(server.ignore_client_order);
    assert_eq!(server.alpn_protocols, [b"h2".to_vec()]);
    let follow_client = config
        .with_ssl_option(SslOption::DisableServerCipherPreference, true)
        .unwrap();
    assert!(!follow_client.server_config().unwrap().ignore_client_order);
}

#[test]
fn debug_never_prints_the_key() {
    let ca = Authority::root("Root");
    let id = ca.leaf("localhost");
    let config = id.server();
    let debug = format!("{config:?}");
    assert!(debug.contains("[secret key elided]"), "{debug}");
    let der = id.key().as_rustls().clone_key();
    let needle = format!("{:?}", &der.secret_der()[..16]);
    assert!(!debug.contains(&needle[1..needle.len() - 1]));
}
