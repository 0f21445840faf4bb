//! The UI's copy of the local history (`crate::history`, written by `worker::history`): kept
//! up to date from `Event::History`, searched for drafts the list no longer shows, and fed
//! with what the Drafts pane learns (drafts seen, publications, downloads), which the worker
//! records.

use super::{App, Cmd, DraftRow};
use crate::api::Draft;
use crate::history::{self, HistoryEntry, Origin, SentSettings};
use crate::worker::{HistoryEvent, HistoryRequest, Request, Submission, SubmissionKind};

/// The history as the UI holds it, newest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryBook {
    /// Every entry, as the worker last sent it.
    pub entries: Vec<HistoryEntry>,
}

impl HistoryBook {
    /// The entry holding the generation `gen_id`, if any.
    pub fn by_generation(&self, gen_id: &str) -> Option<&HistoryEntry> {
        self.entries.iter().find(|e| e.has_generation(gen_id))
    }

    /// The entry of the task `task_id`, if any.
    pub fn by_task(&self, task_id: &str) -> Option<&HistoryEntry> {
        self.entries
            .iter()
            .find(|e| e.key == task_id || e.task_id.as_deref() == Some(task_id))
    }
}

/// A worker event about the history: the whole of it at start, then changed entries (the
/// worker's merged versions replace the UI's).
pub fn on_event(app: &mut App, event: HistoryEvent) -> Vec<Cmd> {
    match event {
        HistoryEvent::Loaded(entries) => app.history.entries = entries,
        HistoryEvent::Changed(entries) => {
            for entry in entries {
                match app.history.entries.iter_mut().find(|e| e.key == entry.key) {
                    Some(e) => *e = entry,
                    None => app.history.entries.insert(0, entry),
                }
            }
        }
    }
    Vec::new()
}

/// The request that records the drafts of a page as seen; `None` when the history already
/// knows everything they say (then nothing is written).
pub fn seen(app: &App, drafts: &[Draft]) -> Option<Cmd> {
    let mut probe = app.history.entries.clone();
    let entries: Vec<HistoryEntry> = drafts.iter().filter_map(history::from_draft).collect();
    let fresh: Vec<HistoryEntry> = entries
        .into_iter()
        .filter(|e| !history::merge(&mut probe, std::slice::from_ref(e)).is_empty())
        .map(|mut e| {
            e.seen_at = Some(crate::text::unix_now());
            e
        })
        .collect();
    (!fresh.is_empty()).then_some(Cmd::Worker(Request::History(HistoryRequest::Record(fresh))))
}

/// The request that records a publication of the draft in `row`.
pub fn published(row: &DraftRow, post_id: &str) -> Cmd {
    let entry = HistoryEntry {
        key: history::key_for(row.task_id(), &row.gen_id),
        task_id: row.task_id().map(str::to_owned),
        generation_ids: vec![row.gen_id.clone()],
        post_id: Some(post_id.to_string()),
        ..HistoryEntry::default()
    };
    Cmd::Worker(Request::History(HistoryRequest::Record(vec![entry])))
}

/// The request that has the worker hash and record a saved file of the draft `gen_id`.
pub fn downloaded(app: &App, gen_id: &str, path: &std::path::Path, clean: bool) -> Cmd {
    let task = app
        .drafts
        .rows
        .iter()
        .find(|r| r.gen_id == gen_id)
        .and_then(|r| r.task_id().map(str::to_owned))
        .or_else(|| app.history.by_generation(gen_id).map(|e| e.key.clone()));
    Cmd::Worker(Request::History(HistoryRequest::Downloaded {
        key: history::key_for(task.as_deref(), gen_id),
        gen_id: gen_id.to_string(),
        path: path.to_path_buf(),
        clean,
    }))
}

