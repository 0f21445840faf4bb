//! `sora-tui login` / `logout` and the token resolution order, on the real binary with its
//! XDG dirs in a temporary home.

// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use common::pty::{Pty, sora_command};

/// Where `login` keeps the token under the test home.
fn stored(home: &Path) -> PathBuf {
    home.join("config/sora-tui/token")
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Runs the binary with `stdin` piped in and the simulator as backend.
fn run(home: &Path, base_url: &str, args: &[&str], stdin: &str, envs: &[(&str, &str)]) -> Output {
    let mut cmd = sora_command(home);
    cmd.env("SORA_BASE_URL", base_url)
        .args(args)
        .envs(envs.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn sim() -> (tokio::runtime::Runtime, sora_tui::sim::Sim) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(common::start_sim(|_| {}));
    (rt, sim)
}

#[test]
fn login_stores_a_private_file_that_me_uses_and_logout_removes() {
    let (_rt, sim) = sim();
    let home = tempfile::tempdir().unwrap();
    let url = sim.base_url();
    let token = sim.token();

    let out = run(home.path(), &url, &["login"], &format!("{token}\n"), &[]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        !stdout.contains(&token) && !stderr.contains(&token),
        "token echoed: {stdout}{stderr}"
    );
    let path = stored(home.path());
    // Exact modes: the test fails if either were widened.
    assert_eq!(mode(&path), 0o600, "token file mode");
    assert_eq!(mode(path.parent().unwrap()), 0o700, "config dir mode");
    assert_eq!(std::fs::read_to_string(&path).unwrap().trim(), token);

    let out = run(home.path(), &url, &["me"], "", &[]);
    let (stdout, stderr) = text(&out);
    assert!(
        out.status.success(),
        "me with the stored token: {stdout}{stderr}"
    );
    assert!(!stderr.contains("warning"), "{stderr}");

    let out = run(home.path(), &url, &["logout"], "", &[]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(!path.exists(), "logout removed the file");
    let out = run(home.path(), &url, &["me"], "", &[]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "no token any more: {stderr}");
    assert!(stderr.contains("sora-tui login"), "{stderr}");
    // A second logout is not an error.
    assert!(
        run(home.path(), &url, &["logout"], "", &[])
            .status
            .success()
    );
}

#[test]
fn a_widened_token_file_is_warned_about_and_fixed_by_login() {
    let (_rt, sim) = sim();
    let home = tempfile::tempdir().unwrap();
    let url = sim.base_url();
    assert!(
        run(home.path(), &url, &["login"], &sim.token(), &[])
            .status
            .success()
    );
    let path = stored(home.path());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();

    let out = run(home.path(), &url, &["me"], "", &[]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warnings.len(), 1, "one line: {stderr}");
    assert!(
        warnings[0].contains("0644") && warnings[0].contains("chmod 600"),
        "{stderr}"
    );

    // The same warning for any token file, e.g. --token-file.
    let loose = home.path().join("loose-token");
    std::fs::write(&loose, sim.token()).unwrap();
    std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o640)).unwrap();
    let loose_arg = loose.to_str().unwrap();
    let out = run(
        home.path(),
        &url,
        &["--token-file", loose_arg, "me"],
        "",
        &[],
    );
    assert!(text(&out).1.contains("0640"), "{:?}", text(&out));

    // login never writes into the wide file: it replaces it with a 0600 one and says so.
    let out = run(home.path(), &url, &["login"], &sim.token(), &[]);
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("0644"), "{stderr}");
    assert_eq!(mode(&path), 0o600);
    let out = run(home.path(), &url, &["me"], "", &[]);
    assert!(!text(&out).1.contains("warning"), "{:?}", text(&out));
}

