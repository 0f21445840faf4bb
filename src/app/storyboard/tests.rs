//! The Storyboard pane through `update`: keys and worker events in, state and commands out.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::api::{ApiError, Length};
use crate::app::test_support::*;
use crate::app::{AppInfo, EditTarget, Keymap, Msg, update};
use crate::track::{TaskKind, TaskPhase, TaskRecord};
use crate::worker::FileSummary;
use crate::worker::TaskEvent;

fn app() -> App {
    let mut app = App::new(AppInfo::default(), Keymap::default(), NOW);
    app.pane = Pane::Storyboard;
    app
}

fn event(app: &mut App, e: StoryboardEvent) -> Vec<Cmd> {
    update(app, Msg::Worker(Event::Storyboard(e)), NOW)
}

/// `a`, the scene, Esc.
fn add(app: &mut App, scene: &str) {
    ch(app, 'a');
    typed(app, scene);
    key(app, KeyCode::Esc);
}

fn scenes(app: &App) -> Vec<String> {
    app.storyboard
        .board
        .shots
        .iter()
        .map(|s| s.scene.clone())
        .collect()
}

fn durations(app: &App) -> Vec<f64> {
    app.storyboard.board.durations().collect()
}

fn requests(cmds: &[Cmd]) -> Vec<&StoryboardRequest> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Worker(Request::Storyboard(r)) => Some(r),
            _ => None,
        })
        .collect()
}

fn autosaved(cmds: &[Cmd]) -> Option<&StoryboardAutosave> {
    requests(cmds).into_iter().rev().find_map(|r| match r {
        StoryboardRequest::Autosave(a) => Some(a),
        _ => None,
    })
}

fn submission(cmds: &[Cmd]) -> Option<&Submission> {
    cmds.iter().find_map(|c| match c {
        Cmd::Worker(Request::Submit(s)) => Some(s),
        _ => None,
    })
}

/// Three shots with instructions, adding up to 10 s.
fn three_shots() -> App {
    let mut a = app();
    ch(&mut a, 'i');
    typed(&mut a, "A cat's adventure");
    key(&mut a, KeyCode::Esc);
    add(&mut a, "cat skydives");
    add(&mut a, "cat lands");
    add(&mut a, "cat walks home");
    a
}

#[test]
fn a_adds_a_shot_after_the_selected_one_and_types_its_scene() {
    let mut a = app();
    let cmds = ch(&mut a, 'a');
    assert!(a.storyboard.typing.is_some(), "typing starts at once");
    assert_eq!(
        autosaved(&cmds).map(|s| s.board.shots.len()),
        Some(1),
        "the new shot is autosaved"
    );
    typed(&mut a, "cat skydives");
    key(&mut a, KeyCode::Esc);
    assert!(a.storyboard.typing.is_none());
    add(&mut a, "cat lands");
    assert_eq!(scenes(&a), ["cat skydives", "cat lands"]);
    // Untimed shots share the 10 s evenly.
    assert_eq!(durations(&a), [5.0, 5.0]);
    // After the first one, not at the end.
    ch(&mut a, 'k');
    add(&mut a, "cat floats");
    assert_eq!(scenes(&a), ["cat skydives", "cat floats", "cat lands"]);
    assert_eq!(a.storyboard.selected, 1);
    assert_eq!(durations(&a), [3.3, 3.3, 3.4], "an even share for each");
}

#[test]
fn every_keystroke_is_autosaved_with_the_text_typed_so_far() {
    let mut a = app();
    ch(&mut a, 'a');
    typed(&mut a, "ca");
    let cmds = ch(&mut a, 't');
    let saved = autosaved(&cmds).expect("autosave on a keystroke");
    assert_eq!(saved.board.shots[0].scene, "cat");
    // Plain letters type, they do not act: `d` did not ask to delete, `u` did not undo.
    typed(&mut a, " du");
    assert!(a.modal.is_none());
    assert_eq!(scenes(&a), ["cat du"]);
}

