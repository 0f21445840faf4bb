//! Storyboards: shots with durations plus instructions for the whole video, the exact prompt
//! text the backend expects (docs/api.md#storyboard-prompt-text), and the `*.storyboard.toml`
//! file format.

mod file;
pub mod timing;

pub use file::{
    FILE_SUFFIX, FILE_VERSION, MAX_FILE_BYTES, StoryboardFileError, file_stem, from_toml,
    read_text, to_toml,
};

use crate::api::VideoSettings;
use serde::{Deserialize, Serialize};

/// One shot: how long it lasts and what happens in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shot {
    /// Seconds, a multiple of 0.1 in practice.
    pub duration: f64,
    /// What the camera sees.
    pub scene: String,
}

/// A multi-shot video description.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Storyboard {
    /// Free text that applies to the whole video; may be empty.
    pub instructions: String,
    /// In order.
    pub shots: Vec<Shot>,
    /// Orientation, total length, model and size.
    pub settings: VideoSettings,
}

/// Why a storyboard cannot be submitted as it is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoryboardProblem {
    /// There are no shots.
    #[error("the storyboard has no shots: add at least one")]
    NoShots,
    /// A shot has no scene text.
    #[error("shot {0} has no scene text: describe what happens in it")]
    EmptyScene(usize),
    /// A shot's duration is not a positive number of seconds.
    #[error("shot {0} must last at least 1.0 s")]
    TooShort(usize),
    /// The shots do not add up to the chosen length.
    #[error(
        "the shots add up to {sum:.1} s but the video is {length} s: change durations or scale them to fit"
    )]
    LengthMismatch {
        /// Sum of the shot durations.
        sum: f64,
        /// Chosen total length in seconds.
        length: u32,
    },
}

impl Storyboard {
    /// Sum of the shot durations as they are sent (each on the 0.1 s grid).
    pub fn total(&self) -> f64 {
        timing::from_tenths(timing::total_tenths(self.durations()))
    }

    /// The shots' durations, in order.
    pub fn durations(&self) -> impl Iterator<Item = f64> + '_ {
        self.shots.iter().map(|s| s.duration)
    }

    /// How the shots compare with the chosen length.
    pub fn balance(&self) -> timing::Balance {
        timing::balance(self.durations(), self.settings.length.seconds())
    }

    /// Everything that would make the server refuse or misread it, before sending.
    pub fn validate(&self) -> Result<(), StoryboardProblem> {
        if self.shots.is_empty() {
            return Err(StoryboardProblem::NoShots);
        }
        for (i, shot) in self.shots.iter().enumerate() {
            if shot.scene.trim().is_empty() {
                return Err(StoryboardProblem::EmptyScene(i + 1));
            }
            // Compared as sent: the text carries one decimal.
            if !shot.duration.is_finite() || timing::tenths(shot.duration) < 10 {
                return Err(StoryboardProblem::TooShort(i + 1));
            }
        }
        let length = self.settings.length.seconds();
        if self.balance() != timing::Balance::Fits {
            return Err(StoryboardProblem::LengthMismatch {
                sum: self.total(),
                length,
            });
        }
        Ok(())
    }

    /// The prompt text of docs/api.md#storyboard-prompt-text, byte for byte.
    pub fn prompt_text(&self) -> String {
        let shots: Vec<String> = self
            .shots
            .iter()
            .enumerate()
            .map(|(i, s)| {
                format!(
                    "Shot {}:\nduration: {:.1}sec\nScene: {}",
                    i + 1,
                    s.duration,
                    s.scene
                )
            })
            .collect();
        let mut text = format!("current timeline:\n{}", shots.join("\n\n"));
        if !self.instructions.trim().is_empty() {
            text.push_str("\n\ninstructions:\n");
            text.push_str(&self.instructions);
        }
        text
    }

    /// Reads back the text [`Storyboard::prompt_text`] made (a storyboard taken back out of
    /// the local queue carries only that text and its settings). `None` unless the text
    /// parses and gives exactly itself again, so what is loaded sends the same bytes.
    pub fn from_prompt_text(text: &str, settings: VideoSettings) -> Option<Storyboard> {
        let mut rest = text.strip_prefix("current timeline:\n")?;
        let mut shots = Vec::new();
        let mut instructions = String::new();
        loop {
            let n = shots.len() + 1;
            rest = rest.strip_prefix(&format!("Shot {n}:\nduration: "))?;
            let (secs, after) = rest.split_once("sec\nScene: ")?;
            let duration: f64 = secs.parse().ok()?;
            let next_shot = format!("\n\nShot {}:\nduration: ", n + 1);
            let ends = [after.find(&next_shot), after.find("\n\ninstructions:\n")];
            let end = ends.iter().flatten().min().copied();
            let scene = &after[..end.unwrap_or(after.len())];
            shots.push(Shot {
                duration,
                scene: scene.to_string(),
            });
            match end {
                None => break,
                Some(end) if after[end..].starts_with(&next_shot) => rest = &after[end + 2..],
                Some(end) => {
                    instructions = after[end + "\n\ninstructions:\n".len()..].to_string();
                    break;
                }
            }
        }
        let board = Storyboard {
            instructions,
            shots,
            settings,
        };
        (board.prompt_text() == text).then_some(board)
    }

    /// Imports the compact inline form `instructions [5.0s]scene [5.0s]scene`: the text
    /// before the first marker is the instructions.
    pub fn from_inline(text: &str, settings: VideoSettings) -> Result<Storyboard, String> {
        let mut rest = text;
        let first = find_marker(rest).ok_or_else(|| {
            "no shot found: write shots as [5.0s]scene text, e.g. \"A cat's adventure [5.0s]cat jumps [5.0s]cat lands\""
                .to_string()
        })?;
        let instructions = rest[..first.0].trim().to_string();
        rest = &rest[first.0..];
        let mut shots = Vec::new();
        while let Some((start, end, duration)) = find_marker(rest) {
            debug_assert_eq!(start, 0);
            let after = &rest[end..];
            let next = find_marker(after).map(|m| m.0).unwrap_or(after.len());
            shots.push(Shot {
                duration,
                scene: after[..next].trim().to_string(),
            });
            rest = &after[next..];
        }
        Ok(Storyboard {
            instructions,
            shots,
            settings,
        })
    }
}

