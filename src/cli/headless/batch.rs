//! `sora-tui batch FILE`: a batch file's jobs listed (`--dry-run`), or handed to the local
//! queue through the worker, the same queue and `queue.json` the TUI uses, so a TUI on the
//! same data dir shows them and either program sends them. With `--wait` it follows them to
//! their end, one line per job and step, and downloads the results with `--download`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;
use tokio::time::Instant;

use super::{Ctx, Failure, Outcome, shown, shown_path};
use crate::api::{ApiError, Draft};
use crate::batch::{Batch, Coverage};
use crate::cli::BatchArgs;
use crate::cli::exit;
use crate::cli::progress::Reporter;
use crate::fsutil::{id_file_name, media_extension};
use crate::text::{self, sanitize, sanitize_lines};
use crate::track::{TaskPhase, TaskRecord};
use crate::worker::{
    DraftsEvent, DraftsRequest, Event, QueueEvent, QueuePause, QueueRequest, QueueSnapshot,
    QueuedState, Request, TaskEvent, WorkerConfig,
};

/// Longest prompt line printed by the dry run, in characters.
const PROMPT_LINE_MAX: usize = 4000;
/// Longest label or reason shown in a progress line.
const LABEL_MAX: usize = 120;
/// Drafts read to find a finished video's draft for its download.
const DRAFTS_LOOKUP: u32 = 100;

