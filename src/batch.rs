//! Batch files (`*.batch.toml`): many generations described once, expanded into the jobs the
//! local queue sends one after another (see README's "Batch files").
//!
//! ```toml
//! [defaults]                  # settings every job starts from
//! kind = "video"              # or "image"
//! length = 10
//!
//! [[job]]                     # one prompt; any setting may be overridden here
//! prompt = "a lighthouse at dawn"
//! length = 15
//!
//! [[job]]                     # a storyboard file, relative to this file
//! storyboard = "scene1.storyboard.toml"
//!
//! [[grid]]                    # a template: one job per combination of the values
//! prompt = "a {animal} in {style} style"
//! [grid.vars]
//! animal = ["fox", "owl"]
//! style = ["ukiyo-e", "claymation"]
//! ```
//!
//! The jobs come out in the order the `[[job]]` and `[[grid]]` tables are written. A grid's
//! combinations are in the order of nested loops over its variables, the variable written
//! first *in the template* outermost: `fox/ukiyo-e, fox/claymation, owl/ukiyo-e,
//! owl/claymation`.
//!
//! Parsing is pure ([`parse`]): the only files it reads are the referenced storyboards, through
//! the reader it is given. [`load`] adds the reads of the batch file itself and the content
//! check of input images.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::api::params::remix_target_id;
use crate::api::{ImageShape, Length, Model, Orientation, Quota, Size, VideoSettings};
use crate::worker::{Submission, SubmissionKind};

/// How batch file names end.
pub const FILE_SUFFIX: &str = ".batch.toml";
/// The most jobs one batch may expand to: a day of generations and more, while a typo in a
/// grid (a list pasted twice) is caught before it fills the queue.
pub const MAX_JOBS: usize = 500;
/// Batch files larger than this are not batch files (and are not read into memory).
pub const MAX_FILE_BYTES: u64 = 1 << 20;
/// The longest prompt one job may have, in characters, after a template is filled in: far
/// above any prompt the service takes, and it bounds what a grid can expand to.
pub const MAX_PROMPT_CHARS: usize = 20_000;

/// One generation of a batch: what the queue will submit, and where in the file it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Where it was written, for lists and messages: `line 12`, `line 5: animal=fox,
    /// style=ukiyo-e`, `line 9: scene1.storyboard.toml`.
    pub label: String,
    /// The exact prompt text sent (a storyboard's full prompt text).
    pub prompt: String,
    /// Video, image or storyboard, with their settings.
    pub kind: SubmissionKind,
    /// An input image to upload first, as an absolute path when the batch was loaded from a
    /// file (relative to the batch file as written).
    pub image: Option<PathBuf>,
}

impl Job {
    /// The queue's submission for this job.
    pub fn submission(&self, local_id: u64) -> Submission {
        Submission {
            local_id,
            prompt: self.prompt.clone(),
            kind: self.kind.clone(),
            image: self.image.clone(),
        }
    }

    /// Whether it spends a video of the quota (videos and storyboards; images do not).
    pub fn is_video(&self) -> bool {
        !matches!(self.kind, SubmissionKind::Image { .. })
    }

    /// Its settings in one line: `video · landscape · 10 s · Sora 2 · standard`, `image ·
    /// square · 2 variants`, with the remix target and input image when set.
    pub fn settings(&self) -> String {
        let mut s = match &self.kind {
            SubmissionKind::Video { settings, remix } => {
                let mut s = format!("video · {}", settings.summary());
                if let Some(r) = remix {
                    s.push_str(&format!(" · remix of {r}"));
                }
                s
            }
            SubmissionKind::Storyboard { settings } => {
                format!("storyboard · {}", settings.summary())
            }
            SubmissionKind::Image { shape, variants } => {
                let shape = shape.name();
                let plural = if *variants == 1 { "" } else { "s" };
                format!("image · {shape} · {variants} variant{plural}")
            }
        };
        if let Some(image) = &self.image {
            s.push_str(&format!(" · from {}", image.display()));
        }
        s
    }
}

/// A parsed batch file.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// The file's name (`grid.batch.toml`): the origin shown beside each queued item.
    pub name: String,
    /// In the order they will be queued.
    pub jobs: Vec<Job>,
}

impl Batch {
    /// How many jobs spend a video of the quota.
    pub fn video_count(&self) -> usize {
        self.jobs.iter().filter(|j| j.is_video()).count()
    }

