//! A running background worker for the integration tests: `sora_tui::worker::spawn` over a
//! store, with the events it sent kept for inspection.

use std::fmt::Debug;
use std::time::Duration;

use sora_tui::api::{ApiError, Client};
use sora_tui::store::Store;
use sora_tui::track::TaskRecord;
use sora_tui::worker::{self, Event, Request, Submission, TaskEvent, WorkerConfig};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The cameo poll interval of [`fast_config`].
pub const CAMEO_POLL: Duration = Duration::from_millis(50);

/// Longest wait for any one expected event, and for the worker to stop.
pub const WAIT: Duration = Duration::from_secs(20);

/// Polls quickly enough that the tests do not wait on the schedule (tasks and cameos alike).
pub fn fast_config() -> WorkerConfig {
    WorkerConfig {
        poll_min: Duration::from_millis(50),
        poll_max: Duration::from_millis(200),
        drafts_page: 30,
        cameo_poll: CAMEO_POLL,
        // Files named by the generation id alone, so tests about what is downloaded can name
        // the file; the default template has its own tests (`download_names`, `transfers`).
        naming: sora_tui::worker::Naming::new(Some("{id}"), sora_tui::text::Zone::utc()),
        ..WorkerConfig::default()
    }
}

/// A running worker over a store. Every event it sent that `keep` turns into an `E` is kept
/// in `seen`, in order; the others are dropped.
pub struct WorkerHarness<E = Event> {
    pub store: Store,
    pub requests: mpsc::Sender<Request>,
    events: mpsc::UnboundedReceiver<Event>,
    handle: JoinHandle<()>,
    pub seen: Vec<E>,
    keep: fn(Event) -> Option<E>,
}

impl WorkerHarness<Event> {
    /// Starts a worker that keeps every event.
    pub fn start(client: Client, store: Store, config: WorkerConfig) -> Self {
        Self::start_keeping(client, store, config, Some)
    }

    /// Sends a submission and waits for the worker's answer to it: the record it saved, or
    /// why it failed.
    pub async fn submit_and_wait(
        &mut self,
        submission: Submission,
    ) -> Result<TaskRecord, ApiError> {
        let local_id = submission.local_id;
        self.send(Request::Submit(submission)).await;
        self.expect("the submission's answer", |e| match e {
            Event::Tasks(TaskEvent::Submitted {
                local_id: id,
                record,
            }) if *id == local_id => Some(Ok(record.clone())),
            Event::Tasks(TaskEvent::SubmitFailed {
                local_id: id,
                error,
            }) if *id == local_id => Some(Err(error.clone())),
            _ => None,
        })
        .await
    }
}

impl<E: Debug> WorkerHarness<E> {
    /// Starts a worker that keeps only the events `keep` accepts.
    pub fn start_keeping(
        client: Client,
        store: Store,
        config: WorkerConfig,
        keep: fn(Event) -> Option<E>,
    ) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let (requests, handle) = worker::spawn(client, store.clone(), config, tx);
        WorkerHarness {
            store,
            requests,
            events: rx,
            handle,
            seen: Vec::new(),
            keep,
        }
    }

    pub async fn send(&self, request: Request) {
        self.requests
            .send(request)
            .await
            .expect("worker is running");
    }

    /// The next kept event matching `pick`, within [`WAIT`]; the events before it are kept in
    /// `seen`.
    pub async fn expect<T>(&mut self, what: &str, mut pick: impl FnMut(&E) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let event = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .unwrap_or_else(|_| panic!("no {what} within {WAIT:?}; seen: {:#?}", self.seen))
                .unwrap_or_else(|| {
                    panic!("the worker ended before {what}; seen: {:#?}", self.seen)
                });
            let Some(event) = (self.keep)(event) else {
                continue;
            };
            let picked = pick(&event);
            self.seen.push(event);
            if let Some(v) = picked {
                return v;
            }
        }
    }

    /// Stops the worker and returns every kept event, including those not yet looked at.
    pub async fn shutdown(self) -> Vec<E> {
        let _ = self.requests.send(Request::Shutdown).await;
        tokio::time::timeout(WAIT, self.handle)
            .await
            .expect("the worker stops")
            .expect("the worker did not panic");
        let mut seen = self.seen;
        let mut events = self.events;
        while let Ok(e) = events.try_recv() {
            seen.extend((self.keep)(e));
        }
        seen
    }
}

/// Lets a file-local wrapper around a harness be used as the harness itself.
#[macro_export]
macro_rules! deref_to_harness {
    ($wrapper:ty => $target:ty) => {
        impl std::ops::Deref for $wrapper {
            type Target = $target;
            fn deref(&self) -> &$target {
                &self.0
            }
        }
        impl std::ops::DerefMut for $wrapper {
            fn deref_mut(&mut self) -> &mut $target {
                &mut self.0
            }
        }
    };
}