impl Ctx<'_> {
    pub(super) async fn batch(&self, a: &BatchArgs, r: &mut Reporter) -> Outcome {
        let path = a.file.clone();
        let batch = tokio::task::spawn_blocking(move || crate::batch::load(&path))
            .await
            .map_err(|e| ApiError::Io(format!("reading the batch file stopped: {e}")))?
            .map_err(|e| ApiError::InvalidInput(e.to_string()))?;
        if a.dry_run {
            return self.dry_run(&batch, r).await;
        }
        self.queue_batch(&batch, a, r).await
    }

    /// Lists every job and whether the quota covers the batch; sends nothing but the quota
    /// read.
    async fn dry_run(&self, batch: &Batch, r: &mut Reporter) -> Outcome {
        // No quota is no reason to refuse a dry run: it says "unknown".
        let quota = self.client.quota().await.ok().flatten();
        let coverage = Coverage::of(batch.video_count(), quota.as_ref());
        let total = batch.jobs.len();
        if r.is_json() {
            for (i, job) in batch.jobs.iter().enumerate() {
                r.event(
                    json!({"event":"job","index":i + 1,"label":job.label,"prompt":job.prompt,
                    "settings":job.settings(),"submission":job.kind,
                    "image":job.image.as_ref().map(|p| p.display().to_string())}),
                );
            }
            r.event(json!({"event":"dry_run","file":batch.name,"jobs":total,
                "videos":batch.video_count(),"quota":coverage.code(),
                "videos_remaining":remaining(&coverage),"message":coverage.message()}));
            return Ok(());
        }
        for (i, job) in batch.jobs.iter().enumerate() {
            println!("{}. {}", i + 1, sanitize(&job.label, LABEL_MAX));
            println!("   {}", sanitize(&job.settings(), PROMPT_LINE_MAX));
            for line in sanitize_lines(&job.prompt, PROMPT_LINE_MAX).lines() {
                println!("   │ {line}");
            }
        }
        println!(
            "{total} job{} ({} video{}) in {}",
            plural(total),
            batch.video_count(),
            plural(batch.video_count()),
            sanitize(&batch.name, LABEL_MAX)
        );
        println!("{}", coverage.message());
        println!("dry run: nothing was sent");
        Ok(())
    }

    /// Hands the jobs to the local queue through a worker of this process; with `--wait`
    /// follows them to their end.
    async fn queue_batch(&self, batch: &Batch, a: &BatchArgs, r: &mut Reporter) -> Outcome {
        let store = crate::store::Store::new(self.session.paths.data_dir.clone());
        let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
        let interval = self.session.poll_interval;
        let config = WorkerConfig {
            poll_min: interval.min(Duration::from_secs(2)),
            poll_max: super::headless_max(interval).max(interval),
            cameo_poll: self.session.cameo_poll,
            naming: self.naming(),
            ..WorkerConfig::default()
        };
        let (requests, handle) = crate::worker::spawn(self.client.clone(), store, config, tx);
        let jobs = batch.submissions(1);
        let count = jobs.len();
        let sent = requests
            .send(Request::Queue(QueueRequest::Add {
                jobs,
                origin: Some(batch.name.clone()),
            }))
            .await;
        if sent.is_err() {
            return Err(Failure::Api(ApiError::Io(
                "the worker stopped before the batch could be queued".into(),
            )));
        }
        let wait = a.wait || a.download.is_some();
        let mut follow = Follow::new(batch, a.download.clone(), a.clean);
        let deadline = Instant::now() + Duration::from_secs(a.timeout);
        let outcome = loop {
            let event = tokio::select! {
                e = events.recv() => e,
                () = tokio::time::sleep_until(deadline) => {
                    break Err(follow.timed_out(a.timeout));
                }
            };
            let Some(event) = event else {
                break Err(Failure::Api(ApiError::Io("the worker stopped".into())));
            };
            if let Some(end) = self.on_event(&mut follow, event, wait, &requests, r).await {
                break end;
            }
            if !wait && follow.all_held(count) {
                break Ok(());
            }
            if wait && follow.all_ended() {
                break Ok(());
            }
        };
        // Shut the worker down and let it finish what it is writing (a create it sent is
        // recorded before it stops).
        let _ = requests.send(Request::Shutdown).await;
        let _ = handle.await;
        outcome?;
        if wait {
            follow.summary(r)
        } else {
            follow.queued_summary(r);
            Ok(())
        }
    }

    /// One worker event; `Some` ends the loop.
    async fn on_event(
        &self,
        f: &mut Follow,
        event: Event,
        wait: bool,
        requests: &tokio::sync::mpsc::Sender<Request>,
        r: &mut Reporter,
    ) -> Option<Outcome> {
        match event {
            Event::Queue(QueueEvent::Held {
                local_id, queue_id, ..
            }) => {
                if let Some(i) = f.index_of_local(local_id) {
                    f.jobs[i].queue_id = Some(queue_id);
                }
            }
            Event::Queue(QueueEvent::Changed(snapshot)) => f.on_snapshot(&snapshot, r),
            Event::Queue(QueueEvent::Started { queue_id, record }) => {
                if let Some(i) = f.index_of_queue(queue_id) {
                    f.started(i, &record, r);
                    // It may have finished already (an image, a fast simulator).
                    return self.on_record(f, i, record, requests, r).await;
                }
            }
            Event::Tasks(TaskEvent::TaskChanged(record)) => {
                if let Some(i) = f.index_of_task(&record.task_id) {
                    return self.on_record(f, i, record, requests, r).await;
                }
            }
            Event::Tasks(TaskEvent::SubmitFailed { local_id, error }) => {
                if let Some(i) = f.index_of_local(local_id) {
                    f.fail(i, exit::message(&error), r);
                }
            }
            Event::Drafts(DraftsEvent::Downloaded { gen_id, path })
            | Event::Drafts(DraftsEvent::PostCopySaved { gen_id, path, .. }) => {
                f.downloaded(&gen_id, Ok(path), r);
            }
            Event::Drafts(DraftsEvent::DownloadFailed { gen_id, error }) => {
                f.downloaded(&gen_id, Err(exit::message(&error)), r);
            }
            Event::StoreFailed(message) => {
                r.note(&format!("sora-tui: warning: {message}"));
            }
            Event::Crashed(message) => {
                return Some(Err(Failure::Api(ApiError::Io(format!(
                    "the worker stopped: {message}"
                )))));
            }
            _ => {}
        }
        if wait && let Some(message) = f.service_pause.take() {
            return Some(Err(f.paused_for_good(&message)));
        }
        None
    }

    /// A tracked task of the batch changed: report it, and start its download when it is
    /// done and one is wanted.
    async fn on_record(
        &self,
        f: &mut Follow,
        i: usize,
        record: TaskRecord,
        requests: &tokio::sync::mpsc::Sender<Request>,
        r: &mut Reporter,
    ) -> Option<Outcome> {
        match &record.phase {
            TaskPhase::Working { status, progress } => f.progress(i, status, *progress, r),
            TaskPhase::Failed { reason } => f.fail(i, format!("failed: {reason}"), r),
            TaskPhase::Blocked { reason } => {
                f.fail(i, format!("blocked by the content policy: {reason}"), r)
            }
            TaskPhase::Done {
                generation_ids,
                urls,
            } => {
                if f.jobs[i].end.is_some() || f.jobs[i].downloads.is_some() {
                    return None;
                }
                let Some(dir) = f.download.clone() else {
                    f.done(i, generation_ids.clone(), r);
                    return None;
                };
                let asks = if record.kind.is_video() {
                    match self
                        .video_download(f, generation_ids, &record.task_id, &dir)
                        .await
                    {
                        Ok(ask) => vec![ask],
                        Err(why) => {
                            f.fail(i, why, r);
                            return None;
                        }
                    }
                } else {
                    match image_downloads(&record.task_id, generation_ids, urls, &dir) {
                        Ok(asks) => asks,
                        Err(why) => {
                            f.fail(i, why, r);
                            return None;
                        }
                    }
                };
                f.jobs[i].gen_ids = generation_ids.clone();
                f.jobs[i].downloads = Some(
                    asks.iter()
                        .map(|(gen_id, _)| (gen_id.clone(), None))
                        .collect(),
                );
                f.note(i, "done; downloading", r);
                for (_, ask) in asks {
                    if requests.send(Request::Drafts(ask)).await.is_err() {
                        return Some(Err(Failure::Api(ApiError::Io("the worker stopped".into()))));
                    }
                }
            }
        }
        None
    }

    /// The worker's download request for a finished video: its draft found among the newest
    /// drafts (read once, and again when it is not there yet).
    async fn video_download(
        &self,
        f: &mut Follow,
        generation_ids: &[String],
        task_id: &str,
        dir: &Path,
    ) -> Result<(String, DraftsRequest), String> {
        let matches = |d: &Draft| {
            d.task_id.as_deref() == Some(task_id)
                || d.gen_id()
                    .is_some_and(|g| generation_ids.iter().any(|x| x == g))
        };
        if !f.drafts.iter().any(matches) {
            f.drafts = self
                .client
                .drafts(DRAFTS_LOOKUP, None)
                .await
                .map_err(|e| {
                    format!(
                        "could not read the drafts to download it: {}",
                        exit::message(&e)
                    )
                })?
                .items;
        }
        let draft = f.drafts.iter().find(|d| matches(d)).cloned().ok_or_else(|| {
            format!("its draft is not among the newest {DRAFTS_LOOKUP} drafts: download it from the Drafts pane")
        })?;
        let gen_id = draft.gen_id().unwrap_or_default().to_string();
        let ask = if f.clean {
            DraftsRequest::SaveClean {
                draft: Box::new(draft),
                dir: dir.to_path_buf(),
            }
        } else {
            DraftsRequest::SaveDraft {
                draft: Box::new(draft),
                dir: dir.to_path_buf(),
            }
        };
        Ok((gen_id, ask))
    }
}

