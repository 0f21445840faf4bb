//! The built binary run the way a user runs it, against a simulator, in a sandbox: HOME and
//! the XDG dirs in a fresh temp dir, nothing inherited but PATH, stdin closed; and what must
//! never reach the terminal it prints to.

use std::process::Output;

use sora_tui::sim::Sim;

/// `sora-tui` against `sim`, sandboxed in `home`: HOME and the XDG dirs inside it, nothing
/// inherited but PATH, stdin closed, a 50 ms poll interval; the caller adds its arguments
/// (and any other variable) and runs it with [`output_within`].
#[allow(dead_code)] // Not every test binary runs the binary.
pub fn cli_command(sim: &Sim, home: &std::path::Path) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_sora-tui"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("SORA_POLL_INTERVAL_MS", "50")
        .env("SORA_BASE_URL", sim.base_url())
        .env("SORA_TOKEN", sim.token())
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    cmd
}

/// What `cmd` printed and how it ended, failing the test if it runs past `secs`.
#[allow(dead_code)] // Not every test binary runs the binary.
pub async fn output_within(mut cmd: tokio::process::Command, secs: u64) -> Output {
    tokio::time::timeout(std::time::Duration::from_secs(secs), cmd.output())
        .await
        .expect("command finishes")
        .expect("binary runs")
}

/// Runs `sora-tui ARGS` against `sim` and returns what it printed and how it ended.
pub async fn run_cli(sim: &Sim, args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = cli_command(sim, home.path());
    cmd.args(args);
    output_within(cmd, 60).await
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
