//! Render snapshots of the extend form over the Drafts pane and of the style setting in the
//! Prompt and Storyboard panes, over ratatui's `TestBackend` at 80x24 and 160x48.

// Tests may unwrap (a panic is the failure report).
#![allow(clippy::unwrap_used)]

mod common;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sora_tui::api::{Draft, ExtensionLength, StyleId};
use sora_tui::app::extend::ExtendForm;
use sora_tui::app::line_edit::LineEdit;
use sora_tui::app::{App, Loading, Modal, Pane, drafts_row};
use sora_tui::ui;

/// 2026-11-18 22:13:20 UTC.
const NOW: f64 = 1_795_040_000.0;
const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn snap(name: &str, app: &App) {
    for (w, h) in SIZES {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        t.draw(|f| ui::draw(f, app)).expect("draw");
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), t.backend());
    }
}

fn with_drafts() -> App {
    let mut app = common::screens::signed_in(NOW);
    app.pane = Pane::Drafts;
    app.drafts.loading = Loading::Loaded;
    for (i, prompt) in ["An owl on a branch at dawn", "A paper boat in the rain"]
        .iter()
        .enumerate()
    {
        app.drafts.rows.push(drafts_row(Draft {
            id: Some(format!("gen_01k{i}extend")),
            task_id: Some(format!("task_01k{i}extend")),
            kind: Some("sora_draft".into()),
            downloadable_url: Some(format!("http://127.0.0.1:1/media/gen_{i}/source.mp4")),
            prompt: Some((*prompt).into()),
            created_at: Some(NOW - 600.0 * (i as f64 + 1.0)),
            duration_s: Some(10.0),
            ..Draft::default()
        }));
    }
    app
}

fn form(prompt: &str, length: ExtensionLength, error: Option<&str>) -> ExtendForm {
    ExtendForm {
        gen_id: "gen_01k0extend".into(),
        title: "An owl on a branch at dawn".into(),
        prompt: LineEdit::new(prompt),
        length,
        sending: None,
        error: error.map(str::to_owned),
    }
}

#[test]
fn extend_form_over_the_drafts() {
    let mut app = with_drafts();
    app.modal = Some(Modal::Extend(form(
        "the owl spreads its wings and flies into the sun",
        ExtensionLength::S15,
        None,
    )));
    snap("extend_form", &app);
}

#[test]
fn extend_form_with_a_failure() {
    let mut app = with_drafts();
    app.modal = Some(Modal::Extend(form(
        "the owl lands",
        ExtensionLength::S10,
        Some("not sent: the service runs 3 generations at once"),
    )));
    snap("extend_form_failed", &app);
}

#[test]
fn prompt_with_a_style() {
    let mut app = common::screens::signed_in(NOW);
    app.prompt.video.style = Some(StyleId::HighDef);
    snap("prompt_style", &app);
}

#[test]
fn storyboard_with_a_style() {
    let mut app = common::screens::signed_in(NOW);
    app.pane = Pane::Storyboard;
    app.storyboard.board.settings.style = Some(StyleId::Anime);
    snap("storyboard_style", &app);
}
