//! The report of a reload, and the file watcher that reloads (feature
//! `watch`).

use std::fmt;
use std::path::PathBuf;

/// What a [`reload`](crate::SslConfiguration::reload) did: the files whose
/// certificates or keys changed, now being served.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reloaded {
    changed: Vec<PathBuf>,
}

impl Reloaded {
    pub(crate) fn new(changed: Vec<PathBuf>) -> Self {
        Self { changed }
    }

    /// The files whose content changed, in the order the settings name them.
    pub fn changed_files(&self) -> &[PathBuf] {
        &self.changed
    }

    /// Whether anything changed.
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty()
    }
}

impl fmt::Display for Reloaded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.changed.is_empty() {
            return f.write_str("nothing changed");
        }
        f.write_str("reloaded ")?;
        for (i, path) in self.changed.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}", path.display())?;
        }
        Ok(())
    }
}
