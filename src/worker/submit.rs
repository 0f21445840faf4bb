//! One submission, off the worker loop: upload the input image, send the create, and describe
//! the result. Recording the task and telling the UI is the loop's job (it owns the record),
//! so a task is never announced before it is written down.

use std::collections::HashSet;

use tokio::sync::mpsc::UnboundedSender;

use super::protocol::{Event, Submission, SubmissionKind, TaskEvent};
use crate::api::reconcile::{self, Listing};
use crate::api::{ApiError, Client, VideoSettings};
use crate::track::{TaskKind, TaskPhase, TaskRecord};

/// How a submission ended, for the loop to record and report.
#[derive(Debug)]
pub(super) enum SubmitOutcome {
    /// The server answered with a task id (set in the record).
    Created {
        /// The UI's id of the submission.
        local_id: u64,
        /// The record to keep.
        record: TaskRecord,
    },
    /// The create failed in a way the server may still have accepted. `candidates` are the
    /// server's tasks with the same prompt, newest first; the loop adopts the first one it
    /// does not track yet (the record's `task_id` is empty until then).
    Unconfirmed {
        /// The UI's id of the submission.
        local_id: u64,
        /// The record to keep if a candidate is adopted.
        record: TaskRecord,
        /// Task ids carrying the submitted prompt.
        candidates: Vec<String>,
        /// The create's failure, reported if nothing is adopted.
        error: ApiError,
    },
    /// Nothing was created.
    Failed {
        /// The UI's id of the submission.
        local_id: u64,
        /// Why.
        error: ApiError,
    },
}

/// Runs a submission. Never resends the create: an ambiguous failure is reconciled with a
/// few reads of the server's task lists instead (see [`reconcile::find_created`]); `known`
/// are the task ids already tracked when it started, which are never candidates.
pub(super) async fn submit(
    client: Client,
    sub: Submission,
    known: HashSet<String>,
    events: UnboundedSender<Event>,
) -> SubmitOutcome {
    let local_id = sub.local_id;
    if sub.prompt.trim().is_empty() {
        let error = ApiError::InvalidInput("the prompt is empty: describe what to generate".into());
        return SubmitOutcome::Failed { local_id, error };
    }
    let kind = task_kind(&sub.kind);
    let mut record = fresh_record(&sub);
    let upload_id = match uploaded_image(&client, &sub, &events).await {
        Ok(id) => id,
        Err(error) => return SubmitOutcome::Failed { local_id, error },
    };
    let sent_at = unix_now();
    let created = match &sub.kind {
        SubmissionKind::Video {
            settings,
            remix: Some(target),
        } => client.create_remix(&sub.prompt, *settings, target).await,
        SubmissionKind::Video {
            settings,
            remix: None,
        } => {
            client
                .create_video(&sub.prompt, *settings, upload_id.as_deref())
                .await
        }
        SubmissionKind::Storyboard { settings } => {
            client.create_storyboard(&sub.prompt, *settings).await
        }
        SubmissionKind::Image { shape, variants } => {
            client
                .create_image(&sub.prompt, *shape, *variants, upload_id.as_deref())
                .await
        }
    };
    record.submitted_at = unix_now();
    match created {
        Ok(task_id) => {
            record.task_id = task_id;
            SubmitOutcome::Created { local_id, record }
        }
        Err(error) => {
            let listing = if kind.is_video() {
                Listing::Videos
            } else {
                Listing::Images
            };
            let sent = Sent {
                prompt: &sub.prompt,
                at: sent_at,
                listing,
            };
            unanswered(&client, sent, &known, local_id, record, error).await
        }
    }
}

/// A create that was sent: its prompt, when, and the task list it would appear in.
pub(super) struct Sent<'a> {
    /// The prompt as sent.
    pub prompt: &'a str,
    /// Unix seconds when it was sent.
    pub at: f64,
    /// Where a task it made is listed.
    pub listing: Listing,
}

