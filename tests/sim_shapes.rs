//! The simulator answers in the live service's shapes and is no stricter than the evidence:
//! each test talks to it with plain reqwest and `serde_json::Value`, as a third-party client
//! of the live service would (not through this crate's client), and reads the fields those
//! clients read.

mod common;

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use common::{eventually, start_sim};
use sora_tui::sim::{Fault, FaultRule, Sim};

/// Any 10+ character string passes the simulator's sentinel check
/// (docs/api.md#simulator-assumptions).
const SENTINEL: &str = "abcdefghij0123";

/// A bare HTTP client of the simulator, with the bearer token on every backend call.
struct Raw<'a> {
    sim: &'a Sim,
    http: reqwest::Client,
}

impl<'a> Raw<'a> {
    fn new(sim: &'a Sim) -> Self {
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client");
        Raw { sim, http }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.base_url())
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let r = self
            .http
            .get(self.url(path))
            .bearer_auth(self.sim.token())
            .send()
            .await
            .expect("GET sent");
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .http
            .post(self.url(path))
            .bearer_auth(self.sim.token())
            .header("openai-sentinel-token", SENTINEL)
            .json(&body)
            .send()
            .await
            .expect("POST sent");
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn multipart(&self, path: &str, form: reqwest::multipart::Form) -> (StatusCode, Value) {
        let r = self
            .http
            .post(self.url(path))
            .bearer_auth(self.sim.token())
            .multipart(form)
            .send()
            .await
            .expect("multipart sent");
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Polls the legacy drafts list until the draft of `task_id` is there with its URLs, as
    /// the Python clients match drafts.
    async fn draft_of(&self, task_id: &str) -> Value {
        eventually(30, || async {
            let (_, page) = self.get("/project_y/profile/drafts?limit=15").await;
            page["items"]
                .as_array()?
                .iter()
                .find(|d| d["task_id"] == task_id && d["downloadable_url"].is_string())
                .cloned()
        })
        .await
    }

    /// Publishes a draft the way every client does and returns the answer's `post`.
    async fn publish(&self, gen_id: &str) -> Value {
        let (status, answer) = self
            .post(
                "/project_y/post",
                json!({"attachments_to_create":[{"generation_id":gen_id,"kind":"sora"}],"post_text":""}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        answer["post"].clone()
    }
}

/// The minimal body of the original client and the Go port.
fn video_body(prompt: &str) -> Value {
    json!({"kind":"video","prompt":prompt,"orientation":"landscape","size":"small","n_frames":300,
           "model":"sy_8","inpaint_items":[],"style_id":null})
}

/// The key set of a JSON object.
fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn key_set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// Asserts that `v` has every key of `names` (it may have more).
fn has_keys(what: &str, v: &Value, names: &[&str]) {
    let missing: Vec<&&str> = names.iter().filter(|k| v.get(**k).is_none()).collect();
    assert!(missing.is_empty(), "{what} lacks {missing:?}: {v}");
}

#[tokio::test]
async fn pending_v1_and_v2_are_bare_arrays_of_live_items() {
    // Speed 1: the task stays in pending for the whole test, early enough for a null progress.
    let sim = start_sim(|c| c.speed = 1.0).await;
    let raw = Raw::new(&sim);
    for path in ["/nf/pending", "/nf/pending/v2"] {
        let (status, body) = raw.get(path).await;
        assert_eq!(
            (status, body),
            (StatusCode::OK, json!([])),
            "{path} when idle"
        );
    }
    let (status, created) = raw
        .post("/nf/create", video_body("a red fox in snow"))
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["task_type"], "video_gen");
    let task_id = created["id"].as_str().expect("task id");

    for path in ["/nf/pending", "/nf/pending/v2"] {
        let text = raw
            .http
            .get(raw.url(path))
            .bearer_auth(sim.token())
            .send()
            .await
            .expect("sent")
            .text()
            .await
            .expect("body");
        // What the Go port does: unmarshal straight into a list.
        let items: Vec<Value> = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{path} is not a JSON array ({e}): {text}"));
        assert_eq!(items.len(), 1, "{path}: {text}");
        let item = &items[0];
        assert_eq!(
            keys(item),
            key_set(&[
                "id",
                "task_type",
                "status",
                "failure_reason",
                "prompt",
                "title",
                "progress_pct",
                "generations",
                "creation_config",
            ]),
            "{path}"
        );
        assert_eq!(item["id"], task_id);
        assert_eq!(item["task_type"], "video_gen");
        assert!(
            matches!(item["status"].as_str(), Some("preprocessing" | "queued")),
            "{item}"
        );
        assert_eq!(item["progress_pct"], Value::Null, "null early: {item}");
        assert_eq!(item["failure_reason"], Value::Null);
        assert_eq!(item["prompt"], "a red fox in snow");
        assert_eq!(item["title"], Value::Null);
        assert_eq!(item["generations"], json!([]));
        let config = &item["creation_config"];
        assert_eq!(
            keys(config),
            key_set(&[
                "remix_target_post",
                "style",
                "inpaint_image",
                "reference_inpaint_items",
                "prompt",
                "task_id",
                "cameo_profiles",
                "orientation",
                "n_frames",
                "storyboard_id",
                "editing_config",
            ]),
            "{config}"
        );
        assert_eq!(config["orientation"], "landscape");
        assert_eq!(config["n_frames"], 300);
        assert_eq!(config["cameo_profiles"], json!([]));
    }
}

#[tokio::test]
async fn storyboards_are_accepted_with_or_without_the_timeline_header() {
    let sim = start_sim(|_| {}).await;
    let raw = Raw::new(&sim);
    let body = |prompt: &str| {
        json!({"kind":"video","prompt":prompt,"title":"Draft your video","orientation":"landscape",
               "size":"small","n_frames":450,"storyboard_id":null,"inpaint_items":[],
               "remix_target_id":null,"model":"sy_8","metadata":null,"style_id":null,
               "cameo_ids":null,"cameo_replacements":null,"audio_caption":null,
               "audio_transcript":null,"video_caption":null})
    };
    // The Python clients with no instructions: the shot blocks alone.
    let python_bare = "Shot 1:\nduration: 5.0sec\nScene: cat skydives from a plane\n\nShot 2:\nduration: 5.0sec\nScene: cat lands";
    // The Go port with no instructions: the header, and a blank line after every shot.
    let go_bare = "current timeline:\nShot 1:\nduration: 5.0sec\nScene: cat skydives from a plane\n\nShot 2:\nduration: 5.0sec\nScene: cat lands\n\n";
    // Both with instructions (byte-identical).
    let with_instructions = "current timeline:\nShot 1:\nduration: 5.0sec\nScene: cat skydives from a plane\n\nShot 2:\nduration: 5.0sec\nScene: cat lands\n\ninstructions:\nA cat's adventure";
    for prompt in [python_bare, go_bare, with_instructions] {
        let (status, answer) = raw.post("/nf/create/storyboard", body(prompt)).await;
        assert_eq!(status, StatusCode::OK, "{prompt:?}: {answer}");
        let task_id = answer["id"].as_str().expect("task id");
        assert!(task_id.starts_with("task_"), "{answer}");
        let draft = raw.draft_of(task_id).await;
        assert_eq!(draft["prompt"], prompt, "tracked like any video");
    }
}

#[tokio::test]
async fn requests_known_clients_send_are_not_refused() {
    let sim = start_sim(|c| c.seed_drafts = 1).await;
    let raw = Raw::new(&sim);

    // `sy_8_20251208` (zhu88cc's default) and orientation `square`.
    let mut dated = video_body("dated model");
    dated["model"] = json!("sy_8_20251208");
    let (status, answer) = raw.post("/nf/create", dated).await;
    assert_eq!(status, StatusCode::OK, "model sy_8_20251208: {answer}");
    let mut square = video_body("a square video");
    square["orientation"] = json!("square");
    let (status, answer) = raw.post("/nf/create", square).await;
    assert_eq!(status, StatusCode::OK, "orientation square: {answer}");

    // Every inpaint kind in one mixed array: an upload, a file, a generation, a reference.
    let png = reqwest::multipart::Part::bytes(common::asset("image.png"))
        .file_name("image.png")
        .mime_str("image/png")
        .expect("mime");
    let form = reqwest::multipart::Form::new()
        .part("file", png)
        .text("file_name", "image.png");
    let (status, upload) = raw.multipart("/uploads", form).await;
    assert_eq!(status, StatusCode::OK, "{upload}");
    let png = reqwest::multipart::Part::bytes(common::asset("image.png"))
        .file_name("image.png")
        .mime_str("image/png")
        .expect("mime");
    let form = reqwest::multipart::Form::new()
        .part("file", png)
        .text("use_case", "inpaint_safe");
    let (status, file) = raw.multipart("/project_y/file/upload", form).await;
    assert_eq!(status, StatusCode::OK, "use_case=inpaint_safe: {file}");
    assert!(
        file["asset_pointer"]
            .as_str()
            .is_some_and(|p| p.starts_with("sediment://file_")),
        "{file}"
    );
    let (_, drafts) = raw.get("/project_y/profile/drafts?limit=15").await;
    let gen_id = drafts["items"][0]["id"].clone();
    let mut mixed = video_body("with references");
    mixed["inpaint_items"] = json!([
        {"kind": "upload", "upload_id": upload["id"]},
        {"kind": "file", "file_id": file["file_id"]},
        {"kind": "generation", "generation_id": gen_id},
        {"kind": "reference", "reference_id": "ref_69c11b8a20bc81919e63f1087b43a6c0"},
    ]);
    let (status, answer) = raw.post("/nf/create", mixed).await;
    assert_eq!(status, StatusCode::OK, "mixed inpaint kinds: {answer}");

    // Image sizes other than the three the Python client uses (the Go server's default);
    // only nonsense is refused.
    let image = |w: u64, h: u64| json!({"type":"image_gen","operation":"simple_compose","prompt":"a lighthouse","width":w,"height":h,"n_variants":1,"n_frames":1,"inpaint_items":[]});
    let (status, answer) = raw.post("/video_gen", image(1792, 1024)).await;
    assert_eq!(status, StatusCode::OK, "1792x1024: {answer}");
    for (w, h) in [(0, 360), (360, 1_000_000)] {
        let (status, answer) = raw.post("/video_gen", image(w, h)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{w}x{h}: {answer}");
        assert!(answer["error"]["message"].is_string(), "{answer}");
    }

    // The Go port's default username; a taken one, an empty and an absurd one are refused.
    let video = reqwest::multipart::Part::bytes(common::asset("sample.mp4"))
        .file_name("video.mp4")
        .mime_str("video/mp4")
        .expect("mime");
    let form = reqwest::multipart::Form::new()
        .part("file", video)
        .text("timestamps", "0,3");
    let (status, cameo) = raw.multipart("/characters/upload", form).await;
    assert_eq!(status, StatusCode::OK, "{cameo}");
    let cameo_id = cameo["id"].as_str().expect("cameo id").to_string();
    let progress = eventually(30, || async {
        let (_, p) = raw
            .get(&format!("/project_y/cameos/in_progress/{cameo_id}"))
            .await;
        (p["status_message"] == "Completed").then_some(p)
    })
    .await;
    let avatar = raw
        .http
        .get(progress["profile_asset_url"].as_str().expect("avatar url"))
        .send()
        .await
        .expect("avatar")
        .bytes()
        .await
        .expect("bytes");
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(avatar.to_vec())
                .file_name("profile.webp")
                .mime_str("image/webp")
                .expect("mime"),
        )
        .text("use_case", "profile");
    let (status, file) = raw.multipart("/project_y/file/upload", form).await;
    assert_eq!(status, StatusCode::OK, "{file}");
    let finalize = |username: &str| {
        json!({"cameo_id":cameo_id,"username":username,"display_name":"My Character",
               "profile_asset_pointer":file["asset_pointer"],"instruction_set":null,
               "safety_instruction_set":null})
    };
    for refused in ["demo", "", &"x".repeat(500)] {
        let (status, answer) = raw.post("/characters/finalize", finalize(refused)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused:?}: {answer}");
        assert_eq!(answer["error"]["param"], "username", "{answer}");
        assert!(answer["error"]["message"].is_string(), "{answer}");
    }
    let (status, done) = raw
        .post("/characters/finalize", finalize("my_character"))
        .await;
    assert_eq!(status, StatusCode::OK, "my_character: {done}");
    assert!(done["character"]["character_id"].is_string(), "{done}");
}

#[tokio::test]
async fn draft_items_carry_the_live_fields_on_v1_and_v2() {
    let sim = start_sim(|_| {}).await;
    let raw = Raw::new(&sim);
    let (_, created) = raw.post("/nf/create", video_body("a paper boat")).await;
    let task_id = created["id"].as_str().expect("task id").to_string();
    raw.draft_of(&task_id).await;

    let fields = [
        "id",
        "generation_id",
        "task_id",
        "kind",
        "url",
        "downloadable_url",
        "download_urls",
        "reason_str",
        "markdown_reason_str",
        "error_reason",
        "width",
        "height",
        "duration_s",
        "prompt",
        "title",
        "created_at",
        "generation_type",
        "encodings",
        "creation_config",
        "draft_reviewed",
        "can_remix",
        "can_extend",
        "can_storyboard",
        "can_create_character",
        "has_children",
        "storyboard_id",
        "post",
        "post_visibility",
        "tags",
        "permalink",
    ];
    let renditions = [
        "source",
        "source_wm",
        "endcard_wm",
        "thumbnail",
        "unfurl",
        "md",
        "ld",
        "gif",
    ];
    let (_, single) = raw.get("/project_y/profile/drafts?limit=1").await;
    let gen_id = single["items"][0]["id"]
        .as_str()
        .expect("gen id")
        .to_string();
    let (status, one) = raw
        .get(&format!("/project_y/profile/drafts/v2/{gen_id}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    for (what, path) in [
        ("v1", "/project_y/profile/drafts?limit=15"),
        ("v2", "/project_y/profile/drafts/v2?limit=15"),
    ] {
        let (status, page) = raw.get(path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page.get("cursor").is_some(), "{what}: {page}");
        let d = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|d| d["task_id"] == task_id.as_str())
            .cloned()
            .expect("the draft of the task");
        let mut items = vec![(what.to_string(), d)];
        if what == "v2" {
            items.push(("single v2".to_string(), one.clone()));
        }
        for (what, d) in items {
            let what = what.as_str();
            has_keys(what, &d, &fields);
            assert_eq!(d["id"], d["generation_id"], "{what}");
            assert_eq!(d["task_id"], task_id.as_str(), "{what}");
            assert_eq!(d["kind"], "sora_draft", "{what}");
            assert_eq!(d["generation_type"], "video_gen", "{what}");
            assert!(
                d["created_at"].is_f64(),
                "{what}: created_at is a unix float: {d}"
            );
            assert_eq!(d["duration_s"], 10.0, "{what}");
            let id = d["id"].as_str().expect("id");
            assert_eq!(
                d["permalink"],
                format!("https://sora.chatgpt.com/d/{id}"),
                "{what}"
            );
            let urls = &d["download_urls"];
            assert_eq!(
                keys(urls),
                key_set(&["watermark", "no_watermark", "endcard_watermark"]),
                "{what}"
            );
            assert_eq!(urls["no_watermark"], Value::Null, "{what}");
            assert!(urls["watermark"].is_string(), "{what}");
            let enc = &d["encodings"];
            assert_eq!(keys(enc), key_set(&renditions), "{what}: {enc}");
            for r in renditions {
                let e = &enc[r];
                if e.is_null() {
                    continue;
                }
                assert_eq!(
                    keys(e),
                    key_set(&["path", "size", "duration_secs", "ssim"]),
                    "{what} {r}"
                );
                let path = e["path"].as_str().expect("path is a string");
                if what == "v1" {
                    assert!(
                        path.starts_with("http://"),
                        "{what} {r}: a signed URL: {path}"
                    );
                } else {
                    assert!(
                        !path.contains("://"),
                        "{what} {r}: an internal path, not a URL: {path}"
                    );
                }
            }
            assert!(enc["source"].is_object(), "{what}");
            assert!(d["creation_config"].is_object(), "{what}");
            for flag in [
                "draft_reviewed",
                "can_remix",
                "can_extend",
                "can_storyboard",
                "can_create_character",
                "has_children",
            ] {
                assert!(d[flag].is_boolean(), "{what}: {flag} is a flag: {d}");
            }
            assert!(d["tags"].is_array(), "{what}");
        }
    }
    assert_eq!(one["id"], gen_id.as_str());
    let (status, missing) = raw
        .get("/project_y/profile/drafts/v2/gen_01k9btrqrnen792yvt703dp0tq")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(missing["error"]["message"].is_string(), "{missing}");

    // This crate's client on drafts/v2 (v1 answers 404 once, it falls back) still finds a
    // download link, not an internal path, and the file downloads.
    sim.inject(FaultRule {
        method: None,
        path: "/project_y/profile/drafts".into(),
        fault: Fault::Gone404,
        times: Some(1),
    });
    let client = common::client_for(&sim);
    let page = client.drafts(15, None).await.expect("drafts via v2");
    let d = page
        .items
        .iter()
        .find(|d| d.task_id.as_deref() == Some(task_id.as_str()))
        .expect("the draft");
    let url = d.best_url().expect("a download link");
    assert!(url.starts_with("http://"), "{url}");
    let dir = tempfile::tempdir().expect("tempdir");
    let saved = client
        .download_to(url, &dir.path().join("gen.mp4"), None, |_, _| {})
        .await
        .expect("downloaded");
    assert_eq!(saved.path, dir.path().join("gen.mp4"));
    let paths: Vec<String> = sim.requests().into_iter().map(|r| r.path).collect();
    assert!(
        paths.iter().any(|p| p == "/project_y/profile/drafts/v2"),
        "{paths:?}"
    );
}

#[tokio::test]
async fn posts_and_their_tree_have_the_live_shape() {
    let sim = start_sim(|c| c.seed_drafts = 1).await;
    let raw = Raw::new(&sim);
    let (_, drafts) = raw.get("/project_y/profile/drafts?limit=1").await;
    let draft = drafts["items"][0].clone();
    let gen_id = draft["id"].as_str().expect("gen id").to_string();
    let published = raw.publish(&gen_id).await;
    let post_id = published["id"].as_str().expect("post id").to_string();
    let (status, read) = raw.get(&format!("/project_y/post/{post_id}")).await;
    assert_eq!(status, StatusCode::OK, "{read}");

    for (what, post) in [("publish", &published), ("get", &read["post"])] {
        has_keys(
            what,
            post,
            &[
                "id",
                "shared_by",
                "is_owner",
                "posted_to_public",
                "post_locations",
                "posted_at",
                "updated_at",
                "like_count",
                "view_count",
                "remix_count",
                "source",
                "text",
                "caption",
                "preview_image_url",
                "permalink",
                "attachments",
            ],
        );
        assert_eq!(post["id"], post_id.as_str());
        assert!(
            post["shared_by"]
                .as_str()
                .is_some_and(|u| u.starts_with("user-")),
            "{what}: {post}"
        );
        assert!(post["is_owner"].is_boolean() && post["posted_to_public"].is_boolean());
        assert!(post["post_locations"].is_array());
        assert!(
            post["posted_at"].is_f64() && post["updated_at"].is_f64(),
            "{post}"
        );
        assert_eq!(
            post["permalink"],
            format!("https://sora.chatgpt.com/p/{post_id}")
        );
        let attachments = post["attachments"].as_array().expect("attachments");
        assert_eq!(attachments.len(), 1);
        let a = &attachments[0];
        has_keys(
            what,
            a,
            &[
                "id",
                "tags",
                "kind",
                "generation_id",
                "generation_type",
                "url",
                "downloadable_url",
                "width",
                "height",
                "n_frames",
                "prompt",
                "task_id",
                "output_blocked",
                "title",
                "source",
                "encodings",
            ],
        );
        assert_eq!(a["id"], format!("{post_id}-attachment-0"), "{what}");
        assert_eq!(a["kind"], "sora");
        assert_eq!(a["generation_id"], gen_id.as_str());
        assert_eq!(a["generation_type"], "video_gen");
        assert_eq!(a["task_id"], draft["task_id"]);
        assert_eq!(a["n_frames"], json!(300));
        assert_eq!(a["output_blocked"], false);
        // The field the watermark-free clients read, a URL they fetch.
        let source = a["encodings"]["source"]["path"]
            .as_str()
            .expect("attachments[0].encodings.source.path");
        let r = raw.http.get(source).send().await.expect("source fetched");
        assert_eq!(r.status(), StatusCode::OK, "{what}: {source}");
    }

    let (status, tree) = raw
        .get(&format!(
            "/project_y/post/{post_id}/tree?limit=20&max_depth=1"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{tree}");
    assert_eq!(
        keys(&tree),
        key_set(&["post", "profile", "reposter_profile", "children", "cursor"])
    );
    assert_eq!(tree["post"]["id"], post_id.as_str());
    assert_eq!(
        tree["post"]["attachments"][0]["generation_id"],
        gen_id.as_str()
    );
    assert_eq!(tree["profile"]["user_id"], published["shared_by"]);
    assert_eq!(tree["reposter_profile"], Value::Null);
    assert_eq!(tree["children"], json!([]));
    assert_eq!(tree["cursor"], Value::Null);
    let (status, _) = raw
        .get("/project_y/post/s_00000000000000000000000000000000/tree?limit=20&max_depth=1")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn quota_and_recent_tasks_page_like_the_live_service() {
    let sim = start_sim(|_| {}).await;
    let raw = Raw::new(&sim);
    let (status, check) = raw.get("/nf/check").await;
    assert_eq!(status, StatusCode::OK, "{check}");
    assert_eq!(
        keys(&check),
        key_set(&["rate_limit_and_credit_balance", "type"])
    );
    let balance = &check["rate_limit_and_credit_balance"];
    assert_eq!(
        keys(balance),
        key_set(&[
            "estimated_num_videos_remaining",
            "estimated_num_purchased_videos_remaining",
            "credit_remaining",
            "rate_limit_reached",
            "access_resets_in_seconds",
        ])
    );
    assert!(balance["estimated_num_videos_remaining"].is_u64());
    assert_eq!(balance["rate_limit_reached"], false);
    assert!(check["type"].is_string());

    let image = |prompt: &str| json!({"type":"image_gen","operation":"simple_compose","prompt":prompt,"width":360,"height":360,"n_variants":1,"n_frames":1,"inpaint_items":[]});
    let mut ids = Vec::new();
    for prompt in ["first", "#fail second", "third"] {
        let (status, answer) = raw.post("/video_gen", image(prompt)).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        ids.push(answer["id"].as_str().expect("task id").to_string());
    }
    let all = eventually(30, || async {
        let (_, body) = raw.get("/v2/recent_tasks?limit=20").await;
        let list = body["task_responses"].as_array()?.clone();
        list.iter()
            .all(|t| t["status"] == "succeeded" || t["status"] == "failed")
            .then_some(list)
    })
    .await;
    let order: Vec<&str> = all.iter().filter_map(|t| t["id"].as_str()).collect();
    assert_eq!(order, [&ids[2], &ids[1], &ids[0]], "newest first");

    let failed = &all[1];
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["progress_pct"], Value::Null, "{failed}");
    assert!(failed["failure_reason"].is_string(), "{failed}");
    assert!(failed["error_message"].is_string(), "{failed}");

    let page = |query: String| {
        let raw = &raw;
        async move {
            let (status, body) = raw.get(&format!("/v2/recent_tasks?{query}")).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body["task_responses"]
                .as_array()
                .expect("task_responses")
                .iter()
                .filter_map(|t| t["id"].as_str().map(str::to_string))
                .collect::<Vec<String>>()
        }
    };
    assert_eq!(page("limit=1".into()).await, [ids[2].clone()]);
    assert_eq!(
        page(format!("limit=20&before={}", ids[2])).await,
        [ids[1].clone(), ids[0].clone()]
    );
    assert_eq!(
        page(format!("limit=1&before={}", ids[2])).await,
        [ids[1].clone()]
    );
    assert!(page(format!("limit=20&before={}", ids[0])).await.is_empty());
}

#[tokio::test]
async fn media_urls_look_live_and_files_keep_their_type() {
    let sim = start_sim(|_| {}).await;
    let raw = Raw::new(&sim);
    let (_, created) = raw.post("/nf/create", video_body("a lighthouse")).await;
    let draft = raw.draft_of(created["id"].as_str().expect("id")).await;
    let image = json!({"type":"image_gen","operation":"simple_compose","prompt":"wide","width":540,"height":360,"n_variants":1,"n_frames":1,"inpaint_items":[]});
    let (_, task) = raw.post("/video_gen", image).await;
    let image_url = eventually(30, || async {
        let (_, body) = raw.get("/v2/recent_tasks?limit=5").await;
        let t = body["task_responses"]
            .as_array()?
            .iter()
            .find(|t| t["id"] == task["id"])?
            .clone();
        t["generations"][0]["url"].as_str().map(str::to_string)
    })
    .await;

    let origin = format!("http://{}", sim.addr());
    let video_url = draft["downloadable_url"].as_str().expect("url").to_string();
    for url in [
        video_url.as_str(),
        draft["url"].as_str().expect("md url"),
        draft["encodings"]["thumbnail"]["path"]
            .as_str()
            .expect("thumbnail url"),
        image_url.as_str(),
    ] {
        let rest = url.strip_prefix(&origin).expect("served by the simulator");
        let (path, query) = rest.split_once('?').expect("signed");
        let blob = path.strip_prefix("/az/files/").expect("blob-store path");
        assert!(blob.ends_with("%2Fraw"), "{url}");
        assert!(
            !blob.contains('/'),
            "the blob name is one encoded segment: {url}"
        );
        assert!(!blob.contains('.'), "no file extension: {url}");
        let uuid = blob.split("%2F").next().unwrap_or("");
        let uuid = uuid.rsplit('_').next().unwrap_or("");
        assert!(
            uuid.len() == 36 && uuid.matches('-').count() == 4,
            "a uuid: {url}"
        );
        let params: Vec<&str> = query
            .split('&')
            .map(|kv| kv.split('=').next().unwrap_or(""))
            .collect();
        assert!(params.contains(&"se") && params.contains(&"sig"), "{url}");
    }
    assert!(
        draft["url"]
            .as_str()
            .is_some_and(|u| u.contains("%2Fdrvs%2Fmd%2Fraw")),
        "{draft}"
    );

    // The server says what each file is, since the name does not.
    let r = raw.http.get(&video_url).send().await.expect("video");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "video/mp4");
    let video = r.bytes().await.expect("bytes");
    assert_eq!(&video[..], &common::asset("sample.mp4")[..]);
    let r = raw.http.get(&image_url).send().await.expect("image");
    assert_eq!(r.headers()["content-type"], "image/webp");
    let r = raw
        .http
        .get(&video_url)
        .header("range", "bytes=100-")
        .send()
        .await
        .expect("range");
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(&r.bytes().await.expect("bytes")[..], &video[100..]);
    let tampered = video_url.replace("sig=", "sig=0");
    assert_eq!(
        raw.http.get(&tampered).send().await.expect("sent").status(),
        StatusCode::FORBIDDEN
    );

    // Media faults still aim at `/media`.
    sim.inject(FaultRule {
        method: None,
        path: "/media".into(),
        fault: Fault::ServerError,
        times: Some(1),
    });
    assert_eq!(
        raw.http
            .get(&video_url)
            .send()
            .await
            .expect("sent")
            .status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );

    // This crate's client names what it saves after the bytes: the guessed `.png` of an
    // extension-less link that serves WebP is saved as `.webp`, a video stays `.mp4`.
    let client = common::client_for(&sim);
    let dir = tempfile::tempdir().expect("tempdir");
    let saved = client
        .download_to(&image_url, &dir.path().join("gen_x.png"), None, |_, _| {})
        .await
        .expect("image downloaded");
    assert_eq!(saved.path, dir.path().join("gen_x.webp"));
    // Image variants are pictures drawn from their id (`sim/picture.rs`), WebP for landscape.
    let webp = std::fs::read(&saved.path).expect("saved");
    assert_eq!((&webp[..4], &webp[8..12]), (&b"RIFF"[..], &b"WEBP"[..]));
    assert!(!dir.path().join("gen_x.png").exists());
    let saved = client
        .download_to(&video_url, &dir.path().join("gen_y.mp4"), None, |_, _| {})
        .await
        .expect("video downloaded");
    assert_eq!(saved.path, dir.path().join("gen_y.mp4"));
}
