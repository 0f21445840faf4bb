//! `sora-tui config path|edit|show|check`: where things are, editing the config file from a
//! commented template, the effective settings with their sources, and a check that lists
//! every problem of the file with its line (the same parsers the program starts with).

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::json;

use super::{Cli, ExitStatus};
use crate::config::{Config, Paths};

/// One top-level key of `config.toml`: its name, the value the template shows (the default,
/// or an example when there is none) and a one-line explanation.
struct Key {
    name: &'static str,
    value: String,
    about: &'static str,
}

/// Every top-level key, in the template's order. `tests::the_template_lists_every_key_with_its_default`
/// parses the template uncommented and destructures the result field by field, so a key
/// added to [`Config`] without a line here fails the test.
fn keys(paths: &Paths) -> Vec<Key> {
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    vec![
        Key {
            name: "base_url",
            value: q(crate::api::DEFAULT_BASE_URL),
            about: "backend base URL (--base-url and SORA_BASE_URL win)",
        },
        Key {
            name: "token",
            value: q(""),
            about: "the access token itself; a token_file or `sora-tui login` is safer (no default)",
        },
        Key {
            name: "token_file",
            value: q("~/.config/sora-tui/my-token"),
            about: "a file holding the access token (no default; an example)",
        },
        Key {
            name: "sentinel_command",
            value: q("my-sentinel-script"),
            about: "a shell command whose stdout is the sentinel token (no default; an example)",
        },
        Key {
            name: "proxy",
            value: q("http://127.0.0.1:3128"),
            about: "proxy for all traffic (default: HTTPS_PROXY/ALL_PROXY; an example)",
        },
        Key {
            name: "user_agent",
            value: q(crate::api::DEFAULT_USER_AGENT),
            about: "the User-Agent header",
        },
        Key {
            name: "download_dir",
            value: q(&paths.download_dir.display().to_string()),
            about: "where downloads go",
        },
        Key {
            name: "poll_interval_ms",
            value: DEFAULT_POLL_MS.to_string(),
            about: "how often unfinished tasks are polled, in milliseconds (10-60000)",
        },
        Key {
            name: "notifications",
            value: q("bell"),
            about: "how a finished task is announced: bell, osc9, osc777, desktop or off",
        },
        Key {
            name: "player",
            value: q("xdg-open"),
            about: "command that opens a video or link (`open` on macOS)",
        },
        Key {
            name: "file_name",
            value: q(crate::worker::DEFAULT_FILE_NAME),
            about: "download names from {date} {time} {slug} {short_id} {id}",
        },
        Key {
            name: "copy_command",
            value: q("osc52"),
            about: "clipboard command fed on stdin (default: wl-copy/xclip if found, else osc52 = the terminal)",
        },
        Key {
            name: "mouse",
            value: "true".to_string(),
            about: "clicks and the wheel in the UI; false leaves the terminal's own selection (Shift-drag selects either way in most terminals)",
        },
        Key {
            name: "preview",
            value: q("auto"),
            about: "how thumbnails are drawn: auto (ask the terminal; half-blocks in tmux), kitty, sixel, iterm2, halfblocks, off",
        },
    ]
}

/// The poll interval when neither flag, environment nor file sets one.
pub const DEFAULT_POLL_MS: u64 = 2500;

/// The commented template a missing config file starts as.
pub fn template(paths: &Paths) -> String {
    let mut out = String::from(
        "# sora-tui configuration. Every key is optional: remove the `# ` before a key to set it.\n\
         # `sora-tui config check` lists any mistake; `sora-tui config show` what applies.\n\n",
    );
    for k in keys(paths) {
        out.push_str(&format!("# {}\n# {} = {}\n\n", k.about, k.name, k.value));
    }
    out.push_str(
        "# Key overrides: action = \"key\" or [\"key\", \"key\"] (the help overlay, ?, lists the actions).\n\
         # [keys]\n# quit = [\"q\", \"ctrl-q\"]\n\n\
         # Colour overrides: role = \"colour\" (the defaults follow the terminal's palette).\n\
         # [theme]\n# border = \"blue\"\n",
    );
    out
}

/// One problem of the config file, with its 1-based line when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line.
    pub line: Option<usize>,
    /// What is wrong and what to do.
    pub message: String,
}

