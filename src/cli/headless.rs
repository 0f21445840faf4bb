//! The headless commands: each resolves a session, calls the client, and prints text or JSON.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

// Tokio's clock rather than the system's, so the waits below run on a paused clock in tests.
use tokio::time::Instant;

use serde_json::json;

use super::exit::{self, ExitStatus};
use super::progress::Reporter;
use super::session::Session;
use super::{
    ArchiveArgs, Cli, Command, DraftsArgs, ImageArgs, SimArgs, StoryboardArgs, VideoArgs, WaitArgs,
};
use crate::api::filetype::{FileType, MAX_IMAGE_BYTES, check_file};
use crate::api::params::remix_target_id;
use crate::api::reconcile::{self, Listing};
use crate::api::types::Generation;
use crate::api::{ApiError, Client, Draft, RetryNotice, RetryObserver, VideoSettings};
use crate::fsutil::{id_file_name, media_extension, safe_file_name};
use crate::storyboard::{Storyboard, from_toml};
use crate::text::{self, sanitize};
use crate::track::{ImageState, VideoState, observe_image, observe_video};
use crate::worker::{FINISHING_LIMIT, Pace, STUCK_BOUND, Stage, Trace};
use shared_poll::{Kind, SharedWait};

/// Why a command did not succeed.
enum Failure {
    /// A classified API or input error.
    Api(ApiError),
    /// The generation itself failed, was blocked, or timed out.
    Generation(String),
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Api(e)
    }
}

type Outcome = Result<(), Failure>;

/// Runs one command line and reports how it ended.
pub async fn run(cli: Cli) -> ExitStatus {
    let mut reporter = Reporter::new(cli.json);
    if let Some(Command::Sim(args)) = &cli.command {
        return run_sim(args).await;
    }
    let session = match Session::start(&cli).await {
        Ok(s) => s,
        Err(e) => return report_failure(&mut reporter, Failure::Api(e)),
    };
    if let Some(err) = &session.config_error {
        reporter.note(&format!("sora-tui: warning: {err}"));
    }
    let outcome = match &cli.command {
        None => run_tui(&cli, &session).await,
        Some(Command::Sim(_)) => Ok(()),
        Some(cmd) => match session.client(&cli) {
            Err(e) => Err(Failure::Api(e)),
            Ok(client) => {
                let ctx = Ctx {
                    client: client.with_retry_observer(retry_printer(cli.json)),
                    session: &session,
                };
                match cmd {
                    Command::Me => ctx.me(&mut reporter).await,
                    Command::Video(a) => ctx.video(a, &mut reporter).await,
                    Command::Image(a) => ctx.image(a, &mut reporter).await,
                    Command::Storyboard(a) => ctx.storyboard(a, &mut reporter).await,
                    Command::Batch(a) => ctx.batch(a, &mut reporter).await,
                    Command::Pending => ctx.pending(&mut reporter).await,
                    Command::Archive(a) => ctx.archive(a, &mut reporter).await,
                    Command::Drafts(a) => ctx.drafts(a, &mut reporter).await,
                    Command::Publish { gen_id } => ctx.publish(gen_id, &mut reporter).await,
                    Command::Unpublish { post_id } => ctx.unpublish(post_id, &mut reporter).await,
                    Command::Cameo(c) => ctx.cameo(c, &mut reporter).await,
                    Command::Enhance(a) => ctx.enhance(a, &mut reporter).await,
                    Command::Extend(a) => ctx.extend(a, &mut reporter).await,
                    Command::Username(c) => ctx.username(c, &mut reporter).await,
                    // Handled before a session starts (`cli::run`, `run_sim`).
                    Command::Sim(_)
                    | Command::Login
                    | Command::Logout
                    | Command::Completions { .. }
                    | Command::Config(_)
                    | Command::Version { .. } => Ok(()),
                }
            }
        },
    };
    if let Some(sim) = session.demo {
        sim.shutdown().await;
    }
    match outcome {
        Ok(()) => ExitStatus::Ok,
        Err(f) => report_failure(&mut reporter, f),
    }
}

