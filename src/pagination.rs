//! Streams over paged listings, built on `unfold` over the continuation token.

use std::future::Future;

use futures_core::Stream;
use futures_util::{TryStreamExt as _, stream};

use crate::error::Result;
use crate::model::{ContinuationToken, Page};

enum State {
    Next(Option<ContinuationToken>),
    Done,
}

/// Pages from `start`, fetching each with `fetch(continuation)` until a page has no
/// continuation. Stops after the first error.
pub(crate) fn pages<T, F, Fut>(start: Option<ContinuationToken>, fetch: F) -> impl Stream<Item = Result<Page<T>>> + Send
where
    T: Send,
    F: FnMut(Option<ContinuationToken>) -> Fut + Send,
    Fut: Future<Output = Result<Page<T>>> + Send,
{
    stream::unfold((State::Next(start), fetch), |(state, mut fetch)| async move {
        let State::Next(continuation) = state else { return None };
        match fetch(continuation).await {
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
