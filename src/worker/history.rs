//! The worker's side of the local history (`crate::history`): it records every submission
//! with its exact settings when its task is written down, the task's results when it
//! finishes, the facts the UI learned (drafts seen, publications) and the files downloaded
//! (hashed here, off the loop), and tells the UI what changed.
//!
//! `history.json` is a record list of the store (scoped to the backend like `tasks.json`),
//! changed only by one locked read-modify-write per batch of facts
//! ([`crate::store::Store::update_list`]) that merges them into what the file holds *now*
//! with [`crate::history::merge`]: entries another instance wrote are kept and their facts
//! joined, never overwritten wholesale. A write happens only when a fact is new.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::Mutex;
use tokio::sync::mpsc::UnboundedSender;

use super::protocol::{Event, Submission, SubmissionKind};
use crate::history::{
    self, Download, EntryKind, HISTORY_FILE, HistoryEntry, Origin, Sent, SentSettings,
};
use crate::store::Store;
use crate::track::{TaskKind, TaskPhase, TaskRecord};

/// What the UI asks of the history.
#[derive(Debug, Clone, PartialEq)]
pub enum HistoryRequest {
    /// Facts about the submission `local_id` that the [`Submission`] does not carry, sent
    /// just before it: recorded with it when its task is written down.
    Note {
        /// The submission it belongs to.
        local_id: u64,
        /// The facts.
        note: SubmitNote,
    },
    /// Facts learned about generations (drafts seen in the list, a publication), merged in.
    Record(Vec<HistoryEntry>),
    /// A file was saved for a draft: it is hashed and recorded under `key`.
    Downloaded {
        /// The entry's key (`history::key_for`).
        key: String,
        /// The draft.
        gen_id: String,
        /// Where the file is.
        path: PathBuf,
        /// Whether it is the copy without the watermark.
        clean: bool,
    },
}

/// What a submission's history entry records beyond the submission itself. A submission the
/// local queue holds keeps its note in `queue.json`, so a restart before it is sent loses
/// nothing.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct SubmitNote {
    /// The generation it re-runs, if it is a re-run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// The storyboard file it was sent from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storyboard_file: Option<String>,
}

/// What the worker tells the UI about the history.
#[derive(Debug, Clone, PartialEq)]
pub enum HistoryEvent {
    /// Everything recorded, at start (newest first).
    Loaded(Vec<HistoryEntry>),
    /// These entries were added or gained facts (as they now are in the file).
    Changed(Vec<HistoryEntry>),
}

/// The history as the worker holds it: a handle shared by the loop and the download
/// hashing jobs.
#[derive(Clone)]
pub(super) struct History {
    store: Store,
    inner: Arc<Mutex<Inner>>,
    events: UnboundedSender<Event>,
}

#[derive(Default)]
struct Inner {
    /// The worker's copy of the file: what a write is checked against first, so a fact
    /// already known costs no write.
    entries: Vec<HistoryEntry>,
    /// Submissions sent and not yet recorded, by `local_id`.
    pending: HashMap<u64, (Option<Submission>, SubmitNote)>,
}

impl History {
    /// Reads `history.json` and sends it to the UI; an unreadable file is reported (the
    /// store keeps it aside as `.corrupt`) and the history starts empty.
    pub async fn load(store: Store, events: &UnboundedSender<Event>) -> History {
        let read = {
            let store = store.clone();
            tokio::task::spawn_blocking(move || store.load::<Vec<HistoryEntry>>(HISTORY_FILE)).await
        };
        let entries = match read {
            Ok(Ok(entries)) => entries.unwrap_or_default(),
            Ok(Err(e)) => {
                let _ = events.send(Event::StoreFailed(format!(
                    "the history could not be read: {e}"
                )));
                Vec::new()
            }
            Err(e) => {
                let _ = events.send(Event::StoreFailed(format!(
                    "the history could not be read: {e}"
                )));
                Vec::new()
            }
        };
        let _ = events.send(Event::History(HistoryEvent::Loaded(entries.clone())));
        History {
            store,
            inner: Arc::new(Mutex::new(Inner {
                entries,
                ..Inner::default()
            })),
            events: events.clone(),
        }
    }

