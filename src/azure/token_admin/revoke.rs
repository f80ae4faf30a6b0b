use super::{MAX_REVOCATIONS_PER_REQUEST, TokenAdmin};
use crate::auth::AccessCredential;
use crate::azure::classify::check_status;
use crate::azure::operations as op;
use crate::azure::request::{RequestContext, build, json};
use crate::azure::wire::RevocationWire;
use crate::error::{Error, Result};
use crate::model::PatId;
use crate::transport::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use http::Method;

/// `POST …/_apis/tokenadmin/revocations` with a JSON array of `{authorizationId}`.
pub(crate) fn request(ctx: &RequestContext, credential: &AccessCredential, ids: &[PatId]) -> Result<HttpRequest> {
    if ids.is_empty() {
        return Err(Error::invalid_input("authorization_ids", "at least one id is required"));
    }
    let body: Vec<RevocationWire<'_>> = ids.iter().map(|id| RevocationWire { authorization_id: id.as_str() }).collect();
    let mut url = ctx.admin_url(&["revocations"]);
    url.append_pair("isPublic", "false");
    build(Method::POST, url, op::ADMIN_REVOKE, credential.to_header(), Some(json(&body)?))
}

/// 204 (or any 2xx).
pub(crate) fn parse(response: &HttpResponse, now: DateTime<Utc>) -> Result<()> {
    check_status(response, op::ADMIN_REVOKE, now)
}

impl TokenAdmin {
    /// Revokes these authorizations (any user's), in batches of
    /// [`MAX_REVOCATIONS_PER_REQUEST`](crate::azure::MAX_REVOCATIONS_PER_REQUEST). Returns after
    /// the last batch; on an error, earlier batches stay revoked.
    pub async fn revoke(&self, ids: &[PatId]) -> Result<()> {
        for batch in ids.chunks(MAX_REVOCATIONS_PER_REQUEST) {
            let credential = self.client.credential().await?;
            let request = request(&self.client.inner.ctx, &credential, batch)?;
            self.client.execute(request, parse).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::azure::pats::examples::{empty, now};
    use crate::azure::request::tests::{assert_common_headers, bearer, context};

    #[test]
    fn request_shape() {
        let ids =
            [PatId::new("532c7fe6-74f8-408b-8051-4abb73dca491"), PatId::new("ce6a72ed-051f-41cd-8d7b-5a67c46748eb")];
        let request = request(&context(), &bearer(), &ids).unwrap();
        assert_eq!(request.method(), Method::POST);
        assert_eq!(
            request.uri(),
            "https://vssps.dev.azure.com/fabrikam/_apis/tokenadmin/revocations?api-version=7.1&isPublic=false"
        );
        assert_common_headers(&request, op::ADMIN_REVOKE);
        let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!([{"authorizationId": "532c7fe6-74f8-408b-8051-4abb73dca491"}, {"authorizationId": "ce6a72ed-051f-41cd-8d7b-5a67c46748eb"}])
        );
        assert!(super::request(&context(), &bearer(), &[]).is_err());
    }

    #[test]
    fn answers() {
        assert!(parse(&empty(204), now()).is_ok());
        assert!(matches!(parse(&empty(401), now()), Err(Error::AuthRequired { .. })));
        assert!(matches!(parse(&empty(400), now()), Err(Error::Api { status: 400, .. })));
    }
}
