//! The typed async client: one method per endpoint of docs/api.md#endpoints, one
//! `reqwest::Client` inside.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::{FailedResponse, classify, parse_retry_after};
use super::filetype::{FileType, MAX_IMAGE_BYTES, MAX_VIDEO_BYTES};
use super::params::{ImageShape, VideoSettings, remix_target_id};
use super::retry::{self, Replay, RetryObserver, RetryPolicy};
use super::transfer::{MAX_DOWNLOAD_BYTES, media_status_error};
use super::types::*;
use super::{AccessToken, ApiError, SentinelProvider};

/// The default backend of the hosted service (which may have been retired; see the README).
pub const DEFAULT_BASE_URL: &str = "https://sora.chatgpt.com/backend";
/// This program's own name and version. It does not pass itself off as a browser or as another
/// client (no bot-protection imitation, see SECURITY.md); the `user_agent` setting overrides it.
pub const DEFAULT_USER_AGENT: &str = concat!("sora-tui/", env!("CARGO_PKG_VERSION"));
const ORIGIN: &str = "https://sora.chatgpt.com";
/// Largest JSON answer accepted; anything bigger is not this API. A drafts page of 100 (the
/// most any caller asks for) is a few hundred KB. The body is held whole while it is parsed,
/// so this is a direct term of the memory a hostile answer can cost; what it parses into is
/// bounded separately (see `types::MAX_LIST_ITEMS`).
const MAX_JSON_BYTES: usize = 8 * 1024 * 1024;

/// How to reach the backend and as whom.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Base URL, e.g. `https://sora.chatgpt.com/backend`; plain http only to loopback.
    pub base_url: String,
    /// The bearer token.
    pub token: AccessToken,
    /// Where sentinel tokens come from.
    pub sentinel: SentinelProvider,
    /// The User-Agent header.
    pub user_agent: String,
    /// An explicit proxy URL (otherwise the standard `HTTPS_PROXY`/`ALL_PROXY` variables apply).
    pub proxy: Option<String>,
    /// Limit for one JSON call, start to end.
    pub request_timeout: Duration,
    /// Limit for the wait between two reads of an answer (its head, then each piece of its
    /// body): a server that goes silent is noticed after this long, not only at the end of
    /// `request_timeout`. Applies to media too.
    pub read_timeout: Duration,
    /// A download that moves almost nothing for this long is stopped (its `.part` is kept,
    /// so it resumes later); see [`Client::download_to`].
    pub stall_timeout: Duration,
    /// The most a download writes when the server does not announce the size; an announced
    /// size above it is refused before anything is written.
    pub max_download_bytes: u64,
    /// When and how often failed reads and uploads are sent again (creates never are).
    pub retry: RetryPolicy,
}

impl ClientConfig {
    /// A config with the defaults for everything but the URL and token.
    pub fn new(base_url: impl Into<String>, token: AccessToken) -> ClientConfig {
        ClientConfig {
            base_url: base_url.into(),
            token,
            sentinel: SentinelProvider::Random,
            user_agent: DEFAULT_USER_AGENT.to_string(),
            proxy: None,
            request_timeout: Duration::from_secs(60),
            read_timeout: Duration::from_secs(20),
            stall_timeout: Duration::from_secs(30),
            max_download_bytes: MAX_DOWNLOAD_BYTES,
            retry: RetryPolicy::default(),
        }
    }
}

/// The Sora backend client. Cheap to clone; clones share the connection pool and what was
/// learned about moved endpoints.
#[derive(Clone)]
pub struct Client {
    /// For backend calls: follows no redirect (see [`api_redirect`]).
    http: reqwest::Client,
    /// For media links: follows a few redirects, each hop checked by [`check_url`].
    media: reqwest::Client,
    base: Url,
    token: AccessToken,
    sentinel: SentinelProvider,
    request_timeout: Duration,
    /// See [`ClientConfig::stall_timeout`].
    pub(super) stall_timeout: Duration,
    /// See [`ClientConfig::max_download_bytes`].
    pub(super) max_download_bytes: u64,
    /// The retry policy of every call.
    retry: RetryPolicy,
    /// Told about retries (a status bar, a progress line); shared by clones.
    observer: Option<RetryObserver>,
    /// Set once `/nf/pending` answered 404 and `/nf/pending/v2` worked.
    pending_v2: Arc<AtomicBool>,
    /// Set once the drafts list answered 404 and its `/v2` worked.
    drafts_v2: Arc<AtomicBool>,
    /// Set once the backend has answered anything. Before that, a refused connection is a
    /// wrong base URL or no network, not a blip: it is reported at once, not retried.
    reached: Arc<AtomicBool>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

/// What a request carries.
enum Payload {
    None,
    Json(Vec<u8>),
    Multipart(reqwest::multipart::Form),
}

/// Whether a request needs the `openai-sentinel-token` header.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Sentinel {
    Needed,
    NotNeeded,
}

/// Refuses URLs that are not http(s), and plain http to anything but loopback: the token and
/// the user's media must not cross a network in clear text.
pub fn check_url(url: &Url) -> Result<(), ApiError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(ApiError::InsecureUrl(format!(
            "refusing plain http to {}: use https (plain http is allowed only to 127.0.0.1/localhost)",
            url.host_str().unwrap_or("?")
        ))),
        other => Err(ApiError::InsecureUrl(format!(
            "unsupported URL scheme {other:?}: use an https:// URL"
        ))),
    }
}

