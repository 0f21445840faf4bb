//! The Storyboard pane: the instructions on top, the shot list (number, duration, scene), the
//! editor of the scene being typed, the timeline and the settings; or, toggled, the exact
//! prompt text that submitting sends. The file picker, name prompt and cameo picker are drawn
//! over it by `overlays`, the timeline bar by `timeline`.

mod overlays;
mod timeline;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, BorderType, Padding, Paragraph, Wrap};

use crate::api::Size;
use crate::app::App;
use crate::app::keymap::{Action, Context};
use crate::app::storyboard::{
    Overlay, StoryboardAction, StoryboardEdit, StoryboardPane, TextEditor,
};
use crate::storyboard::timing::Balance;

use super::list;
use super::theme::Theme;
use super::widgets::{first_key, fit, key_name, pad, sanitize, str_width};

/// Rows of the scene editor box (borders included).
const EDITOR_ROWS: u16 = 6;

/// Draws the pane into `area`.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let [body, message] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    if app.storyboard.preview {
        draw_preview(frame, body, app, theme);
    } else {
        draw_board(frame, body, app, theme);
    }
    draw_message(frame, message, &app.storyboard, theme);
    overlays::draw(frame, body, app, theme);
}

/// The key of a pane action, compact (`^S`), or `None` when unbound.
fn key(app: &App, action: StoryboardAction) -> Option<String> {
    first_key(&app.keymap, Action::Storyboard(action))
}

/// The key of a pane action in full, for sentences.
fn key_full(app: &App, action: StoryboardAction) -> String {
    key_name(&app.keymap, Action::Storyboard(action))
}

/// The block title: the file's name (or "untitled") and whether it is modified.
fn title(p: &StoryboardPane, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(" Storyboard · ", theme.title)];
    match p.file_name() {
        Some(name) => {
            spans.push(Span::styled(sanitize(&name, 60), theme.title));
            if p.modified() {
                spans.push(Span::styled(" · modified", theme.warning));
            }
        }
        None => spans.push(Span::styled("untitled", theme.dim)),
    }
    spans.push(Span::raw(" "));
    Line::from(spans)
}

/// The shot count and lengths on the right of the border.
fn counts(p: &StoryboardPane, theme: &Theme) -> Line<'static> {
    let n = p.board.shots.len();
    let noun = if n == 1 { "shot" } else { "shots" };
    Line::styled(format!(" {n} {noun} "), theme.dim).right_aligned()
}

fn draw_board(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let p = &app.storyboard;
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border)
        .padding(Padding::horizontal(1))
        .title(title(p, theme))
        .title(counts(p, theme));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 4 || inner.width < 10 {
        return;
    }
    let typing = p.typing.as_ref().map(|t| t.target);
    let instructions_rows = match typing {
        Some(StoryboardEdit::Instructions) => EDITOR_ROWS,
        _ if inner.height >= 30 => 5,
        _ => 3,
    };
    let editor_rows = match typing {
        Some(StoryboardEdit::Scene(_)) => EDITOR_ROWS,
        _ => 0,
    };
    let [instructions, _, shots, editor, _, timeline, settings] = Layout::vertical([
        Constraint::Length(instructions_rows),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(editor_rows),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);

    draw_instructions(frame, instructions, app, theme);
    draw_shots(frame, shots, app, theme);
    if let (Some(StoryboardEdit::Scene(i)), Some(t)) = (typing, &p.typing) {
        let title = format!(" Shot {} · scene · typing ", i + 1);
        draw_editor(
            frame,
            editor,
            &t.editor,
            &title,
            "what the camera sees",
            theme,
        );
    }
    let selected = (!p.board.shots.is_empty()).then_some(p.selected);
    frame.render_widget(
        Paragraph::new(timeline::line(
            &p.board,
            selected,
            usize::from(timeline.width),
            theme,
        )),
        timeline,
    );
    frame.render_widget(Paragraph::new(settings_line(app, theme)), settings);
}

