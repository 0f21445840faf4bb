//! The Tasks pane's part of `update` for the local queue: the worker's `QueueEvent`s (the
//! queue's copy, a submission held instead of sent, an item taken back for editing) and the
//! keys on a queued item (reorder, edit back, remove, pause or resume the whole queue). The
//! queue's copy lives in `TasksPane::queue` (`state.rs`); the worker owns the queue itself.

use super::keymap::Action;
use super::prompt::save_prompt;
use super::{App, Cmd, ConfirmAction, Modal, TasksRow, one_line, toast, toast_error};
use crate::text::ordinal;
use crate::worker::{
    QueueEvent, QueueRequest, QueueSnapshot, QueuedState, Request, Submission, SubmissionKind,
};

/// Where a queued item stands in line: its place among the items that will still be sent
/// (failed ones are skipped), from 1; `None` for a failed item.
pub fn place_in_line(queue: &QueueSnapshot, index: usize) -> Option<usize> {
    let item = queue.items.get(index)?;
    if matches!(item.state, QueuedState::Failed { .. }) {
        return None;
    }
    Some(
        queue.items[..index]
            .iter()
            .filter(|i| !matches!(i.state, QueuedState::Failed { .. }))
            .count()
            + 1,
    )
}

/// A worker event about the local queue.
pub fn on_event(app: &mut App, event: QueueEvent) -> Vec<Cmd> {
    match event {
        QueueEvent::Changed(snapshot) => {
            replace(app, snapshot);
            Vec::new()
        }
        QueueEvent::Held {
            local_id,
            queue_id,
            reason,
        } => held(app, local_id, queue_id, &reason),
        QueueEvent::Started { record, .. } => {
            // The task itself arrives as `TaskChanged`; the queue's copy as `Changed`.
            toast(
                app,
                format!(
                    "sent from the queue: {} ({})",
                    one_line(&record.prompt, 40),
                    one_line(&record.task_id, 40)
                ),
            );
            Vec::new()
        }
        QueueEvent::TakenBack(sub) => taken_back(app, *sub),
    }
}

/// Replaces the queue's copy, keeping the selection on the same row: the same queued item
/// (it may have moved), or the same task (the rows above it may have grown or shrunk).
fn replace(app: &mut App, snapshot: QueueSnapshot) {
    enum Was {
        Queued(u64, usize),
        Task(usize),
        Nothing,
    }
    let t = &mut app.tasks;
    let old_queued = t.queue.items.len();
    let was = match t.selected_row() {
        Some(TasksRow::Queued(i, item)) => Was::Queued(item.queue_id, i),
        Some(TasksRow::Task(_)) => Was::Task(t.selected - old_queued),
        None => Was::Nothing,
    };
    t.queue = snapshot;
    let queued = t.queue.items.len();
    t.selected = match was {
        Was::Queued(id, i) => t
            .queue
            .items
            .iter()
            .position(|item| item.queue_id == id)
            // Gone (sent, removed): the row that took its place.
            .unwrap_or(i),
        Was::Task(i) => queued + i,
        Was::Nothing => t.selected,
    };
    t.selected = t.selected.min(t.len().saturating_sub(1));
}

/// A submission waits in the queue instead of being sent now: the pane that submitted stops
/// waiting exactly as for `Submitted` (the prompt is safely kept in the queue, so the editor
/// is emptied the same way), and a toast says where it stands and why.
fn held(app: &mut App, local_id: u64, queue_id: u64, reason: &str) -> Vec<Cmd> {
    super::prompt::submitted(app, local_id);
    // `Held` comes before the `Changed` that lists the item: until then it is the last.
    let place = match app
        .tasks
        .queue
        .items
        .iter()
        .position(|i| i.queue_id == queue_id)
    {
        Some(i) => place_in_line(&app.tasks.queue, i).unwrap_or(1),
        None => place_in_line_at_end(&app.tasks.queue),
    };
    let reason = one_line(reason, 120);
    let why = if reason.is_empty() {
        String::new()
    } else {
        format!("{reason} · ")
    };
    toast(app, format!("queued here: {why}{} in line", ordinal(place)));
    vec![save_prompt(app)]
}

/// The place of an item added after everything the queue holds now.
fn place_in_line_at_end(queue: &QueueSnapshot) -> usize {
    queue
        .items
        .iter()
        .filter(|i| !matches!(i.state, QueuedState::Failed { .. }))
        .count()
        + 1
}

