//! After a create failed ambiguously ([`ApiError::maybe_accepted`]: a timeout after sending,
//! a reset, a truncated answer, a 5xx), the task may exist anyway. It is looked for in the
//! server's own lists instead of sending the create again, which would start a second
//! generation. Shared by the worker's submissions and the headless commands.

use std::time::Duration;

use super::{ApiError, Client};

/// How many times the lists are read: the server may need a moment before an accepted task
/// shows up in them.
const READS: u32 = 3;
/// A draft created this long before the create was sent still counts (clocks differ).
const CLOCK_SLACK_SECS: f64 = 120.0;

/// Which of the server's lists holds the kind of task that was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// Videos and storyboards: `/nf/pending`, then the first drafts page (a short video may
    /// already have finished).
    Videos,
    /// Images: `/v2/recent_tasks`.
    Images,
}

/// The ids of tasks on the server that may be the one a failed create started: same prompt,
/// not `known` (already tracked), and for drafts created no earlier than `sent_at_unix`
/// (minus some clock slack). Newest first; empty when nothing turned up after a few reads a
/// moment apart. An error only when every read failed.
pub async fn find_created(
    client: &Client,
    listing: Listing,
    prompt: &str,
    sent_at_unix: f64,
    known: &(dyn Fn(&str) -> bool + Send + Sync),
) -> Result<Vec<String>, ApiError> {
    // A second apart in real use; the fast test policy makes it milliseconds.
    let gap = (client.retry_policy().base * 2).min(Duration::from_secs(2));
    let mut last_error = None;
    let mut any_read = false;
    for read in 0..READS {
        if read > 0 {
            tokio::time::sleep(gap).await;
        }
        match candidates(client, listing, prompt, sent_at_unix).await {
            Ok(ids) => {
                any_read = true;
                let fresh: Vec<String> = ids.into_iter().filter(|id| !known(id)).collect();
                if !fresh.is_empty() {
                    return Ok(fresh);
                }
            }
            Err(e) => last_error = Some(e),
        }
    }
    match last_error {
        Some(e) if !any_read => Err(e),
        _ => Ok(Vec::new()),
    }
}

/// One read of the lists: the ids carrying `prompt`, newest first.
async fn candidates(
    client: &Client,
    listing: Listing,
    prompt: &str,
    sent_at_unix: f64,
) -> Result<Vec<String>, ApiError> {
    let same = |p: Option<&str>| p.map(str::trim) == Some(prompt.trim());
    let tasks = match listing {
        Listing::Videos => client.pending().await?,
        Listing::Images => client.recent_tasks(50).await?,
    };
    let mut ids: Vec<String> = tasks
        .into_iter()
        .filter(|t| same(t.prompt.as_deref()) && !t.id.is_empty())
        .map(|t| t.id)
        .collect();
    if ids.is_empty() && listing == Listing::Videos {
        // Left pending already: a draft of this prompt, made after the create was sent.
        let page = client.drafts(30, None).await?;
        ids = page
            .items
            .into_iter()
            .filter(|d| same(d.prompt.as_deref()))
            // Without a time a draft could be an earlier run of the same prompt: not adopted.
            .filter(|d| {
                d.created_at
                    .is_some_and(|at| at + CLOCK_SLACK_SECS >= sent_at_unix)
            })
            .filter_map(|d| d.task_id)
            .filter(|id| !id.is_empty())
            .collect();
    }
    Ok(ids)
}
