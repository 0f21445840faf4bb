//! Records belong to the backend they were made against, and `--demo` keeps its data apart:
//! a task, cameo or temporary post recorded against one server is never polled, resumed or
//! cleaned up against another, and a demo run writes nothing into the real data dir outside
//! its own folder.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::harness::{WorkerHarness, fast_config};
use common::pty::{Pty, sora_command};
use common::*;
use sora_tui::api::VideoSettings;
use sora_tui::app::cameos::{CameoRecord, CameoStage};
use sora_tui::store::{RecordOp, Store};
use sora_tui::track::{TaskKind, TaskPhase, TaskRecord};
use sora_tui::worker::{
    CameoEvent, CleanupEntry, DraftsEvent, DraftsRequest, Event, Request, Submission,
    SubmissionKind,
};

/// Every file under `dir`, relative to it, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn records_of_another_backend_are_neither_polled_nor_cleaned_nor_resumed() {
    // Backend A at the live pace, so its task is still running when the worker stops.
    let sim_a = start_sim(|c| c.speed = 1.0).await;
    let sim_b = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    // A task submitted against A, through the worker as the TUI does.
    let mut on_a = WorkerHarness::start(client_for(&sim_a), Store::new(&data), fast_config());
    let task = on_a
        .submit_and_wait(Submission {
            local_id: 1,
            prompt: "a task of backend A".into(),
            kind: SubmissionKind::Video {
                settings: VideoSettings::default(),
                remix: None,
            },
            image: None,
        })
        .await
        .expect("submitted to A");
    assert!(task.phase.is_unfinished());
    on_a.shutdown().await;
    // A temporary post and a processing cameo of A, recorded as the worker records them.
    let store_a = Store::new(&data).for_backend(&sim_a.base_url());
    store_a
        .merge(
            "cleanup.json",
            &[RecordOp::Put(CleanupEntry {
                gen_id: "gen_of_backend_a".into(),
                post_id: Some("s_of_backend_a".into()),
                since: 1.0,
            })],
            &[],
        )
        .unwrap();
    let mut cameo = CameoRecord::uploading(
        "cameo-key-a".into(),
        1.0,
        "/nowhere/a.mp4".into(),
        None,
        (0.0, 3.0),
    );
    cameo.stage = CameoStage::Processing {
        status: "processing".into(),
    };
    cameo.cameo_id = Some("cameo_of_backend_a".into());
    store_a
        .merge("cameos.json", &[RecordOp::Put(cameo)], &[])
        .unwrap();

    // The same data dir against backend B.
    sim_b.clear_requests();
    let mut on_b = WorkerHarness::start(client_for(&sim_b), Store::new(&data), fast_config());
    let restored = on_b
        .expect("Restored", |e| match e {
            Event::Restored { tasks, .. } => Some(tasks.clone()),
            _ => None,
        })
        .await;
    assert!(restored.is_empty(), "A's task is not resumed: {restored:?}");
    let cameos = on_b
        .expect("the cameos restored", |e| match e {
            Event::Cameo(CameoEvent::Restored { records, .. }) => Some(records.clone()),
            _ => None,
        })
        .await;
    assert!(cameos.is_empty(), "A's cameo is not resumed: {cameos:?}");
    // A round trip through B: by its answer the start-up work (resumed polls, the sweep of
    // temporary posts) would have been sent.
    on_b.send(Request::Drafts(DraftsRequest::LoadDrafts { cursor: None }))
        .await;
    on_b.expect("drafts of B", |e| {
        matches!(e, Event::Drafts(DraftsEvent::DraftsLoaded { .. })).then_some(())
    })
    .await;
    on_b.shutdown().await;
    let seen: Vec<String> = sim_b
        .requests()
        .iter()
        .map(|r| {
            format!(
                "{} {} {}",
                r.method,
                r.path,
                String::from_utf8_lossy(&r.body)
            )
        })
        .collect();
    for r in &seen {
        for id in [
            task.task_id.as_str(),
            "s_of_backend_a",
            "gen_of_backend_a",
            "cameo_of_backend_a",
        ] {
            assert!(!r.contains(id), "B was asked about A's {id}: {r}");
        }
        assert!(!r.starts_with("GET /nf/pending"), "B was polled: {r}");
        assert!(!r.starts_with("DELETE"), "B was asked to delete: {r}");
        assert!(
            !r.contains("/cameos/in_progress"),
            "B was polled for a cameo: {r}"
        );
    }

    // Everything of A is still on disk, and A's worker would see it again.
    let on_disk = |name: &str| -> String {
        std::fs::read_to_string(data.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    assert!(on_disk("tasks.json").contains(&task.task_id));
    assert!(on_disk("cleanup.json").contains("s_of_backend_a"));
    assert!(on_disk("cameos.json").contains("cameo_of_backend_a"));
    let again = WorkerHarness::start(client_for(&sim_a), Store::new(&data), fast_config());
    let mut again = again;
    let restored = again
        .expect("Restored on A", |e| match e {
            Event::Restored { tasks, .. } => Some(tasks.clone()),
            _ => None,
        })
        .await;
    assert_eq!(
        restored
            .iter()
            .map(|t| t.task_id.as_str())
            .collect::<Vec<_>>(),
        vec![task.task_id.as_str()]
    );
    assert!(matches!(restored[0].phase, TaskPhase::Working { .. }));
    again.shutdown().await;
}

#[tokio::test]
async fn a_record_from_before_the_backend_field_belongs_to_the_configured_backend() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("tasks.json"), old_tasks_json("task_old")).unwrap();
    let mut h = WorkerHarness::start(client_for(&sim), Store::new(&data), fast_config());
    let restored = h
        .expect("Restored", |e| match e {
            Event::Restored {
                tasks, warnings, ..
            } => Some((tasks.clone(), warnings.clone())),
            _ => None,
        })
        .await;
    assert_eq!(restored.1, Vec::<String>::new());
    assert_eq!(restored.0.len(), 1, "the old record is resumed");
    h.shutdown().await;
}

