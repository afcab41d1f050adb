//! SSL options as a table of Qt's names and whether each is on:
//! `[ssl-options]` / `DisableSessionTickets = true`.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserializer, Serializer};

use crate::SslOption;

pub(super) fn serialize<S: Serializer>(
    options: &[(SslOption, bool)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(options.len()))?;
    for (option, on) in options {
        map.serialize_entry(option, on)?;
    }
    map.end()
}

pub(super) fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<(SslOption, bool)>, D::Error> {
    deserializer.deserialize_map(OptionTable)
}

struct OptionTable;

impl<'de> Visitor<'de> for OptionTable {
    type Value = Vec<(SslOption, bool)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a table of SSL option names, each true or false")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut options: Vec<(SslOption, bool)> = Vec::new();
        while let Some(option) = map.next_key::<SslOption>()? {
            let on = map.next_value::<bool>()?;
            if options.iter().any(|(o, _)| *o == option) {
                return Err(de::Error::custom(format_args!(
                    "ssl option {option} is given twice"
                )));
            }
            options.push((option, on));
        }
        // A set: in one order, Qt's, whatever the table's.
        options.sort_by_key(|(option, _)| SslOption::ALL.iter().position(|o| o == option));
        Ok(options)
    }
}
