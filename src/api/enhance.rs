//! Prompt enhancement (`POST /editor/enhance_prompt`): the service rewrites a prompt longer
//! and more detailed. The answer is server text put into the user's editor, so it is
//! sanitised line by line and bounded here, before anything shows or keeps it.

use serde::{Deserialize, Serialize};

use super::ApiError;
use super::client::{Client, Sentinel};

/// The most characters of an enhanced prompt kept (the create endpoints' prompt limit of
/// `batch::MAX_PROMPT_CHARS` is the same order); a longer answer is cut.
pub const MAX_ENHANCED_CHARS: usize = 20_000;
/// The most lines of an enhanced prompt kept.
const MAX_ENHANCED_LINES: usize = 200;

/// How much longer the service should make the prompt (`expansion_level`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Expansion {
    /// `short`: a little more detail.
    Short,
    /// `medium`: the default.
    #[default]
    Medium,
    /// `long`: the most detail.
    Long,
}

impl Expansion {
    /// Every level, shortest first.
    pub const ALL: [Expansion; 3] = [Expansion::Short, Expansion::Medium, Expansion::Long];

    /// The wire value (`short`, `medium`, `long`), also the name shown and typed.
    pub fn as_str(self) -> &'static str {
        match self {
            Expansion::Short => "short",
            Expansion::Medium => "medium",
            Expansion::Long => "long",
        }
    }

    /// The level named `s` (any case).
    pub fn parse(s: &str) -> Option<Expansion> {
        Expansion::ALL
            .into_iter()
            .find(|e| e.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// The next level, round (for a key that cycles it).
    pub fn next(self) -> Expansion {
        match self {
            Expansion::Short => Expansion::Medium,
            Expansion::Medium => Expansion::Long,
            Expansion::Long => Expansion::Short,
        }
    }
}

/// The durations the known clients send (docs/api.md, "Prompt enhancement"); others are sent
/// as given, since the evidence disagrees.
pub const ENHANCE_DURATIONS: [u32; 3] = [10, 15, 20];

/// The request body.
#[derive(Serialize)]
struct EnhanceBody<'a> {
    prompt: &'a str,
    expansion_level: &'static str,
    duration_s: u32,
}

/// `{"enhanced_prompt": "…"}`.
#[derive(Deserialize)]
struct EnhanceAnswer {
    #[serde(default)]
    enhanced_prompt: Option<serde_json::Value>,
}

/// Server text made fit for the prompt editor: each line sanitised (no escapes, no controls,
/// no bidi or zero-width characters), runs of blank lines and the ends trimmed, at most
/// [`MAX_ENHANCED_LINES`] lines and [`MAX_ENHANCED_CHARS`] characters.
pub fn clean_enhanced(text: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut chars = 0usize;
    for raw in text.split('\n').take(MAX_ENHANCED_LINES) {
        let room = MAX_ENHANCED_CHARS.saturating_sub(chars);
        if room == 0 {
            break;
        }
        let line = crate::text::sanitize(raw, room);
        if line.is_empty() && lines.last().is_some_and(String::is_empty) {
            continue;
        }
        chars += line.chars().count() + 1;
        lines.push(line);
    }
    lines.join("\n").trim().to_string()
}

impl Client {
    /// `POST /editor/enhance_prompt`: the service's longer version of `prompt` for a video
    /// of `duration_s` seconds, cleaned with [`clean_enhanced`]. An empty prompt is refused
    /// before any request; an empty answer is a bad response.
    pub async fn enhance_prompt(
        &self,
        prompt: &str,
        level: Expansion,
        duration_s: u32,
    ) -> Result<String, ApiError> {
        if prompt.trim().is_empty() {
            return Err(ApiError::InvalidInput(
                "the prompt is empty: type what the video should show first".into(),
            ));
        }
        if duration_s == 0 {
            return Err(ApiError::InvalidInput(
                "the duration must be a positive number of seconds, e.g. 10".into(),
            ));
        }
        let body = EnhanceBody {
            prompt,
            expansion_level: level.as_str(),
            duration_s,
        };
        let answer: EnhanceAnswer = self
            .post_json("/editor/enhance_prompt", &body, Sentinel::NotNeeded)
            .await?;
        let text = answer
            .enhanced_prompt
            .as_ref()
            .and_then(serde_json::Value::as_str)
            .map(clean_enhanced)
            .unwrap_or_default();
        if text.is_empty() {
            return Err(ApiError::BadResponse {
                detail: "/editor/enhance_prompt answered without an enhanced_prompt".into(),
            });
        }
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_cleaned_and_bounded() {
        let text = "\u{1b}[31mred\u{1b}[0m owl\u{202e}\n\n\n\nsecond\u{7} line\r";
        assert_eq!(clean_enhanced(text), "red owl\n\nsecond line");
        let long = "x".repeat(MAX_ENHANCED_CHARS * 2);
        assert!(clean_enhanced(&long).chars().count() <= MAX_ENHANCED_CHARS);
        let many = "a\n".repeat(10_000);
        assert!(clean_enhanced(&many).lines().count() <= MAX_ENHANCED_LINES);
    }

    #[test]
    fn levels_parse_and_cycle() {
        assert_eq!(Expansion::parse("LONG"), Some(Expansion::Long));
        assert_eq!(Expansion::parse("huge"), None);
        assert_eq!(Expansion::Long.next(), Expansion::Short);
        assert_eq!(Expansion::default(), Expansion::Medium);
    }
}
