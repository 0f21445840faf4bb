//! The HTTP layer against a hostile server: backend calls follow no redirect (the token, the
//! sentinel and the prompt never reach another host, and another host's task id is never
//! adopted), media redirects are held to the plain-http-only-to-loopback rule at every hop,
//! downloads are capped in size and stopped when they stall, and a slow backend is announced
//! as soon as one attempt times out.

// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::harness::{WorkerHarness, fast_config};
use common::*;
use sora_tui::api::{ApiError, Client, RetryNotice, VideoSettings, part_path};
use sora_tui::sim::{Fault, FaultRule, Sim};
use sora_tui::store::Store;
use sora_tui::track::TaskRecord;
use sora_tui::worker::{Event, Submission, SubmissionKind, WorkerConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Longest a single test step may take before it counts as hanging.
const HANG: Duration = Duration::from_secs(30);

fn rule(method: Option<&str>, path: &str, fault: Fault, times: Option<u32>) -> FaultRule {
    FaultRule {
        method: method.map(str::to_string),
        path: path.into(),
        fault,
        times,
    }
}

fn redirect(status: u16, location: &str) -> Fault {
    Fault::Respond {
        status,
        headers: vec![("location".into(), location.into())],
        body: String::new(),
        content_type: None,
    }
}

/// "Host B": a server on another loopback address that records every request it receives.
/// Its first answer redirects to itself (as a chain would), later ones are a 200 with a task
/// id of its own, so a client that followed the chain would adopt it.
struct HostB {
    origin: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl HostB {
    async fn start() -> HostB {
        let listener = TcpListener::bind("127.0.0.2:0")
            .await
            .expect("127.0.0.2 is loopback");
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (log, me) = (seen.clone(), origin.clone());
        // The listener moves into the task and stays bound for the whole test.
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                let request = read_request(&mut conn).await;
                let first = {
                    let mut log = log.lock().unwrap();
                    log.push(request);
                    log.len() == 1
                };
                let answer = if first {
                    format!(
                        "HTTP/1.1 302 Found\r\nlocation: {me}/again\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    )
                } else {
                    let body = r#"{"id":"task_from_host_b","email":"b@example.invalid"}"#;
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    )
                };
                let _ = conn.write_all(answer.as_bytes()).await;
                let _ = conn.shutdown().await;
            }
        });
        HostB { origin, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// `host:port`, as an error message names it.
    fn host(&self) -> &str {
        self.origin.trim_start_matches("http://")
    }

    fn received(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

/// The head and body of one HTTP/1.1 request, as text.
async fn read_request(conn: &mut tokio::net::TcpStream) -> String {
    let mut buf = Vec::new();
    let mut piece = [0u8; 4096];
    loop {
        let Ok(Ok(n)) = tokio::time::timeout(Duration::from_secs(5), conn.read(&mut piece)).await
        else {
            break;
        };
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&piece[..n]);
        let text = String::from_utf8_lossy(&buf);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                break;
            }
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

fn assert_redirect_refused(e: &ApiError, b: &HostB) {
    assert!(
        matches!(e, ApiError::Redirected { target, .. } if target == b.host()),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(
        text.contains(b.host()) && text.contains("--base-url"),
        "{text}"
    );
    assert!(!e.is_transient() && !e.maybe_accepted(), "{e:?}");
}

// ------------------------------------------------------------- backend redirects

#[tokio::test]
async fn a_redirected_me_never_takes_the_token_to_another_host() {
    let sim = start_sim(|_| {}).await;
    let b = HostB::start().await;
    let client = client_for(&sim);
    sim.inject(rule(
        Some("GET"),
        "/me",
        redirect(302, &b.url("/backend/me")),
        None,
    ));
    let e = client.me().await.expect_err("a redirect is an error");
    assert_redirect_refused(&e, &b);
    assert_eq!(b.received(), Vec::<String>::new(), "host B was contacted");
    assert_eq!(requests_to(&sim, "GET", "/me").len(), 1, "not retried");
}

#[tokio::test]
async fn the_background_reads_are_not_redirected_either() {
    let sim = start_sim(|_| {}).await;
    let b = HostB::start().await;
    let client = client_for(&sim);
    sim.inject(rule(None, "/nf/pending", redirect(302, &b.url("/p")), None));
    sim.inject(rule(
        None,
        "/project_y/profile/drafts",
        redirect(301, &b.url("/d")),
        None,
    ));
    assert_redirect_refused(&client.pending().await.unwrap_err(), &b);
    assert_redirect_refused(&client.drafts(10, None).await.unwrap_err(), &b);
    assert_eq!(b.received(), Vec::<String>::new(), "host B was contacted");
}

#[tokio::test]
async fn a_create_redirected_with_307_sends_nothing_to_the_other_host() {
    let sim = start_sim(|_| {}).await;
    let b = HostB::start().await;
    let client = client_for(&sim);
    sim.inject(rule(
        Some("POST"),
        "/nf/create",
        redirect(307, &b.url("/backend/nf/create")),
        None,
    ));
    let out = client
        .create_video("a secret prompt", VideoSettings::default(), None)
        .await;
    let e = out.expect_err("not B's task id");
    assert_redirect_refused(&e, &b);
    assert_eq!(b.received(), Vec::<String>::new(), "host B was contacted");
    assert_eq!(requests_to(&sim, "POST", "/nf/create").len(), 1);
}

/// A worker over `sim` with quick polls.
fn worker(sim: &Sim, dir: &Path) -> WorkerHarness {
    let config = WorkerConfig {
        poll_min: Duration::from_millis(30),
        poll_max: Duration::from_millis(100),
        ..fast_config()
    };
    WorkerHarness::start(client_for(sim), Store::new(dir.join("data")), config)
}

fn saved_task_ids(h: &WorkerHarness) -> Vec<String> {
    h.store
        .load::<Vec<TaskRecord>>("tasks.json")
        .expect("tasks.json reads")
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.task_id)
        .collect()
}

async fn submit(h: &mut WorkerHarness, local_id: u64, prompt: &str) -> Result<String, ApiError> {
    h.submit_and_wait(Submission {
        local_id,
        prompt: prompt.into(),
        kind: SubmissionKind::Video {
            settings: VideoSettings::default(),
            remix: None,
        },
        image: None,
    })
    .await
    .map(|record| record.task_id)
}

#[tokio::test]
async fn the_worker_neither_adopts_a_redirected_create_nor_follows_a_redirected_poll() {
    let sim = start_sim(|_| {}).await;
    let b = HostB::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = worker(&sim, dir.path());

    sim.inject(rule(
        Some("POST"),
        "/nf/create",
        redirect(307, &b.url("/backend/nf/create")),
        Some(1),
    ));
    let e = submit(&mut h, 1, "a redirected cat").await.unwrap_err();
    assert_redirect_refused(&e, &b);
    assert!(saved_task_ids(&h).is_empty(), "{:?}", saved_task_ids(&h));

    // A tracked task, then the poll that tracks it is redirected.
    let task = submit(&mut h, 2, "a tracked cat").await.expect("submitted");
    sim.inject(rule(
        Some("GET"),
        "/nf/pending",
        redirect(302, &b.url("/p")),
        None,
    ));
    let trouble = h
        .expect("PollTrouble", |e| match e {
            Event::PollTrouble(Some(e)) => Some(e.clone()),
            _ => None,
        })
        .await;
    assert_redirect_refused(&trouble, &b);
    assert!(
        !h.seen.iter().any(|e| matches!(e, Event::Retrying { .. })),
        "a redirect is not retried"
    );
    assert_eq!(saved_task_ids(&h), vec![task]);
    assert_eq!(b.received(), Vec::<String>::new(), "host B was contacted");
    h.shutdown().await;
}

// ------------------------------------------------------------- media redirects

/// The simulator's own origin, for media URLs the faults answer.
fn origin(sim: &Sim) -> String {
    sim.base_url().trim_end_matches("/backend").to_string()
}

#[tokio::test]
async fn a_media_redirect_to_plain_http_off_this_machine_is_refused() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let dir = tempfile::tempdir().unwrap();
    // Targets that are not loopback by the rule but that a regression would still reach on
    // this machine only (0.0.0.0 connects locally; "localhost." is not the name "localhost"):
    // the hop is judged by its URL, before any connection, and a broken check sends no
    // traffic off the machine.
    for target in [
        "http://0.0.0.0:9/stolen.mp4",
        "http://[::ffff:0.0.0.0]:9/stolen.mp4",
        "http://localhost.:9/stolen.mp4",
    ] {
        sim.inject(rule(None, "/media", redirect(302, target), Some(1)));
        let dest = dir.path().join("v.mp4");
        let url = format!("{}/media/gen_x/source.mp4", origin(&sim));
        let e = tokio::time::timeout(HANG, client.download_to(&url, &dest, None, |_, _| {}))
            .await
            .expect("refused without waiting on a connection")
            .expect_err("a plain-http hop off this machine");
        assert!(matches!(e, ApiError::InsecureUrl(_)), "{target}: {e:?}");
        assert!(
            e.to_string().contains("refusing plain http") && e.to_string().contains("https"),
            "{e}"
        );
        assert!(!dest.exists() && !part_path(&dest).exists());
        // The small in-memory fetch (profile pictures) goes through the same policy.
        sim.inject(rule(None, "/media", redirect(302, target), Some(1)));
        let e = client.fetch_media(&url, 1 << 20).await.unwrap_err();
        assert!(matches!(e, ApiError::InsecureUrl(_)), "{target}: {e:?}");
    }
}

#[tokio::test]
async fn a_media_redirect_that_keeps_to_the_rule_is_followed() {
    // A pre-signed link that sends the client on to a CDN still works.
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let draft = ready_draft(&client, "redirected media").await;
    let real = draft.best_url().unwrap().to_string();
    sim.inject(rule(None, "/media", redirect(302, &real), Some(2)));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    client
        .download_to(&real, &dest, None, |_, _| {})
        .await
        .expect("two hops, both on this machine");
    assert_eq!(std::fs::read(&dest).unwrap(), asset("sample.mp4"));
}

// ------------------------------------------------------------- download caps and stalls

const CAP: u64 = 1024 * 1024;

#[tokio::test]
async fn an_endless_body_is_cut_at_the_cap_and_discarded() {
    let sim = start_sim(|_| {}).await;
    let client = client_with(&sim, |c| c.max_download_bytes = CAP);
    sim.inject(rule(None, "/media", Fault::EndlessBody, None));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    let url = format!("{}/media/gen_x/source.mp4", origin(&sim));
    let e = tokio::time::timeout(HANG, client.download_to(&url, &dest, None, |_, _| {}))
        .await
        .expect("the download ends")
        .expect_err("more than the cap");
    assert!(
        matches!(&e, ApiError::BadResponse { detail } if detail.contains("larger than 1 MB")),
        "{e:?}"
    );
    assert!(!dest.exists());
    assert!(
        !part_path(&dest).exists(),
        "the oversized part is discarded"
    );
    assert_eq!(
        requests_to(&sim, "GET", "/media/gen_x/source.mp4").len(),
        1,
        "not resumed"
    );
}

/// A 206 whose `Content-Range` announces `total` bytes of file and whose body holds `body`.
fn partial(total: u64, body: String) -> Fault {
    Fault::Respond {
        status: 206,
        headers: vec![(
            "content-range".into(),
            format!("bytes 0-{}/{total}", total - 1),
        )],
        body,
        content_type: Some("video/mp4".into()),
    }
}

fn mp4_like(len: usize) -> String {
    let mut s = String::from("\0\0\0\x20ftypisom");
    s.push_str(&"x".repeat(len - s.len()));
    s
}

#[tokio::test]
async fn no_more_is_written_than_the_announced_length() {
    let sim = start_sim(|_| {}).await;
    let client = client_with(&sim, |c| c.max_download_bytes = CAP);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    let url = format!("{}/media/gen_x/source.mp4", origin(&sim));

    // Announces 16 bytes, sends 200 000.
    sim.inject(rule(None, "/media", partial(16, mp4_like(200_000)), None));
    let mut most = 0;
    let e = client
        .download_to(&url, &dest, None, |done, _| most = most.max(done))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ApiError::BadResponse { detail } if detail.contains("16 bytes it announced")),
        "{e:?}"
    );
    assert!(most <= 16, "{most} bytes written");
    assert!(!part_path(&dest).exists() && !dest.exists());

    // Announces more than the cap: refused before a byte is written.
    sim.clear_faults();
    sim.inject(rule(
        None,
        "/media",
        partial(10 * CAP, mp4_like(1000)),
        None,
    ));
    let e = client
        .download_to(&url, &dest, None, |_, _| {})
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ApiError::BadResponse { detail } if detail.contains("more than the 1 MB")),
        "{e:?}"
    );
    assert!(!part_path(&dest).exists() && !dest.exists());
}

