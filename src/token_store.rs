//! The access token kept on disk by `sora-tui login`: one file readable by its owner only
//! (0600) in a config dir only its owner can enter (0700).
//!
//! Why a file and not the OS keyring: the `keyring` crate reaches the Secret Service over
//! D-Bus, which needs a running session bus and keyring daemon. Headless machines, SSH
//! sessions and containers (where a terminal client is often used) have neither, so the
//! keyring would fail exactly where this program is most at home, and it would pull a large
//! D-Bus dependency tree into every build. A 0600 file is what `ssh`, `gh` and `aws` do.

use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::api::{AccessToken, TokenProblem};
use crate::fsutil::{Access, ReadError, read_text_capped, write_atomic};

/// Mode of the token file: read and write for the owner, nothing for anyone else.
pub const FILE_MODE: u32 = crate::fsutil::OWNER_ONLY_MODE;
/// Mode of the folder that holds it.
pub const DIR_MODE: u32 = 0o700;
/// Permission bits that let a user other than the owner at a file.
const OTHERS: u32 = 0o077;

/// What [`save`] did, so the command can say it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// The file written.
    pub path: PathBuf,
    /// The mode an earlier file had when it let others in; it was replaced by a 0600 one.
    pub replaced_wide: Option<u32>,
    /// The mode the folder had when it let others in; it was narrowed to 0700.
    pub narrowed_dir: Option<u32>,
}

/// The permission bits of `path` (`None` when it cannot be read).
pub fn mode_of(path: &Path) -> Option<u32> {
    std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o777)
}

/// The mode of `path` when users other than the owner can read or write it.
pub fn exposed_mode(path: &Path) -> Option<u32> {
    mode_of(path).filter(|m| m & OTHERS != 0)
}

/// One line for stderr when a token file can be read by others, else `None`.
pub fn exposure_warning(path: &Path) -> Option<String> {
    exposed_mode(path).map(|mode| {
        format!(
            "sora-tui: warning: the token file {} can be accessed by other users (mode {mode:04o}): run `chmod 600 {}`",
            path.display(),
            path.display()
        )
    })
}

/// Writes `token` to `path` with mode 0600, creating its folder with mode 0700.
///
/// The token goes through [`write_atomic`] with [`Access::OwnerOnly`]: into a new file
/// created 0600 next to the target, then renamed over it, so the token is never written into
/// a file with wider permissions, and a crash leaves the old token or the new one, never half
/// of one. A folder that lets others in is narrowed to 0700 first (it is this program's own
/// folder).
pub fn save(path: &Path, token: &AccessToken) -> io::Result<Saved> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)?;
    let narrowed_dir = exposed_mode(dir);
    if narrowed_dir.is_some() {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(DIR_MODE))?;
    }
    let replaced_wide = exposed_mode(path);
    write_atomic(path, &[token.expose().as_bytes(), b"\n"], Access::OwnerOnly)?;
    Ok(Saved {
        path: path.to_path_buf(),
        replaced_wide,
        narrowed_dir,
    })
}

/// The largest token file read: a JWT is a few kilobytes; anything far larger is not a token
/// (and a device like `/dev/zero` must not be read to its end).
pub const MAX_FILE_BYTES: u64 = 64 * 1024;

/// Reads the stored token; `Ok(None)` when there is none.
pub fn load(path: &Path) -> Result<Option<AccessToken>, String> {
    let text = match read_text_capped(path, MAX_FILE_BYTES) {
        Ok(text) => text,
        Err(ReadError::Missing) => return Ok(None),
        Err(e) => return Err(e.message("the stored token", path)),
    };
    AccessToken::parse(&text).map(Some).map_err(|problem| {
        format!(
            "the stored token {} {problem}: run `sora-tui login` again",
            path.display()
        )
    })
}

/// Reads a token file the user named (`--token-file`, the config's `token_file`): a regular
/// file of at most [`MAX_FILE_BYTES`] holding the token alone. The error says what to do.
pub fn read_file(path: &Path) -> Result<AccessToken, String> {
    let text = read_text_capped(path, MAX_FILE_BYTES).map_err(|e| match e {
        ReadError::Missing => format!(
            "the token file {} does not exist: check the path or run `sora-tui login`",
            path.display()
        ),
        e => e.message("the token file", path),
    })?;
    AccessToken::parse(&text).map_err(|problem| match problem {
        TokenProblem::Empty => format!(
            "the token file {} is empty: put the token in it",
            path.display()
        ),
        TokenProblem::Whitespace { .. } => format!(
            "the token in {} {problem}: put only the token in it",
            path.display()
        ),
        _ => format!("the token in {} {problem}: paste it again", path.display()),
    })
}

