//! The local history against the simulator: a submission's entry holds exactly what was
//! sent and its ids, it outlives the service forgetting everything and is found by the
//! Drafts filter's history search, and two workers on one data dir merge their entries.

mod common;

use common::harness::{WorkerHarness, fast_config};
use common::*;
use sora_tui::api::{ImageShape, Length, Model, Orientation, Size, VideoSettings};
use sora_tui::app::{Msg, update};
use sora_tui::history::{HISTORY_FILE, HistoryEntry, Origin, SentSettings};
use sora_tui::store::Store;
use sora_tui::worker::{
    Event, HistoryEvent, HistoryRequest, Request, Submission, SubmissionKind, SubmitNote,
};

/// Waits for the history entry of `key` to have `done(entry)`, as the worker announced it.
async fn entry(h: &mut WorkerHarness, key: &str, done: fn(&HistoryEntry) -> bool) -> HistoryEntry {
    let key = key.to_string();
    // The entry is written before the task is announced: it may be among the events seen.
    let earlier = h.seen.iter().find_map(|e| match e {
        Event::History(HistoryEvent::Changed(entries)) => {
            entries.iter().find(|x| x.key == key && done(x)).cloned()
        }
        _ => None,
    });
    if let Some(found) = earlier {
        return found;
    }
    h.expect("the history entry", move |e| match e {
        Event::History(HistoryEvent::Changed(entries)) => {
            entries.iter().find(|x| x.key == key && done(x)).cloned()
        }
        _ => None,
    })
    .await
}

fn video_settings() -> VideoSettings {
    VideoSettings {
        orientation: Orientation::Portrait,
        length: Length::S15,
        model: Model::SyOre,
        size: Size::Large,
        style: None,
    }
}

#[tokio::test]
async fn a_submission_is_recorded_exactly_and_outlives_the_service() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let sim = start_sim(|_| {}).await;
    let mut h = WorkerHarness::start(client_for(&sim), Store::new(&data), fast_config());
    let origin = Origin {
        gen_id: Some("gen_earlier".into()),
        task_id: Some("task_earlier".into()),
    };
    h.send(Request::History(HistoryRequest::Note {
        local_id: 7,
        note: SubmitNote {
            origin: Some(origin.clone()),
            storyboard_file: None,
        },
    }))
    .await;
    let prompt = "a lighthouse keeper feeding @gull.one at dawn";
    let record = h
        .submit_and_wait(Submission {
            local_id: 7,
            prompt: prompt.into(),
            kind: SubmissionKind::Video {
                settings: video_settings(),
                remix: None,
            },
            image: None,
        })
        .await
        .expect("submitted");
    let got = entry(&mut h, &record.task_id, |e| e.sent.is_some()).await;
    let sent = got.sent.clone().unwrap();
    assert_eq!(sent.prompt, prompt);
    assert_eq!(
        sent.settings,
        SentSettings::Video {
            video: video_settings(),
            remix: None,
            image: None,
        }
    );
    assert_eq!(sent.cameos, vec!["gull.one"]);
    assert_eq!(sent.origin, Some(origin));
    assert_eq!(got.task_id.as_deref(), Some(record.task_id.as_str()));
    assert_eq!(got.submitted_at, Some(record.submitted_at));
    // Finished: the generation id arrives in the same entry.
    let done = entry(&mut h, &record.task_id, |e| {
        !e.generation_ids.is_empty() && e.finished_at.is_some()
    })
    .await;
    let gen_id = done.generation_ids[0].clone();
    assert!(gen_id.starts_with("gen_"), "{gen_id}");
    assert_eq!(done.sent, got.sent, "what was sent stays");
    h.shutdown().await;
    drop(sim);

    // A new simulator knows nothing; the history does. (The worker's store is scoped to
    // the old simulator's address, so the file is read unscoped here.)
    let _fresh = start_sim(|_| {}).await;
    let kept: Vec<HistoryEntry> = Store::new(&data)
        .load(HISTORY_FILE)
        .unwrap()
        .expect("history.json exists");
    let found = kept
        .iter()
        .find(|e| e.key == record.task_id)
        .expect("the entry is still there");
    assert!(found.has_generation(&gen_id));
    // The Drafts filter's history search finds it though no draft is listed.
    let mut app = common::screens::signed_in(1.0);
    update(
        &mut app,
        Msg::Worker(Event::History(HistoryEvent::Loaded(kept.clone()))),
        1.0,
    );
    let hits = sora_tui::app::history::unlisted_matches(&app, "LIGHTHOUSE dawn");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].key, record.task_id);
    assert!(sora_tui::app::history::unlisted_matches(&app, "lighthouse cat").is_empty());
}

