use chrono::{DateTime, Utc};
use futures_core::Stream;

use crate::azure::AzureDevOpsClient;
use crate::azure::token_admin::{AdminTokenInfo, MAX_REVOCATIONS_PER_REQUEST, list, revoke, rule};
use crate::error::Result;
use crate::model::{ContinuationToken, Page, PatId};
use crate::pagination::{self, DEFAULT_MAX_PAGES};
use crate::scope::Scopes;

/// Token Admin calls (organization administrators); from [`AzureDevOpsClient::token_admin`].
///
/// Token Admin accepts an Entra token of a Project Collection Administrator, and possibly a PAT
/// with `vso.tokenadministration` ([`PatCredential`](crate::azure::PatCredential)); the service
/// answers 401 to callers without the permission.
#[derive(Debug, Clone)]
pub struct TokenAdmin {
    client: AzureDevOpsClient,
}

impl AzureDevOpsClient {
    /// Token Admin calls with this client's organization and credential.
    pub fn token_admin(&self) -> TokenAdmin {
        TokenAdmin { client: self.clone() }
    }
}

impl TokenAdmin {
    /// Prepares a listing of the PATs of the user with this Graph subject descriptor
    /// (`aad.…`/`msa.…`).
    pub fn list_pats(&self, subject_descriptor: impl Into<String>) -> AdminListPats {
        AdminListPats {
            client: self.client.clone(),
            descriptor: subject_descriptor.into(),
            page_size: None,
            is_public: false,
            max_pages: DEFAULT_MAX_PAGES,
            listing: "Token Admin PAT list",
        }
    }

    /// Revokes these authorizations (any user's), in batches of
    /// [`MAX_REVOCATIONS_PER_REQUEST`](crate::azure::MAX_REVOCATIONS_PER_REQUEST). Returns after
    /// the last batch; on an error, earlier batches stay revoked.
    pub async fn revoke(&self, ids: &[PatId]) -> Result<()> {
        for batch in ids.chunks(MAX_REVOCATIONS_PER_REQUEST) {
            let credential = self.client.credential().await?;
            let request = revoke::request(&self.client.inner.ctx, &credential, batch)?;
            self.client.execute(request, revoke::parse).await?;
        }
        Ok(())
    }

    /// Creates a revocation rule: every credential issued before `created_before` (default: now,
    /// at the service) that has ANY of `scopes` is revoked.
    pub async fn create_revocation_rule(&self, scopes: &Scopes, created_before: Option<DateTime<Utc>>) -> Result<()> {
        let credential = self.client.credential().await?;
        let request = rule::request(&self.client.inner.ctx, &credential, scopes, created_before)?;
        self.client.execute(request, rule::parse).await
    }
}

/// A Token Admin listing being prepared; from [`TokenAdmin::list_pats`].
///
/// A stream ends with [`Error::ListingCut`](crate::Error::ListingCut) when the service hands
/// back a continuation it had already sent, or after [`max_pages`](Self::max_pages) pages.
#[derive(Debug, Clone)]
#[must_use = "a listing does nothing until a page or stream is consumed"]
pub struct AdminListPats {
    client: AzureDevOpsClient,
    descriptor: String,
    page_size: Option<u32>,
    is_public: bool,
    max_pages: usize,
    /// The name [`Error::ListingCut`](crate::Error::ListingCut) gives this listing.
    listing: &'static str,
}

impl AdminListPats {
    /// Items per page (the service's default when unset).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    /// List SSH keys (`true`) instead of PATs (`false`, the default).
    pub fn ssh_keys(mut self, ssh: bool) -> Self {
        self.is_public = ssh;
        self
    }

    /// Most pages a stream reads (default [`DEFAULT_MAX_PAGES`](crate::DEFAULT_MAX_PAGES)); a
    /// listing that needs more ends with [`Error::ListingCut`](crate::Error::ListingCut). 0 is
    /// refused when the stream starts.
    pub fn max_pages(mut self, max_pages: usize) -> Self {
        self.max_pages = max_pages;
        self
    }

    /// One page; pass the previous page's continuation for the next.
    pub async fn page(&self, continuation: Option<ContinuationToken>) -> Result<Page<AdminTokenInfo>> {
        let credential = self.client.credential().await?;
        let request = list::request(
            &self.client.inner.ctx,
            &credential,
            &self.descriptor,
            self.page_size,
            self.is_public,
            continuation.as_ref(),
        )?;
        self.client.execute(request, list::parse).await
    }

    /// Every page until the service's continuation is `null`. Ends after the first error, which
    /// is [`Error::ListingCut`](crate::Error::ListingCut) when the service repeats a continuation
    /// of this listing or the page cap is reached.
    pub fn pages(self) -> impl Stream<Item = Result<Page<AdminTokenInfo>>> + Send + 'static {
        let (listing, max_pages) = (self.listing, self.max_pages);
        pagination::pages(listing, max_pages, None, move |c| {
            let this = self.clone();
            async move { this.page(c).await }
        })
    }

    /// Every token of the user.
    pub fn items(self) -> impl Stream<Item = Result<AdminTokenInfo>> + Send + 'static {
        pagination::items(self.pages())
    }
}
