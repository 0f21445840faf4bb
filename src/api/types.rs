//! Request bodies (field for field as docs/api.md#request-bodies lists them) and tolerant
//! response shapes.
//!
//! Responses ignore unknown fields, accept `null` for anything optional and default what is
//! missing: the live service changed shapes more than once and a strict parser would break
//! on the next change. An optional field of the wrong type reads as missing; a list element
//! that cannot be read at all (not an object, an id that is not a string) is skipped, logged
//! by index, and the rest of the list kept. What an answer may hold is bounded while it is
//! parsed (see "bounds" below).

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

// ---- bounds ------------------------------------------------------------------------------
//
// An answer is read into memory whole (at most the client's body cap), and what it parses
// into is bounded while parsing, never after: a list stops with an error past its bound, a
// value of the wrong kind is skipped unread (`IgnoredAny`, which allocates nothing however
// large or deep it is), and no subtree is ever kept as a `serde_json::Value`. So two bytes
// of `{}` in a hostile answer cannot become hundreds of bytes of parsed structure, millions
// of times over. Nesting is bounded by serde_json's recursion limit (128). Each list element
// is first captured as raw JSON text (a copy of its own bytes) so that it can fail alone; its
// copy is freed before the next one is read.

/// Most elements a top-level list of one answer may hold: drafts in a page, tasks in
/// `/nf/pending` or `/v2/recent_tasks`. The largest page this client asks for is 100 and
/// pending holds a few tasks, so ten times the largest request is never reached by the live
/// service; a longer list is refused as a whole ([`ApiError::BadResponse`]).
///
/// [`ApiError::BadResponse`]: super::ApiError::BadResponse
pub const MAX_LIST_ITEMS: usize = 1000;
/// Most elements a list inside one element may hold: the generations of a task (one per
/// variant, a handful at most), the attachments of a post (one). Kept far below
/// [`MAX_LIST_ITEMS`] because the two multiply.
pub const MAX_INNER_ITEMS: usize = 64;
/// Longest text value kept, in bytes; a longer one reads as missing (and a longer id makes
/// its element malformed). Prompts, messages, ids and signed URLs are a few KB at most, and a
/// longer string would only be cut again for display.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;
/// How every over-bound message starts, so [`over_bound`] can recognise one.
const OVER_BOUND: &str = "the server sent more than ";

/// The message of a parse stopped by a list bound ("the server sent more than 1000 drafts in
/// one page"), without serde_json's position; `None` for any other parse error.
pub(crate) fn over_bound(e: &serde_json::Error) -> Option<String> {
    let text = e.to_string();
    if !text.starts_with(OVER_BOUND) {
        return None;
    }
    let position = format!(" at line {} column {}", e.line(), e.column());
    Some(
        text.strip_suffix(position.as_str())
            .unwrap_or(&text)
            .to_string(),
    )
}

/// A JSON value as the lenient readers see it: scalars are kept (text up to
/// [`MAX_TEXT_BYTES`]), arrays and objects are skipped unread.
enum Scalar {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    Text(String),
    /// A string longer than [`MAX_TEXT_BYTES`] (not copied).
    TooLong,
    /// An array or an object (skipped).
    Nested,
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Scalar::Null, Scalar::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
        Ok(if v.len() > MAX_TEXT_BYTES {
            Scalar::TooLong
        } else {
            Scalar::Text(v.to_owned())
        })
    }
    fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
        Ok(if v.len() > MAX_TEXT_BYTES {
            Scalar::TooLong
        } else {
            Scalar::Text(v)
        })
    }
    fn visit_unit<E>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Scalar, A::Error> {
        IgnoredAny.visit_seq(seq).map(|_| Scalar::Nested)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Scalar, A::Error> {
        IgnoredAny.visit_map(map).map(|_| Scalar::Nested)
    }
}

/// Accepts a number or a numeric string; anything else becomes `None`.
fn lenient_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Scalar::deserialize(d)? {
        Scalar::Number(n) => n.as_f64(),
        Scalar::Text(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// Accepts a string or a number as an id-like string; anything else becomes `None`.
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Scalar::deserialize(d)? {
        Scalar::Text(s) => Some(s),
        Scalar::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// [`lenient_string`] where a missing value is the empty string.
fn lenient_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(lenient_string(d)?.unwrap_or_default())
}

/// Accepts a string only; anything else becomes `None`.
fn text_only<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Scalar::deserialize(d)? {
        Scalar::Text(s) => Some(s),
        _ => None,
    })
}

/// Accepts a boolean; anything else becomes `None`.
fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Scalar::deserialize(d)? {
        Scalar::Bool(b) => Some(b),
        _ => None,
    })
}

/// The id that makes an element what it is: a string (null reads as empty). Anything else,
/// or a string over [`MAX_TEXT_BYTES`], makes the element malformed: a list then skips it.
fn element_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Scalar::deserialize(d)? {
        Scalar::Text(s) => Ok(s),
        Scalar::Null => Ok(String::new()),
        Scalar::TooLong => Err(de::Error::custom("an id that is too long")),
        _ => Err(de::Error::custom("an id that is not a string")),
    }
}

/// An object read as `T`; a value of any other kind (or null) becomes `None` unread. Errors
/// inside the object still fail it.
fn lenient_struct<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct ObjectVisitor<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
        type Value = Option<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<T>, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map)).map(Some)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<T>, A::Error> {
            IgnoredAny.visit_seq(seq).map(|_| None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_none<E>(self) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_bool<E>(self, _: bool) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_str<E>(self, _: &str) -> Result<Option<T>, E> {
            Ok(None)
        }
    }

    d.deserialize_any(ObjectVisitor(PhantomData))
}

/// How one list field is read.
struct ListRule {
    /// Most elements; one more fails the whole answer.
    max: usize,
    /// What the elements are, for messages and logs ("drafts").
    what: &'static str,
    /// Where they are ("in one page").
    place: &'static str,
    /// Whether a value that is not a list fails the answer (a top-level list) or reads as
    /// empty (a list inside an element, where it is just another optional field).
    strict: bool,
}

impl ListRule {
    fn over(&self) -> String {
        format!("{OVER_BOUND}{} {} {}", self.max, self.what, self.place)
    }
}

