//! Render snapshots of the whole UI over ratatui's `TestBackend`, each at 80x24 and 160x48,
//! from hand-built states with fixed timestamps and ids.

mod common;

use std::path::PathBuf;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui_textarea::{TextArea, WrapMode};
use sora_tui::api::{Draft, Quota};
use sora_tui::app::keymap::Keymap;
use sora_tui::app::{
    App, ConfirmAction, Connection, DownloadState, Loading, Modal, Pane, PromptField, Toast,
    drafts_row,
};
use sora_tui::track::{TaskKind, TaskPhase, TaskRecord};
use sora_tui::ui;

/// 2026-11-18 22:13:20 UTC.
const NOW: f64 = 1_795_040_000.0;
const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];
/// Server text carrying terminal control sequences (SGR, CR, BEL, C1 CSI, an OSC title
/// change), bidirectional controls, and zero-width characters both alone and joined to a
/// letter (ZWJ, a tag), which is how they reach a cell: ratatui drops control characters and
/// zero-width graphemes itself, but keeps a zero-width character that belongs to a letter's
/// grapheme. The invisible characters come first, so that they are on screen wherever the
/// text is cut.
const EVIL: &str = "evil g\u{200D}l\u{E0041}ue\u{200C} a\u{202E}b\u{2066}c\u{2069}d\u{200F}e \
     z\u{200B}w\u{2060}j\u{FEFF}k \x1b[31mred\x1b[0m text\rover\x07 and \u{9b}2J csi \
     \x1b]0;pwned\x07title end";
/// What must be drawn of [`EVIL`]: its words, without the sequences and invisible characters.
const EVIL_WORDS: [&str; 4] = ["evil glue abcde zwjk red", "over and csi", "title", "end"];
/// What would be drawn of [`EVIL`] if it reached ratatui unsanitised: the parts of its escape
/// sequences that are not control characters.
const EVIL_RESIDUE: [&str; 5] = ["[31m", "[0m", "2J", "]0;", "pwned"];

/// Whether a character must never be in a cell: what a terminal would act on (controls),
/// what reorders the text (bidi controls), and what is invisible but shifts or hides what
/// follows (zero-width characters, joiners, tags). Listed here, not taken from the library,
/// so the test does not share the sanitiser's mistakes.
fn forbidden_in_cell(c: char) -> bool {
    c.is_control()
        || common::bin::bidi_or_zero_width(c)
        || matches!(c, '\u{200C}' | '\u{2061}'..='\u{2064}' | '\u{180E}')
        || matches!(c, '\u{FFF9}'..='\u{FFFB}' | '\u{E0000}'..='\u{E007F}')
}

