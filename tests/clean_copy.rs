//! Copies "without the watermark" that tell the truth: the simulator, like the live service,
//! serves a post's clean source only to a Sora mobile-app token and the watermarked file to
//! a web token. A copy is called clean, and named `GEN.clean.mp4`, only when its URL and its
//! bytes show another file than the watermarked one; otherwise it keeps its normal name, the
//! user is told plainly, and the temporary post is deleted all the same. Through the worker
//! (as the TUI's `W` runs it) and through the headless `--clean`, whose requests carry no
//! other client's identity.

// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::bin::run_cli;
use common::harness::{WorkerHarness, fast_config};
use common::*;
use serde_json::Value;
use sora_tui::api::{ApiError, Client, Draft};
use sora_tui::sim::{Sim, TokenKind};
use sora_tui::store::Store;
use sora_tui::worker::{
    CopyVerdict, DraftsEvent, DraftsRequest, Event, Placement, Request, Sidecar,
};

/// The sentence every not-clean copy is reported with.
const WATERMARKED: &str = "the service returned the watermarked version for this token: a Sora app token is needed for clean copies";

/// How a clean-copy request ended.
#[derive(Debug)]
struct Saved {
    path: PathBuf,
    verdict: CopyVerdict,
    /// The temporary post deleted on the way, if one was made.
    deleted_post: Option<String>,
}

/// Runs `SaveClean` of `draft` into `out` on a fresh worker and waits for its end.
async fn save_clean(client: Client, data: &Path, draft: Draft, out: &Path) -> Saved {
    let gen_id = draft.gen_id().unwrap().to_string();
    let mut h = WorkerHarness::start(client, Store::new(data), fast_config());
    h.send(Request::Drafts(DraftsRequest::SaveClean {
        draft: Box::new(draft),
        dir: out.to_path_buf(),
    }))
    .await;
    let (path, verdict) = h
        .expect("the clean copy's end", |e| match e {
            Event::Drafts(DraftsEvent::PostCopySaved {
                gen_id: g,
                path,
                verdict,
            }) if *g == gen_id => Some(Ok((path.clone(), verdict.clone()))),
            Event::Drafts(DraftsEvent::DownloadFailed { gen_id: g, error }) if *g == gen_id => {
                Some(Err::<_, ApiError>(error.clone()))
            }
            Event::Drafts(DraftsEvent::Downloaded { gen_id: g, path }) if *g == gen_id => {
                panic!(
                    "a clean copy reported as a plain download: {}",
                    path.display()
                )
            }
            _ => None,
        })
        .await
        .expect("the copy is saved");
    let seen = h.shutdown().await;
    let deleted_post = seen.iter().find_map(|e| match e {
        Event::Drafts(DraftsEvent::TempPostDeleted { post_id }) => Some(post_id.clone()),
        _ => None,
    });
    Saved {
        path,
        verdict,
        deleted_post,
    }
}

/// The names of the files in `dir`, sorted.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn sidecar(path: &Path) -> Sidecar {
    serde_json::from_slice(&std::fs::read(sora_tui::worker::sidecar_path(path)).unwrap()).unwrap()
}

/// The temporary post was deleted once and is gone, and nothing is left to sweep.
async fn assert_post_deleted(sim: &Sim, client: &Client, data: &Path, saved: &Saved) {
    let post_id = saved
        .deleted_post
        .as_deref()
        .expect("a temporary post was deleted");
    let path = format!("/project_y/post/{post_id}");
    assert_eq!(requests_to(sim, "DELETE", &path).len(), 1);
    assert!(matches!(
        client.get_post(post_id).await,
        Err(ApiError::Rejected { status: 404, .. })
    ));
    let left: Vec<sora_tui::worker::CleanupEntry> = Store::new(data)
        .load("cleanup.json")
        .unwrap()
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn a_web_tokens_copy_is_reported_as_watermarked_and_keeps_its_normal_name() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let draft = ready_draft(&client, "web token").await;
    let gen_id = draft.gen_id().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let (data, out) = (dir.path().join("data"), dir.path().join("dl"));
    let saved = save_clean(client.clone(), &data, draft, &out).await;

    assert!(!saved.verdict.is_clean(), "{:?}", saved.verdict);
    assert!(
        matches!(
            saved.verdict,
            CopyVerdict::Watermarked {
                placed: Placement::Saved,
                ..
            }
        ),
        "{:?}",
        saved.verdict
    );
    assert_eq!(saved.path, out.join(format!("{gen_id}.mp4")));
    assert_eq!(std::fs::read(&saved.path).unwrap(), asset("sample.mp4"));
    assert_eq!(
        files_in(&out),
        [format!("{gen_id}.json"), format!("{gen_id}.mp4")]
    );
    assert!(!sidecar(&saved.path).clean);
    let message = saved.verdict.message(&saved.path);
    assert!(message.starts_with(WATERMARKED), "{message}");
    assert!(!message.contains("without the watermark"), "{message}");
    assert_post_deleted(&sim, &client, &data, &saved).await;
}