const PENDING_TASKS: ListRule = ListRule {
    max: MAX_LIST_ITEMS,
    what: "pending tasks",
    place: "in one answer",
    strict: true,
};
const RECENT_TASKS: ListRule = ListRule {
    max: MAX_LIST_ITEMS,
    what: "recent tasks",
    place: "in one answer",
    strict: true,
};
const DRAFTS: ListRule = ListRule {
    max: MAX_LIST_ITEMS,
    what: "drafts",
    place: "in one page",
    strict: true,
};
const FEED_ITEMS: ListRule = ListRule {
    max: MAX_LIST_ITEMS,
    what: "posts",
    place: "in one page",
    strict: true,
};
const GENERATIONS: ListRule = ListRule {
    max: MAX_INNER_ITEMS,
    what: "generations",
    place: "in one task",
    strict: false,
};
const ATTACHMENTS: ListRule = ListRule {
    max: MAX_INNER_ITEMS,
    what: "attachments",
    place: "in one post",
    strict: false,
};

/// How many skipped indices one log line names.
const LOGGED_INDICES: usize = 5;

/// Reads the elements of a list under `rule`: each element is captured as raw JSON text (a
/// copy of its bytes, nothing more) and parsed on its own, so one malformed element (not an
/// object, a wrong-typed id, an inner list over its bound) is skipped and logged by index
/// while the others are kept. Past `rule.max` elements the answer fails.
fn read_elements<'de, A, T>(seq: &mut A, rule: &ListRule) -> Result<Vec<T>, A::Error>
where
    A: SeqAccess<'de>,
    T: DeserializeOwned,
{
    let mut items = Vec::new();
    let mut skipped: Vec<usize> = Vec::new();
    let mut skipped_count = 0usize;
    for index in 0.. {
        if index == rule.max {
            if seq.next_element::<IgnoredAny>()?.is_some() {
                return Err(de::Error::custom(rule.over()));
            }
            break;
        }
        let Some(raw) = seq.next_element::<Box<RawValue>>()? else {
            break;
        };
        match serde_json::from_str::<T>(raw.get()) {
            Ok(item) => items.push(item),
            Err(_) => {
                skipped_count += 1;
                if skipped.len() < LOGGED_INDICES {
                    skipped.push(index);
                }
            }
        }
    }
    if skipped_count > 0 {
        // The index only: the element's content is the server's and may be anything.
        tracing::warn!(
            list = rule.what,
            skipped = skipped_count,
            indices = ?skipped,
            "skipped list elements this client cannot read; kept the others"
        );
    }
    Ok(items)
}

