//! `update` tests of the `/` filter outside the Drafts list (Tasks, Cameos, the storyboard
//! file picker; `app::pane_filter`) and of the Drafts filter's "not listed" history rows.

use std::path::PathBuf;

use crossterm::event::KeyCode;

use super::cameos::{CameoRecord, CameoRow, CameoStage};
use super::storyboard::Overlay;
use super::test_support::*;
use super::{App, AppInfo, Cmd, Keymap, Msg, Pane, update};
use crate::track::{TaskKind, TaskPhase, TaskRecord};
use crate::worker::{
    Event, FileSummary, Request, StoryboardEvent, StoryboardFile, StoryboardRequest,
};

fn app(pane: Pane) -> App {
    let mut a = App::new(AppInfo::default(), Keymap::default(), NOW);
    a.pane = pane;
    a.prompt.typing = false;
    a
}

fn task(id: &str, prompt: &str, phase: TaskPhase) -> TaskRecord {
    TaskRecord {
        task_id: id.into(),
        kind: TaskKind::Video,
        prompt: prompt.into(),
        settings: String::new(),
        submitted_at: NOW - 10.0,
        finished_at: Some(NOW - 1.0),
        phase,
    }
}

fn done(gen_id: &str) -> TaskPhase {
    TaskPhase::Done {
        generation_ids: vec![gen_id.into()],
        urls: Vec::new(),
    }
}

fn screen(a: &App) -> String {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 40)).unwrap();
    t.draw(|f| crate::ui::draw(f, a)).unwrap();
    let buf = t.backend().buffer().clone();
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
fn tasks_filter_narrows_keeps_on_enter_and_clears_on_esc() {
    let mut a = app(Pane::Tasks);
    a.tasks.tasks = vec![
        task("task_1", "a barn owl", done("gen_a")),
        task("task_2", "red fox in the dawn light", done("gen_b")),
        task("task_3", "owl at dusk", done("gen_c")),
    ];
    ch(&mut a, '/');
    // `d` would ask to dismiss the task, `j` move: typed into the filter they do neither.
    typed(&mut a, "dawn");
    assert!(a.modal.is_none(), "a typed `d` acted on the pane");
    assert_eq!(a.tasks.filter.query(), "dawn");
    assert_eq!(a.tasks.filter.len(a.tasks.len()), 1);
    assert_eq!(a.tasks.selected, 1);
    // The status bar shows the filter's keys while it is typed.
    let hints = crate::ui::hints(&a);
    assert_eq!(hints[0], ("Enter".to_string(), "keep filter"));
    // Generation ids and state words are found too.
    for _ in 0.."dawn".len() {
        key(&mut a, KeyCode::Backspace);
    }
    typed(&mut a, "gen_c");
    assert_eq!(a.tasks.filter.len(a.tasks.len()), 1);
    assert_eq!(a.tasks.selected, 2);
    for _ in 0.."gen_c".len() {
        key(&mut a, KeyCode::Backspace);
    }
    typed(&mut a, "owl");
    assert_eq!(a.tasks.filter.len(a.tasks.len()), 2);
    let typing = screen(&a);
    assert!(typing.contains("/owl"));
    insta::assert_snapshot!("tasks_filter_typing", typing);
    key(&mut a, KeyCode::Enter);
    assert!(!a.tasks.filter.is_editing());
    assert_eq!(
        a.tasks.filter.len(a.tasks.len()),
        2,
        "Enter keeps the filter"
    );
    // Kept: the pane's keys work again, moving through the matches only.
    assert_eq!(a.tasks.selected, 2);
    ch(&mut a, 'k');
    assert_eq!(a.tasks.selected, 0);
    ch(&mut a, 'j');
    assert_eq!(a.tasks.selected, 2);
    key(&mut a, KeyCode::Esc);
    assert!(!a.tasks.filter.is_active());
    assert_eq!(a.tasks.filter.len(a.tasks.len()), 3);
    assert_eq!(a.tasks.selected, 2);
}

fn cameo(key: &str, username: Option<&str>) -> CameoRow {
    let finalized = username.is_some();
    let record = CameoRecord {
        key: key.into(),
        created_at: NOW - 60.0,
        video: PathBuf::from("/home/u/me.mp4"),
        video_bytes: Some(32_261),
        clip: (0.0, 3.0),
        stage: if finalized {
            CameoStage::Finalized
        } else {
            CameoStage::Ready
        },
        cameo_id: Some(format!("cameo_{key}")),
        hints: None,
        profile_pointer: None,
        username: username.map(str::to_owned),
        display_name: username.map(|u| format!("Name of {u}")),
        want_public: false,
        character_id: finalized.then(|| format!("ch_{key}")),
        public: false,
        note: None,
        draft: None,
    };
    CameoRow::new(record, &crate::text::Zone::default())
}

#[test]
fn cameos_filter_narrows_keeps_on_enter_and_clears_on_esc() {
    let mut a = app(Pane::Cameos);
    a.cameos.rows = vec![
        cameo("k1", Some("demo.bird")),
        cameo("k2", Some("other")),
        cameo("k3", None),
    ];
    a.cameos.restored = true;
    ch(&mut a, '/');
    // `d` deletes, `b` inserts into the storyboard: typed, they are the query.
    typed(&mut a, "demo.b");
    assert!(a.modal.is_none(), "a typed `d` acted on the pane");
    assert_eq!(a.cameos.filter.len(a.cameos.rows.len()), 1);
    let typing = screen(&a);
    assert!(typing.contains("/demo.b"));
    insta::assert_snapshot!("cameos_filter_typing", typing);
    key(&mut a, KeyCode::Enter);
    assert!(!a.cameos.filter.is_editing());
    assert_eq!(
        a.cameos.filter.len(a.cameos.rows.len()),
        1,
        "Enter keeps it"
    );
    assert_eq!(a.cameos.selected, 0);
    key(&mut a, KeyCode::Esc);
    assert!(!a.cameos.filter.is_active());
    assert_eq!(a.cameos.filter.len(a.cameos.rows.len()), 3);
    // Ids are found too: the third cameo by its local key.
    ch(&mut a, '/');
    typed(&mut a, "cameo_k3");
    assert_eq!(a.cameos.filter.len(a.cameos.rows.len()), 1);
    assert_eq!(a.cameos.selected, 2);
}

