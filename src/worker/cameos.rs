//! The cameo creation flows and the record of created cameos (`cameos.json`).
//!
//! Layout: `book` is the record shared with the jobs (one lock, every change saved and
//! reported under it); `flow` holds the jobs (upload, watch processing, finalize, visibility,
//! delete). This file restores the record at start, resumes unfinished flows, and turns the
//! Cameos pane's requests into jobs, one flow per cameo at a time.

mod book;
mod flow;
mod from_draft;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::{AbortHandle, JoinSet};

use super::protocol::Event;
use super::submit::unix_now;
use crate::api::Client;
use crate::cameo_record::{CameoRecord, CameoStage};
use crate::store::Store;
// The watch of the data dir filters its events by this name.
pub(super) use book::CAMEOS_FILE;
use book::{Book, Timing};

/// What the Cameos pane asks of the worker. Every request names a record by its `key`.
#[derive(Debug, Clone, PartialEq)]
pub enum CameoRequest {
    /// Check the video by content and size, record the cameo, upload it and watch its
    /// processing. Answered by `Changed` (recorded, uploading...) or `CreateRejected` (the
    /// file check failed; nothing recorded). Re-using the key of a failed upload retries it.
    Create {
        /// The UI's key for the new record.
        key: String,
        /// The MP4 to upload.
        video: PathBuf,
        /// The clip's start and end seconds.
        clip: (f64, f64),
    },
    /// Check a cameo's processing again after polling stopped.
    CheckAgain {
        /// The record.
        key: String,
    },
    /// Finalize with these values: profile picture (once), finalize, then the visibility.
    /// Answered by `Changed` records, ending `Finalized` or `FinalizeFailed`.
    Finalize {
        /// The record.
        key: String,
        /// The username (already checked by the form).
        username: String,
        /// The display name.
        display_name: String,
        /// Make it public right after.
        public: bool,
    },
    /// Make a finalized cameo public or private; `Changed`, or `ActionFailed`.
    SetVisibility {
        /// The record.
        key: String,
        /// Public (`true`) or private.
        public: bool,
    },
    /// Stop following a cameo stuck in processing; it stays in the list as abandoned.
    Abandon {
        /// The record.
        key: String,
    },
    /// Delete a finalized cameo's character on the server, then the record; a cameo never
    /// finalized is only removed from the record. Answered by `Removed` or `ActionFailed`.
    Delete {
        /// The record.
        key: String,
    },
    /// Record a cameo made from one of the account's drafts (no file), send
    /// `/characters/from-generation` and watch its processing; from there on it is like a
    /// cameo from a file. Answered like `Create`; re-using the key of a failed first step
    /// retries it.
    CreateFromDraft {
        /// The UI's key for the new record.
        key: String,
        /// The draft's `gen_…` id.
        generation_id: String,
        /// The clip's start and end seconds within the draft.
        clip: (f64, f64),
    },
}

/// What the worker tells the Cameos pane.
#[derive(Debug, Clone, PartialEq)]
pub enum CameoEvent {
    /// The record read at start, newest first (sent once, before any `Changed`).
    Restored {
        /// The cameos created by earlier runs.
        records: Vec<CameoRecord>,
        /// A problem reading the record (shown; the file is kept aside).
        warning: Option<String>,
    },
    /// A record was added or changed (and is saved). Boxed: a record is large next to the
    /// other events.
    Changed(Box<CameoRecord>),
    /// The file check of a `Create` failed; nothing was recorded or uploaded.
    CreateRejected {
        /// The key the form used.
        key: String,
        /// What is wrong with the file, and what to do.
        error: String,
    },
    /// A record was removed (deleted on the server, or never finalized).
    Removed {
        /// The record's key.
        key: String,
    },
    /// A one-shot action failed; the record is unchanged.
    ActionFailed {
        /// The record.
        key: String,
        /// `make public`, `make private`, `delete`...
        what: String,
        /// Why, worded for the user.
        error: String,
    },
    /// `username/check` said the name of a `Finalize` is taken: nothing was sent or
    /// recorded, the record keeps its stage, and the form asks again with the suggestion.
    UsernameTaken {
        /// The record.
        key: String,
        /// The name that is taken.
        username: String,
        /// A free name offered instead (the hint's last part plus three digits, checked),
        /// if one was found.
        suggestion: Option<String>,
    },
}