/// Every problem of the config file at `path` (none for a missing file).
pub fn check(path: &Path) -> Vec<Problem> {
    let text = match crate::fsutil::read_text_capped(path, crate::config::MAX_FILE_BYTES) {
        Ok(t) => t,
        Err(crate::fsutil::ReadError::Missing) => return Vec::new(),
        Err(crate::fsutil::ReadError::NotRegular(kind)) => {
            return vec![Problem {
                line: None,
                message: format!("is {kind}, not a regular file"),
            }];
        }
        Err(e) => {
            return vec![Problem {
                line: None,
                message: e.reason(),
            }];
        }
    };
    check_text(&text, path)
}

fn check_text(text: &str, path: &Path) -> Vec<Problem> {
    let line_at = |start: usize| text[..start.min(text.len())].matches('\n').count() + 1;
    let top: BTreeMap<String, toml::Spanned<toml::Value>> = match toml::from_str(text) {
        Ok(t) => t,
        Err(e) => {
            return vec![Problem {
                line: e.span().map(|s| line_at(s.start)),
                message: e.message().trim().to_string(),
            }];
        }
    };
    let known: Vec<&str> = keys(&Paths::discover())
        .iter()
        .map(|k| k.name)
        .chain(["keys", "theme"])
        .collect();
    let mut problems = Vec::new();
    for (name, value) in &top {
        let line = Some(line_at(value.span().start));
        if !known.contains(&name.as_str()) {
            let hint = did_you_mean(name, &known)
                .map(|k| format!(": did you mean `{k}`?"))
                .unwrap_or_else(|| format!(": the keys are {}", known.join(", ")));
            problems.push(Problem {
                line,
                message: format!("unknown key `{name}`{hint}"),
            });
            continue;
        }
        let mut one = toml::Table::new();
        one.insert(name.clone(), value.get_ref().clone());
        if let Err(e) = toml::Value::Table(one).try_into::<Config>() {
            problems.push(Problem {
                line,
                message: format!("`{name}`: {}", e.message().trim()),
            });
        }
    }
    if !problems.is_empty() {
        return problems;
    }
    let Ok(config) = Config::parse(text) else {
        return problems;
    };
    let line_of = |name: &str| top.get(name).map(|v| line_at(v.span().start));
    for (name, value) in [("base_url", &config.base_url), ("proxy", &config.proxy)] {
        if let Some(v) = value {
            match url::Url::parse(v) {
                Err(e) => problems.push(Problem {
                    line: line_of(name),
                    message: format!("`{name}` {v:?} is not a URL ({e})"),
                }),
                Ok(u) if name == "base_url" => {
                    if let Err(e) = crate::api::check_url(&u) {
                        problems.push(Problem {
                            line: line_of(name),
                            message: format!("`base_url`: {e}"),
                        });
                    }
                }
                Ok(_) => {}
            }
        }
    }
    if let Some(t) = &config.token
        && let Err(p) = crate::api::AccessToken::parse(t.expose())
    {
        problems.push(Problem {
            line: line_of("token"),
            message: format!("`token` {p}: paste the token again"),
        });
    }
    if let Some(f) = &config.token_file
        && let Err(m) = crate::token_store::read_file(f)
    {
        problems.push(Problem {
            line: line_of("token_file"),
            message: m,
        });
    }
    if let Some(ms) = config.poll_interval_ms
        && !(10..=60_000).contains(&ms)
    {
        problems.push(Problem {
            line: line_of("poll_interval_ms"),
            message: format!("`poll_interval_ms` {ms} is outside 10-60000 and is clamped"),
        });
    }
    let overrides = config
        .keys
        .iter()
        .map(|(k, v)| (k.clone(), v.to_vec()))
        .collect();
    for (name, message) in crate::app::Keymap::default().apply_overrides(&overrides) {
        problems.push(Problem {
            line: config.line_of("keys", &name),
            message,
        });
    }
    for (role, colour) in &config.theme {
        let one = BTreeMap::from([(role.clone(), colour.clone())]);
        if let Err(e) = crate::ui::Theme::default().with_overrides(&one) {
            problems.push(Problem {
                line: config.line_of("theme", role),
                message: e,
            });
        }
    }
    let _ = path;
    problems
}

