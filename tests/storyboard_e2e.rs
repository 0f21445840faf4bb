//! The real binary in a pseudo-terminal: a storyboard written, re-timed, reordered, undone,
//! redone, saved, reopened after a restart and submitted entirely by keys, checked against
//! what the simulator received; the autosave surviving `kill -9`; a file given on the command
//! line. Waits are bounded polls of the screen or the disk, never fixed sleeps asserted on.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::pty::{Pty, sora_command};
use common::{requests_to, start_sim};

/// The exact text the storyboard below must send (docs/api.md#storyboard-prompt-text): the
/// three shots as re-timed by `f` (5.0 + 5.5 + 1.0 s scaled to 10 s, the 1.0 s shot kept at its
/// minimum).
const EXPECTED: &str = "current timeline:\nShot 1:\nduration: 3.2sec\nScene: cat skydives from a plane\n\nShot 2:\nduration: 3.6sec\nScene: cat lands in a haystack\n\nShot 3:\nduration: 3.2sec\nScene: cat walks home\n\ninstructions:\nA cat's adventure";

const ESC: &[u8] = b"\x1b";
const CTRL_R: &[u8] = b"\x12";
const CTRL_S: &[u8] = b"\x13";

/// The binary against the simulator at `base_url`, in `home`.
fn against_sim(home: &Path, base_url: &str, token: &str) -> Pty {
    let mut cmd = sora_command(home);
    cmd.env("SORA_BASE_URL", base_url)
        .env("SORA_TOKEN", token)
        .env("SORA_POLL_INTERVAL_MS", "50");
    Pty::spawn(cmd, 120, 40)
}

/// Esc, then waits until the editor has closed.
fn finish(pty: &mut Pty) {
    pty.send(ESC);
    pty.wait_gone("· typing", 10);
}

