use crate::azure::classify::check_status;
use crate::azure::request::{RequestContext, build};
use crate::azure::{AzureDevOpsClient, operations as op};
use crate::error::{Error, Result};
use crate::secret::PatSecret;
use crate::transport::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use http::Method;

/// `GET {check base}/{org}/_apis/connectionData` authenticated *with the PAT* (Basic auth): a
/// harmless call that succeeds only while the token works.
pub(crate) fn request(ctx: &RequestContext, secret: &PatSecret) -> Result<HttpRequest> {
    let url = ctx.url(&ctx.check_base_url, &["_apis", "connectionData"], &ctx.pat_api_version);
    build(Method::GET, url, op::CHECK_TOKEN, (http::header::AUTHORIZATION, secret.basic_authorization()), None)
}

/// `true` on 2xx; `false` when the service refuses the token (401, 403, a sign-in page or a
/// redirect); an error for anything else (throttling, outages), since then nothing is known.
pub(crate) fn parse(response: &HttpResponse, now: DateTime<Utc>) -> Result<bool> {
    match check_status(response, op::CHECK_TOKEN, now) {
        Ok(()) => Ok(true),
        Err(Error::AuthRequired { .. } | Error::Forbidden { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

impl AzureDevOpsClient {
    /// Whether `secret` currently works: a harmless `connectionData` call made *with* the PAT.
    /// `Ok(false)` when the service refuses it; an error when the answer says nothing either way
    /// (throttling, outage, network).
    pub async fn check_pat(&self, secret: &PatSecret) -> Result<bool> {
        let request = request(&self.inner.ctx, secret)?;
        self.execute(request, parse).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::azure::pats::examples::*;
    use crate::azure::request::tests::context;

    #[test]
    fn request_uses_basic_auth_on_the_check_host() {
        let request = request(&context(), &PatSecret::new("abc".into())).unwrap();
        assert_eq!(request.uri(), "https://dev.azure.com/fabrikam/_apis/connectionData?api-version=7.1-preview.1");
        assert_eq!(request.headers()["authorization"], "Basic OmFiYw==");
        assert!(request.headers()["authorization"].is_sensitive());
    }

    #[test]
    fn answers() {
        assert!(parse(&ok("{}"), now()).unwrap());
        assert!(!parse(&empty(401), now()).unwrap());
        assert!(!parse(&empty(203), now()).unwrap());
        assert!(parse(&empty(503), now()).is_err());
    }
}
