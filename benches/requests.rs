//! Request economy figures, recorded in BENCHMARKS.md ("Request economy").
//!
//! Run with `cargo bench --bench requests` (`-- --speed 10` for a slower, finer clock; the
//! default is [`DEFAULT_SPEED`]; `-- --repeats 1` for one run of each scenario instead of
//! [`DEFAULT_REPEATS`]). Against the in-process simulator (loopback, ephemeral port,
//! one simulator per scenario so each request log holds one client's requests), it runs:
//! - sora-tui's worker driven like the TUI drives it: `app::startup` and every `Cmd::Worker`
//!   the pure `app::update` returns for the worker's events are sent to `worker::spawn`'s
//!   worker, and the videos are submitted through `Request::Submit`. Only the requests made
//!   after start-up settled (account, quota, first drafts page answered) are counted;
//! - a reference per-task poller written here, the behaviour of the best-known peer (a proxy
//!   that polls per task): after the create, every 2.5 s per task `GET /nf/pending/v2`, and
//!   when the task is not in it, `GET /project_y/profile/drafts?limit=30`; done when that page
//!   lists the task's draft;
//! - the worker idle (no task) for one service minute after start-up.
//!
//! N = 1, 3 and 10 videos (10 s, the default settings). The simulator refuses a fourth
//! unfinished video, so both clients keep at most three in flight and submit the next one when
//! the client reported one done (N = 10 runs in four waves).
//!
//! The timeline is the simulator's speed-1 one (the live service's: about 45 s queued, about
//! 2 min running, the draft listed about 2 min 50 s after the create) on a clock scaled by the
//! speed factor: at speed 20 one real second is 20 service seconds. Every interval of both
//! clients is divided by the same factor (the worker's `WorkerConfig` durations, the
//! reference's 2.5 s), so the request counts are those of the real timeline, and a lag measured
//! in real seconds is multiplied by the factor to give service seconds; both are printed.
//!
//! The completion lag is the moment the client reported the task done (the worker's
//! `TaskChanged` event with a finished phase; the reference's drafts read that lists it)
//! against the moment the simulator listed the draft (its `created_at`, the first moment any
//! client could know the result), read after the run.
//!
//! Deterministic enough to compare runs: each simulator's random phase lengths come from the
//! same fixed seed, so the i-th video of a scenario has the same timeline for both clients and
//! in every run; what varies is the scheduling of a few milliseconds (× the speed factor).

// A benchmark may unwrap: a panic stops the run with its reason.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use sora_tui::api::{AccessToken, Client, ClientConfig, VideoSettings};
use sora_tui::app::{self, App, AppInfo, Cmd, Keymap, Msg};
use sora_tui::sim::{Sim, SimConfig};
use sora_tui::store::Store;
use sora_tui::track::TaskPhase;
use sora_tui::worker::{
    self, DraftsEvent, Event, Request, Submission, SubmissionKind, TaskEvent, WorkerConfig,
};
use tokio::sync::mpsc;

/// Service seconds per real second unless `--speed` says otherwise: the whole run (N = 10 is
/// four waves of about 3 service minutes) takes about 40 s of real time.
const DEFAULT_SPEED: f64 = 20.0;
/// The seed of every simulator's random phase lengths.
const SEED: u64 = 14;
/// The reference poller's interval per task, in service seconds.
const REFERENCE_INTERVAL: f64 = 2.5;
/// The drafts page size of the reference poller.
const REFERENCE_DRAFTS_LIMIT: u32 = 30;
/// Unfinished videos the simulator accepts at once (as the live service).
const IN_FLIGHT: usize = 3;
/// How long the idle worker is watched, in service seconds.
const IDLE_SECS: f64 = 60.0;
/// How many times each scenario runs (all at once) unless `--repeats` says otherwise: where
/// a poll falls relative to a draft being listed is not seeded, so one run's lag is one draw.
const DEFAULT_REPEATS: usize = 3;
/// Longest a scenario may take, in service seconds, before the bench gives up.
const SCENARIO_LIMIT: f64 = 3600.0;

