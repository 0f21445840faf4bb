//! The cameo record shared by the worker loop and the cameo jobs: one lock around the list,
//! and every change written to `cameos.json` and reported to the UI while the lock is held,
//! so two jobs changing different cameos at once never lose each other's update and the UI
//! hears the changes in the order they were written.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use super::CameoEvent;
use crate::app::cameos::CameoRecord;
use crate::store::Store;
use crate::worker::protocol::Event;

/// The document in the data dir.
pub(super) const CAMEOS_FILE: &str = "cameos.json";

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
    /// The sora-api.md pace (every 5 s, 10 minutes, 3 errors); `SORA_CAMEO_POLL_MS` overrides
    /// the interval so tests and demos need not wait 5 s per poll.
    pub fn from_env() -> Timing {
        let poll = std::env::var("SORA_CAMEO_POLL_MS")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            // Never spin, whatever the variable says.
            .map(|ms| Duration::from_millis(ms.max(10)))
            .unwrap_or(Duration::from_secs(5));
        Timing {
            poll,
            timeout: Duration::from_secs(600),
            max_errors: 3,
        }
    }
}

/// The record, the store it is saved in, and the way to the UI.
pub(super) struct Book {
    store: Store,
    events: UnboundedSender<Event>,
    records: Mutex<Vec<CameoRecord>>,
    /// The poll pace.
    pub timing: Timing,
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
            records: Mutex::new(records),
            timing,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<CameoRecord>> {
        // A job that panicked while holding the lock takes the worker down anyway (see
        // `run::propagate_panic`); the data itself is still a valid list.
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A copy of one record.
    pub fn get(&self, key: &str) -> Option<CameoRecord> {
        self.lock().iter().find(|r| r.key == key).cloned()
    }

    /// A copy of every record.
    pub fn all(&self) -> Vec<CameoRecord> {
        self.lock().clone()
    }

    /// Adds a record, or replaces the one with its key; saved and reported.
    pub fn put(&self, record: CameoRecord) {
        let mut records = self.lock();
        match records.iter_mut().find(|r| r.key == record.key) {
            Some(r) => *r = record.clone(),
            None => records.insert(0, record.clone()),
        }
        self.save(&records);
        self.emit(CameoEvent::Changed(Box::new(record)));
    }

    /// Changes one record; saved and reported. `None` when it is gone (deleted meanwhile).
    pub fn change(&self, key: &str, f: impl FnOnce(&mut CameoRecord)) -> Option<CameoRecord> {
        let mut records = self.lock();
        let record = records.iter_mut().find(|r| r.key == key)?;
        f(record);
        let changed = record.clone();
        self.save(&records);
        self.emit(CameoEvent::Changed(Box::new(changed.clone())));
        Some(changed)
    }

    /// Removes one record; saved and reported. `false` when it was not there.
    pub fn remove(&self, key: &str) -> bool {
        let mut records = self.lock();
        let before = records.len();
        records.retain(|r| r.key != key);
        if records.len() == before {
            return false;
        }
        self.save(&records);
        self.emit(CameoEvent::Removed {
            key: key.to_string(),
        });
        true
    }

    /// Writes the whole record (called with the lock held, so writes happen in order).
    pub fn save(&self, records: &[CameoRecord]) {
        if let Err(e) = self.store.save(CAMEOS_FILE, records) {
            tracing::warn!(error = %e, "cannot save the cameo record");
            let _ = self
                .events
                .send(Event::StoreFailed(format!("the cameo record: {e}")));
        }
    }

    /// Tells the UI something about the cameos.
    pub fn emit(&self, event: CameoEvent) {
        // A UI that is gone is not an error here: the worker ends when its requests close.
        let _ = self.events.send(Event::Cameo(event));
    }
}
