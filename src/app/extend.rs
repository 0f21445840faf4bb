//! The Drafts pane's extend form (`e`): a prompt line for what happens next and the 10/15 s
//! toggle, over the pane as a dialog (`Modal::Extend`, drawn by `ui/extend.rs`). Enter sends
//! `Request::Extend`; the form stays open, its text kept, until the worker answers: on
//! `Submitted` it closes (the task is a Tasks row like any video), on `SubmitFailed` the
//! error is shown in the form and the text is still there to fix and send again.

use crossterm::event::{KeyCode, KeyEvent};

use super::Cmd;
use super::line_edit::{LineEdit, LineKey};
use super::state::{App, DraftRow, Modal};
use super::update::{toast, toast_error};
use crate::api::ExtensionLength;
use crate::worker::{ExtendRequest, Request, TaskEvent};

/// The form's state: plain data, changed only by [`on_key`], [`on_paste`] and
/// [`on_task_event`].
#[derive(Debug, Clone, PartialEq)]
pub struct ExtendForm {
    /// The draft being extended (`gen_…`, checked when the form opened).
    pub gen_id: String,
    /// The draft's title line, to say which one it is.
    pub title: String,
    /// What happens in the continuation.
    pub prompt: LineEdit,
    /// 10 or 15 seconds more.
    pub length: ExtensionLength,
    /// The local id of the request sent, while its answer is awaited.
    pub sending: Option<u64>,
    /// Why the last send failed, shown in the form.
    pub error: Option<String>,
}

/// Opens the form for `row` (a video draft with a valid id: `drafts::refused_id` checked).
pub fn open(app: &mut App, row: &DraftRow) -> Vec<Cmd> {
    if row.is_image() {
        toast(
            app,
            "an image result is not a video draft: only videos extend",
        );
        return Vec::new();
    }
    if row.is_blocked() {
        toast_error(
            app,
            "a draft blocked by the content policy cannot be extended",
        );
        return Vec::new();
    }
    app.modal = Some(Modal::Extend(ExtendForm {
        gen_id: row.gen_id.clone(),
        title: row.title().to_string(),
        prompt: LineEdit::default(),
        length: ExtensionLength::default(),
        sending: None,
        error: None,
    }));
    Vec::new()
}

/// A key while the form is open (the modal was taken out of `app`: it is put back unless
/// the form closes). Enter sends, Tab toggles the length, Esc closes, the rest edits.
pub fn on_key(app: &mut App, mut form: ExtendForm, key: KeyEvent) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    match key.code {
        KeyCode::Esc => {
            if form.sending.is_some() {
                toast(app, "the extension was sent: its answer comes to 3 Tasks");
            } else if !form.prompt.is_empty() {
                toast(app, "extension not sent: the prompt typed was dropped");
            }
            return cmds;
        }
        KeyCode::Enter if form.sending.is_some() => {}
        KeyCode::Enter if form.prompt.text().trim().is_empty() => {
            form.error = Some("describe what happens next, then Enter".into());
        }
        KeyCode::Enter => {
            let local_id = app.next_local_id;
            app.next_local_id += 1;
            form.sending = Some(local_id);
            form.error = None;
            cmds.push(Cmd::Worker(Request::Extend(ExtendRequest {
                local_id,
                gen_id: form.gen_id.clone(),
                prompt: form.prompt.text().trim().to_string(),
                length: form.length,
            })));
        }
        KeyCode::Tab | KeyCode::BackTab if form.sending.is_none() => {
            form.length = form.length.toggled();
        }
        _ if form.sending.is_none() && form.prompt.key(&key) == LineKey::Edited => {
            form.error = None;
        }
        _ => {}
    }
    app.modal = Some(Modal::Extend(form));
    cmds
}

/// A paste while the form is open goes into its prompt line.
pub fn on_paste(form: &mut ExtendForm, text: &str) {
    if form.sending.is_none() {
        form.prompt.paste(text);
    }
}

/// The worker's answer to a submission: the form's own closes it (`Submitted`) or shows the
/// failure in it (`SubmitFailed`); anything else is not its business. Returns whether it
/// was the form's.
pub fn on_task_event(app: &mut App, event: &TaskEvent) -> bool {
    let Some(Modal::Extend(form)) = app.modal.as_mut() else {
        return false;
    };
    match event {
        TaskEvent::Submitted { local_id, .. } if form.sending == Some(*local_id) => {
            app.modal = None;
            true
        }
        TaskEvent::SubmitFailed { local_id, error } if form.sending == Some(*local_id) => {
            form.sending = None;
            form.error = Some(format!("not sent: {error}"));
            true
        }
        _ => false,
    }
}
