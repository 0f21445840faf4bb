//! End-to-end checks of the simulator over real HTTP (loopback).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use super::media::Asset;
use super::*;

const SENTINEL: &str = "abcdefghij0123";

async fn start(config: SimConfig) -> Sim {
    let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
    Sim::start(addr, config).await.expect("sim starts")
}

fn fast() -> SimConfig {
    SimConfig {
        speed: 100.0,
        ..SimConfig::default()
    }
}

fn client() -> Client {
    Client::builder().no_proxy().build().expect("client")
}

struct Api {
    sim: Sim,
    http: Client,
}

impl Api {
    async fn new(config: SimConfig) -> Self {
        Api {
            sim: start(config).await,
            http: client(),
        }
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

    /// Polls drafts until one with `task_id` shows up.
    async fn wait_for_draft(&self, task_id: &str) -> Value {
        for _ in 0..400 {
            let (_, page) = self.get("/project_y/profile/drafts?limit=5").await;
            if let Some(d) = page["items"]
                .as_array()
                .and_then(|items| items.iter().find(|d| d["task_id"] == task_id))
            {
                return d.clone();
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("no draft for {task_id}");
    }
}

fn video_body(prompt: &str) -> Value {
    json!({"kind":"video","prompt":prompt,"orientation":"landscape","size":"small","n_frames":300,"model":"sy_8","inpaint_items":[]})
}

#[tokio::test]
async fn auth_and_sentinel_errors_have_the_live_shapes() {
    let api = Api::new(fast()).await;
    let r = api.http.get(api.url("/me")).send().await.expect("sent");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: Value = r.json().await.expect("json");
    assert_eq!(
        body,
        json!({"error":{"message":"Missing bearer authentication in header","type":"invalid_request_error","param":null,"code":null}})
    );

    let (status, me) = api.get("/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["email"], "demo@sora.local");
    assert_eq!(me["plan_type"], "pro");

    let r = api
        .http
        .post(api.url("/nf/create"))
        .bearer_auth(api.sim.token())
        .header("openai-sentinel-token", "short")
        .json(&video_body("a cat"))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"]["code"], "sentinel_block");

    let (status, body) = api.get("/no/such/route").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["error"]["message"].is_string());

    let (status, body) = api
        .post("/nf/create", json!({"kind":"video","prompt":"x"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["param"], "orientation");

    let log = api.sim.requests();
    assert_eq!(log.len(), 5);
    assert_eq!(log[0].status, 401);
    assert_eq!(log[1].path, "/me");
    assert_eq!(log[2].header("openai-sentinel-token"), Some("short"));
    assert_eq!(
        log[2].json.as_ref().map(|j| j["prompt"].clone()),
        Some(json!("a cat"))
    );
    api.sim.shutdown().await;
}

#[tokio::test]
async fn video_draft_publish_and_media_flow() {
    // A mobile-app token: only it is given the clean file as the post's source.
    let api = Api::new(SimConfig {
        token_kind: TokenKind::Mobile,
        ..fast()
    })
    .await;
    let (status, created) = api
        .post("/nf/create", video_body("a red fox in snow"))
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let task_id = created["id"].as_str().expect("task id").to_string();
    assert!(task_id.starts_with("task_") && task_id.len() == 31);

    let (_, pending) = api.get("/nf/pending").await;
    let item = &pending.as_array().expect("bare array")[0];
    assert_eq!(item["id"], task_id);
    assert_eq!(item["creation_config"]["n_frames"], 300);
    let (_, pending_v2) = api.get("/nf/pending/v2").await;
    assert_eq!(pending_v2[0]["id"], task_id);

    let draft = api.wait_for_draft(&task_id).await;
    assert_eq!(draft["kind"], "sora_draft");
    assert_eq!(draft["duration_s"], 10.0);
    assert_eq!(
        (draft["width"].clone(), draft["height"].clone()),
        (json!(1280), json!(720))
    );
    assert!(draft["encodings"]["thumbnail"]["path"].is_string());
    let (_, pending) = api.get("/nf/pending").await;
    assert_eq!(pending, json!([]));

    // Media: full, ranged, tampered.
    let url = draft["downloadable_url"].as_str().expect("url");
    let full = api.http.get(url).send().await.expect("media");
    assert_eq!(full.status(), StatusCode::OK);
    assert_eq!(full.headers()["content-type"], "video/mp4");
    let bytes = full.bytes().await.expect("bytes");
    assert_eq!(&bytes[..], Asset::Video.bytes());
    let ranged = api
        .http
        .get(url)
        .header("range", "bytes=1000-")
        .send()
        .await
        .expect("range");
    assert_eq!(ranged.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        &ranged.bytes().await.expect("bytes")[..],
        &Asset::Video.bytes()[1000..]
    );
    let tampered = url.replace("sig=", "sig=0");
    let denied = api.http.get(&tampered).send().await.expect("denied");
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);

    // Publish, read, download the clean copy, delete.
    let gen_id = draft["id"].as_str().expect("gen id");
    let (status, post) = api
        .post(
            "/project_y/post",
            json!({"attachments_to_create":[{"generation_id":gen_id,"kind":"sora"}],"post_text":""}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{post}");
    let post_id = post["post"]["id"].as_str().expect("post id").to_string();
    assert!(super::ids::is_post_id(&post_id));
    let (_, read) = api.get(&format!("/project_y/post/{post_id}")).await;
    let clean_url = read["post"]["attachments"][0]["encodings"]["source"]["path"]
        .as_str()
        .expect("clean url");
    let clean = api
        .http
        .get(clean_url)
        .send()
        .await
        .expect("clean")
        .bytes()
        .await
        .expect("bytes");
    assert_eq!(&clean[..], Asset::VideoClean.bytes());
    let (_, drafts) = api.get("/project_y/profile/drafts").await;
    assert_eq!(drafts["items"][0]["post_id"], post_id);

    let r = api
        .http
        .delete(api.url(&format!("/project_y/post/{post_id}")))
        .bearer_auth(api.sim.token())
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status(), StatusCode::OK);
    let (status, _) = api.get(&format!("/project_y/post/{post_id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, drafts) = api.get("/project_y/profile/drafts").await;
    assert_eq!(drafts["items"][0]["post_id"], Value::Null);

    // Remix of the deleted post is refused.
    let mut remix = video_body("remix");
    remix["remix_target_id"] = json!(post_id);
    let (status, _) = api.post("/nf/create", remix).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    api.sim.shutdown().await;
}

#[tokio::test]
async fn limits_plan_and_pagination() {
    let api = Api::new(SimConfig {
        speed: 1.0,
        pro_plan: false,
        seed_drafts: 40,
        ..SimConfig::default()
    })
    .await;
    let mut long = video_body("long");
    long["n_frames"] = json!(750);
    let (status, body) = api.post("/nf/create", long).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["param"], "n_frames");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("Pro")
    );

    for _ in 0..3 {
        assert_eq!(
            api.post("/nf/create", video_body("x")).await.0,
            StatusCode::OK
        );
    }
    let (status, body) = api.post("/nf/create", video_body("x")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("3 generations")
    );
    let (_, check) = api.get("/nf/check").await;
    assert_eq!(
        check["rate_limit_and_credit_balance"]["estimated_num_videos_remaining"],
        27
    );

    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/project_y/profile/drafts/v2?limit=15&cursor={c}"),
            None => "/project_y/profile/drafts/v2?limit=15".to_string(),
        };
        let (status, page) = api.get(&path).await;
        assert_eq!(status, StatusCode::OK);
        ids.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|d| d["id"].clone()),
        );
        match page["cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(ids.len(), 40);
    let (status, _) = api.get("/project_y/profile/drafts?cursor=bogus").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    api.sim.shutdown().await;
}

#[tokio::test]
async fn faults_are_injected_and_logged() {
    let api = Api::new(fast()).await;
    let rule = |path: &str, fault: Fault, times: Option<u32>| FaultRule {
        method: None,
        path: path.into(),
        fault,
        times,
    };
    api.sim.inject(rule("/me", Fault::ServerError, Some(1)));
    assert_eq!(api.get("/me").await.0, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(api.get("/me").await.0, StatusCode::OK);

    api.sim.inject(rule("/nf/pending", Fault::Gone404, None));
    assert_eq!(api.get("/nf/pending").await.0, StatusCode::NOT_FOUND);
    api.sim.clear_faults();

    api.sim
        .inject(rule("/nf/check", Fault::Cloudflare, Some(1)));
    let r = api
        .http
        .get(api.url("/nf/check"))
        .bearer_auth(api.sim.token())
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.headers()["cf-mitigated"], "challenge");
    assert!(r.text().await.expect("html").contains("Just a moment..."));

    api.sim.inject(rule(
        "/nf/check",
        Fault::RateLimited {
            retry_after_secs: 9,
        },
        Some(1),
    ));
    let r = api
        .http
        .get(api.url("/nf/check"))
        .bearer_auth(api.sim.token())
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["retry-after"], "9");

    api.sim.inject(rule("/me", Fault::InvalidJson, Some(1)));
    let r = api
        .http
        .get(api.url("/me"))
        .bearer_auth(api.sim.token())
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.json::<Value>().await.is_err());

    api.sim.inject(rule("/me", Fault::ConnectionReset, Some(1)));
    let reset = async {
        let r = api
            .http
            .get(api.url("/me"))
            .bearer_auth(api.sim.token())
            .send()
            .await?;
        r.bytes().await
    };
    assert!(reset.await.is_err());

    api.sim
        .inject(rule("*", Fault::Latency { ms: 150 }, Some(1)));
    let t0 = std::time::Instant::now();
    assert_eq!(api.get("/me").await.0, StatusCode::OK);
    assert!(t0.elapsed() >= Duration::from_millis(150));

    // Truncated media: the announced length is the full file, the body stops halfway.
    api.sim
        .inject(rule("/media", Fault::TruncatedBody, Some(1)));
    let draft_url = {
        let (_, created) = api.post("/nf/create", video_body("truncate me")).await;
        let draft = api
            .wait_for_draft(created["id"].as_str().expect("id"))
            .await;
        draft["url"].as_str().expect("url").to_string()
    };
    let r = api
        .http
        .get(&draft_url)
        .send()
        .await
        .expect("headers arrive");
    assert_eq!(r.content_length(), Some(Asset::Video.bytes().len() as u64));
    assert!(r.bytes().await.is_err());
    let again = api.http.get(&draft_url).send().await.expect("sent");
    assert_eq!(
        again.bytes().await.expect("complete").len(),
        Asset::Video.bytes().len()
    );

    let statuses: Vec<(String, u16)> = api
        .sim
        .requests()
        .into_iter()
        .map(|r| (r.path, r.status))
        .filter(|(p, _)| p == "/me" || p.starts_with("/media"))
        .collect();
    assert_eq!(statuses[0], ("/me".to_string(), 500));
    assert!(statuses.contains(&("/me".to_string(), 0)));
    assert!(
        statuses
            .iter()
            .any(|(p, s)| p.starts_with("/media") && *s == 200)
    );
    api.sim.shutdown().await;
}

#[tokio::test]
async fn cameo_flow_and_username_rules() {
    let api = Api::new(fast()).await;
    let video = reqwest::multipart::Part::bytes(Asset::Video.bytes())
        .file_name("video.mp4")
        .mime_str("video/mp4")
        .expect("mime");
    let form = reqwest::multipart::Form::new()
        .part("file", video)
        .text("timestamps", "0,3");
    let (status, up) = api.multipart("/characters/upload", form).await;
    assert_eq!(status, StatusCode::OK, "{up}");
    let cameo_id = up["id"].as_str().expect("cameo id").to_string();

    let bad = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"not a video at all".to_vec()),
        )
        .text("timestamps", "0,3");
    assert_eq!(
        api.multipart("/characters/upload", bad).await.0,
        StatusCode::BAD_REQUEST
    );

    let mut progress = Value::Null;
    for _ in 0..200 {
        progress = api
            .get(&format!("/project_y/cameos/in_progress/{cameo_id}"))
            .await
            .1;
        if progress["status_message"] == "Completed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(progress["status_message"], "Completed", "{progress}");
    let avatar_url = progress["profile_asset_url"].as_str().expect("avatar url");
    let avatar = api
        .http
        .get(avatar_url)
        .send()
        .await
        .expect("avatar")
        .bytes()
        .await
        .expect("bytes");

    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(avatar.to_vec()).file_name("profile.webp"),
        )
        .text("use_case", "profile");
    let (status, file) = api.multipart("/project_y/file/upload", form).await;
    assert_eq!(status, StatusCode::OK, "{file}");
    let pointer = file["asset_pointer"].as_str().expect("pointer");

    let finalize = |username: &str| json!({"cameo_id":cameo_id,"username":username,"display_name":"Me","profile_asset_pointer":pointer,"instruction_set":null,"safety_instruction_set":null});
    let (status, taken) = api.post("/characters/finalize", finalize("demo")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        taken,
        json!({"error":{"message":"That username is already taken.","type":"invalid_request_error","param":"username","code":"username_taken"}})
    );
    let (status, bad) = api.post("/characters/finalize", finalize("")).await;
    assert_eq!(
        (status, bad["error"]["param"].clone()),
        (StatusCode::BAD_REQUEST, json!("username"))
    );
    let (status, done) = api
        .post("/characters/finalize", finalize("demo.cameo.1"))
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let character_id = done["character"]["character_id"]
        .as_str()
        .expect("character id");

    let (status, cameo) = api
        .post(
            &format!("/project_y/cameos/by_id/{cameo_id}/update_v2"),
            json!({"visibility":"public"}),
        )
        .await;
    assert_eq!(
        (status, cameo["visibility"].clone()),
        (StatusCode::OK, json!("public"))
    );
    let (_, progress) = api
        .get(&format!("/project_y/cameos/in_progress/{cameo_id}"))
        .await;
    assert_eq!(progress["status"], "finalized");

    let delete = |id: String| {
        let req = api
            .http
            .delete(api.url(&format!("/project_y/characters/{id}")));
        req.bearer_auth(api.sim.token()).send()
    };
    assert_eq!(
        delete(character_id.to_string())
            .await
            .expect("sent")
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        delete(character_id.to_string())
            .await
            .expect("sent")
            .status(),
        StatusCode::NOT_FOUND
    );
    api.sim.shutdown().await;
}

