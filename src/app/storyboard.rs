//! The Storyboard pane's state and its part of `update` (issue 4 fills this in).

use crossterm::event::KeyEvent;

use super::keymap::Binding;
use super::{App, Cmd};
use crate::worker::StoryboardEvent;

/// The Storyboard pane.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoryboardPane {}

/// What an external editor session of this pane edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoryboardEdit {
    /// The instructions for the whole video.
    Instructions,
    /// The scene text of shot N (0-based).
    Scene(usize),
}

/// Actions of this pane that need a confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoryboardConfirm {
    /// Delete shot N (0-based).
    DeleteShot(usize),
}

/// The pane's own key actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StoryboardAction {
    /// Add a shot after the selected one.
    AddShot,
}

impl StoryboardAction {
    /// Every action, for `[keys]` names.
    pub const ALL: &'static [StoryboardAction] = &[StoryboardAction::AddShot];

    /// What help says.
    pub fn describe(self) -> &'static str {
        match self {
            StoryboardAction::AddShot => "add shot",
        }
    }
}

/// The pane's default bindings (context `Storyboard`).
pub fn default_bindings() -> Vec<Binding> {
    Vec::new()
}

/// Keys first seen by this pane (typing, pickers); `None` lets the keymap handle the key.
pub fn on_key(_app: &mut App, _key: KeyEvent) -> Option<Vec<Cmd>> {
    None
}

/// A bound action of this pane.
pub fn on_action(_app: &mut App, _action: StoryboardAction) -> Vec<Cmd> {
    Vec::new()
}

/// A confirmed action.
pub fn on_confirm(_app: &mut App, _c: StoryboardConfirm) -> Vec<Cmd> {
    Vec::new()
}

/// Bracketed paste while this pane is focused.
pub fn on_paste(_app: &mut App, _text: &str) -> Vec<Cmd> {
    Vec::new()
}

/// A worker event for this pane.
pub fn on_event(_app: &mut App, _event: StoryboardEvent) -> Vec<Cmd> {
    Vec::new()
}

/// The external editor returned text for `edit`.
pub fn on_edited(_app: &mut App, _edit: StoryboardEdit, _text: String) -> Vec<Cmd> {
    Vec::new()
}

/// Requests to send at start (restore the autosave, open a file given on the command line).
pub fn startup(_app: &mut App) -> Vec<Cmd> {
    Vec::new()
}

/// Inserts text (a cameo's `@username`) at the cursor of the shot being edited, or at the end
/// of the selected shot's scene when none is being edited.
pub fn insert_text(_app: &mut App, _text: &str) -> Vec<Cmd> {
    Vec::new()
}
