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

#[cfg(feature = "watch")]
pub use watch::Watcher;

#[cfg(feature = "watch")]
mod watch {
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};
    use std::sync::mpsc::{self, RecvTimeoutError};
    use std::time::Duration;

    use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};

    use super::Reloaded;
    use crate::Error;

    /// How long the files must stay quiet before they are read: a
    /// certificate and its key written one after the other are read as a
    /// pair.
    const QUIET: Duration = Duration::from_millis(250);

    /// Watches a configuration's files and reloads them when they change
    /// (feature `watch`); stops when dropped. Made by
    /// [`SslConfiguration::watch`](crate::SslConfiguration::watch).
    pub struct Watcher {
        /// Dropping it ends the thread that waits for its events.
        _watcher: RecommendedWatcher,
        files: Vec<PathBuf>,
    }

    impl Watcher {
        /// Watches the directories of `files` (editors and `mv` replace a
        /// file rather than write it) and calls `reload`, then `report`
        /// with its outcome, after each quiet burst of changes to them.
        /// Reading a file is no change: the reload's own reads do not
        /// start another.
        pub(crate) fn spawn(
            files: Vec<PathBuf>,
            reload: impl Fn() -> Result<Reloaded, Error> + Send + 'static,
            report: impl Fn(Result<Reloaded, Error>) + Send + 'static,
        ) -> Result<Watcher, Error> {
            let watch_error = |error: notify::Error| Error::Watch {
                source: Box::new(error),
            };
            // Absolute, as the watcher reports them.
            let files: Vec<PathBuf> = files
                .iter()
                .map(|f| std::path::absolute(f).unwrap_or_else(|_| f.clone()))
                .collect();
            let watched: BTreeSet<PathBuf> = files.iter().cloned().collect();
            let (events, received) = mpsc::channel::<notify::Result<Event>>();
            let mut watcher = notify::recommended_watcher(move |event| {
                let _ = events.send(event);
            })
            .map_err(watch_error)?;
            let directories: BTreeSet<&Path> = files.iter().filter_map(|f| f.parent()).collect();
            for directory in directories {
                watcher
                    .watch(directory, RecursiveMode::NonRecursive)
                    .map_err(watch_error)?;
            }
            let changes = move |event: &Event| {
                !matches!(event.kind, EventKind::Access(_))
                    && event.paths.iter().any(|p| watched.contains(p))
            };
            std::thread::spawn(move || loop {
                // A change to one of the files, or the watcher's error...
                match received.recv() {
                    Ok(Ok(event)) if changes(&event) => {}
                    Ok(Ok(_)) => continue,
                    Ok(Err(error)) => {
                        report(Err(watch_error(error)));
                        continue;
                    }
                    // The Watcher was dropped.
                    Err(_) => return,
                }
                // ...then quiet, before the files are read.
                loop {
                    match received.recv_timeout(QUIET) {
                        Ok(_) => continue,
                        Err(RecvTimeoutError::Timeout) => break,
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
                let outcome = reload();
                if let Err(error) = &outcome {
                    log::warn!(
                        "sslconf: reload failed, still serving what was loaded before: {error}"
                    );
                }
                report(outcome);
            });
            Ok(Watcher {
                _watcher: watcher,
                files,
            })
        }

        /// The files watched.
        pub fn files(&self) -> &[PathBuf] {
            &self.files
        }
    }

    impl std::fmt::Debug for Watcher {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Watcher")
                .field("files", &self.files)
                .finish()
        }
    }
}