/// A client whose downloads count as stalled after 300 ms with (almost) nothing.
fn stall_client(sim: &Sim) -> Client {
    client_with(sim, |c| c.stall_timeout = Duration::from_millis(300))
}

async fn stalls_then_resumes(fault: Fault) {
    let sim = start_sim(|_| {}).await;
    let client = stall_client(&sim);
    let draft = ready_draft(&client, "stalled").await;
    let url = draft.best_url().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    sim.inject(rule(None, "/media", fault, None));
    let e = tokio::time::timeout(HANG, client.download_to(&url, &dest, None, |_, _| {}))
        .await
        .expect("a stalled download is stopped")
        .expect_err("stalled");
    assert!(
        matches!(&e, ApiError::Network { detail, .. } if detail.contains("stalled")),
        "{e:?}"
    );
    assert!(e.to_string().contains("stalled"), "{e}");
    assert!(!dest.exists());
    let kept = std::fs::metadata(part_path(&dest)).unwrap().len();
    assert!(kept > 0, "the bytes so far are kept");

    // Later, with a server that sends: resumed from the part, complete.
    sim.clear_faults();
    let done = client
        .download_to(&url, &dest, None, |_, _| {})
        .await
        .unwrap();
    assert_eq!(done.resumed_from, kept, "{done:?}");
    assert_eq!(std::fs::read(&dest).unwrap(), asset("sample.mp4"));
}

