//! sslconf end to end in one process: a CA, a server and a client certificate
//! made in memory, a mutual-TLS server on 127.0.0.1, a client that connects
//! twice (the second time resuming), and both sides' session state.
//!
//! ```sh
//! cargo run --example demo
//! cargo run --example demo -- --protocol tls1.2 --alpn h2
//! ```

use std::error::Error;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, SystemTime};

use clap::Parser;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use sslconf::{
    Certificate, PeerVerifyMode, PrivateKey, SessionState, SslConfiguration, SslProtocol,
};

/// Runs a mutual-TLS client and server on 127.0.0.1 and prints what they negotiated.
#[derive(Parser)]
struct Args {
    /// Protocol for the client: tls1.2, tls1.3, secure, ...
    #[arg(long, default_value = "secure")]
    protocol: String,
    /// Colon-separated cipher list for the client (IANA or OpenSSL names).
    #[arg(long)]
    ciphers: Option<String>,
    /// ALPN protocols the client offers, comma-separated (the server accepts h2 and http/1.1).
    #[arg(long, default_value = "h2,http/1.1")]
    alpn: String,
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = Args::parse();
    let protocol = SslProtocol::from_name(&args.protocol)
        .ok_or_else(|| format!("unknown protocol {:?}", args.protocol))?;

    let pki = Pki::new()?;
    let server = SslConfiguration::new()
        .with_local_certificate_chain([pki.server_cert.clone()])
        .with_private_key(PrivateKey::from_der(&pki.server_key)?)
        .with_ca_certificates([pki.ca.clone()])
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer)
        .with_allowed_next_protocols(["h2", "http/1.1"]);
    let mut client = SslConfiguration::new()
        .with_ca_certificates([pki.ca.clone()])
        .with_local_certificate_chain([pki.client_cert.clone()])
        .with_private_key(PrivateKey::from_der(&pki.client_key)?)
        .with_protocol(protocol)
        .with_allowed_next_protocols(args.alpn.split(',').filter(|p| !p.is_empty()));
    if let Some(list) = &args.ciphers {
        client = client.with_cipher_list(list)?;
    }

    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    println!("server listening on {addr} (mutual TLS, VerifyPeer)\n");
    let server_thread = thread::spawn(move || -> Result<Vec<SessionState>, sslconf::Error> {
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
    });

    let mut client_states = Vec::new();
    for round in 1..=2 {
        let socket = TcpStream::connect(addr)?;
        socket.set_read_timeout(Some(Duration::from_secs(10)))?;
        let mut tls = client.connect("localhost", socket)?;
        tls.write_all(b"hello\n")?;
        let mut reply = String::new();
        tls.read_to_string(&mut reply)?;
        println!(
            "connection {round}: client sent \"hello\", server answered {:?}",
            reply.trim_end()
        );
        client_states.push(tls.session_state().clone());
    }
    let server_states = server_thread
        .join()
        .map_err(|_| "server thread panicked")??;

    for (round, (c, s)) in client_states.iter().zip(&server_states).enumerate() {
        println!("\n=== connection {} ===", round + 1);
        print_table(c, s);
    }
    Ok(())
}

/// Prints both sides' state side by side.
fn print_table(client: &SessionState, server: &SessionState) {
    let rows = [
        (
            "protocol",
            client.session_protocol().to_string(),
            server.session_protocol().to_string(),
        ),
        (
            "cipher",
            show(client.session_cipher()),
            show(server.session_cipher()),
        ),
        (
            "key exchange group",
            show(client.key_exchange_group()),
            show(server.key_exchange_group()),
        ),
        ("ALPN", alpn(client), alpn(server)),
        (
            "SNI received",
            "-".to_owned(),
            server.server_name().unwrap_or("-").to_owned(),
        ),
        (
            "resumed",
            yes_no(client.is_resumed()),
            yes_no(server.is_resumed()),
        ),
        ("verification errors", errors(client), errors(server)),
    ];
    println!("{:<22} {:<44} server", "", "client");
    for (name, c, s) in rows {
        println!("{name:<22} {c:<44} {s}");
    }
    for (side, state) in [("client", client), ("server", server)] {
        println!("{side} saw the peer chain:");
        for (i, cert) in state.peer_certificate_chain().iter().enumerate() {
            println!(
                "  {i}: {} (issued by {}, expires in {} days)",
                cert.subject_display_name(),
                cert.issuer_display_name(),
                days_left(cert)
            );
        }
    }
}

fn show<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

fn alpn(state: &SessionState) -> String {
    state.next_negotiated_protocol().map_or_else(
        || "-".to_owned(),
        |p| String::from_utf8_lossy(p).into_owned(),
    )
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

fn errors(state: &SessionState) -> String {
    if state.peer_verification_errors().is_empty() {
        return "none".to_owned();
    }
    let list: Vec<String> = state
        .peer_verification_errors()
        .iter()
        .map(ToString::to_string)
        .collect();
    list.join("; ")
}

fn days_left(cert: &Certificate) -> u64 {
    cert.expiry_date()
        .duration_since(SystemTime::now())
        .map_or(0, |d| d.as_secs() / 86_400)
}

/// A CA and two leaves, made in memory.
struct Pki {
    ca: Certificate,
    server_cert: Certificate,
    server_key: Vec<u8>,
    client_cert: Certificate,
    client_key: Vec<u8>,
}

impl Pki {
    fn new() -> Result<Self, Box<dyn Error>> {
        let ca_key = KeyPair::generate()?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "sslconf demo CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca_params.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let leaf =
            |names: Vec<String>, cn: &str| -> Result<(Certificate, Vec<u8>), Box<dyn Error>> {
                let key = KeyPair::generate()?;
                let mut params = CertificateParams::new(names)?;
                params.distinguished_name.push(DnType::CommonName, cn);
                let cert = params.signed_by(&key, &issuer)?;
                Ok((Certificate::from_der(cert.der())?, key.serialize_der()))
            };
        let (server_cert, server_key) =
            leaf(vec!["localhost".into(), "127.0.0.1".into()], "localhost")?;
        let (client_cert, client_key) = leaf(vec!["client.demo".into()], "demo client")?;
        Ok(Self {
            ca: Certificate::from_der(ca_cert.der())?,
            server_cert,
            server_key,
            client_cert,
            client_key,
        })
    }
}
