//! The two-line status bar at the bottom: the account, the remaining videos and the
//! connection on the first line; the focused pane's key hints, from the live keymap, on the
//! second.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::help::HelpState;
use crate::app::keymap::{Action, Context, declared_hint};
use crate::app::{App, Connection, Loading, Modal, Pane, PromptField, RetryStatus};
use crate::text::{DASH, count, plausible_secs};

use super::theme::Theme;
use super::widgets::{clip_spans, compact_key, first_key, sanitize, span_of, str_width};

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
    if app.demo {
        left.push(Span::styled("demo", theme.warning));
        left.push(Span::styled(" · ", theme.dim));
    }
    let account = match (&app.account_loading, &app.account) {
        (Loading::Failed(msg), _) => Span::styled(sanitize(msg, 120), theme.error),
        (_, Some(me)) => Span::styled(sanitize(&me.display(), 60), theme.value),
        (Loading::Loading, None) => Span::styled("connecting…", theme.dim),
        (_, None) => Span::styled("no account", theme.dim),
    };
    left.push(account);
    if crate::app::username::lacks_username(app)
        && !matches!(app.account_loading, Loading::Failed(_))
    {
        // Generation needs a username (docs/api.md, "Usernames"): say so, with the key.
        let key = first_key(&app.keymap, Action::SetUsername);
        let text = match key {
            Some(k) => format!("no username — {} sets one", sanitize(&k, 12)),
            None => "no username".to_string(),
        };
        left.push(Span::styled(" · ", theme.dim));
        left.push(Span::styled(text, theme.warning));
    }
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
    if let Some(p) = &app.drafts.archive {
        left.push(Span::styled(" · ", theme.dim));
        left.push(Span::styled(crate::app::archive_text(p), theme.warning));
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
/// A pane's hints are those its bindings declare (`app::keymap::Hint`), with the live keys;
/// only the modes that are not key bindings (typing, fields, forms, dialogs) list their own.
pub fn hints(app: &App) -> Vec<(String, &'static str)> {
    let key = |a: Action| first_key(&app.keymap, a);
    let mut out: Vec<(String, &'static str)> = Vec::new();
    match &app.modal {
        Some(Modal::Help(help)) => return help_hints(app, help),
        Some(Modal::Log { .. }) => {
            out.push(("j/k".into(), "scroll"));
            out.push(("Esc".into(), "close"));
            return out;
        }
        Some(Modal::Confirm { .. }) => {
            out.push(("y".into(), "confirm"));
            out.push(("any other key".into(), "cancel"));
            return out;
        }
        Some(Modal::Batch(_)) => {
            out.push(("y".into(), "queue them"));
            out.push(("j/k".into(), "scroll"));
            out.push(("any other key".into(), "cancel"));
            return out;
        }
        Some(Modal::DraftCameo(_)) => {
            out.push(("Enter".into(), "start the cameo"));
            out.push(("Tab".into(), "next field"));
            out.push(("Esc".into(), "cancel"));
            return out;
        }
        Some(Modal::Enhance(o)) => {
            if o.suggestion.is_some() {
                out.push(("y/Enter".into(), "use it"));
                out.push(("n/Esc".into(), "keep the original"));
            } else {
                out.push(("Esc".into(), "cancel"));
            }
            out.push(("l".into(), "level"));
            return out;
        }
        Some(Modal::Extend(_)) => {
            out.push(("Enter".into(), "send"));
            out.push(("Tab".into(), "10/15 s"));
            out.push(("Esc".into(), "cancel"));
            return out;
        }
        Some(Modal::Username(form)) => return super::username::hints(form),
        None => {}
    }
    // A list's filter line being typed has every key: only its own keys apply.
    if crate::app::pane_filter::editing(app) {
        out.push(("Enter".into(), "keep filter"));
        out.push(("Esc".into(), "clear filter"));
        return out;
    }
    match app.pane {
        Pane::Prompt if app.prompt.typing => {
            out.push(("Esc".into(), "settings & keys"));
            out.extend(key(Action::Submit).map(|k| (k, "submit")));
            out.extend(key(Action::QueueThis).map(|k| (k, "queue")));
            out.extend(key(Action::ExternalEditor).map(|k| (k, "$EDITOR")));
            return out;
        }
        Pane::Prompt if app.prompt.field.is_some() => {
            out.push(("Enter".into(), "done"));
            out.push(("Esc".into(), "cancel"));
            if matches!(
                app.prompt.field,
                Some(PromptField::ImagePath | PromptField::BatchPath)
            ) {
                out.push(("Tab".into(), "complete"));
            }
            return out;
        }
        Pane::Prompt => out = declared(app, &[Context::Prompt]),
        Pane::Tasks => out = declared(app, &[Context::List, Context::Tasks]),
        Pane::Drafts => out = declared(app, &[Context::List, Context::Drafts]),
        Pane::Storyboard => out = super::storyboard::hints(app),
        Pane::Cameos => out = super::cameos::hints(app),
    }
    // A form or picker that takes every key has no global keys.
    let captured = crate::app::cameos::is_typing(app)
        || (app.pane == Pane::Storyboard && app.storyboard.captures_keys());
    if !captured {
        out.extend(declared(app, &[Context::Global]));
    }
    out
}

/// The status hints the bindings of `contexts` declare for the current state, in binding
/// order, each with the action's first live key in that context (compact, `^S`). Neighbours
/// with the same text share it: `j/k move`.
pub fn declared(app: &App, contexts: &[Context]) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = Vec::new();
    for &ctx in contexts {
        let mut seen: Vec<Action> = Vec::new();
        for b in app.keymap.bindings.iter().filter(|b| b.context == ctx) {
            if seen.contains(&b.action) {
                continue;
            }
            seen.push(b.action);
            let Some(label) = declared_hint(ctx, b.action).and_then(|h| h.label(app)) else {
                continue;
            };
            let key = compact_key(&b.key.to_string());
            match out.last_mut() {
                Some((keys, text)) if *text == label => {
                    keys.push('/');
                    keys.push_str(&key);
                }
                _ => out.push((key, label)),
            }
        }
    }
    out
}

/// While help is open: how to scroll, filter and close it.
fn help_hints(app: &App, help: &HelpState) -> Vec<(String, &'static str)> {
    let close = first_key(&app.keymap, Action::Help);
    if help.filtering {
        return vec![
            ("Enter".into(), "keep filter"),
            ("Esc".into(), "clear filter"),
        ];
    }
    let mut out: Vec<(String, &'static str)> = vec![("j/k".into(), "scroll")];
    if help.filter.is_empty() {
        out.push(("/".into(), "filter"));
        out.push((
            close.map_or_else(|| "Esc".into(), |k| format!("{k}/Esc")),
            "close help",
        ));
    } else {
        out.push(("Esc".into(), "clear filter"));
        out.extend(close.map(|k| (k, "close help")));
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
