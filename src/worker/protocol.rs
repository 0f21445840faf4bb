//! The messages between the UI task and the worker. The UI sends [`Request`]s on a bounded
//! channel (never awaiting: `try_send`), the worker answers with [`Event`]s on an unbounded one.

use std::path::PathBuf;

use crate::api::{ApiError, Draft, DraftsPage, ImageShape, Me, Post, Quota, VideoSettings};
use crate::track::TaskRecord;

/// What the UI asks the worker to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Read `/me` and `/nf/check` (at start and on demand); answered by `Account`/`Quota`.
    LoadAccount,
    /// Submit a generation: upload the image if any, create, record the task in the data dir,
    /// then answer `Submitted` (or `SubmitFailed`). Tracking starts at once.
    Submit(Submission),
    /// A Drafts pane request (the list, downloads and clean copies, publishing).
    Drafts(DraftsRequest),
    /// Save the prompt editor and settings (autosave); written atomically.
    SavePrompt(PromptSnapshot),
    /// Remove a finished task from the list and the record.
    DismissTask {
        /// `task_…`.
        task_id: String,
    },
    /// A Storyboard pane request (files, autosave).
    Storyboard(super::StoryboardRequest),
    /// A Cameos pane request (create, finalize, visibility, delete).
    Cameo(super::CameoRequest),
    /// A request about the local queue (hold, reorder, remove, take back, pause, resume).
    Queue(QueueRequest),
    /// Pictures to fetch and decode for the screen (thumbnails, image variants, cameos).
    Pictures(super::PictureRequest),
    /// A request about the local history (facts to record, a download to hash).
    History(super::HistoryRequest),
    /// Stop: finish writes and exit.
    Shutdown,
    /// Enhance the Prompt pane's text (`/editor/enhance_prompt`); answered by `Enhanced`.
    Enhance(super::EnhanceRequest),
    /// Extend a draft (`long_video_extension`): answered and tracked like a submission.
    Extend(super::ExtendRequest),
    /// Choose the account's username: `username/check`, then `username/set`; answered by
    /// one `Event::Username`.
    SetUsername {
        /// The name typed.
        username: String,
    },
}

/// What the Drafts pane asks the worker to do: the list, downloads and clean copies,
/// publishing. Grouped so the loop routes them in one arm (`Request::Drafts`) to one handler
/// (`worker::actions::DraftJobs::handle`), and a new request is a variant here and its job.
#[derive(Debug, Clone, PartialEq)]
pub enum DraftsRequest {
    /// Load a page of drafts: `None` is the first page (a refresh), `Some` continues.
    LoadDrafts {
        /// The cursor of the page to load.
        cursor: Option<String>,
    },
    /// Stream a media file to `dest` (via `dest.part`), reporting progress.
    Download {
        /// Which draft, to route progress events.
        gen_id: String,
        /// The media URL.
        url: String,
        /// Final file path.
        dest: PathBuf,
    },
    /// Download a draft's file into `dir`, named from its generation id (sanitised by the
    /// worker), resuming a `.part`, re-reading the draft for a fresh URL on 403/404, and
    /// writing a sidecar `NAME.json`. Answered like `Download`.
    SaveDraft {
        /// The draft as listed (its prompt, ids and size go into the sidecar).
        draft: Box<Draft>,
        /// The download folder.
        dir: PathBuf,
    },
    /// Download the draft without the watermark: publish it (unless it already is), read the
    /// post's source file, then delete the post it published, also when the download fails.
    /// Answered like `Download`, with `DownloadStage` events on the way.
    SaveClean {
        /// The draft as listed.
        draft: Box<Draft>,
        /// The download folder.
        dir: PathBuf,
    },
    /// Publish a draft.
    Publish {
        /// `gen_…`.
        gen_id: String,
    },
    /// Delete a post.
    Unpublish {
        /// `s_…`.
        post_id: String,
        /// The draft it belongs to, to update the list.
        gen_id: String,
    },
    /// Archive the whole account into `dir` (`crate::archive::run`, as `sora-tui archive`
    /// does), answered by `ArchiveProgress` events and one `ArchiveFinished` or
    /// `ArchiveFailed`; a second one while one runs is answered `ArchiveFailed`.
    Archive {
        /// The archive folder.
        dir: PathBuf,
    },
}

