//! The simulated account: uploads, tasks, drafts, posts, cameos and characters, and the rules
//! that tie them together (concurrency limit, quota, publishing, username uniqueness).
//!
//! Time comes in as a `tokio::time::Instant` (so tests may pause the clock); lifecycles are read
//! from `state` at elapsed time × speed.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use tokio::time::Instant;

use super::account::{Account, TokenKind};
use super::errors::ApiError;
use super::state::{
    CameoStage, ImagePlan, ImageStage, NOURL_READS, VideoOutcome, VideoPlan, VideoStage,
    cameo_stage, prompt_flags,
};
use super::{CameoOutcome, SimConfig, cursor, ids};

mod demo;
pub use demo::CAMEO_USERNAME as DEMO_CAMEO_USERNAME;

/// At most this many video generations may be unfinished at once.
pub const MAX_IN_PROGRESS: usize = 3;
/// Usernames that are always taken.
pub const RESERVED_USERNAMES: [&str; 4] = ["sam", "openai", "sora", "demo"];
/// When the daily quota resets, after start (wall seconds, not scaled).
const QUOTA_WINDOW_SECS: f64 = 24.0 * 3600.0;

/// Video orientation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Orientation {
    /// Wide.
    Landscape,
    /// Tall.
    Portrait,
    /// As wide as tall (named in observation notes of the web app; no client sends it yet).
    Square,
}

impl Orientation {
    /// Parses the wire value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "landscape" => Some(Orientation::Landscape),
            "portrait" => Some(Orientation::Portrait),
            "square" => Some(Orientation::Square),
            _ => None,
        }
    }

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Orientation::Landscape => "landscape",
            Orientation::Portrait => "portrait",
            Orientation::Square => "square",
        }
    }
}

/// Video resolution class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// Standard.
    Small,
    /// HD (Pro only).
    Large,
}

impl Size {
    /// Parses the wire value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "small" => Some(Size::Small),
            "large" => Some(Size::Large),
            _ => None,
        }
    }
}

/// Pixel size of a video by orientation and size (a square video is the short side squared).
pub fn video_dimensions(orientation: Orientation, size: Size) -> (u32, u32) {
    let (long, short) = match size {
        Size::Small => (1280, 720),
        Size::Large => (1792, 1024),
    };
    match orientation {
        Orientation::Landscape => (long, short),
        Orientation::Portrait => (short, long),
        Orientation::Square => (short, short),
    }
}

/// A validated video request.
#[derive(Clone, Debug)]
pub struct VideoSpec {
    /// Prompt (storyboard text for storyboards).
    pub prompt: String,
    /// Title sent with the request, if any.
    pub title: Option<String>,
    /// Orientation.
    pub orientation: Orientation,
    /// Length in frames at 30 fps.
    pub n_frames: u32,
    /// `sy_8`, `sy_8_20251208` or `sy_ore`.
    pub model: String,
    /// Size (`None` for a remix that did not say).
    pub size: Option<Size>,
    /// Post remixed, if any.
    pub remix_target_id: Option<String>,
    /// Style preset asked for, if any.
    pub style_id: Option<String>,
    /// The validated `inpaint_items` (uploads, files, generations, references), as sent.
    pub inpaint_items: Vec<Value>,
    /// The draft this extends (`gen_…`), for a `long_video_extension` (src/sim/extend.rs).
    pub extension_of: Option<String>,
}

/// A video generation.
#[derive(Clone, Debug)]
pub struct VideoTask {
    /// `task_…`.
    pub id: String,
    /// What was asked.
    pub spec: VideoSpec,
    /// When it was created.
    pub created: Instant,
    /// Its timeline.
    pub plan: VideoPlan,
    drafted: bool,
}

/// A finished video in the drafts list.
#[derive(Clone, Debug)]
pub struct Draft {
    /// Position in the list: higher is newer.
    pub seq: u64,
    /// `gen_…`, also the generation id.
    pub id: String,
    /// The task that made it.
    pub task_id: String,
    /// Prompt.
    pub prompt: String,
    /// Title.
    pub title: String,
    /// Orientation.
    pub orientation: Orientation,
    /// Size.
    pub size: Size,
    /// Length in frames.
    pub n_frames: u32,
    /// Post remixed, if any.
    pub remix_target_id: Option<String>,
    /// Style preset, if any.
    pub style_id: Option<String>,
    /// The `inpaint_items` it was made with.
    pub inpaint_items: Vec<Value>,
    /// The draft it extends (`gen_…`), if it is an extension.
    pub extension_of: Option<String>,
    /// When it appeared, unix seconds.
    pub created_at: f64,
    /// Normal, violation or late URLs.
    pub outcome: VideoOutcome,
    /// How many drafts listings have shown it.
    pub reads: u32,
    /// The live post made from it, if any.
    pub post_id: Option<String>,
}

