//! Following a configuration's files however they are replaced (feature
//! `watch`): written in place, renamed over, or reached through symlinks
//! that are re-pointed (certbot's `live/` links, a Kubernetes volume's
//! `..data`, a symlinked directory).
//!
//! No event names the file when a link on its way is re-pointed, so the
//! watcher does not look at names: it watches every directory along each
//! file's symlink chain, and any change in one of them, after a quiet
//! moment, is a reload. The reload compares what it reads with what is
//! served, so a change that is not about the files costs a read, not a swap.

use std::collections::{BTreeSet, VecDeque};
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};

use super::Reloaded;
use crate::Error;

/// How long the directories must stay quiet before the files are read: a
/// certificate and its key written one after the other, or a Kubernetes
/// volume's new directory, swap and clean-up, are one reload.
const QUIET: Duration = Duration::from_millis(250);

/// The longest a burst of changes delays its reload: a directory that
/// never goes quiet (a log written beside the certificate) still has its
/// files read.
const LONGEST_WAIT: Duration = Duration::from_secs(1);

/// Links followed on the way to one file before giving up, as Linux's
/// MAXSYMLINKS: a loop of links ends.
const MAX_LINKS: usize = 40;

/// Watches a configuration's files and reloads them when they change
/// (feature `watch`); stops when dropped. Made by
/// [`SslConfiguration::watch`](crate::SslConfiguration::watch).
pub struct Watcher {
    /// The only strong reference: dropping it ends the thread that waits
    /// for its events.
    _notify: Arc<Mutex<RecommendedWatcher>>,
    files: Vec<PathBuf>,
}

