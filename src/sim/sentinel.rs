//! A plain stand-in for the anti-abuse token route of the chatgpt.com host
//! (`POST https://chatgpt.com/backend-api/sentinel/req`), so that third-party clients which
//! fetch a token there before a generation call can be run against the simulator with both of
//! their hosts pointed at it.
//!
//! It answers every request with the same fixed token and asks for nothing in return: no
//! proof of work, no challenge, no fingerprint, and the request body is not read. It exists
//! only to let such clients reach the routes under `/backend`, whose sentinel check accepts
//! any header of 10 or more characters anyway. This crate's own client never calls it.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::errors::ApiError;

/// Where the stand-in is served on the simulator's root: the live route's path, so a client
/// configured with the simulator as its chatgpt.com host reaches it unchanged.
pub const PATH: &str = "/backend-api/sentinel/req";

/// The token every request gets.
pub const TOKEN: &str = "sora-sim-sentinel-token-fixed";

/// Seconds the answer says the token stays usable; the simulator never expires it.
const EXPIRE_AFTER_SECS: u64 = 540;

/// The answer to a request for the stand-in: `POST` gets the fixed token (whatever the body),
/// any other method 405.
pub fn respond(method: &str) -> Response {
    if !method.eq_ignore_ascii_case("POST") {
        return ApiError::method_not_allowed().into_response();
    }
    // Only `token` is what clients are known to read; the other fields say that no further
    // step is required, so a client looking for a challenge finds none to do.
    let body = json!({
        "token": TOKEN,
        "expire_after": EXPIRE_AFTER_SECS,
        "proofofwork": {"required": false},
        "turnstile": {"required": false},
    });
    (StatusCode::OK, axum::Json(body)).into_response()
}
