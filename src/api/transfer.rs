//! Streaming media downloads that survive interruptions: written to `NAME.part`, resumed with
//! `Range`, length-checked, renamed into place only when complete.

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::StatusCode;
use reqwest::header;
use tokio::io::AsyncWriteExt;

use super::client::Client;
use super::filetype::FileType;
use super::{ApiError, NetworkKind};

/// The `code` of the error returned when the media URL answers 403/404/410.
pub const MEDIA_LINK_EXPIRED: &str = "media_link_expired";
/// Tries per download: a broken connection resumes from the `.part` up to this many times.
const ATTEMPTS: u32 = 3;
/// Pause before resuming, times the attempt number; short because the bytes already on disk
/// are kept, so the retry is cheap.
const RESUME_PAUSE: Duration = Duration::from_millis(150);
/// The most a download writes when the server does not announce the size (the default of
/// `ClientConfig::max_download_bytes`). A generated video is tens of megabytes; 2 GiB leaves
/// room for anything the service makes while an endless answer cannot fill the disk.
pub const MAX_DOWNLOAD_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// A download is stalled when less than this arrives within `ClientConfig::stall_timeout`:
/// a byte now and then must not keep a dead transfer alive forever.
const STALL_MIN_BYTES: u64 = 1024;

/// What [`Client::download_to`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloaded {
    /// Size of the complete file.
    pub bytes: u64,
    /// The file was already complete: no media request was made.
    pub skipped: bool,
    /// Bytes taken from an earlier `.part` instead of downloading them again.
    pub resumed_from: u64,
    /// Where the file is: the destination asked for, or the same name with the extension of
    /// what actually arrived (see [`media_path`]).
    pub path: PathBuf,
}

/// True when `err` says the media URL expired or is gone (403/404/410): the caller should get
/// a fresh URL (re-read the draft) and try again; the `.part` is kept for the retry.
pub fn is_expired_link(err: &ApiError) -> bool {
    matches!(err, ApiError::Rejected { code: Some(c), .. } if c == MEDIA_LINK_EXPIRED)
}

impl Client {
    /// Streams a media file to `dest` (see [`Client::download_to`]) with no known size;
    /// returns the file's length. The file may end up under another extension than `dest`'s
    /// (see [`media_path`]); [`Client::download_to`] says where.
    pub async fn download(
        &self,
        url: &str,
        dest: &Path,
        progress: impl FnMut(u64, Option<u64>),
    ) -> Result<u64, ApiError> {
        self.download_to(url, dest, None, progress)
            .await
            .map(|d| d.bytes)
    }

    /// Streams a media file to `dest` so that `dest` exists only when complete.
    ///
    /// * **Skip**: when `dest` already exists it is taken as complete, without a request, if
    ///   its size equals `expected_len`, or — when `expected_len` is `None` (size unknown, e.g.
    ///   no sidecar) — if it is non-empty, since an incomplete download never gets the final
    ///   name. A `dest` of the wrong size is downloaded again.
    /// * **Resume**: bytes go to `dest.part`; if that exists, `Range: bytes=N-` asks for the
    ///   rest. A 206 starting at `N` is appended; a 200 (range ignored) starts over; a 416
    ///   (the part is longer than the file) discards the part and starts over. A connection
    ///   that breaks mid-body is resumed the same way, up to 3 tries in all.
    /// * **Stall**: a transfer that moves less than 1 KiB in `ClientConfig::stall_timeout`
    ///   is stopped like a broken one: its bytes stay in the part and the next try resumes.
    /// * **Size cap**: never more is written than the total announced by `Content-Range`
    ///   (or `Content-Length`), nor, when nothing is announced, more than
    ///   `ClientConfig::max_download_bytes` ([`MAX_DOWNLOAD_BYTES`] by default); an
    ///   announced total above that cap is refused before anything is written. Going over
    ///   either discards the part.
    /// * **Verify**: the total from `Content-Range` (or `Content-Length`) must equal the bytes
    ///   on disk before the rename; a mismatch is an error and the final name is not created.
    /// * **Expired link**: 403/404/410 is an error for which [`is_expired_link`] is true.
    /// * **Extension**: the bytes decide the type. Media links carry no file extension (the
    ///   live ones end in `…%2Fraw`), so `dest`'s extension is a guess; when the file turns
    ///   out to be another type (a `.png` that is WebP) it is saved as [`media_path`] says,
    ///   and [`Downloaded::path`] is where it went.
    ///
    /// Memory use does not depend on the file size: chunks are written as they arrive.
    /// `progress(done, total)` is called as bytes arrive.
    pub async fn download_to(
        &self,
        url: &str,
        dest: &Path,
        expected_len: Option<u64>,
        mut progress: impl FnMut(u64, Option<u64>),
    ) -> Result<Downloaded, ApiError> {
        if let Some(len) = complete_len(dest, expected_len).await {
            progress(len, Some(len));
            return Ok(Downloaded {
                bytes: len,
                skipped: true,
                resumed_from: 0,
                path: dest.to_path_buf(),
            });
        }
        let part = part_path(dest);
        let mut attempt = 1;
        let mut resumed_from = None;
        loop {
            match self.fetch_into(url, &part, &mut progress).await {
                Ok(step) => {
                    let resumed_from = *resumed_from.get_or_insert(step.resumed_from);
                    let bytes = verify(step.on_disk, step.total)?;
                    let kind = check_media(&part).await?;
                    let path = media_path(dest, kind);
                    tokio::fs::rename(&part, &path).await.map_err(|e| {
                        ApiError::Io(format!(
                            "cannot move the download to {}: {e}",
                            path.display()
                        ))
                    })?;
                    return Ok(Downloaded {
                        bytes,
                        skipped: false,
                        resumed_from,
                        path,
                    });
                }
                Err(Step::Retry(e)) if attempt < ATTEMPTS => {
                    tracing::info!("download interrupted ({e}); resuming");
                    tokio::time::sleep(RESUME_PAUSE * attempt).await;
                    attempt += 1;
                }
                Err(Step::Retry(e) | Step::Fatal(e)) => return Err(e),
            }
        }
    }

