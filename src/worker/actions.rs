//! One-shot requests the loop spawns and forgets: they touch no worker state, so each one
//! reports straight to the UI.

use tokio::sync::mpsc::UnboundedSender;

use super::protocol::{DraftOp, DraftsEvent, Event};
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
