//! The client against the simulator: every endpoint, with the requests checked as the server
//! received them, and the video, image, publish and cameo lifecycles end to end.

// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use sora_tui::api::{
    ApiError, CameoPhase, Client, DraftVerdict, Length, Model, Orientation, Size, VideoSettings,
};
use sora_tui::track::{ImageState, VideoState, observe_image, observe_video};

fn png_file(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("start.png");
    std::fs::write(&path, asset("image.png")).unwrap();
    path
}

/// Polls pending and drafts like `--wait` does until the video's draft is ready; returns the
/// draft and the statuses seen on the way.
async fn wait_video(client: &Client, task_id: &str) -> (sora_tui::api::Draft, Vec<String>) {
    let mut seen: Vec<String> = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let pending = client.pending().await.unwrap();
        let drafts = client.drafts(30, None).await.unwrap().items;
        match observe_video(task_id, &pending, Some(&drafts)) {
            VideoState::Working { status, .. } => {
                if seen.last() != Some(&status) {
                    seen.push(status);
                }
            }
            VideoState::Done(d) => return (*d, seen),
            VideoState::Failed(r) | VideoState::Violation(r) => panic!("video failed: {r}"),
            VideoState::Finishing | VideoState::DraftNotReady => {}
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "video did not finish"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn me_sends_auth_and_browser_headers() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let me = client.me().await.unwrap();
    assert_eq!(me.username.as_deref(), Some("demo"));
    let req = &requests_to(&sim, "GET", "/me")[0];
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {}", sim.token()).as_str())
    );
    assert_eq!(req.header("origin"), Some("https://sora.chatgpt.com"));
    assert_eq!(
        req.header("user-agent"),
        Some(concat!("sora-tui/", env!("CARGO_PKG_VERSION"))),
        "its own name, not a browser's"
    );
    assert_eq!(
        req.header("openai-sentinel-token"),
        None,
        "GETs carry no sentinel"
    );
    let quota = client.quota().await.unwrap().expect("quota");
    assert!(quota.estimated_num_videos_remaining.unwrap() > 0.0);
}

#[tokio::test]
async fn text_to_video_lifecycle_and_download() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let settings = VideoSettings {
        orientation: Orientation::Portrait,
        length: Length::S15,
        ..VideoSettings::default()
    };
    let task_id = client
        .create_video("a cat on a skateboard", settings, None)
        .await
        .unwrap();
    assert!(task_id.starts_with("task_"), "{task_id}");

    let req = &requests_to(&sim, "POST", "/nf/create")[0];
    assert_eq!(
        req.json.as_ref().unwrap(),
        &json!({"kind":"video","prompt":"a cat on a skateboard","orientation":"portrait","size":"small",
            "n_frames":450,"model":"sy_8","inpaint_items":[]})
    );
    let sentinel = req.header("openai-sentinel-token").expect("sentinel sent");
    assert!(
        (10..=20).contains(&sentinel.len()) && sentinel.chars().all(|c| c.is_ascii_alphanumeric())
    );
    assert!(
        req.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );

    let (draft, seen) = wait_video(&client, &task_id).await;
    assert!(!seen.is_empty(), "the task was seen in pending");
    assert_eq!(draft.task_id.as_deref(), Some(task_id.as_str()));
    assert_eq!(draft.duration_s, Some(15.0));
    assert!(draft.height > draft.width, "portrait");
    assert_eq!(draft.verdict(), DraftVerdict::Ready);

    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("video.mp4");
    let mut last = (0, None);
    let n = client
        .download(draft.best_url().unwrap(), &dest, |done, total| {
            last = (done, total)
        })
        .await
        .unwrap();
    let bytes = std::fs::read(&dest).unwrap();
    assert_eq!(bytes.len() as u64, n);
    assert_eq!(last, (n, Some(n)));
    assert_eq!(&bytes[4..8], b"ftyp", "a real mp4");
    assert!(!sora_tui::api::part_path(&dest).exists());
    let media = sim
        .requests()
        .into_iter()
        .find(|r| r.path.starts_with("/media"))
        .expect("media fetched");
    assert_eq!(
        media.header("authorization"),
        None,
        "no token to media hosts"
    );
}

