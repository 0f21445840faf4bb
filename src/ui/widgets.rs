//! Small shared pieces of drawing: the text gauge, spans cut to a width, key labels, paths,
//! rectangle helpers. Pure functions, cheap enough to call for the visible rows of a frame.
//!
//! Sanitising, widths and number formats live in [`crate::text`], shared with the headless
//! commands; they are re-exported here so the panes keep one import.

use ratatui::layout::Rect;
use ratatui::text::Span;

use crate::app::keymap::{Action, Keymap};
pub use crate::text::{bytes, elapsed, fit, fit_start, pad, sanitize, span_of, str_width};

use super::theme::Theme;

/// A one-line field being edited, in `width` cells: the text around a visible cursor cell,
/// scrolled so the cursor is always on screen.
pub fn line_edit_spans(
    edit: &crate::app::line_edit::LineEdit,
    width: usize,
    theme: &Theme,
) -> Vec<Span<'static>> {
    let (shown, col) = edit.view(width);
    let mut before = String::new();
    let mut at = None;
    let mut after = String::new();
    let mut cols = 0;
    for c in shown.chars() {
        if cols < col {
            before.push(c);
        } else if at.is_none() {
            at = Some(c);
        } else {
            after.push(c);
        }
        cols += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
    }
    // Blanks are kept as typed (the sanitiser would fold them); only what could drive the
    // terminal (a file name from a completion can hold anything) is shown as `?`.
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| if crate::text::is_unsafe(c) { '?' } else { c })
            .collect()
    };
    let at = at.map_or(" ".to_string(), |c| safe(&c.to_string()));
    vec![
        Span::styled(safe(&before), theme.value),
        Span::styled(at, theme.cursor),
        Span::styled(safe(&after), theme.value),
    ]
}

/// Cuts a run of spans to at most `width` cells in total, the last kept one ending in `…`.
pub fn clip_spans(spans: Vec<Span<'static>>, width: usize) -> Vec<Span<'static>> {
    let mut out = Vec::with_capacity(spans.len());
    let mut used = 0;
    for span in spans {
        let w = str_width(&span.content);
        if used + w <= width {
            used += w;
            out.push(span);
            continue;
        }
        let room = width - used;
        if room > 0 {
            let cut = fit(&span.content, room).into_owned();
            out.push(Span::styled(cut, span.style));
        }
        break;
    }
    out
}

/// A text progress gauge, `██████░░░░ 60%`: the bar `width` cells wide, then the percentage.
/// A progress that is not a number draws as an empty bar.
pub fn gauge(progress: f64, width: usize, theme: &Theme) -> Vec<Span<'static>> {
    let p = crate::text::fraction(progress);
    let filled = ((p * width as f64).round() as usize).min(width);
    vec![
        Span::styled("█".repeat(filled), theme.gauge_filled),
        Span::styled("░".repeat(width - filled), theme.gauge_empty),
        Span::styled(format!(" {:>4}", crate::text::percent(p)), theme.text),
    ]
}

/// The host of a URL (`videos.example.com`), else the sanitised text cut short: media URLs
/// are long and signed, and the host is what tells the user where the file lives.
pub fn url_host(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => match u.host_str() {
            Some(h) => sanitize(h, 80),
            None => sanitize(url, 40),
        },
        Err(_) => sanitize(url, 40),
    }
}

/// A key label made short for hints: `Ctrl-S` becomes `^S`.
pub fn compact_key(label: &str) -> String {
    label.replace("Ctrl-", "^")
}

/// The first key bound to `action`, compact (`^S`), or `None` when it is unbound.
pub fn first_key(keymap: &Keymap, action: Action) -> Option<String> {
    keymap
        .bindings
        .iter()
        .find(|b| b.action == action)
        .map(|b| compact_key(&b.key.to_string()))
}

/// The first key bound to `action` in full (`Ctrl-S`), for sentences; `?` when unbound.
pub fn key_name(keymap: &Keymap, action: Action) -> String {
    keymap
        .bindings
        .iter()
        .find(|b| b.action == action)
        .map(|b| b.key.to_string())
        .unwrap_or_else(|| "?".to_string())
}

/// A local path for display, `~/…` when under `home`, sanitised.
pub fn tilde(path: &std::path::Path, home: &std::path::Path) -> String {
    let shown = match path.strip_prefix(home) {
        Ok(rest) if !home.as_os_str().is_empty() => format!("~/{}", rest.display()),
        _ => path.display().to_string(),
    };
    sanitize(&shown, 1000)
}