/// An item taken back for editing: into the pane it came from, focused. A storyboard goes
/// back to the Storyboard pane when its text reads back as shots (undo brings back what was
/// there); otherwise its text goes to the Prompt pane, and the toast says so.
fn taken_back(app: &mut App, sub: Submission) -> Vec<Cmd> {
    if let SubmissionKind::Storyboard { settings } = &sub.kind {
        if let Some(cmds) = super::storyboard::load_taken_back(app, &sub.prompt, *settings) {
            let undo = app.keymap.keys_for(Action::Storyboard(
                super::storyboard::StoryboardAction::Undo,
            ));
            toast(
                app,
                format!("the storyboard is back for editing ({undo} brings back what was here)"),
            );
            return cmds;
        }
        let cmds = super::prompt::load_taken_back(app, &sub);
        toast(
            app,
            "this storyboard's text could not be read back as shots: it is in the Prompt pane as a video prompt",
        );
        return cmds;
    }
    let cmds = super::prompt::load_taken_back(app, &sub);
    let submit = app.keymap.keys_for(Action::Submit);
    toast(
        app,
        format!("back in the Prompt pane for editing: {submit} sends it"),
    );
    cmds
}

/// The Tasks pane's queue keys: `J`/`K`, `e`, `p` (removal comes through `Dismiss`:
/// [`ask_remove`]).
pub fn on_action(app: &mut App, action: Action) -> Vec<Cmd> {
    match action {
        Action::QueueMoveDown => move_by(app, 1),
        Action::QueueMoveUp => move_by(app, -1),
        Action::QueueEdit => edit_back(app),
        Action::QueuePause => {
            let paused = app.tasks.queue.pause.is_some();
            vec![Cmd::Worker(Request::Queue(QueueRequest::SetPaused(
                !paused,
            )))]
        }
        _ => Vec::new(),
    }
}

/// The selected queued item and its index, or a toast saying the keys act on queued items.
fn selected_item(app: &mut App, what: &str) -> Option<(u64, QueuedState)> {
    match app.tasks.selected_row() {
        Some(TasksRow::Queued(_, item)) => Some((item.queue_id, item.state.clone())),
        Some(TasksRow::Task(_)) => {
            toast(
                app,
                format!("{what} works on queued items (the rows above the tasks)"),
            );
            None
        }
        None => None,
    }
}

fn move_by(app: &mut App, by: i32) -> Vec<Cmd> {
    let Some((queue_id, state)) = selected_item(app, "reordering") else {
        return Vec::new();
    };
    if state != QueuedState::Waiting {
        toast(app, "only items still waiting can be moved");
        return Vec::new();
    }
    vec![Cmd::Worker(Request::Queue(QueueRequest::Move {
        queue_id,
        by,
    }))]
}

fn edit_back(app: &mut App) -> Vec<Cmd> {
    let Some((queue_id, state)) = selected_item(app, "editing") else {
        return Vec::new();
    };
    if let QueuedState::Submitting { .. } = state {
        toast(app, "this item is being sent: it cannot be taken back now");
        return Vec::new();
    }
    vec![Cmd::Worker(Request::Queue(QueueRequest::TakeBack {
        queue_id,
    }))]
}

/// Asks to remove the selected queued item (`d` on a queued row).
pub fn ask_remove(app: &mut App) -> Vec<Cmd> {
    let Some(TasksRow::Queued(_, item)) = app.tasks.selected_row() else {
        return Vec::new();
    };
    if let QueuedState::Submitting { .. } = item.state {
        toast(app, "this item is being sent: it cannot be removed now");
        return Vec::new();
    }
    let queue_id = item.queue_id;
    let excerpt = excerpt(&item.submission);
    app.modal = Some(Modal::Confirm {
        question: format!("Remove \"{excerpt}\" from the queue? It will not be sent."),
        action: ConfirmAction::RemoveQueued { queue_id },
    });
    Vec::new()
}

/// The confirmed removal: the worker forgets the item and answers with the new queue.
pub fn on_confirm(queue_id: u64) -> Vec<Cmd> {
    vec![Cmd::Worker(Request::Queue(QueueRequest::Remove {
        queue_id,
    }))]
}

/// `Enter` on a queued item: a failed one's reason in full, else where it stands.
pub fn details(app: &mut App) -> Vec<Cmd> {
    let Some(TasksRow::Queued(i, item)) = app.tasks.selected_row() else {
        return Vec::new();
    };
    match &item.state {
        QueuedState::Failed { reason } => {
            let text = format!("not sent: {}", one_line(reason, 500));
            toast_error(app, text);
        }
        QueuedState::Submitting { .. } => toast(app, "being sent now"),
        QueuedState::Waiting => {
            let place = place_in_line(&app.tasks.queue, i).unwrap_or(1);
            toast(app, format!("queued here · {} in line", ordinal(place)));
        }
    }
    Vec::new()
}

/// One line of what a submission would generate, for questions and toasts: a storyboard's
/// gist rather than its whole timeline text.
fn excerpt(sub: &Submission) -> String {
    let text = match sub.kind {
        SubmissionKind::Storyboard { .. } => crate::storyboard::gist(&sub.prompt),
        _ => &sub.prompt,
    };
    one_line(text, 40)
}
