//! The worker loop's side of the local queue (what the queue knows and its file are
//! `worker::queue`'s): when a submission is held instead of sent, when the next item goes,
//! what the service's answer to a queued create means, and how an item whose create may
//! have reached the server is reconciled. The rules are in docs/api.md#the-local-queue.
//!
//! Slots are counted without extra requests: the unfinished video tasks of the task book,
//! together with what the shared poll round's pending read listed (pending holds every task
//! of the account, also those started elsewhere), plus the video creates not answered yet.
//! While a video waits and nothing of this data dir is unfinished, the round reads pending
//! alone, so a slot freed by another client is seen too.

use std::collections::HashSet;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::Worker;
use crate::api::reconcile::{self, Listing};
use crate::api::{ApiError, Quota};
use crate::track::TaskRecord;
use crate::worker::poll::RoundPlan;
use crate::worker::protocol::{
    Event, QueueEvent, QueuePause, QueueRequest, QueuedItem, QueuedState, Submission, TaskEvent,
};
use crate::worker::queue::{self, MAX_RUNNING_VIDEOS, Refusal, is_video};
use crate::worker::submit::{self, SubmitOutcome, unix_now};

/// What a queue job spawned by the loop ends with.
pub(super) enum QueueJob {
    /// A queued item's create was sent; how it ended.
    Sent {
        /// The item.
        queue_id: u64,
        /// What `submit::submit` made of it.
        outcome: SubmitOutcome,
    },
    /// The server's lists were searched for the task a claimed item's create may have made.
    Reconciled {
        /// The item.
        queue_id: u64,
        /// Untracked task ids carrying its prompt, newest first (empty: none).
        found: Result<Vec<String>, ApiError>,
    },
    /// `/nf/check` was read for the queue (or after tasks finished).
    Quota(Result<Option<Quota>, ApiError>),
}

impl Worker {
    /// Reads what an earlier run left (the items, and the user's pause), tells the UI,
    /// takes over items whose sender is gone, and starts sending unless paused.
    pub(super) async fn start_queue(&mut self) {
        if let Err(message) = self.queue.reload().await {
            self.emit(Event::StoreFailed(message));
        }
        match self.queue.paused_on_disk().await {
            Ok(true) => self.queue.pause = Some(QueuePause::User),
            Ok(false) => {}
            Err(message) => self.emit(Event::StoreFailed(message)),
        }
        if let Err(message) = self.queue.claim_orphans().await {
            self.emit(Event::StoreFailed(message));
        }
        self.queue_changed();
        self.pump().await;
    }

    /// `Request::Submit`: held when the service is known to be full (or the queue has items
    /// waiting, so the line keeps its order), else sent as before.
    pub(super) async fn submit(&mut self, sub: Submission) {
        if let Some(reason) = self.hold_reason(&sub) {
            self.hold_direct(sub, reason).await;
            return;
        }
        let known = self.known_tasks();
        self.direct.insert(sub.local_id, sub.clone());
        self.submits.spawn(submit::submit(
            self.client.clone(),
            sub,
            known,
            self.events.clone(),
        ));
    }

    /// Why a submission waits instead of being sent now; `None`: send it. Images are never
    /// held before the service refuses them (its limits are for videos).
    fn hold_reason(&self, sub: &Submission) -> Option<String> {
        if !is_video(sub) {
            return None;
        }
        let waiting = self
            .queue
            .items()
            .iter()
            .filter(|i| i.state == QueuedState::Waiting)
            .count();
        if waiting > 0 && self.queue.pause.is_none() {
            return Some(format!("{waiting} waiting ahead in the queue"));
        }
        if !self.slot_free(true) {
            return Some(format!("{MAX_RUNNING_VIDEOS} videos already running"));
        }
        if self.queue.quota.read && !self.queue.quota.allows(self.in_flight_videos()) {
            return Some("the video quota is spent".into());
        }
        None
    }

