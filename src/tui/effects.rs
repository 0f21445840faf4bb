//! The effects `update` asks for, carried out by the loop: nothing here touches the state.

use std::path::{Path, PathBuf};

use tokio::sync::mpsc;

use crate::app::{Cmd, Msg, OpenTarget};
use crate::config::{Config, Notifications};
use crate::worker::Request;

/// Carries out commands other than quitting and the external editor.
pub struct Effects {
    requests: mpsc::Sender<Request>,
    notifications: Notifications,
    player: Option<String>,
    /// How `y` copies, chosen once at start (see [`super::clipboard::choose`]).
    copy: super::clipboard::Method,
}

impl Effects {
    /// From the config and the worker's request channel.
    pub fn new(config: &Config, requests: mpsc::Sender<Request>) -> Effects {
        Effects {
            requests,
            notifications: config.notifications.unwrap_or_default(),
            player: config.player.clone().filter(|p| !p.trim().is_empty()),
            copy: super::clipboard::choose(
                config.copy_command.as_deref(),
                &super::clipboard::CopyEnv::from_env(),
            ),
        }
    }

    /// Runs one command; some answer with a message for `update`.
    pub fn run(&mut self, cmd: Cmd) -> Option<Msg> {
        match cmd {
            Cmd::Worker(req) => {
                // Never block the UI: when the queue is full, hand the send to a task.
                if let Err(mpsc::error::TrySendError::Full(req)) = self.requests.try_send(req) {
                    let tx = self.requests.clone();
                    tokio::spawn(async move {
                        let _ = tx.send(req).await;
                    });
                }
                None
            }
            // The toast says how it went: only a command's success is known to have copied.
            Cmd::Copy(text) => Some(
                match super::clipboard::copy(&self.copy, &text, super::write_terminal) {
                    Ok(done) => Msg::EffectDone(done),
                    Err(why) => Msg::EffectFailed(why),
                },
            ),
            Cmd::Open(target) => self.open(&target).err().map(Msg::EffectFailed),
            Cmd::Notify(text) => {
                match self.notifications {
                    Notifications::Bell => super::write_terminal(b"\x07"),
                    Notifications::Osc9 => {
                        let clean: String = text.chars().filter(|c| !c.is_control()).collect();
                        super::write_terminal(format!("\x1b]9;{clean}\x07").as_bytes());
                    }
                    Notifications::Off => {}
                }
                None
            }
            Cmd::CompletePath(input) => Some(Msg::Completions {
                candidates: complete_path(&input),
                input,
            }),
            // Read in place, like the completions: a batch file and its storyboards are small
            // capped regular files (pipes and devices are refused before they are opened).
            Cmd::LoadBatch(path) => Some(Msg::BatchLoaded {
                result: crate::batch::load(&path).map_err(|e| e.to_string()),
                path,
            }),
            Cmd::Quit | Cmd::EditExternally { .. } => None,
        }
    }

    /// Starts the player on a target checked once more by [`super::player::command`].
    fn open(&self, target: &OpenTarget) -> Result<(), String> {
        let (program, args) = super::player::command(self.player.as_deref(), target)?;
        std::process::Command::new(&program)
            .args(&args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map(drop)
            .map_err(|e| {
                format!("cannot run {program:?} to open it ({e}): set `player` in the config")
            })
    }
}

/// The most text read back from the editor: far more than any prompt.
const MAX_EDITED_BYTES: u64 = 1024 * 1024;

/// Suspends the UI, runs `$VISUAL`/`$EDITOR` (else `vi`) on the text, and returns the result.
pub fn edit_externally(
    terminal: &mut ratatui::DefaultTerminal,
    text: &str,
) -> Result<String, String> {
    let editor = editor_command(std::env::var("VISUAL").ok(), std::env::var("EDITOR").ok());
    edit_in(&std::env::temp_dir(), &editor, text, |path| {
        ratatui::restore();
        let status = run_editor(&editor, path);
        *terminal = ratatui::init();
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
        let _ = terminal.clear();
        status
    })
}

/// `$VISUAL`, else `$EDITOR`, else `vi`; a blank variable counts as unset.
fn editor_command(visual: Option<String>, editor: Option<String>) -> String {
    [visual, editor]
        .into_iter()
        .flatten()
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string())
}

/// Runs `editor` on `path` through the shell, so commands with arguments (`code --wait`) work;
/// the path goes in as `$1`, never spliced into the command text.
fn run_editor(editor: &str, path: &Path) -> std::io::Result<std::process::ExitStatus> {
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(path)
        .status()
}

