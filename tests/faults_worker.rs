//! The fault matrix through the worker: every fault class of the simulator during submit
//! (`POST /nf/create`), the poll (`GET /nf/pending`), the image upload (`POST /uploads`) and a
//! download (`/media`). Each test checks that the right classified event arrives, the worker
//! keeps serving afterwards, nothing submitted or typed is lost, and no task is created twice.
//! The README's "Fault handling" table names these tests.

// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::harness::{WorkerHarness, fast_config};
use common::*;
use sora_tui::api::{ApiError, VideoSettings, is_expired_link};
use sora_tui::sim::{Fault, FaultRule, Sim};
use sora_tui::store::Store;
use sora_tui::track::{TaskPhase, TaskRecord};
use sora_tui::worker::{
    DraftsEvent, DraftsRequest, Event, Request, Submission, SubmissionKind, TaskEvent, WorkerConfig,
};

struct Harness(WorkerHarness);

deref_to_harness!(Harness => WorkerHarness);

impl Harness {
    fn start(sim: &Sim, dir: &Path) -> Harness {
        let config = WorkerConfig {
            poll_min: Duration::from_millis(30),
            poll_max: Duration::from_millis(100),
            ..fast_config()
        };
        // The shared client's generous timeout: no fault here waits for one (the latencies
        // are far below it), so a short one would only fail a test on a busy machine.
        let client = client_for(sim);
        Harness(WorkerHarness::start(
            client,
            Store::new(dir.join("data")),
            config,
        ))
    }

    /// Submits and returns `Ok(task_id)` or the classified failure.
    async fn submit(
        &mut self,
        local_id: u64,
        prompt: &str,
        image: Option<PathBuf>,
    ) -> Result<String, ApiError> {
        let kind = if image.is_some() {
            SubmissionKind::Image {
                shape: sora_tui::api::ImageShape::Square,
                variants: 1,
            }
        } else {
            SubmissionKind::Video {
                settings: VideoSettings::default(),
                remix: None,
            }
        };
        self.submit_and_wait(Submission {
            local_id,
            prompt: prompt.into(),
            kind,
            image,
        })
        .await
        .map(|record| record.task_id)
    }

    /// The worker still answers requests: `/me` is read and reported.
    async fn still_serving(&mut self) {
        self.send(Request::LoadAccount).await;
        self.expect("Account", |e| matches!(e, Event::Account(_)).then_some(()))
            .await;
    }

    fn saved_task_ids(&self) -> Vec<String> {
        self.store
            .load::<Vec<TaskRecord>>("tasks.json")
            .expect("tasks.json reads")
            .unwrap_or_default()
            .into_iter()
            .map(|r| r.task_id)
            .collect()
    }

    async fn shutdown(self) {
        self.0.shutdown().await;
    }
}

fn rule(method: &str, path: &str, fault: Fault, times: Option<u32>) -> FaultRule {
    FaultRule {
        method: Some(method.into()),
        path: path.into(),
        fault,
        times,
    }
}

fn count(sim: &Sim, method: &str, path: &str) -> usize {
    requests_to(sim, method, path).len()
}

/// Tasks that exist on the server (pending or already a draft).
async fn server_tasks(sim: &Sim) -> usize {
    let c = client_for(sim);
    let pending = c.pending().await.unwrap().len();
    let drafts = c.drafts(100, None).await.unwrap().items.len();
    pending + drafts
}

// ---------------------------------------------------------------- submit

/// Injects `fault` once on the create, submits, and checks the common promises.
async fn submit_with(fault: Fault) -> (Result<String, ApiError>, Sim, Harness, tempfile::TempDir) {
    let sim = start_sim(|c| c.speed = 40.0).await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::start(&sim, dir.path());
    sim.inject(rule("POST", "/nf/create", fault, Some(1)));
    let out = h.submit(7, "a fault matrix cat", None).await;
    assert_eq!(
        count(&sim, "POST", "/nf/create"),
        1,
        "the create is never resent"
    );
    h.still_serving().await;
    (out, sim, h, dir)
}

