//! The long steps of a cameo's creation, each a job the worker spawns: check and upload the
//! video, watch its processing, finalize it (profile picture, finalize, visibility), and the
//! one-shot visibility and delete calls. Every step writes its outcome to the record before
//! the next one starts, so a job aborted at shutdown is resumed from the record at the next
//! start.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::time::Instant;

use super::CameoEvent;
use super::book::Book;
use crate::api::filetype::{FileType, MAX_VIDEO_BYTES, check_file};
use crate::api::{ApiError, CameoPhase, Client, username};
use crate::cameo_record::{CameoHints, CameoRecord, CameoStage};

/// Largest profile picture downloaded (the server's are a few tens of KB).
const MAX_PROFILE_BYTES: usize = 5 * 1024 * 1024;

/// What the UI asked to create.
pub(super) struct NewCameo {
    /// The record key.
    pub key: String,
    /// The chosen MP4.
    pub video: PathBuf,
    /// `start,end` seconds.
    pub clip: (f64, f64),
    /// Unix seconds now.
    pub created_at: f64,
}

/// Checks the video by content and size (a refusal goes back to the form, nothing is
/// recorded), records the cameo, uploads it and watches its processing.
pub(super) async fn create(book: Arc<Book>, client: Client, new: NewCameo) {
    let path = new.video.clone();
    let checked = tokio::task::spawn_blocking(move || {
        check_file(
            &path,
            MAX_VIDEO_BYTES,
            |k| k == FileType::Mp4,
            "an MP4 video",
        )?;
        std::fs::metadata(&path)
            .map(|m| m.len())
            .map_err(|e| format!("cannot read {}: {e}", path.display()))
    })
    .await
    .unwrap_or_else(|e| Err(format!("the file check did not finish ({e})")));
    let bytes = match checked {
        Ok(bytes) => bytes,
        Err(error) => {
            book.emit(CameoEvent::CreateRejected {
                key: new.key,
                error,
            });
            return;
        }
    };
    // Retrying a failed upload replaces its record: same key, same place in the list.
    let created_at = book.get(&new.key).map_or(new.created_at, |r| r.created_at);
    book.put(CameoRecord::uploading(
        new.key.clone(),
        created_at,
        new.video,
        Some(bytes),
        new.clip,
    ));
    upload(book, client, &new.key).await;
}

/// Uploads the recorded video (or, for a cameo from a draft, asks the server to make it from
/// the draft: there is no file), then watches its processing.
pub(super) async fn upload(book: Arc<Book>, client: Client, key: &str) {
    let Some(record) = book.get(key) else { return };
    let sent = match &record.draft {
        Some(generation_id) => {
            let (start, end) = record.clip;
            client
                .cameo_from_generation(generation_id, start, end)
                .await
        }
        None => client.upload_cameo_video(&record.video, record.clip).await,
    };
    match sent {
        Ok(cameo_id) => {
            book.change(key, |r| {
                r.cameo_id = Some(cameo_id);
                r.stage = CameoStage::Processing {
                    status: "uploaded, waiting for the server".into(),
                };
            });
            watch(book, client, key.to_string()).await;
        }
        Err(e) => {
            let what = if record.draft.is_some() {
                "making it from the draft failed"
            } else {
                "the upload failed"
            };
            book.change(key, |r| {
                r.stage = CameoStage::UploadFailed {
                    reason: format!("{what}: {e}"),
                };
            });
        }
    }
}

/// Polls `in_progress` until the cameo completes or fails, every `timing.poll`, for at most
/// `timing.timeout`; `timing.max_errors` failed requests in a row stop it with a message (the
/// cameo stays in the record and can be checked again or abandoned).
pub(super) async fn watch(book: Arc<Book>, client: Client, key: String) {
    let Some(cameo_id) = book.get(&key).and_then(|r| r.cameo_id) else {
        return;
    };
    let timing = book.timing;
    let deadline = Instant::now() + timing.timeout;
    let mut errors = 0u32;
    loop {
        match client.cameo_progress(&cameo_id).await {
            Ok(progress) => {
                errors = 0;
                match progress.phase() {
                    CameoPhase::Processing(status) => {
                        let unchanged = book.get(&key).is_some_and(|r| {
                            r.stage
                                == CameoStage::Processing {
                                    status: status.clone(),
                                }
                        });
                        // Written only when the server's text changes, not on every poll.
                        if !unchanged
                            && book
                                .change(&key, |r| r.stage = CameoStage::Processing { status })
                                .is_none()
                        {
                            return;
                        }
                    }
                    CameoPhase::Completed => {
                        book.change(&key, |r| {
                            r.hints = Some(CameoHints {
                                username: progress.username_hint,
                                display_name: progress.display_name_hint,
                                profile_asset_url: progress.profile_asset_url,
                            });
                            r.stage = CameoStage::Ready;
                        });
                        return;
                    }
                    CameoPhase::Failed(reason) => {
                        book.change(&key, |r| r.stage = CameoStage::ProcessingFailed { reason });
                        return;
                    }
                }
            }
            Err(e) => {
                errors += 1;
                tracing::debug!(%cameo_id, error = %e, errors, "cameo poll failed");
                if errors >= timing.max_errors {
                    book.change(&key, |r| {
                        r.stage = CameoStage::PollStopped {
                            reason: format!(
                                "stopped checking after {errors} failed requests in a row ({e})"
                            ),
                        }
                    });
                    return;
                }
            }
        }
        if Instant::now() >= deadline {
            let minutes = timing.timeout.as_secs().div_ceil(60);
            book.change(&key, |r| {
                r.stage = CameoStage::PollStopped {
                    reason: format!(
                        "still processing after {minutes} minutes, so checking stopped"
                    ),
                }
            });
            return;
        }
        tokio::time::sleep(timing.poll).await;
    }
}

