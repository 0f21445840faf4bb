//! The Prompt pane's part of `update`: typing in the editor, the one-line fields (input
//! image, remix target), the settings, the prompt history, submitting, pasting, and the
//! autosave of all of it. The pane's state (`PromptPane`) is in `state.rs`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::keymap::{Action, Context};
use super::line_edit::{Completed, LineEdit, LineKey};
use super::update::ctrl;
use super::{App, Cmd, EditTarget, PromptField, toast, toast_error};
use crate::api::params::remix_target_id;
use crate::api::{ImageShape, Length, Model, Orientation, Size};
use crate::worker::{PromptSnapshot, QueueRequest, Request, Submission, SubmissionKind, TaskEvent};

/// Prompts kept in history.
const HISTORY_MAX: usize = 200;

/// Keys while the pane types (the editor or a one-line field); `None` lets the keymap have
/// them.
pub fn on_key(app: &mut App, key: KeyEvent) -> Option<Vec<Cmd>> {
    if let Some(field) = app.prompt.field {
        return Some(on_field_key(app, field, key));
    }
    if app.prompt.typing {
        return Some(on_typing_key(app, key));
    }
    None
}

/// Whether the typing editor does something with `key` (so an Alt key is not `Esc` and a
/// key): the typing keys of `on_typing_key` act with or without Alt.
pub fn typing_uses(app: &App, key: &KeyEvent) -> bool {
    ['s', 'e', 'p', 'n'].iter().any(|&c| ctrl(key, c))
        || queue_key(app, key)
        || super::update::editor_uses(&app.prompt.editor, key)
}

/// The Prompt pane's actions (the keymap's `Prompt` context): typing, submitting, the
/// settings, the fields, the history.
pub fn on_action(app: &mut App, action: Action) -> Vec<Cmd> {
    use Action::*;
    match action {
        Type => {
            app.prompt.typing = true;
            Vec::new()
        }
        Submit => submit(app),
        QueueThis => send(app, true),
        ExternalEditor => vec![prompt_editor(app)],
        ToggleKind | CycleOrientation | CycleLength | ToggleModel | ToggleSize | CycleVariants
        | ClearInputs => change_setting(app, action),
        CycleStyle if app.prompt.image_mode => {
            toast(app, "styles apply to videos: press v to switch to video");
            Vec::new()
        }
        CycleStyle => {
            app.prompt.video.style = crate::api::StyleId::cycle(app.prompt.video.style);
            vec![save_prompt(app)]
        }
        EditImage => {
            open_field(app, PromptField::ImagePath);
            Vec::new()
        }
        EditRemix => {
            if app.prompt.image_mode {
                toast(app, "remix applies to videos: press v to switch to video");
            } else {
                open_field(app, PromptField::Remix);
            }
            Vec::new()
        }
        OpenBatch => {
            open_field(app, PromptField::BatchPath);
            Vec::new()
        }
        HistoryPrev => history(app, -1),
        HistoryNext => history(app, 1),
        _ => Vec::new(),
    }
}

/// Whether `key` is the "queue this" key and works while typing (it has Ctrl or Alt, so it
/// types nothing; the default is Ctrl-Q, free since raw mode turns off XON/XOFF).
fn queue_key(app: &App, key: &KeyEvent) -> bool {
    key.modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        && app.keymap.lookup(&[Context::Prompt], key) == Some(Action::QueueThis)
}

fn on_typing_key(app: &mut App, key: KeyEvent) -> Vec<Cmd> {
    if ctrl(&key, 's') {
        return submit(app);
    }
    if queue_key(app, &key) {
        return send(app, true);
    }
    if ctrl(&key, 'e') {
        return vec![prompt_editor(app)];
    }
    if ctrl(&key, 'p') {
        return history(app, -1);
    }
    if ctrl(&key, 'n') {
        return history(app, 1);
    }
    if key.code == KeyCode::Esc {
        app.prompt.typing = false;
        return Vec::new();
    }
    if let Some(cmds) = super::enhance::undo_key(app, &key) {
        return cmds;
    }
    if app.prompt.editor.input(key) {
        app.prompt.error = None;
        app.prompt.history_pos = None;
        return vec![save_prompt(app)];
    }
    Vec::new()
}

