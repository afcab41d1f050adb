//! The server's certificate chain in a session value rustls hands a
//! client's session store, so that a client whose trust follows files keeps
//! a ticket only from a server the trust in force accepts.
//!
//! rustls 0.23 keeps the chain the connection verified in the value but
//! offers no accessor for it; its `Debug` output is the only public view:
//! `server_cert_chain: CertificateChain([CertificateDer(0x…), …])`, each
//! certificate in lowercase hexadecimal. It is read defensively: a value
//! whose output does not read so yields no chain (the ticket is not kept: a
//! full handshake, which verifies the server), and `tests/resumption.rs`
//! resumes sessions tickets kept this way, so a change in rustls shows
//! there. The output holds the ticket too (never the session's secret); it
//! is wiped when read.

use std::fmt::{self, Write};

use rustls::pki_types::CertificateDer;
use zeroize::Zeroizing;

/// Where the chain starts in the value's `Debug` output.
const CHAIN: &str = "server_cert_chain: CertificateChain([";
/// Each certificate's opening, and what separates and closes them.
const CERTIFICATE: &str = "CertificateDer(0x";
const SEPARATOR: &str = ", ";
const END: &str = "])";

/// The server's chain (the end entity first) in a session `value`, or
/// `None` when its `Debug` output does not read as rustls 0.23 writes it or
/// holds no certificate.
pub(crate) fn server_chain(value: &impl fmt::Debug) -> Option<Vec<CertificateDer<'static>>> {
    let mut text = Zeroizing::new(String::new());
    write!(text, "{value:?}").ok()?;
    let mut rest = &text[text.find(CHAIN)? + CHAIN.len()..];
    let mut chain = Vec::new();
    loop {
        rest = rest.strip_prefix(CERTIFICATE)?;
        let digits = rest.find(|c: char| !c.is_ascii_hexdigit())?;
        chain.push(CertificateDer::from(from_hex(&rest[..digits])?));
        rest = rest[digits..].strip_prefix(')')?;
        if rest.starts_with(END) {
            return Some(chain);
        }
        rest = rest.strip_prefix(SEPARATOR)?;
    }
}

/// The bytes lowercase hexadecimal `digits` spell: an even, non-zero count.
fn from_hex(digits: &str) -> Option<Vec<u8>> {
    if digits.is_empty() || !digits.len().is_multiple_of(2) {
        return None;
    }
    let nibble = |d: u8| match d {
        b'0'..=b'9' => Some(d - b'0'),
        b'a'..=b'f' => Some(d - b'a' + 10),
        _ => None,
    };
    digits
        .as_bytes()
        .chunks_exact(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As rustls 0.23 prints a value (the shape, with made-up contents).
    struct Printed(&'static str);

    impl fmt::Debug for Printed {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    #[test]
    fn reads_the_chain_and_nothing_that_deviates() {
        let value = Printed(
            "Tls13ClientSessionValue { suite: TLS13_AES_128_GCM_SHA256, common: \
             ClientSessionCommon { ticket: 0xabcd, epoch: 1, lifetime_secs: 7200, \
             server_cert_chain: CertificateChain([CertificateDer(0x3082), \
             CertificateDer(0x30ff00)]), server_cert_verifier: (Weak), .. } }",
        );
        assert_eq!(
            server_chain(&value),
            Some(vec![
                CertificateDer::from(vec![0x30, 0x82]),
                CertificateDer::from(vec![0x30, 0xff, 0x00]),
            ])
        );
        for deviant in [
            "server_cert_chain: CertificateChain([])",
            "server_cert_chain: CertificateChain([CertificateDer(0x308)])",
            "server_cert_chain: CertificateChain([CertificateDer(0x3082)]",
            "server_cert_chain: CertificateChain([CertificateDer(0x3082); CertificateDer(0x30)])",
            "server_cert_chain: CertificateChain([CertificateDer(0x30AB)])",
            "server_cert_chain: CertificateChain([CertificateDer(3082)])",
            "server_cert_chain: [CertificateDer(0x3082)]",
            "",
        ] {
            assert_eq!(server_chain(&Printed(deviant)), None, "{deviant}");
        }
    }
}
