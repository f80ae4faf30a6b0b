//! Streams over paged listings, built on `unfold` over the continuation token.

use std::future::Future;

use futures_core::Stream;
use futures_util::{TryStreamExt as _, stream};

use crate::error::{Error, Result};
use crate::model::{ContinuationToken, Page};

enum State {
    Next(Option<ContinuationToken>),
    Done,
}

/// Pages from `start`, fetching each with `fetch(continuation)` until a page has no
/// continuation. Stops after the first error. A page that hands back the very continuation that
/// fetched it would repeat forever; it ends the stream with [`Error::Decode`] at
/// `continuationToken`.
pub(crate) fn pages<T, F, Fut>(start: Option<ContinuationToken>, fetch: F) -> impl Stream<Item = Result<Page<T>>> + Send
where
    T: Send,
    F: FnMut(Option<ContinuationToken>) -> Fut + Send,
    Fut: Future<Output = Result<Page<T>>> + Send,
{
    stream::unfold((State::Next(start), fetch), |(state, mut fetch)| async move {
        let State::Next(continuation) = state else { return None };
        match fetch(continuation.clone()).await {
            Ok(page) if page.continuation.is_some() && page.continuation == continuation => {
                let e = Error::Decode {
                    path: "continuationToken".to_owned(),
                    source: "the service repeated the continuation token it was sent; the listing would never end"
                        .into(),
                };
                Some((Err(e), (State::Done, fetch)))
            }
            Ok(page) => {
                let next = match &page.continuation {
                    Some(c) => State::Next(Some(c.clone())),
                    None => State::Done,
                };
                Some((Ok(page), (next, fetch)))
            }
            Err(e) => Some((Err(e), (State::Done, fetch))),
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
    use futures_util::StreamExt as _;

    use super::*;

    fn page(continuation: Option<&str>) -> Page<u8> {
        Page { items: vec![1], continuation: continuation.map(ContinuationToken::new) }
    }

    #[tokio::test]
    async fn a_repeated_continuation_ends_the_stream_with_an_error() {
        // Found by tests/hostile_input.rs: a service echoing the continuation it was sent kept
        // a listing (and a failed create's search for its token) going forever.
        let all: Vec<_> =
            pages(None, |c| async move { Ok(page(Some(if c.is_none() { "a" } else { "b" }))) }).collect().await;
        assert_eq!(all.len(), 3, "a, b, then the repeated b");
        assert!(all[..2].iter().all(Result::is_ok));
        assert!(matches!(&all[2], Err(Error::Decode { path, .. }) if path == "continuationToken"));
    }

    #[tokio::test]
    async fn distinct_continuations_continue_until_none() {
        let all: Vec<_> = pages(None, |c| async move {
            Ok(match c.as_ref().map(ContinuationToken::as_str) {
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
