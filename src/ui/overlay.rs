//! What is drawn on top of the panes: the config warning bar, toasts, the help overlay built
//! from the live keymap, and the confirm dialog.

use ratatui::Frame;

use crate::app::Pane;
use crate::app::keymap::Context;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::app::keymap::Action;
use crate::app::{App, Modal};

use super::theme::Theme;
use super::widgets::{centered, fit, fit_start, key_name, pad, sanitize, str_width, tilde};

/// Toasts shown at once at most (the newest).
const MAX_TOASTS: usize = 3;
/// Width a help column aims for.
const HELP_COLUMN: u16 = 26;

/// The one-line warning about the config file, under the tab bar.
pub fn draw_warning(frame: &mut Frame, area: Rect, warning: &str, theme: &Theme) {
    let line = Line::from(vec![
        Span::styled(" ! config: ", theme.warning),
        Span::styled(sanitize(warning, 500), theme.warning),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

/// Toasts in the bottom-right corner of `area`, newest at the bottom, errors in the error
/// colour. Expired ones (`until` passed) are skipped even before `update` removes them.
pub fn draw_toasts(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let live: Vec<_> = app.toasts.iter().filter(|t| t.until > app.now).collect();
    let max_width = (area.width * 2 / 3).max(24).min(area.width);
    let mut bottom = area.bottom();
    for toast in live.iter().rev().take(MAX_TOASTS) {
        let (mark, style) = if toast.error {
            ("✗ ", theme.toast_error)
        } else {
            ("• ", theme.toast)
        };
        let text = sanitize(&toast.text, 300);
        let text_width = str_width(&text) + 2;
        let width = (text_width as u16 + 4).min(max_width);
        let inner_width = usize::from(width.saturating_sub(4)).max(1);
        let lines = text_width.div_ceil(inner_width).clamp(1, 2) as u16;
        let height = lines + 2;
        if bottom < area.y + height || width < 6 {
            break;
        }
        let rect = Rect::new(
            area.right().saturating_sub(width).max(area.x),
            bottom - height,
            width,
            height,
        );
        bottom -= height;
        let block = Block::bordered()
            .border_type(BorderType::Rounded)
            .border_style(style);
        let body = Line::from(vec![Span::styled(mark, style), Span::styled(text, style)]);
        frame.render_widget(Clear, rect);
        frame.render_widget(
            Paragraph::new(body)
                .block(block.padding(ratatui::widgets::Padding::horizontal(1)))
                .wrap(Wrap { trim: true }),
            rect,
        );
    }
}

/// The dialog on top, if any.
pub fn draw_modal(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    match &app.modal {
        Some(Modal::Help) => draw_help(frame, area, app, theme),
        Some(Modal::Confirm { question, .. }) => draw_confirm(frame, area, question, theme),
        None => {}
    }
}

/// The confirm dialog, centred: the question, then how to answer.
fn draw_confirm(frame: &mut Frame, area: Rect, question: &str, theme: &Theme) {
    let question = sanitize(question, 500);
    let width = area.width.saturating_sub(4).min(60).max(area.width.min(24));
    let inner_width = usize::from(width.saturating_sub(4)).max(1);
    // Word wrapping can need a line more than the width alone says; allow for it.
    let question_lines = (str_width(&question) + inner_width / 3)
        .div_ceil(inner_width)
        .max(1) as u16;
    let height = question_lines + 5;
    let rect = centered(area, width, height);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.warning)
        .title(Span::styled(" Confirm ", theme.title))
        .padding(ratatui::widgets::Padding::new(1, 1, 1, 0));
    let text = Text::from(vec![
        Line::styled(question, theme.text),
        Line::default(),
        Line::from(vec![
            Span::styled("y", theme.key),
            Span::styled(" confirm · any other key cancels", theme.dim),
        ]),
    ])
    .centered();
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(text).block(block).wrap(Wrap { trim: true }),
        rect,
    );
}

/// One line of the key listing in help.
enum HelpItem<'a> {
    Heading(&'static str),
    Entry(&'a str, &'static str),
    Blank,
}

/// The help overlay: every binding of the live keymap by context, in as many columns as fit,
/// then the version, paths, backend and masked token.
fn draw_help(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    // As large as the screen allows: with five panes there are many keys.
    let rect = centered(
        area,
        area.width.saturating_sub(4).clamp(40, 160),
        area.height.saturating_sub(2).max(10),
    );
    let version = sanitize(&app.info.version, 40);
    let help = key_name(&app.keymap, Action::Help);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focus)
        .title(Span::styled(
            format!(" Help · sora-tui {version} "),
            theme.title,
        ))
        .title_bottom(Line::styled(format!(" {help} or Esc closes "), theme.dim).right_aligned());
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);

    let info = info_lines(app, theme, usize::from(inner.width));
    let info_height = (info.len() as u16).min(inner.height / 2);
    let [keys_area, rule, info_area] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(info_height),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(Span::styled(
            "─".repeat(usize::from(rule.width)),
            theme.border,
        )),
        rule,
    );
    frame.render_widget(Paragraph::new(info), info_area);

    let grouped = app.keymap.grouped();
    // The focused pane's keys first, then the global ones, then the other panes', so what
    // matters now is never what gets cut off.
    let focused: &[Context] = match app.pane {
        Pane::Prompt => &[Context::Prompt],
        Pane::Storyboard => &[Context::Storyboard],
        Pane::Tasks => &[Context::Tasks, Context::List],
        Pane::Drafts => &[Context::Drafts, Context::List],
        Pane::Cameos => &[Context::Cameos],
    };
    let mut order: Vec<Context> = focused.to_vec();
    order.push(Context::Global);
    order.extend(
        grouped
            .keys()
            .copied()
            .filter(|c| !order.contains(c))
            .collect::<Vec<_>>(),
    );
    let mut items: Vec<HelpItem> = Vec::new();
    for (ctx, entries) in order.iter().filter_map(|c| grouped.get(c).map(|e| (c, e))) {
        if !items.is_empty() {
            items.push(HelpItem::Blank);
        }
        items.push(HelpItem::Heading(ctx.title()));
        items.extend(entries.iter().map(|(k, d)| HelpItem::Entry(k.as_str(), d)));
    }

    let rows = usize::from(keys_area.height);
    let ncols = usize::from((keys_area.width / HELP_COLUMN).max(1));
    if rows == 0 {
        return;
    }
    let mut columns: Vec<Vec<&HelpItem>> = vec![Vec::new()];
    for item in &items {
        let col = columns.last_mut().expect("one column");
        let full = col.len() == rows;
        let orphan = matches!(item, HelpItem::Heading(_)) && rows > 1 && col.len() == rows - 1;
        if full || orphan {
            columns.push(Vec::new());
        }
        let col = columns.last_mut().expect("one column");
        if matches!(item, HelpItem::Blank) && col.is_empty() {
            continue;
        }
        col.push(item);
    }
    let overflow = columns.len() > ncols;
    columns.truncate(ncols);

    let col_width = keys_area.width / ncols as u16;
    for (i, col) in columns.iter().enumerate() {
        let x = keys_area.x + col_width * i as u16;
        let area = Rect::new(x, keys_area.y, col_width, keys_area.height);
        let key_width = col
            .iter()
            .filter_map(|it| match it {
                HelpItem::Entry(k, _) => Some(str_width(k)),
                _ => None,
            })
            .max()
            .unwrap_or(0)
            .min(12);
        let desc_width = usize::from(col_width).saturating_sub(key_width + 3);
        let mut lines: Vec<Line> = col
            .iter()
            .map(|it| match it {
                HelpItem::Heading(t) => Line::styled(format!(" {t}"), theme.title),
                HelpItem::Entry(k, d) => Line::from(vec![
                    Span::raw(" "),
                    Span::styled(pad(k, key_width), theme.key),
                    Span::raw(" "),
                    Span::styled(fit(d, desc_width).into_owned(), theme.text),
                ]),
                HelpItem::Blank => Line::default(),
            })
            .collect();
        if overflow
            && i == ncols - 1
            && let Some(last) = lines.last_mut()
        {
            *last = Line::styled(" …", theme.dim);
        }
        frame.render_widget(Paragraph::new(lines), area);
    }
}

/// Backend, token and paths: what to look at when something goes wrong.
fn info_lines<'a>(app: &App, theme: &Theme, width: usize) -> Vec<Line<'a>> {
    let info = &app.info;
    let value_width = width.saturating_sub(12);
    // Paths keep their end (the file name), the backend line its start.
    let line = |label: &str, value: String, keep_end: bool| {
        let value = if keep_end {
            fit_start(&value, value_width).into_owned()
        } else {
            fit(&value, value_width).into_owned()
        };
        Line::from(vec![
            Span::styled(format!(" {label:<10} "), theme.dim),
            Span::styled(value, theme.text),
        ])
    };
    let path = |p: &std::path::Path| tilde(p, &info.home);
    let mut backend = sanitize(&info.base_url, 300);
    if !info.token_masked.is_empty() {
        backend = format!("{backend} · token {}", sanitize(&info.token_masked, 40));
    }
    vec![
        line("backend", backend, false),
        line("config", path(&info.config_path), true),
        line("data", path(&info.data_path), true),
        line("log", path(&info.log_path), true),
        line("downloads", path(&info.download_dir), true),
    ]
}
