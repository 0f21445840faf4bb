//! A cameo from a draft (Drafts `c`): a small form for the clip's start and end seconds
//! within the selected draft (`Modal::DraftCameo`, drawn by `ui/draft_cameo.rs`); `Enter`
//! sends `CameoRequest::CreateFromDraft`, and from there the cameo is a row of the Cameos pane
//! like one made from a file (processing, finalize, visibility).

use crossterm::event::{KeyCode, KeyEvent};

use super::cameos::MAX_CLIP_SECS;
use super::line_edit::LineEdit;
use super::{App, Cmd, DraftRow, Modal, one_line, toast, toast_error};
use crate::worker::{CameoRequest, Request};

/// The clip used when the user does not change it: the first 3 seconds, as the known
/// clients send (docs/api.md, "Cameo from a draft").
pub const DEFAULT_DRAFT_CLIP: (f64, f64) = (0.0, 3.0);

/// Which field of the form has the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClipField {
    /// The clip's start, seconds.
    Start,
    /// The clip's end, seconds.
    End,
}

/// The form: which draft, and the clip being typed.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftCameoForm {
    /// The draft's `gen_…` id.
    pub gen_id: String,
    /// Its title on one line (shown in the form).
    pub title: String,
    /// Its length in seconds, when the list said (the clip must end within it).
    pub duration: Option<f64>,
    /// The start seconds as typed.
    pub start: LineEdit,
    /// The end seconds as typed.
    pub end: LineEdit,
    /// The field with the cursor.
    pub field: ClipField,
    /// Why the last `Enter` was refused, shown in the form.
    pub error: Option<String>,
}

impl DraftCameoForm {
    /// The form for `row` with the default clip (cut to the draft when it is shorter).
    pub fn new(row: &DraftRow) -> DraftCameoForm {
        let duration = row.duration_s().filter(|d| d.is_finite() && *d > 0.0);
        let end = duration.map_or(DEFAULT_DRAFT_CLIP.1, |d| d.min(DEFAULT_DRAFT_CLIP.1));
        DraftCameoForm {
            gen_id: row.gen_id.clone(),
            title: one_line(row.title(), 60),
            duration,
            start: LineEdit::new(seconds(DEFAULT_DRAFT_CLIP.0)),
            end: LineEdit::new(seconds(end)),
            field: ClipField::Start,
            error: None,
        }
    }

    /// The clip typed, checked: numbers, start at least 0 and before end, at most
    /// [`MAX_CLIP_SECS`] long, ending within the draft when its length is known.
    pub fn clip(&self) -> Result<(f64, f64), String> {
        let number = |what: &str, e: &LineEdit| {
            e.text()
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    format!(
                        "the {what} must be a number of seconds, e.g. {}",
                        if what == "start" { "0" } else { "3" }
                    )
                })
        };
        let start = number("start", &self.start)?;
        let end = number("end", &self.end)?;
        if start < 0.0 || start >= end {
            return Err("the clip must start at 0 s or later and end after it starts".into());
        }
        if let Some(d) = self.duration
            && end > d + 0.05
        {
            return Err(format!(
                "the draft is {} s long: end the clip at {} s or earlier",
                seconds(d),
                seconds(d)
            ));
        }
        if end - start > MAX_CLIP_SECS {
            return Err(format!(
                "the clip is {} s long: at most {MAX_CLIP_SECS} s is used, shorten it",
                end - start
            ));
        }
        Ok((start, end))
    }

    fn value_mut(&mut self) -> &mut LineEdit {
        match self.field {
            ClipField::Start => &mut self.start,
            ClipField::End => &mut self.end,
        }
    }
}

/// Seconds as typed: `3`, `2.5`, `9.97`.
fn seconds(s: f64) -> String {
    let rounded = (s * 100.0).round() / 100.0;
    if rounded.fract() == 0.0 {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded}")
    }
}

/// `c` on the selected draft (its ids already checked by `drafts::draft_action`): opens the
/// form, unless the draft cannot be a cameo's source.
pub fn open(app: &mut App, row: &DraftRow) -> Vec<Cmd> {
    if row.is_image() {
        toast(
            app,
            "an image result is not a video: a cameo needs a video draft",
        );
    } else if row.is_blocked() {
        toast_error(
            app,
            "a draft blocked by the content policy cannot become a cameo",
        );
    } else {
        app.modal = Some(Modal::DraftCameo(DraftCameoForm::new(row)));
    }
    Vec::new()
}

/// A key while the form is open: `Tab`/arrows switch fields, `Enter` sends, `Esc` closes,
/// anything else edits the field.
pub fn on_key(app: &mut App, mut form: DraftCameoForm, key: KeyEvent) -> Vec<Cmd> {
    match key.code {
        KeyCode::Esc => return Vec::new(),
        KeyCode::Enter => return send(app, form),
        KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => {
            form.field = match form.field {
                ClipField::Start => ClipField::End,
                ClipField::End => ClipField::Start,
            };
        }
        _ => {
            if form.value_mut().key(&key) == super::line_edit::LineKey::Edited {
                form.error = None;
            }
        }
    }
    app.modal = Some(Modal::DraftCameo(form));
    Vec::new()
}

/// A paste goes into the field with the cursor.
pub fn on_paste(app: &mut App, mut form: DraftCameoForm, text: &str) {
    form.value_mut().paste(text);
    form.error = None;
    app.modal = Some(Modal::DraftCameo(form));
}

/// `Enter`: checks the clip (a refusal stays in the form), then starts the cameo.
fn send(app: &mut App, mut form: DraftCameoForm) -> Vec<Cmd> {
    let clip = match form.clip() {
        Ok(clip) => clip,
        Err(e) => {
            form.error = Some(e);
            app.modal = Some(Modal::DraftCameo(form));
            return Vec::new();
        }
    };
    let key = super::cameos::new_key(app);
    let cameos = app.keymap.keys_for(super::keymap::Action::GoCameos);
    toast(
        app,
        format!(
            "cameo started from {} — see Cameos ({cameos})",
            one_line(&form.gen_id, 60)
        ),
    );
    vec![Cmd::Worker(Request::Cameo(CameoRequest::CreateFromDraft {
        key,
        generation_id: form.gen_id,
        clip,
    }))]
}
