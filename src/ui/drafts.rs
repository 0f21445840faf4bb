//! The Drafts pane: the account's drafts (only the visible window is touched, so ten thousand
//! rows cost what twenty do), the loading/error/empty states, and the details of the
//! selected draft: beside the list on wide terminals, instead of it on narrow ones.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Cell, Padding, Paragraph, Row, Table, Wrap};

use crate::app::DraftsAction;
use crate::app::keymap::Action;
use crate::app::{App, DownloadState, DraftRow, DraftsPane, Loading};
use crate::text::{Zone, count, local_date, percent};

use super::list;
use super::pictures::Pictures;

mod gallery;
use super::theme::Theme;
use super::widgets::{bytes, fit_start, key_name, sanitize, tilde, url_host};

/// Terminals at least this wide show the details beside the list.
const SIDE_BY_SIDE: u16 = 120;
/// Width of the details panel beside the list.
const DETAILS_WIDTH: u16 = 66;
/// Largest believable frame side in pixels; a bigger one is not shown.
const MAX_PIXELS: u64 = 100_000;

/// How much of a download is done, `40%` (never past 100%, whatever the sizes).
fn share(done: u64, total: u64) -> String {
    percent(done as f64 / total as f64)
}

/// Draws the Drafts pane into the body area.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, pics: &mut Pictures) {
    let d = &app.drafts;
    let show_details = d.details && !d.rows.is_empty();
    if show_details && area.width < SIDE_BY_SIDE {
        draw_details(frame, area, app, theme, pics);
        return;
    }
    let (list_area, details_area) = if show_details {
        let [l, r] = Layout::horizontal([Constraint::Fill(1), Constraint::Length(DETAILS_WIDTH)])
            .areas(area);
        (l, Some(r))
    } else {
        (area, None)
    };
    if d.gallery && !d.rows.is_empty() {
        gallery::draw(frame, list_area, app, theme, pics);
    } else {
        draw_list(frame, list_area, app, theme);
    }
    if let Some(r) = details_area {
        draw_details(frame, r, app, theme, pics);
    }
}

