//! Reading DER with RustCrypto's `der` crate, for what certificates,
//! revocation lists and private keys share beyond its types: a TLV of any
//! tag (names carry string types `der` has no tag for), an INTEGER's
//! contents as written, a structure read to its end, and the two X.509
//! time types as seconds from the Unix epoch (before 1970 too, which
//! `der`'s `DateTime` cannot hold).

use der::{Decode, ErrorKind, Length, Reader, SliceReader, Tag};

pub(crate) use der::Result;

pub(crate) const INTEGER: u8 = 0x02;
#[cfg(any(feature = "ocsp", feature = "pkcs12"))]
pub(crate) const BIT_STRING: u8 = 0x03;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const OID: u8 = 0x06;
pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const SET: u8 = 0x31;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;

/// The next TLV, whatever its (single-byte) tag: the tag and the contents.
pub(crate) fn any<'a>(r: &mut SliceReader<'a>) -> Result<(u8, &'a [u8])> {
    let tag = r.read_byte()?;
    if tag & 0x1f == 0x1f {
        // High tag numbers appear nowhere in the structures read here.
        return Err(ErrorKind::TagNumberInvalid.into());
    }
    let len = Length::decode(r)?;
    Ok((tag, r.read_slice(len)?))
}

/// The contents of the next TLV, which must have tag `tag`.
pub(crate) fn expect<'a>(r: &mut SliceReader<'a>, tag: u8) -> Result<&'a [u8]> {
    match r.peek_byte() {
        Some(found) if found == tag => any(r).map(|(_, contents)| contents),
        Some(found) => Err(unexpected(tag, found)),
        None => Err(ErrorKind::Incomplete {
            expected_len: r.position().saturating_add(Length::ONE),
            actual_len: r.position(),
        }
        .into()),
    }
}

/// The contents of the next TLV when it has tag `tag`; `None` (nothing
/// read) when another comes, or nothing.
pub(crate) fn optional<'a>(r: &mut SliceReader<'a>, tag: u8) -> Result<Option<&'a [u8]>> {
    if r.peek_byte() == Some(tag) {
        expect(r, tag).map(Some)
    } else {
        Ok(None)
    }
}

/// The whole next TLV (header included), which must have tag `tag`.
pub(crate) fn expect_tlv<'a>(r: &mut SliceReader<'a>, tag: u8) -> Result<&'a [u8]> {
    match r.peek_byte() {
        Some(found) if found != tag => Err(unexpected(tag, found)),
        _ => {
            let tlv = r.tlv_bytes()?;
            Ok(tlv)
        }
    }
}

fn unexpected(expected: u8, actual: u8) -> der::Error {
    match Tag::try_from(actual) {
        Ok(actual) => ErrorKind::TagUnexpected {
            expected: Tag::try_from(expected).ok(),
            actual,
        }
        .into(),
        Err(_) => ErrorKind::TagUnknown { byte: actual }.into(),
    }
}

/// Reads `contents` with `read`, which must read all of it.
pub(crate) fn nested<'a, T>(
    contents: &'a [u8],
    read: impl FnOnce(&mut SliceReader<'a>) -> Result<T>,
) -> Result<T> {
    let mut r = SliceReader::new(contents)?;
    let value = read(&mut r)?;
    r.finish(value)
}

/// The contents of the next SEQUENCE, read with `read` to their end.
pub(crate) fn sequence<'a, T>(
    r: &mut SliceReader<'a>,
    read: impl FnOnce(&mut SliceReader<'a>) -> Result<T>,
) -> Result<T> {
    nested(expect(r, SEQUENCE)?, read)
}

/// Reads the next value of type `T` with `der`'s own decoder.
pub(crate) fn decode<'a, T: Decode<'a>>(r: &mut SliceReader<'a>) -> Result<T> {
    T::decode(r)
}

/// An AlgorithmIdentifier (`SEQUENCE { OID, ANY OPTIONAL }`): its OID's
/// contents and its parameters' TLV, if any.
pub(crate) fn algorithm<'a>(r: &mut SliceReader<'a>) -> Result<(&'a [u8], Option<&'a [u8]>)> {
    sequence(r, |r| {
        let oid = expect(r, OID)?;
        let parameters = if r.is_finished() {
            None
        } else {
            Some(r.tlv_bytes()?)
        };
        Ok((oid, parameters))
    })
}

/// A small non-negative INTEGER (a version), read as DER writes it.
pub(crate) fn small_integer(contents: &[u8]) -> Result<u8> {
    match contents {
        [n] if *n < 0x80 => Ok(*n),
        _ => Err(Tag::Integer.value_error()),
    }
}

