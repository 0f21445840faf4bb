//! The mouse through `update`: each state is drawn over ratatui's `TestBackend` with
//! `ui::draw_recording`, the pointer is looked up in the hit map that draw made (as the TUI
//! loop does), and the resulting `Msg::Mouse` goes through `update`.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use sora_tui::api::Draft;
use sora_tui::app::mouse::{ConfirmChoice, MouseKind, Target};
use sora_tui::app::{App, ConfirmAction, Modal, Msg, Pane, drafts_row, update};
use sora_tui::track::{TaskKind, TaskPhase, TaskRecord};
use sora_tui::ui::{self, HitMap, Theme};

/// 2026-11-18 22:13:20 UTC.
const NOW: f64 = 1_795_040_000.0;

fn app() -> App {
    let mut a = common::screens::signed_in(NOW);
    a.drafts.rows = (0..40)
        .map(|i| {
            drafts_row(Draft {
                id: Some(format!("gen_{i:02}")),
                prompt: Some(format!("draft number {i}")),
                created_at: Some(NOW - f64::from(i) * 60.0),
                ..Draft::default()
            })
        })
        .collect();
    a.drafts.loading = sora_tui::app::Loading::Loaded;
    a.tasks.tasks = (0..30)
        .map(|i| TaskRecord {
            task_id: format!("task_{i:02}"),
            kind: TaskKind::Video,
            prompt: format!("task prompt {i}"),
            settings: "landscape · 10 s · Sora 2".into(),
            submitted_at: NOW - 100.0,
            finished_at: None,
            phase: TaskPhase::Working {
                status: "running".into(),
                progress: 0.5,
            },
        })
        .collect();
    a.drafts_viewport = 16;
    a
}

/// Draws `app` at 80x24 and returns the screen's text and the hit map.
fn draw(app: &App) -> (Terminal<TestBackend>, HitMap) {
    let mut t = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    let mut hits = HitMap::default();
    t.draw(|f| ui::draw_recording(f, app, &Theme::default(), &mut hits))
        .expect("draw");
    (t, hits)
}

fn mouse(app: &mut App, target: Option<Target>, kind: MouseKind, now: f64) {
    update(
        app,
        Msg::Mouse {
            target,
            kind,
            at: (0, 0),
        },
        now,
    );
}

/// Clicks where `target` was drawn in the current frame (looked up from its cell).
fn click_on(app: &mut App, target: Target, now: f64) {
    let (_, hits) = draw(app);
    let r = hits
        .find(target)
        .unwrap_or_else(|| panic!("{target:?} not drawn"));
    let found = hits.lookup(r.x, r.y);
    assert_eq!(found, Some(target));
    mouse(app, found, MouseKind::Click, now);
}

fn row(pane: Pane, index: usize) -> Target {
    Target::Row { pane, index }
}

fn line(t: &Terminal<TestBackend>, y: u16) -> String {
    let b = t.backend().buffer();
    (0..b.area.width).map(|x| b[(x, y)].symbol()).collect()
}

#[test]
fn a_click_on_each_tab_focuses_its_pane() {
    let mut a = app();
    for pane in [
        Pane::Storyboard,
        Pane::Tasks,
        Pane::Drafts,
        Pane::Cameos,
        Pane::Prompt,
    ] {
        click_on(&mut a, Target::Tab(pane), NOW);
        assert_eq!(a.pane, pane);
    }
}

#[test]
fn the_hit_map_has_the_tabs_and_rows_where_the_screen_shows_them() {
    let mut a = app();
    a.pane = Pane::Drafts;
    let (t, hits) = draw(&a);
    let top = line(&t, 0);
    for pane in Pane::ALL {
        let r = hits.find(Target::Tab(pane)).expect("tab drawn");
        let text: String = top.chars().skip(r.x.into()).take(r.width.into()).collect();
        assert!(text.contains(pane.title()), "{pane:?} at {r:?}: {text:?}");
    }
    for i in [0usize, 5, 12] {
        let r = hits.find(row(Pane::Drafts, i)).expect("row drawn");
        assert!(
            line(&t, r.y).contains(&format!("draft number {i}")),
            "row {i} at {r:?}: {:?}",
            line(&t, r.y)
        );
    }
}

#[test]
fn a_click_selects_a_row_and_a_double_click_opens_it_but_two_slow_clicks_do_not() {
    let mut a = app();
    a.pane = Pane::Drafts;
    click_on(&mut a, row(Pane::Drafts, 4), NOW);
    assert_eq!(a.drafts.selected, 4);
    assert!(!a.drafts.details);
    // Slow: a second single click.
    click_on(&mut a, row(Pane::Drafts, 4), NOW + 1.0);
    assert!(!a.drafts.details);
    // Quick: a double click does what Enter does (the details view).
    click_on(&mut a, row(Pane::Drafts, 4), NOW + 1.2);
    assert!(a.drafts.details);

    let mut a = app();
    a.pane = Pane::Tasks;
    click_on(&mut a, row(Pane::Tasks, 7), NOW);
    assert_eq!(a.tasks.selected, 7);
}

