//! The Tasks pane: the local queue's items first (their place in line, "sending…", or why
//! they failed) under a line saying why the queue is paused, if it is; then the submitted
//! tasks, newest first, with a progress gauge, status, elapsed time, kind and prompt; failed
//! and blocked ones with their reason. Only visible rows are built.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use crate::app::keymap::Action;
use crate::app::{App, TasksRow};
use crate::text::{ordinal, plausible_secs};
use crate::track::{TaskKind, TaskPhase, TaskRecord};
use crate::worker::{QueuePause, QueuedItem, QueuedState, SubmissionKind, settings_summary};

use super::list;
use super::theme::Theme;
use super::widgets::{elapsed, fit, gauge, key_name, sanitize, span_of};

/// Cells of the bar part of the gauge.
const GAUGE_BAR: usize = 10;
/// Cells of the status column.
const STATUS_CELLS: usize = 13;

/// Draws the Tasks pane into the body area.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let tasks = &app.tasks.tasks;
    let queue = &app.tasks.queue;
    let running = tasks.iter().filter(|t| t.phase.is_unfinished()).count();
    let mut title = vec![Span::styled(" Tasks ", theme.title)];
    if !tasks.is_empty() {
        title.push(Span::styled(format!("· {} ", tasks.len()), theme.dim));
        if running > 0 {
            title.push(Span::styled(format!("· {running} running "), theme.dim));
        }
    }
    if !queue.items.is_empty() {
        title.push(Span::styled(
            format!("· {} queued here ", queue.items.len()),
            theme.dim,
        ));
    }
    let block = list::block(Line::from(title), theme);
    let mut inner = block.inner(area);
    frame.render_widget(block, area);

    if let Some(pause) = &queue.pause {
        let [top, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
        frame.render_widget(Paragraph::new(pause_line(app, pause, theme)), top);
        inner = rest;
    }

    if app.tasks.is_empty() {
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

    let total = app.tasks.len();
    let parts = list::areas(inner);
    let visible = usize::from(parts.rows.height);
    // With a filter the list is its matches: positions below, row indices through `row_at`.
    let f = &app.tasks.filter;
    let len = f.len(total);
    if len == 0 {
        super::filter::draw_no_match(frame, parts.rows, parts.footer, f, total, theme);
        return;
    }
    let selected_row = app.tasks.selected.min(total - 1);
    let pos = f.position(selected_row).unwrap_or(0).min(len - 1);
    let selected = f.row_at(pos).unwrap_or(selected_row);
    let offset = list::window(pos, 0, len, visible);
    let end = (offset + visible).min(len);
    super::hit::rows(crate::app::Pane::Tasks, parts.rows, offset, end);
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

    let rows: Vec<Row> = (offset..end)
        .filter_map(|p| {
            let i = f.row_at(p)?;
            Some(match app.tasks.row(i)? {
                TasksRow::Queued(q, item) => queued_row(app, q, item, i == selected, wide, theme),
                TasksRow::Task(t) => task_row(app, t, i, i == selected, wide, theme),
            })
        })
        .collect();
    let header = Row::new(header).style(theme.header);
    frame.render_widget(
        Table::new(rows, widths.clone()).column_spacing(1),
        parts.rows,
    );
    frame.render_widget(Table::new([header], widths).column_spacing(1), parts.header);

    let mut footer = match app.tasks.row(selected) {
        Some(TasksRow::Queued(q, item)) => queued_footer(app, q, item, pos, len, theme),
        Some(TasksRow::Task(t)) => footer(app, t, pos, len, theme),
        None => Line::default(),
    };
    if f.is_active() {
        // The filter line first, `/owl 3/200`, then what the footer says of the row.
        let mut line = super::filter::filter_line(f, len, total, theme);
        line.spans
            .extend(footer.spans.drain(1.min(footer.spans.len())..));
        footer = line;
    }
    frame.render_widget(Paragraph::new(footer), parts.footer);
}

/// Why the queue sends nothing: `paused: quota resets in 3 h 12 min`, `paused by you — p
/// resumes`, `paused: <the service's message> — p resumes`.
fn pause_line<'a>(app: &App, pause: &QueuePause, theme: &Theme) -> Line<'a> {
    let resume = key_name(&app.keymap, Action::QueuePause);
    match pause {
        QueuePause::Quota { resets_unix } => {
            let left = resets_unix - app.now;
            // A time already past (or not believable) is not counted down: the worker reads
            // the quota again and resumes by itself.
            let when = match plausible_secs(left) {
                Some(s) if s > 0 => format!("quota resets in {}", span_of(left)),
                _ => "the quota should have reset; checking again".to_string(),
            };
            Line::from(vec![
                Span::styled("⏸ paused: ", theme.warning),
                Span::styled(when, theme.warning),
                Span::styled(" — the queue resumes by itself", theme.dim),
            ])
        }
        QueuePause::User => Line::from(vec![
            Span::styled("⏸ paused by you", theme.warning),
            Span::styled(format!(" — {resume} resumes"), theme.dim),
        ]),
        QueuePause::Service { message } => {
            let message = sanitize(message, 200);
            let message = if message.is_empty() {
                "the service refused".to_string()
            } else {
                message
            };
            Line::from(vec![
                Span::styled("⏸ paused: ", theme.error),
                Span::styled(message, theme.error),
                Span::styled(format!(" — {resume} resumes"), theme.dim),
            ])
        }
    }
}

/// A queued item's kind, as the Kind column says it.
fn submission_kind(kind: &SubmissionKind) -> &'static str {
    match kind {
        SubmissionKind::Video { .. } => "video",
        SubmissionKind::Storyboard { .. } => "storyboard",
        SubmissionKind::Image { .. } => "image",
    }
}

