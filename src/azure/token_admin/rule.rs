use super::TokenAdmin;
use crate::auth::AccessCredential;
use crate::azure::classify::check_status;
use crate::azure::request::{RequestContext, build, json};
use crate::azure::wire::{RevocationRuleWire, format_datetime};
use crate::azure::{operations as op, validate};
use crate::error::Result;
use crate::scope::Scopes;
use crate::transport::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use http::Method;

/// `POST …/_apis/tokenadmin/revocationrules`: revoke every credential issued before
/// `created_before` (default: now, at the service) that has ANY of `scopes`.
pub(crate) fn request(
    ctx: &RequestContext,
    credential: &AccessCredential,
    scopes: &Scopes,
    created_before: Option<DateTime<Utc>>,
) -> Result<HttpRequest> {
    validate::scopes(scopes)?;
    let body = RevocationRuleWire { scopes: scopes.to_string(), created_before: created_before.map(format_datetime) };
    build(
        Method::POST,
        ctx.admin_url(&["revocationrules"]),
        op::ADMIN_CREATE_REVOCATION_RULE,
        credential.to_header(),
        Some(json(&body)?),
    )
}

/// 201 (or any 2xx).
pub(crate) fn parse(response: &HttpResponse, now: DateTime<Utc>) -> Result<()> {
    check_status(response, op::ADMIN_CREATE_REVOCATION_RULE, now)
}

impl TokenAdmin {
    /// Creates a revocation rule: every credential issued before `created_before` (default: now,
    /// at the service) that has ANY of `scopes` is revoked.
    pub async fn create_revocation_rule(&self, scopes: &Scopes, created_before: Option<DateTime<Utc>>) -> Result<()> {
        let credential = self.client.credential().await?;
        let request = request(&self.client.inner.ctx, &credential, scopes, created_before)?;
        self.client.execute(request, parse).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::azure::pats::examples::{empty, now};
    use crate::azure::request::tests::{assert_common_headers, bearer, context};
    use chrono::TimeZone;

    #[test]
    fn request_shape() {
        let before = Utc.with_ymd_and_hms(2018, 7, 18, 7, 51, 26).unwrap();
        let request =
            request(&context(), &bearer(), &Scopes::parse("vso.code vso.packaging").unwrap(), Some(before)).unwrap();
        assert_eq!(request.method(), Method::POST);
        assert_eq!(
            request.uri(),
            "https://vssps.dev.azure.com/fabrikam/_apis/tokenadmin/revocationrules?api-version=7.1"
        );
        assert_common_headers(&request, op::ADMIN_CREATE_REVOCATION_RULE);
        let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"scopes": "vso.code vso.packaging", "createdBefore": "2018-07-18T07:51:26.000Z"})
        );
        assert!(super::request(&context(), &bearer(), &Scopes::default(), None).is_err());
    }

    #[test]
    fn answers() {
        assert!(parse(&empty(201), now()).is_ok());
        assert!(parse(&empty(401), now()).is_err());
    }
}
