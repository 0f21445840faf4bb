//! The help overlay at 80x24 and 120x40: every pane's keys reachable by scrolling, a filter
//! that narrows the listing, descriptions wrapped instead of cut. The states are reached
//! through `update` with real key presses, as a user would.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sora_tui::app::{App, Modal, Msg, Pane, update};
use sora_tui::ui;

/// 2026-11-18 22:13:20 UTC.
const NOW: f64 = 1_795_040_000.0;
const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn render(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    t.draw(|f| ui::draw(f, app)).expect("draw");
    t
}

fn text(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                + "\n"
        })
        .collect()
}

fn press(app: &mut App, code: KeyCode) {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), NOW);
}

fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// Help opened with `?` from the Drafts pane, signed in.
fn help() -> App {
    let mut app = common::screens::signed_in(NOW);
    app.pane = Pane::Drafts;
    app.drafts_viewport = 10;
    typed(&mut app, "?");
    assert!(matches!(app.modal, Some(Modal::Help(_))));
    app
}

fn snap(name: &str, app: &App) {
    for (w, h) in SIZES {
        let t = render(app, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), t.backend());
    }
}

#[test]
fn help_at_its_top() {
    let app = help();
    snap("help_top", &app);
    // Nothing is cut at 80 columns: no description ends in `…`.
    let t = text(&render(&app, 80, 24));
    assert!(!t.contains("co…"), "{t}");
    assert!(t.contains("no-watermark copy"), "{t}");
}

#[test]
fn help_scrolled_reaches_the_last_pane() {
    let mut app = help();
    press(&mut app, KeyCode::End);
    snap("help_end", &app);
    // The Cameos pane's keys (listed last from Drafts) are reachable at 80x24.
    let t = text(&render(&app, 80, 24));
    assert!(t.contains("copy @name"), "{t}");
    assert!(t.contains("lines "), "{t}");
    let mut app = help();
    for _ in 0..15 {
        press(&mut app, KeyCode::Char('j'));
    }
    snap("help_scrolled", &app);
}

#[test]
fn help_filtered() {
    let mut app = help();
    typed(&mut app, "/edit");
    snap("help_filter_typing", &app);
    press(&mut app, KeyCode::Enter);
    let t = text(&render(&app, 80, 24));
    assert!(
        t.contains("edit in $EDITOR") && !t.contains("publish"),
        "{t}"
    );
    typed(&mut app, "/zzz");
    snap("help_filter_nothing", &app);
}

#[test]
fn help_wraps_descriptions_in_a_narrow_terminal() {
    let mut app = help();
    press(&mut app, KeyCode::End);
    let t = render(&app, 40, 16);
    insta::assert_snapshot!("help_wrapped_40x16", t.backend());
    let s = text(&t);
    assert!(s.contains("abandon (stuck"), "{s}");
    assert!(s.contains("processing)"), "{s}");
    // The key listing (above the rule) cuts nothing; the paths under it keep their ends.
    let listing: Vec<&str> = s
        .lines()
        .skip(2)
        .take_while(|l| !l.contains("──"))
        .collect();
    assert!(listing.len() > 3, "{s}");
    assert!(listing.iter().all(|l| !l.contains('…')), "{s}");
}
