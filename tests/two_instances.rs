//! Two instances on one data dir: neither ever loses the other's records. The shared record
//! files (`tasks.json`, `cameos.json`, `cleanup.json`) are merged record by record on every
//! write, under a lock; each instance picks up what the other recorded, and a record leaves
//! the file only when an instance removes it explicitly.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};

use common::harness::{WorkerHarness, fast_config};
use common::*;
use sora_tui::api::VideoSettings;
use sora_tui::app::cameos::{CameoRecord, CameoStage};
use sora_tui::sim::Sim;
use sora_tui::store::{RecordSet, Store};
use sora_tui::track::{TaskKind, TaskPhase, TaskRecord};
use sora_tui::worker::{
    CameoEvent, CameoRequest, CleanupEntry, Event, Request, Submission, SubmissionKind, SyncMode,
    TaskEvent, WorkerConfig,
};

/// Records each of the two writers adds in the concurrency test.
const PER_WRITER: usize = 150;

fn task(id: &str) -> TaskRecord {
    TaskRecord {
        task_id: id.into(),
        kind: TaskKind::Video,
        prompt: format!("prompt of {id}"),
        settings: String::new(),
        submitted_at: 1.0,
        finished_at: None,
        phase: TaskPhase::Working {
            status: "submitted".into(),
            progress: 0.0,
        },
    }
}

fn saved<T: serde::de::DeserializeOwned>(store: &Store, name: &str) -> Vec<T> {
    store
        .load::<Vec<T>>(name)
        .unwrap_or_else(|e| panic!("{name} reads: {e}"))
        .unwrap_or_default()
}

/// Runs `write(store, writer, i)` for `PER_WRITER` records from each of two threads at once,
/// each thread with its own store and copy of the file, as two processes would have.
fn two_writers<T, F>(data: &Path, name: &'static str, make: F) -> Vec<T>
where
    T: sora_tui::store::Keyed
        + Clone
        + PartialEq
        + serde::Serialize
        + serde::de::DeserializeOwned
        + Send
        + 'static,
    F: Fn(usize, usize) -> T + Send + Sync + Copy + 'static,
{
    let start = Arc::new(Barrier::new(2));
    let threads: Vec<_> = (0..2)
        .map(|writer| {
            let store = Store::new(data);
            let start = start.clone();
            std::thread::spawn(move || {
                let mut copy = RecordSet::<T>::default();
                start.wait();
                for i in 0..PER_WRITER {
                    copy.put(make(writer, i));
                    copy.save(&store, name)
                        .unwrap_or_else(|e| panic!("writer {writer}, record {i}: {e}"));
                }
                copy
            })
        })
        .collect();
    for t in threads {
        let copy = t.join().expect("writer thread");
        // Each copy also ends up knowing the other's records it saw at its last write.
        assert!(copy.records().len() >= PER_WRITER);
    }
    saved(&Store::new(data), name)
}

#[test]
fn two_concurrent_writers_of_tasks_keep_every_record() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let on_disk: Vec<TaskRecord> =
        two_writers(&data, "tasks.json", |w, i| task(&format!("task_{w}_{i}")));
    assert_eq!(on_disk.len(), 2 * PER_WRITER, "every task is recorded");
    for w in 0..2 {
        for i in 0..PER_WRITER {
            let id = format!("task_{w}_{i}");
            assert!(on_disk.iter().any(|t| t.task_id == id), "{id} is missing");
        }
    }
}

#[test]
fn two_concurrent_writers_of_cameos_and_cleanup_entries_keep_every_record() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let cameos: Vec<CameoRecord> = two_writers(&data, "cameos.json", |w, i| {
        CameoRecord::uploading(
            format!("cameo_{w}_{i}"),
            1.0,
            PathBuf::from("me.mp4"),
            None,
            (0.0, 3.0),
        )
    });
    assert_eq!(cameos.len(), 2 * PER_WRITER, "every cameo is recorded");
    let entries: Vec<CleanupEntry> = two_writers(&data, "cleanup.json", |w, i| CleanupEntry {
        gen_id: format!("gen_{w}_{i}"),
        post_id: None,
        since: 1.0,
    });
    assert_eq!(
        entries.len(),
        2 * PER_WRITER,
        "every temporary post is recorded"
    );
}

#[test]
fn removing_a_record_keeps_the_other_instances_records() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (one, two) = (Store::new(&data), Store::new(&data));
    let mut a = RecordSet::<TaskRecord>::default();
    let mut b = RecordSet::<TaskRecord>::default();
    a.put(task("task_a"));
    a.save(&one, "tasks.json").unwrap();
    b.put(task("task_b"));
    b.save(&two, "tasks.json").unwrap();
    // `a` never heard of task_b; removing its own task must not take task_b along.
    assert!(a.remove("task_a"));
    a.save(&one, "tasks.json").unwrap();
    let on_disk: Vec<TaskRecord> = saved(&one, "tasks.json");
    assert_eq!(on_disk, vec![task("task_b")]);
    assert_eq!(a.records(), &[task("task_b")], "a picked up task_b");
    // And `b`'s next change of its own record does not bring task_a back.
    b.modify("task_b", |t| t.settings = "changed".into());
    let (diff, _) = b.save(&two, "tasks.json").unwrap();
    assert_eq!(diff.removed, vec!["task_a".to_string()]);
    let on_disk: Vec<TaskRecord> = saved(&one, "tasks.json");
    assert_eq!(on_disk.len(), 1);
    assert_eq!(on_disk[0].settings, "changed");
}

