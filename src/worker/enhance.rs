//! Prompt enhancement for the Prompt pane: one `POST /editor/enhance_prompt` per request, run
//! as a job; the answer (already cleaned by the client) goes back tagged with the request's
//! number, so the pane ignores an answer it no longer waits for.

use tokio::sync::mpsc::UnboundedSender;

use super::protocol::Event;
use crate::api::{Client, Expansion};

/// What the Prompt pane asks: the text to enhance and how.
#[derive(Debug, Clone, PartialEq)]
pub struct EnhanceRequest {
    /// The pane's number for this request, echoed in the answer.
    pub seq: u64,
    /// The prompt as typed.
    pub prompt: String,
    /// `expansion_level`.
    pub level: Expansion,
    /// `duration_s`.
    pub duration_s: u32,
}

/// The answer to an [`EnhanceRequest`].
#[derive(Debug, Clone, PartialEq)]
pub struct EnhanceAnswer {
    /// The request's number.
    pub seq: u64,
    /// The enhanced prompt (sanitised and bounded), or why there is none, worded for the user.
    pub result: Result<String, String>,
}

/// Sends the request and reports the answer.
pub(super) async fn enhance(client: Client, events: UnboundedSender<Event>, req: EnhanceRequest) {
    let result = client
        .enhance_prompt(&req.prompt, req.level, req.duration_s)
        .await
        .map_err(|e| e.to_string());
    let _ = events.send(Event::Enhanced(EnhanceAnswer {
        seq: req.seq,
        result,
    }));
}