/// A list field read under `rule` (see [`read_elements`]); null reads as empty.
fn bounded_list<'de, D, T>(d: D, rule: &'static ListRule) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    struct ListVisitor<T> {
        rule: &'static ListRule,
        item: PhantomData<T>,
    }

    impl<T> ListVisitor<T> {
        fn other<E: de::Error>(&self, what: de::Unexpected<'_>) -> Result<Vec<T>, E> {
            if self.rule.strict {
                let expected = format!("a list of {}", self.rule.what);
                Err(E::invalid_type(what, &expected.as_str()))
            } else {
                Ok(Vec::new())
            }
        }
    }

    impl<'de, T: DeserializeOwned> Visitor<'de> for ListVisitor<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a list of {}", self.rule.what)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            read_elements(&mut seq, self.rule)
        }
        fn visit_unit<E>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_none<E>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Vec<T>, A::Error> {
            let v = self.other(de::Unexpected::Map)?;
            IgnoredAny.visit_map(map)?;
            Ok(v)
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Vec<T>, E> {
            self.other(de::Unexpected::Bool(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Vec<T>, E> {
            self.other(de::Unexpected::Signed(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Vec<T>, E> {
            self.other(de::Unexpected::Unsigned(v))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Vec<T>, E> {
            self.other(de::Unexpected::Float(v))
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Vec<T>, E> {
            // Not quoted back: the text is the server's.
            self.other(de::Unexpected::Other("a string"))
        }
    }

    d.deserialize_any(ListVisitor {
        rule,
        item: PhantomData,
    })
}

fn pending_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<TaskInfo>, D::Error> {
    bounded_list(d, &PENDING_TASKS)
}

fn recent_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<TaskInfo>, D::Error> {
    bounded_list(d, &RECENT_TASKS)
}

fn drafts_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Draft>, D::Error> {
    bounded_list(d, &DRAFTS)
}

fn feed_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<FeedItem>, D::Error> {
    bounded_list(d, &FEED_ITEMS)
}

fn generations_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Generation>, D::Error> {
    bounded_list(d, &GENERATIONS)
}

fn attachments_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<PostAttachment>, D::Error> {
    bounded_list(d, &ATTACHMENTS)
}

/// `post` of a draft: a post id, or a post object of which only its `id` is kept (the rest
/// is not used, and keeping it would keep whatever the server put there).
fn post_ref<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    #[derive(Deserialize)]
    struct PostObject {
        #[serde(default, deserialize_with = "text_only")]
        id: Option<String>,
    }

    struct PostRefVisitor;

    impl<'de> Visitor<'de> for PostRefVisitor {
        type Value = Option<Value>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a post id or a post")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<Value>, A::Error> {
            let post = PostObject::deserialize(MapAccessDeserializer::new(map))?;
            let mut object = serde_json::Map::new();
            if let Some(id) = post.id {
                object.insert("id".into(), Value::String(id));
            }
            Ok(Some(Value::Object(object)))
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<Value>, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_none<E>(self) -> Result<Option<Value>, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Option<Value>, E> {
            Ok(None)
        }
        fn visit_str<E>(self, v: &str) -> Result<Option<Value>, E> {
            Ok((v.len() <= MAX_TEXT_BYTES).then(|| Value::String(v.to_owned())))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<Value>, A::Error> {
            IgnoredAny.visit_seq(seq).map(|_| None)
        }
        fn visit_bool<E>(self, _: bool) -> Result<Option<Value>, E> {
            Ok(None)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Option<Value>, E> {
            Ok(None)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Option<Value>, E> {
            Ok(None)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Option<Value>, E> {
            Ok(None)
        }
    }

    d.deserialize_any(PostRefVisitor)
}

/// `GET /me`: who the token belongs to. Sometimes nested under `user`: top-level fields win,
/// the nested ones fill the gaps.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "MeFields")]
pub struct Me {
    /// Account id.
    pub id: Option<String>,
    /// Account email.
    pub email: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// Sora username (null until one is chosen).
    pub username: Option<String>,
}

/// The account fields of one level of a `/me` answer.
#[derive(Default, Deserialize)]
struct MeLevel {
    #[serde(default, deserialize_with = "lenient_string")]
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    email: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    username: Option<String>,
}

/// A `/me` answer as sent: the top level, and `user` when it is an object. (Spelled out
/// rather than `#[serde(flatten)]`, which would buffer every unknown field.)
#[derive(Deserialize)]
struct MeFields {
    #[serde(default, deserialize_with = "lenient_string")]
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    email: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    username: Option<String>,
    #[serde(default, deserialize_with = "lenient_struct")]
    user: Option<MeLevel>,
}

impl From<MeFields> for Me {
    fn from(f: MeFields) -> Me {
        let nested = f.user.unwrap_or_default();
        Me {
            id: f.id.or(nested.id),
            email: f.email.or(nested.email),
            name: f.name.or(nested.name),
            username: f.username.or(nested.username),
        }
    }
}

/// A `/me` answer: the account, or `None` when the answer is not an object at all.
pub(crate) struct MeAnswer(pub Option<Me>);

impl<'de> Deserialize<'de> for MeAnswer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MeAnswer, D::Error> {
        lenient_struct(d).map(MeAnswer)
    }
}

impl Me {
    /// Reads the profile whether it is top-level or nested under `user`.
    pub fn from_value(v: &Value) -> Option<Me> {
        serde_json::from_value::<MeAnswer>(v.clone()).ok()?.0
    }

    /// The best single name for the account: username, else email, else name.
    pub fn display(&self) -> String {
        self.username
            .as_ref()
            .map(|u| format!("@{u}"))
            .or_else(|| self.email.clone())
            .or_else(|| self.name.clone())
            .unwrap_or_else(|| "unknown account".to_string())
    }
}

/// `{"id": …}` as returned by the create and upload calls.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct IdResponse {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
}

/// One element of `inpaint_items` for `/nf/create`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VideoInpaintItem {
    /// Always `upload`.
    pub kind: &'static str,
    /// The media id returned by `POST /uploads`.
    pub upload_id: String,
}

/// `POST /nf/create` for text-to-video and image-to-video, fields in the order sent
/// (docs/api.md#request-bodies).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VideoCreateBody {
    /// Always `video`.
    pub kind: &'static str,
    /// What to generate.
    pub prompt: String,
    /// `landscape` or `portrait`.
    pub orientation: &'static str,
    /// `small` or `large`.
    pub size: &'static str,
    /// 300/450/750.
    pub n_frames: u32,
    /// `sy_8` or `sy_ore`.
    pub model: &'static str,
    /// The starting image, if any.
    pub inpaint_items: Vec<VideoInpaintItem>,
    /// The style preset; left out entirely when none is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style_id: Option<&'static str>,
}

/// `POST /nf/create` for a remix of a published video, fields in the order sent
/// (docs/api.md#request-bodies).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RemixCreateBody {
    /// Always `video`.
    pub kind: &'static str,
    /// What to change.
    pub prompt: String,
    /// `landscape` or `portrait`.
    pub orientation: &'static str,
    /// 300/450/750.
    pub n_frames: u32,
    /// `sy_8` or `sy_ore`.
    pub model: &'static str,
    /// The published post id (`s_…`).
    pub remix_target_id: String,
    /// Always empty for a remix.
    pub inpaint_items: Vec<VideoInpaintItem>,
    /// Always empty (docs/api.md#request-bodies).
    pub cameo_ids: Vec<String>,
    /// Always empty (docs/api.md#request-bodies).
    pub cameo_replacements: serde_json::Map<String, Value>,
    /// The style preset; left out entirely when none is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style_id: Option<&'static str>,
}

/// `POST /nf/create/storyboard`, every field including its nulls (docs/api.md#request-bodies).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoryboardCreateBody {
    /// Always `video`.
    pub kind: &'static str,
    /// The storyboard text (docs/api.md#storyboard-prompt-text).
    pub prompt: String,
    /// `Draft your video`, as the web app sends.
    pub title: String,
    /// `landscape` or `portrait`.
    pub orientation: &'static str,
    /// `small` or `large`.
    pub size: &'static str,
    /// From the chosen total length.
    pub n_frames: u32,
    /// `sy_8` or `sy_ore`.
    pub model: &'static str,
    /// Always null.
    pub storyboard_id: Option<String>,
    /// Always empty.
    pub inpaint_items: Vec<VideoInpaintItem>,
    /// Always null.
    pub remix_target_id: Option<String>,
    /// Always null.
    pub metadata: Option<Value>,
    /// The style preset, null when none is set.
    pub style_id: Option<&'static str>,
    /// Always null.
    pub cameo_ids: Option<Vec<String>>,
    /// Always null.
    pub cameo_replacements: Option<Value>,
}

/// One element of `inpaint_items` for `/video_gen`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageInpaintItem {
    /// Always `image`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Always 0.
    pub frame_index: u32,
    /// The media id returned by `POST /uploads`.
    pub upload_media_id: String,
}

/// `POST /video_gen` (image generation), fields in the order sent (docs/api.md#request-bodies).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageGenBody {
    /// Always `image_gen`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `simple_compose`, or `remix` when starting from an uploaded image.
    pub operation: &'static str,
    /// What to generate.
    pub prompt: String,
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
    /// How many images.
    pub n_variants: u32,
    /// Always 1.
    pub n_frames: u32,
    /// The starting image, if any.
    pub inpaint_items: Vec<ImageInpaintItem>,
}

/// One generated output attached to a task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    /// `gen_…`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    /// Where the media can be fetched.
    #[serde(default, deserialize_with = "lenient_string")]
    pub url: Option<String>,
    /// Pixels, when known.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub width: Option<f64>,
    /// Pixels, when known.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub height: Option<f64>,
}

/// A task as `/nf/pending` and `/v2/recent_tasks` describe it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskInfo {
    /// `task_…`. Not a string: the task is malformed, and a list skips it.
    #[serde(default, deserialize_with = "element_id")]
    pub id: String,
    /// `preprocessing`, `queued`, `running`, `processing`, `succeeded`, `failed`, or new words.
    #[serde(default, deserialize_with = "lenient_text")]
    pub status: String,
    /// 0.0-1.0, null for 0; above 1 it is already a percent (see [`TaskInfo::progress`]).
    #[serde(default, deserialize_with = "lenient_f64")]
    pub progress_pct: Option<f64>,
    /// Why it failed.
    #[serde(default, deserialize_with = "lenient_string")]
    pub failure_reason: Option<String>,
    /// Older name of `failure_reason`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub error_message: Option<String>,
    /// The prompt, when the server echoes it.
    #[serde(default, deserialize_with = "lenient_string")]
    pub prompt: Option<String>,
    /// A title, when present.
    #[serde(default, deserialize_with = "lenient_string")]
    pub title: Option<String>,
    /// Outputs (filled for succeeded image tasks), at most [`MAX_INNER_ITEMS`].
    #[serde(default, deserialize_with = "generations_list")]
    pub generations: Vec<Generation>,
    /// Seconds the service expects a queued task to wait, when it says: the worker's poll
    /// schedule looks less often until then.
    #[serde(
        default,
        deserialize_with = "lenient_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub estimated_queue_wait_time: Option<f64>,
    /// A queued task's place in the queue (1 is next), when the service says.
    #[serde(
        default,
        deserialize_with = "lenient_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub progress_pos_in_queue: Option<f64>,
}

