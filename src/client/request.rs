//! What every request carries, whichever service it goes to: `Accept` and `User-Agent`, the
//! credential header (marked sensitive by whoever built it), the [`Operation`] tag, and a JSON
//! body with its `Content-Type`.

use http::{HeaderName, HeaderValue, Method, header};

use crate::error::{Error, Result};
use crate::http_url::HttpUrl;
use crate::transport::{HttpRequest, Operation};

/// The `User-Agent` every request carries: `patkit/<version>`.
pub(crate) const USER_AGENT: &str = concat!("patkit/", env!("CARGO_PKG_VERSION"));

/// A header a request carries: its name and (for a credential, sensitive) value.
pub(crate) type Header = (HeaderName, HeaderValue);

/// Builds a request with the common headers, `authorization` (`None` for calls that carry no
/// credential), the provider's `extra` headers and an optional JSON body.
pub(crate) fn build(
    method: Method,
    url: &HttpUrl,
    operation: Operation,
    authorization: Option<Header>,
    extra: &[(&'static str, &'static str)],
    json_body: Option<Vec<u8>>,
) -> Result<HttpRequest> {
    let mut builder = http::Request::builder()
        .method(method)
        .uri(url.as_str())
        .header(header::ACCEPT, "application/json")
        .header(header::USER_AGENT, USER_AGENT)
        .extension(operation);
    for (name, value) in extra {
        builder = builder.header(*name, *value);
    }
    if let Some((name, value)) = authorization {
        builder = builder.header(name, value);
    }
    if json_body.is_some() {
        builder = builder.header(header::CONTENT_TYPE, "application/json");
    }
    builder
        .body(json_body.unwrap_or_default())
        .map_err(|e| Error::invalid_input("request", format!("could not build the request: {e}")))
}

/// Serializes a request body.
pub(crate) fn json<T: serde::Serialize>(body: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(body).map_err(|e| Error::invalid_input("request", format!("could not serialize the body: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_headers_tag_and_json_body() {
        const OP: Operation = Operation::idempotent("probe");
        let mut secret = HeaderValue::from_static("Bearer t");
        secret.set_sensitive(true);
        let url: HttpUrl = "https://example.test/x".parse().unwrap();
        let body = json(&serde_json::json!({"a": 1})).unwrap();
        let request =
            build(Method::POST, &url, OP, Some((header::AUTHORIZATION, secret)), &[("x-extra", "1")], Some(body))
                .unwrap();
        let h = request.headers();
        assert_eq!(h["accept"], "application/json");
        assert_eq!(h["user-agent"], USER_AGENT);
        assert_eq!(h["x-extra"], "1");
        assert_eq!(h["content-type"], "application/json");
        assert!(h["authorization"].is_sensitive());
        assert_eq!(Operation::of(&request), Some(OP));
        assert_eq!(request.body(), br#"{"a":1}"#);

        let bare = build(Method::GET, &url, OP, None, &[], None).unwrap();
        assert!(bare.headers().get("authorization").is_none() && bare.headers().get("content-type").is_none());
        assert!(bare.body().is_empty());
    }
}
