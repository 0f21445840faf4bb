//! Interoperability: the simulator driven the way the two known third-party clients of the
//! live service drive it, so that a change to the simulator that would break one of them
//! breaks a test here.
//!
//! The clients are re-created from their published behaviour, with nothing of this crate's
//! own client (`src/api`): plain reqwest and serde only.
//!
//! - [`python`]: the Python proxy server (the original "sora2api"). It parses JSON into
//!   dictionaries and reads fields with `.get()`, so extra fields never hurt it, but a list
//!   answered as an object, a missing join key or an empty failure text does.
//! - [`gosdk`]: the Go SDK port. It unmarshals into typed structs: extra fields are ignored,
//!   a missing field or a JSON `null` leaves the zero value, and a value of the wrong JSON type
//!   (an object where a slice is declared, a number where a string is) is an error.
//!
//! Each test is named after the client flow it reproduces: the same request sequence, bodies
//! and multipart parts, the same fields read, and the same verdicts (done, failed, which URL).
//! Headers are those that carry meaning to the service (bearer token, content type, sentinel,
//! device id, origin/referer); neither client's app identity strings (user agent, package
//! name) are repeated here, and the simulator keys nothing on them: which file a post's source
//! is depends on the token alone. The clients' poll intervals are scaled down with the
//! simulator's speed; their overall time limits are replaced by one generous deadline.

mod common;

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};

use common::{asset, start_sim};
use sora_tui::sim::{CameoOutcome, MOBILE_TOKEN, Sim};

/// The simulator's time multiplier: a 10 s video's three live minutes take about a second
/// (long enough that a client polling right after its create sees the task in pending even
/// on a loaded machine), and a cameo's processing a few hundredths.
const SPEED: f64 = 150.0;

/// Longest any polling loop here waits before calling its flow failed.
const WAIT: Duration = Duration::from_secs(30);

/// A client's interval of `secs` live seconds, at the simulator's speed.
fn scaled(secs: f64) -> Duration {
    Duration::from_secs_f64(secs / SPEED)
}

/// The test simulator's settings: [`SPEED`], the rest as configured by default.
fn fast(config: &mut sora_tui::sim::SimConfig) {
    config.speed = SPEED;
}

/// The web page every request of both clients claims to come from.
const ORIGIN: &str = "https://sora.chatgpt.com";

/// A random UUID (v4 form), as both clients make for `oai-device-id`.
fn uuid() -> String {
    let n = fastrand::u128(..);
    let h = format!("{n:032x}");
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// The plain HTTP side shared by both clients: one simulator, one bearer token.
struct Wire {
    http: reqwest::Client,
    /// `http://127.0.0.1:PORT`: the simulator stands in for both live hosts
    /// (sora.chatgpt.com and chatgpt.com).
    root: String,
    token: String,
}

impl Wire {
    fn new(sim: &Sim, token: &str) -> Self {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("http client");
        Wire {
            http,
            root: format!("http://{}", sim.addr()),
            token: token.to_string(),
        }
    }

    /// A backend URL (`https://sora.chatgpt.com/backend{path}` on the live service).
    fn backend(&self, path: &str) -> String {
        format!("{}/backend{path}", self.root)
    }

    /// Sends a request and reads the whole answer.
    async fn send(&self, req: reqwest::RequestBuilder) -> Result<(StatusCode, Vec<u8>), String> {
        let r = req
            .send()
            .await
            .map_err(|e| format!("request failed: {e}"))?;
        let status = r.status();
        let body = r.bytes().await.map_err(|e| format!("body failed: {e}"))?;
        Ok((status, body.to_vec()))
    }

    /// A media file: a plain GET of a pre-signed URL, no credentials.
    async fn download(&self, url: &str) -> Result<File, String> {
        let (status, body) = self.send(self.http.get(url)).await?;
        if status != StatusCode::OK {
            return Err(format!("download of {url} answered {status}"));
        }
        Ok(File(body))
    }
}

/// A downloaded (or committed) file. Equal when the bytes are; shown as its size and FNV-1a
/// hash, so a failed comparison prints two short fingerprints rather than two byte dumps.
#[derive(PartialEq, Eq)]
struct File(Vec<u8>);

impl std::fmt::Debug for File {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hash = self.0.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
        });
        write!(f, "File({} bytes, fnv {hash:016x})", self.0.len())
    }
}

