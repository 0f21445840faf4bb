//! The message log overlay, the config warning bar, and where toasts sit: render snapshots
//! at 80x24 and buffer checks that a toast leaves every pane's borders and footer alone.

mod common;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sora_tui::api::Draft;
use sora_tui::app::{App, Loading, Modal, Pane, drafts_row, toast, toast_error};
use sora_tui::ui;

/// 2026-11-18 22:13:20 UTC.
const NOW: f64 = 1_795_040_000.0;

fn render(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    t.draw(|f| ui::draw(f, app)).expect("draw");
    t
}

fn rows(t: &Terminal<TestBackend>) -> Vec<String> {
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

fn problems() -> Vec<String> {
    vec![
        "/home/user/.config/sora-tui/config.toml line 3: [keys] \"fly\" is not an action, so it is skipped".into(),
        "/home/user/.config/sora-tui/config.toml line 7: [theme] error = \"nope\" is not a colour: use a name (red), an index (214) or #rrggbb; the default colour stays".into(),
    ]
}

/// Toasts shown at several times before [`NOW`], through the app's own toast functions.
fn with_messages(app: &mut App) {
    let shown = [
        (600.0, false, "Saved to ~/Videos/sora/corgi-surfing.mp4"),
        (
            95.0,
            true,
            "Publish failed: the backend is overloaded, try again in a minute",
        ),
        (12.0, false, "Link copied"),
        (
            3.0,
            true,
            "Download failed: \x1b[31mthe connection dropped\x1b[0m after 4.2 MB; press w to resume",
        ),
    ];
    for (ago, error, text) in shown {
        app.now = NOW - ago;
        if error {
            toast_error(app, text);
        } else {
            toast(app, text);
        }
    }
    app.now = NOW;
}

fn drafts(app: &mut App, n: usize) {
    app.pane = Pane::Drafts;
    app.drafts.rows = (0..n)
        .map(|i| {
            drafts_row(Draft {
                id: Some(format!("gen_{i:03}")),
                prompt: Some(format!("draft number {i:03}")),
                ..Draft::default()
            })
        })
        .collect();
    app.drafts.loading = Loading::Loaded;
}

#[test]
fn message_log_overlay() {
    let mut app = common::screens::signed_in(NOW);
    app.config_problems = problems();
    with_messages(&mut app);
    app.toasts.clear();
    app.modal = Some(Modal::Log { scroll: 0 });
    let t = render(&app, 80, 24);
    let text = rows(&t).join("\n");
    // Newest first, with how long ago.
    let newest = text.find("the connection dropped").expect(&text);
    let oldest = text.find("corgi-surfing").expect(&text);
    assert!(newest < oldest, "{text}");
    assert!(
        text.contains("3 s ago") && text.contains("10 min ago"),
        "{text}"
    );
    assert!(!text.contains("[31m"), "server text is sanitised: {text}");
    insta::assert_snapshot!("message_log_80x24", t.backend());
}

#[test]
fn message_log_scrolled_past_the_problems() {
    let mut app = common::screens::signed_in(NOW);
    app.config_problems = problems();
    with_messages(&mut app);
    app.modal = Some(Modal::Log { scroll: 3 });
    let text = rows(&render(&app, 80, 24)).join("\n");
    assert!(!text.contains("Config problems"), "{text}");
    assert!(!text.contains("the connection dropped"), "{text}");
    assert!(text.contains("Publish failed"), "{text}");
    assert!(text.contains("Messages · 4/6"), "{text}");
}

#[test]
fn warning_bar_with_two_problems() {
    let mut app = common::screens::signed_in(NOW);
    app.config_problems = problems();
    let t = render(&app, 80, 24);
    assert_eq!(
        rows(&t)[1].trim_end(),
        " ! 2 config problems — press ! to read"
    );
    insta::assert_snapshot!("warning_bar_two_problems_80x24", t.backend());
}

/// The last `from_bottom` rows must be the same with and without toasts: a toast covers
/// content only, never the footer, a block's bottom line or the pane's border.
fn toast_leaves_rows_alone(make: fn() -> App, from_bottom: usize, what: &str) {
    for (w, h) in [(80, 24), (160, 48)] {
        let plain = rows(&render(&make(), w, h));
        let mut shown = make();
        with_messages(&mut shown);
        let with = rows(&render(&shown, w, h));
        assert!(
            with.iter().any(|r| r.contains("the connection dropped")),
            "the toast shows: {with:#?}"
        );
        let start = plain.len() - from_bottom;
        assert_eq!(
            plain[start..],
            with[start..],
            "{what} at {w}x{h}: {with:#?}"
        );
    }
}

fn drafts_screen() -> App {
    let mut app = common::screens::signed_in(NOW);
    drafts(&mut app, 5);
    app
}

#[test]
fn a_toast_leaves_the_list_footer_and_the_pane_border_intact() {
    // Status bar (2), the pane's bottom border, the list footer.
    toast_leaves_rows_alone(drafts_screen, 4, "Drafts footer and border");
}

#[test]
fn a_toast_leaves_the_prompt_blocks_bottom_border_intact() {
    // Status bar (2), the message row, the blocks' bottom border.
    toast_leaves_rows_alone(
        || common::screens::signed_in(NOW),
        4,
        "Prompt blocks' border",
    );
}

#[test]
fn a_toast_in_the_drafts_pane() {
    let mut app = common::screens::signed_in(NOW);
    drafts(&mut app, 5);
    with_messages(&mut app);
    let t = render(&app, 80, 24);
    insta::assert_snapshot!("toast_clear_of_borders_80x24", t.backend());
}
