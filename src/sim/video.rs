//! Video endpoints: create (plain, remix, storyboard), pending, drafts, and publishing.

use serde_json::{Value, json};

use super::cursor;
use super::errors::ApiError;
use super::ids;
use super::record::Incoming;
use super::routes::Ctx;
use super::validate::{self, json_object, opt_array, opt_str, req_str, req_u64};
use super::views;
use super::world::{Orientation, Size, VideoSpec};

/// Valid lengths in frames (5, 10, 15, 20, 25 s at 30 fps).
const N_FRAMES: [u32; 5] = [150, 300, 450, 600, 750];
/// Length that needs the Pro plan.
const PRO_FRAMES: u32 = 750;
/// Model that needs the Pro plan.
const PRO_MODEL: &str = "sy_ore";

/// `POST /nf/create` and `POST /nf/create/storyboard`.
pub fn create(ctx: &mut Ctx<'_>, req: &Incoming, storyboard: bool) -> Result<Value, ApiError> {
    let body = json_object(req)?;
    let kind = req_str(&body, "kind")?;
    if kind != "video" {
        return Err(
            ApiError::bad_request(format!("Unsupported kind '{kind}': expected 'video'."))
                .param("kind"),
        );
    }
    let prompt = req_str(&body, "prompt")?;
    if prompt.trim().is_empty() {
        return Err(ApiError::bad_request("The prompt must not be empty.").param("prompt"));
    }
    if storyboard && !prompt.starts_with("current timeline:\n") {
        return Err(ApiError::bad_request(
            "A storyboard prompt must start with \"current timeline:\" followed by its shots.",
        )
        .param("prompt"));
    }
    let orientation = req_str(&body, "orientation")?;
    let orientation = Orientation::parse(orientation).ok_or_else(|| {
        ApiError::bad_request(format!(
            "Invalid orientation '{orientation}': expected 'landscape' or 'portrait'."
        ))
        .param("orientation")
    })?;
    let n_frames = req_u64(&body, "n_frames")?;
    let n_frames = u32::try_from(n_frames)
        .ok()
        .filter(|n| N_FRAMES.contains(n))
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "Invalid n_frames {n_frames}: expected one of 150, 300, 450, 600, 750."
            ))
            .param("n_frames")
        })?;
    let model = req_str(&body, "model")?;
    if !matches!(model, "sy_8" | PRO_MODEL) {
        return Err(ApiError::bad_request(format!(
            "Invalid model '{model}': expected 'sy_8' or 'sy_ore'."
        ))
        .param("model"));
    }
    let remix_target_id = opt_str(&body, "remix_target_id")?;
    let size = match opt_str(&body, "size")? {
        None if remix_target_id.is_some() => None,
        None => return Err(ApiError::bad_request("Missing required field 'size'.").param("size")),
        Some(s) => Some(Size::parse(s).ok_or_else(|| {
            ApiError::bad_request(format!("Invalid size '{s}': expected 'small' or 'large'."))
                .param("size")
        })?),
    };
    if !ctx.world.pro_plan {
        let pro_only = |what: &str, param: &str| {
            Err(
                ApiError::bad_request(format!("{what} is only available with a ChatGPT Pro plan."))
                    .param(param)
                    .code("pro_plan_required"),
            )
        };
        if n_frames == PRO_FRAMES {
            return pro_only("25-second video", "n_frames");
        }
        if model == PRO_MODEL {
            return pro_only("Sora 2 Pro (model sy_ore)", "model");
        }
        if size == Some(Size::Large) {
            return pro_only("High resolution (size 'large')", "size");
        }
    }
    if let Some(target) = remix_target_id
        && !ids::is_post_id(target)
    {
        return Err(ApiError::bad_request(format!(
            "Invalid remix_target_id '{target}': expected a post id like s_…"
        ))
        .param("remix_target_id"));
    }
    let mut upload_ids = Vec::new();
    for item in opt_array(&body, "inpaint_items")? {
        let id = item
            .get("upload_id")
            .and_then(Value::as_str)
            .filter(|_| item.get("kind").and_then(Value::as_str) == Some("upload"))
            .ok_or_else(|| {
                ApiError::bad_request(
                    "Each inpaint item must be {\"kind\":\"upload\",\"upload_id\":…}.",
                )
                .param("inpaint_items")
            })?;
        if !ctx.world.has_upload(id) {
            return Err(ApiError::bad_request(format!("Unknown upload_id '{id}'."))
                .param("inpaint_items")
                .code("invalid_upload"));
        }
        upload_ids.push(id.to_string());
    }
    let spec = VideoSpec {
        prompt: prompt.to_string(),
        title: opt_str(&body, "title")?.map(str::to_string),
        orientation,
        n_frames,
        model: model.to_string(),
        size,
        remix_target_id: remix_target_id.map(str::to_string),
        upload_ids,
    };
    Ok(json!({"id": ctx.world.create_video(spec, ctx.now)?}))
}