/// One queued item's row: its place in line and `queued here`, `sending…`, or `failed` with
/// the reason before the prompt; the time it has waited.
fn queued_row<'a>(
    app: &App,
    index: usize,
    item: &'a QueuedItem,
    selected: bool,
    wide: bool,
    theme: &Theme,
) -> Row<'a> {
    let (progress, status, reason): (Line, Span, Option<&str>) = match &item.state {
        QueuedState::Waiting => {
            let place = crate::app::place_in_line(&app.tasks.queue, index).unwrap_or(1);
            (
                Line::styled(format!("{} in line", ordinal(place)), theme.dim),
                Span::styled("queued here", theme.warning),
                None,
            )
        }
        QueuedState::Submitting { .. } => (
            Line::styled("─".repeat(GAUGE_BAR), theme.dim),
            Span::styled("sending…", theme.warning),
            None,
        ),
        QueuedState::Failed { reason } => (
            Line::styled("─".repeat(GAUGE_BAR), theme.dim),
            Span::styled("failed", theme.error),
            Some(reason.as_str()),
        ),
    };
    let time = format!("{:>6}", elapsed(app.now - item.added_unix));
    let sub = &item.submission;
    let mut prompt = Vec::with_capacity(5);
    if let Some(reason) = reason {
        push_reason(&mut prompt, reason, theme);
    }
    if let Some(origin) = &item.origin {
        prompt.push(Span::styled(sanitize(origin, 40), theme.dim));
        prompt.push(Span::styled(" · ", theme.dim));
    }
    prompt.extend(super::filter::highlight_owned(
        &crate::app::pane_filter::queued_prompt(item),
        0,
        &app.tasks.filter.hits(index),
        theme.text,
        super::filter::mark(theme),
    ));
    let mut cells = vec![
        Cell::from(if selected { "›" } else { " " }),
        Cell::from(progress),
        Cell::from(status),
        Cell::from(Span::styled(time, theme.dim)),
        Cell::from(Span::styled(submission_kind(&sub.kind), theme.dim)),
    ];
    if wide {
        cells.push(Cell::from(Span::styled(
            settings_summary(&sub.kind),
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

/// `1/5 · queued here · 2nd in line · landscape · 10 s · …`, `sending…`, or for a failure
/// `3/5 · ✗ failed: the whole reason`.
fn queued_footer<'a>(
    app: &App,
    index: usize,
    item: &QueuedItem,
    selected: usize,
    len: usize,
    theme: &Theme,
) -> Line<'a> {
    let mut spans = vec![Span::styled(format!("{}/{len}", selected + 1), theme.dim)];
    match &item.state {
        QueuedState::Failed { reason } => {
            spans.push(Span::styled(" · ✗ failed: ", theme.error));
            spans.push(Span::styled(sanitize(reason, 500), theme.error));
            return Line::from(spans);
        }
        QueuedState::Submitting { .. } => {
            spans.push(Span::styled(" · sending…", theme.warning));
        }
        QueuedState::Waiting => {
            let place = crate::app::place_in_line(&app.tasks.queue, index).unwrap_or(1);
            spans.push(Span::styled(
                format!(" · queued here · {}", ordinal(place)),
                theme.warning,
            ));
        }
    }
    spans.push(Span::styled(" · ", theme.dim));
    spans.push(Span::styled(
        settings_summary(&item.submission.kind),
        theme.dim,
    ));
    Line::from(spans)
}

/// One task's row.
fn task_row<'a>(
    app: &App,
    t: &'a TaskRecord,
    row: usize,
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
        push_reason(&mut prompt, reason, theme);
    }
    // A storyboard's prompt is its whole timeline text; its gist reads better in one line.
    prompt.extend(super::filter::highlight_owned(
        &crate::app::pane_filter::task_prompt(t),
        0,
        &app.tasks.filter.hits(row),
        theme.text,
        super::filter::mark(theme),
    ));

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

/// `3/5 · task_… · landscape · 10 s`, then `· origin gen_…` for a re-run (from the history
/// the app holds), or for a failure `4/5 · ✗ the whole reason`.
fn footer<'a>(app: &App, t: &TaskRecord, selected: usize, len: usize, theme: &Theme) -> Line<'a> {
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
    if let Some(origin) = app
        .history
        .by_task(&t.task_id)
        .and_then(|e| e.sent.as_ref()?.origin.as_ref())
    {
        spans.push(Span::styled(" · Origin  ", theme.dim));
        spans.push(Span::styled(sanitize(&origin.describe(), 120), theme.text));
    }
    Line::from(spans)
}

/// A failure's reason before the prompt, as a failed task and a failed queued item show it:
/// sanitised (it quotes the server), and never blank.
fn push_reason(spans: &mut Vec<Span<'static>>, reason: &str, theme: &Theme) {
    let reason = sanitize(reason, 200);
    let reason = if reason.is_empty() {
        "no reason given".to_string()
    } else {
        reason
    };
    spans.push(Span::styled(reason, theme.error));
    spans.push(Span::styled(" · ", theme.dim));
}
