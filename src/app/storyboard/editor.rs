//! The multi-line editor of a scene or of the instructions: ratatui-textarea (as in the Prompt
//! pane), wrapped so the pane's state can still be compared in tests.

use ratatui_textarea::{CursorMove, TextArea, WrapMode};

/// A text editor compared by its text and cursor (`TextArea` itself is not `PartialEq`).
#[derive(Debug, Clone)]
pub struct TextEditor(pub TextArea<'static>);

impl TextEditor {
    /// An editor holding `text`, the cursor at its end, lines wrapped at words.
    pub fn new(text: &str) -> TextEditor {
        let mut area = TextArea::new(text.split('\n').map(str::to_owned).collect());
        area.set_wrap_mode(WrapMode::WordOrGlyph);
        area.move_cursor(CursorMove::Bottom);
        area.move_cursor(CursorMove::End);
        TextEditor(area)
    }

    /// The text, lines joined with `\n`.
    pub fn text(&self) -> String {
        self.0.lines().join("\n")
    }
}

impl PartialEq for TextEditor {
    fn eq(&self, other: &Self) -> bool {
        self.0.lines() == other.0.lines() && self.0.cursor() == other.0.cursor()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_and_the_cursor_starts_at_the_end() {
        let mut e = TextEditor::new("two\nlines");
        assert_eq!(e.text(), "two\nlines");
        e.0.insert_str("!");
        assert_eq!(e.text(), "two\nlines!");
        assert_eq!(TextEditor::new(""), TextEditor::new(""));
        assert_ne!(TextEditor::new("a"), TextEditor::new("b"));
    }
}
