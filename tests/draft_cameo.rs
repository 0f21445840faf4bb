//! A cameo made from a draft (`POST /characters/from-generation`): the body as the simulator
//! received it and its refusals; the worker's flow from the draft to a public character, and
//! a restart in the middle of processing that resumes without any file; the headless
//! `cameo from-draft` of the real binary; the Drafts pane's `c` and its clip form, with a
//! snapshot.

mod common;

use std::path::{Path, PathBuf};

use common::bin::{cli_command, output_within};
use common::harness::{WorkerHarness, fast_config};
use common::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use sora_tui::api::{ApiError, Draft};
use sora_tui::app::cameos::{CameoRecord, CameoStage};
use sora_tui::app::{App, Cmd, Modal, Msg, Pane, drafts_row, update};
use sora_tui::sim::{CameoOutcome, Fault, FaultRule, Sim};
use sora_tui::store::Store;
use sora_tui::worker::{CameoEvent, CameoRequest, Event, Request};

const FROM_GENERATION: &str = "/characters/from-generation";

#[tokio::test]
async fn the_simulator_receives_the_documented_body_and_refuses_what_does_not_fit() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let draft = ready_draft(&client, "a fox in the snow").await;
    let gen_id = draft.id.clone().expect("gen id");

    let cameo = client
        .cameo_from_generation(&gen_id, 0.0, 3.0)
        .await
        .expect("a cameo id");
    assert!(cameo.starts_with("cameo_"), "{cameo}");
    let sent = requests_to(&sim, "POST", FROM_GENERATION);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].json,
        Some(json!({"generation_id": gen_id, "character_id": null, "timestamps": [0, 3]})),
        "the body as received"
    );
    assert_eq!(
        sent[0].header("content-type"),
        Some("application/json"),
        "sent as JSON"
    );
    assert!(
        sent[0].header("openai-sentinel-token").is_none(),
        "no sentinel, as for /characters/upload"
    );
    // The cameo follows the same lifecycle as an uploaded one.
    client
        .cameo_progress(&cameo)
        .await
        .expect("in_progress knows it");

    // Fractions are sent as numbers too.
    client
        .cameo_from_generation(&gen_id, 1.5, 4.0)
        .await
        .expect("a clip inside the draft");
    let sent = requests_to(&sim, "POST", FROM_GENERATION);
    assert_eq!(
        sent[1].json.as_ref().unwrap()["timestamps"],
        json!([1.5, 4])
    );

    // Not a draft of this account: 404.
    let err = client
        .cameo_from_generation("gen_01kbxnotmineabcdefghjkmnp", 0.0, 3.0)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Rejected { status: 404, .. }),
        "{err:?}"
    );
    // A clip past the draft's end (10 s): 400 invalid_request naming the field.
    let err = client
        .cameo_from_generation(&gen_id, 8.0, 12.0)
        .await
        .unwrap_err();
    match &err {
        ApiError::Rejected {
            status: 400,
            code,
            param,
            ..
        } => {
            assert_eq!(code.as_deref(), Some("invalid_request"));
            assert_eq!(param.as_deref(), Some("timestamps"));
        }
        other => panic!("expected a 400: {other:?}"),
    }
    // Timestamps that are not a pair of numbers: 400 too (sent raw, the client would not).
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    for bad in [json!("0,3"), json!([0]), json!([0, "3"]), json!([3, 1])] {
        let resp = http
            .post(format!("{}{FROM_GENERATION}", sim.base_url()))
            .bearer_auth(sim.token())
            .json(&json!({"generation_id": gen_id, "character_id": null, "timestamps": bad}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 400, "{bad}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_request", "{bad}: {body}");
    }
}

/// A worker that keeps the cameo events.
fn worker(sim: &Sim, data: &Path) -> WorkerHarness<CameoEvent> {
    WorkerHarness::start_keeping(
        client_for(sim),
        Store::new(data),
        fast_config(),
        |e| match e {
            Event::Cameo(event) => Some(event),
            _ => None,
        },
    )
}