fn on_field_key(app: &mut App, field: PromptField, key: KeyEvent) -> Vec<Cmd> {
    // The batch field reads its file on Enter (or Ctrl-S); Esc leaves it.
    if field == PromptField::BatchPath {
        if key.code == KeyCode::Enter || ctrl(&key, 's') {
            close_field(app, field);
            let typed = app.prompt.batch_path.clone();
            return super::batch::open(app, &typed);
        }
        if key.code == KeyCode::Esc {
            close_field(app, field);
            return Vec::new();
        }
    }
    if ctrl(&key, 's') {
        close_field(app, field);
        return submit(app);
    }
    if queue_key(app, &key) {
        close_field(app, field);
        return send(app, true);
    }
    match key.code {
        KeyCode::Esc | KeyCode::Enter => {
            close_field(app, field);
            return vec![save_prompt(app)];
        }
        // Completion lists file names; a remix target is an id or a link.
        KeyCode::Tab | KeyCode::BackTab if field == PromptField::Remix => return Vec::new(),
        _ => {}
    }
    match app.prompt.line.key(&key) {
        LineKey::Complete => vec![Cmd::CompletePath(app.prompt.line.text().to_string())],
        LineKey::Edited | LineKey::Moved => {
            *field_value(app, field) = app.prompt.line.text().to_string();
            Vec::new()
        }
        LineKey::Ignored => Vec::new(),
    }
}

/// Opens a one-line field on its current value, the cursor at its end.
fn open_field(app: &mut App, field: PromptField) {
    app.prompt.line = LineEdit::new(field_value(app, field).clone());
    app.prompt.field = Some(field);
}

/// Leaves a field: the value is trimmed, and a remix link becomes its post id.
fn close_field(app: &mut App, field: PromptField) {
    app.prompt.field = None;
    app.prompt.line.clear_completions();
    let value = field_value(app, field);
    *value = value.trim().to_string();
    if field == PromptField::Remix && !app.prompt.remix.is_empty() {
        match remix_target_id(&app.prompt.remix) {
            Ok(id) => app.prompt.remix = id,
            Err(e) => toast_error(app, e),
        }
    }
}

fn field_value(app: &mut App, field: PromptField) -> &mut String {
    match field {
        PromptField::ImagePath => &mut app.prompt.image_path,
        PromptField::Remix => &mut app.prompt.remix,
        PromptField::BatchPath => &mut app.prompt.batch_path,
    }
}

fn prompt_editor(app: &App) -> Cmd {
    Cmd::EditExternally {
        text: app.prompt.text(),
        target: EditTarget::Prompt,
    }
}

/// Bracketed paste into the focused field, or into the editor (which starts typing).
pub fn on_paste(app: &mut App, text: &str) -> Vec<Cmd> {
    if let Some(field) = app.prompt.field {
        app.prompt.line.paste(text);
        *field_value(app, field) = app.prompt.line.text().to_string();
        return Vec::new();
    }
    app.prompt.typing = true;
    // Terminals send CR for newlines in pastes; the editor wants LF.
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    app.prompt.editor.insert_str(normalized);
    app.prompt.error = None;
    vec![save_prompt(app)]
}

/// The external editor returned the prompt's new text.
pub fn on_edited(app: &mut App, text: String) -> Vec<Cmd> {
    set_editor_text(&mut app.prompt.editor, &text);
    app.prompt.error = None;
    vec![save_prompt(app)]
}

/// File-name completions for the input image path, applied if that field still holds the
/// path they complete.
pub fn on_completions(app: &mut App, input: String, candidates: Vec<String>) -> Vec<Cmd> {
    let Some(field @ (PromptField::ImagePath | PromptField::BatchPath)) = app.prompt.field else {
        return Vec::new();
    };
    match app.prompt.line.complete(&input, candidates) {
        Completed::Nothing => toast(app, format!("nothing matches {input:?}")),
        Completed::One | Completed::Several => {
            *field_value(app, field) = app.prompt.line.text().to_string();
        }
        Completed::Stale => {}
    }
    Vec::new()
}

/// Puts the autosaved prompt back at start (the editor only if nothing was typed yet).
pub fn restore(app: &mut App, s: PromptSnapshot) {
    let p = &mut app.prompt;
    if p.editor.is_empty() {
        set_editor_text(&mut p.editor, &s.text);
    }
    p.image_mode = s.image_mode;
    p.video = s.video;
    p.shape = s.shape;
    p.variants = s.variants.clamp(1, 4);
    p.image_path = s.image_path;
    p.remix = s.remix;
    p.history = s.history;
}