impl Draft {
    /// Whether its URLs are shown (never for violations; `#nourl` after a few reads).
    pub fn has_urls(&self) -> bool {
        match self.outcome {
            VideoOutcome::Succeed | VideoOutcome::Fail => true,
            VideoOutcome::Violation | VideoOutcome::NoMedia => false,
            VideoOutcome::NoUrl => self.reads > NOURL_READS,
        }
    }

    /// Whether it is a content violation.
    pub fn is_violation(&self) -> bool {
        self.outcome == VideoOutcome::Violation
    }
}

/// A validated image request.
#[derive(Clone, Debug)]
pub struct ImageSpec {
    /// Prompt.
    pub prompt: String,
    /// `simple_compose` or `remix`.
    pub operation: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// How many images.
    pub n_variants: u32,
    /// Uploaded source images.
    pub upload_ids: Vec<String>,
}

/// An image generation.
#[derive(Clone, Debug)]
pub struct ImageTask {
    /// `task_…`.
    pub id: String,
    /// What was asked.
    pub spec: ImageSpec,
    /// When it was created.
    pub created: Instant,
    /// Creation time, unix seconds.
    pub created_at: f64,
    /// Its timeline.
    pub plan: ImagePlan,
    /// Ids of the images it produces.
    pub generation_ids: Vec<String>,
}

/// A published post.
#[derive(Clone, Debug)]
pub struct Post {
    /// `s_…`.
    pub id: String,
    /// The draft it publishes.
    pub generation_id: String,
    /// Caption.
    pub text: String,
    /// Unix seconds.
    pub posted_at: f64,
    deleted: bool,
}

/// An uploaded cameo video and its processing.
#[derive(Clone, Debug)]
pub struct Cameo {
    /// `cameo_…`.
    pub id: String,
    /// 1 for the first cameo, used in hints.
    pub number: u32,
    /// Upload time.
    pub created: Instant,
    /// What its processing does.
    pub outcome: CameoOutcome,
    /// The character made from it, once finalized.
    pub character_id: Option<String>,
    /// `private` or `public`.
    pub visibility: String,
}

/// A finalized cameo, usable as `@username`.
#[derive(Clone, Debug)]
pub struct Character {
    /// `ch_…`.
    pub id: String,
    /// The cameo it came from.
    pub cameo_id: String,
    /// Unique username.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// The profile picture pointer.
    pub profile_asset_pointer: String,
    deleted: bool,
}

/// What finalizing a cameo needs.
#[derive(Clone, Debug)]
pub struct FinalizeRequest {
    /// Cameo to finalize.
    pub cameo_id: String,
    /// Wanted username (format already checked).
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Pointer from `/project_y/file/upload`.
    pub profile_asset_pointer: String,
}

/// Everything the account holds.
#[derive(Debug)]
pub struct World {
    speed: f64,
    /// Who the account is: plan, quota at start, username, token kind, Sora 2 access.
    pub account: Account,
    /// Whether the account is on the Pro plan.
    pub pro_plan: bool,
    /// `user-…`.
    pub user_id: String,
    epoch: Instant,
    epoch_wall: f64,
    uploads: HashSet<String>,
    /// Uploaded files: `file_…` id → `sediment://file_…` pointer.
    files: HashMap<String, String>,
    profile_files: HashSet<String>,
    images: Vec<ImageTask>,
    videos: Vec<VideoTask>,
    drafts: Vec<Draft>,
    next_seq: u64,
    posts: HashMap<String, Post>,
    cameos: HashMap<String, Cameo>,
    characters: HashMap<String, Character>,
    taken: HashSet<String>,
    videos_remaining: u32,
    /// When the quota window ends, when a test set it (`POST /_sim/quota`); `None`: the
    /// day-long window counted from the start.
    quota_resets_at: Option<Instant>,
    /// The most video tasks ever in progress at once, for tests of the concurrency limit
    /// (`GET /_sim/stats`).
    max_in_progress: usize,
    /// What cameos uploaded from now on do.
    pub cameo_outcome: CameoOutcome,
    rng: fastrand::Rng,
}

impl World {
    /// The primary account, fresh; `now`/`now_wall` anchor simulated time to the wall clock.
    pub fn new(config: &SimConfig, now: Instant, now_wall: f64) -> Self {
        let mut world = Self::for_account(
            config,
            Account::primary(config),
            config.seed_drafts,
            now,
            now_wall,
        );
        if config.seed_mixed {
            world.mix_seeded(now);
        }
        if config.seed_demo {
            world.seed_demo(now);
        }
        world
    }

