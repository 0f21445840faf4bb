//! Render snapshots of rows whose text is wide or joined (emoji, ZWJ sequences, CJK, flags,
//! combining accents, skin tones, presentation selectors, bidi and zero-width characters),
//! and of numbers that cannot be right (NaN, infinite, negative, absurd), at 80x24 and
//! 160x48. Beyond the snapshots, every cell of the buffer is checked: ratatui keeps bidi and
//! zero-width characters in cells (it drops only C0 controls), and a cell whose characters a
//! terminal would draw wider or narrower than ratatui counts shifts the rest of the row.

mod common;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::CellWidth;
use ratatui::text::Span;
use serde_json::json;
use sora_tui::api::{Draft, Me, Quota};
use sora_tui::app::cameos::CameoRecord;
use sora_tui::app::{App, Msg, Pane, drafts_row, update};
use sora_tui::track::{TaskKind, TaskPhase, TaskRecord};
use sora_tui::ui;
use sora_tui::worker::{CameoEvent, Event};

/// 2026-11-18 22:13:20 UTC.
const NOW: f64 = 1_795_040_000.0;
const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

/// Texts a server may send, each with what must be drawn of it.
const WIDE: [(&str, &str); 7] = [
    (
        "👨\u{200D}👩\u{200D}👧 family picnic",
        "👨👩👧 family picnic",
    ),
    (
        "東京の夜景、ネオンが雨に映る",
        "東京の夜景、ネオンが雨に映る",
    ),
    (
        "❤\u{FE0F} 👍\u{1F3FD} thumbs 🇯🇵 flag",
        "❤ 👍 thumbs 🇯🇵 flag",
    ),
    ("cafe\u{301} au lait", "cafe\u{301} au lait"),
    ("abc\u{202E}fed \u{2066}iso\u{2069}", "abcfed iso"),
    ("zero\u{200B}width\u{FEFF}join\u{2060}er", "zerowidthjoiner"),
    ("\u{200D}", ""),
];

fn render(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    t.draw(|f| ui::draw(f, app)).expect("draw");
    t
}

/// Cells as a naive terminal counts them: one width per character, as wcwidth does.
fn per_char_width(symbol: &str) -> usize {
    symbol
        .chars()
        .map(|c| Span::raw(c.to_string()).width())
        .sum()
}

/// Whether a character in a cell would deceive or shift the terminal: controls, bidi and
/// zero-width characters, presentation selectors and skin-tone modifiers.
fn misleading(c: char) -> bool {
    c.is_control()
        || common::bin::bidi_or_zero_width(c)
        || matches!(c, '\u{FE0E}' | '\u{FE0F}' | '\u{1F3FB}'..='\u{1F3FF}')
}

/// At both sizes: checks every cell, then what is drawn with `check` (given the screen's
/// text, without the cells wide characters cover), then snapshots it as `{name}_{w}x{h}`.
fn snap_checked(name: &str, app: &App, check: impl Fn(&str)) {
    for (w, h) in SIZES {
        let t = render(app, w, h);
        let buf = t.backend().buffer();
        let mut text = String::new();
        for y in 0..buf.area.height {
            // The cells a wide character covers are left out of the text, as on the screen.
            let mut covered = 0;
            for x in 0..buf.area.width {
                if covered > 0 {
                    covered -= 1;
                    continue;
                }
                let symbol = buf[(x, y)].symbol();
                covered = usize::from(symbol.cell_width()).saturating_sub(1);
                if let Some(c) = symbol.chars().find(|c| misleading(*c)) {
                    panic!("{name} {w}x{h}: {c:?} in the cell at {x},{y}: {symbol:?}");
                }
                assert_eq!(
                    per_char_width(symbol),
                    usize::from(symbol.cell_width()),
                    "{name} {w}x{h}: the terminal would draw {symbol:?} at {x},{y} at another width than ratatui counts"
                );
                text.push_str(symbol);
            }
            text.push('\n');
        }
        check(&text);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), t.backend());
    }
}

fn task(n: usize, prompt: &str, phase: TaskPhase) -> TaskRecord {
    TaskRecord {
        task_id: format!("task_01kbx7r2m5e8t0q9w3y6z1a4c{n}"),
        kind: TaskKind::Video,
        prompt: prompt.into(),
        settings: "landscape · 10 s · Sora 2".into(),
        submitted_at: NOW - 60.0 * (n as f64 + 1.0),
        finished_at: None,
        phase,
    }
}

fn running(status: &str, progress: f64) -> TaskPhase {
    TaskPhase::Working {
        status: status.into(),
        progress,
    }
}

fn draft(n: usize, prompt: &str) -> Draft {
    Draft {
        id: Some(format!("gen_01kbx{n:04}abcdefghjkmnpqrs")),
        task_id: Some(format!("task_01kbx{n:04}tvwxyz0123456789")),
        kind: Some("sora_draft".into()),
        downloadable_url: Some(format!("https://videos.openai.com/{n}/src.mp4?sig=abc")),
        width: Some(1280.0),
        height: Some(720.0),
        duration_s: Some(10.0),
        prompt: Some(prompt.into()),
        created_at: Some(NOW - n as f64 * 3_600.0),
        ..Draft::default()
    }
}