/// The instructions: a heading with its key, then the text (wrapped, cut to the area), or the
/// editor while they are typed.
fn draw_instructions(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let p = &app.storyboard;
    if let Some(t) = p
        .typing
        .as_ref()
        .filter(|t| t.target == StoryboardEdit::Instructions)
    {
        let hint = "style, characters, mood: what applies to every shot";
        draw_editor(
            frame,
            area,
            &t.editor,
            " Instructions · typing ",
            hint,
            theme,
        );
        return;
    }
    let [heading, text] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    let mut spans = vec![Span::styled("Instructions", theme.header)];
    if let Some(k) = key(app, StoryboardAction::EditInstructions) {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(k, theme.key));
        spans.push(Span::styled(" edit", theme.dim));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), heading);
    let instructions = &p.board.instructions;
    let body = if instructions.trim().is_empty() {
        Text::from(Line::styled(
            "none: they apply to the whole video (style, characters, mood)",
            theme.dim,
        ))
    } else {
        // One paragraph per line of the text, each made safe to draw.
        Text::from(
            instructions
                .lines()
                .map(|l| Line::styled(sanitize(l, 2000), theme.text))
                .collect::<Vec<_>>(),
        )
    };
    frame.render_widget(Paragraph::new(body).wrap(Wrap { trim: true }), text);
}

/// The scene or instructions editor in a focused box.
fn draw_editor(
    frame: &mut Frame,
    area: Rect,
    editor: &TextEditor,
    title: &str,
    placeholder: &str,
    theme: &Theme,
) {
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focus)
        .title(Span::styled(title.to_string(), theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    frame.render_widget(&editor.0, inner);
    if editor.0.is_empty() && inner.width > 2 {
        let hint = Rect {
            x: inner.x + 1,
            width: inner.width - 1,
            height: 1,
            ..inner
        };
        frame.render_widget(
            Paragraph::new(Span::styled(placeholder.to_string(), theme.dim)),
            hint,
        );
    }
}

/// The shot list: a header, then one row per visible shot (the selected one highlighted), or
/// how to start when there are none.
fn draw_shots(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let p = &app.storyboard;
    let shots = &p.board.shots;
    if area.height == 0 {
        return;
    }
    if shots.is_empty() {
        let add = key_full(app, StoryboardAction::AddShot);
        let open = key_full(app, StoryboardAction::Open);
        let lines = vec![
            Line::styled("No shots yet.", theme.text),
            Line::styled(
                format!("Press {add} to add the first shot, {open} to open a storyboard file,"),
                theme.dim,
            ),
            Line::styled(
                "or paste one written like: A cat's adventure [5.0s]cat jumps [5.0s]cat lands",
                theme.dim,
            ),
        ];
        list::message(frame, area, lines);
        return;
    }
    let [header, rows] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    super::hit::record(rows, super::hit::list(crate::app::Pane::Storyboard));
    let width = usize::from(area.width);
    let scene_width = width.saturating_sub(12);
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!("{}{}", pad("  #   Time", 12), "Scene"),
            theme.header,
        )),
        header,
    );
    let visible = usize::from(rows.height);
    let selected = p.selected.min(shots.len() - 1);
    // With room for every shot, each shows up to three lines of its scene; otherwise one line
    // each, scrolled to keep the selection visible.
    let per_shot = (visible / shots.len()).clamp(1, 3);
    let offset = if per_shot > 1 {
        0
    } else {
        list::window(selected, 0, shots.len(), visible)
    };
    let editing = p.typing.as_ref().and_then(|t| match t.target {
        StoryboardEdit::Scene(i) => Some(i),
        StoryboardEdit::Instructions => None,
    });
    let mut lines: Vec<Line> = Vec::with_capacity(visible);
    for (i, shot) in shots.iter().enumerate().skip(offset) {
        if lines.len() >= visible {
            break;
        }
        let marker = if editing == Some(i) { "›" } else { " " };
        let head = format!(
            "{marker}{:>2}  {:>5}  ",
            i + 1,
            format!("{:.1} s", shot.duration)
        );
        let scene = sanitize(&shot.scene, 4000);
        let (texts, scene_style) = if scene.is_empty() {
            (vec!["(no scene yet)".to_string()], theme.dim)
        } else {
            (wrap_words(&scene, scene_width, per_shot), theme.text)
        };
        let shot = Rect {
            y: rows.y + u16::try_from(lines.len()).unwrap_or(u16::MAX),
            height: u16::try_from(texts.len()).unwrap_or(1),
            ..rows
        };
        let target = crate::app::mouse::Target::Row {
            pane: crate::app::Pane::Storyboard,
            index: i,
        };
        super::hit::record(shot.intersection(rows), target);
        for (n, text) in texts.into_iter().enumerate() {
            let lead = if n == 0 { head.clone() } else { " ".repeat(12) };
            lines.push(if i == selected {
                Line::styled(pad(&format!("{lead}{text}"), width), theme.selected)
            } else {
                Line::from(vec![
                    Span::styled(lead, theme.text),
                    Span::styled(text, scene_style),
                ])
            });
        }
    }
    lines.truncate(visible);
    frame.render_widget(Paragraph::new(lines), rows);
}

