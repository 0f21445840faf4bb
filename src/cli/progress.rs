//! Progress for `--wait` and downloads: a redrawn bar on a terminal, plain lines when stderr
//! is a file or pipe, JSON lines on stdout with `--json`.
//!
//! Everything printed here goes through [`crate::text`]: human lines are sanitised (server
//! text cannot drive the terminal), JSON lines escape the characters serde_json leaves raw,
//! and progress and times are clamped before they are shown.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use serde_json::{Value, json};

use crate::text::{self, sanitize};

/// Longest human line printed by [`Reporter::note`], in characters.
const NOTE_MAX: usize = 1000;
/// Longest task id or file name shown in a progress line.
const NAME_MAX: usize = 80;
/// Cells the status word takes in a progress bar.
const STATUS_CELLS: usize = 13;
/// Cells the file name takes in a download bar.
const NAME_CELLS: usize = 24;

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// One JSON object per line on stdout.
    Json,
    /// A bar redrawn in place on stderr.
    Bar,
    /// A line on stderr when something changes noticeably.
    Lines,
}

/// Reports the progress of one command.
pub struct Reporter {
    mode: Mode,
    started: Instant,
    last_status: String,
    last_bucket: i64,
    bar_open: bool,
}

impl Reporter {
    /// Chooses the mode from `--json` and whether stderr is a terminal.
    pub fn new(json: bool) -> Reporter {
        let mode = if json {
            Mode::Json
        } else if std::io::stderr().is_terminal() {
            Mode::Bar
        } else {
            Mode::Lines
        };
        Reporter {
            mode,
            started: Instant::now(),
            last_status: String::new(),
            last_bucket: -1,
            bar_open: false,
        }
    }

    /// Whether output is JSON lines.
    pub fn is_json(&self) -> bool {
        self.mode == Mode::Json
    }

    /// Prints a JSON event line (JSON mode only), unsafe characters escaped.
    pub fn event(&self, value: Value) {
        if self.mode == Mode::Json {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", text::json_line(&value));
            let _ = out.flush();
        }
    }

    /// A human message on stderr (not in JSON mode), sanitised: callers build these lines
    /// with server text and file names in them.
    pub fn note(&mut self, text: &str) {
        if self.mode != Mode::Json {
            self.close_bar();
            eprintln!("{}", sanitize(text, NOTE_MAX));
        }
    }

    /// A task's status and progress after a poll.
    pub fn task(&mut self, task_id: &str, status: &str, progress: f64) {
        let progress = text::fraction(progress);
        let pct = (progress * 100.0).round() as i64;
        match self.mode {
            Mode::Json => self.event(
                json!({"event":"progress","task_id":task_id,"status":status,"progress":progress}),
            ),
            Mode::Bar => {
                let label = text::pad(&sanitize(status, STATUS_CELLS), STATUS_CELLS);
                self.bar(&label, progress, &self.elapsed());
            }
            Mode::Lines => {
                let bucket = pct / 25;
                if status != self.last_status || bucket != self.last_bucket {
                    eprintln!(
                        "{}: {} {pct}% ({})",
                        sanitize(task_id, NAME_MAX),
                        sanitize(status, NAME_MAX),
                        self.elapsed()
                    );
                }
                self.last_bucket = bucket;
            }
        }
        self.last_status = status.to_string();
    }

    /// Bytes of a download so far.
    pub fn download(&mut self, name: &str, done: u64, total: Option<u64>) {
        let fraction = total.filter(|t| *t > 0).map(|t| done as f64 / t as f64);
        match self.mode {
            Mode::Json => {}
            Mode::Bar => {
                let size = format!(
                    "{} / {}",
                    text::bytes(done),
                    total.map(text::bytes).unwrap_or_else(|| "?".into())
                );
                let label = text::fit(&sanitize(name, NAME_MAX), NAME_CELLS).into_owned();
                self.bar(&label, fraction.unwrap_or(0.0), &size);
            }
            Mode::Lines => {
                if done == total.unwrap_or(u64::MAX) {
                    eprintln!(
                        "downloaded {} ({})",
                        sanitize(name, NAME_MAX),
                        text::bytes(done)
                    );
                }
            }
        }
    }

    /// An archive's overall progress: files finished of all, failures, bytes so far.
    pub fn archive(&mut self, done: usize, total: usize, failed: usize, bytes: u64) {
        let fraction = if total == 0 {
            1.0
        } else {
            done as f64 / total as f64
        };
        match self.mode {
            Mode::Json => {}
            Mode::Bar => {
                let tail = format!(
                    "{done}/{total} files · {} · {failed} failed",
                    text::bytes(bytes)
                );
                self.bar("archive", fraction, &tail);
            }
            Mode::Lines => {
                let bucket = (fraction * 10.0) as i64;
                if bucket != self.last_bucket {
                    eprintln!(
                        "archive {done}/{total} files, {} ({failed} failed)",
                        text::bytes(bytes)
                    );
                    self.last_bucket = bucket;
                }
            }
        }
    }

    /// Redraws the bar line; `label` and `tail` are already safe to print.
    fn bar(&mut self, label: &str, fraction: f64, tail: &str) {
        const WIDTH: usize = 30;
        let fraction = text::fraction(fraction);
        let filled = ((fraction * WIDTH as f64).round() as usize).min(WIDTH);
        let mut err = std::io::stderr().lock();
        // The escape here is this program's own: back to the line start and clear it.
        let _ = write!(
            err,
            "\r\x1b[2K{label} [{}{}] {:>4} {tail}",
            "█".repeat(filled),
            "░".repeat(WIDTH - filled),
            text::percent(fraction)
        );
        let _ = err.flush();
        self.bar_open = true;
    }

    /// Ends a bar line so the next output starts on its own line.
    pub fn close_bar(&mut self) {
        if self.bar_open {
            eprintln!();
            self.bar_open = false;
        }
    }

    fn elapsed(&self) -> String {
        text::elapsed(self.started.elapsed().as_secs_f64())
    }
}

impl Drop for Reporter {
    fn drop(&mut self) {
        self.close_bar();
    }
}
