//! The `/` filter (`app::filter`) in the Tasks pane, the Cameos pane and the storyboard
//! file picker: the same narrowing, highlighting and
//! keys as the Drafts pane's (`app::drafts::open_filter`). While the filter line is typed it
//! has every key, so typing never triggers a pane key; `Enter` keeps the narrowed list and
//! `Esc` clears it. The selection stays a row index (`TasksPane::row`), so every key acting
//! on the selected row works unchanged; moving goes through positions in the narrowed list.

use crossterm::event::{KeyCode, KeyEvent};

use super::filter::{FilterKey, ListFilter};
use super::{App, Cmd, Pane};
use crate::track::{TaskKind, TaskPhase, TaskRecord};
use crate::worker::{QueuedItem, QueuedState, SubmissionKind};

/// The filter of a pane that has one here (Tasks, Cameos without a form), `None` for the
/// others (the file picker's is driven from its own keys, `app::storyboard`).
fn filter_of(app: &mut App, pane: Pane) -> Option<&mut ListFilter> {
    match pane {
        Pane::Tasks => Some(&mut app.tasks.filter),
        Pane::Cameos if app.cameos.form.is_none() => Some(&mut app.cameos.filter),
        _ => None,
    }
}

/// Whether the current pane's filter line is being typed (the status bar then shows the
/// filter's keys instead of the pane's).
pub fn editing(app: &App) -> bool {
    match app.pane {
        Pane::Drafts => app.drafts.filter.is_editing(),
        Pane::Tasks => app.tasks.filter.is_editing(),
        Pane::Cameos => app.cameos.form.is_none() && app.cameos.filter.is_editing(),
        Pane::Storyboard => {
            matches!(
                app.storyboard.overlay,
                Some(super::storyboard::Overlay::Files { .. })
            ) && app.storyboard.file_filter.is_editing()
        }
        _ => false,
    }
}

/// `/` in the Tasks or Cameos pane: opens the filter line (keeping a kept query to edit).
pub(super) fn open(app: &mut App) -> Vec<Cmd> {
    let pane = app.pane;
    let Some(f) = filter_of(app, pane) else {
        return Vec::new();
    };
    let was_active = f.is_active();
    f.open();
    if !was_active {
        refilter(app);
    }
    Vec::new()
}

/// Every key while the current pane's filter line is typed: `Some` when the filter took it.
pub(super) fn typing(app: &mut App, key: &KeyEvent) -> Option<Vec<Cmd>> {
    let pane = app.pane;
    if !filter_of(app, pane)?.is_editing() {
        return None;
    }
    Some(apply(app, key))
}

/// `Esc` once the pane has not used it: clears a kept filter.
pub(super) fn escape(app: &mut App, key: &KeyEvent) -> Option<Vec<Cmd>> {
    let pane = app.pane;
    if key.code != KeyCode::Esc || !filter_of(app, pane)?.is_active() {
        return None;
    }
    Some(apply(app, key))
}

fn apply(app: &mut App, key: &KeyEvent) -> Vec<Cmd> {
    let pane = app.pane;
    let Some(f) = filter_of(app, pane) else {
        return Vec::new();
    };
    match f.key(key) {
        FilterKey::Edited | FilterKey::Cleared => keep_selection(app, pane),
        FilterKey::Kept | FilterKey::Ignored => {}
    }
    Vec::new()
}

fn keep_selection(app: &mut App, pane: Pane) {
    match pane {
        Pane::Tasks => {
            let t = &mut app.tasks;
            t.selected = t.filter.keep_selection(t.selected);
        }
        Pane::Cameos => {
            let c = &mut app.cameos;
            c.selected = c.filter.keep_selection(c.selected);
        }
        _ => {}
    }
}

