//! Hostile local files given to the real binary: a named pipe or `/dev/zero` where a
//! storyboard, a config file or an input image should be. Each is refused at once with a
//! message, and the process ends when its command or its UI does. Every run is bounded: a
//! regression fails the test instead of hanging the suite.

// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::pty::{Pty, sora_command};

/// Creates a named pipe nobody writes to: opening it for reading blocks.
fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: `c` is a valid NUL-terminated path that outlives the call.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}

/// Runs `cmd` to its end, or kills it and fails when it is still running after `secs`.
fn run_bounded(mut cmd: Command, secs: u64) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let deadline = Instant::now() + Duration::from_secs(secs);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "the command did not end within {secs} s (it blocked); stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

#[test]
fn the_storyboard_command_refuses_a_fifo_and_dev_zero() {
    let home = tempfile::tempdir().unwrap();
    let fifo = home.path().join("pipe.storyboard.toml");
    mkfifo(&fifo);
    for (file, says) in [
        (fifo.as_path(), "is a named pipe (FIFO), not a regular file"),
        (Path::new("/dev/zero"), "is a device, not a regular file"),
    ] {
        let mut cmd = sora_command(home.path());
        cmd.args(["--demo", "storyboard", "--dry-run"]).arg(file);
        let out = run_bounded(cmd, 30);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
    }
}

#[test]
fn a_fifo_as_the_config_file_is_reported_and_the_defaults_apply() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config/sora-tui/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    mkfifo(&config);
    let mut cmd = sora_command(home.path());
    cmd.args(["--demo", "me"]);
    let out = run_bounded(cmd, 30);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("is a named pipe (FIFO), not a regular file")
            && stderr.contains("the defaults are used"),
        "{stderr}"
    );
}

/// The UI opens the storyboard given on the command line; a named pipe there is refused on
/// screen, and quitting ends the process (it once stayed alive, blocked on the pipe, after
/// the terminal was restored).
#[test]
fn a_fifo_storyboard_is_refused_in_the_ui_and_quitting_ends_the_process() {
    let home = tempfile::tempdir().unwrap();
    let fifo = home.path().join("pipe.storyboard.toml");
    mkfifo(&fifo);
    let mut cmd = sora_command(home.path());
    cmd.arg("--demo").arg(&fifo);
    let mut pty = Pty::spawn(cmd, 200, 40);
    pty.wait_for("Storyboard", 20);
    pty.wait_for("named pipe", 20);
    pty.send(b"\x03");
    let status = pty.wait_exit(20);
    assert!(status.success(), "{status:?}:\n{}", pty.screen());
    assert!(pty.cooked(), "the terminal is back in cooked mode");
}

/// The client's upload readers check the type before opening: a named pipe as the input image
/// or the cameo video is refused at once, and so is `/dev/zero`; a HEIC photo named `.mp4` is
/// not taken for a video. The runtime is shut down without waiting, so a reader stuck on the
/// pipe fails the test instead of hanging it.
#[test]
fn uploads_refuse_pipes_devices_and_photos_posing_as_videos() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let outcome = runtime.block_on(uploads_refuse());
    runtime.shutdown_timeout(Duration::from_secs(1));
    outcome.unwrap();
}

async fn uploads_refuse() -> Result<(), String> {
    let sim = common::start_sim(|_| {}).await;
    let client = common::client_for(&sim);
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("image.png");
    mkfifo(&fifo);
    let bounded = Duration::from_secs(20);
    type Upload = Result<Result<String, sora_tui::api::ApiError>, tokio::time::error::Elapsed>;
    let refused = |what: &str, r: Upload| -> Result<(), String> {
        match r {
            Err(_) => Err(format!("{what}: the check blocked")),
            Ok(Ok(_)) => Err(format!("{what}: uploaded")),
            Ok(Err(e)) if e.to_string().contains("not a regular file") => Ok(()),
            Ok(Err(e)) => Err(format!("{what}: {e}")),
        }
    };
    for path in [fifo.as_path(), Path::new("/dev/zero")] {
        let shown = path.display();
        let r = tokio::time::timeout(bounded, client.upload_image(path)).await;
        refused(&format!("image {shown}"), r)?;
        let r = tokio::time::timeout(bounded, client.upload_cameo_video(path, (0.0, 3.0))).await;
        refused(&format!("video {shown}"), r)?;
    }
    let heic = dir.path().join("IMG_0001.mp4");
    let mut photo = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    photo.extend_from_slice(&[0; 64]);
    std::fs::write(&heic, photo).unwrap();
    match client.upload_cameo_video(&heic, (0.0, 3.0)).await {
        Err(e)
            if e.to_string()
                .contains("is a HEIC/HEIF image, not an MP4 video") => {}
        other => return Err(format!("HEIC as a cameo video: {other:?}")),
    }
    assert!(common::requests_to(&sim, "POST", "/characters/upload").is_empty());
    assert!(common::requests_to(&sim, "POST", "/uploads").is_empty());
    Ok(())
}
