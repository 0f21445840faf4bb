//! One editor for every one-line field (the input image path, the remix target, the cameo
//! form, storyboard names): a cursor that moves, the shell's editing keys, Tab completion
//! that cycles, and pastes cleaned of the quotes and `file://` terminals add to dropped files.
//!
//! Plain data changed by pure methods, so `update` stays pure and every key is unit-tested.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use unicode_width::UnicodeWidthChar;

/// A one-line text field with a cursor and the completions offered for it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineEdit {
    text: String,
    /// Byte offset of the cursor, always on a character boundary.
    cursor: usize,
    /// Completions listed for the text (full values); Tab cycles through them.
    completions: Vec<String>,
    /// The completion Tab showed last, while cycling.
    shown: Option<usize>,
}

/// What a key did to a field, so the caller knows whether to save, ask for completions or
/// let the key go elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKey {
    /// The text changed.
    Edited,
    /// Only the cursor moved (or a completion list was stepped through).
    Moved,
    /// Tab with nothing listed: the caller asks for completions of [`LineEdit::text`].
    Complete,
    /// Not a key for a one-line field (Enter, Esc, Up, a Ctrl chord it does not know).
    Ignored,
}

/// What a completion answer did, for the toast or the list under the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completed {
    /// Nothing matches what was typed.
    Nothing,
    /// One match: it replaced the text.
    One,
    /// Several: the text was extended to their common start and they are listed.
    Several,
    /// The answer was for a text that has changed since; it was dropped.
    Stale,
}

