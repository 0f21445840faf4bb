//! Request bodies (field for field as the seed specifies) and tolerant response shapes.
//!
//! Responses ignore unknown fields, accept `null` for anything optional and default what is
//! missing: the live service changed shapes more than once and a strict parser would break
//! on the next change.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// Treats `null` like a missing field, for collections and strings that are sometimes null.
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Accepts a number or a numeric string; anything else becomes `None`.
fn lenient_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// Accepts a string or a number as an id-like string.
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// `GET /me`: who the token belongs to. Sometimes nested under `user`; see [`Me::from_value`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Me {
    /// Account id.
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    /// Account email.
    #[serde(default, deserialize_with = "lenient_string")]
    pub email: Option<String>,
    /// Display name.
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<String>,
    /// Sora username (null until one is chosen).
    #[serde(default, deserialize_with = "lenient_string")]
    pub username: Option<String>,
}

impl Me {
    /// Reads the profile whether it is top-level or nested under `user`.
    pub fn from_value(v: &Value) -> Option<Me> {
        let top: Me = serde_json::from_value(v.clone()).ok()?;
        if let Some(user) = v.get("user").filter(|u| u.is_object()) {
            let nested: Me = serde_json::from_value(user.clone()).ok()?;
            return Some(Me {
                id: top.id.or(nested.id),
                email: top.email.or(nested.email),
                name: top.name.or(nested.name),
                username: top.username.or(nested.username),
            });
        }
        Some(top)
    }

    /// The best single name for the account: username, else email, else name.
    pub fn display(&self) -> String {
        self.username
            .as_ref()
            .map(|u| format!("@{u}"))
            .or_else(|| self.email.clone())
            .or_else(|| self.name.clone())
            .unwrap_or_else(|| "unknown account".to_string())
    }
}

/// `{"id": …}` as returned by the create and upload calls.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct IdResponse {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
}

/// One element of `inpaint_items` for `/nf/create`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VideoInpaintItem {
    /// Always `upload`.
    pub kind: &'static str,
    /// The media id returned by `POST /uploads`.
    pub upload_id: String,
}

/// `POST /nf/create` for text-to-video and image-to-video, in the seed's field order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VideoCreateBody {
    /// Always `video`.
    pub kind: &'static str,
    /// What to generate.
    pub prompt: String,
    /// `landscape` or `portrait`.
    pub orientation: &'static str,
    /// `small` or `large`.
    pub size: &'static str,
    /// 300/450/750.
    pub n_frames: u32,
    /// `sy_8` or `sy_ore`.
    pub model: &'static str,
    /// The starting image, if any.
    pub inpaint_items: Vec<VideoInpaintItem>,
}

/// `POST /nf/create` for a remix of a published video, in the seed's field order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RemixCreateBody {
    /// Always `video`.
    pub kind: &'static str,
    /// What to change.
    pub prompt: String,
    /// `landscape` or `portrait`.
    pub orientation: &'static str,
    /// 300/450/750.
    pub n_frames: u32,
    /// `sy_8` or `sy_ore`.
    pub model: &'static str,
    /// The published post id (`s_…`).
    pub remix_target_id: String,
    /// Always empty for a remix.
    pub inpaint_items: Vec<VideoInpaintItem>,
    /// Empty, as in the seed.
    pub cameo_ids: Vec<String>,
    /// Empty, as in the seed.
    pub cameo_replacements: serde_json::Map<String, Value>,
}

/// `POST /nf/create/storyboard`, every field of the seed including its nulls.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoryboardCreateBody {
    /// Always `video`.
    pub kind: &'static str,
    /// The storyboard text of sora-api.md section 3.
    pub prompt: String,
    /// `Draft your video`, as the web app sends.
    pub title: String,
    /// `landscape` or `portrait`.
    pub orientation: &'static str,
    /// `small` or `large`.
    pub size: &'static str,
    /// From the chosen total length.
    pub n_frames: u32,
    /// `sy_8` or `sy_ore`.
    pub model: &'static str,
    /// Always null.
    pub storyboard_id: Option<String>,
    /// Always empty.
    pub inpaint_items: Vec<VideoInpaintItem>,
    /// Always null.
    pub remix_target_id: Option<String>,
    /// Always null.
    pub metadata: Option<Value>,
    /// Always null.
    pub style_id: Option<String>,
    /// Always null.
    pub cameo_ids: Option<Vec<String>>,
    /// Always null.
    pub cameo_replacements: Option<Value>,
}

