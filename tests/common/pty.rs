//! A minimal pseudo-terminal harness for end-to-end tests of the real binary: spawn it on a
//! pty, type bytes, and read the screen as a terminal would show it (through `vt100`).
//!
//! Typing never waits: a test sends keys, then waits for what they should show
//! ([`Pty::wait_for`], [`Pty::wait_gone`], [`Pty::wait_until`]). Keys sent back to back may
//! reach the program in one read, as a fast typist's or an SSH session's do; the program
//! handles that (an `Esc` and a key in one read arrive as that key with Alt), so no test
//! depends on the machine being quick enough to keep them apart.

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A program running on a pty.
pub struct Pty {
    master: std::fs::File,
    child: Child,
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    /// Set once the reader has read everything: every copy of the slave side is closed.
    drained: Arc<AtomicBool>,
}

impl Pty {
    /// Starts `cmd` on a new pty of `cols` x `rows`.
    pub fn spawn(mut cmd: Command, cols: u16, rows: u16) -> Pty {
        let (mut master, mut slave) = (0, 0);
        let size = libc::winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty writes two fds into the provided ints; the pointers are valid.
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &size,
            )
        };
        assert_eq!(rc, 0, "openpty failed");
        // SAFETY: both fds were just opened and are owned here.
        let (master, slave) =
            unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        cmd.stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave.try_clone().unwrap()));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            use std::os::unix::process::CommandExt;
            cmd.pre_exec(|| {
                libc::setsid();
                libc::ioctl(0, libc::TIOCSCTTY, 0);
                Ok(())
            });
        }
        let child = cmd.spawn().expect("binary starts");
        drop(slave);
        let master = std::fs::File::from(master);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(rows.max(1)).unwrap(),
            std::num::NonZeroU16::new(cols.max(1)).unwrap(),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let drained = Arc::new(AtomicBool::new(false));
        let mut reader = master.try_clone().unwrap();
        let (p, r, d) = (parser.clone(), raw.clone(), drained.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            // Ends with EIO once the child and every copy of the slave are gone.
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
            d.store(true, Ordering::SeqCst);
        });
        Pty {
            master,
            child,
            parser,
            raw,
            drained,
        }
    }

    /// Types bytes (keys are their terminal encodings: `\x13` is Ctrl-S, `\x1b` Esc) and
    /// returns at once: wait for the screen to show their effect before relying on it.
    pub fn send(&mut self, bytes: &[u8]) {
        self.master.write_all(bytes).unwrap();
        self.master.flush().unwrap();
    }

    /// Leaves the typing the program starts in (the Prompt pane types at once, so a pane
    /// key or `?` sent first would be typed into the prompt): `Esc`, then the Prompt pane's
    /// own key hints are waited for, so the next key arrives on its own.
    #[allow(dead_code)] // Not every test binary drives the TUI from its start.
    pub fn leave_typing(&mut self) {
        self.wait_for("Prompt · typing", 20);
        self.send(b"\x1b");
        self.wait_for("i type", 10);
    }

    /// The screen's text.
    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Everything the program wrote, escape sequences included.
    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }

    /// Waits until the screen contains `text`; panics with the screen after `secs`.
    pub fn wait_for(&self, text: &str, secs: u64) {
        self.wait_until(&format!("{text:?} to appear"), secs, |s| s.contains(text));
    }

    /// Waits until the screen no longer contains `text` (a mode or a message ended); panics
    /// with the screen after `secs`.
    pub fn wait_gone(&self, text: &str, secs: u64) {
        self.wait_until(&format!("{text:?} to go"), secs, |s| !s.contains(text));
    }

    /// Waits until `ready` holds for the screen's text; panics naming `what`, with the
    /// screen, after `secs`.
    pub fn wait_until(&self, what: &str, secs: u64, ready: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if ready(&self.screen()) {
                return;
            }
            if Instant::now() > deadline {
                panic!("waited {secs} s for {what}; the screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for the program to exit, then for the reader to take in the last bytes it wrote
    /// (so [`Pty::screen`] and [`Pty::raw`] hold everything), unless a process it started
    /// still holds the terminal.
    pub fn wait_exit(&mut self, secs: u64) -> ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let drained = Instant::now() + Duration::from_secs(5);
                while !self.drained.load(Ordering::SeqCst) && Instant::now() < drained {
                    std::thread::sleep(Duration::from_millis(10));
                }
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "the program did not exit within {secs} s; the screen:\n{}",
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Whether the pty is back in cooked mode (canonical input and echo), as a shell expects.
    pub fn cooked(&self) -> bool {
        // SAFETY: termios is plain data; tcgetattr fills it from a valid fd.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::tcgetattr(self.master.as_raw_fd(), &mut t) };
        rc == 0 && t.c_lflag & libc::ICANON != 0 && t.c_lflag & libc::ECHO != 0
    }

    /// The child's pid.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A command for the real binary with XDG dirs and HOME in `home`, nothing inherited that
/// could reach the user's files or the network.
pub fn sora_command(home: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sora-tui"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TERM", "xterm-256color")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_VIDEOS_DIR", home.join("videos"));
    cmd
}
