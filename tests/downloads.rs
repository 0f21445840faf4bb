//! Downloads against the simulator: resumed after a broken connection, refreshed when the
//! signed URL has expired, length-checked, skipped when complete, described by a sidecar,
//! kept inside the download folder, and copies without the watermark whose temporary post
//! is always deleted — after the download, after a failed one, and at the next start when an
//! earlier run was interrupted.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::harness::{WorkerHarness, fast_config};
use common::*;
use sora_tui::api::{ApiError, Client, NetworkKind};
use sora_tui::sim::{Fault, FaultRule, Sim, TokenKind};
use sora_tui::store::Store;
use sora_tui::worker::{
    CleanupEntry, DraftsEvent, DraftsRequest, Event, Request, Sidecar, WorkerConfig,
};

fn rule(path: &str, fault: Fault, times: Option<u32>) -> FaultRule {
    FaultRule {
        method: None,
        path: path.into(),
        fault,
        times,
    }
}

fn media_requests(sim: &Sim) -> Vec<sora_tui::sim::RecordedRequest> {
    sim.requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/media"))
        .collect()
}

fn deletes_of(sim: &Sim, post_id: &str) -> usize {
    requests_to(sim, "DELETE", &format!("/project_y/post/{post_id}")).len()
}

async fn post_is_gone(client: &Client, post_id: &str) -> bool {
    matches!(
        client.get_post(post_id).await,
        Err(ApiError::Rejected { status: 404, .. })
    )
}

struct Harness(WorkerHarness);

deref_to_harness!(Harness => WorkerHarness);

impl Harness {
    fn start(sim: &Sim, dir: &Path) -> Harness {
        let config = WorkerConfig {
            poll_min: Duration::from_millis(20),
            poll_max: Duration::from_millis(100),
            ..fast_config()
        };
        Harness(WorkerHarness::start(
            client_for(sim),
            Store::new(dir.join("data")),
            config,
        ))
    }

    /// The outcome of the download of `gen_id`.
    async fn outcome(&mut self, gen_id: &str) -> Result<PathBuf, ApiError> {
        self.expect("the download's outcome", |e| match e {
            Event::Drafts(DraftsEvent::Downloaded { gen_id: g, path }) if g == gen_id => {
                Some(Ok(path.clone()))
            }
            // A clean copy's end (whether it turned out clean is checked in clean_copy.rs).
            Event::Drafts(DraftsEvent::PostCopySaved {
                gen_id: g, path, ..
            }) if g == gen_id => Some(Ok(path.clone())),
            Event::Drafts(DraftsEvent::DownloadFailed { gen_id: g, error }) if g == gen_id => {
                Some(Err(error.clone()))
            }
            _ => None,
        })
        .await
    }

    fn cleanup_entries(&self) -> Vec<CleanupEntry> {
        self.store
            .load::<Vec<CleanupEntry>>("cleanup.json")
            .expect("cleanup.json reads")
            .unwrap_or_default()
    }

    async fn shutdown(self) {
        self.0.shutdown().await;
    }
}

#[tokio::test]
async fn a_broken_download_resumes_with_range() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let draft = ready_draft(&client, "resume me").await;
    sim.inject(rule("/media", Fault::TruncatedBody, Some(1)));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    let done = client
        .download_to(draft.best_url().unwrap(), &dest, None, |_, _| {})
        .await
        .unwrap();
    let media = media_requests(&sim);
    assert_eq!(media.len(), 2, "one broken request, one resumed");
    assert_eq!(media[0].header("range"), None);
    let range = media[1]
        .header("range")
        .expect("the retry asks for the rest");
    assert_eq!(range, format!("bytes={}-", done.resumed_from));
    assert!(done.resumed_from > 0, "{done:?}");
    assert_eq!(media[1].status, 206);
    assert_eq!(std::fs::read(&dest).unwrap(), asset("sample.mp4"));
    assert!(!sora_tui::api::part_path(&dest).exists());
}

