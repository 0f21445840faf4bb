//! The local queue: submissions this program holds while the service's limits say no (three
//! videos in progress, the quota spent), sent by the worker itself when a slot frees. This
//! module owns what the queue knows and `queue.json`; the worker loop's side of the flow
//! (when to hold, when to send, what an answer means) is in `run/queueing.rs`.
//!
//! `queue.json` is a record list shared by every instance on the data dir, in the order the
//! items are sent. Every change is one read-modify-write under the file's lock
//! (`store::Store::update_list`), so what one instance decides from the file (which item to
//! send next, whether an item is still waiting) cannot be raced by another, and the UI only
//! hears of a change after it is on disk.
//!
//! An item being sent is *claimed*: its state is written as `submitting` and the sending
//! instance holds an exclusive lock on `queue-ID.lock` next to the file until the item's
//! outcome is written. The system drops that lock when the process dies (`kill -9`
//! included), so an item in `submitting` whose lock can be taken is an orphan: its sender is
//! gone and its create may or may not have reached the server. Orphans are reconciled before
//! anything else is sent (see `run/queueing.rs`), never simply sent again.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::time::Instant;

use super::protocol::{
    QueuePause, QueueSnapshot, QueuedItem, QueuedState, Submission, SubmissionKind,
};
use crate::api::{ApiError, Quota};
use crate::store::{Stamp, Store};

/// The user's pause (`p`), so a restart does not send what the user held back: a record list
/// with one record while paused and none otherwise, scoped to the backend like `queue.json`.
/// Read at start only: another instance running meanwhile keeps its own pause.
pub(super) const PAUSE_FILE: &str = "queue-pause.json";

/// The record of [`PAUSE_FILE`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct PauseRecord {
    /// When the user paused, unix seconds.
    since_unix: f64,
}

/// The queue's document in the data dir.
pub(super) const QUEUE_FILE: &str = "queue.json";
/// How many video generations the service runs at once for one account; a fourth create is
/// refused with 429 `too_many_concurrent_tasks` (docs/api.md#limits).
pub const MAX_RUNNING_VIDEOS: usize = 3;
/// The soonest a spent quota is read again when the service gave no (or a past) reset time,
/// so a quota that stays spent is not read in a loop.
const QUOTA_RECHECK: Duration = Duration::from_secs(1);
/// How long the queue waits after a plain 429 (too many requests, not a limit) that named
/// no `Retry-After`.
const BUSY_WAIT: Duration = Duration::from_secs(10);

/// How the service refused a create, as far as the queue is concerned.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Refusal {
    /// 429 `too_many_concurrent_tasks`: nothing was created; wait for a slot.
    Concurrency,
    /// 429 `rate_limit_reached`: the quota is spent; pause until it resets.
    Quota {
        /// The `Retry-After` the refusal carried (the time to the reset).
        retry_after: Option<Duration>,
    },
    /// Another 429 (too many requests): try again after a while.
    Busy {
        /// The `Retry-After` the refusal carried.
        retry_after: Option<Duration>,
    },
    /// A failure that would refuse every item (sign-in, bot check, Cloudflare, an
    /// unreachable or failing service after the client's retries): pause the queue.
    ServiceWide,
    /// Refused for this item's own reason (content policy, bad input, a missing image): the
    /// item fails and the next one goes.
    OwnReason,
}

/// Classifies a create's failure. The client folds every 429 into `RateLimited` with the
/// server's message, so the two limits are told apart by their wording: the concurrency
/// limit's message says "in progress at once", the quota's "generation limit" (the live
/// texts, mirrored by the simulator's `errors.rs`).
pub(super) fn refusal(error: &ApiError) -> Refusal {
    match error {
        ApiError::RateLimited {
            retry_after,
            detail,
        } => {
            let d = detail.to_ascii_lowercase();
            if d.contains("in progress at once") || d.contains("concurrent") {
                Refusal::Concurrency
            } else if d.contains("generation limit") || d.contains("rate_limit_reached") {
                Refusal::Quota {
                    retry_after: *retry_after,
                }
            } else {
                Refusal::Busy {
                    retry_after: *retry_after,
                }
            }
        }
        ApiError::Rejected { .. } | ApiError::InvalidInput(_) | ApiError::Io(_) => {
            Refusal::OwnReason
        }
        ApiError::MissingToken { .. }
        | ApiError::Auth { .. }
        | ApiError::BotBlocked { .. }
        | ApiError::Overloaded
        | ApiError::ShieldRateLimited
        | ApiError::Cloudflare
        | ApiError::Region { .. }
        | ApiError::Network { .. }
        | ApiError::Server { .. }
        | ApiError::BadResponse { .. }
        | ApiError::InsecureUrl(_)
        | ApiError::Redirected { .. } => Refusal::ServiceWide,
    }
}