/// The list with its header and footer, or the message of a list without rows.
fn draw_list(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let d = &app.drafts;
    let mut title = vec![Span::styled(" Drafts ", theme.title)];
    if !d.rows.is_empty() {
        let more = if d.next_cursor.is_some() { "+" } else { "" };
        title.push(Span::styled(
            format!("· {}{more} ", d.rows.len()),
            theme.dim,
        ));
    }
    let block = list::block(Line::from(title), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    if d.rows.is_empty() {
        let refresh = key_name(&app.keymap, Action::Drafts(DraftsAction::Refresh));
        let lines = match &d.loading {
            Loading::Loading => vec![Line::styled("Loading drafts…", theme.dim)],
            Loading::Failed(msg) => vec![
                Line::styled(sanitize(msg, 500), theme.error),
                Line::default(),
                Line::styled(format!("press {refresh} to retry"), theme.dim),
            ],
            Loading::Loaded => vec![
                Line::styled("No drafts yet.", theme.text),
                Line::styled("Finished videos appear here.", theme.dim),
            ],
            Loading::Idle => vec![Line::styled(
                format!("Drafts are not loaded yet: press {refresh} to load them."),
                theme.dim,
            )],
        };
        list::message(frame, inner, lines);
        return;
    }

    let parts = list::areas(inner);
    let visible = usize::from(parts.rows.height);
    // With a filter the list is its matches: positions below, row indices through `row_at`.
    let f = &d.filter;
    let len = f.len(d.rows.len());
    if len == 0 {
        super::filter::draw_no_match(frame, parts.rows, parts.footer, f, d.rows.len(), theme);
        return;
    }
    let selected_row = d.selected.min(d.rows.len() + d.unlisted.len() - 1);
    let selected = f.position(selected_row).unwrap_or(0).min(len - 1);
    let offset = list::window(selected, d.offset, len, visible);
    let end = (offset + visible).min(len);
    super::hit::rows(crate::app::Pane::Drafts, parts.rows, offset, end);

    let widths = [
        Constraint::Length(1),
        Constraint::Length(16),
        Constraint::Length(5),
        Constraint::Length(9),
        Constraint::Length(3),
        Constraint::Length(8),
        Constraint::Fill(1),
    ];
    let header =
        Row::new(["", "Created", "  Len", "State", "Pub", "Download", "Title"]).style(theme.header);
    frame.render_widget(Table::new([header], widths).column_spacing(1), parts.header);
    let rows: Vec<Row> = (offset..end)
        .filter_map(|pos| {
            let i = f.row_at(pos)?;
            match d.rows.get(i) {
                Some(r) => Some(draft_row(
                    d,
                    r,
                    &f.hits(i),
                    pos == selected,
                    &app.info.zone,
                    theme,
                )),
                None => {
                    let e = d.unlisted.get(i - d.rows.len())?;
                    Some(unlisted_row(e, &f.hits(i), pos == selected, theme))
                }
            }
        })
        .collect();
    frame.render_widget(Table::new(rows, widths).column_spacing(1), parts.rows);
    let mut foot = footer(d, f.row_at(selected).unwrap_or(selected_row), theme);
    if f.is_active() {
        // The filter line first, `/owl 12/10000`, then what the footer says of the row.
        let mut line = super::filter::filter_line(f, len, d.rows.len(), theme);
        // The rest of the footer's notes each begin with their ` · `.
        line.spans.extend(foot.spans.drain(1..));
        foot = line;
    }
    frame.render_widget(Paragraph::new(foot), parts.footer);
}

/// The marker of a history row the loaded list does not hold.
pub const NOT_LISTED: &str = "◌ not listed";

/// A history entry matching the filter whose draft is not in the loaded list: dim, marked
/// [`NOT_LISTED`], its one-line prompt highlighted like a draft's title.
fn unlisted_row<'a>(
    e: &crate::history::HistoryEntry,
    hits: &[crate::app::filter::Hit],
    selected: bool,
    theme: &Theme,
) -> Row<'a> {
    // Field 0 exactly as `app::drafts::refilter` gave it, so the marks index it.
    let prompt = crate::app::history::row_texts(e)
        .into_iter()
        .next()
        .unwrap_or_default();
    let duration = e
        .duration_s
        .filter(|s| s.is_finite() && *s > 0.0 && *s < 3600.0)
        .map(|s| format!("{s:.0} s"))
        .unwrap_or_default();
    let row = Row::new([
        Cell::from(if selected { "›" } else { " " }),
        Cell::from(Span::styled(
            NOT_LISTED,
            theme.dim.add_modifier(ratatui::style::Modifier::ITALIC),
        )),
        Cell::from(Line::styled(duration, theme.dim).right_aligned()),
        Cell::from(Span::styled("history", theme.dim)),
        Cell::from(""),
        Cell::from(""),
        Cell::from(Line::from(super::filter::highlight_owned(
            &prompt,
            0,
            hits,
            theme.dim,
            super::filter::mark(theme),
        ))),
    ]);
    if selected {
        row.style(theme.selected)
    } else {
        row
    }
}

