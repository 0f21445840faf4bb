//! Storyboard files and the storyboard autosave, in the data dir (issue 4 fills this in).

use tokio::sync::mpsc::UnboundedSender;

use super::protocol::Event;
use crate::store::Store;

/// What the Storyboard pane asks of the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum StoryboardRequest {}

/// What the worker tells the Storyboard pane.
#[derive(Debug, Clone, PartialEq)]
pub enum StoryboardEvent {}

/// The worker's storyboard state.
pub struct Storyboards {
    #[allow(dead_code)]
    store: Store,
}

impl Storyboards {
    /// Restores what the pane needs at start and reports it.
    pub(super) async fn start(store: Store, _events: &UnboundedSender<Event>) -> Storyboards {
        Storyboards { store }
    }

    /// Handles one request.
    pub(super) async fn handle(
        &mut self,
        request: StoryboardRequest,
        _events: &UnboundedSender<Event>,
    ) {
        match request {}
    }

    /// Writes what is pending before the worker stops.
    pub(super) async fn flush(&mut self) {}
}