/// The worker's cameo state: the shared record and the flow job running per cameo.
pub struct Cameos {
    book: Arc<Book>,
    /// The upload/watch/finalize job of each cameo that has one, to refuse a second flow and
    /// to stop the watch of an abandoned cameo.
    flows: HashMap<String, AbortHandle>,
}

impl Cameos {
    /// Restores the record, reports it, and resumes unfinished flows as jobs.
    pub(super) async fn start(
        client: &Client,
        store: Store,
        events: &UnboundedSender<Event>,
        jobs: &mut JoinSet<()>,
        poll: std::time::Duration,
    ) -> Cameos {
        let (records, warning, rewritten) = restore(store.clone()).await;
        let book = Arc::new(Book::new(
            store,
            events.clone(),
            records,
            Timing::with_poll(poll),
        ));
        if !rewritten.is_empty() {
            // Saved before anything else can change it.
            let writer = book.clone();
            let _ = tokio::task::spawn_blocking(move || writer.rewrite(&rewritten)).await;
        }
        let records = book.all();
        book.emit(CameoEvent::Restored { records, warning });
        let mut cameos = Cameos {
            book,
            flows: HashMap::new(),
        };
        for record in cameos.book.all() {
            match record.stage {
                CameoStage::Processing { .. } => {
                    let job = flow::watch(cameos.book.clone(), client.clone(), record.key.clone());
                    cameos.flows.insert(record.key, jobs.spawn(job));
                }
                CameoStage::Finalizing { .. } => {
                    let job = flow::finish(cameos.book.clone(), client.clone(), record.key.clone());
                    cameos.flows.insert(record.key, jobs.spawn(job));
                }
                _ => {}
            }
        }
        cameos
    }

    /// Handles one request; long work goes into `jobs`.
    pub(super) async fn handle(
        &mut self,
        request: CameoRequest,
        client: &Client,
        _events: &UnboundedSender<Event>,
        jobs: &mut JoinSet<()>,
    ) {
        let book = self.book.clone();
        let client = client.clone();
        match request {
            CameoRequest::Create { key, video, clip } => {
                if self.busy(&key) {
                    return;
                }
                // Only a failed upload is uploaded again: anything later in the flow would
                // be thrown away by a new upload.
                if book
                    .get(&key)
                    .is_some_and(|r| !matches!(r.stage, CameoStage::UploadFailed { .. }))
                {
                    book.emit(CameoEvent::CreateRejected {
                        key,
                        error: "this cameo is already uploaded: start a new one instead".into(),
                    });
                    return;
                }
                let new = flow::NewCameo {
                    key: key.clone(),
                    video,
                    clip,
                    // Whole seconds: they read back from JSON exactly (a fraction may not),
                    // and the pane shows minutes.
                    created_at: unix_now().floor(),
                };
                self.flows
                    .insert(key, jobs.spawn(flow::create(book, client, new)));
            }
            CameoRequest::CheckAgain { key } => {
                if self.busy(&key) {
                    return;
                }
                let marked = book.change(&key, |r| {
                    if matches!(r.stage, CameoStage::PollStopped { .. }) {
                        r.stage = CameoStage::Processing {
                            status: "checking again".into(),
                        };
                    }
                });
                if marked.is_some_and(|r| matches!(r.stage, CameoStage::Processing { .. })) {
                    self.flows
                        .insert(key.clone(), jobs.spawn(flow::watch(book, client, key)));
                }
            }
            CameoRequest::Finalize {
                key,
                username,
                display_name,
                public,
            } => {
                if self.busy(&key) {
                    return;
                }
                let waiting = book.get(&key).is_some_and(|r| {
                    matches!(
                        r.stage,
                        CameoStage::Ready | CameoStage::FinalizeFailed { .. }
                    )
                });
                if !waiting {
                    book.emit(CameoEvent::ActionFailed {
                        key,
                        what: "finalize".into(),
                        error: "this cameo is not waiting to be finalized".into(),
                    });
                    return;
                }
                let choice = flow::Choice {
                    username,
                    display_name,
                    public,
                };
                let job = flow::finalize(book, client, key.clone(), choice);
                self.flows.insert(key, jobs.spawn(job));
            }
            CameoRequest::SetVisibility { key, public } => {
                jobs.spawn(flow::set_visibility(book, client, key, public));
            }
            CameoRequest::Abandon { key } => {
                if let Some(job) = self.flows.remove(&key) {
                    job.abort();
                }
                book.change(&key, |r| {
                    if matches!(
                        r.stage,
                        CameoStage::Processing { .. } | CameoStage::PollStopped { .. }
                    ) {
                        r.stage = CameoStage::Abandoned;
                    }
                });
            }
            CameoRequest::Delete { key } => {
                let Some(record) = book.get(&key) else {
                    // Already gone: tell the UI so its copy agrees.
                    book.emit(CameoEvent::Removed { key });
                    return;
                };
                match record.character_id {
                    Some(character_id) => {
                        jobs.spawn(flow::delete(book, client, key, character_id));
                    }
                    None => {
                        // Never finalized: nothing exists on the server to delete.
                        if let Some(job) = self.flows.remove(&key) {
                            job.abort();
                        }
                        book.remove(&key);
                    }
                }
            }
            CameoRequest::CreateFromDraft {
                key,
                generation_id,
                clip,
            } => {
                if self.busy(&key) {
                    return;
                }
                if let Some(error) = from_draft::refusal(&book, &key) {
                    book.emit(CameoEvent::CreateRejected { key, error });
                    return;
                }
                let new = from_draft::NewDraftCameo {
                    key: key.clone(),
                    generation_id,
                    clip,
                    created_at: unix_now().floor(),
                };
                self.flows
                    .insert(key, jobs.spawn(from_draft::create(book, client, new)));
            }
        }
    }