    /// Handles a request of the UI; a download is hashed off the loop.
    pub async fn handle(&self, request: HistoryRequest, jobs: &mut tokio::task::JoinSet<()>) {
        match request {
            HistoryRequest::Note { local_id, note } => {
                self.inner
                    .lock()
                    .await
                    .pending
                    .entry(local_id)
                    .or_default()
                    .1 = note;
            }
            HistoryRequest::Record(entries) => {
                let now = crate::text::unix_now();
                let stamped = entries
                    .into_iter()
                    .map(|mut e| {
                        e.updated_at = now;
                        e
                    })
                    .collect();
                self.record(stamped).await;
            }
            HistoryRequest::Downloaded {
                key,
                gen_id,
                path,
                clean,
            } => {
                let history = self.clone();
                jobs.spawn(async move { history.downloaded(key, gen_id, path, clean).await });
            }
        }
    }

    /// A submission is being sent: kept until its task is recorded ([`History::submitted`]).
    pub async fn expect(&self, sub: &Submission) {
        self.inner
            .lock()
            .await
            .pending
            .entry(sub.local_id)
            .or_default()
            .0 = Some(sub.clone());
    }

    /// The submission `local_id` became the task `record`: its entry, with exactly what was
    /// sent, is written.
    pub async fn submitted(&self, local_id: u64, record: &TaskRecord) {
        let pending = self.inner.lock().await.pending.remove(&local_id);
        let Some((Some(sub), note)) = pending else {
            return;
        };
        self.record(vec![submission_entry(&sub, note, record)])
            .await;
    }

    /// The notes of submissions the local queue is about to hold, in the order of
    /// `local_ids`: they leave the history's memory and are written with the items
    /// (`queue.json`), to come back with [`History::started_queued`].
    pub async fn take_notes(&self, local_ids: &[u64]) -> Vec<Option<SubmitNote>> {
        let mut inner = self.inner.lock().await;
        local_ids
            .iter()
            .map(|id| {
                let (_, note) = inner.pending.remove(id)?;
                (note != SubmitNote::default()).then_some(note)
            })
            .collect()
    }

    /// The queue's item became the task `record`: its entry is written as a direct
    /// submission's is ([`History::submitted`]), with the note it was held with.
    pub async fn started_queued(&self, item: &super::QueuedItem, record: &TaskRecord) {
        let note = item.note.clone().unwrap_or_default();
        self.record(vec![submission_entry(&item.submission, note, record)])
            .await;
    }

    /// Tasks changed: the finished ones get their generation ids and finishing time.
    pub async fn tasks_changed(&self, records: &[TaskRecord]) {
        let entries: Vec<HistoryEntry> = records
            .iter()
            .filter_map(|r| {
                let TaskPhase::Done { generation_ids, .. } = &r.phase else {
                    return None;
                };
                Some(HistoryEntry {
                    key: r.task_id.clone(),
                    kind: entry_kind(r.kind),
                    task_id: Some(r.task_id.clone()),
                    generation_ids: generation_ids.clone(),
                    finished_at: r.finished_at,
                    updated_at: r.finished_at.unwrap_or_else(crate::text::unix_now),
                    ..HistoryEntry::default()
                })
            })
            .collect();
        if !entries.is_empty() {
            self.record(entries).await;
        }
    }

