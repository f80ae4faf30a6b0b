use chrono::{DateTime, Utc};
use http::Method;
use serde::Deserialize;

use crate::auth::AccessCredential;
use crate::azure::classify::{check_status, decode, pat_token_result};
use crate::azure::operations as op;
use crate::azure::request::{RequestContext, build, json, lifecycle_authorization};
use crate::azure::targets::requested_all_orgs;
use crate::azure::wire::{CreateBody, PatTokenResultWire, format_datetime};
use crate::error::{Error, Result};
use crate::model::{CreatedPat, PatId, PatSpec};
use crate::transport::{HttpRequest, HttpResponse};

/// `POST …/_apis/tokens/pats` with a `PatTokenCreateRequest`.
pub(crate) fn request(ctx: &RequestContext, credential: &AccessCredential, spec: &PatSpec) -> Result<HttpRequest> {
    let body = CreateBody {
        display_name: &spec.display_name,
        scope: spec.scopes.to_string(),
        valid_to: spec.valid_to.map(format_datetime),
        all_orgs: requested_all_orgs(&spec.extras, &ctx.organization)?.unwrap_or(false),
    };
    build(Method::POST, ctx.pats_url(), op::CREATE, lifecycle_authorization(credential)?, Some(json(&body)?))
}

/// A `PatTokenResult` carrying the new token and its secret.
pub(crate) fn parse(response: &HttpResponse, now: DateTime<Utc>) -> Result<CreatedPat> {
    check_status(response, op::CREATE, now)?;
    let result: PatTokenResultWire = decode(response.body(), op::CREATE)?;
    let (metadata, secret) = pat_token_result(result, None)?.into_metadata("patToken")?;
    let secret = secret.ok_or_else(|| Error::Decode {
        path: "patToken.token".to_owned(),
        source: "the create response carried no token value".into(),
    })?;
    Ok(CreatedPat { metadata, secret })
}

/// The longest `authorizationId` [`minted_id`] takes for an id (the service's are 36-character
/// GUIDs); anything longer is not one and must not grow an error.
const MAX_ID_BYTES: usize = 128;

/// The id of the token a create answer names, read leniently from a body [`parse`] refused (a
/// field of the token broken or missing, or no secret): only `patToken.authorizationId` has to
/// decode. Never reads the secret into anything.
pub(crate) fn minted_id(response: &HttpResponse) -> Option<PatId> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Minted {
        #[serde(default)]
        pat_token: Option<MintedToken>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct MintedToken {
        #[serde(default)]
        authorization_id: Option<String>,
    }
    if !response.status().is_success() {
        return None;
    }
    let minted: Minted = serde_json::from_slice(response.body()).ok()?;
    let id = minted.pat_token?.authorization_id?;
    let plausible = !id.is_empty() && id.len() <= MAX_ID_BYTES && !id.chars().any(char::is_control);
    plausible.then(|| PatId::new(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::azure::Targets;
    use crate::azure::pats::examples::*;
    use crate::azure::request::tests::{assert_common_headers, bearer, context};
    use crate::extras::Extras;
    use crate::scope::Scopes;

    #[test]
    fn request_shape() {
        let spec = PatSpec {
            display_name: "new_token".into(),
            scopes: Scopes::parse("vso.code vso.work").unwrap(),
            valid_to: Some(example_valid_to()),
            extras: Extras::new(),
        };
        let request = request(&context(), &bearer(), &spec).unwrap();
        assert_eq!(request.method(), Method::POST);
        assert_eq!(request.uri(), "https://vssps.dev.azure.com/fabrikam/_apis/tokens/pats?api-version=7.1-preview.1");
        assert_common_headers(&request, op::CREATE);
        assert_eq!(request.headers()["content-type"], "application/json");
        let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"displayName": "new_token", "scope": "vso.code vso.work", "validTo": "2020-12-01T23:46:23.319Z", "allOrgs": false})
        );
    }

    #[test]
    fn omitted_expiry_is_not_sent() {
        let spec = PatSpec {
            display_name: "n".into(),
            scopes: Scopes::parse("app_token").unwrap(),
            valid_to: None,
            extras: Extras::new().with("targets", "*"),
        };
        let body: serde_json::Value =
            serde_json::from_slice(request(&context(), &bearer(), &spec).unwrap().body()).unwrap();
        assert_eq!(body, serde_json::json!({"displayName": "n", "scope": "app_token", "allOrgs": true}));
    }

    #[test]
    fn parses_the_spec_example() {
        let created = parse(&ok(CREATE_RESPONSE), now()).unwrap();
        assert_eq!(created.metadata.id.as_str(), "4ab5764f-4193-4f1d-b995-64144880b7d7");
        assert_eq!(created.metadata.display_name, "new_token");
        assert!(crate::azure::scopes::is_full_access(&created.metadata.scopes));
        assert_eq!(
            Targets::of(&created.metadata),
            Some(Targets::Organizations(vec!["38aaa865-2c70-4bf7-a308-0c6539c38c1a".into()]))
        );
        assert_eq!(created.secret.expose_secret(), "dip55dwf4vpitomw63jzvomefmi2jluguprzwwqwuc6xq4fhocwq");
        assert!(!format!("{created:?}").contains("dip55dwf"));
    }

    #[test]
    fn the_minted_id_is_read_from_a_body_that_does_not_parse() {
        let broken = r#"{"patToken":{"authorizationId":"4ab5764f","token":"s3cret","validTo":12}}"#;
        assert!(parse(&ok(broken), now()).is_err());
        assert_eq!(minted_id(&ok(broken)).unwrap().as_str(), "4ab5764f");
        assert_eq!(minted_id(&ok(GET_RESPONSE)).unwrap().as_str(), "3d3aca0c-9ad3-4b07-8334-08ec8b1ddc32");
        let long = format!(r#"{{"patToken":{{"authorizationId":"{}"}}}}"#, "x".repeat(MAX_ID_BYTES + 1));
        for unreadable in
            ["{\"patToken\":{\"authorizationId\":", "{\"patToken\":{\"authorizationId\":7}}", "[]", long.as_str()]
        {
            assert!(minted_id(&ok(unreadable)).is_none(), "{unreadable}");
        }
    }

    #[test]
    fn a_success_without_a_token_is_a_decode_error() {
        let body = GET_RESPONSE; // same shape, token null
        assert!(matches!(parse(&ok(body), now()), Err(Error::Decode { path, .. }) if path == "patToken.token"));
    }
}
