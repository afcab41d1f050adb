//! Certificate revocation lists, judged by OpenSSL: CRLs are made with
//! `openssl ca -gencrl` / `-revoke`, and for every case the crate's
//! `verify_chain` at [`RevocationDepth::Leaf`] / [`RevocationDepth::Chain`]
//! reports what `openssl verify -crl_check` / `-crl_check_all` reports:
//! the same error, about the certificate at the same depth. Then the same
//! lists in handshakes (both sides, every verify mode, a raw rustls
//! connection) and a server's reload of its CRL file.

mod common;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;

use common::openssl::{openssl_kinds, our_kinds, run, run_text, Scratch};
use common::peers::openssl_collect_all;
use common::{peer_available, Authority};
use sslconf::{
    Certificate, Error, Identity, PeerVerifyMode, RevocationDepth, RevocationList,
    SslConfiguration, SslError, SslErrorKind,
};

/// A CA made with rcgen that keeps an `openssl ca` database, to revoke
/// certificates and issue CRLs with OpenSSL.
struct CrlAuthority {
    authority: Authority,
    dir: Scratch,
}

impl CrlAuthority {
    fn new(authority: Authority, tag: &str) -> Self {
        let dir = Scratch::new(tag);
        std::fs::write(dir.file("index.txt"), "").unwrap();
        std::fs::write(dir.file("crlnumber"), "01\n").unwrap();
        std::fs::write(dir.file("key.pem"), authority.key_pem()).unwrap();
        std::fs::write(dir.file("cert.pem"), authority.cert.to_pem()).unwrap();
        let config = format!(
            "[ ca ]\ndefault_ca = d\n[ d ]\ndatabase = {}\ncrlnumber = {}\n\
             default_md = sha256\ndefault_crl_days = 30\n\
             [ delta ]\n2.5.29.27 = critical,DER:02:01:01\n\
             [ no_crlnumber ]\ndatabase = {}\n\
             default_md = sha256\ndefault_crl_days = 30\n",
            dir.file("index.txt"),
            dir.file("crlnumber"),
            dir.file("index.txt"),
        );
        std::fs::write(dir.file("ca.cnf"), config).unwrap();
        CrlAuthority { authority, dir }
    }

    fn ca_args(&self) -> Vec<String> {
        [
            "-config", "ca.cnf", "-keyfile", "key.pem", "-cert", "cert.pem",
        ]
        .iter()
        .map(|a| match *a {
            "ca.cnf" | "key.pem" | "cert.pem" => self.dir.file(a),
            other => other.to_owned(),
        })
        .collect()
    }

    fn revoke(&self, cert: &Certificate) {
        self.revoke_with(cert, &[]);
    }

    /// Revokes with extra `openssl ca` arguments (a reason).
    fn revoke_with(&self, cert: &Certificate, extra: &[&str]) {
        let path = self.dir.file("revoke.pem");
        std::fs::write(&path, cert.to_pem()).unwrap();
        let mut args = vec!["ca".to_owned()];
        args.extend(self.ca_args());
        args.extend(extra.iter().map(|a| a.to_string()));
        args.extend(["-revoke".to_owned(), path]);
        run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    }

    /// A CRL as PEM, with extra `openssl ca` arguments.
    fn crl_with(&self, extra: &[&str]) -> String {
        let out = self.dir.file("crl.pem");
        let mut args = vec!["ca".to_owned(), "-gencrl".to_owned()];
        args.extend(self.ca_args());
        args.extend(extra.iter().map(|a| a.to_string()));
        args.extend(["-out".to_owned(), out.clone()]);
        run(&args.iter().map(String::as_str).collect::<Vec<_>>());
        std::fs::read_to_string(out).unwrap()
    }

    fn crl(&self) -> String {
        self.crl_with(&[])
    }

    /// A CRL whose nextUpdate has passed.
    fn expired_crl(&self) -> String {
        self.crl_with(&[
            "-crl_lastupdate",
            "20200101000000Z",
            "-crl_nextupdate",
            "20200201000000Z",
        ])
    }
}

/// Root, intermediate and a leaf under the intermediate.
struct Pki {
    root: CrlAuthority,
    intermediate: CrlAuthority,
    leaf: common::Identity,
}

impl Pki {
    fn new() -> Self {
        let root = Authority::root("CRL Test Root");
        let intermediate = root.intermediate("CRL Test Intermediate");
        let leaf = intermediate.leaf_with_chain("crl.test", &[&intermediate]);
        Pki {
            root: CrlAuthority::new(root, "crl-root"),
            intermediate: CrlAuthority::new(intermediate, "crl-inter"),
            leaf,
        }
    }
}

/// Errors as `(kind, depth)`, sorted: depth 0 is the leaf, 1 the
/// intermediate (see [`common::openssl::our_kinds`]).
type Errors = Vec<(SslErrorKind, u32)>;

/// What OpenSSL says of the PKI's chain with `crls` at `depth`
/// (`-crl_check` / `-crl_check_all`), going on after each error as Qt's
/// verify callback makes it: every error, not only the first.
fn openssl_errors(pki: &Pki, crls: &[&str], depth: RevocationDepth) -> Errors {
    let flag = match depth {
        RevocationDepth::Leaf => "-crl_check",
        _ => "-crl_check_all",
    };
    let said = openssl_collect_all(
        std::slice::from_ref(&pki.root.authority.cert),
        &pki.leaf.chain,
        &pki.leaf.key_pem(),
        &crls.concat(),
        &[flag],
    );
    openssl_kinds(&said)
}

fn sslconf_errors(pki: &Pki, crls: &[&str], depth: RevocationDepth) -> Errors {
    let config = SslConfiguration::new()
        .with_ca_certificates([pki.root.authority.cert.clone()])
        .with_revocation_lists(read_lists(crls))
        .with_revocation_depth(depth);
    our_kinds(&config.verify_chain(&pki.leaf.chain, None), &pki.leaf.chain)
}