/// Every media answer is complete and cleanly ended on the wire, yet holds half of the
/// length its `Content-Range` announces: only the length check stands between it and the
/// final name.
#[tokio::test]
async fn a_length_mismatch_never_takes_the_final_name() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let draft = ready_draft(&client, "announced more than it sent").await;
    let gen_id = draft.gen_id().unwrap().to_string();
    let size = asset("sample.mp4").len() as u64;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dl");
    let mut h = Harness::start(&sim, dir.path());
    sim.inject(rule("/media", Fault::ShortRange, None));
    h.send(Request::Drafts(DraftsRequest::SaveDraft {
        draft: Box::new(draft),
        dir: out.clone(),
    }))
    .await;
    let error = h.outcome(&gen_id).await.unwrap_err();
    assert!(
        matches!(&error, ApiError::Network { kind: NetworkKind::Interrupted, detail }
            if detail.contains("length mismatch")),
        "{error:?}"
    );
    let media = media_requests(&sim);
    assert!(!media.is_empty());
    assert!(
        media.iter().all(|r| r.status == 206),
        "every answer was the clean short range: {:?}",
        media.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    let dest = out.join(format!("{gen_id}.mp4"));
    assert!(!dest.exists(), "the final name never appears");
    assert!(!out.join(format!("{gen_id}.json")).exists(), "no sidecar");
    let kept = std::fs::metadata(sora_tui::api::part_path(&dest)).map_or(0, |m| m.len());
    assert!(
        kept <= size,
        "no more than announced is kept: {kept} of {size}"
    );
    h.shutdown().await;
}

/// A cut connection is a transport error: the part keeps what arrived and the final name
/// never appears; a part longer than the file is discarded and the file fetched again.
#[tokio::test]
async fn a_cut_transfer_keeps_its_part_and_a_too_long_part_is_discarded() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let draft = ready_draft(&client, "short").await;
    let url = draft.best_url().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    let size = asset("sample.mp4").len() as u64;

    // Every answer is cut short: the bytes never add up to the announced length.
    sim.inject(rule("/media", Fault::TruncatedBody, None));
    let before = media_requests(&sim).len();
    let e = client
        .download_to(&url, &dest, None, |_, _| {})
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Network { .. }), "{e:?}");
    assert_eq!(
        media_requests(&sim).len() - before,
        3,
        "three tries in all, each resuming from the part, then the error"
    );
    assert!(!dest.exists());
    let part = sora_tui::api::part_path(&dest);
    let kept = std::fs::metadata(&part).unwrap().len();
    assert!(kept > 0 && kept < size, "{kept} of {size}");
    sim.clear_faults();

    // A part longer than the file cannot be right: discarded, downloaded again.
    std::fs::write(&part, vec![0u8; size as usize + 10]).unwrap();
    client
        .download_to(&url, &dest, None, |_, _| {})
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), asset("sample.mp4"));
    assert!(media_requests(&sim).iter().any(|r| r.status == 416));
}

/// A resume answered with a range that starts elsewhere than asked cannot be appended: the
/// part is dropped and the file fetched again from the start, so it comes out whole.
#[tokio::test]
async fn a_resume_answered_from_another_offset_starts_over() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let draft = ready_draft(&client, "misplaced range").await;
    let url = draft.best_url().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    let part = sora_tui::api::part_path(&dest);
    std::fs::write(&part, b"0123456789").unwrap();
    sim.inject(rule(
        "/media",
        Fault::Respond {
            status: 206,
            headers: vec![("content-range".into(), "bytes 0-4/5".into())],
            body: "hello".into(),
            content_type: Some("video/mp4".into()),
        },
        Some(1),
    ));
    client
        .download_to(&url, &dest, None, |_, _| {})
        .await
        .unwrap();
    assert_eq!(
        std::fs::read(&dest).unwrap(),
        asset("sample.mp4"),
        "the whole file, nothing of the misplaced answer or the old part"
    );
    let asked: Vec<_> = media_requests(&sim)
        .iter()
        .map(|r| r.header("range").map(str::to_string))
        .collect();
    assert_eq!(
        asked,
        [Some("bytes=10-".to_string()), None],
        "resumed, then from the start"
    );
}

