//! `sora-tui archive`: a 200-draft simulated account archived completely, incrementally,
//! after a kill, and with an expired link renewed.

mod common;

use std::path::Path;

use common::{client_for, start_sim};
use serde_json::Value;
use sora_tui::archive::{self, Options};
use sora_tui::sim::{Fault, FaultRule};
use sora_tui::worker::Naming;

fn options(dir: &Path) -> Options {
    Options {
        dir: dir.to_path_buf(),
        data_dir: None,
        naming: Naming::default(),
    }
}

fn manifest(dir: &Path) -> Value {
    let bytes = std::fs::read(dir.join("manifest.json")).expect("manifest.json reads");
    serde_json::from_slice(&bytes).expect("manifest.json is JSON")
}

fn media_requests(sim: &sora_tui::sim::Sim) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.path.starts_with("/media"))
        .count()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every downloaded entry's file is there, complete and of the recorded hash; no `.part`.
fn check_files(dir: &Path, m: &Value) -> usize {
    let mut files = 0;
    for e in m["entries"].as_array().expect("entries") {
        if e["status"] == "downloaded" {
            let file = dir.join(e["file"].as_str().expect("a downloaded entry's file"));
            let bytes = std::fs::read(&file).unwrap_or_else(|_| panic!("{file:?} missing"));
            assert_eq!(
                bytes.len() as u64,
                e["bytes"].as_u64().expect("bytes"),
                "{file:?}"
            );
            assert_eq!(
                sha256_hex(&bytes),
                e["sha256"].as_str().expect("sha256"),
                "{file:?}"
            );
            files += 1;
        }
    }
    for sub in ["drafts", "posts", "images", "cameos"] {
        for f in std::fs::read_dir(dir.join(sub)).into_iter().flatten() {
            let name = f
                .expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned();
            assert!(!name.ends_with(".part"), "{sub}/{name} left partial");
        }
    }
    files
}

#[tokio::test]
async fn a_200_draft_account_is_archived_completely_and_a_second_run_downloads_nothing() {
    let sim = start_sim(|c| {
        c.seed_drafts = 200;
        c.seed_mixed = true;
    })
    .await;
    let client = client_for(&sim);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("archive");
    let mut last = None;
    let summary = archive::run(&client, &options(&dir), |p| last = Some(p))
        .await
        .unwrap();
    assert!(summary.failed.is_empty(), "{:?}", summary.failed);
    let m = manifest(&dir);
    let entries = m["entries"].as_array().unwrap();
    let drafts: Vec<&Value> = entries.iter().filter(|e| e["kind"] == "draft").collect();
    assert_eq!(drafts.len(), 200, "every draft is in the manifest");
    let count = |s: &str| drafts.iter().filter(|e| e["status"] == s).count();
    // The mix of `SimConfig::seed_mixed`: every tenth a violation, every seventeenth of the
    // rest without media.
    assert_eq!(count("content_violation"), 20);
    assert!(count("no_media") >= 10, "{}", count("no_media"));
    assert_eq!(count("downloaded"), 200 - 20 - count("no_media"));
    let images = entries.iter().filter(|e| e["kind"] == "image").count();
    assert_eq!(images, 30, "20 image generations of one or two images");
    let posts: Vec<&Value> = entries.iter().filter(|e| e["kind"] == "post").collect();
    assert!(!posts.is_empty());
    assert!(
        posts
            .iter()
            .all(|p| p["status"] == "skipped" && p["reason"].as_str().unwrap().contains("drafts/")),
        "a post of a listed draft points at the draft's file"
    );
    let files = check_files(&dir, &m);
    assert_eq!(files, summary.new);
    assert_eq!(last.unwrap().done, files);
    // The CSV: a header and one row per entry.
    let csv = std::fs::read_to_string(dir.join("manifest.csv")).unwrap();
    assert_eq!(
        csv.split("\r\n").filter(|l| !l.is_empty()).count(),
        entries.len() + 1
    );
    assert!(csv.starts_with("kind,id,"));

    sim.clear_requests();
    let again = archive::run(&client, &options(&dir), |_| {}).await.unwrap();
    assert_eq!(media_requests(&sim), 0, "nothing is downloaded again");
    assert_eq!((again.new, again.skipped), (0, files));
    assert_eq!(
        manifest(&dir)["entries"].as_array().unwrap().len(),
        entries.len()
    );

    // A file changed on disk is not taken as complete.
    let one = dir.join(
        drafts.iter().find(|e| e["status"] == "downloaded").unwrap()["file"]
            .as_str()
            .unwrap(),
    );
    std::fs::write(&one, b"not the video").unwrap();
    sim.clear_requests();
    let third = archive::run(&client, &options(&dir), |_| {}).await.unwrap();
    assert_eq!(third.new, 1);
    assert_eq!(media_requests(&sim), 1);
    check_files(&dir, &manifest(&dir));
}