fn report_failure(reporter: &mut Reporter, failure: Failure) -> ExitStatus {
    // The one line is sanitised and cut: the message quotes the server.
    let (class, message, status) = match failure {
        Failure::Api(e) => (e.class().to_string(), exit::message(&e), ExitStatus::of(&e)),
        Failure::Generation(m) => (
            "generation_failed".to_string(),
            exit::message_text(&m),
            ExitStatus::Generation,
        ),
    };
    reporter.close_bar();
    reporter.event(json!({"event":"error","class":class,"message":message}));
    eprintln!("sora-tui: {message}");
    status
}

async fn run_sim(args: &SimArgs) -> ExitStatus {
    use crate::sim::{Sim, SimConfig};
    if !args.addr.ip().is_loopback() {
        eprintln!("sora-tui: the simulator listens on loopback only: use --addr 127.0.0.1:PORT");
        return ExitStatus::Usage;
    }
    let config = SimConfig {
        speed: args.speed.clamp(0.01, 10_000.0),
        pro_plan: !args.plus,
        seed_drafts: args.seed_drafts,
        seed_mixed: args.seed_drafts > 0,
        seed_demo: args.seed_demo,
        ..SimConfig::default()
    };
    let sim = match Sim::start(args.addr, config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "sora-tui: cannot listen on {}: {e}; choose another --addr",
                args.addr
            );
            return ExitStatus::Failure;
        }
    };
    println!("Sora simulator listening");
    println!("  base URL: {}", sim.base_url());
    println!("  token:    {}", sim.token());
    println!("  other accounts, one token each:");
    for f in &crate::sim::FIXTURES {
        println!("    {:<22} {}", f.token, f.purpose);
    }
    println!();
    println!(
        "Try: SORA_BASE_URL={} SORA_TOKEN={} sora-tui video \"a cat\" --wait",
        sim.base_url(),
        sim.token()
    );
    println!("Press Ctrl-C to stop.");
    let _ = tokio::signal::ctrl_c().await;
    sim.shutdown().await;
    ExitStatus::Ok
}

async fn run_tui(cli: &Cli, session: &Session) -> Outcome {
    let client = session.client(cli)?;
    let setup = crate::tui::TuiSetup {
        paths: session.paths.clone(),
        config: {
            let mut c = session.config.clone();
            if cli.preview.is_some() {
                c.preview = cli.preview;
            }
            c
        },
        config_warning: session.config_error.as_ref().map(|e| e.to_string()),
        base_url: client.base_url().to_string(),
        token_masked: session.token(cli).map(|t| t.masked()).unwrap_or_default(),
        poll_min: session.poll_interval.min(Duration::from_secs(2)),
        cameo_poll: session.cameo_poll,
        open_storyboard: cli.file.clone(),
        demo: session.demo.is_some(),
    };
    crate::tui::run(client, setup)
        .await
        .map_err(|e| Failure::Api(ApiError::Io(e)))
}

/// What the commands share.
struct Ctx<'a> {
    client: Client,
    session: &'a Session,
}

