//! One case of the `chain_decision` target: a chain from the fixed PKI, a
//! configuration, and the invariants its decisions must keep.
//!
//! The decision is a real handshake through the public API, in memory: a
//! client from `client_config()` against a server presenting the chain
//! (the crate's `server_config()` when the crate reads every certificate,
//! else a plain rustls server), or the crate's `server_config()` with
//! `VerifyPeer` against a plain rustls client presenting it. It is made
//! twice: with the configuration as chosen but no expected errors
//! ("plain"), and with the expected errors too.
//!
//! Invariants (a violation panics, naming the case):
//!
//! - 1a: plain accepts ⇒ rustls's own webpki verifier (same anchors, same
//!   lists newest first, same depth, unknown-status and expiration
//!   policies, same host) does not refuse; unless pins replace CA
//!   verification or the leaf is an exact pin (no path is built).
//! - 1b: rustls's verifier accepts, no depth, no pins, no exact-pin leaf
//!   ⇒ plain accepts (path building finds every path webpki finds).
//! - 1c: plain accepts ⇔ the documented decision built on webpki's public
//!   path building with a path callback for the depth and the pins (and,
//!   for pins alone or an exact pin, the leaf's validity, pin and name):
//!   see [`oracle::exact_verdict`]. Not judged when webpki's budget ran
//!   out.
//! - 2a: plain accepts ⇒ accepted with the expected errors (they only
//!   widen).
//! - 2b: accepted with them but not plain ⇒ every error of `verify_chain`
//!   (or, for a chain the crate cannot read, of the plain refusal) is
//!   expected, none is `CertificateRevoked`, and each names a certificate
//!   that is the leaf or reachable from it by links whose signatures
//!   verify with the next certificate's key (checked here with the
//!   provider's algorithms, among the chain, the anchors and the exact
//!   pins).
//! - 2c: plain refuses, the leaf is one webpki reads, and `verify_chain`
//!   lists errors that are all expected, none a revocation, each on the
//!   leaf ⇒ accepted with them (Qt's `ignoreSslErrors`: every error found
//!   is expected, on a certificate that surely counts); unless the issuer
//!   walk gave up (three impostors of the leaf's issuer first), where
//!   nothing is admitted without a path webpki verified.
//! - 3a: `verify_chain(chain, host)` (`verify_chain_for(.., TlsClient)`
//!   for a client chain) is empty ⇔ plain accepts.
//! - 3b: plain refuses ⇒ the errors carried by the handshake's error
//!   (`Error::find_in`) are `verify_chain`'s, as sets.
//! - 4: no panic anywhere; a handshake ends within a bound
//!   ([`handshake::run`]).
//! - 5: a leaf a configured list revokes (a list of its issuer's name,
//!   signed by a key that verifies the leaf, naming its serial) is
//!   refused, plain or with any expected errors, and `verify_chain` lists
//!   `CertificateRevoked` for it; unless pins alone or an exact pin decide
//!   (no list applies to them).
//! - 6: with lists configured, when rustls's verifier refuses the chain
//!   even without the lists, `verify_chain` lists some error that is not
//!   a list error (`UnableToGetRevocationList`, `RevocationListExpired`,
//!   `RevocationListInvalid`): list errors explain only what the lists
//!   decide, so expecting them never admits a chain no path verifies.
//!
//! The shape of the violations found is left out of 6 unless
//! `CHAIN_DECISION_ALL` is set (see `known_issues_excluded`).

use std::sync::Arc;

use sslconf::rustls;
use sslconf::{
    Certificate, CertificatePurpose, Identity, PeerVerifyMode, PrivateKey, RevocationDepth,
    RevocationList, SslConfiguration, SslError, SslErrorKind, SslProtocol,
};

use crate::handshake::{self, Decision};
use crate::oracle::{self, ExactPin, Lists, Pins, Policy, Verdict};
use crate::pki::Pki;

/// Whether a revocation list error: what relaxed list policies (and
/// expected errors of these kinds) are about.
fn is_list_kind(kind: SslErrorKind) -> bool {
    matches!(
        kind,
        SslErrorKind::UnableToGetRevocationList
            | SslErrorKind::RevocationListExpired
            | SslErrorKind::RevocationListInvalid
    )
}

