//! `update`: every state change of the UI, as a pure function of the state and a message.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui_textarea::TextArea;

use super::keymap::{Action, Context, after_esc};
use super::{
    App, Cmd, ConfirmAction, Connection, DownloadState, DraftRow, EditTarget, Loading, Modal, Msg,
    OpenTarget, Pane, PromptField, Toast, media_url,
};
use crate::api::params::remix_target_id;
use crate::api::{Draft, DraftVerdict, ImageShape, Length, Model, Orientation, Size, valid_id};
use crate::track::{TaskKind, TaskPhase};
use crate::worker::{
    DraftOp, Event, PageStep, PageStop, Pager, PromptSnapshot, Request, Submission, SubmissionKind,
};

/// How long an information toast stays, in seconds.
const TOAST_SECS: f64 = 4.0;
/// How long an error toast stays, in seconds.
const ERROR_TOAST_SECS: f64 = 8.0;
/// Load the next drafts page when the selection is this close to the end.
const PAGE_AHEAD: usize = 10;
/// Prompts kept in history.
const HISTORY_MAX: usize = 200;

/// The requests to send once at start: the account and the first drafts page. The first
/// frame is drawn before any of them is answered.
pub fn startup(app: &mut App) -> Vec<Cmd> {
    app.drafts.loading = Loading::Loading;
    let mut cmds = vec![
        Cmd::Worker(Request::LoadAccount),
        Cmd::Worker(Request::LoadDrafts { cursor: None }),
    ];
    cmds.extend(super::storyboard::startup(app));
    cmds.extend(super::cameos::startup(app));
    cmds
}

/// Applies one message to the state and returns what the outside world should do.
pub fn update(app: &mut App, msg: Msg, now: f64) -> Vec<Cmd> {
    app.now = now;
    app.toasts.retain(|t| t.until > now);
    match msg {
        Msg::Key(key) if key.kind != KeyEventKind::Release => on_key(app, key),
        Msg::Key(_) | Msg::Tick => Vec::new(),
        Msg::Resize { list_rows, .. } => {
            app.drafts_viewport = list_rows.max(1);
            keep_visible(app);
            Vec::new()
        }
        Msg::Paste(text) => on_paste(app, &text),
        Msg::Worker(event) => on_event(app, event),
        Msg::EditorClosed {
            target: EditTarget::Prompt,
            result: Ok(text),
        } => {
            set_editor_text(&mut app.prompt.editor, &text);
            app.prompt.error = None;
            vec![save_prompt(app)]
        }
        Msg::EditorClosed {
            target: EditTarget::Storyboard(edit),
            result: Ok(text),
        } => super::storyboard::on_edited(app, edit, text),
        Msg::EffectDone(text) => {
            toast(app, text);
            Vec::new()
        }
        Msg::EditorClosed { result: Err(e), .. } | Msg::EffectFailed(e) => {
            toast_error(app, e);
            Vec::new()
        }
        Msg::Completions { input, candidates } if app.pane == Pane::Cameos => {
            super::cameos::on_completions(app, input, candidates)
        }
        Msg::Completions { input, candidates } => {
            if app.prompt.field == Some(PromptField::ImagePath) && app.prompt.image_path == input {
                match candidates.len() {
                    0 => toast(app, format!("nothing matches {input:?}")),
                    1 => app.prompt.image_path = candidates[0].clone(),
                    _ => {
                        let prefix = common_prefix(&candidates);
                        // Never shorten what was typed (a prefix shorter than the input).
                        app.prompt.image_path = if prefix.len() >= input.len() {
                            prefix
                        } else {
                            input
                        };
                        app.prompt.completions = candidates;
                    }
                }
            }
            Vec::new()
        }
    }
}

