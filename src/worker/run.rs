//! The worker loop. It owns the task record and the poll schedule and never waits on the
//! network itself: submissions and one-shot jobs run as spawned tasks, the poll round is a
//! future polled alongside the request channel, so a request is picked up while a slow
//! request is in flight. The only awaits in the loop body are data-dir writes, which must stay
//! in order (a task is written down before the UI hears it was submitted), and the reads of
//! what other instances on the data dir wrote, when `watch` says the files changed. With
//! nothing unfinished the loop has no timer at all ([`Deadlines`]).

mod extending;
mod queueing;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::OptionFuture;
use tokio::sync::mpsc;
use tokio::task::{JoinError, JoinSet};
use tokio::time::Instant;

use super::WorkerConfig;
use super::actions::{self, DraftJobs};
use super::cameos::Cameos;
use super::clean::{self, Ledger};
use super::history::History;
use super::persist::{self, PROMPT_FILE, PromptAutosave, TASKS_FILE};
use super::poll::{self, Cadence, Pace, Round, Stage};
use super::protocol::{DraftsEvent, Event, PromptSnapshot, Request, Submission, TaskEvent};
use super::queue::Queue;
use super::storyboards::Storyboards;
use super::submit::{SubmitOutcome, unix_now};
use super::tasks::{TaskBook, finished_drafts_page};
use super::thumbs::Pictures;
use super::watch::FileWatch;
use crate::api::{Client, RetryNotice, RetryObserver};
use crate::store::{Diff, Stamp, Store};
use crate::track::TaskRecord;
use queueing::QueueJob;

/// How long `Shutdown` waits for submissions in flight: their tasks may already exist on the
/// server, and recording them is what lets the next start resume tracking them.
const SUBMIT_GRACE: Duration = Duration::from_secs(10);

/// A poll round in flight.
type RoundFuture = Pin<Box<dyn Future<Output = Round> + Send>>;

/// Restores the data dir, reports it, serves requests until `Shutdown` or the channel closes,
/// then flushes what is pending.
pub(super) async fn run(
    client: Client,
    store: Store,
    config: WorkerConfig,
    requests: mpsc::Receiver<Request>,
    events: mpsc::UnboundedSender<Event>,
) {
    let mut worker = Worker::start(client, store, config, requests, events).await;
    worker.start_queue().await;
    worker.serve().await;
    worker.finish().await;
}

/// The loop's timers, each `None` when off: what `Worker::serve` sleeps until. One place
/// that says them all, so a test can check that an idle worker has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Deadlines {
    /// The next poll round.
    poll: Option<Instant>,
    /// The prompt autosave.
    save: Option<Instant>,
    /// The debounced quota read.
    quota: Option<Instant>,
    /// The next read of the shared record files.
    sync: Option<Instant>,
}

