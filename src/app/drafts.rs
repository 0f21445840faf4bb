//! The Drafts pane's part of `update`: the list of drafts (pages, the viewport, rows built
//! once on arrival), the actions on a draft (download, clean copy, publish, unpublish, copy
//! the link, open, remix) and the worker's answers to them (`DraftsEvent`). The pane's state
//! (`DraftsPane`, `DraftRow`) is in `state.rs`.

use crossterm::event::{KeyCode, KeyEvent};

use super::keymap::{Action, Context, DefaultBinding, Hint, KeySpec, hint, hint_when};
use super::prompt::save_prompt;
use super::state::DraftFacts;
use super::update::open_url;
use super::{
    App, Cmd, ConfirmAction, Connection, DownloadState, DraftRow, Loading, Modal, OpenTarget, Pane,
    one_line, toast, toast_error,
};
use crate::api::{Draft, DraftVerdict, DraftsPage, valid_id};
use crate::track::{TaskKind, TaskPhase};
use crate::worker::{DraftOp, DraftsEvent, DraftsRequest, PageStep, PageStop, Pager, Request};

/// Load the next drafts page when the selection is this close to the end.
const PAGE_AHEAD: usize = 10;

/// Keys the pane sees before the keymap: `Esc` closes the details. `None` lets the keymap
/// have the key.
pub fn on_key(app: &mut App, key: KeyEvent) -> Option<Vec<Cmd>> {
    if key.code == KeyCode::Esc && app.drafts.details {
        app.drafts.details = false;
        return Some(Vec::new());
    }
    // In the gallery, left and right move by one cell (the list has no use for them).
    // A filtered gallery moves through the matches: positions, not row indices.
    if app.drafts.gallery && key.modifiers.is_empty() && !app.drafts.rows.is_empty() {
        let d = &mut app.drafts;
        let len = d.filter.len(d.rows.len());
        if len == 0 {
            return None;
        }
        let pos = d.filter.position(d.selected).unwrap_or(0);
        let next = match key.code {
            KeyCode::Left | KeyCode::Char('h') => pos.saturating_sub(1),
            KeyCode::Right | KeyCode::Char('l') => (pos + 1).min(len - 1),
            _ => return None,
        };
        d.selected = d.filter.row_at(next).unwrap_or(d.selected);
        keep_visible(app);
        return Some(maybe_load_more(app));
    }
    None
}

/// The Drafts pane's own key actions (inside `Action::Drafts`). Their `[keys]` names are the
/// snake_case of the variant without a pane prefix (`download`, `publish`), as they always
/// were. Moving the selection and `Details` are shared with the Tasks pane and stay in
/// `Action`.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumMessage,
)]
#[strum(serialize_all = "snake_case")]
pub enum DraftsAction {
    /// Download the selected draft.
    #[default]
    #[strum(message = "download")]
    Download,
    /// Download the selected draft without the watermark (publish, read, delete the post).
    #[strum(message = "no-watermark copy")]
    DownloadClean,
    /// Publish the selected draft.
    #[strum(message = "publish")]
    Publish,
    /// Unpublish the selected draft (confirm).
    #[strum(message = "unpublish")]
    Unpublish,
    /// Copy the share link (OSC 52).
    #[strum(message = "copy link")]
    CopyLink,
    /// Open in the system player.
    #[strum(message = "open in player")]
    Open,
    /// Use the selected draft as the remix target.
    #[strum(message = "remix")]
    Remix,
    /// Reload the list.
    #[strum(message = "refresh")]
    Refresh,
    /// Show the drafts as a gallery of thumbnails, or as the list again.
    #[strum(message = "gallery / list")]
    Gallery,
    /// Archive the whole account (drafts, posts, images, cameos) into the download dir's
    /// `archive` folder, as `sora-tui archive` does (confirm).
    #[strum(message = "archive the account")]
    Archive,
    /// Load the selected draft's prompt and settings into the Prompt pane to run again.
    #[strum(message = "re-run / branch")]
    Rerun,
    /// Select the draft the selected one remixed (from the history's lineage).
    #[strum(message = "go to remix parent")]
    LineageParent,
    /// Select a remix of the selected draft; again on the same draft, the next one.
    #[strum(message = "go to next remix child")]
    LineageChild,
    /// Make a cameo from the selected draft: a clip form, then the Cameos pane's flow.
    #[strum(message = "cameo from this draft")]
    CameoFromDraft,
    /// Continue the selected draft by 10 or 15 s: opens the extend form.
    #[strum(message = "extend by 10/15 s")]
    Extend,
}

