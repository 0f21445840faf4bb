//! README promises that had no test: each is checked here on the real binary (in a pty, or
//! headless) or through the library, with external programs replaced by stand-in scripts that
//! record how they were run.
//!
//! - `Ctrl-E`: the prompt goes to `$VISUAL` (before `$EDITOR`) in a private temporary file and
//!   the edited text comes back and is what `Ctrl-S` sends.
//! - `o` on a downloaded draft: the `player` command of the config, its own arguments kept,
//!   `--` before the file, the file as an absolute path in `download_dir`.
//! - `y`: the share link reaches the terminal as an OSC 52 sequence.
//! - `notifications = "bell" | "osc9" | "off"`: how a finished task is announced.
//! - `proxy`, `HTTPS_PROXY` / `ALL_PROXY`, `user_agent`: a remote backend is reached through the
//!   proxy (a local recorder; see [`ProxyRecorder`] for why it answers every tunnel with 403),
//!   a loopback backend never is, an unusable proxy is refused, the User-Agent is the config's.
//! - `[keys]`, `[theme]`, `poll_interval_ms`: applied by the real binary.
//! - A panic in the UI itself restores the terminal.
//! - The 20 MB image and 200 MB video limits (sparse files: `set_len` makes them instantly).
//! - The headless `#fail`, `#nourl`, `#flicker` and `--timeout` paths, with their exit codes.

// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::harness::{WorkerHarness, fast_config};
use common::pty::{Pty, sora_command};
use common::{asset, client_for, requests_to, start_sim};
use serde_json::Value;
use sora_tui::api::{ApiError, DEFAULT_USER_AGENT};
use sora_tui::sim::Sim;
use sora_tui::store::Store;
use sora_tui::worker::{CameoEvent, CameoRequest, Event, Request};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

// ---- shared set-up ----

/// A sandboxed home: HOME and the XDG dirs in a fresh temp dir, a config file written on
/// request, and the binary run in it headless (nothing inherited but PATH).
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `~/.config/sora-tui/config.toml`.
    fn config(&self, text: &str) {
        let file = self.path().join("config/sora-tui/config.toml");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }

    /// The binary headless in this home, with `env` added; against `sim` when given.
    async fn run(&self, sim: Option<&Sim>, env: &[(&str, &str)], args: &[&str]) -> Output {
        let home = self.path();
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_sora-tui"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_STATE_HOME", home.join("state"))
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true)
            .args(args);
        if let Some(sim) = sim {
            cmd.env("SORA_BASE_URL", sim.base_url())
                .env("SORA_TOKEN", sim.token());
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        tokio::time::timeout(Duration::from_secs(90), cmd.output())
            .await
            .expect("command finishes")
            .expect("binary runs")
    }

    /// The binary on a pty in this home against `sim`, with `env` added.
    fn pty(&self, sim: &Sim, env: &[(&str, &str)]) -> Pty {
        let mut cmd = sora_command(self.path());
        cmd.env("SORA_BASE_URL", sim.base_url())
            .env("SORA_TOKEN", sim.token());
        for (k, v) in env {
            cmd.env(k, v);
        }
        Pty::spawn(cmd, 140, 40)
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The JSON lines a `--json` run printed.
fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn events<'a>(lines: &'a [Value], name: &str) -> Vec<&'a Value> {
    lines.iter().filter(|v| v["event"] == name).collect()
}

