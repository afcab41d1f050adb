//! OCSP stapling, judged by OpenSSL: responses made with `openssl ocsp`
//! (an index file, the CA as responder) are stapled by our server as
//! `openssl s_client -status` shows, for each kind of identity, TLS 1.2 and
//! 1.3, and read again by a reload; one for another certificate is refused.
//! On the client side, the staple `openssl s_server -status_file` sends
//! reaches `SessionState::ocsp_response` when the configuration keeps it.

mod common;

use std::sync::{Mutex, OnceLock};

use common::peers::{our_client, run_client, OurServer, PeerServer, Scratch};
use common::Authority;
use sslconf::{Error, Identity, SslConfiguration, SslProtocol};

const HOST: &str = "localhost";
const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

const BOTH: [(SslProtocol, &str); 2] = [
    (SslProtocol::TlsV1_3, "-tls1_3"),
    (SslProtocol::TlsV1_2, "-tls1_2"),
];

/// A CA that answers OCSP for its leaves, and its files.
struct Pki {
    scratch: Scratch,
    ca: Authority,
    ca_pem: String,
    ca_key: String,
}

/// A leaf (chain: the leaf, then the CA) and its files.
struct Leaf {
    id: common::Identity,
    chain: String,
    key: String,
}

impl Pki {
    fn new(tag: &str) -> Pki {
        let scratch = Scratch::new(tag);
        let ca = Authority::root("sslconf OCSP test CA");
        let ca_pem = scratch.write("ca.pem", ca.cert.to_pem());
        let ca_key = scratch.write("ca.key", ca.key_pem());
        Pki {
            scratch,
            ca,
            ca_pem,
            ca_key,
        }
    }

    fn leaf(&self, name: &str) -> Leaf {
        let id = self.ca.leaf_with_chain(HOST, &[&self.ca]);
        let files = self.scratch.identity(name, &id);
        Leaf {
            id,
            chain: files.cert,
            key: files.key,
        }
    }

    /// A response from `openssl ocsp` for `leaf`, with `status` in the
    /// CA's index ("V" valid, "R" revoked), written to `out`.
    fn response(&self, leaf: &Leaf, status: char, out: &str) -> Vec<u8> {
        let serial = common::openssl::serial(&leaf.chain);
        let revoked = if status == 'R' { "250101000000Z" } else { "" };
        let index = self.scratch.write(
            "index.txt",
            format!("{status}\t491231235959Z\t{revoked}\t{serial}\tunknown\t/CN={HOST}\n"),
        );
        let out = self.scratch.path().join(out);
        let out = out.to_str().unwrap();
        common::openssl::run(&[
            "ocsp",
            "-index",
            &index,
            "-rsigner",
            &self.ca_pem,
            "-rkey",
            &self.ca_key,
            "-CA",
            &self.ca_pem,
            "-issuer",
            &self.ca_pem,
            "-cert",
            &leaf.chain,
            "-respout",
            out,
            "-ndays",
            "1",
        ]);
        std::fs::read(out).unwrap()
    }
}

impl Leaf {
    fn identity(&self) -> Identity {
        Identity::new(self.id.chain.clone(), self.id.key())
    }
}

/// `openssl s_client -status` against our server with `config`; its output.
fn s_client_status(pki: &Pki, config: SslConfiguration, flag: &str) -> String {
    let server = OurServer::start(config);
    let port = server.port.to_string();
    let run = run_client(
        "openssl",
        &[
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-servername",
            HOST,
            "-status",
            flag,
            "-CAfile",
            &pki.ca_pem,
            "-verify_return_error",
            "-ign_eof",
        ],
        REQUEST,
    );
    let served = server.join();
    assert!(run.success(), "s_client: {}", run.tail());
    served.unwrap_or_else(|e| panic!("our server: {e}"));
    run.output
}

