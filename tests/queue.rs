//! The local queue through the worker, against the simulator: submissions beyond the
//! service's three running videos are held and sent as slots free (exactly one create each),
//! a restart in the middle neither loses nor duplicates an item, a spent quota pauses the
//! queue until it resets, an item refused for its own reason fails without blocking the
//! line, and a service-wide failure pauses it until resumed.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use common::harness::{WorkerHarness, fast_config};
use common::*;
use sora_tui::api::VideoSettings;
use sora_tui::sim::{Fault, FaultRule, QuotaControl, Sim};
use sora_tui::store::Store;
use sora_tui::track::TaskPhase;
use sora_tui::worker::{
    Event, QueueEvent, QueuePause, QueueRequest, QueueSnapshot, QueuedItem, QueuedState, Request,
    Submission, SubmissionKind, TaskEvent,
};

fn video(local_id: u64, prompt: &str) -> Submission {
    Submission {
        local_id,
        prompt: prompt.into(),
        kind: SubmissionKind::Video {
            settings: VideoSettings::default(),
            remix: None,
        },
        image: None,
    }
}

fn start(sim: &Sim, dir: &Path) -> WorkerHarness {
    WorkerHarness::start(client_for(sim), Store::new(dir.join("data")), fast_config())
}

/// Every create the simulator received, with its status.
fn creates(sim: &Sim) -> Vec<u16> {
    requests_to(sim, "POST", "/nf/create")
        .iter()
        .map(|r| r.status)
        .collect()
}

/// Waits until `n` distinct tasks have finished as drafts; returns their prompts by id.
async fn done(h: &mut WorkerHarness, n: usize) -> HashMap<String, String> {
    let mut finished = HashMap::new();
    h.expect("every task to finish", |e| {
        if let Event::Tasks(TaskEvent::TaskChanged(r)) = e
            && matches!(r.phase, TaskPhase::Done { .. })
        {
            finished.insert(r.task_id.clone(), r.prompt.clone());
        }
        (finished.len() >= n).then(|| finished.clone())
    })
    .await
}

/// The queue file as written.
fn saved_queue(h: &WorkerHarness) -> Vec<QueuedItem> {
    h.store
        .load::<Vec<QueuedItem>>("queue.json")
        .expect("queue.json reads")
        .unwrap_or_default()
}

/// The drafts of the account, by prompt.
async fn draft_prompts(sim: &Sim) -> Vec<String> {
    let page = client_for(sim).drafts(100, None).await.expect("drafts");
    page.items.into_iter().filter_map(|d| d.prompt).collect()
}

#[tokio::test]
async fn ten_submissions_make_ten_videos_three_at_a_time() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = start(&sim, dir.path());
    for i in 0..10 {
        h.send(Request::Submit(video(i, &format!("scene {i}"))))
            .await;
    }
    let finished = done(&mut h, 10).await;
    let events = h.shutdown().await;
    let prompts: HashSet<&String> = finished.values().collect();
    assert_eq!(prompts.len(), 10, "one task per submission: {finished:?}");
    let statuses = creates(&sim);
    assert_eq!(statuses, vec![200; 10], "exactly ten creates, none refused");
    assert!(sim.stats().max_in_progress <= 3, "{:?}", sim.stats());
    let failed: Vec<&Event> = events
        .iter()
        .filter(|e| matches!(e, Event::Tasks(TaskEvent::SubmitFailed { .. })))
        .collect();
    assert!(failed.is_empty(), "no error reached the UI: {failed:?}");
    let held = events
        .iter()
        .filter(|e| matches!(e, Event::Queue(QueueEvent::Held { .. })))
        .count();
    assert!(held >= 7, "the fourth and later were held: {held}");
    let mut drafts = draft_prompts(&sim).await;
    drafts.sort();
    let mut want: Vec<String> = (0..10).map(|i| format!("scene {i}")).collect();
    want.sort();
    assert_eq!(drafts, want, "ten drafts, one per prompt");
    let store = Store::new(dir.path().join("data"));
    let left = store.load::<Vec<QueuedItem>>("queue.json").unwrap();
    assert_eq!(left, Some(Vec::new()), "the queue is empty at the end");
}

