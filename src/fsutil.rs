//! Small file-system helpers: safe names from server data, and capped reads of files the
//! user named or the program keeps.

/// Turns a server-provided id or title into a file name that cannot escape its folder or
/// surprise a shell: ASCII letters, digits, `-`, `_` and `.` only, no leading dot, bounded.
pub fn safe_file_name(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let trimmed = cleaned.trim_start_matches('.').trim_end_matches('.');
    if trimmed.is_empty() {
        "download".to_string()
    } else {
        trimmed.to_string()
    }
}

/// The name of a download kept under a server id: `{id}{tag}.{ext}` (`gen_….clean.mp4`).
/// Only a [`crate::api::valid_id`] names a file, used as it is: it cannot leave its folder,
/// and two different ids never share a name (ids hold no `.`, so no id plus tag is another
/// id). An id that is not one (`""`, `.`, `..`, which [`safe_file_name`] would all turn into
/// `download`) is refused with the error that says so; `what` names its kind.
pub fn id_file_name(
    what: &str,
    id: &str,
    tag: &str,
    ext: &str,
) -> Result<String, crate::api::ApiError> {
    let id = crate::api::checked_id(what, id)?;
    Ok(format!("{id}{tag}.{ext}"))
}

/// The extension of a media URL's path if it is one this program writes, else `fallback`.
pub fn media_extension(url: &str, fallback: &'static str) -> &'static str {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let ext = path
        .rsplit('/')
        .next()
        .and_then(|f| f.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("mp4") => "mp4",
        Some("png") => "png",
        Some("webp") => "webp",
        Some("jpg" | "jpeg") => "jpg",
        Some("gif") => "gif",
        _ => fallback,
    }
}

// ---- Reading files the user named or the program keeps ----
//
// A path typed by the user (an input image, a storyboard, a token file) or a document in the
// data dir may name something that is not a file: a named pipe blocks `open` until a writer
// comes (forever, and the thread with it), and `/dev/zero` or a `/proc` file reports size 0
// and never ends. So: the type is checked with `metadata` *before* opening (`stat` does not
// block on a FIFO), the size is checked, and the read itself is capped, because a reported
// size of 0 proves nothing.

/// Why a file was not read. Its [`ReadError::reason`] is a phrase that follows the file's name.
#[derive(Debug)]
pub enum ReadError {
    /// Nothing is at the path; callers with a default (the config, the stored token) use it.
    Missing,
    /// Something is there that is not a regular file: reading it could block or never end.
    NotRegular(&'static str),
    /// The file holds more than the cap.
    TooLarge {
        /// The cap in bytes.
        max: u64,
    },
    /// The file is not UTF-8 text (text reads only).
    NotText,
    /// The system refused: permissions, an I/O error.
    Io(std::io::Error),
}

impl ReadError {
    /// What is wrong and what to do, to follow the file's name: "is a named pipe (FIFO), not
    /// a regular file: choose a file".
    pub fn reason(&self) -> String {
        match self {
            ReadError::Missing => "does not exist: check the path".to_string(),
            ReadError::NotRegular(kind) => {
                format!("is {kind}, not a regular file: choose a file")
            }
            ReadError::TooLarge { max } => {
                format!("is larger than {}: choose a smaller file", human_size(*max))
            }
            ReadError::NotText => "is not UTF-8 text: choose a text file".to_string(),
            ReadError::Io(e) => format!("cannot be read ({e})"),
        }
    }

    /// One line naming the file: `"{what} {path} {reason}"`, e.g. "the token file /t is a
    /// named pipe (FIFO), not a regular file: choose a file".
    pub fn message(&self, what: &str, path: &std::path::Path) -> String {
        let what = if what.is_empty() {
            String::new()
        } else {
            format!("{what} ")
        };
        format!("{what}{} {}", path.display(), self.reason())
    }
}

/// `1 MB`, `64 KB`, `300 bytes`: a cap as a user reads it.
fn human_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        format!("{} MB", bytes / MB)
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// What kind of thing a non-regular path is, for the message.
fn kind_of(file_type: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_dir() {
        "a folder"
    } else if file_type.is_fifo() {
        "a named pipe (FIFO)"
    } else if file_type.is_char_device() || file_type.is_block_device() {
        "a device"
    } else if file_type.is_socket() {
        "a socket"
    } else {
        "something else"
    }
}

/// Checks metadata (taken before opening, symlinks followed) for a regular file of at most
/// `max` bytes; returns its reported length.
pub fn check_regular(meta: &std::fs::Metadata, max: u64) -> Result<u64, ReadError> {
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(meta.file_type())));
    }
    if meta.len() > max {
        return Err(ReadError::TooLarge { max });
    }
    Ok(meta.len())
}

