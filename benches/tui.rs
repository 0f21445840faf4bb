//! Performance figures of the interactive UI, recorded in BENCHMARKS.md.
//!
//! Run with `cargo bench --bench tui`. It measures, in this order:
//! 1. frame time with 10 000 drafts and 200 tasks loaded (TestBackend, 160x48), per pane;
//! 2. resident memory of this process with that state built;
//! 3. the real binary idle for 10 s in a pseudo-terminal: CPU time and wake-ups;
//! 4. the real binary against a backend that answers only after 3 s: time to the first frame;
//! 5. the real binary's resident memory with all 10 000 drafts loaded (`-- binary`: only this).
//!
//! `-- pictures` runs only the gallery figures: frame time of the Drafts gallery of 10 000
//! drafts with the visible pictures ready (half-blocks), and this process's resident memory
//! after 100 thumbnails were seen.
//! `-- search`: only the Drafts filter on 10 000 rows (per keystroke, scrolling the matches).

// A benchmark may unwrap: a panic stops the run with its reason.
#![allow(clippy::unwrap_used)]

mod support;

#[path = "../tests/common/pty.rs"]
#[allow(dead_code)]
mod pty;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use sora_tui::app::{App, Pane};
use sora_tui::track::{TaskKind, TaskPhase, TaskRecord};

const NOW: f64 = 1_800_000_000.0;

fn state(drafts: usize, tasks: usize) -> App {
    let tasks = (0..tasks)
        .map(|i| TaskRecord {
            task_id: format!("task_{i:026}"),
            kind: if i % 5 == 0 {
                TaskKind::Image
            } else {
                TaskKind::Video
            },
            prompt: format!("task {i}: a lighthouse in a storm"),
            settings: "landscape · 10 s · Sora 2".into(),
            submitted_at: NOW - 100.0,
            finished_at: None,
            phase: TaskPhase::Working {
                status: "running".into(),
                progress: (i % 100) as f64 / 100.0,
            },
        })
        .collect();
    support::state_with(NOW, drafts, tasks)
}

fn rss_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the command.
    f.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
        + f.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
}

fn wakeups(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .flatten()
        .map(|t| {
            std::fs::read_to_string(t.path().join("status"))
                .unwrap_or_default()
                .lines()
                .filter(|l| l.contains("ctxt_switches"))
                .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum::<u64>()
        })
        .sum()
}

fn idle(home: &std::path::Path) {
    let mut cmd = pty::sora_command(home);
    cmd.arg("--demo");
    let pty = pty::Pty::spawn(cmd, 120, 40);
    pty.wait_for("@demo", 20);
    // Let the start-up requests and the first drafts page settle.
    std::thread::sleep(Duration::from_secs(2));
    let (cpu0, sw0) = (cpu_ticks(pty.pid()), wakeups(pty.pid()));
    std::thread::sleep(Duration::from_secs(10));
    let (cpu1, sw1) = (cpu_ticks(pty.pid()), wakeups(pty.pid()));
    let hz = 100.0; // USER_HZ on Linux
    println!(
        "idle 10 s (binary, --demo)     CPU {:.0} ms  context switches {} (all threads, including the in-process simulator)",
        (cpu1 - cpu0) as f64 / hz * 1000.0,
        sw1.saturating_sub(sw0)
    );
}

fn pid_rss_kb(pid: u32) -> u64 {
    pid_field_kb(pid, "VmRSS:")
}