/// Whether the shape of the violations already found and reported is left
/// out (unless `CHAIN_DECISION_ALL` is set), so that fuzzing goes on past
/// them: `verify_chain` says list errors alone (webpki's verdict was a
/// revocation error, for which the diagnosis classifies no path error,
/// found on a path it never finished: a decoy whose lower signature it had
/// not checked yet, or before the leaf's own revocation), which hides a
/// revoked leaf (invariant 5) or a chain that fails without the lists
/// (invariant 6), and expecting those errors admits it. Regression tests
/// in `tests/decisions.rs`:
/// `a_revoked_leaf_behind_impostors_is_said_revoked_and_refused`,
/// `list_errors_alone_never_explain_a_chain_no_path_verifies`,
/// `list_errors_alone_never_explain_a_rollover_webpki_refuses`.
fn known_issues_excluded() -> bool {
    static ALL: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    !*ALL.get_or_init(|| std::env::var_os("CHAIN_DECISION_ALL").is_some())
}

/// Whether `CHAIN_DECISION_TRACE` is set: each case then prints one
/// `TRACE` line with its decisions (to tell, over a corpus, how often each
/// invariant had something to judge).
fn trace() -> bool {
    static TRACE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("CHAIN_DECISION_TRACE").is_some())
}

/// Which revocation lists, and how they apply.
#[derive(Debug, Clone)]
pub struct ListChoice {
    /// Bit i: the pool's list i.
    pub mask: u32,
    pub leaf_only: bool,
    pub unknown_allowed: bool,
    pub expired_allowed: bool,
}

/// Which keys are pinned (indices in the pool), and whether pins alone
/// decide.
#[derive(Debug, Clone)]
pub struct PinChoice {
    pub keys: Vec<usize>,
    pub only: bool,
}

/// Where an expected error comes from.
#[derive(Debug, Clone)]
pub enum ExpectedSpec {
    /// Every error `verify_chain` reports for the chain, but the one at
    /// this index (mod their number) if given.
    All { but: Option<u8> },
    /// One of them (index mod their number).
    One(u8),
    /// One of the errors `verify_chain` reports for another chain.
    OfChain(Vec<Certificate>, u8),
    /// This kind, naming a certificate of the chain (index mod its length).
    InChain(SslErrorKind, u8),
    /// This error.
    Error(SslError),
}

/// One case.
#[derive(Debug)]
pub struct Case {
    pub pki: &'static Pki,
    /// A server checks a client's chain (else a client checks a server's).
    pub mirror: bool,
    pub tls12: bool,
    /// Index in `pki.leaves`.
    pub leaf: usize,
    pub leaf_der: Vec<u8>,
    pub leaf_mutated: bool,
    pub host: &'static str,
    pub intermediates: Vec<Vec<u8>>,
    /// Index in `pki.anchor_sets`.
    pub anchors: usize,
    pub lists: Option<ListChoice>,
    pub pins: Option<PinChoice>,
    pub depth: u32,
    pub expected: Vec<ExpectedSpec>,
}

impl Case {
    fn chain_ders(&self) -> Vec<Vec<u8>> {
        std::iter::once(self.leaf_der.clone())
            .chain(self.intermediates.iter().cloned())
            .collect()
    }

    fn selected_lists(&self) -> Vec<&RevocationList> {
        let Some(choice) = &self.lists else {
            return Vec::new();
        };
        self.pki
            .lists
            .iter()
            .enumerate()
            .filter(|(i, _)| choice.mask & (1 << i) != 0)
            .map(|(_, l)| &l.list)
            .collect()
    }

    /// The configuration verifying the chain, without expected errors.
    fn configuration(&self) -> SslConfiguration {
        let pki = self.pki;
        let set = &pki.anchor_sets[self.anchors];
        let mut config = SslConfiguration::new()
            .with_ca_certificates(set.certs.iter().map(|&i| pki.certs[i].cert.clone()))
            .with_peer_verify_mode(PeerVerifyMode::VerifyPeer)
            .with_peer_verify_depth(self.depth)
            .with_protocol(if self.tls12 {
                SslProtocol::TlsV1_2
            } else {
                SslProtocol::TlsV1_3
            });
        if let Some(choice) = &self.lists {
            config = config
                .with_revocation_lists(self.selected_lists().into_iter().cloned())
                .with_revocation_depth(if choice.leaf_only {
                    RevocationDepth::Leaf
                } else {
                    RevocationDepth::Chain
                })
                .with_unknown_revocation_status_allowed(choice.unknown_allowed)
                .with_expired_revocation_lists_allowed(choice.expired_allowed);
        }
        if let Some(pins) = &self.pins {
            config = config
                .with_public_key_pins(
                    pins.keys
                        .iter()
                        .filter_map(|&i| pki.certs[i].cert.public_key_pin()),
                )
                .with_public_key_pins_only(pins.only);
        }
        if self.mirror {
            let server = &pki.leaves[pki.server];
            config = config.with_local_identity(Identity::new(
                [pki.certs[server.cert].cert.clone()],
                PrivateKey::from_der(&server.key_der).expect("server key"),
            ));
        }
        config
    }

