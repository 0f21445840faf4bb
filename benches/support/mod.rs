//! What both benchmarks need: the UI state with many drafts, and the frame timer.

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sora_tui::api::Draft;
use sora_tui::app::{App, AppInfo, Keymap, Loading, drafts_row};
use sora_tui::track::TaskRecord;

/// The UI state at `now` with `drafts` drafts (the selection in the middle) and `tasks`.
pub fn state_with(now: f64, drafts: usize, tasks: Vec<TaskRecord>) -> App {
    let mut app = App::new(AppInfo::default(), Keymap::default(), now);
    app.drafts.rows = (0..drafts)
        .map(|i| {
            drafts_row(Draft {
                id: Some(format!("gen_{i:026}")),
                task_id: Some(format!("task_{i:026}")),
                kind: Some("sora_draft".into()),
                downloadable_url: Some(format!("https://media.example/{i}/source.mp4?sig=abcdef")),
                prompt: Some(format!(
                    "draft number {i}: a slow pan over a foggy harbour at dawn, gulls, film grain"
                )),
                created_at: Some(now - i as f64 * 60.0),
                duration_s: Some(10.0),
                width: Some(1280.0),
                height: Some(720.0),
                ..Draft::default()
            })
        })
        .collect();
    app.drafts.loading = Loading::Loaded;
    app.drafts.selected = drafts / 2;
    app.drafts.offset = (drafts / 2).saturating_sub(10);
    app.tasks.tasks = tasks;
    app
}

/// Draws `app` 2 000 times at 160x48 after 50 warm-up draws and prints mean, p50, p99, max.
pub fn frames(app: &App, label: &str) {
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    for _ in 0..50 {
        terminal.draw(|f| sora_tui::ui::draw(f, app)).unwrap();
    }
    let n = 2000;
    let mut times: Vec<Duration> = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        terminal.draw(|f| sora_tui::ui::draw(f, app)).unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / n as u32;
    println!(
        "frame {label:<32} mean {:>7.1} µs  p50 {:>7.1} µs  p99 {:>7.1} µs  max {:>7.1} µs",
        mean.as_secs_f64() * 1e6,
        times[n / 2].as_secs_f64() * 1e6,
        times[n * 99 / 100].as_secs_f64() * 1e6,
        times[n - 1].as_secs_f64() * 1e6
    );
}
