//! JSON renderings of the world's objects, in the live service's shapes (field lists as public
//! clients of the live service read and observed them).

use serde_json::{Value, json};

use super::media::{Asset, Blob, MediaUrls};
use super::picture::Shape;
use super::state::{CameoStage, FAILURE_REASON, ImageStage, VideoStage};
use super::world::{
    Cameo, Character, Draft, ImageTask, Orientation, Post, VideoTask, World, video_dimensions,
};

/// `reason_str` of a content-violation draft.
pub const VIOLATION_REASON: &str =
    "This content may violate our guardrails concerning similarity to third-party content.";
const VIOLATION_REASON_MD: &str = "This content may violate our [guardrails](https://openai.com/policies/usage-policies) concerning similarity to third-party content.";
/// `failure_reason` / `error_message` of a failed image task.
pub const IMAGE_FAILURE_REASON: &str = "Image generation failed";
/// Structural similarity reported for the sample renditions (the live service reports one
/// per encoding; the value means nothing here).
const SSIM: f64 = 0.9965;

/// The public link of a post.
pub fn permalink(post_id: &str) -> String {
    format!("https://sora.chatgpt.com/p/{post_id}")
}

/// The page of a draft.
pub fn draft_permalink(generation_id: &str) -> String {
    format!("https://sora.chatgpt.com/d/{generation_id}")
}

/// What a `creation_config` is made from: a task's request or the draft it became.
struct Creation<'a> {
    prompt: &'a str,
    orientation: Orientation,
    n_frames: u32,
    style_id: Option<&'a str>,
    remix_target_id: Option<&'a str>,
    inpaint_items: &'a [Value],
    extension_of: Option<&'a str>,
}

/// `creation_config` as pending items and drafts carry it.
fn creation_config(c: &Creation<'_>, world: &World, urls: &MediaUrls) -> Value {
    let (references, others): (Vec<&Value>, Vec<&Value>) = c
        .inpaint_items
        .iter()
        .partition(|item| item["kind"] == "reference");
    let mut config = json!({
        "remix_target_post": c.remix_target_id.map(|id| remix_target_post(id, world, urls)),
        "style": c.style_id.map(style),
        "inpaint_image": others.first(),
        "reference_inpaint_items": (!references.is_empty()).then_some(references),
        "prompt": c.prompt,
        "task_id": null,
        "cameo_profiles": [],
        "orientation": c.orientation.as_str(),
        "n_frames": c.n_frames,
        "storyboard_id": null,
        "editing_config": null,
    });
    // Only on extensions: the live key is not recorded (docs/api.md, "Extending a draft").
    if let (Some(id), Some(config)) = (c.extension_of, config.as_object_mut()) {
        config.insert("extension_source".into(), json!({"generation_id": id}));
    }
    config
}

/// A style preset object for `style_id`.
fn style(id: &str) -> Value {
    let mut display: String = id.replace('_', " ");
    if let Some(first) = display.get(..1) {
        display = first.to_uppercase() + &display[1..];
    }
    json!({"id": id, "display_name": display, "image_url": null, "orientation": null})
}

/// The remixed post as a `{post, profile, reposter_profile}` wrapper (only its id once the
/// post is gone).
fn remix_target_post(post_id: &str, world: &World, urls: &MediaUrls) -> Value {
    let post = match world.live_post(post_id) {
        Some(p) => post_object(p, world, urls),
        None => json!({"id": post_id, "permalink": permalink(post_id)}),
    };
    json!({"post": post, "profile": profile(world), "reposter_profile": null})
}

/// The account's public profile, as feeds and the post tree carry it.
pub fn profile(world: &World) -> Value {
    json!({
        "user_id": world.user_id,
        "username": world.account.username,
        "display_name": world.account.display_name,
        "profile_picture_url": null,
        "is_default_profile_picture": true,
        "can_cameo": false,
        "follower_count": 0,
        "following_count": 0,
        "permalink": world
            .account
            .username
            .as_ref()
            .map(|u| format!("https://sora.chatgpt.com/profile/{u}")),
    })
}

