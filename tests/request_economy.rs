//! Requests the state already answers are not sent: no pending read right after a create
//! (headless `--wait` and the TUI's worker), one quota read for the tasks that finish together
//! and no `/me` per finish, nothing at all while idle. Asserted on the simulator's request
//! log by counts and order, never by timing.

mod common;

use std::time::Duration;

use common::harness::fast_config;
use common::{bin, bin::run_cli, client_for, requests_to, start_sim};
use sora_tui::api::VideoSettings;
use sora_tui::app::{Cmd, Msg, update};
use sora_tui::sim::Sim;
use sora_tui::store::Store;
use sora_tui::track::TaskPhase;
use sora_tui::worker::{self, Event, Request, Submission, SubmissionKind, TaskEvent, WorkerConfig};
use tokio::sync::mpsc;

/// The pending list, under either of its names (the client tries the older one first).
fn is_pending(r: &sora_tui::sim::RecordedRequest) -> bool {
    r.method == "GET" && r.path.starts_with("/nf/pending")
}
const CREATE: &str = "/nf/create";

/// How many pending reads the log holds.
fn pending_reads(sim: &Sim) -> usize {
    sim.requests().iter().filter(|r| is_pending(r)).count()
}

/// Runs `sora-tui video PROMPT --wait` against `sim` with a poll interval of `interval_ms`
/// and every other setting at its default, and checks that it succeeded.
async fn headless_video_wait(sim: &Sim, prompt: &str, interval_ms: u64) {
    let home = tempfile::tempdir().expect("temp dir");
    let mut cmd = bin::cli_command(sim, home.path());
    cmd.env("SORA_POLL_INTERVAL_MS", interval_ms.to_string())
        .args(["video", prompt, "--wait"]);
    let out = bin::output_within(cmd, 120).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// With a poll interval much longer than the whole (fast) video, a wait that reads pending
/// only after an interval sees the task gone at its first read: one pending read. A wait that
/// reads right after the create reads twice (`preprocessing`, then gone).
#[tokio::test]
async fn headless_wait_does_not_read_pending_right_after_the_create() {
    let sim = start_sim(|_| {}).await;
    headless_video_wait(&sim, "a cat", 2000).await;
    let creates = requests_to(&sim, "POST", CREATE).len();
    assert_eq!(creates, 1);
    let log = sim.requests();
    let create = log
        .iter()
        .position(|r| r.method == "POST" && r.path == CREATE);
    assert!(log.iter().position(is_pending) > create);
    let pending = pending_reads(&sim);
    assert_eq!(
        pending, 1,
        "the first read comes an interval after the create, when the task is done"
    );
    // The ordinary helper still works with the fast interval (the suite's default).
    let out = run_cli(&sim, &["video", "a dog", "--wait"]).await;
    assert!(out.status.success());
}

/// The headless `--wait` paces its reads by what the task does, as the worker does (slow
/// while queued, towards the finish estimated from the progress rate, fast only near it):
/// over the live timeline (a 10 s video, about 45 s queued and two minutes running, scaled
/// down by the simulator's speed) it reads pending well under half as often as a loop that
/// reads every interval. The task's span comes from the simulator's clock (its draft's
/// `created_at`) against the moment the command was started; only counts are asserted.
#[tokio::test]
async fn headless_wait_paces_its_pending_reads_by_the_tasks_stage() {
    const SPEED: f64 = 40.0;
    const INTERVAL_MS: u64 = 60;
    let sim = start_sim(|c| c.speed = SPEED).await;
    let started = sora_tui::text::unix_now();
    headless_video_wait(&sim, "a lighthouse at dusk", INTERVAL_MS).await;
    let drafts = client_for(&sim).drafts(30, None).await.unwrap().items;
    let finished = drafts
        .iter()
        .find(|d| d.prompt.as_deref() == Some("a lighthouse at dusk"))
        .and_then(|d| d.created_at)
        .expect("the video's draft");
    let span = finished - started;
    // The live timeline, not a fast one: a 10 s video takes minutes at speed 1.
    assert!(
        span * SPEED > 60.0,
        "the task took {span} s at speed {SPEED}"
    );
    let fixed = span * 1000.0 / INTERVAL_MS as f64;
    let pending = pending_reads(&sim);
    eprintln!(
        "pending reads: {pending} over {span:.2} s; a loop reading every {INTERVAL_MS} ms makes about {fixed:.0}"
    );
    assert!(
        (pending as f64) <= 0.6 * fixed,
        "{pending} pending reads, a fixed-interval loop makes about {fixed:.0}"
    );
    sim.shutdown().await;
}

/// A worker and an `App` joined the way the TUI joins them: every event goes through
/// `update`, every `Cmd::Worker` back to the worker.
struct Tui {
    app: sora_tui::app::App,
    requests: mpsc::Sender<Request>,
    events: mpsc::UnboundedReceiver<Event>,
    handle: tokio::task::JoinHandle<()>,
}

impl Tui {
    fn start(sim: &Sim, dir: &std::path::Path, config: WorkerConfig) -> Tui {
        let (tx, events) = mpsc::unbounded_channel();
        let (requests, handle) =
            worker::spawn(client_for(sim), Store::new(dir.join("data")), config, tx);
        Tui {
            app: common::screens::signed_in(1.0),
            requests,
            events,
            handle,
        }
    }

    /// Feeds events to the app until `done` says so (within 30 s).
    async fn until(&mut self, what: &str, mut done: impl FnMut(&Event) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let event = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .unwrap_or_else(|_| panic!("no {what} in time"))
                .expect("the worker runs");
            let stop = done(&event);
            for cmd in update(&mut self.app, Msg::Worker(event), 2.0) {
                if let Cmd::Worker(request) = cmd {
                    self.requests.send(request).await.expect("worker runs");
                }
            }
            if stop {
                return;
            }
        }
    }

    async fn submit(&mut self, local_id: u64, prompt: &str) {
        let submission = Submission {
            local_id,
            prompt: prompt.into(),
            kind: SubmissionKind::Video {
                settings: VideoSettings::default(),
                remix: None,
            },
            image: None,
        };
        self.requests
            .send(Request::Submit(submission))
            .await
            .expect("worker runs");
        self.until("the submission's answer", |e| {
            matches!(e, Event::Tasks(TaskEvent::Submitted { local_id: id, .. }) if *id == local_id)
        })
        .await;
    }

    async fn shutdown(self) {
        let _ = self.requests.send(Request::Shutdown).await;
        let _ = tokio::time::timeout(Duration::from_secs(20), self.handle).await;
    }
}

