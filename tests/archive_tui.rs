//! The account archive from the TUI (`A` in the Drafts pane): the key asks first, `y` sends
//! the one request, a second press while it runs sends nothing, the status bar shows the
//! progress and the finish leaves a summary toast.

mod common;

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sora_tui::app::{App, Cmd, Modal, Msg, Pane, update};
use sora_tui::ui;
use sora_tui::worker::{DraftsEvent, DraftsRequest, Event, Request};

/// 2026-11-18 22:13:20 UTC.
const NOW: f64 = 1_795_040_000.0;

fn app() -> App {
    let mut app = common::screens::signed_in(NOW);
    app.pane = Pane::Drafts;
    app.info.download_dir = PathBuf::from("/dl");
    app
}

fn key(app: &mut App, c: char) -> Vec<Cmd> {
    update(
        app,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        NOW,
    )
}

fn event(app: &mut App, e: DraftsEvent) -> Vec<Cmd> {
    update(app, Msg::Worker(Event::Drafts(e)), NOW)
}

/// The bottom two lines (the status bar) at 120 columns.
fn status_bar(app: &App) -> String {
    let (w, h) = (120, 30);
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| ui::draw(f, app)).expect("draw");
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in h - 2..h {
        for x in 0..w {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

fn archive_requests(cmds: &[Cmd]) -> Vec<PathBuf> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Worker(Request::Drafts(DraftsRequest::Archive { dir })) => Some(dir.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_asks_then_archives_once_shows_progress_and_ends_with_a_summary() {
    let mut app = app();
    let cmds = key(&mut app, 'A');
    assert!(
        archive_requests(&cmds).is_empty(),
        "nothing before the answer"
    );
    match &app.modal {
        Some(Modal::Confirm { question, .. }) => {
            assert!(
                question.contains("Archive the whole account into /dl/archive"),
                "{question}"
            );
        }
        other => panic!("a confirmation, not {other:?}"),
    }
    let cmds = key(&mut app, 'y');
    assert_eq!(archive_requests(&cmds), vec![PathBuf::from("/dl/archive")]);
    assert!(app.modal.is_none());
    assert!(
        status_bar(&app).contains("archive: listing"),
        "{}",
        status_bar(&app)
    );

    // A second press while it runs: no question, no request, a toast.
    let cmds = key(&mut app, 'A');
    assert!(archive_requests(&cmds).is_empty());
    assert!(app.modal.is_none(), "no second confirmation");
    assert!(
        app.toasts
            .iter()
            .any(|t| t.text.contains("an archive is already running")),
        "{:?}",
        app.toasts
    );

    event(
        &mut app,
        DraftsEvent::ArchiveProgress {
            done: 120,
            total: 412,
            failed: 3,
            bytes: 1 << 20,
        },
    );
    let bar = status_bar(&app);
    assert!(bar.contains("archive 120/412 · 3 failed"), "{bar}");

    app.toasts.clear();
    event(
        &mut app,
        DraftsEvent::ArchiveFinished {
            entries: 200,
            new: 180,
            skipped: 20,
            failed: 0,
            reasons: Vec::new(),
            dir: PathBuf::from("/dl/archive"),
        },
    );
    assert!(
        app.toasts
            .iter()
            .any(|t| t.text == "archived 200: 180 new, 20 skipped, 0 failed → /dl/archive"),
        "{:?}",
        app.toasts
    );
    let bar = status_bar(&app);
    assert!(
        !bar.contains("archive 120"),
        "the progress is cleared: {bar}"
    );

    // Over: the key asks again.
    key(&mut app, 'A');
    assert!(matches!(app.modal, Some(Modal::Confirm { .. })));
}

#[test]
fn a_failed_archive_says_why_and_can_be_started_again() {
    let mut app = app();
    key(&mut app, 'A');
    assert_eq!(archive_requests(&key(&mut app, 'y')).len(), 1);
    event(
        &mut app,
        DraftsEvent::ArchiveFailed {
            error: "archive failed: the service is unreachable".into(),
        },
    );
    assert!(
        app.toasts
            .iter()
            .any(|t| t.error && t.text.contains("unreachable"))
    );
    assert!(!status_bar(&app).contains("archive:"));
    key(&mut app, 'A');
    assert_eq!(archive_requests(&key(&mut app, 'y')).len(), 1);
}
