//! The simulator's accounts, tokens, 401s and live refusals, spoken to as a third-party client
//! of the live service would: plain HTTP with `reqwest` and `serde_json::Value`, nothing of
//! this crate's client. Faults are set through the `/_sim/faults` control route.

mod common;

use common::{asset, eventually, start_sim};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use sora_tui::sim::{
    DEMO_TOKEN, EXHAUSTED_TOKEN, FREE_TOKEN, MOBILE_TOKEN, NO_SORA2_TOKEN, NO_USERNAME_TOKEN,
    PLUS_TOKEN, REVOKED_TOKEN, Sim,
};

const SENTINEL: &str = "abcdefghij0123";

/// A bare HTTP client for one simulator.
struct Raw {
    sim: Sim,
    http: Client,
}

impl Raw {
    async fn start() -> Raw {
        Raw {
            sim: start_sim(|_| {}).await,
            http: Client::builder().no_proxy().build().expect("client"),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.base_url())
    }

    /// Sends a request with `authorization` as the whole header (none when `None`).
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        authorization: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut req = self
            .http
            .request(method, self.url(path))
            .header("openai-sentinel-token", SENTINEL);
        if let Some(a) = authorization {
            req = req.header("authorization", a);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.expect("request sent");
        let (status, headers) = (r.status(), r.headers().clone());
        (status, headers, r.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let (s, _, v) = self
            .send(
                reqwest::Method::GET,
                path,
                Some(&format!("Bearer {token}")),
                None,
            )
            .await;
        (s, v)
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let (s, _, v) = self
            .send(
                reqwest::Method::POST,
                path,
                Some(&format!("Bearer {token}")),
                Some(body),
            )
            .await;
        (s, v)
    }

    async fn bytes(&self, url: &str) -> Vec<u8> {
        let r = self.http.get(url).send().await.expect("media sent");
        assert_eq!(r.status(), StatusCode::OK, "{url}");
        r.bytes().await.expect("media body").to_vec()
    }

    /// Adds a fault rule through the control route, as a test of another client would.
    async fn fault(&self, rule: Value) {
        let r = self
            .http
            .post(format!("http://{}/_sim/faults", self.sim.addr()))
            .json(&rule)
            .send()
            .await
            .expect("control sent");
        assert_eq!(r.status(), StatusCode::OK);
    }

    /// Creates a 10 s video with `token` and returns its draft once it has its URLs.
    async fn draft(&self, token: &str, prompt: &str) -> Value {
        let (status, created) = self.post(token, "/nf/create", video(prompt)).await;
        assert_eq!(status, StatusCode::OK, "{created}");
        let task_id = created["id"].as_str().expect("task id").to_string();
        eventually(30, || async {
            let (_, page) = self.get(token, "/project_y/profile/drafts?limit=15").await;
            page["items"]
                .as_array()?
                .iter()
                .find(|d| d["task_id"] == task_id.as_str() && d["downloadable_url"].is_string())
                .cloned()
        })
        .await
    }
}

fn video(prompt: &str) -> Value {
    json!({"kind":"video","prompt":prompt,"orientation":"landscape","size":"small","n_frames":300,"model":"sy_8","inpaint_items":[]})
}

fn plan_id(subscriptions: &Value) -> Option<&str> {
    subscriptions["data"].get(0)?["plan"]["id"].as_str()
}

#[tokio::test]
async fn each_fixture_token_is_its_own_account() {
    let raw = Raw::start().await;
    // (token, plan id, videos at start, username)
    let cases: [(&str, Option<&str>, Option<u64>, Value); 7] = [
        (DEMO_TOKEN, Some("chatgpt_pro"), Some(30), json!("demo")),
        (
            MOBILE_TOKEN,
            Some("chatgpt_pro"),
            Some(30),
            json!("demo.app"),
        ),
        (
            PLUS_TOKEN,
            Some("chatgptplusplan"),
            Some(30),
            json!("plus.demo"),
        ),
        (FREE_TOKEN, None, Some(5), json!("free.demo")),
        (
            EXHAUSTED_TOKEN,
            Some("chatgptplusplan"),
            Some(0),
            json!("spent.demo"),
        ),
        (
            NO_USERNAME_TOKEN,
            Some("chatgptplusplan"),
            Some(30),
            Value::Null,
        ),
        (NO_SORA2_TOKEN, None, None, Value::Null),
    ];
    for (token, plan, videos, username) in cases {
        let (status, me) = raw.get(token, "/me").await;
        assert_eq!(status, StatusCode::OK, "{token}: {me}");
        assert_eq!(me["username"], username, "{token}");
        assert!(me.get("username").is_some(), "{token}: username is present");
        let (status, subs) = raw.get(token, "/billing/subscriptions").await;
        assert_eq!(status, StatusCode::OK, "{token}");
        assert_eq!(plan_id(&subs), plan, "{token}: {subs}");
        let (status, check) = raw.get(token, "/nf/check").await;
        let balance = &check["rate_limit_and_credit_balance"];
        match videos {
            Some(n) => {
                assert_eq!(status, StatusCode::OK, "{token}");
                assert_eq!(balance["estimated_num_videos_remaining"], n, "{token}");
                assert_eq!(balance["rate_limit_reached"], n == 0, "{token}");
            }
            None => {
                assert_eq!(status, StatusCode::NOT_FOUND, "{token}: no Sora 2");
                assert!(check["error"]["message"].is_string(), "{check}");
            }
        }
    }
    // Their data is separate: a task of one account is not in another's pending list.
    let (_, created) = raw.post(PLUS_TOKEN, "/nf/create", video("plus cat")).await;
    let (_, mine) = raw.get(PLUS_TOKEN, "/nf/pending/v2").await;
    assert_eq!(mine[0]["id"], created["id"]);
    let (_, theirs) = raw.get(DEMO_TOKEN, "/nf/pending/v2").await;
    assert_eq!(theirs, json!([]));
}

#[tokio::test]
async fn pro_only_options_are_refused_per_account() {
    let raw = Raw::start().await;
    let mut long = video("a long one");
    long["n_frames"] = json!(750);
    let mut pro_model = video("pro model");
    pro_model["model"] = json!("sy_ore");
    let mut large = video("large");
    large["size"] = json!("large");
    for body in [&long, &pro_model, &large] {
        for token in [PLUS_TOKEN, FREE_TOKEN] {
            let (status, err) = raw.post(token, "/nf/create", body.clone()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{token}: {err}");
            assert_eq!(err["error"]["code"], "pro_plan_required", "{token}");
        }
        let (status, ok) = raw.post(MOBILE_TOKEN, "/nf/create", body.clone()).await;
        assert_eq!(status, StatusCode::OK, "a Pro account may: {ok}");
    }
    let (status, ok) = raw.post(DEMO_TOKEN, "/nf/create", long).await;
    assert_eq!(status, StatusCode::OK, "the primary Pro account may: {ok}");
}

#[tokio::test]
async fn accounts_without_a_username_or_quota_or_sora2_behave_as_documented() {
    let raw = Raw::start().await;
    // What the live service does for an account without a username is not recorded; the
    // simulator accepts the generation (docs/api.md, "Simulator assumptions").
    let (status, created) = raw
        .post(NO_USERNAME_TOKEN, "/nf/create", video("nameless"))
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let (status, err) = raw
        .post(EXHAUSTED_TOKEN, "/nf/create", video("one more"))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{err}");
    assert_eq!(err["error"]["code"], "rate_limit_reached");
}

#[tokio::test]
async fn the_post_source_is_clean_only_for_a_mobile_token() {
    let raw = Raw::start().await;
    let clean = asset("sample_clean.mp4");
    let watermarked = asset("sample.mp4");
    assert_ne!(clean, watermarked);
    for (token, expected) in [(MOBILE_TOKEN, &clean), (DEMO_TOKEN, &watermarked)] {
        let draft = raw.draft(token, "a fox").await;
        let gen_id = draft["id"].as_str().expect("gen id");
        let (status, created) = raw
            .post(
                token,
                "/project_y/post",
                json!({"attachments_to_create":[{"generation_id":gen_id,"kind":"sora"}],"post_text":""}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{created}");
        let post_id = created["post"]["id"].as_str().expect("post id");
        let (status, read) = raw.get(token, &format!("/project_y/post/{post_id}")).await;
        assert_eq!(status, StatusCode::OK);
        // Both the publish answer and the read carry the post; clients read either.
        for post in [&created["post"], &read["post"]] {
            let source = post["attachments"][0]["encodings"]["source"]["path"]
                .as_str()
                .expect("source path");
            assert_eq!(&raw.bytes(source).await, expected, "{token}");
        }
        // The draft's own download is the watermarked file for every token.
        let downloadable = draft["downloadable_url"].as_str().expect("download url");
        assert_eq!(raw.bytes(downloadable).await, watermarked, "{token}");
    }
}

#[tokio::test]
async fn the_three_401s_have_their_live_bodies() {
    let raw = Raw::start().await;
    let missing = json!({"error":{"message":"Missing bearer authentication in header","type":"invalid_request_error","param":null,"code":null}});
    let unparsable = json!({"error":{"message":"Could not parse your authentication token. Please try signing in again.","type":"invalid_request_error","param":null,"code":null}});
    let revoked = json!({"error":{"message":"Your authentication token has been invalidated. Please try signing in again.","type":"invalid_request_error","param":null,"code":"token_invalidated"},"status":401});
    let revoked_bearer = format!("Bearer {REVOKED_TOKEN}");
    let revoked_lowercase = format!("bearer {REVOKED_TOKEN}");
    let cases: [(Option<&str>, &Value); 7] = [
        (None, &missing),
        (Some("Basic c29yYTpzb3Jh"), &missing),
        (Some("Bearer "), &missing),
        (Some("Bearer not a token at all"), &unparsable),
        (
            Some("Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"),
            &unparsable,
        ),
        (Some(&revoked_bearer), &revoked),
        (Some(&revoked_lowercase), &revoked),
    ];
    for (authorization, expected) in cases {
        for path in ["/me", "/nf/pending/v2"] {
            let (status, _, body) = raw
                .send(reqwest::Method::GET, path, authorization, None)
                .await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{authorization:?} {path}");
            assert_eq!(&body, expected, "{authorization:?} {path}");
        }
    }
    let (status, _) = raw.get(DEMO_TOKEN, "/me").await;
    assert_eq!(status, StatusCode::OK, "the primary token still works");
}

#[tokio::test]
async fn the_live_refusals_are_injected_in_their_wire_forms() {
    let raw = Raw::start().await;
    raw.fault(json!({"path":"/me","fault":{"kind":"sentinel_block"},"times":1}))
        .await;
    raw.fault(json!({"path":"/me","fault":{"kind":"invalid_request"},"times":1}))
        .await;
    raw.fault(json!({"path":"/me","fault":{"kind":"cf_shield_429"},"times":1}))
        .await;
    raw.fault(
        json!({"path":"/me","fault":{"kind":"unsupported_country_code","country":"IR"},"times":1}),
    )
    .await;
    raw.fault(json!({"path":"/me","fault":{"kind":"unsupported_country_code"},"times":1}))
        .await;
    let auth = format!("Bearer {DEMO_TOKEN}");
    let mut answers = Vec::new();
    for _ in 0..5 {
        answers.push(
            raw.send(reqwest::Method::GET, "/me", Some(&auth), None)
                .await,
        );
    }

    let (status, _, body) = &answers[0];
    assert_eq!(*status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        &json!({"error":{"message":"Hmmm something didn't look right with your request. Please try again later or visit https://help.openai.com if this issue persists.","type":"invalid_request_error","param":null,"code":"sentinel_block"}})
    );

    let (status, _, body) = &answers[1];
    assert_eq!(*status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        &json!({"error":{"message":"Unable to process request","type":"invalid_request_error","param":null,"code":"invalid_request"}})
    );

    let (status, headers, body) = &answers[2];
    assert_eq!(*status, StatusCode::TOO_MANY_REQUESTS);
    let ray = headers
        .get("cf-ray")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(!ray.is_empty(), "a cf-ray header: {headers:?}");
    assert!(headers.get("retry-after").is_none());
    let error = body["error"].as_object().expect("an error object");
    let mut keys: Vec<&str> = error.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["code", "message"], "{body}");
    assert_eq!(body["error"]["code"], "cf_shield_429");
    assert!(body["error"]["message"].is_string());

    for (answer, country) in [(&answers[3], "IR"), (&answers[4], "CN")] {
        let (status, _, body) = answer;
        assert_eq!(*status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["error"]["code"], "unsupported_country_code");
        assert_eq!(body["error"]["param"], country);
    }

    // The rules were used up: the next call is answered normally.
    let (status, _) = raw.get(DEMO_TOKEN, "/me").await;
    assert_eq!(status, StatusCode::OK);
}
