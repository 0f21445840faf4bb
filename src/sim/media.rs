//! Media: the embedded sample files, pre-signed URLs in the live blob store's form that point
//! at them, and the `/az/files/…` handler (no auth, signature and expiry checked, `Range`
//! supported so downloads can resume).
//!
//! A URL looks like the live service's: `/az/files/{uuid}%2Fraw?se=…&sp=r&sv=…&sr=b&sig=…`
//! for a full-quality file and `/az/files/{hash}_{uuid}%2Fdrvs%2Fmd%2Fraw?…` for a
//! derivative (md, ld, thumbnail, link thumbnail, end card). No path carries a file
//! extension: the type is in the `Content-Type` the file is served with. The uuids are
//! derived from the owner (a generation, cameo or image id) with per-instance keys, and each
//! issued path is remembered with the file it names.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use super::ids;
use super::picture::{self, Encoding, Shape};
use super::server::lock;

/// How long a signed URL stays valid (the live service: about 3 days).
const URL_LIFETIME_SECS: u64 = 3 * 24 * 3600;
/// Where the blob store serves files; the rest of the path is the blob's name, `/` encoded.
pub const FILES_PREFIX: &str = "/az/files/";
/// The storage API version the live URLs carry in `sv`.
const STORAGE_VERSION: &str = "2026-02-06";

/// One of the embedded files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Asset {
    /// The watermarked video served for drafts.
    Video,
    /// The same video without the watermark, served for published posts.
    VideoClean,
    /// Draft thumbnail.
    Thumbnail,
    /// Square image generation (PNG).
    ImageSquare,
    /// Landscape image generation (WebP).
    ImageLandscape,
    /// Portrait image generation (WebP).
    ImagePortrait,
    /// Cameo profile picture (WebP).
    Profile,
}

impl Asset {
    /// The file's bytes, embedded at build time.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Asset::Video => include_bytes!("../../assets/sample.mp4"),
            Asset::VideoClean => include_bytes!("../../assets/sample_clean.mp4"),
            Asset::Thumbnail => include_bytes!("../../assets/thumbnail.webp"),
            Asset::ImageSquare => include_bytes!("../../assets/image.png"),
            Asset::ImageLandscape => include_bytes!("../../assets/image_landscape.webp"),
            Asset::ImagePortrait => include_bytes!("../../assets/image_portrait.webp"),
            Asset::Profile => include_bytes!("../../assets/profile.webp"),
        }
    }

    /// The `Content-Type` it is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            Asset::Video | Asset::VideoClean => "video/mp4",
            Asset::ImageSquare => "image/png",
            Asset::Thumbnail | Asset::ImageLandscape | Asset::ImagePortrait | Asset::Profile => {
                "image/webp"
            }
        }
    }
}

/// Which file of an owner a URL names; exists so views ask for "the md stream of gen_x" and
/// the blob naming stays in one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Blob {
    /// Full-quality watermarked video: `{uuid}/raw`.
    Source,
    /// Full-quality video without the watermark: `{uuid}/raw` under a uuid of its own.
    SourceClean,
    /// Medium-quality stream: `{hash}_{uuid}/drvs/md/raw`.
    Md,
    /// Low-quality stream: `{hash}_{uuid}/drvs/ld/raw`.
    Ld,
    /// Watermarked video with the end card: `{hash}_{uuid}/drvs/endcard_wm/raw`.
    EndcardWm,
    /// Poster image: `{hash}_{uuid}/drvs/thumbnail/raw`, a picture of the video's shape
    /// drawn from the owner's id (see `picture`).
    Thumbnail(Shape),
    /// Link preview image: `{hash}_{uuid}/drvs/link_thumbnail/raw` (the same picture).
    Unfurl(Shape),
    /// A single image (an image generation, a profile picture): `{uuid}/raw` holding it, a
    /// picture drawn from the owner's id in the asset's shape and type.
    Image(Asset),
}

impl Blob {
    /// The embedded file behind it.
    pub fn asset(self) -> Asset {
        match self {
            Blob::Source | Blob::Md | Blob::Ld | Blob::EndcardWm => Asset::Video,
            Blob::SourceClean => Asset::VideoClean,
            Blob::Thumbnail(_) | Blob::Unfurl(_) => Asset::Thumbnail,
            Blob::Image(asset) => asset,
        }
    }