impl std::ops::Deref for File {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

/// A committed asset, to compare downloads with.
fn asset_file(name: &str) -> File {
    File(asset(name))
}

/// A JPEG, PNG or WebP file, by its first bytes.
fn is_image(data: &[u8]) -> bool {
    data.starts_with(b"\x89PNG")
        || data.starts_with(&[0xff, 0xd8, 0xff])
        || (data.len() >= 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP")
}

/// An MP4 file, by its `ftyp` box.
fn is_mp4(data: &[u8]) -> bool {
    data.len() >= 8 && &data[4..8] == b"ftyp"
}

/// Each storyboard marker `[Ns]` / `[N.Ms]` in a prompt: where it starts and ends (bytes) and
/// the number as written. Both clients detect storyboards with this marker.
fn shot_markers(prompt: &str) -> Vec<(usize, usize, &str)> {
    let is_number = |s: &str| {
        let (int, frac) = s.split_once('.').unwrap_or((s, "0"));
        !int.is_empty()
            && !frac.is_empty()
            && int.bytes().all(|b| b.is_ascii_digit())
            && frac.bytes().all(|b| b.is_ascii_digit())
    };
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = prompt[from..].find('[').map(|i| from + i) {
        let rest = &prompt[open + 1..];
        match rest.find("s]") {
            Some(close) if is_number(&rest[..close]) => {
                let end = open + 1 + close + 2;
                found.push((open, end, &rest[..close]));
                from = end;
            }
            _ => from = open + 1,
        }
    }
    found
}

/// The Python proxy server's side of the wire.
mod python {
    use super::*;

    /// One account's client, as the proxy holds it per token.
    pub struct Proxy {
        pub wire: Wire,
        /// `oai-device-id`, one per token.
        device_id: String,
    }

    /// The proxy's error for a non-200 answer: `API request failed: {status} - {body}`.
    fn checked(status: StatusCode, body: &[u8]) -> Result<Value, String> {
        if status != StatusCode::OK {
            return Err(format!(
                "API request failed: {} - {}",
                status.as_u16(),
                String::from_utf8_lossy(body)
            ));
        }
        serde_json::from_slice(body).map_err(|e| format!("invalid JSON ({e})"))
    }

    /// A string field the way `dict.get` yields it: `None` for absent or null, an error for
    /// another type (which the code would trip over).
    fn text<'a>(v: &'a Value, key: &str) -> Result<Option<&'a str>, String> {
        match v.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(format!("{key} is not a string: {other}")),
        }
    }

    /// Python truthiness of an optional string.
    fn non_empty(s: Option<&str>) -> Option<&str> {
        s.filter(|s| !s.is_empty())
    }

    /// The random sentinel the proxy sent before the service required more: 10-20
    /// alphanumerics.
    pub fn random_sentinel() -> String {
        let n = fastrand::usize(10..=20);
        (0..n).map(|_| fastrand::alphanumeric()).collect()
    }

    /// The minimal body of `POST /nf/create` (text-to-video, or image-to-video with an
    /// upload id).
    pub fn video_body(prompt: &str, upload_id: Option<&str>) -> Value {
        let inpaint: Vec<Value> = upload_id
            .map(|id| json!({"kind": "upload", "upload_id": id}))
            .into_iter()
            .collect();
        json!({"kind": "video", "prompt": prompt, "orientation": "landscape", "size": "small",
               "n_frames": 450, "model": "sy_8", "inpaint_items": inpaint, "style_id": null})
    }

    /// The storyboard text: shot blocks, with the `current timeline:` header and the
    /// instructions only when there are instructions (text before the first `[`).
    pub fn storyboard_text(prompt: &str) -> String {
        let markers = shot_markers(prompt);
        let shots: Vec<String> = markers
            .iter()
            .enumerate()
            .map(|(i, (_, end, duration))| {
                let rest = &prompt[*end..];
                let scene = rest[..rest.find('[').unwrap_or(rest.len())].trim();
                format!("Shot {}:\nduration: {duration}sec\nScene: {scene}", i + 1)
            })
            .collect();
        let shots = shots.join("\n\n");
        let instructions = prompt[..prompt.find('[').unwrap_or(prompt.len())].trim();
        if instructions.is_empty() {
            shots
        } else {
            format!("current timeline:\n{shots}\n\ninstructions:\n{instructions}")
        }
    }

    /// Where a finished video is, as the proxy reports it.
    #[derive(Debug)]
    pub struct Video {
        /// The draft's `id` (the generation id the proxy publishes with).
        pub draft_id: String,
        /// `downloadable_url` (else `url`).
        pub url: String,
        /// How many pending polls listed the task.
        pub seen_in_pending: usize,
        /// The progress values it reported, in percent.
        pub progress: Vec<f64>,
    }

    impl Proxy {
        pub fn new(sim: &Sim, token: &str) -> Self {
            Proxy {
                wire: Wire::new(sim, token),
                device_id: uuid(),
            }
        }

        /// The ordinary headers: bearer token (JSON bodies set their own content type).
        fn ordinary(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
            req.bearer_auth(&self.wire.token)
        }

        /// The headers of the sentinel-gated calls.
        fn gated(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
            self.ordinary(req)
                .header("openai-sentinel-token", random_sentinel())
                .header("oai-device-id", &self.device_id)
                .header("oai-language", "en-US")
                .header("origin", ORIGIN)
                .header("referer", format!("{ORIGIN}/explore"))
                .header("accept", "*/*")
        }

        async fn get(&self, path: &str) -> Result<Value, String> {
            let req = self.ordinary(self.wire.http.get(self.wire.backend(path)));
            let (status, body) = self.wire.send(req).await?;
            checked(status, &body)
        }

        async fn post_gated(&self, path: &str, body: Value) -> Result<Value, String> {
            let req = self.gated(self.wire.http.post(self.wire.backend(path)).json(&body));
            let (status, body) = self.wire.send(req).await?;
            checked(status, &body)
        }

        async fn post(&self, path: &str, body: Value) -> Result<Value, String> {
            let req = self.ordinary(self.wire.http.post(self.wire.backend(path)).json(&body));
            let (status, body) = self.wire.send(req).await?;
            checked(status, &body)
        }

        async fn multipart(&self, path: &str, form: Form) -> Result<Value, String> {
            let req = self.ordinary(self.wire.http.post(self.wire.backend(path)).multipart(form));
            let (status, body) = self.wire.send(req).await?;
            checked(status, &body)
        }

        /// `GET /me`: the token check; reads `email`, `name`, `username` (null until chosen).
        pub async fn me(&self) -> Result<(String, String, Option<String>), String> {
            let me = self.get("/me").await?;
            let email = text(&me, "email")?.ok_or("no email in /me")?;
            let name = text(&me, "name")?.ok_or("no name in /me")?;
            let username = text(&me, "username")?;
            Ok((email.into(), name.into(), username.map(str::to_string)))
        }

        /// `POST /uploads`: an image for image-to-image or image-to-video; reads `id`.
        pub async fn upload_image(&self, data: Vec<u8>) -> Result<String, String> {
            let file = Part::bytes(data)
                .file_name("image.png")
                .mime_str("image/png")
                .expect("mime");
            let form = Form::new()
                .part("file", file)
                .text("file_name", "image.png");
            let answer = self.multipart("/uploads", form).await?;
            Ok(text(&answer, "id")?.ok_or("no id from /uploads")?.into())
        }

        /// `POST /video_gen`: an image task (a remix of `upload` when given); reads `id`.
        pub async fn create_image(
            &self,
            prompt: &str,
            (width, height): (u32, u32),
            upload: Option<&str>,
        ) -> Result<String, String> {
            let (operation, inpaint) = match upload {
                None => ("simple_compose", json!([])),
                Some(id) => (
                    "remix",
                    json!([{"type": "image", "frame_index": 0, "upload_media_id": id}]),
                ),
            };
            let body = json!({"type": "image_gen", "operation": operation, "prompt": prompt,
                              "width": width, "height": height, "n_variants": 1, "n_frames": 1,
                              "inpaint_items": inpaint});
            let answer = self.post_gated("/video_gen", body).await?;
            Ok(text(&answer, "id")?.ok_or("no id from /video_gen")?.into())
        }

        /// Polls `GET /v2/recent_tasks?limit=20` until the task `succeeded` with at least one
        /// `generations[].url`; `failed` is an error with the task's `error_message`.
        pub async fn wait_image(&self, task_id: &str) -> Result<Vec<String>, String> {
            let deadline = tokio::time::Instant::now() + WAIT;
            while tokio::time::Instant::now() < deadline {
                tokio::time::sleep(scaled(2.5)).await;
                let page = self.get("/v2/recent_tasks?limit=20").await?;
                let tasks = page["task_responses"]
                    .as_array()
                    .ok_or("task_responses is not a list")?;
                let Some(task) = tasks.iter().find(|t| t["id"] == task_id) else {
                    continue;
                };
                match text(task, "status")? {
                    Some("succeeded") => {
                        let urls: Vec<String> = task["generations"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|g| non_empty(g["url"].as_str()).map(str::to_string))
                            .collect();
                        // Succeeded without a URL yet: the proxy keeps polling.
                        if !urls.is_empty() {
                            return Ok(urls);
                        }
                    }
                    Some("failed") => {
                        // `task.get('error_message', 'Unknown error')`: null prints as None.
                        let message = match task.get("error_message") {
                            None => "Unknown error".to_string(),
                            Some(Value::Null) => "None".to_string(),
                            Some(Value::String(s)) => s.clone(),
                            Some(other) => other.to_string(),
                        };
                        return Err(format!("Image generation failed: {message}"));
                    }
                    _ => {}
                }
            }
            Err(format!("image task {task_id} timed out"))
        }

        /// `POST /nf/create` with `body`; reads `id`.
        pub async fn create_video(&self, body: Value) -> Result<String, String> {
            let answer = self.post_gated("/nf/create", body).await?;
            Ok(text(&answer, "id")?.ok_or("no id from /nf/create")?.into())
        }

        /// `POST /nf/create/storyboard` with the proxy's fixed body; reads `id`.
        pub async fn create_storyboard(&self, text_prompt: &str) -> Result<String, String> {
            let body = json!({"kind": "video", "prompt": text_prompt, "title": "Draft your video",
                              "orientation": "landscape", "size": "small", "n_frames": 450,
                              "storyboard_id": null, "inpaint_items": [], "remix_target_id": null,
                              "model": "sy_8", "metadata": null, "style_id": null,
                              "cameo_ids": null, "cameo_replacements": null,
                              "audio_caption": null, "audio_transcript": null,
                              "video_caption": null});
            let answer = self.post_gated("/nf/create/storyboard", body).await?;
            Ok(text(&answer, "id")?.ok_or("no id from storyboard")?.into())
        }

        /// A remix: the share link (or bare `s_…` id) is taken out of the prompt and sent as
        /// `remix_target_id`, with the proxy's remix body (no `size`).
        pub async fn remix(&self, prompt: &str) -> Result<String, String> {
            let start = prompt.find("s_").ok_or("no post id in the prompt")?;
            let id_end = start + 2 + 32;
            let post_id = prompt.get(start..id_end).ok_or("short post id")?;
            if !post_id[2..].bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!("{post_id} is not s_ and 32 hex"));
            }
            let link_start = prompt[..start]
                .rfind("https://")
                .filter(|i| prompt[*i..start].ends_with("/p/"))
                .unwrap_or(start);
            let rest = format!("{}{}", &prompt[..link_start], &prompt[id_end..]);
            let body = json!({"kind": "video", "prompt": rest.trim(), "inpaint_items": [],
                              "remix_target_id": post_id, "cameo_ids": [],
                              "cameo_replacements": {}, "model": "sy_8",
                              "orientation": "portrait", "n_frames": 450, "style_id": null});
            self.create_video(body).await
        }

        /// The proxy's video poll: every 2.5 s `GET /nf/pending/v2`, a bare list of items; while
        /// the task is listed its `progress_pct` (null → 0, ×100) is the progress; once it is not,
        /// `GET /project_y/profile/drafts?limit=15` and the item whose `task_id` matches. A
        /// draft with a `reason_str` / `markdown_reason_str` or of kind
        /// `sora_content_violation` is a failure; otherwise `downloadable_url` (else `url`).
        pub async fn wait_video(&self, task_id: &str) -> Result<Video, String> {
            let mut seen_in_pending = 0;
            let mut progress = Vec::new();
            let deadline = tokio::time::Instant::now() + WAIT;
            while tokio::time::Instant::now() < deadline {
                tokio::time::sleep(scaled(2.5)).await;
                let pending = self.get("/nf/pending/v2").await?;
                // `for task in result: task.get(...)`: over an object that iterates its keys,
                // and `str.get` raises. The proxy swallows that until its time limit; here the
                // flow stops at once with the same verdict.
                let items = pending
                    .as_array()
                    .ok_or_else(|| format!("pending v2 is not a list: {pending}"))?;
                let mut listed = false;
                for item in items {
                    if !item.is_object() {
                        return Err(format!("pending item is not an object: {item}"));
                    }
                    if item["id"] == task_id {
                        listed = true;
                        let pct = match item.get("progress_pct") {
                            None | Some(Value::Null) => 0.0,
                            Some(v) => v.as_f64().ok_or_else(|| format!("progress_pct {v}"))?,
                        };
                        progress.push(pct * 100.0);
                    }
                }
                if listed {
                    seen_in_pending += 1;
                    continue;
                }
                let drafts = self.get("/project_y/profile/drafts?limit=15").await?;
                let items = drafts["items"]
                    .as_array()
                    .ok_or("drafts items not a list")?;
                let Some(draft) = items.iter().find(|d| d["task_id"] == task_id) else {
                    continue;
                };
                let reason = non_empty(text(draft, "reason_str")?)
                    .or(non_empty(text(draft, "markdown_reason_str")?));
                if let Some(reason) = reason {
                    return Err(format!("content policy: {reason}"));
                }
                if text(draft, "kind")? == Some("sora_content_violation") {
                    return Err("content policy: sora_content_violation".into());
                }
                let url = non_empty(text(draft, "downloadable_url")?)
                    .or(non_empty(text(draft, "url")?))
                    .ok_or("the draft has no URL")?;
                let draft_id = text(draft, "id")?.ok_or("the draft has no id")?;
                return Ok(Video {
                    draft_id: draft_id.into(),
                    url: url.into(),
                    seen_in_pending,
                    progress,
                });
            }
            Err(format!("video task {task_id} timed out"))
        }

        /// `POST /project_y/post` with the draft and an empty text; reads `post.id`.
        pub async fn publish(&self, draft_id: &str) -> Result<String, String> {
            let body = json!({"attachments_to_create": [{"generation_id": draft_id, "kind": "sora"}],
                              "post_text": ""});
            let answer = self.post_gated("/project_y/post", body).await?;
            Ok(text(&answer["post"], "id")?
                .ok_or("no post.id")?
                .to_string())
        }

        /// What the parse server does: `GET /project_y/post/{id}` and
        /// `post.attachments[0].encodings.source.path`.
        pub async fn source_path(&self, post_id: &str) -> Result<String, String> {
            let answer = self.get(&format!("/project_y/post/{post_id}")).await?;
            let path = &answer["post"]["attachments"][0]["encodings"]["source"]["path"];
            Ok(non_empty(path.as_str())
                .ok_or_else(|| format!("no attachments[0].encodings.source.path: {answer}"))?
                .to_string())
        }

        /// `DELETE /project_y/post/{id}`: 200 or 204, nothing else.
        pub async fn delete_post(&self, post_id: &str) -> Result<(), String> {
            let url = self.wire.backend(&format!("/project_y/post/{post_id}"));
            let (status, body) = self
                .wire
                .send(self.ordinary(self.wire.http.delete(url)))
                .await?;
            match status.as_u16() {
                200 | 204 => Ok(()),
                s => Err(format!(
                    "delete post: {s} {}",
                    String::from_utf8_lossy(&body)
                )),
            }
        }

        /// The whole watermark-free flow after a video is done: publish the draft, read the
        /// post's source path, download it, delete the post. Returns the downloaded bytes.
        pub async fn watermark_free(&self, video: &Video) -> Result<File, String> {
            let post_id = self.publish(&video.draft_id).await?;
            if !(post_id.starts_with("s_") && post_id.len() == 34) {
                return Err(format!("post id {post_id} is not s_ and 32 hex"));
            }
            let path = self.source_path(&post_id).await?;
            let bytes = self.wire.download(&path).await?;
            self.delete_post(&post_id).await?;
            Ok(bytes)
        }

        /// `avatar-create`: upload the video (`file` video.mp4, `timestamps=0,3`), poll
        /// `GET /project_y/cameos/in_progress/{id}` every 5 s until `status_message` is
        /// "Completed" or `status` is "finalized" (`failed` aborts with `status_message`),
        /// username = the hint's last dot-separated part + 3 digits, download
        /// `profile_asset_url`, upload it as `profile.webp` (`use_case=profile`), finalize,
        /// make it public, and (the "character + video" flow) delete the character.
        /// Returns (username, character id).
        pub async fn create_cameo(&self, video: Vec<u8>) -> Result<(String, String), String> {
            let file = Part::bytes(video)
                .file_name("video.mp4")
                .mime_str("video/mp4")
                .expect("mime");
            let form = Form::new().part("file", file).text("timestamps", "0,3");
            let answer = self.multipart("/characters/upload", form).await?;
            let cameo_id = text(&answer, "id")?.ok_or("no cameo id")?.to_string();

            let deadline = tokio::time::Instant::now() + WAIT;
            let status = loop {
                if tokio::time::Instant::now() >= deadline {
                    return Err(format!("cameo {cameo_id} timed out"));
                }
                tokio::time::sleep(scaled(5.0)).await;
                let s = self
                    .get(&format!("/project_y/cameos/in_progress/{cameo_id}"))
                    .await?;
                let state = text(&s, "status")?;
                if state == Some("failed") {
                    let message = text(&s, "status_message")?.unwrap_or("unknown");
                    return Err(format!("cameo processing failed: {message}"));
                }
                if text(&s, "status_message")? == Some("Completed") || state == Some("finalized") {
                    break s;
                }
            };
            let hint = text(&status, "username_hint")?.ok_or("no username_hint")?;
            let base = hint.rsplit('.').next().unwrap_or(hint);
            let username = format!("{base}{}", fastrand::u32(100..=999));
            let display_name =
                non_empty(text(&status, "display_name_hint")?).unwrap_or("Character");
            let picture_url = text(&status, "profile_asset_url")?.ok_or("no profile_asset_url")?;
            let picture = self.wire.download(picture_url).await?;

            let file = Part::bytes(picture.0)
                .file_name("profile.webp")
                .mime_str("image/webp")
                .expect("mime");
            let form = Form::new().part("file", file).text("use_case", "profile");
            let uploaded = self.multipart("/project_y/file/upload", form).await?;
            let pointer = text(&uploaded, "asset_pointer")?.ok_or("no asset_pointer")?;

            let body = json!({"cameo_id": cameo_id, "username": username,
                              "display_name": display_name, "profile_asset_pointer": pointer,
                              "instruction_set": null, "safety_instruction_set": null});
            let finalized = self.post("/characters/finalize", body).await?;
            let character_id = text(&finalized["character"], "character_id")?
                .ok_or("no character.character_id")?
                .to_string();
            self.post(
                &format!("/project_y/cameos/by_id/{cameo_id}/update_v2"),
                json!({"visibility": "public"}),
            )
            .await?;
            let url = self
                .wire
                .backend(&format!("/project_y/characters/{character_id}"));
            let (status, body) = self
                .wire
                .send(self.ordinary(self.wire.http.delete(url)))
                .await?;
            if !matches!(status.as_u16(), 200 | 204) {
                return Err(format!(
                    "delete character: {status} {}",
                    String::from_utf8_lossy(&body)
                ));
            }
            Ok((username, character_id))
        }
    }
}