/// What the history knows of a "not listed" row, in the details panel: no action applies
/// (the service does not list the draft).
fn draw_unlisted_details(
    frame: &mut Frame,
    area: Rect,
    e: &crate::history::HistoryEntry,
    theme: &Theme,
) {
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focus)
        .title(Span::styled(" Not listed · from the history ", theme.title))
        .padding(Padding::horizontal(1));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let dash = || "–".to_string();
    let id = |v: &Option<String>| v.as_deref().map_or_else(dash, |s| sanitize(s, 80));
    let pixels = |n: Option<f64>| n.and_then(|n| count(n, MAX_PIXELS)).filter(|n| *n > 0);
    let size = match (pixels(e.width), pixels(e.height)) {
        (Some(w), Some(h)) => format!("{w} x {h}"),
        _ => dash(),
    };
    let duration = e
        .duration_s
        .filter(|s| s.is_finite() && *s > 0.0 && *s < 3600.0)
        .map_or_else(dash, |s| format!("{s:.0} s"));
    let gens = if e.generation_ids.is_empty() {
        dash()
    } else {
        e.generation_ids
            .iter()
            .map(|g| sanitize(g, 80))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let settings = e
        .sent
        .as_ref()
        .map_or_else(dash, |s| sanitize(&s.settings.summary(), 200));
    let mut lines = vec![
        Line::styled(
            "The service's list does not hold this draft; this is what the history remembers. No action applies.",
            theme.dim,
        ),
        Line::default(),
    ];
    for (label, value) in [
        ("Entry", sanitize(&e.key, 80)),
        ("Task", id(&e.task_id)),
        ("Gens", gens),
        ("Post", id(&e.post_id)),
        ("Size", size),
        ("Duration", duration),
        ("Settings", settings),
        ("Saved", format!("{} file(s)", e.downloads.len())),
    ] {
        lines.push(Line::from(vec![
            Span::styled(format!("{label:<10}"), theme.dim),
            Span::styled(value, theme.text),
        ]));
    }
    lines.push(Line::default());
    lines.push(Line::styled("Prompt", theme.dim));
    lines.push(Line::styled(sanitize(e.shown_prompt(), 2000), theme.text));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// One draft's row; everything but the download column was formatted when the draft arrived.
fn draft_row<'a>(
    d: &DraftsPane,
    r: &'a DraftRow,
    hits: &[crate::app::filter::Hit],
    selected: bool,
    zone: &Zone,
    theme: &Theme,
) -> Row<'a> {
    // Local time; the zone is named in the details, where there is room.
    let created = r
        .created_at()
        .map(|t| local_date(t, zone, false))
        .unwrap_or_default();
    let state_style = match r.state {
        "ready" => theme.text,
        "blocked" => theme.error,
        _ => theme.warning,
    };
    let published = if d.busy.contains_key(&r.gen_id) {
        Span::styled(" …", theme.warning)
    } else if r.post_id.is_some() {
        Span::styled(" ●", theme.success)
    } else {
        Span::raw("")
    };
    let download = match d.downloads.get(&r.gen_id) {
        // A clean copy publishes and deletes a post around the bytes: say which step.
        Some(DownloadState::Running { done: 0, .. }) if d.stages.contains_key(&r.gen_id) => {
            Span::styled("↓ …", theme.warning)
        }
        Some(DownloadState::Running { done, total }) => {
            let text = match total {
                Some(t) if *t > 0 => format!("↓ {}", share(*done, *t)),
                _ => format!("↓ {}", bytes(*done)),
            };
            Span::styled(text, theme.warning)
        }
        Some(DownloadState::Done(_)) => Span::styled("✓ saved", theme.success),
        Some(DownloadState::Failed(_)) => Span::styled("✗ failed", theme.error),
        None => Span::raw(""),
    };
    let row = Row::new([
        Cell::from(if selected { "›" } else { " " }),
        Cell::from(Span::styled(created, theme.dim)),
        Cell::from(Line::styled(r.duration(), theme.text).right_aligned()),
        Cell::from(Span::styled(r.state, state_style)),
        Cell::from(published),
        Cell::from(download),
        Cell::from(Line::from(super::filter::highlight(
            r.title(),
            0,
            hits,
            theme.text,
            super::filter::mark(theme),
        ))),
    ]);
    if selected {
        row.style(theme.selected)
    } else {
        row
    }
}

/// `5/120 · refreshing… · loading more…`, or the error of a failed refresh.
fn footer<'a>(d: &'a DraftsPane, selected: usize, theme: &Theme) -> Line<'a> {
    let mut spans = vec![Span::styled(
        format!("{}/{}", selected + 1, d.rows.len()),
        theme.dim,
    )];
    let mut note = |text: String, style| {
        spans.push(Span::styled(" · ", theme.dim));
        spans.push(Span::styled(text, style));
    };
    if let Some(busy) = d.rows.get(selected).and_then(|r| d.busy.get(&r.gen_id)) {
        note(busy.label().into(), theme.warning);
    }
    match &d.loading {
        Loading::Loading => note("refreshing…".into(), theme.warning),
        Loading::Failed(msg) => note(sanitize(msg, 200), theme.error),
        _ => {}
    }
    if d.loading_more {
        note("loading more…".into(), theme.warning);
    } else if d.next_cursor.is_some() {
        note("more further down".into(), theme.dim);
    }
    Line::from(spans)
}

