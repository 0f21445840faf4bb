//! The storyboards folder: list, read, write, rename and delete `*.storyboard.toml` files.
//! Each function is one short blocking call (run on the blocking pool) that answers with the
//! event the pane receives; every error is worded for the user.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::{FileSummary, SaveTarget, StoryboardEvent, StoryboardFile};
use crate::api::VideoSettings;
use crate::store::write_atomic;
use crate::storyboard::{FILE_SUFFIX, Storyboard, from_toml, to_toml};

/// The folder's name in the data dir.
pub const FOLDER: &str = "storyboards";
/// The picker lists at most this many files.
const MAX_LISTED: usize = 1000;

/// The folder's storyboard files, most recently changed first. A missing folder is empty.
pub(super) fn list(folder: &Path) -> StoryboardEvent {
    let entries = match std::fs::read_dir(folder) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return StoryboardEvent::Listed {
                folder: folder.to_path_buf(),
                files: Vec::new(),
            };
        }
        Err(e) => {
            return StoryboardEvent::ListFailed(format!("cannot list {}: {e}", folder.display()));
        }
    };
    let mut files: Vec<StoryboardFile> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let file_name = entry.file_name().into_string().ok()?;
            let name = file_name.strip_suffix(FILE_SUFFIX)?.to_string();
            let meta = entry.metadata().ok().filter(|m| m.is_file())?;
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map(|d| d.as_secs_f64());
            let path = entry.path();
            let summary = read(&path).and_then(|text| {
                from_toml(&text)
                    .map(|b| FileSummary {
                        shots: b.shots.len(),
                        total: b.total(),
                        length: b.settings.length.seconds(),
                    })
                    .map_err(|e| e.to_string())
            });
            Some(StoryboardFile {
                path,
                name,
                modified,
                summary,
            })
        })
        .take(MAX_LISTED)
        .collect();
    files.sort_by(|a, b| {
        b.modified
            .partial_cmp(&a.modified)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.name.cmp(&b.name))
    });
    StoryboardEvent::Listed {
        folder: folder.to_path_buf(),
        files,
    }
}

/// Reads a storyboard file, or imports any other text file in the inline form.
pub(super) fn open(path: PathBuf) -> StoryboardEvent {
    let parsed = read(&path).and_then(|text| {
        let is_toml = path.extension().is_some_and(|e| e == "toml");
        if is_toml {
            from_toml(&text)
                .map(|b| (b, false))
                .map_err(|e| e.to_string())
        } else {
            Storyboard::from_inline(&text, VideoSettings::default()).map(|b| (b, true))
        }
    });
    match parsed {
        Ok((board, inline)) => StoryboardEvent::Opened {
            path,
            board,
            inline,
        },
        Err(error) => StoryboardEvent::OpenFailed { path, error },
    }
}

/// Writes `board` as TOML, atomically.
pub(super) fn save(folder: &Path, target: SaveTarget, board: Storyboard) -> StoryboardEvent {
    let path = match target {
        SaveTarget::File(path) => path,
        SaveTarget::Named { name, overwrite } => {
            let path = named(folder, &name);
            if !overwrite && path.exists() {
                return StoryboardEvent::SaveExists { name };
            }
            path
        }
    };
    match write_atomic(&path, to_toml(&board).as_bytes()) {
        Ok(()) => StoryboardEvent::Saved { path, board },
        Err(e) => StoryboardEvent::SaveFailed(format!("cannot save: {e}")),
    }
}

/// Renames a file of the folder; never replaces another one.
pub(super) fn rename(folder: &Path, from: PathBuf, to: &str) -> StoryboardEvent {
    if let Err(e) = inside(folder, &from) {
        return StoryboardEvent::FileFailed(e);
    }
    let target = named(folder, to);
    if target.exists() {
        return StoryboardEvent::FileFailed(format!(
            "a storyboard named {to:?} exists already: choose another name"
        ));
    }
    match std::fs::rename(&from, &target) {
        Ok(()) => StoryboardEvent::Renamed { from, to: target },
        Err(e) => StoryboardEvent::FileFailed(format!("cannot rename {}: {e}", from.display())),
    }
}

/// Deletes a file of the folder.
pub(super) fn delete(folder: &Path, path: PathBuf) -> StoryboardEvent {
    if let Err(e) = inside(folder, &path) {
        return StoryboardEvent::FileFailed(e);
    }
    match std::fs::remove_file(&path) {
        Ok(()) => StoryboardEvent::Deleted(path),
        Err(e) => StoryboardEvent::FileFailed(format!("cannot delete {}: {e}", path.display())),
    }
}

/// `<folder>/<name>.storyboard.toml`.
fn named(folder: &Path, name: &str) -> PathBuf {
    folder.join(format!("{name}{FILE_SUFFIX}"))
}

/// Renames and deletes touch only storyboard files directly in the folder.
fn inside(folder: &Path, path: &Path) -> Result<(), String> {
    let is_storyboard = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(FILE_SUFFIX));
    if path.parent() == Some(folder) && is_storyboard {
        Ok(())
    } else {
        Err(format!(
            "{} is not a file of the storyboards folder",
            path.display()
        ))
    }
}

