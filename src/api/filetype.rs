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
    /// MP4 video: an ISO base media file whose brands say MP4 (not HEIC, AVIF, 3GP or
    /// QuickTime, which share the container; see [`iso_family`]).
    Mp4,
}

/// How many leading bytes [`FileType::sniff`] should see: an MP4's compatible brands follow
/// the first 16 bytes of its `ftyp` box.
pub const SNIFF_BYTES: usize = 64;

impl FileType {
    /// Detects the format from the start of the file (give it [`SNIFF_BYTES`] when there
    /// are that many).
    pub fn sniff(head: &[u8]) -> Option<FileType> {
        if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(FileType::Png)
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileType::Jpeg)
        } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
            Some(FileType::Webp)
        } else if iso_family(head) == Some(IsoFamily::Mp4) {
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

    /// The file extension a file of this type is saved with.
    pub fn extension(self) -> &'static str {
        match self {
            FileType::Png => "png",
            FileType::Jpeg => "jpg",
            FileType::Webp => "webp",
            FileType::Mp4 => "mp4",
        }
    }

    /// Whether `ext` (any case, without the dot) names this type.
    pub fn has_extension(self, ext: &str) -> bool {
        let ext = ext.to_ascii_lowercase();
        ext == self.extension() || (self == FileType::Jpeg && ext == "jpeg")
    }
}

/// What an ISO base media file (one starting with an `ftyp` box) is, by its brands. Many
/// formats share the container: only the brands tell an MP4 video from a phone photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsoFamily {
    /// MP4 video (ISO/IEC 14496-12/14 and the profiles built on it: AVC, DASH, CMAF, M4V).
    Mp4,
    /// HEIF/HEIC still image or image sequence (phone photos).
    Heif,
    /// AVIF still image or image sequence.
    Avif,
    /// 3GPP/3GPP2 mobile video: other codecs (AMR audio, H.263) and its own limits.
    ThreeGpp,
    /// QuickTime movie (`.mov`). Refused: the upload is sent as `video/mp4`, a QuickTime
    /// file may carry codecs an MP4 pipeline does not take (ProRes, PCM audio), and the repair
    /// is a lossless remux the message names, so a mislabelled upload is not worth the risk.
    QuickTime,
    /// Audio-only MP4 (`.m4a`, audiobooks).
    Audio,
    /// JPEG 2000 image or Motion JPEG 2000.
    Jpeg2000,
    /// Brands this program does not know to be MP4.
    Other,
}

impl IsoFamily {
    /// The family of one brand, `None` when the brand is not one of the known ones.
    fn of_brand(brand: &[u8]) -> Option<IsoFamily> {
        Some(match brand {
            b"isom" | b"iso2" | b"iso3" | b"iso4" | b"iso5" | b"iso6" | b"iso7" | b"iso8"
            | b"iso9" | b"isoa" | b"isob" | b"isoc" | b"mp41" | b"mp42" | b"mp71" | b"avc1"
            | b"av01" | b"M4V " | b"M4VH" | b"M4VP" | b"dash" | b"msdh" | b"msix" | b"cmfc"
            | b"cmf2" | b"f4v " | b"MSNV" | b"XAVC" => IsoFamily::Mp4,
            b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"hevm" | b"hevs"
            | b"mif1" | b"mif2" | b"msf1" | b"miaf" => IsoFamily::Heif,
            b"avif" | b"avis" | b"avio" => IsoFamily::Avif,
            [b'3', b'g', ..] => IsoFamily::ThreeGpp,
            b"qt  " => IsoFamily::QuickTime,
            b"M4A " | b"M4B " | b"M4P " => IsoFamily::Audio,
            b"jp2 " | b"jpx " | b"jpm " | b"mjp2" => IsoFamily::Jpeg2000,
            _ => return None,
        })
    }

    /// How a message names the family ("is a HEIC/HEIF image, not an MP4 video").
    pub fn name(self) -> &'static str {
        match self {
            IsoFamily::Mp4 => "an MP4 video",
            IsoFamily::Heif => "a HEIC/HEIF image",
            IsoFamily::Avif => "an AVIF image",
            IsoFamily::ThreeGpp => "a 3GP video",
            IsoFamily::QuickTime => "a QuickTime movie",
            IsoFamily::Audio => "an audio file (M4A)",
            IsoFamily::Jpeg2000 => "a JPEG 2000 file",
            IsoFamily::Other => "an ISO media file that is not MP4",
        }
    }
}