/// One element of `inpaint_items` for `/video_gen`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageInpaintItem {
    /// Always `image`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Always 0.
    pub frame_index: u32,
    /// The media id returned by `POST /uploads`.
    pub upload_media_id: String,
}

/// `POST /video_gen` (image generation), in the seed's field order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageGenBody {
    /// Always `image_gen`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `simple_compose`, or `remix` when starting from an uploaded image.
    pub operation: &'static str,
    /// What to generate.
    pub prompt: String,
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
    /// How many images.
    pub n_variants: u32,
    /// Always 1.
    pub n_frames: u32,
    /// The starting image, if any.
    pub inpaint_items: Vec<ImageInpaintItem>,
}

/// One generated output attached to a task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    /// `gen_…`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    /// Where the media can be fetched.
    #[serde(default, deserialize_with = "lenient_string")]
    pub url: Option<String>,
    /// Pixels, when known.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub width: Option<f64>,
    /// Pixels, when known.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub height: Option<f64>,
}

/// A task as `/nf/pending` and `/v2/recent_tasks` describe it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskInfo {
    /// `task_…`.
    #[serde(default)]
    pub id: String,
    /// `preprocessing`, `queued`, `running`, `processing`, `succeeded`, `failed`, or new words.
    #[serde(default, deserialize_with = "null_default")]
    pub status: String,
    /// 0.0-1.0, null for 0; above 1 it is already a percent (see [`TaskInfo::progress`]).
    #[serde(default, deserialize_with = "lenient_f64")]
    pub progress_pct: Option<f64>,
    /// Why it failed.
    #[serde(default, deserialize_with = "lenient_string")]
    pub failure_reason: Option<String>,
    /// Older name of `failure_reason`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub error_message: Option<String>,
    /// The prompt, when the server echoes it.
    #[serde(default, deserialize_with = "lenient_string")]
    pub prompt: Option<String>,
    /// A title, when present.
    #[serde(default, deserialize_with = "lenient_string")]
    pub title: Option<String>,
    /// Outputs (filled for succeeded image tasks).
    #[serde(default, deserialize_with = "null_default")]
    pub generations: Vec<Generation>,
}

impl TaskInfo {
    /// Progress as a fraction 0.0-1.0.
    pub fn progress(&self) -> f64 {
        progress_fraction(self.progress_pct)
    }

    /// The failure text, from whichever field carries it.
    pub fn failure(&self) -> Option<&str> {
        self.failure_reason
            .as_deref()
            .or(self.error_message.as_deref())
            .filter(|s| !s.trim().is_empty())
    }
}

/// Normalises a `progress_pct` value: null is 0, above 1 is a percent, clamped to 0.0-1.0.
pub fn progress_fraction(v: Option<f64>) -> f64 {
    match v {
        Some(p) if p.is_finite() && p > 1.0 => (p / 100.0).clamp(0.0, 1.0),
        Some(p) if p.is_finite() => p.clamp(0.0, 1.0),
        _ => 0.0,
    }
}

/// `/nf/pending` is a bare array on some versions and `{"items": […]}` on others.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum PendingBody {
    Bare(Vec<TaskInfo>),
    Wrapped {
        #[serde(default, deserialize_with = "null_default")]
        items: Vec<TaskInfo>,
    },
}

/// `/v2/recent_tasks`.
#[derive(Deserialize)]
pub(crate) struct RecentTasksBody {
    #[serde(default, deserialize_with = "null_default")]
    pub task_responses: Vec<TaskInfo>,
}

/// One rendition of a draft (`encodings.source`, `.md`, `.thumbnail`, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Encoding {
    /// URL of the file.
    #[serde(default, deserialize_with = "lenient_string")]
    pub path: Option<String>,
    /// Bytes, when known.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub size: Option<f64>,
    /// Seconds, when known.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub duration_secs: Option<f64>,
}