/// Deletes the stored token; `Ok(false)` when there was none.
pub fn remove(path: &Path) -> io::Result<bool> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> AccessToken {
        AccessToken::new("eyJhbGciOiJSUzI1NiJ9.stored-secret.signature").unwrap()
    }

    #[test]
    fn saves_0600_in_a_0700_dir_and_loads_back() {
        let home = tempfile::tempdir().unwrap();
        let path = home.path().join("cfg/sora-tui/token");
        let saved = save(&path, &token()).unwrap();
        assert_eq!(saved.replaced_wide, None);
        assert_eq!(mode_of(&path), Some(0o600));
        assert_eq!(mode_of(path.parent().unwrap()), Some(0o700));
        assert_eq!(load(&path).unwrap(), Some(token()));
        assert!(exposure_warning(&path).is_none());
        assert!(remove(&path).unwrap());
        assert!(!remove(&path).unwrap());
        assert_eq!(load(&path).unwrap(), None);
    }

    #[test]
    fn a_wide_file_and_dir_are_narrowed_not_reused() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("sora-tui");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = dir.join("token");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(exposure_warning(&path).unwrap().contains("0644"));
        let saved = save(&path, &token()).unwrap();
        assert_eq!(saved.replaced_wide, Some(0o644));
        assert_eq!(saved.narrowed_dir, Some(0o755));
        assert_eq!(mode_of(&path), Some(0o600));
        assert_eq!(mode_of(&dir), Some(0o700));
        // No temporary file is left next to it.
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn a_byte_order_mark_is_stripped_and_non_ascii_is_named() {
        let home = tempfile::tempdir().unwrap();
        let path = home.path().join("token");
        std::fs::write(&path, "\u{feff}eyJ-token-from-notepad\r\n").unwrap();
        assert_eq!(read_file(&path).unwrap().expose(), "eyJ-token-from-notepad");
        assert_eq!(
            load(&path).unwrap().map(|t| t.expose().to_string()),
            Some("eyJ-token-from-notepad".to_string())
        );
        std::fs::write(&path, "eyJ-tok\u{2019}en\n").unwrap();
        let err = read_file(&path).unwrap_err();
        assert_eq!(
            err,
            format!(
                "the token in {} contains a non-ASCII character (U+2019) at position 8: paste it again",
                path.display()
            )
        );
        assert!(
            load(&path)
                .unwrap_err()
                .contains("non-ASCII character (U+2019) at position 8"),
            "the stored token says the same"
        );
    }

    #[test]
    fn a_token_of_several_kilobytes_is_read() {
        let home = tempfile::tempdir().unwrap();
        let path = home.path().join("token");
        let long = format!("eyJ{}", "a".repeat(8 * 1024));
        std::fs::write(&path, &long).unwrap();
        assert_eq!(read_file(&path).unwrap().expose(), long);
    }

    #[test]
    fn an_empty_or_two_word_token_file_says_what_to_put_in_it() {
        let home = tempfile::tempdir().unwrap();
        let path = home.path().join("token");
        std::fs::write(&path, "\n").unwrap();
        assert_eq!(
            read_file(&path).unwrap_err(),
            format!(
                "the token file {} is empty: put the token in it",
                path.display()
            )
        );
        std::fs::write(&path, "eyJ-one eyJ-two\n").unwrap();
        let err = read_file(&path).unwrap_err();
        assert!(err.ends_with(": put only the token in it"), "{err}");
    }

    #[test]
    fn removing_fails_when_something_other_than_absence_stops_it() {
        let home = tempfile::tempdir().unwrap();
        // `remove_file` on a folder fails, and not with "not found".
        assert!(remove(home.path()).is_err());
    }

    #[test]
    fn a_fifo_or_a_device_is_not_read_as_a_token() {
        use crate::fsutil::hostile::{mkfifo, within};
        let home = tempfile::tempdir().unwrap();
        let fifo = home.path().join("token");
        mkfifo(&fifo);
        let (f1, f2) = (fifo.clone(), fifo.clone());
        let err = within("read_file on a FIFO", move || read_file(&f1)).unwrap_err();
        assert!(
            err.contains("is a named pipe (FIFO), not a regular file"),
            "{err}"
        );
        let err = within("load on a FIFO", move || load(&f2)).unwrap_err();
        assert!(err.contains("not a regular file"), "{err}");
        let err = within("read_file on /dev/zero", || {
            read_file(Path::new("/dev/zero"))
        })
        .unwrap_err();
        assert!(err.contains("is a device, not a regular file"), "{err}");
        assert!(
            read_file(&home.path().join("missing"))
                .unwrap_err()
                .contains("does not exist")
        );
    }
}
