//! Property tests: no response parser and no storyboard parser panics, whatever it is fed.
//!
//! Inputs come from a seeded `fastrand` generator: random bytes, random JSON of the right and
//! the wrong shape (nulls, huge and negative numbers, numeric strings such as `NaN`, deep
//! nesting, unicode, control and escape characters), and valid documents mutated value by
//! value and byte by byte. Every parse must return `Ok` or `Err`; what parses is then used
//! the way the program uses it (verdicts, progress, rows, prompt text), since a panic there
//! would be just as fatal.
//!
//! `SORA_FUZZ_SEED` replays a run and `SORA_FUZZ_ITERS` scales it (default 1500 per target).
//! The error classification and the `/nf/pending` body are reached through the public client
//! against a raw HTTP server that answers whatever the generator made.

// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::{Ipv4Addr, SocketAddr};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Number, Value};
use sora_tui::api::{
    AccessToken, CameoProgress, Client, ClientConfig, Draft, DraftsPage, Me, Post, Quota, TaskInfo,
    VideoSettings,
};
use sora_tui::storyboard::{Storyboard, from_toml, to_toml};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

// ---------------------------------------------------------------------------------------------
// The generator.

/// Every field name the response types know, so random objects hit real fields often.
const KEYS: &[&str] = &[
    "id",
    "generation_id",
    "task_id",
    "kind",
    "url",
    "downloadable_url",
    "download_urls",
    "watermark",
    "no_watermark",
    "endcard_watermark",
    "reason_str",
    "markdown_reason_str",
    "width",
    "height",
    "duration_s",
    "prompt",
    "title",
    "created_at",
    "encodings",
    "source",
    "md",
    "ld",
    "thumbnail",
    "path",
    "size",
    "duration_secs",
    "post",
    "post_id",
    "items",
    "cursor",
    "status",
    "progress_pct",
    "failure_reason",
    "error_message",
    "generations",
    "user",
    "email",
    "name",
    "username",
    "status_message",
    "display_name_hint",
    "username_hint",
    "profile_asset_url",
    "instruction_set_hint",
    "permalink",
    "attachments",
    "estimated_num_videos_remaining",
    "rate_limit_reached",
    "access_resets_in_seconds",
    "error",
    "message",
    "code",
    "param",
    "detail",
    "task_responses",
    "type",
];

/// Strings that have broken parsers before: numeric look-alikes, escapes, odd unicode.
const NASTY: &[&str] = &[
    "",
    " ",
    "NaN",
    "nan",
    "-NaN",
    "Infinity",
    "-inf",
    "1e999",
    "-1e999",
    "1e-400",
    "0x1F",
    " 42 ",
    "99999999999999999999999999999999999999",
    "-0",
    "null",
    "\u{0}",
    "\x1b[2J\x1b[H\x1b]0;owned\x07",
    "\x1b]52;c;SGVsbG8=\x07",
    "\r\n\t\x08\x7f",
    "../../../etc/passwd",
    "C:\\Windows\\system32",
    "é",
    "👩\u{200d}👩\u{200d}👧",
    "\u{202e}txt.exe",
    "\u{fffd}\u{feff}",
    "a\u{0301}\u{0301}\u{0301}",
    "[5.0s]",
    "[1e308s]",
    "[-5s]",
    "sora_content_violation",
    "failed",
    "Completed",
    "finalized",
    "succeeded",
    "token_invalidated",
    "sentinel_block",
    "heavy_load",
    "unsupported_country_code",
    "cf_shield_429",
    "Unable to process request",
    "Just a moment",
    "<html>",
];

/// A seeded source of hostile inputs.
struct Gen {
    rng: fastrand::Rng,
}

impl Gen {
    fn string(&mut self) -> String {
        match self.rng.u8(0..10) {
            0..=3 => NASTY[self.rng.usize(0..NASTY.len())].to_string(),
            4 => KEYS[self.rng.usize(0..KEYS.len())].to_string(),
            5 => {
                // A long line, to catch truncation at a byte that is not a char boundary.
                let unit = ["é", "👩", "a", "\u{301}", "\u{0}"][self.rng.usize(0..5)];
                unit.repeat(self.rng.usize(150..2_500))
            }
            _ => (0..self.rng.usize(0..40))
                .map(|_| self.char())
                .collect::<String>(),
        }
    }

