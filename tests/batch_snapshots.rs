//! Render snapshots of a batch file in the TUI: the Prompt pane's batch field, and the confirm
//! overlay listing the jobs (a grid and a storyboard), at 80x24 and 160x48.

mod common;

use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sora_tui::app::{App, Msg, update};
use sora_tui::batch::{Origin, parse};
use sora_tui::ui;

/// 2026-11-18 22:13:20 UTC.
const NOW: f64 = 1_795_040_000.0;
const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

const BOARD: &str = "version = 1\ninstructions = \"A rainy day in the city\"\nlength = 10\n\n[[shot]]\nduration = 5.0\nscene = \"clouds gather over the rooftops\"\n\n[[shot]]\nduration = 5.0\nscene = \"umbrellas open in the street\"\n";

fn press(app: &mut App, code: KeyCode) {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), NOW);
}

fn snap(name: &str, app: &App) {
    for (w, h) in SIZES {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        t.draw(|f| ui::draw(f, app)).expect("draw");
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), t.backend());
    }
}

#[test]
fn the_batch_field_in_the_prompt_pane() {
    let mut app = common::screens::signed_in(NOW);
    press(&mut app, KeyCode::Char('B'));
    for c in "~/films/grid.batch.toml".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    snap("batch_field", &app);
}

#[test]
fn the_confirm_overlay_lists_the_jobs() {
    let mut app = common::screens::signed_in(NOW);
    let text = format!(
        "{}\n[[job]]\nstoryboard = \"rain.storyboard.toml\"\n",
        include_str!("../examples/grid.batch.toml")
    );
    let origin = Origin {
        name: "grid.batch.toml".into(),
        dir: PathBuf::from("/home/user/films"),
    };
    let batch = parse(&text, &origin, &mut |p: &Path| {
        assert_eq!(p, Path::new("/home/user/films/rain.storyboard.toml"));
        Ok(BOARD.to_string())
    })
    .unwrap();
    update(
        &mut app,
        Msg::BatchLoaded {
            path: PathBuf::from("/home/user/films/grid.batch.toml"),
            result: Ok(batch),
        },
        NOW,
    );
    snap("batch_confirm", &app);
}
