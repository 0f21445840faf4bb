//! Every error class of docs/api.md#error-classes, produced by the simulator's fault injection,
//! classified by the client, for a read and for a create.

mod common;

use std::time::Duration;

use common::*;
use sora_tui::api::{ApiError, NetworkKind, RetryPolicy, VideoSettings};
use sora_tui::sim::{Fault, FaultRule};

fn rule(path: &str, fault: Fault) -> FaultRule {
    FaultRule {
        method: None,
        path: path.into(),
        fault,
        times: None,
    }
}

async fn both_calls(fault: Fault) -> (ApiError, ApiError) {
    let sim = start_sim(|_| {}).await;
    // Classification only: no retries (the retry policy has its own tests in faults_*.rs).
    let client = client_with(&sim, |c| {
        c.request_timeout = Duration::from_millis(800);
        c.retry = RetryPolicy::none();
    });
    sim.inject(rule("/me", fault.clone()));
    sim.inject(rule("/nf/create", fault));
    let read = client.me().await.expect_err("read fails");
    let create = client
        .create_video("a cat", VideoSettings::default(), None)
        .await
        .expect_err("create fails");
    (read, create)
}

#[tokio::test]
async fn token_invalidated_is_auth() {
    let (a, b) = both_calls(Fault::TokenInvalidated).await;
    for e in [a, b] {
        assert!(matches!(e, ApiError::Auth { .. }), "{e:?}");
        assert!(e.to_string().contains("sign in"), "{e}");
    }
}

#[tokio::test]
async fn sentinel_block_is_bot_blocked() {
    let (a, b) = both_calls(Fault::SentinelBlock).await;
    for e in [a, b] {
        assert!(matches!(e, ApiError::BotBlocked { .. }), "{e:?}");
        assert!(!e.is_transient());
    }
}

#[tokio::test]
async fn invalid_request_is_rejected_with_the_servers_message() {
    let (a, b) = both_calls(Fault::InvalidRequest).await;
    for e in [a, b] {
        assert!(
            matches!(&e, ApiError::Rejected { status: 400, code: Some(c), message, .. }
                if c == "invalid_request" && message == "Unable to process request"),
            "{e:?}"
        );
        assert!(!e.is_transient());
        assert!(e.to_string().contains("Unable to process request"), "{e}");
    }
}

#[tokio::test]
async fn cf_shield_429_is_rate_limited_and_never_retried() {
    let sim = start_sim(|_| {}).await;
    // The ordinary retry policy: it retries an ordinary 429, so a single request proves that
    // the shield's 429 is left alone.
    let client = client_for(&sim);
    sim.inject(rule("/me", Fault::CfShield429));
    let e = client.me().await.expect_err("refused");
    assert_eq!(e, ApiError::ShieldRateLimited);
    assert_eq!(e.short_reason(), "rate limited");
    assert!(e.to_string().contains("not retried"), "{e}");
    assert_eq!(requests_to(&sim, "GET", "/me").len(), 1, "sent once");
    let (a, b) = both_calls(Fault::CfShield429).await;
    assert_eq!(
        (a, b),
        (ApiError::ShieldRateLimited, ApiError::ShieldRateLimited)
    );
}

#[tokio::test]
async fn unsupported_country_code_is_the_region_class() {
    let (a, b) = both_calls(Fault::UnsupportedCountryCode {
        country: Some("IR".into()),
    })
    .await;
    for e in [a, b] {
        assert_eq!(
            e,
            ApiError::Region {
                country: Some("IR".into())
            }
        );
        assert!(e.to_string().contains("not available in IR"), "{e}");
    }
}

#[tokio::test]
async fn each_rejected_token_gets_its_own_advice() {
    let sim = start_sim(|_| {}).await;
    let with_token = |token: &str| {
        let token = sora_tui::api::AccessToken::new(token).unwrap();
        client_with(&sim, move |c| {
            c.token = token;
            c.retry = RetryPolicy::none();
        })
    };
    let revoked = with_token(sora_tui::sim::REVOKED_TOKEN)
        .me()
        .await
        .expect_err("revoked");
    assert!(matches!(revoked, ApiError::Auth { .. }), "{revoked:?}");
    assert!(
        revoked.to_string().contains("will not work again"),
        "{revoked}"
    );
    let unknown = with_token("eyJ-never-issued-0000")
        .me()
        .await
        .expect_err("unknown");
    assert!(matches!(unknown, ApiError::Auth { .. }), "{unknown:?}");
    assert!(
        unknown.to_string().contains("whole token was pasted"),
        "{unknown}"
    );
    for e in [&revoked, &unknown] {
        assert!(e.to_string().contains("sign in to Sora again"), "{e}");
    }
}

#[tokio::test]
async fn heavy_load_is_overloaded_and_transient() {
    let (a, b) = both_calls(Fault::HeavyLoad).await;
    for e in [a, b] {
        assert_eq!(e, ApiError::Overloaded);
        assert!(e.is_transient());
    }
}

