//! The background worker: owns the API client, runs the one shared poll of unfinished tasks,
//! streams uploads and downloads, and talks to the UI only through messages.
//!
//! Layout: [`spawn`] starts the loop in `run` under a supervisor that turns a panic into
//! [`Event::Crashed`]. `poll` fetches one round for every watched task and paces the rounds,
//! `tasks` interprets a round into the task records, `submit` performs one submission,
//! `transfers` streams downloads, `clean` makes copies without the watermark, `watch` notices
//! what other instances on the data dir wrote, `pager` follows the drafts list's cursors
//! without looping, `actions` holds the other one-shot requests and starts every Drafts pane
//! job (`DraftJobs::handle`), `persist` the data-dir documents, and `queue` the local queue of
//! submissions held while the service's limits say no (the loop's side of it is
//! `run/queueing.rs`).

mod actions;
mod archive;
mod cameos;
mod clean;
mod enhance;
mod extend;
mod history;
mod pager;
mod persist;
mod pictures_protocol;
mod poll;
mod protocol;
mod queue;
mod run;
mod storyboards;
mod submit;
mod tasks;
mod thumbs;
mod transfers;
mod username;
mod watch;

use std::any::Any;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinHandle};

pub use cameos::{CameoEvent, CameoRequest};
pub use clean::{CleanupEntry, CopyVerdict, Placement, WATERMARKED_FOR_THIS_TOKEN};
pub use enhance::{EnhanceAnswer, EnhanceRequest};
pub use extend::{ExtendRequest, extension_summary};
pub use history::{HistoryEvent, HistoryRequest, SubmitNote};
pub use pager::{MAX_PAGES, PageStep, PageStop, Pager};
pub use pictures_protocol::{Picture, PictureEvent, PictureKey, PictureRequest, PictureWanted};
pub(crate) use poll::{Pace, STUCK_BOUND, Stage, next_delay};
pub use protocol::*;
pub use queue::MAX_RUNNING_VIDEOS;
pub use storyboards::{
    FileSummary, SaveTarget, StoryboardAutosave, StoryboardEvent, StoryboardFile, StoryboardRequest,
};
pub use submit::settings_summary;
pub(crate) use tasks::{FINISHING_LIMIT, Trace};
pub use thumbs::{CACHE_BYTES as PICTURE_CACHE_BYTES, MAX_SIDE as PICTURE_MAX_SIDE};
pub use transfers::{DEFAULT_FILE_NAME, Naming, Sidecar, file_name, sidecar_path};
pub use username::UsernameEvent;
pub use watch::SyncMode;

use crate::api::Client;
use crate::store::Store;

/// Requests the UI may queue before `try_send` reports the worker busy.
const REQUEST_CAPACITY: usize = 64;
/// The shortest poll interval accepted, whatever the config says: polling must never spin.
const POLL_FLOOR: Duration = Duration::from_millis(10);

/// Timing knobs of the worker; tests use small values.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerConfig {
    /// The poll interval while tasks change (and right after a submission).
    pub poll_min: Duration,
    /// The longest interval while nothing changes.
    pub poll_max: Duration,
    /// How many drafts one page holds.
    pub drafts_page: u32,
    /// Between two `in_progress` requests of a processing cameo. A field rather than an
    /// environment variable read by the worker, so tests running many workers in one process
    /// each choose their own pace without touching the process environment.
    pub cameo_poll: Duration,
    /// How downloads are named (the config's `file_name` and the local zone).
    pub naming: transfers::Naming,
    /// How other instances' writes to the data dir are noticed: a file-change notification,
    /// falling back to a look every 2 s (tests can take the fallback away).
    pub sync: SyncMode,
    /// Where fetched pictures are cached (`$XDG_CACHE_HOME/sora-tui/thumbnails`); `None`:
    /// no disk cache (headless commands, most tests).
    pub picture_cache: Option<std::path::PathBuf>,
    /// The bound of that cache in bytes; the least recently used pictures go first.
    pub picture_cache_bytes: u64,
}

impl Default for WorkerConfig {
    /// 2 s while things move (what the web app does), up to 10 s while they do not, 30 drafts,
    /// a processing cameo polled every 5 s (docs/api.md#lifecycles).
    fn default() -> Self {
        WorkerConfig {
            poll_min: Duration::from_secs(2),
            poll_max: Duration::from_secs(10),
            drafts_page: 30,
            cameo_poll: Duration::from_secs(5),
            naming: transfers::Naming::default(),
            sync: SyncMode::Watch,
            picture_cache: None,
            picture_cache_bytes: thumbs::CACHE_BYTES,
        }
    }
}

/// Spawns the worker on the current tokio runtime. Requests go in on the returned bounded
/// sender; events come out on `events`, [`Event::Restored`] first. The worker ends on
/// [`Request::Shutdown`] or when every request sender is dropped, after flushing its writes.
/// The handle is a supervisor's: it ends when the worker does and, if the worker panicked,
/// after sending [`Event::Crashed`]. Aborting the handle aborts the worker too.
pub fn spawn(
    client: Client,
    store: Store,
    config: WorkerConfig,
    events: mpsc::UnboundedSender<Event>,
) -> (mpsc::Sender<Request>, JoinHandle<()>) {
    let (requests, inbox) = mpsc::channel(REQUEST_CAPACITY);
    let config = WorkerConfig {
        poll_min: config.poll_min.max(POLL_FLOOR),
        poll_max: config.poll_max.max(POLL_FLOOR),
        ..config
    };
    // The worker acts only on its backend's records (see `store::Store::for_backend`).
    let store = store.for_backend(client.base_url());
    let worker = tokio::spawn(run::run(client, store, config, inbox, events.clone()));
    (requests, tokio::spawn(supervise(worker, events)))
}

/// Waits for the worker and reports a panic as [`Event::Crashed`], so the UI can restore the
/// terminal and say what happened instead of waiting for answers that never come.
async fn supervise(worker: JoinHandle<()>, events: mpsc::UnboundedSender<Event>) {
    let _abort_with_me = AbortOnDrop(worker.abort_handle());
    match worker.await {
        Ok(()) => {}
        Err(e) if e.is_panic() => {
            let message = panic_text(e.into_panic().as_ref());
            tracing::error!(%message, "the worker panicked");
            let _ = events.send(Event::Crashed(message));
        }
        // Cancelled: the runtime is shutting down or the supervisor was aborted.
        Err(_) => {}
    }
}

/// Aborts a task when dropped, so aborting the supervisor does not leave the worker running.
struct AbortOnDrop(AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The text of a panic payload (`panic!` carries a `&str` or a `String`).
fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "the background worker panicked".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_becomes_a_crashed_event() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let worker = tokio::spawn(async {
            let code = 7;
            panic!("worker bug {code}");
        });
        supervise(worker, tx).await;
        assert_eq!(rx.recv().await, Some(Event::Crashed("worker bug 7".into())));
    }

    #[tokio::test]
    async fn a_clean_end_sends_nothing() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        supervise(tokio::spawn(async {}), tx).await;
        assert_eq!(rx.recv().await, None);
    }

    #[test]
    fn panic_text_reads_both_payload_kinds() {
        assert_eq!(panic_text(&"static"), "static");
        assert_eq!(panic_text(&String::from("owned")), "owned");
        assert_eq!(panic_text(&42u8), "the background worker panicked");
    }
}