    /// A fresh `account` with `seed_drafts` drafts already made, at the config's speed.
    pub fn for_account(
        config: &SimConfig,
        account: Account,
        seed_drafts: usize,
        now: Instant,
        now_wall: f64,
    ) -> Self {
        let mut world = World {
            speed: config.speed,
            pro_plan: account.plan == super::account::Plan::Pro,
            videos_remaining: account.videos,
            quota_resets_at: None,
            max_in_progress: 0,
            account,
            user_id: ids::user_id(),
            epoch: now,
            epoch_wall: now_wall,
            uploads: HashSet::new(),
            files: HashMap::new(),
            profile_files: HashSet::new(),
            images: Vec::new(),
            videos: Vec::new(),
            drafts: Vec::new(),
            next_seq: 0,
            posts: HashMap::new(),
            cameos: HashMap::new(),
            characters: HashMap::new(),
            taken: RESERVED_USERNAMES.iter().map(|s| s.to_string()).collect(),
            cameo_outcome: CameoOutcome::Complete,
            rng: fastrand::Rng::new(),
        };
        world.seed_drafts(seed_drafts);
        world
    }

    /// Whether a post's `encodings.source.path` is the clean file for this account's token
    /// (only a mobile-app token gets it; a web token gets the watermarked file there).
    pub fn serves_clean_source(&self) -> bool {
        self.account.kind == TokenKind::Mobile
    }

    fn seed_drafts(&mut self, count: usize) {
        const PROMPTS: [&str; 12] = [
            "A red fox trotting through fresh snow at dawn, breath visible in the cold air",
            "Timelapse of a city skyline as storm clouds roll in and the lights flicker on",
            "A paper boat drifting down a rain-filled gutter, macro lens, shallow depth of field",
            "An astronaut planting a sunflower on a dusty red plain, cinematic wide shot",
            "Close-up of a barista pouring latte art in slow motion",
            "A corgi surfing a small wave at sunset, handheld camera",
            "Hot air balloons rising over a misty valley, drone shot",
            "A lighthouse keeper climbing spiral stairs by lantern light",
            "Koi fish circling in a pond as cherry blossom petals land on the water",
            "A vintage train crossing a stone viaduct in autumn",
            "Neon-lit ramen stall on a rainy night, steam rising from the bowls",
            "A hummingbird hovering at a feeder, 240 fps slow motion",
        ];
        const FRAMES: [u32; 5] = [300, 450, 300, 150, 600];
        for i in 0..count {
            let age = (count - i) as f64 * 2100.0 + self.rng.f64() * 600.0;
            let prompt = PROMPTS[i % PROMPTS.len()].to_string();
            let orientation = if i % 3 == 2 {
                Orientation::Portrait
            } else {
                Orientation::Landscape
            };
            let seq = self.take_seq();
            self.drafts.push(Draft {
                seq,
                id: ids::generation_id(),
                task_id: ids::task_id(),
                title: derive_title(&prompt),
                prompt,
                orientation,
                size: Size::Small,
                n_frames: FRAMES[i % FRAMES.len()],
                remix_target_id: None,
                style_id: None,
                inpaint_items: Vec::new(),
                extension_of: None,
                created_at: round3(self.epoch_wall - age),
                outcome: VideoOutcome::Succeed,
                reads: 0,
                post_id: None,
            });
        }
    }

    /// Turns the seeded drafts into a varied account (see [`SimConfig::seed_mixed`]): every
    /// tenth a content violation, every seventeenth without media, every fifth of the rest
    /// published, and one finished image generation (one or two images) per ten drafts.
    fn mix_seeded(&mut self, now: Instant) {
        let count = self.drafts.len();
        for i in 0..count {
            if i % 10 == 4 {
                self.drafts[i].outcome = VideoOutcome::Violation;
            } else if i % 17 == 8 {
                self.drafts[i].outcome = VideoOutcome::NoMedia;
            } else if i % 5 == 1 {
                let draft = &self.drafts[i];
                let post = Post {
                    id: ids::post_id(),
                    generation_id: draft.id.clone(),
                    text: format!("posted: {}", draft.title),
                    posted_at: round3(draft.created_at + 60.0),
                    deleted: false,
                };
                self.drafts[i].post_id = Some(post.id.clone());
                self.posts.insert(post.id.clone(), post);
            }
        }
        let images = count / 10;
        for i in 0..images {
            let age = (images - i) as f64 * 3600.0;
            let created = now
                .checked_sub(std::time::Duration::from_secs_f64(age))
                .unwrap_or(now);
            let prompt = format!("A seeded still life, number {i}");
            let mut plan = ImagePlan::new(&prompt, 0.5);
            if created == now {
                // The clock cannot go that far back: finished from the start all the same.
                plan.queued = -1.0;
                plan.running = f64::MIN_POSITIVE;
            }
            let variants = 1 + (i % 2) as u32;
            self.images.push(ImageTask {
                id: ids::task_id(),
                spec: ImageSpec {
                    prompt,
                    operation: "simple_compose".into(),
                    width: 360,
                    height: 360,
                    n_variants: variants,
                    upload_ids: Vec::new(),
                },
                created,
                created_at: round3(self.epoch_wall - age),
                plan,
                generation_ids: (0..variants).map(|_| ids::generation_id()).collect(),
            });
        }
    }