#[test]
fn login_refuses_what_is_not_a_token() {
    let home = tempfile::tempdir().unwrap();
    for bad in ["", "   \n", "two words\n", "line one\nline two\n"] {
        let out = run(
            home.path(),
            "http://127.0.0.1:9/backend",
            &["login"],
            bad,
            &[],
        );
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {:?}", text(&out));
        assert!(!stored(home.path()).exists());
    }
}

#[test]
fn resolution_order_flag_env_config_file_stored_config_token() {
    let (_rt, sim) = sim();
    let home = tempfile::tempdir().unwrap();
    let url = sim.base_url();
    let good = sim.token();
    let bad = "eyJ-wrong-token-0000";
    let good_file = home.path().join("good");
    let bad_file = home.path().join("bad");
    for (p, t) in [(&good_file, good.as_str()), (&bad_file, bad)] {
        std::fs::write(p, t).unwrap();
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let config = home.path().join("config/sora-tui/config.toml");
    let set_config = |body: String| {
        std::fs::create_dir_all(config.parent().unwrap()).unwrap();
        std::fs::write(&config, body).unwrap();
    };
    let me = |args: &[&str], envs: &[(&str, &str)]| {
        let mut all = args.to_vec();
        all.push("me");
        run(home.path(), &url, &all, "", envs).status.code()
    };

    // The stored token beats the config's `token`.
    assert!(
        run(home.path(), &url, &["login"], &good, &[])
            .status
            .success()
    );
    set_config(format!("token = {bad:?}\n"));
    assert_eq!(me(&[], &[]), Some(0), "stored beats config token");
    // The config's `token_file` beats the stored token.
    set_config(format!("token_file = {:?}\n", bad_file));
    assert_eq!(me(&[], &[]), Some(3), "config token_file beats stored");
    // SORA_TOKEN beats the config's `token_file`.
    assert_eq!(
        me(&[], &[("SORA_TOKEN", &good)]),
        Some(0),
        "env beats config"
    );
    // --token-file beats SORA_TOKEN.
    let flag = ["--token-file", good_file.to_str().unwrap()];
    assert_eq!(me(&flag, &[("SORA_TOKEN", bad)]), Some(0), "flag beats env");
    // With the stored token bad and nothing above it, the config's token is not reached.
    set_config(format!("token = {good:?}\n"));
    assert!(
        run(home.path(), &url, &["login"], bad, &[])
            .status
            .success()
    );
    assert_eq!(me(&[], &[]), Some(3), "stored is used before config token");
    assert!(
        run(home.path(), &url, &["logout"], "", &[])
            .status
            .success()
    );
    assert_eq!(me(&[], &[]), Some(0), "config token after logout");
}

#[test]
fn login_on_a_terminal_asks_for_the_paste() {
    let (_rt, sim) = sim();
    let home = tempfile::tempdir().unwrap();
    let mut cmd = sora_command(home.path());
    cmd.arg("login");
    let mut pty = Pty::spawn(cmd, 100, 10);
    pty.wait_for("Paste the access token", 10);
    pty.send(format!("{}\r", sim.token()).as_bytes());
    assert!(pty.wait_exit(10).success(), "{}", pty.screen());
    pty.wait_for("mode 0600", 5);
    assert_eq!(mode(&stored(home.path())), 0o600);
}

#[test]
fn a_byte_order_mark_is_stripped_and_a_non_ascii_token_is_refused_with_its_position() {
    let (_rt, sim) = sim();
    let home = tempfile::tempdir().unwrap();
    let url = sim.base_url();
    let token = sim.token();
    // A token file saved by an editor that writes a byte-order mark and CRLF.
    let file = home.path().join("token.txt");
    std::fs::write(&file, format!("\u{feff}{token}\r\n")).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let flag = ["--token-file", file.to_str().unwrap(), "me"];
    let out = run(home.path(), &url, &flag, "", &[]);
    assert!(out.status.success(), "{:?}", text(&out));
    // The same through SORA_TOKEN and through `login`.
    let bom = format!("\u{feff}{token}");
    let out = run(home.path(), &url, &["me"], "", &[("SORA_TOKEN", &bom)]);
    assert!(out.status.success(), "{:?}", text(&out));
    let out = run(home.path(), &url, &["login"], &format!("{bom}\n"), &[]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(
        std::fs::read_to_string(stored(home.path())).unwrap(),
        format!("{token}\n")
    );

    // A smart quote pasted into the token is named, with where it is, before any request.
    let bad = format!("ab\u{2019}{token}");
    std::fs::write(&file, &bad).unwrap();
    let out = run(home.path(), &url, &flag, "", &[]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "the token in {} contains a non-ASCII character (U+2019) at position 3: paste it again",
            file.display()
        )),
        "{stderr}"
    );
    let out = run(home.path(), &url, &["me"], "", &[("SORA_TOKEN", &bad)]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("SORA_TOKEN contains a non-ASCII character (U+2019) at position 3"));
    let out = run(home.path(), &url, &["login"], &format!("{bad}\n"), &[]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the pasted token contains a non-ASCII character (U+2019) at position 3")
    );
    assert!(
        !stderr.contains(&token),
        "the token is never echoed: {stderr}"
    );
}

