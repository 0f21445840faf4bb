//! The filter of a list pane (Drafts, Tasks, Cameos, the storyboard file picker): `/` opens a
//! filter line, the list narrows as the query is typed, `Enter` keeps the query (the list
//! stays narrowed and the pane's keys work again), `Esc` clears it. Plain data in each pane's
//! state; drawn by `ui::filter`.
//!
//! The matcher is a case-insensitive substring match, every whitespace-separated word of the
//! query in some field of the row (`owl week`: both words, anywhere). A fuzzy matcher
//! (`nucleo-matcher`, measured: docs/architecture.md) was tried on prompts: `owl` then
//! matches nearly every prompt of some length (`a slow walk` has o…w…l), and it took ~20 ms a
//! keystroke on 10 000 rows against ~0.4 ms for the substring search; words are what users
//! remember of a prompt.
//!
//! The rows' texts are folded to lower case once, when the pane hands them over
//! (`set_rows`: when the list changes), and the matching rows are computed when the query or
//! the rows change, never per frame. A query that extends the previous one searches only the
//! previous matches. Highlight positions are worked out only for the rows a frame draws
//! (`hits`), since a short query can match thousands of rows of which a screen shows forty.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One highlighted range of a row's field: char indices (not bytes) into the text exactly as
/// given to [`ListFilter::set_rows`], `end` exclusive, so the UI can cut the drawn text
/// without byte-index panics on multi-byte characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Which of the row's fields (0 is the one the list draws).
    pub field: usize,
    /// First highlighted char.
    pub start: usize,
    /// One past the last highlighted char.
    pub end: usize,
}

/// What [`ListFilter::key`] did with a key, so the pane knows whether to recompute and
/// whether the key is used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterKey {
    /// Not a filter key: the pane and the keymap have it.
    Ignored,
    /// The query changed (the matches were recomputed).
    Edited,
    /// Editing ended with the query kept (`Enter`), or a key used up while editing that
    /// changed nothing.
    Kept,
    /// The filter was cleared or closed (`Esc`, `Backspace` on an empty query): the whole
    /// list is back.
    Cleared,
}

/// A row's field folded to lower case for matching.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Folded {
    /// The lower-cased text.
    text: String,
    /// For each char of `text`, the index of the char of the original it came from; `None`
    /// when folding kept one char per char (nearly always), so indices are the same.
    map: Option<Vec<u32>>,
}

impl Folded {
    fn new(s: &str) -> Folded {
        let mut text = String::with_capacity(s.len());
        let mut map: Option<Vec<u32>> = None;
        for (i, c) in s.chars().enumerate() {
            if c.is_ascii() {
                text.push(c.to_ascii_lowercase());
                if let Some(m) = &mut map {
                    m.push(i as u32);
                }
                continue;
            }
            let before = text.len();
            text.extend(c.to_lowercase());
            let added = text[before..].chars().count();
            if added != 1 && map.is_none() {
                // From here on indices differ: the chars so far mapped one to one.
                map = Some((0..i as u32).collect());
            }
            if let Some(m) = &mut map {
                m.extend(std::iter::repeat_n(i as u32, added));
            }
        }
        Folded { text, map }
    }

    /// The original char range of the folded byte range `from..to` (a match of a word).
    fn original(&self, from: usize, to: usize) -> (usize, usize) {
        let start = self.text[..from].chars().count();
        let len = self.text[from..to].chars().count();
        match &self.map {
            None => (start, start + len),
            Some(m) => {
                let first = m.get(start).copied().unwrap_or_default() as usize;
                let last = m
                    .get(start + len.saturating_sub(1))
                    .copied()
                    .unwrap_or_default() as usize;
                (first, last + 1)
            }
        }
    }
}

/// Lower case for matching: the same folding as the rows' texts.
fn fold(s: &str) -> String {
    Folded::new(s).text
}

/// The filter of one list: the query, whether it is being typed, and the cached matches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// What was typed after `/`.
    query: String,
    /// Keys type into the query (the pane's keys do not apply).
    editing: bool,
    /// Each row's fields, folded; empty while the filter is not active.
    rows: Vec<Vec<Folded>>,
    /// The indices of the matching rows, in list order.
    matches: Vec<usize>,
    /// The query's words, folded, that `matches` are for (highlights are found from them).
    words: Vec<String>,
    /// The query the matches are for (a longer query narrows these instead of all rows).
    matched: String,
}

impl ListFilter {
    /// `/`: starts typing the query (an existing kept query stays, to be changed).
    pub fn open(&mut self) {
        self.editing = true;
    }

