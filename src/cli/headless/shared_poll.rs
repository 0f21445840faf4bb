//! One poll for every headless `--wait` of one machine: the waits of one account and backend
//! (one data dir) elect a leader with OS file locks, the leader polls for all registered
//! tasks and writes what each round saw to a snapshot file, the others read that file instead
//! of the network. No daemon: the leader is one of the waits, and when it exits (its task
//! done, Ctrl-C, kill -9: the OS drops a dead process's locks) the next wait to look takes
//! the lock over, so no task is left without a poller. See docs/architecture.md.
//!
//! The folder, `DATA/shared-poll/KEY/`:
//! - `leader.lock`: locked (exclusively) by the leader for as long as it leads; it holds the
//!   leader's pid, for people and tests (nothing trusts it).
//! - `tasks/ID.video`, `tasks/ID.image`: one per waiting process, locked by it while it
//!   lives. A registration the leader can lock belongs to a dead process and is deleted.
//! - `snapshot.json`: the last round's raw observations, replaced atomically.

use std::collections::HashMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::api::{ApiError, Client, Draft, TaskInfo, valid_id};
use crate::cli::progress::Reporter;
use crate::track::{ImageState, VideoState, observe_image, observe_video};
use crate::worker::{Pace, Stage, Trace, next_delay};

/// The folder under the data dir that holds one sub-folder per account and backend.
pub(super) const FOLDER: &str = "shared-poll";
/// The leader's lock file, in a key's folder.
pub(super) const LEADER_FILE: &str = "leader.lock";
/// The registrations' folder, in a key's folder.
pub(super) const TASKS_DIR: &str = "tasks";
/// The last round's observations, in a key's folder.
const SNAPSHOT_FILE: &str = "snapshot.json";
/// The snapshot format; a snapshot of another format is not read (another version of the
/// program wrote it).
const SNAPSHOT_VERSION: u32 = 1;
/// The largest snapshot read: a round holds one pending list, 30 drafts and 50 recent tasks,
/// far below this; a bigger file is not one this program wrote.
const MAX_SNAPSHOT: u64 = 8 * 1024 * 1024;
/// The most registrations one round polls for (and the most names read from the folder):
/// a folder flooded with files must not make a round unbounded.
const MAX_REGISTRATIONS: usize = 256;
/// How often a follower looks at the snapshot and the leader's lock: a local stat, cheap.
const FOLLOW_CHECK: Duration = Duration::from_millis(250);
/// The least staleness that makes a follower poll on its own, whatever the interval: a
/// round's requests (with their retries) take a moment even on a fast clock.
const STALE_FLOOR: Duration = Duration::from_secs(5);
/// The drafts page a round reads when a video left pending (as the headless wait always did).
const DRAFTS_PAGE: u32 = 30;
/// The recent image tasks a round reads (as the headless wait always did).
const RECENT_LIMIT: u32 = 50;

/// What kind of task a wait is for: which reads a round needs for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Tracked through pending and the drafts.
    Video,
    /// Tracked through the recent image tasks.
    Image,
}

impl Kind {
    /// The extension of its registration file.
    fn ext(self) -> &'static str {
        match self {
            Kind::Video => "video",
            Kind::Image => "image",
        }
    }
}

/// The folder name that keeps the waits of one account on one backend together, apart from
/// every other: a hash of the normalised base URL and the token, never the token itself (the
/// data dir may be backed up or shown). Std's SipHash, twice with different prefixes (128
/// bits, so two accounts never meet by accident); no crypto crate is needed for a name. If a
/// future std hashed differently, two versions would merely not share a poll.
pub(super) fn key(base_url: &str, token: &str) -> String {
    let url = base_url.trim().trim_end_matches('/');
    let half = |salt: &str| {
        let mut h = std::hash::DefaultHasher::new();
        ("sora-tui shared poll", salt, url, token).hash(&mut h);
        h.finish()
    };
    format!("{:016x}{:016x}", half("a"), half("b"))
}

/// A registration's file name: the task id, validated (it cannot leave the folder), and its
/// kind as the extension.
pub(super) fn registration_name(kind: Kind, id: &str) -> Result<String, ApiError> {
    crate::fsutil::id_file_name("task", id, "", kind.ext())
}