    fn char(&mut self) -> char {
        let ranges: [(u32, u32); 6] = [
            (0x00, 0x20),
            (0x20, 0x7f),
            (0x80, 0x800),
            (0x200b, 0x2070),
            (0xe000, 0xffff),
            (0x1f300, 0x1faff),
        ];
        let (lo, hi) = ranges[self.rng.usize(0..ranges.len())];
        char::from_u32(self.rng.u32(lo..hi)).unwrap_or('?')
    }

    fn number(&mut self) -> Value {
        let f = match self.rng.u8(0..12) {
            0 => return Value::from(i64::MIN),
            1 => return Value::from(i64::MAX),
            2 => return Value::from(u64::MAX),
            3 => f64::MAX,
            4 => f64::MIN,
            5 => f64::MIN_POSITIVE,
            6 => -0.0,
            7 => 1e300,
            8 => -1.0,
            9 => return Value::from(self.rng.i64(..)),
            10 => self.rng.f64() * 200.0 - 50.0,
            _ => f64::from(self.rng.u8(..)),
        };
        Number::from_f64(f).map_or(Value::Null, Value::Number)
    }

    /// Any JSON value, at most `depth` levels deep.
    fn value(&mut self, depth: usize) -> Value {
        let pick = if depth == 0 {
            self.rng.u8(0..4)
        } else {
            self.rng.u8(0..6)
        };
        match pick {
            0 => Value::Null,
            1 => Value::Bool(self.rng.bool()),
            2 => self.number(),
            3 => Value::String(self.string()),
            4 => Value::Array(
                (0..self.rng.usize(0..5))
                    .map(|_| self.value(depth - 1))
                    .collect(),
            ),
            _ => self.object(depth - 1),
        }
    }

    fn object(&mut self, depth: usize) -> Value {
        let mut map = Map::new();
        for _ in 0..self.rng.usize(0..8) {
            let key = if self.rng.u8(0..4) == 0 {
                self.string()
            } else {
                KEYS[self.rng.usize(0..KEYS.len())].to_string()
            };
            map.insert(key, self.value(depth));
        }
        Value::Object(map)
    }

    /// Arrays or objects nested `depth` levels, around a random leaf.
    fn nested(&mut self, depth: usize) -> Value {
        let mut v = self.value(0);
        for _ in 0..depth {
            v = if self.rng.bool() {
                Value::Array(vec![v])
            } else {
                let key = KEYS[self.rng.usize(0..KEYS.len())];
                Value::Object(Map::from_iter([(key.to_string(), v)]))
            };
        }
        v
    }

    /// `v` with random parts replaced, nulled, removed or wrapped.
    fn mutate(&mut self, v: &mut Value, depth: usize) {
        match v {
            Value::Object(map) => {
                let keys: Vec<String> = map.keys().cloned().collect();
                for k in keys {
                    match self.rng.u8(0..10) {
                        0 => {
                            map.remove(&k);
                        }
                        1 => {
                            map.insert(k, Value::Null);
                        }
                        2 => {
                            map.insert(k, self.value(depth.min(3)));
                        }
                        3 => {
                            if let Some(x) = map.get_mut(&k) {
                                *x = Value::Array(vec![x.take()]);
                            }
                        }
                        _ => {
                            if let Some(x) = map.get_mut(&k) {
                                self.mutate(x, depth + 1);
                            }
                        }
                    }
                }
            }
            Value::Array(items) => {
                for x in items.iter_mut() {
                    self.mutate(x, depth + 1);
                }
                if self.rng.u8(0..5) == 0 {
                    items.push(self.value(2));
                }
            }
            other => {
                if self.rng.u8(0..3) == 0 {
                    *other = self.value(1);
                }
            }
        }
    }

    /// Serialised `v`, sometimes damaged at the byte level.
    fn text_of(&mut self, v: &Value) -> Vec<u8> {
        let mut bytes = serde_json::to_vec(v).unwrap_or_default();
        match self.rng.u8(0..8) {
            0 if !bytes.is_empty() => bytes.truncate(self.rng.usize(0..bytes.len())),
            1 => {
                for _ in 0..self.rng.usize(1..6) {
                    if !bytes.is_empty() {
                        let i = self.rng.usize(0..bytes.len());
                        bytes[i] = self.rng.u8(..);
                    }
                }
            }
            2 => {
                // Tokens JSON does not allow but sloppy servers send.
                let token =
                    ["NaN", "Infinity", "1e999", "-", "\u{0}", "'", "}"][self.rng.usize(0..7)];
                let at = self.rng.usize(0..=bytes.len());
                bytes.splice(at..at, token.bytes());
            }
            _ => {}
        }
        bytes
    }

