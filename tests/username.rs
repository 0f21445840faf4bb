//! Usernames end to end against the simulator: `username/check` and `username/set` with the
//! bodies as the simulator received them (one namespace across accounts and cameos); the
//! worker checking a cameo's username before finalizing (a taken one is never sent, a
//! checked suggestion is offered and then finalizes); the worker setting an account's
//! username; the headless `username check|set` and `me` run as the real binary; and the
//! screens of the taken-name form and of an account without a username.

// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::harness::{WorkerHarness, fast_config};
use common::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Value, json};
use sora_tui::api::{AccessToken, Client};
use sora_tui::app::cameos::{CameoHints, CameoRecord, CameoStage};
use sora_tui::app::{App, Msg, Pane, update};
use sora_tui::sim::{NO_USERNAME_TOKEN, PLUS_TOKEN, Sim};
use sora_tui::store::Store;
use sora_tui::worker::{CameoEvent, CameoRequest, Event, Request, UsernameEvent};

const CHECK: &str = "/project_y/profile/username/check";
const SET: &str = "/project_y/profile/username/set";

/// A plain HTTP POST with a JSON body, as `token`.
async fn post(sim: &Sim, token: &str, path: &str, body: Value) -> (u16, Value) {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let resp = http
        .post(format!("{}{path}", sim.base_url()))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// The JSON bodies the simulator received on `path`, in order.
fn bodies(sim: &Sim, path: &str) -> Vec<Value> {
    requests_to(sim, "POST", path)
        .into_iter()
        .map(|r| r.json.expect("a JSON body"))
        .collect()
}

fn client_as(sim: &Sim, token: &str) -> Client {
    client_with(sim, |c| c.token = AccessToken::new(token).unwrap())
}

/// Whether `s` is `base` followed by three digits 100-999.
fn is_suggestion(s: &str, base: &str) -> bool {
    s.strip_prefix(base)
        .and_then(|d| d.parse::<u16>().ok().filter(|_| d.len() == 3))
        .is_some_and(|n| (100..=999).contains(&n))
}

#[tokio::test]
async fn check_answers_from_one_namespace_and_refuses_non_names() {
    let sim = start_sim(|_| {}).await;
    let token = sim.token();
    let cases = [
        ("fresh.name", true),
        // Reserved, and the primary account's own profile name.
        ("demo", false),
        ("sora", false),
        // Another account's profile name, in any case.
        ("plus.demo", false),
        ("Plus.Demo", false),
    ];
    for (name, available) in cases {
        let (status, answer) = post(&sim, &token, CHECK, json!({ "username": name })).await;
        assert_eq!(status, 200, "{name}: {answer}");
        assert_eq!(answer, json!({ "available": available }), "{name}");
    }
    let sent: Vec<Value> = cases
        .iter()
        .map(|(n, _)| json!({ "username": n }))
        .collect();
    assert_eq!(bodies(&sim, CHECK), sent);
    // Not a name at all: the error envelope, as finalize gives it.
    for body in [
        json!({"username": ""}),
        json!({"username": "  "}),
        json!({}),
    ] {
        let (status, answer) = post(&sim, &token, CHECK, body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer["error"]["message"].is_string(), "{answer}");
    }
    let (_, blank) = post(&sim, &token, CHECK, json!({"username": ""})).await;
    assert_eq!(blank["error"]["code"], "invalid_username");
}

#[tokio::test]
async fn set_takes_a_free_name_refuses_a_taken_one_and_me_reports_it() {
    let sim = start_sim(|_| {}).await;
    let (status, me) = post(
        &sim,
        NO_USERNAME_TOKEN,
        SET,
        json!({"username": "plus.demo"}),
    )
    .await;
    assert_eq!(status, 400, "{me}");
    assert_eq!(me["error"]["code"], "username_taken");
    assert_eq!(me["error"]["param"], "username");

    let (status, profile) = post(
        &sim,
        NO_USERNAME_TOKEN,
        SET,
        json!({"username": "New.Comer"}),
    )
    .await;
    assert_eq!(status, 200, "{profile}");
    assert_eq!(profile["username"], "new.comer");
    assert_eq!(profile["name"], "New User");
    assert_eq!(
        bodies(&sim, SET),
        vec![
            json!({"username": "plus.demo"}),
            json!({"username": "New.Comer"})
        ]
    );
    let me = client_as(&sim, NO_USERNAME_TOKEN).me().await.unwrap();
    assert_eq!(me.username.as_deref(), Some("new.comer"));
    // Now taken for every other account, and its own again without harm.
    let (_, other) = post(&sim, PLUS_TOKEN, CHECK, json!({"username": "new.comer"})).await;
    assert_eq!(other["available"], false);
    let (status, again) = post(
        &sim,
        NO_USERNAME_TOKEN,
        SET,
        json!({"username": "new.comer"}),
    )
    .await;
    assert_eq!((status, &again["username"]), (200, &json!("new.comer")));
}

#[tokio::test]
async fn the_client_checks_sets_and_suggests() {
    let sim = start_sim(|_| {}).await;
    let client = client_as(&sim, NO_USERNAME_TOKEN);
    assert!(!client.username_check("plus.demo").await.unwrap());
    assert!(client.username_check("brand.new").await.unwrap());
    let suggestion = client.suggest_username("plus").await.unwrap().unwrap();
    assert!(is_suggestion(&suggestion, "plus"), "{suggestion}");
    let me = client.username_set("brand.new").await.unwrap();
    assert_eq!(me.username.as_deref(), Some("brand.new"));
    let sent = bodies(&sim, CHECK);
    assert_eq!(sent[0], json!({"username": "plus.demo"}));
    assert_eq!(sent[1], json!({"username": "brand.new"}));
    assert_eq!(sent.last(), Some(&json!({ "username": suggestion })));
    assert_eq!(bodies(&sim, SET), vec![json!({"username": "brand.new"})]);
}

// ---- the worker ----

fn sample_video(dir: &Path) -> PathBuf {
    let path = dir.join("me.mp4");
    std::fs::write(&path, asset("sample.mp4")).unwrap();
    path
}

async fn cameo_stage(
    h: &mut WorkerHarness,
    key: &str,
    pick: fn(&CameoStage) -> bool,
) -> CameoRecord {
    h.expect("a cameo stage", |e| match e {
        Event::Cameo(CameoEvent::Changed(r)) if r.key == key && pick(&r.stage) => {
            Some(CameoRecord::clone(r))
        }
        _ => None,
    })
    .await
}

#[tokio::test]
async fn a_taken_cameo_username_is_not_sent_and_the_suggestion_finalizes() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let video = sample_video(dir.path());
    let mut h = WorkerHarness::start(
        client_for(&sim),
        Store::new(dir.path().join("data")),
        fast_config(),
    );
    h.send(Request::Cameo(CameoRequest::Create {
        key: "k1".into(),
        video,
        clip: (0.0, 3.0),
    }))
    .await;
    let ready = cameo_stage(&mut h, "k1", |s| *s == CameoStage::Ready).await;
    let hint = ready
        .hints
        .clone()
        .and_then(|h| h.username)
        .expect("a hint");
    let base = hint.rsplit('.').next().unwrap().to_string();

    // Another account's name: refused by the check, never sent to finalize.
    let finalize = |username: &str| {
        Request::Cameo(CameoRequest::Finalize {
            key: "k1".into(),
            username: username.into(),
            display_name: "Me".into(),
            public: false,
        })
    };
    h.send(finalize("plus.demo")).await;
    let suggestion = h
        .expect("UsernameTaken", |e| match e {
            Event::Cameo(CameoEvent::UsernameTaken {
                key,
                username,
                suggestion,
            }) if key == "k1" => {
                assert_eq!(username, "plus.demo");
                suggestion.clone()
            }
            _ => None,
        })
        .await;
    assert!(
        is_suggestion(&suggestion, &base),
        "{suggestion} from {hint}"
    );
    assert_eq!(bodies(&sim, CHECK)[0], json!({"username": "plus.demo"}));
    assert_eq!(
        bodies(&sim, CHECK).last(),
        Some(&json!({ "username": suggestion }))
    );
    assert!(requests_to(&sim, "POST", "/characters/finalize").is_empty());
    assert!(requests_to(&sim, "POST", "/project_y/file/upload").is_empty());
    let saved: Vec<CameoRecord> = h.store.load("cameos.json").unwrap().unwrap();
    assert_eq!(saved[0].stage, CameoStage::Ready, "nothing recorded");

    // The server refuses that name at finalize too (the check and finalize agree).
    let client = client_for(&sim);
    let url = ready.hints.and_then(|h| h.profile_asset_url).unwrap();
    let picture = client.fetch_media(&url, 5 << 20).await.unwrap();
    let pointer = client.upload_profile_image(picture).await.unwrap();
    let cameo_id = ready.cameo_id.clone().unwrap();
    let refused = client
        .finalize_cameo(&cameo_id, "plus.demo", "Me", &pointer)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some("username_taken"), "{refused}");

    // The suggestion taken: checked, then finalized under it.
    h.send(finalize(&suggestion)).await;
    let done = cameo_stage(&mut h, "k1", |s| *s == CameoStage::Finalized).await;
    assert_eq!(done.username.as_deref(), Some(suggestion.as_str()));
    let finalized = bodies(&sim, "/characters/finalize");
    assert_eq!(
        finalized.len(),
        2,
        "the refused one above, then the worker's"
    );
    assert_eq!(finalized[1]["username"], json!(suggestion));
    assert_eq!(
        bodies(&sim, CHECK).last(),
        Some(&json!({ "username": suggestion }))
    );
    h.shutdown().await;
}

