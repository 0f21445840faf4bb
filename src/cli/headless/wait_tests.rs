//! `video --wait` against the simulator at speed 1, the live service's pace, on tokio's paused
//! clock: the simulator and the wait both read that clock, so three minutes of a real task
//! pass in a moment of wall time while every bound of the wait (the `--timeout` default, the
//! finishing limit) applies exactly as it would to the live service.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use clap::Parser;

use super::{Ctx, Failure};
use crate::api::{AccessToken, Client, ClientConfig};
use crate::cli::progress::Reporter;
use crate::cli::session::Session;
use crate::cli::{Cli, Command};
use crate::config::{Config, Paths};
use crate::sim::{Sim, SimConfig};

/// `Session::start`'s poll interval when nothing overrides it, as the browser polls (2-3 s).
const DEFAULT_POLL: Duration = Duration::from_millis(2500);

/// Runs `sora-tui video PROMPT --wait ARGS…` in-process against a speed-1 simulator, with
/// every other option at its command-line default, and returns the simulator for inspection
/// with how long the command took on the (paused) clock.
async fn wait_at_live_pace(prompt: &str, args: &[&str]) -> (Sim, Duration) {
    let sim = Sim::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        SimConfig {
            speed: 1.0,
            ..SimConfig::default()
        },
    )
    .await
    .expect("simulator starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let session = Session {
        paths: Paths {
            config_file: dir.path().join("config.toml"),
            data_dir: dir.path().join("data"),
            state_dir: dir.path().join("state"),
            download_dir: dir.path().join("downloads"),
            cache_dir: dir.path().join("cache"),
        },
        config: Config::default(),
        config_error: None,
        demo: None,
        poll_interval: DEFAULT_POLL,
        cameo_poll: Duration::from_secs(5),
    };
    let token = AccessToken::new(&sim.token()).expect("token");
    let ctx = Ctx {
        client: Client::new(ClientConfig::new(sim.base_url(), token)).expect("client"),
        session: &session,
    };
    let argv = ["sora-tui", "video", prompt, "--wait"];
    let cli = Cli::try_parse_from(argv.iter().chain(args)).expect("arguments parse");
    let Some(Command::Video(video)) = &cli.command else {
        panic!("not a video command");
    };
    // Text mode: its lines go through the test harness's capture (JSON lines would not).
    let mut reporter = Reporter::new(false);
    let started = tokio::time::Instant::now();
    match ctx.video(video, &mut reporter).await {
        Ok(()) => {}
        Err(Failure::Generation(message)) => panic!("the wait gave up: {message}"),
        Err(Failure::Api(e)) => panic!("a request failed: {e}"),
    }
    (sim, started.elapsed())
}

/// How many times the pending list was read: the wait's polls.
fn pending_reads(sim: &Sim) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.starts_with("/nf/pending"))
        .count()
}

/// The wait is paced by the task's stage (`worker::next_delay`), not every [`DEFAULT_POLL`]:
/// over the `took` the task needed, well under half the reads of a fixed-interval loop.
fn assert_paced(sim: &Sim, took: Duration) {
    let reads = pending_reads(sim);
    let fixed = took.as_secs_f64() / DEFAULT_POLL.as_secs_f64();
    eprintln!("{reads} pending reads in {took:?}; a fixed loop makes about {fixed:.0}");
    assert!(
        (reads as f64) <= 0.6 * fixed,
        "{reads} pending reads in {took:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_ten_second_video_waited_for_at_the_live_pace_completes() {
    let (sim, took) = wait_at_live_pace("a lighthouse at dusk", &[]).await;
    // A 10 s video stays about 2 min 45 s in pending: proof that the wait went through the
    // live timeline rather than a fast one.
    assert!(took >= Duration::from_secs(150), "done after {took:?}");
    assert_paced(&sim, took);
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn the_slowest_video_waited_for_at_the_live_pace_completes() {
    let (sim, took) = wait_at_live_pace(
        "a lighthouse at dusk",
        &["--length", "25", "--model", "sy_ore", "--size", "large"],
    )
    .await;
    assert!(took >= Duration::from_secs(375), "done after {took:?}");
    assert_paced(&sim, took);
    sim.shutdown().await;
}

// `#nourl`: the draft is listed without its media links for its first three reads, several
// polls past the live ~4 s between leaving pending and a usable draft; the wait goes on.
#[tokio::test(start_paused = true)]
async fn a_draft_late_with_its_link_is_waited_for() {
    let (sim, _) = wait_at_live_pace("a lighthouse at dusk #nourl", &[]).await;
    sim.shutdown().await;
}

#[test]
fn the_slowest_pace_is_the_stuck_bound_at_the_default_interval_and_scales_below_it() {
    use super::headless_max;
    let ms = Duration::from_millis;
    assert_eq!(headless_max(DEFAULT_POLL), crate::worker::STUCK_BOUND);
    assert_eq!(headless_max(ms(125)), ms(500), "a 20× faster clock");
    assert_eq!(headless_max(ms(5000)), crate::worker::STUCK_BOUND);
}
