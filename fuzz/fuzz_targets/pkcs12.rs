#![no_main]
//! `Pkcs12::from_der` on arbitrary bytes: the first byte (mod 32) is the
//! passphrase length, the passphrase follows, the rest is the file. What is
//! read must hold together (the identity's leaf is the certificate, its
//! chain is drawn from the file), and goes through every accessor and into
//! a server configuration.

use libfuzzer_sys::fuzz_target;
use sslconf::{Passphrase, Pkcs12, SslConfiguration};

fuzz_target!(|data: &[u8]| {
    let (passphrase, der) = sslconf_fuzz::split_passphrase(data);
    let Ok(p12) = Pkcs12::from_der(der, &Passphrase::new(passphrase)) else {
        return;
    };
    let chain = p12.identity().certificate_chain();
    assert_eq!(&chain[0], p12.certificate());
    for issuer in &chain[1..] {
        assert!(
            p12.ca_certificates().contains(issuer),
            "a served certificate from outside the file"
        );
    }
    let _ = (p12.friendly_name(), format!("{p12:?}"));
    let mut all = vec![p12.certificate().clone()];
    all.extend(p12.ca_certificates().iter().cloned());
    sslconf_fuzz::exercise_certificates(&all);
    let _ = (p12.private_key().algorithm(), p12.private_key().length());
    let _ = SslConfiguration::new()
        .with_local_identity(p12.into_identity())
        .server_config();
});