/// Signed in, quota known, online.
fn app() -> App {
    common::screens::signed_in(NOW)
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

fn screen_text(t: &Terminal<TestBackend>) -> String {
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

fn task(
    id: &str,
    kind: TaskKind,
    prompt: &str,
    age: f64,
    finished: Option<f64>,
    phase: TaskPhase,
) -> TaskRecord {
    TaskRecord {
        task_id: id.into(),
        kind,
        prompt: prompt.into(),
        settings: match kind {
            TaskKind::Image => "square · 2 variants".into(),
            _ => "landscape · 10 s · Sora 2".into(),
        },
        submitted_at: NOW - age,
        finished_at: finished.map(|f| NOW - f),
        phase,
    }
}

fn working(status: &str, progress: f64) -> TaskPhase {
    TaskPhase::Working {
        status: status.into(),
        progress,
    }
}

fn tasks() -> Vec<TaskRecord> {
    vec![
        task(
            "task_01kbx7r2m5e8t0q9w3y6z1a4c7",
            TaskKind::Video,
            "A corgi surfing a wave at sunset, cinematic slow motion, spray glinting in the light",
            75.0,
            None,
            working("running", 0.45),
        ),
        task(
            "task_01kbx7q8h2d5g9k3n6p0s4v7x1",
            TaskKind::Image,
            "Watercolour fox in a snowy forest",
            20.0,
            None,
            working("queued", 0.0),
        ),
        task(
            "task_01kbx7p4f1c3e5g7i9k1m3o5q7",
            TaskKind::Video,
            "Time-lapse of a city skyline from dusk to night",
            600.0,
            Some(420.0),
            TaskPhase::Done { generation_ids: vec!["gen_01kbx7p9".into()], urls: vec![] },
        ),
        task(
            "task_01kbx7n0b8z6x4v2t0r8p6n4l2",
            TaskKind::Storyboard,
            "Shot 1: a lighthouse in a storm. Shot 2: the keeper climbs the stairs.",
            1_300.0,
            Some(1_190.0),
            TaskPhase::Failed { reason: "The generation failed on the server; try again".into() },
        ),
        task(
            "task_01kbx7m6a4y2w0u8s6q4o2m0k8",
            TaskKind::Video,
            "A famous cartoon mouse dancing on a steamboat",
            2_000.0,
            Some(1_950.0),
            TaskPhase::Blocked {
                reason: "This content may violate our guardrails concerning similarity to third-party content"
                    .into(),
            },
        ),
    ]
}

fn draft(n: u32, prompt: &str) -> Draft {
    Draft {
        id: Some(format!("gen_01kbx{n:04}abcdefghjkmnpqrs")),
        task_id: Some(format!("task_01kbx{n:04}tvwxyz0123456789")),
        kind: Some("sora_draft".into()),
        downloadable_url: Some(format!(
            "https://videos.openai.com/vg-assets/{n}/src.mp4?se=2026&sig=abc"
        )),
        width: Some(1280.0),
        height: Some(720.0),
        duration_s: Some(10.0),
        prompt: Some(prompt.into()),
        created_at: Some(NOW - f64::from(n) * 3_600.0),
        ..Draft::default()
    }
}

/// Six drafts: published, downloading, blocked, not ready, published (post object), plain.
fn populated_drafts(app: &mut App) {
    let mut d0 = draft(1, "A corgi surfing a wave at sunset, cinematic slow motion");
    d0.post_id = Some("s_68f0c2a1b3d4e5f60718293a4b5c6d7e".into());
    let mut d1 = draft(2, "Time-lapse of a city skyline from dusk to night");
    d1.duration_s = Some(15.0);
    let mut d2 = draft(3, "A famous cartoon mouse dancing on a steamboat");
    d2.kind = Some("sora_content_violation".into());
    d2.downloadable_url = None;
    d2.reason_str = Some(
        "This content may violate our guardrails concerning similarity to third-party content"
            .into(),
    );
    let mut d3 = draft(4, "Paper boats racing down a rainy street gutter");
    d3.downloadable_url = None;
    let mut d4 = draft(5, "Northern lights over a frozen lake, drone shot");
    d4.post = Some(serde_json::json!({"id": "s_0badc0ffee0badc0ffee0badc0ffee00"}));
    d4.duration_s = Some(25.0);
    let d5 = draft(6, "Macro shot of a bee landing on lavender");
    app.drafts.rows = [d0, d1, d2, d3, d4, d5]
        .into_iter()
        .map(drafts_row)
        .collect();
    app.drafts.loading = Loading::Loaded;
    app.drafts.next_cursor = Some("cursor_page_2".into());
    let gen_id = |i: usize| app.drafts.rows[i].gen_id.clone();
    let (g0, g1) = (gen_id(0), gen_id(1));
    app.drafts.downloads.insert(
        g0,
        DownloadState::Done(PathBuf::from(
            "/home/user/Videos/sora/2026-11-18 a corgi surfing a wave.mp4",
        )),
    );
    app.drafts.downloads.insert(
        g1,
        DownloadState::Running {
            done: 4_000_000,
            total: Some(10_000_000),
        },
    );
}

/// An editor as the app configures it (soft-wrapped).
fn editor(lines: &[&str]) -> TextArea<'static> {
    let mut e = TextArea::from(lines.iter().map(|l| l.to_string()));
    e.set_wrap_mode(WrapMode::WordOrGlyph);
    e
}

#[test]
fn prompt_empty() {
    snap("prompt_empty", &app());
}

#[test]
fn prompt_filled_image_mode_editing_field_with_error() {
    let mut app = app();
    app.prompt.editor = editor(&[
        "A corgi surfing a wave at sunset,",
        "cinematic, slow motion, spray glinting in the light.",
    ]);
    app.prompt.image_mode = true;
    app.prompt.variants = 2;
    app.prompt.image_path = "~/Pictures/corgi.png".into();
    app.prompt.field = Some(PromptField::ImagePath);
    app.prompt.line = sora_tui::app::line_edit::LineEdit::new("~/Pictures/corgi");
    app.prompt.line.complete(
        "~/Pictures/corgi",
        vec![
            "~/Pictures/corgi.png".into(),
            "~/Pictures/corgi-beach.jpg".into(),
            "~/Pictures/corgis/".into(),
        ],
    );
    // Tab once: the first completion is shown in the field and marked in the list.
    app.prompt.line.key(&crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Tab,
    ));
    app.prompt.history = vec![
        "an older prompt".into(),
        "another".into(),
        "the last".into(),
    ];
    app.prompt.history_pos = Some(1);
    app.prompt.error = Some("The input image is not a PNG, JPEG or WebP file".into());
    snap("prompt_filled_image_field_error", &app);
}

