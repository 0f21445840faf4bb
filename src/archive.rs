//! The account archive: every draft (all pages), the account's published posts, its image
//! generations and the cameos recorded in the data dir, each media file downloaded into one
//! folder with a sidecar, described by `DIR/manifest.json` and `DIR/manifest.csv`.
//!
//! Shared by `sora-tui archive` (`cli/headless/archive.rs`) and the TUI's background job;
//! it calls the [`Client`] directly, as `api::reconcile` does, and knows nothing of the UI.
//!
//! Guarantees (docs/architecture.md, "Archive"):
//! * **Incremental**: an entry the manifest lists as downloaded whose file still has the
//!   recorded size (and hash, when its modification time changed) is not fetched again.
//! * **Resumable**: files arrive through `NAME.part` and are renamed when complete
//!   ([`Client::download_to`]); the manifest is rewritten atomically after every file, so a
//!   killed run leaves at most `.part` files, which the next run resumes.
//! * **Hostile data**: ids are checked ([`crate::api::valid_id`]) before they name a file;
//!   names come from [`file_name`]; CSV cells are quoted and formula-neutralised; the
//!   manifest read is capped.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::api::{ApiError, Client, Draft, DraftVerdict, is_expired_link, valid_id};
use crate::worker::{Naming, PageStep, Pager, Sidecar, file_name, sidecar_path};

/// Downloads running at once.
pub const CONCURRENCY: usize = 4;
/// Drafts and posts asked for per page.
const PAGE: u32 = 50;
/// Image tasks read (the service lists recent ones only).
const IMAGE_TASKS: u32 = 100;
/// The largest manifest read back: 200 000 entries of a few hundred bytes.
const MANIFEST_MAX: u64 = 64 * 1024 * 1024;
/// Longest prompt kept in the manifest, in bytes.
const PROMPT_MAX: usize = 4000;
/// The manifest's name inside the archive folder.
pub const MANIFEST: &str = "manifest.json";
/// The CSV copy's name.
pub const MANIFEST_CSV: &str = "manifest.csv";

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A draft (`gen_…`), video.
    Draft,
    /// A published post (`s_…`) whose draft is not listed (else it points at the draft's file).
    Post,
    /// One image of an image generation (`gen_…`).
    Image,
    /// A cameo recorded in this data dir (`cameo_…`), with its avatar.
    Cameo,
}

/// Where an entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The file is in the archive, complete.
    Downloaded,
    /// Deliberately not downloaded (`reason` says why: the same file as a draft, a link
    /// that cannot be renewed).
    Skipped,
    /// The download failed; `reason` says why. The next run tries again.
    Failed,
    /// The service lists it without media.
    NoMedia,
    /// Moderation blocked it; there is no file.
    ContentViolation,
}

impl Status {
    /// The word used in the manifest and the CSV.
    pub fn word(self) -> &'static str {
        match self {
            Status::Downloaded => "downloaded",
            Status::Skipped => "skipped",
            Status::Failed => "failed",
            Status::NoMedia => "no_media",
            Status::ContentViolation => "content_violation",
        }
    }
}

/// One thing archived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// What it is.
    pub kind: EntryKind,
    /// Its id (checked: an entry whose id is not one is never made).
    pub id: String,
    /// The generation it shows, for posts and images.
    #[serde(default)]
    pub generation_id: Option<String>,
    /// The task that made it.
    #[serde(default)]
    pub task_id: Option<String>,
    /// The post it is published as.
    #[serde(default)]
    pub post_id: Option<String>,
    /// The service's kind word (`sora_draft`, `sora_content_violation`).
    #[serde(default)]
    pub draft_kind: Option<String>,
    /// The prompt (bounded), as the service sent it; the CSV sanitises it.
    #[serde(default)]
    pub prompt: Option<String>,
    /// Pixels.
    #[serde(default)]
    pub width: Option<f64>,
    /// Pixels.
    #[serde(default)]
    pub height: Option<f64>,
    /// Seconds.
    #[serde(default)]
    pub duration_s: Option<f64>,
    /// Unix seconds.
    #[serde(default)]
    pub created_at: Option<f64>,
    /// The file, relative to the archive folder.
    #[serde(default)]
    pub file: Option<String>,
    /// The file's size.
    #[serde(default)]
    pub bytes: Option<u64>,
    /// The file's SHA-256, hex.
    #[serde(default)]
    pub sha256: Option<String>,
    /// The file's modification time when it was hashed (unix seconds): an unchanged time
    /// spares the hash on the next run.
    #[serde(default)]
    pub mtime: Option<f64>,
    /// Where it stands.
    pub status: Status,
    /// Why it failed or was skipped.
    #[serde(default)]
    pub reason: Option<String>,
}