#[tokio::test]
async fn a_restart_mid_queue_neither_loses_nor_duplicates_an_item() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = start(&sim, dir.path());
    for i in 0..10 {
        h.send(Request::Submit(video(i, &format!("take {i}"))))
            .await;
    }
    // Stop once the first three run and the others wait.
    h.expect("seven held", |e| match e {
        Event::Queue(QueueEvent::Changed(QueueSnapshot { items, .. })) => {
            (items.len() == 7).then_some(())
        }
        _ => None,
    })
    .await;
    h.shutdown().await;
    assert_eq!(creates(&sim).len(), 3);
    // Let the running ones finish, so the test's own create below finds a free slot.
    eventually(20, || async {
        client_for(&sim)
            .pending()
            .await
            .ok()
            .filter(|p| p.is_empty())
    })
    .await;
    // What a `kill -9` leaves: the first waiting item claimed before its create was sent,
    // the second claimed and its create accepted by the service, the answer never recorded.
    let store = Store::new(dir.path().join("data"));
    let mut items = store
        .load::<Vec<QueuedItem>>("queue.json")
        .unwrap()
        .unwrap();
    assert_eq!(items.len(), 7);
    let since = sora_tui::text::unix_now() - 1.0;
    items[0].state = QueuedState::Submitting { since_unix: since };
    items[1].state = QueuedState::Submitting { since_unix: since };
    client_for(&sim)
        .create_video(&items[1].submission.prompt, VideoSettings::default(), None)
        .await
        .expect("the create that reached the service");
    store.save("queue.json", &items).unwrap();
    assert_eq!(creates(&sim).len(), 4);

    let mut h = start(&sim, dir.path());
    let finished = done(&mut h, 10).await;
    h.shutdown().await;
    assert_eq!(
        creates(&sim),
        vec![200; 10],
        "ten creates in all: the accepted one adopted, the unsent one sent once"
    );
    let mut drafts = draft_prompts(&sim).await;
    drafts.sort();
    let mut want: Vec<String> = (0..10).map(|i| format!("take {i}")).collect();
    want.sort();
    assert_eq!(drafts, want, "one draft per item");
    assert_eq!(finished.len(), 10);
    assert_eq!(
        store.load::<Vec<QueuedItem>>("queue.json").unwrap(),
        Some(Vec::new())
    );
}

#[tokio::test]
async fn a_spent_quota_pauses_the_queue_until_it_resets() {
    let sim = start_sim(|_| {}).await;
    sim.set_quota(QuotaControl {
        remaining: Some(2),
        resets_in_secs: Some(3.0),
        reset: false,
    });
    let dir = tempfile::tempdir().unwrap();
    let mut h = start(&sim, dir.path());
    let jobs = (0..5).map(|i| video(i, &format!("shot {i}"))).collect();
    h.send(Request::Queue(QueueRequest::Add {
        jobs,
        origin: Some("five.batch.toml".into()),
    }))
    .await;
    let resets = h
        .expect("a quota pause", |e| match e {
            Event::Queue(QueueEvent::Changed(QueueSnapshot {
                pause: Some(QueuePause::Quota { resets_unix }),
                ..
            })) => Some(*resets_unix),
            _ => None,
        })
        .await;
    let now = sora_tui::text::unix_now();
    assert!(
        resets > now && resets < now + 10.0,
        "the pause says when the quota resets: {resets} vs {now}"
    );
    assert_eq!(
        creates(&sim),
        vec![200; 2],
        "two sent, and no create that was sure to fail"
    );
    // The reset, through the control route as a separate test driver would.
    let answer = reqwest::Client::new()
        .post(format!("http://{}/_sim/quota", sim.addr()))
        .json(&serde_json::json!({"reset": true}))
        .send()
        .await
        .expect("control route");
    assert!(answer.status().is_success());
    let finished = done(&mut h, 5).await;
    let events = h.shutdown().await;
    assert_eq!(finished.len(), 5);
    assert_eq!(creates(&sim), vec![200; 5]);
    let resumed = events.iter().any(|e| {
        matches!(e, Event::Queue(QueueEvent::Changed(QueueSnapshot { pause: None, items }))
            if items.len() < 3)
    });
    assert!(resumed, "the queue resumed by itself");
    let quota_reads = requests_to(&sim, "GET", "/nf/check").len();
    assert!(
        quota_reads <= 8,
        "a few quota reads, not a loop: {quota_reads}"
    );
}

