//! One-shot requests the loop spawns and forgets: they touch no worker state, so each one
//! reports straight to the UI. The Drafts pane's requests are all started here
//! (`DraftJobs::handle`), the loop routing them in one arm.

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinSet;

use super::clean::{self, Ledger};
use super::protocol::{DraftOp, DraftsEvent, DraftsRequest, Event};
use super::transfers::{self, Naming};
use crate::api::Client;

/// `/me`, then the quota. The quota is a nicety: when it cannot be read the UI hears
/// `Quota(None)`; when `/me` failed it is not asked for (it would fail the same way).
pub(super) async fn load_account(client: Client, events: UnboundedSender<Event>) {
    match client.me().await {
        Ok(me) => {
            let _ = events.send(Event::Account(me));
            let quota = client.quota().await.unwrap_or_else(|e| {
                tracing::debug!(error = %e, "quota unavailable");
                None
            });
            let _ = events.send(Event::Quota(quota));
        }
        Err(e) => {
            let _ = events.send(Event::AccountFailed(e));
        }
    }
}

/// One page of drafts: the first when `cursor` is `None`.
pub(super) async fn load_drafts(
    client: Client,
    page_size: u32,
    cursor: Option<String>,
    events: UnboundedSender<Event>,
) {
    let first = cursor.is_none();
    let event = match client.drafts(page_size, cursor.as_deref()).await {
        Ok(page) => Event::Drafts(DraftsEvent::DraftsLoaded { page, first }),
        Err(e) => Event::Drafts(DraftsEvent::DraftsFailed(e)),
    };
    let _ = events.send(event);
}

/// Publishes a draft.
pub(super) async fn publish(client: Client, gen_id: String, events: UnboundedSender<Event>) {
    let event = match client.publish(&gen_id).await {
        Ok(post) => Event::Drafts(DraftsEvent::Published { gen_id, post }),
        Err(error) => Event::Drafts(DraftsEvent::ActionFailed {
            op: DraftOp::Publish,
            gen_id,
            error,
        }),
    };
    let _ = events.send(event);
}

/// Deletes a post.
pub(super) async fn unpublish(
    client: Client,
    post_id: String,
    gen_id: String,
    events: UnboundedSender<Event>,
) {
    let event = match client.delete_post(&post_id).await {
        Ok(()) => Event::Drafts(DraftsEvent::Unpublished { gen_id, post_id }),
        Err(error) => Event::Drafts(DraftsEvent::ActionFailed {
            op: DraftOp::Unpublish,
            gen_id,
            error,
        }),
    };
    let _ = events.send(event);
}

/// What the Drafts pane's jobs need from the loop besides the client and the events: the
/// page size, how downloads are named, and the ledger of clean copies' temporary posts.
pub(super) struct DraftJobs {
    /// How many drafts one page holds (the poll round reads finished drafts with it too).
    pub page_size: u32,
    /// How downloads are named.
    pub naming: Naming,
    /// Temporary posts of clean downloads, shared with their jobs.
    pub ledger: Ledger,
    /// The account archive: one at a time (`worker/archive.rs`).
    pub archive: super::archive::ArchiveSlot,
}

impl DraftJobs {
    /// Starts the job that answers one Drafts pane request. Every `DraftsRequest` is matched
    /// here, so the loop routes them all in one arm and a new one needs no change there.
    pub(super) fn handle(
        &self,
        request: DraftsRequest,
        client: Client,
        events: UnboundedSender<Event>,
        jobs: &mut JoinSet<()>,
    ) {
        match request {
            DraftsRequest::LoadDrafts { cursor } => {
                jobs.spawn(load_drafts(client, self.page_size, cursor, events));
            }
            DraftsRequest::Download { gen_id, url, dest } => {
                let job = transfers::Job {
                    gen_id,
                    url,
                    dest,
                    draft: None,
                };
                jobs.spawn(transfers::download(client, job, events));
            }
            DraftsRequest::SaveDraft { draft, dir } => {
                let gen_id = draft.gen_id().unwrap_or_default().to_string();
                match transfers::Job::for_draft(draft, &dir, &self.naming) {
                    Ok(job) => {
                        jobs.spawn(transfers::download(client, job, events));
                    }
                    // Answered like a failed download so the row does not stay "running".
                    Err(error) => {
                        let _ = events
                            .send(Event::Drafts(DraftsEvent::DownloadFailed { gen_id, error }));
                    }
                }
            }
            DraftsRequest::SaveClean { draft, dir } => {
                jobs.spawn(clean::save_clean(
                    client,
                    self.ledger.clone(),
                    draft,
                    dir,
                    self.naming.clone(),
                    events,
                ));
            }
            DraftsRequest::Publish { gen_id } => {
                jobs.spawn(publish(client, gen_id, events));
            }
            DraftsRequest::Unpublish { post_id, gen_id } => {
                jobs.spawn(unpublish(client, post_id, gen_id, events));
            }
            DraftsRequest::Archive { dir } => {
                self.archive
                    .start(client, dir, self.naming.clone(), events, jobs);
            }
        }
    }
}
