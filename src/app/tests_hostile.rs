//! `update` against what a hostile server can put in the drafts list: ids that are not ids,
//! media links that are not media links, and cursors that loop.

use super::*;
use crate::api::{Draft, DraftsPage};
use crate::app::test_support::*;
use crate::worker::{DraftsEvent, DraftsRequest, Event, Request};

fn app() -> App {
    let info = AppInfo {
        download_dir: "/tmp/dl".into(),
        ..AppInfo::default()
    };
    let mut a = App::new(info, Keymap::default(), NOW);
    a.drafts_viewport = 5;
    ch(&mut a, '4');
    a
}

fn event(app: &mut App, e: Event) -> Vec<Cmd> {
    update(app, Msg::Worker(e), NOW)
}

fn draft(id: &str, post: Option<&str>, url: &str) -> Draft {
    Draft {
        id: Some(id.into()),
        kind: Some("sora_draft".into()),
        downloadable_url: Some(url.into()),
        prompt: Some(format!("prompt of {id}")),
        post_id: post.map(str::to_owned),
        ..Draft::default()
    }
}

fn page(app: &mut App, items: Vec<Draft>, cursor: Option<&str>, first: bool) -> Vec<Cmd> {
    event(
        app,
        Event::Drafts(DraftsEvent::DraftsLoaded {
            page: DraftsPage {
                items,
                cursor: cursor.map(str::to_owned),
            },
            first,
        }),
    )
}

fn last_toast(app: &App) -> (String, bool) {
    let t = app.toasts.back().expect("a toast");
    (t.text.clone(), t.error)
}

fn loads(cmds: &[Cmd]) -> usize {
    cmds.iter()
        .filter(|c| {
            matches!(
                c,
                Cmd::Worker(Request::Drafts(DraftsRequest::LoadDrafts { .. }))
            )
        })
        .count()
}

const URL: &str = "https://videos.example/az/files/a.mp4?sig=x";

#[test]
fn copy_link_puts_only_well_formed_links_on_the_clipboard() {
    let mut a = app();
    let good = "s_0123456789abcdef0123456789abcdef";
    let items = ["s_1\tx", "s_1\u{202e}x", "s_1\0x", good]
        .iter()
        .enumerate()
        .map(|(i, post)| draft(&format!("gen_{i}"), Some(post), URL))
        .collect();
    page(&mut a, items, None, true);
    for row in 0..3 {
        a.drafts.selected = row;
        assert!(ch(&mut a, 'y').is_empty(), "row {row}: nothing copied");
        let (text, error) = last_toast(&a);
        assert!(error, "{text}");
        assert!(text.starts_with("no share link: the post id "), "{text}");
        assert!(text.is_ascii(), "the toast shows the id escaped: {text}");
    }
    a.drafts.selected = 3;
    assert_eq!(
        ch(&mut a, 'y'),
        vec![Cmd::Copy(format!("https://sora.chatgpt.com/p/{good}"))]
    );
}

#[test]
fn open_hands_on_only_checked_links_and_saved_files() {
    let mut a = app();
    let evil = [
        "--script=evil.lua",
        "file:///etc/passwd",
        "javascript:alert(1)",
    ];
    let mut items: Vec<Draft> = evil
        .iter()
        .enumerate()
        .map(|(i, url)| draft(&format!("gen_{i}"), None, url))
        .collect();
    items.push(draft("gen_ok", None, "https://v.example/a b.mp4"));
    page(&mut a, items, None, true);
    for (row, url) in evil.iter().enumerate() {
        a.drafts.selected = row;
        assert!(ch(&mut a, 'o').is_empty(), "{url}: not opened");
        let (text, error) = last_toast(&a);
        assert!(error && text.starts_with("not opening"), "{text}");
    }
    a.drafts.selected = 3;
    assert_eq!(
        ch(&mut a, 'o'),
        vec![Cmd::Open(OpenTarget::Url(
            "https://v.example/a%20b.mp4".into()
        ))]
    );
    // Once saved, the file the worker reported is what opens, even for a hostile link.
    event(
        &mut a,
        Event::Drafts(DraftsEvent::Downloaded {
            gen_id: "gen_0".into(),
            path: "/tmp/dl/gen_0.mp4".into(),
        }),
    );
    a.drafts.selected = 0;
    assert_eq!(
        ch(&mut a, 'o'),
        vec![Cmd::Open(OpenTarget::File("/tmp/dl/gen_0.mp4".into()))]
    );
}

#[test]
fn drafts_with_ids_that_are_not_ids_are_listed_but_not_acted_on() {
    let mut a = app();
    let bad = ["", ".", "..", "a/b", "x\u{202e}"];
    let items = bad.iter().map(|id| draft(id, None, URL)).collect();
    page(&mut a, items, None, true);
    assert_eq!(a.drafts.rows.len(), bad.len(), "every draft is listed");
    for (row, id) in bad.iter().enumerate() {
        a.drafts.selected = row;
        for key in ['w', 'W', 'p'] {
            let cmds = ch(&mut a, key);
            assert!(cmds.is_empty(), "{id:?} {key}: {cmds:?}");
            let (text, error) = last_toast(&a);
            assert!(error, "{text}");
            assert!(text.starts_with("refused: the generation id "), "{text}");
        }
    }
    assert!(a.drafts.downloads.is_empty(), "no row claims a file");
}

#[test]
fn a_repeated_cursor_does_not_page_forever_near_the_end() {
    let mut a = app();
    let drafts = |from: usize, to: usize| -> Vec<Draft> {
        (from..to)
            .map(|i| draft(&format!("gen_{i}"), None, URL))
            .collect()
    };
    page(&mut a, drafts(0, 12), Some("same"), true);
    // Near the end: the next page is asked for.
    assert_eq!(loads(&ch(&mut a, 'G')), 1);
    // The server answers with the cursor that led here (new drafts or not).
    page(&mut a, drafts(12, 14), Some("same"), false);
    assert_eq!(a.drafts.rows.len(), 14);
    assert_eq!(a.drafts.next_cursor, None);
    assert!(last_toast(&a).0.contains("cursor it had already sent"));
    for _ in 0..5 {
        assert_eq!(loads(&ch(&mut a, 'k')) + loads(&ch(&mut a, 'G')), 0);
    }

    // Fresh cursors over the same drafts stop too.
    page(&mut a, drafts(0, 12), Some("c1"), true);
    assert_eq!(loads(&ch(&mut a, 'G')), 1);
    page(&mut a, drafts(0, 12), Some("c2"), false);
    assert_eq!(a.drafts.next_cursor, None);
    assert_eq!(a.drafts.rows.len(), 12);
    assert!(last_toast(&a).0.contains("only drafts already listed"));
    assert_eq!(loads(&ch(&mut a, 'G')), 0);

    // A refresh starts a new walk.
    page(&mut a, drafts(0, 12), Some("same"), true);
    assert_eq!(a.drafts.next_cursor.as_deref(), Some("same"));
}
