//! `sora-tui username check NAME` and `sora-tui username set NAME`: whether a name is free,
//! and choosing the account's own (checked first; a taken one is refused with a checked
//! suggestion, the name plus three digits). A taken name exits 2 with the message.

use serde_json::json;

use super::{Ctx, Failure, Outcome};
use crate::api::{ApiError, username};
use crate::cli::UsernameCommand;
use crate::cli::progress::Reporter;
use crate::text::sanitize;

/// Longest username printed.
const NAME_MAX: usize = 60;

impl Ctx<'_> {
    /// Runs `username check` or `username set`.
    pub(super) async fn username(&self, cmd: &UsernameCommand, r: &mut Reporter) -> Outcome {
        match cmd {
            UsernameCommand::Check { name } => self.username_check(name.trim(), r).await,
            UsernameCommand::Set { name } => self.username_set(name.trim(), r).await,
        }
    }

    async fn username_check(&self, name: &str, r: &mut Reporter) -> Outcome {
        let name = checked(name)?;
        if self.client.username_check(&name).await? {
            r.event(json!({"event":"username_check","username":name,"available":true}));
            if !r.is_json() {
                println!("@{} is available", sanitize(&name, NAME_MAX));
            }
            return Ok(());
        }
        Err(self.taken(&name, "username_check", r).await)
    }

    async fn username_set(&self, name: &str, r: &mut Reporter) -> Outcome {
        let name = checked(name)?;
        if !self.client.username_check(&name).await? {
            return Err(self.taken(&name, "username_set", r).await);
        }
        let me = self.client.username_set(&name).await?;
        let set = me.username.unwrap_or(name);
        r.event(json!({"event":"username_set","username":set}));
        if !r.is_json() {
            println!("username set: @{}", sanitize(&set, NAME_MAX));
        }
        Ok(())
    }

    /// The failure for a taken name, with a checked suggestion when one is found (the JSON
    /// event says `available: false` and carries the suggestion).
    async fn taken(&self, name: &str, event: &str, r: &mut Reporter) -> Failure {
        let suggestion = self
            .client
            .suggest_username(&username::base_from_name(name))
            .await
            .unwrap_or_else(|e| {
                tracing::debug!(error = %e, "no username suggestion");
                None
            });
        r.event(json!({"event":event,"username":name,"available":false,"suggestion":suggestion}));
        let shown = sanitize(name, NAME_MAX);
        Failure::Api(ApiError::InvalidInput(match suggestion {
            Some(s) => format!(
                "@{shown} is taken: try @{s} (sora-tui username set {s})",
                s = sanitize(&s, NAME_MAX)
            ),
            None => format!("@{shown} is taken: choose another name"),
        }))
    }
}

/// The name as the TUI's forms accept it (3-30 lowercase letters, digits and dots), checked
/// before anything is sent; an uppercase one is lowercased.
fn checked(name: &str) -> Result<String, ApiError> {
    let name = name.trim_start_matches('@').to_ascii_lowercase();
    crate::app::cameos::check_username(&name).map_err(ApiError::InvalidInput)?;
    Ok(name)
}
