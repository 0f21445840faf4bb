//! The one shared poll: what a round fetches for every watched task at once, and when the next
//! round runs. Interpreting what was fetched is [`super::tasks`]' job.

use std::time::Duration;

use crate::api::{ApiError, Client, DraftsPage, TaskInfo};

/// How many recent image tasks one round reads: the most the service is known to serve at
/// once. More unfinished image tasks than that can fall off the list; see `tasks.rs`.
pub(super) const RECENT_TASKS_LIMIT: u32 = 100;
/// A `Retry-After` longer than this is not waited out in full: the user would think the
/// program hung, and the next failure asks again anyway.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(600);

/// The tasks one round is for, fixed when it starts: a task submitted while the round is in
/// flight is not judged by data fetched before it existed.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct RoundPlan {
    /// Unfinished video and storyboard tasks (tracked through pending and the drafts).
    pub videos: Vec<String>,
    /// Unfinished image tasks (tracked through recent tasks).
    pub images: Vec<String>,
}

/// What one round fetched. `None` means "not needed this round".
#[derive(Debug)]
pub(super) struct Round {
    /// The tasks it was for.
    pub plan: RoundPlan,
    /// `GET /nf/pending`, when any video task is watched.
    pub pending: Option<Result<Vec<TaskInfo>, ApiError>>,
    /// The first drafts page, when a watched video task was no longer in pending.
    pub drafts: Option<Result<DraftsPage, ApiError>>,
    /// `GET /v2/recent_tasks`, when any image task is watched.
    pub recent: Option<Result<Vec<TaskInfo>, ApiError>>,
}

impl Round {
    /// The first failure of the round, if any part failed.
    pub fn error(&self) -> Option<&ApiError> {
        [
            self.pending.as_ref().and_then(|r| r.as_ref().err()),
            self.drafts.as_ref().and_then(|r| r.as_ref().err()),
            self.recent.as_ref().and_then(|r| r.as_ref().err()),
        ]
        .into_iter()
        .flatten()
        .next()
    }
}

/// Runs one round: at most one pending read, at most one drafts page (only if a watched video
/// left pending, i.e. is finishing) and at most one recent-tasks read, however many tasks are
/// watched. The video and image reads run side by side.
pub(super) async fn fetch(client: Client, plan: RoundPlan, drafts_page: u32) -> Round {
    let videos = async {
        if plan.videos.is_empty() {
            return (None, None);
        }
        match client.pending().await {
            Ok(pending) => {
                let finishing = plan
                    .videos
                    .iter()
                    .any(|id| !pending.iter().any(|t| &t.id == id));
                let drafts = if finishing {
                    Some(client.drafts(drafts_page, None).await)
                } else {
                    None
                };
                (Some(Ok(pending)), drafts)
            }
            Err(e) => (Some(Err(e)), None),
        }
    };
    let images = async {
        if plan.images.is_empty() {
            None
        } else {
            Some(client.recent_tasks(RECENT_TASKS_LIMIT).await)
        }
    };
    let ((pending, drafts), recent) = tokio::join!(videos, images);
    Round {
        plan,
        pending,
        drafts,
        recent,
    }
}

/// The poll interval: fast while things change, slower while they do not, the slow interval
/// after a failed round. Whether to poll at all (only while something is unfinished) is the loop's call.
#[derive(Debug, Clone)]
pub(super) struct Cadence {
    min: Duration,
    max: Duration,
    interval: Duration,
}

impl Cadence {
    /// Starts fast. `max` below `min` is treated as `min`.
    pub fn new(min: Duration, max: Duration) -> Cadence {
        Cadence {
            min,
            max: max.max(min),
            interval: min,
        }
    }

    /// Back to the fast interval (a new submission, a change).
    pub fn reset(&mut self) {
        self.interval = self.min;
    }

    /// The delay after a successful round: the minimum after a change, otherwise the last
    /// interval × 1.5 up to the maximum.
    pub fn after_success(&mut self, changed: bool) -> Duration {
        self.interval = if changed {
            self.min
        } else {
            self.interval.mul_f64(1.5).min(self.max)
        };
        self.interval
    }

    /// The delay after a failed round. The client has already retried the round's reads
    /// with backoff (see `api::RetryPolicy`), so no second backoff is stacked here: the
    /// slow interval, or longer when the server named a `Retry-After` the client would not
    /// wait out inside one call.
    pub fn after_failure(&mut self, error: &ApiError) -> Duration {
        match error {
            ApiError::RateLimited {
                retry_after: Some(wait),
                ..
            } => self.max.max((*wait).min(RETRY_AFTER_CAP)),
            _ => self.max,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn slows_down_while_nothing_changes_and_resets_on_change() {
        let mut c = Cadence::new(100 * MS, 300 * MS);
        assert_eq!(c.after_success(false), 150 * MS);
        assert_eq!(c.after_success(false), 225 * MS);
        assert_eq!(c.after_success(false), 300 * MS);
        assert_eq!(c.after_success(false), 300 * MS);
        assert_eq!(c.after_success(true), 100 * MS);
        c.after_success(false);
        c.reset();
        assert_eq!(c.after_success(true), 100 * MS);
    }

    #[test]
    fn a_failed_round_waits_the_slow_interval_or_the_retry_after() {
        // Changed on purpose with the single retry policy: the client backs off within a
        // round, so the cadence no longer doubles per failed round.
        let mut c = Cadence::new(100 * MS, 300 * MS);
        assert_eq!(c.after_failure(&ApiError::Overloaded), 300 * MS);
        assert_eq!(c.after_failure(&ApiError::Overloaded), 300 * MS);
        let limited = ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(7)),
            detail: String::new(),
        };
        assert_eq!(c.after_failure(&limited), Duration::from_secs(7));
        // Failures do not touch the calm interval; recovery goes on from it.
        assert_eq!(c.after_success(false), 150 * MS);
    }
}