impl Ctx<'_> {
    async fn me(&self, r: &mut Reporter) -> Outcome {
        let me = self.client.me().await?;
        // The quota is a nicety: an account without it, or a hiccup, must not fail `me`.
        let quota = self.client.quota().await.ok().flatten();
        let remaining = quota
            .as_ref()
            .and_then(|q| q.estimated_num_videos_remaining);
        // A negative, infinite or absurd count is no count at all.
        let count = remaining.and_then(|n| text::count(n, MAX_VIDEOS));
        if r.is_json() {
            r.event(json!({"event":"me","id":me.id,"email":me.email,"name":me.name,"username":me.username,"videos_remaining":count}));
        } else {
            let mut line = sanitize(&me.display(), SHOWN_MAX);
            if let (Some(email), true) = (&me.email, me.username.is_some()) {
                line.push_str(&format!(" ({})", sanitize(email, SHOWN_MAX)));
            }
            println!("{line}");
            if me.username.as_deref().is_none_or(|u| u.trim().is_empty()) {
                // Generation needs one (docs/api.md, "Usernames").
                println!("username: not set (choose one with: sora-tui username set NAME)");
            }
            if remaining.is_some() {
                let n = count.map_or_else(|| text::DASH.to_string(), |n| n.to_string());
                println!("videos remaining: {n}");
            }
        }
        Ok(())
    }

    async fn video(&self, a: &VideoArgs, r: &mut Reporter) -> Outcome {
        if let Some(path) = &a.image {
            check_file(
                path,
                MAX_IMAGE_BYTES,
                FileType::is_image,
                "a PNG, JPEG or WebP image",
            )
            .map_err(ApiError::InvalidInput)?;
        }
        if let Some(target) = &a.remix {
            remix_target_id(target).map_err(ApiError::InvalidInput)?;
        }
        let prompt = non_empty_prompt(&a.prompt)?;
        let settings = VideoSettings {
            orientation: a.orientation,
            length: a.length,
            model: a.model,
            size: a.size,
            style: a.style,
        };
        let upload_id = match &a.image {
            Some(path) => {
                r.note(&format!("uploading {}…", path.display()));
                Some(self.client.upload_image(path).await?)
            }
            None => None,
        };
        let task_id = match &a.remix {
            Some(target) => {
                let create = self.client.create_remix(prompt, settings, target);
                self.reconciled(Listing::Videos, prompt, create, r).await?
            }
            None => {
                let create = self
                    .client
                    .create_video(prompt, settings, upload_id.as_deref());
                self.reconciled(Listing::Videos, prompt, create, r).await?
            }
        };
        self.after_video_submit(&task_id, &a.wait, a.clean, r).await
    }

    async fn storyboard(&self, a: &StoryboardArgs, r: &mut Reporter) -> Outcome {
        let text = crate::storyboard::read_text(&a.file).map_err(ApiError::InvalidInput)?;
        let board = if a.file.extension().is_some_and(|e| e == "toml") {
            from_toml(&text)
                .map_err(|e| ApiError::InvalidInput(format!("{}: {e}", a.file.display())))?
        } else {
            Storyboard::from_inline(&text, VideoSettings::default())
                .map_err(|e| ApiError::InvalidInput(format!("{}: {e}", a.file.display())))?
        };
        let mut board = board;
        if a.style.is_some() {
            board.settings.style = a.style;
        }
        board
            .validate()
            .map_err(|e| ApiError::InvalidInput(format!("{}: {e}", a.file.display())))?;
        let prompt = board.prompt_text();
        if a.dry_run {
            if r.is_json() {
                r.event(json!({"event":"preview","prompt":prompt,"body":crate::api::storyboard_body(&prompt, board.settings)}));
            } else {
                // The file's own text, line by line, with nothing that could drive the terminal.
                println!("{}", text::sanitize_lines(&prompt, usize::MAX));
            }
            return Ok(());
        }
        let create = self.client.create_storyboard(&prompt, board.settings);
        let task_id = self.reconciled(Listing::Videos, &prompt, create, r).await?;
        self.after_video_submit(&task_id, &a.wait, a.clean, r).await
    }

    async fn after_video_submit(
        &self,
        task_id: &str,
        wait: &WaitArgs,
        clean: bool,
        r: &mut Reporter,
    ) -> Outcome {
        r.event(json!({"event":"submitted","kind":"video","task_id":task_id}));
        if !r.is_json() {
            println!("submitted {}", shown(task_id));
        }
        if !wait.wait && wait.download.is_none() {
            return Ok(());
        }
        let draft = self.wait_video(task_id, wait, r).await?;
        let gen_id = draft.gen_id().unwrap_or(task_id).to_string();
        let url = draft.best_url().unwrap_or_default().to_string();
        let file = match &wait.download {
            Some(dir) if clean => Some(self.download_clean(&draft, dir, r).await?),
            Some(dir) => {
                let ext = media_extension(&url, "mp4");
                let name = self.naming().file_name(&draft, "", ext)?;
                Some(self.download_to(&url, dir, &name, r).await?)
            }
            None => None,
        };
        r.event(
            json!({"event":"done","kind":"video","task_id":task_id,"generation_id":gen_id,"url":url,
            "file":file.as_ref().map(|f| f.display().to_string())}),
        );
        if !r.is_json() {
            println!("done {}", shown(&gen_id));
            if let Some(f) = file {
                println!("saved {}", shown_path(&f));
            } else {
                println!("{}", sanitize(&url, URL_MAX));
            }
        }
        Ok(())
    }

    /// The copy without the watermark, through the worker's clean-copy flow: it records the
    /// temporary post before publishing and deletes it whatever happens (or, after a crash, at
    /// the next start of this program), so the CLI and the TUI share one implementation. The
    /// worker says whether the copy is really clean (see `worker::CopyVerdict`); when it is
    /// not, the file keeps its normal name and stderr and the `clean_copy` event say so. That
    /// still ends with status 0: the video exists and a file was saved, and a script that
    /// retried on failure would spend generations on a token that can never get clean copies.
    /// How downloads are named: the config's `file_name` in the local zone, as in the TUI.
    fn naming(&self) -> crate::worker::Naming {
        crate::worker::Naming::new(
            self.session.config.file_name.as_deref(),
            crate::text::Zone::system(),
        )
    }

    async fn download_clean(
        &self,
        draft: &Draft,
        dir: &Path,
        r: &mut Reporter,
    ) -> Result<PathBuf, Failure> {
        use crate::worker::{DraftsEvent, DraftsRequest, Event, Request, WorkerConfig};
        let gen_id = draft.gen_id().unwrap_or_default().to_string();
        let store = crate::store::Store::new(self.session.paths.data_dir.clone());
        let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
        let config = WorkerConfig {
            cameo_poll: self.session.cameo_poll,
            naming: self.naming(),
            ..WorkerConfig::default()
        };
        let (requests, handle) = crate::worker::spawn(self.client.clone(), store, config, tx);
        let _ = requests
            .send(Request::Drafts(DraftsRequest::SaveClean {
                draft: Box::new(draft.clone()),
                dir: dir.to_path_buf(),
            }))
            .await;
        // Named by what it is until the worker has judged it: the post's source file.
        let name = format!("{} (post source)", safe_file_name(&gen_id));
        let outcome = loop {
            match events.recv().await {
                Some(Event::Drafts(DraftsEvent::PostCopySaved {
                    gen_id: g,
                    path,
                    verdict,
                })) if g == gen_id => {
                    r.close_bar();
                    let message = verdict.message(&path);
                    r.event(json!({"event":"clean_copy","generation_id":gen_id,
                        "verdict":verdict.label(),"clean":verdict.is_clean(),
                        "file":path.display().to_string(),"message":message}));
                    if verdict.is_clean() {
                        r.note(&format!("{}: {message}", shown(&gen_id)));
                    } else {
                        // On stderr in JSON mode too: a file was saved, but not what was asked.
                        eprintln!(
                            "sora-tui: warning: {}: {}",
                            shown(&gen_id),
                            exit::message_text(&message)
                        );
                    }
                    break Ok(path);
                }
                Some(Event::Drafts(DraftsEvent::DownloadFailed { gen_id: g, error }))
                    if g == gen_id =>
                {
                    break Err(Failure::Api(error));
                }
                Some(Event::Drafts(DraftsEvent::DownloadStage { gen_id: g, stage }))
                    if g == gen_id =>
                {
                    r.note(&format!("{}: {stage}", shown(&gen_id)));
                    r.event(json!({"event":"stage","generation_id":gen_id,"stage":stage}));
                }
                Some(Event::Drafts(DraftsEvent::DownloadProgress {
                    gen_id: g,
                    done,
                    total,
                })) if g == gen_id => r.download(&name, done, total),
                Some(Event::Drafts(DraftsEvent::TempPostDeleted { post_id })) => {
                    r.event(json!({"event":"temporary_post_deleted","post_id":post_id}));
                }
                Some(Event::Drafts(DraftsEvent::TempPostCleanupFailed {
                    post_id, error, ..
                })) => {
                    r.note(&format!(
                        "sora-tui: warning: the temporary post {} could not be deleted ({}); it is recorded and will be deleted at the next start",
                        shown(&post_id.unwrap_or_default()),
                        exit::message(&error)
                    ));
                }
                Some(Event::Crashed(msg)) => {
                    break Err(Failure::Api(ApiError::Io(format!(
                        "the worker stopped: {msg}"
                    ))));
                }
                Some(_) => {}
                None => break Err(Failure::Api(ApiError::Io("the worker stopped".into()))),
            }
        };
        r.close_bar();
        let _ = requests.send(Request::Shutdown).await;
        let _ = handle.await;
        outcome
    }

    /// Polls pending (and, once the task left it, the drafts) until the draft is ready, paced
    /// by the worker's schedule (`worker::next_delay`): the configured interval is the normal
    /// pace, slower while the task is queued or far from its estimated finish (never over the
    /// worker's "stuck" bound), faster around the finish. See docs/api.md. The waits of one
    /// account on one machine share one poll (`shared_poll`): one of them reads for all.
    async fn wait_video(
        &self,
        task_id: &str,
        wait: &WaitArgs,
        r: &mut Reporter,
    ) -> Result<Draft, Failure> {
        let deadline = Instant::now() + Duration::from_secs(wait.timeout);
        let mut finishing_since: Option<Instant> = None;
        let minutes = FINISHING_LIMIT.as_secs() / 60;
        let interval = self.session.poll_interval;
        let pace = Pace::new(interval, headless_max(interval), interval);
        // What the reads showed of the task's pace; `Fresh` until the first one.
        let mut trace = Trace::default();
        let mut stage = Stage::Fresh;
        let mut poll = self.shared_wait(Kind::Video, task_id, r);
        loop {
            // Each read waits first, the first one too (a fresh task waits the interval):
            // right after the create the service only ever answers `preprocessing`.
            let reads = poll.next(&self.client, &stage, pace, deadline, r).await?;
            let (pending, drafts) = (reads.pending, reads.drafts);
            if let Some(item) = pending.iter().find(|t| t.id == task_id) {
                trace.observe(item, reads.at);
            }
            match observe_video(task_id, &pending, drafts.as_deref()) {
                VideoState::Working { status, progress } => {
                    finishing_since = None;
                    stage = trace.stage(&status, progress);
                    r.task(task_id, &status, progress);
                }
                // Gone from pending without a usable draft: the worker's bound, see there.
                VideoState::Finishing => {
                    stage = Stage::Finishing;
                    let since = *finishing_since.get_or_insert_with(Instant::now);
                    r.task(task_id, "finishing", 1.0);
                    if since.elapsed() > FINISHING_LIMIT {
                        return Err(Failure::Generation(format!(
                            "{task_id} left the queue but no draft appeared within {minutes} minutes: check `sora-tui drafts` later"
                        )));
                    }
                }
                VideoState::DraftNotReady => {
                    stage = Stage::Finishing;
                    let since = *finishing_since.get_or_insert_with(Instant::now);
                    r.task(task_id, "finishing", 1.0);
                    if since.elapsed() > FINISHING_LIMIT {
                        return Err(Failure::Generation(format!(
                            "the draft of {task_id} still had no media link {minutes} minutes after the task left the queue: try `sora-tui drafts` later"
                        )));
                    }
                }
                VideoState::Done(draft) => {
                    r.task(task_id, "done", 1.0);
                    r.close_bar();
                    return Ok(*draft);
                }
                VideoState::Failed(reason) => {
                    return Err(Failure::Generation(format!("{task_id} failed: {reason}")));
                }
                VideoState::Violation(reason) => {
                    return Err(Failure::Generation(format!(
                        "{task_id} was blocked by the content policy: {reason}"
                    )));
                }
            }
            if Instant::now() >= deadline {
                return Err(Failure::Generation(format!(
                    "{task_id} did not finish within {} s: it may still finish; check `sora-tui pending`",
                    wait.timeout
                )));
            }
        }
    }

    async fn image(&self, a: &ImageArgs, r: &mut Reporter) -> Outcome {
        if let Some(path) = &a.image {
            check_file(
                path,
                MAX_IMAGE_BYTES,
                FileType::is_image,
                "a PNG, JPEG or WebP image",
            )
            .map_err(ApiError::InvalidInput)?;
        }
        let prompt = non_empty_prompt(&a.prompt)?;
        let upload_id = match &a.image {
            Some(path) => {
                r.note(&format!("uploading {}…", path.display()));
                Some(self.client.upload_image(path).await?)
            }
            None => None,
        };
        let create = self
            .client
            .create_image(prompt, a.shape, a.variants, upload_id.as_deref());
        let task_id = self.reconciled(Listing::Images, prompt, create, r).await?;
        r.event(json!({"event":"submitted","kind":"image","task_id":task_id}));
        if !r.is_json() {
            println!("submitted {}", shown(&task_id));
        }
        if !a.wait.wait && a.wait.download.is_none() {
            return Ok(());
        }
        let generations = self.wait_image(&task_id, &a.wait, r).await?;
        let mut files = Vec::new();
        if let Some(dir) = &a.wait.download {
            for (i, g) in generations.iter().enumerate() {
                let url = g.url.as_deref().unwrap_or_default();
                let fallback = format!("{task_id}_{i}");
                let id = g.id.as_deref().unwrap_or(&fallback);
                let name = id_file_name("image", id, "", media_extension(url, "png"))?;
                files.push(
                    self.download_to(url, dir, &name, r)
                        .await?
                        .display()
                        .to_string(),
                );
            }
        }
        let urls: Vec<&str> = generations
            .iter()
            .filter_map(|g| g.url.as_deref())
            .collect();
        r.event(json!({"event":"done","kind":"image","task_id":task_id,
            "generation_ids": generations.iter().map(|g| g.id.clone()).collect::<Vec<_>>(),
            "urls":urls,"files":files}));
        if !r.is_json() {
            println!("done {}: {} image(s)", shown(&task_id), generations.len());
            if files.is_empty() {
                urls.iter()
                    .for_each(|u| println!("{}", sanitize(u, URL_MAX)));
            } else {
                files
                    .iter()
                    .for_each(|f| println!("saved {}", sanitize(f, PATH_MAX)));
            }
        }
        Ok(())
    }

    async fn wait_image(
        &self,
        task_id: &str,
        wait: &WaitArgs,
        r: &mut Reporter,
    ) -> Result<Vec<Generation>, Failure> {
        let deadline = Instant::now() + Duration::from_secs(wait.timeout);
        let mut missing = 0u32;
        let interval = self.session.poll_interval;
        // Every image read at the interval (`Stage::Unknown` is the calm pace).
        let pace = Pace::new(interval, headless_max(interval), interval);
        let mut poll = self.shared_wait(Kind::Image, task_id, r);
        loop {
            let recent = poll
                .next(&self.client, &Stage::Unknown, pace, deadline, r)
                .await?
                .recent;
            match observe_image(task_id, &recent) {
                ImageState::Working { status, progress } => r.task(task_id, &status, progress),
                ImageState::Missing => {
                    missing += 1;
                    if missing > 20 {
                        return Err(Failure::Generation(format!(
                            "{task_id} is not among the recent tasks: it may have been dropped; try again"
                        )));
                    }
                }
                ImageState::Done(generations) => {
                    r.task(task_id, "done", 1.0);
                    r.close_bar();
                    if generations.is_empty() {
                        return Err(Failure::Generation(format!(
                            "{task_id} finished without any image"
                        )));
                    }
                    return Ok(generations);
                }
                ImageState::Failed(reason) => {
                    return Err(Failure::Generation(format!("{task_id} failed: {reason}")));
                }
            }
            if Instant::now() >= deadline {
                return Err(Failure::Generation(format!(
                    "{task_id} did not finish within {} s",
                    wait.timeout
                )));
            }
        }
    }

    /// This wait's part in the poll the headless waits of this account share (see
    /// `shared_poll`), kept in the data dir under a name that does not reveal the token.
    fn shared_wait(&self, kind: Kind, task_id: &str, r: &mut Reporter) -> SharedWait {
        let key = shared_poll::key(self.client.base_url(), self.client.token().expose());
        SharedWait::join(&self.session.paths.data_dir, Some(&key), kind, task_id, r)
    }

    /// Awaits a create; after an ambiguous failure looks for the task on the server (never
    /// sending the create again) and adopts it, else reports the create's failure.
    async fn reconciled(
        &self,
        listing: Listing,
        prompt: &str,
        create: impl Future<Output = Result<String, ApiError>>,
        r: &mut Reporter,
    ) -> Result<String, Failure> {
        let sent_at = text::unix_now();
        let error = match create.await {
            Ok(task_id) => return Ok(task_id),
            Err(e) if e.maybe_accepted() => e,
            Err(e) => return Err(Failure::Api(e)),
        };
        r.note(&format!(
            "sora-tui: {}; checking whether the task was created anyway",
            exit::message(&error)
        ));
        match reconcile::find_created(&self.client, listing, prompt, sent_at, &|_| false).await {
            Ok(ids) if !ids.is_empty() => {
                let task_id = ids[0].clone();
                r.event(json!({"event":"adopted","task_id":task_id,"class":error.class()}));
                r.note(&format!(
                    "sora-tui: the task was created after all: {}",
                    shown(&task_id)
                ));
                Ok(task_id)
            }
            // Not found (or the lists could not be read): the create's own error, which says
            // to look at pending before resubmitting.
            _ => Err(Failure::Api(error)),
        }
    }

    async fn download_to(
        &self,
        url: &str,
        dir: &Path,
        name: &str,
        r: &mut Reporter,
    ) -> Result<PathBuf, Failure> {
        std::fs::create_dir_all(dir).map_err(|e| {
            ApiError::Io(format!(
                "cannot create the download folder {}: {e}",
                dir.display()
            ))
        })?;
        let dest = dir.join(name);
        if dest.exists() {
            r.note(&format!("{} is already downloaded", dest.display()));
            return Ok(dest);
        }
        // The extension may change to what the bytes are (the link names no type).
        let done = self
            .client
            .download_to(url, &dest, None, |done, total| {
                r.download(name, done, total)
            })
            .await?;
        r.close_bar();
        let dest = done.path;
        r.event(json!({"event":"downloaded","file":dest.display().to_string(),"bytes":done.bytes}));
        Ok(dest)
    }

    async fn pending(&self, r: &mut Reporter) -> Outcome {
        let tasks = self.client.pending().await?;
        if r.is_json() {
            for t in &tasks {
                r.event(json!({"event":"pending","task_id":t.id,"status":t.status,"progress":t.progress(),
                    "failure_reason":t.failure(),"prompt":t.prompt}));
            }
        } else if tasks.is_empty() {
            println!("no unfinished tasks");
        } else {
            for t in &tasks {
                println!(
                    "{}  {} {:>4}  {}",
                    shown(&t.id),
                    text::pad(&sanitize(&t.status, 13), 13),
                    text::percent(t.progress()),
                    sanitize(t.prompt.as_deref().unwrap_or(""), EXCERPT_MAX)
                );
            }
        }
        Ok(())
    }

    async fn drafts(&self, a: &DraftsArgs, r: &mut Reporter) -> Outcome {
        let mut cursor: Option<String> = None;
        let mut shown = 0u32;
        let page_size = if a.all { 50 } else { a.limit.clamp(1, 100) };
        // The cursors are the server's: the pager ends a walk that would loop (a repeated
        // cursor, an empty page, nothing new, or `MAX_PAGES` pages) and says why; a draft
        // seen on an earlier page is not printed again.
        let mut pager = crate::worker::Pager::new();
        loop {
            let page = self.client.drafts(page_size, cursor.as_deref()).await?;
            let (fresh, step) = pager.page(page.items, page.cursor);
            for d in &fresh {
                if !a.all && shown >= a.limit {
                    break;
                }
                shown += 1;
                print_draft(d, r);
            }
            if !a.all && shown >= a.limit {
                break;
            }
            match step {
                crate::worker::PageStep::Next(c) => cursor = Some(c),
                crate::worker::PageStep::End => break,
                crate::worker::PageStep::Stopped(why) => {
                    let message = why.message(pager.pages());
                    r.note(&format!("sora-tui: warning: {message}"));
                    r.event(json!({"event":"drafts_stopped","reason":why.code(),
                        "pages":pager.pages(),"message":message}));
                    break;
                }
            }
        }
        if shown == 0 && !r.is_json() {
            println!("no drafts");
        }
        Ok(())
    }

    async fn publish(&self, gen_id: &str, r: &mut Reporter) -> Outcome {
        let post = self.client.publish(gen_id.trim()).await?;
        // The client already refused a post id that is not an id; the link is built from it.
        let link = post
            .share_link(&self.client.share_origin())
            .map_err(|detail| ApiError::BadResponse { detail })?;
        r.event(
            json!({"event":"published","post_id":post.id,"permalink":link,"generation_id":gen_id}),
        );
        if !r.is_json() {
            println!("published {} {}", shown(&post.id), sanitize(&link, URL_MAX));
        }
        Ok(())
    }

    async fn unpublish(&self, post: &str, r: &mut Reporter) -> Outcome {
        let id = remix_target_id(post).map_err(ApiError::InvalidInput)?;
        self.client.delete_post(&id).await?;
        r.event(json!({"event":"unpublished","post_id":id}));
        if !r.is_json() {
            println!("unpublished {}", shown(&id));
        }
        Ok(())
    }
}

