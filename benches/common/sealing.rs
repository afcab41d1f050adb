//! sslconf's shared-key ticket sealing as `TicketKeys` documents it, built
//! by hand for a raw rustls server: the same key derivation, the same
//! AES-256-GCM sealing, the same ticket layout, without the envelope sslconf
//! seals with each ticket (policy tag, first handshake, certificate end):
//!
//! ```text
//! key  = HKDF-SHA256(salt = "sslconf session ticket key", IKM = file[16..],
//!                    info = "aes-256-gcm" || key name, length = 32)
//! ticket = key name (16) || nonce (12) || AES-256-GCM(key, nonce,
//!          AAD = key name, plaintext = session state) || tag (16)
//! ```
//!
//! One key, fixed: what a server given one key file seals and opens with.

use std::fmt;

#[cfg(feature = "aws-lc-rs")]
use aws_lc_rs as primitives;
#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
use ring as primitives;

use primitives::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use primitives::hkdf;
use primitives::rand::{SecureRandom, SystemRandom};
use rustls::server::ProducesTickets;

const NAME_LEN: usize = 16;
const HEADER_LEN: usize = NAME_LEN + aead::NONCE_LEN;
const TAG_LEN: usize = 16;

/// A ticketer sealing with one key file's key, as sslconf's does.
pub struct KeyFileTicketer {
    name: [u8; NAME_LEN],
    key: LessSafeKey,
    lifetime_secs: u32,
    random: SystemRandom,
}

impl KeyFileTicketer {
    /// The ticketer of an 80- or 48-byte key file, with sslconf's default
    /// lifetime for shared keys (12 hours).
    pub fn new(file: &[u8]) -> KeyFileTicketer {
        let (name, secret) = file.split_at(NAME_LEN);
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"sslconf session ticket key").extract(secret);
        let info = [&b"aes-256-gcm"[..], name];
        let okm = prk.expand(&info, &aead::AES_256_GCM).unwrap();
        KeyFileTicketer {
            name: name.try_into().unwrap(),
            key: LessSafeKey::new(UnboundKey::from(okm)),
            lifetime_secs: 12 * 60 * 60,
            random: SystemRandom::new(),
        }
    }
}

impl ProducesTickets for KeyFileTicketer {
    fn enabled(&self) -> bool {
        true
    }

    fn lifetime(&self) -> u32 {
        self.lifetime_secs
    }

    fn encrypt(&self, plain: &[u8]) -> Option<Vec<u8>> {
        let mut nonce = [0u8; aead::NONCE_LEN];
        self.random.fill(&mut nonce).ok()?;
        let mut ticket = Vec::with_capacity(HEADER_LEN + plain.len() + TAG_LEN);
        ticket.extend_from_slice(&self.name);
        ticket.extend_from_slice(&nonce);
        ticket.extend_from_slice(plain);
        let tag = self
            .key
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(&self.name),
                &mut ticket[HEADER_LEN..],
            )
            .ok()?;
        ticket.extend_from_slice(tag.as_ref());
        Some(ticket)
    }

    fn decrypt(&self, ticket: &[u8]) -> Option<Vec<u8>> {
        if ticket.len() < HEADER_LEN + TAG_LEN || ticket[..NAME_LEN] != self.name {
            return None;
        }
        let (name, rest) = ticket.split_at(NAME_LEN);
        let (nonce, sealed) = rest.split_at(aead::NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut buf = sealed.to_vec();
        let len = self
            .key
            .open_in_place(nonce, Aad::from(name), &mut buf)
            .ok()?
            .len();
        buf.truncate(len);
        Some(buf)
    }
}

impl fmt::Debug for KeyFileTicketer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyFileTicketer").finish_non_exhaustive()
    }
}