async fn stage(
    h: &mut WorkerHarness<CameoEvent>,
    key: &str,
    what: &str,
    pick: impl Fn(&CameoStage) -> bool,
) -> CameoRecord {
    h.expect(what, |e| match e {
        CameoEvent::Changed(r) if r.key == key && pick(&r.stage) => Some(CameoRecord::clone(r)),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn the_worker_makes_a_cameo_from_a_draft_and_resumes_it_after_a_restart() {
    let sim = start_sim(|_| {}).await;
    let gen_id = ready_draft(&client_for(&sim), "a heron on one leg")
        .await
        .id
        .expect("gen id");
    // The first status check hangs, so the worker stops with the cameo still processing.
    sim.inject(FaultRule {
        method: Some("GET".into()),
        path: "/project_y/cameos/in_progress".into(),
        fault: Fault::Latency { ms: 60_000 },
        times: None,
    });
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut h = worker(&sim, &data);
    h.send(Request::Cameo(CameoRequest::CreateFromDraft {
        key: "d1".into(),
        generation_id: gen_id.clone(),
        clip: (1.0, 4.0),
    }))
    .await;
    let processing = stage(&mut h, "d1", "Processing", |s| {
        matches!(s, CameoStage::Processing { .. })
    })
    .await;
    assert_eq!(processing.draft.as_deref(), Some(gen_id.as_str()));
    assert_eq!(processing.video, PathBuf::new(), "no file");
    assert_eq!(processing.clip, (1.0, 4.0));
    let saved: Vec<serde_json::Value> = Store::new(&data)
        .load("cameos.json")
        .unwrap()
        .expect("cameos.json");
    assert_eq!(
        saved[0]["draft"],
        json!(gen_id),
        "the record says its source"
    );
    h.shutdown().await;

    sim.clear_faults();
    let mut again = worker(&sim, &data);
    let ready = stage(&mut again, "d1", "Ready", |s| *s == CameoStage::Ready).await;
    assert_eq!(ready.cameo_id, processing.cameo_id, "the same cameo");
    assert_eq!(ready.draft.as_deref(), Some(gen_id.as_str()));
    assert_eq!(
        requests_to(&sim, "POST", FROM_GENERATION).len(),
        1,
        "sent once"
    );
    assert!(
        requests_to(&sim, "POST", "/characters/upload").is_empty(),
        "no file upload, before or after the restart"
    );

    again
        .send(Request::Cameo(CameoRequest::Finalize {
            key: "d1".into(),
            username: "heron.one".into(),
            display_name: "Heron".into(),
            public: true,
        }))
        .await;
    let done = stage(&mut again, "d1", "Finalized", |s| {
        *s == CameoStage::Finalized
    })
    .await;
    assert!(done.public);
    assert!(
        done.character_id
            .as_deref()
            .unwrap_or("")
            .starts_with("ch_")
    );
    let cameo_id = done.cameo_id.clone().unwrap();
    let visibility = requests_to(
        &sim,
        "POST",
        &format!("/project_y/cameos/by_id/{cameo_id}/update_v2"),
    );
    assert_eq!(visibility[0].json, Some(json!({"visibility": "public"})));
    assert_eq!(
        requests_to(&sim, "POST", "/characters/finalize")[0]
            .json
            .as_ref()
            .unwrap()["cameo_id"],
        json!(cameo_id)
    );
    again.shutdown().await;
}

#[tokio::test]
async fn a_failed_first_step_is_retried_from_the_draft() {
    let sim = start_sim(|_| {}).await;
    let gen_id = ready_draft(&client_for(&sim), "a lynx")
        .await
        .id
        .expect("gen id");
    sim.inject(FaultRule {
        method: Some("POST".into()),
        path: FROM_GENERATION.into(),
        fault: Fault::ServerError,
        times: Some(1),
    });
    let dir = tempfile::tempdir().unwrap();
    let mut h = worker(&sim, &dir.path().join("data"));
    let create = CameoRequest::CreateFromDraft {
        key: "d2".into(),
        generation_id: gen_id.clone(),
        clip: (0.0, 3.0),
    };
    h.send(Request::Cameo(create.clone())).await;
    let failed = stage(&mut h, "d2", "UploadFailed", |s| {
        matches!(s, CameoStage::UploadFailed { .. })
    })
    .await;
    match &failed.stage {
        CameoStage::UploadFailed { reason } => {
            assert!(reason.contains("from the draft"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    h.send(Request::Cameo(create)).await;
    stage(&mut h, "d2", "Ready", |s| *s == CameoStage::Ready).await;
    assert_eq!(requests_to(&sim, "POST", FROM_GENERATION).len(), 2);
    h.shutdown().await;
}

#[tokio::test]
async fn headless_cameo_from_draft_runs_to_the_end_and_reports_a_failure() {
    let sim = start_sim(|_| {}).await;
    let gen_id = ready_draft(&client_for(&sim), "a crane dancing")
        .await
        .id
        .expect("gen id");
    let home = tempfile::tempdir().unwrap();
    let mut cmd = cli_command(&sim, home.path());
    cmd.env("SORA_CAMEO_POLL_MS", "20").args([
        "cameo",
        "from-draft",
        &gen_id,
        "--start",
        "2",
        "--end",
        "5",
        "--public",
    ]);
    let out = output_within(cmd, 60).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let character = stdout.trim();
    assert!(
        character.starts_with("ch_"),
        "prints the character id: {stdout}"
    );
    let sent = requests_to(&sim, "POST", FROM_GENERATION);
    assert_eq!(
        sent[0].json,
        Some(json!({"generation_id": gen_id, "character_id": null, "timestamps": [2, 5]}))
    );
    // Username from the hint's last part plus three digits; display name from its hint.
    let finalize = requests_to(&sim, "POST", "/characters/finalize");
    let body = finalize[0].json.clone().unwrap();
    let username = body["username"].as_str().unwrap().to_string();
    let hint_last = "1"; // the simulator's first hint is `demo.cameo.1`
    assert!(
        username.len() == hint_last.len() + 3
            && username.starts_with(hint_last)
            && username[hint_last.len()..]
                .chars()
                .all(|c| c.is_ascii_digit()),
        "{username}"
    );
    assert_eq!(body["display_name"], "Demo Cameo 1");
    let cameo_id = body["cameo_id"].as_str().unwrap();
    let visibility = requests_to(
        &sim,
        "POST",
        &format!("/project_y/cameos/by_id/{cameo_id}/update_v2"),
    );
    assert_eq!(visibility[0].json, Some(json!({"visibility": "public"})));

    // Flags win over the hints; a failed processing is a clear error and a failing exit.
    let mut cmd = cli_command(&sim, home.path());
    cmd.env("SORA_CAMEO_POLL_MS", "20").args([
        "cameo",
        "from-draft",
        &gen_id,
        "--username",
        "crane.two",
        "--display-name",
        "Crane",
        "--json",
    ]);
    let out = output_within(cmd, 60).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().last().unwrap()).unwrap();
    assert_eq!(last["event"], "cameo");
    assert_eq!(last["username"], "crane.two");
    assert_eq!(last["display_name"], "Crane");
    assert_eq!(last["visibility"], "private");

    sim.set_cameo_outcome(CameoOutcome::Fail);
    let mut cmd = cli_command(&sim, home.path());
    cmd.env("SORA_CAMEO_POLL_MS", "20")
        .args(["cameo", "from-draft", &gen_id]);
    let out = output_within(cmd, 60).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("failed processing"), "{stderr}");
    assert!(out.stdout.is_empty(), "no character id printed");
}

// ---- the Drafts pane's `c` ------------------------------------------------------------------

/// 2026-11-18 22:13:20 UTC.
const NOW: f64 = 1_795_040_000.0;
const GEN: &str = "gen_01kbx0001abcdefghjkmnpqrs";

/// On the Drafts pane with one 10 s draft listed.
fn drafts_app() -> App {
    let mut app = common::screens::signed_in(NOW);
    app.pane = Pane::Drafts;
    let draft = Draft {
        id: Some(GEN.into()),
        task_id: Some("task_01kbx0001tvwxyz0123456789".into()),
        kind: Some("sora_draft".into()),
        downloadable_url: Some("https://videos.openai.com/vg-assets/1/src.mp4?sig=abc".into()),
        width: Some(1280.0),
        height: Some(720.0),
        duration_s: Some(10.0),
        prompt: Some("A corgi surfing a wave at sunset".into()),
        created_at: Some(NOW - 3600.0),
        ..Draft::default()
    };
    app.drafts.rows = vec![drafts_row(draft)];
    app.drafts.loading = sora_tui::app::Loading::Loaded;
    app
}

fn key(app: &mut App, code: KeyCode) -> Vec<Cmd> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), NOW)
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn form(app: &App) -> &sora_tui::app::DraftCameoForm {
    match &app.modal {
        Some(Modal::DraftCameo(f)) => f,
        other => panic!("the clip form is not open: {other:?}"),
    }
}

fn render(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    t.draw(|f| sora_tui::ui::draw(f, app)).expect("draw");
    t
}

#[test]
fn c_opens_the_clip_form_checks_it_and_starts_the_cameo() {
    let mut app = drafts_app();
    assert!(key(&mut app, KeyCode::Char('c')).is_empty());
    let f = form(&app);
    assert_eq!((f.start.text(), f.end.text()), ("0", "3"), "default 0–3 s");
    assert_eq!(f.gen_id, GEN);
    assert_eq!(f.duration, Some(10.0));

    // An end past the draft's 10 s is refused in the form, with what to do.
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Backspace);
    typed(&mut app, "12");
    assert!(key(&mut app, KeyCode::Enter).is_empty(), "nothing sent");
    let error = form(&app).error.clone().expect("an error in the form");
    assert!(error.contains("10 s long"), "{error}");
    insta::assert_snapshot!(
        "draft_cameo_form_error_80x24",
        render(&app, 80, 24).backend()
    );

    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    typed(&mut app, "5");
    assert_eq!(form(&app).error, None, "an edit clears the error");
    insta::assert_snapshot!("draft_cameo_form_80x24", render(&app, 80, 24).backend());
    let cmds = key(&mut app, KeyCode::Enter);
    assert!(app.modal.is_none(), "the form closed");
    let key_sent = match cmds.as_slice() {
        [
            Cmd::Worker(Request::Cameo(CameoRequest::CreateFromDraft {
                key,
                generation_id,
                clip,
            })),
        ] => {
            assert_eq!(generation_id, GEN);
            assert_eq!(*clip, (0.0, 5.0));
            key.clone()
        }
        other => panic!("expected one CreateFromDraft: {other:?}"),
    };
    let toast = &app.toasts.back().expect("a toast").text;
    assert!(toast.contains("see Cameos (5)"), "{toast}");

    // The worker's record shows up in the Cameos pane like any cameo.
    let record = CameoRecord {
        stage: CameoStage::Processing {
            status: "uploaded, waiting for the server".into(),
        },
        cameo_id: Some("cameo_01".into()),
        ..CameoRecord::from_draft(key_sent.clone(), NOW, GEN.into(), (0.0, 5.0))
    };
    update(
        &mut app,
        Msg::Worker(Event::Cameo(CameoEvent::Changed(Box::new(record)))),
        NOW,
    );
    let row = app.cameos.row(&key_sent).expect("a Cameos row");
    assert_eq!(row.title, format!("cameo from {GEN}"));
    app.pane = Pane::Cameos;
    app.toasts.clear();
    insta::assert_snapshot!(
        "draft_cameo_processing_in_cameos_160x48",
        render(&app, 160, 48).backend()
    );
    app.pane = Pane::Drafts;
    // A failed first step is retried from the draft with Enter in the Cameos pane.
    let failed = CameoRecord {
        stage: CameoStage::UploadFailed {
            reason: "making it from the draft failed: boom".into(),
        },
        ..CameoRecord::from_draft(key_sent.clone(), NOW, GEN.into(), (0.0, 5.0))
    };
    update(
        &mut app,
        Msg::Worker(Event::Cameo(CameoEvent::Changed(Box::new(failed)))),
        NOW,
    );
    app.pane = Pane::Cameos;
    let cmds = key(&mut app, KeyCode::Enter);
    assert!(
        matches!(cmds.as_slice(), [Cmd::Worker(Request::Cameo(CameoRequest::CreateFromDraft { key, .. }))] if *key == key_sent),
        "{cmds:?}"
    );
}

#[test]
fn esc_closes_the_form_and_an_image_is_refused() {
    let mut app = drafts_app();
    key(&mut app, KeyCode::Char('c'));
    assert!(key(&mut app, KeyCode::Esc).is_empty());
    assert!(app.modal.is_none());
    let mut image = drafts_app();
    let mut d = image.drafts.rows[0].draft();
    d.kind = Some("image".into());
    image.drafts.rows = vec![drafts_row(d)];
    key(&mut image, KeyCode::Char('c'));
    assert!(image.modal.is_none(), "no form for an image");
}

/// The headless command checks the username before finalizing (a taken one is refused with
/// a free one to pass, and nothing is finalized), and records the cameo in `cameos.json` as
/// it goes: processing, so the TUI can take it on, then finalized with its character.
#[tokio::test]
async fn headless_cameo_from_draft_checks_the_name_and_records_the_cameo() {
    const CHECK: &str = "/project_y/profile/username/check";
    let sim = start_sim(|_| {}).await;
    let gen_id = ready_draft(&client_for(&sim), "a heron fishing")
        .await
        .id
        .expect("gen id");
    let home = tempfile::tempdir().unwrap();
    let cameos = || -> Vec<CameoRecord> {
        Store::new(home.path().join("data/sora-tui"))
            .load("cameos.json")
            .unwrap()
            .unwrap_or_default()
    };
    // Another account of the simulator already has `plus.demo`.
    let mut cmd = cli_command(&sim, home.path());
    cmd.env("SORA_CAMEO_POLL_MS", "20").args([
        "cameo",
        "from-draft",
        &gen_id,
        "--username",
        "plus.demo",
    ]);
    let out = output_within(cmd, 60).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("@plus.demo is taken: try --username plus.demo"),
        "{stderr}"
    );
    let checked = requests_to(&sim, "POST", CHECK);
    assert_eq!(checked[0].json, Some(json!({"username": "plus.demo"})));
    assert!(
        requests_to(&sim, "POST", "/characters/finalize").is_empty(),
        "a taken name is never sent to finalize"
    );
    let recorded = cameos();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].draft.as_deref(), Some(gen_id.as_str()));
    assert!(
        matches!(recorded[0].stage, CameoStage::Processing { .. }),
        "left for the Cameos pane to finish: {:?}",
        recorded[0].stage
    );

    let mut cmd = cli_command(&sim, home.path());
    cmd.env("SORA_CAMEO_POLL_MS", "20").args([
        "cameo",
        "from-draft",
        &gen_id,
        "--username",
        "heron.one",
    ]);
    let out = output_within(cmd, 60).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let character = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let recorded = cameos();
    let done = recorded
        .iter()
        .find(|r| r.stage == CameoStage::Finalized)
        .expect("the finalized cameo is recorded");
    assert_eq!(done.character_id.as_deref(), Some(character.as_str()));
    assert_eq!(done.username.as_deref(), Some("heron.one"));
    assert_eq!(done.draft.as_deref(), Some(gen_id.as_str()));
}