/// Hands the rows' texts to the active filters again after the lists changed (a task
/// event, the queue's snapshot). A no-op while no filter is active.
pub(crate) fn refilter(app: &mut App) {
    let t = &mut app.tasks;
    if t.filter.is_active() {
        let queued = t.queue.items.iter().map(queued_texts);
        let tasks = t.tasks.iter().map(task_texts);
        t.filter.set_rows(queued.chain(tasks));
        t.selected = t.filter.keep_selection(t.selected);
    }
    let c = &mut app.cameos;
    if c.filter.is_active() {
        c.filter.set_rows(c.rows.iter().map(cameo_texts));
        c.selected = c.filter.keep_selection(c.selected);
    }
    refilter_files(&mut app.storyboard);
}

/// The file picker's rows to its filter again (the picker opened or a listing arrived):
/// the names as the picker draws them. The picker's selection stays on a match.
pub(crate) fn refilter_files(p: &mut super::storyboard::StoryboardPane) {
    if !p.file_filter.is_active() {
        return;
    }
    p.file_filter.set_rows(
        p.files
            .iter()
            .map(|f| [crate::text::sanitize(&f.name, 200)]),
    );
    if let Some(super::storyboard::Overlay::Files { selected, .. }) = &mut p.overlay {
        *selected = p.file_filter.keep_selection(*selected);
    }
}

/// A cameo's searchable texts: field 0 the name as the list draws it, field 1 the
/// username (drawn after its `@`), then the ids it is known by.
fn cameo_texts(r: &super::cameos::CameoRow) -> Vec<String> {
    let rec = &r.record;
    let s = |v: &Option<String>| crate::text::sanitize(v.as_deref().unwrap_or_default(), 80);
    vec![
        crate::text::sanitize(&r.title, 60),
        crate::text::sanitize(rec.username.as_deref().unwrap_or_default(), 40),
        crate::text::sanitize(&rec.key, 80),
        s(&rec.cameo_id),
        s(&rec.character_id),
    ]
}

/// The prompt a task row draws (sanitised as `ui::tasks` draws it, so highlights index the
/// drawn text): a storyboard's gist, else the prompt.
pub fn task_prompt(t: &TaskRecord) -> String {
    let text = if t.kind == TaskKind::Storyboard {
        crate::storyboard::gist(&t.prompt)
    } else {
        &t.prompt
    };
    crate::text::sanitize(text, 200)
}

/// The prompt a queued row draws, sanitised the same way.
pub fn queued_prompt(item: &QueuedItem) -> String {
    let sub = &item.submission;
    let text = match sub.kind {
        SubmissionKind::Storyboard { .. } => crate::storyboard::gist(&sub.prompt),
        _ => &sub.prompt,
    };
    crate::text::sanitize(text, 200)
}

/// A task's searchable texts: field 0 the drawn prompt, then the task id, the generation
/// ids, the state words and the kind.
fn task_texts(t: &TaskRecord) -> Vec<String> {
    let mut out = vec![task_prompt(t), crate::text::sanitize(&t.task_id, 80)];
    let state = match &t.phase {
        TaskPhase::Working { status, .. } => {
            let s = crate::text::sanitize(status, 40).to_lowercase();
            if s.is_empty() {
                "queued".to_string()
            } else {
                s
            }
        }
        TaskPhase::Done { generation_ids, .. } => {
            out.extend(generation_ids.iter().map(|g| crate::text::sanitize(g, 80)));
            "done".to_string()
        }
        TaskPhase::Failed { .. } => "failed".to_string(),
        TaskPhase::Blocked { .. } => "blocked".to_string(),
    };
    out.push(state);
    out.push(
        match t.kind {
            TaskKind::Video => "video",
            TaskKind::Storyboard => "storyboard",
            TaskKind::Image => "image",
        }
        .to_string(),
    );
    out
}

/// A queued item's searchable texts: the drawn prompt, then its state words.
fn queued_texts(item: &QueuedItem) -> Vec<String> {
    let state = match &item.state {
        QueuedState::Waiting => "queued here",
        QueuedState::Submitting { .. } => "sending",
        QueuedState::Failed { .. } => "failed",
    };
    vec![queued_prompt(item), state.to_string()]
}
