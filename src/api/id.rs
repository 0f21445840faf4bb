//! Ids the server chooses, checked before they become part of a URL path, a file name or a
//! link. Every id shape of the API (`task_…`, `gen_…`, `s_…`, `ch_…`, `cameo_…`, `media_…`,
//! `user-…`, `s_…-attachment-0`) is letters, digits, `_` and `-`; anything else (`..`, an
//! empty string, a `/`, a tab, a bidi control) is not an id but text that would change a
//! path (`DELETE /project_y/post/..` is `DELETE /project_y/`), make several drafts share one
//! file name, or put something other than a link on the clipboard. Such an id is refused
//! wherever it would be used; the draft that carries it is still listed.

use super::ApiError;

/// The longest id accepted. The API's ids are 26 to 45 characters; the margin is for kinds
/// no source shows (media, cameo and character ids).
pub const MAX_ID_LEN: usize = 128;

/// The origin of the hosted service's share pages (`{origin}/p/{post_id}`), the origin of
/// its default base URL `https://sora.chatgpt.com/backend`.
pub const DEFAULT_SHARE_ORIGIN: &str = "https://sora.chatgpt.com";

/// Where the configured backend's share pages live: the origin (scheme, host and port) of
/// its base URL, so the demo's links lead to the simulator and not to the hosted service.
/// Built once at start from the base URL; the default is the hosted service's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareOrigin(String);

impl Default for ShareOrigin {
    fn default() -> Self {
        ShareOrigin(DEFAULT_SHARE_ORIGIN.to_string())
    }
}

impl ShareOrigin {
    /// The origin of `base_url` (`http://127.0.0.1:8080/backend` gives
    /// `http://127.0.0.1:8080`); an error saying what to pass when it is not an http(s) URL.
    pub fn from_base_url(base_url: &str) -> Result<ShareOrigin, String> {
        let trimmed = base_url.trim();
        let url = url::Url::parse(trimmed).map_err(|e| {
            format!(
                "the base URL {trimmed:?} is not a valid URL ({e}): pass e.g. --base-url https://sora.chatgpt.com/backend"
            )
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(format!(
                "the base URL {trimmed:?} is not an http(s) URL with a host: pass e.g. --base-url https://sora.chatgpt.com/backend"
            ));
        }
        Ok(ShareOrigin(url.origin().ascii_serialization()))
    }

    /// The origin as text, without a trailing `/`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The share link of a post on this origin (see [`share_link`]).
    pub fn link(&self, post_id: &str) -> Result<String, String> {
        share_link(self, post_id)
    }
}

/// Whether `id` is usable as an id: 1 to [`MAX_ID_LEN`] ASCII letters, digits, `_` or `-`.
/// Such an id is a single path segment as it is (no dot segment, nothing to encode), a file
/// name that stays in its folder, and distinct ids give distinct names.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `id` when it is [`valid_id`]; otherwise the error that says the server sent something
/// that is not an id (`what` names its kind: "post", "generation", "cameo"…).
pub fn checked_id<'a>(what: &str, id: &'a str) -> Result<&'a str, ApiError> {
    if valid_id(id) {
        Ok(id)
    } else {
        Err(ApiError::BadResponse {
            detail: id_problem(what, id),
        })
    }
}

/// Why `id` is refused, as a phrase: "the post id \"..\" is not a usable id (…)".
pub fn id_problem(what: &str, id: &str) -> String {
    format!(
        "the {what} id {} is not a usable id (ids are 1 to {MAX_ID_LEN} letters, digits, '_' or '-'), so nothing is requested or saved under it",
        shown_id(id)
    )
}

/// An id as a message may show it: quoted, ASCII only (anything else escaped as `\u{…}`),
/// at most 40 characters of it (then `...`).
pub fn shown_id(id: &str) -> String {
    let mut out = String::from("\"");
    for c in id.chars().take(40) {
        out.extend(c.escape_default());
    }
    if id.chars().count() > 40 {
        out.push_str("...");
    }
    out.push('"');
    out
}