/// Slow is not stalled: a transfer that brings well over the minimum in every window runs to
/// the end, however many windows it takes.
#[tokio::test]
async fn a_slow_download_that_keeps_moving_is_not_stopped() {
    let sim = start_sim(|_| {}).await;
    let client = client_with(&sim, |c| c.stall_timeout = Duration::from_millis(500));
    let draft = ready_draft(&client, "slow but moving").await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    // 2 KiB every 100 ms: about five times the minimum in each 500 ms window, and the whole
    // file takes several windows.
    sim.inject(rule(
        None,
        "/media",
        Fault::Trickle {
            after_bytes: 1000,
            chunk: 2048,
            every_ms: 100,
        },
        None,
    ));
    let done = tokio::time::timeout(
        HANG,
        client.download_to(draft.best_url().unwrap(), &dest, None, |_, _| {}),
    )
    .await
    .expect("it ends")
    .expect("a moving download is not called stalled");
    assert_eq!(done.resumed_from, 0, "one transfer, never cut: {done:?}");
    assert_eq!(std::fs::read(&dest).unwrap(), asset("sample.mp4"));
}

#[tokio::test]
async fn a_download_that_stops_moving_is_stopped_and_resumes_later() {
    // 1000 bytes, then a long silence.
    stalls_then_resumes(Fault::Trickle {
        after_bytes: 1000,
        chunk: u64::MAX,
        every_ms: 20_000,
    })
    .await;
}

