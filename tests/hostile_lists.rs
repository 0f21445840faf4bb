//! What a hostile server can put in the drafts list and the answers about it, against the
//! real binary and the worker: cursors that loop (`drafts --all` ends and says why), ids that
//! are not ids (no dot-segment path is requested, no two drafts share a file, nothing is
//! saved under them), post ids that are not ids (no share link is printed or copied), and
//! media links that are not media links (the player never sees them).

// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use common::harness::{WorkerHarness, fast_config};
use common::*;
use serde_json::{Value, json};
use sora_tui::api::{ApiError, Draft};
use sora_tui::sim::{Fault, FaultRule, Sim};
use sora_tui::store::Store;
use sora_tui::worker::{DraftsEvent, DraftsRequest, Event, MAX_PAGES, Request};

const DRAFTS: &str = "/project_y/profile/drafts";

fn respond(body: Value) -> Fault {
    Fault::Respond {
        status: 200,
        headers: Vec::new(),
        body: body.to_string(),
        content_type: None,
    }
}

fn rule(path: &str, fault: Fault, times: Option<u32>) -> FaultRule {
    FaultRule {
        method: None,
        path: path.into(),
        fault,
        times,
    }
}

fn draft_json(id: &str, url: &str) -> Value {
    json!({"id": id, "kind": "sora_draft", "prompt": format!("prompt of {id}"),
        "downloadable_url": url, "duration_s": 10})
}

/// The real binary against the simulator, bounded so a command that never ends fails the
/// test instead of holding it.
async fn run(sim: &Sim, args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = tokio::process::Command::from(common::pty::sora_command(home.path()));
    cmd.env("SORA_BASE_URL", sim.base_url())
        .env("SORA_TOKEN", sim.token())
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .args(args);
    tokio::time::timeout(Duration::from_secs(120), cmd.output())
        .await
        .unwrap_or_else(|_| panic!("`sora-tui {}` did not end", args.join(" ")))
        .expect("binary runs")
}

fn events(out: &Output, name: &str) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["event"] == name)
        .collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn drafts_requests(sim: &Sim) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.starts_with(DRAFTS))
        .count()
}

// ---- cursors ----

