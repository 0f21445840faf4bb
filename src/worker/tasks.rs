//! The tracked tasks: their records (what is persisted and shown) and the bookkeeping that
//! bounds waiting. Applying a poll round is a pure function of the round, the clock and this
//! state, so every transition is unit-tested without a network. The records are this
//! instance's copy of `tasks.json`: its own changes are queued per task and merged into the
//! file on write, and what other instances wrote is adopted (see `store::RecordSet`).

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

use super::poll::{Round, RoundPlan, Stage};
use crate::api::{DraftsPage, TaskInfo};
use crate::store::{Diff, RecordOp, RecordSet};
use crate::track::{ImageState, TaskPhase, TaskRecord, VideoState, observe_image, observe_video};

/// How long a video may be gone from pending without a usable draft (none listed yet, or one
/// without its media link) before it is given up on. The live service lists the draft about
/// 4 s after the task leaves pending, so this is a margin of some 45 times; how long a listed
/// draft may lack its link there is not known, so it gets the same margin rather than a count
/// of polls. The headless `--wait` uses the same bound.
pub(crate) const FINISHING_LIMIT: Duration = Duration::from_secs(180);
/// How many rounds in a row an image task may be missing from the recent tasks.
pub(super) const IMAGE_MISSING_ROUNDS: u32 = 20;

/// Per-task counters that are not worth persisting: after a restart they start over, which
/// only makes the bounds more lenient.
#[derive(Debug, Clone, Default)]
struct Waiting {
    /// When the video was first seen gone from pending without a usable draft.
    finishing_since: Option<Instant>,
    /// Rounds in a row the image task was not listed.
    image_missing: u32,
    /// What the rounds showed of a video's pace, for the poll schedule.
    trace: Trace,
}

/// A video's pending status over the rounds, as far as the poll schedule needs it: the one
/// place successive pending observations of a task become a [`Stage`], for the worker's
/// rounds and the headless `--wait` alike.
#[derive(Debug, Clone, Default)]
pub(crate) struct Trace {
    /// The status word last seen in pending (lower case) and when it was first seen.
    status: Option<(String, Instant)>,
    /// The service's estimate of the queue wait and the queue position, when given.
    queue_wait: Option<Duration>,
    queue_position: Option<f64>,
    /// The first progress seen while running, and when the latest value was first seen.
    first_run: Option<(Instant, f64)>,
    last_run: Option<(Instant, f64)>,
}

impl Trace {
    /// Notes one pending item seen at `now`.
    pub(crate) fn observe(&mut self, item: &TaskInfo, now: Instant) {
        let status = item.status.to_ascii_lowercase();
        if self.status.as_ref().is_none_or(|(s, _)| *s != status) {
            if status == "queued" {
                self.queue_wait = None;
            }
            self.status = Some((status.clone(), now));
        }
        if status == "queued" {
            let seconds = item
                .estimated_queue_wait_time
                .filter(|w| w.is_finite() && *w >= 0.0);
            if self.queue_wait.is_none() {
                self.queue_wait = seconds.and_then(|w| Duration::try_from_secs_f64(w).ok());
            }
            self.queue_position = item.progress_pos_in_queue.filter(|p| p.is_finite());
        }
        if status == "running" {
            let p = item.progress();
            self.first_run.get_or_insert((now, p));
            if self.last_run.is_none_or(|(_, last)| p > last) {
                self.last_run = Some((now, p));
            }
        }
    }

    /// The schedule's view of a video whose record shows `status` at `progress`.
    pub(crate) fn stage(&self, status: &str, progress: f64) -> Stage {
        match status.to_ascii_lowercase().as_str() {
            "processing" | "finishing" => Stage::Finishing,
            _ if progress >= 1.0 => Stage::Finishing,
            "queued" => match &self.status {
                Some((_, since)) => Stage::Queued {
                    since: *since,
                    wait: self.queue_wait,
                    position: self.queue_position,
                },
                None => Stage::Fresh,
            },
            "running" => match (self.first_run, self.last_run) {
                (Some(first), Some(last)) => Stage::Running { first, last },
                _ => Stage::Fresh,
            },
            "submitted" | "preprocessing" | "" => Stage::Fresh,
            _ => Stage::Unknown,
        }
    }
}

/// What applying one round did.
#[derive(Debug, Default)]
pub(super) struct Applied {
    /// Records that changed visibly (status word, whole percent, phase), to report.
    pub changed: Vec<TaskRecord>,
    /// Whether a status or phase changed, so the record must be written.
    pub persist: bool,
    /// Whether a video's draft appeared (done or blocked): the round's drafts page shows it.
    pub video_finished: bool,
}

/// How much one record changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    None,
    /// Only the progress, by at least a whole percent: reported, not written.
    Progress,
    /// The status word or the phase: reported and written.
    Status,
}