impl LineEdit {
    /// A field holding `text` with the cursor at its end.
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        LineEdit {
            cursor: text.len(),
            text,
            completions: Vec::new(),
            shown: None,
        }
    }

    /// The text as typed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether nothing is typed.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Replaces the text (a value set by the program), cursor at the end.
    pub fn set(&mut self, text: impl Into<String>) {
        *self = LineEdit::new(text);
    }

    /// The completions listed under the field (empty when none are).
    pub fn completions(&self) -> &[String] {
        &self.completions
    }

    /// Which listed completion the text shows now, while Tab cycles.
    pub fn shown_completion(&self) -> Option<usize> {
        self.shown
    }

    /// The cursor's position in characters from the start.
    pub fn cursor_chars(&self) -> usize {
        self.text[..self.cursor].chars().count()
    }

    /// Applies a key. Printable characters are inserted at the cursor (`map` can change each
    /// one, e.g. lowercase a username, or refuse it with `None`).
    pub fn key_with(&mut self, key: &KeyEvent, map: impl Fn(char) -> Option<char>) -> LineKey {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let before = self.text.len();
        match key.code {
            KeyCode::Tab | KeyCode::BackTab if !self.completions.is_empty() => {
                self.cycle(key.code == KeyCode::BackTab);
                return LineKey::Moved;
            }
            KeyCode::Tab => return LineKey::Complete,
            KeyCode::Left if ctrl || alt => self.cursor = self.word_start(),
            KeyCode::Right if ctrl || alt => self.cursor = self.word_end(),
            KeyCode::Char('b') if alt => self.cursor = self.word_start(),
            KeyCode::Char('f') if alt => self.cursor = self.word_end(),
            KeyCode::Left => self.cursor = self.prev(self.cursor),
            KeyCode::Right => self.cursor = self.next(self.cursor),
            KeyCode::Char('b') if ctrl => self.cursor = self.prev(self.cursor),
            KeyCode::Char('f') if ctrl => self.cursor = self.next(self.cursor),
            KeyCode::Home => self.cursor = 0,
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::End => self.cursor = self.text.len(),
            KeyCode::Char('e') if ctrl => self.cursor = self.text.len(),
            KeyCode::Backspace if ctrl || alt => self.delete_to(self.word_start()),
            KeyCode::Char('w') if ctrl => self.delete_to(self.word_start()),
            KeyCode::Char('h') if ctrl => self.delete_to(self.prev(self.cursor)),
            KeyCode::Backspace => self.delete_to(self.prev(self.cursor)),
            KeyCode::Delete => self.delete_to(self.next(self.cursor)),
            KeyCode::Char('d') if ctrl => self.delete_to(self.next(self.cursor)),
            KeyCode::Char('u') if ctrl => self.delete_to(0),
            KeyCode::Char('k') if ctrl => self.delete_to(self.text.len()),
            KeyCode::Char(c) if !ctrl && !alt && !c.is_control() => match map(c) {
                Some(c) => self.insert(&c.to_string()),
                None => return LineKey::Ignored,
            },
            _ => return LineKey::Ignored,
        }
        if self.text.len() != before {
            self.completions.clear();
            self.shown = None;
            LineKey::Edited
        } else {
            LineKey::Moved
        }
    }

    /// Applies a key, inserting characters as typed.
    pub fn key(&mut self, key: &KeyEvent) -> LineKey {
        self.key_with(key, Some)
    }

    /// Inserts a paste at the cursor, cleaned by [`pasted_line`].
    pub fn paste(&mut self, text: &str) {
        let line = pasted_line(text);
        if !line.is_empty() {
            self.insert(&line);
            self.completions.clear();
            self.shown = None;
        }
    }

    /// Takes the completions found for `input`: one replaces the text, several extend it
    /// to their common start (never shorter than typed) and are listed for Tab to cycle.
    pub fn complete(&mut self, input: &str, candidates: Vec<String>) -> Completed {
        if self.text != input {
            return Completed::Stale;
        }
        match candidates.len() {
            0 => Completed::Nothing,
            1 => {
                self.set(candidates[0].clone());
                Completed::One
            }
            _ => {
                let prefix = common_prefix(&candidates);
                if prefix.len() > self.text.len() {
                    self.set(prefix);
                }
                self.completions = candidates;
                self.shown = None;
                Completed::Several
            }
        }
    }

    /// Forgets the listed completions (the field closed, or the user moved on).
    pub fn clear_completions(&mut self) {
        self.completions.clear();
        self.shown = None;
    }

    /// The part of the text to draw in `width` columns and the cursor's column in it: the
    /// view scrolls so the cursor is always visible.
    pub fn view(&self, width: usize) -> (String, usize) {
        let width = width.max(1);
        let chars: Vec<char> = self.text.chars().collect();
        let cursor = self.cursor_chars();
        let w = |c: &char| c.width().unwrap_or(0);
        // Start as far left as lets the cursor (and one cell for it) fit.
        let mut start = cursor;
        let mut used = 1;
        while start > 0 && used + w(&chars[start - 1]) <= width {
            start -= 1;
            used += w(&chars[start]);
        }
        let col: usize = chars[start..cursor].iter().map(w).sum();
        let mut shown = String::new();
        let mut cols = 0;
        for c in &chars[start..] {
            if cols + w(c) > width {
                break;
            }
            cols += w(c);
            shown.push(*c);
        }
        (shown, col)
    }

    fn cycle(&mut self, back: bool) {
        let n = self.completions.len();
        let i = match (self.shown, back) {
            (None, false) => 0,
            (None, true) => n - 1,
            (Some(i), false) => (i + 1) % n,
            (Some(i), true) => (i + n - 1) % n,
        };
        self.text = self.completions[i].clone();
        self.cursor = self.text.len();
        self.shown = Some(i);
    }

    fn insert(&mut self, s: &str) {
        self.text.insert_str(self.cursor, s);
        self.cursor += s.len();
    }

    /// Deletes between the cursor and `to` (either side), leaving the cursor at the start.
    fn delete_to(&mut self, to: usize) {
        let (a, b) = if to < self.cursor {
            (to, self.cursor)
        } else {
            (self.cursor, to)
        };
        self.text.replace_range(a..b, "");
        self.cursor = a;
    }

    fn prev(&self, at: usize) -> usize {
        self.text[..at]
            .char_indices()
            .next_back()
            .map_or(0, |(i, _)| i)
    }

    fn next(&self, at: usize) -> usize {
        self.text[at..]
            .chars()
            .next()
            .map_or(at, |c| at + c.len_utf8())
    }

    /// Where the word before the cursor starts (words end at blanks and at `/`, so Ctrl-W
    /// takes one path component at a time, as in a shell).
    fn word_start(&self) -> usize {
        let head = &self.text[..self.cursor];
        let trimmed = head.trim_end_matches(is_word_break);
        trimmed.rfind(is_word_break).map_or(0, |i| {
            i + trimmed[i..].chars().next().map_or(1, char::len_utf8)
        })
    }

    fn word_end(&self) -> usize {
        let tail = &self.text[self.cursor..];
        let skipped = tail.len() - tail.trim_start_matches(is_word_break).len();
        let rest = &tail[skipped..];
        let word = rest.find(is_word_break).unwrap_or(rest.len());
        self.cursor + skipped + word
    }
}

fn is_word_break(c: char) -> bool {
    c.is_whitespace() || c == '/'
}

/// A pasted line made fit for a one-line field: no control characters, no surrounding
/// blanks, no quotes around it (terminals quote dropped file paths), and a `file://` URL
/// of a local file turned back into its path.
pub fn pasted_line(text: &str) -> String {
    let line: String = text.chars().filter(|c| !c.is_control()).collect();
    let mut line = line.trim();
    for q in ['\'', '"'] {
        if let Some(inner) = line.strip_prefix(q).and_then(|l| l.strip_suffix(q)) {
            line = inner;
            break;
        }
    }
    if let Some(path) = file_url_path(line) {
        return path;
    }
    line.to_string()
}

