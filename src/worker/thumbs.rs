//! The picture fetcher: thumbnails, image variants and profile pictures the UI asks for as
//! they come on screen (see `docs/architecture.md`).
//!
//! One task of its own ([`serve`]) takes the requests, keeps the wants not started in a
//! bounded queue (newest first: when the user scrolls, the oldest unstarted wants fall off;
//! `Cancel` drops them all), runs at most [`AT_ONCE`] fetches, and never fetches a key
//! already queued or in flight twice. A fetch follows the download rules of
//! `Client::fetch_media` (no `Authorization` to media hosts, scheme and host checks, the
//! redirect rules) with a [`MAX_BYTES`] cap, reads and writes a bounded disk cache
//! ([`Cache`]), decodes on a blocking thread with `image::Limits`, and scales down to at most
//! [`MAX_SIDE`] pixels a side. An expired link (403/404/410) is refreshed once from the draft,
//! the image task or the cameo, as downloads do.

use std::collections::{HashSet, VecDeque};
#[cfg(feature = "previews")]
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::pictures_protocol::{Picture, PictureEvent, PictureKey, PictureRequest, PictureWanted};
use super::protocol::Event;
use crate::api::{ApiError, Client, is_expired_link};

/// Fetches running at once.
pub const AT_ONCE: usize = 4;
/// Wants kept waiting; older ones are dropped when more arrive.
pub const QUEUE_MAX: usize = 48;
/// The most a picture may weigh on the wire.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;
/// The largest picture decoded, each side.
#[cfg(feature = "previews")]
pub const MAX_DECODE_SIDE: u32 = 8192;
/// The most the decoder may allocate.
#[cfg(feature = "previews")]
pub const MAX_DECODE_ALLOC: u64 = 64 * 1024 * 1024;
/// The largest side of a picture sent to the UI.
pub const MAX_SIDE: u32 = 320;
/// The default bound of the disk cache.
pub const CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// The wants not started and the keys in flight: the pure part of the scheduling.
#[derive(Debug, Default)]
struct Schedule {
    /// Newest first.
    queue: VecDeque<PictureWanted>,
    in_flight: HashSet<PictureKey>,
}

impl Schedule {
    /// Puts `wanted` before the older wants, in its own order; keys in flight are skipped,
    /// keys already queued move up; the oldest wants past [`QUEUE_MAX`] are dropped.
    fn want(&mut self, wanted: Vec<PictureWanted>) {
        let mut fresh: Vec<PictureWanted> = Vec::new();
        for w in wanted {
            if self.in_flight.contains(&w.key) || fresh.iter().any(|f| f.key == w.key) {
                continue;
            }
            self.queue.retain(|q| q.key != w.key);
            fresh.push(w);
        }
        for w in fresh.into_iter().rev() {
            self.queue.push_front(w);
        }
        self.queue.truncate(QUEUE_MAX);
    }

    /// Forgets every want not started.
    fn cancel(&mut self) {
        self.queue.clear();
    }

    /// The next want to start, if a slot is free.
    fn next(&mut self) -> Option<PictureWanted> {
        if self.in_flight.len() >= AT_ONCE {
            return None;
        }
        let w = self.queue.pop_front()?;
        self.in_flight.insert(w.key.clone());
        Some(w)
    }

    fn finished(&mut self, key: &PictureKey) {
        self.in_flight.remove(key);
    }
}

/// The loop's handle on the picture task.
#[derive(Debug, Clone)]
pub(super) struct Pictures {
    tx: mpsc::UnboundedSender<PictureRequest>,
}

impl Pictures {
    /// Starts the picture task among the worker's `jobs` (so a panic in it reaches the
    /// supervisor and shutdown aborts it). `cache` is the thumbnails folder, `None` for
    /// none.
    pub(super) fn start(
        client: &Client,
        cache: Option<(PathBuf, u64)>,
        events: &mpsc::UnboundedSender<Event>,
        jobs: &mut JoinSet<()>,
    ) -> Pictures {
        let (tx, rx) = mpsc::unbounded_channel();
        let cache = cache.map(|(dir, max)| Arc::new(Cache::new(dir, max)));
        jobs.spawn(serve(client.clone(), cache, rx, events.clone()));
        Pictures { tx }
    }

    /// Hands a request to the picture task.
    pub(super) fn handle(&self, request: PictureRequest) {
        let _ = self.tx.send(request);
    }
}

