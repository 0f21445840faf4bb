//! The local queue in the UI through `update`: the worker's `QueueEvent`s in, the Tasks
//! pane's queue copy, the submitting panes' waits, toasts and the queue requests out.

use crossterm::event::KeyCode;

use super::*;
use crate::api::{ImageShape, Length, Orientation, VideoSettings};
use crate::app::test_support::*;
use crate::track::{TaskKind, TaskPhase, TaskRecord};
use crate::worker::{
    Event, QueueEvent, QueuePause, QueueRequest, QueueSnapshot, QueuedItem, QueuedState, Request,
    Submission, SubmissionKind, TaskEvent,
};

fn app() -> App {
    App::new(AppInfo::default(), Keymap::default(), NOW)
}

fn event(app: &mut App, e: Event) -> Vec<Cmd> {
    update(app, Msg::Worker(e), NOW)
}

fn requests(cmds: &[Cmd]) -> Vec<&Request> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Worker(r) => Some(r),
            _ => None,
        })
        .collect()
}

/// The queue request among `cmds`, if exactly one.
fn queue_request(cmds: &[Cmd]) -> Option<&QueueRequest> {
    let qs: Vec<&QueueRequest> = requests(cmds)
        .into_iter()
        .filter_map(|r| match r {
            Request::Queue(q) => Some(q),
            _ => None,
        })
        .collect();
    match qs.as_slice() {
        [q] => Some(q),
        _ => None,
    }
}

fn video(prompt: &str) -> Submission {
    Submission {
        local_id: 0,
        prompt: prompt.into(),
        kind: SubmissionKind::Video {
            settings: VideoSettings::default(),
            remix: None,
        },
        image: None,
    }
}

fn item(queue_id: u64, prompt: &str, state: QueuedState) -> QueuedItem {
    QueuedItem {
        queue_id,
        submission: video(prompt),
        added_unix: NOW - 60.0,
        origin: None,
        state,
        note: None,
    }
}

fn snapshot(items: Vec<QueuedItem>, pause: Option<QueuePause>) -> Event {
    Event::Queue(QueueEvent::Changed(QueueSnapshot { items, pause }))
}

fn three_waiting() -> Event {
    snapshot(
        vec![
            item(7, "a fox", QueuedState::Waiting),
            item(8, "an owl", QueuedState::Waiting),
            item(9, "a hare", QueuedState::Waiting),
        ],
        None,
    )
}

fn task(id: &str) -> TaskRecord {
    TaskRecord {
        task_id: id.into(),
        kind: TaskKind::Video,
        prompt: "a cat".into(),
        settings: String::new(),
        submitted_at: NOW - 10.0,
        finished_at: None,
        phase: TaskPhase::Working {
            status: "running".into(),
            progress: 0.5,
        },
    }
}

/// Types a prompt and presses Ctrl-S; the submission's local id.
fn submit_typed(a: &mut App, text: &str) -> u64 {
    ch(a, 'i');
    typed(a, text);
    let cmds = ctrl(a, 's');
    match requests(&cmds).first() {
        Some(Request::Submit(sub)) => sub.local_id,
        other => panic!("no submit: {other:?}"),
    }
}

#[test]
fn held_ends_the_prompt_wait_like_submitted_and_says_why_and_where() {
    let mut a = app();
    event(
        &mut a,
        snapshot(vec![item(7, "a fox", QueuedState::Waiting)], None),
    );
    let local_id = submit_typed(&mut a, "a cat");
    assert_eq!(a.prompt.submitting, Some(local_id));

    let cmds = event(
        &mut a,
        Event::Queue(QueueEvent::Held {
            local_id,
            queue_id: 8,
            reason: "3 videos already running".into(),
        }),
    );
    assert_eq!(a.prompt.submitting, None, "the pane no longer waits");
    assert_eq!(
        a.prompt.text(),
        "",
        "the editor is emptied as after Submitted"
    );
    assert_eq!(a.prompt.history, vec!["a cat".to_string()]);
    assert!(
        requests(&cmds)
            .iter()
            .any(|r| matches!(r, Request::SavePrompt(s) if s.text.is_empty())),
        "the emptied editor is saved: {cmds:?}"
    );
    let toast = a.toasts.back().expect("a toast");
    assert!(!toast.error);
    assert_eq!(
        toast.text,
        "queued here: 3 videos already running · 2nd in line"
    );
}

#[test]
fn held_for_another_pane_leaves_the_prompt_waiting() {
    let mut a = app();
    let local_id = submit_typed(&mut a, "a cat");
    event(
        &mut a,
        Event::Queue(QueueEvent::Held {
            local_id: local_id + 100,
            queue_id: 1,
            reason: "added to the queue".into(),
        }),
    );
    assert_eq!(a.prompt.submitting, Some(local_id));
    assert_eq!(a.prompt.text(), "a cat");
}

