//! The per-request pipeline: log the request, apply injected faults, check auth and sentinel,
//! then hand `/backend` requests to the route table and `/media` requests to the file server.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use tokio::time::Instant;

use super::account::{Account, FIXTURES};
use super::errors::ApiError;
use super::faults::{self, Fault, FaultBook, FaultRule};
use super::media::{self, MediaUrls};
use super::record::{self, Incoming, RecordedRequest, RequestLog};
use super::routes::{self, Ctx};
use super::world::World;
use super::{CameoOutcome, SimConfig, control};
use super::{sentinel, share_page};

/// Shortest sentinel token accepted.
const MIN_SENTINEL_LEN: usize = 10;

/// State shared by the listeners and the [`super::Sim`] handle.
#[derive(Debug)]
pub struct Shared {
    /// The primary account's Bearer token.
    pub token: String,
    /// Every account by its Bearer token, each with its own data.
    worlds: HashMap<String, Mutex<World>>,
    /// Tokens that were revoked (401 `token_invalidated`).
    revoked: HashSet<String>,
    faults: Mutex<FaultBook>,
    log: Mutex<RequestLog>,
    urls: MediaUrls,
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    /// State for a new simulator whose media is served from `media_base`.
    pub fn new(config: &SimConfig, media_base: String) -> Self {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        let now = Instant::now();
        let mut worlds = HashMap::new();
        let mut revoked = HashSet::new();
        worlds.insert(
            config.token.clone(),
            Mutex::new(World::new(config, now, wall)),
        );
        for fixture in FIXTURES.iter().filter(|f| f.token != config.token) {
            if fixture.revoked {
                revoked.insert(fixture.token.to_string());
            } else {
                let account = Account::from_fixture(fixture);
                let world = World::for_account(config, account, 0, now, wall);
                worlds.insert(fixture.token.to_string(), Mutex::new(world));
            }
        }
        Shared {
            token: config.token.clone(),
            worlds,
            revoked,
            faults: Mutex::new(FaultBook::default()),
            log: Mutex::new(RequestLog::default()),
            urls: MediaUrls::new(media_base),
        }
    }

