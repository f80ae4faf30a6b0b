//! `DELETE /rest/access-tokens/1.0/users/{userSlug}/{tokenId}`: a hard delete (204).

use chrono::{DateTime, Utc};
use http::Method;

use crate::auth::AccessCredential;
use crate::bitbucket::classify::check;
use crate::bitbucket::request::{RequestContext, token_id};
use crate::bitbucket::{BitbucketClient, TokenOwner, operations as op};
use crate::error::Result;
use crate::model::PatId;
use crate::transport::{HttpRequest, HttpResponse};

/// `DELETE …/{owner}/{id}`.
pub(crate) fn request(
    ctx: &RequestContext,
    credential: &AccessCredential,
    owner: &TokenOwner,
    id: &PatId,
) -> Result<HttpRequest> {
    let id = token_id(id)?;
    ctx.build(Method::DELETE, ctx.tokens_url(owner, Some(id)), op::TOKEN_DELETE, credential, None)
}

/// 204 (any 2xx) means deleted; 404 is [`NotFound`](crate::Error::NotFound).
pub(crate) fn parse(response: &HttpResponse, id: &PatId, now: DateTime<Utc>) -> Result<()> {
    check(response, op::TOKEN_DELETE, Some(id), now)
}

impl BitbucketClient {
    /// Deletes a token (Bitbucket keeps nothing of it). An unknown or already deleted id is
    /// [`Error::NotFound`](crate::Error::NotFound): Bitbucket answers 404, and a delete whose
    /// answer was lost and was re-sent by the retry decorator ends the same way.
    pub async fn delete(&self, id: &PatId) -> Result<()> {
        let credential = self.credential().await?;
        let request = request(self.ctx(), &credential, self.owner(), id)?;
        match self.execute(request, |r, now| parse(r, id, now)).await {
            Err(e) => Err(self.forbidden_if_password_works(e).await),
            ok => ok,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;
    use crate::bitbucket::classify::tests::{now, respond};
    use crate::bitbucket::request::tests::{assert_common, context, password, user};

    #[test]
    fn request_shape_and_answers() {
        let id = PatId::new("075905477751");
        let request = request(&context(), &password(), &user("john.doe"), &id).unwrap();
        assert_eq!(request.method(), Method::DELETE);
        assert_eq!(
            request.uri(),
            "https://bitbucket.example/context/rest/access-tokens/1.0/users/john.doe/075905477751"
        );
        assert!(request.body().is_empty());
        assert_common(&request, op::TOKEN_DELETE);
        assert!(parse(&respond(204, ""), &id, now()).is_ok());
        assert!(matches!(parse(&respond(404, r#"{"errors":[]}"#), &id, now()), Err(Error::NotFound { .. })));
    }
}
