//! The UI state and the one pure function that changes it.
//!
//! `update(&mut App, Msg) -> Vec<Cmd>` does no I/O and reads no clock (time arrives in the
//! message), so every key and every worker event is unit-testable without a terminal.

pub mod batch;
pub mod cameos;
mod draft_cameo;
mod drafts;
pub mod enhance;
pub mod extend;
pub mod filter;
pub mod help;
pub mod history;
pub mod keymap;
pub mod line_edit;
mod log;
pub mod mouse;
mod open;
pub mod pane_filter;
mod prompt;
mod queue;
mod state;
pub mod storyboard;
mod tasks;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_busy;
#[cfg(test)]
mod tests_extend;
#[cfg(test)]
mod tests_filter;
#[cfg(test)]
mod tests_hostile;
#[cfg(test)]
mod tests_queue;
pub mod thumbs;
mod update;
pub mod username;

pub use draft_cameo::{ClipField, DEFAULT_DRAFT_CLIP, DraftCameoForm};
pub use drafts::{DraftsAction, archive_text, drafts_row, share_link};
pub use open::{MAX_OPEN_URL, OpenTarget, media_url};
pub use prompt::{insert_into_prompt, prompt_snapshot};
pub use queue::place_in_line;
pub use state::*;
pub use update::{one_line, startup, step_selection, toast, toast_error, update};

use crossterm::event::KeyEvent;

use crate::worker::{Event, Request};

/// Everything that can change the UI state.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// A key press from the terminal.
    Key(KeyEvent),
    /// Bracketed paste.
    Paste(String),
    /// Time passed (only while something animates or expires).
    Tick,
    /// The terminal was resized; list viewports are recomputed from the new size.
    Resize {
        /// Columns.
        width: u16,
        /// Rows.
        height: u16,
        /// How many list rows the Drafts pane shows at this size: computed by the TUI loop
        /// from the ui's layout, so `update` keeps the selection visible and pages without
        /// knowing how the screen is laid out.
        list_rows: usize,
    },
    /// The worker reported something.
    Worker(Event),
    /// The external editor closed: the new text, or why it could not run.
    EditorClosed {
        /// Whose text it was.
        target: EditTarget,
        /// The edited text, or why the editor could not run.
        result: Result<String, String>,
    },
    /// An effect of the loop failed (the player could not start...): shown as an error toast.
    EffectFailed(String),
    /// An effect of the loop finished and says how (the copy went through `wl-copy`, or was
    /// only sent to the terminal): shown as a toast, so it tells what really happened.
    EffectDone(String),
    /// File-name completions for the input image path that was typed.
    Completions {
        /// The path the candidates complete.
        input: String,
        /// Full candidate paths (directories end with `/`).
        candidates: Vec<String>,
    },
    /// A batch file was read (`Cmd::LoadBatch`): its jobs, or why it cannot be used.
    BatchLoaded {
        /// The file.
        path: std::path::PathBuf,
        /// The jobs, or the error naming the file and line.
        result: Result<crate::batch::Batch, String>,
    },
    /// A click or a wheel turn, with what it landed on in the last frame (the TUI loop looks
    /// it up in `ui::hit`'s map; `None`: nothing the mouse acts on).
    Mouse {
        /// What was drawn under the pointer.
        target: Option<mouse::Target>,
        /// Click or wheel.
        kind: mouse::MouseKind,
        /// The cell, `(column, row)` from the top left, 0-based.
        at: (u16, u16),
    },
}

/// Whose text an external editor session edits.
#[derive(Debug, Clone, PartialEq)]
pub enum EditTarget {
    /// The Prompt pane's editor.
    Prompt,
    /// Something in the Storyboard pane.
    Storyboard(storyboard::StoryboardEdit),
}

/// What `update` asks the outside world to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    /// Send to the worker.
    Worker(Request),
    /// Leave the program (the loop restores the terminal).
    Quit,
    /// Put text on the clipboard (a clipboard command, else OSC 52); the loop answers with
    /// how it went.
    Copy(String),
    /// Open a checked media link or a downloaded file in the configured player
    /// (`xdg-open`/`open` by default).
    Open(OpenTarget),
    /// Suspend the UI and edit this text in `$VISUAL`/`$EDITOR`.
    EditExternally {
        /// The text to edit.
        text: String,
        /// Whose text it is (echoed in `Msg::EditorClosed`).
        target: EditTarget,
    },
    /// Tell the user something finished: bell or OSC 9, per config.
    Notify(String),
    /// List file-name completions of this partial path (answered with `Msg::Completions`).
    CompletePath(String),
    /// Read this batch file and what it references, off the UI (answered with
    /// `Msg::BatchLoaded`).
    LoadBatch(std::path::PathBuf),
}

impl App {
    /// A fresh state: nothing loaded yet, so the first frame draws without the network.
    pub fn new(info: AppInfo, keymap: Keymap, now: f64) -> App {
        App {
            pane: Pane::Prompt,
            modal: None,
            toasts: Default::default(),
            log: Default::default(),
            account: None,
            account_loading: Loading::Loading,
            history: Default::default(),
            rerun_origin: None,
            quota: None,
            connection: Connection::Connecting,
            retrying: None,
            prompt: PromptPane::new(),
            tasks: TasksPane::default(),
            drafts: DraftsPane::default(),
            storyboard: storyboard::StoryboardPane::default(),
            cameos: cameos::CameosPane::default(),
            keymap,
            info,
            now,
            drafts_viewport: 10,
            screen_width: 80,
            thumbs: thumbs::Thumbs::default(),
            quit: false,
            next_local_id: 1,
            config_problems: Vec::new(),
            fatal: None,
            demo: false,
            mouse: true,
            last_click: None,
        }
    }

    /// Whether anything animates or expires, so the loop needs a tick.
    pub fn needs_tick(&self) -> bool {
        !self.toasts.is_empty()
            // The retry countdown ticks down once a second.
            || self.retrying.is_some()
            || self.prompt.submitting.is_some()
            || self.tasks.tasks.iter().any(|t| t.phase.is_unfinished())
            || self.drafts.loading == Loading::Loading
            || self
                .drafts
                .downloads
                .values()
                .any(|d| matches!(d, DownloadState::Running { .. }))
    }

    /// Whether quitting now would abandon work (asks first).
    pub fn work_in_flight(&self) -> bool {
        self.prompt.submitting.is_some()
            || self.storyboard.submitting.is_some()
            || self
                .drafts
                .downloads
                .values()
                .any(|d| matches!(d, DownloadState::Running { .. }))
            || !self.drafts.busy.is_empty()
    }
}

impl PromptPane {
    /// An empty editor with default settings.
    pub fn new() -> PromptPane {
        let mut editor = ratatui_textarea::TextArea::default();
        editor.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
        PromptPane {
            editor,
            typing: false,
            image_mode: false,
            video: Default::default(),
            shape: Default::default(),
            variants: 1,
            image_path: String::new(),
            remix: String::new(),
            batch_path: String::new(),
            field: None,
            line: Default::default(),
            history: Vec::new(),
            history_pos: None,
            submitting: None,
            error: None,
            enhance: Default::default(),
        }
    }

    /// The editor's text.
    pub fn text(&self) -> String {
        self.editor.lines().join("\n")
    }
}

impl Default for PromptPane {
    fn default() -> Self {
        PromptPane::new()
    }
}