/// The longest common start of the candidates, on a character boundary (for completions).
pub(crate) fn common_prefix(items: &[String]) -> String {
    let Some(first) = items.first() else {
        return String::new();
    };
    let mut len = first.len();
    for s in &items[1..] {
        len = len.min(
            first
                .bytes()
                .zip(s.bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    while !first.is_char_boundary(len) {
        len -= 1;
    }
    first[..len].to_string()
}

/// Shows an information toast (for the pane modules too).
pub fn toast(app: &mut App, text: impl Into<String>) {
    let until = app.now + TOAST_SECS;
    push_toast(
        app,
        Toast {
            text: text.into(),
            error: false,
            until,
        },
    );
}

/// Shows an error toast (for the pane modules too).
pub fn toast_error(app: &mut App, text: impl Into<String>) {
    let until = app.now + ERROR_TOAST_SECS;
    push_toast(
        app,
        Toast {
            text: text.into(),
            error: true,
            until,
        },
    );
}

fn push_toast(app: &mut App, t: Toast) {
    app.log_message(&t.text, t.error);
    app.toasts.push_back(t);
    while app.toasts.len() > 4 {
        app.toasts.pop_front();
    }
}

fn ctrl(key: &KeyEvent, c: char) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char(c)
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Cmd> {
    if ctrl(&key, 'c') {
        app.quit = true;
        return vec![Cmd::Quit];
    }
    if let Some(plain) = after_esc(&key)
        && !alt_key_has_use(app, &key)
    {
        // `Esc` and a key in one read: first what `Esc` does here (leave typing, close a
        // form, a field, a modal), then the key, as if they had come one by one.
        let mut cmds = on_key(app, KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
        cmds.extend(on_key(app, plain));
        return cmds;
    }
    if let Some(modal) = app.modal.take() {
        return on_modal_key(app, modal, key);
    }
    // The Storyboard and Cameos panes see keys first (typing, forms); `None` lets the
    // keymap handle them.
    if app.pane == Pane::Storyboard
        && let Some(cmds) = super::storyboard::on_key(app, key)
    {
        return cmds;
    }
    if app.pane == Pane::Cameos
        && let Some(cmds) = super::cameos::on_key(app, key)
    {
        return cmds;
    }
    if app.pane == Pane::Prompt {
        if let Some(field) = app.prompt.field {
            return on_field_key(app, field, key);
        }
        if app.prompt.typing {
            return on_typing_key(app, key);
        }
    }
    if key.code == KeyCode::Esc && app.pane == Pane::Drafts && app.drafts.details {
        app.drafts.details = false;
        return Vec::new();
    }
    match app.keymap.lookup(contexts(app.pane), &key) {
        Some(action) => on_action(app, action),
        None => Vec::new(),
    }
}

/// The binding contexts of a pane when nothing in it is typing, first match wins.
fn contexts(pane: Pane) -> &'static [Context] {
    match pane {
        Pane::Prompt => &[Context::Prompt, Context::Global],
        Pane::Tasks => &[Context::Tasks, Context::List, Context::Global],
        Pane::Drafts => &[Context::Drafts, Context::List, Context::Global],
        Pane::Storyboard => &[Context::Storyboard, Context::Global],
        Pane::Cameos => &[Context::Cameos, Context::Global],
    }
}

/// Whether the mode an Alt key reaches does something with it (then it is that Alt key,
/// not `Esc` and a key). Modals, one-line fields and forms read no Alt keys; the editors
/// use some (word moves and deletes); elsewhere only what the keymap binds counts.
fn alt_key_has_use(app: &App, key: &KeyEvent) -> bool {
    if app.modal.is_some() {
        return false;
    }
    match app.pane {
        Pane::Prompt if app.prompt.field.is_some() => false,
        Pane::Prompt if app.prompt.typing => {
            // The typing keys of `on_typing_key` act with or without Alt.
            ['s', 'e', 'p', 'n'].iter().any(|&c| ctrl(key, c))
                || editor_uses(&app.prompt.editor, key)
        }
        Pane::Storyboard if app.storyboard.overlay.is_none() && app.storyboard.typing.is_some() => {
            super::storyboard::typing_uses(app, key)
        }
        Pane::Cameos if app.cameos.form.is_some() => false,
        pane => app.keymap.lookup(contexts(pane), key).is_some(),
    }
}

/// Whether the editor would change its text or move its cursor on `key` (tried on a copy).
pub(super) fn editor_uses(editor: &TextArea<'static>, key: &KeyEvent) -> bool {
    let mut trial = editor.clone();
    let cursor = trial.cursor();
    trial.input(*key) || trial.cursor() != cursor
}

fn on_modal_key(app: &mut App, modal: Modal, key: KeyEvent) -> Vec<Cmd> {
    match modal {
        // Help scrolls, filters or closes; it never acts on what is underneath.
        Modal::Help(help) => {
            super::keymap::help_key(app, help, key);
            Vec::new()
        }
        Modal::Log { scroll } => super::log::on_key(app, scroll, key),
        Modal::Confirm { action, .. } => {
            if key.code == KeyCode::Char('y') || key.code == KeyCode::Char('Y') {
                confirm(app, action)
            } else {
                Vec::new()
            }
        }
    }
}

fn confirm(app: &mut App, action: ConfirmAction) -> Vec<Cmd> {
    match action {
        ConfirmAction::Quit => {
            app.quit = true;
            vec![Cmd::Quit]
        }
        ConfirmAction::Unpublish { gen_id, post_id } => {
            app.drafts.busy.insert(gen_id.clone(), DraftOp::Unpublish);
            vec![Cmd::Worker(Request::Unpublish { post_id, gen_id })]
        }
        ConfirmAction::DismissTask { task_id } => {
            app.tasks.tasks.retain(|t| t.task_id != task_id);
            app.tasks.selected = app
                .tasks
                .selected
                .min(app.tasks.tasks.len().saturating_sub(1));
            vec![Cmd::Worker(Request::DismissTask { task_id })]
        }
        ConfirmAction::Storyboard(c) => super::storyboard::on_confirm(app, c),
        ConfirmAction::Cameo(c) => super::cameos::on_confirm(app, c),
    }
}

fn on_typing_key(app: &mut App, key: KeyEvent) -> Vec<Cmd> {
    if ctrl(&key, 's') {
        return submit(app);
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
    if app.prompt.editor.input(key) {
        app.prompt.error = None;
        app.prompt.history_pos = None;
        return vec![save_prompt(app)];
    }
    Vec::new()
}

fn on_field_key(app: &mut App, field: PromptField, key: KeyEvent) -> Vec<Cmd> {
    if ctrl(&key, 's') {
        app.prompt.field = None;
        app.prompt.completions.clear();
        return submit(app);
    }
    let value = match field {
        PromptField::ImagePath => &mut app.prompt.image_path,
        PromptField::Remix => &mut app.prompt.remix,
    };
    match key.code {
        KeyCode::Esc | KeyCode::Enter => {
            app.prompt.field = None;
            app.prompt.completions.clear();
            let trimmed = value.trim().to_string();
            *value = trimmed;
            if field == PromptField::Remix && !app.prompt.remix.is_empty() {
                match remix_target_id(&app.prompt.remix) {
                    Ok(id) => app.prompt.remix = id,
                    Err(e) => toast_error(app, e),
                }
            }
            return vec![save_prompt(app)];
        }
        KeyCode::Tab if field == PromptField::ImagePath => {
            app.prompt.completions.clear();
            return vec![Cmd::CompletePath(value.clone())];
        }
        KeyCode::Backspace => {
            value.pop();
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => value.push(c),
        _ => return Vec::new(),
    }
    app.prompt.completions.clear();
    Vec::new()
}

fn prompt_editor(app: &App) -> Cmd {
    Cmd::EditExternally {
        text: app.prompt.text(),
        target: EditTarget::Prompt,
    }
}

fn on_paste(app: &mut App, text: &str) -> Vec<Cmd> {
    if app.pane == Pane::Storyboard {
        return super::storyboard::on_paste(app, text);
    }
    if app.pane == Pane::Cameos {
        return super::cameos::on_paste(app, text);
    }
    if app.pane != Pane::Prompt {
        return Vec::new();
    }
    if let Some(field) = app.prompt.field {
        let line: String = text.chars().filter(|c| !c.is_control()).collect();
        match field {
            PromptField::ImagePath => app.prompt.image_path.push_str(line.trim()),
            PromptField::Remix => app.prompt.remix.push_str(line.trim()),
        }
        return Vec::new();
    }
    app.prompt.typing = true;
    // Terminals send CR for newlines in pastes; the editor wants LF.
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    app.prompt.editor.insert_str(normalized);
    app.prompt.error = None;
    vec![save_prompt(app)]
}

fn on_action(app: &mut App, action: Action) -> Vec<Cmd> {
    use Action::*;
    match action {
        Quit => {
            if app.work_in_flight() {
                app.modal = Some(Modal::Confirm {
                    question: "Work is in flight (a submission or download). Quit anyway?".into(),
                    action: ConfirmAction::Quit,
                });
                Vec::new()
            } else {
                app.quit = true;
                vec![Cmd::Quit]
            }
        }
        Help => {
            app.modal = Some(Modal::Help(Default::default()));
            Vec::new()
        }
        MessageLog => {
            super::log::open(app);
            Vec::new()
        }
        NextPane => focus(app, Pane::ALL[(app.pane.index() + 1) % Pane::ALL.len()]),
        PrevPane => focus(
            app,
            Pane::ALL[(app.pane.index() + Pane::ALL.len() - 1) % Pane::ALL.len()],
        ),
        GoPrompt => focus(app, Pane::Prompt),
        GoStoryboard => focus(app, Pane::Storyboard),
        GoTasks => focus(app, Pane::Tasks),
        GoDrafts => focus(app, Pane::Drafts),
        GoCameos => focus(app, Pane::Cameos),
        Down | Up | Top | Bottom | PageDown | PageUp => move_selection(app, action),
        Details => details(app),
        Type => {
            app.prompt.typing = true;
            Vec::new()
        }
        Submit => submit(app),
        ExternalEditor => vec![prompt_editor(app)],
        ToggleKind | CycleOrientation | CycleLength | ToggleModel | ToggleSize | CycleVariants
        | ClearInputs => change_setting(app, action),
        EditImage => {
            app.prompt.field = Some(PromptField::ImagePath);
            Vec::new()
        }
        EditRemix => {
            if app.prompt.image_mode {
                toast(app, "remix applies to videos: press v to switch to video");
            } else {
                app.prompt.field = Some(PromptField::Remix);
            }
            Vec::new()
        }
        HistoryPrev => history(app, -1),
        HistoryNext => history(app, 1),
        Download | DownloadClean | Publish | Unpublish | CopyLink | Open | Remix => {
            draft_action(app, action)
        }
        Refresh => {
            app.drafts.loading = Loading::Loading;
            app.drafts.loading_more = false;
            vec![Cmd::Worker(Request::LoadDrafts { cursor: None })]
        }
        Storyboard(a) => super::storyboard::on_action(app, a),
        Cameo(a) => super::cameos::on_action(app, a),
        Dismiss => {
            let Some(task) = app.tasks.tasks.get(app.tasks.selected) else {
                return Vec::new();
            };
            if task.phase.is_unfinished() {
                toast(
                    app,
                    "this task is still running; it can be removed once it finishes",
                );
            } else {
                app.modal = Some(Modal::Confirm {
                    question: format!(
                        "Remove {} from the list? (The draft itself stays.)",
                        task.task_id
                    ),
                    action: ConfirmAction::DismissTask {
                        task_id: task.task_id.clone(),
                    },
                });
            }
            Vec::new()
        }
    }
}

fn focus(app: &mut App, pane: Pane) -> Vec<Cmd> {
    app.pane = pane;
    if pane == Pane::Drafts && app.drafts.loading == Loading::Idle {
        app.drafts.loading = Loading::Loading;
        return vec![Cmd::Worker(Request::LoadDrafts { cursor: None })];
    }
    Vec::new()
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

fn save_prompt(app: &App) -> Cmd {
    Cmd::Worker(Request::SavePrompt(prompt_snapshot(app)))
}

fn submit(app: &mut App) -> Vec<Cmd> {
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
    vec![
        Cmd::Worker(Request::Submit(Submission {
            local_id,
            prompt: prompt.to_string(),
            kind,
            image,
        })),
        save_prompt(app),
    ]
}

fn list_len(app: &App) -> usize {
    match app.pane {
        Pane::Tasks => app.tasks.tasks.len(),
        Pane::Drafts => app.drafts.rows.len(),
        _ => 0,
    }
}

/// The new index of a list selection after a movement action (`Down`, `Up`, `Top`,
/// `Bottom`, `PageDown`, `PageUp`), for lists of `len` rows showing `page` at once.
pub fn step_selection(cur: usize, len: usize, action: Action, page: usize) -> usize {
    if len == 0 {
        return 0;
    }
    let page = page.max(1);
    match action {
        Action::Down => (cur + 1).min(len - 1),
        Action::Up => cur.saturating_sub(1),
        Action::Top => 0,
        Action::Bottom => len - 1,
        Action::PageDown => (cur + page).min(len - 1),
        Action::PageUp => cur.saturating_sub(page),
        _ => cur.min(len - 1),
    }
}

fn move_selection(app: &mut App, action: Action) -> Vec<Cmd> {
    let len = list_len(app);
    if len == 0 {
        return Vec::new();
    }
    let cur = match app.pane {
        Pane::Tasks => app.tasks.selected,
        _ => app.drafts.selected,
    };
    let next = step_selection(cur, len, action, app.drafts_viewport);
    match app.pane {
        Pane::Tasks => app.tasks.selected = next,
        _ => app.drafts.selected = next,
    }
    keep_visible(app);
    maybe_load_more(app)
}

fn keep_visible(app: &mut App) {
    let d = &mut app.drafts;
    let rows = app.drafts_viewport.max(1);
    d.selected = d.selected.min(d.rows.len().saturating_sub(1));
    if d.selected < d.offset {
        d.offset = d.selected;
    } else if d.selected >= d.offset + rows {
        d.offset = d.selected + 1 - rows;
    }
    d.offset = d.offset.min(d.rows.len().saturating_sub(1));
}

fn maybe_load_more(app: &mut App) -> Vec<Cmd> {
    let d = &mut app.drafts;
    if app.pane == Pane::Drafts
        && !d.loading_more
        && d.loading == Loading::Loaded
        && d.selected + PAGE_AHEAD >= d.rows.len()
        && let Some(cursor) = d.next_cursor.clone()
    {
        d.loading_more = true;
        return vec![Cmd::Worker(Request::LoadDrafts {
            cursor: Some(cursor),
        })];
    }
    Vec::new()
}

fn details(app: &mut App) -> Vec<Cmd> {
    match app.pane {
        Pane::Drafts => {
            if !app.drafts.rows.is_empty() {
                app.drafts.details = !app.drafts.details;
            }
            Vec::new()
        }
        Pane::Tasks => {
            let Some(task) = app.tasks.tasks.get(app.tasks.selected).cloned() else {
                return Vec::new();
            };
            match (&task.phase, task.kind) {
                (TaskPhase::Done { generation_ids, .. }, kind) if kind.is_video() => {
                    app.pane = Pane::Drafts;
                    if let Some(i) = app
                        .drafts
                        .rows
                        .iter()
                        .position(|r| generation_ids.contains(&r.gen_id))
                    {
                        app.drafts.selected = i;
                        app.drafts.details = true;
                        keep_visible(app);
                        Vec::new()
                    } else {
                        app.drafts.loading = Loading::Loading;
                        vec![Cmd::Worker(Request::LoadDrafts { cursor: None })]
                    }
                }
                (TaskPhase::Done { urls, .. }, TaskKind::Image) => match urls.first() {
                    Some(url) => open_url(app, url),
                    None => Vec::new(),
                },
                (TaskPhase::Failed { reason } | TaskPhase::Blocked { reason }, _) => {
                    toast_error(app, reason.clone());
                    Vec::new()
                }
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

/// The share link of a post, built only from a valid post id (else why there is none).
pub use crate::api::share_link;

/// Opens a server-given media link once [`media_url`] accepts it; a refusal is a toast.
fn open_url(app: &mut App, raw: &str) -> Vec<Cmd> {
    match media_url(raw) {
        Ok(url) => vec![Cmd::Open(OpenTarget::Url(url))],
        Err(why) => {
            toast_error(app, why);
            Vec::new()
        }
    }
}

/// Why `action` cannot be done on `row` because an id it needs is not an id (the row is
/// still listed, its id shown sanitised): downloads and publishing need the generation id;
/// unpublishing and remixing need the post id.
fn refused_id(row: &DraftRow, action: Action) -> Option<String> {
    let needs_gen = matches!(
        action,
        Action::Download | Action::DownloadClean | Action::Publish
    );
    // (Copying the link says why on its own: see `share_link`.)
    let needs_post = matches!(action, Action::Unpublish | Action::Remix);
    if needs_gen && !valid_id(&row.gen_id) {
        return Some(format!(
            "refused: {}",
            crate::api::id::id_problem("generation", &row.gen_id)
        ));
    }
    match &row.post_id {
        Some(post) if needs_post && !valid_id(post) => Some(format!(
            "refused: {}",
            crate::api::id::id_problem("post", post)
        )),
        _ => None,
    }
}

fn draft_action(app: &mut App, action: Action) -> Vec<Cmd> {
    let Some(row) = app.drafts.rows.get(app.drafts.selected).cloned() else {
        return Vec::new();
    };
    let gen_id = row.gen_id.clone();
    if let Some(why) = refused_id(&row, action) {
        toast_error(app, why);
        return Vec::new();
    }
    match action {
        Action::Download | Action::DownloadClean => {
            if row.draft.best_url().is_none() {
                toast(
                    app,
                    "this draft has no media yet: refresh with r in a moment",
                );
                return Vec::new();
            }
            if matches!(
                app.drafts.downloads.get(&gen_id),
                Some(DownloadState::Running { .. })
            ) {
                toast(app, "already downloading");
                return Vec::new();
            }
            let clean = action == Action::DownloadClean;
            if clean && matches!(row.draft.verdict(), DraftVerdict::Violation(_)) {
                toast_error(
                    app,
                    "a draft blocked by the content policy cannot be published for a clean copy",
                );
                return Vec::new();
            }
            app.drafts.downloads.insert(
                gen_id.clone(),
                DownloadState::Running {
                    done: 0,
                    total: None,
                },
            );
            // The worker names the file (from the sanitised id) and writes the sidecar from
            // the draft; the row's draft knows the post id if the user published it.
            let mut draft = Box::new(row.draft.clone());
            if draft.post_id.is_none() {
                draft.post_id = row.post_id.clone();
            }
            let dir = app.info.download_dir.clone();
            let request = if clean {
                Request::SaveClean { draft, dir }
            } else {
                Request::SaveDraft { draft, dir }
            };
            vec![Cmd::Worker(request)]
        }
        Action::Publish | Action::Unpublish | Action::Remix | Action::CopyLink
            if row.is_image() =>
        {
            toast(
                app,
                "an image result is not a video draft: it can be downloaded (w) or opened (o)",
            );
            Vec::new()
        }
        Action::Publish => {
            if let Some(post) = &row.post_id {
                match share_link(post) {
                    Ok(link) => toast(app, format!("already published: {link}")),
                    Err(why) => toast_error(app, format!("already published; {why}")),
                }
                return Vec::new();
            }
            if matches!(row.draft.verdict(), DraftVerdict::Violation(_)) {
                toast_error(
                    app,
                    "a draft blocked by the content policy cannot be published",
                );
                return Vec::new();
            }
            app.drafts.busy.insert(gen_id.clone(), DraftOp::Publish);
            vec![Cmd::Worker(Request::Publish { gen_id })]
        }
        Action::Unpublish => {
            let Some(post_id) = row.post_id.clone() else {
                toast(app, "this draft is not published");
                return Vec::new();
            };
            app.modal = Some(Modal::Confirm {
                question: format!("Unpublish {post_id}? Its share link stops working."),
                action: ConfirmAction::Unpublish { gen_id, post_id },
            });
            Vec::new()
        }
        Action::CopyLink => match row.post_id.as_deref().map(share_link) {
            Some(Ok(link)) => {
                vec![Cmd::Copy(link)]
            }
            Some(Err(why)) => {
                toast_error(app, why);
                Vec::new()
            }
            None => {
                toast(
                    app,
                    "not published: press p to publish; share links exist only for posts",
                );
                Vec::new()
            }
        },
        Action::Open => {
            // A file only from what the worker reported saved; anything else is the server's
            // link, checked before it reaches a player.
            if let Some(DownloadState::Done(path)) = app.drafts.downloads.get(&gen_id) {
                return vec![Cmd::Open(OpenTarget::File(path.clone()))];
            }
            match row.draft.best_url() {
                Some(url) => open_url(app, url),
                None => {
                    toast(app, "this draft has no media yet");
                    Vec::new()
                }
            }
        }
        Action::Remix => match &row.post_id {
            Some(post) => {
                app.prompt.remix = post.clone();
                app.prompt.image_path.clear();
                app.prompt.image_mode = false;
                app.pane = Pane::Prompt;
                app.prompt.typing = true;
                toast(
                    app,
                    format!("remixing {post}: describe what to change, then Ctrl-S"),
                );
                vec![save_prompt(app)]
            }
            None => {
                toast(
                    app,
                    "a remix needs a published video: press p to publish it first",
                );
                Vec::new()
            }
        },
        _ => Vec::new(),
    }
}

/// Clears the in-flight mark of `op` on one draft, and nothing else: the other drafts' marks
/// stay, and so does a mark this draft got for another operation since.
fn settle_draft_op(app: &mut App, gen_id: &str, op: DraftOp) {
    if app.drafts.busy.get(gen_id) == Some(&op) {
        app.drafts.busy.remove(gen_id);
    }
}

fn on_event(app: &mut App, event: Event) -> Vec<Cmd> {
    if let Some(cmds) = super::storyboard::intercept(app, &event) {
        return cmds;
    }
    match event {
        Event::Restored {
            tasks,
            prompt,
            warnings,
        } => {
            app.tasks.tasks = tasks;
            if let Some(s) = prompt {
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
            for w in warnings {
                toast_error(app, w);
            }
        }
        Event::Account(me) => {
            app.account = Some(me);
            app.account_loading = Loading::Loaded;
            app.connection = Connection::Online;
        }
        Event::AccountFailed(e) => {
            let msg = e.to_string();
            app.account_loading = Loading::Failed(msg.clone());
            app.connection = Connection::Trouble(msg.clone());
            toast_error(app, msg);
        }
        Event::Quota(q) => app.quota = q,
        Event::Uploading { .. } => toast(app, "uploading the input image…"),
        Event::Submitted { local_id, record } => {
            if app.prompt.submitting == Some(local_id) {
                app.prompt.submitting = None;
                // The prompt is in history (Ctrl-P brings it back); the editor is ready for the next.
                set_editor_text(&mut app.prompt.editor, "");
            }
            toast(
                app,
                format!("submitted {}: follow it in 3 Tasks", record.task_id),
            );
            app.tasks.tasks.retain(|t| t.task_id != record.task_id);
            app.tasks.tasks.insert(0, record);
            app.tasks.selected = 0;
            return vec![save_prompt(app)];
        }
        Event::SubmitFailed { local_id, error } => {
            if app.prompt.submitting == Some(local_id) {
                app.prompt.submitting = None;
            }
            let msg = error.to_string();
            app.prompt.error = Some(msg.clone());
            toast_error(app, msg);
        }
        Event::TaskChanged(record) => {
            let was_unfinished = app
                .tasks
                .tasks
                .iter()
                .find(|t| t.task_id == record.task_id)
                .is_none_or(|t| t.phase.is_unfinished());
            let finished = was_unfinished && !record.phase.is_unfinished();
            let excerpt = one_line(&record.prompt, 40);
            let note = match &record.phase {
                TaskPhase::Done { .. } => format!("done: {excerpt}"),
                TaskPhase::Failed { reason } => {
                    format!("failed: {excerpt}: {}", one_line(reason, 80))
                }
                TaskPhase::Blocked { reason } => {
                    format!("blocked: {excerpt}: {}", one_line(reason, 80))
                }
                TaskPhase::Working { .. } => String::new(),
            };
            match app
                .tasks
                .tasks
                .iter_mut()
                .find(|t| t.task_id == record.task_id)
            {
                Some(t) => *t = record.clone(),
                None => app.tasks.tasks.insert(0, record.clone()),
            }
            if finished && record.kind == TaskKind::Image {
                let fresh: Vec<DraftRow> = image_rows(std::slice::from_ref(&record))
                    .into_iter()
                    .filter(|r| !app.drafts.rows.iter().any(|o| o.gen_id == r.gen_id))
                    .collect();
                if !app.drafts.rows.is_empty() {
                    app.drafts.selected += fresh.len();
                }
                app.drafts.rows.splice(0..0, fresh);
                keep_visible(app);
            }
            if finished {
                if matches!(record.phase, TaskPhase::Done { .. }) {
                    toast(app, note.clone());
                } else {
                    toast_error(app, note.clone());
                }
                // The quota moved: read it again along with the account.
                return vec![
                    Cmd::Notify(format!("sora-tui: {note}")),
                    Cmd::Worker(Request::LoadAccount),
                ];
            }
        }
        Event::TaskRemoved { task_id } => {
            let t = &mut app.tasks;
            if let Some(i) = t.tasks.iter().position(|r| r.task_id == task_id) {
                t.tasks.remove(i);
                if t.selected > i {
                    t.selected -= 1;
                }
                t.selected = t.selected.min(t.tasks.len().saturating_sub(1));
            }
        }
        Event::DraftsLoaded { page, first } => {
            let images = if first {
                image_rows(&app.tasks.tasks)
            } else {
                Vec::new()
            };
            let d = &mut app.drafts;
            // The server's cursors are followed through a pager that ends a walk that would
            // loop, so a repeated cursor cannot make the pane page forever near the end.
            if first {
                d.pager = Pager::new();
            }
            let (items, step) = d.pager.page(page.items, page.cursor);
            let rows = items.into_iter().map(drafts_row);
            if first {
                let keep = d.rows.get(d.selected).map(|r| r.gen_id.clone());
                d.rows = images;
                d.rows.extend(rows);
                d.selected = keep
                    .and_then(|id| d.rows.iter().position(|r| r.gen_id == id))
                    .unwrap_or(0);
            } else {
                let known: std::collections::HashSet<String> =
                    d.rows.iter().map(|r| r.gen_id.clone()).collect();
                d.rows.extend(rows.filter(|r| !known.contains(&r.gen_id)));
            }
            let stopped = match step {
                PageStep::Next(cursor) => {
                    d.next_cursor = Some(cursor);
                    None
                }
                PageStep::End => {
                    d.next_cursor = None;
                    None
                }
                PageStep::Stopped(why) => {
                    d.next_cursor = None;
                    // An empty last page is only an odd way to end; the rest are worth a word.
                    (why != PageStop::EmptyPage).then(|| why.message(d.pager.pages()))
                }
            };
            d.loading = Loading::Loaded;
            d.loading_more = false;
            app.connection = Connection::Online;
            keep_visible(app);
            if let Some(message) = stopped {
                toast(app, message);
            }
        }
        Event::DraftsFailed(e) => {
            let msg = e.to_string();
            if app.drafts.loading_more {
                app.drafts.loading_more = false;
                toast_error(app, msg);
            } else {
                app.drafts.loading = Loading::Failed(msg);
            }
        }
        Event::DownloadProgress {
            gen_id,
            done,
            total,
        } => {
            app.drafts
                .downloads
                .insert(gen_id, DownloadState::Running { done, total });
        }
        Event::Downloaded { gen_id, path } => {
            app.drafts.stages.remove(&gen_id);
            toast(app, format!("saved {}", path.display()));
            app.drafts
                .downloads
                .insert(gen_id, DownloadState::Done(path));
        }
        Event::PostCopySaved {
            gen_id,
            path,
            verdict,
        } => {
            app.drafts.stages.remove(&gen_id);
            let message = verdict.message(&path);
            // Not clean is what the user did not ask for: said as loudly, and as long, as an
            // error, though a file was saved.
            if verdict.is_clean() {
                toast(app, message);
            } else {
                toast_error(app, message);
            }
            app.drafts
                .downloads
                .insert(gen_id, DownloadState::Done(path));
        }
        Event::DownloadFailed { gen_id, error } => {
            app.drafts.stages.remove(&gen_id);
            let msg = error.to_string();
            toast_error(app, format!("download failed: {msg}"));
            app.drafts
                .downloads
                .insert(gen_id, DownloadState::Failed(msg));
        }
        Event::DownloadStage { gen_id, stage } => {
            app.drafts.stages.insert(gen_id, stage);
        }
        Event::TempPostDeleted { post_id } => {
            toast(app, format!("deleted the temporary post {post_id}"));
        }
        Event::TempPostCleanupFailed { post_id, error, .. } => {
            let which = post_id.unwrap_or_else(|| "of a clean copy".into());
            toast_error(
                app,
                format!(
                    "could not delete the temporary post {which} (retried at the next start): {error}"
                ),
            );
        }
        Event::Published { gen_id, post } => {
            settle_draft_op(app, &gen_id, DraftOp::Publish);
            if let Some(row) = app.drafts.rows.iter_mut().find(|r| r.gen_id == gen_id) {
                row.post_id = Some(post.id.clone());
            }
            match post.share_link() {
                Ok(link) => toast(app, format!("published {link}: y copies the link")),
                Err(why) => toast_error(app, format!("published; {why}")),
            }
        }
        Event::Unpublished { gen_id, post_id } => {
            settle_draft_op(app, &gen_id, DraftOp::Unpublish);
            if let Some(row) = app.drafts.rows.iter_mut().find(|r| r.gen_id == gen_id) {
                row.post_id = None;
            }
            toast(app, format!("unpublished {post_id}"));
        }
        Event::ActionFailed { op, gen_id, error } => {
            settle_draft_op(app, &gen_id, op);
            toast_error(app, op.failure(&gen_id, &error));
        }
        Event::Retrying {
            what,
            reason,
            until_unix,
        } => {
            app.retrying = Some(super::RetryStatus {
                what,
                reason,
                until_unix,
            })
        }
        Event::RetryCleared { what } => {
            // Only the call it announced: another call may be waiting still.
            if app.retrying.as_ref().is_some_and(|r| r.what == what) {
                app.retrying = None;
            }
        }
        Event::PollTrouble(Some(e)) => app.connection = Connection::Trouble(e.to_string()),
        Event::PollTrouble(None) => app.connection = Connection::Online,
        Event::StoreFailed(msg) => {
            toast_error(app, format!("could not save to the data dir: {msg}"))
        }
        Event::Storyboard(e) => return super::storyboard::on_event(app, e),
        Event::Cameo(e) => return super::cameos::on_event(app, e),
        Event::Crashed(msg) => {
            app.fatal = Some(format!("the background worker stopped: {msg}"));
            app.quit = true;
            return vec![Cmd::Quit];
        }
    }
    Vec::new()
}

/// Builds a draft's row, formatting its display strings once, when it arrives.
pub fn drafts_row(draft: Draft) -> DraftRow {
    let gen_id = draft.gen_id().unwrap_or("?").to_string();
    let title = one_line(
        draft
            .prompt
            .as_deref()
            .filter(|p| !p.trim().is_empty())
            .or(draft.title.as_deref())
            .unwrap_or("(no prompt)"),
        200,
    );
    let created = draft.created_at.map(format_unix).unwrap_or_default();
    let duration = draft
        .duration_s
        .map(crate::text::duration)
        .unwrap_or_default();
    let state = match draft.verdict() {
        DraftVerdict::Ready => "ready",
        DraftVerdict::Violation(_) => "blocked",
        DraftVerdict::NotReady => "not ready",
    }
    .to_string();
    let post_id = draft.published_post_id();
    DraftRow {
        draft: slim(draft),
        gen_id,
        title,
        created,
        duration,
        state,
        post_id,
    }
}

/// Rows for the results of finished image tasks. The API lists them only among the recent
/// tasks, never among the drafts, but the Drafts pane is where a user looks for results.
fn image_rows(tasks: &[crate::track::TaskRecord]) -> Vec<DraftRow> {
    let mut rows = Vec::new();
    for t in tasks.iter().filter(|t| t.kind == TaskKind::Image) {
        let TaskPhase::Done {
            generation_ids,
            urls,
        } = &t.phase
        else {
            continue;
        };
        for (id, url) in generation_ids.iter().zip(urls) {
            let mut row = drafts_row(Draft {
                id: Some(id.clone()),
                task_id: Some(t.task_id.clone()),
                kind: Some(IMAGE_KIND.into()),
                downloadable_url: Some(url.clone()),
                prompt: Some(t.prompt.clone()),
                created_at: t.finished_at.or(Some(t.submitted_at)),
                ..Draft::default()
            });
            row.state = "image".into();
            rows.push(row);
        }
    }
    rows
}

/// The `kind` of rows made from image results (not a value the server uses).
pub const IMAGE_KIND: &str = "image";

/// Keeps only what the Drafts pane uses of a draft. A draft from the server carries a dozen
/// signed URLs (renditions, download variants) of which the pane needs one; with 10 000
/// drafts loaded the rest would be most of the program's memory.
fn slim(draft: Draft) -> Draft {
    let verdict = draft.verdict();
    let best_url = draft.best_url().map(str::to_owned);
    let reason = match verdict {
        DraftVerdict::Violation(reason) => Some(reason),
        _ => None,
    };
    let post_id = draft.published_post_id();
    let shrink = |s: Option<String>| {
        s.map(|mut s| {
            s.shrink_to_fit();
            s
        })
    };
    Draft {
        id: shrink(draft.gen_id().map(str::to_owned)),
        task_id: shrink(draft.task_id),
        kind: shrink(draft.kind),
        downloadable_url: shrink(best_url),
        reason_str: shrink(reason),
        width: draft.width,
        height: draft.height,
        duration_s: draft.duration_s,
        prompt: shrink(draft.prompt),
        title: shrink(draft.title),
        created_at: draft.created_at,
        post_id: shrink(post_id),
        ..Draft::default()
    }
}

/// Server text made safe to draw on one line, cut at `max` characters: the shared
/// sanitiser, [`crate::text::sanitize`].
pub fn one_line(text: &str, max: usize) -> String {
    crate::text::sanitize(text, max)
}

/// `2026-11-24 19:58` (UTC) from unix seconds, `–` when no such date can be right: the
/// shared date format, [`crate::text::date`].
pub fn format_unix(secs: f64) -> String {
    crate::text::date(secs)
}
