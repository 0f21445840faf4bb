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
    Help(super::help::HelpState),
    /// The message log: the config problems, then every toast, newest first.
    Log {
        /// The first entry shown (0: the top).
        scroll: usize,
    },
    /// A batch file's jobs before they enter the queue: `y` queues them, anything else
    /// cancels.
    Batch(super::batch::BatchConfirm),
    /// "Are you sure?" — `y` runs the action, anything else cancels.
    Confirm {
        /// The question.
        question: String,
        /// What `y` does.
        action: ConfirmAction,
    },
    /// The clip form of a cameo from a draft (Drafts `c`, `app::draft_cameo`).
    DraftCameo(super::draft_cameo::DraftCameoForm),
    /// The prompt enhancement overlay (Prompt `E`, `app::enhance`).
    Enhance(super::enhance::EnhanceOverlay),
    /// The Drafts pane's extend form (`app/extend.rs`).
    Extend(super::extend::ExtendForm),
    /// The account's username form (`U`, for an account without one).
    Username(super::username::UsernameForm),
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
    /// Remove a waiting or failed item from the local queue (it is never sent).
    RemoveQueued {
        /// The item.
        queue_id: u64,
    },
    /// Archive the whole account into this folder (`A` in the Drafts pane).
    Archive {
        /// The archive folder.
        dir: PathBuf,
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
    /// The batch file path as last typed (empty: none), kept for the next `B`.
    pub batch_path: String,
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
    /// Prompt enhancement (`E`): the level, the request number, the accepted suggestion's
    /// undo (`app::enhance`).
    pub enhance: super::enhance::EnhanceState,
}

/// The one-line fields of the Prompt pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptField {
    /// The input image path.
    ImagePath,
    /// The remix target.
    Remix,
    /// A batch file to open (`*.batch.toml`); not autosaved.
    BatchPath,
}

/// The Tasks pane: the local queue's items first (in the order they will be sent), then the
/// tasks; one selection moves through both.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TasksPane {
    /// Newest first.
    pub tasks: Vec<TaskRecord>,
    /// The local queue as the worker last reported it (replaced, never merged: it is small
    /// and the worker's copy is the one written down).
    pub queue: crate::worker::QueueSnapshot,
    /// Selected row: `0..queue.items.len()` are queued items, the rest tasks.
    pub selected: usize,
    /// The filter narrowing the rows (`/`, `app::pane_filter`); `selected` stays a row index.
    pub filter: super::filter::ListFilter,
}

/// What a row of the Tasks pane is, for the keys that act on the selection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TasksRow<'a> {
    /// An item of the local queue, with its index in the queue.
    Queued(usize, &'a crate::worker::QueuedItem),
    /// A submitted task.
    Task(&'a TaskRecord),
}

impl TasksPane {
    /// Rows in the pane: the queued items and the tasks.
    pub fn len(&self) -> usize {
        self.queue.items.len() + self.tasks.len()
    }

    /// Whether the pane has no row at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The row at `index` (queued items first).
    pub fn row(&self, index: usize) -> Option<TasksRow<'_>> {
        let queued = self.queue.items.len();
        match self.queue.items.get(index) {
            Some(item) => Some(TasksRow::Queued(index, item)),
            None => self.tasks.get(index - queued).map(TasksRow::Task),
        }
    }

    /// The selected row.
    pub fn selected_row(&self) -> Option<TasksRow<'_>> {
        self.row(self.selected)
    }

    /// The selected task, when the selection is on a task rather than a queued item.
    pub fn selected_task(&self) -> Option<&TaskRecord> {
        match self.selected_row() {
            Some(TasksRow::Task(t)) => Some(t),
            _ => None,
        }
    }
}

/// One draft with its display strings computed when it arrived, not per frame. With 10 000
/// drafts loaded the rows are most of the program's memory, so a row keeps only what the
/// list, the details view, the actions and a download's sidecar use, each string once, at its
/// exact length (a server draft carries a dozen signed URLs, of which one is kept).
#[derive(Debug, Clone, PartialEq)]
pub struct DraftRow {
    /// `gen_…`.
    pub gen_id: String,
    /// `ready`, `blocked`, `not ready`, `image`.
    pub state: &'static str,
    /// The post id when published.
    pub post_id: Option<String>,
    /// The title line and the rest of the server's draft the pane uses, compact.
    pub(crate) facts: DraftFacts,
}