fn pid_field_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// The real binary with 10 000 drafts loaded into the Drafts pane by scrolling to the end
/// until every page has arrived.
fn binary_memory(home: &std::path::Path) {
    use sora_tui::sim::{Sim, SimConfig};
    // The simulator runs in this process, so the figure is the client's alone.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt
        .block_on(Sim::start(
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            SimConfig {
                seed_drafts: 10_000,
                ..SimConfig::default()
            },
        ))
        .unwrap();
    let mut cmd = pty::sora_command(home);
    cmd.env("SORA_BASE_URL", sim.base_url())
        .env("SORA_TOKEN", sim.token());
    let mut pty = pty::Pty::spawn(cmd, 120, 40);
    pty.wait_for("@demo", 20);
    // The Prompt pane types at start: leave the typing so `4` and `G` are keys.
    pty.leave_typing();
    let idle_kb = pid_rss_kb(pty.pid());
    pty.send(b"4");
    let started = Instant::now();
    while !pty.screen().contains("10000/10000") {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "drafts did not all load:\n{}",
            pty.screen()
        );
        pty.send(b"G");
        std::thread::sleep(Duration::from_millis(20));
    }
    let loaded = started.elapsed();
    let kib = |kb: u64| kb as f64 / 1024.0;
    println!(
        "binary RSS with 10 000 drafts loaded in the Drafts pane: {} KB = {:.1} MiB (peak {:.1} MiB; {:.1} MiB at start, before the pane; the simulator runs in the benchmark's process); 334 pages loaded in {:.1} s",
        pid_rss_kb(pty.pid()),
        kib(pid_rss_kb(pty.pid())),
        kib(pid_field_kb(pty.pid(), "VmHWM:")),
        kib(idle_kb),
        loaded.as_secs_f64()
    );
}

fn first_frame(home: &std::path::Path) {
    use sora_tui::sim::{Fault, FaultRule, Sim, SimConfig};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt
        .block_on(Sim::start(
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            SimConfig::default(),
        ))
        .unwrap();
    sim.inject(FaultRule {
        method: None,
        path: "*".into(),
        fault: Fault::Latency { ms: 3000 },
        times: None,
    });
    let mut cmd = pty::sora_command(home);
    cmd.env("SORA_BASE_URL", sim.base_url())
        .env("SORA_TOKEN", sim.token());
    let started = Instant::now();
    let pty = pty::Pty::spawn(cmd, 120, 40);
    pty.wait_for("Prompt", 10);
    let first = started.elapsed();
    let answered = pty.screen().contains("@demo");
    pty.wait_for("@demo", 10);
    println!(
        "first frame, backend answering after 3 s: {:.0} ms (account shown at first frame: {answered}); account after {:.0} ms",
        first.as_secs_f64() * 1000.0,
        started.elapsed().as_secs_f64() * 1000.0
    );
}

/// One key through `update`, then one frame drawn: the time the user waits for a keystroke.
fn key_frame(
    app: &mut App,
    terminal: &mut ratatui::Terminal<ratatui::backend::TestBackend>,
    key: crossterm::event::KeyEvent,
) -> Duration {
    let t = Instant::now();
    let _ = sora_tui::app::update(app, sora_tui::app::Msg::Key(key), NOW);
    terminal.draw(|f| sora_tui::ui::draw(f, app)).unwrap();
    t.elapsed()
}

fn print_times(label: &str, times: &mut [Duration]) {
    times.sort();
    let n = times.len().max(1);
    let mean = times.iter().sum::<Duration>() / n as u32;
    println!(
        "search {label:<44} mean {:>7.1} µs  max {:>7.1} µs  ({} samples)",
        mean.as_secs_f64() * 1e6,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1e6,
        times.len()
    );
}

