//! The prompt enhancement overlay (`Modal::Enhance`, `app::enhance`): the original and the
//! suggestion side by side (stacked on a narrow terminal), "enhancing…" while waiting, and
//! what the keys do. Both texts are sanitised line by line before they are drawn.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::app::enhance::EnhanceOverlay;

use super::theme::Theme;
use super::widgets::sanitize;

/// Narrowest overlay that shows the two texts side by side.
const SIDE_BY_SIDE_MIN: u16 = 90;

/// Draws the overlay over most of `area`.
pub fn draw(frame: &mut Frame, area: Rect, overlay: &EnhanceOverlay, theme: &Theme) {
    // Below the tabs, above the status bar and its key line.
    let rect = Rect {
        x: area.x + area.width.min(2),
        y: area.y + area.height.min(2),
        width: area.width.saturating_sub(4),
        height: area.height.saturating_sub(5),
    };
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focus)
        .title(Span::styled(
            format!(
                " Enhance prompt · {} · {} s ",
                overlay.level.as_str(),
                overlay.duration_s
            ),
            theme.title,
        ));
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    let [texts, keys] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let [left, right] = if inner.width >= SIDE_BY_SIDE_MIN {
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(texts)
    } else {
        Layout::vertical([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(texts)
    };
    panel(
        frame,
        left,
        "Original",
        &overlay.original,
        theme.text,
        theme,
    );
    match &overlay.suggestion {
        Some(text) => panel(frame, right, "Suggestion", text, theme.value, theme),
        None => panel(frame, right, "Suggestion", "enhancing…", theme.dim, theme),
    }
    let narrow = inner.width < 72;
    let mut spans = Vec::new();
    if overlay.suggestion.is_some() {
        spans.extend([
            Span::styled("y", theme.key),
            Span::styled("/", theme.dim),
            Span::styled("Enter", theme.key),
            Span::styled(
                if narrow {
                    " use it  "
                } else {
                    " use the suggestion  "
                },
                theme.dim,
            ),
            Span::styled("n", theme.key),
            Span::styled("/", theme.dim),
            Span::styled("Esc", theme.key),
            Span::styled(
                if narrow {
                    " keep  "
                } else {
                    " keep the original  "
                },
                theme.dim,
            ),
        ]);
    } else {
        spans.extend([
            Span::styled("Esc", theme.key),
            Span::styled(" cancel  ", theme.dim),
        ]);
    }
    spans.extend([
        Span::styled("l", theme.key),
        Span::styled(
            if narrow {
                format!(" {}", overlay.level.next().as_str())
            } else {
                format!(" level ({} next)", overlay.level.next().as_str())
            },
            theme.dim,
        ),
    ]);
    frame.render_widget(Paragraph::new(Line::from(spans)), keys);
}

/// One text in a titled box, each line sanitised, wrapped.
fn panel(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    text: &str,
    style: ratatui::style::Style,
    theme: &Theme,
) {
    let block = Block::bordered()
        .border_type(BorderType::Plain)
        .border_style(theme.border)
        .title(Span::styled(format!(" {title} "), theme.header));
    let lines: Vec<Line> = text
        .split('\n')
        .take(500)
        .map(|l| Line::styled(sanitize(l, 5000), style))
        .collect();
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}