    fn verify_chain(&self, config: &SslConfiguration, chain: &[Certificate]) -> Vec<SslError> {
        if self.mirror {
            config.verify_chain_for(chain, None, CertificatePurpose::TlsClient)
        } else {
            config.verify_chain(chain, Some(self.host))
        }
    }

    fn resolve_expected(
        &self,
        config: &SslConfiguration,
        certs: Option<&[Certificate]>,
        diagnosis: Option<&[SslError]>,
    ) -> Vec<SslError> {
        let pick = |list: &[SslError], i: u8| -> Option<SslError> {
            (!list.is_empty()).then(|| list[usize::from(i) % list.len()].clone())
        };
        let mut expected = Vec::new();
        for spec in &self.expected {
            match spec {
                ExpectedSpec::All { but } => {
                    let list = diagnosis.unwrap_or_default();
                    let skip = but
                        .filter(|_| !list.is_empty())
                        .map(|b| usize::from(b) % list.len());
                    expected.extend(
                        list.iter()
                            .enumerate()
                            .filter(|(i, _)| Some(*i) != skip)
                            .map(|(_, e)| e.clone()),
                    );
                }
                ExpectedSpec::One(i) => expected.extend(pick(diagnosis.unwrap_or_default(), *i)),
                ExpectedSpec::OfChain(chain, i) => {
                    expected.extend(pick(&self.verify_chain(config, chain), *i))
                }
                ExpectedSpec::InChain(kind, i) => {
                    if let Some(certs) = certs {
                        let cert = certs[usize::from(*i) % certs.len()].clone();
                        expected.push(SslError::new(*kind, Some(cert)));
                    }
                }
                ExpectedSpec::Error(e) => expected.push(e.clone()),
            }
        }
        expected
    }

    /// The verifying side's decision; `None` when it did not get to decide.
    fn decide(
        &self,
        config: &SslConfiguration,
        certs: Option<&[Certificate]>,
    ) -> Option<Result<(), rustls::Error>> {
        let leaf = &self.pki.leaves[self.leaf];
        let ders = self.chain_ders();
        let decision = if self.mirror {
            let server = config.server_config().expect("server config");
            let client = handshake::raw_client(&ders, &leaf.key_der, self.tls12)?;
            let outcome = handshake::run(
                handshake::client(client, self.host),
                rustls::ServerConnection::new(server).expect("server connection"),
            );
            outcome.server
        } else {
            let client = config.client_config().expect("client config");
            let presenting = certs
                .and_then(|certs| {
                    SslConfiguration::new()
                        .with_local_identity(Identity::new(
                            certs.to_vec(),
                            PrivateKey::from_der(&leaf.key_der).ok()?,
                        ))
                        .server_config()
                        .ok()
                })
                .or_else(|| handshake::raw_server(&ders, &leaf.key_der))?;
            let outcome = handshake::run(
                handshake::client(client, self.host),
                rustls::ServerConnection::new(Arc::clone(&presenting)).expect("server connection"),
            );
            outcome.client
        };
        match decision {
            Decision::Accepted => Some(Ok(())),
            Decision::Refused(e) => Some(Err(e)),
            Decision::Undecided(_) => None,
        }
    }