async fn submit_fails_without_a_task(fault: Fault, is: fn(&ApiError) -> bool) {
    let (out, sim, h, _dir) = submit_with(fault).await;
    let error = out.expect_err("the submission fails");
    assert!(is(&error), "{error:?}");
    assert_eq!(server_tasks(&sim).await, 0, "nothing was created");
    assert!(h.saved_task_ids().is_empty());
    h.shutdown().await;
}

#[tokio::test]
async fn submit_401_is_auth() {
    submit_fails_without_a_task(Fault::TokenInvalidated, |e| {
        matches!(e, ApiError::Auth { .. })
    })
    .await;
}

#[tokio::test]
async fn submit_sentinel_block_is_bot_blocked() {
    submit_fails_without_a_task(Fault::SentinelBlock, |e| {
        matches!(e, ApiError::BotBlocked { .. })
    })
    .await;
}

#[tokio::test]
async fn submit_heavy_load_is_overloaded_and_not_resent() {
    submit_fails_without_a_task(Fault::HeavyLoad, |e| *e == ApiError::Overloaded).await;
}

#[tokio::test]
async fn submit_cloudflare_is_cloudflare() {
    submit_fails_without_a_task(Fault::Cloudflare, |e| *e == ApiError::Cloudflare).await;
}

#[tokio::test]
async fn submit_429_is_rate_limited_with_retry_after() {
    submit_fails_without_a_task(Fault::RateLimited { retry_after_secs: 1 }, |e| {
        matches!(e, ApiError::RateLimited { retry_after: Some(d), .. } if *d == Duration::from_secs(1))
    })
    .await;
}

/// The create did nothing on the server, but its failure is ambiguous: the worker reads the
/// server's list before it reports the failure, and adopts nothing.
async fn submit_looked_for_then_reported(fault: Fault, is: fn(&ApiError) -> bool) {
    let (out, sim, h, _dir) = submit_with(fault).await;
    let error = out.expect_err("nothing to adopt: the submission fails");
    assert!(is(&error), "{error:?}");
    // Nothing is tracked, so no poll runs: a read of pending after the create is the look.
    let log = sim.requests();
    let create = log
        .iter()
        .position(|r| r.method == "POST" && r.path == "/nf/create")
        .expect("the create was sent");
    assert!(
        log[create + 1..]
            .iter()
            .any(|r| r.method == "GET" && r.path == "/nf/pending"),
        "the server's list is read after the failed create"
    );
    assert_eq!(server_tasks(&sim).await, 0, "nothing was created");
    assert!(h.saved_task_ids().is_empty());
    h.shutdown().await;
}

/// The ids of the tasks on the server: pending, and behind the drafts.
async fn server_task_ids(sim: &Sim) -> Vec<String> {
    let c = client_for(sim);
    let mut ids: Vec<String> = c
        .pending()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    let drafts = c.drafts(100, None).await.unwrap().items;
    ids.extend(drafts.into_iter().filter_map(|d| d.task_id));
    ids
}

