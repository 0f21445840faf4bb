//! The headless commands through the built binary, against a simulator on loopback, with
//! `--json` where output is checked, and the bad-input paths with their exit codes.

// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Output;

use common::*;
use serde_json::Value;
use sora_tui::sim::{Fault, FaultRule, Sim, TokenKind};

/// A sandbox: XDG dirs and HOME in a temp dir, no inherited token or base URL.
struct Env {
    home: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            home: tempfile::tempdir().unwrap(),
        }
    }

    fn command(&self) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_sora-tui"));
        let home = self.home.path();
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_STATE_HOME", home.join("state"))
            .env("SORA_POLL_INTERVAL_MS", "50")
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        cmd
    }

    async fn run(&self, sim: Option<&Sim>, args: &[&str]) -> Output {
        let mut cmd = self.command();
        if let Some(sim) = sim {
            cmd.env("SORA_BASE_URL", sim.base_url())
                .env("SORA_TOKEN", sim.token());
        }
        tokio::time::timeout(std::time::Duration::from_secs(60), cmd.args(args).output())
            .await
            .expect("command finishes")
            .expect("binary runs")
    }
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
        .collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn events<'a>(lines: &'a [Value], name: &str) -> Vec<&'a Value> {
    lines.iter().filter(|v| v["event"] == name).collect()
}