/// The history entries that match `query` (every word, case-insensitive, in the prompt,
/// title or ids) and whose drafts are not in the loaded list: what the Drafts filter adds
/// after the listed rows as "not listed" rows. Newest first.
pub fn unlisted_matches<'a>(app: &'a App, query: &str) -> Vec<&'a HistoryEntry> {
    if query.trim().is_empty() {
        return Vec::new();
    }
    let listed: std::collections::HashSet<&str> =
        app.drafts.rows.iter().map(|r| r.gen_id.as_str()).collect();
    app.history
        .entries
        .iter()
        .filter(|e| !e.generation_ids.iter().any(|g| listed.contains(g.as_str())))
        .filter(|e| e.matches(query))
        .collect()
}

/// The searchable texts of a history row for the Drafts filter (field 0 the line drawn):
/// its prompt on one line, then its ids.
pub fn row_texts(entry: &HistoryEntry) -> Vec<String> {
    let mut texts = vec![
        super::one_line(entry.shown_prompt(), 200),
        entry.key.clone(),
    ];
    texts.extend(entry.generation_ids.iter().cloned());
    texts
}

/// What a re-run sends again: the entry's exact settings when the history has them, else
/// what the service lists (a draft's prompt, its orientation and length from its size and
/// duration, the default model and size).
fn rerun_submission(
    entry: Option<&HistoryEntry>,
    prompt: Option<&str>,
    size: (Option<f64>, Option<f64>),
    duration: Option<f64>,
) -> Option<Submission> {
    use crate::api::{Length, Orientation};
    if let Some(sent) = entry.and_then(|e| e.sent.as_ref()) {
        let (kind, image) = match &sent.settings {
            SentSettings::Video {
                video,
                remix,
                image,
            } => (
                SubmissionKind::Video {
                    settings: *video,
                    remix: remix.clone(),
                },
                image.clone(),
            ),
            SentSettings::Image {
                shape,
                variants,
                image,
            } => (
                SubmissionKind::Image {
                    shape: *shape,
                    variants: *variants,
                },
                image.clone(),
            ),
            SentSettings::Storyboard { video, .. } => {
                (SubmissionKind::Storyboard { settings: *video }, None)
            }
        };
        return Some(Submission {
            local_id: 0,
            prompt: sent.prompt.clone(),
            kind,
            image: image.map(std::path::PathBuf::from),
        });
    }
    let prompt = prompt
        .or(entry.map(HistoryEntry::shown_prompt))
        .filter(|p| !p.trim().is_empty())?;
    let mut settings = crate::api::VideoSettings::default();
    if let (Some(w), Some(h)) = size {
        settings.orientation = if h > w {
            Orientation::Portrait
        } else {
            Orientation::Landscape
        };
    }
    if let Some(d) = duration.filter(|d| d.is_finite()) {
        settings.length = [Length::S10, Length::S15, Length::S25]
            .into_iter()
            .min_by(|a, b| {
                (f64::from(a.seconds()) - d)
                    .abs()
                    .total_cmp(&(f64::from(b.seconds()) - d).abs())
            })
            .unwrap_or_default();
    }
    Some(Submission {
        local_id: 0,
        prompt: prompt.to_string(),
        kind: SubmissionKind::Video {
            settings,
            remix: entry.and_then(|e| e.remix_of.clone()),
        },
        image: None,
    })
}

/// Re-run from the selected draft: its prompt and settings into the Prompt pane (a
/// storyboard into the Storyboard pane), focused; the next submission from there records
/// this draft as its origin.
pub fn rerun_draft(app: &mut App) -> Vec<Cmd> {
    let Some(row) = app.drafts.rows.get(app.drafts.selected).cloned() else {
        return Vec::new();
    };
    let entry = app
        .history
        .by_generation(&row.gen_id)
        .or_else(|| row.task_id().and_then(|t| app.history.by_task(t)))
        .cloned();
    let Some(sub) = rerun_submission(
        entry.as_ref(),
        row.prompt().or(row.server_title()),
        row.size(),
        row.duration_s(),
    ) else {
        super::toast(app, "this draft has no prompt to run again");
        return Vec::new();
    };
    let origin = Origin {
        gen_id: Some(row.gen_id.clone()),
        task_id: row
            .task_id()
            .map(str::to_owned)
            .or_else(|| entry.and_then(|e| e.task_id)),
    };
    load(app, sub, origin)
}

