//! The Prompt pane: the editor on the left (with the submission message under it) and the
//! generation settings on the right, each with the key that changes it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Padding, Paragraph};

use crate::api::Size;
use crate::app::keymap::Action;
use crate::app::{App, PromptField, PromptPane};

use super::theme::Theme;
use super::widgets::{first_key, fit_start, pad, sanitize, str_width};

/// How many tab completions are listed under the image field at most.
const MAX_COMPLETIONS: usize = 6;

/// Draws the Prompt pane into the body area.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let settings_width = if area.width >= 120 { 50 } else { 40 }.min(area.width / 2);
    let [top, message] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    let [editor, right] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(settings_width)]).areas(top);
    draw_editor(frame, editor, app, theme);
    draw_message(frame, message, &app.prompt, theme);
    draw_settings(frame, right, app, theme);
}

/// The editor inside a block that shows whether keys go to it.
fn draw_editor(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let p = &app.prompt;
    let (title, border) = if p.typing {
        (" Prompt · typing ", theme.border_focus)
    } else {
        (" Prompt ", theme.border)
    };
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(border)
        .padding(Padding::horizontal(1))
        .title(Span::styled(title, theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    if p.editor.is_empty() && !p.typing {
        let key = first_key(&app.keymap, Action::Type).unwrap_or_else(|| "i".into());
        let hint = Line::from(vec![
            Span::styled("Press ", theme.dim),
            Span::styled(key, theme.key),
            Span::styled(" to write a prompt…", theme.dim),
        ]);
        frame.render_widget(Paragraph::new(hint), inner);
        return;
    }
    frame.render_widget(&p.editor, inner);
    if !p.typing {
        // The editor draws its own cursor; while it does not have the keyboard, hide it.
        let calm = Style::new().remove_modifier(Modifier::REVERSED | Modifier::UNDERLINED);
        frame.buffer_mut().set_style(inner, calm);
    } else if p.editor.is_empty() && inner.width > 2 {
        let hint = Rect {
            x: inner.x + 2,
            width: inner.width - 2,
            height: 1,
            ..inner
        };
        let text = "describe what to generate · Esc for the settings and keys";
        frame.render_widget(Paragraph::new(Span::styled(text, theme.dim)), hint);
    }
}

/// The line under the editor: the last error, "submitting…", and the history position.
fn draw_message(frame: &mut Frame, area: Rect, p: &PromptPane, theme: &Theme) {
    let mut spans = vec![Span::raw(" ")];
    if let Some(err) = &p.error {
        spans.push(Span::styled("✗ ", theme.error));
        spans.push(Span::styled(sanitize(err, 300), theme.error));
    } else if p.submitting.is_some() {
        spans.push(Span::styled("submitting…", theme.warning));
    }
    if let Some(pos) = p.history_pos {
        if spans.len() > 1 {
            spans.push(Span::styled(" · ", theme.dim));
        }
        let total = p.history.len().max(pos + 1);
        spans.push(Span::styled(
            format!("history {}/{}", pos + 1, total),
            theme.dim,
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// One row of the settings panel.
struct Setting {
    key: Option<String>,
    label: &'static str,
    value: String,
    /// Not used by the current kind (drawn dim).
    inactive: bool,
    /// Being edited (drawn with a cursor).
    editing: bool,
}

/// The settings panel: every setting with its key, the edited field with a cursor, and the
/// image path completions under the image field.
fn draw_settings(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border)
        .title(Span::styled(" Settings ", theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.width == 0 {
        return;
    }

    let p = &app.prompt;
    let rows = settings(app);

    let key_width = rows
        .iter()
        .filter_map(|r| r.key.as_deref().map(str_width))
        .max()
        .unwrap_or(1);
    let label_width = 11;
    let value_width =
        (inner.width as usize).saturating_sub(1 + key_width + 1 + label_width + 1 + 1);

    let mut lines: Vec<Line> = Vec::with_capacity(rows.len() + MAX_COMPLETIONS + 4);
    for row in &rows {
        if let Some(action) = setting_action(row.label) {
            let at = inner
                .y
                .saturating_add(u16::try_from(lines.len()).unwrap_or(u16::MAX));
            let line = Rect::new(inner.x, at, inner.width, 1).intersection(inner);
            super::hit::record(line, crate::app::mouse::Target::Setting(action));
        }
        let marker = if row.editing { "›" } else { " " };
        let mut spans = vec![
            Span::styled(marker, theme.key),
            Span::styled(pad(row.key.as_deref().unwrap_or(""), key_width), theme.key),
            Span::raw(" "),
            Span::styled(
                pad(row.label, label_width),
                if row.inactive { theme.dim } else { theme.text },
            ),
            Span::raw(" "),
        ];
        if row.editing {
            spans.extend(super::widgets::line_edit_spans(&p.line, value_width, theme));
        } else if row.value.is_empty() {
            spans.push(Span::styled("none", theme.dim));
        } else if row.inactive {
            spans.push(Span::styled(row.value.clone(), theme.dim));
        } else {
            spans.push(Span::styled(
                fit_start(&row.value, value_width).into_owned(),
                theme.value,
            ));
        }
        lines.push(Line::from(spans));

        let completions = p.line.completions();
        let completes = matches!(row.label, "input image" | "batch file");
        if completes && row.editing && !completions.is_empty() {
            let indent = " ".repeat(1 + key_width + 1 + label_width + 1);
            // The window of the list that holds the one Tab shows now.
            let first = p
                .line
                .shown_completion()
                .map_or(0, |i| (i + 1).saturating_sub(MAX_COMPLETIONS));
            for (i, c) in completions
                .iter()
                .enumerate()
                .skip(first)
                .take(MAX_COMPLETIONS)
            {
                let current = p.line.shown_completion() == Some(i);
                let text = fit_start(&sanitize(c, 500), value_width).into_owned();
                let style = if current { theme.selected } else { theme.dim };
                lines.push(Line::from(vec![
                    Span::raw(indent.clone()),
                    Span::styled(text, style),
                ]));
            }
            if completions.len() > MAX_COMPLETIONS {
                let more = format!(
                    "{} of {} · Tab cycles",
                    p.line.shown_completion().map_or(0, |i| i + 1),
                    completions.len()
                );
                lines.push(Line::from(vec![
                    Span::raw(indent.clone()),
                    Span::styled(more, theme.dim),
                ]));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The action a click on a settings row runs: the one its key runs.
fn setting_action(label: &str) -> Option<Action> {
    Some(match label {
        "kind" => Action::ToggleKind,
        "shape" | "orientation" => Action::CycleOrientation,
        "length" => Action::CycleLength,
        "model" => Action::ToggleModel,
        "size" => Action::ToggleSize,
        "style" => Action::CycleStyle,
        "variants" => Action::CycleVariants,
        "input image" => Action::EditImage,
        "remix" => Action::EditRemix,
        _ => return None,
    })
}

/// The rows of the settings panel, from the Prompt pane's state and the keymap (each row's
/// key is the first key bound to its action).
fn settings(app: &App) -> Vec<Setting> {
    let p = &app.prompt;
    let km = &app.keymap;
    let image = p.image_mode;
    let video = &p.video;
    let na = |why: &str| format!("– {why}");
    let orientation = if image {
        let (w, h) = p.shape.dimensions();
        format!("{} {w}x{h}", p.shape.name())
    } else {
        video.orientation.wire().to_string()
    };
    let size = match video.size {
        Size::Small => "standard",
        Size::Large => "HD",
    };
    let text_or_none = |s: &str| {
        if s.is_empty() {
            String::new()
        } else {
            sanitize(s, 500)
        }
    };
    let rows = [
        Setting {
            key: first_key(km, Action::ToggleKind),
            label: "kind",
            value: if image { "image" } else { "video" }.into(),
            inactive: false,
            editing: false,
        },
        Setting {
            key: first_key(km, Action::CycleOrientation),
            label: if image { "shape" } else { "orientation" },
            value: orientation,
            inactive: false,
            editing: false,
        },
        Setting {
            key: first_key(km, Action::CycleLength),
            label: "length",
            value: if image {
                na("video only")
            } else {
                video.length.to_string()
            },
            inactive: image,
            editing: false,
        },
        Setting {
            key: first_key(km, Action::ToggleModel),
            label: "model",
            value: if image {
                na("video only")
            } else {
                video.model.label().into()
            },
            inactive: image,
            editing: false,
        },
        Setting {
            key: first_key(km, Action::ToggleSize),
            label: "size",
            value: if image { na("video only") } else { size.into() },
            inactive: image,
            editing: false,
        },
        Setting {
            key: first_key(km, Action::CycleStyle),
            label: "style",
            value: if image {
                na("video only")
            } else {
                video.style.map_or("none".into(), |s| s.wire().to_string())
            },
            inactive: image,
            editing: false,
        },
        Setting {
            key: first_key(km, Action::CycleVariants),
            label: "variants",
            value: if image {
                p.variants.to_string()
            } else {
                na("image only")
            },
            inactive: !image,
            editing: false,
        },
        Setting {
            key: first_key(km, Action::EditImage),
            label: "input image",
            value: text_or_none(&p.image_path),
            inactive: false,
            editing: p.field == Some(PromptField::ImagePath),
        },
        Setting {
            key: first_key(km, Action::EditRemix),
            label: "remix",
            value: text_or_none(&p.remix),
            inactive: false,
            editing: p.field == Some(PromptField::Remix),
        },
    ];
    // The batch file field is a row only while it is open: a batch is no setting.
    let batch = (p.field == Some(PromptField::BatchPath)).then(|| Setting {
        key: first_key(km, Action::OpenBatch),
        label: "batch file",
        value: text_or_none(&p.batch_path),
        inactive: false,
        editing: true,
    });
    rows.into_iter().chain(batch).collect()
}