/// The path of a `file://` URL on this machine (`file:///p` or `file://localhost/p`),
/// percent-decoded; `None` for anything else, which stays as pasted.
fn file_url_path(line: &str) -> Option<String> {
    let rest = line
        .strip_prefix("file://")
        .or_else(|| line.strip_prefix("FILE://"))?;
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let decoded = url::Url::parse(&format!("file://{rest}"))
        .ok()?
        .to_file_path()
        .ok()?;
    decoded.to_str().map(str::to_string)
}

/// The longest common start of the candidates, on a character boundary.
pub fn common_prefix(items: &[String]) -> String {
    let Some(first) = items.first() else {
        return String::new();
    };
    let mut len = first.len();
    for s in &items[1..] {
        len = len.min(
            first
                .char_indices()
                .zip(s.chars())
                .find(|((_, a), b)| a != b)
                .map_or(first.len().min(s.len()), |((i, _), _)| i),
        );
    }
    first[..len].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(e: &mut LineEdit, code: KeyCode) -> LineKey {
        e.key(&KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn chord(e: &mut LineEdit, mods: KeyModifiers, c: char) -> LineKey {
        e.key(&KeyEvent::new(KeyCode::Char(c), mods))
    }

    fn typed(e: &mut LineEdit, s: &str) {
        for c in s.chars() {
            press(e, KeyCode::Char(c));
        }
    }

    #[test]
    fn characters_go_in_at_the_cursor() {
        let mut e = LineEdit::default();
        typed(&mut e, "abc");
        press(&mut e, KeyCode::Left);
        press(&mut e, KeyCode::Left);
        typed(&mut e, "X");
        assert_eq!(e.text(), "aXbc");
        assert_eq!(e.cursor_chars(), 2);
        press(&mut e, KeyCode::End);
        typed(&mut e, "!");
        press(&mut e, KeyCode::Home);
        typed(&mut e, ">");
        assert_eq!(e.text(), ">aXbc!");
        assert_eq!(press(&mut e, KeyCode::Right), LineKey::Moved);
        assert_eq!(e.cursor_chars(), 2);
    }

    #[test]
    fn the_cursor_stops_at_both_ends_and_walks_whole_characters() {
        let mut e = LineEdit::new("é😀");
        press(&mut e, KeyCode::Right);
        assert_eq!(e.cursor_chars(), 2);
        press(&mut e, KeyCode::Left);
        press(&mut e, KeyCode::Left);
        press(&mut e, KeyCode::Left);
        assert_eq!(e.cursor_chars(), 0);
        press(&mut e, KeyCode::Delete);
        assert_eq!(e.text(), "😀");
        press(&mut e, KeyCode::Backspace);
        assert_eq!(e.text(), "😀", "nothing before the cursor");
    }

    #[test]
    fn shell_keys_delete_words_and_lines() {
        let mut e = LineEdit::new("/home/me/my clip.mp4");
        assert_eq!(chord(&mut e, KeyModifiers::CONTROL, 'w'), LineKey::Edited);
        assert_eq!(e.text(), "/home/me/my ");
        chord(&mut e, KeyModifiers::CONTROL, 'w');
        assert_eq!(e.text(), "/home/me/");
        chord(&mut e, KeyModifiers::CONTROL, 'w');
        assert_eq!(e.text(), "/home/");
        chord(&mut e, KeyModifiers::CONTROL, 'a');
        chord(&mut e, KeyModifiers::CONTROL, 'k');
        assert_eq!(e.text(), "");

        let mut e = LineEdit::new("keep this");
        press(&mut e, KeyCode::Left);
        press(&mut e, KeyCode::Left);
        chord(&mut e, KeyModifiers::CONTROL, 'u');
        assert_eq!(e.text(), "is");
        assert_eq!(e.cursor_chars(), 0);
        chord(&mut e, KeyModifiers::CONTROL, 'e');
        chord(&mut e, KeyModifiers::ALT, 'b');
        assert_eq!(e.cursor_chars(), 0);
        chord(&mut e, KeyModifiers::ALT, 'f');
        assert_eq!(e.cursor_chars(), 2);
    }

    #[test]
    fn keys_it_does_not_own_are_left_to_the_caller() {
        let mut e = LineEdit::new("x");
        for code in [KeyCode::Enter, KeyCode::Esc, KeyCode::Up, KeyCode::Down] {
            assert_eq!(press(&mut e, code), LineKey::Ignored, "{code:?}");
        }
        assert_eq!(chord(&mut e, KeyModifiers::CONTROL, 's'), LineKey::Ignored);
        assert_eq!(chord(&mut e, KeyModifiers::ALT, 'x'), LineKey::Ignored);
        assert_eq!(e.text(), "x");
        let lower = |c: char| Some(c.to_ascii_lowercase());
        e.key_with(
            &KeyEvent::new(KeyCode::Char('Q'), KeyModifiers::SHIFT),
            lower,
        );
        assert_eq!(e.text(), "xq");
    }

    #[test]
    fn tab_asks_then_cycles_both_ways() {
        let mut e = LineEdit::new("/tmp/a");
        assert_eq!(press(&mut e, KeyCode::Tab), LineKey::Complete);
        let found = vec!["/tmp/ab1.png".to_string(), "/tmp/ab2.png".to_string()];
        assert_eq!(e.complete("/tmp/a", found), Completed::Several);
        assert_eq!(e.text(), "/tmp/ab", "extended to the common start");
        assert_eq!(press(&mut e, KeyCode::Tab), LineKey::Moved);
        assert_eq!(e.text(), "/tmp/ab1.png");
        press(&mut e, KeyCode::Tab);
        assert_eq!(e.text(), "/tmp/ab2.png");
        press(&mut e, KeyCode::Tab);
        assert_eq!(e.text(), "/tmp/ab1.png", "wraps around");
        press(&mut e, KeyCode::BackTab);
        assert_eq!(e.text(), "/tmp/ab2.png");
        assert_eq!(e.shown_completion(), Some(1));
        press(&mut e, KeyCode::Backspace);
        assert!(e.completions().is_empty(), "an edit ends the cycle");
        assert_eq!(press(&mut e, KeyCode::Tab), LineKey::Complete);
    }

    #[test]
    fn completion_answers_fill_or_are_dropped_when_stale() {
        let mut e = LineEdit::new("/tm");
        assert_eq!(e.complete("/tm", vec![]), Completed::Nothing);
        assert_eq!(e.complete("/tm", vec!["/tmp/".into()]), Completed::One);
        assert_eq!(e.text(), "/tmp/");
        assert_eq!(e.complete("/t", vec!["/tx".into()]), Completed::Stale);
        assert_eq!(e.text(), "/tmp/");
        let mut e = LineEdit::new("/tmp/ab");
        e.complete("/tmp/ab", vec!["/tmp/AB".into(), "/tmp/ab".into()]);
        assert_eq!(e.text(), "/tmp/ab", "never shorter than typed");
    }

    #[test]
    fn pastes_lose_quotes_controls_and_file_urls() {
        assert_eq!(pasted_line("'/tmp/my clip.mp4'\n"), "/tmp/my clip.mp4");
        assert_eq!(pasted_line("\"/tmp/a.png\""), "/tmp/a.png");
        assert_eq!(pasted_line("a\x1b[31mb"), "a[31mb");
        assert_eq!(pasted_line("file:///tmp/my%20clip.png"), "/tmp/my clip.png");
        assert_eq!(pasted_line("'file://localhost/tmp/x.png'"), "/tmp/x.png");
        assert_eq!(
            pasted_line("file://otherhost/x.png"),
            "file://otherhost/x.png",
            "a file on another host is not a local path"
        );
        assert_eq!(
            pasted_line("https://sora.example/p/s_1"),
            "https://sora.example/p/s_1"
        );
        let mut e = LineEdit::new("ab");
        press(&mut e, KeyCode::Left);
        e.paste("'X Y'");
        assert_eq!(e.text(), "aX Yb");
        assert_eq!(e.cursor_chars(), 4);
    }

    #[test]
    fn the_view_scrolls_to_keep_the_cursor_visible() {
        let e = LineEdit::new("0123456789");
        assert_eq!(e.view(20), ("0123456789".to_string(), 10));
        let (shown, col) = e.view(5);
        assert_eq!((shown.as_str(), col), ("6789", 4));
        let mut e = e;
        press(&mut e, KeyCode::Home);
        assert_eq!(e.view(5), ("01234".to_string(), 0));
        let wide = LineEdit::new("日本語");
        let (shown, col) = wide.view(4);
        assert_eq!((shown.as_str(), col), ("語", 2));
    }

    #[test]
    fn common_prefixes_stop_on_character_boundaries() {
        assert_eq!(common_prefix(&[]), "");
        assert_eq!(
            common_prefix(&["/tmp/éa".into(), "/tmp/éb".into()]),
            "/tmp/é"
        );
        assert_eq!(common_prefix(&["ab".into(), "abc".into()]), "ab");
    }
}
