//! Record files shared by every instance on one data dir (`tasks.json`, `cameos.json`,
//! `cleanup.json`): lists of records keyed by an id, where two terminals running sora-tui
//! must never lose each other's records.
//!
//! The rule is merge-on-write with per-record changes. An instance never writes its whole
//! list: it queues its own changes ([`RecordOp`]s: add or replace, replace if still there,
//! remove) and [`Store::merge`] applies them to what the file holds *now*, under an exclusive
//! lock on `NAME.lock` next to it, then writes atomically. A record this instance does not
//! know is kept because nothing names it; a removal is always explicit. The result of each
//! write (and of a [`RecordSet::reloaded`] read) is adopted, so each instance also sees, tracks
//! and can act on the records the other added.

use std::fs::File;
use std::path::Path;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Store, StoreError, Unreadable, err};

/// How long a write waits for another instance's write of the same file; a write holds the
/// lock for one read and one write, so only a stopped or stuck process holds it this long.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// A record with a stable id: what merging matches records by.
pub trait Keyed {
    /// The id (task id, cameo key, draft id of a temporary post).
    fn key(&self) -> &str;
}

/// One change this instance made to a record file, applied to the file's current contents
/// at write time.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordOp<T> {
    /// A new record (at the top of the list), or a replacement of the record with its key.
    Put(T),
    /// A replacement of the record with its key if it is still there: another instance may
    /// have removed it meanwhile, and an update must not bring it back.
    Update(T),
    /// The removal of the record with this key: the only way a record leaves the file.
    Remove(String),
}

impl<T: Keyed> RecordOp<T> {
    /// The key of the record it changes.
    pub fn key(&self) -> &str {
        match self {
            RecordOp::Put(r) | RecordOp::Update(r) => r.key(),
            RecordOp::Remove(key) => key,
        }
    }
}

/// Applies `ops` in order to `records`: the one merge rule, used on the file's contents at
/// write time and on the local copy when a read shows what the others wrote.
pub fn apply<T: Keyed + Clone>(records: &mut Vec<T>, ops: &[RecordOp<T>]) {
    for op in ops {
        let at = records.iter().position(|r| r.key() == op.key());
        match (op, at) {
            (RecordOp::Put(r) | RecordOp::Update(r), Some(i)) => records[i] = r.clone(),
            (RecordOp::Put(r), None) => records.insert(0, r.clone()),
            (RecordOp::Update(_), None) => {}
            (RecordOp::Remove(_), Some(i)) => {
                records.remove(i);
            }
            (RecordOp::Remove(_), None) => {}
        }
    }
}

/// What a record file looked like when it was last read, so an unchanged file is not read
/// again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    /// The inode: each write is a new file renamed into place.
    file: u64,
}

/// What [`Store::merge`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged<T> {
    /// The whole list now in the file: the others' records with this instance's changes.
    pub records: Vec<T>,
    /// The file could not be parsed: it was kept aside as `NAME.corrupt` and the caller's
    /// copy was written in its place. Worth telling the user.
    pub set_aside: Option<StoreError>,
}

impl Store {
    /// Applies `ops` to the record file `name` as it is now and writes the result atomically,
    /// all under an exclusive lock on `NAME.lock`, so concurrent writers (threads or
    /// processes) never lose each other's records. `known` (this instance's copy) stands in
    /// for a file that is missing or cannot be parsed (then kept aside as `NAME.corrupt`),
    /// so such a file costs nothing this instance knows. In a store scoped to a backend, the
    /// records of other backends are neither returned nor changed, only written back as they
    /// were (after this backend's). A file that cannot be read at all
    /// (permissions, not a regular file, too large) is an error and is left as it is.
    pub fn merge<T>(
        &self,
        name: &str,
        ops: &[RecordOp<T>],
        known: &[T],
    ) -> Result<Merged<T>, StoreError>
    where
        T: Keyed + Clone + Serialize + DeserializeOwned,
    {
        let path = self.path(name);
        std::fs::create_dir_all(self.dir()).map_err(|e| err(self.dir(), e))?;
        let _lock = lock(&self.lock_path(name))?;
        let (mut records, foreign, set_aside) = match self.read_scoped::<Vec<T>>(name) {
            Ok(Some((records, foreign))) => (records, foreign, None),
            Ok(None) => (known.to_vec(), Vec::new(), None),
            Err(Unreadable::SetAside(e)) => (known.to_vec(), Vec::new(), Some(e)),
            Err(Unreadable::Left(e)) => return Err(e),
        };
        apply(&mut records, ops);
        if !ops.is_empty() || set_aside.is_some() {
            self.write_records(&path, &records, foreign)?;
        }
        Ok(Merged { records, set_aside })
    }

