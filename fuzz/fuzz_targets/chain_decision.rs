#![no_main]
//! Differential target: the crate's accept decision in a real (in-memory)
//! handshake against raw webpki, webpki with a path callback for the depth
//! and the pins, `verify_chain`, and link signatures checked here.
//!
//! The input chooses, from a fixed PKI (`sslconf_fuzz::pki`), a leaf whose
//! key is held (sometimes with bytes flipped outside its key), up to six
//! intermediates (from the pool, repeated and in any order, sometimes with
//! bytes flipped, or raw input bytes), the trust anchors, revocation lists
//! and their policies, public key pins (or pins alone), a verify depth,
//! and expected errors (every or one of the errors `verify_chain` reports
//! for the chain, one of another chain's, or any kind with any certificate
//! of the pool). The side verifying is a client checking a server (the
//! server presents the chain) or, a quarter of the time, a server with
//! `VerifyPeer` checking a client's chain. See `sslconf_fuzz::decision`
//! for the invariants.

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sslconf::{SslError, SslErrorKind};
use sslconf_fuzz::decision::{Case, ExpectedSpec, ListChoice, PinChoice};
use sslconf_fuzz::oracle::spki_contents;
use sslconf_fuzz::pki::{Pki, HOST, OTHER_HOST};

static PKI: OnceLock<Pki> = OnceLock::new();

const KINDS: [SslErrorKind; 24] = [
    SslErrorKind::UnableToGetIssuerCertificate,
    SslErrorKind::CertificateSignatureFailed,
    SslErrorKind::CertificateNotYetValid,
    SslErrorKind::CertificateExpired,
    SslErrorKind::InvalidNotBeforeField,
    SslErrorKind::SelfSignedCertificate,
    SslErrorKind::SelfSignedCertificateInChain,
    SslErrorKind::UnableToGetLocalIssuerCertificate,
    SslErrorKind::CertificateRevoked,
    SslErrorKind::InvalidCaCertificate,
    SslErrorKind::PathLengthExceeded,
    SslErrorKind::InvalidPurpose,
    SslErrorKind::CertificateUntrusted,
    SslErrorKind::CertificateRejected,
    SslErrorKind::NoPeerCertificate,
    SslErrorKind::HostNameMismatch,
    SslErrorKind::NameConstraintViolation,
    SslErrorKind::UnsupportedSignatureAlgorithm,
    SslErrorKind::InvalidCertificate,
    SslErrorKind::UnableToGetRevocationList,
    SslErrorKind::RevocationListExpired,
    SslErrorKind::RevocationListInvalid,
    SslErrorKind::PublicKeyNotPinned,
    SslErrorKind::UnspecifiedError,
];

/// The input, read one choice at a time: each choice is one byte (mod the
/// number of options), a position two; past the end every byte reads 0.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn below(&mut self, n: usize) -> usize {
        usize::from(self.byte()) % n
    }

    fn wide(&mut self) -> usize {
        usize::from(u16::from_be_bytes([self.byte(), self.byte()]))
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        let (taken, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        taken.to_vec()
    }

    /// Flips one to four bytes of `der`: a count, then (position, xor) each.
    fn flip(&mut self, der: &mut [u8]) {
        let count = self.below(4) + 1;
        for _ in 0..count {
            let at = self.wide();
            let xor = self.byte() | 1;
            if !der.is_empty() {
                der[at % der.len()] ^= xor;
            }
        }
    }
}

