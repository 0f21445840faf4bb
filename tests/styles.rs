//! Style presets (`style_id`) end to end against the simulator: the create bodies as the
//! simulator received them with and without a style, what the simulator records in the
//! draft, and the headless `--style` flag run as the built binary.

// Tests may unwrap (a panic is the failure report).
#![allow(clippy::unwrap_used)]

mod common;

use common::bin::{cli_command, output_within};
use common::*;
use serde_json::{Value, json};
use sora_tui::api::{StyleId, VideoSettings};
use sora_tui::sim::Sim;

const BOARD: &str = "current timeline:\nShot 1:\nduration: 10.0sec\nScene: a cat\n";

/// The JSON body of the only `POST path` the simulator received, then forgets them all.
fn received(sim: &Sim, path: &str) -> Value {
    let sent = requests_to(sim, "POST", path);
    assert_eq!(sent.len(), 1, "one POST {path}");
    sim.clear_requests();
    sent[0].json.clone().expect("a JSON body")
}

/// The draft list's raw item for `task_id`, once it is there.
async fn raw_draft(sim: &Sim, task_id: &str) -> Value {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = format!("{}/project_y/profile/drafts?limit=30", sim.base_url());
    eventually(30, || async {
        let body: Value = http
            .get(&url)
            .bearer_auth(sim.token())
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        body["items"]
            .as_array()?
            .iter()
            .find(|d| d["task_id"] == task_id)
            .cloned()
    })
    .await
}

#[tokio::test]
async fn style_id_is_sent_only_when_set() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let plain = VideoSettings::default();
    let anime = VideoSettings {
        style: Some(StyleId::Anime),
        ..VideoSettings::default()
    };

    // Without a style, the body is the one sent before styles existed: no `style_id` key.
    let t0 = client.create_video("a cat", plain, None).await.unwrap();
    let body = received(&sim, "/nf/create");
    assert_eq!(
        body,
        json!({"kind":"video","prompt":"a cat","orientation":"landscape","size":"small",
            "n_frames":300,"model":"sy_8","inpaint_items":[]})
    );
    let t1 = client.create_video("a cat", anime, None).await.unwrap();
    let body = received(&sim, "/nf/create");
    assert_eq!(body["style_id"], "anime");
    assert_eq!(body.as_object().unwrap().len(), 8, "one key more: {body}");

    // The simulator keeps it in the draft's `creation_config.style`.
    let styled = raw_draft(&sim, &t1).await;
    assert_eq!(styled["creation_config"]["style"]["id"], "anime");
    let unstyled = raw_draft(&sim, &t0).await;
    assert_eq!(unstyled["creation_config"]["style"], Value::Null);

    // (Both are drafts now, so the storyboards below have free slots.)

    // The storyboard body always had `style_id`: null without a style.
    client.create_storyboard(BOARD, plain).await.unwrap();
    assert_eq!(
        received(&sim, "/nf/create/storyboard")["style_id"],
        Value::Null
    );
    let high_def = VideoSettings {
        style: Some(StyleId::HighDef),
        ..VideoSettings::default()
    };
    client.create_storyboard(BOARD, high_def).await.unwrap();
    assert_eq!(
        received(&sim, "/nf/create/storyboard")["style_id"],
        "high_def"
    );
}

#[tokio::test]
async fn the_simulator_takes_a_style_it_does_not_know() {
    let sim = start_sim(|_| {}).await;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let r = http
        .post(format!("{}/nf/create", sim.base_url()))
        .bearer_auth(sim.token())
        .header("openai-sentinel-token", "abcdefghij0123")
        .json(
            &json!({"kind":"video","prompt":"a cat","orientation":"landscape","size":"small",
            "n_frames":300,"model":"sy_8","inpaint_items":[],"style_id":"vaporwave"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let task: Value = r.json().await.unwrap();
    let draft = raw_draft(&sim, task["id"].as_str().unwrap()).await;
    assert_eq!(draft["creation_config"]["style"]["id"], "vaporwave");
}

#[tokio::test]
async fn headless_style_flag_is_sent_and_checked() {
    let sim = start_sim(|_| {}).await;
    let home = tempfile::tempdir().unwrap();
    let run = |args: Vec<String>| {
        let mut cmd = cli_command(&sim, home.path());
        cmd.args(args);
        output_within(cmd, 30)
    };
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();

    let out = run(args(&["video", "a cat", "--style", "kpop"])).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(received(&sim, "/nf/create")["style_id"], "kpop");
    let out = run(args(&["video", "a cat"])).await;
    assert!(out.status.success());
    assert!(received(&sim, "/nf/create").get("style_id").is_none());

    let file = home.path().join("cat.storyboard.toml");
    std::fs::write(
        &file,
        "version = 1\nlength = 10\n\n[[shot]]\nduration = 10.0\nscene = \"a cat\"\n",
    )
    .unwrap();
    let board = file.to_str().unwrap();
    let out = run(args(&["storyboard", board, "--style", "sitcom"])).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        received(&sim, "/nf/create/storyboard")["style_id"],
        "sitcom"
    );

    // An unknown id is a usage error naming the valid ones, and nothing is sent.
    for cmd in [
        args(&["video", "a cat", "--style", "vaporwave"]),
        args(&["storyboard", board, "--style", "vaporwave"]),
    ] {
        let out = run(cmd).await;
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("vaporwave") && err.contains("anime") && err.contains("high_def"),
            "{err}"
        );
    }
    assert!(sim.requests().iter().all(|r| r.method != "POST"));
}