impl Entry {
    /// An entry of `kind` with its id and status and nothing else known yet: the archive
    /// fills in what the service told about it.
    fn new(kind: EntryKind, id: String, status: Status) -> Entry {
        Entry {
            kind,
            id,
            generation_id: None,
            task_id: None,
            post_id: None,
            draft_kind: None,
            prompt: None,
            width: None,
            height: None,
            duration_s: None,
            created_at: None,
            file: None,
            bytes: None,
            sha256: None,
            mtime: None,
            status,
            reason: None,
        }
    }
}

/// `DIR/manifest.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The format's version: 1.
    pub version: u32,
    /// The backend archived.
    #[serde(default)]
    pub backend: String,
    /// Unix seconds of the last write.
    #[serde(default)]
    pub updated_at: f64,
    /// Everything archived, drafts first in the service's order.
    #[serde(default)]
    pub entries: Vec<Entry>,
}

/// What a run did, for the summary line, the toast and `--json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Entries in the manifest.
    pub entries: usize,
    /// Files downloaded by this run.
    pub new: usize,
    /// Files already complete from an earlier run.
    pub skipped: usize,
    /// Downloads that failed, with their reasons.
    pub failed: Vec<Failed>,
    /// Entries without a file (no media, content violation, deliberately skipped).
    pub without_file: usize,
    /// Bytes downloaded by this run.
    pub bytes: u64,
    /// Warnings: a listing that stopped early, an unreadable record file.
    pub warnings: Vec<String>,
    /// The manifest's path.
    pub manifest: PathBuf,
}

/// One failed download.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failed {
    /// The entry's id.
    pub id: String,
    /// Why.
    pub reason: String,
}

/// Progress after each file: what a bar or the status bar shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Files finished (downloaded, skipped or failed).
    pub done: usize,
    /// Files to look at.
    pub total: usize,
    /// Failures so far.
    pub failed: usize,
    /// Bytes downloaded so far by this run.
    pub bytes: u64,
}

/// What to archive and where.
#[derive(Debug, Clone)]
pub struct Options {
    /// The archive folder.
    pub dir: PathBuf,
    /// The data dir whose `cameos.json` names the cameos to include; `None`: no cameos.
    pub data_dir: Option<PathBuf>,
    /// How files are named.
    pub naming: Naming,
}

/// How to renew an entry's link when it has expired.
#[derive(Debug, Clone)]
enum Refresh {
    Draft(String),
    Post(String),
    Image { task: String, gen_id: String },
    Cameo(String),
}

/// One download to do.
struct Job {
    index: usize,
    url: String,
    dest: PathBuf,
    refresh: Refresh,
    draft: Option<Draft>,
}

