//! One error type for every way a call to the backend can fail, classified the way
//! docs/api.md#error-classes describes, each with a one-line message that says what to do.

use std::time::Duration;

/// Why a request failed, in terms a user can act on.
///
/// Every failure of the client ends up as one of these variants, so the CLI, the worker and
/// the UI show the same message for the same situation. `Display` is that message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// No access token could be found anywhere (env, token file, config).
    #[error(
        "no access token: set SORA_TOKEN, pass --token-file FILE, or put `token_file` in {config_hint}; or try `sora-tui --demo`"
    )]
    MissingToken {
        /// Where the config file lives, so the message can name it.
        config_hint: String,
    },
    /// The backend rejected the token (401): it was revoked (`token_invalidated`), could not
    /// be read (malformed or expired), or did not arrive. The advice follows the server's
    /// message.
    #[error("{}", auth_message(detail))]
    Auth {
        /// The server's own message.
        detail: String,
    },
    /// Bot protection refused the request (400 `sentinel_block`, "Hmmm something didn't look
    /// right with your request…").
    #[error(
        "refused by the service's bot protection ({detail}): wait a few minutes and retry; check your network or proxy, or configure `sentinel_command`"
    )]
    BotBlocked {
        /// The server's own message.
        detail: String,
    },
    /// The service says it is overloaded (400 `heavy_load`); retrying later is safe.
    #[error("the service is under heavy load: try again in a minute")]
    Overloaded,
    /// Cloudflare's shield in front of the API rate-limits this network (429
    /// `cf_shield_429`). Unlike an ordinary 429 it is not retried: the shield judges the
    /// network, and clients of the live service fail the task at once rather than press on.
    #[error(
        "rate limited by the Cloudflare shield in front of the service (cf_shield_429): not retried automatically; wait several minutes before trying again, or use another network or set `proxy`"
    )]
    ShieldRateLimited,
    /// Too many requests or too many concurrent generations (429).
    #[error("{}", rate_limited_message(detail, retry_after))]
    RateLimited {
        /// When the server said to try again, if it did.
        retry_after: Option<Duration>,
        /// The server's own message.
        detail: String,
    },
    /// A Cloudflare challenge page (403 HTML, `cf-mitigated: challenge`) instead of the API.
    #[error(
        "blocked by Cloudflare for this network (a browser challenge page came back): use another network or set `proxy`"
    )]
    Cloudflare,
    /// The account's country is not served (`unsupported_country_code`).
    #[error("Sora is not available in {}: use a network in a supported country", country.as_deref().unwrap_or("your country"))]
    Region {
        /// The country code the server named, if any.
        country: Option<String>,
    },
    /// The request did not complete at the transport level.
    #[error("{}", network_message(*kind, detail))]
    Network {
        /// At which point it failed; decides whether a create may have been accepted.
        kind: NetworkKind,
        /// Low-level detail for the log line.
        detail: String,
    },
    /// A 5xx answer.
    #[error(
        "the service failed (HTTP {status}{}): try again shortly",
        suffix(detail)
    )]
    Server {
        /// HTTP status.
        status: u16,
        /// The server's own message, if it sent one.
        detail: String,
    },
    /// A 4xx answer that is none of the above: the server refused this particular request
    /// (unknown id, a Pro-only option, a taken username...). Its message is shown as is.
    #[error("the service refused the request (HTTP {status}): {message}")]
    Rejected {
        /// HTTP status.
        status: u16,
        /// `error.code` if present (`username_taken`, ...).
        code: Option<String>,
        /// `error.param` if present (which field was wrong).
        param: Option<String>,
        /// The server's own message.
        message: String,
    },
    /// A 2xx answer whose body could not be understood (invalid JSON, wrong shape, HTML).
    #[error(
        "the service sent a response this client cannot read ({detail}): check --base-url points at the Sora backend, or retry"
    )]
    BadResponse {
        /// What was wrong with it.
        detail: String,
    },
    /// The base URL or a media URL is unusable (not a URL, or plain http to a non-loopback host).
    #[error("{0}")]
    InsecureUrl(String),
    /// The backend answered a backend call with a redirect (3xx with a `Location`). API calls
    /// never follow redirects: the token, the sentinel and the prompt must not travel to a
    /// host the user did not configure, and a redirected create was not processed here.
    #[error(
        "the backend answered with a redirect to {target} (HTTP {status}), which API calls never follow: check that --base-url (or `base_url` in the config) points at the Sora backend itself"
    )]
    Redirected {
        /// HTTP status (301, 302, 303, 307, 308).
        status: u16,
        /// Where it pointed: the host (and port) of the `Location`, never its path or query.
        target: String,
    },
    /// The caller passed something the client refuses before sending (bad file, bad id...).
    #[error("{0}")]
    InvalidInput(String),
    /// Local I/O failed (reading an upload, writing a download).
    #[error("{0}")]
    Io(String),
}

