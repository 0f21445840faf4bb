//! `update` as a pure function: keys and worker events in, state and commands out.

use crossterm::event::KeyCode;

use super::*;
use crate::api::{ApiError, Draft, DraftVerdict, DraftsPage, Length, Orientation, Post};
use crate::app::test_support::*;
use crate::track::{TaskKind, TaskPhase, TaskRecord};
use crate::worker::{DraftsEvent, DraftsRequest, Event, Request, SubmissionKind, TaskEvent};

fn app() -> App {
    let info = AppInfo {
        download_dir: "/tmp/dl".into(),
        ..AppInfo::default()
    };
    App::new(info, Keymap::default(), NOW)
}

fn event(app: &mut App, e: Event) -> Vec<Cmd> {
    update(app, Msg::Worker(e), NOW)
}

fn worker_requests(cmds: &[Cmd]) -> Vec<&Request> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Worker(r) => Some(r),
            _ => None,
        })
        .collect()
}

fn draft(id: &str, post: Option<&str>) -> Draft {
    Draft {
        id: Some(id.into()),
        task_id: Some(format!("task_{id}")),
        kind: Some("sora_draft".into()),
        downloadable_url: Some(format!("http://127.0.0.1:1/media/{id}/source.mp4?sig=x")),
        prompt: Some(format!("prompt of {id}")),
        created_at: Some(NOW),
        duration_s: Some(10.0),
        post_id: post.map(str::to_owned),
        ..Draft::default()
    }
}

fn loaded(app: &mut App, n: usize, cursor: Option<&str>) {
    let items = (0..n).map(|i| draft(&format!("gen_{i}"), None)).collect();
    event(
        app,
        Event::Drafts(DraftsEvent::DraftsLoaded {
            page: DraftsPage {
                items,
                cursor: cursor.map(str::to_owned),
            },
            first: true,
        }),
    );
}

fn record(id: &str, phase: TaskPhase) -> TaskRecord {
    TaskRecord {
        task_id: id.into(),
        kind: TaskKind::Video,
        prompt: "a cat".into(),
        settings: String::new(),
        submitted_at: NOW - 10.0,
        finished_at: None,
        phase,
    }
}

fn working() -> TaskPhase {
    TaskPhase::Working {
        status: "running".into(),
        progress: 0.5,
    }
}

#[test]
fn number_keys_and_tab_switch_panes() {
    let mut a = app();
    ch(&mut a, '3');
    assert_eq!(a.pane, Pane::Tasks);
    key(&mut a, KeyCode::Tab);
    assert_eq!(a.pane, Pane::Drafts);
    key(&mut a, KeyCode::BackTab);
    key(&mut a, KeyCode::BackTab);
    assert_eq!(a.pane, Pane::Storyboard);
    ch(&mut a, '1');
    assert_eq!(a.pane, Pane::Prompt);
}

#[test]
fn typing_then_ctrl_s_submits_a_video_with_the_settings() {
    let mut a = app();
    ch(&mut a, 'o'); // portrait
    ch(&mut a, 'l'); // 15 s
    ch(&mut a, 'i');
    assert!(a.prompt.typing);
    typed(&mut a, "a cat");
    // Keys that are commands elsewhere are text while typing.
    assert_eq!(a.pane, Pane::Prompt);
    let cmds = ctrl(&mut a, 's');
    let reqs = worker_requests(&cmds);
    let Request::Submit(sub) = reqs[0] else {
        panic!("{cmds:?}")
    };
    assert_eq!(sub.prompt, "a cat");
    let SubmissionKind::Video { settings, remix } = &sub.kind else {
        panic!()
    };
    assert_eq!(settings.orientation, Orientation::Portrait);
    assert_eq!(settings.length, Length::S15);
    assert_eq!(remix, &None);
    assert_eq!(a.prompt.submitting, Some(sub.local_id));
    assert!(
        matches!(reqs[1], Request::SavePrompt(_)),
        "the history is saved too"
    );

    // The text stays until the worker confirms, then the editor is cleared and the task listed.
    assert_eq!(a.prompt.text(), "a cat");
    let local_id = sub.local_id;
    event(
        &mut a,
        Event::Tasks(TaskEvent::Submitted {
            local_id,
            record: record("task_1", working()),
        }),
    );
    assert_eq!(a.prompt.text(), "");
    assert_eq!(a.prompt.submitting, None);
    assert_eq!(a.tasks.tasks[0].task_id, "task_1");
    assert_eq!(a.prompt.history, vec!["a cat".to_string()]);
}

