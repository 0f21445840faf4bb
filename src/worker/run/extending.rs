//! The loop's side of `Request::Extend` (`worker/extend.rs`): the create runs among the
//! submissions, so its outcome is recorded, reported and tracked by the same code.

use super::Worker;
use crate::worker::extend::{self, ExtendRequest};

impl Worker {
    /// `Request::Extend`: sent at once (the local queue holds only submissions; a refusal
    /// for a limit is reported as the service words it).
    pub(super) fn extend(&mut self, req: ExtendRequest) {
        let known = self.known_tasks();
        self.submits.spawn(extend::extend(
            self.client.clone(),
            self.history.clone(),
            req,
            known,
        ));
    }
}