impl Watcher {
    /// Watches the directories along the symlink chains of `files` and
    /// calls `reload`, then `report` with its outcome, after each quiet
    /// burst of changes in them. Reading a file is no change: the
    /// reload's own reads do not start another.
    pub(crate) fn spawn(
        files: Vec<PathBuf>,
        reload: impl Fn() -> Result<Reloaded, Error> + Send + 'static,
        report: impl Fn(Result<Reloaded, Error>) + Send + 'static,
    ) -> Result<Watcher, Error> {
        // Absolute, as their chains are walked from the root.
        let files: Vec<PathBuf> = files
            .iter()
            .map(|f| std::path::absolute(f).unwrap_or_else(|_| f.clone()))
            .collect();
        let (events, received) = mpsc::channel::<notify::Result<Event>>();
        let mut notify = notify::recommended_watcher(move |event| {
            let _ = events.send(event);
        })
        .map_err(watch_error)?;
        let mut watching = BTreeSet::new();
        for directory in directories(&files) {
            notify
                .watch(&directory, RecursiveMode::NonRecursive)
                .map_err(watch_error)?;
            watching.insert(directory);
        }
        let notify = Arc::new(Mutex::new(notify));
        let weak = Arc::downgrade(&notify);
        let followed = files.clone();
        std::thread::spawn(move || {
            let mut watching = watching;
            while next_burst(&received, &report) {
                // The chains may lead elsewhere now (`..data` points to a
                // new directory): watch where they lead before reading, so
                // that a change after this point is another burst.
                if let Err(error) = rewatch(&weak, &mut watching, &followed) {
                    log::warn!(
                        "sslconf: {}; changes there will be missed",
                        crate::error::causes(&error)
                    );
                    report(Err(error));
                }
                // (A failed reload logs its own warning.)
                report(reload());
            }
        });
        Ok(Watcher {
            _notify: notify,
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

fn watch_error(error: notify::Error) -> Error {
    Error::Watch {
        cause: Box::new(error),
    }
}

/// Whether an event may change what the files hold: anything but a read
/// (opening or closing a file read, the reload's own reads among them).
fn is_change(event: &Event) -> bool {
    !matches!(
        event.kind,
        EventKind::Access(kind) if kind != AccessKind::Close(AccessMode::Write)
    )
}

/// Waits for a change, then for the directories to be quiet (or for the
/// longest wait); the watcher's errors are reported on the way. False when
/// the [`Watcher`] was dropped.
fn next_burst(
    received: &Receiver<notify::Result<Event>>,
    report: &impl Fn(Result<Reloaded, Error>),
) -> bool {
    loop {
        match received.recv() {
            Ok(Ok(event)) if is_change(&event) => break,
            Ok(Ok(_)) => {}
            Ok(Err(error)) => report(Err(watch_error(error))),
            Err(_) => return false,
        }
    }
    let latest = Instant::now() + LONGEST_WAIT;
    let mut quiet_at = Instant::now() + QUIET;
    loop {
        let wait = quiet_at
            .min(latest)
            .saturating_duration_since(Instant::now());
        match received.recv_timeout(wait) {
            Ok(Ok(event)) if is_change(&event) => quiet_at = Instant::now() + QUIET,
            Ok(Ok(_)) => {}
            Ok(Err(error)) => report(Err(watch_error(error))),
            Err(RecvTimeoutError::Timeout) => {
                if Instant::now() >= quiet_at.min(latest) {
                    return true;
                }
            }
            Err(RecvTimeoutError::Disconnected) => return false,
        }
    }
}

/// Watches the directories the chains of `files` pass through now. Every
/// one is watched again, not only the new ones: a directory may be a new
/// one under an old name (deleted and made again, or swapped in).
fn rewatch(
    notify: &Weak<Mutex<RecommendedWatcher>>,
    watching: &mut BTreeSet<PathBuf>,
    files: &[PathBuf],
) -> Result<(), Error> {
    let Some(notify) = notify.upgrade() else {
        return Ok(());
    };
    let mut notify = notify.lock().unwrap_or_else(PoisonError::into_inner);
    for directory in std::mem::take(watching) {
        // A directory that was removed is no longer watched already.
        let _ = notify.unwatch(&directory);
    }
    let mut failed = None;
    for directory in directories(files) {
        match notify.watch(&directory, RecursiveMode::NonRecursive) {
            Ok(()) => {
                watching.insert(directory);
            }
            Err(error) => {
                failed.get_or_insert(error);
            }
        }
    }
    failed.map_or(Ok(()), |error| Err(watch_error(error)))
}

/// Every directory a change of `files` can happen in: for each file, the
/// directories along its symlink chain.
fn directories(files: &[PathBuf]) -> BTreeSet<PathBuf> {
    let mut directories = BTreeSet::new();
    for file in files {
        chain_directories(file, &mut directories);
    }
    directories
}

/// One step of a path still to be walked.
enum Step {
    Parent,
    Name(OsString),
}

/// The steps of `path` after its root.
fn steps(path: &Path) -> impl Iterator<Item = Step> + '_ {
    path.components().filter_map(|component| match component {
        Component::ParentDir => Some(Step::Parent),
        Component::Normal(name) => Some(Step::Name(name.to_owned())),
        Component::Prefix(_) | Component::RootDir | Component::CurDir => None,
    })
}

/// The root `path` starts from (`/`, or a Windows drive's).
fn root(path: &Path) -> PathBuf {
    path.components()
        .take_while(|c| matches!(c, Component::Prefix(_) | Component::RootDir))
        .collect()
}

/// Adds the directories that decide what the absolute path `file` reads,
/// as real paths (no links in them): each directory a link on the way is
/// in (re-pointing the link changes the file: certbot's `live/` links, a
/// Kubernetes volume's `tls.crt -> ..data/tls.crt` and `..data`, a
/// symlinked directory), and the one the file itself is in (written in
/// place or renamed over). Where the chain breaks (a missing entry, a
/// delivery half done), the directory where it would appear.
///
/// A link in the root directory is system layout (merged `/usr`, macOS's
/// `/tmp -> private/tmp`), not a delivery: its directory is not added, so
/// that no file's change anywhere wakes the watcher.
fn chain_directories(file: &Path, into: &mut BTreeSet<PathBuf>) {
    let mut real = root(file);
    let mut rest: VecDeque<Step> = steps(file).collect();
    let mut links = 0;
    while let Some(step) = rest.pop_front() {
        let name = match step {
            Step::Parent => {
                real.pop();
                continue;
            }
            Step::Name(name) => name,
        };
        let next = real.join(&name);
        let link = match std::fs::symlink_metadata(&next) {
            Ok(meta) if meta.file_type().is_symlink() => std::fs::read_link(&next),
            Ok(_) => {
                real = next;
                continue;
            }
            Err(_) => {
                into.insert(real);
                return;
            }
        };
        if real.parent().is_some() {
            into.insert(real.clone());
        }
        links += 1;
        let Ok(target) = link else {
            return;
        };
        if links > MAX_LINKS {
            return;
        }
        if target.has_root() {
            real = root(&target);
        }
        for (i, step) in steps(&target).enumerate() {
            rest.insert(i, step);
        }
    }
    if let Some(directory) = real.parent() {
        into.insert(directory.to_owned());
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    /// A scratch directory, by its real path (the temporary directory may
    /// be reached through a link).
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(tag: &str) -> Self {
            let dir =
                std::env::temp_dir().join(format!("sslconf-watch-{tag}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(dir.canonicalize().unwrap())
        }

        fn root(&self) -> PathBuf {
            self.0.clone()
        }

        fn path(&self, relative: &str) -> PathBuf {
            self.0.join(relative)
        }

        fn dir(&self, relative: &str) -> PathBuf {
            let dir = self.path(relative);
            std::fs::create_dir_all(&dir).unwrap();
            dir
        }

        fn file(&self, relative: &str) -> PathBuf {
            let file = self.path(relative);
            std::fs::write(&file, b"x").unwrap();
            file
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn chain(file: &Path) -> Vec<PathBuf> {
        let mut into = BTreeSet::new();
        chain_directories(file, &mut into);
        into.into_iter().collect()
    }

    #[test]
    fn a_plain_file_is_watched_in_its_directory() {
        let s = Scratch::new("plain");
        let file = s.file("cert.pem");
        assert_eq!(chain(&file), [s.root()]);
    }

    #[test]
    fn a_kubernetes_volume_is_watched_where_its_links_and_data_are() {
        let s = Scratch::new("kubelet");
        let data = s.dir("..2026_12_06_07_00_00.123456789");
        s.file("..2026_12_06_07_00_00.123456789/tls.crt");
        symlink("..2026_12_06_07_00_00.123456789", s.path("..data")).unwrap();
        symlink("..data/tls.crt", s.path("tls.crt")).unwrap();
        assert_eq!(chain(&s.path("tls.crt")), [s.root(), data]);
    }

    #[test]
    fn certbot_live_links_are_watched_with_their_archive() {
        let s = Scratch::new("certbot");
        let live = s.dir("live/example.com");
        let archive = s.dir("archive/example.com");
        s.file("archive/example.com/fullchain2.pem");
        symlink(
            "../../archive/example.com/fullchain2.pem",
            live.join("fullchain.pem"),
        )
        .unwrap();
        assert_eq!(chain(&live.join("fullchain.pem")), [archive, live]);
    }

    #[test]
    fn a_symlinked_directory_is_watched_where_the_link_is() {
        let s = Scratch::new("dir-link");
        let v1 = s.dir("tls-v1");
        s.file("tls-v1/cert.pem");
        symlink(&v1, s.path("tls")).unwrap();
        // Through `..` too: the link's target is what `..` leaves.
        assert_eq!(chain(&s.path("tls/cert.pem")), [s.root(), v1.clone()]);
        assert_eq!(
            chain(&s.path("tls/../tls/cert.pem")),
            [s.root(), v1.clone()]
        );
    }

    #[test]
    fn a_missing_file_is_watched_where_it_would_appear() {
        let s = Scratch::new("missing");
        assert_eq!(chain(&s.path("cert.pem")), [s.root()]);
        assert_eq!(chain(&s.path("not-yet/cert.pem")), [s.root()]);
        // A dangling link: where its target would appear.
        let data = s.dir("data");
        symlink("data/cert.pem", s.path("cert.pem")).unwrap();
        assert_eq!(chain(&s.path("cert.pem")), [s.root(), data]);
    }

    #[test]
    fn a_loop_of_links_ends() {
        let s = Scratch::new("loop");
        symlink("b", s.path("a")).unwrap();
        symlink("a", s.path("b")).unwrap();
        assert_eq!(chain(&s.path("a")), [s.root()]);
    }
}