fn have_rows(app: &App) -> bool {
    app.pane == Pane::Drafts && !app.drafts.rows.is_empty()
}

/// Whether the selected draft is a remix the history knows (`[` goes to its parent).
fn has_parent(app: &App) -> bool {
    app.pane == Pane::Drafts
        && app
            .drafts
            .rows
            .get(app.drafts.selected)
            .is_some_and(|r| super::history::lineage(app, r).parent_post.is_some())
}

/// Whether the history knows remixes of the selected draft (`]` goes to them).
fn has_children(app: &App) -> bool {
    app.pane == Pane::Drafts
        && app
            .drafts
            .rows
            .get(app.drafts.selected)
            .is_some_and(|r| !super::history::children(app, r).is_empty())
}

/// The pane's default bindings with their status hints, in the order help lists them (after
/// the Tasks pane's, before the Storyboard's: `keymap::default_table`).
pub fn default_bindings() -> Vec<DefaultBinding> {
    use DraftsAction::*;
    let k = KeySpec::ch;
    let table: Vec<(KeySpec, DraftsAction, Option<Hint>)> = vec![
        (k('w'), Download, hint_when(have_rows, "download")),
        (k('W'), DownloadClean, None),
        (k('p'), Publish, hint_when(have_rows, "publish")),
        (k('u'), Unpublish, hint_when(have_rows, "unpublish")),
        (k('d'), Unpublish, None),
        (k('y'), CopyLink, hint_when(have_rows, "copy link")),
        (k('o'), Open, hint_when(have_rows, "open")),
        (k('x'), Remix, hint_when(have_rows, "remix")),
        (k('R'), Rerun, None),
        (k('['), LineageParent, hint_when(has_parent, "parent")),
        (k(']'), LineageChild, hint_when(has_children, "remixes")),
        (k('r'), Refresh, hint("refresh")),
        (k('t'), Gallery, None),
        (k('A'), Archive, None),
        (k('c'), CameoFromDraft, None),
        (k('e'), Extend, hint_when(have_rows, "extend")),
    ];
    table
        .into_iter()
        .map(|(key, action, hint)| (Context::Drafts, key, Action::Drafts(action), hint))
        .collect()
}

/// The Drafts pane's own actions (moving the selection is shared: `update`; `Details` is
/// `toggle_details`). All but `Refresh` act on the selected draft (`draft_action`).
pub fn on_action(app: &mut App, action: DraftsAction) -> Vec<Cmd> {
    match action {
        DraftsAction::Gallery => {
            app.drafts.gallery = !app.drafts.gallery;
            keep_visible(app);
            Vec::new()
        }
        DraftsAction::Refresh => {
            app.thumbs.forget_failures();
            app.drafts.loading = Loading::Loading;
            app.drafts.loading_more = false;
            vec![Cmd::Worker(Request::Drafts(DraftsRequest::LoadDrafts {
                cursor: None,
            }))]
        }
        DraftsAction::Archive => ask_archive(app),
        _ if app.drafts.selected >= app.drafts.rows.len() && !app.drafts.unlisted.is_empty() => {
            // A "not listed" row: the service does not list it, so nothing can act on it.
            toast(
                app,
                "not listed: the service's list does not hold this draft, only the history does (Esc clears the filter)",
            );
            Vec::new()
        }
        other => draft_action(app, other),
    }
}

/// `A`: asks to archive the account into the download dir's `archive` folder, unless an
/// archive is already running (then says so and asks nothing).
fn ask_archive(app: &mut App) -> Vec<Cmd> {
    if app.drafts.archive.is_some() {
        toast(app, "an archive is already running");
        return Vec::new();
    }
    let dir = app.info.download_dir.join("archive");
    app.modal = Some(Modal::Confirm {
        question: format!(
            "Archive the whole account into {}? y/n",
            one_line(&dir.display().to_string(), 120)
        ),
        action: ConfirmAction::Archive { dir },
    });
    Vec::new()
}

/// The confirmed archive: marks it running (the status bar shows it) and asks the worker.
pub fn on_confirm_archive(app: &mut App, dir: std::path::PathBuf) -> Vec<Cmd> {
    if app.drafts.archive.is_some() {
        toast(app, "an archive is already running");
        return Vec::new();
    }
    app.drafts.archive = Some(crate::archive::Progress::default());
    vec![Cmd::Worker(Request::Drafts(DraftsRequest::Archive { dir }))]
}