    /// Hashes a downloaded file and records it.
    async fn downloaded(&self, key: String, gen_id: String, path: PathBuf, clean: bool) {
        let file = path.clone();
        let hashed = tokio::task::spawn_blocking(move || super::transfers::hash_file(&file)).await;
        let (bytes, sha256) = match hashed {
            Ok(Ok(h)) => h,
            Ok(Err(e)) => {
                let _ = self.events.send(Event::StoreFailed(format!(
                    "the download {} could not be hashed for the history: {e}",
                    path.display()
                )));
                return;
            }
            Err(_) => return,
        };
        let now = crate::text::unix_now();
        let entry = HistoryEntry {
            key,
            generation_ids: vec![gen_id.clone()],
            downloads: vec![Download {
                gen_id,
                path: path.display().to_string(),
                bytes,
                sha256,
                clean,
                at: now,
            }],
            updated_at: now,
            ..HistoryEntry::default()
        };
        self.record(vec![entry]).await;
    }

    /// Merges `entries` into the file (under its lock, with what other instances wrote) when
    /// one of them adds a fact to the worker's copy, adopts the file, and tells the UI which
    /// entries changed.
    pub async fn record(&self, entries: Vec<HistoryEntry>) {
        let mut inner = self.inner.lock().await;
        let mut probe = inner.entries.clone();
        if history::merge(&mut probe, &entries).is_empty() {
            return;
        }
        let store = self.store.clone();
        let write = tokio::task::spawn_blocking(move || {
            store.update_list::<HistoryEntry, _>(HISTORY_FILE, |records| {
                history::merge(records, &entries);
                history::bound(records);
                (records.clone(), true)
            })
        })
        .await;
        let merged = match write {
            Ok(Ok(merged)) => merged,
            Ok(Err(e)) => {
                let _ = self.events.send(Event::StoreFailed(format!(
                    "the history could not be written: {e}"
                )));
                return;
            }
            Err(e) => {
                let _ = self.events.send(Event::StoreFailed(format!(
                    "the history write did not finish: {e}"
                )));
                return;
            }
        };
        let old: HashMap<&str, &HistoryEntry> =
            inner.entries.iter().map(|e| (e.key.as_str(), e)).collect();
        let changed: Vec<HistoryEntry> = merged
            .iter()
            .filter(|e| old.get(e.key.as_str()) != Some(e))
            .cloned()
            .collect();
        drop(old);
        inner.entries = merged;
        drop(inner);
        if !changed.is_empty() {
            let _ = self
                .events
                .send(Event::History(HistoryEvent::Changed(changed)));
        }
    }
}

fn entry_kind(kind: TaskKind) -> EntryKind {
    match kind {
        TaskKind::Video => EntryKind::Video,
        TaskKind::Storyboard => EntryKind::Storyboard,
        TaskKind::Image => EntryKind::Image,
    }
}

/// The entry of a submission whose task is `record`: what was sent, exactly.
pub(super) fn submission_entry(
    sub: &Submission,
    note: SubmitNote,
    record: &TaskRecord,
) -> HistoryEntry {
    let image = sub.image.as_ref().map(|p| p.display().to_string());
    let (settings, remix_of) = match &sub.kind {
        SubmissionKind::Video { settings, remix } => (
            SentSettings::Video {
                video: *settings,
                remix: remix.clone(),
                image: image.filter(|_| remix.is_none()),
            },
            remix
                .as_deref()
                .and_then(|r| crate::api::params::remix_target_id(r).ok()),
        ),
        SubmissionKind::Image { shape, variants } => (
            SentSettings::Image {
                shape: *shape,
                variants: *variants,
                image,
            },
            None,
        ),
        SubmissionKind::Storyboard { settings } => (
            SentSettings::Storyboard {
                video: *settings,
                file: note.storyboard_file.clone(),
            },
            None,
        ),
    };
    HistoryEntry {
        key: record.task_id.clone(),
        kind: entry_kind(record.kind),
        sent: Some(Sent {
            prompt: sub.prompt.clone(),
            settings,
            cameos: history::mentions(&sub.prompt),
            origin: note.origin,
        }),
        task_id: Some(record.task_id.clone()),
        prompt: Some(sub.prompt.clone()),
        remix_of,
        submitted_at: Some(record.submitted_at),
        updated_at: record.submitted_at,
        ..HistoryEntry::default()
    }
}
