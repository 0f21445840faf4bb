//! Account endpoints (`GET /me`, `GET /nf/check`, `GET /billing/subscriptions`) and the
//! accounts the simulator serves: the primary one configured by [`SimConfig`] and the
//! built-in [`FIXTURES`], each reached through its own Bearer token.

use serde_json::{Value, json};

use super::SimConfig;
use super::errors::ApiError;
use super::routes::Ctx;

/// The demo account's Sora username.
pub const USERNAME: &str = "demo";
/// The demo account's display name.
pub const DISPLAY_NAME: &str = "Demo User";
/// Videos a paid account may make at start (the count one client saw `/nf/check` report).
pub const PAID_VIDEOS: u32 = 30;
/// Videos the free fixture account may make at start; the live free allowance is not
/// recorded, so this is only "fewer than a paid plan".
pub const FREE_VIDEOS: u32 = 5;
/// How long a paid subscription runs past "now" in `/billing/subscriptions`.
const SUBSCRIPTION_SECS: f64 = 30.0 * 24.0 * 3600.0;

/// Which app a token was issued to. The live service gives the watermark-free file at a
/// post's `encodings.source.path` only to tokens of the Sora mobile app; a web (browser)
/// token gets the watermarked one there.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TokenKind {
    /// A browser session's token (what a user copies from sora.chatgpt.com).
    #[default]
    Web,
    /// A token of the Sora mobile app.
    Mobile,
}

impl TokenKind {
    /// `web` or `mobile`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Web => "web",
            TokenKind::Mobile => "mobile",
        }
    }
}

/// The account's ChatGPT plan; decides the Pro-only options and what
/// `/billing/subscriptions` lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    /// No subscription (`/billing/subscriptions` lists none).
    Free,
    /// ChatGPT Plus (`chatgptplusplan`).
    Plus,
    /// ChatGPT Pro (`chatgpt_pro`): 25 s videos, `sy_ore` and `large` are allowed.
    Pro,
}

impl Plan {
    /// `free`, `plus` or `pro`, as `/me` reports it in `plan_type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Free => "free",
            Plan::Plus => "plus",
            Plan::Pro => "pro",
        }
    }

    /// The subscription's `plan.id` and `plan.title`, `None` for the free plan.
    pub fn subscription(self) -> Option<(&'static str, &'static str)> {
        match self {
            Plan::Free => None,
            Plan::Plus => Some(("chatgptplusplan", "ChatGPT Plus")),
            Plan::Pro => Some(("chatgpt_pro", "ChatGPT Pro")),
        }
    }
}

/// A built-in account the simulator always serves (besides the primary one), so clients can
/// be tried against each plan, token kind and account state without configuration.
#[derive(Clone, Copy, Debug)]
pub struct Fixture {
    /// Its Bearer token.
    pub token: &'static str,
    /// Its plan.
    pub plan: Plan,
    /// Videos its quota allows at start (`/nf/check`).
    pub videos: u32,
    /// Its Sora username; `None` is `"username": null` in `/me` (never chosen one).
    pub username: Option<&'static str>,
    /// Its display name.
    pub name: &'static str,
    /// Which app its token belongs to.
    pub kind: TokenKind,
    /// Whether it has Sora 2 access; without it `/nf/check` answers 404.
    pub sora2: bool,
    /// Whether the token was revoked: every `/backend` call answers 401 `token_invalidated`.
    pub revoked: bool,
    /// What it is for, one line (printed by `sora-tui sim`).
    pub purpose: &'static str,
}

/// The mobile-app token of a Pro account: posts offer it the clean source.
pub const MOBILE_TOKEN: &str = "sora-mobile-token";
/// A Plus account's web token: the Pro-only options are refused.
pub const PLUS_TOKEN: &str = "sora-plus-token";
/// A free account's web token: a small quota, the Pro-only options refused.
pub const FREE_TOKEN: &str = "sora-free-token";
/// A Plus account whose quota is used up.
pub const EXHAUSTED_TOKEN: &str = "sora-exhausted-token";
/// A Plus account that has not chosen a username (`/me` says `"username": null`).
pub const NO_USERNAME_TOKEN: &str = "sora-nousername-token";
/// An account without Sora 2 access (`/nf/check` answers 404).
pub const NO_SORA2_TOKEN: &str = "sora-nosora2-token";
/// A revoked token (401 `token_invalidated`).
pub const REVOKED_TOKEN: &str = "sora-revoked-token";