/// Whether a URL points at this machine. An IPv4-mapped IPv6 address (`[::ffff:a.b.c.d]`)
/// is the IPv4 address it maps to, as the network treats it: `[::ffff:127.0.0.2]` is
/// loopback, `[::ffff:10.0.0.1]` is not.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => match ip.to_ipv4_mapped() {
            Some(v4) => v4.is_loopback(),
            None => ip.is_loopback(),
        },
        None => false,
    }
}

/// Redirects of backend calls: none are followed. The backend is never legitimately
/// elsewhere, and following would hand the token, the sentinel and the prompt to whatever
/// host a `Location` names; the 3xx answer comes back and [`Client::send_once`] reports it.
fn api_redirect() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::none()
}

/// Most redirects a media link may take (a pre-signed link to a CDN takes one or two).
const MAX_MEDIA_HOPS: usize = 5;

/// Redirects of media links: followed up to [`MAX_MEDIA_HOPS`], each hop held to the same
/// rule as the link itself ([`check_url`]), so a redirect cannot downgrade to plain http
/// off this machine or to another scheme.
fn media_redirect() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        if attempt.previous().len() > MAX_MEDIA_HOPS {
            return attempt.error(ApiError::BadResponse {
                detail: format!("the media link redirected more than {MAX_MEDIA_HOPS} times"),
            });
        }
        match check_url(attempt.url()) {
            Ok(()) => attempt.follow(),
            Err(e) => attempt.error(e),
        }
    })
}

/// Where a redirect answer points, for its error message: the host and port of `Location`
/// resolved against the request URL. Only the host: the path and query may carry anything.
fn redirect_target(request: &Url, location: Option<&HeaderValue>) -> String {
    let target = location
        .and_then(|v| v.to_str().ok())
        .and_then(|l| request.join(l.trim()).ok());
    match target.as_ref().and_then(|u| u.host_str().map(|h| (u, h))) {
        Some((u, host)) => {
            let host: String = host.chars().take(100).collect();
            match u.port() {
                Some(port) => format!("{host}:{port}"),
                None => host,
            }
        }
        None => "an unreadable location".to_string(),
    }
}

/// An id as one path segment. Ids are opaque and may come from the server, so nothing in
/// them may change the path: only a [`super::id::valid_id`] is used (as it is: it has
/// nothing to encode and is never a dot segment; `..` percent-encoded is still `..` to a
/// URL parser). Anything else is refused before a request exists; `what` names the kind
/// of id for the message.
fn segment<'a>(what: &str, id: &'a str) -> Result<&'a str, ApiError> {
    super::id::checked_id(what, id)
}

impl Client {
    /// Builds the client; fails on an unusable base URL or proxy.
    pub fn new(config: ClientConfig) -> Result<Client, ApiError> {
        let trimmed = config.base_url.trim().trim_end_matches('/');
        let base = Url::parse(trimmed).map_err(|e| {
            ApiError::InsecureUrl(format!(
                "the base URL {trimmed:?} is not a valid URL ({e}): pass e.g. --base-url https://sora.chatgpt.com/backend"
            ))
        })?;
        check_url(&base)?;
        // Two clients, the same but for redirects: backend calls follow none, media links a
        // few, each hop checked.
        let http = http_client(&config, &base, api_redirect())?;
        let media = http_client(&config, &base, media_redirect())?;
        Ok(Client {
            http,
            media,
            base,
            token: config.token,
            sentinel: config.sentinel,
            request_timeout: config.request_timeout,
            stall_timeout: config.stall_timeout,
            max_download_bytes: config.max_download_bytes,
            retry: config.retry,
            observer: None,
            pending_v2: Arc::new(AtomicBool::new(false)),
            drafts_v2: Arc::new(AtomicBool::new(false)),
            reached: Arc::new(AtomicBool::new(false)),
        })
    }

    /// The retry policy in use (reconciliation paces its reads by it).
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The backend base URL in use.
    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    /// The token in use: the headless waits name their shared poll after a hash of it
    /// (`cli::headless::shared_poll`), so the waits of one account find each other.
    pub(crate) fn token(&self) -> &AccessToken {
        &self.token
    }

    /// Where this backend's share pages live: the origin of the base URL (see
    /// [`super::ShareOrigin`]).
    pub fn share_origin(&self) -> super::ShareOrigin {
        super::ShareOrigin::from_base_url(self.base.as_str()).unwrap_or_default()
    }

    fn url(&self, path: &str) -> Result<Url, ApiError> {
        let full = format!("{}{}", self.base.as_str().trim_end_matches('/'), path);
        Url::parse(&full)
            .map_err(|e| ApiError::InvalidInput(format!("bad request path {path:?}: {e}")))
    }

    /// The same client (sharing its connections), telling `observer` about every retry.
    pub fn with_retry_observer(&self, observer: RetryObserver) -> Client {
        Client {
            observer: Some(observer),
            ..self.clone()
        }
    }

