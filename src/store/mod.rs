//! Local persistence in the data dir: small JSON documents written atomically (temp file,
//! fsync, rename), so a crash leaves either the old or the new version, never a torn one.
//! The record files several instances share are merged on write, never overwritten whole
//! (see `records`).
//!
//! A store may be scoped to one backend ([`Store::for_backend`]): then every record this
//! instance writes into a record list carries the backend's base URL in a `backend` field, and
//! records of another backend are hidden from every read and kept on disk untouched by every
//! write, so a task, cameo or temporary post made against one server is never polled, resumed
//! or deleted against another (docs/architecture.md#where-state-lives). A record without the
//! field (written before the field existed) belongs to whichever backend reads it.

mod records;

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use records::{Diff, Keyed, Merged, RecordOp, RecordSet, Stamp, apply};

/// The largest document read: far above any real record file, low enough that a hostile or
/// runaway file (`/dev/zero` linked in its place) cannot exhaust memory.
pub const MAX_DOCUMENT: u64 = 32 * 1024 * 1024;

/// The data dir and the documents in it.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
    /// The base URL the record lists are scoped to, normalised; `None`: every record.
    backend: Option<String>,
}

/// The field of a record (an object in a record list) naming the backend it belongs to.
pub const BACKEND_FIELD: &str = "backend";

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
        Store {
            dir: dir.into(),
            backend: None,
        }
    }

    /// The same store, its record lists scoped to the backend at `base_url` (see the module
    /// comment): what the worker uses, so that it only ever acts on its own backend's records.
    pub fn for_backend(mut self, base_url: &str) -> Store {
        self.backend = Some(normalise_url(base_url));
        self
    }

    /// The backend the record lists are scoped to, if any.
    pub fn backend(&self) -> Option<&str> {
        self.backend.as_deref()
    }

    /// The root folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Path of a named document.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Reads a JSON document; `Ok(None)` when it does not exist. An unparseable one is moved
    /// to `NAME.corrupt` and reported; one that is not a regular file or is larger than
    /// [`MAX_DOCUMENT`] is reported and left where it is.
    pub fn load<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, StoreError> {
        self.read_doc(name).map_err(Unreadable::into_error)
    }

    /// [`Store::load`], telling a document kept aside as corrupt from one not read at all.
    fn read_doc<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, Unreadable> {
        Ok(self.read_scoped(name)?.map(|(doc, _)| doc))
    }

    /// Reads a document, split into what this store may see and the records of other
    /// backends (as they are on disk, empty when unscoped or not a list).
    fn read_scoped<T: DeserializeOwned>(
        &self,
        name: &str,
    ) -> Result<Option<(T, Vec<serde_json::Value>)>, Unreadable> {
        let path = self.path(name);
        let text = match crate::fsutil::read_capped(&path, MAX_DOCUMENT) {
            Ok(t) => t,
            Err(crate::fsutil::ReadError::Missing) => return Ok(None),
            Err(e) => {
                use crate::fsutil::ReadError;
                let message = match e {
                    ReadError::NotRegular(kind) => {
                        format!("is {kind}, not a regular file: move it out of the way")
                    }
                    ReadError::TooLarge { max } => format!(
                        "is larger than {}: move it out of the way",
                        crate::text::bytes(max)
                    ),
                    ReadError::Io(e) => format!("cannot be read ({e})"),
                    other => other.reason(),
                };
                return Err(Unreadable::Left(StoreError {
                    path: path.display().to_string(),
                    message,
                }));
            }
        };
        self.parse(&text).map(Some).map_err(|e| {
            let mut aside = path.as_os_str().to_owned();
            aside.push(".corrupt");
            let _ = std::fs::rename(&path, &aside);
            Unreadable::SetAside(StoreError {
                path: path.display().to_string(),
                message: format!(
                    "unreadable ({e}); kept as {}",
                    PathBuf::from(aside).display()
                ),
            })
        })
    }

    /// Parses a document; in a scoped store, the records of other backends are taken out of
    /// a list before it is read as `T`.
    fn parse<T: DeserializeOwned>(
        &self,
        text: &[u8],
    ) -> Result<(T, Vec<serde_json::Value>), serde_json::Error> {
        let Some(mine) = &self.backend else {
            return Ok((serde_json::from_slice(text)?, Vec::new()));
        };
        let mut doc: serde_json::Value = serde_json::from_slice(text)?;
        let mut foreign = Vec::new();
        if let serde_json::Value::Array(items) = &mut doc {
            let (keep, other) = std::mem::take(items)
                .into_iter()
                .partition(|item| belongs_to(item, mine));
            *items = keep;
            foreign = other;
        }
        Ok((serde_json::from_value(doc)?, foreign))
    }

    /// Writes a record list atomically (see [`Store::record_bytes`]); the merge and the
    /// locked update share it.
    fn write_records<T: Serialize>(
        &self,
        path: &std::path::Path,
        records: &[T],
        foreign: Vec<serde_json::Value>,
    ) -> Result<(), StoreError> {
        let bytes = self
            .record_bytes(records, foreign)
            .map_err(|e| StoreError {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
        write_atomic(path, &bytes)
    }

    /// The bytes of a record list as written by this store: its own records, each tagged with
    /// its backend when scoped, then the other backends' records as they were.
    fn record_bytes<T: Serialize>(
        &self,
        records: &[T],
        foreign: Vec<serde_json::Value>,
    ) -> Result<Vec<u8>, serde_json::Error> {
        let mut list = Vec::with_capacity(records.len() + foreign.len());
        for record in records {
            let mut value = serde_json::to_value(record)?;
            if let (Some(mine), serde_json::Value::Object(fields)) = (&self.backend, &mut value) {
                fields.insert(
                    BACKEND_FIELD.to_string(),
                    serde_json::Value::String(mine.clone()),
                );
            }
            list.push(value);
        }
        list.extend(foreign);
        serde_json::to_vec_pretty(&list)
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

/// A base URL as compared between records: without surrounding blanks and trailing slashes.
fn normalise_url(url: &str) -> String {
    url.trim().trim_end_matches('/').to_string()
}

/// Whether a record in a list belongs to the backend `mine`: its `backend` field names it, or
/// it has none (a record from before the field existed is taken to be the configured
/// backend's, so an upgrade loses nothing).
fn belongs_to(record: &serde_json::Value, mine: &str) -> bool {
    match record
        .get(BACKEND_FIELD)
        .and_then(serde_json::Value::as_str)
    {
        Some(backend) => normalise_url(backend) == mine,
        None => true,
    }
}

/// Writes `bytes` to `path` with the one atomic writer, [`crate::fsutil::write_atomic`]
/// (temp file, fsync, rename, fsync of the folder), creating the folder first; the error
/// names the file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| err(dir, e))?;
    crate::fsutil::write_atomic(path, &[bytes], crate::fsutil::Access::Default)
        .map_err(|e| err(path, e))
}

/// Why a document was not read.
enum Unreadable {
    /// It could not be parsed, and was moved to `NAME.corrupt`.
    SetAside(StoreError),
    /// It could not be read at all and is still there.
    Left(StoreError),
}

impl Unreadable {
    fn into_error(self) -> StoreError {
        match self {
            Unreadable::SetAside(e) | Unreadable::Left(e) => e,
        }
    }
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
