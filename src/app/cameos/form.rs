//! The two forms of the Cameos pane (choose a video and clip; finalize with a username) and
//! the checks their values pass before anything is sent.

use crate::app::line_edit::LineEdit;
use crate::cameo_record::CameoRecord;

/// Longest clip the server accepts, in seconds.
pub const MAX_CLIP_SECS: f64 = 10.0;
/// The clip used when the user does not choose one.
pub const DEFAULT_CLIP: &str = "0,3";
/// Longest display name the server accepts, in characters.
pub const MAX_DISPLAY_NAME: usize = 50;

/// The form open in the pane, if any.
#[derive(Debug, Clone, PartialEq)]
pub enum CameoForm {
    /// Choose the video and the clip, then upload.
    Create(CreateForm),
    /// Choose the username, display name and visibility, then finalize.
    Finalize(FinalizeForm),
}

/// The fields of the create form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateField {
    /// The MP4 path (Tab completes).
    Path,
    /// `start,end` seconds.
    Clip,
}

/// Choose the video and the clip.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateForm {
    /// The record key this creates (the failed upload's key when retrying one).
    pub key: String,
    /// The path as typed (with its Tab completions).
    pub path: LineEdit,
    /// `start,end` as typed.
    pub clip: LineEdit,
    /// The field keys go to.
    pub field: CreateField,
    /// Why the last attempt was refused (shown in the form).
    pub error: Option<String>,
    /// Sent: waiting for the worker to check the file and start the upload.
    pub sending: bool,
}

/// The fields of the finalize form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinalizeField {
    /// `@username`.
    Username,
    /// The display name.
    DisplayName,
    /// Public or private.
    Visibility,
}

/// Choose the username, display name and visibility.
#[derive(Debug, Clone, PartialEq)]
pub struct FinalizeForm {
    /// The record key.
    pub key: String,
    /// The username as typed (lowercased as it is typed).
    pub username: LineEdit,
    /// The display name as typed.
    pub display_name: LineEdit,
    /// Make it public right after finalizing.
    pub public: bool,
    /// The field keys go to.
    pub field: FinalizeField,
    /// Why the last attempt was refused (a taken username...).
    pub error: Option<String>,
    /// Sent: waiting for the username check, then the finalize, to end.
    pub sending: bool,
    /// A free username the worker found when the one typed was taken; `Ctrl-T` takes it.
    pub suggestion: Option<String>,
}

impl CreateForm {
    /// An empty form with the default clip.
    pub fn new(key: String) -> CreateForm {
        CreateForm {
            key,
            path: LineEdit::default(),
            clip: LineEdit::new(DEFAULT_CLIP),
            field: CreateField::Path,
            error: None,
            sending: false,
        }
    }

    /// The form of a failed upload, with the file and clip it had.
    pub fn retry(record: &CameoRecord, reason: Option<String>) -> CreateForm {
        CreateForm {
            path: LineEdit::new(record.video.display().to_string()),
            clip: LineEdit::new(format_clip(record.clip)),
            error: reason,
            ..CreateForm::new(record.key.clone())
        }
    }

    /// The field being edited.
    pub fn value_mut(&mut self) -> &mut LineEdit {
        match self.field {
            CreateField::Path => &mut self.path,
            CreateField::Clip => &mut self.clip,
        }
    }

    /// The other field (there are two).
    pub fn next_field(&mut self) {
        self.field = match self.field {
            CreateField::Path => CreateField::Clip,
            CreateField::Clip => CreateField::Path,
        };
        self.path.clear_completions();
    }
}