#[tokio::test]
async fn a_download_kept_alive_by_a_trickle_is_stopped_and_resumes_later() {
    // 1000 bytes, then a byte every 20 ms: never silent, never getting anywhere.
    stalls_then_resumes(Fault::Trickle {
        after_bytes: 1000,
        chunk: 1,
        every_ms: 20,
    })
    .await;
}

// ------------------------------------------------------------- slow backend

#[tokio::test]
async fn a_silent_backend_is_announced_after_the_read_timeout() {
    let sim = start_sim(|_| {}).await;
    let notices = Arc::new(Mutex::new(Vec::new()));
    let sink = notices.clone();
    // The total per request is long; the wait between reads is what notices silence.
    let client = client_with(&sim, |c| {
        c.request_timeout = Duration::from_secs(20);
        c.read_timeout = Duration::from_millis(300);
    })
    .with_retry_observer(Arc::new(move |n| sink.lock().unwrap().push(n)));
    sim.inject(rule(
        Some("GET"),
        "/me",
        Fault::Latency { ms: 10_000 },
        Some(1),
    ));
    client.me().await.expect("the second try answers");
    let notices = notices.lock().unwrap().clone();
    let [
        RetryNotice::Waiting { error, .. },
        RetryNotice::Settled { .. },
    ] = &notices[..]
    else {
        panic!("{notices:?}");
    };
    assert_eq!(error.short_reason(), "slow answer from the backend");
}