/// The details of the selected draft.
fn draw_details(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, pics: &mut Pictures) {
    let d = &app.drafts;
    if let Some(e) = d
        .selected
        .checked_sub(d.rows.len())
        .and_then(|i| d.unlisted.get(i))
    {
        draw_unlisted_details(frame, area, e, theme);
        return;
    }
    let Some(row) = d.rows.get(d.selected.min(d.rows.len().saturating_sub(1))) else {
        return;
    };
    let title = format!(
        " Draft {}/{} ",
        d.selected.min(d.rows.len() - 1) + 1,
        d.rows.len()
    );
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focus)
        .title(Span::styled(title, theme.title))
        .padding(Padding::horizontal(1));
    let mut inner = block.inner(area);
    frame.render_widget(block, area);
    if app.thumbs.enabled && inner.height > 20 {
        let used = draw_thumbnails(frame, inner, app, theme, pics);
        inner.y += used;
        inner.height -= used;
    }

    let value_width = usize::from(inner.width).saturating_sub(11);
    let none = || Span::styled("–", theme.dim);
    let text = |s: String| Span::styled(s, theme.text);
    let mut fields: Vec<(&str, Vec<Span>)> = Vec::with_capacity(12);

    let pixels = |n: Option<f64>| n.and_then(|n| count(n, MAX_PIXELS)).filter(|n| *n > 0);
    let (width, height) = row.size();
    let size = match (pixels(width), pixels(height)) {
        (Some(w), Some(h)) => text(format!("{w} x {h}")),
        _ => none(),
    };
    fields.push(("Size", vec![size]));
    fields.push((
        "Duration",
        vec![if row.duration().is_empty() {
            none()
        } else {
            text(row.duration().to_owned())
        }],
    ));
    fields.push((
        "Created",
        vec![match row.created_at() {
            None => none(),
            Some(t) => text(local_date(t, &app.info.zone, true)),
        }],
    ));
    fields.push(("Gen id", vec![text(sanitize(&row.gen_id, 80))]));
    let task = row
        .task_id()
        .map(|t| sanitize(t, 80))
        .filter(|t| !t.is_empty());
    fields.push(("Task id", vec![task.map(text).unwrap_or_else(none)]));
    let state = vec![Span::styled(
        row.state,
        match row.state {
            "ready" => theme.success,
            "blocked" => theme.error,
            _ => theme.warning,
        },
    )];
    fields.push(("State", state));
    let reason = row.blocked_reason().map(|reason| sanitize(reason, 1000));
    post_fields(&mut fields, row, &app.info.share_origin, theme, value_width);
    if let Some(busy) = d.busy.get(&row.gen_id) {
        fields.push(("Busy", vec![Span::styled(busy.label(), theme.warning)]));
    }
    let media = row.best_url().map(url_host).filter(|h| !h.is_empty());
    fields.push((
        "Media",
        vec![
            media
                .map(text)
                .unwrap_or_else(|| Span::styled("not ready yet", theme.dim)),
        ],
    ));
    let lineage = crate::app::history::lineage(app, row);
    if let Some(post) = &lineage.parent_post {
        let mut parent = sanitize(post, 80);
        if let Some(g) = &lineage.parent_gen {
            parent = format!("{} ({parent})", sanitize(g, 80));
        }
        let mut spans = vec![text(parent)];
        if !lineage.parent_listed {
            spans.push(Span::styled(" · not listed", theme.dim));
        }
        fields.push(("Remix of", spans));
    }
    if lineage.children > 0 {
        fields.push(("Remixes", vec![text(lineage.children.to_string())]));
    }
    // The draft this one continues, when it is an extension (from the history, which
    // keeps what the service's draft said, `creation_config.extension_source`).
    if let Some(parent) = app
        .history
        .by_generation(&row.gen_id)
        .and_then(|e| e.extension_of.as_deref())
    {
        let listed = d.rows.iter().any(|r| r.gen_id == parent);
        let mut spans = vec![text(sanitize(parent, 80))];
        if !listed {
            spans.push(Span::styled(" · not listed", theme.dim));
        }
        fields.push(("Extends", spans));
    }
    // Where a re-run of this draft came from, when it was one.
    if let Some(origin) = d
        .rows
        .get(d.selected)
        .and_then(|r| app.history.by_generation(&r.gen_id))
        .and_then(|e| e.sent.as_ref())
        .and_then(|s| s.origin.as_ref())
    {
        fields.push(("Origin", vec![text(sanitize(&origin.describe(), 120))]));
    }
    let download = download_span(app, row, theme, value_width);
    fields.push(("Download", vec![download]));
    if let Some(stage) = d.stages.get(&row.gen_id) {
        fields.push((
            "Clean copy",
            vec![Span::styled(sanitize(stage, 80), theme.warning)],
        ));
    }

    let mut lines: Vec<Line> = Vec::with_capacity(fields.len() + 8);
    for (label, mut spans) in fields {
        if !label.is_empty() {
            spans.insert(0, Span::styled(format!("{label:<10} "), theme.dim));
        }
        lines.push(Line::from(spans));
    }
    if let Some(reason) = reason {
        lines.push(Line::default());
        lines.push(Line::styled("Why it was blocked", theme.dim));
        lines.push(Line::styled(reason, theme.error));
    }
    lines.push(Line::default());
    lines.push(Line::styled("Prompt", theme.dim));
    prompt_lines(&mut lines, row, theme);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// Rows of the details given to the selected draft's picture (image results: all the
