//! The real binary in a pseudo-terminal against the demo simulator, as a new user would go:
//! create a cameo from the sample MP4, finalize it as public, use its @username in a prompt
//! that is submitted, make it private, delete it, and quit with the terminal restored.

mod common;

use common::pty::{Pty, sora_command};

/// The sample video, by absolute path (typed into the form like a user would).
const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample.mp4");

#[test]
fn a_cameo_is_created_used_and_deleted_by_keys() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = sora_command(home.path());
    // An empty account: the cameo made here is its first.
    cmd.args(["--demo"])
        .env("SORA_DEMO_EMPTY", "true")
        .env("SORA_DEMO_SPEED", "100")
        .env("SORA_POLL_INTERVAL_MS", "100")
        .env("SORA_CAMEO_POLL_MS", "100");
    let mut pty = Pty::spawn(cmd, 120, 40);
    pty.wait_for("Prompt", 20);
    pty.wait_for("@demo", 20);
    pty.leave_typing();

    pty.send(b"5");
    pty.wait_for("No cameos yet", 10);
    pty.send(b"n");
    pty.wait_for("New cameo", 10);
    pty.send(SAMPLE.as_bytes());
    pty.send(b"\r");
    // Uploaded, processed by the server, and the suggestions shown.
    pty.wait_for("processed: ready to finalize", 30);
    pty.wait_for("@demo.cameo.1 · Demo Cameo 1", 10);

    pty.send(b"\r");
    pty.wait_for("Finalize Demo Cameo 1", 10);
    pty.send(b"\t"); // display name
    pty.send(b"\t"); // visibility
    pty.send(b" "); // public
    pty.send(b"\r");
    pty.wait_for("finalized · public", 30);

    // Into the prompt, and submitted.
    pty.send(b"i");
    pty.wait_for("Prompt · typing", 10);
    pty.send(b"waves from a sailboat");
    pty.wait_for("@demo.cameo.1 waves from a sailboat", 10);
    pty.send(b"\x13"); // Ctrl-S
    pty.wait_for("submitted", 20);

    pty.send(b"5");
    pty.send(b"p");
    pty.wait_for("finalized · private", 20);

    pty.send(b"d");
    pty.wait_for("Delete @demo.cameo.1", 10);
    pty.send(b"y");
    pty.wait_for("No cameos yet", 20);

    pty.send(b"q");
    let status = pty.wait_exit(10);
    assert!(
        status.success(),
        "exit status {status:?}; screen:\n{}",
        pty.screen()
    );
    assert!(pty.cooked(), "the terminal is back in cooked mode");
}
