//! What the user sees while the client retries: the worker's `Retrying` event becomes a
//! countdown in the status bar (`rate limited · next try in 12 s`) that ticks and goes away
//! when the call settles; and the retry policy honours a short `Retry-After` end to end.

mod common;

use std::time::Duration;

use common::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sora_tui::api::{RetryNotice, RetryPolicy};
use sora_tui::app::{App, AppInfo, Keymap, Msg, update};
use sora_tui::sim::{Fault, FaultRule};
use sora_tui::ui;
use sora_tui::worker::Event;

const NOW: f64 = 1_800_000_000.0;

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(120, 30)).expect("terminal");
    t.draw(|f| ui::draw(f, app)).expect("draw");
    let buffer = t.backend().buffer().clone();
    buffer
        .content()
        .chunks(buffer.area.width as usize)
        .map(|row| row.iter().map(|c| c.symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn status_bar_counts_down_to_the_next_try_and_clears() {
    let mut app = App::new(AppInfo::default(), Keymap::default(), NOW);
    assert!(!app.needs_tick());
    update(
        &mut app,
        Msg::Worker(Event::Retrying {
            what: "GET /nf/pending".into(),
            reason: "rate limited".into(),
            until_unix: NOW + 12.0,
        }),
        NOW,
    );
    assert!(app.needs_tick(), "the countdown needs a tick");
    assert!(screen(&app).contains("rate limited · next try in 12 s"));
    update(&mut app, Msg::Tick, NOW + 5.2);
    assert!(screen(&app).contains("next try in 7 s"), "{}", screen(&app));
    // Another call settling does not clear this one's countdown.
    update(
        &mut app,
        Msg::Worker(Event::RetryCleared {
            what: "GET /me".into(),
        }),
        NOW + 6.0,
    );
    assert!(app.retrying.is_some());
    update(
        &mut app,
        Msg::Worker(Event::RetryCleared {
            what: "GET /nf/pending".into(),
        }),
        NOW + 13.0,
    );
    assert!(app.retrying.is_none());
    assert!(!screen(&app).contains("next try"));
}

#[tokio::test]
async fn a_short_retry_after_is_waited_out_and_announced() {
    let sim = start_sim(|_| {}).await;
    let notices = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = notices.clone();
    let client = client_with(&sim, |c| {
        c.retry = RetryPolicy {
            cap: Duration::from_secs(2),
            ..RetryPolicy::fast()
        }
    })
    .with_retry_observer(std::sync::Arc::new(move |n| {
        sink.lock().expect("not poisoned").push(n)
    }));
    sim.inject(FaultRule {
        method: Some("GET".into()),
        path: "/me".into(),
        fault: Fault::RateLimited {
            retry_after_secs: 1,
        },
        times: Some(1),
    });
    client.me().await.expect("the second try succeeds");
    assert_eq!(requests_to(&sim, "GET", "/me").len(), 2);
    let notices = notices.lock().expect("not poisoned").clone();
    assert!(
        matches!(&notices[..], [RetryNotice::Waiting { delay, .. }, RetryNotice::Settled { .. }] if *delay >= Duration::from_secs(1)),
        "{notices:?}"
    );
}