async fn answer(h: &mut WorkerHarness) -> UsernameEvent {
    h.expect("Username", |e| match e {
        Event::Username(u) => Some(u.clone()),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn the_worker_sets_an_accounts_username_after_checking_it() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let client = client_as(&sim, NO_USERNAME_TOKEN);
    let mut h = WorkerHarness::start(client, Store::new(dir.path().join("data")), fast_config());
    h.send(Request::SetUsername {
        username: "plus.demo".into(),
    })
    .await;
    let UsernameEvent::Taken {
        username,
        suggestion: Some(suggestion),
    } = answer(&mut h).await
    else {
        panic!("taken with a suggestion")
    };
    assert_eq!(username, "plus.demo");
    assert!(is_suggestion(&suggestion, "plus.demo"), "{suggestion}");
    assert!(
        requests_to(&sim, "POST", SET).is_empty(),
        "a taken name is not set"
    );

    h.send(Request::SetUsername {
        username: suggestion.clone(),
    })
    .await;
    let UsernameEvent::Set(me) = answer(&mut h).await else {
        panic!("set")
    };
    assert_eq!(me.username.as_deref(), Some(suggestion.as_str()));
    assert_eq!(bodies(&sim, SET), vec![json!({ "username": suggestion })]);
    assert_eq!(bodies(&sim, CHECK)[0], json!({"username": "plus.demo"}));
    let now = client_as(&sim, NO_USERNAME_TOKEN).me().await.unwrap();
    assert_eq!(now.username, Some(suggestion));
    h.shutdown().await;
}

// ---- the headless commands, as the real binary ----

async fn cli_as(sim: &Sim, token: &str, args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = common::bin::cli_command(sim, home.path());
    cmd.env("SORA_TOKEN", token).args(args);
    common::bin::output_within(cmd, 60).await
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test]
async fn headless_username_check_and_set() {
    let sim = start_sim(|_| {}).await;
    let me = cli_as(&sim, NO_USERNAME_TOKEN, &["me"]).await;
    assert!(me.status.success(), "{}", text(&me.stderr));
    assert!(
        text(&me.stdout).contains("username: not set"),
        "{}",
        text(&me.stdout)
    );

    let free = cli_as(&sim, NO_USERNAME_TOKEN, &["username", "check", "free.name"]).await;
    assert_eq!(free.status.code(), Some(0), "{}", text(&free.stderr));
    assert_eq!(text(&free.stdout).trim(), "@free.name is available");

    let taken = cli_as(&sim, NO_USERNAME_TOKEN, &["username", "check", "plus.demo"]).await;
    assert_eq!(taken.status.code(), Some(2));
    let err = text(&taken.stderr);
    assert!(err.contains("@plus.demo is taken: try @plus.demo"), "{err}");

    let json = cli_as(
        &sim,
        NO_USERNAME_TOKEN,
        &["--json", "username", "check", "plus.demo"],
    )
    .await;
    assert_eq!(json.status.code(), Some(2));
    let first: Value = serde_json::from_str(text(&json.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(first["event"], "username_check");
    assert_eq!(first["available"], false);
    assert!(is_suggestion(
        first["suggestion"].as_str().unwrap(),
        "plus.demo"
    ));

    // A taken name is refused before anything is set.
    let refused = cli_as(&sim, NO_USERNAME_TOKEN, &["username", "set", "plus.demo"]).await;
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("is taken: try @plus.demo"));
    assert!(requests_to(&sim, "POST", SET).is_empty());

    let set = cli_as(&sim, NO_USERNAME_TOKEN, &["username", "set", "New.Name"]).await;
    assert_eq!(set.status.code(), Some(0), "{}", text(&set.stderr));
    assert_eq!(text(&set.stdout).trim(), "username set: @new.name");
    assert_eq!(bodies(&sim, SET), vec![json!({"username": "new.name"})]);
    assert_eq!(
        bodies(&sim, CHECK).last(),
        Some(&json!({"username": "new.name"}))
    );

    let me = cli_as(&sim, NO_USERNAME_TOKEN, &["me"]).await;
    let out = text(&me.stdout);
    assert!(out.starts_with("@new.name"), "{out}");
    assert!(!out.contains("not set"), "{out}");
}

// ---- the screens ----

/// 2026-11-18 22:13:20 UTC.
const NOW: f64 = 1_795_040_000.0;

fn render_text(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(width, height)).unwrap();
    t.draw(|f| sora_tui::ui::draw(f, app)).unwrap();
    t
}

fn press(app: &mut App, code: KeyCode, modifiers: KeyModifiers) -> Vec<sora_tui::app::Cmd> {
    update(app, Msg::Key(KeyEvent::new(code, modifiers)), NOW)
}

fn ready_record() -> CameoRecord {
    CameoRecord {
        stage: CameoStage::Ready,
        cameo_id: Some("cameo_4f1c9a2b7d3e8f60a5b1c2d1".into()),
        hints: Some(CameoHints {
            username: Some("blackwill.meowliusma68".into()),
            display_name: Some("Meow".into()),
            profile_asset_url: Some("https://videos.example.com/p.webp?sig=x".into()),
        }),
        ..CameoRecord::uploading(
            "c1".into(),
            NOW - 60.0,
            PathBuf::from("/home/user/clips/me.mp4"),
            Some(32_261),
            (0.0, 3.0),
        )
    }
}

#[test]
fn the_cameo_form_reports_a_taken_name_with_the_suggestion() {
    let mut app = common::screens::signed_in(NOW);
    app.pane = Pane::Cameos;
    let restored = CameoEvent::Restored {
        records: vec![ready_record()],
        warning: None,
    };
    update(&mut app, Msg::Worker(Event::Cameo(restored)), NOW);
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let cmds = press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(
        cmds.iter().any(|c| matches!(c, sora_tui::app::Cmd::Worker(Request::Cameo(CameoRequest::Finalize { username, .. })) if username == "blackwill.meowliusma68")),
        "{cmds:?}"
    );
    insta::assert_snapshot!("cameo_form_checking", render_text(&app, 80, 24).backend());
    let taken = CameoEvent::UsernameTaken {
        key: "c1".into(),
        username: "blackwill.meowliusma68".into(),
        suggestion: Some("meowliusma68123".into()),
    };
    update(&mut app, Msg::Worker(Event::Cameo(taken)), NOW);
    app.toasts.clear();
    insta::assert_snapshot!("cameo_form_taken", render_text(&app, 80, 24).backend());
}

#[test]
fn the_status_bar_says_an_account_has_no_username_and_u_opens_the_form() {
    let mut app = common::screens::signed_in(NOW);
    if let Some(me) = app.account.as_mut() {
        me.username = None;
    }
    insta::assert_snapshot!("no_username_status", render_text(&app, 100, 24).backend());
    app.prompt.typing = false;
    press(&mut app, KeyCode::Char('U'), KeyModifiers::SHIFT);
    for c in "plus.demo".chars() {
        press(&mut app, KeyCode::Char(c), KeyModifiers::NONE);
    }
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    insta::assert_snapshot!(
        "username_form_checking",
        render_text(&app, 100, 24).backend()
    );
    let taken = UsernameEvent::Taken {
        username: "plus.demo".into(),
        suggestion: Some("plus.demo417".into()),
    };
    update(&mut app, Msg::Worker(Event::Username(taken)), NOW);
    insta::assert_snapshot!("username_form_taken", render_text(&app, 100, 24).backend());
}