#[test]
fn esc_and_a_key_arriving_as_one_alt_key_still_finish_then_act() {
    let mut a = app();
    ch(&mut a, 'a');
    typed(&mut a, "cat jumps");
    update(
        &mut a,
        Msg::Key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::ALT)),
        NOW,
    );
    typed(&mut a, "cat lands");
    key(&mut a, KeyCode::Esc);
    assert_eq!(scenes(&a), ["cat jumps", "cat lands"]);
    // Alt keys the editor uses (word moves) stay in the editor.
    key(&mut a, KeyCode::Enter);
    update(
        &mut a,
        Msg::Key(KeyEvent::new(KeyCode::Char('b'), KeyModifiers::ALT)),
        NOW,
    );
    assert!(a.storyboard.typing.is_some());
    // A global key after the Esc acts too: `1` goes to the Prompt pane.
    key(&mut a, KeyCode::Esc);
    ch(&mut a, 'a');
    typed(&mut a, "cat naps");
    esc_then(&mut a, '1');
    assert!(a.storyboard.typing.is_none());
    assert_eq!(a.pane, crate::app::Pane::Prompt);
    assert_eq!(scenes(&a), ["cat jumps", "cat lands", "cat naps"]);
}

#[test]
fn a_then_esc_without_typing_leaves_nothing_behind() {
    let mut a = three_shots();
    let before = a.storyboard.board.clone();
    let undo_steps = a.storyboard.history.undo_len();
    ch(&mut a, 'a');
    let cmds = key(&mut a, KeyCode::Esc);
    assert_eq!(a.storyboard.board, before);
    assert_eq!(a.storyboard.history.undo_len(), undo_steps);
    assert_eq!(autosaved(&cmds).map(|s| &s.board), Some(&before));
}

#[test]
fn enter_edits_the_selected_scene_and_esc_finishes_as_one_undo_step() {
    let mut a = three_shots();
    ch(&mut a, 'k');
    key(&mut a, KeyCode::Enter);
    assert_eq!(
        a.storyboard.typing.as_ref().map(|t| t.target),
        Some(StoryboardEdit::Scene(1))
    );
    typed(&mut a, " softly");
    key(&mut a, KeyCode::Enter); // a new line in the scene
    typed(&mut a, "on its feet");
    key(&mut a, KeyCode::Esc);
    assert_eq!(scenes(&a)[1], "cat lands softly\non its feet");
    ch(&mut a, 'u');
    assert_eq!(
        scenes(&a)[1],
        "cat lands",
        "the whole session undone at once"
    );
    ctrl(&mut a, 'r');
    assert_eq!(scenes(&a)[1], "cat lands softly\non its feet");
}

#[test]
fn plus_and_minus_change_the_duration_by_half_a_second_down_to_one() {
    let mut a = app();
    add(&mut a, "x");
    assert_eq!(durations(&a), [10.0], "the whole length");
    for _ in 0..8 {
        ch(&mut a, '-');
    }
    ch(&mut a, '+');
    ch(&mut a, '=');
    assert_eq!(durations(&a), [7.0]);
    for _ in 0..20 {
        ch(&mut a, '-');
    }
    assert_eq!(durations(&a), [1.0]);
    assert!(
        a.toasts
            .back()
            .is_some_and(|t| t.text.contains("at least 1.0 s")),
        "{:?}",
        a.toasts
    );
    for _ in 0..30 {
        ch(&mut a, '+');
    }
    assert_eq!(durations(&a), [10.0], "never longer than the video");
    ch(&mut a, 'l'); // 15 s
    ch(&mut a, '+');
    assert_eq!(durations(&a), [10.5]);
}

#[test]
fn shift_j_and_k_move_the_shot_and_the_selection_follows() {
    let mut a = three_shots();
    assert_eq!(a.storyboard.selected, 2);
    ch(&mut a, 'K');
    assert_eq!(scenes(&a), ["cat skydives", "cat walks home", "cat lands"]);
    assert_eq!(a.storyboard.selected, 1);
    ch(&mut a, 'K');
    ch(&mut a, 'K'); // already first: nothing
    assert_eq!(scenes(&a), ["cat walks home", "cat skydives", "cat lands"]);
    assert_eq!(a.storyboard.selected, 0);
    ch(&mut a, 'J');
    assert_eq!(scenes(&a), ["cat skydives", "cat walks home", "cat lands"]);
    ch(&mut a, 'u');
    assert_eq!(scenes(&a), ["cat walks home", "cat skydives", "cat lands"]);
    assert_eq!(a.storyboard.selected, 0, "undo puts the selection back too");
}

