//! The worker loop. It owns the task record and the poll schedule and never waits on the
//! network itself: submissions and one-shot jobs run as spawned tasks, the poll round is a
//! future polled alongside the request channel, so a request is picked up while a slow
//! request is in flight. The only awaits in the loop body are data-dir writes, which must stay
//! in order (a task is written down before the UI hears it was submitted).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use futures_util::future::OptionFuture;
use tokio::sync::mpsc;
use tokio::task::{JoinError, JoinSet};
use tokio::time::Instant;

use super::WorkerConfig;
use super::actions;
use super::cameos::Cameos;
use super::persist::{self, PROMPT_FILE, PromptAutosave, TASKS_FILE};
use super::poll::{self, Cadence, Round};
use super::protocol::{Event, PromptSnapshot, Request};
use super::storyboards::Storyboards;
use super::submit::{self, SubmitOutcome, unix_now};
use super::tasks::{TaskBook, finished_drafts_page};
use super::transfers;
use crate::api::Client;
use crate::store::Store;
use crate::track::TaskRecord;

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
    let restored = persist::restore(&store).await;
    let _ = events.send(Event::Restored {
        tasks: restored.tasks.clone(),
        prompt: restored.prompt,
        warnings: restored.warnings,
    });
    let storyboards = Storyboards::start(store.clone(), &events).await;
    let mut jobs = JoinSet::new();
    let cameos = Cameos::start(&client, store.clone(), &events, &mut jobs).await;
    let mut worker = Worker {
        client,
        store,
        drafts_page: config.drafts_page.max(1),
        cadence: Cadence::new(config.poll_min, config.poll_max),
        events,
        requests,
        book: TaskBook::new(restored.tasks),
        next_poll: None,
        round: None,
        added_during_round: false,
        in_trouble: false,
        tasks_dirty: false,
        autosave: PromptAutosave::default(),
        storyboards,
        cameos,
        jobs,
        submits: JoinSet::new(),
    };
    if worker.book.plan().is_some() {
        // Resume tracking what an earlier run left unfinished.
        worker.next_poll = Some(Instant::now());
    }
    worker.serve().await;
    worker.finish().await;
}

/// The loop's state.
struct Worker {
    client: Client,
    store: Store,
    drafts_page: u32,
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
    /// The last round failed (the UI shows it until a round succeeds).
    in_trouble: bool,
    /// Progress changed since `tasks.json` was written (written on the next phase change or
    /// at shutdown, not on every tick).
    tasks_dirty: bool,
    autosave: PromptAutosave,
    /// Storyboard files and autosave.
    storyboards: Storyboards,
    /// Cameo flows and record.
    cameos: Cameos,
    /// Account, drafts, downloads, publishing: abortable at shutdown.
    jobs: JoinSet<()>,
    /// Submissions: their outcome must be recorded by the loop.
    submits: JoinSet<SubmitOutcome>,
}

impl Worker {
    async fn serve(&mut self) {
        loop {
            let poll_at = self.next_poll.filter(|_| self.round.is_none());
            let save_at = self.autosave.due();
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
                self.submits
                    .spawn(submit::submit(client, submission, events));
            }
            Request::LoadDrafts { cursor } => {
                let page = self.drafts_page;
                self.jobs
                    .spawn(actions::load_drafts(client, page, cursor, events));
            }
            Request::Download { gen_id, url, dest } => {
                self.jobs
                    .spawn(transfers::download(client, gen_id, url, dest, events));
            }
            Request::Publish { gen_id } => {
                self.jobs.spawn(actions::publish(client, gen_id, events));
            }
            Request::Unpublish { post_id, gen_id } => {
                self.jobs
                    .spawn(actions::unpublish(client, post_id, gen_id, events));
            }
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
            Request::Shutdown => return false,
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
                None => self.emit(Event::SubmitFailed { local_id, error }),
            },
            SubmitOutcome::Failed { local_id, error } => {
                self.emit(Event::SubmitFailed { local_id, error })
            }
        }
    }

    /// Writes a new task down, then tells the UI, then polls soon.
    async fn record(&mut self, local_id: u64, record: TaskRecord) {
        self.book.add(record.clone());
        self.save_tasks().await;
        self.emit(Event::Submitted { local_id, record });
        self.cadence.reset();
        if self.round.is_some() {
            self.added_during_round = true;
        } else {
            self.next_poll = Some(Instant::now());
        }
    }

    fn start_round(&mut self) {
        self.next_poll = None;
        let Some(plan) = self.book.plan() else {
            return;
        };
        self.added_during_round = false;
        let fetch = poll::fetch(self.client.clone(), plan, self.drafts_page);
        self.round = Some(Box::pin(fetch));
    }

    async fn on_round(&mut self, round: Round) {
        let applied = self.book.apply(&round, Instant::now(), unix_now());
        let changed = !applied.changed.is_empty();
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
                self.cadence
                    .after_success(changed || self.added_during_round)
            }
        };
        if applied.persist {
            self.save_tasks().await;
        } else if changed {
            self.tasks_dirty = true;
        }
        let page = finished_drafts_page(&round, &applied);
        for record in applied.changed {
            self.emit(Event::TaskChanged(record));
        }
        if let Some(page) = page {
            // The page already shows the new draft: spare the Drafts pane a request.
            self.emit(Event::DraftsLoaded { page, first: true });
        }
        self.next_poll = Some(Instant::now() + delay);
        self.stop_polling_if_idle();
    }

    /// With nothing unfinished there is no timer and no request at all.
    fn stop_polling_if_idle(&mut self) {
        if self.book.plan().is_none() {
            self.next_poll = None;
            self.clear_trouble();
        }
    }

    fn clear_trouble(&mut self) {
        if std::mem::take(&mut self.in_trouble) {
            self.emit(Event::PollTrouble(None));
        }
    }

    async fn save_tasks(&mut self) {
        let records = self.book.records().to_vec();
        match persist::save(&self.store, TASKS_FILE, records).await {
            Ok(()) => self.tasks_dirty = false,
            Err(message) => self.emit(Event::StoreFailed(message)),
        }
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
        if self.tasks_dirty {
            self.save_tasks().await;
        }
    }

    /// Sends to the UI; a UI that is gone is not an error here (the request channel closing
    /// is what ends the worker).
    fn emit(&self, event: Event) {
        let _ = self.events.send(event);
    }
}

/// A spawned job that panicked takes the worker down with it, so the supervisor reports
/// `Crashed` instead of the UI waiting forever for an answer; a cancelled job is ignored.
fn propagate_panic(error: JoinError) {
    if error.is_panic() {
        std::panic::resume_unwind(error.into_panic());
    }
}