impl TaskInfo {
    /// Progress as a fraction 0.0-1.0.
    pub fn progress(&self) -> f64 {
        progress_fraction(self.progress_pct)
    }

    /// The failure text, from whichever field carries it.
    pub fn failure(&self) -> Option<&str> {
        self.failure_reason
            .as_deref()
            .or(self.error_message.as_deref())
            .filter(|s| !s.trim().is_empty())
    }
}

/// Normalises a `progress_pct` value: null is 0, above 1 is a percent, clamped to 0.0-1.0.
pub fn progress_fraction(v: Option<f64>) -> f64 {
    match v {
        Some(p) if p.is_finite() && p > 1.0 => (p / 100.0).clamp(0.0, 1.0),
        Some(p) if p.is_finite() => p.clamp(0.0, 1.0),
        _ => 0.0,
    }
}

/// `/nf/pending` is a bare array on some versions and `{"items": […]}` on others. Read by
/// hand rather than `#[serde(untagged)]`, which would buffer the whole answer as generic
/// values before choosing; at most [`MAX_LIST_ITEMS`] tasks either way.
pub(crate) enum PendingBody {
    Bare(Vec<TaskInfo>),
    Wrapped { items: Vec<TaskInfo> },
}

impl<'de> Deserialize<'de> for PendingBody {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<PendingBody, D::Error> {
        #[derive(Deserialize)]
        struct Wrapped {
            #[serde(default, deserialize_with = "pending_list")]
            items: Vec<TaskInfo>,
        }

        struct PendingVisitor;

        impl<'de> Visitor<'de> for PendingVisitor {
            type Value = PendingBody;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of tasks or an object with `items`")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PendingBody, A::Error> {
                read_elements(&mut seq, &PENDING_TASKS).map(PendingBody::Bare)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<PendingBody, A::Error> {
                let w = Wrapped::deserialize(MapAccessDeserializer::new(map))?;
                Ok(PendingBody::Wrapped { items: w.items })
            }
        }

        d.deserialize_any(PendingVisitor)
    }
}

/// `/v2/recent_tasks`: at most [`MAX_LIST_ITEMS`] tasks.
#[derive(Deserialize)]
pub(crate) struct RecentTasksBody {
    #[serde(default, deserialize_with = "recent_list")]
    pub task_responses: Vec<TaskInfo>,
}

/// Whether `s` starts like an http(s) URL (scheme compared case-insensitively).
fn is_http_url(s: &str) -> bool {
    let scheme = s.split_once("://").map(|(scheme, _)| scheme);
    scheme.is_some_and(|sc| sc.eq_ignore_ascii_case("https") || sc.eq_ignore_ascii_case("http"))
}

/// One rendition of a draft (`encodings.source`, `.md`, `.thumbnail`, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Encoding {
    /// URL of the file; on drafts/v2 the blob store's internal name instead (not a URL).
    #[serde(default, deserialize_with = "lenient_string")]
    pub path: Option<String>,
    /// Bytes, when known.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub size: Option<f64>,
    /// Seconds, when known.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub duration_secs: Option<f64>,
}

/// The renditions of a draft or post attachment; each may be null.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Encodings {
    /// Full quality.
    #[serde(default, deserialize_with = "lenient_struct")]
    pub source: Option<Encoding>,
    /// Full quality with the watermark: what a copy claimed to be clean is compared with.
    #[serde(default, deserialize_with = "lenient_struct")]
    pub source_wm: Option<Encoding>,
    /// Medium quality.
    #[serde(default, deserialize_with = "lenient_struct")]
    pub md: Option<Encoding>,
    /// Low quality.
    #[serde(default, deserialize_with = "lenient_struct")]
    pub ld: Option<Encoding>,
    /// Preview image.
    #[serde(default, deserialize_with = "lenient_struct")]
    pub thumbnail: Option<Encoding>,
}

/// `download_urls` of a draft.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DownloadUrls {
    /// With watermark.
    #[serde(default, deserialize_with = "lenient_string")]
    pub watermark: Option<String>,
    /// Without watermark (rarely present).
    #[serde(default, deserialize_with = "lenient_string")]
    pub no_watermark: Option<String>,
    /// With the end card.
    #[serde(default, deserialize_with = "lenient_string")]
    pub endcard_watermark: Option<String>,
}

/// A finished video in the account's drafts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// `gen_…`, used to publish.
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    /// Same as `id` on some versions.
    #[serde(default, deserialize_with = "lenient_string")]
    pub generation_id: Option<String>,
    /// The task that made it (join key with pending).
    #[serde(default, deserialize_with = "lenient_string")]
    pub task_id: Option<String>,
    /// `sora_draft`, or `sora_content_violation`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub kind: Option<String>,
    /// Stream URL.
    #[serde(default, deserialize_with = "lenient_string")]
    pub url: Option<String>,
    /// Full-quality file URL.
    #[serde(default, deserialize_with = "lenient_string")]
    pub downloadable_url: Option<String>,
    /// Alternative download URLs.
    #[serde(default, deserialize_with = "lenient_struct")]
    pub download_urls: Option<DownloadUrls>,
    /// Non-empty when moderation blocked it.
    #[serde(default, deserialize_with = "lenient_string")]
    pub reason_str: Option<String>,
    /// Same, as markdown.
    #[serde(default, deserialize_with = "lenient_string")]
    pub markdown_reason_str: Option<String>,
    /// Pixels.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub width: Option<f64>,
    /// Pixels.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub height: Option<f64>,
    /// Seconds.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub duration_s: Option<f64>,
    /// The prompt it was made from.
    #[serde(default, deserialize_with = "lenient_string")]
    pub prompt: Option<String>,
    /// Title.
    #[serde(default, deserialize_with = "lenient_string")]
    pub title: Option<String>,
    /// Unix seconds.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub created_at: Option<f64>,
    /// Renditions.
    #[serde(default, deserialize_with = "lenient_struct")]
    pub encodings: Option<Encodings>,
    /// Set when published: an id, or a post object of which only `id` is kept.
    #[serde(default, deserialize_with = "post_ref")]
    pub post: Option<Value>,
    /// Set when published.
    #[serde(default, deserialize_with = "lenient_string")]
    pub post_id: Option<String>,
    /// What it was made with; only the remix parent is kept (docs/api.md, "Lineage").
    #[serde(default, deserialize_with = "lenient_struct")]
    pub creation_config: Option<CreationConfig>,
}

