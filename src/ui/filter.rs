//! Drawing a list's filter (`app::filter`): the filter line (`/owl▏ 12/10000` while typed,
//! the chip `/owl 12/10000` once kept), the message of a filter nothing matches, and the
//! highlighting of the matched characters in a row's text.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::theme::Theme;
use crate::app::filter::{Hit, ListFilter};

/// The style of matched characters: the row's own style, marked.
pub fn mark(theme: &Theme) -> Style {
    theme
        .key
        .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
}

/// `text` cut into spans, the chars the hits of `field` cover in `mark`, the rest in `base`.
/// Hits are char indices (never bytes), so multi-byte text cannot be cut inside a char;
/// hits past the text's end are ignored.
pub fn highlight<'a>(
    text: &'a str,
    field: usize,
    hits: &[Hit],
    base: Style,
    mark: Style,
) -> Vec<Span<'a>> {
    let mut ranges: Vec<(usize, usize)> = hits
        .iter()
        .filter(|h| h.field == field && h.start < h.end)
        .map(|h| (h.start, h.end))
        .collect();
    if ranges.is_empty() {
        return vec![Span::styled(text, base)];
    }
    ranges.sort_unstable();
    // Byte offset of each char boundary, the end included.
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(text.len()))
        .collect();
    let chars = bounds.len() - 1;
    let byte = |c: usize| bounds[c.min(chars)];
    let mut spans = Vec::new();
    let mut at = 0;
    for (start, end) in ranges {
        let start = start.max(at).min(chars);
        let end = end.min(chars);
        if start >= end {
            continue;
        }
        if start > at {
            spans.push(Span::styled(&text[byte(at)..byte(start)], base));
        }
        spans.push(Span::styled(&text[byte(start)..byte(end)], mark));
        at = end;
    }
    if at < chars {
        spans.push(Span::styled(&text[byte(at)..], base));
    }
    spans
}

/// `highlight` for a text the caller owns (a row drawn from a fresh `sanitize`).
pub fn highlight_owned(
    text: &str,
    field: usize,
    hits: &[Hit],
    base: Style,
    mark: Style,
) -> Vec<Span<'static>> {
    highlight(text, field, hits, base, mark)
        .into_iter()
        .map(|s| Span::styled(s.content.into_owned(), s.style))
        .collect()
}

/// The filter line: `/query` (a cursor while it is typed), then `shown/total`.
pub fn filter_line(f: &ListFilter, shown: usize, total: usize, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(
        format!("/{}", crate::text::sanitize(f.query(), 80)),
        theme.key,
    )];
    if f.is_editing() {
        spans.push(Span::styled(" ", theme.cursor));
    }
    spans.push(Span::styled(format!(" {shown}/{total}"), theme.dim));
    Line::from(spans)
}

/// A list whose filter matches nothing: [`no_match`] where the rows go and the filter line
/// (`/query 0/total`) in the footer.
pub fn draw_no_match(
    frame: &mut ratatui::Frame,
    rows: ratatui::layout::Rect,
    footer: ratatui::layout::Rect,
    f: &ListFilter,
    total: usize,
    theme: &Theme,
) {
    super::list::message(frame, rows, vec![no_match(f, theme)]);
    frame.render_widget(
        ratatui::widgets::Paragraph::new(filter_line(f, 0, total, theme)),
        footer,
    );
}

/// What a filter that matches nothing shows instead of the rows.
pub fn no_match(f: &ListFilter, theme: &Theme) -> Line<'static> {
    Line::styled(
        format!(
            "no match for “{}”, Esc clears",
            crate::text::sanitize(f.query(), 80)
        ),
        theme.dim,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_cuts_at_chars_and_merges_nothing_wrong() {
        let base = Style::default();
        let m = Style::default().add_modifier(Modifier::BOLD);
        let hits = [
            Hit {
                field: 0,
                start: 1,
                end: 3,
            },
            Hit {
                field: 1,
                start: 0,
                end: 1,
            },
            Hit {
                field: 0,
                start: 2,
                end: 99,
            },
        ];
        let spans = highlight("ÉtÉ à", 0, &hits, base, m);
        let parts: Vec<(&str, bool)> = spans
            .iter()
            .map(|s| (s.content.as_ref(), s.style == m))
            .collect();
        assert_eq!(parts, [("É", false), ("tÉ", true), (" à", true)]);
        assert_eq!(highlight("abc", 0, &[], base, m).len(), 1);
    }
}
