//! The local history: every generation submitted with this program (its prompt and exact
//! settings, its ids, when it was submitted and finished, where it came from), every draft
//! seen in the Drafts list, and every file downloaded (path, size, SHA-256). Kept in
//! `history.json` in the data dir, so a draft the service forgot is still found, re-run and
//! placed in its remix chain.
//!
//! This module is the record and its pure rules (shared by the worker, which writes it, the
//! UI, which searches it, and any reader such as an archive): [`HistoryEntry`], how two
//! versions of one entry merge ([`HistoryEntry::absorb`]), how a list takes new facts
//! ([`merge`]) and how it is bounded ([`bound`], [`MAX_ENTRIES`]). No I/O.
//!
//! One entry per generation request: keyed by its task id when known (a submission, or a
//! draft that names its task), else by the draft's generation id ([`key_for`]). A draft of a
//! submission therefore lands in the submission's entry: the exact settings and the
//! service's view of the result stay together.

use serde::{Deserialize, Serialize};

use crate::api::{Draft, ImageShape, VideoSettings, valid_id};

/// The file in the data dir (a record list, scoped to the backend like `tasks.json`).
pub const HISTORY_FILE: &str = "history.json";

/// The most entries kept. Past it, the entries touched longest ago ([`HistoryEntry::updated_at`])
/// are dropped at the next write ([`bound`]). 20 000 entries of a few hundred bytes each keep
/// the file under about 10 MB, well inside the store's document limit
/// (`store::MAX_DOCUMENT`), and its rewrite (only when something changed) short.
pub const MAX_ENTRIES: usize = 20_000;

/// The longest text kept in one field (a prompt, a title, a storyboard's text): far above
/// what the service accepts, so a hostile draft cannot make the file huge.
pub const MAX_TEXT: usize = 16 * 1024;

/// What kind of generation an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A video (text, image or remix), or a draft listed as a video.
    #[default]
    Video,
    /// A storyboard submission.
    Storyboard,
    /// An image generation.
    Image,
}

/// Where a submission came from when it was a re-run of an earlier generation: what the
/// Tasks details show as "origin".
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Origin {
    /// The draft it was re-run from (`gen_…`), if from a draft.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gen_id: Option<String>,
    /// The task it was re-run from (`task_…`), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
}

impl Origin {
    /// `gen_… (task_…)`, `gen_…` or `task_…`, for the details panels.
    pub fn describe(&self) -> String {
        match (&self.gen_id, &self.task_id) {
            (Some(g), Some(t)) => format!("{g} ({t})"),
            (Some(g), None) => g.clone(),
            (None, Some(t)) => t.clone(),
            (None, None) => "?".into(),
        }
    }
}

/// The settings a submission was sent with, exactly: what a re-run loads back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SentSettings {
    /// Text/image-to-video, or a remix.
    Video {
        /// Orientation, length, model, size.
        video: VideoSettings,
        /// The remix target as sent (a post id), if a remix.
        #[serde(default)]
        remix: Option<String>,
        /// The input image's path, if one was uploaded.
        #[serde(default)]
        image: Option<String>,
    },
    /// An image generation.
    Image {
        /// Square, landscape, portrait.
        shape: ImageShape,
        /// 1-4.
        variants: u32,
        /// The input image's path, if one was uploaded.
        #[serde(default)]
        image: Option<String>,
    },
    /// A storyboard; the entry's prompt is its exact text.
    Storyboard {
        /// Orientation, length, model, size.
        video: VideoSettings,
        /// The storyboard file's name it was sent from, if it had one.
        #[serde(default)]
        file: Option<String>,
    },
}

impl SentSettings {
    /// One line for the details panels: `video · landscape · 10 s · Sora 2 · standard ·
    /// remix of s_…`, `image · square · 2 variants`, `storyboard · … · from cat adventure`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        match self {
            SentSettings::Video {
                video,
                remix,
                image,
            } => {
                parts.push(format!("video · {}", video.summary()));
                parts.extend(remix.as_ref().map(|r| format!("remix of {r}")));
                parts.extend(image.as_ref().map(|i| format!("image {i}")));
            }
            SentSettings::Image {
                shape,
                variants,
                image,
            } => {
                let plural = if *variants == 1 { "" } else { "s" };
                parts.push(format!(
                    "image · {} · {variants} variant{plural}",
                    shape.name()
                ));
                parts.extend(image.as_ref().map(|i| format!("from {i}")));
            }
            SentSettings::Storyboard { video, file } => {
                parts.push(format!("storyboard · {}", video.summary()));
                parts.extend(file.as_ref().map(|f| format!("from {f}")));
            }
        }
        parts.join(" · ")
    }
}