    /// Holds one submission of `Request::Submit`: written down, then `Held` and `Changed`.
    async fn hold_direct(&mut self, sub: Submission, reason: String) {
        let local_id = sub.local_id;
        let note = self.history.take_notes(&[local_id]).await.pop().flatten();
        match self.queue.hold(vec![(sub, note)], None, unix_now()).await {
            Ok(ids) => {
                for queue_id in ids {
                    self.emit(Event::Queue(QueueEvent::Held {
                        local_id,
                        queue_id,
                        reason: reason.clone(),
                    }));
                }
                self.queue_changed();
                self.pump().await;
            }
            Err(message) => self.queue_write_failed(&[local_id], message),
        }
    }

    /// A write of `queue.json` failed for submissions the UI waits on: they end as failed
    /// (nothing was sent), with the store's message.
    fn queue_write_failed(&self, local_ids: &[u64], message: String) {
        self.emit(Event::StoreFailed(message.clone()));
        for &local_id in local_ids {
            let error = ApiError::Io(format!(
                "the submission could not be queued ({message}); nothing was sent: fix the data dir and submit again"
            ));
            self.emit(Event::Tasks(TaskEvent::SubmitFailed { local_id, error }));
        }
    }

    /// What a direct submission's outcome becomes: a refusal for a limit is held in the queue
    /// instead of reaching the UI as an error (nothing was created); `None` then.
    pub(super) async fn direct_outcome(&mut self, outcome: SubmitOutcome) -> Option<SubmitOutcome> {
        let local_id = match &outcome {
            SubmitOutcome::Created { local_id, .. }
            | SubmitOutcome::Unconfirmed { local_id, .. }
            | SubmitOutcome::Failed { local_id, .. } => *local_id,
        };
        let sub = self.direct.remove(&local_id);
        let (SubmitOutcome::Failed { error, .. }, Some(sub)) = (&outcome, sub) else {
            return Some(outcome);
        };
        let reason = match queue::refusal(error) {
            Refusal::Concurrency => {
                self.queue.blocked_until_round = true;
                "the service runs 3 generations at once: queued until one finishes"
            }
            Refusal::Quota { retry_after } => {
                self.pause_for_quota(retry_after);
                "the video quota is spent: queued until it resets"
            }
            _ => return Some(outcome),
        };
        self.hold_direct(sub, reason.into()).await;
        None
    }

    /// `Request::Queue`.
    pub(super) async fn on_queue_request(&mut self, request: QueueRequest) {
        match request {
            QueueRequest::Add { jobs, origin } => {
                let local_ids: Vec<u64> = jobs.iter().map(|j| j.local_id).collect();
                let notes = self.history.take_notes(&local_ids).await;
                let jobs = jobs.into_iter().zip(notes).collect();
                match self.queue.hold(jobs, origin, unix_now()).await {
                    Ok(ids) => {
                        for (local_id, queue_id) in local_ids.into_iter().zip(ids) {
                            self.emit(Event::Queue(QueueEvent::Held {
                                local_id,
                                queue_id,
                                reason: "added to the queue".into(),
                            }));
                        }
                        self.queue_changed();
                        self.pump().await;
                    }
                    Err(message) => self.queue_write_failed(&local_ids, message),
                }
            }
            QueueRequest::Move { queue_id, by } => {
                let moved = self.queue.move_by(queue_id, by).await;
                self.after_edit(moved.map(drop));
            }
            QueueRequest::Remove { queue_id } => {
                let taken = self.queue.take(queue_id).await;
                self.after_edit(taken.map(drop));
            }
            QueueRequest::TakeBack { queue_id } => match self.queue.take(queue_id).await {
                Ok(Some(item)) => {
                    self.emit(Event::Queue(QueueEvent::TakenBack(Box::new(
                        item.submission,
                    ))));
                    self.queue_changed();
                }
                other => self.after_edit(other.map(drop)),
            },
            QueueRequest::SetPaused(true) => {
                self.queue.pause = Some(QueuePause::User);
                if let Err(message) = self.queue.save_user_pause(true, unix_now()).await {
                    self.emit(Event::StoreFailed(message));
                }
                self.queue_changed();
            }
            QueueRequest::SetPaused(false) => {
                if let Err(message) = self.queue.save_user_pause(false, unix_now()).await {
                    self.emit(Event::StoreFailed(message));
                }
                if matches!(self.queue.pause, Some(QueuePause::Quota { .. })) {
                    // The user says the quota may be back: one read decides.
                    self.queue.quota.read = false;
                }
                self.queue.pause = None;
                self.queue.quota_check_at = None;
                self.queue.hold_off = None;
                self.queue.blocked_until_round = false;
                self.queue_changed();
                self.pump().await;
            }
        }
    }

