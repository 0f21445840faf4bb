//! `POST /project_y/profile/drafts/{gen_id}/long_video_extension`: continues a draft by 10 or
//! 15 seconds. The new task runs through the same lifecycle as `/nf/create` (pending, then a
//! draft) and counts toward the same limits; its draft names the draft it extends. What the
//! evidence leaves open is in docs/api.md, "Extending a draft".

use serde_json::{Value, json};

use super::errors::ApiError;
use super::record::Incoming;
use super::routes::Ctx;
use super::validate::{json_object, req_str, req_u64};
use super::world::VideoSpec;

/// The extension lengths accepted, in seconds.
const SECONDS: [u64; 2] = [10, 15];

/// The model an extension runs on: the evidence names none, and every remix-like path uses
/// Sora 2.
const MODEL: &str = "sy_8";

/// Starts the extension of the account's draft `gen_id`: 404 for a draft it does not have
/// (another account's included), 400 for a length other than 10 or 15 s.
pub fn extend(ctx: &mut Ctx<'_>, gen_id: &str, req: &Incoming) -> Result<Value, ApiError> {
    let body = json_object(req)?;
    let prompt = req_str(&body, "user_prompt")?;
    let seconds = req_u64(&body, "extension_duration_s")?;
    if !SECONDS.contains(&seconds) {
        return Err(ApiError::bad_request(format!(
            "Invalid extension_duration_s {seconds}: expected 10 or 15."
        ))
        .param("extension_duration_s"));
    }
    match body.get("enable_rewrite") {
        None | Some(Value::Null) | Some(Value::Bool(_)) => {}
        Some(_) => {
            return Err(
                ApiError::bad_request("Field 'enable_rewrite' must be a boolean.")
                    .param("enable_rewrite"),
            );
        }
    }
    let parent = ctx
        .world
        .draft(gen_id)
        .ok_or_else(|| ApiError::not_found(format!("Draft {gen_id} not found.")))?;
    let added = u32::try_from(seconds * 30).unwrap_or(450);
    let spec = VideoSpec {
        prompt: prompt.to_string(),
        title: None,
        orientation: parent.orientation,
        n_frames: parent.n_frames.saturating_add(added),
        model: MODEL.to_string(),
        size: Some(parent.size),
        remix_target_id: None,
        style_id: parent.style_id.clone(),
        inpaint_items: Vec::new(),
        extension_of: Some(parent.id.clone()),
    };
    let id = ctx.world.create_video(spec, ctx.now)?;
    Ok(json!({"id": id, "task_type": "video_gen"}))
}