/// The picture task: ends when the loop's handle is dropped.
async fn serve(
    client: Client,
    cache: Option<Arc<Cache>>,
    mut requests: mpsc::UnboundedReceiver<PictureRequest>,
    events: mpsc::UnboundedSender<Event>,
) {
    let mut schedule = Schedule::default();
    let mut running: JoinSet<PictureKey> = JoinSet::new();
    loop {
        tokio::select! {
            request = requests.recv() => match request {
                Some(PictureRequest::Fetch(wanted)) => schedule.want(wanted),
                Some(PictureRequest::Cancel) => schedule.cancel(),
                None => return,
            },
            Some(done) = running.join_next(), if !running.is_empty() => match done {
                Ok(key) => schedule.finished(&key),
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(_) => {}
            },
        }
        while let Some(wanted) = schedule.next() {
            let (client, cache, events) = (client.clone(), cache.clone(), events.clone());
            running.spawn(async move {
                let key = wanted.key.clone();
                let event = match fetch(&client, cache.as_deref(), &wanted).await {
                    Ok(picture) => PictureEvent::Ready {
                        key: key.clone(),
                        picture,
                    },
                    Err(reason) => PictureEvent::Failed {
                        key: key.clone(),
                        reason,
                    },
                };
                let _ = events.send(Event::Picture(event));
                key
            });
        }
    }
}

/// One picture: from the cache, or fetched (refreshed once when the link expired), decoded
/// and put in the cache. The error is the short reason the UI shows.
async fn fetch(
    client: &Client,
    cache: Option<&Cache>,
    wanted: &PictureWanted,
) -> Result<Picture, String> {
    let name = cache_name(&wanted.key, &wanted.url);
    if let Some(cache) = cache
        && let Some(bytes) = cache.read(&name).await
        && let Ok(picture) = decode_off_loop(bytes).await
    {
        return Ok(picture);
    }
    let bytes = match client.fetch_media(&wanted.url, MAX_BYTES).await {
        Err(e) if is_expired_link(&e) => {
            tracing::info!(key = ?wanted.key, "picture link expired; reading a fresh one");
            let url = fresh_url(client, &wanted.key)
                .await
                .ok_or_else(|| "expired link".to_string())?;
            client
                .fetch_media(&url, MAX_BYTES)
                .await
                .map_err(|e| fetch_reason(&e))?
        }
        other => other.map_err(|e| fetch_reason(&e))?,
    };
    let bytes = bytes.to_vec();
    let picture = decode_off_loop(bytes.clone()).await?;
    if let Some(cache) = cache {
        cache.write(&name, bytes).await;
    }
    Ok(picture)
}

/// The short reason of a failed fetch.
fn fetch_reason(e: &ApiError) -> String {
    if is_expired_link(e) {
        return "expired link".into();
    }
    match e {
        // `Client::fetch_media`'s cap (`read_limited`'s "larger than").
        ApiError::BadResponse { detail } if detail.contains("larger than") => {
            format!("over {} MiB", MAX_BYTES / (1024 * 1024))
        }
        ApiError::BadResponse { detail } if detail.contains("not a URL") => "not a link".into(),
        e => e.short_reason().to_string(),
    }
}

/// A fresh link for `key`: the draft's thumbnail from the drafts list, the variant from the
/// recent image tasks, the cameo's profile picture from its progress.
async fn fresh_url(client: &Client, key: &PictureKey) -> Option<String> {
    let url = match key {
        PictureKey::Draft(gen_id) => {
            super::transfers::find_draft(client, gen_id)
                .await
                .ok()??
                .encodings?
                .thumbnail?
                .path?
        }
        PictureKey::Variant(id, index) => {
            let tasks = client
                .recent_tasks(super::poll::RECENT_TASKS_LIMIT)
                .await
                .ok()?;
            tasks.into_iter().find_map(|t| {
                if &t.id == id {
                    return t.generations.get(*index)?.url.clone();
                }
                t.generations
                    .into_iter()
                    .find(|g| g.id.as_deref() == Some(id.as_str()))?
                    .url
            })?
        }
        PictureKey::Cameo(id) => client.cameo_progress(id).await.ok()?.profile_asset_url?,
    };
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    matches!(scheme.as_deref(), Some("https" | "http")).then_some(url)
}

/// Decodes on a blocking thread.
async fn decode_off_loop(bytes: Vec<u8>) -> Result<Picture, String> {
    tokio::task::spawn_blocking(move || decode(&bytes))
        .await
        .unwrap_or_else(|_| Err("damaged image".into()))
}

