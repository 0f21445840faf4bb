//! The frame shared by the Tasks and Drafts lists: a bordered block with a header row, the
//! rows, and a footer line; the scrolling window; the centred message of an empty list.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Text};
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};

use super::theme::Theme;

/// The parts of a list's inner area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListAreas {
    /// Column titles.
    pub header: Rect,
    /// One row per item.
    pub rows: Rect,
    /// Position, "loading more…", the selected item's extra line.
    pub footer: Rect,
}

/// The bordered block around a list.
pub fn block<'a>(title: Line<'a>, theme: &Theme) -> Block<'a> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border)
        .title(title)
}

/// Splits a list block's inner area into header, rows and footer.
pub fn areas(inner: Rect) -> ListAreas {
    let [header, rows, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    ListAreas {
        header,
        rows,
        footer,
    }
}

/// The first visible row: `offset` moved as little as possible so `selected` is visible, and
/// pulled back when the end of the list would leave the window half empty.
pub fn window(selected: usize, offset: usize, len: usize, visible: usize) -> usize {
    if len == 0 || visible == 0 {
        return 0;
    }
    let selected = selected.min(len - 1);
    let mut offset = offset.min(len - 1);
    if selected < offset {
        offset = selected;
    } else if selected >= offset + visible {
        offset = selected + 1 - visible;
    }
    offset.min(len.saturating_sub(visible))
}

/// A calm message centred in an empty list's area.
pub fn message(frame: &mut Frame, area: Rect, lines: Vec<Line<'_>>) {
    let width = usize::from(area.width.max(1));
    let needed: usize = lines.iter().map(|l| l.width().div_ceil(width).max(1)).sum();
    let height = u16::try_from(needed).unwrap_or(u16::MAX).min(area.height);
    let top = area.y + area.height.saturating_sub(height) / 2;
    let rect = Rect {
        y: top,
        height,
        ..area
    };
    let text = Text::from(lines).centered();
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), rect);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_keeps_selection_visible() {
        assert_eq!(window(0, 0, 100, 10), 0);
        assert_eq!(window(15, 0, 100, 10), 6);
        assert_eq!(window(3, 6, 100, 10), 3);
        assert_eq!(window(8, 6, 100, 10), 6);
        assert_eq!(window(99, 95, 100, 10), 90);
        assert_eq!(window(5_000, 0, 10_000, 16), 4_985);
        assert_eq!(window(2, 50, 5, 10), 0);
        assert_eq!(window(0, 0, 0, 10), 0);
    }
}
