//! Small shared pieces: text sanitising and fitting, the text gauge, durations, key labels,
//! rectangle helpers. Pure functions, cheap enough to call for the visible rows of a frame.

use std::borrow::Cow;

use ratatui::layout::Rect;
use ratatui::text::Span;

use crate::app::keymap::{Action, Keymap};

use super::theme::Theme;

/// Whether a character must never reach the terminal: C0/C1 controls, DEL, and the
/// bidirectional overrides that can make text display differently from what it is.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Server or user text made safe to draw on one line: control characters (ESC, CR, …) become
/// spaces, runs of whitespace collapse, and it is cut at `max` characters with `…`.
pub fn sanitize(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max.saturating_mul(4)));
    let mut count = 0;
    let mut pending_space = false;
    let mut overflow = false;
    for c in text.chars() {
        if is_unsafe(c) || c.is_whitespace() {
            pending_space = count > 0;
            continue;
        }
        let needed = if pending_space { 2 } else { 1 };
        if count + needed > max {
            overflow = true;
            break;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
        count += needed;
    }
    if overflow && max > 0 {
        while count >= max {
            out.pop();
            count -= 1;
        }
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
        out.push('…');
    }
    out
}

/// Display width of one character in terminal cells.
pub fn char_width(c: char) -> usize {
    let mut buf = [0u8; 4];
    Span::raw(&*c.encode_utf8(&mut buf)).width()
}

/// Display width of a string in terminal cells.
pub fn str_width(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        Span::raw(s).width()
    }
}

/// Cuts `s` to at most `width` cells, ending in `…` when something was cut.
pub fn fit(s: &str, width: usize) -> Cow<'_, str> {
    // A character never takes more cells than its UTF-8 bytes, so short strings fit as they are.
    if s.len() <= width || str_width(s) <= width {
        return Cow::Borrowed(s);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = char_width(c);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    Cow::Owned(out)
}

/// Cuts `s` to at most `width` cells keeping its end (`…/dir/file.png`), for paths.
pub fn fit_start(s: &str, width: usize) -> Cow<'_, str> {
    if s.len() <= width || str_width(s) <= width {
        return Cow::Borrowed(s);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let mut kept: Vec<char> = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let w = char_width(c);
        if used + w > width - 1 {
            break;
        }
        kept.push(c);
        used += w;
    }
    let mut out = String::from("…");
    out.extend(kept.into_iter().rev());
    Cow::Owned(out)
}

/// Cuts a run of spans to at most `width` cells in total, the last kept one ending in `…`.
pub fn clip_spans(spans: Vec<Span<'static>>, width: usize) -> Vec<Span<'static>> {
    let mut out = Vec::with_capacity(spans.len());
    let mut used = 0;
    for span in spans {
        let w = span.width();
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

/// Pads or cuts `s` to exactly `width` cells.
pub fn pad(s: &str, width: usize) -> String {
    let cut = fit(s, width);
    let w = str_width(&cut);
    let mut out = cut.into_owned();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
}

/// A text progress gauge, `██████░░░░ 60%`: the bar `width` cells wide, then the percentage.
pub fn gauge(progress: f64, width: usize, theme: &Theme) -> Vec<Span<'static>> {
    let p = if progress.is_finite() {
        progress.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let filled = ((p * width as f64).round() as usize).min(width);
    vec![
        Span::styled("█".repeat(filled), theme.gauge_filled),
        Span::styled("░".repeat(width - filled), theme.gauge_empty),
        Span::styled(format!(" {:>3}%", (p * 100.0).round() as u32), theme.text),
    ]
}

/// Seconds as `m:ss` (minutes keep counting past an hour: `75:02`).
pub fn elapsed(secs: f64) -> String {
    let s = if secs.is_finite() && secs > 0.0 {
        secs as u64
    } else {
        0
    };
    format!("{}:{:02}", s / 60, s % 60)
}

/// Seconds as a short span for "resets in": `45 s`, `12 min`, `3 h 20 min`.
pub fn span_of(secs: f64) -> String {
    let s = if secs.is_finite() && secs > 0.0 {
        secs as u64
    } else {
        0
    };
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s.div_ceil(60)),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

/// Bytes as `512 B`, `3.4 MB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1000.0;
    let mut unit = 0;
    while v >= 1000.0 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
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
    fn sanitize_strips_controls_and_cuts() {
        assert_eq!(
            sanitize("a\x1b[31mred\r\nnext\u{202E}x", 100),
            "a [31mred next x"
        );
        assert_eq!(sanitize("  lots   of\tspace  ", 100), "lots of space");
        assert_eq!(sanitize("abcdef", 4), "abc…");
        assert_eq!(sanitize("abcd", 4), "abcd");
        assert!(!sanitize("\u{9b}2J", 10).contains('\u{9b}'));
    }

    #[test]
    fn fitting_respects_width() {
        assert_eq!(fit("hello", 5), "hello");
        assert_eq!(fit("hello world", 6), "hello…");
        assert_eq!(fit_start("/a/b/c/file.png", 9), "…file.png");
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(fit("日本語", 4), "日…");
    }

    #[test]
    fn small_formats() {
        assert_eq!(elapsed(75.9), "1:15");
        assert_eq!(elapsed(-3.0), "0:00");
        assert_eq!(elapsed(4502.0), "75:02");
        assert_eq!(bytes(4_000_000), "4.0 MB");
        assert_eq!(span_of(7300.0), "2 h 1 min");
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
    }

    #[test]
    fn centered_fits_inside() {
        let r = centered(Rect::new(0, 0, 80, 24), 100, 10);
        assert_eq!(r, Rect::new(0, 7, 80, 10));
    }
}