#[test]
fn empty_prompt_is_refused_with_a_message() {
    let mut a = app();
    let cmds = ctrl(&mut a, 's');
    assert!(worker_requests(&cmds).is_empty());
    assert!(a.prompt.error.as_deref().unwrap().contains("empty"));
}

#[test]
fn a_failed_submission_keeps_the_text_and_shows_why() {
    let mut a = app();
    ch(&mut a, 'i');
    typed(&mut a, "keep me");
    let cmds = ctrl(&mut a, 's');
    let Request::Submit(sub) = worker_requests(&cmds)[0] else {
        panic!()
    };
    event(
        &mut a,
        Event::Tasks(TaskEvent::SubmitFailed {
            local_id: sub.local_id,
            error: ApiError::Overloaded,
        }),
    );
    assert_eq!(a.prompt.text(), "keep me");
    assert!(a.prompt.error.as_deref().unwrap().contains("heavy load"));
    assert!(a.toasts.back().unwrap().error);
}

#[test]
fn image_mode_settings_and_remix_validation() {
    let mut a = app();
    ch(&mut a, 'v');
    ch(&mut a, 'o');
    ch(&mut a, 'n');
    assert!(a.prompt.image_mode);
    assert_eq!(a.prompt.shape, crate::api::ImageShape::Landscape);
    assert_eq!(a.prompt.variants, 2);
    ch(&mut a, 'i');
    typed(&mut a, "fox");
    key(&mut a, KeyCode::Esc);
    let cmds = ctrl(&mut a, 's');
    let Request::Submit(sub) = worker_requests(&cmds)[0] else {
        panic!()
    };
    assert_eq!(
        sub.kind,
        SubmissionKind::Image {
            shape: crate::api::ImageShape::Landscape,
            variants: 2
        }
    );

    let mut b = app();
    ch(&mut b, 'r');
    typed(&mut b, "not a link!");
    key(&mut b, KeyCode::Enter);
    assert!(b.toasts.back().unwrap().error);
    ch(&mut b, 'x');
    ch(&mut b, 'r');
    typed(
        &mut b,
        "https://sora.chatgpt.com/p/s_0123456789abcdef0123456789abcdef",
    );
    key(&mut b, KeyCode::Enter);
    assert_eq!(b.prompt.remix, "s_0123456789abcdef0123456789abcdef");
}

#[test]
fn image_path_field_asks_for_completions_and_applies_them() {
    let mut a = app();
    ch(&mut a, 'f');
    typed(&mut a, "/tmp/ca");
    let cmds = key(&mut a, KeyCode::Tab);
    assert_eq!(cmds, vec![Cmd::CompletePath("/tmp/ca".into())]);
    update(
        &mut a,
        Msg::Completions {
            input: "/tmp/ca".into(),
            candidates: vec!["/tmp/cat.png".into(), "/tmp/cats/".into()],
        },
        NOW,
    );
    assert_eq!(a.prompt.image_path, "/tmp/cat");
    assert_eq!(a.prompt.line.completions().len(), 2);
    update(
        &mut a,
        Msg::Completions {
            input: "/tmp/cat".into(),
            candidates: vec!["/tmp/cat.png".into()],
        },
        NOW,
    );
    assert_eq!(a.prompt.image_path, "/tmp/cat.png");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.prompt.field, None);
}

