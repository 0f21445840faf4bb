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
/// Models accepted: Sora 2, its dated name (sent by one client, accepted live), Sora 2 Pro.
const MODELS: [&str; 3] = ["sy_8", "sy_8_20251208", PRO_MODEL];
/// `inpaint_items[].kind` values and the id field each one carries.
const INPAINT_KINDS: [(&str, &str); 4] = [
    ("upload", "upload_id"),
    ("file", "file_id"),
    ("generation", "generation_id"),
    ("reference", "reference_id"),
];

/// Whether `prompt` is a storyboard: the `current timeline:` form, or its shot blocks alone
/// (`Shot 1:` followed by a `duration:` line), as clients send it when there are no
/// instructions.
fn is_storyboard_text(prompt: &str) -> bool {
    if prompt.starts_with("current timeline:") {
        return true;
    }
    let lines: Vec<&str> = prompt.lines().map(str::trim).collect();
    lines.windows(2).any(|w| {
        w[0].strip_prefix("Shot ")
            .and_then(|rest| rest.strip_suffix(':'))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            && w[1].starts_with("duration:")
    })
}

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
    if storyboard && !is_storyboard_text(prompt) {
        return Err(ApiError::bad_request(
            "A storyboard prompt must hold its shots (\"Shot 1:\" then \"duration: …\").",
        )
        .param("prompt"));
    }
    let orientation = req_str(&body, "orientation")?;
    let orientation = Orientation::parse(orientation).ok_or_else(|| {
        ApiError::bad_request(format!(
            "Invalid orientation '{orientation}': expected 'landscape', 'portrait' or 'square'."
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
    if !MODELS.contains(&model) {
        return Err(ApiError::bad_request(format!(
            "Invalid model '{model}': expected 'sy_8', 'sy_8_20251208' or 'sy_ore'."
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
    let mut inpaint_items = Vec::new();
    for item in opt_array(&body, "inpaint_items")? {
        inpaint_items.push(inpaint_item(ctx, item)?);
    }
    let spec = VideoSpec {
        prompt: prompt.to_string(),
        title: opt_str(&body, "title")?.map(str::to_string),
        orientation,
        n_frames,
        model: model.to_string(),
        size,
        remix_target_id: remix_target_id.map(str::to_string),
        style_id: opt_str(&body, "style_id")?.map(str::to_string),
        inpaint_items,
        extension_of: None,
    };
    let id = ctx.world.create_video(spec, ctx.now)?;
    Ok(json!({"id": id, "task_type": "video_gen"}))
}

/// Checks one `inpaint_items` entry: a known kind with its id. Ids the simulator issued
/// (uploads, files, drafts) must exist; reference ids come from an endpoint it does not
/// have, so any is taken. Returns `{"kind", "<id field>"}`.
fn inpaint_item(ctx: &Ctx<'_>, item: &Value) -> Result<Value, ApiError> {
    let bad = |message: String| ApiError::bad_request(message).param("inpaint_items");
    let kind = item.get("kind").and_then(Value::as_str).unwrap_or("");
    let Some((kind, field)) = INPAINT_KINDS.iter().find(|(k, _)| *k == kind) else {
        return Err(bad(format!(
            "Unsupported inpaint item kind '{kind}': expected upload, file, generation or reference."
        )));
    };
    let id = item
        .get(*field)
        .and_then(Value::as_str)
        .filter(|id| !id.trim().is_empty())
        .ok_or_else(|| bad(format!("An inpaint item of kind '{kind}' needs '{field}'.")))?;
    let known = match *kind {
        "upload" => ctx.world.has_upload(id),
        "file" => ctx.world.has_file(id),
        "generation" => ctx.world.draft(id).is_some(),
        _ => true,
    };
    if !known {
        return Err(bad(format!("Unknown {field} '{id}'.")).code("invalid_upload"));
    }
    Ok(json!({"kind": kind, *field: id}))
}

/// `GET /nf/pending` and `GET /nf/pending/v2`: both a bare array, `[]` when nothing runs.
pub fn pending(ctx: &mut Ctx<'_>) -> Value {
    let world = &*ctx.world;
    let items: Vec<Value> = world
        .pending(ctx.now)
        .into_iter()
        .map(|(task, stage)| views::pending_item(task, stage, world, ctx.urls))
        .collect();
    Value::Array(items)
}

/// `GET /project_y/profile/drafts[/v2]?limit=N&cursor=C` (`v2`: encodings carry internal
/// paths).
pub fn drafts(ctx: &mut Ctx<'_>, req: &Incoming, v2: bool) -> Result<Value, ApiError> {
    let limit = validate::limit(req, 15, 100)?;
    let after = match validate::query_param(req, "cursor").filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            cursor::decode(&c)
                .ok_or_else(|| ApiError::bad_request("Invalid cursor.").param("cursor"))?,
        ),
    };
    let (page, next) = ctx.world.list_drafts(limit, after);
    let world = &*ctx.world;
    let items: Vec<Value> = page
        .iter()
        .map(|d| views::draft_item(d, world, ctx.urls, v2))
        .collect();
    Ok(json!({"items": items, "cursor": next.map(cursor::encode)}))
}

/// `GET /project_y/profile_feed/me?limit=N&cut=nf2[&cursor=C]`: the account's own live
/// posts, newest first, each as `{post, profile, reposter_profile}` (the feeds' item shape,
/// docs/api.md), with the cursor of the next page (`null` on the last).
pub fn profile_feed(ctx: &mut Ctx<'_>, req: &Incoming) -> Result<Value, ApiError> {
    let limit = validate::limit(req, 8, 100)?;
    let after = match validate::query_param(req, "cursor").filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            cursor::decode(&c)
                .ok_or_else(|| ApiError::bad_request("Invalid cursor.").param("cursor"))?,
        ),
    };
    let (posts, next) = ctx.world.list_posts(limit, after);
    let world = &*ctx.world;
    let profile = views::profile(world);
    let items: Vec<Value> = posts
        .iter()
        .map(|p| {
            json!({"post": views::post_object(p, world, ctx.urls), "profile": profile,
                "reposter_profile": null})
        })
        .collect();
    Ok(json!({"items": items, "cursor": next.map(cursor::encode)}))
}

/// `GET /project_y/profile/drafts/v2/{gen_id}`: one draft item, in the drafts/v2 form.
pub fn draft(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let draft = ctx
        .world
        .read_draft(id)
        .ok_or_else(|| ApiError::not_found(format!("Draft {id} not found.")))?;
    Ok(views::draft_item(&draft, ctx.world, ctx.urls, true))
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
    Ok(views::post(&post, ctx.world, ctx.urls))
}

/// `GET /project_y/post/{id}`.
pub fn get_post(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let post = ctx
        .world
        .live_post(id)
        .ok_or_else(|| ApiError::not_found(format!("Post {id} not found.")))?;
    Ok(views::post(post, ctx.world, ctx.urls))
}

/// `GET /project_y/post/{id}/tree?limit=N&max_depth=D`: the post with its author; the
/// simulator has no replies, so `children` is empty whatever the depth.
pub fn post_tree(ctx: &mut Ctx<'_>, id: &str, req: &Incoming) -> Result<Value, ApiError> {
    validate::limit(req, 20, 100)?;
    let post = ctx
        .world
        .live_post(id)
        .ok_or_else(|| ApiError::not_found(format!("Post {id} not found.")))?;
    Ok(views::post_tree(post, ctx.world, ctx.urls))
}

/// `DELETE /project_y/post/{id}`.
pub fn delete_post(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    ctx.world.delete_post(id)?;
    Ok(json!({}))
}