impl Worker {
    /// Restores the data dir, reports it, and starts the jobs an earlier run left unfinished.
    async fn start(
        client: Client,
        store: Store,
        config: WorkerConfig,
        requests: mpsc::Receiver<Request>,
        events: mpsc::UnboundedSender<Event>,
    ) -> Worker {
        // Watching before the first read: nothing another instance writes after it is missed.
        let watch = FileWatch::start(store.dir(), config.sync);
        let client = client.with_retry_observer(retry_events(events.clone()));
        let restored = persist::restore(&store).await;
        let _ = events.send(Event::Restored {
            tasks: restored.tasks.clone(),
            prompt: restored.prompt,
            warnings: restored.warnings,
        });
        crash_if_asked();
        let history = History::load(store.clone(), &events).await;
        let storyboards = Storyboards::start(store.clone(), &events).await;
        let mut jobs = JoinSet::new();
        let cameos = Cameos::start(
            &client,
            store.clone(),
            &events,
            &mut jobs,
            config.cameo_poll,
        )
        .await;
        // Temporary posts an interrupted clean download left behind are deleted first thing.
        let pictures = Pictures::start(
            &client,
            config
                .picture_cache
                .clone()
                .map(|dir| (dir, config.picture_cache_bytes)),
            &events,
            &mut jobs,
        );
        let ledger = Ledger::load(store.clone(), &events).await;
        if !ledger.entries().await.is_empty() {
            jobs.spawn(clean::sweep(client.clone(), ledger.clone(), events.clone()));
        }
        let archive = super::archive::ArchiveSlot::new(store.dir().to_path_buf());
        let mut worker = Worker {
            client,
            queue: Queue::new(store.clone()),
            queue_jobs: JoinSet::new(),
            direct: HashMap::new(),
            stopping: false,
            store,
            drafts: DraftJobs {
                page_size: config.drafts_page.max(1),
                naming: config.naming.clone(),
                ledger,
                archive,
            },
            cadence: Cadence::new(config.poll_min, config.poll_max),
            events,
            requests,
            book: TaskBook::new(restored.tasks),
            next_poll: None,
            round: None,
            added_during_round: false,
            quota_due: None,
            in_trouble: false,
            tasks_seen: None,
            watch,
            autosave: PromptAutosave::default(),
            storyboards,
            cameos,
            pictures,
            history,
            jobs,
            submits: JoinSet::new(),
        };
        if worker.book.plan().is_some() {
            // Resume tracking what an earlier run left unfinished.
            worker.next_poll = Some(Instant::now());
        }
        worker
    }
}

/// The loop's state.
struct Worker {
    client: Client,
    store: Store,
    /// What the Drafts pane's jobs need: the page size, download naming, the ledger.
    drafts: DraftJobs,
    events: mpsc::UnboundedSender<Event>,
    requests: mpsc::Receiver<Request>,
    /// Every recorded task; the source of truth for `tasks.json`.
    book: TaskBook,
    cadence: Cadence,
    /// When the next round starts; `None` while a round is in flight or nothing is unfinished
    /// (then the loop has no timer at all).
    next_poll: Option<Instant>,
    round: Option<RoundFuture>,
    /// A task was added after the round in flight was planned: poll again soon.
    added_during_round: bool,
    /// When the quota is read again because tasks finished; one read serves every task that
    /// finished before it (see [`Worker::on_round`]). `None`: no timer.
    quota_due: Option<Instant>,
    /// The last round failed (the UI shows it until a round succeeds).
    in_trouble: bool,
    /// How `tasks.json` looked when last read for other instances' changes.
    tasks_seen: Option<Stamp>,
    /// The data-dir watch: when the shared record files are read again.
    watch: FileWatch,
    autosave: PromptAutosave,
    /// Storyboard files and autosave.
    storyboards: Storyboards,
    /// Cameo flows and record.
    cameos: Cameos,
    /// The picture fetcher's task (`thumbs`).
    pictures: Pictures,
    /// The local history (`history.json`).
    history: History,
    /// Account, drafts, downloads, publishing: abortable at shutdown (a clean download cut
    /// short leaves its post in the ledger for the next start).
    jobs: JoinSet<()>,
    /// Submissions: their outcome must be recorded by the loop.
    submits: JoinSet<SubmitOutcome>,
    /// The local queue (`queue.json`, claims, what it knows of the limits).
    queue: Queue,
    /// The queue's creates, reconciliations and quota reads, answered to the loop.
    queue_jobs: JoinSet<QueueJob>,
    /// `Request::Submit`s sent and not answered yet, kept to hold one the service refuses
    /// for a limit, and counted as running.
    direct: HashMap<u64, Submission>,
    /// Shutting down: the queue sends nothing more.
    stopping: bool,
}

impl Worker {
    /// Every timer the loop has now.
    fn deadlines(&self) -> Deadlines {
        Deadlines {
            poll: self.next_poll.filter(|_| self.round.is_none()),
            save: self.autosave.due(),
            quota: self.quota_due,
            sync: self.watch.due(),
        }
    }

