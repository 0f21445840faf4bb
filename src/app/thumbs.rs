//! The pictures the UI shows (drafts' thumbnails, image results' variants, cameos' profile
//! pictures) as plain data: a bounded cache of decoded [`Picture`]s, the failures with their
//! reasons, what is in flight; and which pictures the screen wants, asked for once each, so
//! scrolling makes one request per new picture and an arriving picture one redraw.
//!
//! The pixels are decoded by the worker (`worker::thumbs`); turning them into a terminal
//! protocol (kitty, sixel, half-blocks) is the TUI loop's (`ui::pictures`), which keeps
//! those objects beside `App` because they are not plain data (docs/architecture.md).

use std::collections::{HashMap, HashSet};

use super::{App, Cmd, DraftRow, Pane};
use crate::worker::{Picture, PictureEvent, PictureKey, PictureRequest, PictureWanted, Request};

/// Decoded pictures kept at most: a full gallery page and its neighbours (a picture is at
/// most 320×320 RGBA, 400 KB, so the cache stays under some 25 MB).
pub const CAPACITY: usize = 64;
/// Failure reasons kept at most (a few words each).
pub const MAX_FAILED: usize = 1024;
/// Pictures asked for at once at most, below [`CAPACITY`] so what is on screen is never
/// evicted by what is asked for beside it (else a full screen would ask again forever).
pub const MAX_WANTED: usize = 48;
/// In the list with the details open: rows either side of the selection whose pictures are
/// fetched ahead, so moving by one shows the next picture at once.
pub const NEIGHBOURS: usize = 2;

/// The gallery's smallest cell: columns wide and rows high (a picture of 7 rows and the
/// title line under it, inside a border).
pub const CELL_WIDTH: u16 = 22;
/// See [`CELL_WIDTH`].
pub const CELL_HEIGHT: u16 = 9;
/// Most columns of the gallery, whatever the width (cells grow instead).
pub const MAX_COLUMNS: usize = 6;
/// Most rows of cells on screen, whatever the height (cells grow instead); with
/// [`MAX_COLUMNS`] it bounds the pictures on screen below [`MAX_WANTED`].
pub const MAX_GRID_ROWS: usize = 6;
/// Terminals at least this wide show the details beside the list or the gallery
/// (`ui/drafts.rs` lays it out; the app needs it to know how wide the gallery is).
pub const SIDE_BY_SIDE: u16 = 120;
/// Width of the details panel beside the list or the gallery (`ui/drafts.rs`).
pub const DETAILS_WIDTH: u16 = 66;

/// The pictures' state in `App`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Thumbs {
    /// Whether pictures are shown at all (`preview = "off"` clears it: no picture areas, no
    /// requests). Off until the TUI loop turns it on, so the headless paths and the tests
    /// that do not ask for pictures draw as before.
    pub enabled: bool,
    /// Decoded pictures with the stamp of their last use (least recently used goes first).
    ready: HashMap<PictureKey, (Picture, u64)>,
    /// The use counter behind the stamps.
    clock: u64,
    /// Why a picture cannot be shown, for its placeholder; not asked for again.
    failed: HashMap<PictureKey, String>,
    /// Asked for and not answered yet.
    in_flight: HashSet<PictureKey>,
}