/// A `/nf/pending` and `/nf/pending/v2` item.
pub fn pending_item(task: &VideoTask, stage: VideoStage, world: &World, urls: &MediaUrls) -> Value {
    let (status, progress) = match stage {
        VideoStage::Pending { status, progress } => (status.as_str(), progress),
        _ => ("processing", None),
    };
    let failure_reason = (status == "failed").then_some(FAILURE_REASON);
    let spec = &task.spec;
    let creation = Creation {
        prompt: &spec.prompt,
        orientation: spec.orientation,
        n_frames: spec.n_frames,
        style_id: spec.style_id.as_deref(),
        remix_target_id: spec.remix_target_id.as_deref(),
        inpaint_items: &spec.inpaint_items,
        extension_of: spec.extension_of.as_deref(),
    };
    json!({
        "id": task.id,
        "task_type": "video_gen",
        "status": status,
        "failure_reason": failure_reason,
        "prompt": spec.prompt,
        "title": spec.title,
        "progress_pct": progress,
        "generations": [],
        "creation_config": creation_config(&creation, world, urls),
    })
}

/// One entry of `encodings`: `{path, size, duration_secs, ssim}`; `path` is a signed URL, or
/// on drafts/v2 the blob's internal name.
fn encoding(
    urls: &MediaUrls,
    owner: &str,
    blob: Blob,
    duration: Option<f64>,
    internal: bool,
) -> Value {
    let path = if internal {
        urls.path(owner, blob)
    } else {
        urls.url(owner, blob)
    };
    let video = blob.asset() == Asset::Video || blob.asset() == Asset::VideoClean;
    json!({
        "path": path,
        "size": video.then(|| blob.size()),
        "duration_secs": if video { duration } else { None },
        "ssim": video.then_some(SSIM),
    })
}

/// The eight renditions of a video; `source` is the file a post's attachment offers as its
/// source (the drafts' own source is the watermarked file); the thumbnails have the video's
/// `shape`.
fn encodings(
    urls: &MediaUrls,
    owner: &str,
    source: Blob,
    duration: f64,
    internal: bool,
    shape: Shape,
) -> Value {
    let e = |blob| encoding(urls, owner, blob, Some(duration), internal);
    json!({
        "source": e(source),
        "source_wm": e(Blob::Source),
        "endcard_wm": e(Blob::EndcardWm),
        "thumbnail": e(Blob::Thumbnail(shape)),
        "unfurl": e(Blob::Unfurl(shape)),
        "md": e(Blob::Md),
        "ld": e(Blob::Ld),
        "gif": null,
    })
}

/// `download_urls`: the watermarked file and the one with the end card; never a clean one.
fn download_urls(urls: &MediaUrls, owner: &str) -> Value {
    json!({
        "watermark": urls.url(owner, Blob::Source),
        "no_watermark": null,
        "endcard_watermark": urls.url(owner, Blob::EndcardWm),
    })
}