    /// Reports an edit's result: the queue as it is now, or the store's failure.
    fn after_edit(&self, result: Result<(), String>) {
        if let Err(message) = result {
            self.emit(Event::StoreFailed(message));
        }
        self.queue_changed();
    }

    /// Sends what may go now: first reconciles claimed items left in `submitting`, then
    /// claims waiting items one by one while a slot and the quota allow (images whenever).
    pub(super) async fn pump(&mut self) {
        if self.stopping {
            return;
        }
        let mut changed = false;
        if self.queue.pause.is_none() {
            for item in self.queue.unreconciled() {
                changed |= self.reconcile(item).await;
            }
        }
        loop {
            if self.queue.pause.is_some() || !self.queue.has_waiting() {
                break;
            }
            if self.queue.hold_off.is_some_and(|at| at > Instant::now()) {
                break;
            }
            self.queue.hold_off = None;
            let video_ok =
                self.queue.has_waiting_video() && self.slot_free(false) && self.video_quota_ok();
            if self.queue.pause.is_some() {
                changed = true;
                break;
            }
            if queue::next_to_send(self.queue.items(), video_ok).is_none() {
                // Nothing may go by this copy of the file: no lock, no read.
                break;
            }
            match self.queue.claim_next(video_ok, unix_now()).await {
                Ok(Some(item)) => {
                    self.send_item(item);
                    changed = true;
                }
                Ok(None) => break,
                Err(message) => {
                    self.emit(Event::StoreFailed(message));
                    break;
                }
            }
        }
        if changed {
            self.queue_changed();
        }
        self.ensure_polling();
    }

    /// Whether the quota allows another video; reads it first when it was never read, and
    /// pauses the queue when it is spent and no create is in flight.
    fn video_quota_ok(&mut self) -> bool {
        if !self.queue.quota.read {
            self.read_quota();
            return false;
        }
        let in_flight = self.in_flight_videos();
        if self.queue.quota.allows(in_flight) {
            return true;
        }
        if in_flight == 0 {
            self.pause_for_quota(None);
        }
        false
    }

    /// The quota is spent: pause until it resets (the user's own pause stays), with a timer
    /// for one quota read then.
    fn pause_for_quota(&mut self, retry_after: Option<Duration>) {
        let now = unix_now();
        if let Some(wait) = retry_after {
            self.queue.quota.resets_unix = Some(now + wait.as_secs_f64());
        }
        self.queue.quota.read = true;
        self.queue.quota.remaining = Some(0.0);
        let at = self.queue.quota.recheck_unix(now);
        if self.queue.pause != Some(QueuePause::User) {
            self.queue.pause = Some(QueuePause::Quota { resets_unix: at });
        }
        self.queue.quota_check_at = Some(queue::instant_of(at, now));
    }

    /// Starts one `/nf/check` read unless one is running; the answer also goes to the UI.
    pub(super) fn read_quota(&mut self) {
        if self.queue.quota_reading {
            return;
        }
        self.queue.quota_reading = true;
        let client = self.client.clone();
        self.queue_jobs
            .spawn(async move { QueueJob::Quota(client.quota().await) });
    }

    /// Sends a claimed item's create. Its events (an upload) are not forwarded: the pane that
    /// submitted it stopped waiting when it was held.
    fn send_item(&mut self, item: QueuedItem) {
        let known = self.known_tasks();
        let client = self.client.clone();
        let (sink, _) = mpsc::unbounded_channel();
        let queue_id = item.queue_id;
        self.queue_jobs.spawn(async move {
            let outcome = submit::submit(client, item.submission, known, sink).await;
            QueueJob::Sent { queue_id, outcome }
        });
    }

