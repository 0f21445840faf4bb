//! Where things live on disk (XDG dirs through `directories`) and the TOML config file.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The program's directories and well-known files.
#[derive(Debug, Clone, PartialEq)]
pub struct Paths {
    /// `$XDG_CONFIG_HOME/sora-tui/config.toml`.
    pub config_file: PathBuf,
    /// `$XDG_DATA_HOME/sora-tui`: autosaves, task and cameo records, storyboards.
    pub data_dir: PathBuf,
    /// `$XDG_STATE_HOME/sora-tui`: the log file.
    pub state_dir: PathBuf,
    /// Default folder for downloads.
    pub download_dir: PathBuf,
    /// `$XDG_CACHE_HOME/sora-tui`: what may be thrown away (the pictures' `thumbnails/`).
    pub cache_dir: PathBuf,
}

impl Paths {
    /// Resolves the directories for this user, honouring the `XDG_*` variables.
    pub fn discover() -> Paths {
        let dirs = directories::ProjectDirs::from("", "", "sora-tui");
        let fallback = || std::env::temp_dir().join("sora-tui");
        let config_dir = dirs
            .as_ref()
            .map(|d| d.config_dir().to_path_buf())
            .unwrap_or_else(fallback);
        let data_dir = dirs
            .as_ref()
            .map(|d| d.data_dir().to_path_buf())
            .unwrap_or_else(fallback);
        let state_dir = dirs
            .as_ref()
            .and_then(|d| d.state_dir().map(Path::to_path_buf))
            .unwrap_or_else(|| data_dir.join("state"));
        let cache_dir = dirs
            .as_ref()
            .map(|d| d.cache_dir().to_path_buf())
            .unwrap_or_else(|| data_dir.join("cache"));
        let download_dir = directories::UserDirs::new()
            .and_then(|u| u.video_dir().or(u.download_dir()).map(|d| d.join("sora")))
            .unwrap_or_else(|| data_dir.join("downloads"));
        Paths {
            config_file: config_dir.join("config.toml"),
            data_dir,
            state_dir,
            download_dir,
            cache_dir,
        }
    }

    /// The log file in the state dir.
    pub fn log_file(&self) -> PathBuf {
        self.state_dir.join("sora-tui.log")
    }

    /// `$XDG_CONFIG_HOME/sora-tui`: the folder of the config file and the stored token.
    pub fn config_dir(&self) -> PathBuf {
        self.config_file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    }

    /// The token written by `sora-tui login` (mode 0600, in the 0700 config dir).
    pub fn token_file(&self) -> PathBuf {
        self.config_dir().join("token")
    }
}

/// The settings a user may put in `config.toml`. Every key is optional.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Backend base URL (overridden by `--base-url` / `SORA_BASE_URL`).
    pub base_url: Option<String>,
    /// The access token itself (a `token_file` or `sora-tui login` is preferable).
    pub token: Option<ConfigSecret>,
    /// A file holding the access token.
    pub token_file: Option<PathBuf>,
    /// A shell command whose stdout is the sentinel token.
    pub sentinel_command: Option<String>,
    /// Proxy URL for all backend and media traffic (else `HTTPS_PROXY`/`ALL_PROXY`).
    pub proxy: Option<String>,
    /// User-Agent header.
    pub user_agent: Option<String>,
    /// Where downloads go.
    pub download_dir: Option<PathBuf>,
    /// How often unfinished tasks are polled, in milliseconds (default 2500).
    pub poll_interval_ms: Option<u64>,
    /// How a finished task is announced: `bell` (default), `osc9` or `osc777` (a desktop
    /// notification in terminals that support it), `desktop` (the desktop's notification
    /// service), or `off`.
    pub notifications: Option<Notifications>,
    /// Command that opens a video or link (default `xdg-open`, `open` on macOS); the target (an
    /// http(s) media link or a downloaded file, nothing else) is the last argument, after `--`
    /// for players that end their options there (mpv, vlc, mplayer, …).
    pub player: Option<String>,
    /// How downloads are named: a template of `{date}`, `{time}`, `{slug}`, `{short_id}` and
    /// `{id}` (default `{date}_{slug}_{short_id}`), made safe for every file system.
    pub file_name: Option<String>,
    /// Command that puts text on the clipboard, given the text on its standard input (for
    /// example `wl-copy`, `xclip -selection clipboard`); default: the first of those found,
    /// else the terminal (OSC 52). `osc52` means the terminal only.
    pub copy_command: Option<String>,
    /// Whether the UI takes the mouse (clicks, the wheel; default true). `false` leaves the
    /// terminal's own selection working; Shift-drag selects in most terminals either way.
    pub mouse: Option<bool>,
    /// How pictures (thumbnails) are drawn: `auto` (default: ask the terminal; half-blocks in
    /// tmux), `kitty`, `sixel`, `iterm2`, `halfblocks`, or `off` (no pictures, no requests).
    pub preview: Option<Preview>,
    /// Key overrides: `action = "key"` or `action = ["key", "key"]` (see the help overlay).
    #[serde(default)]
    pub keys: std::collections::BTreeMap<String, KeyList>,
    /// Colour overrides: `role = "colour"` (the defaults follow the terminal's palette).
    #[serde(default)]
    pub theme: std::collections::BTreeMap<String, String>,
    /// The 1-based line of each `[keys]` and `[theme]` entry (`"keys.quit"`), read from the
    /// parser's spans, so a bad entry is reported where it was written.
    #[serde(skip)]
    pub lines: std::collections::BTreeMap<String, usize>,
}

