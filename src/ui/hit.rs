//! Where the last frame drew what the mouse can act on: a plain-data map of rectangles to
//! [`Target`]s, filled while drawing, so clicks are resolved against what is on screen and
//! the hit-testing can never drift from the layout.
//!
//! The draw functions keep their signatures: `draw_recording` turns on a recorder for the
//! current thread for the length of one draw, and each place that draws something clickable
//! adds its rectangle with one call (`rows` for every list, `record` for the rest). Outside
//! `draw_recording` (the snapshot tests, `ui::draw`) those calls do nothing.

use std::cell::RefCell;

use ratatui::Frame;
use ratatui::layout::{Position, Rect};

use crate::app::Pane;
use crate::app::mouse::{ScrollArea, Target};

/// The clickable places of one frame, in drawing order (what is drawn later is on top).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HitMap {
    spots: Vec<(Rect, Target)>,
}

impl HitMap {
    /// Adds a place (an empty rectangle is never hit and is not kept).
    pub fn push(&mut self, rect: Rect, target: Target) {
        if !rect.is_empty() {
            self.spots.push((rect, target));
        }
    }

    /// What is on top at cell `(column, row)`, if anything the mouse acts on.
    pub fn lookup(&self, column: u16, row: u16) -> Option<Target> {
        let at = Position::new(column, row);
        self.spots
            .iter()
            .rev()
            .find(|(r, _)| r.contains(at))
            .map(|(_, t)| *t)
    }

    /// Where `target` was drawn (the last place recorded for it), for tests and tools.
    pub fn find(&self, target: Target) -> Option<Rect> {
        self.spots
            .iter()
            .rev()
            .find(|(_, t)| *t == target)
            .map(|(r, _)| *r)
    }

    /// Every place, in drawing order.
    pub fn spots(&self) -> &[(Rect, Target)] {
        &self.spots
    }
}

thread_local! {
    /// The map being filled by the draw in progress on this thread, if one records.
    static RECORDER: RefCell<Option<HitMap>> = const { RefCell::new(None) };
}

/// Puts the recorder back to "off" even when the draw panics.
struct Recording;

impl Drop for Recording {
    fn drop(&mut self) {
        RECORDER.with(|r| r.borrow_mut().take());
    }
}

/// Runs `draw` with the recorder on and returns what it recorded.
pub(super) fn recording(draw: impl FnOnce()) -> HitMap {
    let guard = Recording;
    RECORDER.with(|r| *r.borrow_mut() = Some(HitMap::default()));
    draw();
    let map = RECORDER.with(|r| r.borrow_mut().take()).unwrap_or_default();
    drop(guard);
    map
}

/// The target of a list's whole rows area (the wheel scrolls it).
pub(super) fn list(pane: Pane) -> Target {
    Target::Scroll(ScrollArea::List(pane))
}

/// The target of the storyboard's prompt preview.
pub(super) const PREVIEW: Target = Target::Scroll(ScrollArea::Preview);

/// Records one place, when a recording draw is in progress.
pub(super) fn record(rect: Rect, target: Target) {
    RECORDER.with(|r| {
        if let Some(map) = r.borrow_mut().as_mut() {
            map.push(rect, target);
        }
    });
}

/// Records a list: its rows area scrolls, and each visible row `offset..end` (one line each,
/// from the top of `rows`) is `Target::Row` with its index in the whole list.
pub(super) fn rows(pane: Pane, rows: Rect, offset: usize, end: usize) {
    record(rows, list(pane));
    for (line, index) in (offset..end).enumerate() {
        let Ok(line) = u16::try_from(line) else { break };
        if line >= rows.height {
            break;
        }
        let row = Rect {
            y: rows.y + line,
            height: 1,
            ..rows
        };
        record(row, Target::Row { pane, index });
    }
}

/// Records where the ASCII `text` was drawn on line `row` of `area` (its first occurrence),
/// for labels whose position the widget decides (a right-aligned block title).
pub(super) fn record_text(frame: &mut Frame, area: Rect, row: u16, text: &str, target: Target) {
    let buffer = frame.buffer_mut();
    let cells: Vec<&str> = (area.left()..area.right())
        .map(|x| buffer.cell((x, row)).map_or("", |c| c.symbol()))
        .collect();
    let wanted: Vec<String> = text.chars().map(String::from).collect();
    let Some(start) = cells
        .windows(wanted.len().max(1))
        .position(|w| w.iter().zip(&wanted).all(|(a, b)| *a == b.as_str()))
    else {
        return;
    };
    let width = u16::try_from(wanted.len()).unwrap_or(0);
    let x = area.x + u16::try_from(start).unwrap_or(0);
    record(Rect::new(x, row, width, 1), target);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_place_drawn_is_on_top_and_nothing_is_recorded_outside_a_recording() {
        record(Rect::new(0, 0, 10, 10), Target::Tab(Pane::Tasks));
        let map = recording(|| {
            record(Rect::new(0, 0, 10, 10), Target::Tab(Pane::Tasks));
            record(Rect::new(2, 2, 2, 2), Target::Tab(Pane::Drafts));
        });
        assert_eq!(map.spots().len(), 2);
        assert_eq!(map.lookup(2, 3), Some(Target::Tab(Pane::Drafts)));
        assert_eq!(map.lookup(5, 5), Some(Target::Tab(Pane::Tasks)));
        assert_eq!(map.lookup(10, 0), None);
        // The recorder is off again.
        assert!(recording(|| {}).spots().is_empty());
    }

    #[test]
    fn rows_are_one_line_each_and_stop_at_the_area() {
        let map = recording(|| rows(Pane::Drafts, Rect::new(1, 3, 20, 2), 5, 9));
        assert_eq!(
            map.lookup(4, 3),
            Some(Target::Row {
                pane: Pane::Drafts,
                index: 5
            })
        );
        assert_eq!(
            map.lookup(4, 4),
            Some(Target::Row {
                pane: Pane::Drafts,
                index: 6
            })
        );
        assert_eq!(map.lookup(4, 5), None);
    }
}
