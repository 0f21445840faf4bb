//! Fault injection: rules that make chosen routes misbehave the way the live service and its
//! network path do, so the client's error handling can be tested.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use futures_util::StreamExt;

use super::errors::ApiError;
use super::ids;

/// How long a truncated answer waits after its partial body before dropping the connection.
const FLUSH_PAUSE: std::time::Duration = std::time::Duration::from_millis(50);
/// Where [`Fault::EndlessBody`] ends after all: far beyond any cap a test sets, yet quick
/// to send over loopback.
pub const ENDLESS_LIMIT: u64 = 64 * 1024 * 1024;

/// One fault rule: which requests it hits, what it does and how many times.
#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
pub struct FaultRule {
    /// HTTP method to match (case-insensitive); `None` matches any method.
    #[serde(default)]
    pub method: Option<String>,
    /// Path without `/backend`, matched as a segment prefix ("/nf/pending" also hits
    /// "/nf/pending/v2"); "/media" targets media downloads; "*" hits every route.
    pub path: String,
    /// What happens to a matching request.
    pub fault: Fault,
    /// `None`: until cleared; `Some(n)`: only the next `n` matching requests.
    #[serde(default)]
    pub times: Option<u32>,
}

/// What an injected fault does to a request.
#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Fault {
    /// Waits `ms` milliseconds, then answers normally (combines with a later non-latency rule).
    Latency {
        /// Delay in milliseconds.
        ms: u64,
    },
    /// 401 `token_invalidated`, as when the session token is revoked or expired.
    TokenInvalidated,
    /// 400 `sentinel_block`, the anti-bot rejection ("Hmmm something didn't look right…").
    SentinelBlock,
    /// 400 `invalid_request` "Unable to process request", the terse refusal of a create.
    InvalidRequest,
    /// 429 from Cloudflare's shield in front of the API: the short JSON body
    /// `{"error":{"code":"cf_shield_429","message":…}}` with a `cf-ray` header and no
    /// `Retry-After`.
    #[serde(rename = "cf_shield_429")]
    CfShield429,
    /// `unsupported_country_code` with the country in `error.param` (403: the live status is
    /// not recorded).
    UnsupportedCountryCode {
        /// The ISO country code named in `error.param`; `CN` when not given.
        #[serde(default)]
        country: Option<String>,
    },
    /// 400 `heavy_load`, the overload answer.
    HeavyLoad,
    /// 403 Cloudflare "Just a moment..." HTML challenge page.
    Cloudflare,
    /// 429 `rate_limit_exceeded` with a `Retry-After` header.
    RateLimited {
        /// Seconds announced in `Retry-After`.
        retry_after_secs: u64,
    },
    /// 500 JSON error envelope.
    ServerError,
    /// 200 `application/json` whose body is not valid JSON.
    InvalidJson,
    /// The connection drops before a complete response (the request is not processed).
    ConnectionReset,
    /// The request is processed, then the answer announces its full Content-Length but only half
    /// of the body is sent before the connection drops (meant for `/media`, works anywhere).
    TruncatedBody,
    /// 404 JSON envelope, e.g. to emulate the live service moving a route to `/v2`.
    Gone404,
    /// The request is processed for real (the handler runs, so a create really creates its
    /// task or post), then the answer is replaced by that of `then`: the ambiguous create
    /// whose effect happened although the client only heard a 500 or an unreadable answer.
    ProcessedThen {
        /// The fault that shapes the answer: one that replaces it (`server_error`,
        /// `invalid_json`, `respond`, `connection_reset`, …) is sent instead of the real one;
        /// one that works on the real answer (`truncated_body`, `trickle`, `short_range`,
        /// `latency`) does what it does alone.
        then: Box<Fault>,
    },
    /// The request is processed, then the real answer's first half is sent as a complete,
    /// cleanly ended 206 whose `Content-Range` still announces the full length (`bytes
    /// 0-HALF/FULL`), as a server or cache that ends a range early does. Nothing breaks on the
    /// wire, so only a client that compares the bytes with the announced total notices
    /// (meant for `/media`; an answer that is not a success, or of less than two bytes, is
    /// sent unchanged).
    ShortRange,
    /// A JSON answer of about `bytes` bytes made of one tiny item repeated: `[{},{},…]` by
    /// default, `{"items":[{},…]}` with `head`/`tail`, or a list inside an element (`head`
    /// `{"items":[{"generations":[`). Cheap to send, costly to a parser that builds a
    /// structure per item. Streamed in pieces without `Content-Length`, so the simulator
    /// holds none of it and the client reads until its own cap.
    AmplifiedList {
        /// Body size to reach (at least one item is sent).
        bytes: u64,
        /// Text before the items; `[` when not given.
        #[serde(default)]
        head: Option<String>,
        /// One item; `{}` when not given.
        #[serde(default)]
        item: Option<String>,
        /// Text after the items; `]` when not given.
        #[serde(default)]
        tail: Option<String>,
        /// HTTP status; 200 when not given.
        #[serde(default)]
        status: Option<u16>,
    },
    /// The normal answer, with its full `Content-Length`, but slow: the first `after_bytes`
    /// of the body at once, then the rest in `chunk`-byte pieces `every_ms` apart. A huge
    /// `chunk` is a stall (one pause, then the rest); `chunk: 1` is a trickle.
    Trickle {
        /// Bytes sent before the first pause.
        after_bytes: u64,
        /// Bytes per piece after that (at least 1).
        chunk: u64,
        /// Pause before each piece, in milliseconds.
        every_ms: u64,
    },
    /// A hostile answer in place of a picture, with status 200 (meant for `/media`): an HTML
    /// page, a cut-off WebP, a tiny PNG claiming 20000×20000 pixels, or a 5 MiB body sent
    /// without a length (see `picture::BadPicture`).
    BadPicture {
        /// Which one.
        picture: super::picture::BadPicture,
    },
    /// 200 `video/mp4` with no `Content-Length` and a body that does not end: an MP4 header,
    /// then zeros, until the client hangs up (the simulator stops at [`ENDLESS_LIMIT`], so a
    /// client without a cap cannot hold a test forever).
    EndlessBody,
    /// A canned answer chosen by the test: any status, headers and body. Stands in for a
    /// hostile or broken server (a redirect with `Location`, hostile ids and text, odd shapes)
    /// without a second server program.
    Respond {
        /// The HTTP status.
        status: u16,
        /// Extra headers, e.g. `["location", "http://127.0.0.2:9/x"]`.
        #[serde(default)]
        headers: Vec<(String, String)>,
        /// The body, sent as it is.
        #[serde(default)]
        body: String,
        /// `Content-Type`; `application/json` when not given.
        #[serde(default)]
        content_type: Option<String>,
    },
}