/// Both depths of one case: the crate lists what OpenSSL lists, and
/// OpenSSL said what the case is about.
fn agree(case: &str, pki: &Pki, crls: &[&str], expected: [&[(SslErrorKind, u32)]; 2]) {
    for (depth, expected) in [RevocationDepth::Leaf, RevocationDepth::Chain]
        .into_iter()
        .zip(expected)
    {
        let openssl = openssl_errors(pki, crls, depth);
        let ours = sslconf_errors(pki, crls, depth);
        assert_eq!(openssl, expected, "{case} at {depth}: openssl");
        assert_eq!(ours, openssl, "{case} at {depth}: sslconf vs openssl");
    }
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn agrees_with_openssl_verify_crl_check() {
    if !peer_available("openssl") {
        return;
    }
    use SslErrorKind::{
        CertificateRevoked as Revoked, RevocationListExpired as Expired,
        RevocationListInvalid as Invalid, UnableToGetRevocationList as NoList,
    };

    let pki = Pki::new();
    agree(
        "current lists, nothing revoked",
        &pki,
        &[&pki.root.crl(), &pki.intermediate.crl()],
        [&[], &[]],
    );
    agree(
        "the root's list missing (the leaf's issuer has one)",
        &pki,
        &[&pki.intermediate.crl()],
        // OpenSSL checks the root against its own list too.
        [&[], &[(NoList, 1), (NoList, 2)]],
    );
    let other = CrlAuthority::new(Authority::root("Another Root"), "crl-other");
    agree(
        "a list from a wrong issuer only",
        &pki,
        &[&pki.root.crl(), &other.crl()],
        [&[(NoList, 0)], &[(NoList, 0)]],
    );
    agree(
        "the leaf's issuer's list expired",
        &pki,
        &[&pki.root.crl(), &pki.intermediate.expired_crl()],
        [&[(Expired, 0)], &[(Expired, 0)]],
    );
    // Same name as the intermediate, another key: its list cannot be the
    // intermediate's.
    let impostor = CrlAuthority::new(
        pki.root.authority.intermediate("CRL Test Intermediate"),
        "crl-impostor",
    );
    agree(
        "a list signed by another key under the issuer's name",
        &pki,
        &[&pki.root.crl(), &impostor.crl()],
        [&[(Invalid, 0)], &[(Invalid, 0)]],
    );

    // A list error never hides a revocation (issue 19): a stale list that
    // revokes the leaf, and the leaf revoked while the root's list is
    // missing.
    let leaf_only = Pki::new();
    leaf_only.intermediate.revoke(leaf_only.leaf.leaf());
    agree(
        "a stale list revokes the leaf",
        &leaf_only,
        &[&leaf_only.root.crl(), &leaf_only.intermediate.expired_crl()],
        [&[(Revoked, 0), (Expired, 0)], &[(Revoked, 0), (Expired, 0)]],
    );
    agree(
        "the leaf revoked, the root's list missing",
        &leaf_only,
        &[&leaf_only.intermediate.crl()],
        [&[(Revoked, 0)], &[(Revoked, 0), (NoList, 1), (NoList, 2)]],
    );

    pki.root.revoke(&pki.intermediate.authority.cert);
    agree(
        "the intermediate revoked",
        &pki,
        &[&pki.root.crl(), &pki.intermediate.crl()],
        [&[], &[(Revoked, 1)]],
    );
    pki.intermediate.revoke(pki.leaf.leaf());
    let revoked_leaf = [pki.root.crl(), pki.intermediate.crl()];
    agree(
        "the leaf and the intermediate revoked",
        &pki,
        &[&revoked_leaf[0], &revoked_leaf[1]],
        [&[(Revoked, 0)], &[(Revoked, 0), (Revoked, 1)]],
    );
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn policies_allow_what_they_say() {
    if !peer_available("openssl") {
        return;
    }
    let pki = Pki::new();
    let base = SslConfiguration::new().with_ca_certificates([pki.root.authority.cert.clone()]);
    assert_eq!(base.revocation_depth(), RevocationDepth::Chain);
    assert!(!base.unknown_revocation_status_allowed());
    assert!(!base.expired_revocation_lists_allowed());

    let missing_root = base
        .clone()
        .with_revocation_lists(read_lists(&[pki.intermediate.crl()]));
    // The intermediate's issuer, the root, has no list, so the root has none
    // of its own either.
    let errors = missing_root.verify_chain(&pki.leaf.chain, None);
    assert_eq!(kinds(&errors), [SslErrorKind::UnableToGetRevocationList; 2]);
    let error = errors[0].clone();
    assert_eq!(error.certificate(), Some(&pki.intermediate.authority.cert));
    assert_eq!(errors[1].certificate(), Some(&pki.root.authority.cert));
    assert_eq!(
        error.to_string(),
        "the certificate revocation list of the issuer could not be found \
         (\"CRL Test Intermediate\")"
    );
    assert!(missing_root
        .with_unknown_revocation_status_allowed(true)
        .verify_chain(&pki.leaf.chain, None)
        .is_empty());

    let expired = base.clone().with_revocation_lists(read_lists(&[
        pki.root.crl(),
        pki.intermediate.expired_crl(),
    ]));
    assert_eq!(
        kinds(&expired.verify_chain(&pki.leaf.chain, None)),
        [SslErrorKind::RevocationListExpired]
    );
    assert!(expired
        .with_expired_revocation_lists_allowed(true)
        .verify_chain(&pki.leaf.chain, None)
        .is_empty());

    // An expired list still revokes when expired lists are allowed.
    pki.intermediate.revoke(pki.leaf.leaf());
    let revoked = base
        .with_revocation_lists(read_lists(&[
            pki.root.crl(),
            pki.intermediate.expired_crl(),
        ]))
        .with_expired_revocation_lists_allowed(true);
    assert_eq!(
        kinds(&revoked.verify_chain(&pki.leaf.chain, None)),
        [SslErrorKind::CertificateRevoked]
    );
}

/// The CRLs in PEM texts, in order.
fn read_lists(pems: &[impl AsRef<str>]) -> Vec<RevocationList> {
    pems.iter()
        .flat_map(|pem| RevocationList::from_pem(pem.as_ref().as_bytes()).unwrap())
        .collect()
}

fn kinds(errors: &[SslError]) -> Vec<SslErrorKind> {
    errors.iter().map(SslError::kind).collect()
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn unusable_lists_are_refused_when_read() {
    if !peer_available("openssl") {
        return;
    }
    let ca = CrlAuthority::new(Authority::root("Delta Root"), "crl-delta");
    let delta = ca.crl_with(&["-crlexts", "delta"]);
    let err = RevocationList::from_pem(delta.as_bytes()).unwrap_err();
    assert!(
        matches!(err, Error::InvalidRevocationList { .. }),
        "{err:?}"
    );
    assert_eq!(
        chain_text(&err),
        "invalid certificate revocation list in PEM input: \
         delta CRLs are not supported: give the complete CRL"
    );

    // A certificate is no CRL; a file names itself.
    let dir = Scratch::new("crl-bad");
    let path = dir.file("cert.pem");
    std::fs::write(&path, ca.authority.cert.to_pem()).unwrap();
    let err = RevocationList::from_path(&path).unwrap_err();
    assert_eq!(
        chain_text(&err),
        format!("invalid certificate revocation list in {path}: no X509 CRL section found")
    );
    let err = SslConfiguration::new()
        .with_revocation_list_files([&path])
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRevocationList { .. }));
    let err = RevocationList::from_der(b"\x30\x03\x02\x01\x01").unwrap_err();
    assert!(chain_text(&err).starts_with("invalid certificate revocation list in DER input: "));

    // DER and PEM read the same list; its fields are openssl's.
    let pem = ca.crl();
    let der = run(&[
        "crl",
        "-in",
        &write(&dir, "crl.pem", &pem),
        "-outform",
        "DER",
    ]);
    let from_der = RevocationList::from_der(&der).unwrap();
    assert_eq!(
        from_der,
        RevocationList::from_pem(pem.as_bytes()).unwrap()[0]
    );
    assert_eq!(from_der.issuer_name(), "CN=Delta Root, O=sslconf tests");
    assert_eq!(from_der.revoked_count(), 0);
    assert!(from_der.next_update() > from_der.this_update());
    let debug = format!("{from_der:?}");
    assert!(debug.contains("Delta Root"), "{debug}");
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn lists_from_a_ca_without_crlnumber_are_refused_naming_why() {
    if !peer_available("openssl") {
        return;
    }
    let ca = CrlAuthority::new(Authority::root("V1 Root"), "crl-v1");
    let dir = Scratch::new("crl-v1-text");
    let text = |pem: &str| {
        let path = write(&dir, "crl.pem", pem);
        run_text(&["crl", "-in", &path, "-noout", "-text"])
    };
    // With no crlnumber file and no crl_extensions, `openssl ca -gencrl`
    // writes a version 1 list: no version field, no extensions.
    let v1 = ca.crl_with(&["-name", "no_crlnumber"]);
    let printed = text(&v1);
    assert!(printed.contains("Version 1 (0x0)"), "{printed}");
    assert!(!printed.contains("CRL extensions"), "{printed}");
    let err = RevocationList::from_pem(v1.as_bytes()).unwrap_err();
    assert!(
        matches!(err, Error::InvalidRevocationList { .. }),
        "{err:?}"
    );
    assert_eq!(
        chain_text(&err),
        "invalid certificate revocation list in PEM input: \
         version 1 CRLs are not supported: rustls-webpki reads only version 2 CRLs \
         with CRL extensions (OpenSSL writes them when its CA configuration names \
         a crlnumber file or crl_extensions)"
    );

    // An entry with a reason makes it version 2, still without CRL
    // extensions.
    let revoked = ca.authority.leaf("v1.test");
    ca.revoke_with(revoked.leaf(), &["-crl_reason", "keyCompromise"]);
    let v2 = ca.crl_with(&["-name", "no_crlnumber"]);
    let printed = text(&v2);
    assert!(printed.contains("Version 2 (0x1)"), "{printed}");
    assert!(printed.contains("Key Compromise"), "{printed}");
    assert!(!printed.contains("CRL extensions:"), "{printed}");
    let err = RevocationList::from_pem(v2.as_bytes()).unwrap_err();
    assert_eq!(
        chain_text(&err),
        "invalid certificate revocation list in PEM input: \
         CRLs without CRL extensions are not supported: rustls-webpki needs at least \
         one, such as the CRL number (OpenSSL writes it when its CA configuration \
         names a crlnumber file)"
    );

    // The same CA with its crlnumber file writes a list that is read.
    let list = &RevocationList::from_pem(ca.crl().as_bytes()).unwrap()[0];
    assert_eq!(list.revoked_count(), 1);
}

fn write(dir: &Scratch, name: &str, text: &str) -> String {
    let path = dir.file(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn chain_text(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A server presenting the PKI's leaf, a client trusting its root with the
/// CRLs.
fn client_with(pki: &Pki, mode: PeerVerifyMode) -> SslConfiguration {
    let lists = read_lists(&[pki.root.crl(), pki.intermediate.crl()]);
    SslConfiguration::new()
        .with_ca_certificates([pki.root.authority.cert.clone()])
        .with_revocation_lists(lists)
        .with_peer_verify_mode(mode)
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn clients_refuse_or_list_a_revoked_server() {
    if !peer_available("openssl") {
        return;
    }
    let pki = Pki::new();
    let server = pki.leaf.server();
    let before = common::connect(
        &client_with(&pki, PeerVerifyMode::VerifyPeer),
        &server,
        "crl.test",
    );
    before.ok();

    pki.intermediate.revoke(pki.leaf.leaf());
    let refused = common::connect(
        &client_with(&pki, PeerVerifyMode::VerifyPeer),
        &server,
        "crl.test",
    );
    let err = refused.client.unwrap_err();
    assert_eq!(kinds(err.ssl_errors()), [SslErrorKind::CertificateRevoked]);
    assert_eq!(err.ssl_errors()[0].certificate(), Some(pki.leaf.leaf()));

    let (client, _) = common::connect(
        &client_with(&pki, PeerVerifyMode::QueryPeer),
        &server,
        "crl.test",
    )
    .ok();
    assert_eq!(
        kinds(client.peer_verification_errors()),
        [SslErrorKind::CertificateRevoked]
    );

    // The raw client config checks the lists too.
    let config = client_with(&pki, PeerVerifyMode::VerifyPeer)
        .client_config()
        .unwrap();
    let err = raw_client(config, &server).unwrap_err();
    assert!(
        err.to_string().contains("the certificate has been revoked"),
        "{err}"
    );
}

/// One handshake of a plain rustls client with `config` against `server`.
fn raw_client(
    config: Arc<sslconf::rustls::ClientConfig>,
    server: &SslConfiguration,
) -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = server.clone();
    let serving = thread::spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        let _ = server.accept(socket);
    });
    let name = "crl.test".try_into().unwrap();
    let conn = sslconf::rustls::ClientConnection::new(config, name).unwrap();
    let mut tls = sslconf::rustls::StreamOwned::new(conn, TcpStream::connect(addr).unwrap());
    let result = tls.write_all(b"x").and_then(|()| tls.flush());
    drop(tls);
    serving.join().unwrap();
    result
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn servers_refuse_revoked_clients_and_reload_their_lists() {
    if !peer_available("openssl") {
        return;
    }
    let pki = Pki::new();
    let server_id = pki.root.authority.leaf("server.test");
    let dir = Scratch::new("crl-reload");
    let crl_file = write(
        &dir,
        "crls.pem",
        &(pki.root.crl() + &pki.intermediate.crl()),
    );
    let server = server_id
        .server()
        .with_ca_certificates([pki.root.authority.cert.clone()])
        .with_revocation_list_files([&crl_file])
        .unwrap()
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer);
    let client = SslConfiguration::new()
        .with_ca_certificates([pki.root.authority.cert.clone()])
        .with_local_identity(Identity::new(pki.leaf.chain.clone(), pki.leaf.key()));
    let (_, state) = common::connect(&client, &server, "server.test").ok();
    assert_eq!(state.peer_certificate(), Some(pki.leaf.leaf()));

    // A reload that changes nothing keeps sessions resumable...
    server.reload().unwrap();
    let (resumed, _) = common::connect(&client, &server, "server.test").ok();
    assert!(resumed.is_resumed());

    // The CA revokes the client; the server reads its file again.
    pki.intermediate.revoke(pki.leaf.leaf());
    std::fs::write(&crl_file, pki.root.crl() + &pki.intermediate.crl()).unwrap();
    let reloaded = server.reload().unwrap();
    assert!(reloaded.to_string().contains("crls.pem"), "{reloaded}");
    // ...one that changes the trust does not: the revoked client's ticket
    // opens nothing, and its full handshake is refused.
    let refused = common::connect(&client, &server, "server.test");
    let err = refused.server.unwrap_err();
    assert_eq!(kinds(err.ssl_errors()), [SslErrorKind::CertificateRevoked]);

    // A bad write changes nothing: still refused.
    std::fs::write(&crl_file, "-----BEGIN X509 CRL-----\ngarbage\n").unwrap();
    let err = server.reload().unwrap_err();
    assert!(matches!(err, Error::Reload { .. }), "{err:?}");
    let still = common::connect(&client, &server, "server.test");
    assert!(still.server.is_err());

    // A raw rustls client against the same server: refused too.
    let raw = SslConfiguration::new()
        .with_ca_certificates([pki.root.authority.cert.clone()])
        .with_local_identity(Identity::new(pki.leaf.chain.clone(), pki.leaf.key()))
        .client_config()
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let serving = {
        let server = server.clone();
        thread::spawn(move || server.accept(listener.accept().unwrap().0).map(|_| ()))
    };
    let conn =
        sslconf::rustls::ClientConnection::new(raw, "server.test".try_into().unwrap()).unwrap();
    let mut tls = sslconf::rustls::StreamOwned::new(conn, TcpStream::connect(addr).unwrap());
    let _ = tls.write_all(b"x").and_then(|()| tls.flush());
    drop(tls);
    let err = serving.join().unwrap().unwrap_err();
    assert_eq!(kinds(err.ssl_errors()), [SslErrorKind::CertificateRevoked]);
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn exact_pins_and_unconfigured_lists_are_untouched() {
    if !peer_available("openssl") {
        return;
    }
    // No lists: no revocation errors, whatever the depth setting.
    let root = Authority::root("No CRL Root");
    let leaf = root.leaf("plain.test");
    let config = SslConfiguration::new()
        .with_ca_certificates([root.cert.clone()])
        .with_revocation_depth(RevocationDepth::Leaf);
    assert!(config.verify_chain(&leaf.chain, None).is_empty());

    // An exact pin (a configured certificate that is no CA) is trusted as
    // itself: no path is built, so no list applies, as documented, even
    // one that revokes it.
    let ca = CrlAuthority::new(root, "crl-exact");
    ca.revoke(leaf.leaf());
    let pinned = SslConfiguration::new()
        .with_ca_certificates([leaf.leaf().clone()])
        .with_revocation_lists(RevocationList::from_pem(ca.crl().as_bytes()).unwrap());
    assert!(pinned.verify_chain(&leaf.chain, None).is_empty());
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_query_peer_server_lists_what_its_reloaded_lists_say() {
    if !peer_available("openssl") {
        return;
    }
    let pki = Pki::new();
    let server_id = pki.root.authority.leaf("server.test");
    let dir = Scratch::new("crl-query");
    let crl_file = write(
        &dir,
        "crls.pem",
        &(pki.root.crl() + &pki.intermediate.crl()),
    );
    let server = server_id
        .server()
        .with_ca_certificates([pki.root.authority.cert.clone()])
        .with_revocation_list_files([&crl_file])
        .unwrap()
        .with_peer_verify_mode(PeerVerifyMode::QueryPeer);
    let client = SslConfiguration::new()
        .with_ca_certificates([pki.root.authority.cert.clone()])
        .with_local_identity(Identity::new(pki.leaf.chain.clone(), pki.leaf.key()));
    let (_, state) = common::connect(&client, &server, "server.test").ok();
    assert!(state.peer_verification_errors().is_empty());

    pki.intermediate.revoke(pki.leaf.leaf());
    std::fs::write(&crl_file, pki.root.crl() + &pki.intermediate.crl()).unwrap();
    server.reload().unwrap();
    let fresh_client = client.clone().with_peer_verify_depth(0);
    let (_, state) = common::connect(&fresh_client, &server, "server.test").ok();
    assert_eq!(
        kinds(state.peer_verification_errors()),
        [SslErrorKind::CertificateRevoked]
    );
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn clients_reload_their_lists_and_forget_sessions_the_old_trust_verified() {
    if !peer_available("openssl") {
        return;
    }
    let pki = Pki::new();
    let server = pki.leaf.server();
    let dir = Scratch::new("crl-client-reload");
    let ca_file = write(&dir, "ca.pem", &pki.root.authority.cert.to_pem());
    let crl_file = write(
        &dir,
        "crls.pem",
        &(pki.root.crl() + &pki.intermediate.crl()),
    );
    let client = SslConfiguration::new()
        .with_ca_certificate_files([&ca_file])
        .unwrap()
        .with_revocation_list_files([&crl_file])
        .unwrap();
    common::connect(&client, &server, "crl.test").ok();
    let (again, _) = common::connect(&client, &server, "crl.test").ok();
    assert!(again.is_resumed());

    // The CA revokes the server: the same client config (as a raw
    // client_config() handed to reqwest would be) refuses it after a
    // reload, without resuming the session the old lists verified.
    pki.intermediate.revoke(pki.leaf.leaf());
    std::fs::write(&crl_file, pki.root.crl() + &pki.intermediate.crl()).unwrap();
    let raw = client.client_config().unwrap();
    client.reload().unwrap();
    let err = common::connect(&client, &server, "crl.test")
        .client
        .unwrap_err();
    assert_eq!(kinds(err.ssl_errors()), [SslErrorKind::CertificateRevoked]);
    assert!(raw_client(raw, &server).is_err());
    assert_eq!(
        kinds(&client.verify_chain(&pki.leaf.chain, Some("crl.test"))),
        [SslErrorKind::CertificateRevoked]
    );

    // A CA file that now names another root: nothing of the old one is trusted.
    std::fs::write(&ca_file, Authority::root("Another Root").cert.to_pem()).unwrap();
    std::fs::write(&crl_file, pki.root.crl()).unwrap();
    client.reload().unwrap();
    let err = common::connect(&client, &server, "crl.test")
        .client
        .unwrap_err();
    assert!(!err.ssl_errors().is_empty(), "{err}");
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn of_two_lists_from_one_issuer_the_newest_decides_as_in_openssl() {
    if !peer_available("openssl") {
        return;
    }
    let pki = Pki::new();
    let old = pki.intermediate.crl();
    // thisUpdate has a resolution of seconds.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    pki.intermediate.revoke(pki.leaf.leaf());
    let new = pki.intermediate.crl();
    // A bundle that grew by appending: the old list first.
    agree(
        "an old list before the new one that revokes the leaf",
        &pki,
        &[&pki.root.crl(), &old, &new],
        [
            &[(SslErrorKind::CertificateRevoked, 0)],
            &[(SslErrorKind::CertificateRevoked, 0)],
        ],
    );
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_decoy_beside_the_path_neither_empties_nor_redirects_the_errors() {
    if !peer_available("openssl") {
        return;
    }
    let pki = Pki::new();
    // An expired certificate that is on no path: before, it made the
    // diagnosis look again at an earlier time, when the expired list was
    // current, and report nothing.
    let mut junk = rcgen::CertificateParams::new(vec!["junk.test".to_owned()]).unwrap();
    junk.not_before = time::OffsetDateTime::now_utc() - time::Duration::hours(12);
    junk.not_after = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    let junk = Certificate::from_der(
        junk.self_signed(&rcgen::KeyPair::generate().unwrap())
            .unwrap()
            .der(),
    )
    .unwrap();
    let lists = read_lists(&[pki.root.crl(), pki.intermediate.expired_crl()]);
    let config = SslConfiguration::new()
        .with_ca_certificates([pki.root.authority.cert.clone()])
        .with_revocation_lists(lists);
    let mut padded = pki.leaf.chain.clone();
    padded.push(junk.clone());
    assert_eq!(
        kinds(&config.verify_chain(&padded, None)),
        [SslErrorKind::RevocationListExpired]
    );
    // Expected errors that do not name it do not let it in.
    let server = SslConfiguration::new().with_local_identity(Identity::new(padded, pki.leaf.key()));
    let lenient = config
        .with_expected_ssl_errors([SslError::new(SslErrorKind::HostNameMismatch, Some(junk))]);
    let err = common::connect(&lenient, &server, "crl.test")
        .client
        .unwrap_err();
    assert_eq!(
        kinds(err.ssl_errors()),
        [SslErrorKind::RevocationListExpired]
    );

    // A revoked certificate beside the path is not the one blamed: the
    // revoked intermediate on the path is.
    pki.root.revoke(&pki.intermediate.authority.cert);
    let decoy = pki.root.authority.leaf("decoy.test");
    pki.root.revoke(decoy.leaf());
    let lists = read_lists(&[pki.root.crl(), pki.intermediate.crl()]);
    let config = SslConfiguration::new()
        .with_ca_certificates([pki.root.authority.cert.clone()])
        .with_revocation_lists(lists);
    let sent = [
        pki.leaf.leaf().clone(),
        decoy.leaf().clone(),
        pki.intermediate.authority.cert.clone(),
    ];
    let errors = config.verify_chain(&sent, None);
    assert_eq!(kinds(&errors), [SslErrorKind::CertificateRevoked]);
    assert_eq!(
        errors[0].certificate(),
        Some(&pki.intermediate.authority.cert)
    );
}

#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn servers_with_ca_files_check_lists_from_the_first_handshake_and_after_an_early_reload() {
    if !peer_available("openssl") {
        return;
    }
    let pki = Pki::new();
    pki.intermediate.revoke(pki.leaf.leaf());
    let dir = Scratch::new("crl-ca-files");
    let ca_file = write(&dir, "ca.pem", &pki.root.authority.cert.to_pem());
    let crl_file = write(
        &dir,
        "crls.pem",
        &(pki.root.crl() + &pki.intermediate.crl()),
    );
    let client = SslConfiguration::new()
        .with_ca_certificates([pki.root.authority.cert.clone()])
        .with_local_identity(Identity::new(pki.leaf.chain.clone(), pki.leaf.key()));
    let server = pki
        .root
        .authority
        .leaf("server.test")
        .server()
        .with_ca_certificate_files([&ca_file])
        .unwrap()
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer);
    // Lists given as values beside CA files.
    let by_value = server.clone().with_revocation_lists(
        RevocationList::from_pem(std::fs::read(&crl_file).unwrap().as_slice()).unwrap(),
    );
    let err = common::connect(&client, &by_value, "server.test")
        .server
        .unwrap_err();
    assert_eq!(kinds(err.ssl_errors()), [SslErrorKind::CertificateRevoked]);

    // Lists read from a file that revoked nothing, rewritten and reloaded
    // before the server's first handshake.
    let fresh = pki.root.crl();
    std::fs::write(
        &crl_file,
        fresh + &CrlAuthority::new(Authority::root("Unrelated Root"), "crl-unrelated").crl(),
    )
    .unwrap();
    let from_files = server
        .with_revocation_list_files([&crl_file])
        .unwrap()
        .with_unknown_revocation_status_allowed(true);
    std::fs::write(&crl_file, pki.root.crl() + &pki.intermediate.crl()).unwrap();
    from_files.reload().unwrap();
    let err = common::connect(&client, &from_files, "server.test")
        .server
        .unwrap_err();
    assert_eq!(kinds(err.ssl_errors()), [SslErrorKind::CertificateRevoked]);
}

#[test]
fn a_resumed_client_is_verified_again_when_the_trust_is_reloadable() {
    // A client certificate that expires while its session can still
    // resume: with trust read from files, the crate's accept checks the
    // resumed chain again (what closes the window between a reload and the
    // ticket a handshake verified just before it gets).
    let root = Authority::root("Resume Root");
    let mut params = rcgen::CertificateParams::new(vec!["client.test".to_owned()]).unwrap();
    params.not_before = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    params.not_after = time::OffsetDateTime::now_utc() + time::Duration::seconds(3);
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let (key_der, _) = common::new_key_pair();
    let key = rcgen::KeyPair::try_from(key_der.as_slice()).unwrap();
    let cert = root.sign_with(&params, &key);
    let dir = Scratch::new("resume-recheck");
    let ca_file = write(&dir, "ca.pem", &root.cert.to_pem());
    let server = root
        .leaf("server.test")
        .server()
        .with_ca_certificate_files([&ca_file])
        .unwrap()
        .with_peer_verify_mode(PeerVerifyMode::VerifyPeer);
    let client = SslConfiguration::new()
        .with_ca_certificates([root.cert.clone()])
        .with_local_identity(Identity::new(
            [cert],
            sslconf::PrivateKey::from_der(&key_der).unwrap(),
        ));
    common::connect(&client, &server, "server.test").ok();
    let (resumed, _) = common::connect(&client, &server, "server.test").ok();
    assert!(resumed.is_resumed());
    std::thread::sleep(std::time::Duration::from_secs(4));
    let err = common::connect(&client, &server, "server.test")
        .server
        .unwrap_err();
    assert_eq!(kinds(err.ssl_errors()), [SslErrorKind::CertificateExpired]);
}

/// A list error that is expected never admits a certificate a list
/// revokes (issue 19): a stale list that revokes the client or server
/// with `RevocationListExpired` expected, and a current list of the
/// leaf's issuer that revokes it, with the root's list missing and
/// `UnableToGetRevocationList` expected. Refused by `accept`/`connect`
/// and by the raw rustls configs; the same expectations still admit a
/// peer that no list revokes.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn an_expected_list_error_never_admits_a_revoked_certificate() {
    if !peer_available("openssl") {
        return;
    }
    let pki = Pki::new();
    let fresh = Pki::new();
    pki.intermediate.revoke(pki.leaf.leaf());
    let server_id = pki.root.authority.leaf("crl.test");
    let expect = |kind: SslErrorKind, cert: &Certificate| [SslError::new(kind, Some(cert.clone()))];

    let cases: [(&str, &Pki, Vec<String>, [SslError; 1]); 2] = [
        (
            "a stale list revokes the leaf",
            &pki,
            vec![pki.root.crl(), pki.intermediate.expired_crl()],
            expect(SslErrorKind::RevocationListExpired, pki.leaf.leaf()),
        ),
        (
            "the leaf's issuer's list revokes it, the root's list is missing",
            &pki,
            vec![pki.intermediate.crl()],
            expect(
                SslErrorKind::UnableToGetRevocationList,
                &pki.intermediate.authority.cert,
            ),
        ),
    ];
    for (case, pki, crls, expected) in cases {
        let lists = read_lists(&crls);
        let trust = |config: SslConfiguration| {
            config
                .with_ca_certificates([pki.root.authority.cert.clone()])
                .with_revocation_lists(lists.clone())
                .with_revocation_depth(RevocationDepth::Leaf)
                .with_expected_ssl_errors(expected.clone())
        };
        // A client checking the revoked server.
        let client = trust(SslConfiguration::new());
        let outcome = common::connect(&client, &pki.leaf.server(), "crl.test");
        let err = outcome.client.expect_err(case);
        assert!(
            kinds(err.ssl_errors()).contains(&SslErrorKind::CertificateRevoked),
            "{case}: {:?}",
            err.ssl_errors()
        );
        assert!(
            common::raw_client_handshake(&client, &pki.leaf.server(), "crl.test").is_err(),
            "{case}: the raw client config admitted a revoked server"
        );
        // A server checking the revoked client.
        let server = trust(server_id.server()).with_peer_verify_mode(PeerVerifyMode::VerifyPeer);
        let revoked_client = SslConfiguration::new()
            .with_ca_certificates([pki.root.authority.cert.clone()])
            .with_local_identity(Identity::new(pki.leaf.chain.clone(), pki.leaf.key()));
        let outcome = common::connect(&revoked_client, &server, "crl.test");
        let err = outcome.server.expect_err(case);
        assert!(
            kinds(err.ssl_errors()).contains(&SslErrorKind::CertificateRevoked),
            "{case}: {:?}",
            err.ssl_errors()
        );
        assert!(
            common::raw_server_handshake(&server, &revoked_client, "crl.test").is_err(),
            "{case}: the raw server config admitted a revoked client"
        );
    }

    // The same expectation admits a leaf no list revokes.
    let lists = read_lists(&[fresh.root.crl(), fresh.intermediate.expired_crl()]);
    let client = SslConfiguration::new()
        .with_ca_certificates([fresh.root.authority.cert.clone()])
        .with_revocation_lists(lists)
        .with_revocation_depth(RevocationDepth::Leaf)
        .with_expected_ssl_errors([SslError::new(
            SslErrorKind::RevocationListExpired,
            Some(fresh.leaf.leaf().clone()),
        )]);
    let (state, _) = common::connect(&client, &fresh.leaf.server(), "crl.test").ok();
    assert_eq!(
        kinds(state.peer_verification_errors()),
        [SslErrorKind::RevocationListExpired]
    );
}

// -- review3 --

/// The decision skips the trust anchor (`Revocation::revokes_any_of`: "the
/// trust anchor, which webpki does not check, is not either"), but the
/// diagnosis checks a self-signed root against its own lists "as OpenSSL
/// does" (the "root's list missing" case above reports the root at depth
/// 2), and `openssl verify -crl_check_all` says error 23 at depth 2 for a
/// root its own list revokes (a root announcing its own compromise). So a
/// chain whose root its configured list revokes is accepted by a
/// `RevocationDepth::Chain` handshake and `verify_chain` reports nothing,
/// against DESIGN.md rule 1 ("a certificate that a configured list revokes
/// is always `CertificateRevoked`") and issue 19's "error sets agree with
/// `openssl verify -crl_check_all` on every case". The same revocation is
/// reported as soon as the path fails for another reason (the diagnosis
/// runs `Revocation::errors` only on a path that failed: a leaf for
/// clients only gets `[InvalidPurpose, CertificateRevoked]`): whether the
/// root's revocation counts depends on an unrelated error.
#[test]
fn a_root_its_own_list_revokes_is_revoked_at_chain_depth() {
    if !peer_available("openssl") {
        return;
    }
    use SslErrorKind::CertificateRevoked as Revoked;
    let pki = Pki::new();
    pki.root.revoke(&pki.root.authority.cert);
    let crls = [pki.root.crl(), pki.intermediate.crl()];
    let crls: Vec<&str> = crls.iter().map(String::as_str).collect();

    let openssl = openssl_errors(&pki, &crls, RevocationDepth::Chain);
    let ours = sslconf_errors(&pki, &crls, RevocationDepth::Chain);
    let client = SslConfiguration::new()
        .with_ca_certificates([pki.root.authority.cert.clone()])
        .with_revocation_lists(read_lists(&crls))
        .with_revocation_depth(RevocationDepth::Chain);
    let handshake = common::connect(&client, &pki.leaf.server(), "crl.test")
        .client
        .map(drop)
        .map_err(|e| kinds(e.ssl_errors()));
    // Something else wrong with the path (a leaf for clients only): now
    // the root's revocation is listed.
    let for_clients = pki.intermediate.authority.issue(
        &common::LeafSpec::new("crl.test").eku(vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth]),
    );
    let chain = [
        for_clients.leaf().clone(),
        pki.intermediate.authority.cert.clone(),
    ];
    let with_wrong_purpose = kinds(&client.verify_chain(&chain, None));

    assert_eq!(openssl, [(Revoked, 2)], "openssl -crl_check_all");
    assert_eq!(
        (ours, handshake),
        (vec![(Revoked, 2)], Err(vec![Revoked])),
        "verify_chain, the handshake (verify_chain of a leaf for clients only, whose path \
         fails otherwise: {with_wrong_purpose:?})"
    );
}

/// `revokes_any_of` refuses a path when any list its issuer's key signed
/// names one of its certificates "whatever the list's scope": a serial
/// number is an issuer's own, so a list of another CA under the same root
/// (same key above, another name) naming the leaf's serial must not
/// refuse it, at either depth, with or without a relaxed policy.
/// (Regression: passes.)
#[test]
fn another_issuers_list_naming_the_same_serial_revokes_nothing() {
    let root = Authority::root("Serial Root");
    let (first, second) = (
        root.intermediate("Serial CA One"),
        root.intermediate("Serial CA Two"),
    );
    let leaf = first.leaf_with_chain("serial.test", &[&first]);
    let lists = read_lists(&[
        root.revocation_list(&[]),
        first.revocation_list(&[]),
        // The leaf's serial number, in the other CA's list.
        second.revocation_list(&[leaf.leaf()]),
    ]);
    for depth in [RevocationDepth::Leaf, RevocationDepth::Chain] {
        for relaxed in [false, true] {
            let client = SslConfiguration::new()
                .with_ca_certificates([root.cert.clone()])
                .with_revocation_lists(lists.clone())
                .with_revocation_depth(depth)
                .with_unknown_revocation_status_allowed(relaxed);
            assert_eq!(
                client.verify_chain(&leaf.chain, Some("serial.test")),
                [],
                "{depth:?}, relaxed {relaxed}"
            );
            common::connect(&client, &leaf.server(), "serial.test").ok();
        }
    }
}

// -- review4 --
//
// The trust anchor checked against its own lists at chain depth
// (`Revocation::revokes_anchor`, through `ChainVerifier::anchor_of`),
// against `openssl verify` as the oracle.

/// What `openssl verify` says of `chain` (leaf first) trusting `trusted`
/// (in that order in its CA file), with the lists `crls` (PEM) and `flag`
/// (`-crl_check` or `-crl_check_all`): each `(kind, depth)`, sorted;
/// empty when it says OK.
fn openssl_verify(
    trusted: &[&Certificate],
    chain: &[Certificate],
    crls: &[String],
    flag: &str,
) -> Errors {
    let dir = Scratch::new("review4-verify");
    let ca = write(
        &dir,
        "ca.pem",
        &trusted.iter().map(|c| c.to_pem()).collect::<String>(),
    );
    let crl = write(&dir, "crl.pem", &crls.concat());
    let leaf = write(&dir, "leaf.pem", &chain[0].to_pem());
    let untrusted = write(
        &dir,
        "untrusted.pem",
        &chain[1..]
            .iter()
            .map(Certificate::to_pem)
            .collect::<String>(),
    );
    let mut args = vec!["verify", "-CAfile", &ca, "-CRLfile", &crl, flag];
    if chain.len() > 1 {
        args.extend(["-untrusted", &untrusted]);
    }
    args.push(&leaf);
    let out = std::process::Command::new("openssl")
        .args(&args)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    let said: Vec<(u32, u32)> = text
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("error ")?;
            let mut words = rest.split_whitespace();
            let code = words.next()?.parse().ok()?;
            let depth = words.nth(1)?.parse().ok()?;
            Some((code, depth))
        })
        .collect();
    assert!(
        out.status.success() == said.is_empty(),
        "openssl verify said: {text}"
    );
    openssl_kinds(&said)
}

/// A self-signed certificate for `name` of `key`: a CA (a root) or not (a
/// device's own certificate, trusted as an exact pin), with `serial`.
fn self_signed_with(
    name: &str,
    key: &rcgen::KeyPair,
    serial: u64,
    ca: bool,
    days_valid: i64,
) -> (rcgen::CertificateParams, Certificate) {
    let mut params = rcgen::CertificateParams::new(if ca {
        Vec::new()
    } else {
        vec![name.to_owned()]
    })
    .unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    params.serial_number = Some(serial.into());
    params.not_before = time::OffsetDateTime::now_utc() - time::Duration::days(2);
    params.not_after = time::OffsetDateTime::now_utc() + time::Duration::days(days_valid);
    if ca {
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
    }
    let cert = params.self_signed(key).unwrap();
    (params, Certificate::from_der(cert.der()).unwrap())
}

/// A list signed by `issuer` revoking `serials`, current.
fn list_of(issuer: &rcgen::Issuer<'_, rcgen::KeyPair>, serials: &[u64]) -> String {
    let now = time::OffsetDateTime::now_utc();
    rcgen::CertificateRevocationListParams {
        this_update: now - time::Duration::days(1),
        next_update: now + time::Duration::days(30),
        crl_number: rcgen::SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: serials
            .iter()
            .map(|&serial| rcgen::RevokedCertParams {
                serial_number: serial.into(),
                revocation_time: now - time::Duration::days(1),
                reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: rcgen::KeyIdMethod::Sha256,
    }
    .signed_by(issuer)
    .unwrap()
    .pem()
    .unwrap()
}

/// A self-signed certificate trusted as an exact pin (a device's own
/// certificate, the usual Qt way to trust one device), whose own key signs
/// a list naming its serial number (the device announcing its key's
/// compromise): `openssl verify -crl_check` and `-crl_check_all` both say
/// error 23 at depth 0. The anchor check added for self-signed roots
/// ("as OpenSSL does") skips it because a pin builds no path, so
/// `verify_chain` reports nothing and the handshake is accepted, at either
/// depth: DESIGN.md rule 1 ("under every configured list and pin ... a
/// certificate that a configured list revokes is always
/// `CertificateRevoked`") and issue 19 ("error sets agree with openssl
/// verify -crl_check_all") against the documented exception for pins
/// (`exact_pins_and_unconfigured_lists_are_untouched`, whose list is
/// another CA's, not the pin's own).
#[test]
fn a_pinned_self_signed_certificate_its_own_list_revokes_is_revoked() {
    if !peer_available("openssl") {
        return;
    }
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let (params, pinned) = self_signed_with("pin.test", &key, 9, false, 30);
    let key_der = key.serialize_der();
    let crl = list_of(&rcgen::Issuer::new(params, key), &[9]);
    let id = common::Identity::from_parts(vec![pinned.clone()], key_der);
    let mut seen = Vec::new();
    for (depth, flag) in [
        (RevocationDepth::Leaf, "-crl_check"),
        (RevocationDepth::Chain, "-crl_check_all"),
    ] {
        let openssl = openssl_verify(&[&pinned], &id.chain, std::slice::from_ref(&crl), flag);
        let client = SslConfiguration::new()
            .with_ca_certificates([pinned.clone()])
            .with_revocation_lists(read_lists(std::slice::from_ref(&crl)))
            .with_revocation_depth(depth);
        let ours = our_kinds(&client.verify_chain(&id.chain, Some("pin.test")), &id.chain);
        let handshake = common::connect(&client, &id.server(), "pin.test")
            .client
            .is_ok();
        seen.push((depth, openssl, ours, handshake));
    }
    let revoked = vec![(SslErrorKind::CertificateRevoked, 0)];
    assert_eq!(
        seen,
        [RevocationDepth::Leaf, RevocationDepth::Chain].map(|depth| (
            depth,
            revoked.clone(),
            revoked.clone(),
            false
        )),
        "(depth, openssl, verify_chain, handshake accepted)"
    );
}

/// A root re-issued with the same name and key (a new serial number and
/// validity, as CAs extend a root's life) and a list of that key naming
/// the old certificate's serial. Both certificates are configured; the
/// anchor check picks whichever of them comes first in the configured
/// order (`anchor_of`: the first with the anchor's key and name), so the
/// verdict on one chain depends on the order of the CA file. Printed
/// beside `openssl verify -crl_check_all` (which, in OpenSSL 3.0, is order
/// dependent as well); asserted: what we decide agrees with OpenSSL in
/// each order. (Regression: passes.)
#[test]
fn a_reissued_root_and_its_revoked_predecessor_agree_with_openssl_in_either_order() {
    if !peer_available("openssl") {
        return;
    }
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let (_, old) = self_signed_with("Reissued Root", &key, 1, true, 30);
    let (params, new) = self_signed_with("Reissued Root", &key, 2, true, 300);
    let issuer = rcgen::Issuer::new(params, key);
    let leaf_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut leaf_params = rcgen::CertificateParams::new(vec!["reissued.test".to_owned()]).unwrap();
    leaf_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "reissued.test");
    leaf_params.use_authority_key_identifier_extension = true;
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).unwrap();
    let chain = vec![Certificate::from_der(leaf.der()).unwrap()];
    let crl = list_of(&issuer, &[1]);
    let mut seen = Vec::new();
    for order in [[&old, &new], [&new, &old]] {
        let openssl = openssl_verify(&order, &chain, std::slice::from_ref(&crl), "-crl_check_all");
        let client = SslConfiguration::new()
            .with_ca_certificates(order.map(Certificate::clone))
            .with_revocation_lists(read_lists(std::slice::from_ref(&crl)))
            .with_revocation_depth(RevocationDepth::Chain);
        let ours = our_kinds(&client.verify_chain(&chain, Some("reissued.test")), &chain);
        println!(
            "old first: {}: openssl {openssl:?}, ours {ours:?}",
            order[0] == &old
        );
        seen.push((order[0] == &old, openssl, ours));
    }
    let disagree: Vec<_> = seen.iter().filter(|(_, o, ours)| o != ours).collect();
    assert!(
        disagree.is_empty(),
        "(old root first, openssl -crl_check_all, verify_chain): {seen:?}"
    );
}

/// A root its own list revokes, configured beside a cross-signed copy of
/// itself (same name and key, issued by another root that is not
/// configured: a CA file made by concatenating a chain bundle and the
/// root, as Qt users do). The anchor check takes the first configured
/// certificate with the anchor's name and key (`anchor_of`), and checks
/// only a self-signed one: with the cross-signed copy first the root's
/// revocation is never looked at, and the chain is accepted. OpenSSL
/// (`verify -crl_check_all`) refuses in both orders (error 23 at depth 1
/// with the root first; with the copy first, error 2, the copy's issuer
/// unknown). The same chain, the same list: whether a revoked root is
/// trusted depends on the order of the CA file.
#[test]
fn a_root_its_own_list_revokes_is_revoked_whichever_copy_of_it_comes_first() {
    if !peer_available("openssl") {
        return;
    }
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let (params, root) = self_signed_with("Crossed Root", &key, 2, true, 300);
    let issuer = rcgen::Issuer::new(params.clone(), key);
    // The other root, never configured, that cross-signs this one's key.
    let other_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let (other_params, _) = self_signed_with("Crossing Root", &other_key, 50, true, 300);
    let other_issuer = rcgen::Issuer::new(other_params, other_key);
    let mut crossed_params = params;
    crossed_params.serial_number = Some(3u64.into());
    crossed_params.use_authority_key_identifier_extension = true;
    let crossed = crossed_params
        .signed_by(issuer.key(), &other_issuer)
        .unwrap();
    let crossed = Certificate::from_der(crossed.der()).unwrap();
    assert!(
        !crossed.is_self_signed() && crossed.subject_display_name() == root.subject_display_name()
    );

    let leaf_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut leaf_params = rcgen::CertificateParams::new(vec!["crossed.test".to_owned()]).unwrap();
    leaf_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "crossed.test");
    leaf_params.use_authority_key_identifier_extension = true;
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).unwrap();
    let id = common::Identity::from_parts(
        vec![Certificate::from_der(leaf.der()).unwrap()],
        leaf_key.serialize_der(),
    );
    let crl = list_of(&issuer, &[2]);
    let mut seen = Vec::new();
    for order in [[&root, &crossed], [&crossed, &root]] {
        let openssl = openssl_verify(
            &order,
            &id.chain,
            std::slice::from_ref(&crl),
            "-crl_check_all",
        );
        assert!(
            !openssl.is_empty(),
            "openssl accepted, root first: {}",
            order[0] == &root
        );
        let client = SslConfiguration::new()
            .with_ca_certificates(order.map(Certificate::clone))
            .with_revocation_lists(read_lists(std::slice::from_ref(&crl)))
            .with_revocation_depth(RevocationDepth::Chain);
        let ours = our_kinds(
            &client.verify_chain(&id.chain, Some("crossed.test")),
            &id.chain,
        );
        let handshake = common::connect(&client, &id.server(), "crossed.test")
            .client
            .is_ok();
        seen.push((order[0] == &root, openssl, ours, handshake));
    }
    let refused = |(_, _, ours, handshake): &(bool, Errors, Errors, bool)| {
        ours.contains(&(SslErrorKind::CertificateRevoked, 1)) && !handshake
    };
    assert!(
        seen.iter().all(refused),
        "(root first, openssl -crl_check_all, verify_chain, handshake accepted): {seen:?}"
    );
}

