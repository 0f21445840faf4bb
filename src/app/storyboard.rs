//! The Storyboard pane's state and its part of `update`: shots with durations, instructions
//! and settings; typing scenes; re-timing, reordering, scaling to fit the length; undo/redo;
//! the exact prompt preview; submitting; files (open, save, save as, rename, delete, import);
//! `@cameo` insertion. Every change is autosaved by the worker.
//!
//! Layout: this file holds the state, the key bindings and the hooks `update` calls, plus the
//! edits themselves; `typing` owns the scene/instructions editor session, `overlays` the file
//! picker, the name prompt and the cameo picker, `files` the worker's file answers, `history`
//! undo/redo, `editor` the text editor.

mod editor;
mod files;
mod history;
mod overlays;
#[cfg(test)]
mod tests;
mod typing;

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};

use super::keymap::{Action, Context, DefaultBinding, Hint, KeySpec, NamedKey, hint, hint_when};
use super::{App, Cmd, Modal, Pane, toast, toast_error};
use crate::api::{Length, Model, Orientation, Size};
use crate::storyboard::timing::{self, Balance};
use crate::storyboard::{Shot, Storyboard, StoryboardProblem};
use crate::worker::{
    Event, QueueEvent, QueueRequest, Request, SaveTarget, StoryboardAutosave, StoryboardEvent,
    StoryboardFile, StoryboardRequest, Submission, SubmissionKind, TaskEvent,
};

pub use editor::TextEditor;
pub use history::{History, Version};
pub use overlays::{NameInput, NamePurpose, Overlay};
pub use typing::Typing;

/// The Storyboard pane.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoryboardPane {
    /// The storyboard, including the text being typed (kept in step keystroke by keystroke, so
    /// the autosave always has it).
    pub board: Storyboard,
    /// The selected shot (0 when there are none).
    pub selected: usize,
    /// A scene or the instructions being typed.
    pub typing: Option<Typing>,
    /// Whether the exact prompt text is shown instead of the shot list.
    pub preview: bool,
    /// First line of the preview shown.
    pub preview_scroll: u16,
    /// A picker or name prompt on top of the pane (keys go to it).
    pub overlay: Option<Overlay>,
    /// Undo/redo.
    pub history: History,
    /// The file the storyboard was opened from or last saved to.
    pub file: Option<PathBuf>,
    /// What a file held when this program last read or wrote it: the storyboard is modified
    /// when it differs from this (or belongs to another file).
    pub saved: Option<(PathBuf, Storyboard)>,
    /// A submission in flight: its local id.
    pub submitting: Option<u64>,
    /// Why the last submit was refused or failed, shown under the pane until the next edit.
    pub message: Option<String>,
    /// The storyboards folder's files, as last listed.
    pub files: Vec<StoryboardFile>,
    /// The storyboards folder, once listed.
    pub folder: Option<PathBuf>,
    /// Why the folder could not be listed.
    pub files_error: Option<String>,
    /// The file picker's filter (`/` in the picker, `app::pane_filter`); the picker's
    /// `selected` stays an index into `files`. Cleared when the picker opens.
    pub file_filter: crate::app::filter::ListFilter,
}

impl StoryboardPane {
    /// Whether the storyboard differs from what its file holds (always, without a file).
    pub fn modified(&self) -> bool {
        match (&self.file, &self.saved) {
            (Some(file), Some((path, board))) => file != path || *board != self.board,
            _ => true,
        }
    }

    /// Whether keys go to the pane's own editor or overlay rather than to the keymap (the
    /// status bar then hides the global hints).
    pub fn captures_keys(&self) -> bool {
        self.typing.is_some() || self.overlay.is_some()
    }

    /// The file's name without `.storyboard.toml`, for titles.
    pub fn file_name(&self) -> Option<String> {
        self.file.as_deref().map(display_name)
    }

    /// The current version, for undo.
    fn version(&self) -> Version {
        Version {
            board: self.board.clone(),
            selected: self.selected,
            file: self.file.clone(),
        }
    }

    /// Puts a version back.
    fn restore(&mut self, v: Version) {
        self.board = v.board;
        self.file = v.file;
        self.selected = v.selected.min(self.board.shots.len().saturating_sub(1));
    }

