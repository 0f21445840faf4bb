//! How the worker notices what other instances on the same data dir wrote to the shared
//! record files (`tasks.json`, `cameos.json`), so their tasks and cameos show here too.
//!
//! A file-change notification on the data dir (inotify on Linux, kqueue on macOS and the BSDs,
//! ReadDirectoryChangesW on Windows, through the `notify` crate) tells the worker when one of
//! the files changed, so an idle worker has no timer and no wake-up at all. The directory is
//! watched rather than the files: every write renames a new file into place
//! (`store::write_atomic`), which a watch on the old file would not see. Where the watch cannot
//! be started (inotify limits, a file system without notifications), the worker falls back to
//! one look (a `stat` per file) every [`SYNC_EVERY`].

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::Notify;
use tokio::time::Instant;

use super::cameos::CAMEOS_FILE;
use super::persist::TASKS_FILE;
use super::queue::QUEUE_FILE;

/// How often the shared record files are looked at when no notification can be had.
pub(super) const SYNC_EVERY: Duration = Duration::from_secs(2);

/// How long after a first notification the files are read: a write is several events (the
/// rename into place, another instance writing both files), and one read serves them all.
const SETTLE: Duration = Duration::from_millis(20);

/// The flag bit of `tasks.json` in [`Shared::changed`].
const TASKS_BIT: u8 = 1;
/// The flag bit of `cameos.json` in [`Shared::changed`].
const CAMEOS_BIT: u8 = 2;

/// How the worker notices other instances' writes. A field of `WorkerConfig`, so a test can
/// take away the fallback and see that the notification alone delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncMode {
    /// A file-change notification; a look every [`SYNC_EVERY`] if it cannot be started.
    #[default]
    Watch,
    /// The notification only, with no fallback: nothing is noticed if the watch does not
    /// start. For tests, where a working fallback would hide a broken notification path.
    WatchOnly,
    /// A look every [`SYNC_EVERY`] and no notification: the fallback on its own, so it can
    /// be tested on a machine where the watch works.
    Poll,
}

/// Which shared record files are to be read again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Changed {
    /// `tasks.json`.
    pub tasks: bool,
    /// `cameos.json`.
    pub cameos: bool,
}

impl Changed {
    fn from_bits(bits: u8) -> Changed {
        Changed {
            tasks: bits & TASKS_BIT != 0,
            cameos: bits & CAMEOS_BIT != 0,
        }
    }

    fn merge(&mut self, other: Changed) {
        self.tasks |= other.tasks;
        self.cameos |= other.cameos;
    }

    fn any(self) -> bool {
        self.tasks || self.cameos
    }
}

/// What the watcher's thread hands the worker loop: which files changed since the loop last
/// looked, and a wake-up (a stored permit, so none is lost between two looks).
#[derive(Default)]
struct Shared {
    changed: AtomicU8,
    wake: Notify,
}

/// The one owner of the data-dir watch and of the schedule of reads it leads to.
pub(super) struct FileWatch {
    /// The running watch; `None` when the worker looks every [`SYNC_EVERY`] (or, in
    /// [`SyncMode::WatchOnly`], when the watch failed and nothing is noticed).
    watcher: Option<RecommendedWatcher>,
    shared: Arc<Shared>,
    /// Whether the look every [`SYNC_EVERY`] is on.
    polling: bool,
    /// When the files are next read; `None`: no timer.
    due: Option<Instant>,
    /// What notifications said changed, read at `due`.
    pending: Changed,
}

impl FileWatch {
    /// Watches `dir` (created if missing: a watch needs a directory) for changes to the
    /// shared record files, or falls back to looking every [`SYNC_EVERY`] as `mode` allows.
    pub fn start(dir: &Path, mode: SyncMode) -> FileWatch {
        let shared = Arc::new(Shared::default());
        let watcher = match mode {
            SyncMode::Poll => None,
            SyncMode::Watch | SyncMode::WatchOnly => match watch(dir, shared.clone()) {
                Ok(watcher) => Some(watcher),
                Err(error) => {
                    tracing::debug!(
                        %error,
                        dir = %dir.display(),
                        "no file-change notification on the data dir; looking at it every 2 s"
                    );
                    None
                }
            },
        };
        let polling = watcher.is_none() && mode != SyncMode::WatchOnly;
        FileWatch {
            watcher,
            shared,
            polling,
            due: polling.then(|| Instant::now() + SYNC_EVERY),
            pending: Changed::default(),
        }
    }

    /// Whether a notification is what tells the worker about changes.
    #[cfg(test)]
    pub fn notifies(&self) -> bool {
        self.watcher.is_some()
    }

    /// When the worker should read the files next; `None` means no timer at all, which is
    /// the idle state under a working watch.
    pub fn due(&self) -> Option<Instant> {
        self.due
    }

    /// Resolves when a notification arrived (never without a watch). Owns what it waits on,
    /// so it can sit in the worker's `select!` beside branches that borrow the worker.
    pub fn notified(&self) -> impl Future<Output = ()> + Send + 'static {
        let shared = self.watcher.is_some().then(|| self.shared.clone());
        async move {
            match shared {
                Some(shared) => shared.wake.notified().await,
                None => std::future::pending().await,
            }
        }
    }

    /// Takes in what the watcher's thread reported and sets the read [`SETTLE`] from now,
    /// unless one is already set: a burst of events becomes one read.
    pub fn on_notified(&mut self, now: Instant) {
        let changed = Changed::from_bits(self.shared.changed.swap(0, Ordering::AcqRel));
        if !changed.any() {
            return;
        }
        self.pending.merge(changed);
        self.due.get_or_insert(now + SETTLE);
    }

    /// What to read now that `due` has come, and the next deadline: the next look when
    /// polling, none under a watch.
    pub fn take(&mut self, now: Instant) -> Changed {
        let changed = std::mem::take(&mut self.pending);
        if self.polling {
            self.due = Some(now + SYNC_EVERY);
            Changed {
                tasks: true,
                cameos: true,
            }
        } else {
            self.due = None;
            changed
        }
    }
}