/// The create goes through on the server, then is answered with `answer`: the worker finds
/// the very task the server made, adopts it without a second create and tracks it to its
/// generation.
async fn submit_processed_then_adopted(answer: Fault) {
    let fault = Fault::ProcessedThen {
        then: Box::new(answer),
    };
    let (out, sim, mut h, _dir) = submit_with(fault).await;
    let task_id = out.expect("the task the server created is adopted");
    let creates = requests_to(&sim, "POST", "/nf/create");
    assert_eq!(creates.len(), 1, "the create is never resent");
    assert_eq!(
        server_task_ids(&sim).await.len(),
        1,
        "the server made the task although it answered with a failure"
    );
    assert_eq!(
        server_task_ids(&sim).await,
        vec![task_id.clone()],
        "the adopted task is the one the server created, and the only one"
    );
    assert_eq!(h.saved_task_ids(), vec![task_id.clone()]);
    let finished = |e: &Event| match e {
        Event::Tasks(TaskEvent::TaskChanged(r))
            if r.task_id == task_id && !r.phase.is_unfinished() =>
        {
            Some(r.phase.clone())
        }
        _ => None,
    };
    let phase = match h.seen.iter().find_map(finished) {
        Some(phase) => phase,
        None => h.expect("the adopted task to finish", finished).await,
    };
    let TaskPhase::Done { generation_ids, .. } = phase else {
        panic!("the adopted task ends with its generation: {phase:?}");
    };
    let drafts = client_for(&sim).drafts(100, None).await.unwrap().items;
    let draft = drafts
        .iter()
        .find(|d| d.task_id.as_deref() == Some(task_id.as_str()))
        .expect("the server's draft of that task");
    assert_eq!(generation_ids, vec![draft.gen_id().unwrap().to_string()]);
    assert_eq!(count(&sim, "POST", "/nf/create"), 1, "still one create");
    h.shutdown().await;
}

#[tokio::test]
async fn submit_500_after_the_task_was_created_is_reconciled_and_adopted() {
    submit_processed_then_adopted(Fault::ServerError).await;
}

#[tokio::test]
async fn submit_invalid_json_after_the_task_was_created_is_reconciled_and_adopted() {
    submit_processed_then_adopted(Fault::InvalidJson).await;
}

#[tokio::test]
async fn submit_500_before_anything_was_created_is_looked_for_then_reported() {
    submit_looked_for_then_reported(Fault::ServerError, |e| matches!(e, ApiError::Server { .. }))
        .await;
}

#[tokio::test]
async fn submit_invalid_json_before_anything_was_created_is_looked_for_then_reported() {
    submit_looked_for_then_reported(Fault::InvalidJson, |e| {
        matches!(e, ApiError::BadResponse { .. })
    })
    .await;
}

#[tokio::test]
async fn submit_connection_reset_is_reconciled_then_reported() {
    submit_fails_without_a_task(Fault::ConnectionReset, |e| {
        matches!(e, ApiError::Network { .. })
    })
    .await;
}

#[tokio::test]
async fn submit_truncated_answer_is_adopted_once() {
    let (out, sim, h, _dir) = submit_with(Fault::TruncatedBody).await;
    let task_id = out.expect("the task that was created is adopted");
    assert_eq!(server_tasks(&sim).await, 1, "exactly one task exists");
    assert_eq!(h.saved_task_ids(), vec![task_id]);
    h.shutdown().await;
}

#[tokio::test]
async fn submit_latency_just_delays() {
    let (out, sim, h, _dir) = submit_with(Fault::Latency { ms: 300 }).await;
    let task_id = out.expect("submitted");
    assert_eq!(server_tasks(&sim).await, 1);
    assert_eq!(h.saved_task_ids(), vec![task_id]);
    h.shutdown().await;
}

// ---------------------------------------------------------------- poll

/// Submits with `GET /nf/pending` failing `times` times; returns the first poll trouble (if
/// any) and whether a retry was announced; the task must still finish, once.
async fn poll_with(fault: Fault, times: Option<u32>) -> (Option<ApiError>, bool) {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::start(&sim, dir.path());
    sim.inject(rule("GET", "/nf/pending", fault, times));
    let task_id = h.submit(1, "a polled cat", None).await.expect("submitted");
    let trouble = if times.is_none() {
        let e = h
            .expect("PollTrouble", |e| match e {
                Event::PollTrouble(Some(e)) => Some(e.clone()),
                _ => None,
            })
            .await;
        h.still_serving().await;
        sim.clear_faults();
        Some(e)
    } else {
        None
    };
    h.expect("the task to finish", |e| match e {
        Event::Tasks(TaskEvent::TaskChanged(r))
            if r.task_id == task_id && !r.phase.is_unfinished() =>
        {
            Some(())
        }
        _ => None,
    })
    .await;
    let retried = h.seen.iter().any(|e| matches!(e, Event::Retrying { .. }));
    assert_eq!(count(&sim, "POST", "/nf/create"), 1);
    assert_eq!(h.saved_task_ids(), vec![task_id]);
    h.shutdown().await;
    (trouble, retried)
}