    /// The request log in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.log).snapshot()
    }

    /// Empties the request log.
    pub fn clear_requests(&self) {
        lock(&self.log).clear();
    }

    /// Adds a fault rule.
    pub fn inject(&self, rule: FaultRule) {
        lock(&self.faults).push(rule);
    }

    /// The active fault rules.
    pub fn fault_rules(&self) -> Vec<FaultRule> {
        lock(&self.faults).rules().to_vec()
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    /// The primary account's seeded cameo, if any: cameo id and character id.
    pub fn demo_cameo(&self) -> Option<(String, String)> {
        self.worlds
            .get(&self.token)
            .and_then(|w| lock(w).demo_cameo())
    }

    /// Sets the primary account's quota (see `World::set_quota`), for tests of quota pauses.
    pub fn set_quota(&self, quota: super::QuotaControl) {
        if let Some(world) = self.worlds.get(&self.token) {
            let resets_in = quota.resets_in_secs.map(std::time::Duration::from_secs_f64);
            lock(world).set_quota(quota.remaining, resets_in, quota.reset, Instant::now());
        }
    }

    /// What tests of the limits read back: the most video tasks the primary account ever
    /// had in progress at once, and the videos its quota still allows.
    pub fn stats(&self) -> super::SimStats {
        let world = self.worlds.get(&self.token).map(lock);
        super::SimStats {
            max_in_progress: world.as_ref().map_or(0, |w| w.max_in_progress()),
            videos_remaining: world.as_ref().map_or(0, |w| w.videos_remaining()),
        }
    }

    /// Chooses what new cameos do, in every account.
    pub fn set_cameo_outcome(&self, outcome: CameoOutcome) {
        for world in self.worlds.values() {
            lock(world).cameo_outcome = outcome;
        }
    }

    /// The normal answer to a request (no faults).
    fn respond(&self, target: &Target, req: &Incoming) -> Response {
        match target {
            Target::Media => {
                if !matches!(req.rec.method.as_str(), "GET" | "HEAD") {
                    return ApiError::method_not_allowed().into_response();
                }
                media::serve(
                    &self.urls,
                    &req.rec.path,
                    req.rec.query.as_deref(),
                    req.rec.header("range"),
                )
            }
            Target::Sentinel => sentinel::respond(&req.rec.method),
            Target::SharePage(post_id) => {
                if !matches!(req.rec.method.as_str(), "GET" | "HEAD") {
                    return ApiError::method_not_allowed().into_response();
                }
                share_page::page(post_id, self.worlds.values().map(lock), &self.urls)
            }
            Target::Backend(path) => match self.backend(path, req) {
                Ok(value) => axum::Json(value).into_response(),
                Err(err) => err.into_response(),
            },
        }
    }

    fn backend(&self, path: &str, req: &Incoming) -> Result<serde_json::Value, ApiError> {
        let world = self.account_of(req.rec.header("authorization"))?;
        let route = routes::parse(&req.rec.method, path)?;
        if route.needs_sentinel() {
            let sentinel = req.rec.header("openai-sentinel-token").unwrap_or("").trim();
            if sentinel.chars().count() < MIN_SENTINEL_LEN {
                return Err(ApiError::sentinel_block());
            }
        }
        // Gathered before this account's lock is taken, one other account at a time, so
        // two accounts' requests never wait on each other.
        let taken_elsewhere = if super::username::needs_other_accounts(&route) {
            self.usernames_except(world)
        } else {
            Vec::new()
        };
        let now = Instant::now();
        let mut world = lock(world);
        world.advance(now);
        let mut ctx = Ctx {
            world: &mut world,
            urls: &self.urls,
            now,
            taken_elsewhere,
        };
        routes::dispatch(&mut ctx, route, req)
    }
}

impl Shared {
    /// The usernames (lowercase) every account but `own` holds: its profile's and its
    /// finalized cameos'.
    fn usernames_except(&self, own: &Mutex<World>) -> Vec<String> {
        let mut names = Vec::new();
        for world in self.worlds.values().filter(|w| !std::ptr::eq(*w, own)) {
            let world = lock(world);
            names.extend(
                world
                    .account
                    .username
                    .as_deref()
                    .map(str::to_ascii_lowercase),
            );
            names.extend(world.finalized_usernames());
        }
        names
    }

    /// The account an `Authorization` header reaches, or the 401 the live service gives:
    /// "Missing bearer…" without a Bearer token, `token_invalidated` for a revoked one, and
    /// "Could not parse…" for any other token. The simulator's tokens are opaque, so it
    /// cannot tell a malformed token from a well-formed stranger; the live service cannot
    /// read either (it checks a JWT's signature), and "Could not parse" is the answer
    /// recorded for a token it cannot use.
    fn account_of(&self, authorization: Option<&str>) -> Result<&Mutex<World>, ApiError> {
        let token = authorization
            .and_then(bearer_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(ApiError::missing_bearer)?;
        if self.revoked.contains(token) {
            return Err(ApiError::token_invalidated());
        }
        self.worlds
            .get(token)
            .ok_or_else(ApiError::unparsable_token)
    }
}

/// The token of an `Authorization: Bearer …` value.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Where a request goes.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Target {
    /// A `/backend` route; the path without the prefix.
    Backend(String),
    /// A media file (`/az/files/…`).
    Media,
    /// The stand-in for the chatgpt.com sentinel route (no auth, a fixed token).
    Sentinel,
    /// A post's public share page, `/p/{post_id}` (no auth); the post id.
    SharePage(String),
}

fn classify(path: &str, media_only: bool) -> Option<Target> {
    if media::is_media_path(path) {
        return Some(Target::Media);
    }
    if media_only {
        return None;
    }
    if path == sentinel::PATH {
        return Some(Target::Sentinel);
    }
    if let Some(id) = path.strip_prefix(share_page::PREFIX) {
        return Some(Target::SharePage(id.trim_end_matches('/').to_string()));
    }
    let rest = path.strip_prefix("/backend")?;
    (rest.is_empty() || rest.starts_with('/')).then(|| Target::Backend(rest.to_string()))
}

