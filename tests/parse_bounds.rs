//! What a hostile answer can cost to parse, and what one malformed element can cost a list.
//!
//! The simulator serves item-amplifying bodies (`[{},{},…]` and friends, see
//! `Fault::AmplifiedList`): cheap to send, and without bounds each two-byte `{}` became a
//! structure of hundreds of bytes. A counting global allocator measures the peak of live heap
//! bytes while the client reads each one; the bound is far below what an unbounded parse
//! needs and far above what a bounded one does, so the check is deterministic.
//!
//! Canned bodies (`Fault::Respond`) then show that one wrong-typed element is skipped and
//! the rest of its list kept.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{client_for, start_sim};
use sora_tui::api::types::{MAX_INNER_ITEMS, MAX_LIST_ITEMS};
use sora_tui::api::{ApiError, Client};
use sora_tui::sim::{Fault, FaultRule, Sim};

// ---------------------------------------------------------------------------------------------
// Counting allocator.

/// Counts live heap bytes and their peak; otherwise the system allocator.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let now = LIVE.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

fn shrank(n: usize) {
    LIVE.fetch_sub(n, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to `System` unchanged; the counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator with this layout.
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            // Counted as if old and new coexisted (they may, while the bytes move): an
            // overestimate, never an underestimate.
            grew(new_size);
            shrank(layout.size());
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// One test at a time: the counters are global, so a measurement must not see another
/// test's allocations.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The most extra heap a hostile answer may cost the client (and the simulator serving it,
/// which runs in this process too).
const BUDGET: usize = 50 * 1024 * 1024;

/// Runs `f` and returns its result and the peak of live heap bytes above where it started.
async fn peak_of<T>(f: impl std::future::Future<Output = T>) -> (T, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f.await;
    (out, PEAK.load(Ordering::Relaxed).saturating_sub(base))
}

fn mib(n: usize) -> String {
    format!("{:.1} MiB", n as f64 / (1024.0 * 1024.0))
}

// ---------------------------------------------------------------------------------------------
// Set-up.

/// Just under the client's body cap (8 MiB), so the whole body is read and parsed.
const NEAR_CAP: u64 = 8 * 1024 * 1024 - 4096;

fn amplified(path: &str, bytes: u64, head: &str, item: &str, tail: &str) -> FaultRule {
    FaultRule {
        method: None,
        path: path.into(),
        fault: Fault::AmplifiedList {
            bytes,
            head: Some(head.into()),
            item: Some(item.into()),
            tail: Some(tail.into()),
            status: None,
        },
        times: None,
    }
}

fn canned(path: &str, body: &str) -> FaultRule {
    FaultRule {
        method: Some("GET".into()),
        path: path.into(),
        fault: Fault::Respond {
            status: 200,
            headers: Vec::new(),
            body: body.into(),
            content_type: None,
        },
        times: None,
    }
}

async fn sim_with(rule: FaultRule) -> (Sim, Client) {
    let sim = start_sim(|_| {}).await;
    sim.inject(rule);
    let client = client_for(&sim);
    (sim, client)
}

/// The detail of a `BadResponse`, failing the test on anything else (an answer that was
/// read is not printed: unbounded, it would be millions of items).
fn bad_response<T>(r: Result<T, ApiError>) -> String {
    match r {
        Err(ApiError::BadResponse { detail }) => detail,
        Err(e) => panic!("expected a BadResponse, got {e:?}"),
        Ok(_) => panic!("expected a BadResponse, got an answer that was read"),
    }
}

fn within_budget(what: &str, peak: usize) {
    eprintln!("{what}: peak {}", mib(peak));
    assert!(
        peak < BUDGET,
        "{what} cost {} of heap (budget {})",
        mib(peak),
        mib(BUDGET)
    );
}

// ---------------------------------------------------------------------------------------------
// Bounded memory, and an error that says what happened.

#[tokio::test]
async fn a_pending_list_of_empty_objects_is_refused_in_bounded_memory() {
    let _serial = SERIAL.lock().await;
    for (head, tail) in [("[", "]"), (r#"{"items":["#, "]}")] {
        let (_sim, client) = sim_with(amplified("/nf/pending", NEAR_CAP, head, "{}", tail)).await;
        let (r, peak) = peak_of(client.pending()).await;
        within_budget(&format!("pending {head}{{}},…{tail}"), peak);
        assert_eq!(
            bad_response(r),
            format!("the server sent more than {MAX_LIST_ITEMS} pending tasks in one answer")
        );
    }
}

#[tokio::test]
async fn a_pending_body_over_the_cap_is_refused_by_size() {
    let _serial = SERIAL.lock().await;
    // 33 MB: the size that once cost `sora-tui pending` 2.36 GB.
    let (_sim, client) = sim_with(amplified("/nf/pending", 33_000_000, "[", "{}", "]")).await;
    let (r, peak) = peak_of(client.pending()).await;
    within_budget("a 33 MB pending answer", peak);
    assert_eq!(bad_response(r), "the answer is larger than 8 MB");
}

#[tokio::test]
async fn a_drafts_page_of_empty_objects_is_refused_in_bounded_memory() {
    let _serial = SERIAL.lock().await;
    let (_sim, client) = sim_with(amplified(
        "/project_y/profile/drafts",
        NEAR_CAP,
        r#"{"items":["#,
        "{}",
        r#"],"cursor":null}"#,
    ))
    .await;
    let (r, peak) = peak_of(client.drafts(5, None)).await;
    within_budget("drafts {}", peak);
    assert_eq!(
        bad_response(r),
        format!("the server sent more than {MAX_LIST_ITEMS} drafts in one page")
    );
}

#[tokio::test]
async fn a_recent_tasks_list_of_empty_objects_is_refused_in_bounded_memory() {
    let _serial = SERIAL.lock().await;
    let (_sim, client) = sim_with(amplified(
        "/v2/recent_tasks",
        NEAR_CAP,
        r#"{"task_responses":["#,
        "{}",
        "]}",
    ))
    .await;
    let (r, peak) = peak_of(client.recent_tasks(20)).await;
    within_budget("recent tasks {}", peak);
    assert_eq!(
        bad_response(r),
        format!("the server sent more than {MAX_LIST_ITEMS} recent tasks in one answer")
    );
}

#[tokio::test]
async fn an_amplified_value_inside_a_draft_is_skipped_unread() {
    let _serial = SERIAL.lock().await;
    // One draft whose `post` (once kept as a generic value) and an unknown field hold
    // millions of items; the draft itself is fine and must be kept.
    for field in ["post", "creation_config"] {
        let (_sim, client) = sim_with(amplified(
            "/project_y/profile/drafts",
            NEAR_CAP,
            &format!(
                r#"{{"items":[{{"id":"gen_1","downloadable_url":"https://x/y.mp4","{field}":["#
            ),
            "{}",
            r#"]}],"cursor":null}"#,
        ))
        .await;
        let (r, peak) = peak_of(client.drafts(5, None)).await;
        within_budget(&format!("a draft with an amplified `{field}`"), peak);
        let page = r.expect("the page is readable");
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].gen_id(), Some("gen_1"));
        assert_eq!(page.items[0].published_post_id(), None);
    }
}

#[tokio::test]
async fn a_task_with_too_many_generations_is_skipped_in_bounded_memory() {
    let _serial = SERIAL.lock().await;
    let (_sim, client) = sim_with(amplified(
        "/v2/recent_tasks",
        NEAR_CAP,
        r#"{"task_responses":[{"id":"task_big","generations":["#,
        "{}",
        r#"]},{"id":"task_ok","status":"succeeded"}]}"#,
    ))
    .await;
    let (r, peak) = peak_of(client.recent_tasks(20)).await;
    within_budget("a task with millions of generations", peak);
    let tasks = r.expect("the list is readable");
    let ids: Vec<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        ids,
        ["task_ok"],
        "over {MAX_INNER_ITEMS} generations skips the task"
    );
}

