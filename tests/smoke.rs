mod common;

use common::Authority;
use sslconf::{SslConfiguration, SslProtocol};

#[test]
fn client_and_server_talk() {
    let ca = Authority::root("Test Root");
    let server = ca.leaf("localhost").server();
    let client = SslConfiguration::new().with_ca_certificates([ca.cert.clone()]);
    let (c, s) = common::connect(&client, &server, "localhost").ok();
    assert_eq!(c.session_protocol(), SslProtocol::TlsV1_3);
    assert_eq!(s.server_name(), Some("localhost"));
    assert!(c.peer_verification_errors().is_empty());
    assert_eq!(
        c.peer_certificate().unwrap().subject_display_name(),
        "localhost"
    );
}