#[test]
fn the_wheel_scrolls_the_drafts_and_tasks_lists() {
    for pane in [Pane::Drafts, Pane::Tasks] {
        let mut a = app();
        a.pane = pane;
        let (_, hits) = draw(&a);
        let r = hits.find(row(pane, 2)).expect("row");
        let target = hits.lookup(r.x, r.y);
        mouse(&mut a, target, MouseKind::WheelDown, NOW);
        mouse(&mut a, target, MouseKind::WheelDown, NOW);
        mouse(&mut a, target, MouseKind::WheelUp, NOW);
        let selected = match pane {
            Pane::Drafts => a.drafts.selected,
            _ => a.tasks.selected,
        };
        assert_eq!(selected, 3, "{pane:?}");
        // Outside the list the wheel does nothing.
        mouse(&mut a, None, MouseKind::WheelDown, NOW);
        let after = match pane {
            Pane::Drafts => a.drafts.selected,
            _ => a.tasks.selected,
        };
        assert_eq!(after, 3, "{pane:?}");
    }
}

#[test]
fn the_wheel_scrolls_the_help_overlay() {
    let mut a = app();
    a.modal = Some(Modal::Help(Default::default()));
    let (_, hits) = draw(&a);
    let target = hits.lookup(40, 12);
    assert!(target.is_some(), "help is in the hit map");
    mouse(&mut a, target, MouseKind::WheelDown, NOW);
    let Some(Modal::Help(h)) = &a.modal else {
        panic!("help closed")
    };
    assert_eq!(h.selected, 3);
    mouse(&mut a, target, MouseKind::WheelUp, NOW);
    let Some(Modal::Help(h)) = &a.modal else {
        panic!("help closed")
    };
    assert_eq!(h.selected, 0);
}

#[test]
fn the_wheel_scrolls_the_storyboard_prompt_preview() {
    let mut a = app();
    a.pane = Pane::Storyboard;
    let key = |a: &mut App, c: KeyCode| {
        update(a, Msg::Key(KeyEvent::new(c, KeyModifiers::NONE)), NOW);
    };
    for n in 0..12 {
        key(&mut a, KeyCode::Char('a'));
        for c in format!("scene {n} with a long description of what happens").chars() {
            key(&mut a, KeyCode::Char(c));
        }
        key(&mut a, KeyCode::Esc);
    }
    key(&mut a, KeyCode::Char('p'));
    assert!(a.storyboard.preview);
    let (_, hits) = draw(&a);
    let r = hits
        .find(Target::Scroll(sora_tui::app::mouse::ScrollArea::Preview))
        .expect("preview drawn");
    mouse(
        &mut a,
        hits.lookup(r.x + 2, r.y + 4),
        MouseKind::WheelDown,
        NOW,
    );
    assert_eq!(a.storyboard.preview_scroll, 3);
    mouse(
        &mut a,
        hits.lookup(r.x + 2, r.y + 4),
        MouseKind::WheelUp,
        NOW,
    );
    assert_eq!(a.storyboard.preview_scroll, 0);
}

#[test]
fn a_click_on_a_prompt_setting_cycles_it() {
    let mut a = app();
    a.prompt.typing = false;
    assert!(!a.prompt.image_mode);
    let kind = Target::Setting(sora_tui::app::keymap::Action::ToggleKind);
    click_on(&mut a, kind, NOW);
    assert!(a.prompt.image_mode);
    let before = a.prompt.variants;
    click_on(
        &mut a,
        Target::Setting(sora_tui::app::keymap::Action::CycleVariants),
        NOW + 5.0,
    );
    assert_ne!(a.prompt.variants, before);
    // The setting's row is where the screen shows "kind".
    let (t, hits) = draw(&a);
    let r: Rect = hits.find(kind).expect("drawn");
    assert!(line(&t, r.y).contains("kind"), "{:?}", line(&t, r.y));
}

#[test]
fn the_confirm_buttons_answer_the_dialog() {
    let ask = || {
        let mut a = app();
        a.modal = Some(Modal::Confirm {
            question: "Quit anyway?".into(),
            action: ConfirmAction::Quit,
        });
        a
    };
    let mut a = ask();
    let (t, hits) = draw(&a);
    let yes = hits.find(Target::Button(ConfirmChoice::Yes)).expect("yes");
    assert!(line(&t, yes.y).contains("Yes"), "{:?}", line(&t, yes.y));
    // A click elsewhere (on a tab under the dialog) does nothing.
    mouse(
        &mut a,
        Some(Target::Tab(Pane::Tasks)),
        MouseKind::Click,
        NOW,
    );
    assert!(a.modal.is_some() && a.pane == Pane::Prompt);
    click_on(&mut a, Target::Button(ConfirmChoice::No), NOW);
    assert!(a.modal.is_none() && !a.quit);

    let mut a = ask();
    click_on(&mut a, Target::Button(ConfirmChoice::Yes), NOW);
    assert!(a.quit);
}

#[test]
fn with_the_mouse_off_mouse_messages_are_ignored() {
    let mut a = app();
    a.mouse = false;
    mouse(
        &mut a,
        Some(Target::Tab(Pane::Drafts)),
        MouseKind::Click,
        NOW,
    );
    assert_eq!(a.pane, Pane::Prompt);
    a.pane = Pane::Drafts;
    mouse(&mut a, Some(row(Pane::Drafts, 5)), MouseKind::Click, NOW);
    mouse(
        &mut a,
        Some(row(Pane::Drafts, 5)),
        MouseKind::WheelDown,
        NOW,
    );
    assert_eq!(a.drafts.selected, 0);
}
