//! The built-in simulator of the Sora web backend.
//!
//! It serves the same routes, response shapes, error envelopes and task lifecycles as the real
//! service (see docs/api.md) on a loopback port, so the client, the TUI and the
//! tests can run without the hosted service. Time is scaled by [`SimConfig::speed`]; faults can be
//! injected per route ([`FaultRule`]); every request is logged ([`RecordedRequest`]).
//!
//! Prompt keywords (case-insensitive) choose failure branches: `#violation` (content-violation
//! draft without URLs), `#fail` (video: `failed` in pending, then gone, no draft; image: `failed`),
//! `#nourl` (draft without URLs for its first 3 drafts reads), `#flicker` (missing from pending for
//! a moment while running).
//!
//! Layout: this file owns the configuration and the [`Sim`] handle. `server` is the per-request
//! pipeline (log → faults → auth/sentinel → route) and `control` the `/_sim/*` API; `routes` maps
//! paths to the handlers in `account`, `images`, `video` and `cameos`, which validate with
//! `validate` and fail with `errors`; `world` holds one account's data (each token reaches its
//! own; the accounts are in `account`), `state` the pure lifecycles, `cursor` the pagination;
//! `views` renders JSON; `media` signs URLs and serves the files embedded from `assets/`;
//! `sentinel` is the fixed-token stand-in for the chatgpt.com sentinel route; `faults`, `record`
//! and `ids` are what their names say.

mod account;
mod cameo_draft;
mod cameos;
mod control;
mod cursor;
mod enhance;
mod errors;
mod extend;
mod faults;
mod ids;
mod images;
mod media;
mod picture;
mod record;
mod routes;
mod sentinel;
mod server;
mod share_page;
mod state;
mod username;
mod validate;
mod video;
mod views;
mod world;

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use account::{
    EXHAUSTED_TOKEN, FIXTURES, FREE_TOKEN, Fixture, MOBILE_TOKEN, NO_SORA2_TOKEN,
    NO_USERNAME_TOKEN, PLUS_TOKEN, Plan, REVOKED_TOKEN, TokenKind,
};
pub use faults::{Fault, FaultRule};
pub use picture::BadPicture;
pub use record::{RecordedPart, RecordedRequest};
pub use world::DEMO_CAMEO_USERNAME;

use server::Shared;

/// The primary account's Bearer token unless configured otherwise.
pub const DEMO_TOKEN: &str = "sora-demo-token";

/// How long [`Sim::shutdown`] waits for in-flight requests before cutting them off.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Settings of one simulator instance; they exist so demos and tests can pick timing, plan and
/// starting data without touching the routes.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// The primary account's Bearer token (the one [`Sim::token`] hands out). The built-in
    /// [`FIXTURES`] are served too, each under its own token (a fixture whose token equals
    /// this one is left out); any other token gets 401 "Could not parse your authentication
    /// token", a request without one 401 "Missing bearer authentication in header".
    pub token: String,
    /// Which app the primary token belongs to: [`TokenKind::Web`] (the default) gets the
    /// watermarked file at a post's `encodings.source.path`, [`TokenKind::Mobile`] the clean one.
    pub token_kind: TokenKind,
    /// Time multiplier: 1.0 is the live service's pace (a 10 s video reaches its draft after
    /// about 2 min 50 s, see `state`), 8.0 the demo's, 100.0 and more suit tests.
    pub speed: f64,
    /// Whether the primary account has the Pro plan (else Plus); without it 25 s videos,
    /// `sy_ore` and `large` are refused. The fixtures keep their own plans.
    pub pro_plan: bool,
    /// Drafts already in the primary account at start, so pagination can be exercised at once.
    pub seed_drafts: usize,
    /// Whether the seeded drafts are varied the way a long-used account is: some content
    /// violations, some without media, some published, and finished image generations beside
    /// them (`sim --seed-drafts N` sets it), so an archive meets every kind of entry.
    pub seed_mixed: bool,
    /// Whether the primary account starts with the demo's data: a few dozen varied drafts
    /// (published posts, remixes, a content violation, every orientation and length), finished
    /// image generations and one finalized cameo ([`DEMO_CAMEO_USERNAME`]), so `--demo` and
    /// `sim --seed-demo` show a lived-in account at once.
    pub seed_demo: bool,
    /// When set (a loopback IP such as 127.0.0.2), media is served by a second listener on that IP
    /// and every media URL points there, so tests can check that no credential follows the download.
    pub media_ip: Option<IpAddr>,
}

/// The body of `POST /_sim/quota`: how tests steer the primary account's quota. Every field
/// is optional; `reset` is applied first, then `remaining`, then `resets_in_secs`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QuotaControl {
    /// Videos left in the window (`estimated_num_videos_remaining`; 0 refuses creates with
    /// 429 `rate_limit_reached`).
    pub remaining: Option<u32>,
    /// When the window ends, in seconds from now (`access_resets_in_seconds`), so a test can
    /// wait for a reset that is seconds away instead of a day.
    pub resets_in_secs: Option<f64>,
    /// Refill the account's whole allowance and go back to the day-long window: the reset.
    pub reset: bool,
}