/// A cameo record as `cameos.json` holds it.
fn cameo(n: usize, name: &str, created_at: f64, clip: (f64, f64)) -> CameoRecord {
    serde_json::from_value(json!({
        "key": format!("c{n}"),
        "created_at": created_at,
        "video": "/home/user/clips/me.mp4",
        "video_bytes": 32_261,
        "clip": [clip.0, clip.1],
        "stage": {"state": "finalized"},
        "cameo_id": format!("cameo_4f1c9a2b7d3e8f60a5b1c2d{n}"),
        "username": format!("alice.{n}"),
        "display_name": name,
        "character_id": format!("ch_9e8d7c6b5a4f3e2d1c0b9a8{n}"),
        "public": true,
    }))
    .expect("a cameo record")
}

fn with_cameos(app: &mut App, records: Vec<CameoRecord>) {
    update(
        app,
        Msg::Worker(Event::Cameo(CameoEvent::Restored {
            records,
            warning: None,
        })),
        NOW,
    );
    app.toasts.clear();
}

/// Signed in with a wide account name; the given rows in every list.
fn wide_app() -> App {
    let mut app = common::screens::signed_in(NOW);
    app.account = Some(Me {
        username: Some("ゆき👨\u{200D}👩\u{200D}👧".into()),
        ..Me::default()
    });
    app.tasks.tasks = WIDE
        .iter()
        .enumerate()
        .map(|(i, (text, _))| task(i, text, running(text, 0.5)))
        .collect();
    app.drafts.rows = WIDE
        .iter()
        .enumerate()
        .map(|(i, (text, _))| drafts_row(draft(i + 1, text)))
        .collect();
    app.drafts.loading = sora_tui::app::Loading::Loaded;
    let cameos = WIDE
        .iter()
        .enumerate()
        .map(|(i, (text, _))| cameo(i + 1, text, NOW - 3_600.0, (0.0, 3.0)))
        .collect();
    with_cameos(&mut app, cameos);
    app
}

#[test]
fn wide_and_joined_text_draws_as_the_terminal_draws_it() {
    let mut app = wide_app();
    for (name, setup) in [
        (
            "wide_tasks",
            (|a: &mut App| a.pane = Pane::Tasks) as fn(&mut App),
        ),
        ("wide_drafts", |a| a.pane = Pane::Drafts),
        ("wide_draft_details", |a| {
            a.pane = Pane::Drafts;
            a.drafts.details = true;
            a.drafts.selected = 0;
        }),
        ("wide_cameos", |a| {
            a.pane = Pane::Cameos;
            a.drafts.details = false;
        }),
    ] {
        setup(&mut app);
        snap_checked(name, &app, |text| {
            assert!(
                text.contains("👨👩👧"),
                "{name}: the family is drawn:\n{text}"
            );
            // On a narrow screen the details of the first draft stand alone.
            let list_shown = !text.contains("╭ Draft 1/7") || text.contains("╭ Drafts");
            assert!(
                !list_shown || text.contains("東京の夜景"),
                "{name}: CJK is drawn:\n{text}"
            );
        });
    }
}

#[test]
fn numbers_that_cannot_be_right_show_a_dash() {
    let mut app = common::screens::signed_in(NOW);
    app.quota = Some(Quota {
        estimated_num_videos_remaining: Some(-3.0),
        rate_limit_reached: Some(false),
        access_resets_in_seconds: Some(f64::NAN),
    });
    app.tasks.tasks = vec![
        task(0, "progress not a number", running("running", f64::NAN)),
        TaskRecord {
            submitted_at: f64::NAN,
            ..task(1, "submitted at no time", running("running", -5.0))
        },
        TaskRecord {
            finished_at: Some(NOW + 1e18),
            ..task(
                2,
                "finished in the far future",
                running("running", f64::INFINITY),
            )
        },
    ];
    let mut broken = draft(1, "length not a number");
    broken.duration_s = Some(f64::NAN);
    broken.created_at = Some(9.2e18);
    broken.width = Some(f64::NAN);
    let mut negative = draft(2, "negative length");
    negative.duration_s = Some(-5.0);
    negative.created_at = Some(-1.0);
    let mut endless = draft(3, "endless length");
    endless.duration_s = Some(f64::INFINITY);
    endless.created_at = Some(f64::INFINITY);
    app.drafts.rows = [broken, negative, endless]
        .into_iter()
        .map(drafts_row)
        .collect();
    app.drafts.loading = sora_tui::app::Loading::Loaded;
    with_cameos(
        &mut app,
        vec![cameo(1, "Broken clock", 9.2e18, (-5.0, 1e300))],
    );

    for (name, setup) in [
        (
            "broken_numbers_tasks",
            (|a: &mut App| a.pane = Pane::Tasks) as fn(&mut App),
        ),
        ("broken_numbers_drafts", |a| {
            a.pane = Pane::Drafts;
            a.drafts.details = true;
        }),
        ("broken_numbers_cameos", |a| a.pane = Pane::Cameos),
    ] {
        setup(&mut app);
        snap_checked(name, &app, |text| {
            for nonsense in [
                "NaN",
                "inf",
                "-5",
                "-3",
                "292277026596",
                "1970",
                "videos left",
            ] {
                assert!(
                    !text.contains(nonsense),
                    "{name}: {nonsense:?} shown:\n{text}"
                );
            }
            assert!(text.contains('–'), "{name}: a dash stands in:\n{text}");
        });
    }
}