/// The known key closest to `name` (edit distance at most 3), for a did-you-mean.
fn did_you_mean<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut prev = row[0];
            row[0] = i + 1;
            for (j, cb) in b.iter().enumerate() {
                let here = row[j + 1];
                row[j + 1] = (prev + usize::from(ca != *cb))
                    .min(row[j] + 1)
                    .min(here + 1);
                prev = here;
            }
        }
        row[b.len()]
    }
    known
        .iter()
        .map(|k| (distance(name, k), *k))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, k)| k)
}

/// Prints the problems as `path line N: message` and a count; the status to exit with.
fn report(path: &Path, problems: &[Problem], again: &str) -> ExitStatus {
    for p in problems {
        let line = p.line.map(|l| format!(" line {l}")).unwrap_or_default();
        eprintln!("{}{line}: {}", path.display(), p.message);
    }
    match problems.len() {
        0 => {
            println!("{}: no problems", path.display());
            ExitStatus::Ok
        }
        n => {
            let s = if n == 1 { "" } else { "s" };
            eprintln!("config has {n} problem{s}; {again}");
            ExitStatus::Usage
        }
    }
}

/// `sora-tui config check`.
pub fn run_check(paths: &Paths) -> ExitStatus {
    let path = &paths.config_file;
    report(
        path,
        &check(path),
        "fix them and run `sora-tui config check` again",
    )
}

/// `sora-tui config path`: every place the program reads or writes, `name: path` a line.
pub fn run_path(cli: &Cli, paths: &Paths) -> ExitStatus {
    let log = crate::logging::log_path(paths, cli.log_file.as_deref());
    let cache = paths.cache_dir.clone();
    let rows = [
        ("config", paths.config_file.clone()),
        ("data", paths.data_dir.clone()),
        ("state", paths.state_dir.clone()),
        ("cache", cache),
        ("log", log),
        ("token", paths.token_file()),
        ("downloads", paths.download_dir.clone()),
    ];
    if cli.json {
        let map: serde_json::Map<String, serde_json::Value> = rows
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v.display().to_string())))
            .collect();
        println!("{}", serde_json::Value::Object(map));
    } else {
        for (k, v) in rows {
            println!("{k}: {}", v.display());
        }
    }
    ExitStatus::Ok
}

