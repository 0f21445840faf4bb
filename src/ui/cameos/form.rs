//! The create form (video path with its completions, clip) and the finalize form (username,
//! display name, visibility), each with its error and what is happening once sent.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Padding, Paragraph, Wrap};

use crate::app::App;
use crate::app::cameos::{
    CameoForm, CameoStage, CreateField, CreateForm, FinalizeField, FinalizeForm, MAX_CLIP_SECS,
};

use super::super::theme::Theme;
use super::super::widgets::{fit_start, line_edit_spans, sanitize};
use crate::app::line_edit::LineEdit;

/// Width of the field labels.
const LABEL: usize = 13;
/// Cells before a field's value: the marker, a space, the label and a space.
const INDENT: usize = LABEL + 3;
/// Completions listed under the path at most.
const MAX_COMPLETIONS: usize = 5;

/// Draws the open form into `area`.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, form: &CameoForm, theme: &Theme) {
    let title = match form {
        CameoForm::Create(f) if app.cameos.row(&f.key).is_some() => " Retry the upload ".into(),
        CameoForm::Create(_) => " New cameo ".to_string(),
        CameoForm::Finalize(f) => {
            let name = app
                .cameos
                .row(&f.key)
                .map(|r| sanitize(&r.title, 40))
                .unwrap_or_default();
            format!(" Finalize {name} ")
        }
    };
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focus)
        .title(Span::styled(title, theme.title))
        .padding(Padding::horizontal(1));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let lines = match form {
        CameoForm::Create(f) => create_lines(f, width, theme),
        CameoForm::Finalize(f) => finalize_lines(app, f, width, theme),
    };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// A field's line: marker, label, value, and the cursor while it has the keyboard.
fn input<'a>(
    label: &str,
    value: &LineEdit,
    editing: bool,
    width: usize,
    theme: &Theme,
) -> Line<'a> {
    let mut spans = prefix(label, editing, theme);
    if editing {
        spans.extend(line_edit_spans(value, width.saturating_sub(INDENT), theme));
    } else {
        // Typed text is sanitised too: a pasted escape sequence must not reach the terminal.
        let shown = sanitize(value.text(), 1000);
        let room = width.saturating_sub(INDENT + 1);
        spans.push(Span::styled(
            fit_start(&shown, room).into_owned(),
            theme.value,
        ));
    }
    Line::from(spans)
}

/// `› Label         `: the marker of the field that has the keyboard, and the label.
fn prefix<'a>(label: &str, editing: bool, theme: &Theme) -> Vec<Span<'a>> {
    vec![
        Span::styled(if editing { "› " } else { "  " }, theme.key),
        Span::styled(format!("{label:<LABEL$} "), theme.dim),
    ]
}

/// A dim explanation under a field, aligned with the values.
fn help<'a>(text: String, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::raw(" ".repeat(INDENT)),
        Span::styled(text, theme.dim),
    ])
}

/// The error of the last attempt, if any.
fn error_line<'a>(error: &Option<String>, theme: &Theme) -> Option<Line<'a>> {
    error
        .as_deref()
        .map(|e| Line::styled(format!("✗ {}", sanitize(e, 600)), theme.error))
}

