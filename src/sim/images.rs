//! Image endpoints: `POST /uploads`, `POST /video_gen`, `GET /v2/recent_tasks`.

use serde_json::{Value, json};

use super::errors::ApiError;
use super::record::Incoming;
use super::routes::Ctx;
use super::validate::{self, json_object, opt_array, opt_u64, req_str, req_u64};
use super::views;
use super::world::ImageSpec;

/// Largest width or height accepted. Clients send 360/540 and one asks for 1792x1024; the
/// live limits are not known, so anything up to this is taken.
const MAX_SIDE: u64 = 4096;
/// Most images one task may make.
const MAX_VARIANTS: u64 = 4;

/// `POST /uploads`: multipart `file` (PNG/JPEG/WebP) + `file_name`.
pub fn upload(ctx: &mut Ctx<'_>, req: &Incoming) -> Result<Value, ApiError> {
    let file = validate::part(req, "file")?;
    validate::part(req, "file_name")?;
    if validate::sniff_image(&file.data).is_none() {
        return Err(ApiError::bad_request(
            "The uploaded file is not a supported image. Use PNG, JPEG or WebP.",
        )
        .param("file")
        .code("invalid_image"));
    }
    Ok(json!({"id": ctx.world.add_upload()}))
}

/// `POST /video_gen`: an image generation.
pub fn create(ctx: &mut Ctx<'_>, req: &Incoming) -> Result<Value, ApiError> {
    let body = json_object(req)?;
    let kind = req_str(&body, "type")?;
    if kind != "image_gen" {
        return Err(ApiError::bad_request(format!(
            "Unsupported type '{kind}': expected 'image_gen'."
        ))
        .param("type"));
    }
    let operation = req_str(&body, "operation")?;
    if !matches!(operation, "simple_compose" | "remix") {
        return Err(ApiError::bad_request(format!(
            "Unsupported operation '{operation}': expected 'simple_compose' or 'remix'."
        ))
        .param("operation"));
    }
    let prompt = req_str(&body, "prompt")?;
    if prompt.trim().is_empty() {
        return Err(ApiError::bad_request("The prompt must not be empty.").param("prompt"));
    }
    let (width, height) = (req_u64(&body, "width")?, req_u64(&body, "height")?);
    for (field, value) in [("width", width), ("height", height)] {
        if !(1..=MAX_SIDE).contains(&value) {
            return Err(ApiError::bad_request(format!(
                "Invalid {field} {value}: expected 1 to {MAX_SIDE} pixels."
            ))
            .param(field));
        }
    }
    let n_variants = opt_u64(&body, "n_variants")?.unwrap_or(1);
    if !(1..=MAX_VARIANTS).contains(&n_variants) {
        return Err(ApiError::bad_request(format!(
            "n_variants must be between 1 and {MAX_VARIANTS}."
        ))
        .param("n_variants"));
    }
    if opt_u64(&body, "n_frames")?.is_some_and(|n| n != 1) {
        return Err(ApiError::bad_request("n_frames must be 1 for images.").param("n_frames"));
    }
    let mut upload_ids = Vec::new();
    for item in opt_array(&body, "inpaint_items")? {
        let id = item
            .get("upload_media_id")
            .and_then(Value::as_str)
            .filter(|_| item.get("type").and_then(Value::as_str) == Some("image"))
            .ok_or_else(|| {
                ApiError::bad_request(
                    "Each inpaint item must be {\"type\":\"image\",\"frame_index\":0,\"upload_media_id\":…}.",
                )
                .param("inpaint_items")
            })?;
        if !ctx.world.has_upload(id) {
            return Err(
                ApiError::bad_request(format!("Unknown upload_media_id '{id}'."))
                    .param("inpaint_items")
                    .code("invalid_upload"),
            );
        }
        upload_ids.push(id.to_string());
    }
    if operation == "remix" && upload_ids.is_empty() {
        return Err(
            ApiError::bad_request("A remix needs an uploaded image in inpaint_items.")
                .param("inpaint_items"),
        );
    }
    let spec = ImageSpec {
        prompt: prompt.to_string(),
        operation: operation.to_string(),
        width: width as u32,
        height: height as u32,
        n_variants: n_variants as u32,
        upload_ids,
    };
    Ok(json!({"id": ctx.world.create_image(spec, ctx.now)}))
}

/// `GET /v2/recent_tasks?limit=N[&before=task_…]`: image tasks, newest first; `before`
/// pages to the tasks older than that one.
pub fn recent(ctx: &mut Ctx<'_>, req: &Incoming) -> Result<Value, ApiError> {
    let limit = validate::limit(req, 20, 100)?;
    let before = validate::query_param(req, "before").filter(|b| !b.is_empty());
    let items: Vec<Value> = ctx
        .world
        .recent_images(limit, before.as_deref(), ctx.now)
        .into_iter()
        .map(|(task, stage)| views::image_task(task, stage, ctx.urls))
        .collect();
    Ok(json!({"task_responses": items}))
}
