//! Pictures on screen over ratatui's `TestBackend` with half-blocks: the Drafts details with
//! a thumbnail, the gallery of distinct thumbnails, a failed picture with its reason, and the
//! Cameos details with a profile picture. The pictures are built here (two-colour patterns,
//! one pair of colours per picture), so the cells are fixed; each snapshot lists under the
//! screen the colours of its half-block cells, which a text snapshot would lose.

// Pictures need the default `previews` feature.
#![cfg(feature = "previews")]

mod common;

use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use sora_tui::api::Draft;
use sora_tui::api::types::{Encoding, Encodings};
use sora_tui::app::cameos::{CameoHints, CameoRecord, CameoRow};
use sora_tui::app::{App, Loading, Pane, drafts_row};
use sora_tui::ui::{self, Pictures};
use sora_tui::worker::{Picture, PictureEvent, PictureKey};

const NOW: f64 = 1_795_040_000.0;

/// A picture whose top half is `top` and bottom half `bottom` (RGB).
fn picture(top: [u8; 3], bottom: [u8; 3]) -> Picture {
    let (w, h) = (64u32, 36u32);
    let mut rgba = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for _ in 0..w {
            let c = if y < h / 2 { top } else { bottom };
            rgba.extend_from_slice(&[c[0], c[1], c[2], 255]);
        }
    }
    Picture {
        width: w,
        height: h,
        rgba: Arc::from(rgba),
    }
}

/// The colour pair of picture `i`.
fn colours(i: usize) -> ([u8; 3], [u8; 3]) {
    const C: [[u8; 3]; 6] = [
        [200, 30, 30],
        [30, 200, 30],
        [30, 30, 200],
        [200, 200, 30],
        [30, 200, 200],
        [200, 30, 200],
    ];
    (C[i % 6], C[(i + 3) % 6])
}

fn draft(i: usize) -> Draft {
    Draft {
        id: Some(format!("gen_{i:02}")),
        downloadable_url: Some(format!("https://media.example/{i}.mp4")),
        prompt: Some(format!("a lighthouse number {i} in a storm")),
        width: Some(1280.0),
        height: Some(720.0),
        duration_s: Some(10.0),
        created_at: Some(NOW - 3600.0),
        encodings: Some(Encodings {
            thumbnail: Some(Encoding {
                path: Some(format!("https://media.example/{i}.webp")),
                ..Encoding::default()
            }),
            ..Encodings::default()
        }),
        ..Draft::default()
    }
}

/// Drafts with their pictures ready (all but those in `skip`).
fn drafts_app(n: usize) -> App {
    let mut app = common::screens::signed_in(NOW);
    app.pane = Pane::Drafts;
    app.thumbs.enabled = true;
    app.drafts.loading = Loading::Loaded;
    app.drafts.rows = (0..n).map(|i| drafts_row(draft(i))).collect();
    for i in 0..n {
        let (top, bottom) = colours(i);
        app.thumbs.on_event(PictureEvent::Ready {
            key: PictureKey::Draft(format!("gen_{i:02}")),
            picture: picture(top, bottom),
        });
    }
    app
}

fn render(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut pics = Pictures::halfblocks();
    t.draw(|f| ui::draw_pictures(f, app, &ui::Theme::default(), &mut pics))
        .unwrap();
    t
}