/// What `GET /_sim/stats` answers: counters tests of the limits check.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SimStats {
    /// The most video tasks the primary account ever had in progress at once.
    pub max_in_progress: usize,
    /// Videos the primary account's quota still allows.
    pub videos_remaining: u32,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            token: DEMO_TOKEN.to_string(),
            token_kind: TokenKind::Web,
            speed: 1.0,
            pro_plan: true,
            seed_drafts: 0,
            seed_mixed: false,
            seed_demo: false,
            media_ip: None,
        }
    }
}

/// What newly uploaded cameos do; exists so tests can drive the cameo flow's success and failure paths.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CameoOutcome {
    /// Walks through a few processing messages, then reports "Completed" with hints.
    #[default]
    Complete,
    /// Reports `status: "failed"` with a reason after a few seconds.
    Fail,
    /// Stays in processing forever (for timeout handling).
    Stuck,
}

/// A running simulator: the handle tests and the `sim` command use to inspect and steer it.
///
/// Dropping it stops the server too (without waiting); [`Sim::shutdown`] stops it gracefully.
pub struct Sim {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<watch::Sender<bool>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Sim {
    /// Binds `addr` (use 127.0.0.1:0 for an ephemeral port), spawns the server on the current
    /// tokio runtime and returns at once. Only loopback addresses are accepted.
    pub async fn start(addr: SocketAddr, config: SimConfig) -> io::Result<Sim> {
        if !(config.speed.is_finite() && config.speed > 0.0) {
            return Err(invalid_input("sim speed must be a positive number"));
        }
        if !addr.ip().is_loopback() {
            return Err(invalid_input(
                "the simulator only listens on loopback addresses",
            ));
        }
        if config.media_ip.is_some_and(|ip| !ip.is_loopback()) {
            return Err(invalid_input("the media IP must be a loopback address"));
        }

        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let media_listener = match config.media_ip {
            Some(ip) => Some(TcpListener::bind(SocketAddr::new(ip, 0)).await?),
            None => None,
        };
        let media_addr = match &media_listener {
            Some(l) => l.local_addr()?,
            None => local,
        };

        let shared = Arc::new(Shared::new(&config, format!("http://{media_addr}")));
        let (stop, stop_rx) = watch::channel(false);
        let mut tasks = vec![spawn_server(
            listener,
            server::router(shared.clone(), false),
            stop_rx.clone(),
        )];
        if let Some(l) = media_listener {
            tasks.push(spawn_server(
                l,
                server::router(shared.clone(), true),
                stop_rx,
            ));
        }
        tracing::info!(%local, %media_addr, "sora simulator listening");
        Ok(Sim {
            addr: local,
            shared,
            stop: Some(stop),
            tasks,
        })
    }

    /// The address the API listener is bound to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to configure the client with, e.g. `http://127.0.0.1:PORT/backend`.
    pub fn base_url(&self) -> String {
        format!("http://{}/backend", self.addr)
    }

    /// The primary account's Bearer token (the fixtures' tokens are in [`FIXTURES`]).
    pub fn token(&self) -> String {
        self.shared.token.clone()
    }

    /// The request log in arrival order (`/_sim/*` control routes excluded).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests()
    }

    /// Empties the request log.
    pub fn clear_requests(&self) {
        self.shared.clear_requests();
    }

    /// Adds a fault rule; rules are consulted in the order they were added.
    pub fn inject(&self, rule: FaultRule) {
        self.shared.inject(rule);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.shared.clear_faults();
    }

    /// The primary account's seeded cameo (with [`SimConfig::seed_demo`]): its cameo id and
    /// character id, so the demo can keep the local record every created cameo has (the API
    /// cannot list cameos).
    pub fn demo_cameo(&self) -> Option<(String, String)> {
        self.shared.demo_cameo()
    }

    /// Sets the primary account's quota (what `POST /_sim/quota` does).
    pub fn set_quota(&self, quota: QuotaControl) {
        self.shared.set_quota(quota);
    }

    /// The limits' counters (what `GET /_sim/stats` answers).
    pub fn stats(&self) -> SimStats {
        self.shared.stats()
    }

    /// Chooses what cameos uploaded from now on will do, in every account.
    pub fn set_cameo_outcome(&self, outcome: CameoOutcome) {
        self.shared.set_cameo_outcome(outcome);
    }

    /// Stops accepting connections, lets in-flight requests finish (up to a few seconds) and returns.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        for task in std::mem::take(&mut self.tasks) {
            let abort = task.abort_handle();
            if tokio::time::timeout(SHUTDOWN_GRACE, task).await.is_err() {
                abort.abort();
            }
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
    }
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim").field("addr", &self.addr).finish()
    }
}

fn spawn_server(
    listener: TcpListener,
    router: axum::Router,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let signal = async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        };
        if let Err(err) = axum::serve(listener, router)
            .with_graceful_shutdown(signal)
            .await
        {
            tracing::warn!(%err, "sora simulator server stopped with an error");
        }
    })
}

fn invalid_input(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message.to_string())
}

#[cfg(test)]
mod tests;
