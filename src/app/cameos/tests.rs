//! The Cameos pane through `update`: keys and worker events in, state and commands out.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::app::test_support::*;
use crate::app::{AppInfo, Keymap, Msg, update};
use crate::worker::Event;

fn app() -> App {
    let info = AppInfo {
        home: PathBuf::from("/home/u"),
        ..AppInfo::default()
    };
    let mut app = App::new(info, Keymap::default(), NOW);
    app.pane = Pane::Cameos;
    event(
        &mut app,
        CameoEvent::Restored {
            records: Vec::new(),
            warning: None,
        },
    );
    app
}

#[test]
fn cameo_times_are_shown_in_the_local_zone() {
    let zone = crate::text::Zone::from_tz("<+0530>-5:30").expect("a POSIX rule");
    let info = AppInfo {
        zone: zone.clone(),
        ..AppInfo::default()
    };
    let mut app = App::new(info, Keymap::default(), NOW);
    let r = record("a", CameoStage::Finalized);
    let local = crate::text::local_date(r.created_at, &zone, false);
    assert_ne!(
        local,
        crate::text::date(r.created_at),
        "the zone is not UTC"
    );
    event(
        &mut app,
        CameoEvent::Restored {
            records: vec![r.clone()],
            warning: None,
        },
    );
    assert_eq!(app.cameos.rows[0].created, local);
    event(&mut app, CameoEvent::Changed(Box::new(r)));
    assert_eq!(app.cameos.rows[0].created, local);
}

fn event(app: &mut App, e: CameoEvent) -> Vec<Cmd> {
    update(app, Msg::Worker(Event::Cameo(e)), NOW)
}

fn cameo_requests(cmds: &[Cmd]) -> Vec<CameoRequest> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Worker(Request::Cameo(r)) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

fn record(key: &str, stage: CameoStage) -> CameoRecord {
    let finalized = stage == CameoStage::Finalized;
    CameoRecord {
        key: key.into(),
        created_at: NOW - 60.0,
        video: PathBuf::from("/home/u/me.mp4"),
        video_bytes: Some(32_261),
        clip: (0.0, 3.0),
        stage,
        cameo_id: Some(format!("cameo_{key}")),
        hints: Some(CameoHints {
            username: Some(format!("demo.{key}")),
            display_name: Some(format!("Demo {key}")),
            profile_asset_url: Some("http://127.0.0.1:1/media/p.webp".into()),
        }),
        profile_pointer: None,
        username: finalized.then(|| format!("demo.{key}")),
        display_name: finalized.then(|| format!("Demo {key}")),
        want_public: false,
        character_id: finalized.then(|| format!("ch_{key}")),
        public: false,
        note: None,
        draft: None,
    }
}

fn create_form(app: &App) -> &CreateForm {
    match &app.cameos.form {
        Some(CameoForm::Create(f)) => f,
        other => panic!("no create form: {other:?}"),
    }
}

fn finalize_form(app: &App) -> &FinalizeForm {
    match &app.cameos.form {
        Some(CameoForm::Finalize(f)) => f,
        other => panic!("no finalize form: {other:?}"),
    }
}

#[test]
fn the_create_form_checks_the_clip_and_sends_the_expanded_path() {
    let mut app = app();
    assert!(ch(&mut app, 'n').is_empty());
    assert_eq!(create_form(&app).clip.text(), DEFAULT_CLIP);
    // Typing `q` in a field types it: the global quit key does not apply.
    typed(&mut app, "~/clips/q.mp4");
    assert!(!app.quit);
    assert_eq!(create_form(&app).path.text(), "~/clips/q.mp4");
    key(&mut app, KeyCode::Down);
    assert_eq!(create_form(&app).field, CreateField::Clip);
    key(&mut app, KeyCode::Backspace);
    typed(&mut app, "12");
    assert!(cameo_requests(&key(&mut app, KeyCode::Enter)).is_empty());
    let error = create_form(&app)
        .error
        .clone()
        .expect("an error in the form");
    assert!(error.contains("at most 10"), "{error}");

    update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
        NOW,
    );
    typed(&mut app, "1.5,4");
    assert_eq!(create_form(&app).error, None, "editing clears the error");
    let sent = cameo_requests(&key(&mut app, KeyCode::Enter));
    let f = create_form(&app);
    assert!(f.sending);
    assert_eq!(
        sent,
        vec![CameoRequest::Create {
            key: f.key.clone(),
            video: PathBuf::from("/home/u/clips/q.mp4"),
            clip: (1.5, 4.0),
        }]
    );
    // While the file is checked, keys wait; Esc only closes the form.
    assert!(ch(&mut app, 'x').is_empty());
    assert_eq!(create_form(&app).path.text(), "~/clips/q.mp4");
}

