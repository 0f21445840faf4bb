//! Copies without the watermark: the service only serves the clean file (`encodings.source`)
//! of a *published* post, so the draft is published, the file downloaded, and the post
//! deleted again. The clean file is served only to tokens of the Sora mobile app: to a web
//! token the post's source is the watermarked file. So a copy is called clean, and named
//! `GEN.clean.mp4`, only on evidence (see [`judge`]): its URL names another file than every
//! watermarked one the draft and post name, and the bytes received differ from the
//! watermarked file's (its size, or an earlier download of it). Otherwise it is kept under
//! its normal name and reported as the watermarked version.
//!
//! The delete must happen whatever else fails (a watermarked copy included), so every
//! temporary post is written down in `cleanup.json` before it is created and crossed off only
//! once deleted; what a quit or crash left there is deleted at the next start. The list is
//! shared with the other instances on the data dir (and `download --clean`): each entry is
//! added and crossed off on its own, merged into the file (see `store::Store::merge`), so no
//! instance loses another's entry.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use tokio::sync::mpsc::UnboundedSender;

use super::protocol::{DraftsEvent, Event};
use super::submit::unix_now;
use super::transfers::{self, Job, Naming, Refresh};
use crate::api::{ApiError, Client, Draft, Post};
use crate::store::{Keyed, RecordSet, Store};

/// The data-dir document listing temporary posts still to delete.
pub(super) const CLEANUP_FILE: &str = "cleanup.json";

/// One temporary post to delete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CleanupEntry {
    /// The draft being published. Recorded before publishing, when the post id is not known
    /// yet: a crash before the answer arrives is resolved through the draft's `post_id`.
    pub gen_id: String,
    /// The post, once the publish answered.
    #[serde(default)]
    pub post_id: Option<String>,
    /// Unix seconds when it was recorded.
    #[serde(default)]
    pub since: f64,
}

/// Entries are merged by draft id in `cleanup.json`: the post id is not known when the entry
/// is written.
impl Keyed for CleanupEntry {
    fn key(&self) -> &str {
        &self.gen_id
    }
}

/// The shared, persisted list of temporary posts. Every change is written before the step it
/// guards goes ahead; the mutex keeps the writes of concurrent clean downloads in order.
#[derive(Debug, Clone)]
pub(super) struct Ledger {
    store: Store,
    entries: Arc<Mutex<RecordSet<CleanupEntry>>>,
}

impl Ledger {
    /// Reads `cleanup.json`; an unreadable one is reported and treated as empty (the store
    /// keeps it aside as `.corrupt` for a look by hand).
    pub async fn load(store: Store, events: &UnboundedSender<Event>) -> Ledger {
        let read = {
            let store = store.clone();
            tokio::task::spawn_blocking(move || store.load::<Vec<CleanupEntry>>(CLEANUP_FILE)).await
        };
        let entries = match read {
            Ok(Ok(entries)) => entries.unwrap_or_default(),
            Ok(Err(e)) => {
                let _ = events.send(Event::StoreFailed(format!(
                    "the list of temporary posts to delete could not be read: {e}"
                )));
                Vec::new()
            }
            Err(e) => {
                let _ = events.send(Event::StoreFailed(format!(
                    "{CLEANUP_FILE}: the read did not finish ({e})"
                )));
                Vec::new()
            }
        };
        Ledger {
            store,
            entries: Arc::new(Mutex::new(RecordSet::new(entries))),
        }
    }

    /// The entries recorded now.
    pub async fn entries(&self) -> Vec<CleanupEntry> {
        self.entries.lock().await.records().to_vec()
    }