/// What a picture's place on screen shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shown<'a> {
    /// The picture.
    Ready(&'a Picture),
    /// Asked for, or about to be: a placeholder saying so.
    Loading,
    /// It cannot be shown: the reason.
    Failed(&'a str),
    /// There is no picture to ask for (no link).
    Missing,
}

impl Thumbs {
    /// What to show for `key` (`None`: the draft or cameo has no picture link).
    pub fn shown(&self, key: Option<&PictureKey>) -> Shown<'_> {
        let Some(key) = key else {
            return Shown::Missing;
        };
        if let Some((p, _)) = self.ready.get(key) {
            Shown::Ready(p)
        } else if let Some(reason) = self.failed.get(key) {
            Shown::Failed(reason)
        } else {
            Shown::Loading
        }
    }

    /// The decoded picture for `key`, if it is in the cache.
    pub fn get(&self, key: &PictureKey) -> Option<&Picture> {
        self.ready.get(key).map(|(p, _)| p)
    }

    /// How many decoded pictures are kept.
    pub fn len(&self) -> usize {
        self.ready.len()
    }

    /// Whether no decoded picture is kept.
    pub fn is_empty(&self) -> bool {
        self.ready.is_empty()
    }

    /// Whether `key` was asked for and not answered yet.
    pub fn in_flight(&self, key: &PictureKey) -> bool {
        self.in_flight.contains(key)
    }

    /// Takes the worker's answer: the picture into the cache (evicting the least recently
    /// used beyond [`CAPACITY`]), or the reason it cannot be shown.
    pub fn on_event(&mut self, event: PictureEvent) {
        match event {
            PictureEvent::Ready { key, picture } => {
                self.in_flight.remove(&key);
                self.failed.remove(&key);
                self.clock += 1;
                self.ready.insert(key, (picture, self.clock));
                while self.ready.len() > CAPACITY {
                    let oldest = self
                        .ready
                        .iter()
                        .min_by_key(|(_, (_, stamp))| *stamp)
                        .map(|(k, _)| k.clone());
                    match oldest {
                        Some(k) => self.ready.remove(&k),
                        None => break,
                    };
                }
            }
            PictureEvent::Failed { key, reason } => {
                self.in_flight.remove(&key);
                if self.failed.len() >= MAX_FAILED {
                    self.failed.clear();
                }
                self.failed.insert(key, crate::text::sanitize(&reason, 200));
            }
        }
    }

    /// Forgets the failures, so a refresh asks for those pictures again.
    pub fn forget_failures(&mut self) {
        self.failed.clear();
    }

    /// Marks the pictures the screen wants as used and asks for those neither ready, failed
    /// nor in flight. Pictures in flight that are no longer wanted are cancelled first (the
    /// worker drops what it has not started; asking again for one it has is a no-op).
    /// Nothing is returned when everything wanted is known, so a redraw asks for nothing.
    pub fn want(&mut self, wanted: Vec<PictureWanted>) -> Vec<Cmd> {
        let mut cmds = Vec::new();
        let keys: HashSet<&PictureKey> = wanted.iter().map(|w| &w.key).collect();
        if self.in_flight.iter().any(|k| !keys.contains(k)) {
            cmds.push(Cmd::Worker(Request::Pictures(PictureRequest::Cancel)));
            self.in_flight.retain(|k| keys.contains(k));
        }
        let mut fetch = Vec::new();
        for w in wanted {
            if let Some((_, stamp)) = self.ready.get_mut(&w.key) {
                self.clock += 1;
                *stamp = self.clock;
            } else if !self.failed.contains_key(&w.key) && !self.in_flight.contains(&w.key) {
                self.in_flight.insert(w.key.clone());
                fetch.push(w);
            }
        }
        if !fetch.is_empty() {
            cmds.push(Cmd::Worker(Request::Pictures(PictureRequest::Fetch(fetch))));
        }
        cmds
    }
}

/// The picture of a Drafts row at `index`: a video draft's thumbnail, or an image result's
/// picture (keyed by its variant's place among its task's results), with its link.
pub fn row_picture(rows: &[DraftRow], index: usize) -> Option<PictureWanted> {
    let row = rows.get(index)?;
    if row.is_image() {
        let url = row.best_url()?.to_owned();
        Some(PictureWanted {
            key: PictureKey::Variant(row.gen_id.clone(), variant_index(rows, index)),
            url,
        })
    } else {
        let url = row.thumbnail_url()?.to_owned();
        Some(PictureWanted {
            key: PictureKey::Draft(row.gen_id.clone()),
            url,
        })
    }
}

/// The key of a Drafts row's picture (what [`row_picture`] would ask for).
pub fn row_key(rows: &[DraftRow], index: usize) -> Option<PictureKey> {
    row_picture(rows, index).map(|w| w.key)
}

/// An image result's place among its task's results: image rows of one task are listed
/// together (`app::drafts::image_rows`), so it is how many rows of the same task precede it.
pub fn variant_index(rows: &[DraftRow], index: usize) -> usize {
    let Some(task) = rows.get(index).and_then(|r| r.task_id()) else {
        return 0;
    };
    rows[..index]
        .iter()
        .rev()
        .take_while(|r| r.is_image() && r.task_id() == Some(task))
        .count()
}

/// The rows of the same image task as the row at `index` (the variants the details show),
/// as a range of indices; a video draft's is itself.
pub fn variants(rows: &[DraftRow], index: usize) -> std::ops::Range<usize> {
    let Some(row) = rows.get(index) else {
        return index..index;
    };
    if !row.is_image() {
        return index..index + 1;
    }
    let start = index - variant_index(rows, index);
    let task = row.task_id();
    let len = rows[start..]
        .iter()
        .take_while(|r| r.is_image() && r.task_id() == task)
        .count();
    start..start + len.max(1)
}

