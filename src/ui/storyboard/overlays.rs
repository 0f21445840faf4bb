//! The boxes drawn over the Storyboard pane: the file picker, the name prompt and the cameo
//! picker. File names and dates come from the disk, so they are sanitised like server text.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Padding, Paragraph};

use crate::app::App;
use crate::app::storyboard::{NameInput, NamePurpose, Overlay};
use crate::storyboard::FILE_SUFFIX;
use crate::worker::StoryboardFile;

use super::super::list;
use super::super::theme::Theme;
use super::super::widgets::{centered, fit, fit_start, pad, sanitize, str_width, tilde};

/// Draws the pane's overlay, if any, centred in `area`.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    match &app.storyboard.overlay {
        Some(Overlay::Files { selected, loading }) => {
            draw_files(frame, area, app, *selected, *loading, theme)
        }
        Some(Overlay::Name(input)) => draw_name(frame, area, input, theme),
        Some(Overlay::Cameos { selected }) => draw_cameos(frame, area, app, *selected, theme),
        None => {}
    }
}

/// A cleared, bordered box of `width` x `height` centred in `area`, with its inner area.
fn boxed(
    frame: &mut Frame,
    area: Rect,
    width: u16,
    height: u16,
    title: Line<'static>,
    footer: &str,
    theme: &Theme,
) -> Rect {
    let rect = centered(area, width, height);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focus)
        .padding(Padding::horizontal(1))
        .title(title)
        .title_bottom(Line::styled(format!(" {footer} "), theme.dim).right_aligned());
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    inner
}

fn draw_files(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    selected: usize,
    loading: bool,
    theme: &Theme,
) {
    let p = &app.storyboard;
    let width = area.width.saturating_sub(4).min(90);
    let rows = p.files.len().max(3) as u16;
    let height = (rows + 4).min(area.height.saturating_sub(2)).max(5);
    let folder = p
        .folder
        .as_deref()
        .map(|f| tilde(f, &app.info.home))
        .unwrap_or_default();
    let room = usize::from(width).saturating_sub(28);
    let title = Line::from(vec![
        Span::styled(" Open a storyboard · ", theme.title),
        Span::styled(format!("{} ", fit_start(&folder, room)), theme.dim),
    ]);
    let inner = boxed(
        frame,
        area,
        width,
        height,
        title,
        "Enter open · r rename · d delete · Esc close",
        theme,
    );
    if let Some(e) = &p.files_error {
        let lines = vec![Line::styled(sanitize(e, 300), theme.error)];
        list::message(frame, inner, lines);
        return;
    }
    if p.files.is_empty() {
        let line = if loading {
            Line::styled("reading the folder…", theme.dim)
        } else {
            Line::styled(
                "No storyboard files yet: w in the pane saves this one.",
                theme.dim,
            )
        };
        list::message(frame, inner, vec![line]);
        return;
    }
    let [header, body] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
    let total = usize::from(inner.width);
    let date_width = 16;
    let summary_width = 24.min(total / 3);
    let name_width = total.saturating_sub(date_width + summary_width + 2);
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!(
                "{}{}{}",
                pad("Name", name_width + 1),
                pad("Shots", summary_width + 1),
                "Changed (UTC)"
            ),
            theme.header,
        )),
        header,
    );
    // With a filter its line takes the last row and the list is its matches: positions
    // below, file indices through `row_at`.
    let filter = &p.file_filter;
    let body = if filter.is_active() {
        let [body, line] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(body);
        let shown = filter.len(p.files.len());
        frame.render_widget(
            Paragraph::new(super::super::filter::filter_line(
                filter,
                shown,
                p.files.len(),
                theme,
            )),
            line,
        );
        if shown == 0 {
            let no = super::super::filter::no_match(filter, theme);
            frame.render_widget(Paragraph::new(no), body);
            return;
        }
        body
    } else {
        body
    };
    let len = filter.len(p.files.len());
    let visible = usize::from(body.height);
    let selected = filter
        .position(selected.min(p.files.len() - 1))
        .unwrap_or(0)
        .min(len.saturating_sub(1));
    let offset = list::window(selected, 0, len, visible);
    let end = (offset + visible).min(len);
    let lines: Vec<Line> = (offset..end)
        .filter_map(|pos| {
            let i = filter.row_at(pos)?;
            let f = p.files.get(i)?;
            Some(file_row(
                f,
                &filter.hits(i),
                &app.info.zone,
                pos == selected,
                [name_width, summary_width, date_width],
                theme,
            ))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), body);
}