/// A text field of [`DraftFacts`], by its place in `DraftFacts::text`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    /// One line of prompt, control characters removed (always present).
    Title,
    /// `sora_draft`, `sora_content_violation`, `image`.
    Kind,
    /// The task that made it.
    TaskId,
    /// The one media URL the actions use (`Draft::best_url`).
    Url,
    /// Why moderation blocked it, when it did.
    Reason,
    /// The prompt as sent (stored once when it is the title line itself).
    Prompt,
    /// The server's title.
    ServerTitle,
    /// `10 s`, formatted once from `duration_s`, or empty.
    Duration,
    /// The thumbnail's link (`encodings.thumbnail.path`, only when it is an http(s) URL).
    Thumbnail,
}

const FIELDS: usize = 9;
/// The bit of `DraftFacts::present` saying the prompt is the title line itself.
const PROMPT_IS_TITLE: u16 = 1 << 15;

/// What a row keeps of the server's draft besides its id, state and post: the fields of the
/// slimmed [`Draft`] that [`DraftRow::draft`] rebuilds. The strings share one allocation
/// (10 000 rows would otherwise make some 60 000 small ones, each with its own overhead).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DraftFacts {
    /// The fields' text, one after the other, in `Field` order.
    text: Box<str>,
    /// Where each field ends in `text`.
    ends: [u32; FIELDS],
    /// Bit `i`: field `i` was sent; `PROMPT_IS_TITLE`: the prompt is the title's text.
    present: u16,
    /// Pixels.
    pub width: Num,
    /// Pixels.
    pub height: Num,
    /// Seconds.
    pub duration_s: Num,
    /// Unix seconds.
    pub created_at: Num,
}

impl DraftFacts {
    /// Packs the text fields (`texts` in `Field` order; the title's is always there) and
    /// the numbers; a prompt equal to the title line is kept once.
    pub fn new(texts: [Option<&str>; FIELDS], numbers: [Option<f64>; 4]) -> DraftFacts {
        let title = texts[Field::Title as usize];
        let prompt_is_title = title.is_some() && texts[Field::Prompt as usize] == title;
        let total: usize = texts.iter().flatten().map(|t| t.len()).sum();
        let mut text = String::with_capacity(total);
        let mut ends = [0u32; FIELDS];
        let mut present = if prompt_is_title { PROMPT_IS_TITLE } else { 0 };
        for (i, t) in texts.into_iter().enumerate() {
            let stored = if i == Field::Prompt as usize && prompt_is_title {
                None
            } else {
                t
            };
            // A field that would not fit a u32 offset is dropped (no page is that large).
            if let Some(t) = stored
                && u32::try_from(text.len() + t.len()).is_ok()
            {
                text.push_str(t);
                present |= 1 << i;
            }
            ends[i] = u32::try_from(text.len()).unwrap_or(u32::MAX);
        }
        let [width, height, duration_s, created_at] = numbers.map(Num::new);
        DraftFacts {
            text: text.into_boxed_str(),
            ends,
            present: if prompt_is_title {
                present | (1 << Field::Prompt as usize)
            } else {
                present
            },
            width,
            height,
            duration_s,
            created_at,
        }
    }

    /// One text field, if it was sent.
    pub fn get(&self, field: Field) -> Option<&str> {
        let i = field as usize;
        if self.present & (1 << i) == 0 {
            return None;
        }
        if field == Field::Prompt && self.present & PROMPT_IS_TITLE != 0 {
            return self.get(Field::Title);
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text.get(start..self.ends[i] as usize)
    }

    /// Whether the prompt is stored once, as the title line.
    #[cfg(test)]
    pub fn prompt_is_title(&self) -> bool {
        self.present & PROMPT_IS_TITLE != 0
    }
}

/// An `Option<f64>` in 8 bytes: `None` is a NaN payload that parsing or arithmetic never
/// produces, so every value the server sent, a NaN too, comes back as it was.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Num(u64);

impl Num {
    const NONE: u64 = 0x7ff4_dead_beef_0001;

    /// Packs `v`.
    pub fn new(v: Option<f64>) -> Num {
        Num(v.map_or(Self::NONE, f64::to_bits))
    }

    /// Unpacks it.
    pub fn get(self) -> Option<f64> {
        (self.0 != Self::NONE).then(|| f64::from_bits(self.0))
    }
}

impl PartialEq for Num {
    fn eq(&self, other: &Num) -> bool {
        self.get() == other.get()
    }
}

impl DraftRow {
    /// One line of prompt, control characters removed.
    pub fn title(&self) -> &str {
        self.facts.get(Field::Title).unwrap_or_default()
    }

    /// `10 s`, or empty when the server did not say.
    pub fn duration(&self) -> &str {
        self.facts.get(Field::Duration).unwrap_or_default()
    }

    /// Whether the row is an image result rather than a video draft.
    pub fn is_image(&self) -> bool {
        self.facts.get(Field::Kind) == Some(super::drafts::IMAGE_KIND)
    }

