//! The status bar says "demo" when the program runs against its built-in simulator, so a
//! demo is never mistaken for the real account; a real run does not.

mod common;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sora_tui::app::App;
use sora_tui::ui;

/// 2026-11-18 22:13:20 UTC.
const NOW: f64 = 1_795_040_000.0;

fn screen(app: &App, width: u16, height: u16) -> Vec<String> {
    let mut t = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    t.draw(|f| ui::draw(f, app)).expect("draw");
    let buffer = t.backend().buffer();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect()
}

/// The status bar's account line: the second line from the bottom.
fn status_line(lines: &[String]) -> &str {
    &lines[lines.len() - 2]
}

#[test]
fn the_status_bar_says_demo_in_demo_mode() {
    let mut app = common::screens::signed_in(NOW);
    app.demo = true;
    let lines = screen(&app, 80, 24);
    assert!(
        status_line(&lines).trim_start().starts_with("demo · "),
        "{}",
        status_line(&lines)
    );
    insta::assert_snapshot!("status_demo_80x24", lines.join("\n"));
}

#[test]
fn a_real_run_does_not_say_demo() {
    let app = common::screens::signed_in(NOW);
    let lines = screen(&app, 80, 24);
    assert!(
        !status_line(&lines).contains("demo"),
        "{}",
        status_line(&lines)
    );
}
