//! The local queue end to end: the real binary in a pseudo-terminal against a simulator in
//! this process. Prompts submitted with `Ctrl-S` beyond the service's three running videos
//! wait as "queued here" in Tasks and are all made, each created exactly once (counted in the
//! simulator's request log), also when the binary is killed with `kill -9` while items wait
//! and started again on the same data dir.

// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::pty::{Pty, sora_command};
use common::{client_for, requests_to, start_sim};
use sora_tui::sim::Sim;

/// Simulated time runs this much faster than real time: a 10 s video takes about 17 s, long
/// enough for the three first ones to still run when the next prompt is sent.
const SPEED: f64 = 10.0;

/// The binary on a pty in `home` against `sim`, polling every 100 ms.
fn open(home: &Path, sim: &Sim) -> Pty {
    let file = home.join("config/sora-tui/config.toml");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, "poll_interval_ms = 100\n").unwrap();
    let mut cmd = sora_command(home);
    cmd.env("SORA_BASE_URL", sim.base_url())
        .env("SORA_TOKEN", sim.token());
    let pty = Pty::spawn(cmd, 140, 40);
    pty.wait_for("@demo", 20);
    pty
}

/// Types each prompt and sends it with `Ctrl-S`, waiting after each until the Prompt pane
/// has its answer (the editor is emptied on `Submitted` and on `Held` alike).
fn submit_all(pty: &mut Pty, prompts: &[String]) {
    for prompt in prompts {
        // The program starts typing; after a submit, `i` types again.
        if !pty.screen().contains("Prompt · typing") {
            pty.send(b"i");
        }
        pty.wait_for("Prompt · typing", 10);
        pty.send(prompt.as_bytes());
        pty.wait_for(prompt, 10);
        pty.send(b"\x13"); // Ctrl-S
        pty.wait_for("to write a prompt", 30);
    }
}

/// Every create the simulator logged, by status.
fn creates(sim: &Sim) -> Vec<u16> {
    requests_to(sim, "POST", "/nf/create")
        .iter()
        .map(|r| r.status)
        .collect()
}

/// Waits until Tasks lists `n` tasks, none running and none queued (the title is then
/// `Tasks · n` alone), and none failed.
fn all_done(pty: &Pty, n: usize, secs: u64) {
    let title = format!("Tasks · {n} ─");
    pty.wait_until(&format!("{n} tasks done"), secs, |s| s.contains(&title));
    let screen = pty.screen();
    assert!(!screen.contains("failed"), "{screen}");
}

/// The prompts of the account's drafts, sorted.
fn draft_prompts(rt: &tokio::runtime::Runtime, sim: &Sim) -> Vec<String> {
    let page = rt
        .block_on(client_for(sim).drafts(100, None))
        .expect("drafts");
    let mut prompts: Vec<String> = page.items.into_iter().filter_map(|d| d.prompt).collect();
    prompts.sort();
    prompts
}

#[test]
fn the_fourth_prompt_waits_queued_here_and_all_four_are_made() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(start_sim(|c| c.speed = SPEED));
    let home = tempfile::tempdir().unwrap();
    let mut pty = open(home.path(), &sim);
    let prompts: Vec<String> = ["a fox", "an owl", "a hare", "a lynx"]
        .iter()
        .map(|p| format!("{p} in the snow"))
        .collect();
    submit_all(&mut pty, &prompts[..3]);
    pty.wait_for("(3 running)", 10);
    submit_all(&mut pty, &prompts[3..]);
    // Held, not refused: the toast says so, and Tasks lists it above the running three.
    pty.wait_for("queued here: ", 10);
    pty.send(b"3");
    pty.wait_for("1 queued here", 10);
    pty.wait_until("the queued row", 10, |s| {
        s.lines()
            .any(|l| l.contains("queued here") && l.contains("a lynx in the snow"))
    });
    assert!(
        !pty.screen().contains("too many"),
        "no refusal reached the user: {}",
        pty.screen()
    );

    all_done(&pty, 4, 120);
    assert_eq!(
        creates(&sim),
        vec![200; 4],
        "one create per prompt, none refused"
    );
    assert!(sim.stats().max_in_progress <= 3);
    let mut want = prompts.clone();
    want.sort();
    assert_eq!(draft_prompts(&rt, &sim), want);
    pty.send(b"q");
    assert!(pty.wait_exit(10).success());
}

#[test]
fn kill_9_while_items_wait_then_a_restart_still_makes_each_exactly_once() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(start_sim(|c| c.speed = SPEED));
    let home = tempfile::tempdir().unwrap();
    let mut pty = open(home.path(), &sim);
    let prompts: Vec<String> = (1..=10).map(|i| format!("take number {i}")).collect();
    submit_all(&mut pty, &prompts);
    pty.send(b"3");
    pty.wait_for("queued here ─", 10);
    // SAFETY: sending a signal to our own child.
    unsafe { libc::kill(pty.pid() as i32, libc::SIGKILL) };
    pty.wait_exit(10);
    drop(pty);
    let before = creates(&sim).len();
    assert!(before < 10, "killed while items waited ({before} created)");

    let mut again = open(home.path(), &sim);
    again.leave_typing();
    again.send(b"3");
    all_done(&again, 10, 240);
    assert_eq!(
        creates(&sim),
        vec![200; 10],
        "ten creates in all across the kill and the restart"
    );
    assert!(sim.stats().max_in_progress <= 3);
    let mut want = prompts.clone();
    want.sort();
    assert_eq!(draft_prompts(&rt, &sim), want, "one draft per prompt");
    again.send(b"q");
    assert!(again.wait_exit(10).success());
}