/// Whether a submission counts against the concurrency limit and the quota (videos and
/// storyboards do; images only queue when the service refuses them).
pub(super) fn is_video(sub: &Submission) -> bool {
    matches!(
        sub.kind,
        SubmissionKind::Video { .. } | SubmissionKind::Storyboard { .. }
    )
}

// ---- the pure rules of the line -------------------------------------------------------------

/// The index of the item `queue_id`.
fn position(items: &[QueuedItem], queue_id: u64) -> Option<usize> {
    items.iter().position(|i| i.queue_id == queue_id)
}

/// Moves a waiting item `by` places (negative: towards the front), clamped to the list's
/// ends; whether it moved. Items being sent or failed do not move.
pub(super) fn move_item(items: &mut Vec<QueuedItem>, queue_id: u64, by: i32) -> bool {
    let Some(at) = position(items, queue_id) else {
        return false;
    };
    if items[at].state != QueuedState::Waiting {
        return false;
    }
    let last = items.len() as i64 - 1;
    let to = (at as i64 + i64::from(by)).clamp(0, last) as usize;
    if to == at {
        return false;
    }
    let item = items.remove(at);
    items.insert(to, item);
    true
}

/// Takes out a waiting or failed item (one being sent cannot be taken: its create may be on
/// the wire).
pub(super) fn take_item(items: &mut Vec<QueuedItem>, queue_id: u64) -> Option<QueuedItem> {
    let at = position(items, queue_id)?;
    matches!(
        items[at].state,
        QueuedState::Waiting | QueuedState::Failed { .. }
    )
    .then(|| items.remove(at))
}

/// The first waiting item that may go now: a video only when `video_ok` (a slot and the
/// quota allow it); an image whenever (the service's limits are for videos).
pub(super) fn next_to_send(items: &[QueuedItem], video_ok: bool) -> Option<u64> {
    items
        .iter()
        .filter(|i| i.state == QueuedState::Waiting)
        .find(|i| video_ok || !is_video(&i.submission))
        .map(|i| i.queue_id)
}

/// Marks a waiting item as being sent; whether it was waiting (an item another instance
/// claimed, removed or failed meanwhile is not claimed again).
pub(super) fn claim(items: &mut [QueuedItem], queue_id: u64, since_unix: f64) -> bool {
    match items.iter_mut().find(|i| i.queue_id == queue_id) {
        Some(item) if item.state == QueuedState::Waiting => {
            item.state = QueuedState::Submitting { since_unix };
            true
        }
        _ => false,
    }
}

/// An id for a new item: above every id in the file and every id this instance handed out
/// (so an id the UI still shows is never reused within a run).
pub(super) fn next_id(items: &[QueuedItem], floor: u64) -> u64 {
    items
        .iter()
        .map(|i| i.queue_id + 1)
        .max()
        .unwrap_or(1)
        .max(floor)
        .max(1)
}

// ---- what the queue knows of the quota ------------------------------------------------------

/// The quota as the queue last knew it: `/nf/check`'s answer, minus one for every video
/// accepted since, so a quota of 2 sends 2 and pauses without a create that is sure to fail.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct QuotaView {
    /// Whether `/nf/check` was read (successfully or not) since start or the last reset.
    pub read: bool,
    /// Videos left; `None`: unknown (no gating, the service's refusal will tell).
    pub remaining: Option<f64>,
    /// When the window resets, unix seconds.
    pub resets_unix: Option<f64>,
}

impl QuotaView {
    /// Takes in a read of `/nf/check` (`None`: the account has no quota information).
    pub fn saw(&mut self, quota: Option<&Quota>, now_unix: f64) {
        self.read = true;
        let Some(q) = quota else {
            self.remaining = None;
            self.resets_unix = None;
            return;
        };
        self.remaining = if q.rate_limit_reached == Some(true) {
            Some(0.0)
        } else {
            q.estimated_num_videos_remaining.map(|n| n.max(0.0))
        };
        self.resets_unix = q
            .access_resets_in_seconds
            .filter(|s| s.is_finite())
            .map(|s| now_unix + s.clamp(0.0, 366.0 * 86_400.0));
    }