    /// Decides about a claimed item left in `submitting` (an orphan of a run that died, or
    /// an ambiguous failure held back while paused). Its create may or may not have reached
    /// the server, and it must never be created twice:
    /// - a task of the book with its prompt recorded at or after `since` is its task (the
    ///   run that sent it recorded the task and died before it removed the item): removed;
    /// - else the server's lists are searched like an ambiguous create
    ///   (`reconcile::find_created`: pending and the drafts since `since`, untracked tasks
    ///   only); a task found is adopted, as the create's answer would have given it;
    /// - nothing found after a few reads: the create never arrived (a create the server
    ///   accepted is listed in pending at once), so it is sent again, with a new `since`;
    /// - the lists cannot be read: it stays claimed and the queue pauses; resuming decides
    ///   again.
    ///
    /// Returns whether the queue changed at once.
    async fn reconcile(&mut self, item: QueuedItem) -> bool {
        let QueuedState::Submitting { since_unix } = item.state else {
            return false;
        };
        let prompt = item.submission.prompt.clone();
        let recorded = self
            .book
            .records()
            .iter()
            .any(|r| r.prompt == prompt && r.submitted_at >= since_unix);
        if recorded {
            if let Err(message) = self.queue.settle(item.queue_id, None).await {
                self.emit(Event::StoreFailed(message));
            }
            return true;
        }
        self.queue.busy.insert(item.queue_id);
        let listing = if is_video(&item.submission) {
            Listing::Videos
        } else {
            Listing::Images
        };
        let known = self.known_tasks();
        let client = self.client.clone();
        let queue_id = item.queue_id;
        self.queue_jobs.spawn(async move {
            let known = |id: &str| known.contains(id);
            let found =
                reconcile::find_created(&client, listing, &prompt, since_unix, &known).await;
            QueueJob::Reconciled { queue_id, found }
        });
        false
    }

    /// A queue job ended.
    pub(super) async fn on_queue_job(&mut self, job: QueueJob) {
        match job {
            QueueJob::Sent { queue_id, outcome } => self.on_sent(queue_id, outcome).await,
            QueueJob::Reconciled { queue_id, found } => self.on_reconciled(queue_id, found).await,
            QueueJob::Quota(read) => self.on_quota(read),
        }
        self.pump().await;
    }

    async fn on_sent(&mut self, queue_id: u64, outcome: SubmitOutcome) {
        match outcome {
            SubmitOutcome::Created { record, .. } => self.started(queue_id, record).await,
            SubmitOutcome::Unconfirmed {
                mut record,
                candidates,
                error,
                ..
            } => match candidates.into_iter().find(|id| !self.book.contains(id)) {
                Some(task_id) => {
                    record.task_id = task_id;
                    self.started(queue_id, record).await;
                }
                None => self.refused(queue_id, error).await,
            },
            SubmitOutcome::Failed { error, .. } => self.refused(queue_id, error).await,
        }
    }

    async fn on_reconciled(&mut self, queue_id: u64, found: Result<Vec<String>, ApiError>) {
        let Some(item) = self.queue.item(queue_id).cloned() else {
            self.queue.hold_back(queue_id);
            return;
        };
        let since_unix = match item.state {
            QueuedState::Submitting { since_unix } => since_unix,
            _ => unix_now(),
        };
        match found.map(|ids| ids.into_iter().find(|id| !self.book.contains(id))) {
            Ok(Some(task_id)) => {
                tracing::info!(queue_id, %task_id, "a queued item's task was found on the server; adopted");
                let mut record = submit::fresh_record(&item.submission);
                record.task_id = task_id;
                record.submitted_at = since_unix;
                self.started(queue_id, record).await;
            }
            Ok(None) => {
                tracing::info!(
                    queue_id,
                    "a queued item's create never arrived; sending it again"
                );
                match self.queue.restamp(queue_id, unix_now()).await {
                    Ok(()) => {
                        let item = self.queue.item(queue_id).cloned().unwrap_or(item);
                        self.send_item(item);
                    }
                    Err(message) => {
                        self.queue.hold_back(queue_id);
                        self.emit(Event::StoreFailed(message));
                    }
                }
                self.queue_changed();
            }
            Err(error) => {
                self.queue.hold_back(queue_id);
                self.pause_service(format!(
                    "could not check whether a queued item was already created ({error}): resume to check again"
                ));
                self.queue_changed();
            }
        }
    }