/// The part of a draft's `creation_config` this program reads: the post it remixed, from
/// `remix_target_post` (a `{post, profile}` wrapper, a post object or a bare id; only the
/// id is kept).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreationConfig {
    /// The remixed post's id (`s_…`), if the draft is a remix.
    #[serde(default, deserialize_with = "remix_target")]
    pub remix_target_post: Option<String>,
    /// The draft it extends (`gen_…`), if it is an extension: `extension_source`, an
    /// assumed key (docs/api.md, "Extending a draft"), read as `{"generation_id": …}`,
    /// `{"id": …}` or a bare id.
    #[serde(
        default,
        deserialize_with = "extension_source",
        skip_serializing_if = "Option::is_none"
    )]
    pub extension_source: Option<String>,
}

/// Reads `extension_source` leniently; anything else is no parent.
fn extension_source<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Option::<Value>::deserialize(d).unwrap_or(None);
    let id = match &value {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Object(o)) => o
            .get("generation_id")
            .or_else(|| o.get("id"))
            .and_then(Value::as_str),
        _ => None,
    };
    Ok(id.filter(|s| !s.is_empty()).map(str::to_owned))
}

/// Reads `remix_target_post` leniently: `{"post": {"id": …}}`, `{"id": …}` or `"s_…"`;
/// anything else is no parent.
fn remix_target<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Option::<Value>::deserialize(d).unwrap_or(None);
    let id = match &value {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Object(o)) => o
            .get("post")
            .and_then(|p| p.get("id"))
            .or_else(|| o.get("id"))
            .and_then(Value::as_str),
        _ => None,
    };
    Ok(id.filter(|s| !s.is_empty()).map(str::to_owned))
}

/// What a draft amounts to for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftVerdict {
    /// Ready to watch and download.
    Ready,
    /// Moderation blocked it; the text says why.
    Violation(String),
    /// Present but without media URLs yet: poll again.
    NotReady,
}

impl Draft {
    /// The generation id, from whichever field carries it.
    pub fn gen_id(&self) -> Option<&str> {
        self.id.as_deref().or(self.generation_id.as_deref())
    }

    /// The verdict of docs/api.md#response-fields-read: violation first, then readiness.
    pub fn verdict(&self) -> DraftVerdict {
        let reason = [&self.reason_str, &self.markdown_reason_str]
            .into_iter()
            .flatten()
            .find(|s| !s.trim().is_empty());
        if self.kind.as_deref() == Some("sora_content_violation") || reason.is_some() {
            return DraftVerdict::Violation(
                reason
                    .cloned()
                    .unwrap_or_else(|| "blocked by the content policy".to_string()),
            );
        }
        if self.best_url().is_none() {
            DraftVerdict::NotReady
        } else {
            DraftVerdict::Ready
        }
    }

    /// The URL to download: full quality first. `encodings.source.path` is the last resort
    /// and only when it is a URL: on drafts/v2 it is the blob store's internal name of the
    /// file (`{uuid}/raw`), which is not a link and is treated as absent.
    pub fn best_url(&self) -> Option<&str> {
        fn nonempty(s: &Option<String>) -> Option<&str> {
            s.as_deref().filter(|s| !s.is_empty())
        }
        nonempty(&self.downloadable_url)
            .or_else(|| nonempty(&self.url))
            .or_else(|| {
                self.encodings
                    .as_ref()
                    .and_then(|e| e.source.as_ref())
                    .and_then(|s| nonempty(&s.path))
                    .filter(|p| is_http_url(p))
            })
    }

    /// The post this draft remixed (`creation_config.remix_target_post`), if any.
    pub fn remix_parent(&self) -> Option<String> {
        self.creation_config
            .as_ref()
            .and_then(|c| c.remix_target_post.clone())
    }

    /// The draft this one extends (`creation_config.extension_source`), if any.
    pub fn extension_parent(&self) -> Option<String> {
        self.creation_config
            .as_ref()
            .and_then(|c| c.extension_source.clone())
    }

    /// The published post's id, if the draft is published.
    pub fn published_post_id(&self) -> Option<String> {
        if let Some(id) = self.post_id.as_ref().filter(|s| !s.is_empty()) {
            return Some(id.clone());
        }
        match &self.post {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::Object(o)) => o.get("id").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        }
    }
}

/// One page of drafts and the cursor of the next (`None` at the end).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DraftsPage {
    /// Newest first; at most [`MAX_LIST_ITEMS`].
    #[serde(default, deserialize_with = "drafts_list")]
    pub items: Vec<Draft>,
    /// Opaque; pass it back for the next page.
    #[serde(default, deserialize_with = "lenient_string")]
    pub cursor: Option<String>,
}

/// One page of `GET /project_y/profile_feed/me`: the account's own posts and the cursor of
/// the next page (`None` at the end).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PostsPage {
    /// Newest first; at most [`MAX_LIST_ITEMS`].
    #[serde(default, deserialize_with = "feed_list")]
    pub items: Vec<FeedItem>,
    /// Opaque; pass it back for the next page.
    #[serde(default, deserialize_with = "lenient_string")]
    pub cursor: Option<String>,
}

/// A feed item: `{post, profile, reposter_profile}`, of which only the post is read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeedItem {
    /// The post; an item without one is skipped by its readers.
    #[serde(default, deserialize_with = "lenient_struct")]
    pub post: Option<Post>,
}

/// `POST /project_y/post` body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostBody {
    /// The draft to publish.
    pub attachments_to_create: Vec<PostAttachmentRef>,
    /// Always empty.
    pub post_text: String,
}

/// A reference to a draft inside [`PostBody`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostAttachmentRef {
    /// `gen_…`.
    pub generation_id: String,
    /// Always `sora`.
    pub kind: &'static str,
}

/// An attachment of a published post.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PostAttachment {
    /// The draft it came from.
    #[serde(default, deserialize_with = "lenient_string")]
    pub generation_id: Option<String>,
    /// Stream URL.
    #[serde(default, deserialize_with = "lenient_string")]
    pub url: Option<String>,
    /// Full-quality URL (watermarked).
    #[serde(default, deserialize_with = "lenient_string")]
    pub downloadable_url: Option<String>,
    /// `source.path` is the file without the watermark.
    #[serde(default, deserialize_with = "lenient_struct")]
    pub encodings: Option<Encodings>,
}

