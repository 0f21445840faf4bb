//! `update` for the Drafts pane's extend form and the style setting of the Prompt and
//! Storyboard panes: keys in, state and commands out.

use crossterm::event::KeyCode;

use super::*;
use crate::api::{ApiError, Draft, DraftsPage, ExtensionLength, StyleId};
use crate::app::extend::ExtendForm;
use crate::app::test_support::*;
use crate::track::{TaskKind, TaskPhase, TaskRecord};
use crate::worker::{DraftsEvent, Event, ExtendRequest, Request, TaskEvent};

fn app() -> App {
    App::new(AppInfo::default(), Keymap::default(), NOW)
}

fn with_draft(id: &str) -> App {
    let mut app = app();
    let draft = Draft {
        id: Some(id.into()),
        task_id: Some(format!("task_{id}")),
        kind: Some("sora_draft".into()),
        downloadable_url: Some(format!("http://127.0.0.1:1/media/{id}/source.mp4?sig=x")),
        prompt: Some(format!("prompt of {id}")),
        duration_s: Some(10.0),
        ..Draft::default()
    };
    update(
        &mut app,
        Msg::Worker(Event::Drafts(DraftsEvent::DraftsLoaded {
            page: DraftsPage {
                items: vec![draft],
                cursor: None,
            },
            first: true,
        })),
        NOW,
    );
    ch(&mut app, '4');
    assert_eq!(app.pane, Pane::Drafts);
    app
}

fn form(app: &App) -> &ExtendForm {
    match &app.modal {
        Some(Modal::Extend(f)) => f,
        other => panic!("no extend form: {other:?}"),
    }
}

fn extend_requests(cmds: &[Cmd]) -> Vec<&ExtendRequest> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Worker(Request::Extend(r)) => Some(r),
            _ => None,
        })
        .collect()
}

#[test]
fn e_opens_the_form_and_enter_sends_the_extension() {
    let mut app = with_draft("gen_a");
    assert!(ch(&mut app, 'e').is_empty());
    assert_eq!(form(&app).gen_id, "gen_a");
    // Typed keys go into the prompt, even those that are pane keys (`w`, `q`).
    typed(&mut app, "the owl wakes");
    key(&mut app, KeyCode::Tab);
    assert_eq!(form(&app).length, ExtensionLength::S15);
    assert_eq!(form(&app).prompt.text(), "the owl wakes");
    let cmds = key(&mut app, KeyCode::Enter);
    let sent = extend_requests(&cmds);
    assert_eq!(sent.len(), 1, "{cmds:?}");
    assert_eq!(sent[0].gen_id, "gen_a");
    assert_eq!(sent[0].prompt, "the owl wakes");
    assert_eq!(sent[0].length, ExtensionLength::S15);
    let local_id = sent[0].local_id;
    assert_eq!(form(&app).sending, Some(local_id));
    // A second Enter while it is on its way sends nothing more.
    assert!(extend_requests(&key(&mut app, KeyCode::Enter)).is_empty());

    // Accepted: the form closes and the task is a Tasks row like any video.
    let record = TaskRecord {
        task_id: "task_x".into(),
        kind: TaskKind::Video,
        prompt: "the owl wakes".into(),
        settings: "extends gen_a · +15 s".into(),
        submitted_at: NOW,
        finished_at: None,
        phase: TaskPhase::Working {
            status: "submitted".into(),
            progress: 0.0,
        },
    };
    update(
        &mut app,
        Msg::Worker(Event::Tasks(TaskEvent::Submitted { local_id, record })),
        NOW,
    );
    assert!(app.modal.is_none());
    assert_eq!(app.tasks.tasks[0].task_id, "task_x");
}

#[test]
fn a_failed_extension_keeps_the_text_in_the_form() {
    let mut app = with_draft("gen_a");
    ch(&mut app, 'e');
    typed(&mut app, "and then");
    let cmds = key(&mut app, KeyCode::Enter);
    let local_id = extend_requests(&cmds)[0].local_id;
    update(
        &mut app,
        Msg::Worker(Event::Tasks(TaskEvent::SubmitFailed {
            local_id,
            error: ApiError::InvalidInput("no such draft".into()),
        })),
        NOW,
    );
    let f = form(&app);
    assert_eq!(f.prompt.text(), "and then");
    assert_eq!(f.sending, None);
    assert!(
        f.error
            .as_deref()
            .is_some_and(|e| e.contains("no such draft"))
    );
    // Not the Prompt pane's failure.
    assert_eq!(app.prompt.error, None);
    // Fixed and sent again.
    typed(&mut app, "!");
    let again = key(&mut app, KeyCode::Enter);
    assert_eq!(extend_requests(&again)[0].prompt, "and then!");
}

#[test]
fn an_empty_prompt_is_not_sent_and_esc_closes() {
    let mut app = with_draft("gen_a");
    ch(&mut app, 'e');
    assert!(extend_requests(&key(&mut app, KeyCode::Enter)).is_empty());
    assert!(form(&app).error.is_some());
    typed(&mut app, "x");
    key(&mut app, KeyCode::Esc);
    assert!(app.modal.is_none());
    assert!(app.toasts.iter().any(|t| t.text.contains("not sent")));
}

#[test]
fn t_cycles_the_prompt_style_and_it_is_saved() {
    let mut app = app();
    assert_eq!(app.prompt.video.style, None);
    let cmds = ch(&mut app, 't');
    assert_eq!(app.prompt.video.style, Some(StyleId::ALL[0]));
    let saved = cmds.iter().find_map(|c| match c {
        Cmd::Worker(Request::SavePrompt(s)) => Some(s.video.style),
        _ => None,
    });
    assert_eq!(saved, Some(Some(StyleId::ALL[0])), "{cmds:?}");
    for _ in 1..StyleId::ALL.len() {
        ch(&mut app, 't');
    }
    assert_eq!(app.prompt.video.style, StyleId::ALL.last().copied());
    ch(&mut app, 't');
    assert_eq!(app.prompt.video.style, None, "back to none");
    // Images have no style.
    ch(&mut app, 'v');
    ch(&mut app, 't');
    assert_eq!(app.prompt.video.style, None);
}

#[test]
fn t_cycles_the_storyboard_style() {
    let mut app = app();
    ch(&mut app, '2');
    assert_eq!(app.pane, Pane::Storyboard);
    ch(&mut app, 't');
    assert_eq!(app.storyboard.board.settings.style, Some(StyleId::ALL[0]));
    ch(&mut app, 't');
    assert_eq!(app.storyboard.board.settings.style, Some(StyleId::ALL[1]));
}
