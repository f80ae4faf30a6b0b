use std::borrow::Cow;

use async_trait::async_trait;

use crate::azure::MAX_DISPLAY_NAME_CHARS;
use crate::azure::targets::is_global;
use crate::azure::{AzureDevOpsClient, GLOBAL_PAT_RETIREMENT, Targets};
use crate::capabilities::{Capabilities, ExpiryGranularity};
use crate::error::Result;
use crate::model::{ContinuationToken, CreatedPat, ListQuery, Page, PatChanges, PatId, PatMetadata, PatSpec};
use crate::provider::{PatProvider, Replacement, Retirement};
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

    fn bulk_concurrency(&self) -> Option<usize> {
        self.inner.core.bulk_concurrency()
    }

    /// A global token (its `targets` extra is `*`) retires at
    /// [`GLOBAL_PAT_RETIREMENT`](crate::azure::GLOBAL_PAT_RETIREMENT) (2026-12-01).
    fn retirement(&self, token: &PatMetadata) -> Option<Retirement> {
        is_global(token).then_some(Retirement {
            at: GLOBAL_PAT_RETIREMENT,
            reason: Cow::Borrowed("Azure DevOps retires global PATs"),
        })
    }

    /// Same scopes; a token bound to organizations stays bound (to this client's organization,
    /// the one a create request is sent to); a global one follows
    /// [`AzureDevOpsClientBuilder::global_replacement`](crate::azure::AzureDevOpsClientBuilder::global_replacement)
    /// and the note says when it is narrowed. A list naming another organization is refused
    /// with [`Error::InvalidInput`](crate::Error::InvalidInput).
    fn replacement_spec(&self, old: &PatMetadata) -> Result<Replacement> {
        let mut spec = PatSpec::new(old.display_name.clone(), old.scopes.clone());
        let mut note = None;
        if is_global(old) {
            let own = AzureDevOpsClient::organization(self);
            if self.inner.global_replacement.all_organizations(own)? {
                Targets::AllOrganizations.put(&mut spec.extras);
            } else {
                note = Some(format!("the global token was replaced by one for {own}"));
            }
        }
        Ok(Replacement { spec, note })
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