    /// Whether a flow job is running for `key` (a second one would race the first).
    fn busy(&mut self, key: &str) -> bool {
        self.flows.retain(|_, job| !job.is_finished());
        let busy = self.flows.contains_key(key);
        if busy {
            tracing::debug!(%key, "a cameo flow is already running; request ignored");
        }
        busy
    }

    /// Adopts and reports what other instances on the data dir wrote to `cameos.json`, so
    /// their cameos can be finalized, shown and deleted here too.
    pub(super) async fn sync(&self) {
        let book = self.book.clone();
        let _ = tokio::task::spawn_blocking(move || book.sync()).await;
    }

    /// Writes what is pending before the worker stops: nothing, since every change is
    /// written when it happens. Aborted jobs resume from the record at the next start.
    pub(super) async fn flush(&mut self) {}
}

/// How a stage reads back at start: an upload cannot be resumed (the request died with the
/// process, and the server may or may not have the video), so it becomes a failed upload
/// that keeps the file and clip for a retry.
fn load_stage(record: &CameoRecord) -> CameoStage {
    match record.stage {
        CameoStage::Uploading if record.draft.is_some() => CameoStage::UploadFailed {
            reason: "making it from the draft was interrupted when sora-tui stopped: send it again"
                .into(),
        },
        CameoStage::Uploading => CameoStage::UploadFailed {
            reason: "the upload was interrupted when sora-tui stopped: upload it again".into(),
        },
        ref other => other.clone(),
    }
}

/// Reads `cameos.json` off the async threads; an unreadable file becomes a warning (the store
/// keeps it aside as `cameos.json.corrupt`). Stages are read back with [`load_stage`]; the
/// keys are those of the records whose stage it changed.
async fn restore(store: Store) -> (Vec<CameoRecord>, Option<String>, Vec<String>) {
    let read = tokio::task::spawn_blocking(move || store.load::<Vec<CameoRecord>>(CAMEOS_FILE));
    let (mut records, warning) = match read.await {
        Ok(Ok(records)) => (records.unwrap_or_default(), None),
        Ok(Err(e)) => (
            Vec::new(),
            Some(format!("the record of your cameos could not be read: {e}")),
        ),
        Err(e) => (
            Vec::new(),
            Some(format!("the record of your cameos could not be read ({e})")),
        ),
    };
    let mut rewritten = Vec::new();
    for r in &mut records {
        let stage = load_stage(r);
        if stage != r.stage {
            rewritten.push(r.key.clone());
        }
        r.stage = stage;
    }
    (records, warning, rewritten)
}
