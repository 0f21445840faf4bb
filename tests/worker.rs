//! The background worker against the simulator: submissions are recorded before they are
//! announced and tracked to the end by one shared poll, the poll stays within its budget and
//! goes quiet when idle, faults are ridden out, downloads, publishing and the prompt autosave.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::harness::{WAIT, WorkerHarness, fast_config};
use common::*;
use sora_tui::api::{ApiError, Draft, ImageShape, VideoSettings};
use sora_tui::sim::{Fault, FaultRule, Sim};
use sora_tui::store::Store;
use sora_tui::track::{TaskKind, TaskPhase, TaskRecord};
use sora_tui::worker::{
    DraftsEvent, DraftsRequest, Event, PromptSnapshot, Request, Submission, SubmissionKind,
    TaskEvent, WorkerConfig,
};

/// A running worker over a store, with every event it sent kept for inspection.
struct Harness(WorkerHarness);

deref_to_harness!(Harness => WorkerHarness);

impl Harness {
    fn start(sim: &Sim, dir: &Path, config: WorkerConfig) -> Harness {
        Harness(WorkerHarness::start(
            client_for(sim),
            Store::new(dir.join("data")),
            config,
        ))
    }

    async fn submit(&mut self, local_id: u64, prompt: &str, kind: SubmissionKind) -> TaskRecord {
        self.submit_and_wait(Submission {
            local_id,
            prompt: prompt.into(),
            kind,
            image: None,
        })
        .await
        .unwrap_or_else(|error| panic!("submit {local_id} failed: {error}"))
    }

    /// Waits until `task_id` is finished and returns its last record.
    async fn finished(&mut self, task_id: &str) -> TaskRecord {
        self.expect("the task to finish", |e| match e {
            Event::Tasks(TaskEvent::TaskChanged(r))
                if r.task_id == task_id && !r.phase.is_unfinished() =>
            {
                Some(r.clone())
            }
            _ => None,
        })
        .await
    }

    async fn shutdown(self) -> Vec<Event> {
        self.0.shutdown().await
    }

    fn saved_tasks(&self) -> Vec<TaskRecord> {
        self.store
            .load::<Vec<TaskRecord>>("tasks.json")
            .expect("tasks.json reads")
            .unwrap_or_default()
    }
}

fn video() -> SubmissionKind {
    SubmissionKind::Video {
        settings: VideoSettings::default(),
        remix: None,
    }
}

fn image(variants: u32) -> SubmissionKind {
    SubmissionKind::Image {
        shape: ImageShape::Square,
        variants,
    }
}

fn count(sim: &Sim, method: &str, path: &str) -> usize {
    requests_to(sim, method, path).len()
}