    /// Applies `change` and merges it into the file; on a failed write the change is undone,
    /// so the caller does not go ahead with a step that is not recorded.
    async fn change(
        &self,
        change: impl FnOnce(&mut RecordSet<CleanupEntry>),
    ) -> Result<(), ApiError> {
        let mut entries = self.entries.lock().await;
        let before = entries.clone();
        change(&mut entries);
        let store = self.store.clone();
        let ops = entries.unsaved().to_vec();
        let known = entries.records().to_vec();
        let written = tokio::task::spawn_blocking(move || store.merge(CLEANUP_FILE, &ops, &known))
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r.map_err(|e| e.to_string()));
        match written {
            Ok(merged) => {
                if let Some(e) = merged.set_aside {
                    tracing::warn!(%e, "the list of temporary posts was unreadable");
                }
                // Entries other instances added or crossed off come along; they are theirs
                // to delete, or the sweep's at the next start.
                entries.written(merged.records);
                Ok(())
            }
            Err(message) => {
                *entries = before;
                Err(ApiError::Io(format!(
                    "cannot record the temporary post in {CLEANUP_FILE}: {message}"
                )))
            }
        }
    }

    async fn add(&self, gen_id: &str) -> Result<(), ApiError> {
        let entry = CleanupEntry {
            gen_id: gen_id.to_string(),
            post_id: None,
            since: unix_now(),
        };
        self.change(|e| e.put(entry)).await
    }

    async fn set_post(&self, gen_id: &str, post_id: &str) -> Result<(), ApiError> {
        self.change(|entries| {
            entries.modify(gen_id, |e| e.post_id = Some(post_id.to_string()));
        })
        .await
    }

    async fn remove(&self, gen_id: &str) -> Result<(), ApiError> {
        self.change(|entries| {
            entries.remove(gen_id);
        })
        .await
    }
}

/// At start: deletes every post an earlier run left behind, reporting each.
pub(super) async fn sweep(client: Client, ledger: Ledger, events: UnboundedSender<Event>) {
    for entry in ledger.entries().await {
        let result = resolve_and_delete(&client, &entry).await;
        report_delete(
            &ledger,
            &entry.gen_id,
            entry.post_id.clone(),
            result,
            &events,
        )
        .await;
    }
}

/// Deletes the entry's post; a post that is already gone, or a draft that never got
/// published, counts as done. Returns the deleted post's id, if there was one.
async fn resolve_and_delete(
    client: &Client,
    entry: &CleanupEntry,
) -> Result<Option<String>, ApiError> {
    let post_id = match &entry.post_id {
        Some(p) => Some(p.clone()),
        // The publish may or may not have happened before the interruption: the draft says.
        None => transfers::find_draft(client, &entry.gen_id)
            .await?
            .and_then(|d| d.published_post_id()),
    };
    let Some(post_id) = post_id else {
        return Ok(None);
    };
    match client.delete_post(&post_id).await {
        Ok(()) | Err(ApiError::Rejected { status: 404, .. }) => Ok(Some(post_id)),
        Err(e) => Err(e),
    }
}

/// Crosses a deleted post off the list and tells the UI; a failure keeps it listed.
async fn report_delete(
    ledger: &Ledger,
    gen_id: &str,
    post_id: Option<String>,
    result: Result<Option<String>, ApiError>,
    events: &UnboundedSender<Event>,
) {
    let error = match result {
        Ok(deleted) => match ledger.remove(gen_id).await {
            Ok(()) => {
                if let Some(post_id) = deleted {
                    let _ = events.send(Event::Drafts(DraftsEvent::TempPostDeleted { post_id }));
                }
                return;
            }
            // Deleted but still listed: the next start finds it gone (404) and drops it.
            Err(e) => e,
        },
        Err(e) => e,
    };
    tracing::warn!(%gen_id, %error, "temporary post not deleted yet");
    let _ = events.send(Event::Drafts(DraftsEvent::TempPostCleanupFailed {
        gen_id: gen_id.to_string(),
        post_id,
        error,
    }));
}

/// What is said, word for word, whenever a copy read from a post is not shown to be clean.
pub const WATERMARKED_FOR_THIS_TOKEN: &str = "the service returned the watermarked version for this token: a Sora app token is needed for clean copies";

/// The name tag of the file a post's source is downloaded into before it is judged: a name
/// that claims nothing, so an interruption never leaves a watermarked file called clean.
const UNVERIFIED_TAG: &str = ".unverified";

/// What a copy read from a post turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum CopyVerdict {
    /// Shown to be another file than the draft's watermarked one, by URL and by the bytes
    /// received: saved as `GEN.clean.mp4`.
    Clean {
        /// The evidence, in words.
        evidence: String,
    },
    /// The service returned the watermarked file for this token, or nothing showed the copy
    /// to differ from it: kept under the normal name (`GEN.mp4`).
    Watermarked {
        /// Why it counts as the watermarked file, in words.
        evidence: String,
        /// Where the file went.
        placed: Placement,
    },
}

/// Where a copy that is not shown to be clean went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Saved under the normal name, which was free.
    Saved,
    /// The normal file was already there with the same bytes: kept as it was, the copy
    /// dropped.
    KeptExisting,
    /// The normal file was already there with other bytes: left alone, and the copy kept as
    /// `GEN.unverified.mp4`.
    BesideExisting,
}