/// An executable shell script `name` in `dir` with `body` after the `#!/bin/sh` line.
fn stand_in(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let script = dir.join(name);
    std::fs::write(&script, format!("#!/bin/sh\n{body}")).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

/// Waits (at most 20 s) until `path` holds text `ready` accepts; panics with `context()`.
fn wait_file(path: &Path, ready: impl Fn(&str) -> bool, context: impl Fn() -> String) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && ready(&text)
        {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "{} never became ready; {}",
            path.display(),
            context()
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Types into the Prompt pane, which types from the start, and stops typing again: the
/// text, `Esc`, each waited for on screen (an `Esc` sent together with the next key would
/// read as Alt+key).
fn type_prompt(pty: &mut Pty, text: &str) {
    pty.wait_for("Prompt · typing", 10);
    pty.send(text.as_bytes());
    pty.wait_for(text, 10);
    pty.send(b"\x1b");
    pty.wait_until("typing to stop", 10, |s| !s.contains("Prompt · typing"));
}

/// From the start to the Drafts pane with the seeded draft listed: signed in, out of the
/// typing the program starts in, `4`.
fn to_the_seeded_draft(pty: &mut Pty) {
    pty.wait_for("@demo", 20);
    pty.leave_typing();
    pty.send(b"4");
    pty.wait_for("red fox", 20);
}

/// Opens help and waits for it. Everything the program wrote before it read this key is in
/// [`Pty::raw`] once the help shows: a sync point for asserting what was, or was not, sent.
fn sync_with_help(pty: &mut Pty) {
    pty.send(b"?");
    pty.wait_for("Help · sora-tui", 10);
}

/// Standard base64 decoding (no padding checks beyond `=`), to read an OSC 52 payload.
fn base64_decode(text: &str) -> Vec<u8> {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in text.bytes().take_while(|&c| c != b'=') {
        let v = T.iter().position(|&t| t == c).expect("a base64 character") as u32;
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    out
}

/// The payloads of every `ESC ] CODE ; … BEL` sequence in `raw`.
fn osc_payloads(raw: &[u8], code: &str) -> Vec<String> {
    let start = format!("\x1b]{code};");
    let text = String::from_utf8_lossy(raw);
    text.match_indices(&start)
        .filter_map(|(i, _)| {
            let rest = &text[i + start.len()..];
            rest.find('\x07').map(|end| rest[..end].to_string())
        })
        .collect()
}

/// BEL bytes that are not the end of an OSC sequence: the bell itself.
fn bare_bells(raw: &[u8]) -> usize {
    let mut count = 0;
    let mut i = 0;
    while i < raw.len() {
        if raw[i..].starts_with(b"\x1b]") {
            // Skip to the end of the OSC (BEL or ESC \).
            i += 2;
            while i < raw.len() && raw[i] != 0x07 && !raw[i..].starts_with(b"\x1b\\") {
                i += 1;
            }
            i += 1;
            continue;
        }
        if raw[i] == 0x07 {
            count += 1;
        }
        i += 1;
    }
    count
}

// ---- Ctrl-E: the $EDITOR round trip ----

#[test]
fn ctrl_e_edits_the_prompt_in_visual_and_the_edit_is_what_is_sent() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(start_sim(|_| {}));
    let home = Home::new();
    let tmp = home.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let log = home.path().join("visual.log");
    // Records how it was started and what the file held, then appends a line, as a user
    // editing the prompt would.
    let visual = stand_in(
        home.path(),
        "visual",
        &format!(
            "{{ echo \"argc=$#\"; printf '%s\\n' \"$1\"; echo '--- content'; cat \"$1\"; echo; echo '--- end'; }} >> '{log}'\n\
             printf '\\n%s\\n' 'edited by the stand-in' >> \"$1\"\n",
            log = log.display()
        ),
    );
    let editor_log = home.path().join("editor.log");
    let editor = stand_in(
        home.path(),
        "editor",
        &format!("echo ran >> '{}'\n", editor_log.display()),
    );
    let mut pty = home.pty(
        &sim,
        &[
            ("VISUAL", visual.to_str().unwrap()),
            ("EDITOR", editor.to_str().unwrap()),
            ("TMPDIR", tmp.to_str().unwrap()),
        ],
    );
    pty.wait_for("@demo", 20);
    pty.wait_for("Prompt · typing", 10);
    pty.send(b"a lighthouse");
    pty.wait_for("a lighthouse", 10);
    pty.send(b"\x05"); // Ctrl-E
    let record = wait_file(&log, |t| t.contains("--- end"), || pty.screen());
    pty.wait_for("edited by the stand-in", 20);

    let lines: Vec<&str> = record.lines().collect();
    assert_eq!(lines[0], "argc=1", "the file is the one argument: {record}");
    let file = Path::new(lines[1]);
    assert_eq!(file.parent(), Some(tmp.as_path()), "in $TMPDIR: {record}");
    let name = file.file_name().unwrap().to_str().unwrap();
    assert!(
        name.starts_with("sora-tui-prompt-") && name.ends_with(".txt"),
        "{name}"
    );
    assert_eq!(
        &lines[2..],
        ["--- content", "a lighthouse", "--- end"],
        "the editor got the typed prompt"
    );
    assert!(!file.exists(), "the temporary file is removed afterwards");
    assert!(!editor_log.exists(), "$VISUAL wins over $EDITOR");
    let raw = String::from_utf8_lossy(&pty.raw()).into_owned();
    let left = raw.find("\x1b[?1049l").expect("the UI left for the editor");
    assert!(
        raw[left..].contains("\x1b[?1049h"),
        "and came back afterwards"
    );

    // The edited text is the prompt now: Ctrl-S sends it as it came back.
    pty.send(b"\x13");
    pty.wait_for("submitted", 20);
    let creates = requests_to(&sim, "POST", "/nf/create");
    assert_eq!(creates.len(), 1);
    let sent = creates[0].json.as_ref().expect("a JSON create");
    assert_eq!(sent["prompt"], "a lighthouse\nedited by the stand-in");
    pty.send(b"\x03");
    assert!(pty.wait_exit(10).success());
}

// ---- the config in the real binary: download_dir, player, [keys], [theme] ----

#[test]
fn w_saves_into_download_dir_and_o_opens_the_file_with_the_configured_player() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(start_sim(|c| c.seed_drafts = 1));
    let home = Home::new();
    let log = home.path().join("player.log");
    // Named mpv, so the program puts `--` before the target (src/tui/player.rs).
    let player = stand_in(
        home.path(),
        "mpv",
        &format!(
            "{{ echo run; for a in \"$@\"; do printf '%s\\n' \"$a\"; done; }} >> '{}'\n",
            log.display()
        ),
    );
    let downloads = home.path().join("chosen downloads");
    home.config(&format!(
        "download_dir = {:?}\nplayer = \"{} --really-quiet\"\n",
        downloads.display().to_string(),
        player.display()
    ));
    let mut pty = home.pty(&sim, &[]);
    to_the_seeded_draft(&mut pty);
    pty.send(b"w");
    pty.wait_for("saved ", 20);
    let saved: Vec<PathBuf> = std::fs::read_dir(&downloads)
        .unwrap_or_else(|e| panic!("nothing in download_dir ({e}); screen:\n{}", pty.screen()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "mp4"))
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert_eq!(std::fs::read(&saved[0]).unwrap(), asset("sample.mp4"));
    assert!(
        !home.path().join("videos").exists(),
        "nothing went to the default folder"
    );

    pty.send(b"o");
    let argv = wait_file(&log, |t| t.lines().count() >= 4, || pty.screen());
    let argv: Vec<&str> = argv.lines().collect();
    let file = saved[0].display().to_string();
    assert_eq!(argv, ["run", "--really-quiet", "--", file.as_str()]);
    pty.send(b"q");
    assert!(pty.wait_exit(10).success());
}

#[test]
fn keys_from_the_config_replace_the_defaults() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(start_sim(|_| {}));
    let home = Home::new();
    home.config("[keys]\nquit = \"Q\"\n");
    let mut pty = home.pty(&sim, &[]);
    pty.wait_for("@demo", 20);
    pty.leave_typing();
    // `q` no longer quits: the key after it is still read and help opens.
    pty.send(b"q");
    sync_with_help(&mut pty);
    pty.send(b"\x1b");
    pty.wait_until("help to close", 10, |s| !s.contains("Help · sora-tui"));
    pty.send(b"Q");
    let status = pty.wait_exit(10);
    assert!(status.success(), "{status:?}");
    assert!(pty.cooked());
}