/// A drafts-list item (`v2`: the drafts/v2 form, whose `encodings.*.path` are internal blob
/// names rather than URLs).
pub fn draft_item(d: &Draft, world: &World, urls: &MediaUrls, v2: bool) -> Value {
    let (width, height) = video_dimensions(d.orientation, d.size);
    let duration = f64::from(d.n_frames) / 30.0;
    let ready = d.has_urls();
    let violation = d.is_violation();
    let url = |blob| ready.then(|| urls.url(&d.id, blob));
    let null_encodings = json!({
        "source": null, "source_wm": null, "endcard_wm": null, "thumbnail": null,
        "unfurl": null, "md": null, "ld": null, "gif": null,
    });
    let post = d
        .post_id
        .as_deref()
        .and_then(|id| world.live_post(id))
        .map(|p| post_object(p, world, urls));
    let creation = Creation {
        prompt: &d.prompt,
        orientation: d.orientation,
        n_frames: d.n_frames,
        style_id: d.style_id.as_deref(),
        remix_target_id: d.remix_target_id.as_deref(),
        inpaint_items: &d.inpaint_items,
        extension_of: d.extension_of.as_deref(),
    };
    let has_children = d
        .post_id
        .as_deref()
        .is_some_and(|id| world.remix_count(id) > 0);
    json!({
        "id": d.id,
        "generation_id": d.id,
        "task_id": d.task_id,
        "kind": if violation { "sora_content_violation" } else { "sora_draft" },
        "url": url(Blob::Md),
        "downloadable_url": url(Blob::Source),
        "download_urls": ready.then(|| download_urls(urls, &d.id)),
        "reason_str": violation.then_some(VIOLATION_REASON),
        "markdown_reason_str": violation.then_some(VIOLATION_REASON_MD),
        "error_reason": null,
        "width": width,
        "height": height,
        "duration_s": duration,
        "prompt": d.prompt,
        "title": d.title,
        "created_at": d.created_at,
        "generation_type": "video_gen",
        "encodings": if ready {
            encodings(urls, &d.id, Blob::Source, duration, v2, Shape::of(width, height))
        } else {
            null_encodings
        },
        "creation_config": creation_config(&creation, world, urls),
        "draft_reviewed": false,
        "can_remix": ready,
        "can_extend": ready,
        "can_storyboard": ready,
        "can_create_character": ready,
        "has_children": has_children,
        "storyboard_id": null,
        "post": post,
        "post_id": d.post_id,
        "post_visibility": d.post_id.as_ref().map(|_| "public"),
        "tags": [],
        "operations": [],
        "permalink": draft_permalink(&d.id),
    })
}

/// A post object (the inside of `{"post": …}`).
pub fn post_object(post: &Post, world: &World, urls: &MediaUrls) -> Value {
    let g = &post.generation_id;
    let draft = world.draft(g);
    let (width, height, duration, n_frames) = draft.map_or((None, None, None, None), |d| {
        let (w, h) = video_dimensions(d.orientation, d.size);
        (
            Some(w),
            Some(h),
            Some(f64::from(d.n_frames) / 30.0),
            Some(d.n_frames),
        )
    });
    // Only a mobile-app token is given the clean file as the source.
    let source = if world.serves_clean_source() {
        Blob::SourceClean
    } else {
        Blob::Source
    };
    json!({
        "id": post.id,
        "shared_by": world.user_id,
        "is_owner": true,
        "posted_to_public": true,
        "post_locations": ["public"],
        "posted_at": post.posted_at,
        "updated_at": post.posted_at,
        "like_count": 0,
        "view_count": 0,
        "remix_count": world.remix_count(&post.id),
        "source": "sy",
        "text": post.text,
        "caption": null,
        "preview_image_url": format!("https://ogimg.chatgpt.com/?postId={}", post.id),
        "permalink": permalink(&post.id),
        "attachments": [{
            "id": format!("{}-attachment-0", post.id),
            "tags": ["sora"],
            "kind": "sora",
            "generation_id": g,
            "generation_type": "video_gen",
            "url": urls.url(g, Blob::Md),
            "downloadable_url": urls.url(g, Blob::Source),
            "download_urls": download_urls(urls, g),
            "width": width,
            "height": height,
            "duration_s": duration,
            "n_frames": n_frames,
            "prompt": null,
            "task_id": draft.map(|d| d.task_id.as_str()),
            "output_blocked": false,
            "title": null,
            "source": null,
            "encodings": encodings(
                urls,
                g,
                source,
                duration.unwrap_or(0.0),
                false,
                Shape::of(width.unwrap_or(16), height.unwrap_or(9)),
            ),
        }],
    })
}

/// A `{"post": …}` answer.
pub fn post(post: &Post, world: &World, urls: &MediaUrls) -> Value {
    json!({"post": post_object(post, world, urls)})
}