/// Re-run from the selected task of the Tasks pane (see [`rerun_draft`]).
pub fn rerun_task(app: &mut App) -> Vec<Cmd> {
    let Some(task) = app.tasks.selected_task().cloned() else {
        return Vec::new();
    };
    let entry = app.history.by_task(&task.task_id).cloned();
    let sub =
        rerun_submission(entry.as_ref(), Some(&task.prompt), (None, None), None).map(|mut sub| {
            // Without the history, the record's kind decides the pane.
            if entry.as_ref().is_none_or(|e| e.sent.is_none()) {
                sub.kind = match (task.kind, sub.kind) {
                    (
                        crate::track::TaskKind::Storyboard,
                        SubmissionKind::Video { settings, .. },
                    ) => SubmissionKind::Storyboard { settings },
                    (crate::track::TaskKind::Image, _) => SubmissionKind::Image {
                        shape: crate::api::ImageShape::default(),
                        variants: 1,
                    },
                    (_, kind) => kind,
                };
            }
            sub
        });
    let Some(sub) = sub else {
        super::toast(app, "this task has no prompt to run again");
        return Vec::new();
    };
    let origin = Origin {
        gen_id: entry.and_then(|e| e.generation_ids.first().cloned()),
        task_id: Some(task.task_id.clone()),
    };
    load(app, sub, origin)
}

/// Loads a re-run into its pane, as a submission taken back from the queue is (what was
/// typed goes into the prompt history, or the storyboard's undo).
fn load(app: &mut App, sub: Submission, origin: Origin) -> Vec<Cmd> {
    let what = origin.describe();
    app.rerun_origin = Some(origin);
    if let SubmissionKind::Storyboard { settings } = &sub.kind
        && let Some(cmds) = super::storyboard::load_taken_back(app, &sub.prompt, *settings)
    {
        super::toast(
            app,
            format!("re-run of {what}: the storyboard is loaded (undo brings back what was here)"),
        );
        return cmds;
    }
    let cmds = super::prompt::load_taken_back(app, &sub);
    if !app.toasts.iter().any(|t| t.text.contains("history")) {
        super::toast(app, format!("re-run of {what}: edit, then Ctrl-S"));
    }
    cmds
}

/// The note sent before a submission, when there is something to note: the origin of a
/// re-run, and the storyboard file a storyboard was sent from (its name, as the pane's title
/// shows it).
pub fn origin_note(app: &mut App, local_id: u64, storyboard_file: Option<String>) -> Option<Cmd> {
    let origin = app.rerun_origin.take();
    if origin.is_none() && storyboard_file.is_none() {
        return None;
    }
    Some(Cmd::Worker(Request::History(HistoryRequest::Note {
        local_id,
        note: crate::worker::SubmitNote {
            origin,
            storyboard_file,
        },
    })))
}

/// A draft's place in its remix chain, as the details show it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lineage {
    /// The post it remixed (`s_…`), from the history (the service's
    /// `creation_config.remix_target_post` as seen, or the remix target sent).
    pub parent_post: Option<String>,
    /// The parent's generation id, when the history or the list knows the draft of that post.
    pub parent_gen: Option<String>,
    /// Whether the parent's draft is in the loaded list.
    pub parent_listed: bool,
    /// How many generations the history knows that remixed this draft's post.
    pub children: usize,
}