#[test]
fn theme_colours_from_the_config_are_drawn() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(start_sim(|_| {}));
    let home = Home::new();
    home.config("[theme]\nkey = \"#ff5555\"\n");
    let mut pty = home.pty(&sim, &[]);
    pty.wait_for("@demo", 20);
    pty.leave_typing();
    sync_with_help(&mut pty);
    // Read back what reached the terminal, cell by cell, with its colours.
    let mut screen = vt100::Parser::new(
        std::num::NonZeroU16::new(40).unwrap(),
        std::num::NonZeroU16::new(140).unwrap(),
        0,
    );
    screen.process(&pty.raw());
    let screen = screen.screen();
    let mut keys = String::new();
    for row in 0..40 {
        for col in 0..140 {
            match screen.cell(row, col) {
                Some(cell) if cell.fgcolor() == vt100::Color::Rgb(0xff, 0x55, 0x55) => {
                    keys.push_str(cell.contents());
                }
                _ => keys.push(' '),
            }
        }
        keys.push('\n');
    }
    // The help lists every key in the `key` role: the quit key among them.
    assert!(
        keys.split_whitespace().any(|k| k == "q"),
        "no key drawn in the theme's colour; cells in it:\n{keys}\nscreen:\n{}",
        pty.screen()
    );
    pty.send(b"\x03");
    assert!(pty.wait_exit(10).success());
}