#[test]
fn d_asks_first_y_deletes_anything_else_keeps() {
    let mut a = three_shots();
    ch(&mut a, 'k');
    ch(&mut a, 'd');
    match &a.modal {
        Some(Modal::Confirm { question, action }) => {
            assert!(question.contains("shot 2"), "{question}");
            assert!(question.contains("cat lands"), "{question}");
            assert_eq!(
                *action,
                crate::app::ConfirmAction::Storyboard(StoryboardConfirm::DeleteShot(1))
            );
        }
        other => panic!("{other:?}"),
    }
    ch(&mut a, 'n');
    assert!(a.modal.is_none());
    assert_eq!(scenes(&a).len(), 3);
    ch(&mut a, 'd');
    let cmds = ch(&mut a, 'y');
    assert_eq!(scenes(&a), ["cat skydives", "cat walks home"]);
    assert_eq!(a.storyboard.selected, 1);
    assert!(autosaved(&cmds).is_some());
    ch(&mut a, 'u');
    assert_eq!(scenes(&a).len(), 3, "u brings it back");
}

#[test]
fn duplicate_copies_the_shot_after_itself() {
    let mut a = three_shots();
    ch(&mut a, 'k');
    ch(&mut a, 'c');
    assert_eq!(
        scenes(&a),
        ["cat skydives", "cat lands", "cat lands", "cat walks home"]
    );
    assert_eq!(a.storyboard.selected, 2);
}

#[test]
fn undo_and_redo_walk_every_kind_of_edit() {
    let mut a = app();
    add(&mut a, "one"); // 1
    ch(&mut a, '+'); // 2
    ch(&mut a, 'l'); // 3: 15 s
    ch(&mut a, 'c'); // 4
    ch(&mut a, 'i'); // 5
    typed(&mut a, "mood");
    key(&mut a, KeyCode::Esc);
    let done = a.storyboard.board.clone();
    for _ in 0..5 {
        ch(&mut a, 'u');
    }
    assert_eq!(a.storyboard.board, Storyboard::default());
    ch(&mut a, 'u');
    assert!(a.toasts.back().is_some_and(|t| t.text == "nothing to undo"));
    for _ in 0..5 {
        ctrl(&mut a, 'r');
    }
    assert_eq!(a.storyboard.board, done);
    ch(&mut a, 'u');
    ch(&mut a, 'o'); // a new edit forgets the redo
    ctrl(&mut a, 'r');
    assert!(a.toasts.back().is_some_and(|t| t.text == "nothing to redo"));
}

#[test]
fn shots_added_one_after_another_share_the_length_and_can_be_sent_as_they_are() {
    let mut a = app();
    add(&mut a, "cat skydives");
    assert_eq!(durations(&a), [10.0]);
    add(&mut a, "cat lands");
    assert_eq!(durations(&a), [5.0, 5.0]);
    add(&mut a, "cat walks home");
    assert_eq!(durations(&a), [3.3, 3.3, 3.4]);
    let cmds = ctrl(&mut a, 's');
    assert!(submission(&cmds).is_some(), "{:?}", a.storyboard.message);
}

#[test]
fn a_shot_added_after_timing_by_hand_takes_what_is_left() {
    let mut a = app();
    add(&mut a, "cat skydives");
    add(&mut a, "cat lands");
    ch(&mut a, '+'); // 5.5 + 5.0 of 10
    ch(&mut a, 'k');
    ch(&mut a, '-');
    ch(&mut a, '-');
    ch(&mut a, '-'); // 3.5 + 5.5
    add(&mut a, "cat floats");
    assert_eq!(durations(&a), [3.5, 1.0, 5.5]);
}

#[test]
fn f_on_untimed_shots_spreads_them_evenly() {
    let mut a = three_shots();
    ch(&mut a, 'l'); // 15 s
    ch(&mut a, 'f');
    assert_eq!(durations(&a), [5.0, 5.0, 5.0]);
    ch(&mut a, 'l'); // 25 s
    ch(&mut a, 'f');
    assert_eq!(durations(&a), [8.3, 8.3, 8.4]);
}

