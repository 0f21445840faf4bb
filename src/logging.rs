//! The log file: where it is (the state dir, or `--log-file`), which messages reach it
//! (`SORA_LOG`, per module), and a small writer that keeps it size-bounded by rotation
//! (`sora-tui.log`, then `.1` … `.3`), so a long-lived session never fills the disk.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The size at which the log file is rotated.
pub const MAX_LOG_BYTES: u64 = 5 * 1024 * 1024;

/// How many rotated files (`.1` … `.N`) are kept besides the current one.
pub const KEPT_LOGS: usize = 3;

/// Parses `SORA_LOG`: a level (`debug`), or per-module levels after an optional default
/// (`info,sora_tui::worker=debug`). An unset or blank value is `info`.
pub fn parse_filter(spec: Option<&str>) -> Result<Targets, String> {
    let spec = spec
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("info");
    Targets::from_str(spec).map_err(|e| {
        format!("SORA_LOG={spec:?} is not a filter ({e}): write a level such as `debug`, or `info,sora_tui::worker=debug`")
    })
}

/// The log file used: `--log-file` when given, else `sora-tui.log` in the state dir.
pub fn log_path(paths: &crate::config::Paths, flag: Option<&Path>) -> PathBuf {
    flag.map(Path::to_path_buf)
        .unwrap_or_else(|| paths.log_file())
}

/// Sends `tracing` output to the log file at the levels of `SORA_LOG` (default info; a bad
/// value is reported on stderr and info applies). Logging is best effort: a log file that
/// cannot be opened must not stop the program.
pub fn init(paths: &crate::config::Paths, flag: Option<&Path>) {
    let spec = std::env::var("SORA_LOG").ok();
    let filter = parse_filter(spec.as_deref()).unwrap_or_else(|e| {
        eprintln!("sora-tui: warning: {e}; using info");
        Targets::new().with_default(tracing::Level::INFO)
    });
    let path = log_path(paths, flag);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Ok(writer) = RotatingWriter::open(&path, MAX_LOG_BYTES, KEPT_LOGS) {
        let layer = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(std::sync::Mutex::new(writer));
        let _ = tracing_subscriber::registry()
            .with(layer)
            .with(filter)
            .try_init();
    }
}

/// A file writer that rotates its file once it would grow past `limit` bytes: checked when
/// opened (a file left large by an earlier run) and before every write.
#[derive(Debug)]
pub struct RotatingWriter {
    path: PathBuf,
    file: std::fs::File,
    size: u64,
    limit: u64,
    keep: usize,
}

impl RotatingWriter {
    /// Opens (appending to) the file at `path`, rotating it first if it is already at the limit.
    pub fn open(path: &Path, limit: u64, keep: usize) -> std::io::Result<RotatingWriter> {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let mut writer = RotatingWriter {
            path: path.to_path_buf(),
            file: open_append(path)?,
            size,
            limit: limit.max(1),
            keep,
        };
        if size >= writer.limit {
            writer.rotate()?;
        }
        Ok(writer)
    }

    /// `path.N`.
    fn numbered(&self, n: usize) -> PathBuf {
        let mut name = self.path.as_os_str().to_os_string();
        name.push(format!(".{n}"));
        PathBuf::from(name)
    }

    /// `.N-1` → `.N` … current → `.1`, the oldest dropped, then a fresh current file.
    fn rotate(&mut self) -> std::io::Result<()> {
        let _ = self.file.flush();
        if self.keep == 0 {
            let _ = std::fs::remove_file(&self.path);
        } else {
            let _ = std::fs::remove_file(self.numbered(self.keep));
            for n in (1..self.keep).rev() {
                let _ = std::fs::rename(self.numbered(n), self.numbered(n + 1));
            }
            let _ = std::fs::rename(&self.path, self.numbered(1));
        }
        self.file = open_append(&self.path)?;
        self.size = 0;
        Ok(())
    }
}

fn open_append(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

impl Write for RotatingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.size > 0 && self.size + buf.len() as u64 > self.limit {
            self.rotate()?;
        }
        let n = self.file.write(buf)?;
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_stays_within_its_bound_and_keeps_three_old_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sora-tui.log");
        let mut w = RotatingWriter::open(&path, 100, 3).unwrap();
        for i in 0..50 {
            writeln!(w, "line {i:03} of the log, some text").unwrap();
        }
        w.flush().unwrap();
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "sora-tui.log",
                "sora-tui.log.1",
                "sora-tui.log.2",
                "sora-tui.log.3"
            ]
        );
        for name in &names {
            let len = std::fs::metadata(dir.path().join(name)).unwrap().len();
            assert!(len <= 100, "{name} is {len} bytes");
        }
        let newest = std::fs::read_to_string(&path).unwrap();
        assert!(newest.contains("line 049"), "{newest}");
        let older = std::fs::read_to_string(dir.path().join("sora-tui.log.1")).unwrap();
        assert!(!older.contains("line 049"));
    }

    #[test]
    fn a_file_left_large_is_rotated_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sora-tui.log");
        std::fs::write(&path, vec![b'x'; 200]).unwrap();
        let _w = RotatingWriter::open(&path, 100, 3).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
        assert_eq!(
            std::fs::metadata(dir.path().join("sora-tui.log.1"))
                .unwrap()
                .len(),
            200
        );
    }

    #[test]
    fn sora_log_takes_a_level_or_per_module_levels() {
        use tracing::Level;
        let t = parse_filter(Some("info,sora_tui::worker=debug")).unwrap();
        assert!(t.would_enable("sora_tui::worker::poll", &Level::DEBUG));
        assert!(!t.would_enable("sora_tui::tui", &Level::DEBUG));
        assert!(t.would_enable("sora_tui::tui", &Level::INFO));
        let t = parse_filter(Some("warn")).unwrap();
        assert!(!t.would_enable("sora_tui", &Level::INFO));
        assert!(t.would_enable("sora_tui", &Level::WARN));
        let t = parse_filter(None).unwrap();
        assert!(t.would_enable("sora_tui", &Level::INFO));
        assert!(!t.would_enable("sora_tui", &Level::DEBUG));
        assert!(parse_filter(Some("sora_tui=loud")).is_err());
    }
}
