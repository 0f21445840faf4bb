//! Key presses for the `update` unit tests of every pane, at one fixed time.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{App, Cmd, Msg, update};

/// The time every unit test runs at (2027-01-15).
pub const NOW: f64 = 1_800_000_000.0;

/// One key press without modifiers.
pub fn key(app: &mut App, code: KeyCode) -> Vec<Cmd> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), NOW)
}

/// One character key.
pub fn ch(app: &mut App, c: char) -> Vec<Cmd> {
    key(app, KeyCode::Char(c))
}

/// Ctrl + a character.
pub fn ctrl(app: &mut App, c: char) -> Vec<Cmd> {
    update(
        app,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
        NOW,
    )
}

/// `Esc` and a character in one read, as the terminal's bytes (`"\x1bq"`) are parsed: the
/// character with Alt.
pub fn esc_then(app: &mut App, c: char) -> Vec<Cmd> {
    update(
        app,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT)),
        NOW,
    )
}

/// Types text one key at a time.
pub fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        ch(app, c);
    }
}
