//! The worker's documents in the data dir: the task record (`tasks.json`) and the prompt
//! autosave (`prompt.json`). Every write goes through the worker loop one at a time. The task
//! record is shared with other instances on the data dir: it is merged, never overwritten
//! ([`merge`]), and read again when the data-dir watch (`watch.rs`) says it changed, to see
//! what the others wrote ([`read_if_changed`]).

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use super::protocol::PromptSnapshot;
use crate::store::{Keyed, Merged, RecordOp, Stamp, Store};
use crate::track::TaskRecord;

/// The submitted tasks, newest first.
pub(super) const TASKS_FILE: &str = "tasks.json";
/// The Prompt pane's autosave.
pub(super) const PROMPT_FILE: &str = "prompt.json";
/// How long a prompt autosave waits for more keystrokes before it is written.
const PROMPT_SAVE_DELAY: Duration = Duration::from_millis(300);

/// What an earlier run left in the data dir.
pub(super) struct Restored {
    /// Recorded tasks, newest first.
    pub tasks: Vec<TaskRecord>,
    /// The prompt autosave.
    pub prompt: Option<PromptSnapshot>,
    /// Problems reading either document, worded for the user.
    pub warnings: Vec<String>,
}

/// Reads both documents off the async threads. An unreadable document becomes a warning
/// (the store has already kept it aside as `NAME.corrupt`), never a reason not to start.
pub(super) async fn restore(store: &Store) -> Restored {
    let store = store.clone();
    let read = tokio::task::spawn_blocking(move || {
        let mut warnings = Vec::new();
        let tasks = store
            .load::<Vec<TaskRecord>>(TASKS_FILE)
            .unwrap_or_else(|e| {
                warnings.push(format!(
                    "the record of submitted tasks could not be read: {e}"
                ));
                None
            })
            .unwrap_or_default();
        let prompt = store
            .load::<PromptSnapshot>(PROMPT_FILE)
            .unwrap_or_else(|e| {
                warnings.push(format!("the saved prompt could not be read: {e}"));
                None
            });
        Restored {
            tasks,
            prompt,
            warnings,
        }
    });
    read.await.unwrap_or_else(|e| Restored {
        tasks: Vec::new(),
        prompt: None,
        warnings: vec![format!("the data dir could not be read: {e}")],
    })
}

/// Writes one document atomically on the blocking pool; the error is worded for the user.
pub(super) async fn save<T>(store: &Store, name: &'static str, value: T) -> Result<(), String>
where
    T: Serialize + Send + 'static,
{
    let store = store.clone();
    tokio::task::spawn_blocking(move || store.save(name, &value))
        .await
        .map_err(|e| format!("{name}: the write did not finish ({e})"))?
        .map_err(|e| e.to_string())
}

/// Merges this instance's changes into a shared record file on the blocking pool (see
/// `store::Store::merge`); the error is worded for the user.
pub(super) async fn merge<T>(
    store: &Store,
    name: &'static str,
    ops: Vec<RecordOp<T>>,
    known: Vec<T>,
) -> Result<Merged<T>, String>
where
    T: Keyed + Clone + Serialize + DeserializeOwned + Send + 'static,
{
    let store = store.clone();
    tokio::task::spawn_blocking(move || store.merge(name, &ops, &known))
        .await
        .map_err(|e| format!("{name}: the write did not finish ({e})"))?
        .map_err(|e| e.to_string())
}

/// Reads a shared record file on the blocking pool unless it is as it was at `seen`.
pub(super) async fn read_if_changed<T>(
    store: &Store,
    name: &'static str,
    seen: Option<Stamp>,
) -> Result<Option<(Stamp, Vec<T>)>, String>
where
    T: DeserializeOwned + Send + 'static,
{
    let store = store.clone();
    tokio::task::spawn_blocking(move || store.read_if_changed(name, seen))
        .await
        .map_err(|e| format!("{name}: the read did not finish ({e})"))?
        .map_err(|e| e.to_string())
}

/// Coalesces prompt autosaves: bursts of snapshots become one write of the latest, at most
/// one write per [`PROMPT_SAVE_DELAY`], so typing does not fsync on every keystroke.
#[derive(Debug, Default)]
pub(super) struct PromptAutosave {
    latest: Option<PromptSnapshot>,
    due: Option<Instant>,
}

impl PromptAutosave {
    /// Keeps `snapshot` as the one to write; the first snapshot of a burst sets the deadline
    /// and later ones do not move it, so continuous typing still saves regularly.
    pub fn offer(&mut self, snapshot: PromptSnapshot, now: Instant) {
        self.latest = Some(snapshot);
        self.due.get_or_insert(now + PROMPT_SAVE_DELAY);
    }

    /// When the pending snapshot should be written, if there is one.
    pub fn due(&self) -> Option<Instant> {
        self.due
    }

    /// The snapshot to write now (clears the deadline).
    pub fn take(&mut self) -> Option<PromptSnapshot> {
        self.due = None;
        self.latest.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(text: &str) -> PromptSnapshot {
        PromptSnapshot {
            text: text.into(),
            ..PromptSnapshot::default()
        }
    }

    #[test]
    fn autosave_keeps_the_latest_and_the_first_deadline() {
        let mut a = PromptAutosave::default();
        assert_eq!(a.due(), None);
        let t0 = Instant::now();
        a.offer(snap("a"), t0);
        a.offer(snap("ab"), t0 + Duration::from_millis(200));
        assert_eq!(a.due(), Some(t0 + PROMPT_SAVE_DELAY));
        assert_eq!(a.take(), Some(snap("ab")));
        assert_eq!(a.due(), None);
        assert_eq!(a.take(), None);
    }

    #[tokio::test]
    async fn restore_reports_a_corrupt_record_and_goes_on() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::new(dir.path());
        std::fs::write(store.path(TASKS_FILE), b"[{torn").expect("write");
        save(&store, PROMPT_FILE, snap("kept")).await.expect("save");
        let r = restore(&store).await;
        assert!(r.tasks.is_empty());
        assert_eq!(r.prompt, Some(snap("kept")));
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert!(r.warnings[0].contains("corrupt"), "{:?}", r.warnings);
    }
}
