//! The first step of a cameo made from one of the account's drafts: record it (its source is
//! the draft, so nothing later looks for a file), send `/characters/from-generation`, then
//! the same watch, finalize and visibility steps as a cameo uploaded from a file (`flow`).

use std::sync::Arc;

use super::book::Book;
use super::flow;
use crate::api::{Client, valid_id};
use crate::cameo_record::{CameoRecord, CameoStage};

/// What the UI asked to make.
pub(super) struct NewDraftCameo {
    /// The record key.
    pub key: String,
    /// The draft's `gen_…` id.
    pub generation_id: String,
    /// `start,end` seconds within the draft.
    pub clip: (f64, f64),
    /// Unix seconds now.
    pub created_at: f64,
}

/// Why a `CreateFromDraft` for `key` is refused, if it is: only a new key, or one whose
/// first step failed, starts one (anything later in the flow would be thrown away).
pub(super) fn refusal(book: &Book, key: &str) -> Option<String> {
    let record = book.get(key)?;
    match record.stage {
        CameoStage::UploadFailed { .. } if record.draft.is_some() => None,
        CameoStage::UploadFailed { .. } => {
            Some("this cameo was made from a file: retry it from the Cameos pane".into())
        }
        _ => Some("this cameo is already sent: start a new one instead".into()),
    }
}

/// Checks the id and the clip (a refusal goes back to the UI, nothing is recorded), records
/// the cameo as made from the draft, sends it and watches its processing.
pub(super) async fn create(book: Arc<Book>, client: Client, new: NewDraftCameo) {
    let (start, end) = new.clip;
    let problem = if !valid_id(&new.generation_id) {
        Some("that is not a draft's id: choose a draft in the Drafts pane".to_string())
    } else if !(start.is_finite() && end.is_finite() && 0.0 <= start && start < end) {
        Some("the clip's start must be at least 0 and before its end".to_string())
    } else {
        None
    };
    if let Some(error) = problem {
        book.emit(super::CameoEvent::CreateRejected {
            key: new.key,
            error,
        });
        return;
    }
    // Retrying a failed first step replaces its record: same key, same place in the list.
    let created_at = book.get(&new.key).map_or(new.created_at, |r| r.created_at);
    book.put(CameoRecord::from_draft(
        new.key.clone(),
        created_at,
        new.generation_id,
        new.clip,
    ));
    flow::upload(book, client, &new.key).await;
}