/// Three videos submitted within one poll interval finish in the same round (or the next):
/// the quota is read once for all of them, `/me` not at all, and no pending read happens
/// before the interval after the creates.
#[tokio::test]
async fn tasks_finishing_together_cost_one_quota_read_and_no_account_read() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let config = WorkerConfig {
        poll_min: Duration::from_secs(2),
        poll_max: Duration::from_secs(4),
        ..fast_config()
    };
    let mut tui = Tui::start(&sim, dir.path(), config);
    tui.until("the restored state", |e| {
        matches!(e, Event::Restored { .. })
    })
    .await;
    for n in 1..=3 {
        tui.submit(n, &format!("video {n}")).await;
    }
    let mut done = 0;
    tui.until("three finished tasks", |e| {
        if let Event::Tasks(TaskEvent::TaskChanged(r)) = e
            && matches!(r.phase, TaskPhase::Done { .. })
        {
            done += 1;
        }
        done == 3
    })
    .await;
    tui.until("the quota", |e| matches!(e, Event::Quota(_)))
        .await;
    let log = sim.requests();
    let last_create = log
        .iter()
        .rposition(|r| r.method == "POST" && r.path == CREATE)
        .expect("three creates");
    let first_pending = log.iter().position(is_pending).expect("a pending read");
    assert!(
        first_pending > last_create,
        "a pending read right after a create"
    );
    let checks = requests_to(&sim, "GET", "/nf/check").len();
    let me = requests_to(&sim, "GET", "/me").len();
    let pending = pending_reads(&sim);
    let drafts = requests_to(&sim, "GET", "/project_y/profile/drafts").len()
        + requests_to(&sim, "GET", "/project_y/profile/drafts/v2").len();
    eprintln!(
        "3 tasks: {} requests in all: {pending} pending, {drafts} drafts, {checks} quota, {me} /me",
        log.len()
    );
    assert_eq!(checks, 1, "one quota read for the round");
    assert_eq!(me, 0, "no account read per finish");
    tui.shutdown().await;
}

/// With nothing to track, the worker sends nothing: not at start, not later, not after
/// tasks finished (once the quota read that follows them is done).
#[tokio::test]
async fn an_idle_worker_sends_no_requests() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let mut tui = Tui::start(&sim, dir.path(), fast_config());
    tui.until("the restored state", |e| {
        matches!(e, Event::Restored { .. })
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sim.requests().len(), 0, "{:?}", sim.requests());
    tui.submit(1, "a cat").await;
    tui.until(
        "the finished task",
        |e| matches!(e, Event::Tasks(TaskEvent::TaskChanged(r)) if !r.phase.is_unfinished()),
    )
    .await;
    tui.until("the quota", |e| matches!(e, Event::Quota(_)))
        .await;
    let after = sim.requests().len();
    // Many poll intervals of the fast config (50-200 ms).
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let later = sim.requests();
    assert_eq!(
        later.len(),
        after,
        "requests while idle, the first: {:?}",
        later[after..]
            .iter()
            .take(5)
            .map(|r| format!("{} {}", r.method, r.path))
            .collect::<Vec<_>>()
    );
    tui.shutdown().await;
}

/// The shared poll's folder of the one account in `home` (the sandbox's data dir), once a
/// wait created it.
fn shared_poll_dir(home: &std::path::Path) -> Option<std::path::PathBuf> {
    let root = home.join("data").join("sora-tui").join("shared-poll");
    std::fs::read_dir(root)
        .ok()?
        .flatten()
        .next()
        .map(|e| e.path())
}