    async fn serve(&mut self) {
        loop {
            let Deadlines {
                poll: poll_at,
                save: save_at,
                quota: quota_at,
                sync: sync_at,
            } = self.deadlines();
            let queue_at = self.queue_timer();
            let notified = self.watch.notified();
            tokio::select! {
                biased;
                request = self.requests.recv() => match request {
                    Some(request) => {
                        if !self.handle(request).await {
                            return;
                        }
                    }
                    None => return,
                },
                Some(done) = self.submits.join_next(), if !self.submits.is_empty() => {
                    self.on_submitted(done).await;
                }
                Some(done) = self.queue_jobs.join_next(), if !self.queue_jobs.is_empty() => {
                    match done {
                        Ok(job) => self.on_queue_job(job).await,
                        Err(e) => propagate_panic(e),
                    }
                }
                Some(round) = OptionFuture::from(self.round.as_mut()) => {
                    self.round = None;
                    self.on_round(round).await;
                }
                Some(done) = self.jobs.join_next(), if !self.jobs.is_empty() => {
                    if let Err(e) = done {
                        propagate_panic(e);
                    }
                }
                _ = tokio::time::sleep_until(poll_at.unwrap_or_else(Instant::now)), if poll_at.is_some() => {
                    self.start_round();
                }
                _ = tokio::time::sleep_until(save_at.unwrap_or_else(Instant::now)), if save_at.is_some() => {
                    if let Some(snapshot) = self.autosave.take() {
                        self.write_prompt(snapshot).await;
                    }
                }
                _ = tokio::time::sleep_until(quota_at.unwrap_or_else(Instant::now)), if quota_at.is_some() => {
                    self.quota_due = None;
                    if self.book.stages().contains(&Stage::Finishing) {
                        // Another task is about to finish: one read after it serves both.
                        self.quota_due = Some(Instant::now() + self.cadence.min());
                    } else {
                        // One read serves the UI and the queue's count (see `queueing`).
                        self.read_quota();
                    }
                }
                _ = tokio::time::sleep_until(queue_at.unwrap_or_else(Instant::now)), if queue_at.is_some() => {
                    self.on_queue_timer().await;
                }
                _ = notified => self.watch.on_notified(Instant::now()),
                _ = tokio::time::sleep_until(sync_at.unwrap_or_else(Instant::now)), if sync_at.is_some() => {
                    self.sync().await;
                }
            }
        }
    }

    /// Handles one request; `false` means stop.
    async fn handle(&mut self, request: Request) -> bool {
        let client = self.client.clone();
        let events = self.events.clone();
        match request {
            Request::LoadAccount => {
                self.jobs.spawn(actions::load_account(client, events));
            }
            Request::Submit(submission) => {
                self.history.expect(&submission).await;
                self.submit(submission).await
            }
            Request::History(r) => self.history.handle(r, &mut self.jobs).await,
            Request::Drafts(r) => self.drafts.handle(r, client, events, &mut self.jobs),
            Request::SavePrompt(snapshot) => self.autosave.offer(snapshot, Instant::now()),
            Request::DismissTask { task_id } => {
                if self.book.dismiss(&task_id) {
                    self.save_tasks().await;
                    self.stop_polling_if_idle();
                }
            }
            Request::Storyboard(r) => self.storyboards.handle(r, &self.events).await,
            Request::Cameo(r) => {
                self.cameos
                    .handle(r, &self.client, &self.events, &mut self.jobs)
                    .await
            }
            Request::Queue(r) => self.on_queue_request(r).await,
            Request::Pictures(r) => self.pictures.handle(r),
            Request::Shutdown => return false,
            Request::Enhance(r) => {
                self.jobs.spawn(super::enhance::enhance(client, events, r));
            }
            Request::Extend(r) => self.extend(r),
            Request::SetUsername { username } => {
                self.jobs
                    .spawn(super::username::set(client, events, username));
            }
        }
        true
    }