/// Runs an archive: lists, downloads (at most [`CONCURRENCY`] at once), and writes the
/// manifest after every file; `progress` is called after each. A failed listing is an
/// error (nothing is written over the old manifest); failed files are in the summary.
pub async fn run(
    client: &Client,
    opts: &Options,
    mut progress: impl FnMut(Progress),
) -> Result<Summary, ApiError> {
    let dir = &opts.dir;
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| ApiError::Io(format!("cannot create {}: {e}", dir.display())))?;
    let old = read_manifest(dir);
    let mut summary = Summary {
        manifest: dir.join(MANIFEST),
        ..Summary::default()
    };
    let (mut entries, jobs) = collect(client, opts, &old, &mut summary).await?;
    let mut manifest = Manifest {
        version: 1,
        backend: client.base_url().to_string(),
        updated_at: now(),
        entries: Vec::new(),
    };
    // Entries already complete are kept as they were.
    let mut todo = Vec::new();
    for job in jobs {
        if complete(dir, &mut entries[job.index]).await {
            summary.skipped += 1;
        } else {
            todo.push(job);
        }
    }
    let mut state = Progress {
        done: summary.skipped,
        total: summary.skipped + todo.len(),
        ..Progress::default()
    };
    progress(state);
    manifest.entries = entries;
    write_manifest(dir, &mut manifest)?;
    let mut results = futures_util::stream::iter(todo.into_iter().map(|job| async move {
        let result = fetch(client, &job).await;
        (job, result)
    }))
    .buffer_unordered(CONCURRENCY);
    while let Some((job, result)) = results.next().await {
        let entry = &mut manifest.entries[job.index];
        match result {
            Ok((path, bytes, sha, mtime)) => {
                entry.file = relative(dir, &path);
                entry.bytes = Some(bytes);
                entry.sha256 = Some(sha);
                entry.mtime = mtime;
                entry.status = Status::Downloaded;
                entry.reason = None;
                summary.new += 1;
                summary.bytes += bytes;
                state.bytes += bytes;
            }
            Err(e) => {
                let reason = e.to_string();
                entry.status = Status::Failed;
                entry.reason = Some(reason.clone());
                summary.failed.push(Failed {
                    id: entry.id.clone(),
                    reason,
                });
                state.failed += 1;
            }
        }
        state.done += 1;
        write_manifest(dir, &mut manifest)?;
        progress(state);
    }
    drop(results);
    summary.entries = manifest.entries.len();
    summary.without_file = manifest
        .entries
        .iter()
        .filter(|e| !matches!(e.status, Status::Downloaded | Status::Failed))
        .count();
    write_csv(dir, &manifest.entries)?;
    Ok(summary)
}

