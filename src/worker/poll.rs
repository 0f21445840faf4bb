//! The one shared poll: what a round fetches for every watched task at once, and when the next
//! round runs. Interpreting what was fetched is [`super::tasks`]' job.

use std::time::Duration;

use tokio::time::Instant;

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
    /// Read pending even with no video watched: the local queue waits for a slot, and
    /// pending (every task of the account) is where one is seen to free.
    pub account: bool,
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
        if plan.videos.is_empty() && !plan.account {
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

/// The longest wait between two rounds while a task is unfinished: past it a user would
/// think the program stuck, whatever the estimates say.
pub(crate) const STUCK_BOUND: Duration = Duration::from_secs(10);
/// The longest a finish estimate reaches: a progress rate near zero must not overflow the clock.
const FAR_FUTURE: Duration = Duration::from_secs(24 * 3600);

/// What one watched task is doing, as far as the schedule cares: the inputs of
/// [`next_delay`]. Built by `TaskBook::stages` from what the rounds showed, and by the
/// headless `--wait` from its own reads (both through `tasks::Trace`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Stage {
    /// Created or restored and not yet placed by a round (the service answers
    /// `preprocessing` for about a second after a create): look at the normal pace.
    Fresh,
    /// Waiting in the service's queue since `since`. `wait` is the service's estimate of the
    /// whole queue wait and `position` the place in the queue, when the pending answer gave them.
    Queued {
        /// When the task was first seen queued.
        since: Instant,
        /// `estimated_queue_wait_time`, as seen when it was first queued.
        wait: Option<Duration>,
        /// `progress_pos_in_queue` (1 is next).
        position: Option<f64>,
    },
    /// Generating: the first progress seen while running and the latest change of it, each
    /// with when it was seen. Their slope estimates the finish.
    Running {
        /// The first sample while running.
        first: (Instant, f64),
        /// When the progress was first seen at its latest value.
        last: (Instant, f64),
    },
    /// `processing` at 100 %, or gone from pending and waiting for its draft: the finish is
    /// seconds away.
    Finishing,
    /// Nothing to predict from (an image task, an unknown status word): the calm cadence.
    Unknown,
}

/// The intervals [`next_delay`] picks between.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Pace {
    /// Around an expected finish and while finishing.
    pub fast: Duration,
    /// The normal pace (the configured minimum interval).
    pub min: Duration,
    /// The slowest, while nothing is expected (capped at [`STUCK_BOUND`]).
    pub max: Duration,
    /// The change-driven interval of [`Cadence`], for tasks of [`Stage::Unknown`].
    pub calm: Duration,
}

impl Pace {
    /// The pace for a worker polling between `min` and `max`, `calm` being its cadence.
    pub fn new(min: Duration, max: Duration, calm: Duration) -> Pace {
        let fast = (min / 2).max(Duration::from_millis(10));
        Pace {
            fast,
            min,
            max: max.max(min),
            calm,
        }
    }
}

/// The delay until the next round: the soonest any watched task needs a look, never less
/// than `pace.fast` and never more than `pace.max` or [`STUCK_BOUND`]. Pure, so each rule is
/// unit-tested: slow while queued (until the service's estimate of the wait, when given, is
/// near), halving the time left to the finish estimated from the progress rate while running,
/// fast around that finish and while finishing. No tasks give the longest delay (the loop
/// does not poll at all then).
pub(crate) fn next_delay(stages: &[Stage], now: Instant, pace: Pace) -> Duration {
    let cap = pace.max.min(STUCK_BOUND).max(pace.fast);
    stages
        .iter()
        .map(|s| stage_delay(s, now, pace))
        .min()
        .unwrap_or(cap)
        .clamp(pace.fast, cap)
}

