//! The public share page of a post, `GET /p/{post_id}`: what a share link copied from the
//! client opens. A small HTML page with the post's title, prompt and video for a live post,
//! a 404 page for anything else. No account is needed, as for the hosted share pages.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::media::{Blob, MediaUrls};
use super::world::World;

/// The path prefix of share pages.
pub const PREFIX: &str = "/p/";

/// The page of `post_id` if one of `worlds` has it live, else the 404 page.
pub fn page<'a>(
    post_id: &str,
    worlds: impl Iterator<Item = std::sync::MutexGuard<'a, World>>,
    urls: &MediaUrls,
) -> Response {
    for world in worlds {
        let Some(post) = world.live_post(post_id) else {
            continue;
        };
        let draft = world.draft(&post.generation_id);
        let title = draft.map_or(post.text.as_str(), |d| d.title.as_str());
        let prompt = draft.map_or("", |d| d.prompt.as_str());
        let video = urls.url(&post.generation_id, Blob::Md);
        let body = format!(
            "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
             <body data-post-id=\"{id}\"><h1>{title}</h1>\n<p>{prompt}</p>\n\
             <video controls src=\"{video}\"></video>\n</body></html>\n",
            title = escape(title),
            id = escape(&post.id),
            prompt = escape(prompt),
            video = escape(&video),
        );
        return html(StatusCode::OK, body);
    }
    html(
        StatusCode::NOT_FOUND,
        format!(
            "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Not found</title></head>\n\
             <body><h1>This post does not exist</h1>\n<p>{} was never published or was unpublished.</p>\n</body></html>\n",
            escape(post_id)
        ),
    )
}

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// Text as HTML text or an attribute value: `&`, `<`, `>`, `"` and `'` escaped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            escape(r#"<script>alert("x") & 'y'</script>"#),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }
}
