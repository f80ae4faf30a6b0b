//! GitHub's page-number pagination (§4.9): `per_page` (at most 100) and `page`, the next page
//! named by the `Link` header's `rel="next"`. The neutral continuation is the next page's number.

use crate::error::{Error, Result};
use crate::http_url::HttpUrl;
use crate::model::ContinuationToken;
use crate::transport::HttpResponse;

/// The largest `per_page` GitHub honours; more is refused before sending.
pub const MAX_PER_PAGE: u32 = 100;

/// Checks `per_page` (1 to [`MAX_PER_PAGE`]; default [`MAX_PER_PAGE`]).
pub(crate) fn per_page(per_page: Option<u32>) -> Result<u32> {
    match per_page.unwrap_or(MAX_PER_PAGE) {
        n @ 1..=MAX_PER_PAGE => Ok(n),
        n => Err(Error::invalid_input("per_page", format!("GitHub pages hold 1 to {MAX_PER_PAGE} items, not {n}"))),
    }
}

/// The page a continuation names (a page number ≥ 1), refused before sending otherwise.
pub(crate) fn page_of(continuation: Option<&ContinuationToken>) -> Result<u32> {
    let Some(c) = continuation else { return Ok(1) };
    let raw = c.as_str();
    if raw.is_empty() || raw.len() > 9 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid_input("continuation", "not a GitHub page number"));
    }
    match raw.parse::<u32>() {
        Ok(page) if page > 0 => Ok(page),
        _ => Err(Error::invalid_input("continuation", "not a GitHub page number")),
    }
}

/// The next page named by the answer's `Link` header (`<…&page=3>; rel="next"`), if any.
pub(crate) fn next(response: &HttpResponse) -> Option<ContinuationToken> {
    response.headers().get_all(http::header::LINK).iter().filter_map(|v| v.to_str().ok()).find_map(next_in)
}

fn next_in(link: &str) -> Option<ContinuationToken> {
    link.split(',').find_map(|entry| {
        let (target, params) = entry.trim().split_once(';')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim().replace(' ', "");
            p == "rel=\"next\"" || p == "rel=next"
        });
        if !is_next {
            return None;
        }
        let url: HttpUrl = target.trim().strip_prefix('<')?.strip_suffix('>')?.parse().ok()?;
        let page = url.query_pairs().find(|(k, _)| k == "page")?.1;
        let token = ContinuationToken::new(page);
        page_of(Some(&token)).ok().map(|_| token)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_link(link: &str) -> HttpResponse {
        http::Response::builder().header("link", link).body(Vec::new()).unwrap()
    }

    #[test]
    fn the_next_page_comes_from_the_link_header() {
        let link = r#"<https://api.github.com/organizations/652551/personal-access-tokens?per_page=2&page=1>; rel="prev", <https://api.github.com/organizations/652551/personal-access-tokens?per_page=2&page=3>; rel="next", <https://api.github.com/organizations/652551/personal-access-tokens?per_page=2&page=9>; rel="last""#;
        assert_eq!(next(&with_link(link)).unwrap().as_str(), "3");
        let last = r#"<https://api.github.com/x?page=1>; rel="first", <https://api.github.com/x?page=8>; rel="prev""#;
        assert_eq!(next(&with_link(last)), None);
        assert_eq!(next(&http::Response::new(Vec::new())), None);
        // A next link without a sane page number ends the listing rather than looping.
        assert_eq!(next(&with_link(r#"<https://api.github.com/x?page=0>; rel="next""#)), None);
        assert_eq!(next(&with_link(r#"<https://api.github.com/x?cursor=abc>; rel="next""#)), None);
    }

    #[test]
    fn page_sizes_and_continuations_are_checked_before_sending() {
        assert_eq!(per_page(None).unwrap(), 100);
        assert!(per_page(Some(101)).is_err() && per_page(Some(0)).is_err());
        assert_eq!(page_of(None).unwrap(), 1);
        assert_eq!(page_of(Some(&ContinuationToken::new("7"))).unwrap(), 7);
        for bad in ["0", "", "x", "1&per_page=5", "-2", "99999999999"] {
            assert!(page_of(Some(&ContinuationToken::new(bad))).is_err(), "{bad}");
        }
    }
}
