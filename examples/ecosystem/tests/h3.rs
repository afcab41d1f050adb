//! HTTP/3: `h3_server` (one `SslConfiguration` for TCP and QUIC) and
//! `h3_client` against each other, aioquic's HTTP/3 client against
//! `h3_server`, `h3_client` against aioquic's HTTP/3 server, and curl over
//! TCP seeing the `Alt-Svc` header that points at HTTP/3 on the same port.
//!
//! aioquic comes from `scripts/aioquic-venv.sh` (`target/aioquic-venv`, or
//! `$AIOQUIC_PYTHON`), which `.ci/run` runs; `tests/h3_peer.py` here drives
//! its `H3Connection` as client or server. Without it these tests are
//! ignored off CI (cfg `skip_aioquic`, set by the crate's build.rs) and fail
//! under `CI=true`.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::peers::{run_client, ClientRun, PeerServer, PemFiles, Scratch};
use common::{Authority, LeafSpec};
use rcgen::ExtendedKeyUsagePurpose;

const HOST: &str = "localhost";
const H3_SERVER: &str = env!("CARGO_BIN_EXE_h3_server");
const H3_CLIENT: &str = env!("CARGO_BIN_EXE_h3_client");
const TIMEOUT: Duration = Duration::from_secs(20);

/// A private CA, a server identity for `localhost` and a client identity.
struct Pki {
    scratch: Scratch,
    ca: String,
    server: PemFiles,
    client: PemFiles,
}

impl Pki {
    fn new(tag: &str) -> Pki {
        let scratch = Scratch::new(tag);
        let authority = Authority::root("h3 test CA");
        let server =
            authority.issue(&LeafSpec::new(HOST).eku(vec![ExtendedKeyUsagePurpose::ServerAuth]));
        let client = authority
            .issue(&LeafSpec::new("h3 client").eku(vec![ExtendedKeyUsagePurpose::ClientAuth]));
        Pki {
            ca: scratch.write("ca.pem", authority.cert.to_pem()),
            server: scratch.identity("server", &server),
            client: scratch.identity("client", &client),
            scratch,
        }
    }

    /// `h3_server` with the server identity, client certificates verified
    /// against the CA when sent.
    fn h3_server(&self) -> PeerServer {
        let args: Vec<String> = [
            "--port",
            "{port}",
            "--cert",
            &self.server.cert,
            "--key",
            &self.server.key,
            "--ca",
            &self.ca,
        ]
        .map(str::to_owned)
        .to_vec();
        PeerServer::start(H3_SERVER, &args, "listening on").unwrap_or_else(|e| panic!("{e}"))
    }

    /// `h3_client` with the client identity, trusting `ca`.
    fn h3_client(&self, ca: &str, url: &str) -> ClientRun {
        run_client(
            H3_CLIENT,
            &[
                "--ca",
                ca,
                "--cert",
                &self.client.cert,
                "--key",
                &self.client.key,
                url,
            ],
            b"",
        )
    }
}

/// The value of the `label` row in a session table.
fn row<'a>(table: &'a str, label: &str) -> Option<&'a str> {
    table
        .lines()
        .find(|l| l.starts_with(label) && l.as_bytes().get(label.len()) == Some(&b' '))
        .map(|l| l[label.len()..].trim())
}

/// `h3_client`'s output: its own session table and the body.
fn client_parts(run: &ClientRun) -> (&str, &str) {
    let out = &run.output;
    let (head, body) = out
        .split_once("\nbody\n")
        .unwrap_or_else(|| panic!("no body: {}", run.tail()));
    let session = head
        .split_once("\nsession\n")
        .map_or_else(|| panic!("no session table: {out}"), |(_, s)| s);
    (session, body)
}

/// The client's own table: TLS 1.3, h3, the server's certificate verified.
fn assert_client_session(session: &str) {
    assert_eq!(row(session, "protocol"), Some("TLS 1.3"), "{session}");
    assert_eq!(row(session, "ALPN"), Some("h3"), "{session}");
    assert!(
        row(session, "cipher").is_some_and(|c| c.starts_with("TLS_")),
        "{session}"
    );
    assert!(
        row(session, "peer chain").is_some_and(|c| c.starts_with("[0] localhost (expires ")),
        "{session}"
    );
    assert_eq!(
        row(session, "verification errors"),
        Some("none"),
        "{session}"
    );
}