#[test]
fn one_line_fields_edit_at_the_cursor_like_a_shell_line() {
    let mut a = app();
    ch(&mut a, 'r');
    typed(&mut a, "abc");
    key(&mut a, KeyCode::Left);
    key(&mut a, KeyCode::Left);
    ch(&mut a, 'X');
    assert_eq!(a.prompt.remix, "aXbc");
    key(&mut a, KeyCode::End);
    typed(&mut a, " s_1");
    ctrl(&mut a, 'w');
    assert_eq!(
        a.prompt.remix, "aXbc ",
        "Ctrl-W takes the word before the cursor"
    );
    ctrl(&mut a, 'u');
    assert_eq!(a.prompt.remix, "");
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.prompt.field, None);
    // The field opens on its value with the cursor at the end.
    a.prompt.image_path = "/tmp/x.png".into();
    ch(&mut a, 'f');
    key(&mut a, KeyCode::Home);
    ch(&mut a, '~');
    assert_eq!(a.prompt.image_path, "~/tmp/x.png");
}

#[test]
fn tab_cycles_through_the_image_completions() {
    let mut a = app();
    ch(&mut a, 'f');
    typed(&mut a, "/tmp/c");
    key(&mut a, KeyCode::Tab);
    update(
        &mut a,
        Msg::Completions {
            input: "/tmp/c".into(),
            candidates: vec!["/tmp/cat.png".into(), "/tmp/cow.png".into()],
        },
        NOW,
    );
    assert_eq!(a.prompt.image_path, "/tmp/c");
    assert!(
        key(&mut a, KeyCode::Tab).is_empty(),
        "cycles without asking again"
    );
    assert_eq!(a.prompt.image_path, "/tmp/cat.png");
    key(&mut a, KeyCode::Tab);
    assert_eq!(a.prompt.image_path, "/tmp/cow.png");
    key(&mut a, KeyCode::BackTab);
    assert_eq!(a.prompt.image_path, "/tmp/cat.png");
}

#[test]
fn a_pasted_or_dropped_path_loses_its_quotes_and_file_scheme() {
    let mut a = app();
    ch(&mut a, 'f');
    update(&mut a, Msg::Paste("'/path/my image.png'".into()), NOW);
    assert_eq!(a.prompt.image_path, "/path/my image.png");
    ctrl(&mut a, 'u');
    update(
        &mut a,
        Msg::Paste("file:///path/my%20image.png\n".into()),
        NOW,
    );
    assert_eq!(a.prompt.image_path, "/path/my image.png");
}

#[test]
fn the_prompt_pane_starts_typing_so_the_first_keys_are_the_prompt() {
    let mut a = app();
    let before = prompt_snapshot(&a);
    startup(&mut a);
    assert!(a.prompt.typing);
    typed(&mut a, "a cat on a skateboard");
    assert_eq!(a.prompt.text(), "a cat on a skateboard");
    let after = prompt_snapshot(&a);
    assert_eq!(
        (after.video, after.remix, a.prompt.field),
        (before.video, before.remix, None),
        "no setting changed"
    );
    key(&mut a, KeyCode::Esc);
    ch(&mut a, 's');
    assert_ne!(
        prompt_snapshot(&a).video,
        before.video,
        "after Esc, s changes the size"
    );
}

#[test]
fn history_browses_previous_prompts() {
    let mut a = app();
    a.prompt.history = vec!["one".into(), "two".into()];
    ctrl(&mut a, 'p');
    assert_eq!(a.prompt.text(), "two");
    ctrl(&mut a, 'p');
    assert_eq!(a.prompt.text(), "one");
    ctrl(&mut a, 'n');
    assert_eq!(a.prompt.text(), "two");
    ctrl(&mut a, 'n');
    assert_eq!(a.prompt.text(), "");
}

#[test]
fn paste_goes_into_the_editor() {
    let mut a = app();
    let cmds = update(&mut a, Msg::Paste("line one\r\nline two".into()), NOW);
    assert_eq!(a.prompt.text(), "line one\nline two");
    assert!(a.prompt.typing);
    assert!(matches!(worker_requests(&cmds)[0], Request::SavePrompt(_)));
}