impl CopyVerdict {
    /// Whether the copy was shown to be without the watermark.
    pub fn is_clean(&self) -> bool {
        matches!(self, CopyVerdict::Clean { .. })
    }

    /// `clean` or `watermarked`, as `--json` says it.
    pub fn label(&self) -> &'static str {
        if self.is_clean() {
            "clean"
        } else {
            "watermarked"
        }
    }

    /// The sentence the TUI and the headless commands show for the copy saved at `path`
    /// (named by its file name only). The verdict comes first and the evidence last: a toast
    /// shows two lines at most.
    pub fn message(&self, path: &Path) -> String {
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        match self {
            CopyVerdict::Clean { evidence } => {
                format!("saved {file} without the watermark ({evidence})")
            }
            CopyVerdict::Watermarked { evidence, placed } => {
                let placed = match placed {
                    Placement::Saved => format!("saved it as {file}"),
                    Placement::KeptExisting => {
                        format!("{file} was already there with the same bytes: kept it")
                    }
                    Placement::BesideExisting => format!(
                        "the normal file was already there with other bytes: saved it as {file}"
                    ),
                };
                format!("{WATERMARKED_FOR_THIS_TOKEN}; {placed} ({evidence})")
            }
        }
    }
}

/// Downloads `draft` from its post into `dir` and reports [`DraftsEvent::PostCopySaved`](super::DraftsEvent::PostCopySaved) (clean or
/// not) or `DownloadFailed`. A draft the user already published is read from its post, which
/// is left alone.
pub(super) async fn save_clean(
    client: Client,
    ledger: Ledger,
    draft: Box<Draft>,
    dir: PathBuf,
    naming: Naming,
    events: UnboundedSender<Event>,
) {
    let Some(gen_id) = draft.gen_id().map(str::to_owned) else {
        let _ = events.send(Event::StoreFailed(
            "a draft without an id cannot be saved".into(),
        ));
        return;
    };
    let event = match run(&client, &ledger, draft, &dir, &naming, &gen_id, &events).await {
        Ok((path, verdict)) => Event::Drafts(DraftsEvent::PostCopySaved {
            gen_id,
            path,
            verdict,
        }),
        Err(error) => Event::Drafts(DraftsEvent::DownloadFailed { gen_id, error }),
    };
    let _ = events.send(event);
}

async fn run(
    client: &Client,
    ledger: &Ledger,
    draft: Box<Draft>,
    dir: &std::path::Path,
    naming: &Naming,
    gen_id: &str,
    events: &UnboundedSender<Event>,
) -> Result<(PathBuf, CopyVerdict), ApiError> {
    let stage = |s: &str| {
        let _ = events.send(Event::Drafts(DraftsEvent::DownloadStage {
            gen_id: gen_id.to_string(),
            stage: s.to_string(),
        }));
    };
    // Before anything is published: a draft whose id is not an id gets no file name, so no
    // temporary post is made for it.
    crate::api::checked_id("generation", gen_id)?;
    let stem = naming.stem(&draft)?;
    if let Some(post_id) = draft.published_post_id() {
        // The user's own post: read it, never delete it.
        stage("reading the post");
        let post = client.get_post(&post_id).await?;
        return download_post(client, draft, dir, gen_id, &stem, &post, events).await;
    }
    // Written down before the post exists, so no interruption can leave it unrecorded.
    ledger.add(gen_id).await?;
    stage("publishing a temporary post");
    let post = match client.publish(gen_id).await {
        Ok(post) => post,
        Err(e) => {
            // The publish may have gone through unanswered: the entry stays for the sweep
            // when the failure is ambiguous; a clear refusal created nothing.
            if matches!(e, ApiError::Network { .. } | ApiError::Server { .. }) {
                let r = resolve_and_delete(
                    client,
                    &CleanupEntry {
                        gen_id: gen_id.to_string(),
                        post_id: None,
                        since: 0.0,
                    },
                )
                .await;
                report_delete(ledger, gen_id, None, r, events).await;
            } else {
                let _ = ledger.remove(gen_id).await;
            }
            return Err(e);
        }
    };
    // Best effort: the gen id entry alone already leads the sweep to the post.
    if let Err(e) = ledger.set_post(gen_id, &post.id).await {
        tracing::warn!(%e, "post id not recorded; the draft's link will find it");
    }
    let downloaded = async {
        stage("reading the post");
        let post = client.get_post(&post.id).await?;
        download_post(client, draft, dir, gen_id, &stem, &post, events).await
    }
    .await;
    // Whatever happened above (a watermarked copy included), the temporary post goes.
    stage("deleting the temporary post");
    let deleted = match client.delete_post(&post.id).await {
        Ok(()) | Err(ApiError::Rejected { status: 404, .. }) => Ok(Some(post.id.clone())),
        Err(e) => Err(e),
    };
    report_delete(ledger, gen_id, Some(post.id.clone()), deleted, events).await;
    downloaded
}

