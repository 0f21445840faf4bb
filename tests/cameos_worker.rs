//! The cameo flows of the background worker against the simulator: create, process,
//! finalize, visibility and delete; processing that fails; a taken username retried without
//! a new upload; a stuck cameo abandoned; polling that stops after request errors; a restart
//! in the middle of the flow; and the record in `cameos.json` at every step.

mod common;

use std::path::{Path, PathBuf};

use common::harness::{CAMEO_POLL, WorkerHarness, fast_config};
use common::*;
use sora_tui::app::cameos::{CameoRecord, CameoStage};
use sora_tui::sim::{CameoOutcome, Fault, FaultRule, RecordedRequest, Sim};
use sora_tui::store::Store;
use sora_tui::worker::{CameoEvent, CameoRequest, Event, Request};

/// A running worker over a store, with the cameo events it sent kept for inspection.
struct Harness(WorkerHarness<CameoEvent>);

deref_to_harness!(Harness => WorkerHarness<CameoEvent>);

impl Harness {
    fn start(sim: &Sim, data: &Path) -> Harness {
        Harness(WorkerHarness::start_keeping(
            client_for(sim),
            Store::new(data),
            fast_config(),
            |e| match e {
                Event::Cameo(event) => Some(event),
                _ => None,
            },
        ))
    }

    async fn send(&self, request: CameoRequest) {
        self.0.send(Request::Cameo(request)).await;
    }

    /// The record as restored at start.
    async fn restored(&mut self) -> Vec<CameoRecord> {
        self.expect("Restored", |e| match e {
            CameoEvent::Restored { records, warning } => {
                assert_eq!(warning, &None);
                Some(records.clone())
            }
            _ => None,
        })
        .await
    }

    /// Waits until the record `key` reaches a stage `pick` accepts.
    async fn stage(
        &mut self,
        key: &str,
        what: &str,
        pick: impl Fn(&CameoStage) -> bool,
    ) -> CameoRecord {
        self.expect(what, |e| match e {
            CameoEvent::Changed(r) if r.key == key && pick(&r.stage) => Some(CameoRecord::clone(r)),
            _ => None,
        })
        .await
    }