    /// The live posts of the account, newest first by their draft, as `profile_feed/me`
    /// pages them: at most `limit` after the draft sequence number `after`.
    pub fn list_posts(&self, limit: usize, after: Option<u64>) -> (Vec<Post>, Option<u64>) {
        let posted: Vec<(u64, &Post)> = self
            .drafts
            .iter()
            .rev()
            .filter_map(|d| {
                let post = self.live_post(d.post_id.as_deref()?)?;
                Some((d.seq, post))
            })
            .collect();
        let seqs: Vec<u64> = posted.iter().map(|(s, _)| *s).collect();
        let (range, next) = cursor::page(&seqs, limit, after);
        (
            posted[range].iter().map(|(_, p)| (*p).clone()).collect(),
            next,
        )
    }

    fn take_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Simulated seconds between `since` and `now`.
    pub fn sim_secs(&self, since: Instant, now: Instant) -> f64 {
        now.saturating_duration_since(since).as_secs_f64() * self.speed
    }

    /// Unix seconds at `at`.
    pub fn wall(&self, at: Instant) -> f64 {
        round3(self.epoch_wall + at.saturating_duration_since(self.epoch).as_secs_f64())
    }

    /// Moves video tasks whose draft is due into the drafts list, in the order they became due.
    pub fn advance(&mut self, now: Instant) {
        let mut due: Vec<(Instant, usize)> = Vec::new();
        for (i, task) in self.videos.iter().enumerate() {
            if task.drafted {
                continue;
            }
            if let Some(at) = task.plan.draft_at()
                && self.sim_secs(task.created, now) >= at
            {
                let offset = std::time::Duration::from_secs_f64(at / self.speed);
                due.push((task.created + offset, i));
            }
        }
        due.sort_by_key(|(at, _)| *at);
        for (at, i) in due {
            let created_at = self.wall(at);
            let seq = self.take_seq();
            let task = &mut self.videos[i];
            task.drafted = true;
            let spec = &task.spec;
            self.drafts.push(Draft {
                seq,
                id: ids::generation_id(),
                task_id: task.id.clone(),
                prompt: spec.prompt.clone(),
                title: spec
                    .title
                    .clone()
                    .unwrap_or_else(|| derive_title(&spec.prompt)),
                orientation: spec.orientation,
                size: spec.size.unwrap_or(Size::Small),
                n_frames: spec.n_frames,
                remix_target_id: spec.remix_target_id.clone(),
                style_id: spec.style_id.clone(),
                inpaint_items: spec.inpaint_items.clone(),
                extension_of: spec.extension_of.clone(),
                created_at,
                outcome: task.plan.outcome,
                reads: 0,
                post_id: None,
            });
        }
    }

    // ---- uploads --------------------------------------------------------------------------

    /// Remembers an uploaded image and returns its id.
    pub fn add_upload(&mut self) -> String {
        let id = ids::media_id();
        self.uploads.insert(id.clone());
        id
    }

    /// Whether `id` is an uploaded image.
    pub fn has_upload(&self, id: &str) -> bool {
        self.uploads.contains(id)
    }

    /// Remembers a file from `/project_y/file/upload` and returns its id and pointer; any
    /// uploaded file's pointer may serve as a profile picture.
    pub fn add_file(&mut self) -> (String, String) {
        let id = ids::file_id();
        let pointer = ids::file_pointer(&id);
        self.files.insert(id.clone(), pointer.clone());
        self.profile_files.insert(pointer.clone());
        (id, pointer)
    }

    /// Whether `id` is a `file_…` id from `/project_y/file/upload`.
    pub fn has_file(&self, id: &str) -> bool {
        self.files.contains_key(id)
    }

    // ---- videos -----------------------------------------------------------------------------

    /// Video tasks counting against the concurrency limit.
    pub fn in_progress(&self, now: Instant) -> usize {
        self.videos
            .iter()
            .filter(|t| t.plan.stage(self.sim_secs(t.created, now)).is_unfinished())
            .count()
    }

    /// Videos the quota still allows.
    pub fn videos_remaining(&self) -> u32 {
        self.videos_remaining
    }

    /// Seconds until the quota resets (at least 1: a window a test set that has passed
    /// without a reset still says "soon", as the live service never answers 0).
    pub fn quota_resets_in(&self, now: Instant) -> u64 {
        if let Some(at) = self.quota_resets_at {
            return at
                .saturating_duration_since(now)
                .as_secs_f64()
                .ceil()
                .max(1.0) as u64;
        }
        let elapsed = now.saturating_duration_since(self.epoch).as_secs_f64();
        (QUOTA_WINDOW_SECS - elapsed % QUOTA_WINDOW_SECS).ceil() as u64
    }

    /// Sets the quota for tests: `remaining` videos left, the window ending `resets_in`
    /// from `now`; `reset` refills the account's whole allowance and goes back to the
    /// day-long window, as the live quota does when its window ends.
    pub fn set_quota(
        &mut self,
        remaining: Option<u32>,
        resets_in: Option<std::time::Duration>,
        reset: bool,
        now: Instant,
    ) {
        if reset {
            self.videos_remaining = self.account.videos;
            self.quota_resets_at = None;
        }
        if let Some(n) = remaining {
            self.videos_remaining = n;
        }
        if let Some(d) = resets_in {
            self.quota_resets_at = Some(now + d);
        }
    }