// -- review5 --
//
// Hostile review of the anchor and exact-pin revocation checks (ad807df,
// 39a9927), against `openssl verify` as the oracle.

/// A root re-issued with the same name and key: the old certificate has
/// expired and its own key's list names it (retired), the new one is
/// current and named by nothing; the old one comes first in the CA file (a
/// bundle that grew by appending the new root). `anchor_of` takes the
/// first SELF-SIGNED configured certificate with the anchor's name and
/// key, whatever its validity: the expired predecessor, so at chain depth
/// the root's own list "revokes" a path that webpki verified to the current
/// root, and a valid chain is refused. OpenSSL, whose issuer lookup
/// (`X509_STORE_CTX_get1_issuer`) prefers a time-valid certificate among
/// those that match, says OK in either order (`verify -crl_check_all`): the
/// verdict must not depend on the CA file's order where OpenSSL's does not.
#[test]
fn an_expired_revoked_predecessor_root_first_in_the_ca_file_refuses_nothing() {
    if !peer_available("openssl") {
        return;
    }
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    // Valid from two days ago to yesterday: expired.
    let (_, old) = self_signed_with("Renewed Root", &key, 1, true, -1);
    let (params, new) = self_signed_with("Renewed Root", &key, 2, true, 300);
    let issuer = rcgen::Issuer::new(params, key);
    let leaf_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut leaf_params = rcgen::CertificateParams::new(vec!["renewed.test".to_owned()]).unwrap();
    leaf_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "renewed.test");
    leaf_params.use_authority_key_identifier_extension = true;
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).unwrap();
    let id = common::Identity::from_parts(
        vec![Certificate::from_der(leaf.der()).unwrap()],
        leaf_key.serialize_der(),
    );
    // The old root retired on its own list; the leaf's list names nothing.
    let crl = list_of(&issuer, &[1]);
    let mut seen = Vec::new();
    for order in [[&old, &new], [&new, &old]] {
        let openssl = openssl_verify(
            &order,
            &id.chain,
            std::slice::from_ref(&crl),
            "-crl_check_all",
        );
        let client = SslConfiguration::new()
            .with_ca_certificates(order.map(Certificate::clone))
            .with_revocation_lists(read_lists(std::slice::from_ref(&crl)))
            .with_revocation_depth(RevocationDepth::Chain);
        let ours = our_kinds(
            &client.verify_chain(&id.chain, Some("renewed.test")),
            &id.chain,
        );
        let handshake = common::connect(&client, &id.server(), "renewed.test")
            .client
            .is_ok();
        seen.push((order[0] == &old, openssl, ours, handshake));
    }
    assert_eq!(
        seen,
        [(true, vec![], vec![], true), (false, vec![], vec![], true)],
        "(expired old root first, openssl -crl_check_all, verify_chain, handshake accepted)"
    );
}