    /// The media URL to download or open, if the draft has one.
    pub fn best_url(&self) -> Option<&str> {
        self.facts.get(Field::Url)
    }

    /// The thumbnail's link, if the server listed one (shown by `app::thumbs`).
    pub fn thumbnail_url(&self) -> Option<&str> {
        self.facts.get(Field::Thumbnail)
    }

    /// Whether moderation blocked it (`Draft::verdict` said `Violation`).
    pub fn is_blocked(&self) -> bool {
        self.facts.get(Field::Reason).is_some()
    }

    /// Why moderation blocked it, if it did.
    pub fn blocked_reason(&self) -> Option<&str> {
        self.facts.get(Field::Reason)
    }

    /// The prompt as the server sent it.
    pub fn prompt(&self) -> Option<&str> {
        self.facts.get(Field::Prompt)
    }

    /// The server's title.
    pub fn server_title(&self) -> Option<&str> {
        self.facts.get(Field::ServerTitle)
    }

    /// The task that made it.
    pub fn task_id(&self) -> Option<&str> {
        self.facts.get(Field::TaskId)
    }

    /// Width and height in pixels, as sent.
    pub fn size(&self) -> (Option<f64>, Option<f64>) {
        (self.facts.width.get(), self.facts.height.get())
    }

    /// Length in seconds, as sent.
    pub fn duration_s(&self) -> Option<f64> {
        self.facts.duration_s.get()
    }

    /// Unix seconds, as sent.
    pub fn created_at(&self) -> Option<f64> {
        self.facts.created_at.get()
    }

    /// The draft as the pane keeps it: the server's draft with only the fields the pane uses
    /// (one media URL; the post id as the row knows it now), for the worker's download.
    pub fn draft(&self) -> Draft {
        let s = |v: Option<&str>| v.map(str::to_owned);
        Draft {
            id: Some(self.gen_id.clone()),
            task_id: s(self.task_id()),
            kind: s(self.facts.get(Field::Kind)),
            downloadable_url: s(self.best_url()),
            reason_str: s(self.blocked_reason()),
            width: self.facts.width.get(),
            height: self.facts.height.get(),
            duration_s: self.duration_s(),
            prompt: s(self.prompt()),
            title: s(self.server_title()),
            created_at: self.created_at(),
            post_id: self.post_id.clone(),
            ..Draft::default()
        }
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
    /// Whether the drafts show as a gallery of thumbnails rather than a list.
    pub gallery: bool,
    /// The gallery's first visible row of cells (kept by `update` like `offset`).
    pub gallery_top: usize,
    /// Downloads by generation id.
    pub downloads: HashMap<String, DownloadState>,
    /// Publish/unpublish requests in flight, by generation id: the operation gives the label
    /// shown and is matched when its answer comes, so one draft's failure clears only its mark.
    pub busy: HashMap<String, crate::worker::DraftOp>,
    /// The current step of a clean-copy download (`publishing a temporary post`...), by
    /// generation id; cleared when the download ends.
    pub stages: HashMap<String, String>,
    /// The filter narrowing the list (`/`); survives switching panes.
    pub filter: super::filter::ListFilter,
    /// While the filter is active: the history entries matching it whose drafts are not in
    /// `rows`, drawn after them as "not listed" rows (row index `rows.len() + i`). Empty
    /// without a filter.
    pub unlisted: Vec<crate::history::HistoryEntry>,
    /// The running account archive's progress (`A`), `None` when none runs: the status bar
    /// shows it, and a second `A` is refused while it is set.
    pub archive: Option<crate::archive::Progress>,
    /// The draft the next-child key (`]`) last left and which of its remixes it went to:
    /// pressed again on that draft, it goes to the next one.
    pub last_child: Option<(String, usize)>,
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
    /// The local history's copy (`app::history`): drafts no longer listed, settings of
    /// submissions.
    pub history: super::history::HistoryBook,
    /// The generation a re-run loaded into the Prompt or Storyboard pane: recorded as the
    /// origin of the next submission (`app::history::origin_note`).
    pub rerun_origin: Option<crate::history::Origin>,
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
    /// The terminal's width in columns, as last resized (the gallery's columns follow it).
    pub screen_width: u16,
    /// The pictures on screen: decoded, failed, asked for (`app::thumbs`).
    pub thumbs: super::thumbs::Thumbs,
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
    /// Whether mouse messages act (`mouse = false` in the config turns them off, and the loop
    /// then leaves the terminal's own selection alone).
    pub mouse: bool,
    /// The last click, to tell a double click (`app::mouse`).
    pub last_click: Option<super::mouse::LastClick>,
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