    /// The most video tasks that were ever in progress at once.
    pub fn max_in_progress(&self) -> usize {
        self.max_in_progress
    }

    /// Starts a video generation (limits checked here; the spec is already validated).
    pub fn create_video(&mut self, spec: VideoSpec, now: Instant) -> Result<String, ApiError> {
        if let Some(target) = &spec.remix_target_id
            && self.live_post(target).is_none()
        {
            return Err(
                ApiError::not_found(format!("Post {target} not found.")).param("remix_target_id")
            );
        }
        if self.in_progress(now) >= MAX_IN_PROGRESS {
            return Err(ApiError::too_many_in_progress(MAX_IN_PROGRESS));
        }
        if self.videos_remaining == 0 {
            let mut e =
                ApiError::rate_limited(self.quota_resets_in(now)).code("rate_limit_reached");
            e.message =
                "You've reached your video generation limit for today. Try again after it resets."
                    .into();
            return Err(e);
        }
        let plan = VideoPlan::new(
            spec.n_frames,
            spec.model == "sy_ore",
            spec.size == Some(Size::Large),
            prompt_flags(&spec.prompt),
            super::state::VideoJitter::random(&mut self.rng),
        )
        .at_speed(self.speed);
        let id = ids::task_id();
        self.videos.push(VideoTask {
            id: id.clone(),
            spec,
            created: now,
            plan,
            drafted: false,
        });
        self.videos_remaining -= 1;
        self.max_in_progress = self.max_in_progress.max(self.in_progress(now));
        Ok(id)
    }

    /// Tasks currently listed in pending, newest first, with their stage.
    pub fn pending(&self, now: Instant) -> Vec<(&VideoTask, VideoStage)> {
        self.videos
            .iter()
            .rev()
            .map(|t| (t, t.plan.stage(self.sim_secs(t.created, now))))
            .filter(|(_, stage)| matches!(stage, VideoStage::Pending { .. }))
            .collect()
    }

    /// One page of drafts, newest first, and the cursor of the next page. Each listed draft
    /// counts a read (for `#nourl`).
    pub fn list_drafts(&mut self, limit: usize, after: Option<u64>) -> (Vec<Draft>, Option<u64>) {
        let seqs: Vec<u64> = self.drafts.iter().rev().map(|d| d.seq).collect();
        let (range, next) = cursor::page(&seqs, limit, after);
        let len = self.drafts.len();
        let page = range
            .map(|i| {
                let draft = &mut self.drafts[len - 1 - i];
                draft.reads = draft.reads.saturating_add(1);
                draft.clone()
            })
            .collect();
        (page, next)
    }

    /// The draft with generation id `id`.
    pub fn draft(&self, id: &str) -> Option<&Draft> {
        self.drafts.iter().find(|d| d.id == id)
    }

    /// The draft with generation id `id`, read on its own (counts a read, for `#nourl`).
    pub fn read_draft(&mut self, id: &str) -> Option<Draft> {
        let draft = self.drafts.iter_mut().find(|d| d.id == id)?;
        draft.reads = draft.reads.saturating_add(1);
        Some(draft.clone())
    }

    /// How many video tasks remixed post `post_id`.
    pub fn remix_count(&self, post_id: &str) -> usize {
        self.videos
            .iter()
            .filter(|t| t.spec.remix_target_id.as_deref() == Some(post_id))
            .count()
    }

    // ---- images -----------------------------------------------------------------------------

    /// Starts an image generation.
    pub fn create_image(&mut self, spec: ImageSpec, now: Instant) -> String {
        let plan = ImagePlan::new(&spec.prompt, self.rng.f64());
        let id = ids::task_id();
        let generation_ids = (0..spec.n_variants).map(|_| ids::generation_id()).collect();
        self.images.push(ImageTask {
            id: id.clone(),
            spec,
            created: now,
            created_at: self.wall(now),
            plan,
            generation_ids,
        });
        id
    }

    /// The newest `limit` image tasks with their stage; with `before`, only those older than
    /// that task (none when it is unknown: nothing is known to be older).
    pub fn recent_images(
        &self,
        limit: usize,
        before: Option<&str>,
        now: Instant,
    ) -> Vec<(&ImageTask, ImageStage)> {
        let end = match before {
            None => self.images.len(),
            Some(id) => self.images.iter().position(|t| t.id == id).unwrap_or(0),
        };
        self.images[..end]
            .iter()
            .rev()
            .take(limit)
            .map(|t| (t, t.plan.stage(self.sim_secs(t.created, now))))
            .collect()
    }

    // ---- posts ------------------------------------------------------------------------------