/// The transport-level failure point of a request.
///
/// A connect failure means the request never left; a timeout or interruption after sending
/// means a create call may still have been accepted by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkKind {
    /// The connection could not be made (refused, DNS, TLS handshake).
    Connect,
    /// No complete answer in time.
    Timeout,
    /// The connection broke after the request was sent (reset, truncated body).
    Interrupted,
}

/// The message for a rejected token, with the advice that fits the server's words: a
/// revoked token never works again; a token that cannot be read was likely pasted partly
/// or has expired; a missing one was dropped on the way (the client always sends it).
fn auth_message(detail: &str) -> String {
    let lower = detail.to_ascii_lowercase();
    if lower.contains("invalidated") {
        format!(
            "the access token was revoked by the service ({detail}): it will not work again; sign in to Sora again and paste a new token"
        )
    } else if lower.contains("could not parse") {
        format!(
            "the access token could not be read by the service ({detail}): check that the whole token was pasted, or sign in to Sora again and paste a new token"
        )
    } else if lower.contains("missing bearer") {
        format!(
            "the service did not receive the access token ({detail}): check that no proxy strips the Authorization header; if it persists, sign in to Sora again and paste a new token"
        )
    } else {
        format!(
            "the access token was rejected ({detail}): sign in to Sora again and paste a new token"
        )
    }
}

fn rate_limited_message(detail: &str, retry_after: &Option<Duration>) -> String {
    let when = match retry_after {
        Some(d) => format!("retry in {} s", d.as_secs().max(1)),
        None => "wait a minute and retry".to_string(),
    };
    if detail.is_empty() {
        format!("rate limited by the service: {when}")
    } else {
        format!("rate limited by the service ({detail}): {when}")
    }
}

fn network_message(kind: NetworkKind, detail: &str) -> String {
    match kind {
        NetworkKind::Connect => format!(
            "cannot reach the service ({detail}): check the network, --base-url and proxy settings"
        ),
        NetworkKind::Timeout if detail.is_empty() => {
            "the service did not answer in time: check the network and retry".to_string()
        }
        NetworkKind::Timeout => {
            format!("the service did not answer in time ({detail}): check the network and retry")
        }
        NetworkKind::Interrupted => format!(
            "the connection broke before the answer was complete ({detail}): retry; check pending before resubmitting"
        ),
    }
}

fn suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(", {detail}")
    }
}

