//! Diagnostics on the real binary: a crashed background worker becomes a clear message and a
//! non-zero exit with the terminal restored, and the crash is in the log file.

mod common;

use common::pty::{Pty, sora_command};

// The crash switch exists only in debug builds of the binary (src/worker/run.rs); a test
// built with debug assertions runs against a binary built the same way.
#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "the crash switch is compiled out of release builds"
)]
fn a_worker_crash_is_reported_and_the_terminal_restored() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(common::start_sim(|_| {}));
    let home = tempfile::tempdir().unwrap();
    let mut cmd = sora_command(home.path());
    cmd.env("SORA_BASE_URL", sim.base_url())
        .env("SORA_TOKEN", sim.token())
        // Test-only hook read by the worker at start (src/worker/run.rs).
        .env("SORA_TEST_PANIC_WORKER", "1");
    let mut pty = Pty::spawn(cmd, 120, 30);
    // Returns once the last bytes the program wrote are read, too.
    let status = pty.wait_exit(20);
    assert!(!status.success(), "a crash is a failure: {status:?}");
    let screen = pty.screen();
    assert!(
        screen.contains("the background worker stopped") && screen.contains("a crash on purpose"),
        "the message says what happened:\n{screen}"
    );
    assert!(pty.cooked(), "the terminal is back in cooked mode");
    let raw = String::from_utf8_lossy(&pty.raw()).into_owned();
    let entered = raw
        .rfind("\x1b[?1049h")
        .expect("the UI used the alternate screen");
    let left = raw
        .rfind("\x1b[?1049l")
        .expect("the alternate screen was left");
    assert!(left > entered, "left after entering");
    assert!(
        raw[left..].contains("the background worker stopped"),
        "the message is printed on the normal screen, after the UI is gone"
    );
    let log = std::fs::read_to_string(home.path().join("state/sora-tui/sora-tui.log"))
        .expect("a log was written");
    assert!(
        log.contains("the worker panicked"),
        "the crash is logged:\n{log}"
    );
}

#[test]
fn without_the_hook_the_worker_runs() {
    // The hook is inert unless set to exactly 1: a normal start stays up until quit.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(common::start_sim(|_| {}));
    let home = tempfile::tempdir().unwrap();
    let mut cmd = sora_command(home.path());
    cmd.env("SORA_BASE_URL", sim.base_url())
        .env("SORA_TOKEN", sim.token())
        .env("SORA_TEST_PANIC_WORKER", "0");
    let mut pty = Pty::spawn(cmd, 120, 30);
    pty.wait_for("@demo", 20);
    pty.send(b"\x03"); // Ctrl-C quits at once
    let status = pty.wait_exit(10);
    assert!(status.success(), "{status:?}\n{}", pty.screen());
    assert!(pty.cooked());
}
