use chrono::{DateTime, Utc};
use http::Method;

use crate::auth::AccessCredential;
use crate::azure::classify::{check_status, decode, pat_token_result};
use crate::azure::request::{RequestContext, build, json, lifecycle_authorization};
use crate::azure::wire::{CreateBody, PatTokenResultWire, format_datetime};
use crate::error::{Error, Result};
use crate::model::{CreatedPat, PatSpec};
use crate::transport::{HttpRequest, HttpResponse, Operation};

/// `POST …/_apis/tokens/pats` with a `PatTokenCreateRequest`.
pub(crate) fn request(ctx: &RequestContext, credential: &AccessCredential, spec: &PatSpec) -> Result<HttpRequest> {
    let body = CreateBody {
        display_name: &spec.display_name,
        scope: spec.scopes.to_string(),
        valid_to: spec.valid_to.map(format_datetime),
        all_orgs: spec.all_organizations,
    };
    build(Method::POST, ctx.pats_url(), Operation::Create, lifecycle_authorization(credential)?, Some(json(&body)?))
}

/// A `PatTokenResult` carrying the new token and its secret.
pub(crate) fn parse(response: &HttpResponse, now: DateTime<Utc>) -> Result<CreatedPat> {
    check_status(response, Operation::Create, now)?;
    let result: PatTokenResultWire = decode(response.body(), Operation::Create)?;
    let (metadata, secret) = pat_token_result(result, None)?.into_metadata("patToken")?;
    let secret = secret.ok_or_else(|| Error::Decode {
        path: "patToken.token".to_owned(),
        source: "the create response carried no token value".into(),
    })?;
    Ok(CreatedPat { metadata, secret })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::azure::pats::examples::*;
    use crate::azure::request::tests::{assert_common_headers, bearer, context};
    use crate::model::Targets;
    use crate::scope::Scopes;

    #[test]
    fn request_shape() {
        let spec = PatSpec {
            display_name: "new_token".into(),
            scopes: Scopes::parse("vso.code vso.work").unwrap(),
            valid_to: Some(example_valid_to()),
            all_organizations: false,
        };
        let request = request(&context(), &bearer(), &spec).unwrap();
        assert_eq!(request.method(), Method::POST);
        assert_eq!(request.uri(), "https://vssps.dev.azure.com/fabrikam/_apis/tokens/pats?api-version=7.1-preview.1");
        assert_common_headers(&request, Operation::Create);
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
            all_organizations: true,
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
        assert!(created.metadata.scopes.is_full_access());
        assert_eq!(
            created.metadata.targets,
            Targets::Organizations(vec!["38aaa865-2c70-4bf7-a308-0c6539c38c1a".into()])
        );
        assert_eq!(created.secret.expose_secret(), "dip55dwf4vpitomw63jzvomefmi2jluguprzwwqwuc6xq4fhocwq");
        assert!(!format!("{created:?}").contains("dip55dwf"));
    }

    #[test]
    fn a_success_without_a_token_is_a_decode_error() {
        let body = GET_RESPONSE; // same shape, token null
        assert!(matches!(parse(&ok(body), now()), Err(Error::Decode { path, .. }) if path == "patToken.token"));
    }
}
