//! Media downloads, streamed to disk with throttled progress reports: names built from
//! server data only through [`Naming`] (a valid id or no file at all), a fresh URL
//! fetched once when the signed one has expired, and a sidecar `NAME.json` describing the
//! file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;

use super::pager::{PageStep, Pager};
use super::protocol::{DraftsEvent, Event};
use super::submit::unix_now;
use crate::api::{ApiError, Client, Draft, is_expired_link};
use crate::fsutil::media_extension;
use crate::text::Zone;

/// At most one progress report per this long per download: ten a second is smooth for a
/// progress bar and cheap for the UI's redraws.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);
/// Drafts asked for per page while looking for a fresh URL.
const FIND_PAGE: u32 = 50;
/// Pages read at most while looking for a fresh URL: the draft being downloaded is usually
/// recent, and a missing one must not make us read a 10 000-draft library.
const FIND_PAGES: usize = 20;

/// One download to run.
#[derive(Debug, Clone)]
pub(super) struct Job {
    /// The draft, to route events and re-read the URL.
    pub gen_id: String,
    /// The media URL.
    pub url: String,
    /// The final file.
    pub dest: PathBuf,
    /// What the sidecar describes; `None` writes a sidecar with the ids only.
    pub draft: Option<Box<Draft>>,
}

impl Job {
    /// A job for `draft` into `dir`, named by [`file_name`]; refused when its id is not an
    /// id or it has no media yet.
    pub fn for_draft(draft: Box<Draft>, dir: &Path, naming: &Naming) -> Result<Job, ApiError> {
        let gen_id = draft.gen_id().unwrap_or_default().to_string();
        let url = draft
            .best_url()
            .ok_or_else(|| ApiError::BadResponse {
                detail: "this draft has no media yet: refresh the drafts".into(),
            })?
            .to_string();
        let dest = dir.join(file_name(naming, &draft, &url, false)?);
        Ok(Job {
            gen_id,
            url,
            dest,
            draft: Some(draft),
        })
    }
}

/// Where to get a fresh URL when the signed one has expired.
#[derive(Debug, Clone)]
pub(super) enum Refresh {
    /// Re-read the drafts list for this generation's URL.
    Draft(String),
    /// Re-read this post for its source (no-watermark) URL.
    Post(String),
}

/// The file name for a download: the stem from the naming template (see [`Naming::stem`]),
/// `.clean` for a copy without the watermark, and an extension from the URL's path (never
/// trusted beyond a known list), else `mp4`. Media links usually carry no extension; the
/// download corrects it from the bytes that arrive. The TUI, the headless commands and the
/// "already downloaded" checks all name files through here.
pub fn file_name(
    naming: &Naming,
    draft: &Draft,
    url: &str,
    clean: bool,
) -> Result<String, ApiError> {
    naming.file_name(
        draft,
        if clean { ".clean" } else { "" },
        media_extension(url, "mp4"),
    )
}

/// The naming template used when the config has none: `2026-12-01_golden-retriever-surfing_8d4k`.
pub const DEFAULT_FILE_NAME: &str = "{date}_{slug}_{short_id}";
/// The longest slug of a prompt, in characters (cut at a word).
const SLUG_MAX: usize = 40;
/// The longest stem a template may produce, in bytes: far below every file system's 255.
const STEM_MAX: usize = 150;
/// How many characters of the id the short id keeps (its end: ids share their start).
const SHORT_ID_LEN: usize = 4;

/// How downloads are named: the `file_name` template of the config and the zone its `{date}`
/// and `{time}` are in. Placeholders (README, "Downloads"): `{date}` (`2026-12-01`, the day
/// the draft was made), `{time}` (`1403`), `{slug}` (the prompt's first words, ASCII
/// lowercase with hyphens; the id when the prompt has none), `{short_id}` (the id's last four
/// characters), `{id}` (the whole generation id). Anything else in the template is kept,
/// made safe the same way.
#[derive(Debug, Clone, PartialEq)]
pub struct Naming {
    /// The template, e.g. [`DEFAULT_FILE_NAME`].
    pub template: String,
    /// The zone of `{date}` and `{time}`.
    pub zone: Zone,
}