impl FinalizeForm {
    /// The form of a record ready to finalize: the values tried before, else the server's
    /// suggestions.
    pub fn for_record(record: &CameoRecord, error: Option<String>) -> FinalizeForm {
        let hints = record.hints.clone().unwrap_or_default();
        let username = record
            .username
            .clone()
            .or(hints.username.as_deref().map(username_from_hint))
            .unwrap_or_default();
        let display_name = record
            .display_name
            .clone()
            .or(hints.display_name)
            .unwrap_or_default();
        FinalizeForm {
            key: record.key.clone(),
            username: LineEdit::new(username),
            display_name: LineEdit::new(display_name),
            public: record.want_public,
            // A taken username is what needs changing: start there.
            field: FinalizeField::Username,
            error,
            sending: false,
            suggestion: None,
        }
    }

    /// The text field being edited (`None` on the visibility switch).
    pub fn value_mut(&mut self) -> Option<&mut LineEdit> {
        match self.field {
            FinalizeField::Username => Some(&mut self.username),
            FinalizeField::DisplayName => Some(&mut self.display_name),
            FinalizeField::Visibility => None,
        }
    }

    /// Moves to the next (`forward`) or previous field, wrapping around.
    pub fn step_field(&mut self, forward: bool) {
        use FinalizeField::*;
        self.field = match (self.field, forward) {
            (Username, true) | (Visibility, false) => DisplayName,
            (DisplayName, true) | (Username, false) => Visibility,
            (Visibility, true) | (DisplayName, false) => Username,
        };
    }
}

impl FinalizeForm {
    /// The username typed is taken (`username/check` said so, nothing was sent): the form
    /// says so, with the suggestion if there is one, and the username field has the keys.
    pub fn taken(&mut self, username: &str, suggestion: Option<String>) {
        self.sending = false;
        self.field = FinalizeField::Username;
        self.error = Some(match &suggestion {
            Some(s) => format!("@{username} is taken — try @{s} (Ctrl-T takes it)"),
            None => format!("@{username} is taken: choose another"),
        });
        self.suggestion = suggestion;
    }

    /// `Ctrl-T`: the suggestion into the username field; `false` when there is none.
    pub fn take_suggestion(&mut self) -> bool {
        let Some(s) = self.suggestion.take() else {
            return false;
        };
        self.username.set(s);
        self.field = FinalizeField::Username;
        self.error = None;
        true
    }
}

/// `start,end` for display and for the form (`0,3`, `1.5,4`).
pub fn format_clip((start, end): (f64, f64)) -> String {
    format!("{start},{end}")
}

/// Reads `start,end` seconds the way the server checks them: two numbers, start at least 0
/// and before end, at most [`MAX_CLIP_SECS`] long.
pub fn parse_clip(text: &str) -> Result<(f64, f64), String> {
    let Some((start, end)) = text.trim().split_once(',') else {
        return Err(format!(
            "the clip {:?} is not start,end in seconds: type e.g. {DEFAULT_CLIP}",
            text.trim()
        ));
    };
    let (Ok(start), Ok(end)) = (start.trim().parse::<f64>(), end.trim().parse::<f64>()) else {
        return Err(format!(
            "the clip's start and end must be numbers of seconds, e.g. {DEFAULT_CLIP}"
        ));
    };
    if !(start.is_finite() && end.is_finite()) || start < 0.0 || start >= end {
        return Err("the clip must start at 0 s or later and end after it starts".into());
    }
    if end - start > MAX_CLIP_SECS {
        return Err(format!(
            "the clip is {} s long: at most {MAX_CLIP_SECS} s is used, shorten it",
            end - start
        ));
    }
    Ok((start, end))
}

/// Checks a username the way the server does: 3 to 30 lowercase letters, digits and dots,
/// no dot first, last or twice in a row.
pub fn check_username(username: &str) -> Result<(), String> {
    let len = username.chars().count();
    if !(3..=30).contains(&len) {
        return Err(format!(
            "the username must be 3 to 30 characters long (it has {len})"
        ));
    }
    if let Some(bad) = username
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.'))
    {
        return Err(format!(
            "the username can only hold lowercase letters, digits and dots, not {bad:?}"
        ));
    }
    if username.starts_with('.') || username.ends_with('.') || username.contains("..") {
        return Err("a dot cannot come first, last or twice in a row in the username".into());
    }
    Ok(())
}