/// A published post.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Post {
    /// `s_…`.
    #[serde(default, deserialize_with = "element_id")]
    pub id: String,
    /// The share link.
    #[serde(default, deserialize_with = "lenient_string")]
    pub permalink: Option<String>,
    /// Usually one; at most [`MAX_INNER_ITEMS`].
    #[serde(default, deserialize_with = "attachments_list")]
    pub attachments: Vec<PostAttachment>,
}

impl Post {
    /// The share link on `origin`, always built from the id (see [`super::id::share_link`]):
    /// the server's `permalink` could name any host or hold any text, so it is never passed on.
    pub fn share_link(&self, origin: &super::id::ShareOrigin) -> Result<String, String> {
        super::id::share_link(origin, &self.id)
    }

    /// URL of the file without the watermark (`attachments[0].encodings.source.path`).
    pub fn clean_source_url(&self) -> Option<&str> {
        self.attachments
            .first()?
            .encodings
            .as_ref()?
            .source
            .as_ref()?
            .path
            .as_deref()
            .filter(|p| !p.is_empty())
    }
}

/// `{"post": {…}}` of the publish and get-post calls.
#[derive(Deserialize)]
pub(crate) struct PostEnvelope {
    #[serde(default, deserialize_with = "lenient_struct")]
    pub post: Option<Post>,
}

/// `GET /project_y/cameos/in_progress/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CameoProgress {
    /// Server status word (`processing`, `failed`, `finalized`, …).
    #[serde(default, deserialize_with = "lenient_string")]
    pub status: Option<String>,
    /// Human status text; `Completed` when done.
    #[serde(default, deserialize_with = "lenient_string")]
    pub status_message: Option<String>,
    /// Suggested display name.
    #[serde(default, deserialize_with = "lenient_string")]
    pub display_name_hint: Option<String>,
    /// Suggested username.
    #[serde(default, deserialize_with = "lenient_string")]
    pub username_hint: Option<String>,
    /// The avatar to upload at finalize.
    #[serde(default, deserialize_with = "lenient_string")]
    pub profile_asset_url: Option<String>,
}

/// Where a cameo's processing stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameoPhase {
    /// Still working; the server's status text.
    Processing(String),
    /// Done: ready to finalize.
    Completed,
    /// Failed; the server's reason.
    Failed(String),
}

impl CameoProgress {
    /// The rule of docs/api.md#lifecycles: done on `Completed` or `finalized`, failed on `failed`.
    pub fn phase(&self) -> CameoPhase {
        let status = self.status.as_deref().unwrap_or("").to_ascii_lowercase();
        let message = self.status_message.clone().unwrap_or_default();
        if status == "failed" {
            let reason = if message.is_empty() {
                "processing failed".to_string()
            } else {
                message
            };
            CameoPhase::Failed(reason)
        } else if message.eq_ignore_ascii_case("completed") || status == "finalized" {
            CameoPhase::Completed
        } else if message.is_empty() {
            CameoPhase::Processing(if status.is_empty() {
                "processing".into()
            } else {
                status
            })
        } else {
            CameoPhase::Processing(message)
        }
    }
}

/// `POST /characters/finalize` body, field for field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FinalizeBody {
    /// From the upload.
    pub cameo_id: String,
    /// Lowercase letters, digits, dots.
    pub username: String,
    /// Free text.
    pub display_name: String,
    /// `sediment://file_…` from the profile upload.
    pub profile_asset_pointer: String,
    /// Always null.
    pub instruction_set: Option<Value>,
    /// Always null.
    pub safety_instruction_set: Option<Value>,
}

/// `GET /nf/check`: how many videos the account may still make.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Quota {
    /// Videos left in the current window.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub estimated_num_videos_remaining: Option<f64>,
    /// Whether the limit is reached.
    #[serde(default, deserialize_with = "lenient_bool")]
    pub rate_limit_reached: Option<bool>,
    /// Seconds until the window resets.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub access_resets_in_seconds: Option<f64>,
}

/// The parts of a failed call's error envelope the client uses: `{"error": {"message",
/// "code", "param"}}`, a bare string in `error`, or `detail` (else `message`) at the top
/// level. Read under the same bounds as every answer; what cannot be read is `None`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ErrorFields {
    pub message: Option<String>,
    pub code: Option<String>,
    pub param: Option<String>,
}

impl ErrorFields {
    /// Reads an error body; anything that is not such an envelope gives all `None`.
    pub(crate) fn read(body: &[u8]) -> ErrorFields {
        #[derive(Deserialize)]
        struct Top {
            #[serde(default, deserialize_with = "error_part")]
            error: Option<ErrorPart>,
            #[serde(default, deserialize_with = "text_only")]
            detail: Option<String>,
            #[serde(default, deserialize_with = "text_only")]
            message: Option<String>,
        }

        struct Answer(Option<Top>);

        impl<'de> Deserialize<'de> for Answer {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Answer, D::Error> {
                lenient_struct(d).map(Answer)
            }
        }

        let Ok(Answer(Some(top))) = serde_json::from_slice::<Answer>(body) else {
            return ErrorFields::default();
        };
        match top.error {
            Some(ErrorPart::Object(fields)) => fields,
            Some(ErrorPart::Text(message)) => ErrorFields {
                message: Some(message),
                ..ErrorFields::default()
            },
            None => ErrorFields {
                message: top.detail.or(top.message),
                ..ErrorFields::default()
            },
        }
    }
}

/// `error` of an error envelope.
enum ErrorPart {
    Object(ErrorFields),
    Text(String),
}