/// The built-in fixture accounts, served next to the primary one.
pub const FIXTURES: [Fixture; 7] = [
    Fixture {
        token: MOBILE_TOKEN,
        plan: Plan::Pro,
        videos: PAID_VIDEOS,
        username: Some("demo.app"),
        name: "Demo App User",
        kind: TokenKind::Mobile,
        sora2: true,
        revoked: false,
        purpose: "mobile-app token: clean (watermark-free) post sources",
    },
    Fixture {
        token: PLUS_TOKEN,
        plan: Plan::Plus,
        videos: PAID_VIDEOS,
        username: Some("plus.demo"),
        name: "Plus User",
        kind: TokenKind::Web,
        sora2: true,
        revoked: false,
        purpose: "Plus plan: 25 s, sy_ore and large are refused",
    },
    Fixture {
        token: FREE_TOKEN,
        plan: Plan::Free,
        videos: FREE_VIDEOS,
        username: Some("free.demo"),
        name: "Free User",
        kind: TokenKind::Web,
        sora2: true,
        revoked: false,
        purpose: "free plan: no subscription, small quota, Pro-only options refused",
    },
    Fixture {
        token: EXHAUSTED_TOKEN,
        plan: Plan::Plus,
        videos: 0,
        username: Some("spent.demo"),
        name: "Spent User",
        kind: TokenKind::Web,
        sora2: true,
        revoked: false,
        purpose: "quota used up: /nf/check says rate_limit_reached, creates get 429",
    },
    Fixture {
        token: NO_USERNAME_TOKEN,
        plan: Plan::Plus,
        videos: PAID_VIDEOS,
        username: None,
        name: "New User",
        kind: TokenKind::Web,
        sora2: true,
        revoked: false,
        purpose: "no username yet: /me says \"username\": null (generation still accepted)",
    },
    Fixture {
        token: NO_SORA2_TOKEN,
        plan: Plan::Free,
        videos: 0,
        username: None,
        name: "No Sora User",
        kind: TokenKind::Web,
        sora2: false,
        revoked: false,
        purpose: "no Sora 2 access: /nf/check answers 404",
    },
    Fixture {
        token: REVOKED_TOKEN,
        plan: Plan::Plus,
        videos: 0,
        username: Some("revoked.demo"),
        name: "Revoked User",
        kind: TokenKind::Web,
        sora2: true,
        revoked: true,
        purpose: "revoked token: every call answers 401 token_invalidated",
    },
];

/// One account as the world holds it: who it is and what it may do.
#[derive(Clone, Debug, PartialEq)]
pub struct Account {
    /// Its plan.
    pub plan: Plan,
    /// Videos its quota allows at start.
    pub videos: u32,
    /// Its Sora username, if it has chosen one.
    pub username: Option<String>,
    /// Its display name.
    pub display_name: String,
    /// Its email address.
    pub email: String,
    /// Which app its token belongs to.
    pub kind: TokenKind,
    /// Whether it has Sora 2 access.
    pub sora2: bool,
}

impl Account {
    /// The primary account: the demo user, on the plan and token kind the config asks for.
    pub fn primary(config: &SimConfig) -> Account {
        Account {
            plan: if config.pro_plan {
                Plan::Pro
            } else {
                Plan::Plus
            },
            videos: PAID_VIDEOS,
            username: Some(USERNAME.to_string()),
            display_name: DISPLAY_NAME.to_string(),
            email: "demo@sora.local".to_string(),
            kind: config.token_kind,
            sora2: true,
        }
    }

    /// The account of a built-in fixture.
    pub fn from_fixture(f: &Fixture) -> Account {
        let local = f
            .token
            .trim_start_matches("sora-")
            .trim_end_matches("-token");
        Account {
            plan: f.plan,
            videos: f.videos,
            username: f.username.map(str::to_string),
            display_name: f.name.to_string(),
            email: format!("{local}@sora.local"),
            kind: f.kind,
            sora2: f.sora2,
        }
    }
}

/// `GET /me`: the account's profile; `username` is null until one is chosen.
pub fn me(ctx: &Ctx<'_>) -> Value {
    let w = &ctx.world;
    let a = &w.account;
    json!({
        "id": w.user_id,
        "email": a.email,
        "name": a.display_name,
        "username": a.username,
        "plan_type": a.plan.as_str(),
        "picture": null,
        "is_sora_enabled": a.sora2,
        "created_at": 1_727_740_800.0,
    })
}

/// `GET /billing/subscriptions`: the paid plan with its end (unix seconds; the live value
/// is a number or a string), or an empty list for a free account.
pub fn subscriptions(ctx: &Ctx<'_>) -> Value {
    let data: Vec<Value> = ctx
        .world
        .account
        .plan
        .subscription()
        .map(|(id, title)| {
            json!({
                "plan": {"id": id, "title": title},
                "end_ts": (ctx.world.wall(ctx.now) + SUBSCRIPTION_SECS).round(),
            })
        })
        .into_iter()
        .collect();
    json!({"data": data})
}

/// `GET /nf/check`: the quota, or 404 for an account without Sora 2 access. Nothing is ever
/// purchased and there are no credits, so those counters stay 0; `type` is a label whose
/// live values no source records.
pub fn quota(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    if !ctx.world.account.sora2 {
        return Err(ApiError::not_found("Not found"));
    }
    let remaining = ctx.world.videos_remaining();
    Ok(json!({
        "rate_limit_and_credit_balance": {
            "estimated_num_videos_remaining": remaining,
            "estimated_num_purchased_videos_remaining": 0,
            "credit_remaining": 0,
            "rate_limit_reached": remaining == 0,
            "access_resets_in_seconds": ctx.world.quota_resets_in(ctx.now),
        },
        "type": "rate_limit",
    }))
}