/// The worker's download requests for a finished image task, one per variant, named from
/// the variant's id as `sora-tui image --download` names them.
fn image_downloads(
    task_id: &str,
    generation_ids: &[String],
    urls: &[String],
    dir: &Path,
) -> Result<Vec<(String, DraftsRequest)>, String> {
    if urls.is_empty() {
        return Err("finished without any image".into());
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create the download folder {}: {e}", dir.display()))?;
    urls.iter()
        .enumerate()
        .map(|(i, url)| {
            let fallback = format!("{task_id}_{i}");
            let id = generation_ids
                .get(i)
                .map_or(fallback.as_str(), String::as_str);
            let name = id_file_name("image", id, "", media_extension(url, "png"))
                .map_err(|e| e.to_string())?;
            Ok((
                id.to_string(),
                DraftsRequest::Download {
                    gen_id: id.to_string(),
                    url: url.clone(),
                    dest: dir.join(name),
                },
            ))
        })
        .collect()
}

/// Where a download was saved, or why it failed.
type Saved = Result<PathBuf, String>;

/// One job of the batch as followed.
struct Tracked {
    label: String,
    local_id: u64,
    queue_id: Option<u64>,
    task_id: Option<String>,
    /// The last status and progress bucket printed, so a line is printed only on a change.
    last: Option<(String, i64)>,
    gen_ids: Vec<String>,
    /// Gone from the last queue snapshot without being started.
    missing: bool,
    /// The downloads asked for, by generation id, with their outcome once known.
    downloads: Option<Vec<(String, Option<Saved>)>>,
    /// How it ended: the saved files or generation ids, or why it failed.
    end: Option<Result<Vec<String>, String>>,
}

/// What `batch --wait` knows of its jobs.
struct Follow {
    file: String,
    jobs: Vec<Tracked>,
    download: Option<PathBuf>,
    clean: bool,
    drafts: Vec<Draft>,
    /// The queue's pause as last reported, so each change is printed once.
    pause: Option<QueuePause>,
    /// A service-wide pause just reported: nothing will be sent until someone resumes.
    service_pause: Option<String>,
    started: std::time::Instant,
}

impl Follow {
    fn new(batch: &Batch, download: Option<PathBuf>, clean: bool) -> Follow {
        Follow {
            file: batch.name.clone(),
            jobs: batch
                .jobs
                .iter()
                .zip(1u64..)
                .map(|(j, local_id)| Tracked {
                    label: j.label.clone(),
                    local_id,
                    queue_id: None,
                    task_id: None,
                    last: None,
                    missing: false,
                    gen_ids: Vec::new(),
                    downloads: None,
                    end: None,
                })
                .collect(),
            download,
            clean,
            drafts: Vec::new(),
            pause: None,
            service_pause: None,
            started: std::time::Instant::now(),
        }
    }

    fn index_of_local(&self, local_id: u64) -> Option<usize> {
        self.jobs.iter().position(|j| j.local_id == local_id)
    }

    fn index_of_queue(&self, queue_id: u64) -> Option<usize> {
        self.jobs.iter().position(|j| j.queue_id == Some(queue_id))
    }

    fn index_of_task(&self, task_id: &str) -> Option<usize> {
        self.jobs
            .iter()
            .position(|j| j.task_id.as_deref() == Some(task_id))
    }

    /// Every job is written down in the queue (or was refused outright).
    fn all_held(&self, count: usize) -> bool {
        self.jobs.len() == count
            && self
                .jobs
                .iter()
                .all(|j| j.queue_id.is_some() || j.end.is_some())
    }

    fn all_ended(&self) -> bool {
        self.jobs.iter().all(|j| j.end.is_some())
    }

    /// A human line `[2/5] line 18: animal=fox, style=ukiyo-e: what` on stderr.
    fn note(&self, i: usize, what: &str, r: &mut Reporter) {
        let job = &self.jobs[i];
        r.note(&format!(
            "[{}/{}] {}: {what} ({})",
            i + 1,
            self.jobs.len(),
            sanitize(&job.label, LABEL_MAX),
            text::elapsed(self.started.elapsed().as_secs_f64())
        ));
    }

    fn started(&mut self, i: usize, record: &TaskRecord, r: &mut Reporter) {
        self.jobs[i].task_id = Some(record.task_id.clone());
        // The line below says it; its first status is not news.
        if let TaskPhase::Working { status, progress } = &record.phase {
            let bucket = (text::fraction(*progress) * 4.0).floor() as i64;
            self.jobs[i].last = Some((status.clone(), bucket));
        }
        r.event(
            json!({"event":"started","index":i + 1,"label":self.jobs[i].label,
            "task_id":record.task_id}),
        );
        self.note(i, &format!("submitted {}", shown(&record.task_id)), r);
    }

    fn progress(&mut self, i: usize, status: &str, progress: f64, r: &mut Reporter) {
        let progress = text::fraction(progress);
        let bucket = (progress * 4.0).floor() as i64;
        let now = (status.to_string(), bucket);
        if self.jobs[i].last.as_ref() == Some(&now) {
            return;
        }
        self.jobs[i].last = Some(now);
        r.event(
            json!({"event":"progress","index":i + 1,"task_id":self.jobs[i].task_id,
            "status":status,"progress":progress}),
        );
        self.note(
            i,
            &format!(
                "{} {}",
                sanitize(status, LABEL_MAX),
                text::percent(progress)
            ),
            r,
        );
    }

    fn done(&mut self, i: usize, ids: Vec<String>, r: &mut Reporter) {
        if self.jobs[i].end.is_some() {
            return;
        }
        r.event(
            json!({"event":"done","index":i + 1,"task_id":self.jobs[i].task_id,
            "generation_ids":ids}),
        );
        self.note(i, &format!("done {}", shown(&ids.join(", "))), r);
        self.jobs[i].end = Some(Ok(ids));
    }

    fn fail(&mut self, i: usize, why: String, r: &mut Reporter) {
        if self.jobs[i].end.is_some() {
            return;
        }
        let why = exit::message_text(&why);
        r.event(
            json!({"event":"failed","index":i + 1,"label":self.jobs[i].label,
            "task_id":self.jobs[i].task_id,"reason":why}),
        );
        self.note(i, &why, r);
        self.jobs[i].end = Some(Err(why));
    }

    /// A download of the batch ended; the job ends when all of its downloads have.
    fn downloaded(&mut self, gen_id: &str, result: Result<PathBuf, String>, r: &mut Reporter) {
        let Some(i) = self.jobs.iter().position(|j| {
            j.end.is_none()
                && j.downloads
                    .as_ref()
                    .is_some_and(|d| d.iter().any(|(g, o)| g == gen_id && o.is_none()))
        }) else {
            return;
        };
        let downloads = self.jobs[i].downloads.as_mut().expect("checked above");
        if let Some(slot) = downloads
            .iter_mut()
            .find(|(g, o)| g == gen_id && o.is_none())
        {
            slot.1 = Some(result);
        }
        if downloads.iter().any(|(_, o)| o.is_none()) {
            return;
        }
        let mut files = Vec::new();
        let mut failures = Vec::new();
        for (g, o) in downloads.iter() {
            match o {
                Some(Ok(p)) => files.push(p.display().to_string()),
                Some(Err(e)) => failures.push(format!("{g}: {e}")),
                None => {}
            }
        }
        if failures.is_empty() {
            r.event(
                json!({"event":"done","index":i + 1,"task_id":self.jobs[i].task_id,
                "generation_ids":self.jobs[i].gen_ids,"files":files}),
            );
            let shown: Vec<String> = files.iter().map(|f| shown_path(Path::new(f))).collect();
            self.note(i, &format!("saved {}", shown.join(", ")), r);
            self.jobs[i].end = Some(Ok(files));
        } else {
            self.fail(
                i,
                format!("the download failed: {}", failures.join("; ")),
                r,
            );
        }
    }

    /// The queue as written down: items of this batch that failed there, or left it without
    /// being started (removed in the TUI), end; a pause is reported once.
    fn on_snapshot(&mut self, snapshot: &QueueSnapshot, r: &mut Reporter) {
        for i in 0..self.jobs.len() {
            let Some(queue_id) = self.jobs[i].queue_id else {
                continue;
            };
            if self.jobs[i].task_id.is_some() || self.jobs[i].end.is_some() {
                continue;
            }
            match snapshot.items.iter().find(|it| it.queue_id == queue_id) {
                Some(item) => {
                    if let QueuedState::Failed { reason } = &item.state {
                        self.fail(i, format!("refused: {reason}"), r);
                    }
                }
                // A started item leaves the queue as its `Started` is sent; one still
                // missing, not started, at the next change was removed or taken back.
                None if self.jobs[i].missing => {
                    self.fail(i, "removed from the queue (in the TUI?)".into(), r);
                }
                None => self.jobs[i].missing = true,
            }
        }
        if snapshot.pause == self.pause {
            return;
        }
        self.pause = snapshot.pause.clone();
        let message = match &snapshot.pause {
            None => "the queue goes on".to_string(),
            Some(QueuePause::User) => {
                "the queue is paused (resume it in the TUI's Tasks pane)".to_string()
            }
            Some(QueuePause::Quota { resets_unix }) => format!(
                "paused: quota resets in {}; the queue goes on by itself then",
                text::span_of((resets_unix - text::unix_now()).max(0.0))
            ),
            Some(QueuePause::Service { message }) => {
                self.service_pause = Some(message.clone());
                format!("the queue is paused: {message}")
            }
        };
        r.event(json!({"event":"queue","paused":snapshot.pause.is_some(),"message":message}));
        r.note(&format!("sora-tui: {message}"));
    }

    /// The end of a `--wait` that cannot go on: the queue stopped for a reason only the user
    /// can fix.
    fn paused_for_good(&self, message: &str) -> Failure {
        let left = self.jobs.iter().filter(|j| j.end.is_none()).count();
        Failure::Generation(format!(
            "the queue is paused: {message}; {left} job{} of {} stay queued: fix it, then resume the queue in the TUI (or run any `sora-tui batch … --wait`)",
            plural(left),
            self.file
        ))
    }

    fn timed_out(&self, secs: u64) -> Failure {
        let left = self.jobs.iter().filter(|j| j.end.is_none()).count();
        Failure::Generation(format!(
            "{left} job{} of {} did not end within {secs} s; they go on in the queue (the TUI shows them)",
            plural(left),
            self.file
        ))
    }

    /// Without `--wait`: what was queued, and who sends it.
    fn queued_summary(&self, r: &mut Reporter) {
        let queued: Vec<&Tracked> = self.jobs.iter().filter(|j| j.queue_id.is_some()).collect();
        let started = queued.iter().filter(|j| j.task_id.is_some()).count();
        r.event(
            json!({"event":"queued","file":self.file,"jobs":queued.len(),"started":started,
            "queue_ids":queued.iter().map(|j| j.queue_id).collect::<Vec<_>>()}),
        );
        if !r.is_json() {
            for j in &queued {
                println!(
                    "queued {}: {}",
                    j.queue_id.unwrap_or_default(),
                    sanitize(&j.label, LABEL_MAX)
                );
            }
            println!(
                "{} job{} from {} in the local queue; the TUI (or a later `sora-tui batch … --wait`) sends the rest as slots free up",
                queued.len(),
                plural(queued.len()),
                sanitize(&self.file, LABEL_MAX)
            );
        }
        for (i, j) in self.jobs.iter().enumerate() {
            if let Some(Err(why)) = &j.end {
                r.note(&format!(
                    "sora-tui: job {} ({}) was not queued: {why}",
                    i + 1,
                    j.label
                ));
            }
        }
    }

    /// With `--wait`: the summary, and a failure listing the failed jobs if any.
    fn summary(&self, r: &mut Reporter) -> Outcome {
        let failed: Vec<(usize, &Tracked, &String)> = self
            .jobs
            .iter()
            .enumerate()
            .filter_map(|(i, j)| match &j.end {
                Some(Err(why)) => Some((i, j, why)),
                _ => None,
            })
            .collect();
        let done = self.jobs.len() - failed.len();
        r.event(
            json!({"event":"summary","file":self.file,"jobs":self.jobs.len(),
            "done":done,"failed":failed.len()}),
        );
        if !r.is_json() {
            for j in &self.jobs {
                if let Some(Ok(what)) = &j.end {
                    let what: Vec<String> = what.iter().map(|w| shown(w)).collect();
                    println!(
                        "done {}: {}",
                        sanitize(&j.label, LABEL_MAX),
                        what.join(", ")
                    );
                }
            }
            println!(
                "{} of {} job{} done, {} failed",
                done,
                self.jobs.len(),
                plural(self.jobs.len()),
                failed.len()
            );
        }
        if failed.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = failed
            .iter()
            .map(|(i, j, why)| format!("job {} ({}): {why}", i + 1, j.label))
            .collect();
        for line in &list {
            eprintln!("sora-tui: failed: {}", sanitize(line, 1000));
        }
        Err(Failure::Generation(format!(
            "{} of {} jobs failed: {}",
            failed.len(),
            self.jobs.len(),
            list.join("; ")
        )))
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn remaining(coverage: &Coverage) -> Option<u64> {
    match coverage {
        Coverage::Covered { remaining } | Coverage::Short { remaining, .. } => Some(*remaining),
        Coverage::Unknown => None,
    }
}
