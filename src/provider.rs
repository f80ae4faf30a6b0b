//! The provider-neutral surface the lifecycle flows are built on.

use std::fmt::Debug;

use async_trait::async_trait;
use futures_core::Stream;

use crate::error::Result;
use crate::model::{ContinuationToken, CreatedPat, ListQuery, Page, PatChanges, PatId, PatMetadata, PatSpec};
use crate::secret::PatSecret;

/// A service that issues personal access tokens (Azure DevOps today; GitLab, Gitea and GitHub
/// fit the same shape). The lifecycle flows (scan, rotation) only use this trait.
#[async_trait]
pub trait PatProvider: Send + Sync + Debug {
    /// A stable name for stored records, e.g. `"azure-devops"`.
    fn provider_name(&self) -> &str;

    /// The organization (or host) this provider instance manages tokens in.
    fn organization(&self) -> &str;

    /// Creates a token. The secret is returned once. Never retried once the request may have
    /// reached the server.
    async fn create_pat(&self, spec: PatSpec) -> Result<CreatedPat>;

    /// One token's metadata.
    async fn get_pat(&self, id: &PatId) -> Result<PatMetadata>;

    /// One page of the caller's tokens. Pass the previous page's continuation to get the next.
    async fn list_pats(&self, query: &ListQuery, continuation: Option<ContinuationToken>) -> Result<Page<PatMetadata>>;

    /// Changes a token and returns its new metadata.
    async fn update_pat(&self, id: &PatId, changes: PatChanges) -> Result<PatMetadata>;

    /// Revokes a token. See the provider's docs for what revoking an unknown or already revoked
    /// token does.
    async fn revoke_pat(&self, id: &PatId) -> Result<()>;

    /// Whether `secret` currently authenticates at the provider (a harmless call made *with* the
    /// token). `Ok(false)` means the provider refused it.
    async fn check_pat(&self, secret: &PatSecret) -> Result<bool>;
}

/// Conveniences over any [`PatProvider`]. Implemented for every provider; do not implement this
/// yourself.
pub trait PatProviderExt: PatProvider {
    /// Every token matching `query`, page after page, re-sending the query with each page. Ends
    /// with [`Error::ListingCut`](crate::Error::ListingCut) when the provider hands back a
    /// continuation it had already sent, or after
    /// [`DEFAULT_MAX_PAGES`](crate::DEFAULT_MAX_PAGES) pages (page through
    /// [`list_pats`](PatProvider::list_pats) yourself to read further).
    fn list_all(&self, query: ListQuery) -> impl Stream<Item = Result<PatMetadata>> + Send + '_
    where
        Self: Sized,
    {
        let max_pages = crate::pagination::DEFAULT_MAX_PAGES;
        crate::pagination::items(crate::pagination::pages("PAT list", max_pages, None, move |continuation| {
            let query = query.clone();
            async move { self.list_pats(&query, continuation).await }
        }))
    }
}

impl<T: PatProvider + ?Sized> PatProviderExt for T {}
