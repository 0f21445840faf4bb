//! The two-line status bar at the bottom: the account, the remaining videos and the
//! connection on the first line; the focused pane's key hints, from the live keymap, on the
//! second.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::keymap::Action;
use crate::app::{App, Connection, Loading, Modal, Pane, PromptField, RetryStatus};
use crate::text::{DASH, count, plausible_secs};

use super::theme::Theme;
use super::widgets::{clip_spans, first_key, sanitize, span_of, str_width};

/// Largest believable count of videos remaining; a bigger one is not shown.
const MAX_VIDEOS: u64 = 1_000_000;

/// Height of the status bar in rows.
pub const HEIGHT: u16 = 2;

/// Draws the status bar into its area (two rows).
pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let [info, keys] = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    frame.render_widget(
        Paragraph::new(info_line(app, theme, info.width as usize)),
        info,
    );
    frame.render_widget(
        Paragraph::new(hint_line(app, theme, keys.width as usize)),
        keys,
    );
}

/// Account · quota on the left, the connection on the right.
fn info_line(app: &App, theme: &Theme, width: usize) -> Line<'static> {
    let mut left: Vec<Span<'static>> = vec![Span::raw(" ")];
    let account = match (&app.account_loading, &app.account) {
        (Loading::Failed(msg), _) => Span::styled(sanitize(msg, 120), theme.error),
        (_, Some(me)) => Span::styled(sanitize(&me.display(), 60), theme.value),
        (Loading::Loading, None) => Span::styled("connecting…", theme.dim),
        (_, None) => Span::styled("no account", theme.dim),
    };
    left.push(account);
    if let Some(q) = &app.quota {
        if q.rate_limit_reached == Some(true) {
            let mut text = String::from("video limit reached");
            // A reset time that cannot be right (negative, not a number) is left unsaid.
            if let Some(s) = q
                .access_resets_in_seconds
                .filter(|s| plausible_secs(*s).is_some())
            {
                text.push_str(&format!(", resets in {}", span_of(s)));
            }
            left.push(Span::styled(" · ", theme.dim));
            left.push(Span::styled(text, theme.warning));
        } else if let Some(n) = q
            .estimated_num_videos_remaining
            .and_then(|n| count(n, MAX_VIDEOS))
        {
            let noun = if n == 1 { "video" } else { "videos" };
            left.push(Span::styled(" · ", theme.dim));
            left.push(Span::styled(format!("{n} {noun} left"), theme.text));
        }
    }
    let (mark, text, style) = match (&app.retrying, &app.connection) {
        // A request waiting to be resent is the freshest news: say when the next try is.
        (Some(r), _) => ("⟳", retry_text(r, app.now), theme.warning),
        (None, Connection::Online) => ("●", "Online".to_string(), theme.success),
        (None, Connection::Connecting) => ("○", "Connecting…".to_string(), theme.warning),
        (None, Connection::Trouble(msg)) => ("✗", sanitize(msg, 200), theme.error),
    };
    let left_full: usize = left.iter().map(|s| str_width(&s.content)).sum();
    let right_full = str_width(&text) + 3;
    // When both do not fit, the connection keeps at least two fifths of the line.
    let right_room = if left_full + 3 + right_full <= width {
        right_full
    } else {
        right_full.min(width.saturating_sub(left_full + 3).max(width * 2 / 5))
    };
    let left = clip_spans(left, width.saturating_sub(right_room + 3));
    let right = clip_spans(
        vec![
            Span::styled(mark, style),
            Span::raw(" "),
            Span::styled(text, style),
            Span::raw(" "),
        ],
        right_room,
    );
    let left_width: usize = left.iter().map(|s| str_width(&s.content)).sum();
    let right_width: usize = right.iter().map(|s| str_width(&s.content)).sum();
    let gap = width.saturating_sub(left_width + right_width);
    let mut spans = left;
    spans.push(Span::raw(" ".repeat(gap)));
    spans.extend(right);
    Line::from(spans)
}

/// `rate limited · next try in 12 s`, counting down with the UI's clock (`now`, unix seconds).
pub fn retry_text(r: &RetryStatus, now: f64) -> String {
    let left = (r.until_unix - now).ceil().max(0.0);
    let reason = sanitize(&r.reason, 40);
    match plausible_secs(left) {
        Some(0) => format!("{reason} · retrying now"),
        Some(left) => format!("{reason} · next try in {left} s"),
        None => format!("{reason} · next try in {DASH}"),
    }
}

