//! What a client whose trust follows files accepted, server name by server
//! name, so that a session a server hands over after a reload is kept only
//! while the trust in force accepts what that server was accepted with.
//!
//! A TLS 1.3 server sends its tickets when it likes: one whose certificate
//! is about to be revoked can hold them back until the client has reloaded
//! the list revoking it. rustls hands the session store a ticket with the
//! server's name only, not the connection it came on nor the chain that
//! connection verified, so the store asks here: every chain accepted for
//! that name, under whichever trust accepted it, must be accepted by the
//! trust in force. One a reload refuses keeps refusing that name's
//! tickets (any open connection might have been verified with it): the
//! cost is full handshakes, never a session the trust in force would
//! refuse.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

use super::{admits, Trust, Usage};
use crate::SslError;

/// The most names recorded: past it, a name is recorded only in place of
/// one whose every chain the trust in force accepted, or not at all (its
/// sessions are then not kept).
const NAMES: usize = 256;
/// The most chains recorded for one name (a fleet of servers with
/// certificates of their own behind one name), on the same terms.
const CHAINS_PER_NAME: usize = 4;

/// The chains a client accepted, by server name.
pub(crate) struct VerifiedServers {
    trust: Arc<Trust>,
    /// Errors a server is accepted with, as its verifier admits them.
    expected: Vec<SslError>,
    /// By the server's name as text (a DNS name or an IP address).
    names: Mutex<HashMap<String, Vec<Accepted>>>,
}

/// One chain accepted for a name, and the last verdict on it.
struct Accepted {
    chain: Vec<CertificateDer<'static>>,
    /// The version of the trust the verdict was given under.
    version: u64,
    accepted: bool,
}

impl Accepted {
    fn current_at(&self, version: u64) -> bool {
        self.version == version && self.accepted
    }
}

impl VerifiedServers {
    pub(crate) fn new(trust: Arc<Trust>, expected: Vec<SslError>) -> Self {
        Self {
            trust,
            expected,
            names: Mutex::new(HashMap::new()),
        }
    }

    /// Notes that `chain` (the end entity first) was accepted for `name`
    /// under `version` of the trust.
    pub(crate) fn record(
        &self,
        name: &ServerName<'_>,
        chain: &[&CertificateDer<'_>],
        version: u64,
    ) {
        let name = name.to_str();
        let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        let same = |a: &Accepted| {
            a.chain.len() == chain.len() && a.chain.iter().zip(chain).all(|(a, b)| a == *b)
        };
        if let Some(known) = names.get_mut(&*name) {
            if let Some(accepted) = known.iter_mut().find(|a| same(a)) {
                if accepted.version <= version {
                    (accepted.version, accepted.accepted) = (version, true);
                }
                return;
            }
        }
        if !names.contains_key(&*name) && names.len() >= NAMES {
            // Forget a name only when nothing recorded for it is in doubt.
            let Some(settled) = names
                .iter()
                .find(|(_, known)| known.iter().all(|a| a.current_at(version)))
                .map(|(name, _)| name.clone())
            else {
                return;
            };
            names.remove(&settled);
        }
        let known = names.entry(name.into_owned()).or_default();
        if known.len() >= CHAINS_PER_NAME {
            let Some(settled) = known.iter().position(|a| a.current_at(version)) else {
                return;
            };
            known.remove(settled);
        }
        known.push(Accepted {
            chain: chain.iter().map(|c| (*c).clone().into_owned()).collect(),
            version,
            accepted: true,
        });
    }

    /// Whether a session from `name` may be kept: something was accepted
    /// for it, and the trust in force accepts every chain it was.
    pub(crate) fn still_accepted(&self, name: &ServerName<'_>) -> bool {
        let (version, verifier) = self.trust.current_versioned();
        let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        let Some(known) = names.get_mut(&*name.to_str()) else {
            return false;
        };
        let now = UnixTime::now();
        for accepted in known.iter_mut() {
            if accepted.version != version {
                accepted.accepted = accepted.chain.split_first().is_some_and(|(leaf, rest)| {
                    match verifier.verify(leaf, rest, Some(name), Usage::ServerAuth, now) {
                        Ok(()) => true,
                        Err(failure) => admits(&self.expected, &failure),
                    }
                });
                accepted.version = version;
            }
        }
        !known.is_empty() && known.iter().all(|a| a.accepted)
    }
}

impl fmt::Debug for VerifiedServers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        f.debug_struct("VerifiedServers")
            .field("names", &names.len())
            .finish_non_exhaustive()
    }
}
