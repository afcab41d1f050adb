//! Session-ticket key files in the two formats servers already use: nginx's
//! `ssl_session_ticket_key` (one key, 80 or 48 raw bytes) and HAProxy's
//! `tls-ticket-keys` (base64 keys one a line, the second-to-last sealing),
//! told apart by length: no file of three base64 lines is 80 or 48 bytes.
//!
//! Key material is only ever held in buffers zeroized on drop: the file is
//! read into one without letting a `Vec` reallocate (which would leave the
//! old allocation behind), and base64 is decoded here, straight into the
//! key's buffer, rather than by a decoder that keeps blocks in temporaries.

use std::io::{self, Read};
use std::path::Path;

use zeroize::Zeroizing;

use crate::error::InvalidInput;
use crate::Error;

/// The length of a key name, the first bytes of every key and ticket.
pub(super) const NAME_LEN: usize = 16;
/// nginx's and HAProxy's 80-byte keys: name, then 64 bytes of secrets.
pub(super) const LONG_KEY_LEN: usize = 80;
/// nginx's and HAProxy's 48-byte keys: name, then 32 bytes of secrets.
const SHORT_KEY_LEN: usize = 48;
/// HAProxy's `TLS_TICKETS_NO` (its default build): the keys used are the
/// last three lines, and a file holds at least that many.
const HAPROXY_KEYS: usize = 3;
/// No key file is larger: HAProxy's file grows by a line a rotation, and
/// a megabyte is years of them.
const MAX_FILE_LEN: usize = 1 << 20;

/// One key as a key file holds it.
pub(super) struct TicketKey {
    pub(super) name: [u8; NAME_LEN],
    /// The bytes after the name: 64 or 32, zeroized on drop.
    pub(super) secret: Zeroizing<Vec<u8>>,
}

impl TicketKey {
    /// The key in `bytes`, 80 or 48 of them (checked by the caller).
    fn from_key_bytes(bytes: &[u8]) -> TicketKey {
        let mut name = [0u8; NAME_LEN];
        name.copy_from_slice(&bytes[..NAME_LEN]);
        TicketKey {
            name,
            secret: Zeroizing::new(bytes[NAME_LEN..].to_vec()),
        }
    }

    /// The same key again (`Clone` is left out so that copies are made
    /// only on purpose).
    pub(super) fn duplicate(&self) -> TicketKey {
        TicketKey {
            name: self.name,
            secret: self.secret.clone(),
        }
    }
}

/// The keys in a key file's bytes, the sealing one first: nginx's single
/// key when there are exactly 80 or 48 bytes, HAProxy's lines otherwise.
pub(super) fn parse(bytes: &[u8], input: &str) -> Result<Vec<TicketKey>, Error> {
    if bytes.len() == LONG_KEY_LEN || bytes.len() == SHORT_KEY_LEN {
        return Ok(vec![TicketKey::from_key_bytes(bytes)]);
    }
    if bytes.is_empty() || !is_text(bytes) {
        let found = if bytes.is_empty() {
            "nothing".to_owned()
        } else {
            format!("{} bytes that are not text", bytes.len())
        };
        return Err(invalid_key(
            input,
            format!(
                "expected {LONG_KEY_LEN} or {SHORT_KEY_LEN} raw bytes (nginx's \
                 ssl_session_ticket_key format, such as `openssl rand {LONG_KEY_LEN}` \
                 writes) or base64 keys one a line (HAProxy's tls-ticket-keys format), \
                 found {found}"
            ),
        ));
    }
    parse_lines(bytes, input)
}

