//! `sora-tui enhance "PROMPT"`: the service's longer version of a prompt
//! (`/editor/enhance_prompt`), printed as it would go into the editor: sanitised line by line
//! and bounded by the client (`--json`: one `enhanced` event).

use clap::Args;
use serde_json::json;

use super::{Ctx, Outcome};
use crate::api::{ApiError, Expansion};
use crate::cli::progress::Reporter;

/// `sora-tui enhance`.
#[derive(Debug, Args)]
pub struct EnhanceArgs {
    /// The prompt to enhance.
    pub prompt: String,
    /// How much longer: short, medium or long.
    #[arg(long, default_value = "medium", value_parser = parse_level)]
    pub level: Expansion,
    /// The video length the prompt is for, seconds (the known clients send 10, 15 or 20).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=600))]
    pub duration: u32,
}

fn parse_level(s: &str) -> Result<Expansion, String> {
    Expansion::parse(s).ok_or_else(|| format!("{s:?} is not a level: use short, medium or long"))
}

impl Ctx<'_> {
    /// Runs `enhance`.
    pub(super) async fn enhance(&self, a: &EnhanceArgs, r: &mut Reporter) -> Outcome {
        if a.prompt.trim().is_empty() {
            return Err(ApiError::InvalidInput(
                "the prompt is empty: give the text to enhance".into(),
            )
            .into());
        }
        let text = self
            .client
            .enhance_prompt(&a.prompt, a.level, a.duration)
            .await?;
        r.event(json!({"event":"enhanced","enhanced_prompt":text,
            "expansion_level":a.level.as_str(),"duration_s":a.duration}));
        if !r.is_json() {
            println!("{text}");
        }
        Ok(())
    }
}
