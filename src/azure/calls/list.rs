use futures_core::Stream;

use crate::azure::AzureDevOpsClient;
use crate::azure::pats::list;
use crate::error::Result;
use crate::model::{ContinuationToken, ListQuery, Page, PatMetadata, SortBy, StatusFilter};
use crate::pagination;

/// A listing being prepared; from [`AzureDevOpsClient::list`].
///
/// Fetch one page with [`page`](Self::page), or stream every page or item with
/// [`pages`](Self::pages) / [`items`](Self::items). Every page request repeats the same filters
/// (the service's continuation token carries only a position).
#[derive(Debug, Clone)]
#[must_use = "a listing does nothing until a page or stream is consumed"]
pub struct ListPats {
    client: AzureDevOpsClient,
    query: ListQuery,
}

impl AzureDevOpsClient {
    /// Prepares a listing of the caller's own tokens (default: active, by display name,
    /// ascending, the service's page size of 20).
    pub fn list(&self) -> ListPats {
        ListPats { client: self.clone(), query: ListQuery::default() }
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

    /// One page: the first with `None`, a later one with the continuation of the page before
    /// (also one saved earlier, to resume).
    pub async fn page(&self, continuation: Option<ContinuationToken>) -> Result<Page<PatMetadata>> {
        let credential = self.client.credential().await?;
        let request = list::request(&self.client.inner.ctx, &credential, &self.query, continuation.as_ref())?;
        self.client.execute(request, list::parse).await
    }

    /// Every page from the first, until the service sends an empty or null continuation. Ends
    /// after the first error.
    pub fn pages(self) -> impl Stream<Item = Result<Page<PatMetadata>>> + Send + 'static {
        self.pages_from(None)
    }

    /// Every page from `continuation` on (resuming a listing saved earlier).
    pub fn pages_from(
        self,
        continuation: Option<ContinuationToken>,
    ) -> impl Stream<Item = Result<Page<PatMetadata>>> + Send + 'static {
        pagination::pages(continuation, move |c| {
            let this = self.clone();
            async move { this.page(c).await }
        })
    }

    /// Every token, page after page.
    pub fn items(self) -> impl Stream<Item = Result<PatMetadata>> + Send + 'static {
        pagination::items(self.pages())
    }
}