#[tokio::test]
async fn cloudflare_html_is_recognised() {
    let (a, b) = both_calls(Fault::Cloudflare).await;
    assert_eq!(a, ApiError::Cloudflare);
    assert_eq!(b, ApiError::Cloudflare);
    assert!(a.to_string().contains("another network"));
}

#[tokio::test]
async fn rate_limit_carries_retry_after() {
    let (a, b) = both_calls(Fault::RateLimited {
        retry_after_secs: 7,
    })
    .await;
    for e in [a, b] {
        let ApiError::RateLimited { retry_after, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(*retry_after, Some(Duration::from_secs(7)));
        assert!(e.to_string().contains("retry in 7 s"), "{e}");
    }
}

#[tokio::test]
async fn server_error_is_server() {
    let (a, b) = both_calls(Fault::ServerError).await;
    for e in [a, b] {
        assert!(matches!(e, ApiError::Server { status: 500, .. }), "{e:?}");
        assert!(e.is_transient());
    }
}

#[tokio::test]
async fn invalid_json_is_a_bad_response() {
    let (a, b) = both_calls(Fault::InvalidJson).await;
    for e in [a, b] {
        assert!(matches!(e, ApiError::BadResponse { .. }), "{e:?}");
    }
}

#[tokio::test]
async fn connection_reset_is_a_network_error_that_may_have_been_accepted() {
    let (a, b) = both_calls(Fault::ConnectionReset).await;
    for e in [a, b] {
        assert!(
            matches!(
                e,
                ApiError::Network {
                    kind: NetworkKind::Interrupted,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.maybe_accepted());
    }
}

#[tokio::test]
async fn latency_beyond_the_timeout_is_a_timeout() {
    let (a, b) = both_calls(Fault::Latency { ms: 3_000 }).await;
    for e in [a, b] {
        assert!(
            matches!(
                e,
                ApiError::Network {
                    kind: NetworkKind::Timeout,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.maybe_accepted());
    }
}

#[tokio::test]
async fn latency_within_the_timeout_just_delays() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    sim.inject(rule("/me", Fault::Latency { ms: 150 }));
    let started = std::time::Instant::now();
    client.me().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn unreachable_host_is_a_connect_error() {
    // Bound but never listening, and held until the test ends: refused, whatever else runs.
    let closed = common::ports::refusing_port();
    let port = closed.port;
    let config = sora_tui::api::ClientConfig::new(
        format!("http://127.0.0.1:{port}/backend"),
        sora_tui::api::AccessToken::new("whatever-token").unwrap(),
    );
    let client = sora_tui::api::Client::new(config).unwrap();
    let e = client.me().await.unwrap_err();
    assert!(
        matches!(
            e,
            ApiError::Network {
                kind: NetworkKind::Connect,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        !e.maybe_accepted(),
        "a refused connection never reached the server"
    );
    assert!(e.to_string().contains("--base-url"), "{e}");
}

#[tokio::test]
async fn truncated_media_leaves_no_file() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let task = client
        .create_video("short", VideoSettings::default(), None)
        .await
        .unwrap();
    let draft = eventually(30, || async {
        let drafts = client.drafts(30, None).await.unwrap().items;
        drafts
            .into_iter()
            .find(|d| d.task_id.as_deref() == Some(task.as_str()) && d.best_url().is_some())
    })
    .await;
    sim.inject(rule("/media", Fault::TruncatedBody));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    let e = client
        .download(draft.best_url().unwrap(), &dest, |_, _| {})
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Network { .. }), "{e:?}");
    assert!(
        !dest.exists(),
        "an incomplete download never takes the final name"
    );
    sim.clear_faults();
    client
        .download(draft.best_url().unwrap(), &dest, |_, _| {})
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), asset("sample.mp4"));
}

#[tokio::test]
async fn faults_can_be_limited_to_a_count() {
    let sim = start_sim(|_| {}).await;
    // Without retries, so each call meets one fault (the client would retry a 500 read).
    let client = client_with(&sim, |c| c.retry = RetryPolicy::none());
    sim.inject(FaultRule {
        method: Some("GET".into()),
        path: "/me".into(),
        fault: Fault::ServerError,
        times: Some(2),
    });
    assert!(client.me().await.is_err());
    assert!(client.me().await.is_err());
    assert!(client.me().await.is_ok());
}

#[tokio::test]
async fn connect_failures_are_retried_only_once_the_backend_was_reached() {
    use std::sync::{Arc, Mutex};
    let sim = start_sim(|_| {}).await;
    let notices = Arc::new(Mutex::new(0u32));
    let seen = notices.clone();
    let client = client_for(&sim).with_retry_observer(Arc::new(move |n| {
        if matches!(n, sora_tui::api::RetryNotice::Waiting { .. }) {
            *seen.lock().unwrap() += 1;
        }
    }));
    client.me().await.unwrap();
    sim.shutdown().await;
    let e = client.me().await.unwrap_err();
    assert!(matches!(e, ApiError::Network { .. }), "{e:?}");
    assert!(
        *notices.lock().unwrap() > 0,
        "a backend that answered before is retried"
    );
}