/// The first event `pick` accepts, among those already seen (an event about the other
/// instance may come before the one a test waited for) or, failing that, the next ones.
async fn seen_or_next<E: std::fmt::Debug, T>(
    h: &mut WorkerHarness<E>,
    what: &str,
    mut pick: impl FnMut(&E) -> Option<T>,
) -> T {
    if let Some(v) = h.seen.iter().find_map(&mut pick) {
        return v;
    }
    h.expect(what, pick).await
}

fn video() -> SubmissionKind {
    SubmissionKind::Video {
        settings: VideoSettings::default(),
        remix: None,
    }
}

/// Submits a prompt and waits until the worker says it is recorded.
async fn submit(h: &mut WorkerHarness, local_id: u64, prompt: &str) -> TaskRecord {
    h.submit_and_wait(Submission {
        local_id,
        prompt: prompt.into(),
        kind: video(),
        image: None,
    })
    .await
    .unwrap_or_else(|error| panic!("submit {local_id} failed: {error}"))
}

#[tokio::test]
async fn two_workers_each_submitting_a_task_both_end_up_recorded_and_tracked() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut a = WorkerHarness::start(client_for(&sim), Store::new(&data), fast_config());
    let mut b = WorkerHarness::start(client_for(&sim), Store::new(&data), fast_config());
    for h in [&mut a, &mut b] {
        h.expect("Restored", |e| {
            matches!(e, Event::Restored { .. }).then_some(())
        })
        .await;
    }
    let (ta, tb) = tokio::join!(submit(&mut a, 1, "from a"), submit(&mut b, 2, "from b"));
    // Each instance hears of the other's task (on its next write or its next look at the
    // file), so it shows and tracks it too.
    let other = tb.task_id.clone();
    seen_or_next(&mut a, "b's task in a", |e| match e {
        Event::Tasks(TaskEvent::TaskChanged(r)) if r.task_id == other => Some(()),
        _ => None,
    })
    .await;
    let other = ta.task_id.clone();
    seen_or_next(&mut b, "a's task in b", |e| match e {
        Event::Tasks(TaskEvent::TaskChanged(r)) if r.task_id == other => Some(()),
        _ => None,
    })
    .await;
    a.shutdown().await;
    b.shutdown().await;
    let on_disk: Vec<TaskRecord> = saved(&Store::new(&data), "tasks.json");
    for t in [&ta, &tb] {
        assert!(
            on_disk.iter().any(|r| r.task_id == t.task_id),
            "{} is missing from tasks.json: {on_disk:#?}",
            t.task_id
        );
    }
    assert_eq!(on_disk.len(), 2, "{on_disk:#?}");
}

#[tokio::test]
async fn a_task_dismissed_in_one_instance_leaves_the_other() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut a = WorkerHarness::start(client_for(&sim), Store::new(&data), fast_config());
    let mut b = WorkerHarness::start(client_for(&sim), Store::new(&data), fast_config());
    let mine = submit(&mut a, 1, "from a").await;
    let id = mine.task_id.clone();
    seen_or_next(&mut b, "a's task in b", |e| match e {
        Event::Tasks(TaskEvent::TaskChanged(r)) if r.task_id == id => Some(()),
        _ => None,
    })
    .await;
    b.send(Request::DismissTask {
        task_id: mine.task_id.clone(),
    })
    .await;
    let id = mine.task_id.clone();
    seen_or_next(&mut a, "TaskRemoved in a", |e| match e {
        Event::Tasks(TaskEvent::TaskRemoved { task_id }) if *task_id == id => Some(()),
        _ => None,
    })
    .await;
    a.shutdown().await;
    b.shutdown().await;
    let on_disk: Vec<TaskRecord> = saved(&Store::new(&data), "tasks.json");
    assert!(on_disk.is_empty(), "{on_disk:#?}");
}

