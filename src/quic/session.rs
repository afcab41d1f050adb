//! One QUIC connection's TLS: quinn's crypto session, on the crate's rustls
//! configs.
//!
//! quinn drives TLS through its `crypto::Session` trait. Its own
//! implementation hides the rustls connection, and with it what
//! `SessionState` tells (the cipher suite, the key-exchange group, whether
//! the session resumed, which identity a server chose), the rustls error a
//! failed handshake ended with (quinn keeps only its text), and the steps
//! where this crate's verifiers and ticketer learn which connection they
//! work for. This one is quinn's, step for step (the same rustls calls,
//! the same keys, the same errors on the wire), and keeps those.
//!
//! Each step rustls takes runs on quinn's driver thread, synchronously
//! inside `read_handshake`/`write_handshake`: a server's steps run inside
//! [`carrying`] (a ticket renewed on a resumed connection keeps the first
//! handshake's time and the client certificate's end, as over TCP), and,
//! for a connection that `connect_quic`/`accept_quic` observes, inside
//! [`noting_choice`] (the identity chosen) or [`capturing`] (the OCSP
//! staple).

use std::any::Any;
use std::io;
use std::sync::Arc;

use quinn_proto::crypto::rustls::HandshakeData;
use quinn_proto::crypto::{
    self, ExportKeyingMaterialError, HeaderKey, KeyPair, Keys, PacketKey, UnsupportedVersion,
};
use quinn_proto::transport_parameters::TransportParameters;
use quinn_proto::{ConnectionId, Side, TransportError, TransportErrorCode};
use rustls::pki_types::CertificateDer;
use rustls::quic::{Connection, KeyChange, Secrets, Suite, Version};
use rustls::sign::CertifiedKey;
use rustls::CommonState;

use super::observe::{Finished, Observed};
use crate::client::presenting;
use crate::server::{carrying, chain_of, noting_choice, Carried};
use crate::verify::{capturing, staple_of};
use crate::SessionState;

/// The TLS of one QUIC connection.
pub(crate) struct QuicSession {
    /// The rustls connection; the error rustls refused to start it with
    /// (a config the conversion checked never is), which ends the
    /// handshake at its first step.
    tls: Result<Connection, rustls::Error>,
    version: Version,
    /// Protects the initial packets: AES-128-GCM, whatever is negotiated.
    initial: Suite,
    got_handshake_data: bool,
    next_secrets: Option<Secrets>,
    /// What the tickets sealed for this connection carry (a server's).
    carried: Carried,
    /// Whether the server's OCSP staple is kept (a client's, when its
    /// configuration asks).
    keeps_staple: bool,
    /// Told the outcome, for `connect_quic`/`accept_quic`.
    observed: Option<Arc<Observed>>,
    staple: Option<(Vec<u8>, Vec<u8>)>,
    /// The identity the server's resolver chose.
    chosen: Option<Arc<CertifiedKey>>,
    /// The key the client's resolver handed out: told to the session cache
    /// in every later step (a ticket arriving after a reload of the
    /// identity's files, for the old certificate, is not kept).
    presented: Option<Arc<CertifiedKey>>,
}

impl QuicSession {
    /// A session over `tls` (or the error that refused it).
    pub(crate) fn new(
        tls: Result<Connection, rustls::Error>,
        version: Version,
        initial: Suite,
        keeps_staple: bool,
        observed: Option<Arc<Observed>>,
    ) -> Self {
        Self {
            tls,
            version,
            initial,
            got_handshake_data: false,
            next_secrets: None,
            carried: Carried::default(),
            keeps_staple,
            observed,
            staple: None,
            chosen: None,
            presented: None,
        }
    }

    /// This client session, its ClientHello made presenting `presented`
    /// (the key of the session it resumes, if any).
    pub(crate) fn presenting(mut self, presented: Option<Arc<CertifiedKey>>) -> Self {
        self.presented = presented;
        self
    }