    /// Records a finished submission (or reports its failure).
    async fn on_submitted(&mut self, done: Result<SubmitOutcome, JoinError>) {
        let outcome = match done {
            Ok(outcome) => outcome,
            Err(e) => {
                propagate_panic(e);
                return;
            }
        };
        // A refusal for a limit is held in the queue instead of reported.
        let Some(outcome) = self.direct_outcome(outcome).await else {
            return;
        };
        match outcome {
            SubmitOutcome::Created { local_id, record } => self.record(local_id, record).await,
            SubmitOutcome::Unconfirmed {
                local_id,
                mut record,
                candidates,
                error,
            } => match candidates.into_iter().find(|id| !self.book.contains(id)) {
                Some(task_id) => {
                    tracing::info!(%task_id, "the create's answer was lost; adopted the task from the server's list");
                    record.task_id = task_id;
                    self.record(local_id, record).await;
                }
                None => self.emit(Event::Tasks(TaskEvent::SubmitFailed { local_id, error })),
            },
            SubmitOutcome::Failed { local_id, error } => {
                self.emit(Event::Tasks(TaskEvent::SubmitFailed { local_id, error }))
            }
        }
    }

    /// Writes a new task down, then tells the UI, then polls after the normal interval: right
    /// after a create the service only ever answers `preprocessing`, so an earlier read
    /// would tell nothing the create's answer did not.
    async fn record(&mut self, local_id: u64, record: TaskRecord) {
        self.track(record.clone()).await;
        self.history.submitted(local_id, &record).await;
        self.emit(Event::Tasks(TaskEvent::Submitted { local_id, record }));
    }

    /// Writes a new task down and schedules the poll that follows it; a video counts
    /// against the quota the queue knows.
    async fn track(&mut self, record: TaskRecord) {
        if record.kind.is_video() {
            self.queue.quota.accepted();
        }
        self.book.add(record);
        self.save_tasks().await;
        self.cadence.reset();
        if self.round.is_some() {
            self.added_during_round = true;
        } else {
            let soon = Instant::now() + self.cadence.min();
            self.next_poll = Some(self.next_poll.map_or(soon, |at| at.min(soon)));
        }
    }

    fn start_round(&mut self) {
        self.next_poll = None;
        let Some(plan) = self.round_plan() else {
            return;
        };
        self.added_during_round = false;
        let fetch = poll::fetch(self.client.clone(), plan, self.drafts.page_size);
        self.round = Some(Box::pin(fetch));
    }

    async fn on_round(&mut self, round: Round) {
        let now = Instant::now();
        let applied = self.book.apply(&round, now, unix_now());
        if let Some(Ok(pending)) = &round.pending {
            self.saw_pending(pending);
        }
        let changed = !applied.changed.is_empty();
        if applied.changed.iter().any(|r| !r.phase.is_unfinished()) && self.quota_due.is_none() {
            // The quota moved. One read, a normal interval on, serves every task finishing
            // in this round and the next ones, instead of one per task (docs/api.md).
            self.quota_due = Some(now + self.cadence.min());
        }
        // The connection state first, so the UI never shows fresh progress under a stale
        // "trouble" banner.
        let delay = match round.error() {
            Some(error) => {
                tracing::debug!(%error, "poll round failed");
                self.in_trouble = true;
                self.emit(Event::PollTrouble(Some(error.clone())));
                self.cadence.after_failure(error)
            }
            None => {
                self.clear_trouble();
                let calm = self
                    .cadence
                    .after_success(changed || self.added_during_round);
                let pace = Pace::new(self.cadence.min(), self.cadence.max(), calm);
                poll::next_delay(&self.book.stages(), now, pace)
            }
        };
        // Progress alone stays queued in the book until the next status change or shutdown,
        // so a moving percentage does not write on every tick.
        if applied.persist {
            self.save_tasks().await;
        }
        self.history.tasks_changed(&applied.changed).await;
        let page = finished_drafts_page(&round, &applied);
        for record in applied.changed {
            self.emit(Event::Tasks(TaskEvent::TaskChanged(record)));
        }
        if let Some(page) = page {
            // The page already shows the new draft: spare the Drafts pane a request.
            self.emit(Event::Drafts(DraftsEvent::DraftsLoaded {
                page,
                first: true,
            }));
        }
        self.next_poll = Some(now + delay);
        self.stop_polling_if_idle();
        // A slot may have freed: the queue sends what may go.
        self.pump().await;
    }

