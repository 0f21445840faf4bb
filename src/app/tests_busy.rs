//! `update` and the Drafts pane's in-flight marks: each draft operation is marked by its kind
//! and its draft, and its answer clears that one mark only.

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::*;
use crate::api::{ApiError, Draft, DraftsPage};
use crate::app::test_support::*;
use crate::worker::{DraftOp, DraftsEvent, DraftsRequest, Event, Request};

fn app() -> App {
    let info = AppInfo {
        download_dir: "/tmp/dl".into(),
        ..AppInfo::default()
    };
    let mut a = App::new(info, Keymap::default(), NOW);
    ch(&mut a, '4');
    a
}

fn event(app: &mut App, e: Event) -> Vec<Cmd> {
    update(app, Msg::Worker(e), NOW)
}

fn draft(id: &str) -> Draft {
    Draft {
        id: Some(id.into()),
        kind: Some("sora_draft".into()),
        downloadable_url: Some(format!("http://127.0.0.1:1/media/{id}/source.mp4?sig=x")),
        prompt: Some(format!("prompt of {id}")),
        ..Draft::default()
    }
}

/// The Drafts pane with unpublished drafts `ids`, the first one selected.
fn with_drafts(ids: &[&str]) -> App {
    let mut a = app();
    event(
        &mut a,
        Event::Drafts(DraftsEvent::DraftsLoaded {
            page: DraftsPage {
                items: ids.iter().map(|id| draft(id)).collect(),
                cursor: None,
            },
            first: true,
        }),
    );
    assert_eq!(a.drafts.rows.len(), ids.len());
    a
}

fn requests(cmds: &[Cmd]) -> Vec<&Request> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Worker(r) => Some(r),
            _ => None,
        })
        .collect()
}

/// Presses `p` on the selected draft and checks it asked the worker to publish `gen_id`.
fn publish_selected(a: &mut App, gen_id: &str) {
    let cmds = ch(a, 'p');
    assert_eq!(
        requests(&cmds),
        vec![&Request::Drafts(DraftsRequest::Publish {
            gen_id: gen_id.into()
        })]
    );
}

fn refused(gen_id: &str) -> Event {
    Event::Drafts(DraftsEvent::ActionFailed {
        op: DraftOp::Publish,
        gen_id: gen_id.into(),
        error: ApiError::Rejected {
            status: 404,
            code: None,
            param: None,
            message: "draft not found".into(),
        },
    })
}

/// The whole screen, as text, at 120x30.
fn screen(a: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(120, 30)).expect("a test terminal");
    terminal
        .draw(|f| crate::ui::draw(f, a))
        .expect("drawing on a test terminal");
    let buffer = terminal.backend().buffer();
    let mut text = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            text.push_str(buffer[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}

#[test]
fn the_operation_names_its_label_and_its_failure() {
    assert_eq!(DraftOp::Publish.label(), "publishing");
    assert_eq!(DraftOp::Unpublish.label(), "unpublishing");
    assert_eq!(
        DraftOp::Unpublish.failure("gen_a", &"gone"),
        "could not unpublish gen_a: gone"
    );
}

#[test]
fn one_failed_publish_leaves_the_other_drafts_publishing() {
    let mut a = with_drafts(&["gen_a", "gen_b"]);
    assert!(!screen(&a).contains("publishing"), "{}", screen(&a));
    publish_selected(&mut a, "gen_a");
    ch(&mut a, 'j');
    publish_selected(&mut a, "gen_b");
    assert_eq!(a.drafts.busy.len(), 2);

    event(&mut a, refused("gen_a"));
    assert_eq!(
        a.drafts.busy.get("gen_a"),
        None,
        "the failed one is settled"
    );
    assert_eq!(a.drafts.busy.get("gen_b"), Some(&DraftOp::Publish));
    // gen_b is selected: the status line still says what it is doing.
    assert!(screen(&a).contains("publishing"), "{}", screen(&a));
    assert!(a.work_in_flight(), "gen_b's publish is still running");

    // The failure names the operation and the draft.
    let toast = a.toasts.back().expect("a toast");
    assert!(toast.error);
    assert!(
        toast.text.starts_with("could not publish gen_a: "),
        "{}",
        toast.text
    );
    assert!(toast.text.contains("draft not found"), "{}", toast.text);
    assert!(!toast.text.contains("gen_b"), "{}", toast.text);
}

#[test]
fn a_failure_for_another_operation_leaves_the_mark_alone() {
    let mut a = with_drafts(&["gen_a"]);
    publish_selected(&mut a, "gen_a");
    // A late unpublish failure of the same draft is not the publish's answer.
    event(
        &mut a,
        Event::Drafts(DraftsEvent::ActionFailed {
            op: DraftOp::Unpublish,
            gen_id: "gen_a".into(),
            error: ApiError::Overloaded,
        }),
    );
    assert_eq!(a.drafts.busy.get("gen_a"), Some(&DraftOp::Publish));
    let toast = a.toasts.back().expect("a toast");
    assert!(
        toast.text.starts_with("could not unpublish gen_a: "),
        "{}",
        toast.text
    );
}

#[test]
fn a_download_and_a_publish_of_one_draft_are_tracked_apart() {
    let mut a = with_drafts(&["gen_a"]);
    let cmds = ch(&mut a, 'w');
    assert!(matches!(
        requests(&cmds)[..],
        [Request::Drafts(DraftsRequest::SaveDraft { .. })]
    ));
    // The pane lets a publish start while the download runs.
    publish_selected(&mut a, "gen_a");
    assert!(matches!(
        a.drafts.downloads.get("gen_a"),
        Some(DownloadState::Running { .. })
    ));
    assert_eq!(a.drafts.busy.get("gen_a"), Some(&DraftOp::Publish));

    // The publish fails: the download goes on.
    event(&mut a, refused("gen_a"));
    assert_eq!(a.drafts.busy.get("gen_a"), None);
    assert!(matches!(
        a.drafts.downloads.get("gen_a"),
        Some(DownloadState::Running { .. })
    ));

    // Another publish, then the download fails: the publish is still shown.
    publish_selected(&mut a, "gen_a");
    event(
        &mut a,
        Event::Drafts(DraftsEvent::DownloadFailed {
            gen_id: "gen_a".into(),
            error: ApiError::Overloaded,
        }),
    );
    assert!(matches!(
        a.drafts.downloads.get("gen_a"),
        Some(DownloadState::Failed(_))
    ));
    assert_eq!(a.drafts.busy.get("gen_a"), Some(&DraftOp::Publish));
    assert!(screen(&a).contains("publishing"), "{}", screen(&a));
}
