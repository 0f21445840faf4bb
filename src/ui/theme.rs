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

impl Theme {
    /// Applies `[theme]` overrides from the config: `role = "colour"`, where the role is a
    /// field name above (`key`, `error`, `border_focus`…) and the colour a name (`red`,
    /// `lightblue`, `reset`), an index (`214`) or `#rrggbb`. The colour becomes the role's
    /// foreground; its modifiers stay.
    pub fn with_overrides(
        mut self,
        overrides: &std::collections::BTreeMap<String, String>,
    ) -> Result<Theme, String> {
        for (role, colour) in overrides {
            let color: Color = colour
                .trim()
                .parse()
                .map_err(|_| format!("[theme] {role} = {colour:?} is not a colour: use a name (red), an index (214) or #rrggbb"))?;
            let style = match role.as_str() {
                "text" => &mut self.text,
                "dim" => &mut self.dim,
                "title" => &mut self.title,
                "border" => &mut self.border,
                "border_focus" => &mut self.border_focus,
                "tab" => &mut self.tab,
                "tab_active" => &mut self.tab_active,
                "header" => &mut self.header,
                "selected" => &mut self.selected,
                "key" => &mut self.key,
                "value" => &mut self.value,
                "error" => &mut self.error,
                "warning" => &mut self.warning,
                "success" => &mut self.success,
                "gauge_filled" => &mut self.gauge_filled,
                "gauge_empty" => &mut self.gauge_empty,
                "cursor" => &mut self.cursor,
                "toast" => &mut self.toast,
                "toast_error" => &mut self.toast_error,
                other => {
                    return Err(format!(
                        "[theme] {other:?} is not a role: use text, dim, title, border, border_focus, tab, tab_active, header, selected, key, value, error, warning, success, gauge_filled, gauge_empty, cursor, toast, toast_error"
                    ));
                }
            };
            *style = style.fg(color);
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn overrides_set_colours_and_reject_nonsense() {
        use std::collections::BTreeMap;
        let mut o = BTreeMap::new();
        o.insert("key".to_string(), "#ff8800".to_string());
        o.insert("error".to_string(), "magenta".to_string());
        let t = Theme::default().with_overrides(&o).unwrap();
        assert_eq!(t.key.fg, Some(Color::Rgb(0xff, 0x88, 0x00)));
        assert!(
            t.key.add_modifier.contains(Modifier::BOLD),
            "modifiers stay"
        );
        assert_eq!(t.error.fg, Some(Color::Magenta));
        o.insert("nope".to_string(), "red".to_string());
        assert!(
            Theme::default()
                .with_overrides(&o)
                .unwrap_err()
                .contains("not a role")
        );
        let mut bad = BTreeMap::new();
        bad.insert("key".to_string(), "blurple".to_string());
        assert!(
            Theme::default()
                .with_overrides(&bad)
                .unwrap_err()
                .contains("not a colour")
        );
    }

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