    /// With nothing unfinished there is no timer and no request at all.
    fn stop_polling_if_idle(&mut self) {
        if self.round_plan().is_none() {
            self.next_poll = None;
            self.clear_trouble();
        }
    }

    fn clear_trouble(&mut self) {
        if std::mem::take(&mut self.in_trouble) {
            self.emit(Event::PollTrouble(None));
        }
    }

    /// Merges this instance's task changes into `tasks.json` (a failed write keeps them
    /// queued for the next one) and adopts what the other instances wrote.
    async fn save_tasks(&mut self) {
        let ops = self.book.unsaved();
        let known = self.book.records().to_vec();
        match persist::merge(&self.store, TASKS_FILE, ops, known).await {
            Ok(merged) => {
                if let Some(e) = merged.set_aside {
                    self.emit(Event::StoreFailed(format!(
                        "the record of submitted tasks could not be read: {e}"
                    )));
                }
                let diff = self.book.written(merged.records);
                self.on_others(diff);
            }
            Err(message) => self.emit(Event::StoreFailed(message)),
        }
    }

    /// Reads the shared record files `watch` says changed, for what other instances wrote.
    async fn sync(&mut self) {
        let changed = self.watch.take(Instant::now());
        if changed.tasks {
            self.sync_tasks().await;
        }
        if changed.cameos {
            self.cameos.sync().await;
        }
    }

    /// Adopts what other instances wrote to `tasks.json`, if it changed since last read.
    async fn sync_tasks(&mut self) {
        match persist::read_if_changed(&self.store, TASKS_FILE, self.tasks_seen).await {
            Ok(Some((stamp, records))) => {
                self.tasks_seen = Some(stamp);
                let diff = self.book.reloaded(records);
                self.on_others(diff);
            }
            Ok(None) => {}
            Err(message) => self.emit(Event::StoreFailed(format!(
                "the record of submitted tasks could not be read: {message}"
            ))),
        }
        // `queue.json` is watched under the tasks flag (see `watch`): a change to either is
        // another instance's queue moving.
        self.sync_queue().await;
    }

    /// Tells the UI about tasks other instances added, changed or dismissed, and polls the
    /// unfinished ones too, so every instance tracks every task of the data dir.
    fn on_others(&mut self, diff: Diff<TaskRecord>) {
        if diff.is_empty() {
            return;
        }
        for record in diff.changed {
            self.emit(Event::Tasks(TaskEvent::TaskChanged(record)));
        }
        for task_id in diff.removed {
            self.emit(Event::Tasks(TaskEvent::TaskRemoved { task_id }));
        }
        if self.round.is_none() && self.next_poll.is_none() && self.round_plan().is_some() {
            self.next_poll = Some(Instant::now());
        }
        self.stop_polling_if_idle();
    }

    async fn write_prompt(&mut self, snapshot: PromptSnapshot) {
        if let Err(message) = persist::save(&self.store, PROMPT_FILE, snapshot).await {
            self.emit(Event::StoreFailed(message));
        }
    }

    /// Stops polling and transfers, lets submissions in flight be recorded, and flushes the
    /// prompt autosave and unsaved progress.
    async fn finish(&mut self) {
        self.round = None;
        self.next_poll = None;
        self.jobs.abort_all();
        let deadline = Instant::now() + SUBMIT_GRACE;
        self.finish_queue(deadline).await;
        while !self.submits.is_empty() {
            match tokio::time::timeout_at(deadline, self.submits.join_next()).await {
                Ok(Some(done)) => self.on_submitted(done).await,
                Ok(None) => break,
                Err(_) => {
                    tracing::warn!("shutting down with submissions still unanswered");
                    self.submits.abort_all();
                    break;
                }
            }
        }
        self.round = None;
        self.storyboards.flush().await;
        self.cameos.flush().await;
        if let Some(snapshot) = self.autosave.take() {
            self.write_prompt(snapshot).await;
        }
        if self.book.has_unsaved() {
            self.save_tasks().await;
        }
    }

