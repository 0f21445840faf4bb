//! The built binary run the way a user runs it, against a simulator, in a sandbox: HOME and
//! the XDG dirs in a fresh temp dir, nothing inherited but PATH, stdin closed; and what must
//! never reach the terminal it prints to.

use std::process::Output;

use sora_tui::sim::Sim;

/// Runs `sora-tui ARGS` against `sim` and returns what it printed and how it ended.
pub async fn run_cli(sim: &Sim, args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_sora-tui"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("SORA_POLL_INTERVAL_MS", "50")
        .env("SORA_BASE_URL", sim.base_url())
        .env("SORA_TOKEN", sim.token())
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .args(args);
    tokio::time::timeout(std::time::Duration::from_secs(60), cmd.output())
        .await
        .expect("command finishes")
        .expect("binary runs")
}

/// Whether a character hides or reorders text on a terminal: the bidirectional controls and
/// the zero-width characters. None may reach the screen (see `crate::text` in the library).
pub fn bidi_or_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{061C}'
            | '\u{200B}'..='\u{200D}'
            | '\u{2060}'
            | '\u{FEFF}'
    )
}
