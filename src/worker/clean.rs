//! Copies without the watermark: the service only serves the clean file (`encodings.source`)
//! of a *published* post, so the draft is published, the file downloaded, and the post
//! deleted again. The delete must happen whatever else fails, so every temporary post is
//! written down in `cleanup.json` before it is created and crossed off only once deleted;
//! what a quit or crash left there is deleted at the next start. The list is shared with the
//! other instances on the data dir (and `download --clean`): each entry is added and crossed
//! off on its own, merged into the file (see `store::Store::merge`), so no instance loses
//! another's entry.

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use tokio::sync::mpsc::UnboundedSender;

use super::protocol::Event;
use super::submit::unix_now;
use super::transfers::{self, Job, Refresh};
use crate::api::{ApiError, Client, Draft};
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
                    let _ = events.send(Event::TempPostDeleted { post_id });
                }
                return;
            }
            // Deleted but still listed: the next start finds it gone (404) and drops it.
            Err(e) => e,
        },
        Err(e) => e,
    };
    tracing::warn!(%gen_id, %error, "temporary post not deleted yet");
    let _ = events.send(Event::TempPostCleanupFailed {
        gen_id: gen_id.to_string(),
        post_id,
        error,
    });
}

/// Downloads `draft` without the watermark into `dir`, then reports like a download. A draft
/// the user already published is read from its post, which is left alone.
pub(super) async fn save_clean(
    client: Client,
    ledger: Ledger,
    draft: Box<Draft>,
    dir: PathBuf,
    events: UnboundedSender<Event>,
) {
    let Some(gen_id) = draft.gen_id().map(str::to_owned) else {
        let _ = events.send(Event::StoreFailed(
            "a draft without an id cannot be saved".into(),
        ));
        return;
    };
    let result = run(&client, &ledger, draft, &dir, &gen_id, &events).await;
    transfers::finish(gen_id, result, &events);
}

async fn run(
    client: &Client,
    ledger: &Ledger,
    draft: Box<Draft>,
    dir: &std::path::Path,
    gen_id: &str,
    events: &UnboundedSender<Event>,
) -> Result<PathBuf, ApiError> {
    let stage = |s: &str| {
        let _ = events.send(Event::DownloadStage {
            gen_id: gen_id.to_string(),
            stage: s.to_string(),
        });
    };
    // Before anything is published: a draft whose id is not an id gets no file name, so no
    // temporary post is made for it.
    crate::api::checked_id("generation", gen_id)?;
    if let Some(post_id) = draft.published_post_id() {
        // The user's own post: read it, never delete it.
        stage("reading the post");
        let post = client.get_post(&post_id).await?;
        return download_post(client, draft, dir, gen_id, &post, events).await;
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
        download_post(client, draft, dir, gen_id, &post, events).await
    }
    .await;
    // Whatever happened above, the temporary post goes.
    stage("deleting the temporary post");
    let deleted = match client.delete_post(&post.id).await {
        Ok(()) | Err(ApiError::Rejected { status: 404, .. }) => Ok(Some(post.id.clone())),
        Err(e) => Err(e),
    };
    report_delete(ledger, gen_id, Some(post.id.clone()), deleted, events).await;
    downloaded
}

/// Downloads the post's source file, refreshing it from the post once if it has expired.
async fn download_post(
    client: &Client,
    draft: Box<Draft>,
    dir: &std::path::Path,
    gen_id: &str,
    post: &crate::api::Post,
    events: &UnboundedSender<Event>,
) -> Result<PathBuf, ApiError> {
    let url = post
        .clean_source_url()
        .ok_or_else(|| ApiError::BadResponse {
            detail: "the post has no source file (encodings.source.path)".into(),
        })?
        .to_string();
    let job = Job {
        gen_id: gen_id.to_string(),
        dest: dir.join(transfers::file_name(gen_id, &url, true)?),
        url,
        draft: Some(draft),
    };
    transfers::fetch(
        client,
        &job,
        Refresh::Post(post.id.clone()),
        Some(&post.id),
        true,
        events,
    )
    .await
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
}
