//! Local persistence in the data dir: small JSON documents written atomically (temp file,
//! fsync, rename), so a crash leaves either the old or the new version, never a torn one.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The data dir and the documents in it.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

/// A document that exists but could not be read; the caller decides what to do (it is kept
/// aside as `NAME.corrupt` so nothing is silently overwritten).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct StoreError {
    /// The file.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

impl Store {
    /// A store rooted at `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Store {
        Store { dir: dir.into() }
    }

    /// The root folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Path of a named document.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Reads a JSON document; `Ok(None)` when it does not exist. An unreadable one is moved
    /// to `NAME.corrupt` and reported.
    pub fn load<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, StoreError> {
        let path = self.path(name);
        let text = match std::fs::read(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(err(&path, e)),
        };
        serde_json::from_slice(&text).map(Some).map_err(|e| {
            let mut aside = path.as_os_str().to_owned();
            aside.push(".corrupt");
            let _ = std::fs::rename(&path, &aside);
            StoreError {
                path: path.display().to_string(),
                message: format!(
                    "unreadable ({e}); kept as {}",
                    PathBuf::from(aside).display()
                ),
            }
        })
    }

    /// Writes a JSON document atomically.
    pub fn save<T: Serialize + ?Sized>(&self, name: &str, value: &T) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec_pretty(value).map_err(|e| StoreError {
            path: name.to_string(),
            message: e.to_string(),
        })?;
        write_atomic(&self.path(name), &bytes)
    }
}

/// Writes `bytes` to `path` through a temp file in the same folder, fsynced and renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| err(dir, e))?;
    // A unique temp name per write: concurrent writers of the same document must not share
    // (and truncate) one temp file.
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}.{n}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(path, e));
    }
    Ok(())
}

fn err(path: &Path, e: std::io::Error) -> StoreError {
    StoreError {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_load_and_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("data"));
        assert_eq!(store.load::<Vec<u32>>("x.json").unwrap(), None);
        store.save("x.json", &vec![1u32, 2, 3]).unwrap();
        assert_eq!(
            store.load::<Vec<u32>>("x.json").unwrap(),
            Some(vec![1, 2, 3])
        );
        std::fs::write(store.path("x.json"), b"{torn").unwrap();
        let e = store.load::<Vec<u32>>("x.json").unwrap_err();
        assert!(e.message.contains("corrupt"), "{e}");
        assert!(store.path("x.json.corrupt").exists());
        assert_eq!(store.load::<Vec<u32>>("x.json").unwrap(), None);
    }
}