    /// The queue's submissions, `local_id`s counted up from `first_id`.
    pub fn submissions(&self, first_id: u64) -> Vec<Submission> {
        self.jobs
            .iter()
            .zip(first_id..)
            .map(|(j, id)| j.submission(id))
            .collect()
    }
}

/// A batch file that cannot be used, with the line where it went wrong when known.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
pub struct BatchError {
    /// The batch file's name as shown.
    pub file: String,
    /// 1-based line.
    pub line: Option<usize>,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Whether the account's quota covers the videos of a batch, as far as `/nf/check` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// Enough videos remain.
    Covered {
        /// Videos remaining.
        remaining: u64,
    },
    /// Fewer remain than the batch needs: the queue will pause when they are spent and go on
    /// after the reset.
    Short {
        /// Videos remaining.
        remaining: u64,
        /// Video jobs in the batch.
        needed: usize,
        /// Seconds until the quota resets, when known.
        resets_in: Option<u64>,
    },
    /// No quota information (an account without it, or the check failed).
    Unknown,
}

/// The longest value of a variable shown in a job's label, in characters.
const LABEL_VALUE_MAX: usize = 40;
/// The largest believable count of videos remaining: anything above is no count.
const MAX_BELIEVABLE: u64 = 1_000_000;

impl Coverage {
    /// Compares `needed` videos with what `/nf/check` said (`None`: nothing known).
    pub fn of(needed: usize, quota: Option<&Quota>) -> Coverage {
        let Some(remaining) = quota
            .and_then(|q| q.estimated_num_videos_remaining)
            .and_then(|n| crate::text::count(n, MAX_BELIEVABLE))
        else {
            return Coverage::Unknown;
        };
        if remaining >= needed as u64 {
            Coverage::Covered { remaining }
        } else {
            Coverage::Short {
                remaining,
                needed,
                resets_in: quota
                    .and_then(|q| q.access_resets_in_seconds)
                    .and_then(crate::text::plausible_secs),
            }
        }
    }

    /// One line for the dry run and the confirm overlay.
    pub fn message(&self) -> String {
        match self {
            Coverage::Covered { remaining } => {
                format!("the quota covers it ({remaining} videos remaining)")
            }
            Coverage::Short {
                remaining,
                needed,
                resets_in,
            } => {
                let reset = resets_in
                    .map(|s| format!(" (it resets in {})", crate::text::span_of(s as f64)))
                    .unwrap_or_default();
                format!(
                    "the quota does not cover it: {needed} videos, {remaining} remaining; the queue pauses when they are spent and goes on after the reset{reset}"
                )
            }
            Coverage::Unknown => "quota: unknown (the service gave no quota information)".into(),
        }
    }

    /// A word for JSON output: `covered`, `short`, `unknown`.
    pub fn code(&self) -> &'static str {
        match self {
            Coverage::Covered { .. } => "covered",
            Coverage::Short { .. } => "short",
            Coverage::Unknown => "unknown",
        }
    }
}

// ---- The file's shape ----

/// The kind of a prompt job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Video,
    Image,
}

/// The settings a `[defaults]` table, a `[[job]]` or a `[[grid]]` may set.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    kind: Option<Kind>,
    orientation: Option<Orientation>,
    length: Option<Length>,
    model: Option<Model>,
    size: Option<Size>,
    shape: Option<ImageShape>,
    variants: Option<Spanned<u32>>,
    remix: Option<Spanned<String>>,
    image: Option<Spanned<String>>,
}

/// The settings keys, for messages about a storyboard job.
const SETTING_KEYS: [&str; 9] = [
    "kind",
    "orientation",
    "length",
    "model",
    "size",
    "shape",
    "variants",
    "remix",
    "image",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    version: Option<Spanned<u32>>,
    #[serde(default)]
    defaults: Settings,
    #[serde(default)]
    job: Vec<Spanned<JobShape>>,
    #[serde(default)]
    grid: Vec<Spanned<GridShape>>,
}

/// `[[job]]`: a prompt or a storyboard, plus settings. (Written out rather than flattened:
/// serde cannot refuse unknown keys through a flattened struct.)
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JobShape {
    prompt: Option<Spanned<String>>,
    storyboard: Option<Spanned<String>>,
    kind: Option<Kind>,
    orientation: Option<Orientation>,
    length: Option<Length>,
    model: Option<Model>,
    size: Option<Size>,
    shape: Option<ImageShape>,
    variants: Option<Spanned<u32>>,
    remix: Option<Spanned<String>>,
    image: Option<Spanned<String>>,
}