#[test]
fn h3_client_fetches_from_h3_server_with_mutual_tls() {
    let pki = Pki::new("h3-ours");
    let server = pki.h3_server();
    let url = format!("https://{HOST}:{}/", server.port);
    let run = pki.h3_client(&pki.ca, &url);
    assert!(run.success(), "{}", run.tail());
    assert!(run.output.starts_with("status 200 OK\n"), "{}", run.output);
    let (session, body) = client_parts(&run);
    assert_client_session(session);
    // The server's handler saw HTTP/3 and the verified client certificate.
    assert_eq!(row(body, "HTTP"), Some("HTTP/3.0"), "{body}");
    assert_eq!(row(body, "ALPN"), Some("h3"), "{body}");
    assert_eq!(row(body, "SNI received"), Some(HOST), "{body}");
    assert!(
        row(body, "peer chain").is_some_and(|c| c.starts_with("[0] h3 client (expires ")),
        "{body}"
    );
    let whoami = pki.h3_client(&pki.ca, &format!("{url}whoami"));
    assert!(whoami.success(), "{}", whoami.tail());
    let (_, body) = client_parts(&whoami);
    assert_eq!(body, "hello h3 client (issued by h3 test CA)\n");
    assert!(
        server.wait_for_output("\"h3\"", TIMEOUT),
        "the server logged the h3 connection: {}",
        server.output()
    );

    // A client that trusts another CA refuses the server with Qt's error list.
    let other = pki
        .scratch
        .write("other.pem", Authority::root("another CA").cert.to_pem());
    let refused = pki.h3_client(&other, &url);
    assert!(!refused.success(), "{}", refused.output);
    assert!(
        refused.output.contains(
            "ssl error: the issuer certificate of a locally looked up certificate could not be found"
        ),
        "{}",
        refused.output
    );
}

#[test]
#[cfg_attr(skip_curl, ignore = "curl is not on PATH")]
fn curl_over_tcp_sees_alt_svc_for_h3_on_the_same_port() {
    if !common::peer_available("curl") {
        return;
    }
    let pki = Pki::new("h3-curl");
    let server = pki.h3_server();
    let url = format!("https://{HOST}:{}/", server.port);
    let alt_svc = format!("alt-svc: h3=\":{}\"", server.port);
    for (flag, status, http) in [
        ("--http2", "HTTP/2 200", "HTTP/2.0"),
        ("--http1.1", "HTTP/1.1 200", "HTTP/1.1"),
    ] {
        let run = run_client(
            "curl",
            &[
                "-sS",
                "-i",
                flag,
                "--cacert",
                &pki.ca,
                "--cert",
                &pki.client.cert,
                "--key",
                &pki.client.key,
                &url,
            ],
            b"",
        );
        assert!(run.success(), "{}", run.tail());
        let out = run.output.replace("\r\n", "\n");
        assert!(out.starts_with(status), "{out}");
        assert!(
            out.lines().any(|l| l.eq_ignore_ascii_case(&alt_svc)),
            "{out}"
        );
        // The same router, with the same configuration's session state.
        assert_eq!(row(&out, "HTTP"), Some(http), "{out}");
        assert!(
            row(&out, "peer chain").is_some_and(|c| c.starts_with("[0] h3 client (expires ")),
            "{out}"
        );
    }
}

// ---- aioquic, the outside HTTP/3 stack ----

/// The Python of the venv `scripts/aioquic-venv.sh` makes (or
/// `$AIOQUIC_PYTHON`), when it imports aioquic. Without one the tests are
/// ignored (cfg `skip_aioquic`) off CI; one that cannot import aioquic
/// fails them under CI and is a loud skip elsewhere.
fn aioquic() -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/aioquic-venv/bin/python");
    let candidates = std::env::var_os("AIOQUIC_PYTHON")
        .map(PathBuf::from)
        .into_iter()
        .chain([venv]);
    for python in candidates {
        let imports = Command::new(&python)
            .args(["-c", "import aioquic.h3.connection"])
            .output()
            .is_ok_and(|o| o.status.success());
        if imports {
            return Some(python);
        }
    }
    let reason =
        "aioquic is not installed: run scripts/aioquic-venv.sh (a venv in target/aioquic-venv)";
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{reason}; .ci/run must run it");
    }
    common::skipped(reason);
    None
}

