use std::path::PathBuf;

use crossterm::event::KeyCode;

use super::super::test_support::*;
use super::super::{App, AppInfo, Cmd, Keymap, Modal, Msg, Pane, PromptField, update};
use crate::api::Quota;
use crate::batch::{Batch, Coverage, Origin, parse};
use crate::worker::{QueueRequest, Request, Submission};

fn app() -> App {
    let info = AppInfo {
        home: PathBuf::from("/home/u"),
        ..AppInfo::default()
    };
    App::new(info, Keymap::default(), NOW)
}

/// The shipped example, parsed as the loop would read it from `/b`.
fn example() -> Batch {
    let origin = Origin {
        name: "grid.batch.toml".into(),
        dir: PathBuf::from("/b"),
    };
    parse(
        include_str!("../../../examples/grid.batch.toml"),
        &origin,
        &mut |_| Err("no storyboards here".into()),
    )
    .unwrap()
}

fn loaded(a: &mut App, result: Result<Batch, String>) -> Vec<Cmd> {
    update(
        a,
        Msg::BatchLoaded {
            path: PathBuf::from("/home/u/b/grid.batch.toml"),
            result,
        },
        NOW,
    )
}

fn added(cmds: &[Cmd]) -> Option<(&Vec<Submission>, &Option<String>)> {
    cmds.iter().find_map(|c| match c {
        Cmd::Worker(Request::Queue(QueueRequest::Add { jobs, origin })) => Some((jobs, origin)),
        _ => None,
    })
}

#[test]
fn a_batch_file_is_opened_confirmed_and_queued() {
    let mut a = app();
    a.next_local_id = 7;
    // `B` opens the field; Tab asks for completions like the input image's field.
    ch(&mut a, 'B');
    assert_eq!(a.prompt.field, Some(PromptField::BatchPath));
    typed(&mut a, "~/b/gr");
    assert_eq!(
        key(&mut a, KeyCode::Tab),
        vec![Cmd::CompletePath("~/b/gr".into())]
    );
    update(
        &mut a,
        Msg::Completions {
            input: "~/b/gr".into(),
            candidates: vec!["~/b/grid.batch.toml".into()],
        },
        NOW,
    );
    assert_eq!(a.prompt.batch_path, "~/b/grid.batch.toml");
    // Enter reads it (the loop does), `~` expanded.
    let cmds = key(&mut a, KeyCode::Enter);
    assert_eq!(
        cmds,
        vec![Cmd::LoadBatch(PathBuf::from("/home/u/b/grid.batch.toml"))]
    );
    assert_eq!(a.prompt.field, None);
    // The answer opens the confirm; nothing is queued yet.
    a.quota = Some(Quota {
        estimated_num_videos_remaining: Some(2.0),
        rate_limit_reached: Some(false),
        access_resets_in_seconds: Some(7200.0),
    });
    assert!(added(&loaded(&mut a, Ok(example()))).is_none());
    let Some(Modal::Batch(confirm)) = &a.modal else {
        panic!("no batch confirm: {:?}", a.modal);
    };
    assert_eq!(confirm.batch.jobs.len(), 4);
    assert_eq!(
        confirm.coverage(a.quota.as_ref()),
        Coverage::Short {
            remaining: 2,
            needed: 4,
            resets_in: Some(7200)
        }
    );
    // Scrolling keeps it open; `y` queues every job, in order, under the file's name.
    assert!(added(&ch(&mut a, 'j')).is_none());
    assert!(matches!(&a.modal, Some(Modal::Batch(c)) if c.scroll == 1));
    let cmds = ch(&mut a, 'y');
    let (jobs, origin) = added(&cmds).expect("the jobs are added to the queue");
    assert_eq!(origin.as_deref(), Some("grid.batch.toml"));
    assert_eq!(jobs, &example().submissions(7));
    assert_eq!(jobs[2].prompt, "a owl in ukiyo-e style");
    assert_eq!(a.next_local_id, 11, "each job has its own local id");
    assert_eq!(a.modal, None);
}

#[test]
fn any_other_key_cancels_and_an_error_is_shown_with_its_line() {
    let mut a = app();
    loaded(&mut a, Ok(example()));
    assert!(added(&key(&mut a, KeyCode::Esc)).is_none());
    assert_eq!(a.modal, None);
    let cmds = loaded(
        &mut a,
        Err(
            "grid.batch.toml line 7: unknown variable {colour} in the template; defined: animal, style"
                .into(),
        ),
    );
    assert!(cmds.is_empty());
    assert_eq!(a.modal, None);
    assert!(
        a.prompt
            .error
            .as_deref()
            .is_some_and(|e| e.starts_with("grid.batch.toml line 7:")),
        "{:?}",
        a.prompt.error
    );
    // Esc leaves the field without reading anything.
    ch(&mut a, 'B');
    typed(&mut a, "x.batch.toml");
    assert!(key(&mut a, KeyCode::Esc).is_empty());
    assert_eq!(a.prompt.field, None);
}

#[test]
fn a_batch_file_on_the_command_line_is_read_at_start() {
    let mut a = app();
    a.pane = Pane::Storyboard;
    a.info.open_on_start = Some(PathBuf::from("/b/grid.batch.toml"));
    let cmds = crate::app::startup(&mut a);
    assert!(cmds.contains(&Cmd::LoadBatch(PathBuf::from("/b/grid.batch.toml"))));
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Cmd::Worker(Request::Storyboard(_)))),
        "not opened as a storyboard: {cmds:?}"
    );
    loaded(&mut a, Ok(example()));
    assert_eq!(a.pane, Pane::Prompt);
    assert!(matches!(a.modal, Some(Modal::Batch(_))));
}
