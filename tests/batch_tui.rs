//! The real binary in a pseudo-terminal: a batch file given on the command line opens the
//! TUI with its confirm shown, `y` hands the jobs to the local queue, and the simulator gets
//! exactly one create per job. Waits are bounded polls of the screen or the simulator.

mod common;

use std::time::{Duration, Instant};

use common::pty::{Pty, sora_command};
use common::{requests_to, start_sim};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_file_on_the_command_line_is_confirmed_into_the_queue() {
    let sim = std::sync::Arc::new(start_sim(|_| {}).await);
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("five.batch.toml");
    std::fs::write(
        &file,
        "[[grid]]\nprompt = \"clip {n}\"\nvars.n = [\"1\", \"2\", \"3\", \"4\", \"5\"]\n",
    )
    .unwrap();
    let (base_url, token) = (sim.base_url(), sim.token());
    let creates = {
        let sim = std::sync::Arc::clone(&sim);
        move || requests_to(&sim, "POST", "/nf/create").len()
    };
    // The pty is driven from a blocking thread; the simulator keeps running on the runtime.
    tokio::task::spawn_blocking(move || {
        let mut cmd = sora_command(home.path());
        cmd.env("SORA_BASE_URL", &base_url)
            .env("SORA_TOKEN", &token)
            .env("SORA_POLL_INTERVAL_MS", "50")
            .arg(&file);
        let mut pty = Pty::spawn(cmd, 120, 40);
        pty.wait_for("Queue the jobs of five.batch.toml?", 20);
        pty.wait_for("5 jobs (5 videos)", 5);
        pty.wait_for("clip 5", 5);
        assert_eq!(creates(), 0, "nothing is sent before the confirm");
        pty.send(b"y");
        // (Its toast may be gone already: the simulator's tasks finish in a blink, and their
        // own toasts push it out.)
        pty.wait_gone("Queue the jobs of five.batch.toml?", 10);
        let deadline = Instant::now() + Duration::from_secs(60);
        while creates() < 5 {
            assert!(Instant::now() < deadline, "{}", pty.screen());
            std::thread::sleep(Duration::from_millis(50));
        }
        pty.wait_for("3 Tasks (5)", 60);
        pty.wait_for("4 Drafts (5)", 60);
        pty.send(b"\x03");
        assert!(pty.wait_exit(10).success(), "{}", pty.screen());
    })
    .await
    .unwrap();
    assert_eq!(requests_to(&sim, "POST", "/nf/create").len(), 5);
    if let Ok(sim) = std::sync::Arc::try_unwrap(sim) {
        sim.shutdown().await;
    }
}