/// The family of an ISO base media file from its first bytes; `None` when it does not start
/// with an `ftyp` box. The major brand decides when it is a known one; otherwise the file is
/// MP4 when a compatible brand says so and none names another family.
pub fn iso_family(head: &[u8]) -> Option<IsoFamily> {
    if head.len() < 12 || &head[4..8] != b"ftyp" {
        return None;
    }
    let major = &head[8..12];
    // The compatible brands run from byte 16 to the end of the box (as far as `head` goes).
    let size = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
    let end = if size >= 16 { size.min(head.len()) } else { 16 };
    let compatible: Vec<Option<IsoFamily>> = head
        .get(16..end)
        .unwrap_or_default()
        .chunks_exact(4)
        .map(IsoFamily::of_brand)
        .collect();
    // AVIF is built on HEIF: an AVIF file lists HEIF's `mif1` too, so AVIF is named first.
    let image_compatible = [IsoFamily::Avif, IsoFamily::Heif]
        .into_iter()
        .find(|f| compatible.contains(&Some(*f)));
    Some(match IsoFamily::of_brand(major) {
        // An MP4 major brand with image brands beside it is an image sequence in disguise.
        Some(IsoFamily::Mp4) => image_compatible.unwrap_or(IsoFamily::Mp4),
        Some(other) => other,
        None => {
            if let Some(image) = image_compatible {
                image
            } else if let Some(other) = compatible.iter().flatten().find(|f| **f != IsoFamily::Mp4)
            {
                *other
            } else if compatible.contains(&Some(IsoFamily::Mp4)) {
                IsoFamily::Mp4
            } else {
                IsoFamily::Other
            }
        }
    })
}

