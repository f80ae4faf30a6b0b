//! `DELETE /users/{username}/tokens/{token}`: by id, or by name, with the password login.

use chrono::{DateTime, Utc};
use http::Method;

use crate::admin::UserId;
use crate::error::Result;
use crate::gitea::classify::{Asked, check};
use crate::gitea::request::{Prepared, RequestContext, deletable_name, token_id, username};
use crate::gitea::{GiteaClient, operations as op};
use crate::model::PatId;
use crate::transport::HttpResponse;

/// `DELETE /users/{owner}/tokens/{id}`; an id that is no positive integer is
/// [`Error::NotFound`](crate::Error::NotFound) before sending (Gitea would take it as a name).
pub(crate) fn request_by_id(ctx: &RequestContext, owner: &str, id: &PatId) -> Result<Prepared> {
    let id = token_id(id)?.to_string();
    Ok(Prepared {
        method: Method::DELETE,
        url: ctx.tokens_url(username(owner)?, Some(&id)),
        op: op::TOKEN_DELETE,
        body: None,
    })
}

/// `DELETE /users/{owner}/tokens/{name}`; a name Gitea would read as an id is refused before
/// sending.
pub(crate) fn request_by_name(ctx: &RequestContext, owner: &str, name: &str) -> Result<Prepared> {
    let name = deletable_name(name)?;
    Ok(Prepared {
        method: Method::DELETE,
        url: ctx.tokens_url(username(owner)?, Some(name)),
        op: op::TOKEN_DELETE,
        body: None,
    })
}

/// 204 (any 2xx) means deleted.
pub(crate) fn parse(response: &HttpResponse, asked: &Asked<'_>, now: DateTime<Utc>) -> Result<()> {
    check(response, asked, now)
}

impl GiteaClient {
    /// Deletes the [`owner`](Self::owner)'s token `id` (hard: it is gone).
    ///
    /// An id Gitea does not know (or that is not the owner's) is
    /// [`Error::NotFound`](crate::Error::NotFound), and so is an id that is no positive integer
    /// (nothing is sent for it). A repeated delete is therefore `NotFound`, which callers that
    /// only need the token gone (rotation, offboarding) count as done.
    pub async fn delete(&self, id: &PatId) -> Result<()> {
        self.delete_as(self.owner(), id).await
    }

    /// Deletes the token of `user` with `id`: a site administrator's call. As [`delete`](Self::delete).
    pub async fn delete_user_token(&self, user: &UserId, id: &PatId) -> Result<()> {
        self.delete_as(user.as_str(), id).await
    }

    pub(crate) async fn delete_as(&self, owner: &str, id: &PatId) -> Result<()> {
        self.managed(request_by_id(self.ctx(), owner, id)?, Some(id), parse).await
    }

    /// Deletes the [`owner`](Self::owner)'s token named `name`.
    ///
    /// - No such token: [`Error::NotFound`](crate::Error::NotFound) (without an id).
    /// - Several tokens with that name (older Gitea allowed it): [`Error::Rejected`](crate::Error::Rejected)
    ///   with [`ErrorCode::AmbiguousName`](crate::gitea::ErrorCode::AmbiguousName); nothing is
    ///   deleted. Delete by id instead.
    /// - A name Gitea would read as an id (`"7"`, `"0x1f"`, `"017"`, …: Gitea tries the id
    ///   first) is refused with [`Error::InvalidInput`](crate::Error::InvalidInput) before
    ///   sending, so it can never delete another token.
    pub async fn delete_by_name(&self, name: &str) -> Result<()> {
        let owner = self.owner();
        match self.managed(request_by_name(self.ctx(), owner, name)?, None, parse).await {
            Err(crate::Error::Api { status: 404, .. }) => Err(crate::Error::NotFound { id: None }),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;
    use crate::gitea::classify::tests::{asked, now, respond};
    use crate::gitea::request::tests::{assert_managed, context, login};

    #[tokio::test]
    async fn request_shapes() {
        let login = login(None).await;
        let by_id = context().managed(request_by_id(&context(), "alice", &PatId::new("7")).unwrap(), &login).unwrap();
        assert_eq!(by_id.method(), Method::DELETE);
        assert_eq!(by_id.uri(), "https://gitea.example/api/v1/users/alice/tokens/7");
        assert!(by_id.body().is_empty());
        assert_managed(&by_id, op::TOKEN_DELETE);
        let by_name = context().managed(request_by_name(&context(), "alice", "ci bot/2").unwrap(), &login).unwrap();
        assert_eq!(by_name.uri(), "https://gitea.example/api/v1/users/alice/tokens/ci%20bot%2F2");
        assert_managed(&by_name, op::TOKEN_DELETE);
    }

    #[test]
    fn ids_and_names_that_could_hit_another_token_are_refused_before_sending() {
        assert!(matches!(request_by_id(&context(), "alice", &PatId::new("ci")), Err(Error::NotFound { .. })));
        assert!(matches!(request_by_id(&context(), "alice", &PatId::new("017")), Err(Error::NotFound { .. })));
        assert!(matches!(request_by_name(&context(), "alice", "0x1f"), Err(Error::InvalidInput { field: "name", .. })));
    }

    #[test]
    fn answers() {
        let id = PatId::new("7");
        let about = Asked { op: op::TOKEN_DELETE, id: Some(&id), ..asked(Some(false)) };
        assert!(parse(&respond(204, ""), &about, now()).is_ok());
        let missing =
            r#"{"message":"The target couldn't be found.","url":"https://gitea.example/api/swagger","errors":[]}"#;
        assert!(
            matches!(parse(&respond(404, missing), &about, now()), Err(Error::NotFound { id: Some(ref got) }) if *got == id)
        );
        let by_name = Asked { op: op::TOKEN_DELETE, ..asked(Some(false)) };
        assert!(matches!(parse(&respond(404, missing), &by_name, now()), Err(Error::Api { status: 404, .. })));
        let ambiguous =
            r#"{"message":"multiple matches for token name 'ci'","url":"https://gitea.example/api/swagger"}"#;
        match parse(&respond(422, ambiguous), &by_name, now()) {
            Err(Error::Rejected { code, message: Some(m) }) => {
                assert_eq!(crate::gitea::ErrorCode::from(&code), crate::gitea::ErrorCode::AmbiguousName);
                assert!(m.starts_with("multiple matches"));
            }
            other => panic!("{other:?}"),
        }
        let forbidden = r#"{"message":"doer should be the site admin or be same as the contextUser"}"#;
        assert!(matches!(parse(&respond(403, forbidden), &about, now()), Err(Error::Forbidden { .. })));
    }
}
