//! The fault matrix for the cameo steps through the worker: the video upload
//! (`POST /characters/upload`), the processing poll (`GET /project_y/cameos/in_progress/…`),
//! the profile picture upload (`POST /project_y/file/upload`) and the finalize
//! (`POST /characters/finalize`). Uploads are resent only when safe; finalize never is; the
//! worker keeps serving and the cameo record keeps the work done so far.

// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::harness::{WorkerHarness, fast_config};
use common::*;
use sora_tui::app::cameos::{CameoRecord, CameoStage};
use sora_tui::sim::{Fault, FaultRule, Sim};
use sora_tui::store::Store;
use sora_tui::worker::{CameoEvent, CameoRequest, Event, Request, WorkerConfig};

struct Harness(WorkerHarness);

deref_to_harness!(Harness => WorkerHarness);

impl Harness {
    fn start(sim: &Sim, data: &Path) -> Harness {
        // The cameo pace is part of the worker's configuration, so each worker of this
        // process has its own without touching the process environment.
        let config = WorkerConfig {
            cameo_poll: Duration::from_millis(30),
            ..fast_config()
        };
        Harness(WorkerHarness::start(
            client_for(sim),
            Store::new(data),
            config,
        ))
    }

    /// The next record of `key` whose stage `pick` accepts.
    async fn stage(&mut self, key: &str, pick: impl Fn(&CameoStage) -> bool) -> CameoRecord {
        self.expect("a cameo stage", |e| match e {
            Event::Cameo(CameoEvent::Changed(r)) if r.key == key && pick(&r.stage) => {
                Some(CameoRecord::clone(r))
            }
            _ => None,
        })
        .await
    }

    /// Uploads the sample video and waits until the upload succeeded or failed for good.
    async fn create(&mut self, key: &str, video: &Path) -> CameoRecord {
        self.send(Request::Cameo(CameoRequest::Create {
            key: key.into(),
            video: video.to_path_buf(),
            clip: (0.0, 3.0),
        }))
        .await;
        self.stage(key, |s| {
            matches!(
                s,
                CameoStage::Ready
                    | CameoStage::UploadFailed { .. }
                    | CameoStage::PollStopped { .. }
                    | CameoStage::ProcessingFailed { .. }
            )
        })
        .await
    }

    async fn finalize(&mut self, key: &str) -> CameoRecord {
        self.send(Request::Cameo(CameoRequest::Finalize {
            key: key.into(),
            username: "fault.matrix".into(),
            display_name: "Fault Matrix".into(),
            public: false,
        }))
        .await;
        self.stage(key, |s| {
            matches!(s, CameoStage::Finalized | CameoStage::FinalizeFailed { .. })
        })
        .await
    }

    async fn still_serving(&mut self) {
        self.send(Request::LoadAccount).await;
        self.expect("Account", |e| matches!(e, Event::Account(_)).then_some(()))
            .await;
    }

    fn saved(&self) -> Vec<CameoRecord> {
        self.store
            .load::<Vec<CameoRecord>>("cameos.json")
            .expect("cameos.json reads")
            .unwrap_or_default()
    }

    async fn shutdown(self) {
        self.0.shutdown().await;
    }
}

fn sample_video(dir: &Path) -> PathBuf {
    let path = dir.join("me.mp4");
    std::fs::write(&path, asset("sample.mp4")).expect("copy the sample video");
    path
}

fn rule(method: &str, path: &str, fault: Fault, times: Option<u32>) -> FaultRule {
    FaultRule {
        method: Some(method.into()),
        path: path.into(),
        fault,
        times,
    }
}

fn count(sim: &Sim, method: &str, prefix: &str) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.method == method && r.path.starts_with(prefix))
        .count()
}

/// One cameo upload under `fault`; returns the stage it settled in and the upload count.
async fn upload_with(fault: Fault, times: Option<u32>) -> (CameoStage, usize) {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let video = sample_video(dir.path());
    let mut h = Harness::start(&sim, &dir.path().join("data"));
    sim.inject(rule("POST", "/characters/upload", fault, times));
    let record = h.create("k1", &video).await;
    h.still_serving().await;
    assert_eq!(
        h.saved(),
        vec![record.clone()],
        "the record keeps the cameo"
    );
    let uploads = count(&sim, "POST", "/characters/upload");
    h.shutdown().await;
    (record.stage, uploads)
}

