//! The cameo creation flows and the record of created cameos (issue 5 fills this in).

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinSet;

use super::protocol::Event;
use crate::api::Client;
use crate::store::Store;

/// What the Cameos pane asks of the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum CameoRequest {}

/// What the worker tells the Cameos pane.
#[derive(Debug, Clone, PartialEq)]
pub enum CameoEvent {}

/// The worker's cameo state.
pub struct Cameos {
    #[allow(dead_code)]
    store: Store,
}

impl Cameos {
    /// Restores the record, reports it, and resumes unfinished flows as jobs.
    pub(super) async fn start(
        _client: &Client,
        store: Store,
        _events: &UnboundedSender<Event>,
        _jobs: &mut JoinSet<()>,
    ) -> Cameos {
        Cameos { store }
    }

    /// Handles one request; long work goes into `jobs`.
    pub(super) async fn handle(
        &mut self,
        request: CameoRequest,
        _client: &Client,
        _events: &UnboundedSender<Event>,
        _jobs: &mut JoinSet<()>,
    ) {
        match request {}
    }

    /// Writes what is pending before the worker stops.
    pub(super) async fn flush(&mut self) {}
}
