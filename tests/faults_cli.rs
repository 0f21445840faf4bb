//! The headless commands share the worker's reconciliation: a create whose answer was lost is
//! found on the server and adopted, never sent twice; one that surely failed is reported.

// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Output;

use common::bin::run_cli as run;
use common::*;
use sora_tui::sim::{Fault, FaultRule};

fn once(path: &str, fault: Fault) -> FaultRule {
    FaultRule {
        method: Some("POST".into()),
        path: path.into(),
        fault,
        times: Some(1),
    }
}

fn events(out: &Output, name: &str) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["event"] == name)
        .collect()
}

#[tokio::test]
async fn headless_video_adopts_a_task_whose_answer_was_cut() {
    let sim = start_sim(|c| c.speed = 40.0).await;
    sim.inject(once("/nf/create", Fault::TruncatedBody));
    let out = run(&sim, &["video", "a cut answer", "--json"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let submitted = events(&out, "submitted");
    let pending = client_for(&sim).pending().await.unwrap();
    assert_eq!(pending.len(), 1, "exactly one task exists");
    assert_eq!(submitted[0]["task_id"], pending[0].id.as_str());
    assert_eq!(events(&out, "adopted").len(), 1);
    assert_eq!(requests_to(&sim, "POST", "/nf/create").len(), 1);
}

#[tokio::test]
async fn headless_image_adopts_a_task_whose_answer_was_cut() {
    let sim = start_sim(|c| c.speed = 5.0).await;
    sim.inject(once("/video_gen", Fault::TruncatedBody));
    let out = run(&sim, &["image", "a cut image", "--json"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recent = client_for(&sim).recent_tasks(50).await.unwrap();
    assert_eq!(recent.len(), 1, "exactly one task exists");
    assert_eq!(
        events(&out, "submitted")[0]["task_id"],
        recent[0].id.as_str()
    );
    assert_eq!(requests_to(&sim, "POST", "/video_gen").len(), 1);
}

#[tokio::test]
async fn headless_create_reset_is_reported_not_resent() {
    let sim = start_sim(|_| {}).await;
    sim.inject(once("/nf/create", Fault::ConnectionReset));
    let out = run(&sim, &["video", "a reset", "--json"]).await;
    assert!(!out.status.success());
    assert_eq!(events(&out, "error")[0]["class"], "network");
    assert_eq!(requests_to(&sim, "POST", "/nf/create").len(), 1);
    assert!(client_for(&sim).pending().await.unwrap().is_empty());
}

/// `video --wait` whose create went through on the server but was answered with `answer`:
/// the command adopts the task the server made, sends no second create and ends with that
/// task's real generation.
async fn headless_video_adopts_a_processed_create(answer: Fault) {
    let sim = start_sim(|c| c.speed = 40.0).await;
    let fault = Fault::ProcessedThen {
        then: Box::new(answer),
    };
    sim.inject(once("/nf/create", fault));
    let out = run(&sim, &["video", "an unanswered create", "--wait", "--json"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(requests_to(&sim, "POST", "/nf/create").len(), 1);
    let drafts = client_for(&sim).drafts(30, None).await.unwrap().items;
    assert_eq!(drafts.len(), 1, "exactly one generation exists");
    let task_id = drafts[0].task_id.clone().expect("the draft names its task");
    assert_eq!(events(&out, "adopted")[0]["task_id"], task_id.as_str());
    assert_eq!(events(&out, "submitted")[0]["task_id"], task_id.as_str());
    let done = events(&out, "done");
    assert_eq!(done.len(), 1, "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(done[0]["task_id"], task_id.as_str());
    assert_eq!(done[0]["generation_id"], drafts[0].gen_id().unwrap());
}

#[tokio::test]
async fn headless_video_adopts_a_created_task_answered_with_500() {
    headless_video_adopts_a_processed_create(Fault::ServerError).await;
}

#[tokio::test]
async fn headless_video_adopts_a_created_task_answered_with_invalid_json() {
    headless_video_adopts_a_processed_create(Fault::InvalidJson).await;
}
