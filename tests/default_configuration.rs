//! The process-wide default and the system CA store. One test in its own
//! binary: the default is process-wide state.

mod common;

use std::sync::Arc;

use common::Authority;
use sslconf::{PeerVerifyMode, SslConfiguration, SslProtocol};

#[test]
fn default_configuration_and_system_store() {
    let default = SslConfiguration::default_configuration();
    assert!(!default.is_null());
    assert_eq!(default.protocol(), SslProtocol::SecureProtocols);
    // Every fetch of the same default shares its cached conversion.
    assert!(Arc::ptr_eq(
        &default.client_config().unwrap(),
        &SslConfiguration::default_configuration()
            .client_config()
            .unwrap()
    ));

    // The system store is loaded on demand, once, and is not empty (OS
    // store, or Mozilla's bundled roots).
    let system = SslConfiguration::system_ca_certificates();
    assert!(!system.is_empty());
    assert_eq!(default.ca_certificates(), system);

    // A root added on top keeps the system roots and verifies its leaves.
    let ca = Authority::root("Added Root");
    let added = default
        .clone()
        .with_added_ca_certificates([ca.cert.clone()]);
    let trusted = added.ca_certificates();
    assert_eq!(trusted.len(), system.len() + 1);
    assert!(trusted.contains(&system[0]) && trusted.contains(&ca.cert));
    let server = ca.leaf("localhost").server();
    let (client_state, _) = common::connect(&added, &server, "localhost").ok();
    assert!(client_state.peer_verification_errors().is_empty());
    // Without the added root the same server is refused.
    let err = common::connect(&default, &server, "localhost")
        .client
        .unwrap_err();
    assert!(!err.ssl_errors().is_empty(), "{err}");

    // Replacing the default affects only later fetches.
    let custom = SslConfiguration::new().with_peer_verify_mode(PeerVerifyMode::VerifyNone);
    SslConfiguration::set_default_configuration(custom.clone());
    assert_eq!(SslConfiguration::default_configuration(), custom);
    assert_eq!(default.peer_verify_mode(), PeerVerifyMode::AutoVerifyPeer);

    // A null configuration converts like the default, and differs only in is_null and ==.
    let null = SslConfiguration::new();
    assert!(null.is_null());
    assert_ne!(null, default);
    assert_eq!(null.ca_certificates(), default.ca_certificates());
    assert!(null.client_config().is_ok());
}
