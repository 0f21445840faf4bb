//! Crash reports: a panic anywhere (the UI's thread or a worker task) writes a report file to
//! the state dir, `crash-YYYYMMDD-HHMMSS.txt` (0600), with what a bug report needs (version,
//! platform, terminal, the panic and its backtrace, the end of the log) and nothing secret:
//! the token and anything shaped like one are redacted. The terminal is restored by the hook
//! `ratatui::init` installs around this one, so the path printed here reaches the normal
//! screen. See docs/architecture.md, "Crash reports".

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Secrets seen during the run (the access token), redacted from every report.
static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The last report written, so the UI can repeat its path after restoring the terminal.
static LAST_REPORT: Mutex<Option<PathBuf>> = Mutex::new(None);

/// How many lines of the log file's end a report holds.
const LOG_LINES: usize = 50;

/// Remembers a secret to redact from crash reports (the token, once resolved).
pub fn remember_secret(secret: &str) {
    if secret.len() >= 4
        && let Ok(mut s) = SECRETS.lock()
        && !s.iter().any(|k| k == secret)
    {
        s.push(secret.to_string());
    }
}

/// The path of the report written by a panic in this process, if one was.
pub fn last_report() -> Option<PathBuf> {
    LAST_REPORT.lock().ok().and_then(|p| p.clone())
}

/// Installs the panic hook that writes a report into `state_dir` (with the end of `log_file`)
/// and then runs the hook that was there before (which prints the panic).
pub fn install(state_dir: PathBuf, log_file: PathBuf) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        previous(info);
        let message = panic_message(info.payload());
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_else(|| "unknown".into());
        let thread = std::thread::current()
            .name()
            .unwrap_or("unnamed")
            .to_string();
        let backtrace = std::backtrace::Backtrace::force_capture().to_string();
        let log_tail = read_tail(&log_file, LOG_LINES);
        let report = report_text(&message, &location, &thread, &backtrace, &log_tail);
        let secrets = SECRETS.lock().map(|s| s.clone()).unwrap_or_default();
        match write_report(&state_dir, &redact(&report, &secrets)) {
            Ok(path) => {
                eprintln!("sora-tui crashed; a report is in {}", path.display());
                eprintln!("please attach it to a bug report; it holds no token");
                if let Ok(mut last) = LAST_REPORT.lock() {
                    *last = Some(path);
                }
            }
            Err(e) => eprintln!("sora-tui crashed; no report could be written: {e}"),
        }
    }));
}

/// The text of a panic payload (`panic!` carries a `&str` or a `String`).
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic without a message)".into())
}

/// The platform lines shared by the report and `sora-tui version --verbose`.
pub fn platform_lines() -> String {
    let present = |v: &str| {
        std::env::var(v)
            .ok()
            .filter(|s| !s.is_empty())
            .map(|s| crate::text::sanitize(&s, 60))
    };
    format!(
        "version: {}\ncommit: {}\nos: {}\narch: {}\nTERM: {}\nTERM_PROGRAM: {}\ntmux: {}\nfeatures: {}\n",
        env!("CARGO_PKG_VERSION"),
        option_env!("SORA_TUI_GIT_COMMIT").unwrap_or("unknown (not set at build)"),
        std::env::consts::OS,
        std::env::consts::ARCH,
        present("TERM").unwrap_or_else(|| "unset".into()),
        present("TERM_PROGRAM").unwrap_or_else(|| "unset".into()),
        if std::env::var_os("TMUX").is_some() {
            "yes"
        } else {
            "no"
        },
        features(),
    )
}

/// The cargo features this build was made with.
pub fn features() -> &'static str {
    if cfg!(feature = "desktop-notifications") {
        "desktop-notifications"
    } else {
        "(none)"
    }
}

/// The report's text before redaction.
fn report_text(
    message: &str,
    location: &str,
    thread: &str,
    backtrace: &str,
    log_tail: &str,
) -> String {
    format!(
        "sora-tui crash report\n\n{}\npanic: {message}\nat: {location}\nthread: {thread}\n\nbacktrace:\n{backtrace}\n\nlast lines of the log:\n{log_tail}\n",
        platform_lines()
    )
}