    /// Runs one handshake step of the rustls connection, inside the scopes
    /// that tell this crate's verifiers, resolver and ticketer which
    /// connection it is (see the module docs).
    fn step<R>(&mut self, step: impl FnOnce(&mut Connection) -> R) -> Option<R> {
        let Self {
            tls,
            carried,
            keeps_staple,
            observed,
            staple,
            chosen,
            presented,
            ..
        } = self;
        let conn = tls.as_mut().ok()?;
        Some(match conn {
            Connection::Server(_) if observed.is_some() => {
                let (result, choice) = carrying(carried, || noting_choice(|| step(conn)));
                *chosen = choice.or(chosen.take());
                result
            }
            Connection::Server(_) => carrying(carried, || step(conn)),
            // The chain this client presents, as the resolver hands it out
            // (a reload before the handshake ends changes nothing of it),
            // and the server's staple when kept.
            Connection::Client(_) => {
                let (result, seen) = presenting(presented, || capturing(|| step(conn)));
                if *keeps_staple {
                    *staple = seen.or(staple.take());
                }
                result
            }
        })
    }

    /// Tells an observer how the handshake ended, once it has.
    fn tell(&mut self, failure: Option<&rustls::Error>) {
        let Some(observed) = self.observed.clone() else {
            return;
        };
        if let Some(error) = failure {
            if let Ok(Connection::Server(server)) = &self.tls {
                if self.chosen.is_none() {
                    observed.refused(server.server_name().map(str::to_owned));
                }
            }
            observed.failed(error.clone());
            self.observed = None;
            return;
        }
        let Ok(conn) = &self.tls else {
            return;
        };
        if conn.is_handshaking() {
            return;
        }
        let common = common(conn);
        let server_name = match conn {
            Connection::Server(server) => server.server_name(),
            Connection::Client(_) => None,
        };
        let chosen = self
            .chosen
            .take()
            .map(|key| chain_of(&key))
            .or_else(|| self.presented.as_deref().map(chain_of));
        observed.finished(Finished {
            state: SessionState::capture(common).with_server_name(server_name),
            sent_chain: common.peer_certificates().is_some_and(|c| !c.is_empty()),
            chosen,
            staple: staple_of(common, self.staple.take()),
        });
        // Told once; the helper then holds the only reference.
        self.observed = None;
    }
}

/// What both sides of a rustls QUIC connection share.
fn common(conn: &Connection) -> &CommonState {
    match conn {
        Connection::Client(client) => client,
        Connection::Server(server) => server,
    }
}

/// The transport error quinn reports for a TLS failure: the alert rustls
/// sent as a crypto error code, as quinn's own session does.
fn transport_error(conn: Option<&Connection>, error: &rustls::Error) -> TransportError {
    match conn.and_then(Connection::alert) {
        Some(alert) => TransportError {
            code: TransportErrorCode::crypto(alert.into()),
            frame: None,
            reason: error.to_string(),
        },
        None => TransportError {
            code: TransportErrorCode::PROTOCOL_VIOLATION,
            frame: None,
            reason: format!("TLS error: {error}"),
        },
    }
}

impl crypto::Session for QuicSession {
    fn initial_keys(&self, dst_cid: &ConnectionId, side: Side) -> Keys {
        initial_keys(self.version, dst_cid, side, &self.initial)
    }

    fn handshake_data(&self) -> Option<Box<dyn Any>> {
        if !self.got_handshake_data {
            return None;
        }
        let conn = self.tls.as_ref().ok()?;
        // quinn's own type, so that code reading quinn's handshake data
        // (the ALPN protocol, the server name) reads this one's.
        Some(Box::new(HandshakeData {
            protocol: conn.alpn_protocol().map(<[u8]>::to_vec),
            server_name: match conn {
                Connection::Client(_) => None,
                Connection::Server(server) => server.server_name().map(str::to_owned),
            },
        }))
    }

    /// `Vec<CertificateDer<'static>>`, as quinn's own session gives it.
    fn peer_identity(&self) -> Option<Box<dyn Any>> {
        let chain = self.tls.as_ref().ok()?.peer_certificates()?;
        let chain: Vec<CertificateDer<'static>> =
            chain.iter().map(|der| der.clone().into_owned()).collect();
        Some(Box::new(chain))
    }

    fn early_crypto(&self) -> Option<(Box<dyn HeaderKey>, Box<dyn PacketKey>)> {
        let keys = self.tls.as_ref().ok()?.zero_rtt_keys()?;
        Some((Box::new(keys.header), Box::new(keys.packet)))
    }

    fn early_data_accepted(&self) -> Option<bool> {
        match self.tls.as_ref().ok()? {
            Connection::Client(client) => Some(client.is_early_data_accepted()),
            Connection::Server(_) => None,
        }
    }

    fn is_handshaking(&self) -> bool {
        self.tls.as_ref().map_or(true, |conn| conn.is_handshaking())
    }