/// The task a registration's file name stands for; `None` for any other name (a temp file,
/// something that is not ours).
pub(super) fn parse_registration(name: &str) -> Option<(Kind, String)> {
    let (id, ext) = name.rsplit_once('.')?;
    let kind = match ext {
        "video" => Kind::Video,
        "image" => Kind::Image,
        _ => return None,
    };
    valid_id(id).then(|| (kind, id.to_string()))
}

/// One round's raw observations, as the leader wrote them for the followers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct Snapshot {
    /// [`SNAPSHOT_VERSION`].
    pub version: u32,
    /// The leader's pid: with `round`, tells one round from the next.
    pub leader: u32,
    /// The leader's round count.
    pub round: u64,
    /// When the round's reads came back, seconds since the Unix epoch.
    pub at: f64,
    /// The video tasks the round was for.
    pub videos: Vec<String>,
    /// The image tasks the round was for.
    pub images: Vec<String>,
    /// The pending list, when a video was watched.
    pub pending: Option<Vec<TaskInfo>>,
    /// The first drafts page, when a watched video had left pending.
    pub drafts: Option<Vec<Draft>>,
    /// The recent image tasks, when an image was watched.
    pub recent: Option<Vec<TaskInfo>>,
    /// Why the round failed; a failed round serves no one (the leader exits with the error,
    /// and a follower takes over and asks again).
    pub error: Option<String>,
}

/// Why a snapshot is not used.
#[derive(Debug, PartialEq)]
pub(super) enum Unusable {
    /// Not there (yet).
    Missing,
    /// Not a snapshot this program wrote: too large, not a regular file, not parseable, of
    /// another format, or lists beyond any round's bounds.
    Corrupt(String),
}

/// Parses a snapshot with bounds: the byte size was capped by the read; the lists a round
/// writes itself are bounded here (the server's lists went through the client's bounds when
/// they were read, and the lenient deserialisers bound their inner lists again).
pub(super) fn parse_snapshot(bytes: &[u8]) -> Result<Snapshot, Unusable> {
    let snap: Snapshot =
        serde_json::from_slice(bytes).map_err(|e| Unusable::Corrupt(e.to_string()))?;
    if snap.version != SNAPSHOT_VERSION {
        return Err(Unusable::Corrupt(format!("format {}", snap.version)));
    }
    if snap.videos.len() + snap.images.len() > MAX_REGISTRATIONS + 1 {
        return Err(Unusable::Corrupt("too many tasks".into()));
    }
    if !snap.at.is_finite() {
        return Err(Unusable::Corrupt("no time".into()));
    }
    Ok(snap)
}

/// What one round showed of a wait's task: the reads its `observe_*` needs.
#[derive(Debug, Clone)]
pub(super) struct Reads {
    /// `GET /nf/pending` (a video's round).
    pub pending: Vec<TaskInfo>,
    /// The first drafts page, when the video was not in pending.
    pub drafts: Option<Vec<Draft>>,
    /// The recent image tasks (an image's round).
    pub recent: Vec<TaskInfo>,
    /// When the reads came back.
    pub at: Instant,
}

/// One wait's part in the shared poll: built when the wait starts, dropped when it ends
/// (which removes its registration and, for the leader, hands the lock on).
pub(super) struct SharedWait {
    kind: Kind,
    id: String,
    /// `None`: polling alone (the folder could not be set up, or the shared poll failed this
    /// wait: a corrupt snapshot, a leader that stopped answering).
    shared: Option<Shared>,
    /// When the last reads came (or the wait started): the next round is timed from it.
    base: Instant,
}

/// The shared poll as one wait sees it.
struct Shared {
    dir: PathBuf,
    /// Removes the registration when dropped.
    _registration: Registration,
    /// Held while this wait leads.
    leader: Option<File>,
    /// The leader's view of the other registered tasks.
    others: HashMap<String, Other>,
    /// The leader's round count.
    round: u64,
    /// The snapshot last looked at (file identity) and the round last used (leader, round).
    seen_file: Option<(u64, u64, std::time::SystemTime)>,
    used: Option<(u32, u64)>,
    /// Whether the "the leader is late" note was printed.
    late_noted: bool,
}