#[tokio::test]
async fn two_workers_on_one_data_dir_merge_their_history() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let sim = start_sim(|_| {}).await;
    let mut a = WorkerHarness::start(client_for(&sim), Store::new(&data), fast_config());
    let mut b = WorkerHarness::start(client_for(&sim), Store::new(&data), fast_config());
    let image = |prompt: &str, local_id| Submission {
        local_id,
        prompt: prompt.into(),
        kind: SubmissionKind::Image {
            shape: ImageShape::Portrait,
            variants: 3,
        },
        image: None,
    };
    let ra = a.submit_and_wait(image("first of two", 1)).await.unwrap();
    entry(&mut a, &ra.task_id, |e| e.sent.is_some()).await;
    let rb = b.submit_and_wait(image("second of two", 1)).await.unwrap();
    entry(&mut b, &rb.task_id, |e| e.sent.is_some()).await;
    let kept: Vec<HistoryEntry> = Store::new(&data).load(HISTORY_FILE).unwrap().unwrap();
    for (task, prompt) in [
        (&ra.task_id, "first of two"),
        (&rb.task_id, "second of two"),
    ] {
        let e = kept
            .iter()
            .find(|e| &e.key == task)
            .unwrap_or_else(|| panic!("{task} kept: {kept:?}"));
        let sent = e.sent.as_ref().unwrap();
        assert_eq!(sent.prompt, prompt);
        assert_eq!(
            sent.settings,
            SentSettings::Image {
                shape: ImageShape::Portrait,
                variants: 3,
                image: None,
            }
        );
    }
    a.shutdown().await;
    b.shutdown().await;
}

/// Presses a plain character key.
fn press(app: &mut sora_tui::app::App, c: char) -> Vec<sora_tui::app::Cmd> {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    update(
        app,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        2.0,
    )
}

#[test]
fn a_rerun_loads_exactly_the_sent_settings_and_the_next_submission_records_its_origin() {
    use sora_tui::api::{Draft, DraftsPage};
    use sora_tui::app::{Cmd, Pane};
    use sora_tui::history::Sent;
    use sora_tui::worker::DraftsEvent;
    let mut app = common::screens::signed_in(1.0);
    let sent = Sent {
        prompt: "an owl reading by candlelight".into(),
        settings: SentSettings::Video {
            video: video_settings(),
            remix: Some("s_0123456789abcdef0123456789abcdef".into()),
            image: None,
        },
        cameos: vec![],
        origin: None,
    };
    let entry = HistoryEntry {
        key: "task_owl".into(),
        sent: Some(sent),
        task_id: Some("task_owl".into()),
        generation_ids: vec!["gen_owl".into()],
        ..HistoryEntry::default()
    };
    update(
        &mut app,
        Msg::Worker(Event::History(HistoryEvent::Loaded(vec![entry]))),
        1.0,
    );
    // The service lists the draft with other settings (a landscape 10 s one): the history's
    // exact ones win.
    let listed = Draft {
        id: Some("gen_owl".into()),
        task_id: Some("task_owl".into()),
        prompt: Some("an owl reading by candlelight".into()),
        width: Some(1280.0),
        height: Some(720.0),
        duration_s: Some(10.0),
        ..Draft::default()
    };
    update(
        &mut app,
        Msg::Worker(Event::Drafts(DraftsEvent::DraftsLoaded {
            page: DraftsPage {
                items: vec![listed],
                ..DraftsPage::default()
            },
            first: true,
        })),
        1.0,
    );
    app.pane = Pane::Drafts;
    press(&mut app, 'R');
    assert_eq!(app.pane, Pane::Prompt);
    assert_eq!(app.prompt.video, video_settings());
    assert_eq!(app.prompt.remix, "s_0123456789abcdef0123456789abcdef");
    assert!(!app.prompt.image_mode);
    assert_eq!(
        sora_tui::app::prompt_snapshot(&app).text,
        "an owl reading by candlelight"
    );
    // Submitting sends the origin note first, then the submission.
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let cmds = update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
        3.0,
    );
    let requests: Vec<&Request> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::Worker(r) => Some(r),
            _ => None,
        })
        .collect();
    let Request::History(HistoryRequest::Note { local_id, note }) = requests[0] else {
        panic!("{requests:?}");
    };
    assert_eq!(
        note.origin,
        Some(Origin {
            gen_id: Some("gen_owl".into()),
            task_id: Some("task_owl".into()),
        })
    );
    assert!(
        matches!(requests[1], Request::Submit(s) if s.local_id == *local_id),
        "{requests:?}"
    );
}