    fn read_handshake(&mut self, buf: &[u8]) -> Result<bool, TransportError> {
        let read = match self.step(|conn| conn.read_hs(buf)) {
            Some(read) => read,
            None => {
                let error = self.tls.as_ref().err().cloned().unwrap_or_else(|| {
                    rustls::Error::General("the tls connection was not started".to_owned())
                });
                self.tell(Some(&error));
                return Err(transport_error(None, &error));
            }
        };
        if let Err(error) = read {
            self.tell(Some(&error));
            return Err(transport_error(self.tls.as_ref().ok(), &error));
        }
        self.tell(None);
        let Ok(conn) = &self.tls else {
            return Ok(false);
        };
        if !self.got_handshake_data {
            // As quinn: rustls does not say when the ClientHello was read
            // (a server) or ALPN agreed (a client); these tell.
            let have_server_name = match conn {
                Connection::Client(_) => false,
                Connection::Server(server) => server.server_name().is_some(),
            };
            if conn.alpn_protocol().is_some() || have_server_name || !conn.is_handshaking() {
                self.got_handshake_data = true;
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn transport_parameters(&self) -> Result<Option<TransportParameters>, TransportError> {
        let Ok(conn) = &self.tls else {
            return Ok(None);
        };
        let side = match conn {
            Connection::Client(_) => Side::Client,
            Connection::Server(_) => Side::Server,
        };
        match conn.quic_transport_parameters() {
            None => Ok(None),
            Some(buf) => TransportParameters::read(side, &mut io::Cursor::new(buf))
                .map(Some)
                .map_err(Into::into),
        }
    }

    fn write_handshake(&mut self, buf: &mut Vec<u8>) -> Option<Keys> {
        let change = self.step(|conn| conn.write_hs(buf)).flatten();
        self.tell(None);
        let keys = match change? {
            KeyChange::Handshake { keys } => keys,
            KeyChange::OneRtt { keys, next } => {
                self.next_secrets = Some(next);
                keys
            }
        };
        Some(Keys {
            header: KeyPair {
                local: Box::new(keys.local.header),
                remote: Box::new(keys.remote.header),
            },
            packet: KeyPair {
                local: Box::new(keys.local.packet),
                remote: Box::new(keys.remote.packet),
            },
        })
    }

    fn next_1rtt_keys(&mut self) -> Option<KeyPair<Box<dyn PacketKey>>> {
        let keys = self.next_secrets.as_mut()?.next_packet_keys();
        Some(KeyPair {
            local: Box::new(keys.local),
            remote: Box::new(keys.remote),
        })
    }

    fn is_valid_retry(&self, orig_dst_cid: &ConnectionId, header: &[u8], payload: &[u8]) -> bool {
        super::retry::is_valid(self.version, orig_dst_cid, header, payload)
    }

    fn export_keying_material(
        &self,
        output: &mut [u8],
        label: &[u8],
        context: &[u8],
    ) -> Result<(), ExportKeyingMaterialError> {
        let conn = self.tls.as_ref().map_err(|_| ExportKeyingMaterialError)?;
        conn.export_keying_material(output, label, Some(context))
            .map(drop)
            .map_err(|_| ExportKeyingMaterialError)
    }
}

/// The keys of the initial packets, derived from the client's first
/// destination connection ID with the initial suite (RFC 9001 §5.2).
pub(crate) fn initial_keys(
    version: Version,
    dst_cid: &ConnectionId,
    side: Side,
    suite: &Suite,
) -> Keys {
    let side = match side {
        Side::Client => rustls::Side::Client,
        Side::Server => rustls::Side::Server,
    };
    let keys = suite.keys(dst_cid, side, version);
    Keys {
        header: KeyPair {
            local: Box::new(keys.local.header),
            remote: Box::new(keys.remote.header),
        },
        packet: KeyPair {
            local: Box::new(keys.local.packet),
            remote: Box::new(keys.remote.packet),
        },
    }
}

/// The QUIC version as rustls names it: the versions quinn speaks (v1,
/// and the drafts it still accepts).
pub(crate) fn version(version: u32) -> Result<Version, UnsupportedVersion> {
    match version {
        0xff00_001d..=0xff00_0020 => Ok(Version::V1Draft),
        0x0000_0001 | 0xff00_0021..=0xff00_0022 => Ok(Version::V1),
        _ => Err(UnsupportedVersion),
    }
}