/// Another wait's task, as the leader tracks it for the schedule.
struct Other {
    kind: Kind,
    trace: Trace,
    /// `None` once it finished (its wait will see that and leave): it needs no fast rounds.
    stage: Option<Stage>,
}

/// A wait's registration file, locked for as long as the wait lives.
struct Registration {
    path: PathBuf,
    _file: File,
}

impl Drop for Registration {
    fn drop(&mut self) {
        // Removed while still locked (the lock goes with the file handle, right after).
        let _ = std::fs::remove_file(&self.path);
    }
}

impl SharedWait {
    /// Joins the shared poll of `key` under `data_dir` for the task `id`; with no key, or
    /// when the folder cannot be set up (a note says why), the wait polls alone as it always
    /// did.
    pub(super) fn join(
        data_dir: &Path,
        key: Option<&str>,
        kind: Kind,
        id: &str,
        r: &mut Reporter,
    ) -> SharedWait {
        let shared = key.and_then(|key| {
            let dir = data_dir.join(FOLDER).join(key);
            match register(&dir, kind, id) {
                Ok(registration) => Some(Shared {
                    dir,
                    _registration: registration,
                    leader: None,
                    others: HashMap::new(),
                    round: 0,
                    seen_file: None,
                    used: None,
                    late_noted: false,
                }),
                Err(e) => {
                    r.note(&format!(
                        "sora-tui: cannot share the poll with other waits ({}: {e}); polling alone",
                        dir.display()
                    ));
                    None
                }
            }
        });
        SharedWait {
            kind,
            id: id.to_string(),
            shared,
            base: Instant::now(),
        }
    }

    /// The next round's reads for this wait's task, `own` being what it last showed: as the
    /// leader (waiting out the schedule over every registered task, then reading for all and
    /// writing the snapshot), as a follower (from the leader's snapshot, taking the lead when
    /// the leader is gone), or alone. Each round comes at least the interval after the last
    /// one (the first too: right after a create the service only says `preprocessing`); a
    /// long wait ends at `deadline`, which gets its own last read.
    pub(super) async fn next(
        &mut self,
        client: &Client,
        own: &Stage,
        pace: Pace,
        deadline: Instant,
        r: &mut Reporter,
    ) -> Result<Reads, ApiError> {
        loop {
            let Some(shared) = &mut self.shared else {
                let delay = next_delay(std::slice::from_ref(own), self.base, pace);
                tokio::time::sleep_until(wake(self.base, delay, pace.min, deadline)).await;
                let plan = Plan::only(self.kind, &self.id);
                let reads = fetch(client, &plan).await?.reads(Instant::now());
                self.base = reads.at;
                return Ok(reads);
            };
            if shared.leader.is_none() {
                shared.leader = try_lead(&shared.dir);
            }
            if shared.leader.is_some() {
                let mut stages = vec![own.clone()];
                stages.extend(shared.others.values().filter_map(|o| o.stage.clone()));
                let delay = next_delay(&stages, self.base, pace);
                tokio::time::sleep_until(wake(self.base, delay, pace.min, deadline)).await;
                let plan = shared.plan(self.kind, &self.id);
                let fetched = fetch(client, &plan).await;
                let at = Instant::now();
                shared.round += 1;
                let snapshot = Snapshot {
                    version: SNAPSHOT_VERSION,
                    leader: std::process::id(),
                    round: shared.round,
                    at: crate::text::unix_now(),
                    videos: plan.videos.clone(),
                    images: plan.images.clone(),
                    error: fetched.as_ref().err().map(ToString::to_string),
                    ..fetched.as_ref().map(Fetched::snapshot).unwrap_or_default()
                };
                // A failed write only makes the followers poll on their own later.
                let _ = write_snapshot(&shared.dir, &snapshot);
                let fetched = fetched?;
                shared.track_others(&fetched, at);
                let reads = fetched.reads(at);
                self.base = at;
                return Ok(reads);
            }
            // A follower: the snapshot, until the leader is gone or stops answering.
            match shared.read_snapshot() {
                Ok(Some(snap)) => {
                    if let Some(reads) = snap.reads_for(self.kind, &self.id) {
                        shared.used = Some((snap.leader, snap.round));
                        shared.late_noted = false;
                        self.base = reads.at;
                        return Ok(reads);
                    }
                }
                Ok(None) | Err(Unusable::Missing) => {}
                Err(Unusable::Corrupt(why)) => {
                    r.note(&format!(
                        "sora-tui: the shared poll's snapshot is unusable ({why}); polling alone"
                    ));
                    self.shared = None;
                    continue;
                }
            }
            let now = Instant::now();
            let stale = now.saturating_duration_since(self.base);
            let bound = stale_bound(pace);
            if stale > bound {
                r.note(&format!(
                    "sora-tui: the wait polling for the others sent nothing for {} s; polling alone",
                    stale.as_secs()
                ));
                self.shared = None;
                continue;
            }
            if stale > bound * 2 / 3 && !shared.late_noted {
                shared.late_noted = true;
                r.note(&format!(
                    "sora-tui: the wait polling for the others is late ({} s); polling alone after {} s",
                    stale.as_secs(),
                    bound.as_secs()
                ));
            }
            if now >= deadline {
                // The deadline's last read, whoever polls.
                let plan = Plan::only(self.kind, &self.id);
                let reads = fetch(client, &plan).await?.reads(Instant::now());
                self.base = reads.at;
                return Ok(reads);
            }
            tokio::time::sleep(FOLLOW_CHECK.min(pace.fast)).await;
        }
    }
}