#[test]
fn drafts_navigation_pages_ahead() {
    let mut a = app();
    a.drafts_viewport = 5;
    ch(&mut a, '4');
    loaded(&mut a, 15, Some("c1"));
    assert_eq!(a.drafts.rows.len(), 15);
    ch(&mut a, 'j');
    assert_eq!(a.drafts.selected, 1);
    let cmds = ch(&mut a, 'G');
    assert_eq!(a.drafts.selected, 14);
    assert!(
        a.drafts.offset <= 14 && a.drafts.offset + 5 > 14,
        "selection visible"
    );
    assert_eq!(
        worker_requests(&cmds),
        vec![&Request::Drafts(DraftsRequest::LoadDrafts {
            cursor: Some("c1".into())
        })]
    );
    assert!(a.drafts.loading_more);
    // No second request while one is in flight.
    assert!(worker_requests(&ch(&mut a, 'k')).is_empty());
    let more = (15..20).map(|i| draft(&format!("gen_{i}"), None)).collect();
    event(
        &mut a,
        Event::Drafts(DraftsEvent::DraftsLoaded {
            page: DraftsPage {
                items: more,
                cursor: None,
            },
            first: false,
        }),
    );
    assert_eq!(a.drafts.rows.len(), 20);
    assert!(!a.drafts.loading_more);
    ch(&mut a, 'g');
    assert_eq!((a.drafts.selected, a.drafts.offset), (0, 0));
}

#[test]
fn draft_actions() {
    let mut a = app();
    ch(&mut a, '4');
    event(
        &mut a,
        Event::Drafts(DraftsEvent::DraftsLoaded {
            page: DraftsPage {
                items: vec![draft("gen_a", None), draft("gen_b", Some("s_b"))],
                cursor: None,
            },
            first: true,
        }),
    );
    // Download into the configured dir, named by the date, the prompt and the id.
    let cmds = ch(&mut a, 'w');
    let Request::Drafts(DraftsRequest::SaveDraft { draft, dir }) = worker_requests(&cmds)[0] else {
        panic!()
    };
    assert_eq!(draft.gen_id(), Some("gen_a"));
    assert_eq!(dir, &std::path::PathBuf::from("/tmp/dl"));
    let naming = crate::worker::Naming::default();
    let url = draft.best_url().unwrap_or_default();
    assert_eq!(
        dir.join(crate::worker::file_name(&naming, draft, url, false).unwrap()),
        std::path::PathBuf::from(format!(
            "/tmp/dl/{}_prompt-of-gen-a_gena.mp4",
            &crate::text::date(NOW)[..10]
        ))
    );
    // Publish.
    let cmds = ch(&mut a, 'p');
    assert_eq!(
        worker_requests(&cmds),
        vec![&Request::Drafts(DraftsRequest::Publish {
            gen_id: "gen_a".into()
        })]
    );
    event(
        &mut a,
        Event::Drafts(DraftsEvent::Published {
            gen_id: "gen_a".into(),
            post: Post {
                id: "s_a".into(),
                ..Post::default()
            },
        }),
    );
    assert_eq!(a.drafts.rows[0].post_id.as_deref(), Some("s_a"));
    // Copy the link (OSC 52).
    assert_eq!(
        ch(&mut a, 'y')[0],
        Cmd::Copy("https://sora.chatgpt.com/p/s_a".into())
    );
    // Unpublish asks; anything but y cancels.
    assert!(ch(&mut a, 'd').is_empty());
    assert!(matches!(a.modal, Some(Modal::Confirm { .. })));
    assert!(ch(&mut a, 'n').is_empty());
    assert!(a.modal.is_none());
    ch(&mut a, 'd');
    let cmds = ch(&mut a, 'y');
    assert_eq!(
        worker_requests(&cmds),
        vec![&Request::Drafts(DraftsRequest::Unpublish {
            post_id: "s_a".into(),
            gen_id: "gen_a".into()
        })]
    );
    // Remix fills the Prompt pane's target from the published draft.
    ch(&mut a, 'j');
    ch(&mut a, 'x');
    assert_eq!(a.pane, Pane::Prompt);
    assert_eq!(a.prompt.remix, "s_b");
    assert!(a.prompt.typing, "remix starts typing what to change");
    // Open prefers the downloaded file.
    key(&mut a, KeyCode::Esc);
    ch(&mut a, '4');
    event(
        &mut a,
        Event::Drafts(DraftsEvent::Downloaded {
            gen_id: "gen_b".into(),
            path: "/tmp/dl/gen_b.mp4".into(),
        }),
    );
    assert_eq!(
        ch(&mut a, 'o'),
        vec![Cmd::Open(OpenTarget::File("/tmp/dl/gen_b.mp4".into()))]
    );
    // Details toggle, Esc closes.
    key(&mut a, KeyCode::Enter);
    assert!(a.drafts.details);
    key(&mut a, KeyCode::Esc);
    assert!(!a.drafts.details);
    // Refresh.
    assert_eq!(
        worker_requests(&ch(&mut a, 'r')),
        vec![&Request::Drafts(DraftsRequest::LoadDrafts { cursor: None })]
    );
}

