//! Prompt enhancement (`POST /editor/enhance_prompt`): the body as the simulator received it
//! and its refusals, hostile text in the answer cleaned; the worker's request and answer; the
//! headless `enhance` of the real binary; the Prompt pane's `E` overlay (accept as one undoable
//! edit, reject, errors, stale answers), with a snapshot.

mod common;

use common::bin::{cli_command, output_within};
use common::harness::{WorkerHarness, fast_config};
use common::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use sora_tui::api::{ApiError, Expansion, Length};
use sora_tui::app::enhance::EnhanceOverlay;
use sora_tui::app::{App, Cmd, Modal, Msg, Pane, update};
use sora_tui::sim::{Fault, FaultRule};
use sora_tui::store::Store;
use sora_tui::worker::{EnhanceAnswer, EnhanceRequest, Event, Request};

const ENHANCE: &str = "/editor/enhance_prompt";

#[tokio::test]
async fn the_simulator_receives_the_documented_body_and_the_answer_is_cleaned() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let medium = client
        .enhance_prompt("a fox in the snow", Expansion::Medium, 15)
        .await
        .expect("an enhanced prompt");
    let sent = requests_to(&sim, "POST", ENHANCE);
    assert_eq!(
        sent[0].json,
        Some(json!({"prompt": "a fox in the snow", "expansion_level": "medium", "duration_s": 15})),
        "the body as received"
    );
    assert!(
        sent[0].header("openai-sentinel-token").is_none(),
        "no sentinel"
    );
    assert!(medium.starts_with("a fox in the snow."), "{medium}");
    let short = client
        .enhance_prompt("a fox in the snow", Expansion::Short, 10)
        .await
        .unwrap();
    let long = client
        .enhance_prompt("a fox in the snow", Expansion::Long, 20)
        .await
        .unwrap();
    assert!(
        "a fox in the snow".len() < short.len()
            && short.len() < medium.len()
            && medium.len() < long.len(),
        "longer with each level:\n{short}\n{medium}\n{long}"
    );
    // Any positive duration is accepted (the evidence disagrees on the set).
    client
        .enhance_prompt("a fox", Expansion::Short, 25)
        .await
        .expect("25 s is accepted");
    // Server text reaches the editor cleaned: the simulator echoes the prompt.
    let hostile = client
        .enhance_prompt(
            "a \u{1b}[31mred\u{1b}[0m fox\u{202e} \u{7}",
            Expansion::Short,
            10,
        )
        .await
        .unwrap();
    assert!(
        !hostile
            .chars()
            .any(|c| c.is_control() || common::bin::bidi_or_zero_width(c)),
        "{hostile:?}"
    );
    assert!(hostile.starts_with("a red fox"), "{hostile:?}");

    // An empty prompt is refused by the client before any request...
    let before = requests_to(&sim, "POST", ENHANCE).len();
    let err = client
        .enhance_prompt("  ", Expansion::Medium, 10)
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::InvalidInput(_)), "{err:?}");
    assert_eq!(requests_to(&sim, "POST", ENHANCE).len(), before);
    // ...and by the simulator with 400 invalid_request, as are bad levels and durations.
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    for (body, param) in [
        (
            json!({"prompt": "", "expansion_level": "medium", "duration_s": 10}),
            "prompt",
        ),
        (
            json!({"expansion_level": "medium", "duration_s": 10}),
            "prompt",
        ),
        (
            json!({"prompt": "a fox", "expansion_level": "huge", "duration_s": 10}),
            "expansion_level",
        ),
        (
            json!({"prompt": "a fox", "expansion_level": "short", "duration_s": 0}),
            "duration_s",
        ),
        (
            json!({"prompt": "a fox", "expansion_level": "short", "duration_s": "ten"}),
            "duration_s",
        ),
    ] {
        let resp = http
            .post(format!("{}{ENHANCE}", sim.base_url()))
            .bearer_auth(sim.token())
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 400, "{body}");
        let answer: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(
            answer["error"]["code"], "invalid_request",
            "{body}: {answer}"
        );
        assert_eq!(answer["error"]["param"], param, "{body}: {answer}");
    }
}

