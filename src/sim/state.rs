//! Pure lifecycles: what a video task, an image task or a cameo looks like `t` simulated seconds
//! after it was created. Nothing here reads a clock; the world passes elapsed time × speed.

use super::CameoOutcome;

/// Prompt keyword: the video completes but its draft is a content violation.
pub const KEYWORD_VIOLATION: &str = "#violation";
/// Prompt keyword: the task fails (pending shows `failed`, then it vanishes; no draft).
pub const KEYWORD_FAIL: &str = "#fail";
/// Prompt keyword: the draft has no URLs for its first [`NOURL_READS`] drafts reads.
pub const KEYWORD_NOURL: &str = "#nourl";
/// Prompt keyword: the task is missing from pending for a short window while running.
pub const KEYWORD_FLICKER: &str = "#flicker";

/// How many drafts listings show a `#nourl` draft without its URLs.
pub const NOURL_READS: u32 = 3;
/// How long (simulated seconds) a failed video stays visible in pending before vanishing.
pub const FAILED_VISIBLE_SECS: f64 = 6.0;
/// …but at least this many real seconds, so fast test runs polling every few dozen
/// milliseconds still see the `failed` status.
pub const FAILED_VISIBLE_MIN_REAL_SECS: f64 = 0.5;
/// The reason shown on failed tasks.
pub const FAILURE_REASON: &str = "Generation failed";

/// How a video task ends, chosen by keywords in its prompt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VideoOutcome {
    /// A normal draft with URLs.
    Succeed,
    /// A `sora_content_violation` draft without URLs.
    Violation,
    /// Fails in pending; no draft.
    Fail,
    /// A draft whose URLs show up only after a few reads.
    NoUrl,
    /// A draft listed without media for good (a render the service lost): what an archive
    /// records as "no media" ([`super::SimConfig::seed_mixed`] makes some).
    NoMedia,
}

/// The failure branches a prompt asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PromptFlags {
    /// How the task ends.
    pub outcome: VideoOutcome,
    /// Whether the task briefly disappears from pending while running.
    pub flicker: bool,
}

/// Reads the keywords (case-insensitive). `#fail` wins over `#violation`, which wins over `#nourl`.
pub fn prompt_flags(prompt: &str) -> PromptFlags {
    let p = prompt.to_lowercase();
    let outcome = if p.contains(KEYWORD_FAIL) {
        VideoOutcome::Fail
    } else if p.contains(KEYWORD_VIOLATION) {
        VideoOutcome::Violation
    } else if p.contains(KEYWORD_NOURL) {
        VideoOutcome::NoUrl
    } else {
        VideoOutcome::Succeed
    };
    PromptFlags {
        outcome,
        flicker: p.contains(KEYWORD_FLICKER),
    }
}

/// How long one phase of a video task lasts at speed 1: `typical` simulated seconds, give or
/// take `jitter`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Span {
    /// The phase's length in the task observed on the live service.
    pub typical: f64,
    /// How far one task's phase may be from it, either way.
    pub jitter: f64,
}

impl Span {
    /// The length for a draw `u` in 0..1: 0 the shortest, 0.5 typical, 1 the longest.
    pub fn pick(self, u: f64) -> f64 {
        self.typical + self.jitter * (2.0 * u.clamp(0.0, 1.0) - 1.0)
    }
}

// The phases of a 10 s video (300 frames) at speed 1 follow one task observed on the live
// service: `preprocessing` at t+1 s, about 45 s `queued`, `running` until `processing` with
// progress 1.0 at t+≈2:40, gone from pending at t+≈2:45, its draft listed at t+≈2:49. Each
// phase gets a few seconds of jitter, bounded so that a 10 s video always takes 2.5-3 minutes
// from creation to draft (the live queue surely varies more with load; no one measured how).

/// `preprocessing` (progress null), from creation.
pub const PREPROCESSING: Span = Span {
    typical: 2.0,
    jitter: 0.5,
};
/// `queued` (progress null); the same for every length.
pub const QUEUED: Span = Span {
    typical: 45.0,
    jitter: 4.0,
};
/// `running` of a 10 s video (progress 0.0 → 1.0); see [`render_factor`] for other lengths.
pub const RUNNING: Span = Span {
    typical: 113.0,
    jitter: 4.0,
};
/// `processing` of a 10 s video (progress 1.0); see [`render_factor`] for other lengths.
pub const PROCESSING: Span = Span {
    typical: 5.0,
    jitter: 1.0,
};
/// From leaving pending to the draft being listed.
pub const DRAFT_LAG: Span = Span {
    typical: 4.0,
    jitter: 1.0,
};
/// How much longer the Pro model (`sy_ore`) renders.
pub const PRO_MODEL_FACTOR: f64 = 1.5;
/// How much longer the HD size (`large`) renders.
pub const LARGE_SIZE_FACTOR: f64 = 1.25;