fn now_unix() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// `service` seconds of the service's timeline in real time at `speed`.
fn scaled(service: f64, speed: f64) -> Duration {
    Duration::from_secs_f64(service / speed)
}

/// The default worker config with every interval divided by the speed factor.
fn scaled_config(speed: f64) -> WorkerConfig {
    let d = WorkerConfig::default();
    WorkerConfig {
        poll_min: d.poll_min.div_f64(speed),
        poll_max: d.poll_max.div_f64(speed),
        cameo_poll: d.cameo_poll.div_f64(speed),
        ..d
    }
}

/// Starts a simulator at `speed` whose random phase lengths come from [`SEED`]. Called from
/// the main thread (`block_on`): the simulator forks its generator from this thread's.
fn start_sim(rt: &tokio::runtime::Runtime, speed: f64) -> Sim {
    fastrand::seed(SEED);
    rt.block_on(Sim::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        SimConfig {
            speed,
            ..SimConfig::default()
        },
    ))
    .unwrap()
}

fn client_for(sim: &Sim) -> Client {
    Client::new(ClientConfig::new(
        sim.base_url(),
        AccessToken::new(&sim.token()).unwrap(),
    ))
    .unwrap()
}

fn prompt(i: usize) -> String {
    format!("request economy {i}: a lighthouse in a storm, waves breaking, dusk")
}

/// What one scenario measured.
struct Outcome {
    /// Requests by `METHOD /path` (paths as the simulator logs them, without `/backend`).
    by_route: BTreeMap<String, usize>,
    /// Per finished task: real seconds between the draft being listed and the client's report.
    lags: Vec<f64>,
    /// Real seconds the scenario took (after start-up).
    elapsed: f64,
}

impl Outcome {
    fn total(&self) -> usize {
        self.by_route.values().sum()
    }
}

fn by_route(sim: &Sim) -> BTreeMap<String, usize> {
    let mut routes = BTreeMap::new();
    for r in sim.requests() {
        *routes
            .entry(format!("{} {}", r.method, r.path))
            .or_default() += 1;
    }
    routes
}

/// Real seconds from each task's draft being listed to `done_at[task]` (unix seconds).
async fn lags(client: &Client, done_at: &HashMap<String, f64>) -> Vec<f64> {
    let page = client.drafts(100, None).await.unwrap();
    let mut lags: Vec<f64> = done_at
        .iter()
        .map(|(task, done)| {
            let listed = page
                .items
                .iter()
                .find(|d| d.task_id.as_deref() == Some(task.as_str()))
                .and_then(|d| d.created_at)
                .unwrap_or_else(|| panic!("no draft listed for {task}"));
            done - listed
        })
        .collect();
    lags.sort_by(f64::total_cmp);
    lags
}

/// sora-tui's worker and the pure UI state, wired as the TUI's loop wires them (without a
/// terminal): worker events go through `app::update`, its worker commands go to the worker.
struct Tui {
    app: App,
    requests: mpsc::Sender<Request>,
    events: mpsc::UnboundedReceiver<Event>,
    handle: tokio::task::JoinHandle<()>,
    _data: tempfile::TempDir,
}

impl Tui {
    async fn start(client: Client, speed: f64) -> Tui {
        let data = tempfile::tempdir().unwrap();
        let (tx, events) = mpsc::unbounded_channel();
        let (requests, handle) =
            worker::spawn(client, Store::new(data.path()), scaled_config(speed), tx);
        let info = AppInfo {
            data_path: data.path().to_path_buf(),
            download_dir: data.path().join("downloads"),
            home: PathBuf::from(data.path()),
            ..AppInfo::default()
        };
        let mut app = App::new(info, Keymap::default(), now_unix());
        let cmds = app::startup(&mut app);
        let mut tui = Tui {
            app,
            requests,
            events,
            handle,
            _data: data,
        };
        tui.run(cmds).await;
        // Start-up is over once the account, the quota and the first drafts page answered.
        let (mut account, mut quota, mut drafts) = (false, false, false);
        while !(account && quota && drafts) {
            match tui.next().await {
                Event::Account(_) | Event::AccountFailed(_) => account = true,
                Event::Quota(_) => quota = true,
                Event::Drafts(DraftsEvent::DraftsLoaded { .. } | DraftsEvent::DraftsFailed(_)) => {
                    drafts = true
                }
                _ => {}
            }
        }
        tui
    }