    /// Publishes a draft.
    pub fn publish(
        &mut self,
        generation_id: &str,
        text: &str,
        now: Instant,
    ) -> Result<Post, ApiError> {
        let posted_at = self.wall(now);
        let draft = self
            .drafts
            .iter_mut()
            .find(|d| d.id == generation_id)
            .ok_or_else(|| {
                ApiError::not_found(format!("Generation {generation_id} not found."))
                    .param("generation_id")
            })?;
        if draft.is_violation() {
            return Err(ApiError::bad_request(
                "This generation can't be published because it may violate our content policies.",
            )
            .param("generation_id")
            .code("content_policy_violation"));
        }
        let post = Post {
            id: ids::post_id(),
            generation_id: generation_id.to_string(),
            text: text.to_string(),
            posted_at,
            deleted: false,
        };
        draft.post_id = Some(post.id.clone());
        self.posts.insert(post.id.clone(), post.clone());
        Ok(post)
    }

    /// A post that exists and is not deleted.
    pub fn live_post(&self, id: &str) -> Option<&Post> {
        self.posts.get(id).filter(|p| !p.deleted)
    }

    /// Deletes a post; the draft forgets it (or falls back to another live post of it).
    pub fn delete_post(&mut self, id: &str) -> Result<(), ApiError> {
        let post = self
            .posts
            .get_mut(id)
            .filter(|p| !p.deleted)
            .ok_or_else(|| ApiError::not_found(format!("Post {id} not found.")))?;
        post.deleted = true;
        let generation_id = post.generation_id.clone();
        let fallback = self
            .posts
            .values()
            .filter(|p| !p.deleted && p.generation_id == generation_id)
            .max_by(|a, b| a.posted_at.total_cmp(&b.posted_at))
            .map(|p| p.id.clone());
        if let Some(draft) = self.drafts.iter_mut().find(|d| d.id == generation_id)
            && draft.post_id.as_deref() == Some(id)
        {
            draft.post_id = fallback;
        }
        Ok(())
    }

    // ---- cameos -----------------------------------------------------------------------------

    /// Registers an uploaded cameo video; it follows the current cameo outcome.
    pub fn create_cameo(&mut self, now: Instant) -> String {
        let id = ids::cameo_id();
        let number = self.cameos.len() as u32 + 1;
        self.cameos.insert(
            id.clone(),
            Cameo {
                id: id.clone(),
                number,
                created: now,
                outcome: self.cameo_outcome,
                character_id: None,
                visibility: "private".into(),
            },
        );
        id
    }

    /// A cameo whose character (if any) is not deleted.
    pub fn cameo(&self, id: &str) -> Option<&Cameo> {
        self.cameos.get(id).filter(|c| {
            c.character_id
                .as_ref()
                .is_none_or(|ch| self.character(ch).is_some())
        })
    }

    /// The processing stage of a cameo.
    pub fn cameo_stage(&self, cameo: &Cameo, now: Instant) -> CameoStage {
        cameo_stage(cameo.outcome, self.sim_secs(cameo.created, now))
    }

    /// A character that is not deleted.
    pub fn character(&self, id: &str) -> Option<&Character> {
        self.characters.get(id).filter(|c| !c.deleted)
    }

    /// Whether `username` is reserved or was ever finalized.
    pub fn is_username_taken(&self, username: &str) -> bool {
        self.taken.contains(&username.to_ascii_lowercase())
    }

