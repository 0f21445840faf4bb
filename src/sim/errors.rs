//! The service's JSON error envelope, `{"error":{"message","type","param","code"}}`, and the
//! specific errors clients are known to meet.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An error answer of the simulated backend; exists so every handler fails with the real wire shape.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// HTTP status of the answer.
    pub status: StatusCode,
    /// Human-readable `error.message`.
    pub message: String,
    /// `error.type`, e.g. `invalid_request_error`.
    pub kind: &'static str,
    /// `error.param`: the offending field, when there is one.
    pub param: Option<String>,
    /// `error.code`, e.g. `token_invalidated`.
    pub code: Option<&'static str>,
    /// Value of a `Retry-After` header, for 429s.
    pub retry_after: Option<u64>,
    /// Whether to add the top-level `"status": <code>` the live service puts on 401s.
    pub top_level_status: bool,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            kind: "invalid_request_error",
            param: None,
            code: None,
            retry_after: None,
            top_level_status: false,
        }
    }

    /// 400 with a message; pair with [`ApiError::param`] / [`ApiError::code`].
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 404 `not_found`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message).code("not_found")
    }

    /// 405 for a known path with the wrong method.
    pub fn method_not_allowed() -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed").code("method_not_allowed")
    }

    /// 401 for a request without `Authorization: Bearer <token>` (no header, another
    /// scheme, or an empty token). The live body's `code` is not recorded, so it is null.
    pub fn missing_bearer() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Missing bearer authentication in header",
        )
    }

    /// 401 for a token the service cannot read: here, any token that is not one of the
    /// simulator's accounts (the live service says this for a malformed or expired JWT; its
    /// `code` is not recorded, so it is null).
    pub fn unparsable_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Could not parse your authentication token. Please try signing in again.",
        )
    }

    /// 401 `token_invalidated` for a revoked token, with the top-level `"status": 401` the
    /// live body carries.
    pub fn token_invalidated() -> Self {
        let mut e = Self::new(
            StatusCode::UNAUTHORIZED,
            "Your authentication token has been invalidated. Please try signing in again.",
        )
        .code("token_invalidated");
        e.top_level_status = true;
        e
    }

    /// 400 from the anti-bot layer (missing or bad sentinel token), in the live wording.
    pub fn sentinel_block() -> Self {
        Self::bad_request(
            "Hmmm something didn't look right with your request. Please try again later or \
             visit https://help.openai.com if this issue persists.",
        )
        .code("sentinel_block")
    }

    /// 400 `invalid_request`, the live service's terse refusal of a create it will not take.
    pub fn invalid_request() -> Self {
        Self::bad_request("Unable to process request").code("invalid_request")
    }

    /// `unsupported_country_code` with the country in `error.param`. The live status is not
    /// recorded; 403 is an assumption (a refusal of who is asking, not of the request).
    pub fn unsupported_country(country: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Sora is not available in your country.",
        )
        .param(country)
        .code("unsupported_country_code")
    }

    /// 400 when the service is overloaded.
    pub fn heavy_load() -> Self {
        Self::bad_request("We're under heavy load, please try again later.").code("heavy_load")
    }

    /// 429 with a `Retry-After` header.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests. Please slow down and try again later.",
        )
        .code("rate_limit_exceeded");
        e.retry_after = Some(retry_after_secs);
        e
    }

    /// 429 for the 4th concurrent video generation.
    pub fn too_many_in_progress(limit: usize) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "You can only have {limit} generations in progress at once. \
                 Please wait for one to finish before starting another."
            ),
        )
        .code("too_many_concurrent_tasks")
    }

    /// 500 from the service.
    pub fn server_error() -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The server had an error while processing your request. Sorry about that!",
        )
        .code("internal_error");
        e.kind = "server_error";
        e
    }

    /// Sets `error.param`.
    pub fn param(mut self, param: &str) -> Self {
        self.param = Some(param.to_string());
        self
    }

    /// Sets `error.code`.
    pub fn code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let mut body = json!({
            "error": {
                "message": self.message,
                "type": self.kind,
                "param": self.param,
                "code": self.code,
            }
        });
        if self.top_level_status {
            body["status"] = json!(self.status.as_u16());
        }
        body
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_invalidated_matches_the_live_body() {
        assert_eq!(
            ApiError::token_invalidated().body(),
            json!({"error":{"message":"Your authentication token has been invalidated. Please try signing in again.","type":"invalid_request_error","param":null,"code":"token_invalidated"},"status":401})
        );
    }

    #[test]
    fn sentinel_block_uses_the_live_message() {
        assert_eq!(
            ApiError::sentinel_block().body(),
            json!({"error":{"message":"Hmmm something didn't look right with your request. Please try again later or visit https://help.openai.com if this issue persists.","type":"invalid_request_error","param":null,"code":"sentinel_block"}})
        );
    }

    #[test]
    fn param_and_code_land_in_the_envelope() {
        let body = ApiError::bad_request("bad")
            .param("username")
            .code("username_taken")
            .body();
        assert_eq!(body["error"]["param"], "username");
        assert_eq!(body["error"]["code"], "username_taken");
        assert!(body.get("status").is_none());
    }

    #[test]
    fn rate_limit_carries_retry_after() {
        let response = ApiError::rate_limited(7).into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "7");
    }
}
