//! sslconf end to end in one process: a CA, a server and a client certificate
//! made in memory with rcgen, a mutual-TLS server (`VerifyPeer`) on
//! 127.0.0.1, and a client that connects twice from the same configuration,
//! the second time resuming the session. Prints both sides' session state of
//! each connection as a table.
//!
//! ```sh
//! cargo run --example demo
//! cargo run --example demo -- --protocol tls1.2 --alpn http/1.1
//! cargo run --example demo -- --cipher TLS_AES_128_GCM_SHA256
//! ```

#[path = "support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use clap::Parser;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use sslconf::{
    Certificate, Identity, PeerVerifyMode, PrivateKey, SessionState, SslConfiguration, SslProtocol,
};
use support::BoxError;

/// Runs a mutual-TLS server and client on 127.0.0.1, connects twice (the
/// second time resuming) and prints what both sides negotiated.
#[derive(Parser)]
struct Args {
    /// Protocol for the client: tls1.2, tls1.3, tls1.2+, secure, any.
    #[arg(long, default_value = "secure")]
    protocol: SslProtocol,
    /// Ciphers the client offers: one name or a colon-separated list (IANA or OpenSSL names).
    #[arg(long, visible_alias = "ciphers")]
    cipher: Option<String>,
    /// ALPN protocols the client offers (repeat or comma-separate); the server accepts h2 and http/1.1.
    #[arg(long, default_value = "h2,http/1.1")]
    alpn: Vec<String>,
}

/// Each side's session state, one per connection.
type States = Vec<SessionState>;

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(()) => ExitCode::FAILURE,
    }
}

/// Runs the demo; errors are reported where they happen.
fn run(args: &Args) -> Result<(), ()> {
    let (client, server) = configurations(args).map_err(|e| support::report("error", &*e))?;
    // Settings rustls cannot honour fail here, before any socket is opened.
    client
        .client_config()
        .map_err(|e| support::report("client configuration", &e))?;
    server
        .server_config()
        .map_err(|e| support::report("server configuration", &e))?;

    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| support::report("bind", &e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| support::report("bind", &e))?;
    println!("server listening on {addr} (mutual TLS: VerifyPeer against the demo CA)");
    let server_thread = thread::spawn(move || serve_twice(&server, &listener));

    let client_result = connect_twice(&client, addr);
    let server_result = server_thread.join().expect("server thread panicked");
    let (client_states, server_states) = match (client_result, server_result) {
        (Ok(c), Ok(s)) => (c, s),
        (c, s) => {
            if let Err(e) = c {
                support::report("client", &*e);
            }
            if let Err(e) = s {
                support::report("server", &*e);
            }
            return Err(());
        }
    };

    for (round, (c, s)) in client_states.iter().zip(&server_states).enumerate() {
        println!("\n=== connection {} ===", round + 1);
        print!("{}", support::side_by_side(c, s));
    }
    Ok(())
}

/// The server and client configurations, both trusting the demo CA only.
fn configurations(args: &Args) -> Result<(SslConfiguration, SslConfiguration), BoxError> {
    let pki = Pki::new()?;
    let server = SslConfiguration::new()
        .with_local_identity(Identity::new(
            [pki.server_cert, pki.ca.clone()],
            PrivateKey::from_der(&pki.server_key)?,
        ))
        .with_ca_certificates([pki.ca.clone()])
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer)
        .with_allowed_next_protocols(["h2", "http/1.1"]);
    let mut client = SslConfiguration::new()
        .with_protocol(args.protocol)
        .with_ca_certificates([pki.ca.clone()])
        .with_local_identity(Identity::new(
            [pki.client_cert, pki.ca],
            PrivateKey::from_der(&pki.client_key)?,
        ))
        .with_allowed_next_protocols(support::split_list(&args.alpn));
    if let Some(list) = &args.cipher {
        client = client.with_cipher_list(list)?;
    }
    Ok((client, server))
}

/// Accepts two connections; each reads a line and answers one.
fn serve_twice(server: &SslConfiguration, listener: &TcpListener) -> Result<States, BoxError> {
    let mut states = Vec::new();
    for _ in 0..2 {
        let (socket, _) = listener.accept()?;
        socket.set_read_timeout(Some(Duration::from_secs(10)))?;
        let mut tls = server.accept(socket)?;
        let mut request = [0u8; 6];
        tls.read_exact(&mut request)?;
        tls.write_all(b"hello, client\n")?;
        tls.shutdown()?;
        states.push(tls.session_state().clone());
    }
    Ok(states)
}

/// Connects twice with the same configuration: the second handshake resumes
/// the session the first one got a ticket for.
fn connect_twice(client: &SslConfiguration, addr: SocketAddr) -> Result<States, BoxError> {
    let mut states = Vec::new();
    for round in 1..=2 {
        let socket = TcpStream::connect(addr)?;
        socket.set_read_timeout(Some(Duration::from_secs(10)))?;
        let mut tls = client.connect("localhost", socket)?;
        tls.write_all(b"hello\n")?;
        let mut reply = String::new();
        // Reading to the end also takes in the session tickets sent after the handshake.
        tls.read_to_string(&mut reply)?;
        println!(
            "connection {round}: client sent \"hello\", server answered {:?}",
            reply.trim_end()
        );
        states.push(tls.session_state().clone());
    }
    Ok(states)
}

/// A CA and two leaves it issued, made in memory.
struct Pki {
    ca: Certificate,
    server_cert: Certificate,
    server_key: Vec<u8>,
    client_cert: Certificate,
    client_key: Vec<u8>,
}

impl Pki {
    fn new() -> Result<Self, BoxError> {
        let now = time::OffsetDateTime::now_utc();
        let ca_key = KeyPair::generate()?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params
            .distinguished_name
            .push(DnType::OrganizationName, "sslconf demo");
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "sslconf demo CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        ca_params.not_before = now - time::Duration::days(1);
        ca_params.not_after = now + time::Duration::days(3650);
        let ca_cert = ca_params.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let leaf = |names: Vec<String>,
                    cn: &str,
                    usage: ExtendedKeyUsagePurpose|
         -> Result<(Certificate, Vec<u8>), BoxError> {
            let key = KeyPair::generate()?;
            let mut params = CertificateParams::new(names)?;
            params
                .distinguished_name
                .push(DnType::OrganizationName, "sslconf demo");
            params.distinguished_name.push(DnType::CommonName, cn);
            params.extended_key_usages = vec![usage];
            params.not_before = now - time::Duration::days(1);
            params.not_after = now + time::Duration::days(90);
            let cert = params.signed_by(&key, &issuer)?;
            Ok((Certificate::from_der(cert.der())?, key.serialize_der()))
        };
        let (server_cert, server_key) = leaf(
            vec!["localhost".into(), "127.0.0.1".into()],
            "localhost",
            ExtendedKeyUsagePurpose::ServerAuth,
        )?;
        let (client_cert, client_key) = leaf(
            vec!["client.demo.invalid".into()],
            "demo client",
            ExtendedKeyUsagePurpose::ClientAuth,
        )?;
        Ok(Self {
            ca: Certificate::from_der(ca_cert.der())?,
            server_cert,
            server_key,
            client_cert,
            client_key,
        })
    }
}
