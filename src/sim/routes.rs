//! The `/backend` route table: which method and path reach which handler, and which need the
//! sentinel header.

use serde_json::Value;
use tokio::time::Instant;

use super::errors::ApiError;
use super::media::MediaUrls;
use super::record::Incoming;
use super::world::World;
use super::{account, cameo_draft, cameos, enhance, extend, images, username, video};

/// What a handler works with: the locked world, the URL signer and the current time.
pub struct Ctx<'a> {
    /// The account (locked for the duration of the request).
    pub world: &'a mut World,
    /// Makes media URLs.
    pub urls: &'a MediaUrls,
    /// Now.
    pub now: Instant,
    /// The usernames (lowercase) the other accounts hold, their profiles' and their
    /// finalized cameos', for the routes `username::needs_other_accounts` names; empty
    /// for the others.
    pub taken_elsewhere: Vec<String>,
}

/// A `/backend` endpoint, with its path parameter when it has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// `GET /me`
    Me,
    /// `GET /nf/check`
    QuotaCheck,
    /// `GET /billing/subscriptions`
    Subscriptions,
    /// `POST /uploads`
    UploadImage,
    /// `POST /video_gen`
    CreateImage,
    /// `GET /v2/recent_tasks`
    RecentTasks,
    /// `POST /nf/create`
    CreateVideo,
    /// `POST /nf/create/storyboard`
    CreateStoryboard,
    /// `GET /nf/pending` or `/nf/pending/v2` (both a bare array)
    Pending,
    /// `GET /project_y/profile/drafts` or `…/drafts/v2`
    Drafts {
        /// Whether it is the `/v2` form (internal encodings paths).
        v2: bool,
    },
    /// `GET /project_y/profile/drafts/v2/{gen_id}`
    Draft(String),
    /// `GET /project_y/profile_feed/me`: the account's own posts, paged
    ProfileFeed,
    /// `POST /project_y/post`
    CreatePost,
    /// `GET /project_y/post/{id}`
    GetPost(String),
    /// `GET /project_y/post/{id}/tree`
    PostTree(String),
    /// `DELETE /project_y/post/{id}`
    DeletePost(String),
    /// `POST /characters/upload`
    UploadCameo,
    /// `GET /project_y/cameos/in_progress/{id}`
    CameoProgress(String),
    /// `POST /project_y/file/upload`
    UploadProfileFile,
    /// `POST /characters/finalize`
    FinalizeCameo,
    /// `POST /project_y/cameos/by_id/{id}/update_v2`
    UpdateCameo(String),
    /// `DELETE /project_y/characters/{id}`
    DeleteCharacter(String),
    /// `POST /characters/from-generation`: a cameo from one of the account's drafts
    CameoFromGeneration,
    /// `POST /editor/enhance_prompt`
    EnhancePrompt,
    /// `POST /project_y/profile/drafts/{gen_id}/long_video_extension`
    ExtendDraft(String),
    /// `POST /project_y/profile/username/check`
    UsernameCheck,
    /// `POST /project_y/profile/username/set`
    UsernameSet,
}

impl Route {
    /// The generation/publishing POSTs that require `openai-sentinel-token`.
    pub fn needs_sentinel(&self) -> bool {
        matches!(
            self,
            Route::CreateImage
                | Route::CreateVideo
                | Route::CreateStoryboard
                | Route::CreatePost
                | Route::ExtendDraft(_)
        )
    }
}

