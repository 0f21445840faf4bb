//! The message log overlay: opening it and its keys. The entries themselves are kept by
//! [`App::log_message`], which every toast goes through.

use crossterm::event::{KeyCode, KeyEvent};

use super::keymap::{Action, Context};
use super::{App, Cmd, Modal};

/// Opens the log at its top (the config problems, then the newest message).
pub fn open(app: &mut App) {
    app.modal = Some(Modal::Log { scroll: 0 });
}

/// How many entries the log overlay lists: the config problems and the messages.
pub fn entries(app: &App) -> usize {
    app.config_problems.len() + app.log.len()
}

/// A key while the log is open (the modal was taken out of `app`): `j`/`k`/arrows move one
/// entry, `PgUp`/`PgDn` a screenful, `g`/`G` to the ends; `Esc`, `q` or the log's own key
/// close it. Other keys do nothing, so nothing underneath acts unseen.
pub fn on_key(app: &mut App, scroll: usize, key: KeyEvent) -> Vec<Cmd> {
    let last = entries(app).saturating_sub(1);
    let page = app.drafts_viewport.max(1);
    let own_key = app.keymap.lookup(&[Context::Global], &key) == Some(Action::MessageLog);
    let scroll = match key.code {
        KeyCode::Esc | KeyCode::Char('q') => return Vec::new(),
        _ if own_key => return Vec::new(),
        KeyCode::Char('j') | KeyCode::Down => scroll + 1,
        KeyCode::Char('k') | KeyCode::Up => scroll.saturating_sub(1),
        KeyCode::PageDown => scroll + page,
        KeyCode::PageUp => scroll.saturating_sub(page),
        KeyCode::Char('g') | KeyCode::Home => 0,
        KeyCode::Char('G') | KeyCode::End => last,
        _ => scroll,
    };
    app.modal = Some(Modal::Log {
        scroll: scroll.min(last),
    });
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::{App, AppInfo, Keymap, LOG_MAX, Modal, Pane, toast, toast_error};
    use crossterm::event::KeyCode;

    fn app() -> App {
        App::new(AppInfo::default(), Keymap::default(), NOW)
    }

    #[test]
    fn every_toast_is_logged_with_its_time_and_sanitised() {
        let mut a = app();
        a.now = NOW - 5.0;
        toast(&mut a, "Saved");
        a.now = NOW;
        toast_error(&mut a, "Publish failed: \x1b[31mred\x1b[0m");
        assert_eq!(a.log.len(), 2);
        assert_eq!(a.log[0].text, "Saved");
        assert_eq!(a.log[0].at, NOW - 5.0);
        assert!(!a.log[0].error);
        assert!(a.log[1].error);
        assert!(!a.log[1].text.contains('\x1b'), "{:?}", a.log[1].text);
        assert!(a.log[1].text.contains("red"), "{:?}", a.log[1].text);
    }

    #[test]
    fn the_log_keeps_the_newest_hundred() {
        let mut a = app();
        for i in 0..LOG_MAX + 30 {
            toast(&mut a, format!("message {i}"));
        }
        assert_eq!(a.log.len(), LOG_MAX);
        assert_eq!(a.log.front().unwrap().text, "message 30");
        assert_eq!(
            a.log.back().unwrap().text,
            format!("message {}", LOG_MAX + 29)
        );
        // The corner still shows only a few.
        assert!(a.toasts.len() <= 4);
    }

    #[test]
    fn its_key_opens_the_log_from_every_pane_and_esc_q_or_the_key_close_it() {
        for pane in Pane::ALL {
            for (open, close) in [
                ('L', KeyCode::Esc),
                ('!', KeyCode::Char('q')),
                ('L', KeyCode::Char('L')),
            ] {
                let mut a = app();
                a.pane = pane;
                ch(&mut a, open);
                assert_eq!(a.modal, Some(Modal::Log { scroll: 0 }), "{pane:?} {open}");
                assert!(key(&mut a, close).is_empty());
                assert_eq!(a.modal, None, "{pane:?} {close:?}");
                assert!(!a.quit, "q closes the log, it does not quit");
            }
        }
    }

    #[test]
    fn the_log_scrolls_within_its_entries() {
        let mut a = app();
        a.config_problems = vec!["one".into()];
        for i in 0..5 {
            toast(&mut a, format!("m{i}"));
        }
        ch(&mut a, '!');
        ch(&mut a, 'j');
        ch(&mut a, 'j');
        assert_eq!(a.modal, Some(Modal::Log { scroll: 2 }));
        ch(&mut a, 'k');
        assert_eq!(a.modal, Some(Modal::Log { scroll: 1 }));
        key(&mut a, KeyCode::PageDown);
        assert_eq!(
            a.modal,
            Some(Modal::Log { scroll: 5 }),
            "clamped to the last"
        );
        key(&mut a, KeyCode::PageUp);
        assert_eq!(a.modal, Some(Modal::Log { scroll: 0 }));
        // A pane key does nothing while the log is open.
        ch(&mut a, '4');
        assert_eq!(a.pane, Pane::Prompt);
        assert_eq!(a.modal, Some(Modal::Log { scroll: 0 }));
    }
}