/// The status bar's words for a running archive: `archive 120/412 · 3 failed`.
pub fn archive_text(p: &crate::archive::Progress) -> String {
    let mut text = if p.total == 0 {
        "archive: listing…".to_string()
    } else {
        format!("archive {}/{}", p.done, p.total)
    };
    if p.failed > 0 {
        text.push_str(&format!(" · {} failed", p.failed));
    }
    text
}

/// `Details` in the Drafts pane: shows or hides the selected draft's details.
pub fn toggle_details(app: &mut App) -> Vec<Cmd> {
    if !app.drafts.rows.is_empty() {
        app.drafts.details = !app.drafts.details;
    }
    Vec::new()
}

/// The confirmed unpublishing of a draft's post.
pub fn on_confirm(app: &mut App, gen_id: String, post_id: String) -> Vec<Cmd> {
    app.drafts.busy.insert(gen_id.clone(), DraftOp::Unpublish);
    vec![Cmd::Worker(Request::Drafts(DraftsRequest::Unpublish {
        post_id,
        gen_id,
    }))]
}

/// Keeps the selected draft inside the rows the pane shows (after a move, a resize, rows
/// added above it). With a filter, `offset` counts the matches shown, not all rows.
pub(super) fn keep_visible(app: &mut App) {
    let d = &mut app.drafts;
    let rows = app.drafts_viewport.max(1);
    d.selected = d
        .selected
        .min((d.rows.len() + d.unlisted.len()).saturating_sub(1));
    let len = d.filter.len(d.rows.len());
    let pos = d.filter.position(d.selected).unwrap_or(0);
    if pos < d.offset {
        d.offset = pos;
    } else if pos >= d.offset + rows {
        d.offset = pos + 1 - rows;
    }
    d.offset = d.offset.min(len.saturating_sub(1));
    let (cols, rows) = super::thumbs::app_grid(app);
    let d = &mut app.drafts;
    d.gallery_top = super::thumbs::gallery_top(pos, d.gallery_top, cols, rows, len);
}

/// `/` in the Drafts pane: opens the filter line over the loaded rows.
pub(super) fn open_filter(app: &mut App) -> Vec<Cmd> {
    let was_active = app.drafts.filter.is_active();
    app.drafts.filter.open();
    if !was_active {
        refilter(app);
    }
    Vec::new()
}

/// A key for the Drafts pane's filter (every key while it is typed; `Esc` when kept).
pub(super) fn filter_key(app: &mut App, key: KeyEvent) -> Vec<Cmd> {
    use super::filter::FilterKey;
    match app.drafts.filter.key(&key) {
        FilterKey::Edited | FilterKey::Cleared => {
            // The history rows follow the query: the filter's rows are handed again only
            // when the set of matching entries changed (it rarely does keystroke by keystroke).
            // Most queries match no history entry at all: that is checked without the list.
            let query = app.drafts.filter.query();
            let wanted: Vec<&str> = if app.history.entries.iter().any(|e| e.matches(query)) {
                super::history::unlisted_matches(app, query)
                    .into_iter()
                    .map(|e| e.key.as_str())
                    .collect()
            } else {
                Vec::new()
            };
            let have: Vec<&str> = app.drafts.unlisted.iter().map(|e| e.key.as_str()).collect();
            let changed = wanted != have;
            if !app.drafts.filter.is_active() {
                app.drafts.unlisted.clear();
            } else if changed {
                refilter(app);
            }
            let d = &mut app.drafts;
            d.selected = d.filter.keep_selection(d.selected);
            keep_visible(app);
        }
        FilterKey::Kept | FilterKey::Ignored => {}
    }
    Vec::new()
}