#[tokio::test]
async fn me_prints_the_account() {
    let sim = start_sim(|_| {}).await;
    let env = Env::new();
    let out = env.run(Some(&sim), &["me", "--json"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = json_lines(&out);
    assert_eq!(lines[0]["username"], "demo");
    assert!(lines[0]["videos_remaining"].as_f64().unwrap() > 0.0);
    let text = env.run(Some(&sim), &["me"]).await;
    assert!(String::from_utf8_lossy(&text.stdout).starts_with("@demo"));
}

#[tokio::test]
async fn video_wait_download_leaves_a_real_mp4() {
    let sim = start_sim(|_| {}).await;
    let env = Env::new();
    let dir = env.home.path().join("out");
    let out = env
        .run(
            Some(&sim),
            &[
                "video",
                "a cat",
                "--wait",
                "--download",
                dir.to_str().unwrap(),
                "--json",
            ],
        )
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = json_lines(&out);
    let task = events(&lines, "submitted")[0]["task_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        !events(&lines, "progress").is_empty(),
        "progress was reported"
    );
    let done = events(&lines, "done")[0];
    assert_eq!(done["task_id"], task.as_str());
    let file = done["file"].as_str().unwrap();
    assert_eq!(std::fs::read(file).unwrap(), asset("sample.mp4"));
    assert!(Path::new(file).starts_with(&dir));

    // Without --json, progress goes to stderr as plain lines (stderr is not a terminal here).
    // Which working status a line shows depends on where the paced reads fall: at this
    // speed a queued task's next read (4 intervals later) may come after the whole run.
    let out = env.run(Some(&sim), &["video", "a dog", "--wait"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        [
            ": preprocessing ",
            ": queued ",
            ": running ",
            ": processing "
        ]
        .iter()
        .any(|s| err.contains(s)),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("done gen_"));
}

#[tokio::test]
async fn image_with_an_input_image_downloads_variants() {
    let sim = start_sim(|_| {}).await;
    let env = Env::new();
    let src = env.home.path().join("in.png");
    std::fs::write(&src, asset("image.png")).unwrap();
    let dir = env.home.path().join("imgs");
    let out = env
        .run(
            Some(&sim),
            &[
                "image",
                "a fox",
                "--variants",
                "2",
                "--image",
                src.to_str().unwrap(),
                "--download",
                dir.to_str().unwrap(),
                "--json",
            ],
        )
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = json_lines(&out);
    let files = events(&lines, "done")[0]["files"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(files.len(), 2);
    for f in files {
        let bytes = std::fs::read(f.as_str().unwrap()).unwrap();
        assert!(sora_tui::api::filetype::FileType::sniff(&bytes).is_some_and(|t| t.is_image()));
    }
    assert_eq!(requests_to(&sim, "POST", "/uploads").len(), 1);
}

#[tokio::test]
async fn storyboard_file_preview_equals_what_is_sent() {
    let sim = start_sim(|_| {}).await;
    let env = Env::new();
    let file = env.home.path().join("cat.storyboard.toml");
    std::fs::write(
        &file,
        "version = 1\ninstructions = \"A cat's adventure\"\nlength = 10\n\n[[shot]]\nduration = 4.5\nscene = \"cat skydives\"\n\n[[shot]]\nduration = 5.5\nscene = \"cat lands\"\n",
    )
    .unwrap();
    let preview = env
        .run(
            Some(&sim),
            &["storyboard", file.to_str().unwrap(), "--dry-run"],
        )
        .await;
    assert!(preview.status.success(), "{}", stderr(&preview));
    let text = String::from_utf8_lossy(&preview.stdout)
        .trim_end_matches('\n')
        .to_string();
    assert_eq!(
        text,
        "current timeline:\nShot 1:\nduration: 4.5sec\nScene: cat skydives\n\nShot 2:\nduration: 5.5sec\nScene: cat lands\n\ninstructions:\nA cat's adventure"
    );
    assert!(sim.requests().is_empty(), "a dry run sends nothing");
    let out = env
        .run(
            Some(&sim),
            &["storyboard", file.to_str().unwrap(), "--wait", "--json"],
        )
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let sent = &requests_to(&sim, "POST", "/nf/create/storyboard")[0];
    assert_eq!(sent.json.as_ref().unwrap()["prompt"], text.as_str());

    // Shots that do not add up are refused before sending, naming the problem.
    std::fs::write(
        &file,
        "version = 1\n[[shot]]\nduration = 3.0\nscene = \"x\"\n",
    )
    .unwrap();
    let bad = env
        .run(Some(&sim), &["storyboard", file.to_str().unwrap()])
        .await;
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("add up to 3.0 s"), "{}", stderr(&bad));
}

#[tokio::test]
async fn pending_drafts_publish_unpublish() {
    let sim = start_sim(|c| c.seed_drafts = 40).await;
    let env = Env::new();
    let all = env.run(Some(&sim), &["drafts", "--all", "--json"]).await;
    assert!(all.status.success(), "{}", stderr(&all));
    let drafts = json_lines(&all);
    assert_eq!(drafts.len(), 40);
    let limited = env
        .run(Some(&sim), &["drafts", "--limit", "5", "--json"])
        .await;
    assert_eq!(json_lines(&limited).len(), 5);

    let pending = env.run(Some(&sim), &["pending"]).await;
    assert_eq!(
        String::from_utf8_lossy(&pending.stdout).trim(),
        "no unfinished tasks"
    );

    let gen_id = drafts[0]["generation_id"].as_str().unwrap();
    let out = env.run(Some(&sim), &["publish", gen_id, "--json"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let post = json_lines(&out)[0].clone();
    let link = post["permalink"].as_str().unwrap();
    let post_id = post["post_id"].as_str().unwrap();
    // The link is on the configured backend (here the simulator), and it resolves there.
    assert_eq!(link, format!("http://{}/p/{post_id}", sim.addr()));
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let page = http.get(link).send().await.unwrap();
    assert_eq!(page.status(), reqwest::StatusCode::OK);
    assert!(page.text().await.unwrap().contains(post_id));
    let out = env.run(Some(&sim), &["unpublish", link]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        requests_to(&sim, "DELETE", &format!("/project_y/post/{post_id}")).len(),
        1
    );
}

#[tokio::test]
async fn a_failed_generation_exits_6_with_the_reason() {
    let sim = start_sim(|_| {}).await;
    let env = Env::new();
    let out = env
        .run(Some(&sim), &["video", "#violation", "--wait"])
        .await;
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(stderr(&out).contains("content policy"), "{}", stderr(&out));
}

#[tokio::test]
async fn missing_token_says_how_to_provide_one() {
    let env = Env::new();
    let out = env.run(None, &["me"]).await;
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("SORA_TOKEN") && err.contains("--token-file"),
        "{err}"
    );
}

#[tokio::test]
async fn unreachable_base_url_exits_4() {
    // Held (bound, never listening) until the test ends, so nothing else can answer on it.
    let closed = common::ports::refusing_port();
    let port = closed.port;
    let env = Env::new();
    let mut cmd = env.command();
    cmd.env("SORA_TOKEN", "some-token").args([
        "--base-url",
        &format!("http://127.0.0.1:{port}/backend"),
        "me",
    ]);
    let out = cmd.output().await.unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    // A backend never reached is a configuration problem, not a blip: one clear line, at
    // once, no retries.
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cannot reach"), "{err}");
}

#[tokio::test]
async fn a_non_image_as_image_is_refused_by_content() {
    let sim = start_sim(|_| {}).await;
    let env = Env::new();
    let fake = env.home.path().join("cat.png");
    std::fs::write(&fake, "plain text pretending to be a png").unwrap();
    let out = env
        .run(
            Some(&sim),
            &["video", "x", "--image", fake.to_str().unwrap()],
        )
        .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("checked by its content"),
        "{}",
        stderr(&out)
    );
    assert!(sim.requests().is_empty(), "nothing reached the server");
}

#[tokio::test]
async fn unknown_flag_values_are_usage_errors() {
    let env = Env::new();
    for args in [
        &["video", "x", "--orientation", "diagonal"][..],
        &["video", "x", "--length", "12"],
        &["video", "x", "--model", "sora3"],
        &["image", "x", "--variants", "9"],
    ] {
        let out = env.run(None, args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains("error:"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[tokio::test]
async fn html_answers_are_named_as_such() {
    let sim = start_sim(|_| {}).await;
    let env = Env::new();
    sim.inject(FaultRule {
        method: None,
        path: "/me".into(),
        fault: Fault::Cloudflare,
        times: None,
    });
    let out = env.run(Some(&sim), &["me"]).await;
    assert_eq!(out.status.code(), Some(5));
    assert!(stderr(&out).contains("Cloudflare"), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1);

    // A 200 with an HTML page (a captive portal, a wrong base URL) is a bad response.
    let app = axum::Router::new().fallback(|| async {
        (
            [("content-type", "text/html")],
            "<html><body>Welcome to the hotel wifi</body></html>",
        )
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mut cmd = env.command();
    cmd.env("SORA_TOKEN", "t0ken-value").args([
        "--base-url",
        &format!("http://{addr}/backend"),
        "pending",
    ]);
    let out = cmd.output().await.unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("HTML page instead of JSON"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn transient_errors_while_waiting_are_retried() {
    let sim = start_sim(|_| {}).await;
    let env = Env::new();
    sim.inject(FaultRule {
        method: None,
        path: "/nf/pending".into(),
        fault: Fault::HeavyLoad,
        times: Some(2),
    });
    let out = env
        .run(Some(&sim), &["video", "a cat", "--wait", "--json"])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(events(&json_lines(&out), "retry").len(), 2);
    assert_eq!(
        requests_to(&sim, "POST", "/nf/create").len(),
        1,
        "the create was not repeated"
    );
}

#[tokio::test]
async fn sim_command_prints_url_and_token_and_serves() {
    use tokio::io::AsyncBufReadExt;
    let env = Env::new();
    // Port 0: the simulator binds a free port itself and prints it, so no port is picked
    // here, freed and then raced for.
    let mut child = env
        .command()
        .args(["sim", "--addr", "127.0.0.1:0", "--speed", "100"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut url, mut token) = (None, None);
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(u) = line.trim().strip_prefix("base URL:") {
            url = Some(u.trim().to_string());
        }
        if let Some(t) = line.trim().strip_prefix("token:") {
            token = Some(t.trim().to_string());
            break;
        }
    }
    let (url, token) = (url.expect("url printed"), token.expect("token printed"));
    let port: u16 = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix("/backend"))
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("a loopback base URL with its port: {url}"));
    assert_ne!(
        port, 0,
        "the port actually bound is printed, not the one asked for"
    );
    let mut cmd = env.command();
    cmd.env("SORA_BASE_URL", &url)
        .env("SORA_TOKEN", &token)
        .args(["me"]);
    let out = cmd.output().await.unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    child.kill().await.unwrap();
}

#[tokio::test]
async fn demo_runs_headless_commands_without_an_account() {
    let env = Env::new();
    let out = env.run(None, &["--demo", "me", "--json"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json_lines(&out)[0]["username"], "demo");
}

#[tokio::test]
async fn help_exists_for_every_command() {
    let env = Env::new();
    for cmd in [
        "sim",
        "me",
        "video",
        "image",
        "storyboard",
        "pending",
        "drafts",
        "publish",
        "unpublish",
    ] {
        let out = env.run(None, &[cmd, "--help"]).await;
        assert!(out.status.success(), "{cmd}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage: sora-tui"),
            "{cmd}"
        );
    }
}

#[tokio::test]
async fn video_clean_download_saves_the_unwatermarked_copy_and_deletes_the_post() {
    // A mobile-app token: only it is given the clean file as the post's source.
    let sim = start_sim(|c| c.token_kind = TokenKind::Mobile).await;
    let env = Env::new();
    let dir = env.home.path().join("clean");
    let out = env
        .run(
            Some(&sim),
            &[
                "video",
                "a cat",
                "--download",
                dir.to_str().unwrap(),
                "--clean",
                "--json",
            ],
        )
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = json_lines(&out);
    let file = events(&lines, "done")[0]["file"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(file.ends_with(".clean.mp4"), "{file}");
    assert_eq!(std::fs::read(&file).unwrap(), asset("sample_clean.mp4"));
    let posts = requests_to(&sim, "POST", "/project_y/post");
    assert_eq!(posts.len(), 1, "published once");
    let deleted: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE" && r.path.starts_with("/project_y/post/"))
        .collect();
    assert_eq!(deleted.len(), 1, "the temporary post was deleted");
    // --clean without --download is a usage error.
    let bad = env.run(Some(&sim), &["video", "x", "--clean"]).await;
    assert_eq!(bad.status.code(), Some(2));
}