/// What the UI (and `sora-tui batch`) asks of the local queue: the submissions this program
/// holds while the service's concurrency limit or the quota says no, and sends itself when a
/// slot frees (see `docs/api.md`). Every change is written to `queue.json` before it is
/// answered with [`QueueEvent::Changed`].
#[derive(Debug, Clone, PartialEq)]
pub enum QueueRequest {
    /// Hold these submissions at the end of the queue even if a slot is free (the explicit
    /// "queue this", a batch file's jobs). Their `local_id`s are echoed in
    /// [`QueueEvent::Held`].
    Add {
        /// What to submit, in order.
        jobs: Vec<Submission>,
        /// Where they came from, shown beside each item (`grid.batch.toml`), if not typed.
        origin: Option<String>,
    },
    /// Move an item that is still waiting `by` places (negative: towards the front).
    Move {
        /// The item.
        queue_id: u64,
        /// Places to move; clamped to the queue's ends.
        by: i32,
    },
    /// Forget an item that is waiting or failed (one being submitted cannot be removed).
    Remove {
        /// The item.
        queue_id: u64,
    },
    /// Take a waiting or failed item out of the queue to edit it: answered by
    /// [`QueueEvent::TakenBack`] with the submission, after it is written down as gone.
    TakeBack {
        /// The item.
        queue_id: u64,
    },
    /// Pause (`true`, the user's wish) or resume (`false`: also clears a pause after a
    /// service-wide failure and tries again at once).
    SetPaused(bool),
}

/// One generation to submit.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Submission {
    /// The UI's id for this submission, echoed in the answer.
    pub local_id: u64,
    /// What to generate.
    pub prompt: String,
    /// Video, image or storyboard and their settings.
    pub kind: SubmissionKind,
    /// An input image to upload first (already checked by content).
    pub image: Option<PathBuf>,
}

/// The kind-specific part of a [`Submission`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum SubmissionKind {
    /// Text/image-to-video, or a remix when `remix` is set.
    Video {
        /// Orientation, length, model, size.
        settings: VideoSettings,
        /// Share link or post id to remix.
        remix: Option<String>,
    },
    /// Image generation.
    Image {
        /// Square, landscape, portrait.
        shape: ImageShape,
        /// 1-4.
        variants: u32,
    },
    /// A storyboard; `prompt` is its exact text.
    Storyboard {
        /// Orientation, length, model, size.
        settings: VideoSettings,
    },
}

/// The Prompt pane's persisted state: restored on the next start.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PromptSnapshot {
    /// The editor's text.
    pub text: String,
    /// Video or image.
    pub image_mode: bool,
    /// Video settings.
    pub video: VideoSettings,
    /// Image shape.
    pub shape: ImageShape,
    /// Image variants.
    pub variants: u32,
    /// Input image path as typed.
    pub image_path: String,
    /// Remix target as typed.
    pub remix: String,
    /// Previously submitted prompts, newest last.
    pub history: Vec<String>,
}

/// A Drafts-pane operation the worker runs for one draft and answers on its own (a success
/// event, or [`DraftsEvent::ActionFailed`] carrying this value): the pane marks the draft busy with
/// it and clears exactly that mark when the answer comes. Downloads are not here: they carry
/// progress and are tracked (and fail) through their own events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DraftOp {
    /// Publishing the draft as a post (`DraftsRequest::Publish`).
    Publish,
    /// Deleting the post the draft was published as (`DraftsRequest::Unpublish`).
    Unpublish,
}

impl DraftOp {
    /// The verb, lower case: `publish`.
    pub fn verb(self) -> &'static str {
        match self {
            DraftOp::Publish => "publish",
            DraftOp::Unpublish => "unpublish",
        }
    }

    /// What the pane shows while it is in flight: `publishing`.
    pub fn label(self) -> &'static str {
        match self {
            DraftOp::Publish => "publishing",
            DraftOp::Unpublish => "unpublishing",
        }
    }

    /// The message when it failed, naming the operation and the draft:
    /// `could not publish gen_…: why`.
    pub fn failure(self, gen_id: &str, why: &dyn std::fmt::Display) -> String {
        format!("could not {} {gen_id}: {why}", self.verb())
    }
}

