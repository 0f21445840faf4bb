//! Exit codes: documented in the README, stable for scripts.

use crate::api::ApiError;

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
            | ApiError::Cloudflare
            | ApiError::Region { .. }
            | ApiError::Server { .. }
            | ApiError::Rejected { .. } => ExitStatus::Refused,
            ApiError::InsecureUrl(_) | ApiError::InvalidInput(_) => ExitStatus::Usage,
            ApiError::BadResponse { .. } | ApiError::Io(_) => ExitStatus::Failure,
        }
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(s: ExitStatus) -> Self {
        std::process::ExitCode::from(s as u8)
    }
}
