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
                format!(
                    "is larger than {}: choose a smaller file",
                    crate::text::bytes(*max)
                )
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

/// A path as the user typed it, with a leading `~` (alone or before `/`) standing for
/// `home`, the way a shell reads it. `~user` is left alone (whose home it is would need the
/// password database, and nothing here offers it), as is everything when `home` is unknown
/// (empty).
pub fn expand_home(typed: &str, home: &std::path::Path) -> std::path::PathBuf {
    if home.as_os_str().is_empty() {
        return std::path::PathBuf::from(typed);
    }
    match typed.strip_prefix('~') {
        Some("") => home.to_path_buf(),
        Some(rest) => match rest.strip_prefix('/') {
            Some(rest) => home.join(rest),
            None => std::path::PathBuf::from(typed),
        },
        None => std::path::PathBuf::from(typed),
    }
}

// ---- Writing files atomically ----
//
// Every file this program keeps (the store's documents, the token, a storyboard) is replaced
// through a new file in the same folder that is written, fsynced and renamed over the old
// one, and then the folder is fsynced: a crash or power cut leaves the old version or the new
// one, never a torn one, and the rename itself survives the power cut.

/// The mode of an [`Access::OwnerOnly`] file: read and write for the owner, nothing else.
pub const OWNER_ONLY_MODE: u32 = 0o600;

/// Who may read a file [`write_atomic`] creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The usual mode: `0666` less the umask, as for any file a program makes.
    Default,
    /// The owner only (`0600`) from the moment the file exists, whatever the umask: for
    /// secrets, which must never sit in a file with wider permissions, not even half-written.
    OwnerOnly,
}

/// Replaces `path` with `parts` written one after the other, atomically: through a temp file
/// created next to it (mode per `access`), fsynced, renamed over `path`, then the folder
/// fsynced. The folder must exist. On an error the temp file is removed and `path` is as it
/// was. A failed fsync of the folder is not an error: the new file is complete and in place
/// by then, and some file systems refuse to fsync a folder.
pub fn write_atomic(
    path: &std::path::Path,
    parts: &[&[u8]],
    access: Access,
) -> std::io::Result<()> {
    let dir = parent_dir(path);
    let tmp = temp_name(path);
    // A leftover of a crashed process that had this pid would make `create_new` fail.
    let _ = std::fs::remove_file(&tmp);
    let written = write_new(&tmp, parts, access).and_then(|()| {
        step(Step::Rename);
        std::fs::rename(&tmp, path)
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    if let Ok(d) = std::fs::File::open(dir) {
        step(Step::SyncDir);
        let _ = d.sync_all();
    }
    Ok(())
}

/// The folder `path` is in (`.` for a bare name).
fn parent_dir(path: &std::path::Path) -> &std::path::Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."))
}

/// A temp name beside `path`, unique per process and per write: two writers of the same file
/// (two threads, two instances) must never share, and truncate, one temp file.
fn temp_name(path: &std::path::Path) -> std::path::PathBuf {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    parent_dir(path).join(format!(".{name}.{}.{n}.tmp", std::process::id()))
}

/// Creates `tmp` (it must not exist yet) with the mode `access` asks for, writes `parts` and
/// fsyncs it.
fn write_new(tmp: &std::path::Path, parts: &[&[u8]], access: Access) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    if access == Access::OwnerOnly {
        options.mode(OWNER_ONLY_MODE);
    }
    let mut file = options.open(tmp)?;
    step(Step::Create);
    if access == Access::OwnerOnly {
        // The umask can only remove bits, but set the mode explicitly anyway: it is the point.
        file.set_permissions(std::fs::Permissions::from_mode(OWNER_ONLY_MODE))?;
    }
    for part in parts {
        file.write_all(part)?;
    }
    step(Step::Write);
    file.sync_all()?;
    step(Step::SyncFile);
    Ok(())
}

/// The steps of [`write_atomic`], recorded in tests so they can check the fsyncs happen (and
/// in order): nothing outside can observe an fsync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Create,
    Write,
    SyncFile,
    Rename,
    SyncDir,
}