    /// Edits the record list `name` in place under its lock: reads it as it is now (this
    /// backend's records, in the file's order), lets `change` edit them, and writes the
    /// result atomically when `change` says it changed something (the other backends'
    /// records are written back as they were). For a list whose order and whole-list rules
    /// matter (the local queue: positions, claims), where per-record merge ops cannot say
    /// what is meant. `change` runs while the lock is held, so what it decides from the
    /// file cannot be raced by another instance. A missing file is an empty list; one that
    /// cannot be parsed is kept aside as `NAME.corrupt` and counts as empty; one that cannot
    /// be read at all is an error and is left as it is.
    pub fn update_list<T, R>(
        &self,
        name: &str,
        change: impl FnOnce(&mut Vec<T>) -> (R, bool),
    ) -> Result<R, StoreError>
    where
        T: Serialize + DeserializeOwned,
    {
        let path = self.path(name);
        std::fs::create_dir_all(self.dir()).map_err(|e| err(self.dir(), e))?;
        let _lock = lock(&self.lock_path(name))?;
        let (mut records, foreign) = match self.read_scoped::<Vec<T>>(name) {
            Ok(Some(found)) => found,
            Ok(None) => (Vec::new(), Vec::new()),
            Err(Unreadable::SetAside(e)) => {
                tracing::warn!(%e, "record list set aside");
                (Vec::new(), Vec::new())
            }
            Err(Unreadable::Left(e)) => return Err(e),
        };
        let (out, changed) = change(&mut records);
        if changed {
            self.write_records(&path, &records, foreign)?;
        }
        Ok(out)
    }

    /// Reads the record file `name` unless it looks as it did at `seen` (same size,
    /// modification time and file: every write replaces the file, so a write shows): the
    /// cheap periodic look at what other instances wrote. `Ok(None)`: unchanged, missing, or
    /// not readable now (the next write reports that). The error is a file that could not be
    /// parsed and was kept aside as `NAME.corrupt`: worth telling the user once.
    pub fn read_if_changed<T: DeserializeOwned>(
        &self,
        name: &str,
        seen: Option<Stamp>,
    ) -> Result<Option<(Stamp, Vec<T>)>, StoreError> {
        // Stamped before reading: a write in between is read now and seen again next time,
        // never missed.
        let Some(stamp) = self.stamp(name) else {
            return Ok(None);
        };
        if seen == Some(stamp) {
            return Ok(None);
        }
        match self.read_doc::<Vec<T>>(name) {
            Ok(records) => Ok(records.map(|records| (stamp, records))),
            Err(Unreadable::SetAside(e)) => Err(e),
            Err(Unreadable::Left(e)) => {
                tracing::debug!(%e, "record file not read");
                Ok(None)
            }
        }
    }

    /// What the file `name` looks like now; `None` when it cannot be looked at.
    pub fn stamp(&self, name: &str) -> Option<Stamp> {
        let meta = std::fs::metadata(self.path(name)).ok()?;
        #[cfg(unix)]
        let file = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let file = 0;
        Some(Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            file,
        })
    }

    /// The lock file that serialises writes of the record file `name`.
    fn lock_path(&self, name: &str) -> std::path::PathBuf {
        self.path(&format!("{name}.lock"))
    }
}

/// Takes the exclusive lock on `path` (created if needed), waiting at most [`LOCK_WAIT`]. The
/// lock is released when the returned file is dropped, or by the system if the process dies,
/// so a crash never leaves a stale lock. Where the file system cannot lock at all, the write
/// goes on unlocked (the merge still keeps records a read already saw).
fn lock(path: &Path) -> Result<Option<File>, StoreError> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| err(path, e))?;
    match file.try_lock() {
        Ok(()) => return Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => {}
        Err(std::fs::TryLockError::Error(e)) => return unlockable(path, e),
    }
    // Held by another writer: wait in a helper thread so the wait can be bounded. If the wait
    // times out, the thread still gets the lock eventually, finds nobody listening, and
    // releases it at once by dropping the file.
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    std::thread::spawn(move || {
        let locked = file.lock().map(|()| file);
        let _ = tx.send(locked);
    });
    match rx.recv_timeout(LOCK_WAIT) {
        Ok(Ok(file)) => Ok(Some(file)),
        Ok(Err(e)) => unlockable(path, e),
        Err(_) => Err(StoreError {
            path: path.display().to_string(),
            message: format!(
                "another sora-tui has held this lock for over {} s: close or restart the other instance, then try again",
                LOCK_WAIT.as_secs()
            ),
        }),
    }
}