/// Hands the rows' texts to the filter again after the rows changed (a page arrived, a
/// draft was published): the title the list draws (sanitised when the draft arrived, so
/// highlight positions index what is drawn), then the ids it is known by. The selection
/// stays on its draft while that matches, else goes to the first match.
pub(crate) fn refilter(app: &mut App) {
    if !app.drafts.filter.is_active() {
        app.drafts.unlisted.clear();
        return;
    }
    // The history's entries the query finds that the list does not hold: "not listed" rows
    // after the loaded ones, found by their one-line prompt and their ids.
    let unlisted: Vec<crate::history::HistoryEntry> =
        super::history::unlisted_matches(app, app.drafts.filter.query())
            .into_iter()
            .cloned()
            .collect();
    let texts: Vec<(String, String)> = unlisted
        .iter()
        .map(|e| {
            let mut t = super::history::row_texts(e).into_iter();
            let first = t.next().unwrap_or_default();
            (first, t.collect::<Vec<_>>().join(" "))
        })
        .collect();
    let d = &mut app.drafts;
    d.unlisted = unlisted;
    let listed = d.rows.iter().map(|r| {
        [
            r.title(),
            r.gen_id.as_str(),
            r.post_id.as_deref().unwrap_or_default(),
            r.task_id().unwrap_or_default(),
        ]
    });
    let history = texts.iter().map(|(a, b)| [a.as_str(), b.as_str(), "", ""]);
    d.filter.set_rows(listed.chain(history));
    d.selected = d.filter.keep_selection(d.selected);
    keep_visible(app);
}

/// Asks for the next page when the selection comes near the end of what is loaded.
pub(super) fn maybe_load_more(app: &mut App) -> Vec<Cmd> {
    let d = &mut app.drafts;
    if app.pane == Pane::Drafts
        && !d.loading_more
        && d.loading == Loading::Loaded
        && d.filter.position(d.selected).unwrap_or(0) + PAGE_AHEAD >= d.filter.len(d.rows.len())
        && let Some(cursor) = d.next_cursor.clone()
    {
        d.loading_more = true;
        return vec![Cmd::Worker(Request::Drafts(DraftsRequest::LoadDrafts {
            cursor: Some(cursor),
        }))];
    }
    Vec::new()
}

/// The share link of a post, built only from a valid post id (else why there is none).
pub use crate::api::share_link;

/// Why `action` cannot be done on `row` because an id it needs is not an id (the row is
/// still listed, its id shown sanitised): downloads and publishing need the generation id;
/// unpublishing and remixing need the post id.
fn refused_id(row: &DraftRow, action: DraftsAction) -> Option<String> {
    use DraftsAction::*;
    // Which id each action needs: a `match`, so a new action is a compile error here until
    // it says. (Copying the link says why on its own: see `share_link`.)
    let (needs_gen, needs_post) = match action {
        Download | DownloadClean | Publish | Extend => (true, false),
        Unpublish | Remix => (false, true),
        CopyLink | Open | Refresh | Gallery | Rerun | Archive | LineageParent | LineageChild => {
            (false, false)
        }
        CameoFromDraft => (true, false),
    };
    if needs_gen && !valid_id(&row.gen_id) {
        return Some(format!(
            "refused: {}",
            crate::api::id::id_problem("generation", &row.gen_id)
        ));
    }
    match &row.post_id {
        Some(post) if needs_post && !valid_id(post) => Some(format!(
            "refused: {}",
            crate::api::id::id_problem("post", post)
        )),
        _ => None,
    }
}