    /// Whether nothing happened yet in this run (an autosave may be restored over it).
    fn pristine(&self) -> bool {
        self.board == Storyboard::default()
            && self.file.is_none()
            && self.typing.is_none()
            && self.history.undo_len() == 0
            && self.history.redo_len() == 0
    }
}

/// A file's name for display: the file name without `.storyboard.toml`.
pub fn display_name(path: &std::path::Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    name.strip_suffix(crate::storyboard::FILE_SUFFIX)
        .map(str::to_owned)
        .unwrap_or(name)
}

/// What an external editor session of this pane edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoryboardEdit {
    /// The instructions for the whole video.
    Instructions,
    /// The scene text of shot N (0-based).
    Scene(usize),
}

/// Actions of this pane that need a confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoryboardConfirm {
    /// Delete shot N (0-based).
    DeleteShot(usize),
    /// Delete this file of the storyboards folder.
    DeleteFile(PathBuf),
    /// Save under this name although a file of that name exists.
    Overwrite(String),
}

/// The pane's own key actions.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumMessage,
)]
#[strum(serialize_all = "snake_case")]
pub enum StoryboardAction {
    /// Add a shot after the selected one and start typing its scene.
    #[default]
    #[strum(message = "add shot")]
    AddShot,
    /// Edit the selected shot's scene.
    #[strum(message = "edit scene")]
    EditShot,
    /// Edit the instructions for the whole video.
    #[strum(message = "instructions")]
    EditInstructions,
    /// Copy the selected shot after itself.
    #[strum(message = "duplicate shot")]
    DuplicateShot,
    /// Delete the selected shot (confirm).
    #[strum(message = "delete shot")]
    DeleteShot,
    /// The selected shot 0.5 s longer.
    #[strum(message = "+0.5 s")]
    Longer,
    /// The selected shot 0.5 s shorter (at least 1.0 s).
    #[strum(message = "-0.5 s")]
    Shorter,
    /// Move the selected shot down.
    #[strum(message = "move shot down")]
    MoveDown,
    /// Move the selected shot up.
    #[strum(message = "move shot up")]
    MoveUp,
    /// Select the next shot (scroll the preview).
    #[strum(message = "next shot")]
    Down,
    /// Select the previous shot (scroll the preview).
    #[strum(message = "previous shot")]
    Up,
    /// Scale every duration so the shots fill the length exactly.
    #[strum(message = "fit to length")]
    FitLength,
    /// Undo the last edit.
    #[strum(message = "undo")]
    Undo,
    /// Redo what was undone.
    #[strum(message = "redo")]
    Redo,
    /// Submit the storyboard.
    #[strum(message = "submit")]
    Submit,
    /// Put the storyboard in the local queue instead of sending it, even with a slot free.
    #[strum(message = "queue this")]
    Queue,
    /// Edit the selected scene (or the instructions being typed) in `$VISUAL`/`$EDITOR`.
    #[strum(message = "edit in $EDITOR")]
    ExternalEditor,
    /// Show or hide the exact prompt text.
    #[strum(message = "exact prompt")]
    Preview,
    /// Landscape ⇄ portrait.
    #[strum(message = "orientation")]
    CycleOrientation,
    /// Cycle 10/15/25 s.
    #[strum(message = "length")]
    CycleLength,
    /// Sora 2 ⇄ Sora 2 Pro.
    #[strum(message = "model")]
    ToggleModel,
    /// Standard ⇄ HD.
    #[strum(message = "size")]
    ToggleSize,
    /// Pick a storyboard file to open (and rename or delete files).
    #[strum(message = "open file")]
    Open,
    /// Save to the storyboard's file (asks a name the first time).
    #[strum(message = "save")]
    Save,
    /// Save under a new name.
    #[strum(message = "save as")]
    SaveAs,
    /// Import a file: a storyboard or text in the inline form.
    #[strum(message = "import file")]
    Import,
    /// Start a new, empty storyboard (undoable).
    #[strum(message = "new storyboard")]
    New,
    /// Insert a cameo's `@username` in the scene.
    #[strum(message = "insert @cameo")]
    InsertCameo,
    /// Cycle the style preset: none, then each known style, then none.
    #[strum(message = "style")]
    CycleStyle,
}

impl StoryboardAction {
    /// What help says (the variant's `message`).
    pub fn describe(self) -> &'static str {
        strum::EnumMessage::get_message(&self).unwrap_or_default()
    }
}

