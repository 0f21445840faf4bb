//! `sora-tui batch`: the real binary against the simulator. A dry run lists the jobs and
//! sends no create; a batch handed to the local queue with `--wait` ends with every job done
//! and exactly one create per job; a broken file is refused with its line.

mod common;

use common::bin::{cli_command, output_within};
use common::{requests_to, start_sim};

/// The example shipped in the repository.
fn example() -> String {
    format!("{}/examples/grid.batch.toml", env!("CARGO_MANIFEST_DIR"))
}

/// Every create endpoint of the API (video, storyboard, image).
fn creates(sim: &sora_tui::sim::Sim) -> usize {
    ["/nf/create", "/nf/create/storyboard", "/video_gen"]
        .iter()
        .map(|p| requests_to(sim, "POST", p).len())
        .sum()
}

#[tokio::test]
async fn a_dry_run_prints_the_four_jobs_and_sends_nothing() {
    let sim = start_sim(|_| {}).await;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = cli_command(&sim, home.path());
    cmd.args(["batch", &example(), "--dry-run"]);
    let out = output_within(cmd, 60).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let prompts = [
        "a fox in ukiyo-e style",
        "a fox in claymation style",
        "a owl in ukiyo-e style",
        "a owl in claymation style",
    ];
    let mut at = 0;
    for (i, p) in prompts.iter().enumerate() {
        let line = format!("   │ {p}\n");
        let found = stdout[at..]
            .find(&line)
            .unwrap_or_else(|| panic!("job {} ({p}) missing or out of order in:\n{stdout}", i + 1));
        at += found + line.len();
    }
    assert!(
        stdout.contains("video · landscape · 10 s · Sora 2 · standard"),
        "{stdout}"
    );
    assert!(
        stdout.contains("4 jobs (4 videos) in grid.batch.toml"),
        "{stdout}"
    );
    assert!(
        stdout.contains("the quota covers it") || stdout.contains("quota: unknown"),
        "{stdout}"
    );
    assert_eq!(creates(&sim), 0, "a dry run creates nothing");
    // Nor does it queue anything for later.
    let queue =
        std::fs::read_to_string(home.path().join("data/sora-tui/queue.json")).unwrap_or_default();
    assert!(!queue.contains("grid.batch.toml"), "{queue}");
    assert!(
        sim.requests().iter().all(|r| r.method == "GET"),
        "a dry run only reads: {:?}",
        sim.requests()
            .iter()
            .map(|r| (&r.method, &r.path))
            .collect::<Vec<_>>()
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_broken_batch_file_is_refused_with_its_line() {
    let sim = start_sim(|_| {}).await;
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("grid.batch.toml");
    std::fs::write(
        &file,
        "[[grid]]\nprompt = \"a {colour} fox\"\n[grid.vars]\ncolor = [\"red\"]\n",
    )
    .unwrap();
    let mut cmd = cli_command(&sim, home.path());
    cmd.arg("batch").arg(&file);
    let out = output_within(cmd, 60).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "grid.batch.toml line 2: unknown variable {colour} in the template; defined: color"
        ),
        "{stderr}"
    );
    assert_eq!(creates(&sim), 0);
    sim.shutdown().await;
}

/// A batch of five videos, one more than the service runs at once and then some.
const FIVE: &str =
    "[[grid]]\nprompt = \"clip {n}\"\nvars.n = [\"1\", \"2\", \"3\", \"4\", \"5\"]\n";

#[tokio::test]
async fn a_batch_waited_for_ends_with_every_job_done_and_one_create_each() {
    let sim = start_sim(|_| {}).await;
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("five.batch.toml");
    std::fs::write(&file, FIVE).unwrap();
    let mut cmd = cli_command(&sim, home.path());
    cmd.arg("batch").arg(&file).arg("--wait");
    let out = output_within(cmd, 120).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert_eq!(requests_to(&sim, "POST", "/nf/create").len(), 5, "{stderr}");
    assert_eq!(creates(&sim), 5);
    for n in 1..=5 {
        assert!(
            stdout.contains(&format!("done line 2: n={n}: gen_")),
            "job {n} not reported done:\n{stdout}"
        );
        assert!(
            stderr.contains(&format!("[{n}/5] line 2: n={n}: submitted task_")),
            "no progress line for job {n}:\n{stderr}"
        );
    }
    assert!(stdout.contains("5 of 5 jobs done, 0 failed"), "{stdout}");
    // The queue the TUI reads is empty again: nothing of this batch is left to send twice.
    let queue =
        std::fs::read_to_string(home.path().join("data/sora-tui/queue.json")).unwrap_or_default();
    assert!(!queue.contains("clip "), "{queue}");
    sim.shutdown().await;
}

#[tokio::test]
async fn without_wait_the_jobs_are_left_in_the_queue_for_the_tui() {
    let sim = start_sim(|_| {}).await;
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("five.batch.toml");
    std::fs::write(&file, FIVE).unwrap();
    let mut cmd = cli_command(&sim, home.path());
    cmd.arg("batch").arg(&file);
    let out = output_within(cmd, 60).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("5 jobs from five.batch.toml in the local queue; the TUI (or a later `sora-tui batch … --wait`) sends the rest"),
        "{stdout}"
    );
    // What was not sent before the command ended waits in the shared queue file.
    let sent = creates(&sim);
    assert!(sent <= 3, "never more than the service's limit: {sent}");
    let queue = std::fs::read_to_string(home.path().join("data/sora-tui/queue.json")).unwrap();
    assert_eq!(
        queue.matches("\"origin\": \"five.batch.toml\"").count()
            + queue.matches("\"origin\":\"five.batch.toml\"").count(),
        5 - sent,
        "{queue}"
    );
    sim.shutdown().await;
}