#[tokio::test]
async fn a_mobile_tokens_copy_is_clean_and_named_clean() {
    let sim = start_sim(|c| c.token_kind = TokenKind::Mobile).await;
    let client = client_for(&sim);
    let draft = ready_draft(&client, "mobile token").await;
    let gen_id = draft.gen_id().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let (data, out) = (dir.path().join("data"), dir.path().join("dl"));
    let saved = save_clean(client.clone(), &data, draft, &out).await;

    assert!(saved.verdict.is_clean(), "{:?}", saved.verdict);
    assert_eq!(saved.path, out.join(format!("{gen_id}.clean.mp4")));
    assert_eq!(
        std::fs::read(&saved.path).unwrap(),
        asset("sample_clean.mp4")
    );
    assert_eq!(
        files_in(&out),
        [
            format!("{gen_id}.clean.json"),
            format!("{gen_id}.clean.mp4")
        ]
    );
    assert!(sidecar(&saved.path).clean);
    let message = saved.verdict.message(&saved.path);
    assert!(message.contains("without the watermark"), "{message}");
    assert!(!message.contains(WATERMARKED), "{message}");
    assert_post_deleted(&sim, &client, &data, &saved).await;
}

/// The watermarked file was downloaded before (`d`): the copy from the post is the same
/// bytes, so the file there is kept as it is and nothing else is left behind.
#[tokio::test]
async fn an_identical_watermarked_file_already_saved_is_kept() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let draft = ready_draft(&client, "downloaded before").await;
    let gen_id = draft.gen_id().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let (data, out) = (dir.path().join("data"), dir.path().join("dl"));
    std::fs::create_dir_all(&out).unwrap();
    let normal = out.join(format!("{gen_id}.mp4"));
    std::fs::write(&normal, asset("sample.mp4")).unwrap();
    let saved = save_clean(client.clone(), &data, draft, &out).await;

    assert!(
        matches!(
            saved.verdict,
            CopyVerdict::Watermarked {
                placed: Placement::KeptExisting,
                ..
            }
        ),
        "{:?}",
        saved.verdict
    );
    assert_eq!(saved.path, normal);
    assert_eq!(files_in(&out), [format!("{gen_id}.mp4")]);
    let message = saved.verdict.message(&saved.path);
    assert!(message.starts_with(WATERMARKED), "{message}");
    assert!(
        message.contains("already there with the same bytes"),
        "{message}"
    );
    assert_post_deleted(&sim, &client, &data, &saved).await;
}