/// Checks a display name: 1 to [`MAX_DISPLAY_NAME`] characters once trimmed.
pub fn check_display_name(name: &str) -> Result<(), String> {
    let len = name.trim().chars().count();
    if len == 0 {
        return Err("type a display name (what people see next to @username)".into());
    }
    if len > MAX_DISPLAY_NAME {
        return Err(format!(
            "the display name is {len} characters: at most {MAX_DISPLAY_NAME}"
        ));
    }
    Ok(())
}

/// A username made from the server's hint: lowercased, other characters dropped (the hint
/// is only a default; the user still sees and can change it).
pub fn username_from_hint(hint: &str) -> String {
    hint.chars()
        .map(|c| c.to_ascii_lowercase())
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.')
        .take(30)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_are_checked_like_the_server_does() {
        assert_eq!(parse_clip("0,3"), Ok((0.0, 3.0)));
        assert_eq!(parse_clip(" 1.5 , 4 "), Ok((1.5, 4.0)));
        assert_eq!(parse_clip("0,10"), Ok((0.0, 10.0)));
        assert!(parse_clip("3").unwrap_err().contains("start,end"));
        assert!(parse_clip("a,b").unwrap_err().contains("numbers"));
        assert!(parse_clip("3,3").unwrap_err().contains("end after"));
        assert!(parse_clip("-1,2").unwrap_err().contains("0 s or later"));
        assert!(parse_clip("0,10.5").unwrap_err().contains("at most 10"));
        assert!(parse_clip("NaN,3").is_err());
    }

    #[test]
    fn usernames_are_checked_like_the_server_does() {
        for ok in ["abc", "demo.cameo.1", "a1b2c3", &"x".repeat(30)] {
            assert_eq!(check_username(ok), Ok(()), "{ok}");
        }
        assert!(check_username("ab").unwrap_err().contains("3 to 30"));
        assert!(
            check_username(&"x".repeat(31))
                .unwrap_err()
                .contains("3 to 30")
        );
        assert!(check_username("Abc").unwrap_err().contains("'A'"));
        assert!(check_username("a_bc").unwrap_err().contains("'_'"));
        for bad in [".abc", "abc.", "a..bc"] {
            assert!(check_username(bad).unwrap_err().contains("dot"), "{bad}");
        }
    }

    #[test]
    fn display_names_and_hints() {
        assert!(check_display_name("  ").is_err());
        assert!(check_display_name(&"n".repeat(51)).is_err());
        assert_eq!(check_display_name(" Sam "), Ok(()));
        assert_eq!(username_from_hint("Demo.Cameo_1"), "demo.cameo1");
    }

    #[test]
    fn finalize_fields_cycle_both_ways() {
        let record = CameoRecord {
            stage: crate::cameo_record::CameoStage::Ready,
            cameo_id: Some("cameo_1".into()),
            hints: Some(crate::cameo_record::CameoHints {
                username: Some("Demo.Cameo.1".into()),
                display_name: Some("Demo Cameo 1".into()),
                profile_asset_url: None,
            }),
            ..CameoRecord::uploading(
                "k".into(),
                0.0,
                std::path::PathBuf::from("/v.mp4"),
                None,
                (0.0, 3.0),
            )
        };
        let mut f = FinalizeForm::for_record(&record, None);
        assert_eq!(f.username.text(), "demo.cameo.1");
        assert_eq!(f.display_name.text(), "Demo Cameo 1");
        f.step_field(true);
        assert_eq!(f.field, FinalizeField::DisplayName);
        f.step_field(true);
        assert_eq!(f.field, FinalizeField::Visibility);
        assert!(f.value_mut().is_none());
        f.step_field(true);
        assert_eq!(f.field, FinalizeField::Username);
        f.step_field(false);
        assert_eq!(f.field, FinalizeField::Visibility);
    }
}
