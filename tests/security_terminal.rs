//! What reaches the terminal from a hostile server through the headless commands: the built
//! binary against a simulator whose answers carry escape sequences (OSC 52 clipboard, title,
//! clear screen, a DSR request and a forged DSR reply, 8-bit CSI/OSC), C1 controls, bidi and
//! zero-width characters, overlong text and numbers that cannot be right. The checks are on
//! the raw bytes of stdout and stderr.

mod common;

use std::process::Output;

use common::bin::{bidi_or_zero_width, run_cli};
use common::*;
use serde_json::{Value, json};
use sora_tui::sim::{Fault, FaultRule, Sim};

/// Every kind of terminal-driving text, between visible letters. What must be shown of it is
/// [`HOSTILE_SHOWN`]; the NEL (U+0085) counts as whitespace.
const HOSTILE: &str = "A\u{1b}]52;c;cHduZWQ=\u{7}B\u{1b}]0;pwned\u{1b}\\C\u{1b}[2J\u{1b}[6nD\
                       \u{9b}1;25RE\u{9d}0;title\u{9c}F\u{202E}G\u{2066}H\u{200B}I\u{200D}J\
                       \u{FEFF}K\u{61C}L\u{85}M\u{7f}N\u{8}O\u{90}q\u{9c}";
/// [`HOSTILE`] as it may be shown.
const HOSTILE_SHOWN: &str = "ABCDEFGHIJKL MNO";

/// A canned answer on `path` for every request with `method`, until cleared.
fn answer(sim: &Sim, method: &str, path: &str, status: u16, body: Value, times: Option<u32>) {
    sim.inject(FaultRule {
        method: Some(method.into()),
        path: path.into(),
        fault: Fault::Respond {
            status,
            headers: Vec::new(),
            body: body.to_string(),
            content_type: None,
        },
        times,
    });
}

/// Whether a character would drive or deceive the terminal.
fn forbidden(c: char) -> bool {
    (c.is_control() && c != '\n') || bidi_or_zero_width(c)
}

/// The raw bytes carry nothing that drives the terminal: no ESC, valid UTF-8 (no lone 8-bit
/// byte such as 0x9b), no C0/C1 control but newline, no bidi or zero-width character.
fn assert_no_controls<'a>(what: &str, bytes: &'a [u8]) -> &'a str {
    let start = |s: &str| s.chars().take(300).collect::<String>();
    assert!(
        !bytes.contains(&0x1b),
        "{what}: ESC reached the terminal: {:?}",
        start(&String::from_utf8_lossy(bytes))
    );
    let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{what}: not UTF-8: {e}"));
    if let Some(c) = text.chars().find(|c| forbidden(*c)) {
        panic!("{what}: {c:?} reached the terminal: {:?}", start(text));
    }
    text
}

/// Human output: [`assert_no_controls`], and nothing left over from a sequence's payload
/// (a sequence is dropped whole, not just its ESC).
fn assert_harmless(what: &str, bytes: &[u8]) {
    let text = assert_no_controls(what, bytes);
    for leftover in ["pwned", "52;c", "[2J", "[6n", "1;25R", "title"] {
        assert!(
            !text.contains(leftover),
            "{what}: part of a sequence left: {text:?}"
        );
    }
}

/// The JSON lines of stdout: each parses; the raw text carries the unsafe characters only as
/// escapes.
fn json_lines(what: &str, out: &Output) -> Vec<Value> {
    assert_no_controls(what, &out.stdout);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{what}: not JSON: {l:?}: {e}")))
        .collect()
}