#[test]
fn f_scales_the_durations_to_fit_the_length() {
    let mut a = three_shots();
    assert_eq!(durations(&a), [3.3, 3.3, 3.4]);
    // Timed by hand: 5.0, 5.0, 1.0.
    a.storyboard.board.shots[0].duration = 5.0;
    a.storyboard.board.shots[1].duration = 5.0;
    a.storyboard.board.shots[2].duration = 1.0;
    ch(&mut a, 'f');
    let d = durations(&a);
    assert_eq!(
        crate::storyboard::timing::total_tenths(d.iter().copied()),
        100
    );
    assert!(d.iter().all(|x| *x >= 1.0), "{d:?}");
    assert_eq!(d, [4.5, 4.5, 1.0]);
    ch(&mut a, 'l'); // 15 s
    ch(&mut a, 'f');
    assert_eq!(durations(&a), [6.8, 6.7, 1.5]);
    ch(&mut a, 'u');
    assert_eq!(durations(&a), [4.5, 4.5, 1.0]);
}

#[test]
fn submitting_is_refused_while_the_shots_do_not_add_up() {
    let mut a = three_shots();
    ch(&mut a, '+'); // 10.5 s of 10
    let cmds = ctrl(&mut a, 's');
    assert!(submission(&cmds).is_none());
    let message = a.storyboard.message.clone().expect("inline message");
    assert!(message.contains("add up to 10.5 s"), "{message}");
    assert!(
        message.contains("press f to fit them (or +/-)"),
        "{message}"
    );
    assert!(
        a.toasts
            .back()
            .is_some_and(|t| t.error && t.text.contains("add up to 10.5 s, the video is 10 s"))
    );
    // Any edit clears the message; fitting makes it sendable.
    ch(&mut a, 'f');
    assert!(a.storyboard.message.is_none());
    let cmds = ctrl(&mut a, 's');
    assert!(submission(&cmds).is_some());
}

#[test]
fn an_empty_storyboard_or_scene_is_refused_with_the_reason() {
    let mut a = app();
    ctrl(&mut a, 's');
    assert!(
        a.storyboard
            .message
            .as_ref()
            .is_some_and(|m| m.contains("no shots"))
    );
    ch(&mut a, 'a');
    typed(&mut a, "  ");
    key(&mut a, KeyCode::Esc); // an added shot left blank is taken away
    assert!(a.storyboard.board.shots.is_empty());
}

#[test]
fn ctrl_s_sends_the_exact_prompt_text_and_the_settings() {
    let mut a = three_shots();
    ch(&mut a, 'f');
    ch(&mut a, 'o'); // portrait
    let cmds = ctrl(&mut a, 's');
    let sub = submission(&cmds).expect("submitted");
    assert_eq!(
        sub.prompt,
        "current timeline:\nShot 1:\nduration: 3.3sec\nScene: cat skydives\n\nShot 2:\nduration: 3.3sec\nScene: cat lands\n\nShot 3:\nduration: 3.4sec\nScene: cat walks home\n\ninstructions:\nA cat's adventure"
    );
    assert_eq!(
        sub.prompt,
        a.storyboard.board.prompt_text(),
        "what the preview shows"
    );
    match sub.kind {
        SubmissionKind::Storyboard { settings } => {
            assert_eq!(settings.orientation, crate::api::Orientation::Portrait);
            assert_eq!(settings.length, Length::S10);
        }
        ref other => panic!("{other:?}"),
    }
    assert_eq!(a.storyboard.submitting, Some(sub.local_id));
    let local_id = sub.local_id;
    // A second Ctrl-S while it is on its way sends nothing.
    assert!(submission(&ctrl(&mut a, 's')).is_none());
    let record = TaskRecord {
        task_id: "task_1".into(),
        kind: TaskKind::Storyboard,
        prompt: a.storyboard.board.prompt_text(),
        settings: String::new(),
        submitted_at: NOW,
        finished_at: None,
        phase: TaskPhase::Working {
            status: "queued".into(),
            progress: 0.0,
        },
    };
    update(
        &mut a,
        Msg::Worker(Event::Tasks(TaskEvent::Submitted { local_id, record })),
        NOW,
    );
    assert_eq!(a.storyboard.submitting, None);
    assert_eq!(a.tasks.tasks[0].task_id, "task_1", "the task is in Tasks");
    assert_eq!(scenes(&a).len(), 3, "the storyboard stays for another take");
}

