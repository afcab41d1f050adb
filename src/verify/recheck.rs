//! A peer's chain checked again by the trust in force, for a session that
//! resumes (or is kept) without the handshake that would verify it: a
//! server whose trust follows files opening a client's ticket, a client
//! keeping a ticket a server handed over after a reload.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

use super::{admits, Trust, Usage};
use crate::provider::primitives::digest;
use crate::SslError;

/// How long a verdict is reused for the same chain under the same trust:
/// a peer resuming again costs a digest, not a verification, and a verdict
/// that time alone changes (a certificate expiring) is given again soon.
const REUSED_FOR: Duration = Duration::from_secs(10);
/// The most verdicts kept; past it they are all forgotten at once.
const KEPT: usize = 4096;

/// What the verifier of a trust decides of a chain, now.
pub(crate) struct Recheck {
    trust: Arc<Trust>,
    /// Errors the peer is accepted with (Qt's `ignoreSslErrors`).
    expected: Vec<SslError>,
    usage: Usage,
    /// By the digest of the name and chain: the trust's version, the
    /// verdict and when it was given.
    verdicts: Mutex<HashMap<[u8; 32], (u64, bool, Instant)>>,
}

impl Recheck {
    /// Checks of chains for `usage` by `trust`, admitting `expected`.
    pub(crate) fn new(trust: Arc<Trust>, expected: Vec<SslError>, usage: Usage) -> Self {
        Self {
            trust,
            expected,
            usage,
            verdicts: Mutex::default(),
        }
    }

    /// Whether the trust in force accepts `chain` (the end entity first),
    /// for `name` when a server is checked; an empty chain is refused.
    pub(crate) fn accepts(
        &self,
        chain: &[CertificateDer<'_>],
        name: Option<&ServerName<'_>>,
    ) -> bool {
        let Some((end_entity, intermediates)) = chain.split_first() else {
            return false;
        };
        let (version, verifier) = self.trust.current_versioned();
        let key = key(chain, name);
        let lock = || self.verdicts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&(v, accepted, at)) = lock().get(&key) {
            if v == version && at.elapsed() < REUSED_FOR {
                return accepted;
            }
        }
        let now = UnixTime::now();
        let accepted = match verifier.verify(end_entity, intermediates, name, self.usage, now) {
            Ok(()) => true,
            Err(failure) => admits(&self.expected, &failure),
        };
        let mut verdicts = lock();
        if verdicts.len() >= KEPT {
            verdicts.clear();
        }
        verdicts.insert(key, (version, accepted, Instant::now()));
        accepted
    }

    /// The version of the trust in force.
    pub(crate) fn trust_version(&self) -> u64 {
        self.trust.current_versioned().0
    }
}

/// The digest of `name` and `chain`, each part fed with its length first.
fn key(chain: &[CertificateDer<'_>], name: Option<&ServerName<'_>>) -> [u8; 32] {
    let mut hash = digest::Context::new(&digest::SHA256);
    let name = name.map(|name| name.to_str());
    for part in name
        .iter()
        .map(|n| n.as_bytes())
        .chain(chain.iter().map(|c| c.as_ref()))
    {
        hash.update(&(part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    let mut key = [0; 32];
    key.copy_from_slice(hash.finish().as_ref());
    key
}

impl fmt::Debug for Recheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recheck")
            .field("usage", &self.usage)
            .finish_non_exhaustive()
    }
}