    async fn run(&mut self, cmds: Vec<Cmd>) {
        for cmd in cmds {
            if let Cmd::Worker(req) = cmd {
                self.requests.send(req).await.unwrap();
            }
        }
    }

    /// The next worker event, after the UI state took it (and its commands were sent).
    async fn next(&mut self) -> Event {
        let event = self.events.recv().await.expect("the worker is running");
        let cmds = app::update(&mut self.app, Msg::Worker(event.clone()), now_unix());
        self.run(cmds).await;
        event
    }

    async fn shutdown(self) {
        let _ = self.requests.send(Request::Shutdown).await;
        let _ = tokio::time::timeout(Duration::from_secs(10), self.handle).await;
    }
}

/// sora-tui's worker: N videos through `Request::Submit`, at most [`IN_FLIGHT`] at once.
async fn sora_tui(sim: Sim, n: usize, speed: f64) -> Outcome {
    let client = client_for(&sim);
    let mut tui = Tui::start(client.clone(), speed).await;
    // Let what start-up sent land before the log is emptied.
    tokio::time::sleep(Duration::from_millis(100)).await;
    sim.clear_requests();
    let started = now_unix();
    let deadline = tokio::time::Instant::now() + scaled(SCENARIO_LIMIT, speed);
    let (mut submitted, mut in_flight) = (0, 0);
    let mut done_at: HashMap<String, f64> = HashMap::new();
    while done_at.len() < n {
        while in_flight < IN_FLIGHT && submitted < n {
            let submission = Submission {
                local_id: 1000 + submitted as u64,
                prompt: prompt(submitted),
                kind: SubmissionKind::Video {
                    settings: VideoSettings::default(),
                    remix: None,
                },
                image: None,
            };
            tui.requests
                .send(Request::Submit(submission))
                .await
                .unwrap();
            submitted += 1;
            in_flight += 1;
        }
        let event = tokio::time::timeout_at(deadline, tui.next())
            .await
            .expect("the scenario finished in time");
        match event {
            Event::Tasks(TaskEvent::SubmitFailed { error, .. }) => {
                panic!("a submission failed: {error}")
            }
            Event::Tasks(TaskEvent::TaskChanged(record))
                if !record.phase.is_unfinished() && !done_at.contains_key(&record.task_id) =>
            {
                assert!(
                    matches!(record.phase, TaskPhase::Done { .. }),
                    "{} ended {:?}",
                    record.task_id,
                    record.phase
                );
                done_at.insert(record.task_id.clone(), now_unix());
                in_flight -= 1;
            }
            _ => {}
        }
    }
    let elapsed = now_unix() - started;
    // What the UI sends on the last completion (the account and quota) goes out right after.
    tokio::time::sleep(scaled(5.0, speed)).await;
    while let Ok(Some(event)) = tokio::time::timeout(Duration::ZERO, tui.events.recv()).await {
        let cmds = app::update(&mut tui.app, Msg::Worker(event), now_unix());
        tui.run(cmds).await;
    }
    let routes = by_route(&sim);
    tui.shutdown().await;
    let lags = lags(&client, &done_at).await;
    sim.shutdown().await;
    Outcome {
        by_route: routes,
        lags,
        elapsed,
    }
}

/// The worker after start-up with nothing to track, for [`IDLE_SECS`] service seconds.
async fn idle(sim: Sim, speed: f64) -> Outcome {
    let mut tui = Tui::start(client_for(&sim), speed).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    sim.clear_requests();
    let started = now_unix();
    let window = tokio::time::sleep(scaled(IDLE_SECS, speed));
    tokio::pin!(window);
    loop {
        tokio::select! {
            () = &mut window => break,
            _ = tui.next() => {}
        }
    }
    let elapsed = now_unix() - started;
    let routes = by_route(&sim);
    tui.shutdown().await;
    sim.shutdown().await;
    Outcome {
        by_route: routes,
        lags: Vec::new(),
        elapsed,
    }
}