/// The answers to this pane's submission: the upload of the input image and a failure.
/// (`Submitted` is the Tasks pane's: see [`submitted`].)
pub fn on_event(app: &mut App, event: TaskEvent) -> Vec<Cmd> {
    match event {
        TaskEvent::Uploading { .. } => toast(app, "uploading the input image…"),
        TaskEvent::SubmitFailed { local_id, error } => {
            if app.prompt.submitting == Some(local_id) {
                app.prompt.submitting = None;
            }
            let msg = error.to_string();
            app.prompt.error = Some(msg.clone());
            toast_error(app, msg);
        }
        _ => {}
    }
    Vec::new()
}

/// A submission became a task: if it was this pane's, it is no longer in flight and the
/// editor is emptied for the next prompt.
pub fn submitted(app: &mut App, local_id: u64) {
    if app.prompt.submitting == Some(local_id) {
        app.prompt.submitting = None;
        // The prompt is in history (Ctrl-P brings it back); the editor is ready for the next.
        set_editor_text(&mut app.prompt.editor, "");
    }
}

fn change_setting(app: &mut App, action: Action) -> Vec<Cmd> {
    let p = &mut app.prompt;
    match action {
        Action::ToggleKind => p.image_mode = !p.image_mode,
        Action::CycleOrientation if p.image_mode => {
            p.shape = match p.shape {
                ImageShape::Square => ImageShape::Landscape,
                ImageShape::Landscape => ImageShape::Portrait,
                ImageShape::Portrait => ImageShape::Square,
            }
        }
        Action::CycleOrientation => {
            p.video.orientation = match p.video.orientation {
                Orientation::Landscape => Orientation::Portrait,
                Orientation::Portrait => Orientation::Landscape,
            }
        }
        Action::CycleLength => {
            let i = Length::ALL
                .iter()
                .position(|l| *l == p.video.length)
                .unwrap_or(0);
            p.video.length = Length::ALL[(i + 1) % Length::ALL.len()];
        }
        Action::ToggleModel => {
            p.video.model = match p.video.model {
                Model::Sy8 => Model::SyOre,
                Model::SyOre => Model::Sy8,
            }
        }
        Action::ToggleSize => {
            p.video.size = match p.video.size {
                Size::Small => Size::Large,
                Size::Large => Size::Small,
            }
        }
        Action::CycleVariants => p.variants = p.variants % 4 + 1,
        Action::ClearInputs => {
            p.image_path.clear();
            p.remix.clear();
        }
        _ => {}
    }
    vec![save_prompt(app)]
}

fn history(app: &mut App, step: i64) -> Vec<Cmd> {
    let p = &mut app.prompt;
    if p.history.is_empty() {
        return Vec::new();
    }
    let last = p.history.len() as i64 - 1;
    let pos = match p.history_pos {
        None if step < 0 => last,
        None => return Vec::new(),
        Some(i) => i as i64 + step,
    };
    if pos > last {
        p.history_pos = None;
        set_editor_text(&mut p.editor, "");
        return Vec::new();
    }
    let pos = pos.clamp(0, last) as usize;
    p.history_pos = Some(pos);
    let text = p.history[pos].clone();
    set_editor_text(&mut p.editor, &text);
    Vec::new()
}

fn set_editor_text(editor: &mut TextArea<'static>, text: &str) {
    let lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    *editor = TextArea::new(lines);
    editor.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
    editor.move_cursor(ratatui_textarea::CursorMove::Bottom);
    editor.move_cursor(ratatui_textarea::CursorMove::End);
}

/// Inserts text at the Prompt editor's cursor (a cameo's `@username`, …).
pub fn insert_into_prompt(app: &mut App, text: &str) -> Vec<Cmd> {
    app.prompt.editor.insert_str(text);
    app.prompt.error = None;
    vec![save_prompt(app)]
}

/// The Prompt pane as it is persisted.
pub fn prompt_snapshot(app: &App) -> PromptSnapshot {
    let p = &app.prompt;
    PromptSnapshot {
        text: p.text(),
        image_mode: p.image_mode,
        video: p.video,
        shape: p.shape,
        variants: p.variants,
        image_path: p.image_path.clone(),
        remix: p.remix.clone(),
        history: p.history.clone(),
    }
}

/// The autosave request of the Prompt pane (for the panes that change it: Drafts' remix,
/// Tasks' submissions).
pub fn save_prompt(app: &App) -> Cmd {
    Cmd::Worker(Request::SavePrompt(prompt_snapshot(app)))
}

