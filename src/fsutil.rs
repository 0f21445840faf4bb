//! Small file-system helpers: safe names from server data.

/// Turns a server-provided id or title into a file name that cannot escape its folder or
/// surprise a shell: ASCII letters, digits, `-`, `_` and `.` only, no leading dot, bounded.
pub fn safe_file_name(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let trimmed = cleaned.trim_start_matches('.').trim_end_matches('.');
    if trimmed.is_empty() {
        "download".to_string()
    } else {
        trimmed.to_string()
    }
}

/// The extension of a media URL's path if it is one this program writes, else `fallback`.
pub fn media_extension(url: &str, fallback: &'static str) -> &'static str {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let ext = path
        .rsplit('/')
        .next()
        .and_then(|f| f.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("mp4") => "mp4",
        Some("png") => "png",
        Some("webp") => "webp",
        Some("jpg" | "jpeg") => "jpg",
        Some("gif") => "gif",
        _ => fallback,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_traverse() {
        assert_eq!(safe_file_name("gen_01abc"), "gen_01abc");
        assert_eq!(safe_file_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_file_name("..."), "download");
        assert_eq!(safe_file_name("a/b\\c\u{1b}[31m"), "a_b_c__31m");
        assert_eq!(safe_file_name(&"x".repeat(500)).len(), 100);
    }

    #[test]
    fn extensions_come_from_the_path_only() {
        assert_eq!(
            media_extension("https://m/x/source.mp4?sig=a.png", "bin"),
            "mp4"
        );
        assert_eq!(media_extension("https://m/x/img", "png"), "png");
        assert_eq!(media_extension("https://m/x/a.exe", "mp4"), "mp4");
    }
}
