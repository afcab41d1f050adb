//! A TLS handshake in memory: a rustls `ClientConnection` and
//! `ServerConnection` pumping records to each other through `Vec`s, no
//! sockets, a bounded number of rounds.

use std::sync::Arc;

use sslconf::rustls;
use sslconf::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use sslconf::rustls::pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime,
};
use sslconf::rustls::{DigitallySignedStruct, SignatureScheme};

/// How one side's handshake ended.
#[derive(Debug)]
pub enum Decision {
    Accepted,
    /// This side's own error (not an alert from the other side).
    Refused(rustls::Error),
    /// This side did not decide: the other one failed first.
    Undecided(String),
}

impl Decision {
    pub fn accepted(&self) -> bool {
        matches!(self, Decision::Accepted)
    }
}

/// Both sides' ends.
#[derive(Debug)]
pub struct Outcome {
    pub client: Decision,
    pub server: Decision,
}

/// At most this many flights each way: a TLS 1.2 or 1.3 handshake with
/// client authentication takes three.
const MAX_ROUNDS: usize = 16;

/// Moves what `from` has to send into `to`; `Err` is `to`'s own error.
/// Returns whether anything moved.
fn transfer(
    from: &mut rustls::Connection,
    to: &mut rustls::Connection,
) -> Result<bool, rustls::Error> {
    let mut buf = Vec::new();
    while from.wants_write() {
        match from.write_tls(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
    if buf.is_empty() {
        return Ok(false);
    }
    let mut rest = &buf[..];
    while !rest.is_empty() {
        match to.read_tls(&mut rest) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        to.process_new_packets()?;
    }
    Ok(true)
}

/// Runs the handshake to its end. Panics if it neither completes nor fails
/// within the bound, or stalls with nothing to send (invariant 4: a
/// handshake never hangs).
pub fn run(client: rustls::ClientConnection, server: rustls::ServerConnection) -> Outcome {
    let mut c = rustls::Connection::Client(client);
    let mut s = rustls::Connection::Server(server);
    for _ in 0..MAX_ROUNDS {
        let to_server = match transfer(&mut c, &mut s) {
            Ok(moved) => moved,
            Err(e) => {
                return Outcome {
                    client: Decision::Undecided(format!("server failed first: {e:?}")),
                    server: Decision::Refused(e),
                }
            }
        };
        let to_client = match transfer(&mut s, &mut c) {
            Ok(moved) => moved,
            Err(e) => {
                return Outcome {
                    client: Decision::Refused(e),
                    server: Decision::Undecided("client failed first".into()),
                }
            }
        };
        if !c.is_handshaking() && !s.is_handshaking() {
            return Outcome {
                client: Decision::Accepted,
                server: Decision::Accepted,
            };
        }
        assert!(
            to_server || to_client,
            "handshake stalled: client handshaking {}, server handshaking {}",
            c.is_handshaking(),
            s.is_handshaking()
        );
    }
    panic!("handshake did not end in {MAX_ROUNDS} rounds");
}

/// A client connection for `host`.
pub fn client(config: Arc<rustls::ClientConfig>, host: &'static str) -> rustls::ClientConnection {
    let name = ServerName::try_from(host).expect("a DNS name");
    rustls::ClientConnection::new(config, name).expect("client connection")
}

fn key(key_der: &[u8]) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_der.to_vec()))
}

fn chain(ders: &[Vec<u8>]) -> Vec<CertificateDer<'static>> {
    ders.iter()
        .map(|d| CertificateDer::from(d.clone()))
        .collect()
}

/// A plain rustls server presenting exactly `ders` (leaf first) with the
/// leaf's key, asking for no client certificate: for chains the crate's
/// `Certificate` does not read. `None` if rustls refuses the pair.
pub fn raw_server(ders: &[Vec<u8>], key_der: &[u8]) -> Option<Arc<rustls::ServerConfig>> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .ok()?
        .with_no_client_auth()
        .with_single_cert(chain(ders), key(key_der))
        .ok()
        .map(Arc::new)
}

/// A plain rustls client presenting exactly `ders` (leaf first) with the
/// leaf's key, taking any server (its handshake signature still checked).
/// `None` if rustls refuses the pair.
pub fn raw_client(
    ders: &[Vec<u8>],
    key_der: &[u8],
    tls12: bool,
) -> Option<Arc<rustls::ClientConfig>> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let versions: &[&rustls::SupportedProtocolVersion] = if tls12 {
        &[&rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS13]
    };
    rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(versions)
        .ok()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyServer(provider)))
        .with_client_auth_cert(chain(ders), key(key_der))
        .ok()
        .map(Arc::new)
}

/// Takes any server certificate; checks the handshake signature.
#[derive(Debug)]
struct AnyServer(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AnyServer {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
