//! The real binary in a pseudo-terminal (`--demo`, every XDG dir in a temp home): it asks
//! the terminal for mouse reporting, an SGR mouse click on a tab switches the pane, and
//! `mouse = false` in the config asks for none.

mod common;

use common::pty::{Pty, sora_command};

/// Whether the output asked for mouse reporting (button events, or the SGR encoding).
fn asked_for_mouse(raw: &[u8]) -> bool {
    raw.windows(8)
        .any(|w| w == b"\x1b[?1000h" || w == b"\x1b[?1006h")
}

/// An SGR left click (press, then release) on the 1-based cell `(x, y)`.
fn click(pty: &mut Pty, x: u16, y: u16) {
    pty.send(format!("\x1b[<0;{x};{y}M").as_bytes());
    pty.send(format!("\x1b[<0;{x};{y}m").as_bytes());
}

#[test]
fn a_click_on_a_tab_switches_the_pane() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = sora_command(home.path());
    cmd.args(["--demo"])
        .env("XDG_CACHE_HOME", home.path().join("cache"));
    let mut pty = Pty::spawn(cmd, 100, 30);
    pty.wait_for("Prompt · typing", 20);
    assert!(asked_for_mouse(&pty.raw()), "mouse reporting was enabled");
    // The tab bar: " 1 Prompt " (columns 1-10), " 2 Storyboard " (12-25), " 3 Tasks " (27-35).
    click(&mut pty, 30, 1);
    pty.wait_for("No tasks yet.", 10);
    click(&mut pty, 16, 1);
    pty.wait_for("No shots yet.", 10);
    pty.send(b"\x03");
    assert!(pty.wait_exit(10).success());
    let raw = pty.raw();
    assert!(
        raw.windows(8).any(|w| w == b"\x1b[?1000l"),
        "mouse reporting was turned off at exit"
    );
    assert!(pty.cooked());
}

#[test]
fn mouse_false_in_the_config_asks_for_no_mouse_reporting() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config").join("sora-tui");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), "mouse = false\n").unwrap();
    let mut cmd = sora_command(home.path());
    cmd.args(["--demo"])
        .env("XDG_CACHE_HOME", home.path().join("cache"));
    let mut pty = Pty::spawn(cmd, 100, 30);
    pty.wait_for("Prompt · typing", 20);
    pty.send(b"\x03");
    assert!(pty.wait_exit(10).success());
    assert!(!asked_for_mouse(&pty.raw()), "no mouse reporting");
}
