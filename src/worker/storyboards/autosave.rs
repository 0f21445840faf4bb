//! The storyboard autosave: restored at start, written by a task of its own that coalesces
//! bursts (one write per keystroke would fsync dozens of times a second) but never waits for
//! a pause in typing, so the file on disk is never more than [`DELAY`] behind the pane.
//! One task writes, so writes of the document never overlap or land out of order.

use std::time::Duration;

use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::StoryboardAutosave;
use crate::store::Store;
use crate::worker::protocol::Event;

/// The autosave document in the data dir.
pub(super) const AUTOSAVE_FILE: &str = "storyboard.json";
/// The longest a change waits before it is written: the first change of a burst sets the
/// deadline and later ones ride along.
pub(super) const DELAY: Duration = Duration::from_millis(250);
/// How long shutdown waits for the last write.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// Reads the last run's autosave off the async threads; an unreadable one becomes a warning
/// (the store keeps it aside as `storyboard.json.corrupt`).
pub(super) async fn restore(store: &Store) -> (Option<StoryboardAutosave>, Option<String>) {
    let store = store.clone();
    tokio::task::spawn_blocking(move || match store.load(AUTOSAVE_FILE) {
        Ok(autosave) => (autosave, None),
        Err(e) => (
            None,
            Some(format!("the autosaved storyboard could not be read: {e}")),
        ),
    })
    .await
    .unwrap_or_else(|e| {
        (
            None,
            Some(format!("the autosaved storyboard could not be read: {e}")),
        )
    })
}

/// The handle of the writer task.
pub(super) struct Writer {
    /// Snapshots to write; `None` once closed.
    snapshots: Option<UnboundedSender<StoryboardAutosave>>,
    /// The task, awaited at close.
    task: Option<JoinHandle<()>>,
}

impl Writer {
    /// Starts the writer task; failures to write are reported as `StoreFailed`.
    pub fn spawn(store: Store, events: UnboundedSender<Event>) -> Writer {
        let (tx, rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(write_loop(store, events, rx, DELAY));
        Writer {
            snapshots: Some(tx),
            task: Some(task),
        }
    }

    /// Queues `snapshot` as the latest state to write.
    pub fn offer(&self, snapshot: StoryboardAutosave) {
        if let Some(tx) = &self.snapshots {
            let _ = tx.send(snapshot);
        }
    }

    /// Writes what is pending at once and stops the task.
    pub async fn close(&mut self) {
        // Closing the channel ends the coalescing wait early: the last snapshot is written now.
        self.snapshots = None;
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(CLOSE_WAIT, task).await;
        }
    }
}

/// Waits for a snapshot, collects newer ones until `delay` after the first, writes the latest;
/// when the channel closes, writes what it holds and ends.
async fn write_loop(
    store: Store,
    events: UnboundedSender<Event>,
    mut snapshots: UnboundedReceiver<StoryboardAutosave>,
    delay: Duration,
) {
    while let Some(mut latest) = snapshots.recv().await {
        let deadline = Instant::now() + delay;
        let mut closed = false;
        loop {
            match tokio::time::timeout_at(deadline, snapshots.recv()).await {
                Ok(Some(newer)) => latest = newer,
                Ok(None) => {
                    closed = true;
                    break;
                }
                Err(_) => break,
            }
        }
        write(&store, &events, latest).await;
        if closed {
            return;
        }
    }
}

async fn write(store: &Store, events: &UnboundedSender<Event>, snapshot: StoryboardAutosave) {
    let store = store.clone();
    let written = tokio::task::spawn_blocking(move || store.save(AUTOSAVE_FILE, &snapshot))
        .await
        .map_err(|e| format!("{AUTOSAVE_FILE}: the write did not finish ({e})"))
        .and_then(|r| r.map_err(|e| e.to_string()));
    if let Err(message) = written {
        let _ = events.send(Event::StoreFailed(message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storyboard::{Shot, Storyboard};

    fn snap(scene: &str) -> StoryboardAutosave {
        StoryboardAutosave {
            board: Storyboard {
                shots: vec![Shot {
                    duration: 5.0,
                    scene: scene.into(),
                }],
                ..Storyboard::default()
            },
            selected: 0,
            file: None,
            dirty: true,
        }
    }

    fn on_disk(store: &Store) -> Option<String> {
        store
            .load::<StoryboardAutosave>(AUTOSAVE_FILE)
            .expect("readable")
            .map(|a| a.board.shots[0].scene.clone())
    }

    #[tokio::test]
    async fn continuous_typing_is_written_without_waiting_for_a_pause() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::new(dir.path());
        let (events, _rx) = mpsc::unbounded_channel();
        let mut writer = Writer::spawn(store.clone(), events);
        // A keystroke every 10 ms, never pausing: a write still lands (bounded wait, no timing).
        let mut typed = String::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let written = loop {
            typed.push('x');
            writer.offer(snap(&typed));
            if let Some(scene) = on_disk(&store) {
                break scene;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "nothing written while typing"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        assert!(written.chars().all(|c| c == 'x') && !written.is_empty());
        // Close writes the latest at once, however recent.
        writer.offer(snap("last words"));
        writer.close().await;
        assert_eq!(on_disk(&store).as_deref(), Some("last words"));
        writer.offer(snap("ignored after close"));
    }

    #[tokio::test]
    async fn restore_reads_back_and_reports_corruption() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::new(dir.path());
        assert_eq!(restore(&store).await, (None, None));
        store.save(AUTOSAVE_FILE, &snap("kept")).expect("save");
        assert_eq!(restore(&store).await, (Some(snap("kept")), None));
        std::fs::write(store.path(AUTOSAVE_FILE), b"{torn").expect("write");
        let (autosave, warning) = restore(&store).await;
        assert_eq!(autosave, None);
        assert!(warning.is_some_and(|w| w.contains("corrupt")));
    }
}
