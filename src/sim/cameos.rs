//! Cameo endpoints: upload a video, poll its processing, upload a profile picture, finalize a
//! character, set its visibility, delete it.

use serde_json::{Value, json};

use super::errors::ApiError;
use super::record::Incoming;
use super::routes::Ctx;
use super::validate::{self, json_object, req_str};
use super::views;
use super::world::FinalizeRequest;

/// Longest display name accepted.
const MAX_DISPLAY_NAME: usize = 50;

/// `POST /characters/upload`: multipart `file` (MP4) + `timestamps` ("start,end").
pub fn upload(ctx: &mut Ctx<'_>, req: &Incoming) -> Result<Value, ApiError> {
    let file = validate::part(req, "file")?;
    if !validate::is_mp4(&file.data) {
        return Err(
            ApiError::bad_request("The uploaded file is not an MP4 video.")
                .param("file")
                .code("invalid_video"),
        );
    }
    let timestamps = validate::part(req, "timestamps")?;
    validate::parse_timestamps(&timestamps.text())?;
    Ok(json!({"id": ctx.world.create_cameo(ctx.now)}))
}

/// `GET /project_y/cameos/in_progress/{id}`.
pub fn progress(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let cameo = ctx
        .world
        .cameo(id)
        .ok_or_else(|| ApiError::not_found("Cameo not found."))?;
    let stage = ctx.world.cameo_stage(cameo, ctx.now);
    Ok(views::cameo_progress(cameo, stage, ctx.urls))
}

/// `POST /project_y/file/upload`: multipart `file` + `use_case`: `profile` (a WebP profile
/// picture) or `inpaint_safe` (an image, or a video, to use in `inpaint_items` as
/// `{"kind":"file","file_id":…}`).
pub fn upload_profile(ctx: &mut Ctx<'_>, req: &Incoming) -> Result<Value, ApiError> {
    let file = validate::part(req, "file")?;
    let use_case = validate::part(req, "use_case")?.text();
    match use_case.as_str() {
        "profile" if !validate::is_webp(&file.data) => {
            return Err(
                ApiError::bad_request("Profile pictures must be WebP images.")
                    .param("file")
                    .code("invalid_image"),
            );
        }
        "profile" => {}
        "inpaint_safe"
            if validate::sniff_image(&file.data).is_none() && !validate::is_mp4(&file.data) =>
        {
            return Err(ApiError::bad_request(
                "The uploaded file is not a supported image or video. Use PNG, JPEG, WebP or MP4.",
            )
            .param("file")
            .code("invalid_image"));
        }
        "inpaint_safe" => {}
        other => {
            return Err(ApiError::bad_request(format!(
                "Unsupported use_case '{other}': expected 'profile' or 'inpaint_safe'."
            ))
            .param("use_case"));
        }
    }
    let size = file.data.len();
    let (file_id, pointer) = ctx.world.add_file();
    Ok(json!({
        "file_id": file_id,
        "asset_pointer": pointer,
        "url": null,
        "size": size,
        "contains_realistic_person": false,
    }))
}

/// `POST /characters/finalize`.
pub fn finalize(ctx: &mut Ctx<'_>, req: &Incoming) -> Result<Value, ApiError> {
    let body = json_object(req)?;
    let cameo_id = req_str(&body, "cameo_id")?;
    let username = req_str(&body, "username")?;
    let display_name = req_str(&body, "display_name")?.trim();
    let pointer = req_str(&body, "profile_asset_pointer")?;
    validate::check_username(username)?;
    if display_name.is_empty() || display_name.chars().count() > MAX_DISPLAY_NAME {
        return Err(ApiError::bad_request(format!(
            "The display name must be 1 to {MAX_DISPLAY_NAME} characters."
        ))
        .param("display_name"));
    }
    // The world refuses the names taken here; another account's, or this account's own
    // profile name, are taken too (one namespace, as `username/check` answers).
    if super::username::is_taken(ctx, username) && !ctx.world.is_username_taken(username) {
        return Err(ApiError::bad_request("That username is already taken.")
            .param("username")
            .code("username_taken"));
    }
    let character = ctx.world.finalize(
        FinalizeRequest {
            cameo_id: cameo_id.to_string(),
            username: username.to_string(),
            display_name: display_name.to_string(),
            profile_asset_pointer: pointer.to_string(),
        },
        ctx.now,
    )?;
    Ok(json!({"character": views::character(&character, "private")}))
}

/// `POST /project_y/cameos/by_id/{cameo_id}/update_v2` with `{"visibility": …}`.
pub fn update(ctx: &mut Ctx<'_>, cameo_id: &str, req: &Incoming) -> Result<Value, ApiError> {
    let body = json_object(req)?;
    let visibility = req_str(&body, "visibility")?;
    if !matches!(visibility, "public" | "private") {
        return Err(ApiError::bad_request(format!(
            "Invalid visibility '{visibility}': expected 'public' or 'private'."
        ))
        .param("visibility"));
    }
    let (cameo, character) = ctx.world.set_visibility(cameo_id, visibility)?;
    Ok(views::cameo(&cameo, &character))
}

/// `DELETE /project_y/characters/{character_id}`.
pub fn delete_character(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    ctx.world.delete_character(id)?;
    Ok(json!({}))
}