#[test]
fn ctrl_s_while_typing_finishes_and_submits() {
    let mut a = three_shots();
    ch(&mut a, 'f');
    key(&mut a, KeyCode::Enter);
    typed(&mut a, "!");
    let cmds = ctrl(&mut a, 's');
    assert!(a.storyboard.typing.is_none());
    assert!(submission(&cmds).is_some_and(|s| s.prompt.contains("cat walks home!")));
}

#[test]
fn a_failed_submission_is_shown_in_this_pane() {
    let mut a = three_shots();
    ch(&mut a, 'f');
    let cmds = ctrl(&mut a, 's');
    let local_id = submission(&cmds).expect("sent").local_id;
    let error = ApiError::InvalidInput("the server said no".into());
    update(
        &mut a,
        Msg::Worker(Event::Tasks(TaskEvent::SubmitFailed { local_id, error })),
        NOW,
    );
    assert_eq!(a.storyboard.submitting, None);
    assert!(
        a.storyboard
            .message
            .as_ref()
            .is_some_and(|m| m.contains("the server said no"))
    );
    assert_eq!(a.prompt.error, None, "not the Prompt pane's error");
}

#[test]
fn the_preview_shows_and_keeps_to_the_prompt_keys() {
    let mut a = three_shots();
    ch(&mut a, 'p');
    assert!(a.storyboard.preview);
    ch(&mut a, 'j');
    assert_eq!(a.storyboard.preview_scroll, 1);
    assert_eq!(a.storyboard.selected, 2, "j scrolls, it does not select");
    ch(&mut a, 'f'); // fitting keeps the preview up
    assert!(a.storyboard.preview);
    key(&mut a, KeyCode::Esc);
    assert!(!a.storyboard.preview);
    ch(&mut a, 'p');
    ch(&mut a, 'a'); // an edit of the shots goes back to them
    assert!(!a.storyboard.preview);
    assert!(a.storyboard.typing.is_some());
}

#[test]
fn settings_keys_cycle_and_are_undoable() {
    let mut a = app();
    ch(&mut a, 'o');
    ch(&mut a, 'l');
    ch(&mut a, 'l');
    ch(&mut a, 'm');
    ch(&mut a, 's');
    let s = a.storyboard.board.settings;
    assert_eq!(s.orientation, crate::api::Orientation::Portrait);
    assert_eq!(s.length, Length::S25);
    assert_eq!(s.model, crate::api::Model::SyOre);
    assert_eq!(s.size, crate::api::Size::Large);
    ch(&mut a, 'u');
    assert_eq!(a.storyboard.board.settings.size, crate::api::Size::Small);
}

#[test]
fn ctrl_e_opens_the_scene_in_the_editor_and_the_result_is_an_edit() {
    let mut a = three_shots();
    let cmds = ctrl(&mut a, 'e');
    assert_eq!(
        cmds,
        vec![Cmd::EditExternally {
            text: "cat walks home".into(),
            target: EditTarget::Storyboard(StoryboardEdit::Scene(2)),
        }]
    );
    let cmds = update(
        &mut a,
        Msg::EditorClosed {
            target: EditTarget::Storyboard(StoryboardEdit::Scene(2)),
            result: Ok("cat walks home\nslowly".into()),
        },
        NOW,
    );
    assert_eq!(scenes(&a)[2], "cat walks home\nslowly");
    assert!(autosaved(&cmds).is_some());
    // While typing the instructions, Ctrl-E takes them.
    ch(&mut a, 'i');
    let cmds = ctrl(&mut a, 'e');
    assert!(matches!(
        &cmds[..],
        [.., Cmd::EditExternally { target: EditTarget::Storyboard(StoryboardEdit::Instructions), text }]
            if text == "A cat's adventure"
    ));
    assert!(a.storyboard.typing.is_none());
}