/// The keys in a key file, the sealing one first.
pub(super) fn read(path: &Path) -> Result<Vec<TicketKey>, Error> {
    let read_error = |source| Error::ReadFile {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    // Only a hint (a pipe has none, a file may grow while read).
    let size_hint = file.metadata().map(|m| m.len()).unwrap_or(0);
    match read_zeroized(file, size_hint).map_err(read_error)? {
        Some(bytes) => parse(&bytes, &path.display().to_string()),
        None => Err(invalid_key(
            &path.display().to_string(),
            format!(
                "found more than {MAX_FILE_LEN} bytes: a key file holds one raw key or \
                 base64 keys one a line, of which the last {HAPROXY_KEYS} are used \
                 (drop older lines, as with `tail -n {HAPROXY_KEYS}`)"
            ),
        )),
    }
}

/// Everything `reader` holds, or `None` past [`MAX_FILE_LEN`] bytes.
/// Grown by hand, each larger buffer zeroized like the last, because a
/// `Vec` that grows itself leaves its old allocation unwiped.
fn read_zeroized(mut reader: impl Read, size_hint: u64) -> io::Result<Option<Zeroizing<Vec<u8>>>> {
    // One byte more than the hint, so that the end is seen without growing.
    let first = usize::try_from(size_hint)
        .unwrap_or(MAX_FILE_LEN)
        .clamp(LONG_KEY_LEN, MAX_FILE_LEN)
        + 1;
    let mut buffer = Zeroizing::new(vec![0u8; first]);
    let mut filled = 0;
    loop {
        if filled == buffer.len() {
            if buffer.len() > MAX_FILE_LEN {
                return Ok(None);
            }
            let mut larger = Zeroizing::new(vec![0u8; (buffer.len() * 2).min(MAX_FILE_LEN + 1)]);
            larger[..filled].copy_from_slice(&buffer[..filled]);
            buffer = larger;
        }
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    // Shortening keeps the allocation: its tail is zeroized on drop too.
    buffer.truncate(filled);
    Ok(Some(buffer))
}

/// Printable ASCII and line ends: what a file of base64 lines is made of
/// (a line of another text is then named as not base64), where random
/// bytes almost never are.
fn is_text(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .all(|&b| matches!(b, b' '..=b'~' | b'\t' | b'\r' | b'\n'))
}

/// HAProxy's `tls-ticket-keys` file: a key a line in padded standard
/// base64 (an optional `\r` before the `\n`), all 80 or all 48 bytes, at
/// least three; the last three are used, and the second-to-last seals.
/// Returned as the sealing key, then the other two in the file's order.
fn parse_lines(text: &[u8], input: &str) -> Result<Vec<TicketKey>, Error> {
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    let mut kept: Vec<TicketKey> = Vec::with_capacity(HAPROXY_KEYS + 1);
    let mut size = None;
    let mut count = 0;
    for (index, line) in text.split(|&b| b == b'\n').enumerate() {
        let number = index + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let bytes =
            decode_line(line).map_err(|why| invalid_key(input, format!("line {number} {why}")))?;
        match size {
            None => size = Some(bytes.len()),
            Some(first) if first != bytes.len() => {
                return Err(invalid_key(
                    input,
                    format!(
                        "line {number} holds a {}-byte key after {first}-byte ones: the keys \
                         of one file are all {LONG_KEY_LEN} or all {SHORT_KEY_LEN} bytes",
                        bytes.len()
                    ),
                ))
            }
            Some(_) => {}
        }
        // Lines before the last three are checked, as HAProxy does, but unused.
        kept.push(TicketKey::from_key_bytes(&bytes));
        if kept.len() > HAPROXY_KEYS {
            kept.remove(0);
        }
        count += 1;
    }
    if count < HAPROXY_KEYS {
        return Err(invalid_key(
            input,
            format!(
                "found {count} base64 {}, expected at least {HAPROXY_KEYS}: HAProxy's \
                 tls-ticket-keys format uses the last {HAPROXY_KEYS} lines, and the \
                 second-to-last seals",
                if count == 1 { "key" } else { "keys" }
            ),
        ));
    }
    // [previous, sealing, next] → [sealing, previous, next].
    kept.swap(0, 1);
    Ok(kept)
}

/// One line's key, or why it is none (after "line N").
fn decode_line(line: &[u8]) -> Result<Zeroizing<Vec<u8>>, String> {
    if line.is_empty() {
        return Err("is empty".into());
    }
    let not_base64 = || {
        format!(
            "is not base64 (one padded key a line, such as `openssl rand {LONG_KEY_LEN} | \
             openssl base64 -A` writes)"
        )
    };
    // Padding is required, as HAProxy's decoder requires it.
    if !line.len().is_multiple_of(4) {
        return Err(not_base64());
    }
    let padding = line
        .iter()
        .rev()
        .take(2)
        .take_while(|&&c| c == b'=')
        .count();
    let text = &line[..line.len() - padding];
    let mut bytes = Zeroizing::new(vec![0u8; text.len() * 3 / 4]);
    if !decode_base64(text, &mut bytes) {
        return Err(not_base64());
    }
    if bytes.len() != LONG_KEY_LEN && bytes.len() != SHORT_KEY_LEN {
        return Err(format!(
            "holds {} bytes, expected {LONG_KEY_LEN} or {SHORT_KEY_LEN}",
            bytes.len()
        ));
    }
    Ok(bytes)
}

/// Decodes unpadded standard base64 (`text.len() % 4` is not 1) into `out`
/// (`text.len() * 3 / 4` bytes); false when a character is not base64.
/// Branch-free on the characters, like the constant-time decoders, and
/// with no buffer of its own: every decoded byte is written to `out`.
fn decode_base64(text: &[u8], out: &mut [u8]) -> bool {
    let mut invalid = 0i32;
    for (chars, bytes) in text.chunks(4).zip(out.chunks_mut(3)) {
        let mut group = 0u32;
        for (i, &c) in chars.iter().enumerate() {
            let value = sextet(c);
            invalid |= value;
            group |= ((value & 0x3f) as u32) << (18 - 6 * i);
        }
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = (group >> (16 - 8 * i)) as u8;
        }
    }
    invalid >= 0
}

/// The value of a base64 character (standard alphabet), or -1.
fn sextet(c: u8) -> i32 {
    let c = i32::from(c);
    // All ones when lo <= c <= hi, else zero: both differences are small
    // negatives only inside the range.
    let within = |lo: u8, hi: u8| ((i32::from(lo) - 1 - c) & (c - i32::from(hi) - 1)) >> 8;
    -1 + (within(b'A', b'Z') & (c - i32::from(b'A') + 1))
        + (within(b'a', b'z') & (c - i32::from(b'a') + 27))
        + (within(b'0', b'9') & (c - i32::from(b'0') + 53))
        + (within(b'+', b'+') & 63)
        + (within(b'/', b'/') & 64)
}

fn invalid_key(input: &str, source: impl Into<InvalidInput>) -> Error {
    Error::InvalidSessionTicketKey {
        input: input.to_owned(),
        source: source.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64ct::{Base64, Encoding};

    /// A key of `len` bytes named `[name; 16]`, its secret from `fill`.
    fn key(name: u8, fill: u8, len: usize) -> Vec<u8> {
        let mut bytes = vec![fill; len];
        bytes[..NAME_LEN].fill(name);
        bytes
    }

    fn lines(keys: &[Vec<u8>], end: &str) -> Vec<u8> {
        keys.iter()
            .map(|k| format!("{}{end}", Base64::encode_string(k)))
            .collect::<String>()
            .into_bytes()
    }

    fn names(keys: &[TicketKey]) -> Vec<u8> {
        keys.iter().map(|k| k.name[0]).collect()
    }

    fn reason(result: Result<Vec<TicketKey>, Error>) -> String {
        match result {
            Ok(_) => panic!("parsed"),
            Err(err) => crate::error::causes(&err),
        }
    }

    #[test]
    fn the_decoder_agrees_with_base64ct() {
        let mut seed = 0x2545_f491_u32;
        for len in 0..=100usize {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    seed as u8
                })
                .collect();
            let encoded = Base64::encode_string(&data);
            let text = encoded.trim_end_matches('=').as_bytes();
            let mut out = vec![0u8; text.len() * 3 / 4];
            assert!(decode_base64(text, &mut out), "{len}");
            assert_eq!(out, data, "{len}");
        }
        // Every byte value in every position of a group.
        let mut valid_count = 0;
        for c in 0..=255u8 {
            for at in 0..4 {
                let mut text = *b"AAAA";
                text[at] = c;
                let mut expected = [0u8; 3];
                let valid = base64ct::Base64Unpadded::decode(text, &mut expected).is_ok();
                let mut out = [0u8; 3];
                assert_eq!(decode_base64(&text, &mut out), valid, "{c:#x} at {at}");
                if valid {
                    assert_eq!(out, expected, "{c:#x} at {at}");
                    valid_count += 1;
                }
            }
        }
        assert_eq!(valid_count, 64 * 4);
    }

    #[test]
    fn nginx_raw_keys_by_length() {
        for len in [80, 48] {
            let keys = parse(&key(1, 2, len), "input").unwrap();
            assert_eq!(names(&keys), [1]);
            assert_eq!(*keys[0].secret, vec![2; len - 16]);
        }
        // Not text, not 80 or 48: the raw format's length is what is wrong.
        for len in [1, 16, 47, 49, 79, 81, 4096] {
            let text = reason(parse(&vec![1; len], "input"));
            assert!(
                text.starts_with(
                    "invalid session ticket key in input: expected 80 or 48 raw bytes"
                ),
                "{text}"
            );
            assert!(
                text.ends_with(&format!("found {len} bytes that are not text")),
                "{text}"
            );
        }
        assert!(reason(parse(b"", "input")).ends_with("found nothing"));
    }

    #[test]
    fn haproxy_lines_the_second_to_last_seals() {
        for len in [80, 48] {
            let file: Vec<Vec<u8>> = (1..=3).map(|n| key(n, n + 10, len)).collect();
            for end in ["\n", "\r\n"] {
                let keys = parse(&lines(&file, end), "input").unwrap();
                assert_eq!(names(&keys), [2, 1, 3], "{len} {end:?}");
                assert_eq!(*keys[0].secret, vec![12; len - 16]);
                // No newline after the last line.
                let mut text = lines(&file, end);
                text.truncate(text.len() - end.len());
                assert_eq!(names(&parse(&text, "input").unwrap()), [2, 1, 3]);
            }
            // Appending a key rotates: only the last three count.
            let file: Vec<Vec<u8>> = (1..=7).map(|n| key(n, n, len)).collect();
            assert_eq!(
                names(&parse(&lines(&file, "\n"), "input").unwrap()),
                [6, 5, 7]
            );
        }
    }

    #[test]
    fn haproxy_errors_name_the_line_and_never_the_key() {
        let good = Base64::encode_string(&key(0xab, 0xcd, 80));
        let short = Base64::encode_string(&key(0xab, 0xcd, 48));
        let cases: Vec<(String, &str)> = vec![
            (format!("{good}\n\n{good}\n"), "line 2 is empty"),
            (format!("{good}\n{good}\n{good}\n\n"), "line 4 is empty"),
            (
                format!("{good}\n{}\n{good}\n", &good[1..]),
                "line 2 is not base64",
            ),
            (format!("{good}\n{good} \n{good}\n"), "line 2 is not base64"),
            (
                format!("{good}\n{good}\n-{}\n", &good[1..]),
                "line 3 is not base64",
            ),
            // Padding is required.
            (
                format!("{}\n", good.trim_end_matches('=')),
                "line 1 is not base64",
            ),
            // `openssl rand -base64 80` wraps its line: 48 bytes, then 32.
            (
                format!("{}\n{}\n", &good[..64], &good[64..]),
                "line 2 holds 32 bytes, expected 80 or 48",
            ),
            (
                format!("{good}\n{good}\n{short}\n"),
                "line 3 holds a 48-byte key after 80-byte ones",
            ),
            (
                format!("{short}\n{good}\n"),
                "line 2 holds a 80-byte key after 48-byte ones",
            ),
            (
                format!("{good}\n{good}\n"),
                "found 2 base64 keys, expected at least 3",
            ),
            (
                format!("{short}\n"),
                "found 1 base64 key, expected at least 3",
            ),
            ("\n".to_owned(), "line 1 is empty"),
            ("# ticket keys\n".to_owned(), "line 1 is not base64"),
        ];
        for (text, expected) in cases {
            let text = reason(parse(text.as_bytes(), "tickets.keys"));
            assert!(
                text.starts_with(&format!(
                    "invalid session ticket key in tickets.keys: {expected}"
                )),
                "{text}"
            );
            // Neither the key's bytes nor its base64 (any 4 characters of it).
            assert!(
                !text.contains("ab") && !text.contains("cd") && !text.contains("171"),
                "{text}"
            );
            for window in good.as_bytes().windows(4) {
                assert!(
                    !text.contains(std::str::from_utf8(window).unwrap()),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn files_are_read_whole_into_one_zeroized_buffer() {
        // A reader whose size is unknown (a pipe) or grows while read.
        let text = lines(&(1..=9).map(|n| key(n, n, 80)).collect::<Vec<_>>(), "\n");
        for hint in [0, 10, text.len() as u64, 1 << 30] {
            let read = read_zeroized(&text[..], hint).unwrap().unwrap();
            assert_eq!(*read, text, "hint {hint}");
        }
        // Past the limit: refused, without reading on.
        let huge = io::repeat(b'A').take(MAX_FILE_LEN as u64 + 2);
        assert!(read_zeroized(huge, 0).unwrap().is_none());
        let exact = io::repeat(b'A').take(MAX_FILE_LEN as u64);
        assert_eq!(
            read_zeroized(exact, 0).unwrap().unwrap().len(),
            MAX_FILE_LEN
        );
    }
}
