//! What `o` may hand to the player. A draft's media link is the server's text: as it came it
//! could be `--script=evil.lua` (an option to the player), `file:///etc/passwd` or a
//! `javascript:` URL. Only two kinds of target are opened: an http(s) media link, parsed and
//! written out again by [`media_url`], and a file this program downloaded itself.

use std::path::PathBuf;

/// The longest media link handed to a player: signed links are a few hundred bytes; one far
/// longer is not a media link.
pub const MAX_OPEN_URL: usize = 8 * 1024;

/// What [`super::Cmd::Open`] opens. Two variants, so a server's text can never pass for a
/// local file: a `File` is only ever made from a path the worker reported saved.
#[derive(Debug, Clone, PartialEq)]
pub enum OpenTarget {
    /// An http(s) media link as [`media_url`] wrote it out (so it starts with `http`).
    Url(String),
    /// A file this program downloaded (from `DraftsEvent::Downloaded`).
    File(PathBuf),
}

/// A server-given media link made fit to hand to a player, or why it is refused: it must
/// parse as an absolute URL (so it cannot start with `-`), be https (or plain http to this
/// machine, the rule of every download: see `api::check_url`), and it is passed on as the
/// URL parser writes it out (control characters and spaces percent-encoded).
pub fn media_url(raw: &str) -> Result<String, String> {
    if raw.len() > MAX_OPEN_URL {
        return Err(format!(
            "not opening the media link: it is {} bytes long, not a media link",
            raw.len()
        ));
    }
    let url = url::Url::parse(raw).map_err(|_| {
        "not opening the media link: it is not an http(s) URL (refresh the drafts with r)"
            .to_string()
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "not opening a {}: link: only http(s) media links and downloaded files are opened",
            url.scheme()
        ));
    }
    crate::api::check_url(&url).map_err(|e| format!("not opening the media link: {e}"))?;
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_links_are_checked_and_written_out_again() {
        assert_eq!(
            media_url("https://videos.example/az/files/a.mp4?se=1&sig=x").unwrap(),
            "https://videos.example/az/files/a.mp4?se=1&sig=x"
        );
        assert_eq!(
            media_url("http://127.0.0.1:8080/media/gen_1/source.mp4").unwrap(),
            "http://127.0.0.1:8080/media/gen_1/source.mp4"
        );
        // Spaces and controls inside come out percent-encoded, never as separate words.
        let url = media_url("https://v.example/a b\u{7}.mp4").unwrap();
        assert_eq!(url, "https://v.example/a%20b%07.mp4");
    }

    #[test]
    fn what_is_not_a_media_link_is_refused() {
        for raw in [
            "--script=evil.lua",
            "-fs",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "data:text/html,x",
            "ftp://example.com/a.mp4",
            "/etc/passwd",
            "relative/a.mp4",
            "",
            "http://10.0.0.1/a.mp4",
        ] {
            let why = media_url(raw).unwrap_err();
            assert!(why.starts_with("not opening"), "{raw:?}: {why}");
        }
        assert!(media_url(&format!("https://v.example/{}", "a".repeat(MAX_OPEN_URL))).is_err());
        assert!(
            media_url("file:///etc/passwd")
                .unwrap_err()
                .contains("a file: link")
        );
    }
}
