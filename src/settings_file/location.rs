//! Where in a settings file a field is: field paths, and TOML byte spans
//! turned into lines and columns.

use std::fmt;

use toml::de::{DeArray, DeTable, DeValue};

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Part {
    /// A table's key.
    Key(String),
    /// An array's element.
    Index(usize),
}

/// A field path: `local-identity.key-file`, `ciphers[2]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct FieldPath(pub(super) Vec<Part>);

impl FieldPath {
    pub(super) fn key(key: &str) -> Self {
        Self(vec![Part::Key(key.to_owned())])
    }

    pub(super) fn index(mut self, index: usize) -> Self {
        self.0.push(Part::Index(index));
        self
    }

    pub(super) fn then(mut self, key: &str) -> Self {
        self.0.push(Part::Key(key.to_owned()));
        self
    }

    /// `self`, then `rest`: `server` then `local-identity.key-file`.
    pub(super) fn join(mut self, rest: FieldPath) -> Self {
        self.0.extend(rest.0);
        self
    }

    /// Whether `path` is this field or inside it.
    pub(super) fn covers(&self, path: &FieldPath) -> bool {
        path.0.starts_with(&self.0)
    }

    /// The path serde_path_to_error tracked while deserializing.
    pub(super) fn from_serde(path: &serde_path_to_error::Path) -> Self {
        use serde_path_to_error::Segment;
        Self(
            path.iter()
                .filter_map(|segment| match segment {
                    Segment::Seq { index } => Some(Part::Index(*index)),
                    Segment::Map { key } => Some(Part::Key(key.clone())),
                    Segment::Enum { variant } => Some(Part::Key(variant.clone())),
                    _ => None,
                })
                .collect(),
        )
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (at, part) in self.0.iter().enumerate() {
            match part {
                Part::Key(key) if at == 0 => f.write_str(key)?,
                Part::Key(key) => write!(f, ".{key}")?,
                Part::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// The 1-based line and column (in characters) of a byte offset.
pub(super) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    // A span never splits a character; be safe if one did.
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The byte offset where the value at `path` starts in a TOML document; for
/// a path that goes past what the document has, where its deepest existing
/// part does.
pub(super) fn offset_of(text: &str, path: &FieldPath) -> Option<usize> {
    let root = DeTable::parse(text).ok()?;
    let mut span = root.span();
    let mut table = Some(root.get_ref());
    let mut array: Option<&DeArray<'_>> = None;
    for part in &path.0 {
        let found = match (part, table, array) {
            (Part::Key(key), Some(t), _) => t
                .iter()
                .find(|(k, _)| k.get_ref().as_ref() == key.as_str())
                .map(|(_, v)| v),
            (Part::Index(index), _, Some(items)) => items.get(*index),
            _ => None,
        };
        let Some(value) = found else { break };
        span = value.span();
        (table, array) = match value.get_ref() {
            DeValue::Table(t) => (Some(t), None),
            DeValue::Array(a) => (None, Some(a)),
            _ => (None, None),
        };
    }
    Some(span.start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_characters() {
        let text = "a = 1\nb = \"é\"\nc = 2";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, text.find('b').unwrap()), (2, 1));
        assert_eq!(line_column(text, text.find('c').unwrap() + 4), (3, 5));
        let after_e = text.find('é').unwrap() + 'é'.len_utf8();
        assert_eq!(line_column(text, after_e), (2, 7));
    }

    #[test]
    fn paths_find_their_values() {
        let text = "x = 1\n[[ids]]\nkey = \"a\"\n[[ids]]\nkey = \"b\"\nlist = [1, 2]\n";
        let path = FieldPath::key("ids").index(1).then("key");
        assert_eq!(path.to_string(), "ids[1].key");
        let at = offset_of(text, &path).unwrap();
        assert_eq!(line_column(text, at), (5, 7));
        let list = FieldPath::key("ids").index(1).then("list").index(1);
        assert_eq!(line_column(text, offset_of(text, &list).unwrap()), (6, 12));
        assert!(FieldPath::key("ids").covers(&path));
        assert!(path.covers(&path));
        assert!(!path.covers(&FieldPath::key("ids")));
        let joined = FieldPath::key("server").join(path.clone());
        assert_eq!(joined.to_string(), "server.ids[1].key");
        // A missing part: where the deepest existing one is.
        let missing = FieldPath::key("ids").index(0).then("cert");
        assert_eq!(line_column(text, offset_of(text, &missing).unwrap()).0, 2);
    }
}