#[test]
fn prompt_typing_and_submitting() {
    let mut app = app();
    app.prompt.editor = editor(&[
        "Paper boats racing down a rainy street gutter, seen from a low angle as the rain keeps falling",
    ]);
    app.prompt.typing = true;
    app.prompt.remix = "s_68f0c2a1b3d4e5f60718293a4b5c6d7e".into();
    app.prompt.submitting = Some(3);
    snap("prompt_typing_submitting", &app);
}

#[test]
fn tasks_empty() {
    let mut app = app();
    app.pane = Pane::Tasks;
    snap("tasks_empty", &app);
}

#[test]
fn tasks_populated() {
    let mut app = app();
    app.pane = Pane::Tasks;
    app.tasks.tasks = tasks();
    app.tasks.selected = 1;
    snap("tasks_populated", &app);
}

#[test]
fn drafts_loading() {
    let mut app = app();
    app.pane = Pane::Drafts;
    app.drafts.loading = Loading::Loading;
    snap("drafts_loading", &app);
}

#[test]
fn drafts_error() {
    let mut app = app();
    app.pane = Pane::Drafts;
    app.drafts.loading = Loading::Failed(
        "Signed out: the access token expired (HTTP 401). Get a fresh token and restart.".into(),
    );
    snap("drafts_error", &app);
}

#[test]
fn drafts_empty() {
    let mut app = app();
    app.pane = Pane::Drafts;
    app.drafts.loading = Loading::Loaded;
    snap("drafts_empty", &app);
}

#[test]
fn drafts_populated() {
    let mut app = app();
    app.pane = Pane::Drafts;
    populated_drafts(&mut app);
    app.drafts.selected = 1;
    app.drafts.loading_more = true;
    let g4 = app.drafts.rows[4].gen_id.clone();
    app.drafts
        .busy
        .insert(g4, sora_tui::worker::DraftOp::Unpublish);
    snap("drafts_populated", &app);
}

#[test]
fn drafts_details() {
    let mut app = app();
    app.pane = Pane::Drafts;
    populated_drafts(&mut app);
    app.drafts.details = true;
    snap("drafts_details_published", &app);
    app.drafts.selected = 2;
    snap("drafts_details_blocked", &app);
}

#[test]
fn help_overlay() {
    let mut app = app();
    app.modal = Some(Modal::Help(Default::default()));
    snap("help_overlay", &app);
}

#[test]
fn confirm_dialog() {
    let mut app = app();
    app.pane = Pane::Drafts;
    populated_drafts(&mut app);
    app.modal = Some(Modal::Confirm {
        question: "Unpublish s_68f0c2a1b3d4e5f60718293a4b5c6d7e? Its share link stops working."
            .into(),
        action: ConfirmAction::Unpublish {
            gen_id: app.drafts.rows[0].gen_id.clone(),
            post_id: "s_68f0c2a1b3d4e5f60718293a4b5c6d7e".into(),
        },
    });
    snap("confirm_dialog", &app);
}

