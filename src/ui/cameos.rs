//! The Cameos pane: the list of cameos this program created, and beside it (wide terminals)
//! or under it (narrow ones) the selected cameo's details or the open form.
//!
//! Layout: this file draws the list and the status-bar hints; `details` draws one cameo with
//! the steps of its creation; `form` draws the create and finalize forms.

mod details;
mod form;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use crate::app::App;
use crate::app::cameos::{
    CameoAction, CameoForm, CameoRow, CameoStage, CreateField, FinalizeField,
};
use crate::app::keymap::{Action, Context};

use super::list;
use super::theme::Theme;
use super::widgets::{first_key, sanitize};

/// Terminals at least this wide show the details beside the list.
const SIDE_BY_SIDE: u16 = 120;
/// Width of the details panel beside the list.
const SIDE_WIDTH: u16 = 72;
/// Below this width the list shows only the username and state columns.
const NARROW_LIST: u16 = 64;

/// Draws the pane into `area`.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    pics: &mut super::pictures::Pictures,
) {
    let c = &app.cameos;
    if c.rows.is_empty() && c.form.is_none() {
        draw_list(frame, area, app, theme);
        return;
    }
    let (list_area, side) = if area.width >= SIDE_BY_SIDE {
        let [l, r] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(SIDE_WIDTH)]).areas(area);
        (l, r)
    } else {
        // The list takes what its rows need (there are few cameos), at most a third.
        let wanted = u16::try_from(c.rows.len().max(1))
            .unwrap_or(u16::MAX)
            .saturating_add(4);
        let list_height = wanted.min(area.height / 3).max(5.min(area.height));
        let [l, r] =
            Layout::vertical([Constraint::Length(list_height), Constraint::Fill(1)]).areas(area);
        (l, r)
    };
    draw_list(frame, list_area, app, theme);
    match &c.form {
        Some(form) => form::draw(frame, side, app, form, theme),
        None => details::draw(frame, side, app, theme, pics),
    }
}

/// The list with its header and position line, or the message of an empty list.
fn draw_list(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let c = &app.cameos;
    let mut title = vec![Span::styled(" Cameos ", theme.title)];
    if !c.rows.is_empty() {
        title.push(Span::styled(format!("· {} ", c.rows.len()), theme.dim));
    }
    let block = list::block(Line::from(title), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    if c.rows.is_empty() {
        let lines = if !c.restored {
            vec![Line::styled("Loading your cameos…", theme.dim)]
        } else {
            let new = first_key(&app.keymap, Action::Cameo(CameoAction::New))
                .unwrap_or_else(|| "?".into());
            let mut lines = vec![Line::styled("No cameos yet.", theme.text)];
            if c.form.is_none() {
                lines.push(Line::styled(
                    "A cameo puts you in videos: prompts name it as @username.",
                    theme.dim,
                ));
                lines.push(Line::from(vec![
                    Span::styled("Press ", theme.dim),
                    Span::styled(new, theme.key),
                    Span::styled(" to create one from a short MP4 of you.", theme.dim),
                ]));
            }
            lines
        };
        list::message(frame, inner, lines);
        return;
    }

    let parts = list::areas(inner);
    let visible = usize::from(parts.rows.height);
    // With a filter the list is its matches: positions below, row indices through `row_at`.
    let f = &c.filter;
    let total = c.rows.len();
    let len = f.len(total);
    if len == 0 {
        super::filter::draw_no_match(frame, parts.rows, parts.footer, f, total, theme);
        return;
    }
    let selected = f
        .position(c.selected.min(total - 1))
        .unwrap_or(0)
        .min(len - 1);
    let offset = list::window(selected, 0, len, visible);
    let end = (offset + visible).min(len);
    super::hit::rows(crate::app::Pane::Cameos, parts.rows, offset, end);
    // Beside the details panel the list is narrow: the name and date are in the panel, so
    // the list keeps what tells cameos apart (username, state) readable.
    let narrow = parts.rows.width < NARROW_LIST;
    let widths: Vec<Constraint> = if narrow {
        vec![
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(22),
        ]
    } else {
        vec![
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(18),
            Constraint::Length(22),
            Constraint::Length(16),
        ]
    };
    let header = if narrow {
        Row::new(["", "Username", "State"])
    } else {
        Row::new(["", "Name", "Username", "State", "Created"])
    };
    frame.render_widget(
        Table::new([header.style(theme.header)], widths.clone()).column_spacing(1),
        parts.header,
    );
    let rows: Vec<Row> = (offset..end)
        .filter_map(|pos| {
            let i = f.row_at(pos)?;
            let r = c.rows.get(i)?;
            Some(cameo_row(
                app,
                r,
                &f.hits(i),
                pos == selected,
                narrow,
                theme,
            ))
        })
        .collect();
    frame.render_widget(Table::new(rows, widths).column_spacing(1), parts.rows);
    let position = if f.is_active() {
        super::filter::filter_line(f, len, total, theme)
    } else {
        Line::styled(format!("{}/{len}", selected + 1), theme.dim)
    };
    frame.render_widget(Paragraph::new(position), parts.footer);
}

/// One cameo's row.
fn cameo_row<'a>(
    app: &App,
    r: &'a CameoRow,
    hits: &[crate::app::filter::Hit],
    selected: bool,
    narrow: bool,
    theme: &Theme,
) -> Row<'a> {
    let record = &r.record;
    let mark = super::filter::mark(theme);
    // Fields as `app::pane_filter` gives them: 0 the name, 1 the username.
    let username = match record.username.as_deref() {
        Some(u) if !u.is_empty() => {
            let mut spans = vec![Span::styled("@", theme.text)];
            spans.extend(super::filter::highlight_owned(
                &sanitize(u, 40),
                1,
                hits,
                theme.text,
                mark,
            ));
            Line::from(spans)
        }
        _ => Line::styled("–", theme.dim),
    };
    let state = match app.cameos.busy.get(&record.key) {
        Some(busy) => Span::styled(format!("… {}", sanitize(busy, 40)), theme.warning),
        None => short_state(&record.stage, record.public, theme),
    };
    let marker = Cell::from(if selected { "›" } else { " " });
    let row = if narrow {
        Row::new([marker, Cell::from(username), Cell::from(state)])
    } else {
        Row::new([
            marker,
            Cell::from(Line::from(super::filter::highlight_owned(
                &sanitize(&r.title, 60),
                0,
                hits,
                theme.text,
                mark,
            ))),
            Cell::from(username),
            Cell::from(state),
            Cell::from(Span::styled(r.created.as_str(), theme.dim)),
        ])
    };
    if selected {
        row.style(theme.selected)
    } else {
        row
    }
}