/// `sora-tui config show`: each effective setting with where it came from.
pub fn run_show(cli: &Cli, paths: &Paths) -> ExitStatus {
    let (config, error) = Config::load(&paths.config_file);
    if let Some(e) = &error {
        eprintln!("sora-tui: warning: {e}");
    }
    let env_set = |v: &str| std::env::var(v).ok().filter(|s| !s.trim().is_empty());
    // clap gives the flag or, without it, the variable: which one it was, it noted.
    let flag_or_env = |value: Option<String>, id: &str| -> Option<(String, &'static str)> {
        value.map(|v| {
            let source = if cli.given_as_flags.contains(&id) {
                "flag"
            } else {
                "environment"
            };
            (v, source)
        })
    };
    let file_or_default = |value: Option<String>, default: String| match value {
        Some(v) => (v, "file"),
        None => (default, "default"),
    };
    let mut rows: Vec<(&str, String, &str)> = Vec::new();
    let (v, s) = flag_or_env(cli.base_url.clone(), "base_url").unwrap_or_else(|| {
        file_or_default(config.base_url.clone(), crate::api::DEFAULT_BASE_URL.into())
    });
    rows.push(("base_url", v, s));
    let (v, s) = token_and_source(cli, paths, &config);
    rows.push(("token", v, s));
    let (v, s) = flag_or_env(
        cli.poll_interval_ms.map(|m| m.to_string()),
        "poll_interval_ms",
    )
    .unwrap_or_else(|| {
        file_or_default(
            config.poll_interval_ms.map(|m| m.to_string()),
            DEFAULT_POLL_MS.to_string(),
        )
    });
    rows.push(("poll_interval_ms", v, s));
    let text = |o: &Option<String>| o.clone();
    let path = |o: &Option<std::path::PathBuf>| o.as_ref().map(|p| p.display().to_string());
    let notifications = config
        .notifications
        .map(|n| format!("{n:?}").to_lowercase());
    for (name, value, default) in [
        (
            "proxy",
            text(&config.proxy),
            "HTTPS_PROXY/ALL_PROXY".to_string(),
        ),
        (
            "user_agent",
            text(&config.user_agent),
            crate::api::DEFAULT_USER_AGENT.to_string(),
        ),
        (
            "download_dir",
            path(&config.download_dir),
            paths.download_dir.display().to_string(),
        ),
        ("notifications", notifications, "bell".to_string()),
        ("player", text(&config.player), "xdg-open".to_string()),
        (
            "file_name",
            text(&config.file_name),
            crate::worker::DEFAULT_FILE_NAME.to_string(),
        ),
        (
            "copy_command",
            text(&config.copy_command),
            "auto".to_string(),
        ),
        (
            "sentinel_command",
            text(&config.sentinel_command),
            "none".to_string(),
        ),
        (
            "mouse",
            config.mouse.map(|m| m.to_string()),
            "true".to_string(),
        ),
    ] {
        let (v, s) = file_or_default(value, default);
        rows.push((name, v, s));
    }
    let log = crate::logging::log_path(paths, cli.log_file.as_deref());
    rows.push((
        "log_file",
        log.display().to_string(),
        if cli.log_file.is_some() {
            "flag"
        } else {
            "default"
        },
    ));
    let (v, s) = match env_set("SORA_LOG") {
        Some(v) => (v, "environment"),
        None => ("info".into(), "default"),
    };
    rows.push(("log_level", v, s));
    for (k, v) in &config.keys {
        rows.push(("keys", format!("{k} = {}", v.to_vec().join(", ")), "file"));
    }
    for (k, v) in &config.theme {
        rows.push(("theme", format!("{k} = {v}"), "file"));
    }
    if cli.json {
        let list: Vec<_> = rows
            .iter()
            .map(|(k, v, s)| json!({"key": k, "value": v, "source": s}))
            .collect();
        println!("{}", serde_json::Value::Array(list));
    } else {
        for (k, v, s) in rows {
            println!("{k}: {} ({s})", crate::text::sanitize(&v, 200));
        }
    }
    ExitStatus::Ok
}

/// The masked token and where it comes from, in the order `Session::token` looks.
fn token_and_source(cli: &Cli, paths: &Paths, config: &Config) -> (String, &'static str) {
    let masked = |r: Result<crate::api::AccessToken, String>| match r {
        Ok(t) => t.masked(),
        Err(e) => format!("unusable: {e}"),
    };
    if let Some(f) = &cli.token_file {
        return (masked(crate::token_store::read_file(f)), "flag");
    }
    if let Ok(raw) = std::env::var("SORA_TOKEN")
        && !raw.trim().is_empty()
    {
        return (
            masked(crate::api::AccessToken::parse(&raw).map_err(|p| p.to_string())),
            "environment",
        );
    }
    if let Some(f) = &config.token_file {
        return (masked(crate::token_store::read_file(f)), "file");
    }
    if let Ok(Some(t)) = crate::token_store::load(&paths.token_file()) {
        return (t.masked(), "login");
    }
    if let Some(raw) = &config.token {
        return (
            masked(crate::api::AccessToken::parse(raw.expose()).map_err(|p| p.to_string())),
            "file",
        );
    }
    ("none".into(), "default")
}

/// `sora-tui config edit`: the editor on the config file (made from the template if
/// missing), then the check; problems give a non-zero exit and say how to fix them.
pub fn run_edit(paths: &Paths) -> ExitStatus {
    let path = &paths.config_file;
    if std::fs::symlink_metadata(path).is_err()
        && let Err(e) = create_from_template(paths)
    {
        eprintln!("sora-tui: cannot create {}: {e}", path.display());
        return ExitStatus::Failure;
    }
    let editor = [std::env::var("VISUAL").ok(), std::env::var("EDITOR").ok()]
        .into_iter()
        .flatten()
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string());
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(path)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => {
            eprintln!("sora-tui: the editor {editor:?} exited with {s}");
            return ExitStatus::Failure;
        }
        Err(e) => {
            eprintln!("sora-tui: cannot run the editor {editor:?} ({e}): set $VISUAL or $EDITOR");
            return ExitStatus::Failure;
        }
    }
    report(
        path,
        &check(path),
        "run `sora-tui config edit` again to fix them",
    )
}

