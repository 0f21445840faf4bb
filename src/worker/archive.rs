//! The TUI's account archive: `DraftsRequest::Archive` runs [`crate::archive::run`] (the
//! engine `sora-tui archive` uses) in a spawned task and reports to the Drafts pane through
//! `DraftsEvent::ArchiveProgress` (throttled) and one `ArchiveFinished` or `ArchiveFailed`.
//! One archive at a time: a second request while one runs is answered `ArchiveFailed`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinSet;

use super::protocol::{DraftsEvent, Event};
use super::transfers::Naming;
use crate::api::Client;
use crate::archive::{self, Options, Progress};
use crate::text::sanitize;

/// At most this often a progress event (the last file's is always sent).
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// How many failure reasons the finish event carries.
const REASONS: usize = 3;

/// Whether an archive is running, and where the cameos to include are recorded: what the
/// loop keeps for archive requests (in `DraftJobs`).
#[derive(Debug, Clone)]
pub(super) struct ArchiveSlot {
    /// The data dir whose `cameos.json` names the cameos to archive.
    data_dir: PathBuf,
    /// Set while a run is in flight; cleared when its task ends (also when it is dropped).
    running: Arc<AtomicBool>,
}

/// Clears the running mark when the archive task ends, however it ends.
struct Running(Arc<AtomicBool>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

impl ArchiveSlot {
    /// A slot with nothing running, archiving the cameos recorded in `data_dir`.
    pub(super) fn new(data_dir: PathBuf) -> ArchiveSlot {
        ArchiveSlot {
            data_dir,
            running: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Starts an archive into `dir`, or answers `ArchiveFailed` when one is running.
    pub(super) fn start(
        &self,
        client: Client,
        dir: PathBuf,
        naming: Naming,
        events: UnboundedSender<Event>,
        jobs: &mut JoinSet<()>,
    ) {
        if self.running.swap(true, Ordering::SeqCst) {
            let _ = events.send(Event::Drafts(DraftsEvent::ArchiveFailed {
                error: "an archive is already running".to_string(),
            }));
            return;
        }
        let guard = Running(self.running.clone());
        let opts = Options {
            dir,
            data_dir: Some(self.data_dir.clone()),
            naming,
        };
        jobs.spawn(async move {
            let _guard = guard;
            run(client, opts, events).await;
        });
    }
}

fn progress_event(p: Progress) -> Event {
    Event::Drafts(DraftsEvent::ArchiveProgress {
        done: p.done,
        total: p.total,
        failed: p.failed,
        bytes: p.bytes,
    })
}

/// Runs the archive, throttling its progress, and reports how it ended.
async fn run(client: Client, opts: Options, events: UnboundedSender<Event>) {
    let mut last_sent: Option<Instant> = None;
    // The last file's progress (`done == total`) is always sent, so the bar ends full.
    let result = archive::run(&client, &opts, |p| {
        let due = last_sent.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY);
        if due || p.done >= p.total {
            let _ = events.send(progress_event(p));
            last_sent = Some(Instant::now());
        }
    })
    .await;
    let event = match result {
        Ok(summary) => DraftsEvent::ArchiveFinished {
            entries: summary.entries,
            new: summary.new,
            skipped: summary.skipped,
            failed: summary.failed.len(),
            reasons: summary
                .failed
                .iter()
                .take(REASONS)
                .map(|f| sanitize(&format!("{}: {}", f.id, f.reason), 160))
                .collect(),
            dir: opts.dir,
        },
        Err(e) => DraftsEvent::ArchiveFailed {
            error: format!("archive failed: {e}"),
        },
    };
    let _ = events.send(Event::Drafts(event));
}
