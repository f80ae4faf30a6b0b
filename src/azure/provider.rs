use async_trait::async_trait;

use crate::azure::AzureDevOpsClient;
use crate::azure::MAX_DISPLAY_NAME_CHARS;
use crate::capabilities::{Capabilities, ExpiryGranularity};
use crate::error::Result;
use crate::model::{ContinuationToken, CreatedPat, ListQuery, Page, PatChanges, PatId, PatMetadata, PatSpec};
use crate::provider::PatProvider;
use crate::secret::PatSecret;

/// The provider name Azure DevOps records carry.
pub const PROVIDER_NAME: &str = "azure-devops";

#[async_trait]
impl PatProvider for AzureDevOpsClient {
    fn provider_name(&self) -> &str {
        PROVIDER_NAME
    }

    fn organization(&self) -> &str {
        AzureDevOpsClient::organization(self)
    }

    /// Create, get, list, update (expiry too), revoke and check, expiry to the second, display
    /// names up to [`MAX_DISPLAY_NAME_CHARS`](crate::azure::MAX_DISPLAY_NAME_CHARS) characters; no
    /// server-side rotate (rotation is create-then-revoke).
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            create: true,
            get: true,
            list_own: true,
            update: true,
            update_expiry: true,
            revoke: true,
            check: true,
            expiry: ExpiryGranularity::DateTime,
            name_max_len: Some(MAX_DISPLAY_NAME_CHARS),
            ..Capabilities::NONE
        }
    }

    async fn create_pat(&self, spec: PatSpec) -> Result<CreatedPat> {
        self.create_from_spec(spec).await
    }

    async fn get_pat(&self, id: &PatId) -> Result<PatMetadata> {
        self.get(id).await
    }

    async fn list_pats(&self, query: &ListQuery, continuation: Option<ContinuationToken>) -> Result<Page<PatMetadata>> {
        self.list().query(query.clone()).page(continuation).await
    }

    async fn update_pat(&self, id: &PatId, changes: PatChanges) -> Result<PatMetadata> {
        self.update_with(id, changes).await
    }

    async fn revoke_pat(&self, id: &PatId) -> Result<()> {
        self.revoke(id).await
    }

    async fn check_pat(&self, secret: &PatSecret) -> Result<bool> {
        AzureDevOpsClient::check_pat(self, secret).await
    }
}