impl ApiError {
    /// Whether repeating the same request later can reasonably succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ApiError::Overloaded
                | ApiError::RateLimited { .. }
                | ApiError::Network { .. }
                | ApiError::Server { .. }
        )
    }

    /// Whether a create request that failed this way may nevertheless have been accepted.
    pub fn maybe_accepted(&self) -> bool {
        matches!(
            self,
            ApiError::Network {
                kind: NetworkKind::Timeout | NetworkKind::Interrupted,
                ..
            } | ApiError::Server { .. }
                | ApiError::BadResponse { .. }
        )
    }

    /// The server's `error.code`, when the failure carried one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Rejected { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// A few words for a status line ("rate limited · next try in 12 s").
    pub fn short_reason(&self) -> &'static str {
        match self {
            ApiError::RateLimited { .. } | ApiError::ShieldRateLimited => "rate limited",
            ApiError::Overloaded => "service busy",
            ApiError::Server { .. } => "server error",
            // A timeout is what a silent or trickling server looks like: say so, the
            // network may well be fine.
            ApiError::Network {
                kind: NetworkKind::Timeout,
                ..
            } => "slow answer from the backend",
            ApiError::Network { .. } => "connection trouble",
            ApiError::Redirected { .. } => "redirected elsewhere",
            ApiError::Auth { .. } | ApiError::MissingToken { .. } => "token rejected",
            ApiError::BotBlocked { .. } | ApiError::Cloudflare => "blocked",
            _ => "request failed",
        }
    }

    /// A short stable name of the class, for JSON output and logs.
    pub fn class(&self) -> &'static str {
        match self {
            ApiError::MissingToken { .. } => "missing_token",
            ApiError::Auth { .. } => "auth",
            ApiError::BotBlocked { .. } => "bot_blocked",
            ApiError::Overloaded => "overloaded",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::ShieldRateLimited => "cf_shield",
            ApiError::Cloudflare => "cloudflare",
            ApiError::Region { .. } => "region",
            ApiError::Network { .. } => "network",
            ApiError::Server { .. } => "server",
            ApiError::Rejected { .. } => "rejected",
            ApiError::BadResponse { .. } => "bad_response",
            ApiError::InsecureUrl(_) => "insecure_url",
            ApiError::Redirected { .. } => "redirected",
            ApiError::InvalidInput(_) => "invalid_input",
            ApiError::Io(_) => "io",
        }
    }

    /// Classifies a transport error from reqwest. The URL is dropped from the detail: media
    /// URLs carry signatures that have no place in logs.
    pub(crate) fn from_transport(err: &reqwest::Error) -> ApiError {
        if err.is_redirect() {
            // A hop refused by the media redirect policy carries its own classified error.
            return redirect_refusal(err).unwrap_or_else(|| ApiError::BadResponse {
                detail: "the media link redirected too many times".into(),
            });
        }
        let kind = if err.is_timeout() {
            NetworkKind::Timeout
        } else if err.is_connect() {
            NetworkKind::Connect
        } else {
            NetworkKind::Interrupted
        };
        ApiError::Network {
            kind,
            detail: root_cause(err),
        }
    }
}

/// The [`ApiError`] a redirect policy refused a hop with, found in the error's causes.
fn redirect_refusal(err: &(dyn std::error::Error + 'static)) -> Option<ApiError> {
    let mut cur = err.source();
    while let Some(e) = cur {
        if let Some(api) = e.downcast_ref::<ApiError>() {
            return Some(api.clone());
        }
        cur = e.source();
    }
    None
}

/// The innermost cause of an error chain, which is where reqwest keeps the useful words
/// ("Connection refused", "connection closed before message completed").
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur: &(dyn std::error::Error + 'static) = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    let text = cur.to_string();
    // reqwest's own top-level text repeats the URL; the root cause never does.
    text.lines().next().unwrap_or_default().to_string()
}

/// The parts of a non-2xx answer that classification needs.
pub(crate) struct FailedResponse<'a> {
    pub status: u16,
    pub content_type: &'a str,
    pub cf_mitigated: bool,
    pub retry_after: Option<Duration>,
    pub body: &'a [u8],
}

