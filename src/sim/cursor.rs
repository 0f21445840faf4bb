//! Cursor pagination over lists ordered newest first.
//!
//! Each item carries a sequence number that only grows, so a cursor ("items older than N") stays
//! valid while new items are added at the head: pages never repeat or skip an item.

use std::ops::Range;

const PREFIX: &str = "sim-cursor:";

/// The opaque cursor string for "after the item with sequence number `seq`".
pub fn encode(seq: u64) -> String {
    format!("{PREFIX}{seq}")
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads a cursor made by [`encode`]; `None` when it is not one.
pub fn decode(cursor: &str) -> Option<u64> {
    if !cursor.len().is_multiple_of(2) || !cursor.is_ascii() {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..cursor.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&cursor[i..i + 2], 16).ok())
        .collect();
    String::from_utf8(bytes?)
        .ok()?
        .strip_prefix(PREFIX)?
        .parse()
        .ok()
}

/// For items whose sequence numbers are `seqs_desc` (strictly decreasing), the index range of the
/// page of at most `limit` items after `after`, and the sequence number to continue from
/// (`None` on the last page).
pub fn page(seqs_desc: &[u64], limit: usize, after: Option<u64>) -> (Range<usize>, Option<u64>) {
    let start = after.map_or(0, |c| seqs_desc.partition_point(|&s| s >= c));
    let end = start.saturating_add(limit).min(seqs_desc.len());
    let next = (end < seqs_desc.len() && end > start).then(|| seqs_desc[end - 1]);
    (start..end, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = encode(42);
        assert!(c.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(decode(&c), Some(42));
        assert_eq!(decode("42"), None);
        assert_eq!(decode("zz"), None);
        assert_eq!(decode(""), None);
        assert_eq!(decode("é"), None);
    }

    #[test]
    fn pages_walk_the_whole_list_once() {
        let seqs: Vec<u64> = (1..=37).rev().collect();
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let (range, next) = page(&seqs, 15, after);
            seen.extend_from_slice(&seqs[range]);
            match next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        assert_eq!(seen, seqs);
    }

    #[test]
    fn exact_multiple_ends_with_a_null_cursor() {
        let seqs: Vec<u64> = (1..=30).rev().collect();
        let (r1, n1) = page(&seqs, 15, None);
        assert_eq!((r1, n1), (0..15, Some(16)));
        let (r2, n2) = page(&seqs, 15, n1);
        assert_eq!((r2, n2), (15..30, None));
    }

    #[test]
    fn new_items_at_the_head_do_not_shift_later_pages() {
        let before: Vec<u64> = (1..=20).rev().collect();
        let (_, next) = page(&before, 10, None);
        let after_insert: Vec<u64> = (1..=25).rev().collect();
        let (range, _) = page(&after_insert, 10, next);
        assert_eq!(after_insert[range], before[10..20]);
    }

    #[test]
    fn empty_list_has_no_cursor() {
        assert_eq!(page(&[], 15, None), (0..0, None));
    }
}