#[test]
fn esc_and_a_key_in_one_read_close_the_form_then_act() {
    let mut app = app();
    ch(&mut app, 'n');
    typed(&mut app, "~/clips/a.mp4");
    esc_then(&mut app, '1');
    assert_eq!(app.cameos.form, None, "Esc closed the form");
    assert_eq!(app.pane, Pane::Prompt, "then 1 went to the Prompt pane");
}

#[test]
fn an_empty_path_is_refused_in_the_form() {
    let mut app = app();
    ch(&mut app, 'n');
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(
        create_form(&app)
            .error
            .as_deref()
            .unwrap_or("")
            .contains("path")
    );
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.cameos.form, None);
}

#[test]
fn tab_completes_the_video_path() {
    let mut app = app();
    ch(&mut app, 'n');
    typed(&mut app, "/v/sa");
    assert_eq!(
        key(&mut app, KeyCode::Tab),
        vec![Cmd::CompletePath("/v/sa".into())]
    );
    update(
        &mut app,
        Msg::Completions {
            input: "/v/sa".into(),
            candidates: vec!["/v/sample.mp4".into(), "/v/sample_clean.mp4".into()],
        },
        NOW,
    );
    assert_eq!(create_form(&app).path.text(), "/v/sample");
    assert_eq!(create_form(&app).path.completions().len(), 2);
    typed(&mut app, ".mp4");
    assert!(create_form(&app).path.completions().is_empty());
    // A stale answer (for another input) changes nothing.
    update(
        &mut app,
        Msg::Completions {
            input: "/v/sa".into(),
            candidates: vec!["/v/sam/".into()],
        },
        NOW,
    );
    assert_eq!(create_form(&app).path.text(), "/v/sample.mp4");
    // The Prompt's image field is not touched by completions meant for this pane.
    assert_eq!(app.prompt.image_path, "");
}

#[test]
fn a_refused_file_keeps_the_form_and_an_accepted_one_closes_it() {
    let mut app = app();
    ch(&mut app, 'n');
    typed(&mut app, "/tmp/notes.txt");
    key(&mut app, KeyCode::Enter);
    let key_used = create_form(&app).key.clone();
    event(
        &mut app,
        CameoEvent::CreateRejected {
            key: key_used.clone(),
            error: "/tmp/notes.txt is not an MP4 video".into(),
        },
    );
    let f = create_form(&app);
    assert!(!f.sending);
    assert_eq!(f.path.text(), "/tmp/notes.txt");
    assert!(f.error.as_deref().unwrap_or("").contains("not an MP4"));

    key(&mut app, KeyCode::Enter);
    event(
        &mut app,
        CameoEvent::Changed(Box::new(record(&key_used, CameoStage::Uploading))),
    );
    assert_eq!(app.cameos.form, None);
    assert_eq!(app.cameos.rows.len(), 1);
    assert_eq!(app.cameos.selected, 0);
}

#[test]
fn a_failed_upload_is_retried_with_the_same_file_and_clip() {
    let mut app = app();
    let mut r = record(
        "k1",
        CameoStage::UploadFailed {
            reason: "the upload failed: the service failed (HTTP 500)".into(),
        },
    );
    r.clip = (2.0, 5.0);
    event(&mut app, CameoEvent::Changed(Box::new(r)));
    assert!(app.toasts.iter().any(|t| t.error), "the failure is told");
    key(&mut app, KeyCode::Enter);
    let f = create_form(&app);
    assert_eq!(f.key, "k1");
    assert_eq!(f.path.text(), "/home/u/me.mp4");
    assert_eq!(f.clip.text(), "2,5");
    assert!(f.error.as_deref().unwrap_or("").contains("HTTP 500"));
    let sent = cameo_requests(&key(&mut app, KeyCode::Enter));
    assert_eq!(
        sent,
        vec![CameoRequest::Create {
            key: "k1".into(),
            video: PathBuf::from("/home/u/me.mp4"),
            clip: (2.0, 5.0),
        }]
    );
}