/// What this program sent: only on entries of submissions made here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sent {
    /// The prompt exactly as sent (the storyboard text for storyboards).
    pub prompt: String,
    /// The settings exactly as sent.
    pub settings: SentSettings,
    /// The cameos the prompt mentions (`@name`), in order, each once.
    #[serde(default)]
    pub cameos: Vec<String>,
    /// Which earlier generation it re-ran, if it was a re-run.
    #[serde(default)]
    pub origin: Option<Origin>,
}

/// A file downloaded for an entry's generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Download {
    /// The generation it is the file of.
    pub gen_id: String,
    /// Where it was saved.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its SHA-256, lower-case hex.
    pub sha256: String,
    /// Whether it is the copy without the watermark.
    #[serde(default)]
    pub clean: bool,
    /// When it was saved, unix seconds.
    pub at: f64,
}

/// One generation request in the history. Every field but `key` may be unknown; facts only
/// accumulate (see [`HistoryEntry::absorb`]), so an entry survives the service forgetting
/// its draft.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// `task_…` when the task is known, else the draft's `gen_…` ([`key_for`]).
    pub key: String,
    /// Video, storyboard or image.
    #[serde(default)]
    pub kind: EntryKind,
    /// What this program sent, if it submitted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent: Option<Sent>,
    /// `task_…`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    /// The generations it made (one draft for a video, the variants of an image).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub generation_ids: Vec<String>,
    /// The prompt as the service lists it (the sent prompt for submissions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// The service's title of the draft.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<f64>,
    /// Pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<f64>,
    /// Seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_s: Option<f64>,
    /// The post it was published as (`s_…`), last known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_id: Option<String>,
    /// The post it remixed (`s_…`): the service's `creation_config.remix_target_post`, or
    /// the remix target this program sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remix_of: Option<String>,
    /// The draft it extends (`gen_…`): what this program sent, or the service's
    /// `creation_config.extension_source`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_of: Option<String>,
    /// Files downloaded of its generations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub downloads: Vec<Download>,
    /// When this program submitted it, unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<f64>,
    /// When its task finished, unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<f64>,
    /// When its draft was first seen in the Drafts list, unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen_at: Option<f64>,
    /// When a fact was last added, unix seconds: what [`bound`] drops by.
    #[serde(default)]
    pub updated_at: f64,
}

/// History entries are keyed by [`HistoryEntry::key`] in `history.json`.
impl crate::store::Keyed for HistoryEntry {
    fn key(&self) -> &str {
        &self.key
    }
}

/// The key of a generation's entry: its task id when it is a valid id, else its generation
/// id.
pub fn key_for(task_id: Option<&str>, gen_id: &str) -> String {
    match task_id.filter(|t| valid_id(t)) {
        Some(t) => t.to_string(),
        None => gen_id.to_string(),
    }
}