/// A build without the `previews` feature has no decoders: every picture fails with this
/// reason (the UI asks for none then, as its preview is off).
#[cfg(not(feature = "previews"))]
pub fn decode(_bytes: &[u8]) -> Result<Picture, String> {
    Err("this build has no previews".into())
}

/// Decodes a picture whose type is guessed from its bytes, within [`MAX_DECODE_SIDE`] and
/// [`MAX_DECODE_ALLOC`], scaled down to at most [`MAX_SIDE`] a side (aspect kept).
#[cfg(feature = "previews")]
pub fn decode(bytes: &[u8]) -> Result<Picture, String> {
    use image::{ImageDecoder, ImageFormat};
    let reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| "damaged image".to_string())?;
    match reader.format() {
        Some(ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP) => {}
        Some(_) => return Err("unsupported image type".into()),
        None => return Err(not_an_image(bytes)),
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_DECODE_SIDE);
    limits.max_image_height = Some(MAX_DECODE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    let format = reader.format();
    let reason = |e: &image::ImageError| {
        if format.is_some_and(|f| cut_short(f, bytes)) {
            "truncated image".to_string()
        } else {
            decode_reason(e)
        }
    };
    let mut decoder = reader.into_decoder().map_err(|e| reason(&e))?;
    let (w, h) = decoder.dimensions();
    if w > MAX_DECODE_SIDE || h > MAX_DECODE_SIDE {
        return Err(format!("too large: {w}×{h}"));
    }
    decoder
        .set_limits(limits)
        .map_err(|_| format!("too large: {w}×{h}"))?;
    let image = image::DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => format!("too large: {w}×{h}"),
        e => reason(&e),
    })?;
    let image = if image.width() > MAX_SIDE || image.height() > MAX_SIDE {
        image.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        image
    };
    let rgba = image.to_rgba8();
    Ok(Picture {
        width: rgba.width(),
        height: rgba.height(),
        rgba: Arc::from(rgba.into_raw()),
    })
}

/// The reason of a decoder error: a body that ends early is "truncated".
#[cfg(feature = "previews")]
fn decode_reason(e: &image::ImageError) -> String {
    let text = e.to_string().to_ascii_lowercase();
    let short = match e {
        image::ImageError::IoError(_) => true,
        _ => text.contains("eof") || text.contains("end of") || text.contains("unexpected end"),
    };
    if short {
        "truncated image".into()
    } else if matches!(e, image::ImageError::Limits(_)) {
        "too large to decode".into()
    } else {
        "damaged image".into()
    }
}

/// Whether an image the decoder refused ends before its format says it does: a WebP shorter
/// than its RIFF size, a PNG without its `IEND`, a JPEG without its end marker.
#[cfg(feature = "previews")]
fn cut_short(format: image::ImageFormat, bytes: &[u8]) -> bool {
    match format {
        image::ImageFormat::WebP => bytes
            .get(4..8)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .is_some_and(|b| u64::from(u32::from_le_bytes(b)) + 8 > bytes.len() as u64),
        image::ImageFormat::Png => !bytes.ends_with(b"IEND\xae\x42\x60\x82"),
        image::ImageFormat::Jpeg => !bytes.ends_with(&[0xff, 0xd9]),
        _ => false,
    }
}

/// Why bytes that are no known image are not one, guessed from their start.
#[cfg(feature = "previews")]
fn not_an_image(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(512)];
    let text = String::from_utf8_lossy(head)
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_ascii_lowercase();
    let what = if text.starts_with("<!doctype html")
        || text.starts_with("<html")
        || (text.starts_with('<') && text.contains("<html"))
    {
        " (text/html)"
    } else if text.starts_with("<?xml") {
        " (XML)"
    } else if text.starts_with('{') || text.starts_with('[') {
        " (JSON)"
    } else if crate::api::filetype::FileType::sniff(head)
        == Some(crate::api::filetype::FileType::Mp4)
    {
        " (a video)"
    } else if bytes.is_empty() {
        " (empty)"
    } else {
        ""
    };
    format!("not an image{what}")
}

/// The cache file's name: a hash of the key and of the link's path without its query (links
/// are signed again on every listing; the key and the blob path are stable).
pub fn cache_name(key: &PictureKey, url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let key = match key {
        PictureKey::Draft(id) => format!("d\0{id}"),
        PictureKey::Variant(id, n) => format!("v\0{id}\0{n}"),
        PictureKey::Cameo(id) => format!("c\0{id}"),
    };
    let text = format!("{key}\0{path}");
    format!("{:016x}{:016x}.pic", fnv(&text, 0), fnv(&text, 1))
}