/// The gist of a storyboard's prompt text for one-line displays: its instructions when it
/// has some, else its first scene, else the text itself.
pub fn gist(prompt_text: &str) -> &str {
    if let Some((_, instructions)) = prompt_text.split_once("\n\ninstructions:\n")
        && !instructions.trim().is_empty()
    {
        return instructions;
    }
    prompt_text
        .lines()
        .find_map(|l| l.strip_prefix("Scene: "))
        .unwrap_or(prompt_text)
}

/// Finds the next `[N.Ns]` marker: `(start, end, seconds)`.
fn find_marker(text: &str) -> Option<(usize, usize, f64)> {
    let mut from = 0;
    while let Some(open) = text[from..].find('[') {
        let open = from + open;
        if let Some(close) = text[open..].find(']') {
            let inner = &text[open + 1..open + close];
            if let Some(num) = inner.strip_suffix('s')
                && let Ok(secs) = num.trim().parse::<f64>()
                && secs.is_finite()
                && secs > 0.0
            {
                return Some((open, open + close + 1, secs));
            }
        }
        from = open + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn board(instructions: &str, shots: &[(f64, &str)]) -> Storyboard {
        Storyboard {
            instructions: instructions.into(),
            shots: shots
                .iter()
                .map(|(d, s)| Shot {
                    duration: *d,
                    scene: s.to_string(),
                })
                .collect(),
            settings: VideoSettings::default(),
        }
    }

    #[test]
    fn prompt_text_reads_back_as_the_same_storyboard() {
        for b in [
            board(
                "A cat's adventure\n\nin two lines",
                &[(5.0, "cat skydives"), (2.5, "cat\nlands")],
            ),
            board("", &[(10.0, "one shot")]),
        ] {
            let text = b.prompt_text();
            assert_eq!(
                Storyboard::from_prompt_text(&text, b.settings),
                Some(b.clone())
            );
        }
        // Text this program would not have made is refused rather than loaded differently.
        let odd = "current timeline:\nShot 1:\nduration: 5.00sec\nScene: x";
        assert_eq!(
            Storyboard::from_prompt_text(odd, VideoSettings::default()),
            None
        );
        assert_eq!(
            Storyboard::from_prompt_text("a fox", VideoSettings::default()),
            None
        );
    }

    #[test]
    fn prompt_text_matches_the_contract_example() {
        let b = board(
            "A cat's adventure",
            &[(5.0, "cat skydives from a plane"), (5.0, "cat lands")],
        );
        assert_eq!(
            b.prompt_text(),
            "current timeline:\nShot 1:\nduration: 5.0sec\nScene: cat skydives from a plane\n\nShot 2:\nduration: 5.0sec\nScene: cat lands\n\ninstructions:\nA cat's adventure"
        );
    }

    #[test]
    fn prompt_text_without_instructions_and_with_fractions() {
        let b = board("  ", &[(2.5, "a"), (7.5, "b")]);
        assert_eq!(
            b.prompt_text(),
            "current timeline:\nShot 1:\nduration: 2.5sec\nScene: a\n\nShot 2:\nduration: 7.5sec\nScene: b"
        );
        assert!(b.validate().is_ok());
    }

    #[test]
    fn validation_names_the_problem() {
        assert_eq!(board("", &[]).validate(), Err(StoryboardProblem::NoShots));
        assert_eq!(
            board("", &[(10.0, " ")]).validate(),
            Err(StoryboardProblem::EmptyScene(1))
        );
        let e = board("", &[(4.0, "a")]).validate().unwrap_err();
        assert_eq!(
            e.to_string(),
            "the shots add up to 4.0 s but the video is 10 s: change durations or scale them to fit"
        );
    }

    #[test]
    fn gist_prefers_instructions_then_the_first_scene() {
        let with = board("A cat's adventure", &[(5.0, "skydive"), (5.0, "land")]);
        assert_eq!(gist(&with.prompt_text()), "A cat's adventure");
        let without = board("", &[(5.0, "skydive"), (5.0, "land")]);
        assert_eq!(gist(&without.prompt_text()), "skydive");
        assert_eq!(gist("plain"), "plain");
    }

    #[test]
    fn inline_form_imports() {
        let b = Storyboard::from_inline(
            "A cat's adventure [5.0s]cat skydives [5.0s]cat lands",
            VideoSettings::default(),
        )
        .unwrap();
        assert_eq!(
            b,
            board(
                "A cat's adventure",
                &[(5.0, "cat skydives"), (5.0, "cat lands")]
            )
        );
        assert!(Storyboard::from_inline("no markers", VideoSettings::default()).is_err());
        let c = Storyboard::from_inline("[3s] a [x] b [7s]c", VideoSettings::default()).unwrap();
        assert_eq!(c.shots[0].scene, "a [x] b");
        assert_eq!(c.shots[1].duration, 7.0);
    }
}
