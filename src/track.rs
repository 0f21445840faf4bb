//! How a submitted task's state is read off what the backend shows: pure functions over one
//! poll's observations, shared by the headless `--wait` and the TUI's worker.

use crate::api::types::Generation;
use crate::api::{Draft, DraftVerdict, TaskInfo};

/// A video task's state after one poll of `/nf/pending` (and, once it left, of the drafts).
#[derive(Debug, Clone, PartialEq)]
pub enum VideoState {
    /// Still in pending: its status word and progress 0.0-1.0.
    Working {
        /// `preprocessing`, `queued`, `running`, `processing`, …
        status: String,
        /// 0.0-1.0.
        progress: f64,
    },
    /// Gone from pending, no draft yet: the draft appears after a lag (or the task flickered).
    Finishing,
    /// The draft exists but has no media URL yet.
    DraftNotReady,
    /// The draft is ready.
    Done(Box<Draft>),
    /// Pending reported it failed.
    Failed(String),
    /// Moderation blocked the result.
    Violation(String),
}

/// Reads a video task's state. `drafts` is the newest page of drafts, when it was fetched.
pub fn observe_video(task_id: &str, pending: &[TaskInfo], drafts: Option<&[Draft]>) -> VideoState {
    if let Some(t) = pending.iter().find(|t| t.id == task_id) {
        if t.status.eq_ignore_ascii_case("failed") {
            return VideoState::Failed(t.failure().unwrap_or("the generation failed").to_string());
        }
        return VideoState::Working {
            status: if t.status.is_empty() {
                "queued".into()
            } else {
                t.status.clone()
            },
            progress: t.progress(),
        };
    }
    let Some(draft) = drafts.and_then(|d| d.iter().find(|d| d.task_id.as_deref() == Some(task_id)))
    else {
        return VideoState::Finishing;
    };
    match draft.verdict() {
        DraftVerdict::Ready => VideoState::Done(Box::new(draft.clone())),
        DraftVerdict::Violation(reason) => VideoState::Violation(reason),
        DraftVerdict::NotReady => VideoState::DraftNotReady,
    }
}

/// An image task's state after one read of `/v2/recent_tasks`.
#[derive(Debug, Clone, PartialEq)]
pub enum ImageState {
    /// Queued or running.
    Working {
        /// The status word.
        status: String,
        /// 0.0-1.0.
        progress: f64,
    },
    /// Not in the list (yet, or it fell off a short list).
    Missing,
    /// Finished with these outputs.
    Done(Vec<Generation>),
    /// Failed with this reason.
    Failed(String),
}

/// Reads an image task's state from the recent tasks list.
pub fn observe_image(task_id: &str, recent: &[TaskInfo]) -> ImageState {
    let Some(t) = recent.iter().find(|t| t.id == task_id) else {
        return ImageState::Missing;
    };
    match t.status.to_ascii_lowercase().as_str() {
        "succeeded" | "complete" | "completed" => ImageState::Done(
            t.generations
                .iter()
                .filter(|g| g.url.is_some())
                .cloned()
                .collect(),
        ),
        "failed" | "cancelled" | "canceled" => {
            ImageState::Failed(t.failure().unwrap_or("the generation failed").to_string())
        }
        _ => ImageState::Working {
            status: if t.status.is_empty() {
                "queued".into()
            } else {
                t.status.clone()
            },
            progress: t.progress(),
        },
    }
}

