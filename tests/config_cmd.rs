//! `sora-tui config path|edit|show|check` on the real binary, sandboxed in a temp home.

use std::process::{Command, Output};

fn sora(home: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sora-tui"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .stdin(std::process::Stdio::null());
    cmd
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn path_names_every_place() {
    let home = tempfile::tempdir().unwrap();
    let out = sora(home.path()).args(["config", "path"]).output().unwrap();
    let (stdout, _) = text(&out);
    assert!(out.status.success());
    let config = home.path().join("config/sora-tui/config.toml");
    assert!(
        stdout.contains(&format!("config: {}", config.display())),
        "{stdout}"
    );
    for name in ["data: ", "state: ", "cache: ", "log: ", "token: "] {
        assert!(
            stdout.lines().any(|l| l.starts_with(name)),
            "{name}: {stdout}"
        );
    }
    let out = sora(home.path())
        .args(["config", "path", "--json", "--log-file", "/tmp/x.log"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["log"], "/tmp/x.log");
}

#[test]
fn check_lists_every_problem_and_fails() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/sora-tui");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        "bas_url = \"https://x\"\nnotifications = \"loud\"\n",
    )
    .unwrap();
    let out = sora(home.path())
        .args(["config", "check"])
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("line 1: unknown key `bas_url`: did you mean `base_url`?"),
        "{stderr}"
    );
    assert!(stderr.contains("line 2: `notifications`"), "{stderr}");
    assert!(stderr.contains("config has 2 problems"), "{stderr}");
    std::fs::write(dir.join("config.toml"), "notifications = \"osc777\"\n").unwrap();
    let out = sora(home.path())
        .args(["config", "check"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn edit_creates_the_private_template_and_checks_the_result() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    // An "editor" that appends a mistake to the file it is given.
    let editor = home.path().join("ed.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nprintf 'polll_interval_ms = 5\\n' >> \"$1\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = sora(home.path())
        .env("EDITOR", &editor)
        .args(["config", "edit"])
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("did you mean `poll_interval_ms`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("config has 1 problem; run `sora-tui config edit` again to fix them"),
        "{stderr}"
    );
    let file = home.path().join("config/sora-tui/config.toml");
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.contains("# base_url = "), "{written}");
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let dir = file.parent().unwrap();
    assert_eq!(
        std::fs::metadata(dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
}

#[test]
fn show_gives_each_source_and_masks_the_token() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/sora-tui");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), "poll_interval_ms = 4000\n").unwrap();
    let token = "tok_abcdefghijklmnopqrstuvwxyzab";
    let out = sora(home.path())
        .env("SORA_TOKEN", token)
        .args([
            "config",
            "show",
            "--base-url",
            "https://example.com/backend",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(!stdout.contains(token), "{stdout}");
    assert!(
        stdout.contains("token: tok_…zyab (environment)")
            || stdout.contains("token: tok_\u{2026}yzab (environment)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("base_url: https://example.com/backend (flag)"),
        "{stdout}"
    );
    assert!(stdout.contains("poll_interval_ms: 4000 (file)"), "{stdout}");
    assert!(stdout.contains("notifications: bell (default)"), "{stdout}");
}

/// A setting that reads a flag and a variable names the one that gave it, even when both
/// hold the same value, and wherever the flag stands on the line.
#[test]
fn show_tells_a_flag_from_its_environment_variable() {
    let home = tempfile::tempdir().unwrap();
    let url = "https://example.com/backend";
    let show = |args: &[&str]| {
        let out = sora(home.path())
            .env("SORA_BASE_URL", url)
            .args(args)
            .output()
            .unwrap();
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stderr}");
        stdout
    };
    let env_only = show(&["config", "show"]);
    assert!(
        env_only.contains(&format!("base_url: {url} (environment)")),
        "{env_only}"
    );
    for args in [
        &["config", "show", "--base-url", url][..],
        &["--base-url", url, "config", "show"][..],
    ] {
        let both = show(args);
        assert!(
            both.contains(&format!("base_url: {url} (flag)")),
            "{args:?}: {both}"
        );
    }
}
