use crate::auth::AccessCredential;
use crate::azure::classify::{check_status, decode, pat_token_result};
use crate::azure::request::{RequestContext, build, json, lifecycle_authorization};
use crate::azure::targets::requested_all_orgs;
use crate::azure::wire::{PatTokenResultWire, UpdateBody, format_datetime};
use crate::azure::{AzureDevOpsClient, Targets, operations as op, validate};
use crate::error::{Error, Result};
use crate::model::{PatChanges, PatId, PatMetadata, chrono_delta};
use crate::scope::Scopes;
use crate::transport::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use http::Method;
use std::time::Duration;

/// `PUT …/_apis/tokens/pats` with a `PatTokenUpdateRequest`; omitted fields keep their values.
pub(crate) fn request(
    ctx: &RequestContext,
    credential: &AccessCredential,
    id: &PatId,
    changes: &PatChanges,
) -> Result<HttpRequest> {
    let body = UpdateBody {
        authorization_id: id.as_str(),
        display_name: changes.display_name.as_deref(),
        scope: changes.scopes.as_ref().map(ToString::to_string),
        valid_to: changes.valid_to.map(format_datetime),
        all_orgs: requested_all_orgs(&changes.extras, &ctx.organization)?,
    };
    build(Method::PUT, ctx.pats_url(), op::UPDATE, lifecycle_authorization(credential)?, Some(json(&body)?))
}

/// A `PatTokenResult` without a secret (the service never re-issues the value on update).
pub(crate) fn parse(response: &HttpResponse, id: &PatId, now: DateTime<Utc>) -> Result<PatMetadata> {
    check_status(response, op::UPDATE, now)?;
    let result: PatTokenResultWire = decode(response.body(), op::UPDATE)?;
    Ok(pat_token_result(result, Some(id))?.into_metadata("patToken")?.0)
}

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
        let request = request(&self.inner.ctx, &credential, id, &changes)?;
        self.execute(request, |r, now| parse(r, id, now)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::azure::PatTokenError;
    use crate::azure::pats::examples::*;
    use crate::azure::request::tests::{assert_common_headers, bearer, context};
    use crate::error::Error;
    use crate::extras::Extras;
    use crate::scope::Scopes;

    fn id() -> PatId {
        PatId::new("3d3aca0c-9ad3-4b07-8334-08ec8b1ddc32")
    }

    #[test]
    fn request_shape_full_and_partial() {
        let changes = PatChanges {
            display_name: Some("updated_token".into()),
            scopes: Some(Scopes::parse("vso.analytics").unwrap()),
            valid_to: Some(example_valid_to()),
            extras: Extras::new().with("targets", "*"),
        };
        let request = request(&context(), &bearer(), &id(), &changes).unwrap();
        assert_eq!(request.method(), Method::PUT);
        assert_eq!(request.uri(), "https://vssps.dev.azure.com/fabrikam/_apis/tokens/pats?api-version=7.1-preview.1");
        assert_common_headers(&request, op::UPDATE);
        let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"authorizationId": "3d3aca0c-9ad3-4b07-8334-08ec8b1ddc32", "displayName": "updated_token", "scope": "vso.analytics", "validTo": "2020-12-01T23:46:23.319Z", "allOrgs": true})
        );
        let only_expiry = PatChanges { valid_to: Some(example_valid_to()), ..PatChanges::default() };
        let body: serde_json::Value =
            serde_json::from_slice(super::request(&context(), &bearer(), &id(), &only_expiry).unwrap().body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"authorizationId": "3d3aca0c-9ad3-4b07-8334-08ec8b1ddc32", "validTo": "2020-12-01T23:46:23.319Z"})
        );
    }

    #[test]
    fn parses_the_spec_example() {
        let meta = parse(&ok(UPDATE_RESPONSE), &id(), now()).unwrap();
        assert_eq!(meta.display_name, "updated_token");
        assert_eq!(Targets::of(&meta), Some(Targets::AllOrganizations));
    }

    #[test]
    fn revoked_tokens_cannot_be_updated() {
        match parse(&ok(r#"{"patToken":null,"patTokenError":"invalidToken"}"#), &id(), now()) {
            Err(e @ Error::Rejected { .. }) => assert_eq!(PatTokenError::of(&e), Some(PatTokenError::InvalidToken)),
            other => panic!("{other:?}"),
        }
    }
}
