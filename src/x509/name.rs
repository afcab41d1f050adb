//! Distinguished names (X.501 `Name`): checked, their attributes of Qt's
//! `SubjectInfo` kinds, and their text in one line, as x509-parser (which
//! this crate read names with before) and so the crate's users print them:
//! `CN=example.com, O=Example`, attributes of one RDN joined by ` + `.

use der::asn1::ObjectIdentifier;
use der::{Reader, SliceReader};

use super::asn1::{self, SEQUENCE, SET};
use super::certificate::SubjectInfo;

/// A distinguished name: its attributes of the kinds Qt names, in order,
/// and its text.
pub(crate) struct Name {
    attributes: Vec<(SubjectInfo, String)>,
    pub(crate) text: String,
}

/// What the text says when a value that should be a string is not UTF-8.
const INVALID: &str = "<X509Error: Invalid X.509 name>";

impl Name {
    pub(crate) const EMPTY: Name = Name {
        attributes: Vec::new(),
        text: String::new(),
    };

    /// The next `Name`, checked: `SEQUENCE OF SET OF SEQUENCE { OID, ANY }`,
    /// no RDN empty. Returns its whole TLV.
    pub(crate) fn check<'a>(r: &mut SliceReader<'a>) -> asn1::Result<&'a [u8]> {
        let tlv = asn1::expect_tlv(r, SEQUENCE)?;
        attributes(tlv, |_, _, _| ())?;
        Ok(tlv)
    }

    /// The name in `tlv`, as [`check`](Self::check) returned it.
    pub(crate) fn read(tlv: &[u8]) -> Name {
        let mut attributes = Vec::new();
        let mut rdns: Vec<Vec<String>> = Vec::new();
        let mut valid = true;
        let read = self::attributes(tlv, |first_of_rdn, oid, (tag, value)| {
            if first_of_rdn {
                rdns.push(Vec::new());
            }
            match text(tag, value) {
                Some(value) => {
                    if let Some(rdn) = rdns.last_mut() {
                        rdn.push(format!("{}={value}", short_name(oid)));
                    }
                }
                None => valid = false,
            }
            let info = ObjectIdentifier::from_bytes(oid)
                .ok()
                .and_then(SubjectInfo::of);
            if let (Some(info), Some(value)) = (info, attribute_string(tag, value)) {
                attributes.push((info, value));
            }
        });
        let text = if read.is_ok() && valid {
            let rdns: Vec<String> = rdns.iter().map(|rdn| rdn.join(" + ")).collect();
            rdns.join(", ")
        } else {
            INVALID.to_owned()
        };
        Name { attributes, text }
    }

    pub(crate) fn values(&self, info: SubjectInfo) -> Vec<String> {
        self.attributes
            .iter()
            .filter(|(i, _)| *i == info)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The first CN, else O, else OU; else the whole text (Qt's choice).
    pub(crate) fn display_name(&self) -> String {
        [
            SubjectInfo::CommonName,
            SubjectInfo::Organization,
            SubjectInfo::OrganizationalUnitName,
        ]
        .into_iter()
        .find_map(|info| self.values(info).into_iter().next())
        .unwrap_or_else(|| self.text.clone())
    }
}

/// Calls `each(first of its RDN, type OID contents, (value tag, value
/// contents))` for every attribute of the `Name` TLV, in order.
fn attributes<'a>(
    tlv: &'a [u8],
    mut each: impl FnMut(bool, &'a [u8], (u8, &'a [u8])),
) -> asn1::Result<()> {
    asn1::nested(tlv, |r| {
        asn1::sequence(r, |rdns| {
            while !rdns.is_finished() {
                let set = asn1::expect(rdns, SET)?;
                asn1::nested(set, |set| {
                    let mut first = true;
                    // SET SIZE (1..MAX): an empty RDN is malformed.
                    loop {
                        asn1::sequence(set, |atv| {
                            let oid = asn1::expect(atv, asn1::OID)?;
                            ObjectIdentifier::from_bytes(oid)
                                .map_err(|_| der::Error::from(der::ErrorKind::OidMalformed))?;
                            each(first, oid, asn1::any(atv)?);
                            Ok(())
                        })?;
                        first = false;
                        if set.is_finished() {
                            return Ok(());
                        }
                    }
                })?;
            }
            Ok(())
        })
    })
}

