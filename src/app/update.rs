//! `update`: every state change of the UI, as a pure function of the state and a message.
//!
//! This file routes: keys (through the keymap), actions, confirmations, pastes and worker
//! events go to the pane they concern (`prompt`, `tasks`, `drafts`, `storyboard`, `cameos`);
//! what no single pane owns stays here: focus, modals, toasts, the account and connection,
//! moving a list selection.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui_textarea::TextArea;

use super::drafts::{keep_visible, maybe_load_more};
use super::keymap::{Action, Context, after_esc};
use super::{
    App, Cmd, ConfirmAction, Connection, EditTarget, Loading, Modal, Msg, OpenTarget, Pane, Toast,
    media_url,
};
use crate::worker::{DraftsRequest, Event, Request};

/// How long an information toast stays, in seconds.
const TOAST_SECS: f64 = 4.0;
/// How long an error toast stays, in seconds.
const ERROR_TOAST_SECS: f64 = 8.0;

/// The requests to send once at start: the account and the first drafts page. The first
/// frame is drawn before any of them is answered.
pub fn startup(app: &mut App) -> Vec<Cmd> {
    app.drafts.loading = Loading::Loading;
    // What a new user types first is a prompt: the keys go into the editor until `Esc`
    // (typed at once, `s`, `o` and `r` would otherwise change settings that are autosaved).
    if app.pane == Pane::Prompt {
        app.prompt.typing = true;
    }
    let mut cmds = vec![
        Cmd::Worker(Request::LoadAccount),
        Cmd::Worker(Request::Drafts(DraftsRequest::LoadDrafts { cursor: None })),
    ];
    // A file on the command line is a batch file (its confirm is shown) or a storyboard.
    match super::batch::startup(app) {
        Some(batch) => cmds.extend(batch),
        None => cmds.extend(super::storyboard::startup(app)),
    }
    cmds.extend(super::cameos::startup(app));
    cmds
}

/// Applies one message to the state and returns what the outside world should do.
pub fn update(app: &mut App, msg: Msg, now: f64) -> Vec<Cmd> {
    app.now = now;
    app.toasts.retain(|t| t.until > now);
    let mut cmds = route(app, msg);
    // What is on screen now may want pictures it has not asked for (none when all are known).
    cmds.extend(super::thumbs::request(app));
    cmds
}

fn route(app: &mut App, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Key(key) if key.kind != KeyEventKind::Release => on_key(app, key),
        Msg::Key(_) | Msg::Tick => Vec::new(),
        Msg::Resize {
            width, list_rows, ..
        } => {
            app.drafts_viewport = list_rows.max(1);
            app.screen_width = width;
            keep_visible(app);
            Vec::new()
        }
        Msg::Paste(text) => on_paste(app, &text),
        Msg::Worker(event) => {
            let cmds = on_event(app, event);
            // The lists may have changed under a filter (a cheap no-op without one).
            super::pane_filter::refilter(app);
            cmds
        }
        Msg::EditorClosed {
            target: EditTarget::Prompt,
            result: Ok(text),
        } => super::prompt::on_edited(app, text),
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
            super::prompt::on_completions(app, input, candidates)
        }
        Msg::BatchLoaded { path, result } => super::batch::on_loaded(app, path, result),
        Msg::Mouse { target, kind, .. } => super::mouse::on_mouse(app, target, kind, app.now),
    }
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

/// Whether `key` is Ctrl and the letter `c` (for the panes' typing keys too).
pub(super) fn ctrl(key: &KeyEvent, c: char) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char(c)
}

pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Cmd> {
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
    // A filter being typed has every key; a kept one clears on `Esc` unless the pane uses it.
    if app.pane == Pane::Drafts && app.drafts.filter.is_editing() {
        return super::drafts::filter_key(app, key);
    }
    if let Some(cmds) = super::pane_filter::typing(app, &key) {
        return cmds;
    }
    // The panes see keys first (typing, forms, fields); `None` lets the keymap handle them.
    let seen = match app.pane {
        Pane::Prompt => super::prompt::on_key(app, key),
        Pane::Drafts => super::drafts::on_key(app, key),
        Pane::Tasks => None,
        Pane::Storyboard => super::storyboard::on_key(app, key),
        Pane::Cameos => super::cameos::on_key(app, key),
    };
    if let Some(cmds) = seen {
        return cmds;
    }
    if app.pane == Pane::Drafts && key.code == KeyCode::Esc && app.drafts.filter.is_active() {
        return super::drafts::filter_key(app, key);
    }
    if let Some(cmds) = super::pane_filter::escape(app, &key) {
        return cmds;
    }
    match app.keymap.lookup(contexts(app.pane), &key) {
        Some(action) => on_action(app, action),
        None => Vec::new(),
    }
}

/// The binding contexts of a pane when nothing in it is typing, first match wins.
pub(super) fn contexts(pane: Pane) -> &'static [Context] {
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
        Pane::Prompt if app.prompt.typing => super::prompt::typing_uses(app, key),
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
            super::help::help_key(app, help, key);
            Vec::new()
        }
        Modal::Log { scroll } => super::log::on_key(app, scroll, key),
        Modal::Batch(confirm) => super::batch::on_key(app, confirm, key),
        Modal::Username(form) => super::username::on_key(app, form, key),
        Modal::Confirm { action, .. } => {
            if key.code == KeyCode::Char('y') || key.code == KeyCode::Char('Y') {
                confirm(app, action)
            } else {
                Vec::new()
            }
        }
        Modal::DraftCameo(form) => super::draft_cameo::on_key(app, form, key),
        Modal::Enhance(overlay) => super::enhance::on_key(app, overlay, key),
        Modal::Extend(form) => super::extend::on_key(app, form, key),
    }
}

fn confirm(app: &mut App, action: ConfirmAction) -> Vec<Cmd> {
    match action {
        ConfirmAction::Quit => {
            app.quit = true;
            vec![Cmd::Quit]
        }
        ConfirmAction::Unpublish { gen_id, post_id } => {
            super::drafts::on_confirm(app, gen_id, post_id)
        }
        ConfirmAction::DismissTask { task_id } => super::tasks::on_confirm(app, task_id),
        ConfirmAction::Archive { dir } => super::drafts::on_confirm_archive(app, dir),
        ConfirmAction::RemoveQueued { queue_id } => super::queue::on_confirm(queue_id),
        ConfirmAction::Storyboard(c) => super::storyboard::on_confirm(app, c),
        ConfirmAction::Cameo(c) => super::cameos::on_confirm(app, c),
    }
}

fn on_paste(app: &mut App, text: &str) -> Vec<Cmd> {
    match app.modal.take() {
        Some(Modal::DraftCameo(form)) => {
            super::draft_cameo::on_paste(app, form, text);
            return Vec::new();
        }
        // The text the overlay would replace must not change under it.
        Some(overlay @ Modal::Enhance(_)) => {
            app.modal = Some(overlay);
            return Vec::new();
        }
        Some(Modal::Extend(mut form)) => {
            super::extend::on_paste(&mut form, text);
            app.modal = Some(Modal::Extend(form));
            return Vec::new();
        }
        Some(Modal::Username(mut form)) => {
            super::username::on_paste(&mut form, text);
            app.modal = Some(Modal::Username(form));
            return Vec::new();
        }
        other => app.modal = other,
    }
    match app.pane {
        Pane::Prompt => super::prompt::on_paste(app, text),
        Pane::Storyboard => super::storyboard::on_paste(app, text),
        Pane::Cameos => super::cameos::on_paste(app, text),
        Pane::Tasks | Pane::Drafts => Vec::new(),
    }
}