/// A `width` x `height` rectangle centred in `area`, clipped to it.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_panes_get_the_shared_sanitiser() {
        assert_eq!(sanitize("a\x1b[31mred\u{200D}", 100), "ared");
        assert_eq!(fit("日本語", 4), "日…");
    }

    #[test]
    fn clipped_spans_fit_wide_text() {
        let spans = vec![Span::raw("ab"), Span::raw("日本語")];
        let out = clip_spans(spans, 5);
        let width: usize = out.iter().map(|s| str_width(&s.content)).sum();
        assert!(width <= 5, "{out:?}");
    }

    #[test]
    fn spans_that_fit_are_kept_whole_with_their_styles() {
        let bold = ratatui::style::Style::default().add_modifier(ratatui::style::Modifier::BOLD);
        let spans = vec![Span::raw("ab"), Span::styled("cd", bold)];
        // Exactly the width: nothing is cut and no ellipsis is added.
        assert_eq!(
            clip_spans(spans.clone(), 4),
            vec![Span::raw("ab"), Span::styled("cd", bold)]
        );
        assert_eq!(clip_spans(spans, 10).len(), 2);
        assert_eq!(clip_spans(Vec::new(), 10), Vec::<Span<'static>>::new());
    }

    #[test]
    fn the_span_that_overflows_is_cut_with_an_ellipsis_and_the_rest_dropped() {
        let red = ratatui::style::Style::default().fg(ratatui::style::Color::Red);
        let spans = vec![
            Span::raw("ab"),
            Span::styled("日本語", red),
            Span::raw("tail"),
        ];
        // Three cells are left after `ab`: one wide character and the ellipsis, in the
        // cut span's own style; the span after it is gone.
        assert_eq!(
            clip_spans(spans, 5),
            vec![Span::raw("ab"), Span::styled("日…", red)]
        );
    }

    #[test]
    fn a_first_span_wider_than_the_width_is_cut_too() {
        assert_eq!(
            clip_spans(vec![Span::raw("abcdef"), Span::raw("x")], 3),
            vec![Span::raw("ab…")]
        );
        assert_eq!(
            clip_spans(vec![Span::raw("a")], 0),
            Vec::<Span<'static>>::new()
        );
    }

    #[test]
    fn no_empty_span_is_left_when_the_width_is_used_up() {
        // `abc` fills the width exactly, so `d` has no room at all: not even an ellipsis.
        assert_eq!(
            clip_spans(vec![Span::raw("abc"), Span::raw("d")], 3),
            vec![Span::raw("abc")]
        );
    }

    #[test]
    fn url_hosts_fall_back_to_the_sanitised_text() {
        // No host (a `mailto:`), or not a URL at all: the text itself, cleaned and cut.
        assert_eq!(
            url_host("mailto:someone@example.com"),
            "mailto:someone@example.com"
        );
        assert_eq!(url_host("not a url\x1b[31m"), "not a url");
        let long = "x".repeat(100);
        let shown = url_host(&long);
        assert!(str_width(&shown) <= 40, "{shown}");
        assert!(shown.starts_with("xxx"), "{shown}");
    }

    #[test]
    fn gauges_clamp_out_of_range_progress() {
        let t = Theme::default();
        let text = |p: f64, w: usize| -> String {
            gauge(p, w, &t)
                .iter()
                .map(|s| s.content.to_string())
                .collect()
        };
        assert_eq!(text(2.0, 4), "████ 100%");
        assert_eq!(text(-1.0, 4), "░░░░   0%");
        assert_eq!(text(0.5, 0), "  50%");
        let g = gauge(0.25, 4, &t);
        assert_eq!(g[0].style, t.gauge_filled);
        assert_eq!(g[1].style, t.gauge_empty);
    }

    #[test]
    fn key_labels_come_from_the_first_binding() {
        use crate::app::keymap::{Binding, Context, KeySpec};
        let keymap = Keymap {
            bindings: vec![
                Binding {
                    context: Context::Prompt,
                    key: KeySpec::ctrl('s'),
                    action: Action::Submit,
                },
                Binding {
                    context: Context::Global,
                    key: KeySpec::ch('x'),
                    action: Action::Submit,
                },
                Binding {
                    context: Context::Global,
                    key: KeySpec::ch('q'),
                    action: Action::Quit,
                },
            ],
        };
        assert_eq!(first_key(&keymap, Action::Submit).as_deref(), Some("^S"));
        assert_eq!(key_name(&keymap, Action::Submit), "Ctrl-S");
        assert_eq!(first_key(&keymap, Action::Quit).as_deref(), Some("q"));
        assert_eq!(key_name(&keymap, Action::Quit), "q");
        // Unbound: no hint at all, and a placeholder in sentences.
        assert_eq!(first_key(&keymap, Action::Help), None);
        assert_eq!(key_name(&keymap, Action::Help), "?");
    }

    #[test]
    fn paths_under_home_are_shown_with_a_tilde() {
        use std::path::Path;
        let home = Path::new("/home/u");
        assert_eq!(
            tilde(Path::new("/home/u/Videos/a.mp4"), home),
            "~/Videos/a.mp4"
        );
        assert_eq!(tilde(Path::new("/srv/a.mp4"), home), "/srv/a.mp4");
        // A sibling whose name merely starts with the home's is not under it.
        assert_eq!(
            tilde(Path::new("/home/user2/a.mp4"), home),
            "/home/user2/a.mp4"
        );
        // An unknown (empty) home never makes a relative path look home-relative.
        assert_eq!(tilde(Path::new("rel/a.mp4"), Path::new("")), "rel/a.mp4");
        // Control characters in a file name cannot reach the terminal.
        assert_eq!(tilde(Path::new("/home/u/a\x1b[2Jb"), home), "~/ab");
    }

    #[test]
    fn small_formats() {
        assert_eq!(
            url_host("https://videos.example.com/a/b.mp4?sig=x"),
            "videos.example.com"
        );
        assert_eq!(compact_key("Ctrl-S"), "^S");
        let t = Theme::default();
        let g: String = gauge(0.6, 10, &t)
            .iter()
            .map(|s| s.content.to_string())
            .collect();
        assert_eq!(g, "██████░░░░  60%");
        let g: String = gauge(f64::NAN, 4, &t)
            .iter()
            .map(|s| s.content.to_string())
            .collect();
        assert_eq!(g, "░░░░   0%");
    }

    #[test]
    fn centered_fits_inside() {
        let r = centered(Rect::new(0, 0, 80, 24), 100, 10);
        assert_eq!(r, Rect::new(0, 7, 80, 10));
    }

    #[test]
    fn centered_keeps_the_area_offset() {
        let area = Rect::new(10, 5, 40, 20);
        assert_eq!(centered(area, 10, 4), Rect::new(25, 13, 10, 4));
        assert_eq!(centered(area, 40, 20), area);
        assert_eq!(centered(area, 0, 0), Rect::new(30, 15, 0, 0));
    }
}