    /// Sends a backend request under the retry policy and returns the body of a 2xx answer.
    /// `payload` builds the body afresh for every attempt: a multipart stream is consumed by
    /// sending it, so a resent upload needs a new one.
    async fn send<F, Fut>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        replay: Replay,
        sentinel: Sentinel,
        payload: F,
    ) -> Result<Bytes, ApiError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Payload, ApiError>>,
    {
        let what = format!("{method} {path}");
        // Until the backend has answered once, a connect failure is not retried; other
        // failures (5xx, 429…) prove it is reachable and are retried as usual.
        retry::run_with(
            &self.retry,
            self.observer.as_ref(),
            &what,
            replay,
            |e: &ApiError| {
                !self.reached.load(Ordering::Relaxed)
                    && matches!(
                        e,
                        ApiError::Network {
                            kind: super::NetworkKind::Connect,
                            ..
                        }
                    )
            },
            || async {
                let body = payload().await?;
                self.send_once(method.clone(), path, query, body, sentinel)
                    .await
            },
        )
        .await
    }

    /// Sends one backend request once and returns the body of a 2xx answer.
    async fn send_once(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        payload: Payload,
        sentinel: Sentinel,
    ) -> Result<Bytes, ApiError> {
        let url = self.url(path)?;
        let mut headers = HeaderMap::new();
        let auth =
            HeaderValue::from_str(&format!("Bearer {}", self.token.expose())).map_err(|_| {
                ApiError::InvalidInput(
                    "the access token contains invalid characters: paste it again".into(),
                )
            })?;
        let mut auth = auth;
        auth.set_sensitive(true);
        headers.insert(header::AUTHORIZATION, auth);
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(header::ORIGIN, HeaderValue::from_static(ORIGIN));
        headers.insert(
            header::REFERER,
            HeaderValue::from_static("https://sora.chatgpt.com/"),
        );
        if sentinel == Sentinel::Needed {
            let token = self.sentinel.token().await?;
            let mut value = HeaderValue::from_str(&token).map_err(|_| {
                ApiError::InvalidInput(
                    "the sentinel command printed characters not allowed in a header".into(),
                )
            })?;
            value.set_sensitive(true);
            headers.insert("openai-sentinel-token", value);
        }
        let mut req = self
            .http
            .request(method.clone(), url)
            .headers(headers)
            .timeout(self.request_timeout);
        if !query.is_empty() {
            req = req.query(query);
        }
        req = match payload {
            Payload::None => req,
            Payload::Json(body) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(body),
            Payload::Multipart(form) => req.multipart(form),
        };
        let resp = req.send().await.map_err(|e| ApiError::from_transport(&e))?;
        self.reached.store(true, Ordering::Relaxed);
        let status = resp.status();
        if status.is_redirection() && resp.headers().contains_key(header::LOCATION) {
            // Not followed (see `api_redirect`), and not a failure of this request that a
            // retry or a reconciliation could mend: the request was not processed here.
            let target = redirect_target(resp.url(), resp.headers().get(header::LOCATION));
            tracing::debug!(%method, path, status = status.as_u16(), %target, "backend redirect refused");
            return Err(ApiError::Redirected {
                status: status.as_u16(),
                target,
            });
        }
        let content_type = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let cf_mitigated = resp.headers().contains_key("cf-mitigated");
        let retry_after = parse_retry_after(
            resp.headers()
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
        );
        let body = read_limited(resp, MAX_JSON_BYTES).await?;
        tracing::debug!(%method, path, status = status.as_u16(), bytes = body.len(), "backend call");
        if !status.is_success() {
            // What the server says goes into messages and logs: never with the token in it.
            let body = self.token.redact(&body);
            return Err(classify(FailedResponse {
                status: status.as_u16(),
                content_type: &content_type,
                cf_mitigated,
                retry_after,
                body: &body,
            }));
        }
        if content_type.contains("text/html") {
            return Err(ApiError::BadResponse {
                detail: "an HTML page instead of JSON".into(),
            });
        }
        Ok(body)
    }

    async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, ApiError> {
        let body = self
            .send(
                Method::GET,
                path,
                query,
                Replay::Read,
                Sentinel::NotNeeded,
                || async { Ok(Payload::None) },
            )
            .await?;
        parse_json(&body)
    }

    pub(super) async fn post_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        sentinel: Sentinel,
    ) -> Result<T, ApiError> {
        let bytes = serde_json::to_vec(body).map_err(|e| ApiError::InvalidInput(e.to_string()))?;
        let body = self
            .send(Method::POST, path, &[], Replay::Never, sentinel, || {
                let bytes = bytes.clone();
                async move { Ok(Payload::Json(bytes)) }
            })
            .await?;
        parse_json(&body)
    }

    async fn delete(&self, path: &str) -> Result<(), ApiError> {
        self.send(
            Method::DELETE,
            path,
            &[],
            Replay::Never,
            Sentinel::NotNeeded,
            || async { Ok(Payload::None) },
        )
        .await
        .map(drop)
    }

    async fn create(&self, path: &str, body: &impl Serialize) -> Result<String, ApiError> {
        let resp: IdResponse = self.post_json(path, body, Sentinel::Needed).await?;
        resp.id
            .filter(|id| !id.is_empty())
            .ok_or_else(|| ApiError::BadResponse {
                detail: format!("{path} answered without a task id"),
            })
    }

    // ---- account ----

    /// `GET /me`: the account behind the token; also the token check at start-up.
    pub async fn me(&self) -> Result<Me, ApiError> {
        let answer: MeAnswer = self.get_json("/me", &[]).await?;
        answer.0.ok_or_else(|| ApiError::BadResponse {
            detail: "/me did not describe an account".into(),
        })
    }

    /// `GET /nf/check`: remaining videos; `None` when the account has no Sora 2 access (404).
    pub async fn quota(&self) -> Result<Option<Quota>, ApiError> {
        #[derive(serde::Deserialize)]
        struct Body {
            rate_limit_and_credit_balance: Option<Quota>,
        }
        match self.get_json::<Body>("/nf/check", &[]).await {
            Ok(b) => Ok(b.rate_limit_and_credit_balance),
            Err(ApiError::Rejected { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    // ---- images ----

    /// `POST /uploads`: uploads a PNG/JPEG/WebP (checked by content) and returns its media id.
    pub async fn upload_image(&self, path: &Path) -> Result<String, ApiError> {
        let (bytes, kind) = read_upload(
            path,
            MAX_IMAGE_BYTES,
            FileType::is_image,
            "a PNG, JPEG or WebP image",
        )
        .await?;
        let bytes = Bytes::from(bytes);
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "image".into());
        // The bytes are read once; each attempt gets a new form over the same buffer.
        let form = || {
            let part = reqwest::multipart::Part::stream(bytes.clone())
                .file_name(file_name.clone())
                .mime_str(kind.mime())
                .map_err(|e| ApiError::InvalidInput(e.to_string()));
            let file_name = file_name.clone();
            async move {
                Ok(Payload::Multipart(
                    reqwest::multipart::Form::new()
                        .part("file", part?)
                        .text("file_name", file_name),
                ))
            }
        };
        let body = self
            .send(
                Method::POST,
                "/uploads",
                &[],
                Replay::Upload,
                Sentinel::NotNeeded,
                form,
            )
            .await?;
        let resp: IdResponse = parse_json(&body)?;
        resp.id
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::BadResponse {
                detail: "/uploads answered without a media id".into(),
            })
    }

    /// `POST /video_gen`: starts an image generation, from text or from an uploaded image.
    pub async fn create_image(
        &self,
        prompt: &str,
        shape: ImageShape,
        n_variants: u32,
        upload_media_id: Option<&str>,
    ) -> Result<String, ApiError> {
        let (width, height) = shape.dimensions();
        let body = ImageGenBody {
            kind: "image_gen",
            operation: if upload_media_id.is_some() {
                "remix"
            } else {
                "simple_compose"
            },
            prompt: prompt.to_string(),
            width,
            height,
            n_variants: n_variants.max(1),
            n_frames: 1,
            inpaint_items: upload_media_id
                .map(|id| ImageInpaintItem {
                    kind: "image",
                    frame_index: 0,
                    upload_media_id: id.to_string(),
                })
                .into_iter()
                .collect(),
        };
        self.create("/video_gen", &body).await
    }

    /// `GET /v2/recent_tasks?limit=N`: recent image tasks, newest first.
    pub async fn recent_tasks(&self, limit: u32) -> Result<Vec<TaskInfo>, ApiError> {
        let body: RecentTasksBody = self
            .get_json("/v2/recent_tasks", &[("limit", limit.to_string())])
            .await?;
        Ok(body.task_responses)
    }

    // ---- video ----

    /// `POST /nf/create`: text-to-video, or image-to-video when `upload_id` is given.
    pub async fn create_video(
        &self,
        prompt: &str,
        settings: VideoSettings,
        upload_id: Option<&str>,
    ) -> Result<String, ApiError> {
        self.create("/nf/create", &video_body(prompt, settings, upload_id))
            .await
    }

    /// `POST /nf/create` remix of a published video; `target` may be a share link or an id.
    pub async fn create_remix(
        &self,
        prompt: &str,
        settings: VideoSettings,
        target: &str,
    ) -> Result<String, ApiError> {
        let target = remix_target_id(target).map_err(ApiError::InvalidInput)?;
        self.create("/nf/create", &remix_body(prompt, settings, target))
            .await
    }

    /// `POST /nf/create/storyboard` with the exact storyboard text (see `storyboard::prompt_text`).
    pub async fn create_storyboard(
        &self,
        prompt_text: &str,
        settings: VideoSettings,
    ) -> Result<String, ApiError> {
        self.create(
            "/nf/create/storyboard",
            &storyboard_body(prompt_text, settings),
        )
        .await
    }

    /// `GET /nf/pending`: unfinished video tasks; falls back to `/nf/pending/v2` on 404 and
    /// remembers that it did.
    pub async fn pending(&self) -> Result<Vec<TaskInfo>, ApiError> {
        let read = |path: &'static str| async move {
            let body: PendingBody = self.get_json(path, &[]).await?;
            Ok::<_, ApiError>(match body {
                PendingBody::Bare(items) | PendingBody::Wrapped { items } => items,
            })
        };
        if self.pending_v2.load(Ordering::Relaxed) {
            return read("/nf/pending/v2").await;
        }
        match read("/nf/pending").await {
            Err(ApiError::Rejected { status: 404, .. }) => {
                let items = read("/nf/pending/v2").await?;
                self.pending_v2.store(true, Ordering::Relaxed);
                Ok(items)
            }
            other => other,
        }
    }

    /// `GET /project_y/profile/drafts`: one page of drafts, newest first; falls back to the
    /// `/v2` path on 404 and remembers.
    pub async fn drafts(&self, limit: u32, cursor: Option<&str>) -> Result<DraftsPage, ApiError> {
        let mut query = vec![("limit", limit.to_string())];
        if let Some(c) = cursor {
            query.push(("cursor", c.to_string()));
        }
        let query = &query;
        let read =
            |path: &'static str| async move { self.get_json::<DraftsPage>(path, query).await };
        if self.drafts_v2.load(Ordering::Relaxed) {
            return read("/project_y/profile/drafts/v2").await;
        }
        match read("/project_y/profile/drafts").await {
            Err(ApiError::Rejected { status: 404, .. }) => {
                let page = read("/project_y/profile/drafts/v2").await?;
                self.drafts_v2.store(true, Ordering::Relaxed);
                Ok(page)
            }
            other => other,
        }
    }

    // ---- publishing ----

    /// `POST /project_y/post`: publishes a draft; returns the post (`post.id` is `s_…`). A
    /// post id that is not [`super::id::valid_id`] is an error.
    pub async fn publish(&self, generation_id: &str) -> Result<Post, ApiError> {
        let body = PostBody {
            attachments_to_create: vec![PostAttachmentRef {
                generation_id: generation_id.to_string(),
                kind: "sora",
            }],
            post_text: String::new(),
        };
        let env: PostEnvelope = self
            .post_json("/project_y/post", &body, Sentinel::Needed)
            .await?;
        let post = env
            .post
            .filter(|p| !p.id.is_empty())
            .ok_or_else(|| ApiError::BadResponse {
                detail: "/project_y/post answered without post.id".into(),
            })?;
        // Checked here so no caller prints, copies or requests with an id that is not one.
        super::id::checked_id("post", &post.id)?;
        Ok(post)
    }

    /// `GET /project_y/profile_feed/me?limit=N&cut=nf2[&cursor=C]`: one page of the
    /// account's own published posts, newest first (read by the archive).
    pub async fn my_posts(&self, limit: u32, cursor: Option<&str>) -> Result<PostsPage, ApiError> {
        let mut query = vec![("limit", limit.to_string()), ("cut", "nf2".to_string())];
        if let Some(c) = cursor {
            query.push(("cursor", c.to_string()));
        }
        self.get_json("/project_y/profile_feed/me", &query).await
    }

    /// `GET /project_y/post/{id}`.
    pub async fn get_post(&self, post_id: &str) -> Result<Post, ApiError> {
        let env: PostEnvelope = self
            .get_json(
                &format!("/project_y/post/{}", segment("post", post_id)?),
                &[],
            )
            .await?;
        env.post.ok_or_else(|| ApiError::BadResponse {
            detail: "the post answer had no post".into(),
        })
    }

    /// `DELETE /project_y/post/{id}`: unpublishes.
    pub async fn delete_post(&self, post_id: &str) -> Result<(), ApiError> {
        self.delete(&format!("/project_y/post/{}", segment("post", post_id)?))
            .await
    }

    // ---- cameos ----

    /// `POST /characters/upload`: streams an MP4 (checked by content and size) with the clip's
    /// `start,end` seconds; returns the cameo id.
    pub async fn upload_cameo_video(
        &self,
        path: &Path,
        timestamps: (f64, f64),
    ) -> Result<String, ApiError> {
        let (start, end) = timestamps;
        if !(start >= 0.0 && end > start) {
            return Err(ApiError::InvalidInput(format!(
                "the clip {start},{end} is empty: give start and end seconds with start < end, e.g. 0,3"
            )));
        }
        let timestamps = format!("{},{}", fmt_secs(start), fmt_secs(end));
        // Checked once up front so a wrong file fails before any request; every attempt then
        // reopens the file, because a streamed body is used up by sending it.
        open_upload(
            path,
            MAX_VIDEO_BYTES,
            |k| k == FileType::Mp4,
            "an MP4 video",
        )
        .await?;
        let form = || {
            let timestamps = timestamps.clone();
            async move {
                let (file, len) = open_upload(
                    path,
                    MAX_VIDEO_BYTES,
                    |k| k == FileType::Mp4,
                    "an MP4 video",
                )
                .await?;
                let part = reqwest::multipart::Part::stream_with_length(file, len)
                    .file_name("video.mp4")
                    .mime_str("video/mp4")
                    .map_err(|e| ApiError::InvalidInput(e.to_string()))?;
                Ok(Payload::Multipart(
                    reqwest::multipart::Form::new()
                        .part("file", part)
                        .text("timestamps", timestamps),
                ))
            }
        };
        let body = self
            .send(
                Method::POST,
                "/characters/upload",
                &[],
                Replay::Upload,
                Sentinel::NotNeeded,
                form,
            )
            .await?;
        let resp: IdResponse = parse_json(&body)?;
        resp.id
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::BadResponse {
                detail: "/characters/upload answered without a cameo id".into(),
            })
    }

    /// `GET /project_y/cameos/in_progress/{id}`.
    pub async fn cameo_progress(&self, cameo_id: &str) -> Result<CameoProgress, ApiError> {
        self.get_json(
            &format!(
                "/project_y/cameos/in_progress/{}",
                segment("cameo", cameo_id)?
            ),
            &[],
        )
        .await
    }

    /// `POST /project_y/file/upload` with `use_case=profile`: returns the `sediment://` pointer.
    pub async fn upload_profile_image(&self, webp: Bytes) -> Result<String, ApiError> {
        if FileType::sniff(&webp) != Some(FileType::Webp) {
            return Err(ApiError::BadResponse {
                detail: "the profile image from the server is not a WebP file".into(),
            });
        }
        let form = || {
            let part = reqwest::multipart::Part::stream(webp.clone())
                .file_name("profile.webp")
                .mime_str("image/webp")
                .map_err(|e| ApiError::InvalidInput(e.to_string()));
            async move {
                Ok(Payload::Multipart(
                    reqwest::multipart::Form::new()
                        .part("file", part?)
                        .text("use_case", "profile"),
                ))
            }
        };
        let body = self
            .send(
                Method::POST,
                "/project_y/file/upload",
                &[],
                Replay::Upload,
                Sentinel::NotNeeded,
                form,
            )
            .await?;
        #[derive(serde::Deserialize)]
        struct Resp {
            asset_pointer: Option<String>,
        }
        let resp: Resp = parse_json(&body)?;
        resp.asset_pointer
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::BadResponse {
                detail: "/project_y/file/upload answered without asset_pointer".into(),
            })
    }

    /// `POST /characters/finalize`: returns the character id.
    pub async fn finalize_cameo(
        &self,
        cameo_id: &str,
        username: &str,
        display_name: &str,
        profile_asset_pointer: &str,
    ) -> Result<String, ApiError> {
        let body = FinalizeBody {
            cameo_id: cameo_id.to_string(),
            username: username.to_string(),
            display_name: display_name.to_string(),
            profile_asset_pointer: profile_asset_pointer.to_string(),
            instruction_set: None,
            safety_instruction_set: None,
        };
        let answer: FinalizeAnswer = self
            .post_json("/characters/finalize", &body, Sentinel::NotNeeded)
            .await?;
        answer
            .character
            .and_then(|c| c.character_id)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::BadResponse {
                detail: "/characters/finalize answered without character.character_id".into(),
            })
    }

    /// `POST /project_y/cameos/by_id/{cameo_id}/update_v2`: public or private. Keyed by the
    /// cameo id, not the character id.
    pub async fn set_cameo_visibility(&self, cameo_id: &str, public: bool) -> Result<(), ApiError> {
        let body = serde_json::json!({ "visibility": if public { "public" } else { "private" } });
        let path = format!(
            "/project_y/cameos/by_id/{}/update_v2",
            segment("cameo", cameo_id)?
        );
        let body_bytes =
            serde_json::to_vec(&body).map_err(|e| ApiError::InvalidInput(e.to_string()))?;
        // Not resent either: setting visibility is harmless to repeat, but a failed call is
        // shown to the user, who can simply press the key again.
        self.send(
            Method::POST,
            &path,
            &[],
            Replay::Never,
            Sentinel::NotNeeded,
            || {
                let bytes = body_bytes.clone();
                async move { Ok(Payload::Json(bytes)) }
            },
        )
        .await
        .map(drop)
    }

    /// `DELETE /project_y/characters/{character_id}`.
    pub async fn delete_character(&self, character_id: &str) -> Result<(), ApiError> {
        self.delete(&format!(
            "/project_y/characters/{}",
            segment("character", character_id)?
        ))
        .await
    }

    // ---- media ----

    pub(super) fn media_request(&self, url: &str) -> Result<reqwest::RequestBuilder, ApiError> {
        let url = Url::parse(url).map_err(|e| ApiError::BadResponse {
            detail: format!("the media link is not a URL ({e})"),
        })?;
        check_url(&url)?;
        // Deliberately no Authorization: media links are pre-signed and may live on another host.
        Ok(self.media.get(url))
    }

    /// Fetches a small media file (a profile image, a thumbnail) into memory.
    /// A read, so retried under the policy like any other.
    pub async fn fetch_media(&self, url: &str, max_bytes: usize) -> Result<Bytes, ApiError> {
        retry::run(
            &self.retry,
            self.observer.as_ref(),
            "GET media",
            Replay::Read,
            || async {
                let resp = self
                    .media_request(url)?
                    .timeout(self.request_timeout)
                    .send()
                    .await
                    .map_err(|e| ApiError::from_transport(&e))?;
                let status = resp.status();
                if !status.is_success() {
                    return Err(media_status_error(status.as_u16()));
                }
                read_limited(resp, max_bytes).await
            },
        )
        .await
    }
}

