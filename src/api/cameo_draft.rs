//! A cameo made from one of the account's drafts (`POST /characters/from-generation`): the
//! first step of the cameo flow when there is no file to upload. What follows (processing,
//! finalize, visibility) is the same as for a cameo from a video file.

use serde::{Deserialize, Serialize};

use super::client::{Client, Sentinel};
use super::{ApiError, checked_id, valid_id};

/// The request body, as the known client sends it (docs/api.md, "Cameo from a draft").
#[derive(Serialize)]
struct FromGenerationBody<'a> {
    generation_id: &'a str,
    /// Always null: what a character id would mean here is not known.
    character_id: Option<&'a str>,
    /// `[start, end]` seconds, whole seconds written as integers (`[0, 3]`).
    timestamps: [serde_json::Number; 2],
}

/// `{"id": "<cameo id>"}`.
#[derive(Deserialize)]
struct FromGenerationAnswer {
    #[serde(default)]
    id: Option<serde_json::Value>,
}

/// A number of seconds as JSON: an integer when whole (what the known client sends).
fn seconds(s: f64) -> Result<serde_json::Number, ApiError> {
    if s.fract() == 0.0 && s.abs() < 1e12 {
        Ok(serde_json::Number::from(s as i64))
    } else {
        serde_json::Number::from_f64(s)
            .ok_or_else(|| ApiError::InvalidInput(format!("{s} is not a number of seconds")))
    }
}

impl Client {
    /// `POST /characters/from-generation`: starts a cameo from the draft `generation_id`,
    /// using the clip `start..end` seconds; answers the cameo id, which is then polled with
    /// [`Client::cameo_progress`] like an uploaded one. Not resent on a lost answer (a second
    /// call would make a second cameo).
    pub async fn cameo_from_generation(
        &self,
        generation_id: &str,
        start: f64,
        end: f64,
    ) -> Result<String, ApiError> {
        if !valid_id(generation_id) || !generation_id.starts_with("gen_") {
            return Err(ApiError::InvalidInput(format!(
                "{} is not a draft's generation id: give the gen_… id of one of your drafts",
                crate::text::sanitize(generation_id, 80)
            )));
        }
        if !(start.is_finite() && end.is_finite() && start >= 0.0 && end > start) {
            return Err(ApiError::InvalidInput(format!(
                "the clip {start}–{end} s is empty: give start and end seconds with start < end, e.g. 0 and 3"
            )));
        }
        let body = FromGenerationBody {
            generation_id,
            character_id: None,
            timestamps: [seconds(start)?, seconds(end)?],
        };
        let answer: FromGenerationAnswer = self
            .post_json("/characters/from-generation", &body, Sentinel::NotNeeded)
            .await?;
        let id = answer
            .id
            .as_ref()
            .and_then(serde_json::Value::as_str)
            .unwrap_or("");
        checked_id("cameo", id)
            .map(str::to_owned)
            .map_err(|_| ApiError::BadResponse {
                detail: "/characters/from-generation answered without a usable cameo id".into(),
            })
    }
}