fn submit(app: &mut App) -> Vec<Cmd> {
    send(app, false)
}

/// Puts a submission taken back out of the queue into the pane, focused and typing: its text
/// and its settings. Text already in the editor is not lost: it goes into the history first
/// (`Ctrl-P` brings it back), which needs no question, since the item has already left the
/// queue and declining would lose it instead.
pub fn load_taken_back(app: &mut App, sub: &Submission) -> Vec<Cmd> {
    let p = &mut app.prompt;
    let typed = p.text();
    let kept = !typed.trim().is_empty() && typed.trim() != sub.prompt.trim();
    if kept && p.history.last().map(String::as_str) != Some(typed.trim()) {
        p.history.push(typed.trim().to_string());
        if p.history.len() > HISTORY_MAX {
            p.history.remove(0);
        }
    }
    set_editor_text(&mut p.editor, &sub.prompt);
    p.history_pos = None;
    p.error = None;
    p.field = None;
    p.image_path = sub
        .image
        .as_ref()
        .map(|i| i.display().to_string())
        .unwrap_or_default();
    match &sub.kind {
        SubmissionKind::Video { settings, remix } => {
            p.image_mode = false;
            p.video = *settings;
            p.remix = remix.clone().unwrap_or_default();
        }
        SubmissionKind::Image { shape, variants } => {
            p.image_mode = true;
            p.shape = *shape;
            p.variants = (*variants).clamp(1, 4);
            p.remix.clear();
        }
        // Only when it could not be read back as shots (`queue.rs` says so).
        SubmissionKind::Storyboard { settings } => {
            p.image_mode = false;
            p.video = *settings;
            p.remix.clear();
        }
    }
    p.typing = true;
    app.pane = super::Pane::Prompt;
    if kept {
        let key = app.keymap.keys_for(Action::HistoryPrev);
        toast(
            app,
            format!("what you had typed is in the history: {key} brings it back"),
        );
    }
    vec![save_prompt(app)]
}

/// Builds the submission from the pane and sends it (`queued`: into the local queue even if
/// a slot is free); the pane waits for `Submitted`, `Held` or `SubmitFailed`.
fn send(app: &mut App, queued: bool) -> Vec<Cmd> {
    if app.prompt.submitting.is_some() {
        toast(app, "a submission is already on its way");
        return Vec::new();
    }
    let text = app.prompt.text();
    let prompt = text.trim();
    if prompt.is_empty() {
        app.prompt.error =
            Some("the prompt is empty: press i and describe what to generate".into());
        return Vec::new();
    }
    let image = Some(app.prompt.image_path.trim())
        .filter(|p| !p.is_empty())
        .map(|p| crate::fsutil::expand_home(p, &app.info.home));
    let kind = if app.prompt.image_mode {
        SubmissionKind::Image {
            shape: app.prompt.shape,
            variants: app.prompt.variants,
        }
    } else {
        let remix = match app.prompt.remix.trim() {
            "" => None,
            r => match remix_target_id(r) {
                Ok(id) => Some(id),
                Err(e) => {
                    app.prompt.error = Some(e);
                    return Vec::new();
                }
            },
        };
        if remix.is_some() && image.is_some() {
            app.prompt.error = Some(
                "choose either an input image or a remix target, not both (x clears them)".into(),
            );
            return Vec::new();
        }
        SubmissionKind::Video {
            settings: app.prompt.video,
            remix,
        }
    };
    let local_id = app.next_local_id;
    app.next_local_id += 1;
    app.prompt.submitting = Some(local_id);
    app.prompt.error = None;
    app.prompt.typing = false;
    if app.prompt.history.last().map(String::as_str) != Some(prompt) {
        app.prompt.history.push(prompt.to_string());
        if app.prompt.history.len() > HISTORY_MAX {
            app.prompt.history.remove(0);
        }
    }
    app.prompt.history_pos = None;
    let submission = Submission {
        local_id,
        prompt: prompt.to_string(),
        kind,
        image,
    };
    let note = super::history::origin_note(app, local_id, None);
    let request = if queued {
        Request::Queue(QueueRequest::Add {
            jobs: vec![submission],
            origin: None,
        })
    } else {
        Request::Submit(submission)
    };
    let mut cmds: Vec<Cmd> = note.into_iter().collect();
    cmds.extend([Cmd::Worker(request), save_prompt(app)]);
    cmds
}