    /// One more video was accepted.
    pub fn accepted(&mut self) {
        if let Some(n) = &mut self.remaining {
            *n = (*n - 1.0).max(0.0);
        }
    }

    /// Whether another video may be sent with `in_flight` creates not yet answered.
    pub fn allows(&self, in_flight: usize) -> bool {
        self.remaining.is_none_or(|n| n - in_flight as f64 >= 1.0)
    }

    /// When to look again after the quota was found spent: the reset time, never sooner
    /// than [`QUOTA_RECHECK`] from now.
    pub fn recheck_unix(&self, now_unix: f64) -> f64 {
        let soonest = now_unix + QUOTA_RECHECK.as_secs_f64();
        self.resets_unix.map_or(soonest, |at| at.max(soonest))
    }
}

/// The wait after a plain 429.
pub(super) fn busy_wait(retry_after: Option<Duration>) -> Duration {
    retry_after
        .unwrap_or(BUSY_WAIT)
        .clamp(QUOTA_RECHECK, Duration::from_secs(600))
}

/// The instant of a unix time (now if it is past).
pub(super) fn instant_of(unix: f64, now_unix: f64) -> Instant {
    let ahead = (unix - now_unix).clamp(0.0, 366.0 * 86_400.0);
    Instant::now() + Duration::from_secs_f64(ahead)
}

// ---- the queue's state and its file ---------------------------------------------------------

/// The queue as this instance knows it, and the claims it holds.
#[derive(Debug)]
pub(super) struct Queue {
    store: Store,
    /// This backend's items as last read or written, in sending order.
    items: Vec<QueuedItem>,
    /// Why nothing is sent, if so (this instance's: another instance may decide otherwise,
    /// the claims keep them from sending one item twice).
    pub pause: Option<QueuePause>,
    /// The locks of the items this instance is sending (or holds back after an ambiguous
    /// failure, to reconcile them itself).
    claims: HashMap<u64, File>,
    /// Items with a create or a reconciliation running now.
    pub busy: HashSet<u64>,
    /// The quota as last known.
    pub quota: QuotaView,
    /// A quota read is running.
    pub quota_reading: bool,
    /// The unfinished tasks the last pending read listed (every task of the account).
    pub pending: HashSet<String>,
    /// Whether pending was read at all since start: before that the count does not know
    /// the tasks started elsewhere, and no video is sent on a guess.
    pub pending_seen: bool,
    /// The service refused a create for the concurrency limit although fewer were counted
    /// (tasks this program cannot see yet): wait for the next pending read.
    pub blocked_until_round: bool,
    /// After a plain 429, nothing is sent before this.
    pub hold_off: Option<Instant>,
    /// When a quota pause looks at the quota again.
    pub quota_check_at: Option<Instant>,
    /// Every id this instance handed out is below this.
    id_floor: u64,
    /// How the file looked when last read or written.
    seen: Option<Stamp>,
}

/// Why a queue file operation failed, worded for the user.
pub(super) type QueueResult<T> = Result<T, String>;

impl Queue {
    /// An empty queue over `store`; [`Queue::reload`] reads the file.
    pub fn new(store: Store) -> Queue {
        Queue {
            store,
            items: Vec::new(),
            pause: None,
            claims: HashMap::new(),
            busy: HashSet::new(),
            quota: QuotaView::default(),
            quota_reading: false,
            pending: HashSet::new(),
            pending_seen: false,
            blocked_until_round: false,
            hold_off: None,
            quota_check_at: None,
            id_floor: 1,
            seen: None,
        }
    }

    /// The items, in sending order.
    pub fn items(&self) -> &[QueuedItem] {
        &self.items
    }

    /// The item `queue_id`.
    pub fn item(&self, queue_id: u64) -> Option<&QueuedItem> {
        self.items.iter().find(|i| i.queue_id == queue_id)
    }

    /// What the UI shows.
    pub fn snapshot(&self) -> QueueSnapshot {
        QueueSnapshot {
            items: self.items.clone(),
            pause: self.pause.clone(),
        }
    }

    /// Whether any item waits to be sent.
    pub fn has_waiting(&self) -> bool {
        self.items.iter().any(|i| i.state == QueuedState::Waiting)
    }