/// A create that failed: when the service may have accepted it anyway (the answer was lost),
/// the tasks it may have made are looked for and offered as `Unconfirmed`; otherwise, or when
/// nothing is found, the create's failure is reported, which tells the user to look at
/// pending before resubmitting.
pub(super) async fn unanswered(
    client: &Client,
    sent: Sent<'_>,
    known: &HashSet<String>,
    local_id: u64,
    record: TaskRecord,
    error: ApiError,
) -> SubmitOutcome {
    if !error.maybe_accepted() {
        return SubmitOutcome::Failed { local_id, error };
    }
    let known = |id: &str| known.contains(id);
    match reconcile::find_created(client, sent.listing, sent.prompt, sent.at, &known).await {
        Ok(candidates) if !candidates.is_empty() => SubmitOutcome::Unconfirmed {
            local_id,
            record,
            candidates,
            error,
        },
        _ => SubmitOutcome::Failed { local_id, error },
    }
}

/// The record of a submission whose task was just created (its `task_id` and
/// `submitted_at` still to set): also what the local queue records for a task it adopts.
pub(super) fn fresh_record(sub: &Submission) -> TaskRecord {
    TaskRecord {
        task_id: String::new(),
        kind: task_kind(&sub.kind),
        prompt: sub.prompt.clone(),
        settings: settings_summary(&sub.kind),
        submitted_at: 0.0,
        finished_at: None,
        phase: TaskPhase::Working {
            status: "submitted".into(),
            progress: 0.0,
        },
    }
}

/// Uploads the input image when the kind uses one (a remix and a storyboard do not).
async fn uploaded_image(
    client: &Client,
    sub: &Submission,
    events: &UnboundedSender<Event>,
) -> Result<Option<String>, ApiError> {
    let uses_image = matches!(
        sub.kind,
        SubmissionKind::Video { remix: None, .. } | SubmissionKind::Image { .. }
    );
    let Some(path) = sub.image.as_deref().filter(|_| uses_image) else {
        return Ok(None);
    };
    let _ = events.send(Event::Tasks(TaskEvent::Uploading {
        local_id: sub.local_id,
    }));
    client.upload_image(path).await.map(Some)
}

fn task_kind(kind: &SubmissionKind) -> TaskKind {
    match kind {
        SubmissionKind::Video { .. } => TaskKind::Video,
        SubmissionKind::Storyboard { .. } => TaskKind::Storyboard,
        SubmissionKind::Image { .. } => TaskKind::Image,
    }
}

/// The one-line settings summary shown next to a task: `landscape · 10 s · Sora 2 ·
/// standard`, `… · remix`, or `square · 2 images`.
pub fn settings_summary(kind: &SubmissionKind) -> String {
    let video = VideoSettings::summary;
    match kind {
        SubmissionKind::Video {
            settings,
            remix: None,
        }
        | SubmissionKind::Storyboard { settings } => video(settings),
        SubmissionKind::Video {
            settings,
            remix: Some(_),
        } => format!("{} · remix", video(settings)),
        SubmissionKind::Image { shape, variants } => {
            let shape = shape.name();
            let plural = if *variants == 1 { "" } else { "s" };
            format!("{shape} · {variants} image{plural}")
        }
    }
}

pub(super) use crate::text::unix_now;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ImageShape, Length, Model, Orientation};

    #[test]
    fn summaries_read_like_the_settings_line() {
        let s = VideoSettings::default();
        assert_eq!(
            settings_summary(&SubmissionKind::Video {
                settings: s,
                remix: None
            }),
            "landscape · 10 s · Sora 2 · standard"
        );
        let pro = VideoSettings {
            orientation: Orientation::Portrait,
            length: Length::S25,
            model: Model::SyOre,
            size: crate::api::Size::Large,
            style: None,
        };
        assert_eq!(
            settings_summary(&SubmissionKind::Storyboard { settings: pro }),
            "portrait · 25 s · Sora 2 Pro · HD"
        );
        assert_eq!(
            settings_summary(&SubmissionKind::Video {
                settings: s,
                remix: Some("s_1".into())
            }),
            "landscape · 10 s · Sora 2 · standard · remix"
        );
        assert_eq!(
            settings_summary(&SubmissionKind::Image {
                shape: ImageShape::Square,
                variants: 2
            }),
            "square · 2 images"
        );
        assert_eq!(
            settings_summary(&SubmissionKind::Image {
                shape: ImageShape::Portrait,
                variants: 1
            }),
            "portrait · 1 image"
        );
    }
}
