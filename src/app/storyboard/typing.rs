//! A typing session: a scene or the instructions in the editor. Every keystroke is copied
//! into the storyboard and autosaved (the worker coalesces the writes); the whole session is
//! one undo step, recorded when it ends.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{
    StoryboardAction, StoryboardEdit, TextEditor, Version, autosave, changed, commit,
    external_editor, overlays, queue, submit,
};
use crate::app::keymap::{Action, Context};
use crate::app::{App, Cmd};

/// What is being typed.
#[derive(Debug, Clone, PartialEq)]
pub struct Typing {
    /// The scene of a shot, or the instructions.
    pub target: StoryboardEdit,
    /// The editor.
    pub editor: TextEditor,
    /// The storyboard before the session: recorded for undo when the session ends.
    pub before: Version,
    /// The shot was added for this session (`a`): leaving it empty takes it away again.
    pub added: bool,
}

/// Starts typing `target`; `before` is the version the session's undo step goes back to.
pub(super) fn start(
    app: &mut App,
    target: StoryboardEdit,
    before: Version,
    added: bool,
) -> Vec<Cmd> {
    let mut cmds = finish(app);
    let p = &mut app.storyboard;
    let text = match target {
        StoryboardEdit::Instructions => p.board.instructions.clone(),
        StoryboardEdit::Scene(i) => match p.board.shots.get(i) {
            Some(shot) => shot.scene.clone(),
            None => return cmds,
        },
    };
    p.preview = false;
    p.typing = Some(Typing {
        target,
        editor: TextEditor::new(&text),
        before,
        added,
    });
    if added {
        // The new shot exists now: a crash right away must not lose it.
        cmds.extend(changed(p));
    }
    cmds
}

/// A key while typing: `Esc` finishes; the pane's Ctrl/Alt bindings for submit, the external
/// editor and the cameo picker apply; everything else goes to the editor.
pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Cmd> {
    if key.code == KeyCode::Esc {
        return finish(app);
    }
    if key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        match app.keymap.lookup(&[Context::Storyboard], &key) {
            Some(Action::Storyboard(StoryboardAction::Submit)) => return submit(app),
            Some(Action::Storyboard(StoryboardAction::Queue)) => return queue(app),
            Some(Action::Storyboard(StoryboardAction::ExternalEditor)) => {
                return external_editor(app);
            }
            Some(Action::Storyboard(StoryboardAction::InsertCameo)) => {
                return overlays::open_cameos(app);
            }
            _ => {}
        }
    }
    let Some(t) = app.storyboard.typing.as_mut() else {
        return Vec::new();
    };
    if t.editor.0.input(key) {
        return sync(app);
    }
    Vec::new()
}

/// Whether an Alt key does something while typing: one of the bindings `on_key` applies, or
/// a move or delete of the editor. One that does not is `Esc` and a key that arrived in one
/// read, which `update` splits before the key gets here.
pub(super) fn uses(app: &App, key: &KeyEvent) -> bool {
    let Some(t) = &app.storyboard.typing else {
        return false;
    };
    let bound = matches!(
        app.keymap.lookup(&[Context::Storyboard], key),
        Some(Action::Storyboard(
            StoryboardAction::Submit
                | StoryboardAction::Queue
                | StoryboardAction::ExternalEditor
                | StoryboardAction::InsertCameo
        ))
    );
    bound || crate::app::update::editor_uses(&t.editor.0, key)
}

/// Inserts text at the editor's cursor.
pub(super) fn insert(app: &mut App, text: &str) -> Vec<Cmd> {
    let Some(t) = app.storyboard.typing.as_mut() else {
        return Vec::new();
    };
    t.editor.0.insert_str(text);
    sync(app)
}

/// Copies the editor's text into the storyboard and autosaves.
fn sync(app: &mut App) -> Vec<Cmd> {
    let p = &mut app.storyboard;
    let Some(t) = &p.typing else {
        return Vec::new();
    };
    let text = t.editor.text();
    match t.target {
        StoryboardEdit::Instructions => p.board.instructions = text,
        StoryboardEdit::Scene(i) => match p.board.shots.get_mut(i) {
            Some(shot) => shot.scene = text,
            None => return Vec::new(),
        },
    }
    changed(p)
}

/// Ends the session, if any: one undo step for all of it. A shot added for the session and
/// left empty is taken away again, as if `a` had not been pressed.
pub(super) fn finish(app: &mut App) -> Vec<Cmd> {
    let p = &mut app.storyboard;
    let Some(t) = p.typing.take() else {
        return Vec::new();
    };
    let left_empty = match t.target {
        StoryboardEdit::Scene(i) => p
            .board
            .shots
            .get(i)
            .is_none_or(|s| s.scene.trim().is_empty()),
        StoryboardEdit::Instructions => false,
    };
    if t.added && left_empty {
        p.restore(t.before);
        return vec![autosave(p)];
    }
    commit(app, t.before)
}
