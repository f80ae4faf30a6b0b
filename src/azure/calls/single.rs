use crate::azure::AzureDevOpsClient;
use crate::azure::pats::{check, get, revoke};
use crate::error::Result;
use crate::model::{PatId, PatMetadata};
use crate::secret::PatSecret;

impl AzureDevOpsClient {
    /// One of the caller's tokens, by id. Unknown or foreign ids are [`Error::NotFound`](crate::Error::NotFound).
    pub async fn get(&self, id: &PatId) -> Result<PatMetadata> {
        let credential = self.credential().await?;
        let request = get::request(&self.inner.ctx, &credential, id)?;
        self.execute(request, |r, now| get::parse(r, id, now)).await
    }

    /// Revokes one of the caller's tokens.
    ///
    /// Idempotent: revoking a token that is already revoked, unknown, or not the caller's
    /// returns `Ok(())` (the service's own answer in those cases is unverified; patkit treats
    /// every "not found" answer as "already gone"). Use [`get`](Self::get) first to tell them
    /// apart.
    pub async fn revoke(&self, id: &PatId) -> Result<()> {
        let credential = self.credential().await?;
        let request = revoke::request(&self.inner.ctx, &credential, id)?;
        self.execute(request, |r, now| revoke::parse(r, id, now)).await
    }

    /// Whether `secret` currently works: a harmless `connectionData` call made *with* the PAT.
    /// `Ok(false)` when the service refuses it; an error when the answer says nothing either way
    /// (throttling, outage, network).
    pub async fn check_pat(&self, secret: &PatSecret) -> Result<bool> {
        let request = check::request(&self.inner.ctx, secret)?;
        self.execute(request, check::parse).await
    }
}