/// FNV-1a with an offset per `round`: stable across runs and builds.
fn fnv(text: &str, round: u8) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ u64::from(round).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The disk cache of fetched pictures (`$XDG_CACHE_HOME/sora-tui/thumbnails/`): the bytes
/// as fetched, one file per [`cache_name`], written atomically, never through a symlink,
/// bounded in total size with the least recently used files (by mtime, touched on a hit)
/// removed first.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    max_bytes: u64,
}

impl Cache {
    /// A cache in `dir` (created on the first write) of at most `max_bytes`.
    pub fn new(dir: PathBuf, max_bytes: u64) -> Cache {
        Cache { dir, max_bytes }
    }

    /// The bytes stored under `name`, touched; `None` when absent, not a regular file (a
    /// symlink is never followed) or unreadable.
    pub async fn read(&self, name: &str) -> Option<Vec<u8>> {
        let path = self.dir.join(name);
        tokio::task::spawn_blocking(move || read_nofollow(&path))
            .await
            .ok()?
    }

    /// Stores `bytes` under `name` (temp file and rename), then trims the cache to its bound.
    /// A failure only costs a later fetch, so it is logged, not reported.
    pub async fn write(&self, name: &str, bytes: Vec<u8>) {
        let (dir, name, max) = (self.dir.clone(), name.to_string(), self.max_bytes);
        let done = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            if !dir_is_real(&dir)? {
                return Ok(());
            }
            crate::fsutil::write_atomic(
                &dir.join(&name),
                &[&bytes],
                crate::fsutil::Access::Default,
            )?;
            evict(&dir, max);
            Ok(())
        })
        .await;
        if let Ok(Err(e)) = done {
            tracing::warn!("cannot cache a picture in {}: {e}", self.dir.display());
        }
    }
}

/// Creates `dir` if missing; `false` when it is a symlink or not a folder (then nothing is
/// cached).
fn dir_is_real(dir: &Path) -> std::io::Result<bool> {
    match std::fs::symlink_metadata(dir) {
        Ok(m) => Ok(m.is_dir()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir)?;
            Ok(std::fs::symlink_metadata(dir)?.is_dir())
        }
        Err(e) => Err(e),
    }
}

/// Reads a regular file that is not a symlink (checked before and after opening: the file
/// opened must be the one looked at), and touches its mtime.
fn read_nofollow(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::MetadataExt;
    let before = std::fs::symlink_metadata(path).ok()?;
    if !before.is_file() || before.len() > MAX_BYTES as u64 {
        return None;
    }
    let file = std::fs::File::open(path).ok()?;
    let after = file.metadata().ok()?;
    if !after.is_file() || after.ino() != before.ino() || after.dev() != before.dev() {
        return None;
    }
    let mut bytes = Vec::new();
    (&file)
        .take(MAX_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    if bytes.len() > MAX_BYTES {
        return None;
    }
    let _ = file.set_modified(SystemTime::now());
    Some(bytes)
}

/// Removes the oldest (by mtime) cache files until the total is within `max`. Only regular
/// files named like cache files count; nothing is followed.
fn evict(dir: &Path, max: u64) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(SystemTime, u64, PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".pic"))
        .filter_map(|e| {
            let m = std::fs::symlink_metadata(e.path()).ok()?;
            m.is_file().then(|| {
                (
                    m.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                    m.len(),
                    e.path(),
                )
            })
        })
        .collect();
    let mut total: u64 = files.iter().map(|f| f.1).sum();
    files.sort();
    for (_, len, path) in files {
        if total <= max {
            break;
        }
        if std::fs::remove_file(&path).is_ok() {
            total = total.saturating_sub(len);
        }
    }
}

#[cfg(all(test, feature = "previews"))]
mod tests {
    use super::*;

    fn want(id: &str) -> PictureWanted {
        PictureWanted {
            key: PictureKey::Draft(id.into()),
            url: format!("https://m/{id}?sig=1"),
        }
    }