fn print_draft(d: &Draft, r: &mut Reporter) {
    let state = match d.verdict() {
        crate::api::DraftVerdict::Ready => "ready",
        crate::api::DraftVerdict::Violation(_) => "blocked",
        crate::api::DraftVerdict::NotReady => "not ready",
    };
    if r.is_json() {
        r.event(
            json!({"event":"draft","generation_id":d.gen_id(),"task_id":d.task_id,"state":state,
            "prompt":d.prompt,"duration_s":d.duration_s,"width":d.width,"height":d.height,
            "created_at":d.created_at,"url":d.best_url(),"post_id":d.published_post_id()}),
        );
    } else {
        let published = if d.published_post_id().is_some() {
            " published"
        } else {
            ""
        };
        println!(
            "{}  {:>5}  {:<9}{}  {}",
            shown(d.gen_id().unwrap_or("?")),
            d.duration_s.map(text::duration).unwrap_or_default(),
            state,
            published,
            sanitize(d.prompt.as_deref().unwrap_or(""), EXCERPT_MAX)
        );
    }
}

/// Prints each retry of the client as it happens: a line on stderr, or a `retry` JSON event.
fn retry_printer(json: bool) -> RetryObserver {
    Arc::new(move |notice| {
        let RetryNotice::Waiting {
            error,
            attempt,
            max,
            delay,
            ..
        } = notice
        else {
            return;
        };
        let message = exit::message(&error);
        if json {
            let line = json!({"event":"retry","class":error.class(),"message":message,
                "attempt":attempt,"delay_ms":delay.as_millis() as u64});
            println!("{}", text::json_line(&line));
        } else {
            eprintln!(
                "sora-tui: {message} (retry {attempt}/{max} in {:.1} s)",
                delay.as_secs_f64()
            );
        }
    })
}

