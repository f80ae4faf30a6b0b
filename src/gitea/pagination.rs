//! Gitea's page/limit pagination of the token list (§3.5) as the neutral
//! [`ContinuationToken`]: the next page's number.
//!
//! The token list sends `X-Total-Count` but no `Link` header, so the next page is worked out:
//! - an empty page is the last;
//! - with `X-Total-Count`, the listing goes on while `page × items on this page` is below the
//!   total. That never stops early, even when the server caps pages below the asked `limit`
//!   (`MAX_RESPONSE_ITEMS` is configurable): every earlier page held at least as many items as
//!   this one. At worst one more, empty, page is asked for;
//! - without it, a page shorter than the asked `limit` is the last (the sheet's rule).

use crate::error::{Error, Result};
use crate::model::ContinuationToken;
use crate::transport::HttpResponse;

/// The largest `limit` Gitea honours by default (`MAX_RESPONSE_ITEMS`); more is refused before
/// sending.
pub const MAX_LIMIT: u32 = 50;

/// The `limit` patkit sends when none is asked for: [`MAX_LIMIT`] (Gitea's own default is 30).
pub const DEFAULT_LIMIT: u32 = MAX_LIMIT;

/// Checks `limit` (1 to [`MAX_LIMIT`]).
pub(crate) fn limit(limit: Option<u32>) -> Result<u32> {
    match limit.unwrap_or(DEFAULT_LIMIT) {
        n @ 1..=MAX_LIMIT => Ok(n),
        n => Err(Error::invalid_input("limit", format!("Gitea pages hold 1 to {MAX_LIMIT} tokens, not {n}"))),
    }
}

/// The page a continuation names: a positive page number, refused before sending otherwise.
pub(crate) fn page_of(continuation: &ContinuationToken) -> Result<u32> {
    let raw = continuation.as_str();
    raw.parse::<u32>()
        .ok()
        .filter(|n| *n > 0 && raw.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| Error::invalid_input("continuation", "not a Gitea page number"))
}

/// `X-Total-Count`, when the answer has a readable one.
pub(crate) fn total(response: &HttpResponse) -> Option<u64> {
    response.headers().get("x-total-count")?.to_str().ok()?.trim().parse().ok()
}

/// The page after `page`, if there is one (see the module docs).
pub(crate) fn next(page: u32, limit: u32, items: usize, total: Option<u64>) -> Option<u32> {
    if items == 0 {
        return None;
    }
    let more = match total {
        Some(total) => u64::from(page).saturating_mul(items as u64) < total,
        None => items >= limit as usize,
    };
    if more { page.checked_add(1) } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_above_fifty_and_foreign_continuations_are_refused() {
        assert_eq!(limit(None).unwrap(), 50);
        assert_eq!(limit(Some(1)).unwrap(), 1);
        for bad in [0, 51, 100] {
            assert!(matches!(limit(Some(bad)), Err(Error::InvalidInput { field: "limit", .. })), "{bad}");
        }
        assert_eq!(page_of(&ContinuationToken::new("3")).unwrap(), 3);
        for bad in ["0", "x", "-1", "2&limit=9", ""] {
            assert!(page_of(&ContinuationToken::new(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_next_page_follows_the_total_count_or_else_a_full_page() {
        // 120 tokens by 50: pages 1, 2 full, page 3 with 20.
        assert_eq!(next(1, 50, 50, Some(120)), Some(2));
        assert_eq!(next(2, 50, 50, Some(120)), Some(3));
        // A short page cannot tell a last page from a server cap below `limit`: one more page
        // is asked for, and comes back empty.
        assert_eq!(next(3, 50, 20, Some(120)), Some(4));
        assert_eq!(next(4, 50, 0, Some(120)), None);
        // Exactly two full pages: no third request.
        assert_eq!(next(2, 50, 50, Some(100)), None);
        // A server capping pages at 20 though 50 were asked: the count keeps the listing going.
        assert_eq!(next(1, 50, 20, Some(45)), Some(2));
        assert_eq!(next(2, 50, 20, Some(45)), Some(3));
        assert_eq!(next(3, 50, 5, Some(45)), Some(4));
        // One page holding everything costs one request.
        assert_eq!(next(1, 50, 12, Some(12)), None);
        // Without the count: a full page goes on, a short one ends.
        assert_eq!(next(1, 50, 50, None), Some(2));
        assert_eq!(next(1, 50, 49, None), None);
        assert_eq!(next(4, 50, 0, Some(999)), None, "an empty page ends the listing");
        assert_eq!(next(u32::MAX, 50, 50, None), None);
    }

    #[test]
    fn the_total_is_read_from_its_header() {
        let with = http::Response::builder().header("X-Total-Count", "42").body(Vec::new()).unwrap();
        assert_eq!(total(&with), Some(42));
        let bad = http::Response::builder().header("x-total-count", "many").body(Vec::new()).unwrap();
        assert_eq!(total(&bad), None);
    }
}