/// The lineage of the draft `row` (see [`Lineage`]).
pub fn lineage(app: &App, row: &DraftRow) -> Lineage {
    let entry = app.history.by_generation(&row.gen_id);
    let parent_post = entry.and_then(|e| e.remix_of.clone());
    let listed_parent = parent_post.as_deref().and_then(|p| {
        app.drafts
            .rows
            .iter()
            .find(|r| r.post_id.as_deref() == Some(p))
    });
    let parent_gen = listed_parent.map(|r| r.gen_id.clone()).or_else(|| {
        let p = parent_post.as_deref()?;
        app.history
            .entries
            .iter()
            .find(|e| e.post_id.as_deref() == Some(p))
            .and_then(|e| e.generation_ids.first().cloned())
    });
    let post = row
        .post_id
        .clone()
        .or_else(|| entry.and_then(|e| e.post_id.clone()));
    let children = post.map_or(0, |p| {
        app.history
            .entries
            .iter()
            .filter(|e| e.remix_of.as_deref() == Some(p.as_str()))
            .count()
    });
    Lineage {
        parent_listed: listed_parent.is_some(),
        parent_post,
        parent_gen,
        children,
    }
}

/// The generations the history knows that remixed the draft `row`'s post, oldest first:
/// what the next-child key (`]`) cycles through.
pub fn children(app: &App, row: &DraftRow) -> Vec<String> {
    let post = row.post_id.clone().or_else(|| {
        app.history
            .by_generation(&row.gen_id)
            .and_then(|e| e.post_id.clone())
    });
    let Some(post) = post else {
        return Vec::new();
    };
    app.history
        .entries
        .iter()
        .rev()
        .filter(|e| e.remix_of.as_deref() == Some(post.as_str()))
        .filter_map(|e| e.generation_ids.first().cloned())
        .collect()
}

/// `[` in the Drafts pane: selects the draft the selected one remixed, or says why not (it
/// is no remix the history knows, or its parent is known only from the history).
pub fn jump_parent(app: &mut App) -> Vec<Cmd> {
    let Some(row) = app.drafts.rows.get(app.drafts.selected).cloned() else {
        return Vec::new();
    };
    let l = lineage(app, &row);
    match (l.parent_gen, l.parent_post) {
        (Some(gen_id), _) => select_generation(app, &gen_id),
        (None, Some(post)) => {
            super::toast(
                app,
                format!("the remixed post {post} is not listed (known from history)"),
            );
            Vec::new()
        }
        (None, None) => {
            super::toast(app, "this draft is no remix the history knows of");
            Vec::new()
        }
    }
}

/// `]` in the Drafts pane: selects a remix of the selected draft; pressed again on the same
/// draft (after `[` came back to it), the next one, round the children in turn.
pub fn jump_child(app: &mut App) -> Vec<Cmd> {
    let Some(row) = app.drafts.rows.get(app.drafts.selected).cloned() else {
        return Vec::new();
    };
    let kids = children(app, &row);
    if kids.is_empty() {
        super::toast(app, "the history knows no remix of this draft");
        return Vec::new();
    }
    let next = match &app.drafts.last_child {
        Some((parent, i)) if *parent == row.gen_id => (i + 1) % kids.len(),
        _ => 0,
    };
    app.drafts.last_child = Some((row.gen_id.clone(), next));
    let cmds = select_generation(app, &kids[next]);
    if kids.len() > 1 {
        super::toast(app, format!("remix {} of {}", next + 1, kids.len()));
    }
    cmds
}

/// Selects the listed draft `gen_id`, or says it is not listed (or hidden by the filter).
fn select_generation(app: &mut App, gen_id: &str) -> Vec<Cmd> {
    let Some(i) = app.drafts.rows.iter().position(|r| r.gen_id == gen_id) else {
        let shown = crate::text::sanitize(gen_id, 80);
        super::toast(app, format!("{shown} is not listed (known from history)"));
        return Vec::new();
    };
    if app.drafts.filter.is_active() && app.drafts.filter.position(i).is_none() {
        let shown = crate::text::sanitize(gen_id, 80);
        super::toast(app, format!("{shown} is hidden by the filter"));
        return Vec::new();
    }
    app.drafts.selected = i;
    super::drafts::keep_visible(app);
    super::drafts::maybe_load_more(app)
}
