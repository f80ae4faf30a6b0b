//! Gitea's page/limit pagination of the token list (§3.5) as the neutral
//! [`ContinuationToken`]: the next page's number and how many tokens the listing has seen so
//! far (`"3:100"`; a bare page number is accepted too).
//!
//! The token list sends `X-Total-Count` but no `Link` header, so the next page is worked out:
//! - an empty page is the last;
//! - with `X-Total-Count`, the listing goes on while fewer tokens than the total have been seen.
//!   The count seen travels in the continuation, so a listing never stops early, even when the
//!   server caps pages below the asked `limit` (`MAX_RESPONSE_ITEMS` is configurable), and never
//!   asks for a page past the total. A listing started at a page given by number does not know
//!   what came before: it counts `page × items on this page` as seen (never more than were),
//!   and may ask for one more, empty, page;
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

/// Where a listing stands: the page to read and, when known, how many tokens came before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Position {
    pub(crate) page: u32,
    pub(crate) seen: Option<u64>,
}

impl Position {
    /// The first page: nothing seen yet.
    pub(crate) const FIRST: Self = Self { page: 1, seen: Some(0) };

    /// As a continuation.
    pub(crate) fn continuation(self) -> ContinuationToken {
        match self.seen {
            Some(seen) => ContinuationToken::new(format!("{}:{seen}", self.page)),
            None => ContinuationToken::new(self.page.to_string()),
        }
    }
}

fn number<T: std::str::FromStr>(raw: &str) -> Option<T> {
    if raw.is_empty() || raw.len() > 19 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok()
}

/// The position a continuation names (`page` or `page:seen`, page ≥ 1), refused before sending
/// otherwise.
pub(crate) fn position_of(continuation: &ContinuationToken) -> Result<Position> {
    let raw = continuation.as_str();
    let (page, seen) = match raw.split_once(':') {
        Some((page, seen)) => (page, Some(seen)),
        None => (raw, None),
    };
    let page = number::<u32>(page).filter(|p| *p > 0);
    let seen = seen.map(number::<u64>);
    match (page, seen) {
        (Some(page), None) => Ok(Position { page, seen: None }),
        (Some(page), Some(Some(seen))) => Ok(Position { page, seen: Some(seen) }),
        _ => Err(Error::invalid_input("continuation", "not a Gitea page position")),
    }
}

/// `X-Total-Count`, when the answer has a readable one.
pub(crate) fn total(response: &HttpResponse) -> Option<u64> {
    response.headers().get("x-total-count")?.to_str().ok()?.trim().parse().ok()
}

/// The position after `at`, whose page held `items` tokens, if there is one (see the module
/// docs).
pub(crate) fn next(at: Position, limit: u32, items: usize, total: Option<u64>) -> Option<Position> {
    if items == 0 {
        return None;
    }
    let items = items as u64;
    let seen = at.seen.map(|s| s.saturating_add(items));
    let more = match total {
        Some(total) => seen.unwrap_or_else(|| u64::from(at.page).saturating_mul(items)) < total,
        None => items >= u64::from(limit),
    };
    let page = at.page.checked_add(1)?;
    more.then_some(Position { page, seen })
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
        assert_eq!(position_of(&ContinuationToken::new("3")).unwrap(), Position { page: 3, seen: None });
        assert_eq!(position_of(&ContinuationToken::new("3:100")).unwrap(), Position { page: 3, seen: Some(100) });
        for bad in ["0", "x", "-1", "2&limit=9", "", "2:", ":5", "2:x", "0:0", "1:2:3"] {
            assert!(position_of(&ContinuationToken::new(bad)).is_err(), "{bad}");
        }
        let at = Position { page: 4, seen: Some(150) };
        assert_eq!(position_of(&at.continuation()).unwrap(), at);
    }

    fn at(page: u32, seen: u64) -> Position {
        Position { page, seen: Some(seen) }
    }

    #[test]
    fn the_next_page_follows_the_total_count_or_else_a_full_page() {
        // 120 tokens by 50: pages 1, 2 full, page 3 with 20, and nothing asked after it.
        assert_eq!(next(Position::FIRST, 50, 50, Some(120)), Some(at(2, 50)));
        assert_eq!(next(at(2, 50), 50, 50, Some(120)), Some(at(3, 100)));
        assert_eq!(next(at(3, 100), 50, 20, Some(120)), None);
        // Exactly two full pages: no third request.
        assert_eq!(next(at(2, 50), 50, 50, Some(100)), None);
        // A server capping pages at 20 though 50 were asked: the count keeps the listing going.
        assert_eq!(next(Position::FIRST, 50, 20, Some(45)), Some(at(2, 20)));
        assert_eq!(next(at(2, 20), 50, 20, Some(45)), Some(at(3, 40)));
        assert_eq!(next(at(3, 40), 50, 5, Some(45)), None);
        // Started at a page given by number: page × items is counted as seen, never more.
        let numbered = Position { page: 3, seen: None };
        assert_eq!(next(numbered, 50, 20, Some(120)), Some(Position { page: 4, seen: None }));
        assert_eq!(next(numbered, 50, 50, Some(150)), None);
        // Without the count: a full page goes on, a short one ends.
        assert_eq!(next(Position::FIRST, 50, 50, None), Some(at(2, 50)));
        assert_eq!(next(Position::FIRST, 50, 49, None), None);
        assert_eq!(next(at(4, 150), 50, 0, Some(999)), None, "an empty page ends the listing");
        assert_eq!(next(Position { page: u32::MAX, seen: None }, 50, 50, None), None);
    }

    #[test]
    fn the_total_is_read_from_its_header() {
        let with = http::Response::builder().header("X-Total-Count", "42").body(Vec::new()).unwrap();
        assert_eq!(total(&with), Some(42));
        let bad = http::Response::builder().header("x-total-count", "many").body(Vec::new()).unwrap();
        assert_eq!(total(&bad), None);
    }
}