    /// Sends to the UI; a UI that is gone is not an error here (the request channel closing
    /// is what ends the worker).
    fn emit(&self, event: Event) {
        let _ = self.events.send(event);
    }
}

/// Turns the client's retry notices into [`Event::Retrying`] / [`Event::RetryCleared`], so
/// the status bar can say when the next try happens.
fn retry_events(events: mpsc::UnboundedSender<Event>) -> RetryObserver {
    Arc::new(move |notice| {
        let event = match notice {
            RetryNotice::Waiting {
                what, error, delay, ..
            } => Event::Retrying {
                what,
                reason: error.short_reason().to_string(),
                until_unix: unix_now() + delay.as_secs_f64(),
            },
            RetryNotice::Settled { what } => Event::RetryCleared { what },
        };
        let _ = events.send(event);
    })
}

/// A spawned job that panicked takes the worker down with it, so the supervisor reports
/// `Crashed` instead of the UI waiting forever for an answer; a cancelled job is ignored.
fn propagate_panic(error: JoinError) {
    if error.is_panic() {
        std::panic::resume_unwind(error.into_panic());
    }
}

/// Test-only hook: `SORA_TEST_PANIC_WORKER=1` makes the worker panic right after start-up, so
/// `tests/diagnostics.rs` can check on the real binary that a crashed worker reaches the UI as
/// a clear message and the program exits non-zero with the terminal restored. Nothing else
/// sets it; it is read once per worker start. It exists only in debug builds (the ones
/// `cargo test` runs): a release binary carries neither the switch nor its name, so no user
/// can crash the worker through the environment.
#[cfg(debug_assertions)]
fn crash_if_asked() {
    if std::env::var_os("SORA_TEST_PANIC_WORKER").is_some_and(|v| v == "1") {
        panic!("SORA_TEST_PANIC_WORKER=1 (a crash on purpose, for tests)");
    }
}

/// Release builds: no crash switch at all (see the debug version above).
#[cfg(not(debug_assertions))]
fn crash_if_asked() {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{AccessToken, ClientConfig};
    use crate::worker::SyncMode;

    /// A worker started on an empty data dir, not serving: nothing to resume, so nothing is
    /// asked of the (unreachable) backend.
    async fn idle_worker(dir: &std::path::Path, sync: SyncMode) -> Worker {
        let base = "http://127.0.0.1:9/backend";
        let token = AccessToken::new("sora-test-token").expect("token");
        let client = Client::new(ClientConfig::new(base, token)).expect("client");
        let (_requests, inbox) = mpsc::channel(1);
        let (events, _seen) = mpsc::unbounded_channel();
        let config = WorkerConfig {
            sync,
            ..WorkerConfig::default()
        };
        Worker::start(
            client,
            Store::new(dir).for_backend(base),
            config,
            inbox,
            events,
        )
        .await
    }

    #[tokio::test]
    async fn an_idle_worker_under_a_watch_has_no_timer_at_all() {
        let dir = tempfile::tempdir().expect("temp dir");
        let worker = idle_worker(dir.path(), SyncMode::Watch).await;
        assert!(worker.watch.notifies(), "the watch starts on a temp dir");
        assert_eq!(worker.deadlines(), Deadlines::default());
    }

    #[tokio::test]
    async fn an_idle_worker_without_a_watch_looks_at_the_files_every_two_seconds() {
        let dir = tempfile::tempdir().expect("temp dir");
        let worker = idle_worker(dir.path(), SyncMode::Poll).await;
        let deadlines = worker.deadlines();
        assert!(deadlines.sync.is_some(), "{deadlines:?}");
        assert_eq!(
            Deadlines {
                sync: None,
                ..deadlines
            },
            Deadlines::default()
        );
    }
}
