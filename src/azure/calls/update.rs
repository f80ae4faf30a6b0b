use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::azure::pats::update;
use crate::azure::targets::requested_all_orgs;
use crate::azure::{AzureDevOpsClient, Targets, validate};
use crate::error::{Error, Result};
use crate::model::{PatChanges, PatId, PatMetadata, chrono_delta};
use crate::scope::Scopes;

/// An update being prepared; from [`AzureDevOpsClient::update`]. Fields not set keep their
/// values. Send it with [`UpdatePat::send`].
#[derive(Debug)]
#[must_use = "an update does nothing until `.send()` is awaited"]
pub struct UpdatePat {
    client: AzureDevOpsClient,
    id: PatId,
    changes: PatChanges,
}

impl AzureDevOpsClient {
    /// Prepares a change to token `id` (rename, rescope, new expiry).
    pub fn update(&self, id: &PatId) -> UpdatePat {
        UpdatePat { client: self.clone(), id: id.clone(), changes: PatChanges::default() }
    }

    /// Sets the token's expiry to `valid_to` (in the future, within the maximum lifespan).
    /// To stop a token now, [`revoke`](Self::revoke) it.
    pub async fn expire_at(&self, id: &PatId, valid_to: DateTime<Utc>) -> Result<PatMetadata> {
        self.update(id).expires_at(valid_to).send().await
    }

    /// Moves the token's expiry `by` later than it is now. Reads the token first; the new expiry
    /// must still lie within the maximum lifespan from now. Expired tokens may be refused by the
    /// service (`expiredPatCannotBeExtended`).
    pub async fn extend(&self, id: &PatId, by: Duration) -> Result<PatMetadata> {
        let current = self.get(id).await?;
        // Every Azure DevOps token has an expiry; `None` would only come from a broken answer.
        let base = current.valid_to.unwrap_or_default().max(self.now());
        self.expire_at(id, base + chrono_delta(by)).await
    }
}

impl UpdatePat {
    /// A new display name.
    pub fn display_name(mut self, name: impl Into<String>) -> Self {
        self.changes.display_name = Some(name.into());
        self
    }

    /// New scopes (replacing the old ones).
    pub fn scopes(mut self, scopes: Scopes) -> Self {
        self.changes.scopes = Some(scopes);
        self
    }

    /// A new expiry.
    pub fn expires_at(mut self, valid_to: DateTime<Utc>) -> Self {
        self.changes.valid_to = Some(valid_to);
        self
    }

    /// Make the token global (`true`; discouraged, see
    /// [`CreatePat::all_organizations`](crate::azure::CreatePat::all_organizations)) or bound to
    /// this organization (`false`).
    pub fn all_organizations(mut self, global: bool) -> Self {
        let value = if global { "*".to_owned() } else { self.client.organization().to_owned() };
        self.changes.extras.insert(Targets::EXTRA, value);
        self
    }

    /// Checks the input, then sends the update.
    pub async fn send(self) -> Result<PatMetadata> {
        self.client.update_with(&self.id, self.changes).await
    }
}

impl AzureDevOpsClient {
    pub(crate) async fn update_with(&self, id: &PatId, changes: PatChanges) -> Result<PatMetadata> {
        if changes.is_empty() {
            return Err(Error::invalid_input("changes", "nothing to update"));
        }
        if let Some(name) = &changes.display_name {
            validate::display_name(name)?;
        }
        if let Some(scopes) = &changes.scopes {
            validate::scopes(scopes)?;
        }
        if let Some(valid_to) = changes.valid_to {
            validate::expiry(valid_to, self.now(), self.inner.max_lifespan)?;
        }
        requested_all_orgs(&changes.extras, &self.inner.ctx.organization)?;
        let credential = self.credential().await?;
        let request = update::request(&self.inner.ctx, &credential, id, &changes)?;
        self.execute(request, |r, now| update::parse(r, id, now)).await
    }
}