fn non_empty_prompt(p: &str) -> Result<&str, ApiError> {
    let t = p.trim();
    if t.is_empty() {
        Err(ApiError::InvalidInput(
            "the prompt is empty: describe what to generate".into(),
        ))
    } else {
        Ok(t)
    }
}

/// The slowest pace of a headless wait: [`STUCK_BOUND`] (10 s) at the default interval of
/// 2.5 s, and the same multiple of a shorter interval, so a wait whose interval was shortened
/// for a faster clock (a scaled simulator) keeps the proportions of the real timeline, as the
/// worker's scaled `poll_max` does. See docs/api.md.
fn headless_max(interval: Duration) -> Duration {
    (interval * 4).min(STUCK_BOUND)
}

/// Longest id, name or address shown in a human line, in characters.
const SHOWN_MAX: usize = 200;
/// Longest prompt excerpt in a `pending` or `drafts` row.
const EXCERPT_MAX: usize = 60;
/// Longest media or share link printed (signed links are long, but not this long).
const URL_MAX: usize = 4000;
/// Longest local path printed.
const PATH_MAX: usize = 4000;
/// Largest believable count of videos remaining.
const MAX_VIDEOS: u64 = 1_000_000;

/// An id or name from the server, safe to print on one line.
fn shown(text: &str) -> String {
    sanitize(text, SHOWN_MAX)
}

/// A local path made safe to print (a download's name comes from server ids).
fn shown_path(path: &Path) -> String {
    sanitize(&path.display().to_string(), PATH_MAX)
}

mod archive;
mod batch;
pub mod cameo_draft;
pub mod enhance;
mod extend;
mod shared_poll;
mod username;
#[cfg(test)]
mod wait_tests;
