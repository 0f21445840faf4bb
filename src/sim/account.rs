//! Account endpoints: `GET /me` and `GET /nf/check`.

use serde_json::{Value, json};

use super::routes::Ctx;

/// `GET /me`: the demo user's profile.
pub fn me(ctx: &Ctx<'_>) -> Value {
    let w = &ctx.world;
    json!({
        "id": w.user_id,
        "email": "demo@sora.local",
        "name": "Demo User",
        "username": "demo",
        "plan_type": if w.pro_plan { "pro" } else { "plus" },
        "picture": null,
        "is_sora_enabled": true,
        "created_at": 1_727_740_800.0,
    })
}

/// `GET /nf/check`: the quota.
pub fn quota(ctx: &Ctx<'_>) -> Value {
    let remaining = ctx.world.videos_remaining();
    json!({
        "rate_limit_and_credit_balance": {
            "estimated_num_videos_remaining": remaining,
            "rate_limit_reached": remaining == 0,
            "access_resets_in_seconds": ctx.world.quota_resets_in(ctx.now),
        }
    })
}