/// Downloads the post's source file (refreshing it from the post once if it has expired)
/// under a name that claims nothing, judges it against the watermarked file, and gives it
/// its final name.
async fn download_post(
    client: &Client,
    draft: Box<Draft>,
    dir: &std::path::Path,
    gen_id: &str,
    stem: &str,
    post: &Post,
    events: &UnboundedSender<Event>,
) -> Result<(PathBuf, CopyVerdict), ApiError> {
    let url = post
        .clean_source_url()
        .ok_or_else(|| ApiError::BadResponse {
            detail: "the post has no source file (encodings.source.path)".into(),
        })?
        .to_string();
    let by_url = url_evidence(&url, &draft, post);
    let sizes = watermarked_sizes(&draft, post);
    // Named like every download (see [`Naming`]), from the already checked stem.
    let staged = dir.join(format!(
        "{stem}{UNVERIFIED_TAG}.{}",
        crate::fsutil::media_extension(&url, "mp4")
    ));
    let job = Job {
        gen_id: gen_id.to_string(),
        dest: staged,
        url,
        draft: Some(draft),
    };
    // Its sidecar says "not clean" until the evidence says otherwise.
    let received = transfers::fetch(
        client,
        &job,
        Refresh::Post(post.id.clone()),
        Some(&post.id),
        false,
        events,
    )
    .await?;
    let ext = received
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("mp4")
        .to_string();
    let normal = dir.join(format!("{stem}.{ext}"));
    let existing = compare_existing(&received, &normal, gen_id).await;
    let by_bytes = bytes_evidence(file_len(&received).await?, &sizes, existing.as_ref());
    match judge(&by_url, &by_bytes) {
        Ok(evidence) => {
            let clean = dir.join(format!("{stem}.clean.{ext}"));
            move_with_sidecar(&received, &clean, true).await?;
            Ok((clean, CopyVerdict::Clean { evidence }))
        }
        Err(evidence) => {
            tracing::info!(%gen_id, %evidence, "the post's source is not shown to be clean");
            let (path, placed) = match existing {
                None => {
                    move_with_sidecar(&received, &normal, false).await?;
                    (normal, Placement::Saved)
                }
                Some(Existing {
                    identical: true, ..
                }) => {
                    remove_with_sidecar(&received).await;
                    (normal, Placement::KeptExisting)
                }
                // Never overwritten: it may be another file the user keeps.
                Some(_) => (received, Placement::BesideExisting),
            };
            Ok((path, CopyVerdict::Watermarked { evidence, placed }))
        }
    }
}

