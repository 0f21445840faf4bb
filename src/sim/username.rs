//! Username endpoints: `POST /project_y/profile/username/check` (is a name free?) and
//! `POST /project_y/profile/username/set` (choose the account's own). Accounts and cameos
//! share one namespace, so a name is taken when it is reserved, held by any account's
//! profile, or was ever finalized as a cameo, in any account of this simulator (see
//! docs/api.md, "Usernames").

use serde_json::{Value, json};

use super::account;
use super::errors::ApiError;
use super::record::Incoming;
use super::routes::{Ctx, Route};
use super::validate::{self, json_object, req_str};

/// Whether a route needs the usernames the other accounts hold (`Ctx::taken_elsewhere`),
/// which the server gathers before it locks this account's data.
pub fn needs_other_accounts(route: &Route) -> bool {
    matches!(
        route,
        Route::UsernameCheck | Route::UsernameSet | Route::FinalizeCameo
    )
}

/// Whether `name` is taken for this account: reserved, a cameo finalized here, this
/// account's own profile name, or anything another account holds. Case does not matter.
pub fn is_taken(ctx: &Ctx<'_>, name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ctx.world.is_username_taken(&lower)
        || ctx
            .world
            .account
            .username
            .as_deref()
            .is_some_and(|own| own.eq_ignore_ascii_case(&lower))
        || ctx.taken_elsewhere.contains(&lower)
}

/// `POST /project_y/profile/username/check` `{"username"}` → `{"available": bool}`. A name
/// that is plainly not one (blank, too long, control characters) is a 400, as at finalize.
pub fn check(ctx: &mut Ctx<'_>, req: &Incoming) -> Result<Value, ApiError> {
    let body = json_object(req)?;
    let username = req_str(&body, "username")?;
    validate::check_username(username)?;
    Ok(json!({"available": !is_taken(ctx, username)}))
}

/// `POST /project_y/profile/username/set` `{"username"}` → the profile as `/me` shows it,
/// with the new name (kept lowercase). Setting the name the account already has changes
/// nothing; a name taken otherwise is a 400 `username_taken`.
pub fn set(ctx: &mut Ctx<'_>, req: &Incoming) -> Result<Value, ApiError> {
    let body = json_object(req)?;
    let username = req_str(&body, "username")?;
    validate::check_username(username)?;
    let lower = username.to_ascii_lowercase();
    let own = ctx.world.account.username.as_deref() == Some(lower.as_str());
    if !own && is_taken(ctx, &lower) {
        return Err(ApiError::bad_request("That username is already taken.")
            .param("username")
            .code("username_taken"));
    }
    ctx.world.account.username = Some(lower);
    Ok(account::me(ctx))
}
