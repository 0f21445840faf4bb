//! `--log-file PATH` puts the log there instead of the state dir.

mod common;

#[tokio::test]
async fn the_log_goes_where_log_file_says() {
    let sim = common::start_sim(|_| {}).await;
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("elsewhere/my.log");
    let mut cmd = common::bin::cli_command(&sim, home.path());
    cmd.arg("--log-file")
        .arg(&log)
        .arg("me")
        .env("SORA_LOG", "info,sora_tui=debug");
    let out = common::bin::output_within(cmd, 60).await;
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(&log).expect("the log is at --log-file");
    assert!(!text.is_empty());
    assert!(
        !home.path().join("state/sora-tui/sora-tui.log").exists(),
        "and not in the state dir"
    );
}

/// `login` and `logout` log where `--log-file` says too (they run before any session).
#[tokio::test]
async fn login_and_logout_log_where_log_file_says() {
    let sim = common::start_sim(|_| {}).await;
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("elsewhere/login.log");
    let mut cmd = common::bin::cli_command(&sim, home.path());
    cmd.arg("--log-file")
        .arg(&log)
        .arg("login")
        .env("SORA_LOG", "info")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    {
        use tokio::io::AsyncWriteExt;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(sim.token().as_bytes()).await.unwrap();
        stdin.write_all(b"\n").await.unwrap();
    }
    let out = tokio::time::timeout(std::time::Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("login finishes")
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(&log).expect("login's log is at --log-file");
    assert!(text.contains("token stored"), "{text}");
    let mut cmd = common::bin::cli_command(&sim, home.path());
    cmd.arg("--log-file")
        .arg(&log)
        .arg("logout")
        .env("SORA_LOG", "info");
    let out = common::bin::output_within(cmd, 60).await;
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("stored token removed"), "{text}");
    assert!(
        !home.path().join("state/sora-tui/sora-tui.log").exists(),
        "and not in the state dir"
    );
}