/// The share link of a post, built from its id on the backend's share origin:
/// `{origin}/p/s_…` (`https://sora.chatgpt.com/p/s_…` for the hosted service). Only from a
/// [`valid_id`], so the link is one well-formed URL with nothing else in it (no tab, NUL or
/// bidi control reaches a clipboard). The error says why there is no link.
pub fn share_link(origin: &ShareOrigin, post_id: &str) -> Result<String, String> {
    if valid_id(post_id) {
        Ok(format!("{}/p/{post_id}", origin.as_str()))
    } else {
        Err(format!("no share link: {}", id_problem("post", post_id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_shape_of_the_api_is_valid() {
        for id in [
            "task_01k9h46nmhejjbq1nc1rej0w9z",
            "gen_01k9btrqrnen792yvt703dp0tq",
            "s_690ce161c2488191a3476e9969911522",
            "s_690ce161c2488191a3476e9969911522-attachment-0",
            "user-jhJG6J1sqt7WgQwJPfbLuC8J",
            "ch_693b0192af888191ac8b3af188acebce",
            "cameo_0123456789abcdef01234567",
            "media_0123456789abcdef01234567",
            "ref_69c11b8a20bc81919e63f1087b43a6c0",
            "s_a",
            &"x".repeat(MAX_ID_LEN),
        ] {
            assert!(valid_id(id), "{id}");
        }
    }

    #[test]
    fn what_is_not_an_id_is_refused() {
        for id in [
            "",
            ".",
            "..",
            "a/b",
            "../me",
            "a.b",
            "x\u{202e}",
            "a\tb",
            "a\0b",
            "a b",
            "a?b",
            "a#b",
            "%2E%2E",
            "sediment://file_0000000004a072309a49b047ff9e3f3f",
            "<@ch_693b0192af888191ac8b3af188acebce>",
            "gén",
            &"x".repeat(MAX_ID_LEN + 1),
        ] {
            assert!(!valid_id(id), "{id:?}");
            assert!(checked_id("post", id).is_err(), "{id:?}");
        }
        assert_eq!(checked_id("post", "s_1"), Ok("s_1"));
    }

    #[test]
    fn refusals_show_the_id_safely() {
        let message = checked_id("post", "x\u{202e}\t\u{1b}]52;c;x\u{7}")
            .unwrap_err()
            .to_string();
        assert!(
            message.contains(r#"the post id "x\u{202e}\t\u{1b}]52;c;x\u{7}""#),
            "{message}"
        );
        assert!(message.is_ascii(), "{message}");
        let long = shown_id(&"é".repeat(1000));
        assert!(
            long.is_ascii() && long.len() < 400 && long.ends_with("...\""),
            "{long}"
        );
    }

    #[test]
    fn share_links_are_built_only_from_ids() {
        let live = ShareOrigin::default();
        assert_eq!(
            share_link(&live, "s_0123456789abcdef0123456789abcdef").unwrap(),
            "https://sora.chatgpt.com/p/s_0123456789abcdef0123456789abcdef"
        );
        for bad in ["s_1\t", "s_1\u{202e}", "s_1\0", "", "..", "s_1/../../x"] {
            let why = share_link(&live, bad).unwrap_err();
            assert!(why.starts_with("no share link: the post id "), "{why}");
            assert!(why.is_ascii(), "{why}");
        }
    }

    #[test]
    fn the_share_origin_is_the_base_urls_origin() {
        let origin = |base: &str| ShareOrigin::from_base_url(base).map(|o| o.link("s_1").unwrap());
        // The live default gives the hosted share pages.
        assert_eq!(
            origin(crate::api::DEFAULT_BASE_URL).unwrap(),
            "https://sora.chatgpt.com/p/s_1"
        );
        assert_eq!(ShareOrigin::default().as_str(), DEFAULT_SHARE_ORIGIN);
        // A port is kept; the path, query, user info and trailing slash are not.
        assert_eq!(
            origin("http://127.0.0.1:43123/backend/").unwrap(),
            "http://127.0.0.1:43123/p/s_1"
        );
        assert_eq!(
            origin(" https://user:pw@sora.example:8443/a/b/backend?x=1 ").unwrap(),
            "https://sora.example:8443/p/s_1"
        );
        // A default port is not written out.
        assert_eq!(
            origin("https://sora.example:443/backend").unwrap(),
            "https://sora.example/p/s_1"
        );
        for bad in ["", "not a url", "file:///tmp/backend", "mailto:a@b"] {
            let why = ShareOrigin::from_base_url(bad).unwrap_err();
            assert!(why.contains("--base-url"), "{bad:?}: {why}");
        }
    }
}
