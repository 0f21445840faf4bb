//! How `y` puts text on the clipboard, and the truth about whether it did: through the
//! system's clipboard command when there is one (`wl-copy`, `xclip`, `xsel`, `pbcopy`, or the
//! config's `copy_command`), else by asking the terminal with OSC 52, wrapped for tmux or
//! screen when running inside them (they swallow a bare OSC 52). A command's exit status is
//! known; what the terminal does with OSC 52 is not, and the message says so.
//!
//! The environment is read once at start into [`CopyEnv`] and the choice is a pure function
//! of it ([`choose`]), so tests pick any environment without touching the process's.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What the choice of a copy method depends on, read from the environment at start.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CopyEnv {
    /// `TMUX` is set: inside tmux.
    pub tmux: bool,
    /// `STY` is set: inside GNU screen.
    pub screen: bool,
    /// `WAYLAND_DISPLAY` is set.
    pub wayland: bool,
    /// `DISPLAY` is set (X11).
    pub x11: bool,
    /// Running on macOS.
    pub macos: bool,
    /// The folders of `PATH`, to look the commands up in.
    pub path: Vec<PathBuf>,
}

impl CopyEnv {
    /// From the process environment.
    pub fn from_env() -> CopyEnv {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        CopyEnv {
            tmux: set("TMUX"),
            screen: set("STY"),
            wayland: set("WAYLAND_DISPLAY"),
            x11: set("DISPLAY"),
            macos: cfg!(target_os = "macos"),
            path: std::env::var_os("PATH")
                .map(|p| std::env::split_paths(&p).collect())
                .unwrap_or_default(),
        }
    }

    /// Whether `program` is an executable file in one of the `PATH` folders.
    fn has(&self, program: &str) -> bool {
        self.path
            .iter()
            .any(|dir| is_executable(&dir.join(program)))
    }
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// How OSC 52 reaches the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passthrough {
    /// Written as it is.
    None,
    /// Inside tmux: also wrapped in tmux's DCS passthrough, for the terminal outside.
    Tmux,
    /// Inside screen: wrapped in screen's DCS passthrough.
    Screen,
}

/// A way to copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// A command run through `sh -c` with the text on its standard input.
    Command(String),
    /// OSC 52 to the terminal.
    Osc52(Passthrough),
}

/// The config value that means "the terminal only".
pub const OSC52: &str = "osc52";

/// The method for `configured` (the config's `copy_command`) in `env`: the configured command
/// (or OSC 52 for [`OSC52`]); else the system's clipboard command (`pbcopy` on macOS,
/// `wl-copy` under Wayland, `xclip` or `xsel` under X11) when it is installed; else OSC 52,
/// wrapped for tmux or screen when inside them.
pub fn choose(configured: Option<&str>, env: &CopyEnv) -> Method {
    let osc = Method::Osc52(if env.tmux {
        Passthrough::Tmux
    } else if env.screen {
        Passthrough::Screen
    } else {
        Passthrough::None
    });
    match configured.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) if c.eq_ignore_ascii_case(OSC52) => return osc,
        Some(c) => return Method::Command(c.to_string()),
        None => {}
    }
    let candidates: [(bool, &str, &str); 4] = [
        (env.macos, "pbcopy", "pbcopy"),
        (env.wayland, "wl-copy", "wl-copy"),
        (env.x11, "xclip", "xclip -selection clipboard"),
        (env.x11, "xsel", "xsel --clipboard --input"),
    ];
    candidates
        .into_iter()
        .find(|(applies, program, _)| *applies && env.has(program))
        .map(|(_, _, command)| Method::Command(command.to_string()))
        .unwrap_or(osc)
}

/// The bytes that ask the terminal to put `text` on the clipboard: `ESC ] 52 ; c ; BASE64 BEL`,
/// inside screen wrapped in `ESC P … ESC \`; inside tmux sent bare (kept by tmux when its
/// `set-clipboard` is on) and then wrapped in `ESC P tmux; … ESC \` with each ESC doubled
/// (passed to the terminal outside when `allow-passthrough` is on).
pub fn osc52(text: &str, passthrough: Passthrough) -> Vec<u8> {
    let bare = format!("\x1b]52;c;{}\x07", base64(text.as_bytes()));
    match passthrough {
        Passthrough::None => bare.into_bytes(),
        Passthrough::Screen => format!("\x1bP{bare}\x1b\\").into_bytes(),
        Passthrough::Tmux => {
            format!("{bare}\x1bPtmux;{}\x1b\\", bare.replace('\x1b', "\x1b\x1b")).into_bytes()
        }
    }
}

/// How long a clipboard command may take to read the text and exit (the ones that keep
/// serving the selection fork into the background first).
const COMMAND_DEADLINE: Duration = Duration::from_secs(3);

/// Copies `text` by `method` (OSC 52 is written with `write`) and says how it went, for a
/// toast: `Ok("copied with wl-copy")`, or `Err` with what went wrong and what to do.
pub fn copy(method: &Method, text: &str, write: impl FnOnce(&[u8])) -> Result<String, String> {
    match method {
        Method::Osc52(p) => {
            write(&osc52(text, *p));
            let via = match p {
                Passthrough::None => "OSC 52",
                Passthrough::Tmux => "OSC 52 via tmux",
                Passthrough::Screen => "OSC 52 via screen",
            };
            Ok(format!(
                "sent to the terminal ({via}) — the terminal decides whether to keep it"
            ))
        }
        Method::Command(command) => {
            let name = crate::text::sanitize(command, 40);
            run_command(command, text)
                .map(|()| format!("copied with {name}"))
                .map_err(|why| {
                    format!("could not copy: {name} {why}; set copy_command in the config (\"osc52\" for the terminal)")
                })
        }
    }
}