/// One listener's view: the shared state and whether it serves media only.
#[derive(Clone)]
struct Endpoint {
    shared: Arc<Shared>,
    media_only: bool,
}

/// The router of one listener (`media_only` for the separate media host).
pub fn router(shared: Arc<Shared>, media_only: bool) -> Router {
    Router::new()
        .fallback(handle)
        .with_state(Endpoint { shared, media_only })
}

async fn handle(State(ep): State<Endpoint>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    if !ep.media_only && (path == "/_sim" || path.starts_with("/_sim/")) {
        return control::handle(&ep.shared, req).await;
    }
    let Some(target) = classify(&path, ep.media_only) else {
        return ApiError::not_found(format!("Unknown endpoint: {path}")).into_response();
    };
    let arrival = lock(&ep.shared.log).arrive();
    let logged_path = match &target {
        Target::Backend(sub) => sub.clone(),
        Target::Media => media::logged_path(&path),
        Target::Sentinel | Target::SharePage(_) => path.clone(),
    };
    let mut incoming = record::read(req, logged_path).await;
    let decision = lock(&ep.shared.faults).decide(&incoming.rec.method, &incoming.rec.path);
    if decision.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(decision.latency_ms)).await;
    }
    // `processed_then`: the handler runs (and changes the state) before the answer is made,
    // whatever that answer will be.
    let (processed, fault) = faults::unwrap_processed(decision.fault);
    let mut handled = processed.then(|| ep.shared.respond(&target, &incoming));
    let mut real = || {
        handled
            .take()
            .unwrap_or_else(|| ep.shared.respond(&target, &incoming))
    };
    let (response, status) = match fault {
        None => {
            let r = real();
            let status = r.status().as_u16();
            (r, status)
        }
        Some(Fault::Latency { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            let r = real();
            let status = r.status().as_u16();
            (r, status)
        }
        Some(Fault::TruncatedBody) => {
            let r = real();
            let status = r.status().as_u16();
            (faults::truncate(r).await, status)
        }
        Some(Fault::Trickle {
            after_bytes,
            chunk,
            every_ms,
        }) => {
            let r = real();
            let status = r.status().as_u16();
            (
                faults::trickle(r, after_bytes, chunk, every_ms).await,
                status,
            )
        }
        Some(Fault::ShortRange) => {
            let r = faults::short_range(real()).await;
            let status = r.status().as_u16();
            (r, status)
        }
        Some(Fault::ConnectionReset) => (faults::connection_reset(), 0),
        Some(fault) => {
            let r = faults::response(&fault);
            let status = r.status().as_u16();
            (r, status)
        }
    };
    incoming.rec.status = status;
    lock(&ep.shared.log).finish(arrival, incoming.rec);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_classified() {
        assert_eq!(
            classify("/backend/me", false),
            Some(Target::Backend("/me".into()))
        );
        assert_eq!(
            classify("/backend", false),
            Some(Target::Backend(String::new()))
        );
        assert_eq!(classify("/backendx", false), None);
        assert_eq!(classify("/media/g/source.mp4", false), Some(Target::Media));
        assert_eq!(classify("/media/g/source.mp4", true), Some(Target::Media));
        assert_eq!(classify("/backend/me", true), None);
        assert_eq!(
            classify("/backend-api/sentinel/req", false),
            Some(Target::Sentinel)
        );
        assert_eq!(classify("/backend-api/sentinel/req", true), None);
        assert_eq!(classify("/", false), None);
        assert_eq!(
            classify("/p/s_1", false),
            Some(Target::SharePage("s_1".into()))
        );
        assert_eq!(classify("/p/s_1", true), None);
    }

    #[test]
    fn bearer_tokens_are_extracted() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("abc"), None);
    }
}