#[tokio::test]
async fn poll_401_is_reported_and_tracking_resumes() {
    let (e, retried) = poll_with(Fault::TokenInvalidated, None).await;
    assert!(matches!(e, Some(ApiError::Auth { .. })), "{e:?}");
    assert!(!retried, "a rejected token is not retried");
}

#[tokio::test]
async fn poll_sentinel_block_is_reported() {
    let (e, _) = poll_with(Fault::SentinelBlock, None).await;
    assert!(matches!(e, Some(ApiError::BotBlocked { .. })), "{e:?}");
}

#[tokio::test]
async fn poll_cloudflare_is_reported() {
    let (e, _) = poll_with(Fault::Cloudflare, None).await;
    assert_eq!(e, Some(ApiError::Cloudflare));
}

#[tokio::test]
async fn poll_invalid_json_is_reported() {
    let (e, _) = poll_with(Fault::InvalidJson, None).await;
    assert!(matches!(e, Some(ApiError::BadResponse { .. })), "{e:?}");
}

// On the paused clock (see `tests/worker.rs`), time moves only when the worker, the simulator
// and the test all wait on a timer, so the Retry-After costs no real time and a busy machine
// cannot stretch or shrink the gap measured below.
#[tokio::test(start_paused = true)]
async fn poll_429_waits_the_retry_after_and_reports() {
    // 30 times the harness's slow interval (100 ms) and far beyond the client's own cap
    // (`RetryPolicy::fast`, 40 ms), so only the round's Retry-After can explain a gap this long.
    const RETRY_AFTER: Duration = Duration::from_secs(3);
    // Slow enough that the video is still pending when the next round comes.
    let sim = start_sim(|c| c.speed = 1.0).await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::start(&sim, dir.path());
    h.submit(1, "a rate-limited cat", None)
        .await
        .expect("submitted");
    // Taken before the rule exists, so it cannot be later than the 429 itself.
    let before_429 = tokio::time::Instant::now();
    sim.inject(rule(
        "GET",
        "/nf/pending",
        Fault::RateLimited {
            retry_after_secs: RETRY_AFTER.as_secs(),
        },
        Some(1),
    ));
    let e = h
        .expect("PollTrouble", |e| match e {
            Event::PollTrouble(Some(e)) => Some(e.clone()),
            _ => None,
        })
        .await;
    assert!(
        matches!(&e, ApiError::RateLimited { retry_after: Some(d), .. } if *d == RETRY_AFTER),
        "{e:?}"
    );
    assert!(e.to_string().contains("retry in 3 s"), "{e}");
    // The next pending read after the 429, from the simulator's log (in arrival order).
    eventually(20, || async {
        let polls = requests_to(&sim, "GET", "/nf/pending");
        let limited = polls.iter().position(|r| r.status == 429)?;
        (polls.len() > limited + 1).then_some(())
    })
    .await;
    // Seen no earlier than it arrived: a lower bound on the gap, never an upper one.
    let gap = before_429.elapsed();
    assert!(
        gap >= RETRY_AFTER,
        "the next round came {gap:?} after the 429, before its Retry-After of {RETRY_AFTER:?}"
    );
    let limited = requests_to(&sim, "GET", "/nf/pending")
        .iter()
        .filter(|r| r.status == 429)
        .count();
    assert_eq!(
        limited, 1,
        "the client did not retry the 429 inside the round"
    );
    // The round after the wait succeeds and clears the trouble.
    h.expect("PollTrouble cleared", |e| {
        matches!(e, Event::PollTrouble(None)).then_some(())
    })
    .await;
    assert_eq!(count(&sim, "POST", "/nf/create"), 1);
    h.shutdown().await;
}

