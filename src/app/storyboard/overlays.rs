//! What the pane shows on top of itself, with the keys it takes: the file picker (open,
//! rename, delete), the one-line name prompt (save as, rename, import) and the `@cameo`
//! picker.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};

use super::{StoryboardAction, StoryboardConfirm, file_request, insert_text, key_label, typing};
use crate::app::line_edit::{LineEdit, LineKey};
use crate::app::{App, Cmd, ConfirmAction, Modal, toast};
use crate::storyboard::file_stem;
use crate::worker::{SaveTarget, StoryboardRequest};

/// A picker or prompt on top of the pane.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// The storyboards folder's files.
    Files {
        /// Selected row.
        selected: usize,
        /// Waiting for the listing.
        loading: bool,
    },
    /// A one-line name or path being typed.
    Name(NameInput),
    /// The known cameos' usernames.
    Cameos {
        /// Selected row.
        selected: usize,
    },
}

/// A one-line input.
#[derive(Debug, Clone, PartialEq)]
pub struct NameInput {
    /// What the text is for.
    pub purpose: NamePurpose,
    /// The text typed so far.
    pub value: LineEdit,
    /// Why the last Enter was refused.
    pub error: Option<String>,
}

/// What a [`NameInput`] is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamePurpose {
    /// Save the storyboard under a new name in the storyboards folder.
    SaveAs,
    /// Rename this file of the storyboards folder.
    Rename(PathBuf),
    /// Import a file: a storyboard, or text in the inline form.
    Import,
}

impl NamePurpose {
    /// The prompt in front of the input.
    pub fn label(&self) -> &'static str {
        match self {
            NamePurpose::SaveAs => "Save as",
            NamePurpose::Rename(_) => "Rename to",
            NamePurpose::Import => "Import file",
        }
    }
}

/// Shows the file picker and asks the worker for the listing.
pub(super) fn open_files(app: &mut App) -> Vec<Cmd> {
    let mut cmds = typing::finish(app);
    let selected = selected_file(app);
    app.storyboard.file_filter.clear();
    app.storyboard.overlay = Some(Overlay::Files {
        selected,
        loading: true,
    });
    cmds.push(file_request(StoryboardRequest::List));
    cmds
}

/// The row of the storyboard's own file in the last listing, else the first.
fn selected_file(app: &App) -> usize {
    let p = &app.storyboard;
    p.file
        .as_ref()
        .and_then(|f| p.files.iter().position(|e| e.path == *f))
        .unwrap_or(0)
}

/// Shows the name prompt; save-as starts from the current file's name.
pub(super) fn ask_name(app: &mut App, purpose: NamePurpose) -> Vec<Cmd> {
    let cmds = typing::finish(app);
    let value = match &purpose {
        NamePurpose::SaveAs => app.storyboard.file_name().unwrap_or_default(),
        NamePurpose::Rename(path) => super::display_name(path),
        NamePurpose::Import => String::new(),
    };
    app.storyboard.overlay = Some(Overlay::Name(NameInput {
        purpose,
        value: LineEdit::new(value),
        error: None,
    }));
    cmds
}

/// Shows the cameo picker; typing goes on underneath.
pub(super) fn open_cameos(app: &mut App) -> Vec<Cmd> {
    let p = &app.storyboard;
    if p.typing.is_none() && p.board.shots.is_empty() {
        toast(
            app,
            format!(
                "add a shot first ({}), then insert a cameo into its scene",
                key_label(app, StoryboardAction::AddShot)
            ),
        );
        return Vec::new();
    }
    app.storyboard.overlay = Some(Overlay::Cameos { selected: 0 });
    Vec::new()
}

/// A key for the overlay (taken out of the state by the caller; put back when it stays).
pub(super) fn on_key(app: &mut App, overlay: Overlay, key: KeyEvent) -> Vec<Cmd> {
    match overlay {
        Overlay::Files { selected, loading } => files_key(app, selected, loading, key),
        Overlay::Name(input) => name_key(app, input, key),
        Overlay::Cameos { selected } => cameos_key(app, selected, key),
    }
}

/// Moves a selection by a list key (`j`/`k`, arrows, `g`/`G`, Home/End); `None` for other keys.
fn moved(selected: usize, len: usize, key: &KeyEvent) -> Option<usize> {
    let last = len.saturating_sub(1);
    let next = match key.code {
        KeyCode::Down | KeyCode::Char('j') => selected + 1,
        KeyCode::Up | KeyCode::Char('k') => selected.saturating_sub(1),
        KeyCode::Home | KeyCode::Char('g') => 0,
        KeyCode::End | KeyCode::Char('G') => last,
        _ => return None,
    };
    Some(next.min(last))
}

