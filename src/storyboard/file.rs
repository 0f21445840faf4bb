//! The `*.storyboard.toml` format: readable, hand-editable, versioned.
//!
//! ```toml
//! version = 1
//! instructions = "A cat's adventure"
//! orientation = "landscape"   # or "portrait"
//! length = 10                 # 10, 15 or 25 seconds
//! model = "sy_8"              # or "sy_ore" (Sora 2 Pro)
//! size = "small"              # or "large" (HD)
//!
//! [[shot]]
//! duration = 5.0
//! scene = "cat skydives from a plane"
//! ```

use super::{Shot, Storyboard};
use crate::api::{Length, Model, Orientation, Size, VideoSettings};
use serde::{Deserialize, Serialize};

/// The format version this program writes and reads.
pub const FILE_VERSION: u32 = 1;
/// How storyboard file names end.
pub const FILE_SUFFIX: &str = ".storyboard.toml";
/// The longest name a storyboard file may have (without the suffix), in characters.
const MAX_NAME: usize = 100;
/// Files larger than this are not storyboards (and are not read into memory).
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// Reads a storyboard or inline-form text file: a regular file of at most
/// [`MAX_FILE_BYTES`], read with that cap, so a named pipe, a device or an endless file
/// given by mistake is refused at once instead of hanging or filling the memory.
pub fn read_text(path: &std::path::Path) -> Result<String, String> {
    crate::fsutil::read_text_capped(path, MAX_FILE_BYTES).map_err(|e| match e {
        crate::fsutil::ReadError::TooLarge { .. } => {
            format!(
                "{} is larger than {}: not a storyboard",
                path.display(),
                crate::text::bytes(MAX_FILE_BYTES)
            )
        }
        e => e.message("", path),
    })
}

/// The name part of a storyboard file name as typed by the user (`cat`, `cat.storyboard.toml`),
/// checked so that it names one file in the storyboards folder and nothing else: no folders,
/// no hidden files, no control characters.
pub fn file_stem(typed: &str) -> Result<String, String> {
    let name = typed.trim();
    let name = name
        .strip_suffix(FILE_SUFFIX)
        .or_else(|| name.strip_suffix(".toml"))
        .unwrap_or(name)
        .trim();
    if name.is_empty() {
        return Err("type a name for the file, e.g. cat-adventure".into());
    }
    if name
        .chars()
        .any(|c| c == '/' || c == '\\' || c.is_control())
    {
        return Err("a name cannot contain / or \\ or control characters".into());
    }
    if name.starts_with('.') {
        return Err("a name cannot start with a dot".into());
    }
    if name.chars().count() > MAX_NAME {
        return Err(format!("a name has at most {MAX_NAME} characters"));
    }
    Ok(name.to_string())
}

/// A storyboard file that cannot be read, with the line where it went wrong when known.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct StoryboardFileError {
    /// 1-based line number.
    pub line: Option<usize>,
    /// What is wrong and how to fix it.
    pub message: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    version: u32,
    #[serde(default)]
    instructions: String,
    #[serde(default)]
    orientation: Orientation,
    #[serde(default)]
    length: Length,
    #[serde(default)]
    model: Model,
    #[serde(default)]
    size: Size,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    style: Option<crate::api::StyleId>,
    #[serde(default, rename = "shot")]
    shots: Vec<FileShot>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShot {
    duration: f64,
    scene: String,
}

/// Writes a storyboard as TOML.
pub fn to_toml(b: &Storyboard) -> String {
    let shape = FileShape {
        version: FILE_VERSION,
        instructions: b.instructions.clone(),
        orientation: b.settings.orientation,
        length: b.settings.length,
        model: b.settings.model,
        size: b.settings.size,
        style: b.settings.style,
        shots: b
            .shots
            .iter()
            .map(|s| FileShot {
                duration: s.duration,
                scene: s.scene.clone(),
            })
            .collect(),
    };
    toml::to_string(&shape).unwrap_or_else(|e| format!("# could not serialise: {e}\n"))
}