#[tokio::test]
async fn an_item_refused_for_its_own_reason_fails_and_the_next_goes() {
    let sim = start_sim(|_| {}).await;
    sim.inject(FaultRule {
        method: Some("POST".into()),
        path: "/nf/create".into(),
        fault: Fault::InvalidRequest,
        times: Some(1),
    });
    let dir = tempfile::tempdir().unwrap();
    let mut h = start(&sim, dir.path());
    let jobs = (0..3).map(|i| video(i, &format!("part {i}"))).collect();
    h.send(Request::Queue(QueueRequest::Add { jobs, origin: None }))
        .await;
    let finished = done(&mut h, 2).await;
    let prompts: HashSet<String> = finished.into_values().collect();
    assert_eq!(
        prompts,
        HashSet::from(["part 1".to_string(), "part 2".to_string()])
    );
    let items = saved_queue(&h);
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0].submission.prompt, "part 0");
    match &items[0].state {
        QueuedState::Failed { reason } => {
            assert!(reason.contains("Unable to process request"), "{reason}")
        }
        other => panic!("the refused item failed: {other:?}"),
    }
    // A failed item can be taken back for editing, and is then gone.
    let queue_id = items[0].queue_id;
    h.send(Request::Queue(QueueRequest::TakeBack { queue_id }))
        .await;
    let back = h
        .expect("the item taken back", |e| match e {
            Event::Queue(QueueEvent::TakenBack(sub)) => Some(sub.prompt.clone()),
            _ => None,
        })
        .await;
    assert_eq!(back, "part 0");
    assert!(saved_queue(&h).is_empty());
    h.shutdown().await;
    assert_eq!(creates(&sim).len(), 3, "one refused, two made");
}

#[tokio::test]
async fn a_service_wide_failure_pauses_until_resumed() {
    let sim = start_sim(|_| {}).await;
    sim.inject(FaultRule {
        method: Some("POST".into()),
        path: "/nf/create".into(),
        fault: Fault::TokenInvalidated,
        // Both items go at once (two slots are free): both meet it.
        times: Some(2),
    });
    let dir = tempfile::tempdir().unwrap();
    let mut h = start(&sim, dir.path());
    let jobs = (0..2).map(|i| video(i, &format!("cut {i}"))).collect();
    h.send(Request::Queue(QueueRequest::Add { jobs, origin: None }))
        .await;
    let (message, waiting) = h
        .expect("a service pause", |e| match e {
            Event::Queue(QueueEvent::Changed(QueueSnapshot {
                pause: Some(QueuePause::Service { message }),
                items,
            })) if items.iter().all(|i| i.state == QueuedState::Waiting) => {
                Some((message.clone(), items.clone()))
            }
            _ => None,
        })
        .await;
    assert!(message.contains("revoked"), "{message}");
    assert_eq!(waiting.len(), 2);
    assert_eq!(
        creates(&sim),
        vec![401, 401],
        "nothing more is sent while paused"
    );
    h.send(Request::Queue(QueueRequest::SetPaused(false))).await;
    let finished = done(&mut h, 2).await;
    h.shutdown().await;
    assert_eq!(finished.len(), 2);
    assert_eq!(creates(&sim), vec![401, 401, 200, 200]);
}