/// `text` wrapped at spaces into at most `max_lines` lines of `width` cells; the last one
/// ends in `…` when text was left out. Words longer than a line are cut.
fn wrap_words(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut cut = false;
    for word in text.split(' ') {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if str_width(&candidate) <= width {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        if lines.len() == max_lines {
            cut = true;
            break;
        }
        current = fit(word, width).into_owned();
    }
    if !cut && !current.is_empty() {
        if lines.len() == max_lines {
            cut = true;
        } else {
            lines.push(current);
        }
    }
    if cut && let Some(last) = lines.last_mut() {
        let room = width.saturating_sub(1);
        *last = format!("{}…", fit(last, room).trim_end_matches('…'));
    }
    lines
}

/// The settings with the keys that change them.
fn settings_line(app: &App, theme: &Theme) -> Line<'static> {
    let s = &app.storyboard.board.settings;
    let size = match s.size {
        Size::Small => "standard",
        Size::Large => "HD",
    };
    let items = [
        (
            StoryboardAction::CycleOrientation,
            s.orientation.wire().to_string(),
        ),
        (StoryboardAction::CycleLength, s.length.to_string()),
        (StoryboardAction::ToggleModel, s.model.label().to_string()),
        (StoryboardAction::ToggleSize, size.to_string()),
        (
            StoryboardAction::CycleStyle,
            s.style
                .map_or("no style".into(), |x| format!("style {}", x.wire())),
        ),
    ];
    let mut spans = Vec::new();
    for (action, value) in items {
        if !spans.is_empty() {
            spans.push(Span::raw("  "));
        }
        if let Some(k) = key(app, action) {
            spans.push(Span::styled(k, theme.key));
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(value, theme.value));
    }
    Line::from(spans)
}

/// The exact prompt text, scrollable, with whether it can be sent as it is.
fn draw_preview(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let p = &app.storyboard;
    let text = p.board.prompt_text();
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focus)
        .padding(Padding::horizontal(1))
        .title(Span::styled(" Exact prompt ", theme.title))
        .title(
            Line::styled(
                format!(" {} bytes · POST /nf/create/storyboard ", text.len()),
                theme.dim,
            )
            .right_aligned(),
        );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 2 {
        return;
    }
    let [status, _, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(inner);
    let submit = key_full(app, StoryboardAction::Submit);
    let status_line = match p.board.validate() {
        Ok(()) => Line::from(vec![
            Span::styled("✓ ", theme.success),
            Span::styled(
                format!("{submit} sends exactly this text, with "),
                theme.text,
            ),
            Span::styled(settings_summary(app), theme.value),
        ]),
        Err(problem) => Line::from(vec![
            Span::styled("✗ not ready: ", theme.error),
            Span::styled(problem.to_string(), theme.error),
        ]),
    };
    frame.render_widget(
        Paragraph::new(status_line).wrap(Wrap { trim: true }),
        status,
    );
    // Line by line, so the text's own line breaks show; each line is made safe to draw.
    let lines: Vec<Line> = text
        .split('\n')
        .map(|l| Line::styled(sanitize(l, 4000), theme.text))
        .collect();
    // Rows once wrapped, about (word wrapping may need a few more): the scroll stops there.
    let width = usize::from(body.width.max(1));
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(width).max(1)).sum();
    let rows = u16::try_from(rows).unwrap_or(u16::MAX);
    let scroll = p.preview_scroll.min(rows.saturating_sub(body.height));
    if rows > body.height {
        let more = Line::styled(
            format!(
                " lines {}-{} of {rows} ",
                scroll + 1,
                (scroll + body.height).min(rows)
            ),
            theme.dim,
        )
        .right_aligned();
        let bottom = Rect {
            y: area.bottom().saturating_sub(1),
            height: 1,
            x: area.x + 1,
            width: area.width.saturating_sub(2),
        };
        frame.render_widget(Paragraph::new(more), bottom);
    }
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    frame.render_widget(paragraph.scroll((scroll, 0)), body);
    super::hit::record(area, super::hit::PREVIEW);
}