/// One reqwest client with the settings of `config` and the given redirect policy.
fn http_client(
    config: &ClientConfig,
    base: &Url,
    redirect: reqwest::redirect::Policy,
) -> Result<reqwest::Client, ApiError> {
    let mut builder = reqwest::Client::builder()
        .user_agent(config.user_agent.clone())
        .connect_timeout(Duration::from_secs(15))
        .read_timeout(config.read_timeout)
        .redirect(redirect);
    if is_loopback(base) {
        builder = builder.no_proxy();
    } else if let Some(proxy) = config.proxy.as_deref().filter(|p| !p.trim().is_empty()) {
        let proxy = reqwest::Proxy::all(proxy.trim()).map_err(|e| {
            ApiError::InvalidInput(format!(
                "the proxy {proxy:?} is not usable ({e}): fix `proxy` in the config or HTTPS_PROXY"
            ))
        })?;
        builder = builder.proxy(proxy);
    }
    builder
        .build()
        .map_err(|e| ApiError::InvalidInput(format!("cannot set up HTTP: {e}")))
}

fn fmt_secs(s: f64) -> String {
    if s.fract() == 0.0 {
        format!("{}", s as i64)
    } else {
        format!("{s}")
    }
}

/// Reads a body, refusing more than `max` bytes. An announced length (checked against `max`
/// first) is reserved up front, so the buffer does not grow by doubling past the body.
async fn read_limited(resp: reqwest::Response, max: usize) -> Result<Bytes, ApiError> {
    let too_large = || ApiError::BadResponse {
        detail: format!(
            "the answer is larger than {}",
            crate::text::bytes(max as u64)
        ),
    };
    let announced = resp.content_length();
    if announced.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    let mut out = Vec::with_capacity(announced.map_or(0, |n| n as usize).min(max));
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::from_transport(&e))?;
        if out.len() + chunk.len() > max {
            return Err(too_large());
        }
        out.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(out))
}