#[tokio::test]
async fn poll_persistent_500_is_retried_then_reported() {
    let (e, retried) = poll_with(Fault::ServerError, None).await;
    assert!(matches!(e, Some(ApiError::Server { .. })), "{e:?}");
    assert!(retried, "the client retried before the round failed");
}

#[tokio::test]
async fn poll_persistent_heavy_load_is_retried_then_reported() {
    let (e, retried) = poll_with(Fault::HeavyLoad, None).await;
    assert_eq!(e, Some(ApiError::Overloaded));
    assert!(retried);
}

#[tokio::test]
async fn poll_persistent_reset_is_retried_then_reported() {
    let (e, retried) = poll_with(Fault::ConnectionReset, None).await;
    assert!(matches!(e, Some(ApiError::Network { .. })), "{e:?}");
    assert!(retried);
}

#[tokio::test]
async fn poll_persistent_truncation_is_retried_then_reported() {
    let (e, retried) = poll_with(Fault::TruncatedBody, None).await;
    assert!(matches!(e, Some(ApiError::Network { .. })), "{e:?}");
    assert!(retried);
}

#[tokio::test]
async fn poll_brief_faults_are_absorbed_by_the_client() {
    for fault in [
        Fault::ServerError,
        Fault::HeavyLoad,
        Fault::ConnectionReset,
        Fault::TruncatedBody,
    ] {
        let (e, retried) = poll_with(fault.clone(), Some(2)).await;
        assert_eq!(e, None, "{fault:?}");
        assert!(retried, "{fault:?}");
    }
}

#[tokio::test]
async fn poll_latency_just_delays() {
    let (e, _) = poll_with(Fault::Latency { ms: 150 }, Some(3)).await;
    assert_eq!(e, None);
}

// ---------------------------------------------------------------- upload

fn image_file(dir: &Path) -> PathBuf {
    let path = dir.join("input.png");
    std::fs::write(&path, asset("image.png")).unwrap();
    path
}

/// Submits an image generation from a file with `POST /uploads` failing `times` times.
async fn upload_with(fault: Fault, times: Option<u32>) -> (Result<String, ApiError>, usize, usize) {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::start(&sim, dir.path());
    sim.inject(rule("POST", "/uploads", fault, times));
    let out = h
        .submit(3, "an uploaded cat", Some(image_file(dir.path())))
        .await;
    h.still_serving().await;
    let uploads = count(&sim, "POST", "/uploads");
    let creates = count(&sim, "POST", "/video_gen");
    match &out {
        Ok(id) => assert_eq!(h.saved_task_ids(), vec![id.clone()]),
        Err(_) => assert!(h.saved_task_ids().is_empty()),
    }
    h.shutdown().await;
    (out, uploads, creates)
}

#[tokio::test]
async fn upload_401_fails_before_any_create() {
    let (out, uploads, creates) = upload_with(Fault::TokenInvalidated, None).await;
    assert!(matches!(out, Err(ApiError::Auth { .. })), "{out:?}");
    assert_eq!((uploads, creates), (1, 0));
}

#[tokio::test]
async fn upload_sentinel_block_fails() {
    let (out, uploads, creates) = upload_with(Fault::SentinelBlock, None).await;
    assert!(matches!(out, Err(ApiError::BotBlocked { .. })), "{out:?}");
    assert_eq!((uploads, creates), (1, 0));
}

#[tokio::test]
async fn upload_cloudflare_fails() {
    let (out, uploads, creates) = upload_with(Fault::Cloudflare, None).await;
    assert_eq!(out, Err(ApiError::Cloudflare));
    assert_eq!((uploads, creates), (1, 0));
}

