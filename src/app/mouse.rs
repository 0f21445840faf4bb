//! Mouse input, decided here like keys are: a click on a tab, a row, a Prompt setting or a
//! dialog's button, and the wheel over a list, the help overlay or the storyboard's prompt
//! preview.
//!
//! `update` never knows where things are on screen: the TUI loop looks the pointer up in the
//! hit map the last frame recorded (`ui::hit`) and sends what it landed on as a [`Target`]
//! inside `Msg::Mouse`. What a target does is what its keys do (the same actions, the same
//! handlers), so the mouse adds no second way to change anything. A double click (two clicks
//! on the same target within [`DOUBLE_CLICK_SECS`], timed by `now`) on a row does what
//! `Enter` does on it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::cameos::CameoAction;
use super::keymap::Action;
use super::storyboard::StoryboardAction;
use super::{App, Cmd, Modal, Pane};

/// Two clicks on the same target at most this far apart (seconds) are a double click.
pub const DOUBLE_CLICK_SECS: f64 = 0.4;
/// How many rows (or lines) one wheel notch moves.
pub const WHEEL_STEP: usize = 3;

/// Something drawn that the mouse can act on, as the hit map of the last frame names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A pane's tab in the tab bar: a click focuses the pane.
    Tab(Pane),
    /// A row of a pane's list, by its index in the whole list: a click selects it, a double
    /// click does what `Enter` does on it.
    Row {
        /// The pane whose list it is.
        pane: Pane,
        /// Its index in the list (not on screen).
        index: usize,
    },
    /// A setting of the Prompt pane, by the action its key runs: a click runs it.
    Setting(Action),
    /// A button of a confirm dialog.
    Button(ConfirmChoice),
    /// Something the wheel scrolls (a list's empty rows too).
    Scroll(ScrollArea),
}

/// The two answers of a confirm dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmChoice {
    /// Do it (what `y` does).
    Yes,
    /// Do not (what any other key does).
    No,
}

/// What the wheel scrolls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScrollArea {
    /// A pane's list (Tasks, Drafts, the storyboard's shots, Cameos).
    List(Pane),
    /// The help overlay.
    Help,
    /// The storyboard's exact prompt preview.
    Preview,
    /// The batch file's confirm overlay.
    Batch,
}

/// What the mouse did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MouseKind {
    /// The left button went down.
    Click,
    /// The wheel turned away from the user (scroll up).
    WheelUp,
    /// The wheel turned towards the user (scroll down).
    WheelDown,
}

/// The last click, kept to tell a double click from two clicks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LastClick {
    /// What it landed on.
    pub target: Target,
    /// When (unix seconds, the message's `now`).
    pub at: f64,
}

