//! The two DER facts verification needs beyond webpki's API: a
//! SEQUENCE's contents (webpki keeps names and trust anchors' keys without
//! their header) and a SEQUENCE around contents.

/// The contents of a DER SEQUENCE (a `Name`), as webpki keeps a CRL's
/// issuer; the input itself when it is not one.
pub(crate) fn name_contents(der: &[u8]) -> &[u8] {
    let Some((&0x30, rest)) = der.split_first() else {
        return der;
    };
    let Some((&first, rest)) = rest.split_first() else {
        return der;
    };
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return der;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |len, &b| (len << 8) | usize::from(b));
        (len, &rest[n..])
    };
    if rest.len() == len {
        rest
    } else {
        der
    }
}

/// `contents` wrapped in a DER SEQUENCE header: a trust anchor's
/// SubjectPublicKeyInfo as a certificate holds it.
pub(crate) fn sequence(contents: &[u8]) -> Vec<u8> {
    let len = contents.len();
    let mut der = vec![0x30];
    if len < 0x80 {
        der.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        der.push(0x80 | (bytes.len() - skip) as u8);
        der.extend_from_slice(&bytes[skip..]);
    }
    der.extend_from_slice(contents);
    der
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(crate) fn name_contents_strips_one_sequence_header() {
        assert_eq!(name_contents(&[0x30, 0x02, 0x31, 0x00]), &[0x31, 0x00]);
        let long: Vec<u8> = [0x30, 0x81, 0x80]
            .into_iter()
            .chain(std::iter::repeat_n(7, 0x80))
            .collect();
        assert_eq!(name_contents(&long).len(), 0x80);
        // Not a sequence, or a wrong length: left as it is.
        assert_eq!(name_contents(&[0x31, 0x00]), &[0x31, 0x00]);
        assert_eq!(name_contents(&[0x30, 0x05, 0x00]), &[0x30, 0x05, 0x00]);
        assert_eq!(name_contents(&[]), &[] as &[u8]);
    }

    #[test]
    fn sequence_round_trips() {
        for len in [0, 1, 0x7f, 0x80, 0xff, 0x100, 70_000] {
            let contents = vec![5u8; len];
            let der = sequence(&contents);
            assert_eq!(name_contents(&der), contents.as_slice(), "{len}");
        }
    }
}