/// How much longer than a 10 s video the rendering phases (`running`, `processing`) of a video
/// of `n_frames` take: a fixed part and a part proportional to the length, so 0.7 for 5 s,
/// 1.3 for 15 s, 1.6 for 20 s and 1.9 for 25 s. Only the 10 s timeline was observed live; this
/// scaling is an assumption ("longer videos take somewhat longer").
pub fn render_factor(n_frames: u32) -> f64 {
    0.4 + 0.6 * f64::from(n_frames) / 300.0
}

/// The random draws, each in 0..1, that place one video's phases within their [`Span`]s.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VideoJitter {
    /// For [`PREPROCESSING`].
    pub preprocessing: f64,
    /// For [`QUEUED`].
    pub queued: f64,
    /// For [`RUNNING`].
    pub running: f64,
    /// For [`PROCESSING`].
    pub processing: f64,
    /// For [`DRAFT_LAG`].
    pub lag: f64,
}

impl VideoJitter {
    /// Every phase at the same point of its span: 0 all shortest, 0.5 typical, 1 all longest.
    #[cfg(test)]
    pub fn uniform(u: f64) -> Self {
        VideoJitter {
            preprocessing: u,
            queued: u,
            running: u,
            processing: u,
            lag: u,
        }
    }

    /// Independent draws for each phase.
    pub fn random(rng: &mut fastrand::Rng) -> Self {
        VideoJitter {
            preprocessing: rng.f64(),
            queued: rng.f64(),
            running: rng.f64(),
            processing: rng.f64(),
            lag: rng.f64(),
        }
    }
}

// `#flicker` hides the task while its progress is in this range.
const FLICKER_FROM: f64 = 0.35;
const FLICKER_TO: f64 = 0.60;

/// The fixed timeline of one video task, decided when it is created.
#[derive(Clone, Debug, PartialEq)]
pub struct VideoPlan {
    /// Simulated seconds until `preprocessing` turns `queued`.
    pub queued_at: f64,
    /// Simulated seconds until `queued` turns `running`.
    pub running_at: f64,
    /// Simulated seconds until `running` turns `processing`.
    pub processing_at: f64,
    /// Simulated seconds until the task leaves pending.
    pub total: f64,
    /// Simulated seconds between leaving pending and the draft appearing.
    pub lag: f64,
    /// How it ends.
    pub outcome: VideoOutcome,
    /// Whether it flickers out of pending while running.
    pub flicker: bool,
    /// Simulated seconds a failed task stays listed as `failed`.
    pub failed_visible: f64,
}

/// Pending-list status strings of a video task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VideoStatus {
    /// Just created (progress null).
    Preprocessing,
    /// Waiting for capacity (progress null).
    Queued,
    /// Rendering (progress 0.0 → 1.0).
    Running,
    /// Post-processing (progress 1.0).
    Processing,
    /// Failed (`failure_reason` set).
    Failed,
}

impl VideoStatus {
    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            VideoStatus::Preprocessing => "preprocessing",
            VideoStatus::Queued => "queued",
            VideoStatus::Running => "running",
            VideoStatus::Processing => "processing",
            VideoStatus::Failed => "failed",
        }
    }
}

/// Where a video task is at some moment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum VideoStage {
    /// Listed in pending.
    Pending {
        /// Status string.
        status: VideoStatus,
        /// `progress_pct` (null outside running/processing).
        progress: Option<f64>,
    },
    /// Still running but missing from pending (`#flicker`).
    Hidden,
    /// Left pending; the draft appears at [`VideoPlan::draft_at`].
    Finished,
    /// Failed and gone from pending; no draft will come.
    Vanished,
}

impl VideoStage {
    /// Whether it counts against the concurrent-generation limit.
    pub fn is_unfinished(&self) -> bool {
        match self {
            VideoStage::Pending { status, .. } => *status != VideoStatus::Failed,
            VideoStage::Hidden => true,
            VideoStage::Finished | VideoStage::Vanished => false,
        }
    }
}