    fn keys(s: &Schedule) -> Vec<String> {
        s.queue
            .iter()
            .map(|w| match &w.key {
                PictureKey::Draft(id) => id.clone(),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn newest_wants_go_first_and_nothing_is_fetched_twice() {
        let mut s = Schedule::default();
        s.want(vec![want("a"), want("b")]);
        s.want(vec![want("c"), want("a")]);
        assert_eq!(keys(&s), ["c", "a", "b"]);
        let first = s.next().unwrap();
        assert_eq!(first.key, PictureKey::Draft("c".into()));
        s.want(vec![want("c")]);
        assert_eq!(keys(&s), ["a", "b"], "in flight: not queued again");
        for _ in 0..3 {
            s.next();
        }
        s.want(vec![want("d"), want("e")]);
        assert_eq!(s.in_flight.len(), 2 + 1);
        s.next();
        assert_eq!(s.in_flight.len(), AT_ONCE);
        assert!(s.next().is_none(), "at most {AT_ONCE} at once");
        s.finished(&PictureKey::Draft("c".into()));
        assert_eq!(
            s.next().unwrap().key,
            PictureKey::Draft("e".into()),
            "a slot freed"
        );
        assert!(s.next().is_none(), "nothing left queued");
        s.want((0..QUEUE_MAX + 5).map(|n| want(&format!("x{n}"))).collect());
        assert_eq!(s.queue.len(), QUEUE_MAX);
        s.want(vec![want("new")]);
        assert_eq!(keys(&s)[0], "new");
        assert_eq!(s.queue.len(), QUEUE_MAX, "the oldest fell off");
        assert!(!keys(&s).contains(&format!("x{}", QUEUE_MAX - 1)));
        s.cancel();
        assert!(s.queue.is_empty());
    }

    #[test]
    fn cache_names_ignore_the_signature_but_not_the_key_or_path() {
        let k = PictureKey::Draft("gen_1".into());
        let a = cache_name(&k, "https://m/az/files/x%2Fraw?se=1&sig=a");
        assert_eq!(a, cache_name(&k, "https://m/az/files/x%2Fraw?se=2&sig=b"));
        assert_ne!(a, cache_name(&k, "https://m/az/files/y%2Fraw?se=1&sig=a"));
        assert_ne!(
            a,
            cache_name(
                &PictureKey::Cameo("gen_1".into()),
                "https://m/az/files/x%2Fraw"
            )
        );
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'));
    }

    fn age(path: &Path, secs_ago: u64) {
        let f = std::fs::File::options()
            .write(true)
            .open(path)
            .expect("the cache file opens");
        f.set_modified(SystemTime::now() - std::time::Duration::from_secs(secs_ago))
            .expect("its time is set");
    }

    #[tokio::test]
    async fn the_cache_evicts_the_least_recently_used_first() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().join("thumbnails"), 250);
        cache.write("a.pic", vec![1; 100]).await;
        cache.write("b.pic", vec![2; 100]).await;
        age(&dir.path().join("thumbnails/a.pic"), 300);
        age(&dir.path().join("thumbnails/b.pic"), 200);
        // A hit makes `a` the most recent.
        assert_eq!(cache.read("a.pic").await, Some(vec![1; 100]));
        cache.write("c.pic", vec![3; 100]).await;
        assert_eq!(cache.read("b.pic").await, None, "the oldest went");
        assert!(cache.read("a.pic").await.is_some());
        assert!(cache.read("c.pic").await.is_some());
    }

    #[tokio::test]
    async fn the_cache_never_follows_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("secret");
        std::fs::write(&secret, b"not yours").unwrap();
        let cache = Cache::new(dir.path().join("thumbnails"), 1 << 20);
        cache.write("x.pic", vec![0]).await;
        std::os::unix::fs::symlink(&secret, dir.path().join("thumbnails/l.pic")).unwrap();
        assert_eq!(cache.read("l.pic").await, None);
        // Writing over the link replaces the link, not what it points at.
        cache.write("l.pic", vec![7]).await;
        assert_eq!(std::fs::read(&secret).unwrap(), b"not yours");
        // A linked cache folder is not used at all.
        let linked = dir.path().join("linked");
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), &linked).unwrap();
        std::fs::create_dir(dir.path().join("elsewhere")).unwrap();
        Cache::new(linked, 1 << 20).write("y.pic", vec![1]).await;
        assert!(!dir.path().join("elsewhere/y.pic").exists());
    }

    #[test]
    fn hostile_bytes_give_short_reasons() {
        assert_eq!(
            decode(b"<!DOCTYPE html><html></html>").unwrap_err(),
            "not an image (text/html)"
        );
        assert_eq!(decode(b"{\"error\":1}").unwrap_err(), "not an image (JSON)");
        assert_eq!(decode(b"").unwrap_err(), "not an image (empty)");
    }
}