/// When a round timed from `base` with `delay` runs: a long wait ends at the deadline, but
/// no wait is cut below the interval for it (as when every wait was the interval).
fn wake(base: Instant, delay: Duration, interval: Duration, deadline: Instant) -> Instant {
    (base + delay).min(deadline.max(base + delay.min(interval)))
}

/// How stale the snapshot may get before a follower polls on its own: three times the
/// slowest pace (30 s at the default interval), at least [`STALE_FLOOR`]. The leader's rounds
/// are at most the slowest pace apart, plus their requests' time.
fn stale_bound(pace: Pace) -> Duration {
    (pace.max * 3).max(STALE_FLOOR)
}

/// The lead, if no one holds it: the lock file locked, with this pid written in it.
fn try_lead(dir: &Path) -> Option<File> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.join(LEADER_FILE))
        .ok()?;
    match file.try_lock() {
        Ok(()) => {
            let _ = file.set_len(0);
            let _ = write!(file, "{}", std::process::id());
            Some(file)
        }
        Err(TryLockError::WouldBlock | TryLockError::Error(_)) => None,
    }
}

/// Registers the task `id` in `dir`: the file is created and locked under a temp name, then
/// renamed into place, so a registration is never seen unlocked while its wait lives.
fn register(dir: &Path, kind: Kind, id: &str) -> std::io::Result<Registration> {
    let name = registration_name(kind, id).map_err(|e| std::io::Error::other(e.to_string()))?;
    let tasks = dir.join(TASKS_DIR);
    std::fs::create_dir_all(&tasks)?;
    let tmp = tasks.join(format!(".{name}.{}.tmp", std::process::id()));
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)?;
    if let Err(e) = file.try_lock() {
        let _ = std::fs::remove_file(&tmp);
        return Err(std::io::Error::other(e.to_string()));
    }
    let path = tasks.join(&name);
    if let Err(e) = std::fs::rename(&tmp, &path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(Registration { path, _file: file })
}