/// The Drafts filter on 10 000 rows: per keystroke (update + draw) while "owl" and a
/// two-word query are typed, each query typed 50 times from an empty filter, then the
/// frame time while scrolling through the kept matches.
fn search() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let key = |c: KeyCode| KeyEvent::new(c, KeyModifiers::NONE);
    let mut app = state(10_000, 200);
    app.pane = Pane::Drafts;
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).unwrap();
    for query in ["owl", "harbour 99"] {
        let mut times = Vec::new();
        let mut by_key: Vec<Vec<Duration>> = vec![Vec::new(); query.chars().count()];
        for _ in 0..50 {
            key_frame(&mut app, &mut terminal, key(KeyCode::Char('/')));
            for (n, c) in query.chars().enumerate() {
                let t = key_frame(&mut app, &mut terminal, key(KeyCode::Char(c)));
                times.push(t);
                by_key[n].push(t);
            }
            key_frame(&mut app, &mut terminal, key(KeyCode::Enter));
            key_frame(&mut app, &mut terminal, key(KeyCode::Esc));
        }
        print_times(&format!("typing \"{query}\", per key"), &mut times);
        for (n, (c, t)) in query.chars().zip(by_key.iter_mut()).enumerate() {
            print_times(&format!("  key {} ({c:?})", n + 1), t);
        }
    }
    // Kept "harbour 99" (a few hundred matches): scroll down through them key by key.
    key_frame(&mut app, &mut terminal, key(KeyCode::Char('/')));
    for c in "harbour 99".chars() {
        key_frame(&mut app, &mut terminal, key(KeyCode::Char(c)));
    }
    key_frame(&mut app, &mut terminal, key(KeyCode::Enter));
    let mut times = Vec::new();
    for i in 0..2000 {
        let k = if (i / 200) % 2 == 0 {
            KeyCode::Down
        } else {
            KeyCode::Up
        };
        times.push(key_frame(&mut app, &mut terminal, key(k)));
    }
    print_times(
        &format!(
            "scrolling, \"harbour 99\" kept ({} matches)",
            app.drafts.filter.len(app.drafts.rows.len())
        ),
        &mut times,
    );
}

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    if filter.as_deref() == Some("search") {
        search();
        return;
    }
    if filter.as_deref() == Some("binary") {
        binary_memory(tempfile::tempdir().unwrap().path());
        return;
    }
    if filter.as_deref() == Some("pictures") {
        pictures();
        return;
    }
    let rss0 = rss_kb("VmRSS:");
    let mut app = state(10_000, 200);
    let rss1 = rss_kb("VmRSS:");
    println!(
        "memory: process RSS {} KB before, {} KB with 10 000 drafts + 200 tasks (+{} KB), peak {} KB",
        rss0,
        rss1,
        rss1.saturating_sub(rss0),
        rss_kb("VmHWM:")
    );
    println!(
        "memory: a draft row is {} bytes inline, plus its strings",
        std::mem::size_of::<sora_tui::app::DraftRow>()
    );
    for (pane, label) in [
        (Pane::Drafts, "Drafts, 10 000 rows"),
        (Pane::Tasks, "Tasks, 200 tasks"),
        (Pane::Prompt, "Prompt"),
    ] {
        app.pane = pane;
        support::frames(&app, label);
    }
    app.pane = Pane::Drafts;
    app.drafts.details = true;
    support::frames(&app, "Drafts details, 10 000 rows");
    if filter.as_deref() == Some("frames") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    idle(home.path());
    first_frame(home.path());
    binary_memory(tempfile::tempdir().unwrap().path());
}

/// A 320×180 picture of one colour per index (a thumbnail's largest decoded size is 320 px).
fn thumbnail(i: usize) -> sora_tui::worker::Picture {
    let (w, h) = (320u32, 180u32);
    let c = [
        (i * 37 % 256) as u8,
        (i * 91 % 256) as u8,
        (i * 53 % 256) as u8,
        255,
    ];
    let d = [c[2], c[0], c[1], 255];
    let mut rgba = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for _ in 0..w {
            // Two bands, so each half-block cell has two colours to encode.
            rgba.extend_from_slice(if y < h / 2 { &c } else { &d });
        }
    }
    sora_tui::worker::Picture {
        width: w,
        height: h,
        rgba: std::sync::Arc::from(rgba),
    }
}

/// Answers every picture `cmds` ask for as the worker would, with distinct pictures;
/// returns how many.
fn answer(app: &mut App, cmds: Vec<sora_tui::app::Cmd>, seen: &mut usize) -> usize {
    use sora_tui::worker::{PictureEvent, PictureRequest, Request};
    let mut n = 0;
    for cmd in cmds {
        if let sora_tui::app::Cmd::Worker(Request::Pictures(PictureRequest::Fetch(wanted))) = cmd {
            for w in wanted {
                *seen += 1;
                n += 1;
                app.thumbs.on_event(PictureEvent::Ready {
                    key: w.key,
                    picture: thumbnail(*seen),
                });
            }
        }
    }
    n
}