/// `[[grid]]`: a template, its variables, plus settings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GridShape {
    prompt: Spanned<String>,
    vars: Spanned<BTreeMap<String, Spanned<Vec<String>>>>,
    kind: Option<Kind>,
    orientation: Option<Orientation>,
    length: Option<Length>,
    model: Option<Model>,
    size: Option<Size>,
    shape: Option<ImageShape>,
    variants: Option<Spanned<u32>>,
    remix: Option<Spanned<String>>,
    image: Option<Spanned<String>>,
}

impl JobShape {
    fn settings(&self) -> Settings {
        Settings {
            kind: self.kind,
            orientation: self.orientation,
            length: self.length,
            model: self.model,
            size: self.size,
            shape: self.shape,
            variants: self.variants.clone(),
            remix: self.remix.clone(),
            image: self.image.clone(),
        }
    }
}

impl GridShape {
    fn settings(&self) -> Settings {
        Settings {
            kind: self.kind,
            orientation: self.orientation,
            length: self.length,
            model: self.model,
            size: self.size,
            shape: self.shape,
            variants: self.variants.clone(),
            remix: self.remix.clone(),
            image: self.image.clone(),
        }
    }
}

impl Settings {
    /// `self` over `base`: each key set here wins.
    fn over(self, base: &Settings) -> Settings {
        Settings {
            kind: self.kind.or(base.kind),
            orientation: self.orientation.or(base.orientation),
            length: self.length.or(base.length),
            model: self.model.or(base.model),
            size: self.size.or(base.size),
            shape: self.shape.or(base.shape),
            variants: self.variants.or_else(|| base.variants.clone()),
            remix: self.remix.or_else(|| base.remix.clone()),
            image: self.image.or_else(|| base.image.clone()),
        }
    }

    /// The keys set here (for a storyboard job, which takes its settings from its file).
    fn set_keys(&self) -> Vec<&'static str> {
        let set = [
            self.kind.is_some(),
            self.orientation.is_some(),
            self.length.is_some(),
            self.model.is_some(),
            self.size.is_some(),
            self.shape.is_some(),
            self.variants.is_some(),
            self.remix.is_some(),
            self.image.is_some(),
        ];
        SETTING_KEYS
            .iter()
            .zip(set)
            .filter_map(|(k, s)| s.then_some(*k))
            .collect()
    }
}

// ---- Parsing ----

/// Where a batch's text came from: its name for messages, and the folder its relative paths
/// start from.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    /// The file's name as shown (`grid.batch.toml`).
    pub name: String,
    /// The folder the file is in.
    pub dir: PathBuf,
}

impl Origin {
    /// The origin of the batch file at `path`: its name, and its folder made absolute, so
    /// that the jobs' paths still hold when the queue sends them from another working
    /// directory (the TUI continuing a `sora-tui batch` run).
    pub fn of(path: &Path) -> Origin {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        let dir = parent.map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let dir = std::path::absolute(&dir).unwrap_or(dir);
        Origin { name, dir }
    }
}

/// Reads the batch file at `path` and everything it references: the storyboards (each read
/// capped, parsed and validated) and the input images (checked by content). Blocking I/O:
/// callers on the runtime run it in `spawn_blocking`.
pub fn load(path: &Path) -> Result<Batch, BatchError> {
    let origin = Origin::of(path);
    let text = crate::fsutil::read_text_capped(path, MAX_FILE_BYTES).map_err(|e| BatchError {
        file: origin.name.clone(),
        line: None,
        message: e.message("the batch file", path),
    })?;
    let batch = parse(&text, &origin, &mut |p| crate::storyboard::read_text(p))?;
    check_images(&batch)?;
    Ok(batch)
}

/// Checks each distinct input image of the batch by content (PNG, JPEG or WebP), as the
/// Prompt pane and `sora-tui video --image` do before anything is sent.
fn check_images(batch: &Batch) -> Result<(), BatchError> {
    use crate::api::filetype::{FileType, MAX_IMAGE_BYTES, check_file};
    let mut checked = std::collections::BTreeSet::new();
    for job in &batch.jobs {
        let Some(image) = &job.image else { continue };
        if !checked.insert(image.clone()) {
            continue;
        }
        check_file(
            image,
            MAX_IMAGE_BYTES,
            FileType::is_image,
            "a PNG, JPEG or WebP image",
        )
        .map_err(|message| BatchError {
            file: batch.name.clone(),
            line: None,
            message: format!("{}: {message}", job.label),
        })?;
    }
    Ok(())
}