/// What the worker reports to the UI.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// State restored from the data dir at start: tracked tasks and the prompt autosave.
    Restored {
        /// Tasks recorded by earlier runs, newest first.
        tasks: Vec<TaskRecord>,
        /// The autosaved prompt, if any.
        prompt: Option<PromptSnapshot>,
        /// Problems reading the data dir (shown, not fatal).
        warnings: Vec<String>,
    },
    /// `/me` answered.
    Account(Me),
    /// `/me` failed (bad token, unreachable...).
    AccountFailed(ApiError),
    /// `/nf/check` answered (`None`: no quota information for this account).
    Quota(Option<Quota>),
    /// A task event: the answers to a submission and the tracked tasks' changes, for the
    /// Tasks pane (and the Prompt or Storyboard pane that submitted).
    Tasks(TaskEvent),
    /// A Drafts pane event: pages, downloads and clean copies, publishing.
    Drafts(DraftsEvent),
    /// The client is waiting to send a failed request again (see `api::RetryPolicy`).
    Retrying {
        /// The call, e.g. `GET /nf/pending`.
        what: String,
        /// Why, in a few words (`rate limited`, `service busy`...).
        reason: String,
        /// When the next try happens, in unix seconds.
        until_unix: f64,
    },
    /// The call announced by [`Event::Retrying`] ended (succeeded, or failed for good and is
    /// reported by its own event).
    RetryCleared {
        /// The call.
        what: String,
    },
    /// A background poll failed; tracking continues with backoff. `None` clears the state.
    PollTrouble(Option<ApiError>),
    /// Writing to the data dir failed (the UI warns; work goes on).
    StoreFailed(String),
    /// A Storyboard pane event.
    Storyboard(super::StoryboardEvent),
    /// A Cameos pane event.
    Cameo(super::CameoEvent),
    /// A local queue event, for the Tasks pane and the pane that submitted.
    Queue(QueueEvent),
    /// A picture is ready or cannot be shown (for whichever pane shows it).
    Picture(super::PictureEvent),
    /// The local history: all of it at start, then the entries that changed.
    History(super::HistoryEvent),
    /// The worker stopped unexpectedly (a panic); the UI shows it and exits cleanly.
    Crashed(String),
    /// The answer to `Request::Enhance`, for the Prompt pane.
    Enhanced(super::EnhanceAnswer),
    /// The answer to `Request::SetUsername`.
    Username(super::UsernameEvent),
}

/// What the worker reports about submissions and tracked tasks: grouped so the UI routes
/// them to the Tasks pane in one arm (`Event::Tasks`).
#[derive(Debug, Clone, PartialEq)]
pub enum TaskEvent {
    /// The input image of a submission is being uploaded.
    Uploading {
        /// The submission.
        local_id: u64,
    },
    /// The task exists on the server and is recorded locally.
    Submitted {
        /// The submission.
        local_id: u64,
        /// Its record.
        record: TaskRecord,
    },
    /// The submission failed; nothing was created (or it could not be confirmed).
    SubmitFailed {
        /// The submission.
        local_id: u64,
        /// Why.
        error: ApiError,
    },
    /// A tracked task changed (status, progress, finished), or another instance on the data
    /// dir recorded a task this one did not know.
    TaskChanged(TaskRecord),
    /// Another instance on the data dir dismissed a task: it is no longer recorded.
    TaskRemoved {
        /// The task.
        task_id: String,
    },
}

/// What the worker reports about drafts: pages of the list, downloads and clean copies,
/// publishing and unpublishing; grouped so the UI routes them to the Drafts pane in one arm
/// (`Event::Drafts`).
#[derive(Debug, Clone, PartialEq)]
pub enum DraftsEvent {
    /// A page of drafts arrived.
    DraftsLoaded {
        /// The page.
        page: DraftsPage,
        /// Whether it is the first page (replace) or a continuation (append).
        first: bool,
    },
    /// Loading drafts failed.
    DraftsFailed(ApiError),
    /// Bytes of a download so far.
    DownloadProgress {
        /// The draft.
        gen_id: String,
        /// Bytes written.
        done: u64,
        /// Expected size.
        total: Option<u64>,
    },
    /// A download finished.
    Downloaded {
        /// The draft.
        gen_id: String,
        /// Where the file is.
        path: PathBuf,
    },
    /// A `SaveClean` ended with a file: the copy read from the post, and whether it was shown
    /// to be without the watermark (only then is it named `GEN.clean.mp4`). Sent instead of
    /// `Downloaded` for clean copies, so no caller can report one as clean by mistake.
    PostCopySaved {
        /// The draft.
        gen_id: String,
        /// Where the file is.
        path: PathBuf,
        /// Clean, or the watermarked file under its normal name.
        verdict: super::CopyVerdict,
    },
    /// A download failed (the partial file stays as `.part`).
    DownloadFailed {
        /// The draft.
        gen_id: String,
        /// Why.
        error: ApiError,
    },
    /// A step of a clean-copy download other than the bytes (`publishing`, `deleting the
    /// temporary post`), for the Drafts pane.
    DownloadStage {
        /// The draft.
        gen_id: String,
        /// What is happening, lower case.
        stage: String,
    },
    /// A post published only to get a clean copy was deleted (after the download, or at start
    /// when an earlier run was interrupted before it could delete it).
    TempPostDeleted {
        /// The post.
        post_id: String,
    },
    /// Deleting a temporary post failed; it stays recorded and is retried at the next start.
    TempPostCleanupFailed {
        /// The draft it was published from.
        gen_id: String,
        /// The post, when known.
        post_id: Option<String>,
        /// Why.
        error: ApiError,
    },
    /// A draft was published.
    Published {
        /// The draft.
        gen_id: String,
        /// The post.
        post: Post,
    },
    /// A post was deleted.
    Unpublished {
        /// The draft.
        gen_id: String,
        /// The post.
        post_id: String,
    },
    /// How far the running archive is (sent at most about four times a second, and once
    /// more for its last file), for the status bar.
    ArchiveProgress {
        /// Files finished (downloaded, skipped or failed).
        done: usize,
        /// Files to look at.
        total: usize,
        /// Failures so far.
        failed: usize,
        /// Bytes downloaded so far.
        bytes: u64,
    },
    /// The archive ended (some files may have failed: their reasons are here); the pieces
    /// of the summary toast.
    ArchiveFinished {
        /// Entries the manifest lists.
        entries: usize,
        /// Files downloaded by this run.
        new: usize,
        /// Files already complete on disk.
        skipped: usize,
        /// Files that failed.
        failed: usize,
        /// The first failures, `id: reason`, already sanitised.
        reasons: Vec<String>,
        /// The archive folder.
        dir: PathBuf,
    },
    /// The archive could not run (the listing failed, the folder cannot be made, one is
    /// already running); nothing was written over the old manifest.
    ArchiveFailed {
        /// Why, for the user.
        error: String,
    },
    /// A draft operation (publishing, unpublishing) failed.
    ActionFailed {
        /// Which operation: with `gen_id`, it names the one in-flight mark to clear, so the
        /// other drafts' marks (and this draft's other operations) stay.
        op: DraftOp,
        /// The draft it was for.
        gen_id: String,
        /// Why.
        error: ApiError,
    },
}