    /// What a URL of this blob of `owner` serves: an embedded file, or a picture generated
    /// from the owner's id, so every draft, image variant and cameo looks different.
    fn served(self, owner: &str) -> Served {
        let drawn = |shape, encoding| Served::Picture {
            seed: picture::seed_of(owner),
            shape,
            encoding,
        };
        match self {
            Blob::Thumbnail(shape) | Blob::Unfurl(shape) => drawn(shape, Encoding::Webp),
            Blob::Image(Asset::ImageSquare) => drawn(Shape::LargeSquare, Encoding::Png),
            Blob::Image(Asset::ImageLandscape) => drawn(Shape::LargeLandscape, Encoding::Webp),
            Blob::Image(Asset::ImagePortrait) => drawn(Shape::LargePortrait, Encoding::Webp),
            Blob::Image(Asset::Profile) => drawn(Shape::Avatar, Encoding::Webp),
            other => Served::File(other.asset()),
        }
    }

    /// The file's size in bytes.
    pub fn size(self) -> usize {
        self.asset().bytes().len()
    }

    /// The derivative directory, for the blobs that are derivatives of a source.
    fn derivative(self) -> Option<&'static str> {
        match self {
            Blob::Md => Some("md"),
            Blob::Ld => Some("ld"),
            Blob::EndcardWm => Some("endcard_wm"),
            Blob::Thumbnail(_) => Some("thumbnail"),
            Blob::Unfurl(_) => Some("link_thumbnail"),
            Blob::Source | Blob::SourceClean | Blob::Image(_) => None,
        }
    }

    /// Which uuid of the owner it lives under: the clean source and images have their own.
    fn family(self) -> &'static str {
        match self {
            Blob::SourceClean => "clean",
            Blob::Image(_) => "image",
            _ => "source",
        }
    }
}

/// What an issued blob path serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Served {
    /// One of the embedded files.
    File(Asset),
    /// A picture drawn from `seed` (see `picture::pixels`).
    Picture {
        /// The owner's hash.
        seed: u64,
        /// Its size.
        shape: Shape,
        /// Its file type.
        encoding: Encoding,
    },
}

/// How many generated pictures are kept encoded; past it the store starts over (a picture
/// takes a millisecond or so to draw again).
const PICTURES_KEPT: usize = 512;

/// Unix time now, in seconds.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Makes and checks pre-signed media URLs; the keys are random per simulator instance.
#[derive(Debug)]
pub struct MediaUrls {
    base: String,
    keys: [std::hash::RandomState; 2],
    /// Every blob path handed out, with the file it serves.
    issued: Mutex<HashMap<String, Served>>,
    /// Generated pictures already encoded.
    pictures: Mutex<HashMap<Served, Bytes>>,
}

impl MediaUrls {
    /// `base` is the media origin, e.g. `http://127.0.0.2:41234`.
    pub fn new(base: String) -> Self {
        MediaUrls {
            base,
            keys: [std::hash::RandomState::new(), std::hash::RandomState::new()],
            issued: Mutex::new(HashMap::new()),
            pictures: Mutex::new(HashMap::new()),
        }
    }

    fn keyed(&self, key: usize, parts: &[&str]) -> u64 {
        let mut h = self.keys[key].build_hasher();
        for p in parts {
            h.write(p.as_bytes());
            h.write_u8(0);
        }
        h.finish()
    }

    /// A uuid in the live form (`00000000-xxxx-xxxx-xxxx-xxxxxxxxxxxx`), stable for one
    /// owner and family within this instance.
    fn uuid(&self, owner: &str, family: &str) -> String {
        let hex = format!(
            "{:016x}{:016x}",
            self.keyed(0, &["uuid", owner, family]),
            self.keyed(1, &["uuid", owner, family])
        );
        format!(
            "00000000-{}-{}-{}-{}",
            &hex[0..4],
            &hex[4..8],
            &hex[8..12],
            &hex[12..24]
        )
    }

    /// The blob store's name of `blob` of `owner` (`{uuid}/raw`, `{hash}_{uuid}/drvs/md/raw`):
    /// what drafts/v2 shows as an internal `path`. It is remembered so the URL made from it
    /// can be served.
    pub fn path(&self, owner: &str, blob: Blob) -> String {
        let uuid = self.uuid(owner, blob.family());
        let path = match blob.derivative() {
            None => format!("{uuid}/raw"),
            Some(drv) => {
                let hash = format!(
                    "{:016x}{:016x}",
                    self.keyed(0, &["hash", owner]),
                    self.keyed(1, &["hash", owner])
                );
                format!("{hash}_{uuid}/drvs/{drv}/raw")
            }
        };
        lock(&self.issued).insert(path.clone(), blob.served(owner));
        path
    }