/// The entries whose lines are remembered: only their value spans are read.
#[derive(Deserialize, Default)]
struct EntrySpans {
    #[serde(default)]
    keys: std::collections::BTreeMap<String, toml::Spanned<toml::Value>>,
    #[serde(default)]
    theme: std::collections::BTreeMap<String, toml::Spanned<toml::Value>>,
}

/// One mistake in an entry of the config file; only that entry is skipped, the rest applies.
/// Shown in the warning bar's count and listed in the message log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {message}", path.display(), line.map(|l| format!(" line {l}")).unwrap_or_default())]
pub struct ConfigProblem {
    /// The file.
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong and what happens instead.
    pub message: String,
}

/// A secret written in the config file. `Debug` never shows it, so a config that is logged or
/// printed while debugging does not leak the token.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct ConfigSecret(String);

impl ConfigSecret {
    /// The text as written, to be validated into an access token.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ConfigSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConfigSecret(****)")
    }
}

/// How finished tasks are announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Notifications {
    /// The terminal bell.
    #[default]
    Bell,
    /// OSC 9 desktop notification.
    Osc9,
    /// OSC 777 `notify` (urxvt, foot, Ghostty, WezTerm, …): a title and a body.
    Osc777,
    /// The freedesktop notification service (with the `desktop-notifications` feature;
    /// without it OSC 777 and a one-time note).
    Desktop,
    /// Nothing.
    Off,
}

/// How pictures are drawn in the terminal (`preview`, `--preview`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Preview {
    /// Ask the terminal which protocol it speaks; half-blocks inside tmux.
    #[default]
    Auto,
    /// The kitty graphics protocol.
    Kitty,
    /// Sixel graphics.
    Sixel,
    /// iTerm2's inline images.
    Iterm2,
    /// Coloured half-block characters: works in every colour terminal.
    Halfblocks,
    /// No pictures at all.
    Off,
}

/// One key or several, as written in `[keys]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum KeyList {
    /// `quit = "Q"`.
    One(String),
    /// `quit = ["Q", "ctrl-q"]`.
    Many(Vec<String>),
}

impl KeyList {
    /// The keys as a list.
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            KeyList::One(k) => vec![k.clone()],
            KeyList::Many(ks) => ks.clone(),
        }
    }
}