#[tokio::test]
async fn the_worker_answers_with_the_request_number_and_reports_failures() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let mut h: WorkerHarness<EnhanceAnswer> = WorkerHarness::start_keeping(
        client_for(&sim),
        Store::new(dir.path()),
        fast_config(),
        |e| match e {
            Event::Enhanced(a) => Some(a),
            _ => None,
        },
    );
    h.send(Request::Enhance(EnhanceRequest {
        seq: 7,
        prompt: "an owl at dusk".into(),
        level: Expansion::Long,
        duration_s: 20,
    }))
    .await;
    let answer = h
        .expect("Enhanced", |a| (a.seq == 7).then(|| a.clone()))
        .await;
    let text = answer.result.expect("a suggestion");
    assert!(
        text.starts_with("an owl at dusk.") && text.contains("20 seconds"),
        "{text}"
    );
    assert_eq!(
        requests_to(&sim, "POST", ENHANCE)[0].json,
        Some(json!({"prompt": "an owl at dusk", "expansion_level": "long", "duration_s": 20}))
    );

    sim.inject(FaultRule {
        method: Some("POST".into()),
        path: ENHANCE.into(),
        fault: Fault::ServerError,
        times: Some(1),
    });
    h.send(Request::Enhance(EnhanceRequest {
        seq: 8,
        prompt: "an owl".into(),
        level: Expansion::Short,
        duration_s: 10,
    }))
    .await;
    let failed = h
        .expect("Enhanced", |a| (a.seq == 8).then(|| a.clone()))
        .await;
    assert!(failed.result.is_err(), "{failed:?}");
    h.shutdown().await;
}

#[tokio::test]
async fn headless_enhance_prints_the_suggestion() {
    let sim = start_sim(|_| {}).await;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = cli_command(&sim, home.path());
    cmd.args([
        "enhance",
        "a lighthouse in a storm",
        "--level",
        "long",
        "--duration",
        "20",
    ]);
    let out = output_within(cmd, 60).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("a lighthouse in a storm.") && stdout.contains("20 seconds"),
        "{stdout}"
    );
    assert_eq!(
        requests_to(&sim, "POST", ENHANCE)[0].json,
        Some(
            json!({"prompt": "a lighthouse in a storm", "expansion_level": "long", "duration_s": 20})
        )
    );

    let mut cmd = cli_command(&sim, home.path());
    cmd.args(["enhance", "a lighthouse", "--json"]);
    let out = output_within(cmd, 60).await;
    assert!(out.status.success());
    let event: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
    assert_eq!(event["event"], "enhanced");
    assert_eq!(event["expansion_level"], "medium");
    assert_eq!(event["duration_s"], 10);
    assert!(
        event["enhanced_prompt"]
            .as_str()
            .unwrap()
            .starts_with("a lighthouse.")
    );

    let mut cmd = cli_command(&sim, home.path());
    cmd.args(["enhance", "a lighthouse", "--level", "huge"]);
    let out = output_within(cmd, 60).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("short, medium or long"));
}

// ---- the Prompt pane's `E` -------------------------------------------------------------------

/// 2026-11-18 22:13:20 UTC.
const NOW: f64 = 1_795_040_000.0;
const ORIGINAL: &str = "a corgi surfing\nat sunset";
const SUGGESTION: &str = "a corgi surfing at sunset. Cinematic framing with a slow dolly-in.";

/// On the Prompt pane, not typing, with two lines of prompt typed.
fn prompt_app() -> App {
    let mut app = common::screens::signed_in(NOW);
    app.pane = Pane::Prompt;
    app.prompt.typing = true;
    for c in ORIGINAL.chars() {
        let code = if c == '\n' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        };
        key(&mut app, code);
    }
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.prompt.text(), ORIGINAL);
    app
}

fn key(app: &mut App, code: KeyCode) -> Vec<Cmd> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), NOW)
}

fn ctrl(app: &mut App, c: char) -> Vec<Cmd> {
    update(
        app,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
        NOW,
    )
}

fn overlay(app: &App) -> &EnhanceOverlay {
    match &app.modal {
        Some(Modal::Enhance(o)) => o,
        other => panic!("the overlay is not open: {other:?}"),
    }
}

/// `E`, checked to send the prompt, and its request number.
fn press_e(app: &mut App) -> u64 {
    let cmds = key(app, KeyCode::Char('E'));
    match cmds.as_slice() {
        [Cmd::Worker(Request::Enhance(r))] => {
            assert_eq!(r.prompt, ORIGINAL);
            r.seq
        }
        other => panic!("expected one Enhance request: {other:?}"),
    }
}

