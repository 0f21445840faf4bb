//! `sora-tui cameo from-draft GEN_ID`: a cameo made from one of the account's drafts, run to
//! the end the way docs/api.md ("Cameo from a draft", "Lifecycles") describes:
//! `/characters/from-generation`, the processing poll, the profile picture, finalize, then the
//! visibility. Prints the character id (`--json`: one `cameo` event). The cameo is written to
//! the data dir's `cameos.json` as it goes, as the Cameos pane's are, so the TUI lists it (and
//! resumes it, if this command was stopped while the cameo processed) and `archive` keeps it.

use clap::{Args, Subcommand};
use serde_json::json;
use tokio::time::Instant;

use crate::cameo_record::{MAX_POLL_ERRORS, PROCESSING_LIMIT};

use super::{Ctx, Failure, Outcome, shown};
use crate::api::{ApiError, CameoPhase};
use crate::cli::progress::Reporter;

/// Longest profile picture downloaded (the server's are a few tens of KB).
const MAX_PROFILE_BYTES: usize = 5 * 1024 * 1024;

/// `sora-tui cameo …`.
#[derive(Debug, Subcommand)]
pub enum CameoCommand {
    /// Make a cameo from one of your drafts and finalize it; prints its character id.
    FromDraft(FromDraftArgs),
}

/// `sora-tui cameo from-draft`.
#[derive(Debug, Args)]
pub struct FromDraftArgs {
    /// The draft's generation id (gen_…).
    pub gen_id: String,
    /// Where the clip starts, seconds into the draft.
    #[arg(long, default_value_t = 0.0, value_name = "S")]
    pub start: f64,
    /// Where the clip ends, seconds into the draft (at most 10 s after the start).
    #[arg(long, default_value_t = 3.0, value_name = "E")]
    pub end: f64,
    /// The cameo's username (default: the server's hint's last part plus three digits).
    #[arg(long, value_name = "U")]
    pub username: Option<String>,
    /// The cameo's display name (default: the server's hint).
    #[arg(long, value_name = "N")]
    pub display_name: Option<String>,
    /// Make it public once finalized.
    #[arg(long, conflicts_with = "private")]
    pub public: bool,
    /// Keep it private (the default).
    #[arg(long)]
    pub private: bool,
}

/// The username the known clients make from a hint: its last dot-separated part, lowercase
/// letters and digits only, plus three random digits (`blackwill.meowliusma68` gives
/// `meowliusma68123`); `character` when the hint leaves nothing.
pub fn username_from_hint(hint: &str, digits: u16) -> String {
    let mut name = crate::api::username::base_from_hint(hint);
    if name.is_empty() {
        name.push_str("character");
    }
    format!("{name}{digits:03}")
}

/// Writes `record` into the data dir's `cameos.json` (scoped to the backend, as the worker's
/// records are). A failure is a warning: the cameo itself goes on.
fn record(ctx: &Ctx<'_>, r: &mut Reporter, record: crate::cameo_record::CameoRecord) {
    let store = crate::store::Store::new(ctx.session.paths.data_dir.clone())
        .for_backend(ctx.client.base_url());
    if let Err(e) = store.merge("cameos.json", &[crate::store::RecordOp::Put(record)], &[]) {
        r.note(&format!(
            "sora-tui: warning: the cameo could not be recorded in the data dir ({e}); the TUI will not list it"
        ));
    }
}