fn draft_action(app: &mut App, action: DraftsAction) -> Vec<Cmd> {
    let Some(row) = app.drafts.rows.get(app.drafts.selected).cloned() else {
        return Vec::new();
    };
    let gen_id = row.gen_id.clone();
    if let Some(why) = refused_id(&row, action) {
        toast_error(app, why);
        return Vec::new();
    }
    match action {
        DraftsAction::CameoFromDraft => super::draft_cameo::open(app, &row),
        DraftsAction::Download | DraftsAction::DownloadClean => download(app, &row, action),
        DraftsAction::Publish
        | DraftsAction::Unpublish
        | DraftsAction::Remix
        | DraftsAction::CopyLink
            if row.is_image() =>
        {
            toast(
                app,
                "an image result is not a video draft: it can be downloaded (w) or opened (o)",
            );
            Vec::new()
        }
        DraftsAction::Publish => {
            if let Some(post) = &row.post_id {
                match share_link(&app.info.share_origin, post) {
                    Ok(link) => toast(app, format!("already published: {link}")),
                    Err(why) => toast_error(app, format!("already published; {why}")),
                }
                return Vec::new();
            }
            if row.is_blocked() {
                toast_error(
                    app,
                    "a draft blocked by the content policy cannot be published",
                );
                return Vec::new();
            }
            app.drafts.busy.insert(gen_id.clone(), DraftOp::Publish);
            vec![Cmd::Worker(Request::Drafts(DraftsRequest::Publish {
                gen_id,
            }))]
        }
        DraftsAction::Unpublish => {
            let Some(post_id) = row.post_id.clone() else {
                toast(app, "this draft is not published");
                return Vec::new();
            };
            app.modal = Some(Modal::Confirm {
                question: format!("Unpublish {post_id}? Its share link stops working."),
                action: ConfirmAction::Unpublish { gen_id, post_id },
            });
            Vec::new()
        }
        DraftsAction::CopyLink => match row
            .post_id
            .as_deref()
            .map(|post| share_link(&app.info.share_origin, post))
        {
            // The loop says how the copy went once it has tried (`Msg::EffectDone`).
            Some(Ok(link)) => vec![Cmd::Copy(link)],
            Some(Err(why)) => {
                toast_error(app, why);
                Vec::new()
            }
            None => {
                toast(
                    app,
                    "not published: press p to publish; share links exist only for posts",
                );
                Vec::new()
            }
        },
        DraftsAction::Open => {
            // A file only from what the worker reported saved; anything else is the server's
            // link, checked before it reaches a player.
            if let Some(DownloadState::Done(path)) = app.drafts.downloads.get(&gen_id) {
                return vec![Cmd::Open(OpenTarget::File(path.clone()))];
            }
            match row.best_url() {
                Some(url) => open_url(app, url),
                None => {
                    toast(app, "this draft has no media yet");
                    Vec::new()
                }
            }
        }
        DraftsAction::Remix => match &row.post_id {
            Some(post) => {
                app.prompt.remix = post.clone();
                app.prompt.image_path.clear();
                app.prompt.image_mode = false;
                app.pane = Pane::Prompt;
                app.prompt.typing = true;
                toast(
                    app,
                    format!("remixing {post}: describe what to change, then Ctrl-S"),
                );
                vec![save_prompt(app)]
            }
            None => {
                toast(
                    app,
                    "a remix needs a published video: press p to publish it first",
                );
                Vec::new()
            }
        },
        DraftsAction::Rerun => super::history::rerun_draft(app),
        DraftsAction::LineageParent => super::history::jump_parent(app),
        DraftsAction::LineageChild => super::history::jump_child(app),
        DraftsAction::Extend => super::extend::open(app, &row),
        // Not a draft's action: `on_action` handles it.
        DraftsAction::Refresh | DraftsAction::Gallery | DraftsAction::Archive => Vec::new(),
    }
}

/// Starts the download (plain or clean copy) of the selected draft, unless it cannot have one
/// or already has one running.
fn download(app: &mut App, row: &DraftRow, action: DraftsAction) -> Vec<Cmd> {
    let gen_id = row.gen_id.clone();
    if row.best_url().is_none() {
        toast(
            app,
            "this draft has no media yet: refresh with r in a moment",
        );
        return Vec::new();
    }
    if matches!(
        app.drafts.downloads.get(&gen_id),
        Some(DownloadState::Running { .. })
    ) {
        toast(app, "already downloading");
        return Vec::new();
    }
    let clean = action == DraftsAction::DownloadClean;
    if clean && row.is_blocked() {
        toast_error(
            app,
            "a draft blocked by the content policy cannot be published for a clean copy",
        );
        return Vec::new();
    }
    app.drafts.downloads.insert(
        gen_id.clone(),
        DownloadState::Running {
            done: 0,
            total: None,
        },
    );
    // The worker names the file (from the sanitised id) and writes the sidecar from
    // the draft; the row knows the post id if the user published it.
    let draft = Box::new(row.draft());
    let dir = app.info.download_dir.clone();
    let request = if clean {
        Request::Drafts(DraftsRequest::SaveClean { draft, dir })
    } else {
        Request::Drafts(DraftsRequest::SaveDraft { draft, dir })
    };
    vec![Cmd::Worker(request)]
}

/// Clears the in-flight mark of `op` on one draft, and nothing else: the other drafts' marks
/// stay, and so does a mark this draft got for another operation since.
fn settle_draft_op(app: &mut App, gen_id: &str, op: DraftOp) {
    if app.drafts.busy.get(gen_id) == Some(&op) {
        app.drafts.busy.remove(gen_id);
    }
}