/// One task of the reference poller: create, then every 2.5 s pending, and the drafts page
/// when the task is not pending; returns the task id and when its draft was seen.
async fn reference_task(
    client: Client,
    http: reqwest::Client,
    base: String,
    token: String,
    i: usize,
    speed: f64,
) -> (String, f64) {
    let id = client
        .create_video(&prompt(i), VideoSettings::default(), None)
        .await
        .unwrap();
    let get = |path: String| {
        let http = http.clone();
        let token = token.clone();
        async move {
            http.get(path)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .error_for_status()
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    loop {
        tokio::time::sleep(scaled(REFERENCE_INTERVAL, speed)).await;
        let pending = get(format!("{base}/nf/pending/v2")).await;
        let listed = pending
            .as_array()
            .is_some_and(|a| a.iter().any(|t| t["id"].as_str() == Some(id.as_str())));
        if listed {
            continue;
        }
        let drafts = get(format!(
            "{base}/project_y/profile/drafts?limit={REFERENCE_DRAFTS_LIMIT}"
        ))
        .await;
        let found = drafts["items"]
            .as_array()
            .is_some_and(|a| a.iter().any(|d| d["task_id"].as_str() == Some(id.as_str())));
        if found {
            return (id, now_unix());
        }
    }
}

/// The reference per-task poller over N videos, at most [`IN_FLIGHT`] at once.
async fn reference(sim: Sim, n: usize, speed: f64) -> Outcome {
    let client = client_for(&sim);
    let http = reqwest::Client::new();
    sim.clear_requests();
    let started = now_unix();
    let mut running = tokio::task::JoinSet::new();
    let mut submitted = 0;
    let mut done_at: HashMap<String, f64> = HashMap::new();
    let deadline = tokio::time::Instant::now() + scaled(SCENARIO_LIMIT, speed);
    while done_at.len() < n {
        while running.len() < IN_FLIGHT && submitted < n {
            running.spawn(reference_task(
                client.clone(),
                http.clone(),
                sim.base_url(),
                sim.token(),
                submitted,
                speed,
            ));
            submitted += 1;
        }
        let (id, at) = tokio::time::timeout_at(deadline, running.join_next())
            .await
            .expect("the scenario finished in time")
            .expect("a task is running")
            .unwrap();
        done_at.insert(id, at);
    }
    let elapsed = now_unix() - started;
    let routes = by_route(&sim);
    let lags = lags(&client, &done_at).await;
    sim.shutdown().await;
    Outcome {
        by_route: routes,
        lags,
        elapsed,
    }
}

fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

fn max(sorted: &[f64]) -> f64 {
    sorted.last().copied().unwrap_or(f64::NAN)
}

/// `service s (real ms)` for a lag in real seconds.
fn lag_text(real: f64, speed: f64) -> String {
    format!("{:.2} s ({:.0} ms real)", real * speed, real * 1000.0)
}

/// The runs of one scenario: requests by route and totals as means per run, the lags of
/// every task of every run pooled.
struct Runs {
    by_route: BTreeMap<String, f64>,
    totals: Vec<usize>,
    lags: Vec<f64>,
    elapsed: f64,
}

impl Runs {
    fn new(outcomes: &[Outcome]) -> Runs {
        let k = outcomes.len() as f64;
        let mut by_route: BTreeMap<String, f64> = BTreeMap::new();
        for o in outcomes {
            for (route, count) in &o.by_route {
                *by_route.entry(route.clone()).or_default() += *count as f64 / k;
            }
        }
        let mut lags: Vec<f64> = outcomes.iter().flat_map(|o| o.lags.clone()).collect();
        lags.sort_by(f64::total_cmp);
        Runs {
            by_route,
            totals: outcomes.iter().map(Outcome::total).collect(),
            lags,
            elapsed: outcomes.iter().map(|o| o.elapsed).fold(0.0, f64::max),
        }
    }

    fn mean_total(&self) -> f64 {
        self.totals.iter().sum::<usize>() as f64 / self.totals.len() as f64
    }
}

fn print_outcome(label: &str, n: usize, o: &Runs, speed: f64) {
    println!(
        "{label}, N={n}, {} runs: {:.1} s real = {:.0} s of service time (longest run)",
        o.totals.len(),
        o.elapsed,
        o.elapsed * speed
    );
    for (route, count) in &o.by_route {
        println!("  {route:<40} {count:>7.1}");
    }
    let totals: Vec<String> = o.totals.iter().map(usize::to_string).collect();
    if n == 0 {
        println!("  total per run: {}", totals.join(", "));
        return;
    }
    println!(
        "  total per run: {} (mean {:.1}), {:.2} per task",
        totals.join(", "),
        o.mean_total(),
        o.mean_total() / n as f64
    );
    let lags: Vec<String> = o.lags.iter().map(|l| format!("{:.2}", l * speed)).collect();
    println!(
        "  completion lag (service s, each task): {}; median {}, max {}",
        lags.join(" "),
        lag_text(median(&o.lags), speed),
        lag_text(max(&o.lags), speed)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let speed = args
        .iter()
        .position(|a| a == "--speed")
        .and_then(|i| args.get(i + 1)?.parse::<f64>().ok())
        .unwrap_or(DEFAULT_SPEED);
    let repeats = args
        .iter()
        .position(|a| a == "--repeats")
        .and_then(|i| args.get(i + 1)?.parse::<usize>().ok())
        .filter(|&k| k > 0)
        .unwrap_or(DEFAULT_REPEATS);
    let sizes = [1usize, 3, 10];
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!(
        "request economy: the simulator's speed-1 (live) timeline scaled {speed}x \
         (1 real s = {speed} service s); every client interval divided by {speed}; \
         lags in service seconds (real ms); seed {SEED}; {repeats} runs of each scenario"
    );
    // Every scenario on its own simulator, all at once (they are mostly asleep).
    let mut jobs = Vec::new();
    for &n in &sizes {
        for _ in 0..repeats {
            let sim = start_sim(&rt, speed);
            jobs.push(("sora-tui worker", n, rt.spawn(sora_tui(sim, n, speed))));
            let sim = start_sim(&rt, speed);
            jobs.push((
                "reference per-task poller",
                n,
                rt.spawn(reference(sim, n, speed)),
            ));
        }
    }
    for _ in 0..repeats {
        let sim = start_sim(&rt, speed);
        jobs.push(("sora-tui worker idle 60 s", 0, rt.spawn(idle(sim, speed))));
    }
    let mut outcomes: BTreeMap<(usize, &str), Vec<Outcome>> = BTreeMap::new();
    for (label, n, job) in jobs {
        let outcome = rt.block_on(job).unwrap();
        outcomes.entry((n, label)).or_default().push(outcome);
    }
    let mut results: HashMap<(&str, usize), Runs> = HashMap::new();
    for ((n, label), runs) in &outcomes {
        let runs = Runs::new(runs);
        print_outcome(label, *n, &runs, speed);
        results.insert((label, *n), runs);
    }
    println!();
    println!(
        "| N | sora-tui requests per run (per task) | reference requests per run (per task) | sora-tui / reference | \
         sora-tui lag median / max | reference lag median / max |"
    );
    println!("|---|---|---|---|---|---|");
    for &n in &sizes {
        let ours = &results[&("sora-tui worker", n)];
        let peer = &results[&("reference per-task poller", n)];
        println!(
            "| {n} | {:.1} ({:.2}) | {:.1} ({:.2}) | {:.3} | {} / {} | {} / {} |",
            ours.mean_total(),
            ours.mean_total() / n as f64,
            peer.mean_total(),
            peer.mean_total() / n as f64,
            ours.mean_total() / peer.mean_total(),
            lag_text(median(&ours.lags), speed),
            lag_text(max(&ours.lags), speed),
            lag_text(median(&peer.lags), speed),
            lag_text(max(&peer.lags), speed),
        );
    }
    let idle = &results[&("sora-tui worker idle 60 s", 0)];
    println!(
        "| idle | {:.1} requests in {IDLE_SECS:.0} service s | | | | |",
        idle.mean_total()
    );
}