/// Lists everything and makes an entry per item, and a job per file to get.
async fn collect(
    client: &Client,
    opts: &Options,
    old: &HashMap<(EntryKind, String), Entry>,
    summary: &mut Summary,
) -> Result<(Vec<Entry>, Vec<Job>), ApiError> {
    let mut entries = Vec::new();
    let mut jobs = Vec::new();
    let mut seen = HashSet::new();
    let mut push = |entry: Entry, job: Option<(String, PathBuf, Refresh, Option<Draft>)>| {
        if !seen.insert((entry.kind, entry.id.clone())) {
            return;
        }
        let index = entries.len();
        let mut entry = entry;
        if let Some(prev) = old.get(&(entry.kind, entry.id.clone())) {
            entry.file = prev.file.clone();
            entry.bytes = prev.bytes;
            entry.sha256 = prev.sha256.clone();
            entry.mtime = prev.mtime;
            if prev.status == Status::Downloaded && job.is_some() {
                entry.status = Status::Downloaded;
            }
        }
        entries.push(entry);
        if let Some((url, dest, refresh, draft)) = job {
            jobs.push(Job {
                index,
                url,
                dest,
                refresh,
                draft,
            });
        }
    };
    // Drafts, every page.
    let drafts_dir = opts.dir.join("drafts");
    let mut listed: HashMap<String, String> = HashMap::new();
    let mut pager = Pager::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = client.drafts(PAGE, cursor.as_deref()).await?;
        let (fresh, step) = pager.page(page.items, page.cursor);
        for d in fresh {
            let Some(id) = d.gen_id().filter(|id| valid_id(id)).map(str::to_owned) else {
                summary
                    .warnings
                    .push("a draft without a valid id was left out".into());
                continue;
            };
            let mut entry = Entry {
                generation_id: Some(id.clone()),
                task_id: d.task_id.clone().filter(|t| valid_id(t)),
                post_id: d.published_post_id().filter(|p| valid_id(p)),
                draft_kind: d.kind.as_deref().map(|k| bounded(k, 64)),
                prompt: d.prompt.as_deref().map(|p| bounded(p, PROMPT_MAX)),
                width: d.width,
                height: d.height,
                duration_s: d.duration_s,
                created_at: d.created_at,
                ..Entry::new(EntryKind::Draft, id.clone(), Status::Failed)
            };
            match d.verdict() {
                DraftVerdict::Violation(why) => {
                    entry.status = Status::ContentViolation;
                    entry.reason = Some(bounded(&why, 500));
                    push(entry, None);
                }
                DraftVerdict::NotReady => {
                    entry.status = Status::NoMedia;
                    push(entry, None);
                }
                DraftVerdict::Ready => {
                    let url = d.best_url().unwrap_or_default().to_string();
                    let name = file_name(&opts.naming, &d, &url, false)?;
                    listed.insert(id.clone(), format!("drafts/{name}"));
                    let job = (url, drafts_dir.join(name), Refresh::Draft(id), Some(d));
                    push(entry, Some(job));
                }
            }
        }
        match step {
            PageStep::Next(c) => cursor = Some(c),
            PageStep::End => break,
            PageStep::Stopped(why) => {
                summary.warnings.push(why.message(pager.pages()));
                break;
            }
        }
    }
    // The account's own posts.
    let posts_dir = opts.dir.join("posts");
    let mut cursors = HashSet::new();
    let mut cursor: Option<String> = None;
    for _ in 0..crate::worker::MAX_PAGES {
        let page = client.my_posts(PAGE, cursor.as_deref()).await?;
        let had = !page.items.is_empty();
        for post in page.items.into_iter().filter_map(|i| i.post) {
            if !valid_id(&post.id) {
                continue;
            }
            let att = post.attachments.first();
            let gen_id = att
                .and_then(|a| a.generation_id.clone())
                .filter(|g| valid_id(g));
            let mut entry = Entry {
                generation_id: gen_id.clone(),
                post_id: Some(post.id.clone()),
                ..Entry::new(EntryKind::Post, post.id.clone(), Status::Skipped)
            };
            if let Some(file) = gen_id.as_ref().and_then(|g| listed.get(g)) {
                entry.reason = Some(format!("the same file as its draft: {file}"));
                push(entry, None);
                continue;
            }
            let url = att
                .and_then(|a| a.downloadable_url.clone().or_else(|| a.url.clone()))
                .filter(|u| !u.is_empty());
            match url {
                None => {
                    entry.status = Status::NoMedia;
                    push(entry, None);
                }
                Some(url) => {
                    let name = crate::fsutil::id_file_name(
                        "post",
                        &post.id,
                        "",
                        crate::fsutil::media_extension(&url, "mp4"),
                    )?;
                    let job = (
                        url,
                        posts_dir.join(name),
                        Refresh::Post(post.id.clone()),
                        None,
                    );
                    push(entry, Some(job));
                }
            }
        }
        match page.cursor.filter(|c| !c.is_empty()) {
            Some(c) if had && cursors.insert(c.clone()) => cursor = Some(c),
            _ => break,
        }
    }
    // Image generations.
    let images_dir = opts.dir.join("images");
    match client.recent_tasks(IMAGE_TASKS).await {
        Ok(tasks) => {
            for t in tasks.into_iter().filter(|t| valid_id(&t.id)) {
                for g in &t.generations {
                    let Some(gen_id) = g.id.clone().filter(|g| valid_id(g)) else {
                        continue;
                    };
                    let mut entry = Entry {
                        generation_id: Some(gen_id.clone()),
                        task_id: Some(t.id.clone()),
                        prompt: t.prompt.as_deref().map(|p| bounded(p, PROMPT_MAX)),
                        width: g.width,
                        height: g.height,
                        ..Entry::new(EntryKind::Image, gen_id.clone(), Status::NoMedia)
                    };
                    match g.url.clone().filter(|u| !u.is_empty()) {
                        None => push(entry, None),
                        Some(url) => {
                            entry.status = Status::Failed;
                            let name = crate::fsutil::id_file_name(
                                "image",
                                &gen_id,
                                "",
                                crate::fsutil::media_extension(&url, "png"),
                            )?;
                            let refresh = Refresh::Image {
                                task: t.id.clone(),
                                gen_id: gen_id.clone(),
                            };
                            push(entry, Some((url, images_dir.join(name), refresh, None)));
                        }
                    }
                }
            }
        }
        Err(e) => summary
            .warnings
            .push(format!("the image generations could not be listed: {e}")),
    }
    // Cameos recorded here.
    if let Some(data_dir) = &opts.data_dir {
        let store = crate::store::Store::new(data_dir).for_backend(client.base_url());
        match store.load::<Vec<crate::cameo_record::CameoRecord>>("cameos.json") {
            Ok(records) => {
                let cameos_dir = opts.dir.join("cameos");
                for r in records.unwrap_or_default() {
                    let Some(id) = r.cameo_id.clone().filter(|c| valid_id(c)) else {
                        continue;
                    };
                    let entry = Entry {
                        prompt: r.username.as_deref().map(|u| bounded(u, 200)),
                        created_at: Some(r.created_at),
                        ..Entry::new(EntryKind::Cameo, id.clone(), Status::NoMedia)
                    };
                    let url = r
                        .hints
                        .as_ref()
                        .and_then(|h| h.profile_asset_url.clone())
                        .filter(|u| !u.is_empty());
                    match url {
                        None => push(entry, None),
                        Some(url) => {
                            let name = crate::fsutil::id_file_name("cameo", &id, "", "webp")?;
                            let job = (url, cameos_dir.join(name), Refresh::Cameo(id), None);
                            push(entry, Some(job));
                        }
                    }
                }
            }
            Err(e) => summary
                .warnings
                .push(format!("the cameo records could not be read: {e}")),
        }
    }
    Ok((entries, jobs))
}