/// Go's `encoding/json` for one field: a JSON `null` leaves the zero value; a value of another
/// type than the field's is an error. (A missing field also leaves the zero value: every Go
/// struct here is `#[serde(default)]`.)
fn zero<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Option::unwrap_or_default)
}

/// The Go SDK's side of the wire: typed structs with exactly the fields it reads.
mod gosdk {
    use super::*;

    /// Any `{"id": …}` answer (create calls, uploads).
    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct Created {
        #[serde(deserialize_with = "zero")]
        pub id: String,
    }

    /// A `GET /nf/pending/v2` element; the answer is decoded as `[]PendingItem`.
    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct PendingItem {
        #[serde(deserialize_with = "zero")]
        pub id: String,
        #[serde(deserialize_with = "zero")]
        pub status: String,
        #[serde(deserialize_with = "zero")]
        pub progress_pct: f64,
        #[serde(deserialize_with = "zero")]
        pub failure_reason: String,
    }

    /// `GET /project_y/profile/drafts`.
    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct Drafts {
        #[serde(deserialize_with = "zero")]
        pub items: Vec<Draft>,
    }

    /// A draft item as the SDK reads it (by `generation_id`, not `id`).
    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct Draft {
        #[serde(deserialize_with = "zero")]
        pub generation_id: String,
        #[serde(deserialize_with = "zero")]
        pub task_id: String,
        #[serde(deserialize_with = "zero")]
        pub kind: String,
        #[serde(deserialize_with = "zero")]
        pub url: String,
        #[serde(deserialize_with = "zero")]
        pub downloadable_url: String,
        #[serde(deserialize_with = "zero")]
        pub reason_str: String,
        #[serde(deserialize_with = "zero")]
        pub markdown_reason_str: String,
    }