#[tokio::test]
async fn media_host_and_control_routes() {
    let media_ip = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
    let api = Api::new(SimConfig {
        seed_drafts: 2,
        media_ip: Some(media_ip),
        ..fast()
    })
    .await;
    let (_, drafts) = api.get("/project_y/profile/drafts").await;
    let url = drafts["items"][0]["url"].as_str().expect("url").to_string();
    assert!(url.starts_with("http://127.0.0.2:"), "{url}");
    let r = api.http.get(&url).send().await.expect("media host answers");
    assert_eq!(r.status(), StatusCode::OK);
    let media_req = api.sim.requests().into_iter().last().expect("logged");
    assert!(media_req.path.starts_with("/media/"));
    assert_eq!(media_req.header("authorization"), None);

    // Control API, as used against a separately running `sora-tui sim`.
    let control = |path: &str| format!("http://{}/_sim/{path}", api.sim.addr());
    let r = api
        .http
        .post(control("faults"))
        .json(&json!({"method":"GET","path":"/me","fault":{"kind":"heavy_load"},"times":1}))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::OK);
    let (status, body) = api.get("/me").await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::BAD_REQUEST, json!("heavy_load"))
    );
    let log: Value = api
        .http
        .get(control("requests"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(log.as_array().map(Vec::len), Some(3));
    assert_eq!(log[2]["status"], 400);
    api.http
        .delete(control("requests"))
        .send()
        .await
        .expect("sent");
    assert!(api.sim.requests().is_empty());
    let r = api
        .http
        .post(control("cameo_outcome"))
        .json(&json!({"outcome":"fail"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::OK);
    let r = api
        .http
        .post(control("faults"))
        .body("{}")
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    api.sim.shutdown().await;
}

#[tokio::test]
async fn image_tasks_and_prompt_keywords() {
    let api = Api::new(fast()).await;
    let png = reqwest::multipart::Part::bytes(Asset::ImageSquare.bytes()).file_name("a.png");
    let form = reqwest::multipart::Form::new()
        .part("file", png)
        .text("file_name", "a.png");
    let (status, upload) = api.multipart("/uploads", form).await;
    assert_eq!(status, StatusCode::OK, "{upload}");
    let media_id = upload["id"].as_str().expect("media id");
    let gif = reqwest::multipart::Part::bytes(b"GIF89a....".to_vec()).file_name("a.gif");
    let form = reqwest::multipart::Form::new()
        .part("file", gif)
        .text("file_name", "a.gif");
    let (status, body) = api.multipart("/uploads", form).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_image"))
    );

    let image = |op: &str, prompt: &str, items: Value| json!({"type":"image_gen","operation":op,"prompt":prompt,"width":540,"height":360,"n_variants":2,"n_frames":1,"inpaint_items":items});
    let items = json!([{"type":"image","frame_index":0,"upload_media_id":media_id}]);
    let (status, ok) = api
        .post("/video_gen", image("remix", "make it autumn", items))
        .await;
    assert_eq!(status, StatusCode::OK, "{ok}");
    let (_, failing) = api
        .post(
            "/video_gen",
            image("simple_compose", "#fail please", json!([])),
        )
        .await;
    let bogus = json!([{"type":"image","frame_index":0,"upload_media_id":"media_nope"}]);
    assert_eq!(
        api.post("/video_gen", image("remix", "x", bogus)).await.0,
        StatusCode::BAD_REQUEST
    );

    let mut tasks = Value::Null;
    for _ in 0..200 {
        tasks = api.get("/v2/recent_tasks?limit=5").await.1;
        let done = tasks["task_responses"].as_array().is_some_and(|t| {
            t.iter()
                .all(|x| x["status"] == "succeeded" || x["status"] == "failed")
        });
        if done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let list = tasks["task_responses"].as_array().expect("list");
    assert_eq!(list[0]["id"], failing["id"], "newest first");
    assert_eq!(list[0]["status"], "failed");
    assert!(list[0]["failure_reason"].is_string());
    assert_eq!(list[1]["id"], ok["id"]);
    assert_eq!(list[1]["status"], "succeeded");
    let generations = list[1]["generations"].as_array().expect("generations");
    assert_eq!(generations.len(), 2);
    let picture = api
        .http
        .get(generations[0]["url"].as_str().expect("url"))
        .send()
        .await
        .expect("sent");
    assert_eq!(picture.headers()["content-type"], "image/webp");

    // Video keywords: a violation draft and a failed task that leaves no draft.
    let (_, failed) = api.post("/nf/create", video_body("#FAIL test")).await;
    let failed_id = failed["id"].as_str().expect("id");
    let mut saw_failed = false;
    for _ in 0..200 {
        let (_, pending) = api.get("/nf/pending").await;
        let entry = pending
            .as_array()
            .and_then(|p| p.iter().find(|t| t["id"] == failed_id).cloned());
        match entry {
            Some(t) if t["status"] == "failed" => {
                assert_eq!(t["failure_reason"], "Generation failed");
                saw_failed = true;
            }
            None if saw_failed => break,
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(saw_failed);
    let (_, drafts) = api.get("/project_y/profile/drafts").await;
    assert!(
        drafts["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|d| d["task_id"] != failed_id)
    );
    let (_, violation) = api.post("/nf/create", video_body("#violation test")).await;
    let draft = api
        .wait_for_draft(violation["id"].as_str().expect("id"))
        .await;
    assert_eq!(draft["kind"], "sora_content_violation");
    assert!(draft["reason_str"].as_str().is_some_and(|r| !r.is_empty()));
    assert_eq!(
        (draft["url"].clone(), draft["downloadable_url"].clone()),
        (Value::Null, Value::Null)
    );
    let gen_id = draft["id"].as_str().expect("gen id");
    let (status, _) = api
        .post("/project_y/post", json!({"attachments_to_create":[{"generation_id":gen_id,"kind":"sora"}],"post_text":""}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Storyboards must carry a timeline.
    let mut storyboard = video_body("just words");
    storyboard["title"] = json!("Draft your video");
    assert_eq!(
        api.post("/nf/create/storyboard", storyboard.clone())
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    storyboard["prompt"] = json!("current timeline:\nShot 1:\nduration: 10.0sec\nScene: a cat");
    assert_eq!(
        api.post("/nf/create/storyboard", storyboard).await.0,
        StatusCode::OK
    );
    api.sim.shutdown().await;
}

#[tokio::test]
async fn a_demo_account_starts_with_varied_drafts_images_and_a_finalized_cameo() {
    let api = Api::new(SimConfig {
        seed_demo: true,
        ..fast()
    })
    .await;
    let (status, page) = api.get("/project_y/profile/drafts/v2?limit=100").await;
    assert_eq!(status, StatusCode::OK);
    let items = page["items"].as_array().expect("items");
    assert!(items.len() >= 30, "a few dozen drafts: {}", items.len());
    assert!(
        items
            .windows(2)
            .all(|w| w[0]["created_at"].as_f64() > w[1]["created_at"].as_f64()),
        "newest first"
    );
    let published = items.iter().filter(|d| d["post"].is_object()).count();
    assert!(published >= 3, "published drafts: {published}");
    let violations: Vec<&Value> = items
        .iter()
        .filter(|d| d["kind"] == "sora_content_violation")
        .collect();
    assert_eq!(violations.len(), 1);
    assert!(violations[0]["downloadable_url"].is_null());
    assert!(violations[0]["reason_str"].is_string());
    let remixes: Vec<&Value> = items
        .iter()
        .filter(|d| d["creation_config"]["remix_target_post"].is_object())
        .collect();
    assert!(!remixes.is_empty(), "remixes of the published posts");
    let shapes: std::collections::BTreeSet<(u64, u64)> = items
        .iter()
        .map(|d| (d["width"].as_u64().unwrap(), d["height"].as_u64().unwrap()))
        .collect();
    assert!(shapes.len() >= 4, "orientations and sizes: {shapes:?}");
    let lengths: std::collections::BTreeSet<u64> = items
        .iter()
        .map(|d| d["duration_s"].as_f64().unwrap() as u64)
        .collect();
    assert_eq!(lengths.into_iter().collect::<Vec<_>>(), vec![5, 10, 15, 25]);
    assert!(
        items
            .iter()
            .filter(|d| d["kind"] == "sora_draft")
            .all(|d| d["downloadable_url"].is_string()),
        "every other draft is ready"
    );

    let (_, tasks) = api.get("/v2/recent_tasks?limit=10").await;
    let images = tasks["task_responses"].as_array().expect("image tasks");
    assert!(images.len() >= 3, "{tasks}");
    assert!(
        images
            .iter()
            .all(|t| t["status"] == "succeeded" && t["generations"][0]["url"].is_string()),
        "finished images: {tasks}"
    );

    let (cameo_id, character_id) = api.sim.demo_cameo().expect("a seeded cameo");
    let (status, cameo) = api
        .post(
            &format!("/project_y/cameos/by_id/{cameo_id}/update_v2"),
            json!({"visibility": "private"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{cameo}");
    assert_eq!(cameo["status"], "finalized");
    assert_eq!(cameo["character_id"], character_id.as_str());
    assert_eq!(cameo["username"], crate::sim::DEMO_CAMEO_USERNAME);
}

#[tokio::test]
async fn an_account_without_the_demo_seed_starts_empty() {
    let api = Api::new(fast()).await;
    let (_, page) = api.get("/project_y/profile/drafts/v2?limit=100").await;
    assert_eq!(page["items"], json!([]));
    assert!(api.sim.demo_cameo().is_none());
}

#[tokio::test]
async fn a_published_post_has_a_share_page_and_an_unknown_one_a_404() {
    let api = Api::new(fast()).await;
    let (_, created) = api
        .post("/nf/create", video_body("a <b>bold</b> fox & \"friends\""))
        .await;
    let task_id = created["id"].as_str().expect("task id").to_string();
    let draft = api.wait_for_draft(&task_id).await;
    let gen_id = draft["id"].as_str().expect("gen id");
    let (_, post) = api
        .post(
            "/project_y/post",
            json!({"attachments_to_create":[{"generation_id":gen_id,"kind":"sora"}],"post_text":""}),
        )
        .await;
    let post_id = post["post"]["id"].as_str().expect("post id").to_string();
    let page_url = format!("http://{}/p/{post_id}", api.sim.addr());

    // No token: share pages are public.
    let page = api.http.get(&page_url).send().await.expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.expect("html");
    assert!(html.contains(&post_id), "{html}");
    assert!(
        html.contains("a &lt;b&gt;bold&lt;/b&gt; fox &amp; &quot;friends&quot;"),
        "{html}"
    );
    assert!(!html.contains("<b>bold"), "{html}");
    assert!(html.contains("<video controls src=\"http://"), "{html}");
    assert!(
        html.contains(gen_id) || html.contains("/az/files/"),
        "{html}"
    );

    let unknown = api
        .http
        .get(format!("http://{}/p/s_doesnotexist", api.sim.addr()))
        .send()
        .await
        .expect("unknown");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert!(
        unknown
            .text()
            .await
            .expect("html")
            .contains("does not exist")
    );

    // Unpublished: the page is gone.
    let r = api
        .http
        .delete(api.url(&format!("/project_y/post/{post_id}")))
        .bearer_auth(api.sim.token())
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status(), StatusCode::OK);
    let gone = api.http.get(&page_url).send().await.expect("gone");
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    api.sim.shutdown().await;
}

#[tokio::test]
async fn the_quota_is_set_and_reset_through_the_control_route() {
    let api = Api::new(SimConfig {
        speed: 1.0,
        ..SimConfig::default()
    })
    .await;
    let control = |body: Value| {
        let http = api.http.clone();
        let url = format!("http://{}/_sim/quota", api.sim.addr());
        async move {
            let r = http.post(url).json(&body).send().await.expect("sent");
            (r.status(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, stats) = control(json!({"remaining": 1, "resets_in_secs": 5})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stats["videos_remaining"], 1);
    let (_, check) = api.get("/nf/check").await;
    let quota = &check["rate_limit_and_credit_balance"];
    assert_eq!(quota["estimated_num_videos_remaining"], 1);
    let resets = quota["access_resets_in_seconds"]
        .as_u64()
        .expect("a number");
    assert!((1..=5).contains(&resets), "the short window: {resets}");
    assert_eq!(
        api.post("/nf/create", video_body("one")).await.0,
        StatusCode::OK
    );
    let (status, body) = api.post("/nf/create", video_body("two")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"]["code"], "rate_limit_reached");
    let (_, check) = api.get("/nf/check").await;
    assert_eq!(
        check["rate_limit_and_credit_balance"]["rate_limit_reached"],
        true
    );
    let (_, stats) = control(json!({"reset": true})).await;
    assert_eq!(stats["videos_remaining"], crate::sim::account::PAID_VIDEOS);
    assert_eq!(stats["max_in_progress"], 1);
    let (_, check) = api.get("/nf/check").await;
    let resets = check["rate_limit_and_credit_balance"]["access_resets_in_seconds"]
        .as_u64()
        .expect("a number");
    assert!(resets > 3600, "back to the day-long window: {resets}");
    let (status, _) = control(json!({"remaining": "lots"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = control(json!({"resets_in_secs": -1})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    api.sim.shutdown().await;
}