impl VideoPlan {
    /// A plan for a video of `n_frames` at speed 1, each phase placed within its [`Span`] by
    /// `jitter`: the observed live timeline for 10 s, rendering stretched by
    /// [`render_factor`] for other lengths and by [`PRO_MODEL_FACTOR`] / [`LARGE_SIZE_FACTOR`]
    /// for the Pro model and the HD size. See [`VideoPlan::at_speed`].
    pub fn new(
        n_frames: u32,
        pro_model: bool,
        large: bool,
        flags: PromptFlags,
        jitter: VideoJitter,
    ) -> Self {
        let mut render = render_factor(n_frames);
        if pro_model {
            render *= PRO_MODEL_FACTOR;
        }
        if large {
            render *= LARGE_SIZE_FACTOR;
        }
        let queued_at = PREPROCESSING.pick(jitter.preprocessing);
        let running_at = queued_at + QUEUED.pick(jitter.queued);
        let processing_at = running_at + RUNNING.pick(jitter.running) * render;
        let total = processing_at + PROCESSING.pick(jitter.processing) * render;
        VideoPlan {
            queued_at,
            running_at,
            processing_at,
            total,
            lag: DRAFT_LAG.pick(jitter.lag),
            outcome: flags.outcome,
            flicker: flags.flicker,
            failed_visible: FAILED_VISIBLE_SECS,
        }
    }

    /// Adjusts the plan to a time multiplier: a failure stays visible for at least
    /// [`FAILED_VISIBLE_MIN_REAL_SECS`] of real time.
    pub fn at_speed(mut self, speed: f64) -> Self {
        self.failed_visible = self
            .failed_visible
            .max(FAILED_VISIBLE_MIN_REAL_SECS * speed);
        self
    }

    fn running_span(&self) -> (f64, f64) {
        (self.running_at, self.processing_at)
    }

    fn progress_at(&self, t: f64) -> f64 {
        let (start, end) = self.running_span();
        let p = ((t - start) / (end - start)).clamp(0.0, 1.0);
        (p * 100.0).round() / 100.0
    }

    /// When a `#fail` task fails: halfway through running.
    pub fn fail_at(&self) -> f64 {
        let (start, end) = self.running_span();
        start + (end - start) / 2.0
    }

    /// When the draft appears (`None` for a failing task).
    pub fn draft_at(&self) -> Option<f64> {
        (self.outcome != VideoOutcome::Fail).then_some(self.total + self.lag)
    }

    /// The stage `t` simulated seconds after creation.
    pub fn stage(&self, t: f64) -> VideoStage {
        if self.outcome == VideoOutcome::Fail && t >= self.fail_at() {
            return if t < self.fail_at() + self.failed_visible {
                VideoStage::Pending {
                    status: VideoStatus::Failed,
                    progress: Some(self.progress_at(self.fail_at())),
                }
            } else {
                VideoStage::Vanished
            };
        }
        let (running_start, running_end) = self.running_span();
        let (status, progress) = if t < self.queued_at {
            (VideoStatus::Preprocessing, None)
        } else if t < running_start {
            (VideoStatus::Queued, None)
        } else if t < running_end {
            let p = self.progress_at(t);
            if self.flicker && (FLICKER_FROM..FLICKER_TO).contains(&p) {
                return VideoStage::Hidden;
            }
            (VideoStatus::Running, Some(p))
        } else if t < self.total {
            (VideoStatus::Processing, Some(1.0))
        } else {
            return VideoStage::Finished;
        };
        VideoStage::Pending { status, progress }
    }
}

/// The fixed timeline of one image task.
#[derive(Clone, Debug, PartialEq)]
pub struct ImagePlan {
    /// Simulated seconds queued.
    pub queued: f64,
    /// Simulated seconds running.
    pub running: f64,
    /// Whether it fails (`#fail`) halfway through running.
    pub fail: bool,
}

/// Where an image task is at some moment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ImageStage {
    /// `queued`, progress null.
    Queued,
    /// `running` with progress 0.0 → 1.0.
    Running(f64),
    /// `succeeded`: generations are listed.
    Succeeded,
    /// `failed` with a failure reason.
    Failed,
}

impl ImageStage {
    /// The wire status string.
    pub fn as_str(self) -> &'static str {
        match self {
            ImageStage::Queued => "queued",
            ImageStage::Running(_) => "running",
            ImageStage::Succeeded => "succeeded",
            ImageStage::Failed => "failed",
        }
    }
}