    /// `GET /v2/recent_tasks`.
    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct RecentTasks {
        #[serde(deserialize_with = "zero")]
        pub task_responses: Vec<ImageTask>,
    }

    /// An image task; the SDK reads `failure_reason` for the failure text.
    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct ImageTask {
        #[serde(deserialize_with = "zero")]
        pub id: String,
        #[serde(deserialize_with = "zero")]
        pub status: String,
        #[serde(deserialize_with = "zero")]
        pub progress_pct: f64,
        #[serde(deserialize_with = "zero")]
        pub failure_reason: String,
        #[serde(deserialize_with = "zero")]
        pub generations: Vec<Generation>,
    }

    /// One generated image.
    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct Generation {
        #[serde(deserialize_with = "zero")]
        pub id: String,
        #[serde(deserialize_with = "zero")]
        pub url: String,
    }

    /// `{"post": …}` (publish and `GET /project_y/post/{id}`).
    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct PostAnswer {
        #[serde(deserialize_with = "zero")]
        pub post: Post,
    }

    /// A post: its id and attachments.
    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct Post {
        #[serde(deserialize_with = "zero")]
        pub id: String,
        #[serde(deserialize_with = "zero")]
        pub attachments: Vec<Attachment>,
    }

    /// A post attachment: only its encodings.
    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct Attachment {
        #[serde(deserialize_with = "zero")]
        pub encodings: Encodings,
    }

    /// The attachment's encodings: only `source`.
    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct Encodings {
        #[serde(deserialize_with = "zero")]
        pub source: Encoding,
    }

    /// One encoding: its `path`.
    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct Encoding {
        #[serde(deserialize_with = "zero")]
        pub path: String,
    }

    /// `GET /project_y/cameos/in_progress/{id}`.
    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct CameoStatus {
        #[serde(deserialize_with = "zero")]
        pub status: String,
        #[serde(deserialize_with = "zero")]
        pub status_message: String,
        #[serde(deserialize_with = "zero")]
        pub display_name_hint: String,
        #[serde(deserialize_with = "zero")]
        pub username_hint: String,
        #[serde(deserialize_with = "zero")]
        pub profile_asset_url: String,
    }

    /// `POST /project_y/file/upload`.
    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct FileUpload {
        #[serde(deserialize_with = "zero")]
        pub asset_pointer: String,
    }

    /// `POST /characters/finalize`.
    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct Finalized {
        #[serde(deserialize_with = "zero")]
        pub character: Character,
    }

    /// The finalized character.
    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct Character {
        #[serde(deserialize_with = "zero")]
        pub character_id: String,
    }

    /// `GET /nf/check`.
    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct Quota {
        #[serde(deserialize_with = "zero")]
        pub rate_limit_and_credit_balance: Balance,
    }

    /// The quota numbers the SDK reads.
    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct Balance {
        #[serde(deserialize_with = "zero")]
        pub estimated_num_videos_remaining: i64,
    }

    /// The error envelope, formatted by the SDK as `code: message`.
    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    struct Envelope {
        #[serde(deserialize_with = "zero")]
        error: ErrorBody,
    }

    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    struct ErrorBody {
        #[serde(deserialize_with = "zero")]
        code: String,
        #[serde(deserialize_with = "zero")]
        message: String,
    }

    /// How the SDK names a cameo's character.
    #[derive(Clone, Copy, Debug)]
    pub enum Naming {
        /// The `username_hint` as given (dots and all).
        Hint,
        /// `character_<cameo id>`.
        CharacterId,
        /// The SDK's default name.
        Default,
    }

    /// The SDK's default character username.
    pub const DEFAULT_USERNAME: &str = "my_character";

    /// `json.Unmarshal` of a 200 answer into `T`; any other status is the `code: message`
    /// error.
    pub fn decode<T: serde::de::DeserializeOwned>(
        what: &str,
        status: StatusCode,
        body: &[u8],
    ) -> Result<T, String> {
        if status != StatusCode::OK {
            let env: Envelope = serde_json::from_slice(body).unwrap_or_default();
            return Err(format!(
                "{what}: HTTP {}: {}: {}",
                status.as_u16(),
                env.error.code,
                env.error.message
            ));
        }
        serde_json::from_slice(body)
            .map_err(|e| format!("{what}: json: cannot unmarshal into Go value ({e})"))
    }

