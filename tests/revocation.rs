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
    Certificate, Error, PeerVerifyMode, RevocationDepth, RevocationList, SslConfiguration,
    SslError, SslErrorKind,
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
        .with_local_certificate_chain(pki.leaf.chain.clone())
        .with_private_key(pki.leaf.key());
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
        .with_local_certificate_chain(pki.leaf.chain.clone())
        .with_private_key(pki.leaf.key())
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
        .with_local_certificate_chain(pki.leaf.chain.clone())
        .with_private_key(pki.leaf.key());
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
    let server = SslConfiguration::new()
        .with_local_certificate_chain(padded)
        .with_private_key(pki.leaf.key());
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
        .with_local_certificate_chain(pki.leaf.chain.clone())
        .with_private_key(pki.leaf.key());
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
        .with_local_certificate_chain([cert])
        .with_private_key(sslconf::PrivateKey::from_der(&key_der).unwrap());
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
            .with_local_certificate_chain(pki.leaf.chain.clone())
            .with_private_key(pki.leaf.key());
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