/// What the user chose in the finalize form.
pub(super) struct Choice {
    /// The username.
    pub username: String,
    /// The display name.
    pub display_name: String,
    /// Make it public after finalizing.
    pub public: bool,
}

/// Checks the name with `username/check` first: a taken one is answered `UsernameTaken`
/// with a checked suggestion, and nothing is recorded or sent. Otherwise records the choice,
/// then finalizes (see [`finish`]). A check that fails (the endpoint moved, the network) does
/// not stop the finalize, which refuses a taken name itself.
pub(super) async fn finalize(book: Arc<Book>, client: Client, key: String, choice: Choice) {
    match client.username_check(&choice.username).await {
        Ok(true) => {}
        Ok(false) => {
            let hint = book
                .get(&key)
                .and_then(|r| r.hints)
                .and_then(|h| h.username);
            let suggestion = suggest(&client, hint.as_deref(), &choice.username).await;
            book.emit(CameoEvent::UsernameTaken {
                key,
                username: choice.username,
                suggestion,
            });
            return;
        }
        Err(e) => tracing::debug!(error = %e, "username check failed; finalizing anyway"),
    }
    let started = book.change(&key, |r| {
        r.username = Some(choice.username);
        r.display_name = Some(choice.display_name.trim().to_string());
        r.want_public = choice.public;
        r.note = None;
        r.stage = CameoStage::Finalizing {
            step: "starting".into(),
        };
    });
    if started.is_some() {
        finish(book, client, key).await;
    }
}

/// Finalizes from whatever the record already has: the profile picture is downloaded and
/// uploaded only when no pointer is kept, the finalize call is skipped when a character id
/// is kept, then the chosen visibility is applied. Also how a restart resumes a finalize.
pub(super) async fn finish(book: Arc<Book>, client: Client, key: String) {
    let Some(record) = book.get(&key) else { return };
    let (Some(cameo_id), Some(username), Some(display_name)) = (
        record.cameo_id.clone(),
        record.username.clone(),
        record.display_name.clone(),
    ) else {
        book.change(&key, |r| {
            r.stage = CameoStage::FinalizeFailed {
                reason: "the record lacks the cameo id or the names: finalize again".into(),
                username_taken: false,
            }
        });
        return;
    };
    let failed = |reason: String, username_taken: bool| {
        book.change(&key, |r| {
            r.stage = CameoStage::FinalizeFailed {
                reason,
                username_taken,
            }
        });
    };

    if record.character_id.is_none() {
        let pointer = match record.profile_pointer.clone() {
            Some(p) => p,
            None => match profile_pointer(&book, &client, &key, &record, &cameo_id).await {
                Ok(p) => p,
                Err(e) => return failed(format!("the profile picture: {e}"), false),
            },
        };
        step(&book, &key, format!("finalizing @{username}"));
        match client
            .finalize_cameo(&cameo_id, &username, &display_name, &pointer)
            .await
        {
            Ok(character_id) => {
                book.change(&key, |r| r.character_id = Some(character_id));
            }
            Err(e) if e.code() == Some("username_taken") => {
                // Taken between the check and the finalize: a free name is offered as the
                // check's refusal offers one.
                let hint = record.hints.as_ref().and_then(|h| h.username.clone());
                let offer = match suggest(&client, hint.as_deref(), &username).await {
                    Some(s) => format!("try @{s} or choose another"),
                    None => "choose another".into(),
                };
                return failed(format!("the username @{username} is taken: {offer}"), true);
            }
            Err(e) if e.code() == Some("cameo_already_finalized") => {
                // A finalize whose answer was lost: the character exists, but its id is not
                // known here, so it can be used but not deleted from this program.
                book.change(&key, |r| {
                    r.stage = CameoStage::Finalized;
                    r.note = Some(
                        "the server had already finalized it (an answer was lost): its character id is unknown, so it cannot be deleted from here"
                            .into(),
                    );
                });
                return;
            }
            Err(e) => return failed(format!("finalizing failed: {e}"), false),
        }
    }

    if record.want_public {
        step(&book, &key, "making it public".into());
        match client.set_cameo_visibility(&cameo_id, true).await {
            Ok(()) => {
                book.change(&key, |r| {
                    r.public = true;
                    r.stage = CameoStage::Finalized;
                });
            }
            Err(e) => {
                book.change(&key, |r| {
                    r.public = false;
                    r.stage = CameoStage::Finalized;
                    r.note = Some(format!("finalized, but making it public failed: {e}"));
                });
            }
        }
    } else {
        book.change(&key, |r| r.stage = CameoStage::Finalized);
    }
}