/// Reads a storyboard from TOML, with line numbers in errors.
pub fn from_toml(text: &str) -> Result<Storyboard, StoryboardFileError> {
    let shape: FileShape = toml::from_str(text).map_err(|e| StoryboardFileError {
        line: e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
        message: e.message().trim().to_string(),
    })?;
    if shape.version != FILE_VERSION {
        return Err(StoryboardFileError {
            line: text
                .lines()
                .position(|l| l.trim_start().starts_with("version"))
                .map(|i| i + 1),
            message: format!(
                "version {} is not supported: this program reads version {FILE_VERSION}",
                shape.version
            ),
        });
    }
    if let Some(i) = shape.shots.iter().position(|s| !s.duration.is_finite()) {
        return Err(StoryboardFileError {
            line: shot_key_line(text, i, "duration"),
            message: format!(
                "shot {}: duration must be a number of seconds, like 5.0",
                i + 1
            ),
        });
    }
    Ok(Storyboard {
        instructions: shape.instructions,
        shots: shape
            .shots
            .into_iter()
            .map(|s| Shot {
                duration: s.duration,
                scene: s.scene,
            })
            .collect(),
        settings: VideoSettings {
            orientation: shape.orientation,
            length: shape.length,
            model: shape.model,
            size: shape.size,
            style: shape.style,
        },
    })
}

/// The 1-based line of `key` in the `index`-th `[[shot]]` table, else of the table's header.
/// A plain line scan: good enough to point at the value of a hand-edited file.
fn shot_key_line(text: &str, index: usize, key: &str) -> Option<usize> {
    let mut header = None;
    let mut seen = 0;
    for (n, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with("[[shot]]") {
            if header.is_some() {
                break;
            }
            if seen == index {
                header = Some(n + 1);
            }
            seen += 1;
        } else if header.is_some() && t.starts_with('[') {
            break;
        } else if header.is_some()
            && t.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            return Some(n + 1);
        }
    }
    header
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let b = Storyboard {
            instructions: "multi\nline \"quoted\"".into(),
            shots: vec![
                Shot {
                    duration: 2.5,
                    scene: "a".into(),
                },
                Shot {
                    duration: 7.5,
                    scene: "b ünïcode".into(),
                },
            ],
            settings: VideoSettings {
                length: Length::S15,
                model: Model::SyOre,
                ..VideoSettings::default()
            },
        };
        assert_eq!(from_toml(&to_toml(&b)).unwrap(), b);
    }

    #[test]
    fn errors_name_the_line() {
        let text = "version = 1\nlength = 12\n";
        let e = from_toml(text).unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.to_string().contains("10, 15 or 25"), "{e}");
        let e = from_toml("version = 1\n[[shot]]\nduration = 5.0\nscen = \"x\"\n").unwrap_err();
        assert_eq!(e.line, Some(4), "{e}");
        let e = from_toml("version = 9\n").unwrap_err();
        assert_eq!(e.line, Some(1));
        let e = from_toml(
            "version = 1\n[[shot]]\nduration = 5.0\nscene = \"a\"\n\n[[shot]]\nscene = \"b\"\nduration = nan\n",
        )
        .unwrap_err();
        assert_eq!(e.line, Some(8), "{e}");
        assert!(e.message.contains("shot 2"), "{e}");
    }

    #[test]
    fn typed_names_become_file_stems() {
        assert_eq!(file_stem(" cat ").unwrap(), "cat");
        assert_eq!(file_stem("cat.storyboard.toml").unwrap(), "cat");
        assert_eq!(file_stem("chat été").unwrap(), "chat été");
        assert!(file_stem("").is_err());
        assert!(file_stem("../x").is_err());
        assert!(file_stem(".hidden").is_err());
        assert!(file_stem("a\x1bb").is_err());
        assert!(file_stem(&"x".repeat(101)).is_err());
    }

    #[test]
    fn read_text_refuses_pipes_devices_and_endless_files() {
        use crate::fsutil::hostile::{mkfifo, within};
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("cat.storyboard.toml");
        mkfifo(&fifo);
        let shown = fifo.display().to_string();
        let err = within("read_text on a FIFO", move || read_text(&fifo)).unwrap_err();
        assert_eq!(
            err,
            format!("{shown} is a named pipe (FIFO), not a regular file: choose a file")
        );
        let err = within("read_text on /dev/zero", || {
            read_text(std::path::Path::new("/dev/zero"))
        })
        .unwrap_err();
        assert!(err.contains("is a device, not a regular file"), "{err}");
        let big = dir.path().join("big.storyboard.toml");
        std::fs::write(&big, vec![b'#'; MAX_FILE_BYTES as usize + 1]).unwrap();
        assert!(read_text(&big).unwrap_err().contains("larger than 1 MB"));
    }
}