/// The editor round trip around `run` (which edits the file at the path it is given). The text
/// goes into a fresh file in `dir` created exclusively under a random name with mode 0600:
/// nobody else can read the prompt, and a file or symlink planted at a guessable name is
/// never written through. The edited text is read back with a cap; the file is removed.
fn edit_in(
    dir: &Path,
    editor: &str,
    text: &str,
    run: impl FnOnce(&Path) -> std::io::Result<std::process::ExitStatus>,
) -> Result<String, String> {
    use std::io::Write;
    let mut file = tempfile::Builder::new()
        .prefix("sora-tui-prompt-")
        .suffix(".txt")
        .tempfile_in(dir)
        .map_err(|e| format!("cannot create a temporary file in {}: {e}", dir.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| format!("cannot write {}: {e}", file.path().display()))?;
    let path = file.path().to_path_buf();
    let result = match run(&path) {
        Ok(s) if s.success() => crate::fsutil::read_text_capped(&path, MAX_EDITED_BYTES)
            .map(|t| t.strip_suffix('\n').unwrap_or(&t).to_string())
            .map_err(|e| {
                format!(
                    "cannot read back the edited prompt: {}",
                    e.message("", &path)
                )
            }),
        Ok(s) => Err(format!(
            "the editor {editor:?} exited with {s}; the prompt is unchanged"
        )),
        Err(e) => Err(format!(
            "cannot run the editor {editor:?} ({e}): set $VISUAL or $EDITOR"
        )),
    };
    // Dropping the handle removes the file (or what the editor saved in its place).
    drop(file);
    result
}

/// Candidates completing a partial path: entries of its folder starting with its last part;
/// folders end with `/`; hidden files only when the part starts with a dot. Sorted, at most 50.
pub fn complete_path(input: &str) -> Vec<String> {
    let home = directories::BaseDirs::new()
        .map(|b| b.home_dir().to_path_buf())
        .unwrap_or_default();
    let expanded = crate::fsutil::expand_home(input, &home)
        .display()
        .to_string();
    let (dir, prefix) = match expanded.rfind('/') {
        Some(i) => (expanded[..=i].to_string(), expanded[i + 1..].to_string()),
        None => (String::new(), expanded.clone()),
    };
    let read_from: PathBuf = if dir.is_empty() {
        PathBuf::from(".")
    } else {
        PathBuf::from(&dir)
    };
    let Ok(entries) = std::fs::read_dir(&read_from) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with(&prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false)
                || Path::new(&dir).join(&name).is_dir();
            Some(format!("{dir}{name}{}", if is_dir { "/" } else { "" }))
        })
        .collect();
    out.sort();
    out.truncate(50);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_files_and_folders() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cat.png"), b"x").unwrap();
        std::fs::write(dir.path().join("car.jpg"), b"x").unwrap();
        std::fs::create_dir(dir.path().join("cats")).unwrap();
        std::fs::write(dir.path().join(".hidden"), b"x").unwrap();
        let base = format!("{}/", dir.path().display());
        assert_eq!(
            complete_path(&format!("{base}ca")),
            vec![
                format!("{base}car.jpg"),
                format!("{base}cat.png"),
                format!("{base}cats/")
            ]
        );
        assert_eq!(
            complete_path(&format!("{base}cat.")),
            vec![format!("{base}cat.png")]
        );
        assert!(complete_path(&base).iter().all(|c| !c.contains(".hidden")));
    }

    #[test]
    fn the_prompt_file_is_fresh_private_and_never_a_planted_one() {
        use std::os::unix::fs::PermissionsExt;
        use std::os::unix::process::ExitStatusExt;
        let tmp = tempfile::tempdir().unwrap();
        // Another user plants a symlink at the name the file used to have.
        let victim = tmp.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let planted = tmp
            .path()
            .join(format!("sora-tui-prompt-{}.txt", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        let mut seen = None;
        let edited = edit_in(tmp.path(), "stand-in", "a lighthouse", |path| {
            let meta = std::fs::symlink_metadata(path).unwrap();
            seen = Some((
                path.to_path_buf(),
                meta.file_type().is_file(),
                meta.permissions().mode() & 0o777,
                std::fs::read_to_string(path).unwrap(),
            ));
            std::fs::write(path, "a lighthouse, edited\n").unwrap();
            Ok(std::process::ExitStatus::from_raw(0))
        });
        assert_eq!(edited.as_deref(), Ok("a lighthouse, edited"));
        let (path, regular, mode, text) = seen.expect("the editor ran");
        assert_ne!(path, planted);
        assert!(regular, "a regular file of its own, not a symlink");
        assert_eq!(mode, 0o600, "readable by its owner only");
        assert_eq!(text, "a lighthouse");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(!path.exists(), "the file is removed afterwards");
    }

    #[test]
    fn the_editor_round_trip_runs_the_command_on_the_file() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        // Saves by writing a new file and renaming it over the old one, as many editors do.
        let script = tmp.path().join("shout");
        std::fs::write(
            &script,
            "#!/bin/sh\ntr a-z A-Z < \"$1\" > \"$1.new\" && mv \"$1.new\" \"$1\"\n",
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let editor = editor_command(Some(" ".into()), Some(script.display().to_string()));
        assert_eq!(
            editor,
            script.display().to_string(),
            "a blank $VISUAL is unset"
        );
        let result = edit_in(tmp.path(), &editor, "a lighthouse\n", |p| {
            run_editor(&editor, p)
        });
        assert_eq!(result.as_deref(), Ok("A LIGHTHOUSE"));
        let failed = edit_in(tmp.path(), "false", "x", |p| run_editor("false", p));
        assert!(failed.unwrap_err().contains("the prompt is unchanged"));
        assert_eq!(editor_command(None, None), "vi");
        // Nothing is left behind in the folder but the script.
        let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().flatten().collect();
        assert_eq!(left.len(), 1, "{left:?}");
    }
}
