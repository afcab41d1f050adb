//! `Passphrase`: one value for every source (bytes, a file, an environment
//! variable), taken by the key, identity and PKCS#12 constructors; where it
//! comes from is what `Debug`, errors and reloads see, never the passphrase.
#![cfg(feature = "pkcs12")]

mod common;

use common::openssl::Scratch;
use sslconf::{Error, Identity, Passphrase, Pkcs12, PrivateKey, SslConfiguration};

/// `tests/data/ec-p256-encrypted.pem` and its passphrase.
const ENCRYPTED: &[u8] = include_bytes!("data/ec-p256-encrypted.pem");
const SECRET: &str = "sslconf-test";
/// `tests/data/cryptography-aes.p12`.
const P12: &[u8] = include_bytes!("data/cryptography-aes.p12");
const P12_PASSPHRASE_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/cryptography-aes.p12.pass"
);

/// The encrypted key, a certificate for it and a file holding its passphrase.
fn encrypted_identity_files(scratch: &Scratch) -> (String, String, String) {
    let key = PrivateKey::from_pem_with_passphrase(ENCRYPTED, &Passphrase::new(SECRET)).unwrap();
    let pair = rcgen::KeyPair::try_from(key.as_rustls()).unwrap();
    let cert = rcgen::CertificateParams::new(vec!["enc.example".to_owned()])
        .unwrap()
        .self_signed(&pair)
        .unwrap();
    let (chain, key, pass) = (
        scratch.file("enc.pem"),
        scratch.file("enc.key"),
        scratch.file("enc.pass"),
    );
    std::fs::write(&chain, cert.pem()).unwrap();
    std::fs::write(&key, ENCRYPTED).unwrap();
    std::fs::write(
        &pass,
        format!("{SECRET}\r\nsecond line is not part of it\n"),
    )
    .unwrap();
    (chain, key, pass)
}

#[test]
fn debug_says_where_a_passphrase_comes_from_never_what_it_is() {
    let variable = "SSLCONF_TEST_PASSPHRASE_DEBUG";
    std::env::set_var(variable, SECRET);
    for (passphrase, shown) in [
        (Passphrase::new(SECRET), "Passphrase([redacted])".to_owned()),
        (
            Passphrase::from_file("/run/secrets/key.pass"),
            r#"Passphrase(file "/run/secrets/key.pass")"#.to_owned(),
        ),
        (
            Passphrase::from_env(variable).unwrap(),
            format!("Passphrase(environment variable {variable:?})"),
        ),
    ] {
        let debug = format!("{passphrase:?}");
        assert_eq!(debug, shown);
        assert!(!debug.contains(SECRET));
    }
    std::env::remove_var(variable);

    // An identity keeping one shows its source, not its bytes.
    let scratch = Scratch::new("passphrase-debug");
    let (chain, key, _) = encrypted_identity_files(&scratch);
    let identity =
        Identity::from_files_with_passphrase(&chain, &key, Passphrase::new(SECRET)).unwrap();
    let debug = format!(
        "{:?}",
        SslConfiguration::new().with_local_identity(identity)
    );
    assert!(!debug.contains(SECRET), "{debug}");
}

#[test]
fn an_unset_variable_and_an_unreadable_file_are_errors_naming_them() {
    let variable = "SSLCONF_TEST_PASSPHRASE_NEVER_SET";
    let err = Passphrase::from_env(variable).unwrap_err();
    assert!(matches!(&err, Error::PassphraseVariableUnset { variable: v } if v == variable));
    assert_eq!(
        err.to_string(),
        format!("environment variable {variable}, which should hold a passphrase, is not set")
    );

    let scratch = Scratch::new("passphrase-missing");
    let missing = scratch.file("no.pass");
    let from_missing = Passphrase::from_file(&missing);
    let err = PrivateKey::from_pem_with_passphrase(ENCRYPTED, &from_missing).unwrap_err();
    assert!(
        matches!(&err, Error::ReadFile { path, .. } if path.to_str() == Some(&missing)),
        "{err:?}"
    );
    let err = Pkcs12::from_der(P12, &from_missing).unwrap_err();
    assert!(
        matches!(&err, Error::ReadFile { path, .. } if path.to_str() == Some(&missing)),
        "{err:?}"
    );
    let (chain, key, _) = encrypted_identity_files(&scratch);
    let err = Identity::from_files_with_passphrase(&chain, &key, from_missing).unwrap_err();
    assert!(
        matches!(&err, Error::ReadFile { path, .. } if path.to_str() == Some(&missing)),
        "{err:?}"
    );
}

/// Every source unlocks the same key: bytes, a file's first line (without
/// its line ending), a variable.
#[test]
fn every_source_unlocks_the_same_key() {
    let scratch = Scratch::new("passphrase-sources");
    let (_, _, pass) = encrypted_identity_files(&scratch);
    let variable = "SSLCONF_TEST_PASSPHRASE_SOURCES";
    std::env::set_var(variable, SECRET);
    let expected =
        PrivateKey::from_pem_with_passphrase(ENCRYPTED, &Passphrase::new(SECRET.as_bytes()))
            .unwrap();
    for passphrase in [
        Passphrase::new(String::from(SECRET)),
        Passphrase::from_file(&pass),
        Passphrase::from_env(variable).unwrap(),
    ] {
        let key = PrivateKey::from_pem_with_passphrase(ENCRYPTED, &passphrase).unwrap();
        assert!(key == expected, "{passphrase:?}");
    }
    std::env::remove_var(variable);
    let err =
        PrivateKey::from_pem_with_passphrase(ENCRYPTED, &Passphrase::new("wrong")).unwrap_err();
    assert!(matches!(err, Error::WrongPassphrase { .. }), "{err:?}");
}