/// Whether an entry's file is complete: listed as downloaded, present as a regular file of
/// the recorded size, and of the recorded hash when its modification time changed.
async fn complete(dir: &Path, entry: &mut Entry) -> bool {
    if entry.status != Status::Downloaded {
        return false;
    }
    let (Some(file), Some(bytes)) = (entry.file.clone(), entry.bytes) else {
        entry.status = Status::Failed;
        return false;
    };
    let path = dir.join(&file);
    let ok = match tokio::fs::symlink_metadata(&path).await {
        Ok(m) if m.is_file() && m.len() == bytes => {
            let mtime = mtime_of(&m);
            if mtime.is_some() && mtime == entry.mtime {
                true
            } else {
                let hashed = hash_file(path.clone()).await.ok();
                entry.mtime = mtime;
                hashed.is_some() && hashed == entry.sha256
            }
        }
        _ => false,
    };
    if !ok {
        entry.status = Status::Failed;
        // A wrong file under the name would be "complete" to the download: it goes.
        let _ = tokio::fs::remove_file(&path).await;
    }
    ok
}

/// Downloads one file (renewing an expired link once), writes its sidecar, and hashes it.
async fn fetch(
    client: &Client,
    job: &Job,
) -> Result<(PathBuf, u64, String, Option<f64>), ApiError> {
    if let Some(parent) = job.dest.parent() {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(|e| ApiError::Io(format!("cannot create {}: {e}", parent.display())))?;
    }
    let mut url = job.url.clone();
    let done = match client.download_to(&url, &job.dest, None, |_, _| {}).await {
        Err(e) if is_expired_link(&e) => {
            url = fresh_url(client, &job.refresh).await?;
            client.download_to(&url, &job.dest, None, |_, _| {}).await?
        }
        other => other?,
    };
    let d = job.draft.as_ref();
    let sidecar = Sidecar {
        prompt: d.and_then(|d| d.prompt.clone()),
        title: d.and_then(|d| d.title.clone()),
        generation_id: match &job.refresh {
            Refresh::Draft(g) | Refresh::Image { gen_id: g, .. } => g.clone(),
            Refresh::Post(_) | Refresh::Cameo(_) => String::new(),
        },
        task_id: d.and_then(|d| d.task_id.clone()),
        post_id: match &job.refresh {
            Refresh::Post(p) => Some(p.clone()),
            _ => d.and_then(Draft::published_post_id),
        },
        width: d.and_then(|d| d.width),
        height: d.and_then(|d| d.height),
        duration_s: d.and_then(|d| d.duration_s),
        clean: false,
        media_host: reqwest::Url::parse(&url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned)),
        downloaded_at: now(),
        bytes: done.bytes,
    };
    let side = serde_json::to_vec_pretty(&sidecar).map_err(|e| ApiError::Io(e.to_string()))?;
    crate::store::write_atomic(&sidecar_path(&done.path), &side)
        .map_err(|e| ApiError::Io(e.to_string()))?;
    let sha = hash_file(done.path.clone()).await?;
    let mtime = tokio::fs::metadata(&done.path)
        .await
        .ok()
        .and_then(|m| mtime_of(&m));
    Ok((done.path, done.bytes, sha, mtime))
}

