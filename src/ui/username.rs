//! The account's username form (`Modal::Username`, opened with `U`): one line for the
//! name, what is wrong with the last one (taken, with the suggestion), and what is
//! happening once sent.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Padding, Paragraph, Wrap};

use crate::app::username::UsernameForm;

use super::theme::Theme;
use super::widgets::{centered, fit_start, line_edit_spans, sanitize};

/// Width of the form, at most.
const WIDTH: u16 = 64;
/// Height of the form: borders, two lines of text, the field, a gap, two status lines.
const HEIGHT: u16 = 9;

/// Draws the form centred in `area`.
pub fn draw(frame: &mut Frame, area: Rect, form: &UsernameForm, theme: &Theme) {
    let rect = centered(area, WIDTH, HEIGHT);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focus)
        .title(Span::styled(" Choose your username ", theme.title))
        .padding(Padding::horizontal(1));
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    let width = usize::from(inner.width);
    let mut lines = vec![
        Line::styled(
            "This account has no username yet; generating needs one.",
            theme.text,
        ),
        Line::styled("3-30 lowercase letters, digits and dots.", theme.dim),
    ];
    let mut field = vec![Span::styled("@ ", theme.key)];
    if form.sending {
        let shown = sanitize(form.name.text(), 100);
        field.push(Span::styled(
            fit_start(&shown, width.saturating_sub(3)).into_owned(),
            theme.value,
        ));
    } else {
        field.extend(line_edit_spans(&form.name, width.saturating_sub(3), theme));
    }
    lines.push(Line::from(field));
    lines.push(Line::default());
    if let Some(e) = &form.error {
        lines.push(Line::styled(format!("✗ {}", sanitize(e, 300)), theme.error));
    }
    if form.sending {
        lines.push(Line::styled(
            format!("checking @{}…", sanitize(form.name.text(), 40)),
            theme.warning,
        ));
    } else if form.error.is_none() {
        lines.push(Line::styled(
            "Enter checks it and sets it · Esc cancels",
            theme.dim,
        ));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// The status bar's hints while the form is open.
pub fn hints(form: &UsernameForm) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = Vec::new();
    if form.sending {
        out.push(("Esc".into(), "close"));
        return out;
    }
    out.push(("Enter".into(), "check & set"));
    if form.suggestion.is_some() {
        out.push(("^T".into(), "take suggestion"));
    }
    out.push(("Esc".into(), "cancel"));
    out
}