    /// A signed URL for `blob` of `owner`, valid for about 3 days.
    pub fn url(&self, owner: &str, blob: Blob) -> String {
        let path = self.path(owner, blob);
        let expiry = unix_now() + URL_LIFETIME_SECS;
        let sig = self.signature(&path, expiry);
        format!(
            "{}{FILES_PREFIX}{}?se={expiry}&sp=r&sv={STORAGE_VERSION}&sr=b&sig={sig}",
            self.base,
            path.replace('/', "%2F")
        )
    }

    /// The file a blob path names, if this instance issued it.
    fn resolve(&self, path: &str) -> Option<Served> {
        lock(&self.issued).get(path).copied()
    }

    /// The bytes and `Content-Type` of what a blob path serves (a generated picture is drawn
    /// once and kept).
    fn body(&self, served: Served) -> (Bytes, &'static str) {
        match served {
            Served::File(asset) => (Bytes::from_static(asset.bytes()), asset.content_type()),
            Served::Picture {
                seed,
                shape,
                encoding,
            } => {
                if let Some(bytes) = lock(&self.pictures).get(&served) {
                    return (bytes.clone(), encoding.content_type());
                }
                let (w, h, rgba) = picture::pixels(seed, shape);
                let bytes = Bytes::from(picture::encode(&rgba, w, h, encoding));
                let mut kept = lock(&self.pictures);
                if kept.len() >= PICTURES_KEPT {
                    kept.clear();
                }
                kept.insert(served, bytes.clone());
                (bytes, encoding.content_type())
            }
        }
    }

    fn signature(&self, path: &str, expiry: u64) -> String {
        let expiry = expiry.to_string();
        format!(
            "{:016x}{:016x}",
            self.keyed(0, &["sig", path, &expiry]),
            self.keyed(1, &["sig", path, &expiry])
        )
    }

    /// Checks `se` and `sig` of a request for blob `path` (decoded).
    pub fn verify(&self, path: &str, query: Option<&str>, now: u64) -> Result<(), Denied> {
        let param = |name: &str| {
            query?
                .split('&')
                .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
        };
        let (Some(expiry), Some(sig)) = (param("se"), param("sig")) else {
            return Err(Denied::Unsigned);
        };
        let Ok(expiry) = expiry.parse::<u64>() else {
            return Err(Denied::BadSignature);
        };
        if self.signature(path, expiry) != sig {
            return Err(Denied::BadSignature);
        }
        if expiry < now {
            return Err(Denied::Expired);
        }
        Ok(())
    }
}

/// Decodes `%XX` escapes; `None` for a malformed escape or a result that is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Why a media request was refused with 403.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denied {
    /// No `se`/`sig` in the query.
    Unsigned,
    /// The signature does not match the path and expiry.
    BadSignature,
    /// The URL's expiry has passed.
    Expired,
}

/// The byte range a request asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeSpec {
    /// No (usable) `Range`: the whole file, 200.
    Full,
    /// Bytes `start..=end`, 206.
    Partial(u64, u64),
    /// Starts past the end, 416.
    Unsatisfiable,
}

/// Parses a single-range `Range` header (`bytes=N-`, `bytes=N-M`, `bytes=-K`); anything else
/// (multiple ranges, other units, garbage) is ignored as the RFC allows.
pub fn parse_range(value: Option<&str>, len: u64) -> RangeSpec {
    let Some(spec) = value.and_then(|v| v.trim().strip_prefix("bytes=")) else {
        return RangeSpec::Full;
    };
    if spec.contains(',') {
        return RangeSpec::Full;
    }
    let Some((first, last)) = spec.split_once('-') else {
        return RangeSpec::Full;
    };
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        // Suffix range: the last K bytes.
        return match last.parse::<u64>() {
            Ok(0) => RangeSpec::Unsatisfiable,
            Ok(k) if len > 0 => RangeSpec::Partial(len.saturating_sub(k), len - 1),
            Ok(_) => RangeSpec::Unsatisfiable,
            Err(_) => RangeSpec::Full,
        };
    }
    let Ok(start) = first.parse::<u64>() else {
        return RangeSpec::Full;
    };
    let end = if last.is_empty() {
        len.saturating_sub(1)
    } else {
        match last.parse::<u64>() {
            Ok(end) if end >= start => end.min(len.saturating_sub(1)),
            _ => return RangeSpec::Full,
        }
    };
    if start >= len {
        RangeSpec::Unsatisfiable
    } else {
        RangeSpec::Partial(start, end)
    }
}

/// Whether a request path is a media download: the live form `/az/files/…`, or the
/// simulator's older `/media/…` (kept so a link made by hand still reaches the media
/// pipeline and its faults; no such path is issued any more, so it answers 404).
pub fn is_media_path(path: &str) -> bool {
    path.starts_with("/media/") || path.starts_with(FILES_PREFIX)
}