    /// One request: asks for the rest of `part` and appends what comes.
    async fn fetch_into(
        &self,
        url: &str,
        part: &Path,
        progress: &mut impl FnMut(u64, Option<u64>),
    ) -> Result<Fetched, Step> {
        let io = |what: &str, e: std::io::Error| {
            Step::Fatal(ApiError::Io(format!(
                "cannot {what} {}: {e}",
                part.display()
            )))
        };
        let have = match tokio::fs::metadata(part).await {
            Ok(m) if m.is_file() => m.len(),
            _ => 0,
        };
        let mut req = self.media_request(url).map_err(Step::Fatal)?;
        if have > 0 {
            req = req.header(header::RANGE, format!("bytes={have}-"));
        }
        let resp = req
            .send()
            .await
            .map_err(|e| retryable(ApiError::from_transport(&e)))?;
        let status = resp.status();
        let (start, total) = match status {
            StatusCode::PARTIAL_CONTENT => {
                let range = resp
                    .headers()
                    .get(header::CONTENT_RANGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(parse_content_range);
                match range {
                    Some((first, total)) if first == have => (have, total),
                    // A range we did not ask for: the bytes cannot be placed, start over.
                    _ => {
                        remove_part(part).await;
                        return Err(Step::Retry(ApiError::BadResponse {
                            detail: "the media server answered an unexpected range".into(),
                        }));
                    }
                }
            }
            StatusCode::RANGE_NOT_SATISFIABLE => {
                // The part is at least as long as the file: it cannot be trusted, start over.
                remove_part(part).await;
                return Err(Step::Retry(ApiError::BadResponse {
                    detail: "the partial download was longer than the file".into(),
                }));
            }
            s if s.is_success() => (0, resp.content_length()),
            s => return Err(retryable(media_status_error(s.as_u16()))),
        };
        let max = self.max_download_bytes;
        if let Some(total) = total.filter(|t| *t > max) {
            return Err(Step::Fatal(ApiError::BadResponse {
                detail: format!(
                    "the media file is {}, more than the {} this client downloads; nothing more was written",
                    crate::text::bytes(total),
                    crate::text::bytes(max)
                ),
            }));
        }
        let limit = total.unwrap_or(max);
        let mut file = if start > 0 {
            tokio::fs::OpenOptions::new().append(true).open(part).await
        } else {
            tokio::fs::File::create(part).await
        }
        .map_err(|e| io("open", e))?;
        let mut done = start;
        progress(done, total);
        let mut stream = resp.bytes_stream();
        let mut broken = None;
        // Each window of `stall_timeout` must bring at least STALL_MIN_BYTES.
        let stall = self.stall_timeout;
        let mut window_end = tokio::time::Instant::now() + stall;
        let mut window_bytes = 0u64;
        loop {
            let Ok(next) = tokio::time::timeout_at(window_end, stream.next()).await else {
                broken = Some(stalled(stall));
                break;
            };
            match next {
                None => break,
                Some(Ok(chunk)) => {
                    let len = chunk.len() as u64;
                    if done.saturating_add(len) > limit {
                        drop(file);
                        remove_part(part).await;
                        return Err(Step::Fatal(oversized(total, max)));
                    }
                    file.write_all(&chunk).await.map_err(|e| io("write", e))?;
                    done += len;
                    progress(done, total);
                    window_bytes += len;
                    if window_bytes >= STALL_MIN_BYTES {
                        window_end = tokio::time::Instant::now() + stall;
                        window_bytes = 0;
                    }
                }
                Some(Err(e)) => {
                    broken = Some(ApiError::from_transport(&e));
                    break;
                }
            }
        }
        // Flushed even when the connection broke, so the next try resumes after these bytes.
        file.flush().await.map_err(|e| io("write", e))?;
        file.sync_all().await.map_err(|e| io("sync", e))?;
        if let Some(e) = broken {
            return Err(Step::Retry(e));
        }
        Ok(Fetched {
            on_disk: done,
            total,
            resumed_from: start,
        })
    }
}

/// The result of one successful request.
struct Fetched {
    on_disk: u64,
    total: Option<u64>,
    resumed_from: u64,
}

/// Why one request did not finish the file.
enum Step {
    /// Worth another try (broken connection, 5xx, a bad range).
    Retry(ApiError),
    /// Not (expired link, disk error).
    Fatal(ApiError),
}

/// The error of a stalled transfer: a timeout, so it is resumed like a broken connection.
fn stalled(stall: Duration) -> ApiError {
    ApiError::Network {
        kind: NetworkKind::Timeout,
        detail: format!(
            "the download stalled, less than 1 KiB in {:.1} s; the bytes so far are kept and the next try resumes",
            stall.as_secs_f64()
        ),
    }
}

/// The error of a body longer than announced, or than the cap when nothing was announced.
fn oversized(total: Option<u64>, max: u64) -> ApiError {
    let detail = match total {
        Some(total) => format!(
            "the media server sent more than the {total} bytes it announced; the download was stopped and discarded"
        ),
        None => format!(
            "the media file is larger than {}, the most this client downloads; the download was stopped and discarded",
            crate::text::bytes(max)
        ),
    };
    ApiError::BadResponse { detail }
}

fn retryable(e: ApiError) -> Step {
    match e {
        ApiError::Network { .. } | ApiError::Server { .. } => Step::Retry(e),
        e => Step::Fatal(e),
    }
}

/// `dest` if its extension names `kind`, else `dest` with the extension of `kind` (`gen_x.png`
/// holding WebP becomes `gen_x.webp`; `gen_x.clean.mp4` holding MP4 stays).
pub fn media_path(dest: &Path, kind: FileType) -> PathBuf {
    match dest.extension().and_then(|e| e.to_str()) {
        Some(ext) if kind.has_extension(ext) => dest.to_path_buf(),
        _ => dest.with_extension(kind.extension()),
    }
}

/// Checks that what arrived is media (by its first bytes) and says which: a link that answers
/// 200 with an error page or JSON must not be saved under a video's name. The part file is
/// discarded.
async fn check_media(part: &Path) -> Result<FileType, ApiError> {
    use tokio::io::AsyncReadExt;
    let mut head = [0u8; super::filetype::SNIFF_BYTES];
    let mut n = 0;
    if let Ok(mut f) = tokio::fs::File::open(part).await {
        while n < head.len() {
            match f.read(&mut head[n..]).await {
                Ok(0) | Err(_) => break,
                Ok(read) => n += read,
            }
        }
    }
    if let Some(kind) = FileType::sniff(&head[..n]) {
        return Ok(kind);
    }
    let _ = tokio::fs::remove_file(part).await;
    Err(ApiError::BadResponse {
        detail: "the media link answered with something that is not a video or an image".into(),
    })
}

/// Checks the bytes on disk against the announced total.
fn verify(on_disk: u64, total: Option<u64>) -> Result<u64, ApiError> {
    match total {
        Some(total) if total != on_disk => Err(ApiError::Network {
            kind: NetworkKind::Interrupted,
            detail: format!("length mismatch: got {on_disk} of {total} bytes"),
        }),
        _ if on_disk == 0 => Err(ApiError::BadResponse {
            detail: "the media file is empty".into(),
        }),
        _ => Ok(on_disk),
    }
}

/// `dest`'s length if it counts as complete (see [`Client::download_to`]).
async fn complete_len(dest: &Path, expected_len: Option<u64>) -> Option<u64> {
    let meta = tokio::fs::metadata(dest).await.ok()?;
    let len = meta.len();
    let ok = meta.is_file()
        && match expected_len {
            Some(expected) => len == expected,
            None => len > 0,
        };
    ok.then_some(len)
}

async fn remove_part(part: &Path) {
    if let Err(e) = tokio::fs::remove_file(part).await
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!("cannot remove {}: {e}", part.display());
    }
}