#[tokio::test]
async fn image_to_video_uploads_then_references_the_upload() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let dir = tempfile::tempdir().unwrap();
    let media_id = client.upload_image(&png_file(&dir)).await.unwrap();
    let up = &requests_to(&sim, "POST", "/uploads")[0];
    let file = up.part("file").expect("file part");
    assert_eq!(file.content_type.as_deref(), Some("image/png"));
    assert_eq!(file.file_name.as_deref(), Some("start.png"));
    assert_eq!(file.data, asset("image.png"));
    assert_eq!(up.part("file_name").unwrap().data, b"start.png");
    assert_eq!(up.header("openai-sentinel-token"), None);

    let task = client
        .create_video("it moves", VideoSettings::default(), Some(&media_id))
        .await
        .unwrap();
    let req = &requests_to(&sim, "POST", "/nf/create")[0];
    assert_eq!(
        req.json.as_ref().unwrap()["inpaint_items"],
        json!([{"kind":"upload","upload_id":media_id}])
    );
    wait_video(&client, &task).await;
}

#[tokio::test]
async fn image_generation_lifecycle() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let task = client
        .create_image("a red fox", sora_tui::api::ImageShape::Landscape, 2, None)
        .await
        .unwrap();
    let req = &requests_to(&sim, "POST", "/video_gen")[0];
    assert_eq!(
        req.json.as_ref().unwrap(),
        &json!({"type":"image_gen","operation":"simple_compose","prompt":"a red fox","width":540,"height":360,
            "n_variants":2,"n_frames":1,"inpaint_items":[]})
    );
    assert!(req.header("openai-sentinel-token").is_some());
    let gens = eventually(30, || async {
        match observe_image(&task, &client.recent_tasks(20).await.unwrap()) {
            ImageState::Done(g) => Some(g),
            ImageState::Failed(r) => panic!("{r}"),
            _ => None,
        }
    })
    .await;
    assert_eq!(gens.len(), 2);
    let url = gens[0].url.as_deref().unwrap();
    let bytes = client.fetch_media(url, 5 << 20).await.unwrap();
    assert!(sora_tui::api::filetype::FileType::sniff(&bytes).is_some_and(|t| t.is_image()));
    assert_eq!(
        requests_to(&sim, "GET", "/v2/recent_tasks")[0]
            .query
            .as_deref(),
        Some("limit=20")
    );

    // Image-to-image: remix operation with the upload referenced.
    let dir = tempfile::tempdir().unwrap();
    let media = client.upload_image(&png_file(&dir)).await.unwrap();
    client
        .create_image(
            "same, at night",
            sora_tui::api::ImageShape::Square,
            1,
            Some(&media),
        )
        .await
        .unwrap();
    let req = &requests_to(&sim, "POST", "/video_gen")[1];
    assert_eq!(req.json.as_ref().unwrap()["operation"], "remix");
    assert_eq!(
        req.json.as_ref().unwrap()["inpaint_items"],
        json!([{"type":"image","frame_index":0,"upload_media_id":media}])
    );
}

#[tokio::test]
async fn image_failure_branch() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let task = client
        .create_image("#fail please", Default::default(), 1, None)
        .await
        .unwrap();
    let reason = eventually(30, || async {
        match observe_image(&task, &client.recent_tasks(20).await.unwrap()) {
            ImageState::Failed(r) => Some(r),
            ImageState::Done(_) => panic!("should fail"),
            _ => None,
        }
    })
    .await;
    assert!(!reason.is_empty());
}

