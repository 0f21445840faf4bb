//! The messages about pictures: the thumbnails of drafts, the variants of image results and
//! cameos' profile pictures, which the UI asks for as they come on screen and the worker
//! fetches, caches on disk and decodes off the UI task (see `docs/architecture.md`).

use std::sync::Arc;

/// Which picture: the UI's key for what it shows, and the worker's for where a fresh link
/// comes from when the one it was given has expired (a draft or a cameo is read again).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PictureKey {
    /// A video draft's thumbnail (`gen_…`).
    Draft(String),
    /// One variant of an image result: the draft (`gen_…`) and the variant's index from 0.
    Variant(String, usize),
    /// A cameo's profile picture (`ch_…` or the cameo's id as listed).
    Cameo(String),
}

/// What the UI asks for pictures.
#[derive(Debug, Clone, PartialEq)]
pub enum PictureRequest {
    /// Fetch (or read from the disk cache) and decode these pictures, each answered by one
    /// [`PictureEvent`]. Asked again for a key already in flight is a no-op.
    Fetch(Vec<PictureWanted>),
    /// Forget what is queued and not started (the user scrolled past): fetches already
    /// running finish and are answered.
    Cancel,
}

/// One picture the UI wants, with the link it was listed with.
#[derive(Debug, Clone, PartialEq)]
pub struct PictureWanted {
    /// Which picture.
    pub key: PictureKey,
    /// The media URL as listed (untrusted: the worker applies the download rules).
    pub url: String,
}

/// A decoded picture: RGBA pixels, already scaled down to at most the thumbnail size
/// (`worker::thumbs`), shared so the UI's cache and its events hold one copy.
#[derive(Clone)]
pub struct Picture {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height * 4` bytes, row by row.
    pub rgba: Arc<[u8]>,
}

impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Picture({}x{})", self.width, self.height)
    }
}

impl PartialEq for Picture {
    fn eq(&self, other: &Self) -> bool {
        self.width == other.width && self.height == other.height && self.rgba == other.rgba
    }
}

/// What the worker answers about a picture.
#[derive(Debug, Clone, PartialEq)]
pub enum PictureEvent {
    /// The picture is ready to draw.
    Ready {
        /// Which picture.
        key: PictureKey,
        /// Its pixels.
        picture: Picture,
    },
    /// It cannot be shown; the reason is for the details panel (`not an image (text/html)`,
    /// `too large: 20000×20000`, `expired link`...), already safe to print.
    Failed {
        /// Which picture.
        key: PictureKey,
        /// Why, in a few words.
        reason: String,
    },
}
