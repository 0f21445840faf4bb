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