/// Writes the template as a new file (0600) in the config dir (0700).
fn create_from_template(paths: &Paths) -> std::io::Result<()> {
    use std::io::Write;
    let mut dir = std::fs::DirBuilder::new();
    dir.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut dir, 0o700);
    dir.create(paths.config_dir())?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(&paths.config_file)?
        .write_all(template(paths).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths() -> Paths {
        Paths {
            config_file: "/c/sora-tui/config.toml".into(),
            data_dir: "/d".into(),
            state_dir: "/s".into(),
            cache_dir: "/k".into(),
            download_dir: "/v/sora".into(),
        }
    }

    #[test]
    fn the_template_lists_every_key_with_its_default() {
        let template = template(&paths());
        // As written, the template sets nothing.
        assert_eq!(Config::parse(&template).unwrap(), Config::default());
        let uncommented: String = template
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest)
                    if rest.starts_with('[')
                        || rest.split_once(" = ").is_some_and(|(k, _)| {
                            k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                        }) =>
                {
                    rest
                }
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let c = Config::parse(&uncommented).unwrap();
        // Exhaustive: a new field of Config fails to compile here until the template has it.
        let Config {
            base_url,
            token,
            token_file,
            sentinel_command,
            proxy,
            user_agent,
            download_dir,
            poll_interval_ms,
            notifications,
            player,
            file_name,
            copy_command,
            mouse,
            preview,
            keys,
            theme,
            lines: _,
        } = c;
        assert_eq!(mouse, Some(true));
        assert_eq!(preview, Some(crate::config::Preview::Auto));
        assert_eq!(base_url.as_deref(), Some(crate::api::DEFAULT_BASE_URL));
        assert!(token.is_some() && token_file.is_some() && sentinel_command.is_some());
        assert!(proxy.is_some());
        assert_eq!(user_agent.as_deref(), Some(crate::api::DEFAULT_USER_AGENT));
        assert_eq!(download_dir, Some("/v/sora".into()));
        assert_eq!(poll_interval_ms, Some(DEFAULT_POLL_MS));
        assert_eq!(notifications, Some(crate::config::Notifications::default()));
        assert_eq!(player.as_deref(), Some("xdg-open"));
        assert_eq!(file_name.as_deref(), Some(crate::worker::DEFAULT_FILE_NAME));
        assert_eq!(copy_command.as_deref(), Some("osc52"));
        assert_eq!(keys.len(), 1);
        assert_eq!(theme.len(), 1);
        // And the uncommented template passes the check except for the example token.
        let problems = check_text(&uncommented, Path::new("/c/config.toml"));
        assert!(
            problems.iter().all(|p| p.message.contains("token")),
            "{problems:?}"
        );
    }

    #[test]
    fn check_lists_every_problem_with_its_line_and_a_hint() {
        let text =
            "bas_url = \"https://x\"\npoll_interval_ms = \"fast\"\nnotifications = \"loud\"\n";
        let problems = check_text(text, Path::new("/c/config.toml"));
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert_eq!(problems[0].line, Some(1));
        assert!(
            problems[0].message.contains("did you mean `base_url`"),
            "{problems:?}"
        );
        assert!(problems.iter().any(|p| p.line == Some(2)), "{problems:?}");
        assert!(
            problems
                .iter()
                .any(|p| p.line == Some(3) && p.message.contains("notifications")),
            "{problems:?}"
        );
        let bad_values =
            "base_url = \"not a url\"\n[keys]\nfly = \"f\"\n[theme]\nborder = \"nope\"\n";
        let problems = check_text(bad_values, Path::new("/c/config.toml"));
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert_eq!(problems[0].line, Some(1));
        assert_eq!(problems[1].line, Some(3));
        assert_eq!(problems[2].line, Some(5));
        assert!(
            check_text(
                "base_url = \"https://example.com/backend\"\n",
                Path::new("/c")
            )
            .is_empty()
        );
    }
}
