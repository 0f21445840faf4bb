//! Crash reports on the real binary in a pty: a panic in the UI or in the worker writes a
//! private report to the state dir with the message and a backtrace, without the token (even
//! where the log had it), and the terminal is restored. The crash switches exist only in
//! debug builds (src/tui/mod.rs, src/worker/run.rs).

#![allow(clippy::unwrap_used)] // helpers that are not `#[test]` functions unwrap

mod common;

use common::pty::{Pty, sora_command};

/// Runs the binary with `switch=1` and returns (the report's text, the pty's raw output).
fn crash_with(switch: &str) -> (String, String, String) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(common::start_sim(|_| {}));
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("state/sora-tui");
    std::fs::create_dir_all(&state).unwrap();
    let token = sim.token();
    // A log that (by some earlier mistake) holds the token: the report's log tail must not.
    std::fs::write(
        state.join("sora-tui.log"),
        format!("an old line: Authorization: Bearer {token}\nanother: token={token}\n"),
    )
    .unwrap();
    let mut cmd = sora_command(home.path());
    cmd.env("SORA_BASE_URL", sim.base_url())
        .env("SORA_TOKEN", &token)
        .env(switch, "1");
    let mut pty = Pty::spawn(cmd, 120, 30);
    let status = pty.wait_exit(30);
    assert!(!status.success(), "a crash is a failure: {status:?}");
    assert!(pty.cooked(), "the terminal is back in cooked mode");
    let raw = String::from_utf8_lossy(&pty.raw()).into_owned();
    let reports: Vec<_> = std::fs::read_dir(&state)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("crash-"))
        })
        .collect();
    assert_eq!(reports.len(), 1, "one report: {reports:?}\n{raw}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&reports[0]).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let name = reports[0].display().to_string();
    (
        std::fs::read_to_string(&reports[0]).unwrap(),
        raw,
        format!("{token}\n{name}"),
    )
}

fn check(switch: &str) {
    let (report, raw, extra) = crash_with(switch);
    let (token, path) = extra.split_once('\n').unwrap();
    assert!(
        report.contains("a crash on purpose"),
        "the message:\n{report}"
    );
    assert!(
        report.contains("backtrace:") && report.contains("at: src/"),
        "{report}"
    );
    assert!(
        report.contains("version: ") && report.contains("os: "),
        "{report}"
    );
    assert!(
        report.contains("an old line"),
        "the log's end is in it:\n{report}"
    );
    assert!(!report.contains(token), "the token leaked:\n{report}");
    let left = raw
        .rfind("\x1b[?1049l")
        .expect("the alternate screen was left");
    assert!(raw.rfind("\x1b[?1049h").unwrap() < left);
    let after = &raw[left..];
    assert!(
        after.contains("crash report") || after.contains("a report is in"),
        "the path is printed after the UI is gone:\n{after}"
    );
    assert!(after.contains("it holds no token"), "{after}");
    let name = std::path::Path::new(path)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(after.contains(&name), "{after}");
}

#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "the crash switch is compiled out of release builds"
)]
fn a_panic_in_the_ui_writes_a_report_without_the_token() {
    check("SORA_TEST_PANIC_UI");
}

#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "the crash switch is compiled out of release builds"
)]
fn a_panic_in_the_worker_writes_a_report_without_the_token() {
    check("SORA_TEST_PANIC_WORKER");
}

#[test]
fn version_verbose_prints_what_a_bug_report_needs() {
    let home = tempfile::tempdir().unwrap();
    let out = sora_command(home.path())
        .args(["version", "--verbose"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let config = home.path().join("config/sora-tui/config.toml");
    for want in [
        format!("sora-tui {}", env!("CARGO_PKG_VERSION")),
        format!("os: {}", std::env::consts::OS),
        format!("arch: {}", std::env::consts::ARCH),
        "TERM: xterm-256color".to_string(),
        format!("config: {}", config.display()),
        "features: ".to_string(),
        "state: ".to_string(),
    ] {
        assert!(text.contains(&want), "{want}:\n{text}");
    }
    let plain = sora_command(home.path()).arg("version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&plain.stdout).trim(),
        format!("sora-tui {}", env!("CARGO_PKG_VERSION"))
    );
}
