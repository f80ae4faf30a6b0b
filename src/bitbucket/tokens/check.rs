//! Whether a token authenticates: a harmless read of what it belongs to with
//! `Authorization: Bearer <token>` (how tokens are used, §5.2): `GET /rest/api/latest/users/{slug}`
//! for a personal token, `…/projects/{key}` or `…/projects/{key}/repos/{slug}` for a project or
//! repository token.

use chrono::{DateTime, Utc};
use http::Method;

use crate::auth::AccessCredential;
use crate::bitbucket::classify::check;
use crate::bitbucket::request::RequestContext;
use crate::bitbucket::{BitbucketClient, TokenOwner, operations as op};
use crate::error::Result;
use crate::secret::{BearerToken, PatSecret};
use crate::transport::{HttpRequest, HttpResponse};

/// `GET …/rest/api/latest/{owner}` with the token as Bearer.
pub(crate) fn request(ctx: &RequestContext, owner: &TokenOwner, secret: &PatSecret) -> Result<HttpRequest> {
    let credential = AccessCredential::Bearer(BearerToken::new(secret.expose_secret().to_owned()));
    let op = if matches!(owner, TokenOwner::User(_)) { op::USER } else { op::RESOURCE };
    ctx.build(Method::GET, ctx.api_url(owner), op, &credential, None)
}

/// 2xx: it works; 401: refused (unknown, deleted or expired); anything else an error.
pub(crate) fn parse(response: &HttpResponse, now: DateTime<Utc>) -> Result<bool> {
    if response.status().as_u16() == 401 {
        return Ok(false);
    }
    check(response, op::USER, None, now).map(|()| true)
}

impl BitbucketClient {
    /// Whether `secret` authenticates at Bitbucket now: a read sent with the token as Bearer
    /// instead of the password, of the client's own user (personal tokens: any of them may read
    /// it) or of the project or repository the client manages tokens of.
    pub async fn check(&self, secret: &PatSecret) -> Result<bool> {
        let own = TokenOwner::User(self.user_slug().to_owned());
        let owner = if matches!(self.owner(), TokenOwner::User(_)) { &own } else { self.owner() };
        let request = request(self.ctx(), owner, secret)?;
        self.execute(request, parse).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitbucket::classify::tests::{now, respond};
    use crate::bitbucket::request::tests::{context, user};

    #[test]
    fn the_token_goes_as_bearer_and_401_means_refused() {
        let request = request(&context(), &user("ksmster"), &PatSecret::new("BBDC-secret".into())).unwrap();
        assert_eq!(request.uri(), "https://bitbucket.example/context/rest/api/latest/users/ksmster");
        assert_eq!(request.headers()["authorization"], "Bearer BBDC-secret");
        assert!(request.headers()["authorization"].is_sensitive());
        assert!(parse(&respond(200, "{}"), now()).unwrap());
        assert!(!parse(&respond(401, "{}"), now()).unwrap());
        assert!(parse(&respond(500, "{}"), now()).is_err());
        let project =
            super::request(&context(), &TokenOwner::Project("PRJ".into()), &PatSecret::new("x".into())).unwrap();
        assert_eq!(project.uri(), "https://bitbucket.example/context/rest/api/latest/projects/PRJ");
        assert_eq!(crate::transport::Operation::of(&project), Some(op::RESOURCE));
    }
}
