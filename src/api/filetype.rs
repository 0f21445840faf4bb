//! Recognises upload files by their first bytes, never by their name.

/// A media format the backend accepts for upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    /// PNG image.
    Png,
    /// JPEG image.
    Jpeg,
    /// WebP image.
    Webp,
    /// MP4 / QuickTime family video.
    Mp4,
}

impl FileType {
    /// Detects the format from the start of the file.
    pub fn sniff(head: &[u8]) -> Option<FileType> {
        if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(FileType::Png)
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileType::Jpeg)
        } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
            Some(FileType::Webp)
        } else if head.len() >= 12 && &head[4..8] == b"ftyp" {
            Some(FileType::Mp4)
        } else {
            None
        }
    }

    /// The MIME type sent with the upload.
    pub fn mime(self) -> &'static str {
        match self {
            FileType::Png => "image/png",
            FileType::Jpeg => "image/jpeg",
            FileType::Webp => "image/webp",
            FileType::Mp4 => "video/mp4",
        }
    }

    /// Whether this is one of the image formats.
    pub fn is_image(self) -> bool {
        !matches!(self, FileType::Mp4)
    }
}

/// Largest image accepted for upload; the web app refuses bigger ones too.
pub const MAX_IMAGE_BYTES: u64 = 20 * 1024 * 1024;
/// Largest cameo video accepted for upload.
pub const MAX_VIDEO_BYTES: u64 = 200 * 1024 * 1024;

/// Checks a local file before any network call: it exists, is at most `max` bytes, and its
/// content is of an accepted type. Returns the detected type, or a message saying what to do.
pub fn check_file(
    path: &std::path::Path,
    max: u64,
    accept: fn(FileType) -> bool,
    wanted: &str,
) -> Result<FileType, String> {
    use std::io::Read;
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot open {shown}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{shown} is not a file: choose {wanted}"));
    }
    if meta.len() > max {
        return Err(format!(
            "{shown} is {} MB, more than the {} MB allowed: choose a smaller file",
            meta.len() / 1_048_576,
            max / 1_048_576
        ));
    }
    let mut head = Vec::with_capacity(16);
    std::fs::File::open(path)
        .and_then(|f| f.take(16).read_to_end(&mut head))
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    FileType::sniff(&head)
        .filter(|k| accept(*k))
        .ok_or_else(|| {
            format!(
                "{shown} is not {wanted} (checked by its content, not its name): choose {wanted}"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(
            FileType::sniff(b"\x89PNG\r\n\x1a\n...."),
            Some(FileType::Png)
        );
        assert_eq!(
            FileType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(FileType::Jpeg)
        );
        assert_eq!(
            FileType::sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(FileType::Webp)
        );
        assert_eq!(FileType::sniff(b"\0\0\0\x20ftypisom"), Some(FileType::Mp4));
        assert_eq!(FileType::sniff(b"just some text"), None);
        assert_eq!(FileType::sniff(b""), None);
    }
}