impl Default for Naming {
    fn default() -> Self {
        Naming {
            template: DEFAULT_FILE_NAME.to_string(),
            zone: Zone::utc(),
        }
    }
}

impl Naming {
    /// From the config's `file_name` (the default when unset or blank) and the zone.
    pub fn new(template: Option<&str>, zone: Zone) -> Naming {
        Naming {
            template: template
                .filter(|t| !t.trim().is_empty())
                .unwrap_or(DEFAULT_FILE_NAME)
                .to_string(),
            zone,
        }
    }

    /// `stem` + `tag` + `.ext`; refused when the draft's id is not an id (see
    /// [`Naming::stem`]).
    pub fn file_name(&self, draft: &Draft, tag: &str, ext: &str) -> Result<String, ApiError> {
        Ok(format!("{}{tag}.{ext}", self.stem(draft)?))
    }

    /// The template filled in for `draft` and made safe for every file system (see
    /// [`safe_stem`]). The id must be a valid id: a hostile one names nothing.
    pub fn stem(&self, draft: &Draft) -> Result<String, ApiError> {
        let id = crate::api::checked_id("generation", draft.gen_id().unwrap_or_default())?;
        let slug = slug(draft.prompt.as_deref().unwrap_or_default());
        let slug = if slug.is_empty() { safe_stem(id) } else { slug };
        let when = draft.created_at.filter(|t| *t > 0.0);
        let date = when
            .and_then(|t| crate::text::local_day(t, &self.zone))
            .unwrap_or_default();
        let time = when
            .and_then(|t| crate::text::local_format(t, &self.zone, "%H%M"))
            .unwrap_or_default();
        // A template without an id would give two drafts one name, and the second would
        // pass for "already downloaded" (or replace the first): the short id is added.
        let template = if self.template.contains("{id}") || self.template.contains("{short_id}") {
            self.template.clone()
        } else {
            format!("{}_{{short_id}}", self.template)
        };
        let filled = template
            .replace("{date}", &date)
            .replace("{time}", &time)
            .replace("{slug}", &slug)
            .replace("{short_id}", &short_id(id))
            .replace("{id}", id);
        let stem = safe_stem(&filled);
        Ok(if stem.is_empty() { safe_stem(id) } else { stem })
    }
}

/// The first words of a prompt as ASCII lowercase joined by hyphens, at most [`SLUG_MAX`]
/// characters cut at a word: `golden-retriever-surfing`. Letters with accents lose them when
/// they are Latin-1 (`café` → `cafe`); anything else separates words. Empty when nothing is left.
pub fn slug(prompt: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in prompt.chars().flat_map(fold_accent) {
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        } else if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    let mut out = String::new();
    for w in words {
        let extra = usize::from(!out.is_empty()) + w.len();
        if out.len() + extra > SLUG_MAX {
            if out.is_empty() {
                out = w[..SLUG_MAX].to_string();
            }
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&w);
    }
    out
}

/// A Latin-1 letter without its accent (`é` → `e`, `ß` → `ss`); other characters as they are.
fn fold_accent(c: char) -> Vec<char> {
    let plain = match c {
        'à'..='å' => "a",
        'À'..='Å' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' => "c",
        'è'..='ë' | 'È'..='Ë' => "e",
        'ì'..='ï' | 'Ì'..='Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò'..='ö' | 'ø' | 'Ò'..='Ö' | 'Ø' => "o",
        'ù'..='ü' | 'Ù'..='Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ß' => "ss",
        _ => return vec![c],
    };
    plain.chars().collect()
}

/// The id's last [`SHORT_ID_LEN`] letters or digits, lowercase.
pub fn short_id(id: &str) -> String {
    let keep: Vec<char> = id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    keep[keep.len().saturating_sub(SHORT_ID_LEN)..]
        .iter()
        .collect()
}