#[tokio::test]
async fn upload_invalid_json_fails_without_resending() {
    let (out, uploads, creates) = upload_with(Fault::InvalidJson, None).await;
    assert!(matches!(out, Err(ApiError::BadResponse { .. })), "{out:?}");
    assert_eq!((uploads, creates), (1, 0));
}

#[tokio::test]
async fn upload_reset_is_not_resent() {
    // The server may have stored the file: a second copy is not sent blindly.
    let (out, uploads, creates) = upload_with(Fault::ConnectionReset, Some(1)).await;
    assert!(matches!(out, Err(ApiError::Network { .. })), "{out:?}");
    assert_eq!((uploads, creates), (1, 0));
}

#[tokio::test]
async fn upload_truncated_answer_is_not_resent() {
    let (out, uploads, creates) = upload_with(Fault::TruncatedBody, Some(1)).await;
    assert!(matches!(out, Err(ApiError::Network { .. })), "{out:?}");
    assert_eq!((uploads, creates), (1, 0));
}

#[tokio::test]
async fn upload_500_is_resent_with_a_fresh_body() {
    let (out, uploads, creates) = upload_with(Fault::ServerError, Some(2)).await;
    assert!(out.is_ok(), "{out:?}");
    assert_eq!((uploads, creates), (3, 1));
}

#[tokio::test]
async fn upload_heavy_load_is_resent() {
    let (out, uploads, creates) = upload_with(Fault::HeavyLoad, Some(1)).await;
    assert!(out.is_ok(), "{out:?}");
    assert_eq!((uploads, creates), (2, 1));
}

#[tokio::test]
async fn upload_429_beyond_the_cap_is_reported_with_its_wait() {
    let (out, uploads, creates) = upload_with(
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        None,
    )
    .await;
    assert!(
        matches!(
            out,
            Err(ApiError::RateLimited {
                retry_after: Some(_),
                ..
            })
        ),
        "{out:?}"
    );
    assert_eq!((uploads, creates), (1, 0));
}

#[tokio::test]
async fn upload_latency_just_delays() {
    let (out, uploads, creates) = upload_with(Fault::Latency { ms: 200 }, Some(1)).await;
    assert!(out.is_ok(), "{out:?}");
    assert_eq!((uploads, creates), (1, 1));
}

// ---------------------------------------------------------------- download

/// Makes a finished video, then downloads it through the worker with `/media` failing
/// `times` times. Returns the outcome; a reported failure leaves no file under the final name.
async fn download_with(fault: Fault, times: Option<u32>) -> Result<PathBuf, ApiError> {
    download_counting(fault, times).await.0
}

/// [`download_with`], also returning how many media requests the download made: a refusal
/// must not be fetched again and again.
async fn download_counting(fault: Fault, times: Option<u32>) -> (Result<PathBuf, ApiError>, usize) {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::start(&sim, dir.path());
    let task_id = h
        .submit(1, "a downloaded cat", None)
        .await
        .expect("submitted");
    let draft = eventually(20, || async {
        let drafts = client_for(&sim).drafts(30, None).await.ok()?.items;
        drafts
            .into_iter()
            .find(|d| d.task_id.as_deref() == Some(task_id.as_str()) && d.best_url().is_some())
    })
    .await;
    let media_before = media_requests(&sim);
    sim.inject(rule("GET", "/media", fault, times));
    let gen_id = draft.gen_id().unwrap_or_default().to_string();
    let dest = dir.path().join("out").join("video.mp4");
    h.send(Request::Drafts(DraftsRequest::Download {
        gen_id: gen_id.clone(),
        url: draft.best_url().unwrap_or_default().to_string(),
        dest: dest.clone(),
    }))
    .await;
    let out = h
        .expect("the download's end", |e| match e {
            Event::Drafts(DraftsEvent::Downloaded { gen_id: g, path }) if *g == gen_id => {
                Some(Ok(path.clone()))
            }
            Event::Drafts(DraftsEvent::DownloadFailed { gen_id: g, error }) if *g == gen_id => {
                Some(Err(error.clone()))
            }
            _ => None,
        })
        .await;
    match &out {
        Ok(path) => assert_eq!(std::fs::read(path).unwrap(), asset("sample.mp4")),
        Err(_) => assert!(
            !dest.exists(),
            "an incomplete file never takes the final name"
        ),
    }
    h.still_serving().await;
    assert_eq!(h.saved_task_ids(), vec![task_id]);
    h.shutdown().await;
    (out, media_requests(&sim) - media_before)
}