/// `bytes FIRST-LAST/TOTAL` → `(FIRST, Some(TOTAL))`; a `*` total is `None`.
fn parse_content_range(v: &str) -> Option<(u64, Option<u64>)> {
    let (range, total) = v.trim().strip_prefix("bytes ")?.split_once('/')?;
    let (first, _) = range.split_once('-')?;
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse().ok()?),
    };
    Some((first.trim().parse().ok()?, total))
}

/// `name.mp4` → `name.mp4.part`.
pub fn part_path(dest: &Path) -> PathBuf {
    let mut s = dest.as_os_str().to_owned();
    s.push(".part");
    s.into()
}

/// The error for a media answer that is not a success.
pub(super) fn media_status_error(status: u16) -> ApiError {
    if status == 403 || status == 404 || status == 410 {
        ApiError::Rejected {
            status,
            code: Some(MEDIA_LINK_EXPIRED.into()),
            param: None,
            message: "the media link has expired or is gone: refresh the drafts and try again"
                .into(),
        }
    } else if status >= 500 {
        ApiError::Server {
            status,
            detail: "media server".into(),
        }
    } else {
        ApiError::Rejected {
            status,
            code: None,
            param: None,
            message: "the media server refused the download".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cap README.md and SECURITY.md promise for a download whose size is not announced.
    #[test]
    fn an_unannounced_download_is_capped_at_two_gibibytes() {
        assert_eq!(MAX_DOWNLOAD_BYTES, 1 << 31);
    }

    #[test]
    fn content_range_parses() {
        assert_eq!(
            parse_content_range("bytes 10-99/100"),
            Some((10, Some(100)))
        );
        assert_eq!(parse_content_range("bytes 0-9/*"), Some((0, None)));
        assert_eq!(parse_content_range("bytes */100"), None);
        assert_eq!(parse_content_range("garbage"), None);
    }

    #[test]
    fn length_mismatch_is_an_error() {
        assert!(verify(10, Some(11)).is_err());
        assert!(verify(12, Some(11)).is_err());
        assert!(verify(0, None).is_err());
        assert_eq!(verify(11, Some(11)), Ok(11));
        assert_eq!(verify(5, None), Ok(5));
    }

    #[test]
    fn the_saved_extension_follows_the_bytes() {
        let p = |s: &str, kind| media_path(Path::new(s), kind);
        assert_eq!(
            p("d/gen_1.png", FileType::Webp),
            PathBuf::from("d/gen_1.webp")
        );
        assert_eq!(
            p("d/gen_1.png", FileType::Png),
            PathBuf::from("d/gen_1.png")
        );
        assert_eq!(
            p("d/gen_1.JPEG", FileType::Jpeg),
            PathBuf::from("d/gen_1.JPEG")
        );
        assert_eq!(
            p("d/gen_1.clean.mp4", FileType::Mp4),
            PathBuf::from("d/gen_1.clean.mp4")
        );
        assert_eq!(
            p("d/gen_1.mp4", FileType::Png),
            PathBuf::from("d/gen_1.png")
        );
        assert_eq!(p("d/gen_1", FileType::Mp4), PathBuf::from("d/gen_1.mp4"));
    }

    #[test]
    fn expired_links_are_recognised() {
        assert!(is_expired_link(&media_status_error(403)));
        assert!(is_expired_link(&media_status_error(404)));
        assert!(!is_expired_link(&media_status_error(500)));
        assert!(!is_expired_link(&media_status_error(401)));
    }
}
