//! `sora-tui completions SHELL` prints a script naming the subcommands, for every shell.

use std::process::Command;

#[test]
fn every_shell_gets_a_script_with_the_subcommands() {
    let home = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = Command::new(env!("CARGO_BIN_EXE_sora-tui"))
            .env_clear()
            .env("HOME", home.path())
            .env("XDG_STATE_HOME", home.path().join("state"))
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}: {out:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        for word in ["sora-tui", "storyboard", "completions", "--demo"] {
            assert!(text.contains(word), "{shell} lacks {word}");
        }
    }
    let bad = Command::new(env!("CARGO_BIN_EXE_sora-tui"))
        .env_clear()
        .env("HOME", home.path())
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
}
