use futures_core::Stream;

use crate::azure::AzureDevOpsClient;
use crate::azure::pats::list;
use crate::error::Result;
use crate::model::{ContinuationToken, ListQuery, Page, PatMetadata, SortBy, StatusFilter};
use crate::pagination::{self, DEFAULT_MAX_PAGES};

/// A listing being prepared; from [`AzureDevOpsClient::list`].
///
/// Fetch one page with [`page`](Self::page), or stream every page or item with
/// [`pages`](Self::pages) / [`items`](Self::items). Every page request repeats the same filters
/// (the service's continuation token carries only a position). A stream ends with
/// [`Error::ListingCut`](crate::Error::ListingCut) when the service hands back a continuation it
/// had already sent, or after [`max_pages`](Self::max_pages) pages.
#[derive(Debug, Clone)]
#[must_use = "a listing does nothing until a page or stream is consumed"]
pub struct ListPats {
    client: AzureDevOpsClient,
    query: ListQuery,
    max_pages: usize,
    /// The name [`Error::ListingCut`](crate::Error::ListingCut) gives this listing.
    listing: &'static str,
}

impl AzureDevOpsClient {
    /// Prepares a listing of the caller's own tokens (default: active, by display name,
    /// ascending, the service's page size of 20).
    pub fn list(&self) -> ListPats {
        ListPats {
            client: self.clone(),
            query: ListQuery::default(),
            max_pages: DEFAULT_MAX_PAGES,
            listing: "PAT list",
        }
    }
}

impl ListPats {
    /// Which tokens: active (default), revoked, expired or all.
    pub fn filter(mut self, filter: StatusFilter) -> Self {
        self.query.filter = filter;
        self
    }

    /// Sort key (default display name).
    pub fn sort(mut self, sort: SortBy) -> Self {
        self.query.sort = sort;
        self
    }

    /// Ascending (default `true`) or descending.
    pub fn ascending(mut self, ascending: bool) -> Self {
        self.query.ascending = ascending;
        self
    }

    /// Items per page, 1 to 100 (checked before sending).
    pub fn page_size(mut self, size: u32) -> Self {
        self.query.page_size = Some(size);
        self
    }

    /// Replaces the whole query.
    pub fn query(mut self, query: ListQuery) -> Self {
        self.query = query;
        self
    }

    /// Most pages a stream reads (default [`DEFAULT_MAX_PAGES`](crate::DEFAULT_MAX_PAGES)); a
    /// listing that needs more ends with [`Error::ListingCut`](crate::Error::ListingCut). Raise
    /// it if you expect more than `max_pages ×` [`page_size`](Self::page_size) tokens; 0 is
    /// refused when the stream starts.
    pub fn max_pages(mut self, max_pages: usize) -> Self {
        self.max_pages = max_pages;
        self
    }

    /// Names the listing in [`Error::ListingCut`](crate::Error::ListingCut) (for the crate's own
    /// listings that use this one).
    pub(crate) fn named(mut self, listing: &'static str) -> Self {
        self.listing = listing;
        self
    }

    /// One page: the first with `None`, a later one with the continuation of the page before
    /// (also one saved earlier, to resume).
    pub async fn page(&self, continuation: Option<ContinuationToken>) -> Result<Page<PatMetadata>> {
        let credential = self.client.credential().await?;
        let request = list::request(&self.client.inner.ctx, &credential, &self.query, continuation.as_ref())?;
        self.client.execute(request, list::parse).await
    }

    /// Every page from the first, until the service sends an empty or null continuation. Ends
    /// after the first error, which is [`Error::ListingCut`](crate::Error::ListingCut) when the
    /// service repeats a continuation of this listing or the page cap is reached.
    pub fn pages(self) -> impl Stream<Item = Result<Page<PatMetadata>>> + Send + 'static {
        self.pages_from(None)
    }

    /// Every page from `continuation` on (resuming a listing saved earlier; the cap counts from
    /// here).
    pub fn pages_from(
        self,
        continuation: Option<ContinuationToken>,
    ) -> impl Stream<Item = Result<Page<PatMetadata>>> + Send + 'static {
        let (listing, max_pages) = (self.listing, self.max_pages);
        pagination::pages(listing, max_pages, continuation, move |c| {
            let this = self.clone();
            async move { this.page(c).await }
        })
    }

    /// Every token, page after page.
    pub fn items(self) -> impl Stream<Item = Result<PatMetadata>> + Send + 'static {
        pagination::items(self.pages())
    }
}
