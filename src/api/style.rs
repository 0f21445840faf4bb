//! The style presets a video can be made in (`style_id` in the create bodies,
//! docs/api.md, "Styles"). The list is what the known clients and the observed web app send;
//! it drifts, and the service's own list (`initialize_async.styles`) is authoritative.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// A known style preset. `None` in the settings (the default) sends no `style_id` at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StyleId {
    /// `festive` (sora2api family).
    Festive,
    /// `kakalaka` (sora2api family).
    Kakalaka,
    /// `news` (sora2api family and the web app).
    News,
    /// `selfie` (sora2api family).
    Selfie,
    /// `handheld` (sora2api family and the web app).
    Handheld,
    /// `golden` (sora2api family).
    Golden,
    /// `anime` (sora2api family).
    Anime,
    /// `retro` (sora2api family).
    Retro,
    /// `nostalgic` (sora2api family).
    Nostalgic,
    /// `comic` (sora2api family).
    Comic,
    /// `high_def` (the web app).
    HighDef,
    /// `kpop` (the web app).
    Kpop,
    /// `cartoon2` (the web app).
    Cartoon2,
    /// `selfie3` (the web app).
    Selfie3,
    /// `animated` (the web app).
    Animated,
    /// `sitcom` (the web app).
    Sitcom,
}

impl StyleId {
    /// Every known style, in the order `t` cycles through them.
    pub const ALL: [StyleId; 16] = [
        StyleId::Festive,
        StyleId::Kakalaka,
        StyleId::News,
        StyleId::Selfie,
        StyleId::Handheld,
        StyleId::Golden,
        StyleId::Anime,
        StyleId::Retro,
        StyleId::Nostalgic,
        StyleId::Comic,
        StyleId::HighDef,
        StyleId::Kpop,
        StyleId::Cartoon2,
        StyleId::Selfie3,
        StyleId::Animated,
        StyleId::Sitcom,
    ];

    /// The `style_id` value.
    pub fn wire(self) -> &'static str {
        match self {
            StyleId::Festive => "festive",
            StyleId::Kakalaka => "kakalaka",
            StyleId::News => "news",
            StyleId::Selfie => "selfie",
            StyleId::Handheld => "handheld",
            StyleId::Golden => "golden",
            StyleId::Anime => "anime",
            StyleId::Retro => "retro",
            StyleId::Nostalgic => "nostalgic",
            StyleId::Comic => "comic",
            StyleId::HighDef => "high_def",
            StyleId::Kpop => "kpop",
            StyleId::Cartoon2 => "cartoon2",
            StyleId::Selfie3 => "selfie3",
            StyleId::Animated => "animated",
            StyleId::Sitcom => "sitcom",
        }
    }

    /// The next setting after `current` when cycling: none, then each style in
    /// [`StyleId::ALL`]'s order, then none again.
    pub fn cycle(current: Option<StyleId>) -> Option<StyleId> {
        match current {
            None => Some(StyleId::ALL[0]),
            Some(s) => {
                let i = StyleId::ALL.iter().position(|x| *x == s).unwrap_or(0);
                StyleId::ALL.get(i + 1).copied()
            }
        }
    }

    /// The valid ids, comma-separated, for error messages and help.
    pub fn valid_list() -> String {
        StyleId::ALL
            .iter()
            .map(|s| s.wire())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for StyleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wire())
    }
}

impl std::str::FromStr for StyleId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let wanted = s.trim().to_ascii_lowercase();
        StyleId::ALL
            .iter()
            .copied()
            .find(|x| x.wire() == wanted)
            .ok_or_else(|| {
                format!(
                    "unknown style {:?}: the known styles are {}",
                    crate::text::sanitize(s, 40),
                    StyleId::valid_list()
                )
            })
    }
}

/// Reads a saved style leniently: an id no longer known (a hand-edited or newer file) is
/// no style, rather than a file that cannot be read.
pub fn lenient_style<'de, D: Deserializer<'de>>(d: D) -> Result<Option<StyleId>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d).unwrap_or(None);
    Ok(value
        .as_ref()
        .and_then(serde_json::Value::as_str)
        .and_then(|s| s.parse().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycling_visits_every_style_once_then_none() {
        let mut seen = Vec::new();
        let mut s = StyleId::cycle(None);
        while let Some(x) = s {
            seen.push(x);
            s = StyleId::cycle(s);
        }
        assert_eq!(seen, StyleId::ALL);
        for x in StyleId::ALL {
            assert_eq!(x.wire().parse::<StyleId>(), Ok(x));
        }
        let e = "vaporwave".parse::<StyleId>().unwrap_err();
        assert!(e.contains("anime") && e.contains("high_def"), "{e}");
    }
}