#[test]
fn a_fifo_or_dev_zero_as_the_token_file_is_refused_at_once() {
    let home = tempfile::tempdir().unwrap();
    let fifo = home.path().join("token");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: `c` is a valid NUL-terminated path that outlives the call.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    for (file, says) in [
        (
            fifo.to_str().unwrap(),
            "is a named pipe (FIFO), not a regular file",
        ),
        ("/dev/zero", "is a device, not a regular file"),
    ] {
        let mut cmd = sora_command(home.path());
        cmd.env("SORA_BASE_URL", "http://127.0.0.1:9/backend")
            .args(["--token-file", file, "me"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        // Bounded: a reader that blocks on the pipe fails the test instead of hanging it.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while child.try_wait().unwrap().is_none() {
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("`me` with the token file {file} did not end: it blocked");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let out = child.wait_with_output().unwrap();
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
    }
}

#[test]
fn a_login_killed_at_its_first_write_leaves_no_file_others_can_read() {
    // With a file-size limit of 0 the first write of token bytes into a regular file raises
    // SIGXFSZ, which kills the process right there: whatever `login` created before writing
    // is left behind with the mode it was created with, and any chmod meant to come after
    // the write never happens. The umask is set wide (022) so a file created 0644 shows as
    // 0644, whatever umask the test runs under.
    let home = tempfile::tempdir().unwrap();
    let base = sora_command(home.path());
    let mut cmd = std::process::Command::new("sh");
    cmd.env_clear()
        .envs(base.get_envs().filter_map(|(k, v)| Some((k, v?))))
        // Nothing is logged before the token is written; kept quiet so no log write can
        // come first.
        .env("SORA_LOG", "error")
        .env("SORA_BASE_URL", "http://127.0.0.1:9/backend")
        .args(["-c", "umask 022; ulimit -f 0; exec \"$0\" \"$@\""])
        .arg(base.get_program())
        .arg("login")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input
        .write_all(b"eyJhbGciOiJSUzI1NiJ9.killed-login-secret.signature\n")
        .unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGXFSZ),
        "login was killed by its first write, not ended some other way: {:?} {:?}",
        out.status,
        text(&out)
    );

    let dir = stored(home.path()).parent().unwrap().to_path_buf();
    assert_eq!(mode(&dir), 0o700, "the token's folder");
    let left: Vec<(PathBuf, u32)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let m = mode(&path);
            (path, m)
        })
        .collect();
    assert!(
        !left.is_empty(),
        "login created the file it was writing the token into"
    );
    for (path, m) in left {
        assert_eq!(
            m & 0o077,
            0,
            "{} was left with mode {m:04o}: the token went into a file others can read",
            path.display()
        );
    }
}
