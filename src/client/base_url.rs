//! The base-URL rule every client applies to the hosts it is given, and joining paths below one.

use crate::error::{Error, Result};
use crate::http_url::HttpUrl;

/// Parses a configured base URL: an absolute http(s) URL without user name or password, query
/// or fragment, https (or plain http to a loopback address only). `field` names the setting in
/// the error, whose reason says what is wrong without quoting the URL.
pub(crate) fn parse(field: &'static str, raw: &str) -> Result<HttpUrl> {
    let url = HttpUrl::parse(raw).map_err(|e| Error::invalid_input(field, format!("not a valid URL: {e}")))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid_input(field, "must be a base URL without query or fragment"));
    }
    if !crate::transport::is_allowed_url(&url) {
        return Err(Error::invalid_input(field, "must be https (plain http only to a loopback address)"));
    }
    Ok(url)
}

/// `{base}/{segments…}`: each segment percent-encoded as one path segment, below any path the
/// base already has.
pub(crate) fn join<'a>(base: &HttpUrl, segments: impl IntoIterator<Item = &'a str>) -> HttpUrl {
    let mut url = base.clone();
    url.push_segments(segments);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_bases_or_loopback_http() {
        assert!(parse("base_url", "https://example.test").is_ok());
        assert!(parse("base_url", "http://127.0.0.1:8080/x/").is_ok());
        for bad in [
            "http://example.test",
            "https://example.test/?q=1",
            "https://example.test/#f",
            "mailto:a@b",
            "nope",
            "https://user:secret@example.test",
        ] {
            match parse("base_url", bad) {
                Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "base_url", "{bad}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
        let refused = parse("base_url", "https://user:secret@example.test").unwrap_err().to_string();
        assert!(refused.contains("user name or password") && !refused.contains("secret"), "{refused}");
    }

    #[test]
    fn join_encodes_segments_and_keeps_the_base_path() {
        let base = parse("b", "https://proxy.example/api/").unwrap();
        assert_eq!(join(&base, ["my org", "a/b"]).as_str(), "https://proxy.example/api/my%20org/a%2Fb");
        let bare = parse("b", "https://example.test").unwrap();
        assert_eq!(join(&bare, ["x"]).as_str(), "https://example.test/x");
    }
}