/// What s_client printed of the stapled response: its status, the serial
/// it answers for, and the certificate's status.
fn assert_stapled(output: &str, leaf: &Leaf, cert_status: &str) {
    assert!(
        output.contains("OCSP Response Status: successful (0x0)"),
        "no stapled response: {output}"
    );
    let serial = common::openssl::serial(&leaf.chain);
    assert!(
        output.contains(&format!("Serial Number: {serial}")),
        "not for serial {serial}: {output}"
    );
    assert!(
        output.contains(&format!("Cert Status: {cert_status}")),
        "{output}"
    );
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn every_kind_of_identity_staples_its_response_in_tls_1_2_and_1_3() {
    if !common::peer_available("openssl") {
        return;
    }
    let pki = Pki::new("ocsp-staple");
    let leaf = pki.leaf("server");
    let der = pki.response(&leaf, 'V', "good.der");
    let stapling = || leaf.identity().with_ocsp_response(der.clone());
    let configs = [
        (
            "local",
            SslConfiguration::new().with_local_identity(stapling()),
        ),
        (
            "added",
            SslConfiguration::new().with_added_local_identity(stapling()),
        ),
        (
            "server name",
            SslConfiguration::new()
                .with_server_name_identity([HOST], stapling())
                .with_unknown_server_names_refused(true),
        ),
    ];
    for (kind, config) in configs {
        for (protocol, flag) in BOTH {
            let output = s_client_status(&pki, config.clone().with_protocol(protocol), flag);
            assert_stapled(&output, &leaf, "good");
            let expected = if protocol == SslProtocol::TlsV1_3 {
                "TLSv1.3"
            } else {
                "TLSv1.2"
            };
            assert!(output.contains(expected), "{kind} {flag}: {output}");
        }
    }
    // Without one, s_client sees none.
    let output = s_client_status(
        &pki,
        SslConfiguration::new().with_local_identity(leaf.identity()),
        "-tls1_3",
    );
    assert!(
        output.contains("OCSP response: no response sent"),
        "{output}"
    );
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_response_for_another_certificate_is_refused_at_conversion() {
    if !common::peer_available("openssl") {
        return;
    }
    let pki = Pki::new("ocsp-other");
    let (leaf, other) = (pki.leaf("server"), pki.leaf("other"));
    let path = pki.scratch.path().join("other.der");
    pki.response(&other, 'V', "other.der");
    let identity = leaf.identity().with_ocsp_response_file(&path).unwrap();
    let serial = leaf.id.leaf().serial_number();
    let check = |err: &Error| match err {
        Error::OcspResponse {
            input,
            subject,
            source,
        } => {
            assert_eq!(input, path.to_str().unwrap());
            assert_eq!(subject, HOST);
            assert_eq!(
                source.to_string(),
                format!("it is for another certificate: none of its answers is for serial number {serial}")
            );
        }
        other => panic!("{other:?}"),
    };
    let err = SslConfiguration::new()
        .with_local_identity(identity.clone())
        .server_config()
        .unwrap_err();
    check(&err);
    let err = SslConfiguration::new()
        .with_server_name_identity([HOST], identity)
        .server_config()
        .unwrap_err();
    match &err {
        Error::ServerNameIdentity { pattern, source } => {
            assert_eq!(pattern, HOST);
            check(source);
        }
        other => panic!("{other:?}"),
    }
}

/// Log records, kept for the test that reads them.
struct Captured(Mutex<Vec<String>>);

impl log::Log for Captured {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        if record.level() <= log::Level::Warn {
            self.0.lock().unwrap().push(record.args().to_string());
        }
    }
    fn flush(&self) {}
}

fn captured() -> &'static Captured {
    static LOGGER: OnceLock<&'static Captured> = OnceLock::new();
    LOGGER.get_or_init(|| {
        let logger: &'static Captured = Box::leak(Box::new(Captured(Mutex::new(Vec::new()))));
        log::set_logger(logger).unwrap();
        log::set_max_level(log::LevelFilter::Warn);
        logger
    })
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_reload_reads_the_response_again_with_the_chain_and_key() {
    if !common::peer_available("openssl") {
        return;
    }
    let logs = captured();
    let pki = Pki::new("ocsp-reload");
    let leaf = pki.leaf("server");
    pki.response(&leaf, 'V', "staple.der");
    let staple = pki.scratch.path().join("staple.der");
    let identity = Identity::from_files(&leaf.chain, &leaf.key)
        .unwrap()
        .with_ocsp_response_file(&staple)
        .unwrap();
    assert_eq!(identity.ocsp_response_file(), Some(staple.as_path()));
    let config = SslConfiguration::new().with_local_identity(identity);
    config.server_config().unwrap();
    assert_stapled(
        &s_client_status(&pki, config.clone(), "-tls1_3"),
        &leaf,
        "good",
    );

    // The responder now says revoked: a reload serves that, and warns.
    pki.response(&leaf, 'R', "staple.der");
    let reloaded = config.reload().unwrap();
    assert_eq!(reloaded.changed_files(), std::slice::from_ref(&staple));
    assert!(
        logs.0.lock().unwrap().iter().any(|l| l
            == &format!(
                "sslconf: the ocsp response in {} says \"{HOST}\" is revoked",
                staple.display()
            )),
        "{:?}",
        logs.0.lock().unwrap()
    );
    assert_stapled(
        &s_client_status(&pki, config.clone(), "-tls1_2"),
        &leaf,
        "revoked",
    );

    // A response for another certificate changes nothing.
    let other = pki.leaf("other");
    pki.response(&other, 'V', "staple.der");
    match config.reload().unwrap_err() {
        Error::Reload { files, cause } => {
            assert!(files.contains("staple.der"), "{files}");
            assert!(matches!(*cause, Error::OcspResponse { .. }), "{cause:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_stapled(
        &s_client_status(&pki, config.clone(), "-tls1_3"),
        &leaf,
        "revoked",
    );

    // The certificate is renewed, its response is not yet: the new chain
    // is served without a staple (with a warning) rather than the old
    // chain kept until a response exists.
    pki.response(&leaf, 'R', "staple.der");
    config.reload().unwrap();
    let renewed = pki.ca.leaf_with_chain(HOST, &[&pki.ca]);
    std::fs::write(&leaf.chain, renewed.chain_pem()).unwrap();
    std::fs::write(&leaf.key, renewed.key_pem()).unwrap();
    let reloaded = config.reload().unwrap();
    assert!(!reloaded.changed_files().contains(&staple), "{reloaded}");
    let output = s_client_status(&pki, config.clone(), "-tls1_3");
    assert!(
        output.contains("OCSP response: no response sent"),
        "{output}"
    );
    assert!(
        logs.0.lock().unwrap().iter().any(|l| l.starts_with(
            "sslconf: serving without an ocsp staple until the response is renewed too"
        )),
        "{:?}",
        logs.0.lock().unwrap()
    );
}

/// `openssl s_server` presenting `leaf` and stapling `staple`.
fn s_server(leaf: &Leaf, staple: &str) -> PeerServer {
    let args: Vec<String> = [
        "s_server",
        "-accept",
        "{port}",
        "-naccept",
        "6",
        "-cert",
        &leaf.chain,
        "-key",
        &leaf.key,
        "-status_file",
        staple,
        "-www",
    ]
    .map(str::to_owned)
    .to_vec();
    PeerServer::start("openssl", &args, "ACCEPT").unwrap_or_else(|e| panic!("{e}"))
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_client_keeps_the_staple_openssl_sends_when_enabled() {
    if !common::peer_available("openssl") {
        return;
    }
    let pki = Pki::new("ocsp-client");
    let leaf = pki.leaf("server");
    let der = pki.response(&leaf, 'V', "staple.der");
    let staple = pki.scratch.path().join("staple.der");
    let server = s_server(&leaf, staple.to_str().unwrap());
    for (protocol, _) in BOTH {
        let client = SslConfiguration::new()
            .with_ca_certificates([pki.ca.cert.clone()])
            .with_protocol(protocol);
        assert!(!client.ocsp_stapling_enabled());
        let (state, answer) = our_client(&client, HOST, server.port, REQUEST).unwrap();
        assert!(answer.starts_with("HTTP/1.0 200 ok"), "{answer}");
        assert_eq!(state.ocsp_response(), None, "kept without being asked");

        let client = client.with_ocsp_stapling_enabled(true);
        let (state, _) = our_client(&client, HOST, server.port, REQUEST)
            .unwrap_or_else(|e| panic!("{e}; server: {}", server.output()));
        assert_eq!(state.session_protocol(), protocol);
        assert_eq!(state.ocsp_response(), Some(der.as_slice()), "{protocol:?}");
        assert!(!state.is_resumed());

        // Keeping staples leaves the config and its verifier shared: the
        // next connection resumes, and a resumed session has no staple.
        let (state, _) = our_client(&client, HOST, server.port, REQUEST).unwrap();
        assert!(state.is_resumed(), "{protocol:?}");
        assert_eq!(state.ocsp_response(), None);
    }
}

#[cfg(feature = "tokio")]
#[tokio::test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
async fn an_async_client_keeps_the_staple_too() {
    if !common::peer_available("openssl") {
        return;
    }
    let pki = Pki::new("ocsp-async");
    let leaf = pki.leaf("server");
    let der = pki.response(&leaf, 'V', "staple.der");
    let staple = pki.scratch.path().join("staple.der");
    let server = s_server(&leaf, staple.to_str().unwrap());
    let client = SslConfiguration::new()
        .with_ca_certificates([pki.ca.cert.clone()])
        .with_ocsp_stapling_enabled(true);
    let socket = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
        .await
        .unwrap();
    let tls = client.connect_async(HOST, socket).await.unwrap();
    assert_eq!(tls.session_state().ocsp_response(), Some(der.as_slice()));
}