#[tokio::test]
async fn an_expired_link_is_renewed_from_the_drafts_list() {
    let sim = start_sim(|c| c.seed_drafts = 3).await;
    sim.inject(FaultRule {
        method: None,
        path: "/media".into(),
        fault: Fault::Gone404,
        times: Some(1),
    });
    let client = client_for(&sim);
    let tmp = tempfile::tempdir().unwrap();
    let summary = archive::run(&client, &options(tmp.path()), |_| {})
        .await
        .unwrap();
    assert!(summary.failed.is_empty(), "{:?}", summary.failed);
    assert_eq!(summary.new, 3);
    // The drafts were read once to list them and once more for the renewed link.
    let listings = sim
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/project_y/profile/drafts"))
        .count();
    assert!(listings >= 2, "{listings}");
    check_files(tmp.path(), &manifest(tmp.path()));
}

#[tokio::test]
async fn a_run_killed_halfway_is_finished_by_the_next_without_duplicates_or_parts() {
    let sim = start_sim(|c| {
        c.seed_drafts = 60;
        c.seed_mixed = true;
    })
    .await;
    // Slow media, so the kill lands while files are arriving.
    sim.inject(FaultRule {
        method: None,
        path: "/media".into(),
        fault: Fault::Latency { ms: 150 },
        times: None,
    });
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("archive");
    let mut cmd = common::bin::cli_command(&sim, home.path());
    cmd.arg("archive").arg(&dir);
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    common::eventually(30, || {
        let dir = dir.clone();
        async move {
            // Files the manifest records as downloaded (not merely `.part` files on disk),
            // so the next run has some to skip however slow this machine is.
            let bytes = std::fs::read(dir.join("manifest.json")).ok()?;
            let m: Value = serde_json::from_slice(&bytes).ok()?;
            let n = m["entries"]
                .as_array()?
                .iter()
                .filter(|e| e["status"] == "downloaded")
                .count();
            (n >= 3).then_some(())
        }
    })
    .await;
    child.start_kill().unwrap(); // SIGKILL
    let status = child.wait().await.unwrap();
    assert!(!status.success(), "killed before the end");
    sim.clear_faults();
    let mut cmd = common::bin::cli_command(&sim, home.path());
    cmd.args(["--json", "archive"]).arg(&dir);
    let out = common::bin::output_within(cmd, 60).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.contains("\"event\":\"archive\""))
        .map(str::to_owned)
        .expect("an archive summary");
    let json: Value = serde_json::from_str(&line).unwrap();
    assert!(
        json["skipped"].as_u64().unwrap() > 0,
        "the first run's files are kept: {json}"
    );
    let m = manifest(&dir);
    let files = check_files(&dir, &m);
    let on_disk = std::fs::read_dir(dir.join("drafts"))
        .unwrap()
        .filter(|f| {
            let f = f
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .into_owned();
            f.ends_with(".mp4")
        })
        .count();
    let drafts_downloaded = m["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "draft" && e["status"] == "downloaded")
        .count();
    assert_eq!(on_disk, drafts_downloaded, "no duplicate file");
    assert!(files >= drafts_downloaded);
}