/// The gallery's grid for an area of this size: columns and rows of cells.
pub fn grid(width: u16, height: u16) -> (usize, usize) {
    let cols = usize::from(width / CELL_WIDTH).clamp(1, MAX_COLUMNS);
    let rows = usize::from(height / CELL_HEIGHT).clamp(1, MAX_GRID_ROWS);
    (cols, rows)
}

/// The gallery's grid as the app knows the screen: the terminal's width, the list's rows.
pub fn app_grid(app: &App) -> (usize, usize) {
    let mut width = app.screen_width.saturating_sub(2);
    if app.drafts.details && app.screen_width >= SIDE_BY_SIDE {
        width = width.saturating_sub(DETAILS_WIDTH);
    }
    // The gallery has the list's header row too; its footer stays.
    let height = u16::try_from(app.drafts_viewport + 1).unwrap_or(u16::MAX);
    grid(width, height)
}

/// The first visible row of the gallery that keeps the selected cell on screen, given the
/// last one shown.
pub fn gallery_top(selected: usize, top: usize, cols: usize, rows: usize, len: usize) -> usize {
    let cols = cols.max(1);
    let rows = rows.max(1);
    let sel_row = selected.min(len.saturating_sub(1)) / cols;
    let last_row = len.saturating_sub(1) / cols;
    let top = if sel_row < top {
        sel_row
    } else if sel_row >= top + rows {
        sel_row + 1 - rows
    } else {
        top
    };
    top.min(last_row.saturating_sub(rows - 1)).min(sel_row)
}

/// The new selection in the gallery after a movement: up and down by a row of the grid,
/// pages by a screen of rows, first and last.
pub fn gallery_step(
    cur: usize,
    len: usize,
    action: super::keymap::Action,
    cols: usize,
    rows: usize,
) -> usize {
    use super::keymap::Action as A;
    if len == 0 {
        return 0;
    }
    let cols = cols.max(1);
    let page = cols * rows.max(1);
    match action {
        A::Down if cur + cols < len => cur + cols,
        // The last row may be short: down from above it goes to its last cell.
        A::Down if cur / cols < (len - 1) / cols => len - 1,
        A::Down => cur,
        A::Up => cur.checked_sub(cols).unwrap_or(cur),
        A::PageDown => (cur + page).min(len - 1),
        A::PageUp => cur.saturating_sub(page),
        A::Top => 0,
        A::Bottom => len - 1,
        _ => cur.min(len - 1),
    }
}

/// The pictures the screen shows now plus a few beside them, in the order they matter:
/// the gallery's visible cells and a row either side; the selected draft's (or image task's)
/// in the details; the selected cameo's.
pub fn wanted(app: &App) -> Vec<PictureWanted> {
    let mut out: Vec<PictureWanted> = Vec::new();
    let push = |w: Option<PictureWanted>, out: &mut Vec<PictureWanted>| {
        if let Some(w) = w
            && out.len() < MAX_WANTED
            && !out.iter().any(|o| o.key == w.key)
        {
            out.push(w);
        }
    };
    match app.pane {
        Pane::Drafts if !app.drafts.rows.is_empty() => {
            let d = &app.drafts;
            let len = d.rows.len();
            let selected = d.selected.min(len - 1);
            let narrow_details = d.details && app.screen_width < SIDE_BY_SIDE;
            if d.details {
                for i in variants(&d.rows, selected) {
                    push(row_picture(&d.rows, i), &mut out);
                }
            }
            if d.gallery && !narrow_details {
                // The cells are the filter's positions (all rows without a filter).
                let (cols, rows) = app_grid(app);
                let f = &d.filter;
                let shown = f.len(len);
                let pos = f.position(d.selected).unwrap_or(0);
                let top = gallery_top(pos, d.gallery_top, cols, rows, shown);
                let first = top * cols;
                let end = ((top + rows) * cols).min(shown);
                // A row either side, below first: scrolling down is the common move.
                let below = end..(end + cols).min(shown);
                let above = first.saturating_sub(cols)..first;
                for p in (first..end).chain(below).chain(above) {
                    if let Some(i) = f.row_at(p).filter(|i| *i < len) {
                        push(row_picture(&d.rows, i), &mut out);
                    }
                }
            } else if d.details {
                let around = selected.saturating_sub(NEIGHBOURS)..(selected + NEIGHBOURS + 1);
                for i in around.filter(|i| *i < len) {
                    push(row_picture(&d.rows, i), &mut out);
                }
            }
        }
        Pane::Cameos if app.cameos.form.is_none() => {
            let c = &app.cameos;
            let selected = c.selected.min(c.rows.len().saturating_sub(1));
            let around = selected.saturating_sub(1)..selected + 2;
            for i in std::iter::once(selected).chain(around) {
                push(c.rows.get(i).and_then(cameo_picture), &mut out);
            }
        }
        _ => {}
    }
    out
}