#[test]
fn a_pasted_inline_storyboard_is_imported_and_undoable() {
    let mut a = three_shots();
    let before = a.storyboard.board.clone();
    update(
        &mut a,
        Msg::Paste("A dog's day [4.5s]dog wakes\r\n[5.5s]dog eats".into()),
        NOW,
    );
    assert_eq!(a.storyboard.board.instructions, "A dog's day");
    assert_eq!(scenes(&a), ["dog wakes", "dog eats"]);
    assert_eq!(durations(&a), [4.5, 5.5]);
    ch(&mut a, 'u');
    assert_eq!(a.storyboard.board, before);
    // Plain text is not imported; it says how to paste into a scene.
    update(&mut a, Msg::Paste("just words".into()), NOW);
    assert_eq!(a.storyboard.board, before);
    // While typing, a paste goes into the scene.
    key(&mut a, KeyCode::Enter);
    update(&mut a, Msg::Paste(" and more".into()), NOW);
    key(&mut a, KeyCode::Esc);
    assert_eq!(scenes(&a)[2], "cat walks home and more");
}

#[test]
fn cameo_picker_inserts_at_the_cursor_and_insert_text_appends() {
    let mut a = three_shots();
    ch(&mut a, '@');
    assert_eq!(a.storyboard.overlay, Some(Overlay::Cameos { selected: 0 }));
    // No cameos yet: Enter does nothing, Esc closes.
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.storyboard.overlay, None);
    // The Cameos pane (or the picker, once it has names) inserts through `insert_text`.
    insert_text(&mut a, "@alice");
    assert_eq!(scenes(&a)[2], "cat walks home @alice");
    key(&mut a, KeyCode::Enter);
    for _ in 0.."home @alice".len() {
        key(&mut a, KeyCode::Left);
    }
    ctrl(&mut a, 't');
    assert!(matches!(a.storyboard.overlay, Some(Overlay::Cameos { .. })));
    assert!(a.storyboard.typing.is_some(), "typing goes on underneath");
    key(&mut a, KeyCode::Esc);
    insert_text(&mut a, "@bob ");
    key(&mut a, KeyCode::Esc);
    assert_eq!(scenes(&a)[2], "cat walks @bob home @alice");
    // With no shots, the text becomes a shot.
    let mut b = app();
    insert_text(&mut b, "@carol");
    assert_eq!(scenes(&b), ["@carol"]);
}

#[test]
fn the_autosave_is_restored_unless_something_happened_already() {
    let mut a = app();
    let board = three_shots().storyboard.board;
    let autosave = StoryboardAutosave {
        board: board.clone(),
        selected: 1,
        file: Some(PathBuf::from("/d/cat.storyboard.toml")),
        dirty: false,
    };
    event(
        &mut a,
        StoryboardEvent::Restored {
            autosave: Some(autosave.clone()),
            warning: None,
        },
    );
    assert_eq!(a.storyboard.board, board);
    assert_eq!(a.storyboard.selected, 1);
    assert_eq!(a.storyboard.file_name().as_deref(), Some("cat"));
    assert!(!a.storyboard.modified());
    let mut b = app();
    add(&mut b, "typed before the worker answered");
    event(
        &mut b,
        StoryboardEvent::Restored {
            autosave: Some(autosave),
            warning: Some("the autosaved storyboard could not be read".into()),
        },
    );
    assert_eq!(scenes(&b), ["typed before the worker answered"]);
    assert!(b.toasts.back().is_some_and(|t| t.error));
}

#[test]
fn opening_a_file_replaces_the_storyboard_and_u_brings_it_back() {
    let mut a = three_shots();
    let before = a.storyboard.board.clone();
    let path = PathBuf::from("/d/storyboards/dog.storyboard.toml");
    let dog = Storyboard::from_inline("[10s]dog", Default::default()).expect("inline");
    let cmds = event(
        &mut a,
        StoryboardEvent::Opened {
            path: path.clone(),
            board: dog.clone(),
            inline: false,
        },
    );
    assert_eq!(a.storyboard.board, dog);
    assert_eq!(a.storyboard.file, Some(path));
    assert!(!a.storyboard.modified());
    assert_eq!(autosaved(&cmds).map(|s| s.dirty), Some(false));
    assert!(
        a.toasts
            .back()
            .is_some_and(|t| t.text.contains("u goes back"))
    );
    ch(&mut a, '-');
    assert!(a.storyboard.modified());
    ch(&mut a, 'u');
    assert!(!a.storyboard.modified(), "back to what the file holds");
    ch(&mut a, 'u');
    assert_eq!(a.storyboard.board, before);
    assert_eq!(a.storyboard.file, None);
}

