//! All UI state as plain data. Changed only by [`super::update`]; read by `ui::draw`.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;

use ratatui_textarea::TextArea;

use crate::api::{ApiError, Draft, ImageShape, Me, Quota, VideoSettings};
use crate::track::TaskRecord;

pub use super::keymap::Keymap;

/// The five panes, in `1`-`5` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    /// Write a prompt and its settings; submit.
    #[default]
    Prompt,
    /// Multi-shot authoring.
    Storyboard,
    /// Submitted tasks with live progress.
    Tasks,
    /// The account's drafts.
    Drafts,
    /// Cameos.
    Cameos,
}

impl Pane {
    /// All panes in order.
    pub const ALL: [Pane; 5] = [
        Pane::Prompt,
        Pane::Storyboard,
        Pane::Tasks,
        Pane::Drafts,
        Pane::Cameos,
    ];

    /// Title shown in the tab bar.
    pub fn title(self) -> &'static str {
        match self {
            Pane::Prompt => "Prompt",
            Pane::Storyboard => "Storyboard",
            Pane::Tasks => "Tasks",
            Pane::Drafts => "Drafts",
            Pane::Cameos => "Cameos",
        }
    }

    /// Position in [`Pane::ALL`].
    pub fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

/// Where a piece of data stands, so the first frame never waits on the network.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Loading {
    /// Not asked yet.
    #[default]
    Idle,
    /// Asked, no answer yet.
    Loading,
    /// Answered.
    Loaded,
    /// Failed with this message (already classified and phrased).
    Failed(String),
}

/// A request being retried, as the status bar shows it: `rate limited · next try in 12 s`.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryStatus {
    /// The call, e.g. `GET /nf/pending` (a later notice for another call replaces it).
    pub what: String,
    /// Why, in a few words.
    pub reason: String,
    /// When the next try happens, in unix seconds.
    pub until_unix: f64,
}

/// The backend connection as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Connection {
    /// Nothing heard yet.
    #[default]
    Connecting,
    /// The last call worked.
    Online,
    /// The last call failed; the message says what to do.
    Trouble(String),
}

/// A transient message in the corner.
#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    /// What happened.
    pub text: String,
    /// Error toasts stay longer and are drawn in the error colour.
    pub error: bool,
    /// Unix seconds after which it disappears.
    pub until: f64,
}

/// How many messages the log keeps (the newest).
pub const LOG_MAX: usize = 100;

/// A message as the log keeps it: every toast, so a missed one can be read again.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    /// Unix seconds when it was shown.
    pub at: f64,
    /// What it said, sanitised.
    pub text: String,
    /// Whether it was an error toast.
    pub error: bool,
}

/// A dialog on top of everything; keys go to it first.
#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    /// The help overlay (built from the live keymap), with its scroll position and filter.
    Help(super::keymap::HelpState),
    /// The message log: the config problems, then every toast, newest first.
    Log {
        /// The first entry shown (0: the top).
        scroll: usize,
    },
    /// "Are you sure?" — `y` runs the action, anything else cancels.
    Confirm {
        /// The question.
        question: String,
        /// What `y` does.
        action: ConfirmAction,
    },
}

/// Actions that need a confirmation.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfirmAction {
    /// Quit although work is in flight.
    Quit,
    /// Delete the post of a draft.
    Unpublish {
        /// `gen_…`.
        gen_id: String,
        /// `s_…`.
        post_id: String,
    },
    /// Remove a finished task from the list.
    DismissTask {
        /// `task_…`.
        task_id: String,
    },
    /// A Storyboard pane action (delete a shot, delete a file...).
    Storyboard(super::storyboard::StoryboardConfirm),
    /// A Cameos pane action (delete a cameo, abandon one...).
    Cameo(super::cameos::CameoConfirm),
}

/// The Prompt pane: the editor and the generation settings beside it.
pub struct PromptPane {
    /// The multi-line editor.
    pub editor: TextArea<'static>,
    /// Whether keys go to the editor (`i`/`Enter` start, `Esc` stops).
    pub typing: bool,
    /// Image instead of video.
    pub image_mode: bool,
    /// Video settings.
    pub video: VideoSettings,
    /// Image shape.
    pub shape: ImageShape,
    /// Image variants, 1-4.
    pub variants: u32,
    /// Input image path as typed (empty: none).
    pub image_path: String,
    /// Remix target as typed (empty: none).
    pub remix: String,
    /// Which one-line field is being edited, if any.
    pub field: Option<PromptField>,
    /// The open field's editor (cursor, completions); its text is copied into `image_path`
    /// or `remix` on every edit, so the rest of the program reads those.
    pub line: super::line_edit::LineEdit,
    /// Submitted prompts, newest last.
    pub history: Vec<String>,
    /// Position while browsing history (`None`: not browsing).
    pub history_pos: Option<usize>,
    /// A submission in flight: its local id.
    pub submitting: Option<u64>,
    /// The last submission's error, shown under the editor until the next edit.
    pub error: Option<String>,
}

/// The one-line fields of the Prompt pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptField {
    /// The input image path.
    ImagePath,
    /// The remix target.
    Remix,
}

/// The Tasks pane.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TasksPane {
    /// Newest first.
    pub tasks: Vec<TaskRecord>,
    /// Selected row.
    pub selected: usize,
}

/// One draft with its display strings computed when it arrived, not per frame.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftRow {
    /// The draft as the server sent it.
    pub draft: Draft,
    /// `gen_…`.
    pub gen_id: String,
    /// One line of prompt, control characters removed.
    pub title: String,
    /// `10 s`.
    pub duration: String,
    /// `ready`, `blocked`, `not ready`.
    pub state: String,
    /// The post id when published.
    pub post_id: Option<String>,
}