#[tokio::test]
async fn cameo_upload_refusals_fail_once_and_keep_the_record() {
    for (fault, times, words) in [
        (Fault::TokenInvalidated, None, "new token"),
        (Fault::SentinelBlock, None, "bot protection"),
        (Fault::Cloudflare, None, "Cloudflare"),
        (Fault::InvalidJson, None, "cannot read"),
        (
            Fault::RateLimited {
                retry_after_secs: 1,
            },
            None,
            "retry in 1 s",
        ),
        // The server may already have the video: not resent blindly.
        (Fault::ConnectionReset, Some(1), "connection broke"),
        (Fault::TruncatedBody, Some(1), "connection broke"),
    ] {
        let (stage, uploads) = upload_with(fault.clone(), times).await;
        let CameoStage::UploadFailed { reason } = &stage else {
            panic!("{fault:?}: {stage:?}")
        };
        assert!(reason.contains(words), "{fault:?}: {reason}");
        assert_eq!(uploads, 1, "{fault:?}: sent once");
    }
}

#[tokio::test]
async fn cameo_upload_5xx_and_heavy_load_are_resent_with_a_fresh_body() {
    for (fault, uploads_expected) in [(Fault::ServerError, 3), (Fault::HeavyLoad, 3)] {
        let (stage, uploads) = upload_with(fault.clone(), Some(2)).await;
        assert_eq!(stage, CameoStage::Ready, "{fault:?}");
        assert_eq!(uploads, uploads_expected, "{fault:?}");
    }
    let (stage, uploads) = upload_with(Fault::Latency { ms: 150 }, Some(1)).await;
    assert_eq!((stage, uploads), (CameoStage::Ready, 1));
}

#[tokio::test]
async fn cameo_processing_poll_rides_out_brief_faults() {
    for fault in [
        Fault::ServerError,
        Fault::HeavyLoad,
        Fault::ConnectionReset,
        Fault::TruncatedBody,
        Fault::Latency { ms: 100 },
    ] {
        let sim = start_sim(|_| {}).await;
        let dir = tempfile::tempdir().unwrap();
        let video = sample_video(dir.path());
        let mut h = Harness::start(&sim, &dir.path().join("data"));
        sim.inject(rule(
            "GET",
            "/project_y/cameos/in_progress",
            fault.clone(),
            Some(2),
        ));
        let record = h.create("k1", &video).await;
        assert_eq!(record.stage, CameoStage::Ready, "{fault:?}");
        assert_eq!(count(&sim, "POST", "/characters/upload"), 1);
        h.shutdown().await;
    }
}

#[tokio::test]
async fn cameo_processing_poll_refusals_stop_with_the_reason_and_resume_on_request() {
    for (fault, words) in [
        (Fault::TokenInvalidated, "new token"),
        (Fault::SentinelBlock, "bot protection"),
        (Fault::Cloudflare, "Cloudflare"),
        (Fault::InvalidJson, "cannot read"),
        (
            Fault::RateLimited {
                retry_after_secs: 1,
            },
            "rate limited",
        ),
    ] {
        let sim = start_sim(|_| {}).await;
        let dir = tempfile::tempdir().unwrap();
        let video = sample_video(dir.path());
        let mut h = Harness::start(&sim, &dir.path().join("data"));
        sim.inject(rule(
            "GET",
            "/project_y/cameos/in_progress",
            fault.clone(),
            None,
        ));
        let record = h.create("k1", &video).await;
        let CameoStage::PollStopped { reason } = &record.stage else {
            panic!("{fault:?}: {:?}", record.stage)
        };
        assert!(reason.contains(words), "{fault:?}: {reason}");
        h.still_serving().await;
        sim.clear_faults();
        h.send(Request::Cameo(CameoRequest::CheckAgain {
            key: "k1".into(),
        }))
        .await;
        h.stage("k1", |s| *s == CameoStage::Ready).await;
        assert_eq!(
            count(&sim, "POST", "/characters/upload"),
            1,
            "not re-uploaded"
        );
        h.shutdown().await;
    }
}

/// A ready cameo, then finalize with `fault` on `path` (POST).
async fn finalize_with(path: &str, fault: Fault, times: Option<u32>) -> (CameoRecord, Sim) {
    finalize_with_rule(rule("POST", path, fault, times)).await
}