/// The live registrations in `tasks` other than `own_name`, at most [`MAX_REGISTRATIONS`];
/// a file whose lock can be taken belongs to no living wait (or is a temp file a crash left)
/// and is deleted.
fn live_registrations(tasks: &Path, own_name: &str) -> Vec<(Kind, String)> {
    let Ok(entries) = std::fs::read_dir(tasks) else {
        return Vec::new();
    };
    let mut live = Vec::new();
    for entry in entries.flatten().take(MAX_REGISTRATIONS * 2) {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name == own_name {
            continue;
        }
        // Regular files only: a pipe or a link placed here is not opened.
        let path = entry.path();
        if !std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file()) {
            continue;
        }
        let Ok(file) = File::open(&path) else {
            continue;
        };
        match file.try_lock() {
            Ok(()) => {
                let _ = std::fs::remove_file(&path);
            }
            Err(TryLockError::WouldBlock) => {
                if let Some(task) = parse_registration(name)
                    && live.len() < MAX_REGISTRATIONS
                {
                    live.push(task);
                }
            }
            Err(TryLockError::Error(_)) => {}
        }
    }
    live
}

/// Writes a snapshot atomically: a temp file beside it, renamed over it, so a reader sees the
/// old round or the new one, never a torn one. Not fsynced, unlike the store's documents
/// (`fsutil::write_atomic`): a snapshot is stale a round later, a crash losing it costs one
/// round, and an fsync on a busy disk can take seconds, which the followers would take for a
/// hung leader.
fn write_snapshot(dir: &Path, snapshot: &Snapshot) -> std::io::Result<()> {
    let bytes = serde_json::to_vec(snapshot).map_err(std::io::Error::other)?;
    let tmp = dir.join(format!(".{SNAPSHOT_FILE}.{}.tmp", std::process::id()));
    // A leftover of a crashed leader that had this pid would make `create_new` fail.
    let _ = std::fs::remove_file(&tmp);
    let written = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| f.write_all(&bytes))
        .and_then(|()| std::fs::rename(&tmp, dir.join(SNAPSHOT_FILE)));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

impl Shared {
    /// The tasks of the round: this wait's and every live registration's. The leader's view
    /// of the others follows: new ones start fresh, gone ones are forgotten.
    fn plan(&mut self, kind: Kind, id: &str) -> Plan {
        let own_name = registration_name(kind, id).unwrap_or_default();
        let live = live_registrations(&self.dir.join(TASKS_DIR), &own_name);
        let mut plan = Plan::only(kind, id);
        let mut others = HashMap::new();
        for (kind, other) in live {
            if other == id || others.contains_key(&other) {
                continue;
            }
            let known = self.others.remove(&other).unwrap_or(Other {
                kind,
                trace: Trace::default(),
                stage: Some(Stage::Fresh),
            });
            match kind {
                Kind::Video => plan.videos.push(other.clone()),
                Kind::Image => plan.images.push(other.clone()),
            }
            others.insert(other, known);
        }
        self.others = others;
        plan
    }

    /// What the round showed of the others' tasks, for the schedule: the same reading of a
    /// video's pace as the wait's own (`Trace`), none for a task that finished.
    fn track_others(&mut self, fetched: &Fetched, at: Instant) {
        for (id, other) in &mut self.others {
            other.stage = match other.kind {
                Kind::Video => {
                    let pending = fetched.pending.as_deref().unwrap_or_default();
                    if let Some(item) = pending.iter().find(|t| &t.id == id) {
                        other.trace.observe(item, at);
                    }
                    match observe_video(id, pending, fetched.drafts.as_deref()) {
                        VideoState::Working { status, progress } => {
                            Some(other.trace.stage(&status, progress))
                        }
                        VideoState::Finishing | VideoState::DraftNotReady => Some(Stage::Finishing),
                        VideoState::Done(_) | VideoState::Failed(_) | VideoState::Violation(_) => {
                            None
                        }
                    }
                }
                Kind::Image => {
                    let recent = fetched.recent.as_deref().unwrap_or_default();
                    match observe_image(id, recent) {
                        ImageState::Working { .. } | ImageState::Missing => Some(Stage::Unknown),
                        ImageState::Done(_) | ImageState::Failed(_) => None,
                    }
                }
            };
        }
    }