#[test]
fn toasts() {
    let mut app = app();
    app.pane = Pane::Tasks;
    app.tasks.tasks = tasks();
    app.toasts.push_back(Toast {
        text: "an expired toast".into(),
        error: false,
        until: NOW - 1.0,
    });
    app.toasts.push_back(Toast {
        text: "Saved to ~/Videos/sora/corgi-surfing.mp4".into(),
        error: false,
        until: NOW + 4.0,
    });
    app.toasts.push_back(Toast {
        text: "Publish failed: the backend is overloaded, try again in a minute".into(),
        error: true,
        until: NOW + 8.0,
    });
    snap("toasts", &app);
}

#[test]
fn status_bar_account_quota_trouble() {
    let mut app = app();
    app.pane = Pane::Drafts;
    populated_drafts(&mut app);
    app.connection = Connection::Trouble(
        "The backend is overloaded (HTTP 503); retrying in 30 s. Nothing you sent was lost.".into(),
    );
    app.config_problems = vec!["unknown key `colour` in [ui]; using the defaults".into()];
    snap("status_account_quota_trouble", &app);
}

#[test]
fn status_bar_connecting_and_failed_account() {
    let mut app = App::new(common::screens::info(), Keymap::default(), NOW);
    let t = render(&app, 80, 24);
    let text = screen_text(&t);
    assert!(text.contains("connecting…"), "{text}");
    assert!(text.contains("Connecting"), "{text}");

    app.account_loading = Loading::Failed("Signed out: the access token expired".into());
    app.quota = Some(Quota {
        estimated_num_videos_remaining: Some(0.0),
        rate_limit_reached: Some(true),
        access_resets_in_seconds: Some(5400.0),
    });
    let text = screen_text(&render(&app, 160, 48));
    assert!(
        text.contains("Signed out: the access token expired"),
        "{text}"
    );
    assert!(
        text.contains("limit reached, resets in 1 h 30 min"),
        "{text}"
    );
    // At 80 columns the connection keeps its place; the account line gives way.
    let text = screen_text(&render(&app, 80, 24));
    assert!(
        text.contains("Signed out: the access token expired"),
        "{text}"
    );
    assert!(text.contains("○ Connecting…"), "{text}");
}

#[test]
fn ten_thousand_drafts_viewport_follows_selection() {
    let mut app = app();
    app.pane = Pane::Drafts;
    app.drafts.rows = (0..10_000u32)
        .map(|i| {
            let mut d = draft(i % 9_000, &format!("Draft number {i:05}"));
            d.id = Some(format!("gen_{i:05}"));
            drafts_row(d)
        })
        .collect();
    app.drafts.loading = Loading::Loaded;
    app.drafts.selected = 5_000;
    // Deliberately inconsistent: drawing must still show the selection.
    app.drafts.offset = 0;
    for (w, h) in SIZES {
        let t = render(&app, w, h);
        let text = screen_text(&t);
        assert!(text.contains("Draft number 05000"), "{w}x{h}:\n{text}");
        assert!(text.contains("5001/10000"), "{w}x{h}:\n{text}");
        assert!(!text.contains("Draft number 00000"), "{w}x{h}:\n{text}");
    }
    // update() keeps the offset from list_rows(): with it, the window starts there.
    app.drafts.offset = 4_995;
    let text = screen_text(&render(&app, 80, 24));
    assert!(text.contains("Draft number 04995"), "{text}");
    assert!(text.contains("Draft number 05000"), "{text}");

    // What a frame costs with this many rows is measured by `cargo bench --bench tui`, not
    // asserted here: a wall-clock bound in a test only measures how busy the machine is.
}

