//! Extending a draft (`long_video_extension`) end to end against the simulator: the body as
//! the simulator received it, its refusals, the worker's task and history entry, and the
//! headless `extend` command run as the built binary.

// Tests may unwrap (a panic is the failure report).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::bin::{cli_command, output_within};
use common::harness::{WorkerHarness, fast_config};
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sora_tui::api::{Draft, ExtensionLength};
use sora_tui::history::{HISTORY_FILE, HistoryEntry};
use sora_tui::sim::{PLUS_TOKEN, Sim};
use sora_tui::store::Store;
use sora_tui::track::TaskPhase;
use sora_tui::worker::{Event, ExtendRequest, Request, TaskEvent};

fn extension_path(gen_id: &str) -> String {
    format!("/project_y/profile/drafts/{gen_id}/long_video_extension")
}

/// The finished draft the task `task_id` made.
async fn draft_of(sim: &Sim, task_id: &str) -> Draft {
    let client = client_for(sim);
    eventually(30, || async {
        let drafts = client.drafts(30, None).await.ok()?.items;
        drafts
            .into_iter()
            .find(|d| d.task_id.as_deref() == Some(task_id) && d.best_url().is_some())
    })
    .await
}

#[tokio::test]
async fn the_body_as_received_and_the_new_draft_names_its_parent() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let parent = ready_draft(&client, "an owl on a branch").await;
    let parent_id = parent.gen_id().unwrap().to_string();
    let task = client
        .extend_draft(&parent_id, "the owl takes off", ExtensionLength::S15)
        .await
        .unwrap();
    assert!(task.starts_with("task_"), "{task}");

    let sent = requests_to(&sim, "POST", &extension_path(&parent_id));
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].json,
        Some(
            json!({"user_prompt": "the owl takes off", "extension_duration_s": 15, "enable_rewrite": true})
        )
    );
    assert!(
        sent[0]
            .headers
            .iter()
            .any(|(k, v)| k == "openai-sentinel-token" && !v.is_empty()),
        "sent with the sentinel"
    );

    // Tracked like any video: pending, then a draft 15 s longer that names its parent.
    let child = draft_of(&sim, &task).await;
    assert_eq!(
        child.extension_parent().as_deref(),
        Some(parent_id.as_str())
    );
    assert_eq!(child.duration_s, parent.duration_s.map(|d| d + 15.0));
    assert_eq!(parent.extension_parent(), None);
}