#[tokio::test]
async fn video_failure_and_violation_branches() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let failing = client
        .create_video("#fail now", VideoSettings::default(), None)
        .await
        .unwrap();
    let violating = client
        .create_video("#violation here", VideoSettings::default(), None)
        .await
        .unwrap();
    let (mut failed, mut violation) = (None, None);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while failed.is_none() || violation.is_none() {
        let pending = client.pending().await.unwrap();
        let drafts = client.drafts(30, None).await.unwrap().items;
        if let VideoState::Failed(r) = observe_video(&failing, &pending, Some(&drafts)) {
            failed.get_or_insert(r);
        }
        if let VideoState::Violation(r) = observe_video(&violating, &pending, Some(&drafts)) {
            violation.get_or_insert(r);
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "branches not observed"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(!failed.unwrap().is_empty());
    assert!(!violation.unwrap().is_empty());
}

#[tokio::test]
async fn storyboard_body_is_the_seed_body_with_the_exact_text() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let board = sora_tui::storyboard::Storyboard::from_inline(
        "A cat's adventure [5.0s]cat skydives from a plane [5.0s]cat lands",
        VideoSettings::default(),
    )
    .unwrap();
    let text = board.prompt_text();
    let task = client
        .create_storyboard(&text, board.settings)
        .await
        .unwrap();
    let req = &requests_to(&sim, "POST", "/nf/create/storyboard")[0];
    assert_eq!(
        req.json.as_ref().unwrap(),
        &json!({"kind":"video","prompt":"current timeline:\nShot 1:\nduration: 5.0sec\nScene: cat skydives from a plane\n\nShot 2:\nduration: 5.0sec\nScene: cat lands\n\ninstructions:\nA cat's adventure",
            "title":"Draft your video","orientation":"landscape","size":"small","n_frames":300,"model":"sy_8",
            "storyboard_id":null,"inpaint_items":[],"remix_target_id":null,"metadata":null,"style_id":null,
            "cameo_ids":null,"cameo_replacements":null})
    );
    assert!(req.header("openai-sentinel-token").is_some());
    wait_video(&client, &task).await;
}

#[tokio::test]
async fn publish_read_remix_unpublish() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let task = client
        .create_video("a lighthouse", VideoSettings::default(), None)
        .await
        .unwrap();
    let (draft, _) = wait_video(&client, &task).await;
    let gen_id = draft.gen_id().unwrap().to_string();

    let post = client.publish(&gen_id).await.unwrap();
    assert!(post.id.starts_with("s_"), "{}", post.id);
    let req = &requests_to(&sim, "POST", "/project_y/post")[0];
    assert_eq!(
        req.json.as_ref().unwrap(),
        &json!({"attachments_to_create":[{"generation_id":gen_id,"kind":"sora"}],"post_text":""})
    );
    assert!(req.header("openai-sentinel-token").is_some());

    let read = client.get_post(&post.id).await.unwrap();
    let clean = read.clean_source_url().expect("no-watermark source");
    let dir = tempfile::tempdir().unwrap();
    client
        .download(clean, &dir.path().join("clean.mp4"), |_, _| {})
        .await
        .unwrap();
    let drafts = client.drafts(30, None).await.unwrap().items;
    let published = drafts
        .iter()
        .find(|d| d.gen_id() == Some(gen_id.as_str()))
        .unwrap();
    assert_eq!(
        published.published_post_id().as_deref(),
        Some(post.id.as_str())
    );

    // A remix accepts the share link (on the simulator's origin) and sends the bare id.
    let remix = client
        .create_remix(
            "make it snow",
            VideoSettings::default(),
            &post.share_link(&client.share_origin()).unwrap(),
        )
        .await
        .unwrap();
    assert!(remix.starts_with("task_"));
    let req = requests_to(&sim, "POST", "/nf/create").pop().unwrap();
    assert_eq!(
        req.json.unwrap(),
        json!({"kind":"video","prompt":"make it snow","orientation":"landscape","n_frames":300,"model":"sy_8",
            "remix_target_id":post.id,"inpaint_items":[],"cameo_ids":[],"cameo_replacements":{}})
    );

    client.delete_post(&post.id).await.unwrap();
    match client.get_post(&post.id).await {
        Err(ApiError::Rejected { status: 404, .. }) => {}
        other => panic!("expected 404 after delete, got {other:?}"),
    }
    // A remix of a deleted post is refused by the server with its own message.
    let err = client
        .create_remix("again", VideoSettings::default(), &post.id)
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Rejected { .. }), "{err:?}");
}