    fn bytes(&mut self) -> Vec<u8> {
        (0..self.rng.usize(0..200))
            .map(|_| self.rng.u8(..))
            .collect()
    }
}

fn seed() -> u64 {
    std::env::var("SORA_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_0006)
}

fn iterations() -> usize {
    std::env::var("SORA_FUZZ_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1500)
}

/// Runs `f` and, if it panics, fails with the input that made it panic.
fn no_panic(what: &str, input: &[u8], f: impl FnOnce()) {
    if catch_unwind(AssertUnwindSafe(f)).is_err() {
        let shown: String = String::from_utf8_lossy(input).chars().take(2000).collect();
        panic!(
            "{what} panicked (seed {}) on input {shown:?} (bytes {:?})",
            seed(),
            &input[..input.len().min(400)]
        );
    }
}

// ---------------------------------------------------------------------------------------------
// What the program does with parsed responses.

fn use_draft(d: Draft) {
    let _ = (d.gen_id(), d.verdict(), d.best_url(), d.published_post_id());
    let _ = sora_tui::app::drafts_row(d);
}

fn use_task(t: &TaskInfo) {
    let _ = (t.progress(), t.failure());
    let _ = sora_tui::track::observe_image(&t.id, std::slice::from_ref(t));
    let _ = sora_tui::track::observe_video(&t.id, std::slice::from_ref(t), None);
}

/// Feeds one body to every response parser.
fn parse_everything(bytes: &[u8]) {
    if let Ok(page) = serde_json::from_slice::<DraftsPage>(bytes) {
        let drafts = page.items.clone();
        for d in page.items {
            use_draft(d);
        }
        let _ = sora_tui::track::observe_video("task_x", &[], Some(&drafts));
    }
    if let Ok(d) = serde_json::from_slice::<Draft>(bytes) {
        use_draft(d);
    }
    if let Ok(t) = serde_json::from_slice::<TaskInfo>(bytes) {
        use_task(&t);
    }
    if let Ok(ts) = serde_json::from_slice::<Vec<TaskInfo>>(bytes) {
        ts.iter().for_each(use_task);
    }
    if let Ok(c) = serde_json::from_slice::<CameoProgress>(bytes) {
        let _ = c.phase();
    }
    if let Ok(p) = serde_json::from_slice::<Post>(bytes) {
        let _ = (
            p.share_link(&sora_tui::api::ShareOrigin::default()),
            p.clean_source_url(),
        );
    }
    let _ = serde_json::from_slice::<Quota>(bytes);
    if let Ok(v) = serde_json::from_slice::<Value>(bytes)
        && let Some(me) = Me::from_value(&v)
    {
        let _ = me.display();
    }
}

/// Feeds one value to every parser without a text round trip (numbers text cannot carry).
fn parse_value(v: &Value) {
    if let Ok(page) = serde_json::from_value::<DraftsPage>(v.clone()) {
        page.items.into_iter().for_each(use_draft);
    }
    if let Ok(t) = serde_json::from_value::<TaskInfo>(v.clone()) {
        use_task(&t);
    }
    if let Ok(c) = serde_json::from_value::<CameoProgress>(v.clone()) {
        let _ = c.phase();
    }
    if let Some(me) = Me::from_value(v) {
        let _ = me.display();
    }
}

/// Valid examples of each response, the starting points of the mutations.
fn templates() -> Vec<Value> {
    let draft = serde_json::json!({
        "id": "gen_01", "generation_id": "gen_01", "task_id": "task_01", "kind": "sora_draft",
        "url": "https://m/x.mp4", "downloadable_url": "https://m/x.mp4",
        "download_urls": {"watermark": "https://m/w.mp4", "no_watermark": null},
        "reason_str": null, "markdown_reason_str": null, "width": 1280, "height": 720,
        "duration_s": 10.0, "prompt": "a cat", "title": "t", "created_at": 1_800_000_000.5,
        "encodings": {"source": {"path": "https://m/s.mp4", "size": 123, "duration_secs": 10},
                      "md": null, "ld": {"path": null}, "thumbnail": {"path": "https://m/t.jpg"}},
        "post": {"id": "s_1"}, "post_id": null
    });
    let task = serde_json::json!({
        "id": "task_01", "status": "running", "progress_pct": 0.4, "failure_reason": null,
        "error_message": null, "prompt": "p", "title": null,
        "generations": [{"id": "gen_1", "url": "https://m/i.png", "width": 360, "height": "360"}]
    });
    vec![
        serde_json::json!({"items": [draft.clone(), draft.clone()], "cursor": "c1"}),
        draft,
        task.clone(),
        serde_json::json!([task.clone(), task.clone()]),
        serde_json::json!({"items": [task.clone()]}),
        serde_json::json!({"task_responses": [task]}),
        serde_json::json!({"id": "user_1", "email": "a@b.c", "name": "A", "username": null,
                           "user": {"id": "u", "username": "cat"}}),
        serde_json::json!({"status": "processing", "status_message": "Analyzing",
                           "display_name_hint": "C", "username_hint": "c",
                           "profile_asset_url": "https://m/p.webp", "instruction_set_hint": {}}),
        serde_json::json!({"id": "s_1", "permalink": "https://sora.chatgpt.com/p/s_1",
                           "attachments": [{"generation_id": "gen_1", "url": "u",
                             "downloadable_url": "d", "encodings": {"source": {"path": "p"}}}]}),
        serde_json::json!({"post": {"id": "s_1", "attachments": []}}),
        serde_json::json!({"estimated_num_videos_remaining": 30, "rate_limit_reached": false,
                           "access_resets_in_seconds": 86400}),
        serde_json::json!({"error": {"message": "m", "type": "invalid_request_error",
                                     "param": null, "code": "sentinel_block"}}),
    ]
}

// ---------------------------------------------------------------------------------------------
// Response parsers, directly.

#[test]
fn response_parsers_never_panic_on_random_bytes() {
    let mut g = Gen {
        rng: fastrand::Rng::with_seed(seed()),
    };
    for _ in 0..iterations() {
        let input = g.bytes();
        no_panic("a response parser", &input, || parse_everything(&input));
    }
}

#[test]
fn response_parsers_never_panic_on_random_json() {
    let mut g = Gen {
        rng: fastrand::Rng::with_seed(seed() ^ 1),
    };
    for i in 0..iterations() * 2 {
        let v = if i % 2 == 0 { g.value(5) } else { g.object(4) };
        let text = g.text_of(&v);
        no_panic("a response parser", &text, || {
            parse_everything(&text);
            parse_value(&v);
        });
    }
}

#[test]
fn response_parsers_never_panic_on_mutated_responses() {
    let mut g = Gen {
        rng: fastrand::Rng::with_seed(seed() ^ 2),
    };
    let templates = templates();
    for i in 0..iterations() * 3 {
        let mut v = templates[i % templates.len()].clone();
        g.mutate(&mut v, 0);
        let text = g.text_of(&v);
        no_panic("a response parser", &text, || {
            parse_everything(&text);
            parse_value(&v);
        });
    }
}

/// Ids in `got` that are among `wanted`, in order: what survived of the good elements.
fn survivors<'a>(got: impl Iterator<Item = Option<&'a str>>, wanted: &[String]) -> Vec<String> {
    got.flatten()
        .filter(|id| wanted.iter().any(|w| w == id))
        .map(str::to_owned)
        .collect()
}

#[test]
fn one_broken_element_costs_that_element_not_its_list() {
    let mut g = Gen {
        rng: fastrand::Rng::with_seed(seed() ^ 4),
    };
    let templates = templates();
    let (draft, task) = (&templates[1], &templates[2]);
    let generation = &task["generations"][0];
    const N: usize = 4;
    for i in 0..iterations() {
        let broken = i % N;
        // One element replaced by anything, or damaged field by field; the list stays JSON.
        let mut spoil = |template: &Value| {
            if g.rng.bool() {
                g.value(3)
            } else {
                let mut v = template.clone();
                g.mutate(&mut v, 0);
                v
            }
        };
        let ids: Vec<String> = (0..N).map(|n| format!("id_{n}")).collect();
        let with_ids = |template: &Value, spoilt: Value| -> Vec<Value> {
            (0..N)
                .map(|n| {
                    if n == broken {
                        return spoilt.clone();
                    }
                    let mut v = template.clone();
                    v["id"] = Value::String(ids[n].clone());
                    v
                })
                .collect()
        };
        let wanted: Vec<String> = (0..N)
            .filter(|n| *n != broken)
            .map(|n| ids[n].clone())
            .collect();

        let items = with_ids(draft, spoil(draft));
        let text = serde_json::to_vec(&serde_json::json!({"items": items, "cursor": "c"})).unwrap();
        no_panic("a drafts page", &text, || {
            let page: DraftsPage = serde_json::from_slice(&text)
                .unwrap_or_else(|e| panic!("one broken draft failed the page: {e}"));
            assert_eq!(
                survivors(page.items.iter().map(Draft::gen_id), &wanted),
                wanted
            );
            assert_eq!(page.cursor.as_deref(), Some("c"));
        });

        let mut t = task.clone();
        t["id"] = Value::String("task_1".into());
        t["generations"] = Value::Array(with_ids(generation, spoil(generation)));
        let text = serde_json::to_vec(&t).unwrap();
        no_panic("a task", &text, || {
            let t: TaskInfo = serde_json::from_slice(&text)
                .unwrap_or_else(|e| panic!("one broken generation failed the task: {e}"));
            let got = t.generations.iter().map(|g| g.id.as_deref());
            assert_eq!(survivors(got, &wanted), wanted);
        });
    }
}

#[test]
fn deep_nesting_is_an_error_or_a_value_never_a_crash() {
    let mut g = Gen {
        rng: fastrand::Rng::with_seed(seed() ^ 3),
    };
    // Up to the JSON parser's recursion limit (128) and beyond it.
    for depth in [10, 60, 120, 127, 128, 129, 200, 1000] {
        for _ in 0..5 {
            let v = g.nested(depth.min(120));
            let text = g.text_of(&v);
            no_panic("a response parser", &text, || parse_everything(&text));
            // Past the limit only as text: the parser must refuse, not recurse.
            let deep = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
            let deep_obj = format!("{}1{}", "{\"items\":".repeat(depth), "}".repeat(depth));
            for t in [deep, deep_obj] {
                no_panic("a response parser", t.as_bytes(), || {
                    parse_everything(t.as_bytes())
                });
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Storyboard parsers.

/// Uses a parsed storyboard the way the editor and the submit path do.
fn use_storyboard(b: &Storyboard) {
    let _ = (b.validate(), b.prompt_text(), b.total(), b.balance());
    let _ = to_toml(b);
}

/// A random storyboard file: a valid one with damaged values, or TOML-ish noise.
fn storyboard_text(g: &mut Gen) -> String {
    let dur = |g: &mut Gen| -> String {
        [
            "5.0",
            "0",
            "-3",
            "1e308",
            "-1e308",
            "nan",
            "inf",
            "-inf",
            "1e-300",
            "\"5\"",
            "99999999999999999999",
            "0.05",
            "[]",
            "{}",
            "true",
        ][g.rng.usize(0..15)]
        .to_string()
    };
    let word = |g: &mut Gen| -> String {
        [
            "\"landscape\"",
            "\"portrait\"",
            "10",
            "15",
            "25",
            "\"sy_8\"",
            "\"sy_ore\"",
            "\"small\"",
            "\"large\"",
            "\"\"",
            "-1",
            "4294967296",
            "null",
        ][g.rng.usize(0..13)]
        .to_string()
    };
    let mut lines = vec![format!(
        "version = {}",
        ["1", "2", "0", "-1", "\"1\"", "4294967297"][g.rng.usize(0..6)]
    )];
    if g.rng.bool() {
        lines.push(format!("instructions = {:?}", g.string()));
    }
    for key in ["orientation", "length", "model", "size"] {
        if g.rng.bool() {
            lines.push(format!("{key} = {}", word(g)));
        }
    }
    for _ in 0..g.rng.usize(0..6) {
        lines.push("[[shot]]".into());
        if g.rng.u8(0..8) != 0 {
            lines.push(format!("duration = {}", dur(g)));
        }
        if g.rng.u8(0..8) != 0 {
            lines.push(format!("scene = {:?}", g.string()));
        }
        if g.rng.u8(0..10) == 0 {
            lines.push(format!("{} = 1", g.string()));
        }
    }
    let mut text = lines.join("\n");
    if g.rng.u8(0..4) == 0 && !text.is_empty() {
        // Damage at a random char boundary.
        let cut = g.rng.usize(0..text.len());
        let cut = (0..=cut)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        let noise = g.string();
        text.insert_str(cut, &noise);
    }
    text
}

#[test]
fn storyboard_files_never_panic() {
    let mut g = Gen {
        rng: fastrand::Rng::with_seed(seed() ^ 4),
    };
    for i in 0..iterations() * 2 {
        let text = if i % 5 == 0 {
            String::from_utf8_lossy(&g.bytes()).into_owned()
        } else {
            storyboard_text(&mut g)
        };
        no_panic("from_toml", text.as_bytes(), || {
            if let Ok(b) = from_toml(&text) {
                use_storyboard(&b);
            }
        });
    }
}

#[test]
fn inline_storyboards_never_panic() {
    let mut g = Gen {
        rng: fastrand::Rng::with_seed(seed() ^ 5),
    };
    let markers = [
        "[5.0s]",
        "[5s]",
        "[ 2.5 s]",
        "[1e308s]",
        "[1e-320s]",
        "[0s]",
        "[-1s]",
        "[nans]",
        "[infs]",
        "[s]",
        "[",
        "]",
        "[[5s]]",
        "[5.0é s]",
        "[é]",
        "[5.0s",
        "5.0s]",
    ];
    for _ in 0..iterations() * 2 {
        let mut text = String::new();
        for _ in 0..g.rng.usize(0..8) {
            if g.rng.bool() {
                text.push_str(markers[g.rng.usize(0..markers.len())]);
            } else {
                text.push_str(&g.string());
            }
        }
        no_panic("from_inline", text.as_bytes(), || {
            if let Ok(b) = Storyboard::from_inline(&text, VideoSettings::default()) {
                use_storyboard(&b);
            }
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Through the client: error classification and the response bodies only it reads.

/// What the raw server answers next: status line, headers and body, damaged as chosen.
#[derive(Clone, Default)]
struct Canned {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// A loopback HTTP/1.1 server that answers every request with the current [`Canned`] and
/// closes the connection, so each input meets a fresh exchange.
async fn raw_server() -> (SocketAddr, Arc<Mutex<Canned>>) {
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let canned = Arc::new(Mutex::new(Canned::default()));
    let shared = canned.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let reply = shared.lock().unwrap().clone();
            tokio::spawn(async move {
                read_request(&mut sock).await;
                let mut head = format!("HTTP/1.1 {} X\r\n", reply.status);
                for (k, v) in &reply.headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str(&format!(
                    "content-length: {}\r\nconnection: close\r\n\r\n",
                    reply.body.len()
                ));
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(&reply.body).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    (addr, canned)
}

/// Reads one request (head and a `content-length` body) so the client sees a normal exchange.
async fn read_request(sock: &mut tokio::net::TcpStream) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let Ok(n) = sock.read(&mut chunk).await else {
            return;
        };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                return;
            }
        }
    }
}

fn random_reply(g: &mut Gen, templates: &[Value], status: u16) -> Canned {
    let mut headers = Vec::new();
    let ct = [
        "application/json",
        "application/json; charset=utf-8",
        "text/html; charset=UTF-8",
        "text/plain",
        "",
    ][g.rng.usize(0..5)];
    if !ct.is_empty() {
        headers.push(("content-type".to_string(), ct.to_string()));
    }
    if g.rng.u8(0..4) == 0 {
        // Small values only: a policy that honours Retry-After must not stall the suite.
        let ra = [
            "0",
            "1",
            "-5",
            "soon",
            "NaN",
            "0.001",
            "Wed, 21 Oct 2015 07:28:00 GMT",
        ][g.rng.usize(0..7)];
        headers.push(("retry-after".to_string(), ra.to_string()));
    }
    if g.rng.u8(0..8) == 0 {
        headers.push(("cf-mitigated".to_string(), "challenge".to_string()));
    }
    let body = match g.rng.u8(0..4) {
        0 => g.bytes(),
        1 => {
            let v = g.value(4);
            g.text_of(&v)
        }
        _ => {
            let mut v = templates[g.rng.usize(0..templates.len())].clone();
            g.mutate(&mut v, 0);
            g.text_of(&v)
        }
    };
    Canned {
        status,
        headers,
        body,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_calls_never_panic_on_hostile_answers() {
    let (addr, canned) = raw_server().await;
    let mut config = ClientConfig::new(
        format!("http://{addr}/backend"),
        AccessToken::new("fuzz-token-0123456789").unwrap(),
    );
    config.request_timeout = Duration::from_secs(5);
    let client = Client::new(config).unwrap();
    let mut g = Gen {
        rng: fastrand::Rng::with_seed(seed() ^ 6),
    };
    let templates = templates();
    // Statuses for the one-shot POST (classification); GETs get 200 with hostile bodies, so a
    // retry policy on GETs cannot slow this down.
    let statuses = [
        200, 201, 204, 299, 300, 302, 304, 400, 401, 402, 403, 404, 409, 413, 422, 429, 451, 500,
        502, 503, 504, 520, 599,
    ];
    let rounds = (iterations() / 5).max(50);
    for i in 0..rounds {
        let status = statuses[g.rng.usize(0..statuses.len())];
        *canned.lock().unwrap() = random_reply(&mut g, &templates, status);
        let publish = client.publish("gen_01").await;
        check_error_text(&publish.err());
        *canned.lock().unwrap() = random_reply(&mut g, &templates, 200);
        match i % 7 {
            0 => check_error_text(&client.pending().await.err()),
            1 => check_error_text(&client.recent_tasks(20).await.err()),
            2 => check_error_text(&client.drafts(30, Some("c")).await.err()),
            3 => check_error_text(&client.me().await.err()),
            4 => check_error_text(&client.quota().await.err()),
            5 => check_error_text(&client.cameo_progress("c_1").await.err()),
            _ => check_error_text(&client.get_post("s_1").await.err()),
        }
    }
}

/// An error's message is usable (and never holds the token).
fn check_error_text(e: &Option<sora_tui::api::ApiError>) {
    if let Some(e) = e {
        let text = format!("{e} {e:?} {}", e.class());
        assert!(!text.contains("fuzz-token-0123456789"), "{text}");
    }
}

// ---------------------------------------------------------------------------------------------
// The simulator's own answers always parse.

#[tokio::test]
async fn the_simulators_answers_always_parse() {
    let sim = common::start_sim(|c| c.seed_drafts = 45).await;
    let client = common::client_for(&sim);
    let me = client.me().await.expect("me parses");
    assert!(me.id.is_some() || me.email.is_some(), "{me:?}");
    client.quota().await.expect("quota parses");
    let task = client
        .create_video("a cat", VideoSettings::default(), None)
        .await
        .expect("create parses");
    client
        .create_image("a dog", sora_tui::api::ImageShape::Square, 2, None)
        .await
        .expect("image create parses");
    client.pending().await.expect("pending parses");
    client.recent_tasks(20).await.expect("recent_tasks parses");
    // Page through everything, including the task just made once it finishes.
    let draft = common::eventually(30, || async {
        let page = client.drafts(30, None).await.expect("drafts parse");
        page.items
            .into_iter()
            .find(|d| d.task_id.as_deref() == Some(task.as_str()) && d.best_url().is_some())
    })
    .await;
    let mut cursor = None;
    let mut seen = 0;
    loop {
        let page = client
            .drafts(30, cursor.as_deref())
            .await
            .expect("a drafts page parses");
        seen += page.items.len();
        for d in page.items {
            use_draft(d);
        }
        match page.cursor {
            Some(c) if seen < 1000 => cursor = Some(c),
            _ => break,
        }
    }
    assert!(seen >= 46, "every draft was listed: {seen}");
    let post = client
        .publish(draft.gen_id().expect("a gen id"))
        .await
        .expect("publish parses");
    let again = client.get_post(&post.id).await.expect("post parses");
    assert_eq!(again.id, post.id);
    client.delete_post(&post.id).await.expect("delete parses");
    sim.shutdown().await;
}