    fn policy(&self) -> Policy {
        let pki = self.pki;
        let set = &pki.anchor_sets[self.anchors];
        let (cas, exact): (Vec<usize>, Vec<usize>) =
            set.certs.iter().partition(|&&i| pki.certs[i].is_ca);
        let mut lists: Vec<&RevocationList> = self.selected_lists();
        lists.sort_by_key(|l| std::cmp::Reverse(l.this_update()));
        Policy {
            anchors: cas
                .iter()
                .map(|&i| pki.certs[i].cert.to_der().to_vec())
                .collect(),
            exact: exact
                .iter()
                .map(|&i| ExactPin {
                    der: pki.certs[i].cert.to_der().to_vec(),
                    not_before: pki.certs[i].not_before,
                    not_after: pki.certs[i].not_after,
                })
                .collect(),
            lists: self.lists.as_ref().map(|c| Lists {
                ders: lists.iter().map(|l| l.as_der().to_vec()).collect(),
                leaf_only: c.leaf_only,
                unknown_allowed: c.unknown_allowed,
                expired_allowed: c.expired_allowed,
            }),
            pins: self.pins.as_ref().map(|p| Pins {
                keys: p
                    .keys
                    .iter()
                    .filter_map(|&i| oracle::spki_contents(pki.certs[i].cert.to_der()))
                    .map(<[u8]>::to_vec)
                    .collect(),
                only: p.only,
            }),
            depth: self.depth,
            host: (!self.mirror).then_some(self.host),
        }
    }