/// The metadata of `path` (symlinks followed), with "not found" told apart. Never blocks on
/// a named pipe: it does not open the path.
pub fn metadata(path: &std::path::Path) -> Result<std::fs::Metadata, ReadError> {
    std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::Missing,
        _ => ReadError::Io(e),
    })
}

/// Reads a regular file of at most `max` bytes: the type and size are checked before it is
/// opened, and the read stops after `max + 1` bytes whatever the size said.
pub fn read_capped(path: &std::path::Path, max: u64) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let len = check_regular(&metadata(path)?, max)?;
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    // The path may have been replaced between the check and the open: check what was opened.
    check_regular(&file.metadata().map_err(ReadError::Io)?, max)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0).min(1 << 20));
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge { max });
    }
    Ok(bytes)
}

/// [`read_capped`] for UTF-8 text.
pub fn read_text_capped(path: &std::path::Path, max: u64) -> Result<String, ReadError> {
    String::from_utf8(read_capped(path, max)?).map_err(|_| ReadError::NotText)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_traverse() {
        assert_eq!(safe_file_name("gen_01abc"), "gen_01abc");
        assert_eq!(safe_file_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_file_name("..."), "download");
        assert_eq!(safe_file_name("a/b\\c\u{1b}[31m"), "a_b_c__31m");
        assert_eq!(safe_file_name(&"x".repeat(500)).len(), 100);
    }

    #[test]
    fn only_ids_name_downloads_and_distinct_ids_get_distinct_names() {
        assert_eq!(
            id_file_name("generation", "gen_01abc", "", "mp4").unwrap(),
            "gen_01abc.mp4"
        );
        assert_eq!(
            id_file_name("generation", "gen_01abc", ".clean", "mp4").unwrap(),
            "gen_01abc.clean.mp4"
        );
        for bad in ["", ".", "..", "a/b", "x\u{202e}", "../../etc/passwd"] {
            let e = id_file_name("generation", bad, "", "mp4").unwrap_err();
            assert!(e.to_string().contains("the generation id"), "{e}");
        }
        // Long ids differ past any cut a sanitiser would make: the names differ too.
        let a = format!("{}a", "x".repeat(120));
        let b = format!("{}b", "x".repeat(120));
        assert_ne!(
            id_file_name("generation", &a, "", "mp4").unwrap(),
            id_file_name("generation", &b, "", "mp4").unwrap()
        );
    }

    #[test]
    fn extensions_come_from_the_path_only() {
        assert_eq!(
            media_extension("https://m/x/source.mp4?sig=a.png", "bin"),
            "mp4"
        );
        assert_eq!(media_extension("https://m/x/img", "png"), "png");
        assert_eq!(media_extension("https://m/x/a.exe", "mp4"), "mp4");
    }

    #[test]
    fn every_written_extension_is_kept_and_jpeg_becomes_jpg() {
        for (url, ext) in [
            ("https://m/a.mp4", "mp4"),
            ("https://m/a.PNG", "png"),
            ("https://m/a.webp", "webp"),
            ("https://m/a.jpg", "jpg"),
            ("https://m/a.jpeg", "jpg"),
            ("https://m/a.gif", "gif"),
        ] {
            assert_eq!(media_extension(url, "bin"), ext, "{url}");
        }
    }

    #[test]
    fn caps_are_shown_in_the_largest_whole_unit() {
        assert_eq!(human_size(1024 * 1024), "1 MB");
        assert_eq!(human_size(20 * 1024 * 1024), "20 MB");
        assert_eq!(human_size(1024 * 1024 - 1), "1023 KB");
        assert_eq!(human_size(1024), "1 KB");
        assert_eq!(human_size(1023), "1023 bytes");
    }
}