fn stage_delay(stage: &Stage, now: Instant, pace: Pace) -> Duration {
    match stage {
        Stage::Fresh => pace.min,
        Stage::Queued {
            since,
            wait: Some(wait),
            ..
        } => {
            // The estimate is the server's: a huge one must not overflow the clock
            // (`Instant + Duration` panics), it only means "not soon".
            let left = since
                .checked_add((*wait).min(FAR_FUTURE))
                .map_or(FAR_FUTURE, |end| end.saturating_duration_since(now));
            (left / 2).max(pace.min)
        }
        Stage::Queued {
            position: Some(p), ..
        } if *p <= 1.0 => pace.min,
        Stage::Queued { .. } => pace.max,
        Stage::Running {
            first: (t0, p0),
            last: (t1, p1),
        } => {
            let span = t1.saturating_duration_since(*t0).as_secs_f64();
            if span <= 0.0 {
                // One sample: the next one gives the rate.
                return pace.min;
            }
            if p1 <= p0 {
                return pace.max;
            }
            let rate = (p1 - p0) / span;
            let left = Duration::try_from_secs_f64((1.0 - p1).max(0.0) / rate)
                .unwrap_or(FAR_FUTURE)
                .min(FAR_FUTURE);
            let remaining = (*t1 + left).saturating_duration_since(now);
            if remaining <= pace.min {
                pace.fast
            } else {
                (remaining / 2).max(pace.min)
            }
        }
        Stage::Finishing => pace.fast,
        Stage::Unknown => pace.calm,
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

    /// The fast interval.
    pub fn min(&self) -> Duration {
        self.min
    }

    /// The slow interval.
    pub fn max(&self) -> Duration {
        self.max
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

    #[test]
    fn a_huge_queue_estimate_from_the_server_is_only_slow() {
        let now = Instant::now();
        let pace = Pace::new(
            Duration::from_secs(2),
            Duration::from_secs(10),
            Duration::from_secs(2),
        );
        let stage = Stage::Queued {
            since: now,
            wait: Some(Duration::MAX),
            position: None,
        };
        assert_eq!(next_delay(&[stage], now, pace), Duration::from_secs(10));
    }

    const MS: Duration = Duration::from_millis(1);
    const S: Duration = Duration::from_secs(1);

    /// The default worker's pace: 2 s normally, 1 s when fast, 10 s at most.
    fn pace() -> Pace {
        Pace::new(2 * S, 10 * S, 3 * S)
    }

    #[test]
    fn pace_is_half_the_minimum_when_fast_and_never_spins() {
        let p = pace();
        assert_eq!((p.fast, p.min, p.max, p.calm), (S, 2 * S, 10 * S, 3 * S));
        assert_eq!(Pace::new(MS, MS, MS).fast, 10 * MS);
        assert_eq!(Pace::new(2 * S, S, S).max, 2 * S, "max below min is min");
    }

    #[test]
    fn a_fresh_task_is_looked_at_after_the_normal_interval() {
        let now = Instant::now();
        assert_eq!(next_delay(&[Stage::Fresh], now, pace()), 2 * S);
    }

    #[test]
    fn a_queued_task_waits_slowly_or_until_the_estimated_wait_is_near() {
        let now = Instant::now();
        let queued = |wait, position| Stage::Queued {
            since: now,
            wait,
            position,
        };
        // Nothing said: the slowest interval, which is also the "stuck" bound.
        assert_eq!(next_delay(&[queued(None, None)], now, pace()), 10 * S);
        // 45 s estimated: the bound; with 6 s left, half of it; past it, the normal pace.
        assert_eq!(
            next_delay(&[queued(Some(45 * S), None)], now, pace()),
            10 * S
        );
        assert_eq!(
            next_delay(&[queued(Some(45 * S), None)], now + 39 * S, pace()),
            3 * S
        );
        assert_eq!(
            next_delay(&[queued(Some(45 * S), None)], now + 60 * S, pace()),
            2 * S
        );
        // Next in line: the normal pace.
        assert_eq!(next_delay(&[queued(None, Some(1.0))], now, pace()), 2 * S);
        assert_eq!(next_delay(&[queued(None, Some(7.0))], now, pace()), 10 * S);
    }

    #[test]
    fn a_running_task_is_polled_towards_its_estimated_finish() {
        let t0 = Instant::now();
        // 10 % in 10 s: the finish is expected at t0 + 90 s.
        let running = Stage::Running {
            first: (t0, 0.1),
            last: (t0 + 10 * S, 0.2),
        };
        let at = |secs: u32| next_delay(std::slice::from_ref(&running), t0 + secs * S, pace());
        assert_eq!(at(10), 10 * S, "far from the finish: the bound");
        assert_eq!(at(80), 5 * S, "10 s left: half of it");
        assert_eq!(
            at(87),
            2 * S,
            "never below the normal pace before the finish"
        );
        assert_eq!(at(89), S, "around the finish: fast");
        assert_eq!(at(200), S, "past the estimate: fast");
        // One sample gives no rate yet: the normal pace gets a second one.
        let one = Stage::Running {
            first: (t0, 0.3),
            last: (t0, 0.3),
        };
        assert_eq!(next_delay(&[one], t0, pace()), 2 * S);
        // Progress that has not moved: slow, within the bound.
        let stalled = Stage::Running {
            first: (t0, 0.3),
            last: (t0 + 5 * S, 0.3),
        };
        assert_eq!(next_delay(&[stalled], t0 + 5 * S, pace()), 10 * S);
        // A rate near zero does not overflow.
        let crawling = Stage::Running {
            first: (t0, 0.0),
            last: (t0 + S, 1e-300),
        };
        assert_eq!(next_delay(&[crawling], t0 + S, pace()), 10 * S);
    }

    #[test]
    fn finishing_is_fast_unknown_follows_the_cadence_and_the_soonest_task_wins() {
        let now = Instant::now();
        assert_eq!(next_delay(&[Stage::Finishing], now, pace()), S);
        assert_eq!(next_delay(&[Stage::Unknown], now, pace()), 3 * S);
        let queued = Stage::Queued {
            since: now,
            wait: None,
            position: None,
        };
        assert_eq!(
            next_delay(&[queued.clone(), Stage::Finishing], now, pace()),
            S
        );
        assert_eq!(next_delay(&[queued, Stage::Fresh], now, pace()), 2 * S);
    }

    #[test]
    fn never_slower_than_the_stuck_bound() {
        let now = Instant::now();
        let slow = Pace::new(2 * S, 60 * S, 60 * S);
        let queued = Stage::Queued {
            since: now,
            wait: Some(600 * S),
            position: None,
        };
        for stage in [queued, Stage::Unknown] {
            assert_eq!(next_delay(&[stage], now, slow), STUCK_BOUND);
        }
        assert_eq!(next_delay(&[], now, slow), STUCK_BOUND);
    }

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
