//! The Tasks pane's part of `update`: the submitted tasks as the worker tracks them
//! (`TaskEvent`), opening a finished task's result, and dismissing a finished task. The
//! pane's state (`TasksPane`) is in `state.rs`.

use super::drafts::{image_rows, keep_visible};
use super::keymap::Action;
use super::prompt::save_prompt;
use super::update::open_url;
use super::{
    App, Cmd, ConfirmAction, DraftRow, Loading, Modal, Pane, TasksRow, one_line, toast, toast_error,
};
use crate::track::{TaskKind, TaskPhase};
use crate::worker::{DraftsRequest, Request, TaskEvent};

/// The Tasks pane's own actions (moving the selection is shared: `update`).
pub fn on_action(app: &mut App, action: Action) -> Vec<Cmd> {
    match action {
        Action::Dismiss => dismiss(app),
        Action::Details => details(app),
        Action::RerunTask => super::history::rerun_task(app),
        _ => Vec::new(),
    }
}

/// Asks to remove the selected task from the list, once it has finished (a queued item
/// from the queue: `queue.rs`).
fn dismiss(app: &mut App) -> Vec<Cmd> {
    if let Some(TasksRow::Queued(..)) = app.tasks.selected_row() {
        return super::queue::ask_remove(app);
    }
    let Some(task) = app.tasks.selected_task() else {
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

/// The confirmed removal of a task: gone from the list at once, and from the record by the
/// worker.
pub fn on_confirm(app: &mut App, task_id: String) -> Vec<Cmd> {
    app.tasks.tasks.retain(|t| t.task_id != task_id);
    app.tasks.selected = app.tasks.selected.min(app.tasks.len().saturating_sub(1));
    vec![Cmd::Worker(Request::DismissTask { task_id })]
}

/// Opens what a task made: a finished video's draft in the Drafts pane (loading the drafts
/// when it is not listed yet), an image in the player, a failure's reason as a toast.
fn details(app: &mut App) -> Vec<Cmd> {
    let Some(task) = app.tasks.selected_task().cloned() else {
        return super::queue::details(app);
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
                vec![Cmd::Worker(Request::Drafts(DraftsRequest::LoadDrafts {
                    cursor: None,
                }))]
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

/// A worker event about tasks: the answers to a submission, a task's change, a removal by
/// another instance.
pub fn on_event(app: &mut App, event: TaskEvent) -> Vec<Cmd> {
    // The extend form's own answers: a failure stays in the form, a success goes on below.
    if super::extend::on_task_event(app, &event) && matches!(event, TaskEvent::SubmitFailed { .. })
    {
        return Vec::new();
    }
    match event {
        TaskEvent::Uploading { .. } | TaskEvent::SubmitFailed { .. } => {
            return super::prompt::on_event(app, event);
        }
        TaskEvent::Submitted { local_id, record } => {
            super::prompt::submitted(app, local_id);
            toast(
                app,
                format!("submitted {}: follow it in 3 Tasks", record.task_id),
            );
            app.tasks.tasks.retain(|t| t.task_id != record.task_id);
            app.tasks.tasks.insert(0, record);
            // The new task, the first row under the queued items.
            app.tasks.selected = app.tasks.queue.items.len();
            return vec![save_prompt(app)];
        }
        TaskEvent::TaskChanged(record) => {
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
                None => {
                    app.tasks.tasks.insert(0, record.clone());
                    // The task rows moved down by one: a selected task moves with them.
                    let on_a_task = app.tasks.selected >= app.tasks.queue.items.len();
                    if on_a_task && app.tasks.tasks.len() > 1 {
                        app.tasks.selected += 1;
                    }
                }
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
                // The worker reads the quota again itself, once for all the tasks finishing
                // together; the account did not change, so `/me` is not read.
                return vec![Cmd::Notify(format!("sora-tui: {note}"))];
            }
        }
        TaskEvent::TaskRemoved { task_id } => {
            let t = &mut app.tasks;
            if let Some(i) = t.tasks.iter().position(|r| r.task_id == task_id) {
                t.tasks.remove(i);
                // Rows are numbered after the queued items.
                if t.selected > i + t.queue.items.len() {
                    t.selected -= 1;
                }
                t.selected = t.selected.min(t.len().saturating_sub(1));
            }
        }
    }
    Vec::new()
}
