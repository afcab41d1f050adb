//! The fixed PKI the `chain_decision` target judges chains of, made once
//! per process with rcgen: two roots, intermediates (one cross-signed by
//! the other root, an expired copy, a copy constrained to path length 0,
//! the other root cross-signed, one that is no CA), leaves whose keys are
//! kept (genuine, revoked, expired, not yet valid, wrong purpose, wrong
//! name, self-signed, under the non-CA), forgeries (certificates signed by
//! an attacker's key under a real CA's subject and key identifier), and
//! revocation lists (current, expired, newer but expired, forged, from a
//! CA whose key usage does not allow signing them), a self-issued
//! rollover, impostors of an intermediate and a leaf issued by the
//! self-signed leaf's key.
//!
//! Every CA's key identifier is fixed (`[id; 20]`), so that a forger, who
//! has only the CA's certificate, copies it exactly, as
//! `tests/decisions.rs` does.

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, RevocationReason,
    RevokedCertParams, SerialNumber,
};
use sslconf::{Certificate, RevocationList};

/// The host name every leaf but `other.test`'s is for.
pub const HOST: &str = "leaf.test";
/// The name of the leaf issued for another host.
pub const OTHER_HOST: &str = "other.test";

/// A certificate of the pool and what the oracles must know of it by
/// construction.
#[derive(Debug)]
pub struct Named {
    pub name: &'static str,
    pub cert: Certificate,
    /// basicConstraints cA (what makes a configured certificate a trust
    /// anchor rather than an exact pin).
    pub is_ca: bool,
    /// Validity, in seconds since the Unix epoch.
    pub not_before: u64,
    pub not_after: u64,
}

/// A leaf whose key is held, so that a handshake with it can complete.
#[derive(Debug)]
pub struct Leaf {
    /// Index in [`Pki::certs`].
    pub cert: usize,
    /// PKCS#8 DER.
    pub key_der: Vec<u8>,
}

/// A revocation list of the pool.
#[derive(Debug)]
pub struct List {
    pub name: &'static str,
    pub list: RevocationList,
}

/// The CA certificates a configuration may trust.
#[derive(Debug)]
pub struct AnchorSet {
    pub name: &'static str,
    /// Indices in [`Pki::certs`].
    pub certs: Vec<usize>,
}

/// Everything made at start.
#[derive(Debug)]
pub struct Pki {
    pub certs: Vec<Named>,
    pub leaves: Vec<Leaf>,
    pub lists: Vec<List>,
    pub anchor_sets: Vec<AnchorSet>,
    /// The leaf (index in `leaves`) a server verifying clients presents.
    pub server: usize,
}

struct Ca {
    params: CertificateParams,
    key: KeyPair,
}

fn key() -> KeyPair {
    KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("P-256 key")
}

fn secs(year: i32) -> u64 {
    u64::try_from(date_time_ymd(year, 1, 1).unix_timestamp()).expect("after 1970")
}