#[tokio::test]
async fn two_instances_on_one_data_dir_send_each_item_once() {
    // Slow enough that the queue outlasts the instances' look at each other's files (2 s).
    let sim = start_sim(|c| c.speed = 100.0).await;
    let dir = tempfile::tempdir().unwrap();
    let mut a = start(&sim, dir.path());
    let b = start(&sim, dir.path());
    let jobs = (0..8).map(|i| video(i, &format!("frame {i}"))).collect();
    a.send(Request::Queue(QueueRequest::Add { jobs, origin: None }))
        .await;
    // A tracks B's tasks too (through tasks.json), so it sees all eight finish.
    done(&mut a, 8).await;
    let started = |events: &[Event]| -> Vec<u64> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Queue(QueueEvent::Started { queue_id, .. }) => Some(*queue_id),
                _ => None,
            })
            .collect()
    };
    let by_a = started(&a.shutdown().await);
    let by_b = started(&b.shutdown().await);
    assert!(!by_b.is_empty(), "the other instance sent some: {by_a:?}");
    let mut all: Vec<u64> = by_a.iter().chain(&by_b).copied().collect();
    all.sort();
    assert_eq!(all, (1..=8).collect::<Vec<u64>>(), "each item started once");
    // The other instance's newest tasks may not be counted yet when one sends: the service's
    // 429 then holds the item again (nothing is created). Never a second create of an item.
    let made = creates(&sim).into_iter().filter(|s| *s == 200).count();
    assert_eq!(made, 8, "each item created once: {:?}", creates(&sim));
    assert!(
        creates(&sim).iter().all(|s| *s == 200 || *s == 429),
        "{:?}",
        creates(&sim)
    );
    let mut drafts = draft_prompts(&sim).await;
    drafts.sort();
    let mut want: Vec<String> = (0..8).map(|i| format!("frame {i}")).collect();
    want.sort();
    assert_eq!(drafts, want);
}

#[tokio::test]
async fn an_image_is_not_held_behind_a_full_service() {
    let sim = start_sim(|c| c.speed = 50.0).await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = start(&sim, dir.path());
    for i in 0..4 {
        h.send(Request::Submit(video(i, &format!("clip {i}"))))
            .await;
    }
    h.expect("the fourth video held", |e| match e {
        Event::Queue(QueueEvent::Held { local_id: 3, .. }) => Some(()),
        _ => None,
    })
    .await;
    let image = Submission {
        local_id: 9,
        prompt: "a still".into(),
        kind: SubmissionKind::Image {
            shape: sora_tui::api::ImageShape::Square,
            variants: 1,
        },
        image: None,
    };
    h.send(Request::Submit(image)).await;
    let answer = h
        .expect("the image's answer", |e| match e {
            Event::Tasks(TaskEvent::Submitted { local_id: 9, .. }) => Some("submitted"),
            Event::Queue(QueueEvent::Held { local_id: 9, .. }) => Some("held"),
            _ => None,
        })
        .await;
    assert_eq!(answer, "submitted", "the service's limits are for videos");
    let running = client_for(&sim).pending().await.expect("pending").len();
    done(&mut h, 5).await;
    h.shutdown().await;
    assert!(running <= 3, "{running}");
    assert_eq!(creates(&sim), vec![200; 4], "the held video was sent once");
}

/// The user's pause outlives a restart: the restarted worker reports it and sends nothing
/// until resumed; then every held item is made once.
#[tokio::test]
async fn the_users_pause_survives_a_restart() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = start(&sim, dir.path());
    h.send(Request::Queue(QueueRequest::SetPaused(true))).await;
    h.send(Request::Queue(QueueRequest::Add {
        jobs: vec![video(1, "held one"), video(2, "held two")],
        origin: None,
    }))
    .await;
    h.expect("two held while paused", |e| match e {
        Event::Queue(QueueEvent::Changed(QueueSnapshot { items, pause })) => {
            (items.len() == 2 && *pause == Some(QueuePause::User)).then_some(())
        }
        _ => None,
    })
    .await;
    h.shutdown().await;

    let mut h = start(&sim, dir.path());
    h.expect("the pause read back at start", |e| match e {
        Event::Queue(QueueEvent::Changed(QueueSnapshot { items, pause })) => {
            (items.len() == 2 && *pause == Some(QueuePause::User)).then_some(())
        }
        _ => None,
    })
    .await;
    assert!(creates(&sim).is_empty(), "nothing sent while paused");
    h.send(Request::Queue(QueueRequest::SetPaused(false))).await;
    let finished = done(&mut h, 2).await;
    h.shutdown().await;
    assert_eq!(creates(&sim), vec![200, 200]);
    assert_eq!(finished.len(), 2);

    // Resumed: the next start is not paused.
    let mut h = start(&sim, dir.path());
    h.expect("no pause at the next start", |e| match e {
        Event::Queue(QueueEvent::Changed(QueueSnapshot { pause, .. })) => {
            pause.is_none().then_some(())
        }
        _ => None,
    })
    .await;
    h.shutdown().await;
}