#[tokio::test]
async fn poll_interval_ms_from_the_config_paces_wait() {
    // A video that cannot finish in time: the command polls until its own --timeout and
    // exits 6. With the config's 300 ms it polls several times within the 2 s; with the
    // default 2.5 s it could poll twice at most (at 0 s and at 2.5 s, past the deadline).
    let sim = start_sim(|c| c.speed = 0.01).await;
    let home = Home::new();
    home.config("poll_interval_ms = 300\n");
    let out = home
        .run(
            Some(&sim),
            &[],
            &["video", "a slow sunrise", "--wait", "--timeout", "2"],
        )
        .await;
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    let polls = requests_to(&sim, "GET", "/nf/pending").len();
    assert!(polls >= 3, "{polls} polls of /nf/pending in 2 s");
}

// ---- notifications ----

/// Submits a video in the TUI with `notifications` set (unless `None`), waits until it is
/// done and returns everything written to the terminal up to a later sync point.
fn raw_after_a_finished_task(notifications: Option<&str>) -> Vec<u8> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(start_sim(|_| {}));
    let home = Home::new();
    let mut config = "poll_interval_ms = 100\n".to_string();
    if let Some(n) = notifications {
        config.push_str(&format!("notifications = {n:?}\n"));
    }
    home.config(&config);
    let mut pty = home.pty(&sim, &[]);
    pty.wait_for("@demo", 20);
    type_prompt(&mut pty, "a ship in a bottle");
    assert_eq!(
        bare_bells(&pty.raw()),
        0,
        "no bell before anything finished"
    );
    pty.send(b"\x13");
    pty.wait_for("submitted", 20);
    pty.wait_for("done: a ship in a bottle", 30);
    sync_with_help(&mut pty);
    let raw = pty.raw();
    pty.send(b"\x03");
    assert!(pty.wait_exit(10).success());
    raw
}

#[test]
fn a_finished_task_rings_the_bell_by_default_and_with_bell() {
    for setting in [None, Some("bell")] {
        let raw = raw_after_a_finished_task(setting);
        assert_eq!(bare_bells(&raw), 1, "{setting:?}: one bell for one task");
        assert!(osc_payloads(&raw, "9").is_empty(), "{setting:?}");
    }
}

#[test]
fn a_finished_task_sends_osc9_with_osc9() {
    let raw = raw_after_a_finished_task(Some("osc9"));
    assert_eq!(
        osc_payloads(&raw, "9"),
        ["sora-tui: done: a ship in a bottle"]
    );
    assert_eq!(bare_bells(&raw), 0, "no bell besides");
}

#[test]
fn a_finished_task_is_silent_with_off() {
    let raw = raw_after_a_finished_task(Some("off"));
    assert_eq!(bare_bells(&raw), 0);
    assert!(osc_payloads(&raw, "9").is_empty());
}

// ---- y: OSC 52 ----