    /// One account's SDK client.
    pub struct Sdk {
        pub wire: Wire,
        device_id: String,
    }

    impl Sdk {
        pub fn new(sim: &Sim, token: &str) -> Self {
            Sdk {
                wire: Wire::new(sim, token),
                device_id: uuid(),
            }
        }

        /// The SDK's ordinary headers: bearer token, origin and referer.
        fn ordinary(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
            req.bearer_auth(&self.wire.token)
                .header("origin", ORIGIN)
                .header("referer", format!("{ORIGIN}/"))
        }

        /// A sentinel token from the chatgpt.com host's sentinel route (here the simulator's
        /// stand-in), wrapped as the JSON header value such clients send. Nothing is computed.
        async fn sentinel(&self) -> Result<String, String> {
            let url = format!("{}/backend-api/sentinel/req", self.wire.root);
            let body = json!({"id": self.device_id, "flow": "sora_2_create_task"});
            let (status, bytes) = self.wire.send(self.wire.http.post(url).json(&body)).await?;
            let answer: Value = decode("sentinel/req", status, &bytes)?;
            let token = answer["token"].as_str().ok_or("no sentinel token")?;
            Ok(json!({"p": "", "t": "", "c": token, "id": self.device_id,
                      "flow": "sora_2_create_task"})
            .to_string())
        }

        async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, String> {
            let req = self.ordinary(self.wire.http.get(self.wire.backend(path)));
            let (status, body) = self.wire.send(req).await?;
            decode(path, status, &body)
        }

        async fn post<T: serde::de::DeserializeOwned>(
            &self,
            path: &str,
            body: Value,
            gated: bool,
        ) -> Result<T, String> {
            let mut req = self.ordinary(self.wire.http.post(self.wire.backend(path)).json(&body));
            if gated {
                req = req.header("openai-sentinel-token", self.sentinel().await?);
            }
            let (status, body) = self.wire.send(req).await?;
            decode(path, status, &body)
        }

        async fn multipart<T: serde::de::DeserializeOwned>(
            &self,
            path: &str,
            form: Form,
        ) -> Result<T, String> {
            let req = self.ordinary(self.wire.http.post(self.wire.backend(path)).multipart(form));
            let (status, body) = self.wire.send(req).await?;
            decode(path, status, &body)
        }

        async fn delete(&self, path: &str) -> Result<(), String> {
            let req = self.ordinary(self.wire.http.delete(self.wire.backend(path)));
            let (status, body) = self.wire.send(req).await?;
            match status.as_u16() {
                200 | 204 => Ok(()),
                _ => decode::<Value>(path, status, &body).map(|_| ()),
            }
        }

        /// `POST /nf/create` with the minimal body.
        pub async fn create_video(&self, prompt: &str) -> Result<String, String> {
            let body = json!({"kind": "video", "prompt": prompt, "orientation": "portrait",
                              "size": "small", "n_frames": 300, "model": "sy_8",
                              "inpaint_items": [], "style_id": null});
            let c: Created = self.post("/nf/create", body, true).await?;
            Ok(c.id)
        }

        /// The storyboard text: always the `current timeline:` header, a blank line after
        /// every shot (a shot's text stops at `[` or `]`), then the instructions (the prompt
        /// without its shot segments) when there are any.
        pub fn storyboard_text(prompt: &str) -> String {
            let mut out = String::from("current timeline:\n");
            let mut rest_of_prompt = String::new();
            let mut cursor = 0;
            for (i, (start, end, duration)) in shot_markers(prompt).into_iter().enumerate() {
                let tail = &prompt[end..];
                let len = tail.find(['[', ']']).unwrap_or(tail.len());
                let scene = tail[..len].trim();
                out.push_str(&format!(
                    "Shot {}:\nduration: {duration}sec\nScene: {scene}\n\n",
                    i + 1
                ));
                if start >= cursor {
                    rest_of_prompt.push_str(&prompt[cursor..start]);
                }
                cursor = end + len;
            }
            rest_of_prompt.push_str(&prompt[cursor.min(prompt.len())..]);
            let instructions = rest_of_prompt.trim();
            if !instructions.is_empty() {
                out.push_str(&format!("instructions:\n{instructions}"));
            }
            out
        }

        /// `POST /nf/create/storyboard` with the shared storyboard body.
        pub async fn create_storyboard(&self, text_prompt: &str) -> Result<String, String> {
            let body = json!({"kind": "video", "prompt": text_prompt, "title": "Draft your video",
                              "orientation": "landscape", "size": "small", "n_frames": 450,
                              "storyboard_id": null, "inpaint_items": [], "remix_target_id": null,
                              "model": "sy_8", "metadata": null, "style_id": null,
                              "cameo_ids": null, "cameo_replacements": null,
                              "audio_caption": null, "audio_transcript": null,
                              "video_caption": null});
            let c: Created = self.post("/nf/create/storyboard", body, true).await?;
            Ok(c.id)
        }

        /// The SDK's video poll: wait 2 s, then `GET /nf/pending/v2` decoded as
        /// `[]PendingItem` every `interval` (3 s, the README's example); `failed` / `error` is
        /// terminal with `failure_reason`; done once the task vanished twice after having been
        /// seen, or was never seen for 30 s. A decode error is an error of the poll (the SDK
        /// retries such errors with backoff until its time limit, so the verdict is the same).
        /// Returns how many polls listed the task.
        pub async fn wait_video(&self, task_id: &str) -> Result<usize, String> {
            let interval = scaled(3.0);
            tokio::time::sleep(scaled(2.0)).await;
            let started = tokio::time::Instant::now();
            let deadline = started + WAIT;
            let (mut seen, mut vanished) = (0usize, 0u32);
            while tokio::time::Instant::now() < deadline {
                let items: Vec<PendingItem> = self.get("/nf/pending/v2").await?;
                match items.iter().find(|i| i.id == task_id) {
                    Some(item) => {
                        seen += 1;
                        vanished = 0;
                        if matches!(item.status.as_str(), "failed" | "error") {
                            return Err(format!("video failed: {}", item.failure_reason));
                        }
                        // Values above 1 are taken as already in percent.
                        let pct = if item.progress_pct > 1.0 {
                            item.progress_pct
                        } else {
                            item.progress_pct * 100.0
                        };
                        if !(0.0..=100.0).contains(&pct) {
                            return Err(format!("progress {pct} out of range"));
                        }
                    }
                    None if seen > 0 => {
                        vanished += 1;
                        if vanished >= 2 {
                            return Ok(seen);
                        }
                    }
                    None if started.elapsed() >= scaled(30.0) => return Ok(seen),
                    None => {}
                }
                tokio::time::sleep(interval).await;
            }
            Err(format!("video task {task_id} timed out"))
        }

        /// `GetDownloadURL`: up to 3 reads of `GET /project_y/profile/drafts?limit=15`, 3 s
        /// apart, for the item whose `task_id` matches; a violation is a failure; the URL is
        /// `downloadable_url`, else `url`. Returns (generation id, URL).
        pub async fn download_url(&self, task_id: &str) -> Result<(String, String), String> {
            let mut last = String::from("draft not found");
            for attempt in 0..3 {
                if attempt > 0 {
                    tokio::time::sleep(scaled(3.0)).await;
                }
                let drafts: Drafts = self.get("/project_y/profile/drafts?limit=15").await?;
                let Some(d) = drafts.items.iter().find(|d| d.task_id == task_id) else {
                    continue;
                };
                if d.kind == "sora_content_violation" || !d.reason_str.is_empty() {
                    return Err(format!("content violation: {}", d.reason_str));
                }
                let url = if d.downloadable_url.is_empty() {
                    &d.url
                } else {
                    &d.downloadable_url
                };
                if url.is_empty() {
                    last = "draft has no URL".into();
                    continue;
                }
                if d.generation_id.is_empty() {
                    return Err("draft has no generation_id".into());
                }
                return Ok((d.generation_id.clone(), url.clone()));
            }
            Err(format!("task {task_id}: {last} after 3 tries"))
        }