#[test]
fn task_events_update_rows_and_notify_once_on_finish() {
    let mut a = app();
    event(
        &mut a,
        Event::Restored {
            tasks: vec![record("task_1", working())],
            prompt: None,
            warnings: vec![],
        },
    );
    assert!(a.needs_tick());
    let mut done = record(
        "task_1",
        TaskPhase::Done {
            generation_ids: vec!["gen_1".into()],
            urls: vec![],
        },
    );
    done.finished_at = Some(NOW);
    let cmds = event(&mut a, Event::Tasks(TaskEvent::TaskChanged(done.clone())));
    assert!(matches!(&cmds[0], Cmd::Notify(t) if t.contains("done")));
    assert_eq!(
        cmds.len(),
        1,
        "no account read per finish (the worker refreshes the quota): {cmds:?}"
    );
    assert!(
        event(&mut a, Event::Tasks(TaskEvent::TaskChanged(done))).is_empty(),
        "no second notification"
    );
    assert!(!a.tasks.tasks[0].phase.is_unfinished());
}

#[test]
fn dismissing_a_task_needs_it_finished_and_a_confirmation() {
    let mut a = app();
    event(
        &mut a,
        Event::Restored {
            tasks: vec![
                record("task_1", working()),
                record("task_2", TaskPhase::Failed { reason: "x".into() }),
            ],
            prompt: None,
            warnings: vec![],
        },
    );
    ch(&mut a, '3');
    assert!(ch(&mut a, 'd').is_empty());
    assert!(a.modal.is_none(), "running tasks are not removed");
    ch(&mut a, 'j');
    ch(&mut a, 'd');
    let cmds = ch(&mut a, 'y');
    assert_eq!(
        worker_requests(&cmds),
        vec![&Request::DismissTask {
            task_id: "task_2".into()
        }]
    );
    assert_eq!(a.tasks.tasks.len(), 1);
}

#[test]
fn a_task_another_instance_dismissed_leaves_the_list() {
    let mut a = app();
    event(
        &mut a,
        Event::Restored {
            tasks: vec![
                record("task_1", working()),
                record("task_2", working()),
                record("task_3", working()),
            ],
            prompt: None,
            warnings: vec![],
        },
    );
    a.tasks.selected = 2;
    let cmds = event(
        &mut a,
        Event::Tasks(TaskEvent::TaskRemoved {
            task_id: "task_1".into(),
        }),
    );
    assert!(cmds.is_empty());
    let ids: Vec<&str> = a.tasks.tasks.iter().map(|t| t.task_id.as_str()).collect();
    assert_eq!(ids, ["task_2", "task_3"]);
    assert_eq!(a.tasks.selected, 1, "the same task stays selected");
    event(
        &mut a,
        Event::Tasks(TaskEvent::TaskRemoved {
            task_id: "unknown".into(),
        }),
    );
    assert_eq!(a.tasks.tasks.len(), 2);
}