/// variants of its task side by side), and the blank row under it.
const THUMBNAIL_ROWS: u16 = 10;

/// The selected draft's thumbnail, or each variant of an image result, at the top of the
/// details; returns the rows used.
fn draw_thumbnails(
    frame: &mut Frame,
    inner: Rect,
    app: &App,
    theme: &Theme,
    pics: &mut Pictures,
) -> u16 {
    use crate::app::thumbs::{row_key, variants};
    let d = &app.drafts;
    let selected = d.selected.min(d.rows.len().saturating_sub(1));
    let range = variants(&d.rows, selected);
    let n = u16::try_from(range.len().clamp(1, 4)).unwrap_or(1);
    let width = inner.width / n;
    for (slot, i) in range.take(4).enumerate() {
        let area = Rect::new(
            inner.x + u16::try_from(slot).unwrap_or(0) * width,
            inner.y,
            width,
            THUMBNAIL_ROWS - 1,
        );
        pics.draw(
            frame,
            area,
            row_key(&d.rows, i).as_ref(),
            &app.thumbs,
            theme,
        );
    }
    THUMBNAIL_ROWS
}

/// The Post and Link fields of the details.
fn post_fields(
    fields: &mut Vec<(&'static str, Vec<Span<'static>>)>,
    row: &DraftRow,
    origin: &crate::api::ShareOrigin,
    theme: &Theme,
    value_width: usize,
) {
    let text = |s: String| Span::styled(s, theme.text);
    match &row.post_id {
        Some(post) => {
            fields.push(("Post", vec![text(sanitize(post, 80))]));
            // Built from the raw id only when it is an id: a link made from a sanitised
            // version of something else would look right and lead elsewhere.
            match crate::api::share_link(origin, post) {
                Ok(link) => {
                    let link = Span::styled(link, theme.value);
                    // A link is only useful whole: too long for the value column, it gets
                    // its own line.
                    if link.width() <= value_width {
                        fields.push(("Link", vec![link]));
                    } else {
                        fields.push(("Link", vec![]));
                        fields.push(("", vec![link]));
                    }
                }
                Err(_) => fields.push((
                    "Link",
                    vec![Span::styled(
                        "none: the post id is not a usable id",
                        theme.error,
                    )],
                )),
            }
        }
        None => fields.push(("Post", vec![Span::styled("not published", theme.dim)])),
    }
}

/// The Download field of the details: where the download is, or where its file went.
fn download_span(app: &App, row: &DraftRow, theme: &Theme, value_width: usize) -> Span<'static> {
    match app.drafts.downloads.get(&row.gen_id) {
        None => Span::styled("not downloaded", theme.dim),
        Some(DownloadState::Running { done, total }) => Span::styled(
            match total {
                Some(t) if *t > 0 => format!(
                    "downloading {} ({} of {})",
                    share(*done, *t),
                    bytes(*done),
                    bytes(*t)
                ),
                _ => format!("downloading, {} so far", bytes(*done)),
            },
            theme.warning,
        ),
        Some(DownloadState::Done(path)) => {
            let path = tilde(path, &app.info.home);
            Span::styled(
                format!("✓ {}", fit_start(&path, value_width.saturating_sub(2))),
                theme.success,
            )
        }
        Some(DownloadState::Failed(msg)) => {
            Span::styled(format!("✗ {}", sanitize(msg, 300)), theme.error)
        }
    }
}

/// The prompt of the details, line by line, or a dim `(no prompt)`.
fn prompt_lines(lines: &mut Vec<Line<'static>>, row: &DraftRow, theme: &Theme) {
    let prompt = row
        .prompt()
        .filter(|p| !p.trim().is_empty())
        .or(row.server_title())
        .unwrap_or("");
    let mut any = false;
    for l in prompt.lines().take(200) {
        let l = sanitize(l, 4000);
        if !l.is_empty() {
            any = true;
            lines.push(Line::styled(l, theme.text));
        }
    }
    if !any {
        lines.push(Line::styled("(no prompt)", theme.dim));
    }
}