/// The cap refuses only what is over it: a file of exactly `max_download_bytes` is taken.
#[tokio::test]
async fn a_file_of_exactly_the_cap_is_downloaded() {
    let sim = start_sim(|_| {}).await;
    let size = asset("sample.mp4").len() as u64;
    let client = client_with(&sim, |c| c.max_download_bytes = size);
    let draft = ready_draft(&client, "at the cap").await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    let done = client
        .download_to(draft.best_url().unwrap(), &dest, None, |_, _| {})
        .await
        .unwrap();
    assert_eq!(done.bytes, size);
    let tight = client_with(&sim, |c| c.max_download_bytes = size - 1);
    let e = tight
        .download_to(
            draft.best_url().unwrap(),
            &dir.path().join("w.mp4"),
            None,
            |_, _| {},
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, ApiError::BadResponse { .. }),
        "one byte over: {e:?}"
    );
}

/// An empty file under the final name is what a crash or a full disk leaves, not a download:
/// with no length to compare against, it is fetched again rather than skipped.
#[tokio::test]
async fn an_empty_file_under_the_final_name_is_downloaded_again() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let draft = ready_draft(&client, "empty").await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    std::fs::write(&dest, b"").unwrap();
    let done = client
        .download_to(draft.best_url().unwrap(), &dest, None, |_, _| {})
        .await
        .unwrap();
    assert!(!done.skipped, "{done:?}");
    assert_eq!(std::fs::read(&done.path).unwrap(), asset("sample.mp4"));
}

#[tokio::test]
async fn a_complete_file_is_skipped_without_a_request() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let draft = ready_draft(&client, "skip").await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    std::fs::write(&dest, b"already here").unwrap();
    let before = media_requests(&sim).len();
    let done = client
        .download_to(draft.best_url().unwrap(), &dest, None, |_, _| {})
        .await
        .unwrap();
    assert!(done.skipped);
    assert_eq!(media_requests(&sim).len(), before);
    // With a known size a file of another size is not complete.
    let done = client
        .download_to(draft.best_url().unwrap(), &dest, Some(1), |_, _| {})
        .await
        .unwrap();
    assert!(!done.skipped);
    assert_eq!(std::fs::read(&dest).unwrap(), asset("sample.mp4"));
}

#[tokio::test]
async fn the_worker_downloads_writes_a_sidecar_and_skips_next_time() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let draft = ready_draft(&client, "a sidecar for me").await;
    let gen_id = draft.gen_id().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dl");
    let mut h = Harness::start(&sim, dir.path());
    h.send(Request::Drafts(DraftsRequest::SaveDraft {
        draft: Box::new(draft.clone()),
        dir: out.clone(),
    }))
    .await;
    let path = h.outcome(&gen_id).await.unwrap();
    assert_eq!(path, out.join(format!("{gen_id}.mp4")));
    assert_eq!(std::fs::read(&path).unwrap(), asset("sample.mp4"));

    let text = std::fs::read_to_string(out.join(format!("{gen_id}.json"))).unwrap();
    assert!(
        !text.contains("sig="),
        "no signed URL in the sidecar: {text}"
    );
    let side: Sidecar = serde_json::from_str(&text).unwrap();
    assert_eq!(side.prompt.as_deref(), Some("a sidecar for me"));
    assert_eq!(side.generation_id, gen_id);
    assert_eq!(side.task_id, draft.task_id);
    assert_eq!(side.post_id, None);
    assert_eq!((side.width, side.height), (draft.width, draft.height));
    assert_eq!(side.duration_s, draft.duration_s);
    assert_eq!(side.bytes, asset("sample.mp4").len() as u64);
    assert!(!side.clean);
    assert!(side.downloaded_at > 0.0);
    let host = reqwest::Url::parse(draft.best_url().unwrap())
        .unwrap()
        .host_str()
        .unwrap()
        .to_string();
    assert_eq!(side.media_host.as_deref(), Some(host.as_str()));

    let before = media_requests(&sim).len();
    h.send(Request::Drafts(DraftsRequest::SaveDraft {
        draft: Box::new(draft),
        dir: out.clone(),
    }))
    .await;
    assert_eq!(h.outcome(&gen_id).await.unwrap(), path);
    assert_eq!(media_requests(&sim).len(), before, "complete: no request");
    h.shutdown().await;
}