/// Every task submitted from this data dir (by any instance), newest first, finished ones
/// included until dismissed.
#[derive(Debug, Default)]
pub(super) struct TaskBook {
    records: RecordSet<TaskRecord>,
    waiting: HashMap<String, Waiting>,
}

impl TaskBook {
    /// A book of restored records.
    pub fn new(records: Vec<TaskRecord>) -> TaskBook {
        TaskBook {
            records: RecordSet::new(records),
            waiting: HashMap::new(),
        }
    }

    /// All records, newest first.
    pub fn records(&self) -> &[TaskRecord] {
        self.records.records()
    }

    /// Whether `task_id` is recorded.
    pub fn contains(&self, task_id: &str) -> bool {
        self.records.contains(task_id)
    }

    /// Records a new submission at the top.
    pub fn add(&mut self, record: TaskRecord) {
        self.records.put(record);
    }

    /// Forgets a task; whether it was there.
    pub fn dismiss(&mut self, task_id: &str) -> bool {
        self.waiting.remove(task_id);
        self.records.remove(task_id)
    }

    /// Whether changes wait to be written to `tasks.json`.
    pub fn has_unsaved(&self) -> bool {
        self.records.has_unsaved()
    }

    /// The changes the next write merges into `tasks.json`.
    pub fn unsaved(&self) -> Vec<RecordOp<TaskRecord>> {
        self.records.unsaved().to_vec()
    }

    /// Adopts what the write of [`TaskBook::unsaved`] left in `tasks.json`; returns what
    /// other instances changed.
    pub fn written(&mut self, merged: Vec<TaskRecord>) -> Diff<TaskRecord> {
        let diff = self.records.written(merged);
        self.forget_waits(&diff);
        diff
    }

    /// Adopts `tasks.json` as just read (this instance's unsaved changes stay on top);
    /// returns what other instances changed.
    pub fn reloaded(&mut self, on_disk: Vec<TaskRecord>) -> Diff<TaskRecord> {
        let diff = self.records.reloaded(on_disk);
        self.forget_waits(&diff);
        diff
    }

    /// Drops the wait counters of tasks another instance dismissed.
    fn forget_waits(&mut self, diff: &Diff<TaskRecord>) {
        for id in &diff.removed {
            self.waiting.remove(id);
        }
    }

    /// What the next round must fetch; `None` when nothing is unfinished (no polling at all).
    pub fn plan(&self) -> Option<RoundPlan> {
        let mut plan = RoundPlan::default();
        for r in self.records().iter().filter(|r| r.phase.is_unfinished()) {
            if r.kind.is_video() {
                plan.videos.push(r.task_id.clone());
            } else {
                plan.images.push(r.task_id.clone());
            }
        }
        (!plan.videos.is_empty() || !plan.images.is_empty()).then_some(plan)
    }

    /// What each unfinished task is doing, for the poll schedule (`poll::next_delay`).
    pub fn stages(&self) -> Vec<Stage> {
        self.records()
            .iter()
            .filter_map(|r| match &r.phase {
                TaskPhase::Working { status, progress } if r.kind.is_video() => Some(
                    self.waiting
                        .get(&r.task_id)
                        .map(|w| w.trace.stage(status, *progress))
                        .unwrap_or(Stage::Fresh),
                ),
                phase if phase.is_unfinished() => Some(Stage::Unknown),
                _ => None,
            })
            .collect()
    }

    /// Interprets one round for the tasks it was planned for. A part that failed leaves its
    /// tasks as they were. `now` bounds the waits, `unix_now` stamps `finished_at`.
    pub fn apply(&mut self, round: &Round, now: Instant, unix_now: f64) -> Applied {
        let mut applied = Applied::default();
        let RoundPlan { videos, images, .. } = &round.plan;
        if let Some(Ok(pending)) = &round.pending {
            let drafts = match &round.drafts {
                Some(Ok(page)) => Some(page.items.as_slice()),
                _ => None,
            };
            for id in videos {
                let gone = !pending.iter().any(|t| &t.id == id);
                if gone && drafts.is_none() {
                    // The drafts read failed: nothing is known about this task this round.
                    continue;
                }
                let state = observe_video(id, pending, drafts);
                let item = pending.iter().find(|t| &t.id == id);
                self.update(id, &mut applied, |rec, wait| {
                    if let Some(item) = item {
                        wait.trace.observe(item, now);
                    }
                    apply_video(rec, wait, state, now, unix_now)
                });
            }
        }
        if let Some(Ok(recent)) = &round.recent {
            // A full list may have pushed older tasks off its end: their absence
            // then says nothing, and must not count towards giving up on them.
            let list_full = recent.len() >= super::poll::RECENT_TASKS_LIMIT as usize;
            for id in images {
                let state = match observe_image(id, recent) {
                    ImageState::Missing if list_full => continue,
                    state => state,
                };
                self.update(id, &mut applied, |rec, wait| {
                    apply_image(rec, wait, state, unix_now)
                });
            }
        }
        applied
    }

