//! The Drafts pane as a gallery: a grid of thumbnails, each with its title under it, the
//! selected cell highlighted. Only the visible cells are touched, so ten thousand drafts
//! cost what a screenful does. A filter (`/`) narrows the grid as it narrows the list: the
//! cells are the filter's positions, and a history entry the list does not hold is a dim
//! cell marked "not listed".

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use crate::app::App;
use crate::app::thumbs::{gallery_top, grid, row_key};

use super::super::list;
use super::super::pictures::Pictures;
use super::super::theme::Theme;
use super::super::widgets::sanitize;

/// Draws the gallery into `area` (the list's place), with the list's footer.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, pics: &mut Pictures) {
    let d = &app.drafts;
    let f = &d.filter;
    let len = f.len(d.rows.len());
    let more = if d.next_cursor.is_some() { "+" } else { "" };
    let title = Line::from(vec![
        Span::styled(" Drafts ", theme.title),
        Span::styled(format!("· {}{more} · gallery ", d.rows.len()), theme.dim),
    ]);
    let block = list::block(title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 2 {
        return;
    }
    let (cells, footer) = last_line(inner);
    if len == 0 {
        if f.is_active() {
            super::super::filter::draw_no_match(frame, cells, footer, f, d.rows.len(), theme);
        }
        return;
    }
    let (cols, rows) = grid(cells.width, cells.height);
    let selected = f.position(d.selected).unwrap_or(0).min(len - 1);
    let top = gallery_top(selected, d.gallery_top, cols, rows, len);
    let cell_w = cells.width / cols as u16;
    let cell_h = cells.height / rows as u16;
    for r in 0..rows {
        for c in 0..cols {
            let i = (top + r) * cols + c;
            if i >= len {
                break;
            }
            let Some(row) = f.row_at(i) else {
                break;
            };
            let cell = Rect::new(
                cells.x + c as u16 * cell_w,
                cells.y + r as u16 * cell_h,
                cell_w,
                cell_h,
            );
            draw_cell(frame, cell, app, row, i == selected, theme, pics);
        }
    }
    let line = if f.is_active() {
        let mut line = super::super::filter::filter_line(f, len, d.rows.len(), theme);
        line.spans.push(Span::styled(
            format!(" · {}/{len}", selected + 1),
            theme.dim,
        ));
        line
    } else {
        Line::styled(format!("{}/{len}", selected + 1), theme.dim)
    };
    frame.render_widget(Paragraph::new(line), footer);
}

/// One cell: a border (highlighted when selected), the picture, the title under it.
fn draw_cell(
    frame: &mut Frame,
    cell: Rect,
    app: &App,
    index: usize,
    selected: bool,
    theme: &Theme,
    pics: &mut Pictures,
) {
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(if selected {
            theme.border_focus
        } else {
            theme.border
        });
    let inner = block.inner(cell);
    frame.render_widget(block, cell);
    if inner.height < 2 {
        return;
    }
    let (picture, caption) = last_line(inner);
    let style = if selected { theme.selected } else { theme.text };
    let Some(row) = app.drafts.rows.get(index) else {
        // A history entry the loaded list does not hold: no picture to fetch.
        let prompt = index
            .checked_sub(app.drafts.rows.len())
            .and_then(|u| app.drafts.unlisted.get(u))
            .and_then(|e| crate::app::history::row_texts(e).into_iter().next())
            .unwrap_or_default();
        let width = usize::from(picture.width);
        frame.render_widget(
            Paragraph::new(vec![
                Line::styled(sanitize(super::NOT_LISTED, width), theme.dim),
                Line::styled(sanitize(&prompt, width), theme.dim),
            ]),
            picture,
        );
        frame.render_widget(
            Paragraph::new(Line::styled(
                sanitize(&prompt, usize::from(caption.width)),
                style,
            )),
            caption,
        );
        return;
    };
    let key = row_key(&app.drafts.rows, index);
    if app.thumbs.enabled {
        pics.draw(frame, picture, key.as_ref(), &app.thumbs, theme);
    }
    let title = sanitize(row.title(), usize::from(caption.width));
    frame.render_widget(Paragraph::new(Line::styled(title, style)), caption);
}

/// `area` without its last line, and that line (for a footer or a caption; `area` has at
/// least two lines).
fn last_line(area: Rect) -> (Rect, Rect) {
    let above = Rect {
        height: area.height - 1,
        ..area
    };
    let line = Rect {
        y: area.y + area.height - 1,
        height: 1,
        ..area
    };
    (above, line)
}