/// Starts the watch of `dir`, flagging the shared record files' changes into `shared`.
fn watch(dir: &Path, shared: Arc<Shared>) -> notify::Result<RecommendedWatcher> {
    std::fs::create_dir_all(dir).map_err(notify::Error::io)?;
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let event = match res {
            Ok(event) => event,
            Err(error) => {
                tracing::debug!(%error, "data-dir watch error");
                return;
            }
        };
        if !is_write(&event.kind) {
            return;
        }
        let bits = event
            .paths
            .iter()
            .filter_map(|p| p.file_name())
            .fold(0, |bits, name| {
                // The queue moves with the tasks: one flag serves both (see `run::sync_tasks`).
                if name == TASKS_FILE || name == QUEUE_FILE {
                    bits | TASKS_BIT
                } else if name == CAMEOS_FILE {
                    bits | CAMEOS_BIT
                } else {
                    bits
                }
            });
        if bits != 0 {
            shared.changed.fetch_or(bits, Ordering::AcqRel);
            shared.wake.notify_one();
        }
    })?;
    watcher.watch(dir, RecursiveMode::NonRecursive)?;
    Ok(watcher)
}

/// Whether an event may have changed a file's content: a creation, a rename into place, a
/// write, a removal. Opening, reading and attribute changes are not: the worker's own reads
/// open the files, and counting them would make every read set off another.
fn is_write(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) | EventKind::Any | EventKind::Other => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Waits (bounded) until a notification about `want` has been taken in. A late event of
    /// an earlier write may arrive in a later batch (a loaded machine), so what else is
    /// pending does not matter.
    async fn notice(w: &mut FileWatch, want: Changed) {
        let covers = |p: &Changed| (p.tasks || !want.tasks) && (p.cameos || !want.cameos);
        tokio::time::timeout(Duration::from_secs(20), async {
            while !covers(&w.pending) {
                w.notified().await;
                w.on_notified(Instant::now());
            }
        })
        .await
        .unwrap_or_else(|_| panic!("no notification of {want:?}; got {:?}", w.pending));
    }

    #[tokio::test]
    async fn a_watch_has_no_timer_until_a_file_is_renamed_into_place() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = FileWatch::start(dir.path(), SyncMode::WatchOnly);
        assert!(w.notifies(), "the watch starts on a temp dir");
        assert_eq!(w.due(), None, "idle: no timer");
        // Neither another file nor a read sets anything off.
        std::fs::write(dir.path().join("prompt.json"), b"{}").unwrap();
        // An atomic write, as `store::write_atomic` does it: a temp file renamed into place.
        let tmp = dir.path().join(".tasks.json.tmp");
        std::fs::write(&tmp, b"[]").unwrap();
        std::fs::rename(&tmp, dir.path().join(TASKS_FILE)).unwrap();
        notice(
            &mut w,
            Changed {
                tasks: true,
                cameos: false,
            },
        )
        .await;
        let now = Instant::now();
        let due = w.due().expect("a read is scheduled");
        assert!(due <= now + SETTLE);
        assert_eq!(
            w.take(now),
            Changed {
                tasks: true,
                cameos: false
            }
        );
        assert_eq!(w.due(), None, "after the read: no timer again");
        let _ = std::fs::read(dir.path().join(TASKS_FILE)).unwrap();
        std::fs::write(dir.path().join(CAMEOS_FILE), b"[]").unwrap();
        notice(
            &mut w,
            Changed {
                tasks: false,
                cameos: true,
            },
        )
        .await;
    }

    #[test]
    fn reads_and_attribute_changes_are_not_writes() {
        use notify::event::{CreateKind, MetadataKind, RenameMode};
        assert!(!is_write(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!is_write(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(!is_write(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::Any
        ))));
        assert!(is_write(&EventKind::Modify(ModifyKind::Name(
            RenameMode::To
        ))));
        assert!(is_write(&EventKind::Create(CreateKind::File)));
        assert!(is_write(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
    }

    #[tokio::test(start_paused = true)]
    async fn the_fallback_looks_at_both_files_every_two_seconds() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = FileWatch::start(dir.path(), SyncMode::Poll);
        assert!(!w.notifies());
        let t0 = Instant::now();
        assert_eq!(w.due(), Some(t0 + SYNC_EVERY));
        let both = Changed {
            tasks: true,
            cameos: true,
        };
        assert_eq!(w.take(t0 + SYNC_EVERY), both);
        assert_eq!(w.due(), Some(t0 + SYNC_EVERY * 2));
    }

    #[tokio::test]
    async fn without_a_directory_to_watch_the_fallback_takes_over() {
        let dir = tempfile::tempdir().unwrap();
        // A file where the data dir should be: neither created nor watchable.
        let blocked = dir.path().join("data");
        std::fs::write(&blocked, b"").unwrap();
        let w = FileWatch::start(&blocked, SyncMode::Watch);
        assert!(!w.notifies());
        assert!(w.due().is_some(), "the look every 2 s is on");
        let w = FileWatch::start(&blocked, SyncMode::WatchOnly);
        assert_eq!(w.due(), None, "no fallback asked for");
    }
}
