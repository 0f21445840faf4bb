//! Shared set-up for the integration tests: a simulator on an ephemeral loopback port and a
//! client pointed at it.

// Not every test crate uses every helper; tests may unwrap (a panic is the failure report).
#![allow(dead_code, clippy::unwrap_used)]

pub mod bin;
pub mod harness;
pub mod ports;
pub mod pty;
pub mod screens;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use sora_tui::api::{AccessToken, Client, ClientConfig};
use sora_tui::sim::{RecordedRequest, Sim, SimConfig};

/// A finished video draft with its media links, made through the client.
pub async fn ready_draft(client: &Client, prompt: &str) -> sora_tui::api::Draft {
    let task = client
        .create_video(prompt, sora_tui::api::VideoSettings::default(), None)
        .await
        .unwrap();
    eventually(30, || async {
        let drafts = client.drafts(30, None).await.ok()?.items;
        drafts
            .into_iter()
            .find(|d| d.task_id.as_deref() == Some(task.as_str()) && d.best_url().is_some())
    })
    .await
}

/// Fast enough that a video (about 3 minutes at the live pace, speed 1) finishes in about a
/// fifth of a second.
pub const TEST_SPEED: f64 = 800.0;

/// Starts a simulator with test speed and the given tweaks.
pub async fn start_sim(tweak: impl FnOnce(&mut SimConfig)) -> Sim {
    let mut config = SimConfig {
        speed: TEST_SPEED,
        ..SimConfig::default()
    };
    tweak(&mut config);
    Sim::start(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), config)
        .await
        .expect("simulator starts")
}

/// A client for the simulator.
pub fn client_for(sim: &Sim) -> Client {
    client_with(sim, |_| {})
}

/// A client for the simulator with config tweaks.
pub fn client_with(sim: &Sim, tweak: impl FnOnce(&mut ClientConfig)) -> Client {
    let mut config = ClientConfig::new(sim.base_url(), AccessToken::new(&sim.token()).unwrap());
    config.request_timeout = Duration::from_secs(10);
    // Millisecond backoff so retried faults do not slow the suite; tests may override.
    config.retry = sora_tui::api::RetryPolicy::fast();
    tweak(&mut config);
    Client::new(config).expect("client builds")
}

/// The recorded requests to one path, in order.
pub fn requests_to(sim: &Sim, method: &str, path: &str) -> Vec<RecordedRequest> {
    sim.requests()
        .into_iter()
        .filter(|r| r.method == method && r.path == path)
        .collect()
}

/// Polls until `f` returns `Some`, at most `secs` seconds.
pub async fn eventually<T, F, Fut>(secs: u64, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not reached in {secs} s"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Bytes of a committed asset, to compare downloads against.
pub fn asset(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets")
            .join(name),
    )
    .unwrap()
}
