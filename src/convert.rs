//! The conversion of settings into rustls client and server configs, following
//! Qt's semantics (see DESIGN.md's mapping). Every setting rustls cannot honour
//! is an error here, naming the setting.

use std::borrow::Cow;
use std::sync::Arc;

use rustls::client::danger::ServerCertVerifier;
use rustls::client::{Resumption, Tls12Resumption};
use rustls::crypto::{CryptoProvider, SupportedKxGroup};
use rustls::server::NoServerSessionStorage;
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::{
    ClientConfig, InconsistentKeys, ServerConfig, SupportedCipherSuite, SupportedProtocolVersion,
};

use crate::configuration::Settings;
use crate::provider::{all_kx_groups, provider, ticketer, BACKEND_NAME};
use crate::verify::{hint_subjects, ChainVerifier, ClientVerifier, ServerVerifier};
use crate::{Error, KeyExchangeGroup, PeerVerifyMode, SslConfiguration, SslOption};

pub(crate) fn client_config(config: &SslConfiguration) -> Result<ClientConfig, Error> {
    let s = config.settings();
    check_options(s)?;
    let (provider, versions) = provider_and_versions(s)?;
    let verifier: Arc<dyn ServerCertVerifier> =
        match s.peer_verify_mode.unwrap_or_default().for_client() {
            PeerVerifyMode::VerifyPeer => {
                Arc::new(ServerVerifier::verifying(anchored_verifier(config)?))
            }
            _ => Arc::new(ServerVerifier::accepting_any()),
        };
    let builder = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&versions)?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut client = match certified_key(s)? {
        Some(key) => builder.with_client_cert_resolver(Arc::new(SingleCertAndKey::from(key))),
        None => builder.with_no_client_auth(),
    };
    client.alpn_protocols = alpn_protocols(s)?;
    client.enable_sni = !s.options.contains(SslOption::DisableServerNameIndication);
    // Otherwise the builder's default stays: 256 sessions in memory, TLS 1.2
    // resuming by session ID or ticket.
    if s.options.contains(SslOption::DisableSessionSharing) {
        client.resumption = Resumption::disabled();
    } else if s.options.contains(SslOption::DisableSessionTickets) {
        client.resumption = client
            .resumption
            .clone()
            .tls12_resumption(Tls12Resumption::SessionIdOnly);
    }
    Ok(client)
}

pub(crate) fn server_config(config: &SslConfiguration) -> Result<ServerConfig, Error> {
    let s = config.settings();
    check_options(s)?;
    if s.local_chain.is_empty() {
        return Err(Error::MissingLocalCertificate);
    }
    let key = certified_key(s)?.ok_or(Error::MissingPrivateKey {
        reason: "a server needs the private key of its local certificate",
    })?;
    let (provider, versions) = provider_and_versions(s)?;
    let builder =
        ServerConfig::builder_with_provider(provider).with_protocol_versions(&versions)?;
    let builder = match s.peer_verify_mode.unwrap_or_default().for_server() {
        PeerVerifyMode::VerifyNone => builder.with_no_client_auth(),
        PeerVerifyMode::VerifyPeer => builder.with_client_cert_verifier(Arc::new(
            ClientVerifier::requiring(anchored_verifier(config)?, hint_subjects(s)?),
        )),
        _ => {
            builder.with_client_cert_verifier(Arc::new(ClientVerifier::querying(hint_subjects(s)?)))
        }
    };
    let mut server = builder.with_cert_resolver(Arc::new(SingleCertAndKey::from(key)));
    server.alpn_protocols = alpn_protocols(s)?;
    server.ignore_client_order = !s.options.contains(SslOption::DisableServerCipherPreference);
    if s.options.contains(SslOption::DisableSessionSharing) {
        server.session_storage = Arc::new(NoServerSessionStorage {});
        server.send_tls13_tickets = 0;
    } else if s.options.contains(SslOption::DisableSessionTickets) {
        // TLS 1.2 still resumes by session ID from the server's cache.
        server.send_tls13_tickets = 0;
    } else {
        // The builder's session cache (256 sessions in memory) stays.
        server.ticketer = ticketer()?;
    }
    Ok(server)
}

/// The chain verifier for `VerifyPeer`, which needs something to trust.
fn anchored_verifier(config: &SslConfiguration) -> Result<Arc<ChainVerifier>, Error> {
    let chain = config.chain_verifier()?;
    if chain.has_anchors() {
        Ok(chain)
    } else {
        Err(Error::NoCaCertificates)
    }
}

/// rustls always applies four of Qt's options; turning one off cannot be honoured.
fn check_options(s: &Settings) -> Result<(), Error> {
    match s.options.cleared_always_on() {
        Some(option) => Err(Error::UnsupportedOption { option }),
        None => Ok(()),
    }
}

/// Protocol versions as rustls's builders take them.
type Versions = Cow<'static, [&'static SupportedProtocolVersion]>;

/// The crypto provider with the configured suites and groups, in the
/// configured order, and the protocol versions that have suites left.
fn provider_and_versions(s: &Settings) -> Result<(Arc<CryptoProvider>, Versions), Error> {
    let base = provider();
    let protocol = s.protocol.unwrap_or_default();
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

/// The local chain and its key, checked to belong together.
fn certified_key(s: &Settings) -> Result<Option<CertifiedKey>, Error> {
    let (leaf, key) = match (s.local_chain.first(), &s.private_key) {
        (None, None) => return Ok(None),
        (Some(_), None) => {
            return Err(Error::MissingPrivateKey {
                reason: "a local certificate is set but no private key",
            })
        }
        (None, Some(_)) => {
            return Err(Error::MissingPrivateKey {
                reason: "a private key is set but no local certificate",
            })
        }
        (Some(leaf), Some(key)) => (leaf, key),
    };
    let signing_key = provider()
        .key_provider
        .load_private_key(key.clone_rustls_key())
        .map_err(|source| Error::UnusablePrivateKey {
            algorithm: key.algorithm(),
            source,
        })?;
    let chain = s
        .local_chain
        .iter()
        .map(|c| c.as_rustls().clone())
        .collect();
    let certified = CertifiedKey::new(chain, signing_key);
    match certified.keys_match() {
        Ok(()) | Err(rustls::Error::InconsistentKeys(InconsistentKeys::Unknown)) => {
            Ok(Some(certified))
        }
        Err(_) => Err(Error::KeyMismatch {
            subject: leaf.subject_display_name(),
        }),
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