/// An exact pin that is NOT self-signed (a server's leaf, no CA, put in
/// the CA file as Qt users pin a device) beside the CA that issued it,
/// whose current list revokes it. The pin short-circuits verification
/// (`verify_with`: `exact_pin` → `alone`), so the issuer's list is never
/// looked at: `verify_chain` says nothing and the handshake is accepted,
/// at either depth, in either order. The docs' reason for skipping the
/// lists ("no issuer whose lists could name them") is false here: the
/// issuer is configured and a verified path leaf ← CA exists, and
/// `openssl verify -crl_check` builds it and says error 23 at depth 0.
/// DESIGN.md rule 1: a certificate that a configured list revokes is always
/// `CertificateRevoked`.
#[test]
fn an_exact_pin_whose_configured_issuer_revokes_it_is_revoked() {
    if !peer_available("openssl") {
        return;
    }
    let root = Authority::root("Pinned Leaf Root");
    let id = root.leaf("pinned-leaf.test");
    let crl = root.revocation_list(&[id.leaf()]);
    let mut seen = Vec::new();
    for pin_first in [false, true] {
        let trusted = if pin_first {
            [id.leaf(), &root.cert]
        } else {
            [&root.cert, id.leaf()]
        };
        for (depth, flag) in [
            (RevocationDepth::Leaf, "-crl_check"),
            (RevocationDepth::Chain, "-crl_check_all"),
        ] {
            let openssl = openssl_verify(&trusted, &id.chain, std::slice::from_ref(&crl), flag);
            let client = SslConfiguration::new()
                .with_ca_certificates(trusted.map(Certificate::clone))
                .with_revocation_lists(read_lists(std::slice::from_ref(&crl)))
                .with_revocation_depth(depth);
            let ours = our_kinds(
                &client.verify_chain(&id.chain, Some("pinned-leaf.test")),
                &id.chain,
            );
            let handshake = common::connect(&client, &id.server(), "pinned-leaf.test")
                .client
                .is_ok();
            seen.push((pin_first, depth, openssl, ours, handshake));
        }
    }
    let revoked = vec![(SslErrorKind::CertificateRevoked, 0)];
    let expected: Vec<_> = seen
        .iter()
        .map(|(pin_first, depth, ..)| (*pin_first, *depth, revoked.clone(), revoked.clone(), false))
        .collect();
    assert_eq!(
        seen, expected,
        "(pin first, depth, openssl verify, verify_chain, handshake accepted)"
    );
}