#[tokio::test]
async fn unknown_drafts_are_404_and_other_lengths_400() {
    let sim = start_sim(|_| {}).await;
    let parent = ready_draft(&client_for(&sim), "a fox").await;
    let parent_id = parent.gen_id().unwrap().to_string();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let post = |token: String, path: String, body: Value| {
        let http = http.clone();
        let url = format!("{}{path}", sim.base_url());
        async move {
            let r = http
                .post(url)
                .bearer_auth(token)
                .header("openai-sentinel-token", "abcdefghij0123")
                .json(&body)
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let body =
        |s: u64| json!({"user_prompt": "more", "extension_duration_s": s, "enable_rewrite": true});

    let (status, err) = post(sim.token(), extension_path("gen_nope"), body(10)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(err["error"]["message"].is_string(), "{err}");
    // Another account's draft is not found either.
    let (status, _) = post(PLUS_TOKEN.into(), extension_path(&parent_id), body(10)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for bad in [0, 5, 12, 25] {
        let (status, err) = post(sim.token(), extension_path(&parent_id), body(bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(err["error"]["param"], "extension_duration_s", "{err}");
    }
    let (status, ok) = post(sim.token(), extension_path(&parent_id), body(10)).await;
    assert_eq!(status, StatusCode::OK, "{ok}");
}

#[tokio::test]
async fn the_worker_tracks_an_extension_like_a_video_and_records_its_parent() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let parent = ready_draft(&client_for(&sim), "a lighthouse at dusk").await;
    let parent_id = parent.gen_id().unwrap().to_string();
    let mut h = WorkerHarness::start(
        client_for(&sim),
        Store::new(dir.path().join("data")),
        fast_config(),
    );
    h.send(Request::Extend(ExtendRequest {
        local_id: 7,
        gen_id: parent_id.clone(),
        prompt: "the light turns on".into(),
        length: ExtensionLength::S10,
    }))
    .await;
    let record = h
        .expect("the extension's answer", |e| match e {
            Event::Tasks(TaskEvent::Submitted {
                local_id: 7,
                record,
            }) => Some(record.clone()),
            Event::Tasks(TaskEvent::SubmitFailed { local_id: 7, error }) => {
                panic!("the extension failed: {error}")
            }
            _ => None,
        })
        .await;
    assert!(record.settings.contains(&parent_id), "{}", record.settings);
    assert_eq!(record.prompt, "the light turns on");
    let sent = requests_to(&sim, "POST", &extension_path(&parent_id));
    assert_eq!(sent[0].json.as_ref().unwrap()["extension_duration_s"], 10);

    let task_id = record.task_id.clone();
    let gen_ids = h
        .expect("the extension to finish", |e| match e {
            Event::Tasks(TaskEvent::TaskChanged(r)) if r.task_id == task_id => match &r.phase {
                TaskPhase::Done { generation_ids, .. } => Some(generation_ids.clone()),
                p if !p.is_unfinished() => panic!("the extension ended as {p:?}"),
                _ => None,
            },
            _ => None,
        })
        .await;
    let child = draft_of(&sim, &task_id).await;
    assert_eq!(gen_ids, vec![child.gen_id().unwrap().to_string()]);
    assert_eq!(
        child.extension_parent().as_deref(),
        Some(parent_id.as_str())
    );
    let data = h.store.clone();
    h.shutdown().await;

    let entries: Vec<HistoryEntry> = data.load(HISTORY_FILE).unwrap().expect("history.json");
    let entry = entries
        .iter()
        .find(|e| e.key == task_id)
        .expect("an entry for the extension");
    assert_eq!(entry.extension_of.as_deref(), Some(parent_id.as_str()));
    assert_eq!(entry.prompt.as_deref(), Some("the light turns on"));
}

#[tokio::test]
async fn headless_extend_waits_and_downloads() {
    let sim = start_sim(|_| {}).await;
    let parent = ready_draft(&client_for(&sim), "a paper boat").await;
    let parent_id = parent.gen_id().unwrap().to_string();
    let home = tempfile::tempdir().unwrap();
    let out_dir = home.path().join("out");
    let mut cmd = cli_command(&sim, home.path());
    cmd.args([
        "extend",
        &parent_id,
        "the boat drifts away",
        "--length",
        "15",
        "--download",
        out_dir.to_str().unwrap(),
    ]);
    let out = output_within(cmd, 60).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("submitted task_"), "{stdout}");
    assert!(stdout.contains("done gen_"), "{stdout}");
    let sent = requests_to(&sim, "POST", &extension_path(&parent_id));
    assert_eq!(
        sent[0].json,
        Some(
            json!({"user_prompt": "the boat drifts away", "extension_duration_s": 15, "enable_rewrite": true})
        )
    );
    let files: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "mp4"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(Path::new(&files[0]).metadata().unwrap().len() > 0);
}

#[tokio::test]
async fn headless_extend_refuses_bad_input_before_sending() {
    let sim = start_sim(|_| {}).await;
    let run = |args: &'static [&'static str]| {
        let home = tempfile::tempdir().unwrap();
        let mut cmd = cli_command(&sim, home.path());
        cmd.args(args);
        async move {
            let out = output_within(cmd, 30).await;
            drop(home);
            out
        }
    };
    let out = run(&["extend", "gen_1", "more", "--length", "12"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--length"));
    let out = run(&["extend", "../me", "more"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("generation id"));
    let out = run(&["extend", "gen_unknown", "more"]).await;
    assert_eq!(out.status.code(), Some(5), "the service's 404 is a refusal");
    assert!(
        sim.requests()
            .iter()
            .all(|r| !r.path.contains("../") && !r.path.ends_with("/me/long_video_extension")),
        "nothing invalid was sent"
    );
}