/// The renditions of a draft or post attachment; each may be null.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Encodings {
    /// Full quality.
    #[serde(default)]
    pub source: Option<Encoding>,
    /// Medium quality.
    #[serde(default)]
    pub md: Option<Encoding>,
    /// Low quality.
    #[serde(default)]
    pub ld: Option<Encoding>,
    /// Preview image.
    #[serde(default)]
    pub thumbnail: Option<Encoding>,
}

/// `download_urls` of a draft.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DownloadUrls {
    /// With watermark.
    #[serde(default, deserialize_with = "lenient_string")]
    pub watermark: Option<String>,
    /// Without watermark (rarely present).
    #[serde(default, deserialize_with = "lenient_string")]
    pub no_watermark: Option<String>,
    /// With the end card.
    #[serde(default, deserialize_with = "lenient_string")]
    pub endcard_watermark: Option<String>,
}

/// A finished video in the account's drafts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// `gen_…`, used to publish.
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    /// Same as `id` on some versions.
    #[serde(default, deserialize_with = "lenient_string")]
    pub generation_id: Option<String>,
    /// The task that made it (join key with pending).
    #[serde(default, deserialize_with = "lenient_string")]
    pub task_id: Option<String>,
    /// `sora_draft`, or `sora_content_violation`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub kind: Option<String>,
    /// Stream URL.
    #[serde(default, deserialize_with = "lenient_string")]
    pub url: Option<String>,
    /// Full-quality file URL.
    #[serde(default, deserialize_with = "lenient_string")]
    pub downloadable_url: Option<String>,
    /// Alternative download URLs.
    #[serde(default)]
    pub download_urls: Option<DownloadUrls>,
    /// Non-empty when moderation blocked it.
    #[serde(default, deserialize_with = "lenient_string")]
    pub reason_str: Option<String>,
    /// Same, as markdown.
    #[serde(default, deserialize_with = "lenient_string")]
    pub markdown_reason_str: Option<String>,
    /// Pixels.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub width: Option<f64>,
    /// Pixels.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub height: Option<f64>,
    /// Seconds.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub duration_s: Option<f64>,
    /// The prompt it was made from.
    #[serde(default, deserialize_with = "lenient_string")]
    pub prompt: Option<String>,
    /// Title.
    #[serde(default, deserialize_with = "lenient_string")]
    pub title: Option<String>,
    /// Unix seconds.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub created_at: Option<f64>,
    /// Renditions.
    #[serde(default)]
    pub encodings: Option<Encodings>,
    /// Set when published (an id or a post object).
    #[serde(default)]
    pub post: Option<Value>,
    /// Set when published.
    #[serde(default, deserialize_with = "lenient_string")]
    pub post_id: Option<String>,
}

/// What a draft amounts to for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftVerdict {
    /// Ready to watch and download.
    Ready,
    /// Moderation blocked it; the text says why.
    Violation(String),
    /// Present but without media URLs yet: poll again.
    NotReady,
}

impl Draft {
    /// The generation id, from whichever field carries it.
    pub fn gen_id(&self) -> Option<&str> {
        self.id.as_deref().or(self.generation_id.as_deref())
    }

    /// The verdict of sora-api.md: violation first, then readiness.
    pub fn verdict(&self) -> DraftVerdict {
        let reason = [&self.reason_str, &self.markdown_reason_str]
            .into_iter()
            .flatten()
            .find(|s| !s.trim().is_empty());
        if self.kind.as_deref() == Some("sora_content_violation") || reason.is_some() {
            return DraftVerdict::Violation(
                reason
                    .cloned()
                    .unwrap_or_else(|| "blocked by the content policy".to_string()),
            );
        }
        if self.best_url().is_none() {
            DraftVerdict::NotReady
        } else {
            DraftVerdict::Ready
        }
    }

    /// The URL to download: full quality first.
    pub fn best_url(&self) -> Option<&str> {
        fn nonempty(s: &Option<String>) -> Option<&str> {
            s.as_deref().filter(|s| !s.is_empty())
        }
        nonempty(&self.downloadable_url)
            .or_else(|| nonempty(&self.url))
            .or_else(|| {
                self.encodings
                    .as_ref()
                    .and_then(|e| e.source.as_ref())
                    .and_then(|s| nonempty(&s.path))
            })
    }