/// Parses a batch file's text into its jobs. `read` reads a referenced storyboard file (given
/// its path joined to `origin.dir`) and says why it could not.
pub fn parse(
    text: &str,
    origin: &Origin,
    read: &mut dyn FnMut(&Path) -> Result<String, String>,
) -> Result<Batch, BatchError> {
    let p = Parser { text, origin };
    let shape: FileShape = toml::from_str(text).map_err(|e| BatchError {
        file: origin.name.clone(),
        line: e.span().map(|s| p.line_at(s.start)),
        message: e.message().trim().to_string(),
    })?;
    if let Some(v) = &shape.version
        && *v.get_ref() != 1
    {
        return Err(p.error(
            v.span().start,
            format!(
                "version {} is not supported: this program reads version 1 (or leave it out)",
                v.get_ref()
            ),
        ));
    }
    // In the order written: `[[job]]` and `[[grid]]` tables interleave in the file, and
    // serde hands them over as two lists.
    let mut entries: Vec<(usize, Entry)> = shape
        .job
        .into_iter()
        .map(|j| (j.span().start, Entry::Job(j.into_inner())))
        .chain(
            shape
                .grid
                .into_iter()
                .map(|g| (g.span().start, Entry::Grid(g.into_inner()))),
        )
        .collect();
    entries.sort_by_key(|(at, _)| *at);
    if entries.is_empty() {
        return Err(BatchError {
            file: origin.name.clone(),
            line: None,
            message: "there are no jobs: add a [[job]] with a prompt (or a storyboard), or a [[grid]] with a template and its [grid.vars]".into(),
        });
    }
    let mut jobs = Vec::new();
    for (at, entry) in entries {
        match entry {
            Entry::Job(j) => {
                let job = p.job(at, j, &shape.defaults, read)?;
                p.room(&jobs, 1, at, "this job")?;
                jobs.push(job);
            }
            Entry::Grid(g) => {
                let cells = p.grid(at, g, &shape.defaults, jobs.len())?;
                jobs.extend(cells);
            }
        }
    }
    Ok(Batch {
        name: origin.name.clone(),
        jobs,
    })
}

enum Entry {
    Job(JobShape),
    Grid(GridShape),
}

struct Parser<'a> {
    text: &'a str,
    origin: &'a Origin,
}