/// The screen's text, then every row's half-block cells as `x:fg/bg` runs of one colour.
fn screen(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let w = buf.area.width;
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..w {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out.push_str("-- half-block colours by row --\n");
    for y in 0..buf.area.height {
        let mut runs: Vec<(u16, Color, Color)> = Vec::new();
        for x in 0..w {
            let c = &buf[(x, y)];
            if c.symbol() == "▀" || c.symbol() == "▄" {
                match runs.last() {
                    Some((_, fg, bg)) if *fg == c.fg && *bg == c.bg => {}
                    _ => runs.push((x, c.fg, c.bg)),
                }
            }
        }
        if !runs.is_empty() {
            let line: Vec<String> = runs
                .iter()
                .map(|(x, fg, bg)| format!("{x}:{fg}/{bg}"))
                .collect();
            out.push_str(&format!("{y:>2} {}\n", line.join(" ")));
        }
    }
    out
}

/// The distinct foreground colours of half-block cells.
fn half_block_colours(t: &Terminal<TestBackend>) -> std::collections::BTreeSet<String> {
    t.backend()
        .buffer()
        .content
        .iter()
        .filter(|c| c.symbol() == "▀" || c.symbol() == "▄")
        .map(|c| format!("{}", c.fg))
        .collect()
}

#[test]
fn drafts_details_show_the_selected_thumbnail() {
    let mut app = drafts_app(3);
    app.drafts.details = true;
    app.drafts.selected = 1;
    let t = render(&app, 120, 36);
    let colours = half_block_colours(&t);
    assert!(!colours.is_empty(), "half-block cells are drawn");
    // Another selection draws another picture's colours.
    app.drafts.selected = 0;
    let other = half_block_colours(&render(&app, 120, 36));
    assert!(colours.is_disjoint(&other), "{colours:?} {other:?}");
    insta::assert_snapshot!(screen(&t));
}

#[test]
fn the_gallery_shows_distinct_thumbnails() {
    let mut app = drafts_app(8);
    app.drafts.gallery = true;
    app.drafts.selected = 2;
    let t = render(&app, 100, 30);
    // Six pictures' top colours at least: each cell its own picture.
    assert!(
        half_block_colours(&t).len() >= 6,
        "{:?}",
        half_block_colours(&t)
    );
    insta::assert_snapshot!(screen(&t));
}

#[test]
fn a_failed_picture_shows_its_reason() {
    let mut app = drafts_app(0);
    app.drafts.rows = vec![drafts_row(draft(4))];
    app.thumbs.on_event(PictureEvent::Failed {
        key: PictureKey::Draft("gen_04".into()),
        reason: "not an image (text/html)".into(),
    });
    app.drafts.details = true;
    let t = render(&app, 80, 30);
    let s = screen(&t);
    assert!(s.contains("not an image (text/html)"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn cameos_details_show_the_profile_picture() {
    let mut app = common::screens::signed_in(NOW);
    app.pane = Pane::Cameos;
    app.thumbs.enabled = true;
    let mut record = CameoRecord::uploading(
        "cameo-local-1".into(),
        NOW - 600.0,
        "/home/user/me.mp4".into(),
        Some(1_000_000),
        (0.0, 3.0),
    );
    record.cameo_id = Some("cameo_123".into());
    record.hints = Some(CameoHints {
        username: Some("alice".into()),
        display_name: Some("Alice".into()),
        profile_asset_url: Some("https://media.example/profile.webp".into()),
    });
    app.cameos.rows = vec![CameoRow::new(record, &app.info.zone)];
    app.cameos.restored = true;
    app.thumbs.on_event(PictureEvent::Ready {
        key: PictureKey::Cameo("cameo_123".into()),
        picture: picture([250, 120, 0], [0, 120, 250]),
    });
    let t = render(&app, 120, 36);
    assert!(
        !half_block_colours(&t).is_empty(),
        "half-block cells are drawn"
    );
    insta::assert_snapshot!(screen(&t));
}

/// The gallery narrows with the filter as the list does: only the matching drafts' cells,
/// the filter line in the footer, and `l` steps to the next match.
#[test]
fn the_gallery_shows_only_the_filters_matches() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use sora_tui::app::{Msg, update};
    let key = |app: &mut App, code: KeyCode| {
        update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), NOW);
    };
    let mut app = drafts_app(12);
    app.drafts.gallery = true;
    key(&mut app, KeyCode::Char('/'));
    for c in "number 1".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Enter);
    // "number 1" matches drafts 1, 10 and 11.
    assert_eq!(app.drafts.selected, 1);
    let t = render(&app, 100, 30);
    let text = screen(&t);
    assert_eq!(
        text.matches("a lighthouse number").count(),
        3,
        "only the matches are drawn:\n{text}"
    );
    assert!(text.contains("/number 1 3/12"), "{text}");
    insta::assert_snapshot!(text);
    key(&mut app, KeyCode::Char('l'));
    assert_eq!(app.drafts.selected, 10, "the next match, not the next row");
    key(&mut app, KeyCode::Char('l'));
    key(&mut app, KeyCode::Char('l'));
    assert_eq!(app.drafts.selected, 11, "stops at the last match");
}