/// What the worker reports about the local queue.
#[derive(Debug, Clone, PartialEq)]
pub enum QueueEvent {
    /// The whole queue as written down, after every change (it is small: the UI replaces its
    /// copy instead of merging). Also sent at start with what an earlier run left.
    Changed(QueueSnapshot),
    /// A submission was held in the queue instead of being sent now (the service's limit was
    /// reached, or it was added explicitly): the pane that submitted stops waiting for it.
    Held {
        /// The submission's `local_id`.
        local_id: u64,
        /// Its item in the queue.
        queue_id: u64,
        /// Why it waits, in a few words for a toast (`3 videos already running`).
        reason: String,
    },
    /// A queued item was sent and the service created its task (recorded like any task; the
    /// Tasks pane also gets [`TaskEvent::TaskChanged`] for it).
    Started {
        /// The item, now gone from the queue.
        queue_id: u64,
        /// The new task's record.
        record: TaskRecord,
    },
    /// An item taken back for editing ([`QueueRequest::TakeBack`]).
    TakenBack(Box<Submission>),
}

/// The local queue as the UI shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueueSnapshot {
    /// In the order they will be sent; failed items stay (with their reason) until removed.
    pub items: Vec<QueuedItem>,
    /// Why nothing is being sent, if so.
    pub pause: Option<QueuePause>,
}

/// One submission the queue holds.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QueuedItem {
    /// Stable across restarts (unique in `queue.json`).
    pub queue_id: u64,
    /// What will be sent (`local_id` is meaningless here).
    pub submission: Submission,
    /// When it was queued, unix seconds.
    pub added_unix: f64,
    /// Where it came from (a batch file's name), if not typed.
    pub origin: Option<String>,
    /// Waiting, being sent, or failed.
    pub state: QueuedState,
    /// What its history entry will record beyond the submission (a re-run's origin, the
    /// storyboard file), kept here so it survives a restart while the item waits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<super::SubmitNote>,
}

/// Where a queued item stands.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum QueuedState {
    /// Waiting for a slot.
    Waiting,
    /// Its create was sent (written down first, so a crash in between is reconciled with the
    /// server's task lists at the next start instead of sending it twice).
    Submitting {
        /// When the create was sent, unix seconds.
        since_unix: f64,
    },
    /// Refused for its own reason (content policy, bad input): the line goes on without it.
    Failed {
        /// Why, as shown.
        reason: String,
    },
}

/// Why the queue sends nothing.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "pause")]
pub enum QueuePause {
    /// The user paused it.
    User,
    /// The quota is spent: it resumes by itself at this time (unix seconds).
    Quota {
        /// When `/nf/check` said the quota resets.
        resets_unix: f64,
    },
    /// A failure that would refuse every item (sign-in, bot check, Cloudflare): resumes on
    /// [`QueueRequest::SetPaused`]`(false)`.
    Service {
        /// The failure, as shown.
        message: String,
    },
}
