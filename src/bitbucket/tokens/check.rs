//! Whether a token authenticates: `GET /rest/api/latest/users/{userSlug}` with
//! `Authorization: Bearer <token>` (how tokens are used, §5.2), a harmless read.

use chrono::{DateTime, Utc};
use http::Method;

use crate::auth::AccessCredential;
use crate::bitbucket::classify::check;
use crate::bitbucket::request::RequestContext;
use crate::bitbucket::{BitbucketClient, operations as op};
use crate::error::Result;
use crate::secret::{BearerToken, PatSecret};
use crate::transport::{HttpRequest, HttpResponse};

/// `GET …/rest/api/latest/users/{slug}` with the token as Bearer.
pub(crate) fn request(ctx: &RequestContext, slug: &str, secret: &PatSecret) -> Result<HttpRequest> {
    let credential = AccessCredential::Bearer(BearerToken::new(secret.expose_secret().to_owned()));
    ctx.build(Method::GET, ctx.user_url(slug), op::USER, &credential, None)
}

/// 2xx: it works; 401: refused (unknown, deleted or expired); anything else an error.
pub(crate) fn parse(response: &HttpResponse, now: DateTime<Utc>) -> Result<bool> {
    if response.status().as_u16() == 401 {
        return Ok(false);
    }
    check(response, op::USER, None, now).map(|()| true)
}

impl BitbucketClient {
    /// Whether `secret` authenticates at Bitbucket now (a read of the client's user, sent with
    /// the token as Bearer instead of the password).
    pub async fn check(&self, secret: &PatSecret) -> Result<bool> {
        let request = request(self.ctx(), &self.inner.own_slug, secret)?;
        self.execute(request, parse).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitbucket::classify::tests::{now, respond};
    use crate::bitbucket::request::tests::context;

    #[test]
    fn the_token_goes_as_bearer_and_401_means_refused() {
        let request = request(&context(), "ksmster", &PatSecret::new("BBDC-secret".into())).unwrap();
        assert_eq!(request.uri(), "https://bitbucket.example/context/rest/api/latest/users/ksmster");
        assert_eq!(request.headers()["authorization"], "Bearer BBDC-secret");
        assert!(request.headers()["authorization"].is_sensitive());
        assert!(parse(&respond(200, "{}"), now()).unwrap());
        assert!(!parse(&respond(401, "{}"), now()).unwrap());
        assert!(parse(&respond(500, "{}"), now()).is_err());
    }
}