/// A mouse message: ignored when the config turned the mouse off.
pub(super) fn on_mouse(
    app: &mut App,
    target: Option<Target>,
    kind: MouseKind,
    now: f64,
) -> Vec<Cmd> {
    if !app.mouse {
        return Vec::new();
    }
    match kind {
        MouseKind::Click => click(app, target, now),
        MouseKind::WheelDown => wheel(app, target, true),
        MouseKind::WheelUp => wheel(app, target, false),
    }
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn click(app: &mut App, target: Option<Target>, now: f64) -> Vec<Cmd> {
    let Some(target) = target else {
        app.last_click = None;
        return Vec::new();
    };
    let double = app
        .last_click
        .is_some_and(|c| c.target == target && now >= c.at && now - c.at <= DOUBLE_CLICK_SECS);
    // A third click starts over rather than making a second double click.
    app.last_click = (!double).then_some(LastClick { target, at: now });
    if let Some(modal) = &app.modal {
        // A dialog takes every click: only its buttons do something.
        let answers = matches!(modal, Modal::Confirm { .. } | Modal::Batch(_));
        return match target {
            Target::Button(ConfirmChoice::Yes) if answers => {
                super::update::on_key(app, key(KeyCode::Char('y')))
            }
            Target::Button(ConfirmChoice::No) if answers => {
                super::update::on_key(app, key(KeyCode::Esc))
            }
            _ => Vec::new(),
        };
    }
    match target {
        Target::Tab(pane) => super::update::on_action(app, go(pane)),
        Target::Row { pane, index } if pane == app.pane && !busy(app) => {
            select(app, pane, index);
            let mut cmds = Vec::new();
            if pane == Pane::Drafts {
                super::drafts::keep_visible(app);
                cmds.extend(super::drafts::maybe_load_more(app));
            }
            if double {
                cmds.extend(super::update::on_key(app, key(KeyCode::Enter)));
            }
            cmds
        }
        Target::Setting(action) if app.pane == Pane::Prompt && !busy(app) => {
            super::update::on_action(app, action)
        }
        _ => Vec::new(),
    }
}

/// The wheel: the dialog on top scrolls wherever the pointer is; else the list or preview
/// under the pointer, in the focused pane.
fn wheel(app: &mut App, target: Option<Target>, down: bool) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    if let Some(modal) = &app.modal {
        // A confirm does not scroll: an arrow key would answer it.
        if !matches!(modal, Modal::Confirm { .. } | Modal::DraftCameo(_)) {
            let code = if down { KeyCode::Down } else { KeyCode::Up };
            for _ in 0..WHEEL_STEP {
                cmds.extend(super::update::on_key(app, key(code)));
            }
        }
        return cmds;
    }
    let pane = match target {
        Some(Target::Row { pane, .. } | Target::Scroll(ScrollArea::List(pane))) => pane,
        Some(Target::Scroll(ScrollArea::Preview)) => Pane::Storyboard,
        _ => return cmds,
    };
    if pane != app.pane || busy(app) {
        return cmds;
    }
    let action = match pane {
        Pane::Tasks | Pane::Drafts if down => Action::Down,
        Pane::Tasks | Pane::Drafts => Action::Up,
        Pane::Storyboard if down => Action::Storyboard(StoryboardAction::Down),
        Pane::Storyboard => Action::Storyboard(StoryboardAction::Up),
        Pane::Cameos if down => Action::Cameo(CameoAction::Down),
        Pane::Cameos => Action::Cameo(CameoAction::Up),
        Pane::Prompt => return cmds,
    };
    for _ in 0..WHEEL_STEP {
        cmds.extend(super::update::on_action(app, action));
    }
    cmds
}

/// The action of a pane's number key.
fn go(pane: Pane) -> Action {
    match pane {
        Pane::Prompt => Action::GoPrompt,
        Pane::Storyboard => Action::GoStoryboard,
        Pane::Tasks => Action::GoTasks,
        Pane::Drafts => Action::GoDrafts,
        Pane::Cameos => Action::GoCameos,
    }
}

/// Whether the focused pane is in the middle of something its keys own (a one-line field, a
/// scene being typed, a picker, a form): then rows and settings do not take clicks.
fn busy(app: &App) -> bool {
    match app.pane {
        Pane::Prompt => app.prompt.field.is_some(),
        Pane::Storyboard => app.storyboard.typing.is_some() || app.storyboard.overlay.is_some(),
        Pane::Cameos => app.cameos.form.is_some(),
        Pane::Tasks | Pane::Drafts => false,
    }
}

/// Selects row `index` of `pane`'s list (clamped to the list).
fn select(app: &mut App, pane: Pane, index: usize) {
    let clamp = |len: usize| index.min(len.saturating_sub(1));
    match pane {
        Pane::Tasks => app.tasks.selected = clamp(app.tasks.len()),
        Pane::Drafts => app.drafts.selected = clamp(app.drafts.rows.len()),
        Pane::Storyboard => app.storyboard.selected = clamp(app.storyboard.board.shots.len()),
        Pane::Cameos => app.cameos.selected = clamp(app.cameos.rows.len()),
        Pane::Prompt => {}
    }
}
