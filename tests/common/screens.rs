//! Fixtures for screen snapshots: fixed paths and a signed-in, online account, so every
//! snapshot test draws the same chrome.

use std::path::PathBuf;

use sora_tui::api::{Me, Quota};
use sora_tui::app::keymap::Keymap;
use sora_tui::app::{App, AppInfo, Connection, Loading};

/// Help and status facts with fixed, user-like paths.
pub fn info() -> AppInfo {
    AppInfo {
        version: "0.1.0".into(),
        config_path: PathBuf::from("/home/user/.config/sora-tui/config.toml"),
        data_path: PathBuf::from("/home/user/.local/share/sora-tui"),
        log_path: PathBuf::from("/home/user/.local/state/sora-tui/sora-tui.log"),
        download_dir: PathBuf::from("/home/user/Videos/sora"),
        base_url: "https://sora.chatgpt.com/backend".into(),
        token_masked: "eyJh…x9Qk".into(),
        home: PathBuf::from("/home/user"),
        open_on_start: None,
        // UTC, so the screens do not depend on the machine's zone.
        zone: sora_tui::text::Zone::utc(),
        share_origin: sora_tui::api::ShareOrigin::default(),
    }
}

/// A fresh state at `now`: signed in as @alice, 28 videos left, online.
pub fn signed_in(now: f64) -> App {
    let mut app = App::new(info(), Keymap::default(), now);
    app.account = Some(Me {
        id: Some("user_01".into()),
        email: Some("alice@example.com".into()),
        name: Some("Alice".into()),
        username: Some("alice".into()),
    });
    app.account_loading = Loading::Loaded;
    app.quota = Some(Quota {
        estimated_num_videos_remaining: Some(28.0),
        rate_limit_reached: Some(false),
        access_resets_in_seconds: Some(7200.0),
    });
    app.connection = Connection::Online;
    app
}