    /// Whether the list is narrowed: a query being typed or one kept.
    pub fn is_active(&self) -> bool {
        self.editing || !self.query.is_empty()
    }

    /// Whether keys type into the query.
    pub fn is_editing(&self) -> bool {
        self.editing
    }

    /// What was typed.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// A key for the filter: while editing, characters and `Backspace` edit the query
    /// (`Backspace` on an empty query closes the line), `Enter` keeps it, `Esc` clears it and
    /// any other key is used up (so no pane key acts while typing); with a kept query `Esc`
    /// clears it. Everything else is [`FilterKey::Ignored`].
    pub fn key(&mut self, key: &KeyEvent) -> FilterKey {
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        if !self.editing {
            if key.code == KeyCode::Esc && !self.query.is_empty() {
                self.clear();
                return FilterKey::Cleared;
            }
            return FilterKey::Ignored;
        }
        match key.code {
            KeyCode::Esc => {
                self.clear();
                FilterKey::Cleared
            }
            KeyCode::Enter => {
                self.editing = false;
                if self.query.is_empty() {
                    self.clear();
                    return FilterKey::Cleared;
                }
                FilterKey::Kept
            }
            KeyCode::Backspace if self.query.is_empty() => {
                self.clear();
                FilterKey::Cleared
            }
            KeyCode::Backspace => {
                self.query.pop();
                self.recompute();
                FilterKey::Edited
            }
            KeyCode::Char(c) if plain && !c.is_control() => {
                self.query.push(c);
                self.recompute();
                FilterKey::Edited
            }
            _ => FilterKey::Kept,
        }
    }

    /// Back to the whole list, the cached texts dropped.
    pub fn clear(&mut self) {
        *self = ListFilter::default();
    }