#[test]
fn held_ends_the_storyboard_wait() {
    let mut a = app();
    a.storyboard.submitting = Some(41);
    a.storyboard.board =
        crate::storyboard::Storyboard::from_inline("[10.0s]cat jumps", VideoSettings::default())
            .unwrap();
    event(
        &mut a,
        Event::Queue(QueueEvent::Held {
            local_id: 41,
            queue_id: 1,
            reason: "added to the queue".into(),
        }),
    );
    assert_eq!(a.storyboard.submitting, None);
    assert_eq!(a.storyboard.board.shots.len(), 1, "the storyboard stays");
    assert!(a.toasts.back().unwrap().text.starts_with("queued here: "));
}

#[test]
fn changed_replaces_the_copy_and_the_selection_follows_its_row() {
    let mut a = app();
    a.tasks.tasks = vec![task("task_1"), task("task_2")];
    event(&mut a, three_waiting());
    assert_eq!(a.tasks.queue.items.len(), 3);
    assert_eq!(a.tasks.len(), 5);

    // On the owl (2nd); the fox leaves the queue (sent): still on the owl, now first.
    a.tasks.selected = 1;
    event(
        &mut a,
        snapshot(
            vec![
                item(8, "an owl", QueuedState::Waiting),
                item(9, "a hare", QueuedState::Waiting),
            ],
            Some(QueuePause::User),
        ),
    );
    let ids: Vec<u64> = a.tasks.queue.items.iter().map(|i| i.queue_id).collect();
    assert_eq!(ids, [8, 9], "replaced, not merged");
    assert_eq!(a.tasks.queue.pause, Some(QueuePause::User));
    assert_eq!(a.tasks.selected, 0);

    // On task_2 (row 3); the queue empties: still on task_2.
    a.tasks.selected = 3;
    event(&mut a, snapshot(Vec::new(), None));
    assert_eq!(a.tasks.selected, 1);
    assert_eq!(a.tasks.selected_task().unwrap().task_id, "task_2");
}

#[test]
fn j_and_k_in_tasks_move_the_selected_queued_item() {
    let mut a = app();
    a.tasks.tasks = vec![task("task_1")];
    event(&mut a, three_waiting());
    ch(&mut a, '3');
    // The selection stayed on task_1, now under the queue.
    assert_eq!(a.tasks.selected, 3);
    ch(&mut a, 'g');
    ch(&mut a, 'j'); // the owl
    let cmds = ch(&mut a, 'J');
    assert_eq!(
        queue_request(&cmds),
        Some(&QueueRequest::Move { queue_id: 8, by: 1 })
    );
    let cmds = ch(&mut a, 'K');
    assert_eq!(
        queue_request(&cmds),
        Some(&QueueRequest::Move {
            queue_id: 8,
            by: -1
        })
    );

    // Selection moves through the queued items into the tasks; J on a task moves nothing.
    ch(&mut a, 'G');
    assert_eq!(a.tasks.selected, 3);
    assert!(a.tasks.selected_task().is_some());
    assert!(requests(&ch(&mut a, 'J')).is_empty());
}

#[test]
fn e_takes_the_selected_item_back_and_a_failed_one_too() {
    let mut a = app();
    event(
        &mut a,
        snapshot(
            vec![
                item(7, "a fox", QueuedState::Submitting { since_unix: NOW }),
                item(
                    8,
                    "an owl",
                    QueuedState::Failed {
                        reason: "content policy".into(),
                    },
                ),
            ],
            None,
        ),
    );
    ch(&mut a, '3');
    // One being sent cannot be taken back: nothing is asked, a toast says why.
    assert!(requests(&ch(&mut a, 'e')).is_empty());
    assert!(a.toasts.back().unwrap().text.contains("being sent"));
    ch(&mut a, 'j');
    let cmds = ch(&mut a, 'e');
    assert_eq!(
        queue_request(&cmds),
        Some(&QueueRequest::TakeBack { queue_id: 8 })
    );
}

#[test]
fn d_and_delete_remove_a_queued_item_after_the_confirm() {
    let mut a = app();
    event(&mut a, three_waiting());
    ch(&mut a, '3');
    ch(&mut a, 'j');
    assert!(requests(&ch(&mut a, 'd')).is_empty(), "asks first");
    assert!(matches!(
        a.modal,
        Some(Modal::Confirm {
            action: ConfirmAction::RemoveQueued { queue_id: 8 },
            ..
        })
    ));
    let cmds = ch(&mut a, 'y');
    assert_eq!(
        queue_request(&cmds),
        Some(&QueueRequest::Remove { queue_id: 8 })
    );
    // `Delete` asks the same; any other key cancels.
    key(&mut a, KeyCode::Delete);
    assert!(matches!(
        a.modal,
        Some(Modal::Confirm {
            action: ConfirmAction::RemoveQueued { queue_id: 8 },
            ..
        })
    ));
    assert!(requests(&ch(&mut a, 'n')).is_empty());
    assert!(a.modal.is_none());
}

