//! Choosing the account's username (`U`, for an account whose `/me` says `username: null`):
//! `username/check`, then `username/set`; a taken name is answered with a checked
//! suggestion (the typed name plus three digits) and nothing is set.

use tokio::sync::mpsc::UnboundedSender;

use super::protocol::Event;
use crate::api::{Client, Me, username};

/// What the worker answers to `Request::SetUsername`.
#[derive(Debug, Clone, PartialEq)]
pub enum UsernameEvent {
    /// The name is taken: nothing was set.
    Taken {
        /// The name asked for.
        username: String,
        /// A free name offered instead (checked), if one was found.
        suggestion: Option<String>,
    },
    /// The name is set; the profile the server answered (its `username` is the new name).
    Set(Me),
    /// The check or the set failed; nothing is known to have changed.
    Failed {
        /// The name asked for.
        username: String,
        /// Why, worded for the user.
        error: String,
    },
}

/// Checks `name`, then sets it; every outcome is one [`UsernameEvent`].
pub(super) async fn set(client: Client, events: UnboundedSender<Event>, name: String) {
    let event = match client.username_check(&name).await {
        Ok(false) => {
            let suggestion = client
                .suggest_username(&username::base_from_name(&name))
                .await
                .unwrap_or_else(|e| {
                    tracing::debug!(error = %e, "no username suggestion");
                    None
                });
            UsernameEvent::Taken {
                username: name,
                suggestion,
            }
        }
        Ok(true) => match client.username_set(&name).await {
            Ok(me) => UsernameEvent::Set(me),
            Err(e) if e.code() == Some("username_taken") => UsernameEvent::Taken {
                username: name,
                suggestion: None,
            },
            Err(e) => UsernameEvent::Failed {
                username: name,
                error: format!("setting the username failed: {e}"),
            },
        },
        Err(e) => UsernameEvent::Failed {
            username: name,
            error: format!("checking the username failed: {e}"),
        },
    };
    let _ = events.send(Event::Username(event));
}
