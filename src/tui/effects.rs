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
    /// Inside tmux: notifications are wrapped in its passthrough too.
    tmux: bool,
    /// The note that `desktop` falls back to OSC 777 was shown.
    #[cfg_attr(feature = "desktop-notifications", allow(dead_code))]
    desktop_noted: bool,
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
            tmux: std::env::var_os("TMUX").is_some(),
            desktop_noted: false,
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
            Cmd::Notify(text) => self.notify(&text),
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

    /// Announces a finished task the configured way; the first `desktop` notification of a
    /// build without the feature also says, once, that OSC 777 stands in.
    fn notify(&mut self, text: &str) -> Option<Msg> {
        match self.notifications {
            Notifications::Bell => super::write_terminal(b"\x07"),
            Notifications::Osc9 => super::write_terminal(&osc9(text, self.tmux)),
            Notifications::Osc777 => super::write_terminal(&osc777("sora-tui", text, self.tmux)),
            Notifications::Desktop => return self.desktop(text),
            Notifications::Off => {}
        }
        None
    }

    /// The freedesktop notification service, off the UI thread.
    #[cfg(feature = "desktop-notifications")]
    fn desktop(&mut self, text: &str) -> Option<Msg> {
        let body = crate::text::sanitize(text, 200);
        tokio::task::spawn_blocking(move || {
            if let Err(e) = notify_rust::Notification::new()
                .summary("sora-tui")
                .body(&body)
                .show()
            {
                tracing::warn!(error = %e, "desktop notification failed");
            }
        });
        None
    }

    /// Without the feature: OSC 777, and a note the first time.
    #[cfg(not(feature = "desktop-notifications"))]
    fn desktop(&mut self, text: &str) -> Option<Msg> {
        super::write_terminal(&osc777("sora-tui", text, self.tmux));
        if std::mem::replace(&mut self.desktop_noted, true) {
            return None;
        }
        Some(Msg::EffectFailed(
            "this build lacks desktop notifications (cargo feature desktop-notifications): using OSC 777 instead".into(),
        ))
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

/// Notification text made safe inside an OSC: control characters dropped (an ESC or BEL in
/// a prompt would end the sequence early), `;` too where it separates fields, cut short.
fn osc_text(text: &str, keep_semicolons: bool) -> String {
    crate::text::sanitize(text, 200)
        .chars()
        .filter(|c| !c.is_control() && (keep_semicolons || *c != ';'))
        .collect()
}

/// Inside tmux, a sequence sent bare and again in tmux's DCS passthrough (each ESC doubled)
/// for the terminal outside, as `clipboard::osc52` does.
fn wrap_for_tmux(bare: String, tmux: bool) -> Vec<u8> {
    if tmux {
        format!("{bare}\x1bPtmux;{}\x1b\\", bare.replace('\x1b', "\x1b\x1b")).into_bytes()
    } else {
        bare.into_bytes()
    }
}

/// `ESC ] 9 ; BODY BEL`.
pub fn osc9(body: &str, tmux: bool) -> Vec<u8> {
    wrap_for_tmux(format!("\x1b]9;{}\x07", osc_text(body, true)), tmux)
}

/// `ESC ] 777 ; notify ; TITLE ; BODY ESC \`.
pub fn osc777(title: &str, body: &str, tmux: bool) -> Vec<u8> {
    let bare = format!(
        "\x1b]777;notify;{};{}\x1b\\",
        osc_text(title, false),
        osc_text(body, true)
    );
    wrap_for_tmux(bare, tmux)
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
    fn notification_sequences_are_exact_and_cannot_be_broken_out_of() {
        assert_eq!(osc9("done", false), b"\x1b]9;done\x07");
        assert_eq!(
            osc777("sora-tui", "video ready", false),
            b"\x1b]777;notify;sora-tui;video ready\x1b\\"
        );
        // An ESC, a BEL or a field separator in the text cannot end the sequence or add a field.
        assert_eq!(
            osc777("a;b", "x\x1b]0;pwned\x07y", false),
            b"\x1b]777;notify;ab;xy\x1b\\"
        );
        assert_eq!(
            osc777("t", "b", true),
            b"\x1b]777;notify;t;b\x1b\\\x1bPtmux;\x1b\x1b]777;notify;t;b\x1b\x1b\\\x1b\\"
        );
    }

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