    /// Whether a video item waits to be sent.
    pub fn has_waiting_video(&self) -> bool {
        self.items
            .iter()
            .any(|i| i.state == QueuedState::Waiting && is_video(&i.submission))
    }

    /// Video items this instance is sending or reconciling now (they may be running).
    pub fn busy_videos(&self) -> usize {
        self.busy
            .iter()
            .filter(|id| self.item(**id).is_some_and(|i| is_video(&i.submission)))
            .count()
    }

    /// Claimed items left in `submitting` with nothing running for them (an ambiguous failure
    /// held back while paused, an orphan just taken over): they need reconciling.
    pub fn unreconciled(&self) -> Vec<QueuedItem> {
        self.items
            .iter()
            .filter(|i| matches!(i.state, QueuedState::Submitting { .. }))
            .filter(|i| self.claims.contains_key(&i.queue_id) && !self.busy.contains(&i.queue_id))
            .cloned()
            .collect()
    }

    /// Whether the file may hold changes this instance has not seen (one `stat`).
    pub fn changed_on_disk(&self) -> bool {
        self.store.stamp(QUEUE_FILE) != self.seen
    }

    /// Whether some item is in `submitting` without this instance's claim: another
    /// instance's, or an orphan to take over.
    pub fn has_foreign_claims(&self) -> bool {
        self.items.iter().any(|i| {
            matches!(i.state, QueuedState::Submitting { .. })
                && !self.claims.contains_key(&i.queue_id)
        })
    }