/// The state column: a mark and a few words.
fn short_state(stage: &CameoStage, public: bool, theme: &Theme) -> Span<'static> {
    match stage {
        CameoStage::Uploading => Span::styled("⇡ uploading…", theme.warning),
        CameoStage::UploadFailed { .. } => Span::styled("✗ upload failed", theme.error),
        CameoStage::Processing { status } => {
            Span::styled(format!("◌ {}", sanitize(status, 40)), theme.warning)
        }
        CameoStage::PollStopped { .. } => Span::styled("✗ not checking", theme.error),
        CameoStage::ProcessingFailed { .. } => Span::styled("✗ processing failed", theme.error),
        CameoStage::Ready => Span::styled("● ready to finalize", theme.key),
        CameoStage::Finalizing { .. } => Span::styled("◌ finalizing…", theme.warning),
        CameoStage::FinalizeFailed {
            username_taken: true,
            ..
        } => Span::styled("✗ username taken", theme.error),
        CameoStage::FinalizeFailed { .. } => Span::styled("✗ finalize failed", theme.error),
        CameoStage::Finalized if public => Span::styled("● public", theme.success),
        CameoStage::Finalized => Span::styled("○ private", theme.text),
        CameoStage::Abandoned => Span::styled("– abandoned", theme.dim),
    }
}

/// The pane's key hints for the status bar, from the live keymap: the form's own keys while
/// one is open, else those the pane's bindings declare.
pub fn hints(app: &App) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = Vec::new();
    let mut push = |k: &str, d: &'static str| out.push((k.to_string(), d));
    match &app.cameos.form {
        Some(CameoForm::Create(f)) if f.sending => push("Esc", "close"),
        Some(CameoForm::Create(f)) => {
            push("Enter", "upload");
            if f.field == CreateField::Path {
                push("Tab", "complete");
            }
            push("↑/↓", "field");
            push("Esc", "cancel");
        }
        Some(CameoForm::Finalize(f)) if f.sending => push("Esc", "close"),
        Some(CameoForm::Finalize(f)) => {
            push("Enter", "finalize");
            if f.suggestion.is_some() {
                push("^T", "take suggestion");
            }
            push("Tab/↑/↓", "field");
            if f.field == FinalizeField::Visibility {
                push("Space", "public/private");
            }
            push("Esc", "later");
        }
        // The list: the hints its bindings declare (`app::cameos::default_bindings`).
        None => return super::status::declared(app, &[Context::Cameos]),
    }
    out
}
