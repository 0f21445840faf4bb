//! The request log: what each request to `/backend` or `/media` carried and what was answered,
//! so tests can assert on headers, bodies and multipart parts.

use std::collections::VecDeque;

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use serde::Serializer;

/// Largest request body read (cameo videos can be big).
const BODY_LIMIT: usize = 256 * 1024 * 1024;
/// Entries kept in the log; the oldest are dropped beyond this (long demo sessions).
const LOG_CAPACITY: usize = 5000;

/// One request as the simulator saw it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RecordedRequest {
    /// HTTP method, e.g. "POST".
    pub method: String,
    /// Path without the `/backend` prefix, e.g. "/nf/create"; media paths start with "/media".
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Headers with lowercase names, in order.
    pub headers: Vec<(String, String)>,
    /// Raw body bytes (serialized as a lossy UTF-8 string).
    #[serde(serialize_with = "lossy")]
    pub body: Vec<u8>,
    /// The body parsed, when the content type is JSON and it parses.
    pub json: Option<serde_json::Value>,
    /// Multipart parts, when the body is multipart.
    pub parts: Vec<RecordedPart>,
    /// Status the simulator answered (0 when the connection was reset without an answer).
    pub status: u16,
}

/// One part of a multipart request.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RecordedPart {
    /// Form field name.
    pub name: String,
    /// `filename` from the part's Content-Disposition.
    pub file_name: Option<String>,
    /// The part's Content-Type.
    pub content_type: Option<String>,
    /// Raw bytes (serialized as a lossy UTF-8 string).
    #[serde(serialize_with = "lossy")]
    pub data: Vec<u8>,
}

fn lossy<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&String::from_utf8_lossy(bytes))
}

impl RecordedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first multipart part named `name`.
    pub fn part(&self, name: &str) -> Option<&RecordedPart> {
        self.parts.iter().find(|p| p.name == name)
    }
}

impl RecordedPart {
    /// The part's data as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// A request read in full, plus what could not be recorded in [`RecordedRequest`].
#[derive(Debug)]
pub struct Incoming {
    /// The record (status filled in later).
    pub rec: RecordedRequest,
    /// Whether the body was multipart/form-data.
    pub is_multipart: bool,
    /// Why reading the body or its parts failed, if it did.
    pub body_error: Option<String>,
}

/// Reads a request in full. `path` is the logged path (already stripped of `/backend`).
pub async fn read(req: Request, path: String) -> Incoming {
    let (parts, body) = req.into_parts();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut body_error = None;
    let body = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(err) => {
            body_error = Some(format!("Could not read the request body: {err}"));
            bytes::Bytes::new()
        }
    };
    // The media type is case-insensitive; the multipart boundary parameter is not.
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let json = if essence == "application/json" || essence.ends_with("+json") {
        serde_json::from_slice(&body).ok()
    } else {
        None
    };
    let is_multipart = essence == "multipart/form-data";
    let mut recorded_parts = Vec::new();
    if is_multipart
        && body_error.is_none()
        && let Err(err) = read_parts(&content_type, body.clone(), &mut recorded_parts).await
    {
        body_error = Some(format!("Malformed multipart body: {err}"));
    }
    Incoming {
        rec: RecordedRequest {
            method: parts.method.as_str().to_string(),
            path,
            query: parts.uri.query().map(str::to_string),
            headers,
            body: body.to_vec(),
            json,
            parts: recorded_parts,
            status: 0,
        },
        is_multipart,
        body_error,
    }
}

async fn read_parts(
    content_type: &str,
    body: bytes::Bytes,
    out: &mut Vec<RecordedPart>,
) -> Result<(), String> {
    let req = Request::builder()
        .method("POST")
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .map_err(|e| e.to_string())?;
    let mut multipart = Multipart::from_request(req, &())
        .await
        .map_err(|e| e.body_text())?;
    while let Some(field) = multipart.next_field().await.map_err(|e| e.body_text())? {
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let content_type = field.content_type().map(str::to_string);
        let data = field.bytes().await.map_err(|e| e.body_text())?;
        out.push(RecordedPart {
            name,
            file_name,
            content_type,
            data: data.to_vec(),
        });
    }
    Ok(())
}

/// The log: entries kept in arrival order even when answers finish out of order.
#[derive(Debug, Default)]
pub struct RequestLog {
    next: u64,
    entries: VecDeque<(u64, RecordedRequest)>,
}

impl RequestLog {
    /// Reserves the arrival number of a request that just came in.
    pub fn arrive(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    /// Stores a finished request at its arrival position.
    pub fn finish(&mut self, arrival: u64, rec: RecordedRequest) {
        let at = self.entries.partition_point(|(n, _)| *n < arrival);
        self.entries.insert(at, (arrival, rec));
        while self.entries.len() > LOG_CAPACITY {
            self.entries.pop_front();
        }
    }

    /// The entries in arrival order.
    pub fn snapshot(&self) -> Vec<RecordedRequest> {
        self.entries.iter().map(|(_, r)| r.clone()).collect()
    }

    /// Forgets every entry (arrival numbering continues).
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(path: &str) -> RecordedRequest {
        RecordedRequest {
            method: "GET".into(),
            path: path.into(),
            query: None,
            headers: vec![("authorization".into(), "Bearer x".into())],
            body: b"\xffhi".to_vec(),
            json: None,
            parts: vec![],
            status: 200,
        }
    }

    #[test]
    fn log_keeps_arrival_order() {
        let mut log = RequestLog::default();
        let a = log.arrive();
        let b = log.arrive();
        log.finish(b, rec("/b"));
        log.finish(a, rec("/a"));
        let paths: Vec<_> = log.snapshot().into_iter().map(|r| r.path).collect();
        assert_eq!(paths, ["/a", "/b"]);
        log.clear();
        assert!(log.snapshot().is_empty());
    }

    #[test]
    fn header_lookup_is_case_insensitive_and_body_serializes_as_text() {
        let r = rec("/me");
        assert_eq!(r.header("Authorization"), Some("Bearer x"));
        let v = serde_json::to_value(&r).expect("serializes");
        assert_eq!(v["body"], "\u{fffd}hi");
        assert_eq!(v["headers"][0][0], "authorization");
    }

    #[tokio::test]
    async fn multipart_parts_are_recorded() {
        let body = "--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nPNG\r\n--XX\r\nContent-Disposition: form-data; name=\"file_name\"\r\n\r\na.png\r\n--XX--\r\n";
        let req = Request::builder()
            .method("POST")
            .uri("/backend/uploads?x=1")
            .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XX")
            .body(Body::from(body))
            .expect("request");
        let inc = read(req, "/uploads".into()).await;
        assert!(inc.is_multipart);
        assert_eq!(inc.body_error, None);
        let file = inc.rec.part("file").expect("file part");
        assert_eq!(file.file_name.as_deref(), Some("a.png"));
        assert_eq!(file.content_type.as_deref(), Some("image/png"));
        assert_eq!(file.data, b"PNG");
        assert_eq!(
            inc.rec.part("file_name").map(RecordedPart::text).as_deref(),
            Some("a.png")
        );
        assert_eq!(inc.rec.query.as_deref(), Some("x=1"));
    }
}