#[test]
fn p_pauses_or_resumes_according_to_the_snapshot() {
    let mut a = app();
    event(&mut a, three_waiting());
    ch(&mut a, '3');
    assert_eq!(
        queue_request(&ch(&mut a, 'p')),
        Some(&QueueRequest::SetPaused(true))
    );
    // Not toggled locally: the worker's answer says what the queue is.
    assert_eq!(
        queue_request(&ch(&mut a, 'p')),
        Some(&QueueRequest::SetPaused(true))
    );
    for pause in [
        QueuePause::User,
        QueuePause::Quota {
            resets_unix: NOW + 600.0,
        },
        QueuePause::Service {
            message: "sign in again".into(),
        },
    ] {
        let items = a.tasks.queue.items.clone();
        event(&mut a, snapshot(items, Some(pause)));
        assert_eq!(
            queue_request(&ch(&mut a, 'p')),
            Some(&QueueRequest::SetPaused(false))
        );
    }
}

#[test]
fn ctrl_q_in_the_prompt_queues_instead_of_submitting() {
    let mut a = app();
    ch(&mut a, 'i');
    typed(&mut a, "a fox");
    let cmds = ctrl(&mut a, 'q');
    assert!(
        !requests(&cmds)
            .iter()
            .any(|r| matches!(r, Request::Submit(_))),
        "{cmds:?}"
    );
    let Some(QueueRequest::Add { jobs, origin }) = queue_request(&cmds) else {
        panic!("no Add: {cmds:?}")
    };
    assert_eq!(origin, &None);
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].prompt, "a fox");
    assert_eq!(a.prompt.submitting, Some(jobs[0].local_id));
    assert!(!a.quit, "Ctrl-Q does not quit");

    // Not typing, the keymap's binding does the same.
    let mut b = app();
    ch(&mut b, 'i');
    typed(&mut b, "an owl");
    key(&mut b, KeyCode::Esc);
    assert!(matches!(
        queue_request(&ctrl(&mut b, 'q')),
        Some(QueueRequest::Add { .. })
    ));
}

#[test]
fn ctrl_q_in_the_storyboard_queues_it() {
    let mut a = app();
    a.storyboard.board =
        crate::storyboard::Storyboard::from_inline("[10.0s]cat jumps", VideoSettings::default())
            .unwrap();
    ch(&mut a, '2');
    let cmds = ctrl(&mut a, 'q');
    let Some(QueueRequest::Add { jobs, .. }) = queue_request(&cmds) else {
        panic!("no Add: {cmds:?}")
    };
    assert!(matches!(jobs[0].kind, SubmissionKind::Storyboard { .. }));
    assert_eq!(jobs[0].prompt, a.storyboard.board.prompt_text());
    assert_eq!(a.storyboard.submitting, Some(jobs[0].local_id));
}

#[test]
fn taken_back_loads_the_prompt_without_losing_what_was_typed() {
    let mut a = app();
    ch(&mut a, 'i');
    typed(&mut a, "half a thought");
    key(&mut a, KeyCode::Esc);
    ch(&mut a, '3');
    let sub = Submission {
        local_id: 0,
        prompt: "a fox in the snow".into(),
        kind: SubmissionKind::Image {
            shape: ImageShape::Portrait,
            variants: 2,
        },
        image: None,
    };
    let cmds = event(&mut a, Event::Queue(QueueEvent::TakenBack(Box::new(sub))));
    assert_eq!(a.pane, Pane::Prompt, "the Prompt pane is focused");
    assert!(a.prompt.typing);
    assert_eq!(a.prompt.text(), "a fox in the snow");
    assert!(a.prompt.image_mode);
    assert_eq!(a.prompt.shape, ImageShape::Portrait);
    assert_eq!(a.prompt.variants, 2);
    assert_eq!(
        a.prompt.history.last().map(String::as_str),
        Some("half a thought"),
        "what was typed is kept in the history"
    );
    assert!(
        requests(&cmds)
            .iter()
            .any(|r| matches!(r, Request::SavePrompt(s) if s.history.contains(&"half a thought".to_string()))),
        "{cmds:?}"
    );
    assert!(
        a.toasts
            .iter()
            .any(|t| t.text.contains("in the history: Ctrl-P"))
    );
    // Ctrl-P while typing brings it back.
    ctrl(&mut a, 'p');
    assert_eq!(a.prompt.text(), "half a thought");
}