/// A lock that failed for a reason other than another holder.
fn unlockable(path: &Path, e: std::io::Error) -> Result<Option<File>, StoreError> {
    if e.kind() == std::io::ErrorKind::Unsupported {
        tracing::warn!(path = %path.display(), "file locking unsupported here; writing unlocked");
        return Ok(None);
    }
    Err(err(path, e))
}

/// What changed in a local copy when it adopted the file's contents: the other instances'
/// additions, changes and removals, for the UI to hear about.
#[derive(Debug, Clone, PartialEq)]
pub struct Diff<T> {
    /// Records that are new to this instance or differ from its copy.
    pub changed: Vec<T>,
    /// Keys of records this instance had that are gone from the file.
    pub removed: Vec<String>,
}

impl<T> Default for Diff<T> {
    fn default() -> Self {
        Diff {
            changed: Vec::new(),
            removed: Vec::new(),
        }
    }
}

impl<T> Diff<T> {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.removed.is_empty()
    }
}

/// One instance's copy of a record file: the records as last read or written with this
/// instance's own changes applied at once, and those changes queued (at most one per key)
/// until a write succeeds. The queue is what a write sends, so a failed write loses nothing:
/// it is sent again with the next one.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordSet<T> {
    records: Vec<T>,
    unsaved: Vec<RecordOp<T>>,
}

impl<T> Default for RecordSet<T> {
    fn default() -> Self {
        RecordSet {
            records: Vec::new(),
            unsaved: Vec::new(),
        }
    }
}

impl<T: Keyed + Clone + PartialEq> RecordSet<T> {
    /// A copy of records as read from the file (nothing unsaved).
    pub fn new(records: Vec<T>) -> RecordSet<T> {
        RecordSet {
            records,
            unsaved: Vec::new(),
        }
    }

    /// Every record, in the file's order (newest first for tasks and cameos).
    pub fn records(&self) -> &[T] {
        &self.records
    }

    /// The record with `key`.
    pub fn get(&self, key: &str) -> Option<&T> {
        self.records.iter().find(|r| r.key() == key)
    }

    /// Whether a record with `key` is here.
    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Adds a record at the top, or replaces the one with its key.
    pub fn put(&mut self, record: T) {
        self.queue(RecordOp::Put(record));
    }

    /// Changes the record with `key` in place; `None` when it is not here.
    pub fn modify<R>(&mut self, key: &str, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        let record = self.records.iter_mut().find(|r| r.key() == key)?;
        let out = f(record);
        let changed = record.clone();
        self.queue(RecordOp::Update(changed));
        Some(out)
    }

    /// Removes the record with `key`; whether it was here.
    pub fn remove(&mut self, key: &str) -> bool {
        let was = self.contains(key);
        if was {
            self.queue(RecordOp::Remove(key.to_string()));
        }
        was
    }

    /// Whether changes are waiting to be written.
    pub fn has_unsaved(&self) -> bool {
        !self.unsaved.is_empty()
    }

    /// The changes a write sends.
    pub fn unsaved(&self) -> &[RecordOp<T>] {
        &self.unsaved
    }

    /// Adopts what a write of [`RecordSet::unsaved`] left in the file (nothing may have
    /// changed in between): the queue is done. Returns what the others changed.
    pub fn written(&mut self, merged: Vec<T>) -> Diff<T> {
        self.unsaved.clear();
        self.adopt(merged)
    }

    /// Adopts the file's contents as just read, with the changes still unsaved applied on
    /// top (they win until written). Returns what the others changed.
    pub fn reloaded(&mut self, mut on_disk: Vec<T>) -> Diff<T> {
        apply(&mut on_disk, &self.unsaved);
        self.adopt(on_disk)
    }