#[tokio::test]
async fn drafts_all_stops_on_a_repeated_cursor_and_says_why() {
    let sim = start_sim(|_| {}).await;
    let url = "https://127.0.0.1:9/a.mp4";
    let page = json!({"items": [draft_json("gen_a", url), draft_json("gen_b", url)],
        "cursor": "again"});
    sim.inject(rule(DRAFTS, respond(page), None));

    let out = run(&sim, &["drafts", "--all"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    // The first page, then the page its cursor names, which names the same cursor: stop.
    assert_eq!(drafts_requests(&sim), 2);
    let listing = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<&str> = listing.lines().filter(|l| l.starts_with("gen_")).collect();
    assert_eq!(rows.len(), 2, "each draft printed once: {listing}");
    assert!(
        stderr(&out).contains("a next-page cursor it had already sent"),
        "{}",
        stderr(&out)
    );

    sim.clear_requests();
    let out = run(&sim, &["drafts", "--all", "--json"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(drafts_requests(&sim), 2);
    assert_eq!(events(&out, "draft").len(), 2);
    let stopped = events(&out, "drafts_stopped");
    assert_eq!(stopped.len(), 1, "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(stopped[0]["reason"], "repeated_cursor");
    assert_eq!(stopped[0]["pages"], 2);
}

#[tokio::test]
async fn drafts_all_stops_when_fresh_cursors_bring_nothing_new() {
    let sim = start_sim(|_| {}).await;
    let url = "https://127.0.0.1:9/a.mp4";
    for n in 0..50 {
        let page = json!({"items": [draft_json("gen_a", url), draft_json("gen_b", url)],
            "cursor": format!("c{n}")});
        sim.inject(rule(DRAFTS, respond(page), Some(1)));
    }
    let out = run(&sim, &["drafts", "--all", "--json"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(drafts_requests(&sim), 2);
    assert_eq!(events(&out, "draft").len(), 2, "each draft printed once");
    assert_eq!(events(&out, "drafts_stopped")[0]["reason"], "nothing_new");
}

#[tokio::test]
async fn drafts_all_stops_at_the_page_cap_when_every_page_is_new() {
    let sim = start_sim(|_| {}).await;
    let url = "https://127.0.0.1:9/a.mp4";
    for n in 0..MAX_PAGES + 5 {
        let page = json!({"items": [draft_json(&format!("gen_{n}"), url)],
            "cursor": format!("c{n}")});
        sim.inject(rule(DRAFTS, respond(page), Some(1)));
    }
    let out = run(&sim, &["drafts", "--all", "--json"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(drafts_requests(&sim), MAX_PAGES);
    assert_eq!(events(&out, "draft").len(), MAX_PAGES);
    let stopped = events(&out, "drafts_stopped");
    assert_eq!(stopped[0]["reason"], "page_cap");
    assert!(
        stopped[0]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("after {MAX_PAGES} pages")),
        "{stopped:?}"
    );
}

// ---- ids ----

const BAD_IDS: [&str; 5] = ["", ".", "..", "a/b", "x\u{202e}"];

/// Whether a recorded path has a segment a URL parser treats as a dot segment.
fn has_dot_segment(path: &str) -> bool {
    path.split('/').any(|s| {
        let s = s.to_ascii_lowercase().replace("%2e", ".");
        s == "." || s == ".."
    })
}

#[tokio::test]
async fn ids_that_are_not_ids_reach_no_url_and_no_file() {
    let sim = start_sim(|c| c.seed_drafts = 1).await;
    let client = client_for(&sim);
    // A real media link of the simulator: a download that went ahead would succeed.
    let real = client.drafts(10, None).await.unwrap().items.remove(0);
    let url = real.best_url().unwrap().to_string();
    let items: Vec<Value> = BAD_IDS
        .iter()
        .map(|id| {
            let mut d = draft_json(id, &url);
            d["post_id"] = json!("..");
            d
        })
        .collect();
    sim.inject(rule(DRAFTS, respond(json!({"items": items})), None));
    sim.clear_requests();

    // Listed, every one (the ids shown sanitised).
    let out = run(&sim, &["drafts", "--json"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(events(&out, "draft").len(), BAD_IDS.len());

    // The client refuses them before any request.
    for id in BAD_IDS {
        for result in [
            client.delete_post(id).await.err(),
            client.get_post(id).await.map(drop).err(),
            client.cameo_progress(id).await.map(drop).err(),
            client.set_cameo_visibility(id, true).await.err(),
            client.delete_character(id).await.err(),
        ] {
            let e = result.expect("refused");
            assert!(matches!(e, ApiError::BadResponse { .. }), "{e:?}");
            assert!(e.to_string().contains("is not a usable id"), "{e}");
        }
    }

    // The worker, as the Drafts pane asks it: downloads, clean copies, unpublishing.
    let dir = tempfile::tempdir().unwrap();
    let downloads = dir.path().join("videos");
    let mut worker = WorkerHarness::start(
        client.clone(),
        Store::new(dir.path().join("data")),
        fast_config(),
    );
    let drafts: Vec<Draft> = client.drafts(10, None).await.unwrap().items;
    assert_eq!(drafts.len(), BAD_IDS.len());
    for d in &drafts {
        let gen_id = d.gen_id().unwrap().to_string();
        for request in [
            Request::Drafts(DraftsRequest::SaveDraft {
                draft: Box::new(d.clone()),
                dir: downloads.clone(),
            }),
            Request::Drafts(DraftsRequest::SaveClean {
                draft: Box::new(d.clone()),
                dir: downloads.clone(),
            }),
        ] {
            worker.send(request).await;
            let message = worker
                .expect("the refusal", |e| match e {
                    Event::Drafts(DraftsEvent::DownloadFailed { gen_id: g, error })
                        if *g == gen_id =>
                    {
                        Some(error.to_string())
                    }
                    Event::Drafts(DraftsEvent::Downloaded { gen_id: g, path }) if *g == gen_id => {
                        panic!("{gen_id:?} was saved as {}", path.display())
                    }
                    _ => None,
                })
                .await;
            assert!(
                message.contains("the generation id") && message.contains("not a usable id"),
                "{message}"
            );
        }
        worker
            .send(Request::Drafts(DraftsRequest::Unpublish {
                post_id: "..".into(),
                gen_id: gen_id.clone(),
            }))
            .await;
        let message = worker
            .expect("the unpublish refusal", |e| match e {
                Event::Drafts(DraftsEvent::ActionFailed { error, .. }) => Some(error.to_string()),
                Event::Drafts(DraftsEvent::Unpublished { .. }) => {
                    panic!("unpublished a post named ..")
                }
                _ => None,
            })
            .await;
        assert!(message.contains("the post id \"..\""), "{message}");
    }
    worker.shutdown().await;

    let requests = sim.requests();
    for r in &requests {
        assert!(
            !has_dot_segment(&r.path),
            "{} {} reached the sim",
            r.method,
            r.path
        );
    }
    assert!(
        !requests.iter().any(|r| r.method == "DELETE"),
        "nothing was deleted: {:?}",
        requests
            .iter()
            .map(|r| (&r.method, &r.path))
            .collect::<Vec<_>>()
    );
    assert!(
        !requests
            .iter()
            .any(|r| r.method == "POST" && r.path == "/project_y/post"),
        "no temporary post was made for a clean copy"
    );
    assert!(!requests.iter().any(|r| r.path.starts_with("/media")));
    assert!(
        !downloads.exists() || std::fs::read_dir(&downloads).unwrap().next().is_none(),
        "no file was written"
    );
}

// ---- share links ----

#[tokio::test]
async fn publish_prints_only_a_link_built_from_a_real_post_id() {
    let sim = start_sim(|_| {}).await;
    let evil =
        json!({"post": {"id": "s_1\t\u{202e}\u{0}x", "permalink": "https://evil.example/p"}});
    sim.inject(rule("/project_y/post", respond(evil), Some(2)));
    let out = run(&sim, &["publish", "gen_x"]).await;
    assert!(
        !out.status.success(),
        "a post id that is not one is an error"
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(!printed.contains("http"), "no link: {printed}");
    assert!(
        stderr(&out).contains("the post id \"s_1\\t\\u{202e}\\u{0}x\" is not a usable id"),
        "{}",
        stderr(&out)
    );
    let out = run(&sim, &["publish", "gen_x", "--json"]).await;
    assert!(!out.status.success());
    assert!(events(&out, "published").is_empty());

    // A good id: the link is the share page of that id on the configured backend's origin,
    // whatever `permalink` says.
    let good = json!({"post": {"id": "s_0123456789abcdef0123456789abcdef",
        "permalink": "https://evil.example/p"}});
    sim.inject(rule("/project_y/post", respond(good), Some(1)));
    let out = run(&sim, &["publish", "gen_x", "--json"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        events(&out, "published")[0]["permalink"],
        format!("http://{}/p/s_0123456789abcdef0123456789abcdef", sim.addr())
    );
}

// ---- the player ----

/// A stand-in player: a shell script that appends `run` and then each argument it got, one
/// a line, to a log, so every start is on record.
fn stand_in_player(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let log = dir.join("argv.txt");
    let script = dir.join("mpv");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\n{{ echo run; for a in \"$@\"; do printf '%s\\n' \"$a\"; done; }} >> '{}'\n",
            log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (script, log)
}

#[test]
fn o_opens_only_checked_media_links_in_the_player() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(start_sim(|_| {}));
    let evil = [
        "--script=evil.lua",
        "file:///etc/passwd",
        "javascript:alert(1)",
    ];
    let mut items: Vec<Value> = evil
        .iter()
        .enumerate()
        .map(|(i, url)| draft_json(&format!("gen_{i}"), url))
        .collect();
    items.push(draft_json("gen_ok", "https://127.0.0.1:9/a b.mp4"));
    sim.inject(rule(DRAFTS, respond(json!({"items": items})), None));

    let home = tempfile::tempdir().unwrap();
    let (player, log) = stand_in_player(home.path());
    let config = home.path().join("config/sora-tui/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        format!("player = {:?}\n", player.display().to_string()),
    )
    .unwrap();
    let mut cmd = common::pty::sora_command(home.path());
    cmd.env("SORA_BASE_URL", sim.base_url())
        .env("SORA_TOKEN", sim.token());
    let mut pty = common::pty::Pty::spawn(cmd, 140, 40);
    pty.wait_for("@demo", 20);
    pty.leave_typing();
    pty.send(b"4");
    pty.wait_for("prompt of gen_ok", 20);
    for (row, _) in evil.iter().enumerate() {
        if row > 0 {
            pty.send(b"j");
        }
        pty.send(b"o");
        pty.wait_for("not opening", 10);
    }
    pty.send(b"j");
    pty.send(b"o");
    // The good link's start is the last on record; a refused one would have come before it.
    let argv = (0..400)
        .find_map(|_| {
            std::fs::read_to_string(&log)
                .ok()
                .filter(|t| t.contains(".mp4"))
                .or_else(|| {
                    std::thread::sleep(Duration::from_millis(25));
                    None
                })
        })
        .unwrap_or_else(|| panic!("the player never ran; screen:\n{}", pty.screen()));
    let argv: Vec<&str> = argv.lines().collect();
    assert_eq!(argv, ["run", "--", "https://127.0.0.1:9/a%20b.mp4"]);
    pty.send(b"q");
    assert!(pty.wait_exit(10).success());
}