    /// Creates a cameo from the sample video and waits until it is processed.
    async fn create(&mut self, key: &str, video: &Path) -> CameoRecord {
        self.send(CameoRequest::Create {
            key: key.into(),
            video: video.to_path_buf(),
            clip: (0.0, 3.0),
        })
        .await;
        self.stage(key, "Ready", |s| *s == CameoStage::Ready).await
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

/// The sample MP4 copied into `dir`.
fn sample_video(dir: &Path) -> PathBuf {
    let path = dir.join("me.mp4");
    std::fs::write(&path, asset("sample.mp4")).expect("copy the sample video");
    path
}

fn count(sim: &Sim, method: &str, path: &str) -> usize {
    requests_to(sim, method, path).len()
}

/// The visibility calls for the cameo `cameo_id`, by their exact route: a call made under a
/// missing or wrong id is not one of them.
fn visibility_calls(sim: &Sim, cameo_id: &str) -> Vec<RecordedRequest> {
    assert!(!cameo_id.is_empty(), "a cameo id to look for");
    requests_to(
        sim,
        "POST",
        &format!("/project_y/cameos/by_id/{cameo_id}/update_v2"),
    )
}

/// Every visibility call, whatever id it names.
fn any_visibility_calls(sim: &Sim) -> Vec<String> {
    sim.requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/update_v2"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[tokio::test]
async fn a_cameo_is_created_finalized_made_public_private_and_deleted() {
    // Processing takes 1 s at this speed (0.1 s at the test speed): a busy machine's first
    // processing poll still comes while the server reports a step, which is asserted below.
    let sim = start_sim(|c| c.speed = 10.0).await;
    let dir = tempfile::tempdir().unwrap();
    let video = sample_video(dir.path());
    let mut h = Harness::start(&sim, &dir.path().join("data"));
    assert_eq!(h.restored().await, vec![]);

    let ready = h.create("k1", &video).await;
    // Every step on the way was reported, with the server's own status text.
    let stages: Vec<&CameoStage> = h
        .seen
        .iter()
        .filter_map(|e| match e {
            CameoEvent::Changed(r) => Some(&r.stage),
            _ => None,
        })
        .collect();
    assert_eq!(stages[0], &CameoStage::Uploading, "{stages:#?}");
    assert!(
        stages
            .iter()
            .any(|s| matches!(s, CameoStage::Processing { status } if status != "uploaded, waiting for the server")),
        "the server's status text was shown: {stages:#?}"
    );
    let cameo_id = ready.cameo_id.clone().expect("the cameo id");
    assert!(cameo_id.starts_with("cameo_"), "{cameo_id}");
    assert_eq!(ready.video_bytes, Some(asset("sample.mp4").len() as u64));
    let hints = ready.hints.clone().expect("hints");
    assert_eq!(hints.username.as_deref(), Some("demo.cameo.1"));
    assert_eq!(hints.display_name.as_deref(), Some("Demo Cameo 1"));
    assert!(hints.profile_asset_url.is_some());
    assert_eq!(h.saved(), vec![ready.clone()], "written down as reported");
    let upload = &requests_to(&sim, "POST", "/characters/upload")[0];
    assert_eq!(upload.part("timestamps").expect("timestamps").data, b"0,3");

    h.send(CameoRequest::Finalize {
        key: "k1".into(),
        username: "demo.cameo.1".into(),
        display_name: "Demo Cameo 1".into(),
        public: true,
    })
    .await;
    let done = h
        .stage("k1", "Finalized", |s| *s == CameoStage::Finalized)
        .await;
    assert!(done.public, "{done:?}");
    assert_eq!(done.username.as_deref(), Some("demo.cameo.1"));
    let character = done.character_id.clone().expect("character id");
    assert!(character.starts_with("ch_"), "{character}");
    assert!(
        done.profile_pointer
            .as_deref()
            .unwrap_or("")
            .starts_with("sediment://")
    );
    let profile = &requests_to(&sim, "POST", "/project_y/file/upload")[0];
    assert_eq!(profile.part("use_case").expect("use_case").data, b"profile");
    let visibility = visibility_calls(&sim, &cameo_id);
    assert_eq!(visibility.len(), 1, "one visibility call for this cameo");
    assert_eq!(
        visibility[0].json,
        Some(serde_json::json!({"visibility": "public"}))
    );
    assert_eq!(h.saved(), vec![done.clone()]);

    h.send(CameoRequest::SetVisibility {
        key: "k1".into(),
        public: false,
    })
    .await;
    let private = h
        .stage("k1", "private", |s| *s == CameoStage::Finalized)
        .await;
    assert!(!private.public);
    assert_eq!(
        visibility_calls(&sim, &cameo_id)[1].json,
        Some(serde_json::json!({"visibility": "private"}))
    );

    h.send(CameoRequest::Delete { key: "k1".into() }).await;
    h.expect("Removed", |e| match e {
        CameoEvent::Removed { key } if key == "k1" => Some(()),
        _ => None,
    })
    .await;
    assert_eq!(
        count(
            &sim,
            "DELETE",
            &format!("/project_y/characters/{character}")
        ),
        1
    );
    assert_eq!(h.saved(), vec![]);
    h.shutdown().await;
}

#[tokio::test]
async fn a_file_that_is_not_an_mp4_is_refused_before_any_upload() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("notes.mp4");
    std::fs::write(&fake, b"just some text, whatever the name says").unwrap();
    let mut h = Harness::start(&sim, &dir.path().join("data"));
    h.restored().await;
    h.send(CameoRequest::Create {
        key: "k1".into(),
        video: fake,
        clip: (0.0, 3.0),
    })
    .await;
    let error = h
        .expect("CreateRejected", |e| match e {
            CameoEvent::CreateRejected { key, error } if key == "k1" => Some(error.clone()),
            _ => None,
        })
        .await;
    assert!(error.contains("not an MP4 video"), "{error}");
    assert_eq!(count(&sim, "POST", "/characters/upload"), 0);
    assert_eq!(h.saved(), vec![]);

    // A missing file is refused the same way.
    h.send(CameoRequest::Create {
        key: "k2".into(),
        video: dir.path().join("nowhere.mp4"),
        clip: (0.0, 3.0),
    })
    .await;
    let error = h
        .expect("CreateRejected", |e| match e {
            CameoEvent::CreateRejected { key, error } if key == "k2" => Some(error.clone()),
            _ => None,
        })
        .await;
    assert!(error.contains("cannot open"), "{error}");
    h.shutdown().await;
}

#[tokio::test]
async fn failed_processing_is_reported_with_the_servers_reason() {
    let sim = start_sim(|_| {}).await;
    sim.set_cameo_outcome(CameoOutcome::Fail);
    let dir = tempfile::tempdir().unwrap();
    let video = sample_video(dir.path());
    let mut h = Harness::start(&sim, &dir.path().join("data"));
    h.restored().await;
    h.send(CameoRequest::Create {
        key: "k1".into(),
        video,
        clip: (0.0, 3.0),
    })
    .await;
    let failed = h
        .stage("k1", "ProcessingFailed", |s| {
            matches!(s, CameoStage::ProcessingFailed { .. })
        })
        .await;
    let CameoStage::ProcessingFailed { reason } = &failed.stage else {
        unreachable!()
    };
    assert!(reason.contains("clear face"), "{reason}");
    assert_eq!(h.saved(), vec![failed.clone()]);

    // A cameo never finalized is only removed from the record.
    h.send(CameoRequest::Delete { key: "k1".into() }).await;
    h.expect("Removed", |e| {
        matches!(e, CameoEvent::Removed { key } if key == "k1").then_some(())
    })
    .await;
    assert!(
        sim.requests().iter().all(|r| r.method != "DELETE"),
        "nothing to delete on the server"
    );
    assert_eq!(h.saved(), vec![]);
    h.shutdown().await;
}

#[tokio::test]
async fn a_taken_username_is_retried_without_uploading_again() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let video = sample_video(dir.path());
    let mut h = Harness::start(&sim, &dir.path().join("data"));
    h.restored().await;
    h.create("k1", &video).await;

    // The worker checks the name first (tests/username.rs); here the check says it is free,
    // as when it is taken between the check and the finalize, so the finalize's own refusal
    // is what follows.
    sim.inject(FaultRule {
        method: Some("POST".into()),
        path: "/project_y/profile/username/check".into(),
        fault: Fault::Respond {
            status: 200,
            headers: Vec::new(),
            body: r#"{"available":true}"#.into(),
            content_type: None,
        },
        times: Some(1),
    });
    h.send(CameoRequest::Finalize {
        key: "k1".into(),
        username: "sora".into(),
        display_name: "Me".into(),
        public: false,
    })
    .await;
    let taken = h
        .stage("k1", "FinalizeFailed", |s| {
            matches!(s, CameoStage::FinalizeFailed { .. })
        })
        .await;
    // With a free name to try instead, made from the hint's last part (`demo.cameo.1`).
    match &taken.stage {
        CameoStage::FinalizeFailed {
            reason,
            username_taken: true,
        } => {
            let offer = reason
                .strip_prefix("the username @sora is taken: try @1")
                .and_then(|r| r.strip_suffix(" or choose another"))
                .unwrap_or_else(|| panic!("{reason}"));
            assert!(
                offer.len() == 3 && offer.chars().all(|c| c.is_ascii_digit()),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
    // What the retry needs is kept, in memory and on disk.
    assert!(taken.profile_pointer.is_some());
    assert_eq!(taken.username.as_deref(), Some("sora"));
    assert_eq!(h.saved(), vec![taken.clone()]);

    h.send(CameoRequest::Finalize {
        key: "k1".into(),
        username: "me.myself".into(),
        display_name: "Me".into(),
        public: false,
    })
    .await;
    let done = h
        .stage("k1", "Finalized", |s| *s == CameoStage::Finalized)
        .await;
    assert_eq!(done.username.as_deref(), Some("me.myself"));
    assert!(!done.public);
    assert_eq!(
        count(&sim, "POST", "/characters/upload"),
        1,
        "one video upload"
    );
    assert_eq!(
        count(&sim, "POST", "/project_y/file/upload"),
        1,
        "one profile picture upload"
    );
    assert_eq!(count(&sim, "POST", "/characters/finalize"), 2);
    let cameo_id = done.cameo_id.clone().expect("the cameo id");
    // The id the server gave: the processing poll was answered under it.
    assert!(
        requests_to(
            &sim,
            "GET",
            &format!("/project_y/cameos/in_progress/{cameo_id}")
        )
        .iter()
        .any(|r| r.status == 200),
        "{cameo_id} is the server's id"
    );
    assert_eq!(
        visibility_calls(&sim, &cameo_id).len(),
        0,
        "private is the default: no visibility call"
    );
    assert_eq!(
        any_visibility_calls(&sim),
        Vec::<String>::new(),
        "nor one under another id"
    );

    // The same count does see a visibility call for this cameo once one is made.
    h.send(CameoRequest::SetVisibility {
        key: "k1".into(),
        public: true,
    })
    .await;
    let public = h
        .stage("k1", "public", |s| *s == CameoStage::Finalized)
        .await;
    assert!(public.public, "{public:?}");
    let visibility = visibility_calls(&sim, &cameo_id);
    assert_eq!(visibility.len(), 1, "{:?}", any_visibility_calls(&sim));
    assert_eq!(
        visibility[0].json,
        Some(serde_json::json!({"visibility": "public"}))
    );
    h.shutdown().await;
}

#[tokio::test]
async fn a_stuck_cameo_is_abandoned_and_no_longer_polled() {
    let sim = start_sim(|_| {}).await;
    sim.set_cameo_outcome(CameoOutcome::Stuck);
    let dir = tempfile::tempdir().unwrap();
    let video = sample_video(dir.path());
    let mut h = Harness::start(&sim, &dir.path().join("data"));
    h.restored().await;
    h.send(CameoRequest::Create {
        key: "k1".into(),
        video,
        clip: (0.0, 3.0),
    })
    .await;
    let processing = h
        .stage("k1", "Processing", |s| {
            matches!(s, CameoStage::Processing { .. })
        })
        .await;
    let in_progress = format!(
        "/project_y/cameos/in_progress/{}",
        processing.cameo_id.clone().unwrap_or_default()
    );
    // Polled more than once while stuck.
    eventually(10, || async {
        (count(&sim, "GET", &in_progress) >= 3).then_some(())
    })
    .await;

    h.send(CameoRequest::Abandon { key: "k1".into() }).await;
    let abandoned = h
        .stage("k1", "Abandoned", |s| *s == CameoStage::Abandoned)
        .await;
    assert_eq!(h.saved(), vec![abandoned]);
    let polls = count(&sim, "GET", &in_progress);
    // Ten intervals of `fast_config()`: a watch still running would have polled again.
    tokio::time::sleep(CAMEO_POLL * 10).await;
    assert!(
        count(&sim, "GET", &in_progress) <= polls + 1,
        "polling stopped (at most one request was already on its way)"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn three_failed_polls_in_a_row_stop_checking_until_asked_again() {
    let sim = start_sim(|_| {}).await;
    sim.inject(FaultRule {
        method: Some("GET".into()),
        path: "/project_y/cameos/in_progress".into(),
        fault: Fault::ServerError,
        times: None,
    });
    let dir = tempfile::tempdir().unwrap();
    let video = sample_video(dir.path());
    let mut h = Harness::start(&sim, &dir.path().join("data"));
    h.restored().await;
    h.send(CameoRequest::Create {
        key: "k1".into(),
        video,
        clip: (0.0, 3.0),
    })
    .await;
    let stopped = h
        .stage("k1", "PollStopped", |s| {
            matches!(s, CameoStage::PollStopped { .. })
        })
        .await;
    let CameoStage::PollStopped { reason } = &stopped.stage else {
        unreachable!()
    };
    assert!(reason.contains("3 failed requests in a row"), "{reason}");
    assert!(
        reason.contains("HTTP 500"),
        "the last error is named: {reason}"
    );
    let attempts = sim
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/project_y/cameos/in_progress/"))
        .count();
    // Each failed check is the client's request plus its retries (the single retry policy).
    let per_check = 1 + sora_tui::api::RetryPolicy::fast().max_retries as usize;
    assert_eq!(attempts, 3 * per_check, "exactly three checks");
    assert_eq!(h.saved(), vec![stopped]);

    sim.clear_faults();
    h.send(CameoRequest::CheckAgain { key: "k1".into() }).await;
    h.stage("k1", "Ready", |s| *s == CameoStage::Ready).await;
    h.shutdown().await;
}

#[tokio::test]
async fn a_restart_while_processing_resumes_the_flow() {
    let sim = start_sim(|_| {}).await;
    // The first status check hangs, so the worker is stopped with the cameo still processing
    // in its record, whatever the machine's speed.
    sim.inject(FaultRule {
        method: Some("GET".into()),
        path: "/project_y/cameos/in_progress".into(),
        fault: Fault::Latency { ms: 60_000 },
        times: None,
    });
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let video = sample_video(dir.path());
    let mut h = Harness::start(&sim, &data);
    h.restored().await;
    h.send(CameoRequest::Create {
        key: "k1".into(),
        video,
        clip: (0.0, 3.0),
    })
    .await;
    let processing = h
        .stage("k1", "Processing", |s| {
            matches!(s, CameoStage::Processing { .. })
        })
        .await;
    h.shutdown().await;

    sim.clear_faults();
    let mut again = Harness::start(&sim, &data);
    let restored = again.restored().await;
    assert_eq!(
        restored,
        vec![processing.clone()],
        "restored as it was left"
    );
    let ready = again
        .stage("k1", "Ready", |s| *s == CameoStage::Ready)
        .await;
    assert_eq!(ready.cameo_id, processing.cameo_id, "the same cameo");
    assert_eq!(
        count(&sim, "POST", "/characters/upload"),
        1,
        "no new upload"
    );

    // A restart in the middle of finalizing resumes it too: stop while the profile picture
    // download hangs, then let it through.
    sim.inject(FaultRule {
        method: None,
        path: "/media".into(),
        fault: Fault::Latency { ms: 60_000 },
        times: None,
    });
    again
        .send(CameoRequest::Finalize {
            key: "k1".into(),
            username: "me.again".into(),
            display_name: "Me".into(),
            public: true,
        })
        .await;
    again
        .stage(
            "k1",
            "the profile picture download",
            |s| matches!(s, CameoStage::Finalizing { step } if step.contains("downloading")),
        )
        .await;
    again.shutdown().await;
    sim.clear_faults();
    let mut third = Harness::start(&sim, &data);
    let restored = third.restored().await;
    assert!(
        matches!(restored[0].stage, CameoStage::Finalizing { .. }),
        "{restored:?}"
    );
    let done = third
        .stage("k1", "Finalized", |s| *s == CameoStage::Finalized)
        .await;
    assert!(done.public);
    assert_eq!(done.username.as_deref(), Some("me.again"));
    third.shutdown().await;
}

#[tokio::test]
async fn an_interrupted_upload_comes_back_as_a_failed_upload_that_keeps_its_file() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let video = sample_video(dir.path());
    // What a run stopped during the upload leaves behind.
    let left = CameoRecord::uploading(
        "k1".into(),
        1_800_000_000.0,
        video.clone(),
        Some(32_261),
        (1.0, 4.0),
    );
    Store::new(&data)
        .save("cameos.json", &vec![left.clone()])
        .expect("seed the record");
    let mut h = Harness::start(&sim, &data);
    let restored = h.restored().await;
    let CameoStage::UploadFailed { reason } = &restored[0].stage else {
        panic!("{restored:?}");
    };
    assert!(reason.contains("interrupted"), "{reason}");
    assert_eq!(restored[0].video, video);
    assert_eq!(restored[0].clip, (1.0, 4.0));
    assert_eq!(h.saved(), restored, "the new stage is written down");

    // Retrying with the same key replaces the record and uploads again.
    h.send(CameoRequest::Create {
        key: "k1".into(),
        video,
        clip: (1.0, 4.0),
    })
    .await;
    let ready = h.stage("k1", "Ready", |s| *s == CameoStage::Ready).await;
    assert_eq!(ready.created_at, left.created_at, "the same entry");
    assert_eq!(h.saved().len(), 1);
    h.shutdown().await;
}

#[tokio::test]
async fn requests_out_of_turn_are_refused_without_touching_the_cameo() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let video = sample_video(dir.path());
    let mut h = Harness::start(&sim, &dir.path().join("data"));
    h.restored().await;
    let ready = h.create("k1", &video).await;

    // Uploading again over a processed cameo would lose it.
    h.send(CameoRequest::Create {
        key: "k1".into(),
        video: video.clone(),
        clip: (0.0, 3.0),
    })
    .await;
    let error = h
        .expect("CreateRejected", |e| match e {
            CameoEvent::CreateRejected { key, error } if key == "k1" => Some(error.clone()),
            _ => None,
        })
        .await;
    assert!(error.contains("already uploaded"), "{error}");
    assert_eq!(count(&sim, "POST", "/characters/upload"), 1);

    // Visibility before finalizing, and finalizing twice, are refused.
    h.send(CameoRequest::SetVisibility {
        key: "k1".into(),
        public: true,
    })
    .await;
    h.expect("ActionFailed", |e| {
        matches!(e, CameoEvent::ActionFailed { key, what, .. } if key == "k1" && what == "make public")
            .then_some(())
    })
    .await;
    h.send(CameoRequest::Finalize {
        key: "k1".into(),
        username: "once.only".into(),
        display_name: "Once".into(),
        public: false,
    })
    .await;
    h.stage("k1", "Finalized", |s| *s == CameoStage::Finalized)
        .await;
    h.send(CameoRequest::Finalize {
        key: "k1".into(),
        username: "twice".into(),
        display_name: "Twice".into(),
        public: false,
    })
    .await;
    h.expect("ActionFailed", |e| {
        matches!(e, CameoEvent::ActionFailed { key, what, .. } if key == "k1" && what == "finalize")
            .then_some(())
    })
    .await;
    assert_eq!(count(&sim, "POST", "/characters/finalize"), 1);
    let saved = h.saved();
    assert_eq!(saved[0].username.as_deref(), Some("once.only"));
    assert_eq!(saved[0].cameo_id, ready.cameo_id);
    h.shutdown().await;
}