/// What the rules decided for one request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Decision {
    /// Total delay from matching latency rules.
    pub latency_ms: u64,
    /// The first matching non-latency fault, if any.
    pub fault: Option<Fault>,
}

/// The active rules, in the order they were added.
#[derive(Debug, Default)]
pub struct FaultBook {
    rules: Vec<FaultRule>,
}

impl FaultBook {
    /// Adds a rule at the end.
    pub fn push(&mut self, mut rule: FaultRule) {
        if let Some(rest) = rule.path.strip_prefix("/backend") {
            rule.path = if rest.is_empty() {
                "/".into()
            } else {
                rest.into()
            };
        }
        self.rules.push(rule);
    }

    /// Removes every rule.
    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// The active rules.
    pub fn rules(&self) -> &[FaultRule] {
        &self.rules
    }

    /// Applies the rules to a request: every matching latency rule adds its delay, the first
    /// matching other rule is the fault. Matched rules with a count are consumed.
    pub fn decide(&mut self, method: &str, path: &str) -> Decision {
        let mut decision = Decision::default();
        for rule in &mut self.rules {
            if decision.fault.is_some() {
                break;
            }
            if rule.times == Some(0) || !rule.matches(method, path) {
                continue;
            }
            if let Some(n) = rule.times.as_mut() {
                *n -= 1;
            }
            match &rule.fault {
                Fault::Latency { ms } => {
                    decision.latency_ms = decision.latency_ms.saturating_add(*ms)
                }
                other => decision.fault = Some(other.clone()),
            }
        }
        self.rules.retain(|r| r.times != Some(0));
        decision
    }
}