/// A worker event about drafts: pages, downloads and clean copies, publishing.
pub fn on_event(app: &mut App, event: DraftsEvent) -> Vec<Cmd> {
    match event {
        DraftsEvent::DraftsLoaded { page, first } => {
            let seen = super::history::seen(app, &page.items);
            loaded(app, page, first);
            return seen.into_iter().collect();
        }
        DraftsEvent::DraftsFailed(e) => {
            let msg = e.to_string();
            if app.drafts.loading_more {
                app.drafts.loading_more = false;
                toast_error(app, msg);
            } else {
                app.drafts.loading = Loading::Failed(msg);
            }
        }
        DraftsEvent::DownloadProgress {
            gen_id,
            done,
            total,
        } => {
            app.drafts
                .downloads
                .insert(gen_id, DownloadState::Running { done, total });
        }
        DraftsEvent::Downloaded { gen_id, path } => {
            app.drafts.stages.remove(&gen_id);
            toast(app, format!("saved {}", path.display()));
            let record = super::history::downloaded(app, &gen_id, &path, false);
            app.drafts
                .downloads
                .insert(gen_id, DownloadState::Done(path));
            return vec![record];
        }
        DraftsEvent::PostCopySaved {
            gen_id,
            path,
            verdict,
        } => {
            app.drafts.stages.remove(&gen_id);
            let message = verdict.message(&path);
            // Not clean is what the user did not ask for: said as loudly, and as long, as an
            // error, though a file was saved.
            if verdict.is_clean() {
                toast(app, message);
            } else {
                toast_error(app, message);
            }
            let record = super::history::downloaded(app, &gen_id, &path, verdict.is_clean());
            app.drafts
                .downloads
                .insert(gen_id, DownloadState::Done(path));
            return vec![record];
        }
        DraftsEvent::DownloadFailed { gen_id, error } => {
            app.drafts.stages.remove(&gen_id);
            let msg = error.to_string();
            toast_error(app, format!("download failed: {msg}"));
            app.drafts
                .downloads
                .insert(gen_id, DownloadState::Failed(msg));
        }
        DraftsEvent::DownloadStage { gen_id, stage } => {
            app.drafts.stages.insert(gen_id, stage);
        }
        DraftsEvent::TempPostDeleted { post_id } => {
            toast(app, format!("deleted the temporary post {post_id}"));
        }
        DraftsEvent::TempPostCleanupFailed { post_id, error, .. } => {
            let which = post_id.unwrap_or_else(|| "of a clean copy".into());
            toast_error(
                app,
                format!(
                    "could not delete the temporary post {which} (retried at the next start): {error}"
                ),
            );
        }
        DraftsEvent::Published { gen_id, post } => {
            settle_draft_op(app, &gen_id, DraftOp::Publish);
            let mut record = None;
            if let Some(row) = app.drafts.rows.iter_mut().find(|r| r.gen_id == gen_id) {
                row.post_id = Some(post.id.clone());
                record = Some(super::history::published(row, &post.id));
            }
            match post.share_link(&app.info.share_origin) {
                Ok(link) => toast(app, format!("published {link}: y copies the link")),
                Err(why) => toast_error(app, format!("published; {why}")),
            }
            return record.into_iter().collect();
        }
        DraftsEvent::Unpublished { gen_id, post_id } => {
            settle_draft_op(app, &gen_id, DraftOp::Unpublish);
            if let Some(row) = app.drafts.rows.iter_mut().find(|r| r.gen_id == gen_id) {
                row.post_id = None;
            }
            toast(app, format!("unpublished {post_id}"));
        }
        DraftsEvent::ActionFailed { op, gen_id, error } => {
            settle_draft_op(app, &gen_id, op);
            toast_error(app, op.failure(&gen_id, &error));
        }
        DraftsEvent::ArchiveProgress {
            done,
            total,
            failed,
            bytes,
        } => {
            // Only while this session's archive runs (a late event after the finish is dropped).
            if let Some(p) = app.drafts.archive.as_mut() {
                *p = crate::archive::Progress {
                    done,
                    total,
                    failed,
                    bytes,
                };
            }
        }
        DraftsEvent::ArchiveFinished {
            entries,
            new,
            skipped,
            failed,
            reasons,
            dir,
        } => {
            app.drafts.archive = None;
            let mut text = format!(
                "archived {entries}: {new} new, {skipped} skipped, {failed} failed → {}",
                one_line(&dir.display().to_string(), 120)
            );
            if let Some(first) = reasons.first() {
                text.push_str(&format!(" (first: {})", one_line(first, 160)));
            }
            if failed > 0 {
                toast_error(app, text);
            } else {
                toast(app, text);
            }
        }
        DraftsEvent::ArchiveFailed { error } => {
            // "already running" answers a second request: the running one keeps its mark.
            if !error.contains("already running") {
                app.drafts.archive = None;
            }
            toast_error(app, one_line(&error, 300));
        }
    }
    Vec::new()
}