/// A chain of three remixes, A ← B ← C, as the history knows it: the Drafts details of B
/// show A as its parent and one remix (C); C's show B as its parent.
#[test]
fn the_details_show_the_remix_chain() {
    use sora_tui::api::{Draft, DraftsPage};
    use sora_tui::app::Pane;
    use sora_tui::worker::DraftsEvent;
    let post = |c: char| format!("s_{}", c.to_string().repeat(32));
    let draft = |id: &str, post_id: Option<String>| Draft {
        id: Some(format!("gen_{id}")),
        task_id: Some(format!("task_{id}")),
        prompt: Some(format!("chain link {id}")),
        post_id,
        width: Some(1280.0),
        height: Some(720.0),
        duration_s: Some(10.0),
        created_at: Some(1_764_000_000.0),
        ..Draft::default()
    };
    let entry = chain_entry;
    let mut app = common::screens::signed_in(1_764_000_100.0);
    update(
        &mut app,
        Msg::Worker(Event::History(HistoryEvent::Loaded(vec![
            entry("c", None, Some(post('b'))),
            entry("b", Some(post('b')), Some(post('a'))),
            entry("a", Some(post('a')), None),
        ]))),
        1.0,
    );
    // A is no longer listed (the service forgot it); B and C are.
    update(
        &mut app,
        Msg::Worker(Event::Drafts(DraftsEvent::DraftsLoaded {
            page: DraftsPage {
                items: vec![draft("c", None), draft("b", Some(post('b')))],
                ..DraftsPage::default()
            },
            first: true,
        })),
        1.0,
    );
    app.pane = Pane::Drafts;
    let c = app.drafts.rows[0].clone();
    let b = app.drafts.rows[1].clone();
    let lc = sora_tui::app::history::lineage(&app, &c);
    assert_eq!(lc.parent_gen.as_deref(), Some("gen_b"));
    assert!(lc.parent_listed);
    let lb = sora_tui::app::history::lineage(&app, &b);
    assert_eq!(lb.parent_gen.as_deref(), Some("gen_a"));
    assert!(!lb.parent_listed, "A is known only from the history");
    assert_eq!(lb.children, 1);
    app.drafts.selected = 1;
    app.drafts.details = true;
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
    t.draw(|f| sora_tui::ui::draw(f, &app)).unwrap();
    insta::assert_snapshot!("drafts_details_lineage", t.backend());
}

/// A chain A ← B ← C of listed drafts the history knows: `[` walks up from C to B to A,
/// `]` from A goes down to B; a parent known only from the history is named in a toast.
#[test]
fn the_lineage_keys_walk_the_remix_chain() {
    use sora_tui::api::{Draft, DraftsPage};
    use sora_tui::app::Pane;
    use sora_tui::worker::DraftsEvent;
    let post = |c: char| format!("s_{}", c.to_string().repeat(32));
    let draft = |id: &str, post_id: Option<String>| Draft {
        id: Some(format!("gen_{id}")),
        task_id: Some(format!("task_{id}")),
        prompt: Some(format!("chain link {id}")),
        post_id,
        ..Draft::default()
    };
    let entry = chain_entry;
    let mut app = common::screens::signed_in(1.0);
    update(
        &mut app,
        Msg::Worker(Event::History(HistoryEvent::Loaded(vec![
            entry("c", None, Some(post('b'))),
            entry("b", Some(post('b')), Some(post('a'))),
            entry("a", Some(post('a')), None),
        ]))),
        1.0,
    );
    let load = |app: &mut sora_tui::app::App, items: Vec<Draft>| {
        update(
            app,
            Msg::Worker(Event::Drafts(DraftsEvent::DraftsLoaded {
                page: DraftsPage {
                    items,
                    ..DraftsPage::default()
                },
                first: true,
            })),
            1.0,
        );
    };
    load(
        &mut app,
        vec![
            draft("c", None),
            draft("b", Some(post('b'))),
            draft("a", Some(post('a'))),
        ],
    );
    app.pane = Pane::Drafts;
    let selected = |app: &sora_tui::app::App| app.drafts.rows[app.drafts.selected].gen_id.clone();
    assert_eq!(selected(&app), "gen_c");
    press(&mut app, '[');
    assert_eq!(selected(&app), "gen_b");
    press(&mut app, '[');
    assert_eq!(selected(&app), "gen_a");
    press(&mut app, '[');
    assert_eq!(selected(&app), "gen_a", "A is no remix");
    press(&mut app, ']');
    assert_eq!(selected(&app), "gen_b");
    press(&mut app, ']');
    assert_eq!(selected(&app), "gen_c");

    // A gone from the list: B's parent is named, the selection stays.
    load(
        &mut app,
        vec![draft("c", None), draft("b", Some(post('b')))],
    );
    app.drafts.selected = 1;
    app.toasts.clear();
    press(&mut app, '[');
    assert_eq!(selected(&app), "gen_b");
    assert!(
        app.toasts
            .iter()
            .any(|t| t.text == "gen_a is not listed (known from history)"),
        "{:?}",
        app.toasts
    );
}