    /// Runs `step` on an unfinished record (a dismissed or finished one is left alone) and
    /// notes what changed.
    fn update(
        &mut self,
        task_id: &str,
        applied: &mut Applied,
        step: impl FnOnce(&mut TaskRecord, &mut Waiting) -> Change,
    ) {
        if !self
            .records
            .get(task_id)
            .is_some_and(|r| r.phase.is_unfinished())
        {
            return;
        }
        let wait = self.waiting.entry(task_id.to_string()).or_default();
        let Some((change, rec)) = self.records.modify(task_id, |rec| {
            let change = step(rec, wait);
            (change, rec.clone())
        }) else {
            return;
        };
        if !rec.phase.is_unfinished() {
            self.waiting.remove(task_id);
            // Done and Blocked videos were read off a new draft (a blocked one is listed too).
            if rec.kind.is_video()
                && matches!(
                    rec.phase,
                    TaskPhase::Done { .. } | TaskPhase::Blocked { .. }
                )
            {
                applied.video_finished = true;
            }
        }
        if change != Change::None {
            applied.changed.push(rec);
        }
        applied.persist |= change == Change::Status;
    }
}

/// Moves a video record along by what one round showed.
fn apply_video(
    rec: &mut TaskRecord,
    wait: &mut Waiting,
    state: VideoState,
    now: Instant,
    unix_now: f64,
) -> Change {
    match state {
        VideoState::Working { status, progress } => {
            wait.finishing_since = None;
            set_working(rec, status, progress)
        }
        VideoState::Finishing => finishing(rec, wait, false, now, unix_now),
        VideoState::DraftNotReady => finishing(rec, wait, true, now, unix_now),
        VideoState::Done(draft) => {
            let phase = TaskPhase::Done {
                generation_ids: draft.gen_id().map(str::to_owned).into_iter().collect(),
                urls: Vec::new(),
            };
            finish(rec, phase, unix_now)
        }
        VideoState::Failed(reason) => finish(rec, TaskPhase::Failed { reason }, unix_now),
        VideoState::Violation(reason) => finish(rec, TaskPhase::Blocked { reason }, unix_now),
    }
}

/// A video that left pending and has no usable draft yet (`listed`: its draft is there but
/// without a media link): still working until [`FINISHING_LIMIT`] has passed since it was
/// first seen so.
fn finishing(
    rec: &mut TaskRecord,
    wait: &mut Waiting,
    listed: bool,
    now: Instant,
    unix_now: f64,
) -> Change {
    let since = *wait.finishing_since.get_or_insert(now);
    if now.duration_since(since) > FINISHING_LIMIT {
        let minutes = FINISHING_LIMIT.as_secs() / 60;
        let reason = if listed {
            format!(
                "the draft still had no media link {minutes} minutes after the task left the queue: check the Drafts pane later"
            )
        } else {
            format!(
                "left the queue but no draft appeared within {minutes} minutes: check the Drafts pane later"
            )
        };
        return finish(rec, TaskPhase::Failed { reason }, unix_now);
    }
    // The generation itself is over (it left the queue); only the draft is awaited.
    set_working(rec, "finishing".into(), 1.0)
}

/// Moves an image record along by what one round showed.
fn apply_image(
    rec: &mut TaskRecord,
    wait: &mut Waiting,
    state: ImageState,
    unix_now: f64,
) -> Change {
    match state {
        ImageState::Working { status, progress } => {
            wait.image_missing = 0;
            set_working(rec, status, progress)
        }
        ImageState::Missing => {
            wait.image_missing += 1;
            if wait.image_missing > IMAGE_MISSING_ROUNDS {
                let reason =
                    "no longer listed among the recent tasks: it may have been dropped; try again"
                        .to_string();
                return finish(rec, TaskPhase::Failed { reason }, unix_now);
            }
            Change::None
        }
        ImageState::Done(generations) if generations.is_empty() => {
            let reason = "finished without any image".to_string();
            finish(rec, TaskPhase::Failed { reason }, unix_now)
        }
        ImageState::Done(generations) => {
            let phase = TaskPhase::Done {
                generation_ids: generations.iter().filter_map(|g| g.id.clone()).collect(),
                urls: generations.iter().filter_map(|g| g.url.clone()).collect(),
            };
            finish(rec, phase, unix_now)
        }
        ImageState::Failed(reason) => finish(rec, TaskPhase::Failed { reason }, unix_now),
    }
}