impl Ctx<'_> {
    /// Runs `cameo …`.
    pub(super) async fn cameo(&self, c: &CameoCommand, r: &mut Reporter) -> Outcome {
        match c {
            CameoCommand::FromDraft(a) => self.cameo_from_draft(a, r).await,
        }
    }

    async fn cameo_from_draft(&self, a: &FromDraftArgs, r: &mut Reporter) -> Outcome {
        let end_too_late = a.end - a.start > crate::app::cameos::MAX_CLIP_SECS;
        if end_too_late {
            return Err(ApiError::InvalidInput(format!(
                "the clip {}–{} s is longer than {} s: pass --start and --end closer together",
                a.start,
                a.end,
                crate::app::cameos::MAX_CLIP_SECS
            ))
            .into());
        }
        let client = &self.client;
        let cameo_id = client
            .cameo_from_generation(a.gen_id.trim(), a.start, a.end)
            .await?;
        r.event(
            json!({"event":"cameo_started","cameo_id":cameo_id,"generation_id":a.gen_id.trim()}),
        );
        r.note(&format!("cameo {} started, processing…", shown(&cameo_id)));
        let now = crate::text::unix_now();
        let mut rec = crate::cameo_record::CameoRecord::from_draft(
            format!("c{}-cli", (now.max(0.0) * 1000.0) as u64),
            now,
            a.gen_id.trim().to_string(),
            (a.start, a.end),
        );
        rec.cameo_id = Some(cameo_id.clone());
        rec.stage = crate::cameo_record::CameoStage::Processing {
            status: "processing".into(),
        };
        record(self, r, rec.clone());
        let progress = self.wait_for_cameo(&cameo_id).await?;
        let hint = progress.username_hint.as_deref().unwrap_or("");
        // Checked before finalize, as the Cameos pane does: a taken name is refused with a
        // free one to pass instead.
        let username = match &a.username {
            Some(u) => {
                let u = u.trim().to_string();
                if !client.username_check(&u).await? {
                    let base = crate::api::username::base_from_name(&u);
                    let offer = match client.suggest_username(&base).await? {
                        Some(s) => format!(": try --username {s}"),
                        None => ": pass another with --username".into(),
                    };
                    return Err(ApiError::InvalidInput(format!(
                        "the username @{} is taken{offer} (the cameo {} waits, processed, in the Cameos pane)",
                        shown(&u),
                        shown(&cameo_id)
                    ))
                    .into());
                }
                u
            }
            None => {
                let base = crate::api::username::base_from_hint(hint);
                match client.suggest_username(&base).await? {
                    Some(s) => s,
                    None => username_from_hint(hint, fastrand::u16(100..=999)),
                }
            }
        };
        let display_name = a
            .display_name
            .clone()
            .or(progress.display_name_hint.clone())
            .map(|n| crate::text::sanitize(&n, crate::app::cameos::MAX_DISPLAY_NAME))
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| "Character".into());
        let url = progress
            .profile_asset_url
            .filter(|u| !u.is_empty())
            .ok_or_else(|| ApiError::BadResponse {
                detail: "the processed cameo has no profile_asset_url".into(),
            })?;
        r.note("uploading the profile picture…");
        let picture = client.fetch_media(&url, MAX_PROFILE_BYTES).await?;
        let pointer = client.upload_profile_image(picture).await?;
        r.note(&format!("finalizing @{}…", shown(&username)));
        let character_id = client
            .finalize_cameo(&cameo_id, &username, &display_name, &pointer)
            .await
            .map_err(|e| match e.code() {
                Some("username_taken") => ApiError::InvalidInput(format!(
                    "the username @{username} is taken: pass another with --username"
                )),
                _ => e,
            })?;
        let public = a.public && !a.private;
        client.set_cameo_visibility(&cameo_id, public).await?;
        rec.stage = crate::cameo_record::CameoStage::Finalized;
        rec.character_id = Some(character_id.clone());
        rec.username = Some(username.clone());
        rec.display_name = Some(display_name.clone());
        rec.profile_pointer = Some(pointer.clone());
        rec.want_public = public;
        rec.public = public;
        record(self, r, rec);
        let visibility = if public { "public" } else { "private" };
        r.event(
            json!({"event":"cameo","cameo_id":cameo_id,"character_id":character_id,
            "username":username,"display_name":display_name,"visibility":visibility,
            "generation_id":a.gen_id.trim()}),
        );
        if !r.is_json() {
            println!("{}", shown(&character_id));
            r.note(&format!(
                "@{} is ready ({visibility}): put it in a prompt",
                shown(&username)
            ));
        }
        Ok(())
    }

    /// Polls the cameo's processing at the configured cameo interval until it completes; a
    /// failed processing, [`MAX_POLL_ERRORS`] failed polls in a row or [`PROCESSING_LIMIT`]
    /// end it with the reason.
    async fn wait_for_cameo(&self, cameo_id: &str) -> Result<crate::api::CameoProgress, Failure> {
        let deadline = Instant::now() + PROCESSING_LIMIT;
        let mut errors = 0;
        loop {
            match self.client.cameo_progress(cameo_id).await {
                Ok(progress) => {
                    errors = 0;
                    match progress.phase() {
                        CameoPhase::Completed => return Ok(progress),
                        CameoPhase::Failed(reason) => {
                            return Err(Failure::Generation(format!(
                                "the cameo {cameo_id} failed processing: {reason}"
                            )));
                        }
                        CameoPhase::Processing(_) => {}
                    }
                }
                Err(e) => {
                    errors += 1;
                    if errors >= MAX_POLL_ERRORS {
                        return Err(e.into());
                    }
                }
            }
            if Instant::now() >= deadline {
                return Err(Failure::Generation(format!(
                    "the cameo {cameo_id} was still processing after {} minutes; it may still finish",
                    PROCESSING_LIMIT.as_secs() / 60
                )));
            }
            tokio::time::sleep(self.session.cameo_poll).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_come_from_the_hints_last_part() {
        assert_eq!(
            username_from_hint("blackwill.meowliusma68", 123),
            "meowliusma68123"
        );
        assert_eq!(username_from_hint("Demo.Cameo.1", 100), "1100");
        assert_eq!(username_from_hint("", 999), "character999");
        assert_eq!(username_from_hint("a.\u{1b}[31m!", 500), "31m500");
    }
}