/// How many waits are registered in the shared poll of `home`.
fn registrations(home: &std::path::Path) -> usize {
    shared_poll_dir(home)
        .and_then(|d| std::fs::read_dir(d.join("tasks")).ok())
        .map_or(0, |entries| {
            entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".video"))
                .count()
        })
}

/// The pid the shared poll's leader wrote in its lock file.
fn leader_pid(home: &std::path::Path) -> Option<u32> {
    let dir = shared_poll_dir(home)?;
    std::fs::read_to_string(dir.join("leader.lock"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// `sora-tui video PROMPT --wait` in the sandbox `home`, polling every `interval_ms`,
/// its output piped.
fn spawn_wait(
    sim: &Sim,
    home: &std::path::Path,
    prompt: &str,
    interval_ms: u64,
) -> tokio::process::Child {
    let mut cmd = bin::cli_command(sim, home);
    cmd.env("SORA_POLL_INTERVAL_MS", interval_ms.to_string())
        .args(["video", prompt, "--wait"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    cmd.spawn().expect("binary runs")
}

/// A wait that ended with status 0 and printed its own `done` line.
async fn assert_done(child: tokio::process::Child, who: &str) {
    let out = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("the wait finishes")
        .expect("binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{who}: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.lines().any(|l| l.starts_with("done gen_")),
        "{who} printed no done line: {stdout}"
    );
}

/// The live timeline scaled (speed 40: a 10 s video takes seconds) with an interval scaled
/// alike, for the shared-poll tests.
const SHARED_SPEED: f64 = 40.0;
const SHARED_INTERVAL_MS: u64 = 60;

/// Three `video --wait` processes on one machine (one data dir) share one poll: together
/// they read pending about as often as one process alone, not three times as often, and each
/// still ends with its own `done` line and status 0.
#[tokio::test]
async fn three_headless_waits_on_one_data_dir_poll_about_as_much_as_one() {
    let sim = start_sim(|c| c.speed = SHARED_SPEED).await;
    let home = tempfile::tempdir().unwrap();
    let single = spawn_wait(
        &sim,
        home.path(),
        "a lighthouse at dusk",
        SHARED_INTERVAL_MS,
    );
    assert_done(single, "the single wait").await;
    let one = pending_reads(&sim);
    sim.clear_requests();
    let waits: Vec<_> = (1..=3)
        .map(|n| {
            let prompt = format!("a lighthouse at dusk, take {n}");
            spawn_wait(&sim, home.path(), &prompt, SHARED_INTERVAL_MS)
        })
        .collect();
    for (n, child) in waits.into_iter().enumerate() {
        assert_done(child, &format!("wait {}", n + 1)).await;
    }
    let three = pending_reads(&sim);
    let drafts = requests_to(&sim, "GET", "/project_y/profile/drafts").len()
        + requests_to(&sim, "GET", "/project_y/profile/drafts/v2").len();
    eprintln!("pending reads: one wait {one}; three waits together {three} (drafts {drafts})");
    assert!(
        three as f64 <= 1.5 * one as f64,
        "three waits read pending {three} times, one alone {one}"
    );
    assert_eq!(
        registrations(home.path()),
        0,
        "a registration outlived its wait"
    );
    sim.shutdown().await;
}

/// The wait that polls for the others is killed (SIGKILL, no chance to clean up) in the
/// middle of the waits: another one takes the lead over, and both others still finish with
/// status 0 and their `done` line; the dead wait's registration is cleared away.
#[tokio::test]
async fn the_others_finish_when_the_polling_wait_is_killed() {
    let sim = start_sim(|c| c.speed = SHARED_SPEED / 2.0).await;
    let home = tempfile::tempdir().unwrap();
    let mut first = spawn_wait(&sim, home.path(), "a lighthouse, first", SHARED_INTERVAL_MS);
    let first_pid = first.id().expect("a pid");
    common::eventually(60, || async {
        (leader_pid(home.path()) == Some(first_pid)).then_some(())
    })
    .await;
    let second = spawn_wait(
        &sim,
        home.path(),
        "a lighthouse, second",
        SHARED_INTERVAL_MS,
    );
    let third = spawn_wait(&sim, home.path(), "a lighthouse, third", SHARED_INTERVAL_MS);
    let others = [second.id().expect("a pid"), third.id().expect("a pid")];
    common::eventually(60, || async {
        (registrations(home.path()) == 3).then_some(())
    })
    .await;
    first.start_kill().expect("kill");
    let status = first.wait().await.expect("the killed wait");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        status.signal(),
        Some(9),
        "the first wait ended before the kill: {status}"
    );
    assert_done(second, "the second wait").await;
    assert_done(third, "the third wait").await;
    let leader = leader_pid(home.path());
    assert!(
        leader.is_some_and(|p| others.contains(&p)),
        "no other wait took the lead over: the lock file names {leader:?}"
    );
    assert_eq!(
        registrations(home.path()),
        0,
        "the killed wait's registration stayed"
    );
    sim.shutdown().await;
}