#[test]
fn quit_asks_only_when_work_is_in_flight() {
    let mut a = app();
    assert_eq!(ch(&mut a, 'q'), vec![Cmd::Quit]);
    let mut b = app();
    ch(&mut b, 'i');
    typed(&mut b, "x");
    ctrl(&mut b, 's');
    key(&mut b, KeyCode::Esc);
    assert!(ch(&mut b, 'q').is_empty());
    assert!(matches!(
        b.modal,
        Some(Modal::Confirm {
            action: ConfirmAction::Quit,
            ..
        })
    ));
    assert_eq!(ch(&mut b, 'y'), vec![Cmd::Quit]);
    // Ctrl-C quits at once, even while typing.
    let mut c = app();
    ch(&mut c, 'i');
    assert_eq!(ctrl(&mut c, 'c'), vec![Cmd::Quit]);
}

#[test]
fn esc_and_a_key_in_one_read_stop_typing_then_act() {
    let mut a = app();
    ch(&mut a, 'i');
    typed(&mut a, "a cat");
    esc_then(&mut a, '3');
    assert!(!a.prompt.typing, "Esc stopped typing");
    assert_eq!(a.pane, Pane::Tasks, "then 3 went to the Tasks pane");
    assert_eq!(a.prompt.text(), "a cat", "neither key was typed");
    let mut b = app();
    ch(&mut b, 'i');
    typed(&mut b, "a dog");
    assert_eq!(esc_then(&mut b, 'q'), vec![Cmd::Quit]);
    // Alt keys the editor uses (a word back) stay in the editor.
    let mut c = app();
    ch(&mut c, 'i');
    typed(&mut c, "two words");
    esc_then(&mut c, 'b');
    assert!(c.prompt.typing);
    assert_eq!(c.prompt.editor.cursor(), (0, 4));
    assert_eq!(c.prompt.text(), "two words");
}

#[test]
fn esc_and_a_key_in_one_read_close_a_field_or_a_question_first() {
    // The image path field: closed with what was typed, then `v` switches to images.
    let mut a = app();
    ch(&mut a, 'f');
    typed(&mut a, "/tmp/cat.png");
    esc_then(&mut a, 'v');
    assert_eq!(a.prompt.field, None);
    assert_eq!(a.prompt.image_path, "/tmp/cat.png");
    assert!(a.prompt.image_mode);
    // A question: Esc and `y` in one read is a no, not a yes.
    let mut b = app();
    ch(&mut b, 'i');
    typed(&mut b, "x");
    ctrl(&mut b, 's');
    key(&mut b, KeyCode::Esc);
    ch(&mut b, 'q');
    assert!(b.modal.is_some());
    assert!(esc_then(&mut b, 'y').is_empty());
    assert!(b.modal.is_none());
    assert!(!b.quit);
}

#[test]
fn help_opens_and_q_closes_it_without_quitting() {
    let mut a = app();
    ch(&mut a, '?');
    assert_eq!(a.modal, Some(Modal::Help(Default::default())));
    assert!(ch(&mut a, 'q').is_empty());
    assert!(a.modal.is_none());
    assert!(!a.quit);
}

#[test]
fn restored_prompt_comes_back() {
    let mut a = app();
    let snap = crate::worker::PromptSnapshot {
        text: "unfinished\nthought".into(),
        image_mode: true,
        variants: 3,
        history: vec!["old".into()],
        ..Default::default()
    };
    event(
        &mut a,
        Event::Restored {
            tasks: vec![],
            prompt: Some(snap.clone()),
            warnings: vec![],
        },
    );
    assert_eq!(a.prompt.text(), "unfinished\nthought");
    assert_eq!(prompt_snapshot(&a).variants, 3);
    assert_eq!(prompt_snapshot(&a).history, snap.history);
}

#[test]
fn worker_crash_quits_with_a_message() {
    let mut a = app();
    assert_eq!(
        event(&mut a, Event::Crashed("boom".into())),
        vec![Cmd::Quit]
    );
    assert!(a.fatal.as_deref().unwrap().contains("boom"));
}

#[test]
fn toasts_expire_with_time() {
    let mut a = app();
    event(&mut a, Event::StoreFailed("disk full".into()));
    assert_eq!(a.toasts.len(), 1);
    update(&mut a, Msg::Tick, NOW + 60.0);
    assert!(a.toasts.is_empty());
}