#[test]
fn y_copies_the_share_link_through_osc52() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(start_sim(|c| c.seed_drafts = 1));
    let home = Home::new();
    let mut pty = home.pty(&sim, &[]);
    to_the_seeded_draft(&mut pty);
    pty.send(b"p");
    pty.wait_for("published http://127.0.0.1:", 20);
    assert!(
        osc_payloads(&pty.raw(), "52").is_empty(),
        "nothing copied before y"
    );
    pty.send(b"y");
    // Nothing else to copy with in the sandbox (no display, no tmux): the terminal, and the
    // toast says only that it was sent.
    pty.wait_for("sent to the terminal (OSC 52)", 10);
    sync_with_help(&mut pty);
    let copies = osc_payloads(&pty.raw(), "52");
    assert_eq!(copies.len(), 1, "{copies:?}");
    let payload = copies[0]
        .strip_prefix("c;")
        .expect("to the clipboard selection");
    let link = String::from_utf8(base64_decode(payload)).unwrap();
    let post = requests_to(&sim, "POST", "/project_y/post");
    assert_eq!(post.len(), 1, "published once");
    // The link is built from the configured backend: the simulator's share page.
    let base = sim.base_url();
    let origin = &base[..base[7..].find('/').map_or(base.len(), |i| i + 7)];
    assert!(
        link.starts_with(&format!("{origin}/p/s_")) && link.len() > origin.len() + 5,
        "{link} is not on {origin}"
    );
    pty.send(b"\x03");
    assert!(pty.wait_exit(10).success());
}

#[test]
fn y_with_a_failing_copy_command_says_it_did_not_copy() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(start_sim(|c| c.seed_drafts = 1));
    let home = Home::new();
    home.config("copy_command = \"false\"\n");
    let mut pty = home.pty(&sim, &[]);
    to_the_seeded_draft(&mut pty);
    pty.send(b"p");
    pty.wait_for("published http://127.0.0.1:", 20);
    pty.send(b"y");
    pty.wait_for("could not copy: false failed", 10);
    assert!(
        osc_payloads(&pty.raw(), "52").is_empty(),
        "the configured command, not the terminal"
    );
    pty.send(b"\x03");
    assert!(pty.wait_exit(10).success());
}

// ---- a panic in the UI ----

// The switch exists only in debug builds of the binary (src/tui/mod.rs).
#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "the crash switch is compiled out of release builds"
)]
fn a_panic_in_the_ui_restores_the_terminal() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(start_sim(|_| {}));
    let home = Home::new();
    let mut pty = home.pty(&sim, &[("SORA_TEST_PANIC_UI", "1")]);
    let status = pty.wait_exit(20);
    assert!(!status.success(), "a panic is a failure: {status:?}");
    assert!(pty.cooked(), "the terminal is back in cooked mode");
    let raw = String::from_utf8_lossy(&pty.raw()).into_owned();
    let entered = raw
        .find("\x1b[?1049h")
        .expect("the UI took the alternate screen");
    let left = raw.rfind("\x1b[?1049l").expect("and left it");
    assert!(
        raw[entered..left].contains("Prompt"),
        "the UI was drawn before it crashed"
    );
    assert!(
        raw[left..].contains("a crash on purpose"),
        "the panic is printed on the normal screen, after the UI is gone:\n{}",
        &raw[left..]
    );
}

// ---- proxy and User-Agent ----

/// A stand-in HTTP proxy on loopback that records the head of every request it gets and
/// refuses each with 403. It cannot forward a tunnel: the backend behind a proxy is an https
/// host (plain http is refused off loopback), and no https backend is reachable without
/// leaving loopback; what these tests can check is that the client asks this proxy for it.
struct ProxyRecorder {
    url: String,
    heads: Arc<Mutex<Vec<String>>>,
}

impl ProxyRecorder {
    async fn start() -> ProxyRecorder {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let heads = Arc::new(Mutex::new(Vec::new()));
        let kept = heads.clone();
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
                        match conn.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    kept.lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&head).into_owned());
                    let _ = conn
                        .write_all(
                            b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        )
                        .await;
                    let _ = conn.shutdown().await;
                });
            }
        });
        ProxyRecorder { url, heads }
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

