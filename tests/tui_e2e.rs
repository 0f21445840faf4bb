//! The real binary in a pseudo-terminal against the in-process demo simulator: write a prompt
//! by keys, submit, follow it in Tasks, find the draft in Drafts, quit, terminal restored.

mod common;

use common::pty::{Pty, sora_command};

#[test]
fn prompt_to_draft_by_keys_and_clean_exit() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = sora_command(home.path());
    cmd.args(["--demo"])
        .env("SORA_DEMO_SPEED", "320")
        .env("SORA_POLL_INTERVAL_MS", "100");
    let mut pty = Pty::spawn(cmd, 120, 40);
    pty.wait_for("Prompt", 20);
    pty.wait_for("@demo", 20);

    pty.wait_for("Prompt · typing", 10);
    pty.send(b"a lighthouse in a storm");
    pty.send(b"\x13"); // Ctrl-S
    pty.wait_for("submitted", 20);
    pty.send(b"3");
    pty.wait_for("lighthouse", 10);
    pty.wait_for("done", 40);
    pty.send(b"4");
    pty.wait_for("a lighthouse in a storm", 20);

    pty.send(b"q");
    let status = pty.wait_exit(10);
    assert!(
        status.success(),
        "exit status {status:?}; screen:\n{}",
        pty.screen()
    );
    let raw = pty.raw();
    let left_alt = raw.windows(8).any(|w| w == b"\x1b[?1049l");
    assert!(left_alt, "the alternate screen was left");
    assert!(pty.cooked(), "the terminal is back in cooked mode");

    // Restart: a new demo simulator knows nothing of the last one's task, so the demo's
    // record of it is gone too (tests/demo_isolation.rs has the rest of that story).
    let mut cmd = sora_command(home.path());
    cmd.args(["--demo"]).env("SORA_DEMO_SPEED", "320");
    let mut again = Pty::spawn(cmd, 120, 40);
    again.wait_for("Prompt", 20);
    again.leave_typing();
    again.send(b"3");
    again.wait_for("No tasks yet.", 10);
    again.send(b"\x03"); // Ctrl-C quits at once
    assert!(again.wait_exit(10).success());
    assert!(again.cooked());
}

#[test]
fn sigterm_restores_the_terminal() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = sora_command(home.path());
    cmd.args(["--demo"]);
    let mut pty = Pty::spawn(cmd, 100, 30);
    pty.wait_for("Prompt", 20);
    // SAFETY: sending a signal to our own child.
    unsafe { libc::kill(pty.pid() as i32, libc::SIGTERM) };
    pty.wait_exit(10);
    assert!(pty.cooked(), "the terminal is back in cooked mode");
}

#[test]
fn the_prompt_text_survives_a_restart() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = sora_command(home.path());
    cmd.args(["--demo"]);
    let mut pty = Pty::spawn(cmd, 100, 30);
    pty.wait_for("Prompt · typing", 20);
    pty.send(b"half a thought");
    pty.wait_for("half a thought", 10);
    pty.send(b"\x1b");
    pty.wait_gone("· typing", 10);
    pty.send(b"q");
    assert!(pty.wait_exit(10).success());
    let mut cmd = sora_command(home.path());
    cmd.args(["--demo"]);
    let again = Pty::spawn(cmd, 100, 30);
    again.wait_for("half a thought", 20);
}

/// `Esc` and a key in one write, as a fast typist or an SSH session delivers them: the
/// program reads them at once and the terminal's bytes are those of Alt and the key. The
/// Prompt pane stops typing and then acts on the key, as if they had come one by one.
#[test]
fn esc_and_a_key_in_one_write_stop_typing_then_act() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = sora_command(home.path());
    cmd.args(["--demo"]);
    let mut pty = Pty::spawn(cmd, 120, 30);
    pty.wait_for("@demo", 20);
    pty.wait_for("Prompt · typing", 10);
    pty.send(b"a fox");
    pty.wait_for("a fox", 10);

    // Esc and `3` in one write: out of the editor, into Tasks.
    pty.send(b"\x1b3");
    pty.wait_for("No tasks yet.", 10);
    pty.send(b"1");
    pty.wait_for("╭ Prompt", 10);
    let screen = pty.screen();
    assert!(!screen.contains("· typing"), "typing stopped:\n{screen}");
    assert!(
        screen.contains("a fox") && !screen.contains("a fox3"),
        "the key was not typed:\n{screen}"
    );

    // Esc and `q` in one write: out of the editor, and quit.
    pty.send(b"i");
    pty.wait_for("Prompt · typing", 10);
    pty.send(b"\x1bq");
    let status = pty.wait_exit(10);
    assert!(status.success(), "{status:?}; screen:\n{}", pty.screen());
    assert!(pty.cooked(), "the terminal is back in cooked mode");
}

/// A new user types a prompt at once, without pressing `i` first: the program starts typing
/// in the Prompt pane, so every key is part of the prompt and no setting changes (`s`, `o`
/// and `r` in "a cat on a skateboard" used to change the size, the orientation and open the
/// remix field, and the settings are autosaved).
#[test]
fn typing_at_once_writes_the_prompt_and_changes_no_setting() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = sora_command(home.path());
    cmd.args(["--demo"]);
    let mut pty = Pty::spawn(cmd, 120, 30);
    pty.wait_for("Esc settings & keys", 20);
    pty.send(b"a cat on a skateboard");
    pty.wait_for("a cat on a skateboard", 10);
    let screen = pty.screen();
    for setting in [
        "orientation landscape",
        "size        standard",
        "remix       none",
    ] {
        assert!(screen.contains(setting), "{setting:?} changed:\n{screen}");
    }
    pty.send(b"\x1b");
    pty.wait_for("i type", 10);
    // After `Esc` the settings keys act again.
    pty.send(b"s");
    pty.wait_for("size        HD", 10);
    pty.send(b"q");
    assert!(pty.wait_exit(10).success());
}
