//! The Cameos pane's state and its part of `update` (issue 5 fills this in).

use crossterm::event::KeyEvent;

use super::keymap::Binding;
use super::{App, Cmd};
use crate::worker::CameoEvent;

/// The Cameos pane.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CameosPane {}

impl CameosPane {
    /// Usernames of the finalized cameos this program knows, for `@username` pickers.
    pub fn usernames(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Actions of this pane that need a confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameoConfirm {
    /// Delete the cameo with this cameo id.
    Delete(String),
}

/// The pane's own key actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CameoAction {
    /// Start creating a cameo.
    New,
}

impl CameoAction {
    /// Every action, for `[keys]` names.
    pub const ALL: &'static [CameoAction] = &[CameoAction::New];

    /// What help says.
    pub fn describe(self) -> &'static str {
        match self {
            CameoAction::New => "new cameo",
        }
    }
}

/// The pane's default bindings (context `Cameos`).
pub fn default_bindings() -> Vec<Binding> {
    Vec::new()
}

/// Keys first seen by this pane (forms); `None` lets the keymap handle the key.
pub fn on_key(_app: &mut App, _key: KeyEvent) -> Option<Vec<Cmd>> {
    None
}

/// A bound action of this pane.
pub fn on_action(_app: &mut App, _action: CameoAction) -> Vec<Cmd> {
    Vec::new()
}

/// A confirmed action.
pub fn on_confirm(_app: &mut App, _c: CameoConfirm) -> Vec<Cmd> {
    Vec::new()
}

/// Bracketed paste while this pane is focused.
pub fn on_paste(_app: &mut App, _text: &str) -> Vec<Cmd> {
    Vec::new()
}

/// A worker event for this pane.
pub fn on_event(_app: &mut App, _event: CameoEvent) -> Vec<Cmd> {
    Vec::new()
}

/// Requests to send at start (the cameo record is restored by the worker).
pub fn startup(_app: &mut App) -> Vec<Cmd> {
    Vec::new()
}