fn has_shots(app: &App) -> bool {
    !app.storyboard.board.shots.is_empty()
}

fn board_empty(app: &App) -> bool {
    app.storyboard.board.shots.is_empty()
}

/// The pane's default bindings (context `Storyboard`), in the order help lists them, each
/// with its status hint for the pane's main view (the editor, the pickers and the preview
/// have their own hints in `ui::storyboard`).
pub fn default_bindings() -> Vec<DefaultBinding> {
    use StoryboardAction::*;
    let k = KeySpec::ch;
    let n = KeySpec::named;
    let table: Vec<(KeySpec, StoryboardAction, Option<Hint>)> = vec![
        (
            k('a'),
            AddShot,
            Some(Hint::Label(|a| {
                Some(if has_shots(a) { "add" } else { "add shot" })
            })),
        ),
        (n(NamedKey::Enter), EditShot, hint_when(has_shots, "edit")),
        (KeySpec::ctrl('s'), Submit, hint_when(has_shots, "submit")),
        (KeySpec::ctrl('q'), Queue, hint_when(has_shots, "queue")),
        (k('+'), Longer, hint_when(has_shots, "time")),
        (k('='), Longer, None),
        (k('-'), Shorter, hint_when(has_shots, "time")),
        (k('J'), MoveDown, hint_when(has_shots, "move")),
        (k('K'), MoveUp, hint_when(has_shots, "move")),
        (k('f'), FitLength, hint_when(has_shots, "fit")),
        (k('p'), Preview, hint_when(has_shots, "prompt")),
        (k('u'), Undo, hint_when(has_shots, "undo/redo")),
        (KeySpec::ctrl('r'), Redo, hint_when(has_shots, "undo/redo")),
        (k('i'), EditInstructions, hint("instructions")),
        (k('c'), DuplicateShot, hint_when(has_shots, "duplicate")),
        (k('d'), DeleteShot, hint_when(has_shots, "delete")),
        (k('w'), Save, hint_when(has_shots, "save")),
        (k('O'), Open, hint("open")),
        (k('I'), Import, hint_when(board_empty, "import")),
        (k('o'), CycleOrientation, hint_when(board_empty, "settings")),
        (k('l'), CycleLength, hint_when(board_empty, "settings")),
        (k('m'), ToggleModel, None),
        (k('s'), ToggleSize, None),
        (k('j'), Down, None),
        (n(NamedKey::Down), Down, None),
        (k('k'), Up, None),
        (n(NamedKey::Up), Up, None),
        (KeySpec::ctrl('e'), ExternalEditor, None),
        (k('W'), SaveAs, None),
        (k('N'), New, None),
        (k('@'), InsertCameo, None),
        (KeySpec::ctrl('t'), InsertCameo, None),
        (k('t'), CycleStyle, None),
    ];
    table
        .into_iter()
        .map(|(key, action, hint)| (Context::Storyboard, key, Action::Storyboard(action), hint))
        .collect()
}

/// Keys first seen by this pane (typing, pickers, the preview); `None` lets the keymap
/// handle the key.
pub fn on_key(app: &mut App, key: KeyEvent) -> Option<Vec<Cmd>> {
    if let Some(overlay) = app.storyboard.overlay.take() {
        return Some(overlays::on_key(app, overlay, key));
    }
    if app.storyboard.typing.is_some() {
        return Some(typing::on_key(app, key));
    }
    if app.storyboard.preview {
        let p = &mut app.storyboard;
        let page = 10;
        match key.code {
            KeyCode::Esc => p.preview = false,
            KeyCode::PageDown => p.preview_scroll = p.preview_scroll.saturating_add(page),
            KeyCode::PageUp => p.preview_scroll = p.preview_scroll.saturating_sub(page),
            KeyCode::Home => p.preview_scroll = 0,
            _ => return None,
        }
        clamp_preview(p);
        return Some(Vec::new());
    }
    if key.code == KeyCode::Esc && app.storyboard.message.is_some() {
        app.storyboard.message = None;
        return Some(Vec::new());
    }
    None
}

/// Whether the typing session has a use for an Alt key (else it is `Esc` and a key).
pub fn typing_uses(app: &App, key: &KeyEvent) -> bool {
    typing::uses(app, key)
}

