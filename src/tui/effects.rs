//! The effects `update` asks for, carried out by the loop: nothing here touches the state.

use std::path::{Path, PathBuf};

use tokio::sync::mpsc;

use crate::app::{Cmd, Msg};
use crate::config::{Config, Notifications};
use crate::worker::Request;

/// Carries out commands other than quitting and the external editor.
pub struct Effects {
    requests: mpsc::Sender<Request>,
    notifications: Notifications,
    player: Option<String>,
}

impl Effects {
    /// From the config and the worker's request channel.
    pub fn new(config: &Config, requests: mpsc::Sender<Request>) -> Effects {
        Effects {
            requests,
            notifications: config.notifications.unwrap_or_default(),
            player: config.player.clone().filter(|p| !p.trim().is_empty()),
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
            Cmd::Copy(text) => {
                super::write_terminal(
                    format!("\x1b]52;c;{}\x07", base64(text.as_bytes())).as_bytes(),
                );
                None
            }
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
            Cmd::Quit | Cmd::EditExternally { .. } => None,
        }
    }

    fn open(&self, target: &str) -> Result<(), String> {
        let (program, mut args) = match &self.player {
            Some(cmd) => {
                let mut parts = cmd.split_whitespace().map(str::to_owned);
                let program = parts.next().unwrap_or_default();
                (program, parts.collect::<Vec<_>>())
            }
            None if cfg!(target_os = "macos") => ("open".to_string(), Vec::new()),
            None => ("xdg-open".to_string(), Vec::new()),
        };
        args.push(target.to_string());
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

/// Suspends the UI, runs `$VISUAL`/`$EDITOR` (else `vi`) on the text, and returns the result.
pub fn edit_externally(
    terminal: &mut ratatui::DefaultTerminal,
    text: &str,
) -> Result<String, String> {
    let dir = std::env::temp_dir();
    let path = dir.join(format!("sora-tui-prompt-{}.txt", std::process::id()));
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|v| !v.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".to_string());
    ratatui::restore();
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&path)
        .status();
    *terminal = ratatui::init();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
    let _ = terminal.clear();
    let result = match status {
        Ok(s) if s.success() => std::fs::read_to_string(&path)
            .map(|t| t.strip_suffix('\n').unwrap_or(&t).to_string())
            .map_err(|e| format!("cannot read back {}: {e}", path.display())),
        Ok(s) => Err(format!(
            "the editor {editor:?} exited with {s}; the prompt is unchanged"
        )),
        Err(e) => Err(format!(
            "cannot run the editor {editor:?} ({e}): set $VISUAL or $EDITOR"
        )),
    };
    let _ = std::fs::remove_file(&path);
    result
}

/// Candidates completing a partial path: entries of its folder starting with its last part;
/// folders end with `/`; hidden files only when the part starts with a dot. Sorted, at most 50.
pub fn complete_path(input: &str) -> Vec<String> {
    let expanded = match input.strip_prefix("~/") {
        Some(rest) => directories::BaseDirs::new()
            .map(|b| b.home_dir().join(rest).display().to_string())
            .unwrap_or_else(|| input.to_string()),
        None => input.to_string(),
    };
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

/// Standard base64, for OSC 52.
fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
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
}