    /// The usernames of the cameos ever finalized here (lowercase, deleted ones too: their
    /// names stay taken), for the username checks of the other accounts.
    pub fn finalized_usernames(&self) -> impl Iterator<Item = String> + '_ {
        self.characters.values().map(|c| c.username.clone())
    }

    /// Turns a completed cameo into a character.
    pub fn finalize(&mut self, req: FinalizeRequest, now: Instant) -> Result<Character, ApiError> {
        let cameo = self
            .cameo(&req.cameo_id)
            .ok_or_else(|| ApiError::not_found("Cameo not found.").param("cameo_id"))?;
        if cameo.character_id.is_some() {
            return Err(
                ApiError::bad_request("This cameo has already been finalized.")
                    .param("cameo_id")
                    .code("cameo_already_finalized"),
            );
        }
        match self.cameo_stage(cameo, now) {
            CameoStage::Completed => {}
            CameoStage::Processing(_) => {
                return Err(ApiError::bad_request("This cameo is still processing.")
                    .param("cameo_id")
                    .code("cameo_not_ready"));
            }
            CameoStage::Failed(_) => {
                return Err(ApiError::bad_request(
                    "This cameo failed processing and can't be finalized.",
                )
                .param("cameo_id")
                .code("cameo_failed"));
            }
        }
        if self.is_username_taken(&req.username) {
            return Err(ApiError::bad_request("That username is already taken.")
                .param("username")
                .code("username_taken"));
        }
        if !self.profile_files.contains(&req.profile_asset_pointer) {
            return Err(ApiError::bad_request(
                "Unknown profile_asset_pointer: upload the picture with /project_y/file/upload first.",
            )
            .param("profile_asset_pointer"));
        }
        let character = Character {
            id: ids::character_id(),
            cameo_id: req.cameo_id.clone(),
            username: req.username.to_ascii_lowercase(),
            display_name: req.display_name,
            profile_asset_pointer: req.profile_asset_pointer,
            deleted: false,
        };
        self.taken.insert(character.username.clone());
        self.characters
            .insert(character.id.clone(), character.clone());
        if let Some(c) = self.cameos.get_mut(&req.cameo_id) {
            c.character_id = Some(character.id.clone());
        }
        Ok(character)
    }

    /// Sets a finalized cameo's visibility.
    pub fn set_visibility(
        &mut self,
        cameo_id: &str,
        visibility: &str,
    ) -> Result<(Cameo, Character), ApiError> {
        let cameo = self
            .cameo(cameo_id)
            .ok_or_else(|| ApiError::not_found("Cameo not found."))?;
        let character = cameo
            .character_id
            .as_deref()
            .and_then(|id| self.character(id))
            .cloned()
            .ok_or_else(|| {
                ApiError::bad_request("Finalize this cameo before changing its visibility.")
                    .code("cameo_not_finalized")
            })?;
        let cameo = self
            .cameos
            .get_mut(cameo_id)
            .ok_or_else(|| ApiError::not_found("Cameo not found."))?;
        cameo.visibility = visibility.to_string();
        Ok((cameo.clone(), character))
    }

    /// Deletes a character (its username stays taken).
    pub fn delete_character(&mut self, id: &str) -> Result<(), ApiError> {
        let character = self
            .characters
            .get_mut(id)
            .filter(|c| !c.deleted)
            .ok_or_else(|| ApiError::not_found("Character not found."))?;
        character.deleted = true;
        Ok(())
    }
}