/// The escapes a JSON line carrying [`HOSTILE`] must hold.
fn assert_escaped(what: &str, out: &Output) {
    let raw = String::from_utf8_lossy(&out.stdout);
    for escape in [
        r"\u001b", r"\u009b", r"\u202e", r"\u2066", r"\u200b", r"\u200d", r"\ufeff",
    ] {
        assert!(raw.contains(escape), "{what}: no {escape} in {raw}");
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn me_shows_a_hostile_account_harmlessly_and_json_keeps_it_whole() {
    let sim = start_sim(|_| {}).await;
    let username = format!("{HOSTILE}{}", "u".repeat(5000));
    answer(
        &sim,
        "GET",
        "/me",
        200,
        json!({"id": "user_1", "username": username, "email": HOSTILE, "name": HOSTILE}),
        None,
    );
    answer(
        &sim,
        "GET",
        "/nf/check",
        200,
        json!({"rate_limit_and_credit_balance": {"estimated_num_videos_remaining": -3}}),
        None,
    );

    let out = run_cli(&sim, &["me"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_harmless("me stdout", &out.stdout);
    assert_harmless("me stderr", &out.stderr);
    let text = stdout(&out);
    assert!(text.starts_with(&format!("@{HOSTILE_SHOWN}u")), "{text}");
    assert!(text.contains(&format!("({HOSTILE_SHOWN})")), "{text}");
    for line in text.lines() {
        assert!(line.chars().count() <= 500, "not cut: {} chars", line.len());
    }
    assert!(text.contains("videos remaining: –"), "{text}");
    assert!(!text.contains("-3"), "{text}");

    let out = run_cli(&sim, &["me", "--json"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = json_lines("me --json", &out);
    assert_escaped("me --json", &out);
    assert_eq!(
        lines[0]["username"],
        username.as_str(),
        "the data is intact"
    );
    assert_eq!(lines[0]["email"], HOSTILE);
    assert_eq!(lines[0]["videos_remaining"], Value::Null);
}

#[tokio::test]
async fn pending_and_drafts_rows_are_sanitised_and_numbers_checked() {
    let sim = start_sim(|_| {}).await;
    let prompt = format!("{HOSTILE}{}", "p".repeat(5000));
    answer(
        &sim,
        "GET",
        "/nf/pending",
        200,
        json!([{"id": "task_evil01", "status": HOSTILE, "prompt": prompt, "progress_pct": "NaN"}]),
        None,
    );
    answer(
        &sim,
        "GET",
        "/project_y/profile/drafts",
        200,
        json!({"items": [
            {"id": "gen_evil01", "kind": "sora_draft", "prompt": prompt, "duration_s": "NaN",
             "created_at": 9.2e18},
            {"id": "gen_evil02", "kind": "sora_draft", "prompt": "negative", "duration_s": -5},
            {"id": "gen_evil03", "kind": "sora_draft", "prompt": "endless", "duration_s": "inf"},
        ], "cursor": null}),
        None,
    );

    let out = run_cli(&sim, &["pending"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_harmless("pending stdout", &out.stdout);
    let text = stdout(&out);
    let row = text
        .lines()
        .find(|l| l.starts_with("task_evil01"))
        .expect("the row");
    assert!(
        row.contains("ABCDEFGHIJKL…"),
        "status cut to its column: {row}"
    );
    assert!(row.contains(&format!("{HOSTILE_SHOWN}ppp")), "{row}");
    assert!(row.chars().count() < 120, "prompt cut: {row}");
    assert!(row.contains(" 0% "), "NaN progress shows as 0%: {row}");

    let out = run_cli(&sim, &["pending", "--json"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = json_lines("pending --json", &out);
    assert_escaped("pending --json", &out);
    assert_eq!(lines[0]["status"], HOSTILE);
    assert_eq!(lines[0]["prompt"], prompt.as_str());

    let out = run_cli(&sim, &["drafts"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_harmless("drafts stdout", &out.stdout);
    let text = stdout(&out);
    for id in ["gen_evil01", "gen_evil02", "gen_evil03"] {
        let row = text
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_else(|| panic!("no {id} row: {text}"));
        assert!(row.contains("  –  "), "no length shown as a dash: {row}");
        assert!(row.chars().count() < 120, "prompt cut: {row}");
    }
    for nonsense in ["NaN", "inf", "-5"] {
        assert!(!text.contains(nonsense), "{nonsense} shown: {text}");
    }
    assert!(text.contains(&format!("{HOSTILE_SHOWN}ppp")), "{text}");

    let out = run_cli(&sim, &["drafts", "--json"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = json_lines("drafts --json", &out);
    assert_escaped("drafts --json", &out);
    assert_eq!(lines[0]["prompt"], prompt.as_str());
}

#[tokio::test]
async fn error_and_retry_messages_are_sanitised_and_cut() {
    let sim = start_sim(|_| {}).await;
    let message = format!("{HOSTILE}{}", "x".repeat(5000));
    // One overloaded answer (retried, with a line saying so), then a refusal.
    answer(
        &sim,
        "GET",
        "/me",
        502,
        json!({"error": {"message": message}}),
        Some(1),
    );
    answer(
        &sim,
        "GET",
        "/me",
        400,
        json!({"error": {"message": message, "code": "evil"}}),
        None,
    );

    let out = run_cli(&sim, &["me"]).await;
    assert!(!out.status.success());
    assert_harmless("error stderr", &out.stderr);
    assert_harmless("error stdout", &out.stdout);
    let text = stderr(&out);
    let retry = text
        .lines()
        .find(|l| l.contains("(retry 1/"))
        .unwrap_or_else(|| panic!("no retry line: {text}"));
    assert!(retry.contains(HOSTILE_SHOWN), "{retry}");
    assert!(retry.chars().count() < 400, "retry line not cut: {retry}");
    let last = text.lines().last().expect("an error line");
    assert!(
        last.starts_with(
            "sora-tui: the service refused the request (HTTP 400): ABCDEFGHIJKL MNOxxx"
        ),
        "{last}"
    );
    assert!(
        last.chars().count() <= "sora-tui: ".len() + 300,
        "message not cut at 300: {} chars",
        last.chars().count()
    );

    sim.clear_faults();
    answer(
        &sim,
        "GET",
        "/me",
        400,
        json!({"error": {"message": message, "code": "evil"}}),
        None,
    );
    let out = run_cli(&sim, &["me", "--json"]).await;
    assert!(!out.status.success());
    let lines = json_lines("error --json", &out);
    let error = lines
        .iter()
        .find(|v| v["event"] == "error")
        .expect("an error event");
    let shown = error["message"].as_str().unwrap();
    assert!(shown.contains(HOSTILE_SHOWN), "{shown}");
    assert!(
        shown.chars().count() <= 300,
        "{} chars",
        shown.chars().count()
    );
    assert_harmless("error stderr (json)", &out.stderr);
}

#[tokio::test]
async fn wait_progress_and_failure_lines_are_sanitised() {
    let sim = start_sim(|_| {}).await;
    let reason = format!("{HOSTILE}{}", "r".repeat(5000));
    // The task is ours; one poll shows it running with a hostile status, the next failed
    // with a hostile reason.
    let script = |sim: &Sim| {
        sim.clear_faults();
        answer(
            sim,
            "POST",
            "/nf/create",
            200,
            json!({"id": "task_evil01"}),
            None,
        );
        answer(
            sim,
            "GET",
            "/nf/pending",
            200,
            json!([{"id": "task_evil01", "status": HOSTILE, "progress_pct": 0.5}]),
            Some(1),
        );
        answer(
            sim,
            "GET",
            "/nf/pending",
            200,
            json!([{"id": "task_evil01", "status": "failed", "failure_reason": reason}]),
            None,
        );
    };

    script(&sim);
    let out = run_cli(&sim, &["video", "a cat", "--wait"]).await;
    assert!(!out.status.success());
    assert_harmless("--wait stdout", &out.stdout);
    assert_harmless("--wait stderr", &out.stderr);
    let text = stderr(&out);
    let progress = text
        .lines()
        .find(|l| l.starts_with("task_evil01: ") && l.contains("50%"))
        .unwrap_or_else(|| panic!("no progress line: {text}"));
    assert!(progress.contains(HOSTILE_SHOWN), "{progress}");
    let last = text.lines().last().expect("a failure line");
    assert!(
        last.starts_with(&format!("sora-tui: task_evil01 failed: {HOSTILE_SHOWN}rrr")),
        "{last}"
    );
    assert!(last.chars().count() <= "sora-tui: ".len() + 300, "{last}");

    script(&sim);
    let out = run_cli(&sim, &["video", "a cat", "--wait", "--json"]).await;
    assert!(!out.status.success());
    let lines = json_lines("--wait --json", &out);
    assert_escaped("--wait --json", &out);
    let progress = lines
        .iter()
        .find(|v| v["event"] == "progress" && v["status"] == HOSTILE);
    assert!(
        progress.is_some(),
        "the status is intact in JSON: {lines:?}"
    );
    assert_harmless("--wait --json stderr", &out.stderr);
}

#[tokio::test]
async fn publish_answers_print_harmlessly() {
    let sim = start_sim(|_| {}).await;
    answer(
        &sim,
        "POST",
        "/project_y/post",
        200,
        json!({"post": {"id": "s_evil01", "permalink": format!("https://x.example/{HOSTILE}")}}),
        Some(1),
    );
    let out = run_cli(&sim, &["publish", "gen_x"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_harmless("publish stdout", &out.stdout);
    assert!(
        stdout(&out).starts_with("published s_evil01 "),
        "{}",
        stdout(&out)
    );

    // A post id that is not an id is refused; the refusal (which may quote the id, escaped)
    // is printed harmlessly.
    answer(
        &sim,
        "POST",
        "/project_y/post",
        200,
        json!({"post": {"id": format!("s_{HOSTILE}")}}),
        None,
    );
    let out = run_cli(&sim, &["publish", "gen_x"]).await;
    assert!(!out.status.success());
    assert_no_controls("publish stdout (refused)", &out.stdout);
    assert_no_controls("publish stderr (refused)", &out.stderr);
    let out = run_cli(&sim, &["publish", "gen_x", "--json"]).await;
    assert!(!out.status.success());
    let lines = json_lines("publish --json (refused)", &out);
    assert!(lines.iter().any(|v| v["event"] == "error"), "{lines:?}");
}
