//! The clip form of a cameo from a draft (`Modal::DraftCameo`, `app::draft_cameo`): which
//! draft, its length when known, the start and end seconds, and what the keys do.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::app::{ClipField, DraftCameoForm};

use super::theme::Theme;
use super::widgets::{centered, fit, line_edit_spans, sanitize};

/// Width of the labels.
const LABEL: usize = 8;

/// Draws the form centred in `area`.
pub fn draw(frame: &mut Frame, area: Rect, form: &DraftCameoForm, theme: &Theme) {
    let width = area.width.saturating_sub(4).min(64).max(area.width.min(30));
    let inner_width = usize::from(width.saturating_sub(4)).max(1);
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("  {:<LABEL$} ", "Draft"), theme.dim),
            Span::styled(
                fit(
                    &sanitize(&form.gen_id, 80),
                    inner_width.saturating_sub(LABEL + 3),
                )
                .into_owned(),
                theme.value,
            ),
        ]),
        Line::from(vec![
            Span::styled(format!("  {:<LABEL$} ", ""), theme.dim),
            Span::styled(
                fit(&form.title, inner_width.saturating_sub(LABEL + 3)).into_owned(),
                theme.text,
            ),
        ]),
        Line::from(vec![
            Span::styled(format!("  {:<LABEL$} ", "Length"), theme.dim),
            Span::styled(
                form.duration
                    .map_or("not known".to_string(), |d| format!("{d:.1} s")),
                theme.text,
            ),
        ]),
        Line::default(),
    ];
    for (label, field, value) in [
        ("Start s", ClipField::Start, &form.start),
        ("End s", ClipField::End, &form.end),
    ] {
        let editing = form.field == field;
        let mut spans = vec![
            Span::styled(if editing { "› " } else { "  " }, theme.key),
            Span::styled(format!("{label:<LABEL$} "), theme.dim),
        ];
        let room = inner_width.saturating_sub(LABEL + 3);
        if editing {
            spans.extend(line_edit_spans(value, room, theme));
        } else {
            spans.push(Span::styled(
                fit(&sanitize(value.text(), 100), room).into_owned(),
                theme.value,
            ));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::default());
    match &form.error {
        Some(e) => lines.push(Line::styled(format!("✗ {}", sanitize(e, 300)), theme.error)),
        None => lines.push(Line::styled(
            "The clip (at most 10 s) the cameo is made from.",
            theme.dim,
        )),
    }
    lines.push(Line::from(vec![
        Span::styled("Enter", theme.key),
        Span::styled(" start the cameo  ", theme.dim),
        Span::styled("Tab", theme.key),
        Span::styled(" next field  ", theme.dim),
        Span::styled("Esc", theme.key),
        Span::styled(" cancel", theme.dim),
    ]));
    // Borders and padding, and a line of slack for a wrapped error.
    let height = (lines.len() as u16 + 4).min(area.height);
    let rect = centered(area, width, height);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focus)
        .title(Span::styled(" Cameo from a draft ", theme.title))
        .padding(ratatui::widgets::Padding::new(1, 1, 1, 0));
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
