//! Listings kept in order between their pages, so serving a page costs O(page), not a filter
//! and sort of every token.
//!
//! A listing's order (its filter and sort, for one caller) is built once, as the ids of the
//! matching tokens in the order the service returns them, and kept under a key naming the
//! query; later pages of the same query take their window of ids by position. A continuation
//! token or page number therefore still means what the service means by it (a start row, a page
//! of a fixed size), and the page is exactly the one a fresh filter-and-sort would give:
//!
//! - every change to the tokens ([`ListingCache::clear`], called by the state's only mutable
//!   accessor of its tokens) drops every kept listing;
//! - a listing whose filter or order depends on the time is kept only while no token changes
//!   status: from the instant it was built up to the first instant one would (`valid_until`); a
//!   clock moved back rebuilds it too.
//!
//! At most [`KEPT`] listings are kept (the most recently built); an emulator serving many
//! distinct queries at once only rebuilds more often.

use std::collections::VecDeque;

/// How many listings are kept.
pub(crate) const KEPT: usize = 8;

/// A listing as built: its ids in order, and until when (exclusive) it stays right if no token
/// changes.
#[derive(Debug)]
pub(crate) struct Ordered<Id, T> {
    pub(crate) ids: Vec<Id>,
    /// `None`: its filter and order do not depend on the time.
    pub(crate) valid_until: Option<T>,
}

impl<Id, T> Ordered<Id, T> {
    /// A listing whose filter and order do not depend on the time.
    pub(crate) fn timeless(ids: Vec<Id>) -> Self {
        Self { ids, valid_until: None }
    }
}

#[derive(Debug)]
struct Kept<Id, T> {
    query: String,
    built_at: T,
    valid_until: Option<T>,
    ids: Vec<Id>,
}

/// The kept listings of one emulator's state. `Id` names a token; `T` is the instant type the
/// listings' validity is measured in (the emulator's `now`, or the date its filters read).
#[derive(Debug)]
pub(crate) struct ListingCache<Id, T> {
    kept: VecDeque<Kept<Id, T>>,
}

impl<Id, T> Default for ListingCache<Id, T> {
    fn default() -> Self {
        Self { kept: VecDeque::new() }
    }
}

impl<Id, T: Ord + Copy> ListingCache<Id, T> {
    /// Drops every kept listing: the tokens changed.
    pub(crate) fn clear(&mut self) {
        self.kept.clear();
    }

    /// The ids of the listing named `query` at `now`: the kept ones when still right, else
    /// `build()`'s, kept for the next page.
    pub(crate) fn get_or_build(&mut self, query: String, now: T, build: impl FnOnce() -> Ordered<Id, T>) -> &[Id] {
        match self.get_or_try_build(query, now, || Ok::<_, std::convert::Infallible>(build())) {
            Ok(ids) => ids,
            Err(never) => match never {},
        }
    }

    /// [`get_or_build`](Self::get_or_build) with a `build` that may refuse the query (an
    /// invalid filter): its error is returned and nothing is kept.
    pub(crate) fn get_or_try_build<E>(
        &mut self,
        query: String,
        now: T,
        build: impl FnOnce() -> Result<Ordered<Id, T>, E>,
    ) -> Result<&[Id], E> {
        if self.get(&query, now).is_none() {
            let ordered = build()?;
            return Ok(self.keep(query, now, ordered));
        }
        Ok(self.get(&query, now).unwrap_or_default())
    }

    /// The kept ids of the listing named `query`, if still right at `now`.
    pub(crate) fn get(&self, query: &str, now: T) -> Option<&[Id]> {
        let fresh = |k: &&Kept<Id, T>| k.query == query && k.built_at <= now && k.valid_until.is_none_or(|u| now < u);
        self.kept.iter().find(fresh).map(|k| k.ids.as_slice())
    }

    /// Keeps `ordered` as the listing named `query`, built at `now` (replacing an older one of
    /// that name, and the oldest kept past [`KEPT`]); returns its ids.
    pub(crate) fn keep(&mut self, query: String, now: T, ordered: Ordered<Id, T>) -> &[Id] {
        self.kept.retain(|k| k.query != query);
        if self.kept.len() >= KEPT {
            self.kept.pop_front();
        }
        let Ordered { ids, valid_until } = ordered;
        self.kept.push_back(Kept { query, built_at: now, valid_until, ids });
        self.kept.back().map_or(&[], |k| k.ids.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build_count(cache: &mut ListingCache<u32, i64>, query: &str, now: i64, builds: &mut u32) -> Vec<u32> {
        cache
            .get_or_build(query.to_owned(), now, || {
                *builds += 1;
                Ordered { ids: vec![1, 2, 3], valid_until: Some(10) }
            })
            .to_vec()
    }

    #[test]
    fn kept_until_cleared_invalid_in_time_or_evicted() {
        let mut cache = ListingCache::default();
        let mut builds = 0;
        assert_eq!(build_count(&mut cache, "q", 5, &mut builds), [1, 2, 3]);
        build_count(&mut cache, "q", 9, &mut builds);
        assert_eq!(builds, 1, "a later page within the validity reuses the listing");
        build_count(&mut cache, "q", 10, &mut builds);
        assert_eq!(builds, 2, "at valid_until a token changes status: rebuilt");
        build_count(&mut cache, "q", 4, &mut builds);
        assert_eq!(builds, 3, "a clock moved back before the build rebuilds");
        cache.clear();
        build_count(&mut cache, "q", 4, &mut builds);
        assert_eq!(builds, 4, "clear drops it");
        for i in 0..KEPT {
            build_count(&mut cache, &format!("other {i}"), 4, &mut builds);
        }
        build_count(&mut cache, "q", 4, &mut builds);
        assert_eq!(builds, 4 + KEPT as u32 + 1, "the oldest is evicted past KEPT listings");
    }

    #[test]
    fn timeless_listings_never_expire() {
        let mut cache: ListingCache<u32, i64> = ListingCache::default();
        cache.get_or_build("q".into(), 0, || Ordered::timeless(vec![7]));
        let ids = cache.get_or_build("q".into(), i64::MAX, || panic!("rebuilt")).to_vec();
        assert_eq!(ids, [7]);
    }
}