/// Two remixes of one draft: `]` on it goes to one, `[` back, `]` again to the other.
#[test]
fn the_child_key_cycles_through_the_remixes() {
    use sora_tui::api::{Draft, DraftsPage};
    use sora_tui::app::Pane;
    use sora_tui::worker::DraftsEvent;
    let post_a = format!("s_{}", "a".repeat(32));
    let entry = |id: &str, remix_of: Option<String>, post_id: Option<String>| HistoryEntry {
        key: format!("gen_{id}"),
        generation_ids: vec![format!("gen_{id}")],
        remix_of,
        post_id,
        ..HistoryEntry::default()
    };
    let mut app = common::screens::signed_in(1.0);
    update(
        &mut app,
        Msg::Worker(Event::History(HistoryEvent::Loaded(vec![
            entry("y", Some(post_a.clone()), None),
            entry("x", Some(post_a.clone()), None),
            entry("a", None, Some(post_a.clone())),
        ]))),
        1.0,
    );
    let draft = |id: &str| Draft {
        id: Some(format!("gen_{id}")),
        prompt: Some(id.into()),
        ..Draft::default()
    };
    update(
        &mut app,
        Msg::Worker(Event::Drafts(DraftsEvent::DraftsLoaded {
            page: DraftsPage {
                items: vec![draft("y"), draft("x"), draft("a")],
                ..DraftsPage::default()
            },
            first: true,
        })),
        1.0,
    );
    app.pane = Pane::Drafts;
    app.drafts.selected = 2;
    let selected = |app: &sora_tui::app::App| app.drafts.rows[app.drafts.selected].gen_id.clone();
    let mut went = Vec::new();
    for _ in 0..3 {
        press(&mut app, ']');
        went.push(selected(&app));
        press(&mut app, '[');
        assert_eq!(selected(&app), "gen_a");
    }
    assert_eq!(
        went,
        ["gen_x", "gen_y", "gen_x"],
        "oldest remix first, then round"
    );
}

/// Waits for the draft of the finished task `task_id`; returns its generation id.
async fn finished_gen(h: &mut WorkerHarness, task_id: &str) -> String {
    entry(h, task_id, |e| !e.generation_ids.is_empty())
        .await
        .generation_ids[0]
        .clone()
}

/// Publishes `gen_id` through the worker; returns the post id.
async fn publish(h: &mut WorkerHarness, gen_id: &str) -> String {
    use sora_tui::worker::{DraftsEvent, DraftsRequest};
    h.send(Request::Drafts(DraftsRequest::Publish {
        gen_id: gen_id.to_string(),
    }))
    .await;
    let want = gen_id.to_string();
    h.expect("the publication", move |e| match e {
        Event::Drafts(DraftsEvent::Published { gen_id, post }) if *gen_id == want => {
            Some(post.id.clone())
        }
        _ => None,
    })
    .await
}

