//! What is drawn on top of the panes: the config warning bar, toasts, the help overlay built
//! from the live keymap, and the confirm dialog.

use ratatui::Frame;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::app::help::{HelpItem, HelpState, help_items};
use crate::app::keymap::Action;
use crate::app::{App, Modal};

use super::theme::Theme;
use super::widgets::{centered, fit, fit_start, key_name, pad, sanitize, str_width, tilde};

/// Toasts shown at once at most (the newest).
const MAX_TOASTS: usize = 3;
/// Narrowest help column when there are several side by side (up to three).
const HELP_COLUMN_MIN: u16 = 50;
/// Widest key column in help; a longer key list gets a line of its own.
const HELP_KEYS: usize = 14;

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
        Some(Modal::Help(help)) => draw_help(frame, area, app, help, theme),
        Some(Modal::Confirm { question, .. }) => draw_confirm(frame, area, question, theme),
        Some(Modal::Batch(confirm)) => super::batch::draw(frame, area, app, confirm, theme),
        Some(Modal::DraftCameo(form)) => super::draft_cameo::draw(frame, area, form, theme),
        Some(Modal::Enhance(overlay)) => super::enhance::draw(frame, area, overlay, theme),
        Some(Modal::Extend(form)) => super::extend::draw(frame, area, form, theme),
        Some(Modal::Username(form)) => super::username::draw(frame, area, form, theme),
        // The message log is drawn by `ui::log`.
        Some(Modal::Log { .. }) | None => {}
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
    let inner = block.inner(rect);
    let text = Text::from(vec![Line::styled(question, theme.text)]).centered();
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    let question_area = Rect {
        height: inner.height.saturating_sub(2),
        ..inner
    };
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: true }),
        question_area,
    );
    draw_confirm_buttons(frame, inner, theme);
}

/// The answers of the confirm dialog on its last inner line, as buttons that a click presses
/// too (`ui::hit`): `y` confirms, any other key (`n`, `Esc`) cancels.
fn draw_confirm_buttons(frame: &mut Frame, inner: Rect, theme: &Theme) {
    use crate::app::mouse::{ConfirmChoice, Target};
    const YES: &str = "[ y  Yes ]";
    const NO: &str = "[ n  No ]";
    const GAP: u16 = 3;
    let (yes_w, no_w) = (YES.len() as u16, NO.len() as u16);
    let width = (yes_w + GAP + no_w).min(inner.width);
    let x = inner.x + (inner.width - width) / 2;
    let y = inner.bottom().saturating_sub(1);
    let line = Line::from(vec![
        Span::styled(YES, theme.key),
        Span::raw(" ".repeat(usize::from(GAP))),
        Span::styled(NO, theme.dim),
    ]);
    let area = Rect::new(x, y, width, 1).intersection(inner);
    frame.render_widget(Paragraph::new(line), area);
    let yes = Rect::new(x, y, yes_w, 1).intersection(area);
    let no = Rect::new(x + yes_w + GAP, y, no_w, 1).intersection(area);
    super::hit::record(yes, Target::Button(ConfirmChoice::Yes));
    super::hit::record(no, Target::Button(ConfirmChoice::No));
}

/// One screen line of the help listing, and the entry it belongs to (for scrolling).
struct HelpLine {
    line: Line<'static>,
    entry: Option<usize>,
}

/// The help overlay: every binding of the live keymap by context (the focused pane's first),
/// narrowed by the filter, in one column (up to three when wide), descriptions wrapped rather than cut,
/// scrolled so the selected entry is in view; then the version, paths, backend and token.
fn draw_help(frame: &mut Frame, area: Rect, app: &App, help: &HelpState, theme: &Theme) {
    // As large as the screen allows: with five panes there are many keys.
    let rect = centered(
        area,
        area.width.saturating_sub(4).clamp(40, 160),
        area.height.saturating_sub(2).max(10),
    );
    let version = sanitize(&app.info.version, 40);
    let close = key_name(&app.keymap, Action::Help);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focus)
        .title(Span::styled(
            format!(" Help · sora-tui {version} "),
            theme.title,
        ));
    let inner = block.inner(rect);

    let info = info_lines(app, theme, usize::from(inner.width));
    let info_height = (info.len() as u16).min(inner.height / 2);
    let show_filter = help.filtering || !help.filter.is_empty();
    let [filter_area, keys_area, rule, info_area] = Layout::vertical([
        Constraint::Length(u16::from(show_filter)),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(info_height),
    ])
    .areas(inner);

    let items = help_items(&app.keymap, app.pane, &help.filter);
    let window = help_window(&items, help.selected, keys_area, theme);

    let mut block = block.title_bottom(
        Line::styled(
            format!(" j/k scroll · / filter · {close} or Esc closes "),
            theme.dim,
        )
        .right_aligned(),
    );
    let total = window.lines.len();
    let capacity = window.rows * usize::from(window.ncols);
    if total > capacity && capacity > 0 {
        block = block.title_bottom(Line::styled(
            format!(
                " lines {}–{} of {total} ",
                window.offset + 1,
                window.shown_end
            ),
            theme.dim,
        ));
    }
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    let scrolls = crate::app::mouse::Target::Scroll(crate::app::mouse::ScrollArea::Help);
    super::hit::record(rect, scrolls);

    if show_filter {
        draw_help_filter(frame, filter_area, help, theme);
    }
    frame.render_widget(
        Paragraph::new(Span::styled(
            "─".repeat(usize::from(rule.width)),
            theme.border,
        )),
        rule,
    );
    frame.render_widget(Paragraph::new(info), info_area);
    draw_help_keys(frame, keys_area, items.is_empty(), &window, theme);
}

