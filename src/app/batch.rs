//! A batch file opened from the Prompt pane: the path typed in its field is read by the loop
//! (`Cmd::LoadBatch`, answered by `Msg::BatchLoaded`), its jobs are shown in a confirm overlay
//! with the count and whether the quota covers them, and `y` hands them to the local queue
//! (`QueueRequest::Add`), the same queue `sora-tui batch` fills.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};

use super::{App, Cmd, Modal, toast, toast_error};
use crate::batch::{Batch, Coverage};
use crate::worker::{QueueRequest, Request};

/// The confirm overlay of a batch file that was read: what `y` would queue.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchConfirm {
    /// Where it was read from (shown in the title).
    pub path: PathBuf,
    /// The jobs, in queue order.
    pub batch: Batch,
    /// The first job shown.
    pub scroll: usize,
}

impl BatchConfirm {
    /// What the quota known now says about the batch's videos: computed when drawn, so a
    /// quota that arrives after the file was read (a batch given on the command line is read
    /// before `/nf/check` answers) is taken into account.
    pub fn coverage(&self, quota: Option<&crate::api::Quota>) -> Coverage {
        Coverage::of(self.batch.video_count(), quota)
    }
}

/// The batch file typed in the Prompt pane's field: read it (the loop does, off the UI).
pub fn open(app: &mut App, typed: &str) -> Vec<Cmd> {
    let typed = typed.trim();
    if typed.is_empty() {
        toast(app, "no batch file: type the path of a *.batch.toml file");
        return Vec::new();
    }
    let path = crate::fsutil::expand_home(typed, &app.info.home);
    toast(app, format!("reading {}…", path.display()));
    vec![Cmd::LoadBatch(path)]
}

/// The answer to `Cmd::LoadBatch`: the confirm overlay, or the error (with its line) shown
/// where the Prompt pane shows errors.
pub fn on_loaded(app: &mut App, path: PathBuf, result: Result<Batch, String>) -> Vec<Cmd> {
    match result {
        Ok(batch) => {
            app.pane = super::Pane::Prompt;
            app.prompt.typing = false;
            app.modal = Some(Modal::Batch(BatchConfirm {
                path,
                batch,
                scroll: 0,
            }));
        }
        Err(e) => {
            app.prompt.error = Some(e.clone());
            toast_error(app, e);
        }
    }
    Vec::new()
}

/// Keys of the overlay: `y`/`Enter` queue the jobs, `j`/`k` scroll, anything else cancels.
pub fn on_key(app: &mut App, mut confirm: BatchConfirm, key: KeyEvent) -> Vec<Cmd> {
    let last = confirm.batch.jobs.len().saturating_sub(1);
    let page = app.drafts_viewport.max(1);
    let scroll = match key.code {
        KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => return queue(app, confirm),
        KeyCode::Char('j') | KeyCode::Down => confirm.scroll + 1,
        KeyCode::Char('k') | KeyCode::Up => confirm.scroll.saturating_sub(1),
        KeyCode::PageDown => confirm.scroll + page,
        KeyCode::PageUp => confirm.scroll.saturating_sub(page),
        KeyCode::Char('g') | KeyCode::Home => 0,
        KeyCode::Char('G') | KeyCode::End => last,
        _ => {
            toast(app, format!("{} not queued", confirm.batch.name));
            return Vec::new();
        }
    };
    confirm.scroll = scroll.min(last);
    app.modal = Some(Modal::Batch(confirm));
    Vec::new()
}

/// Hands every job to the local queue, each with a fresh local id.
fn queue(app: &mut App, confirm: BatchConfirm) -> Vec<Cmd> {
    let batch = confirm.batch;
    let jobs = batch.submissions(app.next_local_id);
    app.next_local_id += jobs.len() as u64;
    let n = jobs.len();
    toast(
        app,
        format!(
            "{n} job{} from {} queued: the Tasks pane shows them",
            if n == 1 { "" } else { "s" },
            batch.name
        ),
    );
    vec![Cmd::Worker(Request::Queue(QueueRequest::Add {
        jobs,
        origin: Some(batch.name),
    }))]
}

/// Whether a path given on the command line is a batch file (else it is a storyboard).
pub fn is_batch_file(path: &std::path::Path) -> bool {
    path.to_string_lossy().ends_with(crate::batch::FILE_SUFFIX)
}

/// At start: a batch file given on the command line is read, and its confirm shown.
pub fn startup(app: &mut App) -> Option<Vec<Cmd>> {
    let path = app
        .info
        .open_on_start
        .clone()
        .filter(|p| is_batch_file(p))?;
    Some(vec![Cmd::LoadBatch(path)])
}

#[cfg(test)]
mod tests;
