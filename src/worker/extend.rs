//! Extending a draft off the worker loop: one `long_video_extension` create, described as a
//! [`SubmitOutcome`] so the loop records and tracks its task exactly like a submission's
//! (`run/extending.rs`), and its history entry naming the draft it extends.

use std::collections::HashSet;

use crate::api::reconcile::Listing;
use crate::api::{Client, ExtensionLength};
use crate::history::{EntryKind, HistoryEntry};
use crate::track::{TaskKind, TaskPhase, TaskRecord};

use super::history::History;
use super::submit::{Sent, SubmitOutcome, unanswered, unix_now};

/// `Request::Extend`: continue the draft `gen_id` by `length` with `prompt`. Answered like a
/// submission: `TaskEvent::Submitted { local_id, .. }` (a Tasks row, then polled like any
/// video) or `TaskEvent::SubmitFailed { local_id, .. }`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtendRequest {
    /// The UI's id of the request, as a submission's.
    pub local_id: u64,
    /// The draft to extend (`gen_…`).
    pub gen_id: String,
    /// What happens in the continuation.
    pub prompt: String,
    /// 10 or 15 seconds more.
    pub length: ExtensionLength,
}

/// The settings line of an extension's task: `extends gen_… · +10 s`.
pub fn extension_summary(gen_id: &str, length: ExtensionLength) -> String {
    format!(
        "extends {} · +{} s",
        crate::text::sanitize(gen_id, 80),
        length.seconds()
    )
}

/// Sends the extension; never resends it: an ambiguous failure is reconciled with the
/// server's video list by prompt, as a submission's is. On success the history entry
/// (prompt, task, parent) is written before the loop records the task.
pub(super) async fn extend(
    client: Client,
    history: History,
    req: ExtendRequest,
    known: HashSet<String>,
) -> SubmitOutcome {
    let local_id = req.local_id;
    let mut record = TaskRecord {
        task_id: String::new(),
        kind: TaskKind::Video,
        prompt: req.prompt.clone(),
        settings: extension_summary(&req.gen_id, req.length),
        submitted_at: 0.0,
        finished_at: None,
        phase: TaskPhase::Working {
            status: "submitted".into(),
            progress: 0.0,
        },
    };
    let sent_at = unix_now();
    let created = client
        .extend_draft(&req.gen_id, &req.prompt, req.length)
        .await;
    record.submitted_at = unix_now();
    match created {
        Ok(task_id) => {
            record.task_id = task_id;
            history.record(vec![entry(&req, &record)]).await;
            SubmitOutcome::Created { local_id, record }
        }
        Err(error) => {
            let sent = Sent {
                prompt: &req.prompt,
                at: sent_at,
                listing: Listing::Videos,
            };
            unanswered(&client, sent, &known, local_id, record, error).await
        }
    }
}

/// The history entry of an extension whose task was created.
fn entry(req: &ExtendRequest, record: &TaskRecord) -> HistoryEntry {
    HistoryEntry {
        key: record.task_id.clone(),
        kind: EntryKind::Video,
        task_id: Some(record.task_id.clone()),
        prompt: Some(req.prompt.clone()),
        submitted_at: Some(record.submitted_at),
        extension_of: Some(req.gen_id.clone()),
        updated_at: record.submitted_at,
        ..HistoryEntry::default()
    }
}