impl Parser<'_> {
    fn line_at(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .matches('\n')
            .count()
            + 1
    }

    fn error(&self, offset: usize, message: impl Into<String>) -> BatchError {
        BatchError {
            file: self.origin.name.clone(),
            line: Some(self.line_at(offset)),
            message: message.into(),
        }
    }

    /// Refuses to grow the batch past [`MAX_JOBS`].
    fn room(&self, jobs: &[Job], more: usize, at: usize, what: &str) -> Result<(), BatchError> {
        if jobs.len() + more > MAX_JOBS {
            return Err(self.error(
                at,
                format!(
                    "{what} takes the batch past {MAX_JOBS} jobs, the most one batch may hold: split it into several files"
                ),
            ));
        }
        Ok(())
    }

    fn job(
        &self,
        at: usize,
        j: JobShape,
        defaults: &Settings,
        read: &mut dyn FnMut(&Path) -> Result<String, String>,
    ) -> Result<Job, BatchError> {
        let own = j.settings();
        match (j.prompt, j.storyboard) {
            (Some(prompt), None) => {
                let line = self.line_at(prompt.span().start);
                let text = self.prompt_text(prompt.span().start, prompt.get_ref())?;
                self.prompt_job(format!("line {line}"), text, own, defaults)
            }
            (None, Some(board)) => {
                let set = own.set_keys();
                if let Some(key) = set.first() {
                    return Err(self.error(
                        at,
                        format!(
                            "a storyboard job takes its settings from its file: remove `{key}` here and set it in {}",
                            board.get_ref()
                        ),
                    ));
                }
                self.storyboard_job(board, read)
            }
            (Some(prompt), Some(_)) => Err(self.error(
                prompt.span().start,
                "a job has either a prompt or a storyboard, not both: split it into two [[job]]s",
            )),
            (None, None) => Err(self.error(
                at,
                "this [[job]] has neither a prompt nor a storyboard: add prompt = \"…\" or storyboard = \"FILE.storyboard.toml\"",
            )),
        }
    }

    fn storyboard_job(
        &self,
        board: Spanned<String>,
        read: &mut dyn FnMut(&Path) -> Result<String, String>,
    ) -> Result<Job, BatchError> {
        let at = board.span().start;
        let written = board.get_ref().trim();
        if written.is_empty() {
            return Err(self.error(
                at,
                "the storyboard path is empty: name a *.storyboard.toml file",
            ));
        }
        let path = self.origin.dir.join(written);
        let text = read(&path).map_err(|e| self.error(at, e))?;
        let parsed = crate::storyboard::from_toml(&text)
            .map_err(|e| self.error(at, format!("{written}: {e}")))?;
        parsed
            .validate()
            .map_err(|e| self.error(at, format!("{written}: {e}")))?;
        let line = self.line_at(at);
        Ok(Job {
            label: format!("line {line}: {written}"),
            prompt: parsed.prompt_text(),
            kind: SubmissionKind::Storyboard {
                settings: parsed.settings,
            },
            image: None,
        })
    }

    /// A prompt as written: trimmed, not empty, not too long.
    fn prompt_text(&self, at: usize, text: &str) -> Result<String, BatchError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(self.error(at, "the prompt is empty: describe what to generate"));
        }
        let chars = t.chars().count();
        if chars > MAX_PROMPT_CHARS {
            return Err(self.error(
                at,
                format!(
                    "the prompt has {chars} characters; a prompt has at most {MAX_PROMPT_CHARS}"
                ),
            ));
        }
        Ok(t.to_string())
    }

    /// A prompt job's kind, settings and input image: its own settings over the defaults.
    fn prompt_job(
        &self,
        label: String,
        prompt: String,
        own: Settings,
        defaults: &Settings,
    ) -> Result<Job, BatchError> {
        let s = own.over(defaults);
        let image = s
            .image
            .as_ref()
            .map(|i| {
                let written = i.get_ref().trim();
                if written.is_empty() {
                    Err(self.error(
                        i.span().start,
                        "the image path is empty: name an image file, or remove `image`",
                    ))
                } else {
                    Ok(self.origin.dir.join(written))
                }
            })
            .transpose()?;
        let kind = match s.kind.unwrap_or(Kind::Video) {
            Kind::Video => {
                let remix = s
                    .remix
                    .as_ref()
                    .map(|r| {
                        remix_target_id(r.get_ref()).map_err(|e| self.error(r.span().start, e))
                    })
                    .transpose()?;
                if let (Some(r), Some(_)) = (&s.remix, &image) {
                    return Err(self.error(
                        r.span().start,
                        "a job has either an input image or a remix target, not both",
                    ));
                }
                SubmissionKind::Video {
                    settings: VideoSettings {
                        orientation: s.orientation.unwrap_or_default(),
                        length: s.length.unwrap_or_default(),
                        model: s.model.unwrap_or_default(),
                        size: s.size.unwrap_or_default(),
                        style: None,
                    },
                    remix,
                }
            }
            Kind::Image => {
                if let Some(r) = &s.remix {
                    return Err(self.error(
                        r.span().start,
                        "remix applies to videos: remove `remix`, or set kind = \"video\"",
                    ));
                }
                let variants = match &s.variants {
                    None => 1,
                    Some(v) if (1..=4).contains(v.get_ref()) => *v.get_ref(),
                    Some(v) => {
                        return Err(self.error(
                            v.span().start,
                            format!("variants must be 1 to 4, not {}", v.get_ref()),
                        ));
                    }
                };
                SubmissionKind::Image {
                    shape: s.shape.unwrap_or_default(),
                    variants,
                }
            }
        };
        Ok(Job {
            label,
            prompt,
            kind,
            image,
        })
    }

    /// Expands a `[[grid]]` into one job per combination of its variables' values.
    fn grid(
        &self,
        at: usize,
        g: GridShape,
        defaults: &Settings,
        before: usize,
    ) -> Result<Vec<Job>, BatchError> {
        let own = g.settings();
        let template_at = g.prompt.span().start;
        let template =
            parse_template(g.prompt.get_ref()).map_err(|e| self.error(template_at, e))?;
        let vars = g.vars.get_ref();
        let defined = || vars.keys().cloned().collect::<Vec<_>>().join(", ");
        // The variables in the order the template first names them: the outermost loop first.
        let mut order: Vec<&str> = Vec::new();
        for piece in &template {
            if let Piece::Var(name) = piece
                && !order.contains(&name.as_str())
            {
                if !vars.contains_key(name) {
                    let defined = if vars.is_empty() {
                        "none: add them under [grid.vars]".to_string()
                    } else {
                        defined()
                    };
                    return Err(self.error(
                        template_at,
                        format!("unknown variable {{{name}}} in the template; defined: {defined}"),
                    ));
                }
                order.push(name);
            }
        }
        if order.is_empty() {
            return Err(self.error(
                template_at,
                "the template names no variable: write one as {name} and list its values under [grid.vars] (or make this a [[job]])",
            ));
        }
        for (name, values) in vars {
            if !order.contains(&name.as_str()) {
                return Err(self.error(
                    values.span().start,
                    format!("the variable {name} is not used in the template: write {{{name}}} in the prompt, or remove it"),
                ));
            }
            if values.get_ref().is_empty() {
                return Err(self.error(
                    values.span().start,
                    format!("the variable {name} has no values: list at least one"),
                ));
            }
        }
        let lists: Vec<(&str, &Spanned<Vec<String>>)> =
            order.iter().map(|n| (*n, &vars[*n])).collect();
        let counts: Vec<usize> = lists.iter().map(|(_, v)| v.get_ref().len()).collect();
        let product = counts
            .iter()
            .try_fold(1usize, |acc, n| acc.checked_mul(*n))
            .filter(|p| *p <= MAX_JOBS);
        let Some(product) = product.filter(|p| before + p <= MAX_JOBS) else {
            let shown: Vec<String> = counts.iter().map(ToString::to_string).collect();
            let total = counts
                .iter()
                .try_fold(1u128, |acc, n| acc.checked_mul(*n as u128))
                .map_or_else(|| "too many".to_string(), |p| p.to_string());
            let earlier = if before > 0 {
                format!(" (after {before} jobs before it)")
            } else {
                String::new()
            };
            return Err(self.error(
                at,
                format!(
                    "this grid makes {} = {total} jobs{earlier}; a batch holds at most {MAX_JOBS}: use fewer values, or split it into several files",
                    shown.join(" × ")
                ),
            ));
        };
        let line = self.line_at(template_at);
        let mut jobs = Vec::with_capacity(product);
        let mut index = vec![0usize; lists.len()];
        for _ in 0..product {
            let values: BTreeMap<&str, &str> = lists
                .iter()
                .zip(&index)
                .map(|((name, values), i)| (*name, values.get_ref()[*i].as_str()))
                .collect();
            let filled: String = template
                .iter()
                .map(|p| match p {
                    Piece::Text(t) => t.as_str(),
                    Piece::Var(n) => values[n.as_str()],
                })
                .collect();
            let cell: Vec<String> = lists
                .iter()
                .map(|(name, _)| {
                    format!(
                        "{name}={}",
                        crate::text::sanitize(values[name], LABEL_VALUE_MAX)
                    )
                })
                .collect();
            let prompt = self
                .prompt_text(template_at, &filled)
                .map_err(|e| BatchError {
                    message: format!("with {}: {}", cell.join(", "), e.message),
                    ..e
                })?;
            jobs.push(self.prompt_job(
                format!("line {line}: {}", cell.join(", ")),
                prompt,
                own.clone(),
                defaults,
            )?);
            // The odometer: the last variable turns fastest.
            for k in (0..index.len()).rev() {
                index[k] += 1;
                if index[k] < counts[k] {
                    break;
                }
                index[k] = 0;
            }
        }
        Ok(jobs)
    }
}

/// A piece of a grid's template.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    /// Literal text (`{{` and `}}` already made single braces).
    Text(String),
    /// `{name}`.
    Var(String),
}

/// Splits a template into text and `{name}`s; `{{` and `}}` are literal braces.
fn parse_template(template: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) if c.is_alphanumeric() || c == '_' || c == '-' => name.push(c),
                        _ => {
                            return Err(format!(
                                "a {{ in the template opens a variable: write it as {{name}} (letters, digits, _ or -), or {{{{ for a brace{}",
                                if name.is_empty() {
                                    String::new()
                                } else {
                                    format!(" (after {{{name})")
                                }
                            ));
                        }
                    }
                }
                if name.is_empty() {
                    return Err(
                        "{} in the template names no variable: write {name}, or {{}} for braces"
                            .into(),
                    );
                }
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Var(name));
            }
            '}' => {
                return Err("a } in the template closes nothing: write }} for a brace".into());
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests;