#[tokio::test]
async fn cameo_round_trip() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let dir = tempfile::tempdir().unwrap();
    let mp4 = dir.path().join("me.mp4");
    std::fs::write(&mp4, asset("sample.mp4")).unwrap();

    let cameo_id = client.upload_cameo_video(&mp4, (0.0, 3.0)).await.unwrap();
    let up = &requests_to(&sim, "POST", "/characters/upload")[0];
    let file = up.part("file").unwrap();
    assert_eq!(file.file_name.as_deref(), Some("video.mp4"));
    assert_eq!(file.content_type.as_deref(), Some("video/mp4"));
    assert_eq!(file.data, asset("sample.mp4"));
    assert_eq!(up.part("timestamps").unwrap().data, b"0,3");

    let progress = eventually(30, || async {
        let p = client.cameo_progress(&cameo_id).await.unwrap();
        match p.phase() {
            CameoPhase::Completed => Some(p),
            CameoPhase::Failed(r) => panic!("{r}"),
            CameoPhase::Processing(_) => None,
        }
    })
    .await;
    let username = progress.username_hint.clone().expect("username hint");
    let display = progress
        .display_name_hint
        .clone()
        .expect("display name hint");
    let avatar = client
        .fetch_media(progress.profile_asset_url.as_deref().unwrap(), 5 << 20)
        .await
        .unwrap();
    let pointer = client.upload_profile_image(avatar.clone()).await.unwrap();
    assert!(pointer.starts_with("sediment://"), "{pointer}");
    let up = &requests_to(&sim, "POST", "/project_y/file/upload")[0];
    assert_eq!(up.part("use_case").unwrap().data, b"profile");
    let file = up.part("file").unwrap();
    assert_eq!(file.file_name.as_deref(), Some("profile.webp"));
    assert_eq!(file.content_type.as_deref(), Some("image/webp"));
    assert_eq!(file.data, avatar.to_vec());

    let character = client
        .finalize_cameo(&cameo_id, &username, &display, &pointer)
        .await
        .unwrap();
    assert_eq!(
        requests_to(&sim, "POST", "/characters/finalize")[0]
            .json
            .as_ref()
            .unwrap(),
        &json!({"cameo_id":cameo_id,"username":username,"display_name":display,"profile_asset_pointer":pointer,
            "instruction_set":null,"safety_instruction_set":null})
    );
    client.set_cameo_visibility(&cameo_id, true).await.unwrap();
    let vis = requests_to(
        &sim,
        "POST",
        &format!("/project_y/cameos/by_id/{cameo_id}/update_v2"),
    );
    assert_eq!(
        vis[0].json.as_ref().unwrap(),
        &json!({"visibility":"public"})
    );
    client.set_cameo_visibility(&cameo_id, false).await.unwrap();

    // The same username again is taken.
    let second = client.upload_cameo_video(&mp4, (0.0, 3.0)).await.unwrap();
    eventually(30, || async {
        (client.cameo_progress(&second).await.unwrap().phase() == CameoPhase::Completed)
            .then_some(())
    })
    .await;
    let err = client
        .finalize_cameo(&second, &username, "Other", &pointer)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("username_taken"), "{err:?}");

    client.delete_character(&character).await.unwrap();
    assert_eq!(
        requests_to(
            &sim,
            "DELETE",
            &format!("/project_y/characters/{character}")
        )
        .len(),
        1
    );
}

#[tokio::test]
async fn cameo_failure_branch() {
    let sim = start_sim(|_| {}).await;
    sim.set_cameo_outcome(sora_tui::sim::CameoOutcome::Fail);
    let client = client_for(&sim);
    let dir = tempfile::tempdir().unwrap();
    let mp4 = dir.path().join("me.mp4");
    std::fs::write(&mp4, asset("sample.mp4")).unwrap();
    let id = client.upload_cameo_video(&mp4, (0.0, 3.0)).await.unwrap();
    let reason = eventually(30, || async {
        match client.cameo_progress(&id).await.unwrap().phase() {
            CameoPhase::Failed(r) => Some(r),
            CameoPhase::Completed => panic!("should fail"),
            CameoPhase::Processing(_) => None,
        }
    })
    .await;
    assert!(!reason.is_empty());
}

