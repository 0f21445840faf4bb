//! Pictures through the worker against the simulator: a draft's thumbnail arrives decoded
//! and scaled, two drafts' pictures differ, the disk cache spares a second fetch, hostile
//! bodies fail with a short reason (and the worker goes on), and an expired link is
//! refreshed once.

// Pictures need the default `previews` feature.
#![cfg(feature = "previews")]
// Tests may unwrap, helpers included (a panic is the failure report).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::harness::{WorkerHarness, fast_config};
use common::*;
use sora_tui::api::Draft;
use sora_tui::sim::{BadPicture, Fault, FaultRule, Sim};
use sora_tui::store::Store;
use sora_tui::worker::{
    Event, Picture, PictureEvent, PictureKey, PictureRequest, PictureWanted, Request, WorkerConfig,
};

fn rule(fault: Fault, times: Option<u32>) -> FaultRule {
    FaultRule {
        method: None,
        path: "/media".into(),
        fault,
        times,
    }
}

fn media_requests(sim: &Sim) -> usize {
    sim.requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/media"))
        .count()
}

fn thumbnail_url(draft: &Draft) -> String {
    draft
        .encodings
        .as_ref()
        .and_then(|e| e.thumbnail.as_ref())
        .and_then(|t| t.path.clone())
        .expect("the draft lists a thumbnail")
}

fn wanted(draft: &Draft) -> PictureWanted {
    PictureWanted {
        key: PictureKey::Draft(draft.gen_id().unwrap().to_string()),
        url: thumbnail_url(draft),
    }
}

/// A worker over `dir`, caching pictures in `cache` when given.
fn start(sim: &Sim, dir: &Path, cache: Option<&Path>) -> WorkerHarness {
    let config = WorkerConfig {
        picture_cache: cache.map(Path::to_path_buf),
        ..fast_config()
    };
    WorkerHarness::start(client_for(sim), Store::new(dir.join("data")), config)
}

/// Asks for one picture and waits for its answer.
async fn fetch(h: &mut WorkerHarness, want: PictureWanted) -> Result<Picture, String> {
    let key = want.key.clone();
    h.send(Request::Pictures(PictureRequest::Fetch(vec![want])))
        .await;
    h.expect("the picture's answer", |e| match e {
        Event::Picture(PictureEvent::Ready { key: k, picture }) if *k == key => {
            Some(Ok(picture.clone()))
        }
        Event::Picture(PictureEvent::Failed { key: k, reason }) if *k == key => {
            Some(Err(reason.clone()))
        }
        _ => None,
    })
    .await
}

#[tokio::test]
async fn thumbnails_arrive_decoded_scaled_and_distinct() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let a = ready_draft(&client, "a red fox").await;
    let b = ready_draft(&client, "a blue whale").await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = start(&sim, dir.path(), None);
    let pa = fetch(&mut h, wanted(&a)).await.unwrap();
    let pb = fetch(&mut h, wanted(&b)).await.unwrap();
    for p in [&pa, &pb] {
        assert!(
            p.width.max(p.height) <= 320 && p.width.min(p.height) >= 96,
            "{p:?}"
        );
        assert_eq!(p.rgba.len(), (p.width * p.height * 4) as usize);
    }
    let (w, h_) = (a.width.unwrap(), a.height.unwrap());
    assert_eq!(
        pa.width > pa.height,
        w > h_,
        "the video's shape: {pa:?} for {w}×{h_}"
    );
    assert_ne!(pa.rgba, pb.rgba, "two drafts, two pictures");
    h.shutdown().await;
}

#[tokio::test]
async fn a_second_fetch_comes_from_the_disk_cache() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let draft = ready_draft(&client, "cached").await;
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache").join("thumbnails");
    let mut h = start(&sim, dir.path(), Some(&cache));
    let first = fetch(&mut h, wanted(&draft)).await.unwrap();
    h.shutdown().await;
    assert_eq!(
        std::fs::read_dir(&cache).unwrap().count(),
        1,
        "one file cached"
    );
    let before = media_requests(&sim);
    // Another run, and a link signed again (the listing's query differs, the path does not).
    let relisted = client.drafts(30, None).await.unwrap().items;
    let again = relisted
        .iter()
        .find(|d| d.gen_id() == draft.gen_id())
        .unwrap();
    let mut h = start(&sim, dir.path(), Some(&cache));
    let second = fetch(&mut h, wanted(again)).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(media_requests(&sim), before, "no second media request");
    h.shutdown().await;
}

#[tokio::test]
async fn hostile_bodies_fail_with_a_short_reason() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let draft = ready_draft(&client, "hostile").await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = start(&sim, dir.path(), None);
    for (picture, reason) in [
        (BadPicture::Html, "not an image (text/html)"),
        (BadPicture::Truncated, "truncated image"),
        (BadPicture::HugeDimensions, "too large: 20000×20000"),
        (BadPicture::Oversized, "over 4 MiB"),
    ] {
        sim.inject(rule(Fault::BadPicture { picture }, Some(1)));
        assert_eq!(
            fetch(&mut h, wanted(&draft)).await,
            Err(reason.to_string()),
            "{picture:?}"
        );
    }
    // The worker is still there, and the link still works.
    assert!(fetch(&mut h, wanted(&draft)).await.is_ok());
    h.shutdown().await;
}

#[tokio::test]
async fn an_expired_link_is_refreshed_once() {
    let sim = start_sim(|_| {}).await;
    let client = client_for(&sim);
    let draft = ready_draft(&client, "expired").await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = start(&sim, dir.path(), None);
    // A signature the media host no longer accepts: 403, as after the link's expiry.
    let mut stale = wanted(&draft);
    stale.url = stale.url.replace("sig=", "sig=00");
    let lists = || {
        requests_to(&sim, "GET", "/project_y/profile/drafts").len()
            + requests_to(&sim, "GET", "/project_y/profile/drafts/v2").len()
    };
    let before = lists();
    let picture = fetch(&mut h, stale.clone()).await.unwrap();
    assert!(picture.width > 0);
    assert!(lists() > before, "the draft was read again");
    // Expired even after the refresh: one retry only, then a short reason.
    sim.inject(rule(Fault::Gone404, Some(2)));
    let before = media_requests(&sim);
    assert_eq!(
        fetch(&mut h, wanted(&draft)).await,
        Err("expired link".to_string())
    );
    assert_eq!(media_requests(&sim) - before, 2);
    h.shutdown().await;
}
