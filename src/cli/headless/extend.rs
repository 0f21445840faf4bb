//! `sora-tui extend GEN_ID "PROMPT" [--length 10|15] [--wait] [--download DIR]`: continues a
//! draft, then waits and downloads exactly as `video` does (the task is a video task).

use super::{Ctx, Outcome, non_empty_prompt};
use crate::api::reconcile::Listing;
use crate::api::{ApiError, valid_id};
use crate::cli::ExtendArgs;
use crate::cli::progress::Reporter;

impl Ctx<'_> {
    /// Sends the extension of `a.gen_id` (reconciled by prompt if its answer is lost), then
    /// what `video` does after its create.
    pub(super) async fn extend(&self, a: &ExtendArgs, r: &mut Reporter) -> Outcome {
        if !valid_id(&a.gen_id) {
            return Err(ApiError::InvalidInput(format!(
                "{:?} is not a generation id: pass the draft's gen_… id (sora-tui drafts lists them)",
                crate::text::sanitize(&a.gen_id, 80)
            ))
            .into());
        }
        let prompt = non_empty_prompt(&a.prompt)?;
        let create = self.client.extend_draft(&a.gen_id, prompt, a.length);
        let task_id = self.reconciled(Listing::Videos, prompt, create, r).await?;
        self.after_video_submit(&task_id, &a.wait, false, r).await
    }
}