        /// `POST /project_y/post`; returns `post.id`.
        pub async fn publish(&self, generation_id: &str) -> Result<String, String> {
            let body = json!({"attachments_to_create": [{"generation_id": generation_id, "kind": "sora"}],
                              "post_text": ""});
            let p: PostAnswer = self.post("/project_y/post", body, true).await?;
            Ok(p.post.id)
        }

        /// `GetWatermarkFreeURL`: `post.attachments[0].encodings.source.path`.
        pub async fn watermark_free_url(&self, post_id: &str) -> Result<String, String> {
            let p: PostAnswer = self.get(&format!("/project_y/post/{post_id}")).await?;
            let path = p
                .post
                .attachments
                .first()
                .map(|a| a.encodings.source.path.clone())
                .unwrap_or_default();
            if path.is_empty() {
                return Err(format!("post {post_id} has no source path"));
            }
            Ok(path)
        }

        /// `DELETE /project_y/post/{id}`.
        pub async fn delete_post(&self, post_id: &str) -> Result<(), String> {
            self.delete(&format!("/project_y/post/{post_id}")).await
        }

        /// `POST /video_gen` (a plain image).
        pub async fn create_image(&self, prompt: &str) -> Result<String, String> {
            let body = json!({"type": "image_gen", "operation": "simple_compose", "prompt": prompt,
                              "width": 360, "height": 360, "n_variants": 1, "n_frames": 1,
                              "inpaint_items": []});
            let c: Created = self.post("/video_gen", body, true).await?;
            Ok(c.id)
        }

        /// `recent_tasks?limit=20` until `succeeded` (its first generation's URL) or `failed`
        /// / `error` (`failure_reason`).
        pub async fn wait_image(&self, task_id: &str) -> Result<String, String> {
            let deadline = tokio::time::Instant::now() + WAIT;
            while tokio::time::Instant::now() < deadline {
                tokio::time::sleep(scaled(3.0)).await;
                let page: RecentTasks = self.get("/v2/recent_tasks?limit=20").await?;
                let Some(t) = page.task_responses.iter().find(|t| t.id == task_id) else {
                    continue;
                };
                match t.status.as_str() {
                    "succeeded" => {
                        return t
                            .generations
                            .first()
                            .map(|g| g.url.clone())
                            .filter(|u| !u.is_empty())
                            .ok_or_else(|| "succeeded without a URL".to_string());
                    }
                    "failed" | "error" => {
                        return Err(format!("image failed: {}", t.failure_reason));
                    }
                    _ => {}
                }
            }
            Err(format!("image task {task_id} timed out"))
        }

        /// The SDK's cameo creation: upload, wait 2 s, poll every 5 s until
        /// `profile_asset_url` is non-empty (`failed` / `error` aborts), name it per `naming`,
        /// upload the picture, finalize, make it public then private again, delete it.
        /// Returns the username finalized.
        pub async fn create_cameo(&self, naming: Naming) -> Result<String, String> {
            let file = Part::bytes(asset("sample.mp4"))
                .file_name("video.mp4")
                .mime_str("video/mp4")
                .expect("mime");
            let form = Form::new().part("file", file).text("timestamps", "0,3");
            let c: Created = self.multipart("/characters/upload", form).await?;
            let cameo_id = c.id;
            if cameo_id.is_empty() {
                return Err("no cameo id".into());
            }
            tokio::time::sleep(scaled(2.0)).await;
            let deadline = tokio::time::Instant::now() + WAIT;
            let status = loop {
                if tokio::time::Instant::now() >= deadline {
                    return Err(format!("cameo {cameo_id} timed out"));
                }
                let s: CameoStatus = self
                    .get(&format!("/project_y/cameos/in_progress/{cameo_id}"))
                    .await?;
                if matches!(s.status.as_str(), "failed" | "error") {
                    return Err(format!("cameo failed: {}", s.status_message));
                }
                if !s.profile_asset_url.is_empty() {
                    break s;
                }
                tokio::time::sleep(scaled(5.0)).await;
            };
            let username = match naming {
                Naming::Hint if !status.username_hint.is_empty() => status.username_hint.clone(),
                Naming::Hint | Naming::CharacterId => format!("character_{cameo_id}"),
                Naming::Default => DEFAULT_USERNAME.to_string(),
            };
            let display_name = if status.display_name_hint.is_empty() {
                username.clone()
            } else {
                status.display_name_hint.clone()
            };
            let picture = self.wire.download(&status.profile_asset_url).await?;
            let file = Part::bytes(picture.0)
                .file_name("profile.webp")
                .mime_str("image/webp")
                .expect("mime");
            let form = Form::new().part("file", file).text("use_case", "profile");
            let up: FileUpload = self.multipart("/project_y/file/upload", form).await?;
            let body = json!({"cameo_id": cameo_id, "username": username,
                              "display_name": display_name,
                              "profile_asset_pointer": up.asset_pointer,
                              "instruction_set": null, "safety_instruction_set": null});
            let f: Finalized = self.post("/characters/finalize", body, false).await?;
            if f.character.character_id.is_empty() {
                return Err("finalize gave no character_id".into());
            }
            for visibility in ["public", "private"] {
                let _: Value = self
                    .post(
                        &format!("/project_y/cameos/by_id/{cameo_id}/update_v2"),
                        json!({"visibility": visibility}),
                        false,
                    )
                    .await?;
            }
            self.delete(&format!(
                "/project_y/characters/{}",
                f.character.character_id
            ))
            .await?;
            Ok(username)
        }

        /// `GET /nf/check`: the videos left.
        pub async fn videos_remaining(&self) -> Result<i64, String> {
            let q: Quota = self.get("/nf/check").await?;
            Ok(q.rate_limit_and_credit_balance
                .estimated_num_videos_remaining)
        }
    }
}

use gosdk::{Naming, Sdk};
use python::Proxy;

/// The inline example of docs/api.md#storyboard-prompt-text: instructions, then two 5 s shots.
const STORYBOARD_WITH_INSTRUCTIONS: &str =
    "A cat's adventure\n[5.0s]cat skydives from a plane [5.0s]cat lands";
/// The same shots without instructions.
const STORYBOARD_BARE: &str = "[5.0s]cat skydives from a plane [5.0s]cat lands";

// ---- the Python proxy ---------------------------------------------------------------------

#[tokio::test]
async fn python_proxy_checks_the_token_uploads_and_generates_images() {
    let sim = start_sim(fast).await;
    let proxy = Proxy::new(&sim, &sim.token());
    let (email, name, username) = proxy.me().await.expect("GET /me");
    assert!(!email.is_empty() && !name.is_empty());
    assert!(username.is_some(), "the demo account has a username");

    let task = proxy
        .create_image("a lighthouse at dusk", (360, 360), None)
        .await
        .expect("text-to-image accepted");
    assert!(task.starts_with("task_"), "{task}");
    let urls = proxy.wait_image(&task).await.expect("image succeeds");
    let image = proxy
        .wire
        .download(&urls[0])
        .await
        .expect("image downloads");
    assert!(is_image(&image), "an image file");

    let upload = proxy
        .upload_image(asset("image.png"))
        .await
        .expect("POST /uploads");
    let task = proxy
        .create_image("the same, in winter", (540, 360), Some(&upload))
        .await
        .expect("image-to-image accepted");
    let urls = proxy
        .wait_image(&task)
        .await
        .expect("remixed image succeeds");
    assert!(is_image(&proxy.wire.download(&urls[0]).await.unwrap()));
}