fn answer(app: &mut App, seq: u64, result: Result<&str, &str>) {
    update(
        app,
        Msg::Worker(Event::Enhanced(EnhanceAnswer {
            seq,
            result: result.map(str::to_owned).map_err(str::to_owned),
        })),
        NOW,
    );
}

fn render(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    t.draw(|f| sora_tui::ui::draw(f, app)).expect("draw");
    t
}

#[test]
fn accepting_replaces_the_text_as_one_undoable_edit() {
    let mut app = prompt_app();
    app.prompt.video.length = Length::S25;
    let cmds = key(&mut app, KeyCode::Char('E'));
    let seq = match cmds.as_slice() {
        [Cmd::Worker(Request::Enhance(r))] => {
            assert_eq!(r.level, Expansion::Medium, "medium by default");
            assert_eq!(r.duration_s, 20, "25 s is sent as 20");
            r.seq
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(overlay(&app).suggestion, None, "waiting");
    let waiting = format!("{:?}", render(&app, 100, 30).backend());
    assert!(waiting.contains("enhancing…"), "{waiting}");
    // Keys other than the overlay's do nothing while it waits.
    assert!(key(&mut app, KeyCode::Char('y')).is_empty());
    assert_eq!(app.prompt.text(), ORIGINAL);

    answer(&mut app, seq, Ok(SUGGESTION));
    assert_eq!(overlay(&app).suggestion.as_deref(), Some(SUGGESTION));
    insta::assert_snapshot!("enhance_overlay_100x30", render(&app, 100, 30).backend());
    insta::assert_snapshot!(
        "enhance_overlay_narrow_60x24",
        render(&app, 60, 24).backend()
    );

    let cmds = key(&mut app, KeyCode::Char('y'));
    assert!(app.modal.is_none());
    assert_eq!(app.prompt.text(), SUGGESTION, "replaced");
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::Worker(Request::SavePrompt(s)) if s.text == SUGGESTION)),
        "autosaved: {cmds:?}"
    );
    // One undo (Ctrl-U while typing) brings the original back whole; Ctrl-R redoes it.
    key(&mut app, KeyCode::Char('i'));
    ctrl(&mut app, 'u');
    assert_eq!(
        app.prompt.text(),
        ORIGINAL,
        "one undo restores the original"
    );
    ctrl(&mut app, 'r');
    assert_eq!(
        app.prompt.text(),
        SUGGESTION,
        "one redo brings the suggestion back"
    );
    ctrl(&mut app, 'u');
    assert_eq!(app.prompt.text(), ORIGINAL);
}

#[test]
fn rejecting_errors_and_stale_answers_leave_the_text_alone() {
    let mut app = prompt_app();
    let seq = press_e(&mut app);
    answer(&mut app, seq, Ok(SUGGESTION));
    key(&mut app, KeyCode::Char('n'));
    assert!(app.modal.is_none());
    assert_eq!(app.prompt.text(), ORIGINAL, "rejected");

    // Esc too.
    let seq = press_e(&mut app);
    answer(&mut app, seq, Ok(SUGGESTION));
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.prompt.text(), ORIGINAL);

    // An error is a toast; the text is untouched.
    let seq = press_e(&mut app);
    answer(&mut app, seq, Err("the service is busy"));
    assert!(app.modal.is_none());
    let toast = app.toasts.back().expect("a toast");
    assert!(
        toast.error && toast.text.contains("the service is busy"),
        "{toast:?}"
    );
    assert_eq!(app.prompt.text(), ORIGINAL);

    // `l` asks again at the next level; the first answer is then stale and dropped.
    let first = press_e(&mut app);
    let cmds = key(&mut app, KeyCode::Char('l'));
    let second = match cmds.as_slice() {
        [Cmd::Worker(Request::Enhance(r))] => {
            assert_eq!(r.level, Expansion::Long);
            r.seq
        }
        other => panic!("{other:?}"),
    };
    answer(&mut app, first, Ok("stale"));
    assert_eq!(overlay(&app).suggestion, None, "a stale answer is dropped");
    answer(&mut app, second, Ok(SUGGESTION));
    assert_eq!(overlay(&app).suggestion.as_deref(), Some(SUGGESTION));

    // Nothing to enhance: a toast, no request.
    let mut empty = common::screens::signed_in(NOW);
    empty.pane = Pane::Prompt;
    assert!(key(&mut empty, KeyCode::Char('E')).is_empty());
    assert!(empty.modal.is_none());
}