/// What the URLs say about the post's source, compared with the watermarked file.
#[derive(Debug, Clone, PartialEq)]
enum UrlEvidence {
    /// It names another file than every watermarked reference the draft and post give.
    Differs,
    /// It names the same file as this reference (its field name).
    Same(&'static str),
    /// Nothing names the watermarked file, so there is nothing to compare with.
    Unknown,
}

/// What the bytes received say, compared with the watermarked file.
#[derive(Debug, Clone, PartialEq)]
enum BytesEvidence {
    /// Other bytes than the watermarked file's (why, in words).
    Differs(String),
    /// The watermarked file's bytes, or its size (why, in words).
    Same(String),
    /// No size or earlier download of the watermarked file to compare with.
    Unknown,
}

/// The rule: clean only when both the URL and the bytes show another file than the
/// watermarked one. `Ok` holds the evidence of a clean copy, `Err` why it is not one.
fn judge(by_url: &UrlEvidence, by_bytes: &BytesEvidence) -> Result<String, String> {
    match (by_url, by_bytes) {
        (UrlEvidence::Differs, BytesEvidence::Differs(why)) => Ok(format!(
            "the post's source is another file than the draft's watermarked one, and {why}"
        )),
        (UrlEvidence::Same(field), _) => {
            Err(format!("the post's source is the same file as the {field}"))
        }
        (_, BytesEvidence::Same(why)) => Err(why.clone()),
        (UrlEvidence::Unknown, _) => {
            Err("the draft names no watermarked file to compare the post's source with".into())
        }
        (UrlEvidence::Differs, BytesEvidence::Unknown) => Err(
            "no size or earlier download of the watermarked file to compare the bytes with".into(),
        ),
    }
}

/// Compares the post's source URL with every reference to the watermarked file that the
/// draft and the post carry. The draft's `downloadable_url` counts unless it is the same as
/// `download_urls.no_watermark` (said to be filled, and equal, on some accounts).
fn url_evidence(source: &str, draft: &Draft, post: &Post) -> UrlEvidence {
    let Some(source) = BlobName::of(source) else {
        return UrlEvidence::Unknown;
    };
    let no_watermark = draft
        .download_urls
        .as_ref()
        .and_then(|u| u.no_watermark.as_deref())
        .and_then(BlobName::of);
    let wm_path = |e: Option<&crate::api::types::Encodings>| {
        e.and_then(|e| e.source_wm.as_ref())
            .and_then(|s| s.path.clone())
    };
    let attachment = post.attachments.first();
    let references: [(&'static str, Option<String>, bool); 5] = [
        (
            "draft's downloadable_url",
            draft.downloadable_url.clone(),
            true,
        ),
        (
            "draft's download_urls.watermark",
            draft
                .download_urls
                .as_ref()
                .and_then(|u| u.watermark.clone()),
            false,
        ),
        (
            "draft's encodings.source_wm",
            wm_path(draft.encodings.as_ref()),
            false,
        ),
        (
            "post's downloadable_url",
            attachment.and_then(|a| a.downloadable_url.clone()),
            true,
        ),
        (
            "post's encodings.source_wm",
            wm_path(attachment.and_then(|a| a.encodings.as_ref())),
            false,
        ),
    ];
    let mut compared = false;
    for (field, reference, may_be_clean) in references {
        let Some(reference) = reference.as_deref().and_then(BlobName::of) else {
            continue;
        };
        if may_be_clean && no_watermark.as_ref().is_some_and(|n| n.same(&reference)) {
            continue;
        }
        if source.same(&reference) {
            return UrlEvidence::Same(field);
        }
        compared = true;
    }
    if compared {
        UrlEvidence::Differs
    } else {
        UrlEvidence::Unknown
    }
}

/// The watermarked file's sizes the draft and post state (`encodings.source_wm.size`).
fn watermarked_sizes(draft: &Draft, post: &Post) -> Vec<u64> {
    let attachment = post.attachments.first().and_then(|a| a.encodings.as_ref());
    [draft.encodings.as_ref(), attachment]
        .into_iter()
        .flatten()
        .filter_map(|e| e.source_wm.as_ref()?.size)
        .filter(|s| s.is_finite() && *s >= 1.0 && s.fract() == 0.0 && *s < u64::MAX as f64)
        .map(|s| s as u64)
        .collect()
}

/// The normal file already on disk next to a copy from a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Existing {
    /// It holds exactly the bytes received.
    identical: bool,
    /// Its sidecar says it is this draft's complete download, not a clean copy: the
    /// watermarked file, so other bytes received are evidence of another file.
    watermarked_download: bool,
}

/// Judges the bytes received (`len` of them) against the watermarked file's known sizes and
/// an earlier download of it.
fn bytes_evidence(len: u64, sizes: &[u64], existing: Option<&Existing>) -> BytesEvidence {
    if existing.is_some_and(|e| e.identical) {
        return BytesEvidence::Same(
            "the bytes received are those of the watermarked file downloaded before".into(),
        );
    }
    if sizes.contains(&len) {
        return BytesEvidence::Same(format!(
            "the file received has the watermarked file's size, {len} bytes"
        ));
    }
    if let Some(size) = sizes.first() {
        return BytesEvidence::Differs(format!(
            "its {len} bytes are not the watermarked file's {size}"
        ));
    }
    if existing.is_some_and(|e| e.watermarked_download) {
        return BytesEvidence::Differs(
            "its bytes are not those of the watermarked file downloaded before".into(),
        );
    }
    BytesEvidence::Unknown
}

/// Compares `received` with the normal file of the draft, if one is there. Only regular
/// files are read (a pipe in its place could stall the read); anything else there counts as
/// a different file, never replaced.
async fn compare_existing(received: &Path, normal: &Path, gen_id: &str) -> Option<Existing> {
    let meta = tokio::fs::symlink_metadata(normal).await.ok()?;
    let side = transfers::read_sidecar(&transfers::sidecar_path(normal)).await;
    let (a, b) = (received.to_path_buf(), normal.to_path_buf());
    let identical = meta.is_file()
        && tokio::task::spawn_blocking(move || same_bytes(&a, &b))
            .await
            .unwrap_or(false);
    let watermarked_download = meta.is_file()
        && side.is_some_and(|s| !s.clean && s.bytes == meta.len() && s.generation_id == gen_id);
    Some(Existing {
        identical,
        watermarked_download,
    })
}

/// Whether two regular files hold the same bytes (size first, then chunk by chunk).
fn same_bytes(a: &Path, b: &Path) -> bool {
    use std::io::Read;
    let open = |p: &Path| -> Option<(std::fs::File, u64)> {
        let f = std::fs::File::open(p).ok()?;
        let m = f.metadata().ok()?;
        m.is_file().then_some((f, m.len()))
    };
    let (Some((mut fa, la)), Some((mut fb, lb))) = (open(a), open(b)) else {
        return false;
    };
    if la != lb {
        return false;
    }
    let (mut ba, mut bb) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
    loop {
        let n = match fa.read(&mut ba) {
            Ok(0) => return fb.read(&mut bb[..1]).is_ok_and(|m| m == 0),
            Ok(n) => n,
            Err(_) => return false,
        };
        if fb.read_exact(&mut bb[..n]).is_err() || ba[..n] != bb[..n] {
            return false;
        }
    }
}

async fn file_len(path: &Path) -> Result<u64, ApiError> {
    tokio::fs::metadata(path)
        .await
        .map(|m| m.len())
        .map_err(|e| ApiError::Io(format!("cannot read {}: {e}", path.display())))
}

/// Gives the copy its final name and moves its sidecar along, saying whether it is clean.
async fn move_with_sidecar(from: &Path, to: &Path, clean: bool) -> Result<(), ApiError> {
    tokio::fs::rename(from, to)
        .await
        .map_err(|e| ApiError::Io(format!("cannot move the download to {}: {e}", to.display())))?;
    let old_side = transfers::sidecar_path(from);
    if let Some(mut side) = transfers::read_sidecar(&old_side).await {
        side.clean = clean;
        // A sidecar that cannot be written is not fatal, as for any download.
        if let Err(e) = transfers::write_sidecar(&transfers::sidecar_path(to), &side).await {
            tracing::warn!(%e, "the sidecar of the copy was not written");
        }
    }
    let _ = tokio::fs::remove_file(&old_side).await;
    Ok(())
}

/// Drops a copy not needed (the same bytes are already saved) and its sidecar.
async fn remove_with_sidecar(path: &Path) {
    let _ = tokio::fs::remove_file(path).await;
    let _ = tokio::fs::remove_file(transfers::sidecar_path(path)).await;
}

/// Which stored file a media reference names: the host and the decoded path of a URL, or the
/// blob store's internal name that drafts/v2 give instead of a URL. The query is left out:
/// it only signs the link (`se` is its expiry, `sig` its signature), and both change from
/// one answer to the next for the same file.
#[derive(Debug, Clone, PartialEq, Eq)]
enum BlobName {
    /// An http(s) URL: `host:port` and the path, percent-decoded (`…%2Fraw` is `…/raw`).
    Url { host: String, path: String },
    /// An internal name such as `{uuid}/raw`.
    Internal(String),
}

impl BlobName {
    fn of(reference: &str) -> Option<BlobName> {
        let reference = reference.trim();
        if reference.is_empty() {
            return None;
        }
        if let Ok(url) = url::Url::parse(reference) {
            if !matches!(url.scheme(), "http" | "https") {
                return None;
            }
            let host = format!(
                "{}:{}",
                url.host_str()?.to_ascii_lowercase(),
                url.port_or_known_default()?
            );
            return Some(BlobName::Url {
                host,
                path: percent_decoded(url.path()),
            });
        }
        if reference.contains("://") {
            return None;
        }
        Some(BlobName::Internal(
            percent_decoded(reference)
                .trim_start_matches('/')
                .to_string(),
        ))
    }