/// A short title from a prompt: its first few words (for storyboards, the instructions).
pub fn derive_title(prompt: &str) -> String {
    let storyboard = prompt.starts_with("current timeline:") || prompt.starts_with("Shot 1:");
    let source = prompt
        .split_once("\ninstructions:\n")
        .map(|(_, i)| i)
        .filter(|i| !i.trim().is_empty())
        .unwrap_or(if storyboard { "Storyboard" } else { prompt });
    let words: Vec<&str> = source
        .split_whitespace()
        .filter(|w| !w.starts_with('#'))
        .take(6)
        .collect();
    let title = words.join(" ");
    let title = title.trim_end_matches([',', '.', ';', ':']);
    let mut chars = title.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Untitled".to_string(),
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn world(speed: f64, seed: usize) -> (World, Instant) {
        let now = Instant::now();
        let config = SimConfig {
            speed,
            seed_drafts: seed,
            ..SimConfig::default()
        };
        (World::new(&config, now, 1_700_000_000.0), now)
    }

    fn spec(prompt: &str) -> VideoSpec {
        VideoSpec {
            prompt: prompt.into(),
            title: None,
            orientation: Orientation::Portrait,
            n_frames: 300,
            model: "sy_8".into(),
            size: Some(Size::Small),
            remix_target_id: None,
            style_id: None,
            inpaint_items: vec![],
            extension_of: None,
        }
    }

    #[test]
    fn seeded_drafts_are_in_the_past_newest_first() {
        let (mut w, _) = world(1.0, 20);
        let (page, next) = w.list_drafts(15, None);
        assert_eq!(page.len(), 15);
        assert!(next.is_some());
        assert!(page.windows(2).all(|p| p[0].created_at > p[1].created_at));
        assert!(page.iter().all(|d| d.created_at < 1_700_000_000.0));
        let (rest, next) = w.list_drafts(15, next);
        assert_eq!((rest.len(), next), (5, None));
    }

    #[test]
    fn a_video_becomes_the_newest_draft_after_its_lag() {
        let (mut w, t0) = world(1.0, 3);
        let id = w.create_video(spec("a cat"), t0).expect("created");
        let plan = w.videos[0].plan.clone();
        assert_eq!(w.pending(t0).len(), 1);
        let just_left = t0 + Duration::from_secs_f64(plan.total + 0.01);
        w.advance(just_left);
        assert!(w.pending(just_left).is_empty());
        assert_eq!(w.list_drafts(15, None).0.len(), 3, "lag: not yet a draft");
        let later = t0 + Duration::from_secs_f64(plan.total + plan.lag + 0.01);
        w.advance(later);
        let (page, _) = w.list_drafts(15, None);
        assert_eq!(page.len(), 4);
        assert_eq!(page[0].task_id, id);
        assert_eq!(page[0].orientation, Orientation::Portrait);
        assert_eq!(w.videos_remaining(), crate::sim::account::PAID_VIDEOS - 1);
    }

    #[test]
    fn the_fourth_concurrent_video_is_refused() {
        let (mut w, t0) = world(1.0, 0);
        for _ in 0..3 {
            w.create_video(spec("x"), t0).expect("within limit");
        }
        let err = w.create_video(spec("x"), t0).expect_err("limit");
        assert_eq!(err.status.as_u16(), 429);
        // Once they are done, there is room again.
        w.create_video(spec("x"), t0 + Duration::from_secs(300))
            .expect("room again");
    }

    #[test]
    fn failed_tasks_never_make_drafts() {
        let (mut w, t0) = world(1.0, 0);
        w.create_video(spec("#fail"), t0).expect("created");
        let end = t0 + Duration::from_secs(300);
        w.advance(end);
        assert!(w.pending(end).is_empty());
        assert!(w.list_drafts(15, None).0.is_empty());
    }

    #[test]
    fn nourl_drafts_get_urls_after_three_reads() {
        let (mut w, t0) = world(1.0, 0);
        w.create_video(spec("#nourl"), t0).expect("created");
        w.advance(t0 + Duration::from_secs(300));
        for _ in 0..3 {
            assert!(!w.list_drafts(15, None).0[0].has_urls());
        }
        assert!(w.list_drafts(15, None).0[0].has_urls());
    }

    #[test]
    fn publish_and_delete_track_the_drafts_post_id() {
        let (mut w, t0) = world(1.0, 1);
        let gen_id = w.list_drafts(1, None).0[0].id.clone();
        let post = w.publish(&gen_id, "", t0).expect("published");
        assert_eq!(
            w.draft(&gen_id).and_then(|d| d.post_id.clone()),
            Some(post.id.clone())
        );
        assert!(w.live_post(&post.id).is_some());
        w.delete_post(&post.id).expect("deleted");
        assert!(w.live_post(&post.id).is_none());
        assert_eq!(w.draft(&gen_id).and_then(|d| d.post_id.clone()), None);
        assert_eq!(
            w.delete_post(&post.id).expect_err("gone").status.as_u16(),
            404
        );
        assert_eq!(
            w.publish("gen_nope", "", t0)
                .expect_err("unknown")
                .status
                .as_u16(),
            404
        );
    }

    #[test]
    fn remix_needs_a_live_post() {
        let (mut w, t0) = world(1.0, 1);
        let mut s = spec("remix it");
        s.remix_target_id = Some(ids::post_id());
        assert_eq!(
            w.create_video(s.clone(), t0)
                .expect_err("unknown")
                .status
                .as_u16(),
            404
        );
        let gen_id = w.list_drafts(1, None).0[0].id.clone();
        let post = w.publish(&gen_id, "", t0).expect("published");
        s.remix_target_id = Some(post.id);
        w.create_video(s, t0).expect("remix accepted");
    }

    #[test]
    fn finalize_checks_readiness_pointer_and_uniqueness() {
        let (mut w, t0) = world(1.0, 0);
        let cameo = w.create_cameo(t0);
        let (_, pointer) = w.add_file();
        let req = |username: &str| FinalizeRequest {
            cameo_id: cameo.clone(),
            username: username.into(),
            display_name: "Me".into(),
            profile_asset_pointer: pointer.clone(),
        };
        let early = w.finalize(req("me.one"), t0).expect_err("processing");
        assert_eq!(early.code, Some("cameo_not_ready"));
        let done = t0 + Duration::from_secs(11);
        let taken = w.finalize(req("Sora"), done).expect_err("taken");
        assert_eq!(
            (taken.code, taken.param.as_deref()),
            (Some("username_taken"), Some("username"))
        );
        let ch = w.finalize(req("me.one"), done).expect("finalized");
        assert!(w.is_username_taken("me.one"));
        let (c, _) = w.set_visibility(&cameo, "public").expect("visible");
        assert_eq!(c.visibility, "public");
        w.delete_character(&ch.id).expect("deleted");
        assert!(w.is_username_taken("me.one"));
        assert!(w.cameo(&cameo).is_none());
        assert_eq!(
            w.delete_character(&ch.id)
                .expect_err("gone")
                .status
                .as_u16(),
            404
        );
    }

    #[test]
    fn titles_come_from_prompts() {
        assert_eq!(
            derive_title("a cat skydives from a plane over the sea"),
            "A cat skydives from a plane"
        );
        assert_eq!(
            derive_title(
                "current timeline:\nShot 1:\nduration: 5.0sec\nScene: x\n\ninstructions:\nA cat's adventure"
            ),
            "A cat's adventure"
        );
        assert_eq!(
            derive_title("current timeline:\nShot 1:\nduration: 5.0sec\nScene: x"),
            "Storyboard"
        );
        assert_eq!(
            derive_title("Shot 1:\nduration: 5.0sec\nScene: x"),
            "Storyboard"
        );
        assert_eq!(derive_title("#fail"), "Untitled");
    }

    #[test]
    fn dimensions_follow_orientation_and_size() {
        assert_eq!(
            video_dimensions(Orientation::Landscape, Size::Small),
            (1280, 720)
        );
        assert_eq!(
            video_dimensions(Orientation::Portrait, Size::Large),
            (1024, 1792)
        );
    }
}
