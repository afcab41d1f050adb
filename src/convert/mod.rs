//! Settings into rustls configs, following Qt's semantics (the mapping in
//! the crate docs). Every setting rustls cannot honour is an error here,
//! naming the setting. Conversion reads the settings and the verifier it is
//! given; it never calls back into the configuration value.

mod client;
mod server;

use std::borrow::Cow;
use std::sync::Arc;

use rustls::crypto::{CryptoProvider, SupportedKxGroup};
use rustls::sign::CertifiedKey;
use rustls::{InconsistentKeys, SupportedCipherSuite, SupportedProtocolVersion};

pub(crate) use client::client_config;
pub(crate) use server::{check_identity, server_config};

use crate::provider::{all_kx_groups, load_private_key, provider, BACKEND_NAME};
use crate::settings::Settings;
use crate::{Certificate, Error, KeyExchangeGroup, PrivateKey};

/// Protocol versions as rustls's builders take them.
type Versions = Cow<'static, [&'static SupportedProtocolVersion]>;

/// The crypto provider with the configured suites and groups, in the
/// configured order, and the protocol versions that have suites left.
fn provider_and_versions(s: &Settings) -> Result<(Arc<CryptoProvider>, Versions), Error> {
    let base = provider();
    let protocol = s.protocol();
    let wanted = protocol.rustls_versions()?;
    let suites: Cow<'_, [SupportedCipherSuite]> = match &s.ciphers {
        None => Cow::Borrowed(&base.cipher_suites),
        Some(ciphers) => ciphers
            .iter()
            .filter_map(|c| {
                base.cipher_suites
                    .iter()
                    .find(|s| s.suite() == c.suite())
                    .copied()
            })
            .collect(),
    };
    // A range narrows to the versions that have a suite left, as OpenSSL does.
    let has_suite =
        |v: &&SupportedProtocolVersion| suites.iter().any(|s| s.version().version == v.version);
    let versions: Versions = if wanted.iter().all(has_suite) {
        Cow::Borrowed(wanted)
    } else {
        wanted.iter().copied().filter(has_suite).collect()
    };
    if versions.is_empty() {
        return Err(Error::NoCipherForProtocol { protocol });
    }
    let groups = match &s.groups {
        None => None,
        Some(groups) => Some(kx_groups(groups)?),
    };
    if s.ciphers.is_none() && groups.is_none() {
        // Nothing filtered: share the process-wide provider.
        return Ok((base.clone(), versions));
    }
    let provider = CryptoProvider {
        cipher_suites: suites.into_owned(),
        kx_groups: groups.unwrap_or_else(|| base.kx_groups.clone()),
        ..CryptoProvider::clone(base)
    };
    Ok((Arc::new(provider), versions))
}

/// The provider's implementations of the configured groups, in their order.
fn kx_groups(groups: &[KeyExchangeGroup]) -> Result<Vec<&'static dyn SupportedKxGroup>, Error> {
    if groups.is_empty() {
        return Err(Error::UnsupportedKeyExchangeGroups {
            reason: "the list is empty".to_owned(),
        });
    }
    groups
        .iter()
        .map(|g| {
            all_kx_groups()
                .iter()
                .find(|k| k.name() == g.named_group())
                .copied()
                .ok_or_else(|| Error::UnsupportedKeyExchangeGroups {
                    reason: format!("{g} is not implemented by the {BACKEND_NAME} crypto provider"),
                })
        })
        .collect()
}

/// An identity's chain and key as rustls takes them, checked to belong
/// together.
///
/// # Errors
/// [`Error::MissingLocalCertificate`] for an empty chain; as [`certify`].
pub(crate) fn certified(identity: &crate::Identity) -> Result<CertifiedKey, Error> {
    let chain = identity.certificate_chain();
    if chain.is_empty() {
        return Err(Error::MissingLocalCertificate {
            reason: "the identity has no certificate",
        });
    }
    certify(chain, identity.private_key())
}

/// A chain (not empty) and its key as rustls takes them, checked to belong
/// together.
pub(crate) fn certify(chain: &[Certificate], key: &PrivateKey) -> Result<CertifiedKey, Error> {
    let leaf = &chain[0];
    let signing_key =
        load_private_key(key.as_rustls()).map_err(|source| Error::UnusablePrivateKey {
            algorithm: key.algorithm(),
            source,
        })?;
    let ders = chain.iter().map(|c| c.as_rustls().clone()).collect();
    let certified = CertifiedKey::new(ders, signing_key);
    let matching = match certified.keys_match() {
        Ok(()) => true,
        Err(rustls::Error::InconsistentKeys(InconsistentKeys::KeyMismatch)) => false,
        // The provider does not tell the key's public half: nothing to compare.
        Err(rustls::Error::InconsistentKeys(_)) => true,
        // webpki cannot parse the certificate (X.509 v1, which OpenSSL peers
        // still take): compare with the key it holds as x509-parser reads it.
        Err(_) => match (certified.key.public_key(), leaf.public_key_info()) {
            (Some(key), Some(cert)) => key.as_ref() == cert,
            _ => true,
        },
    };
    if matching {
        Ok(certified)
    } else {
        Err(Error::KeyMismatch {
            subject: leaf.subject_display_name(),
        })
    }
}

fn alpn_protocols(s: &Settings) -> Result<Vec<Vec<u8>>, Error> {
    for (index, protocol) in s.alpn.iter().enumerate() {
        if protocol.is_empty() || protocol.len() > 255 {
            return Err(Error::InvalidAlpnProtocol {
                index,
                len: protocol.len(),
            });
        }
    }
    Ok(s.alpn.clone())
}
