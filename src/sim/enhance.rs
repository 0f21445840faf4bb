//! `POST /editor/enhance_prompt`: a longer, more detailed prompt (docs/api.md, "Prompt
//! enhancement"). The live service rewrites with a model; the simulator appends fixed
//! camera, lighting and sound phrases, more of them the longer the level, so the answer is
//! deterministic and visibly longer.

use serde_json::{Value, json};

use super::errors::ApiError;
use super::record::Incoming;
use super::routes::Ctx;
use super::validate::{json_object, opt_str};

/// Longest prompt accepted (the create endpoints' limit is not known either; this only keeps
/// the answer bounded).
const MAX_PROMPT_CHARS: usize = 20_000;

/// The phrases added per level, in order; `short` adds the first, `medium` three, `long` all.
const PHRASES: [&str; 5] = [
    "Cinematic framing with a slow dolly-in.",
    "Soft golden-hour lighting with gentle rim light.",
    "Ambient sound: a light breeze and distant birdsong.",
    "Shallow depth of field, 35mm lens, subtle film grain.",
    "Smooth, steady camera motion; natural colour grading.",
];

/// `POST /editor/enhance_prompt` with `{"prompt", "expansion_level", "duration_s"}`.
pub fn enhance_prompt(_ctx: &mut Ctx<'_>, req: &Incoming) -> Result<Value, ApiError> {
    let body = json_object(req)?;
    let prompt = opt_str(&body, "prompt")?.unwrap_or("").trim();
    if prompt.is_empty() {
        return Err(invalid("The prompt must not be empty.").param("prompt"));
    }
    if prompt.chars().count() > MAX_PROMPT_CHARS {
        return Err(invalid(format!(
            "The prompt must be at most {MAX_PROMPT_CHARS} characters."
        ))
        .param("prompt"));
    }
    let phrases = match opt_str(&body, "expansion_level")? {
        Some("short") => 1,
        None | Some("medium") => 3,
        Some("long") => PHRASES.len(),
        Some(other) => {
            return Err(invalid(format!(
                "Invalid expansion_level '{other}': expected 'short', 'medium' or 'long'."
            ))
            .param("expansion_level"));
        }
    };
    let duration = match body.get("duration_s") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64().filter(|d| *d > 0) {
            Some(d) => Some(d),
            None => {
                return Err(
                    invalid("Field 'duration_s' must be a positive integer.").param("duration_s")
                );
            }
        },
    };
    let mut enhanced = prompt.trim_end_matches('.').to_string();
    enhanced.push('.');
    for phrase in &PHRASES[..phrases] {
        enhanced.push(' ');
        enhanced.push_str(phrase);
    }
    if let Some(d) = duration {
        enhanced.push_str(&format!(" Paced for {d} seconds."));
    }
    Ok(json!({"enhanced_prompt": enhanced}))
}

/// A 400 `invalid_request` with a message.
fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::bad_request(message).code("invalid_request")
}