/// Parses an answer; a list over its bound (see `types::MAX_LIST_ITEMS`) says so.
fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        let head = body.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let detail = if body.get(head) == Some(&b'<') {
            "an HTML page instead of JSON".to_string()
        } else if let Some(bound) = over_bound(&e) {
            bound
        } else {
            format!("invalid JSON: {e}")
        };
        ApiError::BadResponse { detail }
    })
}

/// Checks an upload file's size and content type; returns its bytes, read with the cap (a
/// file that reports a small size but grows or never ends is refused, not read to its end).
async fn read_upload(
    path: &Path,
    max: u64,
    accept: fn(FileType) -> bool,
    wanted: &str,
) -> Result<(Vec<u8>, FileType), ApiError> {
    use tokio::io::AsyncReadExt;
    let (file, len) = open_upload(path, max, accept, wanted).await?;
    let mut bytes = Vec::with_capacity(usize::try_from(len.min(max)).unwrap_or(0));
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .await
        .map_err(|e| ApiError::Io(format!("cannot read {}: {e}", path.display())))?;
    if bytes.len() as u64 > max {
        return Err(ApiError::InvalidInput(super::filetype::too_large(
            &path.display(),
            bytes.len() as u64,
            max,
        )));
    }
    let kind = FileType::sniff(&bytes)
        .filter(|k| accept(*k))
        .ok_or_else(|| {
            ApiError::InvalidInput(format!(
                "{} changed while reading: choose it again",
                path.display()
            ))
        })?;
    Ok((bytes, kind))
}