/// A bound action of this pane.
pub fn on_action(app: &mut App, action: StoryboardAction) -> Vec<Cmd> {
    use StoryboardAction::*;
    if app.storyboard.preview {
        match action {
            Down | Up => {
                let p = &mut app.storyboard;
                p.preview_scroll = if action == Down {
                    p.preview_scroll.saturating_add(1)
                } else {
                    p.preview_scroll.saturating_sub(1)
                };
                clamp_preview(p);
                return Vec::new();
            }
            Preview => {
                app.storyboard.preview = false;
                return Vec::new();
            }
            // These change what the preview shows, or send it: it stays open.
            Submit | Queue | Undo | Redo | FitLength | CycleOrientation | CycleLength
            | ToggleModel | ToggleSize | CycleStyle => {}
            // Anything else is about the shots: back to them.
            _ => app.storyboard.preview = false,
        }
    }
    match action {
        AddShot => add_shot(app),
        EditShot => edit_shot(app),
        EditInstructions => {
            let before = app.storyboard.version();
            typing::start(app, StoryboardEdit::Instructions, before, false)
        }
        DuplicateShot => duplicate(app),
        DeleteShot => ask_delete(app),
        Longer => retime(app, timing::STEP),
        Shorter => retime(app, -timing::STEP),
        MoveDown => move_shot(app, 1),
        MoveUp => move_shot(app, -1),
        Down => select(app, 1),
        Up => select(app, -1),
        FitLength => fit(app),
        Undo => undo(app),
        Redo => redo(app),
        Submit => submit(app),
        Queue => queue(app),
        ExternalEditor => external_editor(app),
        Preview => {
            app.storyboard.preview = true;
            app.storyboard.preview_scroll = 0;
            Vec::new()
        }
        CycleOrientation | CycleLength | ToggleModel | ToggleSize | CycleStyle => {
            setting(app, action)
        }
        Open => overlays::open_files(app),
        Save => save(app),
        SaveAs => overlays::ask_name(app, NamePurpose::SaveAs),
        Import => overlays::ask_name(app, NamePurpose::Import),
        New => new_board(app),
        InsertCameo => overlays::open_cameos(app),
    }
}

/// A confirmed action.
pub fn on_confirm(app: &mut App, c: StoryboardConfirm) -> Vec<Cmd> {
    match c {
        StoryboardConfirm::DeleteShot(i) => {
            if i >= app.storyboard.board.shots.len() {
                return Vec::new();
            }
            edit(app, |p| {
                p.board.shots.remove(i);
                p.selected = i.min(p.board.shots.len().saturating_sub(1));
            })
        }
        StoryboardConfirm::DeleteFile(path) => {
            vec![file_request(StoryboardRequest::Delete(path))]
        }
        StoryboardConfirm::Overwrite(name) => {
            vec![file_request(StoryboardRequest::Save {
                target: SaveTarget::Named {
                    name,
                    overwrite: true,
                },
                board: app.storyboard.board.clone(),
            })]
        }
    }
}

/// Bracketed paste while this pane is focused: into the name being typed, into the text being
/// typed, or, when neither, an import of a storyboard in the inline form.
pub fn on_paste(app: &mut App, text: &str) -> Vec<Cmd> {
    // Terminals send CR for newlines in pastes; the editor wants LF. Other control characters
    // (escape sequences copied from a terminal) would be sent to the server: dropped.
    let text: String = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect();
    if let Some(overlay) = &mut app.storyboard.overlay {
        if let Overlay::Name(input) = overlay {
            input.value.paste(&text);
            input.error = None;
        }
        return Vec::new();
    }
    if app.storyboard.typing.is_some() {
        return typing::insert(app, &text);
    }
    let settings = app.storyboard.board.settings;
    match Storyboard::from_inline(&text, settings) {
        Ok(board) => {
            let count = board.shots.len();
            let cmds = edit(app, |p| {
                p.board = board;
                p.file = None;
                p.selected = 0;
            });
            toast(
                app,
                format!(
                    "imported {count} shots from the paste ({} undoes)",
                    key_label(app, StoryboardAction::Undo)
                ),
            );
            cmds
        }
        Err(_) => {
            toast(
                app,
                format!(
                    "to paste into a scene press {} first; a storyboard pasted as \"A cat's adventure [5.0s]cat jumps [5.0s]cat lands\" is imported",
                    key_label(app, StoryboardAction::EditShot)
                ),
            );
            Vec::new()
        }
    }
}