/// Media downloads the simulator has seen (their paths carry the file's name).
fn media_requests(sim: &Sim) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.starts_with("/media/"))
        .count()
}

#[tokio::test]
async fn download_refusals_are_reported() {
    // A media link is not the API: any refusal is the media server refusing the download
    // (classified by status alone, see `api::transfer`), reported after one request, never
    // a transport failure or an unreadable answer. A 403 is what an expired signed link
    // answers, so it is read afresh from the drafts once before being reported as gone.
    for (fault, status, media, words) in [
        (Fault::TokenInvalidated, 401, 1, "refused the download"),
        (Fault::SentinelBlock, 400, 1, "refused the download"),
        (Fault::HeavyLoad, 400, 1, "refused the download"),
        (Fault::Cloudflare, 403, 2, "expired or is gone"),
        (
            Fault::RateLimited {
                retry_after_secs: 1,
            },
            429,
            1,
            "refused the download",
        ),
    ] {
        let (out, requests) = download_counting(fault.clone(), None).await;
        let expired = status == 403;
        match &out {
            Err(e @ ApiError::Rejected { status: s, .. }) if *s == status => {
                assert_eq!(is_expired_link(e), expired, "{fault:?}: {e:?}");
                let shown = e.to_string();
                assert!(
                    shown.contains(&format!("HTTP {status}")) && shown.contains(words),
                    "{fault:?}: {shown}"
                );
            }
            other => panic!("{fault:?}: expected a {status} refusal, got {other:?}"),
        }
        assert_eq!(requests, media, "{fault:?}: media requests");
    }
}

#[tokio::test]
async fn download_server_error_is_reported() {
    let (out, requests) = download_counting(Fault::ServerError, None).await;
    let Err(e @ ApiError::Server { status: 500, .. }) = &out else {
        panic!("expected the media server's 500, got {out:?}");
    };
    assert!(e.to_string().contains("HTTP 500"), "{e}");
    assert!(requests > 1, "a 5xx is tried again before it is reported");
}

#[tokio::test]
async fn download_reset_is_recovered() {
    // The transfer code (docs/api.md#lifecycles, "Downloads") tries again and completes the file.
    let out = download_with(Fault::ConnectionReset, Some(1)).await;
    assert!(out.is_ok(), "{out:?}");
}

#[tokio::test]
async fn download_truncation_is_resumed() {
    // Resumed from the `.part` (docs/api.md#lifecycles, "Downloads") and checked against the
    // full length.
    let out = download_with(Fault::TruncatedBody, Some(1)).await;
    assert!(out.is_ok(), "{out:?}");
}

#[tokio::test]
async fn download_invalid_json_on_media_is_reported() {
    // A 200 whose body is not the video: the content check catches it and nothing takes the
    // final name.
    let (out, requests) = download_counting(Fault::InvalidJson, Some(1)).await;
    let Err(e @ ApiError::BadResponse { detail }) = &out else {
        panic!("expected an unreadable answer, got {out:?}");
    };
    assert!(detail.contains("not a video or an image"), "{detail}");
    assert!(e.to_string().contains("cannot read"), "{e}");
    // Not fetched again: the second request would have brought the real file.
    assert_eq!(requests, 1);
}

#[tokio::test]
async fn download_latency_just_delays() {
    let out = download_with(Fault::Latency { ms: 200 }, Some(1)).await;
    assert!(out.is_ok(), "{out:?}");
}