/// Classifies a non-2xx answer by status, content type and the JSON error envelope.
pub(crate) fn classify(resp: FailedResponse<'_>) -> ApiError {
    let text = String::from_utf8_lossy(resp.body);
    let html = resp.content_type.contains("text/html") || text.trim_start().starts_with('<');
    if resp.cf_mitigated
        || (html
            && (text.contains("Just a moment") || text.contains("cf-chl") || resp.status == 403))
    {
        return ApiError::Cloudflare;
    }
    let envelope = ErrorEnvelope::parse(resp.body);
    let message = envelope
        .message
        .clone()
        .unwrap_or_else(|| short_body(&text, html));
    let code = envelope.code.as_deref().unwrap_or("");
    if code == "unsupported_country_code" || code == "unsupported_country" {
        return ApiError::Region {
            country: envelope.param.clone(),
        };
    }
    if resp.status == 401
        || code == "token_invalidated"
        || code == "token_expired"
        || message.contains("authentication token")
    {
        return ApiError::Auth { detail: message };
    }
    if code == "heavy_load" {
        return ApiError::Overloaded;
    }
    // The anti-bot layer's refusal, by its code or its wording (the web app has met the
    // "Hmmm…" text under `invalid_request` too). A bare `invalid_request` ("Unable to process
    // request") is a refusal of this request and falls through to `Rejected` with its text.
    if code == "sentinel_block" || message.starts_with(BOT_BLOCK_WORDING) {
        return ApiError::BotBlocked { detail: message };
    }
    if code == "cf_shield_429" {
        return ApiError::ShieldRateLimited;
    }
    if resp.status == 429 {
        return ApiError::RateLimited {
            retry_after: resp.retry_after,
            detail: message,
        };
    }
    if resp.status >= 500 {
        return ApiError::Server {
            status: resp.status,
            detail: envelope.message.unwrap_or_default(),
        };
    }
    ApiError::Rejected {
        status: resp.status,
        code: envelope.code,
        param: envelope.param,
        message,
    }
}

/// How the live `sentinel_block` message starts.
const BOT_BLOCK_WORDING: &str = "Hmmm something didn't look right with your request";

fn short_body(text: &str, html: bool) -> String {
    if html {
        return "an HTML page instead of JSON".to_string();
    }
    let t: String = text.trim().chars().take(200).collect();
    if t.is_empty() {
        "no message".to_string()
    } else {
        t
    }
}

/// `{"error": {"message", "type", "param", "code"}}`, read leniently: any part may be missing,
/// and some answers put a bare string in `error` or a `detail` at the top level.
#[derive(Default)]
struct ErrorEnvelope {
    message: Option<String>,
    code: Option<String>,
    param: Option<String>,
}

impl ErrorEnvelope {
    fn parse(body: &[u8]) -> ErrorEnvelope {
        // Read under the bounds of every answer (see `types`), never as a generic value: an
        // error body can be as hostile as any other.
        let f = super::types::ErrorFields::read(body);
        ErrorEnvelope {
            message: f.message,
            code: f.code,
            param: f.param,
        }
    }
}