#[tokio::test]
async fn an_expired_link_is_refreshed_from_the_draft() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let mut draft = ready_draft(&client, "expired").await;
    let gen_id = draft.gen_id().unwrap().to_string();
    // A signature the server no longer accepts, as after the link's expiry: 403.
    let stale = draft.best_url().unwrap().replace("sig=", "sig=00");
    draft.downloadable_url = Some(stale);
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::start(&sim, dir.path());
    let drafts_before = requests_to(&sim, "GET", "/project_y/profile/drafts").len()
        + requests_to(&sim, "GET", "/project_y/profile/drafts/v2").len();
    h.send(Request::Drafts(DraftsRequest::SaveDraft {
        draft: Box::new(draft),
        dir: dir.path().join("dl"),
    }))
    .await;
    let path = h.outcome(&gen_id).await.unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), asset("sample.mp4"));
    let media = media_requests(&sim);
    assert_eq!(media[0].status, 403);
    assert_eq!(media.last().unwrap().status, 200);
    let drafts_after = requests_to(&sim, "GET", "/project_y/profile/drafts").len()
        + requests_to(&sim, "GET", "/project_y/profile/drafts/v2").len();
    assert!(drafts_after > drafts_before, "the draft was read again");

    // A 404 from the media host is treated the same way.
    let draft = ready_draft(&client, "gone").await;
    let gen_id = draft.gen_id().unwrap().to_string();
    sim.inject(rule("/media", Fault::Gone404, Some(1)));
    h.send(Request::Drafts(DraftsRequest::SaveDraft {
        draft: Box::new(draft),
        dir: dir.path().join("dl"),
    }))
    .await;
    let path = h.outcome(&gen_id).await.unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), asset("sample.mp4"));
    h.shutdown().await;
}

#[tokio::test]
async fn a_hostile_generation_id_cannot_leave_the_download_folder() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let mut draft = ready_draft(&client, "hostile").await;
    draft.id = Some("../../x".into());
    draft.generation_id = None;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("a").join("b").join("dl");
    let mut h = Harness::start(&sim, dir.path());
    h.send(Request::Drafts(DraftsRequest::SaveDraft {
        draft: Box::new(draft),
        dir: out.clone(),
    }))
    .await;
    // Not an id, so no file name: refused with a message, nothing written anywhere.
    let error = h.outcome("../../x").await.unwrap_err();
    assert!(error.to_string().contains("is not a usable id"), "{error}");
    assert!(!out.exists(), "nothing was written");
    for escaped in ["x.mp4", "x.json"] {
        assert!(!dir.path().join("a").join(escaped).exists());
        assert!(!dir.path().join(escaped).exists());
    }
    h.shutdown().await;
}

