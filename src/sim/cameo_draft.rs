//! `POST /characters/from-generation`: a cameo made from one of the account's own drafts
//! (docs/api.md, "Cameo from a draft"). The cameo then follows the same processing,
//! finalize and visibility lifecycle as one uploaded with `/characters/upload`.

use serde_json::{Value, json};

use super::errors::ApiError;
use super::record::Incoming;
use super::routes::Ctx;
use super::validate::{json_object, req_str};

/// Frames per second of the simulated drafts (`n_frames / 30` is their `duration_s`).
const FPS: f64 = 30.0;

/// `POST /characters/from-generation` with `{"generation_id", "character_id", "timestamps"}`.
pub fn from_generation(ctx: &mut Ctx<'_>, req: &Incoming) -> Result<Value, ApiError> {
    let body = json_object(req)?;
    let generation_id = req_str(&body, "generation_id")?;
    // `character_id` is sent as null by the known client; a string is accepted too (its
    // meaning is not known), anything else is a type error.
    match body.get("character_id") {
        None | Some(Value::Null) | Some(Value::String(_)) => {}
        Some(_) => {
            return Err(
                invalid("Field 'character_id' must be null or a string.").param("character_id")
            );
        }
    }
    let duration = ctx
        .world
        .draft(generation_id)
        .map(|d| f64::from(d.n_frames) / FPS)
        .ok_or_else(|| ApiError::not_found(format!("Generation {generation_id} not found.")))?;
    clip(body.get("timestamps"), duration)?;
    Ok(json!({"id": ctx.world.create_cameo(ctx.now)}))
}

/// Checks `timestamps`: exactly two numbers, `0 <= start < end <= duration`.
fn clip(value: Option<&Value>, duration: f64) -> Result<(f64, f64), ApiError> {
    let bad = |why: String| Err(invalid(format!("Invalid timestamps: {why}")).param("timestamps"));
    let Some(Value::Array(pair)) = value else {
        return bad("expected a pair of seconds such as [0, 3].".into());
    };
    let (start, end) = match pair.as_slice() {
        [a, b] => match (a.as_f64(), b.as_f64()) {
            (Some(a), Some(b)) => (a, b),
            _ => return bad("both values must be numbers of seconds.".into()),
        },
        _ => return bad("expected exactly two numbers, [start, end].".into()),
    };
    if !(start >= 0.0 && start < end) {
        return bad("start must be at least 0 and before end.".into());
    }
    // A little slack: durations are frame counts, and a client may round them.
    if end > duration + 0.05 {
        return bad(format!(
            "the clip must end within the draft ({duration:.1} s long)."
        ));
    }
    Ok((start, end))
}

/// A 400 `invalid_request` with a message.
fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::bad_request(message).code("invalid_request")
}