fn files_key(app: &mut App, selected: usize, loading: bool, key: KeyEvent) -> Vec<Cmd> {
    let p = &mut app.storyboard;
    let keep = |selected| Some(Overlay::Files { selected, loading });
    // The filter line being typed has every key; `Esc` clears a kept filter first.
    let f = &mut p.file_filter;
    if f.is_editing() || (key.code == KeyCode::Esc && f.is_active()) {
        use crate::app::filter::FilterKey;
        let selected = match f.key(&key) {
            FilterKey::Edited | FilterKey::Cleared => f.keep_selection(selected),
            FilterKey::Kept | FilterKey::Ignored => selected,
        };
        p.overlay = keep(selected);
        return Vec::new();
    }
    if key.code == KeyCode::Char('/') && !p.files.is_empty() {
        p.file_filter.open();
        crate::app::pane_filter::refilter_files(p);
        p.overlay = keep(p.file_filter.keep_selection(selected));
        return Vec::new();
    }
    // A filtered picker moves through its matches: positions, not row indices.
    let f = &p.file_filter;
    let pos = f.position(selected).unwrap_or(0);
    if let Some(next) = moved(pos, f.len(p.files.len()), &key) {
        p.overlay = keep(f.row_at(next).unwrap_or(selected));
        return Vec::new();
    }
    let chosen = f
        .position(selected)
        .and_then(|_| p.files.get(selected))
        .map(|f| f.path.clone());
    match (key.code, chosen) {
        (KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('O'), _) => Vec::new(),
        (KeyCode::Enter, Some(path)) => vec![file_request(StoryboardRequest::Open(path))],
        (KeyCode::Char('r'), Some(path)) => ask_name(app, NamePurpose::Rename(path)),
        (KeyCode::Char('d'), Some(path)) => {
            p.overlay = keep(selected);
            app.modal = Some(Modal::Confirm {
                question: format!(
                    "Delete the file {}? This cannot be undone.",
                    super::display_name(&path)
                ),
                action: ConfirmAction::Storyboard(StoryboardConfirm::DeleteFile(path)),
            });
            Vec::new()
        }
        _ => {
            p.overlay = keep(selected);
            Vec::new()
        }
    }
}

fn name_key(app: &mut App, mut input: NameInput, key: KeyEvent) -> Vec<Cmd> {
    match key.code {
        KeyCode::Esc => {
            if let NamePurpose::Rename(_) = input.purpose {
                // Back to the list the rename started from.
                app.storyboard.overlay = Some(Overlay::Files {
                    selected: selected_in_listing(app, &input.purpose),
                    loading: false,
                });
            }
            return Vec::new();
        }
        KeyCode::Enter => return name_entered(app, input),
        _ => {
            if input.value.key(&key) != LineKey::Edited {
                app.storyboard.overlay = Some(Overlay::Name(input));
                return Vec::new();
            }
        }
    }
    input.error = None;
    app.storyboard.overlay = Some(Overlay::Name(input));
    Vec::new()
}

fn selected_in_listing(app: &App, purpose: &NamePurpose) -> usize {
    match purpose {
        NamePurpose::Rename(path) => app
            .storyboard
            .files
            .iter()
            .position(|f| f.path == *path)
            .unwrap_or(0),
        _ => 0,
    }
}

fn name_entered(app: &mut App, mut input: NameInput) -> Vec<Cmd> {
    let board = app.storyboard.board.clone();
    match &input.purpose {
        NamePurpose::SaveAs => match file_stem(input.value.text()) {
            Ok(name) => vec![file_request(StoryboardRequest::Save {
                target: SaveTarget::Named {
                    name,
                    overwrite: false,
                },
                board,
            })],
            Err(e) => {
                input.error = Some(e);
                app.storyboard.overlay = Some(Overlay::Name(input));
                Vec::new()
            }
        },
        NamePurpose::Rename(from) => match file_stem(input.value.text()) {
            Ok(to) => {
                let from = from.clone();
                app.storyboard.overlay = Some(Overlay::Files {
                    selected: selected_in_listing(app, &input.purpose),
                    loading: true,
                });
                vec![file_request(StoryboardRequest::Rename { from, to })]
            }
            Err(e) => {
                input.error = Some(e);
                app.storyboard.overlay = Some(Overlay::Name(input));
                Vec::new()
            }
        },
        NamePurpose::Import => {
            let typed = input.value.text().trim();
            if typed.is_empty() {
                input.error = Some(
                    "type the path of a .storyboard.toml file or of a text file like \"A cat's adventure [5.0s]cat jumps [5.0s]cat lands\"".into(),
                );
                app.storyboard.overlay = Some(Overlay::Name(input));
                return Vec::new();
            }
            let path = crate::fsutil::expand_home(typed, &app.info.home);
            vec![file_request(StoryboardRequest::Open(path))]
        }
    }
}

fn cameos_key(app: &mut App, selected: usize, key: KeyEvent) -> Vec<Cmd> {
    let names = app.cameos.usernames();
    if let Some(next) = moved(selected, names.len(), &key) {
        app.storyboard.overlay = Some(Overlay::Cameos { selected: next });
        return Vec::new();
    }
    match key.code {
        KeyCode::Esc => Vec::new(),
        KeyCode::Enter => match names.get(selected) {
            Some(name) => insert_text(app, &format!("@{name}")),
            None => Vec::new(),
        },
        _ => {
            app.storyboard.overlay = Some(Overlay::Cameos { selected });
            Vec::new()
        }
    }
}
