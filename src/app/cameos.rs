//! The Cameos pane's state and its part of `update`: the cameos this program created (a copy
//! of the worker's record), the create and finalize forms, and the actions on a cameo.
//!
//! Layout: `crate::cameo_record` is the data shared with the worker and saved in
//! `cameos.json` (re-exported here); `form` holds the two forms and the checks of their
//! values; this file routes keys, actions and worker events.

mod form;

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent};

pub use crate::cameo_record::{CameoHints, CameoRecord, CameoStage};
pub use form::{
    CameoForm, CreateField, CreateForm, DEFAULT_CLIP, FinalizeField, FinalizeForm, MAX_CLIP_SECS,
    MAX_DISPLAY_NAME, check_display_name, check_username, format_clip, parse_clip,
    username_from_hint,
};

use super::keymap::{Action, Context, DefaultBinding, Hint, KeySpec, NamedKey, hint, hint_when};
use super::line_edit::{Completed, LineEdit, LineKey};
use super::{
    App, Cmd, ConfirmAction, Modal, Pane, insert_into_prompt, one_line, toast, toast_error,
};
use crate::worker::{CameoEvent, CameoRequest, Request};

/// One cameo as the pane shows it: the record, and its strings formatted when it arrived.
#[derive(Debug, Clone, PartialEq)]
pub struct CameoRow {
    /// The record as the worker sent it.
    pub record: CameoRecord,
    /// `2026-11-24 19:58`, local time (the zone of [`crate::app::AppInfo`]).
    pub created: String,
    /// The name on one line, control characters removed.
    pub title: String,
}

impl CameoRow {
    /// Formats a record's display strings once, times in `zone`.
    pub fn new(record: CameoRecord, zone: &crate::text::Zone) -> CameoRow {
        CameoRow {
            created: crate::text::local_date(record.created_at, zone, false),
            title: one_line(&record.title(), 60),
            record,
        }
    }
}

/// The Cameos pane.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CameosPane {
    /// Every cameo this program created, newest first.
    pub rows: Vec<CameoRow>,
    /// Whether the worker has sent the record yet.
    pub restored: bool,
    /// Selected row.
    pub selected: usize,
    /// The form open in the pane, if any (keys go to it first).
    pub form: Option<CameoForm>,
    /// Actions in flight by key (`making public…`, `deleting…`).
    pub busy: BTreeMap<String, String>,
    /// Keys made so far in this run.
    pub keys_made: u64,
    /// The filter narrowing the rows (`/`, `app::pane_filter`); `selected` stays a row index.
    pub filter: super::filter::ListFilter,
}

impl CameosPane {
    /// Usernames of the finalized cameos this program knows, for `@username` pickers.
    pub fn usernames(&self) -> Vec<String> {
        self.rows
            .iter()
            .filter_map(|r| r.record.finalized_username().map(str::to_owned))
            .collect()
    }

    /// The selected row.
    pub fn current(&self) -> Option<&CameoRow> {
        self.rows
            .get(self.selected.min(self.rows.len().saturating_sub(1)))
    }

    /// The row with this key.
    pub fn row(&self, key: &str) -> Option<&CameoRow> {
        self.rows.iter().find(|r| r.record.key == key)
    }
}

/// Actions of this pane that need a confirmation; each names a record by its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameoConfirm {
    /// Delete the cameo (its character on the server when finalized) with this key.
    Delete(String),
    /// Stop following the cameo with this key (stuck in processing).
    Abandon(String),
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
pub enum CameoAction {
    /// Start creating a cameo.
    #[default]
    #[strum(message = "new cameo")]
    New,
    /// Select the next cameo.
    #[strum(message = "down")]
    Down,
    /// Select the previous cameo.
    #[strum(message = "up")]
    Up,
    /// The selected cameo's next step: finalize, retry the upload, check again.
    #[strum(message = "next step (finalize, retry)")]
    Continue,
    /// Make the selected cameo public or private.
    #[strum(message = "public/private")]
    Visibility,
    /// Delete the selected cameo (confirm).
    #[strum(message = "delete")]
    Delete,
    /// Stop following a cameo stuck in processing (confirm).
    #[strum(message = "abandon (stuck processing)")]
    Abandon,
    /// Insert `@username` into the Prompt pane.
    #[strum(message = "@name into Prompt")]
    InsertPrompt,
    /// Insert `@username` into the Storyboard pane.
    #[strum(message = "@name into Storyboard")]
    InsertStoryboard,
    /// Copy `@username` to the clipboard.
    #[strum(message = "copy @name")]
    Copy,
}

