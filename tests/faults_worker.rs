//! The fault matrix through the worker: every fault class of the simulator during submit
//! (`POST /nf/create`), the poll (`GET /nf/pending`), the image upload (`POST /uploads`) and a
//! download (`/media`). Each test checks that the right classified event arrives, the worker
//! keeps serving afterwards, nothing submitted or typed is lost, and no task is created twice.
//! The README's "Fault handling" table names these tests.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::harness::{WorkerHarness, fast_config};
use common::*;
use sora_tui::api::{ApiError, VideoSettings};
use sora_tui::sim::{Fault, FaultRule, Sim};
use sora_tui::store::Store;
use sora_tui::track::TaskRecord;
use sora_tui::worker::{Event, Request, Submission, SubmissionKind, WorkerConfig};

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
    let sim = start_sim(|c| c.speed = 5.0).await;
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

#[tokio::test]
async fn submit_500_is_reconciled_then_reported() {
    submit_fails_without_a_task(Fault::ServerError, |e| matches!(e, ApiError::Server { .. })).await;
}

#[tokio::test]
async fn submit_invalid_json_is_reconciled_then_reported() {
    submit_fails_without_a_task(Fault::InvalidJson, |e| {
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
        Event::TaskChanged(r) if r.task_id == task_id && !r.phase.is_unfinished() => Some(()),
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

#[tokio::test]
async fn poll_429_waits_the_retry_after_and_reports() {
    let (e, _) = poll_with(
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        None,
    )
    .await;
    assert!(matches!(e, Some(ApiError::RateLimited { .. })), "{e:?}");
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
    sim.inject(rule("GET", "/media", fault, times));
    let gen_id = draft.gen_id().unwrap_or_default().to_string();
    let dest = dir.path().join("out").join("video.mp4");
    h.send(Request::Download {
        gen_id: gen_id.clone(),
        url: draft.best_url().unwrap_or_default().to_string(),
        dest: dest.clone(),
    })
    .await;
    let out = h
        .expect("the download's end", |e| match e {
            Event::Downloaded { gen_id: g, path } if *g == gen_id => Some(Ok(path.clone())),
            Event::DownloadFailed { gen_id: g, error } if *g == gen_id => Some(Err(error.clone())),
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
    out
}

#[tokio::test]
async fn download_refusals_are_reported() {
    for fault in [
        Fault::TokenInvalidated,
        Fault::SentinelBlock,
        Fault::HeavyLoad,
        Fault::Cloudflare,
        Fault::RateLimited {
            retry_after_secs: 1,
        },
    ] {
        let out = download_with(fault.clone(), None).await;
        assert!(out.is_err(), "{fault:?}: {out:?}");
    }
}

#[tokio::test]
async fn download_server_error_is_reported() {
    let out = download_with(Fault::ServerError, None).await;
    assert!(out.is_err(), "{out:?}");
}

#[tokio::test]
async fn download_reset_is_recovered() {
    // The transfer code (issue 6 part B) tries again and completes the file.
    let out = download_with(Fault::ConnectionReset, Some(1)).await;
    assert!(out.is_ok(), "{out:?}");
}

#[tokio::test]
async fn download_truncation_is_resumed() {
    // Resumed from the `.part` (issue 6 part B) and checked against the full length.
    let out = download_with(Fault::TruncatedBody, Some(1)).await;
    assert!(out.is_ok(), "{out:?}");
}

#[tokio::test]
async fn download_invalid_json_on_media_is_reported() {
    // A 200 whose body is not the video: the content check catches it and nothing takes the
    // final name.
    let out = download_with(Fault::InvalidJson, Some(1)).await;
    assert!(out.is_err(), "{out:?}");
}

#[tokio::test]
async fn download_latency_just_delays() {
    let out = download_with(Fault::Latency { ms: 200 }, Some(1)).await;
    assert!(out.is_ok(), "{out:?}");
}
