//! Media downloads, streamed to disk with throttled progress reports.

use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;

use super::protocol::Event;
use crate::api::{ApiError, Client};

/// At most one progress report per this long per download: ten a second is smooth for a
/// progress bar and cheap for the UI's redraws.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Downloads `url` to `dest` (through `dest.part`, see [`Client::download`]) and reports
/// progress, then `Downloaded` or `DownloadFailed`. An existing `dest` is a finished download
/// and is reported at once.
pub(super) async fn download(
    client: Client,
    gen_id: String,
    url: String,
    dest: PathBuf,
    events: UnboundedSender<Event>,
) {
    if tokio::fs::try_exists(&dest).await.unwrap_or(false) {
        let _ = events.send(Event::Downloaded { gen_id, path: dest });
        return;
    }
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty())
        && let Err(e) = tokio::fs::create_dir_all(dir).await
    {
        let error = ApiError::Io(format!(
            "cannot create the download folder {}: {e}",
            dir.display()
        ));
        let _ = events.send(Event::DownloadFailed { gen_id, error });
        return;
    }
    let mut throttle = Throttle::new(PROGRESS_EVERY);
    let mut total_seen = None;
    let result = client
        .download(&url, &dest, |done, total| {
            total_seen = total;
            if throttle.ready(Instant::now()) {
                let _ = events.send(Event::DownloadProgress {
                    gen_id: gen_id.clone(),
                    done,
                    total,
                });
            }
        })
        .await;
    match result {
        Ok(bytes) => {
            // The last report, whatever the throttle said, so the bar ends full.
            let _ = events.send(Event::DownloadProgress {
                gen_id: gen_id.clone(),
                done: bytes,
                total: total_seen.or(Some(bytes)),
            });
            let _ = events.send(Event::Downloaded { gen_id, path: dest });
        }
        Err(error) => {
            let _ = events.send(Event::DownloadFailed { gen_id, error });
        }
    }
}

/// Lets one event through per period; the first one at once.
#[derive(Debug)]
struct Throttle {
    every: Duration,
    last: Option<Instant>,
}

impl Throttle {
    fn new(every: Duration) -> Throttle {
        Throttle { every, last: None }
    }

    fn ready(&mut self, now: Instant) -> bool {
        if self
            .last
            .is_some_and(|last| now.duration_since(last) < self.every)
        {
            return false;
        }
        self.last = Some(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_lets_one_through_per_period() {
        let mut t = Throttle::new(Duration::from_millis(100));
        let t0 = Instant::now();
        assert!(t.ready(t0));
        assert!(!t.ready(t0 + Duration::from_millis(50)));
        assert!(t.ready(t0 + Duration::from_millis(100)));
        assert!(!t.ready(t0 + Duration::from_millis(199)));
        assert!(t.ready(t0 + Duration::from_millis(250)));
    }
}