pub(super) fn on_action(app: &mut App, action: Action) -> Vec<Cmd> {
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
        Details => match app.pane {
            Pane::Tasks => super::tasks::on_action(app, action),
            Pane::Drafts => super::drafts::toggle_details(app),
            _ => Vec::new(),
        },
        Filter => match app.pane {
            Pane::Drafts => super::drafts::open_filter(app),
            _ => super::pane_filter::open(app),
        },
        Type | Submit | QueueThis | ExternalEditor | ToggleKind | CycleOrientation
        | CycleLength | ToggleModel | ToggleSize | CycleVariants | ClearInputs | EditImage
        | EditRemix | OpenBatch | HistoryPrev | HistoryNext | CycleStyle => {
            super::prompt::on_action(app, action)
        }
        Drafts(a) => super::drafts::on_action(app, a),
        Storyboard(a) => super::storyboard::on_action(app, a),
        Cameo(a) => super::cameos::on_action(app, a),
        Dismiss | RerunTask => super::tasks::on_action(app, action),
        QueueMoveDown | QueueMoveUp | QueueEdit | QueuePause => {
            super::queue::on_action(app, action)
        }
        EnhancePrompt => super::enhance::start(app),
        SetUsername => super::username::open(app),
    }
}

fn focus(app: &mut App, pane: Pane) -> Vec<Cmd> {
    app.pane = pane;
    if pane == Pane::Drafts && app.drafts.loading == Loading::Idle {
        app.drafts.loading = Loading::Loading;
        return vec![Cmd::Worker(Request::Drafts(DraftsRequest::LoadDrafts {
            cursor: None,
        }))];
    }
    Vec::new()
}

fn list_len(app: &App) -> usize {
    match app.pane {
        Pane::Tasks => app.tasks.filter.len(app.tasks.len()),
        Pane::Drafts => app.drafts.filter.len(app.drafts.rows.len()),
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
        Pane::Tasks => app.tasks.filter.position(app.tasks.selected).unwrap_or(0),
        // A filtered list moves through its matches: positions, not row indices.
        _ => app.drafts.filter.position(app.drafts.selected).unwrap_or(0),
    };
    let next = if app.pane == Pane::Drafts && app.drafts.gallery {
        let (cols, rows) = super::thumbs::app_grid(app);
        super::thumbs::gallery_step(cur, len, action, cols, rows)
    } else {
        step_selection(cur, len, action, app.drafts_viewport)
    };
    match app.pane {
        Pane::Tasks => {
            app.tasks.selected = app.tasks.filter.row_at(next).unwrap_or(app.tasks.selected)
        }
        _ => {
            app.drafts.selected = app
                .drafts
                .filter
                .row_at(next)
                .unwrap_or(app.drafts.selected)
        }
    }
    keep_visible(app);
    maybe_load_more(app)
}

/// Opens a server-given media link once [`media_url`] accepts it; a refusal is a toast.
pub(super) fn open_url(app: &mut App, raw: &str) -> Vec<Cmd> {
    match media_url(raw) {
        Ok(url) => vec![Cmd::Open(OpenTarget::Url(url))],
        Err(why) => {
            toast_error(app, why);
            Vec::new()
        }
    }
}

fn on_event(app: &mut App, event: Event) -> Vec<Cmd> {
    if let Some(cmds) = super::storyboard::intercept(app, &event) {
        return cmds;
    }
    match event {
        Event::Queue(e) => return super::queue::on_event(app, e),
        Event::Picture(e) => app.thumbs.on_event(e),
        Event::History(e) => return super::history::on_event(app, e),
        Event::Restored {
            tasks,
            prompt,
            warnings,
        } => {
            app.tasks.tasks = tasks;
            if let Some(s) = prompt {
                super::prompt::restore(app, s);
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
        Event::Tasks(e) => return super::tasks::on_event(app, e),
        Event::Drafts(e) => {
            use crate::worker::DraftsEvent as E;
            // Only these change the rows' texts; downloads do not (and come often).
            let rows_change = matches!(
                e,
                E::DraftsLoaded { .. } | E::Published { .. } | E::Unpublished { .. }
            );
            let cmds = super::drafts::on_event(app, e);
            if rows_change {
                super::drafts::refilter(app);
            }
            return cmds;
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
        Event::Enhanced(answer) => return super::enhance::on_event(app, answer),
        Event::Username(e) => return super::username::on_event(app, e),
    }
    Vec::new()
}

/// Server text made safe to draw on one line, cut at `max` characters: the shared
/// sanitiser, [`crate::text::sanitize`].
pub fn one_line(text: &str, max: usize) -> String {
    crate::text::sanitize(text, max)
}
