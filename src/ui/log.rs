//! The config warning bar and the message log overlay: the config problems first, then every
//! toast shown, newest first, with how long ago it was shown.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::app::App;
use crate::app::keymap::Action;

use super::theme::Theme;
use super::widgets::{centered, fit, key_name, sanitize};

/// The one-line bar under the tab bar while the config file has problems: how many, and the
/// key that lists them (with one problem, the problem itself too, as far as it fits).
pub fn draw_warning_bar(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let n = app.config_problems.len();
    let key = key_name(&app.keymap, Action::MessageLog);
    let mut text = format!(
        " ! {n} config problem{} — press {key} to read",
        if n == 1 { "" } else { "s" }
    );
    if let [only] = app.config_problems.as_slice() {
        text = format!("{text} · {}", sanitize(only, 500));
    }
    let line = Line::styled(
        fit(&text, usize::from(area.width)).into_owned(),
        theme.warning,
    );
    frame.render_widget(Paragraph::new(line), area);
}

/// The message log overlay, from entry `scroll` on: the config problems, then the messages
/// newest first, each wrapped to the width so nothing is cut.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, scroll: usize) {
    let rect = centered(
        area,
        area.width.saturating_sub(4).clamp(30, 120),
        area.height.saturating_sub(2).max(6),
    );
    let key = key_name(&app.keymap, Action::MessageLog);
    let total = app.config_problems.len() + app.log.len();
    let position = if total == 0 {
        String::new()
    } else {
        format!(" · {}/{total}", scroll.min(total - 1) + 1)
    };
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focus)
        .title(Span::styled(format!(" Messages{position} "), theme.title))
        .title_bottom(
            Line::styled(
                format!(" j/k PgUp/PgDn scroll · Esc, q or {key} closes "),
                theme.dim,
            )
            .right_aligned(),
        )
        .padding(ratatui::widgets::Padding::horizontal(1));
    let mut lines: Vec<Line> = Vec::new();
    let problems = app.config_problems.len();
    if scroll < problems {
        lines.push(Line::styled(
            format!("Config problems ({problems})"),
            theme.title,
        ));
        for p in &app.config_problems[scroll..] {
            lines.push(Line::from(vec![
                Span::styled("! ", theme.warning),
                Span::styled(sanitize(p, 2000), theme.text),
            ]));
        }
        lines.push(Line::default());
    }
    let skip = scroll.saturating_sub(problems);
    if skip < app.log.len() {
        lines.push(Line::styled(
            format!("Messages ({}), newest first", app.log.len()),
            theme.title,
        ));
        for entry in app.log.iter().rev().skip(skip) {
            let (mark, style) = if entry.error {
                ("✗ ", theme.error)
            } else {
                ("• ", theme.text)
            };
            lines.push(Line::from(vec![
                Span::styled(
                    format!("{:>14}  ", crate::text::ago(app.now - entry.at)),
                    theme.dim,
                ),
                Span::styled(mark, style),
                Span::styled(sanitize(&entry.text, 1000), style),
            ]));
        }
    }
    if total == 0 {
        lines.push(Line::styled(
            "No messages yet: what the corner shows is kept here.",
            theme.dim,
        ));
    }
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}
