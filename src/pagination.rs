//! The one pager of the crate: every paged listing (the client's streams, the expiry scan,
//! rotation recovery, the search after an uncertain create, offboarding) goes through
//! [`pages`], which ends on a continuation token it has seen before and after a page cap.

use std::collections::HashSet;
use std::future::Future;

use futures_core::Stream;
use futures_util::{TryStreamExt as _, stream};

use crate::error::{Error, ListingCutReason, Result};
use crate::model::{ContinuationToken, Page};

/// The page cap of a listing unless its caller sets another: 1,000 pages (100,000 tokens at
/// the largest page size of 100, 20,000 at Azure DevOps' default of 20). A listing that would
/// need more ends with [`Error::ListingCut`]; the listings that could legitimately need more
/// take a `max_pages` setting.
pub const DEFAULT_MAX_PAGES: usize = 1_000;

/// Where a listing stands: the continuations seen so far and the pages fetched.
#[derive(Debug)]
struct Pager {
    listing: &'static str,
    max_pages: usize,
    seen: HashSet<ContinuationToken>,
    fetched: usize,
}

impl Pager {
    fn new(listing: &'static str, max_pages: usize, start: Option<&ContinuationToken>) -> Self {
        Self { listing, max_pages, seen: start.into_iter().cloned().collect(), fetched: 0 }
    }

    /// After a page that ends with `next`: the continuation to fetch, `None` at the end, or why
    /// the listing cannot go on.
    fn advance(&mut self, next: Option<&ContinuationToken>) -> Result<Option<ContinuationToken>> {
        self.fetched += 1;
        let Some(next) = next else { return Ok(None) };
        if !self.seen.insert(next.clone()) {
            return Err(self.cut(ListingCutReason::RepeatedContinuation));
        }
        if self.fetched >= self.max_pages {
            return Err(self.cut(ListingCutReason::PageLimit { max_pages: self.max_pages }));
        }
        Ok(Some(next.clone()))
    }

    fn cut(&self, reason: ListingCutReason) -> Error {
        Error::ListingCut { listing: self.listing, reason, pages: self.fetched }
    }
}

enum State {
    Next(Option<ContinuationToken>),
    Cut(Error),
    Done,
}

/// Pages of the listing named `listing`, from `start`, fetching each with `fetch(continuation)`
/// until a page has no continuation.
///
/// Every page fetched is yielded. The stream then ends with one `Err` and nothing after it when
/// a fetch fails, or with [`Error::ListingCut`] when a page hands back a continuation seen
/// before in this listing (`start` included: `a, b, a…` would never end) or the
/// `max_pages`-th page still has a continuation. So at most `max_pages` requests are sent.
/// `max_pages` 0 is refused with [`Error::InvalidInput`] before anything is fetched.
pub(crate) fn pages<T, F, Fut>(
    listing: &'static str,
    max_pages: usize,
    start: Option<ContinuationToken>,
    fetch: F,
) -> impl Stream<Item = Result<Page<T>>> + Send
where
    T: Send,
    F: FnMut(Option<ContinuationToken>) -> Fut + Send,
    Fut: Future<Output = Result<Page<T>>> + Send,
{
    let pager = Pager::new(listing, max_pages, start.as_ref());
    let state = if max_pages == 0 {
        State::Cut(Error::invalid_input("max_pages", "a listing needs at least one page"))
    } else {
        State::Next(start)
    };
    stream::unfold((state, pager, fetch), |(state, mut pager, mut fetch)| async move {
        let continuation = match state {
            State::Next(continuation) => continuation,
            State::Cut(e) => return Some((Err(e), (State::Done, pager, fetch))),
            State::Done => return None,
        };
        match fetch(continuation).await {
            Ok(page) => {
                let next = match pager.advance(page.continuation.as_ref()) {
                    Ok(Some(next)) => State::Next(Some(next)),
                    Ok(None) => State::Done,
                    Err(cut) => State::Cut(cut),
                };
                Some((Ok(page), (next, pager, fetch)))
            }
            Err(e) => Some((Err(e), (State::Done, pager, fetch))),
        }
    })
}

