//! The client's time limits against the simulator at speed 1, the live service's pace, on
//! tokio's paused clock. The simulator, the worker and the test all read that clock, and it
//! moves only when every one of them waits on a timer: the three minutes a real 10 s video
//! takes pass in a moment of wall time, while each bound applies exactly as against the live
//! service. (`video --wait` is covered the same way in `src/cli/headless/wait_tests.rs`.)

// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use sora_tui::api::{Length, Model, Size, VideoSettings};
use sora_tui::store::Store;
use sora_tui::track::{TaskPhase, TaskRecord};
use sora_tui::worker::{self, Event, Request, Submission, SubmissionKind, TaskEvent, WorkerConfig};
use tokio::time::Instant;

/// Far beyond any video's timeline: only a worker that stopped polling gets here.
const NEVER: Duration = Duration::from_secs(3600);

/// Submits one video to a worker with its real (default) pacing and follows it to the end;
/// returns its last record and the statuses it showed, in order, without repeats.
async fn follow(prompt: &str, settings: VideoSettings) -> (TaskRecord, Vec<String>) {
    let sim = start_sim(|c| c.speed = 1.0).await;
    let dir = tempfile::tempdir().unwrap();
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let (requests, handle) = worker::spawn(
        client_for(&sim),
        Store::new(dir.path().join("data")),
        WorkerConfig::default(),
        tx,
    );
    requests
        .send(Request::Submit(Submission {
            local_id: 1,
            prompt: prompt.into(),
            kind: SubmissionKind::Video {
                settings,
                remix: None,
            },
            image: None,
        }))
        .await
        .unwrap();
    let deadline = Instant::now() + NEVER;
    let mut task_id = None;
    let mut statuses: Vec<String> = Vec::new();
    let last = loop {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .expect("the worker kept polling")
            .expect("the worker is running");
        match event {
            Event::Tasks(TaskEvent::Submitted { record, .. }) => task_id = Some(record.task_id),
            Event::Tasks(TaskEvent::SubmitFailed { error, .. }) => panic!("submit failed: {error}"),
            Event::Tasks(TaskEvent::TaskChanged(r)) if Some(&r.task_id) == task_id.as_ref() => {
                if let TaskPhase::Working { status, .. } = &r.phase
                    && statuses.last() != Some(status)
                {
                    statuses.push(status.clone());
                }
                if !r.phase.is_unfinished() {
                    break r;
                }
            }
            _ => {}
        }
    };
    let _ = requests.send(Request::Shutdown).await;
    handle.await.unwrap();
    sim.shutdown().await;
    (last, statuses)
}

#[tokio::test(start_paused = true)]
async fn a_ten_second_video_at_the_live_pace_is_followed_to_its_draft() {
    let (last, statuses) = follow("a lighthouse at dusk", VideoSettings::default()).await;
    assert!(matches!(last.phase, TaskPhase::Done { .. }), "{last:?}");
    // The live order. The worker's own "finishing" (gone from pending, no draft yet) shows
    // only when a poll falls into those few seconds, which its slowing pace may skip.
    let live: Vec<&str> = statuses
        .iter()
        .map(String::as_str)
        .filter(|s| *s != "finishing")
        .collect();
    assert!(
        live.ends_with(&["queued", "running", "processing"]),
        "{statuses:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_slowest_video_at_the_live_pace_is_followed_to_its_draft() {
    let (last, _) = follow(
        "a lighthouse at dusk",
        VideoSettings {
            length: Length::S25,
            model: Model::SyOre,
            size: Size::Large,
            ..VideoSettings::default()
        },
    )
    .await;
    assert!(matches!(last.phase, TaskPhase::Done { .. }), "{last:?}");
}

// `#nourl`: the draft is listed without its media links for its first three reads, so the
// task spends several polls (2 s apart or more) past the live ~4 s between leaving pending
// and a usable draft; the worker keeps waiting.
#[tokio::test(start_paused = true)]
async fn a_draft_late_with_its_link_is_waited_for() {
    let (last, _) = follow("a lighthouse at dusk #nourl", VideoSettings::default()).await;
    assert!(matches!(last.phase, TaskPhase::Done { .. }), "{last:?}");
}

/// Where a task is: its status in pending, or "draft" once the drafts list has it.
async fn where_is(client: &sora_tui::api::Client, task_id: &str) -> String {
    let pending = client.pending().await.unwrap();
    if let Some(t) = pending.iter().find(|t| t.id == task_id) {
        return t.status.clone();
    }
    let drafts = client.drafts(30, None).await.unwrap().items;
    if drafts.iter().any(|d| d.task_id.as_deref() == Some(task_id)) {
        "draft".into()
    } else {
        "gone".into()
    }
}

// `--speed` multiplies the whole timeline: at speed 10 the 45 s queue is 4.5 s and the draft
// of a 10 s video, due at 2.5-3 minutes at speed 1, is there after 19 s.
#[tokio::test(start_paused = true)]
async fn speed_scales_the_whole_timeline() {
    let sim = start_sim(|c| c.speed = 10.0).await;
    let client = client_for(&sim);
    let start = Instant::now();
    let task_id = client
        .create_video("a cat", VideoSettings::default(), None)
        .await
        .unwrap();
    let at = |secs: f64| start + Duration::from_secs_f64(secs);
    tokio::time::sleep_until(at(1.0)).await;
    assert_eq!(where_is(&client, &task_id).await, "queued");
    tokio::time::sleep_until(at(8.0)).await;
    assert_eq!(where_is(&client, &task_id).await, "running");
    tokio::time::sleep_until(at(19.0)).await;
    assert_eq!(where_is(&client, &task_id).await, "draft");
    sim.shutdown().await;
}
