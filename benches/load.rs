//! Load figures recorded in BENCHMARKS.md ("Load").
//!
//! Run with `cargo bench --bench load` (`-- 10` for a shorter window than 30 s). It:
//! 1. starts the simulator in-process, slowed so nothing finishes during the run, and creates
//!    200 tasks on it (3 videos, the most it runs at once, and 197 image tasks);
//! 2. records them in a data dir's `tasks.json`, as an earlier run of the program would have,
//!    and starts the real worker on that dir, which resumes tracking all 200;
//! 3. counts the requests the worker sends to the backend, by route, over the window, and the
//!    CPU time of the worker's threads (its runtime runs on threads of its own);
//! 4. measures `ui::draw` with those 200 tasks and 10 000 drafts (TestBackend, 160x48).

// A benchmark may unwrap: a panic stops the run with its reason.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use sora_tui::api::{AccessToken, Client, ClientConfig, ImageShape, VideoSettings};
use sora_tui::app::Pane;
use sora_tui::sim::{Sim, SimConfig};
use sora_tui::store::Store;
use sora_tui::track::{TaskKind, TaskPhase, TaskRecord};
use sora_tui::worker::{self, WorkerConfig};

/// How many tasks are tracked.
const TASKS: usize = 200;
/// Thread name of the worker's runtime; its CPU time is summed over threads of this name.
const WORKER_THREAD: &str = "load-worker";
/// Simulator speed: a 20 s image or video takes hours, so every task stays unfinished.
const SLOW: f64 = 0.001;

fn now_unix() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Creates the tasks on the simulator and returns their records, newest first.
async fn seed_tasks(client: &Client) -> Vec<TaskRecord> {
    let mut records = Vec::with_capacity(TASKS);
    for i in 0..TASKS {
        let (task_id, kind) = if i < 3 {
            let id = client
                .create_video(&format!("load video {i}"), VideoSettings::default(), None)
                .await
                .expect("video create");
            (id, TaskKind::Video)
        } else {
            let id = client
                .create_image(&format!("load image {i}"), ImageShape::Square, 1, None)
                .await
                .expect("image create");
            (id, TaskKind::Image)
        };
        records.push(TaskRecord {
            task_id,
            kind,
            prompt: format!("load task {i}: a lighthouse in a storm"),
            settings: "square".into(),
            submitted_at: now_unix(),
            finished_at: None,
            phase: TaskPhase::Working {
                status: "queued".into(),
                progress: 0.0,
            },
        });
    }
    records.reverse();
    records
}

/// Time on CPU of this process's threads named `name`, in nanoseconds (`schedstat`, finer
/// than the 10 ms ticks of `stat`), and how many such threads there are.
fn thread_cpu_ns(name: &str) -> (u64, usize) {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return (0, 0);
    };
    let comm = &name[..name.len().min(15)];
    let ours: Vec<u64> = tasks
        .flatten()
        .filter(|t| std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.trim() == comm))
        .map(|t| {
            std::fs::read_to_string(t.path().join("schedstat"))
                .ok()
                .and_then(|s| s.split_whitespace().next()?.parse().ok())
                .unwrap_or(0)
        })
        .collect();
    (ours.iter().sum(), ours.len())
}

/// Runs the worker against the simulator for `window` and prints the request rate and CPU.
fn backend_load(window: Duration) -> Vec<TaskRecord> {
    let sim_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("load-sim")
        .enable_all()
        .build()
        .unwrap();
    let sim = sim_rt
        .block_on(Sim::start(
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            SimConfig {
                speed: SLOW,
                ..SimConfig::default()
            },
        ))
        .unwrap();
    let client = Client::new(ClientConfig::new(
        sim.base_url(),
        AccessToken::new(&sim.token()).unwrap(),
    ))
    .unwrap();
    let records = sim_rt.block_on(seed_tasks(&client));
    let data = tempfile::tempdir().unwrap();
    let store = Store::new(data.path());
    store
        .save("tasks.json", &records)
        .expect("tasks.json written");
    sim.clear_requests();

    // The worker on a runtime of its own, so its threads can be told apart from the sim's.
    let worker_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(2)
        .thread_name(WORKER_THREAD)
        .enable_all()
        .build()
        .unwrap();
    let (events_tx, mut events_rx) = tokio::sync::mpsc::unbounded_channel();
    let (requests, handle) = worker_rt.block_on(async {
        worker::spawn(client.clone(), store, WorkerConfig::default(), events_tx)
    });
    let drain = worker_rt.spawn(async move {
        let mut n = 0u64;
        while events_rx.recv().await.is_some() {
            n += 1;
        }
        n
    });
    let (cpu0, _) = thread_cpu_ns(WORKER_THREAD);
    let started = Instant::now();
    std::thread::sleep(window);
    let elapsed = started.elapsed().as_secs_f64();
    let (cpu1, threads) = thread_cpu_ns(WORKER_THREAD);
    let cpu_ms = cpu1.saturating_sub(cpu0) as f64 / 1e6;
    let mut by_route: BTreeMap<String, usize> = BTreeMap::new();
    let mut queries: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for r in sim.requests() {
        let route = format!("{} {}", r.method, r.path);
        *by_route.entry(route.clone()).or_default() += 1;
        queries
            .entry(route)
            .or_default()
            .insert(r.query.clone().unwrap_or_default());
    }
    let total: usize = by_route.values().sum();
    println!(
        "backend load: {TASKS} unfinished tasks ({} video, {} image) tracked for {elapsed:.1} s with the default poll (2 s, backing off to 10 s)",
        3,
        TASKS - 3
    );
    for (route, n) in &by_route {
        let q: Vec<&str> = queries[route].iter().map(String::as_str).collect();
        println!(
            "  {route:<36} {n:>4} requests  {:>6.3} /s  (queries: {})",
            *n as f64 / elapsed,
            q.join(", ")
        );
    }
    println!(
        "  total                                {total:>4} requests  {:>6.3} /s",
        total as f64 / elapsed
    );
    println!(
        "worker CPU over the window: {cpu_ms:.1} ms on {threads} threads ({:.3} % of one core)",
        cpu_ms / 10.0 / elapsed
    );
    worker_rt.block_on(async {
        let _ = requests.send(worker::Request::Shutdown).await;
        let _ = tokio::time::timeout(Duration::from_secs(5), handle).await;
    });
    let events = worker_rt.block_on(drain).unwrap_or(0);
    // What the worker wrote down at the end: every task should still be unfinished.
    let after: Vec<TaskRecord> = Store::new(data.path())
        .load("tasks.json")
        .ok()
        .flatten()
        .unwrap_or_default();
    let working = after.iter().filter(|t| t.phase.is_unfinished()).count();
    let failed: Vec<&TaskRecord> = after
        .iter()
        .filter(|t| matches!(t.phase, TaskPhase::Failed { .. }))
        .collect();
    println!(
        "  worker events: {events}; at the end {working} of {} tasks still tracked as unfinished, {} marked failed{}",
        after.len(),
        failed.len(),
        failed
            .first()
            .map(|t| format!(" (e.g. {:?})", t.phase))
            .unwrap_or_default()
    );
    sim_rt.block_on(sim.shutdown());
    records
}

fn main() {
    let secs = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<u64>().ok())
        .unwrap_or(30);
    let records = backend_load(Duration::from_secs(secs));
    let mut app = support::state_with(now_unix(), 10_000, records);
    for (pane, label) in [
        (Pane::Tasks, "Tasks, 200 tracked tasks"),
        (Pane::Drafts, "Drafts, 10 000 rows"),
    ] {
        app.pane = pane;
        support::frames(&app, label);
    }
}