    /// Whether both name the same file: an internal name matches a URL whose path ends with
    /// it.
    fn same(&self, other: &BlobName) -> bool {
        match (self, other) {
            (BlobName::Url { .. }, BlobName::Url { .. })
            | (BlobName::Internal(_), BlobName::Internal(_)) => self == other,
            (BlobName::Url { path, .. }, BlobName::Internal(name))
            | (BlobName::Internal(name), BlobName::Url { path, .. }) => {
                !name.is_empty() && path.ends_with(&format!("/{name}"))
            }
        }
    }
}

/// `%XX` escapes decoded; a malformed escape is kept as it is.
fn percent_decoded(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = s
            .get(i + 1..i + 3)
            .filter(|_| bytes[i] == b'%')
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two ledgers on one data dir, as two instances (or the TUI and `download --clean`)
    /// have: neither loses the other's entries, and crossing one off keeps the rest.
    #[tokio::test]
    async fn two_ledgers_on_one_data_dir_keep_each_others_entries() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (events, _rx) = tokio::sync::mpsc::unbounded_channel();
        let one = Ledger::load(Store::new(dir.path()), &events).await;
        let two = Ledger::load(Store::new(dir.path()), &events).await;
        one.add("gen_one").await.expect("recorded");
        two.add("gen_two").await.expect("recorded");
        one.set_post("gen_one", "s_one").await.expect("recorded");
        let saved = |store: &Store| -> Vec<CleanupEntry> {
            store.load(CLEANUP_FILE).expect("reads").unwrap_or_default()
        };
        let store = Store::new(dir.path());
        let mut ids: Vec<String> = saved(&store).into_iter().map(|e| e.gen_id).collect();
        ids.sort();
        assert_eq!(ids, ["gen_one", "gen_two"]);
        assert_eq!(
            saved(&store)
                .iter()
                .find(|e| e.gen_id == "gen_one")
                .and_then(|e| e.post_id.as_deref()),
            Some("s_one")
        );
        two.remove("gen_two").await.expect("crossed off");
        let left = saved(&store);
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!(left[0].gen_id, "gen_one");
        // The second ledger picked up the first one's entry when it wrote.
        assert_eq!(two.entries().await, left);
    }