/// A stem every file system accepts: ASCII letters, digits, `-`, `_` and single dots inside
/// (never `..`, never a leading or trailing dot, so no hidden file and no `.`/`..`); anything
/// else (path separators, control characters, spaces, reserved characters) becomes `-`; runs
/// of separators left by empty placeholders collapse to one; at most [`STEM_MAX`] bytes.
pub fn safe_stem(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
            c
        } else {
            '-'
        };
        match (out.chars().last(), c) {
            // Collapse `--`, `__`, `-_`, `..` and a separator next to a dot.
            (None, '-' | '_' | '.') => {}
            (Some('-' | '_' | '.'), '-' | '_' | '.') => {}
            _ => out.push(c),
        }
        if out.len() >= STEM_MAX {
            break;
        }
    }
    while out.ends_with(['-', '_', '.']) {
        out.pop();
    }
    out
}

/// `dir/gen_x.mp4` → `dir/gen_x.json`. Derived from the already checked file name, so it
/// cannot leave the folder either.
pub fn sidecar_path(dest: &Path) -> PathBuf {
    let side = dest.with_extension("json");
    if side == dest {
        let mut s = dest.as_os_str().to_owned();
        s.push(".sidecar.json");
        s.into()
    } else {
        side
    }
}

/// What is written next to each downloaded file. Holds the media host, never the signed
/// URL: the signature is a credential for the file until it expires.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sidecar {
    /// The prompt the video was made from.
    pub prompt: Option<String>,
    /// Its title, if the server gave one.
    pub title: Option<String>,
    /// `gen_…`.
    pub generation_id: String,
    /// `task_…`.
    pub task_id: Option<String>,
    /// The post the file was read from, if any (for a clean copy, already deleted unless it
    /// was the user's own post).
    pub post_id: Option<String>,
    /// Pixels.
    pub width: Option<f64>,
    /// Pixels.
    pub height: Option<f64>,
    /// Seconds.
    pub duration_s: Option<f64>,
    /// Whether this is the copy without the watermark.
    pub clean: bool,
    /// The host the file came from.
    pub media_host: Option<String>,
    /// Unix seconds.
    pub downloaded_at: f64,
    /// The file's size: a later download skips a file of this size without a request.
    pub bytes: u64,
}

/// Downloads a job (see [`fetch`]) and reports `Downloaded` or `DownloadFailed`.
pub(super) async fn download(client: Client, job: Job, events: UnboundedSender<Event>) {
    let refresh = Refresh::Draft(job.gen_id.clone());
    let result = fetch(&client, &job, refresh, None, false, &events).await;
    finish(job.gen_id, result, &events);
}

/// Reports the outcome of a download to the UI.
pub(super) fn finish(
    gen_id: String,
    result: Result<PathBuf, ApiError>,
    events: &UnboundedSender<Event>,
) {
    let event = match result {
        Ok(path) => Event::Drafts(DraftsEvent::Downloaded { gen_id, path }),
        Err(error) => Event::Drafts(DraftsEvent::DownloadFailed { gen_id, error }),
    };
    let _ = events.send(event);
}

/// Downloads `job.dest` (through `dest.part`, see [`Client::download_to`]) with throttled
/// progress; a file already complete (its sidecar's size, or present without a sidecar) is
/// not fetched again. On an expired link, gets a fresh URL from `refresh` and tries once
/// more. Then writes the sidecar (a failure to write it is reported, not fatal).
pub(super) async fn fetch(
    client: &Client,
    job: &Job,
    refresh: Refresh,
    post_id: Option<&str>,
    clean: bool,
    events: &UnboundedSender<Event>,
) -> Result<PathBuf, ApiError> {
    if let Some(dir) = job.dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(dir).await.map_err(|e| {
            ApiError::Io(format!(
                "cannot create the download folder {}: {e}",
                dir.display()
            ))
        })?;
    }
    let side = sidecar_path(&job.dest);
    let expected = read_sidecar(&side).await.map(|s| s.bytes);
    let mut url = job.url.clone();
    let done = match stream(client, &job.gen_id, &url, &job.dest, expected, events).await {
        Err(e) if is_expired_link(&e) => {
            tracing::info!(gen_id = %job.gen_id, "media link expired; reading a fresh one");
            url = fresh_url(client, &refresh).await?;
            stream(client, &job.gen_id, &url, &job.dest, expected, events).await?
        }
        other => other?,
    };
    if !done.skipped || expected.is_none() {
        let sidecar = make_sidecar(job, &url, post_id, clean, done.bytes);
        if let Err(message) = write_sidecar(&side, &sidecar).await {
            let _ = events.send(Event::StoreFailed(message));
        }
    }
    // Where the file really went: the extension follows the bytes (see `Client::download_to`).
    Ok(done.path)
}