/// Whether a status word belongs to an unfinished task.
pub fn is_unfinished(status: &str) -> bool {
    !matches!(
        status.to_ascii_lowercase().as_str(),
        "succeeded" | "complete" | "completed" | "failed" | "cancelled" | "canceled"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str, status: &str, p: Option<f64>) -> TaskInfo {
        TaskInfo {
            id: id.into(),
            status: status.into(),
            progress_pct: p,
            ..TaskInfo::default()
        }
    }

    fn draft(task: &str, url: Option<&str>, kind: &str) -> Draft {
        Draft {
            id: Some("gen_1".into()),
            task_id: Some(task.into()),
            kind: Some(kind.into()),
            downloadable_url: url.map(str::to_owned),
            ..Draft::default()
        }
    }

    #[test]
    fn video_lifecycle() {
        let p = [
            task("task_a", "running", Some(0.5)),
            task("task_b", "failed", None),
        ];
        assert_eq!(
            observe_video("task_a", &p, None),
            VideoState::Working {
                status: "running".into(),
                progress: 0.5
            }
        );
        assert_eq!(
            observe_video("task_b", &p, None),
            VideoState::Failed("the generation failed".into())
        );
        assert_eq!(
            observe_video("task_c", &p, Some(&[])),
            VideoState::Finishing
        );
        let ready = [draft("task_c", Some("https://m/x.mp4"), "sora_draft")];
        assert!(matches!(
            observe_video("task_c", &p, Some(&ready)),
            VideoState::Done(_)
        ));
        let not_ready = [draft("task_c", None, "sora_draft")];
        assert_eq!(
            observe_video("task_c", &p, Some(&not_ready)),
            VideoState::DraftNotReady
        );
        let bad = [draft("task_c", None, "sora_content_violation")];
        assert!(matches!(
            observe_video("task_c", &p, Some(&bad)),
            VideoState::Violation(_)
        ));
    }

    #[test]
    fn image_lifecycle() {
        let mut done = task("task_i", "succeeded", Some(1.0));
        done.generations = vec![Generation {
            id: Some("gen_x".into()),
            url: Some("u".into()),
            ..Generation::default()
        }];
        let mut failed = task("task_f", "failed", None);
        failed.error_message = Some("nope".into());
        let list = [done, failed, task("task_q", "queued", None)];
        assert!(matches!(observe_image("task_i", &list), ImageState::Done(g) if g.len() == 1));
        assert_eq!(
            observe_image("task_f", &list),
            ImageState::Failed("nope".into())
        );
        assert_eq!(
            observe_image("task_q", &list),
            ImageState::Working {
                status: "queued".into(),
                progress: 0.0
            }
        );
        assert_eq!(observe_image("task_z", &list), ImageState::Missing);
    }
}

/// What kind of generation a tracked task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// `POST /nf/create` (text, image or remix): tracked through pending and drafts.
    Video,
    /// `POST /nf/create/storyboard`: tracked like a video.
    Storyboard,
    /// `POST /video_gen`: tracked through recent tasks.
    Image,
}

impl TaskKind {
    /// Whether it is tracked through `/nf/pending` and the drafts.
    pub fn is_video(self) -> bool {
        !matches!(self, TaskKind::Image)
    }
}

/// Where a tracked task stands, as persisted and shown.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum TaskPhase {
    /// Unfinished: the server's status word (`preprocessing`, `queued`, `running`,
    /// `processing`, or `finishing` once it left pending) and progress 0.0-1.0.
    Working {
        /// Status word.
        status: String,
        /// 0.0-1.0.
        progress: f64,
    },
    /// Finished: the generation ids (one draft for a video, the variants of an image).
    Done {
        /// `gen_…` ids.
        generation_ids: Vec<String>,
        /// Media URLs of image results (videos are found through the drafts).
        #[serde(default)]
        urls: Vec<String>,
    },
    /// The server reported a failure.
    Failed {
        /// The reason as given.
        reason: String,
    },
    /// Moderation blocked the result.
    Blocked {
        /// The reason as given.
        reason: String,
    },
}

impl TaskPhase {
    /// Whether the task still needs polling.
    pub fn is_unfinished(&self) -> bool {
        matches!(self, TaskPhase::Working { .. })
    }
}

/// A task this program submitted: recorded in the data dir before the UI says "submitted",
/// so tracking resumes after a restart.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TaskRecord {
    /// `task_…`.
    pub task_id: String,
    /// Video, storyboard or image.
    pub kind: TaskKind,
    /// The prompt as submitted (the storyboard text for storyboards).
    pub prompt: String,
    /// A short human summary of the settings (`landscape · 10 s · Sora 2`).
    pub settings: String,
    /// Unix seconds.
    pub submitted_at: f64,
    /// Unix seconds, once finished.
    pub finished_at: Option<f64>,
    /// Where it stands.
    pub phase: TaskPhase,
}

/// Task records are merged by task id in `tasks.json`, which every instance on the data dir
/// shares (see `store::Store::merge`).
impl crate::store::Keyed for TaskRecord {
    fn key(&self) -> &str {
        &self.task_id
    }
}