/// The request log's name for a media request: `/media` followed by the path on the media
/// host (`/media/az/files/…`), so that log filters and fault rules for `/media` keep
/// meaning "media downloads" whatever the blob names look like.
pub fn logged_path(path: &str) -> String {
    if path.starts_with("/media/") {
        path.to_string()
    } else {
        format!("/media{path}")
    }
}

/// Answers a media request; `path` is the request path or its [`logged_path`], `range` the
/// request's `Range` header.
pub fn serve(urls: &MediaUrls, path: &str, query: Option<&str>, range: Option<&str>) -> Response {
    let path = path
        .strip_prefix("/media")
        .filter(|p| p.starts_with(FILES_PREFIX))
        .unwrap_or(path);
    let blob = path
        .strip_prefix(FILES_PREFIX)
        .and_then(percent_decode)
        .and_then(|blob| urls.resolve(&blob).map(|asset| (blob, asset)));
    let Some((blob, served)) = blob else {
        return storage_error(
            StatusCode::NOT_FOUND,
            "BlobNotFound",
            "The specified blob does not exist.",
            None,
        );
    };
    if let Err(denied) = urls.verify(&blob, query, unix_now()) {
        let detail = match denied {
            Denied::Unsigned => "Signature fields not well formed.",
            Denied::BadSignature => "Signature did not match.",
            Denied::Expired => "Signed expiry time has passed.",
        };
        return storage_error(
            StatusCode::FORBIDDEN,
            "AuthenticationFailed",
            "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.",
            Some(detail),
        );
    }

    let (bytes, content_type) = urls.body(served);
    let len = bytes.len() as u64;
    let range = parse_range(range, len);
    let mut response = match range {
        RangeSpec::Full => Response::new(Body::from(bytes)),
        RangeSpec::Partial(start, end) => {
            let mut r = Response::new(Body::from(bytes.slice(start as usize..=end as usize)));
            *r.status_mut() = StatusCode::PARTIAL_CONTENT;
            insert(
                &mut r,
                header::CONTENT_RANGE,
                &format!("bytes {start}-{end}/{len}"),
            );
            r
        }
        RangeSpec::Unsatisfiable => {
            let mut r = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            insert(&mut r, header::CONTENT_RANGE, &format!("bytes */{len}"));
            return r;
        }
    };
    let tag = match served {
        Served::File(asset) => format!("{asset:?}"),
        Served::Picture { seed, .. } => format!("{seed:016x}"),
    };
    insert(&mut response, header::CONTENT_TYPE, content_type);
    insert(&mut response, header::ACCEPT_RANGES, "bytes");
    insert(&mut response, header::ETAG, &format!("\"{tag}-{len}\""));
    insert(
        &mut response,
        header::CACHE_CONTROL,
        "private, max-age=259200",
    );
    response
}

fn insert(response: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, v);
    }
}