/// `landscape · 10 s · Sora 2 · standard`.
fn settings_summary(app: &App) -> String {
    app.storyboard.board.settings.summary()
}

/// The line under the pane: why the last submit was refused, or that one is on its way.
fn draw_message(frame: &mut Frame, area: Rect, p: &StoryboardPane, theme: &Theme) {
    let mut spans = vec![Span::raw(" ")];
    if let Some(message) = &p.message {
        spans.push(Span::styled("✗ ", theme.error));
        spans.push(Span::styled(sanitize(message, 400), theme.error));
    } else if p.submitting.is_some() {
        spans.push(Span::styled("submitting…", theme.warning));
    } else if let Balance::Over(_) | Balance::Left(_) = p.board.balance()
        && !p.board.shots.is_empty()
    {
        spans.push(Span::styled(
            "the shots must add up to the length before submitting",
            theme.dim,
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The pane's key hints for the status bar, from the live keymap: those of the overlay, the
/// editor or the preview when one has the keyboard, else those the pane's bindings declare.
pub fn hints(app: &App) -> Vec<(String, &'static str)> {
    use StoryboardAction as A;
    let p = &app.storyboard;
    let k = |a: A| key(app, a);
    let pair = |a: A, b: A| match (k(a), k(b)) {
        (Some(x), Some(y)) => Some(format!("{x}/{y}")),
        (x, y) => x.or(y),
    };
    let mut out: Vec<(Option<String>, &'static str)> = Vec::new();
    match &p.overlay {
        Some(Overlay::Files { .. }) => {
            out.push((Some("Enter".into()), "open"));
            out.push((Some("r".into()), "rename"));
            out.push((Some("d".into()), "delete"));
            out.push((Some("Esc".into()), "close"));
        }
        Some(Overlay::Name(input)) => {
            let verb = match input.purpose {
                crate::app::storyboard::NamePurpose::SaveAs => "save",
                crate::app::storyboard::NamePurpose::Rename(_) => "rename",
                crate::app::storyboard::NamePurpose::Import => "import",
            };
            out.push((Some("Enter".into()), verb));
            out.push((Some("Esc".into()), "cancel"));
        }
        Some(Overlay::Cameos { .. }) => {
            out.push((Some("Enter".into()), "insert"));
            out.push((Some("Esc".into()), "close"));
        }
        None if p.typing.is_some() => {
            // Only the Ctrl/Alt keys work while typing: the others type.
            out.push((Some("Esc".into()), "done"));
            out.push((ctrl_key(app, A::Submit), "submit"));
            out.push((ctrl_key(app, A::Queue), "queue"));
            out.push((ctrl_key(app, A::ExternalEditor), "$EDITOR"));
            out.push((ctrl_key(app, A::InsertCameo), "@cameo"));
        }
        None if p.preview => {
            out.push((k(A::Preview).map(|p| format!("{p}/Esc")), "back to shots"));
            out.push((pair(A::Down, A::Up), "scroll"));
            out.push((k(A::Submit), "submit"));
        }
        // The main view: the hints its bindings declare (`app::storyboard::default_bindings`).
        None => return super::status::declared(app, &[Context::Storyboard]),
    }
    out.into_iter()
        .filter_map(|(k, d)| k.map(|k| (k, d)))
        .collect()
}

/// The first Ctrl/Alt key of an action (what works while typing), compact.
fn ctrl_key(app: &App, action: StoryboardAction) -> Option<String> {
    app.keymap
        .bindings
        .iter()
        .find(|b| b.action == Action::Storyboard(action) && (b.key.ctrl || b.key.alt))
        .map(|b| super::widgets::compact_key(&b.key.to_string()))
}

#[cfg(test)]
mod tests {
    use super::wrap_words;

    #[test]
    fn scenes_wrap_at_words_and_say_when_cut() {
        assert_eq!(wrap_words("a cat jumps", 20, 3), ["a cat jumps"]);
        assert_eq!(
            wrap_words("a cat jumps from a plane", 11, 3),
            ["a cat jumps", "from a", "plane"]
        );
        assert_eq!(
            wrap_words("a cat jumps from a plane", 11, 2),
            ["a cat jumps", "from a…"]
        );
        assert_eq!(wrap_words("abcdefghijklmnop", 5, 2), ["abcd…"]);
        assert_eq!(wrap_words("日本語のテキスト", 6, 1), ["日本…"]);
    }
}