#[test]
fn list_rows_matches_what_is_drawn() {
    let mut app = app();
    app.pane = Pane::Drafts;
    app.drafts.rows = (0..100u32)
        .map(|i| {
            drafts_row(Draft {
                id: Some(format!("gen_{i:03}")),
                prompt: Some(format!("row {i:03}")),
                ..Draft::default()
            })
        })
        .collect();
    app.drafts.loading = Loading::Loaded;
    app.config_problems = vec!["a warning takes a line".into()];
    for (w, h) in SIZES {
        let rows = ui::list_rows(h);
        app.drafts.selected = rows - 1;
        app.drafts.offset = 0;
        let text = screen_text(&render(&app, w, h));
        assert!(text.contains("row 000"), "{text}");
        assert!(text.contains(&format!("row {:03}", rows - 1)), "{text}");
    }
}

#[test]
fn server_text_with_control_sequences_draws_no_escapes() {
    let evil = EVIL;
    let mut app = app();
    let mut d = draft(1, evil);
    d.title = Some(evil.into());
    d.kind = Some("sora_content_violation".into());
    d.reason_str = Some(evil.into());
    d.post_id = Some("s_\x1b]0;pwned\x07".into());
    app.drafts.rows = vec![drafts_row(d)];
    app.drafts.loading = Loading::Loaded;
    let gen_id = app.drafts.rows[0].gen_id.clone();
    app.drafts
        .downloads
        .insert(gen_id, DownloadState::Failed(evil.into()));
    app.tasks.tasks = vec![task(
        "task_\x1b[2J",
        TaskKind::Video,
        evil,
        10.0,
        Some(5.0),
        TaskPhase::Failed {
            reason: evil.into(),
        },
    )];
    app.toasts.push_back(Toast {
        text: evil.into(),
        error: true,
        until: NOW + 5.0,
    });
    app.connection = Connection::Trouble(evil.into());
    app.config_problems = vec![evil.into()];

    let screens: [fn(&mut App); 4] = [
        |a| a.pane = Pane::Drafts,
        |a| {
            a.pane = Pane::Drafts;
            a.drafts.details = true;
        },
        |a| a.pane = Pane::Tasks,
        |a| {
            a.modal = Some(Modal::Confirm {
                question: EVIL.into(),
                action: ConfirmAction::Quit,
            });
        },
    ];
    for (n, setup) in screens.into_iter().enumerate() {
        setup(&mut app);
        for (w, h) in SIZES {
            let t = render(&app, w, h);
            let buf = t.backend().buffer();
            for y in 0..buf.area.height {
                for x in 0..buf.area.width {
                    let symbol = buf[(x, y)].symbol();
                    if let Some(c) = symbol.chars().find(|c| forbidden_in_cell(*c)) {
                        panic!(
                            "screen {n} at {w}x{h}: {c:?} in the cell at {x},{y} ({symbol:?}):\n{}",
                            screen_text(&t)
                        );
                    }
                }
            }
            let text = screen_text(&t);
            assert!(text.contains("evil"), "the text is drawn at all:\n{text}");
            for residue in EVIL_RESIDUE {
                assert!(
                    !text.contains(residue),
                    "screen {n} at {w}x{h}: {residue:?} of an escape sequence is drawn:\n{text}"
                );
            }
        }
    }
    // The details show the whole prompt: every word survives, letters joined where only
    // invisible characters stood between them.
    app.modal = None;
    app.pane = Pane::Drafts;
    app.drafts.details = true;
    for (w, h) in SIZES {
        let text = screen_text(&render(&app, w, h));
        for word in EVIL_WORDS {
            assert!(text.contains(word), "{word:?} is drawn at {w}x{h}:\n{text}");
        }
    }
}

#[test]
fn tiny_terminals_do_not_panic() {
    let mut app = app();
    app.tasks.tasks = tasks();
    populated_drafts(&mut app);
    app.toasts.push_back(Toast {
        text: "hello".into(),
        error: false,
        until: NOW + 5.0,
    });
    for pane in Pane::ALL {
        app.pane = pane;
        for modal in [
            None,
            Some(Modal::Help(Default::default())),
            Some(Modal::Confirm {
                question: "Quit?".into(),
                action: ConfirmAction::Quit,
            }),
        ] {
            app.modal = modal;
            app.drafts.details = !app.drafts.details;
            for (w, h) in [(1, 1), (10, 4), (20, 6), (40, 10), (79, 23)] {
                render(&app, w, h);
            }
        }
    }
}