#[tokio::test]
async fn python_proxy_reads_error_message_of_a_failed_image() {
    let sim = start_sim(fast).await;
    let proxy = Proxy::new(&sim, &sim.token());
    let task = proxy
        .create_image("a broken image #fail", (360, 540), None)
        .await
        .expect("accepted");
    let err = proxy.wait_image(&task).await.expect_err("the task fails");
    let message = err
        .strip_prefix("Image generation failed: ")
        .unwrap_or_else(|| panic!("not the failure verdict: {err}"));
    assert!(
        !matches!(message, "" | "None" | "Unknown error"),
        "the proxy shows the server's error_message, got {err:?}"
    );
}

#[tokio::test]
async fn python_proxy_follows_a_video_through_pending_v2_to_drafts() {
    let sim = start_sim(fast).await;
    let proxy = Proxy::new(&sim, &sim.token());
    let task = proxy
        .create_video(python::video_body("a red fox in fresh snow", None))
        .await
        .expect("POST /nf/create accepted");
    let video = proxy.wait_video(&task).await.expect("video finishes");
    assert!(
        video.seen_in_pending > 0,
        "the proxy saw the task in pending: {video:?}"
    );
    assert!(
        video.progress.windows(2).all(|w| w[0] <= w[1])
            && video.progress.iter().all(|p| (0.0..=100.0).contains(p)),
        "progress is 0-100 and never goes back: {:?}",
        video.progress
    );
    assert!(video.draft_id.starts_with("gen_"), "{video:?}");
    let file = proxy.wire.download(&video.url).await.expect("download");
    assert_eq!(
        file,
        asset_file("sample.mp4"),
        "the draft's (watermarked) file"
    );
}

#[tokio::test]
async fn python_proxy_makes_a_video_from_an_uploaded_image() {
    let sim = start_sim(fast).await;
    let proxy = Proxy::new(&sim, &sim.token());
    let upload = proxy
        .upload_image(asset("image.png"))
        .await
        .expect("upload");
    let task = proxy
        .create_video(python::video_body("the picture comes alive", Some(&upload)))
        .await
        .expect("image-to-video accepted");
    let video = proxy.wait_video(&task).await.expect("video finishes");
    assert!(is_mp4(&proxy.wire.download(&video.url).await.unwrap()));
}

#[tokio::test]
async fn python_proxy_reports_a_content_violation_from_reason_str() {
    let sim = start_sim(fast).await;
    let proxy = Proxy::new(&sim, &sim.token());
    let task = proxy
        .create_video(python::video_body("a famous mouse #violation", None))
        .await
        .expect("accepted");
    let err = proxy.wait_video(&task).await.expect_err("a violation");
    assert!(err.starts_with("content policy: "), "{err}");
    assert!(err.len() > "content policy: ".len() + 10, "a reason: {err}");
}

#[tokio::test]
async fn python_proxy_storyboard_sends_bare_shots_without_instructions() {
    // The formatter reproduces the example of docs/api.md#storyboard-prompt-text byte for byte.
    assert_eq!(
        python::storyboard_text(STORYBOARD_WITH_INSTRUCTIONS),
        "current timeline:\nShot 1:\nduration: 5.0sec\nScene: cat skydives from a plane\n\n\
         Shot 2:\nduration: 5.0sec\nScene: cat lands\n\ninstructions:\nA cat's adventure"
    );
    let bare = python::storyboard_text(STORYBOARD_BARE);
    assert_eq!(
        bare,
        "Shot 1:\nduration: 5.0sec\nScene: cat skydives from a plane\n\n\
         Shot 2:\nduration: 5.0sec\nScene: cat lands"
    );

    let sim = start_sim(fast).await;
    let proxy = Proxy::new(&sim, &sim.token());
    for prompt in [STORYBOARD_BARE, STORYBOARD_WITH_INSTRUCTIONS] {
        let text = python::storyboard_text(prompt);
        let task = proxy
            .create_storyboard(&text)
            .await
            .unwrap_or_else(|e| panic!("storyboard {text:?} refused: {e}"));
        let video = proxy.wait_video(&task).await.expect("storyboard finishes");
        assert!(is_mp4(&proxy.wire.download(&video.url).await.unwrap()));
    }
}

#[tokio::test]
async fn python_proxy_remixes_a_share_link() {
    let sim = start_sim(fast).await;
    let proxy = Proxy::new(&sim, &sim.token());
    let task = proxy
        .create_video(python::video_body("a quiet harbour", None))
        .await
        .expect("accepted");
    let original = proxy.wait_video(&task).await.expect("original finishes");
    let post_id = proxy.publish(&original.draft_id).await.expect("published");

    let prompt = format!("https://sora.chatgpt.com/p/{post_id} now in a storm");
    let task = proxy.remix(&prompt).await.expect("remix accepted");
    let remix = proxy.wait_video(&task).await.expect("remix finishes");
    assert_ne!(remix.draft_id, original.draft_id, "a new draft");
    assert!(is_mp4(&proxy.wire.download(&remix.url).await.unwrap()));
}

#[tokio::test]
async fn python_proxy_watermark_free_copy_with_a_mobile_token_is_clean() {
    let sim = start_sim(fast).await;
    let proxy = Proxy::new(&sim, MOBILE_TOKEN);
    let task = proxy
        .create_video(python::video_body("a paper boat on a pond", None))
        .await
        .expect("accepted");
    let video = proxy.wait_video(&task).await.expect("video finishes");
    let watermarked = proxy.wire.download(&video.url).await.expect("draft file");
    let clean = proxy
        .watermark_free(&video)
        .await
        .expect("publish, read the source, download, delete");
    assert_ne!(
        clean, watermarked,
        "the post's source is not the draft file"
    );
    assert_eq!(clean, asset_file("sample_clean.mp4"), "the clean file");
}

#[tokio::test]
async fn python_proxy_watermark_free_copy_with_a_web_token_is_the_watermarked_file() {
    let sim = start_sim(fast).await;
    let proxy = Proxy::new(&sim, &sim.token());
    let task = proxy
        .create_video(python::video_body("a paper boat on a pond", None))
        .await
        .expect("accepted");
    let video = proxy.wait_video(&task).await.expect("video finishes");
    let watermarked = proxy.wire.download(&video.url).await.expect("draft file");
    let source = proxy
        .watermark_free(&video)
        .await
        .expect("publish, read the source, download, delete");
    assert_eq!(
        source, watermarked,
        "a web token's post source is the draft's watermarked file"
    );
    assert_eq!(source, asset_file("sample.mp4"));
}

#[tokio::test]
async fn python_proxy_creates_a_cameo_character() {
    let sim = start_sim(fast).await;
    let proxy = Proxy::new(&sim, &sim.token());
    let (username, character_id) = proxy
        .create_cameo(asset("sample.mp4"))
        .await
        .expect("the whole avatar-create flow");
    assert!(!character_id.is_empty());
    // Hint's last part + three digits.
    let digits = &username[username.len() - 3..];
    assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{username}");
}