impl CameoAction {
    /// What help says (the variant's `message`).
    pub fn describe(self) -> &'static str {
        strum::EnumMessage::get_message(&self).unwrap_or_default()
    }
}

/// The stage of the selected cameo, when there is one.
fn selected_stage(app: &App) -> Option<&CameoStage> {
    app.cameos.current().map(|row| &row.record.stage)
}

fn selected_finalized(app: &App) -> bool {
    matches!(selected_stage(app), Some(CameoStage::Finalized))
}

/// The pane's default bindings (context `Cameos`), in the order help lists them, each with
/// its status hint for the list (the forms have their own hints in `ui::cameos`).
pub fn default_bindings() -> Vec<DefaultBinding> {
    use CameoAction::*;
    let k = KeySpec::ch;
    let n = KeySpec::named;
    let several = |a: &App| a.cameos.rows.len() > 1;
    let table: Vec<(KeySpec, CameoAction, Option<Hint>)> = vec![
        (k('j'), Down, hint_when(several, "move")),
        (n(NamedKey::Down), Down, None),
        (k('k'), Up, hint_when(several, "move")),
        (n(NamedKey::Up), Up, None),
        (
            n(NamedKey::Enter),
            Continue,
            Some(Hint::Label(|a| match selected_stage(a)? {
                CameoStage::Ready | CameoStage::FinalizeFailed { .. } => Some("finalize"),
                CameoStage::UploadFailed { .. } => Some("retry upload"),
                CameoStage::PollStopped { .. } => Some("check again"),
                _ => None,
            })),
        ),
        (
            k('i'),
            InsertPrompt,
            hint_when(selected_finalized, "@ in Prompt"),
        ),
        (
            k('b'),
            InsertStoryboard,
            hint_when(selected_finalized, "@ in Storyboard"),
        ),
        (k('y'), Copy, hint_when(selected_finalized, "copy @")),
        (
            k('p'),
            Visibility,
            Some(Hint::Label(|a| {
                let row = a.cameos.current()?;
                (row.record.stage == CameoStage::Finalized).then_some(if row.record.public {
                    "make private"
                } else {
                    "make public"
                })
            })),
        ),
        (
            k('a'),
            Abandon,
            hint_when(
                |a| {
                    matches!(
                        selected_stage(a),
                        Some(CameoStage::Processing { .. } | CameoStage::PollStopped { .. })
                    )
                },
                "abandon",
            ),
        ),
        (
            k('d'),
            Delete,
            hint_when(|a| a.cameos.current().is_some(), "delete"),
        ),
        (k('n'), New, hint("new cameo")),
    ];
    table
        .into_iter()
        .map(|(key, action, hint)| (Context::Cameos, key, Action::Cameo(action), hint))
        .collect()
}

/// Whether keys go to a form of this pane (so the global keys do not apply).
pub fn is_typing(app: &App) -> bool {
    app.pane == Pane::Cameos && app.cameos.form.is_some()
}

/// Keys first seen by this pane (forms); `None` lets the keymap handle the key.
pub fn on_key(app: &mut App, key: KeyEvent) -> Option<Vec<Cmd>> {
    let form = app.cameos.form.take()?;
    let (kept, cmds) = match form {
        CameoForm::Create(f) => create_form_key(app, f, key),
        CameoForm::Finalize(f) => finalize_form_key(app, f, key),
    };
    app.cameos.form = kept;
    Some(cmds)
}

/// A form after a key: `None` closes it.
type FormOutcome = (Option<CameoForm>, Vec<Cmd>);

/// Edits a one-line field with a key; `true` when the text changed.
fn edit(value: &mut LineEdit, key: &KeyEvent, lowercase: bool) -> bool {
    let map = |c: char| Some(if lowercase { c.to_ascii_lowercase() } else { c });
    value.key_with(key, map) == LineKey::Edited
}

