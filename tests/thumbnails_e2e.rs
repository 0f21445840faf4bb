//! The real binary in a pseudo-terminal with `--demo --preview halfblocks`: the Drafts
//! details show the selected draft's thumbnail as half-block cells, fetched and decoded by
//! the worker from the demo simulator.

// Pictures need the default `previews` feature.
#![cfg(feature = "previews")]

mod common;

use common::pty::{Pty, sora_command};

#[test]
fn the_drafts_details_show_a_thumbnail_in_half_blocks() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = sora_command(home.path());
    cmd.args(["--demo", "--preview", "halfblocks"])
        .env("XDG_CACHE_HOME", home.path().join("cache"));
    let mut pty = Pty::spawn(cmd, 160, 48);
    pty.wait_for("Prompt", 20);
    pty.leave_typing();
    pty.send(b"4");
    pty.wait_for("Draft", 20);
    pty.wait_for("1/", 20);
    pty.send(b"\r"); // details
    pty.wait_for("Gen id", 10);
    pty.wait_until("half-block cells in the details", 30, |s| {
        s.contains('▀') || s.contains('▄')
    });
    pty.send(b"\x03");
    assert!(pty.wait_exit(10).success());
    // The demo's pictures are cached in a folder of their own, not among the account's.
    let cache = home.path().join("cache/sora-tui");
    let cached = |dir: std::path::PathBuf| {
        std::fs::read_dir(dir)
            .map(|d| d.flatten().filter(|e| e.path().is_file()).count())
            .unwrap_or(0)
    };
    assert!(
        cached(cache.join("demo/thumbnails")) > 0,
        "the demo's cache is used"
    );
    assert_eq!(
        cached(cache.join("thumbnails")),
        0,
        "the real cache is untouched"
    );
}
