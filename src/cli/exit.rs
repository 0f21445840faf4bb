//! Exit codes: documented in the README, stable for scripts; and the one-line error message
//! printed with them.

use crate::api::ApiError;
use crate::text::sanitize;

/// Longest error message printed, in characters (the TUI cuts its messages at the same).
pub const MESSAGE_MAX: usize = 300;
/// Longest piece of the server's own text kept inside a message, so a long one cannot push
/// out the advice on what to do that follows it.
const DETAIL_MAX: usize = 120;

/// How the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: done.
    Ok = 0,
    /// 1: local I/O failed, or the service's answer could not be read.
    Failure = 1,
    /// 2: bad command line or bad input (a file that is not an image, an unknown value).
    Usage = 2,
    /// 3: no token, or the token was rejected.
    Auth = 3,
    /// 4: the service could not be reached (network, timeout, connection broke).
    Network = 4,
    /// 5: the service refused or failed (bot protection, Cloudflare, rate limit, overload, 5xx, 4xx).
    Refused = 5,
    /// 6: the generation itself failed, was blocked by moderation, or did not finish in time.
    Generation = 6,
}

impl ExitStatus {
    /// The exit code for a classified error.
    pub fn of(err: &ApiError) -> ExitStatus {
        match err {
            ApiError::MissingToken { .. } | ApiError::Auth { .. } => ExitStatus::Auth,
            ApiError::Network { .. } => ExitStatus::Network,
            ApiError::BotBlocked { .. }
            | ApiError::Overloaded
            | ApiError::RateLimited { .. }
            | ApiError::ShieldRateLimited
            | ApiError::Cloudflare
            | ApiError::Region { .. }
            | ApiError::Server { .. }
            | ApiError::Rejected { .. } => ExitStatus::Refused,
            ApiError::InsecureUrl(_) | ApiError::Redirected { .. } | ApiError::InvalidInput(_) => {
                ExitStatus::Usage
            }
            ApiError::BadResponse { .. } | ApiError::Io(_) => ExitStatus::Failure,
        }
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(s: ExitStatus) -> Self {
        std::process::ExitCode::from(s as u8)
    }
}

/// An error as the one line printed for it: the server's own text in it cut short, the whole
/// sanitised (no escape sequences, controls, bidi or zero-width characters reach the
/// terminal) and cut at [`MESSAGE_MAX`] characters.
pub fn message(err: &ApiError) -> String {
    sanitize(&with_short_details(err).to_string(), MESSAGE_MAX)
}

/// Any text for the error line (a generation's failure, which quotes the server), made safe
/// and cut like [`message`].
pub fn message_text(text: &str) -> String {
    sanitize(text, MESSAGE_MAX)
}

/// The error with every server-provided text field cut at [`DETAIL_MAX`] characters.
fn with_short_details(err: &ApiError) -> ApiError {
    let cut = |s: &str| sanitize(s, DETAIL_MAX);
    match err {
        ApiError::Auth { detail } => ApiError::Auth {
            detail: cut(detail),
        },
        ApiError::BotBlocked { detail } => ApiError::BotBlocked {
            detail: cut(detail),
        },
        ApiError::RateLimited {
            retry_after,
            detail,
        } => ApiError::RateLimited {
            retry_after: *retry_after,
            detail: cut(detail),
        },
        ApiError::Region { country } => ApiError::Region {
            country: country.as_deref().map(|c| sanitize(c, 20)),
        },
        ApiError::Network { kind, detail } => ApiError::Network {
            kind: *kind,
            detail: cut(detail),
        },
        ApiError::Server { status, detail } => ApiError::Server {
            status: *status,
            detail: cut(detail),
        },
        ApiError::Rejected {
            status,
            code,
            param,
            message,
        } => ApiError::Rejected {
            status: *status,
            code: code.clone(),
            param: param.clone(),
            message: cut(message),
        },
        ApiError::BadResponse { detail } => ApiError::BadResponse {
            detail: cut(detail),
        },
        // The rest carry no server text, or only this program's own (paths, hints).
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_hostile_detail_keeps_the_advice() {
        let err = ApiError::Server {
            status: 502,
            detail: format!("\x1b]52;c;AAAA\x07{}\u{9b}2J", "x".repeat(100_000)),
        };
        let line = message(&err);
        assert!(line.chars().count() <= MESSAGE_MAX, "{}", line.len());
        assert!(line.ends_with("try again shortly"), "{line}");
        assert!(
            !line.contains(|c: char| crate::text::is_unsafe(c)),
            "{line:?}"
        );
        let long = message_text(&"y".repeat(5000));
        assert_eq!(long.chars().count(), MESSAGE_MAX);
    }
}
