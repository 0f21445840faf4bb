//! The extend form (`app/extend.rs`), centred over the Drafts pane: which draft, the prompt
//! line, the 10/15 s toggle, the last failure and the keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::api::ExtensionLength;
use crate::app::extend::ExtendForm;

use super::theme::Theme;
use super::widgets::{centered, fit, line_edit_spans, sanitize};

/// Draws the form in the middle of `area`.
pub fn draw(frame: &mut Frame, area: Rect, form: &ExtendForm, theme: &Theme) {
    let width = area.width.saturating_sub(4).clamp(20.min(area.width), 70);
    let rect = centered(area, width, 9);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focus)
        .title(Span::styled(" Extend draft ", theme.title))
        .padding(ratatui::widgets::Padding::horizontal(1));
    let inner = block.inner(rect);
    let w = usize::from(inner.width).max(1);
    let label = |s: &'static str| Span::styled(s, theme.header);
    let what = format!(
        "{} · {}",
        sanitize(&form.gen_id, 80),
        sanitize(&form.title, 200)
    );
    let mut prompt = vec![label("then:   ")];
    prompt.extend(line_edit_spans(&form.prompt, w.saturating_sub(8), theme));
    let choice = |l: ExtensionLength| {
        let text = format!("+{} s", l.seconds());
        if l == form.length {
            Span::styled(format!("[{text}]"), theme.selected)
        } else {
            Span::styled(format!(" {text} "), theme.dim)
        }
    };
    let status = match (&form.sending, &form.error) {
        (Some(_), _) => Line::styled("sending…", theme.dim),
        (None, Some(e)) => Line::styled(fit(&sanitize(e, 500), w).to_string(), theme.error),
        (None, None) => Line::raw(""),
    };
    let keys = Line::from(vec![
        Span::styled("Enter", theme.key),
        Span::styled(" send  ", theme.dim),
        Span::styled("Tab", theme.key),
        Span::styled(" length  ", theme.dim),
        Span::styled("Esc", theme.key),
        Span::styled(" cancel", theme.dim),
    ]);
    let lines = vec![
        Line::from(vec![
            label("draft:  "),
            Span::styled(fit(&what, w.saturating_sub(8)), theme.text),
        ]),
        Line::raw(""),
        Line::from(prompt),
        Line::from(vec![
            label("length: "),
            choice(ExtensionLength::S10),
            Span::raw(" "),
            choice(ExtensionLength::S15),
        ]),
        Line::raw(""),
        status,
        keys,
    ];
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