/// A page of drafts arrived: the first replaces the list (keeping the selected draft
/// selected), the others append what is new.
fn loaded(app: &mut App, page: DraftsPage, first: bool) {
    let images = if first {
        image_rows(&app.tasks.tasks)
    } else {
        Vec::new()
    };
    let d = &mut app.drafts;
    // The server's cursors are followed through a pager that ends a walk that would
    // loop, so a repeated cursor cannot make the pane page forever near the end.
    if first {
        d.pager = Pager::new();
    }
    let (items, step) = d.pager.page(page.items, page.cursor);
    let rows = items.into_iter().map(drafts_row);
    if first {
        let keep = d.rows.get(d.selected).map(|r| r.gen_id.clone());
        d.rows = images;
        d.rows.extend(rows);
        d.selected = keep
            .and_then(|id| d.rows.iter().position(|r| r.gen_id == id))
            .unwrap_or(0);
    } else {
        let known: std::collections::HashSet<&str> =
            d.rows.iter().map(|r| r.gen_id.as_str()).collect();
        let fresh: Vec<DraftRow> = rows
            .filter(|r| !known.contains(r.gen_id.as_str()))
            .collect();
        d.rows.extend(fresh);
    }
    let stopped = match step {
        PageStep::Next(cursor) => {
            d.next_cursor = Some(cursor);
            None
        }
        PageStep::End => {
            d.next_cursor = None;
            None
        }
        PageStep::Stopped(why) => {
            d.next_cursor = None;
            // An empty last page is only an odd way to end; the rest are worth a word.
            (why != PageStop::EmptyPage).then(|| why.message(d.pager.pages()))
        }
    };
    d.loading = Loading::Loaded;
    d.loading_more = false;
    app.connection = Connection::Online;
    keep_visible(app);
    if let Some(message) = stopped {
        toast(app, message);
    }
}

/// Builds a draft's row, formatting its display strings once, when it arrives, and keeping
/// only what the pane uses of the draft (`DraftRow`), each string copied at its exact length
/// so the page it came from is freed whole.
pub fn drafts_row(draft: Draft) -> DraftRow {
    let gen_id = String::from(draft.gen_id().unwrap_or("?"));
    let shown = draft
        .prompt
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .or(draft.title.as_deref())
        .unwrap_or("(no prompt)");
    let title = one_line(shown, 200);
    let verdict = draft.verdict();
    let state = match verdict {
        DraftVerdict::Ready => "ready",
        DraftVerdict::Violation(_) => "blocked",
        DraftVerdict::NotReady => "not ready",
    };
    let post_id = draft.published_post_id().map(|p| String::from(p.as_str()));
    let facts = slim(&draft, verdict, &title);
    DraftRow {
        gen_id,
        state,
        post_id,
        facts,
    }
}

/// Rows for the results of finished image tasks. The API lists them only among the recent
/// tasks, never among the drafts, but the Drafts pane is where a user looks for results.
pub(super) fn image_rows(tasks: &[crate::track::TaskRecord]) -> Vec<DraftRow> {
    let mut rows = Vec::new();
    for t in tasks.iter().filter(|t| t.kind == TaskKind::Image) {
        let TaskPhase::Done {
            generation_ids,
            urls,
        } = &t.phase
        else {
            continue;
        };
        for (id, url) in generation_ids.iter().zip(urls) {
            let mut row = drafts_row(Draft {
                id: Some(id.clone()),
                task_id: Some(t.task_id.clone()),
                kind: Some(IMAGE_KIND.into()),
                downloadable_url: Some(url.clone()),
                prompt: Some(t.prompt.clone()),
                created_at: t.finished_at.or(Some(t.submitted_at)),
                ..Draft::default()
            });
            row.state = "image";
            rows.push(row);
        }
    }
    rows
}