/// The last `n` lines of a file, read with a cap; a note when it cannot be read.
fn read_tail(path: &Path, n: usize) -> String {
    match crate::fsutil::read_text_capped(path, 64 * 1024 * 1024) {
        Ok(text) => {
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(n)..].join("\n")
        }
        Err(e) => format!("(no log: {})", e.reason()),
    }
}

/// `text` with every known secret and everything shaped like a token replaced by `[redacted]`:
/// `Bearer …`, a run of 24 or more token characters mixing upper case, lower case and digits
/// (JWTs and opaque keys; hex hashes and identifiers in a backtrace do not mix all three).
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(s.as_str(), "[redacted]");
    }
    let token_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut result = String::with_capacity(out.len());
    let mut run = String::new();
    let flush = |run: &mut String, result: &mut String| {
        let looks_secret = run.len() >= 24
            && run.chars().any(|c| c.is_ascii_uppercase())
            && run.chars().any(|c| c.is_ascii_lowercase())
            && run.chars().any(|c| c.is_ascii_digit());
        result.push_str(if looks_secret {
            "[redacted]"
        } else {
            run.as_str()
        });
        run.clear();
    };
    for c in out.chars() {
        if token_char(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut result);
            result.push(c);
        }
    }
    flush(&mut run, &mut result);
    // `Bearer x` whatever x looks like.
    let mut cleaned = String::with_capacity(result.len());
    let mut rest = result.as_str();
    while let Some(at) = rest.find("Bearer ") {
        cleaned.push_str(&rest[..at + 7]);
        rest = &rest[at + 7..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        cleaned.push_str("[redacted]");
        rest = &rest[end..];
    }
    cleaned.push_str(rest);
    cleaned
}

/// Writes the report as `crash-YYYYMMDD-HHMMSS.txt` (0600) in `dir` (made 0700 if missing);
/// a second crash in the same second gets a numbered name instead of overwriting the first.
fn write_report(dir: &Path, text: &str) -> std::io::Result<PathBuf> {
    use std::io::Write;
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    let stamp = jiff::Zoned::now().strftime("%Y%m%d-%H%M%S").to_string();
    for n in 0..100 {
        let name = if n == 0 {
            format!("crash-{stamp}.txt")
        } else {
            format!("crash-{stamp}-{n}.txt")
        };
        let path = dir.join(name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&path) {
            Ok(mut f) => {
                f.write_all(text.as_bytes())?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(
        "too many crash reports in one second",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_token_shapes_are_redacted_and_the_rest_kept() {
        let text = "token sekrit-token-value here\nAuthorization: Bearer abc.def\n\
            jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.Sfl5KxwRJSMeKKF2QT4fwpMeJf36POk6yJV\n\
            at sora_tui::worker::run::run::{{closure}} 0x00005555deadbeef index.crates.io-1949cf8c6b5b557f\n";
        let out = redact(text, &["sekrit-token-value".into()]);
        assert!(!out.contains("sekrit-token-value"), "{out}");
        assert!(!out.contains("abc.def"), "{out}");
        assert!(!out.contains("eyJzdWIiOiIxMjM0NTY3ODkwIn0"), "{out}");
        assert!(
            !out.contains("Sfl5KxwRJSMeKKF2QT4fwpMeJf36POk6yJV"),
            "{out}"
        );
        assert!(
            out.contains("sora_tui::worker::run::run::{{closure}}"),
            "{out}"
        );
        assert!(out.contains("0x00005555deadbeef"), "{out}");
        assert!(out.contains("index.crates.io-1949cf8c6b5b557f"), "{out}");
    }

    #[test]
    fn a_report_is_private_and_never_overwrites_another() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let a = write_report(&state, "one").unwrap();
        let b = write_report(&state, "two").unwrap();
        assert_ne!(a, b);
        let name = a.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("crash-") && name.ends_with(".txt"),
            "{name}"
        );
        let mode = std::fs::metadata(&a).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dmode = std::fs::metadata(&state).unwrap().permissions().mode() & 0o777;
        assert_eq!(dmode, 0o700);
    }
}
