//! GitLab's offset pagination (§2.8) as the neutral [`ContinuationToken`]: the next page's
//! number, read from `x-next-page` or else from the `page` of the `Link` header's `rel="next"`.
//! `x-total` is never read (GitLab drops it past 10,000 items). The continuation is only a page
//! number: a `Link` URL is never followed as given, so a server cannot send the credential
//! elsewhere.

use crate::error::{Error, Result};
use crate::http_url::HttpUrl;
use crate::model::ContinuationToken;
use crate::transport::HttpResponse;

/// The largest `per_page` GitLab honours.
pub const MAX_PER_PAGE: u32 = 100;

/// The next page's continuation, if the answer says there is one.
pub(crate) fn next(response: &HttpResponse) -> Option<ContinuationToken> {
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(page) = header("x-next-page").filter(|p| is_page(p)) {
        return Some(ContinuationToken::new(page));
    }
    let link = header("link")?;
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        if !params.split(';').any(|p| p.trim().eq_ignore_ascii_case("rel=\"next\"")) {
            return None;
        }
        let url: HttpUrl = target.trim().trim_start_matches('<').trim_end_matches('>').parse().ok()?;
        let page = url.query_pairs().find(|(k, _)| k == "page")?.1;
        is_page(&page).then(|| ContinuationToken::new(page))
    })
}

fn is_page(s: &str) -> bool {
    !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit()) && s != "0"
}

/// The `page` and `per_page` query pairs: the continuation must be a page number, `per_page` at
/// most [`MAX_PER_PAGE`]; both refused before sending otherwise.
pub(crate) fn query(
    per_page: Option<u32>,
    continuation: Option<&ContinuationToken>,
) -> Result<Vec<(&'static str, String)>> {
    let mut pairs = Vec::new();
    if let Some(n) = per_page {
        if n == 0 || n > MAX_PER_PAGE {
            return Err(Error::invalid_input(
                "per_page",
                format!("GitLab pages hold 1 to {MAX_PER_PAGE} items, not {n}"),
            ));
        }
        pairs.push(("per_page", n.to_string()));
    }
    if let Some(c) = continuation {
        if !is_page(c.as_str()) {
            return Err(Error::invalid_input("continuation", "not a GitLab page number"));
        }
        pairs.push(("page", c.as_str().to_owned()));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(headers: &[(&str, &str)]) -> HttpResponse {
        let mut b = http::Response::builder().status(200);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(Vec::new()).unwrap()
    }

    #[test]
    fn next_page_from_headers_never_from_totals() {
        assert_eq!(next(&with(&[("x-next-page", "3"), ("x-total", "1")])).unwrap().as_str(), "3");
        assert_eq!(next(&with(&[("x-next-page", ""), ("x-total-pages", "9"), ("x-page", "9")])), None);
        let link = r#"<https://gitlab.example/api/v4/personal_access_tokens?page=1&per_page=2>; rel="prev", <https://gitlab.example/api/v4/personal_access_tokens?page=3&per_page=2>; rel="next", <https://gitlab.example/api/v4/personal_access_tokens?page=1&per_page=2>; rel="first""#;
        assert_eq!(next(&with(&[("link", link)])).unwrap().as_str(), "3", "past 10,000 items only Link is left");
        let last_only = r#"<https://gitlab.example/api/v4/x?page=1>; rel="first""#;
        assert_eq!(next(&with(&[("link", last_only)])), None);
        assert_eq!(next(&with(&[("x-next-page", "abc")])), None);
    }

    #[test]
    fn per_page_above_100_and_foreign_continuations_are_refused() {
        assert!(matches!(query(Some(101), None), Err(Error::InvalidInput { field: "per_page", .. })));
        assert!(query(Some(0), None).is_err());
        assert_eq!(
            query(Some(100), Some(&ContinuationToken::new("2"))).unwrap(),
            [("per_page", "100".into()), ("page", "2".into())]
        );
        assert!(matches!(
            query(None, Some(&ContinuationToken::new("x&y=1"))),
            Err(Error::InvalidInput { field: "continuation", .. })
        ));
    }
}