/// A worker event for this pane.
pub fn on_event(app: &mut App, event: StoryboardEvent) -> Vec<Cmd> {
    files::on_event(app, event)
}

/// Sees every worker event before the shared handler does, for the submissions this pane
/// made: `Submitted` clears the pane's "submitting" (the shared handler then records the task
/// and says so); a failure is shown here rather than in the Prompt pane. `Some` means
/// handled.
pub fn intercept(app: &mut App, event: &Event) -> Option<Vec<Cmd>> {
    let mine = app.storyboard.submitting;
    match event {
        Event::Tasks(TaskEvent::Submitted { local_id, .. })
        | Event::Queue(QueueEvent::Held { local_id, .. })
            if mine == Some(*local_id) =>
        {
            app.storyboard.submitting = None;
            None
        }
        Event::Tasks(TaskEvent::SubmitFailed { local_id, error }) if mine == Some(*local_id) => {
            app.storyboard.submitting = None;
            let text = error.to_string();
            app.storyboard.message = Some(format!("not sent: {text}"));
            toast_error(app, text);
            Some(Vec::new())
        }
        _ => None,
    }
}

/// The external editor returned text for `edit`.
pub fn on_edited(app: &mut App, edit_target: StoryboardEdit, text: String) -> Vec<Cmd> {
    match edit_target {
        StoryboardEdit::Instructions => edit(app, |p| p.board.instructions = text),
        StoryboardEdit::Scene(i) if i < app.storyboard.board.shots.len() => {
            edit(app, |p| p.board.shots[i].scene = text)
        }
        StoryboardEdit::Scene(_) => {
            toast_error(
                app,
                "that shot was deleted meanwhile: the edited text was not kept",
            );
            Vec::new()
        }
    }
}

/// Requests to send at start: the worker restores the autosave on its own; a file given on the
/// command line is opened (over the autosave, which `u` brings back) and the pane shown.
pub fn startup(app: &mut App) -> Vec<Cmd> {
    match app.info.open_on_start.clone() {
        Some(path) => {
            app.pane = Pane::Storyboard;
            vec![file_request(StoryboardRequest::Open(path))]
        }
        None => Vec::new(),
    }
}