    /// One read-modify-write of the file under its lock (see the module comment); adopts
    /// the file's contents afterwards. `change` gets the lock folder to take item locks in.
    async fn edit<R: Send + 'static>(
        &mut self,
        change: impl FnOnce(&mut Vec<QueuedItem>, &Path) -> (R, bool) + Send + 'static,
    ) -> QueueResult<R> {
        let store = self.store.clone();
        let done = tokio::task::spawn_blocking(move || {
            let dir = store.dir().to_path_buf();
            let out = store.update_list(QUEUE_FILE, |items: &mut Vec<QueuedItem>| {
                let (out, changed) = change(items, &dir);
                ((out, items.clone()), changed)
            });
            (out, store.stamp(QUEUE_FILE))
        })
        .await
        .map_err(|e| format!("{QUEUE_FILE}: the write did not finish ({e})"))?;
        let ((out, items), stamp) = (done.0.map_err(|e| e.to_string())?, done.1);
        self.items = items;
        self.seen = stamp;
        if let Some(max) = self.items.iter().map(|i| i.queue_id + 1).max() {
            self.id_floor = self.id_floor.max(max);
        }
        Ok(out)
    }

    /// Whether the user's pause was on when the last run ended ([`PAUSE_FILE`]).
    pub async fn paused_on_disk(&self) -> QueueResult<bool> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            store.update_list(PAUSE_FILE, |pauses: &mut Vec<PauseRecord>| {
                (!pauses.is_empty(), false)
            })
        })
        .await
        .map_err(|e| format!("{PAUSE_FILE}: the read did not finish ({e})"))?
        .map_err(|e| e.to_string())
    }

    /// Writes the user's pause (`true`) or its end for the next start ([`PAUSE_FILE`]).
    pub async fn save_user_pause(&self, paused: bool, now_unix: f64) -> QueueResult<()> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            store.update_list(PAUSE_FILE, move |pauses: &mut Vec<PauseRecord>| {
                let was = !pauses.is_empty();
                if paused && !was {
                    pauses.push(PauseRecord {
                        since_unix: now_unix,
                    });
                } else if !paused {
                    pauses.clear();
                }
                ((), was != paused)
            })
        })
        .await
        .map_err(|e| format!("{PAUSE_FILE}: the write did not finish ({e})"))?
        .map_err(|e| e.to_string())
    }

    /// Reads the file as it is now.
    pub async fn reload(&mut self) -> QueueResult<()> {
        self.edit(|_, _| ((), false)).await
    }

    /// Appends submissions as waiting items; their ids in order.
    pub async fn hold(
        &mut self,
        jobs: Vec<(Submission, Option<super::SubmitNote>)>,
        origin: Option<String>,
        now_unix: f64,
    ) -> QueueResult<Vec<u64>> {
        let floor = self.id_floor;
        let ids = self
            .edit(move |items, _| {
                let mut ids = Vec::new();
                for (queue_id, (submission, note)) in (next_id(items, floor)..).zip(jobs) {
                    items.push(QueuedItem {
                        queue_id,
                        submission,
                        added_unix: now_unix,
                        origin: origin.clone(),
                        state: QueuedState::Waiting,
                        note,
                    });
                    ids.push(queue_id);
                }
                let changed = !ids.is_empty();
                (ids, changed)
            })
            .await?;
        if let Some(last) = ids.last() {
            self.id_floor = self.id_floor.max(last + 1);
        }
        Ok(ids)
    }

    /// Claims the next item that may go (see [`next_to_send`]): written as `submitting`
    /// with its lock held, all under the file's lock. `None`: nothing may go now.
    pub async fn claim_next(
        &mut self,
        video_ok: bool,
        now_unix: f64,
    ) -> QueueResult<Option<QueuedItem>> {
        let claimed = self
            .edit(move |items, dir| {
                let Some(id) = next_to_send(items, video_ok) else {
                    return (None, false);
                };
                let Some(lock) = try_lock(&lock_path(dir, id)) else {
                    // Nobody else sends a waiting item; a lock that cannot be taken means
                    // the folder is unusable, and the next look tries again.
                    return (None, false);
                };
                claim(items, id, now_unix);
                (Some((id, lock)), true)
            })
            .await?;
        Ok(claimed.map(|(id, lock)| {
            self.claims.insert(id, lock);
            self.busy.insert(id);
            self.item(id)
                .cloned()
                .expect("a claimed item is in the file")
        }))
    }

    /// Takes over the items left in `submitting` whose sender is gone (their lock can be
    /// taken); they are then [`Queue::unreconciled`].
    pub async fn claim_orphans(&mut self) -> QueueResult<()> {
        let mine: HashSet<u64> = self.claims.keys().copied().collect();
        let taken = self
            .edit(move |items, dir| {
                let taken: Vec<(u64, File)> = items
                    .iter()
                    .filter(|i| matches!(i.state, QueuedState::Submitting { .. }))
                    .filter(|i| !mine.contains(&i.queue_id))
                    .filter_map(|i| try_lock(&lock_path(dir, i.queue_id)).map(|f| (i.queue_id, f)))
                    .collect();
                (taken, false)
            })
            .await?;
        for (id, lock) in taken {
            tracing::info!(
                queue_id = id,
                "took over a queued item whose sender is gone"
            );
            self.claims.insert(id, lock);
        }
        Ok(())
    }

    /// Writes a new `since` on a claimed item about to be sent again.
    pub async fn restamp(&mut self, queue_id: u64, since_unix: f64) -> QueueResult<()> {
        self.busy.insert(queue_id);
        self.edit(move |items, _| {
            let Some(item) = items.iter_mut().find(|i| i.queue_id == queue_id) else {
                return ((), false);
            };
            item.state = QueuedState::Submitting { since_unix };
            ((), true)
        })
        .await
    }

    /// Ends a claim with the item's new state: `None` removes it (its task exists), a state
    /// replaces `submitting`. The item's lock file goes with the claim.
    pub async fn settle(&mut self, queue_id: u64, state: Option<QueuedState>) -> QueueResult<()> {
        self.busy.remove(&queue_id);
        let result = self
            .edit(move |items, dir| {
                let Some(at) = position(items, queue_id) else {
                    return ((), false);
                };
                match state {
                    None => {
                        items.remove(at);
                    }
                    Some(state) => items[at].state = state,
                }
                // Under the file's lock, after the item left `submitting`: nobody looks at
                // its lock file again.
                let _ = std::fs::remove_file(lock_path(dir, queue_id));
                ((), true)
            })
            .await;
        if result.is_ok() {
            self.claims.remove(&queue_id);
        }
        result
    }

    /// Leaves a claimed item in `submitting`, claim held, nothing running: its create may
    /// have been accepted, so it is reconciled before it is ever sent again.
    pub fn hold_back(&mut self, queue_id: u64) {
        self.busy.remove(&queue_id);
    }

    /// Moves a waiting item; whether it moved.
    pub async fn move_by(&mut self, queue_id: u64, by: i32) -> QueueResult<bool> {
        self.edit(move |items, _| {
            let moved = move_item(items, queue_id, by);
            (moved, moved)
        })
        .await
    }

    /// Takes out a waiting or failed item.
    pub async fn take(&mut self, queue_id: u64) -> QueueResult<Option<QueuedItem>> {
        self.edit(move |items, _| {
            let taken = take_item(items, queue_id);
            let changed = taken.is_some();
            (taken, changed)
        })
        .await
    }

    /// Releases every claim (shutdown): items still `submitting` become orphans for the
    /// next start to reconcile.
    pub fn release(&mut self) {
        self.claims.clear();
        self.busy.clear();
    }
}

