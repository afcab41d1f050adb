//! Every enum a settings file or a command line names prints a name that
//! parses back to it (API.md: `Display` + `FromStr` round-trip), and a
//! name it does not know is a typed error saying what is expected.

use std::fmt::Display;
use std::str::FromStr;

use sslconf::{
    Error, MozillaProfile, PeerVerifyMode, RevocationDepth, SslConfiguration, SslOption,
    SslProtocol,
};

fn round_trips<T>(values: &[T])
where
    T: Display + FromStr<Err = Error> + PartialEq + std::fmt::Debug,
{
    assert!(!values.is_empty());
    for value in values {
        let name = value.to_string();
        assert_eq!(&name.parse::<T>().unwrap(), value, "{name}");
    }
    let err = "no-such-name".parse::<T>().unwrap_err();
    assert!(
        matches!(err, Error::UnknownName { .. } | Error::UnknownCipher { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("no-such-name"), "{err}");
}

#[test]
fn every_named_enum_round_trips_through_its_name() {
    round_trips(&[
        SslProtocol::TlsV1_0,
        SslProtocol::TlsV1_1,
        SslProtocol::TlsV1_2,
        SslProtocol::TlsV1_3,
        SslProtocol::TlsV1_0OrLater,
        SslProtocol::TlsV1_1OrLater,
        SslProtocol::TlsV1_2OrLater,
        SslProtocol::TlsV1_3OrLater,
        SslProtocol::AnyProtocol,
        SslProtocol::SecureProtocols,
    ]);
    round_trips(&[
        PeerVerifyMode::VerifyNone,
        PeerVerifyMode::QueryPeer,
        PeerVerifyMode::VerifyPeer,
        PeerVerifyMode::AutoVerifyPeer,
    ]);
    round_trips(SslOption::ALL);
    round_trips(&[MozillaProfile::Modern, MozillaProfile::Intermediate]);
    round_trips(&[RevocationDepth::Leaf, RevocationDepth::Chain]);
    round_trips(&SslConfiguration::supported_ciphers());
    round_trips(&SslConfiguration::supported_key_exchange_groups());
}

#[cfg(feature = "serde")]
#[test]
fn sides_round_trip_through_their_names() {
    round_trips(&[sslconf::Side::Server, sslconf::Side::Client]);
}
