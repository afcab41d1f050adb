//! What every fuzz target does with what it parsed: call every accessor, check
//! the round trips that must hold, and feed the values on into a configuration,
//! so that a panic anywhere behind a parser shows up too. The modules are
//! the `chain_decision` target's: a fixed PKI (`pki`), an in-memory
//! handshake (`handshake`), the oracles its decisions are compared with
//! (`oracle`) and the invariants (`decision`).

pub mod decision;
pub mod handshake;
pub mod oracle;
pub mod pki;

use sslconf::{
    Certificate, DigestAlgorithm, Identity, PrivateKey, RevocationList, SslConfiguration,
    SslErrorKind, SubjectInfo,
};

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

/// A fixed P-256 CA (`fuzz/data/crl-ca.pem`; its key, `crl-ca.key`, signs
/// the seed CRLs `fuzz/seed.sh` makes) and a leaf it issued for
/// `crl.example`, serial 1001 (`crl-leaf.pem`), valid until 2126.
const CRL_CA_PEM: &[u8] = include_bytes!("../data/crl-ca.pem");
const CRL_LEAF_PEM: &[u8] = include_bytes!("../data/crl-leaf.pem");

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
        .with_local_identity(Identity::new(cert, key))
        .server_config();
}

/// Every getter of each list, `Debug` and the DER round trip; then the
/// fixed CA's chain verified with the lists, under the default policies
/// and the lenient ones: every error names a certificate of the chain, and
/// a revocation is only ever found by a list of the fixed CA that revokes
/// something.
pub fn exercise_revocation_lists(lists: &[RevocationList]) {
    for list in lists {
        let again = RevocationList::from_der(list.as_der()).expect("as_der reads back");
        assert_eq!(again, *list);
        assert_eq!(again.issuer_name(), list.issuer_name());
        assert_eq!(again.revoked_count(), list.revoked_count());
        assert_eq!(
            (again.this_update(), again.next_update()),
            (list.this_update(), list.next_update())
        );
        let _ = format!("{list:?}");
    }
    let ca = Certificate::from_pem(CRL_CA_PEM)
        .expect("fixed CA")
        .remove(0);
    let leaf = Certificate::from_pem(CRL_LEAF_PEM)
        .expect("fixed leaf")
        .remove(0);
    let chain = [leaf, ca.clone()];
    let base = SslConfiguration::new()
        .with_ca_certificates([ca.clone()])
        .with_revocation_lists(lists.iter().cloned());
    let lenient = base
        .clone()
        .with_unknown_revocation_status_allowed(true)
        .with_expired_revocation_lists_allowed(true);
    // A list can revoke the leaf only if the CA signed it: its issuer is
    // the CA's name, and it revokes something.
    let can_revoke = lists
        .iter()
        .any(|l| l.issuer_name().ends_with("CN=Fuzz CRL CA") && l.revoked_count() > 0);
    for config in [base, lenient] {
        for error in config.verify_chain(&chain, Some("crl.example")) {
            let _ = error.to_string();
            if let Some(named) = error.certificate() {
                assert!(
                    chain.contains(named),
                    "{error:?} names a certificate outside the chain"
                );
            }
            if error.kind() == SslErrorKind::CertificateRevoked {
                assert!(can_revoke, "revoked by no list of the CA: {lists:?}");
            }
        }
        let _ = config.client_config();
    }
}