/// Resolves a path (without `/backend`): 404 when unknown, 405 when the method does not fit.
pub fn parse(method: &str, path: &str) -> Result<Route, ApiError> {
    let not_found = || ApiError::not_found(format!("Unknown endpoint: {method} {path}"));
    let segments: Vec<&str> = match path.strip_prefix('/') {
        Some(rest) => rest.split('/').collect(),
        None => return Err(not_found()),
    };
    if segments.iter().any(|s| s.is_empty()) {
        return Err(not_found());
    }
    let id = |s: &str| s.to_string();
    let candidates: Vec<(&str, Route)> = match segments.as_slice() {
        ["me"] => vec![("GET", Route::Me)],
        ["nf", "check"] => vec![("GET", Route::QuotaCheck)],
        ["billing", "subscriptions"] => vec![("GET", Route::Subscriptions)],
        ["uploads"] => vec![("POST", Route::UploadImage)],
        ["video_gen"] => vec![("POST", Route::CreateImage)],
        ["v2", "recent_tasks"] => vec![("GET", Route::RecentTasks)],
        ["nf", "create"] => vec![("POST", Route::CreateVideo)],
        ["nf", "create", "storyboard"] => vec![("POST", Route::CreateStoryboard)],
        ["nf", "pending"] | ["nf", "pending", "v2"] => vec![("GET", Route::Pending)],
        ["project_y", "profile", "drafts"] => vec![("GET", Route::Drafts { v2: false })],
        ["project_y", "profile", "drafts", "v2"] => vec![("GET", Route::Drafts { v2: true })],
        ["project_y", "profile", "drafts", "v2", gen_id] => {
            vec![("GET", Route::Draft(id(gen_id)))]
        }
        ["project_y", "profile_feed", "me"] => vec![("GET", Route::ProfileFeed)],
        ["project_y", "post"] => vec![("POST", Route::CreatePost)],
        ["project_y", "post", post_id] => vec![
            ("GET", Route::GetPost(id(post_id))),
            ("DELETE", Route::DeletePost(id(post_id))),
        ],
        ["project_y", "post", post_id, "tree"] => vec![("GET", Route::PostTree(id(post_id)))],
        ["characters", "upload"] => vec![("POST", Route::UploadCameo)],
        ["project_y", "cameos", "in_progress", cameo_id] => {
            vec![("GET", Route::CameoProgress(id(cameo_id)))]
        }
        ["project_y", "file", "upload"] => vec![("POST", Route::UploadProfileFile)],
        ["characters", "finalize"] => vec![("POST", Route::FinalizeCameo)],
        ["project_y", "cameos", "by_id", cameo_id, "update_v2"] => {
            vec![("POST", Route::UpdateCameo(id(cameo_id)))]
        }
        ["project_y", "characters", character_id] => {
            vec![("DELETE", Route::DeleteCharacter(id(character_id)))]
        }
        ["characters", "from-generation"] => vec![("POST", Route::CameoFromGeneration)],
        ["editor", "enhance_prompt"] => vec![("POST", Route::EnhancePrompt)],
        [
            "project_y",
            "profile",
            "drafts",
            gen_id,
            "long_video_extension",
        ] => {
            vec![("POST", Route::ExtendDraft(id(gen_id)))]
        }
        ["project_y", "profile", "username", "check"] => vec![("POST", Route::UsernameCheck)],
        ["project_y", "profile", "username", "set"] => vec![("POST", Route::UsernameSet)],
        _ => return Err(not_found()),
    };
    candidates
        .into_iter()
        .find(|(m, _)| m.eq_ignore_ascii_case(method))
        .map(|(_, r)| r)
        .ok_or_else(ApiError::method_not_allowed)
}

