//! The generation settings a user chooses, and how each maps onto its wire values
//! (docs/api.md#request-bodies).

use std::fmt;

/// Frame orientation of a video (and of an image, plus square).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Orientation {
    /// 16:9.
    #[default]
    Landscape,
    /// 9:16.
    Portrait,
}

impl Orientation {
    /// The value of the `orientation` field.
    pub fn wire(self) -> &'static str {
        match self {
            Orientation::Landscape => "landscape",
            Orientation::Portrait => "portrait",
        }
    }
}

/// Video length; the server wants it as a frame count at 30 fps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub enum Length {
    /// 10 seconds (300 frames).
    #[default]
    S10,
    /// 15 seconds (450 frames).
    S15,
    /// 25 seconds (750 frames, Pro plan only).
    S25,
}

impl Length {
    /// Every length the program offers, in cycling order.
    pub const ALL: [Length; 3] = [Length::S10, Length::S15, Length::S25];

    /// Seconds of video.
    pub fn seconds(self) -> u32 {
        match self {
            Length::S10 => 10,
            Length::S15 => 15,
            Length::S25 => 25,
        }
    }

    /// The `n_frames` value (30 fps).
    pub fn n_frames(self) -> u32 {
        self.seconds() * 30
    }
}

impl TryFrom<u32> for Length {
    type Error = String;
    fn try_from(s: u32) -> Result<Self, String> {
        match s {
            10 => Ok(Length::S10),
            15 => Ok(Length::S15),
            25 => Ok(Length::S25),
            other => Err(format!("length must be 10, 15 or 25 seconds, not {other}")),
        }
    }
}

impl From<Length> for u32 {
    fn from(l: Length) -> u32 {
        l.seconds()
    }
}

impl std::str::FromStr for Length {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let n: u32 = s
            .trim()
            .trim_end_matches('s')
            .parse()
            .map_err(|_| format!("length must be 10, 15 or 25 seconds, not {s:?}"))?;
        Length::try_from(n)
    }
}

impl fmt::Display for Length {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} s", self.seconds())
    }
}

/// Which video model generates.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum Model {
    /// Sora 2 (`sy_8`), the default.
    #[default]
    #[value(name = "sy_8", alias = "sora2")]
    #[serde(rename = "sy_8")]
    Sy8,
    /// Sora 2 Pro (`sy_ore`), Pro plan only.
    #[value(name = "sy_ore", alias = "sora2pro")]
    #[serde(rename = "sy_ore")]
    SyOre,
}

impl Model {
    /// The `model` field value.
    pub fn wire(self) -> &'static str {
        match self {
            Model::Sy8 => "sy_8",
            Model::SyOre => "sy_ore",
        }
    }

    /// What users call it.
    pub fn label(self) -> &'static str {
        match self {
            Model::Sy8 => "Sora 2",
            Model::SyOre => "Sora 2 Pro",
        }
    }
}

/// Output resolution.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Size {
    /// Standard resolution (`small`).
    #[default]
    Small,
    /// HD (`large`, Pro model only).
    Large,
}

impl Size {
    /// The `size` field value.
    pub fn wire(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Large => "large",
        }
    }
}

/// Image shape; each maps to the fixed pixel size the image endpoint accepts.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ImageShape {
    /// 360x360.
    #[default]
    Square,
    /// 540x360.
    Landscape,
    /// 360x540.
    Portrait,
}

impl ImageShape {
    /// The shape's word, as settings summaries and the Prompt pane show it: `square`.
    pub fn name(self) -> &'static str {
        match self {
            ImageShape::Square => "square",
            ImageShape::Landscape => "landscape",
            ImageShape::Portrait => "portrait",
        }
    }

    /// `(width, height)` in pixels.
    pub fn dimensions(self) -> (u32, u32) {
        match self {
            ImageShape::Square => (360, 360),
            ImageShape::Landscape => (540, 360),
            ImageShape::Portrait => (360, 540),
        }
    }
}

/// Everything that shapes a video generation besides its prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct VideoSettings {
    /// Landscape or portrait.
    pub orientation: Orientation,
    /// 10, 15 or 25 seconds.
    pub length: Length,
    /// Sora 2 or Sora 2 Pro.
    pub model: Model,
    /// Standard or HD.
    pub size: Size,
    /// The style preset, if any (`None`, the default, sends no `style_id`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::style::lenient_style"
    )]
    pub style: Option<super::StyleId>,
}

impl VideoSettings {
    /// One line for lists and previews: `landscape · 10 s · Sora 2 · standard`.
    pub fn summary(&self) -> String {
        let size = match self.size {
            Size::Small => "standard",
            Size::Large => "HD",
        };
        let style = self
            .style
            .map(|s| format!(" · style {s}"))
            .unwrap_or_default();
        format!(
            "{} · {} · {} · {size}{style}",
            self.orientation.wire(),
            self.length,
            self.model.label()
        )
    }
}

/// Accepts a share link on any origin (`https://sora.chatgpt.com/p/s_…`, or the configured
/// backend's own, such as the demo's `http://127.0.0.1:PORT/p/s_…`) or a bare id and returns
/// the id the remix field wants.
pub fn remix_target_id(input: &str) -> Result<String, String> {
    let trimmed = input.trim();
    let candidate = trimmed
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let ok = !candidate.is_empty()
        && candidate.len() <= 100
        && candidate
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(candidate.to_string())
    } else {
        Err(format!(
            "{trimmed:?} is not a Sora share link or post id (expected a share link such as https://sora.chatgpt.com/p/s_…, or s_…)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_map_to_frames() {
        assert_eq!(Length::S10.n_frames(), 300);
        assert_eq!(Length::S15.n_frames(), 450);
        assert_eq!(Length::S25.n_frames(), 750);
        assert_eq!("15".parse::<Length>(), Ok(Length::S15));
        assert!("12".parse::<Length>().is_err());
    }

    #[test]
    fn share_links_are_stripped_to_ids() {
        let id = "s_0123456789abcdef0123456789abcdef";
        assert_eq!(remix_target_id(id).unwrap(), id);
        assert_eq!(
            remix_target_id(&format!("https://sora.chatgpt.com/p/{id}")).unwrap(),
            id
        );
        assert_eq!(
            remix_target_id(&format!("https://sora.chatgpt.com/p/{id}/?x=1")).unwrap(),
            id
        );
        // The configured backend's origin (the demo's simulator) too.
        assert_eq!(
            remix_target_id(&format!("http://127.0.0.1:43123/p/{id}")).unwrap(),
            id
        );
        assert!(remix_target_id("not a link at all").is_err());
        assert!(remix_target_id("").is_err());
    }
}
