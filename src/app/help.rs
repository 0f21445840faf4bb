//! The help overlay's part of `update`: what it lists (the live keymap's bindings, the focused
//! pane's first, narrowed by a filter) and its keys (scrolling, filtering, closing). Drawn by
//! `ui::overlay`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::keymap::{Action, Context, Keymap};
use super::{App, Pane};

/// What the help overlay shows: plain data in `Modal::Help`, changed by `help_key`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelpState {
    /// The entry kept in view (and marked), counted among the entries the filter keeps; the
    /// overlay scrolls so that it is visible.
    pub selected: usize,
    /// Only entries whose keys, description or heading contain this (any case) are listed.
    pub filter: String,
    /// Keys type into the filter (after `/`) instead of scrolling.
    pub filtering: bool,
}

/// One row of the help listing before layout: a heading per context, then its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpItem {
    /// A context's title.
    Heading(&'static str),
    /// One action with all its keys in that context.
    Entry {
        /// `j/↓`.
        keys: String,
        /// What the action does.
        text: &'static str,
    },
}

/// The help listing: the focused pane's keys first, then the global ones, then the other
/// panes', so what matters now comes first; only what matches `filter` when it is not empty.
pub fn help_items(keymap: &Keymap, pane: Pane, filter: &str) -> Vec<HelpItem> {
    let grouped = keymap.grouped();
    // The pane's own contexts in the order its keys are looked up, then the global ones.
    let mut order: Vec<Context> = super::update::contexts(pane)
        .iter()
        .copied()
        .filter(|c| *c != Context::Global)
        .collect();
    order.push(Context::Global);
    let rest: Vec<Context> = grouped
        .keys()
        .copied()
        .filter(|c| !order.contains(c))
        .collect();
    order.extend(rest);
    let needle = filter.to_lowercase();
    let matches = |s: &str| s.to_lowercase().contains(&needle);
    let mut items = Vec::new();
    for ctx in order {
        let Some(entries) = grouped.get(&ctx) else {
            continue;
        };
        let all = needle.is_empty() || matches(ctx.title());
        let kept: Vec<HelpItem> = entries
            .iter()
            .filter(|(k, d)| all || matches(k) || matches(d))
            .map(|(k, d)| HelpItem::Entry {
                keys: k.clone(),
                text: d,
            })
            .collect();
        if !kept.is_empty() {
            items.push(HelpItem::Heading(ctx.title()));
            items.extend(kept);
        }
    }
    items
}