/// The refusal for a file whose content is not `wanted`, naming what it is when the
/// container says so (a HEIC photo picked instead of a video is a common slip).
pub fn not_wanted(shown: &dyn std::fmt::Display, head: &[u8], wanted: &str) -> String {
    match iso_family(head) {
        Some(IsoFamily::QuickTime) => format!(
            "{shown} is a QuickTime movie, not {wanted} (checked by its content, not its name): \
             choose {wanted}, or convert it without re-encoding: ffmpeg -i IN.mov -c copy OUT.mp4"
        ),
        Some(family) if family != IsoFamily::Mp4 => format!(
            "{shown} is {}, not {wanted} (checked by its content, not its name): choose {wanted}",
            family.name()
        ),
        _ => format!(
            "{shown} is not {wanted} (checked by its content, not its name): choose {wanted}"
        ),
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
    // The type is checked before the file is opened: opening a named pipe would block.
    let meta = crate::fsutil::metadata(path).map_err(|e| match e {
        crate::fsutil::ReadError::Missing => {
            format!("cannot open {shown}: there is no such file: check the path")
        }
        e => e.message("", path),
    })?;
    let len = crate::fsutil::check_regular(&meta, u64::MAX).map_err(|e| e.message("", path))?;
    if len > max {
        return Err(too_large(&shown, len, max));
    }
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    std::fs::File::open(path)
        .and_then(|f| f.take(SNIFF_BYTES as u64).read_to_end(&mut head))
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    FileType::sniff(&head)
        .filter(|k| accept(*k))
        .ok_or_else(|| not_wanted(&shown, &head, wanted))
}

/// The refusal for a file over the size limit.
pub fn too_large(shown: &dyn std::fmt::Display, len: u64, max: u64) -> String {
    format!(
        "{shown} is {}, more than the {} allowed: choose a smaller file",
        crate::text::bytes(len),
        crate::text::bytes(max)
    )
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

    /// A major brand and compatible brands.
    type Brands = (&'static [u8; 4], &'static [&'static [u8; 4]]);

    /// An `ftyp` box with these brands, followed by the start of a `moov` box.
    fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let size = 16 + 4 * compatible.len() as u32;
        let mut out = size.to_be_bytes().to_vec();
        out.extend_from_slice(b"ftyp");
        out.extend_from_slice(major);
        out.extend_from_slice(&[0, 0, 2, 0]);
        for b in compatible {
            out.extend_from_slice(*b);
        }
        out.extend_from_slice(b"\0\0\x06\x08moov");
        out
    }

    #[test]
    fn mp4_brands_are_mp4() {
        let cases: [Brands; 12] = [
            (b"isom", &[b"isom", b"iso2", b"avc1", b"mp41"]),
            (b"iso2", &[b"isom"]),
            (b"iso5", &[b"iso6", b"dash"]),
            (b"iso9", &[]),
            (b"mp41", &[b"mp41"]),
            (b"mp42", &[b"isom", b"mp42"]),
            (b"avc1", &[b"isom"]),
            (b"M4V ", &[b"M4V ", b"mp42", b"isom"]),
            (b"dash", &[b"iso6", b"mp41"]),
            (b"mp71", &[b"isom"]),
            // A major brand this program does not know, vouched for by its compatible ones.
            (b"abcd", &[b"isom", b"mp42"]),
            // An MP4 that also claims 3GP compatibility is still an MP4.
            (b"isom", &[b"isom", b"3gp4"]),
        ];
        for (major, compatible) in cases {
            let head = ftyp(major, compatible);
            assert_eq!(
                iso_family(&head),
                Some(IsoFamily::Mp4),
                "{}",
                String::from_utf8_lossy(major)
            );
            assert_eq!(FileType::sniff(&head), Some(FileType::Mp4));
        }
    }

    #[test]
    fn other_iso_media_is_not_mp4() {
        let cases: [(Brands, IsoFamily); 14] = [
            ((b"heic", &[b"mif1", b"heic"]), IsoFamily::Heif),
            ((b"heix", &[b"mif1", b"heix"]), IsoFamily::Heif),
            ((b"mif1", &[b"mif1", b"heic"]), IsoFamily::Heif),
            ((b"msf1", &[b"msf1", b"iso8", b"hevc"]), IsoFamily::Heif),
            ((b"avif", &[b"avif", b"mif1", b"miaf"]), IsoFamily::Avif),
            (
                (b"avis", &[b"avis", b"msf1", b"iso8", b"mif1"]),
                IsoFamily::Avif,
            ),
            ((b"3gp4", &[b"isom", b"3gp4"]), IsoFamily::ThreeGpp),
            ((b"3gp5", &[b"3gp5", b"isom"]), IsoFamily::ThreeGpp),
            ((b"3g2a", &[b"3g2a"]), IsoFamily::ThreeGpp),
            ((b"qt  ", &[b"qt  "]), IsoFamily::QuickTime),
            ((b"M4A ", &[b"M4A ", b"mp42", b"isom"]), IsoFamily::Audio),
            ((b"jp2 ", &[b"jp2 "]), IsoFamily::Jpeg2000),
            // An MP4 major brand over image brands: an image sequence, not a video.
            ((b"iso8", &[b"iso8", b"mif1", b"avif"]), IsoFamily::Avif),
            // Unknown brands only: not known to be MP4.
            ((b"abcd", &[b"efgh"]), IsoFamily::Other),
        ];
        for ((major, compatible), family) in cases {
            let head = ftyp(major, compatible);
            let shown = String::from_utf8_lossy(major).into_owned();
            assert_eq!(iso_family(&head), Some(family), "{shown}");
            assert_eq!(FileType::sniff(&head), None, "{shown}");
        }
        // An unknown major brand with an image brand among its compatible ones.
        assert_eq!(
            iso_family(&ftyp(b"abcd", &[b"isom", b"heic"])),
            Some(IsoFamily::Heif)
        );
        assert_eq!(iso_family(b"\x89PNG\r\n\x1a\n...."), None);
    }

    #[test]
    fn the_refusal_names_what_the_file_is() {
        let msg = not_wanted(&"IMG_0001.mp4", &ftyp(b"heic", &[b"mif1"]), "an MP4 video");
        assert_eq!(
            msg,
            "IMG_0001.mp4 is a HEIC/HEIF image, not an MP4 video (checked by its content, not its name): choose an MP4 video"
        );
        let msg = not_wanted(&"clip.mov", &ftyp(b"qt  ", &[b"qt  "]), "an MP4 video");
        assert!(msg.contains("ffmpeg -i IN.mov -c copy OUT.mp4"), "{msg}");
        let msg = not_wanted(&"a.txt", b"hello", "an MP4 video");
        assert!(msg.starts_with("a.txt is not an MP4 video"), "{msg}");
    }

    #[test]
    fn check_file_refuses_heic_and_keeps_the_assets() {
        let dir = tempfile::tempdir().unwrap();
        let heic = dir.path().join("photo.mp4");
        std::fs::write(&heic, ftyp(b"heic", &[b"mif1", b"heic"])).unwrap();
        let err = check_file(
            &heic,
            MAX_VIDEO_BYTES,
            |k| k == FileType::Mp4,
            "an MP4 video",
        )
        .unwrap_err();
        assert!(
            err.contains("is a HEIC/HEIF image, not an MP4 video"),
            "{err}"
        );
        // The simulator's and the tests' media: real files with their real brands.
        let assets = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
        for (name, kind) in [
            ("sample.mp4", FileType::Mp4),
            ("sample_clean.mp4", FileType::Mp4),
            ("image.png", FileType::Png),
            ("image_landscape.webp", FileType::Webp),
        ] {
            let found = check_file(&assets.join(name), MAX_VIDEO_BYTES, |_| true, "media");
            assert_eq!(found, Ok(kind), "{name}");
        }
    }

    #[test]
    fn each_type_is_sent_with_its_own_mime_and_only_mp4_is_not_an_image() {
        for (kind, mime, image) in [
            (FileType::Png, "image/png", true),
            (FileType::Jpeg, "image/jpeg", true),
            (FileType::Webp, "image/webp", true),
            (FileType::Mp4, "video/mp4", false),
        ] {
            assert_eq!(kind.mime(), mime);
            assert_eq!(kind.is_image(), image, "{kind:?}");
        }
    }

    #[test]
    fn an_unknown_major_brand_beside_mp4_and_another_family_is_that_family() {
        assert_eq!(
            iso_family(&ftyp(b"abcd", &[b"isom", b"3gp4"])),
            Some(IsoFamily::ThreeGpp)
        );
        assert_eq!(
            iso_family(&ftyp(b"abcd", &[b"mp42", b"qt  "])),
            Some(IsoFamily::QuickTime)
        );
    }

    #[test]
    fn an_mp4_refused_where_an_image_is_wanted_is_not_called_an_mp4_family() {
        let msg = not_wanted(&"clip.png", &ftyp(b"isom", &[b"isom"]), "an image");
        assert_eq!(
            msg,
            "clip.png is not an image (checked by its content, not its name): choose an image"
        );
    }

    #[test]
    fn the_size_limits_are_20_and_200_megabytes() {
        assert_eq!(
            too_large(&"big.png", MAX_IMAGE_BYTES + 1, MAX_IMAGE_BYTES),
            "big.png is 20.0 MB, more than the 20 MB allowed: choose a smaller file"
        );
        assert_eq!(
            too_large(&"big.mp4", 300 * 1_048_576, MAX_VIDEO_BYTES),
            "big.mp4 is 300 MB, more than the 200 MB allowed: choose a smaller file"
        );
    }

    #[test]
    fn check_file_takes_a_file_of_exactly_the_limit_and_refuses_one_byte_more() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("a.png");
        std::fs::write(&png, b"\x89PNG\r\n\x1a\n12345678").unwrap();
        assert_eq!(
            check_file(&png, 16, |_| true, "an image"),
            Ok(FileType::Png)
        );
        let err = check_file(&png, 15, |_| true, "an image").unwrap_err();
        assert!(err.contains("more than the 15 B allowed"), "{err}");
    }

    #[test]
    fn check_file_refuses_a_fifo_without_opening_it() {
        use crate::fsutil::hostile::{mkfifo, within};
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("clip.mp4");
        mkfifo(&fifo);
        let err = within("check_file on a FIFO", move || {
            check_file(&fifo, MAX_VIDEO_BYTES, |_| true, "an MP4 video")
        })
        .unwrap_err();
        assert!(
            err.contains("is a named pipe (FIFO), not a regular file"),
            "{err}"
        );
    }
}
