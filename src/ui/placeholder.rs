//! The panes later versions fill (Storyboard, Cameos): a calm note saying what is coming and
//! what to use meanwhile.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType};

use crate::app::Pane;

use super::list;
use super::theme::Theme;

/// Draws the placeholder of `pane` into the body area.
pub fn draw(frame: &mut Frame, area: Rect, pane: Pane, theme: &Theme) {
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border)
        .title(Line::styled(format!(" {} ", pane.title()), theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines = match pane {
        Pane::Storyboard => vec![
            Line::styled(
                "Storyboard authoring arrives in a later version;",
                theme.text,
            ),
            Line::styled("use `sora-tui storyboard FILE` meanwhile.", theme.dim),
        ],
        Pane::Cameos => vec![
            Line::styled(
                "Cameo creation and management arrive in a later version;",
                theme.text,
            ),
            Line::styled("use the Sora web app for cameos meanwhile.", theme.dim),
        ],
        _ => Vec::new(),
    };
    list::message(frame, inner, lines);
}