/// A self-signed peer accepted on its pinned key alone
/// (`with_public_key_pins_only(true)`), whose own key signs a list naming
/// it. The crate docs (39a9927) promise that for "a certificate trusted as
/// exactly itself ... and a peer accepted on its pins alone ... no list is
/// consulted ..., but for a self-signed one's own lists". The exact-pin
/// check was added, the pins-only one was not (`verify_with` returns
/// `alone` before it): the revoked peer is accepted and `verify_chain`
/// says nothing, at either depth (the same certificate and list as an
/// exact pin are refused, as `openssl verify -crl_check` refuses them).
#[test]
fn a_self_signed_peer_pinned_by_key_alone_its_own_list_revokes_is_revoked() {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let (params, cert) = self_signed_with("pins-only.test", &key, 11, false, 30);
    let key_der = key.serialize_der();
    let crl = list_of(&rcgen::Issuer::new(params, key), &[11]);
    let id = common::Identity::from_parts(vec![cert.clone()], key_der);
    let mut seen = Vec::new();
    for depth in [RevocationDepth::Leaf, RevocationDepth::Chain] {
        let client = SslConfiguration::new()
            .with_public_key_pins([cert.public_key_pin().unwrap()])
            .with_public_key_pins_only(true)
            .with_revocation_lists(read_lists(std::slice::from_ref(&crl)))
            .with_revocation_depth(depth);
        let ours = our_kinds(
            &client.verify_chain(&id.chain, Some("pins-only.test")),
            &id.chain,
        );
        let handshake = common::connect(&client, &id.server(), "pins-only.test")
            .client
            .is_ok();
        seen.push((depth, ours, handshake));
    }
    let revoked = vec![(SslErrorKind::CertificateRevoked, 0)];
    assert_eq!(
        seen,
        [RevocationDepth::Leaf, RevocationDepth::Chain].map(|d| (d, revoked.clone(), false)),
        "(depth, verify_chain, handshake accepted)"
    );
}