#[test]
fn taken_back_video_gets_its_settings_and_remix() {
    let mut a = app();
    a.prompt.image_mode = true;
    let settings = VideoSettings {
        orientation: Orientation::Portrait,
        length: Length::S15,
        ..VideoSettings::default()
    };
    let sub = Submission {
        local_id: 0,
        prompt: "a remix".into(),
        kind: SubmissionKind::Video {
            settings,
            remix: Some("s_abc".into()),
        },
        image: None,
    };
    event(&mut a, Event::Queue(QueueEvent::TakenBack(Box::new(sub))));
    assert!(!a.prompt.image_mode);
    assert_eq!(a.prompt.video, settings);
    assert_eq!(a.prompt.remix, "s_abc");
    assert!(a.prompt.history.is_empty(), "an empty editor adds nothing");
}

#[test]
fn taken_back_storyboard_goes_to_the_storyboard_pane_and_undo_restores_the_old_one() {
    let mut a = app();
    let settings = VideoSettings::default();
    let mine =
        crate::storyboard::Storyboard::from_inline("[10.0s]what I was writing", settings).unwrap();
    a.storyboard.board = mine.clone();
    let queued = crate::storyboard::Storyboard::from_inline(
        "A cat's day [4.0s]cat wakes [6.0s]cat sleeps",
        settings,
    )
    .unwrap();
    let sub = Submission {
        local_id: 0,
        prompt: queued.prompt_text(),
        kind: SubmissionKind::Storyboard { settings },
        image: None,
    };
    event(&mut a, Event::Queue(QueueEvent::TakenBack(Box::new(sub))));
    assert_eq!(a.pane, Pane::Storyboard);
    assert_eq!(a.storyboard.board, queued);
    ch(&mut a, 'u');
    assert_eq!(a.storyboard.board, mine, "undo brings back what was there");
}

#[test]
fn taken_back_storyboard_that_does_not_read_back_goes_to_the_prompt() {
    let mut a = app();
    let sub = Submission {
        local_id: 0,
        prompt: "a storyboard written by hand".into(),
        kind: SubmissionKind::Storyboard {
            settings: VideoSettings::default(),
        },
        image: None,
    };
    event(&mut a, Event::Queue(QueueEvent::TakenBack(Box::new(sub))));
    assert_eq!(a.pane, Pane::Prompt);
    assert_eq!(a.prompt.text(), "a storyboard written by hand");
    assert!(
        a.toasts
            .iter()
            .any(|t| t.text.contains("could not be read back"))
    );
}

#[test]
fn submitted_selects_the_new_task_under_the_queue() {
    let mut a = app();
    event(&mut a, three_waiting());
    event(
        &mut a,
        Event::Tasks(TaskEvent::Submitted {
            local_id: 99,
            record: task("task_9"),
        }),
    );
    assert_eq!(a.tasks.selected, 3);
    assert_eq!(a.tasks.selected_task().unwrap().task_id, "task_9");
}

#[test]
fn queue_keys_have_hints_and_help_entries() {
    let mut a = app();
    event(&mut a, three_waiting());
    ch(&mut a, '3');
    let hints = crate::ui::hints(&a);
    for label in ["reorder", "edit", "remove", "pause queue"] {
        assert!(hints.iter().any(|(_, l)| *l == label), "{label}: {hints:?}");
    }
    for action in [
        keymap::Action::QueueMoveDown,
        keymap::Action::QueueMoveUp,
        keymap::Action::QueueEdit,
        keymap::Action::QueuePause,
        keymap::Action::QueueThis,
    ] {
        assert!(!a.keymap.keys_for(action).is_empty(), "{action:?} unbound");
    }
}

#[test]
fn a_task_started_from_the_queue_does_not_move_the_selection_off_its_task() {
    let mut a = app();
    a.tasks.tasks = vec![task("task_1")];
    event(&mut a, three_waiting());
    assert_eq!(a.tasks.selected_task().unwrap().task_id, "task_1");
    // The worker's order for an item it sent: the task, then the queue without it.
    event(&mut a, Event::Tasks(TaskEvent::TaskChanged(task("task_2"))));
    assert_eq!(a.tasks.selected_task().unwrap().task_id, "task_1");
    event(
        &mut a,
        snapshot(
            vec![
                item(8, "an owl", QueuedState::Waiting),
                item(9, "a hare", QueuedState::Waiting),
            ],
            None,
        ),
    );
    assert_eq!(a.tasks.selected_task().unwrap().task_id, "task_1");
}