    /// The published post's id, if the draft is published.
    pub fn published_post_id(&self) -> Option<String> {
        if let Some(id) = self.post_id.as_ref().filter(|s| !s.is_empty()) {
            return Some(id.clone());
        }
        match &self.post {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::Object(o)) => o.get("id").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        }
    }
}

/// One page of drafts and the cursor of the next (`None` at the end).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DraftsPage {
    /// Newest first.
    #[serde(default, deserialize_with = "null_default")]
    pub items: Vec<Draft>,
    /// Opaque; pass it back for the next page.
    #[serde(default, deserialize_with = "lenient_string")]
    pub cursor: Option<String>,
}

/// `POST /project_y/post` body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostBody {
    /// The draft to publish.
    pub attachments_to_create: Vec<PostAttachmentRef>,
    /// Always empty.
    pub post_text: String,
}

/// A reference to a draft inside [`PostBody`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostAttachmentRef {
    /// `gen_…`.
    pub generation_id: String,
    /// Always `sora`.
    pub kind: &'static str,
}

/// An attachment of a published post.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PostAttachment {
    /// The draft it came from.
    #[serde(default, deserialize_with = "lenient_string")]
    pub generation_id: Option<String>,
    /// Stream URL.
    #[serde(default, deserialize_with = "lenient_string")]
    pub url: Option<String>,
    /// Full-quality URL (watermarked).
    #[serde(default, deserialize_with = "lenient_string")]
    pub downloadable_url: Option<String>,
    /// `source.path` is the file without the watermark.
    #[serde(default)]
    pub encodings: Option<Encodings>,
}

/// A published post.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Post {
    /// `s_…`.
    #[serde(default)]
    pub id: String,
    /// The share link.
    #[serde(default, deserialize_with = "lenient_string")]
    pub permalink: Option<String>,
    /// Usually one.
    #[serde(default, deserialize_with = "null_default")]
    pub attachments: Vec<PostAttachment>,
}

impl Post {
    /// The share link, built from the id when the server left it out.
    pub fn share_link(&self) -> String {
        self.permalink
            .clone()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| format!("https://sora.chatgpt.com/p/{}", self.id))
    }

    /// URL of the file without the watermark (`attachments[0].encodings.source.path`).
    pub fn clean_source_url(&self) -> Option<&str> {
        self.attachments
            .first()?
            .encodings
            .as_ref()?
            .source
            .as_ref()?
            .path
            .as_deref()
            .filter(|p| !p.is_empty())
    }
}

#[derive(Deserialize)]
pub(crate) struct PostEnvelope {
    pub post: Option<Post>,
}

/// `GET /project_y/cameos/in_progress/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CameoProgress {
    /// Server status word (`processing`, `failed`, `finalized`, …).
    #[serde(default, deserialize_with = "lenient_string")]
    pub status: Option<String>,
    /// Human status text; `Completed` when done.
    #[serde(default, deserialize_with = "lenient_string")]
    pub status_message: Option<String>,
    /// Suggested display name.
    #[serde(default, deserialize_with = "lenient_string")]
    pub display_name_hint: Option<String>,
    /// Suggested username.
    #[serde(default, deserialize_with = "lenient_string")]
    pub username_hint: Option<String>,
    /// The avatar to upload at finalize.
    #[serde(default, deserialize_with = "lenient_string")]
    pub profile_asset_url: Option<String>,
    /// Opaque instructions hint.
    #[serde(default)]
    pub instruction_set_hint: Option<Value>,
}

/// Where a cameo's processing stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameoPhase {
    /// Still working; the server's status text.
    Processing(String),
    /// Done: ready to finalize.
    Completed,
    /// Failed; the server's reason.
    Failed(String),
}