#[tokio::test]
async fn a_post_with_too_many_attachments_is_refused_in_bounded_memory() {
    let _serial = SERIAL.lock().await;
    let (_sim, client) = sim_with(amplified(
        "/project_y/post",
        NEAR_CAP,
        r#"{"post":{"id":"s_1","attachments":["#,
        "{}",
        "]}}",
    ))
    .await;
    let (r, peak) = peak_of(client.get_post("s_1")).await;
    within_budget("a post with millions of attachments", peak);
    assert_eq!(
        bad_response(r),
        format!("the server sent more than {MAX_INNER_ITEMS} attachments in one post")
    );
}

#[tokio::test]
async fn an_amplified_me_answer_is_no_account_in_bounded_memory() {
    let _serial = SERIAL.lock().await;
    let (_sim, client) = sim_with(amplified("/me", NEAR_CAP, "[", "{}", "]")).await;
    let (r, peak) = peak_of(client.me()).await;
    within_budget("/me [{},…]", peak);
    assert_eq!(bad_response(r), "/me did not describe an account");

    let (_sim, client) = sim_with(amplified(
        "/me",
        NEAR_CAP,
        r#"{"email":"a@b.c","user":{"x":["#,
        "{}",
        "]}}",
    ))
    .await;
    let (r, peak) = peak_of(client.me()).await;
    within_budget("/me with an amplified `user`", peak);
    assert_eq!(r.expect("an account").email.as_deref(), Some("a@b.c"));
}

