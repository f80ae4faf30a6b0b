//! `GET /user`: who the credential acts as (with `Sudo`, the impersonated user).

use chrono::{DateTime, Utc};
use http::Method;
use serde::Deserialize;

use crate::admin::UserId;
use crate::auth::AccessCredential;
use crate::error::Result;
use crate::gitlab::classify::{check, decode};
use crate::gitlab::request::RequestContext;
use crate::gitlab::{GitLabClient, operations as op};
use crate::transport::{HttpRequest, HttpResponse};

/// The user a credential acts as.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CurrentUser {
    /// The numeric user id.
    pub id: u64,
    /// The username.
    pub username: String,
    /// Whether the user is an instance administrator (GitLab shows this to admins only).
    #[serde(default)]
    pub is_admin: Option<bool>,
}

impl CurrentUser {
    /// The id as the neutral [`UserId`].
    pub fn user_id(&self) -> UserId {
        UserId::new(self.id.to_string())
    }
}

pub(crate) fn request(ctx: &RequestContext, credential: &AccessCredential) -> Result<HttpRequest> {
    ctx.build(Method::GET, ctx.url(&["user"]), op::USER, credential, None)
}

pub(crate) fn parse(response: &HttpResponse, now: DateTime<Utc>) -> Result<CurrentUser> {
    check(response, op::USER, None, now)?;
    decode(response, op::USER)
}

impl GitLabClient {
    /// The user the client acts as (`GET /user`; with [`sudo`](super::GitLabClientBuilder::sudo),
    /// the impersonated user).
    pub async fn current_user(&self) -> Result<CurrentUser> {
        let credential = self.credential().await?;
        let request = request(self.ctx(), &credential)?;
        self.execute(request, parse).await
    }

    /// The caller's user id, read once per client and kept.
    pub(crate) async fn own_user_id(&self) -> Result<u64> {
        self.inner.own_user_id.get_or_try_init(|| async { self.current_user().await.map(|u| u.id) }).await.copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::classify::tests::{now, respond};
    use crate::gitlab::request::tests::{assert_common, context, pat};

    #[test]
    fn request_shape_and_parse() {
        let request = request(&context(), &pat()).unwrap();
        assert_eq!(request.uri(), "https://gitlab.example/api/v4/user");
        assert_common(&request, op::USER);
        let user =
            parse(&respond(200, r#"{"id":3,"username":"alice","name":"Alice","is_admin":false}"#), now()).unwrap();
        assert_eq!((user.id, user.username.as_str(), user.user_id().as_str()), (3, "alice", "3"));
    }
}