/// One file: its name, what it holds (or the line that is wrong), when it changed (local
/// time in `zone`).
fn file_row(
    f: &StoryboardFile,
    hits: &[crate::app::filter::Hit],
    zone: &crate::text::Zone,
    selected: bool,
    widths: [usize; 3],
    theme: &Theme,
) -> Line<'static> {
    let [name_w, summary_w, date_w] = widths;
    let name = pad(&sanitize(&f.name, 200), name_w);
    let name_style = if selected {
        theme.selected
    } else {
        theme.value
    };
    // The name as `app::pane_filter` gave it, padded: the marks index its chars.
    let name_spans = super::super::filter::highlight_owned(
        &name,
        0,
        hits,
        name_style,
        name_style.patch(super::super::filter::mark(theme)),
    );
    let (summary, summary_style) = match &f.summary {
        Ok(s) => {
            let noun = if s.shots == 1 { "shot" } else { "shots" };
            (
                format!("{} {noun} · {:.1}/{} s", s.shots, s.total, s.length),
                theme.text,
            )
        }
        Err(e) => (format!("✗ {}", sanitize(e, 200)), theme.error),
    };
    let summary = pad(&summary, summary_w);
    let date = f
        .modified
        .map(|t| crate::text::local_date(t, zone, false))
        .unwrap_or_default();
    let date = pad(&date, date_w);
    if selected {
        let mut spans = name_spans;
        spans.push(Span::styled(format!(" {summary} {date}"), theme.selected));
        return Line::from(spans);
    }
    let mut spans = name_spans;
    spans.extend(vec![
        Span::raw(" "),
        Span::styled(summary, summary_style),
        Span::raw(" "),
        Span::styled(date, theme.dim),
    ]);
    Line::from(spans)
}

fn draw_name(frame: &mut Frame, area: Rect, input: &NameInput, theme: &Theme) {
    let width = area.width.saturating_sub(4).min(70);
    let height = if input.error.is_some() { 6 } else { 5 };
    let verb = match input.purpose {
        NamePurpose::SaveAs => "save",
        NamePurpose::Rename(_) => "rename",
        NamePurpose::Import => "import",
    };
    let title = Line::styled(format!(" {} ", input.purpose.label()), theme.title);
    let inner = boxed(
        frame,
        area,
        width,
        height,
        title,
        &format!("Enter {verb} · Esc cancel"),
        theme,
    );
    let suffix = match input.purpose {
        NamePurpose::Import => "",
        _ => FILE_SUFFIX,
    };
    let room = usize::from(inner.width).saturating_sub(str_width(suffix) + 1);
    let mut spans = super::super::widgets::line_edit_spans(&input.value, room, theme);
    spans.push(Span::styled(suffix, theme.dim));
    let field = Line::from(spans);
    let explain = match input.purpose {
        NamePurpose::Import => {
            "a .storyboard.toml file, or text like: intro [5.0s]scene [5.0s]scene"
        }
        _ => "in the storyboards folder of the data dir",
    };
    let mut lines = vec![field, Line::styled(explain, theme.dim)];
    if let Some(e) = &input.error {
        lines.push(Line::styled(
            fit(&sanitize(e, 300), usize::from(inner.width)).into_owned(),
            theme.error,
        ));
    }
    let [_, body] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
    frame.render_widget(Paragraph::new(lines), body);
}

fn draw_cameos(frame: &mut Frame, area: Rect, app: &App, selected: usize, theme: &Theme) {
    let names = app.cameos.usernames();
    let width = area.width.saturating_sub(4).min(50);
    let height = (names.len().max(1) as u16 + 4)
        .min(area.height.saturating_sub(2))
        .max(5);
    let title = Line::styled(" Insert a cameo ", theme.title);
    let inner = boxed(
        frame,
        area,
        width,
        height,
        title,
        "Enter insert · Esc close",
        theme,
    );
    if names.is_empty() {
        let lines = vec![Line::styled(
            "no cameos yet — create one in 5 Cameos",
            theme.dim,
        )];
        list::message(frame, inner, lines);
        return;
    }
    let [_, body] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
    let visible = usize::from(body.height);
    let selected = selected.min(names.len() - 1);
    let offset = list::window(selected, 0, names.len(), visible);
    let end = (offset + visible).min(names.len());
    let w = usize::from(body.width);
    let lines: Vec<Line> = names[offset..end]
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let text = pad(&format!("@{}", sanitize(n, 100)), w);
            let style = if offset + i == selected {
                theme.selected
            } else {
                theme.value
            };
            Line::styled(text, style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), body);
}