/// A key while help is open: scroll (`j`/`k`, arrows, `PgUp`/`PgDn`, `g`/`G`, `Home`/`End`),
/// `/` to type a filter (`Enter` keeps it, `Esc` clears it), `Esc` with no filter or the help
/// and quit keys close. Help stays open (in `app.modal`) unless the key closes it; no key
/// acts on what is underneath.
pub fn help_key(app: &mut App, mut help: HelpState, key: KeyEvent) {
    let entries = |filter: &str| {
        help_items(&app.keymap, app.pane, filter)
            .iter()
            .filter(|i| matches!(i, HelpItem::Entry { .. }))
            .count()
    };
    let last = entries(&help.filter).saturating_sub(1);
    // About a screen: the list viewport's height is the measure of the screen `update` has.
    let page = app.drafts_viewport.max(1);
    let plain = !key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    let mut changed_filter = false;
    match key.code {
        KeyCode::Esc if !help.filter.is_empty() || help.filtering => {
            help.filter.clear();
            help.filtering = false;
            changed_filter = true;
        }
        KeyCode::Esc => return,
        KeyCode::Enter if help.filtering => help.filtering = false,
        KeyCode::Backspace if help.filtering => {
            help.filter.pop();
            changed_filter = true;
        }
        KeyCode::Char(c) if help.filtering && plain => {
            help.filter.push(c);
            changed_filter = true;
        }
        KeyCode::Char('/') if plain => help.filtering = true,
        KeyCode::Char('j') | KeyCode::Down => help.selected = help.selected.saturating_add(1),
        KeyCode::Char('k') | KeyCode::Up => help.selected = help.selected.saturating_sub(1),
        KeyCode::PageDown => help.selected = help.selected.saturating_add(page),
        KeyCode::PageUp => help.selected = help.selected.saturating_sub(page),
        KeyCode::Char('g') | KeyCode::Home => help.selected = 0,
        KeyCode::Char('G') | KeyCode::End => help.selected = last,
        _ => {
            if matches!(
                app.keymap.lookup(&[Context::Global], &key),
                Some(Action::Help | Action::Quit)
            ) {
                return;
            }
        }
    }
    if changed_filter {
        help.selected = 0;
    }
    // Never past the last entry the filter keeps.
    help.selected = help.selected.min(entries(&help.filter).saturating_sub(1));
    app.modal = Some(crate::app::Modal::Help(help));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap::Keymap;
    use crate::app::test_support::{ch, key};
    use crate::app::{AppInfo, Modal};

    fn app() -> App {
        App::new(
            AppInfo::default(),
            Keymap::default(),
            crate::app::test_support::NOW,
        )
    }

    fn state(a: &App) -> HelpState {
        match &a.modal {
            Some(Modal::Help(h)) => h.clone(),
            other => panic!("help is not open: {other:?}"),
        }
    }

    fn entries(a: &App, filter: &str) -> usize {
        help_items(&a.keymap, a.pane, filter)
            .iter()
            .filter(|i| matches!(i, HelpItem::Entry { .. }))
            .count()
    }

    #[test]
    fn keys_scroll_help_within_its_entries_and_act_on_nothing_underneath() {
        let mut a = app();
        a.drafts_viewport = 10;
        ch(&mut a, '?');
        assert_eq!(state(&a), HelpState::default());
        assert!(ch(&mut a, 'j').is_empty());
        assert_eq!(state(&a).selected, 1);
        key(&mut a, KeyCode::Down);
        assert_eq!(state(&a).selected, 2);
        ch(&mut a, 'k');
        key(&mut a, KeyCode::Up);
        key(&mut a, KeyCode::Up);
        assert_eq!(state(&a).selected, 0);
        key(&mut a, KeyCode::PageDown);
        assert_eq!(state(&a).selected, 10);
        key(&mut a, KeyCode::PageUp);
        assert_eq!(state(&a).selected, 0);
        let last = entries(&a, "") - 1;
        key(&mut a, KeyCode::End);
        assert_eq!(state(&a).selected, last);
        ch(&mut a, 'j');
        key(&mut a, KeyCode::PageDown);
        assert_eq!(state(&a).selected, last, "never past the last entry");
        key(&mut a, KeyCode::Home);
        assert_eq!(state(&a).selected, 0);
        ch(&mut a, 'G');
        ch(&mut a, 'g');
        assert_eq!(state(&a).selected, 0);
        // Keys of the pane underneath do nothing while help is open.
        assert_eq!(a.pane, Pane::Prompt);
        ch(&mut a, '3');
        ch(&mut a, 'v');
        assert_eq!(a.pane, Pane::Prompt);
        assert!(!a.prompt.image_mode);
        assert!(a.modal.is_some());
    }

    #[test]
    fn slash_types_a_filter_and_esc_clears_it_before_closing() {
        let mut a = app();
        ch(&mut a, '?');
        ch(&mut a, 'j');
        ch(&mut a, '/');
        assert!(state(&a).filtering);
        for c in "WATER".chars() {
            ch(&mut a, c);
        }
        let h = state(&a);
        assert_eq!(h.filter, "WATER");
        assert_eq!(h.selected, 0, "a new filter starts at its first entry");
        // `q`, `j` and `?` are text while typing the filter.
        ch(&mut a, 'q');
        assert_eq!(state(&a).filter, "WATERq");
        key(&mut a, KeyCode::Backspace);
        assert_eq!(entries(&a, "WATER"), 1, "only the no-watermark copy");
        key(&mut a, KeyCode::Enter);
        let h = state(&a);
        assert!(!h.filtering);
        assert_eq!(h.filter, "WATER");
        ch(&mut a, 'j');
        assert_eq!(state(&a).selected, 0, "one entry: nowhere to scroll");
        key(&mut a, KeyCode::Esc);
        assert_eq!(state(&a), HelpState::default(), "the first Esc clears");
        key(&mut a, KeyCode::Esc);
        assert!(a.modal.is_none(), "the second Esc closes");
        assert!(!a.quit);
    }

    #[test]
    fn help_and_quit_keys_close_help_without_quitting() {
        for c in ['?', 'q'] {
            let mut a = app();
            ch(&mut a, '?');
            ch(&mut a, '/');
            ch(&mut a, 'x');
            key(&mut a, KeyCode::Enter);
            assert!(ch(&mut a, c).is_empty());
            assert!(a.modal.is_none(), "{c} closes");
            assert!(!a.quit);
        }
    }

    #[test]
    fn the_filter_matches_keys_texts_and_headings() {
        let km = Keymap::default();
        let texts = |filter: &str| -> Vec<String> {
            help_items(&km, Pane::Drafts, filter)
                .into_iter()
                .map(|i| match i {
                    HelpItem::Heading(t) => format!("# {t}"),
                    HelpItem::Entry { keys, text } => format!("{keys} {text}"),
                })
                .collect()
        };
        assert_eq!(texts("publish"), ["# Drafts", "p publish", "u/d unpublish"]);
        assert_eq!(texts("ctrl-s")[0], "# Prompt");
        assert!(texts("cameos").contains(&"# Cameos".to_string()));
        assert!(texts("cameos").len() > 5, "a heading keeps its whole group");
        assert!(texts("no such key").is_empty());
        // The focused pane comes first, then the global keys.
        let all = texts("");
        assert_eq!(all[0], "# Drafts");
        let global = all.iter().position(|t| t == "# Everywhere").unwrap();
        let lists = all.iter().position(|t| t == "# Lists").unwrap();
        let prompt = all.iter().position(|t| t == "# Prompt").unwrap();
        assert!(lists < global && global < prompt);
    }
}