/// A fresh link for an entry whose link expired.
async fn fresh_url(client: &Client, refresh: &Refresh) -> Result<String, ApiError> {
    let gone = |what: &str| ApiError::BadResponse {
        detail: format!("the media link expired and {what}"),
    };
    match refresh {
        Refresh::Draft(gen_id) => {
            let mut pager = Pager::new();
            let mut cursor: Option<String> = None;
            loop {
                let page = client.drafts(PAGE, cursor.as_deref()).await?;
                let (fresh, step) = pager.page(page.items, page.cursor);
                if let Some(d) = fresh.iter().find(|d| d.gen_id() == Some(gen_id)) {
                    return d
                        .best_url()
                        .map(str::to_owned)
                        .ok_or_else(|| gone("the draft has no media now"));
                }
                match step {
                    PageStep::Next(c) => cursor = Some(c),
                    _ => return Err(gone("the draft is no longer listed")),
                }
            }
        }
        Refresh::Post(id) => {
            let post = client.get_post(id).await?;
            post.attachments
                .first()
                .and_then(|a| a.downloadable_url.clone().or_else(|| a.url.clone()))
                .ok_or_else(|| gone("the post has no file"))
        }
        Refresh::Image { task, gen_id } => client
            .recent_tasks(IMAGE_TASKS)
            .await?
            .into_iter()
            .filter(|t| &t.id == task)
            .flat_map(|t| t.generations)
            .find(|g| g.id.as_deref() == Some(gen_id))
            .and_then(|g| g.url)
            .ok_or_else(|| gone("the image is no longer listed")),
        Refresh::Cameo(id) => client
            .cameo_progress(id)
            .await?
            .profile_asset_url
            .ok_or_else(|| gone("the cameo has no avatar now")),
    }
}

/// The previous manifest's entries by kind and id; none when missing or unreadable (the
/// files are then checked afresh: a complete file under its name is not downloaded again).
fn read_manifest(dir: &Path) -> HashMap<(EntryKind, String), Entry> {
    let Ok(bytes) = crate::fsutil::read_capped(&dir.join(MANIFEST), MANIFEST_MAX) else {
        return HashMap::new();
    };
    let manifest: Manifest = serde_json::from_slice(&bytes).unwrap_or_default();
    manifest
        .entries
        .into_iter()
        .filter(|e| valid_id(&e.id))
        .filter(|e| e.file.as_deref().is_none_or(safe_relative))
        .map(|e| ((e.kind, e.id.clone()), e))
        .collect()
}

/// A manifest path that stays inside the archive: `folder/name`, no `..`, not absolute.
fn safe_relative(file: &str) -> bool {
    !file.is_empty()
        && !file.starts_with('/')
        && file
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != ".." && !p.contains('\\'))
}

/// Writes `manifest.json` atomically.
fn write_manifest(dir: &Path, manifest: &mut Manifest) -> Result<(), ApiError> {
    manifest.updated_at = now();
    let bytes = serde_json::to_vec_pretty(manifest).map_err(|e| ApiError::Io(e.to_string()))?;
    crate::store::write_atomic(&dir.join(MANIFEST), &bytes).map_err(|e| ApiError::Io(e.to_string()))
}