/// A header's value in a recorded request head.
fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// A remote (https, not loopback) backend; with a proxy set it is never resolved here.
const REMOTE: &str = "https://sora.invalid/backend";
const TOKEN: &str = "promise-test-token-0123456789";

#[tokio::test]
async fn the_config_proxy_carries_calls_to_a_remote_backend_and_wins_over_https_proxy() {
    let configured = ProxyRecorder::start().await;
    let from_env = ProxyRecorder::start().await;
    let home = Home::new();
    home.config(&format!(
        "proxy = {:?}\nuser_agent = \"promise-agent/1.0\"\n",
        configured.url
    ));
    let out = home
        .run(
            None,
            &[
                ("SORA_BASE_URL", REMOTE),
                ("SORA_TOKEN", TOKEN),
                ("HTTPS_PROXY", &from_env.url),
                ("ALL_PROXY", &from_env.url),
            ],
            &["me"],
        )
        .await;
    // The proxy refused the tunnel: the service could not be reached.
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let heads = configured.heads();
    assert!(!heads.is_empty(), "the configured proxy was not used");
    for head in &heads {
        assert!(
            head.starts_with("CONNECT sora.invalid:443 HTTP/1.1\r\n"),
            "{head:?}"
        );
        assert_eq!(header(head, "user-agent"), Some("promise-agent/1.0"));
        assert!(
            !head.contains(TOKEN),
            "the token travels inside the tunnel only"
        );
    }
    assert_eq!(from_env.heads(), Vec::<String>::new(), "the config wins");
}

#[tokio::test]
async fn https_proxy_and_all_proxy_apply_when_the_config_has_none() {
    for var in ["HTTPS_PROXY", "ALL_PROXY"] {
        let proxy = ProxyRecorder::start().await;
        let home = Home::new();
        let out = home
            .run(
                None,
                &[
                    ("SORA_BASE_URL", REMOTE),
                    ("SORA_TOKEN", TOKEN),
                    (var, &proxy.url),
                ],
                &["me"],
            )
            .await;
        assert_eq!(out.status.code(), Some(4), "{var}: {}", stderr(&out));
        let heads = proxy.heads();
        assert!(!heads.is_empty(), "{var} was not used");
        assert!(
            heads
                .iter()
                .all(|h| h.starts_with("CONNECT sora.invalid:443 ")),
            "{var}: {heads:?}"
        );
    }
}

#[tokio::test]
async fn a_loopback_backend_is_reached_directly_whatever_the_proxy_settings() {
    let sim = start_sim(|_| {}).await;
    let proxy = ProxyRecorder::start().await;
    let home = Home::new();
    home.config(&format!("proxy = {:?}\n", proxy.url));
    let out = home
        .run(
            Some(&sim),
            &[
                ("HTTPS_PROXY", &proxy.url),
                ("HTTP_PROXY", &proxy.url),
                ("ALL_PROXY", &proxy.url),
            ],
            &["me"],
        )
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(requests_to(&sim, "GET", "/me").len(), 1);
    assert_eq!(proxy.heads(), Vec::<String>::new());
}