fn create_form_key(app: &mut App, mut f: CreateForm, key: KeyEvent) -> FormOutcome {
    if key.code == KeyCode::Esc {
        return (None, Vec::new());
    }
    if f.sending {
        // The file is being checked; the form answers in a moment.
        return (Some(CameoForm::Create(f)), Vec::new());
    }
    match key.code {
        KeyCode::Enter => return submit_create(app, f),
        KeyCode::Tab | KeyCode::BackTab if f.field == CreateField::Path => {
            if f.path.key(&key) == LineKey::Complete {
                let input = f.path.text().to_string();
                return (Some(CameoForm::Create(f)), vec![Cmd::CompletePath(input)]);
            }
        }
        KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => f.next_field(),
        _ => {
            if edit(f.value_mut(), &key, false) {
                f.error = None;
            }
        }
    }
    (Some(CameoForm::Create(f)), Vec::new())
}

fn submit_create(app: &mut App, mut f: CreateForm) -> FormOutcome {
    let clip = match parse_clip(f.clip.text()) {
        Ok(clip) => clip,
        Err(e) => {
            f.error = Some(e);
            f.field = CreateField::Clip;
            return (Some(CameoForm::Create(f)), Vec::new());
        }
    };
    let typed = f.path.text().trim();
    if typed.is_empty() {
        f.error = Some("type the path of an MP4 video of you (Tab completes)".into());
        f.field = CreateField::Path;
        return (Some(CameoForm::Create(f)), Vec::new());
    }
    let video = crate::fsutil::expand_home(typed, &app.info.home);
    f.sending = true;
    f.error = None;
    f.path.clear_completions();
    let request = CameoRequest::Create {
        key: f.key.clone(),
        video,
        clip,
    };
    (
        Some(CameoForm::Create(f)),
        vec![Cmd::Worker(Request::Cameo(request))],
    )
}

fn finalize_form_key(app: &mut App, mut f: FinalizeForm, key: KeyEvent) -> FormOutcome {
    if key.code == KeyCode::Esc {
        return (None, Vec::new());
    }
    if f.sending {
        return (Some(CameoForm::Finalize(f)), Vec::new());
    }
    if super::update::ctrl(&key, 't') {
        f.take_suggestion();
        return (Some(CameoForm::Finalize(f)), Vec::new());
    }
    match key.code {
        KeyCode::Enter => return submit_finalize(app, f),
        KeyCode::Tab | KeyCode::Down => f.step_field(true),
        KeyCode::BackTab | KeyCode::Up => f.step_field(false),
        KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right | KeyCode::Char('p')
            if f.field == FinalizeField::Visibility =>
        {
            f.public = !f.public;
        }
        _ => {
            let lowercase = f.field == FinalizeField::Username;
            if let Some(value) = f.value_mut()
                && edit(value, &key, lowercase)
            {
                f.error = None;
            }
        }
    }
    (Some(CameoForm::Finalize(f)), Vec::new())
}

fn submit_finalize(app: &mut App, mut f: FinalizeForm) -> FormOutcome {
    let username = f.username.text().trim().to_string();
    if let Err(e) = check_username(&username) {
        f.error = Some(e);
        f.field = FinalizeField::Username;
        return (Some(CameoForm::Finalize(f)), Vec::new());
    }
    let display_name = f.display_name.text().trim().to_string();
    if let Err(e) = check_display_name(&display_name) {
        f.error = Some(e);
        f.field = FinalizeField::DisplayName;
        return (Some(CameoForm::Finalize(f)), Vec::new());
    }
    let ready = app.cameos.row(&f.key).is_some_and(|r| {
        matches!(
            r.record.stage,
            CameoStage::Ready | CameoStage::FinalizeFailed { .. }
        )
    });
    if !ready {
        toast_error(app, "this cameo is not waiting to be finalized any more");
        return (None, Vec::new());
    }
    f.username.set(username.clone());
    f.sending = true;
    f.error = None;
    let request = CameoRequest::Finalize {
        key: f.key.clone(),
        username,
        display_name,
        public: f.public,
    };
    (
        Some(CameoForm::Finalize(f)),
        vec![Cmd::Worker(Request::Cameo(request))],
    )
}

