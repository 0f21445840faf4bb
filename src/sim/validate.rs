//! Request validation: JSON fields, multipart parts, file types by magic bytes, usernames and
//! cameo timestamps. Every failure is a 400 envelope naming the offending field.

use std::collections::HashMap;

use axum::extract::Query;
use serde_json::{Map, Value};

use super::errors::ApiError;
use super::record::{Incoming, RecordedPart};

/// A JSON object body.
pub type Object = Map<String, Value>;

/// The request body as a JSON object.
pub fn json_object(req: &Incoming) -> Result<Object, ApiError> {
    if let Some(err) = &req.body_error {
        return Err(ApiError::bad_request(err.clone()));
    }
    if req.rec.body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request("A JSON request body is required."));
    }
    match serde_json::from_slice::<Value>(&req.rec.body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad_request(
            "The request body must be a JSON object.",
        )),
        Err(err) => Err(ApiError::bad_request(format!("Malformed JSON body: {err}"))),
    }
}

fn missing(field: &str) -> ApiError {
    ApiError::bad_request(format!("Missing required field '{field}'.")).param(field)
}

fn wrong_type(field: &str, expected: &str) -> ApiError {
    ApiError::bad_request(format!("Field '{field}' must be {expected}.")).param(field)
}

/// A required string field.
pub fn req_str<'a>(obj: &'a Object, field: &str) -> Result<&'a str, ApiError> {
    opt_str(obj, field)?.ok_or_else(|| missing(field))
}

/// An optional string field (absent or null is `None`).
pub fn opt_str<'a>(obj: &'a Object, field: &str) -> Result<Option<&'a str>, ApiError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(wrong_type(field, "a string")),
    }
}

/// A required non-negative integer field.
pub fn req_u64(obj: &Object, field: &str) -> Result<u64, ApiError> {
    opt_u64(obj, field)?.ok_or_else(|| missing(field))
}

/// An optional non-negative integer field.
pub fn opt_u64(obj: &Object, field: &str) -> Result<Option<u64>, ApiError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| wrong_type(field, "a non-negative integer")),
    }
}

/// An optional array field (absent or null is empty).
pub fn opt_array<'a>(obj: &'a Object, field: &str) -> Result<&'a [Value], ApiError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(wrong_type(field, "an array")),
    }
}

/// Query parameter `name`, percent-decoded.
pub fn query_param(req: &Incoming, name: &str) -> Option<String> {
    let query = req.rec.query.as_deref()?;
    let uri: axum::http::Uri = format!("/?{query}").parse().ok()?;
    let Query(params) = Query::<HashMap<String, String>>::try_from_uri(&uri).ok()?;
    params.get(name).cloned()
}

/// The `limit` query parameter: `default` when absent, at most `max`, 400 when not a positive
/// integer.
pub fn limit(req: &Incoming, default: usize, max: usize) -> Result<usize, ApiError> {
    match query_param(req, "limit") {
        None => Ok(default),
        Some(text) => match text.trim().parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n.min(max)),
            _ => Err(ApiError::bad_request(format!(
                "limit must be a positive integer, got '{text}'."
            ))
            .param("limit")),
        },
    }
}

/// A required multipart part.
pub fn part<'a>(req: &'a Incoming, name: &str) -> Result<&'a RecordedPart, ApiError> {
    if let Some(err) = &req.body_error {
        return Err(ApiError::bad_request(err.clone()));
    }
    if !req.is_multipart {
        return Err(ApiError::bad_request(
            "Expected a multipart/form-data body.",
        ));
    }
    req.rec
        .part(name)
        .ok_or_else(|| ApiError::bad_request(format!("Missing form field '{name}'.")).param(name))
}

/// The image type of `data` by its magic bytes: "png", "jpeg" or "webp".
pub fn sniff_image(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if data.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("jpeg")
    } else if is_webp(data) {
        Some("webp")
    } else {
        None
    }
}

/// Whether `data` is a WebP file (`RIFF....WEBP`).
pub fn is_webp(data: &[u8]) -> bool {
    data.len() >= 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP"
}

/// Whether `data` is an MP4/ISO-BMFF file (`ftyp` box at offset 4).
pub fn is_mp4(data: &[u8]) -> bool {
    data.len() >= 8 && &data[4..8] == b"ftyp"
}

/// Longest cameo username accepted.
pub const MAX_USERNAME_CHARS: usize = 100;

