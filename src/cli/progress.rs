//! Progress for `--wait` and downloads: a redrawn bar on a terminal, plain lines when stderr
//! is a file or pipe, JSON lines on stdout with `--json`.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use serde_json::{Value, json};

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

    /// Prints a JSON event line (JSON mode only).
    pub fn event(&self, value: Value) {
        if self.mode == Mode::Json {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{value}");
            let _ = out.flush();
        }
    }

    /// A human message on stderr (not in JSON mode).
    pub fn note(&mut self, text: &str) {
        if self.mode != Mode::Json {
            self.close_bar();
            eprintln!("{text}");
        }
    }

    /// A task's status and progress after a poll.
    pub fn task(&mut self, task_id: &str, status: &str, progress: f64) {
        let pct = (progress * 100.0).round() as i64;
        match self.mode {
            Mode::Json => self.event(
                json!({"event":"progress","task_id":task_id,"status":status,"progress":progress}),
            ),
            Mode::Bar => self.bar(&format!("{status:<13}"), progress, &self.elapsed()),
            Mode::Lines => {
                let bucket = pct / 25;
                if status != self.last_status || bucket != self.last_bucket {
                    eprintln!("{task_id}: {status} {pct}% ({})", self.elapsed());
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
                    human_bytes(done),
                    total.map(human_bytes).unwrap_or_else(|| "?".into())
                );
                self.bar(&format!("{name:.24}"), fraction.unwrap_or(0.0), &size);
            }
            Mode::Lines => {
                if done == total.unwrap_or(u64::MAX) {
                    eprintln!("downloaded {name} ({})", human_bytes(done));
                }
            }
        }
    }

    fn bar(&mut self, label: &str, fraction: f64, tail: &str) {
        const WIDTH: usize = 30;
        let filled = ((fraction.clamp(0.0, 1.0) * WIDTH as f64).round() as usize).min(WIDTH);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2K{label} [{}{}] {:>3}% {tail}",
            "█".repeat(filled),
            "░".repeat(WIDTH - filled),
            (fraction * 100.0).round() as i64
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
        let s = self.started.elapsed().as_secs();
        format!("{}:{:02}", s / 60, s % 60)
    }
}

impl Drop for Reporter {
    fn drop(&mut self) {
        self.close_bar();
    }
}

/// `1.5 MB`, `320 KB`, `12 B`.
pub fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1_048_576 => format!("{:.1} MB", n as f64 / 1_048_576.0),
        n if n >= 1024 => format!("{} KB", n / 1024),
        n => format!("{n} B"),
    }
}
