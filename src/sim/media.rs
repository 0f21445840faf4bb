//! Media: the embedded sample files, pre-signed URLs that point at them, and the `/media/…`
//! handler (no auth, signature and expiry checked, `Range` supported so downloads can resume).

use std::hash::{BuildHasher, Hasher};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use super::ids;

/// How long a signed URL stays valid (the live service: about 3 days).
const URL_LIFETIME_SECS: u64 = 3 * 24 * 3600;

/// One of the embedded files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
    /// The file name used in URLs, resolved back with [`Asset::from_file_name`].
    pub fn from_file_name(name: &str) -> Option<Asset> {
        Some(match name {
            "source.mp4" | "md.mp4" | "ld.mp4" | "endcard.mp4" => Asset::Video,
            "source_nowm.mp4" => Asset::VideoClean,
            "thumbnail.webp" => Asset::Thumbnail,
            "image.png" => Asset::ImageSquare,
            "image_landscape.webp" => Asset::ImageLandscape,
            "image_portrait.webp" => Asset::ImagePortrait,
            "profile.webp" => Asset::Profile,
            _ => return None,
        })
    }

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
}

impl MediaUrls {
    /// `base` is the media origin, e.g. `http://127.0.0.2:41234`.
    pub fn new(base: String) -> Self {
        MediaUrls {
            base,
            keys: [std::hash::RandomState::new(), std::hash::RandomState::new()],
        }
    }

    /// A signed URL for `file` of `owner` (a generation, cameo… id), valid for about 3 days.
    pub fn url(&self, owner: &str, file: &str) -> String {
        let path = format!("/media/{owner}/{file}");
        let expiry = unix_now() + URL_LIFETIME_SECS;
        let sig = self.signature(&path, expiry);
        format!("{}{path}?se={expiry}&sp=r&sig={sig}", self.base)
    }

    fn signature(&self, path: &str, expiry: u64) -> String {
        let mut out = String::with_capacity(32);
        for key in &self.keys {
            let mut h = key.build_hasher();
            h.write(path.as_bytes());
            h.write_u64(expiry);
            out.push_str(&format!("{:016x}", h.finish()));
        }
        out
    }

    /// Checks `se` and `sig` of a request for `path`.
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

/// Answers a `/media/{owner}/{file}` request.
/// `range` is the request's `Range` header.
pub fn serve(urls: &MediaUrls, path: &str, query: Option<&str>, range: Option<&str>) -> Response {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let asset = match segments.as_slice() {
        ["media", owner, file] if !owner.is_empty() => Asset::from_file_name(file),
        _ => None,
    };
    let Some(asset) = asset else {
        return storage_error(
            StatusCode::NOT_FOUND,
            "BlobNotFound",
            "The specified blob does not exist.",
            None,
        );
    };
    if let Err(denied) = urls.verify(path, query, unix_now()) {
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

    let bytes = Bytes::from_static(asset.bytes());
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
    insert(&mut response, header::CONTENT_TYPE, asset.content_type());
    insert(&mut response, header::ACCEPT_RANGES, "bytes");
    insert(&mut response, header::ETAG, &format!("\"{asset:?}-{len}\""));
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
        let url = urls.url("gen_abc", "source.mp4");
        let rest = url.strip_prefix("http://127.0.0.1:9").expect("base");
        let (path, query) = rest.split_once('?').expect("query");
        assert_eq!(path, "/media/gen_abc/source.mp4");
        assert_eq!(urls.verify(path, Some(query), unix_now()), Ok(()));
        assert_eq!(
            urls.verify("/media/gen_abd/source.mp4", Some(query), unix_now()),
            Err(Denied::BadSignature)
        );
        assert_eq!(urls.verify(path, None, unix_now()), Err(Denied::Unsigned));
        let later = unix_now() + URL_LIFETIME_SECS + 10;
        assert_eq!(urls.verify(path, Some(query), later), Err(Denied::Expired));
        let other = MediaUrls::new("http://127.0.0.1:9".into());
        assert_eq!(
            other.verify(path, Some(query), unix_now()),
            Err(Denied::BadSignature)
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
        let url = urls.url("gen_abc", "thumbnail.webp");
        let (path, query) = url.split_once('?').expect("query");
        let len = Asset::Thumbnail.bytes().len();

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
        let r = serve(&urls, "/media/gen_abc/nope.bin", Some(query), None);
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
}