/// The key hints of what has the keyboard now: a dialog, the editor, a field, or the pane.
pub fn hints(app: &App) -> Vec<(String, &'static str)> {
    let km = &app.keymap;
    let key = |a: Action| first_key(km, a);
    let mut out: Vec<(String, &'static str)> = Vec::new();
    let mut push = |k: Option<String>, d: &'static str| {
        if let Some(k) = k {
            out.push((k, d));
        }
    };
    match &app.modal {
        Some(Modal::Help) => {
            push(key(Action::Help).map(|k| format!("{k}/Esc")), "close help");
            return out;
        }
        Some(Modal::Confirm { .. }) => {
            push(Some("y".into()), "confirm");
            push(Some("any other key".into()), "cancel");
            return out;
        }
        None => {}
    }
    let moves = || match (key(Action::Down), key(Action::Up)) {
        (Some(d), Some(u)) => Some(format!("{d}/{u}")),
        (d, u) => d.or(u),
    };
    match app.pane {
        Pane::Prompt if app.prompt.typing => {
            push(Some("Esc".into()), "stop typing");
            push(key(Action::Submit), "submit");
            push(key(Action::ExternalEditor), "$EDITOR");
        }
        Pane::Prompt if app.prompt.field.is_some() => {
            push(Some("Enter".into()), "done");
            push(Some("Esc".into()), "cancel");
            if app.prompt.field == Some(PromptField::ImagePath) {
                push(Some("Tab".into()), "complete");
            }
        }
        Pane::Prompt => {
            push(key(Action::Type), Action::Type.describe());
            push(key(Action::Submit), Action::Submit.describe());
            push(key(Action::ToggleKind), Action::ToggleKind.describe());
            push(
                key(Action::CycleOrientation),
                Action::CycleOrientation.describe(),
            );
            if app.prompt.image_mode {
                push(key(Action::CycleVariants), Action::CycleVariants.describe());
            } else {
                push(key(Action::CycleLength), Action::CycleLength.describe());
                push(key(Action::ToggleModel), Action::ToggleModel.describe());
                push(key(Action::ToggleSize), Action::ToggleSize.describe());
            }
            push(key(Action::EditImage), "image");
            push(key(Action::EditRemix), "remix");
            push(key(Action::ClearInputs), "clear");
            let history = match (key(Action::HistoryPrev), key(Action::HistoryNext)) {
                (Some(p), Some(n)) => Some(format!("{p}/{n}")),
                (p, n) => p.or(n),
            };
            push(history, "history");
            push(key(Action::ExternalEditor), "$EDITOR");
        }
        Pane::Tasks if app.tasks.tasks.is_empty() => {
            push(key(Action::GoPrompt), "write a prompt");
        }
        Pane::Tasks => {
            push(moves(), "move");
            push(key(Action::Dismiss), Action::Dismiss.describe());
        }
        Pane::Drafts if app.drafts.rows.is_empty() => {
            push(key(Action::Refresh), Action::Refresh.describe());
        }
        Pane::Drafts => {
            push(moves(), "move");
            let details = if app.drafts.details {
                "close details"
            } else {
                "details"
            };
            push(key(Action::Details), details);
            push(key(Action::Download), Action::Download.describe());
            push(key(Action::Publish), Action::Publish.describe());
            push(key(Action::Unpublish), Action::Unpublish.describe());
            push(key(Action::CopyLink), Action::CopyLink.describe());
            push(key(Action::Open), "open");
            push(key(Action::Remix), Action::Remix.describe());
            push(key(Action::Refresh), Action::Refresh.describe());
        }
        Pane::Storyboard => {
            for (k, d) in super::storyboard::hints(app) {
                push(Some(k), d);
            }
        }
        Pane::Cameos => {
            for (k, d) in super::cameos::hints(app) {
                push(Some(k), d);
            }
        }
    }
    if !(app.pane == Pane::Prompt && (app.prompt.typing || app.prompt.field.is_some()))
        && !crate::app::cameos::is_typing(app)
        && !(app.pane == Pane::Storyboard && app.storyboard.captures_keys())
    {
        push(key(Action::Help), Action::Help.describe());
        push(key(Action::Quit), Action::Quit.describe());
    }
    out
}

/// The hints as one line that fits `width`: the last two (help, quit) always stay, the
/// others are dropped from the end with `…` when there is no room.
fn hint_line(app: &App, theme: &Theme, width: usize) -> Line<'static> {
    let all = hints(app);
    let cost = |(k, d): &(String, &str)| str_width(k) + 1 + str_width(d) + 2;
    let keep_tail = if app.modal.is_none() && all.len() >= 4 {
        2
    } else {
        0
    };
    let (body, tail) = all.split_at(all.len() - keep_tail);
    let tail_cost: usize = tail.iter().map(cost).sum();
    let mut spans: Vec<Span<'static>> = vec![Span::raw(" ")];
    let mut used = 1 + tail_cost;
    let mut cut = false;
    for h in body {
        // Room for the `…` is kept so the tail never gets clipped.
        if used + cost(h) + 3 > width {
            cut = true;
            break;
        }
        used += cost(h);
        push_hint(&mut spans, h, theme);
    }
    if cut {
        spans.push(Span::styled("…  ", theme.dim));
    }
    for h in tail {
        push_hint(&mut spans, h, theme);
    }
    Line::from(spans)
}

fn push_hint(spans: &mut Vec<Span<'static>>, (k, d): &(String, &'static str), theme: &Theme) {
    spans.push(Span::styled(k.clone(), theme.key));
    spans.push(Span::raw(" "));
    spans.push(Span::styled(*d, theme.dim));
    spans.push(Span::raw("  "));
}