#[tokio::test]
async fn an_unusable_proxy_is_refused_with_what_to_fix() {
    let home = Home::new();
    home.config("proxy = \"http://exa mple:80\"\n");
    let out = home
        .run(
            None,
            &[("SORA_BASE_URL", REMOTE), ("SORA_TOKEN", TOKEN)],
            &["me"],
        )
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is not usable") && stderr(&out).contains("fix `proxy`"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn user_agent_from_the_config_is_sent_on_every_call() {
    let sim = start_sim(|_| {}).await;
    let home = Home::new();
    home.config("user_agent = \"promise-agent/1.0\"\n");
    let out = home.run(Some(&sim), &[], &["me"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let agents: Vec<Option<String>> = sim
        .requests()
        .iter()
        .map(|r| {
            r.headers
                .iter()
                .find(|(k, _)| k == "user-agent")
                .map(|(_, v)| v.clone())
        })
        .collect();
    assert!(!agents.is_empty());
    assert!(
        agents
            .iter()
            .all(|a| a.as_deref() == Some("promise-agent/1.0")),
        "{agents:?}"
    );

    // Without it, the default (a desktop browser's).
    sim.clear_requests();
    let out = Home::new().run(Some(&sim), &[], &["me"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(sim.requests().iter().all(|r| {
        r.headers
            .iter()
            .any(|(k, v)| k == "user-agent" && v == DEFAULT_USER_AGENT)
    }));
}

// ---- size limits ----

const MIB: u64 = 1024 * 1024;

/// A copy of `asset` made `len` bytes long by `set_len`: the real header, then a hole (sparse,
/// so it takes no disk space and no time to write).
fn sparse_copy(dir: &Path, name: &str, asset_name: &str, len: u64) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, asset(asset_name)).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(len)
        .unwrap();
    path
}

#[tokio::test]
async fn an_image_over_20_mb_is_refused_before_any_upload() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let big = sparse_copy(dir.path(), "big.png", "image.png", 20 * MIB + 1);
    let big_arg = big.to_str().unwrap();
    let home = Home::new();
    for args in [
        ["image", "a cat", "--image", big_arg],
        ["video", "a cat", "--image", big_arg],
    ] {
        let out = home.run(Some(&sim), &[], &args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("more than the 20 MB allowed"),
            "{}",
            stderr(&out)
        );
    }
    // The client refuses it too (the Prompt pane's input image goes through it).
    let err = client_for(&sim).upload_image(&big).await.unwrap_err();
    assert!(
        matches!(&err, ApiError::InvalidInput(m) if m.contains("more than the 20 MB allowed")),
        "{err:?}"
    );
    assert_eq!(requests_to(&sim, "POST", "/uploads").len(), 0);
    assert_eq!(requests_to(&sim, "POST", "/nf/create").len(), 0);
    assert_eq!(requests_to(&sim, "POST", "/video_gen").len(), 0);

    // Exactly 20 MB is allowed: it passes the check and is sent.
    let exact = sparse_copy(dir.path(), "exact.png", "image.png", 20 * MIB);
    let out = home
        .run(
            Some(&sim),
            &[],
            &["image", "a cat", "--image", exact.to_str().unwrap()],
        )
        .await;
    assert!(
        !stderr(&out).contains("MB allowed"),
        "refused at the limit: {}",
        stderr(&out)
    );
    assert_eq!(requests_to(&sim, "POST", "/uploads").len(), 1);
}

#[tokio::test]
async fn a_cameo_video_over_200_mb_is_refused_before_any_upload() {
    let sim = start_sim(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let big = sparse_copy(dir.path(), "big.mp4", "sample.mp4", 200 * MIB + 1);
    // As the Cameos pane's `n` form sends it to the worker.
    let mut h = WorkerHarness::start_keeping(
        client_for(&sim),
        Store::new(dir.path().join("data")),
        fast_config(),
        |e| match e {
            Event::Cameo(event) => Some(event),
            _ => None,
        },
    );
    h.send(Request::Cameo(CameoRequest::Create {
        key: "k1".into(),
        video: big.clone(),
        clip: (0.0, 3.0),
    }))
    .await;
    let error = h
        .expect("CreateRejected", |e| match e {
            CameoEvent::CreateRejected { key, error } if key == "k1" => Some(error.clone()),
            _ => None,
        })
        .await;
    assert!(error.contains("more than the 200 MB allowed"), "{error}");
    h.shutdown().await;
    // And the client on its own.
    let err = client_for(&sim)
        .upload_cameo_video(&big, (0.0, 3.0))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ApiError::InvalidInput(m) if m.contains("more than the 200 MB allowed")),
        "{err:?}"
    );
    assert_eq!(requests_to(&sim, "POST", "/characters/upload").len(), 0);
}

// ---- headless keywords and --timeout ----

/// A headless `--json` run against `sim` that polls every 50 ms (through the config).
async fn run_json(sim: &Sim, args: &[&str]) -> (Output, Vec<Value>) {
    let home = Home::new();
    home.config("poll_interval_ms = 50\n");
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = home.run(Some(sim), &[], &all).await;
    let lines = json_lines(&out);
    (out, lines)
}