/// Path completions answered for the create form's video field (routed here by `update`
/// while the Cameos pane is focused); stale answers are ignored.
pub fn on_completions(app: &mut App, input: String, candidates: Vec<String>) -> Vec<Cmd> {
    let Some(CameoForm::Create(f)) = app.cameos.form.as_mut() else {
        return Vec::new();
    };
    if f.field != CreateField::Path || f.sending {
        return Vec::new();
    }
    if f.path.complete(&input, candidates) == Completed::Nothing {
        f.error = Some(format!("nothing matches {input:?}"));
    }
    Vec::new()
}

/// A bound action of this pane.
pub fn on_action(app: &mut App, action: CameoAction) -> Vec<Cmd> {
    use CameoAction::*;
    match action {
        New => {
            let key = new_key(app);
            app.cameos.form = Some(CameoForm::Create(CreateForm::new(key)));
            Vec::new()
        }
        Down | Up => {
            let step = if action == Down {
                Action::Down
            } else {
                Action::Up
            };
            // A filtered list moves through its matches: positions, not row indices.
            let c = &mut app.cameos;
            let pos = c.filter.position(c.selected).unwrap_or(0);
            let next = super::step_selection(pos, c.filter.len(c.rows.len()), step, 1);
            c.selected = c.filter.row_at(next).unwrap_or(c.selected);
            Vec::new()
        }
        Continue => continue_selected(app),
        Visibility => toggle_visibility(app),
        Delete => ask_delete(app),
        Abandon => ask_abandon(app),
        InsertPrompt | InsertStoryboard | Copy => use_username(app, action),
    }
}

/// A key for a new record: this run's clock and a counter, so keys never repeat across runs.
pub(super) fn new_key(app: &mut App) -> String {
    app.cameos.keys_made += 1;
    format!(
        "c{}-{}",
        (app.now.max(0.0) * 1000.0) as u64,
        app.cameos.keys_made
    )
}

/// The selected cameo's next step, whatever it is.
fn continue_selected(app: &mut App) -> Vec<Cmd> {
    let Some(row) = app.cameos.current().cloned() else {
        return on_action(app, CameoAction::New);
    };
    let r = &row.record;
    match &r.stage {
        // A cameo from a draft has no file to choose again: its first step is sent again.
        CameoStage::UploadFailed { .. } if r.draft.is_some() => {
            return vec![Cmd::Worker(Request::Cameo(CameoRequest::CreateFromDraft {
                key: r.key.clone(),
                generation_id: r.draft.clone().unwrap_or_default(),
                clip: r.clip,
            }))];
        }
        CameoStage::UploadFailed { reason } => {
            app.cameos.form = Some(CameoForm::Create(CreateForm::retry(
                r,
                Some(reason.clone()),
            )));
        }
        CameoStage::Ready => {
            app.cameos.form = Some(CameoForm::Finalize(FinalizeForm::for_record(r, None)));
        }
        CameoStage::FinalizeFailed { reason, .. } => {
            app.cameos.form = Some(CameoForm::Finalize(FinalizeForm::for_record(
                r,
                Some(reason.clone()),
            )));
        }
        CameoStage::PollStopped { .. } => {
            return vec![Cmd::Worker(Request::Cameo(CameoRequest::CheckAgain {
                key: r.key.clone(),
            }))];
        }
        CameoStage::Uploading | CameoStage::Processing { .. } | CameoStage::Finalizing { .. } => {
            toast(app, "still working on it: its state updates by itself");
        }
        CameoStage::Finalized => {
            toast(
                app,
                format!(
                    "{} is ready: {} puts it in a prompt",
                    at_name(r),
                    key_label(app, CameoAction::InsertPrompt)
                ),
            );
        }
        CameoStage::ProcessingFailed { .. } | CameoStage::Abandoned => {
            toast(
                app,
                format!(
                    "this cameo cannot be finalized: {} removes it, {} starts a new one",
                    key_label(app, CameoAction::Delete),
                    key_label(app, CameoAction::New)
                ),
            );
        }
    }
    Vec::new()
}