/// The TUI's archive (`DraftsRequest::Archive`): the worker reports progress and a summary
/// that matches what is on disk, refuses a second archive while one runs, and takes the
/// next one once it ended.
#[tokio::test]
async fn the_worker_archives_with_progress_refuses_a_second_run_and_allows_the_next() {
    use common::harness::{WorkerHarness, fast_config};
    use sora_tui::store::Store;
    use sora_tui::worker::{DraftsEvent, DraftsRequest, Event, Request};

    let sim = start_sim(|c| c.seed_drafts = 24).await;
    // Slow media, so the first archive is surely still running when the second request comes.
    sim.inject(FaultRule {
        method: None,
        path: "/media".into(),
        fault: Fault::Latency { ms: 100 },
        times: None,
    });
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("archive");
    let mut h = WorkerHarness::start(
        client_for(&sim),
        Store::new(tmp.path().join("data")),
        fast_config(),
    );
    let archive = || Request::Drafts(DraftsRequest::Archive { dir: dir.clone() });
    h.send(archive()).await;
    h.send(archive()).await;
    let refused = h
        .expect("the second archive refused", |e| match e {
            Event::Drafts(DraftsEvent::ArchiveFailed { error }) => Some(error.clone()),
            Event::Drafts(DraftsEvent::ArchiveFinished { .. }) => Some("finished".into()),
            _ => None,
        })
        .await;
    assert!(refused.contains("already running"), "{refused}");
    let (entries, new, skipped, failed, at) = h
        .expect("the archive's end", |e| match e {
            Event::Drafts(DraftsEvent::ArchiveFinished {
                entries,
                new,
                skipped,
                failed,
                dir,
                ..
            }) => Some((*entries, *new, *skipped, *failed, dir.clone())),
            Event::Drafts(DraftsEvent::ArchiveFailed { error }) => panic!("{error}"),
            _ => None,
        })
        .await;
    assert_eq!(at, dir);
    let progress: Vec<(usize, usize, usize)> = h
        .seen
        .iter()
        .filter_map(|e| match e {
            Event::Drafts(DraftsEvent::ArchiveProgress {
                done,
                total,
                failed,
                ..
            }) => Some((*done, *total, *failed)),
            _ => None,
        })
        .collect();
    assert!(!progress.is_empty(), "at least one progress event");
    let (done, total, _) = *progress.last().unwrap();
    assert_eq!(
        done, total,
        "the last file's progress is sent: {progress:?}"
    );
    let m = manifest(&dir);
    assert_eq!(m["entries"].as_array().unwrap().len(), entries);
    let files = check_files(&dir, &m);
    assert!(files > 0);
    assert_eq!((new, skipped, failed), (files, 0, 0));

    // Once it ended, the next archive runs (incrementally: nothing new).
    sim.clear_faults();
    h.send(archive()).await;
    let again = h
        .expect("the next archive's end", |e| match e {
            Event::Drafts(DraftsEvent::ArchiveFinished { new, skipped, .. }) => {
                Some(Ok((*new, *skipped)))
            }
            Event::Drafts(DraftsEvent::ArchiveFailed { error }) => Some(Err(error.clone())),
            _ => None,
        })
        .await;
    assert_eq!(again, Ok((0, files)));
    h.shutdown().await;
}

/// Files that cannot be fetched make the command fail (exit 1) with a message that says
/// what to do, every one listed in the manifest with its reason; the next run, with the
/// media back, fetches them and succeeds.
#[tokio::test]
async fn failed_files_make_the_run_fail_and_the_next_run_fetches_them() {
    let sim = start_sim(|c| {
        c.seed_drafts = 5;
    })
    .await;
    sim.inject(FaultRule {
        method: None,
        path: "/media".into(),
        fault: Fault::ServerError,
        times: None,
    });
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("archive");
    let mut cmd = common::bin::cli_command(&sim, home.path());
    cmd.arg("archive").arg(&dir);
    let out = common::bin::output_within(cmd, 120).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("run the archive again to retry them"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("  failed gen_"), "{stdout}");
    let m = manifest(&dir);
    let failed = m["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == "failed")
        .count();
    assert!(failed >= 5, "every draft's file is listed as failed: {m}");

    sim.clear_faults();
    let mut cmd = common::bin::cli_command(&sim, home.path());
    cmd.arg("archive").arg(&dir);
    let out = common::bin::output_within(cmd, 120).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m = manifest(&dir);
    assert!(
        !m["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["status"] == "failed"),
        "{m}"
    );
}
