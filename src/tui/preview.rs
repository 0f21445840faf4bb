//! Which picture protocol the terminal speaks (`preview = "auto"`): the capability query of
//! ratatui-image, read here with a bounded wait so a terminal that never answers costs at
//! most [`PROBE_TIMEOUT`] once at start, and no reader is left behind to take the user's
//! first keys (ratatui-image's own `Picker::from_query_stdio` waits 2 s and leaves one).

use std::io::Write;
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use ratatui_image::FontSize;
use ratatui_image::picker::cap_parser::{Parser, QueryStdioOptions, Response};
use ratatui_image::picker::{Picker, ProtocolType};

use crate::config::Preview;
use crate::ui::Pictures;

/// The longest wait for the terminal's answer.
pub const PROBE_TIMEOUT: Duration = Duration::from_millis(300);

/// The pictures' renderer for `preview`, probing the terminal for `auto` (called after the
/// terminal is in raw mode and on the alternate screen, before keys are read). Inside tmux
/// `auto` is half-blocks: tmux passes graphics through unreliably (README.md, Pictures).
pub fn pictures(preview: Preview) -> Option<Pictures> {
    let kind = match preview {
        Preview::Off => return None,
        Preview::Halfblocks => return Some(Pictures::halfblocks()),
        Preview::Kitty => ProtocolType::Kitty,
        Preview::Sixel => ProtocolType::Sixel,
        Preview::Iterm2 => ProtocolType::Iterm2,
        Preview::Auto => {
            if std::env::var_os("TMUX").is_some_and(|v| !v.is_empty()) {
                return Some(Pictures::halfblocks());
            }
            return Some(Pictures::with_picker(probe()));
        }
    };
    let font = probe_font().unwrap_or(FontSize::new(10, 20));
    Some(Pictures::with_picker(picker(font, kind)))
}

fn picker(font: FontSize, kind: ProtocolType) -> Picker {
    // The non-deprecated constructors either query the terminal or fix the font size at
    // 10×20; this one takes the size the probe read.
    #[allow(deprecated)]
    let mut p = Picker::from_fontsize(font);
    p.set_protocol_type(kind);
    p
}

/// Asks the terminal and reads its answers until the status report or the timeout.
fn answers() -> Vec<Response> {
    let query = Parser::query(false, QueryStdioOptions::default());
    let mut out = std::io::stdout();
    if out
        .write_all(query.as_bytes())
        .and_then(|_| out.flush())
        .is_err()
    {
        return Vec::new();
    }
    let stdin = std::io::stdin();
    let fd = stdin.as_fd();
    let deadline = Instant::now() + PROBE_TIMEOUT;
    let mut parser = Parser::new();
    let mut responses = Vec::new();
    let mut buf = [0u8; 256];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return responses;
        }
        let timeout = rustix::event::Timespec {
            tv_sec: 0,
            tv_nsec: i64::from(u32::try_from(left.as_nanos()).unwrap_or(u32::MAX)).min(999_999_999)
                as _,
        };
        let mut fds = [rustix::event::PollFd::new(
            &fd,
            rustix::event::PollFlags::IN,
        )];
        match rustix::event::poll(&mut fds, Some(&timeout)) {
            Ok(n) if n > 0 => {}
            _ => return responses,
        }
        let n = match rustix::io::read(fd, &mut buf) {
            Ok(n) if n > 0 => n,
            _ => return responses,
        };
        for b in &buf[..n] {
            for r in parser.push(char::from(*b)) {
                if r == Response::Status {
                    return responses;
                }
                responses.push(r);
            }
        }
    }
}

/// The font size alone, for a protocol the user chose.
fn probe_font() -> Option<FontSize> {
    answers().into_iter().find_map(|r| match r {
        Response::CellSize(Some((w, h))) if w > 0 && h > 0 => Some(FontSize::new(w, h)),
        _ => None,
    })
}

/// The protocol and font size the terminal reports; half-blocks when it says nothing.
fn probe() -> Picker {
    let responses = answers();
    let font = responses.iter().find_map(|r| match r {
        Response::CellSize(Some((w, h))) if *w > 0 && *h > 0 => Some(FontSize::new(*w, *h)),
        _ => None,
    });
    let kind = if responses.contains(&Response::Kitty) {
        ProtocolType::Kitty
    } else if responses.contains(&Response::Sixel) {
        ProtocolType::Sixel
    } else if std::env::var("TERM_PROGRAM").is_ok_and(|t| t == "iTerm.app" || t == "WezTerm") {
        ProtocolType::Iterm2
    } else {
        ProtocolType::Halfblocks
    };
    match font {
        Some(font) => picker(font, kind),
        // Without the cell size pixels cannot be placed: half-blocks need none.
        None => Picker::halfblocks(),
    }
}