    /// The snapshot, when it changed since the last look; `Ok(None)` when it did not.
    fn read_snapshot(&mut self) -> Result<Option<Snapshot>, Unusable> {
        use std::os::unix::fs::MetadataExt;
        let path = self.dir.join(SNAPSHOT_FILE);
        let meta = match crate::fsutil::metadata(&path) {
            Ok(m) => m,
            Err(crate::fsutil::ReadError::Missing) => return Err(Unusable::Missing),
            Err(e) => return Err(Unusable::Corrupt(e.reason())),
        };
        let identity = (
            meta.ino(),
            meta.len(),
            meta.modified().unwrap_or(std::time::UNIX_EPOCH),
        );
        if self.seen_file == Some(identity) {
            return Ok(None);
        }
        let bytes = match crate::fsutil::read_capped(&path, MAX_SNAPSHOT) {
            Ok(b) => b,
            // Replaced between the stat and the read: the next look reads the new one.
            Err(crate::fsutil::ReadError::Missing) => return Ok(None),
            Err(e) => return Err(Unusable::Corrupt(e.reason())),
        };
        self.seen_file = Some(identity);
        let snap = parse_snapshot(&bytes)?;
        if self.used == Some((snap.leader, snap.round)) {
            return Ok(None);
        }
        Ok(Some(snap))
    }
}

impl Snapshot {
    /// The reads of this round for the task `id`, when the round was for it and has what
    /// its `observe_*` needs; `None` otherwise (a round from before it registered, a failed
    /// round).
    fn reads_for(&self, kind: Kind, id: &str) -> Option<Reads> {
        if self.error.is_some() {
            return None;
        }
        let ago =
            Duration::try_from_secs_f64((crate::text::unix_now() - self.at).clamp(0.0, 3600.0))
                .unwrap_or_default();
        let now = Instant::now();
        let at = now.checked_sub(ago).unwrap_or(now);
        match kind {
            Kind::Video => {
                if !self.videos.iter().any(|v| v == id) {
                    return None;
                }
                let pending = self.pending.clone()?;
                // A round that saw the task gone from pending read the drafts for it.
                if !pending.iter().any(|t| t.id == id) && self.drafts.is_none() {
                    return None;
                }
                Some(Reads {
                    pending,
                    drafts: self.drafts.clone(),
                    recent: Vec::new(),
                    at,
                })
            }
            Kind::Image => {
                if !self.images.iter().any(|v| v == id) {
                    return None;
                }
                Some(Reads {
                    pending: Vec::new(),
                    drafts: None,
                    recent: self.recent.clone()?,
                    at,
                })
            }
        }
    }
}

/// The tasks one round reads for.
#[derive(Debug, Default)]
struct Plan {
    videos: Vec<String>,
    images: Vec<String>,
}

impl Plan {
    /// A round for one task.
    fn only(kind: Kind, id: &str) -> Plan {
        let mut plan = Plan::default();
        match kind {
            Kind::Video => plan.videos.push(id.to_string()),
            Kind::Image => plan.images.push(id.to_string()),
        }
        plan
    }
}

/// What a round read.
#[derive(Debug, Default)]
struct Fetched {
    pending: Option<Vec<TaskInfo>>,
    drafts: Option<Vec<Draft>>,
    recent: Option<Vec<TaskInfo>>,
}

impl Fetched {
    /// Its lists for a snapshot.
    fn snapshot(&self) -> Snapshot {
        Snapshot {
            pending: self.pending.clone(),
            drafts: self.drafts.clone(),
            recent: self.recent.clone(),
            ..Snapshot::default()
        }
    }

    /// Its lists as one wait's reads.
    fn reads(self, at: Instant) -> Reads {
        Reads {
            pending: self.pending.unwrap_or_default(),
            drafts: self.drafts,
            recent: self.recent.unwrap_or_default(),
            at,
        }
    }
}

