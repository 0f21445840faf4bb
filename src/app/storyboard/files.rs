//! The worker's answers about storyboard files: the restored autosave, listings, opened,
//! saved, renamed and deleted files.

use super::{
    Overlay, StoryboardAction, StoryboardConfirm, StoryboardPane, autosave, display_name, edit,
    file_request, key_label, typing,
};
use crate::app::{App, Cmd, ConfirmAction, Modal, toast, toast_error};
use crate::storyboard::Storyboard;
use crate::worker::{StoryboardEvent, StoryboardRequest};

/// Applies one worker event.
pub(super) fn on_event(app: &mut App, event: StoryboardEvent) -> Vec<Cmd> {
    match event {
        StoryboardEvent::Restored { autosave, warning } => {
            if let Some(w) = warning {
                toast_error(app, w);
            }
            let p = &mut app.storyboard;
            // Whatever happened in this run already (a file opened from the command line)
            // wins over the autosave of the last one.
            if let Some(a) = autosave
                && p.pristine()
            {
                p.saved = match (&a.file, a.dirty) {
                    (Some(file), false) => Some((file.clone(), a.board.clone())),
                    _ => None,
                };
                p.selected = a.selected.min(a.board.shots.len().saturating_sub(1));
                p.board = a.board;
                p.file = a.file;
            }
            Vec::new()
        }
        StoryboardEvent::Listed { folder, files } => {
            let p = &mut app.storyboard;
            p.files = files;
            p.folder = Some(folder);
            p.files_error = None;
            settle_picker(p);
            Vec::new()
        }
        StoryboardEvent::ListFailed(e) => {
            app.storyboard.files_error = Some(e);
            settle_picker(&mut app.storyboard);
            Vec::new()
        }
        StoryboardEvent::Opened {
            path,
            board,
            inline,
        } => opened(app, path, board, inline),
        StoryboardEvent::OpenFailed { path, error } => {
            let text = format!("{}: {error}", display_name(&path));
            app.storyboard.message = Some(format!("not opened: {text}"));
            toast_error(app, text);
            Vec::new()
        }
        StoryboardEvent::Saved { path, board } => {
            let name = display_name(&path);
            let p = &mut app.storyboard;
            p.file = Some(path.clone());
            p.saved = Some((path, board));
            toast(app, format!("saved {name}"));
            vec![autosave(&app.storyboard)]
        }
        StoryboardEvent::SaveExists { name } => {
            app.modal = Some(Modal::Confirm {
                question: format!("A storyboard named {name} exists already. Replace it?"),
                action: ConfirmAction::Storyboard(StoryboardConfirm::Overwrite(name)),
            });
            Vec::new()
        }
        StoryboardEvent::SaveFailed(e) => {
            app.storyboard.message = Some(format!("not saved: {e}"));
            toast_error(app, e);
            Vec::new()
        }
        StoryboardEvent::Renamed { from, to } => {
            let p = &mut app.storyboard;
            if p.file.as_ref() == Some(&from) {
                p.file = Some(to.clone());
            }
            if let Some((saved, _)) = &mut p.saved
                && *saved == from
            {
                *saved = to.clone();
            }
            toast(app, format!("renamed to {}", display_name(&to)));
            vec![
                autosave(&app.storyboard),
                file_request(StoryboardRequest::List),
            ]
        }
        StoryboardEvent::Deleted(path) => {
            let p = &mut app.storyboard;
            if p.file.as_ref() == Some(&path) {
                p.file = None;
                p.saved = None;
            }
            toast(app, format!("deleted {}", display_name(&path)));
            vec![
                autosave(&app.storyboard),
                file_request(StoryboardRequest::List),
            ]
        }
        StoryboardEvent::FileFailed(e) => {
            settle_picker(&mut app.storyboard);
            toast_error(app, e);
            Vec::new()
        }
    }
}

/// A file was read: it replaces the storyboard as one undoable step.
fn opened(app: &mut App, path: std::path::PathBuf, board: Storyboard, inline: bool) -> Vec<Cmd> {
    let mut cmds = typing::finish(app);
    let had_work = !app.storyboard.board.shots.is_empty()
        || !app.storyboard.board.instructions.trim().is_empty();
    let name = display_name(&path);
    let count = board.shots.len();
    // Known before the edit, so its autosave already says "not modified".
    app.storyboard.saved = (!inline).then(|| (path.clone(), board.clone()));
    cmds.extend(edit(app, |p| {
        p.board = board;
        p.file = (!inline).then_some(path);
        p.selected = 0;
        p.preview = false;
    }));
    if cmds.is_empty() {
        // Same content as before (opened twice): still the file's storyboard now.
        cmds.push(autosave(&app.storyboard));
    }
    let undo = key_label(app, StoryboardAction::Undo);
    let back = if had_work {
        format!(" ({undo} goes back to what was here)")
    } else {
        String::new()
    };
    let what = if inline {
        format!("imported {count} shots from {name}")
    } else {
        format!("opened {name}")
    };
    toast(app, format!("{what}{back}"));
    cmds
}

/// The picker stops waiting and its selection stays on a row.
fn settle_picker(p: &mut StoryboardPane) {
    let len = p.files.len();
    if let Some(Overlay::Files { selected, loading }) = &mut p.overlay {
        *loading = false;
        *selected = (*selected).min(len.saturating_sub(1));
    }
}