/// Checks a cameo username. No source documents the live rule set, and clients send hints
/// with dots and digits, `my_character`, `character_<id>` and names users type, so only what
/// is plainly not a name is refused: an empty (or blank) one, one longer than
/// [`MAX_USERNAME_CHARS`], one holding control characters. Uniqueness is checked elsewhere.
pub fn check_username(username: &str) -> Result<(), ApiError> {
    let bad = |why: &str| {
        Err(ApiError::bad_request(format!("Invalid username: {why}"))
            .param("username")
            .code("invalid_username"))
    };
    if username.trim().is_empty() {
        return bad("it must not be empty.");
    }
    if username.chars().count() > MAX_USERNAME_CHARS {
        return bad(&format!(
            "it must be at most {MAX_USERNAME_CHARS} characters long."
        ));
    }
    if username.chars().any(char::is_control) {
        return bad("it must not hold control characters.");
    }
    Ok(())
}

/// Parses cameo `timestamps` ("start,end" in seconds): 0 ≤ start < end, at most 10 s long.
pub fn parse_timestamps(text: &str) -> Result<(f64, f64), ApiError> {
    let bad = |why: &str| {
        Err(
            ApiError::bad_request(format!("Invalid timestamps \"{text}\": {why}"))
                .param("timestamps"),
        )
    };
    let Some((start, end)) = text.trim().split_once(',') else {
        return bad("expected \"start,end\" in seconds, e.g. \"0,3\".");
    };
    let (Ok(start), Ok(end)) = (start.trim().parse::<f64>(), end.trim().parse::<f64>()) else {
        return bad("both values must be numbers of seconds.");
    };
    if !(start.is_finite() && end.is_finite()) || start < 0.0 || start >= end {
        return bad("start must be at least 0 and before end.");
    }
    if end - start > 10.0 {
        return bad("the clip can be at most 10 seconds long.");
    }
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Object {
        match v {
            Value::Object(m) => m,
            _ => Object::new(),
        }
    }

    #[test]
    fn field_errors_name_the_field() {
        let o = obj(json!({"prompt": 3, "n_frames": "x", "size": null}));
        let e = req_str(&o, "prompt").expect_err("wrong type");
        assert_eq!(e.param.as_deref(), Some("prompt"));
        assert!(e.message.contains("prompt"));
        let e = req_str(&o, "orientation").expect_err("missing");
        assert!(e.message.contains("orientation"));
        assert_eq!(opt_str(&o, "size"), Ok(None));
        assert!(req_u64(&o, "n_frames").is_err());
        assert_eq!(opt_array(&o, "inpaint_items").map(<[Value]>::len), Ok(0));
    }

    #[test]
    fn usernames_follow_the_rules() {
        for ok in [
            "abc",
            "demo.cameo.1",
            "my_character",
            "character_ch_1",
            "Abc",
            "ab",
            "x".repeat(MAX_USERNAME_CHARS).as_str(),
        ] {
            assert_eq!(check_username(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "   ",
            "a\nb",
            "a\u{7}b",
            &"x".repeat(MAX_USERNAME_CHARS + 1),
        ] {
            let e = check_username(bad).expect_err(bad);
            assert_eq!(e.param.as_deref(), Some("username"));
        }
    }

    #[test]
    fn timestamps_are_checked() {
        assert_eq!(parse_timestamps("0,3"), Ok((0.0, 3.0)));
        assert_eq!(parse_timestamps(" 1.5 , 11.5 "), Ok((1.5, 11.5)));
        for bad in [
            "", "3", "a,b", "3,1", "2,2", "-1,2", "0,10.5", "0,inf", "NaN,1",
        ] {
            let e = parse_timestamps(bad).expect_err(bad);
            assert_eq!(e.param.as_deref(), Some("timestamps"));
        }
    }

    #[test]
    fn magic_bytes_identify_files() {
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\nrest"), Some("png"));
        assert_eq!(sniff_image(&[0xff, 0xd8, 0xff, 0xe0]), Some("jpeg"));
        assert_eq!(sniff_image(b"RIFF\0\0\0\0WEBPVP8 "), Some("webp"));
        assert_eq!(sniff_image(b"GIF89a"), None);
        assert!(is_mp4(b"\0\0\0\x20ftypisom"));
        assert!(!is_mp4(b"ftyp"));
        assert!(!is_webp(b"RIFF\0\0\0\0WAVE"));
    }
}