fn peer_script() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/h3_peer.py")
        .to_str()
        .unwrap()
        .to_owned()
}

/// The first JSON object a peer printed.
fn json(output: &str) -> serde_json::Value {
    let line = output
        .lines()
        .find(|l| l.starts_with('{'))
        .unwrap_or_else(|| panic!("no JSON line: {output}"));
    serde_json::from_str(line).unwrap()
}

#[test]
#[cfg_attr(
    skip_aioquic,
    ignore = "aioquic's venv is missing: run scripts/aioquic-venv.sh"
)]
fn aioquic_h3_client_fetches_from_h3_server() {
    let Some(python) = aioquic() else {
        return;
    };
    let pki = Pki::new("h3-aioquic-client");
    let server = pki.h3_server();
    let script = peer_script();
    let url = format!("https://{HOST}:{}/", server.port);
    let run = run_client(
        python.to_str().unwrap(),
        &[
            &script,
            "client",
            &url,
            "--host",
            "127.0.0.1",
            "--cafile",
            &pki.ca,
            "--cert",
            &pki.client.cert,
            "--key",
            &pki.client.key,
        ],
        b"",
    );
    assert!(run.success(), "{}", run.tail());
    let answer = json(&run.output);
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(answer["alpn"], "h3", "{answer}");
    assert_eq!(answer["status"], 200, "{answer}");
    let body = answer["body"].as_str().unwrap();
    assert_eq!(row(body, "HTTP"), Some("HTTP/3.0"), "{body}");
    assert_eq!(row(body, "protocol"), Some("TLS 1.3"), "{body}");
    assert_eq!(row(body, "SNI received"), Some(HOST), "{body}");
    assert!(
        row(body, "peer chain").is_some_and(|c| c.starts_with("[0] h3 client (expires ")),
        "aioquic's client certificate reached the handler: {body}"
    );
    assert!(
        server.wait_for_output("\"h3\"", TIMEOUT),
        "{}",
        server.output()
    );
    // aioquic closed with H3_NO_ERROR: nothing was logged as an error.
    assert!(
        !server.output().contains("HTTP/3 connection:"),
        "{}",
        server.output()
    );
}

#[test]
#[cfg_attr(
    skip_aioquic,
    ignore = "aioquic's venv is missing: run scripts/aioquic-venv.sh"
)]
fn h3_client_fetches_from_aioquic_h3_server() {
    let Some(python) = aioquic() else {
        return;
    };
    let pki = Pki::new("h3-aioquic-server");
    let script = peer_script();
    let args: Vec<String> = [
        script.as_str(),
        "server",
        "--cert",
        &pki.server.cert,
        "--key",
        &pki.server.key,
        "--body",
        "hello from aioquic\n",
        "--request-client-cert",
    ]
    .map(str::to_owned)
    .to_vec();
    let server = PeerServer::start_with_own_port(python.to_str().unwrap(), &args, "listening")
        .unwrap_or_else(|e| panic!("aioquic server: {e}"));
    let url = format!("https://{HOST}:{}/from-sslconf", server.port);
    let run = pki.h3_client(&pki.ca, &url);
    assert!(run.success(), "{}", run.tail());
    assert!(run.output.starts_with("status 200 OK\n"), "{}", run.output);
    let (session, body) = client_parts(&run);
    assert_client_session(session);
    assert_eq!(body, "hello from aioquic\n");
    assert!(
        server.wait_for_output("\"event\": \"request\"", TIMEOUT),
        "{}",
        server.output()
    );
    let output = server.output();
    let handshake = json(&output);
    assert_eq!(handshake["event"], "handshake", "{output}");
    assert_eq!(handshake["alpn"], "h3", "{output}");
    assert!(
        handshake["client_sha256"].is_string(),
        "aioquic's server got our client certificate: {output}"
    );
    let request: serde_json::Value = output
        .lines()
        .filter(|l| l.contains("\"request\""))
        .map(|l| serde_json::from_str(l).unwrap())
        .next()
        .unwrap();
    assert_eq!(request["method"], "GET");
    assert_eq!(request["path"], "/from-sslconf");
    assert_eq!(request["authority"], format!("{HOST}:{}", server.port));
}