/// The layout, one choice after another (a byte of zeros is the plain
/// choice: a client, TLS 1.3, no flips, no lists, pins, depth or expected
/// errors; see `fuzz/seed.sh`):
/// mirror (byte % 4 == 3), TLS 1.2 (% 3 == 2), leaf (% leaves), leaf
/// flipped (% 16 == 15, then a flip), host other.test (% 8 == 7), the
/// number of intermediates (% 7), each: its kind (% 12: 9-10 a pool
/// certificate flipped (its index, then a flip), 11 raw bytes (length, two
/// bytes % 401), else a pool certificate: its index); anchors (% sets);
/// lists (bit 0 on, bit 1 leaf only, bit 2 unknown allowed, bit 3 expired
/// allowed; then the mask, two bytes); pins (% 8: 6 pins, 7 pins alone;
/// then a key, and a second if the next byte is odd); depth (% 6: 0-2
/// none, else 1-3); the number of
/// expected errors (% 4), each: its source (% 6: 0-1 all of the chain's
/// but one if the next byte is odd (which: the byte after), 2 one of the
/// chain's, 3 one of another chain's (a leaf, up to two certificates, an
/// index), else a kind with no certificate, a pool one or a chain one).
fn decode(input: &[u8], pki: &'static Pki) -> Case {
    let mut u = Input(input);
    let mirror = u.below(4) == 3;
    let tls12 = u.below(3) == 2;
    let leaf = u.below(pki.leaves.len());
    let original = pki.certs[pki.leaves[leaf].cert].cert.to_der();
    let mut leaf_der = original.to_vec();
    let mut leaf_mutated = false;
    if u.below(16) == 15 {
        u.flip(&mut leaf_der);
        // The handshake needs the leaf's key: keep flips outside it only.
        if spki_contents(&leaf_der).is_some() && spki_contents(&leaf_der) == spki_contents(original)
        {
            leaf_mutated = leaf_der != original;
        } else {
            leaf_der = original.to_vec();
        }
    }
    let host = if u.below(8) == 7 { OTHER_HOST } else { HOST };
    let mut intermediates = Vec::new();
    for _ in 0..u.below(7) {
        let der = match u.below(12) {
            9 | 10 => {
                let mut der = pki.certs[u.below(pki.certs.len())].cert.to_der().to_vec();
                u.flip(&mut der);
                der
            }
            11 => {
                let len = u.wide() % 401;
                u.bytes(len)
            }
            _ => pki.certs[u.below(pki.certs.len())].cert.to_der().to_vec(),
        };
        intermediates.push(der);
    }
    let anchors = u.below(pki.anchor_sets.len());
    let flags = u.byte();
    let mask = u.wide();
    let lists = (flags & 1 == 1).then(|| ListChoice {
        mask: (mask % ((1 << pki.lists.len()) - 1) + 1) as u32,
        leaf_only: flags & 2 != 0,
        unknown_allowed: flags & 4 != 0,
        expired_allowed: flags & 8 != 0,
    });
    let pins = match u.below(8) {
        choice @ (6 | 7) => {
            let mut keys = vec![u.below(pki.certs.len())];
            if u.byte() % 2 == 1 {
                keys.push(u.below(pki.certs.len()));
            }
            Some(PinChoice {
                keys,
                only: choice == 7,
            })
        }
        _ => None,
    };
    let depth = match u.below(6) {
        d @ 3..=5 => d as u32 - 2,
        _ => 0,
    };
    let mut expected = Vec::new();
    for _ in 0..u.below(4) {
        expected.push(match u.below(6) {
            0 | 1 => {
                let but = u.byte() % 2 == 1;
                let which = u.byte();
                ExpectedSpec::All {
                    but: but.then_some(which),
                }
            }
            2 => ExpectedSpec::One(u.byte()),
            3 => {
                let other = u.below(pki.leaves.len());
                let mut chain = vec![pki.certs[pki.leaves[other].cert].cert.clone()];
                for _ in 0..u.below(3) {
                    chain.push(pki.certs[u.below(pki.certs.len())].cert.clone());
                }
                ExpectedSpec::OfChain(chain, u.byte())
            }
            _ => {
                let kind = KINDS[u.below(KINDS.len())];
                match u.below(5) {
                    0 => ExpectedSpec::Error(SslError::new(kind, None)),
                    1 | 2 => {
                        let cert = pki.certs[u.below(pki.certs.len())].cert.clone();
                        ExpectedSpec::Error(SslError::new(kind, Some(cert)))
                    }
                    _ => ExpectedSpec::InChain(kind, u.byte()),
                }
            }
        });
    }
    Case {
        pki,
        mirror,
        tls12,
        leaf,
        leaf_der,
        leaf_mutated,
        host,
        intermediates,
        anchors,
        lists,
        pins,
        depth,
        expected,
    }
}

fuzz_target!(|data: &[u8]| {
    let pki = PKI.get_or_init(Pki::new);
    decode(data, pki).check();
});
