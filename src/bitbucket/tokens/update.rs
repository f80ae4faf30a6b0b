//! `POST /rest/access-tokens/1.0/users/{userSlug}/{tokenId}`: name and permissions. Expiry can
//! never change (§5.3), so there is no field for it.

use chrono::{DateTime, Utc};
use http::Method;
use serde::Serialize;

use crate::auth::AccessCredential;
use crate::bitbucket::classify::{check, decode};
use crate::bitbucket::request::{RequestContext, json, token_id};
use crate::bitbucket::tokens::create::check_name;
use crate::bitbucket::wire::TokenWire;
use crate::bitbucket::{BitbucketClient, BitbucketToken, TokenOwner, operations as op, permissions};
use crate::error::{Error, Result};
use crate::model::PatId;
use crate::scope::Scopes;
use crate::transport::{HttpRequest, HttpResponse};

/// What an update changes; `None` keeps the current value. There is no expiry: Bitbucket fixes
/// it at creation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenChanges {
    /// A new `name`.
    pub name: Option<String>,
    /// New `permissions` (checked by [`permissions::check`]).
    pub permissions: Option<Scopes>,
}

impl TokenChanges {
    /// Renames the token.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Replaces its permissions.
    pub fn permissions(mut self, permissions: Scopes) -> Self {
        self.permissions = Some(permissions);
        self
    }
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    permissions: Option<Vec<&'a str>>,
}

/// `POST …/{owner}/{id}` with `{name?, permissions?}`; bad input (or nothing to change)
/// refused before sending.
pub(crate) fn request(
    ctx: &RequestContext,
    credential: &AccessCredential,
    owner: &TokenOwner,
    id: &PatId,
    changes: &TokenChanges,
) -> Result<HttpRequest> {
    let id = token_id(id)?;
    if changes.name.is_none() && changes.permissions.is_none() {
        return Err(Error::invalid_input("changes", "nothing to change (a Bitbucket update sets name or permissions)"));
    }
    if let Some(name) = &changes.name {
        check_name(name)?;
    }
    if let Some(p) = &changes.permissions {
        permissions::check_for(owner, p)?;
    }
    let body = json(&Body {
        name: changes.name.as_deref(),
        permissions: changes.permissions.as_ref().map(|p| p.iter().map(|s| s.as_str()).collect()),
    })?;
    ctx.build(Method::POST, ctx.tokens_url(owner, Some(id)), op::TOKEN_UPDATE, credential, Some(body))
}

/// The updated token.
pub(crate) fn parse(response: &HttpResponse, id: &PatId, now: DateTime<Utc>) -> Result<BitbucketToken> {
    check(response, op::TOKEN_UPDATE, Some(id), now)?;
    Ok(decode::<TokenWire>(response, op::TOKEN_UPDATE)?.into_token()?.0)
}

impl BitbucketClient {
    /// Renames a token and/or replaces its permissions; answers the new metadata. An unknown id
    /// is [`Error::NotFound`].
    pub async fn update(&self, id: &PatId, changes: &TokenChanges) -> Result<BitbucketToken> {
        let credential = self.credential().await?;
        let request = request(self.ctx(), &credential, self.owner(), id, changes)?;
        match self.execute(request, |r, now| parse(r, id, now)).await {
            Err(e) => Err(self.forbidden_if_password_works(e).await),
            ok => ok,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitbucket::classify::tests::{now, respond};
    use crate::bitbucket::request::tests::{assert_common, context, password, user};
    use crate::bitbucket::wire::examples::CREATED;

    #[test]
    fn request_shape_is_the_sheets() {
        let id = PatId::new("075905477751");
        let changes = TokenChanges::default().name("new name").permissions(Scopes::parse("REPO_READ").unwrap());
        let request = request(&context(), &password(), &user("john.doe"), &id, &changes).unwrap();
        assert_eq!(request.method(), Method::POST);
        assert_eq!(
            request.uri(),
            "https://bitbucket.example/context/rest/access-tokens/1.0/users/john.doe/075905477751"
        );
        assert_eq!(request.body(), br#"{"name":"new name","permissions":["REPO_READ"]}"#);
        assert_common(&request, op::TOKEN_UPDATE);
        let rename =
            super::request(&context(), &password(), &user("j"), &id, &TokenChanges::default().name("x")).unwrap();
        assert_eq!(rename.body(), br#"{"name":"x"}"#);
        assert!(matches!(
            super::request(&context(), &password(), &user("j"), &id, &TokenChanges::default()),
            Err(Error::InvalidInput { field: "changes", .. })
        ));
        let global = TokenChanges::default().permissions(Scopes::parse("SYS_ADMIN").unwrap());
        assert!(matches!(
            super::request(&context(), &password(), &user("j"), &id, &global),
            Err(Error::InvalidInput { field: "permissions", .. })
        ));
    }

    #[test]
    fn answers() {
        let id = PatId::new("158910532909");
        assert_eq!(parse(&respond(200, CREATED), &id, now()).unwrap().metadata.display_name, "che5");
        assert!(matches!(parse(&respond(404, "{}"), &id, now()), Err(Error::NotFound { .. })));
    }
}