/// Parses `Retry-After` in its delta-seconds form (the only form this API sends).
pub(crate) fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    value
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(86_400.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(status: u16, ct: &str, body: &str) -> ApiError {
        classify(FailedResponse {
            status,
            content_type: ct,
            cf_mitigated: false,
            retry_after: None,
            body: body.as_bytes(),
        })
    }

    #[test]
    fn classifies_each_wire_form() {
        let env = |code: &str, msg: &str| {
            format!(
                r#"{{"error":{{"message":"{msg}","type":"invalid_request_error","param":null,"code":"{code}"}}}}"#
            )
        };
        assert!(matches!(
            failed(401, "application/json", &env("token_invalidated", "x")),
            ApiError::Auth { .. }
        ));
        assert!(matches!(
            failed(
                400,
                "application/json",
                &env("sentinel_block", "Unable to process request")
            ),
            ApiError::BotBlocked { .. }
        ));
        assert_eq!(
            failed(400, "application/json", &env("heavy_load", "busy")),
            ApiError::Overloaded
        );
        assert_eq!(
            failed(
                403,
                "text/html; charset=UTF-8",
                "<!DOCTYPE html><title>Just a moment...</title>"
            ),
            ApiError::Cloudflare
        );

        assert!(matches!(
            failed(500, "application/json", "{}"),
            ApiError::Server { status: 500, .. }
        ));
        let region = r#"{"error":{"message":"no","code":"unsupported_country_code","param":"XX"}}"#;
        assert_eq!(
            failed(403, "application/json", region),
            ApiError::Region {
                country: Some("XX".into())
            }
        );
        let taken = failed(
            400,
            "application/json",
            &env("username_taken", "That username is already taken."),
        );
        assert_eq!(taken.code(), Some("username_taken"));
        assert!(taken.to_string().contains("already taken"));
    }

    #[test]
    fn invalid_request_is_a_rejection_with_the_servers_words() {
        let body = r#"{"error":{"message":"Unable to process request","type":"invalid_request_error","param":null,"code":"invalid_request"}}"#;
        let e = failed(400, "application/json", body);
        assert_eq!(
            e,
            ApiError::Rejected {
                status: 400,
                code: Some("invalid_request".into()),
                param: None,
                message: "Unable to process request".into(),
            }
        );
        assert!(!e.is_transient());
        assert!(
            e.to_string().ends_with(": Unable to process request"),
            "{e}"
        );
        // The bot layer's wording under that code is still the bot layer.
        let hmmm = r#"{"error":{"message":"Hmmm something didn't look right with your request. Please try again later or visit https://help.openai.com if this issue persists.","code":"invalid_request"}}"#;
        assert!(matches!(
            failed(400, "application/json", hmmm),
            ApiError::BotBlocked { .. }
        ));
    }

    #[test]
    fn cf_shield_429_is_rate_limited_but_never_retried() {
        let body = r#"{"error":{"code":"cf_shield_429","message":"Too many requests"}}"#;
        let e = failed(429, "application/json", body);
        assert_eq!(e, ApiError::ShieldRateLimited);
        assert!(!e.is_transient());
        assert_eq!(e.short_reason(), "rate limited");
        assert_eq!(e.class(), "cf_shield");
        assert!(e.to_string().contains("not retried"), "{e}");
        // An ordinary 429 stays the retried kind.
        let plain = r#"{"error":{"code":"rate_limit_exceeded","message":"slow down"}}"#;
        assert!(failed(429, "application/json", plain).is_transient());
    }

    #[test]
    fn each_401_says_what_to_do_about_it() {
        let auth = |msg: &str, code: &str| {
            let body = format!(
                r#"{{"error":{{"message":"{msg}","type":"invalid_request_error","param":null,"code":{code}}},"status":401}}"#
            );
            failed(401, "application/json", &body)
        };
        let revoked = auth(
            "Your authentication token has been invalidated. Please try signing in again.",
            r#""token_invalidated""#,
        );
        let unreadable = auth(
            "Could not parse your authentication token. Please try signing in again.",
            "null",
        );
        let missing = auth("Missing bearer authentication in header", "null");
        for e in [&revoked, &unreadable, &missing] {
            assert!(matches!(e, ApiError::Auth { .. }), "{e:?}");
            assert_eq!(e.class(), "auth");
            assert!(e.to_string().contains("sign in to Sora again"), "{e}");
        }
        assert!(
            revoked.to_string().contains("will not work again"),
            "{revoked}"
        );
        assert!(
            unreadable.to_string().contains("whole token was pasted"),
            "{unreadable}"
        );
        assert!(
            missing.to_string().contains("Authorization header"),
            "{missing}"
        );
    }

    #[test]
    fn messages_say_what_to_do() {
        let e = ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(7)),
            detail: String::new(),
        };
        assert_eq!(e.to_string(), "rate limited by the service: retry in 7 s");
        assert!(ApiError::Cloudflare.to_string().contains("another network"));
        assert!(
            ApiError::Auth {
                detail: "expired".into()
            }
            .to_string()
            .contains("new token")
        );
    }

    #[test]
    fn retry_after_is_seconds() {
        assert_eq!(parse_retry_after(Some("3")), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(Some("soon")), None);
        assert_eq!(parse_retry_after(None), None);
    }
}
