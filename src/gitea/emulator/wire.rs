//! What goes over the wire: the incoming request taken apart once (path segments, query,
//! headers, body), Gitea's JSON bodies, and the `APIError` shape of a refusal (§3.3, §3.4).

use chrono::{DateTime, SecondsFormat, Utc};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use serde_json::{Value, json};

use super::facts::Refusal;
use crate::transport::HttpResponse;

/// The API's base path; every route but Forgejo's own version lives under it.
pub(crate) const BASE_PATH: &str = "/api/v1";

/// Forgejo's own API root (only its version route is modelled).
pub(crate) const FORGEJO_PATH: &str = "/api/forgejo/v1";

/// A request, taken apart once.
#[derive(Debug)]
pub(crate) struct Incoming {
    pub(crate) method: Method,
    /// The path segments after `/api/v1`, percent-decoded (`None`: not under `/api/v1`).
    pub(crate) segments: Option<Vec<String>>,
    /// The path segments after `/api/forgejo/v1` (`None`: not under it).
    pub(crate) forgejo_segments: Option<Vec<String>>,
    /// `scheme://authority` the client used, for the `url` of error bodies.
    pub(crate) origin: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Incoming {
    pub(crate) fn new(request: http::Request<Vec<u8>>) -> Self {
        let (parts, body) = request.into_parts();
        let path = parts.uri.path();
        let query = parts.uri.query().map(|q| crate::http_url::parse_pairs(q.as_bytes()).collect()).unwrap_or_default();
        let host = parts
            .uri
            .authority()
            .map(|a| a.as_str().to_owned())
            .or_else(|| parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()).map(str::to_owned))
            .unwrap_or_else(|| "localhost".to_owned());
        let scheme = parts.uri.scheme_str().unwrap_or("http");
        Self {
            segments: crate::testing::emulator_kit::path::segments_under(path, BASE_PATH),
            forgejo_segments: crate::testing::emulator_kit::path::segments_under(path, FORGEJO_PATH),
            method: parts.method,
            origin: format!("{scheme}://{host}"),
            query,
            headers: parts.headers,
            body,
        }
    }

    /// A query parameter (the first one of that name, as Go's `FormValue`).
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A header as text (`None` when absent or not visible ASCII).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A query parameter as Gitea's `FormInt` reads it: 0 when absent or not a number.
    pub(crate) fn query_int(&self, name: &str) -> i64 {
        self.query(name).and_then(|v| v.trim().parse().ok()).unwrap_or(0)
    }
}

/// Go's `time.Time` in JSON: RFC 3339, UTC, whole seconds.
pub(crate) fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A JSON response.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> HttpResponse {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut r = http::Response::new(bytes);
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json;charset=utf-8"));
    r
}

/// An empty answer (204).
pub(crate) fn empty(status: StatusCode) -> HttpResponse {
    let mut r = http::Response::new(Vec::new());
    *r.status_mut() = status;
    r
}

/// The refusal as Gitea's `APIError` body: `{"message":…,"url":"{origin}/api/swagger"}`, with
/// `"errors":[]` for `APINotFound`.
pub(crate) fn render(refusal: &Refusal, origin: &str) -> HttpResponse {
    let mut body = json!({ "message": refusal.message, "url": format!("{origin}/api/swagger") });
    if refusal.not_found {
        body["errors"] = json!([]);
    }
    json_response(refusal.status, &body)
}

/// Sets a header (a value that is not a valid header value is skipped).
pub(crate) fn set_header(response: &mut HttpResponse, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        response.headers_mut().insert(http::HeaderName::from_static(name), v);
    }
}
