//! The confirm overlay of a batch file: how many jobs and videos, whether the quota covers
//! them, then each job from the scroll position on (its label, settings and the first lines
//! of its prompt), and how to answer.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::app::App;
use crate::app::batch::BatchConfirm;
use crate::batch::Coverage;
use crate::worker::SubmissionKind;

use super::theme::Theme;
use super::widgets::{centered, fit, sanitize, tilde};

/// Lines of each prompt shown (the dry run shows them whole).
const PROMPT_LINES: usize = 2;
/// What the prompt lines are indented by, under their job's number.
const INDENT: &str = "   ";

/// Draws the overlay centred in `area`.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, confirm: &BatchConfirm, theme: &Theme) {
    let rect = centered(
        area,
        area.width.saturating_sub(4).clamp(30, 110),
        area.height.saturating_sub(2).max(8),
    );
    let batch = &confirm.batch;
    let total = batch.jobs.len();
    let videos = batch.video_count();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focus)
        .title(Span::styled(
            format!(" Queue the jobs of {}? ", sanitize(&batch.name, 60)),
            theme.title,
        ))
        .title_bottom(
            Line::from(vec![
                Span::styled(" y", theme.key),
                Span::styled("/", theme.dim),
                Span::styled("Enter", theme.key),
                Span::styled(" queue them · ", theme.dim),
                Span::styled("j/k", theme.key),
                Span::styled(" scroll · any other key cancels ", theme.dim),
            ])
            .right_aligned(),
        )
        .padding(ratatui::widgets::Padding::horizontal(1));
    let inner = block.inner(rect);
    let width = usize::from(inner.width).max(1);
    let cut = |s: &str| fit(&sanitize(s, 2000), width).into_owned();
    let coverage = confirm.coverage(app.quota.as_ref());
    let coverage_style = match coverage {
        Coverage::Covered { .. } => theme.success,
        Coverage::Short { .. } => theme.warning,
        Coverage::Unknown => theme.dim,
    };
    let shown_from = confirm.scroll.min(total.saturating_sub(1));
    let mut lines = vec![
        Line::styled(
            cut(&format!(
                "{total} job{} ({videos} video{}) from {}",
                plural(total),
                plural(videos),
                tilde(&confirm.path, &app.info.home)
            )),
            theme.text,
        ),
        Line::styled(cut(&coverage.message()), coverage_style),
        Line::styled(
            cut(&format!(
                "jobs {}–{total}, in the order they will be sent:",
                shown_from + 1
            )),
            theme.dim,
        ),
    ];
    for (i, job) in batch.jobs.iter().enumerate().skip(shown_from) {
        if lines.len() >= usize::from(inner.height) {
            break;
        }
        lines.push(Line::default());
        lines.push(Line::from(vec![
            Span::styled(format!("{}. ", i + 1), theme.key),
            Span::styled(
                cut(&format!("{} · {}", job.label, job.settings())),
                theme.dim,
            ),
        ]));
        // A storyboard's text starts with its timeline: its gist says more.
        let prompt: Vec<&str> = match job.kind {
            SubmissionKind::Storyboard { .. } => vec![crate::storyboard::gist(&job.prompt)],
            _ => job.prompt.lines().collect(),
        };
        let indented = |text: String, style| {
            Line::from(vec![
                Span::raw(INDENT),
                Span::styled(
                    fit(&sanitize(&text, 2000), width.saturating_sub(INDENT.len())).into_owned(),
                    style,
                ),
            ])
        };
        for line in prompt.iter().take(PROMPT_LINES) {
            lines.push(indented(line.to_string(), theme.text));
        }
        if prompt.len() > PROMPT_LINES {
            let more = prompt.len() - PROMPT_LINES;
            lines.push(indented(format!("… {more} more lines"), theme.dim));
        }
    }
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
    // The answers in the bottom line are buttons for the mouse too (`ui::hit`).
    use crate::app::mouse::{ConfirmChoice, ScrollArea, Target};
    super::hit::record(rect, Target::Scroll(ScrollArea::Batch));
    let bottom = rect.bottom().saturating_sub(1);
    let yes = Target::Button(ConfirmChoice::Yes);
    super::hit::record_text(frame, rect, bottom, "y/Enter queue them", yes);
    let no = Target::Button(ConfirmChoice::No);
    super::hit::record_text(frame, rect, bottom, "any other key cancels", no);
}
