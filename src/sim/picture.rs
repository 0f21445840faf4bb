//! Small generated pictures for the media the simulator lists as images (draft thumbnails,
//! link previews, image results, profile pictures), each drawn from a hash of its owner's id
//! so two drafts never look alike, and the hostile bodies a fault can serve in their place
//! (see `faults::BadPicture`).
//!
//! The drawing is a background of two colours split by a slanted edge, with a disc and a bar
//! placed by the hash: cheap to draw and to encode losslessly (in an unoptimised build about
//! 20 ms for a 320×180 WebP of about 2 KB, 100 ms for a 360×360 PNG; each picture is drawn once
//! per simulator and kept, see `media::MediaUrls`), and easy to tell apart on screen.

#[cfg(feature = "previews")]
use std::io::Cursor;

#[cfg(feature = "previews")]
use image::{
    ExtendedColorType, ImageEncoder,
    codecs::{png::PngEncoder, webp::WebPEncoder},
};

/// The shape of a generated picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    /// 320×180 (a landscape video's thumbnail).
    Landscape,
    /// 180×320.
    Portrait,
    /// 240×240.
    Square,
    /// 96×96 (a cameo's profile picture).
    Avatar,
    /// 480×270: an image result, larger than a thumbnail so the client scales it down.
    LargeLandscape,
    /// 270×480.
    LargePortrait,
    /// 360×360.
    LargeSquare,
}

impl Shape {
    /// The shape of a picture of `width`×`height` (a video's or an image's dimensions).
    pub fn of(width: u32, height: u32) -> Shape {
        match width.cmp(&height) {
            std::cmp::Ordering::Greater => Shape::Landscape,
            std::cmp::Ordering::Less => Shape::Portrait,
            std::cmp::Ordering::Equal => Shape::Square,
        }
    }

    /// Width and height in pixels.
    pub fn size(self) -> (u32, u32) {
        match self {
            Shape::Landscape => (320, 180),
            Shape::Portrait => (180, 320),
            Shape::Square => (240, 240),
            Shape::Avatar => (96, 96),
            Shape::LargeLandscape => (480, 270),
            Shape::LargePortrait => (270, 480),
            Shape::LargeSquare => (360, 360),
        }
    }
}

/// How a generated picture is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Lossless WebP (what the live thumbnails and most images are).
    Webp,
    /// PNG (the square image results, as the live service serves some).
    Png,
}

impl Encoding {
    /// The `Content-Type` it is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            Encoding::Webp => "image/webp",
            Encoding::Png => "image/png",
        }
    }
}

/// A 64-bit FNV-1a hash: stable across runs and builds, so one id always gives one picture.
pub fn seed_of(id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // A final mix, so ids that differ in the last character differ in every colour.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

/// A colour from 8 bits of hue and fixed, saturated lightness (never near-black or
/// near-white, so every picture reads on a dark or a light terminal).
fn colour(hue: u8, light: bool) -> [u8; 3] {
    let h = f32::from(hue) / 256.0 * 6.0;
    let (lo, hi) = if light { (110.0, 250.0) } else { (40.0, 190.0) };
    let x = (h % 2.0 - 1.0).abs();
    let mid = hi - (hi - lo) * x;
    let (r, g, b) = match h as u32 {
        0 => (hi, mid, lo),
        1 => (mid, hi, lo),
        2 => (lo, hi, mid),
        3 => (lo, mid, hi),
        4 => (mid, lo, hi),
        _ => (hi, lo, mid),
    };
    [r as u8, g as u8, b as u8]
}

/// The RGBA pixels of the picture of `seed` in `shape`.
pub fn pixels(seed: u64, shape: Shape) -> (u32, u32, Vec<u8>) {
    let (w, h) = shape.size();
    let byte = |n: u32| ((seed >> (n * 8)) & 0xff) as u8;
    let back = colour(byte(0), false);
    let front = colour(byte(1), true);
    let disc = colour(byte(2).wrapping_add(128), true);
    let bar = colour(byte(3), false);
    // The slanted edge: x = a + slope * y, both from the hash.
    let a = f32::from(byte(4)) / 255.0 * w as f32;
    let slope = (f32::from(byte(5)) / 255.0 - 0.5) * 2.0;
    let (cx, cy) = (
        (f32::from(byte(6)) / 255.0 * 0.6 + 0.2) * w as f32,
        (f32::from(byte(7)) / 255.0 * 0.6 + 0.2) * h as f32,
    );
    let r = (w.min(h) as f32) * (0.15 + f32::from(byte(2) & 0x3f) / 255.0);
    let bar_y = ((seed >> 40) as u32 % h.max(1)).min(h.saturating_sub(h / 8));
    let bar_h = (h / 10).max(2);
    let mut out = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let (xf, yf) = (x as f32, y as f32);
            let dx = xf - cx;
            let dy = yf - cy;
            let c = if dx * dx + dy * dy <= r * r {
                disc
            } else if y >= bar_y && y < bar_y + bar_h {
                bar
            } else if xf > a + slope * yf {
                front
            } else {
                back
            };
            out.extend_from_slice(&[c[0], c[1], c[2], 255]);
        }
    }
    (w, h, out)
}

