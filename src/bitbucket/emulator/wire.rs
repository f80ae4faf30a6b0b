//! What goes over the wire: the incoming request taken apart once, Bitbucket's token JSON.

use crate::testing::emulator_kit::path::decode_segment;
use chrono::{DateTime, Utc};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use serde_json::{Value, json};

use super::facts::user_json;
use super::state::{TokenEntry, UserEntry};
use crate::transport::HttpResponse;

/// A request, taken apart once.
#[derive(Debug)]
pub(crate) struct Incoming {
    pub(crate) method: Method,
    /// The path segments from `rest` on, percent-decoded (`None`: no `rest` segment). Anything
    /// before `rest` is the instance's context path.
    pub(crate) segments: Option<Vec<String>>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Incoming {
    pub(crate) fn new(request: http::Request<Vec<u8>>) -> Self {
        let (parts, body) = request.into_parts();
        let raw: Vec<&str> = parts.uri.path().trim_matches('/').split('/').collect();
        let segments =
            raw.iter().position(|s| *s == "rest").map(|i| raw[i..].iter().map(|s| decode_segment(s)).collect());
        let query = parts.uri.query().map(|q| crate::http_url::parse_pairs(q.as_bytes()).collect()).unwrap_or_default();
        Self { method: parts.method, segments, query, headers: parts.headers, body }
    }

    /// A query parameter (the last one of that name).
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The access token body (§5.3): epoch-ms dates, `expiryDays` when set, `lastAuthenticated` once
/// used, the owner, and `token` only in a create answer.
pub(crate) fn token_json(token: &TokenEntry, owner: Option<&UserEntry>, secret: Option<&str>) -> Value {
    let mut body = json!({
        "id": token.id,
        "createdDate": millis(token.created),
        "name": token.name,
        "permissions": token.permissions,
    });
    if let Some(days) = token.expiry_days {
        body["expiryDays"] = json!(days);
    }
    if let Some(at) = token.last_authenticated {
        body["lastAuthenticated"] = json!(millis(at));
    }
    if let Some(user) = owner {
        body["user"] = user_json(user.id, &user.slug, &user.slug);
    }
    if let Some(secret) = secret {
        body["token"] = json!(secret);
    }
    body
}

/// A JSON response.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> HttpResponse {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut r = http::Response::new(bytes);
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json;charset=UTF-8"));
    r
}

/// An empty answer (204).
pub(crate) fn empty(status: StatusCode) -> HttpResponse {
    let mut r = http::Response::new(Vec::new());
    *r.status_mut() = status;
    r
}

/// Sets a header (a value that is not a valid header value is skipped).
pub(crate) fn set_header(response: &mut HttpResponse, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        response.headers_mut().insert(http::HeaderName::from_static(name), v);
    }
}
