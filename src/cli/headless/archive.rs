//! `sora-tui archive DIR`: mirrors the account into DIR through [`crate::archive`], with one
//! progress bar for all files, a summary at the end (`--json`: one `archive` event), and a
//! failing exit code when any file failed.

use serde_json::json;

use super::{ArchiveArgs, Ctx, Outcome};
use crate::api::ApiError;
use crate::archive::{self, Options};
use crate::cli::progress::Reporter;
use crate::text::sanitize;

/// Longest reason shown per failed file.
const REASON_MAX: usize = 200;
/// Failed files listed by name in the human summary; the manifest has them all.
const LISTED_MAX: usize = 20;

impl Ctx<'_> {
    /// Runs the archive and prints its summary.
    pub(super) async fn archive(&self, a: &ArchiveArgs, r: &mut Reporter) -> Outcome {
        let opts = Options {
            dir: a.dir.clone(),
            data_dir: Some(self.session.paths.data_dir.clone()),
            naming: self.naming(),
        };
        let summary = archive::run(&self.client, &opts, |p| {
            r.archive(p.done, p.total, p.failed, p.bytes)
        })
        .await?;
        r.close_bar();
        for w in &summary.warnings {
            r.note(&format!("sora-tui: warning: {w}"));
        }
        r.event(
            json!({"event":"archive","entries":summary.entries,"new":summary.new,
            "skipped":summary.skipped,"without_file":summary.without_file,"bytes":summary.bytes,
            "failed":summary.failed,"warnings":summary.warnings,
            "manifest":summary.manifest.display().to_string()}),
        );
        if !r.is_json() {
            println!(
                "archived {} entries into {}: {} new ({}), {} already complete, {} without a file, {} failed",
                summary.entries,
                sanitize(&a.dir.display().to_string(), 300),
                summary.new,
                crate::text::bytes(summary.bytes),
                summary.skipped,
                summary.without_file,
                summary.failed.len()
            );
            for f in summary.failed.iter().take(LISTED_MAX) {
                println!(
                    "  failed {}: {}",
                    sanitize(&f.id, 80),
                    sanitize(&f.reason, REASON_MAX)
                );
            }
        }
        if summary.failed.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Io(format!(
                "{} of the archive's files failed (listed in {}); run the archive again to retry them",
                summary.failed.len(),
                summary.manifest.display()
            ))
            .into())
        }
    }
}
