//! What a client whose trust follows files accepted, server name by server
//! name: the fast answer to whether a session a server hands over after a
//! reload may be kept, without reading the session's own chain.
//!
//! The sound answer reads the chain out of the session value (see
//! `client::session_chain`), at a cost in proportion to the chain. Here,
//! when every chain accepted for a name is on record and the trust in
//! force accepts each, any session of that name is kept: it came from a
//! connection that verified one of them. The record is bounded; whatever
//! it cannot vouch for (a name it never saw, or forgot, or with more
//! chains than it keeps) is left to the sound answer, never guessed.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::pki_types::{CertificateDer, ServerName};

use super::Recheck;

/// How long a verdict on a chain on record is reused under the same trust
/// (a verdict that time alone changes, a certificate expiring, is given
/// again soon).
const REUSED_FOR: Duration = Duration::from_secs(10);

/// The most names on record; past it one is forgotten to make room.
const NAMES: usize = 256;
/// The most chains on record for one name (a fleet of servers with
/// certificates of their own behind one name); past it the name's record
/// no longer vouches for its sessions.
const CHAINS_PER_NAME: usize = 4;
/// Forgotten names, by a hash of the name: a name recorded again after it
/// was forgotten may have chains from before that its new record lacks.
const FORGOTTEN_SLOTS: usize = 1024;

/// One chain accepted for a name, and the last verdict of the trust on it.
struct Accepted {
    chain: Arc<[CertificateDer<'static>]>,
    /// The trust's version, the verdict, and when it was given.
    verdict: Option<(u64, bool, Instant)>,
}

/// The chains a client accepted, by server name.
pub(crate) struct VerifiedServers {
    record: Mutex<Record>,
}

struct Record {
    /// By the server's name as text (a DNS name or an IP address).
    names: HashMap<String, Name>,
    /// Set for the slot of each name ever forgotten.
    forgotten: Box<[bool; FORGOTTEN_SLOTS]>,
    hasher: RandomState,
}

/// What is on record of one name.
struct Name {
    chains: Vec<Accepted>,
    /// Whether `chains` holds every chain accepted for the name (none was
    /// left out, and the name was never forgotten before).
    complete: bool,
}

impl VerifiedServers {
    pub(crate) fn new() -> Self {
        Self {
            record: Mutex::new(Record {
                names: HashMap::new(),
                forgotten: Box::new([false; FORGOTTEN_SLOTS]),
                hasher: RandomState::new(),
            }),
        }
    }

    /// Notes that `chain` (the end entity first) was accepted for `name`.
    pub(crate) fn record(&self, name: &ServerName<'_>, chain: &[&CertificateDer<'_>]) {
        let name = key(name);
        let mut record = self.record.lock().unwrap_or_else(|e| e.into_inner());
        let Record {
            names,
            forgotten,
            hasher,
        } = &mut *record;
        if !names.contains_key(&name) {
            if names.len() >= NAMES {
                if let Some(evicted) = names.keys().next().cloned() {
                    forgotten[slot(hasher, &evicted)] = true;
                    names.remove(&evicted);
                }
            }
            let complete = !forgotten[slot(hasher, &name)];
            names.insert(
                name.clone(),
                Name {
                    chains: Vec::new(),
                    complete,
                },
            );
        }
        let Some(known) = names.get_mut(&name) else {
            return;
        };
        let same = |known: &Accepted| {
            known.chain.len() == chain.len() && known.chain.iter().zip(chain).all(|(a, b)| a == *b)
        };
        if known.chains.iter().any(same) || !known.complete {
            return;
        }
        if known.chains.len() >= CHAINS_PER_NAME {
            known.complete = false;
            known.chains.clear();
            return;
        }
        known.chains.push(Accepted {
            chain: chain.iter().map(|c| (*c).clone().into_owned()).collect(),
            verdict: None,
        });
    }

    /// Whether every chain accepted for `name` is on record and `recheck`
    /// (the trust in force) accepts each: then a session of that name may be
    /// kept. `false` says only that the record cannot tell.
    pub(crate) fn vouch_for(&self, name: &ServerName<'_>, recheck: &Recheck) -> bool {
        let text = key(name);
        let version = recheck.trust_version();
        let fresh = |verdict: Option<(u64, bool, Instant)>| {
            verdict.filter(|&(v, _, at)| v == version && at.elapsed() < REUSED_FOR)
        };
        let stale: Vec<Arc<[CertificateDer<'static>]>> = {
            let record = self.record.lock().unwrap_or_else(|e| e.into_inner());
            let Some(known) = record.names.get(&text) else {
                return false;
            };
            if !known.complete || known.chains.is_empty() {
                return false;
            }
            let mut stale = Vec::new();
            for accepted in &known.chains {
                match fresh(accepted.verdict) {
                    Some((_, false, _)) => return false,
                    Some(_) => {}
                    None => stale.push(Arc::clone(&accepted.chain)),
                }
            }
            stale
        };
        if stale.is_empty() {
            return true;
        }
        // Judged outside the lock: a verification takes a while.
        let verdicts: Vec<bool> = stale
            .iter()
            .map(|chain| recheck.accepts(chain, Some(name)))
            .collect();
        let mut record = self.record.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = record.names.get_mut(&text) {
            for (chain, &accepted) in stale.iter().zip(&verdicts) {
                if let Some(on_record) = known
                    .chains
                    .iter_mut()
                    .find(|a| Arc::ptr_eq(&a.chain, chain))
                {
                    on_record.verdict = Some((version, accepted, Instant::now()));
                }
            }
        }
        verdicts.iter().all(|&accepted| accepted)
    }
}

/// A name as the record keys it: as text, a DNS name in lowercase (rustls
/// resumes a session of one spelling for another).
fn key(name: &ServerName<'_>) -> String {
    name.to_str().to_ascii_lowercase()
}

fn slot(hasher: &RandomState, name: &str) -> usize {
    (hasher.hash_one(name) % FORGOTTEN_SLOTS as u64) as usize
}

impl fmt::Debug for VerifiedServers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let record = self.record.lock().unwrap_or_else(|e| e.into_inner());
        f.debug_struct("VerifiedServers")
            .field("names", &record.names.len())
            .finish_non_exhaustive()
    }
}
