//! One cameo in full: where its creation stands (the four steps as a gauge), what went
//! wrong, what to press next, and its ids, video and clip.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Padding, Paragraph, Wrap};

use crate::app::App;
use crate::app::cameos::{CameoAction, CameoRecord, CameoStage, format_clip};
use crate::app::keymap::Action;

use super::super::theme::Theme;
use super::super::widgets::{bytes, fit_start, key_name, sanitize, tilde};

/// Width of the field labels.
const LABEL: usize = 10;

/// How one step of the creation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Done,
    Current,
    Failed,
    Todo,
}

/// Draws the selected cameo into `area`.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    pics: &mut super::super::pictures::Pictures,
) {
    let Some(row) = app.cameos.current() else {
        return;
    };
    let r = &row.record;
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border)
        .title(Span::styled(
            format!(" {} ", sanitize(&row.title, 60)),
            theme.title,
        ))
        .padding(Padding::horizontal(1));
    let mut inner = block.inner(area);
    frame.render_widget(block, area);
    // The profile picture at the top, when pictures are on and the cameo has one.
    if app.thumbs.enabled
        && let Some(wanted) = crate::app::thumbs::cameo_picture(row)
        && inner.height > 16
    {
        let picture = Rect { height: 8, ..inner };
        pics.draw(frame, picture, Some(&wanted.key), &app.thumbs, theme);
        inner.y += 9;
        inner.height -= 9;
    }
    let width = usize::from(inner.width);

    let mut lines: Vec<Line> = Vec::with_capacity(16);
    lines.push(field("State", vec![long_state(r, theme)], theme));
    lines.push(steps(r, theme));
    lines.extend(stage_lines(app, r, theme));
    if let Some(next) = next_step(app, r, theme) {
        lines.push(next);
    }
    lines.push(Line::default());
    let text = |s: String| Span::styled(s, theme.text);
    let none = |s: &'static str| Span::styled(s, theme.dim);
    let username = match r.username.as_deref().filter(|u| !u.is_empty()) {
        Some(u) if r.stage == CameoStage::Finalized => {
            Span::styled(format!("@{}", sanitize(u, 40)), theme.value)
        }
        Some(u) => text(format!("@{} (not finalized)", sanitize(u, 40))),
        None => none("– chosen at finalize"),
    };
    lines.push(field("Username", vec![username], theme));
    let cameo_id = r
        .cameo_id
        .as_deref()
        .map(|id| text(sanitize(id, 80)))
        .unwrap_or_else(|| none("– after the upload"));
    lines.push(field("Cameo id", vec![cameo_id], theme));
    let character = r
        .character_id
        .as_deref()
        .map(|id| text(sanitize(id, 80)))
        .unwrap_or_else(|| none("– after finalize"));
    lines.push(field("Character", vec![character], theme));
    // A cameo made from a draft has no file: its source is the draft.
    let (source, video) = match &r.draft {
        Some(gen_id) => ("Draft", sanitize(gen_id, 80)),
        None => ("Video", tilde(&r.video, &app.info.home)),
    };
    lines.push(field(
        source,
        vec![text(
            fit_start(&video, width.saturating_sub(LABEL + 1)).into_owned(),
        )],
        theme,
    ));
    let mut clip = clip_text(r.clip);
    if let Some(b) = r.video_bytes {
        clip.push_str(&format!(" of {}", bytes(b)));
    }
    lines.push(field("Clip", vec![text(clip)], theme));
    lines.push(field("Created", vec![text(row.created.clone())], theme));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// The clip as `0–3 s`; a dash when the record's numbers cannot be a clip (a broken
/// `cameos.json`: not numbers, negative, reversed, or longer than an hour).
fn clip_text((start, end): (f64, f64)) -> String {
    let valid =
        start.is_finite() && end.is_finite() && 0.0 <= start && start <= end && end <= 3600.0;
    if valid {
        format!("{} s", format_clip((start, end)).replace(',', "–"))
    } else {
        crate::text::DASH.to_string()
    }
}

/// `Label      value`.
fn field<'a>(label: &str, mut spans: Vec<Span<'a>>, theme: &Theme) -> Line<'a> {
    spans.insert(0, Span::styled(format!("{label:<LABEL$} "), theme.dim));
    Line::from(spans)
}

/// The state in words, with the server's own text where it has one.
fn long_state(r: &CameoRecord, theme: &Theme) -> Span<'static> {
    match &r.stage {
        CameoStage::Uploading => {
            let size = r.video_bytes.map(|b| format!(" {}", bytes(b)));
            Span::styled(
                format!("uploading{}…", size.unwrap_or_default()),
                theme.warning,
            )
        }
        CameoStage::UploadFailed { .. } => Span::styled("upload failed", theme.error),
        CameoStage::Processing { status } => Span::styled(
            format!("processing: {}", sanitize(status, 200)),
            theme.warning,
        ),
        CameoStage::PollStopped { .. } => Span::styled("not checked any more", theme.error),
        CameoStage::ProcessingFailed { .. } => Span::styled("processing failed", theme.error),
        CameoStage::Ready => Span::styled("processed: ready to finalize", theme.key),
        CameoStage::Finalizing { step } => Span::styled(
            format!("finalizing: {}…", sanitize(step, 100)),
            theme.warning,
        ),
        CameoStage::FinalizeFailed { .. } => Span::styled("finalize failed", theme.error),
        CameoStage::Finalized if r.public => Span::styled("finalized · public", theme.success),
        CameoStage::Finalized => Span::styled("finalized · private", theme.text),
        CameoStage::Abandoned => Span::styled("abandoned (no longer checked)", theme.dim),
    }
}