    /// What the case is, in the pool's names, for a violation's message.
    pub fn describe(&self, expected: &[SslError]) -> String {
        let pki = self.pki;
        let name = |der: &[u8]| -> String {
            match pki.certs.iter().find(|c| c.cert.to_der() == der) {
                Some(c) => c.name.to_owned(),
                None => format!("<{} bytes not in the pool>", der.len()),
            }
        };
        let leaf = &pki.certs[pki.leaves[self.leaf].cert];
        let error = |e: &SslError| {
            format!(
                "{:?}({})",
                e.kind(),
                e.certificate().map_or("none".into(), |c| name(c.to_der()))
            )
        };
        let lists: Vec<&str> = self
            .lists
            .as_ref()
            .map(|c| {
                pki.lists
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| c.mask & (1 << i) != 0)
                    .map(|(_, l)| l.name)
                    .collect()
            })
            .unwrap_or_default();
        format!(
            "{} checks {}{} + [{}] for {:?}, {}; anchors {}; lists {:?} {:?}; pins {:?}; depth {}; expected [{}]",
            if self.mirror { "server" } else { "client" },
            leaf.name,
            if self.leaf_mutated { " (bytes flipped)" } else { "" },
            self.intermediates.iter().map(|d| name(d)).collect::<Vec<_>>().join(", "),
            self.host,
            if self.tls12 { "TLS 1.2" } else { "TLS 1.3" },
            pki.anchor_sets[self.anchors].name,
            lists,
            self.lists,
            self.pins.as_ref().map(|p| (p.keys.iter().map(|&i| pki.certs[i].name).collect::<Vec<_>>(), p.only)),
            self.depth,
            expected.iter().map(error).collect::<Vec<_>>().join(", "),
        )
    }

    /// Runs the case and checks every invariant.
    pub fn check(&self) {
        let ders = self.chain_ders();
        let certs: Option<Vec<Certificate>> =
            ders.iter().map(|d| Certificate::from_der(d).ok()).collect();
        let base = self.configuration();
        let diagnosis: Option<Vec<SslError>> = certs.as_ref().map(|c| self.verify_chain(&base, c));
        let expected = self.resolve_expected(&base, certs.as_deref(), diagnosis.as_deref());
        let Some(plain) = self.decide(&base, certs.as_deref()) else {
            return;
        };
        let with_expected = if expected.is_empty() {
            None
        } else {
            let config = base.clone().with_expected_ssl_errors(expected.clone());
            match self.decide(&config, certs.as_deref()) {
                Some(decision) => Some(decision),
                None => return,
            }
        };
        let describe = || {
            format!(
                "{}\n  plain: {:?}\n  with expected: {:?}\n  verify_chain: {:?}",
                self.describe(&expected),
                plain.as_ref().map_err(|e| e.to_string()),
                with_expected
                    .as_ref()
                    .map(|d| d.as_ref().map_err(|e| e.to_string())),
                diagnosis.as_ref().map(|d| d
                    .iter()
                    .map(|e| format!("{:?}", e.kind()))
                    .collect::<Vec<_>>()),
            )
        };
        let accepted = plain.is_ok();
        if trace() {
            eprintln!(
                "TRACE {} plain={} expected={} ({} errors)",
                if self.mirror { "server" } else { "client" },
                if accepted { "accept" } else { "refuse" },
                match &with_expected {
                    None => "none",
                    Some(Ok(())) => "accept",
                    Some(Err(_)) => "refuse",
                },
                diagnosis.as_ref().map_or(0, Vec::len),
            );
        }
        let policy = self.policy();
        let pins_only = self.pins.as_ref().is_some_and(|p| p.only);
        let exact_leaf = policy.exact.iter().any(|e| e.der == self.leaf_der);
        let no_path = pins_only || exact_leaf;

        // 1. Against rustls's own verifier, and the documented decision.
        let raw = oracle::rustls_verdict(&policy, &self.leaf_der, &self.intermediates);
        if accepted && !no_path {
            assert!(
                !raw.refused(),
                "1a: accepted, raw webpki refuses ({raw:?})\n{}",
                describe()
            );
        }
        if raw.accepted() && self.depth == 0 && self.pins.is_none() && !no_path {
            assert!(accepted, "1b: raw webpki accepts, refused\n{}", describe());
        }
        let leaf_validity = (!self.leaf_mutated).then(|| {
            let c = &self.pki.certs[self.pki.leaves[self.leaf].cert];
            (c.not_before, c.not_after)
        });
        if let Some(verdict) =
            oracle::exact_verdict(&policy, &self.leaf_der, &self.intermediates, leaf_validity)
        {
            if verdict != Verdict::Exhausted {
                assert_eq!(
                    accepted,
                    verdict.accepted(),
                    "1c: the documented decision says {verdict:?}\n{}",
                    describe()
                );
            }
        }

        // 3. verify_chain explains exactly the refusals.
        if let Some(list) = &diagnosis {
            assert_eq!(
                list.is_empty(),
                accepted,
                "3a: verify_chain and the decision disagree\n{}",
                describe()
            );
            if let Err(e) = &plain {
                let carried = sslconf::Error::find_in(e)
                    .map(|err| err.ssl_errors().to_vec())
                    .unwrap_or_default();
                let same = carried.iter().all(|e| list.contains(e))
                    && list.iter().all(|e| carried.contains(e));
                assert!(
                    same,
                    "3b: the handshake's errors {:?} are not verify_chain's\n{}",
                    carried
                        .iter()
                        .map(|e| format!("{:?}", e.kind()))
                        .collect::<Vec<_>>(),
                    describe()
                );
            }
        }

        // 5. A revoked leaf is never accepted, and always said to be.
        // 6. A chain that fails without the lists is never explained by
        //    list errors alone.
        let leaf_cert = Certificate::from_der(&self.leaf_der).ok();
        // The shape of the findings (see `known_issues_excluded`): list
        // errors alone.
        let known = known_issues_excluded()
            && diagnosis.as_ref().is_some_and(|list| {
                !list.is_empty() && list.iter().all(|e| is_list_kind(e.kind()))
            });
        if let Some(lists) = &policy.lists {
            if !no_path {
                let pool: Vec<&[u8]> = self.trusted_and_sent(&policy);
                if oracle::leaf_revoked(&self.leaf_der, &pool, &lists.ders) {
                    assert!(!accepted, "5: a revoked leaf accepted\n{}", describe());
                    if !known {
                        assert!(
                            !with_expected.as_ref().is_some_and(Result::is_ok),
                            "5: a revoked leaf accepted with expected errors\n{}",
                            describe()
                        );
                        if let (Some(list), Some(leaf)) = (&diagnosis, &leaf_cert) {
                            let revoked =
                                SslError::new(SslErrorKind::CertificateRevoked, Some(leaf.clone()));
                            assert!(
                                list.contains(&revoked),
                                "5: a revoked leaf not said to be\n{}",
                                describe()
                            );
                        }
                    }
                }
                let without = Policy {
                    lists: None,
                    ..policy.clone()
                };
                let fails_without_lists =
                    oracle::rustls_verdict(&without, &self.leaf_der, &self.intermediates).refused();
                if let (true, Some(list), false) = (fails_without_lists, &diagnosis, known) {
                    assert!(
                        list.iter().any(|e| !is_list_kind(e.kind())),
                        "6: fails without the lists, explained by list errors alone\n{}",
                        describe()
                    );
                }
            }
        }

        // 2. Expected errors widen only as far as they may.
        let Some(with_expected) = with_expected.as_ref() else {
            return;
        };
        if accepted {
            assert!(
                with_expected.is_ok(),
                "2a: accepted plain, refused with expected errors\n{}",
                describe()
            );
            return;
        }
        let errors: Vec<SslError> = match &diagnosis {
            Some(list) => list.clone(),
            None => plain
                .as_ref()
                .err()
                .and_then(|e| sslconf::Error::find_in(e))
                .map(|e| e.ssl_errors().to_vec())
                .unwrap_or_default(),
        };
        if with_expected.is_ok() {
            let pool = self.trusted_and_sent(&policy);
            let reached = oracle::reachable(&self.leaf_der, &pool);
            for error in &errors {
                assert!(
                    expected.contains(error),
                    "2b: admitted with an error not expected: {:?}\n{}",
                    error.kind(),
                    describe()
                );
                assert_ne!(
                    error.kind(),
                    SslErrorKind::CertificateRevoked,
                    "2b: a revocation admitted\n{}",
                    describe()
                );
                let named = error.certificate().map(Certificate::to_der);
                assert!(
                    named.is_some_and(|der| reached.contains(&der)),
                    "2b: admitted with {:?} naming a certificate no verified link reaches\n{}",
                    error.kind(),
                    describe()
                );
            }
            assert!(
                !errors.is_empty(),
                "2b: admitted with no error listed\n{}",
                describe()
            );
        } else if diagnosis.is_some() {
            let leaf = Certificate::from_der(&self.leaf_der).ok();
            let readable = webpki::EndEntityCert::try_from(
                &rustls::pki_types::CertificateDer::from(self.leaf_der.as_slice()),
            )
            .is_ok();
            let admissible = readable
                && !self.issuer_walk_blocked(&policy)
                && !errors.is_empty()
                && errors.iter().all(|e| {
                    expected.contains(e)
                        && e.kind() != SslErrorKind::CertificateRevoked
                        && e.certificate().is_some()
                        && e.certificate() == leaf.as_ref()
                });
            assert!(
                !admissible,
                "2c: every error expected and on the leaf, still refused\n{}",
                describe()
            );
        }
    }

    /// Whether the crate's issuer walk (`src/verify/links.rs`) gives up:
    /// at some link from the leaf up, three certificates of the sent ones
    /// (readable) and then the anchors, with the issuer's name and
    /// distinct keys that do not verify it, come before another with a new
    /// key; or the path grows past eight links. Nothing of such a chain is
    /// admitted without a path webpki verified, even on errors all about
    /// the leaf (`a_chain_whose_issuer_walk_gives_up_admits_nothing`).
    /// Names are compared, not key identifiers: this may call a walk blocked
    /// that the crate's key identifiers let through, never the reverse.
    fn issuer_walk_blocked(&self, policy: &Policy) -> bool {
        const MAX_LINKS: usize = 8;
        const MAX_KEYS_PER_LINK: usize = 3;
        let names = oracle::subject_and_issuer;
        let candidates: Vec<(&[u8], &[u8])> = self
            .intermediates
            .iter()
            .chain(policy.anchors.iter())
            .filter(|der| Certificate::from_der(der).is_ok())
            .filter_map(|der| names(der).map(|(subject, _)| (der.as_slice(), subject)))
            .collect();
        let mut path: Vec<&[u8]> = vec![&self.leaf_der];
        loop {
            let current = path[path.len() - 1];
            let Some((subject, issuer)) = names(current) else {
                return false;
            };
            if policy.anchors.iter().any(|a| a.as_slice() == current) || subject == issuer {
                return false;
            }
            if path.len() > MAX_LINKS {
                return true;
            }
            let mut tried: Vec<&[u8]> = Vec::new();
            let mut next = None;
            for &(der, name) in &candidates {
                if name != issuer || path.contains(&der) {
                    continue;
                }
                let Some(key) = oracle::spki_contents(der) else {
                    continue;
                };
                if tried.contains(&key) {
                    continue;
                }
                if tried.len() == MAX_KEYS_PER_LINK {
                    return true;
                }
                tried.push(key);
                if oracle::signed_with(current, key) {
                    next = Some(der);
                    break;
                }
            }
            match next {
                Some(der) => path.push(der),
                None => return false,
            }
        }
    }

    /// The chain's certificates after the leaf, the anchors and the exact
    /// pins: where links are looked for.
    fn trusted_and_sent<'a>(&'a self, policy: &'a Policy) -> Vec<&'a [u8]> {
        self.intermediates
            .iter()
            .map(Vec::as_slice)
            .chain(policy.anchors.iter().map(Vec::as_slice))
            .chain(policy.exact.iter().map(|e| e.der.as_slice()))
            .collect()
    }
}