/// Inserts text (a cameo's `@username`) at the cursor of the text being typed, or at the end
/// of the selected shot's scene when none is being edited (a new shot when there are none).
pub fn insert_text(app: &mut App, text: &str) -> Vec<Cmd> {
    if app.storyboard.typing.is_some() {
        return typing::insert(app, text);
    }
    let text = text.to_string();
    edit(app, |p| match p.board.shots.get_mut(p.selected) {
        Some(shot) => {
            if !shot.scene.is_empty() && !shot.scene.ends_with(char::is_whitespace) {
                shot.scene.push(' ');
            }
            shot.scene.push_str(&text);
        }
        None => {
            let at = p.board.shots.len();
            insert_shot(&mut p.board, at, text);
            p.selected = at;
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Edits. Each goes through `edit` (or `commit` after a typing session): one undo step, the
// message cleared, an autosave.

/// Applies `f` as one undoable edit; nothing is recorded when it changed nothing.
fn edit(app: &mut App, f: impl FnOnce(&mut StoryboardPane)) -> Vec<Cmd> {
    let before = app.storyboard.version();
    f(&mut app.storyboard);
    commit(app, before)
}

/// Records `before` as an undo step if the storyboard changed since, and autosaves.
fn commit(app: &mut App, before: Version) -> Vec<Cmd> {
    let p = &mut app.storyboard;
    if !p.version().differs(&before) {
        return Vec::new();
    }
    p.history.record(before);
    changed(p)
}

/// After any change of content: the message is stale, the autosave due.
fn changed(p: &mut StoryboardPane) -> Vec<Cmd> {
    p.message = None;
    vec![autosave(p)]
}

/// The autosave request of the pane as it is now.
fn autosave(p: &StoryboardPane) -> Cmd {
    file_request(StoryboardRequest::Autosave(StoryboardAutosave {
        board: p.board.clone(),
        selected: p.selected,
        file: p.file.clone(),
        dirty: p.modified(),
    }))
}

fn file_request(r: StoryboardRequest) -> Cmd {
    Cmd::Worker(Request::Storyboard(r))
}

/// The first key bound to a pane action, for messages (`f`, `Ctrl-S`); `?` when unbound.
fn key_label(app: &App, action: StoryboardAction) -> String {
    app.keymap
        .bindings
        .iter()
        .find(|b| b.action == Action::Storyboard(action))
        .map(|b| b.key.to_string())
        .unwrap_or_else(|| "?".into())
}

fn add_shot(app: &mut App) -> Vec<Cmd> {
    let before = app.storyboard.version();
    let p = &mut app.storyboard;
    let at = if p.board.shots.is_empty() {
        0
    } else {
        p.selected.min(p.board.shots.len() - 1) + 1
    };
    insert_shot(&mut p.board, at, String::new());
    p.selected = at;
    typing::start(app, StoryboardEdit::Scene(at), before, true)
}

/// Inserts a shot at `at` with its duration from [`timing::with_new_shot`]: an even share of
/// the length while no shot was timed by hand, else what is left.
fn insert_shot(board: &mut Storyboard, at: usize, scene: String) {
    let durations: Vec<f64> = board.durations().collect();
    let timed = timing::with_new_shot(&durations, at, board.settings.length.seconds());
    board.shots.insert(
        at,
        Shot {
            duration: 0.0,
            scene,
        },
    );
    for (shot, d) in board.shots.iter_mut().zip(timed) {
        shot.duration = d;
    }
}

fn edit_shot(app: &mut App) -> Vec<Cmd> {
    if app.storyboard.board.shots.is_empty() {
        return add_shot(app);
    }
    let before = app.storyboard.version();
    let at = app.storyboard.selected;
    typing::start(app, StoryboardEdit::Scene(at), before, false)
}

fn duplicate(app: &mut App) -> Vec<Cmd> {
    if app.storyboard.board.shots.is_empty() {
        return no_shots(app);
    }
    edit(app, |p| {
        let i = p.selected.min(p.board.shots.len() - 1);
        if let Some(copy) = p.board.shots.get(i).cloned() {
            p.board.shots.insert(i + 1, copy);
            p.selected = i + 1;
        }
    })
}

fn ask_delete(app: &mut App) -> Vec<Cmd> {
    let p = &app.storyboard;
    let Some(shot) = p.board.shots.get(p.selected) else {
        return no_shots(app);
    };
    let excerpt = super::one_line(&shot.scene, 40);
    let what = if excerpt.is_empty() {
        String::new()
    } else {
        format!(" (\"{excerpt}\")")
    };
    let question = format!(
        "Delete shot {}{what}? {} brings it back.",
        p.selected + 1,
        key_label(app, StoryboardAction::Undo)
    );
    app.modal = Some(Modal::Confirm {
        question,
        action: super::ConfirmAction::Storyboard(StoryboardConfirm::DeleteShot(p.selected)),
    });
    Vec::new()
}

fn retime(app: &mut App, delta: f64) -> Vec<Cmd> {
    let p = &app.storyboard;
    let Some(shot) = p.board.shots.get(p.selected) else {
        return no_shots(app);
    };
    let max = f64::from(p.board.settings.length.seconds());
    let next = timing::step(shot.duration, delta, max);
    if next == shot.duration {
        let why = if delta < 0.0 {
            format!("a shot lasts at least {:.1} s", timing::MIN_SHOT)
        } else {
            format!("a shot cannot be longer than the video ({max:.0} s)")
        };
        toast(app, why);
        return Vec::new();
    }
    edit(app, |p| p.board.shots[p.selected].duration = next)
}

fn move_shot(app: &mut App, step: isize) -> Vec<Cmd> {
    let p = &app.storyboard;
    let len = p.board.shots.len();
    if len == 0 {
        return no_shots(app);
    }
    let from = p.selected.min(len - 1);
    let Some(to) = from.checked_add_signed(step).filter(|to| *to < len) else {
        return Vec::new();
    };
    edit(app, |p| {
        p.board.shots.swap(from, to);
        p.selected = to;
    })
}

fn select(app: &mut App, step: isize) -> Vec<Cmd> {
    let p = &mut app.storyboard;
    let len = p.board.shots.len();
    if len > 0 {
        p.selected = p.selected.saturating_add_signed(step).min(len - 1);
    }
    Vec::new()
}

fn fit(app: &mut App) -> Vec<Cmd> {
    let board = &app.storyboard.board;
    let length = board.settings.length.seconds();
    if !board.shots.is_empty() && board.balance() == Balance::Fits {
        toast(app, format!("the shots already add up to {length} s"));
        return Vec::new();
    }
    let durations: Vec<f64> = board.durations().collect();
    // Shots never timed by hand are spread evenly; timed ones keep their proportions.
    let fitted = if timing::is_untimed(&durations) {
        timing::even_split(durations.len(), length)
    } else {
        timing::scale_to_fit(&durations, length)
    };
    match fitted {
        Ok(scaled) => {
            let cmds = edit(app, |p| {
                for (shot, d) in p.board.shots.iter_mut().zip(scaled) {
                    shot.duration = d;
                }
            });
            toast(app, format!("durations scaled to fill {length} s"));
            cmds
        }
        Err(e) => {
            toast_error(app, e.to_string());
            Vec::new()
        }
    }
}

fn undo(app: &mut App) -> Vec<Cmd> {
    let current = app.storyboard.version();
    match app.storyboard.history.undo(current) {
        Some(v) => {
            app.storyboard.restore(v);
            changed(&mut app.storyboard)
        }
        None => {
            toast(app, "nothing to undo");
            Vec::new()
        }
    }
}

fn redo(app: &mut App) -> Vec<Cmd> {
    let current = app.storyboard.version();
    match app.storyboard.history.redo(current) {
        Some(v) => {
            app.storyboard.restore(v);
            changed(&mut app.storyboard)
        }
        None => {
            toast(app, "nothing to redo");
            Vec::new()
        }
    }
}

fn setting(app: &mut App, action: StoryboardAction) -> Vec<Cmd> {
    edit(app, |p| {
        let s = &mut p.board.settings;
        match action {
            StoryboardAction::CycleOrientation => {
                s.orientation = match s.orientation {
                    Orientation::Landscape => Orientation::Portrait,
                    Orientation::Portrait => Orientation::Landscape,
                }
            }
            StoryboardAction::CycleLength => {
                let i = Length::ALL.iter().position(|l| *l == s.length).unwrap_or(0);
                s.length = Length::ALL[(i + 1) % Length::ALL.len()];
            }
            StoryboardAction::ToggleModel => {
                s.model = match s.model {
                    Model::Sy8 => Model::SyOre,
                    Model::SyOre => Model::Sy8,
                }
            }
            StoryboardAction::ToggleSize => {
                s.size = match s.size {
                    Size::Small => Size::Large,
                    Size::Large => Size::Small,
                }
            }
            StoryboardAction::CycleStyle => s.style = crate::api::StyleId::cycle(s.style),
            _ => {}
        }
    })
}

fn new_board(app: &mut App) -> Vec<Cmd> {
    let cmds = edit(app, |p| {
        p.board = Storyboard {
            settings: p.board.settings,
            ..Storyboard::default()
        };
        p.file = None;
        p.selected = 0;
    });
    if !cmds.is_empty() {
        toast(
            app,
            format!(
                "a new storyboard ({} brings the last one back)",
                key_label(app, StoryboardAction::Undo)
            ),
        );
    }
    cmds
}

fn save(app: &mut App) -> Vec<Cmd> {
    let mut cmds = typing::finish(app);
    match app.storyboard.file.clone() {
        Some(path) => cmds.push(file_request(StoryboardRequest::Save {
            target: SaveTarget::File(path),
            board: app.storyboard.board.clone(),
        })),
        None => cmds.extend(overlays::ask_name(app, NamePurpose::SaveAs)),
    }
    cmds
}

/// Opens the text being typed, else the selected scene, else the instructions, in the editor.
fn external_editor(app: &mut App) -> Vec<Cmd> {
    let typed = app.storyboard.typing.as_ref().map(|t| t.target);
    let mut cmds = typing::finish(app);
    let p = &app.storyboard;
    let target = typed.unwrap_or(if p.board.shots.is_empty() {
        StoryboardEdit::Instructions
    } else {
        StoryboardEdit::Scene(p.selected)
    });
    let text = match target {
        StoryboardEdit::Instructions => p.board.instructions.clone(),
        StoryboardEdit::Scene(i) => match p.board.shots.get(i) {
            Some(s) => s.scene.clone(),
            None => return cmds,
        },
    };
    cmds.push(Cmd::EditExternally {
        text,
        target: super::EditTarget::Storyboard(target),
    });
    cmds
}

/// Checks the storyboard and sends its exact prompt text; refuses, saying why, when it would
/// not make sense to the server (shots that do not add up to the length, empty scenes…).
fn submit(app: &mut App) -> Vec<Cmd> {
    send(app, false)
}

/// Like [`submit`], but into the local queue even when a slot is free.
fn queue(app: &mut App) -> Vec<Cmd> {
    send(app, true)
}

fn send(app: &mut App, queued: bool) -> Vec<Cmd> {
    let mut cmds = typing::finish(app);
    if app.storyboard.submitting.is_some() {
        toast(app, "this storyboard is already on its way");
        return cmds;
    }
    if let Err(problem) = app.storyboard.board.validate() {
        // The toast is short: it covers the corner where the timeline ends, and the line
        // under the pane has the whole explanation.
        let short = match &problem {
            StoryboardProblem::LengthMismatch { sum, length } => {
                format!("not sent: the shots add up to {sum:.1} s, the video is {length} s")
            }
            _ => format!("not sent: {problem}"),
        };
        app.storyboard.message = Some(refusal(app, &problem));
        toast_error(app, short);
        return cmds;
    }
    let local_id = app.next_local_id;
    app.next_local_id += 1;
    let file = app.storyboard.file_name();
    cmds.extend(super::history::origin_note(app, local_id, file));
    let p = &mut app.storyboard;
    p.submitting = Some(local_id);
    p.message = None;
    let submission = Submission {
        local_id,
        prompt: p.board.prompt_text(),
        kind: SubmissionKind::Storyboard {
            settings: p.board.settings,
        },
        image: None,
    };
    cmds.push(Cmd::Worker(if queued {
        Request::Queue(QueueRequest::Add {
            jobs: vec![submission],
            origin: None,
        })
    } else {
        Request::Submit(submission)
    }));
    cmds
}

/// A storyboard taken back from the queue: loaded as the pane's storyboard in one undoable
/// step (what was there comes back with undo, as after an import), when its text reads back
/// as a storyboard that gives exactly that text again; the pane is focused. `None` when it
/// does not (the caller puts the text in the Prompt pane instead).
pub fn load_taken_back(
    app: &mut App,
    prompt: &str,
    settings: crate::api::VideoSettings,
) -> Option<Vec<Cmd>> {
    let board = Storyboard::from_prompt_text(prompt, settings)?;
    let mut cmds = typing::finish(app);
    app.storyboard.overlay = None;
    cmds.extend(edit(app, |p| {
        p.board = board;
        p.file = None;
        p.selected = 0;
        p.preview = false;
        p.message = None;
    }));
    app.pane = Pane::Storyboard;
    Some(cmds)
}

/// Why a submit is refused, with the key that fixes it when there is one.
fn refusal(app: &App, problem: &StoryboardProblem) -> String {
    match problem {
        StoryboardProblem::LengthMismatch { sum, length } => format!(
            "not sent: shots add up to {sum:.1} s, not {length} s; press {} to fit them (or {}/{})",
            key_label(app, StoryboardAction::FitLength),
            key_label(app, StoryboardAction::Longer),
            key_label(app, StoryboardAction::Shorter),
        ),
        StoryboardProblem::NoShots => format!(
            "not sent: the storyboard has no shots; press {} to add one",
            key_label(app, StoryboardAction::AddShot)
        ),
        other => format!("not sent: {other}"),
    }
}

fn no_shots(app: &mut App) -> Vec<Cmd> {
    toast(
        app,
        format!(
            "no shots yet: press {} to add one",
            key_label(app, StoryboardAction::AddShot)
        ),
    );
    Vec::new()
}

/// Keeps the preview's scroll within its text (the exact bound depends on the width: the
/// drawing clamps again).
fn clamp_preview(p: &mut StoryboardPane) {
    let lines = p.board.prompt_text().lines().count() as u16;
    p.preview_scroll = p.preview_scroll.min(lines.saturating_sub(1));
}
