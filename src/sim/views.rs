//! JSON renderings of the world's objects, in the live service's shapes.

use serde_json::{Value, json};

use super::media::{Asset, MediaUrls};
use super::state::{CameoStage, FAILURE_REASON, ImageStage, VideoStage};
use super::world::{Cameo, Character, Draft, ImageTask, Post, VideoTask, video_dimensions};

/// `reason_str` of a content-violation draft.
pub const VIOLATION_REASON: &str =
    "This content may violate our guardrails concerning similarity to third-party content.";
const VIOLATION_REASON_MD: &str = "This content may violate our [guardrails](https://openai.com/policies/usage-policies) concerning similarity to third-party content.";

/// The public link of a post.
pub fn permalink(post_id: &str) -> String {
    format!("https://sora.chatgpt.com/p/{post_id}")
}

/// A `/nf/pending` item.
pub fn pending_item(task: &VideoTask, stage: VideoStage) -> Value {
    let (status, progress) = match stage {
        VideoStage::Pending { status, progress } => (status.as_str(), progress),
        _ => ("processing", None),
    };
    let failure_reason = (status == "failed").then_some(FAILURE_REASON);
    let spec = &task.spec;
    let inpaint: Vec<Value> = spec
        .upload_ids
        .iter()
        .map(|id| json!({"kind": "upload", "upload_id": id}))
        .collect();
    json!({
        "id": task.id,
        "status": status,
        "progress_pct": progress,
        "failure_reason": failure_reason,
        "prompt": spec.prompt,
        "title": spec.title,
        "generations": [],
        "creation_config": {
            "orientation": spec.orientation.as_str(),
            "n_frames": spec.n_frames,
            "model": spec.model,
            "size": spec.size.map(|s| s.as_str()),
            "remix_target_id": spec.remix_target_id,
            "inpaint_items": inpaint,
        },
        "created_at": task.created_at,
    })
}

/// A drafts-list item.
pub fn draft_item(d: &Draft, urls: &MediaUrls) -> Value {
    let (width, height) = video_dimensions(d.orientation, d.size);
    let duration = f64::from(d.n_frames) / 30.0;
    let ready = d.has_urls();
    let violation = d.is_violation();
    let url = |file: &str| ready.then(|| urls.url(&d.id, file));
    let video_size = Asset::Video.bytes().len();
    let encoding = |file: &str| {
        url(file).map(|path| json!({"path": path, "size": video_size, "duration_secs": duration}))
    };
    json!({
        "id": d.id,
        "generation_id": d.id,
        "task_id": d.task_id,
        "kind": if violation { "sora_content_violation" } else { "sora_draft" },
        "url": url("md.mp4"),
        "downloadable_url": url("source.mp4"),
        "download_urls": ready.then(|| json!({
            "watermark": url("source.mp4"),
            "no_watermark": null,
            "endcard_watermark": url("endcard.mp4"),
        })),
        "reason_str": violation.then_some(VIOLATION_REASON),
        "markdown_reason_str": violation.then_some(VIOLATION_REASON_MD),
        "width": width,
        "height": height,
        "duration_s": duration,
        "n_frames": d.n_frames,
        "model": d.model,
        "prompt": d.prompt,
        "title": d.title,
        "created_at": d.created_at,
        "encodings": {
            "source": encoding("source.mp4"),
            "md": encoding("md.mp4"),
            "ld": encoding("ld.mp4"),
            "thumbnail": url("thumbnail.webp").map(|path| json!({"path": path})),
            "gif": null,
        },
        "post": d.post_id.as_ref().map(|id| json!({"id": id, "permalink": permalink(id)})),
        "post_id": d.post_id,
    })
}

/// A `{"post": …}` answer.
pub fn post(post: &Post, draft: Option<&Draft>, urls: &MediaUrls) -> Value {
    let g = &post.generation_id;
    let (width, height, duration) = draft.map_or((None, None, None), |d| {
        let (w, h) = video_dimensions(d.orientation, d.size);
        (Some(w), Some(h), Some(f64::from(d.n_frames) / 30.0))
    });
    json!({
        "post": {
            "id": post.id,
            "permalink": permalink(&post.id),
            "text": post.text,
            "posted_at": post.posted_at,
            "attachments": [{
                "generation_id": g,
                "kind": "sora",
                "url": urls.url(g, "md.mp4"),
                "downloadable_url": urls.url(g, "source.mp4"),
                "width": width,
                "height": height,
                "duration_s": duration,
                "encodings": {
                    "source": {
                        "path": urls.url(g, "source_nowm.mp4"),
                        "size": Asset::VideoClean.bytes().len(),
                        "duration_secs": duration,
                    },
                    "thumbnail": {"path": urls.url(g, "thumbnail.webp")},
                },
            }],
        }
    })
}

/// A `/v2/recent_tasks` item.
pub fn image_task(task: &ImageTask, stage: ImageStage, urls: &MediaUrls) -> Value {
    let spec = &task.spec;
    let file = match (spec.width, spec.height) {
        (w, h) if w > h => "image_landscape.webp",
        (w, h) if w < h => "image_portrait.webp",
        _ => "image.png",
    };
    let generations: Vec<Value> = if stage == ImageStage::Succeeded {
        task.generation_ids
            .iter()
            .map(|id| {
                json!({
                    "id": id,
                    "task_id": task.id,
                    "url": urls.url(id, file),
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
    json!({
        "id": task.id,
        "type": "image_gen",
        "operation": spec.operation,
        "status": stage.as_str(),
        "progress_pct": progress,
        "failure_reason": (stage == ImageStage::Failed).then_some("Image generation failed"),
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
            "profile_asset_url": urls.url(&cameo.id, "profile.webp"),
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