/// The CSV columns.
const CSV_HEADER: [&str; 12] = [
    "kind",
    "id",
    "generation_id",
    "post_id",
    "status",
    "reason",
    "file",
    "bytes",
    "sha256",
    "created_at",
    "duration_s",
    "prompt",
];

/// Writes `manifest.csv` atomically: one row per entry, every cell quoted as needed.
fn write_csv(dir: &Path, entries: &[Entry]) -> Result<(), ApiError> {
    let mut out = String::new();
    out.push_str(&csv_row(CSV_HEADER.iter().map(|s| s.to_string())));
    for e in entries {
        let kind = serde_json::to_value(e.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        out.push_str(&csv_row(
            [
                kind,
                e.id.clone(),
                e.generation_id.clone().unwrap_or_default(),
                e.post_id.clone().unwrap_or_default(),
                e.status.word().to_string(),
                e.reason.clone().unwrap_or_default(),
                e.file.clone().unwrap_or_default(),
                e.bytes.map(|b| b.to_string()).unwrap_or_default(),
                e.sha256.clone().unwrap_or_default(),
                num(e.created_at),
                num(e.duration_s),
                e.prompt.clone().unwrap_or_default(),
            ]
            .into_iter(),
        ));
    }
    crate::store::write_atomic(&dir.join(MANIFEST_CSV), out.as_bytes())
        .map_err(|e| ApiError::Io(e.to_string()))
}

/// One CSV line (RFC 4180), ending in CRLF.
fn csv_row(cells: impl Iterator<Item = String>) -> String {
    let cells: Vec<String> = cells.map(|c| csv_cell(&c)).collect();
    format!("{}\r\n", cells.join(","))
}

/// A cell made safe: control characters and bidi overrides removed (the text is the
/// server's), a leading `=`, `+`, `-` or `@` given a `'` so a spreadsheet does not run it as
/// a formula, and quoted when it holds a comma, a quote or a line break.
pub fn csv_cell(raw: &str) -> String {
    let clean: String = raw
        .chars()
        .map(|c| {
            if c == '\n' || c == '\r' || c == '\t' {
                ' '
            } else {
                c
            }
        })
        .filter(|c| !crate::text::is_unsafe(*c))
        .collect();
    let clean = if clean.starts_with(['=', '+', '-', '@']) {
        format!("'{clean}")
    } else {
        clean
    };
    if clean.contains([',', '"', '\n', '\r']) || clean.starts_with(' ') {
        format!("\"{}\"", clean.replace('"', "\"\""))
    } else {
        clean
    }
}

fn relative(dir: &Path, path: &Path) -> Option<String> {
    path.strip_prefix(dir)
        .ok()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
}

/// At most `max` bytes of `s`, cut at a character boundary.
fn bounded(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

fn mtime_of(m: &std::fs::Metadata) -> Option<f64> {
    m.modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs_f64())
}

/// The SHA-256 of a file, hex, read in chunks off the async threads.
async fn hash_file(path: PathBuf) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut f = std::fs::File::open(&path)
            .map_err(|e| ApiError::Io(format!("cannot read {}: {e}", path.display())))?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = f
                .read(&mut buf)
                .map_err(|e| ApiError::Io(format!("cannot read {}: {e}", path.display())))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        Ok(hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect())
    })
    .await
    .map_err(|e| ApiError::Io(format!("the hash did not finish ({e})")))?
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("=1+2"), "'=1+2");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("-x"), "'-x");
        assert_eq!(csv_cell("+x,y"), "\"'+x,y\"");
        assert_eq!(csv_cell("a \"b\""), "\"a \"\"b\"\"\"");
        assert_eq!(csv_cell("line\nbreak\u{1b}[31m"), "line break[31m");
    }

    #[test]
    fn manifest_paths_stay_inside() {
        assert!(safe_relative("drafts/gen_1.mp4"));
        for bad in ["", "/etc/passwd", "../x", "drafts/../../x", "a//b", "a\\b"] {
            assert!(!safe_relative(bad), "{bad}");
        }
    }
}