#[test]
fn a_processed_cameo_is_finalized_with_checked_values() {
    let mut app = app();
    event(
        &mut app,
        CameoEvent::Changed(Box::new(record(
            "k1",
            CameoStage::Processing {
                status: "Analyzing video".into(),
            },
        ))),
    );
    let cmds = event(
        &mut app,
        CameoEvent::Changed(Box::new(record("k1", CameoStage::Ready))),
    );
    assert!(cmds.iter().any(|c| matches!(c, Cmd::Notify(_))), "{cmds:?}");

    key(&mut app, KeyCode::Enter);
    let f = finalize_form(&app);
    assert_eq!(
        (f.username.text(), f.display_name.text()),
        ("demo.k1", "Demo k1")
    );
    // Uppercase is lowercased as it is typed; a space is refused before sending.
    for _ in 0.."demo.k1".len() {
        key(&mut app, KeyCode::Backspace);
    }
    typed(&mut app, "My Name");
    assert_eq!(finalize_form(&app).username.text(), "my name");
    assert!(cameo_requests(&key(&mut app, KeyCode::Enter)).is_empty());
    assert!(
        finalize_form(&app)
            .error
            .as_deref()
            .unwrap_or("")
            .contains("' '")
    );
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    typed(&mut app, ".me");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    assert_eq!(finalize_form(&app).field, FinalizeField::Visibility);
    ch(&mut app, ' ');
    assert!(finalize_form(&app).public);
    let sent = cameo_requests(&key(&mut app, KeyCode::Enter));
    assert_eq!(
        sent,
        vec![CameoRequest::Finalize {
            key: "k1".into(),
            username: "my.me".into(),
            display_name: "Demo k1".into(),
            public: true,
        }]
    );

    // Taken: the form says so and keeps every value.
    let mut failed = record(
        "k1",
        CameoStage::FinalizeFailed {
            reason: "the username @my.me is taken: choose another".into(),
            username_taken: true,
        },
    );
    failed.username = Some("my.me".into());
    event(&mut app, CameoEvent::Changed(Box::new(failed)));
    let f = finalize_form(&app);
    assert!(!f.sending);
    assert_eq!(f.field, FinalizeField::Username);
    assert!(f.public);
    assert_eq!(f.username.text(), "my.me");
    assert!(f.error.as_deref().unwrap_or("").contains("taken"));
}

#[test]
fn the_finalized_cameo_closes_the_form_and_offers_its_username() {
    let mut app = app();
    event(
        &mut app,
        CameoEvent::Changed(Box::new(record("k1", CameoStage::Ready))),
    );
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    assert!(finalize_form(&app).sending);
    event(
        &mut app,
        CameoEvent::Changed(Box::new(record("k1", CameoStage::Finalized))),
    );
    assert_eq!(app.cameos.form, None);
    assert_eq!(app.cameos.usernames(), vec!["demo.k1".to_string()]);

    assert_eq!(ch(&mut app, 'y'), vec![Cmd::Copy("@demo.k1".into())]);
    let cmds = ch(&mut app, 'i');
    assert_eq!(app.pane, Pane::Prompt);
    assert!(app.prompt.typing);
    assert_eq!(app.prompt.text(), "@demo.k1 ");
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::Worker(Request::SavePrompt(_)))),
        "the prompt is autosaved"
    );
}

#[test]
fn visibility_and_delete_of_a_finalized_cameo() {
    let mut app = app();
    event(
        &mut app,
        CameoEvent::Changed(Box::new(record("k1", CameoStage::Finalized))),
    );
    let sent = cameo_requests(&ch(&mut app, 'p'));
    assert_eq!(
        sent,
        vec![CameoRequest::SetVisibility {
            key: "k1".into(),
            public: true
        }]
    );
    assert!(app.cameos.busy.contains_key("k1"));
    let mut public = record("k1", CameoStage::Finalized);
    public.public = true;
    event(&mut app, CameoEvent::Changed(Box::new(public)));
    assert!(app.cameos.busy.is_empty());
    assert!(app.toasts.iter().any(|t| t.text.contains("now public")));

    // Delete asks first; anything but y cancels.
    ch(&mut app, 'd');
    assert!(matches!(app.modal, Some(Modal::Confirm { .. })));
    assert!(ch(&mut app, 'n').is_empty());
    assert_eq!(app.modal, None);
    ch(&mut app, 'd');
    let sent = cameo_requests(&ch(&mut app, 'y'));
    assert_eq!(sent, vec![CameoRequest::Delete { key: "k1".into() }]);
    event(&mut app, CameoEvent::Removed { key: "k1".into() });
    assert!(app.cameos.rows.is_empty());
    assert!(app.cameos.busy.is_empty());
    assert!(
        app.toasts
            .iter()
            .any(|t| t.text.contains("deleted @demo.k1"))
    );
}