/// A cameo's profile picture and its key (the server's cameo id, else the local key).
pub fn cameo_picture(row: &super::cameos::CameoRow) -> Option<PictureWanted> {
    let r = &row.record;
    let url = r.hints.as_ref()?.profile_asset_url.as_deref()?;
    if url.trim().is_empty() {
        return None;
    }
    Some(PictureWanted {
        key: cameo_key(row),
        url: url.to_owned(),
    })
}

/// The key of a cameo's profile picture.
pub fn cameo_key(row: &super::cameos::CameoRow) -> PictureKey {
    let r = &row.record;
    PictureKey::Cameo(r.cameo_id.clone().unwrap_or_else(|| r.key.clone()))
}

/// After every update: asks for the pictures the screen now wants and does not have
/// (nothing when pictures are off).
pub fn request(app: &mut App) -> Vec<Cmd> {
    if !app.thumbs.enabled {
        return Vec::new();
    }
    let wanted = wanted(app);
    app.thumbs.want(wanted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Draft;
    use crate::app::keymap::Action;
    use std::sync::Arc;

    fn picture(shade: u8) -> Picture {
        Picture {
            width: 2,
            height: 2,
            rgba: Arc::from(vec![shade; 16]),
        }
    }

    fn draft(i: usize) -> DraftRow {
        let mut d = Draft {
            id: Some(format!("gen_{i}")),
            downloadable_url: Some(format!("https://media.example/{i}.mp4")),
            prompt: Some(format!("draft {i}")),
            ..Draft::default()
        };
        d.encodings = Some(crate::api::types::Encodings {
            thumbnail: Some(crate::api::types::Encoding {
                path: Some(format!("https://media.example/{i}.webp")),
                ..Default::default()
            }),
            ..Default::default()
        });
        crate::app::drafts_row(d)
    }

    fn ready(key: PictureKey) -> PictureEvent {
        PictureEvent::Ready {
            key,
            picture: picture(1),
        }
    }

    fn fetched(cmds: &[Cmd]) -> Vec<PictureKey> {
        cmds.iter()
            .flat_map(|c| match c {
                Cmd::Worker(Request::Pictures(PictureRequest::Fetch(w))) => {
                    w.iter().map(|w| w.key.clone()).collect()
                }
                _ => Vec::new(),
            })
            .collect()
    }

    fn gallery_app(n: usize) -> App {
        let mut a = App::new(
            crate::app::AppInfo::default(),
            crate::app::Keymap::default(),
            crate::app::test_support::NOW,
        );
        a.thumbs.enabled = true;
        a.pane = Pane::Drafts;
        a.drafts.rows = (0..n).map(draft).collect();
        a.drafts.gallery = true;
        a.screen_width = 100; // 4 columns
        a.drafts_viewport = 26; // 3 rows
        a
    }

    #[test]
    fn the_cache_keeps_at_most_its_capacity_and_drops_the_least_recently_used() {
        let mut t = Thumbs::default();
        for i in 0..CAPACITY + 10 {
            t.on_event(ready(PictureKey::Draft(format!("gen_{i}"))));
            if i >= 1 {
                // gen_0 is used again after every arrival: it stays.
                t.want(vec![PictureWanted {
                    key: PictureKey::Draft("gen_0".into()),
                    url: String::new(),
                }]);
            }
        }
        assert_eq!(t.len(), CAPACITY);
        assert!(t.get(&PictureKey::Draft("gen_0".into())).is_some());
        assert!(t.get(&PictureKey::Draft("gen_1".into())).is_none());
        assert!(
            t.get(&PictureKey::Draft(format!("gen_{}", CAPACITY + 9)))
                .is_some()
        );
    }

    #[test]
    fn a_wanted_picture_is_asked_for_once_and_not_again_once_known() {
        let mut a = gallery_app(100);
        let first = request(&mut a);
        let keys = fetched(&first);
        // 4 × 3 visible, the row below: 16.
        assert_eq!(keys.len(), 16, "{keys:?}");
        assert_eq!(keys[0], PictureKey::Draft("gen_0".into()));
        assert!(keys.contains(&PictureKey::Draft("gen_15".into())));
        assert!(!keys.contains(&PictureKey::Draft("gen_16".into())));
        // In flight: nothing more.
        assert!(request(&mut a).is_empty());
        for k in keys {
            if k == PictureKey::Draft("gen_3".into()) {
                a.thumbs.on_event(PictureEvent::Failed {
                    key: k,
                    reason: "not an image".into(),
                });
            } else {
                a.thumbs.on_event(ready(k));
            }
        }
        // Ready or failed: nothing more (no redraw asks again, a failure is not retried).
        assert!(request(&mut a).is_empty());
        assert_eq!(
            a.thumbs.shown(Some(&PictureKey::Draft("gen_3".into()))),
            Shown::Failed("not an image")
        );
    }

    #[test]
    fn scrolling_cancels_what_went_off_screen_and_asks_only_for_the_new() {
        let mut a = gallery_app(10_000);
        let first = fetched(&request(&mut a));
        a.drafts.selected = 5_000;
        a.drafts.gallery_top = 0;
        let cmds = request(&mut a);
        assert!(matches!(
            cmds.first(),
            Some(Cmd::Worker(Request::Pictures(PictureRequest::Cancel)))
        ));
        let second = fetched(&cmds);
        assert!(second.iter().all(|k| !first.contains(k)));
        assert!(second.contains(&PictureKey::Draft("gen_5000".into())));
        assert!(second.len() <= MAX_WANTED);
    }

    #[test]
    fn nothing_is_asked_when_pictures_are_off_or_not_on_screen() {
        let mut a = gallery_app(10);
        a.thumbs.enabled = false;
        assert!(request(&mut a).is_empty());
        a.thumbs.enabled = true;
        a.drafts.gallery = false;
        // The list without the details shows no picture.
        assert!(request(&mut a).is_empty());
        a.drafts.details = true;
        a.drafts.selected = 5;
        let keys = fetched(&request(&mut a));
        assert_eq!(keys[0], PictureKey::Draft("gen_5".into()));
        assert_eq!(keys.len(), 1 + 2 * NEIGHBOURS);
        a.pane = Pane::Prompt;
        let cmds = request(&mut a);
        assert_eq!(
            cmds,
            vec![Cmd::Worker(Request::Pictures(PictureRequest::Cancel))]
        );
    }

    #[test]
    fn the_gallery_moves_by_rows_pages_and_ends() {
        let step = |cur, action| gallery_step(cur, 10, action, 4, 2);
        assert_eq!(step(1, Action::Down), 5);
        assert_eq!(step(5, Action::Down), 9);
        assert_eq!(step(9, Action::Down), 9);
        assert_eq!(step(5, Action::Up), 1);
        assert_eq!(step(1, Action::Up), 1);
        assert_eq!(step(0, Action::PageDown), 8);
        assert_eq!(step(9, Action::PageUp), 1);
        assert_eq!(step(4, Action::Bottom), 9);
        assert_eq!(step(4, Action::Top), 0);
        assert_eq!(gallery_top(9, 0, 4, 2, 10), 1);
        assert_eq!(gallery_top(0, 1, 4, 2, 10), 0);
        assert_eq!(gallery_top(5_000, 0, 4, 3, 10_000), 1248);
    }

    #[test]
    fn image_results_are_keyed_by_their_variant() {
        let tasks = vec![crate::track::TaskRecord {
            kind: crate::track::TaskKind::Image,
            phase: crate::track::TaskPhase::Done {
                generation_ids: vec!["gen_a".into(), "gen_b".into()],
                urls: vec![
                    "https://media.example/a.png".into(),
                    "https://media.example/b.png".into(),
                ],
            },
            task_id: "task_1".into(),
            prompt: "a fox".into(),
            settings: String::new(),
            submitted_at: 0.0,
            finished_at: None,
        }];
        let mut rows = crate::app::drafts::image_rows(&tasks);
        rows.push(draft(7));
        assert_eq!(
            row_key(&rows, 1),
            Some(PictureKey::Variant("gen_b".into(), 1))
        );
        assert_eq!(variants(&rows, 1), 0..2);
        assert_eq!(variants(&rows, 2), 2..3);
        assert_eq!(row_key(&rows, 2), Some(PictureKey::Draft("gen_7".into())));
    }
}