#[test]
fn image_results_appear_in_drafts_and_stay_after_a_refresh() {
    let mut a = app();
    ch(&mut a, '4');
    loaded(&mut a, 2, None);
    let mut img = record("task_img", working());
    img.kind = TaskKind::Image;
    event(&mut a, Event::Tasks(TaskEvent::TaskChanged(img.clone())));
    img.phase = TaskPhase::Done {
        generation_ids: vec!["gen_i1".into(), "gen_i2".into()],
        urls: vec![
            "http://127.0.0.1:1/media/i1.png".into(),
            "http://127.0.0.1:1/media/i2.webp".into(),
        ],
    };
    img.finished_at = Some(NOW);
    event(&mut a, Event::Tasks(TaskEvent::TaskChanged(img)));
    let ids: Vec<&str> = a.drafts.rows.iter().map(|r| r.gen_id.as_str()).collect();
    assert_eq!(ids, ["gen_i1", "gen_i2", "gen_0", "gen_1"]);
    assert!(a.drafts.rows[0].is_image());
    assert_eq!(a.drafts.rows[0].state, "image");
    // A refresh keeps them.
    loaded(&mut a, 2, None);
    assert_eq!(a.drafts.rows.len(), 4);
    // Video-only actions are refused with a reason; download is allowed.
    ch(&mut a, 'g');
    assert!(worker_requests(&ch(&mut a, 'p')).is_empty());
    assert!(a.toasts.back().unwrap().text.contains("image"));
    assert_eq!(worker_requests(&ch(&mut a, 'w')).len(), 1);
}

#[test]
fn rows_keep_what_the_pane_needs_and_nothing_else() {
    let full = Draft {
        id: Some("gen_1".into()),
        kind: Some("sora_draft".into()),
        url: Some("https://m/stream.mp4".into()),
        downloadable_url: Some("https://m/full.mp4".into()),
        encodings: Some(crate::api::types::Encodings::default()),
        post: Some(serde_json::json!({"id": "s_1"})),
        prompt: Some("a cat".into()),
        ..Draft::default()
    };
    let row = drafts_row(full.clone());
    assert_eq!(row.draft().verdict(), full.verdict());
    assert_eq!(row.draft().best_url(), Some("https://m/full.mp4"));
    assert_eq!(row.draft().published_post_id(), full.published_post_id());
    assert_eq!(row.draft().url, None);
    assert_eq!(row.draft().encodings, None);
    assert_eq!(row.draft().prompt.as_deref(), Some("a cat"));
    let blocked = drafts_row(Draft {
        id: Some("gen_2".into()),
        markdown_reason_str: Some("nope".into()),
        ..Draft::default()
    });
    assert_eq!(
        blocked.draft().verdict(),
        DraftVerdict::Violation("nope".into())
    );
}

#[test]
fn server_text_is_flattened_for_display() {
    let row = drafts_row(Draft {
        id: Some("gen_x".into()),
        prompt: Some("evil\x1b[31m red\r\nnext".into()),
        ..Draft::default()
    });
    let title = row.title();
    assert!(!title.contains('\x1b') && !title.contains('\r') && !title.contains('\n'));
    // No draft predates the service: 1970 is a broken timestamp, shown as a dash.
    let utc = crate::text::Zone::utc();
    assert_eq!(crate::text::local_date(0.0, &utc, false), "–");
    assert_eq!(
        crate::text::local_date(1_764_000_000.0, &utc, false),
        "2025-11-24 16:00"
    );
}