impl CameoProgress {
    /// The rule of sora-api.md: done on `Completed` or `finalized`, failed on `failed`.
    pub fn phase(&self) -> CameoPhase {
        let status = self.status.as_deref().unwrap_or("").to_ascii_lowercase();
        let message = self.status_message.clone().unwrap_or_default();
        if status == "failed" {
            let reason = if message.is_empty() {
                "processing failed".to_string()
            } else {
                message
            };
            CameoPhase::Failed(reason)
        } else if message.eq_ignore_ascii_case("completed") || status == "finalized" {
            CameoPhase::Completed
        } else if message.is_empty() {
            CameoPhase::Processing(if status.is_empty() {
                "processing".into()
            } else {
                status
            })
        } else {
            CameoPhase::Processing(message)
        }
    }
}

/// `POST /characters/finalize` body, field for field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FinalizeBody {
    /// From the upload.
    pub cameo_id: String,
    /// Lowercase letters, digits, dots.
    pub username: String,
    /// Free text.
    pub display_name: String,
    /// `sediment://file_…` from the profile upload.
    pub profile_asset_pointer: String,
    /// Always null.
    pub instruction_set: Option<Value>,
    /// Always null.
    pub safety_instruction_set: Option<Value>,
}

/// `GET /nf/check`: how many videos the account may still make.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Quota {
    /// Videos left in the current window.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub estimated_num_videos_remaining: Option<f64>,
    /// Whether the limit is reached.
    #[serde(default)]
    pub rate_limit_reached: Option<bool>,
    /// Seconds until the window resets.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub access_resets_in_seconds: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_accepts_both_shapes_and_nulls() {
        let bare: PendingBody = serde_json::from_str(
            r#"[{"id":"task_1","status":"running","progress_pct":0.4,"generations":null,"extra":1}]"#,
        )
        .unwrap();
        let wrapped: PendingBody = serde_json::from_str(
            r#"{"items":[{"id":"task_1","status":null,"progress_pct":null}]}"#,
        )
        .unwrap();
        let (PendingBody::Bare(a), PendingBody::Wrapped { items: b }) = (bare, wrapped) else {
            panic!("wrong shapes");
        };
        assert_eq!(a[0].progress(), 0.4);
        assert_eq!(b[0].progress(), 0.0);
        assert_eq!(b[0].status, "");
    }

    #[test]
    fn progress_above_one_is_a_percent() {
        assert_eq!(progress_fraction(Some(40.0)), 0.4);
        assert_eq!(progress_fraction(Some(1.0)), 1.0);
        assert_eq!(progress_fraction(None), 0.0);
        assert_eq!(progress_fraction(Some(f64::NAN)), 0.0);
    }

    #[test]
    fn draft_verdicts() {
        let d: Draft = serde_json::from_str(
            r#"{"id":"gen_1","kind":"sora_draft","downloadable_url":"https://x/y.mp4"}"#,
        )
        .unwrap();
        assert_eq!(d.verdict(), DraftVerdict::Ready);
        let v: Draft = serde_json::from_str(r#"{"id":"gen_2","kind":"sora_content_violation","reason_str":null,"markdown_reason_str":"no"}"#).unwrap();
        assert_eq!(v.verdict(), DraftVerdict::Violation("no".into()));
        let n: Draft =
            serde_json::from_str(r#"{"id":"gen_3","url":null,"downloadable_url":""}"#).unwrap();
        assert_eq!(n.verdict(), DraftVerdict::NotReady);
    }

    #[test]
    fn me_may_be_nested() {
        let v: Value =
            serde_json::from_str(r#"{"user":{"email":"a@b.c","username":null}}"#).unwrap();
        let me = Me::from_value(&v).unwrap();
        assert_eq!(me.email.as_deref(), Some("a@b.c"));
        assert_eq!(me.display(), "a@b.c");
    }

    #[test]
    fn cameo_phases() {
        let p = |s: &str, m: &str| CameoProgress {
            status: Some(s.into()),
            status_message: Some(m.into()),
            ..CameoProgress::default()
        };
        assert_eq!(
            p("processing", "Analyzing").phase(),
            CameoPhase::Processing("Analyzing".into())
        );
        assert_eq!(p("processing", "COMPLETED").phase(), CameoPhase::Completed);
        assert_eq!(p("finalized", "").phase(), CameoPhase::Completed);
        assert_eq!(
            p("failed", "bad clip").phase(),
            CameoPhase::Failed("bad clip".into())
        );
    }
}