/// A remix chain made through the simulator: A, B remixing A's post, C remixing B's. Once
/// the list is loaded (and its drafts recorded as seen), the lineage walks C → B → A.
#[tokio::test]
async fn a_remix_chain_made_through_the_simulator_is_placed() {
    use sora_tui::app::Cmd;
    use sora_tui::worker::{DraftsEvent, DraftsRequest};
    let dir = tempfile::tempdir().unwrap();
    let sim = start_sim(|_| {}).await;
    let mut h = WorkerHarness::start(
        client_for(&sim),
        Store::new(dir.path().join("data")),
        fast_config(),
    );
    let video = |local_id, prompt: &str, remix: Option<String>| Submission {
        local_id,
        prompt: prompt.into(),
        kind: SubmissionKind::Video {
            settings: VideoSettings::default(),
            remix,
        },
        image: None,
    };
    let ta = h.submit_and_wait(video(1, "link a", None)).await.unwrap();
    let gen_a = finished_gen(&mut h, &ta.task_id).await;
    let post_a = publish(&mut h, &gen_a).await;
    let tb = h
        .submit_and_wait(video(2, "link b", Some(post_a.clone())))
        .await
        .unwrap();
    let gen_b = finished_gen(&mut h, &tb.task_id).await;
    let post_b = publish(&mut h, &gen_b).await;
    let tc = h
        .submit_and_wait(video(3, "link c", Some(post_b.clone())))
        .await
        .unwrap();
    let gen_c = finished_gen(&mut h, &tc.task_id).await;

    h.send(Request::Drafts(DraftsRequest::LoadDrafts { cursor: None }))
        .await;
    let page = h
        .expect("the drafts", |e| match e {
            Event::Drafts(DraftsEvent::DraftsLoaded { page, first: true }) => Some(page.clone()),
            _ => None,
        })
        .await;
    // The service says what each remixed (`creation_config.remix_target_post`).
    let listed = |g: &str| page.items.iter().find(|d| d.gen_id() == Some(g)).cloned();
    assert_eq!(listed(&gen_b).unwrap().remix_parent(), Some(post_a.clone()));
    assert_eq!(listed(&gen_c).unwrap().remix_parent(), Some(post_b.clone()));

    // The app records the drafts it sees; the worker's answer is what lineage reads.
    let mut app = common::screens::signed_in(1.0);
    for e in h.seen.clone() {
        if let Event::History(_) = e {
            update(&mut app, Msg::Worker(e), 1.0);
        }
    }
    let cmds = update(
        &mut app,
        Msg::Worker(Event::Drafts(DraftsEvent::DraftsLoaded {
            page,
            first: true,
        })),
        1.0,
    );
    let record = cmds
        .into_iter()
        .find_map(|c| match c {
            Cmd::Worker(r @ Request::History(HistoryRequest::Record(_))) => Some(r),
            _ => None,
        })
        .expect("the drafts seen are recorded");
    h.send(record).await;
    let want = post_b.clone();
    let changed = h
        .expect("the seen drafts recorded", move |e| match e {
            Event::History(HistoryEvent::Changed(entries))
                if entries
                    .iter()
                    .any(|x| x.post_id.as_deref() == Some(want.as_str())) =>
            {
                Some(e.clone())
            }
            _ => None,
        })
        .await;
    update(&mut app, Msg::Worker(changed), 1.0);
    let row = |g: &str| {
        app.drafts
            .rows
            .iter()
            .find(|r| r.gen_id == g)
            .cloned()
            .unwrap_or_else(|| panic!("{g} listed"))
    };
    let lc = sora_tui::app::history::lineage(&app, &row(&gen_c));
    assert_eq!(lc.parent_gen.as_deref(), Some(gen_b.as_str()), "{lc:?}");
    let lb = sora_tui::app::history::lineage(&app, &row(&gen_b));
    assert_eq!(lb.parent_gen.as_deref(), Some(gen_a.as_str()), "{lb:?}");
    assert_eq!(lb.children, 1);
    let la = sora_tui::app::history::lineage(&app, &row(&gen_a));
    assert_eq!(la.parent_post, None);
    assert_eq!(
        sora_tui::app::history::children(&app, &row(&gen_a)),
        vec![gen_b.clone()]
    );
    h.shutdown().await;
}

