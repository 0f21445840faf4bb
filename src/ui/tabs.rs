//! The tab bar on the top line: the five panes with their `1`-`5` keys, the focused one
//! highlighted, and count badges for Tasks and Drafts.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::keymap::Action;
use crate::app::{App, Loading, Pane};

use super::theme::Theme;
use super::widgets::{first_key, str_width};

/// Draws the tab bar into its one-line area.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let tabs: Vec<(Pane, String)> = Pane::ALL
        .iter()
        .map(|&pane| (pane, label(app, pane, true)))
        .collect();
    let full: usize = tabs.iter().map(|(_, l)| str_width(l) + 1).sum();
    // Without room for the badges, the bare names still fit at 80 columns.
    let tabs = if full > area.width as usize {
        Pane::ALL
            .iter()
            .map(|&pane| (pane, label(app, pane, false)))
            .collect()
    } else {
        tabs
    };

    let mut spans = Vec::with_capacity(tabs.len() * 2 + 2);
    let mut used = 0;
    for (pane, text) in tabs {
        let style = if pane == app.pane {
            theme.tab_active
        } else {
            theme.tab
        };
        let x = area
            .x
            .saturating_add(u16::try_from(used).unwrap_or(u16::MAX));
        let tab = Rect::new(x, area.y, u16::try_from(str_width(&text)).unwrap_or(0), 1);
        super::hit::record(tab.intersection(area), crate::app::mouse::Target::Tab(pane));
        used += str_width(&text) + 1;
        spans.push(Span::styled(text, style));
        spans.push(Span::raw(" "));
    }
    if let Some(help) = first_key(&app.keymap, Action::Help) {
        let hint = format!("{help} help ");
        let width = str_width(&hint);
        if used + width < area.width as usize {
            spans.push(Span::raw(" ".repeat(area.width as usize - used - width)));
            spans.push(Span::styled(help, theme.key));
            spans.push(Span::styled(" help ", theme.dim));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// ` 3 Tasks (2 running) `: the pane's number, title and (optionally) its badge.
fn label(app: &App, pane: Pane, badge: bool) -> String {
    let mut text = format!(" {} {}", pane.index() + 1, pane.title());
    if badge && let Some(b) = self::badge(app, pane) {
        text.push_str(" (");
        text.push_str(&b);
        text.push(')');
    }
    text.push(' ');
    text
}

/// The count shown after a pane's title, if any.
fn badge(app: &App, pane: Pane) -> Option<String> {
    match pane {
        Pane::Tasks => {
            let tasks = &app.tasks.tasks;
            let running = tasks.iter().filter(|t| t.phase.is_unfinished()).count();
            if running > 0 {
                Some(format!("{running} running"))
            } else if tasks.is_empty() {
                None
            } else {
                Some(tasks.len().to_string())
            }
        }
        Pane::Drafts => {
            let d = &app.drafts;
            if d.rows.is_empty() && d.loading != Loading::Loaded {
                None
            } else if d.next_cursor.is_some() {
                Some(format!("{}+", d.rows.len()))
            } else {
                Some(d.rows.len().to_string())
            }
        }
        _ => None,
    }
}