/// The id of the post the clean download published (from its DELETE, or the event).
async fn temp_post_deleted(h: &mut Harness) -> String {
    h.expect("TempPostDeleted", |e| match e {
        Event::Drafts(DraftsEvent::TempPostDeleted { post_id }) => Some(post_id.clone()),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn a_clean_copy_is_the_source_file_and_its_post_is_deleted() {
    // A mobile-app token: only it is given the clean file as the post's source.
    let sim = start_sim(|c| c.token_kind = TokenKind::Mobile).await;
    let client = client_for(&sim);
    let draft = ready_draft(&client, "clean please").await;
    let gen_id = draft.gen_id().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dl");
    let mut h = Harness::start(&sim, dir.path());
    h.send(Request::Drafts(DraftsRequest::SaveClean {
        draft: Box::new(draft),
        dir: out.clone(),
    }))
    .await;
    let post_id = temp_post_deleted(&mut h).await;
    let path = h.outcome(&gen_id).await.unwrap();
    assert_eq!(path, out.join(format!("{gen_id}.clean.mp4")));
    assert_eq!(std::fs::read(&path).unwrap(), asset("sample_clean.mp4"));
    assert_eq!(deletes_of(&sim, &post_id), 1);
    assert!(post_is_gone(&client, &post_id).await);
    assert!(h.cleanup_entries().is_empty());
    let side: Sidecar =
        serde_json::from_slice(&std::fs::read(out.join(format!("{gen_id}.clean.json"))).unwrap())
            .unwrap();
    assert!(side.clean);
    assert_eq!(side.post_id.as_deref(), Some(post_id.as_str()));
    assert!(
        h.seen
            .iter()
            .any(|e| matches!(e, Event::Drafts(DraftsEvent::DownloadStage { .. }))),
        "the steps are reported"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn the_post_is_deleted_when_the_clean_download_fails() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let draft = ready_draft(&client, "doomed").await;
    let gen_id = draft.gen_id().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::start(&sim, dir.path());
    sim.inject(rule("/media", Fault::ServerError, None));
    h.send(Request::Drafts(DraftsRequest::SaveClean {
        draft: Box::new(draft),
        dir: dir.path().join("dl"),
    }))
    .await;
    let post_id = temp_post_deleted(&mut h).await;
    let error = h.outcome(&gen_id).await.unwrap_err();
    assert!(matches!(error, ApiError::Server { .. }), "{error:?}");
    assert_eq!(deletes_of(&sim, &post_id), 1);
    assert!(post_is_gone(&client, &post_id).await);
    assert!(h.cleanup_entries().is_empty());
    h.shutdown().await;
}

#[tokio::test]
async fn a_post_left_by_a_crash_is_deleted_at_start() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    // Crashed after the publish answered: the post id is recorded.
    let known = ready_draft(&client, "crash after publish").await;
    let known_gen = known.gen_id().unwrap().to_string();
    let known_post = client.publish(&known_gen).await.unwrap().id;
    // Crashed before the publish answered: only the draft is recorded.
    let unknown = ready_draft(&client, "crash during publish").await;
    let unknown_gen = unknown.gen_id().unwrap().to_string();
    let unknown_post = client.publish(&unknown_gen).await.unwrap().id;

    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path().join("data"));
    let entries = vec![
        CleanupEntry {
            gen_id: known_gen,
            post_id: Some(known_post.clone()),
            since: 1.0,
        },
        CleanupEntry {
            gen_id: unknown_gen,
            post_id: None,
            since: 1.0,
        },
    ];
    store.save("cleanup.json", &entries).unwrap();

    let mut h = Harness::start(&sim, dir.path());
    let mut deleted = vec![
        temp_post_deleted(&mut h).await,
        temp_post_deleted(&mut h).await,
    ];
    deleted.sort();
    let mut expected = vec![known_post.clone(), unknown_post.clone()];
    expected.sort();
    assert_eq!(deleted, expected);
    assert!(post_is_gone(&client, &known_post).await);
    assert!(post_is_gone(&client, &unknown_post).await);
    assert!(h.cleanup_entries().is_empty());
    h.shutdown().await;
}

/// The publish of the temporary post goes through on the server but is answered with a 500,
/// and the delete right after fails too: only the entry written before publishing still
/// knows of the post, and the next start deletes it.
#[tokio::test]
async fn an_unanswered_publish_stays_recorded_and_the_next_start_deletes_its_post() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let draft = ready_draft(&client, "published without an answer").await;
    let gen_id = draft.gen_id().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::start(&sim, dir.path());
    sim.inject(FaultRule {
        method: Some("POST".into()),
        path: "/project_y/post".into(),
        fault: Fault::ProcessedThen {
            then: Box::new(Fault::ServerError),
        },
        times: Some(1),
    });
    sim.inject(FaultRule {
        method: Some("DELETE".into()),
        path: "/project_y/post".into(),
        fault: Fault::ServerError,
        times: None,
    });
    h.send(Request::Drafts(DraftsRequest::SaveClean {
        draft: Box::new(draft),
        dir: dir.path().join("dl"),
    }))
    .await;
    h.expect("TempPostCleanupFailed", |e| match e {
        Event::Drafts(DraftsEvent::TempPostCleanupFailed { gen_id: g, .. }) if *g == gen_id => {
            Some(())
        }
        _ => None,
    })
    .await;
    let error = h.outcome(&gen_id).await.unwrap_err();
    assert!(matches!(error, ApiError::Server { .. }), "{error:?}");
    assert_eq!(requests_to(&sim, "POST", "/project_y/post").len(), 1);
    // The post exists although its publish was answered with a 500.
    let post_id = client
        .drafts(30, None)
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|d| d.gen_id() == Some(gen_id.as_str()))
        .and_then(|d| d.published_post_id())
        .expect("the server published the draft");
    assert!(client.get_post(&post_id).await.is_ok());
    let entries = h.cleanup_entries();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].gen_id, gen_id);
    h.shutdown().await;

    sim.clear_faults();
    let mut next = Harness::start(&sim, dir.path());
    assert_eq!(temp_post_deleted(&mut next).await, post_id);
    let deletes = requests_to(&sim, "DELETE", &format!("/project_y/post/{post_id}"));
    assert_eq!(deletes.last().map(|r| r.status), Some(200), "{deletes:?}");
    assert!(post_is_gone(&client, &post_id).await);
    assert!(next.cleanup_entries().is_empty());
    next.shutdown().await;
}