/// Sets an unfinished state. The stored progress always follows the server, but only a move
/// across a whole percent counts as a change, so near-identical polls stay silent.
fn set_working(rec: &mut TaskRecord, status: String, progress: f64) -> Change {
    let percent = |p: f64| (p * 100.0).round() as i64;
    let change = match &rec.phase {
        TaskPhase::Working {
            status: old,
            progress: old_p,
        } => {
            if *old != status {
                Change::Status
            } else if percent(*old_p) != percent(progress) {
                Change::Progress
            } else {
                Change::None
            }
        }
        _ => Change::Status,
    };
    rec.phase = TaskPhase::Working { status, progress };
    change
}

fn finish(rec: &mut TaskRecord, phase: TaskPhase, unix_now: f64) -> Change {
    rec.phase = phase;
    rec.finished_at = Some(unix_now);
    Change::Status
}

/// The drafts page a round fetched, when it is worth showing (a video just finished).
pub(super) fn finished_drafts_page(round: &Round, applied: &Applied) -> Option<DraftsPage> {
    match &round.drafts {
        Some(Ok(page)) if applied.video_finished => Some(page.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::Generation;
    use crate::api::{ApiError, Draft, TaskInfo};
    use crate::track::TaskKind;

    fn record(id: &str, kind: TaskKind) -> TaskRecord {
        TaskRecord {
            task_id: id.into(),
            kind,
            prompt: "p".into(),
            settings: String::new(),
            submitted_at: 1.0,
            finished_at: None,
            phase: TaskPhase::Working {
                status: "submitted".into(),
                progress: 0.0,
            },
        }
    }

    fn info(id: &str, status: &str, p: Option<f64>) -> TaskInfo {
        TaskInfo {
            id: id.into(),
            status: status.into(),
            progress_pct: p,
            ..TaskInfo::default()
        }
    }

    fn draft(task: &str, url: Option<&str>) -> Draft {
        Draft {
            id: Some(format!("gen_{task}")),
            task_id: Some(task.into()),
            kind: Some("sora_draft".into()),
            downloadable_url: url.map(str::to_owned),
            ..Draft::default()
        }
    }

    fn video_round(book: &TaskBook, pending: Vec<TaskInfo>, drafts: Option<Vec<Draft>>) -> Round {
        Round {
            plan: book.plan().unwrap_or_default(),
            pending: Some(Ok(pending)),
            drafts: drafts.map(|items| {
                Ok(DraftsPage {
                    items,
                    cursor: None,
                })
            }),
            recent: None,
        }
    }

    #[test]
    fn plan_covers_unfinished_tasks_only() {
        let mut done = record("task_d", TaskKind::Video);
        done.phase = TaskPhase::Failed { reason: "x".into() };
        let book = TaskBook::new(vec![
            record("task_v", TaskKind::Video),
            record("task_s", TaskKind::Storyboard),
            record("task_i", TaskKind::Image),
            done,
        ]);
        let plan = book.plan().expect("something to poll");
        assert_eq!(plan.videos, vec!["task_v", "task_s"]);
        assert_eq!(plan.images, vec!["task_i"]);
        assert!(TaskBook::new(Vec::new()).plan().is_none());
    }

    #[test]
    fn video_reports_whole_percent_steps_and_persists_status_changes() {
        let mut book = TaskBook::new(vec![record("task_a", TaskKind::Video)]);
        let now = Instant::now();
        let r = video_round(&book, vec![info("task_a", "running", Some(0.5))], None);
        let a = book.apply(&r, now, 2.0);
        assert_eq!(a.changed.len(), 1);
        assert!(a.persist, "submitted → running is a status change");
        let r = video_round(&book, vec![info("task_a", "running", Some(0.502))], None);
        let a = book.apply(&r, now, 2.0);
        assert!(
            a.changed.is_empty() && !a.persist,
            "under a percent: silent"
        );
        let r = video_round(&book, vec![info("task_a", "running", Some(0.52))], None);
        let a = book.apply(&r, now, 2.0);
        assert_eq!(a.changed.len(), 1);
        assert!(!a.persist, "progress alone is not written");
    }

    #[test]
    fn video_finishes_through_the_drafts() {
        let mut book = TaskBook::new(vec![record("task_a", TaskKind::Video)]);
        let now = Instant::now();
        let r = video_round(&book, vec![], Some(vec![]));
        let a = book.apply(&r, now, 2.0);
        assert!(
            matches!(&a.changed[0].phase, TaskPhase::Working { status, .. } if status == "finishing")
        );
        let r = video_round(
            &book,
            vec![],
            Some(vec![draft("task_a", Some("https://m/x.mp4"))]),
        );
        let a = book.apply(&r, now, 3.0);
        assert!(a.video_finished && a.persist);
        assert_eq!(
            a.changed[0].phase,
            TaskPhase::Done {
                generation_ids: vec!["gen_task_a".into()],
                urls: vec![]
            }
        );
        assert_eq!(a.changed[0].finished_at, Some(3.0));
        assert!(finished_drafts_page(&r, &a).is_some());
        assert!(book.plan().is_none(), "nothing left to poll");
    }

    #[test]
    fn video_failure_violation_and_bounds() {
        let mut book = TaskBook::new(vec![
            record("task_f", TaskKind::Video),
            record("task_v", TaskKind::Video),
            record("task_n", TaskKind::Video),
            record("task_g", TaskKind::Video),
        ]);
        let t0 = Instant::now();
        let mut failed = info("task_f", "failed", None);
        failed.failure_reason = Some("boom".into());
        let blocked = Draft {
            kind: Some("sora_content_violation".into()),
            ..draft("task_v", None)
        };
        let r = video_round(
            &book,
            vec![failed],
            Some(vec![blocked, draft("task_n", None)]),
        );
        book.apply(&r, t0, 1.0);
        let phase = |b: &TaskBook, id: &str| {
            b.records()
                .iter()
                .find(|r| r.task_id == id)
                .map(|r| r.phase.clone())
        };
        assert_eq!(
            phase(&book, "task_f"),
            Some(TaskPhase::Failed {
                reason: "boom".into()
            })
        );
        assert!(matches!(
            phase(&book, "task_v"),
            Some(TaskPhase::Blocked { .. })
        ));
        // task_g has been finishing since t0, task_n has lacked its link since t0: past the
        // limit both fail (a missing link is waited for as long as a missing draft).
        let r = video_round(&book, vec![], Some(vec![draft("task_n", None)]));
        book.apply(&r, t0 + FINISHING_LIMIT + Duration::from_secs(1), 1.0);
        assert!(
            matches!(phase(&book, "task_n"), Some(TaskPhase::Failed { reason }) if reason.contains("media link"))
        );
        assert!(
            matches!(phase(&book, "task_g"), Some(TaskPhase::Failed { reason }) if reason.contains("no draft"))
        );
    }

    // The live service lists a draft about 4 s after its task leaves pending; the limit must
    // be a wide margin over that, so a minute of polls every 2 s (fifteen times the lag) still
    // waits, with and without a listed draft lacking its link.
    #[test]
    fn the_finishing_limit_is_a_wide_margin_over_the_live_draft_lag() {
        let mut book = TaskBook::new(vec![
            record("task_g", TaskKind::Video),
            record("task_n", TaskKind::Video),
        ]);
        let t0 = Instant::now();
        for i in 0..=30 {
            let r = video_round(&book, vec![], Some(vec![draft("task_n", None)]));
            book.apply(&r, t0 + Duration::from_secs(2 * i), 1.0);
        }
        for r in book.records() {
            assert!(
                matches!(&r.phase, TaskPhase::Working { status, .. } if status == "finishing"),
                "{r:?}"
            );
        }
    }

    #[test]
    fn a_failed_read_leaves_tasks_alone_and_late_tasks_are_not_judged() {
        let mut book = TaskBook::new(vec![record("task_a", TaskKind::Video)]);
        let mut r = video_round(&book, vec![], None);
        r.drafts = Some(Err(ApiError::Overloaded));
        assert!(r.error().is_some());
        let a = book.apply(&r, Instant::now(), 1.0);
        assert!(a.changed.is_empty());
        // A task submitted while the round was in flight is not in its plan.
        book.add(record("task_b", TaskKind::Video));
        let a = book.apply(&r, Instant::now(), 1.0);
        assert!(a.changed.is_empty());
    }

    #[test]
    fn images_finish_with_their_variants_or_fail() {
        let mut book = TaskBook::new(vec![
            record("task_i", TaskKind::Image),
            record("task_x", TaskKind::Image),
            record("task_m", TaskKind::Image),
        ]);
        let mut done = info("task_i", "succeeded", Some(1.0));
        done.generations = (1..=2)
            .map(|n| Generation {
                id: Some(format!("gen_{n}")),
                url: Some(format!("https://m/{n}.png")),
                ..Generation::default()
            })
            .collect();
        let mut failed = info("task_x", "failed", None);
        failed.failure_reason = Some("nope".into());
        let round = |book: &TaskBook, list: Vec<TaskInfo>| Round {
            plan: book.plan().unwrap_or_default(),
            pending: None,
            drafts: None,
            recent: Some(Ok(list)),
        };
        let a = book.apply(&round(&book, vec![done, failed]), Instant::now(), 5.0);
        assert_eq!(a.changed.len(), 2);
        assert!(!a.video_finished);
        assert_eq!(
            a.changed[0].phase,
            TaskPhase::Done {
                generation_ids: vec!["gen_1".into(), "gen_2".into()],
                urls: vec!["https://m/1.png".into(), "https://m/2.png".into()]
            }
        );
        assert_eq!(
            a.changed[1].phase,
            TaskPhase::Failed {
                reason: "nope".into()
            }
        );
        for _ in 0..=IMAGE_MISSING_ROUNDS {
            book.apply(&round(&book, vec![]), Instant::now(), 6.0);
        }
        assert!(
            book.plan().is_none(),
            "the missing image task was given up on"
        );
    }

    #[test]
    fn other_instances_tasks_are_tracked_and_their_dismissals_kept() {
        let mut book = TaskBook::new(vec![record("task_a", TaskKind::Video)]);
        // Another instance added task_b and dismissed task_a.
        let diff = book.reloaded(vec![record("task_b", TaskKind::Image)]);
        assert_eq!(diff.removed, vec!["task_a".to_string()]);
        assert_eq!(diff.changed, vec![record("task_b", TaskKind::Image)]);
        let plan = book.plan().expect("task_b is polled here too");
        assert_eq!(plan.images, vec!["task_b"]);
        assert!(plan.videos.is_empty());
        assert!(!book.has_unsaved(), "nothing of this instance's to write");
    }

    #[test]
    fn progress_not_yet_written_survives_a_reload() {
        let mut book = TaskBook::new(vec![record("task_a", TaskKind::Video)]);
        let r = video_round(&book, vec![info("task_a", "running", Some(0.5))], None);
        book.apply(&r, Instant::now(), 2.0);
        assert!(book.has_unsaved());
        // The file still holds the record as submitted, and another instance's new task.
        let diff = book.reloaded(vec![
            record("task_b", TaskKind::Video),
            record("task_a", TaskKind::Video),
        ]);
        assert_eq!(diff.changed, vec![record("task_b", TaskKind::Video)]);
        let a = book.records().iter().find(|r| r.task_id == "task_a");
        assert!(
            matches!(a.map(|r| &r.phase), Some(TaskPhase::Working { status, .. }) if status == "running"),
            "{a:?}"
        );
        assert!(matches!(
            book.unsaved().as_slice(),
            [RecordOp::Update(r)] if r.task_id == "task_a"
        ));
    }

    #[test]
    fn stages_follow_what_the_rounds_showed() {
        let mut book = TaskBook::new(vec![
            record("task_v", TaskKind::Video),
            record("task_i", TaskKind::Image),
        ]);
        assert_eq!(book.stages(), vec![Stage::Fresh, Stage::Unknown]);
        let t0 = Instant::now();
        let mut queued = info("task_v", "queued", None);
        queued.estimated_queue_wait_time = Some(45.0);
        queued.progress_pos_in_queue = Some(3.0);
        book.apply(&video_round(&book, vec![queued.clone()], None), t0, 1.0);
        // Seen queued again later: still queued since t0, with the first estimate.
        queued.estimated_queue_wait_time = Some(30.0);
        book.apply(&video_round(&book, vec![queued], None), t0 + 10 * S, 1.0);
        assert_eq!(
            book.stages()[0],
            Stage::Queued {
                since: t0,
                wait: Some(45 * S),
                position: Some(3.0)
            }
        );
        let at = |book: &mut TaskBook, secs: u32, status: &str, p: Option<f64>| {
            let r = video_round(book, vec![info("task_v", status, p)], None);
            book.apply(&r, t0 + secs * S, 1.0);
        };
        at(&mut book, 50, "running", Some(0.1));
        at(&mut book, 52, "running", Some(0.2));
        at(&mut book, 54, "running", Some(0.2));
        assert_eq!(
            book.stages()[0],
            Stage::Running {
                first: (t0 + 50 * S, 0.1),
                last: (t0 + 52 * S, 0.2)
            },
            "the latest value is dated when first seen"
        );
        at(&mut book, 70, "processing", Some(1.0));
        assert_eq!(book.stages()[0], Stage::Finishing);
        // Gone from pending, no draft yet: still finishing.
        book.apply(&video_round(&book, vec![], Some(vec![])), t0 + 72 * S, 1.0);
        assert_eq!(book.stages()[0], Stage::Finishing);
        let done = video_round(
            &book,
            vec![],
            Some(vec![draft("task_v", Some("https://m/v"))]),
        );
        book.apply(&done, t0 + 74 * S, 1.0);
        assert_eq!(
            book.stages(),
            vec![Stage::Unknown],
            "only the image is left"
        );
    }

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn dismiss_forgets() {
        let mut book = TaskBook::new(vec![record("task_a", TaskKind::Video)]);
        assert!(book.contains("task_a"));
        assert!(book.dismiss("task_a"));
        assert!(!book.dismiss("task_a"));
        assert!(book.records().is_empty());
    }

    fn image_round(book: &TaskBook, recent: Vec<TaskInfo>) -> Round {
        Round {
            plan: book.plan().unwrap_or_default(),
            pending: None,
            drafts: None,
            recent: Some(Ok(recent)),
        }
    }

    fn phase_of(book: &TaskBook, id: &str) -> Option<TaskPhase> {
        book.records()
            .iter()
            .find(|r| r.task_id == id)
            .map(|r| r.phase.clone())
    }

    fn is_working(phase: Option<TaskPhase>) -> bool {
        matches!(phase, Some(TaskPhase::Working { .. }))
    }

    // A lost create's answer is recovered by adopting the first server task the book does
    // not know, so `contains` must say no for a task that is not recorded.
    #[test]
    fn contains_knows_only_recorded_tasks() {
        let book = TaskBook::new(vec![record("task_a", TaskKind::Video)]);
        assert!(book.contains("task_a"));
        assert!(!book.contains("task_b"));
    }

    #[test]
    fn a_new_submission_is_recorded_on_top_queued_for_writing_and_polled() {
        let mut book = TaskBook::new(vec![record("task_a", TaskKind::Video)]);
        book.add(record("task_b", TaskKind::Image));
        assert!(book.contains("task_b"));
        assert_eq!(book.records()[0].task_id, "task_b", "newest first");
        assert_eq!(
            book.unsaved(),
            vec![RecordOp::Put(record("task_b", TaskKind::Image))]
        );
        assert_eq!(book.plan().map(|p| p.images), Some(vec!["task_b".into()]));
    }

    #[test]
    fn a_write_adopts_the_merged_file_and_reports_the_others_changes() {
        let mut book = TaskBook::new(vec![
            record("task_a", TaskKind::Video),
            record("task_c", TaskKind::Video),
        ]);
        let r = video_round(
            &book,
            vec![
                info("task_a", "running", Some(0.5)),
                info("task_c", "running", Some(0.5)),
            ],
            None,
        );
        book.apply(&r, Instant::now(), 2.0);
        assert!(book.has_unsaved());
        let mine = phase_of(&book, "task_a");
        // Meanwhile another instance added task_b and dismissed task_c: the merge wrote
        // this instance's task_a into that.
        let mut merged_a = record("task_a", TaskKind::Video);
        merged_a.phase = mine.clone().expect("task_a is recorded");
        let merged = vec![record("task_b", TaskKind::Image), merged_a];
        let diff = book.written(merged.clone());
        assert_eq!(diff.changed, vec![record("task_b", TaskKind::Image)]);
        assert_eq!(diff.removed, vec!["task_c".to_string()]);
        assert_eq!(book.records(), merged.as_slice());
        assert!(!book.has_unsaved(), "the queue was written");
    }

    // The counters are for the task as this instance saw it: once another instance has
    // dismissed it, a later copy of the task (brought back into the file) is a new wait and
    // must not inherit rounds counted before.
    #[test]
    fn a_task_dismissed_elsewhere_starts_its_wait_afresh_if_it_comes_back() {
        let mut book = TaskBook::new(vec![record("task_i", TaskKind::Image)]);
        for _ in 0..IMAGE_MISSING_ROUNDS {
            book.apply(&image_round(&book, vec![]), Instant::now(), 2.0);
        }
        assert!(
            is_working(phase_of(&book, "task_i")),
            "at the bound, not past it"
        );
        let diff = book.reloaded(vec![]);
        assert_eq!(diff.removed, vec!["task_i".to_string()]);
        book.reloaded(vec![record("task_i", TaskKind::Image)]);
        book.apply(&image_round(&book, vec![]), Instant::now(), 3.0);
        assert!(
            is_working(phase_of(&book, "task_i")),
            "{:?}",
            phase_of(&book, "task_i")
        );
    }

    // The recent tasks are the newest ones only: when the list is full, an older image task
    // may just have been pushed off its end, however many rounds that lasts.
    #[test]
    fn an_image_absent_from_a_full_recent_list_is_not_counted_missing() {
        let mut book = TaskBook::new(vec![record("task_i", TaskKind::Image)]);
        let full: Vec<TaskInfo> = (0..super::super::poll::RECENT_TASKS_LIMIT)
            .map(|n| info(&format!("task_o{n}"), "running", Some(0.1)))
            .collect();
        for _ in 0..IMAGE_MISSING_ROUNDS + 5 {
            let a = book.apply(&image_round(&book, full.clone()), Instant::now(), 2.0);
            assert!(a.changed.is_empty());
        }
        assert!(
            is_working(phase_of(&book, "task_i")),
            "{:?}",
            phase_of(&book, "task_i")
        );
    }

    // The bound is "more than IMAGE_MISSING_ROUNDS rounds in a row": exactly that many still
    // waits, one more gives up.
    #[test]
    fn an_image_missing_is_given_up_on_only_past_the_round_bound() {
        let mut book = TaskBook::new(vec![record("task_i", TaskKind::Image)]);
        for _ in 0..IMAGE_MISSING_ROUNDS {
            book.apply(&image_round(&book, vec![]), Instant::now(), 2.0);
        }
        assert!(
            is_working(phase_of(&book, "task_i")),
            "{:?}",
            phase_of(&book, "task_i")
        );
        let a = book.apply(&image_round(&book, vec![]), Instant::now(), 3.0);
        assert!(a.persist);
        assert!(
            matches!(phase_of(&book, "task_i"), Some(TaskPhase::Failed { reason }) if reason.contains("no longer listed"))
        );
    }

    // Only variants with a link are kept, so a task that succeeded without one has nothing
    // to show: that is a failure to report, not a finished task with no images.
    #[test]
    fn an_image_task_that_succeeded_without_any_image_fails() {
        let mut book = TaskBook::new(vec![
            record("task_e", TaskKind::Image),
            record("task_u", TaskKind::Image),
        ]);
        let mut unlinked = info("task_u", "succeeded", Some(1.0));
        unlinked.generations = vec![Generation {
            id: Some("gen_u".into()),
            url: None,
            ..Generation::default()
        }];
        let list = vec![info("task_e", "succeeded", Some(1.0)), unlinked];
        book.apply(&image_round(&book, list), Instant::now(), 4.0);
        for id in ["task_e", "task_u"] {
            assert_eq!(
                phase_of(&book, id),
                Some(TaskPhase::Failed {
                    reason: "finished without any image".into()
                }),
                "{id}"
            );
        }
    }

    // "Until FINISHING_LIMIT has passed": at exactly the limit the video still waits (as the
    // headless `--wait` does), with or without a listed draft lacking its link.
    #[test]
    fn a_finishing_video_is_given_up_on_only_once_the_limit_has_passed() {
        let mut book = TaskBook::new(vec![
            record("task_g", TaskKind::Video),
            record("task_n", TaskKind::Video),
        ]);
        let t0 = Instant::now();
        let round = |book: &TaskBook| video_round(book, vec![], Some(vec![draft("task_n", None)]));
        book.apply(&round(&book), t0, 1.0);
        book.apply(&round(&book), t0 + FINISHING_LIMIT, 1.0);
        for id in ["task_g", "task_n"] {
            assert!(
                is_working(phase_of(&book, id)),
                "{id}: {:?}",
                phase_of(&book, id)
            );
        }
        book.apply(
            &round(&book),
            t0 + FINISHING_LIMIT + Duration::from_millis(1),
            1.0,
        );
        for id in ["task_g", "task_n"] {
            assert!(
                matches!(phase_of(&book, id), Some(TaskPhase::Failed { .. })),
                "{id}: {:?}",
                phase_of(&book, id)
            );
        }
        // The reason names the limit the user waited, in minutes, and what to do next.
        let reason = |id| match phase_of(&book, id) {
            Some(TaskPhase::Failed { reason }) => reason,
            other => panic!("{id}: {other:?}"),
        };
        assert_eq!(
            reason("task_g"),
            "left the queue but no draft appeared within 3 minutes: check the Drafts pane later"
        );
        assert_eq!(
            reason("task_n"),
            "the draft still had no media link 3 minutes after the task left the queue: check the Drafts pane later"
        );
    }

    // The Drafts pane is refreshed from a round's page only when a watched video's draft
    // appeared in it; the page handed on is the one fetched, not an empty stand-in that would
    // blank the pane.
    #[test]
    fn the_rounds_drafts_page_is_handed_on_only_when_a_video_finished() {
        let mut book = TaskBook::new(vec![record("task_a", TaskKind::Video)]);
        let now = Instant::now();
        let other = draft("task_o", Some("https://m/o.mp4"));
        // A page was fetched, but task_a's draft is not on it yet.
        let r = video_round(&book, vec![], Some(vec![other.clone()]));
        let a = book.apply(&r, now, 2.0);
        assert!(!a.video_finished);
        assert_eq!(finished_drafts_page(&r, &a), None);
        // Now it is: the very page of the round comes back, every draft and the cursor.
        let mut r = video_round(
            &book,
            vec![],
            Some(vec![other, draft("task_a", Some("https://m/a.mp4"))]),
        );
        if let Some(Ok(page)) = &mut r.drafts {
            page.cursor = Some("next".into());
        }
        let a = book.apply(&r, now, 3.0);
        assert!(a.video_finished);
        let page = finished_drafts_page(&r, &a).expect("a video finished");
        let ids: Vec<_> = page.items.iter().map(|d| d.id.as_deref()).collect();
        assert_eq!(ids, vec![Some("gen_task_o"), Some("gen_task_a")]);
        assert_eq!(page.cursor.as_deref(), Some("next"));
        // No page, or a failed read, has nothing to hand on whatever finished.
        let finished = Applied {
            video_finished: true,
            ..Applied::default()
        };
        r.drafts = None;
        assert_eq!(finished_drafts_page(&r, &finished), None);
        r.drafts = Some(Err(ApiError::Overloaded));
        assert_eq!(finished_drafts_page(&r, &finished), None);
    }
}