#[test]
fn open_failures_name_the_file_and_the_line() {
    let mut a = app();
    event(
        &mut a,
        StoryboardEvent::OpenFailed {
            path: PathBuf::from("/d/x.storyboard.toml"),
            error: "line 4: unknown field `scen`".into(),
        },
    );
    assert_eq!(
        a.storyboard.message.as_deref(),
        Some("not opened: x: line 4: unknown field `scen`")
    );
}

#[test]
fn w_asks_a_name_the_first_time_then_saves_to_the_file() {
    let mut a = three_shots();
    let cmds = ch(&mut a, 'w');
    assert!(requests(&cmds).is_empty());
    assert!(
        matches!(&a.storyboard.overlay, Some(Overlay::Name(i)) if i.purpose == NamePurpose::SaveAs)
    );
    key(&mut a, KeyCode::Enter);
    assert!(
        matches!(&a.storyboard.overlay, Some(Overlay::Name(i)) if i.error.is_some()),
        "an empty name is refused in place"
    );
    typed(&mut a, "cat/x");
    key(&mut a, KeyCode::Enter);
    assert!(matches!(&a.storyboard.overlay, Some(Overlay::Name(i)) if i.error.is_some()));
    for _ in 0..2 {
        key(&mut a, KeyCode::Backspace);
    }
    let cmds = key(&mut a, KeyCode::Enter);
    let board = a.storyboard.board.clone();
    assert_eq!(
        requests(&cmds),
        [&StoryboardRequest::Save {
            target: SaveTarget::Named {
                name: "cat".into(),
                overwrite: false
            },
            board: board.clone(),
        }]
    );
    assert_eq!(a.storyboard.overlay, None);
    // The file exists: asked first, `y` replaces it.
    event(&mut a, StoryboardEvent::SaveExists { name: "cat".into() });
    let cmds = ch(&mut a, 'y');
    assert!(matches!(
        requests(&cmds)[..],
        [StoryboardRequest::Save {
            target: SaveTarget::Named {
                overwrite: true,
                ..
            },
            ..
        }]
    ));
    let path = PathBuf::from("/d/storyboards/cat.storyboard.toml");
    event(
        &mut a,
        StoryboardEvent::Saved {
            path: path.clone(),
            board,
        },
    );
    assert!(!a.storyboard.modified());
    ch(&mut a, '+');
    let cmds = ch(&mut a, 'w');
    assert!(matches!(
        requests(&cmds)[..],
        [StoryboardRequest::Save { target: SaveTarget::File(p), .. }] if *p == path
    ));
}

fn listing() -> StoryboardEvent {
    let file = |name: &str| StoryboardFile {
        path: PathBuf::from(format!("/d/storyboards/{name}.storyboard.toml")),
        name: name.into(),
        modified: Some(NOW),
        summary: Ok(FileSummary {
            shots: 2,
            total: 10.0,
            length: 10,
        }),
    };
    StoryboardEvent::Listed {
        folder: PathBuf::from("/d/storyboards"),
        files: vec![file("cat"), file("dog")],
    }
}