#[tokio::test]
async fn a_fail_video_exits_6_with_the_servers_reason() {
    let sim = start_sim(|_| {}).await;
    let (out, lines) = run_json(&sim, &["video", "a storm #fail", "--wait"]).await;
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    let errors = events(&lines, "error");
    assert_eq!(errors.len(), 1, "{lines:?}");
    let message = errors[0]["message"].as_str().unwrap();
    assert!(
        message.contains("failed") && message.contains("Generation failed"),
        "{message}"
    );
    assert!(events(&lines, "done").is_empty());
}

#[tokio::test]
async fn a_fail_image_exits_6_with_the_servers_reason() {
    let sim = start_sim(|_| {}).await;
    let (out, lines) = run_json(&sim, &["image", "a bowl #fail", "--wait"]).await;
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    let errors = events(&lines, "error");
    assert_eq!(errors.len(), 1, "{lines:?}");
    let message = errors[0]["message"].as_str().unwrap();
    assert!(message.contains("Image generation failed"), "{message}");
}

#[tokio::test]
async fn a_nourl_draft_is_waited_for_until_its_media_arrives() {
    let sim = start_sim(|_| {}).await;
    let out_dir = tempfile::tempdir().unwrap();
    let (out, lines) = run_json(
        &sim,
        &[
            "video",
            "a harbour #nourl",
            "--download",
            out_dir.path().to_str().unwrap(),
        ],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    // The draft was listed without media first (each such read is a "finishing" poll),
    // then with it, and the video was saved whole.
    let finishing = events(&lines, "progress")
        .iter()
        .filter(|p| p["status"] == "finishing")
        .count();
    assert!(finishing >= 1, "{lines:?}");
    let done = events(&lines, "done");
    assert_eq!(done.len(), 1, "{lines:?}");
    let file = done[0]["file"]
        .as_str()
        .unwrap_or_else(|| panic!("no file in {:?}", done[0]));
    assert_eq!(std::fs::read(file).unwrap(), asset("sample.mp4"));
}

#[tokio::test]
async fn a_flickering_task_is_followed_through_its_absence_to_its_draft() {
    // Slow enough that the moment the task is missing from pending spans several polls.
    let sim = start_sim(|c| c.speed = 40.0).await;
    let (out, lines) = run_json(&sim, &["video", "a tide pool #flicker", "--wait"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let statuses: Vec<&str> = events(&lines, "progress")
        .iter()
        .filter_map(|p| p["status"].as_str())
        .collect();
    // Running, then gone from pending (reported as finishing), then running again.
    let gone = statuses
        .iter()
        .position(|s| *s == "finishing")
        .unwrap_or_else(|| panic!("never missing: {statuses:?}"));
    assert!(statuses[..gone].contains(&"running"), "{statuses:?}");
    assert!(
        statuses[gone..].contains(&"running"),
        "it came back: {statuses:?}"
    );
    assert_eq!(events(&lines, "done").len(), 1, "{lines:?}");
}

#[tokio::test]
async fn wait_gives_up_at_its_timeout_with_exit_6() {
    let sim = start_sim(|c| c.speed = 0.01).await;
    let (out, lines) = run_json(
        &sim,
        &["video", "a glacier, slowly", "--wait", "--timeout", "1"],
    )
    .await;
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    let errors = events(&lines, "error");
    assert_eq!(errors.len(), 1, "{lines:?}");
    let message = errors[0]["message"].as_str().unwrap();
    assert!(
        message.contains("did not finish within 1 s") && message.contains("sora-tui pending"),
        "{message}"
    );
    // Without --json, the same on stderr.
    let home = Home::new();
    home.config("poll_interval_ms = 50\n");
    let out = home
        .run(
            Some(&sim),
            &[],
            &["image", "a glacier", "--wait", "--timeout", "1"],
        )
        .await;
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("did not finish within 1 s"),
        "{}",
        stderr(&out)
    );
}
