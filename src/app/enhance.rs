//! Prompt enhancement from the Prompt pane (`E`): the text is sent to the service
//! (`Request::Enhance`); an overlay (`Modal::Enhance`, drawn by `ui/enhance.rs`) shows
//! "enhancing…", then the original beside the suggestion. `y`/`Enter` replaces the text as one
//! edit the editor's undo (`Ctrl-U` while typing) takes back whole, `n`/`Esc` keeps it, `l`
//! asks again at the next expansion level. A failure is a toast; the text is never touched.

use crossterm::event::{KeyCode, KeyEvent};

use super::prompt::save_prompt;
use super::update::ctrl;
use super::{App, Cmd, Modal, toast, toast_error};
use crate::api::{Expansion, Length};
use crate::worker::{EnhanceAnswer, EnhanceRequest, Request};

/// What the Prompt pane keeps about enhancing between overlays.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EnhanceState {
    /// The number of the last request sent (answers to older ones are ignored).
    pub seq: u64,
    /// The expansion level the next `E` asks for (`l` in the overlay changes it).
    pub level: Expansion,
    /// The last accepted suggestion, for the editor's undo to take back in one step.
    pub undo: Option<EnhanceUndo>,
}

/// An accepted suggestion as the editor's history holds it: replacing the text is a delete
/// and an insert there (`steps` entries), undone and redone together.
#[derive(Debug, Clone, PartialEq)]
pub struct EnhanceUndo {
    /// The text before.
    pub before: String,
    /// The text after.
    pub after: String,
    /// How many entries of the editor's history the replacement made (1 or 2).
    pub steps: usize,
    /// Whether it is undone now (then `Ctrl-R` redoes it).
    pub undone: bool,
}

/// The overlay: the original, and the suggestion once it came.
#[derive(Debug, Clone, PartialEq)]
pub struct EnhanceOverlay {
    /// The request this overlay waits for or shows.
    pub seq: u64,
    /// The prompt as it was sent.
    pub original: String,
    /// The level asked for.
    pub level: Expansion,
    /// The duration sent, seconds.
    pub duration_s: u32,
    /// The enhanced prompt (already sanitised and bounded by the client); `None` while
    /// waiting.
    pub suggestion: Option<String>,
}

/// The `duration_s` for the Prompt pane's length: 10 and 15 s as they are, 25 s as 20 (the
/// longest the known clients send, docs/api.md "Prompt enhancement").
pub fn duration_for(length: Length) -> u32 {
    match length {
        Length::S10 => 10,
        Length::S15 => 15,
        Length::S25 => 20,
    }
}

/// `E`: sends the prompt's text for enhancement and opens the overlay, waiting.
pub fn start(app: &mut App) -> Vec<Cmd> {
    let original = app.prompt.text();
    if original.trim().is_empty() {
        toast(app, "nothing to enhance: type a prompt first");
        return Vec::new();
    }
    let level = app.prompt.enhance.level;
    request(app, original, level)
}

fn request(app: &mut App, original: String, level: Expansion) -> Vec<Cmd> {
    app.prompt.enhance.seq += 1;
    app.prompt.enhance.level = level;
    let seq = app.prompt.enhance.seq;
    let duration_s = duration_for(app.prompt.video.length);
    app.modal = Some(Modal::Enhance(EnhanceOverlay {
        seq,
        original: original.clone(),
        level,
        duration_s,
        suggestion: None,
    }));
    vec![Cmd::Worker(Request::Enhance(EnhanceRequest {
        seq,
        prompt: original,
        level,
        duration_s,
    }))]
}

/// The worker's answer: shown in the overlay that waits for it; an error closes it with a
/// toast. An answer nobody waits for (the overlay was closed, or asked again) is dropped.
pub fn on_event(app: &mut App, answer: EnhanceAnswer) -> Vec<Cmd> {
    let waiting = matches!(
        &app.modal,
        Some(Modal::Enhance(o)) if o.seq == answer.seq && o.suggestion.is_none()
    );
    if !waiting {
        return Vec::new();
    }
    match answer.result {
        Ok(text) => {
            if let Some(Modal::Enhance(o)) = app.modal.as_mut() {
                o.suggestion = Some(text);
            }
        }
        Err(e) => {
            app.modal = None;
            toast_error(
                app,
                format!("enhancing failed, the prompt is unchanged: {e}"),
            );
        }
    }
    Vec::new()
}

/// A key while the overlay is open.
pub fn on_key(app: &mut App, overlay: EnhanceOverlay, key: KeyEvent) -> Vec<Cmd> {
    match key.code {
        KeyCode::Char('l') | KeyCode::Char('L') => {
            let level = overlay.level.next();
            return request(app, overlay.original, level);
        }
        KeyCode::Esc | KeyCode::Char('n') | KeyCode::Char('N') => {
            let what = if overlay.suggestion.is_some() {
                "suggestion rejected: the prompt is unchanged"
            } else {
                "enhancing cancelled: the prompt is unchanged"
            };
            toast(app, what);
            return Vec::new();
        }
        KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => {
            if let Some(text) = overlay.suggestion.clone() {
                return accept(app, overlay, text);
            }
        }
        _ => {}
    }
    app.modal = Some(Modal::Enhance(overlay));
    Vec::new()
}

/// Replaces the editor's text with the suggestion, as one undoable edit.
fn accept(app: &mut App, overlay: EnhanceOverlay, text: String) -> Vec<Cmd> {
    let before = app.prompt.text();
    if before != overlay.original {
        toast_error(
            app,
            "the prompt changed while enhancing: it was kept, press E again",
        );
        return Vec::new();
    }
    let editor = &mut app.prompt.editor;
    editor.select_all();
    editor.insert_str(&text);
    let steps = usize::from(!before.is_empty()) + usize::from(!text.is_empty());
    app.prompt.enhance.undo = Some(EnhanceUndo {
        before,
        after: app.prompt.text(),
        steps,
        undone: false,
    });
    app.prompt.error = None;
    app.prompt.history_pos = None;
    toast(
        app,
        "prompt replaced by the suggestion: Ctrl-U while typing brings the original back",
    );
    vec![save_prompt(app)]
}

/// `Ctrl-U` / `Ctrl-R` while typing, right after an accepted suggestion: undoes or redoes the
/// whole replacement at once (the editor's history holds it as a delete and an insert).
/// `None` when the key is not one of them or the text has changed since.
pub fn undo_key(app: &mut App, key: &KeyEvent) -> Option<Vec<Cmd>> {
    let (undo, redo) = (ctrl(key, 'u'), ctrl(key, 'r'));
    if !undo && !redo {
        return None;
    }
    let text = app.prompt.text();
    let mark = app.prompt.enhance.undo.as_mut()?;
    let applies = if undo {
        !mark.undone && text == mark.after
    } else {
        mark.undone && text == mark.before
    };
    if !applies {
        // Typed over since: the editor's own undo goes on step by step.
        app.prompt.enhance.undo = None;
        return None;
    }
    for _ in 0..mark.steps {
        if undo {
            app.prompt.editor.undo();
        } else {
            app.prompt.editor.redo();
        }
    }
    mark.undone = undo;
    Some(vec![save_prompt(app)])
}