impl ImagePlan {
    /// About 3 s queued and 8 s running at speed 1; `jitter` in 0..1.
    pub fn new(prompt: &str, jitter: f64) -> Self {
        let scale = 0.9 + 0.2 * jitter.clamp(0.0, 1.0);
        ImagePlan {
            queued: 3.0 * scale,
            running: 8.0 * scale,
            fail: prompt.to_lowercase().contains(KEYWORD_FAIL),
        }
    }

    /// The stage `t` simulated seconds after creation.
    pub fn stage(&self, t: f64) -> ImageStage {
        let progress = ((t - self.queued) / self.running).clamp(0.0, 1.0);
        if t < self.queued {
            ImageStage::Queued
        } else if self.fail && progress >= 0.5 {
            ImageStage::Failed
        } else if progress < 1.0 {
            ImageStage::Running((progress * 100.0).round() / 100.0)
        } else {
            ImageStage::Succeeded
        }
    }
}

/// Where an uploaded cameo's processing is at some moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CameoStage {
    /// `status: "processing"` with this `status_message`.
    Processing(&'static str),
    /// `status_message: "Completed"`, hints available.
    Completed,
    /// `status: "failed"` with this reason.
    Failed(&'static str),
}

/// Processing messages and the simulated second each starts at.
const CAMEO_STEPS: [(f64, &str); 5] = [
    (0.0, "Uploading"),
    (2.0, "Analyzing video"),
    (4.0, "Extracting likeness"),
    (6.5, "Generating profile picture"),
    (8.5, "Finalizing"),
];
/// When a completing cameo is done.
pub const CAMEO_COMPLETE_AT: f64 = 10.0;
/// When a failing cameo fails.
pub const CAMEO_FAIL_AT: f64 = 4.5;
/// The reason a failing cameo gives.
pub const CAMEO_FAILURE: &str =
    "We couldn't find a single clear face in this video. Try a well-lit clip of just you.";

/// The stage of a cameo `t` simulated seconds after upload.
pub fn cameo_stage(outcome: CameoOutcome, t: f64) -> CameoStage {
    match outcome {
        CameoOutcome::Complete if t >= CAMEO_COMPLETE_AT => CameoStage::Completed,
        CameoOutcome::Fail if t >= CAMEO_FAIL_AT => CameoStage::Failed(CAMEO_FAILURE),
        _ => {
            let message = CAMEO_STEPS
                .iter()
                .rev()
                .find(|(start, _)| t >= *start)
                .map_or(CAMEO_STEPS[0].1, |(_, m)| *m);
            CameoStage::Processing(message)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(prompt: &str, n_frames: u32) -> VideoPlan {
        VideoPlan::new(
            n_frames,
            false,
            false,
            prompt_flags(prompt),
            VideoJitter::uniform(0.5),
        )
    }

    fn status(stage: VideoStage) -> Option<(&'static str, Option<f64>)> {
        match stage {
            VideoStage::Pending { status, progress } => Some((status.as_str(), progress)),
            _ => None,
        }
    }

    #[test]
    fn keywords_are_case_insensitive_with_a_precedence() {
        assert_eq!(prompt_flags("a cat").outcome, VideoOutcome::Succeed);
        assert_eq!(
            prompt_flags("a cat #VIOLATION").outcome,
            VideoOutcome::Violation
        );
        assert_eq!(
            prompt_flags("#nourl #violation").outcome,
            VideoOutcome::Violation
        );
        assert_eq!(prompt_flags("#Fail #violation").outcome, VideoOutcome::Fail);
        assert_eq!(prompt_flags("#nourl").outcome, VideoOutcome::NoUrl);
        assert!(prompt_flags("#Flicker").flicker);
        assert!(!prompt_flags("flicker").flicker);
    }

    #[test]
    fn a_ten_second_video_walks_the_documented_statuses() {
        let p = plan("a cat", 300);
        assert_eq!(
            (p.queued_at, p.running_at, p.processing_at, p.total, p.lag),
            (2.0, 47.0, 160.0, 165.0, 4.0)
        );
        assert_eq!(status(p.stage(0.0)), Some(("preprocessing", None)));
        assert_eq!(status(p.stage(1.0)), Some(("preprocessing", None)));
        assert_eq!(status(p.stage(2.0)), Some(("queued", None)));
        assert_eq!(status(p.stage(46.9)), Some(("queued", None)));
        assert_eq!(status(p.stage(47.0)), Some(("running", Some(0.0))));
        assert_eq!(status(p.stage(103.5)), Some(("running", Some(0.5))));
        assert_eq!(status(p.stage(158.9)), Some(("running", Some(0.99))));
        assert_eq!(status(p.stage(160.0)), Some(("processing", Some(1.0))));
        assert_eq!(p.stage(165.0), VideoStage::Finished);
        assert_eq!(p.draft_at(), Some(169.0));
        assert!(p.stage(164.9).is_unfinished());
        assert!(!p.stage(165.0).is_unfinished());
    }

    /// The phases one plan goes through, sampled every 50 ms of simulated time: each status
    /// (or "gone" once it left pending) with the moment it began.
    fn phases(p: &VideoPlan) -> Vec<(&'static str, f64)> {
        let mut seen: Vec<(&'static str, f64)> = Vec::new();
        for step in 0..20_000 {
            let t = f64::from(step) * 0.05;
            let name = match p.stage(t) {
                VideoStage::Pending { status, .. } => status.as_str(),
                VideoStage::Finished => "gone",
                VideoStage::Hidden => "hidden",
                VideoStage::Vanished => "vanished",
            };
            if seen.last().is_none_or(|(last, _)| *last != name) {
                seen.push((name, t));
            }
            if matches!(name, "gone" | "vanished") {
                break;
            }
        }
        seen
    }

    // The ranges below are the live observation of one 10 s task (preprocessing at t+1 s,
    // ≈45 s queued, processing at t+≈2:40, gone at t+≈2:45, draft at t+≈2:49, the browser
    // polling every 2-3 s), written out rather than taken from the constants, so a timeline
    // that drifts from the live one fails here.
    #[test]
    fn at_speed_one_a_ten_second_video_follows_the_live_timeline() {
        let mut rng = fastrand::Rng::with_seed(11);
        let mut jitters = vec![
            VideoJitter::uniform(0.0),
            VideoJitter::uniform(0.5),
            VideoJitter::uniform(1.0),
        ];
        jitters.extend((0..300).map(|_| VideoJitter::random(&mut rng)));
        let mut totals = Vec::new();
        for jitter in jitters {
            let p = VideoPlan::new(300, false, false, prompt_flags("a cat"), jitter);
            let seen = phases(&p);
            let names: Vec<&str> = seen.iter().map(|(n, _)| *n).collect();
            assert_eq!(
                names,
                ["preprocessing", "queued", "running", "processing", "gone"],
                "{jitter:?}"
            );
            let [_, queued, running, processing, gone] = [0, 1, 2, 3, 4].map(|i| seen[i].1);
            let draft = p.draft_at().expect("a draft comes");
            let check = |what: &str, value: f64, range: std::ops::RangeInclusive<f64>| {
                assert!(
                    range.contains(&value),
                    "{what}: {value:.1} s is outside {range:?} ({jitter:?})"
                );
            };
            check(
                "still preprocessing after 1 s, queued by",
                queued,
                1.05..=3.0,
            );
            check("time queued", running - queued, 35.0..=55.0);
            check("time running", processing - running, 100.0..=130.0);
            check("processing from", processing, 150.0..=170.0);
            check(
                "time processing (seen by a 2-3 s poll)",
                gone - processing,
                3.0..=10.0,
            );
            check("gone from pending at", gone, 155.0..=175.0);
            check("draft after leaving pending", draft - gone, 2.0..=8.0);
            check("create to draft", draft, 150.0..=180.0);
            totals.push(draft);
        }
        // The jitter really varies the timeline, by seconds rather than by nothing.
        let spread = totals.iter().cloned().fold(f64::MIN, f64::max)
            - totals.iter().cloned().fold(f64::MAX, f64::min);
        assert!(spread >= 10.0, "total times spread over only {spread:.1} s");
    }

    #[test]
    fn progress_never_decreases() {
        let p = plan("a cat", 450);
        let mut last = 0.0;
        for step in 0..4000 {
            if let Some((_, Some(progress))) = status(p.stage(step as f64 * 0.1)) {
                assert!(progress >= last && progress <= 1.0);
                last = progress;
            }
        }
        assert_eq!(last, 1.0);
    }

    #[test]
    fn longer_videos_take_somewhat_longer() {
        let draft = |n_frames, pro, large| {
            VideoPlan::new(
                n_frames,
                pro,
                large,
                prompt_flags("x"),
                VideoJitter::uniform(0.5),
            )
        };
        let lengths: Vec<VideoPlan> = [150, 300, 450, 600, 750]
            .into_iter()
            .map(|n| draft(n, false, false))
            .collect();
        assert!(lengths.windows(2).all(|w| w[0].total < w[1].total));
        // The queue does not care about the length; only rendering does.
        assert!(lengths.iter().all(|p| p.running_at == 47.0));
        assert!((lengths[2].total - 200.4).abs() < 1e-9, "15 s");
        assert!((lengths[4].total - 271.2).abs() < 1e-9, "25 s");
        let pro = draft(300, true, false);
        let hd = draft(300, true, true);
        assert!(lengths[1].total < pro.total && pro.total < hd.total);
        // The slowest combination still ends within a quarter of an hour, well inside the
        // client's 30-minute `--wait` (see docs/api.md, "Time limits").
        let slowest = VideoPlan::new(
            750,
            true,
            true,
            prompt_flags("x"),
            VideoJitter::uniform(1.0),
        );
        let end = slowest.draft_at().unwrap();
        assert!((400.0..600.0).contains(&end), "{end}");
    }

    #[test]
    fn a_failing_video_shows_failed_then_vanishes() {
        let p = plan("#fail", 300);
        let fail_at = p.fail_at();
        assert_eq!(status(p.stage(fail_at - 0.1)).map(|s| s.0), Some("running"));
        assert_eq!(status(p.stage(fail_at)), Some(("failed", Some(0.5))));
        assert!(!p.stage(fail_at).is_unfinished());
        assert_eq!(p.stage(fail_at + FAILED_VISIBLE_SECS), VideoStage::Vanished);
        assert_eq!(p.stage(1000.0), VideoStage::Vanished);
        assert_eq!(p.draft_at(), None);
        // At test speed the failure stays up for half a real second (50 simulated seconds).
        let fast = plan("#fail", 300).at_speed(100.0);
        assert_eq!(
            status(fast.stage(fail_at + 49.0)).map(|s| s.0),
            Some("failed")
        );
        assert_eq!(fast.stage(fail_at + 50.0), VideoStage::Vanished);
        assert_eq!(
            plan("#fail", 300).at_speed(1.0).failed_visible,
            FAILED_VISIBLE_SECS
        );
    }

    #[test]
    fn a_flickering_video_hides_mid_run_and_comes_back() {
        let p = plan("#flicker", 300);
        assert_eq!(status(p.stage(69.6)).map(|s| s.0), Some("running"));
        assert_eq!(p.stage(103.5), VideoStage::Hidden);
        assert!(p.stage(103.5).is_unfinished());
        assert_eq!(status(p.stage(126.1)).map(|s| s.0), Some("running"));
        assert_eq!(p.stage(165.0), VideoStage::Finished);
    }

    #[test]
    fn image_tasks_queue_run_and_succeed_or_fail() {
        let p = ImagePlan::new("a bowl of fruit", 0.5);
        assert_eq!(p.stage(0.0), ImageStage::Queued);
        assert_eq!(p.stage(3.0), ImageStage::Running(0.0));
        assert_eq!(p.stage(7.0), ImageStage::Running(0.5));
        assert_eq!(p.stage(11.0), ImageStage::Succeeded);
        let f = ImagePlan::new("a bowl #FAIL", 0.5);
        assert_eq!(f.stage(5.0), ImageStage::Running(0.25));
        assert_eq!(f.stage(7.0), ImageStage::Failed);
        assert_eq!(f.stage(100.0).as_str(), "failed");
    }

    #[test]
    fn cameo_outcomes_follow_their_timelines() {
        use CameoOutcome::*;
        assert_eq!(
            cameo_stage(Complete, 0.0),
            CameoStage::Processing("Uploading")
        );
        assert_eq!(
            cameo_stage(Complete, 5.0),
            CameoStage::Processing("Extracting likeness")
        );
        assert_eq!(
            cameo_stage(Complete, 9.9),
            CameoStage::Processing("Finalizing")
        );
        assert_eq!(cameo_stage(Complete, 10.0), CameoStage::Completed);
        assert_eq!(
            cameo_stage(Fail, 3.0),
            CameoStage::Processing("Analyzing video")
        );
        assert_eq!(cameo_stage(Fail, 4.5), CameoStage::Failed(CAMEO_FAILURE));
        assert_eq!(
            cameo_stage(Stuck, 1e6),
            CameoStage::Processing("Finalizing")
        );
    }
}