/// The gallery of a 10 000-draft account with its visible pictures ready: frame time, and
/// resident memory after 100 thumbnails were seen.
fn pictures() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use sora_tui::api::Draft;
    use sora_tui::api::types::{Encoding, Encodings};
    use sora_tui::ui::{Pictures, Theme};

    let rss0 = rss_kb("VmRSS:");
    let mut app = state(0, 0);
    app.drafts.rows = (0..10_000)
        .map(|i| {
            sora_tui::app::drafts_row(Draft {
                id: Some(format!("gen_{i:026}")),
                downloadable_url: Some(format!("https://media.example/{i}/source.mp4")),
                prompt: Some(format!("draft number {i}: a slow pan over a foggy harbour")),
                created_at: Some(NOW - i as f64 * 60.0),
                duration_s: Some(10.0),
                encodings: Some(Encodings {
                    thumbnail: Some(Encoding {
                        path: Some(format!("https://media.example/{i}/thumb.webp")),
                        ..Encoding::default()
                    }),
                    ..Encodings::default()
                }),
                ..Draft::default()
            })
        })
        .collect();
    app.pane = Pane::Drafts;
    app.drafts.gallery = true;
    app.drafts.selected = 5_000;
    app.thumbs.enabled = true;
    let (w, h) = (160u16, 48u16);
    let resize = sora_tui::app::Msg::Resize {
        width: w,
        height: h,
        list_rows: sora_tui::ui::list_rows(h),
    };
    let mut seen = 0;
    let cmds = sora_tui::app::update(&mut app, resize, NOW);
    let first = answer(&mut app, cmds, &mut seen);
    let rss1 = rss_kb("VmRSS:");
    let theme = Theme::default();
    let mut pics = Pictures::halfblocks();
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    for _ in 0..20 {
        terminal
            .draw(|f| sora_tui::ui::draw_pictures(f, &app, &theme, &mut pics))
            .unwrap();
    }
    let half = terminal
        .backend()
        .buffer()
        .content
        .iter()
        .filter(|c| c.symbol() == "▀" || c.symbol() == "▄")
        .count();
    assert!(half > 0, "the gallery shows half-block pictures");
    let n = 2000;
    let mut times: Vec<Duration> = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        terminal
            .draw(|f| sora_tui::ui::draw_pictures(f, &app, &theme, &mut pics))
            .unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / n as u32;
    println!(
        "frame {:<32} mean {:>7.1} µs  p50 {:>7.1} µs  p99 {:>7.1} µs  max {:>7.1} µs ({first} pictures asked for, {half} half-block cells)",
        "Drafts gallery, pictures ready",
        mean.as_secs_f64() * 1e6,
        times[n / 2].as_secs_f64() * 1e6,
        times[n * 99 / 100].as_secs_f64() * 1e6,
        times[n - 1].as_secs_f64() * 1e6
    );
    // Page down until 100 thumbnails were seen, drawing each page once (its protocol
    // objects are made then).
    let page_down = crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::PageDown,
        crossterm::event::KeyModifiers::NONE,
    );
    let mut first_page_frame = Duration::ZERO;
    while seen < 100 {
        let cmds = sora_tui::app::update(&mut app, sora_tui::app::Msg::Key(page_down), NOW);
        answer(&mut app, cmds, &mut seen);
        let t = Instant::now();
        terminal
            .draw(|f| sora_tui::ui::draw_pictures(f, &app, &theme, &mut pics))
            .unwrap();
        first_page_frame = first_page_frame.max(t.elapsed());
    }
    let rss2 = rss_kb("VmRSS:");
    println!(
        "pictures: RSS {rss0} KB before, {rss1} KB with 10 000 drafts and the first page ready, \
         {rss2} KB after {seen} thumbnails seen (+{} KB over the first page); {} decoded kept, \
         {} protocol objects kept; slowest frame of a new page (objects made) {:.1} ms",
        rss2.saturating_sub(rss1),
        app.thumbs.len(),
        pics.len(),
        first_page_frame.as_secs_f64() * 1e3
    );
}
