//! Render snapshots of the local queue in the Tasks pane: three queued items above the
//! running tasks (one being sent, one waiting, one failed), the queue paused for the quota,
//! by the user, and by a service-wide failure, at 80x24 and 160x48. The states come through
//! `update` (the worker's `QueueEvent::Changed`), as in the program.

mod common;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sora_tui::api::{ImageShape, VideoSettings};
use sora_tui::app::{App, Msg, Pane, update};
use sora_tui::track::{TaskKind, TaskPhase, TaskRecord};
use sora_tui::ui;
use sora_tui::worker::{
    Event, QueueEvent, QueuePause, QueueSnapshot, QueuedItem, QueuedState, Submission,
    SubmissionKind,
};

/// 2026-11-18 22:13:20 UTC.
const NOW: f64 = 1_795_040_000.0;
const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];
/// Server and user text with terminal controls: none may reach a cell.
const EVIL: &str = "\x1b[31mred\x1b[0m \u{202E}text\x07";

fn snap(name: &str, app: &App) {
    for (w, h) in SIZES {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        t.draw(|f| ui::draw(f, app)).expect("draw");
        let buf = t.backend().buffer();
        for cell in buf.content() {
            assert!(
                !cell
                    .symbol()
                    .chars()
                    .any(|c| c.is_control() || common::bin::bidi_or_zero_width(c)),
                "{name}: a control character reached a cell: {:?}",
                cell.symbol()
            );
        }
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), t.backend());
    }
}

fn running(id: &str, prompt: &str, age: f64, progress: f64) -> TaskRecord {
    TaskRecord {
        task_id: id.into(),
        kind: TaskKind::Video,
        prompt: prompt.into(),
        settings: "landscape · 10 s · Sora 2 · standard".into(),
        submitted_at: NOW - age,
        finished_at: None,
        phase: TaskPhase::Working {
            status: "running".into(),
            progress,
        },
    }
}

fn queued(queue_id: u64, prompt: &str, kind: SubmissionKind, state: QueuedState) -> QueuedItem {
    QueuedItem {
        queue_id,
        submission: Submission {
            local_id: 0,
            prompt: prompt.into(),
            kind,
            image: None,
        },
        added_unix: NOW - 95.0 - queue_id as f64,
        origin: None,
        state,
        note: None,
    }
}

fn video() -> SubmissionKind {
    SubmissionKind::Video {
        settings: VideoSettings::default(),
        remix: None,
    }
}

/// The Tasks pane with three running videos and a queue of three: one being sent, one
/// waiting (from a batch file), one failed for its own reason.
fn with_queue(pause: Option<QueuePause>) -> App {
    let mut app = common::screens::signed_in(NOW);
    app.pane = Pane::Tasks;
    app.tasks.tasks = vec![
        running("task_03", "a heron lifts off a misty lake", 120.0, 0.2),
        running("task_02", "an owl blinks in the rain", 240.0, 0.55),
        running("task_01", "a fox runs through fresh snow", 300.0, 0.8),
    ];
    let mut batch = queued(
        2,
        &format!("a hare in ukiyo-e style {EVIL}"),
        SubmissionKind::Image {
            shape: ImageShape::Square,
            variants: 2,
        },
        QueuedState::Waiting,
    );
    batch.origin = Some("grid.batch.toml".into());
    let items = vec![
        queued(
            1,
            "a lynx on a cliff at dawn",
            video(),
            QueuedState::Submitting { since_unix: NOW },
        ),
        batch,
        queued(
            3,
            "a wolf pack at night",
            video(),
            QueuedState::Failed {
                reason: format!("This content may violate our policies {EVIL}"),
            },
        ),
    ];
    update(
        &mut app,
        Msg::Worker(Event::Queue(QueueEvent::Changed(QueueSnapshot {
            items,
            pause,
        }))),
        NOW,
    );
    // The waiting item is selected: its footer says its place.
    app.tasks.selected = 1;
    app
}

#[test]
fn tasks_with_a_queue_above_the_running_ones() {
    snap("queue_three_and_a_failed", &with_queue(None));
}

#[test]
fn tasks_with_the_queue_paused_for_the_quota() {
    let pause = QueuePause::Quota {
        resets_unix: NOW + 3.0 * 3600.0 + 12.0 * 60.0,
    };
    let mut app = with_queue(Some(pause));
    // The failed item selected: its whole reason in the footer.
    app.tasks.selected = 2;
    snap("queue_paused_quota", &app);
}

#[test]
fn tasks_with_the_queue_paused_by_the_user() {
    snap("queue_paused_by_user", &with_queue(Some(QueuePause::User)));
}

#[test]
fn tasks_with_the_queue_paused_by_the_service() {
    let pause = QueuePause::Service {
        message: format!("sign in again: the token was refused {EVIL}"),
    };
    snap("queue_paused_service", &with_queue(Some(pause)));
}