impl FaultRule {
    fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = self
            .method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method));
        method_ok && path_matches(&self.path, path)
    }
}

/// Segment-aware prefix match: "/nf/pending" hits "/nf/pending" and "/nf/pending/v2" but not
/// "/nf/pendingx"; "*" hits everything.
fn path_matches(pattern: &str, path: &str) -> bool {
    if pattern == "*" || pattern == "/" || pattern.is_empty() {
        return true;
    }
    let pattern = pattern.strip_suffix('/').unwrap_or(pattern);
    match path.strip_prefix(pattern) {
        Some(rest) => rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}

/// The answer for a fault that replaces the response outright (not latency or truncation).
pub fn response(fault: &Fault) -> Response {
    match fault {
        Fault::TokenInvalidated => ApiError::token_invalidated().into_response(),
        Fault::SentinelBlock => ApiError::sentinel_block().into_response(),
        Fault::InvalidRequest => ApiError::invalid_request().into_response(),
        Fault::CfShield429 => cf_shield_429(),
        Fault::UnsupportedCountryCode { country } => {
            ApiError::unsupported_country(country.as_deref().unwrap_or(DEFAULT_COUNTRY))
                .into_response()
        }
        Fault::HeavyLoad => ApiError::heavy_load().into_response(),
        Fault::RateLimited { retry_after_secs } => {
            ApiError::rate_limited(*retry_after_secs).into_response()
        }
        Fault::ServerError => ApiError::server_error().into_response(),
        Fault::Gone404 => ApiError::not_found("Not found").into_response(),
        Fault::Cloudflare => cloudflare_challenge(),
        Fault::InvalidJson => {
            let mut r = Response::new(Body::from(r#"{"items":[{"id":"gen_01k9h4"#));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            r
        }
        Fault::ConnectionReset => connection_reset(),
        Fault::AmplifiedList {
            bytes,
            head,
            item,
            tail,
            status,
        } => amplified(
            *bytes,
            head.as_deref().unwrap_or("["),
            item.as_deref().unwrap_or("{}"),
            tail.as_deref().unwrap_or("]"),
            status.unwrap_or(200),
        ),
        Fault::Respond {
            status,
            headers,
            body,
            content_type,
        } => canned(*status, headers, body, content_type.as_deref()),
        Fault::EndlessBody => endless(),
        Fault::BadPicture { picture } => bad_picture(*picture),
        Fault::ProcessedThen { then } => response(then),
        // Not meant to get here (the server processes these), but answer something sane.
        Fault::Latency { .. }
        | Fault::TruncatedBody
        | Fault::Trickle { .. }
        | Fault::ShortRange => connection_reset(),
    }
}

/// Takes off the [`Fault::ProcessedThen`] wrappers: whether the real handler must run before
/// the answer is made, and the fault that then shapes the answer.
pub fn unwrap_processed(fault: Option<Fault>) -> (bool, Option<Fault>) {
    let mut processed = false;
    let mut fault = fault;
    while let Some(Fault::ProcessedThen { then }) = fault {
        processed = true;
        fault = Some(*then);
    }
    (processed, fault)
}

/// Builds a [`Fault::Respond`] answer; headers that are not valid HTTP are skipped.
fn canned(
    status: u16,
    headers: &[(String, String)],
    body: &str,
    content_type: Option<&str>,
) -> Response {
    let mut r = Response::new(Body::from(body.to_string()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type.unwrap_or("application/json")) {
        h.insert(header::CONTENT_TYPE, v);
    }
    for (name, value) in headers {
        if let (Ok(n), Ok(v)) = (
            header::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            h.append(n, v);
        }
    }
    r
}

/// The body of [`Fault::AmplifiedList`]: `head`, then `item` repeated with commas between
/// until the body is about `bytes` long, then `tail`; sent as shared 64 KiB pieces.
fn amplified(bytes: u64, head: &str, item: &str, tail: &str, status: u16) -> Response {
    const PIECE: usize = 64 * 1024;
    let fixed = (head.len() + item.len() + tail.len()) as u64;
    let unit = format!("{item},");
    // Items before the last one, each with its comma.
    let leading = bytes.saturating_sub(fixed) / unit.len() as u64;
    let per_piece = (PIECE / unit.len()).max(1);
    let piece = bytes::Bytes::from(unit.repeat(per_piece));
    let full_pieces = leading / per_piece as u64;
    let rest = bytes::Bytes::from(unit.repeat((leading % per_piece as u64) as usize));
    let parts = std::iter::once(bytes::Bytes::from(head.to_owned()))
        .chain(std::iter::repeat_n(piece, full_pieces as usize))
        .chain([rest, bytes::Bytes::from(format!("{item}{tail}"))])
        .map(Ok::<_, std::convert::Infallible>);
    let mut r = Response::new(Body::from_stream(futures_util::stream::iter(parts)));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// A response whose body fails at once: hyper aborts the connection without completing it.
pub fn connection_reset() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<bytes::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "simulated connection reset",
        ))
    });
    Response::new(Body::from_stream(stream))
}

