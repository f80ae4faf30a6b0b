//! What goes over the wire: the incoming request taken apart once (query, JSON or form body,
//! credential headers), GitLab's JSON bodies and error shapes.

use chrono::{DateTime, NaiveDate, Utc};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use serde_json::{Map, Value, json};

use super::state::TokenEntry;
use crate::transport::HttpResponse;

/// The API's base path; every route lives under it.
pub(crate) const BASE_PATH: &str = "/api/v4";

/// A request, taken apart once.
#[derive(Debug)]
pub(crate) struct Incoming {
    pub(crate) method: Method,
    /// The path segments after `/api/v4`, percent-decoded (`None`: not under `/api/v4`).
    pub(crate) segments: Option<Vec<String>>,
    /// `scheme://authority` the client used, for `Link` headers.
    pub(crate) origin: String,
    /// The path as sent, for `Link` headers.
    pub(crate) raw_path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Incoming {
    pub(crate) fn new(request: http::Request<Vec<u8>>) -> Self {
        let (parts, body) = request.into_parts();
        let raw_path = parts.uri.path().to_owned();
        let segments = crate::testing::emulator_kit::path::segments_under(&raw_path, BASE_PATH);
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
            origin: format!("{scheme}://{host}"),
            raw_path,
            query,
            headers: parts.headers,
            body,
        }
    }

    /// A query parameter (the last one of that name).
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The parameters of a write: a JSON object, or a form (`scopes[]=a&scopes[]=b` becomes an
    /// array), merged over the query string as Grape does. An unreadable body is a 400.
    pub(crate) fn params(&self) -> Result<Map<String, Value>, HttpResponse> {
        let mut params = Map::new();
        let form_pairs = |pairs: Vec<(String, String)>, params: &mut Map<String, Value>| {
            for (k, v) in pairs {
                if let Some(base) = k.strip_suffix("[]") {
                    let entry = params.entry(base.to_owned()).or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(items) = entry {
                        items.push(Value::String(v));
                    }
                } else {
                    params.insert(k, Value::String(v));
                }
            }
        };
        form_pairs(self.query.clone(), &mut params);
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(params);
        }
        let is_json = self.header("content-type").is_none_or(|c| c.contains("json"));
        if is_json {
            match serde_json::from_slice::<Value>(&self.body) {
                Ok(Value::Object(body)) => params.extend(body),
                _ => {
                    return Err(plain_error(
                        StatusCode::BAD_REQUEST,
                        "There was a problem with the JSON in your request",
                    ));
                }
            }
        } else {
            form_pairs(crate::http_url::parse_pairs(&self.body).collect(), &mut params);
        }
        Ok(params)
    }
}

/// A string parameter (`None` when absent, null or not a string or number).
pub(crate) fn string_param(params: &Map<String, Value>, name: &str) -> Option<String> {
    match params.get(name)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A list parameter: a JSON array, `name[]` form fields, or a comma-separated string (Grape
/// accepts each). `None` when absent or empty.
pub(crate) fn list_param(params: &Map<String, Value>, name: &str) -> Option<Vec<String>> {
    let items: Vec<String> = match params.get(name)? {
        Value::Array(items) => items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        Value::String(s) => s.split(',').map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect(),
        _ => Vec::new(),
    };
    (!items.is_empty()).then_some(items)
}

/// `YYYY-MM-DD`.
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// An ISO 8601 datetime (or a bare date, taken as its midnight UTC).
pub(crate) fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| parse_date(s).and_then(|d| d.and_hms_opt(0, 0, 0)).map(|n| n.and_utc()))
}

/// `2020-07-23T14:31:47.729Z`: UTC, milliseconds, `Z` (§2.7).
pub(crate) fn format_datetime(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The PersonalAccessToken body (§2.3); `token` only for create and rotate answers, and
/// `access_level` only for project and group access tokens.
pub(crate) fn token_json(token: &TokenEntry, today: NaiveDate, secret: Option<&str>) -> Value {
    let mut body = json!({
        "id": token.id,
        "name": token.name,
        "revoked": token.revoked,
        "created_at": format_datetime(token.created_at),
        "description": token.description,
        "scopes": token.scopes,
        "user_id": token.user_id,
        "last_used_at": token.last_used_at.map(format_datetime),
        "active": token.is_active(today),
        "expired": token.is_expired(today),
        "expires_at": token.expires_at.map(|d| d.format("%Y-%m-%d").to_string()),
    });
    if let Some(level) = token.access_level {
        body["access_level"] = json!(level);
    }
    if let Some(secret) = secret {
        body["token"] = json!(secret);
    }
    body
}

/// A JSON response.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> HttpResponse {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    response(status, "application/json", bytes)
}

/// `{"message":"<text>"}`.
pub(crate) fn plain_message(status: StatusCode, text: &str) -> HttpResponse {
    json_response(status, &json!({ "message": text }))
}

/// `{"error":"<text>"}`.
pub(crate) fn plain_error(status: StatusCode, text: &str) -> HttpResponse {
    json_response(status, &json!({ "error": text }))
}

/// An empty answer (204).
pub(crate) fn empty(status: StatusCode) -> HttpResponse {
    let mut r = http::Response::new(Vec::new());
    *r.status_mut() = status;
    r
}

pub(crate) fn response(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> HttpResponse {
    let mut r = http::Response::new(body);
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// Sets a header (a value that is not a valid header value is skipped).
pub(crate) fn set_header(response: &mut HttpResponse, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        response.headers_mut().insert(http::HeaderName::from_static(name), v);
    }
}
