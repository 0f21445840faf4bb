//! Render snapshots of the Storyboard pane at 80x24 and 160x48, from states reached by keys
//! and worker events through `update` (as a user would), with fixed timestamps.

mod common;

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sora_tui::app::{App, Msg, Pane, update};
use sora_tui::ui;
use sora_tui::worker::{Event, FileSummary, StoryboardEvent, StoryboardFile};

/// 2026-11-18 22:13:20 UTC.
const NOW: f64 = 1_795_040_000.0;
const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

/// Signed in, online, the Storyboard pane focused.
fn app() -> App {
    let mut app = common::screens::signed_in(NOW);
    app.pane = Pane::Storyboard;
    app
}

fn key(app: &mut App, code: KeyCode) {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), NOW);
}

fn ctrl(app: &mut App, c: char) {
    update(
        app,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
        NOW,
    );
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// Three shots with instructions, fitted to 10 s, the middle one selected; no toasts.
fn three_shots() -> App {
    let mut a = app();
    keys(&mut a, "i");
    keys(
        &mut a,
        "A cat's adventure, shot like a nature documentary: warm light, handheld camera.",
    );
    key(&mut a, KeyCode::Esc);
    for scene in [
        "A tabby cat leaps from a small plane high above green fields, \x1b[31mwind\x1b[0m in its fur",
        "The cat lands softly in a haystack and shakes itself off",
        "The cat trots home down a country lane at sunset",
    ] {
        keys(&mut a, "a");
        keys(&mut a, scene);
        key(&mut a, KeyCode::Esc);
    }
    keys(&mut a, "f");
    keys(&mut a, "k");
    a.toasts.clear();
    a
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

#[test]
fn empty() {
    snap("storyboard_empty", &app());
}

#[test]
fn three_shots_with_instructions() {
    snap("storyboard_three_shots", &three_shots());
}

#[test]
fn editing_a_scene() {
    let mut a = three_shots();
    key(&mut a, KeyCode::Enter);
    keys(&mut a, " while a dog watches");
    snap("storyboard_editing_scene", &a);
}

#[test]
fn over_length_submit_refused() {
    let mut a = three_shots();
    keys(&mut a, "++");
    ctrl(&mut a, 's');
    snap("storyboard_over_length", &a);
}

#[test]
fn under_length() {
    let mut a = three_shots();
    keys(&mut a, "l"); // 15 s
    a.toasts.clear();
    snap("storyboard_under_length", &a);
}

#[test]
fn preview() {
    let mut a = three_shots();
    keys(&mut a, "p");
    snap("storyboard_preview", &a);
}

#[test]
fn file_picker() {
    let mut a = three_shots();
    keys(&mut a, "O");
    let file = |name: &str, modified: f64, summary: Result<FileSummary, String>| StoryboardFile {
        path: PathBuf::from(format!(
            "/home/user/.local/share/sora-tui/storyboards/{name}.storyboard.toml"
        )),
        name: name.into(),
        modified: Some(modified),
        summary,
    };
    let ok = |shots, total, length| {
        Ok(FileSummary {
            shots,
            total,
            length,
        })
    };
    let files = vec![
        file("cat-adventure", NOW - 60.0, ok(3, 10.0, 10)),
        file("lighthouse \x1b[2Jstorm", NOW - 3600.0, ok(5, 25.0, 25)),
        file(
            "hand-edited",
            NOW - 86_400.0,
            Err("line 4: unknown field `scen`, expected `duration` or `scene`".into()),
        ),
    ];
    update(
        &mut a,
        Msg::Worker(Event::Storyboard(StoryboardEvent::Listed {
            folder: PathBuf::from("/home/user/.local/share/sora-tui/storyboards"),
            files,
        })),
        NOW,
    );
    key(&mut a, KeyCode::Down);
    snap("storyboard_file_picker", &a);
}

#[test]
fn save_as_prompt() {
    let mut a = three_shots();
    keys(&mut a, "W");
    keys(&mut a, "cat-adventure");
    snap("storyboard_save_as", &a);
}

#[test]
fn confirm_delete() {
    let mut a = three_shots();
    keys(&mut a, "d");
    snap("storyboard_confirm_delete", &a);
}

#[test]
fn cameo_picker_without_cameos() {
    let mut a = three_shots();
    keys(&mut a, "@");
    snap("storyboard_cameo_picker_empty", &a);
}

#[test]
fn typing_the_instructions() {
    let mut a = app();
    keys(&mut a, "i");
    keys(&mut a, "Moody noir, black and white");
    snap("storyboard_typing_instructions", &a);
}

#[test]
fn file_times_are_shown_in_the_local_zone() {
    let zone = sora_tui::text::Zone::from_tz("<+0530>-5:30").expect("a POSIX rule");
    let mut a = three_shots();
    a.info.zone = zone.clone();
    keys(&mut a, "O");
    let modified = NOW - 60.0;
    update(
        &mut a,
        Msg::Worker(Event::Storyboard(StoryboardEvent::Listed {
            folder: PathBuf::from("/home/user/.local/share/sora-tui/storyboards"),
            files: vec![StoryboardFile {
                path: PathBuf::from("/home/user/x.storyboard.toml"),
                name: "x".into(),
                modified: Some(modified),
                summary: Err("broken".into()),
            }],
        })),
        NOW,
    );
    let local = sora_tui::text::local_date(modified, &zone, false);
    assert_ne!(local, sora_tui::text::date(modified), "the zone is not UTC");
    let t = render(&a, 160, 48);
    let screen: String = t
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(screen.contains(&local), "{local} not on screen");
}