    const WM: &str = "https://videos.example/az/files/00000000-aaaa-bbbb-cccc-000000000001%2Fraw";
    const CLEAN: &str =
        "https://videos.example/az/files/00000000-aaaa-bbbb-cccc-000000000002%2Fraw";

    fn signed(url: &str, se: u64, sig: &str) -> String {
        format!("{url}?se={se}&sp=r&sv=2026-02-06&sr=b&sig={sig}")
    }

    /// A draft as listed: its watermarked file at `downloadable_url` and
    /// `download_urls.watermark`, and `encodings.source_wm` with `size`.
    fn draft(size: Option<f64>) -> Draft {
        serde_json::from_value(serde_json::json!({
            "id": "gen_1",
            "downloadable_url": signed(WM, 100, "a"),
            "download_urls": {"watermark": signed(WM, 100, "a"), "no_watermark": null},
            "encodings": {"source_wm": {"path": signed(WM, 100, "a"), "size": size}},
        }))
        .unwrap()
    }

    fn post(source: &str) -> Post {
        serde_json::from_value(serde_json::json!({
            "id": "s_1",
            "attachments": [{"generation_id": "gen_1", "encodings": {"source": {"path": source}}}],
        }))
        .unwrap()
    }

    /// The rule itself: clean only when the URL and the bytes both show another file.
    #[test]
    fn a_copy_is_clean_only_when_url_and_bytes_both_differ() {
        let differs = || BytesEvidence::Differs("other bytes".into());
        let same = || BytesEvidence::Same("same size".into());
        assert!(judge(&UrlEvidence::Differs, &differs()).is_ok());
        for (url, bytes) in [
            (UrlEvidence::Same("draft's downloadable_url"), differs()),
            (UrlEvidence::Same("draft's downloadable_url"), same()),
            (UrlEvidence::Differs, same()),
            (UrlEvidence::Differs, BytesEvidence::Unknown),
            (UrlEvidence::Unknown, differs()),
            (UrlEvidence::Unknown, BytesEvidence::Unknown),
        ] {
            assert!(judge(&url, &bytes).is_err(), "{url:?} {bytes:?}");
        }
    }