    /// Hands over the rows' searchable texts, in list order, each row's fields (field 0 is
    /// the text the list draws and highlights; the others, ids, are matched only). Give the
    /// sanitised display strings: highlight positions index them. Call when the list changes;
    /// does nothing while the filter is not active (nothing is cached then).
    pub fn set_rows<I, R, S>(&mut self, rows: I)
    where
        I: IntoIterator<Item = R>,
        R: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        if !self.is_active() {
            return;
        }
        self.rows = rows
            .into_iter()
            .map(|r| r.into_iter().map(|s| Folded::new(s.as_ref())).collect())
            .collect();
        self.matched.clear();
        self.matches.clear();
        self.recompute();
    }

    /// Recomputes the matches for the query; only among the previous matches when the query
    /// extends the one they are for (every word then matches no more rows than before).
    fn recompute(&mut self) {
        let words: Vec<String> = self.query.split_whitespace().map(fold).collect();
        let narrowing = !self.matched.is_empty()
            && self.query.starts_with(self.matched.as_str())
            && !self.matches.is_empty();
        let candidates = if narrowing {
            std::mem::take(&mut self.matches)
        } else {
            (0..self.rows.len()).collect()
        };
        self.matches.clear();
        self.matched.clone_from(&self.query);
        self.words = words;
        if self.words.is_empty() {
            // `/` typed, nothing else yet: every row, nothing highlighted.
            self.matched.clear();
            self.matches.extend(0..self.rows.len());
            return;
        }
        let words = &self.words;
        let rows = &self.rows;
        self.matches.extend(candidates.into_iter().filter(|&row| {
            rows.get(row).is_some_and(|fields| {
                words
                    .iter()
                    .all(|w| fields.iter().any(|f| f.text.contains(w.as_str())))
            })
        }));
    }

    /// How many rows the list shows: the matches, or `total` (all) when not active.
    pub fn len(&self, total: usize) -> usize {
        if self.is_active() {
            self.matches.len()
        } else {
            total
        }
    }

    /// The row index shown at `pos` of the narrowed list (`pos` itself when not active).
    pub fn row_at(&self, pos: usize) -> Option<usize> {
        if self.is_active() {
            self.matches.get(pos).copied()
        } else {
            Some(pos)
        }
    }

    /// Where row `row` is in the narrowed list (`row` itself when not active); `None` when
    /// the filter hides it.
    pub fn position(&self, row: usize) -> Option<usize> {
        if self.is_active() {
            self.matches.binary_search(&row).ok()
        } else {
            Some(row)
        }
    }

    /// The highlight ranges of row `row` (empty when it has none or is not a match), found
    /// when asked: a frame asks for the rows it draws only.
    pub fn hits(&self, row: usize) -> Vec<Hit> {
        if !self.is_active() || self.matches.binary_search(&row).is_err() {
            return Vec::new();
        }
        let Some(fields) = self.rows.get(row) else {
            return Vec::new();
        };
        let mut hits = Vec::new();
        for (field, f) in fields.iter().enumerate() {
            for w in &self.words {
                for (at, _) in f.text.match_indices(w.as_str()) {
                    let (start, end) = f.original(at, at + w.len());
                    hits.push(Hit { field, start, end });
                }
            }
        }
        hits
    }

    /// The selection after the list narrowed or changed: `selected` when it still matches,
    /// else the first match (0 when none).
    pub fn keep_selection(&self, selected: usize) -> usize {
        if self.position(selected).is_some() {
            selected
        } else {
            self.row_at(0).unwrap_or(0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(q: &str, rows: &[&[&str]]) -> ListFilter {
        let mut f = ListFilter::default();
        f.open();
        f.set_rows(rows.iter().map(|r| r.iter()));
        for c in q.chars() {
            f.key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        f
    }

    fn rows(f: &ListFilter) -> Vec<usize> {
        (0..f.len(0)).filter_map(|p| f.row_at(p)).collect()
    }

    #[test]
    fn every_word_must_match_in_some_field_any_case() {
        let data: &[&[&str]] = &[
            &["An OWL at night", "gen_1"],
            &["a slow walk", "gen_2"],
            &["owl of the week", "gen_3"],
            &["week old snow", "gen_owl"],
        ];
        assert_eq!(rows(&typed("owl", data)), [0, 2, 3]);
        assert_eq!(rows(&typed("owl week", data)), [2, 3]);
        assert_eq!(rows(&typed("WEEK", data)), [2, 3]);
        assert_eq!(rows(&typed("gen_2", data)), [1]);
        assert!(rows(&typed("zebra", data)).is_empty());
        let f = typed("owl", data);
        assert_eq!(
            f.hits(0),
            [Hit {
                field: 0,
                start: 3,
                end: 6
            }]
        );
        assert_eq!(f.hits(1), []);
        assert_eq!(
            f.hits(3),
            [Hit {
                field: 1,
                start: 4,
                end: 7
            }]
        );
    }

    #[test]
    fn non_ascii_folds_and_positions_are_chars_of_the_original() {
        let data: &[&[&str]] = &[&["ÉTÉ à Zürich", "x"], &["İstanbul owl", "y"]];
        let f = typed("zür", data);
        assert_eq!(rows(&f), [0]);
        assert_eq!(
            f.hits(0),
            [Hit {
                field: 0,
                start: 6,
                end: 9
            }]
        );
        assert_eq!(rows(&typed("été", data)), [0]);
        // `İ` lower-cases to two chars: positions after it still index the original.
        let f = typed("owl", data);
        assert_eq!(
            f.hits(1),
            [Hit {
                field: 0,
                start: 9,
                end: 12
            }]
        );
        let f = typed("i", data);
        assert_eq!(
            f.hits(1)[0],
            Hit {
                field: 0,
                start: 0,
                end: 1
            }
        );
    }

    #[test]
    fn backspace_widens_enter_keeps_esc_clears() {
        let data: &[&[&str]] = &[&["owl"], &["cat"], &["cow"]];
        let mut f = typed("ow", data);
        assert_eq!(rows(&f), [0, 2]);
        f.key(&KeyEvent::new(KeyCode::Char('l'), KeyModifiers::NONE));
        assert_eq!(rows(&f), [0]);
        f.key(&KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
        assert_eq!(rows(&f), [0, 2], "a shorter query widens again");
        assert_eq!(
            f.key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
            FilterKey::Kept
        );
        assert!(f.is_active() && !f.is_editing());
        assert_eq!(
            f.key(&KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)),
            FilterKey::Ignored
        );
        assert_eq!(
            f.key(&KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
            FilterKey::Cleared
        );
        assert!(!f.is_active());
        assert_eq!(f.len(3), 3);
    }

    mod in_update {
        use crossterm::event::KeyCode;

        use crate::api::{Draft, DraftsPage};
        use crate::app::keymap::Keymap;
        use crate::app::test_support::{NOW, ch, key};
        use crate::app::{App, AppInfo, Msg, Pane, update};
        use crate::worker::{DraftsEvent, Event};

        fn page(app: &mut App, prompts: &[&str], first: bool, cursor: Option<&str>) {
            let base = if first { 0 } else { app.drafts.rows.len() };
            let items = prompts
                .iter()
                .enumerate()
                .map(|(i, p)| Draft {
                    id: Some(format!("gen_{}", base + i)),
                    kind: Some("sora_draft".into()),
                    prompt: Some((*p).into()),
                    created_at: Some(NOW),
                    ..Draft::default()
                })
                .collect();
            update(
                app,
                Msg::Worker(Event::Drafts(DraftsEvent::DraftsLoaded {
                    page: DraftsPage {
                        items,
                        cursor: cursor.map(str::to_owned),
                    },
                    first,
                })),
                NOW,
            );
        }

        fn shown(a: &App) -> Vec<String> {
            let f = &a.drafts.filter;
            (0..f.len(a.drafts.rows.len()))
                .filter_map(|p| f.row_at(p))
                .map(|i| a.drafts.rows[i].title().to_string())
                .collect()
        }

        fn app() -> App {
            let mut a = App::new(AppInfo::default(), Keymap::default(), NOW);
            a.pane = Pane::Drafts;
            a.drafts_viewport = 10;
            page(
                &mut a,
                &[
                    "an owl at night",
                    "a cat",
                    "owl of the week",
                    "week old snow",
                ],
                true,
                Some("c2"),
            );
            a
        }

        #[test]
        fn slash_narrows_as_typed_enter_keeps_esc_clears() {
            let mut a = app();
            ch(&mut a, '/');
            assert!(a.drafts.filter.is_editing());
            for c in "owl".chars() {
                ch(&mut a, c);
            }
            assert_eq!(shown(&a), ["an owl at night", "owl of the week"]);
            ch(&mut a, ' ');
            ch(&mut a, 'w');
            ch(&mut a, 'e');
            assert_eq!(shown(&a), ["owl of the week"], "every word must match");
            // Pane keys are text while typing: `r` (refresh) sends nothing.
            assert!(ch(&mut a, 'r').is_empty());
            assert_eq!(a.drafts.filter.query(), "owl wer");
            key(&mut a, KeyCode::Backspace);
            key(&mut a, KeyCode::Backspace);
            key(&mut a, KeyCode::Backspace);
            assert_eq!(shown(&a).len(), 2, "Backspace widens");
            key(&mut a, KeyCode::Enter);
            assert!(!a.drafts.filter.is_editing());
            assert_eq!(shown(&a).len(), 2, "Enter keeps the filter");
            // Normal keys work on the narrowed list: `j` goes to the next match.
            assert_eq!(
                a.drafts.selected, 2,
                "moved to the only match, kept when widened"
            );
            ch(&mut a, 'g');
            assert_eq!(a.drafts.selected, 0);
            ch(&mut a, 'j');
            assert_eq!(a.drafts.selected, 2, "the next match, not the next row");
            // The filter survives switching panes.
            ch(&mut a, '3');
            ch(&mut a, '4');
            assert_eq!(shown(&a).len(), 2);
            key(&mut a, KeyCode::Esc);
            assert!(!a.drafts.filter.is_active());
            assert_eq!(shown(&a).len(), 4, "Esc clears");
            assert_eq!(a.drafts.selected, 2, "the selection stays on its draft");
        }

        #[test]
        fn selection_stays_if_it_matches_else_first_match() {
            let mut a = app();
            ch(&mut a, 'j');
            ch(&mut a, 'j');
            assert_eq!(a.drafts.selected, 2);
            ch(&mut a, '/');
            ch(&mut a, 'o');
            ch(&mut a, 'w');
            assert_eq!(a.drafts.selected, 2, "still a match: stays");
            ch(&mut a, 'l');
            ch(&mut a, ' ');
            ch(&mut a, 'a');
            ch(&mut a, 't');
            assert_eq!(a.drafts.selected, 0, "no longer a match: the first match");
            key(&mut a, KeyCode::Esc);
            ch(&mut a, '/');
            ch(&mut a, 'z');
            assert!(shown(&a).is_empty());
            key(&mut a, KeyCode::Backspace);
            key(&mut a, KeyCode::Backspace);
            assert!(!a.drafts.filter.is_active(), "Backspace on empty closes");
        }

        #[test]
        fn new_pages_and_ids_are_filtered_too() {
            let mut a = app();
            ch(&mut a, '/');
            for c in "owl".chars() {
                ch(&mut a, c);
            }
            key(&mut a, KeyCode::Enter);
            page(&mut a, &["snowy owl", "dog"], false, None);
            assert_eq!(
                shown(&a),
                ["an owl at night", "owl of the week", "snowy owl"]
            );
            key(&mut a, KeyCode::Esc);
            ch(&mut a, '/');
            for c in "GEN_5".chars() {
                ch(&mut a, c);
            }
            assert_eq!(shown(&a), ["dog"], "ids match, any case");
        }
    }
}
