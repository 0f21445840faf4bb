//! Security properties that would break silently: the token never reaches a media host, never
//! appears in logs or error text, and hostile server data cannot escape its place.

mod common;

use common::*;
use sora_tui::api::VideoSettings;

#[tokio::test]
async fn authorization_is_never_sent_to_a_media_host() {
    // Media on a second loopback address, as a CDN would be another host.
    let sim = start_sim(|c| c.media_ip = Some("127.0.0.2".parse().unwrap())).await;
    let client = client_for(&sim);
    let task = client
        .create_video("a cat", VideoSettings::default(), None)
        .await
        .unwrap();
    let draft = eventually(30, || async {
        client
            .drafts(30, None)
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|d| d.task_id.as_deref() == Some(task.as_str()) && d.best_url().is_some())
    })
    .await;
    let url = draft.best_url().unwrap().to_string();
    assert!(
        url.starts_with("http://127.0.0.2:"),
        "media on the second host: {url}"
    );
    let dir = tempfile::tempdir().unwrap();
    client
        .download(&url, &dir.path().join("v.mp4"), |_, _| {})
        .await
        .unwrap();
    let media: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/media"))
        .collect();
    assert!(!media.is_empty(), "the media host was reached");
    for r in media {
        assert_eq!(
            r.header("authorization"),
            None,
            "token sent to the media host"
        );
        assert!(r.headers.iter().all(|(_, v)| !v.contains(&sim.token())));
    }
    // The backend calls did carry it.
    assert!(
        requests_to(&sim, "POST", "/nf/create")[0]
            .header("authorization")
            .is_some()
    );
}

#[test]
fn the_log_file_never_holds_the_token() {
    // Run real commands with debug logging against a backend that rejects the token, and
    // read the log they wrote.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(start_sim(|_| {}));
    let home = tempfile::tempdir().unwrap();
    let secret = "eyJhbGciOiJSUzI1NiJ9.very-secret-payload.signature";
    for (token, args) in [
        (sim.token(), vec!["me"]),
        (secret.to_string(), vec!["pending"]),
    ] {
        let out = common::pty::sora_command(home.path())
            .env("SORA_BASE_URL", sim.base_url())
            .env("SORA_TOKEN", &token)
            .env("SORA_LOG", "trace")
            .args(&args)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!text.contains(&token), "token on the terminal: {text}");
    }
    let log = std::fs::read_to_string(home.path().join("state/sora-tui/sora-tui.log"))
        .expect("a log was written");
    assert!(log.contains("backend call"), "the log has content: {log}");
    assert!(
        !log.contains(secret) && !log.contains(&sim.token()),
        "token in the log"
    );
}

#[test]
fn login_and_the_stored_token_never_reach_the_terminal_or_the_log() {
    // login with trace logging, then commands that use the stored token, one of which the
    // backend rejects; nothing printed or logged may hold the token.
    use std::io::Write;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(start_sim(|_| {}));
    let home = tempfile::tempdir().unwrap();
    let rejected = "eyJhbGciOiJSUzI1NiJ9.stored-but-rejected.signature";
    for (token, command) in [(sim.token(), "me"), (rejected.to_string(), "pending")] {
        for args in [vec!["login"], vec![command], vec!["logout"]] {
            let mut child = common::pty::sora_command(home.path())
                .env("SORA_BASE_URL", sim.base_url())
                .env("SORA_LOG", "trace")
                .args(&args)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(token.as_bytes()).unwrap();
            drop(stdin);
            let out = child.wait_with_output().unwrap();
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                !text.contains(&token),
                "token on the terminal ({args:?}): {text}"
            );
        }
    }
    let log = std::fs::read_to_string(home.path().join("state/sora-tui/sora-tui.log"))
        .expect("a log was written");
    assert!(log.contains("token stored"), "the login was logged: {log}");
    assert!(log.contains("backend call"), "the calls were logged: {log}");
    assert!(
        !log.contains(rejected) && !log.contains(&sim.token()),
        "token in the log"
    );
}

#[test]
fn debug_output_of_configs_clients_and_errors_is_redacted() {
    use sora_tui::api::{AccessToken, ApiError, Client, ClientConfig};
    let secret = "eyJhbGciOiJSUzI1NiJ9.debug-secret-payload.signature";
    let token = AccessToken::new(secret).unwrap();
    let config = ClientConfig::new("http://127.0.0.1:9/backend", token.clone());
    let client = Client::new(config.clone()).unwrap();
    let file_config = sora_tui::config::Config::parse(&format!("token = {secret:?}\n")).unwrap();
    let errors = [
        ApiError::MissingToken {
            config_hint: "x".into(),
        },
        ApiError::Auth {
            detail: "token_invalidated".into(),
        },
    ];
    let mut shown = vec![
        format!("{token:?} {token}"),
        format!("{config:?}"),
        format!("{config:#?}"),
        format!("{client:?}"),
        format!("{file_config:?}"),
    ];
    shown.extend(errors.iter().map(|e| format!("{e:?} {e}")));
    for s in shown {
        assert!(!s.contains("debug-secret-payload"), "token shown: {s}");
    }
}

#[test]
fn hostile_server_text_never_reaches_the_terminal() {
    // The simulator echoes prompts back in drafts and tasks, so a prompt full of escape
    // sequences is a hostile server response: a title change, a screen clear, a hyperlink.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(start_sim(|_| {}));
    let hostile =
        "evil\x1b]0;pwned-title\x07 \x1b[2J\x1b]8;;http://x.test\x07link\x1b]8;;\x07 \u{9b}31m end";
    let client = client_for(&sim);
    rt.block_on(async {
        let task = client
            .create_video(hostile, VideoSettings::default(), None)
            .await
            .unwrap();
        eventually(30, || async {
            let drafts = client.drafts(30, None).await.unwrap().items;
            drafts
                .into_iter()
                .find(|d| d.task_id.as_deref() == Some(task.as_str()))
        })
        .await;
    });
    let home = tempfile::tempdir().unwrap();
    // The headless listing prints server text itself (no terminal library in between).
    let out = common::pty::sora_command(home.path())
        .env("SORA_BASE_URL", sim.base_url())
        .env("SORA_TOKEN", sim.token())
        .arg("drafts")
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(listing.contains("evil"), "{listing}");
    assert!(
        !listing.contains('\x1b') && !listing.contains('\x07') && !listing.contains('\u{9b}'),
        "{listing:?}"
    );
    // The interactive UI: ratatui drops control characters too, and the UI sanitises first.
    let mut cmd = common::pty::sora_command(home.path());
    cmd.env("SORA_BASE_URL", sim.base_url())
        .env("SORA_TOKEN", sim.token());
    let mut pty = common::pty::Pty::spawn(cmd, 120, 40);
    pty.wait_for("@demo", 20);
    pty.send(b"4");
    pty.wait_for("evil", 20);
    pty.send(b"\r"); // details, with the full prompt
    pty.wait_for("end", 10);
    pty.send(b"q");
    pty.wait_exit(10);
    let raw = String::from_utf8_lossy(&pty.raw()).into_owned();
    for injected in ["pwned-title\x07", "\x1b]0;", "\x1b]8;", "\x1b[2J\x1b]"] {
        assert!(!raw.contains(injected), "{injected:?} reached the terminal");
    }
    assert!(!raw.contains('\u{9b}'), "a C1 CSI reached the terminal");
    assert!(pty.screen().is_empty() || !pty.screen().contains("pwned-title"));
}