/// A submission the local queue held (three videos already running) and sent later gets its
/// history entry too, with the origin noted before it.
#[tokio::test]
async fn a_queued_submission_is_recorded_when_the_queue_sends_it() {
    use sora_tui::worker::QueueEvent;
    let dir = tempfile::tempdir().unwrap();
    let sim = start_sim(|_| {}).await;
    let mut h = WorkerHarness::start(
        client_for(&sim),
        Store::new(dir.path().join("data")),
        fast_config(),
    );
    let video = |local_id, prompt: &str| Submission {
        local_id,
        prompt: prompt.into(),
        kind: SubmissionKind::Video {
            settings: video_settings(),
            remix: None,
        },
        image: None,
    };
    for i in 1..=3 {
        h.send(Request::Submit(video(i, &format!("running {i}"))))
            .await;
    }
    let origin = Origin {
        gen_id: Some("gen_before".into()),
        task_id: None,
    };
    h.send(Request::History(HistoryRequest::Note {
        local_id: 4,
        note: SubmitNote {
            origin: Some(origin.clone()),
            storyboard_file: None,
        },
    }))
    .await;
    h.send(Request::Submit(video(4, "the one that waited")))
        .await;
    let queue_id = h
        .expect("the fourth held", |e| match e {
            Event::Queue(QueueEvent::Held {
                local_id: 4,
                queue_id,
                ..
            }) => Some(*queue_id),
            _ => None,
        })
        .await;
    let record = h
        .expect("the held one sent", |e| match e {
            Event::Queue(QueueEvent::Started {
                queue_id: q,
                record,
            }) if *q == queue_id => Some(record.clone()),
            _ => None,
        })
        .await;
    let got = entry(&mut h, &record.task_id, |e| e.sent.is_some()).await;
    let sent = got.sent.unwrap();
    assert_eq!(sent.prompt, "the one that waited");
    assert_eq!(
        sent.settings,
        SentSettings::Video {
            video: video_settings(),
            remix: None,
            image: None,
        }
    );
    assert_eq!(sent.origin, Some(origin));
    assert_eq!(got.submitted_at, Some(record.submitted_at));
    h.shutdown().await;
}

/// The Tasks pane's line under the list names the generation a re-run came from, as the
/// history recorded it.
#[test]
fn the_tasks_footer_shows_a_reruns_origin() {
    use sora_tui::app::Pane;
    use sora_tui::history::Sent;
    use sora_tui::track::{TaskKind, TaskPhase, TaskRecord};
    let mut app = common::screens::signed_in(1_764_000_100.0);
    app.pane = Pane::Tasks;
    app.tasks.tasks = vec![TaskRecord {
        task_id: "task_again".into(),
        kind: TaskKind::Video,
        prompt: "the owl again".into(),
        settings: "portrait · 15 s".into(),
        submitted_at: 1_764_000_000.0,
        finished_at: None,
        phase: TaskPhase::Working {
            status: "queued".into(),
            progress: 0.0,
        },
    }];
    let draw = |app: &sora_tui::app::App| {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 30)).unwrap();
        t.draw(|f| sora_tui::ui::draw(f, app)).unwrap();
        t.backend().to_string()
    };
    assert!(!draw(&app).contains("Origin"));
    let entry = HistoryEntry {
        key: "task_again".into(),
        task_id: Some("task_again".into()),
        sent: Some(Sent {
            prompt: "the owl again".into(),
            settings: SentSettings::Video {
                video: video_settings(),
                remix: None,
                image: None,
            },
            cameos: vec![],
            origin: Some(Origin {
                gen_id: Some("gen_owl".into()),
                task_id: None,
            }),
        }),
        ..HistoryEntry::default()
    };
    update(
        &mut app,
        Msg::Worker(Event::History(HistoryEvent::Loaded(vec![entry]))),
        1.0,
    );
    assert!(draw(&app).contains("Origin  gen_owl"), "{}", draw(&app));
}

/// The history's entry of link `id` of a remix chain (`task_ID`, `gen_ID`), published as
/// `post_id`, remixed from `remix_of`.
fn chain_entry(id: &str, post_id: Option<String>, remix_of: Option<String>) -> HistoryEntry {
    HistoryEntry {
        key: format!("task_{id}"),
        task_id: Some(format!("task_{id}")),
        generation_ids: vec![format!("gen_{id}")],
        post_id,
        remix_of,
        ..HistoryEntry::default()
    }
}

