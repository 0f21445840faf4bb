//! Storyboard files and the storyboard autosave, in the data dir.
//!
//! The autosave (`storyboard.json`) is written by its own task, coalescing bursts of
//! keystrokes into one atomic write at most [`autosave::DELAY`] after the first of them, so a
//! crash or `kill -9` loses at most that fraction of a second of typing. Named storyboards are
//! `*.storyboard.toml` files in `<data dir>/storyboards/`; every operation on them is one short
//! blocking call run off the async threads.

mod autosave;
mod folder;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc::UnboundedSender;

use super::protocol::Event;
use crate::store::Store;
use crate::storyboard::Storyboard;

pub use folder::FOLDER;

/// What the Storyboard pane asks of the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum StoryboardRequest {
    /// Keep this as the autosave; written shortly (bursts coalesce) and at shutdown.
    Autosave(StoryboardAutosave),
    /// List the storyboard files; answered by `Listed` or `ListFailed`.
    List,
    /// Read a file: a `*.toml` storyboard, or any other text in the inline form
    /// `instructions [5.0s]scene [5.0s]scene`. Answered by `Opened` or `OpenFailed`.
    Open(PathBuf),
    /// Write a storyboard as TOML; answered by `Saved`, `SaveExists` or `SaveFailed`.
    Save {
        /// Where.
        target: SaveTarget,
        /// What (echoed in `Saved`, so the pane knows what the file holds).
        board: Storyboard,
    },
    /// Rename a file of the storyboards folder; answered by `Renamed` or `FileFailed`.
    Rename {
        /// The file.
        from: PathBuf,
        /// The new name, without the suffix (already checked by `file_stem`).
        to: String,
    },
    /// Delete a file of the storyboards folder; answered by `Deleted` or `FileFailed`.
    Delete(PathBuf),
}

/// Where a storyboard is saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveTarget {
    /// Over this file (the one the storyboard came from or was last saved to).
    File(PathBuf),
    /// `<name>.storyboard.toml` in the storyboards folder.
    Named {
        /// The name, without the suffix (already checked by `file_stem`).
        name: String,
        /// Replace a file of that name; without it an existing one is answered `SaveExists`.
        overwrite: bool,
    },
}

/// What the worker tells the Storyboard pane.
#[derive(Debug, Clone, PartialEq)]
pub enum StoryboardEvent {
    /// Sent once at start: the autosave of the last run, if any.
    Restored {
        /// The autosave.
        autosave: Option<StoryboardAutosave>,
        /// Why it could not be read (kept aside as `storyboard.json.corrupt`).
        warning: Option<String>,
    },
    /// The files of the storyboards folder, most recently changed first.
    Listed {
        /// The folder.
        folder: PathBuf,
        /// Its storyboard files.
        files: Vec<StoryboardFile>,
    },
    /// The folder could not be listed.
    ListFailed(String),
    /// A file was read.
    Opened {
        /// The file.
        path: PathBuf,
        /// Its storyboard.
        board: Storyboard,
        /// It was text in the inline form (an import), not a storyboard file.
        inline: bool,
    },
    /// A file could not be read or parsed; the message names the line when it can.
    OpenFailed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        error: String,
    },
    /// A storyboard was written.
    Saved {
        /// The file.
        path: PathBuf,
        /// What it now holds.
        board: Storyboard,
    },
    /// Saving under a name would replace an existing file: the pane asks first.
    SaveExists {
        /// The name.
        name: String,
    },
    /// A storyboard could not be written.
    SaveFailed(String),
    /// A file was renamed.
    Renamed {
        /// Old path.
        from: PathBuf,
        /// New path.
        to: PathBuf,
    },
    /// A file was deleted.
    Deleted(PathBuf),
    /// A rename or delete failed.
    FileFailed(String),
}

/// The Storyboard pane as autosaved: restored on the next start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryboardAutosave {
    /// The storyboard, including the text being typed.
    pub board: Storyboard,
    /// The selected shot.
    #[serde(default)]
    pub selected: usize,
    /// The file it was opened from or last saved to.
    #[serde(default)]
    pub file: Option<PathBuf>,
    /// Whether it changed since that file was written.
    #[serde(default)]
    pub dirty: bool,
}

/// One file of the storyboards folder, as the file picker lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryboardFile {
    /// Full path.
    pub path: PathBuf,
    /// The name without `.storyboard.toml`.
    pub name: String,
    /// Last modification, unix seconds.
    pub modified: Option<f64>,
    /// A summary, or why the file cannot be read (with its line).
    pub summary: Result<FileSummary, String>,
}

/// What a storyboard file holds, in brief.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FileSummary {
    /// Number of shots.
    pub shots: usize,
    /// Sum of their durations in seconds.
    pub total: f64,
    /// The chosen length in seconds.
    pub length: u32,
}

/// The worker's storyboard state.
pub struct Storyboards {
    /// `<data dir>/storyboards`.
    folder: PathBuf,
    /// The autosave writer task.
    autosave: autosave::Writer,
}

impl Storyboards {
    /// Reads the autosave, reports it as `Restored`, and starts the autosave writer.
    pub(super) async fn start(store: Store, events: &UnboundedSender<Event>) -> Storyboards {
        let (autosave, warning) = autosave::restore(&store).await;
        emit(events, StoryboardEvent::Restored { autosave, warning });
        Storyboards {
            folder: store.dir().join(FOLDER),
            autosave: autosave::Writer::spawn(store, events.clone()),
        }
    }

    /// Handles one request: the autosave is handed to its writer, file operations run on the
    /// blocking pool and are answered at once.
    pub(super) async fn handle(
        &mut self,
        request: StoryboardRequest,
        events: &UnboundedSender<Event>,
    ) {
        let folder = self.folder.clone();
        let job: Box<dyn FnOnce() -> StoryboardEvent + Send> = match request {
            StoryboardRequest::Autosave(snapshot) => {
                self.autosave.offer(snapshot);
                return;
            }
            StoryboardRequest::List => Box::new(move || folder::list(&folder)),
            StoryboardRequest::Open(path) => Box::new(move || folder::open(path)),
            StoryboardRequest::Save { target, board } => {
                Box::new(move || folder::save(&folder, target, board))
            }
            StoryboardRequest::Rename { from, to } => {
                Box::new(move || folder::rename(&folder, from, &to))
            }
            StoryboardRequest::Delete(path) => Box::new(move || folder::delete(&folder, path)),
        };
        let answer = tokio::task::spawn_blocking(job).await.unwrap_or_else(|e| {
            StoryboardEvent::FileFailed(format!("the file operation stopped: {e}"))
        });
        emit(events, answer);
    }

    /// Writes the pending autosave before the worker stops.
    pub(super) async fn flush(&mut self) {
        self.autosave.close().await;
    }
}

fn emit(events: &UnboundedSender<Event>, event: StoryboardEvent) {
    let _ = events.send(Event::Storyboard(event));
}