/// Another file under the normal name is never overwritten: the copy from the post is kept
/// beside it under a name that claims nothing.
#[tokio::test]
async fn another_file_under_the_normal_name_is_not_overwritten() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let draft = ready_draft(&client, "name taken").await;
    let gen_id = draft.gen_id().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let (data, out) = (dir.path().join("data"), dir.path().join("dl"));
    std::fs::create_dir_all(&out).unwrap();
    let normal = out.join(format!("{gen_id}.mp4"));
    std::fs::write(&normal, b"the user's own file").unwrap();
    let saved = save_clean(client.clone(), &data, draft, &out).await;

    assert!(
        matches!(
            saved.verdict,
            CopyVerdict::Watermarked {
                placed: Placement::BesideExisting,
                ..
            }
        ),
        "{:?}",
        saved.verdict
    );
    assert!(
        std::fs::read(&normal).unwrap() == b"the user's own file",
        "the file under the normal name was overwritten"
    );
    assert_eq!(saved.path, out.join(format!("{gen_id}.unverified.mp4")));
    assert_eq!(std::fs::read(&saved.path).unwrap(), asset("sample.mp4"));
    assert!(!out.join(format!("{gen_id}.clean.mp4")).exists());
    assert_post_deleted(&sim, &client, &data, &saved).await;
}

/// A source at another URL is not enough: here the bytes received are those of the
/// watermarked file saved before (the service handed the same file out under another name),
/// so the copy is not called clean.
#[tokio::test]
async fn a_source_at_another_url_with_the_watermarked_bytes_is_not_called_clean() {
    let sim = start_sim(|c| c.token_kind = TokenKind::Mobile).await;
    let client = client_for(&sim);
    let draft = ready_draft(&client, "same bytes elsewhere").await;
    let gen_id = draft.gen_id().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let (data, out) = (dir.path().join("data"), dir.path().join("dl"));
    std::fs::create_dir_all(&out).unwrap();
    // Stands for the watermarked download: the very bytes the post's source will bring.
    let normal = out.join(format!("{gen_id}.mp4"));
    std::fs::write(&normal, asset("sample_clean.mp4")).unwrap();
    let saved = save_clean(client.clone(), &data, draft, &out).await;

    assert!(!saved.verdict.is_clean(), "{:?}", saved.verdict);
    assert_eq!(saved.path, normal);
    assert!(!out.join(format!("{gen_id}.clean.mp4")).exists());
    assert!(saved.verdict.message(&saved.path).starts_with(WATERMARKED));
    assert_post_deleted(&sim, &client, &data, &saved).await;
}

/// The client speaks as itself: no request of a clean copy carries another client's
/// package name or client type, and every one carries the User-Agent it is configured with.
#[tokio::test]
async fn clean_copy_requests_carry_no_other_clients_identity() {
    const AGENT: &str = "sora-tui-test/0 (configured)";
    let sim = start_sim(|c| c.token_kind = TokenKind::Mobile).await;
    let client = client_with(&sim, |c| c.user_agent = AGENT.into());
    let draft = ready_draft(&client, "who is asking").await;
    let dir = tempfile::tempdir().unwrap();
    let before = sim.requests().len();
    let saved = save_clean(
        client,
        &dir.path().join("data"),
        draft,
        &dir.path().join("dl"),
    )
    .await;
    assert!(saved.verdict.is_clean(), "{:?}", saved.verdict);

    let requests = sim.requests().split_off(before);
    let steps = |method: &str, prefix: &str| {
        requests
            .iter()
            .filter(|r| r.method == method && r.path.starts_with(prefix))
            .count()
    };
    // Every step of the flow is in the log: publish, read, media, delete.
    assert_eq!(steps("POST", "/project_y/post"), 1);
    assert!(steps("GET", "/project_y/post/") >= 1);
    assert!(steps("GET", "/media") >= 1);
    assert_eq!(steps("DELETE", "/project_y/post/"), 1);
    for r in &requests {
        for name in ["oai-package-name", "oai-client-type"] {
            assert_eq!(r.header(name), None, "{} {} sent {name}", r.method, r.path);
        }
        assert_eq!(
            r.header("user-agent"),
            Some(AGENT),
            "{} {} sent another User-Agent",
            r.method,
            r.path
        );
    }
}

// ---- headless `--clean` ----

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
        .collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The one `clean_copy` event of a `--json` run.
fn clean_copy_event(out: &Output) -> Value {
    let lines = json_lines(out);
    let found: Vec<_> = lines
        .iter()
        .filter(|v| v["event"] == "clean_copy")
        .collect();
    assert_eq!(found.len(), 1, "{lines:#?}");
    found[0].clone()
}