/// A UTCTime or GeneralizedTime (`Time`) as seconds from the Unix epoch:
/// RFC 5280's forms (`YYMMDDHHMMSSZ`, `YYYYMMDDHHMMSSZ`) and those older
/// tools wrote (UTCTime without seconds, either with an offset from UTC,
/// GeneralizedTime with a fraction of a second, which is dropped).
pub(crate) fn time(r: &mut SliceReader<'_>) -> Result<i64> {
    let (tag, text) = any(r)?;
    let (year, rest) = match tag {
        // RFC 5280 4.1.2.5.1: YY of 50 or more is 19YY, else 20YY.
        UTC_TIME => {
            let yy = number(text.get(..2))?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, &text[2..])
        }
        GENERALIZED_TIME => (number(text.get(..4))?, &text[4..]),
        other => return Err(unexpected(UTC_TIME, other)),
    };
    let invalid = || der::Error::from(ErrorKind::DateTime);
    let field = |at: usize| number(rest.get(at..at + 2));
    let (month, day, hour, minute) = (field(0)?, field(2)?, field(4)?, field(6)?);
    let mut rest = rest.get(8..).ok_or_else(invalid)?;
    let mut second = 0;
    if rest.first().is_some_and(u8::is_ascii_digit) {
        second = number(rest.get(..2))?;
        rest = &rest[2..];
    } else if tag == GENERALIZED_TIME {
        return Err(invalid());
    }
    if tag == GENERALIZED_TIME && rest.first() == Some(&b'.') {
        let digits = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return Err(invalid());
        }
        rest = &rest[1 + digits..];
    }
    let offset = match rest {
        b"Z" => 0,
        [sign @ (b'+' | b'-'), hh0, hh1, mm0, mm1] => {
            let (hh, mm) = (number(Some(&[*hh0, *hh1]))?, number(Some(&[*mm0, *mm1]))?);
            if hh > 23 || mm > 59 {
                return Err(invalid());
            }
            let minutes = hh * 60 + mm;
            if *sign == b'+' {
                minutes * 60
            } else {
                -minutes * 60
            }
        }
        _ => return Err(invalid()),
    };
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(invalid());
    }
    let days = days_from_civil(year, month, day);
    Ok(days * 86_400 + hour * 3_600 + minute * 60 + second - offset)
}

/// ASCII digits as a number; an error for anything else, or nothing.
fn number(digits: Option<&[u8]>) -> Result<i64> {
    match digits {
        Some(digits) if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) => {
            Ok(digits.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
        }
        _ => Err(ErrorKind::DateTime.into()),
    }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar
/// (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Seconds from the Unix epoch as a `SystemTime`; the epoch itself when
/// the platform's `SystemTime` cannot hold them (before 1601 on Windows).
pub(crate) fn system_time(secs: i64) -> std::time::SystemTime {
    use std::time::{Duration, SystemTime};
    let offset = Duration::from_secs(secs.unsigned_abs());
    let time = if secs >= 0 {
        SystemTime::UNIX_EPOCH.checked_add(offset)
    } else {
        SystemTime::UNIX_EPOCH.checked_sub(offset)
    };
    time.unwrap_or(SystemTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_time(tag: u8, text: &str) -> Result<i64> {
        let mut der = vec![tag, text.len() as u8];
        der.extend_from_slice(text.as_bytes());
        nested(&der, time)
    }

    #[test]
    fn times_read_as_x509_writes_them() {
        assert_eq!(read_time(UTC_TIME, "700101000000Z"), Ok(0));
        assert_eq!(read_time(UTC_TIME, "491231235959Z"), Ok(2_524_607_999));
        assert_eq!(read_time(UTC_TIME, "500101000000Z"), Ok(-631_152_000));
        assert_eq!(
            read_time(GENERALIZED_TIME, "20500101000000Z"),
            Ok(2_524_608_000)
        );
        assert_eq!(read_time(GENERALIZED_TIME, "19691231235959Z"), Ok(-1));
        assert_eq!(
            read_time(GENERALIZED_TIME, "20000229120000.5Z"),
            Ok(951_825_600)
        );
        // What older tools wrote: no seconds, an offset from UTC.
        assert_eq!(read_time(UTC_TIME, "7001010100Z"), Ok(3_600));
        assert_eq!(read_time(UTC_TIME, "700101010000+0100"), Ok(0));
        for bad in [
            "",
            "70010100000Z",
            "700101000000",
            "701301000000Z",
            "700230000000Z",
            "700101240000Z",
            "7001010000006Z",
            "700101000000+01",
            "7001010000x0Z",
        ] {
            assert!(read_time(UTC_TIME, bad).is_err(), "{bad:?}");
        }
        assert!(read_time(GENERALIZED_TIME, "202001010000Z").is_err());
        assert!(read_time(GENERALIZED_TIME, "20200101000000.Z").is_err());
        assert!(read_time(OCTET_STRING, "700101000000Z").is_err());
    }

    #[test]
    fn days_from_civil_agrees_with_the_calendar() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(1600, 3, 1), -135_080);
    }

    #[test]
    fn any_reads_tags_der_does_not_know() {
        // A UniversalString (28) holding "a".
        let der = [0x1c, 0x04, 0, 0, 0, b'a'];
        assert_eq!(nested(&der, any), Ok((0x1c, &der[2..])));
        assert!(nested(&[0x1f, 0x20, 0x00], any).is_err());
        assert!(nested(&[0x04, 0x02, 0x00], any).is_err());
        let mut r = SliceReader::new(&[0x05, 0x00]).unwrap();
        assert_eq!(optional(&mut r, OCTET_STRING), Ok(None));
        assert!(expect(&mut r, OCTET_STRING).is_err());
    }
}