    fn on_quota(&mut self, read: Result<Option<Quota>, ApiError>) {
        self.queue.quota_reading = false;
        match read {
            Ok(quota) => {
                self.queue.quota.saw(quota.as_ref(), unix_now());
                self.emit(Event::Quota(quota));
            }
            Err(error) => {
                tracing::debug!(%error, "quota read failed");
                // Unknown is not spent: the service's refusal will tell.
                self.queue.quota.read = true;
            }
        }
        if matches!(self.queue.pause, Some(QueuePause::Quota { .. })) {
            if self.queue.quota.allows(0) {
                self.queue.pause = None;
                self.queue.quota_check_at = None;
            } else {
                self.pause_for_quota(None);
            }
            self.queue_changed();
        }
    }

    /// A queued item's task exists: recorded like any task, then the item leaves the queue.
    async fn started(&mut self, queue_id: u64, record: TaskRecord) {
        let item = self.queue.item(queue_id).cloned();
        self.track(record.clone()).await;
        if let Some(item) = item {
            self.history.started_queued(&item, &record).await;
        }
        if let Err(message) = self.queue.settle(queue_id, None).await {
            // The item stays claimed in `submitting`; the next look finds its task in the
            // book and removes it.
            self.queue.hold_back(queue_id);
            self.emit(Event::StoreFailed(message));
        }
        self.emit(Event::Queue(QueueEvent::Started {
            queue_id,
            record: record.clone(),
        }));
        self.emit(Event::Tasks(TaskEvent::TaskChanged(record)));
        self.queue_changed();
    }

    /// A queued item's create failed: what the failure says decides the item's state and
    /// whether the queue goes on (see [`queue::refusal`]).
    async fn refused(&mut self, queue_id: u64, error: ApiError) {
        if error.maybe_accepted() {
            // Nothing turned up in the server's lists, but the create may still show: keep
            // the claim and reconcile on resume, never resend blindly.
            self.queue.hold_back(queue_id);
            self.pause_service(format!(
                "{error} (the queued item's create may have reached the service: it is checked before it is sent again)"
            ));
            self.queue_changed();
            return;
        }
        let state = match queue::refusal(&error) {
            Refusal::Concurrency => {
                self.queue.blocked_until_round = true;
                QueuedState::Waiting
            }
            Refusal::Quota { retry_after } => {
                self.pause_for_quota(retry_after);
                QueuedState::Waiting
            }
            Refusal::Busy { retry_after } => {
                self.queue.hold_off = Some(Instant::now() + queue::busy_wait(retry_after));
                QueuedState::Waiting
            }
            Refusal::ServiceWide => {
                self.pause_service(error.to_string());
                QueuedState::Waiting
            }
            Refusal::OwnReason => QueuedState::Failed {
                reason: crate::text::sanitize(&error.to_string(), 500),
            },
        };
        if let Err(message) = self.queue.settle(queue_id, Some(state)).await {
            self.queue.hold_back(queue_id);
            self.emit(Event::StoreFailed(message));
        }
        self.queue_changed();
    }

    /// Pauses after a failure every item would meet (the user's own pause stays).
    fn pause_service(&mut self, message: String) {
        if self.queue.pause != Some(QueuePause::User) {
            self.queue.pause = Some(QueuePause::Service { message });
        }
    }

    /// The queue's next timer: the quota check of a quota pause, the end of a hold-off.
    pub(super) fn queue_timer(&self) -> Option<Instant> {
        [self.queue.quota_check_at, self.queue.hold_off]
            .into_iter()
            .flatten()
            .min()
    }

    /// The queue's timer fired.
    pub(super) async fn on_queue_timer(&mut self) {
        let now = Instant::now();
        if self.queue.quota_check_at.is_some_and(|at| at <= now) {
            self.queue.quota_check_at = None;
            self.read_quota();
        }
        if self.queue.hold_off.is_some_and(|at| at <= now) {
            self.queue.hold_off = None;
            self.pump().await;
        }
    }

    /// What the last pending read showed: every unfinished task of the account.
    pub(super) fn saw_pending(&mut self, pending: &[crate::api::TaskInfo]) {
        self.queue.pending = pending
            .iter()
            .filter(|t| crate::track::is_unfinished(&t.status))
            .map(|t| t.id.clone())
            .collect();
        self.queue.pending_seen = true;
        self.queue.blocked_until_round = false;
    }