/// An error in the blob store's XML form (media is not served by the JSON API).
fn storage_error(status: StatusCode, code: &str, message: &str, detail: Option<&str>) -> Response {
    let request_id = ids::hex(32);
    let detail = detail
        .map(|d| format!("<AuthenticationErrorDetail>{d}</AuthenticationErrorDetail>"))
        .unwrap_or_default();
    let body = format!(
        "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{code}</Code><Message>{message}\nRequestId:{request_id}</Message>{detail}</Error>"
    );
    let mut r = (status, body).into_response();
    insert(&mut r, header::CONTENT_TYPE, "application/xml");
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAGIC_MP4: &[u8] = b"ftyp";

    #[test]
    fn assets_are_real_files_of_their_type() {
        for asset in [Asset::Video, Asset::VideoClean] {
            assert_eq!(&asset.bytes()[4..8], MAGIC_MP4);
        }
        for asset in [
            Asset::Thumbnail,
            Asset::ImageLandscape,
            Asset::ImagePortrait,
            Asset::Profile,
        ] {
            let b = asset.bytes();
            assert_eq!((&b[..4], &b[8..12]), (&b"RIFF"[..], &b"WEBP"[..]));
        }
        assert_eq!(&Asset::ImageSquare.bytes()[..8], b"\x89PNG\r\n\x1a\n");
        assert_ne!(Asset::Video.bytes(), Asset::VideoClean.bytes());
    }

    #[test]
    fn signed_urls_verify_and_tampering_fails() {
        let urls = MediaUrls::new("http://127.0.0.1:9".into());
        let url = urls.url("gen_abc", Blob::Source);
        let rest = url.strip_prefix("http://127.0.0.1:9").expect("base");
        let (path, query) = rest.split_once('?').expect("query");
        let blob =
            percent_decode(path.strip_prefix(FILES_PREFIX).expect("prefix")).expect("decodes");
        assert_eq!(blob, urls.path("gen_abc", Blob::Source));
        assert_eq!(urls.verify(&blob, Some(query), unix_now()), Ok(()));
        let other_blob = urls.path("gen_abd", Blob::Source);
        assert_eq!(
            urls.verify(&other_blob, Some(query), unix_now()),
            Err(Denied::BadSignature)
        );
        assert_eq!(urls.verify(&blob, None, unix_now()), Err(Denied::Unsigned));
        let later = unix_now() + URL_LIFETIME_SECS + 10;
        assert_eq!(urls.verify(&blob, Some(query), later), Err(Denied::Expired));
        let other = MediaUrls::new("http://127.0.0.1:9".into());
        assert_eq!(
            other.verify(&blob, Some(query), unix_now()),
            Err(Denied::BadSignature)
        );
    }

    #[test]
    fn blob_names_look_like_the_live_ones() {
        let urls = MediaUrls::new("http://127.0.0.1:9".into());
        let source = urls.path("gen_abc", Blob::Source);
        let (uuid, rest) = source.split_once('/').expect("uuid/raw");
        assert_eq!(rest, "raw");
        assert!(uuid.starts_with("00000000-") && uuid.len() == 36, "{uuid}");
        let md = urls.path("gen_abc", Blob::Md);
        assert!(md.ends_with(&format!("_{uuid}/drvs/md/raw")), "{md}");
        assert!(
            urls.path("gen_abc", Blob::Unfurl(Shape::Landscape))
                .ends_with("/drvs/link_thumbnail/raw")
        );
        assert_ne!(urls.path("gen_abc", Blob::SourceClean), source);
        assert_eq!(urls.path("gen_abc", Blob::Source), source, "stable");
        let url = urls.url("gen_abc", Blob::Md);
        let path = url.split('?').next().expect("path");
        assert!(path.ends_with("%2Fdrvs%2Fmd%2Fraw"), "{url}");
        assert!(
            !path.rsplit('/').next().unwrap_or("").contains('.'),
            "{url}"
        );
    }

    #[test]
    fn ranges_parse_like_http_servers_do() {
        assert_eq!(parse_range(None, 100), RangeSpec::Full);
        assert_eq!(
            parse_range(Some("bytes=10-"), 100),
            RangeSpec::Partial(10, 99)
        );
        assert_eq!(
            parse_range(Some("bytes=10-19"), 100),
            RangeSpec::Partial(10, 19)
        );
        assert_eq!(
            parse_range(Some("bytes=90-200"), 100),
            RangeSpec::Partial(90, 99)
        );
        assert_eq!(
            parse_range(Some("bytes=-30"), 100),
            RangeSpec::Partial(70, 99)
        );
        assert_eq!(
            parse_range(Some("bytes=-300"), 100),
            RangeSpec::Partial(0, 99)
        );
        assert_eq!(
            parse_range(Some("bytes=100-"), 100),
            RangeSpec::Unsatisfiable
        );
        assert_eq!(parse_range(Some("bytes=0-1,5-6"), 100), RangeSpec::Full);
        assert_eq!(parse_range(Some("items=0-1"), 100), RangeSpec::Full);
        assert_eq!(parse_range(Some("bytes=5-2"), 100), RangeSpec::Full);
    }

    #[test]
    fn serve_answers_full_partial_and_refusals() {
        let urls = MediaUrls::new(String::new());
        let url = urls.url("gen_abc", Blob::Thumbnail(Shape::Portrait));
        let (path, query) = url.split_once('?').expect("query");
        assert!(path.starts_with(FILES_PREFIX), "{path}");
        let len = picture::generate("gen_abc", Shape::Portrait, Encoding::Webp).len();

        let r = serve(&urls, path, Some(query), None);
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::CONTENT_TYPE], "image/webp");

        let r = serve(&urls, path, Some(query), Some("bytes=100-"));
        assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(
            r.headers()[header::CONTENT_RANGE].to_str().ok(),
            Some(format!("bytes 100-{}/{len}", len - 1).as_str())
        );

        let r = serve(&urls, path, Some("se=1&sig=00"), None);
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = serve(&urls, &logged_path(path), Some(query), None);
        assert_eq!(r.status(), StatusCode::OK, "the logged form is served too");
        let r = serve(&urls, "/media/gen_abc/thumbnail.webp", Some(query), None);
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = serve(
            &urls,
            "/az/files/00000000-0000-0000-0000-000000000000%2Fraw",
            Some(query),
            None,
        );
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "never issued");
    }
}
