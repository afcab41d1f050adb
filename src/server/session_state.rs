//! The client's certificate chain in a session state rustls asks a
//! ticketer or a session cache to keep, so that a server whose trust
//! follows files can verify a resumed client again under the trust in
//! force.
//!
//! The encoding is rustls 0.23's `ServerSessionValue` (rustls documents it
//! as no stable interface): an optional server name (a flag byte, then a
//! byte-long name), the protocol version and cipher suite (two bytes each),
//! the master secret (byte-long), the extended master secret flag (a
//! byte), then the client's chain (a flag byte, then a list of
//! certificates, the list and each certificate with a three-byte length).
//! It is read defensively: a state that does not read so opens nothing (a
//! full handshake, which verifies the client), and `tests/resumption.rs`
//! resumes clients with certificates, so a change in rustls shows there.

use rustls::pki_types::CertificateDer;

/// What a session state says of the client's chain: `Some(chain)` (empty
/// when the client sent none), or `None` when the state does not read as
/// rustls 0.23 writes it.
pub(crate) fn client_chain(state: &[u8]) -> Option<Vec<CertificateDer<'static>>> {
    let mut r = Reader(state);
    if r.flag()? {
        let len = r.u8()?;
        r.take(len.into())?;
    }
    r.take(2 + 2)?;
    let secret = r.u8()?;
    r.take(secret.into())?;
    r.flag()?;
    if !r.flag()? {
        return Some(Vec::new());
    }
    let len = r.u24()?;
    let mut list = Reader(r.take(len)?);
    let mut chain = Vec::new();
    while !list.0.is_empty() {
        let len = list.u24()?;
        chain.push(CertificateDer::from(list.take(len)?.to_vec()));
    }
    // What follows (ALPN, the application's data, times) is not read.
    Some(chain)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let (taken, rest) = self.0.split_at_checked(len)?;
        self.0 = rest;
        Some(taken)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    /// A flag byte: 0 or 1, nothing else.
    fn flag(&mut self) -> Option<bool> {
        match self.u8()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    fn u24(&mut self) -> Option<usize> {
        let b = self.take(3)?;
        Some(usize::from(b[0]) << 16 | usize::from(b[1]) << 8 | usize::from(b[2]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A state as rustls 0.23 encodes one, with a chain of `certs`.
    fn state(name: Option<&[u8]>, certs: Option<&[&[u8]]>) -> Vec<u8> {
        let mut out = Vec::new();
        match name {
            Some(name) => {
                out.push(1);
                out.push(name.len() as u8);
                out.extend_from_slice(name);
            }
            None => out.push(0),
        }
        out.extend_from_slice(&[0x03, 0x04, 0x13, 0x01]);
        out.push(48);
        out.extend_from_slice(&[7; 48]);
        out.push(1);
        match certs {
            Some(certs) => {
                out.push(1);
                let mut list = Vec::new();
                for cert in certs {
                    list.extend_from_slice(&(cert.len() as u32).to_be_bytes()[1..]);
                    list.extend_from_slice(cert);
                }
                out.extend_from_slice(&(list.len() as u32).to_be_bytes()[1..]);
                out.extend_from_slice(&list);
            }
            None => out.push(0),
        }
        out.extend_from_slice(&[0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0]);
        out
    }

    #[test]
    fn reads_the_chain_and_refuses_what_is_not_a_state() {
        let chain: &[&[u8]] = &[b"leaf", b"issuer"];
        let read = client_chain(&state(Some(b"a.test"), Some(chain))).unwrap();
        assert_eq!(
            read,
            [
                CertificateDer::from(&b"leaf"[..]),
                CertificateDer::from(&b"issuer"[..])
            ]
        );
        assert_eq!(client_chain(&state(None, None)), Some(Vec::new()));
        let whole = state(Some(b"a.test"), Some(chain));
        // Cut anywhere in the chain: nothing read.
        for len in 0..whole.len() - 15 {
            assert_eq!(client_chain(&whole[..len]), None, "cut to {len}");
        }
        let mut bad_flag = whole.clone();
        bad_flag[0] = 2;
        assert_eq!(client_chain(&bad_flag), None);
    }

    /// What rustls itself hands a ticketer (TLS 1.3) and a session cache
    /// (TLS 1.2), after a handshake in memory with a client certificate.
    #[test]
    fn reads_the_chain_rustls_writes() {
        use crate::{
            Certificate, Identity, PeerVerifyMode, PrivateKey, SslConfiguration, SslProtocol,
        };
        use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
        use rustls::server::{ProducesTickets, StoresServerSessions};
        use std::sync::{Arc, Mutex};

        #[derive(Debug, Default)]
        struct Captured(Mutex<Vec<Vec<u8>>>);
        impl ProducesTickets for Captured {
            fn enabled(&self) -> bool {
                true
            }
            fn lifetime(&self) -> u32 {
                60
            }
            fn encrypt(&self, plain: &[u8]) -> Option<Vec<u8>> {
                self.0.lock().unwrap().push(plain.to_vec());
                Some(plain.to_vec())
            }
            fn decrypt(&self, _: &[u8]) -> Option<Vec<u8>> {
                None
            }
        }
        impl StoresServerSessions for Captured {
            fn put(&self, _: Vec<u8>, value: Vec<u8>) -> bool {
                self.0.lock().unwrap().push(value);
                true
            }
            fn get(&self, _: &[u8]) -> Option<Vec<u8>> {
                None
            }
            fn take(&self, _: &[u8]) -> Option<Vec<u8>> {
                None
            }
            fn can_cache(&self) -> bool {
                true
            }
        }

        let ca_key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_params = params.clone();
        let ca = params.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::new(ca_params, &ca_key);
        let leaf = |name: &str| {
            let key = KeyPair::generate().unwrap();
            let cert = CertificateParams::new(vec![name.to_owned()])
                .unwrap()
                .signed_by(&key, &issuer)
                .unwrap();
            let cert = Certificate::from_der(cert.der()).unwrap();
            (cert, key.serialize_pem())
        };
        let ca = Certificate::from_der(ca.der()).unwrap();
        let (server_cert, server_key) = leaf("state.test");
        let (client_cert, client_key) = leaf("client.test");
        let client_chain_sent = vec![client_cert.clone(), ca.clone()];

        for protocol in [SslProtocol::TlsV1_2, SslProtocol::TlsV1_3] {
            let server = SslConfiguration::new()
                .with_local_identity(Identity::new(
                    [server_cert.clone()],
                    PrivateKey::from_pem(server_key.as_bytes()).unwrap(),
                ))
                .with_ca_certificates([ca.clone()])
                .with_peer_verify_mode(PeerVerifyMode::VerifyPeer)
                .with_protocol(protocol);
            let client = SslConfiguration::new()
                .with_ca_certificates([ca.clone()])
                .with_local_identity(Identity::new(
                    client_chain_sent.clone(),
                    PrivateKey::from_pem(client_key.as_bytes()).unwrap(),
                ))
                .with_protocol(protocol);
            let captured = Arc::new(Captured::default());
            let mut config = (*server.server_config().unwrap()).clone();
            config.ticketer = captured.clone();
            config.session_storage = captured.clone();
            let mut s = rustls::ServerConnection::new(Arc::new(config)).unwrap();
            let mut c = rustls::ClientConnection::new(
                client.client_config().unwrap(),
                "state.test".try_into().unwrap(),
            )
            .unwrap();
            for _ in 0..6 {
                let mut bytes = Vec::new();
                while c.wants_write() {
                    c.write_tls(&mut bytes).unwrap();
                }
                s.read_tls(&mut &bytes[..]).unwrap();
                s.process_new_packets().unwrap();
                let mut bytes = Vec::new();
                while s.wants_write() {
                    s.write_tls(&mut bytes).unwrap();
                }
                c.read_tls(&mut &bytes[..]).unwrap();
                c.process_new_packets().unwrap();
            }
            assert!(!s.is_handshaking(), "{protocol:?}");
            let states = captured.0.lock().unwrap();
            assert!(!states.is_empty(), "{protocol:?}: no state captured");
            for state in states.iter() {
                let read = client_chain(state).expect("a state rustls wrote");
                let sent: Vec<&[u8]> = client_chain_sent.iter().map(|c| c.to_der()).collect();
                let read: Vec<&[u8]> = read.iter().map(|c| c.as_ref()).collect();
                assert_eq!(read, sent, "{protocol:?}");
            }
        }
    }
}
