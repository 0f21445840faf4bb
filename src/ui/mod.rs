//! Rendering: `draw` paints the whole UI from the state, one module per part.
//!
//! Drawing reads [`App`] and nothing else: no I/O, no clock (time is `app.now`), no state
//! changes. Lists touch only their visible rows, whose strings were formatted when the data
//! arrived; server text is sanitised before it reaches the terminal.

mod batch;
mod cameos;
mod draft_cameo;
mod drafts;
mod enhance;
mod extend;
mod filter;
pub mod hit;
mod list;
mod log;
mod overlay;
pub mod pictures;
mod prompt;
mod status;
mod storyboard;
mod tabs;
mod tasks;
pub mod theme;
mod username;
mod widgets;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::widgets::Block;

use crate::app::{App, Modal, Pane};

pub use hit::HitMap;
pub use pictures::Pictures;
pub use status::hints;
pub use theme::Theme;

/// Draws the whole UI for `app` with the default theme.
pub fn draw(frame: &mut Frame, app: &App) {
    draw_with(frame, app, &Theme::default());
}

/// Draws like [`draw_with`] and fills `hits` with where the clickable things went (the TUI
/// loop keeps the last frame's map to look the mouse up in, `ui::hit`).
pub fn draw_recording(frame: &mut Frame, app: &App, theme: &Theme, hits: &mut HitMap) {
    draw_recording_pictures(frame, app, theme, hits, &mut Pictures::none());
}

/// Draws like [`draw_pictures`] and fills `hits` like [`draw_recording`]: what the TUI loop
/// draws every frame.
pub fn draw_recording_pictures(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    hits: &mut HitMap,
    pics: &mut Pictures,
) {
    *hits = hit::recording(|| draw_pictures(frame, app, theme, pics));
}

/// Draws the whole UI for `app` with `theme` (for user colour overrides).
pub fn draw_with(frame: &mut Frame, app: &App, theme: &Theme) {
    draw_pictures(frame, app, theme, &mut Pictures::none());
}

/// Draws the whole UI, pictures through `pics` (the TUI loop's protocol objects, kept
/// between frames; those not drawn in this frame are dropped).
pub fn draw_pictures(frame: &mut Frame, app: &App, theme: &Theme, pics: &mut Pictures) {
    pics.begin_frame();
    let screen = frame.area();
    let parts = areas(screen, !app.config_problems.is_empty());
    tabs::draw(frame, parts.tabs, app, theme);
    if let Some(area) = parts.warning {
        log::draw_warning_bar(frame, area, app, theme);
    }
    match app.pane {
        Pane::Prompt => prompt::draw(frame, parts.body, app, theme),
        Pane::Tasks => tasks::draw(frame, parts.body, app, theme),
        Pane::Drafts => drafts::draw(frame, parts.body, app, theme, pics),
        Pane::Storyboard => storyboard::draw(frame, parts.body, app, theme),
        Pane::Cameos => cameos::draw(frame, parts.body, app, theme, pics),
    }
    status::draw(frame, parts.status, app, theme);
    // Toasts float in the pane's content, in its bottom-right corner, clear of every border:
    // the pane's bottom border, the one-line message row the Prompt and Storyboard panes keep
    // under their blocks (whose bottom border is then a row higher), and one row more, so a
    // list's footer and every block's bottom line stay visible.
    let inner = parts.body.inner(Margin::new(2, 1));
    let toast_area = Rect {
        height: inner.height.saturating_sub(2),
        ..inner
    };
    overlay::draw_toasts(frame, toast_area, app, theme);
    match app.modal {
        Some(Modal::Log { scroll }) => log::draw(frame, screen, app, theme, scroll),
        _ => overlay::draw_modal(frame, screen, app, theme),
    }
    pics.end_frame();
}

/// How many list rows fit in the Tasks/Drafts list for a terminal of this height (the TUI
/// loop sends it to update() in `Msg::Resize`, to keep the selection visible and to page). It assumes the config warning bar is
/// shown, so the rows it promises are always on screen.
pub fn list_rows(height: u16) -> usize {
    let parts = areas(Rect::new(0, 0, 80, height), true);
    let inner = Block::bordered().inner(parts.body);
    usize::from(list::areas(inner).rows.height)
}

/// The screen's regions.
struct Areas {
    /// The tab bar (top line).
    tabs: Rect,
    /// The config warning bar, when there is a warning.
    warning: Option<Rect>,
    /// The focused pane.
    body: Rect,
    /// The status bar (bottom lines).
    status: Rect,
}

/// Splits the screen: tabs, optional warning, body, status bar.
fn areas(area: Rect, warning: bool) -> Areas {
    let [tabs, warn, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(warning)),
        Constraint::Fill(1),
        Constraint::Length(status::HEIGHT),
    ])
    .areas(area);
    Areas {
        tabs,
        warning: warning.then_some(warn),
        body,
        status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_rows_matches_layout() {
        // 24 rows: tabs 1, warning 1, status 2, borders 2, header 1, footer 1.
        assert_eq!(list_rows(24), 16);
        assert_eq!(list_rows(48), 40);
        assert_eq!(list_rows(3), 0);
    }
}