/// A ready cameo, then finalize with `fault_rule` active.
async fn finalize_with_rule(fault_rule: FaultRule) -> (CameoRecord, Sim) {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let video = sample_video(dir.path());
    let mut h = Harness::start(&sim, &dir.path().join("data"));
    let ready = h.create("k1", &video).await;
    assert_eq!(ready.stage, CameoStage::Ready);
    sim.inject(fault_rule);
    let done = h.finalize("k1").await;
    h.still_serving().await;
    assert_eq!(h.saved(), vec![done.clone()], "the record keeps the choice");
    h.shutdown().await;
    (done, sim)
}

#[tokio::test]
async fn cameo_profile_upload_5xx_is_resent_and_finalize_goes_on() {
    let (done, sim) = finalize_with("/project_y/file/upload", Fault::ServerError, Some(1)).await;
    assert_eq!(done.stage, CameoStage::Finalized);
    assert_eq!(count(&sim, "POST", "/project_y/file/upload"), 2);
    assert_eq!(count(&sim, "POST", "/characters/finalize"), 1);
}

/// Checks that `stage` is a finalize failure that is not about the username, whose reason
/// names the step (`prefix`) and the classified error (`words`, from its message).
fn assert_finalize_failed(fault: &Fault, stage: &CameoStage, prefix: &str, words: &str) {
    let CameoStage::FinalizeFailed {
        reason,
        username_taken,
    } = stage
    else {
        panic!("{fault:?}: {stage:?}")
    };
    assert!(!username_taken, "{fault:?}: {reason}");
    assert!(
        reason.starts_with(prefix) && reason.contains(words),
        "{fault:?}: {reason}"
    );
}

#[tokio::test]
async fn cameo_profile_upload_refusals_stop_before_finalize() {
    for (fault, words) in [
        (Fault::TokenInvalidated, "new token"),
        (Fault::SentinelBlock, "bot protection"),
        (Fault::Cloudflare, "Cloudflare"),
        (Fault::InvalidJson, "cannot read"),
        (Fault::ConnectionReset, "connection broke"),
        (Fault::TruncatedBody, "connection broke"),
        (
            Fault::RateLimited {
                retry_after_secs: 1,
            },
            "retry in 1 s",
        ),
    ] {
        let (done, sim) = finalize_with("/project_y/file/upload", fault.clone(), None).await;
        assert_finalize_failed(&fault, &done.stage, "the profile picture: ", words);
        assert_eq!(count(&sim, "POST", "/characters/finalize"), 0, "{fault:?}");
    }
}

#[tokio::test]
async fn cameo_finalize_is_never_resent() {
    for (fault, words) in [
        (Fault::TokenInvalidated, "new token"),
        (Fault::SentinelBlock, "bot protection"),
        (Fault::HeavyLoad, "heavy load"),
        (Fault::Cloudflare, "Cloudflare"),
        (
            Fault::RateLimited {
                retry_after_secs: 1,
            },
            "retry in 1 s",
        ),
        (Fault::ServerError, "HTTP 500"),
        (Fault::InvalidJson, "cannot read"),
        (Fault::ConnectionReset, "connection broke"),
        (Fault::TruncatedBody, "connection broke"),
    ] {
        let (done, sim) = finalize_with("/characters/finalize", fault.clone(), Some(1)).await;
        assert_finalize_failed(&fault, &done.stage, "finalizing failed: ", words);
        assert_eq!(count(&sim, "POST", "/characters/finalize"), 1, "{fault:?}");
    }
    let (done, _) =
        finalize_with("/characters/finalize", Fault::Latency { ms: 150 }, Some(1)).await;
    assert_eq!(done.stage, CameoStage::Finalized);
}

#[tokio::test]
async fn cameo_profile_picture_fetch_rides_out_a_brief_fault() {
    // The server's profile picture is read from a media link before it is uploaded back.
    let (done, sim) = finalize_with_rule(rule("GET", "/media", Fault::ServerError, Some(2))).await;
    assert_eq!(done.stage, CameoStage::Finalized);
    assert_eq!(
        count(&sim, "GET", "/media"),
        3,
        "two failures, then the picture"
    );
    assert_eq!(count(&sim, "POST", "/characters/finalize"), 1);
}
