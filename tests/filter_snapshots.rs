//! Screens of the Drafts pane's filter (`/`): the narrowed list with its matches highlighted
//! and the filter line, and a filter nothing matches.
#![allow(clippy::unwrap_used)]

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;
use sora_tui::api::Draft;
use sora_tui::app::{App, Loading, Msg, Pane, drafts_row, update};
use sora_tui::ui;

const NOW: f64 = 1_795_040_000.0;

fn app() -> App {
    let mut app = common::screens::signed_in(NOW);
    app.pane = Pane::Drafts;
    let prompts = [
        "An owl gliding over a snowy forest",
        "A corgi surfing a wave at sunset",
        "Week-old owl chicks in a nest, Zürich zoo",
        "Paper boats racing down a rainy street",
    ];
    app.drafts.rows = prompts
        .iter()
        .enumerate()
        .map(|(n, p)| {
            drafts_row(Draft {
                id: Some(format!("gen_01kbx{n:04}abcdefghjkmnpqrs")),
                kind: Some("sora_draft".into()),
                duration_s: Some(10.0),
                prompt: Some((*p).into()),
                created_at: Some(NOW - n as f64 * 3_600.0),
                ..Draft::default()
            })
        })
        .collect();
    app.drafts.loading = Loading::Loaded;
    app
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        let k = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        update(app, Msg::Key(k), NOW);
    }
}

fn render(app: &App) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(120, 20)).unwrap();
    t.draw(|f| ui::draw(f, app)).unwrap();
    t
}

fn text(t: &Terminal<TestBackend>) -> String {
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
fn drafts_filtered_with_highlights() {
    let mut a = app();
    typed(&mut a, "/owl z");
    let t = render(&a);
    let screen = text(&t);
    insta::assert_snapshot!("drafts_filter_typing", screen);
    assert!(screen.contains("/owl z"), "the filter line");
    assert!(screen.contains("1/4"), "the count");
    assert!(!screen.contains("corgi") && !screen.contains("An owl"));
    // The matched chars are marked (the text snapshot has no styles): `owl`, the `Z` of
    // `Zürich` and the `z` of `zoo`, nothing else of the row.
    let buf = t.backend().buffer();
    let mut marked = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let cell = &buf[(x, y)];
            if cell.modifier.contains(Modifier::UNDERLINED) {
                marked.push_str(cell.symbol());
            }
        }
    }
    assert_eq!(marked, "owlZz");
}

#[test]
fn drafts_filter_kept_and_no_match() {
    let mut a = app();
    typed(&mut a, "/owl");
    update(
        &mut a,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        NOW,
    );
    insta::assert_snapshot!("drafts_filter_kept", text(&render(&a)));
    typed(&mut a, "/ zebra");
    let screen = text(&render(&a));
    insta::assert_snapshot!("drafts_filter_no_match", screen);
    assert!(screen.contains("no match for “owl zebra”, Esc clears"));
}