/// A `/project_y/post/{id}/tree` answer: the post, its author and no replies.
pub fn post_tree(post: &Post, world: &World, urls: &MediaUrls) -> Value {
    json!({
        "post": post_object(post, world, urls),
        "profile": profile(world),
        "reposter_profile": null,
        "children": [],
        "cursor": null,
    })
}

/// A `/v2/recent_tasks` item.
pub fn image_task(task: &ImageTask, stage: ImageStage, urls: &MediaUrls) -> Value {
    let spec = &task.spec;
    let asset = match (spec.width, spec.height) {
        (w, h) if w > h => Asset::ImageLandscape,
        (w, h) if w < h => Asset::ImagePortrait,
        _ => Asset::ImageSquare,
    };
    let generations: Vec<Value> = if stage == ImageStage::Succeeded {
        task.generation_ids
            .iter()
            .map(|id| {
                json!({
                    "id": id,
                    "task_id": task.id,
                    "url": urls.url(id, Blob::Image(asset)),
                    "width": spec.width,
                    "height": spec.height,
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let progress = match stage {
        ImageStage::Queued => None,
        ImageStage::Running(p) => Some(p),
        ImageStage::Succeeded => Some(1.0),
        ImageStage::Failed => None,
    };
    // Clients disagree on which field carries the failure text; both are filled.
    let failure = (stage == ImageStage::Failed).then_some(IMAGE_FAILURE_REASON);
    json!({
        "id": task.id,
        "type": "image_gen",
        "operation": spec.operation,
        "status": stage.as_str(),
        "progress_pct": progress,
        "failure_reason": failure,
        "error_message": failure,
        "prompt": spec.prompt,
        "n_variants": spec.n_variants,
        "width": spec.width,
        "height": spec.height,
        "inpaint_items": spec.upload_ids.iter().map(|id| json!({"type": "image", "frame_index": 0, "upload_media_id": id})).collect::<Vec<_>>(),
        "created_at": task.created_at,
        "generations": generations,
    })
}

/// A `/project_y/cameos/in_progress/{id}` answer.
pub fn cameo_progress(cameo: &Cameo, stage: CameoStage, urls: &MediaUrls) -> Value {
    let hints = |status: &str, message: &str| {
        json!({
            "id": cameo.id,
            "status": status,
            "status_message": message,
            "display_name_hint": format!("Demo Cameo {}", cameo.number),
            "username_hint": format!("demo.cameo.{}", cameo.number),
            "profile_asset_url": urls.url(&cameo.id, Blob::Image(Asset::Profile)),
            "instruction_set_hint": null,
        })
    };
    let bare = |status: &str, message: &str| {
        json!({
            "id": cameo.id,
            "status": status,
            "status_message": message,
            "display_name_hint": null,
            "username_hint": null,
            "profile_asset_url": null,
            "instruction_set_hint": null,
        })
    };
    if cameo.character_id.is_some() {
        return hints("finalized", "Completed");
    }
    match stage {
        CameoStage::Processing(message) => bare("processing", message),
        CameoStage::Completed => hints("completed", "Completed"),
        CameoStage::Failed(reason) => bare("failed", reason),
    }
}

/// A character as returned by finalize (`{"character": …}` is added by the caller).
pub fn character(c: &Character, visibility: &str) -> Value {
    json!({
        "character_id": c.id,
        "cameo_id": c.cameo_id,
        "username": c.username,
        "display_name": c.display_name,
        "profile_asset_pointer": c.profile_asset_pointer,
        "visibility": visibility,
    })
}

/// The cameo answer of `update_v2`.
pub fn cameo(cameo: &Cameo, character: &Character) -> Value {
    json!({
        "id": cameo.id,
        "cameo_id": cameo.id,
        "character_id": character.id,
        "username": character.username,
        "display_name": character.display_name,
        "visibility": cameo.visibility,
        "status": "finalized",
    })
}
