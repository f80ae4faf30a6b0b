use crate::auth::AccessCredential;
use crate::azure::classify::{check_status, decode, pat_token_result};
use crate::azure::request::{RequestContext, build, lifecycle_authorization};
use crate::azure::wire::PatTokenResultWire;
use crate::azure::{AzureDevOpsClient, operations as op};
use crate::error::Result;
use crate::model::{PatId, PatMetadata};
use crate::transport::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use http::Method;

/// `GET …/_apis/tokens/pats?authorizationId=…`.
pub(crate) fn request(ctx: &RequestContext, credential: &AccessCredential, id: &PatId) -> Result<HttpRequest> {
    let mut url = ctx.pats_url();
    url.append_pair("authorizationId", id.as_str());
    build(Method::GET, url, op::GET, lifecycle_authorization(credential)?, None)
}

/// A `PatTokenResult` without a secret.
pub(crate) fn parse(response: &HttpResponse, id: &PatId, now: DateTime<Utc>) -> Result<PatMetadata> {
    check_status(response, op::GET, now)?;
    let result: PatTokenResultWire = decode(response.body(), op::GET)?;
    // The service sends `token: null` here; should it ever send one, it is dropped unread.
    Ok(pat_token_result(result, Some(id))?.into_metadata("patToken")?.0)
}

impl AzureDevOpsClient {
    /// One of the caller's tokens, by id. Unknown or foreign ids are [`Error::NotFound`](crate::Error::NotFound).
    pub async fn get(&self, id: &PatId) -> Result<PatMetadata> {
        let credential = self.credential().await?;
        let request = request(&self.inner.ctx, &credential, id)?;
        self.execute(request, |r, now| parse(r, id, now)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;
    use crate::azure::pats::examples::*;
    use crate::azure::request::tests::{assert_common_headers, bearer, context};

    #[test]
    fn request_shape() {
        let id = PatId::new("cf42cc9f-f170-4375-92ba-c13d58a6545f");
        let request = request(&context(), &bearer(), &id).unwrap();
        assert_eq!(request.method(), Method::GET);
        assert_eq!(
            request.uri(),
            "https://vssps.dev.azure.com/fabrikam/_apis/tokens/pats?api-version=7.1-preview.1&authorizationId=cf42cc9f-f170-4375-92ba-c13d58a6545f"
        );
        assert_common_headers(&request, op::GET);
        assert!(request.body().is_empty());
    }

    #[test]
    fn parses_the_spec_example() {
        let id = PatId::new("3d3aca0c-9ad3-4b07-8334-08ec8b1ddc32");
        let meta = parse(&ok(GET_RESPONSE), &id, now()).unwrap();
        assert_eq!(meta.display_name, "analytics_token");
        assert_eq!(meta.scopes.to_string(), "vso.analytics");
        assert_eq!(meta.valid_from.to_rfc3339(), "2020-10-29T17:26:46.720+00:00");
    }

    #[test]
    fn not_found_in_a_200_body() {
        let id = PatId::new("cf42cc9f-f170-4375-92ba-c13d58a6545f");
        match parse(&ok(r#"{"patToken":null,"patTokenError":"tokenNotFound"}"#), &id, now()) {
            Err(Error::NotFound { id: Some(got) }) => assert_eq!(got, id),
            other => panic!("{other:?}"),
        }
    }
}