/// A value as the one-line text shows it: the string types as UTF-8
/// (`None`, spoiling the whole text, when they are not), a BMPString from
/// UTF-16, anything else as upper-case hex of its contents.
fn text(tag: u8, value: &[u8]) -> Option<String> {
    match tag {
        // Numeric, Visible, Printable, General, ObjectDescriptor, Graphic,
        // T61, Videotex, UTF8 and IA5 strings.
        0x12 | 0x1a | 0x13 | 0x1b | 0x07 | 0x19 | 0x14 | 0x15 | 0x0c | 0x16 => {
            String::from_utf8(value.to_vec()).ok()
        }
        0x1e => utf16(value),
        _ => Some(value.iter().map(|b| format!("{b:02X}")).collect()),
    }
}

/// A value of Qt's `SubjectInfo` kinds: the string types X.509 names use,
/// T.61 read as the Latin-1 it carries in practice.
fn attribute_string(tag: u8, value: &[u8]) -> Option<String> {
    match tag {
        // UTF8, Printable, IA5, Numeric and Visible strings.
        0x0c | 0x13 | 0x16 | 0x12 | 0x1a => String::from_utf8(value.to_vec()).ok(),
        // TeletexString.
        0x14 => Some(value.iter().map(|&b| char::from(b)).collect()),
        0x1e => utf16(value),
        // UniversalString: UTF-32.
        0x1c => value
            .chunks_exact(4)
            .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
        _ => None,
    }
}

/// A BMPString's UTF-16 (big-endian) as text.
fn utf16(value: &[u8]) -> Option<String> {
    if !value.len().is_multiple_of(2) {
        return None;
    }
    let units: Vec<u16> = value
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16(&units).ok()
}

/// The short names of attribute types, as x509-parser printed them: its
/// abbreviations, then the short names of its OID registry's attribute
/// types (X.520, PKCS#9, LDAP, Microsoft's EV jurisdiction).
const SHORT_NAMES: [(&str, &str); 40] = [
    ("2.5.4.3", "CN"),
    ("2.5.4.6", "C"),
    ("2.5.4.7", "L"),
    ("2.5.4.8", "ST"),
    ("2.5.4.10", "O"),
    ("2.5.4.11", "OU"),
    ("0.9.2342.19200300.100.1.25", "DC"),
    ("1.2.840.113549.1.9.1", "Email"),
    ("2.5.4.0", "objectClass"),
    ("2.5.4.1", "aliasedEntryName"),
    ("2.5.4.2", "knowledgeInformation"),
    ("2.5.4.4", "surname"),
    ("2.5.4.5", "serialNumber"),
    ("2.5.4.9", "streetAddress"),
    ("2.5.4.12", "title"),
    ("2.5.4.13", "description"),
    ("2.5.4.14", "searchGuide"),
    ("2.5.4.15", "businessCategory"),
    ("2.5.4.16", "postalAddress"),
    ("2.5.4.17", "postalCode"),
    ("2.5.4.41", "name"),
    ("2.5.4.42", "givenName"),
    ("2.5.4.43", "initials"),
    ("2.5.4.44", "generationQualifier"),
    ("2.5.4.45", "uniqueIdentifier"),
    ("2.5.4.46", "dnQualifier"),
    ("0.9.2342.19200300.100.1.1", "uid"),
    ("1.3.6.1.4.1.311.60.2.1.1", "msJurisdictionLocality"),
    ("1.3.6.1.4.1.311.60.2.1.2", "msJurisdictionStateOrProvince"),
    ("1.3.6.1.4.1.311.60.2.1.3", "msJurisdictionCountry"),
    ("1.2.840.113549.1.9.2", "unstructuredName"),
    ("1.2.840.113549.1.9.3", "contentType"),
    ("1.2.840.113549.1.9.4", "id-messageDigest"),
    ("1.2.840.113549.1.9.5", "signing-time"),
    ("1.2.840.113549.1.9.7", "challengePassword"),
    ("1.2.840.113549.1.9.14", "extensionRequest"),
    ("1.2.840.113549.1.9.15", "smimeCapabilities"),
    ("1.2.840.113549.1.9.20", "friendlyName"),
    ("2.5.4", "x509"),
    ("2.5", "x500"),
];