impl DraftRow {
    /// Whether the row is an image result rather than a video draft.
    pub fn is_image(&self) -> bool {
        self.draft.kind.as_deref() == Some(super::drafts::IMAGE_KIND)
    }
}

/// A download in progress or finished, per draft.
#[derive(Debug, Clone, PartialEq)]
pub enum DownloadState {
    /// Bytes so far and the total.
    Running {
        /// Bytes written.
        done: u64,
        /// Expected size.
        total: Option<u64>,
    },
    /// Saved here.
    Done(PathBuf),
    /// Failed with this message.
    Failed(String),
}

/// The Drafts pane.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DraftsPane {
    /// Loaded drafts, newest first.
    pub rows: Vec<DraftRow>,
    /// Cursor of the next page (`None`: no more, or not loaded yet).
    pub next_cursor: Option<String>,
    /// The walk through the pages since the first one: ends it on a cursor that loops.
    pub pager: crate::worker::Pager,
    /// First page / refresh state.
    pub loading: Loading,
    /// Whether a continuation page is being loaded.
    pub loading_more: bool,
    /// Selected row.
    pub selected: usize,
    /// First visible row (kept by `update` so the selection stays visible).
    pub offset: usize,
    /// Whether the details view of the selected draft is open.
    pub details: bool,
    /// Downloads by generation id.
    pub downloads: HashMap<String, DownloadState>,
    /// Publish/unpublish requests in flight, by generation id: the operation gives the label
    /// shown and is matched when its answer comes, so one draft's failure clears only its mark.
    pub busy: HashMap<String, crate::worker::DraftOp>,
    /// The current step of a clean-copy download (`publishing a temporary post`...), by
    /// generation id; cleared when the download ends.
    pub stages: HashMap<String, String>,
}

/// Static facts shown in help.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AppInfo {
    /// Program version.
    pub version: String,
    /// Config file path.
    pub config_path: PathBuf,
    /// Data dir.
    pub data_path: PathBuf,
    /// Log file path.
    pub log_path: PathBuf,
    /// Download dir.
    pub download_dir: PathBuf,
    /// Backend base URL.
    pub base_url: String,
    /// Masked token (`eyJh…x9Qk`).
    pub token_masked: String,
    /// The user's home, to expand `~/` in typed paths.
    pub home: PathBuf,
    /// A storyboard file given on the command line, opened at start.
    pub open_on_start: Option<PathBuf>,
    /// The zone times are shown in (the system's, read at start; UTC by default, so tests
    /// and snapshots do not depend on the machine).
    pub zone: crate::text::Zone,
    /// Where the configured backend's share pages live (the origin of `base_url`), so the
    /// links copied and shown lead to that backend, the demo's to the simulator.
    pub share_origin: crate::api::ShareOrigin,
}

/// The whole UI state.
pub struct App {
    /// The focused pane.
    pub pane: Pane,
    /// A dialog on top, if any.
    pub modal: Option<Modal>,
    /// Transient messages, oldest first.
    pub toasts: VecDeque<Toast>,
    /// Every toast shown, oldest first, the last [`LOG_MAX`] (read again in the log overlay).
    pub log: VecDeque<LogEntry>,
    /// The account (`/me`).
    pub account: Option<Me>,
    /// `/me` state.
    pub account_loading: Loading,
    /// `/nf/check`.
    pub quota: Option<Quota>,
    /// Backend connection state.
    pub connection: Connection,
    /// A request the client is waiting to send again, shown with a countdown.
    pub retrying: Option<RetryStatus>,
    /// Prompt pane.
    pub prompt: PromptPane,
    /// Tasks pane.
    pub tasks: TasksPane,
    /// Drafts pane.
    pub drafts: DraftsPane,
    /// Storyboard pane (its state lives in `app::storyboard`).
    pub storyboard: super::storyboard::StoryboardPane,
    /// Cameos pane (its state lives in `app::cameos`).
    pub cameos: super::cameos::CameosPane,
    /// Key bindings (defaults plus config overrides).
    pub keymap: Keymap,
    /// Paths and version for help.
    pub info: AppInfo,
    /// Unix seconds of the last message (time is passed in, never read here).
    pub now: f64,
    /// Height of the drafts list viewport in rows, as last drawn (for paging decisions).
    pub drafts_viewport: usize,
    /// Set when the program should exit.
    pub quit: bool,
    /// Next local submission id.
    pub next_local_id: u64,
    /// Every problem found in the config file, each with its path and line when known: the
    /// warning bar counts them, the message log lists them.
    pub config_problems: Vec<String>,
    /// Set when the program must stop with this message (the worker crashed).
    pub fatal: Option<String>,
    /// Running `--demo` against the built-in simulator: the status bar says so, so a demo
    /// is never mistaken for the real account.
    pub demo: bool,
}

impl App {
    /// Keeps a message in the log with the current time, dropping the oldest beyond
    /// [`LOG_MAX`]. The text is sanitised here: server text reaches the log as it came.
    pub fn log_message(&mut self, text: &str, error: bool) {
        self.log.push_back(LogEntry {
            at: self.now,
            text: crate::text::sanitize(text, 1000),
            error,
        });
        while self.log.len() > LOG_MAX {
            self.log.pop_front();
        }
    }
}

/// Turns an error into the one line the user sees.
pub fn error_line(e: &ApiError) -> String {
    e.to_string()
}