/// Re-emits `response` with its full `Content-Length` but only the first half of its body, then
/// fails the stream so the connection drops.
pub async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(full) = axum::body::to_bytes(body, usize::MAX).await else {
        return connection_reset();
    };
    if full.is_empty() {
        return connection_reset();
    }
    let sent = full.slice(..full.len() / 2);
    // The pause lets hyper flush the head and the partial body before the error aborts the
    // connection (an immediate error would discard them).
    let failure = futures_util::stream::once(async {
        tokio::time::sleep(FLUSH_PAUSE).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "simulated truncated body",
        ))
    });
    let stream = futures_util::stream::iter([Ok(sent)]).chain(failure);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(full.len()));
    Response::from_parts(parts, Body::from_stream(stream))
}

/// Re-emits a successful `response` as [`Fault::ShortRange`] describes: a clean 206 carrying
/// the first half of its body, whose `Content-Range` announces the whole. A 206 answer keeps
/// its own start and total, so a resumed request is shortened the same way.
pub async fn short_range(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(full) = axum::body::to_bytes(body, usize::MAX).await else {
        return connection_reset();
    };
    let half = full.len() / 2;
    if !parts.status.is_success() || half == 0 {
        return Response::from_parts(parts, Body::from(full));
    }
    let announced = (parts.status == StatusCode::PARTIAL_CONTENT)
        .then(|| parts.headers.get(header::CONTENT_RANGE))
        .flatten()
        .and_then(|v| v.to_str().ok())
        .and_then(range_start_and_total);
    let (start, total) = announced.unwrap_or((0, full.len() as u64));
    let last = start + half as u64 - 1;
    parts.status = StatusCode::PARTIAL_CONTENT;
    if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{last}/{total}")) {
        parts.headers.insert(header::CONTENT_RANGE, v);
    }
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(half));
    Response::from_parts(parts, Body::from(full.slice(..half)))
}

/// `bytes FIRST-LAST/TOTAL` → `(FIRST, TOTAL)`.
fn range_start_and_total(v: &str) -> Option<(u64, u64)> {
    let (range, total) = v.trim().strip_prefix("bytes ")?.split_once('/')?;
    let (first, _) = range.split_once('-')?;
    Some((first.trim().parse().ok()?, total.trim().parse().ok()?))
}

/// Re-emits `response` with its full `Content-Length`, its body slowed down as
/// [`Fault::Trickle`] describes.
pub async fn trickle(response: Response, after_bytes: u64, chunk: u64, every_ms: u64) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(full) = axum::body::to_bytes(body, usize::MAX).await else {
        return connection_reset();
    };
    let head = full
        .len()
        .min(usize::try_from(after_bytes).unwrap_or(usize::MAX));
    let chunk = usize::try_from(chunk.max(1)).unwrap_or(usize::MAX);
    let pause = std::time::Duration::from_millis(every_ms);
    let pieces: Vec<bytes::Bytes> = (head..full.len())
        .step_by(chunk)
        .map(|at| full.slice(at..full.len().min(at.saturating_add(chunk))))
        .collect();
    let rest = futures_util::stream::iter(pieces).then(move |piece| async move {
        tokio::time::sleep(pause).await;
        Ok::<_, std::io::Error>(piece)
    });
    let stream = futures_util::stream::iter([Ok(full.slice(..head))]).chain(rest);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(full.len()));
    Response::from_parts(parts, Body::from_stream(stream))
}