fn toggle_visibility(app: &mut App) -> Vec<Cmd> {
    let Some(row) = app.cameos.current().cloned() else {
        return Vec::new();
    };
    let r = &row.record;
    if r.stage != CameoStage::Finalized || r.cameo_id.is_none() {
        toast(app, "only a finalized cameo can be made public or private");
        return Vec::new();
    }
    if app.cameos.busy.contains_key(&r.key) {
        toast(app, "already on it");
        return Vec::new();
    }
    let public = !r.public;
    let label = if public {
        "making public…"
    } else {
        "making private…"
    };
    app.cameos.busy.insert(r.key.clone(), label.into());
    vec![Cmd::Worker(Request::Cameo(CameoRequest::SetVisibility {
        key: r.key.clone(),
        public,
    }))]
}

fn ask_delete(app: &mut App) -> Vec<Cmd> {
    let Some(row) = app.cameos.current().cloned() else {
        return Vec::new();
    };
    let r = &row.record;
    if app.cameos.busy.contains_key(&r.key) {
        toast(app, "already on it");
        return Vec::new();
    }
    let question = match (&r.character_id, &r.stage) {
        (Some(ch), _) => format!(
            "Delete {} ({}) from Sora? Prompts can no longer use it.",
            at_name(r),
            one_line(ch, 40)
        ),
        (None, CameoStage::Finalized) => format!(
            "Remove {} from this list? Its character id is unknown, so it stays on Sora.",
            at_name(r)
        ),
        (None, stage) if stage.is_working() => format!(
            "Stop and remove \"{}\" from this list? It was never finalized, so nothing exists to delete on Sora.",
            row.title
        ),
        (None, _) => format!(
            "Remove \"{}\" from this list? It was never finalized, so nothing exists to delete on Sora.",
            row.title
        ),
    };
    app.modal = Some(Modal::Confirm {
        question,
        action: ConfirmAction::Cameo(CameoConfirm::Delete(r.key.clone())),
    });
    Vec::new()
}

fn ask_abandon(app: &mut App) -> Vec<Cmd> {
    let Some(row) = app.cameos.current().cloned() else {
        return Vec::new();
    };
    let r = &row.record;
    if !matches!(
        r.stage,
        CameoStage::Processing { .. } | CameoStage::PollStopped { .. }
    ) {
        toast(app, "only a cameo still processing can be abandoned");
        return Vec::new();
    }
    app.modal = Some(Modal::Confirm {
        question: format!(
            "Abandon \"{}\"? It stops being checked and cannot be finalized from here.",
            row.title
        ),
        action: ConfirmAction::Cameo(CameoConfirm::Abandon(r.key.clone())),
    });
    Vec::new()
}

/// Inserts or copies the selected cameo's `@username`.
fn use_username(app: &mut App, action: CameoAction) -> Vec<Cmd> {
    let Some(username) = app
        .cameos
        .current()
        .and_then(|r| r.record.finalized_username())
        .map(str::to_owned)
    else {
        toast(app, "only a finalized cameo has an @username to use");
        return Vec::new();
    };
    let mention = format!("@{username}");
    match action {
        CameoAction::Copy => {
            vec![Cmd::Copy(mention)]
        }
        CameoAction::InsertStoryboard => {
            app.pane = Pane::Storyboard;
            toast(app, format!("inserted {mention} into the storyboard"));
            super::storyboard::insert_text(app, &format!("{mention} "))
        }
        _ => {
            app.pane = Pane::Prompt;
            app.prompt.typing = true;
            toast(app, format!("inserted {mention}: keep typing, then Ctrl-S"));
            insert_into_prompt(app, &format!("{mention} "))
        }
    }
}

/// A confirmed action.
pub fn on_confirm(app: &mut App, c: CameoConfirm) -> Vec<Cmd> {
    match c {
        CameoConfirm::Delete(key) => {
            let label = if app
                .cameos
                .row(&key)
                .is_some_and(|r| r.record.character_id.is_some())
            {
                "deleting…"
            } else {
                "removing…"
            };
            app.cameos.busy.insert(key.clone(), label.into());
            vec![Cmd::Worker(Request::Cameo(CameoRequest::Delete { key }))]
        }
        CameoConfirm::Abandon(key) => {
            vec![Cmd::Worker(Request::Cameo(CameoRequest::Abandon { key }))]
        }
    }
}