impl Ca {
    fn new(name: &str, id: u8) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("no names");
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.key_identifier_method = KeyIdMethod::PreSpecified(vec![id; 20]);
        params.use_authority_key_identifier_extension = true;
        params.not_before = date_time_ymd(2020, 1, 1);
        params.not_after = date_time_ymd(2090, 1, 1);
        Ca { params, key: key() }
    }

    fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }

    /// The same subject and key identifier with an attacker's key.
    fn forger(&self) -> Ca {
        Ca {
            params: self.params.clone(),
            key: key(),
        }
    }

    fn self_signed(&self, serial: u64) -> Certificate {
        let mut params = self.params.clone();
        params.serial_number = Some(SerialNumber::from(serial));
        der_cert(params.self_signed(&self.key).expect("self-signed").der())
    }

    /// This CA's certificate issued by `by`, with `tweak` applied to it.
    fn certified_by(
        &self,
        by: &Ca,
        serial: u64,
        tweak: impl FnOnce(&mut CertificateParams),
    ) -> Certificate {
        let mut params = self.params.clone();
        params.serial_number = Some(SerialNumber::from(serial));
        tweak(&mut params);
        der_cert(
            params
                .signed_by(&self.key, &by.issuer())
                .expect("signed")
                .der(),
        )
    }

    /// A revocation list from this CA (dates as (year, month, day)),
    /// revoking `serials`.
    fn list(&self, this: (i32, u8, u8), next: (i32, u8, u8), serials: &[u64]) -> RevocationList {
        let params = CertificateRevocationListParams {
            this_update: date_time_ymd(this.0, this.1, this.2),
            next_update: date_time_ymd(next.0, next.1, next.2),
            crl_number: SerialNumber::from(
                u64::try_from(this.0).unwrap_or(0) * 100 + u64::from(this.1),
            ),
            issuing_distribution_point: None,
            revoked_certs: serials
                .iter()
                .map(|&s| RevokedCertParams {
                    serial_number: SerialNumber::from(s),
                    revocation_time: date_time_ymd(2024, 1, 1),
                    reason_code: Some(RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: self.params.key_identifier_method.clone(),
        };
        let crl = params.signed_by(&self.issuer()).expect("CRL");
        RevocationList::from_der(crl.der()).expect("rcgen's CRL reads")
    }
}

fn der_cert(der: &[u8]) -> Certificate {
    Certificate::from_der(der).expect("rcgen's certificate reads")
}

/// What a leaf is made as.
struct LeafSpec {
    name: &'static str,
    host: &'static str,
    serial: u64,
    from: i32,
    to: i32,
    eku: Vec<ExtendedKeyUsagePurpose>,
}

fn both() -> Vec<ExtendedKeyUsagePurpose> {
    vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ]
}

impl LeafSpec {
    fn new(name: &'static str, serial: u64) -> LeafSpec {
        LeafSpec {
            name,
            host: HOST,
            serial,
            from: 2020,
            to: 2090,
            eku: both(),
        }
    }

    fn params(&self) -> CertificateParams {
        let mut params = CertificateParams::new(vec![self.host.to_owned()]).expect("name");
        params
            .distinguished_name
            .push(DnType::CommonName, self.host);
        params.serial_number = Some(SerialNumber::from(self.serial));
        params.not_before = date_time_ymd(self.from, 1, 1);
        params.not_after = date_time_ymd(self.to, 1, 1);
        params.extended_key_usages = self.eku.clone();
        params.use_authority_key_identifier_extension = true;
        params
    }
}

struct Builder {
    certs: Vec<Named>,
    leaves: Vec<Leaf>,
}

impl Builder {
    fn push(
        &mut self,
        name: &'static str,
        cert: Certificate,
        is_ca: bool,
        years: (i32, i32),
    ) -> usize {
        self.certs.push(Named {
            name,
            cert,
            is_ca,
            not_before: secs(years.0),
            not_after: secs(years.1),
        });
        self.certs.len() - 1
    }

    fn ca(&mut self, name: &'static str, cert: Certificate) -> usize {
        self.push(name, cert, true, (2020, 2090))
    }

    /// A leaf of `spec` signed by `by`, its key kept.
    fn leaf(&mut self, spec: LeafSpec, by: &Ca) -> usize {
        let key = key();
        let cert = der_cert(
            spec.params()
                .signed_by(&key, &by.issuer())
                .expect("leaf")
                .der(),
        );
        let at = self.push(spec.name, cert, false, (spec.from, spec.to));
        self.leaves.push(Leaf {
            cert: at,
            key_der: key.serialize_der(),
        });
        self.leaves.len() - 1
    }
}

impl Pki {
    /// Index in `certs` of the certificate named `name`.
    pub fn index(&self, name: &str) -> usize {
        self.certs
            .iter()
            .position(|c| c.name == name)
            .unwrap_or_else(|| panic!("no certificate {name}"))
    }

    pub fn new() -> Pki {
        let root_a = Ca::new("Fuzz Root A", 0xa1);
        let root_b = Ca::new("Fuzz Root B", 0xb1);
        let int1 = Ca::new("Fuzz Int 1", 0x11);
        let int2 = Ca::new("Fuzz Int 2", 0x12);
        let int_b = Ca::new("Fuzz Int B", 0x1b);
        let mut not_ca = Ca::new("Fuzz Not CA", 0x4e);
        not_ca.params.is_ca = IsCa::ExplicitNoCa;
        not_ca.params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        // An attacker's key under I1's and A's names and key identifiers,
        // and a certificate of I1's name and key identifier for another
        // key, "signed" by the forger of A.
        let forger_1 = int1.forger();
        let forger_a = root_a.forger();
        let forged_1 = int1.forger();

        let mut b = Builder {
            certs: Vec::new(),
            leaves: Vec::new(),
        };
        b.ca("A", root_a.self_signed(1));
        b.ca("B", root_b.self_signed(2));
        b.ca("I1", int1.certified_by(&root_a, 11, |_| {}));
        b.ca("I1 by B", int1.certified_by(&root_b, 12, |_| {}));
        let expired = int1.certified_by(&root_a, 13, |p| {
            p.not_before = date_time_ymd(2010, 1, 1);
            p.not_after = date_time_ymd(2020, 1, 1);
        });
        b.push("I1 expired", expired, true, (2010, 2020));
        b.ca(
            "I1 pathlen 0",
            int1.certified_by(&root_a, 14, |p| {
                p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0))
            }),
        );
        b.ca("I2", int2.certified_by(&int1, 21, |_| {}));
        b.ca("IB", int_b.certified_by(&root_b, 31, |_| {}));
        b.ca("B by A", root_b.certified_by(&root_a, 41, |_| {}));
        let nc = not_ca.certified_by(&root_a, 51, |_| {});
        b.push("Not CA", nc, false, (2020, 2090));
        b.ca("forged I1", forged_1.certified_by(&forger_a, 61, |_| {}));

        let l_i1 = b.leaf(LeafSpec::new("leaf I1", 1001), &int1);
        b.leaf(LeafSpec::new("leaf I2", 1002), &int2);
        b.leaf(LeafSpec::new("leaf A", 1003), &root_a);
        b.leaf(LeafSpec::new("leaf IB", 1004), &int_b);
        b.leaf(LeafSpec::new("leaf revoked", 1005), &int1);
        let expired = LeafSpec {
            from: 2015,
            to: 2020,
            ..LeafSpec::new("leaf expired", 1006)
        };
        b.leaf(expired, &int1);
        let email = LeafSpec {
            eku: vec![ExtendedKeyUsagePurpose::EmailProtection],
            ..LeafSpec::new("leaf email", 1007)
        };
        b.leaf(email, &int1);
        let other = LeafSpec {
            host: OTHER_HOST,
            ..LeafSpec::new("leaf other.test", 1008)
        };
        b.leaf(other, &int1);
        // The forged leaf shares the revoked leaf's serial: I1's lists name
        // it, but I1's key did not sign it.
        b.leaf(LeafSpec::new("leaf forged under I1", 1005), &forger_1);
        b.leaf(LeafSpec::new("leaf forged under A", 1010), &forger_a);
        let self_key = key();
        let self_cert = der_cert(
            LeafSpec::new("leaf self-signed", 1011)
                .params()
                .self_signed(&self_key)
                .expect("self-signed")
                .der(),
        );
        let at = b.push("leaf self-signed", self_cert, false, (2020, 2090));
        b.leaves.push(Leaf {
            cert: at,
            key_der: self_key.serialize_der(),
        });
        b.leaf(LeafSpec::new("leaf under Not CA", 1012), &not_ca);
        b.leaf(LeafSpec::new("leaf under forged I1", 1013), &forged_1);
        let server_only = LeafSpec {
            eku: vec![ExtendedKeyUsagePurpose::ServerAuth],
            ..LeafSpec::new("leaf serverAuth", 1014)
        };
        b.leaf(server_only, &int1);
        let future = LeafSpec {
            from: 2080,
            to: 2090,
            ..LeafSpec::new("leaf not yet valid", 1015)
        };
        b.leaf(future, &int1);
        b.leaf(LeafSpec::new("leaf revoked under I2", 1016), &int2);
        let server = b.leaf(LeafSpec::new("server", 1017), &root_a);
        let _ = l_i1;

        // Added after the first rounds, at the end so that fuzz/seed.sh's
        // indices hold: a CA whose key usage does not allow signing CRLs
        // (its list is signed all the same), a rollover (I1's name under a
        // new key and key identifier, certified by I1: self-issued), three
        // impostors of I1 (its name and key identifier, other keys,
        // certified by B), and a leaf issued with the self-signed leaf's
        // key.
        let mut no_crl = Ca::new("Fuzz Int NoCRL", 0x13);
        no_crl.params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
        b.ca("NoCRL", no_crl.certified_by(&root_a, 15, |_| {}));
        let rollover = Ca::new("Fuzz Int 1", 0x21);
        b.ca("I1 new key by I1", rollover.certified_by(&int1, 16, |_| {}));
        for (name, serial) in [
            ("I1 impostor 1", 17),
            ("I1 impostor 2", 18),
            ("I1 impostor 3", 19),
        ] {
            b.ca(name, int1.forger().certified_by(&root_b, serial, |_| {}));
        }
        b.leaf(LeafSpec::new("leaf under NoCRL", 1018), &no_crl);
        b.leaf(LeafSpec::new("leaf revoked under NoCRL", 1019), &no_crl);
        b.leaf(LeafSpec::new("leaf under I1 new key", 1020), &rollover);
        let self_params = LeafSpec::new("leaf self-signed", 1011).params();
        let by_self = Issuer::from_params(&self_params, &self_key);
        let key = key();
        let cert = der_cert(
            LeafSpec::new("leaf under self-signed", 1021)
                .params()
                .signed_by(&key, &by_self)
                .expect("leaf")
                .der(),
        );
        let at = b.push("leaf under self-signed", cert, false, (2020, 2090));
        b.leaves.push(Leaf {
            cert: at,
            key_der: key.serialize_der(),
        });
        // NoCRL's list, signed by its key (rcgen checks the issuer's key
        // usage; webpki must refuse it for the certificate's).
        let no_crl_list = {
            let mut signer = Ca::new("Fuzz Int NoCRL", 0x13);
            signer.key = no_crl.key;
            signer.list((2024, 1, 1), (2090, 1, 1), &[1019])
        };

        let lists = vec![
            List {
                name: "I1 current",
                list: int1.list((2024, 1, 1), (2090, 1, 1), &[1005]),
            },
            List {
                name: "I1 expired",
                list: int1.list((2018, 1, 1), (2019, 1, 1), &[1005]),
            },
            List {
                name: "I1 newer, expired",
                list: int1.list((2025, 6, 1), (2025, 7, 1), &[1005]),
            },
            List {
                name: "A current (revokes I1 pathlen 0)",
                list: root_a.list((2024, 1, 1), (2090, 1, 1), &[14]),
            },
            List {
                name: "I2 current",
                list: int2.list((2024, 1, 1), (2090, 1, 1), &[1016]),
            },
            // B lists leaf I1's serial: another issuer's, so it revokes nothing.
            List {
                name: "B current",
                list: root_b.list((2024, 1, 1), (2090, 1, 1), &[1001]),
            },
            List {
                name: "IB current",
                list: int_b.list((2024, 1, 1), (2090, 1, 1), &[]),
            },
            // Newest of I1's name, signed by the forger, revoking nothing.
            List {
                name: "I1 forged",
                list: forger_1.list((2025, 12, 1), (2090, 1, 1), &[]),
            },
            List {
                name: "A expired",
                list: root_a.list((2018, 1, 1), (2019, 1, 1), &[]),
            },
            List {
                name: "NoCRL current (its issuer may not sign lists)",
                list: no_crl_list,
            },
        ];

        let mut pki = Pki {
            certs: b.certs,
            leaves: b.leaves,
            lists,
            anchor_sets: Vec::new(),
            server,
        };
        let sets: [(&'static str, &[&str]); 5] = [
            ("A", &["A"]),
            ("A and B", &["A", "B"]),
            ("B", &["B"]),
            ("A and the self-signed leaf", &["A", "leaf self-signed"]),
            ("I1 alone", &["I1"]),
        ];
        pki.anchor_sets = sets
            .iter()
            .map(|(name, certs)| AnchorSet {
                name,
                certs: certs.iter().map(|c| pki.index(c)).collect(),
            })
            .collect();
        pki
    }
}

impl Default for Pki {
    fn default() -> Self {
        Pki::new()
    }
}