/// The lock file of one item.
fn lock_path(dir: &Path, queue_id: u64) -> PathBuf {
    dir.join(format!("queue-{queue_id}.lock"))
}

/// Takes an item's lock without waiting; `None` when another process holds it. Where the file
/// system cannot lock, the lock counts as taken (one instance per data dir is then assumed).
fn try_lock(path: &Path) -> Option<File> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .ok()?;
    match file.try_lock() {
        Ok(()) => Some(file),
        Err(std::fs::TryLockError::WouldBlock) => None,
        Err(std::fs::TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => {
            Some(file)
        }
        Err(std::fs::TryLockError::Error(_)) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ImageShape, VideoSettings};

    fn item(queue_id: u64, video: bool, state: QueuedState) -> QueuedItem {
        let kind = if video {
            SubmissionKind::Video {
                settings: VideoSettings::default(),
                remix: None,
            }
        } else {
            SubmissionKind::Image {
                shape: ImageShape::Square,
                variants: 1,
            }
        };
        QueuedItem {
            queue_id,
            submission: Submission {
                local_id: 0,
                prompt: format!("p{queue_id}"),
                kind,
                image: None,
            },
            added_unix: 0.0,
            origin: None,
            state,
            note: None,
        }
    }

    fn waiting(ids: &[u64]) -> Vec<QueuedItem> {
        ids.iter()
            .map(|id| item(*id, true, QueuedState::Waiting))
            .collect()
    }

    fn order(items: &[QueuedItem]) -> Vec<u64> {
        items.iter().map(|i| i.queue_id).collect()
    }

    #[test]
    fn moves_clamp_to_the_ends_and_only_waiting_items_move() {
        let mut items = waiting(&[1, 2, 3, 4]);
        assert!(move_item(&mut items, 3, -1));
        assert_eq!(order(&items), [1, 3, 2, 4]);
        assert!(move_item(&mut items, 3, -100));
        assert_eq!(order(&items), [3, 1, 2, 4]);
        assert!(!move_item(&mut items, 3, -1), "already first");
        assert!(move_item(&mut items, 1, i32::MAX));
        assert_eq!(order(&items), [3, 2, 4, 1]);
        assert!(!move_item(&mut items, 9, 1), "unknown item");
        items[0].state = QueuedState::Submitting { since_unix: 1.0 };
        assert!(!move_item(&mut items, 3, 1), "being sent: stays");
        items[1].state = QueuedState::Failed { reason: "x".into() };
        assert!(!move_item(&mut items, 2, 1), "failed: stays");
    }

    #[test]
    fn only_waiting_or_failed_items_are_taken_out() {
        let mut items = waiting(&[1, 2, 3]);
        items[1].state = QueuedState::Submitting { since_unix: 1.0 };
        items[2].state = QueuedState::Failed { reason: "x".into() };
        assert!(
            take_item(&mut items, 2).is_none(),
            "its create may be on the wire"
        );
        assert_eq!(take_item(&mut items, 3).map(|i| i.queue_id), Some(3));
        assert_eq!(take_item(&mut items, 1).map(|i| i.queue_id), Some(1));
        assert_eq!(order(&items), [2]);
    }

    #[test]
    fn the_first_waiting_item_goes_and_images_pass_a_full_service() {
        let mut items = vec![
            item(1, true, QueuedState::Submitting { since_unix: 1.0 }),
            item(2, true, QueuedState::Failed { reason: "x".into() }),
            item(3, true, QueuedState::Waiting),
            item(4, false, QueuedState::Waiting),
            item(5, true, QueuedState::Waiting),
        ];
        assert_eq!(next_to_send(&items, true), Some(3));
        assert_eq!(
            next_to_send(&items, false),
            Some(4),
            "images are not limited"
        );
        items.retain(|i| i.queue_id != 4);
        assert_eq!(next_to_send(&items, false), None);
    }

    #[test]
    fn a_claim_needs_a_waiting_item() {
        let mut items = waiting(&[1, 2]);
        assert!(claim(&mut items, 1, 5.0));
        assert_eq!(items[0].state, QueuedState::Submitting { since_unix: 5.0 });
        assert!(!claim(&mut items, 1, 6.0), "claimed once only");
        assert_eq!(items[0].state, QueuedState::Submitting { since_unix: 5.0 });
        items[1].state = QueuedState::Failed { reason: "x".into() };
        assert!(!claim(&mut items, 2, 6.0));
        assert!(!claim(&mut items, 3, 6.0));
    }

    #[test]
    fn ids_are_never_reused() {
        assert_eq!(next_id(&[], 1), 1);
        assert_eq!(next_id(&waiting(&[4, 2]), 1), 5);
        assert_eq!(next_id(&waiting(&[2]), 9), 9, "a removed id stays used");
    }

    #[test]
    fn the_quota_counts_down_and_gates_with_creates_in_flight() {
        let mut q = QuotaView::default();
        assert!(q.allows(5), "unknown: no gating");
        q.saw(
            Some(&Quota {
                estimated_num_videos_remaining: Some(2.0),
                rate_limit_reached: Some(false),
                access_resets_in_seconds: Some(60.0),
            }),
            1000.0,
        );
        assert_eq!(q.resets_unix, Some(1060.0));
        assert!(q.allows(1));
        assert!(!q.allows(2), "two creates in flight use the two left");
        q.accepted();
        q.accepted();
        q.accepted();
        assert_eq!(q.remaining, Some(0.0));
        assert!(!q.allows(0));
        assert_eq!(q.recheck_unix(1000.0), 1060.0);
        assert_eq!(
            q.recheck_unix(2000.0),
            2001.0,
            "a past reset: soon, not at once"
        );
        q.saw(
            Some(&Quota {
                estimated_num_videos_remaining: Some(5.0),
                rate_limit_reached: Some(true),
                access_resets_in_seconds: None,
            }),
            0.0,
        );
        assert!(!q.allows(0), "rate_limit_reached wins over the count");
    }

    #[test]
    fn refusals_are_told_apart() {
        let limited = |detail: &str| ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(7)),
            detail: detail.into(),
        };
        assert_eq!(
            refusal(&limited(
                "You can only have 3 generations in progress at once. Please wait."
            )),
            Refusal::Concurrency
        );
        assert_eq!(
            refusal(&limited(
                "You've reached your video generation limit for today."
            )),
            Refusal::Quota {
                retry_after: Some(Duration::from_secs(7))
            }
        );
        assert!(matches!(
            refusal(&limited("Too many requests.")),
            Refusal::Busy { .. }
        ));
        let rejected = ApiError::Rejected {
            status: 400,
            code: Some("invalid_request".into()),
            param: None,
            message: "Unable to process request".into(),
        };
        assert_eq!(refusal(&rejected), Refusal::OwnReason);
        assert_eq!(
            refusal(&ApiError::Auth { detail: "x".into() }),
            Refusal::ServiceWide
        );
        assert_eq!(refusal(&ApiError::Cloudflare), Refusal::ServiceWide);
    }

    #[tokio::test]
    async fn a_claim_is_exclusive_across_instances_and_orphans_are_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Queue::new(Store::new(dir.path()));
        let mut b = Queue::new(Store::new(dir.path()));
        let sub = item(0, true, QueuedState::Waiting).submission;
        a.hold(vec![(sub.clone(), None), (sub, None)], None, 1.0)
            .await
            .unwrap();
        b.reload().await.unwrap();
        let first = a.claim_next(true, 2.0).await.unwrap().unwrap();
        let second = b.claim_next(true, 2.0).await.unwrap().unwrap();
        assert_ne!(first.queue_id, second.queue_id, "one item, one sender");
        assert!(a.claim_next(true, 2.0).await.unwrap().is_none());
        // B holds its claim: A cannot take it over.
        a.claim_orphans().await.unwrap();
        assert!(a.unreconciled().is_empty());
        // B dies (its locks go with it): A takes the item over, to reconcile it.
        drop(b);
        a.busy.clear();
        a.claim_orphans().await.unwrap();
        let ids: Vec<u64> = a.unreconciled().iter().map(|i| i.queue_id).collect();
        assert_eq!(ids.len(), 2, "its own held item and B's orphan");
        assert!(ids.contains(&second.queue_id));
        a.settle(second.queue_id, None).await.unwrap();
        assert!(a.item(second.queue_id).is_none());
        assert!(!lock_path(dir.path(), second.queue_id).exists());
    }
}