/// Runs `command` through `sh -c` with `text` on its standard input and waits (at most
/// [`COMMAND_DEADLINE`]) for it to succeed.
fn run_command(command: &str, text: &str) -> Result<(), String> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start ({e})"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A command that exits without reading is judged by its status below.
        let _ = stdin.write_all(text.as_bytes());
    }
    let deadline = Instant::now() + COMMAND_DEADLINE;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => {
                return Err(match status.code() {
                    Some(127) => "was not found".to_string(),
                    Some(code) => format!("failed (exit status {code})"),
                    None => "was stopped by a signal".to_string(),
                });
            }
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "did not finish within {} s",
                    COMMAND_DEADLINE.as_secs()
                ));
            }
            Err(e) => return Err(format!("could not be waited for ({e})")),
        }
    }
}

/// Standard base64, for OSC 52.
pub fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
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
    fn osc52_is_wrapped_for_tmux_and_screen() {
        assert_eq!(osc52("hi", Passthrough::None), b"\x1b]52;c;aGk=\x07");
        assert_eq!(
            osc52("hi", Passthrough::Screen),
            b"\x1bP\x1b]52;c;aGk=\x07\x1b\\"
        );
        assert_eq!(
            osc52("hi", Passthrough::Tmux),
            b"\x1b]52;c;aGk=\x07\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"
        );
    }

    /// A `PATH` folder holding executables with these names.
    fn bin_dir(names: &[&str]) -> tempfile::TempDir {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        for n in names {
            let p = dir.path().join(n);
            std::fs::write(&p, "#!/bin/sh\ncat >/dev/null\n").unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        dir
    }

    #[test]
    fn the_system_clipboard_is_preferred_then_the_terminal() {
        let all = bin_dir(&["wl-copy", "xclip", "xsel", "pbcopy"]);
        let cmd = |c: &str| Method::Command(c.to_string());
        let env = |f: fn(&mut CopyEnv)| {
            let mut e = CopyEnv {
                path: vec![all.path().to_path_buf()],
                ..CopyEnv::default()
            };
            f(&mut e);
            e
        };
        assert_eq!(choose(None, &env(|e| e.wayland = true)), cmd("wl-copy"));
        assert_eq!(
            choose(None, &env(|e| e.x11 = true)),
            cmd("xclip -selection clipboard")
        );
        assert_eq!(choose(None, &env(|e| e.macos = true)), cmd("pbcopy"));
        // Nothing to talk to: the terminal, wrapped when inside tmux or screen.
        assert_eq!(choose(None, &env(|_| {})), Method::Osc52(Passthrough::None));
        assert_eq!(
            choose(None, &env(|e| e.tmux = true)),
            Method::Osc52(Passthrough::Tmux)
        );
        assert_eq!(
            choose(None, &env(|e| e.screen = true)),
            Method::Osc52(Passthrough::Screen)
        );
        // A display but no command installed.
        let xsel_only = bin_dir(&["xsel"]);
        let mut e = CopyEnv {
            x11: true,
            tmux: true,
            ..CopyEnv::default()
        };
        assert_eq!(choose(None, &e), Method::Osc52(Passthrough::Tmux));
        e.path = vec![xsel_only.path().to_path_buf()];
        assert_eq!(choose(None, &e), cmd("xsel --clipboard --input"));
        // The config decides when it says.
        assert_eq!(choose(Some("my-copy --x"), &e), cmd("my-copy --x"));
        assert_eq!(choose(Some("OSC52"), &e), Method::Osc52(Passthrough::Tmux));
        assert_eq!(choose(Some("  "), &e), cmd("xsel --clipboard --input"));
    }

    #[test]
    fn the_message_says_how_it_was_copied_or_that_it_was_not() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("clip");
        let command = format!("cat > '{}'", out.display());
        let ok = copy(&Method::Command(command), "https://x/p/1", |_| {
            panic!("nothing for the terminal")
        });
        assert!(
            ok.as_ref().is_ok_and(|m| m.starts_with("copied with cat")),
            "{ok:?}"
        );
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "https://x/p/1");

        let failed = copy(&Method::Command("false".into()), "x", |_| panic!());
        let why = failed.unwrap_err();
        assert!(
            why.starts_with("could not copy: false failed (exit status 1)"),
            "{why}"
        );
        assert!(why.contains("copy_command"), "{why}");
        let missing = copy(
            &Method::Command("no-such-copy-tool-here".into()),
            "x",
            |_| panic!(),
        );
        assert!(missing.unwrap_err().contains("was not found"));

        let mut sent = Vec::new();
        let osc = copy(&Method::Osc52(Passthrough::Tmux), "hi", |b| {
            sent = b.to_vec()
        });
        assert_eq!(sent, osc52("hi", Passthrough::Tmux));
        let osc = osc.unwrap();
        assert!(osc.contains("(OSC 52 via tmux)"), "{osc}");
        assert!(
            osc.contains("the terminal decides whether to keep it"),
            "{osc}"
        );
    }
}