/// The items of a page stream, flattened.
pub(crate) fn items<T: Send>(
    pages: impl Stream<Item = Result<Page<T>>> + Send,
) -> impl Stream<Item = Result<T>> + Send {
    pages.map_ok(|page| stream::iter(page.items.into_iter().map(Ok))).try_flatten()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use futures_util::StreamExt as _;

    use super::*;

    fn page(continuation: Option<&str>) -> Page<u8> {
        Page { items: vec![1], continuation: continuation.map(ContinuationToken::new) }
    }

    fn continuation(c: &Option<ContinuationToken>) -> Option<&str> {
        c.as_ref().map(ContinuationToken::as_str)
    }

    #[tokio::test]
    async fn a_repeated_continuation_ends_the_stream_with_an_error() {
        // Found by tests/azure/hostile_input.rs: a service echoing the continuation it was sent kept
        // a listing (and a failed create's search for its token) going forever.
        let all: Vec<_> = pages("t", 100, None, |c| async move { Ok(page(Some(if c.is_none() { "a" } else { "b" }))) })
            .collect()
            .await;
        assert_eq!(all.len(), 4, "a, b, the page repeating b, then the error");
        assert!(all[..3].iter().all(Result::is_ok));
        assert!(matches!(
            &all[3],
            Err(Error::ListingCut { listing: "t", reason: ListingCutReason::RepeatedContinuation, pages: 3 })
        ));
    }

    #[tokio::test]
    async fn a_cycle_of_two_continuations_ends_the_stream() {
        // The security review (issue 10, finding 5): `a, b, a, b…` got past a check of the
        // immediate repeat only.
        let all: Vec<_> = pages("t", 100, None, |c| async move {
            Ok(page(Some(match continuation(&c) {
                None | Some("b") => "a",
                _ => "b",
            })))
        })
        .collect()
        .await;
        assert_eq!(all.len(), 4);
        assert!(matches!(
            &all[3],
            Err(Error::ListingCut { reason: ListingCutReason::RepeatedContinuation, pages: 3, .. })
        ));
    }

    #[tokio::test]
    async fn the_start_counts_as_seen() {
        let all: Vec<_> =
            pages("t", 100, Some(ContinuationToken::new("a")), |_| async { Ok(page(Some("a"))) }).collect().await;
        assert_eq!(all.len(), 2);
        assert!(matches!(&all[1], Err(Error::ListingCut { reason: ListingCutReason::RepeatedContinuation, .. })));
    }

    #[tokio::test]
    async fn the_page_cap_bounds_the_requests() {
        let sent = Arc::new(AtomicUsize::new(0));
        let all: Vec<_> = pages("t", 5, None, |_| {
            let n = sent.fetch_add(1, Ordering::SeqCst);
            async move { Ok(page(Some(&format!("fresh-{n}")))) }
        })
        .collect()
        .await;
        assert_eq!(sent.load(Ordering::SeqCst), 5);
        assert_eq!(all.len(), 6, "five pages, then the error");
        assert!(matches!(
            &all[5],
            Err(Error::ListingCut { reason: ListingCutReason::PageLimit { max_pages: 5 }, pages: 5, .. })
        ));
    }

    #[tokio::test]
    async fn a_last_page_at_the_cap_is_no_cut() {
        let all: Vec<_> = pages("t", 2, None, |c| async move {
            Ok(page(match continuation(&c) {
                None => Some("1"),
                _ => None,
            }))
        })
        .collect()
        .await;
        assert_eq!(all.len(), 2);
        assert!(all.iter().all(Result::is_ok));
    }

    #[tokio::test]
    async fn zero_pages_is_refused_before_fetching() {
        let all: Vec<_> =
            pages("t", 0, None, |_| async { panic!("nothing may be fetched") as Result<Page<u8>> }).collect().await;
        assert!(matches!(&all[..], [Err(Error::InvalidInput { field: "max_pages", .. })]));
    }

    #[tokio::test]
    async fn distinct_continuations_continue_until_none() {
        let all: Vec<_> = pages("t", 100, None, |c| async move {
            Ok(match continuation(&c) {
                None => page(Some("1")),
                Some("1") => page(Some("2")),
                _ => page(None),
            })
        })
        .collect()
        .await;
        assert_eq!(all.len(), 3);
        assert!(all.iter().all(Result::is_ok));
    }
}
