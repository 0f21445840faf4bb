//! The record of one cameo this program created: what `cameos.json` in the data dir holds,
//! what the worker reports and what the Cameos pane draws. The API has no "list my cameos"
//! call, so this record is the only place these cameos are known from.
//!
//! The worker owns the file; the UI keeps a copy made of the records the worker sends. Every
//! instance on the data dir writes the file, each merging its own changes record by record.
//! It lives below both (beside `track`'s `TaskRecord`) so the worker needs nothing from `app`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// One cameo, from the moment its video was chosen until it is deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CameoRecord {
    /// The local key, made by the UI when creation starts: the server's cameo id only exists
    /// once the upload has worked, and a failed upload must still be shown and retried.
    pub key: String,
    /// Unix seconds when the creation started.
    pub created_at: f64,
    /// The chosen MP4, as an absolute or home-expanded path.
    pub video: PathBuf,
    /// Size of the video in bytes, as checked before the upload.
    #[serde(default)]
    pub video_bytes: Option<u64>,
    /// The clip's start and end seconds (`timestamps`).
    pub clip: (f64, f64),
    /// Where the flow stands.
    pub stage: CameoStage,
    /// The server's cameo id (`cameo_…`), once uploaded.
    #[serde(default)]
    pub cameo_id: Option<String>,
    /// The server's suggestions, once processing completed.
    #[serde(default)]
    pub hints: Option<CameoHints>,
    /// The `sediment://…` pointer of the uploaded profile picture: kept so a failed finalize
    /// is retried without downloading and uploading the picture again.
    #[serde(default)]
    pub profile_pointer: Option<String>,
    /// The username sent (or being sent) at finalize; kept so the form shows it again.
    #[serde(default)]
    pub username: Option<String>,
    /// The display name sent (or being sent) at finalize.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The visibility chosen at finalize, applied right after it.
    #[serde(default)]
    pub want_public: bool,
    /// The character id (`ch_…`) once finalized; what delete needs.
    #[serde(default)]
    pub character_id: Option<String>,
    /// Whether the finalized cameo is public.
    #[serde(default)]
    pub public: bool,
    /// A problem worth keeping on screen that is not a stage of its own (finalized, but
    /// making it public failed...).
    #[serde(default)]
    pub note: Option<String>,
    /// The draft (`gen_…`) the cameo is made from with `/characters/from-generation`, for a
    /// cameo with no video file (then `video` is empty): its first step, and a retry of it,
    /// sends this id again instead of uploading a file. `None` for a cameo from a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<String>,
}

/// How long a cameo's processing is followed before the watch stops with a message (the
/// worker's watch and `sora-tui cameo from-draft` alike; docs/api.md#lifecycles).
pub const PROCESSING_LIMIT: std::time::Duration = std::time::Duration::from_secs(600);
/// Failed `in_progress` requests in a row that stop a watch.
pub const MAX_POLL_ERRORS: u32 = 3;

/// Cameo records are merged by key in `cameos.json`, which every instance on the data dir
/// shares (see `store::Store::merge`).
impl crate::store::Keyed for CameoRecord {
    fn key(&self) -> &str {
        &self.key
    }
}

/// What the server suggested when processing completed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CameoHints {
    /// `username_hint`.
    #[serde(default)]
    pub username: Option<String>,
    /// `display_name_hint`.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `profile_asset_url`: the avatar to download and upload again at finalize.
    #[serde(default)]
    pub profile_asset_url: Option<String>,
}

/// The steps of the creation flow, and how each can end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CameoStage {
    /// The video is being uploaded.
    Uploading,
    /// The upload failed; the file and clip are kept so it can be retried as it was.
    UploadFailed {
        /// Why, worded for the user.
        reason: String,
    },
    /// The server is processing the video; polled about every 5 s.
    Processing {
        /// The server's own status text.
        status: String,
    },
    /// Polling stopped (3 request errors in a row, or 10 minutes without an end); the cameo
    /// may still complete: checking again is possible, and so is abandoning it.
    PollStopped {
        /// Why, worded for the user.
        reason: String,
    },
    /// The server says processing failed; this cameo cannot be finalized.
    ProcessingFailed {
        /// The server's reason.
        reason: String,
    },
    /// Processing completed: waiting for a username and display name.
    Ready,
    /// Finalizing: profile picture, finalize call, visibility.
    Finalizing {
        /// The current step, worded for the user.
        step: String,
    },
    /// Finalizing failed; the cameo id and any profile pointer are kept for a retry.
    FinalizeFailed {
        /// Why, worded for the user.
        reason: String,
        /// The username was taken: the form asks for another.
        #[serde(default)]
        username_taken: bool,
    },
    /// A character: usable as `@username`.
    Finalized,
    /// The user gave up on it while it was processing.
    Abandoned,
}

impl CameoStage {
    /// Whether a background job works on it in this stage (a restart resumes it).
    pub fn is_working(&self) -> bool {
        matches!(
            self,
            CameoStage::Uploading | CameoStage::Processing { .. } | CameoStage::Finalizing { .. }
        )
    }
}

impl CameoRecord {
    /// A cameo whose video is about to be uploaded: nothing from the server yet.
    pub fn uploading(
        key: String,
        created_at: f64,
        video: PathBuf,
        video_bytes: Option<u64>,
        clip: (f64, f64),
    ) -> CameoRecord {
        CameoRecord {
            key,
            created_at,
            video,
            video_bytes,
            clip,
            stage: CameoStage::Uploading,
            cameo_id: None,
            hints: None,
            profile_pointer: None,
            username: None,
            display_name: None,
            want_public: false,
            character_id: None,
            public: false,
            note: None,
            draft: None,
        }
    }

    /// A cameo about to be made from the draft `generation_id` (no file): nothing from the
    /// server yet.
    pub fn from_draft(
        key: String,
        created_at: f64,
        generation_id: String,
        clip: (f64, f64),
    ) -> CameoRecord {
        CameoRecord {
            draft: Some(generation_id),
            ..CameoRecord::uploading(key, created_at, PathBuf::new(), None, clip)
        }
    }

    /// The name to show: the display name once chosen, else the server's suggestion, else
    /// the video's file name.
    pub fn title(&self) -> String {
        self.display_name
            .clone()
            .or_else(|| self.hints.as_ref().and_then(|h| h.display_name.clone()))
            .filter(|n| !n.trim().is_empty())
            .or_else(|| self.draft.as_ref().map(|g| format!("cameo from {g}")))
            .unwrap_or_else(|| {
                self.video
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "new cameo".into())
            })
    }

    /// The username when finalized (what `@username` means).
    pub fn finalized_username(&self) -> Option<&str> {
        match self.stage {
            CameoStage::Finalized => self.username.as_deref().filter(|u| !u.is_empty()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stage_is_tagged_in_json() {
        let stage = CameoStage::FinalizeFailed {
            reason: "taken".into(),
            username_taken: true,
        };
        let json = serde_json::to_value(&stage).expect("serializes");
        assert_eq!(
            json,
            serde_json::json!({"state": "finalize_failed", "reason": "taken", "username_taken": true})
        );
        let back: CameoStage = serde_json::from_value(json).expect("reads back");
        assert_eq!(back, stage);
        let ready: CameoStage =
            serde_json::from_value(serde_json::json!({"state": "ready"})).expect("unit variant");
        assert_eq!(ready, CameoStage::Ready);
    }
}
