//! Paging through the drafts list without trusting its cursors. The cursor is the server's
//! word for "there is more"; a server that sends the same cursor again (or a fresh cursor
//! with every page of the same drafts) would keep a reader asking forever. Every reader of
//! the list (`drafts --all`, the Drafts pane as the selection nears the end, the search for
//! a fresh media link) follows its cursors through one [`Pager`], which ends the walk on a
//! repeated cursor, an empty page, a page with nothing new, or after [`MAX_PAGES`] pages,
//! and says which.

use std::collections::HashSet;

use crate::api::Draft;

/// The most pages one walk reads: with 50 drafts a page, 50 000 drafts, far more than an
/// account holds, yet a bound on a server that always has "more".
pub const MAX_PAGES: usize = 1000;

/// What to do after a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageStep {
    /// Read the page at this cursor next.
    Next(String),
    /// The list ended the ordinary way: the page came without a cursor.
    End,
    /// The walk stopped although the server offered more, for this reason.
    Stopped(PageStop),
}

/// Why a walk through the drafts stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStop {
    /// A page with no drafts still had a cursor: taken as the end.
    EmptyPage,
    /// The server sent a cursor it had sent before: the pages after it would repeat.
    RepeatedCursor,
    /// A page held only drafts already listed (or none with an id): nothing to gain from
    /// the next one.
    NothingNew,
    /// [`MAX_PAGES`] pages were read.
    PageCap,
}

impl PageStop {
    /// A stable word for JSON output: `empty_page`, `repeated_cursor`, `nothing_new`,
    /// `page_cap`.
    pub fn code(self) -> &'static str {
        match self {
            PageStop::EmptyPage => "empty_page",
            PageStop::RepeatedCursor => "repeated_cursor",
            PageStop::NothingNew => "nothing_new",
            PageStop::PageCap => "page_cap",
        }
    }

    /// One line saying why the listing stopped after `pages` pages, and what it means.
    pub fn message(self, pages: usize) -> String {
        let read = match pages {
            1 => "1 page".to_string(),
            n => format!("{n} pages"),
        };
        match self {
            PageStop::EmptyPage => format!(
                "stopped listing drafts after {read}: the server sent an empty page that still had a next-page cursor; taking it as the end"
            ),
            PageStop::RepeatedCursor => format!(
                "stopped listing drafts after {read}: the server sent a next-page cursor it had already sent, so the pages would repeat; the list may be incomplete, try again later"
            ),
            PageStop::NothingNew => format!(
                "stopped listing drafts after {read}: a page held only drafts already listed; the list may be incomplete, try again later"
            ),
            PageStop::PageCap => format!(
                "stopped listing drafts after {read}, the most one listing reads; the list may be incomplete"
            ),
        }
    }
}

/// One walk through the drafts, from the first page. Remembers the cursors it followed and
/// the ids it has passed on, so it can tell a loop from progress.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pager {
    /// Cursors already followed (or handed out to follow).
    cursors: HashSet<String>,
    /// Generation ids already passed on.
    ids: HashSet<String>,
    /// Pages taken in so far.
    pages: usize,
}

impl Pager {
    /// A walk that has read nothing yet.
    pub fn new() -> Pager {
        Pager::default()
    }

    /// Pages taken in so far.
    pub fn pages(&self) -> usize {
        self.pages
    }

    /// Takes in a page just read: returns its drafts not seen before in this walk (drafts
    /// without an id always pass), and what to do next.
    pub fn page(&mut self, items: Vec<Draft>, cursor: Option<String>) -> (Vec<Draft>, PageStep) {
        self.pages += 1;
        let had_items = !items.is_empty();
        let mut progress = false;
        let fresh: Vec<Draft> = items
            .into_iter()
            .filter(|d| match d.gen_id() {
                Some(id) => {
                    let new = self.ids.insert(id.to_string());
                    progress |= new;
                    new
                }
                None => true,
            })
            .collect();
        let step = match cursor.filter(|c| !c.is_empty()) {
            None => PageStep::End,
            Some(_) if !had_items => PageStep::Stopped(PageStop::EmptyPage),
            Some(c) if self.cursors.contains(&c) => PageStep::Stopped(PageStop::RepeatedCursor),
            Some(_) if !progress => PageStep::Stopped(PageStop::NothingNew),
            Some(_) if self.pages >= MAX_PAGES => PageStep::Stopped(PageStop::PageCap),
            Some(c) => {
                self.cursors.insert(c.clone());
                PageStep::Next(c)
            }
        };
        (fresh, step)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(id: &str) -> Draft {
        Draft {
            id: Some(id.into()),
            ..Draft::default()
        }
    }

    fn ids(drafts: &[Draft]) -> Vec<&str> {
        drafts.iter().filter_map(Draft::gen_id).collect()
    }

    #[test]
    fn an_ordinary_list_is_walked_to_its_end() {
        let mut p = Pager::new();
        let (fresh, step) = p.page(vec![draft("a"), draft("b")], Some("c1".into()));
        assert_eq!(
            (ids(&fresh), step),
            (vec!["a", "b"], PageStep::Next("c1".into()))
        );
        let (fresh, step) = p.page(vec![draft("c")], None);
        assert_eq!((ids(&fresh), step), (vec!["c"], PageStep::End));
        // An empty cursor is no cursor.
        let (_, step) = Pager::new().page(vec![draft("a")], Some(String::new()));
        assert_eq!(step, PageStep::End);
    }

    #[test]
    fn a_repeated_cursor_stops_the_walk() {
        let mut p = Pager::new();
        let (_, step) = p.page(vec![draft("a")], Some("same".into()));
        assert_eq!(step, PageStep::Next("same".into()));
        // New drafts, but the cursor that led here: the next page would be this one.
        let (fresh, step) = p.page(vec![draft("b")], Some("same".into()));
        assert_eq!(ids(&fresh), vec!["b"]);
        assert_eq!(step, PageStep::Stopped(PageStop::RepeatedCursor));
    }

    #[test]
    fn fresh_cursors_over_the_same_drafts_stop_the_walk() {
        let mut p = Pager::new();
        p.page(vec![draft("a"), draft("b")], Some("c1".into()));
        let (fresh, step) = p.page(vec![draft("a"), draft("b")], Some("c2".into()));
        assert!(fresh.is_empty(), "repeated drafts are not passed on again");
        assert_eq!(step, PageStep::Stopped(PageStop::NothingNew));
        // Drafts without an id are passed on but are not progress.
        let mut p = Pager::new();
        let (fresh, step) = p.page(vec![Draft::default()], Some("c1".into()));
        assert_eq!(fresh.len(), 1);
        assert_eq!(step, PageStep::Stopped(PageStop::NothingNew));
    }

    #[test]
    fn an_empty_page_with_a_cursor_ends_the_walk() {
        let (_, step) = Pager::new().page(Vec::new(), Some("more".into()));
        assert_eq!(step, PageStep::Stopped(PageStop::EmptyPage));
    }

    #[test]
    fn endless_new_pages_stop_at_the_cap() {
        let mut p = Pager::new();
        for n in 1..MAX_PAGES {
            let (_, step) = p.page(vec![draft(&format!("g{n}"))], Some(format!("c{n}")));
            assert_eq!(step, PageStep::Next(format!("c{n}")));
        }
        let (_, step) = p.page(vec![draft("last")], Some("one more".into()));
        assert_eq!(step, PageStep::Stopped(PageStop::PageCap));
        assert_eq!(p.pages(), MAX_PAGES);
        assert!(
            PageStop::PageCap
                .message(p.pages())
                .contains("after 1000 pages")
        );
    }
}