/// The largest config file read; a hand-written config is a few kilobytes.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// A config file that exists but cannot be used; the defaults apply meanwhile.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{}: {message}; the defaults are used until it is fixed", path.display(), line.map(|l| format!(" line {l}")).unwrap_or_default())]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl Config {
    /// Reads the config file. A missing file is the default config; a broken one is reported
    /// with its path and line, and the defaults apply.
    pub fn load(path: &Path) -> (Config, Option<ConfigError>) {
        let broken = |line, message| {
            (
                Config::default(),
                Some(ConfigError {
                    path: path.to_path_buf(),
                    line,
                    message,
                }),
            )
        };
        // A capped read of a regular file only: a named pipe or a device in its place must
        // not hang the start or fill the memory.
        match crate::fsutil::read_text_capped(path, MAX_FILE_BYTES) {
            Ok(text) => match Config::parse(&text) {
                Ok(c) => (c, None),
                Err((line, message)) => broken(line, message),
            },
            Err(crate::fsutil::ReadError::Missing) => (Config::default(), None),
            Err(crate::fsutil::ReadError::NotRegular(kind)) => broken(
                None,
                format!("is {kind}, not a regular file: put a config file there or remove it"),
            ),
            Err(e) => broken(None, e.reason()),
        }
    }

    /// Parses config text; the error carries a 1-based line when the parser knows it.
    pub fn parse(text: &str) -> Result<Config, (Option<usize>, String)> {
        let line_at = |start: usize| text[..start.min(text.len())].matches('\n').count() + 1;
        let mut config: Config = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_at(s.start));
            (line, e.message().trim().to_string())
        })?;
        // The text parsed above, so this parse succeeds; a failure only loses the lines.
        let spans: EntrySpans = toml::from_str(text).unwrap_or_default();
        for (table, entries) in [("keys", spans.keys), ("theme", spans.theme)] {
            for (key, value) in entries {
                config
                    .lines
                    .insert(format!("{table}.{key}"), line_at(value.span().start));
            }
        }
        Ok(config)
    }

    /// The 1-based line where `[table] key` was written, when the file had it.
    pub fn line_of(&self, table: &str, key: &str) -> Option<usize> {
        self.lines.get(&format!("{table}.{key}")).copied()
    }

    /// A problem with the entry `[table] key` of the config file at `path`, with its line.
    pub fn problem(
        &self,
        path: &Path,
        table: &str,
        key: &str,
        message: impl Into<String>,
    ) -> ConfigProblem {
        ConfigProblem {
            path: path.to_path_buf(),
            line: self.line_of(table, key),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notifications_value_parses_and_an_unknown_one_is_refused() {
        for (text, want) in [
            ("bell", Notifications::Bell),
            ("osc9", Notifications::Osc9),
            ("osc777", Notifications::Osc777),
            ("desktop", Notifications::Desktop),
            ("off", Notifications::Off),
        ] {
            let cfg = Config::parse(&format!("notifications = \"{text}\"\n")).unwrap();
            assert_eq!(cfg.notifications, Some(want));
        }
        assert!(Config::parse("notifications = \"loud\"\n").is_err());
    }

    #[test]
    fn broken_config_names_path_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "base_url = \"https://x\"\nproxy = 5\n").unwrap();
        let (cfg, err) = Config::load(&path);
        assert_eq!(cfg, Config::default());
        let err = err.unwrap();
        assert_eq!(err.line, Some(2));
        assert!(
            err.to_string()
                .starts_with(&format!("{} line 2:", path.display())),
            "{err}"
        );
    }

    #[test]
    fn entries_remember_their_lines() {
        let text = "base_url = \"https://x\"\n\n[keys]\nquit = \"Q\"\nfly = [\"f\",\n  \"g\"]\n\n[theme]\nborder = \"nope\"\n";
        let cfg = Config::parse(text).unwrap();
        assert_eq!(cfg.line_of("keys", "quit"), Some(4));
        assert_eq!(cfg.line_of("keys", "fly"), Some(5));
        assert_eq!(cfg.line_of("theme", "border"), Some(9));
        assert_eq!(cfg.line_of("theme", "quit"), None);
        let p = cfg.problem(Path::new("/c/config.toml"), "theme", "border", "bad colour");
        assert_eq!(p.to_string(), "/c/config.toml line 9: bad colour");
    }

    #[test]
    fn debug_masks_the_token() {
        let cfg = Config::parse("token = \"eyJ-config-secret-token\"\n").unwrap();
        assert_eq!(
            cfg.token.as_ref().map(ConfigSecret::expose),
            Some("eyJ-config-secret-token")
        );
        assert!(!format!("{cfg:?}").contains("config-secret"), "{cfg:?}");
    }

    #[test]
    fn missing_config_is_default() {
        let (cfg, err) = Config::load(Path::new("/nonexistent/sora-tui/config.toml"));
        assert_eq!(cfg, Config::default());
        assert!(err.is_none());
    }

    #[test]
    fn a_fifo_or_a_device_as_config_is_reported_not_read() {
        use crate::fsutil::hostile::{mkfifo, within};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        mkfifo(&path);
        let shown = path.display().to_string();
        let (cfg, err) = within("Config::load on a FIFO", move || Config::load(&path));
        assert_eq!(cfg, Config::default());
        assert_eq!(
            err.unwrap().to_string(),
            format!(
                "{shown}: is a named pipe (FIFO), not a regular file: put a config file there or remove it; the defaults are used until it is fixed"
            )
        );
        let (_, err) = within("Config::load on /dev/zero", || {
            Config::load(Path::new("/dev/zero"))
        });
        assert!(err.unwrap().message.contains("is a device"));
    }
}