/// A draft's thumbnail link (`encodings.thumbnail.path`), only when it is an http(s) URL:
/// on some versions the path is the blob store's internal name, not a link.
fn thumbnail_url(draft: &Draft) -> Option<&str> {
    let path = draft
        .encodings
        .as_ref()?
        .thumbnail
        .as_ref()?
        .path
        .as_deref()?;
    let scheme = path.split_once("://").map(|(scheme, _)| scheme)?;
    (scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http")).then_some(path)
}

/// The `kind` of rows made from image results (not a value the server uses).
pub const IMAGE_KIND: &str = "image";

/// Keeps only what the Drafts pane uses of a draft. A draft from the server carries a dozen
/// signed URLs (renditions, download variants) of which the pane needs one; with 10 000
/// drafts loaded the rest would be most of the program's memory.
fn slim(draft: &Draft, verdict: DraftVerdict, title: &str) -> DraftFacts {
    let duration = draft
        .duration_s
        .map(crate::text::duration)
        .unwrap_or_default();
    let reason = match verdict {
        DraftVerdict::Violation(reason) => Some(reason),
        _ => None,
    };
    // In `Field` order.
    DraftFacts::new(
        [
            Some(title),
            draft.kind.as_deref(),
            draft.task_id.as_deref(),
            draft.best_url(),
            reason.as_deref(),
            draft.prompt.as_deref(),
            draft.title.as_deref(),
            Some(&duration),
            thumbnail_url(draft),
        ],
        [
            draft.width,
            draft.height,
            draft.duration_s,
            draft.created_at,
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a row kept before it was compacted: the server's draft with only the fields the
    /// pane uses.
    fn reference(draft: &Draft) -> Draft {
        let reason = match draft.verdict() {
            DraftVerdict::Violation(reason) => Some(reason),
            _ => None,
        };
        Draft {
            id: draft.gen_id().map(str::to_owned),
            task_id: draft.task_id.clone(),
            kind: draft.kind.clone(),
            downloadable_url: draft.best_url().map(str::to_owned),
            reason_str: reason,
            width: draft.width,
            height: draft.height,
            duration_s: draft.duration_s,
            prompt: draft.prompt.clone(),
            title: draft.title.clone(),
            created_at: draft.created_at,
            post_id: draft.published_post_id(),
            ..Draft::default()
        }
    }

    #[test]
    fn a_compact_row_gives_back_every_field_it_kept() {
        let base = Draft {
            id: Some("gen_1".into()),
            task_id: Some("task_1".into()),
            kind: Some("sora_draft".into()),
            url: Some("https://m/stream.mp4".into()),
            downloadable_url: Some("https://m/full.mp4?sig=1".into()),
            width: Some(1280.0),
            height: Some(f64::NAN),
            duration_s: Some(10.0),
            prompt: Some("a cat on a roof".into()),
            created_at: Some(1_764_000_000.0),
            ..Draft::default()
        };
        let cases = [
            base.clone(),
            // The title line differs from the prompt: both are kept.
            Draft {
                prompt: Some("evil\x1b[31m red\r\nnext".into()),
                ..base.clone()
            },
            // A blank prompt: the server's title is shown, the prompt kept as sent.
            Draft {
                prompt: Some("  ".into()),
                title: Some("Harbour".into()),
                ..base.clone()
            },
            Draft {
                kind: Some("sora_content_violation".into()),
                markdown_reason_str: Some("nope".into()),
                downloadable_url: None,
                url: None,
                ..base.clone()
            },
            Draft {
                kind: Some("a kind nobody knows".into()),
                post: Some(serde_json::json!({"id": "s_1"})),
                width: None,
                created_at: None,
                ..base.clone()
            },
            Draft {
                id: Some("gen_2".into()),
                ..Draft::default()
            },
        ];
        for draft in cases {
            let row = drafts_row(draft.clone());
            let (want, got) = (reference(&draft), row.draft());
            // NaN is not equal to itself: compare the bits of the numbers.
            let bits = |d: &Draft| {
                [d.width, d.height, d.duration_s, d.created_at].map(|n| n.map(f64::to_bits))
            };
            assert_eq!(bits(&got), bits(&want), "{draft:?}");
            let plain = |d: Draft| Draft {
                width: None,
                height: None,
                ..d
            };
            assert_eq!(plain(got), plain(want), "{draft:?}");
            assert_eq!(row.is_blocked(), row.state == "blocked");
        }
    }

    #[test]
    fn a_row_stays_small() {
        // 10 000 rows are held at once: a row that grew back to carrying the whole server
        // draft (some 700 bytes inline) would show here first.
        assert!(
            std::mem::size_of::<DraftRow>() <= 256,
            "{}",
            std::mem::size_of::<DraftRow>()
        );
        let row = drafts_row(Draft {
            id: Some("gen_1".into()),
            prompt: Some("a cat".into()),
            ..Draft::default()
        });
        // The prompt that is its own title line is kept once.
        assert!(row.facts.prompt_is_title());
        assert_eq!(
            row.facts.get(super::super::state::Field::Title),
            Some("a cat")
        );
        assert_eq!(row.prompt(), Some("a cat"));
    }
}