/// A passphrase file is read again on every reload (a key and its
/// passphrase are replaced together); a reload that cannot read the key
/// fails and leaves what was served.
#[test]
fn a_reload_reads_the_passphrase_file_again() {
    let scratch = Scratch::new("passphrase-reload");
    let (chain, key, pass) = encrypted_identity_files(&scratch);
    let server = SslConfiguration::new().with_local_identity(
        Identity::from_files_with_passphrase(&chain, &key, Passphrase::from_file(&pass)).unwrap(),
    );
    let before = server.server_config().unwrap();

    std::fs::write(&pass, "not the passphrase\n").unwrap();
    let err = server.reload().unwrap_err();
    // The reload names every file it read, the passphrase file included,
    // and the key it could not decrypt.
    let Error::Reload { files, cause } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(files, &format!("{chain}, {key}, {pass}"));
    assert!(
        matches!(&**cause, Error::WrongPassphrase { input } if input == &key),
        "{err:?}"
    );
    assert!(std::sync::Arc::ptr_eq(
        &before,
        &server.server_config().unwrap()
    ));

    std::fs::write(&pass, SECRET).unwrap();
    server.reload().unwrap();
    assert_eq!(
        server.local_identity().unwrap().certificate_chain().len(),
        1
    );
}

/// A variable's value is read once: a program that removes it from its
/// environment after startup still reloads.
#[test]
fn a_variable_is_read_once_and_kept_for_reloads() {
    let scratch = Scratch::new("passphrase-env");
    let (chain, key, _) = encrypted_identity_files(&scratch);
    let p12 = scratch.file("id.p12");
    std::fs::write(&p12, P12).unwrap();
    let p12_secret = std::fs::read(P12_PASSPHRASE_FILE).unwrap();

    let (key_variable, p12_variable) = (
        "SSLCONF_TEST_PASSPHRASE_ONCE",
        "SSLCONF_TEST_P12_PASSPHRASE_ONCE",
    );
    std::env::set_var(key_variable, SECRET);
    std::env::set_var(p12_variable, std::str::from_utf8(&p12_secret).unwrap());
    let server = SslConfiguration::new()
        .with_local_identity(
            Identity::from_files_with_passphrase(
                &chain,
                &key,
                Passphrase::from_env(key_variable).unwrap(),
            )
            .unwrap(),
        )
        .with_added_local_identity(
            Identity::from_pkcs12_file(&p12, Passphrase::from_env(p12_variable).unwrap()).unwrap(),
        );
    std::env::remove_var(key_variable);
    std::env::remove_var(p12_variable);
    server.server_config().unwrap();
    // Touch the files so that the reload reads them.
    std::fs::write(&key, ENCRYPTED).unwrap();
    std::fs::write(&p12, P12).unwrap();
    server.reload().unwrap();
    server.server_config().unwrap();
}

/// A passphrase file as OpenSSL reads it (`-passin file:`, `-passout
/// file:`), OpenSSL judging: a key OpenSSL encrypted with the first line of
/// a file opens with `Passphrase::from_file` of that file, with or without
/// a line end and with later lines (another passphrase is refused). The
/// one documented difference: a `\r` before the
/// `\n` is part of the line end here, part of the passphrase for OpenSSL.
#[test]
#[cfg_attr(skip_openssl, ignore = "openssl is not on PATH")]
fn a_passphrase_file_reads_as_openssl_reads_it_but_for_a_carriage_return() {
    use common::openssl::run;
    let scratch = Scratch::new("passphrase-openssl");
    let plain = scratch.file("plain.pem");
    run(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        &plain,
    ]);
    let encrypt = |name: &str, contents: &str| {
        let (pass, key) = (
            scratch.file(&format!("{name}.pass")),
            scratch.file(&format!("{name}.pem")),
        );
        std::fs::write(&pass, contents).unwrap();
        run(&[
            "pkcs8",
            "-topk8",
            "-in",
            &plain,
            "-out",
            &key,
            "-passout",
            &format!("file:{pass}"),
        ]);
        (pass, key)
    };
    let expected = PrivateKey::from_path(&plain).unwrap();
    for (name, contents) in [
        ("no-line-end", "sslconf openssl"),
        ("line-end", "sslconf openssl\n"),
        ("more-lines", "sslconf openssl\nnot this\n"),
    ] {
        let (pass, key) = encrypt(name, contents);
        let read = PrivateKey::from_path_with_passphrase(&key, &Passphrase::from_file(&pass));
        assert!(
            read.as_ref().is_ok_and(|k| *k == expected),
            "{name}: {read:?}"
        );
        let wrong = PrivateKey::from_path_with_passphrase(&key, &Passphrase::new("sslconf"));
        assert!(
            matches!(wrong, Err(Error::WrongPassphrase { .. })),
            "{name}: {wrong:?}"
        );
    }
    // OpenSSL's passphrase from "sslconf openssl\r\n" is "sslconf openssl\r".
    let (pass, key) = encrypt("crlf", "sslconf openssl\r\n");
    let read = PrivateKey::from_path_with_passphrase(&key, &Passphrase::from_file(&pass));
    assert!(
        matches!(read, Err(Error::WrongPassphrase { .. })),
        "{read:?}"
    );
    let with_cr =
        PrivateKey::from_path_with_passphrase(&key, &Passphrase::new("sslconf openssl\r"));
    assert!(with_cr.is_ok_and(|k| k == expected));
}