/// An `error` object or string; anything else is `None`.
fn error_part<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ErrorPart>, D::Error> {
    #[derive(Deserialize)]
    struct Object {
        #[serde(default, deserialize_with = "text_only")]
        message: Option<String>,
        #[serde(default, deserialize_with = "text_only")]
        code: Option<String>,
        #[serde(default, deserialize_with = "text_only")]
        param: Option<String>,
    }

    struct PartVisitor;

    impl<'de> Visitor<'de> for PartVisitor {
        type Value = Option<ErrorPart>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an error object or message")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            let o = Object::deserialize(MapAccessDeserializer::new(map))?;
            Ok(Some(ErrorPart::Object(ErrorFields {
                message: o.message,
                code: o.code,
                param: o.param,
            })))
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok((v.len() <= MAX_TEXT_BYTES).then(|| ErrorPart::Text(v.to_owned())))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            IgnoredAny.visit_seq(seq).map(|_| None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
    }

    d.deserialize_any(PartVisitor)
}

/// `POST /characters/finalize`: `{"character": {"character_id": …}}`; only the id is read.
#[derive(Deserialize)]
pub(crate) struct FinalizeAnswer {
    #[serde(default, deserialize_with = "lenient_struct")]
    pub character: Option<FinalizedCharacter>,
}

/// `character` of [`FinalizeAnswer`].
#[derive(Deserialize)]
pub(crate) struct FinalizedCharacter {
    #[serde(default, deserialize_with = "text_only")]
    pub character_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_accepts_both_shapes_and_nulls() {
        let bare: PendingBody = serde_json::from_str(
            r#"[{"id":"task_1","status":"running","progress_pct":0.4,"generations":null,"extra":1}]"#,
        )
        .unwrap();
        let wrapped: PendingBody = serde_json::from_str(
            r#"{"items":[{"id":"task_1","status":null,"progress_pct":null}]}"#,
        )
        .unwrap();
        let (PendingBody::Bare(a), PendingBody::Wrapped { items: b }) = (bare, wrapped) else {
            panic!("wrong shapes");
        };
        assert_eq!(a[0].progress(), 0.4);
        assert_eq!(b[0].progress(), 0.0);
        assert_eq!(b[0].status, "");
    }

    #[test]
    fn progress_above_one_is_a_percent() {
        assert_eq!(progress_fraction(Some(40.0)), 0.4);
        assert_eq!(progress_fraction(Some(1.0)), 1.0);
        assert_eq!(progress_fraction(None), 0.0);
        assert_eq!(progress_fraction(Some(f64::NAN)), 0.0);
    }

    #[test]
    fn draft_verdicts() {
        let d: Draft = serde_json::from_str(
            r#"{"id":"gen_1","kind":"sora_draft","downloadable_url":"https://x/y.mp4"}"#,
        )
        .unwrap();
        assert_eq!(d.verdict(), DraftVerdict::Ready);
        let v: Draft = serde_json::from_str(r#"{"id":"gen_2","kind":"sora_content_violation","reason_str":null,"markdown_reason_str":"no"}"#).unwrap();
        assert_eq!(v.verdict(), DraftVerdict::Violation("no".into()));
        let n: Draft =
            serde_json::from_str(r#"{"id":"gen_3","url":null,"downloadable_url":""}"#).unwrap();
        assert_eq!(n.verdict(), DraftVerdict::NotReady);
    }

    #[test]
    fn an_internal_encodings_path_is_no_download_link() {
        // drafts/v2 names the blob (`{uuid}/raw`) where drafts v1 gives a signed URL.
        let internal: Draft = serde_json::from_str(
            r#"{"id":"gen_1","encodings":{"source":{"path":"00000000-aaaa-bbbb-cccc-dddddddddddd/raw"}}}"#,
        )
        .unwrap();
        assert_eq!(internal.best_url(), None);
        assert_eq!(internal.verdict(), DraftVerdict::NotReady);
        let signed: Draft = serde_json::from_str(
            r#"{"id":"gen_1","encodings":{"source":{"path":"HTTPS://videos.example/az/files/x%2Fraw?sig=1"}}}"#,
        )
        .unwrap();
        assert_eq!(
            signed.best_url(),
            Some("HTTPS://videos.example/az/files/x%2Fraw?sig=1")
        );
        let both: Draft = serde_json::from_str(
            r#"{"id":"gen_1","downloadable_url":"https://v/a","encodings":{"source":{"path":"u/raw"}}}"#,
        )
        .unwrap();
        assert_eq!(both.best_url(), Some("https://v/a"));
    }

    #[test]
    fn me_may_be_nested() {
        let v: Value =
            serde_json::from_str(r#"{"user":{"email":"a@b.c","username":null}}"#).unwrap();
        let me = Me::from_value(&v).unwrap();
        assert_eq!(me.email.as_deref(), Some("a@b.c"));
        assert_eq!(me.display(), "a@b.c");
    }

    #[test]
    fn me_that_is_not_an_object_is_no_account() {
        assert_eq!(Me::from_value(&serde_json::json!([{}, {}])), None);
        let answer: MeAnswer = serde_json::from_str(r#"[{"email":"a@b.c"}]"#).unwrap();
        assert_eq!(answer.0, None);
        let answer: MeAnswer =
            serde_json::from_str(r#"{"email":"top","user":{"email":"nested","name":"N"}}"#)
                .unwrap();
        let me = answer.0.unwrap();
        assert_eq!(me.email.as_deref(), Some("top"));
        assert_eq!(me.name.as_deref(), Some("N"));
    }

    fn items(n: usize, item: &str) -> String {
        vec![item; n].join(",")
    }

    #[test]
    fn a_list_over_its_bound_fails_and_says_so() {
        let at_bound = format!(r#"{{"items":[{}]}}"#, items(MAX_LIST_ITEMS, "{}"));
        let page: DraftsPage = serde_json::from_str(&at_bound).unwrap();
        assert_eq!(page.items.len(), MAX_LIST_ITEMS);

        let over = format!(r#"{{"items":[{}]}}"#, items(MAX_LIST_ITEMS + 1, "{}"));
        let e = serde_json::from_str::<DraftsPage>(&over).unwrap_err();
        assert_eq!(
            over_bound(&e).as_deref(),
            Some("the server sent more than 1000 drafts in one page")
        );
        let bare = format!("[{}]", items(MAX_LIST_ITEMS + 1, "{}"));
        let e = serde_json::from_str::<PendingBody>(&bare).err().unwrap();
        assert_eq!(
            over_bound(&e).as_deref(),
            Some("the server sent more than 1000 pending tasks in one answer")
        );
        let wrapped = format!(r#"{{"items":[{}]}}"#, items(MAX_LIST_ITEMS + 1, "{}"));
        assert!(serde_json::from_str::<PendingBody>(&wrapped).is_err());
        let recent = format!(
            r#"{{"task_responses":[{}]}}"#,
            items(MAX_LIST_ITEMS + 1, "{}")
        );
        let e = serde_json::from_str::<RecentTasksBody>(&recent)
            .err()
            .unwrap();
        assert_eq!(
            over_bound(&e).as_deref(),
            Some("the server sent more than 1000 recent tasks in one answer")
        );
        let post = format!(r#"{{"id":"s_1","attachments":[{}]}}"#, items(65, "{}"));
        let e = serde_json::from_str::<Post>(&post).unwrap_err();
        assert_eq!(
            over_bound(&e).as_deref(),
            Some("the server sent more than 64 attachments in one post")
        );
        let e = serde_json::from_str::<Draft>(r#""x""#).unwrap_err();
        assert_eq!(over_bound(&e), None);
    }

    #[test]
    fn an_element_with_an_inner_list_over_its_bound_is_skipped() {
        let body = format!(
            r#"[{{"id":"task_1","generations":[{}]}},{{"id":"task_2"}}]"#,
            items(MAX_INNER_ITEMS + 1, "{}")
        );
        let Ok(PendingBody::Bare(tasks)) = serde_json::from_str::<PendingBody>(&body) else {
            panic!("not read");
        };
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks[0].id, "task_2");
    }

    #[test]
    fn a_malformed_element_is_skipped_and_the_others_kept() {
        let Ok(PendingBody::Bare(tasks)) = serde_json::from_str::<PendingBody>(
            r#"[{"id":5,"status":"running"},{"id":"task_2","status":"running"},7,null,
                {"id":"task_3","id":"task_3b"},{"id":"task_4"}]"#,
        ) else {
            panic!("not read");
        };
        let ids: Vec<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["task_2", "task_4"]);

        let page: DraftsPage = serde_json::from_str(
            r#"{"items":[{"id":"gen_1","download_urls":"x"},"gen_2",{"id":"gen_3"}],"cursor":"c"}"#,
        )
        .unwrap();
        let ids: Vec<_> = page.items.iter().map(|d| d.gen_id()).collect();
        assert_eq!(ids, [Some("gen_1"), Some("gen_3")]);
        assert_eq!(page.cursor.as_deref(), Some("c"));
    }

    #[test]
    fn a_wrong_typed_optional_field_is_none_not_a_malformed_element() {
        let d: Draft = serde_json::from_str(
            r#"{"id":"gen_1","download_urls":"x","encodings":{"source":7,"md":{"path":[1]}},
                "width":{"a":1},"prompt":["p"],"post":[{"id":"s_1"}],"created_at":"12.5"}"#,
        )
        .unwrap();
        assert_eq!(d.download_urls, None);
        let enc = d.encodings.unwrap();
        assert_eq!(enc.source, None);
        assert_eq!(enc.md, Some(Encoding::default()));
        assert_eq!((d.width, d.prompt, d.post), (None, None, None));
        assert_eq!(d.created_at, Some(12.5));

        let t: TaskInfo =
            serde_json::from_str(r#"{"id":"task_1","status":5,"generations":"x"}"#).unwrap();
        assert_eq!((t.status.as_str(), t.generations.len()), ("5", 0));
        let q: Quota = serde_json::from_str(r#"{"rate_limit_reached":"no"}"#).unwrap();
        assert_eq!(q.rate_limit_reached, None);
    }

    #[test]
    fn a_top_level_list_of_the_wrong_kind_fails_the_answer() {
        assert!(serde_json::from_str::<DraftsPage>(r#"{"items":"x"}"#).is_err());
        assert!(serde_json::from_str::<RecentTasksBody>(r#"{"task_responses":{}}"#).is_err());
        assert!(serde_json::from_str::<PendingBody>(r#""x""#).is_err());
        let page: DraftsPage = serde_json::from_str(r#"{"items":null}"#).unwrap();
        assert!(page.items.is_empty());
    }

    #[test]
    fn overlong_text_is_dropped_and_an_overlong_id_skips_its_element() {
        let long = "x".repeat(MAX_TEXT_BYTES + 1);
        let d: Draft =
            serde_json::from_str(&format!(r#"{{"id":"gen_1","prompt":"{long}"}}"#)).unwrap();
        assert_eq!(d.prompt, None);
        let body = format!(r#"[{{"id":"{long}"}},{{"id":"task_2"}}]"#);
        let Ok(PendingBody::Bare(tasks)) = serde_json::from_str::<PendingBody>(&body) else {
            panic!("not read");
        };
        assert_eq!(tasks.len(), 1);
    }

    #[test]
    fn a_published_post_keeps_only_its_id() {
        let d: Draft =
            serde_json::from_str(r#"{"post":{"id":"s_1","attachments":[{},{}],"x":[[]]}}"#)
                .unwrap();
        assert_eq!(d.post, Some(serde_json::json!({"id": "s_1"})));
        assert_eq!(d.published_post_id().as_deref(), Some("s_1"));
        let d: Draft = serde_json::from_str(r#"{"post":"s_2"}"#).unwrap();
        assert_eq!(d.published_post_id().as_deref(), Some("s_2"));
        let d: Draft = serde_json::from_str(r#"{"post":{"id":5}}"#).unwrap();
        assert_eq!(d.published_post_id(), None);
    }

    #[test]
    fn parsing_through_a_value_still_works() {
        let v = serde_json::json!({"items":[{"id":"gen_1"}, 5, {"id":"gen_2"}]});
        let page: DraftsPage = serde_json::from_value(v).unwrap();
        assert_eq!(page.items.len(), 2);
    }

    #[test]
    fn error_envelopes_are_read_in_each_form() {
        let f = ErrorFields::read(br#"{"error":{"message":"m","code":"c","param":"p"}}"#);
        assert_eq!(
            f,
            ErrorFields {
                message: Some("m".into()),
                code: Some("c".into()),
                param: Some("p".into())
            }
        );
        assert_eq!(
            ErrorFields::read(br#"{"error":"bare"}"#).message.as_deref(),
            Some("bare")
        );
        assert_eq!(
            ErrorFields::read(br#"{"error":null,"detail":"d","message":"m"}"#)
                .message
                .as_deref(),
            Some("d")
        );
        assert_eq!(
            ErrorFields::read(br#"{"message":"m"}"#).message.as_deref(),
            Some("m")
        );
        assert_eq!(ErrorFields::read(b"[{},{}]"), ErrorFields::default());
        assert_eq!(ErrorFields::read(b"not json"), ErrorFields::default());
    }

    #[test]
    fn cameo_phases() {
        let p = |s: &str, m: &str| CameoProgress {
            status: Some(s.into()),
            status_message: Some(m.into()),
            ..CameoProgress::default()
        };
        assert_eq!(
            p("processing", "Analyzing").phase(),
            CameoPhase::Processing("Analyzing".into())
        );
        assert_eq!(p("processing", "COMPLETED").phase(), CameoPhase::Completed);
        assert_eq!(p("finalized", "").phase(), CameoPhase::Completed);
        assert_eq!(
            p("failed", "bad clip").phase(),
            CameoPhase::Failed("bad clip".into())
        );
    }
}
