//! Undo and redo for the Storyboard pane: bounded stacks of whole versions. A storyboard is a
//! few kilobytes, so a snapshot per edit is simpler and safer than inverse operations.

use std::path::PathBuf;

use crate::storyboard::Storyboard;

/// Versions kept for undo; the oldest are dropped beyond this.
const LIMIT: usize = 200;

/// What one undo step restores.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Version {
    /// The storyboard.
    pub board: Storyboard,
    /// The selected shot.
    pub selected: usize,
    /// The file it belonged to (undoing an open goes back to the storyboard that was there).
    pub file: Option<PathBuf>,
}

impl Version {
    /// Whether `other` differs in content (the selection alone is not an edit).
    pub fn differs(&self, other: &Version) -> bool {
        self.board != other.board || self.file != other.file
    }
}

/// The undo and redo stacks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    undo: Vec<Version>,
    redo: Vec<Version>,
}

impl History {
    /// Remembers `before` as the state an edit started from; a new edit forgets what was undone.
    pub fn record(&mut self, before: Version) {
        self.undo.push(before);
        if self.undo.len() > LIMIT {
            self.undo.remove(0);
        }
        self.redo.clear();
    }

    /// The version to go back to from `current`, which becomes redoable.
    pub fn undo(&mut self, current: Version) -> Option<Version> {
        let previous = self.undo.pop()?;
        self.redo.push(current);
        Some(previous)
    }

    /// The version to go forward to from `current`, which becomes undoable again.
    pub fn redo(&mut self, current: Version) -> Option<Version> {
        let next = self.redo.pop()?;
        self.undo.push(current);
        Some(next)
    }

    /// How many steps can be undone.
    pub fn undo_len(&self) -> usize {
        self.undo.len()
    }

    /// How many steps can be redone.
    pub fn redo_len(&self) -> usize {
        self.redo.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(instructions: &str) -> Version {
        Version {
            board: Storyboard {
                instructions: instructions.into(),
                ..Storyboard::default()
            },
            ..Version::default()
        }
    }

    #[test]
    fn undo_redo_and_a_new_edit_forgets_the_redo() {
        let mut h = History::default();
        h.record(v("a"));
        h.record(v("ab"));
        assert_eq!(h.undo(v("abc")), Some(v("ab")));
        assert_eq!(h.undo(v("ab")), Some(v("a")));
        assert_eq!(h.undo(v("a")), None);
        assert_eq!(h.redo(v("a")), Some(v("ab")));
        h.record(v("ab"));
        assert_eq!(h.redo_len(), 0);
        assert_eq!(h.redo(v("x")), None);
    }

    #[test]
    fn history_is_bounded() {
        let mut h = History::default();
        for i in 0..LIMIT + 50 {
            h.record(v(&i.to_string()));
        }
        assert_eq!(h.undo_len(), LIMIT);
        assert_eq!(h.undo(v("now")), Some(v(&(LIMIT + 49).to_string())));
    }
}