    /// The same blob under another signature and expiry is the same file; the internal
    /// name drafts/v2 gives matches the URL of that blob.
    #[test]
    fn the_signature_is_not_part_of_a_files_name() {
        let a = BlobName::of(&signed(WM, 100, "a")).unwrap();
        let b = BlobName::of(&signed(WM, 999, "zz")).unwrap();
        assert!(a.same(&b));
        assert!(!a.same(&BlobName::of(&signed(CLEAN, 100, "a")).unwrap()));
        let internal = BlobName::of("00000000-aaaa-bbbb-cccc-000000000001/raw").unwrap();
        assert!(internal.same(&a) && a.same(&internal));
        assert!(!internal.same(&BlobName::of(CLEAN).unwrap()));
        // Another host is another file, whatever the path.
        let elsewhere = WM.replace("videos.example", "mirror.example");
        assert!(!a.same(&BlobName::of(&elsewhere).unwrap()));
        assert_eq!(BlobName::of("file:///etc/passwd"), None);
        assert_eq!(BlobName::of(""), None);
    }

    #[test]
    fn the_post_source_is_compared_with_every_watermarked_reference() {
        // A web token: the post's source is the draft's watermarked file, freshly signed.
        assert_eq!(
            url_evidence(
                &signed(WM, 555, "x"),
                &draft(None),
                &post(&signed(WM, 555, "x"))
            ),
            UrlEvidence::Same("draft's downloadable_url")
        );
        assert_eq!(
            url_evidence(
                &signed(CLEAN, 5, "x"),
                &draft(None),
                &post(&signed(CLEAN, 5, "x"))
            ),
            UrlEvidence::Differs
        );
        // Nothing names the watermarked file: no evidence.
        assert_eq!(
            url_evidence(CLEAN, &Draft::default(), &post(CLEAN)),
            UrlEvidence::Unknown
        );
        // A `downloadable_url` said to be the clean file is not a watermarked reference.
        let mut pro = draft(None);
        pro.downloadable_url = Some(signed(CLEAN, 1, "p"));
        pro.download_urls.as_mut().unwrap().no_watermark = Some(signed(CLEAN, 2, "q"));
        assert_eq!(
            url_evidence(&signed(CLEAN, 3, "r"), &pro, &post(CLEAN)),
            UrlEvidence::Differs
        );
    }

    #[test]
    fn the_bytes_are_compared_with_the_watermarked_size_and_download() {
        let sizes = watermarked_sizes(&draft(Some(32261.0)), &post(CLEAN));
        assert_eq!(sizes, [32261]);
        assert!(matches!(
            bytes_evidence(30769, &sizes, None),
            BytesEvidence::Differs(_)
        ));
        assert!(matches!(
            bytes_evidence(32261, &sizes, None),
            BytesEvidence::Same(_)
        ));
        let identical = Existing {
            identical: true,
            watermarked_download: true,
        };
        assert!(matches!(
            bytes_evidence(30769, &sizes, Some(&identical)),
            BytesEvidence::Same(_)
        ));
        // No size: only a complete watermarked download tells.
        let other = Existing {
            identical: false,
            watermarked_download: true,
        };
        assert!(matches!(
            bytes_evidence(1, &[], Some(&other)),
            BytesEvidence::Differs(_)
        ));
        let unknown_file = Existing {
            identical: false,
            watermarked_download: false,
        };
        assert_eq!(
            bytes_evidence(1, &[], Some(&unknown_file)),
            BytesEvidence::Unknown
        );
        assert_eq!(bytes_evidence(1, &[], None), BytesEvidence::Unknown);
        assert!(watermarked_sizes(&draft(Some(f64::NAN)), &post(CLEAN)).is_empty());
    }

    #[test]
    fn same_bytes_compares_whole_files() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            dir.path().join("a"),
            dir.path().join("b"),
            dir.path().join("c"),
        );
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&a, &big).unwrap();
        std::fs::write(&b, &big).unwrap();
        let mut changed = big.clone();
        *changed.last_mut().unwrap() ^= 1;
        std::fs::write(&c, &changed).unwrap();
        assert!(same_bytes(&a, &b));
        assert!(!same_bytes(&a, &c));
        assert!(!same_bytes(&a, dir.path()));
        assert!(!same_bytes(&a, &dir.path().join("missing")));
    }
}