/// A storyboard queued explicitly (Ctrl-Q) after a re-run keeps its note in `queue.json`:
/// a restart while it waits loses neither the origin nor the storyboard file's name, and the
/// entry written when the restarted queue sends it holds both.
#[tokio::test]
async fn a_held_submissions_note_survives_a_restart() {
    use sora_tui::worker::{QueueEvent, QueueRequest, QueuedItem};
    let dir = tempfile::tempdir().unwrap();
    let sim = start_sim(|_| {}).await;
    let store = || Store::new(dir.path().join("data"));
    let mut h = WorkerHarness::start(client_for(&sim), store(), fast_config());
    h.send(Request::Queue(QueueRequest::SetPaused(true))).await;
    let origin = Origin {
        gen_id: Some("gen_before".into()),
        task_id: Some("task_before".into()),
    };
    let note = SubmitNote {
        origin: Some(origin.clone()),
        storyboard_file: Some("cat adventure".into()),
    };
    h.send(Request::History(HistoryRequest::Note {
        local_id: 7,
        note: note.clone(),
    }))
    .await;
    let text = "current timeline:\nShot 1:\nduration: 5.0sec\nScene: cat skydives\n\nShot 2:\nduration: 5.0sec\nScene: cat lands\n\ninstructions:\nA cat's adventure";
    let settings = VideoSettings::default();
    h.send(Request::Queue(QueueRequest::Add {
        jobs: vec![Submission {
            local_id: 7,
            prompt: text.into(),
            kind: SubmissionKind::Storyboard { settings },
            image: None,
        }],
        origin: None,
    }))
    .await;
    h.expect("the storyboard held", |e| match e {
        Event::Queue(QueueEvent::Held { local_id: 7, .. }) => Some(()),
        _ => None,
    })
    .await;
    h.shutdown().await;
    let saved = store()
        .load::<Vec<QueuedItem>>("queue.json")
        .unwrap()
        .unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].note.as_ref(), Some(&note), "the note is on disk");

    let mut h = WorkerHarness::start(client_for(&sim), store(), fast_config());
    h.send(Request::Queue(QueueRequest::SetPaused(false))).await;
    let record = h
        .expect("the held one sent after the restart", |e| match e {
            Event::Queue(QueueEvent::Started { record, .. }) => Some(record.clone()),
            _ => None,
        })
        .await;
    let got = entry(&mut h, &record.task_id, |e| e.sent.is_some()).await;
    let sent = got.sent.unwrap();
    assert_eq!(sent.prompt, text);
    assert_eq!(sent.origin, Some(origin));
    assert_eq!(
        sent.settings,
        SentSettings::Storyboard {
            video: settings,
            file: Some("cat adventure".into()),
        }
    );
    h.shutdown().await;
}

/// An extension's details name the draft it continues, as the history knows it, and say
/// when that draft is not in the loaded list.
#[test]
fn the_details_name_the_draft_an_extension_continues() {
    use sora_tui::api::{Draft, DraftsPage};
    use sora_tui::app::Pane;
    use sora_tui::worker::DraftsEvent;
    let draft = |id: &str| Draft {
        id: Some(format!("gen_{id}")),
        prompt: Some(format!("part {id}")),
        duration_s: Some(20.0),
        ..Draft::default()
    };
    let mut app = common::screens::signed_in(1_764_000_100.0);
    update(
        &mut app,
        Msg::Worker(Event::History(HistoryEvent::Loaded(vec![
            HistoryEntry {
                key: "task_two".into(),
                generation_ids: vec!["gen_two".into()],
                extension_of: Some("gen_one".into()),
                updated_at: 1.0,
                ..HistoryEntry::default()
            },
            HistoryEntry {
                key: "task_three".into(),
                generation_ids: vec!["gen_three".into()],
                extension_of: Some("gen_gone".into()),
                updated_at: 1.0,
                ..HistoryEntry::default()
            },
        ]))),
        1.0,
    );
    update(
        &mut app,
        Msg::Worker(Event::Drafts(DraftsEvent::DraftsLoaded {
            page: DraftsPage {
                items: vec![draft("three"), draft("two"), draft("one")],
                ..DraftsPage::default()
            },
            first: true,
        })),
        1.0,
    );
    app.pane = Pane::Drafts;
    app.drafts.details = true;
    let screen = |app: &sora_tui::app::App| {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
        t.draw(|f| sora_tui::ui::draw(f, app)).unwrap();
        format!("{:?}", t.backend())
    };
    app.drafts.selected = 1;
    let two = screen(&app);
    assert!(two.contains("Extends"), "{two}");
    assert!(
        two.contains("gen_one") && !two.contains("gen_one · not listed"),
        "{two}"
    );
    app.drafts.selected = 0;
    let three = screen(&app);
    assert!(three.contains("gen_gone · not listed"), "{three}");
    app.drafts.selected = 2;
    assert!(!screen(&app).contains("Extends"), "not an extension");
}