    /// Writes the queued changes to `name` in `store` and adopts the result; on an error the
    /// queue is kept for the next write. Blocking: call it off the async threads, or where
    /// the caller already accepts a short blocking write.
    pub fn save(
        &mut self,
        store: &Store,
        name: &str,
    ) -> Result<(Diff<T>, Option<StoreError>), StoreError>
    where
        T: Serialize + DeserializeOwned,
    {
        let merged = store.merge(name, &self.unsaved, &self.records)?;
        Ok((self.written(merged.records), merged.set_aside))
    }

    /// Applies one change to the copy and queues it, merged with a change of the same record
    /// still in the queue: a put stays a put (the record may not be in the file yet), a
    /// removal replaces anything before it.
    fn queue(&mut self, op: RecordOp<T>) {
        apply(&mut self.records, std::slice::from_ref(&op));
        let Some(i) = self.unsaved.iter().position(|q| q.key() == op.key()) else {
            self.unsaved.push(op);
            return;
        };
        self.unsaved[i] = match (&self.unsaved[i], op) {
            (RecordOp::Put(_), RecordOp::Update(r)) => RecordOp::Put(r),
            (_, op) => op,
        };
    }

    fn adopt(&mut self, records: Vec<T>) -> Diff<T> {
        let changed = records
            .iter()
            .filter(|r| self.get(r.key()) != Some(*r))
            .cloned()
            .collect();
        let removed = self
            .records
            .iter()
            .filter(|old| !records.iter().any(|r| r.key() == old.key()))
            .map(|old| old.key().to_string())
            .collect();
        self.records = records;
        Diff { changed, removed }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Rec {
        id: String,
        v: u32,
    }

    impl Keyed for Rec {
        fn key(&self) -> &str {
            &self.id
        }
    }

    fn rec(id: &str, v: u32) -> Rec {
        Rec { id: id.into(), v }
    }

    #[test]
    fn apply_puts_updates_and_removes_by_key_only() {
        let mut list = vec![rec("b", 1), rec("a", 1)];
        apply(
            &mut list,
            &[
                RecordOp::Put(rec("c", 1)),
                RecordOp::Put(rec("a", 2)),
                RecordOp::Update(rec("gone", 1)),
                RecordOp::Update(rec("b", 3)),
                RecordOp::Remove("nope".into()),
            ],
        );
        assert_eq!(list, vec![rec("c", 1), rec("b", 3), rec("a", 2)]);
        apply(&mut list, &[RecordOp::Remove("b".into())]);
        assert_eq!(list, vec![rec("c", 1), rec("a", 2)]);
    }

    #[test]
    fn two_copies_keep_each_others_records() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("data"));
        let mut one = RecordSet::<Rec>::default();
        let mut two = RecordSet::<Rec>::default();
        one.put(rec("one", 1));
        one.save(&store, "r.json").unwrap();
        two.put(rec("two", 1));
        let (diff, _) = two.save(&store, "r.json").unwrap();
        assert_eq!(diff.changed, vec![rec("one", 1)], "two sees one's record");
        assert_eq!(two.records(), &[rec("two", 1), rec("one", 1)]);
        // One changes its record and removes nothing it does not name.
        one.modify("one", |r| r.v = 2);
        let (diff, _) = one.save(&store, "r.json").unwrap();
        assert_eq!(diff.changed, vec![rec("two", 1)]);
        assert_eq!(one.records(), &[rec("two", 1), rec("one", 2)]);
        // Two removes one's record explicitly; one's later update does not bring it back.
        assert!(two.remove("one"));
        two.save(&store, "r.json").unwrap();
        one.modify("one", |r| r.v = 3);
        let (diff, _) = one.save(&store, "r.json").unwrap();
        assert_eq!(diff.removed, vec!["one".to_string()]);
        let on_disk: Vec<Rec> = store.load("r.json").unwrap().unwrap();
        assert_eq!(on_disk, vec![rec("two", 1)]);
    }

    #[test]
    fn unsaved_changes_survive_a_reload_and_a_failed_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        store.save("r.json", &vec![rec("other", 1)]).unwrap();
        let mut mine = RecordSet::new(Vec::new());
        mine.put(rec("mine", 1));
        mine.modify("mine", |r| r.v = 2);
        assert_eq!(mine.unsaved(), &[RecordOp::Put(rec("mine", 2))]);
        let diff = mine.reloaded(store.load("r.json").unwrap().unwrap());
        assert_eq!(diff.changed, vec![rec("other", 1)]);
        assert_eq!(mine.records(), &[rec("mine", 2), rec("other", 1)]);
        // A folder in the way makes the write fail: the change stays queued.
        std::fs::remove_file(store.path("r.json")).unwrap();
        std::fs::create_dir(store.path("r.json")).unwrap();
        assert!(mine.save(&store, "r.json").is_err());
        assert!(mine.has_unsaved());
        std::fs::remove_dir(store.path("r.json")).unwrap();
        mine.save(&store, "r.json").unwrap();
        assert!(!mine.has_unsaved());
        let on_disk: Vec<Rec> = store.load("r.json").unwrap().unwrap();
        assert_eq!(on_disk, vec![rec("mine", 2), rec("other", 1)]);
    }

    #[test]
    fn a_corrupt_file_is_kept_aside_and_the_copy_written_in_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let mut mine = RecordSet::new(vec![rec("known", 1)]);
        std::fs::write(store.path("r.json"), b"[{torn").unwrap();
        mine.put(rec("new", 1));
        let (_, set_aside) = mine.save(&store, "r.json").unwrap();
        assert!(set_aside.is_some());
        assert!(store.path("r.json.corrupt").exists());
        let on_disk: Vec<Rec> = store.load("r.json").unwrap().unwrap();
        assert_eq!(on_disk, vec![rec("new", 1), rec("known", 1)]);
    }

    #[test]
    fn a_file_that_cannot_be_read_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        std::fs::create_dir(store.path("r.json")).unwrap();
        let mut mine = RecordSet::new(Vec::new());
        mine.put(rec("new", 1));
        assert!(mine.save(&store, "r.json").is_err());
        assert!(store.path("r.json").is_dir(), "left as it was");
        assert!(mine.has_unsaved(), "kept for the next write");
    }

    #[test]
    fn a_scoped_store_neither_sees_nor_changes_another_backends_records() {
        let dir = tempfile::tempdir().unwrap();
        let a = Store::new(dir.path()).for_backend("http://127.0.0.1:1/backend/");
        let b = Store::new(dir.path()).for_backend("http://127.0.0.1:2/backend");
        // A record from before the field existed belongs to whoever reads it.
        store_raw(&a, r#"[{"id":"old","v":1}]"#);
        let mut on_a = RecordSet::new(a.load::<Vec<Rec>>("r.json").unwrap().unwrap());
        assert_eq!(on_a.records(), &[rec("old", 1)]);
        on_a.put(rec("a", 1));
        on_a.save(&a, "r.json").unwrap();
        let mut on_b = RecordSet::new(b.load::<Vec<Rec>>("r.json").unwrap().unwrap());
        assert!(on_b.records().is_empty(), "B sees none of A's records");
        on_b.put(rec("b", 1));
        let (diff, _) = on_b.save(&b, "r.json").unwrap();
        assert!(diff.changed.is_empty(), "{diff:?}");
        assert_eq!(on_b.records(), &[rec("b", 1)]);
        assert_eq!(
            b.read_if_changed::<Rec>("r.json", None).unwrap().unwrap().1,
            vec![rec("b", 1)]
        );
        // A's records are still on disk, tagged with A's URL, and A still sees only its own.
        let raw: Vec<serde_json::Value> = Store::new(dir.path()).load("r.json").unwrap().unwrap();
        let tagged: Vec<(&str, &str)> = raw
            .iter()
            .map(|r| (r["id"].as_str().unwrap(), r["backend"].as_str().unwrap()))
            .collect();
        assert_eq!(
            tagged,
            vec![
                ("b", "http://127.0.0.1:2/backend"),
                ("a", "http://127.0.0.1:1/backend"),
                ("old", "http://127.0.0.1:1/backend"),
            ]
        );
        let seen: Vec<Rec> = a.load("r.json").unwrap().unwrap();
        assert_eq!(seen, vec![rec("a", 1), rec("old", 1)]);
    }

    fn store_raw(store: &Store, text: &str) {
        std::fs::create_dir_all(store.dir()).unwrap();
        std::fs::write(store.path("r.json"), text).unwrap();
    }
}
