//! Render snapshots of the Cameos pane in each state of a cameo's life, at 80x24 and 160x48,
//! from states built through `update` (worker events and keys) with fixed times and ids.

mod common;

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sora_tui::app::cameos::{CameoHints, CameoRecord, CameoStage};
use sora_tui::app::keymap::Keymap;
use sora_tui::app::{App, Msg, Pane, update};
use sora_tui::ui;
use sora_tui::worker::{CameoEvent, Event};

/// 2026-11-18 22:13:20 UTC.
const NOW: f64 = 1_795_040_000.0;
const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];
/// Server text carrying terminal control sequences.
const EVIL: &str = "Analyzing \x1b[31mvideo\x1b[0m\r\x07 \u{9b}2J";

/// Signed in, online, on the Cameos pane, the (empty) record restored.
fn app() -> App {
    let mut app = common::screens::signed_in(NOW);
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

/// A worker event; the toasts it makes are dropped so each snapshot shows the pane alone.
fn event(app: &mut App, e: CameoEvent) {
    update(app, Msg::Worker(Event::Cameo(e)), NOW);
    app.toasts.clear();
}

fn key(app: &mut App, code: KeyCode) {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), NOW);
    app.toasts.clear();
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn record(n: u32, stage: CameoStage) -> CameoRecord {
    let finalized = stage == CameoStage::Finalized;
    let processed = !matches!(
        stage,
        CameoStage::Uploading
            | CameoStage::UploadFailed { .. }
            | CameoStage::Processing { .. }
            | CameoStage::PollStopped { .. }
            | CameoStage::ProcessingFailed { .. }
            | CameoStage::Abandoned
    );
    CameoRecord {
        key: format!("c{n}"),
        created_at: NOW - 3600.0 * f64::from(n),
        video: PathBuf::from("/home/user/clips/me-on-the-beach.mp4"),
        video_bytes: Some(32_261),
        clip: (0.0, 3.0),
        cameo_id: (stage != CameoStage::Uploading)
            .then(|| format!("cameo_4f1c9a2b7d3e8f60a5b1c2d{n}")),
        hints: processed.then(|| CameoHints {
            username: Some(format!("demo.cameo.{n}")),
            display_name: Some(format!("Demo Cameo {n}")),
            profile_asset_url: Some("https://videos.example.com/p.webp?sig=x".into()),
        }),
        profile_pointer: None,
        username: finalized.then(|| format!("alice.{n}")),
        display_name: finalized.then(|| format!("Alice {n}")),
        want_public: false,
        character_id: finalized.then(|| format!("ch_9e8d7c6b5a4f3e2d1c0b9a8{n}")),
        public: false,
        note: None,
        draft: None,
        stage,
    }
}

fn with(app: &mut App, records: Vec<CameoRecord>) {
    event(
        app,
        CameoEvent::Restored {
            records,
            warning: None,
        },
    );
}

fn render(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    t.draw(|f| ui::draw(f, app)).expect("draw");
    t
}

/// Snapshots `app` at both sizes as `{name}_{w}x{h}`.
fn snap(name: &str, app: &App) {
    for (w, h) in SIZES {
        let t = render(app, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), t.backend());
    }
}

fn screen_text(app: &App, width: u16, height: u16) -> String {
    let t = render(app, width, height);
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[test]
fn empty() {
    snap("cameos_empty", &app());
}

#[test]
fn loading() {
    let mut app = App::new(common::screens::info(), Keymap::default(), NOW);
    app.pane = Pane::Cameos;
    let text = screen_text(&app, 80, 24);
    assert!(text.contains("Loading your cameos"), "{text}");
}

#[test]
fn create_form() {
    let mut app = app();
    key(&mut app, KeyCode::Char('n'));
    typed(&mut app, "~/clips/me");
    update(
        &mut app,
        Msg::Completions {
            input: "~/clips/me".into(),
            candidates: vec![
                "~/clips/me-on-the-beach.mp4".into(),
                "~/clips/me-talking.mp4".into(),
            ],
        },
        NOW,
    );
    snap("cameos_form_create", &app);
}

#[test]
fn create_form_with_error() {
    let mut app = app();
    with(&mut app, vec![record(1, CameoStage::Finalized)]);
    key(&mut app, KeyCode::Char('n'));
    typed(&mut app, "/tmp/notes.txt");
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Backspace);
    typed(&mut app, "14");
    key(&mut app, KeyCode::Enter);
    snap("cameos_form_clip_error", &app);
}

#[test]
fn uploading() {
    let mut app = app();
    with(&mut app, vec![record(1, CameoStage::Uploading)]);
    snap("cameos_uploading", &app);
}

#[test]
fn processing_shows_the_servers_text_sanitised() {
    let mut app = app();
    with(
        &mut app,
        vec![
            record(
                1,
                CameoStage::Processing {
                    status: EVIL.into(),
                },
            ),
            record(2, CameoStage::Finalized),
        ],
    );
    let text = screen_text(&app, 160, 48);
    assert!(!text.contains('\x1b') && !text.contains('\u{9b}'), "{text}");
    snap("cameos_processing", &app);
}

#[test]
fn ready_to_finalize_with_hints() {
    let mut app = app();
    with(&mut app, vec![record(1, CameoStage::Ready)]);
    snap("cameos_ready", &app);
}

#[test]
fn finalize_form_with_taken_username() {
    let mut app = app();
    let mut r = record(
        1,
        CameoStage::FinalizeFailed {
            reason: "the username @sora is taken: choose another".into(),
            username_taken: true,
        },
    );
    r.username = Some("sora".into());
    r.display_name = Some("Alice".into());
    r.want_public = true;
    with(&mut app, vec![r]);
    key(&mut app, KeyCode::Enter);
    snap("cameos_form_finalize_taken", &app);
}

#[test]
fn finalized_public_and_private() {
    let mut app = app();
    let mut public = record(1, CameoStage::Finalized);
    public.public = true;
    with(&mut app, vec![public, record(2, CameoStage::Finalized)]);
    snap("cameos_finalized_public", &app);
    key(&mut app, KeyCode::Char('j'));
    snap("cameos_finalized_private", &app);
}

#[test]
fn failed() {
    let mut app = app();
    with(
        &mut app,
        vec![
            record(
                1,
                CameoStage::ProcessingFailed {
                    reason: "We couldn't find a single clear face in this video. Try a well-lit clip of just you.".into(),
                },
            ),
            record(
                2,
                CameoStage::UploadFailed {
                    reason: "the upload failed: the service failed (HTTP 500): try again shortly"
                        .into(),
                },
            ),
            record(
                3,
                CameoStage::PollStopped {
                    reason: "stopped checking after 3 failed requests in a row (the service failed (HTTP 500): try again shortly)".into(),
                },
            ),
            record(4, CameoStage::Abandoned),
        ],
    );
    snap("cameos_failed", &app);
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('j'));
    snap("cameos_poll_stopped", &app);
}

#[test]
fn confirm_delete() {
    let mut app = app();
    with(&mut app, vec![record(1, CameoStage::Finalized)]);
    key(&mut app, KeyCode::Char('d'));
    snap("cameos_confirm_delete", &app);
}
