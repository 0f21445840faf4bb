//! The built binary names a headless `--download` by the date, a slug of the prompt and a
//! short id (or by the config's `file_name` template), in the zone `TZ` names.

// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Output;

use common::*;
use sora_tui::sim::Sim;
use sora_tui::text::{Zone, local_day, unix_now};

/// A zone whose day is not UTC's now: 12 hours behind in the UTC morning, 13 ahead in the
/// afternoon, so a name dated in UTC cannot pass for a local one.
fn other_day_zone() -> &'static str {
    let utc_hour = (unix_now() as u64 % 86_400) / 3600;
    if utc_hour < 12 { "<-12>12" } else { "<+13>-13" }
}

/// `sora-tui ARGS` in a sandbox like `common::run_cli`, with `TZ` and a config file.
async fn run(sim: &Sim, home: &Path, tz: &str, config: &str, args: &[&str]) -> Output {
    let config_dir = home.join("config").join("sora-tui");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(config_dir.join("config.toml"), config).unwrap();
    let mut cmd = bin::cli_command(sim, home);
    cmd.env("TZ", tz).args(args);
    bin::output_within(cmd, 60).await
}

/// The saved file's name and the generation id, from the `done` event.
fn saved(out: &Output) -> (String, String) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let done = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["event"] == "done")
        .unwrap_or_else(|| panic!("no done event in {stdout}"));
    let file = done["file"].as_str().expect("a file").to_string();
    let name = Path::new(&file)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    (name, done["generation_id"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn a_headless_download_is_named_by_date_prompt_and_short_id() {
    let sim = start_sim(|_| {}).await;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("out");
    let tz = other_day_zone();
    let zone = Zone::from_tz(tz).unwrap();
    let before = local_day(unix_now(), &zone).unwrap();
    let args = [
        "video",
        "A golden retriever, surfing!",
        "--download",
        dir.to_str().unwrap(),
        "--json",
    ];
    let out = run(&sim, home.path(), tz, "", &args).await;
    let after = local_day(unix_now(), &zone).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (name, gen_id) = saved(&out);
    let short: String = gen_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let short = &short[short.len() - 4..];
    let expect = |day: &str| format!("{day}_a-golden-retriever-surfing_{short}.mp4");
    assert!(
        name == expect(&before) || name == expect(&after),
        "{name} is not {}",
        expect(&before)
    );
    assert!(dir.join(&name).is_file());

    // The config's template.
    let out = run(
        &sim,
        home.path(),
        tz,
        "file_name = \"{slug}--{id}\"\n",
        &args,
    )
    .await;
    assert!(out.status.success());
    let (name, gen_id) = saved(&out);
    assert_eq!(name, format!("a-golden-retriever-surfing-{gen_id}.mp4"));
}
