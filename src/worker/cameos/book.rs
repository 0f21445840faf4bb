//! The cameo record shared by the worker loop and the cameo jobs: one lock around the list,
//! and every change written to `cameos.json` and reported to the UI while the lock is held,
//! so two jobs changing different cameos at once never lose each other's update and the UI
//! hears the changes in the order they were written. The file is shared with the other
//! instances on the data dir: each change is merged into it record by record (see
//! `store::RecordSet`), and what the others wrote is adopted and reported like a change here.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use super::CameoEvent;
use crate::cameo_record::CameoRecord;
use crate::store::{Diff, RecordSet, Stamp, Store};
use crate::worker::protocol::Event;

/// The document in the data dir.
pub(in crate::worker) const CAMEOS_FILE: &str = "cameos.json";

/// How the processing poll is paced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Timing {
    /// Between two `in_progress` requests.
    pub poll: Duration,
    /// How long one watch lasts before it stops with a message.
    pub timeout: Duration,
    /// Consecutive failed requests that stop a watch.
    pub max_errors: u32,
}

impl Timing {
    /// The limits of docs/api.md#lifecycles (10 minutes, 3 errors) at the worker's configured
    /// interval (`WorkerConfig::cameo_poll`: 5 s by default, shorter in tests and demos).
    pub fn with_poll(poll: Duration) -> Timing {
        Timing {
            // Never spin, whatever the configuration says.
            poll: poll.max(Duration::from_millis(10)),
            timeout: crate::cameo_record::PROCESSING_LIMIT,
            max_errors: crate::cameo_record::MAX_POLL_ERRORS,
        }
    }
}

/// The record, the store it is saved in, and the way to the UI.
pub(super) struct Book {
    store: Store,
    events: UnboundedSender<Event>,
    records: Mutex<Local>,
    /// The poll pace.
    pub timing: Timing,
}

/// This instance's copy of `cameos.json`, and how the file looked when last read.
struct Local {
    set: RecordSet<CameoRecord>,
    seen: Option<Stamp>,
}

impl Book {
    /// A book over restored records.
    pub fn new(
        store: Store,
        events: UnboundedSender<Event>,
        records: Vec<CameoRecord>,
        timing: Timing,
    ) -> Book {
        Book {
            store,
            events,
            records: Mutex::new(Local {
                set: RecordSet::new(records),
                seen: None,
            }),
            timing,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Local> {
        // A job that panicked while holding the lock takes the worker down anyway (see
        // `run::propagate_panic`); the data itself is still a valid list.
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A copy of one record.
    pub fn get(&self, key: &str) -> Option<CameoRecord> {
        self.lock().set.get(key).cloned()
    }

    /// A copy of every record.
    pub fn all(&self) -> Vec<CameoRecord> {
        self.lock().set.records().to_vec()
    }

    /// Adds a record, or replaces the one with its key; saved and reported.
    pub fn put(&self, record: CameoRecord) {
        let mut copy = self.lock();
        copy.set.put(record.clone());
        self.save(&mut copy);
        self.emit(CameoEvent::Changed(Box::new(record)));
    }

    /// Changes one record; saved and reported. `None` when it is gone (deleted meanwhile,
    /// here or by another instance).
    pub fn change(&self, key: &str, f: impl FnOnce(&mut CameoRecord)) -> Option<CameoRecord> {
        let mut copy = self.lock();
        copy.set.modify(key, f)?;
        self.save(&mut copy);
        // Another instance may have removed it: the save reported that as `Removed`.
        let changed = copy.set.get(key).cloned()?;
        self.emit(CameoEvent::Changed(Box::new(changed.clone())));
        Some(changed)
    }

    /// Removes one record; saved and reported. `false` when it was not there.
    pub fn remove(&self, key: &str) -> bool {
        let mut copy = self.lock();
        if !copy.set.remove(key) {
            return false;
        }
        self.save(&mut copy);
        self.emit(CameoEvent::Removed {
            key: key.to_string(),
        });
        true
    }

    /// Writes the given records' current state quietly (no events): for the stages
    /// rewritten at start, before the record is reported as restored.
    pub fn rewrite(&self, keys: &[String]) {
        let mut copy = self.lock();
        for key in keys {
            copy.set.modify(key, |_| ());
        }
        // Not reported one by one: `Restored` follows with the whole list.
        let _ = self.merge(&mut copy);
    }

    /// Adopts what other instances wrote to `cameos.json` since it was last read, and
    /// reports it. Blocking (one `stat`, and a read when the file changed).
    pub fn sync(&self) {
        let mut copy = self.lock();
        match self.store.read_if_changed(CAMEOS_FILE, copy.seen) {
            Ok(Some((stamp, records))) => {
                copy.seen = Some(stamp);
                let diff = copy.set.reloaded(records);
                self.report(diff);
            }
            Ok(None) => {}
            Err(e) => {
                let _ = self
                    .events
                    .send(Event::StoreFailed(format!("the cameo record: {e}")));
            }
        }
    }

    /// Merges the queued changes into the file (called with the lock held, so writes happen
    /// in order) and reports what other instances changed.
    fn save(&self, copy: &mut Local) {
        if let Some(diff) = self.merge(copy) {
            self.report(diff);
        }
    }

    /// Merges the queued changes into the file; `None` when the write failed (reported; the
    /// changes stay queued for the next write).
    fn merge(&self, copy: &mut Local) -> Option<Diff<CameoRecord>> {
        match copy.set.save(&self.store, CAMEOS_FILE) {
            Ok((diff, set_aside)) => {
                if let Some(e) = set_aside {
                    let _ = self
                        .events
                        .send(Event::StoreFailed(format!("the cameo record: {e}")));
                }
                Some(diff)
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot save the cameo record");
                let _ = self
                    .events
                    .send(Event::StoreFailed(format!("the cameo record: {e}")));
                None
            }
        }
    }

    /// Reports other instances' changes as changes here.
    fn report(&self, diff: Diff<CameoRecord>) {
        for record in diff.changed {
            self.emit(CameoEvent::Changed(Box::new(record)));
        }
        for key in diff.removed {
            self.emit(CameoEvent::Removed { key });
        }
    }

    /// Tells the UI something about the cameos.
    pub fn emit(&self, event: CameoEvent) {
        // A UI that is gone is not an error here: the worker ends when its requests close.
        let _ = self.events.send(Event::Cameo(event));
    }
}