/// Types a scene or the instructions after the key that opens the editor, then finishes.
fn write(pty: &mut Pty, opener: &[u8], text: &str) {
    pty.send(opener);
    pty.wait_for("· typing", 10);
    pty.send(text.as_bytes());
    finish(pty);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storyboard_written_by_keys_is_sent_exactly() {
    let sim = start_sim(|_| {}).await;
    let home = tempfile::tempdir().unwrap();
    let (base_url, token) = (sim.base_url(), sim.token());
    let home_path = home.path().to_path_buf();
    // The pty is driven from a blocking thread; the simulator keeps running on the runtime.
    tokio::task::spawn_blocking(move || {
        let mut pty = against_sim(&home_path, &base_url, &token);
        pty.wait_for("@demo", 20);
        pty.leave_typing();
        pty.send(b"2");
        pty.wait_for("No shots yet", 10);

        write(&mut pty, b"i", "A cat's adventure");
        write(&mut pty, b"a", "cat skydives from a plane");
        write(&mut pty, b"a", "cat lands");
        write(&mut pty, b"a", "cat walks home");
        pty.wait_for("cat walks home", 10);
        // Shot 2 gets more words, and a second shorter and then longer.
        pty.send(b"k");
        write(&mut pty, b"\r", " in a haystack");
        pty.send(b"-");
        pty.send(b"+");
        pty.send(b"+");
        pty.wait_for("3.8 s", 10);
        // Reorder, undo it, redo it, undo it again: the original order is back.
        pty.send(b"K");
        pty.send(b"u");
        pty.send(CTRL_R);
        pty.send(b"u");
        // 3.3 + 3.8 + 3.4 = 10.5 s of 10 (new shots share the length evenly, then one was
        // timed by hand): refused, with the way out.
        pty.send(CTRL_S);
        pty.wait_for("not sent: shots add up to 10.5 s, not 10 s", 10);
        pty.send(b"f");
        pty.wait_for("fits", 10);
        // Save under a name.
        pty.send(b"W");
        pty.send(b"cat-adventure");
        pty.send(b"\r");
        pty.wait_for("saved cat-adventure", 10);
        pty.send(b"q");
        assert!(pty.wait_exit(10).success(), "{}", pty.screen());

        // Restart: start a new storyboard, then reopen the saved one from the picker.
        let mut pty = against_sim(&home_path, &base_url, &token);
        pty.wait_for("@demo", 20);
        pty.leave_typing();
        pty.send(b"2");
        pty.wait_for("cat-adventure", 10);
        pty.send(b"N");
        pty.wait_for("No shots yet", 10);
        pty.send(b"O");
        pty.wait_for("3 shots · 10.0/10 s", 10);
        pty.send(b"\r");
        pty.wait_for("opened cat-adventure", 10);
        // The exact text, then send it from the preview.
        pty.send(b"p");
        pty.wait_for("Exact prompt", 10);
        pty.wait_for("duration: 3.2sec", 10);
        pty.send(CTRL_S);
        pty.wait_for("submitted task_", 20);
        // The task in Tasks, then its video in Drafts.
        pty.send(b"3");
        pty.wait_for("storyboard", 10);
        pty.wait_for("done", 60);
        pty.send(b"4");
        pty.wait_for("ready", 30);
        pty.wait_for("current timeline: Shot 1", 10);
        pty.send(b"q");
        assert!(pty.wait_exit(10).success(), "{}", pty.screen());
        assert!(pty.cooked(), "the terminal is restored");
    })
    .await
    .unwrap();

    let sent = requests_to(&sim, "POST", "/nf/create/storyboard");
    assert_eq!(
        sent.len(),
        1,
        "one submission, none while it did not add up"
    );
    let body = sent[0].json.as_ref().expect("a JSON body");
    assert_eq!(body["prompt"], EXPECTED);
    assert_eq!(body["n_frames"], 300);
    assert_eq!(body["title"], "Draft your video");
    let saved = home
        .path()
        .join("data/sora-tui/storyboards/cat-adventure.storyboard.toml");
    let file = sora_tui::storyboard::from_toml(&std::fs::read_to_string(saved).unwrap()).unwrap();
    assert_eq!(file.prompt_text(), EXPECTED, "the file holds what was sent");
    sim.shutdown().await;
}

/// Polls `path` until it contains `text`, at most `secs` seconds.
fn wait_for_file(path: &Path, text: &str, secs: u64) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if std::fs::read_to_string(path).is_ok_and(|t| t.contains(text)) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} never contained {text:?}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn typing_survives_kill_9() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = sora_command(home.path());
    cmd.args(["--demo"]);
    let mut pty = Pty::spawn(cmd, 100, 30);
    pty.wait_for("Prompt", 20);
    pty.leave_typing();
    pty.send(b"2");
    pty.wait_for("No shots yet", 10);
    pty.send(b"a");
    pty.send(b"half a scene, still typing");
    pty.wait_for("half a scene, still typing", 10);
    // Still in the editor, nothing finished: the autosave reaches the disk on its own
    // (within a fraction of a second; the bound here is generous for slow machines).
    let autosave = home.path().join("data/sora-tui/demo/storyboard.json");
    wait_for_file(&autosave, "half a scene, still typing", 10);
    // SAFETY: sending a signal to our own child.
    unsafe { libc::kill(pty.pid() as i32, libc::SIGKILL) };
    pty.wait_exit(10);

    let mut cmd = sora_command(home.path());
    cmd.args(["--demo"]);
    let mut again = Pty::spawn(cmd, 100, 30);
    again.wait_for("Prompt", 20);
    again.leave_typing();
    again.send(b"2");
    again.wait_for("half a scene, still typing", 10);
    again.send(b"\x03");
    assert!(again.wait_exit(10).success());
}

#[test]
fn a_file_on_the_command_line_opens_in_the_pane() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("dog.storyboard.toml");
    std::fs::write(
        &file,
        "version = 1\ninstructions = \"A dog's day\"\n\n[[shot]]\nduration = 10.0\nscene = \"dog chases its tail\"\n",
    )
    .unwrap();
    let mut cmd = sora_command(home.path());
    cmd.arg("--demo").arg(&file);
    let mut pty = Pty::spawn(cmd, 100, 30);
    pty.wait_for("opened dog", 20);
    pty.wait_for("dog chases its tail", 10);
    pty.wait_for("Storyboard · dog", 10);
    // An inline-form text file is imported the same way, through `I`.
    let idea = home.path().join("idea.txt");
    std::fs::write(&idea, "A cat's adventure [5.0s]cat jumps [5.0s]cat lands").unwrap();
    pty.send(b"I");
    pty.send(idea.to_string_lossy().as_bytes());
    pty.send(b"\r");
    pty.wait_for("imported 2 shots from idea.txt", 10);
    pty.wait_for("cat jumps", 10);
    pty.send(b"\x03");
    assert!(pty.wait_exit(10).success());
}