/// One round: one pending read when a video is in the plan, one drafts page when one of them
/// left pending, one recent-tasks read when an image is in it, however many tasks it holds.
async fn fetch(client: &Client, plan: &Plan) -> Result<Fetched, ApiError> {
    let mut fetched = Fetched::default();
    if !plan.videos.is_empty() {
        let pending = client.pending().await?;
        let left = plan
            .videos
            .iter()
            .any(|id| !pending.iter().any(|t| &t.id == id));
        if left {
            fetched.drafts = Some(client.drafts(DRAFTS_PAGE, None).await?.items);
        }
        fetched.pending = Some(pending);
    }
    if !plan.images.is_empty() {
        fetched.recent = Some(client.recent_tasks(RECENT_LIMIT).await?);
    }
    Ok(fetched)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_never_holds_the_token_and_separates_accounts_and_backends() {
        let token = "eyJhbGciOiJSUzI1NiJ9.secret-part-of-the-token";
        let k = key("https://sora.example/backend/", token);
        assert_eq!(k.len(), 32);
        assert!(k.bytes().all(|b| b.is_ascii_hexdigit()), "{k}");
        // No piece of the token of 4 characters or more shows in the name.
        for w in token.as_bytes().windows(4) {
            let piece = std::str::from_utf8(w).unwrap();
            assert!(!k.contains(piece), "{k} holds {piece}");
        }
        assert_eq!(k, key("https://sora.example/backend", token), "one backend");
        assert_ne!(k, key("https://sora.example/backend", "another-token"));
        assert_ne!(k, key("http://127.0.0.1:9/backend", token));
    }

    #[test]
    fn registrations_are_named_by_a_valid_id_and_nothing_else_reads_as_one() {
        assert_eq!(
            registration_name(Kind::Video, "task_01abc").unwrap(),
            "task_01abc.video"
        );
        assert_eq!(
            parse_registration("task_01abc.image"),
            Some((Kind::Image, "task_01abc".into()))
        );
        for bad in ["", "..", "../x", "a/b", "a b", "a.b"] {
            assert!(registration_name(Kind::Video, bad).is_err(), "{bad:?}");
        }
        for bad in [
            ".task_1.video.42.tmp",
            "task_1.mp4",
            ".video",
            "../x.video",
            "a.b.video",
            "task_1",
        ] {
            assert_eq!(parse_registration(bad), None, "{bad:?}");
        }
    }

    fn snapshot_bytes(snap: &Snapshot) -> Vec<u8> {
        serde_json::to_vec(snap).unwrap()
    }

    #[test]
    fn a_snapshot_round_trips_into_the_same_observation() {
        let item = TaskInfo {
            id: "task_a".into(),
            status: "running".into(),
            progress_pct: Some(0.4),
            ..TaskInfo::default()
        };
        let draft: Draft = serde_json::from_value(serde_json::json!({
            "id": "gen_b", "task_id": "task_b", "kind": "sora_draft",
            "url": "https://videos.example/b.mp4", "downloadable_url": "https://videos.example/b.mp4"
        }))
        .unwrap();
        let snap = Snapshot {
            version: SNAPSHOT_VERSION,
            leader: 7,
            round: 3,
            // Exact in binary: JSON's float text need not give every f64 back bit for bit.
            at: 1_700_000_000.5,
            videos: vec!["task_a".into(), "task_b".into()],
            pending: Some(vec![item]),
            drafts: Some(vec![draft]),
            ..Snapshot::default()
        };
        let back = parse_snapshot(&snapshot_bytes(&snap)).unwrap();
        assert_eq!(back, snap);
        let a = back.reads_for(Kind::Video, "task_a").unwrap();
        assert!(matches!(
            observe_video("task_a", &a.pending, a.drafts.as_deref()),
            VideoState::Working { .. }
        ));
        let b = back.reads_for(Kind::Video, "task_b").unwrap();
        let direct = observe_video(
            "task_b",
            &snap.pending.clone().unwrap(),
            snap.drafts.as_deref(),
        );
        assert_eq!(
            observe_video("task_b", &b.pending, b.drafts.as_deref()),
            direct
        );
        assert!(matches!(direct, VideoState::Done(_)), "{direct:?}");
        // Not for a task the round was not for, nor for an image of that id.
        assert!(back.reads_for(Kind::Video, "task_c").is_none());
        assert!(back.reads_for(Kind::Image, "task_a").is_none());
        // A failed round serves no one.
        let failed = Snapshot {
            error: Some("boom".into()),
            ..snap.clone()
        };
        assert!(failed.reads_for(Kind::Video, "task_a").is_none());
        // A round that saw a task gone from pending but holds no drafts is not used for it.
        let no_drafts = Snapshot {
            drafts: None,
            ..snap
        };
        assert!(no_drafts.reads_for(Kind::Video, "task_b").is_none());
    }

    #[test]
    fn a_snapshot_out_of_bounds_or_of_another_format_is_refused() {
        let good = Snapshot {
            version: SNAPSHOT_VERSION,
            at: 1.0,
            ..Snapshot::default()
        };
        assert!(parse_snapshot(&snapshot_bytes(&good)).is_ok());
        let other_format = Snapshot {
            version: SNAPSHOT_VERSION + 1,
            ..good.clone()
        };
        let flooded = Snapshot {
            videos: (0..=MAX_REGISTRATIONS)
                .map(|n| format!("task_{n}"))
                .collect(),
            images: vec!["task_x".into()],
            ..good.clone()
        };
        for bad in [
            snapshot_bytes(&other_format),
            snapshot_bytes(&flooded),
            b"{\"version\":1,".to_vec(),
            b"\xff\xfe".to_vec(),
            b"[]".to_vec(),
        ] {
            assert!(
                matches!(parse_snapshot(&bad), Err(Unusable::Corrupt(_))),
                "{}",
                String::from_utf8_lossy(&bad)
            );
        }
    }

    #[test]
    fn a_huge_or_unreadable_snapshot_file_is_corrupt_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let registration = register(dir.path(), Kind::Video, "task_me").unwrap();
        let mut shared = Shared {
            dir: dir.path().to_path_buf(),
            _registration: registration,
            leader: None,
            others: HashMap::new(),
            round: 0,
            seen_file: None,
            used: None,
            late_noted: false,
        };
        assert_eq!(shared.read_snapshot().unwrap_err(), Unusable::Missing);
        // A valid snapshot, padded with blanks past the bound: parseable, but not read.
        let path = dir.path().join(SNAPSHOT_FILE);
        let mut bytes = snapshot_bytes(&Snapshot {
            version: SNAPSHOT_VERSION,
            at: 1.0,
            ..Snapshot::default()
        });
        bytes.resize(MAX_SNAPSHOT as usize + 1, b' ');
        assert!(parse_snapshot(&bytes).is_ok());
        std::fs::write(&path, &bytes).unwrap();
        assert!(matches!(shared.read_snapshot(), Err(Unusable::Corrupt(_))));
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(&path).unwrap();
        assert!(matches!(shared.read_snapshot(), Err(Unusable::Corrupt(_))));
    }

    #[test]
    fn a_registration_is_locked_while_its_wait_lives_and_removed_after() {
        let dir = tempfile::tempdir().unwrap();
        let tasks = dir.path().join(TASKS_DIR);
        let mine = register(dir.path(), Kind::Video, "task_me").unwrap();
        let other = register(dir.path(), Kind::Image, "task_other").unwrap();
        // A dead wait's registration (no lock) and a crash's temp file are cleared away.
        std::fs::write(tasks.join("task_dead.video"), b"").unwrap();
        std::fs::write(tasks.join(".task_x.video.1.tmp"), b"").unwrap();
        let live = live_registrations(&tasks, "task_me.video");
        assert_eq!(live, vec![(Kind::Image, "task_other".to_string())]);
        assert!(!tasks.join("task_dead.video").exists());
        assert!(!tasks.join(".task_x.video.1.tmp").exists());
        assert!(tasks.join("task_me.video").exists());
        drop(other);
        assert!(!tasks.join("task_other.image").exists());
        assert!(live_registrations(&tasks, "task_me.video").is_empty());
        drop(mine);
        assert!(!tasks.join("task_me.video").exists());
    }

    #[test]
    fn one_lead_at_a_time_and_the_next_gets_it_when_it_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = try_lead(dir.path()).expect("the lead is free");
        assert!(try_lead(dir.path()).is_none(), "two leaders");
        let pid = std::fs::read_to_string(dir.path().join(LEADER_FILE)).unwrap();
        assert_eq!(pid, std::process::id().to_string());
        drop(first);
        assert!(try_lead(dir.path()).is_some(), "the lead was not handed on");
    }
}