/// The encoded picture of `id` in `shape`.
pub fn generate(id: &str, shape: Shape, encoding: Encoding) -> Vec<u8> {
    let (w, h, rgba) = pixels(seed_of(id), shape);
    encode(&rgba, w, h, encoding)
}

/// A build without the `previews` feature has no encoders: every picture is the one shipped
/// in `assets/` in its format (the client of such a build shows no pictures anyway).
#[cfg(not(feature = "previews"))]
pub fn encode(_rgba: &[u8], _w: u32, _h: u32, encoding: Encoding) -> Vec<u8> {
    match encoding {
        Encoding::Webp => include_bytes!("../../assets/thumbnail.webp").to_vec(),
        Encoding::Png => include_bytes!("../../assets/image.png").to_vec(),
    }
}

/// Encodes RGBA pixels; an encoder failure (which the fixed sizes here cannot cause) gives
/// an empty body, which the client reports as not an image.
#[cfg(feature = "previews")]
pub fn encode(rgba: &[u8], w: u32, h: u32, encoding: Encoding) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let done = match encoding {
        Encoding::Webp => {
            WebPEncoder::new_lossless(&mut out).encode(rgba, w, h, ExtendedColorType::Rgba8)
        }
        Encoding::Png => {
            PngEncoder::new(&mut out).write_image(rgba, w, h, ExtendedColorType::Rgba8)
        }
    };
    match done {
        Ok(()) => out.into_inner(),
        Err(_) => Vec::new(),
    }
}

/// What a hostile media answer in place of a picture is (see `faults::Fault::BadPicture`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BadPicture {
    /// An HTML page served as `text/html` with status 200 (a captive portal, a login page).
    Html,
    /// A WebP cut off halfway, served as `image/webp`.
    Truncated,
    /// A tiny PNG whose header claims 20000×20000 pixels: a decoder that believes it
    /// allocates 1.6 GB.
    HugeDimensions,
    /// A body of 5 MiB with no announced length, more than a thumbnail may be.
    Oversized,
}

/// The size of [`BadPicture::Oversized`].
pub const OVERSIZED_BYTES: usize = 5 * 1024 * 1024;

/// The `Content-Type` and body of a hostile picture.
pub fn hostile(kind: BadPicture) -> (&'static str, Vec<u8>) {
    match kind {
        BadPicture::Html => (
            "text/html; charset=utf-8",
            b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in to continue.</body></html>".to_vec(),
        ),
        BadPicture::Truncated => {
            let mut webp = generate("truncated", Shape::Landscape, Encoding::Webp);
            webp.truncate(webp.len() / 2);
            ("image/webp", webp)
        }
        BadPicture::HugeDimensions => ("image/png", huge_png(20_000, 20_000)),
        // A PNG signature first, so only the size gives it away.
        BadPicture::Oversized => {
            let mut body = b"\x89PNG\r\n\x1a\n".to_vec();
            body.resize(OVERSIZED_BYTES, 0);
            ("image/png", body)
        }
    }
}

/// A valid PNG header (signature and IHDR with a correct CRC) announcing `w`×`h` RGBA, then
/// an IDAT of a few zero bytes and IEND: a few dozen bytes in all.
fn huge_png(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    // A zlib stream header and a few bytes: not enough for one row.
    chunk(&mut out, b"IDAT", &[0x78, 0x9c, 0x63, 0x00, 0x00]);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// The CRC-32 of PNG chunks (IEEE, reflected), bit by bit: a few dozen bytes are hashed.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xedb8_8320 & mask);
        }
    }
    !crc
}

#[cfg(all(test, feature = "previews"))]
mod tests {
    use super::*;

    #[test]
    fn pictures_are_valid_distinct_and_cheap() {
        let a = generate("gen_01aaaa", Shape::Landscape, Encoding::Webp);
        let b = generate("gen_01aaab", Shape::Landscape, Encoding::Webp);
        assert_eq!((&a[..4], &a[8..12]), (&b"RIFF"[..], &b"WEBP"[..]));
        assert_ne!(a, b, "two ids, two pictures");
        assert_eq!(a, generate("gen_01aaaa", Shape::Landscape, Encoding::Webp));
        let decoded = image::load_from_memory(&a).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (320, 180));
        let png = generate("gen_x", Shape::LargeSquare, Encoding::Png);
        let decoded = image::load_from_memory(&png).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (360, 360));
        // Small enough to serve per request (lossless, flat colours).
        assert!(a.len() < 16 * 1024, "{}", a.len());
    }

    #[test]
    fn the_crc_is_the_png_one() {
        assert_eq!(crc32(b"IEND"), 0xae42_6082);
    }

    #[test]
    fn hostile_pictures_are_what_they_claim() {
        let (_, png) = hostile(BadPicture::HugeDimensions);
        assert!(png.len() < 100);
        let dims = image::ImageReader::new(Cursor::new(&png))
            .with_guessed_format()
            .unwrap()
            .into_dimensions()
            .unwrap();
        assert_eq!(dims, (20_000, 20_000));
        let (_, webp) = hostile(BadPicture::Truncated);
        assert!(image::load_from_memory(&webp).is_err());
        assert_eq!(hostile(BadPicture::Oversized).1.len(), OVERSIZED_BYTES);
    }
}