/// Bracketed paste while this pane is focused: into the form's field (a dropped file path
/// loses its quotes).
pub fn on_paste(app: &mut App, text: &str) -> Vec<Cmd> {
    match app.cameos.form.as_mut() {
        Some(CameoForm::Create(f)) if !f.sending => {
            f.value_mut().paste(text);
            f.error = None;
        }
        Some(CameoForm::Finalize(f)) if !f.sending => {
            let lowercase = f.field == FinalizeField::Username;
            if let Some(value) = f.value_mut() {
                value.paste(&if lowercase {
                    text.to_ascii_lowercase()
                } else {
                    text.to_string()
                });
                f.error = None;
            }
        }
        _ => {}
    }
    Vec::new()
}

/// A worker event for this pane.
pub fn on_event(app: &mut App, event: CameoEvent) -> Vec<Cmd> {
    match event {
        CameoEvent::Restored { records, warning } => {
            let c = &mut app.cameos;
            // Records the worker reported before this (none, normally) are kept.
            let known: Vec<CameoRow> = std::mem::take(&mut c.rows);
            let zone = &app.info.zone;
            c.rows = records
                .into_iter()
                .map(|r| CameoRow::new(r, zone))
                .collect();
            for row in known {
                if c.row(&row.record.key).is_none() {
                    c.rows.insert(0, row);
                }
            }
            c.restored = true;
            c.selected = c.selected.min(c.rows.len().saturating_sub(1));
            if let Some(w) = warning {
                toast_error(app, w);
            }
            Vec::new()
        }
        CameoEvent::Changed(record) => on_changed(app, *record),
        CameoEvent::CreateRejected { key, error } => {
            match app.cameos.form.as_mut() {
                Some(CameoForm::Create(f)) if f.key == key => {
                    f.sending = false;
                    f.field = CreateField::Path;
                    f.error = Some(error);
                }
                _ => toast_error(app, error),
            }
            Vec::new()
        }
        CameoEvent::Removed { key } => {
            app.cameos.busy.remove(&key);
            let c = &mut app.cameos;
            if let Some(i) = c.rows.iter().position(|r| r.record.key == key) {
                let row = c.rows.remove(i);
                if c.selected > i {
                    c.selected -= 1;
                }
                c.selected = c.selected.min(c.rows.len().saturating_sub(1));
                let what = match row.record.character_id {
                    Some(_) => format!("deleted {}", at_name(&row.record)),
                    None => format!("removed \"{}\" from the list", row.title),
                };
                toast(app, what);
            }
            if matches!(&app.cameos.form, Some(CameoForm::Finalize(f)) if f.key == key) {
                app.cameos.form = None;
            }
            Vec::new()
        }
        CameoEvent::UsernameTaken {
            key,
            username,
            suggestion,
        } => {
            match app.cameos.form.as_mut() {
                Some(CameoForm::Finalize(f)) if f.key == key => f.taken(&username, suggestion),
                _ => {
                    let also = suggestion
                        .map(|s| format!(" — try @{}", one_line(&s, 40)))
                        .unwrap_or_default();
                    toast_error(app, format!("@{} is taken{also}", one_line(&username, 40)));
                }
            }
            Vec::new()
        }
        CameoEvent::ActionFailed { key, what, error } => {
            app.cameos.busy.remove(&key);
            let message = format!("{what} failed: {error}");
            match app.cameos.form.as_mut() {
                Some(CameoForm::Finalize(f)) if f.key == key && f.sending => {
                    f.sending = false;
                    f.error = Some(message);
                }
                _ => toast_error(app, message),
            }
            Vec::new()
        }
    }
}