/// Downloads the server's profile picture and uploads it with `use_case=profile`; the
/// pointer is recorded at once so a retry does not upload it again.
async fn profile_pointer(
    book: &Book,
    client: &Client,
    key: &str,
    record: &CameoRecord,
    cameo_id: &str,
) -> Result<String, ApiError> {
    step(book, key, "downloading the profile picture".into());
    let url = record
        .hints
        .as_ref()
        .and_then(|h| h.profile_asset_url.clone());
    let picture = match url {
        Some(url) => match client.fetch_media(&url, MAX_PROFILE_BYTES).await {
            Ok(bytes) => bytes,
            // Media links are signed and expire: read a fresh one and try once more.
            Err(e) => {
                tracing::debug!(error = %e, "profile picture download failed; refreshing its link");
                fresh_picture(client, cameo_id).await?
            }
        },
        None => fresh_picture(client, cameo_id).await?,
    };
    step(book, key, "uploading the profile picture".into());
    let pointer = client.upload_profile_image(picture).await?;
    book.change(key, |r| r.profile_pointer = Some(pointer.clone()));
    Ok(pointer)
}

/// Reads the cameo's current `profile_asset_url` and downloads it.
async fn fresh_picture(client: &Client, cameo_id: &str) -> Result<bytes::Bytes, ApiError> {
    let progress = client.cameo_progress(cameo_id).await?;
    let url = progress
        .profile_asset_url
        .filter(|u| !u.is_empty())
        .ok_or_else(|| ApiError::BadResponse {
            detail: "the cameo has no profile_asset_url".into(),
        })?;
    client.fetch_media(&url, MAX_PROFILE_BYTES).await
}

/// A free name instead of a taken one: the last part of the cameo's `username_hint` (else
/// of the taken name) plus three digits, checked; `None` when none was found.
async fn suggest(client: &Client, hint: Option<&str>, taken: &str) -> Option<String> {
    let base = hint
        .map(username::base_from_hint)
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| username::base_from_hint(taken));
    client.suggest_username(&base).await.unwrap_or_else(|e| {
        tracing::debug!(error = %e, "no username suggestion");
        None
    })
}

/// Shows the current finalize step.
fn step(book: &Book, key: &str, step: String) {
    book.change(key, |r| r.stage = CameoStage::Finalizing { step });
}

/// Makes a finalized cameo public or private (`update_v2`, keyed by the cameo id).
pub(super) async fn set_visibility(book: Arc<Book>, client: Client, key: String, public: bool) {
    let what = if public {
        "make public"
    } else {
        "make private"
    };
    let Some(cameo_id) = book
        .get(&key)
        .filter(|r| r.stage == CameoStage::Finalized)
        .and_then(|r| r.cameo_id)
    else {
        book.emit(CameoEvent::ActionFailed {
            key,
            what: what.into(),
            error: "only a finalized cameo has a visibility".into(),
        });
        return;
    };
    match client.set_cameo_visibility(&cameo_id, public).await {
        Ok(()) => {
            book.change(&key, |r| {
                r.public = public;
                r.note = None;
            });
        }
        Err(e) => book.emit(CameoEvent::ActionFailed {
            key,
            what: what.into(),
            error: e.to_string(),
        }),
    }
}

/// Deletes the character on the server, then the record (a character already gone counts
/// as deleted).
pub(super) async fn delete(book: Arc<Book>, client: Client, key: String, character_id: String) {
    match client.delete_character(&character_id).await {
        Ok(()) | Err(ApiError::Rejected { status: 404, .. }) => {
            book.remove(&key);
        }
        Err(e) => book.emit(CameoEvent::ActionFailed {
            key,
            what: "delete".into(),
            error: e.to_string(),
        }),
    }
}
