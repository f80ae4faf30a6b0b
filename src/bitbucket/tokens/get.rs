//! `GET /rest/access-tokens/1.0/users/{userSlug}/{tokenId}`.

use chrono::{DateTime, Utc};
use http::Method;

use crate::auth::AccessCredential;
use crate::bitbucket::classify::{check, decode};
use crate::bitbucket::request::{RequestContext, token_id};
use crate::bitbucket::wire::TokenWire;
use crate::bitbucket::{BitbucketClient, BitbucketToken, TokenOwner, operations as op};
use crate::error::Result;
use crate::model::PatId;
use crate::transport::{HttpRequest, HttpResponse};

/// `GET …/{owner}/{id}`; an id that is no digit string is [`NotFound`](crate::Error::NotFound) before sending.
pub(crate) fn request(
    ctx: &RequestContext,
    credential: &AccessCredential,
    owner: &TokenOwner,
    id: &PatId,
) -> Result<HttpRequest> {
    let id = token_id(id)?;
    ctx.build(Method::GET, ctx.tokens_url(owner, Some(id)), op::TOKEN_GET, credential, None)
}

/// One token (a `token` field, should one appear, is dropped unread).
pub(crate) fn parse(response: &HttpResponse, id: &PatId, now: DateTime<Utc>) -> Result<BitbucketToken> {
    check(response, op::TOKEN_GET, Some(id), now)?;
    Ok(decode::<TokenWire>(response, op::TOKEN_GET)?.into_token()?.0)
}

impl BitbucketClient {
    /// One token by id. An unknown id is [`Error::NotFound`](crate::Error::NotFound) (Bitbucket: 404).
    pub async fn get(&self, id: &PatId) -> Result<BitbucketToken> {
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
    use crate::bitbucket::wire::examples::CREATED;

    #[test]
    fn request_shape_and_answers() {
        let id = PatId::new("075905477751");
        let request = request(&context(), &password(), &user("john.doe"), &id).unwrap();
        assert_eq!(request.method(), Method::GET);
        assert_eq!(
            request.uri(),
            "https://bitbucket.example/context/rest/access-tokens/1.0/users/john.doe/075905477751"
        );
        assert_common(&request, op::TOKEN_GET);
        let token = parse(&respond(200, CREATED), &id, now()).unwrap();
        assert!(!format!("{token:?}").contains("\"token\""));
        assert!(matches!(
            parse(&respond(404, r#"{"errors":[{"message":"gone"}]}"#), &id, now()),
            Err(Error::NotFound { .. })
        ));
        assert!(matches!(
            super::request(&context(), &password(), &user("j"), &PatId::new("x")),
            Err(Error::NotFound { .. })
        ));
    }
}