/// One download with throttled progress; the last report always goes out so the bar ends
/// full.
async fn stream(
    client: &Client,
    gen_id: &str,
    url: &str,
    dest: &Path,
    expected: Option<u64>,
    events: &UnboundedSender<Event>,
) -> Result<crate::api::Downloaded, ApiError> {
    let mut throttle = Throttle::new(PROGRESS_EVERY);
    let mut total_seen = None;
    let done = client
        .download_to(url, dest, expected, |done, total| {
            total_seen = total;
            if throttle.ready(Instant::now()) {
                let _ = events.send(Event::Drafts(DraftsEvent::DownloadProgress {
                    gen_id: gen_id.to_string(),
                    done,
                    total,
                }));
            }
        })
        .await?;
    let _ = events.send(Event::Drafts(DraftsEvent::DownloadProgress {
        gen_id: gen_id.to_string(),
        done: done.bytes,
        total: total_seen.or(Some(done.bytes)),
    }));
    Ok(done)
}

/// A fresh signed URL: the draft's from the drafts list, or the post's source file.
async fn fresh_url(client: &Client, refresh: &Refresh) -> Result<String, ApiError> {
    let gone = |what: &str| ApiError::BadResponse {
        detail: format!("the media link expired and {what}"),
    };
    match refresh {
        Refresh::Draft(gen_id) => {
            let draft = find_draft(client, gen_id)
                .await?
                .ok_or_else(|| gone("the draft is no longer listed"))?;
            draft
                .best_url()
                .map(str::to_owned)
                .ok_or_else(|| gone("the draft has no media now"))
        }
        Refresh::Post(post_id) => client
            .get_post(post_id)
            .await?
            .clean_source_url()
            .map(str::to_owned)
            .ok_or_else(|| gone("the post has no source file")),
    }
}

/// Pages through the drafts (bounded by [`FIND_PAGES`], and by a [`Pager`] against cursors
/// that loop) until `gen_id` shows up.
pub(super) async fn find_draft(client: &Client, gen_id: &str) -> Result<Option<Draft>, ApiError> {
    let mut pager = Pager::new();
    let mut cursor: Option<String> = None;
    for _ in 0..FIND_PAGES {
        let page = client.drafts(FIND_PAGE, cursor.as_deref()).await?;
        let (fresh, step) = pager.page(page.items, page.cursor);
        if let Some(d) = fresh.into_iter().find(|d| d.gen_id() == Some(gen_id)) {
            return Ok(Some(d));
        }
        match step {
            PageStep::Next(c) => cursor = Some(c),
            PageStep::End | PageStep::Stopped(_) => return Ok(None),
        }
    }
    Ok(None)
}

fn make_sidecar(job: &Job, url: &str, post_id: Option<&str>, clean: bool, bytes: u64) -> Sidecar {
    let d = job.draft.as_deref();
    Sidecar {
        prompt: d.and_then(|d| d.prompt.clone()),
        title: d.and_then(|d| d.title.clone()),
        generation_id: job.gen_id.clone(),
        task_id: d.and_then(|d| d.task_id.clone()),
        post_id: post_id
            .map(str::to_owned)
            .or_else(|| d.and_then(Draft::published_post_id)),
        width: d.and_then(|d| d.width),
        height: d.and_then(|d| d.height),
        duration_s: d.and_then(|d| d.duration_s),
        clean,
        media_host: reqwest::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned)),
        downloaded_at: unix_now(),
        bytes,
    }
}