/// The four steps of a creation as a gauge: upload, processing, finalize, visibility.
fn steps(r: &CameoRecord, theme: &Theme) -> Line<'static> {
    use Step::*;
    let states = match &r.stage {
        CameoStage::Uploading => [Current, Todo, Todo, Todo],
        CameoStage::UploadFailed { .. } => [Failed, Todo, Todo, Todo],
        CameoStage::Processing { .. } => [Done, Current, Todo, Todo],
        CameoStage::PollStopped { .. }
        | CameoStage::ProcessingFailed { .. }
        | CameoStage::Abandoned => [Done, Failed, Todo, Todo],
        CameoStage::Ready => [Done, Done, Current, Todo],
        CameoStage::Finalizing { .. } if r.character_id.is_some() => [Done, Done, Done, Current],
        CameoStage::Finalizing { .. } => [Done, Done, Current, Todo],
        CameoStage::FinalizeFailed { .. } => [Done, Done, Failed, Todo],
        CameoStage::Finalized => [Done, Done, Done, Done],
    };
    let last = match (&r.stage, r.public) {
        (CameoStage::Finalized, true) => "public",
        (CameoStage::Finalized, false) => "private",
        _ if r.want_public => "public",
        _ => "visibility",
    };
    let labels = ["upload", "processing", "finalize", last];
    let mut spans = vec![Span::styled(format!("{:<LABEL$} ", "Steps"), theme.dim)];
    for (i, (state, label)) in states.iter().zip(labels).enumerate() {
        if i > 0 {
            spans.push(Span::styled(" ─ ", theme.dim));
        }
        let (mark, style): (&str, Style) = match state {
            Done => ("✓", theme.success),
            Current => ("◌", theme.warning),
            Failed => ("✗", theme.error),
            Todo => ("○", theme.dim),
        };
        spans.push(Span::styled(format!("{mark} {label}"), style));
    }
    Line::from(spans)
}

/// What the stage has to say beyond its name: the reason of a failure, the suggestions of a
/// processed cameo, an action in flight, a note.
fn stage_lines(app: &App, r: &CameoRecord, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    match &r.stage {
        CameoStage::UploadFailed { reason }
        | CameoStage::PollStopped { reason }
        | CameoStage::ProcessingFailed { reason }
        | CameoStage::FinalizeFailed { reason, .. } => {
            lines.push(Line::styled(
                format!("✗ {}", sanitize(reason, 600)),
                theme.error,
            ));
        }
        CameoStage::Ready => {
            let hints = r.hints.clone().unwrap_or_default();
            let mut spans = Vec::new();
            if let Some(u) = hints.username.as_deref().filter(|u| !u.is_empty()) {
                spans.push(Span::styled(format!("@{}", sanitize(u, 40)), theme.value));
            }
            if let Some(n) = hints.display_name.as_deref().filter(|n| !n.is_empty()) {
                if !spans.is_empty() {
                    spans.push(Span::styled(" · ", theme.dim));
                }
                spans.push(Span::styled(sanitize(n, 60), theme.value));
            }
            if !spans.is_empty() {
                lines.push(field("Suggested", spans, theme));
            }
        }
        CameoStage::Uploading => {
            lines.push(Line::styled(
                "Sending the video; the server starts processing it once it is in.",
                theme.dim,
            ));
        }
        CameoStage::Processing { .. } => {
            lines.push(Line::styled(
                "The server is processing the video; this updates by itself.",
                theme.dim,
            ));
        }
        _ => {}
    }
    if let Some(busy) = app.cameos.busy.get(&r.key) {
        lines.push(Line::styled(
            format!("… {}", sanitize(busy, 80)),
            theme.warning,
        ));
    }
    if let Some(note) = &r.note {
        lines.push(Line::styled(
            format!("! {}", sanitize(note, 600)),
            theme.warning,
        ));
    }
    lines
}

/// What to press next, in a sentence.
fn next_step(app: &App, r: &CameoRecord, theme: &Theme) -> Option<Line<'static>> {
    let key = |a: CameoAction| key_name(&app.keymap, Action::Cameo(a));
    let sentence = |parts: Vec<(String, &'static str)>| {
        let mut spans = Vec::new();
        for (i, (k, what)) in parts.into_iter().enumerate() {
            spans.push(Span::styled(
                if i == 0 { "Press " } else { ", " },
                theme.dim,
            ));
            spans.push(Span::styled(k, theme.key));
            spans.push(Span::styled(format!(" {what}"), theme.dim));
        }
        spans.push(Span::styled(".", theme.dim));
        Line::from(spans)
    };
    let next = key(CameoAction::Continue);
    let parts = match &r.stage {
        CameoStage::Ready => vec![(next, "to choose the username and finalize")],
        CameoStage::FinalizeFailed { .. } => vec![(next, "to finalize again (no new upload)")],
        CameoStage::UploadFailed { .. } => vec![(next, "to retry with the same file and clip")],
        CameoStage::PollStopped { .. } => vec![
            (next, "to check again"),
            (key(CameoAction::Abandon), "to abandon it"),
        ],
        CameoStage::Processing { .. } => {
            vec![(key(CameoAction::Abandon), "to abandon it if stuck")]
        }
        CameoStage::ProcessingFailed { .. } | CameoStage::Abandoned => vec![
            (key(CameoAction::Delete), "to remove it"),
            (key(CameoAction::New), "for a new one"),
        ],
        CameoStage::Finalized if r.username.is_some() => vec![
            (key(CameoAction::InsertPrompt), "to use it in a prompt"),
            (key(CameoAction::Visibility), "for public/private"),
        ],
        _ => return None,
    };
    Some(sentence(parts))
}