/// A clean copy's end says which it is: a copy shown to be clean as news, the watermarked
/// file (what `W` did not ask for) as plainly and as long as an error, and neither claims
/// the other's words. The file is the pane's download either way.
#[test]
fn a_clean_copy_toast_says_whether_the_watermark_is_gone() {
    use crate::worker::{CopyVerdict, Placement};
    const WATERMARKED: &str = "the service returned the watermarked version for this token: a Sora app token is needed for clean copies";
    let mut a = app();
    a.drafts
        .stages
        .insert("gen_a".into(), "deleting the temporary post".into());
    event(
        &mut a,
        Event::Drafts(DraftsEvent::PostCopySaved {
            gen_id: "gen_a".into(),
            path: "/tmp/dl/gen_a.mp4".into(),
            verdict: CopyVerdict::Watermarked {
                evidence: "the post's source is the same file as the draft's downloadable_url"
                    .into(),
                placed: Placement::Saved,
            },
        }),
    );
    let toast = a.toasts.back().unwrap();
    assert!(toast.error, "{toast:?}");
    assert!(toast.text.starts_with(WATERMARKED), "{}", toast.text);
    assert!(toast.text.contains("gen_a.mp4"), "{}", toast.text);
    assert!(
        !toast.text.contains("without the watermark"),
        "{}",
        toast.text
    );
    assert!(!a.drafts.stages.contains_key("gen_a"));
    assert_eq!(
        a.drafts.downloads.get("gen_a"),
        Some(&DownloadState::Done("/tmp/dl/gen_a.mp4".into()))
    );

    event(
        &mut a,
        Event::Drafts(DraftsEvent::PostCopySaved {
            gen_id: "gen_b".into(),
            path: "/tmp/dl/gen_b.clean.mp4".into(),
            verdict: CopyVerdict::Clean {
                evidence: "another file, other bytes".into(),
            },
        }),
    );
    let toast = a.toasts.back().unwrap();
    assert!(!toast.error, "{toast:?}");
    assert!(
        toast
            .text
            .starts_with("saved gen_b.clean.mp4 without the watermark"),
        "{}",
        toast.text
    );
    assert!(!toast.text.contains(WATERMARKED), "{}", toast.text);
    assert_eq!(
        a.drafts.downloads.get("gen_b"),
        Some(&DownloadState::Done("/tmp/dl/gen_b.clean.mp4".into()))
    );
}

#[test]
fn resize_takes_the_list_height_it_is_given() {
    // The TUI loop measures the list from the ui's layout; update uses that number as is,
    // whatever the terminal height, and never a viewport of zero rows.
    let mut a = app();
    update(
        &mut a,
        Msg::Resize {
            width: 80,
            height: 24,
            list_rows: 7,
        },
        0.0,
    );
    assert_eq!(a.drafts_viewport, 7);
    update(
        &mut a,
        Msg::Resize {
            width: 80,
            height: 2,
            list_rows: 0,
        },
        0.0,
    );
    assert_eq!(a.drafts_viewport, 1);
}

#[test]
fn share_links_use_the_configured_backends_origin() {
    let origin = crate::api::ShareOrigin::from_base_url("http://127.0.0.1:43123/backend").unwrap();
    let info = AppInfo {
        share_origin: origin,
        ..AppInfo::default()
    };
    let mut a = App::new(info, Keymap::default(), NOW);
    ch(&mut a, '4');
    event(
        &mut a,
        Event::Drafts(DraftsEvent::DraftsLoaded {
            page: DraftsPage {
                items: vec![draft("gen_a", None), draft("gen_b", Some("s_b"))],
                cursor: None,
            },
            first: true,
        }),
    );
    event(
        &mut a,
        Event::Drafts(DraftsEvent::Published {
            gen_id: "gen_a".into(),
            post: Post {
                id: "s_a".into(),
                ..Post::default()
            },
        }),
    );
    let toast = &a.toasts.back().unwrap().text;
    assert!(toast.contains("http://127.0.0.1:43123/p/s_a"), "{toast}");
    assert_eq!(
        ch(&mut a, 'y')[0],
        Cmd::Copy("http://127.0.0.1:43123/p/s_a".into())
    );
    // Publishing again says where it already is.
    ch(&mut a, 'p');
    let toast = &a.toasts.back().unwrap().text;
    assert!(toast.contains("http://127.0.0.1:43123/p/s_a"), "{toast}");
    // A link on the configured origin is accepted as a remix target.
    ch(&mut a, '1');
    ch(&mut a, 'r');
    typed(&mut a, "http://127.0.0.1:43123/p/s_b");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.prompt.remix, "s_b");
}
