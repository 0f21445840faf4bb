//! The timeline: one bar whose segments are the shots in proportion to the video (or to the
//! shots' sum when they run over), the part not covered yet, and how many seconds are left or
//! over. Segments are told apart by a `▏` and their number as well as by colour, so the bar
//! reads the same on a monochrome terminal.

use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use crate::storyboard::Storyboard;
use crate::storyboard::timing::{Balance, from_tenths, tenths, total_tenths};

use super::super::theme::Theme;
use super::super::widgets::str_width;

/// The timeline line for `board`, `width` cells wide, the selected shot marked.
pub fn line(
    board: &Storyboard,
    selected: Option<usize>,
    width: usize,
    theme: &Theme,
) -> Line<'static> {
    let length = board.settings.length.seconds();
    let (status, status_style) = match board.balance() {
        Balance::Fits => ("✓ fits".to_string(), theme.success),
        Balance::Left(s) => (format!("{s:.1} s left"), theme.warning),
        Balance::Over(s) => (format!("{s:.1} s over"), theme.error),
    };
    let summary = format!(
        " {:.1} of {length} s · ",
        total_tenths(board.durations()) as f64 / 10.0
    );
    let tail = str_width(&summary) + str_width(&status);
    let bar_width = width.saturating_sub(tail);
    let mut spans = bar(board, selected, bar_width, theme);
    spans.push(Span::styled(summary, theme.dim));
    spans.push(Span::styled(status, status_style));
    Line::from(spans)
}

/// The bar alone, exactly `width` cells.
fn bar(
    board: &Storyboard,
    selected: Option<usize>,
    width: usize,
    theme: &Theme,
) -> Vec<Span<'static>> {
    if width == 0 {
        return Vec::new();
    }
    let length = i64::from(board.settings.length.seconds()) * 10;
    let shots: Vec<i64> = board.durations().map(|d| tenths(d).max(0)).collect();
    let sum: i64 = shots.iter().sum();
    let scale = length.max(sum).max(1);
    let mut parts = shots.clone();
    if sum < length {
        parts.push(length - sum);
    }
    let cells = apportion(&parts, scale, width);
    // The column where the video ends: cells past it are over the length.
    let end = (length * width as i64 / scale) as usize;
    let over = theme.error.add_modifier(Modifier::REVERSED);
    let even = theme.gauge_filled.add_modifier(Modifier::REVERSED);
    let odd = theme.value.add_modifier(Modifier::REVERSED);
    let mut spans = Vec::new();
    let mut col = 0;
    for (i, w) in cells.iter().copied().enumerate() {
        if w == 0 {
            continue;
        }
        if i >= shots.len() {
            spans.push(Span::styled("░".repeat(w), theme.gauge_empty));
            col += w;
            continue;
        }
        let long = format!("▏{} {:.1} s", i + 1, from_tenths(shots[i]));
        // Labels are digits and `▏`, one cell per character, so they split by characters.
        let label: String = if str_width(&long) < w {
            long
        } else {
            format!("▏{}", i + 1).chars().take(w).collect()
        };
        let text = format!("{label:<w$}");
        let mut style = if i % 2 == 0 { even } else { odd };
        if selected == Some(i) {
            style = style.add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
        }
        // Split the segment where the video ends.
        let inside = end.saturating_sub(col).min(w);
        let chars: Vec<char> = text.chars().collect();
        if inside > 0 {
            spans.push(Span::styled(
                chars[..inside].iter().collect::<String>(),
                style,
            ));
        }
        if inside < w {
            spans.push(Span::styled(
                chars[inside..].iter().collect::<String>(),
                over,
            ));
        }
        col += w;
    }
    spans
}

/// Splits `width` cells among `parts`, which add up to `scale`: in proportion, the leftover
/// cells to the largest remainders, so the widths add up to `width` exactly; every non-empty
/// part keeps at least one cell when there is room.
fn apportion(parts: &[i64], scale: i64, width: usize) -> Vec<usize> {
    let w = width as i64;
    let scale = scale.max(1);
    let mut cells: Vec<i64> = parts.iter().map(|p| p * w / scale).collect();
    let mut rest: Vec<(i64, usize)> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| (p * w % scale, i))
        .collect();
    rest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let leftover = (w - cells.iter().sum::<i64>()).max(0) as usize;
    for (_, i) in rest.iter().take(leftover) {
        cells[*i] += 1;
    }
    for i in 0..cells.len() {
        if cells[i] == 0 && parts[i] > 0 {
            let widest = (0..cells.len())
                .max_by_key(|j| (cells[*j], std::cmp::Reverse(*j)))
                .filter(|j| cells[*j] > 1);
            if let Some(widest) = widest {
                cells[widest] -= 1;
                cells[i] = 1;
            }
        }
    }
    cells.into_iter().map(|c| c.max(0) as usize).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storyboard::Shot;

    fn board(durations: &[f64]) -> Storyboard {
        Storyboard {
            shots: durations
                .iter()
                .map(|d| Shot {
                    duration: *d,
                    scene: "x".into(),
                })
                .collect(),
            ..Storyboard::default()
        }
    }

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn the_bar_fills_its_width_and_says_what_is_left_or_over() {
        let t = Theme::default();
        let l = line(&board(&[4.0, 3.0]), Some(0), 50, &t);
        assert_eq!(l.width(), 50, "{:?}", text(&l));
        assert!(
            text(&l).ends_with("7.0 of 10 s · 3.0 s left"),
            "{}",
            text(&l)
        );
        assert!(text(&l).starts_with("▏1 4.0 s"), "{}", text(&l));
        let l = line(&board(&[6.0, 5.5]), None, 50, &t);
        assert_eq!(l.width(), 50);
        assert!(text(&l).ends_with("1.5 s over"));
        let l = line(&board(&[3.3, 3.3, 3.4]), None, 40, &t);
        assert_eq!(l.width(), 40);
        assert!(text(&l).ends_with("✓ fits"));
        assert!(!text(&l).contains('░'));
    }

    #[test]
    fn apportion_is_exact_and_shows_every_shot() {
        assert_eq!(apportion(&[50, 50], 100, 10), [5, 5]);
        assert_eq!(apportion(&[33, 33, 34], 100, 10).iter().sum::<usize>(), 10);
        let cells = apportion(&[240, 10], 250, 10);
        assert_eq!(cells.iter().sum::<usize>(), 10);
        assert!(cells.iter().all(|c| *c > 0), "{cells:?}");
        assert_eq!(apportion(&[], 100, 10), Vec::<usize>::new());
    }
}
