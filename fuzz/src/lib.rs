//! What every fuzz target does with what it parsed: call every accessor, check
//! the round trips that must hold, and feed the values on into a configuration,
//! so that a panic anywhere behind a parser shows up too.

use sslconf::{Certificate, DigestAlgorithm, PrivateKey, SslConfiguration, SubjectInfo};

const SUBJECT_INFO: [SubjectInfo; 8] = [
    SubjectInfo::Organization,
    SubjectInfo::CommonName,
    SubjectInfo::LocalityName,
    SubjectInfo::OrganizationalUnitName,
    SubjectInfo::CountryName,
    SubjectInfo::StateOrProvinceName,
    SubjectInfo::EmailAddress,
    SubjectInfo::SerialNumber,
];

/// A fixed self-signed P-256 certificate, to try keys against.
const CERT_PEM: &[u8] = include_bytes!("../data/cert.pem");

/// Splits fuzz input into a passphrase (its length is the first byte, mod 32)
/// and the rest.
pub fn split_passphrase(data: &[u8]) -> (&[u8], &[u8]) {
    match data.split_first() {
        Some((&n, rest)) => rest.split_at(usize::from(n % 32).min(rest.len())),
        None => (&[], data),
    }
}

/// Every accessor of each certificate, the PEM and DER round trips, and
/// `verify_chain` of the whole list as a chain against its last certificate.
pub fn exercise_certificates(certs: &[Certificate]) {
    for cert in certs {
        let again = Certificate::from_pem(cert.to_pem().as_bytes()).expect("to_pem reads back");
        assert_eq!(again.as_slice(), std::slice::from_ref(cert));
        assert_eq!(
            Certificate::from_der(cert.to_der()).expect("to_der reads back"),
            *cert
        );
        for algorithm in [
            DigestAlgorithm::Sha1,
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ] {
            assert!(!cert.digest(algorithm).is_empty());
        }
        let _ = cert.serial_number();
        // Fields are read on first use: what construction accepted must
        // read (one that cannot reports version 0).
        assert_ne!(cert.version(), 0, "an accepted certificate reads");
        for info in SUBJECT_INFO {
            let _ = cert.subject_info(info);
            let _ = cert.issuer_info(info);
        }
        let _ = (cert.subject_display_name(), cert.issuer_display_name());
        let _ = (cert.subject_name(), cert.issuer_name());
        let _ = (cert.effective_date(), cert.expiry_date());
        let _ = (cert.is_self_signed(), cert.is_ca());
        let _ = cert.subject_alternative_names();
        let _ = format!("{cert:?}");
    }
    let Some(last) = certs.last() else {
        return;
    };
    let config = SslConfiguration::new().with_ca_certificates([last.clone()]);
    for host in [Some("example.com"), Some("127.0.0.1"), None] {
        for error in config.verify_chain(certs, host) {
            let _ = error.to_string();
            if let Some(named) = error.certificate() {
                assert!(
                    certs.contains(named),
                    "{error:?} names a certificate outside the chain"
                );
            }
        }
    }
    let _ = config.client_config();
}

/// The key's accessors, and the key against a fixed certificate in a server
/// configuration (which makes the crypto provider load it).
pub fn exercise_key(key: PrivateKey) {
    let _ = (key.algorithm(), key.length());
    let _ = format!("{key:?}");
    let cert = Certificate::from_pem(CERT_PEM).expect("fixed certificate");
    let _ = SslConfiguration::new()
        .with_local_certificate_chain(cert)
        .with_private_key(key)
        .server_config();
}