/// Hostile files for the readers' tests: a named pipe, and a guard that turns a hang into a
/// failure.
#[cfg(test)]
pub(crate) mod hostile {
    use std::path::Path;
    use std::time::Duration;

    /// Creates a named pipe at `path` (nobody ever writes to it: opening it for reading
    /// blocks until someone does).
    pub fn mkfifo(path: &Path) {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(path.as_os_str().as_bytes()).expect("no NUL in path");
        // SAFETY: `c` is a valid NUL-terminated path that outlives the call.
        let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o600) };
        assert_eq!(rc, 0, "mkfifo {}", path.display());
    }

    /// Runs `f` on its own thread and returns its result, or fails the test when it has not
    /// answered after a generous while: a reader that blocks on a FIFO must fail the test,
    /// not hang the suite. (A hang guard, not a speed check.)
    pub fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(v) => v,
            // The stuck thread is left behind; the test process ends with the suite.
            Err(_) => panic!("{what} did not return: it blocked"),
        }
    }
}

#[cfg(test)]
mod read_tests {
    use super::hostile::{mkfifo, within};
    use super::*;
    use std::path::Path;

    #[test]
    fn a_fifo_is_refused_without_opening_it() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        mkfifo(&fifo);
        let err = within("read_capped on a FIFO", move || read_capped(&fifo, 1024)).unwrap_err();
        assert!(matches!(err, ReadError::NotRegular(_)), "{err:?}");
        let line = err.message("the token file", Path::new("/x/pipe"));
        assert_eq!(
            line,
            "the token file /x/pipe is a named pipe (FIFO), not a regular file: choose a file"
        );
    }

    #[test]
    fn dev_zero_and_folders_are_refused() {
        let err = within("read_capped on /dev/zero", || {
            read_capped(Path::new("/dev/zero"), 1024)
        })
        .unwrap_err();
        assert_eq!(
            err.reason(),
            "is a device, not a regular file: choose a file"
        );
        let dir = tempfile::tempdir().unwrap();
        let err = read_capped(dir.path(), 1024).unwrap_err();
        assert!(err.reason().starts_with("is a folder"), "{err:?}");
        assert!(matches!(
            read_capped(&dir.path().join("missing"), 1024),
            Err(ReadError::Missing)
        ));
    }

    /// `/proc` files are regular files that report size 0: only the capped read stops them.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_read_is_capped_even_when_the_size_says_zero() {
        let proc_file = Path::new("/proc/self/status");
        assert_eq!(std::fs::metadata(proc_file).unwrap().len(), 0);
        let err = within("read_capped on /proc", move || read_capped(proc_file, 16)).unwrap_err();
        assert!(matches!(err, ReadError::TooLarge { max: 16 }), "{err:?}");
        assert_eq!(
            err.reason(),
            "is larger than 16 bytes: choose a smaller file"
        );
    }

    #[test]
    fn regular_files_are_read_up_to_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "héllo").unwrap();
        assert_eq!(read_text_capped(&path, 6).unwrap(), "héllo");
        assert!(matches!(
            read_capped(&path, 5),
            Err(ReadError::TooLarge { max: 5 })
        ));
        std::fs::write(&path, [0xff, 0xfe]).unwrap();
        assert!(matches!(
            read_text_capped(&path, 6),
            Err(ReadError::NotText)
        ));
        // A symlink to a file is read; one to a device is refused like the device.
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert!(matches!(
            read_capped(&link, 1024),
            Err(ReadError::NotRegular(_))
        ));
    }
}