fn listing() -> StoryboardEvent {
    let file = |name: &str| StoryboardFile {
        path: PathBuf::from(format!("/d/storyboards/{name}.storyboard.toml")),
        name: name.into(),
        modified: Some(NOW),
        summary: Ok(FileSummary {
            shots: 2,
            total: 10.0,
            length: 10,
        }),
    };
    StoryboardEvent::Listed {
        folder: PathBuf::from("/d/storyboards"),
        files: vec![file("cat"), file("dog"), file("red dragon")],
    }
}

fn opened(cmds: &[Cmd]) -> Vec<PathBuf> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Worker(Request::Storyboard(StoryboardRequest::Open(p))) => Some(p.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn file_picker_filter_narrows_keeps_on_enter_and_clears_on_esc() {
    let mut a = app(Pane::Storyboard);
    ch(&mut a, 'O');
    update(&mut a, Msg::Worker(Event::Storyboard(listing())), NOW);
    ch(&mut a, '/');
    // `d` deletes the selected file, `r` renames it: typed, they are the query.
    typed(&mut a, "dr");
    assert!(a.modal.is_none(), "a typed `d` asked to delete");
    assert!(matches!(
        a.storyboard.overlay,
        Some(Overlay::Files { selected: 2, .. })
    ));
    assert_eq!(a.storyboard.file_filter.len(3), 1);
    let typing = screen(&a);
    assert!(typing.contains("/dr"));
    insta::assert_snapshot!("file_picker_filter_typing", typing);
    assert_eq!(crate::ui::hints(&a)[1], ("Esc".to_string(), "clear filter"));
    // Enter keeps the filter (it opens nothing); the next Enter opens the match.
    assert!(opened(&key(&mut a, KeyCode::Enter)).is_empty());
    assert_eq!(a.storyboard.file_filter.len(3), 1);
    let cmds = key(&mut a, KeyCode::Enter);
    assert_eq!(
        opened(&cmds),
        [PathBuf::from("/d/storyboards/red dragon.storyboard.toml")]
    );
    // Again: Esc clears the kept filter and leaves the picker open.
    ch(&mut a, 'O');
    update(&mut a, Msg::Worker(Event::Storyboard(listing())), NOW);
    assert!(
        !a.storyboard.file_filter.is_active(),
        "the picker opens unfiltered"
    );
    ch(&mut a, '/');
    typed(&mut a, "do");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.storyboard.file_filter.len(3), 1);
    key(&mut a, KeyCode::Esc);
    assert!(!a.storyboard.file_filter.is_active());
    assert!(matches!(a.storyboard.overlay, Some(Overlay::Files { .. })));
    assert_eq!(a.storyboard.file_filter.len(3), 3);
}

#[test]
fn drafts_filter_adds_history_entries_not_listed_as_marked_rows() {
    let mut a = app(Pane::Drafts);
    a.drafts.rows = vec![super::drafts_row(crate::api::Draft {
        id: Some("gen_listed".into()),
        prompt: Some("an owl on a fence".into()),
        ..crate::api::Draft::default()
    })];
    a.drafts.loading = super::Loading::Loaded;
    a.history.entries = vec![crate::history::HistoryEntry {
        key: "task_gone".into(),
        task_id: Some("task_gone".into()),
        generation_ids: vec!["gen_gone".into()],
        prompt: Some("a snowy owl over the tundra".into()),
        duration_s: Some(10.0),
        ..Default::default()
    }];
    ch(&mut a, '/');
    typed(&mut a, "owl");
    let d = &a.drafts;
    assert_eq!(
        d.filter.len(d.rows.len()),
        2,
        "the listed draft and the history entry"
    );
    assert_eq!(d.unlisted.len(), 1);
    assert_eq!(
        d.filter.row_at(1),
        Some(1),
        "the history row follows the loaded rows"
    );
    let shown = screen(&a);
    assert!(shown.contains("not listed"), "{shown}");
    assert!(shown.contains("a snowy owl over the tundra"), "{shown}");
    // Selected, its details are the history's; an action says it is not listed.
    key(&mut a, KeyCode::Enter);
    ch(&mut a, 'j');
    assert_eq!(a.drafts.selected, 1);
    a.drafts.details = true;
    let shown = screen(&a);
    assert!(shown.contains("from the history"), "{shown}");
    assert!(shown.contains("gen_gone"), "{shown}");
    let cmds = ch(&mut a, 'w');
    assert!(
        !cmds.iter().any(|c| matches!(c, Cmd::Worker(_))),
        "{cmds:?}"
    );
    assert!(a.toasts.iter().any(|t| t.text.contains("not listed")));
    // A query the entry does not match drops it.
    a.drafts.details = false;
    key(&mut a, KeyCode::Esc);
    assert!(
        a.drafts.unlisted.is_empty(),
        "Esc clears the history rows with the filter"
    );
    assert_eq!(a.drafts.selected, 0);
    ch(&mut a, '/');
    typed(&mut a, "fence");
    assert!(a.drafts.unlisted.is_empty());
    assert_eq!(a.drafts.filter.len(a.drafts.rows.len()), 1);
}