/// A text cut to [`MAX_TEXT`] bytes at a character boundary.
fn capped(text: &str) -> String {
    let mut end = text.len().min(MAX_TEXT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// The `@name` cameo mentions of a prompt, in order, each once (what a cameo's handle looks
/// like: letters, digits, `.`, `_`, `-`).
pub fn mentions(prompt: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = prompt;
    while let Some(at) = rest.find('@') {
        let before = rest[..at].chars().last();
        rest = &rest[at + 1..];
        if before.is_some_and(|c| c.is_alphanumeric()) {
            continue; // an e-mail address, not a mention
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            .collect();
        let name = name.trim_end_matches('.').to_string();
        if !name.is_empty() && !out.contains(&name) && out.len() < 32 {
            out.push(name);
        }
    }
    out
}

/// The entry for a draft as the service lists it; `None` when its generation id is not an
/// id. Image results (`app::drafts::IMAGE_KIND`) are images, everything else a video.
pub fn from_draft(draft: &Draft) -> Option<HistoryEntry> {
    let gen_id = draft.gen_id().filter(|g| valid_id(g))?;
    let task_id = draft.task_id.as_deref().filter(|t| valid_id(t));
    let kind = if draft.kind.as_deref() == Some("image") {
        EntryKind::Image
    } else {
        EntryKind::Video
    };
    let text = |s: &Option<String>| s.as_deref().filter(|s| !s.is_empty()).map(capped);
    Some(HistoryEntry {
        key: key_for(task_id, gen_id),
        kind,
        task_id: task_id.map(str::to_owned),
        generation_ids: vec![gen_id.to_string()],
        prompt: text(&draft.prompt),
        title: text(&draft.title),
        width: draft.width.filter(|n| n.is_finite()),
        height: draft.height.filter(|n| n.is_finite()),
        duration_s: draft.duration_s.filter(|n| n.is_finite()),
        post_id: draft.published_post_id().filter(|p| valid_id(p)),
        remix_of: draft.remix_parent().filter(|p| valid_id(p)),
        extension_of: draft.extension_parent().filter(|p| valid_id(p)),
        ..HistoryEntry::default()
    })
}

impl HistoryEntry {
    /// Adds the facts of `newer` (another version of the same entry): what it knows and this
    /// one does not is taken, a newer value replaces an older one (prompt, title, sizes,
    /// post), what was sent is never replaced, lists are joined without repeats, the first
    /// submission and sighting and the last change are kept. Returns whether anything
    /// changed (then `updated_at` is the later of the two).
    pub fn absorb(&mut self, newer: &HistoryEntry) -> bool {
        let before = self.clone();
        if self.sent.is_none() {
            self.sent = newer.sent.clone();
            if newer.sent.is_some() {
                self.kind = newer.kind;
            }
        }
        if self.task_id.is_none() {
            self.task_id = newer.task_id.clone();
        }
        for g in &newer.generation_ids {
            if !self.generation_ids.contains(g) {
                self.generation_ids.push(g.clone());
            }
        }
        fn take<T: Clone>(mine: &mut Option<T>, theirs: &Option<T>) {
            if theirs.is_some() {
                mine.clone_from(theirs);
            }
        }
        take(&mut self.prompt, &newer.prompt);
        take(&mut self.title, &newer.title);
        take(&mut self.width, &newer.width);
        take(&mut self.height, &newer.height);
        take(&mut self.duration_s, &newer.duration_s);
        take(&mut self.post_id, &newer.post_id);
        take(&mut self.remix_of, &newer.remix_of);
        take(&mut self.extension_of, &newer.extension_of);
        take(&mut self.finished_at, &newer.finished_at);
        for d in &newer.downloads {
            match self.downloads.iter_mut().find(|m| m.path == d.path) {
                Some(m) => m.clone_from(d),
                None => self.downloads.push(d.clone()),
            }
        }
        let earliest = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.submitted_at = earliest(self.submitted_at, newer.submitted_at);
        self.seen_at = earliest(self.seen_at, newer.seen_at);
        let changed = *self
            != HistoryEntry {
                updated_at: self.updated_at,
                ..before
            };
        if changed {
            self.updated_at = self.updated_at.max(newer.updated_at);
        }
        changed
    }

    /// Whether it holds the generation `gen_id`.
    pub fn has_generation(&self, gen_id: &str) -> bool {
        self.generation_ids.iter().any(|g| g == gen_id)
    }

    /// The prompt to show and search: as sent, else as listed, else the title.
    pub fn shown_prompt(&self) -> &str {
        self.sent
            .as_ref()
            .map(|s| s.prompt.as_str())
            .or(self.prompt.as_deref())
            .or(self.title.as_deref())
            .unwrap_or("")
    }

    /// Whether every word of `query` (case-insensitive) is in its prompt, title or ids: the
    /// Drafts filter's test for entries the list no longer shows.
    pub fn matches(&self, query: &str) -> bool {
        let mut hay = String::new();
        for part in [
            Some(self.shown_prompt()),
            self.title.as_deref(),
            Some(self.key.as_str()),
            self.post_id.as_deref(),
            self.remix_of.as_deref(),
            self.extension_of.as_deref(),
        ]
        .into_iter()
        .flatten()
        {
            hay.push_str(&part.to_lowercase());
            hay.push('\n');
        }
        for g in &self.generation_ids {
            hay.push_str(&g.to_lowercase());
            hay.push('\n');
        }
        query
            .split_whitespace()
            .all(|w| hay.contains(&w.to_lowercase()))
    }
}

/// Merges `incoming` into `records` by key: an entry with a known key absorbs the new one
/// ([`HistoryEntry::absorb`]), a new key goes to the top. Returns the keys that changed.
/// The one rule, used on the file's contents under its lock and on the UI's copy.
pub fn merge(records: &mut Vec<HistoryEntry>, incoming: &[HistoryEntry]) -> Vec<String> {
    let mut at: std::collections::HashMap<String, usize> = records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.key.clone(), i))
        .collect();
    let mut changed = Vec::new();
    let mut fresh: Vec<HistoryEntry> = Vec::new();
    for entry in incoming.iter().filter(|e| !e.key.is_empty()) {
        let did = match at.get(&entry.key) {
            Some(&i) if i < records.len() => records[i].absorb(entry),
            Some(&i) => fresh[i - records.len()].absorb(entry),
            None => {
                at.insert(entry.key.clone(), records.len() + fresh.len());
                fresh.push(entry.clone());
                true
            }
        };
        if did && !changed.contains(&entry.key) {
            changed.push(entry.key.clone());
        }
    }
    if !fresh.is_empty() {
        fresh.reverse();
        records.splice(0..0, fresh);
    }
    changed
}

/// Keeps at most [`MAX_ENTRIES`]: the ones touched longest ago go first (the list's order
/// otherwise stays). Returns how many were dropped.
pub fn bound(records: &mut Vec<HistoryEntry>) -> usize {
    if records.len() <= MAX_ENTRIES {
        return 0;
    }
    let excess = records.len() - MAX_ENTRIES;
    let mut by_age: Vec<(f64, usize)> = records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.updated_at, i))
        .collect();
    by_age.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    let drop: std::collections::HashSet<usize> = by_age[..excess].iter().map(|p| p.1).collect();
    let mut i = 0;
    records.retain(|_| {
        let keep = !drop.contains(&i);
        i += 1;
        keep
    });
    excess
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(key: &str, gen_id: &str, at: f64) -> HistoryEntry {
        HistoryEntry {
            key: key.into(),
            generation_ids: vec![gen_id.into()],
            seen_at: Some(at),
            updated_at: at,
            ..HistoryEntry::default()
        }
    }

    #[test]
    fn sent_settings_read_as_one_plain_line() {
        let video = crate::api::VideoSettings::default();
        let remix = SentSettings::Video {
            video,
            remix: Some("s_1".into()),
            image: None,
        };
        assert_eq!(
            remix.summary(),
            format!("video · {} · remix of s_1", video.summary())
        );
        let image = SentSettings::Image {
            shape: ImageShape::Square,
            variants: 2,
            image: None,
        };
        assert_eq!(image.summary(), "image · square · 2 variants");
        let board = SentSettings::Storyboard {
            video,
            file: Some("cat adventure".into()),
        };
        assert_eq!(
            board.summary(),
            format!("storyboard · {} · from cat adventure", video.summary())
        );
        assert!(!board.summary().contains('{'), "not the Debug form");
    }

    #[test]
    fn facts_accumulate_and_what_was_sent_stays() {
        let sent = Sent {
            prompt: "a cat".into(),
            settings: SentSettings::Image {
                shape: ImageShape::Square,
                variants: 2,
                image: None,
            },
            cameos: vec![],
            origin: None,
        };
        let mut mine = HistoryEntry {
            key: "task_1".into(),
            kind: EntryKind::Image,
            sent: Some(sent.clone()),
            submitted_at: Some(10.0),
            updated_at: 10.0,
            ..HistoryEntry::default()
        };
        let listed = HistoryEntry {
            post_id: Some("s_1".into()),
            submitted_at: Some(20.0),
            prompt: Some("a cat".into()),
            ..seen("task_1", "gen_a", 30.0)
        };
        assert!(mine.absorb(&listed));
        assert_eq!(mine.sent.as_ref(), Some(&sent));
        assert_eq!(mine.kind, EntryKind::Image);
        assert_eq!(mine.submitted_at, Some(10.0));
        assert_eq!(mine.seen_at, Some(30.0));
        assert_eq!(mine.post_id.as_deref(), Some("s_1"));
        assert_eq!(mine.updated_at, 30.0);
        // The same facts again change nothing.
        assert!(!mine.absorb(&listed));
        let second = seen("task_1", "gen_b", 40.0);
        assert!(mine.absorb(&second));
        assert_eq!(mine.generation_ids, vec!["gen_a", "gen_b"]);
        assert_eq!(mine.seen_at, Some(30.0));
    }

    #[test]
    fn merge_keeps_others_and_bound_drops_the_oldest() {
        let mut list = vec![seen("task_a", "gen_a", 1.0)];
        let changed = merge(
            &mut list,
            &[seen("task_b", "gen_b", 2.0), seen("task_a", "gen_a2", 3.0)],
        );
        assert_eq!(changed, vec!["task_b", "task_a"]);
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].key, "task_b");
        assert_eq!(list[1].generation_ids, vec!["gen_a", "gen_a2"]);
        let mut many: Vec<HistoryEntry> = (0..MAX_ENTRIES + 3)
            .map(|i| seen(&format!("task_{i}"), "g", i as f64))
            .collect();
        many.rotate_left(5);
        assert_eq!(bound(&mut many), 3);
        assert_eq!(many.len(), MAX_ENTRIES);
        for gone in ["task_0", "task_1", "task_2"] {
            assert!(many.iter().all(|e| e.key != gone), "{gone} dropped");
        }
    }

    #[test]
    fn mentions_and_search() {
        assert_eq!(
            mentions("@alice meets @bob.cat and @alice; mail x@y.z"),
            vec!["alice", "bob.cat"]
        );
        let e = HistoryEntry {
            prompt: Some("A Red Fox in snow".into()),
            ..seen("task_9", "gen_9", 1.0)
        };
        assert!(e.matches("fox RED"));
        assert!(e.matches("gen_9"));
        assert!(!e.matches("fox cat"));
    }
}