/// Opens an upload file after checking its type, its size and its first bytes.
async fn open_upload(
    path: &Path,
    max: u64,
    accept: impl Fn(FileType) -> bool,
    wanted: &str,
) -> Result<(tokio::fs::File, u64), ApiError> {
    use tokio::io::AsyncReadExt;
    let shown = path.display();
    // The type is checked before the file is opened: opening a named pipe blocks until a
    // writer comes, which would hold the upload (and the worker) for good.
    let before = tokio::fs::metadata(path)
        .await
        .map_err(|e| ApiError::InvalidInput(format!("cannot open {shown}: {e}")))?;
    crate::fsutil::check_regular(&before, u64::MAX)
        .map_err(|e| ApiError::InvalidInput(e.message("", path)))?;
    let mut file = tokio::fs::File::open(path)
        .await
        .map_err(|e| ApiError::InvalidInput(format!("cannot open {shown}: {e}")))?;
    // Checked again on what was opened, in case the path changed in between.
    let meta = file
        .metadata()
        .await
        .map_err(|e| ApiError::InvalidInput(format!("cannot read {shown}: {e}")))?;
    crate::fsutil::check_regular(&meta, u64::MAX)
        .map_err(|e| ApiError::InvalidInput(e.message("", path)))?;
    if meta.len() > max {
        return Err(ApiError::InvalidInput(super::filetype::too_large(
            &shown,
            meta.len(),
            max,
        )));
    }
    let mut head = [0u8; super::filetype::SNIFF_BYTES];
    let mut n = 0;
    while n < head.len() {
        let read = file
            .read(&mut head[n..])
            .await
            .map_err(|e| ApiError::InvalidInput(format!("cannot read {shown}: {e}")))?;
        if read == 0 {
            break;
        }
        n += read;
    }
    match FileType::sniff(&head[..n]) {
        Some(kind) if accept(kind) => {}
        _ => {
            return Err(ApiError::InvalidInput(super::filetype::not_wanted(
                &shown,
                &head[..n],
                wanted,
            )));
        }
    }
    use tokio::io::AsyncSeekExt;
    file.seek(std::io::SeekFrom::Start(0))
        .await
        .map_err(|e| ApiError::InvalidInput(format!("cannot read {shown}: {e}")))?;
    Ok((file, meta.len()))
}