/// With the look every 2 s taken away, only the data-dir watch can tell a worker that another
/// instance wrote: a task and a cameo written by "another instance" (a record set saved to
/// the same files, as a second process does) still reach this one's UI.
#[tokio::test]
async fn another_instances_writes_arrive_through_the_watch_alone() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = WorkerConfig {
        sync: SyncMode::WatchOnly,
        ..fast_config()
    };
    let mut a = WorkerHarness::start(client_for(&sim), Store::new(&data), config);
    // The watch is up before the worker reads the data dir, so before it says Restored.
    a.expect("Restored", |e| {
        matches!(e, Event::Restored { .. }).then_some(())
    })
    .await;
    let other = Store::new(&data);
    let mut tasks = RecordSet::<TaskRecord>::default();
    // Finished, so that `a` has nothing to poll: the watch is all that can bring it.
    let mut done = task("task_elsewhere");
    done.phase = TaskPhase::Done {
        generation_ids: vec!["gen_elsewhere".into()],
        urls: vec![],
    };
    done.finished_at = Some(2.0);
    tasks.put(done.clone());
    tasks.save(&other, "tasks.json").unwrap();
    let got = a
        .expect("the other instance's task", |e| match e {
            Event::Tasks(TaskEvent::TaskChanged(r)) if r.task_id == done.task_id => Some(r.clone()),
            _ => None,
        })
        .await;
    assert_eq!(got, done);
    let mut cameos = RecordSet::<CameoRecord>::default();
    cameos.put(CameoRecord::uploading(
        "cameo_elsewhere".into(),
        1.0,
        PathBuf::from("me.mp4"),
        None,
        (0.0, 3.0),
    ));
    cameos.save(&other, "cameos.json").unwrap();
    a.expect("the other instance's cameo", |e| match e {
        Event::Cameo(CameoEvent::Changed(r)) if r.key == "cameo_elsewhere" => Some(()),
        _ => None,
    })
    .await;
    a.shutdown().await;
}

fn cameo_worker(sim: &Sim, data: &Path) -> WorkerHarness<CameoEvent> {
    WorkerHarness::start_keeping(
        client_for(sim),
        Store::new(data),
        fast_config(),
        |e| match e {
            Event::Cameo(event) => Some(event),
            _ => None,
        },
    )
}

async fn ready(h: &mut WorkerHarness<CameoEvent>, key: &str) -> CameoRecord {
    seen_or_next(h, "Ready", |e| match e {
        CameoEvent::Changed(r) if r.key == key && r.stage == CameoStage::Ready => {
            Some(CameoRecord::clone(r))
        }
        _ => None,
    })
    .await
}

#[tokio::test]
async fn two_workers_each_creating_a_cameo_keep_both_and_either_can_finalize_it() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let video = dir.path().join("me.mp4");
    std::fs::write(&video, asset("sample.mp4")).unwrap();
    let mut a = cameo_worker(&sim, &data);
    let mut b = cameo_worker(&sim, &data);
    for (h, key) in [(&mut a, "ka"), (&mut b, "kb")] {
        h.send(Request::Cameo(CameoRequest::Create {
            key: key.into(),
            video: video.clone(),
            clip: (0.0, 3.0),
        }))
        .await;
    }
    ready(&mut a, "ka").await;
    ready(&mut b, "kb").await;
    // b learns of a's cameo and can finalize it: the API has no list of cameos, so the
    // record is the only way to reach it.
    let from_a = ready(&mut b, "ka").await;
    assert!(from_a.cameo_id.is_some());
    b.send(Request::Cameo(CameoRequest::Finalize {
        key: "ka".into(),
        username: "from.b".into(),
        display_name: "A, finalized in b".into(),
        public: false,
    }))
    .await;
    seen_or_next(&mut b, "ka finalized", |e| match e {
        CameoEvent::Changed(r) if r.key == "ka" && r.stage == CameoStage::Finalized => Some(()),
        _ => None,
    })
    .await;
    seen_or_next(&mut a, "a hears ka is finalized", |e| match e {
        CameoEvent::Changed(r) if r.key == "ka" && r.stage == CameoStage::Finalized => Some(()),
        _ => None,
    })
    .await;
    // a removes b's cameo (never finalized: only the record goes); b hears of it.
    seen_or_next(&mut a, "kb in a", |e| match e {
        CameoEvent::Changed(r) if r.key == "kb" => Some(()),
        _ => None,
    })
    .await;
    a.send(Request::Cameo(CameoRequest::Delete { key: "kb".into() }))
        .await;
    seen_or_next(&mut b, "kb removed in b", |e| match e {
        CameoEvent::Removed { key } if key == "kb" => Some(()),
        _ => None,
    })
    .await;
    a.shutdown().await;
    b.shutdown().await;
    let on_disk: Vec<CameoRecord> = saved(&Store::new(&data), "cameos.json");
    assert_eq!(on_disk.len(), 1, "{on_disk:#?}");
    assert_eq!(on_disk[0].key, "ka");
    assert_eq!(on_disk[0].stage, CameoStage::Finalized);
}

#[tokio::test]
async fn two_workers_creating_cameos_at_once_both_end_up_recorded() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let video = dir.path().join("me.mp4");
    std::fs::write(&video, asset("sample.mp4")).unwrap();
    let mut a = cameo_worker(&sim, &data);
    let mut b = cameo_worker(&sim, &data);
    for (h, key) in [(&mut a, "ka"), (&mut b, "kb")] {
        h.send(Request::Cameo(CameoRequest::Create {
            key: key.into(),
            video: video.clone(),
            clip: (0.0, 3.0),
        }))
        .await;
    }
    ready(&mut a, "ka").await;
    ready(&mut b, "kb").await;
    a.shutdown().await;
    b.shutdown().await;
    let on_disk: Vec<CameoRecord> = saved(&Store::new(&data), "cameos.json");
    let mut keys: Vec<&str> = on_disk.iter().map(|r| r.key.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(keys, vec!["ka", "kb"], "{on_disk:#?}");
}