/// An attribute type's short name; `OID(1.2.3)` for one not known.
fn short_name(oid: &[u8]) -> String {
    // Checked by `attributes` before it is called.
    let dotted =
        ObjectIdentifier::from_bytes(oid).map_or_else(|_| "?".to_owned(), |o| o.to_string());
    SHORT_NAMES
        .iter()
        .find(|(known, _)| *known == dotted)
        .map_or_else(|| format!("OID({dotted})"), |(_, name)| (*name).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Name of RDNs of (OID, value TLV) attributes.
    fn name(rdns: &[&[(&str, &[u8])]]) -> Vec<u8> {
        fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
            let mut der = vec![tag];
            if contents.len() < 0x80 {
                der.push(contents.len() as u8);
            } else {
                der.extend([0x81, contents.len() as u8]);
            }
            der.extend_from_slice(contents);
            der
        }
        let mut sets = Vec::new();
        for rdn in rdns {
            let mut atvs = Vec::new();
            for (oid, value) in *rdn {
                let oid = ObjectIdentifier::new(oid).unwrap();
                let atv = [tlv(0x06, oid.as_bytes()), value.to_vec()].concat();
                atvs.extend(tlv(0x30, &atv));
            }
            sets.extend(tlv(0x31, &atvs));
        }
        tlv(0x30, &sets)
    }

    fn read(der: &[u8]) -> Name {
        let mut r = SliceReader::new(der).unwrap();
        let tlv = Name::check(&mut r).unwrap();
        assert_eq!(tlv, der);
        Name::read(tlv)
    }

    #[test]
    fn text_as_x509_parser_printed_it() {
        let der = name(&[
            &[("2.5.4.3", b"\x0c\x02a,")],
            &[("2.5.4.11", b"\x13\x01A"), ("2.5.4.5", b"\x13\x017")],
            &[("1.2.840.113549.1.9.1", b"\x16\x03x@y")],
            &[("2.5.4.42", b"\x1e\x04\x00h\x00i")],
            &[("1.2.3.4", b"\x04\x02\xab\x01")],
        ]);
        let name = read(&der);
        assert_eq!(
            name.text,
            "CN=a,, OU=A + serialNumber=7, Email=x@y, givenName=hi, OID(1.2.3.4)=AB01"
        );
        assert_eq!(name.values(SubjectInfo::CommonName), ["a,"]);
        assert_eq!(name.values(SubjectInfo::SerialNumber), ["7"]);
        assert_eq!(name.values(SubjectInfo::EmailAddress), ["x@y"]);
        assert_eq!(name.display_name(), "a,");
    }

    #[test]
    fn values_in_the_string_types_names_use() {
        // T.61 as Latin-1, UniversalString as UTF-32; both spoil no value.
        let der = name(&[
            &[("2.5.4.10", b"\x14\x02D\xe9")],
            &[("2.5.4.11", b"\x1c\x08\x00\x00\x00O\x00\x00\x00U")],
        ]);
        let name = read(&der);
        assert_eq!(name.values(SubjectInfo::Organization), ["D\u{e9}"]);
        assert_eq!(name.values(SubjectInfo::OrganizationalUnitName), ["OU"]);
        // T.61 that is not UTF-8 spoils the text, as it did.
        assert_eq!(name.text, INVALID);
        assert_eq!(name.display_name(), "D\u{e9}");
    }

    #[test]
    fn malformed_names_are_refused() {
        for bad in [
            vec![0x30, 0x02, 0x31, 0x00],             // an empty RDN
            vec![0x30, 0x02, 0x30, 0x00],             // an RDN that is no SET
            vec![0x31, 0x00],                         // no SEQUENCE
            vec![0x30, 0x04, 0x31, 0x02, 0x30, 0x00], // an attribute without OID
        ] {
            let mut r = SliceReader::new(&bad).unwrap();
            assert!(Name::check(&mut r).is_err(), "{bad:02x?}");
        }
        // No RDN at all is a name (an empty one).
        let empty = read(&[0x30, 0x00]);
        assert_eq!(empty.text, "");
    }
}
