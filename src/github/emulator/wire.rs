//! What goes over the wire: the incoming request taken apart once (path segments, query,
//! headers, body), GitHub's time formats, and the error shape of a refusal (§4.8).

use crate::testing::emulator_kit::path::decode_segment;
use chrono::{DateTime, SecondsFormat, Utc};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use serde_json::{Value, json};

use super::facts::Refusal;
use crate::transport::HttpResponse;

/// A request, taken apart once.
#[derive(Debug)]
pub(crate) struct Incoming {
    pub(crate) method: Method,
    /// The percent-decoded path segments (the API lives at the root, as on api.github.com).
    pub(crate) segments: Vec<String>,
    /// The path as sent, for `Link` headers.
    pub(crate) path: String,
    /// `scheme://authority` the client used, for `Link` headers and `*_url` fields.
    pub(crate) origin: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Incoming {
    pub(crate) fn new(request: http::Request<Vec<u8>>) -> Self {
        let (parts, body) = request.into_parts();
        let path = parts.uri.path().to_owned();
        let trimmed = path.trim_matches('/');
        let segments = if trimmed.is_empty() { Vec::new() } else { trimmed.split('/').map(decode_segment).collect() };
        let query = parts.uri.query().map(|q| crate::http_url::parse_pairs(q.as_bytes()).collect()).unwrap_or_default();
        let host = parts
            .uri
            .authority()
            .map(|a| a.as_str().to_owned())
            .or_else(|| parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()).map(str::to_owned))
            .unwrap_or_else(|| "localhost".to_owned());
        let scheme = parts.uri.scheme_str().unwrap_or("http");
        Self {
            method: parts.method,
            segments,
            path,
            origin: format!("{scheme}://{host}"),
            query,
            headers: parts.headers,
            body,
        }
    }

    /// A query parameter (the first one of that name).
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every value of an array parameter: `name[]=a&name[]=b` (also the bare `name=a`).
    pub(crate) fn query_all(&self, name: &str) -> Vec<&str> {
        let array = format!("{name}[]");
        self.query.iter().filter(|(k, _)| *k == array || k == name).map(|(_, v)| v.as_str()).collect()
    }

    /// A header as text (`None` when absent or not visible ASCII).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON (`None`: empty or not JSON).
    pub(crate) fn json(&self) -> Option<Value> {
        if self.body.is_empty() {
            return None;
        }
        serde_json::from_slice(&self.body).ok()
    }
}

/// GitHub's timestamps in JSON: RFC 3339, UTC, whole seconds (`2011-01-26T19:06:43Z`).
pub(crate) fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The `GitHub-Authentication-Token-Expiration` format, `YYYY-MM-DD HH:MM:SS UTC` (§4.4).
pub(crate) fn expiration_header(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// A JSON response.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> HttpResponse {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut r = http::Response::new(bytes);
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    r
}

/// An empty answer (204).
pub(crate) fn empty(status: StatusCode) -> HttpResponse {
    let mut r = http::Response::new(Vec::new());
    *r.status_mut() = status;
    r
}

/// The refusal as GitHub's error body (§4.8): `{"message","documentation_url","status"}`, and
/// `errors[]` for a 422, plus the refusal's own headers.
pub(crate) fn render(refusal: &Refusal) -> HttpResponse {
    let mut body = json!({
        "message": refusal.message,
        "documentation_url": refusal.documentation_url,
        "status": refusal.status.as_u16().to_string(),
    });
    if let Some(errors) = &refusal.errors {
        body["errors"] = errors.clone();
    }
    let mut response = json_response(refusal.status, &body);
    for (name, value) in &refusal.headers {
        set_header(&mut response, name, value);
    }
    response
}

/// Sets a header (a value that is not a valid header value is skipped).
pub(crate) fn set_header(response: &mut HttpResponse, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        response.headers_mut().insert(http::HeaderName::from_static(name), v);
    }
}