fn create_lines<'a>(f: &CreateForm, width: usize, theme: &Theme) -> Vec<Line<'a>> {
    let editing = |field| !f.sending && f.field == field;
    let mut lines = vec![input(
        "Video (mp4)",
        &f.path,
        editing(CreateField::Path),
        width,
        theme,
    )];
    let completions = f.path.completions();
    let shown = f.path.shown_completion();
    if completions.is_empty() {
        lines.push(help(
            "a short video of you, by path (Tab completes)".into(),
            theme,
        ));
    } else {
        let room = width.saturating_sub(INDENT);
        // The window of the list that holds the one Tab shows now.
        let first = shown.map_or(0, |i| (i + 1).saturating_sub(MAX_COMPLETIONS));
        for (i, c) in completions
            .iter()
            .enumerate()
            .skip(first)
            .take(MAX_COMPLETIONS)
        {
            let style = if shown == Some(i) {
                theme.selected
            } else {
                theme.dim
            };
            lines.push(Line::from(vec![
                Span::raw(" ".repeat(INDENT)),
                Span::styled(fit_start(&sanitize(c, 500), room).into_owned(), style),
            ]));
        }
        if completions.len() > MAX_COMPLETIONS {
            lines.push(help(
                format!(
                    "{} of {} · Tab cycles",
                    shown.map_or(0, |i| i + 1),
                    completions.len()
                ),
                theme,
            ));
        }
    }
    lines.push(input(
        "Clip (s)",
        &f.clip,
        editing(CreateField::Clip),
        width,
        theme,
    ));
    lines.push(help(
        format!("start,end seconds of the part to use, at most {MAX_CLIP_SECS} s"),
        theme,
    ));
    lines.push(Line::default());
    lines.extend(error_line(&f.error, theme));
    if f.sending {
        lines.push(Line::styled(
            "checking the file, then uploading…",
            theme.warning,
        ));
    } else {
        lines.push(Line::styled(
            "Enter checks the file (MP4 by content, size) and uploads it.",
            theme.dim,
        ));
    }
    lines
}

fn finalize_lines<'a>(app: &App, f: &FinalizeForm, width: usize, theme: &Theme) -> Vec<Line<'a>> {
    let record = app.cameos.row(&f.key).map(|r| &r.record);
    let editing = |field| !f.sending && f.field == field;
    let mut lines = Vec::new();
    if let Some(hints) = record.and_then(|r| r.hints.as_ref()) {
        let mut spans = prefix("Suggested", false, theme);
        if let Some(u) = hints.username.as_deref().filter(|u| !u.is_empty()) {
            spans.push(Span::styled(format!("@{}", sanitize(u, 40)), theme.text));
        }
        if let Some(n) = hints.display_name.as_deref().filter(|n| !n.is_empty()) {
            spans.push(Span::styled(" · ", theme.dim));
            spans.push(Span::styled(sanitize(n, 60), theme.text));
        }
        lines.push(Line::from(spans));
    }
    lines.push(input(
        "Username",
        &f.username,
        editing(FinalizeField::Username),
        width,
        theme,
    ));
    lines.push(help(
        "3-30 lowercase letters, digits, dots; used as @username".into(),
        theme,
    ));
    lines.push(input(
        "Display name",
        &f.display_name,
        editing(FinalizeField::DisplayName),
        width,
        theme,
    ));
    let on_visibility = editing(FinalizeField::Visibility);
    let choice = |label: &'static str, chosen: bool| {
        let mark = if chosen { "● " } else { "○ " };
        let style = if chosen { theme.value } else { theme.dim };
        Span::styled(format!("{mark}{label}"), style)
    };
    let mut visibility = prefix("Visibility", on_visibility, theme);
    visibility.extend([
        choice("private", !f.public),
        Span::raw("  "),
        choice("public", f.public),
    ]);
    if on_visibility {
        visibility.push(Span::styled("  Space switches", theme.dim));
    }
    lines.push(Line::from(visibility));
    lines.push(Line::default());
    lines.extend(error_line(&f.error, theme));
    match record.map(|r| &r.stage) {
        Some(CameoStage::Finalizing { step }) if f.sending => lines.push(Line::styled(
            format!("finalizing: {}…", sanitize(step, 100)),
            theme.warning,
        )),
        // Not finalizing yet: the username is being checked first.
        _ if f.sending => lines.push(Line::styled(
            format!("checking @{}…", sanitize(f.username.text(), 40)),
            theme.warning,
        )),
        _ => lines.push(Line::styled(
            "Enter finalizes (a retry never uploads anything again).",
            theme.dim,
        )),
    }
    lines
}
