//! `/_sim/*`: an unauthenticated HTTP API to steer a separately running simulator (faults,
//! request log, cameo outcome, the quota) and read its counters (`/_sim/stats`). These requests are not logged and no fault applies to them.

use axum::extract::Request;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::CameoOutcome;
use super::errors::ApiError;
use super::faults::FaultRule;
use super::server::Shared;

/// Largest control request body.
const BODY_LIMIT: usize = 1024 * 1024;

#[derive(serde::Deserialize)]
struct OutcomeBody {
    outcome: CameoOutcome,
}

/// Answers a `/_sim/…` request.
pub async fn handle(shared: &Shared, req: Request) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let body = match axum::body::to_bytes(req.into_body(), BODY_LIMIT).await {
        Ok(b) => b,
        Err(err) => {
            return ApiError::bad_request(format!("Could not read the body: {err}"))
                .into_response();
        }
    };
    let ok = || axum::Json(json!({"ok": true})).into_response();
    match (method, path.as_str()) {
        (Method::POST, "/_sim/faults") => match serde_json::from_slice::<FaultRule>(&body) {
            Ok(rule) => {
                shared.inject(rule);
                axum::Json(json!({"ok": true, "rules": shared.fault_rules()})).into_response()
            }
            Err(err) => ApiError::bad_request(format!("Invalid fault rule: {err}")).into_response(),
        },
        (Method::GET, "/_sim/faults") => axum::Json(shared.fault_rules()).into_response(),
        (Method::DELETE, "/_sim/faults") => {
            shared.clear_faults();
            ok()
        }
        (Method::GET, "/_sim/requests") => axum::Json(shared.requests()).into_response(),
        (Method::DELETE, "/_sim/requests") => {
            shared.clear_requests();
            ok()
        }
        (Method::POST, "/_sim/cameo_outcome") => {
            match serde_json::from_slice::<OutcomeBody>(&body) {
                Ok(OutcomeBody { outcome }) => {
                    shared.set_cameo_outcome(outcome);
                    ok()
                }
                Err(err) => ApiError::bad_request(format!(
                    "Expected {{\"outcome\":\"complete\"|\"fail\"|\"stuck\"}}: {err}"
                ))
                .into_response(),
            }
        }
        (Method::POST, "/_sim/quota") => {
            match serde_json::from_slice::<super::QuotaControl>(&body) {
                Ok(quota) if quota.resets_in_secs.is_some_and(|s| !(0.0..=1e9).contains(&s)) => {
                    ApiError::bad_request("resets_in_secs must be between 0 and 1e9")
                        .into_response()
                }
                Ok(quota) => {
                    shared.set_quota(quota);
                    axum::Json(shared.stats()).into_response()
                }
                Err(err) => ApiError::bad_request(format!(
                    "Expected {{\"remaining\": N, \"resets_in_secs\": S, \"reset\": true}} (each optional): {err}"
                ))
                .into_response(),
            }
        }
        (Method::GET, "/_sim/stats") => axum::Json(shared.stats()).into_response(),
        _ => ApiError::not_found(format!("Unknown control endpoint: {path}")).into_response(),
    }
}
