//! Usernames: `POST /project_y/profile/username/check` and `…/username/set`, and the
//! suggestion made when a name is taken. The known clients suggest the last dot-separated
//! part of a cameo's `username_hint` plus three digits (100–999), checked before it is
//! offered (docs/api.md, "Usernames").

use serde::Deserialize;

use super::client::{Client, Sentinel};
use super::{ApiError, Me};

/// How many suggestions are checked before giving up on offering one.
pub const SUGGESTION_TRIES: usize = 5;
/// Longest suggestion base kept, so the base and its three digits stay within the 30
/// characters the forms accept.
const BASE_MAX: usize = 27;

/// The base of a suggestion made from a cameo's `username_hint`: its last dot-separated
/// part (`blackwill.meowliusma68` → `meowliusma68`), lowercased, only ASCII letters and
/// digits kept, at most 27 characters. Empty when the hint has none of those.
pub fn base_from_hint(hint: &str) -> String {
    let last = hint.rsplit('.').next().unwrap_or_default();
    clean(last, false)
}

/// The base of a suggestion made from a name the user typed (no hint): the whole name,
/// lowercased, only ASCII letters, digits and inner dots kept, at most 27 characters.
pub fn base_from_name(name: &str) -> String {
    clean(name, true)
}

fn clean(text: &str, dots: bool) -> String {
    let kept: String = text
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || (dots && *c == '.'))
        .take(BASE_MAX)
        .collect();
    // A dot may not start or end the name, nor follow another.
    let mut out = String::with_capacity(kept.len());
    for c in kept.trim_matches('.').chars() {
        if !(c == '.' && out.ends_with('.')) {
            out.push(c);
        }
    }
    out
}

/// `base` followed by three digits; `n` is brought into 100–999.
pub fn with_digits(base: &str, n: u16) -> String {
    format!("{base}{}", 100 + n % 900)
}

/// `{"available": bool}`.
#[derive(Deserialize)]
struct CheckAnswer {
    available: Option<bool>,
}

impl Client {
    /// `POST /project_y/profile/username/check`: whether `username` is free. An answer
    /// without a boolean `available` is a bad response, never "free".
    pub async fn username_check(&self, username: &str) -> Result<bool, ApiError> {
        let body = serde_json::json!({ "username": username });
        let answer: CheckAnswer = self
            .post_json(
                "/project_y/profile/username/check",
                &body,
                Sentinel::NotNeeded,
            )
            .await?;
        answer.available.ok_or_else(|| ApiError::BadResponse {
            detail: "username/check answered without a boolean \"available\"".into(),
        })
    }

    /// `POST /project_y/profile/username/set`: makes `username` the account's own and
    /// returns the profile it answers (read like `/me`, also when nested under `profile`).
    /// An answer that names no username still means the name was set (the call succeeded),
    /// so the name sent is filled in.
    pub async fn username_set(&self, username: &str) -> Result<Me, ApiError> {
        let body = serde_json::json!({ "username": username });
        let answer: serde_json::Value = self
            .post_json(
                "/project_y/profile/username/set",
                &body,
                Sentinel::NotNeeded,
            )
            .await?;
        let mut me = Me::from_value(&answer).unwrap_or_default();
        if me.username.is_none()
            && let Some(nested) = answer.get("profile").and_then(Me::from_value)
        {
            me = Me {
                id: me.id.or(nested.id),
                email: me.email.or(nested.email),
                name: me.name.or(nested.name),
                username: nested.username,
            };
        }
        if me.username.as_deref().is_none_or(str::is_empty) {
            me.username = Some(username.to_string());
        }
        Ok(me)
    }

    /// A free name made of `base` and three random digits, each candidate checked with
    /// `username/check`, at most [`SUGGESTION_TRIES`] of them; `None` when all were taken
    /// or `base` is empty.
    pub async fn suggest_username(&self, base: &str) -> Result<Option<String>, ApiError> {
        if base.is_empty() {
            return Ok(None);
        }
        for _ in 0..SUGGESTION_TRIES {
            let candidate = with_digits(base, fastrand::u16(..));
            if self.username_check(&candidate).await? {
                return Ok(Some(candidate));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_follow_the_known_clients() {
        assert_eq!(base_from_hint("blackwill.meowliusma68"), "meowliusma68");
        assert_eq!(base_from_hint("Demo.Cameo_X"), "cameox");
        assert_eq!(base_from_hint("plain"), "plain");
        assert_eq!(base_from_hint("ends."), "");
        assert_eq!(base_from_name(".My..Name."), "my.name");
        assert_eq!(base_from_name(&"x".repeat(40)).len(), 27);
        assert_eq!(with_digits("meowliusma68", 23), "meowliusma68123");
        for n in [0, 899, 900, u16::MAX] {
            let s = with_digits("a", n);
            let digits: u16 = s[1..].parse().expect("digits");
            assert!((100..=999).contains(&digits), "{s}");
        }
    }
}
