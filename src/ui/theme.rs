//! Every colour and text style the UI uses, in one place, so the app can later load overrides.
//!
//! The defaults use only the terminal's own palette (named ANSI colours and modifiers, never
//! RGB), so the UI follows whatever light or dark scheme the user's terminal has.

use ratatui::style::{Color, Modifier, Style};

/// The styles of every visual role in the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Plain text.
    pub text: Style,
    /// Secondary text: hints, placeholders, separators, labels.
    pub dim: Style,
    /// Block titles and headings.
    pub title: Style,
    /// Borders of unfocused blocks.
    pub border: Style,
    /// Borders of the block that has the keyboard (the editor while typing).
    pub border_focus: Style,
    /// An inactive tab.
    pub tab: Style,
    /// The focused tab.
    pub tab_active: Style,
    /// Column headers of lists.
    pub header: Style,
    /// The selected row of a list.
    pub selected: Style,
    /// Keys in hints and help.
    pub key: Style,
    /// Emphasised values (the current settings).
    pub value: Style,
    /// Errors and failures.
    pub error: Style,
    /// Warnings and things in flux.
    pub warning: Style,
    /// Success: online, done, downloaded.
    pub success: Style,
    /// The filled part of a progress gauge.
    pub gauge_filled: Style,
    /// The empty part of a progress gauge.
    pub gauge_empty: Style,
    /// The cursor of a one-line field being edited.
    pub cursor: Style,
    /// An informational toast's border and text.
    pub toast: Style,
    /// An error toast's border and text.
    pub toast_error: Style,
}

impl Default for Theme {
    fn default() -> Self {
        let plain = Style::new();
        Theme {
            text: plain,
            dim: plain.add_modifier(Modifier::DIM),
            title: plain.add_modifier(Modifier::BOLD),
            border: plain.add_modifier(Modifier::DIM),
            border_focus: plain.fg(Color::Cyan),
            tab: plain,
            tab_active: plain.add_modifier(Modifier::REVERSED | Modifier::BOLD),
            header: plain.add_modifier(Modifier::BOLD),
            selected: plain.add_modifier(Modifier::REVERSED),
            key: plain.fg(Color::Cyan).add_modifier(Modifier::BOLD),
            value: plain.add_modifier(Modifier::BOLD),
            error: plain.fg(Color::Red),
            warning: plain.fg(Color::Yellow),
            success: plain.fg(Color::Green),
            gauge_filled: plain.fg(Color::Cyan),
            gauge_empty: plain.add_modifier(Modifier::DIM),
            cursor: plain.add_modifier(Modifier::REVERSED),
            toast: plain,
            toast_error: plain.fg(Color::Red),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_theme_uses_no_rgb() {
        let t = Theme::default();
        let styles = [
            t.text,
            t.dim,
            t.title,
            t.border,
            t.border_focus,
            t.tab,
            t.tab_active,
            t.header,
            t.selected,
            t.key,
            t.value,
            t.error,
            t.warning,
            t.success,
            t.gauge_filled,
            t.gauge_empty,
            t.cursor,
            t.toast,
            t.toast_error,
        ];
        for s in styles {
            for c in [s.fg, s.bg].into_iter().flatten() {
                assert!(!matches!(c, Color::Rgb(..) | Color::Indexed(_)), "{c:?}");
            }
        }
    }
}