/// Runs a video to the end and returns its draft, as the worker's drafts page showed it.
async fn finished_video(h: &mut Harness, prompt: &str) -> Draft {
    let record = h.submit(1, prompt, video()).await;
    let done = h.finished(&record.task_id).await;
    assert!(matches!(done.phase, TaskPhase::Done { .. }), "{done:?}");
    let task_id = record.task_id.clone();
    h.expect("the drafts page with the new draft", move |e| match e {
        Event::Drafts(DraftsEvent::DraftsLoaded { page, first: true }) => page
            .items
            .iter()
            .find(|d| d.task_id.as_deref() == Some(task_id.as_str()))
            .cloned(),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn video_is_recorded_before_submitted_and_tracked_to_done() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::start(&sim, dir.path(), fast_config());
    let restored = h
        .expect("Restored", |e| match e {
            Event::Restored {
                tasks,
                prompt,
                warnings,
            } => Some((tasks.clone(), prompt.clone(), warnings.clone())),
            _ => None,
        })
        .await;
    assert_eq!(restored, (vec![], None, vec![]));
    assert!(
        matches!(h.seen[0], Event::Restored { .. }),
        "Restored comes first"
    );

    let record = h.submit(7, "a cat on a skateboard", video()).await;
    // Recorded before the UI heard of it.
    let saved = h.saved_tasks();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].task_id, record.task_id);
    assert!(record.task_id.starts_with("task_"), "{record:?}");
    assert_eq!(record.kind, TaskKind::Video);
    assert_eq!(record.settings, "landscape · 10 s · Sora 2 · standard");
    assert_eq!(
        record.phase,
        TaskPhase::Working {
            status: "submitted".into(),
            progress: 0.0
        }
    );
    assert!(record.submitted_at > 1.7e9);

    let done = h.finished(&record.task_id).await;
    let TaskPhase::Done {
        generation_ids,
        urls,
    } = &done.phase
    else {
        panic!("not done: {done:?}");
    };
    assert_eq!(generation_ids.len(), 1);
    assert!(generation_ids[0].starts_with("gen_"));
    assert!(urls.is_empty());
    assert!(done.finished_at.is_some());

    // On the way: status words and progress that never went backwards.
    let mut statuses = Vec::new();
    let mut last = 0.0;
    for e in &h.seen {
        if let Event::Tasks(TaskEvent::TaskChanged(TaskRecord {
            phase: TaskPhase::Working { status, progress },
            ..
        })) = e
        {
            assert!(*progress >= last, "progress went back: {:#?}", h.seen);
            last = *progress;
            statuses.push(status.clone());
        }
    }
    assert!(!statuses.is_empty(), "progress was reported: {:#?}", h.seen);

    let gen_id = generation_ids[0].clone();
    let task_id = record.task_id.clone();
    let draft = h
        .expect("the drafts page", |e| match e {
            Event::Drafts(DraftsEvent::DraftsLoaded { page, first: true }) => page
                .items
                .iter()
                .find(|d| d.task_id.as_deref() == Some(task_id.as_str()))
                .cloned(),
            _ => None,
        })
        .await;
    assert_eq!(draft.gen_id(), Some(gen_id.as_str()));
    assert_eq!(
        h.saved_tasks()[0].phase,
        done.phase,
        "the end is written down"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn images_and_failures_end_in_the_right_phase() {
    // Images at their usual test pace (about 0.1 s): an image finished before the last
    // submission is answered would be seen only while waiting for that answer.
    let sim = start_sim(|c| c.speed = 100.0).await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::start(&sim, dir.path(), fast_config());
    let img = h.submit(1, "two foxes", image(2)).await;
    assert_eq!(img.settings, "square · 2 images");
    let bad_img = h.submit(2, "a fox #fail", image(1)).await;
    let blocked = h.submit(3, "a video #violation", video()).await;
    let failed = h.submit(4, "a video #fail", video()).await;

    let mut ends = std::collections::HashMap::new();
    while ends.len() < 4 {
        let r = h
            .expect("a task to finish", |e| match e {
                Event::Tasks(TaskEvent::TaskChanged(r)) if !r.phase.is_unfinished() => {
                    Some(r.clone())
                }
                _ => None,
            })
            .await;
        ends.insert(r.task_id.clone(), r.phase);
    }
    let TaskPhase::Done {
        generation_ids,
        urls,
    } = &ends[&img.task_id]
    else {
        panic!("image: {:?}", ends[&img.task_id]);
    };
    assert_eq!(generation_ids.len(), 2);
    assert_eq!(urls.len(), 2);
    assert!(matches!(&ends[&bad_img.task_id], TaskPhase::Failed { .. }));
    assert!(matches!(&ends[&blocked.task_id], TaskPhase::Blocked { reason } if !reason.is_empty()));
    assert!(matches!(&ends[&failed.task_id], TaskPhase::Failed { reason } if !reason.is_empty()));

    // Dismissing removes a task from the record.
    h.send(Request::DismissTask {
        task_id: failed.task_id.clone(),
    })
    .await;
    let store = h.store.clone();
    h.shutdown().await;
    let saved: Vec<TaskRecord> = store.load("tasks.json").unwrap().unwrap();
    assert_eq!(saved.len(), 3);
    assert!(saved.iter().all(|r| r.task_id != failed.task_id));
    assert_eq!(saved[0].task_id, blocked.task_id, "newest first");
}

#[tokio::test]
async fn a_restart_resumes_an_unfinished_task() {
    let sim = start_sim(|c| c.speed = 40.0).await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::start(&sim, dir.path(), fast_config());
    let record = h.submit(1, "a slow lighthouse", video()).await;
    h.shutdown().await;

    let mut h = Harness::start(&sim, dir.path(), fast_config());
    let restored = h
        .expect("Restored", |e| match e {
            Event::Restored { tasks, .. } => Some(tasks.clone()),
            _ => None,
        })
        .await;
    assert_eq!(restored.len(), 1);
    assert_eq!(restored[0].task_id, record.task_id);
    assert!(restored[0].phase.is_unfinished());
    let done = h.finished(&record.task_id).await;
    assert!(matches!(done.phase, TaskPhase::Done { .. }), "{done:?}");
    h.shutdown().await;
}

// On the paused clock, time moves only when the worker, the simulator and the test all wait
// on a timer: a request takes no time at all, so the window below is exactly `INTERVALS`
// poll intervals of the worker's schedule however busy the machine is.
#[tokio::test(start_paused = true)]
async fn one_poll_serves_every_task() {
    const INTERVALS: u32 = 10;
    let sim = start_sim(|c| c.speed = 1.0).await;
    let dir = tempfile::tempdir().unwrap();
    let interval = Duration::from_millis(100);
    let config = WorkerConfig {
        poll_min: interval,
        poll_max: interval,
        ..fast_config()
    };
    let mut h = Harness::start(&sim, dir.path(), config);
    for n in 1..=3 {
        h.submit(n, &format!("slow ocean {n}"), video()).await;
    }
    tokio::time::sleep(interval * 3).await;
    sim.clear_requests();
    tokio::time::sleep(interval * INTERVALS).await;
    let log = sim.requests();
    let polls = log
        .iter()
        .filter(|r| r.method == "GET" && r.path == "/nf/pending")
        .count();
    // One read per interval for the three tasks together (one per task would be three times
    // as many); a round due just at either edge of the window may or may not be counted.
    let intervals = INTERVALS as usize;
    assert!(
        (intervals - 1..=intervals + 1).contains(&polls),
        "{polls} pending reads in {intervals} intervals"
    );
    let others: Vec<_> = log
        .iter()
        .filter(|r| !(r.method == "GET" && r.path == "/nf/pending"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(
        others.is_empty(),
        "only the shared pending read: {others:?}"
    );
    let seen = h.shutdown().await;
    assert!(
        seen.iter().all(
            |e| !matches!(e, Event::Tasks(TaskEvent::TaskChanged(r)) if !r.phase.is_unfinished())
        ),
        "the tasks stayed unfinished for the measurement"
    );
}

#[tokio::test]
async fn nothing_unfinished_means_no_requests() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::start(&sim, dir.path(), fast_config());
    h.expect("Restored", |e| {
        matches!(e, Event::Restored { .. }).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(sim.requests().is_empty(), "{:?}", sim.requests());

    // And again once the only task has finished and the one quota read that follows a
    // round of finished tasks is done.
    finished_video(&mut h, "a quick wave").await;
    h.expect("the quota read after the finish", |e| {
        matches!(e, Event::Quota(_)).then_some(())
    })
    .await;
    sim.clear_requests();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let log: Vec<_> = sim
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(log.is_empty(), "{log:?}");
    h.shutdown().await;
}

#[tokio::test]
async fn poll_trouble_is_reported_and_cleared() {
    let sim = start_sim(|_| {}).await;
    sim.inject(FaultRule {
        method: Some("GET".into()),
        path: "/nf/pending".into(),
        fault: Fault::HeavyLoad,
        // One round's worth: the first attempt and the client's 4 retries (changed with the
        // single retry policy: brief faults are absorbed by the client, not the poll).
        times: Some(5),
    });
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::start(&sim, dir.path(), fast_config());
    let record = h.submit(1, "a storm", video()).await;
    let done = h.finished(&record.task_id).await;
    assert!(matches!(done.phase, TaskPhase::Done { .. }), "{done:?}");
    // Reported as what the server said (overloaded), then cleared once.
    let trouble: Vec<Option<ApiError>> = h
        .seen
        .iter()
        .filter_map(|e| match e {
            Event::PollTrouble(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        trouble,
        vec![Some(ApiError::Overloaded), None],
        "{:#?}",
        h.seen
    );
    assert_eq!(
        count(&sim, "POST", "/nf/create"),
        1,
        "the create is never resent"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn an_ambiguous_create_is_adopted_from_pending() {
    let sim = start_sim(|c| c.speed = 40.0).await;
    sim.inject(FaultRule {
        method: Some("POST".into()),
        path: "/nf/create".into(),
        fault: Fault::TruncatedBody,
        times: Some(1),
    });
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::start(&sim, dir.path(), fast_config());
    let record = h.submit(1, "a lost answer", video()).await;
    assert_eq!(count(&sim, "POST", "/nf/create"), 1);
    let pending = client_for(&sim).pending().await.unwrap();
    assert_eq!(pending.len(), 1, "exactly one task exists");
    assert_eq!(pending[0].id, record.task_id);
    assert_eq!(h.saved_tasks().len(), 1);
    h.shutdown().await;
}

#[tokio::test]
async fn download_streams_once_and_reuses_the_file() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::start(&sim, dir.path(), fast_config());
    let draft = finished_video(&mut h, "a download").await;
    let gen_id = draft.gen_id().unwrap().to_string();
    let url = draft.best_url().unwrap().to_string();
    let dest = dir
        .path()
        .join("downloads")
        .join("nested")
        .join("video.mp4");
    h.send(Request::Drafts(DraftsRequest::Download {
        gen_id: gen_id.clone(),
        url: url.clone(),
        dest: dest.clone(),
    }))
    .await;
    let path = h
        .expect("Downloaded", |e| match e {
            Event::Drafts(DraftsEvent::Downloaded { gen_id: g, path }) if *g == gen_id => {
                Some(path.clone())
            }
            Event::Drafts(DraftsEvent::DownloadFailed { error, .. }) => {
                panic!("download failed: {error}")
            }
            _ => None,
        })
        .await;
    assert_eq!(path, dest);
    assert_eq!(std::fs::read(&dest).unwrap(), asset("sample.mp4"));
    let progress: Vec<(u64, Option<u64>)> = h
        .seen
        .iter()
        .filter_map(|e| match e {
            Event::Drafts(DraftsEvent::DownloadProgress { done, total, .. }) => {
                Some((*done, *total))
            }
            _ => None,
        })
        .collect();
    let size = asset("sample.mp4").len() as u64;
    assert_eq!(progress.last(), Some(&(size, Some(size))), "{progress:?}");

    let media_before = sim
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/media"))
        .count();
    h.send(Request::Drafts(DraftsRequest::Download {
        gen_id: gen_id.clone(),
        url,
        dest: dest.clone(),
    }))
    .await;
    let again: PathBuf = h
        .expect("Downloaded again", |e| match e {
            Event::Drafts(DraftsEvent::Downloaded { path, .. }) => Some(path.clone()),
            _ => None,
        })
        .await;
    assert_eq!(again, dest);
    let media_after = sim
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/media"))
        .count();
    assert_eq!(media_before, media_after, "no second media request");
    h.shutdown().await;
}

#[tokio::test]
async fn publish_and_unpublish() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::start(&sim, dir.path(), fast_config());
    let draft = finished_video(&mut h, "a sunrise to share").await;
    let gen_id = draft.gen_id().unwrap().to_string();
    h.send(Request::Drafts(DraftsRequest::Publish {
        gen_id: gen_id.clone(),
    }))
    .await;
    let post = h
        .expect("Published", |e| match e {
            Event::Drafts(DraftsEvent::Published { gen_id: g, post }) if *g == gen_id => {
                Some(post.clone())
            }
            Event::Drafts(DraftsEvent::ActionFailed { error, .. }) => {
                panic!("publish failed: {error}")
            }
            _ => None,
        })
        .await;
    assert!(post.id.starts_with("s_"), "{post:?}");
    assert_eq!(count(&sim, "POST", "/project_y/post"), 1);

    h.send(Request::Drafts(DraftsRequest::Unpublish {
        post_id: post.id.clone(),
        gen_id: gen_id.clone(),
    }))
    .await;
    let (g, p) = h
        .expect("Unpublished", |e| match e {
            Event::Drafts(DraftsEvent::Unpublished { gen_id, post_id }) => {
                Some((gen_id.clone(), post_id.clone()))
            }
            Event::Drafts(DraftsEvent::ActionFailed { error, .. }) => {
                panic!("unpublish failed: {error}")
            }
            _ => None,
        })
        .await;
    assert_eq!((g, p.clone()), (gen_id, post.id.clone()));
    assert_eq!(count(&sim, "DELETE", &format!("/project_y/post/{p}")), 1);

    // A refused publish comes back as ActionFailed.
    h.send(Request::Drafts(DraftsRequest::Publish {
        gen_id: "gen_nosuchdraft".into(),
    }))
    .await;
    let (what, error) = h
        .expect("ActionFailed", |e| match e {
            Event::Drafts(DraftsEvent::ActionFailed { op, gen_id, error })
                if gen_id == "gen_nosuchdraft" =>
            {
                Some((op.verb(), error.clone()))
            }
            _ => None,
        })
        .await;
    assert_eq!(what, "publish");
    // The server's refusal of that draft, not a transport or parsing failure.
    assert!(
        matches!(&error, ApiError::Rejected { status: 404, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("not found"), "{error}");
    h.shutdown().await;
}

#[tokio::test]
async fn account_drafts_and_prompt_autosave() {
    let sim = start_sim(|c| c.seed_drafts = 5).await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::start(&sim, dir.path(), fast_config());
    h.send(Request::LoadAccount).await;
    let me = h
        .expect("Account", |e| match e {
            Event::Account(me) => Some(me.clone()),
            Event::AccountFailed(e) => panic!("account failed: {e}"),
            _ => None,
        })
        .await;
    assert_eq!(me.username.as_deref(), Some("demo"));
    let quota = h
        .expect("Quota", |e| match e {
            Event::Quota(q) => Some(q.clone()),
            _ => None,
        })
        .await;
    assert!(quota.is_some());

    h.send(Request::Drafts(DraftsRequest::LoadDrafts { cursor: None }))
        .await;
    let n = h
        .expect("DraftsLoaded", |e| match e {
            Event::Drafts(DraftsEvent::DraftsLoaded { page, first: true }) => {
                Some(page.items.len())
            }
            _ => None,
        })
        .await;
    assert_eq!(n, 5);

    let snapshot = |text: &str| PromptSnapshot {
        text: text.into(),
        variants: 1,
        history: vec!["earlier".into()],
        ..PromptSnapshot::default()
    };
    // One snapshot alone is written after the coalescing delay, without a shutdown.
    h.send(Request::SavePrompt(snapshot("first"))).await;
    let prompt_file = h.store.path("prompt.json");
    let deadline = tokio::time::Instant::now() + WAIT;
    while !prompt_file.exists() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "prompt.json was not written"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    // A burst: only the last one counts, and Shutdown flushes it.
    for text in ["a", "ab", "abc"] {
        h.send(Request::SavePrompt(snapshot(text))).await;
    }
    let store = h.store.clone();
    h.shutdown().await;
    assert_eq!(
        store.load::<PromptSnapshot>("prompt.json").unwrap(),
        Some(snapshot("abc"))
    );

    // The next start restores it.
    let mut h = Harness::start(&sim, dir.path(), fast_config());
    let prompt = h
        .expect("Restored", |e| match e {
            Event::Restored { prompt, .. } => Some(prompt.clone()),
            _ => None,
        })
        .await;
    assert_eq!(prompt, Some(snapshot("abc")));
    h.shutdown().await;
}
