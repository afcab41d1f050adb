//! Settings read from files, and what follows them (DESIGN.md rule 3).
//!
//! The model, in one sentence: **a setting read from files holds what its
//! files held at the last good reload**, and every configuration holding
//! that setting (the value, its clones, the values derived from it with
//! `with_*`), their getters and their converted rustls configs use it.
//!
//! A [`FileSetting`] is such a setting: shared (an `Arc`) by every settings
//! value that holds it, its content replaced whole by a reload. A reload
//! reads every file setting of a configuration again, checks what it read,
//! and then [`Commit`]s all of it at once.
//!
//! A converted config does not hold the contents; its parts built from
//! file settings (the server's identities, a verifier's trust, the ticket
//! keys, a client's identity) are [`Rebuilt`] from them when they change:
//! each use compares the settings' versions with those it was built from
//! (a few atomic loads) and builds again, from one consistent commit, when
//! they moved. A configuration that reads no file has no such part.

use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use arc_swap::ArcSwap;

use crate::Error;

/// Commits so far, in the whole process: a setting's version is the commit
/// that last changed it.
static COMMITS: AtomicU64 = AtomicU64::new(0);

/// Held to write a commit; held shared to read several settings as one
/// commit left them.
static COMMIT_LOCK: RwLock<()> = RwLock::new(());

/// A setting read from files: the files, and what they held at the last
/// good reload.
pub(crate) struct FileSetting<T> {
    files: Vec<PathBuf>,
    current: ArcSwap<T>,
    /// The commit that last changed `current`; 0 for what was first read.
    version: AtomicU64,
}

impl<T> FileSetting<T> {
    /// A setting read from `files` now, holding `value`.
    pub(crate) fn new(files: Vec<PathBuf>, value: T) -> Arc<Self> {
        Arc::new(Self {
            files,
            current: ArcSwap::from_pointee(value),
            version: AtomicU64::new(0),
        })
    }

    /// The files it is read from.
    pub(crate) fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// What it holds now.
    pub(crate) fn current(&self) -> Arc<T> {
        self.current.load_full()
    }
}

impl<T: PartialEq> PartialEq for FileSetting<T> {
    fn eq(&self, other: &Self) -> bool {
        self.files == other.files && *self.current.load() == *other.current.load()
    }
}

impl<T: fmt::Debug> fmt::Debug for FileSetting<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileSetting")
            .field("files", &self.files)
            .field("current", &**self.current.load())
            .finish()
    }
}

/// What a part is built from: a file setting's version, whatever it holds.
pub(crate) trait Versioned: Send + Sync {
    /// The commit that last changed it.
    fn version(&self) -> u64;
}

impl<T: Send + Sync> Versioned for FileSetting<T> {
    fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }
}

/// New contents for file settings, stored all at once by [`apply`](Self::apply).
#[derive(Default)]
pub(crate) struct Commit {
    stores: Vec<Box<dyn FnOnce(u64) + Send>>,
}

impl Commit {
    /// Stores `value` into `setting` when applied.
    pub(crate) fn set<T: Send + Sync + 'static>(
        &mut self,
        setting: &Arc<FileSetting<T>>,
        value: T,
    ) {
        let setting = Arc::clone(setting);
        self.stores.push(Box::new(move |version| {
            setting.current.store(Arc::new(value));
            setting.version.store(version, Ordering::Release);
        }));
    }

    /// Stores everything as one commit: a part rebuilt meanwhile sees all
    /// of it or none.
    pub(crate) fn apply(self) {
        if self.stores.is_empty() {
            return;
        }
        let _writing = COMMIT_LOCK.write().unwrap_or_else(|e| e.into_inner());
        let version = COMMITS.fetch_add(1, Ordering::AcqRel) + 1;
        for store in self.stores {
            store(version);
        }
    }
}

impl fmt::Debug for Commit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Commit")
            .field("settings", &self.stores.len())
            .finish()
    }
}

/// Builds a part of a converted config.
type Build<T> = Box<dyn Fn() -> Result<T, Error> + Send + Sync>;

/// A part of a converted config built from file settings, built again when
/// one of them changes.
pub(crate) struct Rebuilt<T> {
    inputs: Vec<Arc<dyn Versioned>>,
    build: Build<T>,
    /// What was built, and from which version of the inputs.
    current: ArcSwap<Built<T>>,
    /// The inputs' version the last build (good or not) was made at.
    built_from: AtomicU64,
    /// One rebuild at a time; the others use what is there.
    building: Mutex<()>,
}

