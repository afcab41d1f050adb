//! The value types in a settings file, by the names their `FromStr` reads
//! and their `Display` (or `name()`) writes: one name table per type, the
//! type's own.

use std::fmt::Display;
use std::str::FromStr;

use serde::de::{self, Deserialize, Deserializer};
use serde::ser::{self, Serialize, Serializer};

use crate::{
    Cipher, KeyExchangeGroup, MozillaProfile, PeerVerifyMode, PublicKeyPin, RevocationDepth,
    SslOption, SslProtocol,
};

/// Reads a string and parses it with `T`'s `FromStr`, whose error (the name
/// and what is expected) becomes the deserializer's.
fn parse<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: Display,
{
    let name = String::deserialize(deserializer)?;
    name.parse().map_err(de::Error::custom)
}

macro_rules! by_name {
    ($type:ty, |$value:ident| $name:expr) => {
        /// Written by the name its `FromStr` reads back (feature `serde`).
        impl Serialize for $type {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let $value = self;
                let name: Result<String, String> = $name;
                match name {
                    Ok(name) => serializer.serialize_str(&name),
                    Err(reason) => Err(ser::Error::custom(reason)),
                }
            }
        }

        /// Read with its `FromStr` (feature `serde`).
        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                parse(deserializer)
            }
        }
    };
}

by_name!(SslProtocol, |protocol| match protocol {
    SslProtocol::UnknownProtocol =>
        Err("UnknownProtocol is a session's state, not a setting".into()),
    // The Qt name, which `from_name` reads.
    other => Ok(format!("{other:?}")),
});
by_name!(Cipher, |cipher| Ok(cipher.name().to_owned()));
by_name!(KeyExchangeGroup, |group| {
    // A code point without a name has no name to read back.
    if KeyExchangeGroup::from_name(group.name()) == Some(*group) {
        Ok(group.name().to_owned())
    } else {
        Err(format!("key exchange group {group} has no name"))
    }
});
by_name!(PeerVerifyMode, |mode| Ok(mode.to_string()));
by_name!(SslOption, |option| Ok(option.to_string()));
by_name!(RevocationDepth, |depth| Ok(depth.to_string()));
// Bare base64; `FromStr` also reads curl's `sha256//` form.
by_name!(PublicKeyPin, |pin| Ok(pin.to_string()));
by_name!(MozillaProfile, |profile| Ok(profile.name().to_owned()));