#[test]
fn a_failed_action_clears_the_busy_mark_and_says_why() {
    let mut app = app();
    event(
        &mut app,
        CameoEvent::Changed(Box::new(record("k1", CameoStage::Finalized))),
    );
    ch(&mut app, 'p');
    event(
        &mut app,
        CameoEvent::ActionFailed {
            key: "k1".into(),
            what: "make public".into(),
            error: "the service failed (HTTP 500)".into(),
        },
    );
    assert!(app.cameos.busy.is_empty());
    assert!(
        app.toasts
            .iter()
            .any(|t| t.error && t.text.contains("make public failed"))
    );
}

#[test]
fn a_stuck_cameo_can_be_abandoned_and_a_stopped_one_checked_again() {
    let mut app = app();
    event(
        &mut app,
        CameoEvent::Changed(Box::new(record(
            "k1",
            CameoStage::Processing {
                status: "Analyzing video".into(),
            },
        ))),
    );
    ch(&mut app, 'a');
    let sent = cameo_requests(&ch(&mut app, 'y'));
    assert_eq!(sent, vec![CameoRequest::Abandon { key: "k1".into() }]);

    event(
        &mut app,
        CameoEvent::Changed(Box::new(record(
            "k1",
            CameoStage::PollStopped {
                reason: "stopped checking after 3 failed requests in a row".into(),
            },
        ))),
    );
    let sent = cameo_requests(&key(&mut app, KeyCode::Enter));
    assert_eq!(sent, vec![CameoRequest::CheckAgain { key: "k1".into() }]);

    // Finalized cameos are not abandoned; nothing is asked.
    event(
        &mut app,
        CameoEvent::Changed(Box::new(record("k2", CameoStage::Finalized))),
    );
    app.cameos.selected = 0;
    ch(&mut app, 'a');
    assert_eq!(app.modal, None);
}

#[test]
fn actions_without_a_username_explain_instead_of_acting() {
    let mut app = app();
    event(
        &mut app,
        CameoEvent::Changed(Box::new(record("k1", CameoStage::Ready))),
    );
    assert!(ch(&mut app, 'y').is_empty());
    assert!(ch(&mut app, 'p').is_empty());
    assert_eq!(app.pane, Pane::Cameos);
    assert!(app.cameos.usernames().is_empty());
}

#[test]
fn the_list_moves_and_keeps_its_selection_as_cameos_arrive() {
    let mut app = app();
    event(
        &mut app,
        CameoEvent::Changed(Box::new(record("k1", CameoStage::Finalized))),
    );
    event(
        &mut app,
        CameoEvent::Changed(Box::new(record("k2", CameoStage::Ready))),
    );
    // The new one went on top; the selection stayed on k1.
    assert_eq!(
        app.cameos.current().map(|r| r.record.key.as_str()),
        Some("k1")
    );
    ch(&mut app, 'k');
    assert_eq!(
        app.cameos.current().map(|r| r.record.key.as_str()),
        Some("k2")
    );
    key(&mut app, KeyCode::Down);
    assert_eq!(
        app.cameos.current().map(|r| r.record.key.as_str()),
        Some("k1")
    );
    ch(&mut app, 'j');
    assert_eq!(app.cameos.selected, 1);
}

#[test]
fn a_paste_goes_into_the_field_without_quotes() {
    let mut app = app();
    ch(&mut app, 'n');
    update(&mut app, Msg::Paste("'/tmp/my clip.mp4'".into()), NOW);
    assert_eq!(create_form(&app).path.text(), "/tmp/my clip.mp4");
}

#[test]
fn the_status_bar_hints_follow_the_form() {
    let mut app = app();
    let hints = crate::ui::hints(&app);
    assert!(
        hints.iter().any(|(k, d)| k == "n" && *d == "new cameo"),
        "{hints:?}"
    );
    ch(&mut app, 'n');
    let hints = crate::ui::hints(&app);
    assert!(hints.iter().any(|(k, _)| k == "Tab"), "{hints:?}");
    assert!(
        !hints.iter().any(|(k, _)| k == "q"),
        "q types into the field: {hints:?}"
    );
}