#[tokio::test]
async fn uploads_are_checked_by_content_before_sending() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("photo.png");
    std::fs::write(&fake, b"this is text, not a picture").unwrap();
    let err = client.upload_image(&fake).await.unwrap_err();
    assert!(matches!(err, ApiError::InvalidInput(_)), "{err:?}");
    assert!(err.to_string().contains("checked by its content"), "{err}");
    let err = client
        .upload_cameo_video(&png_file(&dir), (0.0, 3.0))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("MP4"), "{err}");
    assert!(sim.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn pending_and_drafts_fall_back_to_v2_on_404() {
    use sora_tui::sim::{Fault, FaultRule};
    let sim = start_sim(|c| c.seed_drafts = 3).await;
    let client = client_for(&sim);
    for path in ["/nf/pending", "/project_y/profile/drafts"] {
        sim.inject(FaultRule {
            method: None,
            path: path.into(),
            fault: Fault::Gone404,
            times: Some(1),
        });
    }
    client.pending().await.unwrap();
    client.pending().await.unwrap();
    assert_eq!(client.drafts(15, None).await.unwrap().items.len(), 3);
    client.drafts(15, None).await.unwrap();
    let paths: Vec<String> = sim.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/nf/pending",
            "/nf/pending/v2",
            "/nf/pending/v2",
            "/project_y/profile/drafts",
            "/project_y/profile/drafts/v2",
            "/project_y/profile/drafts/v2"
        ]
    );
}

#[tokio::test]
async fn drafts_paginate_with_the_cursor() {
    let sim = start_sim(|c| c.seed_drafts = 37).await;
    let client = client_for(&sim);
    let mut cursor = None;
    let mut ids = Vec::new();
    loop {
        let page = client.drafts(10, cursor.as_deref()).await.unwrap();
        ids.extend(page.items.iter().map(|d| d.gen_id().unwrap().to_string()));
        cursor = page.cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(ids.len(), 37);
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), 37);
    let reqs = requests_to(&sim, "GET", "/project_y/profile/drafts");
    assert_eq!(reqs.len(), 4);
    assert!(reqs[1].query.as_deref().unwrap().contains("cursor="));
}

#[tokio::test]
async fn fourth_concurrent_video_is_rate_limited() {
    let sim = start_sim(|c| c.speed = 1.0).await;
    let client = client_for(&sim);
    for i in 0..3 {
        client
            .create_video(&format!("video {i}"), VideoSettings::default(), None)
            .await
            .unwrap();
    }
    let err = client
        .create_video("one too many", VideoSettings::default(), None)
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::RateLimited { .. }), "{err:?}");
}

#[tokio::test]
async fn pro_options_are_refused_on_a_plus_plan_with_the_servers_message() {
    let sim = start_sim(|c| c.pro_plan = false).await;
    let client = client_for(&sim);
    let settings = VideoSettings {
        length: Length::S25,
        model: Model::SyOre,
        size: Size::Large,
        ..VideoSettings::default()
    };
    let err = client
        .create_video("long", settings, None)
        .await
        .unwrap_err();
    let ApiError::Rejected {
        status: 400,
        message,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert!(!message.is_empty());
    assert!(err.to_string().contains(message.as_str()));
}

#[tokio::test]
async fn a_wrong_token_is_an_auth_error() {
    let sim = start_sim(|_| {}).await;
    let client = client_with(&sim, |c| {
        c.token = sora_tui::api::AccessToken::new("not-the-token").unwrap()
    });
    let err = client.me().await.unwrap_err();
    assert!(matches!(err, ApiError::Auth { .. }), "{err:?}");
    assert!(err.to_string().contains("new token"));
}

#[tokio::test]
async fn a_sentinel_command_supplies_the_header() {
    let sim = start_sim(|_| {}).await;
    let client = client_with(&sim, |c| {
        c.sentinel = sora_tui::api::SentinelProvider::Command("echo proof-of-work-token-42".into())
    });
    client
        .create_video("x", VideoSettings::default(), None)
        .await
        .unwrap();
    let req = &requests_to(&sim, "POST", "/nf/create")[0];
    assert_eq!(
        req.header("openai-sentinel-token"),
        Some("proof-of-work-token-42")
    );
}

#[tokio::test]
async fn the_token_stays_out_of_debug_and_errors() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let shown = format!("{client:?}");
    assert!(!shown.contains(&sim.token()), "{shown}");
    let err = client.get_post("s_missing").await.unwrap_err();
    assert!(!format!("{err:?} {err}").contains(&sim.token()));
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused() {
    let config = sora_tui::api::ClientConfig::new(
        "http://sora.example.com/backend",
        sora_tui::api::AccessToken::new("secret-token-value").unwrap(),
    );
    let err = Client::new(config).unwrap_err();
    assert!(matches!(err, ApiError::InsecureUrl(_)));
    assert!(err.to_string().contains("use https"));
    let _ = Duration::ZERO;
}
