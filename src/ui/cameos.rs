//! The Cameos pane (issue 5 fills this in; until then the placeholder).

use ratatui::Frame;
use ratatui::layout::Rect;

use super::theme::Theme;
use crate::app::{App, Pane};

/// Draws the pane into `area`.
pub fn draw(frame: &mut Frame, area: Rect, _app: &App, theme: &Theme) {
    super::placeholder::draw(frame, area, Pane::Cameos, theme);
}

/// The pane's key hints for the status bar, from the live keymap.
pub fn hints(_app: &App) -> Vec<(String, &'static str)> {
    Vec::new()
}
