use chrono::{DateTime, Utc};
use http::Method;

use crate::auth::AccessCredential;
use crate::azure::classify::{check_status, decode, pat_token_result};
use crate::azure::operations as op;
use crate::azure::request::{RequestContext, build, json, lifecycle_authorization};
use crate::azure::targets::requested_all_orgs;
use crate::azure::wire::{PatTokenResultWire, UpdateBody, format_datetime};
use crate::error::Result;
use crate::model::{PatChanges, PatId, PatMetadata};
use crate::transport::{HttpRequest, HttpResponse};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::azure::PatTokenError;
    use crate::azure::Targets;
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