/// A record changed: update the row, answer an open form, and say what finished.
fn on_changed(app: &mut App, record: CameoRecord) -> Vec<Cmd> {
    let key = record.key.clone();
    let c = &mut app.cameos;
    let old = match c.rows.iter().position(|r| r.record.key == key) {
        Some(i) => Some(
            std::mem::replace(
                &mut c.rows[i],
                CameoRow::new(record.clone(), &app.info.zone),
            )
            .record,
        ),
        None => {
            c.rows
                .insert(0, CameoRow::new(record.clone(), &app.info.zone));
            if c.rows.len() > 1 {
                // Keep the same cameo selected as the list grows at the top.
                c.selected += 1;
            }
            None
        }
    };
    if record.stage == CameoStage::Finalized {
        // The visibility change (or finalize) this was waiting for has landed.
        c.busy.remove(&key);
    }
    let form_saw_it = answer_form(app, &record);
    let stage_changed = old
        .as_ref()
        .is_none_or(|o| std::mem::discriminant(&o.stage) != std::mem::discriminant(&record.stage));
    let name = at_name(&record);
    let mut cmds = Vec::new();
    match &record.stage {
        CameoStage::Ready if stage_changed => {
            let enter = key_label(app, CameoAction::Continue);
            toast(
                app,
                format!("cameo processed: press {enter} to choose its username"),
            );
            cmds.push(Cmd::Notify("sora-tui: a cameo is ready to finalize".into()));
        }
        CameoStage::ProcessingFailed { reason } if stage_changed => {
            toast_error(
                app,
                format!("cameo processing failed: {}", one_line(reason, 120)),
            );
            cmds.push(Cmd::Notify("sora-tui: cameo processing failed".into()));
        }
        CameoStage::PollStopped { reason } if stage_changed => {
            toast_error(app, one_line(reason, 160));
        }
        CameoStage::UploadFailed { reason } | CameoStage::FinalizeFailed { reason, .. }
            if stage_changed && !form_saw_it =>
        {
            toast_error(app, one_line(reason, 160));
        }
        CameoStage::Finalized => {
            let was_finalized = old
                .as_ref()
                .is_some_and(|o| o.stage == CameoStage::Finalized);
            if !was_finalized {
                let insert = key_label(app, CameoAction::InsertPrompt);
                let visibility = if record.public { "public" } else { "private" };
                toast(
                    app,
                    format!("{name} is ready ({visibility}): {insert} puts it in a prompt"),
                );
            } else if old.as_ref().is_some_and(|o| o.public != record.public) {
                let visibility = if record.public { "public" } else { "private" };
                toast(app, format!("{name} is now {visibility}"));
            }
            if let Some(note) = &record.note
                && old.as_ref().is_none_or(|o| o.note.as_ref() != Some(note))
            {
                toast_error(app, one_line(note, 160));
            }
        }
        _ => {}
    }
    cmds
}

/// Lets the open form react to its record; `true` when the form shows the outcome itself.
fn answer_form(app: &mut App, record: &CameoRecord) -> bool {
    let c = &mut app.cameos;
    match c.form.as_mut() {
        Some(CameoForm::Create(f)) if f.key == record.key && f.sending => match &record.stage {
            CameoStage::UploadFailed { reason } => {
                f.sending = false;
                f.error = Some(reason.clone());
                true
            }
            _ => {
                // Checked and recorded: the row shows the rest of the flow.
                c.form = None;
                if let Some(i) = c.rows.iter().position(|r| r.record.key == record.key) {
                    c.selected = i;
                }
                false
            }
        },
        Some(CameoForm::Finalize(f)) if f.key == record.key && f.sending => match &record.stage {
            CameoStage::FinalizeFailed {
                reason,
                username_taken,
            } => {
                f.sending = false;
                f.error = Some(reason.clone());
                if *username_taken {
                    f.field = FinalizeField::Username;
                }
                true
            }
            CameoStage::Finalized => {
                c.form = None;
                false
            }
            _ => true,
        },
        _ => false,
    }
}

/// `@username` when known, else the name.
fn at_name(record: &CameoRecord) -> String {
    match record.username.as_deref().filter(|u| !u.is_empty()) {
        Some(u) => format!("@{}", one_line(u, 40)),
        None => format!("\"{}\"", one_line(&record.title(), 40)),
    }
}

/// The first key of one of this pane's actions, for messages (`?` when unbound).
fn key_label(app: &App, action: CameoAction) -> String {
    app.keymap
        .bindings
        .iter()
        .find(|b| b.action == Action::Cameo(action))
        .map(|b| b.key.to_string())
        .unwrap_or_else(|| "?".into())
}

/// Requests to send at start: none, the worker restores the record by itself.
pub fn startup(_app: &mut App) -> Vec<Cmd> {
    Vec::new()
}

#[cfg(test)]
mod tests;