/// Once the publish has answered, the post's id is written into cleanup.json beside the
/// draft's. A run whose delete fails leaves that entry behind, and the next start deletes the
/// post by the recorded id directly: even when the drafts, the only other way to the post,
/// cannot be read.
#[tokio::test]
async fn the_answered_publish_records_its_post_id_so_the_next_start_needs_no_drafts() {
    // A mobile-app token: the clean copy itself succeeds, only the delete fails.
    let sim = start_sim(|c| c.token_kind = TokenKind::Mobile).await;
    let client = client_for(&sim);
    let draft = ready_draft(&client, "post id recorded").await;
    let gen_id = draft.gen_id().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::start(&sim, dir.path());
    sim.inject(FaultRule {
        method: Some("DELETE".into()),
        path: "/project_y/post".into(),
        fault: Fault::ServerError,
        times: None,
    });
    h.send(Request::Drafts(DraftsRequest::SaveClean {
        draft: Box::new(draft),
        dir: dir.path().join("dl"),
    }))
    .await;
    let post_id = h
        .expect("TempPostCleanupFailed", |e| match e {
            Event::Drafts(DraftsEvent::TempPostCleanupFailed {
                gen_id: g, post_id, ..
            }) if *g == gen_id => Some(post_id.clone()),
            _ => None,
        })
        .await
        .expect("the publish answered, so the failed delete names its post");
    h.outcome(&gen_id).await.unwrap();
    assert!(client.get_post(&post_id).await.is_ok(), "not deleted yet");
    let entries = h.cleanup_entries();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].gen_id, gen_id);
    assert_eq!(
        entries[0].post_id.as_deref(),
        Some(post_id.as_str()),
        "the post id is recorded: {entries:?}"
    );
    h.shutdown().await;

    sim.clear_faults();
    // The drafts cannot be read at the next start: without the recorded id the sweep could
    // not tell whether, or as which post, the draft was published.
    sim.inject(FaultRule {
        method: Some("GET".into()),
        path: "/project_y/profile/drafts".into(),
        fault: Fault::ServerError,
        times: None,
    });
    let mut next = Harness::start(&sim, dir.path());
    let swept = next
        .expect("the sweep's report", |e| match e {
            Event::Drafts(DraftsEvent::TempPostDeleted { post_id }) => Some(Ok(post_id.clone())),
            Event::Drafts(DraftsEvent::TempPostCleanupFailed { error, .. }) => {
                Some(Err(error.clone()))
            }
            _ => None,
        })
        .await;
    assert_eq!(swept, Ok(post_id.clone()));
    let deletes = requests_to(&sim, "DELETE", &format!("/project_y/post/{post_id}"));
    assert_eq!(deletes.last().map(|r| r.status), Some(200), "{deletes:?}");
    assert!(post_is_gone(&client, &post_id).await);
    assert!(next.cleanup_entries().is_empty());
    next.shutdown().await;
}

#[tokio::test]
async fn an_already_published_draft_keeps_its_post() {
    // A mobile-app token: only it is given the clean file as the post's source.
    let sim = start_sim(|c| c.token_kind = TokenKind::Mobile).await;
    let client = client_for(&sim);
    let draft = ready_draft(&client, "mine to keep").await;
    let gen_id = draft.gen_id().unwrap().to_string();
    let post_id = client.publish(&gen_id).await.unwrap().id;
    let published = client
        .drafts(30, None)
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|d| d.gen_id() == Some(gen_id.as_str()))
        .unwrap();
    assert_eq!(published.published_post_id(), Some(post_id.clone()));
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::start(&sim, dir.path());
    h.send(Request::Drafts(DraftsRequest::SaveClean {
        draft: Box::new(published),
        dir: dir.path().join("dl"),
    }))
    .await;
    let path = h.outcome(&gen_id).await.unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), asset("sample_clean.mp4"));
    assert_eq!(deletes_of(&sim, &post_id), 0);
    assert_eq!(requests_to(&sim, "POST", "/project_y/post").len(), 1);
    assert!(client.get_post(&post_id).await.is_ok());
    h.shutdown().await;
}