#[tokio::test]
async fn an_amplified_cameo_progress_is_read_in_bounded_memory() {
    let _serial = SERIAL.lock().await;
    let (_sim, client) = sim_with(amplified(
        "/project_y/cameos/in_progress",
        NEAR_CAP,
        r#"{"status":"processing","status_message":"Analyzing","instruction_set_hint":["#,
        "{}",
        "]}",
    ))
    .await;
    let (r, peak) = peak_of(client.cameo_progress("cameo_1")).await;
    within_budget("cameo progress with an amplified hint", peak);
    let progress = r.expect("readable");
    assert_eq!(progress.status_message.as_deref(), Some("Analyzing"));
}

#[tokio::test]
async fn an_amplified_error_body_is_classified_in_bounded_memory() {
    let _serial = SERIAL.lock().await;
    let mut rule = amplified("/me", NEAR_CAP, "[", "{}", "]");
    if let Fault::AmplifiedList { status, .. } = &mut rule.fault {
        *status = Some(400);
    }
    let (_sim, client) = sim_with(rule).await;
    let (r, peak) = peak_of(client.me()).await;
    within_budget("a 400 with an amplified body", peak);
    assert!(
        matches!(r, Err(ApiError::Rejected { status: 400, .. })),
        "{r:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// One malformed element costs that element, not its list.

#[tokio::test]
async fn one_wrong_typed_task_id_does_not_hide_the_other_pending_tasks() {
    let _serial = SERIAL.lock().await;
    for (head, tail) in [("[", "]"), (r#"{"items":["#, "]}")] {
        let body = format!(
            r#"{head}{{"id":"task_a","status":"running","progress_pct":0.5}},
               {{"id":5,"status":"running"}},
               "task_c",
               {{"id":"task_d","status":"queued","generations":"x","progress_pct":[1]}}{tail}"#
        );
        let (_sim, client) = sim_with(canned("/nf/pending", &body)).await;
        let tasks = client.pending().await.expect("the good tasks are read");
        let ids: Vec<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["task_a", "task_d"]);
        assert_eq!(tasks[0].progress(), 0.5);
        assert_eq!(tasks[1].status, "queued");
        assert_eq!(tasks[1].progress_pct, None);
    }
}

#[tokio::test]
async fn one_wrong_typed_draft_field_does_not_hide_the_drafts_page() {
    let _serial = SERIAL.lock().await;
    let body = r#"{"items":[
        {"id":"gen_1","downloadable_url":"https://x/1.mp4","download_urls":"x"},
        42,
        {"id":"gen_3","encodings":{"source":"x","thumbnail":{"path":"https://x/3.jpg"}},"width":"wide"},
        {"id":"gen_4","id":"gen_4b"},
        {"id":"gen_5","downloadable_url":"https://x/5.mp4"}
    ],"cursor":"next"}"#;
    let (_sim, client) = sim_with(canned("/project_y/profile/drafts", body)).await;
    let page = client.drafts(15, None).await.expect("the page is read");
    let ids: Vec<_> = page.items.iter().map(|d| d.gen_id()).collect();
    assert_eq!(ids, [Some("gen_1"), Some("gen_3"), Some("gen_5")]);
    assert_eq!(page.items[0].download_urls, None);
    assert_eq!(page.items[0].best_url(), Some("https://x/1.mp4"));
    let enc = page.items[1].encodings.as_ref().expect("encodings kept");
    assert_eq!(enc.source, None);
    assert_eq!(
        enc.thumbnail.as_ref().and_then(|t| t.path.as_deref()),
        Some("https://x/3.jpg")
    );
    assert_eq!(page.items[1].width, None);
    assert_eq!(page.cursor.as_deref(), Some("next"));
}

#[tokio::test]
async fn one_malformed_recent_task_does_not_hide_the_others() {
    let _serial = SERIAL.lock().await;
    let body = r#"{"task_responses":[
        {"id":["task_x"],"status":"succeeded"},
        {"id":"task_b","status":"succeeded","generations":[{"id":"gen_1","url":"https://x/1.png"},7,{"id":"gen_2","width":"360"}]},
        null,
        {"id":"task_c","status":"failed","failure_reason":{"text":"?"},"error_message":"bad prompt"}
    ]}"#;
    let (_sim, client) = sim_with(canned("/v2/recent_tasks", body)).await;
    let tasks = client
        .recent_tasks(20)
        .await
        .expect("the good tasks are read");
    let ids: Vec<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["task_b", "task_c"]);
    let gens: Vec<_> = tasks[0]
        .generations
        .iter()
        .map(|g| (g.id.as_deref(), g.width))
        .collect();
    assert_eq!(gens, [(Some("gen_1"), None), (Some("gen_2"), Some(360.0))]);
    assert_eq!(tasks[1].failure(), Some("bad prompt"));
}