/// The part of the help listing in view: every line laid out for the columns, the range of
/// them shown, and the columns' shape.
struct HelpWindow {
    lines: Vec<HelpLine>,
    offset: usize,
    shown_end: usize,
    rows: usize,
    ncols: u16,
    col_width: u16,
}

/// Lays `items` out in up to three columns of `keys_area` and scrolls so the selected entry
/// sits mid-screen, except near either end.
fn help_window(items: &[HelpItem], selected: usize, keys_area: Rect, theme: &Theme) -> HelpWindow {
    let ncols: u16 = (keys_area.width / HELP_COLUMN_MIN).clamp(1, 3);
    let col_width = keys_area.width / ncols;
    let key_width = items
        .iter()
        .filter_map(|it| match it {
            HelpItem::Entry { keys, .. } => Some(str_width(keys)),
            HelpItem::Heading(_) => None,
        })
        .max()
        .unwrap_or(0)
        .min(HELP_KEYS);
    let lines = help_lines(items, selected, key_width, usize::from(col_width), theme);
    let rows = usize::from(keys_area.height);
    let window = rows * usize::from(ncols);
    let selected_line = lines
        .iter()
        .position(|l| l.entry == Some(selected))
        .unwrap_or(0);
    let offset = selected_line
        .saturating_sub(window / 2)
        .min(lines.len().saturating_sub(window));
    let shown_end = (offset + window).min(lines.len());
    HelpWindow {
        lines,
        offset,
        shown_end,
        rows,
        ncols,
        col_width,
    }
}

/// The filter line: `/`, what is typed, and a cursor while typing.
fn draw_help_filter(frame: &mut Frame, area: Rect, help: &HelpState, theme: &Theme) {
    let mut spans = vec![
        Span::styled(" / ", theme.key),
        Span::styled(sanitize(&help.filter, 200), theme.value),
    ];
    if help.filtering {
        spans.push(Span::styled(" ", theme.cursor));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The lines in view, column by column, or a note when the filter matches nothing.
fn draw_help_keys(
    frame: &mut Frame,
    keys_area: Rect,
    no_match: bool,
    window: &HelpWindow,
    theme: &Theme,
) {
    if no_match {
        frame.render_widget(
            Paragraph::new(Line::styled(
                " no key matches the filter (Esc clears it)",
                theme.dim,
            )),
            keys_area,
        );
        return;
    }
    if window.rows == 0 {
        return;
    }
    let shown = &window.lines[window.offset..window.shown_end];
    for (i, chunk) in shown.chunks(window.rows).enumerate() {
        let x = keys_area.x + window.col_width * i as u16;
        let area = Rect::new(x, keys_area.y, window.col_width, keys_area.height);
        let text: Vec<Line> = chunk.iter().map(|l| l.line.clone()).collect();
        frame.render_widget(Paragraph::new(text), area);
    }
}

/// The help listing laid out for a column `width` wide: headings, then one entry per action
/// (a marker on the selected one), its description wrapped under itself.
fn help_lines(
    items: &[HelpItem],
    selected: usize,
    key_width: usize,
    width: usize,
    theme: &Theme,
) -> Vec<HelpLine> {
    // ` ▸ KEYS  description`: marker, keys, a space, and a column of margin on the right.
    let indent = 3 + key_width + 1;
    let desc_width = width.saturating_sub(indent + 1).max(8);
    let mut out = Vec::new();
    let mut entry = 0;
    for item in items {
        match item {
            HelpItem::Heading(title) => {
                if !out.is_empty() {
                    out.push(HelpLine {
                        line: Line::default(),
                        entry: None,
                    });
                }
                out.push(HelpLine {
                    line: Line::styled(format!(" {title}"), theme.title),
                    entry: None,
                });
            }
            HelpItem::Entry { keys, text } => {
                let is_selected = entry == selected;
                let (marker, style) = if is_selected {
                    ("▸", theme.selected)
                } else {
                    (" ", theme.text)
                };
                let mut first = vec![
                    Span::raw(" "),
                    Span::styled(marker, theme.key),
                    Span::raw(" "),
                ];
                if str_width(keys) > key_width {
                    // A long key list gets a line of its own.
                    first.push(Span::styled(keys.clone(), theme.key));
                    out.push(HelpLine {
                        line: Line::from(first),
                        entry: Some(entry),
                    });
                    first = vec![Span::raw(" ".repeat(indent))];
                } else {
                    first.push(Span::styled(pad(keys, key_width), theme.key));
                    first.push(Span::raw(" "));
                }
                for (i, part) in wrap_words(text, desc_width).into_iter().enumerate() {
                    let mut spans = if i == 0 {
                        std::mem::take(&mut first)
                    } else {
                        vec![Span::raw(" ".repeat(indent))]
                    };
                    spans.push(Span::styled(part, style));
                    out.push(HelpLine {
                        line: Line::from(spans),
                        entry: Some(entry),
                    });
                }
                entry += 1;
            }
        }
    }
    out
}

/// `text` in lines at most `width` cells wide, broken between words (inside a word only when
/// it is wider than a line).
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let needed = if line.is_empty() {
            str_width(word)
        } else {
            str_width(&line) + 1 + str_width(word)
        };
        if needed <= width {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            if str_width(&line) + str_width(c.encode_utf8(&mut [0; 4])) > width && !line.is_empty()
            {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
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
        line(
            "mouse",
            if app.mouse {
                "click tabs, rows, settings, buttons · wheel scrolls · Shift-drag selects text"
            } else {
                "off (mouse = false): the terminal selects text"
            }
            .to_string(),
            false,
        ),
    ]
}
