//! The canned answers of a [`MockTransport`](super::MockTransport).

use std::fmt;

#[cfg(doc)]
use super::MockTransport;

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use crate::transport::HttpResponse;

/// A canned response for [`MockTransport`].
///
/// ```
/// use patkit::testing::MockResponse;
/// let throttled = MockResponse::status(429).header("retry-after", "5");
/// let ok = MockResponse::json(200, r#"{"patToken":null}"#);
/// # let _ = (throttled, ok);
/// ```
#[derive(Clone)]
pub struct MockResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl MockResponse {
    /// A response with `status` and an empty body.
    ///
    /// # Panics
    ///
    /// If `status` is not a valid HTTP status (100–999).
    #[track_caller]
    pub fn status(status: u16) -> Self {
        let status = StatusCode::from_u16(status).unwrap_or_else(|_| panic!("invalid HTTP status {status}"));
        Self { status, headers: HeaderMap::new(), body: Vec::new() }
    }

    /// A response with `status`, `Content-Type: application/json` and `body` (JSON text, e.g.
    /// `serde_json::json!({..}).to_string()`).
    #[track_caller]
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Self::status(status).header("content-type", "application/json; charset=utf-8").body(body.into())
    }

    /// Adds a header (repeat for several values).
    ///
    /// # Panics
    ///
    /// If `name` or `value` is not a valid header name or value.
    #[track_caller]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let name = HeaderName::from_bytes(name.as_bytes()).unwrap_or_else(|_| panic!("invalid header name {name:?}"));
        let value = HeaderValue::from_str(value).unwrap_or_else(|_| panic!("invalid value for header {name}"));
        self.headers.append(name, value);
        self
    }

    /// Replaces the body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    pub(super) fn to_response(&self) -> HttpResponse {
        let mut response = http::Response::new(self.body.clone());
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers.clone();
        response
    }
}

impl fmt::Debug for MockResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body may hold a token (a create response): print its size only.
        f.debug_struct("MockResponse")
            .field("status", &self.status.as_u16())
            .field("headers", &self.headers.keys().map(|k| k.as_str()).collect::<Vec<_>>())
            .field("body_bytes", &self.body.len())
            .finish()
    }
}
