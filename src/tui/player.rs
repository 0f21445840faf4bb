//! The command line that opens something for `o`. What reaches the player is checked here
//! once more, whatever `update` did: an http(s) media link as the URL parser writes it out
//! (see [`media_url`]), or a file this program downloaded, as an absolute path. Neither can
//! start with `-`, and players that take `--` as the end of their options get it before
//! the target, so no server text becomes an option such as `--script=evil.lua`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::app::{OpenTarget, media_url};

/// Players whose command line ends its options at `--` (mpv, VLC, MPlayer, ffplay, and the
/// GTK/Qt players, whose option parsers all do). `xdg-open` and `open` are not among them:
/// they would take `--` for the thing to open.
const ENDS_OPTIONS_AT_DOUBLE_DASH: &[&str] = &[
    "mpv",
    "vlc",
    "cvlc",
    "mplayer",
    "celluloid",
    "ffplay",
    "totem",
    "haruna",
];

/// The program and arguments that open `target` with `player` (the config's `player`
/// command, split at whitespace; `xdg-open`, or `open` on macOS, when there is none), or
/// why it is not opened.
pub fn command(
    player: Option<&str>,
    target: &OpenTarget,
) -> Result<(String, Vec<OsString>), String> {
    let target: OsString = match target {
        OpenTarget::Url(raw) => media_url(raw)?.into(),
        OpenTarget::File(path) => downloaded_file(path)?.into_os_string(),
    };
    let mut words = player.unwrap_or_default().split_whitespace();
    let (program, mut args): (String, Vec<OsString>) = match words.next() {
        Some(program) => (program.to_string(), words.map(OsString::from).collect()),
        None if cfg!(target_os = "macos") => ("open".to_string(), Vec::new()),
        None => ("xdg-open".to_string(), Vec::new()),
    };
    if takes_double_dash(&program) && !args.iter().any(|a| a == "--") {
        args.push("--".into());
    }
    args.push(target);
    Ok((program, args))
}

/// Whether `program` (a name or a path to it) is one of [`ENDS_OPTIONS_AT_DOUBLE_DASH`].
fn takes_double_dash(program: &str) -> bool {
    Path::new(program)
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| ENDS_OPTIONS_AT_DOUBLE_DASH.contains(&n))
}

/// A downloaded file as an absolute path (so it cannot read as an option), if it is still a
/// regular file.
fn downloaded_file(path: &Path) -> Result<PathBuf, String> {
    let absolute =
        std::path::absolute(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    match std::fs::metadata(&absolute) {
        Ok(meta) if meta.is_file() => Ok(absolute),
        Ok(_) => Err(format!(
            "not opening {}: it is not a regular file",
            absolute.display()
        )),
        Err(e) => Err(format!(
            "cannot open {} ({e}): download it again with w",
            absolute.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{Cmd, Msg};
    use crate::config::Config;
    use std::time::Duration;

    fn words(args: &[OsString]) -> Vec<&str> {
        args.iter().map(|a| a.to_str().unwrap()).collect()
    }

    #[test]
    fn players_that_know_double_dash_get_it_before_the_target() {
        let url = OpenTarget::Url("https://v.example/a.mp4".into());
        let (program, args) = command(Some("mpv --fs"), &url).unwrap();
        assert_eq!(program, "mpv");
        assert_eq!(words(&args), ["--fs", "--", "https://v.example/a.mp4"]);
        let (_, args) = command(Some("/usr/bin/vlc"), &url).unwrap();
        assert_eq!(words(&args), ["--", "https://v.example/a.mp4"]);
        // Not twice, when the config already has it.
        let (_, args) = command(Some("mpv --"), &url).unwrap();
        assert_eq!(words(&args), ["--", "https://v.example/a.mp4"]);
        // xdg-open/open would open a file named "--": they get the target alone.
        let (_, args) = command(None, &url).unwrap();
        assert_eq!(words(&args), ["https://v.example/a.mp4"]);
        let (_, args) = command(Some("xdg-open"), &url).unwrap();
        assert_eq!(words(&args), ["https://v.example/a.mp4"]);
    }

    #[test]
    fn hostile_links_never_reach_the_command_line() {
        for raw in [
            "--script=evil.lua",
            "file:///etc/passwd",
            "javascript:alert(1)",
        ] {
            let why = command(Some("mpv"), &OpenTarget::Url(raw.into())).unwrap_err();
            assert!(why.starts_with("not opening"), "{raw}: {why}");
        }
    }

    #[test]
    fn files_are_opened_by_absolute_path_and_only_when_they_are_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("gen_1.mp4");
        std::fs::write(&file, b"x").unwrap();
        let (_, args) = command(Some("mpv"), &OpenTarget::File(file.clone())).unwrap();
        assert_eq!(args, [OsString::from("--"), file.clone().into_os_string()]);
        let missing = command(Some("mpv"), &OpenTarget::File(dir.path().join("gone.mp4")));
        assert!(missing.unwrap_err().contains("download it again"));
        let folder = command(Some("mpv"), &OpenTarget::File(dir.path().to_path_buf()));
        assert!(folder.unwrap_err().contains("not a regular file"));
    }

    /// A stand-in player: a shell script that writes each argument it got on its own line.
    fn stand_in(dir: &Path) -> (PathBuf, PathBuf) {
        use std::os::unix::fs::PermissionsExt;
        let log = dir.join("argv.txt");
        let script = dir.join("mpv");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '{}.tmp'\nmv '{0}.tmp' '{0}'\n",
                log.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        (script, log)
    }

    /// The argv the stand-in recorded, once it has run.
    fn recorded(log: &Path) -> Vec<String> {
        for _ in 0..400 {
            if let Ok(text) = std::fs::read_to_string(log) {
                return text.lines().map(str::to_owned).collect();
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("the stand-in player never ran");
    }

    /// Through the loop's own effect runner, as `o` reaches it.
    #[test]
    fn the_effect_starts_the_player_with_a_checked_target_after_double_dash() {
        let dir = tempfile::tempdir().unwrap();
        let (script, log) = stand_in(dir.path());
        let config = Config {
            player: Some(script.display().to_string()),
            ..Config::default()
        };
        let (tx, _rx) = tokio::sync::mpsc::channel(1);
        let mut effects = super::super::effects::Effects::new(&config, tx);

        // Refused: nothing runs, and the loop hears why.
        for raw in [
            "--script=evil.lua",
            "file:///etc/passwd",
            "javascript:alert(1)",
        ] {
            let answer = effects.run(Cmd::Open(OpenTarget::Url(raw.into())));
            assert!(
                matches!(&answer, Some(Msg::EffectFailed(m)) if m.starts_with("not opening")),
                "{raw}: {answer:?}"
            );
        }
        assert!(!log.exists(), "the player must not run for a refused link");

        let answer = effects.run(Cmd::Open(OpenTarget::Url(
            "https://v.example/a b.mp4?sig=x".into(),
        )));
        assert_eq!(answer, None);
        assert_eq!(recorded(&log), ["--", "https://v.example/a%20b.mp4?sig=x"]);

        std::fs::remove_file(&log).unwrap();
        let saved = dir.path().join("gen_1.mp4");
        std::fs::write(&saved, b"x").unwrap();
        assert_eq!(
            effects.run(Cmd::Open(OpenTarget::File(saved.clone()))),
            None
        );
        assert_eq!(
            recorded(&log),
            ["--".to_string(), saved.display().to_string()]
        );
    }
}