impl<T> Rebuilt<T> {
    /// Built now from `inputs` by `build`, and again by it whenever they
    /// change.
    ///
    /// # Errors
    /// What `build` returns.
    pub(crate) fn new(
        inputs: Vec<Arc<dyn Versioned>>,
        build: impl Fn() -> Result<T, Error> + Send + Sync + 'static,
    ) -> Result<Self, Error> {
        let _reading = COMMIT_LOCK.read().unwrap_or_else(|e| e.into_inner());
        let built_from = version_of(&inputs);
        let current = ArcSwap::from_pointee(Built {
            version: built_from,
            value: Arc::new(build()?),
        });
        Ok(Self {
            inputs,
            build: Box::new(build),
            current,
            built_from: AtomicU64::new(built_from),
            building: Mutex::new(()),
        })
    }

    /// What it is now, built again first if its settings changed since (a
    /// caller that finds another building waits for it: nothing built from
    /// older settings is handed out after a commit). A build that fails
    /// (never after a reload that checked what it read, which builds the
    /// same) keeps what was built before, with a warning. A build must not
    /// get another `Rebuilt` (the commit lock is not reentrant).
    pub(crate) fn get(&self) -> Arc<T> {
        self.get_versioned().1
    }

    /// [`get`](Self::get), with the inputs' version it was built from.
    pub(crate) fn get_versioned(&self) -> (u64, Arc<T>) {
        if version_of(&self.inputs) != self.built_from.load(Ordering::Acquire) {
            self.rebuild();
        }
        let built = self.current.load();
        (built.version, Arc::clone(&built.value))
    }

    fn rebuild(&self) {
        let _building = self.building.lock().unwrap_or_else(|e| e.into_inner());
        let _reading = COMMIT_LOCK.read().unwrap_or_else(|e| e.into_inner());
        let version = version_of(&self.inputs);
        if version == self.built_from.load(Ordering::Acquire) {
            return;
        }
        match (self.build)() {
            Ok(built) => self.current.store(Arc::new(Built {
                version,
                value: Arc::new(built),
            })),
            Err(error) => log::warn!(
                "sslconf: keeping what was served: rebuilding after a reload failed: {}",
                crate::error::causes(&error)
            ),
        }
        self.built_from.store(version, Ordering::Release);
    }
}

/// What a [`Rebuilt`] built, and from which version of its inputs.
struct Built<T> {
    version: u64,
    value: Arc<T>,
}

impl<T: fmt::Debug> fmt::Debug for Rebuilt<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rebuilt")
            .field("inputs", &self.inputs.len())
            .field("current", &*self.current.load().value)
            .finish_non_exhaustive()
    }
}

/// The latest commit among `inputs`: commits only grow, so it moves when
/// any of them changes.
fn version_of(inputs: &[Arc<dyn Versioned>]) -> u64 {
    inputs.iter().map(|i| i.version()).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_follow_their_settings_as_one_commit() {
        let a = FileSetting::new(vec!["a".into()], 1u32);
        let b = FileSetting::new(vec!["b".into()], 10u32);
        let (ra, rb) = (Arc::clone(&a), Arc::clone(&b));
        let builds = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&builds);
        let sum = Rebuilt::new(vec![a.clone(), b.clone()], move || {
            counted.fetch_add(1, Ordering::Relaxed);
            Ok(*ra.current() + *rb.current())
        })
        .unwrap();
        assert_eq!(*sum.get(), 11);
        assert_eq!(*sum.get(), 11);
        assert_eq!(
            builds.load(Ordering::Relaxed),
            1,
            "built once until a commit"
        );
        let mut commit = Commit::default();
        commit.set(&a, 2);
        commit.set(&b, 20);
        assert_eq!(*sum.get(), 11, "nothing before the commit applies");
        commit.apply();
        assert_eq!(*sum.get(), 22);
        assert_eq!(builds.load(Ordering::Relaxed), 2);
        // A commit of an unrelated setting builds nothing.
        let other = FileSetting::new(Vec::new(), 0u32);
        let mut commit = Commit::default();
        commit.set(&other, 1);
        commit.apply();
        assert_eq!(*sum.get(), 22);
        assert_eq!(builds.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn a_failed_rebuild_keeps_what_was_built() {
        let a = FileSetting::new(Vec::new(), 1u32);
        let ra = Arc::clone(&a);
        let part = Rebuilt::new(vec![a.clone()], move || match *ra.current() {
            0 => Err(Error::Watch {
                cause: "zero".into(),
            }),
            n => Ok(n),
        })
        .unwrap();
        let mut commit = Commit::default();
        commit.set(&a, 0);
        commit.apply();
        assert_eq!(*part.get(), 1);
        let mut commit = Commit::default();
        commit.set(&a, 3);
        commit.apply();
        assert_eq!(*part.get(), 3);
    }
}