    /// Looks at `queue.json` for what other instances wrote, and takes over items whose
    /// sender died.
    pub(super) async fn sync_queue(&mut self) {
        let before = self.queue.snapshot();
        if self.queue.changed_on_disk()
            && let Err(message) = self.queue.reload().await
        {
            self.emit(Event::StoreFailed(message));
        }
        if self.queue.has_foreign_claims()
            && let Err(message) = self.queue.claim_orphans().await
        {
            self.emit(Event::StoreFailed(message));
        }
        if self.queue.snapshot() != before {
            self.queue_changed();
        }
        if !self.queue.unreconciled().is_empty() || self.queue.has_waiting() {
            self.pump().await;
        }
    }

    /// The round to start: the book's, reading pending also when a video waits in the queue.
    pub(super) fn round_plan(&self) -> Option<RoundPlan> {
        let account = self.wants_account_poll();
        match self.book.plan() {
            Some(plan) => Some(RoundPlan { account, ..plan }),
            None => account.then(|| RoundPlan {
                account,
                ..RoundPlan::default()
            }),
        }
    }

    /// Whether rounds must run for the queue: a video waits for a slot.
    pub(super) fn wants_account_poll(&self) -> bool {
        self.queue.pause.is_none() && self.queue.has_waiting_video()
    }

    /// Makes sure a round comes when one is needed and none is scheduled.
    fn ensure_polling(&mut self) {
        if self.round.is_none() && self.next_poll.is_none() && self.round_plan().is_some() {
            self.next_poll = Some(Instant::now() + self.cadence.min());
        }
    }

    /// Video tasks running or about to: the book's unfinished videos and pending's
    /// unfinished tasks (one set: the same task is in both), plus the creates in flight.
    fn running_videos(&self) -> usize {
        let mut ids: HashSet<&str> = self.queue.pending.iter().map(String::as_str).collect();
        for r in self.book.records() {
            if r.kind.is_video() && r.phase.is_unfinished() {
                ids.insert(&r.task_id);
            }
        }
        ids.len() + self.in_flight_videos()
    }

    /// Video creates sent and not answered yet, direct and queued (and queued items being
    /// reconciled: they may be running).
    fn in_flight_videos(&self) -> usize {
        self.direct.values().filter(|s| is_video(s)).count() + self.queue.busy_videos()
    }

    /// Whether one more video may start. A queued video waits for the first pending read
    /// (tasks started elsewhere count too); a direct submission does not (`direct`: the
    /// service's refusal holds it then, as before the queue existed).
    fn slot_free(&self, direct: bool) -> bool {
        (direct || self.queue.pending_seen)
            && !self.queue.blocked_until_round
            && self.running_videos() < MAX_RUNNING_VIDEOS
    }

    /// The task ids already tracked, which are never adopted for another submission.
    pub(super) fn known_tasks(&self) -> HashSet<String> {
        self.book
            .records()
            .iter()
            .map(|r| r.task_id.clone())
            .collect()
    }

    /// Tells the UI the queue as it is now.
    pub(super) fn queue_changed(&self) {
        self.emit(Event::Queue(QueueEvent::Changed(self.queue.snapshot())));
    }

    /// Shutdown: lets queued creates in flight be recorded until `deadline`, then releases
    /// every claim (an item still in `submitting` is reconciled by the next start).
    pub(super) async fn finish_queue(&mut self, deadline: Instant) {
        self.stopping = true;
        while !self.queue_jobs.is_empty() {
            match tokio::time::timeout_at(deadline, self.queue_jobs.join_next()).await {
                Ok(Some(Ok(QueueJob::Sent { queue_id, outcome }))) => {
                    self.on_sent(queue_id, outcome).await
                }
                Ok(Some(Ok(_))) => {}
                Ok(Some(Err(e))) => super::propagate_panic(e),
                Ok(None) => break,
                Err(_) => {
                    tracing::warn!("shutting down with queued creates still unanswered");
                    break;
                }
            }
        }
        self.queue_jobs.abort_all();
        self.queue.release();
    }
}