/// A small text file's contents, with the reason worded for the user (a named pipe or a
/// device is refused before it is opened, and the read is capped).
fn read(path: &Path) -> Result<String, String> {
    crate::storyboard::read_text(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storyboard::Shot;

    fn board(scene: &str) -> Storyboard {
        Storyboard {
            instructions: "whole video".into(),
            shots: vec![Shot {
                duration: 10.0,
                scene: scene.into(),
            }],
            settings: VideoSettings::default(),
        }
    }

    fn listed(e: StoryboardEvent) -> Vec<StoryboardFile> {
        match e {
            StoryboardEvent::Listed { files, .. } => files,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn save_list_open_rename_delete() {
        let dir = tempfile::tempdir().expect("temp dir");
        let folder = dir.path().join(FOLDER);
        assert!(
            listed(list(&folder)).is_empty(),
            "a missing folder is empty"
        );

        let named_cat = |overwrite| SaveTarget::Named {
            name: "cat".into(),
            overwrite,
        };
        let saved = save(&folder, named_cat(false), board("a"));
        let path = folder.join("cat.storyboard.toml");
        assert_eq!(
            saved,
            StoryboardEvent::Saved {
                path: path.clone(),
                board: board("a")
            }
        );
        assert_eq!(
            save(&folder, named_cat(false), board("b")),
            StoryboardEvent::SaveExists { name: "cat".into() }
        );
        assert!(matches!(
            save(&folder, named_cat(true), board("b")),
            StoryboardEvent::Saved { .. }
        ));
        std::fs::write(
            folder.join("broken.storyboard.toml"),
            "version = 1\nlength = 7\n",
        )
        .expect("write");
        std::fs::write(folder.join("notes.txt"), "not listed").expect("write");

        let files = listed(list(&folder));
        assert_eq!(files.len(), 2, "{files:?}");
        let cat = files.iter().find(|f| f.name == "cat").expect("cat listed");
        assert_eq!(
            cat.summary,
            Ok(FileSummary {
                shots: 1,
                total: 10.0,
                length: 10
            })
        );
        let broken = files.iter().find(|f| f.name == "broken").expect("listed");
        assert!(
            broken
                .summary
                .as_ref()
                .is_err_and(|e| e.starts_with("line 2:"))
        );

        assert_eq!(
            open(path.clone()),
            StoryboardEvent::Opened {
                path: path.clone(),
                board: board("b"),
                inline: false
            }
        );
        let renamed = rename(&folder, path.clone(), "dog");
        let dog = folder.join("dog.storyboard.toml");
        assert_eq!(
            renamed,
            StoryboardEvent::Renamed {
                from: path.clone(),
                to: dog.clone()
            }
        );
        assert!(matches!(
            rename(&folder, dog.clone(), "broken"),
            StoryboardEvent::FileFailed(m) if m.contains("exists already")
        ));
        assert_eq!(delete(&folder, dog.clone()), StoryboardEvent::Deleted(dog));
        assert!(matches!(
            delete(&folder, folder.join("notes.txt")),
            StoryboardEvent::FileFailed(_)
        ));
        assert!(
            folder.join("notes.txt").exists(),
            "only storyboard files are deleted"
        );
    }

    #[test]
    fn open_imports_the_inline_form_and_reports_lines() {
        let dir = tempfile::tempdir().expect("temp dir");
        let text = dir.path().join("idea.txt");
        std::fs::write(&text, "A cat's adventure [5.0s]cat jumps [5.0s]cat lands\n")
            .expect("write");
        match open(text) {
            StoryboardEvent::Opened { board, inline, .. } => {
                assert!(inline);
                assert_eq!(board.instructions, "A cat's adventure");
                assert_eq!(board.shots.len(), 2);
            }
            other => panic!("{other:?}"),
        }
        let bad = dir.path().join("bad.storyboard.toml");
        std::fs::write(
            &bad,
            "version = 1\n\n[[shot]]\nduration = \"five\"\nscene = \"x\"\n",
        )
        .expect("write");
        match open(bad) {
            StoryboardEvent::OpenFailed { error, .. } => {
                assert!(error.starts_with("line 4:"), "{error}")
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            open(dir.path().join("missing.storyboard.toml")),
            StoryboardEvent::OpenFailed { .. }
        ));
    }

    #[test]
    fn a_fifo_or_a_device_is_neither_opened_nor_listed() {
        use crate::fsutil::hostile::{mkfifo, within};
        let dir = tempfile::tempdir().expect("temp dir");
        let folder = dir.path().join(FOLDER);
        std::fs::create_dir(&folder).expect("folder");
        let fifo = folder.join("pipe.storyboard.toml");
        mkfifo(&fifo);
        let zero = folder.join("zero.storyboard.toml");
        std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
        let zero_txt = dir.path().join("zero.txt");
        std::os::unix::fs::symlink("/dev/zero", &zero_txt).expect("symlink");
        for path in [fifo, zero, zero_txt] {
            let shown = path.display().to_string();
            match within("open", move || open(path)) {
                StoryboardEvent::OpenFailed { error, .. } => {
                    assert!(
                        error.starts_with(&shown) && error.contains("not a regular file"),
                        "{error}"
                    )
                }
                other => panic!("{other:?}"),
            }
        }
        let files = listed(within("list", move || list(&folder)));
        assert!(files.is_empty(), "{files:?}");
    }
}