#[tokio::test]
async fn python_proxy_cameo_stops_on_status_failed() {
    let sim = start_sim(fast).await;
    sim.set_cameo_outcome(CameoOutcome::Fail);
    let proxy = Proxy::new(&sim, &sim.token());
    let err = proxy
        .create_cameo(asset("sample.mp4"))
        .await
        .expect_err("the cameo fails");
    assert!(err.starts_with("cameo processing failed: "), "{err}");
    assert!(
        !err.ends_with("unknown"),
        "the status_message is shown: {err}"
    );
}

// ---- the Go SDK ---------------------------------------------------------------------------

#[tokio::test]
async fn go_sdk_polls_pending_v2_as_a_slice_and_reads_generation_id() {
    let sim = start_sim(fast).await;
    let sdk = Sdk::new(&sim, &sim.token());
    let task = sdk
        .create_video("a kite over dunes")
        .await
        .expect("POST /nf/create accepted");
    let seen = sdk
        .wait_video(&task)
        .await
        .expect("pending v2 polls decode");
    assert!(seen > 0, "the SDK saw its task in pending");
    let (generation_id, url) = sdk
        .download_url(&task)
        .await
        .expect("the draft, by task_id");
    assert!(generation_id.starts_with("gen_"), "{generation_id}");
    assert!(is_mp4(&sdk.wire.download(&url).await.unwrap()));
}

#[tokio::test]
async fn go_sdk_generates_an_image_and_reads_failure_reason() {
    let sim = start_sim(fast).await;
    let sdk = Sdk::new(&sim, &sim.token());
    let task = sdk.create_image("a red bicycle").await.expect("accepted");
    let url = sdk.wait_image(&task).await.expect("image succeeds");
    assert!(is_image(&sdk.wire.download(&url).await.unwrap()));

    let task = sdk
        .create_image("a broken one #fail")
        .await
        .expect("accepted");
    let err = sdk.wait_image(&task).await.expect_err("image fails");
    assert!(
        err.len() > "image failed: ".len(),
        "the SDK shows failure_reason: {err:?}"
    );
}

#[tokio::test]
async fn go_sdk_storyboard_always_writes_the_header() {
    let bare = Sdk::storyboard_text(STORYBOARD_BARE);
    assert_eq!(
        bare,
        "current timeline:\nShot 1:\nduration: 5.0sec\nScene: cat skydives from a plane\n\n\
         Shot 2:\nduration: 5.0sec\nScene: cat lands\n\n"
    );
    // With instructions both clients send the same bytes.
    assert_eq!(
        Sdk::storyboard_text(STORYBOARD_WITH_INSTRUCTIONS),
        python::storyboard_text(STORYBOARD_WITH_INSTRUCTIONS)
    );

    let sim = start_sim(fast).await;
    let sdk = Sdk::new(&sim, &sim.token());
    for prompt in [STORYBOARD_BARE, STORYBOARD_WITH_INSTRUCTIONS] {
        let text = Sdk::storyboard_text(prompt);
        let task = sdk
            .create_storyboard(&text)
            .await
            .unwrap_or_else(|e| panic!("storyboard {text:?} refused: {e}"));
        sdk.wait_video(&task).await.expect("storyboard finishes");
        sdk.download_url(&task).await.expect("its draft");
    }
}

#[tokio::test]
async fn go_sdk_watermark_free_url_is_clean_only_for_a_mobile_token() {
    let sim = start_sim(fast).await;
    for (token, clean) in [(MOBILE_TOKEN.to_string(), true), (sim.token(), false)] {
        let sdk = Sdk::new(&sim, &token);
        let task = sdk
            .create_video("a lantern festival")
            .await
            .expect("accepted");
        sdk.wait_video(&task).await.expect("video finishes");
        let (generation_id, draft_url) = sdk.download_url(&task).await.expect("draft");
        let post_id = sdk.publish(&generation_id).await.expect("published");
        let path = sdk.watermark_free_url(&post_id).await.expect("source path");
        let source = sdk.wire.download(&path).await.expect("source file");
        let draft_file = sdk.wire.download(&draft_url).await.expect("draft file");
        if clean {
            assert_eq!(
                source,
                asset_file("sample_clean.mp4"),
                "{token}: clean source"
            );
            assert_ne!(source, draft_file, "{token}");
        } else {
            assert_eq!(source, draft_file, "{token}: the watermarked draft file");
        }
        sdk.delete_post(&post_id).await.expect("post deleted");
    }
}

/// The SDK's cameo flow with one naming policy; the username it finalized.
async fn go_sdk_cameo(naming: Naming) -> String {
    let sim = start_sim(fast).await;
    let sdk = Sdk::new(&sim, &sim.token());
    sdk.create_cameo(naming)
        .await
        .unwrap_or_else(|e| panic!("{naming:?}: {e}"))
}

#[tokio::test]
async fn go_sdk_cameo_done_on_profile_asset_url_named_after_the_hint() {
    let username = go_sdk_cameo(Naming::Hint).await;
    assert!(username.contains('.'), "the hint unchanged: {username}");
}

#[tokio::test]
async fn go_sdk_cameo_named_character_and_the_cameo_id() {
    let username = go_sdk_cameo(Naming::CharacterId).await;
    assert!(username.starts_with("character_"), "{username}");
}

#[tokio::test]
async fn go_sdk_cameo_with_the_default_username_my_character() {
    assert_eq!(go_sdk_cameo(Naming::Default).await, gosdk::DEFAULT_USERNAME);
}

#[tokio::test]
async fn go_sdk_reads_estimated_videos_remaining_from_nf_check() {
    let sim = start_sim(fast).await;
    let sdk = Sdk::new(&sim, &sim.token());
    let before = sdk.videos_remaining().await.expect("GET /nf/check decodes");
    assert!(before > 0, "{before}");
    sdk.create_video("one more").await.expect("accepted");
    let after = sdk.videos_remaining().await.expect("GET /nf/check decodes");
    assert_eq!(after, before - 1, "an accepted task uses one video");
}

// ---- the sentinel stand-in ----------------------------------------------------------------

#[tokio::test]
async fn third_party_sentinel_fetch_gets_a_fixed_token_the_create_call_takes() {
    let sim = start_sim(fast).await;
    let wire = Wire::new(&sim, &sim.token());
    // A client configured with the simulator as its chatgpt.com host: no bearer token there.
    let url = format!("{}/backend-api/sentinel/req", wire.root);
    let mut tokens = Vec::new();
    for flow in ["sora_2_create_task", "sora_2_create_post"] {
        let body = json!({"id": uuid(), "flow": flow});
        let (status, bytes) = wire
            .send(wire.http.post(&url).json(&body))
            .await
            .expect("sent");
        assert_eq!(
            status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&bytes)
        );
        let answer: Value = serde_json::from_slice(&bytes).expect("JSON");
        let token = answer["token"]
            .as_str()
            .expect("a token string")
            .to_string();
        assert!(token.len() >= 10, "{answer}");
        tokens.push(token);
    }
    assert_eq!(tokens[0], tokens[1], "a fixed token, whatever is asked");
    // The routes the client uses it on take it, raw or wrapped as a JSON header value.
    let header =
        json!({"p": "", "t": "", "c": tokens[0], "id": uuid(), "flow": "sora_2_create_task"})
            .to_string();
    for sentinel in [tokens[0].clone(), header] {
        let (status, bytes) = wire
            .send(
                wire.http
                    .post(wire.backend("/nf/create"))
                    .bearer_auth(&wire.token)
                    .header("openai-sentinel-token", sentinel)
                    .json(&python::video_body("with a stand-in sentinel", None)),
            )
            .await
            .expect("sent");
        assert_eq!(
            status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&bytes)
        );
    }
    let logged: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.path == "/backend-api/sentinel/req")
        .collect();
    assert_eq!(logged.len(), 2, "the stand-in's requests are logged");
}