/// A `tasks.json` with one running task, as written before records named their backend.
fn old_tasks_json(task_id: &str) -> String {
    let record = TaskRecord {
        task_id: task_id.into(),
        kind: TaskKind::Video,
        prompt: "made before".into(),
        settings: String::new(),
        submitted_at: 1.0,
        finished_at: None,
        phase: TaskPhase::Working {
            status: "running".into(),
            progress: 0.5,
        },
    };
    let text = serde_json::to_string(&vec![record]).unwrap();
    assert!(!text.contains("backend"));
    text
}

#[test]
fn a_demo_run_writes_nothing_into_the_real_data_dir_outside_its_folder() {
    let home = tempfile::tempdir().unwrap();
    let real = home.path().join("data").join("sora-tui");
    // What the real account left: a running task the demo must neither touch nor show.
    std::fs::create_dir_all(&real).unwrap();
    let real_tasks = old_tasks_json("task_of_the_real_account");
    std::fs::write(real.join("tasks.json"), &real_tasks).unwrap();
    let before = files_under(&real);

    // The interactive demo with a task submitted and running when it quits.
    let mut cmd = sora_command(home.path());
    cmd.args(["--demo"]).env("SORA_DEMO_SPEED", "1");
    let mut pty = Pty::spawn(cmd, 120, 40);
    pty.wait_for("@demo", 20);
    pty.wait_for("Prompt · typing", 10);
    pty.send(b"a demo lighthouse");
    pty.send(b"\x13"); // Ctrl-S
    pty.wait_for("submitted", 20);
    pty.send(b"3");
    pty.wait_for("a demo lighthouse", 10);
    let screen = pty.screen();
    assert!(
        !screen.contains("made before"),
        "the real task is not shown:\n{screen}"
    );
    pty.send(b"q");
    assert!(pty.wait_exit(10).success());

    let after: Vec<String> = files_under(&real)
        .into_iter()
        .filter(|f| !f.starts_with("demo/"))
        .collect();
    assert_eq!(after, before, "nothing new outside demo/");
    assert_eq!(
        std::fs::read_to_string(real.join("tasks.json")).unwrap(),
        real_tasks
    );
    let demo = files_under(&real.join("demo"));
    for expected in ["tasks.json", "prompt.json", "cameos.json"] {
        assert!(
            demo.contains(&expected.to_string()),
            "{expected} in {demo:?}"
        );
    }
    assert!(
        demo.iter().any(|f| f.ends_with(".storyboard.toml")),
        "the demo storyboard is in the demo folder: {demo:?}"
    );

    // The next demo starts with what its new simulator knows: the task of the last one,
    // which no server knows any more, is gone rather than "finishing" until it fails.
    let mut cmd = sora_command(home.path());
    cmd.args(["--demo"]);
    let mut again = Pty::spawn(cmd, 120, 40);
    again.wait_for("@demo", 20);
    again.leave_typing();
    again.send(b"3");
    again.wait_for("No tasks yet.", 10);
    again.send(b"\x03");
    assert!(again.wait_exit(10).success());
    // Cleared, not merely hidden: a later simulator may get the same port.
    let left = std::fs::read_to_string(real.join("demo/tasks.json")).unwrap_or_default();
    assert!(!left.contains("a demo lighthouse"), "{left}");
}

/// A `demo` folder that is a link (to the real data dir, say) is refused instead of cleared:
/// the demo removes earlier demos' record files at start, and through a link it would remove
/// the real ones.
#[test]
fn a_demo_folder_that_is_a_link_is_refused_and_nothing_behind_it_is_removed() {
    let home = tempfile::tempdir().unwrap();
    let real = home.path().join("data/sora-tui");
    std::fs::create_dir_all(&real).unwrap();
    std::fs::write(real.join("tasks.json"), "[]").unwrap();
    std::os::unix::fs::symlink(&real, real.join("demo")).unwrap();
    let out = common::pty::sora_command(home.path())
        .args(["--demo", "me"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("is not a folder"), "{stderr}");
    assert!(real.join("tasks.json").exists(), "the real record was kept");
}
