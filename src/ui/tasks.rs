//! The Tasks pane: submitted tasks, newest first, with a progress gauge, status, elapsed time,
//! kind and prompt; failed and blocked ones with their reason. Only visible rows are built.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use crate::app::App;
use crate::app::keymap::Action;
use crate::track::{TaskKind, TaskPhase, TaskRecord};

use super::list;
use super::theme::Theme;
use super::widgets::{elapsed, fit, gauge, key_name, sanitize};

/// Cells of the bar part of the gauge.
const GAUGE_BAR: usize = 10;
/// Cells of the status column.
const STATUS_CELLS: usize = 13;

/// Draws the Tasks pane into the body area.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let tasks = &app.tasks.tasks;
    let running = tasks.iter().filter(|t| t.phase.is_unfinished()).count();
    let mut title = vec![Span::styled(" Tasks ", theme.title)];
    if !tasks.is_empty() {
        title.push(Span::styled(format!("· {} ", tasks.len()), theme.dim));
        if running > 0 {
            title.push(Span::styled(format!("· {running} running "), theme.dim));
        }
    }
    let block = list::block(Line::from(title), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    if tasks.is_empty() {
        let lines = vec![
            Line::styled("No tasks yet.", theme.text),
            Line::styled(
                format!(
                    "Write a prompt in {} Prompt and press {}.",
                    key_name(&app.keymap, Action::GoPrompt),
                    key_name(&app.keymap, Action::Submit)
                ),
                theme.dim,
            ),
        ];
        list::message(frame, inner, lines);
        return;
    }

    let parts = list::areas(inner);
    let visible = usize::from(parts.rows.height);
    let selected = app.tasks.selected.min(tasks.len() - 1);
    let offset = list::window(selected, 0, tasks.len(), visible);
    let end = (offset + visible).min(tasks.len());
    let wide = inner.width >= 120;

    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(GAUGE_BAR as u16 + 5),
        Constraint::Length(STATUS_CELLS as u16),
        Constraint::Length(6),
        Constraint::Length(10),
    ];
    let mut header = vec!["", "Progress", "Status", "  Time", "Kind"];
    if wide {
        widths.push(Constraint::Length(28));
        header.push("Settings");
    }
    widths.push(Constraint::Fill(1));
    header.push("Prompt");

    let rows: Vec<Row> = tasks[offset..end]
        .iter()
        .enumerate()
        .map(|(i, t)| task_row(app, t, offset + i == selected, wide, theme))
        .collect();
    let header = Row::new(header).style(theme.header);
    frame.render_widget(
        Table::new(rows, widths.clone()).column_spacing(1),
        parts.rows,
    );
    frame.render_widget(Table::new([header], widths).column_spacing(1), parts.header);

    frame.render_widget(
        Paragraph::new(footer(&tasks[selected], selected, tasks.len(), theme)),
        parts.footer,
    );
}

/// One task's row.
fn task_row<'a>(
    app: &App,
    t: &'a TaskRecord,
    selected: bool,
    wide: bool,
    theme: &Theme,
) -> Row<'a> {
    let end = t.finished_at.unwrap_or(app.now);
    let time = format!("{:>6}", elapsed(end - t.submitted_at));
    let (progress, status, reason): (Line, Span, Option<&str>) = match &t.phase {
        TaskPhase::Working { status, progress } => {
            // Cut to the column's cells, not characters: a wide status must still end in `…`.
            let word = fit(&sanitize(status, 40), STATUS_CELLS).to_lowercase();
            let word = if word.is_empty() {
                "queued".to_string()
            } else {
                word
            };
            let style = match word.as_str() {
                "queued" | "preprocessing" => theme.dim,
                "finishing" => theme.warning,
                _ => theme.text,
            };
            (
                Line::from(gauge(*progress, GAUGE_BAR, theme)),
                Span::styled(word, style),
                None,
            )
        }
        TaskPhase::Done { .. } => (
            Line::from(gauge(1.0, GAUGE_BAR, theme)),
            Span::styled("done", theme.success),
            None,
        ),
        TaskPhase::Failed { reason } => (
            Line::styled("─".repeat(GAUGE_BAR), theme.dim),
            Span::styled("failed", theme.error),
            Some(reason.as_str()),
        ),
        TaskPhase::Blocked { reason } => (
            Line::styled("─".repeat(GAUGE_BAR), theme.dim),
            Span::styled("blocked", theme.error),
            Some(reason.as_str()),
        ),
    };
    let kind = match t.kind {
        TaskKind::Video => "video",
        TaskKind::Storyboard => "storyboard",
        TaskKind::Image => "image",
    };
    let mut prompt = Vec::with_capacity(3);
    if let Some(reason) = reason {
        let reason = sanitize(reason, 200);
        let reason = if reason.is_empty() {
            "no reason given".to_string()
        } else {
            reason
        };
        prompt.push(Span::styled(reason, theme.error));
        prompt.push(Span::styled(" · ", theme.dim));
    }
    // A storyboard's prompt is its whole timeline text; its gist reads better in one line.
    let text = if t.kind == crate::track::TaskKind::Storyboard {
        crate::storyboard::gist(&t.prompt)
    } else {
        &t.prompt
    };
    prompt.push(Span::styled(sanitize(text, 200), theme.text));

    let mut cells = vec![
        Cell::from(if selected { "›" } else { " " }),
        Cell::from(progress),
        Cell::from(status),
        Cell::from(Span::styled(time, theme.text)),
        Cell::from(Span::styled(kind, theme.dim)),
    ];
    if wide {
        cells.push(Cell::from(Span::styled(
            sanitize(&t.settings, 60),
            theme.dim,
        )));
    }
    cells.push(Cell::from(Line::from(prompt)));
    let row = Row::new(cells);
    if selected {
        row.style(theme.selected)
    } else {
        row
    }
}

/// `3/5 · task_… · landscape · 10 s`, or for a failure `4/5 · ✗ the whole reason`.
fn footer<'a>(t: &TaskRecord, selected: usize, len: usize, theme: &Theme) -> Line<'a> {
    let mut spans = vec![Span::styled(format!("{}/{len}", selected + 1), theme.dim)];
    if let TaskPhase::Failed { reason } | TaskPhase::Blocked { reason } = &t.phase {
        spans.push(Span::styled(" · ✗ ", theme.error));
        spans.push(Span::styled(sanitize(reason, 500), theme.error));
        return Line::from(spans);
    }
    spans.push(Span::styled(" · ", theme.dim));
    spans.push(Span::styled(sanitize(&t.task_id, 80), theme.dim));
    let settings = sanitize(&t.settings, 80);
    if !settings.is_empty() {
        spans.push(Span::styled(" · ", theme.dim));
        spans.push(Span::styled(settings, theme.dim));
    }
    Line::from(spans)
}