/// The body of a text/image-to-video create, exposed so the CLI can print what it sends.
pub fn video_body(prompt: &str, s: VideoSettings, upload_id: Option<&str>) -> VideoCreateBody {
    VideoCreateBody {
        kind: "video",
        prompt: prompt.to_string(),
        orientation: s.orientation.wire(),
        size: s.size.wire(),
        n_frames: s.length.n_frames(),
        model: s.model.wire(),
        inpaint_items: upload_id
            .map(|id| VideoInpaintItem {
                kind: "upload",
                upload_id: id.to_string(),
            })
            .into_iter()
            .collect(),
    }
}

/// The body of a remix create.
pub fn remix_body(prompt: &str, s: VideoSettings, target: String) -> RemixCreateBody {
    RemixCreateBody {
        kind: "video",
        prompt: prompt.to_string(),
        orientation: s.orientation.wire(),
        n_frames: s.length.n_frames(),
        model: s.model.wire(),
        remix_target_id: target,
        inpaint_items: vec![],
        cameo_ids: vec![],
        cameo_replacements: serde_json::Map::new(),
    }
}

/// The body of a storyboard create, with its nulls (docs/api.md#request-bodies).
pub fn storyboard_body(prompt_text: &str, s: VideoSettings) -> StoryboardCreateBody {
    StoryboardCreateBody {
        kind: "video",
        prompt: prompt_text.to_string(),
        title: "Draft your video".to_string(),
        orientation: s.orientation.wire(),
        size: s.size.wire(),
        n_frames: s.length.n_frames(),
        model: s.model.wire(),
        storyboard_id: None,
        inpaint_items: vec![],
        remix_target_id: None,
        metadata: None,
        style_id: None,
        cameo_ids: None,
        cameo_replacements: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_loopback() {
        for ok in [
            "https://sora.chatgpt.com/backend",
            "http://127.0.0.1:9/backend",
            "http://localhost:1",
            "http://[::1]:2/x",
        ] {
            assert!(check_url(&Url::parse(ok).unwrap()).is_ok(), "{ok}");
        }
        for bad in [
            "http://sora.chatgpt.com/backend",
            "http://10.0.0.1/",
            "ftp://127.0.0.1/",
        ] {
            assert!(check_url(&Url::parse(bad).unwrap()).is_err(), "{bad}");
        }
    }

    #[test]
    fn ipv4_mapped_addresses_count_as_what_they_map_to() {
        for (url, loopback) in [
            ("http://[::ffff:127.0.0.2]:9/x", true),
            ("http://[::ffff:127.0.0.1]/", true),
            ("http://[::ffff:7f00:1]/", true),
            ("http://[::ffff:10.0.0.1]/", false),
            ("http://[::ffff:192.168.1.1]:80/", false),
            ("http://[::1]/", true),
            ("http://[::2]/", false),
            ("http://127.0.0.2/", true),
        ] {
            let url = Url::parse(url).unwrap();
            assert_eq!(is_loopback(&url), loopback, "{url}");
            assert_eq!(check_url(&url).is_ok(), loopback, "{url}");
        }
        let refused = check_url(&Url::parse("http://[::ffff:10.0.0.1]/").unwrap()).unwrap_err();
        assert!(
            refused.to_string().contains("[::ffff:a00:1]") && refused.to_string().contains("https"),
            "{refused}"
        );
    }

    #[test]
    fn a_redirect_is_named_by_its_host_only() {
        let from = Url::parse("http://127.0.0.1:5/backend/me").unwrap();
        let at = |l: &str| redirect_target(&from, Some(&HeaderValue::from_str(l).unwrap()));
        assert_eq!(at("http://127.0.0.2:8080/steal?token=x"), "127.0.0.2:8080");
        assert_eq!(at("https://evil.example/a"), "evil.example");
        assert_eq!(at("/elsewhere"), "127.0.0.1:5");
        assert_eq!(redirect_target(&from, None), "an unreadable location");
        let e = ApiError::Redirected {
            status: 302,
            target: "127.0.0.2:8080".into(),
        };
        assert!(e.to_string().contains("127.0.0.2:8080"), "{e}");
        assert!(e.to_string().contains("--base-url"), "{e}");
        // Not worth resending, and a redirected create was not processed here.
        assert!(!e.is_transient() && !e.maybe_accepted());
        assert!(!Replay::Upload.may_resend(&e) && !Replay::Read.may_resend(&e));
    }

    #[test]
    fn ids_cannot_change_the_path() {
        assert_eq!(segment("post", "s_abc-1"), Ok("s_abc-1"));
        for bad in [
            "",
            ".",
            "..",
            "../me",
            "%2E%2E",
            "a?b#c",
            "a/b",
            "x\u{202e}",
        ] {
            let e = segment("post", bad).unwrap_err();
            assert!(matches!(e, ApiError::BadResponse { .. }), "{bad:?}: {e:?}");
            assert!(e.to_string().contains("the post id"), "{e}");
        }
    }

    #[test]
    fn bodies_match_the_seed() {
        let s = VideoSettings::default();
        let v = serde_json::to_value(video_body("a cat", s, Some("media_1"))).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"kind":"video","prompt":"a cat","orientation":"landscape","size":"small",
                "n_frames":300,"model":"sy_8","inpaint_items":[{"kind":"upload","upload_id":"media_1"}]})
        );
        let r = serde_json::to_value(remix_body("x", s, "s_1".into())).unwrap();
        assert_eq!(
            r,
            serde_json::json!({"kind":"video","prompt":"x","orientation":"landscape","n_frames":300,"model":"sy_8",
                "remix_target_id":"s_1","inpaint_items":[],"cameo_ids":[],"cameo_replacements":{}})
        );
        let b = serde_json::to_value(storyboard_body("current timeline:\n", s)).unwrap();
        assert_eq!(
            b,
            serde_json::json!({"kind":"video","prompt":"current timeline:\n","title":"Draft your video",
                "orientation":"landscape","size":"small","n_frames":300,"model":"sy_8","storyboard_id":null,
                "inpaint_items":[],"remix_target_id":null,"metadata":null,"style_id":null,"cameo_ids":null,
                "cameo_replacements":null})
        );
    }
}