/// The temporary post of a headless run was published once and deleted once.
fn one_post_published_and_deleted(sim: &Sim) {
    assert_eq!(requests_to(sim, "POST", "/project_y/post").len(), 1);
    let deletes = sim
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE" && r.path.starts_with("/project_y/post/"))
        .count();
    assert_eq!(deletes, 1, "the temporary post was deleted");
}

#[tokio::test]
async fn headless_clean_with_a_web_token_saves_the_watermarked_file_and_says_so() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("json");
    let dl = out_dir.to_str().unwrap();
    let out = run_cli(
        &sim,
        &["video", "a cat", "--download", dl, "--clean", "--json"],
    )
    .await;
    // The video exists and a file was saved: not a failure a script should retry.
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let event = clean_copy_event(&out);
    assert_eq!(event["verdict"], "watermarked", "{event}");
    assert_eq!(event["clean"], false, "{event}");
    assert!(
        event["message"].as_str().unwrap().starts_with(WATERMARKED),
        "{event}"
    );
    let file = event["file"].as_str().unwrap().to_string();
    // The normal name: the date, the prompt and a short id (see `download_names`).
    assert_eq!(Path::new(&file).parent(), Some(out_dir.as_path()));
    assert!(file.ends_with(".mp4") && file.contains("_a-cat_"), "{file}");
    assert!(
        !file.contains(".clean.") && !file.contains(".unverified."),
        "{file}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), asset("sample.mp4"));
    let lines = json_lines(&out);
    let done: Vec<_> = lines.iter().filter(|v| v["event"] == "done").collect();
    assert_eq!(done[0]["file"], file.as_str());
    assert!(stderr(&out).contains(WATERMARKED), "{}", stderr(&out));
    assert!(!files_in(&out_dir).iter().any(|f| f.contains(".clean.")));
    one_post_published_and_deleted(&sim);

    // Without --json: the saved file on stdout, the plain warning on stderr.
    let text_dir = dir.path().join("text");
    let text = run_cli(
        &sim,
        &[
            "video",
            "a dog",
            "--download",
            text_dir.to_str().unwrap(),
            "--clean",
        ],
    )
    .await;
    assert_eq!(text.status.code(), Some(0), "{}", stderr(&text));
    let stdout = String::from_utf8_lossy(&text.stdout);
    let saved = stdout
        .lines()
        .find_map(|l| l.strip_prefix("saved "))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        saved.ends_with(".mp4") && !saved.contains(".clean."),
        "{saved}"
    );
    let err = stderr(&text);
    assert!(
        err.contains("warning: gen_") && err.contains(WATERMARKED),
        "{err}"
    );
    assert!(!err.contains("without the watermark"), "{err}");
}

#[tokio::test]
async fn headless_clean_with_a_mobile_token_saves_the_clean_file_and_says_so() {
    let sim = start_sim(|c| c.token_kind = TokenKind::Mobile).await;
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("json");
    let dl = out_dir.to_str().unwrap();
    let out = run_cli(
        &sim,
        &["video", "a cat", "--download", dl, "--clean", "--json"],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let event = clean_copy_event(&out);
    assert_eq!(event["verdict"], "clean", "{event}");
    assert_eq!(event["clean"], true, "{event}");
    let file = event["file"].as_str().unwrap();
    assert!(file.ends_with(".clean.mp4"), "{file}");
    assert_eq!(std::fs::read(file).unwrap(), asset("sample_clean.mp4"));
    assert!(!stderr(&out).contains(WATERMARKED), "{}", stderr(&out));
    one_post_published_and_deleted(&sim);

    let text_dir = dir.path().join("text");
    let text = run_cli(
        &sim,
        &[
            "video",
            "a dog",
            "--download",
            text_dir.to_str().unwrap(),
            "--clean",
        ],
    )
    .await;
    assert_eq!(text.status.code(), Some(0), "{}", stderr(&text));
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("saved ") && l.ends_with(".clean.mp4")),
        "{stdout}"
    );
    let err = stderr(&text);
    assert!(err.contains("without the watermark"), "{err}");
    assert!(!err.contains(WATERMARKED), "{err}");
}