/// `GET /nf/pending` (bare array) and `GET /nf/pending/v2` (`{"items": […]}`).
pub fn pending(ctx: &mut Ctx<'_>, v2: bool) -> Value {
    let items: Vec<Value> = ctx
        .world
        .pending(ctx.now)
        .into_iter()
        .map(|(task, stage)| views::pending_item(task, stage))
        .collect();
    if v2 {
        json!({"items": items})
    } else {
        Value::Array(items)
    }
}

/// `GET /project_y/profile/drafts[/v2]?limit=N&cursor=C`.
pub fn drafts(ctx: &mut Ctx<'_>, req: &Incoming) -> Result<Value, ApiError> {
    let limit = validate::limit(req, 15, 100)?;
    let after = match validate::query_param(req, "cursor").filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            cursor::decode(&c)
                .ok_or_else(|| ApiError::bad_request("Invalid cursor.").param("cursor"))?,
        ),
    };
    let (page, next) = ctx.world.list_drafts(limit, after);
    let items: Vec<Value> = page
        .iter()
        .map(|d| views::draft_item(d, ctx.urls))
        .collect();
    Ok(json!({"items": items, "cursor": next.map(cursor::encode)}))
}

/// `POST /project_y/post`: publish one draft.
pub fn publish(ctx: &mut Ctx<'_>, req: &Incoming) -> Result<Value, ApiError> {
    let body = json_object(req)?;
    let attachments = opt_array(&body, "attachments_to_create")?;
    let [attachment] = attachments else {
        let e = if attachments.is_empty() && !body.contains_key("attachments_to_create") {
            ApiError::bad_request("Missing required field 'attachments_to_create'.")
        } else {
            ApiError::bad_request("attachments_to_create must hold exactly one attachment.")
        };
        return Err(e.param("attachments_to_create"));
    };
    let generation_id = attachment
        .get("generation_id")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            ApiError::bad_request("Missing required field 'generation_id' in the attachment.")
                .param("generation_id")
        })?;
    if let Some(kind) = attachment.get("kind").and_then(Value::as_str)
        && kind != "sora"
    {
        return Err(ApiError::bad_request(format!(
            "Unsupported attachment kind '{kind}': expected 'sora'."
        ))
        .param("kind"));
    }
    let text = opt_str(&body, "post_text")?.unwrap_or("");
    let post = ctx.world.publish(generation_id, text, ctx.now)?;
    let draft = ctx.world.draft(generation_id);
    Ok(views::post(&post, draft, ctx.urls))
}

/// `GET /project_y/post/{id}`.
pub fn get_post(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let post = ctx
        .world
        .live_post(id)
        .ok_or_else(|| ApiError::not_found(format!("Post {id} not found.")))?;
    Ok(views::post(
        post,
        ctx.world.draft(&post.generation_id),
        ctx.urls,
    ))
}

/// `DELETE /project_y/post/{id}`.
pub fn delete_post(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    ctx.world.delete_post(id)?;
    Ok(json!({}))
}