#[cfg(test)]
thread_local! {
    static STEPS: std::cell::RefCell<Vec<Step>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Records a step of a write (tests only; nothing in a build).
#[cfg_attr(not(test), allow(unused_variables))]
fn step(s: Step) {
    #[cfg(test)]
    STEPS.with(|steps| steps.borrow_mut().push(s));
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
    fn caps_are_shown_with_the_one_byte_formatter() {
        let cap = |max| ReadError::TooLarge { max }.reason();
        assert_eq!(
            cap(1024 * 1024),
            "is larger than 1 MB: choose a smaller file"
        );
        assert_eq!(
            cap(64 * 1024),
            "is larger than 64 KB: choose a smaller file"
        );
        assert_eq!(cap(300), "is larger than 300 B: choose a smaller file");
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
        assert_eq!(err.reason(), "is larger than 16 B: choose a smaller file");
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

#[cfg(test)]
mod write_tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    /// The steps the last writes on this thread took, emptied.
    fn steps() -> Vec<Step> {
        STEPS.with(|s| std::mem::take(&mut *s.borrow_mut()))
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_home_is_expanded_only_where_a_shell_would() {
        let home = Path::new("/home/u");
        assert_eq!(expand_home("~", home), Path::new("/home/u"));
        assert_eq!(expand_home("~/", home), Path::new("/home/u/"));
        assert_eq!(
            expand_home("~/v/me.mp4", home),
            Path::new("/home/u/v/me.mp4")
        );
        assert_eq!(expand_home("~user/x", home), Path::new("~user/x"));
        assert_eq!(expand_home("~user", home), Path::new("~user"));
        assert_eq!(expand_home("/a/~/b", home), Path::new("/a/~/b"));
        assert_eq!(expand_home("a.mp4", home), Path::new("a.mp4"));
        // An unknown home expands nothing: `~/x` must not become `/x`.
        assert_eq!(expand_home("~/x", Path::new("")), Path::new("~/x"));
        assert_eq!(expand_home("~", Path::new("")), Path::new("~"));
    }

    #[test]
    fn a_write_fsyncs_the_file_before_the_rename_and_the_folder_after() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.json");
        steps();
        write_atomic(&path, &[b"one", b"two"], Access::Default).unwrap();
        assert_eq!(
            steps(),
            [
                Step::Create,
                Step::Write,
                Step::SyncFile,
                Step::Rename,
                Step::SyncDir
            ]
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"onetwo");
        write_atomic(&path, &[b"three"], Access::Default).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"three");
        assert_eq!(names(dir.path()), ["doc.json"], "no temp file is left");
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        // A folder that is not empty cannot be renamed over: the write fails at the rename,
        // after the temp file was created and written.
        let path = dir.path().join("taken");
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("inside"), "x").unwrap();
        steps();
        assert!(write_atomic(&path, &[b"new"], Access::Default).is_err());
        assert_eq!(
            steps().last(),
            Some(&Step::Rename),
            "it failed at the rename"
        );
        assert_eq!(names(dir.path()), ["taken"], "no temp file is left");
        assert!(path.join("inside").exists());
        // A folder that does not exist: nothing is created anywhere.
        let missing = dir.path().join("none/doc");
        assert!(write_atomic(&missing, &[b"new"], Access::Default).is_err());
        assert_eq!(names(dir.path()), ["taken"]);
    }

    #[test]
    fn an_owner_only_file_is_0600_and_a_default_one_follows_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("secret");
        std::fs::write(&secret, "old").unwrap();
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_atomic(&secret, &[b"new"], Access::OwnerOnly).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&secret), 0o600, "the wide old file's mode is not kept");
        let plain = dir.path().join("plain");
        write_atomic(&plain, &[b"x"], Access::Default).unwrap();
        // Whatever the umask, a default file is not narrowed to the owner alone on purpose,
        // and never gets more than 0666.
        assert_eq!(mode(&plain) & !0o666, 0);
        assert_eq!(names(dir.path()), ["plain", "secret"]);
    }
}