#[test]
fn the_file_picker_opens_renames_and_deletes() {
    let mut a = app();
    let cmds = ch(&mut a, 'O');
    assert_eq!(requests(&cmds), [&StoryboardRequest::List]);
    assert_eq!(
        a.storyboard.overlay,
        Some(Overlay::Files {
            selected: 0,
            loading: true
        })
    );
    event(&mut a, listing());
    ch(&mut a, 'j');
    // Rename: the name prompt starts from the file's name; Esc goes back to the list.
    ch(&mut a, 'r');
    assert!(matches!(&a.storyboard.overlay, Some(Overlay::Name(i)) if i.value.text() == "dog"));
    key(&mut a, KeyCode::Esc);
    assert!(matches!(
        a.storyboard.overlay,
        Some(Overlay::Files { selected: 1, .. })
    ));
    ch(&mut a, 'r');
    typed(&mut a, "gy");
    let cmds = key(&mut a, KeyCode::Enter);
    let dog = PathBuf::from("/d/storyboards/dog.storyboard.toml");
    assert_eq!(
        requests(&cmds),
        [&StoryboardRequest::Rename {
            from: dog.clone(),
            to: "doggy".into()
        }]
    );
    let doggy = PathBuf::from("/d/storyboards/doggy.storyboard.toml");
    let cmds = event(
        &mut a,
        StoryboardEvent::Renamed {
            from: dog,
            to: doggy.clone(),
        },
    );
    assert!(requests(&cmds).contains(&&StoryboardRequest::List));
    // Delete asks first; the picker stays.
    ch(&mut a, 'd');
    assert!(a.modal.is_some());
    let cmds = ch(&mut a, 'y');
    assert!(matches!(
        requests(&cmds)[..],
        [StoryboardRequest::Delete(_)]
    ));
    assert!(matches!(a.storyboard.overlay, Some(Overlay::Files { .. })));
    // Enter opens the selected file and closes the picker.
    let cmds = key(&mut a, KeyCode::Enter);
    assert!(matches!(requests(&cmds)[..], [StoryboardRequest::Open(_)]));
    assert_eq!(a.storyboard.overlay, None);
}

#[test]
fn import_asks_a_path_and_expands_the_home() {
    let mut a = app();
    a.info.home = PathBuf::from("/home/u");
    ch(&mut a, 'I');
    typed(&mut a, "~/idea.txt");
    let cmds = key(&mut a, KeyCode::Enter);
    assert_eq!(
        requests(&cmds),
        [&StoryboardRequest::Open(PathBuf::from("/home/u/idea.txt"))]
    );
}

#[test]
fn a_file_on_the_command_line_is_opened_in_this_pane() {
    let mut a = app();
    a.pane = Pane::Prompt;
    a.info.open_on_start = Some(PathBuf::from("cat.storyboard.toml"));
    let cmds = crate::app::startup(&mut a);
    assert!(
        requests(&cmds).contains(&&StoryboardRequest::Open(PathBuf::from(
            "cat.storyboard.toml"
        )))
    );
    assert_eq!(a.pane, Pane::Storyboard);
}

#[test]
fn new_starts_empty_and_keeps_the_settings() {
    let mut a = three_shots();
    ch(&mut a, 'l');
    ch(&mut a, 'N');
    assert!(a.storyboard.board.shots.is_empty());
    assert!(a.storyboard.board.instructions.is_empty());
    assert_eq!(a.storyboard.board.settings.length, Length::S15);
    ch(&mut a, 'u');
    assert_eq!(scenes(&a).len(), 3);
}

#[test]
fn the_pane_bindings_are_named_for_the_config() {
    let km = Keymap::default();
    let names: Vec<String> = <StoryboardAction as strum::IntoEnumIterator>::iter()
        .map(|a| Action::Storyboard(a).config_name())
        .collect();
    assert!(names.contains(&"storyboard_add_shot".to_string()));
    assert!(names.contains(&"storyboard_fit_length".to_string()));
    for action in <StoryboardAction as strum::IntoEnumIterator>::iter() {
        assert!(
            !km.keys_for(Action::Storyboard(action)).is_empty(),
            "{action:?} has a default key"
        );
    }
}

#[test]
fn a_storyboard_sent_from_a_file_notes_the_files_name_for_the_history() {
    let mut a = three_shots();
    // Without a file nothing is noted.
    let cmds = ctrl(&mut a, 's');
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Cmd::Worker(Request::History(_)))),
        "{cmds:?}"
    );
    a.storyboard.submitting = None;
    a.storyboard.file = Some(PathBuf::from("/boards/cat adventure.storyboard.toml"));
    let cmds = ctrl(&mut a, 's');
    let local_id = submission(&cmds).expect("submitted").local_id;
    let noted = cmds.iter().find_map(|c| match c {
        Cmd::Worker(Request::History(crate::worker::HistoryRequest::Note {
            local_id: l,
            note,
        })) => Some((*l, note.clone())),
        _ => None,
    });
    let (l, note) = noted.expect("a history note before the submission");
    assert_eq!(l, local_id);
    assert_eq!(note.storyboard_file.as_deref(), Some("cat adventure"));
    assert_eq!(note.origin, None);
}