/// A self-signed certificate trusted as exactly itself, with lists
/// configured, in the cases of the revocation matrix that concern it: its
/// own list current and naming nothing, its own list expired (naming
/// nothing), no list of its own (another CA's only). `openssl verify
/// -crl_check` / `-crl_check_all` on the same files says, of depth 0:
/// nothing, error 12 (CRL has expired), error 3 (unable to get certificate
/// CRL). The crate agrees but where it decided otherwise, on purpose (see
/// `with_revocation_lists`): a certificate trusted as exactly itself is
/// its own authority, refused when a list revokes it (the other tests
/// here), but a missing or expired list of its own is no error for it.
/// Exactly those list errors at depth 0 are what the crate leaves out of
/// OpenSSL's answer.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_self_signed_exact_pin_differs_from_openssl_only_on_its_own_missing_or_expired_list() {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let (params, pinned) = self_signed_with("own-lists.test", &key, 21, false, 30);
    let issuer = rcgen::Issuer::new(params, key);
    let current = list_of(&issuer, &[]);
    let now = time::OffsetDateTime::now_utc();
    let expired = rcgen::CertificateRevocationListParams {
        this_update: now - time::Duration::days(40),
        next_update: now - time::Duration::days(10),
        crl_number: rcgen::SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: Vec::new(),
        key_identifier_method: rcgen::KeyIdMethod::Sha256,
    }
    .signed_by(&issuer)
    .unwrap()
    .pem()
    .unwrap();
    let other = Authority::root("Own Lists Other Root");
    let others = other.revocation_list(&[]);
    let mut disagree = Vec::new();
    for (case, crls) in [
        ("its own list, current", vec![current.clone()]),
        ("its own list, expired", vec![expired]),
        ("another CA's list only", vec![others]),
    ] {
        for (depth, flag) in [
            (RevocationDepth::Leaf, "-crl_check"),
            (RevocationDepth::Chain, "-crl_check_all"),
        ] {
            let chain = vec![pinned.clone()];
            let openssl = openssl_verify(&[&pinned], &chain, &crls, flag);
            let client = SslConfiguration::new()
                .with_ca_certificates([pinned.clone()])
                .with_revocation_lists(read_lists(&crls))
                .with_revocation_depth(depth);
            let ours = our_kinds(&client.verify_chain(&chain, Some("own-lists.test")), &chain);
            println!("{case}, {depth:?}: openssl {openssl:?}, ours {ours:?}");
            let decided: Errors = openssl
                .iter()
                .filter(|(kind, at)| {
                    !(*at == 0
                        && matches!(
                            kind,
                            SslErrorKind::UnableToGetRevocationList
                                | SslErrorKind::RevocationListExpired
                        ))
                })
                .cloned()
                .collect();
            if ours != decided {
                disagree.push((case, depth, openssl, ours));
            }
        }
    }
    assert!(
        disagree.is_empty(),
        "(case, depth, openssl verify, verify_chain) where they differ otherwise than decided: \
         {disagree:?}"
    );
}