/// The [`Fault::EndlessBody`] answer.
fn endless() -> Response {
    const PIECE: usize = 64 * 1024;
    let head = bytes::Bytes::from_static(b"\0\0\0\x20ftypisom\0\0\x02\0isomiso2mp41");
    let zeros = bytes::Bytes::from(vec![0u8; PIECE]);
    let pieces = (ENDLESS_LIMIT as usize).div_ceil(PIECE);
    let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(head)])
        .chain(futures_util::stream::repeat(zeros).take(pieces).map(Ok));
    let mut r = Response::new(Body::from_stream(stream));
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("video/mp4"));
    r
}

/// A [`Fault::BadPicture`] answer: 200 with the hostile body; the oversized one is streamed
/// without `Content-Length`, so only a client that counts what it reads stops it.
fn bad_picture(kind: super::picture::BadPicture) -> Response {
    const PIECE: usize = 64 * 1024;
    let (content_type, body) = super::picture::hostile(kind);
    let mut r = if kind == super::picture::BadPicture::Oversized {
        let pieces: Vec<Result<bytes::Bytes, std::io::Error>> = body
            .chunks(PIECE)
            .map(|c| Ok(bytes::Bytes::copy_from_slice(c)))
            .collect();
        Response::new(Body::from_stream(futures_util::stream::iter(pieces)))
    } else {
        Response::new(Body::from(body))
    };
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// The country [`Fault::UnsupportedCountryCode`] names when the rule gives none.
const DEFAULT_COUNTRY: &str = "CN";

/// The message of [`Fault::CfShield429`]; the live text is not recorded (only the code is).
pub const CF_SHIELD_MESSAGE: &str = "Too many requests from your network. Please try again later.";

/// 429 `cf_shield_429`: Cloudflare's rate limit in front of the API. Its body is the short
/// `{code, message}` form (no `type` or `param`), and it names its `cf-ray` but no wait.
fn cf_shield_429() -> Response {
    let body =
        serde_json::json!({"error": {"code": "cf_shield_429", "message": CF_SHIELD_MESSAGE}});
    let mut r = (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
    let h = r.headers_mut();
    h.insert(header::SERVER, HeaderValue::from_static("cloudflare"));
    if let Ok(v) = HeaderValue::from_str(&format!("{}-AMS", ids::hex(16))) {
        h.insert("cf-ray", v);
    }
    r
}

/// 403 Cloudflare managed challenge, as served to flagged clients.
fn cloudflare_challenge() -> Response {
    let ray = ids::hex(16);
    let html = CLOUDFLARE_HTML.replace("{RAY}", &ray);
    let mut r = (StatusCode::FORBIDDEN, html).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=UTF-8"),
    );
    h.insert("cf-mitigated", HeaderValue::from_static("challenge"));
    h.insert(header::SERVER, HeaderValue::from_static("cloudflare"));
    if let Ok(v) = HeaderValue::from_str(&format!("{ray}-AMS")) {
        h.insert("cf-ray", v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=0, no-store, no-cache, must-revalidate"),
    );
    r
}

const CLOUDFLARE_HTML: &str = r#"<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta http-equiv="X-UA-Compatible" content="IE=Edge"><meta name="robots" content="noindex,nofollow"><meta name="viewport" content="width=device-width,initial-scale=1"><style>*{box-sizing:border-box;margin:0;padding:0}html{line-height:1.15;-webkit-text-size-adjust:100%;color:#313131;font-family:system-ui,-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif}body{display:flex;flex-direction:column;height:100vh;min-height:100vh}.main-content{margin:8rem auto;max-width:60rem;padding-left:1.5rem;padding-right:1.5rem;width:100%}.h2{font-size:1.5rem;font-weight:500;line-height:2.25rem}</style><meta http-equiv="refresh" content="390"></head><body><div class="main-wrapper" role="main"><div class="main-content"><h1 class="zone-name-title h1">sora.chatgpt.com</h1><p class="h2 spacer-bottom">Verifying you are human. This may take a few seconds.</p><noscript><div class="h2"><span id="challenge-error-text">Enable JavaScript and cookies to continue</span></div></noscript></div></div><script>(function(){window._cf_chl_opt={cvId: '3',cZone: "sora.chatgpt.com",cType: 'managed',cRay: '{RAY}',cH: 'sim',cUPMDTk: "\/backend\/?__cf_chl_tk=sim",cFPWv: 'b',cITimeS: '0',cTTimeMs: '1000',cMTimeMs: '390000',cTplC: 0,cTplV: 5,cTplB: 'cf',cK: "",fa: "\/backend\/?__cf_chl_f_tk=sim",md: "sim",mdrd: "sim"};var cpo = document.createElement('script');cpo.src = '/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray={RAY}';window._cf_chl_opt.cOgUHash = location.hash === '' && location.href.indexOf('#') !== -1 ? '#' : location.hash;document.getElementsByTagName('head')[0].appendChild(cpo);}());</script><div class="footer" role="contentinfo"><div class="footer-inner"><div class="clearfix diagnostic-wrapper"><div class="ray-id">Ray ID: <code>{RAY}</code></div></div><div class="text-center" id="footer-text">Performance &amp; security by <a rel="noopener noreferrer" href="https://www.cloudflare.com?utm_source=challenge&amp;utm_campaign=m" target="_blank">Cloudflare</a></div></div></div></body></html>"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(method: Option<&str>, path: &str, fault: Fault, times: Option<u32>) -> FaultRule {
        FaultRule {
            method: method.map(str::to_string),
            path: path.to_string(),
            fault,
            times,
        }
    }

    #[test]
    fn prefix_matching_respects_segments() {
        assert!(path_matches("/nf/pending", "/nf/pending"));
        assert!(path_matches("/nf/pending", "/nf/pending/v2"));
        assert!(!path_matches("/nf/pending", "/nf/pendingx"));
        assert!(path_matches("/media", "/media/gen_x/source.mp4"));
        assert!(path_matches("*", "/me"));
        assert!(!path_matches("/me", "/media/x"));
    }

    #[test]
    fn counted_rules_are_consumed() {
        let mut book = FaultBook::default();
        book.push(rule(Some("get"), "/me", Fault::ServerError, Some(2)));
        assert_eq!(book.decide("POST", "/me").fault, None);
        assert_eq!(book.decide("GET", "/me").fault, Some(Fault::ServerError));
        assert_eq!(book.decide("GET", "/me").fault, Some(Fault::ServerError));
        assert_eq!(book.decide("GET", "/me").fault, None);
        assert!(book.rules().is_empty());
    }

    #[test]
    fn latency_adds_up_and_combines_with_a_fault() {
        let mut book = FaultBook::default();
        book.push(rule(None, "*", Fault::Latency { ms: 10 }, None));
        book.push(rule(None, "/backend/nf", Fault::Latency { ms: 5 }, Some(1)));
        book.push(rule(None, "/nf/create", Fault::HeavyLoad, None));
        book.push(rule(None, "/nf/create", Fault::ServerError, None));
        let d = book.decide("POST", "/nf/create");
        assert_eq!(d.latency_ms, 15);
        assert_eq!(d.fault, Some(Fault::HeavyLoad));
        let d = book.decide("GET", "/nf/pending");
        assert_eq!(
            d,
            Decision {
                latency_ms: 10,
                fault: None
            }
        );
    }

    #[test]
    fn rules_round_trip_as_json() {
        let r: FaultRule = serde_json::from_str(
            r#"{"path":"/media","fault":{"kind":"rate_limited","retry_after_secs":3},"times":1}"#,
        )
        .expect("valid rule");
        assert_eq!(
            r,
            rule(
                None,
                "/media",
                Fault::RateLimited {
                    retry_after_secs: 3
                },
                Some(1)
            )
        );
        let back = serde_json::to_value(&r).expect("serializes");
        assert_eq!(back["fault"]["kind"], "rate_limited");
    }

    #[test]
    fn a_canned_answer_is_sent_as_given() {
        let fault: Fault = serde_json::from_str(
            r#"{"kind":"respond","status":302,"headers":[["location","http://127.0.0.2:9/x"]]}"#,
        )
        .expect("valid fault");
        let r = response(&fault);
        assert_eq!(r.status(), StatusCode::FOUND);
        assert_eq!(r.headers()[header::LOCATION], "http://127.0.0.2:9/x");
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/json");
    }

    #[tokio::test]
    async fn an_amplified_list_is_json_of_the_size_asked() {
        let fault: Fault = serde_json::from_str(
            r#"{"kind":"amplified_list","bytes":200000,"head":"{\"items\":[","tail":"]}"}"#,
        )
        .expect("valid fault");
        let body = axum::body::to_bytes(response(&fault).into_body(), usize::MAX)
            .await
            .expect("a body");
        assert!(
            (200_000 - 3..=200_000).contains(&body.len()),
            "{}",
            body.len()
        );
        let v: serde_json::Value = serde_json::from_slice(&body).expect("valid JSON");
        assert_eq!(
            v["items"].as_array().map(Vec::len),
            Some((body.len() - 11) / 3)
        );
    }

    #[test]
    fn processed_then_names_the_answer_it_sends() {
        let fault: Fault =
            serde_json::from_str(r#"{"kind":"processed_then","then":{"kind":"server_error"}}"#)
                .expect("valid fault");
        assert_eq!(
            fault,
            Fault::ProcessedThen {
                then: Box::new(Fault::ServerError)
            }
        );
        let (processed, then) = unwrap_processed(Some(fault.clone()));
        assert!(processed);
        assert_eq!(then, Some(Fault::ServerError));
        assert_eq!(response(&fault).status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            unwrap_processed(Some(Fault::InvalidJson)),
            (false, Some(Fault::InvalidJson))
        );
    }

    #[tokio::test]
    async fn a_short_range_is_a_clean_half_that_announces_the_whole() {
        let whole = (0u8..100).collect::<Vec<u8>>();
        let r = short_range(Response::new(Body::from(whole.clone()))).await;
        assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(r.headers()[header::CONTENT_RANGE], "bytes 0-49/100");
        assert_eq!(r.headers()[header::CONTENT_LENGTH], "50");
        let body = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .expect("a complete body");
        assert_eq!(&body[..], &whole[..50]);

        // A resumed range keeps its start and total.
        let mut resumed = Response::new(Body::from(whole[40..].to_vec()));
        *resumed.status_mut() = StatusCode::PARTIAL_CONTENT;
        resumed.headers_mut().insert(
            header::CONTENT_RANGE,
            HeaderValue::from_static("bytes 40-99/100"),
        );
        let r = short_range(resumed).await;
        assert_eq!(r.headers()[header::CONTENT_RANGE], "bytes 40-69/100");

        // Errors pass unchanged.
        let r = short_range(ApiError::server_error().into_response()).await;
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn the_live_refusal_kinds_parse_by_their_wire_names() {
        let parse = |json: &str| serde_json::from_str::<Fault>(json).expect("valid fault");
        assert_eq!(
            parse(r#"{"kind":"invalid_request"}"#),
            Fault::InvalidRequest
        );
        assert_eq!(parse(r#"{"kind":"cf_shield_429"}"#), Fault::CfShield429);
        assert_eq!(
            parse(r#"{"kind":"unsupported_country_code","country":"IR"}"#),
            Fault::UnsupportedCountryCode {
                country: Some("IR".into())
            }
        );
        assert_eq!(
            parse(r#"{"kind":"unsupported_country_code"}"#),
            Fault::UnsupportedCountryCode { country: None }
        );
        let back = serde_json::to_value(Fault::CfShield429).expect("serializes");
        assert_eq!(back["kind"], "cf_shield_429");
    }

    #[test]
    fn cloudflare_page_looks_like_a_challenge() {
        let r = response(&Fault::Cloudflare);
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(r.headers()["cf-mitigated"], "challenge");
        assert!(
            r.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap_or("")
                .starts_with("text/html")
        );
    }
}