/// The sidecar, if there is a readable one: a regular file read with a cap (a sidecar is a
/// few hundred bytes), so a named pipe or a device in its place cannot stall the download.
pub(super) async fn read_sidecar(path: &Path) -> Option<Sidecar> {
    let path = path.to_path_buf();
    let bytes = tokio::task::spawn_blocking(move || crate::fsutil::read_capped(&path, 1 << 20))
        .await
        .ok()?
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

pub(super) async fn write_sidecar(path: &Path, sidecar: &Sidecar) -> Result<(), String> {
    let bytes = serde_json::to_vec_pretty(sidecar).map_err(|e| e.to_string())?;
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || crate::store::write_atomic(&path, &bytes))
        .await
        .map_err(|e| format!("the sidecar write did not finish ({e})"))?
        .map_err(|e| e.to_string())
}

/// The size and SHA-256 (lower-case hex) of a file, read in 64 KiB pieces: what the history
/// records of each download (`worker::history`). Blocking: run it off the loop.
pub fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    use sha2::Digest;
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        hasher.update(&buf[..n]);
    }
    let digest = hasher.finalize();
    let hex = digest.iter().map(|b| format!("{b:02x}")).collect();
    Ok((bytes, hex))
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

    fn named(id: &str, prompt: Option<&str>, created_at: Option<f64>) -> Draft {
        Draft {
            id: Some(id.to_string()),
            prompt: prompt.map(str::to_owned),
            created_at,
            ..Draft::default()
        }
    }

    /// 2026-12-01 13:03:20 UTC.
    const DEC_1: f64 = 1_796_130_200.0;

    #[test]
    fn default_names_carry_the_date_a_slug_and_a_short_id() {
        let n = Naming::default();
        let d = named(
            "gen_01m8sdkjf5jx00jssweq4s8d4k",
            Some("A golden retriever, surfing!"),
            Some(DEC_1),
        );
        let url = "https://videos.example/x/raw";
        assert_eq!(
            file_name(&n, &d, url, false).unwrap(),
            "2026-12-01_a-golden-retriever-surfing_8d4k.mp4"
        );
        assert_eq!(
            file_name(&n, &d, url, true).unwrap(),
            "2026-12-01_a-golden-retriever-surfing_8d4k.clean.mp4"
        );
        // The day is the local one.
        let tokyo = Naming::new(None, Zone::from_tz("JST-9").unwrap());
        let late = named("gen_x1", Some("night"), Some(DEC_1 + 11.0 * 3600.0));
        assert_eq!(tokyo.stem(&late).unwrap(), "2026-12-02_night_enx1");
        // A template of the config, with every placeholder.
        let t = Naming::new(Some("{id} {date} {time} {slug}-{short_id}"), Zone::utc());
        assert_eq!(
            t.stem(&d).unwrap(),
            "gen_01m8sdkjf5jx00jssweq4s8d4k-2026-12-01-1303-a-golden-retriever-surfing-8d4k"
        );
        assert_eq!(Naming::new(Some("  "), Zone::utc()), Naming::default());
        // A template without an id still tells two drafts of one prompt apart.
        let by_slug = Naming::new(Some("{slug}"), Zone::utc());
        let (a, b) = (
            named("gen_x1ab", Some("a cat"), Some(DEC_1)),
            named("gen_x2cd", Some("a cat"), Some(DEC_1)),
        );
        assert_eq!(by_slug.stem(&a).unwrap(), "a-cat_x1ab");
        assert_ne!(by_slug.stem(&a).unwrap(), by_slug.stem(&b).unwrap());
    }

    #[test]
    fn slugs_are_short_ascii_words() {
        assert_eq!(
            slug("Golden Retriever  SURFING"),
            "golden-retriever-surfing"
        );
        assert_eq!(slug("Café crème à l'œuvre"), "cafe-creme-a-l-uvre");
        assert_eq!(slug("日本語だけ"), "");
        assert_eq!(slug(""), "");
        let long = slug(&"word ".repeat(30));
        assert!(long.len() <= SLUG_MAX && long.ends_with("word"), "{long}");
        assert_eq!(slug(&"x".repeat(100)).len(), SLUG_MAX);
        assert_eq!(short_id("gen_01ce"), "01ce");
        assert_eq!(short_id("ab"), "ab");
    }

    #[test]
    fn names_are_safe_from_hostile_ids_prompts_and_templates() {
        let n = Naming::default();
        // An id that is not an id names nothing.
        for id in ["../../etc/passwd", "gen/x", "gen\u{1b}x", "..", "", "gen x"] {
            assert!(
                n.stem(&named(id, Some("cat"), Some(DEC_1))).is_err(),
                "{id:?}"
            );
        }
        // No prompt (or nothing ASCII in it): the id stands in for the slug.
        assert_eq!(
            n.stem(&named("gen_abcd", None, Some(DEC_1))).unwrap(),
            "2026-12-01_gen_abcd_abcd"
        );
        assert_eq!(
            n.stem(&named("gen_abcd", Some(" \u{202e}\u{1b}[31m "), None))
                .unwrap(),
            "31m_abcd",
            "no date: its separator goes too"
        );
        assert_eq!(
            n.stem(&named("gen_abcd", Some("日本"), None)).unwrap(),
            "gen_abcd_abcd"
        );
        // A template cannot make a folder, a hidden file or `..`.
        for t in [
            "../{slug}",
            "/tmp/{id}",
            "{slug}/../../x",
            ".hidden{id}",
            "a\u{0}b{id}",
            "..",
            "{slug}..",
        ] {
            let stem = Naming::new(Some(t), Zone::utc())
                .stem(&named("gen_abcd", Some("cat"), Some(DEC_1)))
                .unwrap();
            assert!(!stem.is_empty(), "{t:?}");
            assert!(!stem.contains(['/', '\\', '\0']), "{t:?} → {stem}");
            assert!(!stem.contains(".."), "{t:?} → {stem}");
            assert!(
                !stem.starts_with('.') && !stem.ends_with('.'),
                "{t:?} → {stem}"
            );
            assert!(stem.chars().all(|c| c.is_ascii_graphic()), "{t:?} → {stem}");
        }
        let huge = Naming::new(Some(&"{id}".repeat(100)), Zone::utc())
            .stem(&named("gen_abcd", Some("cat"), None))
            .unwrap();
        assert!(huge.len() <= STEM_MAX, "{}", huge.len());
    }

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

    #[test]
    fn names_stay_in_the_folder() {
        let dir = Path::new("/dl");
        let n = Naming::new(Some("{id}"), Zone::utc());
        let d = |id: &str| named(id, Some("../../etc"), None);
        assert!(file_name(&n, &d("../../x"), "https://m/b.mp4", false).is_err());
        let name = file_name(&n, &d("gen_x"), "https://m/a/../../b.mp4?x=/..", false).unwrap();
        let dest = dir.join(&name);
        assert_eq!(dest.parent(), Some(dir));
        assert_eq!(sidecar_path(&dest).parent(), Some(dir));
        assert_eq!(
            file_name(&n, &d("gen_1"), "https://m/s.mp4", true).unwrap(),
            "gen_1.clean.mp4"
        );
        let name = file_name(&Naming::default(), &d("gen_1"), "https://m/s", false).unwrap();
        assert_eq!(name, "etc_gen1.mp4");
        assert_eq!(dir.join(&name).parent(), Some(dir));
        assert_eq!(
            sidecar_path(Path::new("/dl/gen_1.clean.mp4")),
            Path::new("/dl/gen_1.clean.json")
        );
    }
}

#[cfg(test)]
mod sidecar_read_tests {
    use super::read_sidecar;
    use crate::fsutil::hostile::mkfifo;

    #[test]
    fn a_fifo_in_place_of_the_sidecar_is_no_sidecar() {
        let dir = tempfile::tempdir().unwrap();
        let side = dir.path().join("gen_1.mp4.json");
        mkfifo(&side);
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let read = runtime.block_on(async {
            tokio::time::timeout(std::time::Duration::from_secs(20), read_sidecar(&side)).await
        });
        // Not a plain drop: a read stuck on the pipe would hold it forever.
        runtime.shutdown_timeout(std::time::Duration::from_secs(1));
        assert!(read.expect("the sidecar read blocked").is_none());
    }
}
