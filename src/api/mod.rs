//! The Sora backend client: typed requests and tolerant responses for every endpoint of
//! docs/api.md#endpoints, one classified error type, and the sentinel provider. No UI and no
//! channels, so it is usable and testable on its own.

mod cameo_draft;
mod client;
pub mod enhance;
mod error;
mod extend;
pub mod filetype;
pub mod id;
pub mod params;
pub mod reconcile;
mod retry;
mod secret;
mod sentinel;
pub mod style;
mod transfer;
pub mod types;
pub mod username;

pub use client::{
    Client, ClientConfig, DEFAULT_BASE_URL, DEFAULT_USER_AGENT, check_url, is_loopback, remix_body,
    storyboard_body, video_body,
};
pub use enhance::{ENHANCE_DURATIONS, Expansion};
pub use error::{ApiError, NetworkKind};
pub use extend::{ExtensionBody, ExtensionLength, extension_body};
pub use id::{ShareOrigin, checked_id, share_link, valid_id};
pub use params::{ImageShape, Length, Model, Orientation, Size, VideoSettings};
pub use retry::{Replay, RetryNotice, RetryObserver, RetryPolicy};
pub use secret::{AccessToken, TokenProblem};
pub use sentinel::{SentinelProvider, random_token};
pub use style::StyleId;
pub use transfer::{Downloaded, MEDIA_LINK_EXPIRED, is_expired_link, media_path, part_path};
pub use types::{
    CameoPhase, CameoProgress, Draft, DraftVerdict, DraftsPage, FeedItem, Me, Post, PostsPage,
    Quota, TaskInfo,
};