/// Runs the handler of `route`.
pub fn dispatch(ctx: &mut Ctx<'_>, route: Route, req: &Incoming) -> Result<Value, ApiError> {
    match route {
        Route::Me => Ok(account::me(ctx)),
        Route::QuotaCheck => account::quota(ctx),
        Route::Subscriptions => Ok(account::subscriptions(ctx)),
        Route::UploadImage => images::upload(ctx, req),
        Route::CreateImage => images::create(ctx, req),
        Route::RecentTasks => images::recent(ctx, req),
        Route::CreateVideo => video::create(ctx, req, false),
        Route::CreateStoryboard => video::create(ctx, req, true),
        Route::Pending => Ok(video::pending(ctx)),
        Route::Drafts { v2 } => video::drafts(ctx, req, v2),
        Route::Draft(id) => video::draft(ctx, &id),
        Route::ProfileFeed => video::profile_feed(ctx, req),
        Route::CreatePost => video::publish(ctx, req),
        Route::GetPost(id) => video::get_post(ctx, &id),
        Route::PostTree(id) => video::post_tree(ctx, &id, req),
        Route::DeletePost(id) => video::delete_post(ctx, &id),
        Route::UploadCameo => cameos::upload(ctx, req),
        Route::CameoProgress(id) => cameos::progress(ctx, &id),
        Route::UploadProfileFile => cameos::upload_profile(ctx, req),
        Route::FinalizeCameo => cameos::finalize(ctx, req),
        Route::UpdateCameo(id) => cameos::update(ctx, &id, req),
        Route::DeleteCharacter(id) => cameos::delete_character(ctx, &id),
        Route::CameoFromGeneration => cameo_draft::from_generation(ctx, req),
        Route::EnhancePrompt => enhance::enhance_prompt(ctx, req),
        Route::ExtendDraft(id) => extend::extend(ctx, &id, req),
        Route::UsernameCheck => username::check(ctx, req),
        Route::UsernameSet => username::set(ctx, req),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_paths_resolve() {
        assert_eq!(parse("GET", "/me"), Ok(Route::Me));
        assert_eq!(parse("GET", "/nf/pending/v2"), Ok(Route::Pending));
        assert_eq!(
            parse("GET", "/project_y/profile/drafts/v2"),
            Ok(Route::Drafts { v2: true })
        );
        assert_eq!(
            parse("GET", "/project_y/profile/drafts/v2/gen_1"),
            Ok(Route::Draft("gen_1".into()))
        );
        assert_eq!(
            parse("GET", "/project_y/post/s_1/tree"),
            Ok(Route::PostTree("s_1".into()))
        );
        assert_eq!(
            parse("DELETE", "/project_y/post/s_1"),
            Ok(Route::DeletePost("s_1".into()))
        );
        assert_eq!(
            parse("POST", "/project_y/cameos/by_id/cameo_1/update_v2"),
            Ok(Route::UpdateCameo("cameo_1".into()))
        );
    }

    #[test]
    fn unknown_paths_are_404_and_wrong_methods_405() {
        assert_eq!(
            parse("GET", "/nope").map_err(|e| e.status.as_u16()),
            Err(404)
        );
        assert_eq!(
            parse("GET", "/me/").map_err(|e| e.status.as_u16()),
            Err(404)
        );
        assert_eq!(parse("GET", "").map_err(|e| e.status.as_u16()), Err(404));
        assert_eq!(
            parse("POST", "/me").map_err(|e| e.status.as_u16()),
            Err(405)
        );
        assert_eq!(
            parse("PUT", "/project_y/post/s_1").map_err(|e| e.status.as_u16()),
            Err(405)
        );
    }

    #[test]
    fn sentinel_is_needed_on_exactly_the_generation_routes() {
        let with: Vec<_> = [
            ("POST", "/video_gen"),
            ("POST", "/nf/create"),
            ("POST", "/nf/create/storyboard"),
            ("POST", "/project_y/post"),
            ("POST", "/uploads"),
            ("POST", "/characters/upload"),
            ("POST", "/characters/finalize"),
            ("GET", "/nf/pending"),
            (
                "POST",
                "/project_y/profile/drafts/gen_1/long_video_extension",
            ),
        ]
        .into_iter()
        .filter(|(m, p)| parse(m, p).is_ok_and(|r| r.needs_sentinel()))
        .map(|(_, p)| p)
        .collect();
        assert_eq!(
            with,
            [
                "/video_gen",
                "/nf/create",
                "/nf/create/storyboard",
                "/project_y/post",
                "/project_y/profile/drafts/gen_1/long_video_extension"
            ]
        );
    }
}
